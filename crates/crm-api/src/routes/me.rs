//! The caller: profile and language, password, personal API tokens.

use super::prelude::*;
use crate::auth::tokens;
use crate::error::ApiError;
use crm_domain::api::{ApiToken, ChangePasswordRequest, CreatedApiToken, Me, MePatch, NewApiToken};
use crm_domain::{ErrorCode, msg};

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
    let mut me = caller.identity.me();
    if let Some(language) = patch.language {
        caller
            .run(move |conn, actor| crm_db::users::set_language(conn, actor, language))
            .await?;
        me.language = language;
    }
    Ok(Json(me))
}

/// Changes the caller's password; the caller's other sessions end.
#[utoipa::path(tag = "me", request_body = ChangePasswordRequest, responses((status = 204, description = "changed")))]
#[post("/me/password")]
async fn change_password(caller: Caller, req: Json<ChangePasswordRequest>) -> ApiResult<NoContent> {
    let ChangePasswordRequest {
        current_password,
        new_password,
    } = req.into_inner();
    let hasher = &caller.state().hasher;
    let hash = caller
        .run(|conn, actor| crm_db::users::password_hash(conn, actor.id))
        .await?;
    if !hasher.verify(current_password, Some(hash)).await? {
        return Err(ApiError::field(
            "current_password",
            ErrorCode::WrongPassword,
            msg!("当前密码不对", "the current password is wrong"),
        ));
    }
    let new_hash = hasher.hash(new_password).await?;
    let keep = caller.identity.session_id;
    caller
        .run(move |conn, actor| crm_db::users::set_password(conn, actor, actor.id, &new_hash, keep))
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
    if caller.identity.session_id.is_none() {
        // One leaked token must not be able to leave others behind.
        return Err(ApiError::Forbidden {
            detail: msg!(
                "个人 API 令牌只能在登录后创建，不能用另一个令牌创建",
                "personal API tokens are created after signing in, not with another token"
            ),
        });
    }
    if new.expires_on.is_some_and(|d| d < caller.state().today()) {
        return Err(ApiError::field(
            "expires_on",
            ErrorCode::InThePast,
            msg!(
                "最后有效日不能早于今天",
                "the last day cannot be in the past"
            ),
        ));
    }
    let secret = tokens::new_personal_token();
    let hash = tokens::hash_secret(&secret);
    let prefix: String = secret
        .chars()
        .take(tokens::PERSONAL_PREFIX.len() + 4)
        .collect();
    let info = caller
        .run(move |conn, actor| crm_db::auth::create_api_token(conn, actor, &new, &prefix, &hash))
        .await?;
    Ok(Created(CreatedApiToken {
        token: secret,
        info,
    }))
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
