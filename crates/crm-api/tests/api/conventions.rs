//! What every endpoint promises alike: the caller and their permission are checked before anything
//! of the request is read; problems speak the caller's language and carry their facts as fields;
//! history names what its ids point to.

use crate::api_test;
use reqwest::Method;
use serde_json::{Value, json};

/// Operations any signed-in user may call: they need no permission (the rest need one).
const OPEN_TO_EVERYONE: [(&str, &str); 33] = [
    ("GET", "/me"),
    // One's own import, read while it runs (404 for anyone else's).
    ("GET", "/imports/{id}"),
    // What it finds depends on what the caller may read.
    ("GET", "/search"),
    // A document is seen with its record: the record's kind decides.
    ("POST", "/documents"),
    ("GET", "/documents"),
    ("GET", "/documents/{id}"),
    ("DELETE", "/documents/{id}"),
    ("GET", "/documents/{id}/content"),
    ("GET", "/documents/{id}/thumbnail"),
    ("PATCH", "/me"),
    ("POST", "/me/password"),
    ("GET", "/me/tokens"),
    ("POST", "/me/tokens"),
    ("DELETE", "/me/tokens/{id}"),
    ("POST", "/auth/logout"),
    ("GET", "/departments"),
    ("GET", "/departments/{id}"),
    ("GET", "/users"),
    ("GET", "/users/{id}"),
    ("GET", "/permissions"),
    ("GET", "/dictionaries/{kind}"),
    ("GET", "/dictionaries/{kind}/{id}"),
    ("GET", "/settings"),
    ("GET", "/customers/check-duplicate"),
    ("GET", "/reminders"),
    ("POST", "/reminders/{id}/done"),
    ("POST", "/reminders/{id}/snooze"),
    ("GET", "/notifications"),
    ("GET", "/notifications/unread-count"),
    ("POST", "/notifications/read-all"),
    ("POST", "/notifications/{id}/read"),
    ("GET", "/products"),
    ("GET", "/products/{id}"),
];

/// Every operation of the served document: (method, path template, whether it needs a caller).
async fn operations(app: &crate::support::TestApp) -> Vec<(Method, String, bool)> {
    let doc = app
        .client
        .get(format!("{}/openapi.json", app.base))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        let path = path.strip_prefix("/api/v1").unwrap_or(path).to_string();
        for (verb, op) in item.as_object().unwrap() {
            let method = Method::from_bytes(verb.to_uppercase().as_bytes()).unwrap();
            // `security: [{}]` marks the public operations (login, refresh, health).
            let public = op["security"].as_array().is_some_and(|s| {
                s.iter()
                    .any(|r| r.as_object().is_some_and(|o| o.is_empty()))
            });
            out.push((method, path.clone(), !public));
        }
    }
    assert!(
        out.len() > 60,
        "the walk sees every operation: {}",
        out.len()
    );
    out
}

fn concrete(path: &str) -> String {
    path.replace("{kind}", "industry").replace("{id}", "1")
}

api_test!(
    the_caller_and_the_permission_come_before_the_request,
    |app| {
        let admin = app.login("admin").await;
        // A user whose only role grants nothing.
        let role = app
            .post(
                "/roles",
                &admin,
                json!({"name": "无权限", "permissions": [], "data_scope": "self"}),
            )
            .await
            .expect(201);
        let department = app.get("/departments", &admin).await.expect(200)[0]["id"].clone();
        app.post(
            "/users",
            &admin,
            json!({"username": "nobody", "display_name": "无权限的人", "password": "demo1234",
               "department_id": department, "role_ids": [role["id"]]}),
        )
        .await
        .expect(201);
        let nobody = app.login("nobody").await;
        let garbage = "{\"colour\": ";
        let mut open_seen = 0;
        for (method, template, protected) in operations(app).await {
            let path = concrete(&template);
            let what = format!("{method} {template}");
            if !protected {
                continue;
            }
            // Anonymous: 401 whatever the path, query or body say.
            let res = app
                .client
                .request(method.clone(), format!("{}{path}?limit=0", app.base))
                .header("content-type", "application/json")
                .body(garbage)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status().as_u16(), 401, "{what} anonymously");
            // Signed in without the permission: 403 before the body is read, unless the operation
            // is open to everyone.
            let res = app
                .raw(
                    method.clone(),
                    &format!("{path}?limit=0"),
                    &nobody,
                    Some("application/json"),
                    garbage,
                )
                .await;
            let open = OPEN_TO_EVERYONE
                .iter()
                .any(|(m, p)| *m == method.as_str() && *p == template);
            if open {
                open_seen += 1;
                assert_ne!(res.status.as_u16(), 403, "{what} is open to everyone");
            } else {
                assert_eq!(
                    res.status.as_u16(),
                    403,
                    "{what} without its permission: {}",
                    res.body
                );
                assert_eq!(res.body["code"], "forbidden", "{what}");
            }
        }
        assert_eq!(
            open_seen,
            OPEN_TO_EVERYONE.len(),
            "every open operation still exists"
        );
        // The complete, valid body of an endpoint one may not use is refused the same way.
        let s1 = app.login("s1_a").await;
        let res = app.post("/users", &s1, json!({"username": "x"})).await;
        assert_eq!(res.problem(403), "forbidden");
    }
);

api_test!(problems_speak_the_callers_language, |app| {
    let a = app.login("s1_a").await;
    let ask = |lang: Option<&'static str>| {
        let mut req = app
            .client
            .get(format!("{}/customers/999999", app.base))
            .bearer_auth(&a);
        if let Some(l) = lang {
            req = req.header("accept-language", l);
        }
        async move {
            let res = req.send().await.unwrap();
            let language = res
                .headers()
                .get("content-language")
                .map(|v| v.to_str().unwrap().to_string());
            (language, res.json::<Value>().await.unwrap())
        }
    };
    // The company's language (Chinese) when the caller asks for none.
    let (lang, body) = ask(None).await;
    assert_eq!(lang.as_deref(), Some("zh-CN"));
    assert_eq!(
        (body["code"].as_str(), body["title"].as_str()),
        (Some("not_found"), Some("未找到"))
    );
    // The browser's, when the product speaks it.
    let (lang, body) = ask(Some("en-GB,en;q=0.9,zh;q=0.5")).await;
    assert_eq!(lang.as_deref(), Some("en"));
    assert_eq!(body["title"], "Not Found");
    assert_eq!(body["detail"], "no such record");
    let (_, body) = ask(Some("fr, de")).await;
    assert_eq!(
        body["title"], "未找到",
        "a language the product does not speak"
    );
    // The caller's own choice wins over the browser's.
    let me = app
        .patch("/me", &a, json!({"language": "en"}))
        .await
        .expect(200);
    assert_eq!(me["language"], "en");
    let (_, body) = ask(Some("zh-CN")).await;
    assert_eq!(body["title"], "Not Found");
    app.patch("/me", &a, json!({"language": null}))
        .await
        .expect(200);
    assert_eq!(
        app.get("/me", &a).await.expect(200)["language"],
        Value::Null
    );
    // The company's default follows its settings.
    app.set_settings(json!({"language": "en"})).await;
    let (_, body) = ask(None).await;
    assert_eq!(body["title"], "Not Found");
    // Field errors too, with their stable codes.
    let res = app.post("/customers", &a, json!({"name": "   "})).await;
    assert_eq!(res.body["errors"][0]["code"], "blank");
    assert_eq!(res.body["errors"][0]["message"], "must not be blank");
    assert_eq!(res.problem(422), "validation_failed");
});

api_test!(a_duplicate_names_its_facts_as_fields, |app| {
    let a = app.login("s1_a").await;
    let mgr = app.login("s1_mgr").await;
    let other = app.login("s2_a").await;
    let made = app
        .post(
            "/customers",
            &a,
            json!({"name": "青岛海纳百川贸易有限公司", "phone": "0532-6677 8899"}),
        )
        .await
        .expect(201);
    let clash = |res: crate::support::Res| {
        assert_eq!(res.status.as_u16(), 409, "{}", res.body);
        assert_eq!(res.body["code"], "duplicate_customer");
        res.body["matches"][0].clone()
    };
    // Someone who cannot see it learns who owns it, never its ids.
    let seen = clash(
        app.post(
            "/customers",
            &other,
            json!({"name": "海纳百川贸易（青岛）", "phone": "1"}),
        )
        .await,
    );
    assert_eq!(seen["field"], "name");
    assert_eq!(seen["name"], "青岛海纳百川贸易有限公司");
    assert_eq!(seen["owner"]["display_name"], "业务员");
    assert_eq!(seen["department"]["name"], "销售一部");
    assert!(
        seen.get("id").is_none() && seen["owner"].get("id").is_none(),
        "{seen}"
    );
    // Their manager sees the ids.
    let seen = clash(
        app.post(
            "/customers",
            &mgr,
            json!({"name": "另一家", "phone": "+86 532 66778899"}),
        )
        .await,
    );
    assert_eq!(seen["field"], "phone");
    assert_eq!(seen["id"], made["id"]);
    assert_eq!(seen["owner"]["id"], made["owner"]["id"]);
});

api_test!(history_names_what_its_ids_point_to, |app| {
    let a = app.login("s1_a").await;
    let industries = app.get("/dictionaries/industry", &a).await.expect(200);
    let industry = &industries[0];
    let made = app
        .post("/customers", &a, json!({"name": "烟台蓝海物流有限公司"}))
        .await
        .expect(201);
    let id = made["id"].as_i64().unwrap();
    app.patch(
        &format!("/customers/{id}"),
        &a,
        json!({"industry_id": industry["id"], "version": made["version"]}),
    )
    .await
    .expect(200);
    let history = app
        .get(&format!("/customers/{id}/history"), &a)
        .await
        .expect(200);
    let update = &history["items"][0];
    assert_eq!(update["action"], "update");
    assert_eq!(update["changes"]["industry_id"]["new"], industry["id"]);
    let key = format!("dictionary:{}", industry["id"]);
    assert_eq!(update["names"][&key], industry["name"], "{update}");
    let created = &history["items"][1];
    let owner = format!("user:{}", made["owner"]["id"]);
    assert_eq!(created["names"][&owner], "业务员", "{created}");
});
