//! The database layer against both real databases: migrations and the visibility filter.

#![allow(clippy::unwrap_used)]

use crm_db::visibility::Visible;
use crm_db::{Actor, Db, DbConnection, db_test, revert_all_migrations, run_migrations};
use crm_db::{departments, roles, users};
use crm_domain::DataScope;
use crm_domain::api::{DepartmentPatch, NewDepartment, NewRole, NewUser, UserPatch};
use crm_domain::{ErrorCode, Permission};
use diesel::connection::SimpleConnection;

fn open(url: &str) -> Db {
    Db::connect(url, 2).expect("connect")
}

fn table_count(conn: &mut DbConnection) -> i64 {
    use diesel::prelude::*;
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let sql = match conn {
        DbConnection::Sqlite(_) => {
            "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '__diesel_schema_migrations'"
        }
        DbConnection::Pg(_) => {
            "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> '__diesel_schema_migrations'"
        }
    };
    diesel::sql_query(sql)
        .get_result::<N>(conn)
        .expect("count tables")
        .n
}

db_test!(migrations_go_up_down_and_up_again, |db| {
    let pool = open(&db.url);
    let mut conn = pool.get().unwrap();
    let tables = table_count(&mut conn);
    assert!(tables >= 10, "expected the schema, found {tables} tables");
    revert_all_migrations(&mut conn).expect("down");
    assert_eq!(
        table_count(&mut conn),
        0,
        "down.sql must remove everything up.sql made"
    );
    run_migrations(&mut conn).expect("up again");
    assert_eq!(table_count(&mut conn), tables);
});

db_test!(sqlite_pragmas_are_set_on_every_connection, |db| {
    let pool = open(&db.url);
    let mut conn = pool.get().unwrap();
    if let DbConnection::Sqlite(_) = &mut *conn {
        use diesel::prelude::*;
        #[derive(QueryableByName)]
        struct Fk {
            #[diesel(sql_type = diesel::sql_types::Integer)]
            foreign_keys: i32,
        }
        let fk: Fk = diesel::sql_query("PRAGMA foreign_keys")
            .get_result(&mut *conn)
            .unwrap();
        assert_eq!(fk.foreign_keys, 1);
        // Foreign keys really are enforced.
        assert!(conn.batch_execute("INSERT INTO users (username, display_name, password_hash, department_id, created_at, updated_at) VALUES ('x','x','x', 999, '2026-01-01 00:00:00', '2026-01-01 00:00:00')").is_err());
    }
});

/// A server's SQLite pool leaves the write-ahead log to its checkpointer: commits do not copy it.
#[test]
fn sqlite_server_pool_checkpoints_in_the_background() {
    use diesel::prelude::*;
    #[derive(QueryableByName)]
    struct Auto {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        wal_autocheckpoint: i32,
    }
    let autocheckpoint = |db: &Db| {
        let mut conn = db.get().unwrap();
        diesel::sql_query("PRAGMA wal_autocheckpoint")
            .get_result::<Auto>(&mut *conn)
            .unwrap()
            .wal_autocheckpoint
    };
    let file = crm_db::testing::TestDb::sqlite();
    let tool = open(&file.url);
    assert_eq!(
        autocheckpoint(&tool),
        1000,
        "other pools keep SQLite's default"
    );
    assert!(tool.last_checkpoint().is_none());

    let server = Db::connect_server(&file.url, 2, std::time::Duration::from_secs(10)).unwrap();
    assert_eq!(autocheckpoint(&server), 0);
    {
        let mut conn = server.get().unwrap();
        // About 2 000 pages: twice what would have made a commit checkpoint by itself.
        conn.batch_execute(
            "CREATE TABLE filler (b BLOB); \
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000) \
             INSERT INTO filler SELECT randomblob(3000) FROM n;",
        )
        .unwrap();
    }
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        if let Some(done) = server.last_checkpoint()
            && done.log >= 2000
            && done.checkpointed == done.log
        {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the checkpointer did not copy the log: {:?}",
            server.last_checkpoint()
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

struct Org {
    company: i64,
    sales: i64,
    sales1: i64,
    sales1_east: i64,
    sales2: i64,
    role_self: i64,
    role_dept: i64,
    role_tree: i64,
    role_all: i64,
}

/// The bootstrap user of `setup`, acting with every permission.
fn root() -> Actor {
    Actor::new(1, Permission::ALL.to_vec(), Visible::All)
}

fn dept(conn: &mut DbConnection, name: &str, parent: Option<i64>) -> i64 {
    departments::create(
        conn,
        &root(),
        &NewDepartment {
            name: name.into(),
            parent_id: parent,
            sort_order: 0,
        },
    )
    .expect("department")
    .id
}

fn role(conn: &mut DbConnection, name: &str, scope: DataScope) -> i64 {
    roles::create(
        conn,
        &root(),
        &NewRole {
            name: name.into(),
            description: None,
            permissions: vec![],
            data_scope: scope,
        },
    )
    .expect("role")
    .id
}

fn user(conn: &mut DbConnection, name: &str, dept: i64, roles: &[i64]) -> i64 {
    users::create(
        conn,
        &root(),
        &NewUser {
            username: name.into(),
            display_name: name.into(),
            password: "unused-here".into(),
            department_id: dept,
            role_ids: roles.to_vec(),
            email: None,
            phone: None,
        },
        "not-a-real-hash",
    )
    .expect("user")
    .id
}

fn setup(conn: &mut DbConnection) -> Org {
    // Audit entries name their actor (a foreign key), so a bootstrap user comes first.
    conn.batch_execute(
        "INSERT INTO departments (name, created_at, updated_at) VALUES ('bootstrap', '2026-01-01 00:00:00', '2026-01-01 00:00:00');
         INSERT INTO users (username, display_name, password_hash, department_id, created_at, updated_at)
           VALUES ('root', 'root', 'x', 1, '2026-01-01 00:00:00', '2026-01-01 00:00:00');",
    )
    .expect("bootstrap");
    let company = dept(conn, "Company", None);
    let sales = dept(conn, "Sales", Some(company));
    let sales1 = dept(conn, "Sales 1", Some(sales));
    let sales1_east = dept(conn, "Sales 1 East", Some(sales1));
    let sales2 = dept(conn, "Sales 2", Some(sales));
    Org {
        company,
        sales,
        sales1,
        sales1_east,
        sales2,
        role_self: role(conn, "salesperson", DataScope::Own),
        role_dept: role(conn, "team lead", DataScope::Department),
        role_tree: role(conn, "manager", DataScope::DepartmentTree),
        role_all: role(conn, "gm", DataScope::All),
    }
}

/// The user as the API resolves them on a request.
fn actor(conn: &mut DbConnection, id: i64) -> Actor {
    let caller = crm_db::callers::load(conn, id).unwrap().unwrap();
    Actor::resolve(
        conn,
        id,
        caller.department.id,
        caller.scope,
        caller.permissions,
    )
    .unwrap()
}

fn visible_usernames(conn: &mut DbConnection, viewer_id: i64) -> Vec<String> {
    let viewer = actor(conn, viewer_id);
    let q = crm_domain::api::UserQuery {
        limit: Some(200),
        ..Default::default()
    };
    let mut names: Vec<String> = users::list(conn, &viewer, &q)
        .unwrap()
        .items
        .into_iter()
        .map(|u| u.username)
        .collect();
    names.sort();
    names
}

db_test!(visibility_follows_scope_tree_moves_and_roles, |db| {
    let pool = open(&db.url);
    let mut c = pool.get().unwrap();
    let conn = &mut *c;
    let o = setup(conn);
    let gm = user(conn, "gm", o.company, &[o.role_all]);
    let dir = user(conn, "dir", o.sales, &[o.role_tree]);
    let m1 = user(conn, "m1", o.sales1, &[o.role_tree]);
    let a1 = user(conn, "a1", o.sales1, &[o.role_self]);
    let b1 = user(conn, "b1", o.sales1, &[o.role_self]);
    let e1 = user(conn, "e1", o.sales1_east, &[o.role_self]);
    let lead2 = user(conn, "lead2", o.sales2, &[o.role_dept]);
    let a2 = user(conn, "a2", o.sales2, &[o.role_self]);

    // self: only oneself.
    assert_eq!(visible_usernames(conn, a1), ["a1"]);
    // department: the department's members, not sub-departments or siblings.
    assert_eq!(visible_usernames(conn, lead2), ["a2", "lead2"]);
    // department_tree: every level below, never siblings or parents.
    assert_eq!(visible_usernames(conn, m1), ["a1", "b1", "e1", "m1"]);
    assert_eq!(
        visible_usernames(conn, dir),
        ["a1", "a2", "b1", "dir", "e1", "lead2", "m1"]
    );
    // all: everyone.
    assert_eq!(visible_usernames(conn, gm).len(), 9);

    // A user moving to another department moves with their records.
    let moved = users::get(conn, &root(), e1).unwrap();
    users::update(
        conn,
        &root(),
        e1,
        &UserPatch {
            department_id: Some(o.sales2),
            version: moved.version,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(visible_usernames(conn, m1), ["a1", "b1", "m1"]);
    assert_eq!(visible_usernames(conn, lead2), ["a2", "e1", "lead2"]);

    // A department moving in the tree moves what its managers see.
    let east = departments::get(conn, o.sales1_east).unwrap();
    let b1_user = users::get(conn, &root(), b1).unwrap();
    users::update(
        conn,
        &root(),
        b1,
        &UserPatch {
            department_id: Some(o.sales1_east),
            version: b1_user.version,
            ..Default::default()
        },
    )
    .unwrap();
    departments::update(
        conn,
        &root(),
        o.sales1_east,
        &DepartmentPatch {
            parent_id: Some(Some(o.sales2)),
            version: east.version,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(visible_usernames(conn, m1), ["a1", "m1"]);

    // Several roles: the widest scope wins.
    let a2_user = users::get(conn, &root(), a2).unwrap();
    users::update(
        conn,
        &root(),
        a2,
        &UserPatch {
            role_ids: Some(vec![o.role_self, o.role_dept]),
            version: a2_user.version,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(visible_usernames(conn, a2), ["a2", "e1", "lead2"]);
    assert_eq!(
        crm_db::callers::load(conn, a2).unwrap().unwrap().scope,
        DataScope::Department
    );
});

db_test!(department_rules, |db| {
    let pool = open(&db.url);
    let mut c = pool.get().unwrap();
    let conn = &mut *c;
    let o = setup(conn);
    // No cycles.
    let sales = departments::get(conn, o.sales).unwrap();
    let err = departments::update(
        conn,
        &root(),
        o.sales,
        &DepartmentPatch {
            parent_id: Some(Some(o.sales1_east)),
            version: sales.version,
            ..Default::default()
        },
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            crm_db::RepoError::Invalid {
                code: ErrorCode::DepartmentCycle,
                ..
            }
        ),
        "{err:?}"
    );
    // Stale version.
    let err = departments::update(
        conn,
        &root(),
        o.sales,
        &DepartmentPatch {
            name: Some("X".into()),
            version: sales.version + 7,
            ..Default::default()
        },
    )
    .unwrap_err();
    assert!(matches!(err, crm_db::RepoError::StaleVersion { .. }));
    // Not empty.
    let err = departments::delete(conn, &root(), o.sales).unwrap_err();
    assert!(matches!(
        err,
        crm_db::RepoError::Conflict {
            code: ErrorCode::DepartmentNotEmpty,
            ..
        }
    ));
    // Duplicate sibling name.
    let err = departments::create(
        conn,
        &root(),
        &NewDepartment {
            name: "Sales 1".into(),
            parent_id: Some(o.sales),
            sort_order: 0,
        },
    )
    .unwrap_err();
    assert!(matches!(
        err,
        crm_db::RepoError::Conflict {
            code: ErrorCode::DuplicateName,
            ..
        }
    ));
    // A leaf without users can go.
    departments::delete(conn, &root(), o.sales1_east).unwrap();
});

db_test!(a_transfer_tells_the_receiver_and_both_managers, |db| {
    use crm_db::schema::notifications;
    use diesel::prelude::*;
    let pool = open(&db.url);
    let mut c = pool.get().unwrap();
    let conn = &mut *c;
    let o = setup(conn);
    let manager = roles::create(
        conn,
        &root(),
        &NewRole {
            name: "mgr".into(),
            description: None,
            permissions: vec![Permission::CustomerReview],
            data_scope: DataScope::DepartmentTree,
        },
    )
    .unwrap()
    .id;
    let m1 = user(conn, "m1", o.sales1, &[manager]);
    let a1 = user(conn, "a1", o.sales1, &[o.role_self]);
    let m2 = user(conn, "m2", o.sales2, &[manager]);
    let a2 = user(conn, "a2", o.sales2, &[o.role_self]);
    // No manager in Sales 1 East: its members' manager is found one level up.
    let e1 = user(conn, "e1", o.sales1_east, &[o.role_self]);
    assert_eq!(crm_db::transfers::managers_of(conn, e1).unwrap(), vec![m1]);
    assert_eq!(crm_db::transfers::managers_of(conn, a2).unwrap(), vec![m2]);

    let new = crm_domain::api::NewCustomer {
        name: "测试客户有限公司".into(),
        short_name: None,
        type_: crm_domain::api::CustomerType::Customer,
        industry_id: None,
        region_id: None,
        source_id: None,
        size: None,
        address: None,
        phone: None,
        website: None,
        owner_id: None,
        notes: None,
    };
    let seller = Actor::new(a1, Permission::ALL.to_vec(), Visible::All);
    crm_db::customers::create(conn, &seller, &new).unwrap();
    let req = crm_domain::api::NewTransfer {
        from_user_id: a1,
        to_user_id: a2,
        customer_ids: None,
        all: Some(true),
        reason: "离职".into(),
        dry_run: false,
    };
    let done = crm_db::transfers::transfer(conn, &root(), &req).unwrap();
    assert_eq!(done.moved["customers"], 1);
    let mut told: Vec<i64> = notifications::table
        .select(notifications::user_id)
        .load(conn)
        .unwrap();
    told.sort_unstable();
    let mut expected = vec![a2, m1, m2];
    expected.sort_unstable();
    assert_eq!(told, expected, "the receiver and both managers, once each");
    let _ = o.company;
});

db_test!(a_read_transaction_reads_the_settings_once, |db| {
    use diesel::connection::{Connection, InstrumentationEvent};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let pool = open(&db.url);
    let mut conn = pool.get().unwrap();
    let reads = Arc::new(AtomicUsize::new(0));
    let counted = reads.clone();
    conn.set_instrumentation(move |event: InstrumentationEvent<'_>| {
        if let InstrumentationEvent::StartQuery { query, .. } = event
            && query.to_string().contains("company_settings")
        {
            counted.fetch_add(1, Ordering::SeqCst);
        }
    });
    // A report asks for the settings, the zone and today: one snapshot, one read.
    crm_db::read_tx(&mut conn, |conn| {
        crm_db::settings::get(conn)?;
        crm_db::settings::zone(conn)?;
        crm_db::settings::today(conn)?;
        Ok::<_, crm_db::RepoError>(())
    })
    .unwrap();
    assert_eq!(reads.load(Ordering::SeqCst), 1);
    // Outside a read transaction each call reads what is there now, and so does the next one.
    crm_db::settings::get(&mut conn).unwrap();
    crm_db::settings::zone(&mut conn).unwrap();
    crm_db::read_tx(&mut conn, |conn| crm_db::settings::get(conn).map(drop)).unwrap();
    assert_eq!(reads.load(Ordering::SeqCst), 4);
});

db_test!(the_scorecard_reads_its_facts_in_one_statement, |db| {
    use diesel::connection::{Connection, InstrumentationEvent};
    use std::sync::{Arc, Mutex};
    let pool = open(&db.url);
    let mut conn = pool.get().unwrap();
    let statements = Arc::new(Mutex::new(Vec::new()));
    let seen = statements.clone();
    conn.set_instrumentation(move |event: InstrumentationEvent<'_>| {
        if let InstrumentationEvent::StartQuery { query, .. } = event {
            seen.lock().unwrap().push(query.to_string());
        }
    });
    let q = crm_domain::api::ScorecardQuery::default();
    crm_db::read_tx(&mut conn, |conn| {
        crm_db::reports::scorecard(conn, &root(), &q, crm_domain::Lang::En)
    })
    .unwrap();
    // Activities, new customers, deals, sales, receipts, expenses, tickets, level moves and the
    // overdue money: summaries and rows, one round trip.
    let facts: Vec<String> = statements
        .lock()
        .unwrap()
        .iter()
        .filter(|s| {
            [
                "activity_days",
                "activities a",
                "customer_days",
                "opportunities",
                "sales_months",
                "receipt_",
                "expenses",
                "tickets",
                "customer_level_times",
                "receivable_",
            ]
            .iter()
            .any(|t| s.contains(t))
        })
        .cloned()
        .collect();
    assert_eq!(facts.len(), 1, "{facts:#?}");
});
