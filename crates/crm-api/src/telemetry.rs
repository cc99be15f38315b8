//! What the server tells the people who run it: one structured log line per request (method, the
//! route's pattern rather than the path with its ids, status, latency, the caller and a request
//! id), the request id echoed back and carried by every problem answer, and Prometheus metrics
//! at `/metrics` when a token for them is configured.
//!
//! The request's span comes from `tracing-actix-web` ([`RequestSpan`]), so every line logged while
//! the request runs carries its id; [`observe`] writes the request's own line and its metrics.

use crate::error::ApiError;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, HttpRequest, HttpResponse, web};
use crm_domain::{ErrorCode, msg};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use sha2::{Digest, Sha256};
use std::sync::OnceLock;
use std::time::Instant;
use tracing::Span;
use tracing_actix_web::RootSpanBuilder;

/// The header a request id travels in, both ways.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The id of a request: the one the caller (or its load balancer) sent in `X-Request-Id` when it
/// is a plain token, else a new UUID.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

impl RequestId {
    fn of(req: &ServiceRequest) -> RequestId {
        let given = req
            .headers()
            .get(&REQUEST_ID)
            .and_then(|v| v.to_str().ok())
            .filter(|v| is_plain_id(v));
        RequestId(given.map_or_else(|| uuid::Uuid::new_v4().to_string(), str::to_string))
    }

    /// The id of a request being handled, if the server gave it one.
    pub fn of_request(req: &HttpRequest) -> Option<String> {
        req.extensions().get::<RequestId>().map(|id| id.0.clone())
    }
}

/// 1 to 64 letters, digits, `-`, `_`, `.` or `:`: what proxies and clients send, and nothing that
/// could forge a log line or a header.
fn is_plain_id(v: &str) -> bool {
    (1..=64).contains(&v.len())
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
}

/// The route a request matched as its pattern (`/api/v1/customers/{id}`), or `unmatched`: a scan
/// of random paths must not grow the metrics without bound. Found once, when the request's span
/// opens, and kept with the request for its log line and metrics.
#[derive(Debug, Clone)]
struct Route(String);

impl Route {
    fn of(req: &ServiceRequest) -> Route {
        Route(
            req.match_pattern()
                .unwrap_or_else(|| "unmatched".to_string()),
        )
    }
}

/// The root span of every request: its method, route and id, and the caller once known (recorded
/// by [`crate::caller::identify`] through [`record_user`]).
pub struct RequestSpan;

impl RootSpanBuilder for RequestSpan {
    fn on_request_start(req: &ServiceRequest) -> Span {
        let id = RequestId::of(req);
        let route = Route::of(req);
        let span = tracing::info_span!(
            "request",
            method = %req.method(),
            route = %route.0,
            request_id = %id.0,
            user_id = tracing::field::Empty,
        );
        req.extensions_mut().insert(id);
        req.extensions_mut().insert(route);
        span
    }

    fn on_request_end<B: MessageBody>(_: Span, _: &Result<ServiceResponse<B>, Error>) {
        // The request's line is written by `observe`, which also knows how long it took.
    }
}

/// Puts the caller into the request's span (and so into every line logged for it).
pub fn record_user(user_id: i64) {
    Span::current().record("user_id", user_id);
}

/// Health checks and scrapes are polled all day: they are counted but logged only at debug level.
fn is_probe(route: &str) -> bool {
    route.starts_with("/api/v1/health") || route == "/metrics"
}

/// Writes the request's log line and metrics, and echoes its id in `X-Request-Id`. Runs inside the
/// request's span (`tracing_actix_web::TracingLogger<RequestSpan>` wraps it).
pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let started = Instant::now();
    let method = req.method().to_string();
    let (id, route) = {
        let found = req.extensions();
        let route = found.get::<Route>().cloned();
        (found.get::<RequestId>().cloned(), route)
    };
    // Outside `TracingLogger` (which never happens in the server) the route is found here.
    let route = route.unwrap_or_else(|| Route::of(&req)).0;
    let mut res = next.call(req).await;
    let status = match &res {
        Ok(r) => r.status(),
        Err(e) => e.as_response_error().status_code(),
    };
    let seconds = started.elapsed().as_secs_f64();
    let latency_ms = (seconds * 10_000.0).round() / 10.0;
    if is_probe(&route) {
        tracing::debug!(status = status.as_u16(), latency_ms, "request");
    } else {
        tracing::info!(status = status.as_u16(), latency_ms, "request");
    }
    if metrics_on() {
        let status = status.as_u16().to_string();
        metrics::counter!("crm_http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status)
            .increment(1);
        metrics::histogram!("crm_http_request_duration_seconds", "method" => method, "route" => route)
            .record(seconds);
    }
    if let (Ok(r), Some(id)) = (&mut res, id)
        && let Ok(value) = HeaderValue::from_str(&id.0)
    {
        r.headers_mut().insert(REQUEST_ID, value);
    }
    res
}

static METRICS: OnceLock<PrometheusHandle> = OnceLock::new();

/// Whether a recorder is installed (metrics are configured on some server of this process).
fn metrics_on() -> bool {
    METRICS.get().is_some()
}

/// Installs the process's Prometheus recorder (once: several servers in one process, as in the
/// tests, share it). Latency histograms have buckets from 1 ms to 10 s.
pub fn install_metrics() -> anyhow::Result<&'static PrometheusHandle> {
    if let Some(handle) = METRICS.get() {
        return Ok(handle);
    }
    let recorder = PrometheusBuilder::new()
        .set_buckets_for_metric(
            Matcher::Suffix("_seconds".into()),
            &[
                0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
            ],
        )?
        .build_recorder();
    let handle = recorder.handle();
    // Another thread may have installed one in between: then that one is used.
    if metrics::set_global_recorder(recorder).is_ok() {
        describe();
        let _ = METRICS.set(handle);
    }
    METRICS
        .get()
        .ok_or_else(|| anyhow::anyhow!("another metrics recorder is installed in this process"))
}

fn describe() {
    metrics::describe_counter!(
        "crm_http_requests_total",
        "HTTP requests by method, route pattern and status"
    );
    metrics::describe_histogram!(
        "crm_http_request_duration_seconds",
        metrics::Unit::Seconds,
        "HTTP request latency by method and route pattern"
    );
    metrics::describe_gauge!("crm_db_pool_connections", "Open database connections");
    metrics::describe_gauge!(
        "crm_db_pool_in_use",
        "Database connections lent to requests or jobs"
    );
    metrics::describe_gauge!(
        "crm_db_pool_waiting",
        "Requests waiting for a database connection"
    );
    metrics::describe_counter!(
        "crm_scheduler_runs_total",
        "Scheduler runs by outcome (ok, failed)"
    );
    metrics::describe_counter!(
        "crm_scheduler_announced_total",
        "Notifications the scheduler created, by kind"
    );
}

/// Who may read `/metrics`: nobody (the default: 404), or whoever sends the configured token as
/// `Authorization: Bearer`.
#[derive(Clone)]
pub struct MetricsAccess {
    /// SHA-256 of the token, compared as digests so the comparison takes the same time however
    /// many leading bytes of a guess are right.
    token_hash: Option<[u8; 32]>,
}

impl MetricsAccess {
    pub fn new(token: Option<&str>) -> MetricsAccess {
        MetricsAccess {
            token_hash: token
                .filter(|t| !t.is_empty())
                .map(|t| Sha256::digest(t.as_bytes()).into()),
        }
    }

    pub fn enabled(&self) -> bool {
        self.token_hash.is_some()
    }
}

/// `GET /metrics`: the Prometheus text format.
pub async fn metrics_endpoint(
    req: HttpRequest,
    access: web::Data<MetricsAccess>,
    state: web::Data<crate::state::AppState>,
) -> Result<HttpResponse, ApiError> {
    let Some(expected) = access.token_hash else {
        return Err(ApiError::NotFound);
    };
    let given = crate::caller::bearer(&req).map(|t| <[u8; 32]>::from(Sha256::digest(t.as_bytes())));
    if given != Some(expected) {
        return Err(ApiError::unauthenticated(
            ErrorCode::InvalidToken,
            msg!("需要监控令牌", "send the metrics token as a bearer token"),
        ));
    }
    let handle = METRICS.get().ok_or(ApiError::NotFound)?;
    let pool = state.db.pool.state();
    metrics::gauge!("crm_db_pool_connections").set(f64::from(pool.connections));
    metrics::gauge!("crm_db_pool_in_use").set(f64::from(
        pool.connections.saturating_sub(pool.idle_connections),
    ));
    handle.run_upkeep();
    Ok(HttpResponse::Ok()
        .insert_header((
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        ))
        .body(handle.render()))
}

/// Counts a request waiting for a database connection while it waits.
pub struct Waiting;

impl Waiting {
    pub fn start() -> Waiting {
        if metrics_on() {
            metrics::gauge!("crm_db_pool_waiting").increment(1.0);
        }
        Waiting
    }
}

impl Drop for Waiting {
    fn drop(&mut self) {
        if metrics_on() {
            metrics::gauge!("crm_db_pool_waiting").decrement(1.0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_plain_id;

    #[test]
    fn only_plain_request_ids_are_taken() {
        assert!(is_plain_id("abc-123"));
        assert!(is_plain_id("0f8e2a7c-1b2d-4e5f-9a8b-7c6d5e4f3a2b"));
        assert!(is_plain_id("lb:17.3_x"));
        assert!(!is_plain_id(""));
        assert!(!is_plain_id("two words"));
        assert!(!is_plain_id("line\nbreak"));
        assert!(!is_plain_id("{\"forged\":1}"));
        assert!(!is_plain_id(&"a".repeat(65)));
    }
}
