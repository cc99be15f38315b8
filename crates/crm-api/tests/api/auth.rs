//! Login, refresh rotation, logout, expiry, personal tokens, throttling, disabling.

use crate::api_test;
use crate::support::TestApp;
use reqwest::Method;
use serde_json::json;

api_test!(login_right_wrong_and_unknown, |app| {
    let ok = app.login_full("s1_a").await;
    assert_eq!(ok["token_type"], "Bearer");
    assert_eq!(ok["expires_in"], 900);
    assert_eq!(ok["user"]["username"], "s1_a");
    assert_eq!(ok["user"]["data_scope"], "self");
    assert!(ok["refresh_token"].as_str().unwrap().len() > 30);
    let me = app
        .get("/me", ok["access_token"].as_str().unwrap())
        .await
        .expect(200);
    assert_eq!(me["department"]["name"], "销售一部");
    assert!(
        me["permissions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p == "customer.read")
    );

    assert_eq!(
        app.login_res("s1_a", "wrong-password").await.problem(401),
        "invalid_credentials"
    );
    // An unknown user looks exactly like a wrong password.
    assert_eq!(
        app.login_res("nobody", "demo1234").await.problem(401),
        "invalid_credentials"
    );
    // Usernames are case-insensitive.
    app.login_res("S1_A", "demo1234").await.expect(200);
    // No token, a garbage token.
    assert_eq!(
        app.send(Method::GET, "/me", None, None).await.problem(401),
        "unauthenticated"
    );
    assert_eq!(
        app.get("/me", "garbage").await.problem(401),
        "invalid_token"
    );
});

api_test!(
    disabled_users_cannot_log_in_and_lose_every_session_and_token,
    |app| {
        let admin = app.login("admin").await;
        let s1a = app.login_full("s1_a").await;
        let access = s1a["access_token"].as_str().unwrap().to_string();
        let refresh = s1a["refresh_token"].as_str().unwrap().to_string();
        let pat = app
            .post("/me/tokens", &access, json!({"name": "script"}))
            .await
            .expect(201)["token"]
            .as_str()
            .unwrap()
            .to_string();
        app.get("/me", &pat).await.expect(200);

        let id = app.user_id(&admin, "s1_a").await;
        let user = app
            .post(&format!("/users/{id}/disable"), &admin, json!({}))
            .await
            .expect(200);
        assert_eq!(user["enabled"], false);

        assert_eq!(app.get("/me", &access).await.problem(401), "invalid_token");
        assert_eq!(app.get("/me", &pat).await.problem(401), "invalid_token");
        assert_eq!(
            app.send(
                Method::POST,
                "/auth/refresh",
                None,
                Some(json!({"refresh_token": refresh}))
            )
            .await
            .problem(401),
            "invalid_token"
        );
        assert_eq!(
            app.login_res("s1_a", "demo1234").await.problem(401),
            "account_disabled"
        );

        // Enabled again: a new login works, the old credentials stay dead.
        app.post(&format!("/users/{id}/enable"), &admin, json!({}))
            .await
            .expect(200);
        app.login("s1_a").await;
        assert_eq!(app.get("/me", &pat).await.problem(401), "invalid_token");
        // An administrator cannot lock themselves out.
        let admin_id = app.user_id(&admin, "admin").await;
        assert_eq!(
            app.post(&format!("/users/{admin_id}/disable"), &admin, json!({}))
                .await
                .problem(422),
            "cannot_disable_self"
        );
    }
);

api_test!(refresh_rotates_and_reuse_ends_the_session, |app| {
    let first = app.login_full("s1_b").await;
    let r1 = first["refresh_token"].as_str().unwrap().to_string();
    let second = app
        .send(
            Method::POST,
            "/auth/refresh",
            None,
            Some(json!({"refresh_token": r1})),
        )
        .await
        .expect(200);
    let r2 = second["refresh_token"].as_str().unwrap().to_string();
    let a2 = second["access_token"].as_str().unwrap().to_string();
    assert_ne!(r1, r2);
    app.get("/me", &a2).await.expect(200);
    // The old refresh token was used up: presenting it again is theft, and ends the session.
    assert_eq!(
        app.send(
            Method::POST,
            "/auth/refresh",
            None,
            Some(json!({"refresh_token": r1}))
        )
        .await
        .problem(401),
        "refresh_token_reused"
    );
    assert_eq!(app.get("/me", &a2).await.problem(401), "invalid_token");
    assert_eq!(
        app.send(
            Method::POST,
            "/auth/refresh",
            None,
            Some(json!({"refresh_token": r2}))
        )
        .await
        .problem(401),
        "invalid_token"
    );
    // Another session of the same user is untouched.
    let other = app.login("s1_b").await;
    app.get("/me", &other).await.expect(200);
    // Unknown refresh tokens.
    assert_eq!(
        app.send(
            Method::POST,
            "/auth/refresh",
            None,
            Some(json!({"refresh_token": "nope"}))
        )
        .await
        .problem(401),
        "invalid_token"
    );
});

api_test!(logout_ends_that_session_only, |app| {
    let a = app.login_full("s2_a").await;
    let b = app.login_full("s2_a").await;
    let (aa, ar) = (
        a["access_token"].as_str().unwrap(),
        a["refresh_token"].as_str().unwrap(),
    );
    let ba = b["access_token"].as_str().unwrap();
    app.post("/auth/logout", aa, json!({"refresh_token": ar}))
        .await
        .expect(204);
    assert_eq!(app.get("/me", aa).await.problem(401), "invalid_token");
    assert_eq!(
        app.send(
            Method::POST,
            "/auth/refresh",
            None,
            Some(json!({"refresh_token": ar}))
        )
        .await
        .problem(401),
        "invalid_token"
    );
    app.get("/me", ba).await.expect(200);
    // Somebody else's refresh token cannot be used to log them out.
    let victim = app.login_full("s1_a").await;
    app.post(
        "/auth/logout",
        ba,
        json!({"refresh_token": victim["refresh_token"]}),
    )
    .await
    .expect(204);
    app.get("/me", victim["access_token"].as_str().unwrap())
        .await
        .expect(200);
});

mod token_expiry {
    use super::*;

    async fn run(app: TestApp) {
        let t = app.login_full("s1_a").await;
        let access = t["access_token"].as_str().unwrap().to_string();
        app.get("/me", &access).await.expect(200);
        // A one-second token with two seconds of leeway is dead after four.
        actix_web::rt::time::sleep(std::time::Duration::from_millis(4000)).await;
        let res = app.get("/me", &access).await;
        assert!(
            res.body["detail"].as_str().unwrap().contains("过期"),
            "in the company's language"
        );
        assert_eq!(res.problem(401), "invalid_token");
        // The refresh token still gives a new one.
        let fresh = app
            .send(
                Method::POST,
                "/auth/refresh",
                None,
                Some(json!({"refresh_token": t["refresh_token"]})),
            )
            .await
            .expect(200);
        app.get("/me", fresh["access_token"].as_str().unwrap())
            .await
            .expect(200);
    }

    #[actix_web::test]
    async fn sqlite() {
        run(TestApp::spawn_with("sqlite", |c| c.access_token_ttl = 1)
            .await
            .unwrap())
        .await;
    }

    #[actix_web::test]
    async fn postgres() {
        if let Some(app) = TestApp::spawn_with("postgres", |c| c.access_token_ttl = 1).await {
            run(app).await;
        }
    }
}

api_test!(
    personal_tokens_are_shown_once_listed_used_and_revoked,
    |app| {
        let access = app.login("s1_mgr").await;
        let created = app
            .post("/me/tokens", &access, json!({"name": "nightly export"}))
            .await
            .expect(201);
        let secret = created["token"].as_str().unwrap().to_string();
        assert!(secret.starts_with("crm_pat_"));
        assert!(secret.starts_with(created["prefix"].as_str().unwrap()));
        let id = created["id"].as_i64().unwrap();

        let list = app.get("/me/tokens", &access).await.expect(200);
        assert_eq!(list.as_array().unwrap().len(), 1);
        assert!(list[0].get("token").is_none(), "the secret is never listed");
        assert!(list[0]["last_used_at"].is_null());

        let me = app.get("/me", &secret).await.expect(200);
        assert_eq!(me["username"], "s1_mgr");
        let list = app.get("/me/tokens", &access).await.expect(200);
        assert!(list[0]["last_used_at"].is_string(), "use is recorded");

        // Someone else cannot revoke it.
        let other = app.login("s1_a").await;
        assert_eq!(
            app.delete(&format!("/me/tokens/{id}"), &other)
                .await
                .problem(404),
            "not_found"
        );
        app.delete(&format!("/me/tokens/{id}"), &access)
            .await
            .expect(204);
        assert_eq!(app.get("/me", &secret).await.problem(401), "invalid_token");
        assert!(
            app.get("/me/tokens", &access)
                .await
                .expect(200)
                .as_array()
                .unwrap()
                .is_empty()
        );

        // Expiry in the past is refused; a blank name too.
        assert_eq!(
            app.post(
                "/me/tokens",
                &access,
                json!({"name": "old", "expires_on": "2000-01-01"})
            )
            .await
            .problem(422),
            "validation_failed"
        );
        assert_eq!(
            app.post("/me/tokens", &access, json!({"name": "  "}))
                .await
                .problem(422),
            "validation_failed"
        );
    }
);

api_test!(repeated_failures_are_throttled_with_retry_after, |app| {
    for _ in 0..crm_db::auth::FREE_FAILURES {
        assert_eq!(
            app.login_res("s2_mgr", "bad-guess").await.problem(401),
            "invalid_credentials"
        );
    }
    // The sixth failure locks the username and already answers 429 …
    assert_eq!(
        app.login_res("s2_mgr", "bad-guess").await.problem(429),
        "too_many_requests"
    );
    // … so that even the right password waits.
    let res = app.login_res("s2_mgr", "demo1234").await;
    let retry: i64 = res
        .headers
        .get("retry-after")
        .unwrap()
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=30).contains(&retry), "{retry}");
    assert_eq!(res.problem(429), "too_many_requests");
    // Other users are not affected.
    app.login("s2_a").await;
});

api_test!(changing_the_password_ends_other_sessions, |app| {
    let mine = app.login_full("cs_a").await;
    let other = app.login("cs_a").await;
    let access = mine["access_token"].as_str().unwrap();
    assert_eq!(
        app.post(
            "/me/password",
            access,
            json!({"current_password": "wrong", "new_password": "n3w-password"})
        )
        .await
        .problem(422),
        "validation_failed"
    );
    assert_eq!(
        app.post(
            "/me/password",
            access,
            json!({"current_password": "demo1234", "new_password": "short"})
        )
        .await
        .problem(422),
        "validation_failed"
    );
    app.post(
        "/me/password",
        access,
        json!({"current_password": "demo1234", "new_password": "n3w-password"}),
    )
    .await
    .expect(204);
    app.get("/me", access).await.expect(200);
    assert_eq!(app.get("/me", &other).await.problem(401), "invalid_token");
    assert_eq!(
        app.login_res("cs_a", "demo1234").await.problem(401),
        "invalid_credentials"
    );
    app.login_res("cs_a", "n3w-password").await.expect(200);

    // An administrator's reset ends every session of that user.
    let admin = app.login("admin").await;
    let id = app.user_id(&admin, "cs_a").await;
    app.post(
        &format!("/users/{id}/reset-password"),
        &admin,
        json!({"new_password": "reset-by-admin"}),
    )
    .await
    .expect(204);
    assert_eq!(app.get("/me", access).await.problem(401), "invalid_token");
    app.login_res("cs_a", "reset-by-admin").await.expect(200);
    let admin_id = app.user_id(&admin, "admin").await;
    assert_eq!(
        app.post(
            &format!("/users/{admin_id}/reset-password"),
            &admin,
            json!({"new_password": "whatever-1"})
        )
        .await
        .problem(422),
        "use_me_password"
    );
    assert_eq!(app.get("/health", &admin).await.expect(200)["status"], "ok");
});

api_test!(idempotency_key_replays_the_first_answer, |app| {
    let admin = app.login("admin").await;
    let send = |key: &'static str, name: &'static str| {
        let req = app
            .client
            .post(format!("{}/departments", app.base))
            .bearer_auth(&admin)
            .header("idempotency-key", key)
            .json(&json!({"name": name}));
        async move { TestApp::read(req.send().await.unwrap()).await }
    };
    let first = send("k-1", "市场部").await;
    assert_eq!(first.status.as_u16(), 201);
    let again = send("k-1", "市场部").await;
    assert_eq!(again.status.as_u16(), 201);
    assert_eq!(again.headers.get("idempotent-replayed").unwrap(), "true");
    assert_eq!(again.body["id"], first.body["id"], "no second department");
    let depts = app.get("/departments", &admin).await.expect(200);
    assert_eq!(
        depts
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["name"] == "市场部")
            .count(),
        1
    );
    // The same key with another body is refused.
    assert_eq!(
        send("k-1", "其他").await.problem(422),
        "idempotency_key_reused"
    );
    // A failed attempt does not burn the key.
    assert_eq!(send("k-2", "市场部").await.problem(409), "duplicate_name");
    assert_eq!(send("k-2", "市场二部").await.status.as_u16(), 201);
});

api_test!(concurrent_refreshes_with_one_token_rotate_once, |app| {
    let t = app.login_full("s1_a").await;
    let body = json!({"refresh_token": t["refresh_token"]});
    let (a, b) = futures_join(
        app.send(Method::POST, "/auth/refresh", None, Some(body.clone())),
        app.send(Method::POST, "/auth/refresh", None, Some(body)),
    )
    .await;
    let mut statuses = [a.status.as_u16(), b.status.as_u16()];
    statuses.sort();
    assert_eq!(statuses, [200, 401], "exactly one rotation wins");
    let loser = if a.status == 200 { b } else { a };
    assert_eq!(loser.problem(401), "refresh_token_reused");
});

api_test!(parallel_guesses_cannot_outrun_the_throttle, |app| {
    let guesses: Vec<_> = (0..14)
        .map(|_| app.login_res("s1_b", "guess-guess"))
        .collect();
    let mut answers = Vec::new();
    for res in join_all(guesses).await {
        answers.push(res.status.as_u16());
    }
    let wrong = answers.iter().filter(|s| **s == 401).count();
    let throttled = answers.iter().filter(|s| **s == 429).count();
    assert_eq!(wrong + throttled, answers.len(), "{answers:?}");
    assert!(
        wrong <= crm_db::auth::FREE_FAILURES as usize + 1,
        "at most the free failures get an answer: {answers:?}"
    );
    assert_eq!(
        app.login_res("s1_b", "demo1234").await.problem(429),
        "too_many_requests"
    );
});

api_test!(tokens_cannot_breed_and_a_reset_revokes_them, |app| {
    let access = app.login("s2_a").await;
    let pat = app
        .post("/me/tokens", &access, json!({"name": "script"}))
        .await
        .expect(201)["token"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        app.post("/me/tokens", &pat, json!({"name": "another"}))
            .await
            .problem(403),
        "forbidden"
    );
    let admin = app.login("admin").await;
    let id = app.user_id(&admin, "s2_a").await;
    app.post(
        &format!("/users/{id}/reset-password"),
        &admin,
        json!({"new_password": "fresh-password"}),
    )
    .await
    .expect(204);
    assert_eq!(app.get("/me", &pat).await.problem(401), "invalid_token");
});

async fn futures_join<A: std::future::Future, B: std::future::Future>(
    a: A,
    b: B,
) -> (A::Output, B::Output) {
    futures_util::future::join(a, b).await
}

async fn join_all<F: std::future::Future>(futures: Vec<F>) -> Vec<F::Output> {
    futures_util::future::join_all(futures).await
}
