//! Knowledge: who writes what (writers anything, everyone else an FAQ draft of their own), drafts
//! unseen by others, Markdown rendered inert, the bigram search of titles and bodies, readers and
//! votes counted once per person, bulletins on Today until read, edit history, and the global
//! search never showing what the caller cannot open.

use crate::api_test;
use crate::support::{TestApp, enc, ids};
use serde_json::{Value, json};

async fn write(app: &TestApp, token: &str, body: Value) -> Value {
    app.post("/articles", token, body).await.expect(201)
}

async fn category(app: &TestApp, token: &str, kind: &str) -> i64 {
    app.get(&format!("/dictionaries/{kind}"), token)
        .await
        .expect(200)[0]["id"]
        .as_i64()
        .unwrap()
}

api_test!(
    writers_publish_and_everyone_else_suggests_faq_drafts,
    |app| {
        let manager = app.login("s1_mgr").await;
        let seller = app.login("s1_a").await;
        let peer = app.login("s1_b").await;
        let gm = app.login("gm").await;
        let cat = category(app, &manager, "article_category").await;
        let kb = write(
        app,
        &manager,
        json!({"kind": "kb", "category_id": cat, "title": "百度推广入门", "body": "**关键词**出价", "tags": ["推广", "入门"]}),
    )
    .await;
        assert_eq!(kb["status"], "published");
        assert_eq!(kb["category"]["id"], cat);
        assert_eq!(kb["tags"], json!(["推广", "入门"]));
        assert!(kb["published_at"].is_string());
        // Everyone reads what is published.
        for t in [&seller, &peer, &gm] {
            app.get(&format!("/articles/{}", kb["id"]), t)
                .await
                .expect(200);
        }
        // A salesperson may not write knowledge, publish, or pin; an FAQ draft they may.
        for body in [
            json!({"kind": "kb", "title": "t", "body": "b"}),
            json!({"kind": "faq", "title": "t", "body": "b", "status": "published"}),
            json!({"kind": "bulletin", "title": "t", "body": "b", "status": "draft"}),
            json!({"kind": "faq", "title": "t", "body": "b", "pinned": true}),
        ] {
            assert_eq!(
                app.post("/articles", &seller, body).await.problem(403),
                "forbidden"
            );
        }
        let faq = write(
            app,
            &seller,
            json!({"kind": "faq", "title": "续费可以打折吗？", "body": "老客户续费享受九折。"}),
        )
        .await;
        let id = faq["id"].as_i64().unwrap();
        assert_eq!(faq["status"], "draft");
        assert!(faq["published_at"].is_null());
        // The draft: its author and writers see it; a peer does not (404, and not in the list).
        app.get(&format!("/articles/{id}"), &peer)
            .await
            .problem(404);
        let listed = |page: Value| ids(&page).contains(&id);
        assert!(!listed(
            app.get("/articles?kind=faq&limit=200", &peer)
                .await
                .expect(200)
        ));
        assert!(listed(
            app.get("/articles?kind=faq&limit=200", &seller)
                .await
                .expect(200)
        ));
        assert!(listed(
            app.get("/articles?status=draft&limit=200", &manager)
                .await
                .expect(200)
        ));
        // The author edits the draft but may not publish it; a peer may not touch it.
        let faq = app
            .patch(
                &format!("/articles/{id}"),
                &seller,
                json!({"body": "老客户续费九折，两年九折再减。", "version": faq["version"]}),
            )
            .await
            .expect(200);
        assert_eq!(
            app.patch(
                &format!("/articles/{id}"),
                &seller,
                json!({"status": "published", "version": faq["version"]})
            )
            .await
            .problem(403),
            "forbidden"
        );
        app.patch(
            &format!("/articles/{id}"),
            &peer,
            json!({"title": "x", "version": faq["version"]}),
        )
        .await
        .problem(404);
        // A writer publishes it; then the author can no longer change it.
        let faq = app
            .patch(
                &format!("/articles/{id}"),
                &manager,
                json!({"status": "published", "pinned": true, "version": faq["version"]}),
            )
            .await
            .expect(200);
        assert_eq!(faq["status"], "published");
        assert!(faq["published_at"].is_string());
        assert_eq!(
            app.patch(
                &format!("/articles/{id}"),
                &seller,
                json!({"title": "x", "version": faq["version"]})
            )
            .await
            .problem(403),
            "forbidden"
        );
        assert_eq!(
            app.delete(&format!("/articles/{id}"), &seller)
                .await
                .problem(403),
            "forbidden"
        );
        // Pinned first.
        let page = app
            .get("/articles?kind=faq&limit=200", &peer)
            .await
            .expect(200);
        assert_eq!(ids(&page)[0], id);
        assert_eq!(page["items"][0]["pinned"], true);
        // A stale version is refused; the history keeps every edit.
        assert_eq!(
            app.patch(
                &format!("/articles/{id}"),
                &manager,
                json!({"title": "x", "version": 1})
            )
            .await
            .problem(409),
            "stale_version"
        );
        let history = app
            .get(&format!("/articles/{id}/history"), &manager)
            .await
            .expect(200);
        let actions: Vec<&str> = history["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        assert_eq!(actions, ["update", "update", "create"]);
        // Deleting leaves an audit entry with what it said.
        app.delete(&format!("/articles/{id}"), &manager)
            .await
            .expect(204);
        app.get(&format!("/articles/{id}"), &manager)
            .await
            .problem(404);
        let audit = app
            .get(
                &format!("/audit-log?entity=article&entity_id={id}"),
                &app.login("admin").await,
            )
            .await
            .expect(200);
        assert_eq!(audit["items"][0]["action"], "delete");
        assert_eq!(audit["items"][0]["changes"]["title"], "续费可以打折吗？");
    }
);

api_test!(bad_articles_are_refused_with_their_field, |app| {
    let manager = app.login("s1_mgr").await;
    let industry = category(app, &manager, "industry").await;
    let cases = [
        (
            json!({"kind": "kb", "title": "t", "body": "b", "category_id": industry}),
            "category_id",
            "not_found",
        ),
        (
            json!({"kind": "kb", "title": " ", "body": "b"}),
            "title",
            "blank",
        ),
        (
            json!({"kind": "kb", "title": "t", "body": ""}),
            "body",
            "length",
        ),
        (
            json!({"kind": "kb", "title": "t", "body": "b", "tags": ["a", "A"]}),
            "tags",
            "invalid_tags",
        ),
        (
            json!({"kind": "kb", "title": "t", "body": "x".repeat(200_001)}),
            "body",
            "length",
        ),
        (json!({"kind": "wiki", "title": "t", "body": "b"}), "", ""),
    ];
    for (body, field, code) in cases {
        let res = app.post("/articles", &manager, body).await;
        if field.is_empty() {
            assert_eq!(res.problem(422), "validation_failed");
            continue;
        }
        let problem = res.expect(422);
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
        assert_eq!(problem["errors"][0]["code"], code, "{problem}");
    }
    // Over the request limit of 1 MiB: 413, nothing stored.
    let huge = json!({"kind": "kb", "title": "大文章", "body": "字".repeat(400_000)});
    assert_eq!(
        app.post("/articles", &manager, huge).await.problem(413),
        "payload_too_large"
    );
    let page = app
        .get(&format!("/articles?q={}", enc("大文章")), &manager)
        .await
        .expect(200);
    assert!(ids(&page).is_empty());
});

api_test!(markdown_is_rendered_inert, |app| {
    let manager = app.login("s1_mgr").await;
    let body = "# 标题\n\n<script>alert(1)</script>\n\n[点我](javascript:alert(1)) [官网](https://example.com)\n\n<img src=x onerror=alert(1)>";
    let x = write(
        app,
        &manager,
        json!({"kind": "kb", "title": "安全", "body": body}),
    )
    .await;
    let html = x["body_html"].as_str().unwrap();
    assert!(html.contains("<h1>标题</h1>"), "{html}");
    assert!(!html.contains("<script"), "{html}");
    assert!(!html.contains("<img"), "{html}");
    assert!(!html.contains("javascript:"), "{html}");
    assert!(
        html.contains(r#"<a href="https://example.com" rel="noopener noreferrer">官网</a>"#),
        "{html}"
    );
    assert_eq!(x["body"], body);
    let preview = app
        .post(
            "/articles/preview",
            &app.login("s1_a").await,
            json!({"body": body}),
        )
        .await
        .expect(200);
    assert_eq!(preview["body_html"], x["body_html"]);
});

api_test!(search_finds_two_characters_in_titles_and_bodies, |app| {
    let manager = app.login("s1_mgr").await;
    let seller = app.login("s1_a").await;
    let in_body = write(
        app,
        &manager,
        json!({"kind": "kb", "title": "新人须知", "body": "第一周学习凤翔推广的后台操作。"}),
    )
    .await;
    let in_title = write(
        app,
        &manager,
        json!({"kind": "faq", "title": "凤翔推广怎么收费？", "body": "按点击收费。"}),
    )
    .await;
    let draft = write(
        app,
        &seller,
        json!({"kind": "faq", "title": "凤翔推广能退款吗？", "body": "草稿"}),
    )
    .await;
    let found = |page: Value| ids(&page);
    // The list's q: both published ones; the draft only for its author.
    let page = app
        .get(
            &format!("/articles?q={}", enc("凤翔")),
            &app.login("s2_a").await,
        )
        .await
        .expect(200);
    assert_eq!(
        found(page),
        [
            in_title["id"].as_i64().unwrap(),
            in_body["id"].as_i64().unwrap()
        ]
    );
    let page = app
        .get(&format!("/articles?q={}", enc("凤翔")), &seller)
        .await
        .expect(200);
    assert_eq!(found(page).len(), 3);
    // Not a bigram of any article: nothing.
    let page = app
        .get(&format!("/articles?q={}", enc("翔凤")), &seller)
        .await
        .expect(200);
    assert!(found(page).is_empty());
    // The global search ranks title hits first, with a snippet around the match.
    // (Four characters take the candidates of all the index's rows; two, those of the title's and
    // of the bodies' rows apart.)
    for q in ["凤翔", "凤翔推广"] {
        let res = app
            .get(&format!("/search?q={}", enc(q)), &app.login("s2_a").await)
            .await
            .expect(200);
        let articles: Vec<i64> = res["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|h| h["kind"] == "article")
            .map(|h| h["id"].as_i64().unwrap())
            .collect();
        assert_eq!(
            articles,
            [
                in_title["id"].as_i64().unwrap(),
                in_body["id"].as_i64().unwrap()
            ],
            "{q}: {res}"
        );
    }
    let res = app
        .get(
            &format!("/search?q={}", enc("凤翔推广")),
            &app.login("s2_a").await,
        )
        .await
        .expect(200);
    let articles: Vec<&Value> = res["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["kind"] == "article")
        .collect();
    assert_eq!(articles.len(), 2, "{res}");
    assert_eq!(articles[0]["id"], in_title["id"]);
    assert_eq!(articles[1]["id"], in_body["id"]);
    assert!(
        articles[1]["snippet"]
            .as_str()
            .unwrap()
            .contains("凤翔推广")
    );
    assert!(
        !res.to_string().contains(&format!("\"id\":{}", draft["id"]))
            || articles.iter().all(|h| h["id"] != draft["id"])
    );
    // An edit re-indexes.
    app.patch(
        &format!("/articles/{}", in_body["id"]),
        &manager,
        json!({"body": "改了", "version": in_body["version"]}),
    )
    .await
    .expect(200);
    let page = app
        .get(&format!("/articles?q={}", enc("凤翔")), &manager)
        .await
        .expect(200);
    assert!(!found(page).contains(&in_body["id"].as_i64().unwrap()));
    // One character, or none: refused by the search, fine for the list.
    assert_eq!(
        app.get(&format!("/search?q={}", enc("凤")), &seller)
            .await
            .problem(400),
        "invalid_query"
    );
});

api_test!(readers_votes_and_bulletins_count_each_person_once, |app| {
    let manager = app.login("s1_mgr").await;
    let seller = app.login("s1_a").await;
    let peer = app.login("s1_b").await;
    let b = write(
        app,
        &manager,
        json!({"kind": "bulletin", "title": "十一月签单喜报", "body": "一组签下十家。"}),
    )
    .await;
    let id = b["id"].as_i64().unwrap();
    let strip = |v: Value| ids(&json!({"items": v}));
    assert!(strip(app.get("/me/bulletins", &seller).await.expect(200)).contains(&id));
    // Opening it counts the reader once and takes it off their Today page only.
    app.get(&format!("/articles/{id}"), &seller)
        .await
        .expect(200);
    let x = app
        .get(&format!("/articles/{id}"), &seller)
        .await
        .expect(200);
    assert_eq!(x["read_count"], 1);
    assert!(!strip(app.get("/me/bulletins", &seller).await.expect(200)).contains(&id));
    assert!(strip(app.get("/me/bulletins", &peer).await.expect(200)).contains(&id));
    let page = app
        .get("/articles?kind=bulletin&unread=true&limit=200", &seller)
        .await
        .expect(200);
    assert!(!ids(&page).contains(&id));
    // Votes: one per person, changeable.
    let vote = |token: &str, helpful: bool| {
        let path = format!("/articles/{id}/vote");
        let token = token.to_string();
        async move {
            let x = app
                .post(&path, &token, json!({"helpful": helpful}))
                .await
                .expect(200);
            (
                x["helpful"].as_i64().unwrap(),
                x["unhelpful"].as_i64().unwrap(),
                x["my_vote"].as_bool(),
            )
        }
    };
    assert_eq!(vote(&seller, true).await, (1, 0, Some(true)));
    assert_eq!(vote(&seller, true).await, (1, 0, Some(true)));
    assert_eq!(vote(&seller, false).await, (0, 1, Some(false)));
    assert_eq!(vote(&peer, true).await, (1, 1, Some(true)));
    // A draft takes no votes.
    let d = write(
        app,
        &seller,
        json!({"kind": "faq", "title": "草稿问题", "body": "答"}),
    )
    .await;
    assert_eq!(
        app.post(
            &format!("/articles/{}/vote", d["id"]),
            &seller,
            json!({"helpful": true})
        )
        .await
        .problem(409),
        "not_allowed"
    );
});

api_test!(
    global_search_never_returns_what_the_caller_cannot_open,
    |app| {
        let owner = app.login("s1_a").await;
        let other = app.login("s2_a").await;
        let c = app
            .post(
                "/customers",
                &owner,
                json!({"name": "济南鹊华置业有限公司"}),
            )
            .await
            .expect(201);
        let contact = app
            .post(
                &format!("/customers/{}/contacts", c["id"]),
                &owner,
                json!({"name": "鹊华李经理"}),
            )
            .await
            .expect(201);
        let deal = app
            .post(
                "/opportunities",
                &owner,
                json!({"customer_id": c["id"], "title": "鹊华官网改版", "amount": "12000.00"}),
            )
            .await
            .expect(201);
        let theirs = app
            .post(
                "/customers",
                &other,
                json!({"name": "淄博鹊华纺织有限公司"}),
            )
            .await
            .expect(201);
        let hits = |v: &Value, kind: &str| -> Vec<i64> {
            v["items"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|h| h["kind"] == kind)
                .map(|h| h["id"].as_i64().unwrap())
                .collect()
        };
        let matrix = [
            ("s1_a", true, false),   // the owner
            ("s1_b", false, false),  // a peer
            ("s2_a", false, true),   // another department (owns the other one)
            ("s1_mgr", true, false), // the manager above
            ("gm", true, true),      // scope all
        ];
        for (who, sees_ours, sees_theirs) in matrix {
            let t = app.login(who).await;
            let res = app
                .get(&format!("/search?q={}", enc("鹊华")), &t)
                .await
                .expect(200);
            let customers = hits(&res, "customer");
            assert_eq!(
                customers.contains(&c["id"].as_i64().unwrap()),
                sees_ours,
                "{who}: {res}"
            );
            assert_eq!(
                customers.contains(&theirs["id"].as_i64().unwrap()),
                sees_theirs,
                "{who}: {res}"
            );
            assert_eq!(
                hits(&res, "contact").contains(&contact["id"].as_i64().unwrap()),
                sees_ours,
                "{who}: {res}"
            );
            assert_eq!(
                hits(&res, "opportunity").contains(&deal["id"].as_i64().unwrap()),
                sees_ours,
                "{who}: {res}"
            );
            // Whatever it shows, its own page opens.
            for h in res["items"].as_array().unwrap() {
                let path = match h["kind"].as_str().unwrap() {
                    "customer" => format!("/customers/{}", h["id"]),
                    "contact" => format!("/contacts/{}", h["id"]),
                    "opportunity" => format!("/opportunities/{}", h["id"]),
                    "article" => format!("/articles/{}", h["id"]),
                    _ => format!("/competitors/{}", h["id"]),
                };
                app.get(&path, &t).await.expect(200);
            }
        }
        // Finance reads customers but not deals: no deal hits.
        let res = app
            .get(
                &format!("/search?q={}", enc("鹊华")),
                &app.login("fin_a").await,
            )
            .await
            .expect(200);
        assert!(hits(&res, "opportunity").is_empty());
        assert!(!hits(&res, "customer").is_empty());
    }
);
