//! The imports' benchmark (`crm-bench --imports`): a sales manager imports files of 50 000 rows —
//! customers, then a contact for each of them, then orders of two lines each for them — each
//! first as a dry run, then for real, polled to its end as the import page polls it. It writes
//! to the database: `cargo xtask bench` runs it on a scratch copy.

use anyhow::{Result, bail};
use serde_json::Value;
use std::time::{Duration, Instant};

/// Rows per file by default: the import's limit.
pub const ROWS: usize = 50_000;

/// One kind's file, checked and imported.
pub struct Imported {
    pub kind: &'static str,
    pub rows: usize,
    pub dry_seconds: f64,
    pub run_seconds: f64,
    pub created: u64,
}

/// Sends a file; answers the import as the server first answered it.
async fn send(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    kind: &'static str,
    dry_run: bool,
    csv: &str,
) -> Result<Value> {
    let file = reqwest::multipart::Part::bytes(csv.as_bytes().to_vec())
        .file_name(format!("{kind}.csv"))
        .mime_str("text/csv")?;
    let form = reqwest::multipart::Form::new()
        .text("kind", kind)
        .text("dry_run", dry_run.to_string())
        .part("file", file);
    let res = client
        .post(format!("{base}/api/v1/imports"))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await?;
    let status = res.status();
    let body: Value = res.json().await?;
    if !status.is_success() {
        bail!("the {kind} import was refused ({status}): {body}");
    }
    Ok(body)
}

/// A dry run that must find every row good, then the real run to its end.
async fn import(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    kind: &'static str,
    rows: usize,
    csv: &str,
) -> Result<Imported> {
    let started = Instant::now();
    let dry = send(client, base, token, kind, true, csv).await?;
    let dry_seconds = started.elapsed().as_secs_f64();
    if dry["valid"].as_u64() != Some(rows as u64) {
        bail!("the {kind} dry run refused rows: {}", first_errors(&dry));
    }
    let started = Instant::now();
    let run = send(client, base, token, kind, false, csv).await?;
    let id = run["id"].as_i64().unwrap_or_default();
    let done = loop {
        let now: Value = client
            .get(format!("{base}/api/v1/imports/{id}"))
            .bearer_auth(token)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        if now["status"] != "running" {
            break now;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let run_seconds = started.elapsed().as_secs_f64();
    if done["status"] != "done" || done["errors"].as_array().is_none_or(|e| !e.is_empty()) {
        bail!(
            "the {kind} import ended {}: {}",
            done["status"],
            first_errors(&done)
        );
    }
    let imported = Imported {
        kind,
        rows,
        dry_seconds,
        run_seconds,
        created: done["created"].as_u64().unwrap_or_default(),
    };
    println!(
        "import {kind:<9} {rows} rows: dry run {dry_seconds:>6.1} s, run {run_seconds:>6.1} s, {} created",
        imported.created
    );
    Ok(imported)
}

fn first_errors(import: &Value) -> String {
    let errors = import["errors"].as_array().cloned().unwrap_or_default();
    format!(
        "{} errors, the first: {}",
        errors.len(),
        Value::Array(errors.into_iter().take(3).collect())
    )
}

/// The three files of `rows` rows, made for this run alone (names and numbers carry the run's
/// stamp, so the rows are new to any database), imported in turn by s1_mgr.
pub async fn run(base: &str, product_code: &str, rows: usize) -> Result<Vec<Imported>> {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(3600))
        .build()?;
    let token = crate::login(&client, base, "s1_mgr").await?;
    let stamp = chrono::Utc::now().timestamp() % 100_000;
    let name = |i: usize| format!("导入测速{stamp:05}号{i:05}商贸有限公司");
    let mut customers = String::from("客户名称,电话,负责人\n");
    let mut contacts = String::from("客户名称,姓名,手机,关键联系人\n");
    let mut orders = String::from("合同号,客户名称,产品,数量,服务开始\n");
    for i in 0..rows {
        customers.push_str(&format!("{},0999-{stamp:05}{i:05},s1_a\n", name(i)));
        contacts.push_str(&format!(
            "{},联系人{i},139{stamp:05}{:03},是\n",
            name(i),
            i % 1000
        ));
    }
    for k in 0..rows / 2 {
        for _ in 0..2 {
            orders.push_str(&format!(
                "HT{stamp}-{k},{},{product_code},1,2027-01-01\n",
                name(k)
            ));
        }
    }
    Ok(vec![
        import(&client, base, &token, "customers", rows, &customers).await?,
        import(&client, base, &token, "contacts", rows, &contacts).await?,
        import(&client, base, &token, "orders", rows / 2 * 2, &orders).await?,
    ])
}
