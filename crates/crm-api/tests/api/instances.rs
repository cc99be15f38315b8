//! Several servers on one PostgreSQL, as behind a load balancer: nothing that must hold across
//! requests lives in one process. A session made on one works on the other; a refresh token
//! presented to both at once rotates once and ends the session once; a user disabled on one is
//! refused on the other within the caller cache's lifetime; login guesses count on both;
//! an idempotency key holds across them; and their schedulers announce each reminder once.

use crate::support::TestApp;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// How long a server may keep using what it resolved of a caller (see README, "Several servers").
const CALLER_CACHE: Duration = Duration::from_secs(5);

#[actix_web::test]
async fn two_servers_on_one_postgresql_behave_as_one() {
    let Some(a) = TestApp::spawn("postgres").await else {
        return;
    };
    let b = TestApp::on_database(a.db.again()).await;

    // A session made on one works on the other.
    let session = a.login_full("s1_a").await;
    let access = session["access_token"].as_str().unwrap().to_string();
    assert_eq!(b.get("/me", &access).await.expect(200)["username"], "s1_a");

    // A refresh token presented to both at once: one rotation, and the double use ends the
    // session (on both), once.
    let refresh = json!({"refresh_token": session["refresh_token"]});
    let (ra, rb) = futures_util::future::join(
        a.send(
            reqwest::Method::POST,
            "/auth/refresh",
            None,
            Some(refresh.clone()),
        ),
        b.send(
            reqwest::Method::POST,
            "/auth/refresh",
            None,
            Some(refresh.clone()),
        ),
    )
    .await;
    let mut statuses = [ra.status.as_u16(), rb.status.as_u16()];
    statuses.sort();
    assert_eq!(statuses, [200, 401], "{} / {}", ra.body, rb.body);
    let (rotated, refused) = if ra.status == 200 { (ra, rb) } else { (rb, ra) };
    assert_eq!(refused.body["code"], "refresh_token_reused");
    let next = json!({"refresh_token": rotated.body["refresh_token"]});
    for server in [&a, &b] {
        assert_eq!(
            server
                .send(
                    reqwest::Method::POST,
                    "/auth/refresh",
                    None,
                    Some(next.clone())
                )
                .await
                .problem(401),
            "invalid_token"
        );
    }
    refused_within(&b, rotated.body["access_token"].as_str().unwrap()).await;

    // A user disabled on one is refused on the other within the cache's lifetime.
    let peer = b.login("s1_b").await;
    b.get("/me", &peer).await.expect(200);
    let admin = a.login("admin").await;
    let s1_b = a.user_id(&admin, "s1_b").await;
    a.post(&format!("/users/{s1_b}/disable"), &admin, json!({}))
        .await
        .expect(200);
    refused_within(&b, &peer).await;

    // Login guesses count on both servers: the lock comes after the same number of failures.
    assert_eq!(crm_db::auth::FREE_FAILURES, 5);
    for i in 0..crm_db::auth::FREE_FAILURES {
        let server = if i % 2 == 0 { &a } else { &b };
        assert_eq!(
            server.login_res("s2_mgr", "bad-guess").await.problem(401),
            "invalid_credentials"
        );
    }
    // (Split three and two: counted per process, neither would lock.) The next guess locks the
    // name on both, so that even the right password waits.
    assert_eq!(
        b.login_res("s2_mgr", "bad-guess").await.problem(429),
        "too_many_requests"
    );
    assert_eq!(
        a.login_res("s2_mgr", "demo1234").await.problem(429),
        "too_many_requests"
    );

    // An idempotency key holds across servers: the retry on the other is the same answer.
    let rep = a.login("s2_a").await;
    let create = |server: &TestApp| {
        let req = server
            .client
            .post(format!("{}/customers", server.base))
            .bearer_auth(&rep)
            .header("idempotency-key", "two-servers-1")
            .json(&json!({"name": "连云港双机测试有限公司"}));
        async move { TestApp::read(req.send().await.unwrap()).await }
    };
    let first = create(&a).await;
    assert_eq!(first.status.as_u16(), 201, "{}", first.body);
    let again = create(&b).await;
    assert_eq!(again.status.as_u16(), 201, "{}", again.body);
    assert_eq!(again.body["id"], first.body["id"]);

    // A reminder due today, and both schedulers running at once: one notification.
    let rep = a.login("s1_a").await;
    let customer = a
        .post("/customers", &rep, json!({"name": "盐城双机提醒有限公司"}))
        .await
        .expect(201);
    let types = a.get("/dictionaries/activity_type", &rep).await.expect(200);
    a.post(
        "/activities",
        &rep,
        json!({"customer_id": customer["id"], "type_id": types[0]["id"], "occurred_at": chrono::Utc::now(),
               "summary": "约好今天回电", "next_step_on": crate::support::company_day(0), "next_step_note": "回电"}),
    )
    .await
    .expect(201);
    let before = reminder_notices(&a, &rep).await;
    let (pa, pb) = (a.pool(), b.pool());
    let runs = [pa, pb].map(|db| {
        std::thread::spawn(move || {
            crm_api::scheduler::run_once(&db, None, None, chrono::Utc::now())
                .unwrap()
                .announced
                .reminders_due
        })
    });
    let announced: usize = runs.into_iter().map(|r| r.join().unwrap()).sum();
    assert_eq!(announced, 1);
    assert_eq!(reminder_notices(&a, &rep).await, before + 1);
}

/// Waits until `token` is refused on `server`, at most the caller cache's lifetime (and a little).
async fn refused_within(server: &TestApp, token: &str) {
    let started = Instant::now();
    loop {
        let res = server.get("/me", token).await;
        if res.status == 401 {
            return;
        }
        assert_eq!(res.status, 200, "{}", res.body);
        assert!(
            started.elapsed() < CALLER_CACHE + Duration::from_secs(1),
            "still accepted after {:?}",
            started.elapsed()
        );
        actix_web::rt::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn reminder_notices(app: &TestApp, token: &str) -> usize {
    let list: Value = app.get("/notifications?limit=100", token).await.expect(200);
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "reminder_due")
        .count()
}
