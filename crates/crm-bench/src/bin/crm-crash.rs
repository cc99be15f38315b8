//! `crm-crash`: proves that what the server answered 2xx survives the machine dying. Each round
//! starts `crm serve` on the same database, drives concurrent writers (activities, receipts, new
//! customers), kills the server with SIGKILL at a random moment, and then checks the database as
//! the next start finds it: every answered write is there, the money adds up (each receipt
//! allocated in full, no order over-received, the kept summaries equal to a recount), SQLite's
//! integrity check is `ok`, and the server starts again on it.
//!
//! With `--db-stop` / `--db-start` (PostgreSQL) it also stops the database under load and starts
//! it again: while it is down every answer must be 503 `database_unavailable` (never a 500), and
//! the server must serve again within seconds of its return, by itself.
//!
//! `cargo xtask crash` builds it and the server and prepares the databases.

use anyhow::{Context, Result, bail, ensure};
use clap::Parser;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

#[derive(Parser)]
struct Args {
    /// The `crm` binary.
    #[arg(long)]
    server: PathBuf,
    /// The database; empty at first (the demo company is seeded on the first start).
    #[arg(long)]
    database_url: String,
    /// Crash rounds.
    #[arg(long, default_value_t = 200)]
    rounds: usize,
    /// Concurrent writers.
    #[arg(long, default_value_t = 8)]
    writers: usize,
    /// The same seed gives the same kill moments.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Where the server's logs go.
    #[arg(long)]
    work: PathBuf,
    /// A shell command that stops the database (fast shutdown), for the restart phase.
    #[arg(long, requires = "db_start")]
    db_stop: Option<String>,
    /// A shell command that starts the database again.
    #[arg(long, requires = "db_stop")]
    db_start: Option<String>,
    /// The report (Markdown), appended to.
    #[arg(long)]
    out: Option<PathBuf>,
    /// A label for the report.
    #[arg(long, default_value = "")]
    label: String,
}

/// What a writer does; each answered write is remembered by table and id.
#[derive(Clone, Copy)]
enum Write {
    Activity,
    Receipt,
    Customer,
}

impl Write {
    fn table(self) -> &'static str {
        match self {
            Write::Activity => "activities",
            Write::Receipt => "receipts",
            Write::Customer => "customers",
        }
    }
}

/// What the writers need, made once on the first start.
#[derive(Clone)]
struct Setup {
    rep: String,
    finance: String,
    activity_type: i64,
    method: i64,
    /// Per writer: a customer of the rep and a signed order of it with money outstanding.
    targets: Vec<(i64, i64)>,
}

struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

async fn start(args: &Args, client: &reqwest::Client, round: usize) -> Result<Server> {
    let port = free_port()?;
    let log = args.work.join(format!("server-{round}.log"));
    let log = std::fs::File::create(&log)?;
    let child = Command::new(&args.server)
        .args(["serve", "--demo", "--bind", &format!("127.0.0.1:{port}")])
        .args(["--database-url", &args.database_url])
        .env("CRM_DEMO_CUSTOMERS", "20")
        .env("CRM_SCHEDULER_INTERVAL", "0")
        .env("CRM_DB_WAIT", "1")
        .env("CRM_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log)
        .spawn()
        .context("starting the server")?;
    let server = Server {
        child,
        base: format!("http://127.0.0.1:{port}/api/v1"),
    };
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(120) {
        if let Ok(res) = client
            .get(format!("{}/health/ready", server.base))
            .send()
            .await
            && res.status() == 200
        {
            return Ok(server);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    bail!(
        "round {round}: the server did not become ready (see its log in {})",
        args.work.display()
    )
}

async fn call(
    client: &reqwest::Client,
    base: &str,
    token: Option<&str>,
    path: &str,
    body: Option<Value>,
) -> Result<(u16, Value)> {
    let url = format!("{base}{path}");
    let mut req = match &body {
        Some(b) => client.post(url).json(b),
        None => client.get(url),
    };
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.send().await?;
    let status = res.status().as_u16();
    let body = res.json::<Value>().await.unwrap_or(Value::Null);
    Ok((status, body))
}

async fn expect(
    client: &reqwest::Client,
    base: &str,
    token: Option<&str>,
    path: &str,
    body: Option<Value>,
) -> Result<Value> {
    let (status, body) = call(client, base, token, path, body).await?;
    ensure!((200..300).contains(&status), "{path}: {status} {body}");
    Ok(body)
}

async fn login(client: &reqwest::Client, base: &str, username: &str) -> Result<String> {
    let body = expect(
        client,
        base,
        None,
        "/auth/login",
        Some(json!({"username": username, "password": "demo1234"})),
    )
    .await?;
    Ok(body["access_token"]
        .as_str()
        .context("no access token")?
        .to_string())
}

fn yesterday() -> String {
    (chrono::Utc::now().date_naive() - chrono::Duration::days(1)).to_string()
}

async fn prepare(client: &reqwest::Client, base: &str, writers: usize) -> Result<Setup> {
    let admin = login(client, base, "admin").await?;
    let rep = login(client, base, "s1_a").await?;
    let finance = login(client, base, "fin_a").await?;
    let first_id = |v: &Value| v[0]["id"].as_i64().context("an empty dictionary");
    let activity_type = first_id(
        &expect(
            client,
            base,
            Some(&rep),
            "/dictionaries/activity_type",
            None,
        )
        .await?,
    )?;
    let method = first_id(
        &expect(
            client,
            base,
            Some(&finance),
            "/dictionaries/payment_method",
            None,
        )
        .await?,
    )?;
    let product = expect(
        client,
        base,
        Some(&admin),
        "/products",
        Some(json!({"code": "CRASH", "name": "断电测试服务", "unit": "套", "list_price": "100000", "renewable": false})),
    )
    .await?["id"]
        .clone();
    let mut targets = Vec::new();
    for w in 0..writers {
        let customer = expect(
            client,
            base,
            Some(&rep),
            "/customers",
            Some(json!({"name": format!("断电测试客户{w}")})),
        )
        .await?["id"]
            .as_i64()
            .context("customer id")?;
        let order = expect(
            client,
            base,
            Some(&rep),
            "/orders",
            Some(json!({"customer_id": customer, "lines": [{"product_id": product, "quantity": 1, "unit_price": "100000"}]})),
        )
        .await?;
        let id = order["id"].as_i64().context("order id")?;
        expect(
            client,
            base,
            Some(&rep),
            &format!("/orders/{id}/sign"),
            Some(json!({"version": order["version"]})),
        )
        .await?;
        let due = chrono::Utc::now().date_naive() + chrono::Duration::days(60);
        let res = client
            .put(format!("{base}/orders/{id}/payment-plan"))
            .bearer_auth(&rep)
            .json(&json!({"installments": [{"due_date": due, "amount": "100000"}]}))
            .send()
            .await?;
        ensure!(res.status() == 200, "payment plan: {}", res.text().await?);
        targets.push((customer, id));
    }
    Ok(Setup {
        rep,
        finance,
        activity_type,
        method,
        targets,
    })
}

/// What the writers saw: the writes answered 2xx, and every other answer by status and code.
#[derive(Default)]
struct Seen {
    answered: Vec<(Write, i64)>,
    others: BTreeMap<String, u64>,
    /// When a write was last answered 2xx.
    last_ok: Option<Instant>,
}

async fn writer(
    client: reqwest::Client,
    base: String,
    setup: Setup,
    w: usize,
    round: usize,
    stop: Arc<AtomicBool>,
) -> Seen {
    let mut seen = Seen::default();
    let (customer, order) = setup.targets[w % setup.targets.len()];
    let mut i = 0u64;
    while !stop.load(Ordering::Relaxed) {
        i += 1;
        let kind = [Write::Activity, Write::Receipt, Write::Customer][(w + i as usize) % 3];
        let (token, path, body) = match kind {
            Write::Activity => (
                &setup.rep,
                "/activities".to_string(),
                json!({"customer_id": customer, "type_id": setup.activity_type,
                       "occurred_at": chrono::Utc::now().to_rfc3339(), "summary": format!("断电测试 {round}-{w}-{i}")}),
            ),
            Write::Receipt => (
                &setup.finance,
                format!("/orders/{order}/receipts"),
                json!({"amount": "0.01", "received_on": yesterday(), "method_id": setup.method}),
            ),
            Write::Customer => (
                &setup.rep,
                "/customers".to_string(),
                json!({"name": format!("断电测试新客户R{round}W{w}N{i}")}),
            ),
        };
        match call(&client, &base, Some(token), &path, Some(body)).await {
            Ok((status, body)) if (200..300).contains(&status) => {
                if let Some(id) = body["id"].as_i64() {
                    seen.answered.push((kind, id));
                    seen.last_ok = Some(Instant::now());
                }
            }
            Ok((status, body)) => {
                let code = body["code"].as_str().unwrap_or("-");
                *seen.others.entry(format!("{status} {code}")).or_default() += 1;
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            // The connection died with the server: not answered, nothing promised.
            Err(_) => tokio::time::sleep(Duration::from_millis(5)).await,
        }
    }
    seen
}

/// Opens the database as a restart finds it and checks it; answers how many answered writes were
/// checked.
fn check(url: &str, answered: &[(Write, i64)]) -> Result<usize> {
    let db = crm_db::Db::connect(url, 1).context("opening the database after the crash")?;
    let mut conn = db.get()?;
    let faults = crm_db::backup::integrity_check(&mut conn)?;
    ensure!(faults.is_empty(), "integrity check: {faults:?}");
    for kind in [Write::Activity, Write::Receipt, Write::Customer] {
        let ids: Vec<i64> = answered
            .iter()
            .filter(|(k, _)| k.table() == kind.table())
            .map(|(_, id)| *id)
            .collect();
        let lost = crm_db::backup::missing(&mut conn, kind.table(), &ids)?;
        ensure!(
            lost.is_empty(),
            "{} answered 2xx but missing from {}: {lost:?}",
            lost.len(),
            kind.table()
        );
    }
    let wrong = crm_db::backup::money_mismatches(&mut conn)?;
    ensure!(wrong.is_empty(), "the money does not add up: {wrong:?}");
    Ok(answered.len())
}

fn shell(command: &str) -> Result<()> {
    let status = Command::new("sh").args(["-c", command]).status()?;
    ensure!(status.success(), "`{command}` failed ({status})");
    Ok(())
}

async fn run_writers(
    client: &reqwest::Client,
    base: &str,
    setup: &Setup,
    writers: usize,
    round: usize,
) -> (Arc<AtomicBool>, Vec<tokio::task::JoinHandle<Seen>>) {
    let stop = Arc::new(AtomicBool::new(false));
    let handles = (0..writers)
        .map(|w| {
            tokio::spawn(writer(
                client.clone(),
                base.to_string(),
                setup.clone(),
                w,
                round,
                stop.clone(),
            ))
        })
        .collect();
    (stop, handles)
}

async fn gather(
    stop: Arc<AtomicBool>,
    handles: Vec<tokio::task::JoinHandle<Seen>>,
) -> Result<Seen> {
    stop.store(true, Ordering::Relaxed);
    let mut all = Seen::default();
    for h in handles {
        let seen = h.await?;
        all.answered.extend(seen.answered);
        for (k, n) in seen.others {
            *all.others.entry(k).or_default() += n;
        }
        all.last_ok = all.last_ok.max(seen.last_ok);
    }
    Ok(all)
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    std::fs::create_dir_all(&args.work)?;
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()?;
    let mut rng = rand::rngs::StdRng::seed_from_u64(args.seed);
    let started = Instant::now();

    let server = start(&args, &client, 0).await?;
    let setup = prepare(&client, &server.base, args.writers).await?;
    drop(server);

    let (mut checked, mut others) = (0usize, BTreeMap::<String, u64>::new());
    let mut slowest_start = Duration::ZERO;
    for round in 1..=args.rounds {
        let t = Instant::now();
        let server = start(&args, &client, round).await?;
        slowest_start = slowest_start.max(t.elapsed());
        let (stop, handles) = run_writers(&client, &server.base, &setup, args.writers, round).await;
        tokio::time::sleep(Duration::from_millis(rng.random_range(100..1500))).await;
        let mut server = server;
        server.child.kill()?; // SIGKILL: no shutdown, no flush
        server.child.wait()?;
        let seen = gather(stop, handles).await?;
        for (k, n) in seen.others {
            *others.entry(k).or_default() += n;
        }
        ensure!(
            !seen.answered.is_empty(),
            "round {round}: no write was answered before the kill"
        );
        let url = args.database_url.clone();
        let n = tokio::task::spawn_blocking(move || check(&url, &seen.answered))
            .await?
            .with_context(|| format!("round {round}"))?;
        checked += n;
        println!(
            "round {round}/{}: {n} answered writes, all there; money adds up",
            args.rounds
        );
    }
    // A last start on the database the last kill left.
    drop(start(&args, &client, args.rounds + 1).await?);
    let unexpected: Vec<&String> = others
        .keys()
        .filter(|k| !k.starts_with("503 database_unavailable"))
        .collect();
    ensure!(
        unexpected.is_empty(),
        "answers other than 2xx during the rounds: {others:?}"
    );

    let restart = match (&args.db_stop, &args.db_start) {
        (Some(stop_cmd), Some(start_cmd)) => {
            Some(restart_database(&args, &client, &setup, stop_cmd, start_cmd).await?)
        }
        _ => None,
    };

    let mut report = format!(
        "\n## {}\n\n{} rounds of SIGKILL under {} writers in {:.0} s: **{checked} writes answered 2xx, 0 lost**; \
         after each kill the money added up and the database started again (slowest start {:.1} s){}.\n",
        args.label,
        args.rounds,
        args.writers,
        started.elapsed().as_secs_f64(),
        slowest_start.as_secs_f64(),
        if args.database_url.starts_with("sqlite") {
            "; `PRAGMA integrity_check` was `ok` every time"
        } else {
            ""
        }
    );
    if let Some(r) = restart {
        report.push_str(&r);
    }
    print!("{report}");
    if let Some(out) = &args.out {
        use std::io::Write as _;
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(out)?
            .write_all(report.as_bytes())?;
    }
    Ok(())
}

/// A read of the rep's first customers (what a browser asks for first), while the database is down
/// or back.
async fn a_read(client: &reqwest::Client, base: &str, setup: &Setup) -> Result<(u16, Value)> {
    call(client, base, Some(&setup.rep), "/customers?limit=5", None).await
}

/// Stops the database under load, starts it again, and checks what the server answered meanwhile.
async fn restart_database(
    args: &Args,
    client: &reqwest::Client,
    setup: &Setup,
    stop_cmd: &str,
    start_cmd: &str,
) -> Result<String> {
    let round = args.rounds + 2;
    let server = start(args, client, round).await?;
    let (stop, handles) = run_writers(client, &server.base, setup, args.writers, round).await;
    tokio::time::sleep(Duration::from_millis(700)).await;
    shell(stop_cmd)?;
    let down = Instant::now();
    tokio::time::sleep(Duration::from_secs(3)).await;
    // Every answer while it is down, on a read as well.
    let (status, body) = a_read(client, &server.base, setup).await?;
    ensure!(
        status == 503 && body["code"] == "database_unavailable",
        "a read while the database was down answered {status} {body}"
    );
    shell(start_cmd)?;
    let back = Instant::now();
    let mut serving = None;
    while back.elapsed() < Duration::from_secs(30) {
        let (status, _) = a_read(client, &server.base, setup).await?;
        if status == 200 {
            serving = Some(back.elapsed());
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let serving =
        serving.context("the server did not serve again within 30 s of the database's return")?;
    tokio::time::sleep(Duration::from_millis(700)).await;
    let seen = gather(stop, handles).await?;
    ensure!(
        seen.last_ok.is_some_and(|t| t > back),
        "no write was answered after the database came back"
    );
    let unexpected: Vec<&String> = seen
        .others
        .keys()
        .filter(|k| !k.starts_with("503 database_unavailable"))
        .collect();
    ensure!(
        unexpected.is_empty(),
        "answers while the database was down: {:?}",
        seen.others
    );
    drop(server);
    let url = args.database_url.clone();
    let answered = seen.answered.len();
    let all = seen.answered;
    tokio::task::spawn_blocking(move || check(&url, &all)).await??;
    ensure!(
        serving < Duration::from_secs(10),
        "the server took {serving:?} to serve again"
    );
    let refused: u64 = seen.others.values().sum();
    println!(
        "database restart: {refused} answers 503 database_unavailable while down, serving {serving:.1?} after its return"
    );
    Ok(format!(
        "\nPostgreSQL stopped (fast shutdown) for {:.1} s under the same writers and started again: \
         {refused} writes answered 503 `database_unavailable` while it was down (no other status), \
         the server served again {:.1} s after its return without a restart, and all {answered} writes answered 2xx were there.\n",
        back.duration_since(down).as_secs_f64(),
        serving.as_secs_f64(),
    ))
}
