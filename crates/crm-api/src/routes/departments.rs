//! Departments (部门): the tree as a flat list with `parent_id`.

use super::prelude::*;
use crm_db::departments;
use crm_domain::api::{Department, DepartmentPatch, NewDepartment};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_departments)
        .service(create_department)
        .service(get_department)
        .service(update_department)
        .service(delete_department);
}

/// Every department, ordered by `sort_order`; any signed-in user may read the organisation.
#[utoipa::path(tag = "organisation", responses((status = 200, body = Vec<Department>)))]
#[get("/departments")]
async fn list_departments(caller: Caller) -> ApiResult<Json<Vec<Department>>> {
    caller
        .run(|conn, _| departments::list(conn))
        .await
        .map(Json)
}

#[utoipa::path(tag = "organisation", request_body = NewDepartment, responses((status = 201, body = Department)))]
#[post("/departments")]
async fn create_department(
    caller: Caller<need::AdminDepartments>,
    new: Json<NewDepartment>,
) -> ApiResult<Created<Department>> {
    caller
        .run(move |conn, actor| departments::create(conn, actor, &new))
        .await
        .map(Created)
}

#[utoipa::path(tag = "organisation", params(("id" = i64, Path)), responses((status = 200, body = Department)))]
#[get("/departments/{id}")]
async fn get_department(caller: Caller, id: Path<i64>) -> ApiResult<Json<Department>> {
    caller
        .run(move |conn, _| departments::get(conn, *id))
        .await
        .map(Json)
}

/// Renames, moves (`parent_id`; `null` for top level) or reorders a department.
#[utoipa::path(tag = "organisation", params(("id" = i64, Path)), request_body = DepartmentPatch, responses((status = 200, body = Department)))]
#[patch("/departments/{id}")]
async fn update_department(
    caller: Caller<need::AdminDepartments>,
    id: Path<i64>,
    patch: Json<DepartmentPatch>,
) -> ApiResult<Json<Department>> {
    caller
        .run(move |conn, actor| departments::update(conn, actor, *id, &patch))
        .await
        .map(Json)
}

/// Deletes an empty department (409 `department_not_empty` while it has users or sub-departments).
#[utoipa::path(tag = "organisation", params(("id" = i64, Path)), responses((status = 204, description = "deleted")))]
#[delete("/departments/{id}")]
async fn delete_department(
    caller: Caller<need::AdminDepartments>,
    id: Path<i64>,
) -> ApiResult<NoContent> {
    caller
        .run(move |conn, actor| departments::delete(conn, actor, *id))
        .await
        .map(NoContent::from)
}
