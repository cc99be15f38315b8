//! The web app as served: client routes fall back to index.html, hashed assets are immutable,
//! index.html is revalidated, responses are compressed; without a build, `/` explains how to make one.

use crate::support::TestApp;

#[actix_web::test]
async fn serves_the_built_app_with_the_right_caching() {
    let dist = tempfile::tempdir().unwrap();
    let page = format!(
        "<!doctype html><title>CRM</title>{}",
        "<p>padding</p>".repeat(200)
    );
    std::fs::write(dist.path().join("index.html"), &page).unwrap();
    std::fs::write(
        dist.path().join("crm-web-0123456789abcdef.js"),
        "console.log(1);".repeat(100),
    )
    .unwrap();
    let dir = dist.path().display().to_string();
    let app = TestApp::spawn_with("sqlite", |c| c.static_dir = dir)
        .await
        .unwrap();
    let root = app.base.replace("/api/v1", "");

    for path in ["/", "/system/users", "/login"] {
        let res = app
            .client
            .get(format!("{root}{path}"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{path}");
        assert_eq!(res.headers()["cache-control"], "no-cache", "{path}");
        assert!(
            res.text().await.unwrap().contains("<title>CRM</title>"),
            "{path} is the app"
        );
    }
    let res = app
        .client
        .get(format!("{root}/crm-web-0123456789abcdef.js"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(res.headers()["content-encoding"], "gzip");
    // API paths never fall back to the app.
    let res = app
        .client
        .get(format!("{root}/api/v1/nope"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
}

#[actix_web::test]
async fn without_a_build_the_root_says_how_to_make_one() {
    let app = TestApp::spawn_with("sqlite", |c| c.static_dir = "/nonexistent/dist".into())
        .await
        .unwrap();
    let root = app.base.replace("/api/v1", "");
    let res = app.client.get(format!("{root}/")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("cargo xtask run"));
}
