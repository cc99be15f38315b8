//! Schemathesis run against a real `crm` server on a throwaway SQLite DB.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};
use tempfile::TempDir;

use crate::util::{self, check_interrupted, run, run_captured, run_shown, tail_file, try_output};

/// Pinned Schemathesis release (latest 4.x when this was written).
pub const SCHEMATHESIS_VERSION: &str = "4.32.5";
const HEALTH_TIMEOUT: Duration = Duration::from_secs(60);

pub struct Options {
    pub max_examples: u32,
    pub seed: u64,
}

/// Builds the debug server, starts it, logs in, creates an API token and runs
/// Schemathesis with it. The server is killed afterwards.
pub fn run_schemathesis(opts: &Options) -> Result<()> {
    run(util::cargo().args(["build", "-p", "crm-api", "--bin", "crm"]))?;
    let binary = util::target_dir().join("debug").join("crm");
    run_against(&binary, opts)
}

/// Starts `binary serve ...`, creates a token and runs Schemathesis.
fn run_against(binary: &Path, opts: &Options) -> Result<()> {
    let st = ensure_installed()?;

    // Kept after the run: Schemathesis' state files and the server log.
    let workdir = util::target_dir().join("schemathesis");
    std::fs::create_dir_all(&workdir).with_context(|| format!("creating {}", workdir.display()))?;

    let mut server = Server::start(binary, &workdir.join("server.log"))?;
    let base = server.base_url();
    server.wait_healthy()?;

    let agent = util::http_agent(Duration::from_secs(10));
    // Twice: as the administrator (organisation endpoints) and as the general manager (business
    // endpoints, scope all), so that each operation meets a caller allowed to use it.
    for user in ["admin", "gm"] {
        let token = create_api_token(&agent, &base, user)?;
        check_interrupted()?;
        run_as(&st, &workdir, &base, &server, &token, user, opts)?;
    }
    Ok(())
}

fn run_as(
    st: &Path,
    workdir: &Path,
    base: &str,
    server: &Server,
    token: &str,
    user: &str,
    opts: &Options,
) -> Result<()> {
    println!("    as {user}:");

    let schema_url = format!("{base}/api/v1/openapi.json");
    let common: Vec<String> = vec![
        "--checks".into(),
        "not_a_server_error,response_schema_conformance".into(),
        "--max-examples".into(),
        opts.max_examples.to_string(),
        "--seed".into(),
        opts.seed.to_string(),
        "--workers".into(),
        "1".into(),
        "--request-timeout".into(),
        "10".into(),
        "--generation-database".into(),
        "none".into(),
    ];
    let mut cmd = Command::new(st);
    cmd.current_dir(workdir)
        // The server is on loopback; never send its traffic to a proxy.
        .env("NO_PROXY", "127.0.0.1,localhost")
        .env("no_proxy", "127.0.0.1,localhost")
        .arg("run")
        .arg(&schema_url)
        .arg("--header")
        .arg(format!("Authorization: Bearer {token}"))
        .args(&common);
    let shown = format!(
        "{} run {schema_url} --header 'Authorization: Bearer <token>' {}",
        st.display(),
        common.join(" ")
    );
    let result = run_shown(&mut cmd, &shown);
    if result.is_err() {
        println!(
            "    server log: {}; last lines:\n{}",
            server.log_path().display(),
            tail_file(server.log_path(), 30)
        );
    }
    result
}

/// Logs in as the demo admin and creates a personal API token; returns the
/// token secret.
fn create_api_token(agent: &ureq::Agent, base: &str, user: &str) -> Result<String> {
    let login_url = format!("{base}/api/v1/auth/login");
    println!("    POST {login_url} (demo user {user})");
    let login = post_json(
        agent,
        &login_url,
        None,
        &json!({"username": user, "password": "demo1234"}),
    )?;
    let access = login
        .get("access_token")
        .and_then(Value::as_str)
        .with_context(|| format!("login response has no string `access_token`: {login}"))?;

    let tokens_url = format!("{base}/api/v1/me/tokens");
    println!("    POST {tokens_url} (API token for schemathesis)");
    let created = post_json(
        agent,
        &tokens_url,
        Some(access),
        &json!({"name": "schemathesis"}),
    )?;
    let token = created
        .get("token")
        .and_then(Value::as_str)
        .with_context(|| format!("token response has no string `token`: {created}"))?;
    Ok(token.to_owned())
}

fn post_json(agent: &ureq::Agent, url: &str, bearer: Option<&str>, body: &Value) -> Result<Value> {
    let mut req = agent.post(url);
    if let Some(bearer) = bearer {
        req = req.header("Authorization", format!("Bearer {bearer}"));
    }
    let mut resp = req.send_json(body).with_context(|| format!("POST {url}"))?;
    let status = resp.status();
    let text = resp
        .body_mut()
        .read_to_string()
        .with_context(|| format!("reading the response of POST {url}"))?;
    if !status.is_success() {
        bail!("POST {url} answered {status}: {text}");
    }
    serde_json::from_str(&text).with_context(|| format!("POST {url} did not answer JSON: {text}"))
}

/// The venv's Schemathesis CLI, installing it when missing or at another
/// version.
fn ensure_installed() -> Result<PathBuf> {
    let venv = util::target_dir().join("tools").join("schemathesis-venv");
    let bin = venv.join("bin");
    let existing = ["st", "schemathesis"]
        .into_iter()
        .map(|name| bin.join(name))
        .find(|p| util::is_executable(p));
    let wanted = format!("schemathesis=={SCHEMATHESIS_VERSION}");

    if let Some(st) = &existing {
        let version = try_output(Command::new(st).arg("--version")).unwrap_or_default();
        if version
            .split_whitespace()
            .any(|w| w == SCHEMATHESIS_VERSION)
        {
            println!("    using {} ({version})", st.display());
            return Ok(st.clone());
        }
        println!(
            "    {} reports `{version}`, want {SCHEMATHESIS_VERSION}",
            st.display()
        );
    } else {
        let python = util::which("python3").context(
            "python3 not found: Schemathesis needs Python 3 with venv \
             (apt-get install python3 python3-venv)",
        )?;
        println!(
            "    installing Schemathesis {SCHEMATHESIS_VERSION} into {}",
            venv.display()
        );
        run_captured(
            Command::new(python)
                .args(["-m", "venv", "--clear"])
                .arg(&venv),
        )
        .context("creating the Schemathesis venv")?;
    }
    run(Command::new(bin.join("python")).args([
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        &wanted,
    ]))
    .context("installing Schemathesis with pip")?;

    let st = bin.join("st");
    let version = try_output(Command::new(&st).arg("--version"))
        .with_context(|| format!("{} does not run after installing", st.display()))?;
    println!("    installed: {version}");
    Ok(st)
}

/// A `crm serve` child process; killed on drop.
pub(crate) struct Server {
    child: Child,
    port: u16,
    log_path: PathBuf,
    // Holds the SQLite DB; removed after `Drop::drop` stopped the child.
    _dir: TempDir,
}

impl Server {
    pub(crate) fn start(binary: &Path, log_path: &Path) -> Result<Self> {
        let dir = tempfile::Builder::new()
            .prefix("crm-st-")
            .tempdir()
            .context("creating a temp dir for the server")?;
        let port = util::free_port()?;
        let log = File::create(log_path).context("creating the server log")?;
        let db = format!("sqlite://{}", dir.path().join("st.db").display());
        let mut cmd = Command::new(binary);
        cmd.current_dir(util::workspace_root())
            .arg("serve")
            .arg("--bind")
            .arg(format!("127.0.0.1:{port}"))
            .arg("--database-url")
            .arg(&db)
            .arg("--demo")
            .stdin(Stdio::null())
            .stdout(log.try_clone().context("duplicating the log handle")?)
            .stderr(log);
        println!("    $ {} > {}", util::display_cmd(&cmd), log_path.display());
        let child = cmd
            .spawn()
            .with_context(|| format!("starting {}", binary.display()))?;
        Ok(Server {
            child,
            port,
            log_path: log_path.to_path_buf(),
            _dir: dir,
        })
    }

    pub(crate) fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn log_path(&self) -> &Path {
        &self.log_path
    }

    /// Polls GET /api/v1/health until it answers 200.
    pub(crate) fn wait_healthy(&mut self) -> Result<()> {
        let url = format!("{}/api/v1/health", self.base_url());
        println!(
            "    waiting for GET {url} to answer 200 (up to {}s)",
            HEALTH_TIMEOUT.as_secs()
        );
        util::flush();
        let agent = util::http_agent(Duration::from_secs(2));
        let started = Instant::now();
        let mut last = String::from("no answer yet");
        while started.elapsed() < HEALTH_TIMEOUT {
            check_interrupted()?;
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(self.fail(&format!(
                    "the server exited ({status}) before becoming healthy"
                )));
            }
            match agent.get(&url).call() {
                Ok(resp) if resp.status() == 200 => {
                    println!(
                        "    server healthy after {}",
                        util::fmt_duration(started.elapsed())
                    );
                    return Ok(());
                }
                Ok(resp) => last = format!("status {}", resp.status()),
                Err(err) => last = err.to_string(),
            }
            std::thread::sleep(Duration::from_millis(250));
        }
        Err(self.fail(&format!(
            "GET {url} did not answer 200 within {}s (last: {last})",
            HEALTH_TIMEOUT.as_secs()
        )))
    }

    fn fail(&self, what: &str) -> anyhow::Error {
        anyhow::anyhow!(
            "{what}\n--- server log ({}) ---\n{}\n---",
            self.log_path().display(),
            tail_file(self.log_path(), 60)
        )
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(Some(_)) = self.child.try_wait() {
            return;
        }
        println!("==> stopping the crm server (port {})", self.port);
        util::flush();
        // Ask politely first (SIGTERM), then kill.
        let _ = Command::new("kill")
            .arg(self.child.id().to_string())
            .stderr(Stdio::null())
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs the whole Schemathesis step (install, start, health, login, API
    /// token, `st run`, stop) against a small Python stand-in for `crm`.
    /// Needs python3 and PyPI access, hence ignored by default:
    /// `cargo test -p xtask -- --ignored`.
    #[test]
    #[ignore = "installs Schemathesis from PyPI and runs Python"]
    fn schemathesis_step_against_fake_server() -> Result<()> {
        let dir = tempfile::tempdir()?;
        let fake = dir.path().join("fake_crm.py");
        std::fs::write(&fake, include_str!("../testdata/fake_crm.py"))?;
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755))?;
        }
        run_against(
            &fake,
            &Options {
                max_examples: 10,
                seed: 1,
            },
        )
    }
}
