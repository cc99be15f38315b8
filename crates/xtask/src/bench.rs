//! `cargo xtask bench`: the load benchmark. Builds the release server and `crm-bench`, generates the
//! databases (`crm generate`, cached for SQLite under target/bench), starts the server on each and
//! lets `crm-bench` drive it; the results land in one Markdown report.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::Args;

use crate::pg::PgCluster;
use crate::util::{self, run};

#[derive(Args)]
pub struct BenchArgs {
    /// Customer counts to run at, comma-separated.
    #[arg(long, default_value = "10000", value_delimiter = ',')]
    sizes: Vec<usize>,
    /// `sqlite`, `postgres` or `both`.
    #[arg(long, default_value = "both")]
    db: String,
    /// Seconds per scenario.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Concurrent clients.
    #[arg(long, default_value_t = 16)]
    clients: usize,
    /// The report (Markdown); default docs/bench/bench-<sizes>.md
    #[arg(long)]
    out: Option<PathBuf>,
    /// Only the smoke run that `cargo xtask test` makes (debug builds, 300 customers, SQLite).
    #[arg(long)]
    smoke: bool,
    /// The soak test instead: every scenario mixed, `--clients` at once for this many seconds,
    /// reported per minute with the server's memory; fails on any error or memory growth.
    #[arg(long, value_name = "SECONDS")]
    soak: Option<u64>,
    /// What to run on each database: `scenarios` (the load), `imports` (files of 50 000
    /// customers, contacts and order lines, on a scratch copy of the database), or both.
    #[arg(long, default_value = "scenarios,imports", value_delimiter = ',')]
    phases: Vec<String>,
}

struct Server {
    child: std::process::Child,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_server(binary: &Path, database_url: &str, log: &Path) -> Result<(Server, String)> {
    let port = util::free_port()?;
    let log = std::fs::File::create(log)?;
    let child = Command::new(binary)
        .current_dir(util::workspace_root())
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .args(["--database-url", database_url])
        .env("CRM_SCHEDULER_INTERVAL", "0")
        .env("CRM_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log)
        .spawn()
        .context("starting the server")?;
    let server = Server { child };
    let base = format!("http://127.0.0.1:{port}");
    let agent = util::http_agent(Duration::from_secs(2));
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(120) {
        if agent
            .get(format!("{base}/api/v1/health"))
            .call()
            .is_ok_and(|r| r.status() == 200)
        {
            return Ok((server, base));
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    bail!("the server did not become healthy")
}

fn label(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push('\u{202f}');
        }
        out.push(c);
    }
    out
}

pub fn bench(args: &BenchArgs) -> Result<()> {
    if args.smoke {
        return smoke();
    }
    let backends: Vec<&str> = match args.db.as_str() {
        "sqlite" => vec!["sqlite"],
        "postgres" => vec!["postgres"],
        "both" => vec!["sqlite", "postgres"],
        other => bail!("--db is sqlite, postgres or both, not {other}"),
    };
    run(util::cargo().args(["build", "--release", "-p", "crm-api", "--bin", "crm"]))?;
    run(util::cargo().args(["build", "--release", "-p", "crm-bench"]))?;
    let release = util::target_dir().join("release");
    let crm = release.join("crm");
    let driver = release.join("crm-bench");
    let work = util::target_dir().join("bench");
    std::fs::create_dir_all(&work)?;
    let sizes = args
        .sizes
        .iter()
        .map(|s| s.to_string())
        .collect::<Vec<_>>()
        .join("-");
    let out = args.out.clone().unwrap_or_else(|| {
        let kind = if args.soak.is_some() { "soak" } else { "bench" };
        util::workspace_root()
            .join("docs")
            .join("bench")
            .join(format!("{kind}-{}-{sizes}.md", args.db))
    });
    if let Some(dir) = out.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let (db, clients, seconds) = (&args.db, args.clients, args.seconds);
    let sizes_arg = args
        .sizes
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let phases = args.phases.join(",");
    let intro = match args.soak {
        Some(soak) => format!(
            "# Soak test\n\nMade by `cargo xtask bench --soak {soak} --sizes {sizes_arg} --db {db} --clients {clients}`: \
             `crm generate` (seed 42) fills each database, the release server runs on it with the scheduler \
             off, and `crm-bench` sends {clients} clients' requests for {soak} s, each the next of every benchmark \
             scenario in turn; per minute the latencies (HDR histograms), the errors and the server's resident \
             memory. It fails on any error, on memory growing more than 25 % after the first minute, or on the \
             p99 drifting more than threefold.\n\n"
        ),
        None => format!(
            "# Load benchmark\n\nMade by `cargo xtask bench --sizes {sizes_arg} --db {db} --seconds {seconds} --clients {clients} --phases {phases}`: \
             `crm generate` (seed 42) fills each database, the release server runs on it with the \
             scheduler off, and `crm-bench` drives each scenario with {clients} concurrent clients for {seconds} s \
             (latencies in HDR histograms), then once more with one client; \"direct SQL\" is the same \
             repository call run straight against the database on one connection, so \"API / SQL\" is \
             the API's own overhead. Then, on a scratch copy of the database, a sales manager imports \
             files of 50 000 customers, a contact for each and orders of two lines for half of them \
             (`crm-bench --imports`): a dry run, then the real run polled to its end.\n\n"
        ),
    };
    std::fs::write(&out, intro)?;
    let phase = |name: &str| args.phases.iter().any(|p| p == name);
    for p in &args.phases {
        if p != "scenarios" && p != "imports" {
            bail!("--phases takes scenarios and imports, not {p}");
        }
    }
    let cluster = if backends.contains(&"postgres") {
        Some(PgCluster::start()?)
    } else {
        None
    };
    for backend in &backends {
        for &size in &args.sizes {
            let url = match (*backend, &cluster) {
                ("postgres", Some(pg)) => {
                    let url = pg.create_database(&format!("crm_bench_{size}"))?;
                    generate(&crm, &url, size)?;
                    url
                }
                _ => {
                    // Named after the newest migration: a database of an older schema (or an older
                    // generator, which changes with the schema) is made again.
                    let file = work.join(format!("sqlite-{size}-seed42-{}.db", schema_tag()?));
                    let url = format!("sqlite://{}", file.display());
                    if !file.exists() {
                        let partial = work.join(format!("sqlite-{size}-partial.db"));
                        let _ = std::fs::remove_file(&partial);
                        generate(&crm, &format!("sqlite://{}", partial.display()), size)?;
                        std::fs::rename(&partial, &file)?;
                    }
                    url
                }
            };
            let name = if *backend == "postgres" {
                "PostgreSQL"
            } else {
                "SQLite"
            };
            println!("==> {name}, {} customers", label(size));
            let heading = format!("{name}, {} customers", label(size));
            if phase("scenarios") || args.soak.is_some() {
                let (server, base) = start_server(&crm, &url, &work.join("server.log"))?;
                run(Command::new(&driver)
                    .args(["--base", &base, "--database-url", &url])
                    .args(["--pid", &server.child.id().to_string()])
                    .args(["--clients", &args.clients.to_string()])
                    .args(["--seconds", &args.seconds.to_string()])
                    .args(args.soak.map(|s| format!("--soak={s}")))
                    .arg("--out")
                    .arg(&out)
                    .args(["--label", &heading]))?;
                drop(server);
            }
            if phase("imports") && args.soak.is_none() {
                // Imports write: SQLite's cached database is copied first and the copy dropped
                // after; PostgreSQL's lives in this run's cluster anyway.
                let scratch = work.join(format!("sqlite-{size}-imports.db"));
                let url = if *backend == "postgres" {
                    url.clone()
                } else {
                    let file = url.trim_start_matches("sqlite://");
                    // The server was killed: what it wrote may still be in the write-ahead log.
                    for suffix in ["", "-wal"] {
                        let from = format!("{file}{suffix}");
                        let to = format!("{}{suffix}", scratch.display());
                        let _ = std::fs::remove_file(&to);
                        if suffix.is_empty() || Path::new(&from).exists() {
                            std::fs::copy(&from, &to)
                                .with_context(|| format!("copying {from} for the imports"))?;
                        }
                    }
                    format!("sqlite://{}", scratch.display())
                };
                let (server, base) = start_server(&crm, &url, &work.join("server.log"))?;
                let imported = run(Command::new(&driver)
                    .args(["--base", &base, "--database-url", &url])
                    .args(["--pid", &server.child.id().to_string()])
                    .arg("--imports")
                    .arg("--out")
                    .arg(&out)
                    .args(["--label", &heading]));
                drop(server);
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", scratch.display()));
                }
                imported?;
            }
        }
    }
    println!("==> report: {}", out.display());
    Ok(())
}

/// A small run of the whole benchmark as a test: debug builds, 300 customers on SQLite, two
/// clients for a second per scenario. It fails when the generator, the server or a scenario fails
/// (any request with an error status), not on speed.
pub fn smoke() -> Result<()> {
    // Two builds: `--bin crm` would leave out `crm-bench` if both packages were named at once.
    run(util::cargo().args(["build", "-p", "crm-api", "--bin", "crm"]))?;
    run(util::cargo().args(["build", "-p", "crm-bench"]))?;
    let debug = util::target_dir().join("debug");
    let work = util::target_dir().join("bench-smoke");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work)?;
    let url = format!("sqlite://{}", work.join("smoke.db").display());
    generate(&debug.join("crm"), &url, 300)?;
    let (server, base) = start_server(&debug.join("crm"), &url, &work.join("server.log"))?;
    let out = work.join("smoke.md");
    run(Command::new(debug.join("crm-bench"))
        .args(["--base", &base, "--database-url", &url])
        .args(["--pid", &server.child.id().to_string()])
        .args(["--clients", "2", "--seconds", "1", "--label", "smoke"])
        .arg("--out")
        .arg(&out))?;
    // The imports, small: every file must import whole.
    run(Command::new(debug.join("crm-bench"))
        .args(["--base", &base, "--database-url", &url])
        .args(["--pid", &server.child.id().to_string()])
        .args([
            "--imports",
            "--import-rows",
            "200",
            "--label",
            "imports smoke",
        ])
        .arg("--out")
        .arg(work.join("imports.md")))?;
    // And the soak's mix, briefly: no request of any scenario may fail.
    run(Command::new(debug.join("crm-bench"))
        .args(["--base", &base, "--database-url", &url])
        .args(["--pid", &server.child.id().to_string()])
        .args(["--clients", "4", "--soak", "5", "--label", "soak smoke"])
        .arg("--out")
        .arg(work.join("soak.md")))?;
    drop(server);
    let report = std::fs::read_to_string(&out)?;
    // The rows of the scenarios' table (the exports' table follows it, after a blank line).
    let mut in_table = false;
    let mut rows: Vec<&str> = Vec::new();
    let mut exports: Vec<&str> = Vec::new();
    for line in report.lines() {
        if line.starts_with("| scenario") {
            in_table = true;
        } else if !line.starts_with('|') {
            in_table = false;
        } else if in_table && !line.starts_with("| ---") {
            rows.push(line);
        } else if line.starts_with("| csv |") || line.starts_with("| xlsx |") {
            exports.push(line);
        }
    }
    // | format | size MB | seconds | first byte | rows/s | ...: both formats, every customer.
    for format in ["csv", "xlsx"] {
        let row = exports
            .iter()
            .find(|l| l.starts_with(&format!("| {format} |")))
            .ok_or_else(|| anyhow::anyhow!("the smoke run exported no {format}:\n{report}"))?;
        let rows_per_second = row.split('|').map(str::trim).nth(5).unwrap_or("0");
        if rows_per_second == "0" {
            bail!("the {format} export of the smoke run held no rows: {row}");
        }
    }
    if rows.len() < 10 {
        bail!("the smoke report has {} scenarios:\n{report}", rows.len());
    }
    for row in rows {
        // | scenario | requests | req/s | p50 | p95 | p99 | errors | ...
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        let (requests, errors) = (cells.get(2), cells.get(7));
        if requests.is_none_or(|r| *r == "0") || errors != Some(&"0") {
            bail!("a scenario failed in the smoke run: {row}");
        }
    }
    println!("    {}", out.display());
    Ok(())
}

fn generate(crm: &Path, url: &str, size: usize) -> Result<()> {
    run(Command::new(crm).current_dir(util::workspace_root()).args([
        "generate",
        "--customers",
        &size.to_string(),
        "--database-url",
        url,
    ]))
}

/// The name of the newest SQLite migration (`2026-11-27-000009_search` → `000009_search`).
fn schema_tag() -> Result<String> {
    let dir = util::workspace_root().join("migrations/sqlite");
    let newest = std::fs::read_dir(&dir)?
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().to_string()))
        .max()
        .ok_or_else(|| anyhow::anyhow!("no migrations in {}", dir.display()))?;
    Ok(newest.rsplit('-').next().unwrap_or(&newest).to_string())
}
