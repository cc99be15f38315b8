//! Receivables (应收帐款) and their aging (账龄), for signed business within the caller's scope, on
//! the company's calendar. Triggers keep on each installment its order's owner, whether the order is
//! in force and what was applied to it, so open installments have their own indexes; and they keep
//! the outstanding money per owner and due date (`receivable_days`), which the aging report sums.

use crate::actor::Actor;
use crate::paging::{PageRequest, row_after};
use crate::schema::{
    customers as c, departments, orders as o, payment_installments as pi, receivable_days as rd,
    receivable_months as rm, users,
};
use crate::visibility::{Visible, VisibleTo};
use crate::{DbConnection, RepoResult};
use chrono::{Datelike, NaiveDate};
use crm_domain::Money;
use crm_domain::api::{
    AgingAmounts, AgingGroup, AgingQuery, AgingReport, AgingRow, IdName, Page, Receivable,
    ReceivableQuery,
};
use crm_domain::order::AgingBucket;
use diesel::dsl::sql;
use diesel::expression::SqlLiteral;
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use std::collections::BTreeMap;

/// An installment of an order in force with money still to come, in the words of the partial
/// indexes `payment_installments_open*` (so that both databases use them).
pub(crate) fn open() -> diesel::expression::SqlLiteral<diesel::sql_types::Bool> {
    sql::<diesel::sql_types::Bool>(
        "(payment_installments.in_force AND payment_installments.amount > payment_installments.received)",
    )
}

type Row = (
    (i64, i64, String, i64, String),
    (i64, String, i64, String),
    (NaiveDate, i64, i64),
);

type Key = (NaiveDate, i64);

/// One row per unpaid or part-paid installment of signed orders the actor sees, by due date
/// (overdue on the company's calendar), a page at a time.
pub fn list(
    conn: &mut DbConnection,
    actor: &Actor,
    f: &ReceivableQuery,
) -> RepoResult<Page<Receivable>> {
    let request = PageRequest::<Key>::new(f.limit, f.cursor.as_deref(), "receivables")?;
    let today = crate::settings::today(conn)?;
    let visible = &actor.visible;
    let (after, limit, overdue) = (request.after, request.fetch(), f.overdue.unwrap_or(false));
    // The page's installments first, from the open-installment indexes alone, then their orders,
    // customers and owners. A few owners' pages are merged from each owner's own index range.
    let page = |conn: &mut DbConnection, visible: &Visible| -> QueryResult<Vec<(NaiveDate, i64)>> {
        let mut q = pi::table
            .filter(open())
            .select((pi::due_date, pi::id))
            .order((pi::due_date, pi::id))
            .limit(limit)
            .into_boxed()
            .visible_to(pi::owner_id.assume_not_null(), visible);
        if let Some(v) = f.owner_id {
            q = q.filter(pi::owner_id.eq(v));
        }
        if let Some(v) = f.department_id {
            q = q.filter(
                pi::owner_id.assume_not_null().eq_any(
                    users::table
                        .filter(users::department_id.eq(v))
                        .select(users::id),
                ),
            );
        }
        if let Some(v) = f.customer_id {
            q = q.filter(pi::order_id.eq_any(o::table.filter(o::customer_id.eq(v)).select(o::id)));
        }
        if overdue {
            q = q.filter(pi::due_date.lt(today));
        }
        if let Some((d, id)) = after {
            q = q.filter(row_after(pi::due_date, pi::id, d, id, false));
        }
        q.load(conn)
    };
    // Pages of a few owners are merged from their own index ranges (`crate::paging::merged`).
    let ids: Vec<i64> = match crate::paging::merge_owners(visible) {
        Some(owners) if f.owner_id.is_none() => {
            crate::paging::merged(owners, limit, false, |owner| {
                Ok(page(conn, &Visible::Owners(vec![owner]))?)
            })?
        }
        _ => page(conn, visible)?.into_iter().map(|(_, id)| id).collect(),
    };
    let mut rows: Vec<Row> = pi::table
        .inner_join(
            o::table
                .inner_join(c::table)
                .inner_join(users::table.inner_join(departments::table)),
        )
        .filter(pi::id.eq_any(&ids))
        .select((
            (pi::id, o::id, o::number, o::customer_id, c::name),
            (
                o::owner_id,
                users::display_name,
                users::department_id,
                departments::name,
            ),
            (pi::due_date, pi::amount, pi::received),
        ))
        .load(conn)?;
    rows.sort_by_key(|r| (r.2.0, r.0.0));
    let items = rows
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
        .collect();
    Ok(request.page(items, |x: &Receivable| (x.due_date, x.installment_id)))
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

/// The five buckets' sums of `amount` by `due` (a date column), in SQL. The dates are the server's
/// own (from `today`), written as ISO literals, which both databases compare as dates.
fn bucket_sums(due: &str, amount: &str, today: NaiveDate) -> [SqlLiteral<BigInt>; 5] {
    AgingBucket::ALL.map(|bucket| {
        let (from, to) = bucket_range(bucket, today);
        let mut when = Vec::new();
        if let Some(d) = from {
            when.push(format!("{due} >= '{}'", d.format("%Y-%m-%d")));
        }
        if let Some(d) = to {
            when.push(format!("{due} < '{}'", d.format("%Y-%m-%d")));
        }
        // SUM of a BIGINT is NUMERIC on PostgreSQL: cast back, the total of fen fits in 64 bits.
        sql::<BigInt>(&format!(
            "CAST(COALESCE(SUM(CASE WHEN {} THEN {amount} ELSE 0 END), 0) AS BIGINT)",
            when.join(" AND ")
        ))
    })
}

pub(crate) type BucketRow = (i64, i64, i64, i64, i64, i64);

/// The outstanding money per group key in the five buckets, within scope, as rows to add up (a
/// key may have several). Owners and departments are summed from the summaries per month and
/// per day; customers from the open installments.
pub(crate) fn outstanding(
    conn: &mut DbConnection,
    visible: &Visible,
    group_by: AgingGroup,
    today: NaiveDate,
) -> QueryResult<Vec<BucketRow>> {
    match group_by {
        AgingGroup::Owner | AgingGroup::Department => {
            // Every month from the summary per month, each in the bucket of one of its days: a
            // month no bucket edge cuts lies wholly in one bucket; a month an edge cuts is put in
            // the bucket of its larger side, and the money due on the days of the smaller side is
            // moved to theirs, summed from the summary per day (a week of days or so per edge,
            // not the three months of days around them).
            let cuts = edge_cuts(today);
            let month = if cuts.is_empty() {
                "receivable_months.month".to_string()
            } else {
                let whens: Vec<String> = cuts
                    .iter()
                    .map(|c| {
                        format!(
                            "WHEN {} THEN {}",
                            crate::reports::date_literal(c.month),
                            crate::reports::date_literal(c.put_at)
                        )
                    })
                    .collect();
                format!(
                    "(CASE receivable_months.month {} ELSE receivable_months.month END)",
                    whens.join(" ")
                )
            };
            let [s1, s2, s3, s4, s5] = bucket_sums(&month, "receivable_months.outstanding", today);
            let moved =
                || sql::<BigInt>("CAST(COALESCE(SUM(receivable_days.outstanding), 0) AS BIGINT)");
            // Grouped by the key, within scope.
            macro_rules! by_key {
                ($key:expr, $day_key:expr) => {{
                    let mut rows = rm::table
                        .inner_join(users::table.on(users::id.eq(rm::owner_id)))
                        .group_by($key)
                        .select(($key, s1, s2, s3, s4, s5))
                        .into_boxed()
                        .visible_to(rm::owner_id, visible)
                        .load::<BucketRow>(conn)?;
                    for cut in &cuts {
                        let (from, to) = cut.moved;
                        let (out, into) =
                            (bucket_index(cut.put_at, today), bucket_index(from, today));
                        for (key, amount) in rd::table
                            .inner_join(users::table.on(users::id.eq(rd::owner_id)))
                            .filter(rd::due_date.ge(from).and(rd::due_date.lt(to)))
                            .group_by($day_key)
                            .select(($day_key, moved()))
                            .into_boxed()
                            .visible_to(rd::owner_id, visible)
                            .load::<(i64, i64)>(conn)?
                        {
                            let mut sums = [0i64; 5];
                            sums[out] -= amount;
                            sums[into] += amount;
                            let [a, b, c, d, e] = sums;
                            rows.push((key, a, b, c, d, e));
                        }
                    }
                    rows
                }};
            }
            Ok(if group_by == AgingGroup::Owner {
                by_key!(rm::owner_id, rd::owner_id)
            } else {
                by_key!(users::department_id, users::department_id)
            })
        }
        AgingGroup::Customer => {
            let [a, b, c_, d, e] = bucket_sums(
                "payment_installments.due_date",
                "payment_installments.amount - payment_installments.received",
                today,
            );
            pi::table
                .inner_join(o::table)
                .filter(open())
                .group_by(o::customer_id)
                .select((o::customer_id, a, b, c_, d, e))
                .into_boxed()
                .visible_to(pi::owner_id.assume_not_null(), visible)
                .load(conn)
        }
    }
}

/// A month a bucket edge cuts (an edge on the first of a month cuts nothing): the aging puts the
/// month's money in the bucket of `put_at`, a day of its larger side, and moves what is due on
/// the days `moved` (`[from, to)`, the smaller side) to their own bucket.
struct EdgeCut {
    month: NaiveDate,
    put_at: NaiveDate,
    moved: (NaiveDate, NaiveDate),
}

/// The months the buckets' edges (today, 30, 60 and 90 days back) cut. The edges are 30 days
/// apart, so no month holds two of them past its first day.
fn edge_cuts(today: NaiveDate) -> Vec<EdgeCut> {
    AgingBucket::ALL
        .into_iter()
        .filter_map(|b| bucket_range(b, today).0)
        .filter_map(|edge| {
            let month = edge.with_day(1)?;
            let next = month.checked_add_months(chrono::Months::new(1))?;
            let last = next.pred_opt()?;
            if edge == month {
                return None;
            }
            Some(if edge - month <= next - edge {
                EdgeCut {
                    month,
                    put_at: last,
                    moved: (month, edge),
                }
            } else {
                EdgeCut {
                    month,
                    put_at: month,
                    moved: (edge, next),
                }
            })
        })
        .collect()
}

/// The position in [`AgingBucket::ALL`] of a due date's bucket (the domain's rule).
fn bucket_index(due: NaiveDate, today: NaiveDate) -> usize {
    let bucket = AgingBucket::for_days((today - due).num_days());
    AgingBucket::ALL
        .iter()
        .position(|b| *b == bucket)
        .unwrap_or_default()
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
/// Outstanding receivables by aging bucket (not due, 1–30, 31–60, 61–90, over 90 days overdue)
/// per owner (default), department or customer, with totals, within the actor's scope.
pub fn aging(conn: &mut DbConnection, actor: &Actor, q: &AgingQuery) -> RepoResult<AgingReport> {
    let group_by = q.group_by.unwrap_or(AgingGroup::Owner);
    let today = crate::settings::today(conn)?;
    let visible = &actor.visible;
    let mut rows: BTreeMap<i64, AgingRow> = BTreeMap::new();
    let mut totals = AgingAmounts::default();
    let overflow = || {
        crate::RepoError::rule(
            crm_domain::ErrorCode::AmountTooLarge,
            crm_domain::msg!("合计过大", "the sums are too large"),
        )
    };
    for (id, s1, s2, s3, s4, s5) in outstanding(conn, visible, group_by, today)? {
        let sums = [s1, s2, s3, s4, s5];
        if sums.iter().all(|&x| x == 0) {
            continue;
        }
        let row = rows.entry(id).or_insert_with(|| AgingRow {
            key: IdName {
                id,
                name: String::new(),
            },
            amounts: AgingAmounts::default(),
        });
        for (bucket, amount) in AgingBucket::ALL.into_iter().zip(sums) {
            let amount = Money::from_minor(amount);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap_or_default()
    }

    #[test]
    fn the_edges_cut_their_months_on_the_smaller_side() {
        let cuts: Vec<_> = edge_cuts(d("2026-12-06"))
            .into_iter()
            .map(|c| (c.month, c.put_at, c.moved))
            .collect();
        // Today, 30, 60 and 90 days back: December 6, November 6, October 7, September 7.
        assert_eq!(
            cuts,
            vec![
                (
                    d("2026-12-01"),
                    d("2026-12-31"),
                    (d("2026-12-01"), d("2026-12-06"))
                ),
                (
                    d("2026-11-01"),
                    d("2026-11-30"),
                    (d("2026-11-01"), d("2026-11-06"))
                ),
                (
                    d("2026-10-01"),
                    d("2026-10-31"),
                    (d("2026-10-01"), d("2026-10-07"))
                ),
                (
                    d("2026-09-01"),
                    d("2026-09-30"),
                    (d("2026-09-01"), d("2026-09-07"))
                ),
            ]
        );
        // Late in a month, the days after the edge move; an edge on the first cuts nothing.
        let late = edge_cuts(d("2026-03-25"));
        assert_eq!(
            (late[0].month, late[0].put_at, late[0].moved),
            (
                d("2026-03-01"),
                d("2026-03-01"),
                (d("2026-03-25"), d("2026-04-01"))
            )
        );
        assert!(
            edge_cuts(d("2026-01-01"))
                .iter()
                .all(|c| c.month != d("2026-01-01"))
        );
    }

    #[test]
    fn a_due_date_falls_in_one_bucket() {
        let today = d("2026-12-06");
        assert_eq!(bucket_index(d("2026-12-06"), today), 0);
        assert_eq!(bucket_index(d("2026-12-05"), today), 1);
        assert_eq!(bucket_index(d("2026-11-06"), today), 1);
        assert_eq!(bucket_index(d("2026-11-05"), today), 2);
        assert_eq!(bucket_index(d("2026-09-06"), today), 4);
    }
}
