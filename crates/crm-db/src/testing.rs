//! Throwaway databases for tests: a fresh SQLite file, or a fresh PostgreSQL database created in the
//! cluster named by `CRM_TEST_POSTGRES_URL` (the README's test command starts one) and dropped after.

use diesel::prelude::*;
use std::sync::atomic::{AtomicU32, Ordering};

/// A database that exists for one test.
pub struct TestDb {
    pub url: String,
    /// The document store's place for a server on this database.
    pub documents: std::path::PathBuf,
    _dir: Option<tempfile::TempDir>,
    drop_pg: Option<(String, String)>,
}

impl TestDb {
    pub fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("crm.db").display());
        TestDb {
            url,
            documents: dir.path().join("documents"),
            _dir: Some(dir),
            drop_pg: None,
        }
    }

    /// A fresh PostgreSQL database, or `None` when no cluster is configured outside CI.
    /// In CI (`CI` set) a missing PostgreSQL fails the test instead of skipping it.
    pub fn postgres() -> Option<TestDb> {
        let Some(admin_url) = std::env::var("CRM_TEST_POSTGRES_URL")
            .ok()
            .filter(|u| !u.is_empty())
        else {
            if std::env::var("CI").is_ok_and(|v| !v.is_empty()) {
                panic!(
                    "CRM_TEST_POSTGRES_URL is not set: in CI the PostgreSQL tests must run (use `cargo xtask test`)"
                );
            }
            eprintln!(
                "skipping: CRM_TEST_POSTGRES_URL is not set (`cargo xtask test` starts PostgreSQL itself)"
            );
            return None;
        };
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "crm_test_{}_{}_{:08x}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            rand::random::<u32>()
        );
        let mut admin = PgConnection::establish(&admin_url)
            .unwrap_or_else(|e| panic!("cannot connect to CRM_TEST_POSTGRES_URL: {e}"));
        diesel::sql_query(format!("CREATE DATABASE \"{name}\""))
            .execute(&mut admin)
            .expect("create test database");
        let url = with_database(&admin_url, &name);
        let dir = tempfile::tempdir().expect("temp dir");
        Some(TestDb {
            url,
            documents: dir.path().join("documents"),
            _dir: Some(dir),
            drop_pg: Some((admin_url, name)),
        })
    }

    /// A pool on this database with one department and one user (id 1), and that user as an
    /// actor who may do anything and sees everything: what a repository test needs before it makes
    /// records.
    pub fn with_root(&self) -> (crate::Db, crate::Actor) {
        use diesel::connection::SimpleConnection;
        let pool = crate::Db::connect(&self.url, 2).expect("pool");
        pool.get()
            .expect("connection")
            .batch_execute(
                "INSERT INTO departments (name, created_at, updated_at) VALUES ('d', '2026-01-01 00:00:00', '2026-01-01 00:00:00');
                 INSERT INTO users (username, display_name, password_hash, department_id, created_at, updated_at)
                   VALUES ('root', 'root', 'x', 1, '2026-01-01 00:00:00', '2026-01-01 00:00:00');",
            )
            .expect("the root user");
        let root = crate::Actor::new(
            1,
            crm_domain::Permission::ALL.to_vec(),
            crate::visibility::Visible::All,
        );
        (pool, root)
    }

    /// The same database for a second server: dropping this one leaves the database alone (the
    /// first owns it).
    pub fn again(&self) -> TestDb {
        TestDb {
            url: self.url.clone(),
            documents: self.documents.clone(),
            _dir: None,
            drop_pg: None,
        }
    }

    /// The database of that backend (`"sqlite"` or `"postgres"`).
    pub fn of(backend: &str) -> Option<TestDb> {
        match backend {
            "sqlite" => Some(TestDb::sqlite()),
            "postgres" => TestDb::postgres(),
            other => panic!("unknown backend {other}"),
        }
    }
}

/// The same server URL with another database name.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let base = match base[scheme_end..].find('/') {
        Some(slash) => &base[..scheme_end + slash],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin_url, name)) = self.drop_pg.take()
            && let Ok(mut admin) = PgConnection::establish(&admin_url)
        {
            let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                .execute(&mut admin);
        }
    }
}

/// Defines one test per backend: `name::sqlite` and `name::postgres`.
#[macro_export]
macro_rules! db_test {
    ($name:ident, |$db:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            fn run($db: $crate::testing::TestDb) $body
            #[test]
            fn sqlite() {
                run($crate::testing::TestDb::sqlite());
            }
            #[test]
            fn postgres() {
                if let Some(db) = $crate::testing::TestDb::postgres() {
                    run(db);
                }
            }
        }
    };
}

#[cfg(test)]
mod tests {
    #[test]
    fn replaces_the_database_name() {
        assert_eq!(
            super::with_database("postgres://u@h:5/postgres", "x"),
            "postgres://u@h:5/x"
        );
        assert_eq!(
            super::with_database("postgres://u@h:5", "x"),
            "postgres://u@h:5/x"
        );
        assert_eq!(
            super::with_database("postgres://u@h/db?sslmode=disable", "x"),
            "postgres://u@h/x?sslmode=disable"
        );
    }
}
