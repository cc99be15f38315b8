//! Login, refresh with rotation, logout, and health.

use super::prelude::*;
use crate::auth::session;
use crate::error::ApiError;
use crate::state::AppState;
use actix_web::web;
use crm_domain::api::{Health, LoginRequest, RefreshRequest, TokenResponse};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(health)
        .service(login)
        .service(refresh_session)
        .service(logout);
}

/// Answers 200 when the database answers.
#[utoipa::path(tag = "auth", security(()), responses((status = 200, body = Health), (status = 503, description = "database unavailable")))]
#[get("/health")]
async fn health(state: web::Data<AppState>) -> ApiResult<Json<Health>> {
    let backend = state.db.backend.name().to_string();
    state
        .run(|conn| crm_db::ping(conn).map_err(|_| ApiError::Unavailable))
        .await?;
    Ok(Json(Health {
        status: "ok".into(),
        database: backend,
    }))
}

/// Exchanges a username and password for an access token (15 minutes) and a refresh token.
/// Repeated failures for one username lock it for a growing time (429 with `Retry-After`).
#[utoipa::path(tag = "auth", security(()), request_body = LoginRequest, responses((status = 200, body = TokenResponse)))]
#[post("/auth/login")]
async fn login(
    state: web::Data<AppState>,
    body: Json<LoginRequest>,
) -> ApiResult<Json<TokenResponse>> {
    session::login(&state, body.into_inner()).await.map(Json)
}

/// Exchanges a refresh token for a new pair. Each refresh token works once; presenting a used one
/// again ends the whole session (401 `refresh_token_reused`).
#[utoipa::path(tag = "auth", security(()), request_body = RefreshRequest, responses((status = 200, body = TokenResponse)))]
#[post("/auth/refresh")]
async fn refresh_session(
    state: web::Data<AppState>,
    body: Json<RefreshRequest>,
) -> ApiResult<Json<TokenResponse>> {
    session::refresh(&state, body.into_inner()).await.map(Json)
}

/// Ends the session the refresh token belongs to: its refresh and access tokens stop working.
#[utoipa::path(tag = "auth", request_body = RefreshRequest, responses((status = 204, description = "logged out")))]
#[post("/auth/logout")]
async fn logout(caller: Caller, body: Json<RefreshRequest>) -> ApiResult<NoContent> {
    session::logout(&caller, body.into_inner())
        .await
        .map(NoContent::from)
}
