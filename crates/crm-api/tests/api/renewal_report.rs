//! The renewal report (续费分析) against a hand-computed 2019: service periods ending per month
//! and whether the customer signed one running further; by product only a line of the same
//! product renews it, and products that do not renew are left out. Scope as every report: the
//! owner's own, the manager's team, the company for the director and the general manager.

use crate::api_test;
use crate::exports::{csv, xlsx};
use crate::orders::{customer, product};
use crate::support::TestApp;
use calamine::Data;
use diesel::RunQueryDsl;
use serde_json::{Value, json};

const YEAR: &str = "from=2019-01-01&to=2019-12-31";

/// A signed order of the customer with a service period and `lines` of (product, amount).
async fn serving(
    app: &TestApp,
    token: &str,
    c: &Value,
    (start, end): (&str, &str),
    lines: &[(i64, &str)],
) -> Value {
    let lines: Vec<Value> = lines
        .iter()
        .map(|(p, a)| json!({"product_id": p, "quantity": 1, "unit_price": a}))
        .collect();
    let o = app
        .post(
            "/orders",
            token,
            json!({"customer_id": c["id"], "lines": lines, "service_start": start, "service_end": end}),
        )
        .await
        .expect(201);
    app.post(
        &format!("/orders/{}/sign", o["id"]),
        token,
        json!({"version": o["version"], "signed_on": start}),
    )
    .await
    .expect(200)
}

/// `(labels, due, due amount, renewed, renewed amount, rate)` of the rows with something due.
fn due(r: &Value) -> Vec<(String, i64, String, i64, String, Option<String>)> {
    r["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["due"] != 0)
        .map(|x| {
            let labels: Vec<&str> = x["labels"]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| l.as_str().unwrap())
                .collect();
            (
                labels.join(" / "),
                x["due"].as_i64().unwrap(),
                x["due_amount"].as_str().unwrap().to_string(),
                x["renewed"].as_i64().unwrap(),
                x["renewed_amount"].as_str().unwrap().to_string(),
                x["rate"].as_str().map(str::to_string),
            )
        })
        .collect()
}

fn line(
    label: &str,
    n: i64,
    amount: &str,
    renewed: i64,
    kept: &str,
    rate: Option<&str>,
) -> (String, i64, String, i64, String, Option<String>) {
    (
        label.into(),
        n,
        amount.into(),
        renewed,
        kept.into(),
        rate.map(str::to_string),
    )
}

api_test!(
    renewals_are_counted_per_month_and_product_within_scope,
    |app| {
        let yearly = product(app, "RN1", "1000.00", Some(12)).await;
        let hosting = product(app, "RN2", "800.00", Some(12)).await;
        let other = product(app, "RN3", "900.00", Some(12)).await;
        let build = product(app, "RNB", "300.00", None).await;
        let s1 = app.login("s1_a").await;
        let s2 = app.login("s2_a").await;
        // s1_a: A renews in April; B ends in March, not renewed (its one-off build line aside).
        let a = customer(app, &s1, "续费分析甲有限公司").await;
        serving(
            app,
            &s1,
            &a,
            ("2019-01-01", "2019-03-31"),
            &[(yearly, "1000.00")],
        )
        .await;
        serving(
            app,
            &s1,
            &a,
            ("2019-04-01", "2020-03-31"),
            &[(yearly, "1200.00")],
        )
        .await;
        let b = customer(app, &s1, "续费分析乙有限公司").await;
        serving(
            app,
            &s1,
            &b,
            ("2018-03-16", "2019-03-15"),
            &[(yearly, "500.00"), (build, "300.00")],
        )
        .await;
        // s2_a: C ends in June and signs again, for another product.
        let c = customer(app, &s2, "续费分析丙有限公司").await;
        serving(
            app,
            &s2,
            &c,
            ("2018-07-01", "2019-06-30"),
            &[(hosting, "800.00")],
        )
        .await;
        serving(
            app,
            &s2,
            &c,
            ("2019-07-01", "2020-06-30"),
            &[(other, "900.00")],
        )
        .await;

        let report = |who: &'static str, extra: &'static str| async move {
            let t = app.login(who).await;
            app.get(&format!("/reports/renewals?{YEAR}{extra}"), &t)
                .await
                .expect(200)
        };
        for who in ["gm", "sales_dir"] {
            let r = report(who, "").await;
            assert_eq!(
                r["rows"].as_array().unwrap().len(),
                12,
                "every month listed"
            );
            assert_eq!(
                due(&r),
                vec![
                    line("2019-03", 2, "1800.00", 1, "1000.00", Some("50.0")),
                    line("2019-06", 1, "800.00", 1, "800.00", Some("100.0")),
                ],
                "{who}"
            );
            assert_eq!(r["totals"]["due"], 3);
            assert_eq!(r["totals"]["due_amount"], "2600.00");
            assert_eq!(r["totals"]["renewed"], 2);
            assert_eq!(r["totals"]["rate"], "66.7");
        }
        let r = report("s1_a", "").await;
        assert_eq!(
            due(&r),
            vec![line("2019-03", 2, "1800.00", 1, "1000.00", Some("50.0"))]
        );
        let r = report("s1_mgr", "").await;
        assert_eq!(due(&r).len(), 1);
        let r = report("s2_a", "").await;
        assert_eq!(
            due(&r),
            vec![line("2019-06", 1, "800.00", 1, "800.00", Some("100.0"))]
        );
        let r = report("s1_b", "").await;
        assert!(due(&r).is_empty());
        assert_eq!(r["totals"]["rate"], Value::Null, "no rate of nothing");

        // By product: a renewal must have the same product; the build is no renewal at all.
        let r = report("gm", "&group_by=product").await;
        assert_eq!(
            due(&r),
            vec![
                line("产品RN1", 2, "1500.00", 1, "1000.00", Some("50.0")),
                line("产品RN2", 1, "800.00", 0, "0.00", Some("0.0")),
            ]
        );
        // Its totals count the same lines, each order once (not the build, not C's other product).
        assert_eq!(r["totals"]["due"], 3);
        assert_eq!(r["totals"]["due_amount"], "2300.00");
        assert_eq!(r["totals"]["renewed"], 1);
        assert_eq!(r["totals"]["rate"], "33.3");
        // By owner, and the default period: this year to its last day.
        let r = report("s1_mgr", "&group_by=owner").await;
        assert_eq!(r["rows"].as_array().unwrap().len(), 1);
        let t = app.login("gm").await;
        let now = app.get("/reports/renewals", &t).await.expect(200);
        assert!(
            now["to"].as_str().unwrap().ends_with("-12-31"),
            "{}",
            now["to"]
        );
        // An end alone: the year it is in.
        let then = app
            .get("/reports/renewals?to=2019-12-31", &t)
            .await
            .expect(200);
        assert_eq!(then["from"], "2019-01-01");
        assert_eq!(then["totals"]["due"], 3);

        // The files hold the JSON's rows and totals, headed in the reader's language.
        let sheet = xlsx(app, &format!("/reports/renewals?{YEAR}&format=xlsx"), &t).await;
        assert_eq!(sheet[0][0], Data::String("月份".into()));
        assert_eq!(sheet[0][5], Data::String("续费率 %".into()));
        assert_eq!(sheet.len(), 14, "header, twelve months, totals");
        assert_eq!(sheet[3][1], Data::Float(2.0));
        assert_eq!(sheet[3][2], Data::Float(1800.0));
        assert_eq!(sheet[3][5], Data::Float(50.0));
        assert_eq!(sheet[13][0], Data::String("合计".into()));
        assert_eq!(sheet[13][5], Data::Float(66.7));
        let (status, text) = csv(app, &format!("/reports/renewals?{YEAR}&format=csv"), &t).await;
        assert_eq!(status, 200);
        assert!(
            text.lines()
                .any(|l| l == "2019-03,2,1800.00,1,1000.00,50.0"),
            "{text}"
        );

        // Bad input, as every report.
        for (query, status) in [
            ("group_by=level", 400),
            ("group_by=month,owner,region", 400),
            ("from=2019-05-01&to=2019-04-01", 422),
            ("format=pdf", 400),
        ] {
            let res = app.get(&format!("/reports/renewals?{query}"), &t).await;
            assert_eq!(res.status, status, "{query}");
        }
        let other = app.user_id(&app.login("admin").await, "s2_a").await;
        assert_eq!(
            app.get(&format!("/reports/renewals?owner_id={other}"), &s1)
                .await
                .problem(404),
            "not_found"
        );

        // A period with ragged ends (whole April and May from the summary, the days of March
        // and June from the orders): B (ending 3-15) in, C (ending 6-30) out.
        let ragged = || async move {
            let t = app.login("gm").await;
            let r = app
                .get("/reports/renewals?from=2019-03-15&to=2019-06-29", &t)
                .await
                .expect(200);
            (
                r["totals"]["due"].as_i64().unwrap(),
                r["totals"]["due_amount"].as_str().unwrap().to_string(),
                r["totals"]["renewed"].as_i64().unwrap(),
                r["totals"]["renewed_amount"].as_str().unwrap().to_string(),
            )
        };
        assert_eq!(ragged().await, (2, "1800.00".into(), 1, "1000.00".into()));
        // By product over the same ends: March and June read whole from the summary, their
        // days outside the period (June 30: C) taken away.
        let by_product = || async move {
            let t = app.login("gm").await;
            let r = app
                .get(
                    "/reports/renewals?from=2019-03-15&to=2019-06-29&group_by=product",
                    &t,
                )
                .await
                .expect(200);
            (due(&r), r["totals"]["due"].as_i64().unwrap())
        };
        assert_eq!(
            by_product().await,
            (
                vec![line("产品RN1", 2, "1500.00", 1, "1000.00", Some("50.0"))],
                2
            )
        );
        // B signs again: its March order is renewed from then on, in every path.
        serving(
            app,
            &s1,
            &b,
            ("2019-03-16", "2020-03-15"),
            &[(yearly, "500.00")],
        )
        .await;
        assert_eq!(ragged().await, (2, "1800.00".into(), 2, "1800.00".into()));
        let r = report("gm", "").await;
        assert_eq!(r["totals"]["renewed"], 3);
        assert_eq!(r["totals"]["renewed_amount"], "2600.00");
        assert_eq!(
            by_product().await,
            (
                vec![line("产品RN1", 2, "1500.00", 2, "1500.00", Some("100.0"))],
                2
            )
        );
        // Whole months by product are read from the summary: a change made there alone shows.
        let nudge = |by: i64| {
            let mut conn = app.pool().get().unwrap();
            diesel::sql_query(format!(
                "UPDATE renewal_products SET due_amount = due_amount + {by} WHERE product_id = {yearly} AND month = '2019-03-01'"
            ))
            .execute(&mut conn)
            .unwrap();
        };
        nudge(1);
        assert_eq!(by_product().await.0[0].2, "1500.01");
        nudge(-1);
        // A product that stops renewing leaves the report by product, and comes back.
        let admin = app.login("admin").await;
        for renewable in [false, true] {
            let current = app
                .get(&format!("/products/{hosting}"), &admin)
                .await
                .expect(200);
            app.patch(
                &format!("/products/{hosting}"),
                &admin,
                json!({"renewable": renewable, "version": current["version"]}),
            )
            .await
            .expect(200);
            let r = report("gm", "&group_by=product").await;
            assert_eq!(due(&r).len(), if renewable { 2 } else { 1 }, "{renewable}");
            assert_eq!(r["totals"]["due"], if renewable { 3 } else { 2 });
        }
    }
);
