//! The caller: profile, password, personal API tokens.

use crate::auth::{Caller, tokens};
use crate::error::{ApiError, ApiResult};
use crate::extract::ValidJson;
use crate::state::AppState;
use actix_web::{HttpResponse, delete, get, post, web};
use crm_domain::api::{ApiToken, ChangePasswordRequest, CreatedApiToken, Me, NewApiToken};
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(get_me)
        .service(change_password)
        .service(list_tokens)
        .service(create_token)
        .service(revoke_token);
}

/// Who the caller is, with roles, permissions and data scope.
#[utoipa::path(tag = "me", responses((status = 200, body = Me)))]
#[get("/me")]
async fn get_me(caller: Caller) -> web::Json<Me> {
    web::Json(caller.me())
}

/// Changes the caller's password; the caller's other sessions end.
#[utoipa::path(tag = "me", request_body = ChangePasswordRequest, responses((status = 204, description = "changed")))]
#[post("/me/password")]
async fn change_password(
    state: web::Data<AppState>,
    caller: Caller,
    body: ValidJson<ChangePasswordRequest>,
) -> ApiResult<HttpResponse> {
    let ChangePasswordRequest {
        current_password,
        new_password,
    } = body.0;
    let id = caller.id;
    let hash = state
        .run(move |conn| Ok(crm_db::org::password_hash(conn, id)?))
        .await?;
    if !state.hasher.verify(current_password, Some(hash)).await? {
        return Err(ApiError::field(
            "current_password",
            "wrong_password",
            "the current password is wrong",
        ));
    }
    let new_hash = state.hasher.hash(new_password).await?;
    let keep = caller.session_id;
    state
        .run(move |conn| Ok(crm_db::org::set_password(conn, id, id, &new_hash, keep)?))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The caller's personal API tokens (never their secrets).
#[utoipa::path(tag = "me", responses((status = 200, body = Vec<ApiToken>)))]
#[get("/me/tokens")]
async fn list_tokens(
    state: web::Data<AppState>,
    caller: Caller,
) -> ApiResult<web::Json<Vec<ApiToken>>> {
    let id = caller.id;
    Ok(web::Json(
        state
            .run(move |conn| Ok(crm_db::auth::list_api_tokens(conn, id)?))
            .await?,
    ))
}

/// Creates a personal API token for scripts. The secret is in this answer only.
#[utoipa::path(tag = "me", request_body = NewApiToken, responses((status = 201, body = CreatedApiToken)))]
#[post("/me/tokens")]
async fn create_token(
    state: web::Data<AppState>,
    caller: Caller,
    body: ValidJson<NewApiToken>,
) -> ApiResult<HttpResponse> {
    if caller.session_id.is_none() {
        // One leaked token must not be able to leave others behind.
        return Err(ApiError::Forbidden {
            detail: "personal API tokens are created after signing in, not with another token"
                .into(),
        });
    }
    let new = body.0;
    if new.expires_on.is_some_and(|d| d < state.today()) {
        return Err(ApiError::field(
            "expires_on",
            "in_the_past",
            "the last day cannot be in the past",
        ));
    }
    let secret = tokens::new_personal_token();
    let hash = tokens::hash_secret(&secret);
    let prefix: String = secret
        .chars()
        .take(tokens::PERSONAL_PREFIX.len() + 4)
        .collect();
    let id = caller.id;
    let info = state
        .run(move |conn| {
            let t = crm_db::auth::create_api_token(
                conn,
                id,
                new.name.trim(),
                &prefix,
                &hash,
                new.expires_on,
            )?;
            crm_db::audit::record(
                conn,
                Some(id),
                "create",
                "api_token",
                Some(t.id),
                serde_json::json!({"name": t.name}),
            )?;
            Ok(t)
        })
        .await?;
    Ok(HttpResponse::Created().json(CreatedApiToken {
        token: secret,
        info,
    }))
}

/// Revokes one of the caller's tokens; it stops working at once.
#[utoipa::path(tag = "me", params(("id" = i64, Path)), responses((status = 204, description = "revoked")))]
#[delete("/me/tokens/{id}")]
async fn revoke_token(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    let (user, id) = (caller.id, path.into_inner());
    state
        .run(move |conn| {
            crm_db::auth::revoke_api_token(conn, user, id)?;
            crm_db::audit::record(
                conn,
                Some(user),
                "revoke",
                "api_token",
                Some(id),
                serde_json::json!({}),
            )?;
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
