//! The public pool (公海): releasing and claiming with visibility and customer protection, the
//! limits, two claims at once, and the reclaim rules on a fake clock.

use crate::api_test;
use crate::support::{TestApp, ids};
use chrono::{Duration, Utc};
use reqwest::Method;
use serde_json::{Value, json};

async fn customer(app: &TestApp, token: &str, name: &str) -> i64 {
    app.post("/customers", token, json!({"name": name}))
        .await
        .expect(201)["id"]
        .as_i64()
        .unwrap()
}

async fn release(app: &TestApp, token: &str, id: i64) -> Value {
    app.post(
        &format!("/customers/{id}/release"),
        token,
        json!({"reason": "长期无意向"}),
    )
    .await
    .expect(200)
}

async fn in_pool(app: &TestApp, token: &str) -> Vec<i64> {
    app.every_page(token, "/pool?limit=200", "id").await
}

api_test!(release_and_claim_through_the_visibility_filter, |app| {
    let owner = app.login("s1_a").await;
    let id = customer(app, &owner, "济南海岳广告传媒有限公司").await;
    app.post(
        &format!("/customers/{id}/contacts"),
        &owner,
        json!({"name": "刘经理", "mobile": "13900000001"}),
    )
    .await
    .expect(201);
    let stage = app
        .get("/dictionaries/opportunity_stage", &owner)
        .await
        .expect(200)[0]["id"]
        .clone();
    let deal = app
        .post(
            "/opportunities",
            &owner,
            json!({"customer_id": id, "title": "网站推广", "stage_id": stage, "amount": "1000"}),
        )
        .await
        .expect(201);

    // Who may release it: those who see it (the owner, the managers above, scope all).
    for (who, status) in [
        ("s1_b", 404),
        ("s2_a", 404),
        ("s2_mgr", 404),
        ("admin", 403),
    ] {
        let t = app.login(who).await;
        let res = app
            .post(
                &format!("/customers/{id}/release"),
                &t,
                json!({"reason": "试试"}),
            )
            .await;
        assert_eq!(res.status, status, "{who}");
    }
    let body = app
        .post(
            &format!("/customers/{id}/release"),
            &owner,
            json!({"reason": "  "}),
        )
        .await
        .expect(422);
    assert_eq!(body["errors"][0]["field"], "reason");
    let released = release(app, &owner, id).await;
    assert_eq!(released["moved"]["customers"], 1);
    assert_eq!(released["moved"]["opportunities"], 1, "open deals go along");
    assert!(released["moved"].get("orders").is_none(), "orders stay");

    // In the pool, it is nobody's customer: only scope `all` still opens it as a customer.
    for (who, sees) in [
        ("s1_a", false),
        ("s1_b", false),
        ("s2_a", false),
        ("s1_mgr", false),
        ("sales_dir", false),
        ("gm", true),
    ] {
        let t = app.login(who).await;
        let res = app.get(&format!("/customers/{id}"), &t).await;
        assert_eq!(res.status, if sees { 200 } else { 404 }, "{who}");
        let list = app.get("/customers?limit=200", &t).await.expect(200);
        assert_eq!(ids(&list).contains(&id), sees, "{who}");
        let deals = app.get("/opportunities?limit=200", &t).await.expect(200);
        assert_eq!(
            ids(&deals).contains(&deal["id"].as_i64().unwrap()),
            sees,
            "{who} deals"
        );
        // Everyone who works with customers sees the pool's list.
        assert!(in_pool(app, &t).await.contains(&id), "{who} pool");
    }
    let gm = app.login("gm").await;
    let seen = app.get(&format!("/customers/{id}"), &gm).await.expect(200);
    assert_eq!(seen["owner"]["id"], -1);
    assert!(seen["pooled_at"].is_string());
    let admin = app.login("admin").await;
    assert_eq!(app.get("/pool", &admin).await.problem(403), "forbidden");
    // The pool's list says what a customer is, not how to reach it.
    let b = app.login("s1_b").await;
    let page = app.get("/pool", &b).await.expect(200);
    let item = &page["items"][0];
    assert_eq!(item["id"], id);
    assert_eq!(item["level"], "prospect", "the deal made it a prospect");
    assert!(item.get("phone").is_none() && item.get("address").is_none());
    assert!(item["pooled_at"].is_string());
    assert_eq!(
        ids(&app
            .get(&format!("/pool?q={}", crate::support::enc("海岳")), &b)
            .await
            .expect(200)),
        vec![id],
        "two characters find it"
    );
    assert!(
        ids(&app.get("/pool?level=signed", &b).await.expect(200)).is_empty(),
        "filters apply"
    );

    // Customer protection still holds: nobody re-creates it; they are told to claim it.
    let other = app.login("s2_a").await;
    let refused = app
        .post(
            "/customers",
            &other,
            json!({"name": "济南海岳广告传媒有限公司"}),
        )
        .await
        .expect(409);
    assert_eq!(refused["code"], "duplicate_customer");
    assert_eq!(refused["matches"][0]["in_pool"], true);
    assert_eq!(refused["matches"][0]["id"], id, "the id to claim it by");
    assert!(refused["detail"].as_str().unwrap().contains("公海"));
    let check = app
        .get(
            &format!(
                "/customers/check-duplicate?name={}",
                crate::support::enc("济南海岳广告传媒有限公司")
            ),
            &other,
        )
        .await
        .expect(200);
    assert_eq!(check["matches"][0]["in_pool"], true);
    assert_eq!(
        app.post(
            &format!("/customers/{id}/release"),
            &gm,
            json!({"reason": "再放一次"})
        )
        .await
        .problem(409),
        "already_in_pool"
    );

    // Claimed with no body at all: the claimer's, with its deal and contacts; gone from the pool.
    let claimed = app
        .raw(Method::POST, &format!("/pool/{id}/claim"), &other, None, "")
        .await
        .expect(200);
    assert_eq!(
        claimed["owner"]["name"],
        app.get("/me", &other).await.expect(200)["display_name"]
    );
    assert!(claimed["pooled_at"].is_null());
    assert!(!in_pool(app, &b).await.contains(&id));
    assert_eq!(
        app.get(&format!("/customers/{id}/contacts"), &other)
            .await
            .expect(200)[0]["name"],
        "刘经理"
    );
    assert_eq!(
        app.get(&format!("/opportunities/{}", deal["id"]), &other)
            .await
            .expect(200)["owner"]["id"],
        claimed["owner"]["id"]
    );
    assert_eq!(
        app.get(&format!("/customers/{id}"), &owner)
            .await
            .problem(404),
        "not_found"
    );
    assert_eq!(
        app.post(&format!("/pool/{id}/claim"), &b, json!({}))
            .await
            .problem(409),
        "not_in_pool"
    );
    assert_eq!(
        app.post("/pool/999999/claim", &b, json!({}))
            .await
            .problem(404),
        "not_found"
    );

    // The history tells the story.
    let history = app
        .get(&format!("/customers/{id}/history"), &other)
        .await
        .expect(200);
    let actions: Vec<&str> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["entity"] == "customer")
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(&actions[..2], ["claim", "release"], "{history}");
    assert_eq!(history["items"][1]["changes"]["reason"], "长期无意向");
    // A manager's release tells the owner.
    let mgr = app.login("s2_mgr").await;
    release(app, &mgr, id).await;
    let notes = app.get("/notifications", &other).await.expect(200);
    assert!(notes.to_string().contains("pool_released"), "{notes}");
});

api_test!(
    claims_keep_to_the_limits_and_assignments_to_the_scope,
    |app| {
        let a = app.login("s1_a").await;
        let mgr = app.login("s1_mgr").await;
        let mut pooled = Vec::new();
        for name in [
            "烟台蓝海渔业",
            "威海金沙旅游",
            "潍坊风筝文化",
            "临沂商城物流",
        ] {
            let id = customer(app, &mgr, name).await;
            release(app, &mgr, id).await;
            pooled.push(id);
        }
        // Assigning to someone else needs customer.transfer and someone within one's scope.
        let admin = app.login("admin").await;
        let a_id = app.user_id(&admin, "s1_a").await;
        let b_id = app.user_id(&admin, "s1_b").await;
        let s2_id = app.user_id(&admin, "s2_a").await;
        assert_eq!(
            app.post(
                &format!("/pool/{}/claim", pooled[0]),
                &a,
                json!({"owner_id": b_id})
            )
            .await
            .problem(403),
            "forbidden"
        );
        let refused = app
            .post(
                &format!("/pool/{}/claim", pooled[0]),
                &mgr,
                json!({"owner_id": s2_id}),
            )
            .await
            .expect(422);
        assert_eq!(refused["errors"][0]["field"], "owner_id");
        assert_eq!(
            app.post(
                &format!("/pool/{}/claim", pooled[0]),
                &mgr,
                json!({"owner_id": -1})
            )
            .await
            .status,
            422,
            "the pool is nobody to assign to"
        );
        let assigned = app
            .post(
                &format!("/pool/{}/claim", pooled[0]),
                &mgr,
                json!({"owner_id": b_id}),
            )
            .await
            .expect(200);
        assert_eq!(assigned["owner"]["id"], b_id);
        let b = app.login("s1_b").await;
        assert!(
            app.get("/notifications", &b)
                .await
                .expect(200)
                .to_string()
                .contains("pool_assigned")
        );

        // A daily limit of one claim.
        app.set_settings(json!({"pool_max_claims_per_day": 1}))
            .await;
        app.post(&format!("/pool/{}/claim", pooled[1]), &a, json!({}))
            .await
            .expect(200);
        let limit = app
            .post(&format!("/pool/{}/claim", pooled[2]), &a, json!({}))
            .await
            .expect(409);
        assert_eq!(limit["code"], "claim_limit_reached");
        assert!(limit["detail"].as_str().unwrap().contains('1'), "{limit}");
        // A limit on customers owned: s1_b owns one.
        app.set_settings(json!({"pool_max_claims_per_day": null, "pool_max_owned": 1}))
            .await;
        assert_eq!(
            app.post(&format!("/pool/{}/claim", pooled[2]), &b, json!({}))
                .await
                .problem(409),
            "claim_limit_reached"
        );
        // Off again: the claim goes through.
        app.set_settings(json!({"pool_max_owned": null})).await;
        app.post(&format!("/pool/{}/claim", pooled[2]), &b, json!({}))
            .await
            .expect(200);
        let settings = app.get("/settings", &admin).await.expect(200);
        assert!(settings["pool_max_owned"].is_null());
        let bad = app
            .patch(
                "/settings",
                &admin,
                json!({"pool_max_owned": 0, "version": settings["version"]}),
            )
            .await
            .expect(422);
        assert_eq!(bad["errors"][0]["field"], "pool_max_owned");
        // The pool is claimed from, not transferred from.
        let refused = app
            .post(
                "/customer-transfers",
                &admin,
                json!({"from_user_id": -1, "to_user_id": a_id, "all": true, "reason": "清空公海"}),
            )
            .await
            .expect(422);
        assert_eq!(refused["errors"][0]["code"], "not_in_pool");
    }
);

api_test!(two_claims_at_once_exactly_one_wins, |app| {
    let mgr = app.login("s1_mgr").await;
    let a = app.login("s1_a").await;
    let b = app.login("s2_a").await;
    for k in 0..6 {
        let id = customer(app, &mgr, &format!("争抢测试{k}号商贸")).await;
        release(app, &mgr, id).await;
        let path = format!("/pool/{id}/claim");
        let (x, y) = tokio::join!(
            app.post(&path, &a, json!({})),
            app.post(&path, &b, json!({}))
        );
        let mut statuses = [x.status.as_u16(), y.status.as_u16()];
        statuses.sort_unstable();
        assert_eq!(statuses, [200, 409], "customer {id}");
        let gm = app.login("gm").await;
        let owner =
            app.get(&format!("/customers/{id}"), &gm).await.expect(200)["owner"]["id"].clone();
        let winner = if x.status == 200 { &x.body } else { &y.body };
        assert_eq!(owner, winner["owner"]["id"]);
    }
});

api_test!(reclaim_rules_warn_then_reclaim_once, |app| {
    let a = app.login("s1_a").await;
    let lead = customer(app, &a, "泰安岱宗建材有限公司").await;
    let signed = customer(app, &a, "莱芜钢联贸易有限公司").await;
    let gm = app.login("gm").await;
    app.post(
        &format!("/customers/{signed}/level"),
        &gm,
        json!({"level": "signed", "reason": "已签约"}),
    )
    .await
    .expect(200);
    let admin = app.login("admin").await;
    // Off until set: nothing to preview, nothing on the customer's page.
    let preview = app.get("/pool/reclaim-preview", &admin).await.expect(200);
    assert!(ids_of(&preview).is_empty());
    assert!(
        app.get(&format!("/customers/{lead}"), &a)
            .await
            .expect(200)
            .get("pool_return")
            .is_none()
    );
    assert_eq!(
        app.get("/pool/reclaim-preview", &a).await.problem(403),
        "forbidden"
    );
    // A rule tried before it is turned on.
    let tried = app
        .get(
            "/pool/reclaim-preview?unsigned_days=20&within_days=21",
            &admin,
        )
        .await
        .expect(200);
    assert_eq!(
        ids_of(&tried),
        vec![lead],
        "signed customers are not taken by the unsigned rule"
    );
    assert_eq!(tried["items"][0]["rule"], "unsigned");
    assert_eq!(tried["items"][0]["owner"]["name"], "业务员");
    assert_eq!(tried["items"][0]["department"]["name"], "销售一部");
    let both = app
        .get(
            "/pool/reclaim-preview?no_contact_days=10&within_days=11",
            &admin,
        )
        .await
        .expect(200);
    assert_eq!(ids_of(&both), vec![lead, signed]);
    assert_eq!(both["items"][1]["rule"], "no_contact");

    app.set_settings(json!({"pool_reclaim_no_contact_days": 10, "pool_warn_days": 3}))
        .await;
    let page = app.get(&format!("/customers/{lead}"), &a).await.expect(200);
    assert_eq!(page["pool_return"]["rule"], "no_contact");
    assert!(
        matches!(page["pool_return"]["days_left"].as_i64(), Some(10 | 11)),
        "{page}"
    );

    let db = app.pool();
    let mut conn = db.get().unwrap();
    let day = |n: i64| Utc::now() + Duration::days(n) + Duration::minutes(1);
    let r = crm_db::scheduler::run(&mut conn, day(5)).unwrap();
    assert_eq!((r.pool_warned, r.pool_reclaimed), (0, 0));
    let r = crm_db::scheduler::run(&mut conn, day(8)).unwrap();
    assert_eq!(
        (r.pool_warned, r.pool_reclaimed),
        (2, 0),
        "warned K days before"
    );
    let r = crm_db::scheduler::run(&mut conn, day(8)).unwrap();
    assert_eq!((r.pool_warned, r.pool_reclaimed), (0, 0), "warned once");
    let notes = app.get("/notifications", &a).await.expect(200);
    assert!(notes.to_string().contains("pool_warning"), "{notes}");
    // Two instances sweep at once: each customer moves once.
    let other = app.pool();
    let when = day(11);
    let (x, y) = tokio::join!(
        actix_web::web::block({
            let db = db.clone();
            move || crm_db::scheduler::run(&mut db.get().unwrap(), when).unwrap()
        }),
        actix_web::web::block(
            move || crm_db::scheduler::run(&mut other.get().unwrap(), when).unwrap()
        )
    );
    assert_eq!(x.unwrap().pool_reclaimed + y.unwrap().pool_reclaimed, 2);
    assert_eq!(
        crm_db::scheduler::run(&mut conn, day(11))
            .unwrap()
            .pool_reclaimed,
        0
    );
    assert_eq!(
        app.get(&format!("/customers/{lead}"), &a)
            .await
            .problem(404),
        "not_found"
    );
    assert_eq!(
        app.get(&format!("/customers/{signed}"), &a)
            .await
            .problem(404),
        "not_found"
    );
    assert!(in_pool(app, &a).await.contains(&lead));
    let notes = app.get("/notifications", &a).await.expect(200);
    assert!(notes.to_string().contains("pool_reclaimed"), "{notes}");
    let history = app
        .get(&format!("/customers/{lead}/history"), &gm)
        .await
        .expect(200);
    assert_eq!(history["items"][0]["action"], "reclaim");
    assert_eq!(history["items"][0]["changes"]["rule"], "no_contact");
    assert!(
        history["items"][0]["user"].is_null(),
        "the scheduler is nobody"
    );
    drop(conn);
});

fn ids_of(page: &Value) -> Vec<i64> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["customer"]["id"].as_i64().unwrap())
        .collect()
}
