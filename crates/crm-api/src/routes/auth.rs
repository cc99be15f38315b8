//! Login, refresh with rotation, logout, and health.

use super::prelude::*;
use crate::auth::session;
use crate::error::ApiError;
use crate::state::AppState;
use actix_web::web;
use crm_domain::api::{Health, LoginRequest, Readiness, RefreshRequest, TokenResponse};
use crm_domain::msg;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(health)
        .service(liveness)
        .service(readiness)
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

/// Liveness: 200 while the process serves requests. Touches nothing else, so a slow database does
/// not get a healthy process restarted.
#[utoipa::path(tag = "auth", security(()), responses((status = 200, body = Health)))]
#[get("/health/live")]
async fn liveness(state: web::Data<AppState>) -> Json<Health> {
    Json(Health {
        status: "ok".into(),
        database: state.db.backend.name().to_string(),
    })
}

/// Readiness: 200 when the database answers and has every migration of this build; 503 otherwise,
/// so a load balancer sends no traffic to an instance that cannot serve it.
#[utoipa::path(tag = "auth", security(()), responses((status = 200, body = Readiness), (status = 503, description = "database unavailable or migrations pending")))]
#[get("/health/ready")]
async fn readiness(state: web::Data<AppState>) -> ApiResult<Json<Readiness>> {
    let backend = state.db.backend.name().to_string();
    // Reading the migration table is the round trip that proves the database answers.
    state
        .run(|conn| match crm_db::migrations_pending(conn) {
            Ok(false) => Ok(()),
            Ok(true) => Err(ApiError::NotReady {
                detail: msg!(
                    "数据库缺少本版本的迁移，请运行 crm migrate",
                    "the database lacks migrations of this build; run crm migrate"
                ),
            }),
            Err(e) => {
                tracing::warn!(error = %e, "readiness: the migrations could not be read");
                Err(ApiError::Unavailable)
            }
        })
        .await?;
    Ok(Json(Readiness {
        status: "ok".into(),
        database: backend,
        migrations: "current".into(),
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
