//! Configuration: command-line flags with `CRM_*` environment variables as fallbacks.

use clap::Args;

#[derive(Debug, Clone, Args)]
pub struct ServeConfig {
    /// Address and port to listen on.
    #[arg(long, env = "CRM_BIND", default_value = "127.0.0.1:8080")]
    pub bind: String,
    #[command(flatten)]
    pub database: DatabaseConfig,
    /// Seed the demo company when the database is empty.
    #[arg(long, env = "CRM_DEMO", default_value_t = false)]
    pub demo: bool,
    /// How many customers the demo company gets.
    #[arg(long, env = "CRM_DEMO_CUSTOMERS", default_value_t = 300)]
    pub demo_customers: usize,
    /// Secret for signing access tokens (at least 32 bytes). When absent a random one is generated
    /// once and kept in the database, so sessions survive restarts.
    #[arg(long, env = "CRM_JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<String>,
    /// Lifetime of access tokens, in seconds.
    #[arg(long, env = "CRM_ACCESS_TOKEN_TTL", default_value_t = 900)]
    pub access_token_ttl: i64,
    /// Lifetime of a login session (refresh tokens), in days.
    #[arg(long, env = "CRM_SESSION_DAYS", default_value_t = 14)]
    pub session_days: i64,
    /// Directory of the built web app.
    #[arg(long, env = "CRM_STATIC_DIR", default_value = "frontend/dist")]
    pub static_dir: String,
    /// Worker threads of the HTTP server (default: one per core).
    #[arg(long, env = "CRM_WORKERS")]
    pub workers: Option<usize>,
    /// Seconds between runs of the scheduler (due reminders, review digests, e-mail, the public
    /// pool's rules); it also runs at start. 0 turns it off, with the webhook worker (another
    /// instance may run them: both are safe in parallel).
    #[arg(long, env = "CRM_SCHEDULER_INTERVAL", default_value_t = 300)]
    pub scheduler_interval: u64,
    #[command(flatten)]
    pub smtp: SmtpConfig,
    /// Origins allowed to call the API from a browser page of theirs (CORS), comma-separated, e.g.
    /// `https://tools.example.cn`. Empty: none (the web app served here needs no CORS).
    #[arg(long, env = "CRM_CORS_ORIGINS", value_delimiter = ',')]
    pub cors_origins: Vec<String>,
    /// A token for reading `/metrics` (Prometheus text format) as `Authorization: Bearer`.
    /// Unset: no metrics are collected and `/metrics` is 404.
    #[arg(long, env = "CRM_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,
    /// Requests one credential (a login session or an API token) may have running at once; more
    /// answer 429 with `Retry-After`. 0: no limit.
    #[arg(long, env = "CRM_MAX_REQUESTS_PER_TOKEN", default_value_t = 32)]
    pub max_requests_per_token: usize,
    /// Seconds a request may take to send its body; a slower one answers 408.
    #[arg(long, env = "CRM_BODY_TIMEOUT", default_value_t = 30)]
    pub body_timeout: u64,
}

/// The configured CORS origins, checked: each a scheme and a host (and port), as browsers send
/// them in `Origin`.
pub fn cors_origins(configured: &[String]) -> anyhow::Result<Vec<String>> {
    let mut origins = Vec::new();
    for raw in configured {
        let origin = raw.trim().trim_end_matches('/');
        if origin.is_empty() {
            continue;
        }
        let host = origin
            .strip_prefix("https://")
            .or_else(|| origin.strip_prefix("http://"));
        let plain = host.is_some_and(|h| {
            !h.is_empty()
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        });
        anyhow::ensure!(
            plain,
            "CRM_CORS_ORIGINS: `{raw}` is not an origin such as https://tools.example.cn \
             (a scheme and a host, with a port if any; no path, no wildcard)"
        );
        origins.push(origin.to_string());
    }
    Ok(origins)
}

/// E-mail: notifications are also sent by e-mail when an SMTP server is configured.
#[derive(Debug, Clone, Args)]
pub struct SmtpConfig {
    /// SMTP server, e.g. `smtps://user:password@smtp.example.cn:465`,
    /// `smtp://user:password@smtp.example.cn:587?tls=required`, or `smtp://127.0.0.1:2525` (no TLS,
    /// for a local relay). Unset: no e-mail.
    #[arg(long, env = "CRM_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// Sender of the e-mails.
    #[arg(long, env = "CRM_SMTP_FROM", default_value = "CRM <crm@localhost>")]
    pub smtp_from: String,
}

#[derive(Debug, Clone, Args)]
pub struct DatabaseConfig {
    /// `sqlite://path/to/file.db` (created when absent) or `postgres://user:password@host:port/db`.
    #[arg(long, env = "CRM_DATABASE_URL", default_value = "sqlite://data/crm.db")]
    pub database_url: String,
    /// Size of the connection pool; also the number of threads that run database work.
    #[arg(long, env = "CRM_DB_POOL_SIZE", default_value_t = 8)]
    pub pool_size: u32,
    /// Seconds a request waits for a database connection (all in use, or the database down)
    /// before it is answered 503 `database_unavailable`.
    #[arg(long, env = "CRM_DB_WAIT", default_value_t = 5.0, value_parser = wait_seconds)]
    pub wait_seconds: f64,
    /// Where uploaded documents are kept (a content-addressed store). Default: `documents/`
    /// beside a SQLite database, `data/documents` with PostgreSQL. Servers sharing one
    /// PostgreSQL must share this directory too.
    #[arg(long, env = "CRM_DOCUMENTS_DIR")]
    pub documents_dir: Option<std::path::PathBuf>,
}

impl DatabaseConfig {
    /// The document store's directory: configured, or the default for the database.
    pub fn documents_dir(&self) -> std::path::PathBuf {
        self.documents_dir
            .clone()
            .unwrap_or_else(|| crm_db::files::default_root(&self.database_url))
    }
}

fn wait_seconds(raw: &str) -> Result<f64, String> {
    match raw.parse::<f64>() {
        Ok(s) if (0.1..=300.0).contains(&s) => Ok(s),
        _ => Err(format!(
            "`{raw}` is not a number of seconds from 0.1 to 300"
        )),
    }
}

impl ServeConfig {
    /// A configuration for tests: given database, port 0, short-lived nothing.
    pub fn for_tests(database_url: &str) -> ServeConfig {
        ServeConfig {
            bind: "127.0.0.1:0".into(),
            database: DatabaseConfig {
                database_url: database_url.into(),
                pool_size: 8,
                wait_seconds: 5.0,
                documents_dir: None,
            },
            demo: false,
            demo_customers: 0,
            jwt_secret: Some("test-secret-test-secret-test-secret-!".into()),
            access_token_ttl: 900,
            session_days: 14,
            static_dir: "frontend/dist".into(),
            workers: Some(1),
            scheduler_interval: 0,
            smtp: SmtpConfig {
                smtp_url: None,
                smtp_from: "CRM <crm@localhost>".into(),
            },
            cors_origins: Vec::new(),
            metrics_token: None,
            max_requests_per_token: 32,
            body_timeout: 30,
        }
    }
}
