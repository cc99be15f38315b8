//! Receivables (应收帐款) and their aging (账龄): computed in SQL from payment plans and the
//! allocations of receipts, for signed business within the caller's scope, on the company's calendar.

use crate::orders::installment_received;
use crate::schema::{customers as c, departments, orders as o, payment_installments as pi, users};
use crate::visibility::{Visible, VisibleTo};
use crate::{DbConnection, RepoResult};
use chrono::NaiveDate;
use crm_domain::Money;
use crm_domain::api::{AgingAmounts, AgingGroup, AgingReport, AgingRow, IdName, Receivable};
use crm_domain::order::{AgingBucket, OrderStatus};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use std::collections::BTreeMap;

fn signed() -> Vec<&'static str> {
    OrderStatus::SIGNED.iter().map(|s| s.as_str()).collect()
}

#[derive(Debug, Clone, Default)]
pub struct ReceivableFilter {
    pub owner_id: Option<i64>,
    pub department_id: Option<i64>,
    pub customer_id: Option<i64>,
    /// Only those past their due date.
    pub overdue: bool,
    /// Keyset: after this `(due_date, installment id)`.
    pub after: Option<(NaiveDate, i64)>,
    pub limit: i64,
}

type Row = (
    (i64, i64, String, i64, String),
    (i64, String, i64, String),
    (NaiveDate, i64, i64),
);

/// One row per unpaid or part-paid installment of signed orders the caller sees, by due date.
pub fn list(
    conn: &mut DbConnection,
    visible: &Visible,
    f: &ReceivableFilter,
    today: NaiveDate,
) -> RepoResult<Vec<Receivable>> {
    let mut q = pi::table
        .inner_join(
            o::table
                .inner_join(c::table)
                .inner_join(users::table.inner_join(departments::table)),
        )
        .filter(o::status.eq_any(signed()))
        .filter(pi::amount.gt(installment_received()))
        .select((
            (pi::id, o::id, o::number, o::customer_id, c::name),
            (
                o::owner_id,
                users::display_name,
                users::department_id,
                departments::name,
            ),
            (pi::due_date, pi::amount, installment_received()),
        ))
        .order((pi::due_date, pi::id))
        .limit(f.limit)
        .into_boxed()
        .visible_to(o::owner_id, visible);
    if let Some(v) = f.owner_id {
        q = q.filter(o::owner_id.eq(v));
    }
    if let Some(v) = f.department_id {
        q = q.filter(users::department_id.eq(v));
    }
    if let Some(v) = f.customer_id {
        q = q.filter(o::customer_id.eq(v));
    }
    if f.overdue {
        q = q.filter(pi::due_date.lt(today));
    }
    if let Some((d, id)) = f.after {
        q = q.filter(pi::due_date.gt(d).or(pi::due_date.eq(d).and(pi::id.gt(id))));
    }
    let rows: Vec<Row> = q.load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(head, who, money)| {
            let (installment_id, order_id, number, customer_id, customer) = head;
            let (owner_id, owner, dept_id, dept) = who;
            let (due_date, amount, received) = money;
            let days_overdue = (today - due_date).num_days().max(0);
            Receivable {
                installment_id,
                order: IdName {
                    id: order_id,
                    name: number,
                },
                customer: IdName {
                    id: customer_id,
                    name: customer,
                },
                owner: IdName {
                    id: owner_id,
                    name: owner,
                },
                department: IdName {
                    id: dept_id,
                    name: dept,
                },
                due_date,
                amount: Money::from_minor(amount),
                received: Money::from_minor(received),
                outstanding: Money::from_minor(amount - received),
                days_overdue,
                bucket: AgingBucket::for_days(days_overdue),
            }
        })
        .collect())
}

/// The due dates of a bucket as `[from, to)` (either side open), counted back from `today`.
fn bucket_range(bucket: AgingBucket, today: NaiveDate) -> (Option<NaiveDate>, Option<NaiveDate>) {
    let back = |days: u64| today.checked_sub_days(chrono::Days::new(days));
    match bucket {
        AgingBucket::NotDue => (Some(today), None),
        AgingBucket::D1_30 => (back(30), Some(today)),
        AgingBucket::D31_60 => (back(60), back(30)),
        AgingBucket::D61_90 => (back(90), back(60)),
        AgingBucket::Over90 => (None, back(90)),
    }
}

/// Outstanding money of the installments summed in SQL (amount less what was applied to each).
fn outstanding_sum() -> diesel::expression::SqlLiteral<BigInt> {
    sql::<BigInt>(
        "CAST(COALESCE(SUM(payment_installments.amount - (SELECT COALESCE(SUM(ra3.amount), 0) FROM receipt_allocations ra3 WHERE ra3.installment_id = payment_installments.id)), 0) AS BIGINT)",
    )
}

/// One bucket's outstanding per group key: `(key id, amount)`.
macro_rules! bucket_query {
    ($conn:expr, $visible:expr, $from:expr, $to:expr, $id:expr) => {{
        let mut q = pi::table
            .inner_join(
                o::table
                    .inner_join(c::table)
                    .inner_join(users::table.inner_join(departments::table)),
            )
            .filter(o::status.eq_any(signed()))
            .group_by($id)
            .select(($id, outstanding_sum()))
            .into_boxed()
            .visible_to(o::owner_id, $visible);
        if let Some(d) = $from {
            q = q.filter(pi::due_date.ge(d));
        }
        if let Some(d) = $to {
            q = q.filter(pi::due_date.lt(d));
        }
        q.load::<(i64, i64)>($conn)?
    }};
}

/// The names of the group keys.
fn key_names(
    conn: &mut DbConnection,
    group_by: AgingGroup,
    ids: Vec<i64>,
) -> QueryResult<Vec<(i64, String)>> {
    match group_by {
        AgingGroup::Owner => users::table
            .filter(users::id.eq_any(ids))
            .select((users::id, users::display_name))
            .load(conn),
        AgingGroup::Department => departments::table
            .filter(departments::id.eq_any(ids))
            .select((departments::id, departments::name))
            .load(conn),
        AgingGroup::Customer => c::table
            .filter(c::id.eq_any(ids))
            .select((c::id, c::name))
            .load(conn),
    }
}

/// 账龄分析: outstanding receivables per owner, department or customer in the five buckets.
pub fn aging(
    conn: &mut DbConnection,
    visible: &Visible,
    group_by: AgingGroup,
    today: NaiveDate,
) -> RepoResult<AgingReport> {
    let mut rows: BTreeMap<i64, AgingRow> = BTreeMap::new();
    let mut totals = AgingAmounts::default();
    for bucket in AgingBucket::ALL {
        let (from, to) = bucket_range(bucket, today);
        let sums = match group_by {
            AgingGroup::Owner => bucket_query!(conn, visible, from, to, o::owner_id),
            AgingGroup::Department => {
                bucket_query!(conn, visible, from, to, users::department_id)
            }
            AgingGroup::Customer => bucket_query!(conn, visible, from, to, o::customer_id),
        };
        for (id, amount) in sums.into_iter().filter(|s| s.1 != 0) {
            let amount = Money::from_minor(amount);
            let row = rows.entry(id).or_insert_with(|| AgingRow {
                key: IdName {
                    id,
                    name: String::new(),
                },
                amounts: AgingAmounts::default(),
            });
            let overflow = || crate::RepoError::rule("amount_too_large", "the sums are too large");
            row.amounts.add(bucket, amount).ok_or_else(overflow)?;
            totals.add(bucket, amount).ok_or_else(overflow)?;
        }
    }
    let names = key_names(conn, group_by, rows.keys().copied().collect())?;
    for (id, name) in names {
        if let Some(row) = rows.get_mut(&id) {
            row.key.name = name;
        }
    }
    let mut rows: Vec<AgingRow> = rows.into_values().collect();
    rows.sort_by(|a, b| {
        b.amounts
            .total
            .cmp(&a.amounts.total)
            .then_with(|| a.key.name.cmp(&b.key.name))
    });
    Ok(AgingReport {
        group_by,
        as_of: today,
        rows,
        totals,
    })
}
