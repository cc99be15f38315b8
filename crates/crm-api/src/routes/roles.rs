//! Roles (角色) with permission codes and a data scope, and the permission catalogue.

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::extract::ValidJson;
use crate::state::AppState;
use actix_web::{HttpResponse, delete, get, patch, post, web};
use crm_domain::Permission;
use crm_domain::api::{NewRole, PermissionInfo, Role, RolePatch};
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_permissions)
        .service(list_roles)
        .service(create_role)
        .service(get_role)
        .service(update_role)
        .service(delete_role);
}

/// The catalogue of permission codes a role can grant.
#[utoipa::path(tag = "organisation", responses((status = 200, body = Vec<PermissionInfo>)))]
#[get("/permissions")]
async fn list_permissions(_caller: Caller) -> web::Json<Vec<PermissionInfo>> {
    web::Json(
        Permission::ALL
            .iter()
            .copied()
            .map(PermissionInfo::from)
            .collect(),
    )
}

fn may_read_roles(caller: &Caller) -> ApiResult<()> {
    if caller.has(Permission::AdminRoles) || caller.has(Permission::AdminUsers) {
        Ok(())
    } else {
        caller.require(Permission::AdminRoles)
    }
}

#[utoipa::path(tag = "organisation", responses((status = 200, body = Vec<Role>)))]
#[get("/roles")]
async fn list_roles(state: web::Data<AppState>, caller: Caller) -> ApiResult<web::Json<Vec<Role>>> {
    may_read_roles(&caller)?;
    Ok(web::Json(
        state.run(|conn| Ok(crm_db::org::list_roles(conn)?)).await?,
    ))
}

#[utoipa::path(tag = "organisation", request_body = NewRole, responses((status = 201, body = Role)))]
#[post("/roles")]
async fn create_role(
    state: web::Data<AppState>,
    caller: Caller,
    body: ValidJson<NewRole>,
) -> ApiResult<HttpResponse> {
    caller.require(Permission::AdminRoles)?;
    let new = body.0;
    let role = state
        .run(move |conn| Ok(crm_db::org::create_role(conn, Some(caller.id), &new)?))
        .await?;
    Ok(HttpResponse::Created().json(role))
}

#[utoipa::path(tag = "organisation", params(("id" = i64, Path)), responses((status = 200, body = Role)))]
#[get("/roles/{id}")]
async fn get_role(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
) -> ApiResult<web::Json<Role>> {
    may_read_roles(&caller)?;
    let id = path.into_inner();
    Ok(web::Json(
        state
            .run(move |conn| Ok(crm_db::org::get_role(conn, id)?))
            .await?,
    ))
}

/// Changes a role's name, permissions (replaced as a whole) or data scope.
#[utoipa::path(tag = "organisation", params(("id" = i64, Path)), request_body = RolePatch, responses((status = 200, body = Role)))]
#[patch("/roles/{id}")]
async fn update_role(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
    body: ValidJson<RolePatch>,
) -> ApiResult<web::Json<Role>> {
    caller.require(Permission::AdminRoles)?;
    let (id, p) = (path.into_inner(), body.0);
    let holds_role = caller.record.roles.iter().any(|r| r.id == id);
    if holds_role
        && p.permissions
            .as_ref()
            .is_some_and(|perms| !perms.contains(&Permission::AdminRoles))
    {
        return Err(ApiError::field(
            "permissions",
            "would_lock_out",
            "you hold this role: removing admin.roles from it would lock you out of role management",
        ));
    }
    Ok(web::Json(
        state
            .run(move |conn| Ok(crm_db::org::update_role(conn, caller.id, id, &p)?))
            .await?,
    ))
}

/// Deletes a role no user holds (409 `role_in_use` otherwise).
#[utoipa::path(tag = "organisation", params(("id" = i64, Path)), responses((status = 204, description = "deleted")))]
#[delete("/roles/{id}")]
async fn delete_role(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    caller.require(Permission::AdminRoles)?;
    let id = path.into_inner();
    state
        .run(move |conn| Ok(crm_db::org::delete_role(conn, caller.id, id)?))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
