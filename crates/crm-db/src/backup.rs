//! Backups of a SQLite database while the server runs, restores into an empty place, and the
//! fingerprint (rows per table, money totals) that tells a copy from its original.
//!
//! A backup is SQLite's `VACUUM INTO`: one read transaction, so the copy is the database as of one
//! moment even while writers go on (they are not blocked: the database is in WAL mode). The copy is
//! written beside its destination, synced, checked and only then renamed into place, so a backup
//! interrupted half-way leaves no file that looks like a backup. PostgreSQL is backed up with its
//! own tools (`pg_dump`), as the README says.

use crate::files::Store;
use crate::summaries;
use crate::{Backend, DatabaseUrl, DbConnection, DbError, RepoResult};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(
        "`crm backup` and `crm restore` are for SQLite; back up PostgreSQL with `pg_dump --format=custom` \
         and restore with `pg_restore` (see the README, \"Backups\")"
    )]
    Postgres,
    #[error("{0} exists already; a backup never overwrites a file (choose a new name)")]
    BackupExists(PathBuf),
    #[error(
        "{0} exists and is not empty; restore into a new path (or move the old database away first)"
    )]
    TargetNotEmpty(PathBuf),
    #[error("{path} is not a backup of this CRM: {reason}")]
    NotABackup { path: PathBuf, reason: String },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("{0}")]
    Sql(String),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> BackupError + '_ {
    move |source| BackupError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn sql(e: impl std::fmt::Display) -> BackupError {
    BackupError::Sql(e.to_string())
}

/// What a backup or restore did.
#[derive(Debug, Clone)]
pub struct Copied {
    pub path: PathBuf,
    pub bytes: u64,
    pub fingerprint: Fingerprint,
    pub seconds: f64,
}

/// Copies the SQLite database of `url` to `to` (a new file) as of one moment, while the server may
/// be writing; checks the copy before it takes the final name.
pub fn backup(url: &str, to: &Path) -> Result<Copied, BackupError> {
    let started = Instant::now();
    let source = sqlite_path(url)?;
    if to.exists() {
        return Err(BackupError::BackupExists(to.to_path_buf()));
    }
    if !source.exists() {
        return Err(BackupError::NotABackup {
            path: source,
            reason: "there is no database file here".into(),
        });
    }
    if let Some(dir) = to.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io(dir))?;
    }
    let partial = partial_path(to);
    remove_if_present(&partial)?;
    let mut conn = open(&source)?;
    diesel::sql_query("VACUUM INTO ?")
        .bind::<Text, _>(partial.to_string_lossy())
        .execute(&mut conn)
        .map_err(sql)?;
    drop(conn);
    let fingerprint = check(&partial)?;
    sync_file(&partial)?;
    std::fs::rename(&partial, to).map_err(io(to))?;
    sync_parent(to)?;
    Ok(Copied {
        path: to.to_path_buf(),
        bytes: std::fs::metadata(to).map_err(io(to))?.len(),
        fingerprint,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Puts the backup `from` in place as the SQLite database of `url`, which must not exist yet (or
/// be an empty file), and brings it up to this version's migrations. The backup itself is only
/// read.
pub fn restore(from: &Path, url: &str) -> Result<Copied, BackupError> {
    let started = Instant::now();
    let target = sqlite_path(url)?;
    if !from.is_file() {
        return Err(BackupError::NotABackup {
            path: from.to_path_buf(),
            reason: "no such file".into(),
        });
    }
    if std::fs::metadata(&target).is_ok_and(|m| m.len() > 0) || wal_of(&target).exists() {
        return Err(BackupError::TargetNotEmpty(target));
    }
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io(dir))?;
    }
    let partial = partial_path(&target);
    remove_if_present(&partial)?;
    std::fs::copy(from, &partial).map_err(io(&partial))?;
    let checked = check(&partial);
    if let Err(e) = checked {
        let _ = std::fs::remove_file(&partial);
        return Err(match e {
            BackupError::NotABackup { reason, .. } => BackupError::NotABackup {
                path: from.to_path_buf(),
                reason,
            },
            other => other,
        });
    }
    sync_file(&partial)?;
    std::fs::rename(&partial, &target).map_err(io(&target))?;
    sync_parent(&target)?;
    // Newer migrations than the backup's are applied now, as a start of the server would.
    let db = crate::Db::connect(url, 1)?;
    let mut conn = db.get().map_err(sql)?;
    let fingerprint = fingerprint(&mut conn).map_err(sql)?;
    Ok(Copied {
        bytes: std::fs::metadata(&target).map_err(io(&target))?.len(),
        path: target,
        fingerprint,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Where a backup's documents are kept: a store beside it, `<backup>.documents/`.
pub fn documents_of(backup: &Path) -> PathBuf {
    let mut name = backup.as_os_str().to_owned();
    name.push(".documents");
    PathBuf::from(name)
}

/// Copies the files the backup `backup` names from the live `store` into the backup's own store
/// (run right after [`backup`]: stored files never change, and one a deleted document leaves
/// behind stays a day before the sweep takes it, so every file the snapshot names is there).
/// Answers files and bytes copied.
pub fn backup_documents(backup: &Path, store: &Store) -> Result<(usize, u64), BackupError> {
    let mut conn = DbConnection::Sqlite(open(backup)?);
    let named = crate::documents::stored_files(&mut conn).map_err(sql)?;
    let dest = documents_of(backup);
    let to = Store::open(&dest).map_err(io(&dest))?;
    store.copy_to(&to, &named).map_err(io(store.root()))
}

/// Puts the documents of the backup `backup` (restored already as the database of `url`) into
/// `store`; answers files and bytes copied (none when the backup has no documents).
pub fn restore_documents(
    backup: &Path,
    url: &str,
    store: &Store,
) -> Result<(usize, u64), BackupError> {
    let from = documents_of(backup);
    if !from.is_dir() {
        return Ok((0, 0));
    }
    let target = sqlite_path(url)?;
    let mut conn = DbConnection::Sqlite(open(&target)?);
    let named = crate::documents::stored_files(&mut conn).map_err(sql)?;
    let source = Store::open(&from).map_err(io(&from))?;
    source.copy_to(store, &named).map_err(io(&from))
}

/// Opens a copy and checks it is whole (`PRAGMA integrity_check`) and a database of this CRM.
fn check(path: &Path) -> Result<Fingerprint, BackupError> {
    let not_a_backup = |reason: String| BackupError::NotABackup {
        path: path.to_path_buf(),
        reason,
    };
    let mut conn = DbConnection::Sqlite(open(path).map_err(|e| not_a_backup(e.to_string()))?);
    let faults = integrity_check(&mut conn).map_err(|e| not_a_backup(e.to_string()))?;
    if !faults.is_empty() {
        return Err(not_a_backup(format!(
            "the integrity check found: {}",
            faults.join("; ")
        )));
    }
    let fingerprint = fingerprint(&mut conn).map_err(|e| not_a_backup(e.to_string()))?;
    if !fingerprint.rows.contains_key("__diesel_schema_migrations")
        || !fingerprint.rows.contains_key("customers")
    {
        return Err(not_a_backup("it has no tables of this CRM".into()));
    }
    Ok(fingerprint)
}

fn open(path: &Path) -> Result<diesel::SqliteConnection, BackupError> {
    let mut conn = diesel::SqliteConnection::establish(&path.to_string_lossy()).map_err(|e| {
        BackupError::NotABackup {
            path: path.to_path_buf(),
            reason: e.to_string(),
        }
    })?;
    conn.batch_execute("PRAGMA busy_timeout = 5000;")
        .map_err(sql)?;
    Ok(conn)
}

fn sqlite_path(url: &str) -> Result<PathBuf, BackupError> {
    let url = DatabaseUrl::parse(url)?;
    match url.backend {
        Backend::Sqlite => Ok(PathBuf::from(url.target)),
        Backend::Postgres => Err(BackupError::Postgres),
    }
}

fn partial_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".partial");
    PathBuf::from(name)
}

fn wal_of(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push("-wal");
    PathBuf::from(name)
}

fn remove_if_present(path: &Path) -> Result<(), BackupError> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io(path)(e)),
        _ => Ok(()),
    }
}

fn sync_file(path: &Path) -> Result<(), BackupError> {
    std::fs::File::open(path)
        .and_then(|f| f.sync_all())
        .map_err(io(path))
}

/// Makes the rename itself durable.
fn sync_parent(path: &Path) -> Result<(), BackupError> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::File::open(dir)
        .and_then(|f| f.sync_all())
        .map_err(io(dir))
}

/// Rows per table and the money totals: equal fingerprints mean the same data to anyone comparing
/// a copy with its original.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    pub rows: BTreeMap<String, i64>,
    pub money: BTreeMap<&'static str, i64>,
}

impl Fingerprint {
    pub fn total_rows(&self) -> i64 {
        self.rows.values().sum()
    }
}

/// The money columns (minor units) whose sums a copy must keep.
const MONEY: [(&str, &str, &str); 7] = [
    ("orders.total", "orders", "total"),
    ("order_lines.amount", "order_lines", "amount"),
    (
        "payment_installments.amount",
        "payment_installments",
        "amount",
    ),
    (
        "payment_installments.received",
        "payment_installments",
        "received",
    ),
    ("receipts.amount", "receipts", "amount"),
    (
        "receipt_allocations.amount",
        "receipt_allocations",
        "amount",
    ),
    ("expenses.amount", "expenses", "amount"),
];

#[derive(QueryableByName)]
struct Number {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

/// The fingerprint of the database behind `conn`.
pub fn fingerprint(conn: &mut DbConnection) -> RepoResult<Fingerprint> {
    let tables = match conn.backend() {
        Backend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        }
        Backend::Postgres => {
            "SELECT CAST(tablename AS TEXT) AS name FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
        }
    };
    let mut rows = BTreeMap::new();
    for Name { name } in diesel::sql_query(tables).load::<Name>(conn)? {
        let n = diesel::sql_query(format!(
            "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM \"{}\"",
            // A name from the catalog, quoted as an identifier.
            name.replace('"', "\"\"")
        ))
        .get_result::<Number>(conn)?
        .n;
        rows.insert(name, n);
    }
    let mut money = BTreeMap::new();
    for (what, table, column) in MONEY {
        let query = format!("SELECT CAST(COALESCE(SUM({column}), 0) AS BIGINT) AS n FROM {table}");
        money.insert(what, diesel::sql_query(query).get_result::<Number>(conn)?.n);
    }
    Ok(Fingerprint { rows, money })
}

/// SQLite's own check of the file (`PRAGMA integrity_check`: pages, indexes, constraints); empty
/// when whole. PostgreSQL checks its pages itself (nothing to ask here).
pub fn integrity_check(conn: &mut DbConnection) -> RepoResult<Vec<String>> {
    #[derive(QueryableByName)]
    struct Check {
        #[diesel(sql_type = Text)]
        integrity_check: String,
    }
    if conn.backend() == Backend::Postgres {
        return Ok(Vec::new());
    }
    Ok(diesel::sql_query("PRAGMA integrity_check")
        .load::<Check>(conn)?
        .into_iter()
        .map(|c| c.integrity_check)
        .filter(|c| c != "ok")
        .collect())
}

/// Which of `ids` are not rows of `table` (after a crash: writes that were answered but lost).
pub fn missing(conn: &mut DbConnection, table: &'static str, ids: &[i64]) -> RepoResult<Vec<i64>> {
    let mut lost = Vec::new();
    for chunk in ids.chunks(500) {
        let list = chunk
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(",");
        let found: std::collections::HashSet<i64> =
            diesel::sql_query(format!("SELECT id AS n FROM {table} WHERE id IN ({list})"))
                .load::<Number>(conn)?
                .into_iter()
                .map(|r| r.n)
                .collect();
        lost.extend(chunk.iter().filter(|id| !found.contains(id)));
    }
    Ok(lost)
}

/// Everything about money that must hold after any crash: each receipt allocated in full, no order
/// received past its total, and the kept summaries equal to a recount ([`summaries::drift`]).
/// Empty when all holds.
pub fn money_mismatches(conn: &mut DbConnection) -> RepoResult<Vec<String>> {
    let mut out = Vec::new();
    for (what, query) in [
        (
            "a receipt whose allocations do not add up to it",
            "SELECT r.id AS n FROM receipts r \
             WHERE r.amount <> (SELECT COALESCE(SUM(ra.amount), 0) FROM receipt_allocations ra WHERE ra.receipt_id = r.id)",
        ),
        (
            "an order received past its total, or below nothing",
            "SELECT o.id AS n FROM orders o JOIN \
             (SELECT order_id, SUM(amount) AS received FROM receipts GROUP BY order_id) x ON x.order_id = o.id \
             WHERE x.received > o.total OR x.received < 0",
        ),
        (
            "an installment whose received is not its allocations",
            "SELECT pi.id AS n FROM payment_installments pi \
             WHERE pi.received <> (SELECT COALESCE(SUM(ra.amount), 0) FROM receipt_allocations ra WHERE ra.installment_id = pi.id)",
        ),
    ] {
        for Number { n } in diesel::sql_query(query).load::<Number>(conn)? {
            out.push(format!("{what}: {n}"));
        }
    }
    out.extend(summaries::drift(conn)?);
    Ok(out)
}
