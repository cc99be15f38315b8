//! The staff scorecard against the records: the report fixture's 2019 sales and receipts for the
//! money, and for the parts that happen now (activities, new customers, level moves, deals
//! opened, tickets) the card before and after a salesperson's morning. Scope: each person sees
//! only themselves, a manager his team, the director and the general manager everyone. The
//! company's weights make the score; bad weights are refused; the files hold the JSON's rows.

use crate::api_test;
use crate::exports::xlsx;
use crate::reports::fixture;
use crate::support::TestApp;
use calamine::Data;
use serde_json::{Value, json};
use std::collections::BTreeSet;

const YEAR: &str = "from=2019-01-01&to=2019-12-31";

async fn card(app: &TestApp, who: &str, query: &str) -> Value {
    let t = app.login(who).await;
    app.get(&format!("/reports/scorecard?{query}"), &t)
        .await
        .expect(200)
}

/// A person's row.
fn person(card: &Value, id: i64) -> &Value {
    card["people"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["person"]["id"] == id)
        .unwrap_or_else(|| panic!("{id} is not on the card: {card}"))
}

/// A part of a person's row: `(value, department average, ratio)`.
fn part(row: &Value, component: &str) -> (String, String, String) {
    let p = row["parts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["component"] == component)
        .unwrap();
    let s = |k: &str| p[k].as_str().unwrap().to_string();
    (s("value"), s("department_average"), s("ratio"))
}

fn ids(card: &Value) -> BTreeSet<i64> {
    card["people"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["person"]["id"].as_i64().unwrap())
        .collect()
}

api_test!(the_scorecard_counts_the_records_within_scope, |app| {
    fixture(app).await;
    let admin = app.login("admin").await;
    let mut id = std::collections::HashMap::new();
    for who in [
        "s1_a",
        "s1_b",
        "s1_mgr",
        "s2_a",
        "s2_mgr",
        "sales_dir",
        "admin",
        "gm",
    ] {
        id.insert(who, app.user_id(&admin, who).await);
    }

    // The general manager: everyone who sells, money as the fixture has it.
    let gm = card(app, "gm", YEAR).await;
    let all = ids(&gm);
    for who in ["s1_a", "s1_b", "s1_mgr", "s2_a", "s2_mgr"] {
        assert!(all.contains(&id[who]), "{who} on the GM's card");
    }
    assert!(
        !all.contains(&id["admin"]),
        "the administrator sells nothing"
    );
    let a = person(&gm, id["s1_a"]);
    assert_eq!(part(a, "signed").0, "1500.50");
    assert_eq!(part(a, "received").0, "400.00");
    assert_eq!(part(person(&gm, id["s1_b"]), "signed").0, "200.00");
    let c = person(&gm, id["s2_a"]);
    assert_eq!(part(c, "signed").0, "700.00");
    assert_eq!(part(c, "received").0, "150.00");
    // The department average is over the department's people on the card.
    let dept = &a["department"]["id"];
    let mates: Vec<&Value> = gm["people"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| &p["department"]["id"] == dept)
        .collect();
    let n = mates.len() as i64;
    let fen: i64 = mates
        .iter()
        .map(|p| {
            let v = part(p, "signed").0.replace('.', "");
            v.parse::<i64>().unwrap()
        })
        .sum();
    assert_eq!(
        fen, 170_050,
        "only s1_a and s1_b signed in 2019 in 销售一部"
    );
    let avg = (fen * 2 + n) / (2 * n);
    assert_eq!(
        part(a, "signed").1,
        format!("{}.{:02}", avg / 100, avg % 100)
    );
    // Twice the average or more is the most a part earns; s1_b's share is exact to 0.1 %.
    assert_eq!(part(a, "signed").2, "200.0");
    let ratio_bp = (20_000 * n * 10_000 * 2 + fen) / (2 * fen);
    assert_eq!(
        part(person(&gm, id["s1_b"]), "signed").2,
        format!("{}.{}", (ratio_bp + 5) / 10 / 10, (ratio_bp + 5) / 10 % 10)
    );
    // Overdue money held today is the aging report's, per owner.
    let aging = app
        .get(
            "/reports/receivables-aging?group_by=owner",
            &app.login("gm").await,
        )
        .await
        .expect(200);
    for who in ["s1_a", "s2_a"] {
        let row = aging["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["key"]["id"] == id[who])
            .unwrap();
        let fen = |v: &Value| v.as_str().unwrap().replace('.', "").parse::<i64>().unwrap();
        let overdue = fen(&row["total"]) - fen(&row["not_due"]);
        let held = part(person(&gm, id[who]), "overdue_held").0;
        assert_eq!(
            held.replace('.', "").parse::<i64>().unwrap(),
            overdue,
            "{who}"
        );
    }

    // Scope: oneself, the team, everyone.
    let own = card(app, "s1_a", YEAR).await;
    assert_eq!(ids(&own), BTreeSet::from([id["s1_a"]]));
    let me = person(&own, id["s1_a"]);
    assert_eq!(
        part(me, "signed").1,
        "1500.50",
        "alone, the average is his own"
    );
    assert_eq!(me["score"], "100.0");
    assert_eq!(
        ids(&card(app, "s1_b", YEAR).await),
        BTreeSet::from([id["s1_b"]])
    );
    assert_eq!(
        ids(&card(app, "s2_a", YEAR).await),
        BTreeSet::from([id["s2_a"]])
    );
    let team = ids(&card(app, "s1_mgr", YEAR).await);
    assert!(
        team.contains(&id["s1_a"]) && team.contains(&id["s1_b"]) && team.contains(&id["s1_mgr"])
    );
    assert!(!team.contains(&id["s2_a"]) && !team.contains(&id["s2_mgr"]));
    // The director: the sales departments' people (the general manager's office is above him).
    let mut sales = all.clone();
    sales.remove(&id["gm"]);
    assert_eq!(ids(&card(app, "sales_dir", YEAR).await), sales);
    // Someone outside the caller's scope is not found; inside it, the filter narrows.
    let s1 = app.login("s1_a").await;
    assert_eq!(
        app.get(&format!("/reports/scorecard?owner_id={}", id["s2_a"]), &s1)
            .await
            .problem(404),
        "not_found"
    );
    let one = card(app, "s1_mgr", &format!("{YEAR}&owner_id={}", id["s1_b"])).await;
    assert_eq!(ids(&one), BTreeSet::from([id["s1_b"]]));
    // An end alone: the month it is in.
    let feb = card(app, "s1_a", "to=2019-02-28").await;
    assert_eq!(feb["from"], "2019-02-01");
    assert_eq!(part(person(&feb, id["s1_a"]), "signed").0, "500.50");
    assert_eq!(
        app.get("/reports/scorecard?from=2019-05-01&to=2019-04-01", &s1)
            .await
            .problem(422),
        "validation_failed"
    );
    assert_eq!(
        app.get("/reports/scorecard?group_by=month", &s1)
            .await
            .problem(400),
        "invalid_query"
    );

    // A salesperson's morning, this month: a new customer, a visit (lead → contacted), a deal
    // (contacted → prospect), a complaint against the customer.
    let before = card(app, "s1_a", "").await;
    let types = app
        .get("/dictionaries/activity_type", &s1)
        .await
        .expect(200);
    let visit = types
        .as_array()
        .unwrap()
        .iter()
        .position(|t| t["name"] == "拜访")
        .unwrap();
    let customer = app
        .post(
            "/customers",
            &s1,
            json!({"name": "潍坊绩效考核测试有限公司"}),
        )
        .await
        .expect(201);
    let at = (chrono::Utc::now() - chrono::Duration::minutes(1)).to_rfc3339();
    app.post(
        "/activities",
        &s1,
        json!({"customer_id": customer["id"], "type_id": types[visit]["id"], "occurred_at": at, "summary": "上门拜访"}),
    )
    .await
    .expect(201);
    app.post(
        "/opportunities",
        &s1,
        json!({"customer_id": customer["id"], "title": "网站推广"}),
    )
    .await
    .expect(201);
    app.post(
        "/tickets",
        &s1,
        json!({"customer_id": customer["id"], "type": "complaint", "subject": "排名下降"}),
    )
    .await
    .expect(201);
    // Moving it down and up again by hand earns nothing more.
    for level in ["contacted", "prospect"] {
        app.post(
            &format!("/customers/{}/level", customer["id"]),
            &s1,
            json!({"level": level, "reason": "核对"}),
        )
        .await
        .expect(200);
    }
    let after = card(app, "s1_a", "").await;
    let (b, a) = (person(&before, id["s1_a"]), person(&after, id["s1_a"]));
    let count = |row: &Value, c: &str| part(row, c).0.parse::<i64>().unwrap();
    for (c, more) in [
        ("activities", 1),
        ("new_customers", 1),
        ("level_upgrades", 2),
        ("deals_opened", 1),
        ("tickets", 1),
        ("deals_won", 0),
    ] {
        assert_eq!(count(a, c) - count(b, c), more, "{c}");
    }
    let by_type = |row: &Value| row["activities_by_type"][visit].as_i64().unwrap();
    assert_eq!(by_type(a) - by_type(b), 1);
    assert_eq!(
        after["activity_types"].as_array().unwrap().len(),
        a["activities_by_type"].as_array().unwrap().len()
    );
});

api_test!(the_company_weighs_the_parts, |app| {
    fixture(app).await;
    let admin = app.login("admin").await;
    let (a, b) = (
        app.user_id(&admin, "s1_a").await,
        app.user_id(&admin, "s1_b").await,
    );
    let settings = app.get("/settings", &admin).await.expect(200);
    assert_eq!(settings["scorecard_weights"]["received"], 25);
    let only = |part: &str, w: u32| {
        let mut weights = json!({
            "activities": 0, "new_customers": 0, "level_upgrades": 0, "deals_opened": 0,
            "deals_won": 0, "signed": 0, "received": 0, "overdue_held": 0, "expenses": 0,
            "tickets": 0
        });
        weights[part] = json!(w);
        weights
    };
    // Bad weights lose nothing.
    for weights in [only("signed", 101), only("signed", 0)] {
        let res = app
            .patch(
                "/settings",
                &admin,
                json!({"version": settings["version"], "scorecard_weights": weights}),
            )
            .await;
        let body = res.expect(422);
        assert_eq!(body["errors"][0]["field"], "scorecard_weights", "{body}");
    }
    app.patch(
        "/settings",
        &admin,
        json!({"version": settings["version"], "scorecard_weights": only("signed", 40)}),
    )
    .await
    .expect(200);
    // Only the signed amount counts now: the score is its ratio, and the parts say so.
    let gm = card(app, "gm", YEAR).await;
    let first = &gm["people"][0];
    assert_eq!(first["person"]["id"], a, "the highest score first");
    assert_eq!(first["score"], "200.0");
    let s1_b = person(&gm, b);
    assert_eq!(s1_b["score"], part(s1_b, "signed").2);
    let weight = |row: &Value, c: &str| {
        row["parts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["component"] == c)
            .unwrap()["weight"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(weight(first, "signed"), 40);
    assert_eq!(weight(first, "received"), 0);
    assert_eq!(first["parts"][5]["points"], "80.0");

    // The workbook: the JSON's people in its order, each part beside its department average.
    let gm_token = app.login("gm").await;
    let sheet = xlsx(
        app,
        &format!("/reports/scorecard?{YEAR}&format=xlsx"),
        &gm_token,
    )
    .await;
    assert_eq!(sheet[0][0], Data::String("姓名".into()));
    assert_eq!(sheet[0][3], Data::String("客户接触".into()));
    assert_eq!(sheet[0][4], Data::String("客户接触（部门平均）".into()));
    assert_eq!(sheet.len(), gm["people"].as_array().unwrap().len() + 1);
    assert_eq!(
        sheet[1][0],
        Data::String(first["person"]["name"].as_str().unwrap().into())
    );
    assert_eq!(sheet[1][2], Data::Float(200.0));
    // signed is the sixth part: columns 3 + 5 × 3.
    assert_eq!(sheet[1][18], Data::Float(1500.5));
    let csv = crate::exports::csv(
        app,
        &format!("/reports/scorecard?{YEAR}&format=csv"),
        &gm_token,
    )
    .await;
    assert_eq!(csv.0, 200);
    let line = csv.1.lines().nth(1).unwrap().to_string();
    assert!(line.contains(",200.0,"), "{line}");
    assert!(line.contains(",1500.50,"), "{line}");
});

// Activities by type come from their summary per UTC day for the days wholly inside a company
// month, and from the rows for the hours a month's first instant cuts (Asia/Shanghai: 16:00 UTC).
api_test!(activities_count_on_the_company_calendar, |app| {
    let s1 = app.login("s1_a").await;
    let id = app.user_id(&app.login("admin").await, "s1_a").await;
    let types = app
        .get("/dictionaries/activity_type", &s1)
        .await
        .expect(200);
    let (visit, call) = (types[0]["id"].clone(), types[1]["id"].clone());
    let customer = app
        .post("/customers", &s1, json!({"name": "淄博日历活动有限公司"}))
        .await
        .expect(201);
    for (at, kind) in [
        ("2018-12-31T15:30:00Z", &visit), // Dec 31, 23:30 in Shanghai: out
        ("2018-12-31T16:30:00Z", &visit), // Jan 1, 00:30
        ("2019-01-15T03:00:00Z", &call),  // a whole day
        ("2019-01-31T15:59:00Z", &visit), // Jan 31, 23:59
        ("2019-01-31T16:00:00Z", &call),  // Feb 1, 00:00
        ("2019-02-28T16:30:00Z", &visit), // Mar 1: out
    ] {
        app.post(
            "/activities",
            &s1,
            json!({"customer_id": customer["id"], "type_id": kind, "occurred_at": at, "summary": "日历"}),
        )
        .await
        .expect(201);
    }
    let count = |card: &Value| {
        let row = person(card, id);
        let by_type: Vec<i64> = row["activities_by_type"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n.as_i64().unwrap())
            .collect();
        (part(row, "activities").0, by_type[0], by_type[1])
    };
    for (period, want) in [
        ("from=2019-01-01&to=2019-02-28", ("4".to_string(), 2, 2)),
        ("from=2019-01-01&to=2019-01-31", ("3".to_string(), 2, 1)),
        ("from=2019-02-01&to=2019-02-28", ("1".to_string(), 0, 1)),
        ("from=2019-01-02&to=2019-01-30", ("1".to_string(), 0, 1)),
    ] {
        for who in ["s1_a", "s1_mgr", "gm"] {
            assert_eq!(count(&card(app, who, period).await), want, "{who} {period}");
        }
    }
    // The type order of the card is the dictionary's.
    let card = card(app, "s1_a", "from=2019-01-01&to=2019-02-28").await;
    assert_eq!(card["activity_types"][0]["id"], visit);
});

api_test!(a_level_counts_once_the_first_time_it_is_reached, |app| {
    let s1 = app.login("s1_a").await;
    let id = app.user_id(&app.login("admin").await, "s1_a").await;
    let customer = app
        .post("/customers", &s1, json!({"name": "日照首次升级有限公司"}))
        .await
        .expect(201);
    let to = |level: &'static str| {
        let path = format!("/customers/{}/level", customer["id"]);
        let s1 = s1.clone();
        async move {
            app.post(&path, &s1, json!({"level": level, "reason": "核对"}))
                .await
                .expect(200);
        }
    };
    // Contacted in January 2019 (the move's time set back, as the history keeps it).
    to("contacted").await;
    {
        use diesel::RunQueryDsl;
        let db = app.pool();
        let mut conn = db.get().unwrap();
        diesel::sql_query(format!(
            "UPDATE audit_log SET at = '2019-01-10 03:00:00' WHERE action = 'level' AND customer_id = {}",
            customer["id"]
        ))
        .execute(&mut conn)
        .unwrap();
    }
    let upgrades = |card: Value| part(person(&card, id), "level_upgrades").0;
    assert_eq!(
        upgrades(card(app, "s1_a", "from=2019-01-01&to=2019-01-31").await),
        "1"
    );
    // This month: back to a lead, contacted again, then a prospect — only the prospect is new.
    let before = upgrades(card(app, "s1_a", "").await);
    for level in ["lead", "contacted", "prospect"] {
        to(level).await;
    }
    let after = upgrades(card(app, "s1_a", "").await);
    assert_eq!(
        after.parse::<i64>().unwrap() - before.parse::<i64>().unwrap(),
        1
    );
    // The manager and the general manager count it the same.
    for who in ["s1_mgr", "gm"] {
        assert_eq!(
            upgrades(card(app, who, "from=2019-01-01&to=2019-01-31").await),
            "1",
            "{who}"
        );
    }
});

api_test!(overdue_money_is_what_fell_due_before_today, |app| {
    use crate::orders::{act, customer, order, plan, product};
    use crate::support::company_day;
    let fen = |v: &Value| v.as_str().unwrap().replace('.', "").parse::<i64>().unwrap();
    let gm = app.login("gm").await;
    let dashboard_overdue =
        || async { fen(&app.get("/reports/dashboard", &gm).await.expect(200)["overdue"]) };
    let before = dashboard_overdue().await;
    let rep = app.login("s1_a").await;
    let p = product(app, "OVERDUE", "1000.00", None).await;
    let c = customer(app, &rep, "逾期测试客户").await;
    let o = order(
        app,
        &rep,
        &c,
        json!([{"product_id": p, "quantity": 1, "unit_price": "1000.00"}]),
    )
    .await;
    let o = act(app, &rep, &o, "sign").await;
    // Due 45 days ago and yesterday (in this month but on its first day): overdue; today and
    // in ten days: not yet.
    plan(
        app,
        &rep,
        &o,
        &[
            (company_day(-45), "300.00"),
            (company_day(-1), "100.00"),
            (company_day(0), "200.00"),
            (company_day(10), "400.00"),
        ],
    )
    .await;
    let me = app.get("/me", &rep).await.expect(200)["id"]
        .as_i64()
        .unwrap();
    for who in ["s1_a", "s1_mgr", "gm"] {
        let held = part(person(&card(app, who, "").await, me), "overdue_held").0;
        assert_eq!(held, "400.00", "{who}");
    }
    // The aging report's overdue buckets say the same.
    let aging = app
        .get("/reports/receivables-aging?group_by=owner", &rep)
        .await
        .expect(200);
    let row = &aging["rows"][0];
    assert_eq!(
        (&row["total"], &row["not_due"]),
        (&json!("1000.00"), &json!("600.00"))
    );
    // The general manager's dashboard counts the same money overdue.
    assert_eq!(dashboard_overdue().await - before, 40_000);
    // Another department's salesperson holds none of it.
    let other = card(app, "s2_a", "").await;
    assert!(!ids(&other).contains(&me));
});
