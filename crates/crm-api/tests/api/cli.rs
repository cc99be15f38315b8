//! The `crm` binary's commands, run as a user would.

use crate::support::TestApp;
use std::process::Command;

fn crm(args: &[&str], password: Option<&str>) -> std::process::Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_crm"));
    cmd.args(args)
        .env_remove("CRM_ADMIN_PASSWORD")
        .env("RUST_BACKTRACE", "0");
    if let Some(p) = password {
        cmd.env("CRM_ADMIN_PASSWORD", p);
    }
    cmd.output().expect("crm runs")
}

#[actix_web::test]
async fn create_admin_then_log_in_and_refusals_are_clear() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("prod.db").display());
    let ok = crm(&["migrate", "--database-url", &url], None);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );

    let ok = crm(
        &["create-admin", "--username", "boss", "--database-url", &url],
        Some("a-long-secret"),
    );
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(String::from_utf8_lossy(&ok.stdout).contains("created administrator `boss`"));

    for (args, password, expected) in [
        (
            vec!["create-admin", "--username", "boss"],
            Some("a-long-secret"),
            "is taken",
        ),
        (
            vec!["create-admin", "--username", "boss2"],
            Some("short"),
            "at least 8 characters",
        ),
        (
            vec!["create-admin", "--username", "boss3"],
            None,
            "CRM_ADMIN_PASSWORD",
        ),
    ] {
        let mut args = args.clone();
        args.extend(["--database-url", &url]);
        let out = crm(&args, password);
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(expected), "{err}");
        assert!(
            !err.contains("stack backtrace"),
            "errors are messages, not backtraces: {err}"
        );
    }
    let out = crm(&["serve", "--database-url", "mysql://somewhere/crm"], None);
    assert!(String::from_utf8_lossy(&out.stderr).contains("unsupported database URL"));

    // The production database has the administrator and no demo users.
    let url2 = url.clone();
    let app = TestApp::spawn_with("sqlite", move |c| {
        c.database.database_url = url2;
        c.demo = false;
    })
    .await
    .unwrap();
    let token = app.login_res("boss", "a-long-secret").await.expect(200)["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let me = app.get("/me", &token).await.expect(200);
    assert!(
        me["permissions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p == "admin.users")
    );
    assert_eq!(
        app.login_res("admin", "demo1234").await.problem(401),
        "invalid_credentials"
    );
}

#[test]
fn openapi_command_prints_the_committed_document() {
    let out = crm(&["openapi"], None);
    assert!(out.status.success());
    let committed = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../openapi/crm.openapi.json"
    ))
    .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), committed);
}
