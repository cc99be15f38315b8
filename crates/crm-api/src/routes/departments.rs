//! Departments (部门): the tree as a flat list with `parent_id`.

use crate::auth::Caller;
use crate::error::ApiResult;
use crate::extract::ValidJson;
use crate::state::AppState;
use actix_web::{HttpResponse, delete, get, patch, post, web};
use crm_domain::Permission;
use crm_domain::api::{Department, DepartmentPatch, NewDepartment};
use utoipa_actix_web::service_config::ServiceConfig;

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
async fn list_departments(
    state: web::Data<AppState>,
    _caller: Caller,
) -> ApiResult<web::Json<Vec<Department>>> {
    Ok(web::Json(
        state
            .run(|conn| Ok(crm_db::org::list_departments(conn)?))
            .await?,
    ))
}

#[utoipa::path(tag = "organisation", request_body = NewDepartment, responses((status = 201, body = Department)))]
#[post("/departments")]
async fn create_department(
    state: web::Data<AppState>,
    caller: Caller,
    body: ValidJson<NewDepartment>,
) -> ApiResult<HttpResponse> {
    caller.require(Permission::AdminDepartments)?;
    let new = body.0;
    let dept = state
        .run(move |conn| Ok(crm_db::org::create_department(conn, caller.id, &new)?))
        .await?;
    Ok(HttpResponse::Created().json(dept))
}

#[utoipa::path(tag = "organisation", params(("id" = i64, Path)), responses((status = 200, body = Department)))]
#[get("/departments/{id}")]
async fn get_department(
    state: web::Data<AppState>,
    _caller: Caller,
    path: web::Path<i64>,
) -> ApiResult<web::Json<Department>> {
    let id = path.into_inner();
    Ok(web::Json(
        state
            .run(move |conn| Ok(crm_db::org::get_department(conn, id)?))
            .await?,
    ))
}

/// Renames, moves (`parent_id`; `null` for top level) or reorders a department.
#[utoipa::path(tag = "organisation", params(("id" = i64, Path)), request_body = DepartmentPatch, responses((status = 200, body = Department)))]
#[patch("/departments/{id}")]
async fn update_department(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
    body: ValidJson<DepartmentPatch>,
) -> ApiResult<web::Json<Department>> {
    caller.require(Permission::AdminDepartments)?;
    let (id, p) = (path.into_inner(), body.0);
    Ok(web::Json(
        state
            .run(move |conn| Ok(crm_db::org::update_department(conn, caller.id, id, &p)?))
            .await?,
    ))
}

/// Deletes an empty department (409 `department_not_empty` while it has users or sub-departments).
#[utoipa::path(tag = "organisation", params(("id" = i64, Path)), responses((status = 204, description = "deleted")))]
#[delete("/departments/{id}")]
async fn delete_department(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    caller.require(Permission::AdminDepartments)?;
    let id = path.into_inner();
    state
        .run(move |conn| Ok(crm_db::org::delete_department(conn, caller.id, id)?))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
