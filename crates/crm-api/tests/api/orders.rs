//! The money trail: products, orders with exact totals, status moves, payment plans, receipts and
//! their reversal, receivables and aging on the company's calendar, visibility, transfers, dunning.

use crate::api_test;
use crate::support::{TestApp, company_day};
use chrono::{Days, NaiveDate};
use serde_json::{Value, json};

fn today() -> NaiveDate {
    company_day(0)
}

fn day(offset: i64) -> NaiveDate {
    company_day(offset)
}

/// The administrator creates a product; answers its id.
pub(crate) async fn product(app: &TestApp, code: &str, price: &str, months: Option<i32>) -> i64 {
    let admin = app.login("admin").await;
    let p = app
        .post(
            "/products",
            &admin,
            json!({"code": code, "name": format!("产品{code}"), "unit": "套", "list_price": price,
                   "renewable": months.is_some(), "service_months": months}),
        )
        .await
        .expect(201);
    p["id"].as_i64().unwrap()
}

pub(crate) async fn customer(app: &TestApp, token: &str, name: &str) -> Value {
    app.post("/customers", token, json!({"name": name}))
        .await
        .expect(201)
}

pub(crate) async fn order(app: &TestApp, token: &str, customer: &Value, lines: Value) -> Value {
    app.post(
        "/orders",
        token,
        json!({"customer_id": customer["id"], "lines": lines}),
    )
    .await
    .expect(201)
}

pub(crate) async fn act(app: &TestApp, token: &str, order: &Value, action: &str) -> Value {
    let current = app
        .get(&format!("/orders/{}", order["id"]), token)
        .await
        .expect(200);
    app.post(
        &format!("/orders/{}/{action}", order["id"]),
        token,
        json!({"version": current["version"]}),
    )
    .await
    .expect(200)
}

pub(crate) async fn plan(
    app: &TestApp,
    token: &str,
    order: &Value,
    parts: &[(NaiveDate, &str)],
) -> Value {
    let installments: Vec<Value> = parts
        .iter()
        .map(|(d, a)| json!({"due_date": d, "amount": a}))
        .collect();
    app.send(
        reqwest::Method::PUT,
        &format!("/orders/{}/payment-plan", order["id"]),
        Some(token),
        Some(json!({"installments": installments})),
    )
    .await
    .expect(200)
}

async fn method(app: &TestApp, token: &str) -> i64 {
    app.get("/dictionaries/payment_method", token)
        .await
        .expect(200)[0]["id"]
        .as_i64()
        .unwrap()
}

async fn receipt(app: &TestApp, token: &str, order: &Value, amount: &str) -> crate::support::Res {
    receipt_on(app, token, order, amount, today()).await
}

/// A receipt of `amount` on `order`, received on `on`.
pub(crate) async fn receipt_on(
    app: &TestApp,
    token: &str,
    order: &Value,
    amount: &str,
    on: NaiveDate,
) -> crate::support::Res {
    let m = method(app, token).await;
    app.send(
        reqwest::Method::POST,
        &format!("/orders/{}/receipts", order["id"]),
        Some(token),
        Some(json!({"amount": amount, "received_on": on, "method_id": m})),
    )
    .await
}

/// A signed order of `amount` for a new customer of `owner`, with a one-installment plan due on `due`.
pub(crate) async fn signed_order(
    app: &TestApp,
    owner: &str,
    name: &str,
    amount: &str,
    due: NaiveDate,
) -> Value {
    let token = app.login(owner).await;
    let p = product(app, "SIGNED", amount, None).await;
    let c = customer(app, &token, name).await;
    let o = order(
        app,
        &token,
        &c,
        json!([{"product_id": p, "quantity": 1, "unit_price": amount}]),
    )
    .await;
    let o = act(app, &token, &o, "sign").await;
    plan(app, &token, &o, &[(due, amount)]).await;
    o
}

/// A new product at `price`, a new customer of the caller, and a signed order of one of it.
async fn signed_one(
    app: &TestApp,
    token: &str,
    code: &str,
    name: &str,
    price: &str,
) -> (Value, Value) {
    let p = product(app, code, price, None).await;
    let c = customer(app, token, name).await;
    let o = order(
        app,
        token,
        &c,
        json!([{"product_id": p, "quantity": 1, "unit_price": price}]),
    )
    .await;
    let o = act(app, token, &o, "sign").await;
    (c, o)
}

async fn manager_of(app: &TestApp) -> String {
    app.login("s2_mgr").await
}

api_test!(products_are_managed_by_administrators, |app| {
    let admin = app.login("admin").await;
    let rep = app.login("s1_a").await;
    let id = product(app, "ADV-Y", "12800.00", Some(12)).await;
    let dup = app
        .post(
            "/products",
            &admin,
            json!({"code": "ADV-Y", "name": "x", "unit": "年", "list_price": "1"}),
        )
        .await;
    assert_eq!(dup.body["errors"][0]["code"], "duplicate_code");
    let no_months = app
        .post(
            "/products",
            &admin,
            json!({"code": "SEO", "name": "x", "unit": "月", "list_price": "1", "renewable": true}),
        )
        .await;
    assert_eq!(no_months.body["errors"][0]["field"], "service_months");
    for bad in [json!("-1.00"), json!("1.001"), json!(12)] {
        let res = app
            .post(
                "/products",
                &admin,
                json!({"code": "BAD", "name": "x", "unit": "个", "list_price": bad}),
            )
            .await;
        assert_eq!(res.status, 422, "{bad}");
    }
    assert_eq!(
        app.post(
            "/products",
            &rep,
            json!({"code": "X", "name": "x", "unit": "个", "list_price": "1"})
        )
        .await
        .problem(403),
        "forbidden"
    );
    let list = app.get("/products", &rep).await.expect(200);
    assert_eq!(list[0]["list_price"], "12800.00");
    assert_eq!(list[0]["service_months"], 12);
    // In use: not deleted, disabled instead.
    let c = customer(app, &rep, "济宁联兴商贸有限公司").await;
    order(
        app,
        &rep,
        &c,
        json!([{"product_id": id, "quantity": 1, "unit_price": "12800"}]),
    )
    .await;
    assert_eq!(
        app.delete(&format!("/products/{id}"), &admin)
            .await
            .problem(409),
        "product_in_use"
    );
    app.patch(
        &format!("/products/{id}"),
        &admin,
        json!({"enabled": false, "version": list[0]["version"]}),
    )
    .await
    .expect(200);
    assert!(
        app.get("/products", &rep)
            .await
            .expect(200)
            .as_array()
            .unwrap()
            .is_empty()
    );
    let res = app
        .post(
            "/orders",
            &rep,
            json!({"customer_id": c["id"], "lines": [{"product_id": id, "quantity": 1, "unit_price": "1"}]}),
        )
        .await;
    assert_eq!(res.body["errors"][0]["code"], "no_such_product");
});

api_test!(order_totals_are_exact_and_numbers_unique, |app| {
    let rep = app.login("s1_a").await;
    let a = product(app, "A", "33.33", None).await;
    let b = product(app, "B", "0.10", Some(12)).await;
    let c = customer(app, &rep, "青岛永盛网络科技有限公司").await;
    let o = order(
        app,
        &rep,
        &c,
        json!([{"product_id": a, "quantity": 3, "unit_price": "33.33"},
               {"product_id": b, "quantity": 7, "unit_price": "0.10", "discount": "0.05"}]),
    )
    .await;
    assert_eq!(o["lines"][0]["amount"], "99.99");
    assert_eq!(o["lines"][1]["amount"], "0.65");
    assert_eq!(o["total"], "100.64");
    assert_eq!(o["status"], "draft");
    assert_eq!(o["owner"]["id"], c["owner"]["id"]);
    // A renewable product gets a service period from today: twelve months, to the day before.
    assert_eq!(o["service_start"], today().to_string());
    let end = today()
        .checked_add_months(chrono::Months::new(12))
        .unwrap()
        .pred_opt()
        .unwrap();
    assert_eq!(o["service_end"], end.to_string());
    let number = o["number"].as_str().unwrap();
    assert!(
        number.starts_with(&format!("SO{}-", today().format("%Y%m%d"))),
        "{number}"
    );
    // A discount larger than the line is refused; so are bad quantities and amounts.
    for (line, code) in [
        (
            json!({"product_id": a, "quantity": 1, "unit_price": "1.00", "discount": "1.01"}),
            "discount_too_large",
        ),
        (
            json!({"product_id": a, "quantity": 0, "unit_price": "1.00"}),
            "range",
        ),
        (
            json!({"product_id": a, "quantity": 1, "unit_price": "-1"}),
            "negative",
        ),
        (
            json!({"product_id": 9999, "quantity": 1, "unit_price": "1"}),
            "no_such_product",
        ),
    ] {
        let res = app
            .post(
                "/orders",
                &rep,
                json!({"customer_id": c["id"], "lines": [line]}),
            )
            .await;
        assert_eq!(res.status, 422, "{code}");
        assert_eq!(res.body["errors"][0]["code"], code);
    }
    // Numbers stay unique when orders are created at the same moment.
    let mut calls = Vec::new();
    for _ in 0..8 {
        let body = json!({"customer_id": c["id"], "lines": [{"product_id": a, "quantity": 1, "unit_price": "1"}]});
        calls.push(app.post("/orders", &rep, body));
    }
    let mut numbers: Vec<String> = futures_util::future::join_all(calls)
        .await
        .into_iter()
        .map(|r| r.expect(201)["number"].as_str().unwrap().to_string())
        .collect();
    numbers.push(number.to_string());
    numbers.sort();
    numbers.dedup();
    assert_eq!(numbers.len(), 9);
});

api_test!(status_moves_signing_level_and_grade, |app| {
    let rep = app.login("s2_a").await;
    let p = product(app, "ADV", "12000.00", None).await;
    let c = customer(app, &rep, "烟台佳和餐饮管理有限公司").await;
    assert_eq!(c["level"], "lead");
    let o = order(
        app,
        &rep,
        &c,
        json!([{"product_id": p, "quantity": 1, "unit_price": "12000"}]),
    )
    .await;
    for refused in ["start", "complete"] {
        let res = app
            .post(
                &format!("/orders/{}/{refused}", o["id"]),
                &rep,
                json!({"version": o["version"]}),
            )
            .await;
        assert_eq!(res.problem(409), "invalid_status_move", "{refused}");
    }
    let stale = app
        .post(
            &format!("/orders/{}/sign", o["id"]),
            &rep,
            json!({"version": 99}),
        )
        .await;
    assert_eq!(stale.problem(409), "stale_version");
    let signed = app
        .post(
            &format!("/orders/{}/sign", o["id"]),
            &rep,
            json!({"version": o["version"], "signed_on": day(-2)}),
        )
        .await
        .expect(200);
    assert_eq!(signed["status"], "signed");
    assert_eq!(signed["signed_on"], day(-2).to_string());
    // Lines no longer change.
    let res = app
        .patch(
            &format!("/orders/{}", o["id"]),
            &rep,
            json!({"lines": [{"product_id": p, "quantity": 2, "unit_price": "1"}], "version": signed["version"]}),
        )
        .await;
    assert_eq!(res.problem(409), "order_not_draft");
    // The customer is signed, with the grade its signed total earns (10 000 ≤ 12 000 < 50 000: 2).
    let after = app
        .get(&format!("/customers/{}", c["id"]), &rep)
        .await
        .expect(200);
    assert_eq!(after["level"], "signed");
    assert_eq!(after["grade"], 2);
    assert_eq!(after["signed_total"], "12000.00");
    let history = app
        .get(&format!("/customers/{}/history", c["id"]), &rep)
        .await
        .expect(200);
    assert!(
        history["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["action"] == "level" && h["changes"]["reason"] == "order signed")
    );
    let running = act(app, &rep, &o, "start").await;
    assert_eq!(running["status"], "executing");
    let done = act(app, &rep, &o, "complete").await;
    assert_eq!(done["status"], "completed");
    let res = app
        .post(
            &format!("/orders/{}/cancel", o["id"]),
            &rep,
            json!({"version": done["version"]}),
        )
        .await;
    assert_eq!(res.problem(409), "invalid_status_move");
    // A draft can be cancelled; its customer's total does not count it.
    let d = order(
        app,
        &rep,
        &c,
        json!([{"product_id": p, "quantity": 5, "unit_price": "12000"}]),
    )
    .await;
    let cancelled = app
        .post(
            &format!("/orders/{}/cancel", d["id"]),
            &rep,
            json!({"version": d["version"], "reason": "客户预算取消"}),
        )
        .await
        .expect(200);
    assert_eq!(cancelled["status"], "cancelled");
    // A customer with orders is not deleted: its money history stays.
    assert_eq!(
        app.delete(&format!("/customers/{}", c["id"]), &manager_of(app).await)
            .await
            .problem(409),
        "customer_has_orders"
    );
    // A blacklisted customer gets no orders.
    let manager = app.login("s2_mgr").await;
    let bad = customer(app, &rep, "烟台黑名单测试有限公司").await;
    app.post(
        &format!("/customers/{}/level", bad["id"]),
        &manager,
        json!({"level": "blacklisted", "reason": "恶意拖欠"}),
    )
    .await
    .expect(200);
    let res = app
        .post(
            "/orders",
            &rep,
            json!({"customer_id": bad["id"], "lines": [{"product_id": p, "quantity": 1, "unit_price": "1"}]}),
        )
        .await;
    assert_eq!(res.problem(422), "customer_blacklisted");
});

api_test!(plans_and_receipts_keep_every_fen, |app| {
    let rep = app.login("s1_a").await;
    let finance = app.login("fin_a").await;
    let p = product(app, "H", "100.00", None).await;
    let c = customer(app, &rep, "济南润德物流有限公司").await;
    let o = order(
        app,
        &rep,
        &c,
        json!([{"product_id": p, "quantity": 1, "unit_price": "100.00"}]),
    )
    .await;
    // Money comes in only on signed orders.
    assert_eq!(
        receipt(app, &finance, &o, "1.00").await.problem(422),
        "order_not_signed"
    );
    let o = act(app, &rep, &o, "sign").await;
    assert_eq!(
        receipt(app, &finance, &o, "1.00").await.problem(422),
        "no_payment_plan"
    );
    // A plan must add up.
    let res = app
        .send(
            reqwest::Method::PUT,
            &format!("/orders/{}/payment-plan", o["id"]),
            Some(&rep),
            Some(json!({"installments": [{"due_date": day(10), "amount": "50.00"}, {"due_date": day(40), "amount": "49.99"}]})),
        )
        .await;
    assert_eq!(res.problem(422), "plan_total_mismatch");
    // 100.00 in three: 33.33, 33.33, 33.34.
    let split = crm_domain::Money::parse("100.00").unwrap().split_even(3);
    let parts: Vec<(NaiveDate, String)> = split
        .iter()
        .enumerate()
        .map(|(n, m)| (day(10 + 30 * n as i64), m.to_string()))
        .collect();
    let refs: Vec<(NaiveDate, &str)> = parts.iter().map(|(d, a)| (*d, a.as_str())).collect();
    let saved = plan(app, &rep, &o, &refs).await;
    let amounts: Vec<&str> = saved["installments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["amount"].as_str().unwrap())
        .collect();
    assert_eq!(amounts, ["33.33", "33.33", "33.34"]);
    // Salespeople do not record receipts; finance does, oldest installment first.
    assert_eq!(
        receipt(app, &rep, &o, "1.00").await.problem(403),
        "forbidden"
    );
    let r = receipt(app, &finance, &o, "40.00").await.expect(201);
    let first = saved["installments"][0]["id"].clone();
    let second = saved["installments"][1]["id"].clone();
    assert_eq!(
        r["allocations"],
        json!([{"installment_id": first, "amount": "33.33"}, {"installment_id": second, "amount": "6.67"}])
    );
    // Thirty receipts of 0.10 add up to exactly 3.00.
    for _ in 0..30 {
        receipt(app, &finance, &o, "0.10").await.expect(201);
    }
    let now = app
        .get(&format!("/orders/{}", o["id"]), &rep)
        .await
        .expect(200);
    assert_eq!(now["received"], "43.00");
    assert_eq!(now["outstanding"], "57.00");
    // Never more than is outstanding.
    assert_eq!(
        receipt(app, &finance, &o, "57.01").await.problem(422),
        "overpayment"
    );
    // An installment with money on it cannot leave the plan (or shrink below its money).
    let res = app
        .send(
            reqwest::Method::PUT,
            &format!("/orders/{}/payment-plan", o["id"]),
            Some(&rep),
            Some(json!({"installments": [{"due_date": day(5), "amount": "100.00"}]})),
        )
        .await;
    assert_eq!(res.problem(422), "installment_has_receipts");
    // It can stay (by its id), with the rest re-planned.
    let res = app
        .send(
            reqwest::Method::PUT,
            &format!("/orders/{}/payment-plan", o["id"]),
            Some(&rep),
            Some(json!({"installments": [
                {"id": first, "due_date": day(10), "amount": "33.33"},
                {"id": second, "due_date": day(60), "amount": "20.00"},
                {"due_date": day(90), "amount": "46.67"}]})),
        )
        .await;
    assert_eq!(res.expect(200)["installments"].as_array().unwrap().len(), 3);
    // The order with receipts cannot be cancelled.
    let current = app
        .get(&format!("/orders/{}", o["id"]), &rep)
        .await
        .expect(200);
    assert_eq!(
        app.post(
            &format!("/orders/{}/cancel", o["id"]),
            &rep,
            json!({"version": current["version"]})
        )
        .await
        .problem(409),
        "order_has_receipts"
    );
    // A wrong receipt is reversed, with a reason; once.
    let wrong = r["id"].clone();
    let reversal = app
        .post(
            &format!("/receipts/{wrong}/reverse"),
            &finance,
            json!({"reason": "金额录错"}),
        )
        .await
        .expect(201);
    assert_eq!(reversal["amount"], "-40.00");
    assert_eq!(reversal["reversal_of"], wrong);
    assert_eq!(
        app.post(
            &format!("/receipts/{wrong}/reverse"),
            &finance,
            json!({"reason": "again"})
        )
        .await
        .problem(409),
        "receipt_reversed"
    );
    let receipts = app
        .get(&format!("/orders/{}/receipts", o["id"]), &finance)
        .await
        .expect(200);
    assert_eq!(receipts.as_array().unwrap().len(), 32, "nothing is deleted");
    assert_eq!(receipts[0]["reversed_by"], reversal["id"]);
    let now = app
        .get(&format!("/orders/{}", o["id"]), &rep)
        .await
        .expect(200);
    assert_eq!(now["received"], "3.00");
    let plan_now = app
        .get(&format!("/orders/{}/payment-plan", o["id"]), &rep)
        .await
        .expect(200);
    let received: Vec<&str> = plan_now["installments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["received"].as_str().unwrap())
        .collect();
    assert_eq!(received, ["0.00", "3.00", "0.00"]);
});

api_test!(
    aging_buckets_have_exact_edges_on_the_company_calendar,
    |app| {
        let rep = app.login("s1_b").await;
        let (c, o) = signed_one(app, &rep, "AG", "临沂安泰机械制造有限公司", "9.00").await;
        // One fen... one yuan per edge: due today (not due), 1 and 30 days ago (1–30), 31 and 60 (31–60),
        // 61 and 90 (61–90), 91 days ago (over 90); and 1 day ahead.
        let edges = [0, -1, -30, -31, -60, -61, -90, -91, 1];
        let parts: Vec<(NaiveDate, &str)> = edges.iter().map(|d| (day(*d), "1.00")).collect();
        plan(app, &rep, &o, &parts).await;
        let page = app
            .get(&format!("/receivables?customer_id={}", c["id"]), &rep)
            .await
            .expect(200);
        let rows = page["items"].as_array().unwrap();
        assert_eq!(rows.len(), 9);
        let by_days: Vec<(i64, &str)> = rows
            .iter()
            .map(|r| {
                (
                    r["days_overdue"].as_i64().unwrap(),
                    r["bucket"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            by_days,
            [
                (91, "over90"),
                (90, "d61_90"),
                (61, "d61_90"),
                (60, "d31_60"),
                (31, "d31_60"),
                (30, "d1_30"),
                (1, "d1_30"),
                (0, "not_due"),
                (0, "not_due")
            ]
        );
        let report = app
            .get("/reports/receivables-aging?group_by=customer", &rep)
            .await
            .expect(200);
        assert_eq!(report["as_of"], today().to_string());
        assert_eq!(
            report["totals"],
            json!({"not_due": "2.00", "d1_30": "2.00", "d31_60": "2.00", "d61_90": "2.00", "over_90": "1.00", "total": "9.00"})
        );
        assert_eq!(report["rows"][0]["key"]["name"], "临沂安泰机械制造有限公司");
        // Paying the oldest in full takes it off the list and out of its bucket.
        let finance = app.login("fin_a").await;
        receipt(app, &finance, &o, "1.50").await.expect(201);
        let report = app
            .get("/reports/receivables-aging?group_by=owner", &rep)
            .await
            .expect(200);
        assert_eq!(report["totals"]["over_90"], "0.00");
        assert_eq!(report["totals"]["d61_90"], "1.50");
        assert_eq!(report["totals"]["total"], "7.50");
        let overdue = app
            .get(
                &format!("/receivables?customer_id={}&overdue=true", c["id"]),
                &rep,
            )
            .await
            .expect(200);
        assert_eq!(overdue["items"].as_array().unwrap().len(), 6);
        assert_eq!(overdue["items"][0]["received"], "0.50");
        assert_eq!(overdue["items"][0]["outstanding"], "0.50");
        // Pages.
        let first = app
            .get(
                &format!("/receivables?customer_id={}&limit=5", c["id"]),
                &rep,
            )
            .await
            .expect(200);
        let cursor = first["next_cursor"].as_str().unwrap().to_string();
        let second = app
            .get(
                &format!(
                    "/receivables?customer_id={}&limit=5&cursor={cursor}",
                    c["id"]
                ),
                &rep,
            )
            .await
            .expect(200);
        assert_eq!(
            first["items"].as_array().unwrap().len() + second["items"].as_array().unwrap().len(),
            8
        );
        assert!(second["next_cursor"].is_null());
        assert_eq!(
            app.get("/reports/receivables-aging?group_by=planet", &rep)
                .await
                .problem(400),
            "invalid_query"
        );
    }
);

api_test!(
    aging_by_owner_and_department_reads_far_months_whole,
    |app| {
        let rep = app.login("s1_b").await;
        let (_, o) = signed_one(app, &rep, "FAR", "聊城远航物流有限公司", "9.00").await;
        // Months far from the bucket edges (summed per month) and days near them (summed per day).
        let offsets = [-400, -200, -95, -45, -5, 0, 40, 200, 400];
        let parts: Vec<(NaiveDate, &str)> = offsets.iter().map(|d| (day(*d), "1.00")).collect();
        plan(app, &rep, &o, &parts).await;
        let expected = json!({"not_due": "4.00", "d1_30": "1.00", "d31_60": "1.00", "d61_90": "0.00", "over_90": "3.00", "total": "9.00"});
        for group in ["owner", "department"] {
            let report = app
                .get(
                    &format!("/reports/receivables-aging?group_by={group}"),
                    &rep,
                )
                .await
                .expect(200);
            assert_eq!(report["totals"], expected, "{group}");
            assert_eq!(report["rows"].as_array().unwrap().len(), 1);
            let mut row = report["rows"][0].clone();
            row.as_object_mut().unwrap().remove("key");
            assert_eq!(row, expected, "{group}");
        }
        // The general manager (scope all) sees the same money: it is the only business here.
        let gm = app.login("gm").await;
        let all = app
            .get("/reports/receivables-aging?group_by=owner", &gm)
            .await
            .expect(200);
        assert_eq!(all["totals"], expected);
        // A receipt pays the oldest first: 400 and 200 days ago, and half of 95 days ago.
        let finance = app.login("fin_a").await;
        receipt(app, &finance, &o, "2.50").await.expect(201);
        let report = app
            .get("/reports/receivables-aging?group_by=owner", &rep)
            .await
            .expect(200);
        assert_eq!(report["totals"]["over_90"], "0.50");
        assert_eq!(report["totals"]["total"], "6.50");
    }
);

api_test!(orders_and_money_are_visible_with_their_owner, |app| {
    let o = signed_order(app, "s1_a", "菏泽长河文化传媒有限公司", "300.00", day(-5)).await;
    let id = o["id"].as_i64().unwrap();
    for (who, sees) in [
        ("s1_a", true),
        ("s1_b", false),
        ("s2_a", false),
        ("s1_mgr", true),
        ("s2_mgr", false),
        ("gm", true),
        ("fin_a", true),
    ] {
        let token = app.login(who).await;
        let res = app.get(&format!("/orders/{id}"), &token).await;
        assert_eq!(res.status, if sees { 200 } else { 404 }, "{who}");
        for path in [
            format!("/orders/{id}/payment-plan"),
            format!("/orders/{id}/receipts"),
            format!("/orders/{id}/service-records"),
        ] {
            assert_eq!(
                app.get(&path, &token).await.status,
                if sees { 200 } else { 404 },
                "{who} {path}"
            );
        }
        let list = app.get("/orders", &token).await.expect(200);
        assert_eq!(
            list["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|x| x["id"] == id),
            sees,
            "{who}"
        );
        let recv = app.get("/receivables", &token).await.expect(200);
        assert_eq!(
            recv["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|x| x["order"]["id"] == id),
            sees,
            "{who}"
        );
        let aging = app
            .get("/reports/receivables-aging", &token)
            .await
            .expect(200);
        assert_eq!(
            aging["totals"]["d1_30"],
            if sees { "300.00" } else { "0.00" },
            "{who}"
        );
    }
    // Finance records receipts everywhere but edits no customer; salespeople record none.
    let finance = app.login("fin_a").await;
    receipt(app, &finance, &o, "100.00").await.expect(201);
    let c = app
        .get(&format!("/customers/{}", o["customer"]["id"]), &finance)
        .await
        .expect(200);
    assert_eq!(
        app.patch(
            &format!("/customers/{}", c["id"]),
            &finance,
            json!({"notes": "x", "version": c["version"]})
        )
        .await
        .problem(403),
        "forbidden"
    );
    let manager = app.login("s1_mgr").await;
    assert_eq!(
        receipt(app, &manager, &o, "1.00").await.problem(403),
        "forbidden"
    );
    // Someone outside the owner's scope cannot act on it either.
    let other = app.login("s2_mgr").await;
    assert_eq!(
        app.post(
            &format!("/orders/{id}/start"),
            &other,
            json!({"version": o["version"]})
        )
        .await
        .problem(404),
        "not_found"
    );
    // Service records on the order.
    let rep = app.login("s1_a").await;
    let rec = app
        .post(
            &format!("/orders/{id}/service-records"),
            &rep,
            json!({"happened_on": today(), "note": "上门培训", "satisfaction": 5}),
        )
        .await
        .expect(201);
    assert_eq!(rec["kind"], "service");
    let bad = app
        .post(
            &format!("/orders/{id}/service-records"),
            &rep,
            json!({"happened_on": today(), "note": "x", "satisfaction": 6}),
        )
        .await;
    assert_eq!(bad.problem(422), "validation_failed");
});

api_test!(a_transfer_moves_unfinished_orders_only, |app| {
    let rep = app.login("s1_a").await;
    let p = product(app, "T", "10.00", None).await;
    let c = customer(app, &rep, "滨州启航装饰工程有限公司").await;
    let draft = order(
        app,
        &rep,
        &c,
        json!([{"product_id": p, "quantity": 1, "unit_price": "10"}]),
    )
    .await;
    let signed = order(
        app,
        &rep,
        &c,
        json!([{"product_id": p, "quantity": 1, "unit_price": "10"}]),
    )
    .await;
    act(app, &rep, &signed, "sign").await;
    let finished = order(
        app,
        &rep,
        &c,
        json!([{"product_id": p, "quantity": 1, "unit_price": "10"}]),
    )
    .await;
    act(app, &rep, &finished, "sign").await;
    act(app, &rep, &finished, "start").await;
    act(app, &rep, &finished, "complete").await;
    let admin = app.login("admin").await;
    let from = app.user_id(&admin, "s1_a").await;
    let to = app.user_id(&admin, "s1_b").await;
    let moved = app
        .post(
            "/customer-transfers",
            &admin,
            json!({"from_user_id": from, "to_user_id": to, "all": true, "reason": "离职交接"}),
        )
        .await
        .expect(201);
    assert_eq!(moved["moved"]["orders"], 2);
    let receiver = app.login("s1_b").await;
    let gm = app.login("gm").await;
    for (o, owner) in [(&draft, to), (&signed, to), (&finished, from)] {
        let now = app
            .get(&format!("/orders/{}", o["id"]), &gm)
            .await
            .expect(200);
        assert_eq!(now["owner"]["id"], owner);
    }
    assert_eq!(
        app.get("/orders", &receiver).await.expect(200)["items"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
});

api_test!(the_scheduler_duns_and_reminds_to_renew_once, |app| {
    let due = day(20);
    let o = signed_order(app, "s2_a", "日照信诚网络科技有限公司", "500.00", due).await;
    let run = |at: NaiveDate| {
        let db = app.pool();
        let now = at.and_hms_opt(2, 0, 0).unwrap().and_utc();
        async move {
            actix_web::web::block(move || crm_api::scheduler::run_once(&db, None, None, now))
                .await
                .unwrap()
                .unwrap()
                .announced
        }
    };
    let back = |d: NaiveDate, n: u64| d.checked_sub_days(Days::new(n)).unwrap();
    let ahead = |d: NaiveDate, n: u64| d.checked_add_days(Days::new(n)).unwrap();
    assert_eq!(run(back(due, 8)).await.dunning, 0, "more than 7 days ahead");
    assert_eq!(
        run(back(due, 7)).await.dunning,
        1,
        "due within 7 days: the owner"
    );
    assert_eq!(run(back(due, 3)).await.dunning, 0, "once");
    assert_eq!(
        run(ahead(due, 1)).await.dunning,
        1,
        "overdue: the owner again"
    );
    assert_eq!(run(ahead(due, 2)).await.dunning, 0);
    assert_eq!(
        run(ahead(due, 31)).await.dunning,
        2,
        "30 days overdue: the manager and the owner"
    );
    assert_eq!(run(ahead(due, 40)).await.dunning, 0);
    let rep = app.login("s2_a").await;
    let kinds: Vec<String> = app.get("/notifications", &rep).await.expect(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["kind"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        kinds,
        ["payment_escalation", "payment_overdue", "payment_due"]
    );
    let manager = app.login("s2_mgr").await;
    let told = app.get("/notifications", &manager).await.expect(200);
    assert_eq!(told["items"][0]["kind"], "payment_escalation");
    assert_eq!(told["items"][0]["entity"], "order");
    assert_eq!(told["items"][0]["entity_id"], o["id"]);
    // Paid in full: nothing more to dun.
    let finance = app.login("fin_a").await;
    receipt(app, &finance, &o, "500.00").await.expect(201);

    // A yearly service ending in 30 days reminds its owner to renew, once.
    let yearly = product(app, "YR", "1200.00", Some(12)).await;
    let c = customer(app, &rep, "日照信诚续费测试有限公司").await;
    let start = back(today(), 300);
    let r = app
        .post(
            "/orders",
            &rep,
            json!({"customer_id": c["id"], "service_start": start, "service_end": day(40),
                   "lines": [{"product_id": yearly, "quantity": 1, "unit_price": "1200"}]}),
        )
        .await
        .expect(201);
    act(app, &rep, &r, "sign").await;
    assert_eq!(run(day(9)).await.renewals, 0, "31 days before the end");
    assert_eq!(run(day(10)).await.renewals, 1, "30 days before the end");
    assert_eq!(run(day(20)).await.renewals, 0, "once");
    let bad = app
        .post(
            "/orders",
            &rep,
            json!({"customer_id": c["id"], "service_start": day(5), "service_end": day(4),
                   "lines": [{"product_id": yearly, "quantity": 1, "unit_price": "1"}]}),
        )
        .await;
    assert_eq!(bad.body["errors"][0]["code"], "before_start");
});

api_test!(a_managers_receivables_merge_the_owners_in_order, |app| {
    let p = product(app, "MRG", "10.00", None).await;
    for (k, owner) in ["s1_a", "s1_b", "s1_a", "s1_b"].into_iter().enumerate() {
        let token = app.login(owner).await;
        let c = customer(app, &token, &format!("潍坊合并{k}号物流有限公司")).await;
        let o = order(
            app,
            &token,
            &c,
            json!([{"product_id": p, "quantity": 1, "unit_price": "10.00"}]),
        )
        .await;
        let o = act(app, &token, &o, "sign").await;
        let k = k as i64;
        plan(app, &token, &o, &[(day(-k), "4.00"), (day(k * 7), "6.00")]).await;
    }
    // Every page of the manager's (merged per owner) equals the general manager's (one query).
    let (manager, gm) = (app.login("s1_mgr").await, app.login("gm").await);
    let path = "/receivables?limit=3";
    let merged = app.every_page(&manager, path, "installment_id").await;
    let reference = app.every_page(&gm, path, "installment_id").await;
    assert_eq!(merged.len(), 8);
    assert_eq!(merged, reference);
});

api_test!(a_contract_number_is_the_customers_once, |app| {
    let seller = app.login("s1_a").await;
    let product_id = product(app, "CN-1", "100.00", None).await;
    let lines = json!([{"product_id": product_id, "quantity": 1, "unit_price": "100.00"}]);
    let first = customer(app, &seller, "济南星辰广告有限公司").await;
    let second = customer(app, &seller, "青岛海鸥物流有限公司").await;
    let with = |c: &Value, no: &str| json!({"customer_id": c["id"], "lines": lines.clone(), "contract_no": no});
    let made = app
        .post("/orders", &seller, with(&first, "HT-2026-07"))
        .await
        .expect(201);
    assert_eq!(made["contract_no"], "HT-2026-07");
    // The same number on the same customer is refused, naming the order that has it…
    let res = app
        .post("/orders", &seller, with(&first, "HT-2026-07"))
        .await;
    let detail = res.body["detail"].clone();
    assert_eq!(res.problem(409), "duplicate_contract");
    assert!(
        detail
            .as_str()
            .unwrap()
            .contains(made["number"].as_str().unwrap()),
        "{detail}"
    );
    // …another customer's contract may carry it, and so may a second order without one.
    app.post("/orders", &seller, with(&second, "HT-2026-07"))
        .await
        .expect(201);
    let plain = app
        .post(
            "/orders",
            &seller,
            json!({"customer_id": first["id"], "lines": lines.clone()}),
        )
        .await
        .expect(201);
    assert!(plain["contract_no"].is_null());
    // A change to a taken number is refused; clearing one frees it.
    let res = app
        .patch(
            &format!("/orders/{}", plain["id"]),
            &seller,
            json!({"contract_no": "HT-2026-07", "version": plain["version"]}),
        )
        .await;
    assert_eq!(res.problem(409), "duplicate_contract");
    let cleared = app
        .patch(
            &format!("/orders/{}", made["id"]),
            &seller,
            json!({"contract_no": null, "version": made["version"]}),
        )
        .await
        .expect(200);
    assert!(cleared["contract_no"].is_null());
    let moved = app
        .patch(
            &format!("/orders/{}", plain["id"]),
            &seller,
            json!({"contract_no": "HT-2026-07", "version": plain["version"]}),
        )
        .await
        .expect(200);
    assert_eq!(moved["contract_no"], "HT-2026-07");
    // Too long a number is refused as any field is.
    let res = app
        .post("/orders", &seller, with(&first, &"9".repeat(65)))
        .await;
    assert_eq!(
        res.body["errors"][0]["field"], "contract_no",
        "{}",
        res.body
    );
});
