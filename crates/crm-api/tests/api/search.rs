//! Customer search through the bigram index: names, short names and contacts' names, two or more
//! characters, and four or more digits of the phone, within the caller's scope; the index follows renames, contacts and transfers; the
//! maintained summaries are recounted after every test (see `api_test!`), and a recount notices a
//! summary that is off.

use crate::api_test;
use crate::support::{TestApp, enc};
use serde_json::json;

/// The names a query finds for a caller.
async fn found(app: &TestApp, token: &str, q: &str) -> Vec<String> {
    let page = app
        .get(&format!("/customers?limit=200&q={}", enc(q)), token)
        .await
        .expect(200);
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_string())
        .collect()
}

api_test!(
    search_finds_substrings_within_scope_and_follows_changes,
    |app| {
        let owner = app.login("s1_a").await;
        let peer = app.login("s1_b").await;
        let other = app.login("s2_a").await;
        let manager = app.login("s1_mgr").await;
        let gm = app.login("gm").await;
        let admin = app.login("admin").await;
        let name = "青岛瑞祥海洋装备有限公司";
        let c = app
            .post(
                "/customers",
                &owner,
                json!({"name": name, "short_name": "瑞祥装备", "phone": "0532-86661234"}),
            )
            .await
            .expect(201);
        let contact = app
            .post(
                &format!("/customers/{}/contacts", c["id"]),
                &owner,
                json!({"name": "欧阳娜"}),
            )
            .await
            .expect(201);
        // The matrix: the owner, a peer, another department, the manager above, scope `all`.
        for (token, sees) in [
            (&owner, true),
            (&peer, false),
            (&other, false),
            (&manager, true),
            (&gm, true),
        ] {
            for q in ["瑞祥", "86661234"] {
                let names = found(app, token, q).await;
                assert_eq!(names.contains(&name.to_string()), sees, "{q}: {names:?}");
            }
        }
        // Any two or more adjacent characters of the name, short name or a contact's name.
        for q in [
            "海洋",
            "祥海洋装",
            "瑞祥装备",
            "欧阳",
            "阳娜",
            "8666",
            "0532-86661234",
            "2-8666",
            "661",
            "公司",
        ] {
            assert!(
                found(app, &owner, q).await.contains(&name.to_string()),
                "{q}"
            );
        }
        // Bigrams that are each in the name, but not adjacent: no match.
        assert!(found(app, &owner, "瑞洋").await.is_empty());
        assert!(found(app, &owner, "瑞祥洋").await.is_empty());
        // Runs of four digits that are each in the phone, but not in this order: no match.
        assert!(found(app, &owner, "12348666").await.is_empty());

        // A rename: the old name no longer finds it, the new one does.
        let renamed = app
            .patch(
                &format!("/customers/{}", c["id"]),
                &owner,
                json!({"name": "青岛蓝海装备有限公司", "version": c["version"]}),
            )
            .await
            .expect(200);
        assert!(found(app, &owner, "海洋").await.is_empty());
        assert_eq!(found(app, &owner, "蓝海").await, ["青岛蓝海装备有限公司"]);
        // A new phone: the old number no longer finds it, the new one does.
        let renamed = app
            .patch(
                &format!("/customers/{}", c["id"]),
                &owner,
                json!({"phone": "13905327788", "version": renamed["version"]}),
            )
            .await
            .expect(200);
        assert!(found(app, &owner, "86661234").await.is_empty());
        assert_eq!(
            found(app, &owner, "0532778").await,
            ["青岛蓝海装备有限公司"]
        );
        // The short name still finds it.
        assert_eq!(found(app, &owner, "瑞祥").await, ["青岛蓝海装备有限公司"]);
        // A contact renamed, then removed.
        app.patch(
            &format!("/contacts/{}", contact["id"]),
            &owner,
            json!({"name": "司马娟", "version": contact["version"]}),
        )
        .await
        .expect(200);
        assert!(found(app, &owner, "欧阳").await.is_empty());
        assert_eq!(found(app, &owner, "司马").await.len(), 1);
        app.delete(&format!("/contacts/{}", contact["id"]), &owner)
            .await
            .expect(204);
        assert!(found(app, &owner, "司马").await.is_empty());

        // A transfer: the receiver finds it, the giver no longer does.
        let from = app.user_id(&admin, "s1_a").await;
        let to = app.user_id(&admin, "s2_a").await;
        app.post(
        "/customer-transfers",
        &admin,
        json!({"from_user_id": from, "to_user_id": to, "customer_ids": [c["id"]], "reason": "调整分工"}),
    )
    .await
    .expect(201);
        assert_eq!(found(app, &other, "蓝海").await, ["青岛蓝海装备有限公司"]);
        assert_eq!(found(app, &other, "7788").await, ["青岛蓝海装备有限公司"]);
        assert!(found(app, &owner, "蓝海").await.is_empty());
        assert!(found(app, &owner, "13905327788").await.is_empty());
        assert_eq!(renamed["short_name"], "瑞祥装备");
    }
);

api_test!(digits_find_phones_and_names_alike, |app| {
    let owner = app.login("s1_a").await;
    let gm = app.login("gm").await;
    let mine = [
        ("日照测试20261127号商行", Some("0633-2201234")),
        ("日照港口物流有限公司", Some("(0633) 2026 1127")),
        ("日照无电话商行", None),
    ];
    for (name, phone) in mine {
        app.post("/customers", &owner, json!({"name": name, "phone": phone}))
            .await
            .expect(201);
    }
    // Which of these three a query finds (the demo company's phones may hold the digits too).
    let among = |names: Vec<String>| -> Vec<String> {
        mine.iter()
            .map(|(name, _)| name.to_string())
            .filter(|name| names.contains(name))
            .collect()
    };
    // Digits in a name are found as well as digits of a phone, by the owner and by everyone's view.
    for token in [&owner, &gm] {
        for (q, expected) in [
            ("20261127", &["日照测试20261127号商行"][..]),
            ("1127", &["日照测试20261127号商行", "日照港口物流有限公司"]),
            ("2201234", &["日照测试20261127号商行"]),
            ("2026 1127", &["日照港口物流有限公司"]),
            ("(0633)", &["日照港口物流有限公司"]),
            ("19999999999", &[]),
        ] {
            assert_eq!(among(found(app, token, q).await), expected, "{q}");
        }
    }
});

api_test!(the_migration_indexes_the_phones_already_there, |app| {
    use diesel::connection::SimpleConnection;
    // Customers with phones of every shape; take their digits out of the index and let the
    // migration's SQL put them back: the recount must find what the application computes.
    let owner = app.login("s1_a").await;
    for (k, phone) in [
        "13800001234",
        "0531-8888 6666",
        "(0633) 2026-1127 转 8",
        "+86 139 0532 7788",
        "123",
        "ext. 4567",
    ]
    .into_iter()
    .enumerate()
    {
        app.post(
            "/customers",
            &owner,
            json!({"name": format!("潍坊迁移{k}号商行"), "phone": phone}),
        )
        .await
        .expect(201);
    }
    let db = app.pool();
    let mut conn = db.get().unwrap();
    // The index as the migration that introduced it builds it (each database has its own).
    let up = match conn.backend() {
        crm_db::Backend::Sqlite => {
            include_str!("../../../../migrations/sqlite/2026-11-27-000011_phone_search/up.sql")
        }
        crm_db::Backend::Postgres => {
            include_str!("../../../../migrations/postgres/2026-11-27-000011_phone_search/up.sql")
        }
    };
    conn.batch_execute("DELETE FROM customer_grams WHERE gram >= 4398046511104")
        .unwrap();
    conn.batch_execute(up).unwrap();
    drop(conn);
    let mut conn = db.get().unwrap();
    assert_eq!(
        crm_db::summaries::drift(&mut conn).unwrap(),
        Vec::<String>::new()
    );
    // And there were phones to index.
    use diesel::prelude::*;
    let digits: i64 = crm_db::schema::customer_grams::table
        .filter(crm_db::schema::customer_grams::gram.ge(1_i64 << 42))
        .count()
        .get_result(&mut *conn)
        .unwrap();
    assert_eq!(digits, 8 + 3 + 3 + 2 + 1);
});

api_test!(a_recount_notices_a_summary_that_is_off, |app| {
    use diesel::connection::SimpleConnection;
    let owner = app.login("s1_a").await;
    let c = app
        .post(
            "/customers",
            &owner,
            json!({"name": "烟台蓝天渔具有限公司"}),
        )
        .await
        .expect(201);
    // A level move, for its times to be spoilt.
    app.post(
        &format!("/customers/{}/level", c["id"]),
        &owner,
        json!({"level": "contacted", "reason": "已联系"}),
    )
    .await
    .expect(200);
    // An order with a service period, for the renewed flag to be spoilt.
    let product = crate::orders::product(app, "RF1", "100.00", Some(12)).await;
    app.post(
        "/orders",
        &owner,
        json!({"customer_id": c["id"], "service_start": "2026-01-01", "service_end": "2026-12-31",
               "lines": [{"product_id": product, "quantity": 1, "unit_price": "100.00"}]}),
    )
    .await
    .expect(201);
    let db = app.pool();
    let mut conn = db.get().unwrap();
    assert!(crm_db::summaries::drift(&mut conn).unwrap().is_empty());
    for (spoil, mend) in [
        (
            "UPDATE customer_pipeline SET customers = customers + 1 WHERE level = 'lead'",
            "UPDATE customer_pipeline SET customers = customers - 1 WHERE level = 'lead'",
        ),
        (
            "INSERT INTO receivable_days (owner_id, due_date, outstanding) VALUES (1, '2020-01-01', 5)",
            "DELETE FROM receivable_days WHERE due_date = '2020-01-01'",
        ),
        (
            "DELETE FROM customer_level_times",
            "INSERT INTO customer_level_times SELECT * FROM customer_levels_reached",
        ),
        (
            "UPDATE customer_level_months SET customers = customers + 1 WHERE level = 'lead'",
            "UPDATE customer_level_months SET customers = customers - 1 WHERE level = 'lead'",
        ),
        (
            "INSERT INTO activity_days (owner_id, day, type_id, activities) VALUES (1, '2020-01-01', 1, 1)",
            "DELETE FROM activity_days WHERE day = '2020-01-01'",
        ),
        (
            "INSERT INTO renewal_months (owner_id, month, due, due_amount, renewed, renewed_amount) VALUES (1, '2020-01-01', 1, 5, 0, 0)",
            "DELETE FROM renewal_months WHERE month = '2020-01-01'",
        ),
        // The flag off the rule (the summary follows the flag, so only the rule notices).
        (
            "UPDATE orders SET renewed = NOT renewed WHERE id = (SELECT MIN(id) FROM orders)",
            "UPDATE orders SET renewed = NOT renewed WHERE id = (SELECT MIN(id) FROM orders)",
        ),
        (
            "UPDATE articles SET helpful = helpful + 1 WHERE id = (SELECT MIN(id) FROM articles)",
            "UPDATE articles SET helpful = helpful - 1 WHERE id = (SELECT MIN(id) FROM articles)",
        ),
        (
            "INSERT INTO article_grams (gram, in_title, article_id) SELECT 7, false, MIN(id) FROM articles",
            "DELETE FROM article_grams WHERE gram = 7",
        ),
        (
            "DELETE FROM customer_grams WHERE customer_id = (SELECT MIN(id) FROM customers)",
            "",
        ),
    ] {
        conn.batch_execute(spoil).unwrap();
        assert!(
            !crm_db::summaries::drift(&mut conn).unwrap().is_empty(),
            "{spoil}"
        );
        if mend.is_empty() {
            break;
        }
        conn.batch_execute(mend).unwrap();
    }
    // Mend the index as the application does after a write.
    use diesel::prelude::*;
    let first: Option<i64> = crm_db::schema::customers::table
        .select(diesel::dsl::min(crm_db::schema::customers::id))
        .first(&mut *conn)
        .unwrap();
    crm_db::search::reindex(&mut conn, &[first.unwrap()]).unwrap();
    assert!(crm_db::summaries::drift(&mut conn).unwrap().is_empty());
});

/// Every page of the customer list, two at a time.
async fn all_pages(app: &TestApp, token: &str, query: &str) -> Vec<i64> {
    app.every_page(token, &format!("/customers?limit=2&{query}"), "id")
        .await
}

api_test!(a_managers_pages_merge_the_owners_in_order, |app| {
    // Customers of two owners in one department, some contacted, some not.
    let a = app.login("s1_a").await;
    let b = app.login("s1_b").await;
    let manager = app.login("s1_mgr").await;
    let gm = app.login("gm").await;
    let types = app.get("/dictionaries/activity_type", &a).await.expect(200);
    let type_id = types[0]["id"].as_i64().unwrap();
    for (k, token) in [&a, &b, &a, &b, &a, &b, &b].into_iter().enumerate() {
        let c = app
            .post(
                "/customers",
                token,
                json!({"name": format!("淄博合并{k}号商行")}),
            )
            .await
            .expect(201);
        if k % 3 != 0 {
            app.post(
                "/activities",
                token,
                json!({"customer_id": c["id"], "type_id": type_id,
                       "occurred_at": chrono::Utc::now() - chrono::Duration::hours(k as i64),
                       "summary": "电话"}),
            )
            .await
            .expect(201);
        }
    }
    // The manager's pages (merged per owner) are the general manager's (one query over everyone),
    // in the same order, for each time sort in both directions, with and without a level.
    for query in [
        "sort=last_contact",
        "sort=-last_contact",
        "sort=-updated",
        "sort=created",
        "sort=last_contact&level=contacted",
        "sort=last_contact&q=%E5%90%88%E5%B9%B6",
    ] {
        let merged = all_pages(app, &manager, query).await;
        let reference = all_pages(app, &gm, query).await;
        assert_eq!(merged, reference, "{query}");
        assert!(merged.len() >= 4, "{query}: {merged:?}");
    }
});
