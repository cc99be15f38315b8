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
}

#[derive(Debug, Clone, Args)]
pub struct DatabaseConfig {
    /// `sqlite://path/to/file.db` (created when absent) or `postgres://user:password@host:port/db`.
    #[arg(long, env = "CRM_DATABASE_URL", default_value = "sqlite://data/crm.db")]
    pub database_url: String,
    /// Size of the connection pool.
    #[arg(long, env = "CRM_DB_POOL_SIZE", default_value_t = 16)]
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
        }
    }
}
