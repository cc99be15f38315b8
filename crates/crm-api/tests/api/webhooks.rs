//! Webhooks: registration and its URL rule, signed deliveries to a receiver in this process,
//! retries, nothing for a rolled-back change, and one delivery per event with two workers.

use crate::api_test;
use crate::support::TestApp;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use serde_json::{Value, json};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// What the receiver was sent: the headers it cares about and the body.
#[derive(Debug, Clone)]
pub(crate) struct Received {
    pub event: String,
    pub delivery: String,
    pub signature: String,
    pub body: Vec<u8>,
}

impl Received {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

/// An endpoint in this process: records what it gets, answers 500 to the next `fail` requests.
pub(crate) struct Receiver {
    pub url: String,
    got: Arc<Mutex<Vec<Received>>>,
    fail: Arc<AtomicUsize>,
}

impl Receiver {
    pub async fn start() -> Receiver {
        let got: Arc<Mutex<Vec<Received>>> = Arc::default();
        let fail: Arc<AtomicUsize> = Arc::default();
        let (g, f) = (got.clone(), fail.clone());
        let server = HttpServer::new(move || {
            let (g, f) = (g.clone(), f.clone());
            App::new().default_service(web::to(move |req: HttpRequest, body: web::Bytes| {
                let (g, f) = (g.clone(), f.clone());
                async move {
                    let header = |name: &str| {
                        req.headers()
                            .get(name)
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or_default()
                            .to_string()
                    };
                    g.lock().unwrap().push(Received {
                        event: header("x-crm-event"),
                        delivery: header("x-crm-delivery"),
                        signature: header("x-crm-signature"),
                        body: body.to_vec(),
                    });
                    let failing = f
                        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                        .is_ok();
                    if failing {
                        HttpResponse::InternalServerError().finish()
                    } else {
                        HttpResponse::Ok().finish()
                    }
                }
            }))
        })
        .workers(1)
        .bind(("127.0.0.1", 0))
        .unwrap();
        let port = server.addrs()[0].port();
        actix_web::rt::spawn(server.run());
        Receiver {
            url: format!("http://127.0.0.1:{port}/hooks/crm"),
            got,
            fail,
        }
    }

    pub fn got(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }
}

/// Registers an endpoint for `events` (private networks allowed, the receiver being local).
pub(crate) async fn register(app: &TestApp, url: &str, events: Value) -> Value {
    app.set_settings(json!({"webhooks_allow_private_network": true}))
        .await;
    let admin = app.login("admin").await;
    app.post("/webhooks", &admin, json!({"url": url, "events": events}))
        .await
        .expect(201)
}

pub(crate) async fn deliver(app: &TestApp) -> usize {
    crm_api::webhooks::deliver_due(&app.pool()).await.unwrap()
}

api_test!(
    registration_checks_the_url_and_shows_the_secret_once,
    |app| {
        let admin = app.login("admin").await;
        let gm = app.login("gm").await;
        let body = json!({"url": "https://hooks.example.com/crm", "events": ["customer.created"]});
        assert_eq!(
            app.post("/webhooks", &gm, body).await.problem(403),
            "forbidden"
        );
        for (url, why) in [
            ("http://127.0.0.1:9/x", "loopback"),
            ("http://10.0.0.7/x", "private"),
            (
                "http://169.254.169.254/latest/meta-data",
                "link-local (cloud metadata)",
            ),
            ("ftp://example.com/x", "not http"),
            ("http://user:pw@example.com/x", "credentials in the URL"),
            ("not a url at all", "not a URL"),
        ] {
            let refused = app
                .post(
                    "/webhooks",
                    &admin,
                    json!({"url": url, "events": ["customer.created"]}),
                )
                .await
                .expect(422);
            assert_eq!(
                refused["errors"][0]["code"], "webhook_url_not_allowed",
                "{why}"
            );
            assert_eq!(refused["errors"][0]["field"], "url", "{why}");
        }
        let bad = app
            .post(
                "/webhooks",
                &admin,
                json!({"url": "http://127.0.0.1:9/x", "events": ["customer.exploded"]}),
            )
            .await
            .expect(422);
        assert_eq!(bad["errors"][0]["field"], "events[0]", "{bad}");
        let created = register(
            app,
            "http://127.0.0.1:9/x",
            json!(["customer.created", "order.signed"]),
        )
        .await;
        let secret = created["secret"].as_str().unwrap();
        assert_eq!(secret.len(), 64, "a random secret");
        let id = created["id"].as_i64().unwrap();
        let shown = app
            .get(&format!("/webhooks/{id}"), &admin)
            .await
            .expect(200);
        assert!(shown.get("secret").is_none(), "shown once: {shown}");
        assert_eq!(shown["secret_hint"], format!("…{}", &secret[60..]));
        assert_eq!(shown["events"], json!(["customer.created", "order.signed"]));
        let rotated = app
            .patch(
                &format!("/webhooks/{id}"),
                &admin,
                json!({"rotate_secret": true, "enabled": false, "version": shown["version"]}),
            )
            .await
            .expect(200);
        assert_ne!(rotated["secret"], created["secret"]);
        assert_eq!(rotated["enabled"], false);
        // Again refused once the company no longer allows private networks.
        app.set_settings(json!({"webhooks_allow_private_network": false}))
            .await;
        let refused = app
            .patch(
                &format!("/webhooks/{id}"),
                &admin,
                json!({"url": "http://192.168.1.20/x", "version": rotated["version"]}),
            )
            .await
            .expect(422);
        assert_eq!(refused["errors"][0]["code"], "webhook_url_not_allowed");
        app.delete(&format!("/webhooks/{id}"), &admin)
            .await
            .expect(204);
        assert_eq!(
            app.get(&format!("/webhooks/{id}"), &admin)
                .await
                .problem(404),
            "not_found"
        );
    }
);

api_test!(events_arrive_signed_and_a_failure_is_retried, |app| {
    let receiver = Receiver::start().await;
    let all: Vec<&str> = crm_domain::api::WebhookEvent::ALL
        .iter()
        .map(|e| e.as_str())
        .collect();
    let hook = register(app, &receiver.url, json!(all)).await;
    let secret = hook["secret"].as_str().unwrap().to_string();
    let admin = app.login("admin").await;
    let a = app.login("s1_a").await;

    // The endpoint fails the first time.
    receiver.fail.store(1, Ordering::SeqCst);
    let c = app
        .post("/customers", &a, json!({"name": "淄博齐都陶瓷有限公司"}))
        .await
        .expect(201);
    assert_eq!(deliver(app).await, 1);
    assert_eq!(deliver(app).await, 0, "not retried before its time");
    let log = app
        .get(&format!("/webhooks/{}/deliveries", hook["id"]), &admin)
        .await
        .expect(200);
    let first = &log["items"][0];
    assert_eq!(first["status"], "pending");
    assert_eq!(first["attempts"][0]["status_code"], 500);
    assert!(first["next_attempt_at"].is_string());
    // "Send again" makes it due now; it goes through.
    app.post(
        &format!(
            "/webhooks/{}/deliveries/{}/redeliver",
            hook["id"], first["id"]
        ),
        &admin,
        json!({}),
    )
    .await
    .expect(200);
    assert_eq!(deliver(app).await, 1);
    let got = receiver.got();
    assert_eq!(got.len(), 2);
    for r in &got {
        assert_eq!(r.event, "customer.created");
        assert_eq!(r.signature, crm_api::webhooks::signature(&secret, &r.body));
        assert_ne!(
            r.signature,
            crm_api::webhooks::signature("another secret", &r.body)
        );
    }
    assert_eq!(
        got[0].body, got[1].body,
        "the same event, the same id, on a retry"
    );
    assert_eq!(got[0].delivery, got[1].delivery);
    let payload = got[1].json();
    assert_eq!(payload["event"], "customer.created");
    assert_eq!(payload["data"]["id"], c["id"]);
    assert_eq!(payload["data"]["changes"]["name"], "淄博齐都陶瓷有限公司");
    assert!(payload["occurred_at"].is_string() && payload["id"].is_i64());
    let log = app
        .get(&format!("/webhooks/{}/deliveries", hook["id"]), &admin)
        .await
        .expect(200);
    assert_eq!(log["items"][0]["status"], "delivered");
    let codes: Vec<&Value> = log["items"][0]["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| &x["status_code"])
        .collect();
    assert_eq!(codes, [&json!(200), &json!(500)], "newest first");

    // More of what happens: a contact (and the level it moves), a release to the pool.
    let kind = app.get("/dictionaries/activity_type", &a).await.expect(200)[0]["id"].clone();
    app.post(
        "/activities",
        &a,
        json!({"customer_id": c["id"], "type_id": kind, "occurred_at": chrono::Utc::now(), "summary": "电话沟通"}),
    )
    .await
    .expect(201);
    app.post(
        &format!("/customers/{}/release", c["id"]),
        &a,
        json!({"reason": "无预算"}),
    )
    .await
    .expect(200);
    while deliver(app).await > 0 {}
    let mut events: Vec<String> = receiver
        .got()
        .iter()
        .skip(2)
        .map(|r| r.event.clone())
        .collect();
    events.sort();
    assert_eq!(
        events,
        [
            "activity.created",
            "customer.level_changed",
            "customer.transferred"
        ]
    );

    // A delivery that keeps failing gives up 24 hours after its event.
    receiver.fail.store(usize::MAX, Ordering::SeqCst);
    app.post("/customers", &a, json!({"name": "滨州黄河渔具有限公司"}))
        .await
        .expect(201);
    assert_eq!(deliver(app).await, 1);
    let log = app
        .get(&format!("/webhooks/{}/deliveries", hook["id"]), &admin)
        .await
        .expect(200);
    let id = log["items"][0]["id"].as_i64().unwrap();
    let db = app.pool();
    let mut conn = db.get().unwrap();
    let claimed = crm_db::webhooks::claim_due(
        &mut conn,
        crm_db::now() + chrono::Duration::hours(25),
        10,
        chrono::Duration::seconds(60),
    )
    .unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].delivery_id, id);
    let attempt = crm_db::webhooks::Attempt {
        status_code: Some(500),
        latency_ms: 3,
        error: None,
    };
    let late = crm_db::now() + chrono::Duration::hours(25);
    // A claim whose lease ran out records its attempt but no longer decides the delivery's state.
    let stale =
        crm_db::webhooks::record_attempt(&mut conn, id, claimed[0].claim - 1, late, &attempt);
    assert_eq!(stale.unwrap(), None);
    let failed = crm_db::webhooks::record_attempt(&mut conn, id, claimed[0].claim, late, &attempt)
        .unwrap()
        .unwrap();
    assert_eq!(failed, crm_domain::api::DeliveryStatus::Failed);
    assert_eq!(crm_db::webhooks::backoff(1), chrono::Duration::seconds(30));
    assert_eq!(crm_db::webhooks::backoff(3), chrono::Duration::minutes(2));
    assert_eq!(crm_db::webhooks::backoff(20), chrono::Duration::hours(1));
});

api_test!(a_change_rolled_back_sends_nothing, |app| {
    let receiver = Receiver::start().await;
    register(app, &receiver.url, json!(["customer.created"])).await;
    let a = app.login("s1_a").await;
    app.post(
        "/customers",
        &a,
        json!({"name": "东营黄河口湿地旅游有限公司"}),
    )
    .await
    .expect(201);
    // Refused by customer protection: rolled back, nothing announced.
    app.post(
        "/customers",
        &a,
        json!({"name": "东营黄河口湿地旅游有限公司"}),
    )
    .await
    .expect(409);
    // An import's dry run makes its rows and rolls them back.
    let dry = app
        .form(
            "/imports",
            &a,
            &[("kind", "customers".into()), ("dry_run", "true".into())],
            Some(("客户.csv", "客户名称\n日照港湾物流有限公司\n".into())),
        )
        .await
        .expect(200);
    assert_eq!(dry["valid"], 1);
    let db = app.pool();
    let pending = crm_db::webhooks::pending(&mut db.get().unwrap()).unwrap();
    assert_eq!(pending, 1, "only the committed create");
    while deliver(app).await > 0 {}
    assert_eq!(receiver.got().len(), 1);
});

api_test!(two_workers_deliver_each_event_exactly_once, |app| {
    let receiver = Receiver::start().await;
    register(app, &receiver.url, json!(["customer.created"])).await;
    let a = app.login("s1_a").await;
    let n = 45;
    for k in 0..n {
        app.post(
            "/customers",
            &a,
            json!({"name": format!("并发推送测试{k}号有限公司")}),
        )
        .await
        .expect(201);
    }
    let (one, two) = (app.pool(), app.pool());
    loop {
        let (x, y) = tokio::join!(
            crm_api::webhooks::deliver_due(&one),
            crm_api::webhooks::deliver_due(&two)
        );
        if x.unwrap() + y.unwrap() == 0 {
            break;
        }
    }
    let got = receiver.got();
    let mut ids: Vec<i64> = got
        .iter()
        .map(|r| r.json()["id"].as_i64().unwrap())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!((got.len(), ids.len()), (n, n), "each event once");
});

api_test!(every_event_is_announced_by_what_records_it, |app| {
    let all: Vec<&str> = crm_domain::api::WebhookEvent::ALL
        .iter()
        .map(|e| e.as_str())
        .collect();
    // Nobody listens at this address: the events wait in the outbox, which is what is checked.
    let hook = register(app, "http://127.0.0.1:9/none", json!(all)).await;
    let admin = app.login("admin").await;
    let a = app.login("s2_a").await;
    // A signed order (order.signed, and the level it moves), paid and a payment reversed.
    let o = crate::orders::signed_order(
        app,
        "s2_a",
        "潍坊鸢都风筝文化有限公司",
        "3000.00",
        crate::support::company_day(10),
    )
    .await;
    let fin = app.login("fin_a").await;
    let method = app
        .get("/dictionaries/payment_method", &fin)
        .await
        .expect(200)[0]["id"]
        .clone();
    let r = app
        .post(
            &format!("/orders/{}/receipts", o["id"]),
            &fin,
            json!({"amount": "1000.00", "received_on": crate::support::company_day(0), "method_id": method}),
        )
        .await
        .expect(201);
    app.post(
        &format!("/receipts/{}/reverse", r["id"]),
        &fin,
        json!({"reason": "录错"}),
    )
    .await
    .expect(201);
    // A deal won, another lost.
    let stage = app
        .get("/dictionaries/opportunity_stage", &a)
        .await
        .expect(200)[0]["id"]
        .clone();
    let c = o["customer"]["id"].clone();
    for action in ["win", "lose"] {
        let d = app
            .post("/opportunities", &a, json!({"customer_id": c, "title": format!("续费{action}"), "stage_id": stage, "amount": "100"}))
            .await
            .expect(201);
        let mut body = json!({"version": d["version"]});
        if action == "lose" {
            body["lost_reason"] = json!("预算不足");
        }
        app.post(&format!("/opportunities/{}/{action}", d["id"]), &a, body)
            .await
            .expect(200);
    }
    // A ticket opened and closed.
    let cs = app.login("cs_a").await;
    let t = app
        .post(
            "/tickets",
            &cs,
            json!({"customer_id": c, "type": "complaint", "subject": "推广效果差"}),
        )
        .await
        .expect(201);
    for (action, extra) in [
        ("start", json!({})),
        ("resolve", json!({"resolution": "已调整关键词"})),
        ("close", json!({"satisfaction": 4})),
    ] {
        let current = app
            .get(&format!("/tickets/{}", t["id"]), &cs)
            .await
            .expect(200);
        let mut body = extra;
        body["version"] = current["version"].clone();
        app.post(&format!("/tickets/{}/{action}", t["id"]), &cs, body)
            .await
            .expect(200);
    }
    // A change of a customer, and a transfer.
    let customer = app.get(&format!("/customers/{c}"), &a).await.expect(200);
    app.patch(
        &format!("/customers/{c}"),
        &a,
        json!({"notes": "老客户", "version": customer["version"]}),
    )
    .await
    .expect(200);
    let from = app.user_id(&admin, "s2_a").await;
    let to = app.user_id(&admin, "s2_mgr").await;
    app.post(
        "/customer-transfers",
        &admin,
        json!({"from_user_id": from, "to_user_id": to, "customer_ids": [c], "reason": "调整"}),
    )
    .await
    .expect(201);

    let log = app
        .get(
            &format!("/webhooks/{}/deliveries?limit=200", hook["id"]),
            &admin,
        )
        .await
        .expect(200);
    let mut seen: Vec<String> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["event"].as_str().unwrap().to_string())
        .collect();
    seen.sort();
    seen.dedup();
    let mut expected: Vec<String> = all.iter().map(|e| e.to_string()).collect();
    expected.retain(|e| e != "activity.created");
    expected.sort();
    assert_eq!(
        seen, expected,
        "every event but activities (checked with the receiver)"
    );
});

api_test!(a_disabled_endpoint_is_sent_nothing_until_enabled, |app| {
    let receiver = Receiver::start().await;
    let hook = register(app, &receiver.url, json!(["customer.created"])).await;
    let admin = app.login("admin").await;
    let off = app
        .patch(
            &format!("/webhooks/{}", hook["id"]),
            &admin,
            json!({"enabled": false, "version": hook["version"]}),
        )
        .await
        .expect(200);
    let a = app.login("s1_a").await;
    app.post("/customers", &a, json!({"name": "聊城水城运输有限公司"}))
        .await
        .expect(201);
    assert_eq!(
        deliver(app).await,
        0,
        "nothing is announced to a disabled endpoint"
    );
    app.patch(
        &format!("/webhooks/{}", hook["id"]),
        &admin,
        json!({"enabled": true, "version": off["version"]}),
    )
    .await
    .expect(200);
    app.post("/customers", &a, json!({"name": "德州扒鸡食品有限公司"}))
        .await
        .expect(201);
    assert_eq!(deliver(app).await, 1);
    assert_eq!(receiver.got().len(), 1);
});
