//! `cargo xtask crash`: the crash test. Builds the server and `crm-crash` (release; debug for the
//! short run in `cargo xtask test`), and runs it on a fresh SQLite file and on a fresh database in
//! a throwaway PostgreSQL cluster, whose stop and start commands it also gets for the restart
//! phase. The long run's report is committed as docs/bench/crash.md.

use std::path::PathBuf;
use std::process::Command;

use anyhow::Result;
use clap::Args;

use crate::pg::PgCluster;
use crate::util::{self, display_cmd, run};

#[derive(Args)]
pub struct CrashArgs {
    /// SIGKILL rounds per database.
    #[arg(long, default_value_t = 200)]
    rounds: usize,
    /// `sqlite`, `postgres` or `both`.
    #[arg(long, default_value = "both")]
    db: String,
    /// Concurrent writers.
    #[arg(long, default_value_t = 8)]
    writers: usize,
    /// The report (Markdown); default docs/bench/crash.md (none for --smoke).
    #[arg(long)]
    out: Option<PathBuf>,
    /// The short run of `cargo xtask test`: debug builds, 3 rounds each.
    #[arg(long)]
    smoke: bool,
}

/// The short run in `cargo xtask test`.
pub fn smoke() -> Result<()> {
    crash(&CrashArgs {
        rounds: 3,
        db: "both".into(),
        writers: 8,
        out: None,
        smoke: true,
    })
}

pub fn crash(args: &CrashArgs) -> Result<()> {
    let (profile, rounds) = if args.smoke {
        ("debug", args.rounds.min(3))
    } else {
        ("release", args.rounds)
    };
    let release: &[&str] = if args.smoke { &[] } else { &["--release"] };
    // Two builds: `--bin crm` would leave out `crm-crash` if both packages were named at once.
    run(util::cargo()
        .args(["build", "-p", "crm-api", "--bin", "crm"])
        .args(release))?;
    run(util::cargo()
        .args(["build", "-p", "crm-bench", "--bin", "crm-crash"])
        .args(release))?;
    let bin = util::target_dir().join(profile);
    let work = util::target_dir().join(if args.smoke { "crash-smoke" } else { "crash" });
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work)?;
    let out = match (&args.out, args.smoke) {
        (Some(out), _) => Some(out.clone()),
        (None, true) => None,
        (None, false) => Some(util::workspace_root().join("docs/bench/crash.md")),
    };
    if let Some(out) = &out {
        std::fs::write(
            out,
            format!(
                "# Crash test\n\nMade by `cargo xtask crash --rounds {rounds} --db {} --writers {}` \
                 ({profile} build, {}). Each round starts the server on the same database, drives \
                 the writers (log an activity, record a receipt of 0.01, create a customer), kills \
                 the server with SIGKILL at a random moment between 0.1 and 1.5 s, and checks the \
                 database as the next start finds it. PostgreSQL runs in a throwaway cluster \
                 (`fsync=off`: the test kills the CRM server, not the database machine).\n",
                args.db,
                args.writers,
                today_utc()
            ),
        )?;
    }
    let crash = |url: &str, label: &str, db_cmds: Option<(String, String)>| -> Result<()> {
        let mut cmd = Command::new(bin.join("crm-crash"));
        cmd.arg("--server")
            .arg(bin.join("crm"))
            .args(["--database-url", url, "--label", label])
            .args(["--rounds", &rounds.to_string()])
            .args(["--writers", &args.writers.to_string()])
            .arg("--work")
            .arg(work.join(label.to_lowercase()));
        if let Some(out) = &out {
            cmd.arg("--out").arg(out);
        }
        if let Some((stop, start)) = db_cmds {
            cmd.args(["--db-stop", &stop, "--db-start", &start]);
        }
        run(&mut cmd)
    };
    if matches!(args.db.as_str(), "sqlite" | "both") {
        let url = format!("sqlite://{}", work.join("crm.db").display());
        crash(&url, "SQLite", None)?;
    }
    if matches!(args.db.as_str(), "postgres" | "both") {
        let cluster = PgCluster::start()?;
        let url = cluster.create_database("crm_crash")?;
        let cmds = (
            display_cmd(&cluster.stop_command()),
            display_cmd(&cluster.start_command()),
        );
        crash(&url, "PostgreSQL", Some(cmds))?;
    }
    if let Some(out) = &out {
        println!("    {}", out.display());
    }
    Ok(())
}

/// Today (UTC) from `date`, for the report header.
fn today_utc() -> String {
    util::try_output(Command::new("date").args(["-u", "+%Y-%m-%d"]))
        .unwrap_or_default()
        .trim()
        .to_string()
}
