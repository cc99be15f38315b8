//! The report engine against a hand-computed fixture: a small year (2019, before any demo data) of
//! signed orders and receipts for four salespeople in two departments, and new customers on a
//! month's edge read in two time zones. Scope: a salesperson's report is his own rows, a manager's
//! his team's sum, the director's and the general manager's the whole company's. The CSV and the
//! workbook hold the JSON's rows; bad input is refused with a stable code; the dashboard adds up.

use crate::api_test;
use crate::exports::{csv, xlsx};
use crate::orders::{act, customer, order, plan, product, receipt_on};
use crate::support::TestApp;
use calamine::Data;
use diesel::RunQueryDsl;
use serde_json::{Value, json};

const YEAR: &str = "from=2019-01-01&to=2019-12-31";

/// A signed order of `owner` on `signed_on` with `lines` of (product, amount).
async fn sale(app: &TestApp, owner: &str, signed_on: &str, lines: &[(i64, &str)]) -> Value {
    let t = app.login(owner).await;
    let c = customer(app, &t, &format!("{owner}{signed_on}报表测试有限公司")).await;
    let lines: Vec<Value> = lines
        .iter()
        .map(|(p, a)| json!({"product_id": p, "quantity": 1, "unit_price": a}))
        .collect();
    let o = order(app, &t, &c, json!(lines)).await;
    let current = app
        .get(&format!("/orders/{}", o["id"]), &t)
        .await
        .expect(200);
    let o = app
        .post(
            &format!("/orders/{}/sign", o["id"]),
            &t,
            json!({"version": current["version"], "signed_on": signed_on}),
        )
        .await
        .expect(200);
    let due: chrono::NaiveDate = signed_on.parse().unwrap();
    plan(app, &t, &o, &[(due, o["total"].as_str().unwrap())]).await;
    o
}

/// Finance records a receipt on `order`.
async fn received(app: &TestApp, order: &Value, amount: &str, on: &str) {
    let fin = app.login("fin_a").await;
    receipt_on(app, &fin, order, amount, on.parse().unwrap())
        .await
        .expect(201);
}

/// `(labels joined by " / ", count, amount)` per row.
fn rows(r: &Value) -> Vec<(String, i64, String)> {
    r["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            let labels: Vec<&str> = x["labels"]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| l.as_str().unwrap())
                .collect();
            (
                labels.join(" / "),
                x["count"].as_i64().unwrap(),
                x["amount"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

/// `(the id in key position i, count, amount)` per row.
fn keyed(r: &Value, i: usize) -> Vec<(i64, i64, String)> {
    r["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["keys"][i].as_str().unwrap().parse().unwrap(),
                x["count"].as_i64().unwrap(),
                x["amount"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

/// The months with something in them.
fn busy(r: &Value) -> Vec<(String, i64, String)> {
    rows(r).into_iter().filter(|x| x.1 != 0).collect()
}

fn totals(r: &Value) -> (i64, String) {
    (
        r["totals"]["count"].as_i64().unwrap(),
        r["totals"]["amount"].as_str().unwrap_or("").to_string(),
    )
}

fn row(label: &str, n: i64, amount: &str) -> (String, i64, String) {
    (label.to_string(), n, amount.to_string())
}

/// The fixture: s1_a signs 1000.00 (January 31st) and 500.50 in two lines (February 1st); s1_b
/// 200.00 (February 10th); s2_a, in the other department, 700.00 (January 5th). Receipts: 400.00
/// on s1_a's first order in February, 150.00 on s2_a's in March.
pub(crate) async fn fixture(app: &TestApp) -> (i64, i64, Value) {
    let p1 = product(app, "RPT1", "100.00", None).await;
    let p2 = product(app, "RPT2", "100.00", None).await;
    let a1 = sale(app, "s1_a", "2019-01-31", &[(p1, "1000.00")]).await;
    sale(app, "s1_a", "2019-02-01", &[(p1, "300.50"), (p2, "200.00")]).await;
    sale(app, "s1_b", "2019-02-10", &[(p2, "200.00")]).await;
    let d = sale(app, "s2_a", "2019-01-05", &[(p1, "700.00")]).await;
    received(app, &a1, "400.00", "2019-02-15").await;
    received(app, &d, "150.00", "2019-03-01").await;
    (p1, p2, a1)
}

api_test!(each_report_counts_what_its_reader_may_see, |app| {
    let (p1, _p2, first) = fixture(app).await;
    let sales = |who: &'static str, extra: String| async move {
        let t = app.login(who).await;
        app.get(&format!("/reports/sales?{YEAR}{extra}"), &t)
            .await
            .expect(200)
    };

    // The owner: his own two orders, by month, every month listed.
    let r = sales("s1_a", String::new()).await;
    assert_eq!(r["rows"].as_array().unwrap().len(), 12);
    assert_eq!(
        busy(&r),
        vec![row("2019-01", 1, "1000.00"), row("2019-02", 1, "500.50")]
    );
    assert_eq!(totals(&r), (2, "1500.50".into()));
    assert_eq!(r["rows"][0]["average"], "1000.00");
    // A peer in the same department: only his.
    let r = sales("s1_b", String::new()).await;
    assert_eq!(busy(&r), vec![row("2019-02", 1, "200.00")]);
    // Another department.
    let r = sales("s2_a", String::new()).await;
    assert_eq!(busy(&r), vec![row("2019-01", 1, "700.00")]);
    assert_eq!(totals(&r), (1, "700.00".into()));
    // The manager above s1_a and s1_b: their sum.
    let r = sales("s1_mgr", String::new()).await;
    assert_eq!(
        busy(&r),
        vec![row("2019-01", 1, "1000.00"), row("2019-02", 2, "700.50")]
    );
    assert_eq!(totals(&r), (3, "1700.50".into()));
    // The director and the general manager (scope `all`): the company.
    for who in ["sales_dir", "gm"] {
        let r = sales(who, String::new()).await;
        assert_eq!(
            busy(&r),
            vec![row("2019-01", 2, "1700.00"), row("2019-02", 2, "700.50")],
            "{who}"
        );
        assert_eq!(totals(&r), (4, "2400.50".into()), "{who}");
    }
    // Ragged periods: days of the rows beside whole months of the summary, cut at month ends.
    let gm = app.login("gm").await;
    let period = |q: &'static str| {
        let gm = gm.clone();
        async move {
            busy(
                &app.get(&format!("/reports/sales?{q}"), &gm)
                    .await
                    .expect(200),
            )
        }
    };
    assert_eq!(
        period("from=2019-01-20&to=2019-02-05").await,
        vec![row("2019-01", 1, "1000.00"), row("2019-02", 1, "500.50")]
    );
    assert_eq!(
        period("from=2019-01-31&to=2019-03-31").await,
        vec![row("2019-01", 1, "1000.00"), row("2019-02", 2, "700.50")]
    );
    // Finance reads receipts company-wide; the owner his own.
    let fin = app.login("fin_a").await;
    let r = app
        .get(&format!("/reports/receipts?{YEAR}"), &fin)
        .await
        .expect(200);
    assert_eq!(
        busy(&r),
        vec![row("2019-02", 1, "400.00"), row("2019-03", 1, "150.00")]
    );
    // Beside the plan: the installments falling due (each order's whole total on its day).
    let planned = |r: &Value| -> Vec<String> {
        r["rows"].as_array().unwrap()[..3]
            .iter()
            .map(|x| x["planned"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(planned(&r), ["1700.00", "700.50", "0.00"]);
    assert_eq!(r["totals"]["planned"], "2400.50");
    assert_eq!(
        r["columns"].as_array().unwrap().last().unwrap()["key"],
        "planned"
    );
    let s1 = app.login("s1_a").await;
    let r = app
        .get(&format!("/reports/receipts?{YEAR}"), &s1)
        .await
        .expect(200);
    assert_eq!(busy(&r), vec![row("2019-02", 1, "400.00")]);
    assert_eq!(planned(&r), ["1000.00", "500.50", "0.00"]);
    // Ragged ends of receipts come from the summary per day: a day either side of each receipt
    // is in or out, by owner as by month.
    let receipts = |q: &'static str, who: &'static str| async move {
        let t = app.login(who).await;
        busy(
            &app.get(&format!("/reports/receipts?{q}"), &t)
                .await
                .expect(200),
        )
    };
    assert_eq!(
        receipts("from=2019-02-15&to=2019-03-01", "fin_a").await,
        vec![row("2019-02", 1, "400.00"), row("2019-03", 1, "150.00")]
    );
    assert_eq!(
        receipts("from=2019-02-16&to=2019-03-31", "fin_a").await,
        vec![row("2019-03", 1, "150.00")]
    );
    assert_eq!(
        receipts("from=2019-01-20&to=2019-02-14", "fin_a").await,
        Vec::<(String, i64, String)>::new()
    );
    assert_eq!(
        receipts("from=2019-02-02&to=2019-03-01", "s1_a").await,
        vec![row("2019-02", 1, "400.00")]
    );
    // Plan without receipts still makes a group.
    let r = app
        .get(&format!("/reports/receipts?{YEAR}&group_by=owner"), &fin)
        .await
        .expect(200);
    assert_eq!(r["rows"].as_array().unwrap().len(), 3, "{r}");
    let signed = app
        .get(&format!("/reports/sales?{YEAR}"), &fin)
        .await
        .expect(200);
    assert!(
        signed["rows"][0].get("planned").is_none(),
        "only receipts have a plan"
    );

    // By department, then owner: the groups largest first, each department's people within it.
    let admin = app.login("admin").await;
    let (a, b, c) = (
        app.user_id(&admin, "s1_a").await,
        app.user_id(&admin, "s1_b").await,
        app.user_id(&admin, "s2_a").await,
    );
    let r = sales("gm", "&group_by=department,owner".into()).await;
    let firsts: Vec<&str> = r["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["labels"][0].as_str().unwrap())
        .collect();
    assert_eq!(firsts, ["销售一部", "销售一部", "销售二部"]);
    assert_eq!(
        keyed(&r, 1),
        vec![
            (a, 2, "1500.50".into()),
            (b, 1, "200.00".into()),
            (c, 1, "700.00".into())
        ]
    );
    // By the customer's industry (from the segment summary): none has one, until s1_a's first
    // customer is given one; the order moves with it.
    let r = sales("gm", "&group_by=industry".into()).await;
    assert_eq!(keyed(&r, 0), vec![(0, 4, "2400.50".into())]);
    let s1 = app.login("s1_a").await;
    let industry = app.get("/dictionaries/industry", &s1).await.expect(200)[0]["id"]
        .as_i64()
        .unwrap();
    let who = app
        .get(&format!("/customers/{}", first["customer"]["id"]), &s1)
        .await
        .expect(200);
    app.patch(
        &format!("/customers/{}", who["id"]),
        &s1,
        json!({"version": who["version"], "industry_id": industry}),
    )
    .await
    .expect(200);
    let r = sales("gm", "&group_by=industry".into()).await;
    assert_eq!(
        keyed(&r, 0),
        vec![(0, 3, "1400.50".into()), (industry, 1, "1000.00".into())]
    );
    let r = sales("s1_mgr", format!("&group_by=month&industry_id={industry}")).await;
    assert_eq!(busy(&r), vec![row("2019-01", 1, "1000.00")]);
    // By product: an order counts under each of its products, once in the totals.
    let r = sales("s1_a", "&group_by=product".into()).await;
    assert_eq!(
        rows(&r),
        vec![row("产品RPT1", 2, "1300.50"), row("产品RPT2", 1, "200.00")]
    );
    assert_eq!(totals(&r), (2, "1500.50".into()));
    let r = sales("gm", format!("&group_by=owner&product_id={p1}")).await;
    assert_eq!(
        keyed(&r, 0),
        vec![(a, 2, "1300.50".into()), (c, 1, "700.00".into())]
    );
});

api_test!(
    sales_by_product_read_whole_months_and_the_rows_at_the_ends,
    |app| {
        let p1 = product(app, "SPR1", "100.00", None).await;
        let p2 = product(app, "SPR2", "100.00", None).await;
        // Two lines of one product in an order count it once.
        sale(
            app,
            "s1_a",
            "2019-01-10",
            &[(p1, "100.00"), (p1, "50.00"), (p2, "30.00")],
        )
        .await;
        sale(app, "s1_a", "2019-01-03", &[(p2, "10.00")]).await;
        let feb = sale(app, "s1_b", "2019-02-20", &[(p1, "200.00")]).await;
        sale(app, "s2_a", "2019-03-05", &[(p2, "70.00")]).await;
        let gm = app.login("gm").await;
        let report = |who: &'static str, q: &'static str| async move {
            let t = app.login(who).await;
            app.get(&format!("/reports/sales?{q}"), &t)
                .await
                .expect(200)
        };
        // January 5–31 and March 1–10 from the rows, February from the summary.
        let ragged = "from=2019-01-05&to=2019-03-10&group_by=month,product";
        let r = report("gm", ragged).await;
        assert_eq!(
            busy(&r),
            vec![
                row("2019-01 / 产品SPR1", 1, "150.00"),
                row("2019-01 / 产品SPR2", 1, "30.00"),
                row("2019-02 / 产品SPR1", 1, "200.00"),
                row("2019-03 / 产品SPR2", 1, "70.00"),
            ]
        );
        // The totals count each order once.
        assert_eq!(totals(&r), (3, "450.00".into()));
        let by_product = "from=2019-01-01&to=2019-12-31&group_by=product";
        let r = report("gm", by_product).await;
        assert_eq!(
            rows(&r),
            vec![row("产品SPR1", 2, "350.00"), row("产品SPR2", 3, "110.00")]
        );
        assert_eq!(totals(&r), (4, "460.00".into()));
        // The department's manager: his team's; a peer: his own; one product as a filter.
        let r = report("s1_mgr", by_product).await;
        assert_eq!(
            rows(&r),
            vec![row("产品SPR1", 2, "350.00"), row("产品SPR2", 2, "40.00")]
        );
        let r = report("s1_b", by_product).await;
        assert_eq!(rows(&r), vec![row("产品SPR1", 1, "200.00")]);
        let q = format!("from=2019-01-01&to=2019-12-31&group_by=owner&product_id={p2}");
        let r = app
            .get(&format!("/reports/sales?{q}"), &gm)
            .await
            .expect(200);
        assert_eq!(totals(&r), (3, "110.00".into()));
        // Whole months are read from the summary: a change made there alone shows.
        let nudge = |by: i64| {
            let mut conn = app.pool().get().unwrap();
            diesel::sql_query(format!(
                "UPDATE sales_products SET amount = amount + {by} WHERE product_id = {p1} AND month = '2019-02-01'"
            ))
            .execute(&mut conn)
            .unwrap();
        };
        nudge(1);
        let r = report("gm", ragged).await;
        assert_eq!(busy(&r)[2], row("2019-02 / 产品SPR1", 1, "200.01"));
        nudge(-1);
        // A cancelled order leaves the summary (the drift check after the test agrees).
        let s1_b = app.login("s1_b").await;
        act(app, &s1_b, &feb, "cancel").await;
        let r = report("gm", by_product).await;
        assert_eq!(
            rows(&r),
            vec![row("产品SPR1", 1, "150.00"), row("产品SPR2", 3, "110.00")]
        );
    }
);

api_test!(filters_stay_within_scope_and_bad_input_is_refused, |app| {
    fixture(app).await;
    let admin = app.login("admin").await;
    let s1_b = app.user_id(&admin, "s1_b").await;
    let s1_a = app.user_id(&admin, "s1_a").await;
    let s2_dept = app
        .get(
            &format!("/users/{}", app.user_id(&admin, "s2_a").await),
            &admin,
        )
        .await
        .expect(200)["department"]["id"]
        .as_i64()
        .unwrap();
    let s1 = app.login("s1_a").await;
    let mgr = app.login("s1_mgr").await;
    // An owner or a department outside the caller's scope is not found, not an empty report.
    assert_eq!(
        app.get(&format!("/reports/sales?{YEAR}&owner_id={s1_b}"), &s1)
            .await
            .problem(404),
        "not_found"
    );
    assert_eq!(
        app.get(
            &format!("/reports/sales?{YEAR}&department_id={s2_dept}"),
            &mgr
        )
        .await
        .problem(404),
        "not_found"
    );
    assert_eq!(
        app.get(&format!("/reports/sales?{YEAR}&owner_id=999999"), &mgr)
            .await
            .problem(404),
        "not_found"
    );
    // Within scope, the filter narrows.
    let r = app
        .get(&format!("/reports/sales?{YEAR}&owner_id={s1_a}"), &mgr)
        .await
        .expect(200);
    assert_eq!(totals(&r), (2, "1500.50".into()));
    let gm = app.login("gm").await;
    let r = app
        .get(
            &format!("/reports/sales?{YEAR}&department_id={s2_dept}"),
            &gm,
        )
        .await
        .expect(200);
    assert_eq!(totals(&r), (1, "700.00".into()));

    for (query, status, code) in [
        ("group_by=colour", 400, "invalid_query"),
        ("group_by=month,owner,region", 400, "invalid_query"),
        ("group_by=month,month", 400, "invalid_query"),
        ("format=pdf", 400, "invalid_query"),
        ("from=2019-05-01&to=2019-04-01", 422, "validation_failed"),
        ("from=2009-01-01&to=2019-12-31", 422, "validation_failed"),
        ("measure=median", 400, "invalid_query"),
        ("from=0000-06-01&to=0000-07-01", 422, "validation_failed"),
        (
            "group_by=product&from=2026-01-01&to=2026-01-31&owner_id=0",
            404,
            "not_found",
        ),
    ] {
        assert_eq!(
            app.get(&format!("/reports/sales?{query}"), &gm)
                .await
                .problem(status),
            code,
            "{query}"
        );
    }
    // By product in a period without sales: empty rows, zero totals.
    let r = app
        .get(
            "/reports/sales?group_by=product&from=2018-01-01&to=2018-03-31",
            &s1,
        )
        .await
        .expect(200);
    assert_eq!(totals(&r), (0, "0.00".into()));
    assert!(r["rows"].as_array().unwrap().is_empty());
    // A dimension or filter the fact has not.
    assert_eq!(
        app.get("/reports/receipts?group_by=product", &gm)
            .await
            .problem(400),
        "invalid_query"
    );
    assert_eq!(
        app.get("/reports/customers?product_id=1", &gm)
            .await
            .problem(422),
        "validation_failed"
    );
    // Customer service holds none of the reads behind these figures.
    let cs = app.login("cs_a").await;
    app.get("/reports/receipts", &cs).await.expect(403);
    app.get("/reports/dashboard", &s1).await.expect(403);
});

api_test!(
    new_customers_fall_in_the_month_of_the_company_calendar,
    |app| {
        let s1 = app.login("s1_a").await;
        let a = customer(app, &s1, "月末报表测试甲有限公司").await;
        let b = customer(app, &s1, "月末报表测试乙有限公司").await;
        {
            // Created at 16:30 UTC on January 31st: February 1st, 00:30 in Shanghai.
            let db = app.pool();
            let mut conn = db.get().unwrap();
            for (id, at) in [
                (&a["id"], "2019-01-31 16:30:00"),
                (&b["id"], "2019-01-15 08:00:00"),
            ] {
                diesel::sql_query(format!(
                    "UPDATE customers SET created_at = '{at}' WHERE id = {id}"
                ))
                .execute(&mut conn)
                .unwrap();
            }
        }
        let by_month = || async {
            busy(
                &app.get(&format!("/reports/customers?{YEAR}"), &s1)
                    .await
                    .expect(200),
            )
        };
        assert_eq!(
            by_month().await,
            vec![row("2019-01", 1, ""), row("2019-02", 1, "")]
        );
        app.set_settings(json!({"time_zone": "UTC"})).await;
        assert_eq!(by_month().await, vec![row("2019-01", 2, "")]);
        // By level, now: both are leads.
        let r = app
            .get(&format!("/reports/customers?{YEAR}&group_by=level"), &s1)
            .await
            .expect(200);
        assert_eq!(r["rows"][0]["keys"][0], "lead");
        assert_eq!(totals(&r).0, 2);
        assert!(r["totals"]["amount"].is_null());
    }
);

api_test!(
    new_customers_by_level_add_whole_months_and_ragged_ends,
    |app| {
        // s1_a's customers around a period of February to May 2019 on the Shanghai calendar
        // (UTC+8): whole UTC months February to April come from the summary per month and level,
        // the hours before February and May's days from the customers themselves.
        let s1 = app.login("s1_a").await;
        let s2 = app.login("s2_a").await;
        let mut made = Vec::new();
        for (token, name, at) in [
            (&s1, "层级月报甲有限公司", "2019-01-31 15:30:00"), // Jan 31, 23:30: out
            (&s1, "层级月报乙有限公司", "2019-01-31 17:00:00"), // Feb 1, 01:00: a ragged hour
            (&s1, "层级月报丙有限公司", "2019-03-10 02:00:00"), // a whole month
            (&s1, "层级月报丁有限公司", "2019-05-31 15:30:00"), // May 31, 23:30: a ragged day
            (&s1, "层级月报戊有限公司", "2019-05-31 16:30:00"), // June 1: out
            (&s2, "层级月报己有限公司", "2019-03-05 02:00:00"), // the other department's
        ] {
            let c = customer(app, token, name).await;
            let db = app.pool();
            let mut conn = db.get().unwrap();
            diesel::sql_query(format!(
                "UPDATE customers SET created_at = '{at}' WHERE id = {}",
                c["id"]
            ))
            .execute(&mut conn)
            .unwrap();
            made.push(c);
        }
        // Two move up after they came: their rows in the summary move with them. So does one
        // that came just after the period, in a month read whole and its last hours taken away.
        for c in [&made[1], &made[2], &made[4]] {
            app.post(
                &format!("/customers/{}/level", c["id"]),
                &s1,
                json!({"level": "contacted", "reason": "已电话沟通"}),
            )
            .await
            .expect(200);
        }
        // Their moves as if made three days and one day after they came (the history's times
        // are what the funnel's medians are taken from).
        {
            let db = app.pool();
            let mut conn = db.get().unwrap();
            for (c, at) in [
                (&made[1], "2019-02-03 17:00:00"),
                (&made[2], "2019-03-11 02:00:00"),
                (&made[4], "2019-06-05 16:30:00"),
            ] {
                diesel::sql_query(format!(
                    "UPDATE audit_log SET at = '{at}' WHERE action = 'level' AND customer_id = {}",
                    c["id"]
                ))
                .execute(&mut conn)
                .unwrap();
            }
        }
        let period = "from=2019-02-01&to=2019-05-31";
        let by_level = |who: &'static str, group: &'static str| async move {
            let t = app.login(who).await;
            let r = app
                .get(&format!("/reports/customers?{period}&group_by={group}"), &t)
                .await
                .expect(200);
            busy(&r)
        };
        let (lead, contacted) = ("一般客户", "联系客户");
        for (who, want) in [
            ("s1_a", vec![row(lead, 1, ""), row(contacted, 2, "")]),
            ("s1_b", vec![]),
            ("s2_a", vec![row(lead, 1, "")]),
            ("s1_mgr", vec![row(lead, 1, ""), row(contacted, 2, "")]),
            ("gm", vec![row(lead, 2, ""), row(contacted, 2, "")]),
        ] {
            assert_eq!(by_level(who, "level").await, want, "{who}");
        }
        let t = app.login("gm").await;
        let r = app
            .get(&format!("/reports/customers?{period}&group_by=level"), &t)
            .await
            .expect(200);
        assert_eq!(r["funnel"][0]["reached"], 4);
        assert_eq!(r["funnel"][1]["reached"], 2);
        assert_eq!(r["funnel"][1]["median_days"], "2.0");
        assert_eq!(r["funnel"][2]["median_days"], Value::Null);
        // The whole company's funnel reads whole months from summaries; a department's reads the
        // rows. The sales department holds every customer here: the same funnel either way.
        let admin = app.login("admin").await;
        let sales = app
            .get(
                &format!("/users/{}", app.user_id(&admin, "sales_dir").await),
                &admin,
            )
            .await
            .expect(200)["department"]["id"]
            .clone();
        let by_rows = app
            .get(
                &format!("/reports/customers?{period}&group_by=level&department_id={sales}"),
                &t,
            )
            .await
            .expect(200);
        assert_eq!(by_rows["funnel"], r["funnel"]);
        // By level and department: the two departments apart.
        let by_department = by_level("gm", "level,department").await;
        assert_eq!(
            by_department,
            vec![
                row(&format!("{lead} / 销售一部"), 1, ""),
                row(&format!("{lead} / 销售二部"), 1, ""),
                row(&format!("{contacted} / 销售一部"), 2, ""),
            ]
        );
        // A customer handed to s2_a counts under its new owner.
        let admin = app.login("admin").await;
        let s1_id = app.user_id(&admin, "s1_a").await;
        let s2_id = app.user_id(&admin, "s2_a").await;
        app.post(
            "/customer-transfers",
            &admin,
            json!({"from_user_id": s1_id, "to_user_id": s2_id, "customer_ids": [made[2]["id"]], "reason": "调岗"}),
        )
        .await
        .expect(201);
        assert_eq!(
            by_level("s2_a", "level").await,
            vec![row(lead, 1, ""), row(contacted, 1, "")]
        );
    }
);

api_test!(
    a_report_downloads_as_csv_and_excel_with_the_same_rows,
    |app| {
        fixture(app).await;
        let gm = app.login("gm").await;
        let path = format!("/reports/sales?{YEAR}&group_by=department");
        let json = app.get(&path, &gm).await.expect(200);
        let (status, text) = csv(app, &format!("{path}&format=csv"), &gm).await;
        assert_eq!(status, 200);
        assert!(text.starts_with('\u{feff}'), "a byte-order mark for Excel");
        let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
        assert_eq!(lines[0], "部门,签约订单,签约金额,平均");
        assert_eq!(lines[1], "销售一部,3,1700.50,566.83");
        assert_eq!(lines[2], "销售二部,1,700.00,700.00");
        assert_eq!(lines[3], "合计,4,2400.50,600.13");
        assert_eq!(lines.len(), json["rows"].as_array().unwrap().len() + 2);

        let sheet = xlsx(app, &format!("{path}&format=xlsx"), &gm).await;
        assert_eq!(sheet[0][0], Data::String("部门".into()));
        assert_eq!(sheet[1][0], Data::String("销售一部".into()));
        assert_eq!(sheet[1][1], Data::Float(3.0));
        assert_eq!(sheet[1][2], Data::Float(1700.5));
        assert_eq!(sheet[3][0], Data::String("合计".into()));
        assert_eq!(sheet[3][2], Data::Float(2400.5));
        // The expense analysis downloads as a workbook too.
        let sheet = xlsx(app, "/reports/expenses?format=xlsx", &gm).await;
        assert_eq!(sheet[0][0], Data::String("部门".into()));
    }
);

api_test!(the_dashboard_adds_up_the_month_within_scope, |app| {
    let gm = app.login("gm").await;
    let before = app.get("/reports/dashboard", &gm).await.expect(200);
    assert_eq!(before["trend"].as_array().unwrap().len(), 12);
    let levels: Vec<&str> = before["funnel"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["level"].as_str().unwrap())
        .collect();
    assert_eq!(levels, ["lead", "contacted", "prospect", "signed"]);

    // Today s1_a signs 888.00 and finance receives 88.00 of it.
    let p = product(app, "DASH", "888.00", None).await;
    let s1 = app.login("s1_a").await;
    let c = customer(app, &s1, "看板测试有限公司").await;
    let o = order(
        app,
        &s1,
        &c,
        json!([{"product_id": p, "quantity": 1, "unit_price": "888.00"}]),
    )
    .await;
    let o = act(app, &s1, &o, "sign").await;
    let today = o["signed_on"].as_str().unwrap().to_string();
    plan(app, &s1, &o, &[(today.parse().unwrap(), "888.00")]).await;
    received(app, &o, "88.00", &today).await;

    let after = app.get("/reports/dashboard", &gm).await.expect(200);
    let money = |v: &Value| v.as_str().unwrap().parse::<f64>().unwrap();
    let grew = |key: &str, sub: &str| money(&after[key][sub]) - money(&before[key][sub]);
    assert!((grew("signed", "this_month") - 888.0).abs() < 0.001);
    assert!((grew("received", "this_month") - 88.0).abs() < 0.001);
    assert_eq!(
        after["orders_signed"]["this_month"].as_i64().unwrap(),
        before["orders_signed"]["this_month"].as_i64().unwrap() + 1
    );
    assert_eq!(
        after["new_customers"]["this_month"].as_i64().unwrap(),
        before["new_customers"]["this_month"].as_i64().unwrap() + 1
    );
    // The trend's last month is this month.
    assert_eq!(after["trend"][11]["signed"], after["signed"]["this_month"]);
    // The ranking names s1_a with this month's sales, which the sales report agrees with.
    let admin = app.login("admin").await;
    let s1_id = app.user_id(&admin, "s1_a").await;
    let s1_key = s1_id.to_string();
    let mine = after["ranking"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["owner"]["id"] == s1_id)
        .expect("s1_a ranked")
        .clone();
    let month = &today[..7];
    let r = app
        .get(
            &format!("/reports/sales?from={month}-01&to={today}&group_by=owner"),
            &gm,
        )
        .await
        .expect(200);
    let row = r["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["keys"][0] == s1_key.as_str())
        .unwrap()
        .clone();
    assert_eq!(mine["signed"], row["amount"]);

    // A manager's dashboard holds his team only: s2_a's sale is not in s1_mgr's month.
    let mgr = app.login("s1_mgr").await;
    let team = app.get("/reports/dashboard", &mgr).await.expect(200);
    assert!(
        team["ranking"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["department"]["name"] == "销售一部"),
        "{team}"
    );
    assert!(money(&team["signed"]["this_month"]) <= money(&after["signed"]["this_month"]));
});

/// A deal of `owner` for `amount`, closed (`win` or `lose`) and then moved back to 2019: opened
/// on `opened` (UTC), closed on `closed`.
async fn closed_deal(
    app: &TestApp,
    owner: &str,
    amount: &str,
    action: &str,
    extra: Value,
    (opened, closed): (&str, &str),
) -> Value {
    let t = app.login(owner).await;
    let c = customer(
        app,
        &t,
        &format!("{owner}{amount}{action}商机报表测试有限公司"),
    )
    .await;
    let stage = app
        .get("/dictionaries/opportunity_stage", &t)
        .await
        .expect(200)[0]["id"]
        .clone();
    let d = app
        .post(
            "/opportunities",
            &t,
            json!({"customer_id": c["id"], "title": "年度推广", "stage_id": stage, "amount": amount}),
        )
        .await
        .expect(201);
    let mut body = json!({"version": d["version"]});
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    let done = app
        .post(&format!("/opportunities/{}/{action}", d["id"]), &t, body)
        .await
        .expect(200);
    // Opened and closed back then: the day of opening is left for the server to work out from
    // the instant, as it does for the deals opened before it kept that day (migration 041).
    let db = app.pool();
    let mut conn = db.get().unwrap();
    diesel::sql_query(format!(
        "UPDATE opportunities SET created_at = '{opened}', opened_on = NULL, closed_on = '{closed}' WHERE id = {}",
        d["id"]
    ))
    .execute(&mut conn)
    .unwrap();
    assert_eq!(crm_db::opportunities::fill_opened_on(&mut conn).unwrap(), 1);
    done
}

api_test!(
    the_deal_report_counts_wins_losses_and_rivals_within_scope,
    |app| {
        let gm = app.login("gm").await;
        let rival = app
            .post("/competitors", &gm, json!({"name": "报表对手"}))
            .await
            .expect(201);
        let lose = |reason: &str| json!({"lost_reason": reason, "competitor_id": rival["id"]});
        // s1_a wins 1000.00 in 10 days (opened 03-01 at 01:00 in Shanghai, still 02-28 in UTC)
        // and loses 400.00 on price; s1_b loses 300.00 on price; s2_a, another department, wins
        // 700.00 in 31 days.
        closed_deal(
            app,
            "s1_a",
            "1000",
            "win",
            json!({}),
            ("2019-02-28 17:00:00", "2019-03-11"),
        )
        .await;
        closed_deal(
            app,
            "s1_a",
            "400",
            "lose",
            lose("价格高"),
            ("2019-04-01 02:00:00", "2019-04-20"),
        )
        .await;
        closed_deal(
            app,
            "s1_b",
            "300",
            "lose",
            lose("价格高"),
            ("2019-04-01 02:00:00", "2019-05-02"),
        )
        .await;
        closed_deal(
            app,
            "s2_a",
            "700",
            "win",
            json!({}),
            ("2019-06-01 02:00:00", "2019-07-02"),
        )
        .await;
        let report = |who: &'static str| async move {
            let t = app.login(who).await;
            app.get(&format!("/reports/opportunities?{YEAR}"), &t)
                .await
                .expect(200)
        };

        let r = report("s1_a").await;
        assert_eq!((r["won"].as_i64(), r["lost"].as_i64()), (Some(1), Some(1)));
        assert_eq!(r["won_amount"], "1000.00");
        assert_eq!(r["win_rate"], "50.0");
        assert_eq!(r["average_days_to_win"], "10.0");
        assert_eq!(r["lost_reasons"], json!([{"reason": "价格高", "deals": 1}]));
        assert_eq!(r["lost_to"][0]["amount"], "400.00");
        let r = report("s1_mgr").await;
        assert_eq!((r["won"].as_i64(), r["lost"].as_i64()), (Some(1), Some(2)));
        assert_eq!(r["win_rate"], "33.3");
        assert_eq!(r["lost_reasons"], json!([{"reason": "价格高", "deals": 2}]));
        assert_eq!(r["lost_to"][0]["deals"], 2);
        let r = report("s2_a").await;
        assert_eq!((r["won"].as_i64(), r["lost"].as_i64()), (Some(1), Some(0)));
        assert_eq!(r["average_days_to_win"], "31.0");
        assert!(r["lost_to"].as_array().unwrap().is_empty());
        for who in ["sales_dir", "gm"] {
            let r = report(who).await;
            assert_eq!(
                (r["won"].as_i64(), r["lost"].as_i64()),
                (Some(2), Some(2)),
                "{who}"
            );
            assert_eq!(r["won_amount"], "1700.00");
            assert_eq!(r["lost_amount"], "700.00");
            assert_eq!(r["win_rate"], "50.0");
            assert_eq!(r["average_days_to_win"], "20.5");
        }
        // The GM's whole months are read from the summary: a change made there alone shows.
        let nudge = |by: i64| {
            let mut conn = app.pool().get().unwrap();
            diesel::sql_query(format!(
                "UPDATE deal_months SET win_days = win_days + {by} WHERE month = '2019-03-01' AND status = 'won'"
            ))
            .execute(&mut conn)
            .unwrap();
        };
        nudge(10);
        assert_eq!(report("gm").await["average_days_to_win"], "25.5");
        let drift = crm_db::summaries::drift(&mut app.pool().get().unwrap()).unwrap();
        assert!(
            drift.iter().any(|d| d.starts_with("deal_months")),
            "{drift:?}"
        );
        nudge(-10);
        // A period the months do not fit: March is read whole from the summary (the GM's) less
        // its first eleven days, which hold s1_a's win; July 1 and 2 from the deals, with s2_a's.
        for who in ["gm", "s1_mgr"] {
            let t = app.login(who).await;
            let r = app
                .get("/reports/opportunities?from=2019-03-12&to=2019-07-02", &t)
                .await
                .expect(200);
            let mine = who == "gm";
            assert_eq!(
                (r["won"].as_i64(), r["lost"].as_i64()),
                (Some(i64::from(mine)), Some(2)),
                "{who}"
            );
            assert_eq!(r["won_amount"], if mine { "700.00" } else { "0.00" });
            assert_eq!(
                r["average_days_to_win"],
                if mine { json!("31.0") } else { Value::Null }
            );
            assert_eq!(r["lost_reasons"], json!([{"reason": "价格高", "deals": 2}]));
        }
        // The open deals per stage now: every stage listed, the totals add up.
        let r = report("gm").await;
        let stages = r["stages"].as_array().unwrap();
        assert!(!stages.is_empty());
        let sum: i64 = stages.iter().map(|s| s["count"].as_i64().unwrap()).sum();
        assert_eq!(sum, r["open"].as_i64().unwrap());
        // Someone outside the caller's scope is not found; the stages' table downloads.
        let s1 = app.login("s1_a").await;
        let s2 = app.user_id(&app.login("admin").await, "s2_a").await;
        assert_eq!(
            app.get(&format!("/reports/opportunities?owner_id={s2}"), &s1)
                .await
                .problem(404),
            "not_found"
        );
        let sheet = xlsx(
            app,
            &format!("/reports/opportunities?{YEAR}&format=xlsx"),
            &gm,
        )
        .await;
        assert_eq!(sheet[0][0], Data::String("阶段".into()));
        assert_eq!(sheet.len(), stages.len() + 2);
    }
);

api_test!(
    new_customers_by_level_show_the_funnel_they_went_down,
    |app| {
        // Today's new customers of an industry nobody else has: three leads; two are visited, one of
        // them is blacklisted afterwards; the other becomes a prospect with a deal and signs.
        let admin = app.login("admin").await;
        let industry = app
            .post(
                "/dictionaries/industry",
                &admin,
                json!({"name": "漏斗测试行业"}),
            )
            .await
            .expect(201)["id"]
            .as_i64()
            .unwrap();
        let s1 = app.login("s1_b").await;
        let mut made = Vec::new();
        for name in ["漏斗甲有限公司", "漏斗乙有限公司", "漏斗丙有限公司"] {
            made.push(
                app.post(
                    "/customers",
                    &s1,
                    json!({"name": name, "industry_id": industry}),
                )
                .await
                .expect(201),
            );
        }
        let visit = app
            .get("/dictionaries/activity_type", &s1)
            .await
            .expect(200)[0]["id"]
            .clone();
        let at = (chrono::Utc::now() - chrono::Duration::seconds(30)).to_rfc3339();
        for c in &made[..2] {
            app.post(
            "/activities",
            &s1,
            json!({"customer_id": c["id"], "type_id": visit, "occurred_at": at, "summary": "拜访"}),
        )
        .await
        .expect(201);
        }
        app.post(
            "/opportunities",
            &s1,
            json!({"customer_id": made[0]["id"], "title": "推广"}),
        )
        .await
        .expect(201);
        let p = product(app, "FNL", "100.00", None).await;
        let o = order(
            app,
            &s1,
            &made[0],
            json!([{"product_id": p, "quantity": 1, "unit_price": "100.00"}]),
        )
        .await;
        app.post(
            &format!("/orders/{}/sign", o["id"]),
            &s1,
            json!({"version": o["version"], "signed_on": null}),
        )
        .await
        .expect(200);
        let mgr = app.login("s1_mgr").await;
        app.post(
            &format!("/customers/{}/level", made[1]["id"]),
            &mgr,
            json!({"level": "blacklisted", "reason": "恶意拖欠"}),
        )
        .await
        .expect(200);

        let funnel = |who: &'static str| {
            let query = format!("/reports/customers?group_by=level&industry_id={industry}");
            async move {
                let t = app.login(who).await;
                app.get(&query, &t).await.expect(200)
            }
        };
        for who in ["s1_b", "s1_mgr", "gm"] {
            let r = funnel(who).await;
            let steps: Vec<(String, i64, Option<String>)> = r["funnel"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| {
                    (
                        s["level"].as_str().unwrap().to_string(),
                        s["reached"].as_i64().unwrap(),
                        s["conversion"].as_str().map(str::to_string),
                    )
                })
                .collect();
            let step = |l: &str, n, c: Option<&str>| (l.to_string(), n, c.map(str::to_string));
            assert_eq!(
                steps,
                vec![
                    step("lead", 3, None),
                    step("contacted", 2, Some("66.7")),
                    step("prospect", 1, Some("50.0")),
                    step("signed", 1, Some("100.0")),
                ],
                "{who}"
            );
            // Minutes apart: the medians are under a tenth of a day.
            assert_eq!(r["funnel"][1]["median_days"], "0.0", "{who}");
            assert_eq!(r["funnel"][0]["median_days"], Value::Null);
            // Where they stand now: one signed, one blacklisted, one lead — in the pipeline's order.
            assert_eq!(r["totals"]["count"], 3);
            let levels: Vec<&str> = r["rows"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x["keys"][0].as_str().unwrap())
                .collect();
            assert_eq!(levels, ["lead", "signed", "blacklisted"], "{who}");
        }
        // Someone else's customers are not in another salesperson's funnel.
        let r = funnel("s1_a").await;
        assert_eq!(r["funnel"][0]["reached"], 0);
        assert_eq!(r["funnel"][1]["conversion"], Value::Null);
        // Other groupings carry no funnel.
        let gm = app.login("gm").await;
        let r = app.get("/reports/customers", &gm).await.expect(200);
        assert!(r.get("funnel").is_none());
    }
);

api_test!(reports_cut_by_week_and_by_the_customers_source, |app| {
    fixture(app).await;
    let gm = app.login("gm").await;
    // ISO weeks, Monday to Sunday: Jan 5 (a Saturday) is in the week of Monday Dec 31, 2018.
    let r = app
        .get(&format!("/reports/sales?{YEAR}&group_by=week"), &gm)
        .await
        .expect(200);
    assert_eq!(r["rows"].as_array().unwrap().len(), 53, "every week listed");
    assert_eq!(r["rows"][0]["keys"][0], "2018-12-31");
    assert_eq!(
        busy(&r),
        vec![
            row("2019-W01", 1, "700.00"),
            row("2019-W05", 2, "1500.50"),
            row("2019-W06", 1, "200.00"),
        ]
    );
    assert_eq!(totals(&r), (4, "2400.50".into()));
    // By week and owner; a month and a week together are refused.
    let r = app
        .get(
            &format!("/reports/receipts?{YEAR}&group_by=week,owner"),
            &gm,
        )
        .await
        .expect(200);
    assert_eq!(r["totals"]["amount"], "550.00");
    assert_eq!(
        app.get(&format!("/reports/sales?{YEAR}&group_by=month,week"), &gm)
            .await
            .problem(400),
        "invalid_query"
    );
    // By the customer's source: none has one until s1_a's first customer is given one.
    let r = app
        .get(&format!("/reports/customers?{YEAR}&group_by=source"), &gm)
        .await
        .expect(200);
    let before = r["totals"]["count"].as_i64().unwrap();
    let s1 = app.login("s1_a").await;
    let source = app
        .get("/dictionaries/customer_source", &s1)
        .await
        .expect(200)[0]["id"]
        .as_i64()
        .unwrap();
    let customers = app.get("/customers?limit=200", &s1).await.expect(200);
    let mine = customers["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"].as_str().unwrap().contains("2019-01-31"))
        .unwrap()
        .clone();
    app.patch(
        &format!("/customers/{}", mine["id"]),
        &s1,
        json!({"version": mine["version"], "source_id": source}),
    )
    .await
    .expect(200);
    let r = app
        .get(&format!("/reports/sales?{YEAR}&group_by=source"), &gm)
        .await
        .expect(200);
    assert_eq!(
        keyed(&r, 0),
        vec![(0, 3, "1400.50".into()), (source, 1, "1000.00".into())]
    );
    let r = app
        .get("/reports/customers?group_by=source", &gm)
        .await
        .expect(200);
    assert!(r["totals"]["count"].as_i64().unwrap() >= before);
});
