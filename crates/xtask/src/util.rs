//! Small helpers shared by the xtask commands: step reporting, running child
//! processes with readable errors, Ctrl-C tracking and path lookups.

use std::ffi::OsStr;
use std::io::Write;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Output};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Installs a Ctrl-C / SIGTERM / SIGHUP handler that only records the signal.
///
/// Children in our process group receive the same SIGINT and exit on their
/// own; we then unwind normally so that `Drop` guards (database cluster,
/// server) clean up. `on_signal` runs on the handler thread.
pub fn install_interrupt_handler(on_signal: impl Fn() + Send + 'static) -> Result<()> {
    ctrlc::set_handler(move || {
        if !INTERRUPTED.swap(true, Ordering::SeqCst) {
            eprintln!("\n==> interrupted, cleaning up");
        }
        on_signal();
    })
    .context("installing the Ctrl-C handler")
}

/// Fails if Ctrl-C was pressed.
pub fn check_interrupted() -> Result<()> {
    if INTERRUPTED.load(Ordering::SeqCst) {
        bail!("interrupted");
    }
    Ok(())
}

/// The workspace root (two levels above this crate's manifest).
pub fn workspace_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest
        .ancestors()
        .nth(2)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| manifest.to_path_buf())
}

/// The cargo target directory (honours `CARGO_TARGET_DIR`).
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => {
            let dir = PathBuf::from(dir);
            if dir.is_absolute() {
                dir
            } else {
                workspace_root().join(dir)
            }
        }
        _ => workspace_root().join("target"),
    }
}

/// A `cargo` command running in the workspace root, using the same cargo
/// binary that runs xtask.
pub fn cargo() -> Command {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(workspace_root());
    cmd
}

/// Returns true if the environment variable is set to a non-empty value.
pub fn env_is_set(name: &str) -> bool {
    std::env::var_os(name).is_some_and(|v| !v.is_empty())
}

/// Renders a command line for display, quoting arguments that need it.
pub fn display_cmd(cmd: &Command) -> String {
    std::iter::once(cmd.get_program())
        .chain(cmd.get_args())
        .map(quote)
        .collect::<Vec<_>>()
        .join(" ")
}

fn quote(arg: &OsStr) -> String {
    let s = arg.to_string_lossy();
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=,@+%".contains(c));
    if plain {
        s.into_owned()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

fn describe_status(status: ExitStatus) -> String {
    match status.code() {
        Some(code) => format!("exit code {code}"),
        None => format!("terminated by a signal ({status})"),
    }
}

/// Runs a command with inherited stdio; fails with a clear message unless it
/// exits successfully. `shown` is what gets printed (use it to hide secrets).
pub fn run_shown(cmd: &mut Command, shown: &str) -> Result<()> {
    println!("    $ {shown}");
    flush();
    let status = cmd
        .status()
        .with_context(|| format!("could not start `{shown}`"))?;
    if !status.success() {
        bail!("`{shown}` failed ({})", describe_status(status));
    }
    check_interrupted()
}

/// Runs a command with inherited stdio (see [`run_shown`]).
pub fn run(cmd: &mut Command) -> Result<()> {
    let shown = display_cmd(cmd);
    run_shown(cmd, &shown)
}

/// Runs a command capturing its output; on failure the output is included in
/// the error.
pub fn run_captured(cmd: &mut Command) -> Result<Output> {
    let shown = display_cmd(cmd);
    println!("    $ {shown}");
    flush();
    let output = cmd
        .output()
        .with_context(|| format!("could not start `{shown}`"))?;
    if !output.status.success() {
        bail!(
            "`{shown}` failed ({})\n--- stdout ---\n{}--- stderr ---\n{}",
            describe_status(output.status),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr),
        );
    }
    Ok(output)
}

/// Runs a command quietly and returns its trimmed stdout, or `None` if it
/// cannot be started or fails.
pub fn try_output(cmd: &mut Command) -> Option<String> {
    let output = cmd.output().ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

/// Finds an executable on `PATH`.
pub fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
}

pub fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// An HTTP client for our own loopback server: statuses are answers (not errors), and any
/// HTTP(S)_PROXY in the environment is ignored.
pub fn http_agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .proxy(None)
        .build()
        .into()
}

/// Picks a free TCP port on 127.0.0.1 (bind to port 0, read it, release it).
pub fn free_port() -> Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").context("binding 127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

/// The last `n` lines of a text file (or a note that it cannot be read).
pub fn tail_file(path: &Path, n: usize) -> String {
    match std::fs::read(path) {
        Ok(bytes) => {
            let text = String::from_utf8_lossy(&bytes);
            let lines: Vec<&str> = text.lines().collect();
            let start = lines.len().saturating_sub(n);
            lines[start..].join("\n")
        }
        Err(err) => format!("(cannot read {}: {err})", path.display()),
    }
}

pub fn flush() {
    let _ = std::io::stdout().flush();
}

pub fn fmt_duration(d: Duration) -> String {
    let secs = d.as_secs_f64();
    if secs < 60.0 {
        format!("{secs:.1}s")
    } else {
        let whole = d.as_secs();
        format!("{}m{:02}s", whole / 60, whole % 60)
    }
}

/// Records and prints the steps of a command.
pub struct Steps {
    started: Instant,
    done: Vec<(String, Duration)>,
}

impl Steps {
    pub fn new() -> Self {
        Self {
            started: Instant::now(),
            done: Vec::new(),
        }
    }

    /// Runs one step: prints `==> name`, runs `f`, and records its duration.
    pub fn step<T>(&mut self, name: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
        check_interrupted()?;
        println!("==> {name}");
        flush();
        let started = Instant::now();
        let result = f().with_context(|| format!("step `{name}` failed"));
        let elapsed = started.elapsed();
        if result.is_ok() {
            println!("    ok ({})", fmt_duration(elapsed));
            self.done.push((name.to_owned(), elapsed));
        }
        result
    }

    /// Records a step that was skipped.
    pub fn skip(&mut self, name: &str, why: &str) {
        println!("==> {name}: skipped ({why})");
        self.done
            .push((format!("{name} (skipped)"), Duration::ZERO));
    }

    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    /// One-line summary of the steps that completed.
    pub fn summary(&self) -> String {
        self.done
            .iter()
            .map(|(name, d)| {
                if d.is_zero() {
                    name.clone()
                } else {
                    format!("{name} {}", fmt_duration(*d))
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Installs Debian packages (as root; otherwise says what to install). The package lists are
/// refreshed first: on a new machine they may be missing or name older versions.
pub fn apt_install(packages: &[&str]) -> Result<()> {
    let root = try_output(Command::new("id").arg("-u")).is_some_and(|u| u == "0");
    if !root {
        bail!(
            "install these Debian packages first (as root): apt-get install {}",
            packages.join(" ")
        );
    }
    run(Command::new("apt-get").args(["update", "-q"]))?;
    run(Command::new("apt-get")
        .args(["install", "-y", "-q", "--no-install-recommends"])
        .args(packages)
        .env("DEBIAN_FRONTEND", "noninteractive"))
}
