//! `crm-bench`: drives a running `crm serve` with a fixed number of concurrent clients for a fixed
//! time per scenario, records every latency in an HDR histogram, times the same repository call
//! (the same SQL) directly against the database, reads the server's peak memory, and writes the
//! results as a Markdown section. `cargo xtask bench` builds it, prepares the databases, starts the
//! server and calls it once per database and size.

use anyhow::{Context, Result, bail};
use clap::Parser;
use crm_db::{Actor, Db, DbConnection};
use crm_domain::api::{
    AgingGroup, AgingQuery, ArticleQuery, CustomerFilters, CustomerQuery, CustomerSortKey,
    DuplicateQuery, ExpenseGroup, ExpenseQuery, ExpenseReportQuery, Fact, OpportunityPipelineQuery,
    OpportunityQuery, OpportunityReportQuery, ReceivableQuery, ReportQuery, ScorecardQuery,
    SearchQuery, ServiceGroup, ServiceReportQuery, TicketQuery,
};
use crm_domain::customer::CustomerLevel;
use crm_domain::opportunity::OpportunityStatus;
use crm_domain::paging::Sort;
use hdrhistogram::Histogram;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::{Duration, Instant};

mod imports;
mod soak;

#[derive(Parser, Clone)]
struct Args {
    /// The server to drive, e.g. http://127.0.0.1:8080
    #[arg(long)]
    base: String,
    /// The server's database, for the direct SQL timings and the volumes.
    #[arg(long)]
    database_url: String,
    /// The server's process id, for its peak memory.
    #[arg(long)]
    pid: u32,
    /// Concurrent clients per scenario.
    #[arg(long, default_value_t = 16)]
    clients: usize,
    /// Seconds per scenario.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Markdown file the section is appended to.
    #[arg(long)]
    out: std::path::PathBuf,
    /// Heading of the section, e.g. "SQLite, 1 000 000 customers".
    #[arg(long)]
    label: String,
    /// Instead of one scenario after another: all of them mixed, `clients` at once, for this many
    /// seconds, reported per minute with the server's memory (the soak test).
    #[arg(long)]
    soak: Option<u64>,
    /// Only the scenarios whose name contains one of these (repeatable): a quick look at a few.
    #[arg(long)]
    only: Vec<String>,
    /// Instead of the scenarios: imports of 50 000 customers, contacts and order lines (which
    /// stay in the database: run it on a copy).
    #[arg(long)]
    imports: bool,
    /// Rows per imported file.
    #[arg(long, default_value_t = imports::ROWS)]
    import_rows: usize,
}

/// The k-th two-character search: rare words (case companies' names) and common ones (topics)
/// in turn.
fn search_word(k: u64) -> &'static str {
    const WORDS: [&str; 6] = ["瑞丰", "续费", "鑫源", "落地", "华泰", "话术"];
    WORDS[k as usize % WORDS.len()]
}

/// What the general manager types into the customer search: two trades (one name in twenty holds
/// each) and a brand (one in thirty), all common across the whole company.
fn wide_word(k: u64) -> &'static str {
    const WORDS: [&str; 3] = ["置业", "瑞丰", "商贸"];
    WORDS[k as usize % WORDS.len()]
}

/// A text percent-encoded for a query string.
fn pct(text: &str) -> String {
    text.bytes().map(|b| format!("%{b:02X}")).collect()
}

/// One kind of request, as the API sees it and as the repository runs it.
struct Scenario {
    name: &'static str,
    user: &'static str,
    /// Builds the k-th request: (method, path, body).
    request: Request,
    /// The same work straight against the database.
    direct: Direct,
}

/// The k-th call of a scenario straight against the database.
type Direct = Box<dyn Fn(&mut DbConnection, u64) -> Result<()>>;

type Request = Arc<dyn Fn(u64) -> (reqwest::Method, String, Option<Value>) + Send + Sync>;

struct Outcome {
    name: &'static str,
    requests: u64,
    errors: u64,
    rps: f64,
    p50: u64,
    p95: u64,
    p99: u64,
    /// One client, one request at a time: the API's own overhead shows against `direct_p50`.
    single_p50: u64,
    direct_p50: u64,
}

fn ms(us: u64) -> String {
    format!("{:.1}", us as f64 / 1000.0)
}

/// Logs in, waiting (up to two minutes) for a server still busy with the previous scenario.
pub(crate) async fn login(client: &reqwest::Client, base: &str, username: &str) -> Result<String> {
    let started = Instant::now();
    loop {
        match try_login(client, base, username).await {
            Ok(token) => return Ok(token),
            Err(e) if started.elapsed() > Duration::from_secs(120) => return Err(e),
            Err(_) => tokio::time::sleep(Duration::from_secs(2)).await,
        }
    }
}

async fn try_login(client: &reqwest::Client, base: &str, username: &str) -> Result<String> {
    let res: Value = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"username": username, "password": "demo1234"}))
        .send()
        .await?
        .error_for_status()
        .with_context(|| format!("logging in as {username}"))?
        .json()
        .await?;
    res["access_token"]
        .as_str()
        .map(str::to_string)
        .context("no access token")
}

/// Sends one request of a scenario and reads its answer whole; its status, 0 when none came.
async fn send(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    (method, path, body): (reqwest::Method, String, Option<Value>),
) -> u16 {
    let mut req = client
        .request(method, format!("{base}/api/v1{path}"))
        .bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    match req.send().await {
        Ok(res) => {
            let status = res.status().as_u16();
            let _ = res.bytes().await;
            status
        }
        Err(_) => 0,
    }
}

async fn drive(
    client: reqwest::Client,
    base: Arc<String>,
    token: Arc<String>,
    request: Request,
    clients: usize,
    duration: Duration,
) -> Result<(Histogram<u64>, u64, u64, Duration)> {
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let (client, base, token, request) =
            (client.clone(), base.clone(), token.clone(), request.clone());
        tasks.push(tokio::spawn(async move {
            let mut hist = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)?;
            let (mut n, mut errors) = (0u64, 0u64);
            let mut k = c as u64 * 1_000_003;
            while started.elapsed() < duration {
                let t = Instant::now();
                let ok = (200..300).contains(&send(&client, &base, &token, request(k)).await);
                k += 1;
                hist.record(t.elapsed().as_micros().max(1) as u64)?;
                n += 1;
                errors += u64::from(!ok);
            }
            anyhow::Ok((hist, n, errors))
        }));
    }
    let mut all = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)?;
    let (mut n, mut errors) = (0, 0);
    for t in tasks {
        let (h, count, e) = t.await??;
        all.add(h)?;
        n += count;
        errors += e;
    }
    Ok((all, n, errors, started.elapsed()))
}

/// The exports' pseudo-scenario (`--only export` runs it alone).
const EXPORTS: &str = "every customer exported by the general manager";

/// One export downloaded whole.
struct Exported {
    format: &'static str,
    bytes: u64,
    seconds: f64,
    first_byte: f64,
    rows: u64,
    before_mb: f64,
    peak_mb: f64,
}

/// Downloads every customer as CSV and as XLSX (the general manager sees all), one at a time,
/// watching the server's resident memory every 50 ms: a streamed export keeps it flat.
async fn exports(base: &str, pid: u32) -> Result<Vec<Exported>> {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(3600))
        .build()?;
    let token = login(&client, base, "gm").await?;
    let mut out = Vec::new();
    for format in ["csv", "xlsx"] {
        let before_mb = memory_mb(pid).unwrap_or(0.0);
        let peak = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let watching = Arc::new(std::sync::atomic::AtomicBool::new(true));
        let watcher = {
            let (peak, watching) = (peak.clone(), watching.clone());
            tokio::spawn(async move {
                while watching.load(std::sync::atomic::Ordering::Relaxed) {
                    let kb = (memory_mb(pid).unwrap_or(0.0) * 1024.0) as u64;
                    peak.fetch_max(kb, std::sync::atomic::Ordering::Relaxed);
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            })
        };
        let started = Instant::now();
        let mut res = client
            .get(format!("{base}/api/v1/exports/customers?format={format}"))
            .bearer_auth(&token)
            .send()
            .await?
            .error_for_status()?;
        let first_byte = started.elapsed().as_secs_f64();
        let (mut bytes, mut lines) = (0u64, 0u64);
        while let Some(chunk) = res.chunk().await? {
            bytes += chunk.len() as u64;
            lines += chunk.iter().filter(|b| **b == b'\n').count() as u64;
        }
        let seconds = started.elapsed().as_secs_f64();
        watching.store(false, std::sync::atomic::Ordering::Relaxed);
        watcher.await?;
        // CSV: a line per row after the header; XLSX: the rows the CSV had.
        let rows = match format {
            "csv" => lines.saturating_sub(1),
            _ => out.first().map_or(0, |x: &Exported| x.rows),
        };
        let peak_mb = peak.load(std::sync::atomic::Ordering::Relaxed) as f64 / 1024.0;
        println!(
            "export {format:<5} {:>8.1} MB in {seconds:>6.1} s (first byte {first_byte:.1} s), {rows} rows, server {before_mb:.0} MB before, peak {peak_mb:.0} MB",
            bytes as f64 / 1e6
        );
        out.push(Exported {
            format,
            bytes,
            seconds,
            first_byte,
            rows,
            before_mb,
            peak_mb,
        });
    }
    Ok(out)
}

/// The imports' section of the report.
fn write_imports(args: &Args, volumes: &str, imported: &[imports::Imported]) -> Result<()> {
    let mut md = format!("## {}: imports\n\n", args.label);
    md.push_str(&format!("- machine: {}\n", machine()));
    md.push_str(&format!("- volumes before: {volumes}\n"));
    md.push_str(&format!(
        "- files of {} rows (customers; a contact for each; orders of two lines for half of \
         them), sent by a sales manager one at a time: a dry run, then the real run polled to its \
         end\n\n",
        args.import_rows
    ));
    md.push_str("| kind | rows | dry run s | real run s | rows/s (real run) | created |\n");
    md.push_str("| --- | ---: | ---: | ---: | ---: | ---: |\n");
    for x in imported {
        md.push_str(&format!(
            "| {} | {} | {:.1} | {:.1} | {:.0} | {} |\n",
            x.kind,
            x.rows,
            x.dry_seconds,
            x.run_seconds,
            x.rows as f64 / x.run_seconds.max(0.001),
            x.created
        ));
    }
    md.push('\n');
    append(&args.out, &md)
}

fn append(out: &std::path::Path, md: &str) -> Result<()> {
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(out)
        .with_context(|| format!("opening {}", out.display()))?;
    file.write_all(md.as_bytes())?;
    Ok(())
}

fn peak_memory_mb(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// The server's own resident memory now (RssAnon: its heap and stacks, not the pages of the
/// database file SQLite maps, which the kernel keeps or drops as it likes), in MB.
fn memory_mb(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("RssAnon:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("MemTotal"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or_else(
            || "?".into(),
            |kb| format!("{:.1} GB", kb / 1024.0 / 1024.0),
        );
    format!("{cpu}, {cores} cores, {mem} RAM")
}

/// Exact row count of a table (for the report's volumes; not a hot path).
fn count(conn: &mut DbConnection, table: &str) -> Result<i64> {
    Ok(crm_db::table_count(conn, table)?)
}

/// A demo user as the server resolves them on a request.
fn actor_of(conn: &mut DbConnection, username: &str) -> Result<Actor> {
    let id = crm_db::users::credentials(conn, username)?
        .with_context(|| format!("no user {username}: was the database made by `crm generate`?"))?
        .user_id;
    let caller = crm_db::callers::load(conn, id)?.context("user disabled")?;
    Ok(Actor::resolve(
        conn,
        id,
        caller.department.id,
        caller.scope,
        caller.permissions,
    )?)
}

/// Eight digits, as someone types a phone number without its area code; most match no customer,
/// which is the search's slowest case.
fn phone_query(k: u64) -> String {
    format!("{:08}", (k * 104_729 + 7) % 100_000_000)
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let db = Db::connect(&args.database_url, 2)?;
    let mut conn = db.get()?;
    let customers = count(&mut conn, "customers")?;
    if customers == 0 {
        bail!("the database has no customers: run `crm generate` first");
    }
    let volumes = format!(
        "{} customers, {} contacts, {} activities, {} opportunities, {} orders, {} installments, {} receipts, {} articles, {} users",
        customers,
        count(&mut conn, "contacts")?,
        count(&mut conn, "activities")?,
        count(&mut conn, "opportunities")?,
        count(&mut conn, "orders")?,
        count(&mut conn, "payment_installments")?,
        count(&mut conn, "receipts")?,
        count(&mut conn, "articles")?,
        count(&mut conn, "users")?,
    );
    if args.imports {
        let product = crm_db::products::list(&mut conn, false)?
            .into_iter()
            .next()
            .context("the database has no enabled product")?;
        let imported = imports::run(&args.base, &product.code, args.import_rows).await?;
        return write_imports(&args, &volumes, &imported);
    }
    // What the scenarios need: a salesperson's own customers (to log activities on), a type.
    let seller = Arc::new(actor_of(&mut conn, "s1_a")?);
    let manager = Arc::new(actor_of(&mut conn, "s1_mgr")?);
    let everyone = Arc::new(actor_of(&mut conn, "gm")?);
    let own = crm_db::customers::list(
        &mut conn,
        &seller,
        &CustomerQuery {
            limit: Some(200),
            ..CustomerQuery::default()
        },
    )?
    .items;
    let own_ids: Arc<Vec<i64>> = Arc::new(own.iter().map(|c| c.id).collect());
    let names: Arc<Vec<String>> = Arc::new(own.iter().map(|c| c.name.clone()).collect());
    anyhow::ensure!(!own_ids.is_empty(), "s1_a owns no customers");
    let activity_type = crm_db::dictionaries::list(
        &mut conn,
        crm_domain::api::DictionaryKind::ActivityType,
        false,
    )?
    .first()
    .context("no activity types")?
    .id;
    let n = customers as u64;
    // The general manager's default order, 90% of the way down (keyset paging must not get slower
    // with the depth, as OFFSET does).
    let first_page = CustomerQuery {
        limit: Some(200),
        ..CustomerQuery::default()
    };
    let deep = crm_db::customers::cursor_at(&mut conn, &everyone, &first_page, customers * 9 / 10)?
        .context("no page 90% deep")?;
    let deep_page = CustomerQuery {
        cursor: Some(deep.clone()),
        ..first_page.clone()
    };

    // The deal board: the pipeline by stage, then a column (the open deals of one stage).
    let stage = crm_db::dictionaries::list(
        &mut conn,
        crm_domain::api::DictionaryKind::OpportunityStage,
        false,
    )?
    .get(1)
    .context("no second opportunity stage")?
    .id;
    let column = OpportunityQuery {
        stage_id: Some(stage),
        status: Some(OpportunityStatus::Open),
        limit: Some(30),
        ..OpportunityQuery::default()
    };
    let deals = OpportunityQuery {
        limit: Some(50),
        ..OpportunityQuery::default()
    };
    let board = |user: &'static str, who: Arc<Actor>| -> [Scenario; 2] {
        let column = column.clone();
        [
            Scenario {
                name: if user == "gm" {
                    "deal board pipeline, general manager"
                } else {
                    "deal board pipeline, manager"
                },
                user,
                request: Arc::new(move |_| {
                    (reqwest::Method::GET, "/opportunities/pipeline".into(), None)
                }),
                direct: {
                    let v = who.clone();
                    Box::new(move |c, _| {
                        crm_db::opportunities::pipeline(
                            c,
                            &v,
                            &OpportunityPipelineQuery::default(),
                        )?;
                        Ok(())
                    })
                },
            },
            Scenario {
                name: if user == "gm" {
                    "deal board column, general manager"
                } else {
                    "deal board column, manager"
                },
                user,
                request: Arc::new(move |_| {
                    (
                        reqwest::Method::GET,
                        format!("/opportunities?status=open&stage_id={stage}&limit=30"),
                        None,
                    )
                }),
                direct: {
                    let v = who;
                    Box::new(move |c, _| {
                        crm_db::opportunities::list(c, &v, &column)?;
                        Ok(())
                    })
                },
            },
        ]
    };
    let [manager_pipeline, manager_column] = board("s1_mgr", manager.clone());
    let [gm_pipeline, gm_column] = board("gm", everyone.clone());
    let deal_list = |user: &'static str, name: &'static str, who: Arc<Actor>| Scenario {
        name,
        user,
        request: Arc::new(move |_| (reqwest::Method::GET, "/opportunities?limit=50".into(), None)),
        direct: {
            let q = deals.clone();
            Box::new(move |c, _| {
                crm_db::opportunities::list(c, &who, &q)?;
                Ok(())
            })
        },
    };
    let deal_lists = [
        deal_list("s1_a", "opportunity list, salesperson", seller.clone()),
        deal_list("s1_mgr", "opportunity list, manager", manager.clone()),
        deal_list("gm", "opportunity list, general manager", everyone.clone()),
    ];

    // Expenses: a salesperson's own list, a manager's approval queue, and the general manager's
    // analysis by department for this year (whole months from the summary, the rest of this
    // month from the expenses).
    let expense_list = |user: &'static str,
                        name: &'static str,
                        who: Arc<Actor>,
                        path: &'static str,
                        q: ExpenseQuery| Scenario {
        name,
        user,
        request: Arc::new(move |_| (reqwest::Method::GET, path.into(), None)),
        direct: Box::new(move |c, _| {
            crm_db::expenses::list(c, &who, &q)?;
            Ok(())
        }),
    };
    let page = |approvable: Option<bool>| ExpenseQuery {
        approvable,
        limit: Some(50),
        ..ExpenseQuery::default()
    };
    // The service desk's queue: every open ticket it sees (scope all), last changed first.
    let service_desk = Arc::new(Actor::new(0, Vec::new(), crm_db::Visible::All));
    let ticket_queue = Scenario {
        name: "ticket queue, service desk",
        user: "cs_a",
        request: Arc::new(move |_| {
            (
                reqwest::Method::GET,
                "/tickets?limit=50&status=open".into(),
                None,
            )
        }),
        direct: Box::new(move |c, _| {
            let q = TicketQuery {
                status: Some(crm_domain::ticket::TicketStatus::Open),
                limit: Some(50),
                ..TicketQuery::default()
            };
            crm_db::tickets::list(c, &service_desk, &q)?;
            Ok(())
        }),
    };
    let expense_scenarios = [
        expense_list(
            "s1_a",
            "my expenses, salesperson",
            seller.clone(),
            "/expenses?limit=50",
            page(None),
        ),
        expense_list(
            "s1_mgr",
            "expense approval queue, manager",
            manager.clone(),
            "/expenses?limit=50&approvable=true",
            page(Some(true)),
        ),
        Scenario {
            name: "expense analysis by department, general manager",
            user: "gm",
            request: Arc::new(move |_| {
                (
                    reqwest::Method::GET,
                    "/reports/expenses?group_by=department".into(),
                    None,
                )
            }),
            direct: {
                let v = everyone.clone();
                let q = ExpenseReportQuery {
                    group_by: Some(ExpenseGroup::Department),
                    ..ExpenseReportQuery::default()
                };
                Box::new(move |c, _| {
                    crm_db::expenses::report(c, &v, &q)?;
                    Ok(())
                })
            },
        },
    ];

    // Decision support: the report engine over the last twelve months, by month × department for
    // the general manager (each fact reads whole months from its summary and the rest from the
    // rows or a summary per day; see the bench report for what each reads), by month × product
    // for sales and renewals (the summaries per product), a salesperson's own sales by month, the
    // scorecards, and the dashboard.
    let today = crm_db::settings::today(&mut conn)?;
    let year_ago = today - chrono::Days::new(364);
    let report = |user: &'static str,
                  name: &'static str,
                  who: Arc<Actor>,
                  fact: Fact,
                  path: &'static str,
                  group_by: &'static str| {
        let q = ReportQuery {
            from: Some(year_ago),
            to: Some(today),
            group_by: group_by.parse().ok(),
            ..ReportQuery::default()
        };
        let url = format!("/reports/{path}?from={year_ago}&to={today}&group_by={group_by}");
        Scenario {
            name,
            user,
            request: Arc::new(move |_| (reqwest::Method::GET, url.clone(), None)),
            direct: Box::new(move |c, _| {
                crm_db::reports::run(c, &who, fact, &q, crm_domain::Lang::Zh)?;
                Ok(())
            }),
        }
    };
    // The staff scorecard of this month to date, for one caller.
    let scorecard = |user: &'static str, name: &'static str, who: Arc<Actor>| Scenario {
        name,
        user,
        request: Arc::new(|_| (reqwest::Method::GET, "/reports/scorecard".into(), None)),
        direct: Box::new(move |c, _| {
            let q = ScorecardQuery::default();
            crm_db::reports::scorecard(c, &who, &q, crm_domain::Lang::Zh)?;
            Ok(())
        }),
    };
    // The renewal report (service periods ending, and renewed) for the general manager.
    let renewals = |name: &'static str, group_by: &'static str| {
        let v = everyone.clone();
        let q = ReportQuery {
            from: Some(year_ago),
            to: Some(today),
            group_by: group_by.parse().ok(),
            ..ReportQuery::default()
        };
        let url = format!("/reports/renewals?from={year_ago}&to={today}&group_by={group_by}");
        Scenario {
            name,
            user: "gm",
            request: Arc::new(move |_| (reqwest::Method::GET, url.clone(), None)),
            direct: Box::new(move |c, _| {
                crm_db::reports::renewals(c, &v, &q, crm_domain::Lang::Zh)?;
                Ok(())
            }),
        }
    };
    let report_scenarios = [
        report(
            "gm",
            "sales report, a year by month × department, general manager",
            everyone.clone(),
            Fact::Sales,
            "sales",
            "month,department",
        ),
        report(
            "gm",
            "receipts report, a year by month × department, general manager",
            everyone.clone(),
            Fact::Receipts,
            "receipts",
            "month,department",
        ),
        report(
            "gm",
            "new customers report, a year by month × department, general manager",
            everyone.clone(),
            Fact::NewCustomers,
            "customers",
            "month,department",
        ),
        report(
            "s1_a",
            "sales report, a year by month, salesperson",
            seller.clone(),
            Fact::Sales,
            "sales",
            "month",
        ),
        renewals(
            "renewals report, a year by month × department, general manager",
            "month,department",
        ),
        report(
            "gm",
            "products: sales report, a year by month × product, general manager",
            everyone.clone(),
            Fact::Sales,
            "sales",
            "month,product",
        ),
        renewals(
            "products: renewals report, a year by month × product, general manager",
            "month,product",
        ),
        report(
            "gm",
            "new customers report, a year by level (the funnel), general manager",
            everyone.clone(),
            Fact::NewCustomers,
            "customers",
            "level",
        ),
        scorecard(
            "gm",
            "staff scorecard, a month, general manager",
            everyone.clone(),
        ),
        scorecard(
            "s1_a",
            "staff scorecard, a month, salesperson",
            seller.clone(),
        ),
        Scenario {
            name: "dashboard, general manager",
            user: "gm",
            request: Arc::new(|_| (reqwest::Method::GET, "/reports/dashboard".into(), None)),
            direct: {
                let v = everyone.clone();
                Box::new(move |c, _| {
                    crm_db::reports::dashboard(c, &v, crm_domain::Lang::Zh)?;
                    Ok(())
                })
            },
        },
        // The deal and service analyses: their own queries beside the engine, over the year.
        Scenario {
            name: "deals report (pipeline, won and lost), a year, general manager",
            user: "gm",
            request: Arc::new(move |_| {
                let url = format!("/reports/opportunities?from={year_ago}&to={today}");
                (reqwest::Method::GET, url, None)
            }),
            direct: {
                let v = everyone.clone();
                let q = OpportunityReportQuery {
                    from: Some(year_ago),
                    to: Some(today),
                    ..OpportunityReportQuery::default()
                };
                Box::new(move |c, _| {
                    crm_db::reports::opportunities(c, &v, &q)?;
                    Ok(())
                })
            },
        },
        Scenario {
            name: "service report, a year by month, general manager",
            user: "gm",
            request: Arc::new(move |_| {
                let url = format!("/reports/service?from={year_ago}&to={today}&group_by=month");
                (reqwest::Method::GET, url, None)
            }),
            direct: {
                let v = everyone.clone();
                let q = ServiceReportQuery {
                    from: Some(year_ago),
                    to: Some(today),
                    group_by: Some(ServiceGroup::Month),
                };
                Box::new(move |c, _| {
                    crm_db::tickets::report(c, &v, &q)?;
                    Ok(())
                })
            },
        },
    ];

    let list_filter =
        |level: Option<CustomerLevel>, sort: CustomerSortKey, q: Option<&str>| CustomerQuery {
            level,
            sort: Some(Sort {
                key: sort,
                descending: sort != CustomerSortKey::LastContact,
            }),
            q: q.map(str::to_string),
            limit: Some(50),
            ..CustomerQuery::default()
        };
    let get = |path: String| (reqwest::Method::GET, path, None);
    let scenarios: Vec<Scenario> = vec![
        Scenario {
            name: "customer list, salesperson",
            user: "s1_a",
            request: Arc::new(move |_| get("/customers?limit=50".into())),
            direct: {
                let (v, f) = (
                    seller.clone(),
                    list_filter(None, CustomerSortKey::Updated, None),
                );
                Box::new(move |c, _| {
                    crm_db::customers::list(c, &v, &f)?;
                    Ok(())
                })
            },
        },
        Scenario {
            name: "customer list, manager, level + last contact",
            user: "s1_mgr",
            request: Arc::new(move |_| {
                get("/customers?limit=50&level=contacted&sort=last_contact".into())
            }),
            direct: {
                let v = manager.clone();
                let f = list_filter(
                    Some(CustomerLevel::Contacted),
                    CustomerSortKey::LastContact,
                    None,
                );
                Box::new(move |c, _| {
                    crm_db::customers::list(c, &v, &f)?;
                    Ok(())
                })
            },
        },
        Scenario {
            name: "customer list, 2-character Chinese q",
            user: "s1_mgr",
            request: Arc::new(move |_| get("/customers?limit=50&q=%E7%91%9E%E4%B8%B0".into())),
            direct: {
                let v = manager.clone();
                let f = list_filter(None, CustomerSortKey::Updated, Some("瑞丰"));
                Box::new(move |c, _| {
                    crm_db::customers::list(c, &v, &f)?;
                    Ok(())
                })
            },
        },
        Scenario {
            name: "customer list, 2-character Chinese q, general manager",
            user: "gm",
            request: Arc::new(move |k| get(format!("/customers?limit=50&q={}", pct(wide_word(k))))),
            direct: {
                let v = everyone.clone();
                Box::new(move |c, k| {
                    let f = list_filter(None, CustomerSortKey::Updated, Some(wide_word(k)));
                    crm_db::customers::list(c, &v, &f)?;
                    Ok(())
                })
            },
        },
        Scenario {
            name: "customer list, phone number q, general manager",
            user: "gm",
            request: Arc::new(move |k| get(format!("/customers?limit=50&q={}", phone_query(k)))),
            direct: {
                let v = everyone.clone();
                Box::new(move |c, k| {
                    let f = list_filter(None, CustomerSortKey::Updated, Some(&phone_query(k)));
                    crm_db::customers::list(c, &v, &f)?;
                    Ok(())
                })
            },
        },
        Scenario {
            name: "customer list, general manager, first 200",
            user: "gm",
            request: Arc::new(move |_| get("/customers?limit=200".into())),
            direct: {
                let (v, q) = (everyone.clone(), first_page.clone());
                Box::new(move |c, _| {
                    crm_db::customers::list(c, &v, &q)?;
                    Ok(())
                })
            },
        },
        Scenario {
            name: "customer list, general manager, 200 at 90% deep",
            user: "gm",
            request: Arc::new(move |_| get(format!("/customers?limit=200&cursor={deep}"))),
            direct: {
                let (v, q) = (everyone.clone(), deep_page.clone());
                Box::new(move |c, _| {
                    crm_db::customers::list(c, &v, &q)?;
                    Ok(())
                })
            },
        },
        Scenario {
            name: "check-duplicate",
            user: "s1_a",
            request: {
                let names = names.clone();
                Arc::new(move |k| {
                    let name = &names[k as usize % names.len()];
                    let encoded: String = name.bytes().map(|b| format!("%{b:02X}")).collect();
                    get(format!("/customers/check-duplicate?name={encoded}"))
                })
            },
            direct: {
                let (v, names) = (seller.clone(), names.clone());
                Box::new(move |c, k| {
                    let q = DuplicateQuery {
                        name: Some(names[k as usize % names.len()].clone()),
                        ..DuplicateQuery::default()
                    };
                    crm_db::customers::check_duplicates(c, &v, &q)?;
                    Ok(())
                })
            },
        },
        Scenario {
            name: "one customer",
            user: "gm",
            request: Arc::new(move |k| get(format!("/customers/{}", 1 + k * 7919 % n))),
            direct: {
                let v = everyone.clone();
                Box::new(move |c, k| {
                    crm_db::customers::get(c, &v, (1 + k * 7919 % n) as i64)?;
                    Ok(())
                })
            },
        },
        Scenario {
            name: "log an activity",
            user: "s1_a",
            request: {
                let ids = own_ids.clone();
                Arc::new(move |k| {
                    (
                        reqwest::Method::POST,
                        "/activities".into(),
                        Some(
                            json!({"customer_id": ids[k as usize % ids.len()], "type_id": activity_type,
                                    "occurred_at": chrono::Utc::now(), "summary": "电话回访（压测）"}),
                        ),
                    )
                })
            },
            direct: {
                let (v, ids) = (seller.clone(), own_ids.clone());
                Box::new(move |c, k| {
                    let new = crm_domain::api::NewActivity {
                        opportunity_id: None,
                        customer_id: ids[k as usize % ids.len()],
                        contact_id: None,
                        type_id: activity_type,
                        occurred_at: chrono::Utc::now(),
                        summary: "电话回访（直连）".into(),
                        outcome: None,
                        next_step_on: None,
                        next_step_note: None,
                    };
                    crm_db::activities::create(c, &v, &new)?;
                    Ok(())
                })
            },
        },
        Scenario {
            name: "receivables, manager",
            user: "s1_mgr",
            request: Arc::new(move |_| get("/receivables?limit=50".into())),
            direct: {
                let v = manager.clone();
                Box::new(move |c, _| {
                    let q = ReceivableQuery {
                        limit: Some(50),
                        ..ReceivableQuery::default()
                    };
                    crm_db::receivables::list(c, &v, &q)?;
                    Ok(())
                })
            },
        },
        Scenario {
            name: "aging report, general manager",
            user: "gm",
            request: Arc::new(move |_| get("/reports/receivables-aging?group_by=owner".into())),
            direct: {
                let v = everyone.clone();
                Box::new(move |c, _| {
                    let q = AgingQuery {
                        group_by: Some(AgingGroup::Owner),
                    };
                    crm_db::receivables::aging(c, &v, &q)?;
                    Ok(())
                })
            },
        },
        Scenario {
            name: "pipeline, general manager",
            user: "gm",
            request: Arc::new(move |_| get("/customers/pipeline".into())),
            direct: {
                let v = everyone.clone();
                Box::new(move |c, _| {
                    crm_db::customers::pipeline(c, &v, &CustomerFilters::default())?;
                    Ok(())
                })
            },
        },
    ];
    // Knowledge: a salesperson searching articles and searching everything, two Chinese characters
    // at a time — a case company's name (a few articles hold it: the index's candidates) or a
    // topic (thousands do: the list's own order, checked row by row).
    let knowledge_search = Scenario {
        name: "knowledge search, two Chinese characters",
        user: "s1_a",
        request: Arc::new(move |k| get(format!("/articles?limit=30&q={}", pct(search_word(k))))),
        direct: {
            let who = seller.clone();
            Box::new(move |c, k| {
                let q = ArticleQuery {
                    q: Some(search_word(k).into()),
                    limit: Some(30),
                    ..ArticleQuery::default()
                };
                crm_db::articles::list(c, &who, &q)?;
                Ok(())
            })
        },
    };
    let global_search = Scenario {
        name: "global search, salesperson",
        user: "s1_a",
        request: Arc::new(move |k| get(format!("/search?q={}", pct(search_word(k))))),
        direct: {
            let who = seller.clone();
            Box::new(move |c, k| {
                let q = SearchQuery {
                    q: search_word(k).into(),
                    per_kind: Some(5),
                };
                crm_db::global_search::search(c, &who, &q)?;
                Ok(())
            })
        },
    };
    let scenarios = scenarios
        .into_iter()
        .chain([manager_pipeline, manager_column, gm_pipeline, gm_column])
        .chain(deal_lists)
        .chain(expense_scenarios)
        .chain(report_scenarios)
        .chain([ticket_queue, knowledge_search, global_search])
        .filter(|s| args.only.is_empty() || args.only.iter().any(|o| s.name.contains(o.as_str())));

    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.clients * 2)
        // A request slower than this counts as an error (the report says how many).
        .timeout(Duration::from_secs(20))
        .build()?;
    let base = Arc::new(args.base.clone());
    if let Some(seconds) = args.soak {
        let mix = scenarios.map(|s| (s.name, s.user, s.request)).collect();
        return soak::run(
            &args,
            client,
            base,
            mix,
            Duration::from_secs(seconds),
            &volumes,
        )
        .await;
    }
    let mut outcomes = Vec::new();
    for scenario in scenarios {
        let token = Arc::new(login(&client, &base, scenario.user).await?);
        // Direct: the repository call on one connection, one at a time.
        let mut direct = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)?;
        let started = Instant::now();
        let mut k = 0;
        while started.elapsed() < Duration::from_secs(args.seconds.min(5)) && k < 2000 {
            let t = Instant::now();
            (scenario.direct)(&mut conn, k)?;
            direct.record(t.elapsed().as_micros().max(1) as u64)?;
            k += 1;
        }
        // One client: the API's own cost next to the direct time.
        let (single, _, _, _) = drive(
            client.clone(),
            base.clone(),
            token.clone(),
            scenario.request.clone(),
            1,
            Duration::from_secs(args.seconds.min(5)),
        )
        .await?;
        let (hist, requests, errors, took) = drive(
            client.clone(),
            base.clone(),
            token,
            scenario.request.clone(),
            args.clients,
            Duration::from_secs(args.seconds),
        )
        .await?;
        let outcome = Outcome {
            name: scenario.name,
            requests,
            errors,
            rps: requests as f64 / took.as_secs_f64(),
            p50: hist.value_at_quantile(0.50),
            p95: hist.value_at_quantile(0.95),
            p99: hist.value_at_quantile(0.99),
            single_p50: single.value_at_quantile(0.50),
            direct_p50: direct.value_at_quantile(0.50),
        };
        println!(
            "{:<48} {:>8.0} req/s  p50 {:>7} ms  p95 {:>7} ms  p99 {:>7} ms  1 client {:>6} ms  direct {:>6} ms  errors {}",
            outcome.name,
            outcome.rps,
            ms(outcome.p50),
            ms(outcome.p95),
            ms(outcome.p99),
            ms(outcome.single_p50),
            ms(outcome.direct_p50),
            outcome.errors
        );
        outcomes.push(outcome);
    }
    let exported = if args.only.is_empty() || args.only.iter().any(|o| EXPORTS.contains(o.as_str()))
    {
        exports(&base, args.pid).await?
    } else {
        Vec::new()
    };
    let memory = peak_memory_mb(args.pid);

    let mut md = String::new();
    md.push_str(&format!("## {}\n\n", args.label));
    md.push_str(&format!("- machine: {}\n", machine()));
    md.push_str(&format!("- volumes: {volumes}\n"));
    md.push_str(&format!(
        "- load: {} concurrent clients for {} s per scenario, server and load on the same machine\n",
        args.clients, args.seconds
    ));
    md.push_str(&format!(
        "- server peak memory (VmHWM) after the run: {}\n\n",
        memory.map_or_else(|| "unknown".into(), |m| format!("{m:.0} MB"))
    ));
    if !outcomes.is_empty() {
        md.push_str("| scenario | requests | req/s | p50 ms | p95 ms | p99 ms | errors | 1 client p50 ms | direct SQL p50 ms | API / SQL |\n");
        md.push_str("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for o in &outcomes {
            md.push_str(&format!(
                "| {} | {} | {:.0} | {} | {} | {} | {} | {} | {} | {:.1} |\n",
                o.name,
                o.requests,
                o.rps,
                ms(o.p50),
                ms(o.p95),
                ms(o.p99),
                o.errors,
                ms(o.single_p50),
                ms(o.direct_p50),
                o.single_p50 as f64 / o.direct_p50.max(1) as f64
            ));
        }
    }
    md.push('\n');
    if !exported.is_empty() {
        md.push_str(&format!("{EXPORTS} (one download at a time):\n\n"));
        md.push_str("| format | size MB | seconds | first byte after s | rows/s | server memory before MB | peak during MB |\n");
        md.push_str("| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for x in &exported {
            md.push_str(&format!(
                "| {} | {:.1} | {:.1} | {:.1} | {:.0} | {:.0} | {:.0} |\n",
                x.format,
                x.bytes as f64 / 1e6,
                x.seconds,
                x.first_byte,
                x.rows as f64 / x.seconds.max(0.001),
                x.before_mb,
                x.peak_mb
            ));
        }
        md.push('\n');
    }
    append(&args.out, &md)
}
