//! Roles (角色) with permission codes and a data scope, and the permission catalogue.

use super::prelude::*;
use crm_db::roles;
use crm_domain::Permission;
use crm_domain::api::{NewRole, PermissionInfo, Role, RolePatch};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_permissions)
        .service(list_roles)
        .service(create_role)
        .service(get_role)
        .service(update_role)
        .service(delete_role);
}

/// Who may read roles: role managers, and user managers (who assign them).
type ReadRoles = need::Either<need::AdminRoles, need::AdminUsers>;

/// The catalogue of permission codes a role can grant.
#[utoipa::path(tag = "organisation", responses((status = 200, body = Vec<PermissionInfo>)))]
#[get("/permissions")]
async fn list_permissions(_caller: Caller) -> Json<Vec<PermissionInfo>> {
    Json(
        Permission::ALL
            .iter()
            .copied()
            .map(PermissionInfo::from)
            .collect(),
    )
}

#[utoipa::path(tag = "organisation", responses((status = 200, body = Vec<Role>)))]
#[get("/roles")]
async fn list_roles(caller: Caller<ReadRoles>) -> ApiResult<Json<Vec<Role>>> {
    caller.run(|conn, _| roles::list(conn)).await.map(Json)
}

#[utoipa::path(tag = "organisation", request_body = NewRole, responses((status = 201, body = Role)))]
#[post("/roles")]
async fn create_role(
    caller: Caller<need::AdminRoles>,
    new: Json<NewRole>,
) -> ApiResult<Created<Role>> {
    caller
        .run(move |conn, actor| roles::create(conn, actor, &new))
        .await
        .map(Created)
}

#[utoipa::path(tag = "organisation", params(("id" = i64, Path)), responses((status = 200, body = Role)))]
#[get("/roles/{id}")]
async fn get_role(caller: Caller<ReadRoles>, id: Path<i64>) -> ApiResult<Json<Role>> {
    caller
        .run(move |conn, _| roles::get(conn, *id))
        .await
        .map(Json)
}

/// Changes a role's name, permissions (replaced as a whole) or data scope. Whoever holds the role
/// cannot take `admin.roles` from it (422 `would_lock_out`).
#[utoipa::path(tag = "organisation", params(("id" = i64, Path)), request_body = RolePatch, responses((status = 200, body = Role)))]
#[patch("/roles/{id}")]
async fn update_role(
    caller: Caller<need::AdminRoles>,
    id: Path<i64>,
    patch: Json<RolePatch>,
) -> ApiResult<Json<Role>> {
    caller
        .run(move |conn, actor| roles::update(conn, actor, *id, &patch))
        .await
        .map(Json)
}

/// Deletes a role no user holds (409 `role_in_use` otherwise).
#[utoipa::path(tag = "organisation", params(("id" = i64, Path)), responses((status = 204, description = "deleted")))]
#[delete("/roles/{id}")]
async fn delete_role(caller: Caller<need::AdminRoles>, id: Path<i64>) -> ApiResult<NoContent> {
    caller
        .run(move |conn, actor| roles::delete(conn, actor, *id))
        .await
        .map(NoContent::from)
}
