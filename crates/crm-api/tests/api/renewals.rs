//! The renewal risk list: who is in it (service ending within the window, not renewed, within the
//! caller's scope), each part of the score against the records, and the order.

use crate::api_test;
use crate::orders::{plan, product};
use crate::support::{TestApp, company_day as day};
use serde_json::{Value, json};

/// A customer of `owner` with a signed order whose service ends `ends_in` days from today.
async fn ending(
    app: &TestApp,
    owner: &str,
    name: &str,
    product: i64,
    ends_in: i64,
) -> (Value, Value) {
    let t = app.login(owner).await;
    let c = app
        .post("/customers", &t, json!({"name": name}))
        .await
        .expect(201);
    let o = app
        .post(
            "/orders",
            &t,
            json!({"customer_id": c["id"], "service_start": day(ends_in - 364), "service_end": day(ends_in),
                   "lines": [{"product_id": product, "quantity": 1, "unit_price": "1200"}]}),
        )
        .await
        .expect(201);
    let o = app
        .post(
            &format!("/orders/{}/sign", o["id"]),
            &t,
            json!({"version": o["version"], "signed_on": day(-40)}),
        )
        .await
        .expect(200);
    (c, o)
}

fn names(page: &Value) -> Vec<&str> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["customer"]["name"].as_str().unwrap())
        .collect()
}

api_test!(renewal_risk_ranks_who_to_call_first_within_scope, |app| {
    let p = product(app, "RNW", "1200.00", Some(12)).await;
    // 甲: never contacted, money overdue, a complaint open, a deal lost last month.
    let (a, a_order) = ending(app, "s1_a", "甲续费风险测试有限公司", p, 30).await;
    let s1 = app.login("s1_a").await;
    plan(app, &s1, &a_order, &[(day(-5), "1200")]).await;
    let cs = app.login("cs_a").await;
    app.post(
        "/tickets",
        &cs,
        json!({"customer_id": a["id"], "type": "complaint", "subject": "排名掉了"}),
    )
    .await
    .expect(201);
    let stage = app
        .get("/dictionaries/opportunity_stage", &s1)
        .await
        .expect(200)[0]["id"]
        .clone();
    let deal = app
        .post(
            "/opportunities",
            &s1,
            json!({"customer_id": a["id"], "title": "加购", "stage_id": stage, "amount": "500"}),
        )
        .await
        .expect(201);
    app.post(
        &format!("/opportunities/{}/lose", deal["id"]),
        &s1,
        json!({"version": deal["version"], "lost_reason": "预算砍了"}),
    )
    .await
    .expect(200);
    // 乙: contacted today, nothing else.
    let (b, _) = ending(app, "s1_a", "乙续费风险测试有限公司", p, 60).await;
    let kind = app
        .get("/dictionaries/activity_type", &s1)
        .await
        .expect(200)[0]["id"]
        .clone();
    app.post(
        "/activities",
        &s1,
        json!({"customer_id": b["id"], "type_id": kind, "occurred_at": chrono::Utc::now(), "summary": "续费沟通"}),
    )
    .await
    .expect(201);
    // 丙: renewed already (a later signed order runs past the end; a draft alone would not do);
    // 丁: ends after the window.
    let (c, _) = ending(app, "s1_a", "丙续费风险测试有限公司", p, 20).await;
    let renewal = app
        .post(
            "/orders",
            &s1,
            json!({"customer_id": c["id"], "service_start": day(21), "service_end": day(385),
                   "lines": [{"product_id": p, "quantity": 1, "unit_price": "1200"}]}),
        )
        .await
        .expect(201);
    let listed = app.get("/reports/renewal-risk", &s1).await.expect(200);
    assert!(
        names(&listed).contains(&"丙续费风险测试有限公司"),
        "a draft renews nothing"
    );
    app.post(
        &format!("/orders/{}/sign", renewal["id"]),
        &s1,
        json!({"version": renewal["version"]}),
    )
    .await
    .expect(200);
    ending(app, "s1_a", "丁续费风险测试有限公司", p, 120).await;
    // 戊: another department's.
    ending(app, "s2_a", "戊续费风险测试有限公司", p, 10).await;
    // 己 (a peer's): its order ending in 15 days is renewed by one that ends in 50 days, within the
    // window and not renewed itself: the customer is listed with that later order.
    let (f, _) = ending(app, "s1_b", "己续费风险测试有限公司", p, 15).await;
    let s1b = app.login("s1_b").await;
    let next = app
        .post(
            "/orders",
            &s1b,
            json!({"customer_id": f["id"], "service_start": day(16), "service_end": day(50),
                   "lines": [{"product_id": p, "quantity": 1, "unit_price": "1200"}]}),
        )
        .await
        .expect(201);
    app.post(
        &format!("/orders/{}/sign", next["id"]),
        &s1b,
        json!({"version": next["version"]}),
    )
    .await
    .expect(200);
    let peer = app.get("/reports/renewal-risk", &s1b).await.expect(200);
    assert_eq!(names(&peer), ["己续费风险测试有限公司"], "{peer}");
    assert_eq!(peer["items"][0]["order"]["id"], next["id"]);
    assert_eq!(peer["items"][0]["days_left"], 50);

    let page = app.get("/reports/renewal-risk", &s1).await.expect(200);
    assert_eq!(
        names(&page),
        ["甲续费风险测试有限公司", "乙续费风险测试有限公司"],
        "{page}"
    );
    let first = &page["items"][0];
    let parts = &first["parts"];
    assert_eq!(parts["days_since_contact"], Value::Null);
    assert_eq!(parts["contact_points"], 30);
    assert_eq!(parts["overdue"], "1200.00");
    assert_eq!(parts["overdue_points"], 25);
    assert_eq!(parts["open_complaints"], 1);
    assert_eq!(parts["complaint_points"], 10);
    assert_eq!(parts["lost_deal_on"], json!(day(0)));
    assert_eq!(parts["lost_deal_points"], 13);
    assert_eq!(first["score"], 78);
    assert_eq!(first["days_left"], 30);
    assert_eq!(first["order"]["id"], a_order["id"]);
    let second = &page["items"][1];
    assert_eq!(second["parts"]["days_since_contact"], 0);
    assert_eq!(second["score"], 0);
    // A wider window takes 丁 in; paging walks them all once.
    let wide = app
        .get("/reports/renewal-risk?within_days=150&limit=1", &s1)
        .await
        .expect(200);
    assert_eq!(wide["items"].as_array().unwrap().len(), 1);
    let all = app
        .every_page(
            &s1,
            "/reports/renewal-risk?within_days=150&limit=1",
            "score",
        )
        .await;
    assert_eq!(all.len(), 3);

    // Scope: the owner, a peer, another department, the manager above, everyone.
    for (who, expected) in [
        (
            "s1_a",
            vec!["甲续费风险测试有限公司", "乙续费风险测试有限公司"],
        ),
        ("s1_b", vec!["己续费风险测试有限公司"]),
        ("s2_a", vec!["戊续费风险测试有限公司"]),
        (
            "s1_mgr",
            vec![
                "甲续费风险测试有限公司",
                "己续费风险测试有限公司",
                "乙续费风险测试有限公司",
            ],
        ),
        (
            "gm",
            vec![
                "甲续费风险测试有限公司",
                "戊续费风险测试有限公司",
                "己续费风险测试有限公司",
                "乙续费风险测试有限公司",
            ],
        ),
    ] {
        let t = app.login(who).await;
        let page = app.get("/reports/renewal-risk", &t).await.expect(200);
        assert_eq!(names(&page), expected, "{who}");
    }
    // The parts read for the whole company (as for a large scope) say the same as per customer list.
    let db = app.pool();
    let mut conn = db.get().unwrap();
    let q = crm_domain::api::RenewalRiskQuery::default();
    let everyone = crm_db::Actor::system();
    let per_list = crm_db::renewals::list_with(&mut conn, &everyone, &q, usize::MAX).unwrap();
    let wholesale = crm_db::renewals::list_with(&mut conn, &everyone, &q, 0).unwrap();
    assert_eq!(per_list.items, wholesale.items);
    assert_eq!(per_list.items.len(), 4);
    drop(conn);
    // An owner outside one's scope is not found, not an empty list.
    let admin = app.login("admin").await;
    let s2 = app.user_id(&admin, "s2_a").await;
    assert_eq!(
        app.get(&format!("/reports/renewal-risk?owner_id={s2}"), &s1)
            .await
            .problem(404),
        "not_found"
    );
    assert_eq!(
        app.get("/reports/renewal-risk?within_days=0", &s1)
            .await
            .problem(400),
        "invalid_query"
    );
});
