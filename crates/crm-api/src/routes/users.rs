//! Users (用户). Listing goes through the visibility filter: a caller sees the users within their
//! data scope, and administrators (`admin.users`) see everyone.

use super::prelude::*;
use crate::auth::account;
use crm_db::users;
use crm_domain::api::{NewUser, Page, ResetPasswordRequest, User, UserPatch, UserQuery};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_users)
        .service(create_user)
        .service(get_user)
        .service(update_user)
        .service(disable_user)
        .service(enable_user)
        .service(reset_password);
}

#[utoipa::path(tag = "organisation", params(UserQuery), responses((status = 200, body = Page<User>)))]
#[get("/users")]
async fn list_users(caller: Caller, q: Query<UserQuery>) -> ApiResult<Json<Page<User>>> {
    caller
        .run(move |conn, actor| users::list(conn, actor, &q))
        .await
        .map(Json)
}

#[utoipa::path(tag = "organisation", request_body = NewUser, responses((status = 201, body = User)))]
#[post("/users")]
async fn create_user(
    caller: Caller<need::AdminUsers>,
    new: Json<NewUser>,
) -> ApiResult<Created<User>> {
    let hash = caller.state().hasher.hash(new.password.clone()).await?;
    caller
        .run(move |conn, actor| users::create(conn, actor, &new, &hash))
        .await
        .map(Created)
}

/// One user within the caller's scope (404 outside it).
#[utoipa::path(tag = "organisation", params(("id" = i64, Path)), responses((status = 200, body = User)))]
#[get("/users/{id}")]
async fn get_user(caller: Caller, id: Path<i64>) -> ApiResult<Json<User>> {
    caller
        .run(move |conn, actor| users::get(conn, actor, *id))
        .await
        .map(Json)
}

#[utoipa::path(tag = "organisation", params(("id" = i64, Path)), request_body = UserPatch, responses((status = 200, body = User)))]
#[patch("/users/{id}")]
async fn update_user(
    caller: Caller<need::AdminUsers>,
    id: Path<i64>,
    patch: Json<UserPatch>,
) -> ApiResult<Json<User>> {
    caller
        .run(move |conn, actor| users::update(conn, actor, *id, &patch))
        .await
        .map(Json)
}

/// Disables a user and ends every session and personal token of theirs at once.
#[utoipa::path(tag = "organisation", params(("id" = i64, Path)), responses((status = 200, body = User)))]
#[post("/users/{id}/disable")]
async fn disable_user(caller: Caller<need::AdminUsers>, id: Path<i64>) -> ApiResult<Json<User>> {
    caller
        .run(move |conn, actor| users::set_enabled(conn, actor, *id, false))
        .await
        .map(Json)
}

#[utoipa::path(tag = "organisation", params(("id" = i64, Path)), responses((status = 200, body = User)))]
#[post("/users/{id}/enable")]
async fn enable_user(caller: Caller<need::AdminUsers>, id: Path<i64>) -> ApiResult<Json<User>> {
    caller
        .run(move |conn, actor| users::set_enabled(conn, actor, *id, true))
        .await
        .map(Json)
}

/// Sets a new password for another user and ends their sessions.
#[utoipa::path(tag = "organisation", params(("id" = i64, Path)), request_body = ResetPasswordRequest, responses((status = 204, description = "reset")))]
#[post("/users/{id}/reset-password")]
async fn reset_password(
    caller: Caller<need::AdminUsers>,
    id: Path<i64>,
    req: Json<ResetPasswordRequest>,
) -> ApiResult<NoContent> {
    account::reset_password(&caller, *id, req.into_inner())
        .await
        .map(NoContent::from)
}
