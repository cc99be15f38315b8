//! Sign-in sessions: a password exchanged for a pair of tokens (with throttling), a refresh token
//! rotated, a session ended. The handlers in `routes::auth` are one call into here.

use super::{me_of, tokens};
use crate::caller::Caller;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crm_db::auth::Rotation;
use crm_domain::api::{LoginRequest, RefreshRequest, TokenResponse};
use crm_domain::{ErrorCode, msg};

async fn issue_pair(
    state: &AppState,
    user_id: i64,
    session_id: i64,
    refresh: String,
) -> ApiResult<TokenResponse> {
    let access_token = state.jwt.issue(user_id, session_id)?;
    let record = state
        .run(move |conn| crm_db::callers::load(conn, user_id).map_err(ApiError::from))
        .await?
        .ok_or_else(|| {
            ApiError::unauthenticated(
                ErrorCode::AccountDisabled,
                msg!("账号已停用", "the account is disabled"),
            )
        })?;
    Ok(TokenResponse {
        access_token,
        refresh_token: refresh,
        token_type: "Bearer".into(),
        expires_in: state.jwt.ttl_seconds,
        user: me_of(&record),
    })
}

/// A username and password for a new session's tokens; repeated failures for one username lock it
/// for a growing time (429 with `Retry-After`).
pub async fn login(state: &AppState, request: LoginRequest) -> ApiResult<TokenResponse> {
    let LoginRequest { username, password } = request;
    let username = username.trim().to_lowercase();
    let name = username.clone();
    let (locked, creds) = state
        .run(move |conn| {
            let locked = crm_db::auth::locked_for(conn, &name)?;
            let creds = crm_db::users::credentials(conn, &name)?;
            Ok((locked, creds))
        })
        .await?;
    if let Some(retry_after) = locked {
        return Err(ApiError::TooManyRequests { retry_after });
    }
    let ok = state
        .hasher
        .verify(password, creds.as_ref().map(|c| c.password_hash.clone()))
        .await?;
    // Checked again after the (queued, slow) verification: guesses sent in parallel all passed the
    // first check, and must not get an answer once earlier ones have locked the username.
    let name = username.clone();
    let verified = ok && creds.is_some();
    let locked = state
        .run(move |conn| {
            if !verified {
                crm_db::auth::record_failure(conn, &name)?;
            }
            Ok(crm_db::auth::locked_for(conn, &name)?)
        })
        .await?;
    if let Some(retry_after) = locked {
        return Err(ApiError::TooManyRequests { retry_after });
    }
    let creds = match creds {
        Some(c) if ok && c.enabled => c,
        Some(c) if ok && !c.enabled => {
            return Err(ApiError::unauthenticated(
                ErrorCode::AccountDisabled,
                msg!("这个账号已停用", "this account is disabled"),
            ));
        }
        _ => {
            return Err(ApiError::unauthenticated(
                ErrorCode::InvalidCredentials,
                msg!("用户名或密码不对", "wrong username or password"),
            ));
        }
    };
    let refresh = tokens::random_secret();
    let hash = tokens::hash_secret(&refresh);
    let days = state.session_days;
    let user_id = creds.user_id;
    let session_id = state
        .run(move |conn| {
            crm_db::auth::clear_failures(conn, &username)?;
            Ok(crm_db::auth::start_session(
                conn,
                user_id,
                &hash,
                chrono::Duration::days(days),
            )?)
        })
        .await?;
    issue_pair(state, user_id, session_id, refresh).await
}

/// A refresh token for a new pair; a used one presented again ends its whole session.
pub async fn refresh(state: &AppState, request: RefreshRequest) -> ApiResult<TokenResponse> {
    let presented = tokens::hash_secret(&request.refresh_token);
    let refresh = tokens::random_secret();
    let new_hash = tokens::hash_secret(&refresh);
    let outcome = state
        .run(move |conn| Ok(crm_db::auth::rotate(conn, &presented, &new_hash)?))
        .await?;
    match outcome {
        Rotation::Rotated {
            user_id,
            session_id,
        } => issue_pair(state, user_id, session_id, refresh).await,
        Rotation::Reused => Err(ApiError::unauthenticated(
            ErrorCode::RefreshTokenReused,
            msg!(
                "这个刷新令牌已经用过；为安全起见，会话已结束",
                "this refresh token was already used; the session has been ended for safety"
            ),
        )),
        Rotation::Invalid => Err(ApiError::unauthenticated(
            ErrorCode::InvalidToken,
            msg!(
                "刷新令牌不存在，或其会话已结束",
                "the refresh token is unknown or its session has ended"
            ),
        )),
    }
}

/// Ends the session the refresh token belongs to, if it is the caller's (a stranger's token is
/// ignored, not revealed); without one, the session of the caller's own access token.
pub async fn logout<R>(caller: &Caller<R>, request: RefreshRequest) -> ApiResult<()> {
    let hash = tokens::hash_secret(&request.refresh_token);
    let caller_session = caller.identity.session_id;
    let caller_id = caller.id();
    caller
        .state()
        .run(move |conn| {
            if let Some(session) = crm_db::auth::session_of_refresh(conn, &hash)? {
                // Only the caller's own sessions: a stranger's token is ignored, not revealed.
                if crm_db::auth::session_is_active(conn, session, caller_id)? {
                    crm_db::auth::end_session(conn, session)?;
                }
            } else if let Some(own) = caller_session {
                crm_db::auth::end_session(conn, own)?;
            }
            Ok(())
        })
        .await
}
