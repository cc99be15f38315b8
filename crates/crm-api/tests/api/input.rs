//! Bad input on every endpoint answers 400/415/422 with a problem document, never 500.

use crate::api_test;
use reqwest::Method;

api_test!(malformed_input_on_every_endpoint_is_a_clear_4xx, |app| {
    let admin = app.login("admin").await;
    // The permission comes before the body: each write is sent by someone who may make it, the
    // administrator for the organisation and products, the general manager for the business.
    let gm = app.login("gm").await;
    let sender = |path: &str| {
        let admin_paths = [
            "/departments",
            "/users",
            "/roles",
            "/dictionaries",
            "/settings",
            "/products",
            "/auth",
            "/me",
        ];
        if admin_paths.iter().any(|p| path.starts_with(p)) {
            &admin
        } else {
            &gm
        }
    };
    let long = "x".repeat(5000);
    // (method, path, a string field to overflow)
    let writes: [(Method, &str, &str); 37] = [
        (Method::POST, "/auth/login", "username"),
        (Method::POST, "/auth/refresh", "refresh_token"),
        (Method::POST, "/auth/logout", "refresh_token"),
        (Method::POST, "/me/password", "current_password"),
        (Method::POST, "/me/tokens", "name"),
        (Method::POST, "/departments", "name"),
        (Method::PATCH, "/departments/1", "name"),
        (Method::POST, "/users", "display_name"),
        (Method::PATCH, "/users/2", "display_name"),
        (Method::POST, "/users/3/reset-password", "new_password"),
        (Method::POST, "/roles", "name"),
        (Method::PATCH, "/roles/1", "name"),
        (Method::POST, "/dictionaries/industry", "name"),
        (Method::PATCH, "/dictionaries/industry/1", "name"),
        (Method::PATCH, "/settings", "company_name"),
        (Method::POST, "/departments", "name"),
        (Method::POST, "/roles", "description"),
        (Method::POST, "/customers", "name"),
        (Method::PATCH, "/customers/1", "name"),
        (Method::POST, "/customers/1/level", "reason"),
        (Method::POST, "/customers/1/grade", "reason"),
        (Method::POST, "/customers/1/review", "comment"),
        (Method::POST, "/customers/1/contacts", "name"),
        (Method::PATCH, "/contacts/1", "name"),
        (Method::POST, "/activities", "summary"),
        (Method::PATCH, "/activities/1", "summary"),
        (Method::POST, "/customer-transfers", "reason"),
        (Method::POST, "/reminders/1/snooze", "until"),
        (Method::POST, "/products", "name"),
        (Method::PATCH, "/products/1", "name"),
        (Method::POST, "/orders", "notes"),
        (Method::PATCH, "/orders/1", "notes"),
        (Method::POST, "/orders/1/cancel", "reason"),
        (Method::PUT, "/orders/1/payment-plan", "installments"),
        (Method::POST, "/orders/1/receipts", "note"),
        (Method::POST, "/receipts/1/reverse", "reason"),
        (Method::POST, "/orders/1/service-records", "note"),
    ];
    for (method, path, field) in &writes {
        let what = format!("{method} {path}");
        // Not JSON at all.
        let res = app
            .raw(
                method.clone(),
                path,
                sender(path),
                Some("application/json"),
                "{not json",
            )
            .await;
        assert_eq!(res.problem(400), "malformed_json", "{what}");
        // JSON of the wrong shape.
        let res = app
            .raw(
                method.clone(),
                path,
                sender(path),
                Some("application/json"),
                "[1, 2]",
            )
            .await;
        assert_eq!(res.problem(422), "validation_failed", "{what}");
        // Wrong content type.
        let res = app
            .raw(method.clone(), path, sender(path), Some("text/plain"), "{}")
            .await;
        assert_eq!(res.problem(415), "unsupported_media_type", "{what}");
        // A field of the wrong type.
        let res = app
            .raw(
                method.clone(),
                path,
                sender(path),
                Some("application/json"),
                &format!(r#"{{"{field}": 12}}"#),
            )
            .await;
        assert_eq!(res.problem(422), "validation_failed", "{what}");
        // An over-long string: refused whatever else is missing, never stored, never 500.
        let res = app
            .raw(
                method.clone(),
                path,
                sender(path),
                Some("application/json"),
                &format!(r#"{{"{field}": "{long}"}}"#),
            )
            .await;
        assert!(
            matches!(res.status.as_u16(), 401 | 422),
            "{what}: {}",
            res.status
        );
        // Unknown fields are refused so that typos are not silently lost.
        let res = app
            .raw(
                method.clone(),
                path,
                sender(path),
                Some("application/json"),
                r#"{"colour": "blue"}"#,
            )
            .await;
        assert_eq!(res.problem(422), "validation_failed", "{what}");
    }

    // Out-of-range numbers and unknown enum values.
    let res = app
        .raw(
            Method::POST,
            "/departments",
            &admin,
            Some("application/json"),
            r#"{"name": "x", "sort_order": 1e40}"#,
        )
        .await;
    assert_eq!(res.problem(422), "validation_failed");
    let res = app
        .raw(
            Method::POST,
            "/departments",
            &admin,
            Some("application/json"),
            r#"{"name": "x", "parent_id": 99999999999999999999}"#,
        )
        .await;
    assert_eq!(res.problem(422), "validation_failed");
    let res = app
        .raw(
            Method::PATCH,
            "/settings",
            &admin,
            Some("application/json"),
            r#"{"version": 0, "payment_reminder_days": -1}"#,
        )
        .await;
    assert_eq!(res.problem(422), "validation_failed");
    let res = app
        .raw(
            Method::PATCH,
            "/settings",
            &admin,
            Some("application/json"),
            r#"{"version": 0, "payment_reminder_days": 400}"#,
        )
        .await;
    assert_eq!(res.problem(422), "validation_failed");

    // Bad paths and query parameters.
    for path in [
        "/users/abc",
        "/users/99999999999999999999",
        "/departments/1.5",
        "/roles/-",
        "/dictionaries/industry/x",
    ] {
        assert_eq!(
            app.get(path, &admin).await.problem(400),
            "invalid_path",
            "{path}"
        );
    }
    for path in [
        "/users?limit=abc",
        "/users?enabled=maybe",
        "/users?department_id=x",
        "/audit-log?entity_id=1.5",
        "/users?surprise=1",
    ] {
        assert_eq!(
            app.get(path, &admin).await.problem(400),
            "invalid_query",
            "{path}"
        );
    }
    // Unknown routes are 404 problems too.
    assert_eq!(
        app.get("/no-such-thing", &admin).await.problem(404),
        "not_found"
    );
    // Field errors name the field.
    let res = app
        .post(
            "/users",
            &admin,
            serde_json::json!({"username": "Bad Name", "display_name": "x", "password": "short",
        "department_id": 1, "role_ids": []}),
        )
        .await;
    let fields: Vec<String> = res.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(fields, ["password", "role_ids", "username"]);
    assert_eq!(res.problem(422), "validation_failed");
});
