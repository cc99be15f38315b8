//! Users (用户). Listing goes through the visibility filter: a caller sees the users within their
//! data scope, and administrators (`admin.users`) see everyone.

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::extract::ValidJson;
use crate::pagination::PageRequest;
use crate::state::AppState;
use actix_web::{HttpResponse, get, patch, post, web};
use crm_db::Visible;
use crm_db::org::UserFilter;
use crm_domain::Permission;
use crm_domain::api::{NewUser, Page, ResetPasswordRequest, User, UserPatch};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_users)
        .service(create_user)
        .service(get_user)
        .service(update_user)
        .service(disable_user)
        .service(enable_user)
        .service(reset_password);
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
struct UserQuery {
    department_id: Option<i64>,
    role_id: Option<i64>,
    enabled: Option<bool>,
    /// Part of the username or display name.
    #[param(max_length = 64)]
    q: Option<String>,
    /// 1–200, default 50.
    #[param(minimum = 1, maximum = 200)]
    limit: Option<i64>,
    cursor: Option<String>,
}

fn visible_users(caller: &Caller, conn: &mut crm_db::DbConnection) -> ApiResult<Visible> {
    if caller.has(Permission::AdminUsers) {
        Ok(Visible::All)
    } else {
        Ok(caller.visible(conn)?)
    }
}

#[utoipa::path(tag = "organisation", params(UserQuery), responses((status = 200, body = Page<User>)))]
#[get("/users")]
async fn list_users(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<UserQuery>,
) -> ApiResult<web::Json<Page<User>>> {
    let q = query.into_inner();
    if q.q.as_ref().is_some_and(|t| t.chars().count() > 64) {
        return Err(ApiError::BadRequest {
            code: "invalid_query",
            detail: "q is longer than 64 characters".into(),
        });
    }
    let page = PageRequest::parse(q.limit, q.cursor.as_deref())?;
    let filter = UserFilter {
        department_id: q.department_id,
        role_id: q.role_id,
        enabled: q.enabled,
        q: q.q,
        after_id: page.after,
        limit: page.fetch(),
    };
    let items = state
        .run(move |conn| {
            let visible = visible_users(&caller, conn)?;
            Ok(crm_db::org::list_users(conn, &visible, &filter)?)
        })
        .await?;
    Ok(web::Json(page.page(items, |u| u.id)))
}

#[utoipa::path(tag = "organisation", request_body = NewUser, responses((status = 201, body = User)))]
#[post("/users")]
async fn create_user(
    state: web::Data<AppState>,
    caller: Caller,
    body: ValidJson<NewUser>,
) -> ApiResult<HttpResponse> {
    caller.require(Permission::AdminUsers)?;
    let new = body.0;
    let hash = state.hasher.hash(new.password.clone()).await?;
    let user = state
        .run(move |conn| {
            Ok(crm_db::org::create_user(
                conn,
                Some(caller.id),
                &new,
                &hash,
            )?)
        })
        .await?;
    Ok(HttpResponse::Created().json(user))
}

/// One user within the caller's scope (404 outside it).
#[utoipa::path(tag = "organisation", params(("id" = i64, Path)), responses((status = 200, body = User)))]
#[get("/users/{id}")]
async fn get_user(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
) -> ApiResult<web::Json<User>> {
    let id = path.into_inner();
    Ok(web::Json(
        state
            .run(move |conn| {
                let visible = visible_users(&caller, conn)?;
                Ok(crm_db::org::get_user(conn, &visible, id)?)
            })
            .await?,
    ))
}

#[utoipa::path(tag = "organisation", params(("id" = i64, Path)), request_body = UserPatch, responses((status = 200, body = User)))]
#[patch("/users/{id}")]
async fn update_user(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
    body: ValidJson<UserPatch>,
) -> ApiResult<web::Json<User>> {
    caller.require(Permission::AdminUsers)?;
    let (id, p) = (path.into_inner(), body.0);
    if id == caller.id && p.role_ids.is_some() {
        return Err(ApiError::field(
            "role_ids",
            "cannot_change_own_roles",
            "another administrator must change your roles",
        ));
    }
    Ok(web::Json(
        state
            .run(move |conn| Ok(crm_db::org::update_user(conn, caller.id, id, &p)?))
            .await?,
    ))
}

/// Disables a user and ends every session and personal token of theirs at once.
#[utoipa::path(tag = "organisation", params(("id" = i64, Path)), responses((status = 200, body = User)))]
#[post("/users/{id}/disable")]
async fn disable_user(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
) -> ApiResult<web::Json<User>> {
    set_enabled(state, caller, path.into_inner(), false).await
}

#[utoipa::path(tag = "organisation", params(("id" = i64, Path)), responses((status = 200, body = User)))]
#[post("/users/{id}/enable")]
async fn enable_user(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
) -> ApiResult<web::Json<User>> {
    set_enabled(state, caller, path.into_inner(), true).await
}

async fn set_enabled(
    state: web::Data<AppState>,
    caller: Caller,
    id: i64,
    enabled: bool,
) -> ApiResult<web::Json<User>> {
    caller.require(Permission::AdminUsers)?;
    if !enabled && id == caller.id {
        return Err(ApiError::Unprocessable {
            code: "cannot_disable_self",
            detail: "you cannot disable your own account".into(),
        });
    }
    let user = state
        .run(move |conn| Ok(crm_db::org::set_user_enabled(conn, caller.id, id, enabled)?))
        .await?;
    Ok(web::Json(user))
}

/// Sets a new password for another user and ends their sessions.
#[utoipa::path(tag = "organisation", params(("id" = i64, Path)), request_body = ResetPasswordRequest, responses((status = 204, description = "reset")))]
#[post("/users/{id}/reset-password")]
async fn reset_password(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
    body: ValidJson<ResetPasswordRequest>,
) -> ApiResult<HttpResponse> {
    caller.require(Permission::AdminUsers)?;
    let id = path.into_inner();
    if id == caller.id {
        return Err(ApiError::Unprocessable {
            code: "use_me_password",
            detail: "change your own password with POST /me/password".into(),
        });
    }
    // Existence first, so that a missing user is 404 before any hashing work.
    state
        .run(move |conn| Ok(crm_db::org::get_user(conn, &Visible::All, id).map(drop)?))
        .await?;
    let hash = state.hasher.hash(body.0.new_password).await?;
    state
        .run(move |conn| Ok(crm_db::org::set_password(conn, caller.id, id, &hash, None)?))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
