//! Expenses: who sees whose, who decides (never the spender, only a manager over them), locking
//! once decided, bad input, and the analysis — expense-to-revenue on a hand-computed fixture, the
//! monthly summary agreeing with the expenses, CSV.

use crate::api_test;
use crate::support::{TestApp, company_day, ids};
use serde_json::{Value, json};

async fn category(app: &TestApp, token: &str) -> i64 {
    app.get("/dictionaries/expense_category", token)
        .await
        .expect(200)[0]["id"]
        .as_i64()
        .unwrap()
}

async fn file(app: &TestApp, token: &str, body: Value) -> Value {
    let mut body = body;
    if body.get("category_id").is_none() {
        body["category_id"] = json!(category(app, token).await);
    }
    if body.get("spent_on").is_none() {
        body["spent_on"] = json!(company_day(0));
    }
    if body.get("description").is_none() {
        body["description"] = json!("拜访客户打车");
    }
    app.post("/expenses", token, body).await.expect(201)
}

async fn decide(app: &TestApp, who: &str, x: &Value, action: &str, reason: Option<&str>) -> Value {
    let t = app.login(who).await;
    let current = app
        .get(&format!("/expenses/{}", x["id"]), &t)
        .await
        .expect(200);
    let mut body = json!({"version": current["version"]});
    if let Some(r) = reason {
        body["reason"] = json!(r);
    }
    app.post(&format!("/expenses/{}/{action}", x["id"]), &t, body)
        .await
        .expect(200)
}

api_test!(visibility_matrix_for_every_expense_endpoint, |app| {
    let owner = app.login("s1_a").await;
    let c = app
        .post(
            "/customers",
            &owner,
            json!({"name": "青岛海润食品有限公司"}),
        )
        .await
        .expect(201);
    let x = file(
        app,
        &owner,
        json!({"amount": "128.50", "customer_id": c["id"]}),
    )
    .await;
    let id = x["id"].as_i64().unwrap();
    assert_eq!(x["status"], "submitted");
    assert_eq!(x["amount"], "128.50");
    assert_eq!(x["customer"]["name"], "青岛海润食品有限公司");
    assert_eq!(x["department"]["name"], "销售一部");

    let matrix = [
        ("s1_a", Some(true)),      // the spender
        ("s1_b", Some(false)),     // a peer in the same department (scope self)
        ("s2_a", Some(false)),     // a user in another department
        ("s1_mgr", Some(true)),    // the manager above
        ("sales_dir", Some(true)), // the director above that
        ("s2_mgr", Some(false)),   // the manager of a sibling department
        ("fin_a", Some(true)),     // finance reads everyone's
        ("cs_a", None),            // service: no expense permission at all
        ("gm", Some(true)),        // scope all
        ("admin", Some(true)),     // administrators read them, to reopen
    ];
    for (who, sees) in matrix {
        let t = app.login(who).await;
        let one = app.get(&format!("/expenses/{id}"), &t).await;
        let list = app.get("/expenses?limit=200", &t).await;
        let report = app
            .get(
                &format!(
                    "/reports/expenses?group_by=customer&status=all&customer_id={}",
                    c["id"]
                ),
                &t,
            )
            .await;
        match sees {
            None => {
                assert_eq!(one.problem(403), "forbidden", "{who}");
                assert_eq!(list.problem(403), "forbidden", "{who}");
                assert_eq!(report.problem(403), "forbidden", "{who}");
            }
            Some(true) => {
                assert_eq!(one.expect(200)["id"], id, "{who}");
                assert!(ids(&list.expect(200)).contains(&id), "{who}");
                assert_eq!(report.expect(200)["totals"]["amount"], "128.50", "{who}");
            }
            Some(false) => {
                assert_eq!(one.problem(404), "not_found", "{who}");
                assert!(!ids(&list.expect(200)).contains(&id), "{who}");
                let r = report.expect(200);
                assert_eq!(r["totals"]["count"], 0, "{who}: {r}");
            }
        }
    }
    // Writes: out of scope is 404 like a missing one; without the permission 403.
    for who in ["s1_b", "s2_a"] {
        let t = app.login(who).await;
        let res = app
            .patch(
                &format!("/expenses/{id}"),
                &t,
                json!({"version": 1, "amount": "1"}),
            )
            .await;
        assert_eq!(res.problem(404), "not_found", "{who}");
        assert_eq!(
            app.delete(&format!("/expenses/{id}"), &t)
                .await
                .problem(404),
            "not_found"
        );
    }
    let t = app.login("s2_mgr").await;
    let res = app
        .post(
            &format!("/expenses/{id}/approve"),
            &t,
            json!({"version": 1}),
        )
        .await;
    assert_eq!(
        res.problem(404),
        "not_found",
        "a manager out of scope cannot approve"
    );
    let res = app
        .post(
            &format!("/expenses/{id}/approve"),
            &owner,
            json!({"version": 1}),
        )
        .await;
    assert_eq!(
        res.problem(403),
        "forbidden",
        "a salesperson does not approve"
    );
    let fin = app.login("fin_a").await;
    let res = app
        .post(
            &format!("/expenses/{id}/approve"),
            &fin,
            json!({"version": 1}),
        )
        .await;
    assert_eq!(
        res.problem(403),
        "forbidden",
        "finance reads, it does not approve"
    );
    // A customer with expenses keeps its history.
    let manager = app.login("s1_mgr").await;
    let res = app
        .delete(&format!("/customers/{}", c["id"]), &manager)
        .await;
    assert_eq!(res.problem(409), "customer_has_expenses");
    // The spender edits while it waits.
    let edited = app
        .patch(
            &format!("/expenses/{id}"),
            &owner,
            json!({"version": 1, "amount": "130.00", "description": "打车往返"}),
        )
        .await
        .expect(200);
    assert_eq!(edited["amount"], "130.00");
    assert_eq!(edited["customer"]["id"], c["id"], "a link left out stays");
});

api_test!(
    approval_is_by_a_manager_over_the_spender_never_the_spender,
    |app| {
        let owner = app.login("s1_a").await;
        let manager = app.login("s1_mgr").await;
        let x = file(app, &owner, json!({"amount": "300"})).await;
        // The manager was told.
        let notes = app.get("/notifications", &manager).await.expect(200);
        assert!(notes.to_string().contains("expense_submitted"), "{notes}");

        // The manager's own expense: not by himself, even though he approves others.
        let own = file(app, &manager, json!({"amount": "80"})).await;
        let res = app
            .post(
                &format!("/expenses/{}/approve", own["id"]),
                &manager,
                json!({"version": 1}),
            )
            .await;
        assert_eq!(res.problem(409), "own_expense");
        let res = app
            .post(
                &format!("/expenses/{}/reject", own["id"]),
                &manager,
                json!({"version": 1, "reason": "自己驳回"}),
            )
            .await;
        assert_eq!(res.problem(409), "own_expense");
        // His director decides it, and was the one told.
        let dir = app.login("sales_dir").await;
        let notes = app.get("/notifications", &dir).await.expect(200);
        assert!(notes.to_string().contains("expense_submitted"), "{notes}");
        decide(app, "sales_dir", &own, "approve", None).await;

        // The queue of what the manager may decide holds his people's, not his own.
        let queue = app
            .get("/expenses?approvable=true&limit=200", &manager)
            .await
            .expect(200);
        assert!(ids(&queue).contains(&x["id"].as_i64().unwrap()));
        assert!(!ids(&queue).contains(&own["id"].as_i64().unwrap()));

        let approved = decide(app, "s1_mgr", &x, "approve", None).await;
        assert_eq!(approved["status"], "approved");
        assert_eq!(approved["decided_by"]["name"], "销售一部经理");
        let notes = app.get("/notifications", &owner).await.expect(200);
        assert!(notes.to_string().contains("expense_approved"), "{notes}");
        // Locked once decided.
        let v = approved["version"].clone();
        let res = app
            .post(
                &format!("/expenses/{}/approve", x["id"]),
                &manager,
                json!({"version": v}),
            )
            .await;
        assert_eq!(res.problem(409), "expense_decided");
        let res = app
            .post(
                &format!("/expenses/{}/reject", x["id"]),
                &manager,
                json!({"version": v, "reason": "再驳回"}),
            )
            .await;
        assert_eq!(res.problem(409), "expense_decided");
        let res = app
            .patch(
                &format!("/expenses/{}", x["id"]),
                &owner,
                json!({"version": v, "amount": "1"}),
            )
            .await;
        assert_eq!(res.problem(409), "expense_decided");
        let res = app.delete(&format!("/expenses/{}", x["id"]), &owner).await;
        assert_eq!(res.problem(409), "expense_decided");
        // A manager cannot reopen; an administrator can, with a reason.
        let res = app
            .post(
                &format!("/expenses/{}/reopen", x["id"]),
                &manager,
                json!({"version": v, "reason": "重开"}),
            )
            .await;
        assert_eq!(res.problem(403), "forbidden");
        let admin = app.login("admin").await;
        let res = app
            .post(
                &format!("/expenses/{}/reopen", x["id"]),
                &admin,
                json!({"version": v}),
            )
            .await;
        assert_eq!(res.problem(422), "validation_failed", "a reason is needed");
        let reopened = decide(app, "admin", &x, "reopen", Some("发票金额有误")).await;
        assert_eq!(reopened["status"], "submitted");
        assert_eq!(reopened["reason"], "发票金额有误");
        let res = app
            .post(
                &format!("/expenses/{}/reopen", x["id"]),
                &admin,
                json!({"version": reopened["version"], "reason": "再开"}),
            )
            .await;
        assert_eq!(res.problem(409), "invalid_status_move");
        // Rejecting needs a reason; the general manager may.
        let gm = app.login("gm").await;
        let res = app
            .post(
                &format!("/expenses/{}/reject", x["id"]),
                &gm,
                json!({"version": reopened["version"], "reason": "  "}),
            )
            .await;
        assert_eq!(res.problem(422), "validation_failed");
        let rejected = decide(app, "gm", &x, "reject", Some("无发票")).await;
        assert_eq!(rejected["status"], "rejected");
        assert_eq!(rejected["reason"], "无发票");
        // A stale version is refused.
        let res = app
            .post(
                &format!("/expenses/{}/reopen", x["id"]),
                &admin,
                json!({"version": 1, "reason": "旧版本"}),
            )
            .await;
        assert_eq!(res.problem(409), "stale_version");
        // A withdrawn (deleted) expense is gone.
        let y = file(app, &owner, json!({"amount": "5"})).await;
        app.delete(&format!("/expenses/{}", y["id"]), &owner)
            .await
            .expect(204);
        let res = app.get(&format!("/expenses/{}", y["id"]), &owner).await;
        assert_eq!(res.problem(404), "not_found");
    }
);

api_test!(bad_expenses_are_refused_with_a_stable_code, |app| {
    let owner = app.login("s1_a").await;
    let cat = category(app, &owner).await;
    let industry = app.get("/dictionaries/industry", &owner).await.expect(200)[0]["id"].clone();
    let base = json!({"spent_on": company_day(0), "amount": "10", "category_id": cat, "description": "打车"});
    let with = |k: &str, v: Value| {
        let mut b = base.clone();
        b[k] = v;
        b
    };
    let cases = [
        (with("amount", json!("0")), "amount", "not_positive"),
        (with("amount", json!("-5")), "amount", "not_positive"),
        (
            with("amount", json!("10000000.01")),
            "amount",
            "expense_too_large",
        ),
        (
            with("spent_on", json!(company_day(1))),
            "spent_on",
            "in_the_future",
        ),
        (with("category_id", industry), "category_id", "not_found"),
        (with("description", json!("   ")), "description", "blank"),
    ];
    for (body, field, code) in cases {
        let res = app
            .post("/expenses", &owner, body.clone())
            .await
            .expect(422);
        assert_eq!(res["errors"][0]["field"], field, "{body}");
        assert_eq!(res["errors"][0]["code"], code, "{body}");
    }
    let res = app
        .post("/expenses", &owner, with("amount", json!(12.5)))
        .await;
    assert_eq!(res.status, 422, "money is a string, never a float");

    // Links: visible to the spender, and of one customer.
    let mine = app
        .post(
            "/customers",
            &owner,
            json!({"name": "烟台明远建材有限公司"}),
        )
        .await
        .expect(201);
    let other = app
        .post(
            "/customers",
            &owner,
            json!({"name": "潍坊福瑞纺织有限公司"}),
        )
        .await
        .expect(201);
    let deal = app
        .post(
            "/opportunities",
            &owner,
            json!({"customer_id": other["id"], "title": "网站改版"}),
        )
        .await
        .expect(201);
    let res = app
        .post(
            "/expenses",
            &owner,
            json!({"spent_on": company_day(0), "amount": "10", "category_id": cat, "description": "招待",
                   "customer_id": mine["id"], "opportunity_id": deal["id"]}),
        )
        .await
        .expect(422);
    assert_eq!(res["errors"][0]["field"], "opportunity_id");
    assert_eq!(res["errors"][0]["code"], "not_of_customer");
    // The deal alone brings its customer.
    let x = file(
        app,
        &owner,
        json!({"amount": "10", "opportunity_id": deal["id"]}),
    )
    .await;
    assert_eq!(x["customer"]["id"], other["id"]);
    assert_eq!(x["opportunity"]["name"], "网站改版");
    let theirs = app.login("s2_a").await;
    let hidden = app
        .post(
            "/customers",
            &theirs,
            json!({"name": "临沂金鼎物流有限公司"}),
        )
        .await
        .expect(201);
    let res = app
        .post(
            "/expenses",
            &owner,
            json!({"spent_on": company_day(0), "amount": "10", "category_id": cat, "description": "招待",
                   "customer_id": hidden["id"]}),
        )
        .await
        .expect(422);
    assert_eq!(res["errors"][0]["field"], "customer_id");

    // Filing for someone: a manager for one of theirs, nobody else.
    let s1_a = app.user_id(&app.login("admin").await, "s1_a").await;
    let s2_a = app.user_id(&app.login("admin").await, "s2_a").await;
    let res = app
        .post("/expenses", &theirs, with("spender_id", json!(s1_a)))
        .await
        .expect(422);
    assert_eq!(res["errors"][0]["code"], "out_of_scope");
    let manager = app.login("s1_mgr").await;
    let res = app
        .post("/expenses", &manager, with("spender_id", json!(s2_a)))
        .await
        .expect(422);
    assert_eq!(res["errors"][0]["code"], "out_of_scope");
    let filed = app
        .post("/expenses", &manager, with("spender_id", json!(s1_a)))
        .await
        .expect(201);
    assert_eq!(filed["spender"]["id"], s1_a);
    // …and he may then approve it: it is not his own.
    decide(app, "s1_mgr", &filed, "approve", None).await;
    // Unknown fields are refused, not ignored.
    let res = app
        .post("/expenses", &owner, with("amout", json!("1")))
        .await;
    assert_eq!(res.status, 422);
});

api_test!(expense_to_revenue_on_a_hand_computed_fixture, |app| {
    let owner = app.login("s1_a").await;
    let admin = app.login("admin").await;
    let p = app
        .post(
            "/products",
            &admin,
            json!({"code": "E2R", "name": "推广套餐", "unit": "套", "list_price": "10000"}),
        )
        .await
        .expect(201);
    let c = app
        .post(
            "/customers",
            &owner,
            json!({"name": "济宁华泰机电有限公司"}),
        )
        .await
        .expect(201);
    let o = app
        .post(
            "/orders",
            &owner,
            json!({"customer_id": c["id"], "lines": [{"product_id": p["id"], "quantity": 1, "unit_price": "10000"}]}),
        )
        .await
        .expect(201);
    let o = app
        .post(
            &format!("/orders/{}/sign", o["id"]),
            &owner,
            json!({"version": o["version"]}),
        )
        .await
        .expect(200);
    app.send(
        reqwest::Method::PUT,
        &format!("/orders/{}/payment-plan", o["id"]),
        Some(&owner),
        Some(json!({"installments": [{"due_date": company_day(0), "amount": "10000"}]})),
    )
    .await
    .expect(200);
    let fin = app.login("fin_a").await;
    let method = app
        .get("/dictionaries/payment_method", &fin)
        .await
        .expect(200)[0]["id"]
        .clone();
    app.post(
        &format!("/orders/{}/receipts", o["id"]),
        &fin,
        json!({"amount": "8000.00", "received_on": company_day(0), "method_id": method}),
    )
    .await
    .expect(201);

    // Approved 500.00 + 300.50 on the customer; 100.00 waiting; 200.00 rejected; 70.00 approved
    // without a customer.
    let a = file(
        app,
        &owner,
        json!({"amount": "500.00", "customer_id": c["id"]}),
    )
    .await;
    let b = file(
        app,
        &owner,
        json!({"amount": "300.50", "order_id": o["id"], "spent_on": company_day(-1)}),
    )
    .await;
    assert_eq!(
        b["customer"]["id"], c["id"],
        "the order brings its customer"
    );
    file(
        app,
        &owner,
        json!({"amount": "100.00", "customer_id": c["id"]}),
    )
    .await;
    let r = file(
        app,
        &owner,
        json!({"amount": "200.00", "customer_id": c["id"]}),
    )
    .await;
    let n = file(app, &owner, json!({"amount": "70.00"})).await;
    decide(app, "s1_mgr", &a, "approve", None).await;
    decide(app, "s1_mgr", &b, "approve", None).await;
    decide(app, "s1_mgr", &n, "approve", None).await;
    decide(app, "s1_mgr", &r, "reject", Some("重复报销")).await;

    let from = company_day(-1);
    let to = company_day(0);
    let path = |extra: &str| {
        format!(
            "/reports/expenses?group_by=customer&customer_id={}&from={from}&to={to}{extra}",
            c["id"]
        )
    };
    let gm = app.login("gm").await;
    let report = app.get(&path(""), &gm).await.expect(200);
    assert_eq!(report["rows"].as_array().unwrap().len(), 1, "{report}");
    let row = &report["rows"][0];
    assert_eq!(row["key"], c["id"].to_string());
    assert_eq!(row["label"], "济宁华泰机电有限公司");
    assert_eq!(row["count"], 2);
    assert_eq!(row["amount"], "800.50");
    assert_eq!(row["revenue"], "8000.00");
    // 800.50 / 8000.00 = 10.00625 %
    assert_eq!(row["expense_ratio"], "10.01");
    assert_eq!(report["totals"]["amount"], "800.50");
    assert_eq!(report["totals"]["revenue"], "8000.00");
    // With the waiting one: 900.50 / 8000.00 = 11.25625 %; rejected never counts.
    let all = app.get(&path("&status=all"), &gm).await.expect(200);
    assert_eq!(all["rows"][0]["amount"], "900.50");
    assert_eq!(all["rows"][0]["count"], 3);
    assert_eq!(all["rows"][0]["expense_ratio"], "11.26");
    let waiting = app.get(&path("&status=submitted"), &gm).await.expect(200);
    assert_eq!(waiting["rows"][0]["amount"], "100.00");
    assert_eq!(waiting["rows"][0]["expense_ratio"], "1.25");
    // The spender sees the same; a peer sees nothing of it.
    let own = app.get(&path(""), &owner).await.expect(200);
    assert_eq!(own["rows"], report["rows"]);
    let peer = app.login("s1_b").await;
    let theirs = app.get(&path(""), &peer).await.expect(200);
    assert_eq!(theirs["rows"], json!([]), "{theirs}");

    // The same period by department, spender, category and month adds up to the same, with
    // the expense without a customer; CSV carries the same rows.
    let s1_a = app.user_id(&app.login("admin").await, "s1_a").await;
    let mut totals = Vec::new();
    for g in ["department", "owner", "category", "month"] {
        let r = app
            .get(
                &format!("/reports/expenses?group_by={g}&owner_id={s1_a}&from={from}&to={to}"),
                &gm,
            )
            .await
            .expect(200);
        totals.push(r["totals"]["amount"].clone());
    }
    assert!(totals.iter().all(|t| *t == totals[0]), "{totals:?}");
    let csv = app
        .client
        .get(format!("{}{}", app.base, path("&format=csv")))
        .bearer_auth(&gm)
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), 200);
    assert!(
        csv.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let text = csv.text().await.unwrap();
    assert!(text.starts_with('\u{feff}'), "a byte-order mark for Excel");
    assert!(
        text.contains("济宁华泰机电有限公司,2,800.50,8000.00,10.01"),
        "{text}"
    );
    assert!(text.contains("合计,2,800.50,8000.00,10.01"), "{text}");
    let bad = app
        .get(&format!("/reports/expenses?from={to}&to={from}"), &gm)
        .await;
    assert_eq!(bad.problem(422), "validation_failed");
});

api_test!(
    whole_months_and_ragged_ends_add_up_like_the_expenses,
    |app| {
        // Expenses over three months, read through the monthly summary and the days around it.
        let owner = app.login("s1_a").await;
        let gm = app.login("gm").await;
        let s1_a = app.user_id(&app.login("admin").await, "s1_a").await;
        let days = [-75, -62, -40, -33, -31, -20, -3, 0];
        let mut expected = 0i64;
        for (i, d) in days.iter().enumerate() {
            let amount = 100 * (i as i64 + 1) + 7;
            let x = file(
                app,
                &owner,
                json!({"amount": format!("{amount}.00"), "spent_on": company_day(*d)}),
            )
            .await;
            decide(app, "s1_mgr", &x, "approve", None).await;
            if *d >= -70 {
                expected += amount;
            }
        }
        let (from, to) = (company_day(-70), company_day(0));
        for g in ["department", "owner", "category", "month"] {
            let r = app
                .get(
                    &format!("/reports/expenses?group_by={g}&owner_id={s1_a}&from={from}&to={to}"),
                    &gm,
                )
                .await
                .expect(200);
            assert_eq!(r["totals"]["amount"], format!("{expected}.00"), "{g}: {r}");
            assert_eq!(r["totals"]["count"], 7, "{g}");
        }
        // By month: every month of the period in order, the sums of its days.
        let r = app
            .get(
                &format!("/reports/expenses?group_by=month&owner_id={s1_a}&from={from}&to={to}"),
                &gm,
            )
            .await
            .expect(200);
        let months: Vec<String> = r["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["key"].as_str().unwrap().to_string())
            .collect();
        let mut sorted = months.clone();
        sorted.sort();
        assert_eq!(months, sorted);
        assert_eq!(months.first().unwrap(), &from.format("%Y-%m").to_string());
        assert_eq!(months.last().unwrap(), &to.format("%Y-%m").to_string());

        // The whole company as the general manager sees it: by person it is read from the
        // per-spender summary, by department, category and month from the department summary;
        // all four add up to the same, approved or everything.
        for status in ["approved", "all"] {
            let mut totals: Vec<Value> = Vec::new();
            for g in ["owner", "department", "category", "month"] {
                let r = app
                    .get(
                        &format!(
                            "/reports/expenses?group_by={g}&status={status}&from={from}&to={to}"
                        ),
                        &gm,
                    )
                    .await
                    .expect(200);
                totals.push(r["totals"].clone());
            }
            assert!(
                totals[0]["count"].as_i64().unwrap() >= 7,
                "{status}: {totals:?}"
            );
            for t in &totals[1..] {
                assert_eq!(t["count"], totals[0]["count"], "{status}: {totals:?}");
                assert_eq!(t["amount"], totals[0]["amount"], "{status}: {totals:?}");
            }
        }
    }
);
