//! The caller: profile and language, password, personal API tokens.

use super::prelude::*;
use crate::auth::account;
use crm_domain::api::{ApiToken, ChangePasswordRequest, CreatedApiToken, Me, MePatch, NewApiToken};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(get_me)
        .service(update_me)
        .service(change_password)
        .service(list_tokens)
        .service(create_token)
        .service(revoke_token);
}

/// Who the caller is, with roles, permissions, data scope and language.
#[utoipa::path(tag = "me", responses((status = 200, body = Me)))]
#[get("/me")]
async fn get_me(caller: Caller) -> Json<Me> {
    Json(caller.identity.me())
}

/// Changes the caller's own preferences: the language the server answers them in.
#[utoipa::path(tag = "me", request_body = MePatch, responses((status = 200, body = Me)))]
#[patch("/me")]
async fn update_me(caller: Caller, patch: Json<MePatch>) -> ApiResult<Json<Me>> {
    account::update_me(&caller, patch.into_inner())
        .await
        .map(Json)
}

/// Changes the caller's password; the caller's other sessions end.
#[utoipa::path(tag = "me", request_body = ChangePasswordRequest, responses((status = 204, description = "changed")))]
#[post("/me/password")]
async fn change_password(caller: Caller, req: Json<ChangePasswordRequest>) -> ApiResult<NoContent> {
    account::change_password(&caller, req.into_inner())
        .await
        .map(NoContent::from)
}

/// The caller's personal API tokens (never their secrets).
#[utoipa::path(tag = "me", responses((status = 200, body = Vec<ApiToken>)))]
#[get("/me/tokens")]
async fn list_tokens(caller: Caller) -> ApiResult<Json<Vec<ApiToken>>> {
    caller
        .run(|conn, actor| crm_db::auth::list_api_tokens(conn, actor.id))
        .await
        .map(Json)
}

/// Creates a personal API token for scripts. The secret is in this answer only.
#[utoipa::path(tag = "me", request_body = NewApiToken, responses((status = 201, body = CreatedApiToken)))]
#[post("/me/tokens")]
async fn create_token(
    caller: Caller,
    new: Json<NewApiToken>,
) -> ApiResult<Created<CreatedApiToken>> {
    account::create_personal_token(&caller, new.into_inner())
        .await
        .map(Created)
}

/// Revokes one of the caller's tokens; it stops working at once.
#[utoipa::path(tag = "me", params(("id" = i64, Path)), responses((status = 204, description = "revoked")))]
#[delete("/me/tokens/{id}")]
async fn revoke_token(caller: Caller, id: Path<i64>) -> ApiResult<NoContent> {
    caller
        .run(move |conn, actor| crm_db::auth::revoke_api_token(conn, actor, *id))
        .await
        .map(NoContent::from)
}
