//! An import's batches: a row that became a customer meanwhile (someone created it after the
//! check) rolls its batch back; the batch is made again without it, the row is reported, and the
//! import's counts add up.

#![allow(clippy::unwrap_used)]

use crm_db::imports::{self, Checked, Valid};
use crm_db::visibility::Visible;
use crm_db::{Actor, customers, db_test};
use crm_domain::api::{ImportKind, ImportStatus, NewCustomer};
use crm_domain::{Lang, Permission};
use serde_json::json;

fn new(name: &str, phone: &str) -> NewCustomer {
    serde_json::from_value(json!({"name": name, "phone": phone})).unwrap()
}

db_test!(
    a_row_refused_at_creation_leaves_its_batch_made_without_it,
    |db| {
        let (pool, actor) = db.with_root();
        let mut c = pool.get().unwrap();
        let conn = &mut *c;
        let rows: Vec<(u32, NewCustomer)> = (0..300)
            .map(|i| {
                (
                    i + 2,
                    new(
                        &format!("批次{i:03}号商贸有限公司"),
                        &format!("0531-8{i:06}"),
                    ),
                )
            })
            .collect();
        let checked = Checked {
            total: 300,
            valid: Valid::Customers(rows.clone()),
            ..Checked::default()
        };
        let started = imports::start(
            conn,
            &actor,
            ImportKind::Customers,
            "x.csv",
            false,
            &checked,
        )
        .unwrap();
        // Between the check and the creation, someone creates row 12's customer (same phone).
        customers::create(conn, &actor, &new("别人先建的有限公司", "0531-8000010")).unwrap();
        imports::create_all(conn, &actor, started.id, Lang::En, Valid::Customers(rows)).unwrap();
        let done = imports::get(conn, &actor, started.id).unwrap();
        assert_eq!(done.status, ImportStatus::Done);
        assert_eq!(done.created, 299);
        assert_eq!(done.processed, 300);
        assert_eq!(done.errors.len(), 1, "{:?}", done.errors);
        assert_eq!(done.errors[0].row, 12);
        assert_eq!(done.errors[0].field, "phone");
        assert_eq!(done.errors[0].code, "duplicate_customer");
        let everyone: i64 = {
            use diesel::prelude::*;
            crm_db::schema::customers::table
                .count()
                .get_result(conn)
                .unwrap()
        };
        assert_eq!(everyone, 300, "299 imported and the one made meanwhile");
    }
);

db_test!(a_run_that_lost_its_server_reads_as_failed, |db| {
    use diesel::prelude::*;
    let (pool, actor) = db.with_root();
    let mut c = pool.get().unwrap();
    let conn = &mut *c;
    let checked = Checked {
        total: 1,
        valid: Valid::Customers(vec![(2, new("未完成的导入有限公司", "0531-1"))]),
        ..Checked::default()
    };
    let started = imports::start(
        conn,
        &actor,
        ImportKind::Customers,
        "x.csv",
        false,
        &checked,
    )
    .unwrap();
    // A run that is still being made reads as running...
    assert_eq!(
        imports::get(conn, &actor, started.id).unwrap().status,
        ImportStatus::Running
    );
    // ...one whose last batch was eleven minutes ago has lost its server.
    let long_ago = crm_db::now() - chrono::Duration::minutes(11);
    diesel::update(crm_db::schema::imports::table.find(started.id))
        .set(crm_db::schema::imports::touched_at.eq(long_ago))
        .execute(conn)
        .unwrap();
    let lost = imports::get(conn, &actor, started.id).unwrap();
    assert_eq!(lost.status, ImportStatus::Failed);
    assert!(lost.finished_at.is_some());
    // Someone else's import is not found at all.
    let other = Actor::new(2, Permission::ALL.to_vec(), Visible::All);
    assert!(matches!(
        imports::get(conn, &other, started.id),
        Err(crm_db::RepoError::NotFound)
    ));
});
