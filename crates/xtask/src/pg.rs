//! A throwaway PostgreSQL cluster for tests: `initdb` into a temp dir, start it
//! on a free port, stop it and remove the dir on drop.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use tempfile::TempDir;

use crate::util::{self, is_executable, run_captured, tail_file, try_output};

const INSTALL_ADVICE: &str =
    "PostgreSQL not found: install postgresql (apt-get install postgresql)";
/// The system user that owns the cluster when we run as root.
const PG_USER: &str = "postgres";

/// A running throwaway cluster. Dropping it stops the server
/// (`pg_ctl stop -m immediate`) and removes the temp dir.
pub struct PgCluster {
    bindir: PathBuf,
    data: PathBuf,
    port: u16,
    /// `Some("postgres")` when we are root and must drop privileges.
    run_as: Option<&'static str>,
    running: bool,
    /// The server options `pg_ctl start` passes (port, socket dir, settings).
    options: String,
    // Dropped after `Drop::drop` ran, i.e. after the server was stopped.
    dir: TempDir,
}

impl PgCluster {
    /// Creates and starts a new cluster.
    pub fn start() -> Result<Self> {
        let bindir = find_bindir()?;
        println!("    PostgreSQL binaries: {}", bindir.display());

        let run_as = if is_root() {
            ensure_pg_user()?;
            Some(PG_USER)
        } else {
            None
        };

        let dir = tempfile::Builder::new()
            .prefix("crm-pg-")
            .tempdir()
            .context("creating a temp dir for the cluster")?;
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755))
                .context("making the temp dir world-traversable")?;
        }
        if let Some(user) = run_as {
            run_captured(
                Command::new("chown")
                    .arg("-R")
                    .arg(format!("{user}:"))
                    .arg(dir.path()),
            )?;
        }

        let port = util::free_port()?;
        let options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off \
             -c synchronous_commit=off -c full_page_writes=off -c max_connections=200",
            dir.path().display()
        );
        let mut cluster = PgCluster {
            data: dir.path().join("data"),
            bindir,
            port,
            run_as,
            running: false,
            options,
            dir,
        };

        let mut initdb = cluster.pg_command("initdb");
        initdb
            .arg("-D")
            .arg(&cluster.data)
            .args([
                "-U",
                "crm",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ])
            .arg("--no-sync");
        run_captured(&mut initdb).context("initdb failed")?;

        let log = cluster.log_path();
        let mut pg_ctl = cluster.start_command();
        // From here on a half-started server must be stopped too.
        cluster.running = true;
        if let Err(err) = run_captured(&mut pg_ctl) {
            eprintln!(
                "--- PostgreSQL log ({}), last lines ---\n{}\n---",
                log.display(),
                tail_file(&log, 40)
            );
            return Err(err.context("starting PostgreSQL failed"));
        }
        println!("    PostgreSQL listening on 127.0.0.1:{port}");
        Ok(cluster)
    }

    /// Connection URL for the tests.
    pub fn url(&self) -> String {
        format!("postgres://crm@127.0.0.1:{}/postgres", self.port)
    }

    pub fn log_path(&self) -> PathBuf {
        self.dir.path().join("log")
    }

    /// Creates a database in the cluster and answers its URL.
    pub fn create_database(&self, name: &str) -> Result<String> {
        let mut createdb = self.pg_command("createdb");
        createdb
            .args(["-h", "127.0.0.1", "-U", "crm", "-p"])
            .arg(self.port.to_string())
            .arg(name);
        run_captured(&mut createdb)?;
        Ok(format!("postgres://crm@127.0.0.1:{}/{name}", self.port))
    }

    /// `pg_ctl start` for this cluster (also to start it again after [`Self::stop_command`]).
    pub fn start_command(&self) -> Command {
        let mut pg_ctl = self.pg_command("pg_ctl");
        pg_ctl
            .arg("-D")
            .arg(&self.data)
            .arg("-l")
            .arg(self.log_path())
            .arg("-o")
            .arg(&self.options)
            .args(["-w", "-t", "60", "start"]);
        pg_ctl
    }

    /// `pg_ctl stop` with a fast shutdown (clients are disconnected, what was committed is kept),
    /// as an operator's restart does. The cluster is still stopped on drop if it runs then.
    pub fn stop_command(&self) -> Command {
        let mut pg_ctl = self.pg_command("pg_ctl");
        pg_ctl
            .arg("-D")
            .arg(&self.data)
            .args(["-m", "fast", "-w", "stop"]);
        pg_ctl
    }

    /// A command for one of the PostgreSQL binaries, run as the cluster owner.
    fn pg_command(&self, program: &str) -> Command {
        let program = self.bindir.join(program);
        let mut cmd = match self.run_as {
            Some(user) => {
                let mut cmd = Command::new(sbin_tool("runuser"));
                cmd.args(["-u", user, "--"]).arg(program);
                cmd
            }
            None => Command::new(program),
        };
        // The postgres user may not be able to enter our working directory.
        cmd.current_dir(self.dir.path());
        cmd
    }

    fn stop(&mut self) -> Result<()> {
        if !self.running {
            return Ok(());
        }
        self.running = false;
        if !self.data.join("postmaster.pid").exists() {
            // Never started, or already gone.
            return Ok(());
        }
        let mut pg_ctl = self.pg_command("pg_ctl");
        pg_ctl
            .arg("-D")
            .arg(&self.data)
            .args(["-m", "immediate", "-w", "stop"]);
        run_captured(&mut pg_ctl).map(|_| ())
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        if self.running && self.data.join("postmaster.pid").exists() {
            println!("==> stopping PostgreSQL (port {})", self.port);
            util::flush();
            if let Err(err) = self.stop() {
                eprintln!("warning: could not stop PostgreSQL: {err:#}");
            }
        }
        // `self.dir` (TempDir) is removed right after this.
    }
}

/// A system tool that may live in an sbin dir missing from `PATH`.
fn sbin_tool(name: &str) -> PathBuf {
    util::which(name)
        .or_else(|| {
            ["/usr/sbin", "/sbin"]
                .into_iter()
                .map(|dir| Path::new(dir).join(name))
                .find(|p| is_executable(p))
        })
        .unwrap_or_else(|| PathBuf::from(name))
}

fn is_root() -> bool {
    try_output(Command::new("id").arg("-u")).is_some_and(|uid| uid == "0")
}

/// Makes sure the `postgres` system user exists (the Debian package creates
/// it; a bare machine may not have it).
fn ensure_pg_user() -> Result<()> {
    if try_output(Command::new("id").args(["-u", PG_USER])).is_some() {
        return Ok(());
    }
    println!("    creating system user `{PG_USER}` (PostgreSQL refuses to run as root)");
    run_captured(Command::new(sbin_tool("useradd")).args(["--system", "--no-create-home", PG_USER]))
        .map(|_| ())
        .with_context(|| format!("creating the `{PG_USER}` user"))
}

/// Locates the directory with `initdb` and `pg_ctl`.
fn find_bindir() -> Result<PathBuf> {
    let has_tools =
        |dir: &Path| is_executable(&dir.join("initdb")) && is_executable(&dir.join("pg_ctl"));

    // 1. pg_config --bindir (note: Debian's pg_config comes with libpq-dev and
    //    may point at a server that is not installed, hence the check).
    if let Some(dir) = try_output(Command::new("pg_config").arg("--bindir")) {
        let dir = PathBuf::from(dir);
        if has_tools(&dir) {
            return Ok(dir);
        }
    }

    // 2. The highest /usr/lib/postgresql/<version>/bin.
    if let Ok(entries) = std::fs::read_dir("/usr/lib/postgresql") {
        let mut versions: Vec<(Vec<u32>, PathBuf)> = entries
            .filter_map(|e| e.ok())
            .filter_map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                let version: Vec<u32> = name
                    .split('.')
                    .map(|p| p.parse().ok())
                    .collect::<Option<_>>()?;
                let bin = e.path().join("bin");
                has_tools(&bin).then_some((version, bin))
            })
            .collect();
        versions.sort();
        if let Some((_, bin)) = versions.pop() {
            return Ok(bin);
        }
    }

    // 3. initdb on PATH (resolving symlinks such as /usr/local/bin/initdb).
    if let Some(initdb) = util::which("initdb") {
        let real = std::fs::canonicalize(&initdb).unwrap_or(initdb);
        if let Some(dir) = real.parent()
            && has_tools(dir)
        {
            return Ok(dir.to_path_buf());
        }
    }

    if util::env_is_set("CI") {
        bail!("{INSTALL_ADVICE}; .ci/run should have installed it");
    }
    bail!(
        "{INSTALL_ADVICE}, or point CRM_TEST_POSTGRES_URL at an existing server \
         (tests never silently skip PostgreSQL)"
    )
}
