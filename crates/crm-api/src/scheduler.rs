//! The background job of the server: at start and then every `CRM_SCHEDULER_INTERVAL` seconds it
//! announces what has come due (see `crm_db::scheduler`) and sends pending e-mail. Safe to run on
//! several instances against one database.

use crate::mailer::Mailer;
use actix_web::web;
use chrono::{DateTime, Utc};
use crm_db::Db;
use crm_db::files::Store;
use std::sync::Arc;
use std::time::Duration;

/// What one run did.
#[derive(Debug, Default, Clone, Copy)]
pub struct RunReport {
    pub announced: crm_db::scheduler::Report,
    pub emails_sent: usize,
    /// Stored files no document names any more, removed.
    pub files_swept: usize,
}

impl RunReport {
    /// What the run did, by kind: the one list behind its log line and its metrics.
    pub fn counts(&self) -> [(&'static str, usize); 10] {
        let a = &self.announced;
        [
            ("reminders_due", a.reminders_due),
            ("review_digests", a.review_digests),
            ("dunning", a.dunning),
            ("renewals", a.renewals),
            ("quotes_expired", a.quotes_expired),
            ("tickets_overdue", a.tickets_overdue),
            ("pool_reclaimed", a.pool_reclaimed),
            ("pool_warned", a.pool_warned),
            ("emails_sent", self.emails_sent),
            ("files_swept", self.files_swept),
        ]
    }
}

/// One run as of `now`.
pub fn run_once(
    db: &Db,
    mailer: Option<&Mailer>,
    store: Option<&Store>,
    now: DateTime<Utc>,
) -> anyhow::Result<RunReport> {
    let mut conn = db.get().map_err(anyhow::Error::msg)?;
    let announced = crm_db::scheduler::run(&mut conn, now).map_err(anyhow::Error::msg)?;
    let emails_sent = match mailer {
        Some(m) => m.send_pending(&mut conn)?,
        None => 0,
    };
    let files_swept = match store {
        Some(store) => {
            let named = crm_db::documents::stored_files(&mut conn)?;
            store.sweep(|sha| named.contains(sha), SWEEP_GRACE)?
        }
        None => 0,
    };
    Ok(RunReport {
        announced,
        emails_sent,
        files_swept,
    })
}

/// How old an unnamed stored file must be before the sweep removes it: far longer than any
/// upload takes between keeping its bytes and naming them.
const SWEEP_GRACE: Duration = Duration::from_secs(24 * 3600);

/// Runs the scheduler in the background of the current actix system, now and every `every`.
pub fn spawn(db: Db, every: Duration, mailer: Option<Mailer>, store: Store) {
    let mailer = mailer.map(Arc::new);
    actix_web::rt::spawn(async move {
        let mut ticks = actix_web::rt::time::interval(every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            let (db, mailer, store) = (db.clone(), mailer.clone(), store.clone());
            let outcome =
                web::block(move || run_once(&db, mailer.as_deref(), Some(&store), Utc::now()))
                    .await;
            let failure = match outcome {
                Ok(Ok(report)) => {
                    let counts = report.counts();
                    for (kind, n) in counts {
                        metrics::counter!("crm_scheduler_announced_total", "kind" => kind)
                            .increment(n as u64);
                    }
                    if counts.iter().any(|(_, n)| *n > 0) {
                        let a = report.announced;
                        tracing::info!(
                            reminders_due = a.reminders_due,
                            review_digests = a.review_digests,
                            dunning = a.dunning,
                            renewals = a.renewals,
                            quotes_expired = a.quotes_expired,
                            tickets_overdue = a.tickets_overdue,
                            pool_reclaimed = a.pool_reclaimed,
                            pool_warned = a.pool_warned,
                            emails_sent = report.emails_sent,
                            files_swept = report.files_swept,
                            "scheduler run"
                        );
                    }
                    None
                }
                Ok(Err(e)) => Some(format!("failed: {e}")),
                Err(e) => Some(format!("was cancelled: {e}")),
            };
            let outcome = if failure.is_some() { "failed" } else { "ok" };
            metrics::counter!("crm_scheduler_runs_total", "outcome" => outcome).increment(1);
            if let Some(why) = failure {
                tracing::error!("scheduler run {why}");
            }
        }
    });
}
