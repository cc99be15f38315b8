//! What a careful operator checks before exposing the server: security headers on every answer,
//! a request id in each answer and problem, limits on bodies and on one credential's concurrent
//! requests (as problems, never a dropped connection or a 500), CORS off unless configured,
//! liveness and readiness, and metrics behind their token.

use crate::support::TestApp;
use crm_api::config::ServeConfig;
use reqwest::Method;
use serde_json::{Value, json};
use std::io::{Read, Write};
use std::time::Duration;

const BACKENDS: [&str; 2] = ["sqlite", "postgres"];

/// Runs `check` on a server of each available backend, configured by `adjust`.
async fn on_each_backend<F, Fut>(adjust: fn(&mut ServeConfig), check: F)
where
    F: Fn(TestApp) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for backend in BACKENDS {
        if let Some(app) = TestApp::spawn_with(backend, adjust).await {
            check(app).await;
        }
    }
}

fn root(app: &TestApp) -> String {
    app.base.replace("/api/v1", "")
}

#[actix_web::test]
async fn api_answers_carry_security_headers_and_a_request_id() {
    on_each_backend(
        |_| {},
        |app| async move {
            let token = app.login("s1_a").await;
            let res = app
                .client
                .get(format!("{}/customers?limit=1", app.base))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 200);
            let h = res.headers();
            assert_eq!(
                h["cache-control"], "no-store",
                "API answers are never cached"
            );
            assert_eq!(h["x-content-type-options"], "nosniff");
            assert_eq!(h["referrer-policy"], "no-referrer");
            let generated = h["x-request-id"].to_str().unwrap().to_string();
            assert_eq!(
                generated.len(),
                36,
                "a UUID when the caller sent none: {generated}"
            );

            // A caller's own id is echoed, and a problem carries it in its body too.
            let res = app
                .client
                .get(format!("{}/customers/999999999", app.base))
                .bearer_auth(&token)
                .header("x-request-id", "trace-42.a")
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 404);
            assert_eq!(res.headers()["x-request-id"], "trace-42.a");
            assert_eq!(res.headers()["cache-control"], "no-store");
            let problem: Value = res.json().await.unwrap();
            assert_eq!(problem["request_id"], "trace-42.a");
            assert_eq!(problem["code"], "not_found");

            // An id that could forge a log line is replaced, not echoed.
            let res = app
                .client
                .get(format!("{}/me", app.base))
                .header("x-request-id", "evil id\" injected=1")
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 401);
            let id = res.headers()["x-request-id"].to_str().unwrap().to_string();
            assert_ne!(id, "evil id\" injected=1");
            let problem: Value = res.json().await.unwrap();
            assert_eq!(problem["request_id"], id.as_str());
        },
    )
    .await;
}

#[actix_web::test]
async fn liveness_and_readiness() {
    on_each_backend(
        |_| {},
        |app| async move {
            let probe = |path: &'static str| app.send(Method::GET, path, None, None);
            probe("/health/live").await.expect(200);
            let body = probe("/health/ready").await.expect(200);
            assert_eq!(body["status"], "ok");
            assert_eq!(body["migrations"], "current");

            // A migration reverted behind the server's back: still alive, no longer ready.
            let db = app.pool();
            let mut conn = db.get().unwrap();
            crm_db::revert_last_migration(&mut conn).unwrap();
            probe("/health/live").await.expect(200);
            assert_eq!(probe("/health/ready").await.problem(503), "unavailable");
            crm_db::run_migrations(&mut conn).unwrap();
            probe("/health/ready").await.expect(200);
        },
    )
    .await;
}

#[actix_web::test]
async fn an_oversized_body_is_refused_with_413_and_nothing_is_created() {
    on_each_backend(
        |_| {},
        |app| async move {
            let token = app.login("s1_a").await;
            let before = app
                .get("/customers?limit=200&q=过大", &token)
                .await
                .expect(200);
            let huge = json!({"name": "过大的客户", "address": "x".repeat(1_100_000)});
            let res = app.post("/customers", &token, huge).await;
            assert_eq!(res.problem(413), "payload_too_large");
            let after = app
                .get("/customers?limit=200&q=过大", &token)
                .await
                .expect(200);
            assert_eq!(before["items"], after["items"]);
            // Under the limit, the same endpoint answers as usual (here: the field is too long).
            let res = app
                .post(
                    "/customers",
                    &token,
                    json!({"name": "过大的客户", "address": "x".repeat(600_000)}),
                )
                .await;
            assert_eq!(res.problem(422), "validation_failed");
        },
    )
    .await;
}

/// Sends the head of a POST with a body that never comes, and keeps the connection open.
fn stalled_post(base: &str, path: &str, token: &str) -> std::net::TcpStream {
    let addr = base
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap()
        .to_string();
    let mut stream = std::net::TcpStream::connect(&addr).unwrap();
    write!(
        stream,
        "POST /api/v1{path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"name\":"
    )
    .unwrap();
    stream.flush().unwrap();
    stream
}

fn short_limits(c: &mut ServeConfig) {
    c.max_requests_per_token = 1;
    c.body_timeout = 2;
}

#[actix_web::test]
async fn one_credential_cannot_hold_more_requests_than_its_share_and_a_stalled_body_times_out() {
    on_each_backend(short_limits, |app| async move {
        let token = app.login("s1_a").await;
        let other = app.login("s1_b").await;
        let mut stalled = stalled_post(&app.base, "/customers", &token);
        // The stalled request holds the token's only slot: the next one is refused, politely.
        let mut refused = false;
        for _ in 0..50 {
            let res = app.get("/me", &token).await;
            if res.status == 429 {
                assert_eq!(res.headers["retry-after"], "1");
                assert_eq!(res.problem(429), "too_many_requests");
                refused = true;
                break;
            }
            actix_web::rt::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(
            refused,
            "a second concurrent request of the token is refused"
        );
        // Someone else is not affected.
        app.get("/me", &other).await.expect(200);

        // The body never completes: 408 after the timeout, as a problem.
        stalled
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let mut answer = Vec::new();
        let mut buf = [0u8; 4096];
        while !String::from_utf8_lossy(&answer).contains("\r\n\r\n{") {
            let n = stalled.read(&mut buf).unwrap();
            assert!(n > 0, "the server answers before closing");
            answer.extend_from_slice(&buf[..n]);
        }
        let text = String::from_utf8_lossy(&answer);
        assert!(text.starts_with("HTTP/1.1 408"), "{text}");
        assert!(text.contains("request_timeout"), "{text}");
        drop(stalled);
        // The slot is free again.
        app.get("/me", &token).await.expect(200);
    })
    .await;
}

#[actix_web::test]
async fn cors_is_off_by_default_and_follows_the_allow_list() {
    async fn preflight(app: &TestApp, origin: &str) -> reqwest::Response {
        app.client
            .request(reqwest::Method::OPTIONS, format!("{}/customers", app.base))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "authorization, content-type, idempotency-key",
            )
            .send()
            .await
            .unwrap()
    }
    // Off: no browser on another origin is told it may call.
    on_each_backend(
        |_| {},
        |app| async move {
            let res = preflight(&app, "https://tools.example.cn").await;
            assert!(res.headers().get("access-control-allow-origin").is_none());
        },
    )
    .await;
    on_each_backend(
        |c| c.cors_origins = vec!["https://tools.example.cn".into()],
        |app| async move {
            let res = preflight(&app, "https://tools.example.cn").await;
            assert!(res.status().is_success(), "{}", res.status());
            assert_eq!(
                res.headers()["access-control-allow-origin"],
                "https://tools.example.cn"
            );
            let allowed = res.headers()["access-control-allow-headers"]
                .to_str()
                .unwrap()
                .to_ascii_lowercase();
            assert!(allowed.contains("idempotency-key"), "{allowed}");
            let res = preflight(&app, "https://evil.example").await;
            assert!(res.headers().get("access-control-allow-origin").is_none());
            // A real call from the allowed origin can read the request id.
            let token = app.login("s1_a").await;
            let res = app
                .client
                .get(format!("{}/me", app.base))
                .bearer_auth(&token)
                .header("origin", "https://tools.example.cn")
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 200);
            assert_eq!(
                res.headers()["access-control-allow-origin"],
                "https://tools.example.cn"
            );
            let exposed = res.headers()["access-control-expose-headers"]
                .to_str()
                .unwrap()
                .to_ascii_lowercase();
            assert!(exposed.contains("x-request-id"), "{exposed}");
        },
    )
    .await;
}

#[actix_web::test]
async fn a_bad_cors_origin_stops_the_start_with_a_clear_message() {
    let Some(db) = crm_db::testing::TestDb::of("sqlite") else {
        return;
    };
    for bad in [
        "*",
        "tools.example.cn",
        "https://tools.example.cn/path",
        "https://a b",
    ] {
        let mut config = ServeConfig::for_tests(&db.url);
        config.cors_origins = vec![bad.into()];
        let err = match crm_api::start(config).await {
            Ok(_) => panic!("{bad} was accepted"),
            Err(e) => e.to_string(),
        };
        assert!(err.contains("CRM_CORS_ORIGINS"), "{bad}: {err}");
    }
}

#[actix_web::test]
async fn metrics_are_off_by_default_and_behind_their_token() {
    on_each_backend(
        |_| {},
        |app| async move {
            let res = app
                .client
                .get(format!("{}/metrics", root(&app)))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 404);
        },
    )
    .await;
    on_each_backend(
        |c| c.metrics_token = Some("scrape-secret".into()),
        |app| async move {
            let token = app.login("s1_a").await;
            app.get("/customers/999999999", &token).await.problem(404);
            let url = format!("{}/metrics", root(&app));
            let res = app.client.get(&url).send().await.unwrap();
            assert_eq!(res.status(), 401);
            let res = app
                .client
                .get(&url)
                .bearer_auth("wrong")
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 401);
            let res = app
                .client
                .get(&url)
                .bearer_auth("scrape-secret")
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 200);
            assert!(
                res.headers()["content-type"]
                    .to_str()
                    .unwrap()
                    .starts_with("text/plain")
            );
            let text = res.text().await.unwrap();
            // The route's pattern, never the path with its id.
            assert!(
                text.contains("route=\"/api/v1/customers/{id}\"")
                    && text.contains("status=\"404\""),
                "{text}"
            );
            assert!(!text.contains("customers/999999999"), "{text}");
            assert!(
                text.contains("crm_http_request_duration_seconds_bucket"),
                "{text}"
            );
            assert!(text.contains("crm_db_pool_connections"), "{text}");
        },
    )
    .await;
}

/// PostgreSQL going away under the server (a restart, a failover): every pooled connection cut
/// is replaced by itself on the next request; while the database refuses connections every answer
/// is 503 `database_unavailable` with `Retry-After` (never a 500, never the driver's words), and
/// the server serves again as soon as it is back.
#[actix_web::test]
async fn a_lost_database_is_503_database_unavailable_and_the_server_reconnects_by_itself() {
    use diesel::{Connection, RunQueryDsl};
    let Some(app) = TestApp::spawn_with("postgres", |c| c.database.wait_seconds = 1.0).await else {
        return;
    };
    let rep = app.login("s1_a").await;
    app.get("/customers?limit=5", &rep).await.expect(200);
    let admin_url = std::env::var("CRM_TEST_POSTGRES_URL").unwrap();
    let name = app
        .db
        .url
        .rsplit('/')
        .next()
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_string();
    let mut admin = diesel::PgConnection::establish(&admin_url).unwrap();
    let mut admin_sql = |sql: String| diesel::sql_query(sql).execute(&mut admin).unwrap();
    let cut_all =
        format!("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'");

    // Every connection of the pool cut at once, as a restart of PostgreSQL does.
    assert!(admin_sql(cut_all.clone()) > 0);
    app.get("/customers?limit=5", &rep).await.expect(200);
    app.post("/customers", &rep, json!({"name": "断线之后新建的客户"}))
        .await
        .expect(201);

    // The database refusing connections.
    admin_sql(format!("ALTER DATABASE \"{name}\" ALLOW_CONNECTIONS false"));
    admin_sql(cut_all);
    for res in [
        app.get("/customers?limit=5", &rep).await,
        app.get("/orders?limit=5", &rep).await,
        app.post("/customers", &rep, json!({"name": "宕机时新建"}))
            .await,
        app.send(Method::GET, "/health/ready", None, None).await,
    ] {
        assert_eq!(
            res.headers.get("retry-after").map(|v| v.to_str().unwrap()),
            Some("2")
        );
        let text = res.body.to_string();
        assert!(!text.contains("accepting connections"), "{text}");
        assert_eq!(res.problem(503), "database_unavailable");
    }
    app.send(Method::GET, "/health/live", None, None)
        .await
        .expect(200);

    admin_sql(format!("ALTER DATABASE \"{name}\" ALLOW_CONNECTIONS true"));
    let back = std::time::Instant::now();
    loop {
        let res = app.get("/customers?limit=5", &rep).await;
        if res.status == 200 {
            break;
        }
        assert_eq!(res.problem(503), "database_unavailable");
        assert!(
            back.elapsed() < Duration::from_secs(10),
            "the server did not come back"
        );
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    // Nothing was created while it was down.
    let found = app.get("/customers?q=宕机时新建", &rep).await.expect(200);
    assert_eq!(found["items"].as_array().unwrap().len(), 0);
}
