//! A user's own credentials and preferences, and an administrator's password reset: the steps that
//! hash on the hasher's threads between database calls. The handlers are one call into here.

use super::tokens;
use crate::caller::Caller;
use crate::error::{ApiError, ApiResult};
use crm_domain::api::{
    ChangePasswordRequest, CreatedApiToken, Me, MePatch, NewApiToken, ResetPasswordRequest,
};
use crm_domain::{ErrorCode, msg};

/// Saves the caller's preferences (the language the server answers them in) and answers who they
/// are now.
pub async fn update_me<R>(caller: &Caller<R>, patch: MePatch) -> ApiResult<Me> {
    let mut me = caller.identity.me();
    if let Some(language) = patch.language {
        caller
            .run(move |conn, actor| crm_db::users::set_language(conn, actor, language))
            .await?;
        me.language = language;
    }
    Ok(me)
}

/// Changes the caller's password once the current one is shown; their other sessions end.
pub async fn change_password<R>(
    caller: &Caller<R>,
    request: ChangePasswordRequest,
) -> ApiResult<()> {
    let ChangePasswordRequest {
        current_password,
        new_password,
    } = request;
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
}

/// A personal API token for the caller; its secret is in this answer only. Made only from a
/// signed-in session: one leaked token must not be able to leave others behind.
pub async fn create_personal_token<R>(
    caller: &Caller<R>,
    new: NewApiToken,
) -> ApiResult<CreatedApiToken> {
    if caller.identity.session_id.is_none() {
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
    Ok(CreatedApiToken {
        token: secret,
        info,
    })
}

/// Sets a new password for another user and ends their sessions; a missing user is 404 before any
/// hashing work.
pub async fn reset_password<R>(
    caller: &Caller<R>,
    id: i64,
    request: ResetPasswordRequest,
) -> ApiResult<()> {
    caller
        .run(move |conn, actor| crm_db::users::check_resettable(conn, actor, id))
        .await?;
    let hash = caller.state().hasher.hash(request.new_password).await?;
    caller
        .run(move |conn, actor| crm_db::users::set_password(conn, actor, id, &hash, None))
        .await
}
