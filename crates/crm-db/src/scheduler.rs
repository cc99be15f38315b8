//! The scheduler's work (定时任务): turning what has come due into notifications. Each run looks at
//! the company's calendar as of `now`, announces every due piece of news that was not announced yet,
//! and may run on several server instances at once: every notification it creates carries a key, and
//! the database refuses a second row with the same key.

use crate::notifications::{self, Notice};
use crate::schema::customers as c;
use crate::transfers::managers_of;
use crate::{DbConnection, RepoResult, reminders, write_tx};
use chrono::{DateTime, Utc};
use crm_domain::api::ReviewStatus;
use crm_domain::time;
use diesel::prelude::*;
use std::collections::BTreeMap;

/// What one run announced (rows it created; those another instance created first are not counted).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Report {
    pub reminders_due: usize,
    pub review_digests: usize,
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
    Ok(report)
}

/// Once a day, each manager with customers waiting for their review hears how many.
fn review_digests(conn: &mut DbConnection, today: chrono::NaiveDate) -> RepoResult<usize> {
    let pending: Vec<(i64, i64)> = c::table
        .filter(c::review_status.eq(ReviewStatus::Pending.as_str()))
        .group_by(c::owner_id)
        .select((c::owner_id, diesel::dsl::count_star()))
        .load(conn)?;
    let mut per_manager: BTreeMap<i64, i64> = BTreeMap::new();
    for (owner, count) in pending {
        for manager in managers_of(conn, owner)? {
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
