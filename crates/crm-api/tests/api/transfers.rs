//! Customer transfer: one, many and all, with counts checked and nothing lost; the refusals.

use crate::api_test;
use serde_json::{Value, json};

fn count(page: &Value) -> usize {
    page["items"].as_array().unwrap().len()
}

api_test!(transfer_one_many_and_all_with_nothing_lost, |app| {
    let a = app.login("s1_a").await;
    let b = app.login("s1_b").await;
    let admin = app.login("admin").await;
    let mut ids = Vec::new();
    for (i, name) in ["甲公司贸易", "乙公司科技", "丙公司传媒", "丁公司物流"]
        .iter()
        .enumerate()
    {
        let c = app
            .post("/customers", &a, json!({"name": name}))
            .await
            .expect(201);
        for k in 0..=i {
            app.post(
                &format!("/customers/{}/contacts", c["id"]),
                &a,
                json!({"name": format!("联系人{k}")}),
            )
            .await
            .expect(201);
        }
        ids.push(c["id"].as_i64().unwrap());
    }
    let from = app.user_id(&admin, "s1_a").await;
    let to = app.user_id(&admin, "s1_b").await;

    // One.
    let one = app.post("/customer-transfers", &admin, json!({"from_user_id": from, "to_user_id": to, "customer_ids": [ids[0]], "reason": "客户要求更换"})).await.expect(201);
    assert_eq!(
        one["moved"],
        json!({"customers": 1, "contacts": 1, "reminders": 0, "orders": 0, "opportunities": 0, "quotes": 0})
    );
    assert_eq!(count(&app.get("/customers", &b).await.expect(200)), 1);
    // Many.
    let many = app.post("/customer-transfers", &admin, json!({"from_user_id": from, "to_user_id": to, "customer_ids": [ids[1], ids[2]], "reason": "调整分工"})).await.expect(201);
    assert_eq!(
        many["moved"],
        json!({"customers": 2, "contacts": 5, "reminders": 0, "orders": 0, "opportunities": 0, "quotes": 0})
    );
    // All, previewed first.
    let preview = app.post("/customer-transfers", &admin, json!({"from_user_id": from, "to_user_id": to, "all": true, "reason": "离职交接", "dry_run": true})).await.expect(200);
    assert_eq!(
        preview["moved"],
        json!({"customers": 1, "contacts": 4, "reminders": 0, "orders": 0, "opportunities": 0, "quotes": 0})
    );
    assert!(preview["id"].is_null());
    assert_eq!(
        count(&app.get("/customers", &a).await.expect(200)),
        1,
        "a preview moves nothing"
    );
    let all = app
        .post(
            "/customer-transfers",
            &admin,
            json!({"from_user_id": from, "to_user_id": to, "all": true, "reason": "离职交接"}),
        )
        .await
        .expect(201);
    assert_eq!(
        all["moved"],
        json!({"customers": 1, "contacts": 4, "reminders": 0, "orders": 0, "opportunities": 0, "quotes": 0})
    );
    assert_eq!(all["from_user"]["id"], from);
    assert_eq!(count(&app.get("/customers", &a).await.expect(200)), 0);
    assert_eq!(
        count(&app.get("/customers", &b).await.expect(200)),
        4,
        "nothing lost"
    );
    for id in &ids {
        let contacts = app
            .get(&format!("/customers/{id}/contacts"), &b)
            .await
            .expect(200);
        assert!(
            !contacts.as_array().unwrap().is_empty(),
            "contacts moved with customer {id}"
        );
    }
    // History keeps its authors and records the move.
    let history = app
        .get(&format!("/customers/{}/history", ids[3]), &b)
        .await
        .expect(200);
    let items = history["items"].as_array().unwrap();
    assert_eq!(items[0]["action"], "transfer");
    assert_eq!(items[0]["changes"]["reason"], "离职交接");
    let created = items
        .iter()
        .find(|e| e["action"] == "create" && e["entity"] == "customer")
        .unwrap();
    assert_eq!(
        created["user"]["name"], "业务员",
        "the creation stays the salesperson's"
    );
    // The log.
    let log = app.get("/customer-transfers", &admin).await.expect(200);
    assert_eq!(count(&log), 3);
    assert_eq!(log["items"][0]["reason"], "离职交接");
});

api_test!(transfers_are_refused_when_they_should_be, |app| {
    let a = app.login("s1_a").await;
    let admin = app.login("admin").await;
    let c = app
        .post("/customers", &a, json!({"name": "戊公司建材"}))
        .await
        .expect(201);
    let from = app.user_id(&admin, "s1_a").await;
    let peer = app.user_id(&admin, "s1_b").await;
    let outsider = app.user_id(&admin, "s2_a").await;
    let mgr = app.login("s1_mgr").await;
    // Salespeople cannot transfer.
    assert_eq!(
        app.post(
            "/customer-transfers",
            &a,
            json!({"from_user_id": from, "to_user_id": peer, "all": true, "reason": "x"})
        )
        .await
        .problem(403),
        "forbidden"
    );
    // A manager cannot hand customers to someone outside their scope.
    let res = app
        .post(
            "/customer-transfers",
            &mgr,
            json!({"from_user_id": from, "to_user_id": outsider, "all": true, "reason": "x"}),
        )
        .await;
    assert_eq!(res.body["errors"][0]["field"], "to_user_id");
    assert_eq!(res.problem(422), "validation_failed");
    // Nor take them from someone outside it.
    let s2mgr = app.login("s2_mgr").await;
    let res = app
        .post(
            "/customer-transfers",
            &s2mgr,
            json!({"from_user_id": from, "to_user_id": outsider, "all": true, "reason": "x"}),
        )
        .await;
    assert_eq!(res.body["errors"][0]["field"], "from_user_id");
    // Only the giver's customers.
    let res = app.post("/customer-transfers", &mgr, json!({"from_user_id": peer, "to_user_id": from, "customer_ids": [c["id"]], "reason": "x"})).await;
    assert_eq!(res.body["errors"][0]["code"], "not_owned");
    // Not to a disabled user.
    app.post(&format!("/users/{peer}/disable"), &admin, json!({}))
        .await
        .expect(200);
    let res = app
        .post(
            "/customer-transfers",
            &mgr,
            json!({"from_user_id": from, "to_user_id": peer, "all": true, "reason": "x"}),
        )
        .await;
    assert_eq!(res.body["errors"][0]["code"], "user_disabled");
    // Either ids or all.
    let res = app
        .post(
            "/customer-transfers",
            &mgr,
            json!({"from_user_id": from, "to_user_id": peer, "reason": "x"}),
        )
        .await;
    assert_eq!(res.problem(422), "validation_failed");
    // Within scope, a manager may.
    let s1_mgr_id = app.user_id(&admin, "s1_mgr").await;
    let ok = app.post("/customer-transfers", &mgr, json!({"from_user_id": from, "to_user_id": s1_mgr_id, "all": true, "reason": "暂由经理跟进"})).await.expect(201);
    assert_eq!(ok["moved"]["customers"], 1);
});
