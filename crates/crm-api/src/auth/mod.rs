//! Who is calling: access tokens (JWT), personal API tokens, password hashing, and the [`Caller`]
//! extractor that every protected handler receives.

pub mod password;
pub mod tokens;

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use actix_web::body::MessageBody;
use actix_web::dev::Payload;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use crm_db::org::CallerRecord;
use crm_db::visibility::{Viewer, Visible};
use crm_db::{DbConnection, RepoResult};
use crm_domain::api::Me;
use crm_domain::{DataScope, Permission};
use futures_util::future::LocalBoxFuture;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// The authenticated caller, resolved once per request (or taken from [`CallerCache`]).
#[derive(Debug, Clone)]
pub struct Caller {
    pub id: i64,
    pub record: CallerRecord,
    /// The login session behind an access token; none for personal API tokens.
    pub session_id: Option<i64>,
    /// The owners this caller sees, resolved at the first need and shared by the cached copies.
    visible: Arc<OnceLock<Visible>>,
}

/// Callers resolved in the last few seconds, by the hash of their credential: a request then
/// costs no authentication queries. Any change to sessions, tokens, users, roles or departments
/// made through this server empties it at once (see [`forget_callers`]); a change made elsewhere
/// (another server process, a script) is seen within the time to live.
pub struct CallerCache(moka::sync::Cache<String, Caller>);

impl CallerCache {
    pub fn new(time_to_live: Duration) -> CallerCache {
        CallerCache(
            moka::sync::Cache::builder()
                .max_capacity(10_000)
                .time_to_live(time_to_live)
                .build(),
        )
    }

    pub fn forget_all(&self) {
        self.0.invalidate_all();
    }
}

/// After any write to sessions, tokens, users, roles or departments (whatever its outcome), the
/// cached callers are forgotten: permissions, scopes and the visible owners may have changed.
pub async fn forget_callers(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    const SECURITY: [&str; 5] = [
        "/api/v1/auth/",
        "/api/v1/me/",
        "/api/v1/users",
        "/api/v1/roles",
        "/api/v1/departments",
    ];
    let writes = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS)
        && SECURITY.iter().any(|p| req.path().starts_with(p));
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let res = next.call(req).await;
    if writes && let Some(state) = state {
        state.callers.forget_all();
    }
    res
}

impl Caller {
    pub fn has(&self, p: Permission) -> bool {
        self.record.permissions.contains(&p)
    }

    /// 403 unless the caller holds `p`.
    pub fn require(&self, p: Permission) -> ApiResult<()> {
        if self.has(p) {
            Ok(())
        } else {
            Err(ApiError::Forbidden {
                detail: format!("this needs the permission `{}`", p.code()),
            })
        }
    }

    pub fn viewer(&self) -> Viewer {
        Viewer {
            user_id: self.id,
            department_id: self.record.department.id,
            scope: self.record.scope,
        }
    }

    /// The owners whose records this caller sees (the one visibility filter).
    pub fn visible(&self, conn: &mut DbConnection) -> RepoResult<Visible> {
        if let Some(v) = self.visible.get() {
            return Ok(v.clone());
        }
        let v = Visible::resolve(conn, self.viewer())?;
        Ok(self.visible.get_or_init(|| v).clone())
    }

    pub fn scope(&self) -> DataScope {
        self.record.scope
    }

    pub fn me(&self) -> Me {
        me_of(&self.record)
    }
}

pub fn me_of(r: &CallerRecord) -> Me {
    Me {
        id: r.id,
        username: r.username.clone(),
        display_name: r.display_name.clone(),
        department: r.department.clone(),
        roles: r.roles.clone(),
        permissions: r.permissions.clone(),
        data_scope: r.scope,
    }
}

/// The bearer credential of a request, if any.
pub fn bearer(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_string())
        .filter(|t| !t.is_empty())
}

/// Resolves a bearer credential to a caller: a personal token (`crm_pat_…`) or an access token.
pub async fn authenticate(state: &AppState, token: String) -> ApiResult<Caller> {
    let claims = if tokens::is_personal_token(&token) {
        None
    } else {
        Some(state.jwt.verify(&token)?)
    };
    let hash = tokens::hash_secret(&token);
    if let Some(caller) = state.callers.0.get(&hash) {
        return Ok(caller);
    }
    let today = state.today();
    let key = hash.clone();
    let caller = state
        .run(move |conn| {
            let (user_id, session_id) = match &claims {
                Some(c) => {
                    let user_id: i64 = c.sub.parse().map_err(|_| ApiError::Unauthenticated {
                        code: "invalid_token",
                        detail: "the access token is malformed".into(),
                    })?;
                    if !crm_db::auth::session_is_active(conn, c.sid, user_id)? {
                        return Err(ApiError::Unauthenticated {
                            code: "invalid_token",
                            detail: "the session has ended; log in again".into(),
                        });
                    }
                    (user_id, Some(c.sid))
                }
                None => match crm_db::auth::authenticate_api_token(conn, &hash, today)? {
                    Some(user_id) => (user_id, None),
                    None => {
                        return Err(ApiError::Unauthenticated {
                            code: "invalid_token",
                            detail: "the API token is unknown, revoked or expired".into(),
                        });
                    }
                },
            };
            let record = crm_db::org::load_caller(conn, user_id)?.ok_or_else(|| {
                ApiError::Unauthenticated {
                    code: "invalid_token",
                    detail: "the account is disabled".into(),
                }
            })?;
            Ok(Caller {
                id: user_id,
                record,
                session_id,
                visible: Arc::default(),
            })
        })
        .await?;
    state.callers.0.insert(key, caller.clone());
    Ok(caller)
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        // The idempotency middleware may have authenticated the request already.
        if let Some(caller) = req.extensions().get::<Caller>() {
            let caller = caller.clone();
            return Box::pin(async move { Ok(caller) });
        }
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = bearer(req);
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::internal("application state missing"))?;
            let token = token
                .ok_or_else(|| ApiError::unauthenticated("send `Authorization: Bearer <token>`"))?;
            authenticate(&state, token).await
        })
    }
}
