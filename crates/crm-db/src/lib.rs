//! The database layer: one connection type for SQLite and PostgreSQL, embedded migrations per backend,
//! the repositories, and the visibility filter that every business query goes through.

pub mod activities;
pub mod actor;
pub mod articles;
pub mod audit;
pub mod auth;
pub mod backup;
pub mod bulk;
pub mod callers;
pub mod competitors;
pub mod customers;
pub mod departments;
pub mod dictionaries;
pub mod documents;
pub mod error;
pub mod expenses;
pub mod files;
pub mod global_search;
pub mod idempotency;
pub mod imports;
pub mod markdown;
pub mod moves;
pub mod names;
pub mod notifications;
pub mod numbering;
pub mod opportunities;
pub mod orders;
pub mod paging;
pub mod pool;
pub mod products;
pub mod quotes;
pub mod receivables;
pub mod reminders;
pub mod renewals;
pub mod reports;
pub mod roles;
pub mod scheduler;
pub mod schema;
pub mod search;
pub mod settings;
pub mod sql;
pub mod summaries;
pub mod tickets;
pub mod transfers;
pub mod users;
pub mod visibility;
pub mod webhooks;

use chrono::{NaiveDateTime, SubsecRound, Utc};
use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::prelude::*;
use diesel::r2d2::{self, ManageConnection, Pool, PooledConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

pub use actor::Actor;
pub use error::{RepoError, RepoResult};
pub use visibility::Visible;

/// Why the database could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("{0}")]
    Url(String),
    #[error("cannot create the directory {path}: {source}")]
    Directory {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("cannot connect to the {backend} database: {source}")]
    Connect {
        backend: &'static str,
        source: r2d2::PoolError,
    },
    #[error("cannot connect to the {backend} database: {source}")]
    Establish {
        backend: &'static str,
        source: ConnectionError,
    },
    #[error("cannot connect to the {backend} database: {source}")]
    Pool {
        backend: &'static str,
        source: RepoError,
    },
    #[error("migrations failed: {0}")]
    Migrations(MigrationError),
    #[error("cannot start the write-ahead log checkpointer: {0}")]
    Checkpointer(String),
}

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");

/// A connection to either database; diesel's query builder works on it for the portable column types.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Sqlite(diesel::SqliteConnection),
    Pg(diesel::PgConnection),
}

impl DbConnection {
    /// Which database this is (for what genuinely differs: the migrations, an operator's message).
    pub fn backend(&self) -> Backend {
        match self {
            DbConnection::Sqlite(_) => Backend::Sqlite,
            DbConnection::Pg(_) => Backend::Postgres,
        }
    }
}

/// Which database a URL selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgresql",
        }
    }
}

/// A database URL, parsed: `sqlite://relative/path.db`, `sqlite:///absolute/path.db` or
/// `postgres://user@host:port/db` (also `postgresql://`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseUrl {
    pub backend: Backend,
    /// What the driver gets: a file path for SQLite, the URL itself for PostgreSQL.
    pub target: String,
}

impl DatabaseUrl {
    pub fn parse(url: &str) -> Result<Self, DbError> {
        if let Some(path) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        {
            if path.is_empty() {
                return Err(DbError::Url(
                    "the sqlite URL has no file path (example: sqlite://data/crm.db)".into(),
                ));
            }
            if path.contains(":memory:") {
                return Err(DbError::Url("an in-memory SQLite database cannot be shared by the connection pool; use a file".into()));
            }
            Ok(DatabaseUrl {
                backend: Backend::Sqlite,
                target: path.to_string(),
            })
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(DatabaseUrl {
                backend: Backend::Postgres,
                target: url.to_string(),
            })
        } else {
            Err(DbError::Url(format!(
                "unsupported database URL `{url}`: use sqlite://path/to/file.db or postgres://user@host/db"
            )))
        }
    }
}

#[derive(QueryableByName)]
struct JournalMode {
    #[diesel(sql_type = diesel::sql_types::Text)]
    journal_mode: String,
}

/// Makes pooled connections of the right backend and sets SQLite's per-connection pragmas.
#[derive(Debug, Clone)]
pub struct Manager {
    url: DatabaseUrl,
    /// SQLite: whether a commit that grows the write-ahead log past 1000 pages copies it back into
    /// the database itself. Off when the pool has its own checkpointer (see [`Db::connect_server`]).
    autocheckpoint: bool,
}

impl Manager {
    fn establish(&self) -> ConnectionResult<DbConnection> {
        match self.url.backend {
            Backend::Sqlite => {
                let mut conn = diesel::SqliteConnection::establish(&self.url.target)?;
                // Foreign keys are off by default in SQLite; WAL lets readers work during a write;
                // the busy timeout makes a writer wait for another instead of failing at once;
                // reads of a file up to 64 GB go through a memory map (the bundled SQLite is
                // built to allow that: `.cargo/config.toml`) rather than a copy per page read.
                let bad = |e: diesel::result::Error| ConnectionError::BadConnection(e.to_string());
                conn.batch_execute(
                    "PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON; \
                     PRAGMA synchronous = NORMAL; PRAGMA mmap_size = 68719476736;",
                )
                .map_err(bad)?;
                // The file keeps its journal mode, so only a connection that finds it not in WAL
                // yet switches it (the first one ever: see `Db::open`). Switching needs the file to
                // itself for a moment, and connections asking for it at once, each holding a read
                // lock, refused one another with "database is locked" on a first start.
                let mode = diesel::sql_query("PRAGMA journal_mode")
                    .get_result::<JournalMode>(&mut conn)
                    .map_err(bad)?;
                if !mode.journal_mode.eq_ignore_ascii_case("wal") {
                    conn.batch_execute("PRAGMA journal_mode = WAL;")
                        .map_err(bad)?;
                }
                if !self.autocheckpoint {
                    conn.batch_execute("PRAGMA wal_autocheckpoint = 0;")
                        .map_err(|e| ConnectionError::BadConnection(e.to_string()))?;
                }
                Ok(DbConnection::Sqlite(conn))
            }
            Backend::Postgres => {
                let mut conn = diesel::PgConnection::establish(&self.url.target)?;
                // No parallel workers: the server's statements are many small ones at once, and a
                // report's parts sent as one statement (see `reports::answer`) looked big enough
                // for a parallel plan, whose workers cost more than they saved once every core was
                // busy (at 1M and 16 clients the general manager's reports answered half as many
                // requests a second with them). A single long statement loses its workers too.
                conn.batch_execute("SET max_parallel_workers_per_gather = 0")
                    .map_err(|e| ConnectionError::BadConnection(e.to_string()))?;
                Ok(DbConnection::Pg(conn))
            }
        }
    }
}

impl ManageConnection for Manager {
    type Connection = DbConnection;
    type Error = ConnectionError;

    fn connect(&self) -> Result<DbConnection, ConnectionError> {
        self.establish()
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), ConnectionError> {
        conn.batch_execute("SELECT 1")
            .map_err(|e| ConnectionError::BadConnection(e.to_string()))
    }

    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        <DbConnection as Connection>::TransactionManager::is_broken_transaction_manager(conn)
    }
}

pub type DbPool = Pool<Manager>;
pub type PooledConn = PooledConnection<Manager>;

/// The pool and which backend it talks to.
#[derive(Clone)]
pub struct Db {
    pub pool: DbPool,
    pub backend: Backend,
    /// SQLite under a server: the pool's checkpointer, which stops when the last clone is dropped.
    checkpointer: Option<Arc<Checkpointer>>,
}

impl Db {
    /// Opens (and for SQLite creates) the database and runs pending migrations.
    pub fn connect(url: &str, max_connections: u32) -> Result<Db, DbError> {
        Self::open(url, max_connections, None)
    }

    /// As [`Db::connect`], for a long-running server. On SQLite, commits no longer copy the
    /// write-ahead log back into the database themselves: a thread with its own connection does, a
    /// few times a second. A commit that did it would hold every writer queued behind it (see
    /// [`write_tx`]) for the length of the copy, which was the tail of a write's latency under load.
    ///
    /// `wait` is how long a request waits for a connection (all busy, or the database unreachable)
    /// before it is answered 503 `database_unavailable`.
    pub fn connect_server(url: &str, max_connections: u32, wait: Duration) -> Result<Db, DbError> {
        Self::open(url, max_connections, Some(wait))
    }

    /// The last result of the checkpointer (SQLite under [`Db::connect_server`] only).
    pub fn last_checkpoint(&self) -> Option<WalCheckpoint> {
        let checkpointer = self.checkpointer.as_ref()?;
        *checkpointer.last.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn open(url: &str, max_connections: u32, server: Option<Duration>) -> Result<Db, DbError> {
        let url = DatabaseUrl::parse(url)?;
        if url.backend == Backend::Sqlite
            && let Some(dir) = std::path::Path::new(&url.target).parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir).map_err(|source| DbError::Directory {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        let backend = url.backend;
        let background = server.is_some() && backend == Backend::Sqlite;
        let target = url.target.clone();
        let manager = Manager {
            url,
            autocheckpoint: !background,
        };
        if backend == Backend::Sqlite {
            // One connection alone first: it puts a new file into WAL before the pool opens its
            // connections all at once.
            drop(manager.establish().map_err(|source| DbError::Establish {
                backend: backend.name(),
                source,
            })?);
        }
        let pool = Pool::builder()
            .max_size(max_connections.max(1))
            .connection_timeout(server.unwrap_or(Duration::from_secs(10)))
            .build(manager)
            .map_err(|source| DbError::Connect {
                backend: backend.name(),
                source,
            })?;
        let mut db = Db {
            pool,
            backend,
            checkpointer: None,
        };
        let mut conn = db.get().map_err(|source| DbError::Pool {
            backend: backend.name(),
            source,
        })?;
        run_migrations(&mut conn).map_err(DbError::Migrations)?;
        if background {
            db.checkpointer = Some(Checkpointer::start(&target)?);
        }
        Ok(db)
    }

    pub fn get(&self) -> Result<PooledConn, RepoError> {
        self.pool
            .get()
            .map_err(|e: r2d2::PoolError| RepoError::Unavailable(e.to_string()))
    }
}

/// What `PRAGMA wal_checkpoint` answers: pages in the write-ahead log, and how many of them are in
/// the database file too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, QueryableByName)]
pub struct WalCheckpoint {
    /// 1 when the checkpoint could not run (another one was running).
    #[diesel(sql_type = diesel::sql_types::Integer)]
    pub busy: i32,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    pub log: i32,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    pub checkpointed: i32,
}

/// How often the checkpointer copies the write-ahead log into the database. Under a steady write
/// load the log then holds a quarter of a second of writes (the default was 1000 pages, 4 MB).
const CHECKPOINT_EVERY: Duration = Duration::from_millis(250);

/// A thread that runs passive checkpoints on its own SQLite connection. Passive: it copies what no
/// reader still needs and never waits for, or blocks, readers and writers; once everything is
/// copied, the next writer starts the log from its beginning again, so the file stays small.
struct Checkpointer {
    /// Dropped with the last `Db` clone, which ends the thread.
    _stop: mpsc::Sender<()>,
    last: Arc<Mutex<Option<WalCheckpoint>>>,
}

impl Checkpointer {
    fn start(path: &str) -> Result<Arc<Checkpointer>, DbError> {
        let mut conn = diesel::SqliteConnection::establish(path)
            .map_err(|e| DbError::Checkpointer(e.to_string()))?;
        let (stop, stopped) = mpsc::channel::<()>();
        let last = Arc::new(Mutex::new(None));
        let seen = last.clone();
        std::thread::Builder::new()
            .name("sqlite-checkpoint".into())
            .spawn(move || {
                while let Err(mpsc::RecvTimeoutError::Timeout) =
                    stopped.recv_timeout(CHECKPOINT_EVERY)
                {
                    match diesel::sql_query("PRAGMA wal_checkpoint(PASSIVE)")
                        .get_result::<WalCheckpoint>(&mut conn)
                    {
                        Ok(result) => {
                            *seen.lock().unwrap_or_else(|e| e.into_inner()) = Some(result)
                        }
                        Err(e) => tracing::warn!(error = %e, "write-ahead log checkpoint failed"),
                    }
                }
            })
            .map_err(|e| DbError::Checkpointer(e.to_string()))?;
        Ok(Arc::new(Checkpointer { _stop: stop, last }))
    }
}

pub type MigrationError = Box<dyn std::error::Error + Send + Sync>;

/// Applies every pending migration of the connection's backend, then fills in what a migration
/// added that SQL cannot work out (the deals' days of opening on the company's calendar).
pub fn run_migrations(conn: &mut DbConnection) -> Result<(), MigrationError> {
    let applied = match conn {
        DbConnection::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS)?.len(),
        DbConnection::Pg(c) => c.run_pending_migrations(POSTGRES_MIGRATIONS)?.len(),
    };
    if applied > 0 {
        opportunities::fill_opened_on(conn)?;
    }
    Ok(())
}

/// Whether the database lacks migrations this build has (readiness).
pub fn migrations_pending(conn: &mut DbConnection) -> Result<bool, MigrationError> {
    match conn {
        DbConnection::Sqlite(c) => c.has_pending_migration(SQLITE_MIGRATIONS),
        DbConnection::Pg(c) => c.has_pending_migration(POSTGRES_MIGRATIONS),
    }
}

/// Reverts the latest applied migration (the readiness test).
pub fn revert_last_migration(conn: &mut DbConnection) -> Result<(), MigrationError> {
    match conn {
        DbConnection::Sqlite(c) => c.revert_last_migration(SQLITE_MIGRATIONS).map(drop),
        DbConnection::Pg(c) => c.revert_last_migration(POSTGRES_MIGRATIONS).map(drop),
    }
}

/// Reverts every applied migration (used by the up/down/up test).
pub fn revert_all_migrations(conn: &mut DbConnection) -> Result<(), MigrationError> {
    match conn {
        DbConnection::Sqlite(c) => c.revert_all_migrations(SQLITE_MIGRATIONS).map(drop),
        DbConnection::Pg(c) => c.revert_all_migrations(POSTGRES_MIGRATIONS).map(drop),
    }
}

/// The queue of this process's SQLite writers (see [`write_tx`]).
static SQLITE_WRITERS: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Runs `f` in a write transaction. On SQLite it begins `IMMEDIATE`, taking the write lock up front,
/// so that two writers queue on the busy timeout instead of one failing when it upgrades its lock.
/// Nested transactions inside `f` become savepoints as usual.
pub fn write_tx<T, E>(
    conn: &mut DbConnection,
    f: impl FnOnce(&mut DbConnection) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<diesel::result::Error>,
{
    transaction(conn, true, f)
}

/// [`write_tx`] rolled back whatever `f` answers: what a write would answer, without its effects
/// (an import's dry run asks the create itself this way).
pub fn trial_tx<T, E>(
    conn: &mut DbConnection,
    f: impl FnOnce(&mut DbConnection) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<diesel::result::Error>,
{
    transaction(conn, false, f)
}

/// Runs `f` in a read transaction: every statement of an answer made of many (a report) reads
/// the same snapshot, so its groups and totals agree with each other, and SQLite takes its read
/// lock once instead of once per statement. Not for a write; not inside another transaction.
pub fn read_tx<T, E>(
    conn: &mut DbConnection,
    f: impl FnOnce(&mut DbConnection) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<diesel::result::Error>,
{
    match conn {
        DbConnection::Sqlite(c) => AnsiTransactionManager::begin_transaction_sql(c, "BEGIN")?,
        DbConnection::Pg(c) => AnsiTransactionManager::begin_transaction_sql(
            c,
            "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
        )?,
    }
    let kept = settings::SnapshotSettings::start();
    let out = f(conn);
    drop(kept);
    // Nothing was written: ending it either way releases the snapshot.
    if let Err(e) = <DbConnection as Connection>::TransactionManager::rollback_transaction(conn) {
        tracing::warn!(error = %e, "ending a read transaction failed");
    }
    out
}

/// Write transactions this process has committed: what a cached answer was computed after (see
/// [`writes`]).
static WRITES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// How many write transactions this process has committed so far: an answer computed when this
/// was `n` still holds while it is `n` (as far as this process's own writes go).
pub fn writes() -> u64 {
    WRITES.load(std::sync::atomic::Ordering::Acquire)
}

fn transaction<T, E>(
    conn: &mut DbConnection,
    keep: bool,
    f: impl FnOnce(&mut DbConnection) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<diesel::result::Error>,
{
    // SQLite admits one writer at a time; a writer that finds the lock taken sleeps in SQLite's busy
    // handler in growing steps (up to 100 ms), which is what made write latencies spiky under load.
    // Writers of this process queue here instead and get the lock in turn. (Write transactions
    // never nest: `begin_transaction_sql` refuses that, so the queue cannot deadlock on itself.)
    let _turn = match conn {
        DbConnection::Sqlite(c) => {
            let turn = SQLITE_WRITERS.lock().unwrap_or_else(|e| e.into_inner());
            AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?;
            Some(turn)
        }
        DbConnection::Pg(c) => {
            AnsiTransactionManager::begin_transaction(c)?;
            None
        }
    };
    match f(conn) {
        Ok(value) if keep => {
            <DbConnection as Connection>::TransactionManager::commit_transaction(conn)?;
            WRITES.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
            Ok(value)
        }
        Ok(value) => {
            <DbConnection as Connection>::TransactionManager::rollback_transaction(conn)?;
            Ok(value)
        }
        Err(e) => {
            // The caller's error matters more than a failed rollback; a broken connection is
            // dropped from the pool by `has_broken`.
            if let Err(rollback) =
                <DbConnection as Connection>::TransactionManager::rollback_transaction(conn)
            {
                tracing::warn!(error = %rollback, "rollback failed");
            }
            Err(e)
        }
    }
}

/// What a write transaction may need to have to itself (see [`serialize`]).
#[derive(Debug, Clone, Copy)]
pub enum Serial {
    /// The department tree, roles and memberships: cycle checks and "still in use" checks read it.
    Organisation = 1,
    /// Failed-login counters.
    LoginThrottle = 2,
    /// The company settings document.
    Settings = 3,
    /// One normalised customer key (see [`serialize_keys`]).
    CustomerKey = 4,
    /// One order's money (its plan and receipts; see [`serialize_keys`]).
    OrderMoney = 5,
    /// The document number counters (orders, quotes).
    DocumentNumber = 6,
    /// One user's claims from the public pool (their limits; see [`serialize_keys`]).
    PoolClaim = 7,
}

/// Makes read-check-write sequences inside a write transaction safe on PostgreSQL, whose default
/// isolation lets two of them interleave. SQLite needs nothing: `BEGIN IMMEDIATE` already admits one
/// writer at a time. The lock is released when the transaction ends.
pub fn serialize(conn: &mut DbConnection, what: Serial) -> QueryResult<()> {
    match conn {
        DbConnection::Sqlite(_) => Ok(()),
        DbConnection::Pg(c) => c.batch_execute(&format!(
            "SELECT pg_advisory_xact_lock(7431, {})",
            what as i32
        )),
    }
}

/// Like [`serialize`], but per key: two writers of different customers do not wait for each other,
/// two writers of the same normalised name (or phone, or website) do. Keys are locked in sorted order
/// so that two writers cannot wait for each other in a cycle.
pub fn serialize_keys(conn: &mut DbConnection, what: Serial, keys: &[&str]) -> QueryResult<()> {
    let DbConnection::Pg(c) = conn else {
        return Ok(());
    };
    let mut keys: Vec<&str> = keys.iter().copied().filter(|k| !k.is_empty()).collect();
    keys.sort_unstable();
    keys.dedup();
    if keys.is_empty() {
        return Ok(());
    }
    // One round trip however many keys (an import's batch locks hundreds), taken in the sorted
    // order of the subquery.
    diesel::sql_query(format!(
        "SELECT count(pg_advisory_xact_lock({}, hashtext(k))) AS locked \
         FROM (SELECT k FROM unnest($1::text[]) WITH ORDINALITY AS t (k, n) ORDER BY n) AS s",
        7430 + what as i32
    ))
    .bind::<diesel::sql_types::Array<diesel::sql_types::Text>, _>(keys)
    .execute(c)?;
    Ok(())
}

/// The current instant as stored: UTC, microsecond precision on both databases.
pub fn now() -> NaiveDateTime {
    Utc::now().naive_utc().trunc_subsecs(6)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_database_urls() {
        assert_eq!(
            DatabaseUrl::parse("sqlite://data/crm.db").unwrap(),
            DatabaseUrl {
                backend: Backend::Sqlite,
                target: "data/crm.db".into()
            }
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite:///tmp/x.db").unwrap().target,
            "/tmp/x.db"
        );
        assert_eq!(
            DatabaseUrl::parse("postgres://u@h/db").unwrap().backend,
            Backend::Postgres
        );
        assert_eq!(
            DatabaseUrl::parse("postgresql://u@h/db").unwrap().backend,
            Backend::Postgres
        );
        assert!(DatabaseUrl::parse("mysql://x").is_err());
        assert!(DatabaseUrl::parse("sqlite://").is_err());
        assert!(DatabaseUrl::parse("sqlite::memory:").is_err());
    }
}

#[cfg(feature = "test-support")]
pub mod testing;

/// The exact number of rows of one of the application's tables (reports and benchmarks; an exact
/// count is never on a hot path).
pub fn table_count(conn: &mut DbConnection, table: &str) -> QueryResult<i64> {
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    if !table.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
        return Err(diesel::result::Error::NotFound);
    }
    let sql = format!("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM {table}");
    let row: N = match conn {
        DbConnection::Sqlite(c) => diesel::sql_query(sql).get_result(c)?,
        DbConnection::Pg(c) => diesel::sql_query(sql).get_result(c)?,
    };
    Ok(row.n)
}

/// Whether the database answers.
pub fn ping(conn: &mut DbConnection) -> QueryResult<()> {
    conn.batch_execute("SELECT 1")
}
