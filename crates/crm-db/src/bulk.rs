//! Bulk loading for the data generator (`crm generate`): rows with explicit ids, inserted many per
//! statement, into an empty database. Not for the application's own writes, which go through the
//! repositories and their rules.

use crate::DbConnection;
use crate::schema::{
    activities, articles, contacts, customers, expenses, opportunities, opportunity_moves,
    order_lines, orders, payment_installments, receipt_allocations, receipts, reminders,
    ticket_events, tickets,
};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = customers)]
pub struct CustomerRow {
    pub id: i64,
    pub name: String,
    pub name_key: String,
    pub short_name: Option<String>,
    pub customer_type: String,
    pub level: String,
    pub grade: Option<i16>,
    pub industry_id: Option<i64>,
    pub region_id: Option<i64>,
    pub source_id: Option<i64>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub phone_key: Option<String>,
    pub website: Option<String>,
    pub website_key: Option<String>,
    pub owner_id: i64,
    pub review_status: String,
    pub signed_total: i64,
    pub last_contact_at: Option<NaiveDateTime>,
    pub created_by: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub owner_since: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = contacts)]
pub struct ContactRow {
    pub id: i64,
    pub customer_id: i64,
    pub name: String,
    pub title: Option<String>,
    pub mobile: Option<String>,
    pub is_key: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = activities)]
pub struct ActivityRow {
    pub id: i64,
    pub customer_id: i64,
    pub contact_id: Option<i64>,
    pub owner_id: i64,
    pub type_id: i64,
    pub occurred_at: NaiveDateTime,
    pub summary: String,
    pub outcome: Option<String>,
    pub next_step_on: Option<NaiveDate>,
    pub next_step_note: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = reminders)]
pub struct ReminderRow {
    pub id: i64,
    pub user_id: i64,
    pub customer_id: i64,
    pub activity_id: Option<i64>,
    pub due_on: NaiveDate,
    pub note: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = orders)]
pub struct OrderRow {
    pub id: i64,
    pub number: String,
    pub customer_id: i64,
    pub owner_id: i64,
    pub status: String,
    pub signed_on: Option<NaiveDate>,
    pub service_start: Option<NaiveDate>,
    pub service_end: Option<NaiveDate>,
    pub total: i64,
    pub created_by: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = order_lines)]
pub struct OrderLineRow {
    pub id: i64,
    pub order_id: i64,
    pub line_no: i32,
    pub product_id: i64,
    pub quantity: i32,
    pub unit_price: i64,
    pub discount: i64,
    pub amount: i64,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = payment_installments)]
pub struct InstallmentRow {
    pub id: i64,
    pub order_id: i64,
    pub due_date: NaiveDate,
    pub amount: i64,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = receipts)]
pub struct ReceiptRow {
    pub id: i64,
    pub order_id: i64,
    pub amount: i64,
    pub received_on: NaiveDate,
    pub method_id: i64,
    pub recorded_by: i64,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = receipt_allocations)]
pub struct AllocationRow {
    pub id: i64,
    pub receipt_id: i64,
    pub installment_id: i64,
    pub amount: i64,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = opportunities)]
pub struct OpportunityRow {
    pub id: i64,
    pub customer_id: i64,
    pub customer_owner_id: i64,
    pub owner_id: i64,
    pub title: String,
    pub stage_id: i64,
    pub amount: i64,
    pub probability: i16,
    pub expected_close_on: Option<NaiveDate>,
    pub status: String,
    pub lost_reason: Option<String>,
    pub closed_on: Option<NaiveDate>,
    pub opened_on: Option<NaiveDate>,
    pub created_by: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = opportunity_moves)]
pub struct OpportunityMoveRow {
    pub id: i64,
    pub opportunity_id: i64,
    pub stage_id: i64,
    pub status: String,
    pub moved_by: i64,
    pub moved_at: NaiveDateTime,
}

/// A customer's level move as its history records it (an `audit_log` entry `level`).
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = crate::schema::audit_log)]
pub struct LevelMoveRow {
    pub at: NaiveDateTime,
    pub user_id: Option<i64>,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<i64>,
    pub customer_id: Option<i64>,
    pub changes: String,
}

/// Rows per statement: both databases bind at most ~32k parameters per statement.
fn chunk_rows(columns: usize) -> usize {
    (30_000 / columns.max(1)).max(1)
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = articles)]
pub struct ArticleRow {
    pub id: i64,
    pub kind: String,
    pub category_id: Option<i64>,
    pub title: String,
    pub body: String,
    pub tags: String,
    pub pinned: bool,
    pub status: String,
    pub author_id: i64,
    pub published_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

macro_rules! bulk_insert {
    ($name:ident, $row:ty, $table:path, $columns:expr) => {
        /// Inserts the rows, many per statement.
        pub fn $name(conn: &mut DbConnection, rows: &[$row]) -> QueryResult<()> {
            for chunk in rows.chunks(chunk_rows($columns)) {
                // diesel's multi-backend connection inserts one row at a time; each backend batches.
                match conn {
                    DbConnection::Sqlite(c) => diesel::insert_into($table).values(chunk).execute(c),
                    DbConnection::Pg(c) => diesel::insert_into($table).values(chunk).execute(c),
                }?;
            }
            Ok(())
        }
    };
}

bulk_insert!(insert_customers, CustomerRow, customers::table, 23);
bulk_insert!(insert_contacts, ContactRow, contacts::table, 8);
bulk_insert!(insert_activities, ActivityRow, activities::table, 12);
bulk_insert!(insert_reminders, ReminderRow, reminders::table, 8);
bulk_insert!(insert_orders, OrderRow, orders::table, 12);
bulk_insert!(insert_order_lines, OrderLineRow, order_lines::table, 8);
bulk_insert!(
    insert_installments,
    InstallmentRow,
    payment_installments::table,
    5
);
bulk_insert!(insert_receipts, ReceiptRow, receipts::table, 7);
bulk_insert!(
    insert_opportunities,
    OpportunityRow,
    opportunities::table,
    16
);
bulk_insert!(
    insert_opportunity_moves,
    OpportunityMoveRow,
    opportunity_moves::table,
    6
);
bulk_insert!(insert_expenses, ExpenseRow, expenses::table, 15);
bulk_insert!(
    insert_level_moves,
    LevelMoveRow,
    crate::schema::audit_log::table,
    7
);
bulk_insert!(insert_tickets, TicketRow, tickets::table, 20);
bulk_insert!(insert_articles, ArticleRow, articles::table, 12);
bulk_insert!(
    insert_ticket_events,
    TicketEventRow,
    ticket_events::table,
    8
);
bulk_insert!(
    insert_allocations,
    AllocationRow,
    receipt_allocations::table,
    4
);

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = expenses)]
pub struct ExpenseRow {
    pub id: i64,
    pub spender_id: i64,
    pub department_id: i64,
    pub spent_on: NaiveDate,
    pub amount: i64,
    pub category_id: i64,
    pub description: String,
    pub customer_id: Option<i64>,
    pub status: String,
    pub decided_by: Option<i64>,
    pub decided_at: Option<NaiveDateTime>,
    pub reason: Option<String>,
    pub created_by: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = tickets)]
pub struct TicketRow {
    pub id: i64,
    pub number: String,
    pub kind: String,
    pub customer_id: i64,
    pub customer_owner_id: i64,
    pub order_id: Option<i64>,
    pub priority: String,
    pub subject: String,
    pub description: Option<String>,
    pub status: String,
    pub assignee_id: Option<i64>,
    pub resolution: Option<String>,
    pub satisfaction: Option<i16>,
    pub due_at: NaiveDateTime,
    pub resolved_at: Option<NaiveDateTime>,
    pub closed_at: Option<NaiveDateTime>,
    pub created_by: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = ticket_events)]
pub struct TicketEventRow {
    pub id: i64,
    pub ticket_id: i64,
    pub kind: String,
    pub status: Option<String>,
    pub assignee_id: Option<i64>,
    pub body: Option<String>,
    pub user_id: i64,
    pub at: NaiveDateTime,
}

/// Every user's department, for rows that keep the department they were made in.
pub fn user_departments(conn: &mut DbConnection) -> QueryResult<Vec<(i64, i64)>> {
    use crate::schema::users;
    users::table
        .select((users::id, users::department_id))
        .load(conn)
}

/// The search index rows of new customers and their contacts (see `crate::search`).
pub fn search_rows(customers: &[CustomerRow], contacts: &[ContactRow]) -> Vec<(i64, i64, i64)> {
    let mut people: std::collections::HashMap<i64, Vec<&str>> = std::collections::HashMap::new();
    for k in contacts {
        people.entry(k.customer_id).or_default().push(&k.name);
    }
    let mut rows = Vec::new();
    for x in customers {
        let names = people.get(&x.id).into_iter().flatten().copied();
        rows.extend(crate::search::rows(
            x.id,
            x.owner_id,
            &x.name,
            x.short_name.as_deref(),
            x.phone.as_deref(),
            names,
        ));
    }
    rows
}

/// The document-number counters of a kind: the last sequence handed out per day, so that documents
/// created later continue after the generated ones.
pub fn insert_numbers(
    conn: &mut DbConnection,
    kind: crate::numbering::Numbered,
    days: &[(NaiveDate, i32)],
) -> QueryResult<()> {
    use crate::schema::document_numbers as n;
    for chunk in days.chunks(chunk_rows(3)) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|(day, last)| {
                (
                    n::kind.eq(kind.prefix()),
                    n::day.eq(*day),
                    n::last_seq.eq(*last),
                )
            })
            .collect();
        match conn {
            DbConnection::Sqlite(c) => diesel::insert_into(n::table).values(&rows).execute(c),
            DbConnection::Pg(c) => diesel::insert_into(n::table).values(&rows).execute(c),
        }?;
    }
    Ok(())
}

/// After rows were inserted with explicit ids, PostgreSQL's identity sequences must continue after
/// them (SQLite's AUTOINCREMENT follows by itself).
pub fn reset_sequences(conn: &mut DbConnection) -> QueryResult<()> {
    use diesel::connection::SimpleConnection;
    if let DbConnection::Pg(c) = conn {
        for table in [
            "customers",
            "contacts",
            "activities",
            "reminders",
            "orders",
            "order_lines",
            "payment_installments",
            "receipts",
            "receipt_allocations",
            "opportunities",
            "opportunity_moves",
            "expenses",
            "tickets",
            "ticket_events",
            "articles",
        ] {
            c.batch_execute(&format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
            ))?;
        }
    }
    Ok(())
}

/// How a bulk load into this database goes (see [`begin_load`]).
#[derive(Debug, Clone, Copy)]
pub struct Load {
    /// The search index is filled at the end, in its own key order, and its second index made
    /// after it ([`finish_search_index`]), instead of batch by batch.
    pub defer_search_index: bool,
}

/// Prepares an empty database for a bulk load. On SQLite: no waiting for the disk (a crash means
/// starting over anyway), a larger page cache for the indexes' hot pages, and the search index
/// deferred: each batch's rows land all over it (every bigram and run of digits), and at a million
/// customers that scattered writing took a quarter of the run (492 s against 365 s). PostgreSQL
/// gained nothing from deferring it (498 s per batch, 513 s at the end), so it keeps up.
pub fn begin_load(conn: &mut DbConnection) -> QueryResult<Load> {
    use diesel::connection::SimpleConnection;
    match conn {
        DbConnection::Sqlite(c) => {
            c.batch_execute(
                "PRAGMA synchronous = OFF; PRAGMA cache_size = -262144; \
                 DROP INDEX customer_grams_customer;",
            )?;
            Ok(Load {
                defer_search_index: true,
            })
        }
        DbConnection::Pg(_) => Ok(Load {
            defer_search_index: false,
        }),
    }
}

/// Makes the search index's index by customer again (after a deferred fill).
pub fn finish_search_index(conn: &mut DbConnection) -> QueryResult<()> {
    use diesel::connection::SimpleConnection;
    conn.batch_execute("CREATE INDEX customer_grams_customer ON customer_grams (customer_id)")
}

/// Ends a bulk load: the planner's statistics (and on PostgreSQL the visibility map that lets the
/// pipeline's sums come from the index alone, as autovacuum would after a while), and SQLite's
/// usual durability again.
pub fn finish_load(conn: &mut DbConnection) -> QueryResult<()> {
    use diesel::connection::SimpleConnection;
    match conn {
        DbConnection::Pg(c) => c.batch_execute("VACUUM ANALYZE"),
        DbConnection::Sqlite(c) => {
            c.batch_execute("PRAGMA synchronous = NORMAL; PRAGMA cache_size = -2000; ANALYZE")
        }
    }
}

/// The demo company's past: when a customer came and its owner got it (the company is older than
/// its seeding: the pool's rules count from this, the reports' new customers fall in that month).
pub fn set_owner_since(conn: &mut DbConnection, id: i64, at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(customers::table.find(id))
        .set((
            customers::owner_since.eq(Some(at)),
            customers::created_at.eq(at),
        ))
        .execute(conn)
        .map(drop)
}

/// The demo's level moves, made in one sitting, spread over each customer's time with its owner:
/// its `k`-th move some days after the one before (from `gap(customer, k)`), never later than an
/// hour ago — so that the level funnel's times look like a company's.
pub fn spread_level_moves(
    conn: &mut DbConnection,
    gap: impl Fn(i64, usize) -> chrono::Duration,
) -> QueryResult<usize> {
    use crate::schema::audit_log as a;
    let moves: Vec<(i64, i64, NaiveDateTime)> = a::table
        .inner_join(customers::table.on(customers::id.nullable().eq(a::customer_id)))
        .filter(a::action.eq("level"))
        .order((customers::id, a::id))
        .select((a::id, customers::id, customers::created_at))
        .load(conn)?;
    let latest = chrono::Utc::now().naive_utc() - chrono::Duration::hours(1);
    let (mut customer, mut k, mut at) = (0, 0, NaiveDateTime::default());
    for (id, c, created) in &moves {
        if *c != customer {
            (customer, k, at) = (*c, 0, *created);
        }
        at = (at + gap(*c, k)).min(latest);
        k += 1;
        diesel::update(a::table.find(id))
            .set(a::at.eq(at))
            .execute(conn)?;
    }
    Ok(moves.len())
}
