//! Project automation for the CRM workspace.
//!
//! ```text
//! cargo xtask run [-- ARGS]   build the web app and the server (release), run `crm serve --demo ARGS`
//! cargo xtask web             set up the wasm toolchain and build the web app into frontend/dist
//! cargo xtask test            fmt, clippy, web app, PostgreSQL, cargo test, bench and crash smoke runs,
//!                             schemathesis, browser tests
//! cargo xtask pg              throwaway PostgreSQL for running `cargo test` by hand
//! cargo xtask bench           the load benchmark (docs/bench)
//! cargo xtask crash           the crash test: SIGKILL under writes, PostgreSQL restarted under load
//! ```

mod bench;
mod crash;
mod e2e;
mod pg;
mod schemathesis;
mod util;
mod web;

use std::process::{Command, ExitCode};

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};

use crate::pg::PgCluster;
use crate::util::{Steps, fmt_duration, run};

/// Environment variable through which tests receive the PostgreSQL URL.
const PG_URL_VAR: &str = "CRM_TEST_POSTGRES_URL";

#[derive(Parser)]
#[command(
    name = "cargo xtask",
    bin_name = "cargo xtask",
    about = "CRM project automation",
    version
)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Build the release server and run `crm serve --demo` (extra args are
    /// passed on, e.g. `cargo xtask run -- --bind 127.0.0.1:9000`).
    Run {
        /// Extra arguments for `crm serve`.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Run every check: fmt, clippy, cargo test (SQLite + PostgreSQL), schemathesis.
    Test(TestArgs),
    /// Start a throwaway PostgreSQL cluster and wait for Ctrl-C.
    Pg,
    /// Set up the wasm toolchain (when absent) and build the web app into frontend/dist.
    Web,
    /// The load benchmark: generate databases, start the release server, drive it, write a report.
    Bench(bench::BenchArgs),
    /// The crash test: SIGKILL the server under concurrent writes, N rounds per database, and
    /// restart PostgreSQL under load; checks that every answered write survived.
    Crash(crash::CrashArgs),
}

#[derive(Args)]
struct TestArgs {
    /// Skip `cargo fmt --check` and `cargo clippy`.
    #[arg(long)]
    no_lint: bool,
    /// Skip the Schemathesis run against the real server.
    #[arg(long)]
    no_schemathesis: bool,
    /// Skip building the web app and the browser tests.
    #[arg(long)]
    no_web: bool,
    /// Schemathesis: maximum test cases per API operation.
    #[arg(long, default_value_t = 30, value_name = "N")]
    st_max_examples: u32,
    /// Schemathesis: random seed (fixed for reproducible runs).
    #[arg(long, default_value_t = 20_240_601, value_name = "SEED")]
    st_seed: u64,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Cmd::Run { args } => cmd_run(&args),
        Cmd::Test(args) => cmd_test(&args),
        Cmd::Pg => cmd_pg(),
        Cmd::Web => Steps::new().step("web app", web::build),
        Cmd::Bench(args) => bench::bench(&args),
        Cmd::Crash(args) => crash::crash(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // Not `{err:?}`: that adds a backtrace when RUST_BACKTRACE is set.
            eprintln!("error: {err}");
            for cause in err.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::FAILURE
        }
    }
}

fn cmd_run(args: &[String]) -> Result<()> {
    let mut steps = Steps::new();
    steps.step("build the web app", web::build)?;
    steps.step("build the release server", || {
        run(util::cargo().args(["build", "--release", "-p", "crm-api", "--bin", "crm"]))
    })?;

    let binary = util::target_dir().join("release").join("crm");
    let mut cmd = Command::new(&binary);
    cmd.current_dir(util::workspace_root())
        .args(["serve", "--demo"])
        .args(args);
    println!(
        "==> start the server (built in {})\n    $ {}",
        fmt_duration(steps.elapsed()),
        util::display_cmd(&cmd)
    );
    util::flush();

    // Replace this process with the server: signals and the exit code are
    // the server's own.
    use std::os::unix::process::CommandExt;
    let err = cmd.exec();
    Err(err).with_context(|| format!("could not run {}", binary.display()))
}

fn cmd_test(args: &TestArgs) -> Result<()> {
    util::install_interrupt_handler(|| {})?;
    let mut steps = Steps::new();
    let result = test_steps(&mut steps, args);
    match &result {
        Ok(()) => println!(
            "==> all steps passed: {} (total {})",
            steps.summary(),
            fmt_duration(steps.elapsed())
        ),
        Err(_) => println!(
            "==> FAILED after {}; completed before the failure: {}",
            fmt_duration(steps.elapsed()),
            if steps.summary().is_empty() {
                "none".into()
            } else {
                steps.summary()
            }
        ),
    }
    result
}

fn test_steps(steps: &mut Steps, args: &TestArgs) -> Result<()> {
    if args.no_lint {
        steps.skip("fmt", "--no-lint");
        steps.skip("clippy", "--no-lint");
    } else {
        steps.step("fmt", || {
            run(util::cargo().args(["fmt", "--all", "--", "--check"]))
        })?;
        steps.step("clippy", || {
            run(util::cargo().args([
                "clippy",
                "--workspace",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ]))
        })?;
    }

    if args.no_web {
        steps.skip("web app", "--no-web");
    } else {
        steps.step("web app", web::build)?;
    }

    // Keep the cluster (if we started one) alive until the tests are done.
    let (cluster, url) = steps.step("postgres", || match std::env::var(PG_URL_VAR) {
        Ok(url) if !url.is_empty() => {
            println!("    using {PG_URL_VAR} from the environment");
            Ok((None, url))
        }
        _ => {
            let cluster = PgCluster::start()?;
            let url = cluster.url();
            Ok((Some(cluster), url))
        }
    })?;
    steps.step("cargo test", || {
        println!("    {PG_URL_VAR}={url}");
        run(util::cargo()
            .args(["test", "--workspace"])
            .env(PG_URL_VAR, &url))
    })?;
    drop(cluster);
    steps.step("bench smoke", bench::smoke)?;
    steps.step("crash smoke", crash::smoke)?;

    if args.no_schemathesis {
        steps.skip("schemathesis", "--no-schemathesis");
    } else {
        let opts = schemathesis::Options {
            max_examples: args.st_max_examples,
            seed: args.st_seed,
        };
        steps.step("schemathesis", || schemathesis::run_schemathesis(&opts))?;
    }
    if args.no_web {
        steps.skip("browser tests", "--no-web");
    } else {
        steps.step("browser tests", e2e::run_e2e)?;
    }
    Ok(())
}

fn cmd_pg() -> Result<()> {
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    util::install_interrupt_handler(move || {
        let _ = tx.send(());
    })?;
    let mut steps = Steps::new();
    let cluster = steps.step("start PostgreSQL", PgCluster::start)?;
    println!();
    println!("export {PG_URL_VAR}={}", cluster.url());
    println!();
    println!(
        "Server log: {}. Press Ctrl-C to stop the cluster and delete its data.",
        cluster.log_path().display()
    );
    util::flush();
    let _ = rx.recv();
    drop(cluster);
    println!("==> done (total {})", fmt_duration(steps.elapsed()));
    Ok(())
}
