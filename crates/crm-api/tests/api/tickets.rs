//! Service tickets: who sees them (whoever sees the customer; service staff see every customer),
//! the state machine with every refused move, satisfaction on closing, overdue announced once
//! with several scheduler instances, transfers, the service report.

use crate::api_test;
use crate::support::{TestApp, ids};
use serde_json::{Value, json};

async fn customer(app: &TestApp, token: &str, name: &str) -> Value {
    app.post("/customers", token, json!({"name": name}))
        .await
        .expect(201)
}

async fn open(app: &TestApp, token: &str, c: &Value, body: Value) -> Value {
    let mut body = body;
    body["customer_id"] = c["id"].clone();
    if body.get("type").is_none() {
        body["type"] = json!("complaint");
    }
    if body.get("subject").is_none() {
        body["subject"] = json!("网站打不开");
    }
    app.post("/tickets", token, body).await.expect(201)
}

/// A status move by `who` at the ticket's current version.
async fn act(
    app: &TestApp,
    who: &str,
    x: &Value,
    action: &str,
    extra: Value,
) -> crate::support::Res {
    let t = app.login(who).await;
    let current = app
        .get(&format!("/tickets/{}", x["id"]), &t)
        .await
        .expect(200);
    let mut body = extra;
    body["version"] = current["version"].clone();
    app.post(&format!("/tickets/{}/{action}", x["id"]), &t, body)
        .await
}

api_test!(visibility_matrix_for_every_ticket_endpoint, |app| {
    let owner = app.login("s1_a").await;
    let c = customer(app, &owner, "德州金诺食品有限公司").await;
    let x = open(app, &owner, &c, json!({"priority": "high"})).await;
    let id = x["id"].as_i64().unwrap();
    assert!(x["number"].as_str().unwrap().starts_with("TK"));
    assert_eq!(x["status"], "open");
    assert_eq!(x["type"], "complaint");
    assert_eq!(x["overdue"], false);
    app.post(
        &format!("/tickets/{id}/comments"),
        &owner,
        json!({"body": "客户来电投诉"}),
    )
    .await
    .expect(201);

    let matrix = [
        ("s1_a", Some(true)),      // the customer's owner
        ("s1_b", Some(false)),     // a peer in the same department
        ("s2_a", Some(false)),     // another department
        ("s1_mgr", Some(true)),    // the manager above
        ("sales_dir", Some(true)), // the director above that
        ("s2_mgr", Some(false)),   // a sibling department's manager
        ("cs_a", Some(true)),      // service reads every customer
        ("gm", Some(true)),        // scope all
        ("fin_a", None),           // finance: no service permission
        ("admin", None),           // an administrator without business permissions
    ];
    for (who, sees) in matrix {
        let t = app.login(who).await;
        let one = app.get(&format!("/tickets/{id}"), &t).await;
        let timeline = app.get(&format!("/tickets/{id}/comments"), &t).await;
        let list = app.get("/tickets?limit=200", &t).await;
        match sees {
            None => {
                assert_eq!(one.problem(403), "forbidden", "{who}");
                assert_eq!(timeline.problem(403), "forbidden", "{who}");
                assert_eq!(list.problem(403), "forbidden", "{who}");
            }
            Some(true) => {
                assert_eq!(one.expect(200)["id"], id, "{who}");
                assert_eq!(timeline.expect(200).as_array().unwrap().len(), 2, "{who}");
                assert!(ids(&list.expect(200)).contains(&id), "{who}");
            }
            Some(false) => {
                assert_eq!(one.problem(404), "not_found", "{who}");
                assert_eq!(timeline.problem(404), "not_found", "{who}");
                assert!(!ids(&list.expect(200)).contains(&id), "{who}");
                let res = app
                    .post(
                        &format!("/tickets/{id}/comments"),
                        &t,
                        json!({"body": "看不见"}),
                    )
                    .await;
                assert_eq!(res.problem(404), "not_found", "{who}");
            }
        }
    }
    // Handling is for service staff; a salesperson opens and comments but does not handle.
    let res = act(app, "s1_a", &x, "start", json!({})).await;
    assert_eq!(res.problem(403), "forbidden");
    // Service staff read the customer and its orders, and edit neither.
    let cs = app.login("cs_a").await;
    app.get(&format!("/customers/{}", c["id"]), &cs)
        .await
        .expect(200);
    let res = app
        .patch(
            &format!("/customers/{}", c["id"]),
            &cs,
            json!({"version": 1, "phone": "0531-1"}),
        )
        .await;
    assert_eq!(res.problem(403), "forbidden");
    let res = app
        .post("/customers", &cs, json!({"name": "客服新建有限公司"}))
        .await;
    assert_eq!(res.problem(403), "forbidden");

    // A transfer changes who sees it through the customer; the ticket keeps its assignee.
    let cs_id = app.user_id(&app.login("admin").await, "cs_a").await;
    act(app, "cs_a", &x, "assign", json!({"assignee_id": cs_id}))
        .await
        .expect(200);
    let admin = app.login("admin").await;
    let s2 = app.user_id(&admin, "s2_a").await;
    let s1 = app.user_id(&admin, "s1_a").await;
    app.post(
        "/customer-transfers",
        &admin,
        json!({"from_user_id": s1, "customer_ids": [c["id"]], "to_user_id": s2, "reason": "区域调整"}),
    )
    .await
    .expect(201);
    let theirs = app.login("s2_a").await;
    let moved = app
        .get(&format!("/tickets/{id}"), &theirs)
        .await
        .expect(200);
    assert_eq!(moved["assignee"]["id"], cs_id);
    assert_eq!(
        app.get(&format!("/tickets/{id}"), &owner)
            .await
            .problem(404),
        "not_found"
    );
});

api_test!(the_ticket_state_machine_refuses_every_wrong_move, |app| {
    let owner = app.login("s1_a").await;
    let c = customer(app, &owner, "滨州瑞丰化工有限公司").await;
    let other = customer(app, &owner, "菏泽宏远木业有限公司").await;
    let contact = app
        .post(
            &format!("/customers/{}/contacts", other["id"]),
            &owner,
            json!({"name": "孙经理"}),
        )
        .await
        .expect(201);
    // Bad input.
    let cases = [
        (json!({"type": "praise"}), 422),
        (json!({"subject": "  "}), 422),
        (json!({"priority": "asap"}), 422),
        (json!({"contact_id": contact["id"]}), 422),
    ];
    for (body, status) in cases {
        let mut b = body.clone();
        b["customer_id"] = c["id"].clone();
        if b.get("type").is_none() {
            b["type"] = json!("feedback");
        }
        if b.get("subject").is_none() {
            b["subject"] = json!("反馈");
        }
        let res = app.post("/tickets", &owner, b).await;
        assert_eq!(res.status, status, "{body}");
    }
    let s1_b = app.user_id(&app.login("admin").await, "s1_b").await;
    let res = app
        .post(
            "/tickets",
            &owner,
            json!({"type": "feedback", "customer_id": c["id"], "subject": "反馈", "assignee_id": s1_b}),
        )
        .await
        .expect(422);
    assert_eq!(res["errors"][0]["code"], "not_a_handler");
    let res = app
        .post(
            "/tickets",
            &owner,
            json!({"type": "feedback", "customer_id": c["id"], "subject": "反馈", "contact_id": contact["id"]}),
        )
        .await
        .expect(422);
    assert_eq!(res["errors"][0]["code"], "not_of_customer");

    let mine = app
        .post(
            &format!("/customers/{}/contacts", c["id"]),
            &owner,
            json!({"name": "周主任"}),
        )
        .await
        .expect(201);
    let x = open(app, &owner, &c, json!({"contact_id": mine["id"]})).await;
    assert_eq!(x["contact"]["name"], "周主任");
    // A contact who leaves the customer leaves the ticket; the customer keeps its tickets.
    app.delete(&format!("/contacts/{}", mine["id"]), &owner)
        .await
        .expect(204);
    let x = app
        .get(&format!("/tickets/{}", x["id"]), &owner)
        .await
        .expect(200);
    assert_eq!(x["contact"], Value::Null);
    let manager = app.login("s1_mgr").await;
    let res = app
        .delete(&format!("/customers/{}", c["id"]), &manager)
        .await;
    assert_eq!(res.problem(409), "customer_has_tickets");
    // Closing an open ticket without a resolution: refused; so is reopening an open one.
    for (action, extra) in [("close", json!({"satisfaction": 4})), ("reopen", json!({}))] {
        let res = act(app, "cs_a", &x, action, extra).await;
        assert_eq!(res.problem(409), "invalid_status_move", "{action}");
    }
    act(app, "cs_a", &x, "start", json!({})).await.expect(200);
    let res = act(app, "cs_a", &x, "start", json!({})).await;
    assert_eq!(res.problem(409), "invalid_status_move", "start twice");
    let res = act(app, "cs_a", &x, "resolve", json!({"resolution": " "})).await;
    assert_eq!(
        res.problem(422),
        "validation_failed",
        "a resolution is needed"
    );
    let resolved = act(
        app,
        "cs_a",
        &x,
        "resolve",
        json!({"resolution": "已重启服务器"}),
    )
    .await
    .expect(200);
    assert_eq!(resolved["status"], "resolved");
    assert!(resolved["resolved_at"].is_string());
    for stars in [0, 6] {
        let res = act(app, "cs_a", &x, "close", json!({"satisfaction": stars})).await;
        assert_eq!(res.problem(422), "validation_failed", "{stars} stars");
    }
    let closed = act(app, "cs_a", &x, "close", json!({"satisfaction": 4}))
        .await
        .expect(200);
    assert_eq!(closed["status"], "closed");
    assert_eq!(closed["satisfaction"], 4);
    for (action, extra) in [
        ("start", json!({})),
        ("resolve", json!({"resolution": "再解决"})),
        ("close", json!({"satisfaction": 5})),
    ] {
        let res = act(app, "cs_a", &x, action, extra).await;
        assert_eq!(
            res.problem(409),
            "invalid_status_move",
            "{action} when closed"
        );
    }
    let cs = app.login("cs_a").await;
    let res = app
        .patch(
            &format!("/tickets/{}", x["id"]),
            &cs,
            json!({"version": closed["version"], "subject": "改"}),
        )
        .await;
    assert_eq!(res.problem(409), "ticket_closed");
    let reopened = act(app, "cs_a", &x, "reopen", json!({})).await.expect(200);
    assert_eq!(reopened["status"], "open");
    assert_eq!(reopened["satisfaction"], Value::Null);
    // The timeline has every step.
    let timeline = app
        .get(&format!("/tickets/{}/comments", x["id"]), &cs)
        .await
        .expect(200);
    let steps: Vec<String> = timeline
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            format!(
                "{}:{}",
                e["kind"].as_str().unwrap(),
                e["status"].as_str().unwrap_or("")
            )
        })
        .collect();
    assert_eq!(
        steps,
        [
            "created:open",
            "status:in_progress",
            "status:resolved",
            "status:closed",
            "status:open"
        ]
    );
    // A stale version is refused.
    let res = app
        .post(
            &format!("/tickets/{}/start", x["id"]),
            &cs,
            json!({"version": 1}),
        )
        .await;
    assert_eq!(res.problem(409), "stale_version");

    // The report: one complaint, opened today, resolved once, no rating left after reopening.
    let gm = app.login("gm").await;
    let report = app
        .get("/reports/service?group_by=type", &gm)
        .await
        .expect(200);
    assert!(report["totals"]["count"].as_i64().unwrap() >= 1, "{report}");
    let by_customer = app
        .get("/reports/service?group_by=customer", &owner)
        .await
        .expect(200);
    let row = by_customer["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"].as_str() == Some(c["id"].to_string().as_str()))
        .cloned()
        .unwrap();
    assert_eq!(row["label"], "滨州瑞丰化工有限公司");
    assert_eq!(row["count"], 1);
    assert_eq!(row["pending"], 1);
});

api_test!(
    overdue_tickets_are_announced_once_with_two_scheduler_instances,
    |app| {
        let owner = app.login("s1_a").await;
        let c = customer(app, &owner, "聊城正元纸业有限公司").await;
        let cs_id = app.user_id(&app.login("admin").await, "cs_a").await;
        let urgent = open(
            app,
            &owner,
            &c,
            json!({"priority": "urgent", "assignee_id": cs_id}),
        )
        .await;
        let low = open(app, &owner, &c, json!({"priority": "low"})).await;
        // Five hours on: the urgent one (due in four) is late, the low one (a week) is not.
        let at = chrono::Utc::now() + chrono::Duration::hours(5);
        let (a, b) = (app.pool(), app.pool());
        let mut runs = Vec::new();
        for db in [a, b] {
            for _ in 0..3 {
                let db = db.clone();
                runs.push(std::thread::spawn(move || {
                    crm_api::scheduler::run_once(&db, None, None, at)
                        .unwrap()
                        .announced
                }));
            }
        }
        let reports: Vec<_> = runs.into_iter().map(|r| r.join().unwrap()).collect();
        assert_eq!(reports.iter().map(|r| r.tickets_overdue).sum::<usize>(), 1);
        let cs = app.login("cs_a").await;
        let notes = app.get("/notifications?limit=200", &cs).await.expect(200);
        let overdue: Vec<&Value> = notes["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|n| n["kind"] == "ticket_overdue")
            .collect();
        assert_eq!(overdue.len(), 1, "{notes}");
        assert_eq!(overdue[0]["entity_id"], urgent["id"]);
        // And again later: nothing new.
        let again = crm_api::scheduler::run_once(&app.pool(), None, None, at).unwrap();
        assert_eq!(again.announced.tickets_overdue, 0);
        let _ = low;
    }
);

api_test!(due_times_follow_the_company_hours_per_priority, |app| {
    let owner = app.login("s1_a").await;
    let c = customer(app, &owner, "日照海润水产有限公司").await;
    let hours = |x: &Value| {
        let at = |k: &str| chrono::DateTime::parse_from_rfc3339(x[k].as_str().unwrap()).unwrap();
        (at("due_at") - at("created_at")).num_minutes() as f64 / 60.0
    };
    // The defaults: urgent 4 hours, low a week.
    let urgent = open(app, &owner, &c, json!({"priority": "urgent"})).await;
    assert_eq!(hours(&urgent), 4.0);
    assert_eq!(
        hours(&open(app, &owner, &c, json!({"priority": "low"})).await),
        168.0
    );

    // Bad hours are refused and change nothing.
    let admin = app.login("admin").await;
    for bad in [
        json!({"urgent": 0, "high": 24, "normal": 72, "low": 168}),
        json!({"urgent": 4, "high": 24, "normal": 72, "low": 2161}),
        json!({"urgent": 48, "high": 24, "normal": 72, "low": 168}),
    ] {
        let s = app.get("/settings", &admin).await.expect(200);
        let res = app
            .patch(
                "/settings",
                &admin,
                json!({"ticket_due_hours": bad, "version": s["version"]}),
            )
            .await;
        assert_eq!(res.problem(422), "validation_failed", "{bad}");
    }
    app.set_settings(
        json!({"ticket_due_hours": {"urgent": 2, "high": 8, "normal": 24, "low": 48}}),
    )
    .await;
    let s = app.get("/settings", &admin).await.expect(200);
    assert_eq!(s["ticket_due_hours"]["urgent"], 2);
    assert_eq!(
        hours(&open(app, &owner, &c, json!({"priority": "urgent"})).await),
        2.0
    );
    let normal = open(app, &owner, &c, json!({})).await;
    assert_eq!(hours(&normal), 24.0);

    // An opened ticket keeps its due time until the service desk changes its priority; then it
    // is due by the hours for the new one, counted from its opening.
    let desk = app.login("cs_a").await;
    let edited = app
        .patch(
            &format!("/tickets/{}", urgent["id"]),
            &desk,
            json!({"subject": "网站仍然打不开", "version": urgent["version"]}),
        )
        .await
        .expect(200);
    assert_eq!(hours(&edited), 4.0);
    let raised = app
        .patch(
            &format!("/tickets/{}", normal["id"]),
            &desk,
            json!({"priority": "high", "version": normal["version"]}),
        )
        .await
        .expect(200);
    assert_eq!(hours(&raised), 8.0);
});

api_test!(
    the_service_report_counts_a_hand_made_year_within_scope,
    |app| {
        // s1_a's customer: a complaint resolved in 150 minutes and rated 4, a feedback still
        // open past its due time; s2_a's customer: a complaint resolved in a day, rated 5.
        let s1 = app.login("s1_a").await;
        let s2 = app.login("s2_a").await;
        let a = customer(app, &s1, "服务报表甲有限公司").await;
        let b = customer(app, &s2, "服务报表乙有限公司").await;
        let t1 = open(app, &s1, &a, json!({})).await;
        let t2 = open(app, &s1, &a, json!({"type": "feedback"})).await;
        let t3 = open(app, &s2, &b, json!({})).await;
        {
            use diesel::RunQueryDsl;
            let mut conn = app.pool().get().unwrap();
            for (t, status, created, due, resolved, stars) in [
                (
                    &t1,
                    "closed",
                    "2019-03-10 08:00:00",
                    "2019-03-11 08:00:00",
                    "'2019-03-10 10:30:00'",
                    "4",
                ),
                (
                    &t2,
                    "open",
                    "2019-03-20 00:00:00",
                    "2019-03-21 00:00:00",
                    "NULL",
                    "NULL",
                ),
                (
                    &t3,
                    "resolved",
                    "2019-04-05 12:00:00",
                    "2019-04-08 12:00:00",
                    "'2019-04-06 12:00:00'",
                    "5",
                ),
            ] {
                diesel::sql_query(format!(
                    "UPDATE tickets SET status = '{status}', created_at = '{created}', due_at = '{due}', \
                     resolved_at = {resolved}, satisfaction = {stars} WHERE id = {}",
                    t["id"]
                ))
                .execute(&mut conn)
                .unwrap();
            }
        }
        let report = |who: &'static str, group: &'static str| async move {
            let t = app.login(who).await;
            app.get(
                &format!("/reports/service?from=2019-01-01&to=2019-12-31&group_by={group}"),
                &t,
            )
            .await
            .expect(200)
        };
        let shown = |r: &Value| -> Vec<String> {
            r["rows"]
                .as_array()
                .unwrap()
                .iter()
                .chain([&r["totals"]])
                .map(|x| {
                    format!(
                        "{} {} {} {} {} {} {} {}",
                        x["key"].as_str().unwrap(),
                        x["count"],
                        x["pending"],
                        x["overdue"],
                        x["resolved"],
                        x["avg_resolution_hours"],
                        x["rated"],
                        x["satisfaction"]
                    )
                })
                .collect()
        };
        // By type, for the general manager: (150 + 1 440) / 2 minutes = 13.25 hours, 13.3.
        assert_eq!(
            shown(&report("gm", "type").await),
            [
                r#"complaint 2 0 0 2 "13.3" 2 "4.50""#,
                "feedback 1 1 1 0 null 0 null",
                r#"total 3 1 1 2 "13.3" 2 "4.50""#,
            ]
        );
        assert_eq!(
            shown(&report("gm", "month").await),
            [
                r#"2019-03 2 1 1 1 "2.5" 1 "4.00""#,
                r#"2019-04 1 0 0 1 "24.0" 1 "5.00""#,
                r#"total 3 1 1 2 "13.3" 2 "4.50""#,
            ]
        );
        // The owner and his manager: his customer's two; the other department's owner: his one;
        // a peer: none.
        for who in ["s1_a", "s1_mgr"] {
            assert_eq!(
                shown(&report(who, "status").await),
                [
                    r#"closed 1 0 0 1 "2.5" 1 "4.00""#,
                    "open 1 1 1 0 null 0 null",
                    r#"total 2 1 1 1 "2.5" 1 "4.00""#,
                ],
                "{who}"
            );
        }
        assert_eq!(
            shown(&report("s2_a", "status").await),
            [
                r#"resolved 1 0 0 1 "24.0" 1 "5.00""#,
                r#"total 1 0 0 1 "24.0" 1 "5.00""#,
            ]
        );
        assert_eq!(
            shown(&report("s1_b", "status").await),
            ["total 0 0 0 0 null 0 null"]
        );
        // Ragged ends for the general manager: March read whole from the summary less its 1st
        // to 14th (the complaint of the 10th), April's 1st to 10th from the tickets.
        let t = app.login("gm").await;
        let ragged = || async {
            shown(
                &app.get(
                    "/reports/service?from=2019-03-15&to=2019-04-10&group_by=type",
                    &t,
                )
                .await
                .expect(200),
            )
        };
        assert_eq!(
            ragged().await,
            [
                r#"complaint 1 0 0 1 "24.0" 1 "5.00""#,
                "feedback 1 1 1 0 null 0 null",
                r#"total 2 1 1 1 "24.0" 1 "5.00""#,
            ]
        );
        // The months are read from the summary: a change made there alone shows.
        let nudge = |by: i64| {
            use diesel::RunQueryDsl;
            let mut conn = app.pool().get().unwrap();
            diesel::sql_query(format!(
                "UPDATE ticket_months SET stars = stars + {by} WHERE month = '2019-04-01' AND kind = 'complaint'"
            ))
            .execute(&mut conn)
            .unwrap();
        };
        nudge(1);
        assert_eq!(
            shown(&report("gm", "month").await)[1],
            r#"2019-04 1 0 0 1 "24.0" 1 "6.00""#
        );
        nudge(-1);
    }
);
