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
    /// Seconds between runs of the scheduler (due reminders, review digests, e-mail); it also runs
    /// at start. 0 turns it off (another instance may run it: runs are safe in parallel).
    #[arg(long, env = "CRM_SCHEDULER_INTERVAL", default_value_t = 300)]
    pub scheduler_interval: u64,
    #[command(flatten)]
    pub smtp: SmtpConfig,
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
}

impl ServeConfig {
    /// A configuration for tests: given database, port 0, short-lived nothing.
    pub fn for_tests(database_url: &str) -> ServeConfig {
        ServeConfig {
            bind: "127.0.0.1:0".into(),
            database: DatabaseConfig {
                database_url: database_url.into(),
                pool_size: 8,
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
        }
    }
}
