//! Activities: visibility with the customer, the first contact's level move, last contact, the edit
//! window, history.

use crate::api_test;
use crate::support::TestApp;
use serde_json::{Value, json};

async fn visit_type(app: &TestApp, token: &str) -> i64 {
    let types = app
        .get("/dictionaries/activity_type", token)
        .await
        .expect(200);
    types
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "拜访")
        .unwrap()["id"]
        .as_i64()
        .unwrap()
}

fn log(customer: &Value, type_id: i64, at: &str, summary: &str) -> Value {
    json!({"customer_id": customer["id"], "type_id": type_id, "occurred_at": at, "summary": summary})
}

api_test!(activities_are_visible_with_their_customer, |app| {
    let owner = app.login("s1_a").await;
    let customer = app
        .post(
            "/customers",
            &owner,
            json!({"name": "临沂鑫源商贸有限公司"}),
        )
        .await
        .expect(201);
    let t = visit_type(app, &owner).await;
    let activity = app
        .post(
            "/activities",
            &owner,
            log(&customer, t, "2026-11-20T02:00:00Z", "上门拜访"),
        )
        .await
        .expect(201);
    let id = activity["id"].as_i64().unwrap();
    for (who, sees) in [
        ("s1_a", true),
        ("s1_b", false),
        ("s2_a", false),
        ("s1_mgr", true),
        ("s2_mgr", false),
        ("gm", true),
    ] {
        let token = app.login(who).await;
        let res = app.get(&format!("/activities/{id}"), &token).await;
        if sees {
            assert_eq!(res.status, 200, "{who}")
        } else {
            assert_eq!(res.problem(404), "not_found", "{who}")
        }
        let list = app
            .get(
                &format!("/activities?customer_id={}", customer["id"]),
                &token,
            )
            .await
            .expect(200);
        assert_eq!(
            list["items"].as_array().unwrap().len(),
            usize::from(sees),
            "{who}"
        );
    }
    let admin = app.login("admin").await;
    assert_eq!(
        app.get(&format!("/activities/{id}"), &admin)
            .await
            .problem(403),
        "forbidden"
    );
    // Nobody logs on a customer they cannot see.
    let peer = app.login("s1_b").await;
    let res = app
        .post(
            "/activities",
            &peer,
            log(&customer, t, "2026-11-21T02:00:00Z", "x"),
        )
        .await;
    assert_eq!(res.body["errors"][0]["field"], "customer_id");
});

api_test!(
    first_contact_moves_a_lead_and_last_contact_moves_forward,
    |app| {
        let rep = app.login("s2_a").await;
        let t = visit_type(app, &rep).await;
        let lead = app
            .post("/customers", &rep, json!({"name": "枣庄同创置业有限公司"}))
            .await
            .expect(201);
        assert_eq!(lead["level"], "lead");
        app.post(
            "/activities",
            &rep,
            log(&lead, t, "2026-11-20T02:00:00Z", "电话沟通"),
        )
        .await
        .expect(201);
        let after = app
            .get(&format!("/customers/{}", lead["id"]), &rep)
            .await
            .expect(200);
        assert_eq!(after["level"], "contacted");
        assert_eq!(after["last_contact_at"], "2026-11-20T02:00:00Z");
        // An older activity logged late does not pull the last contact back.
        app.post(
            "/activities",
            &rep,
            log(&lead, t, "2026-11-01T02:00:00Z", "补录"),
        )
        .await
        .expect(201);
        let again = app
            .get(&format!("/customers/{}", lead["id"]), &rep)
            .await
            .expect(200);
        assert_eq!(again["last_contact_at"], "2026-11-20T02:00:00Z");
        let history = app
            .get(&format!("/customers/{}/history", lead["id"]), &rep)
            .await
            .expect(200);
        assert!(
            history["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["changes"]["reason"] == "first contact")
        );
        // A higher level never moves down.
        let prospect = app
            .post("/customers", &rep, json!({"name": "日照蓝海物流有限公司"}))
            .await
            .expect(201);
        app.post(
            &format!("/customers/{}/level", prospect["id"]),
            &rep,
            json!({"level": "prospect", "reason": "需求明确"}),
        )
        .await
        .expect(200);
        app.post(
            "/activities",
            &rep,
            log(&prospect, t, "2026-11-22T02:00:00Z", "拜访"),
        )
        .await
        .expect(201);
        assert_eq!(
            app.get(&format!("/customers/{}", prospect["id"]), &rep)
                .await
                .expect(200)["level"],
            "prospect"
        );
        // Bad references are field errors.
        let res = app.post("/activities", &rep, json!({"customer_id": lead["id"], "type_id": 999999, "occurred_at": "2026-11-22T02:00:00Z", "summary": "x"})).await;
        assert_eq!(res.body["errors"][0]["field"], "type_id");
        let res = app.post("/activities", &rep, json!({"customer_id": lead["id"], "contact_id": 999999, "type_id": t, "occurred_at": "2026-11-22T02:00:00Z", "summary": "x"})).await;
        assert_eq!(res.body["errors"][0]["field"], "contact_id");
    }
);

api_test!(authors_edit_for_a_while_then_only_managers, |app| {
    let rep = app.login("s1_a").await;
    let t = visit_type(app, &rep).await;
    let customer = app
        .post("/customers", &rep, json!({"name": "聊城长河食品有限公司"}))
        .await
        .expect(201);
    let a = app
        .post(
            "/activities",
            &rep,
            log(&customer, t, "2026-11-20T02:00:00Z", "拜访"),
        )
        .await
        .expect(201);
    let edited = app
        .patch(
            &format!("/activities/{}", a["id"]),
            &rep,
            json!({"outcome": "有意向", "version": a["version"]}),
        )
        .await
        .expect(200);
    assert_eq!(edited["outcome"], "有意向");
    // Service staff see the activity but may not rewrite or delete someone else's.
    let cs = app.login("cs_a").await;
    app.get(&format!("/activities/{}", a["id"]), &cs)
        .await
        .expect(200);
    app.patch(
        &format!("/activities/{}", a["id"]),
        &cs,
        json!({"outcome": "x", "version": edited["version"]}),
    )
    .await
    .problem(403);
    app.delete(&format!("/activities/{}", a["id"]), &cs)
        .await
        .problem(403);
    // The company closes the window.
    app.set_settings(json!({"activity_edit_minutes": 0})).await;
    assert_eq!(
        app.patch(
            &format!("/activities/{}", a["id"]),
            &rep,
            json!({"outcome": "x", "version": edited["version"]})
        )
        .await
        .problem(409),
        "edit_window_closed"
    );
    assert_eq!(
        app.delete(&format!("/activities/{}", a["id"]), &rep)
            .await
            .problem(409),
        "edit_window_closed"
    );
    let mgr = app.login("s1_mgr").await;
    app.patch(
        &format!("/activities/{}", a["id"]),
        &mgr,
        json!({"summary": "上门拜访（经理补充）", "version": edited["version"]}),
    )
    .await
    .expect(200);
    app.delete(&format!("/activities/{}", a["id"]), &mgr)
        .await
        .expect(204);
    let history = app
        .get(&format!("/customers/{}/history", customer["id"]), &mgr)
        .await
        .expect(200);
    let deleted = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["entity"] == "activity" && e["action"] == "delete")
        .unwrap();
    assert_eq!(deleted["changes"]["summary"], "上门拜访（经理补充）");
    assert_eq!(deleted["user"]["name"], "销售一部经理");
});

api_test!(
    customers_not_contacted_for_days_are_one_filter_away,
    |app| {
        let rep = app.login("s1_b").await;
        let t = visit_type(app, &rep).await;
        let mut ids = Vec::new();
        for (name, days_ago) in [
            ("莱芜久未联系甲有限公司", Some(10)),
            ("莱芜久未联系乙有限公司", Some(1)),
            ("莱芜久未联系丙有限公司", None),
        ] {
            let c = app
                .post("/customers", &rep, json!({"name": name}))
                .await
                .expect(201);
            if let Some(d) = days_ago {
                let at = chrono::Utc::now() - chrono::Duration::days(d);
                app.post("/activities", &rep, log(&c, t, &at.to_rfc3339(), "拜访"))
                    .await
                    .expect(201);
            }
            ids.push(c["id"].clone());
        }
        let q = "%E4%B9%85%E6%9C%AA%E8%81%94%E7%B3%BB"; // 久未联系
        let stale = app
            .get(&format!("/customers?q={q}&not_contacted_days=5"), &rep)
            .await
            .expect(200);
        let mut found: Vec<Value> = stale["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].clone())
            .collect();
        found.sort_by_key(|v| v.as_i64());
        assert_eq!(found, vec![ids[0].clone(), ids[2].clone()]);
        assert_eq!(
            app.get("/customers?not_contacted_days=0", &rep)
                .await
                .problem(400),
            "invalid_query"
        );
    }
);
