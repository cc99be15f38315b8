//! The scheduler's work (定时任务): turning what has come due into notifications. Each run looks at
//! the company's calendar as of `now`, announces every due piece of news that was not announced yet,
//! and may run on several server instances at once: every notification it creates carries a key, and
//! the database refuses a second row with the same key.

use crate::notifications::{self, Notice};
use crate::roles::Managers;
use crate::schema::{customers as c, orders as o, payment_installments as pi};
use crate::{DbConnection, RepoResult, reminders, write_tx};
use chrono::{DateTime, Days, NaiveDate, Utc};
use crm_domain::Permission;
use crm_domain::api::ReviewStatus;
use crm_domain::order::OrderStatus;
use crm_domain::time;
use diesel::prelude::*;
use std::collections::BTreeMap;

/// What one run announced (rows it created; those another instance created first are not counted).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Report {
    pub reminders_due: usize,
    pub review_digests: usize,
    /// Installments due soon, overdue, or overdue long enough to tell the manager (催款).
    pub dunning: usize,
    /// Service periods ending soon (续费).
    pub renewals: usize,
    /// Quotes past their validity, now expired (their owners are told).
    pub quotes_expired: usize,
    /// Service tickets past due and not resolved, announced for the first time.
    pub tickets_overdue: usize,
    /// Customers the public pool's rules took back (公海回收).
    pub pool_reclaimed: usize,
    /// Owners warned that a customer is about to return to the pool.
    pub pool_warned: usize,
}

const BATCH: i64 = 500;

/// One run of the scheduler as of `now`.
pub fn run(conn: &mut DbConnection, now: DateTime<Utc>) -> RepoResult<Report> {
    let today = time::local_date(now, crate::settings::zone(conn)?);
    let mut report = Report::default();
    // Each batch marks what it announced, so the next batch starts after it. A bounded loop: a
    // reminder snoozed meanwhile simply waits for the next run.
    for _ in 0..1000 {
        let due = reminders::due_unannounced(conn, today, BATCH)?;
        let last_batch = (due.len() as i64) < BATCH;
        for (id, user, customer_id, customer, due_on, note) in due {
            let body = format!("{customer}：{note}（{due_on}）");
            let notice = Notice {
                kind: "reminder_due",
                title: "跟进提醒 Follow-up due",
                body: &body,
                entity: Some("customer"),
                entity_id: Some(customer_id),
            };
            let key = format!("reminder_due:{id}:{due_on}");
            let created = write_tx(conn, |conn| {
                let created = notifications::notify_once(conn, user, &notice, &key)?;
                reminders::mark_announced(conn, id, due_on)?;
                Ok::<_, diesel::result::Error>(created)
            })?;
            report.reminders_due += usize::from(created);
        }
        if last_batch {
            break;
        }
    }
    report.review_digests = review_digests(conn, today)?;
    let settings = crate::settings::get(conn)?.settings;
    report.dunning = dunning(conn, today, &settings)?;
    report.renewals = renewals(conn, today, &settings)?;
    for _ in 0..1000 {
        let n = crate::quotes::expire_due(conn, today, BATCH)?;
        report.quotes_expired += n;
        if (n as i64) < BATCH {
            break;
        }
    }
    report.tickets_overdue = crate::tickets::announce_overdue(conn, now.naive_utc())?;
    let swept = crate::pool::sweep(conn, now)?;
    report.pool_reclaimed = swept.reclaimed;
    report.pool_warned = swept.warned;
    Ok(report)
}

/// An installment to dun: `(id, due date, stage, order id, order number, owner, customer name)`.
type Dunned = (i64, NaiveDate, i16, i64, String, i64, String);

/// The dunning stages of an unpaid installment, in order.
const DUE_SOON: i16 = 1;
const OVERDUE: i16 = 2;
const ESCALATED: i16 = 3;

/// 催款: an unpaid installment due within `payment_reminder_days` reminds its order's owner; once
/// overdue the owner is told again; `overdue_escalation_days` after the due date the owner's
/// managers hear of it too. Each stage is announced once per installment and due date.
fn dunning(
    conn: &mut DbConnection,
    today: NaiveDate,
    settings: &crm_domain::settings::CompanySettings,
) -> RepoResult<usize> {
    let soon = today
        .checked_add_days(Days::new(u64::from(settings.payment_reminder_days)))
        .unwrap_or(today);
    let escalate_before = today
        .checked_sub_days(Days::new(u64::from(settings.overdue_escalation_days)))
        .unwrap_or(today);
    let mut created = 0;
    let mut managers: Option<Managers> = None;
    for _ in 0..1000 {
        let due: Vec<Dunned> = pi::table
            .inner_join(o::table.inner_join(c::table))
            .filter(crate::receivables::open())
            .filter(pi::due_date.le(soon))
            .filter(
                pi::dunning_stage
                    .lt(DUE_SOON)
                    .or(pi::due_date.lt(today).and(pi::dunning_stage.lt(OVERDUE)))
                    .or(pi::due_date
                        .lt(escalate_before)
                        .and(pi::dunning_stage.lt(ESCALATED))),
            )
            .select((
                pi::id,
                pi::due_date,
                pi::dunning_stage,
                o::id,
                o::number,
                o::owner_id,
                c::name,
            ))
            .order((pi::due_date, pi::id))
            .limit(BATCH)
            .load(conn)?;
        let last_batch = (due.len() as i64) < BATCH;
        for (id, due_date, stage, order_id, number, owner, customer) in due {
            let target = if due_date < escalate_before {
                ESCALATED
            } else if due_date < today {
                OVERDUE
            } else {
                DUE_SOON
            };
            let (kind, title) = match target {
                DUE_SOON => ("payment_due", "收款提醒 Payment due soon"),
                OVERDUE => ("payment_overdue", "逾期催款 Payment overdue"),
                _ => ("payment_escalation", "逾期升级 Long overdue payment"),
            };
            let body = format!("{customer} · {number}（{due_date}）");
            let notice = Notice {
                kind,
                title,
                body: &body,
                entity: Some("order"),
                entity_id: Some(order_id),
            };
            let mut told = vec![owner];
            if target == ESCALATED {
                if managers.is_none() {
                    managers = Some(Managers::load(conn, Permission::CustomerReview)?);
                }
                told = managers.as_ref().map_or_else(Vec::new, |m| m.of(owner));
                told.push(owner);
            }
            created += write_tx(conn, |conn| {
                let mut n = 0;
                for user in &told {
                    let key = format!("{kind}:{id}:{due_date}:{user}");
                    n += usize::from(notifications::notify_once(conn, *user, &notice, &key)?);
                }
                diesel::update(pi::table.find(id).filter(pi::dunning_stage.eq(stage)))
                    .set(pi::dunning_stage.eq(target))
                    .execute(conn)?;
                Ok::<_, diesel::result::Error>(n)
            })?;
        }
        if last_batch {
            break;
        }
    }
    Ok(created)
}

/// 续费: a signed order whose service period ends within `renewal_reminder_days` reminds its owner
/// to renew, once per end date.
fn renewals(
    conn: &mut DbConnection,
    today: NaiveDate,
    settings: &crm_domain::settings::CompanySettings,
) -> RepoResult<usize> {
    let until = today
        .checked_add_days(Days::new(u64::from(settings.renewal_reminder_days)))
        .unwrap_or(today);
    let live = [
        OrderStatus::Signed.as_str(),
        OrderStatus::Executing.as_str(),
    ];
    let mut created = 0;
    for _ in 0..1000 {
        let ending: Vec<(i64, String, i64, NaiveDate, String)> = o::table
            .inner_join(c::table)
            .filter(o::status.eq_any(live))
            .filter(o::service_end.ge(today))
            .filter(o::service_end.le(until))
            .filter(
                o::renewal_notified_on
                    .is_null()
                    .or(o::renewal_notified_on.ne(o::service_end)),
            )
            .select((
                o::id,
                o::number,
                o::owner_id,
                o::service_end.assume_not_null(),
                c::name,
            ))
            .order(o::id)
            .limit(BATCH)
            .load(conn)?;
        let last_batch = (ending.len() as i64) < BATCH;
        for (id, number, owner, end, customer) in ending {
            let body = format!("{customer} · {number}：服务至 {end} 到期 service ends {end}");
            let notice = Notice {
                kind: "renewal_due",
                title: "续费提醒 Renewal due",
                body: &body,
                entity: Some("order"),
                entity_id: Some(id),
            };
            let key = format!("renewal_due:{id}:{end}");
            created += write_tx(conn, |conn| {
                let n = notifications::notify_once(conn, owner, &notice, &key)?;
                diesel::update(o::table.find(id))
                    .set(o::renewal_notified_on.eq(end))
                    .execute(conn)?;
                Ok::<_, diesel::result::Error>(usize::from(n))
            })?;
        }
        if last_batch {
            break;
        }
    }
    Ok(created)
}

/// Once a day, each manager with customers waiting for their review hears how many.
fn review_digests(conn: &mut DbConnection, today: chrono::NaiveDate) -> RepoResult<usize> {
    let pending: Vec<(i64, i64)> = c::table
        .filter(c::review_status.eq(ReviewStatus::Pending.as_str()))
        .group_by(c::owner_id)
        .select((c::owner_id, diesel::dsl::count_star()))
        .load(conn)?;
    let mut per_manager: BTreeMap<i64, i64> = BTreeMap::new();
    let managers = Managers::load(conn, Permission::CustomerReview)?;
    for (owner, count) in pending {
        for manager in managers.of(owner) {
            *per_manager.entry(manager).or_default() += count;
        }
    }
    let mut created = 0;
    for (manager, count) in per_manager {
        let body = format!("{count} 个客户等待审核 customers waiting for review");
        let notice = Notice {
            kind: "review_pending",
            title: "待审核客户 Customers to review",
            body: &body,
            entity: Some("customer_review"),
            entity_id: None,
        };
        let key = format!("review_pending:{manager}:{today}");
        if notifications::notify_once(conn, manager, &notice, &key)? {
            created += 1;
        }
    }
    Ok(created)
}
