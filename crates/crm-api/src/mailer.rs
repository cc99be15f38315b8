//! E-mail delivery of notifications over SMTP (lettre). The notifications table is the outbox: the
//! mailer claims rows nobody has considered yet, sends them and records the outcome, so an e-mail
//! goes out once even with several server instances, and a failed one is not retried in a loop.

use crate::config::SmtpConfig;
use anyhow::Context;
use chrono::{Duration, Utc};
use crm_db::DbConnection;
use crm_db::notifications::{self, Outgoing};
use lettre::message::{Mailbox, header::ContentType};
use lettre::{Message, SmtpTransport, Transport};

/// Only recent news is e-mailed: turning SMTP on later does not send a backlog of old notifications.
const MAX_AGE_HOURS: i64 = 24;
const BATCH: i64 = 100;

pub struct Mailer {
    transport: SmtpTransport,
    from: Mailbox,
}

impl Mailer {
    /// The mailer of a configuration; `None` when no SMTP server is configured.
    pub fn from_config(config: &SmtpConfig) -> anyhow::Result<Option<Mailer>> {
        let Some(url) = config.smtp_url.as_deref().filter(|u| !u.is_empty()) else {
            return Ok(None);
        };
        let transport = SmtpTransport::from_url(url)
            .context("CRM_SMTP_URL is not a valid SMTP URL")?
            .timeout(Some(std::time::Duration::from_secs(20)))
            .build();
        let from = config
            .smtp_from
            .parse()
            .context("CRM_SMTP_FROM is not an e-mail address")?;
        Ok(Some(Mailer { transport, from }))
    }

    /// Sends every recent notification not yet considered for e-mail; answers how many went out.
    pub fn send_pending(&self, conn: &mut DbConnection) -> anyhow::Result<usize> {
        let since = (Utc::now() - Duration::hours(MAX_AGE_HOURS)).naive_utc();
        let mut sent = 0;
        loop {
            let batch = notifications::claim_for_email(conn, since, BATCH)?;
            if batch.is_empty() {
                return Ok(sent);
            }
            for out in batch {
                let state = match self.send(&out) {
                    Ok(()) => {
                        sent += 1;
                        "sent"
                    }
                    Err(e) => {
                        tracing::warn!(notification = out.id, error = %e, "e-mail not sent");
                        "failed"
                    }
                };
                notifications::set_email_state(conn, out.id, state)?;
            }
        }
    }

    fn send(&self, out: &Outgoing) -> anyhow::Result<()> {
        let to = Mailbox::new(Some(out.display_name.clone()), out.email.parse()?);
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(out.title.clone())
            .header(ContentType::TEXT_PLAIN)
            .body(format!("{}\n\n-- \nCRM", out.body))?;
        self.transport.send(&message)?;
        Ok(())
    }
}
