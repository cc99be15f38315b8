//! Backups: `crm backup` while the server takes writes gives a whole copy of one moment, `crm
//! restore` puts it in place, and the restored books equal the original's (rows per table and the
//! money totals). PostgreSQL's own `pg_dump` / `pg_restore`, as the README says, checked the same.

use crate::support::TestApp;
use crm_db::backup::{Fingerprint, fingerprint, money_mismatches};
use serde_json::json;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

fn crm(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_crm"))
        .args(args)
        .env("RUST_BACKTRACE", "0")
        .output()
        .expect("crm runs")
}

async fn crm_in_background(args: Vec<String>) -> std::process::Output {
    actix_web::rt::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        crm(&args)
    })
    .await
    .unwrap()
}

fn ok(out: &std::process::Output) -> String {
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn refused(out: &std::process::Output, expected: &str) {
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(expected), "{err}");
}

fn books(url: &str) -> (Fingerprint, Vec<String>) {
    let db = crm_db::Db::connect(url, 1).unwrap();
    let mut conn = db.get().unwrap();
    (
        fingerprint(&mut conn).unwrap(),
        money_mismatches(&mut conn).unwrap(),
    )
}

fn sqlite_url(path: &Path) -> String {
    format!("sqlite://{}", path.display())
}

/// Writers that create customers and record receipts of 0.01 until told to stop; how many writes
/// were answered 2xx.
async fn write_load(
    app: &TestApp,
    stop: Arc<AtomicBool>,
) -> Vec<actix_web::rt::task::JoinHandle<usize>> {
    let finance = app.login("fin_a").await;
    let method = app
        .get("/dictionaries/payment_method", &finance)
        .await
        .expect(200)[0]["id"]
        .clone();
    // A signed order with money outstanding per writer.
    let product = crate::orders::product(app, "BACKUP", "1000", None).await;
    let mut orders = Vec::new();
    for w in 0..4 {
        let rep = app.login("s1_a").await;
        let c = crate::orders::customer(app, &rep, &format!("备份订单客户{w}")).await;
        let lines = json!([{"product_id": product, "quantity": 1, "unit_price": "1000"}]);
        let o = crate::orders::order(app, &rep, &c, lines).await;
        let o = crate::orders::act(app, &rep, &o, "sign").await;
        crate::orders::plan(app, &rep, &o, &[(crate::support::company_day(30), "1000")]).await;
        orders.push(o["id"].as_i64().unwrap());
    }
    let mut writers = Vec::new();
    for (w, order) in orders.into_iter().enumerate() {
        let (base, client) = (app.base.clone(), app.client.clone());
        let rep = app.login(if w % 2 == 0 { "s1_a" } else { "s2_a" }).await;
        let (finance, method) = (finance.clone(), method.clone());
        let stop = stop.clone();
        writers.push(actix_web::rt::spawn(async move {
            let done = AtomicUsize::new(0);
            let mut i = 0;
            while !stop.load(Ordering::Relaxed) {
                i += 1;
                let (url, token, body) = if i % 2 == 0 {
                    (
                        format!("{base}/customers"),
                        &rep,
                        json!({"name": format!("备份压测客户{w}-{i}")}),
                    )
                } else {
                    (
                        format!("{base}/orders/{order}/receipts"),
                        &finance,
                        json!({"amount": "0.01", "received_on": crate::support::company_day(0), "method_id": method}),
                    )
                };
                let res = client.post(url).bearer_auth(token).json(&body).send().await.unwrap();
                assert!(res.status().is_success(), "{}", res.text().await.unwrap());
                done.fetch_add(1, Ordering::Relaxed);
            }
            done.into_inner()
        }));
    }
    writers
}

#[actix_web::test]
async fn a_backup_under_write_load_restores_to_the_same_books() {
    let app = TestApp::spawn("sqlite").await.unwrap();
    let live_url = app.db.url.clone();
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name).display().to_string();

    let stop = Arc::new(AtomicBool::new(false));
    let writers = write_load(&app, stop.clone()).await;
    actix_web::rt::time::sleep(std::time::Duration::from_millis(300)).await;
    let during = crm_in_background(
        [
            "backup",
            "--to",
            &path("during.db"),
            "--database-url",
            &live_url,
        ]
        .map(String::from)
        .to_vec(),
    )
    .await;
    actix_web::rt::time::sleep(std::time::Duration::from_millis(300)).await;
    stop.store(true, Ordering::Relaxed);
    let mut writes = 0;
    for w in writers {
        writes += w.await.unwrap();
    }
    assert!(writes > 20, "the backup ran under load ({writes} writes)");
    assert!(ok(&during).contains("integrity checked"));

    // The copy made under load is whole: its money adds up and it starts as a database.
    let restored = sqlite_url(&dir.path().join("restored-during").join("crm.db"));
    ok(&crm(&[
        "restore",
        "--from",
        &path("during.db"),
        "--database-url",
        &restored,
    ]));
    let (during_books, wrong) = books(&restored);
    assert_eq!(wrong, Vec::<String>::new());

    // A proposal on a customer: its file goes with the backup.
    let seller = app.login("s1_a").await;
    let customer = app
        .post(
            "/customers",
            &seller,
            serde_json::json!({"name": "济南备份文档有限公司"}),
        )
        .await
        .expect(201)["id"]
        .as_i64()
        .unwrap();
    let proposal = "推广方案：每月预算 3000 元\n".as_bytes().to_vec();
    let doc = app
        .upload(
            &seller,
            &[("customer_id", customer.to_string())],
            Some(("方案.txt", proposal.clone())),
        )
        .await
        .expect(201);
    let sha = doc["sha256"].as_str().unwrap().to_string();

    // After the writers stopped, a backup restores to exactly the live books.
    let backed = ok(&crm(&[
        "backup",
        "--to",
        &path("after.db"),
        "--database-url",
        &live_url,
    ]));
    let after = sqlite_url(&dir.path().join("restored-after.db"));
    let out = ok(&crm(&[
        "restore",
        "--from",
        &path("after.db"),
        "--database-url",
        &after,
    ]));
    assert!(out.contains("migrations current"), "{out}");
    assert!(backed.contains("copied 1 document files"), "{backed}");
    assert!(out.contains("restored 1 document files"), "{out}");
    // The restored database's document store (beside it) holds the file, byte for byte.
    let restored_file = dir.path().join("documents").join(&sha[..2]).join(&sha);
    assert_eq!(std::fs::read(&restored_file).unwrap(), proposal);
    let (live, wrong) = books(&live_url);
    assert_eq!(wrong, Vec::<String>::new());
    let (copy, _) = books(&after);
    assert_eq!(copy, live);
    assert!(copy.rows["customers"] > during_books.rows["customers"]);
    assert!(copy.money["receipts.amount"] > 0);

    // What a backup and a restore refuse, in words.
    refused(
        &crm(&[
            "backup",
            "--to",
            &path("after.db"),
            "--database-url",
            &live_url,
        ]),
        "exists already",
    );
    refused(
        &crm(&[
            "restore",
            "--from",
            &path("after.db"),
            "--database-url",
            &after,
        ]),
        "not empty",
    );
    std::fs::write(path("notes.txt"), "not a database").unwrap();
    refused(
        &crm(&[
            "restore",
            "--from",
            &path("notes.txt"),
            "--database-url",
            &sqlite_url(&dir.path().join("x.db")),
        ]),
        "is not a backup of this CRM",
    );
    assert!(!dir.path().join("x.db").exists());
    refused(
        &crm(&[
            "backup",
            "--to",
            &path("pg.db"),
            "--database-url",
            "postgres://u@localhost/crm",
        ]),
        "pg_dump",
    );
}

/// The README's PostgreSQL backup (`pg_dump --format=custom`, `pg_restore` into an empty
/// database) keeps every row and every amount.
#[actix_web::test]
async fn pg_dump_and_pg_restore_keep_the_books() {
    let Some(app) = TestApp::spawn("postgres").await else {
        return;
    };
    let Some(bin) = pg_tool_dir() else {
        panic!("PostgreSQL is configured but pg_dump is not found");
    };
    let stop = Arc::new(AtomicBool::new(false));
    let writers = write_load(&app, stop.clone()).await;
    actix_web::rt::time::sleep(std::time::Duration::from_millis(300)).await;
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        w.await.unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("crm.dump");
    let run = |tool: &str, args: &[&str]| {
        let out = Command::new(bin.join(tool)).args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{tool}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(
        "pg_dump",
        &[
            "--format=custom",
            "--file",
            dump.to_str().unwrap(),
            &app.db.url,
        ],
    );
    let empty = crm_db::testing::TestDb::postgres().unwrap();
    run(
        "pg_restore",
        &[
            "--no-owner",
            "--exit-on-error",
            "--dbname",
            &empty.url,
            dump.to_str().unwrap(),
        ],
    );
    let (live, wrong) = books(&app.db.url);
    assert_eq!(wrong, Vec::<String>::new());
    let (copy, _) = books(&empty.url);
    assert_eq!(copy, live);
    assert!(copy.money["receipts.amount"] > 0);
}

/// Where `pg_dump` lives: on the PATH, or in Debian's versioned directory.
fn pg_tool_dir() -> Option<std::path::PathBuf> {
    if let Ok(out) = Command::new("pg_dump").arg("--version").output()
        && out.status.success()
    {
        return Some(std::path::PathBuf::new());
    }
    let mut dirs: Vec<_> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|d| d.join("pg_dump").exists())
        .collect();
    dirs.sort();
    dirs.pop()
}
