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
            "8 to 128 characters",
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

/// `crm generate` on both databases: the demo logins work on the result, the numbers add up, the
/// same seed gives the same data, and the server keeps numbering orders after the generated ones.
mod generate {
    use crate::support::TestApp;
    use crm_db::testing::TestDb;
    use serde_json::json;

    async fn generated(backend: &str) {
        let Some(db) = TestDb::of(backend) else {
            return;
        };
        let url = db.url.clone();
        let summary = actix_web::web::block(move || {
            let pool = crm_db::Db::connect(&url, 1).unwrap();
            let mut conn = pool.get().unwrap();
            let hash = crm_api::auth::password::hash_now(crm_demo::seed::DEMO_PASSWORD).unwrap();
            let summary = crm_demo::generate::generate(&mut conn, 400, 7, false, &hash).unwrap();
            // The summaries and the search index (built after the customers) are what the
            // application would have kept.
            assert_eq!(
                crm_db::summaries::drift(&mut conn).unwrap(),
                Vec::<String>::new()
            );
            // The customers past a lead came there by level moves, which the funnel times.
            use diesel::prelude::*;
            let timed: i64 = crm_db::schema::customer_level_times::table
                .count()
                .get_result(&mut conn)
                .unwrap();
            let past_lead: i64 = crm_db::schema::customers::table
                .filter(crm_db::schema::customers::level.ne_all(["lead", "blacklisted"]))
                .count()
                .get_result(&mut conn)
                .unwrap();
            assert!(past_lead > 100 && timed >= past_lead, "{timed} {past_lead}");
            summary
        })
        .await
        .unwrap();
        assert_eq!(summary.customers, 400);
        assert!(summary.users >= 190);
        assert!(summary.contacts >= 400 && summary.activities >= 400 && summary.orders > 0);
        let url = db.url.clone();
        let again = actix_web::web::block(move || {
            let pool = crm_db::Db::connect(&url, 1).unwrap();
            let mut conn = pool.get().unwrap();
            crm_demo::generate::generate(&mut conn, 10, 7, false, "not-used")
        })
        .await
        .unwrap();
        assert!(again.unwrap_err().to_string().contains("not empty"));
        let app = TestApp::on_database(db).await;
        let gm = app.login("gm").await;
        let pipeline = app.get("/customers/pipeline", &gm).await.expect(200);
        let total: i64 = pipeline["levels"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["count"].as_i64().unwrap())
            .sum();
        assert_eq!(total, 400);
        let rep = app.login("s1_a").await;
        let mine = app.get("/customers?limit=200", &rep).await.expect(200);
        assert!(!mine["items"].as_array().unwrap().is_empty());
        // Money adds up on every order: received + outstanding = total.
        let orders = app.get("/orders?limit=200", &gm).await.expect(200);
        for o in orders["items"].as_array().unwrap() {
            let m = |k: &str| {
                crm_domain::Money::parse(o[k].as_str().unwrap())
                    .unwrap()
                    .minor()
            };
            assert_eq!(m("received") + m("outstanding"), m("total"));
        }
        // A new order continues the day's numbering.
        let c = &mine["items"][0];
        let product = app.get("/products", &rep).await.expect(200)[0]["id"].clone();
        let o = app
            .post(
                "/orders",
                &rep,
                json!({"customer_id": c["id"], "lines": [{"product_id": product, "quantity": 1, "unit_price": "1"}]}),
            )
            .await;
        assert_eq!(o.status, 201, "{}", o.body);
    }

    #[actix_web::test]
    async fn sqlite() {
        generated("sqlite").await;
    }
    #[actix_web::test]
    async fn postgres() {
        generated("postgres").await;
    }
}

/// A first start on a new SQLite file, seeding the demo company, logs no ERROR line: once, the
/// pool's connections switching the new file to WAL all at once refused one another ("database is
/// locked"). Three fresh starts, each read until the server says it listens.
#[test]
fn a_first_start_logs_no_error() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    for round in 0..3 {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("first.db").display());
        let mut child = Command::new(env!("CARGO_BIN_EXE_crm"))
            .args([
                "serve",
                "--bind",
                "127.0.0.1:0",
                "--database-url",
                &url,
                "--demo",
            ])
            .args(["--demo-customers", "30", "--scheduler-interval", "0"])
            .env("CRM_LOG", "info")
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("crm starts");
        let stderr = child.stderr.take().unwrap();
        let errors = std::thread::spawn(move || {
            BufReader::new(stderr)
                .lines()
                .map_while(Result::ok)
                .collect::<Vec<_>>()
        });
        let mut seen = Vec::new();
        for line in BufReader::new(child.stdout.take().unwrap())
            .lines()
            .map_while(Result::ok)
        {
            let listening = line.contains("CRM listening on");
            seen.push(line);
            if listening {
                break;
            }
        }
        child.kill().unwrap();
        child.wait().unwrap();
        let stderr = errors.join().unwrap();
        assert!(
            seen.iter().any(|l| l.contains("CRM listening on")),
            "round {round}: the server did not start:\n{}\n{}",
            seen.join("\n"),
            stderr.join("\n")
        );
        let all: Vec<&String> = seen.iter().chain(stderr.iter()).collect();
        assert!(
            !all.iter().any(|l| l.contains("ERROR")),
            "round {round}: an ERROR on a clean start:\n{all:#?}"
        );
    }
}
