//! The web app as served: client routes fall back to index.html, hashed assets are immutable,
//! index.html is revalidated, responses are compressed; without a build, `/` explains how to make one.

use crate::support::TestApp;
use base64::Engine;

#[actix_web::test]
async fn serves_the_built_app_with_the_right_caching() {
    let dist = tempfile::tempdir().unwrap();
    let script = "import init from '/crm-web-0123456789abcdef.js'; await init();";
    let page = format!(
        "<!doctype html><title>CRM</title><script type=\"module\">{script}</script>{}",
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
        // The page's policy: the start-up script by its hash, nothing inline besides, no framing.
        let csp = res.headers()["content-security-policy"].to_str().unwrap();
        let hash = base64::engine::general_purpose::STANDARD
            .encode(<sha2::Sha256 as sha2::Digest>::digest(script.as_bytes()));
        assert!(csp.contains(&format!("'sha256-{hash}'")), "{csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert!(csp.contains("object-src 'none'"), "{csp}");
        assert_eq!(res.headers()["x-frame-options"], "DENY");
        assert_eq!(res.headers()["x-content-type-options"], "nosniff");
        assert!(
            res.text().await.unwrap().contains("<title>CRM</title>"),
            "{path} is the app"
        );
    }
    // A new build while the server runs: the page's new start-up script is allowed at once.
    let rebuilt = "import init from '/crm-web-fedcba9876543210.js'; await init();";
    std::thread::sleep(std::time::Duration::from_millis(20));
    std::fs::write(
        dist.path().join("index.html"),
        format!("<!doctype html><title>CRM</title><script type=\"module\">{rebuilt}</script>"),
    )
    .unwrap();
    let res = app.client.get(format!("{root}/")).send().await.unwrap();
    let csp = res.headers()["content-security-policy"].to_str().unwrap();
    let hash = base64::engine::general_purpose::STANDARD
        .encode(<sha2::Sha256 as sha2::Digest>::digest(rebuilt.as_bytes()));
    assert!(csp.contains(&format!("'sha256-{hash}'")), "{csp}");
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

/// The copies `cargo xtask web` compresses at build time are served by content negotiation: the
/// best encoding the browser takes, the original's type, never compressed twice; a browser that
/// takes neither gets the file itself.
#[actix_web::test]
async fn precompressed_assets_follow_accept_encoding() {
    let dist = tempfile::tempdir().unwrap();
    let dir = dist.path();
    std::fs::write(dir.join("index.html"), "<!doctype html><title>CRM</title>").unwrap();
    let wasm = "crm-web-0123456789abcdef_bg.wasm";
    std::fs::write(dir.join(wasm), b"\0asm plain".repeat(100)).unwrap();
    std::fs::write(dir.join(format!("{wasm}.br")), b"brotli bytes").unwrap();
    std::fs::write(dir.join(format!("{wasm}.gz")), b"gzip bytes").unwrap();
    let js = "crm-web-0123456789abcdef.js";
    std::fs::write(dir.join(js), "console.log(1);").unwrap();
    let path = dir.display().to_string();
    let app = TestApp::spawn_with("sqlite", |c| c.static_dir = path)
        .await
        .unwrap();
    let root = app.base.replace("/api/v1", "");
    let get = |name: &str, accept: Option<&str>| {
        let mut req = app.client.get(format!("{root}/{name}"));
        if let Some(a) = accept {
            req = req.header("accept-encoding", a);
        }
        req.send()
    };
    for (accept, encoding, body) in [
        (
            Some("gzip, deflate, br, zstd"),
            Some("br"),
            &b"brotli bytes"[..],
        ),
        (Some("gzip;q=1.0, br;q=0"), Some("gzip"), b"gzip bytes"),
        (Some("GZIP"), Some("gzip"), b"gzip bytes"),
    ] {
        let res = get(wasm, accept).await.unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["content-type"], "application/wasm");
        assert_eq!(
            res.headers()
                .get("content-encoding")
                .map(|v| v.to_str().unwrap()),
            encoding,
            "{accept:?}"
        );
        assert_eq!(res.headers()["vary"], "accept-encoding");
        assert_eq!(
            res.headers()["cache-control"],
            "public, max-age=31536000, immutable"
        );
        assert_eq!(&res.bytes().await.unwrap()[..], body);
    }
    let res = get(wasm, Some("identity")).await.unwrap();
    assert!(res.headers().get("content-encoding").is_none());
    assert_eq!(res.bytes().await.unwrap().len(), 1000);
    // An asset without copies is still served (and compressed on the fly).
    let res = get(js, Some("gzip")).await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-encoding"], "gzip");
}
