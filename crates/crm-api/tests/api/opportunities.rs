//! Opportunities, quotes and competitors: visibility, the level rule on the first deal, stage
//! moves and their history, exact quote money and unique numbers under concurrency, accepting a
//! quote (a draft order with the same lines, the deal won), transfers, the pipeline by stage.

use crate::api_test;
use crate::support::{TestApp, company_day, ids};
use serde_json::{Value, json};

async fn stages(app: &TestApp, token: &str) -> Vec<Value> {
    app.get("/dictionaries/opportunity_stage", token)
        .await
        .expect(200)
        .as_array()
        .unwrap()
        .clone()
}

async fn product(app: &TestApp, code: &str, price: &str) -> i64 {
    let admin = app.login("admin").await;
    app.post(
        "/products",
        &admin,
        json!({"code": code, "name": format!("产品{code}"), "unit": "套", "list_price": price}),
    )
    .await
    .expect(201)["id"]
        .as_i64()
        .unwrap()
}

async fn customer(app: &TestApp, token: &str, name: &str) -> Value {
    app.post("/customers", token, json!({"name": name}))
        .await
        .expect(201)
}

async fn deal(app: &TestApp, token: &str, customer: &Value, body: Value) -> Value {
    let mut body = body;
    body["customer_id"] = customer["id"].clone();
    app.post("/opportunities", token, body).await.expect(201)
}

fn stage_row<'a>(pipeline: &'a Value, stage: &Value) -> &'a Value {
    pipeline["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["stage"]["id"] == stage["id"])
        .unwrap()
}

api_test!(visibility_matrix_for_every_opportunity_endpoint, |app| {
    let owner = app.login("s1_a").await;
    let c = customer(app, &owner, "济南远景机械有限公司").await;
    let contact = app
        .post(
            &format!("/customers/{}/contacts", c["id"]),
            &owner,
            json!({"name": "赵总"}),
        )
        .await
        .expect(201);
    let st = stages(app, &owner).await;
    let d = deal(
        app,
        &owner,
        &c,
        json!({"title": "年度推广", "amount": "12800.00"}),
    )
    .await;
    let id = d["id"].as_i64().unwrap();
    assert_eq!(d["stage"]["id"], st[0]["id"], "the first stage by default");
    assert_eq!(d["probability"], st[0]["probability"]);
    app.post(
        &format!("/opportunities/{id}/contacts"),
        &owner,
        json!({"contact_id": contact["id"], "role": "decision_maker"}),
    )
    .await
    .expect(201);
    let p = product(app, "VIS", "100").await;
    let q = app
        .post(
            &format!("/opportunities/{id}/quotes"),
            &owner,
            json!({"lines": [{"product_id": p, "quantity": 1, "unit_price": "100"}]}),
        )
        .await
        .expect(201);
    let gm = app.login("gm").await;
    let k = app
        .post("/competitors", &gm, json!({"name": "齐鲁网盟"}))
        .await
        .expect(201);
    app.post(
        &format!("/opportunities/{id}/competitors"),
        &owner,
        json!({"competitor_id": k["id"], "threat": 3}),
    )
    .await
    .expect(201);

    let matrix = [
        ("s1_a", true),      // the owner
        ("s1_b", false),     // a peer in the same department (scope self)
        ("s2_a", false),     // a user in another department
        ("s1_mgr", true),    // the manager above
        ("sales_dir", true), // the director above that
        ("s2_mgr", false),   // the manager of a sibling department
        ("gm", true),        // scope all
        ("admin", false),    // an administrator without business permissions
    ];
    for (who, sees) in matrix {
        let t = app.login(who).await;
        let can_read = who != "admin";
        let reads = [
            format!("/opportunities/{id}"),
            format!("/opportunities/{id}/contacts"),
            format!("/opportunities/{id}/competitors"),
            format!("/opportunities/{id}/quotes"),
            format!("/opportunities/{id}/stage-history"),
            format!("/quotes/{}", q["id"]),
        ];
        for path in &reads {
            let res = app.get(path, &t).await;
            match (can_read, sees) {
                (false, _) => assert_eq!(res.problem(403), "forbidden", "{who} {path}"),
                (true, true) => assert_eq!(res.status, 200, "{who} {path}"),
                (true, false) => assert_eq!(res.problem(404), "not_found", "{who} {path}"),
            }
        }
        if !can_read {
            continue;
        }
        let list = app.get("/opportunities?limit=200", &t).await.expect(200);
        assert_eq!(ids(&list).contains(&id), sees, "{who} list");
        let pipeline = app.get("/opportunities/pipeline", &t).await.expect(200);
        let first = stage_row(&pipeline, &st[0]);
        assert_eq!(first["count"], json!(i64::from(sees)), "{who} pipeline");
        let expected_amount = if sees { "12800.00" } else { "0.00" };
        assert_eq!(first["amount"], expected_amount, "{who} pipeline amount");
        let profile = app
            .get(&format!("/competitors/{}", k["id"]), &t)
            .await
            .expect(200);
        assert_eq!(profile["deals"]["open"], json!(i64::from(sees)), "{who}");
        // Writes follow reads: out of scope is 404 too.
        let res = app
            .patch(
                &format!("/opportunities/{id}"),
                &t,
                json!({"version": 999, "title": "x"}),
            )
            .await;
        if sees {
            assert_eq!(res.problem(409), "stale_version", "{who}");
        } else {
            assert_eq!(res.problem(404), "not_found", "{who}");
        }
    }
    // A deal whose owner the caller sees but whose customer they do not is 404 too.
    let other = app.login("s2_a").await;
    let foreign = customer(app, &other, "青岛海岱商贸有限公司").await;
    let s1_a = app.user_id(&app.login("admin").await, "s1_a").await;
    let given = deal(
        app,
        &gm,
        &foreign,
        json!({"title": "代管", "owner_id": s1_a}),
    )
    .await;
    assert_eq!(given["owner"]["id"], s1_a);
    let res = app
        .get(&format!("/opportunities/{}", given["id"]), &owner)
        .await;
    assert_eq!(
        res.problem(404),
        "not_found",
        "its customer is not the owner's to see"
    );
    let list = app
        .get("/opportunities?limit=200", &owner)
        .await
        .expect(200);
    assert!(!ids(&list).contains(&given["id"].as_i64().unwrap()));
    // Competitor profiles are kept by managers only.
    let res = app
        .post("/competitors", &owner, json!({"name": "泉城数字"}))
        .await;
    assert_eq!(res.problem(403), "forbidden");
});

api_test!(first_deal_makes_a_prospect_and_stages_are_kept, |app| {
    let t = app.login("s1_a").await;
    let c = customer(app, &t, "淄博华泰医疗器械有限公司").await;
    assert_eq!(c["level"], "lead");
    let st = stages(app, &t).await;
    let d = deal(
        app,
        &t,
        &c,
        json!({"title": "设备推广", "amount": "30000", "stage_id": st[1]["id"]}),
    )
    .await;
    let after = app
        .get(&format!("/customers/{}", c["id"]), &t)
        .await
        .expect(200);
    assert_eq!(
        after["level"], "prospect",
        "the first deal makes a prospect"
    );
    let history = app
        .get(&format!("/customers/{}/history", c["id"]), &t)
        .await
        .expect(200);
    assert!(
        history.to_string().contains("first opportunity"),
        "{history}"
    );
    assert_eq!(d["probability"], st[1]["probability"]);
    assert_eq!(d["weighted_amount"], "9000.00");
    // A stage move brings the stage's probability; a probability set by hand stays.
    let moved = app
        .patch(
            &format!("/opportunities/{}", d["id"]),
            &t,
            json!({"version": d["version"], "stage_id": st[2]["id"]}),
        )
        .await
        .expect(200);
    assert_eq!(moved["probability"], st[2]["probability"]);
    let set = app
        .patch(
            &format!("/opportunities/{}", d["id"]),
            &t,
            json!({"version": moved["version"], "probability": 45}),
        )
        .await
        .expect(200);
    assert_eq!(set["probability"], 45);
    assert_eq!(set["weighted_amount"], "13500.00");
    let moved = app
        .patch(
            &format!("/opportunities/{}", d["id"]),
            &t,
            json!({"version": set["version"], "stage_id": st[3]["id"]}),
        )
        .await
        .expect(200);
    assert_eq!(moved["probability"], 45, "set by hand: kept");
    let history = app
        .get(&format!("/opportunities/{}/stage-history", d["id"]), &t)
        .await
        .expect(200);
    let entered: Vec<&Value> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|m| &m["stage"]["id"])
        .collect();
    assert_eq!(entered, [&st[1]["id"], &st[2]["id"], &st[3]["id"]]);
    assert!(history[0]["left_at"].is_string() && history[2]["left_at"].is_null());
    // Winning signs nothing by itself; winning again is refused; reopen, then lose to a rival.
    let won = app
        .post(
            &format!("/opportunities/{}/win", d["id"]),
            &t,
            json!({"version": moved["version"]}),
        )
        .await
        .expect(200);
    assert_eq!(won["status"], "won");
    assert_eq!(won["closed_on"], json!(company_day(0)));
    let level = app
        .get(&format!("/customers/{}", c["id"]), &t)
        .await
        .expect(200)["level"]
        .clone();
    assert_eq!(level, "prospect", "a won deal signs nothing");
    let again = app
        .post(
            &format!("/opportunities/{}/win", d["id"]),
            &t,
            json!({"version": won["version"]}),
        )
        .await;
    assert_eq!(again.problem(409), "invalid_status_move");
    let closed = app
        .patch(
            &format!("/opportunities/{}", d["id"]),
            &t,
            json!({"version": won["version"], "title": "改"}),
        )
        .await;
    assert_eq!(closed.problem(409), "opportunity_closed");
    let open = app
        .post(
            &format!("/opportunities/{}/reopen", d["id"]),
            &t,
            json!({"version": won["version"]}),
        )
        .await
        .expect(200);
    let gm = app.login("gm").await;
    let rival = app
        .post("/competitors", &gm, json!({"name": "易站通"}))
        .await
        .expect(201);
    let lost = app
        .post(
            &format!("/opportunities/{}/lose", d["id"]),
            &t,
            json!({"version": open["version"], "lost_reason": "价格高于对手", "competitor_id": rival["id"]}),
        )
        .await
        .expect(200);
    assert_eq!(lost["status"], "lost");
    assert_eq!(lost["lost_to"]["name"], "易站通");
    let profile = app
        .get(&format!("/competitors/{}", rival["id"]), &t)
        .await
        .expect(200);
    assert_eq!(profile["deals"], json!({"won": 0, "lost": 1, "open": 0}));
    let against = app
        .get(&format!("/opportunities?competitor_id={}", rival["id"]), &t)
        .await
        .expect(200);
    assert_eq!(ids(&against), [d["id"].as_i64().unwrap()]);
    let in_use = app
        .delete(&format!("/competitors/{}", rival["id"]), &gm)
        .await;
    assert_eq!(in_use.problem(409), "competitor_in_use");
});

api_test!(bad_input_is_refused_with_a_code_and_a_field, |app| {
    let t = app.login("s1_a").await;
    let c = customer(app, &t, "烟台瑞丰物流有限公司").await;
    let industry = app.get("/dictionaries/industry", &t).await.expect(200)[0]["id"].clone();
    let res = app
        .post(
            "/opportunities",
            &t,
            json!({"customer_id": c["id"], "title": "x", "stage_id": industry}),
        )
        .await;
    let body = res.expect(422);
    assert_eq!(body["code"], "validation_failed");
    assert_eq!(body["errors"][0]["field"], "stage_id");
    assert_eq!(body["errors"][0]["code"], "not_a_stage");
    let res = app
        .post(
            "/opportunities",
            &t,
            json!({"customer_id": c["id"], "title": "x", "probability": 101}),
        )
        .await;
    let body = res.expect(422);
    assert_eq!(body["errors"][0]["field"], "probability");
    let d = deal(app, &t, &c, json!({"title": "建站"})).await;
    let p = product(app, "BAD", "100").await;
    let quote = |lines: Value| json!({ "lines": lines });
    let res = app
        .post(
            &format!("/opportunities/{}/quotes", d["id"]),
            &t,
            quote(json!([{"product_id": p, "quantity": -1, "unit_price": "1"}])),
        )
        .await;
    assert_eq!(res.expect(422)["errors"][0]["field"], "lines[0].quantity");
    let res = app
        .post(
            &format!("/opportunities/{}/quotes", d["id"]),
            &t,
            quote(
                json!([{"product_id": p, "quantity": 1, "unit_price": "10", "discount": "10.01"}]),
            ),
        )
        .await;
    let body = res.expect(422);
    assert_eq!(body["errors"][0]["field"], "lines");
    assert_eq!(body["errors"][0]["code"], "discount_too_large");
    // A key contact of another customer; a competitor twice.
    let other = customer(app, &t, "威海长河商贸有限公司").await;
    let stranger = app
        .post(
            &format!("/customers/{}/contacts", other["id"]),
            &t,
            json!({"name": "外人"}),
        )
        .await
        .expect(201);
    let res = app
        .post(
            &format!("/opportunities/{}/contacts", d["id"]),
            &t,
            json!({"contact_id": stranger["id"], "role": "user"}),
        )
        .await;
    let body = res.expect(422);
    assert_eq!(body["errors"][0]["field"], "contact_id");
    assert_eq!(body["errors"][0]["code"], "not_customers_contact");
    let gm = app.login("gm").await;
    let k = app
        .post("/competitors", &gm, json!({"name": "百川"}))
        .await
        .expect(201);
    let add = json!({"competitor_id": k["id"], "threat": 2});
    app.post(
        &format!("/opportunities/{}/competitors", d["id"]),
        &t,
        add.clone(),
    )
    .await
    .expect(201);
    let body = app
        .post(&format!("/opportunities/{}/competitors", d["id"]), &t, add)
        .await
        .expect(422);
    assert_eq!(body["errors"][0]["field"], "competitor_id");
    assert_eq!(body["errors"][0]["code"], "already_added");
    let body = app
        .post(
            &format!("/opportunities/{}/competitors", d["id"]),
            &t,
            json!({"competitor_id": k["id"], "threat": 6}),
        )
        .await
        .expect(422);
    assert_eq!(body["errors"][0]["field"], "threat");
    // Accepting a rejected or expired quote.
    let q = app
        .post(
            &format!("/opportunities/{}/quotes", d["id"]),
            &t,
            quote(json!([{"product_id": p, "quantity": 1, "unit_price": "10"}])),
        )
        .await
        .expect(201);
    app.post(&format!("/quotes/{}/reject", q["id"]), &t, json!({}))
        .await
        .expect(200);
    let body = app
        .post(&format!("/quotes/{}/accept", q["id"]), &t, json!({}))
        .await
        .expect(422);
    assert_eq!(body["errors"][0]["field"], "status");
    assert_eq!(body["errors"][0]["code"], "quote_closed");
    let q2 = app
        .post(
            &format!("/opportunities/{}/quotes", d["id"]),
            &t,
            json!({"lines": [{"product_id": p, "quantity": 1, "unit_price": "10"}], "valid_until": company_day(0)}),
        )
        .await
        .expect(201);
    let db = app.pool();
    let mut conn = db.get().unwrap();
    // The scheduler, a day later, expires it and tells its owner.
    let report =
        crm_db::scheduler::run(&mut conn, chrono::Utc::now() + chrono::Duration::days(1)).unwrap();
    assert_eq!(report.quotes_expired, 1);
    let body = app
        .post(&format!("/quotes/{}/accept", q2["id"]), &t, json!({}))
        .await
        .expect(422);
    assert_eq!(body["errors"][0]["code"], "quote_expired");
    let notes = app.get("/notifications", &t).await.expect(200);
    assert!(notes.to_string().contains("quote_expired"), "{notes}");
    let past = app
        .post(
            &format!("/opportunities/{}/quotes", d["id"]),
            &t,
            json!({"lines": [{"product_id": p, "quantity": 1, "unit_price": "10"}], "valid_until": company_day(-1)}),
        )
        .await
        .expect(422);
    assert_eq!(past["errors"][0]["field"], "valid_until");
});

api_test!(
    quotes_are_exact_numbered_and_accepted_into_a_draft_order,
    |app| {
        let t = app.login("s1_a").await;
        let c = customer(app, &t, "潍坊金诺教育咨询有限公司").await;
        let d = deal(app, &t, &c, json!({"title": "全案营销", "amount": "3000"})).await;
        let a = product(app, "QA", "33.33").await;
        let b = product(app, "QB", "0.10").await;
        let lines = json!([
            {"product_id": a, "quantity": 3, "unit_price": "33.33", "discount": "0.99"},
            {"product_id": b, "quantity": 7, "unit_price": "0.10"}
        ]);
        let v1 = app
            .post(
                &format!("/opportunities/{}/quotes", d["id"]),
                &t,
                json!({"lines": lines, "notes": "第一版"}),
            )
            .await
            .expect(201);
        assert_eq!(v1["total"], "99.70", "99.99 − 0.99 + 0.70, exactly");
        assert_eq!(v1["version"], 1);
        let day = company_day(0).format("%Y%m%d").to_string();
        assert!(
            v1["number"]
                .as_str()
                .unwrap()
                .starts_with(&format!("QT{day}-"))
        );
        // Versions made at once get distinct numbers and versions.
        let path = format!("/opportunities/{}/quotes", d["id"]);
        let one = json!({"lines": [{"product_id": b, "quantity": 1, "unit_price": "0.10"}]});
        let made =
            futures_util::future::join_all((0..6).map(|_| app.post(&path, &t, one.clone()))).await;
        let mut numbers = vec![v1["number"].as_str().unwrap().to_string()];
        let mut versions = vec![1];
        for r in made {
            let q = r.expect(201);
            numbers.push(q["number"].as_str().unwrap().to_string());
            versions.push(q["version"].as_i64().unwrap());
        }
        numbers.sort();
        numbers.dedup();
        assert_eq!(numbers.len(), 7, "unique numbers");
        versions.sort();
        assert_eq!(versions, [1, 2, 3, 4, 5, 6, 7]);
        let sent = app
            .post(&format!("/quotes/{}/send", v1["id"]), &t, json!({}))
            .await
            .expect(200);
        assert_eq!(sent["status"], "sent");
        let accepted = app
            .post(&format!("/quotes/{}/accept", v1["id"]), &t, json!({}))
            .await
            .expect(200);
        assert_eq!(accepted["status"], "accepted");
        let order = app
            .get(&format!("/orders/{}", accepted["order_id"]), &t)
            .await
            .expect(200);
        assert_eq!(order["status"], "draft");
        assert_eq!(order["total"], "99.70");
        assert_eq!(order["opportunity_id"], d["id"]);
        let shape = |lines: &Value| -> Vec<(Value, Value, Value, Value, Value)> {
            lines
                .as_array()
                .unwrap()
                .iter()
                .map(|l| {
                    (
                        l["product"]["id"].clone(),
                        l["quantity"].clone(),
                        l["unit_price"].clone(),
                        l["discount"].clone(),
                        l["amount"].clone(),
                    )
                })
                .collect()
        };
        assert_eq!(shape(&order["lines"]), shape(&accepted["lines"]));
        let deal_now = app
            .get(&format!("/opportunities/{}", d["id"]), &t)
            .await
            .expect(200);
        assert_eq!(deal_now["status"], "won");
        let all = app
            .get(&format!("/opportunities/{}/quotes", d["id"]), &t)
            .await
            .expect(200);
        for q in all.as_array().unwrap() {
            let expected = if q["id"] == v1["id"] {
                "accepted"
            } else {
                "rejected"
            };
            assert_eq!(q["status"], expected, "{}", q["number"]);
        }
        // A won deal takes no more quotes.
        let res = app
            .post(
                &format!("/opportunities/{}/quotes", d["id"]),
                &t,
                json!({"lines": lines}),
            )
            .await;
        assert_eq!(res.problem(409), "opportunity_closed");
    }
);

api_test!(transfer_moves_open_deals_and_their_open_quotes, |app| {
    let admin = app.login("admin").await;
    let t = app.login("s1_a").await;
    let c = customer(app, &t, "临沂联兴物流有限公司").await;
    let p = product(app, "TR", "500").await;
    let open = deal(app, &t, &c, json!({"title": "在谈", "amount": "500"})).await;
    let q = app
        .post(
            &format!("/opportunities/{}/quotes", open["id"]),
            &t,
            json!({"lines": [{"product_id": p, "quantity": 1, "unit_price": "500"}]}),
        )
        .await
        .expect(201);
    let done = deal(app, &t, &c, json!({"title": "已赢"})).await;
    app.post(
        &format!("/opportunities/{}/win", done["id"]),
        &t,
        json!({"version": done["version"]}),
    )
    .await
    .expect(200);
    let from = app.user_id(&admin, "s1_a").await;
    let to = app.user_id(&admin, "s1_b").await;
    let moved = app
        .post(
            "/customer-transfers",
            &admin,
            json!({"from_user_id": from, "to_user_id": to, "customer_ids": [c["id"]], "reason": "分工调整"}),
        )
        .await
        .expect(201);
    assert_eq!(moved["moved"]["opportunities"], 1);
    assert_eq!(moved["moved"]["quotes"], 1);
    let b = app.login("s1_b").await;
    let now_open = app
        .get(&format!("/opportunities/{}", open["id"]), &b)
        .await
        .expect(200);
    assert_eq!(now_open["owner"]["id"], to);
    let quote = app
        .get(&format!("/quotes/{}", q["id"]), &b)
        .await
        .expect(200);
    assert_eq!(quote["owner"]["id"], to);
    // The won deal keeps its owner, so the new owner of the customer does not see it.
    let res = app.get(&format!("/opportunities/{}", done["id"]), &b).await;
    assert_eq!(res.problem(404), "not_found");
    let old = app
        .get(
            &format!("/opportunities/{}", done["id"]),
            &app.login("gm").await,
        )
        .await
        .expect(200);
    assert_eq!(old["owner"]["id"], from);
    // The pipeline follows: the open deal counts for the receiver now.
    let pipeline = app.get("/opportunities/pipeline", &b).await.expect(200);
    assert_eq!(pipeline["count"], 1);
    assert_eq!(pipeline["amount"], "500.00");
    let giver = app.get("/opportunities/pipeline", &t).await.expect(200);
    assert_eq!(giver["count"], 0);
});

api_test!(a_managers_pages_merge_the_team_in_order, |app| {
    let mut made = Vec::new();
    for (who, n) in [("s1_a", 3), ("s1_b", 2), ("s2_a", 2)] {
        let t = app.login(who).await;
        let c = customer(app, &t, &format!("{who}的分页测试有限公司")).await;
        for k in 0..n {
            let d = deal(app, &t, &c, json!({"title": format!("{who}-{k}")})).await;
            made.push((who, d["id"].as_i64().unwrap()));
        }
    }
    // The manager of 销售一部 sees s1_a's and s1_b's deals, newest change first, across pages.
    let mgr = app.login("s1_mgr").await;
    let paged = app.every_page(&mgr, "/opportunities?limit=2", "id").await;
    let mut expected: Vec<i64> = made
        .iter()
        .filter(|(who, _)| who.starts_with("s1_"))
        .map(|(_, id)| *id)
        .collect();
    expected.reverse();
    assert_eq!(paged, expected);
    let gm = app.login("gm").await;
    let all = app.every_page(&gm, "/opportunities?limit=3", "id").await;
    assert_eq!(all.len(), 7);
});

api_test!(
    a_sellers_deals_are_searched_by_title_a_page_at_a_time,
    |app| {
        let s1 = app.login("s1_a").await;
        let c = customer(app, &s1, "标题搜索测试有限公司").await;
        let mut mine = Vec::new();
        for title in ["官网改版一期", "年度推广", "官网改版二期", "官网改版三期"]
        {
            let d = deal(app, &s1, &c, json!({ "title": title })).await;
            if title.contains("官网") {
                mine.push(d["id"].as_i64().unwrap());
            }
        }
        let peer = app.login("s1_b").await;
        let theirs = customer(app, &peer, "标题搜索同事有限公司").await;
        deal(app, &peer, &theirs, json!({"title": "官网改版"})).await;
        // The seller's own matches, last changed first, across pages; the peer's is not among them.
        mine.reverse();
        let q = crate::support::enc("官网");
        let paged = app
            .every_page(&s1, &format!("/opportunities?q={q}&limit=2"), "id")
            .await;
        assert_eq!(paged, mine);
        // The manager above finds both sellers'; the general manager filters by owner.
        let mgr = app.login("s1_mgr").await;
        let all = app
            .every_page(&mgr, &format!("/opportunities?q={q}&limit=2"), "id")
            .await;
        assert_eq!(all.len(), 4);
        let gm = app.login("gm").await;
        let admin = app.login("admin").await;
        let owner = app.user_id(&admin, "s1_a").await;
        let by_owner = app
            .every_page(
                &gm,
                &format!("/opportunities?q={q}&owner_id={owner}&limit=2"),
                "id",
            )
            .await;
        assert_eq!(by_owner, mine);
    }
);

api_test!(
    a_stages_probability_is_set_by_the_administrator_and_only_on_stages,
    |app| {
        let admin = app.login("admin").await;
        let st = stages(app, &admin).await;
        let path = format!("/dictionaries/opportunity_stage/{}", st[0]["id"]);
        let body = app
            .patch(
                &path,
                &admin,
                json!({"version": st[0]["version"], "probability": 101}),
            )
            .await
            .expect(422);
        assert_eq!(body["errors"][0]["field"], "probability");
        let changed = app
            .patch(
                &path,
                &admin,
                json!({"version": st[0]["version"], "probability": 25}),
            )
            .await
            .expect(200);
        assert_eq!(changed["probability"], 25);
        let industry = app.get("/dictionaries/industry", &admin).await.expect(200)[0].clone();
        let body = app
            .patch(
                &format!("/dictionaries/industry/{}", industry["id"]),
                &admin,
                json!({"version": industry["version"], "probability": 5}),
            )
            .await
            .expect(422);
        assert_eq!(body["errors"][0]["field"], "probability");
        assert_eq!(body["errors"][0]["code"], "not_allowed");
        // New deals in that stage take the new default.
        let t = app.login("s1_a").await;
        let c = customer(app, &t, "德州同创商贸有限公司").await;
        let d = deal(app, &t, &c, json!({"title": "默认概率", "amount": "100"})).await;
        assert_eq!(d["probability"], 25);
        assert_eq!(d["weighted_amount"], "25.00");
    }
);
