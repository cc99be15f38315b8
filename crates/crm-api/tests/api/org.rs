//! Organisation and system endpoints: permissions, visibility of users, and their rules.

use crate::api_test;
use serde_json::{Value, json};

fn usernames(page: &Value) -> Vec<String> {
    let mut names: Vec<String> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap().to_string())
        .collect();
    names.sort();
    names
}

api_test!(users_list_is_filtered_by_the_callers_scope, |app| {
    let admin = app.login("admin").await;
    let all = usernames(&app.get("/users?limit=200", &admin).await.expect(200));
    assert_eq!(all.len(), 10);

    // owner (self scope), peer in the same department, another department, manager above, director
    // above that, scope `all`.
    let cases: [(&str, &[&str]); 6] = [
        ("s1_a", &["s1_a"]),
        ("s1_b", &["s1_b"]),
        ("s2_a", &["s2_a"]),
        ("s1_mgr", &["s1_a", "s1_b", "s1_mgr"]),
        (
            "sales_dir",
            &["s1_a", "s1_b", "s1_mgr", "s2_a", "s2_mgr", "sales_dir"],
        ),
        ("gm", &[]),
    ];
    for (who, expected) in cases {
        let token = app.login(who).await;
        let seen = usernames(&app.get("/users?limit=200", &token).await.expect(200));
        if who == "gm" {
            assert_eq!(seen, all, "scope all sees everyone");
        } else {
            assert_eq!(seen, expected, "{who}");
        }
    }

    // Reads outside the scope are 404, not 403.
    let s1a = app.login("s1_a").await;
    let s1b_id = app.user_id(&admin, "s1_b").await;
    let s1a_id = app.user_id(&admin, "s1_a").await;
    assert_eq!(
        app.get(&format!("/users/{s1b_id}"), &s1a)
            .await
            .problem(404),
        "not_found"
    );
    app.get(&format!("/users/{s1a_id}"), &s1a).await.expect(200);
    let s2mgr = app.login("s2_mgr").await;
    assert_eq!(
        app.get(&format!("/users/{s1a_id}"), &s2mgr)
            .await
            .problem(404),
        "not_found"
    );
    let s1mgr = app.login("s1_mgr").await;
    app.get(&format!("/users/{s1a_id}"), &s1mgr)
        .await
        .expect(200);
    // Filters cannot widen the scope.
    let dept = app
        .get(&format!("/users/{s1b_id}"), &admin)
        .await
        .expect(200)["department"]["id"]
        .as_i64()
        .unwrap();
    assert_eq!(
        usernames(
            &app.get(&format!("/users?department_id={dept}"), &s1a)
                .await
                .expect(200)
        ),
        ["s1_a"]
    );
});

api_test!(users_list_pages_with_a_cursor_and_filters, |app| {
    let admin = app.login("admin").await;
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/users?limit=3&cursor={c}"),
            None => "/users?limit=3".to_string(),
        };
        let page = app.get(&path, &admin).await.expect(200);
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= 3);
        seen.extend(items.iter().map(|u| u["id"].as_i64().unwrap()));
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    assert_eq!(seen.len(), 10);
    assert!(seen.windows(2).all(|w| w[0] < w[1]), "ordered, no repeats");
    assert_eq!(
        usernames(&app.get("/users?q=s1_", &admin).await.expect(200)),
        ["s1_a", "s1_b", "s1_mgr"]
    );
    assert_eq!(
        usernames(&app.get("/users?q=%E5%91%A8", &admin).await.expect(200)),
        ["gm"]
    );
    // Case does not matter on either database.
    let gm_id = app.user_id(&admin, "gm").await;
    app.patch(
        &format!("/users/{gm_id}"),
        &admin,
        json!({"display_name": "Zhou Zong", "version": 1}),
    )
    .await
    .expect(200);
    assert_eq!(
        usernames(&app.get("/users?q=ZHOU", &admin).await.expect(200)),
        ["gm"]
    );
    assert_eq!(
        usernames(&app.get("/users?q=S1_A", &admin).await.expect(200)),
        ["s1_a"]
    );
    assert_eq!(
        app.get("/users?enabled=false", &admin).await.expect(200)["items"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    assert_eq!(
        app.get("/users?cursor=bogus", &admin).await.problem(400),
        "invalid_cursor"
    );
    assert_eq!(
        app.get("/users?limit=0", &admin).await.problem(400),
        "invalid_query"
    );
    assert_eq!(
        app.get("/users?limit=201", &admin).await.problem(400),
        "invalid_query"
    );
});

// Every organisation write as a salesperson is 403; as the administrator it works.
api_test!(org_endpoints_are_allowed_and_refused_by_permission, |app| {
    let admin = app.login("admin").await;
    let sales = app.login("s1_a").await;
    let gm = app.login("gm").await;
    let depts = app.get("/departments", &sales).await.expect(200);
    let sales_dept = depts
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == "销售一部")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let roles = app.get("/roles", &admin).await.expect(200);
    let role_id = roles
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "业务员")
        .unwrap()["id"]
        .as_i64()
        .unwrap();

    // Reads open to everyone signed in.
    for path in [
        "/departments",
        "/permissions",
        "/dictionaries/industry",
        "/settings",
        "/me",
    ] {
        app.get(path, &sales).await.expect(200);
    }
    // Reads for administrators only.
    for path in ["/roles", &format!("/roles/{role_id}"), "/audit-log"] {
        assert_eq!(
            app.get(path, &sales).await.problem(403),
            "forbidden",
            "{path}"
        );
        assert_eq!(app.get(path, &gm).await.problem(403), "forbidden", "{path}");
        app.get(path, &admin).await.expect(200);
    }

    // Writes: refused for the salesperson and the general manager (no admin permissions), done by the administrator.
    let new_user = json!({"username": "new_rep", "display_name": "新业务员", "password": "s3cret-pass",
                          "department_id": sales_dept, "role_ids": [role_id]});
    for t in [&sales, &gm] {
        assert_eq!(
            app.post("/departments", t, json!({"name": "X"}))
                .await
                .problem(403),
            "forbidden"
        );
        assert_eq!(
            app.post("/users", t, new_user.clone()).await.problem(403),
            "forbidden"
        );
        assert_eq!(
            app.post(
                "/roles",
                t,
                json!({"name": "R", "permissions": [], "data_scope": "self"})
            )
            .await
            .problem(403),
            "forbidden"
        );
        assert_eq!(
            app.post("/dictionaries/industry", t, json!({"name": "航空"}))
                .await
                .problem(403),
            "forbidden"
        );
        assert_eq!(
            app.patch(
                "/settings",
                t,
                json!({"version": 0, "review_new_customers": true})
            )
            .await
            .problem(403),
            "forbidden"
        );
    }

    let dept = app
        .post(
            "/departments",
            &admin,
            json!({"name": "销售三部", "parent_id": depts[2]["id"]}),
        )
        .await
        .expect(201);
    let dept_id = dept["id"].as_i64().unwrap();
    let user = app
        .post("/users", &admin, new_user.clone())
        .await
        .expect(201);
    let user_id = user["id"].as_i64().unwrap();
    assert_eq!(user["roles"][0]["name"], "业务员");
    assert_eq!(
        app.post("/users", &admin, new_user).await.problem(409),
        "duplicate_username"
    );
    let role = app
        .post(
            "/roles",
            &admin,
            json!({"name": "实习生", "permissions": ["customer.read"], "data_scope": "self"}),
        )
        .await
        .expect(201);
    let new_role_id = role["id"].as_i64().unwrap();
    let item = app
        .post(
            "/dictionaries/industry",
            &admin,
            json!({"name": "航空", "name_en": "Aviation"}),
        )
        .await
        .expect(201);
    let item_id = item["id"].as_i64().unwrap();

    // PATCH and DELETE likewise.
    let cases = [
        (
            format!("/departments/{dept_id}"),
            json!({"name": "销售三部A", "version": 1}),
        ),
        (
            format!("/users/{user_id}"),
            json!({"display_name": "改名", "version": 1}),
        ),
        (
            format!("/roles/{new_role_id}"),
            json!({"data_scope": "department", "version": 1}),
        ),
        (
            format!("/dictionaries/industry/{item_id}"),
            json!({"enabled": false, "version": 1}),
        ),
        (
            "/settings".to_string(),
            json!({"review_new_customers": true, "version": 0}),
        ),
    ];
    for (path, body) in &cases {
        assert_eq!(
            app.patch(path, &sales, body.clone()).await.problem(403),
            "forbidden",
            "{path}"
        );
        app.patch(path, &admin, body.clone()).await.expect(200);
        // The same version again is stale now.
        assert_eq!(
            app.patch(path, &admin, body.clone()).await.problem(409),
            "stale_version",
            "{path}"
        );
    }
    for path in [
        format!("/users/{user_id}/disable"),
        format!("/users/{user_id}/enable"),
    ] {
        assert_eq!(
            app.post(&path, &sales, json!({})).await.problem(403),
            "forbidden"
        );
        app.post(&path, &admin, json!({})).await.expect(200);
    }
    assert_eq!(
        app.post(
            &format!("/users/{user_id}/reset-password"),
            &sales,
            json!({"new_password": "another-one"})
        )
        .await
        .problem(403),
        "forbidden"
    );
    for path in [
        format!("/departments/{dept_id}"),
        format!("/roles/{new_role_id}"),
        format!("/dictionaries/industry/{item_id}"),
    ] {
        assert_eq!(
            app.delete(&path, &sales).await.problem(403),
            "forbidden",
            "{path}"
        );
        app.delete(&path, &admin).await.expect(204);
        assert_eq!(
            app.delete(&path, &admin).await.problem(404),
            "not_found",
            "{path}"
        );
    }
});

api_test!(department_rules_over_http, |app| {
    let admin = app.login("admin").await;
    let depts = app.get("/departments", &admin).await.expect(200);
    let find = |name: &str| {
        depts
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["name"] == name)
            .unwrap()
            .clone()
    };
    let sales = find("销售部");
    let s1 = find("销售一部");
    assert_eq!(s1["parent_id"], sales["id"]);
    assert_eq!(s1["user_count"], 3);
    // A department with users or children cannot go.
    assert_eq!(
        app.delete(&format!("/departments/{}", s1["id"]), &admin)
            .await
            .problem(409),
        "department_not_empty"
    );
    assert_eq!(
        app.delete(&format!("/departments/{}", sales["id"]), &admin)
            .await
            .problem(409),
        "department_not_empty"
    );
    // No department below itself.
    let body = json!({"parent_id": s1["id"], "version": sales["version"]});
    assert_eq!(
        app.patch(&format!("/departments/{}", sales["id"]), &admin, body)
            .await
            .problem(422),
        "validation_failed"
    );
    // Moving to the top level with an explicit null.
    let moved = app
        .patch(
            &format!("/departments/{}", s1["id"]),
            &admin,
            json!({"parent_id": null, "version": s1["version"]}),
        )
        .await
        .expect(200);
    assert!(moved["parent_id"].is_null());
    // A parent that does not exist.
    let res = app
        .post(
            "/departments",
            &admin,
            json!({"name": "孤儿", "parent_id": 9999}),
        )
        .await;
    assert_eq!(res.body["errors"][0]["field"], "parent_id");
    assert_eq!(res.problem(422), "validation_failed");
    assert_eq!(
        app.get("/departments/9999", &admin).await.problem(404),
        "not_found"
    );
});

api_test!(roles_permissions_and_scope, |app| {
    let admin = app.login("admin").await;
    let catalogue = app.get("/permissions", &admin).await.expect(200);
    assert!(
        catalogue
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["code"] == "admin.users" && p["name_zh"] == "管理用户")
    );
    assert_eq!(
        app.post(
            "/roles",
            &admin,
            json!({"name": "R", "permissions": ["customer.fly"], "data_scope": "self"})
        )
        .await
        .problem(422),
        "validation_failed"
    );
    assert_eq!(
        app.post(
            "/roles",
            &admin,
            json!({"name": "R", "permissions": [], "data_scope": "galaxy"})
        )
        .await
        .problem(422),
        "validation_failed"
    );
    assert_eq!(
        app.post(
            "/roles",
            &admin,
            json!({"name": "业务员", "permissions": [], "data_scope": "self"})
        )
        .await
        .problem(409),
        "duplicate_name"
    );
    // A role in use cannot be deleted.
    let roles = app.get("/roles", &admin).await.expect(200);
    let sales_role = roles
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "业务员")
        .unwrap()
        .clone();
    assert_eq!(sales_role["user_count"], 3);
    assert_eq!(
        app.delete(&format!("/roles/{}", sales_role["id"]), &admin)
            .await
            .problem(409),
        "role_in_use"
    );

    // Widening a role's scope widens what its holders see at once.
    let s1a = app.login("s1_a").await;
    assert_eq!(
        app.get("/users", &s1a).await.expect(200)["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    app.patch(
        &format!("/roles/{}", sales_role["id"]),
        &admin,
        json!({"data_scope": "department", "version": sales_role["version"]}),
    )
    .await
    .expect(200);
    assert_eq!(
        app.get("/me", &s1a).await.expect(200)["data_scope"],
        "department"
    );
    assert_eq!(
        app.get("/users", &s1a).await.expect(200)["items"]
            .as_array()
            .unwrap()
            .len(),
        3
    );

    // An administrator cannot take role management away from their own role, nor change their own roles.
    let admin_role = roles
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "系统管理员")
        .unwrap()
        .clone();
    let res = app
        .patch(
            &format!("/roles/{}", admin_role["id"]),
            &admin,
            json!({"permissions": ["admin.users"], "version": admin_role["version"]}),
        )
        .await;
    assert_eq!(res.body["errors"][0]["code"], "would_lock_out");
    let admin_id = app.user_id(&admin, "admin").await;
    let res = app
        .patch(
            &format!("/users/{admin_id}"),
            &admin,
            json!({"role_ids": [sales_role["id"]], "version": 1}),
        )
        .await;
    assert_eq!(res.body["errors"][0]["code"], "cannot_change_own_roles");
});

api_test!(dictionaries_settings_and_audit, |app| {
    let admin = app.login("admin").await;
    let regions = app.get("/dictionaries/region", &admin).await.expect(200);
    let province = regions
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "山东省")
        .unwrap()
        .clone();
    assert!(
        regions
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["name"] == "济南市" && r["parent_id"] == province["id"])
    );
    // Cities can be added under the province, not below a city; other kinds have no parents.
    let city = app
        .post(
            "/dictionaries/region",
            &admin,
            json!({"name": "新城市", "parent_id": province["id"]}),
        )
        .await
        .expect(201);
    assert_eq!(
        app.post(
            "/dictionaries/region",
            &admin,
            json!({"name": "区", "parent_id": city["id"]})
        )
        .await
        .problem(422),
        "validation_failed"
    );
    assert_eq!(
        app.post(
            "/dictionaries/industry",
            &admin,
            json!({"name": "子行业", "parent_id": 1})
        )
        .await
        .problem(422),
        "validation_failed"
    );
    assert_eq!(
        app.post("/dictionaries/industry", &admin, json!({"name": "制造业"}))
            .await
            .problem(409),
        "duplicate_name"
    );
    assert_eq!(
        app.get("/dictionaries/planets", &admin).await.problem(400),
        "invalid_path"
    );
    // Disabled entries disappear from the ordinary list.
    let industries = app.get("/dictionaries/industry", &admin).await.expect(200);
    let first = industries[0].clone();
    app.patch(
        &format!("/dictionaries/industry/{}", first["id"]),
        &admin,
        json!({"enabled": false, "version": first["version"]}),
    )
    .await
    .expect(200);
    let after = app.get("/dictionaries/industry", &admin).await.expect(200);
    assert_eq!(
        after.as_array().unwrap().len(),
        industries.as_array().unwrap().len() - 1
    );
    let all = app
        .get("/dictionaries/industry?include_disabled=true", &admin)
        .await
        .expect(200);
    assert_eq!(
        all.as_array().unwrap().len(),
        industries.as_array().unwrap().len()
    );

    // Settings: defaults, a change, a refused time zone.
    let s = app.get("/settings", &admin).await.expect(200);
    assert_eq!(s["time_zone"], "Asia/Shanghai");
    assert_eq!(s["currency"], "CNY");
    assert_eq!(
        s["grade_thresholds"],
        json!(["10000.00", "50000.00", "100000.00", "300000.00"])
    );
    let res = app
        .patch(
            "/settings",
            &admin,
            json!({"time_zone": "Mars/Olympus", "version": s["version"]}),
        )
        .await;
    assert_eq!(res.body["errors"][0]["field"], "time_zone");
    assert_eq!(res.problem(422), "validation_failed");
    assert_eq!(
        app.patch(
            "/settings",
            &admin,
            json!({"grade_thresholds": ["5", "4", "3", "2"], "version": s["version"]})
        )
        .await
        .problem(422),
        "validation_failed"
    );
    let s2 = app.patch("/settings", &admin, json!({"review_new_customers": true, "company_name": "齐鲁推广", "version": s["version"]})).await.expect(200);
    assert_eq!(s2["review_new_customers"], true);
    assert_eq!(s2["company_name"], "齐鲁推广");
    assert_eq!(s2["time_zone"], "Asia/Shanghai");

    // The audit log saw it, with who and what changed.
    let log = app
        .get("/audit-log?entity=settings", &admin)
        .await
        .expect(200);
    let entry = &log["items"][0];
    assert_eq!(entry["action"], "update");
    assert_eq!(entry["user"]["name"], "系统管理员");
    assert_eq!(
        entry["changes"]["review_new_customers"],
        json!({"old": false, "new": true})
    );
    let log = app
        .get(
            &format!(
                "/audit-log?entity=dictionary.industry&entity_id={}",
                first["id"]
            ),
            &admin,
        )
        .await
        .expect(200);
    assert_eq!(
        log["items"][0]["changes"]["enabled"],
        json!({"old": true, "new": false})
    );
    assert_eq!(
        app.get("/audit-log?from=yesterday", &admin)
            .await
            .problem(400),
        "invalid_query"
    );
});
