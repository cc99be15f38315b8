//! Who is calling, resolved once per request before anything else of it is read: the [`identify`]
//! middleware turns the bearer credential into an [`Identity`] (or the reason it is refused), and
//! the [`Caller`] extractor, the first argument of every protected handler, checks the
//! permission the endpoint needs (`Caller<need::CustomerRead>`) before the path, the query or the
//! body is looked at, so that an unauthorised caller learns nothing but 401 or 403.
//!
//! A handler then reads: the permission in its signature, one call, the answer:
//!
//! ```text
//! async fn get_customer(caller: Caller<need::CustomerRead>, id: Path<i64>) -> ApiResult<Json<Customer>> {
//!     caller.run(move |conn, actor| customers::get(conn, actor, *id)).await.map(Json)
//! }
//! ```

use crate::auth::{Identity, tokens};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::{Method, header};
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use crm_db::{Actor, DbConnection};
use crm_domain::permissions::{Requirement, need};
use crm_domain::{ErrorCode, msg};
use std::future::{Ready, ready};
use std::marker::PhantomData;

/// What [`identify`] found out about a request's credential.
#[derive(Clone)]
pub enum Identified {
    Caller(Identity),
    Refused(ApiError),
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

fn invalid_token(detail: crm_domain::Msg) -> ApiError {
    ApiError::unauthenticated(ErrorCode::InvalidToken, detail)
}

/// Resolves a bearer credential (whose [`tokens::hash_secret`] is `hash`) to an identity: a
/// personal token (`crm_pat_…`) or an access token, from the cache when it was resolved in the
/// last few seconds.
pub async fn authenticate(state: &AppState, token: String, hash: &str) -> ApiResult<Identity> {
    let claims = if tokens::is_personal_token(&token) {
        None
    } else {
        Some(state.jwt.verify(&token)?)
    };
    let hash = hash.to_string();
    if let Some(identity) = state.callers.get(&hash) {
        return Ok(identity);
    }
    let today = state.today();
    let key = hash.clone();
    let identity = state
        .run(move |conn| {
            let (user_id, session_id) = match &claims {
                Some(c) => {
                    let user_id: i64 = c.sub.parse().map_err(|_| {
                        invalid_token(msg!("访问令牌格式不对", "the access token is malformed"))
                    })?;
                    if !crm_db::auth::session_is_active(conn, c.sid, user_id)? {
                        return Err(invalid_token(msg!(
                            "会话已结束，请重新登录",
                            "the session has ended; log in again"
                        )));
                    }
                    (user_id, Some(c.sid))
                }
                None => match crm_db::auth::authenticate_api_token(conn, &hash, today)? {
                    Some(user_id) => (user_id, None),
                    None => {
                        return Err(invalid_token(msg!(
                            "API 令牌不存在、已撤销或已过期",
                            "the API token is unknown, revoked or expired"
                        )));
                    }
                },
            };
            let record = crm_db::callers::load(conn, user_id)?
                .ok_or_else(|| invalid_token(msg!("账号已停用", "the account is disabled")))?;
            Ok(Identity::new(record, session_id))
        })
        .await?;
    state.callers.insert(key, identity.clone());
    Ok(identity)
}

/// Resolves the request's credential (if it carries one) before routing, for the extractor and
/// for the other middleware to find. After any write to sessions, tokens, users, roles or
/// departments (whatever its outcome) the cached identities are forgotten: permissions, scopes and
/// the visible owners may have changed.
pub async fn identify(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    const SECURITY: [&str; 5] = [
        "/api/v1/auth/",
        "/api/v1/me",
        "/api/v1/users",
        "/api/v1/roles",
        "/api/v1/departments",
    ];
    let state = req.app_data::<web::Data<AppState>>().cloned();
    // Held until the answer is ready: one of the credential's running requests.
    let mut slot = None;
    if let (Some(state), Some(token)) = (&state, bearer(req.request())) {
        let key = tokens::hash_secret(&token);
        let found = match authenticate(state, token, &key).await {
            Ok(identity) => {
                crate::telemetry::record_user(identity.id());
                match state.in_flight.enter(key) {
                    Ok(held) => {
                        slot = Some(held);
                        Identified::Caller(identity)
                    }
                    Err(e) => Identified::Refused(e),
                }
            }
            Err(e) => Identified::Refused(e),
        };
        req.extensions_mut().insert(found);
    }
    let writes = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let forget_callers = writes && SECURITY.iter().any(|p| req.path().starts_with(p));
    let forget_settings = writes && req.path() == "/api/v1/settings";
    let res = next.call(req).await;
    drop(slot);
    if let Some(state) = state {
        if forget_callers {
            state.callers.forget_all();
        }
        if forget_settings {
            state.forget_company_language();
        }
    }
    res
}

/// The caller of a protected endpoint, holding the permission `R` (by default: anyone signed
/// in). Extracted at once from what [`identify`] found: 401 without a valid credential, 403
/// without the permission, before any other argument of the handler is looked at.
pub struct Caller<R = need::SignedIn> {
    pub identity: Identity,
    state: web::Data<AppState>,
    _need: PhantomData<R>,
}

impl<R> Caller<R> {
    pub fn id(&self) -> i64 {
        self.identity.id()
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// The state, to take into work that runs off the async workers.
    pub fn shared_state(&self) -> web::Data<AppState> {
        self.state.clone()
    }

    /// Runs `f` on a pooled connection (off the async workers) with the caller as an [`Actor`]:
    /// the one way a handler reaches the repositories.
    pub async fn run<T, E, F>(&self, f: F) -> ApiResult<T>
    where
        T: Send + 'static,
        E: Into<ApiError>,
        F: FnOnce(&mut DbConnection, &Actor) -> Result<T, E> + Send + 'static,
    {
        let identity = self.identity.clone();
        self.state
            .run(move |conn| {
                let actor = identity.actor(conn)?;
                f(conn, &actor).map_err(Into::into)
            })
            .await
    }
}

impl<R: Requirement> FromRequest for Caller<R> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(caller_of(req))
    }
}

fn caller_of<R: Requirement>(req: &HttpRequest) -> ApiResult<Caller<R>> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| ApiError::internal("application state missing"))?;
    let identity = match req.extensions().get::<Identified>() {
        Some(Identified::Caller(identity)) => identity.clone(),
        Some(Identified::Refused(e)) => return Err(e.clone()),
        None => {
            return Err(ApiError::unauthenticated(
                ErrorCode::Unauthenticated,
                msg!(
                    "请发送 `Authorization: Bearer <令牌>`",
                    "send `Authorization: Bearer <token>`"
                ),
            ));
        }
    };
    if !R::met_by(&identity.record.permissions) {
        let codes: Vec<&str> = R::needed().iter().map(|p| p.code()).collect();
        let (zh, en) = if R::needs_all() {
            (codes.join("` 和 `"), codes.join("` and `"))
        } else {
            (codes.join("` 或 `"), codes.join("` or `"))
        };
        return Err(ApiError::Forbidden {
            detail: msg!("需要权限 `{zh}`", "this needs the permission `{en}`"),
        });
    }
    Ok(Caller {
        identity,
        state,
        _need: PhantomData,
    })
}
