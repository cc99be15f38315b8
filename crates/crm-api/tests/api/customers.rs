//! Customers and contacts: the visibility matrix, customer protection, levels, grades, review,
//! history, pipeline, optimistic locking and idempotent creates — on both databases.

use crate::api_test;
use crate::support::{TestApp, ids};
use reqwest::Method;
use serde_json::{Value, json};

async fn create(app: &TestApp, token: &str, body: Value) -> Value {
    app.post("/customers", token, body).await.expect(201)
}

api_test!(visibility_matrix_for_every_customer_endpoint, |app| {
    let owner = app.login("s1_a").await;
    let customer = create(
        app,
        &owner,
        json!({"name": "济南星河网络科技有限公司", "phone": "0531-8888 6666"}),
    )
    .await;
    let id = customer["id"].as_i64().unwrap();
    assert_eq!(customer["level"], "lead");
    assert_eq!(customer["owner"]["name"], "业务员");
    assert_eq!(customer["department"]["name"], "销售一部");
    let contact = app
        .post(
            &format!("/customers/{id}/contacts"),
            &owner,
            json!({"name": "王经理", "is_key": true}),
        )
        .await
        .expect(201);
    let contact_id = contact["id"].as_i64().unwrap();

    // (who, sees it)
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
            format!("/customers/{id}"),
            format!("/customers/{id}/contacts"),
            format!("/customers/{id}/history"),
            format!("/contacts/{contact_id}"),
        ];
        for path in &reads {
            let res = app.get(path, &t).await;
            match (can_read, sees) {
                (false, _) => assert_eq!(res.problem(403), "forbidden", "{who} {path}"),
                (true, true) => assert_eq!(res.status, 200, "{who} {path}"),
                (true, false) => assert_eq!(res.problem(404), "not_found", "{who} {path}"),
            }
        }
        if can_read {
            let list = app.get("/customers?limit=200", &t).await.expect(200);
            assert_eq!(ids(&list).contains(&id), sees, "{who} list");
            let pipeline = app.get("/customers/pipeline", &t).await.expect(200);
            let leads = pipeline["levels"]
                .as_array()
                .unwrap()
                .iter()
                .find(|l| l["level"] == "lead")
                .unwrap()["count"]
                .as_i64()
                .unwrap();
            assert_eq!(leads, i64::from(sees), "{who} pipeline");
            // Protection: everyone learns that it exists and who owns it; only those who see it get its id.
            let check = app.get("/customers/check-duplicate?name=%E6%98%9F%E6%B2%B3%E7%BD%91%E7%BB%9C%E7%A7%91%E6%8A%80", &t).await.expect(200);
            let m = &check["matches"][0];
            assert_eq!(m["owner_name"], "业务员", "{who}");
            assert_eq!(m["department_name"], "销售一部");
            assert_eq!(m["visible"], sees);
            assert_eq!(m.get("id").is_some(), sees, "{who}: id only when visible");
            assert!(
                m.get("phone").is_none() && m.get("notes").is_none(),
                "no details leak"
            );
        }
        // Writes outside the scope are 404 too.
        if can_read && !sees && who != "gm" {
            let patch = app
                .patch(
                    &format!("/customers/{id}"),
                    &t,
                    json!({"notes": "x", "version": 1}),
                )
                .await;
            assert!(
                matches!(patch.status.as_u16(), 403 | 404),
                "{who} patch: {}",
                patch.status
            );
            let res = app
                .patch(
                    &format!("/contacts/{contact_id}"),
                    &t,
                    json!({"title": "x", "version": 1}),
                )
                .await;
            assert!(
                matches!(res.status.as_u16(), 403 | 404),
                "{who} contact patch"
            );
        }
    }
});

api_test!(duplicates_are_refused_naming_the_owner, |app| {
    let a = app.login("s1_a").await;
    let b = app.login("s2_a").await;
    create(app, &a, json!({"name": "济南星河网络科技有限公司", "phone": "0531-8888 6666", "website": "http://www.xinghe.cn/"})).await;
    for body in [
        json!({"name": "星河网络科技（济南）"}),
        json!({"name": "山东省济南市星河网络科技有限责任公司"}),
        json!({"name": "另一家公司", "phone": "+86 531 88886666"}),
        json!({"name": "又一家公司", "website": "https://xinghe.cn/about"}),
    ] {
        let res = app.post("/customers", &b, body.clone()).await;
        let detail = res.body["detail"].as_str().unwrap_or_default().to_string();
        assert_eq!(res.problem(409), "duplicate_customer", "{body}");
        assert!(
            detail.contains("业务员") && detail.contains("销售一部"),
            "names the owner and department: {detail}"
        );
        assert!(!detail.contains("8888"), "no details: {detail}");
    }
    // The same person cannot enter it twice either, and an unrelated company is fine.
    assert_eq!(
        app.post(
            "/customers",
            &a,
            json!({"name": "济南星河网络科技有限公司"})
        )
        .await
        .problem(409),
        "duplicate_customer"
    );
    create(app, &b, json!({"name": "济南星海网络科技有限公司"})).await;
    // Updating into a duplicate is refused as well.
    let other = create(app, &a, json!({"name": "青岛海之蓝广告传媒集团有限公司"})).await;
    let res = app
        .patch(
            &format!("/customers/{}", other["id"]),
            &a,
            json!({"name": "星河网络科技", "version": other["version"]}),
        )
        .await;
    assert_eq!(res.problem(409), "duplicate_customer");
});

api_test!(levels_grades_and_blacklist, |app| {
    let rep = app.login("s1_a").await;
    let mgr = app.login("s1_mgr").await;
    let c = create(app, &rep, json!({"name": "潍坊恒达机械制造有限公司"})).await;
    let id = c["id"].as_i64().unwrap();
    let moved = app
        .post(
            &format!("/customers/{id}/level"),
            &rep,
            json!({"level": "prospect", "reason": "有明确需求"}),
        )
        .await
        .expect(200);
    assert_eq!(moved["level"], "prospect");
    assert_eq!(
        app.post(
            &format!("/customers/{id}/level"),
            &rep,
            json!({"level": "signed", "reason": " "})
        )
        .await
        .problem(422),
        "validation_failed"
    );
    // Only managers blacklist.
    assert_eq!(
        app.post(
            &format!("/customers/{id}/level"),
            &rep,
            json!({"level": "blacklisted", "reason": "欠款"})
        )
        .await
        .problem(403),
        "forbidden"
    );
    let black = app
        .post(
            &format!("/customers/{id}/level"),
            &mgr,
            json!({"level": "blacklisted", "reason": "长期欠款"}),
        )
        .await
        .expect(200);
    assert_eq!(black["level"], "blacklisted");
    assert_eq!(
        app.post(
            &format!("/customers/{id}/level"),
            &rep,
            json!({"level": "lead", "reason": "x"})
        )
        .await
        .problem(403),
        "forbidden"
    );
    // Grades are for signed customers, by managers.
    assert_eq!(
        app.post(
            &format!("/customers/{id}/grade"),
            &mgr,
            json!({"grade": 3, "reason": "规模大"})
        )
        .await
        .problem(409),
        "not_signed"
    );
    app.post(
        &format!("/customers/{id}/level"),
        &mgr,
        json!({"level": "signed", "reason": "签约"}),
    )
    .await
    .expect(200);
    assert_eq!(
        app.post(
            &format!("/customers/{id}/grade"),
            &rep,
            json!({"grade": 3, "reason": "规模大"})
        )
        .await
        .problem(403),
        "forbidden"
    );
    let graded = app
        .post(
            &format!("/customers/{id}/grade"),
            &mgr,
            json!({"grade": 4, "reason": "行业影响力"}),
        )
        .await
        .expect(200);
    assert_eq!(graded["grade"], 4);
    let auto = app
        .post(
            &format!("/customers/{id}/grade"),
            &mgr,
            json!({"grade": null, "reason": "恢复自动分级"}),
        )
        .await
        .expect(200);
    assert_eq!(auto["grade"], 1, "no signed total yet: grade 1");
    assert_eq!(
        app.post(
            &format!("/customers/{id}/grade"),
            &mgr,
            json!({"grade": 6, "reason": "x"})
        )
        .await
        .problem(422),
        "validation_failed"
    );
    // The history tells who did what, with reasons.
    let history = app
        .get(&format!("/customers/{id}/history"), &mgr)
        .await
        .expect(200);
    let actions: Vec<&str> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions.first(), Some(&"grade"));
    assert!(actions.contains(&"level") && actions.contains(&"create"));
    let blacklist = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["changes"]["level"]["new"] == "blacklisted")
        .unwrap();
    assert_eq!(blacklist["changes"]["reason"], "长期欠款");
    assert_eq!(blacklist["user"]["name"], "销售一部经理");
});

api_test!(
    edits_are_versioned_and_history_keeps_every_field_change,
    |app| {
        let rep = app.login("s1_a").await;
        let c = create(
            app,
            &rep,
            json!({"name": "淄博华光陶瓷股份有限公司", "phone": "0533-1234567"}),
        )
        .await;
        let id = c["id"].as_i64().unwrap();
        let v1 = c["version"].as_i64().unwrap();
        let updated = app
            .patch(
                &format!("/customers/{id}"),
                &rep,
                json!({"address": "淄博市张店区", "phone": null, "version": v1}),
            )
            .await
            .expect(200);
        assert_eq!(updated["version"], v1 + 1);
        assert!(updated["phone"].is_null());
        assert_eq!(
            app.patch(
                &format!("/customers/{id}"),
                &rep,
                json!({"notes": "x", "version": v1})
            )
            .await
            .problem(409),
            "stale_version"
        );
        let contact = app
            .post(
                &format!("/customers/{id}/contacts"),
                &rep,
                json!({"name": "李工", "mobile": "13800000000"}),
            )
            .await
            .expect(201);
        app.patch(
            &format!("/contacts/{}", contact["id"]),
            &rep,
            json!({"title": "厂长", "version": contact["version"]}),
        )
        .await
        .expect(200);
        assert_eq!(
            app.patch(
                &format!("/contacts/{}", contact["id"]),
                &rep,
                json!({"title": "x", "version": contact["version"]})
            )
            .await
            .problem(409),
            "stale_version"
        );
        let history = app
            .get(&format!("/customers/{id}/history"), &rep)
            .await
            .expect(200);
        let items = history["items"].as_array().unwrap();
        assert_eq!(items[0]["entity"], "contact");
        assert_eq!(
            items[0]["changes"]["title"],
            json!({"old": null, "new": "厂长"})
        );
        let edit = items
            .iter()
            .find(|e| e["entity"] == "customer" && e["action"] == "update")
            .unwrap();
        assert_eq!(
            edit["changes"]["phone"],
            json!({"old": "0533-1234567", "new": null})
        );
        assert_eq!(
            edit["changes"]["address"],
            json!({"old": null, "new": "淄博市张店区"})
        );
        assert_eq!(edit["user"]["name"], "业务员");
        // Deleting keeps the history and removes the contacts.
        app.delete(&format!("/contacts/{}", contact["id"]), &rep)
            .await
            .expect(204);
        assert_eq!(
            app.get(&format!("/contacts/{}", contact["id"]), &rep)
                .await
                .problem(404),
            "not_found"
        );
        let mgr = app.login("s1_mgr").await;
        app.delete(&format!("/customers/{id}"), &mgr)
            .await
            .expect(204);
        assert_eq!(
            app.get(&format!("/customers/{id}"), &mgr)
                .await
                .problem(404),
            "not_found"
        );
        assert_eq!(
            app.delete(&format!("/customers/{id}"), &rep)
                .await
                .problem(403),
            "forbidden"
        );
    }
);

api_test!(list_filters_search_sorts_and_pages, |app| {
    let a = app.login("s1_a").await;
    let b = app.login("s1_b").await;
    let regions = app.get("/dictionaries/region", &a).await.expect(200);
    let jinan = regions
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "济南市")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let shandong = regions
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "山东省")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let names = [
        "阿里山茶叶",
        "百草堂药业",
        "青岛啤酒经销部",
        "济南泉城广告",
        "德州扒鸡食品",
    ];
    for (i, name) in names.iter().enumerate() {
        let token = if i % 2 == 0 { &a } else { &b };
        let region = if i == 3 { json!(jinan) } else { json!(null) };
        create(app, token, json!({"name": name, "region_id": region, "type": if i == 4 { "supplier" } else { "customer" }})).await;
    }
    let mgr = app.login("s1_mgr").await;
    let all = app
        .get("/customers?sort=name&limit=2", &mgr)
        .await
        .expect(200);
    assert_eq!(all["items"].as_array().unwrap().len(), 2);
    let mut seen: Vec<String> = Vec::new();
    let mut cursor = all["next_cursor"].as_str().map(str::to_string);
    seen.extend(
        all["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap().to_string()),
    );
    while let Some(c) = cursor {
        let page = app
            .get(&format!("/customers?sort=name&limit=2&cursor={c}"), &mgr)
            .await
            .expect(200);
        seen.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["name"].as_str().unwrap().to_string()),
        );
        cursor = page["next_cursor"].as_str().map(str::to_string);
    }
    let mut sorted = seen.clone();
    sorted.sort();
    assert_eq!(seen, sorted, "name order across pages");
    assert_eq!(seen.len(), 5);
    // A two-character Chinese query finds names containing it.
    let found = app
        .get("/customers?q=%E5%95%A4%E9%85%92", &mgr)
        .await
        .expect(200);
    assert_eq!(found["items"][0]["name"], "青岛啤酒经销部");
    // A contact's name finds its customer.
    let tea = app
        .get("/customers?q=%E8%8C%B6%E5%8F%B6", &a)
        .await
        .expect(200)["items"][0]
        .clone();
    app.post(
        &format!("/customers/{}/contacts", tea["id"]),
        &a,
        json!({"name": "欧阳明"}),
    )
    .await
    .expect(201);
    assert_eq!(
        app.get("/customers?q=%E6%AC%A7%E9%98%B3", &mgr)
            .await
            .expect(200)["items"][0]["name"],
        "阿里山茶叶"
    );
    // A province finds its cities' customers; type and owner filters.
    assert_eq!(
        ids(&app
            .get(&format!("/customers?region_id={shandong}"), &mgr)
            .await
            .expect(200))
        .len(),
        1
    );
    assert_eq!(
        app.get("/customers?type=supplier", &mgr).await.expect(200)["items"][0]["name"],
        "德州扒鸡食品"
    );
    assert_eq!(
        ids(&app
            .get("/customers?sort=-last_contact&limit=200", &mgr)
            .await
            .expect(200))
        .len(),
        5
    );
    let a_id = app.get("/me", &a).await.expect(200)["id"].as_i64().unwrap();
    assert_eq!(
        ids(&app
            .get(&format!("/customers?owner_id={a_id}"), &mgr)
            .await
            .expect(200))
        .len(),
        3
    );
    // Bad parameters are 400.
    assert_eq!(
        app.get("/customers?sort=size", &mgr).await.problem(400),
        "invalid_query"
    );
    assert_eq!(
        app.get("/customers?level=vip", &mgr).await.problem(400),
        "invalid_query"
    );
    assert_eq!(
        app.get(
            &format!(
                "/customers?sort=-name&cursor={}",
                all["next_cursor"].as_str().unwrap()
            ),
            &mgr
        )
        .await
        .problem(400),
        "invalid_cursor"
    );
});

api_test!(review_flow_when_the_company_turns_it_on, |app| {
    app.set_settings(json!({"review_new_customers": true}))
        .await;
    let rep = app.login("s1_a").await;
    let c = create(app, &rep, json!({"name": "烟台福山张记食品商行"})).await;
    assert_eq!(c["review_status"], "pending");
    let id = c["id"].as_i64().unwrap();
    let mgr = app.login("s1_mgr").await;
    let queue = app
        .get("/customers?review_status=pending", &mgr)
        .await
        .expect(200);
    assert_eq!(ids(&queue), vec![id]);
    assert_eq!(
        app.post(
            &format!("/customers/{id}/review"),
            &rep,
            json!({"decision": "approve"})
        )
        .await
        .problem(403),
        "forbidden"
    );
    let other_mgr = app.login("s2_mgr").await;
    assert_eq!(
        app.post(
            &format!("/customers/{id}/review"),
            &other_mgr,
            json!({"decision": "approve"})
        )
        .await
        .problem(404),
        "not_found"
    );
    let done = app
        .post(
            &format!("/customers/{id}/review"),
            &mgr,
            json!({"decision": "approve", "comment": "信息完整"}),
        )
        .await
        .expect(200);
    assert_eq!(done["review_status"], "approved");
    assert_eq!(
        app.post(
            &format!("/customers/{id}/review"),
            &mgr,
            json!({"decision": "reject"})
        )
        .await
        .problem(409),
        "not_pending"
    );
    // A new name waits again.
    let renamed = app
        .patch(
            &format!("/customers/{id}"),
            &rep,
            json!({"name": "烟台张记食品", "version": done["version"]}),
        )
        .await
        .expect(200);
    assert_eq!(renamed["review_status"], "pending");
});

api_test!(idempotent_customer_creates, |app| {
    let rep = app.login("s2_a").await;
    let send = || {
        let req = app
            .client
            .post(format!("{}/customers", app.base))
            .bearer_auth(&rep)
            .header("idempotency-key", "create-1")
            .json(&json!({"name": "日照港湾物流有限公司"}));
        async move { TestApp::read(req.send().await.unwrap()).await }
    };
    let first = send().await;
    assert_eq!(first.status.as_u16(), 201);
    let again = send().await;
    assert_eq!(
        again.status.as_u16(),
        201,
        "a retry is answered, not refused as a duplicate"
    );
    assert_eq!(again.body["id"], first.body["id"]);
    let mine = app.get("/customers", &rep).await.expect(200);
    assert_eq!(ids(&mine).len(), 1);
    // Owners must be within the caller's scope.
    let gm = app.login("gm").await;
    let gm_id = app.get("/me", &gm).await.expect(200)["id"]
        .as_i64()
        .unwrap();
    let res = app
        .send(
            Method::POST,
            "/customers",
            Some(&rep),
            Some(json!({"name": "某公司", "owner_id": gm_id})),
        )
        .await;
    assert_eq!(res.body["errors"][0]["code"], "out_of_scope");
});
