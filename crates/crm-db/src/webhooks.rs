//! Webhooks (集成推送): registered endpoints, the outbox, and the deliveries' bookkeeping.
//!
//! The outbox is fed by the audit log: every change a module records in its history
//! ([`crate::audit`]) is looked up here ([`event_of`]), and when an enabled endpoint subscribes to
//! the event, the event and one delivery per endpoint are written in the same transaction as the
//! change — a change rolled back sends nothing, a change committed is never lost, and a module
//! cannot forget to announce what it records. The server's worker (`crm-api`'s `webhooks`)
//! claims due deliveries ([`claim_due`]: `FOR UPDATE SKIP LOCKED` on PostgreSQL, so several
//! instances share the work without sending twice), posts them, and records each attempt
//! ([`record_attempt`]), retrying with backoff for 24 hours.

use crate::actor::Actor;
use crate::audit;
use crate::paging::PageRequest;
use crate::schema::{
    webhook_attempts as wa, webhook_deliveries as d, webhook_events as e,
    webhook_subscriptions as s, webhooks as w,
};
use crate::sql::{check_version, one_row_updated};
use crate::{DbConnection, RepoError, RepoResult, now, write_tx};
use chrono::{Duration, NaiveDateTime};
use crm_domain::api::{
    DeliveryStatus, NewWebhook, Page, PageQuery, Webhook, WebhookAttempt, WebhookDelivery,
    WebhookEvent, WebhookPatch, WebhookPayload, WebhookWithSecret,
};
use diesel::prelude::*;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// How long a delivery is retried after its event.
pub const RETRY_FOR: Duration = Duration::hours(24);

/// The event a history entry announces, if any.
pub fn event_of(action: &str, entity: &str, changes: &Value) -> Option<WebhookEvent> {
    use WebhookEvent as E;
    let new_status = changes["status"]["new"].as_str();
    Some(match (entity, action) {
        ("customer", "create") => E::CustomerCreated,
        ("customer", "update") => E::CustomerUpdated,
        ("customer", "transfer" | "release" | "claim" | "assign" | "reclaim") => {
            E::CustomerTransferred
        }
        ("customer", "level") => E::CustomerLevelChanged,
        ("activity", "create") => E::ActivityCreated,
        ("opportunity", "status") if new_status == Some("won") => E::OpportunityWon,
        ("opportunity", "status") if new_status == Some("lost") => E::OpportunityLost,
        ("order", "status") if new_status == Some("signed") => E::OrderSigned,
        ("order", "receipt") => E::ReceiptRecorded,
        ("order", "reverse_receipt") => E::ReceiptReversed,
        ("ticket", "create") => E::TicketCreated,
        ("ticket", "close") => E::TicketClosed,
        _ => return None,
    })
}

/// One history entry as the outbox sees it: `(entity_id, customer_id, changes)`.
pub(crate) type Entry<'a> = (Option<i64>, Option<i64>, &'a Value);

/// Writes the events these history entries announce, for the enabled endpoints that subscribe to
/// them, inside the caller's transaction. Nothing is written when nobody subscribes.
pub(crate) fn outbox(
    conn: &mut DbConnection,
    user_id: Option<i64>,
    action: &str,
    entity: &str,
    entries: &[Entry],
) -> QueryResult<()> {
    let mut by_event: BTreeMap<WebhookEvent, Vec<&Entry>> = BTreeMap::new();
    for entry in entries {
        if let Some(event) = event_of(action, entity, entry.2) {
            by_event.entry(event).or_default().push(entry);
        }
    }
    for (event, entries) in by_event {
        let hooks: Vec<i64> = s::table
            .inner_join(w::table)
            .filter(s::event.eq(event.as_str()))
            .filter(w::enabled.eq(true))
            .select(s::webhook_id)
            .load(conn)?;
        if hooks.is_empty() {
            continue;
        }
        let at = now();
        for (entity_id, customer_id, changes) in entries {
            let data = json!({
                "entity": entity, "id": entity_id, "customer_id": customer_id,
                "user_id": user_id, "changes": changes,
            });
            let event_id: i64 = diesel::insert_into(e::table)
                .values((
                    e::event.eq(event.as_str()),
                    e::occurred_at.eq(at),
                    e::data.eq(data.to_string()),
                ))
                .returning(e::id)
                .get_result(conn)?;
            for hook in &hooks {
                diesel::insert_into(d::table)
                    .values((
                        d::webhook_id.eq(hook),
                        d::event_id.eq(event_id),
                        d::status.eq(DeliveryStatus::Pending.as_str()),
                        d::next_attempt_at.eq(Some(at)),
                        d::created_at.eq(at),
                    ))
                    .execute(conn)?;
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Endpoints

type Row = (
    i64,
    String,
    String,
    bool,
    Option<String>,
    NaiveDateTime,
    NaiveDateTime,
    i32,
);

fn hint(secret: &str) -> String {
    let tail: String = secret.chars().rev().take(4).collect();
    format!("…{}", tail.chars().rev().collect::<String>())
}

fn load(conn: &mut DbConnection, id: Option<i64>) -> QueryResult<Vec<Webhook>> {
    let mut q = w::table
        .select((
            w::id,
            w::url,
            w::secret,
            w::enabled,
            w::description,
            w::created_at,
            w::updated_at,
            w::version,
        ))
        .order(w::id)
        .into_boxed();
    if let Some(id) = id {
        q = q.filter(w::id.eq(id));
    }
    let rows: Vec<Row> = q.load(conn)?;
    let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    let mut events: BTreeMap<i64, Vec<WebhookEvent>> = BTreeMap::new();
    for (hook, event) in s::table
        .filter(s::webhook_id.eq_any(ids))
        .select((s::webhook_id, s::event))
        .load::<(i64, String)>(conn)?
    {
        if let Some(event) = WebhookEvent::parse(&event) {
            events.entry(hook).or_default().push(event);
        }
    }
    Ok(rows
        .into_iter()
        .map(
            |(id, url, secret, enabled, description, created_at, updated_at, version)| {
                let mut events = events.remove(&id).unwrap_or_default();
                events.sort_unstable();
                Webhook {
                    id,
                    url,
                    events,
                    enabled,
                    description,
                    secret_hint: hint(&secret),
                    created_at: created_at.and_utc(),
                    updated_at: updated_at.and_utc(),
                    version,
                }
            },
        )
        .collect())
}

pub fn list(conn: &mut DbConnection) -> RepoResult<Vec<Webhook>> {
    Ok(load(conn, None)?)
}

pub fn get(conn: &mut DbConnection, id: i64) -> RepoResult<Webhook> {
    load(conn, Some(id))?.pop().ok_or(RepoError::NotFound)
}

fn subscribe(conn: &mut DbConnection, id: i64, events: &[WebhookEvent]) -> QueryResult<()> {
    diesel::delete(s::table.filter(s::webhook_id.eq(id))).execute(conn)?;
    let mut events = events.to_vec();
    events.sort_unstable();
    events.dedup();
    for event in events {
        diesel::insert_into(s::table)
            .values((s::event.eq(event.as_str()), s::webhook_id.eq(id)))
            .execute(conn)?;
    }
    Ok(())
}

fn view(x: &Webhook) -> Value {
    json!({"url": x.url, "events": x.events, "enabled": x.enabled, "description": x.description})
}

/// Registers an endpoint (its URL checked by the caller, who knows the network) with `secret`.
pub fn create(
    conn: &mut DbConnection,
    actor: &Actor,
    new: &NewWebhook,
    secret: &str,
) -> RepoResult<WebhookWithSecret> {
    write_tx(conn, |conn| {
        let at = now();
        let id: i64 = diesel::insert_into(w::table)
            .values((
                w::url.eq(new.url.trim()),
                w::secret.eq(secret),
                w::enabled.eq(new.enabled),
                w::description.eq(crate::sql::blank_to_none(new.description.as_deref())),
                w::created_by.eq(actor.user_id()),
                w::created_at.eq(at),
                w::updated_at.eq(at),
            ))
            .returning(w::id)
            .get_result(conn)?;
        subscribe(conn, id, &new.events)?;
        let webhook = get(conn, id)?;
        audit::record(conn, actor, "create", "webhook", Some(id), view(&webhook))?;
        Ok(WebhookWithSecret {
            webhook,
            secret: secret.to_string(),
        })
    })
}

/// Changes an endpoint; `new_secret` (when the patch rotates it) is shown in the answer once.
pub fn update(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    patch: &WebhookPatch,
    new_secret: Option<&str>,
) -> RepoResult<(Webhook, Option<String>)> {
    write_tx(conn, |conn| {
        let old = get(conn, id)?;
        check_version(old.version, patch.version)?;
        let secret: Option<String> = new_secret.map(str::to_string);
        let n = diesel::update(w::table.find(id).filter(w::version.eq(patch.version)))
            .set((
                w::url.eq(patch.url.as_deref().map(str::trim).unwrap_or(&old.url)),
                w::enabled.eq(patch.enabled.unwrap_or(old.enabled)),
                w::description.eq(match &patch.description {
                    Some(d) => crate::sql::blank_to_none(Some(d)),
                    None => old.description.clone(),
                }),
                w::updated_at.eq(now()),
                w::version.eq(patch.version + 1),
            ))
            .execute(conn)?;
        one_row_updated(n, old.version)?;
        if let Some(secret) = &secret {
            diesel::update(w::table.find(id))
                .set(w::secret.eq(secret))
                .execute(conn)?;
        }
        if let Some(events) = &patch.events {
            subscribe(conn, id, events)?;
        }
        let new = get(conn, id)?;
        let mut changes = audit::diff(&view(&old), &view(&new));
        if secret.is_some() {
            changes["secret"] = json!({"old": old.secret_hint, "new": new.secret_hint});
        }
        audit::record(conn, actor, "update", "webhook", Some(id), changes)?;
        Ok((new, secret))
    })
}

/// Removes an endpoint with its deliveries.
pub fn delete(conn: &mut DbConnection, actor: &Actor, id: i64) -> RepoResult<()> {
    write_tx(conn, |conn| {
        let old = get(conn, id)?;
        diesel::delete(w::table.find(id)).execute(conn)?;
        audit::record(conn, actor, "delete", "webhook", Some(id), view(&old))?;
        Ok(())
    })
}

// ---------------------------------------------------------------------------------------------
// Deliveries

type DeliveryRow = (
    i64,
    i64,
    String,
    NaiveDateTime,
    String,
    Option<NaiveDateTime>,
    Option<NaiveDateTime>,
);

type Deliveries<'a> = diesel::dsl::IntoBoxed<
    'a,
    diesel::dsl::Select<
        diesel::dsl::Filter<
            diesel::dsl::InnerJoin<d::table, e::table>,
            diesel::dsl::Eq<d::webhook_id, i64>,
        >,
        (
            d::id,
            d::event_id,
            e::event,
            e::occurred_at,
            d::status,
            d::next_attempt_at,
            d::delivered_at,
        ),
    >,
    crate::multi_connection_impl::MultiBackend,
>;

/// An endpoint's deliveries as rows.
fn deliveries_of<'a>(webhook_id: i64) -> Deliveries<'a> {
    d::table
        .inner_join(e::table)
        .filter(d::webhook_id.eq(webhook_id))
        .select((
            d::id,
            d::event_id,
            e::event,
            e::occurred_at,
            d::status,
            d::next_attempt_at,
            d::delivered_at,
        ))
        .into_boxed()
}

/// Deliveries with their attempts (newest first), one query for all the attempts.
fn with_attempts(
    conn: &mut DbConnection,
    rows: Vec<DeliveryRow>,
) -> QueryResult<Vec<WebhookDelivery>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    let mut attempts: BTreeMap<i64, Vec<WebhookAttempt>> = BTreeMap::new();
    for (delivery, at, status_code, latency_ms, error) in wa::table
        .filter(wa::delivery_id.eq_any(ids))
        .order(wa::id.desc())
        .select((
            wa::delivery_id,
            wa::at,
            wa::status_code,
            wa::latency_ms,
            wa::error,
        ))
        .load::<(i64, NaiveDateTime, Option<i32>, i32, Option<String>)>(conn)?
    {
        attempts.entry(delivery).or_default().push(WebhookAttempt {
            at: at.and_utc(),
            status_code,
            latency_ms,
            error,
        });
    }
    Ok(rows
        .into_iter()
        .filter_map(
            |(id, event_id, event, occurred_at, status, next, delivered)| {
                Some(WebhookDelivery {
                    id,
                    event_id,
                    event: WebhookEvent::parse(&event)?,
                    occurred_at: occurred_at.and_utc(),
                    status: DeliveryStatus::parse(&status)?,
                    next_attempt_at: next.map(|t| t.and_utc()),
                    delivered_at: delivered.map(|t| t.and_utc()),
                    attempts: attempts.remove(&id).unwrap_or_default(),
                })
            },
        )
        .collect())
}

/// An endpoint's deliveries, newest first, each with its attempts.
pub fn deliveries(
    conn: &mut DbConnection,
    webhook_id: i64,
    q: &PageQuery,
) -> RepoResult<Page<WebhookDelivery>> {
    get(conn, webhook_id)?;
    let page = PageRequest::<i64>::new(q.limit, q.cursor.as_deref(), "deliveries")?;
    let mut query = deliveries_of(webhook_id)
        .order(d::id.desc())
        .limit(page.fetch());
    if let Some(after) = page.after {
        query = query.filter(d::id.lt(after));
    }
    let rows: Vec<DeliveryRow> = query.load(conn)?;
    Ok(page.page(with_attempts(conn, rows)?, |x: &WebhookDelivery| x.id))
}

/// "Send again": the delivery is due now, and retried for another 24 hours if it fails.
pub fn redeliver(
    conn: &mut DbConnection,
    actor: &Actor,
    webhook_id: i64,
    delivery_id: i64,
) -> RepoResult<WebhookDelivery> {
    write_tx(conn, |conn| {
        let at = now();
        let n = diesel::update(
            d::table
                .find(delivery_id)
                .filter(d::webhook_id.eq(webhook_id)),
        )
        .set((
            d::status.eq(DeliveryStatus::Pending.as_str()),
            d::next_attempt_at.eq(Some(at)),
            d::delivered_at.eq(None::<NaiveDateTime>),
            d::attempts.eq(0),
            d::created_at.eq(at),
        ))
        .execute(conn)?;
        if n == 0 {
            return Err(RepoError::NotFound);
        }
        audit::record(
            conn,
            actor,
            "redeliver",
            "webhook",
            Some(webhook_id),
            json!({"delivery_id": delivery_id}),
        )?;
        let rows: Vec<DeliveryRow> = deliveries_of(webhook_id)
            .filter(d::id.eq(delivery_id))
            .load(conn)?;
        with_attempts(conn, rows)?.pop().ok_or(RepoError::NotFound)
    })
}

/// A claimed delivery, with everything the worker needs to post it.
#[derive(Debug, Clone)]
pub struct Due {
    pub delivery_id: i64,
    /// Which claim this is (the delivery's attempt count once claimed): only this claim may
    /// record the outcome, so a worker whose lease ran out cannot overwrite a later one's.
    pub claim: i32,
    pub url: String,
    pub secret: String,
    pub payload: WebhookPayload,
}

/// Claims up to `limit` deliveries due at `at` for `lease` (another worker takes them again only
/// after it, should this one die mid-post). On PostgreSQL the rows are locked with `SKIP LOCKED`,
/// so two instances claiming at once get different deliveries; SQLite admits one writer anyway.
pub fn claim_due(
    conn: &mut DbConnection,
    at: NaiveDateTime,
    limit: i64,
    lease: Duration,
) -> RepoResult<Vec<Due>> {
    write_tx(conn, |conn| {
        // Deliveries to a disabled endpoint wait (they are sent once it is enabled again).
        let enabled = w::table.filter(w::enabled.eq(true)).select(w::id);
        let due = d::table
            .filter(d::status.eq(DeliveryStatus::Pending.as_str()))
            .filter(d::next_attempt_at.le(at))
            .filter(d::webhook_id.eq_any(enabled))
            .order((d::next_attempt_at, d::id))
            .limit(limit)
            .select(d::id);
        let ids: Vec<i64> = match conn {
            DbConnection::Pg(c) => due.for_update().skip_locked().load(c)?,
            DbConnection::Sqlite(c) => due.load(c)?,
        };
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        diesel::update(d::table.filter(d::id.eq_any(&ids)))
            .set((
                d::next_attempt_at.eq(Some(at + lease)),
                d::attempts.eq(d::attempts + 1),
            ))
            .execute(conn)?;
        type Claimed = (i64, i32, String, String, i64, String, NaiveDateTime, String);
        let rows: Vec<Claimed> = d::table
            .inner_join(w::table)
            .inner_join(e::table)
            .filter(d::id.eq_any(&ids))
            .order(d::id)
            .select((
                d::id,
                d::attempts,
                w::url,
                w::secret,
                e::id,
                e::event,
                e::occurred_at,
                e::data,
            ))
            .load(conn)?;
        Ok(rows
            .into_iter()
            .filter_map(
                |(delivery_id, claim, url, secret, id, event, occurred_at, data)| {
                    Some(Due {
                        delivery_id,
                        claim,
                        url,
                        secret,
                        payload: WebhookPayload {
                            id,
                            event: WebhookEvent::parse(&event)?,
                            occurred_at: occurred_at.and_utc(),
                            data: serde_json::from_str(&data).unwrap_or(Value::Null),
                        },
                    })
                },
            )
            .collect())
    })
}

/// How an attempt went.
#[derive(Debug, Clone)]
pub struct Attempt {
    pub status_code: Option<i32>,
    pub latency_ms: i32,
    pub error: Option<String>,
}

impl Attempt {
    pub fn succeeded(&self) -> bool {
        self.status_code.is_some_and(|s| (200..300).contains(&s))
    }
}

/// The wait before the next attempt after `attempts` failed ones: 30 s, doubling, at most an hour.
pub fn backoff(attempts: i32) -> Duration {
    let doublings = attempts.clamp(1, 8) - 1;
    (Duration::seconds(30) * 2_i32.pow(doublings as u32)).min(Duration::hours(1))
}

/// Records the attempt of claim `claim` made at `at`: delivered on a 2xx; otherwise retried after
/// [`backoff`], or failed once [`RETRY_FOR`] has passed since the event. The attempt is logged
/// whatever happened meanwhile; the delivery's state changes only while it is still this
/// claim's (`None` otherwise: its lease ran out and another claim took it, or it was deleted).
pub fn record_attempt(
    conn: &mut DbConnection,
    delivery_id: i64,
    claim: i32,
    at: NaiveDateTime,
    attempt: &Attempt,
) -> RepoResult<Option<DeliveryStatus>> {
    write_tx(conn, |conn| {
        let Some((created_at, attempts)) = d::table
            .find(delivery_id)
            .select((d::created_at, d::attempts))
            .first::<(NaiveDateTime, i32)>(conn)
            .optional()?
        else {
            // The endpoint was deleted meanwhile.
            return Ok(None);
        };
        diesel::insert_into(wa::table)
            .values((
                wa::delivery_id.eq(delivery_id),
                wa::at.eq(at),
                wa::status_code.eq(attempt.status_code),
                wa::latency_ms.eq(attempt.latency_ms),
                wa::error.eq(attempt.error.as_deref()),
            ))
            .execute(conn)?;
        let (status, next, delivered) = if attempt.succeeded() {
            (DeliveryStatus::Delivered, None, Some(at))
        } else if at - created_at >= RETRY_FOR {
            (DeliveryStatus::Failed, None, None)
        } else {
            (DeliveryStatus::Pending, Some(at + backoff(attempts)), None)
        };
        let n = diesel::update(
            d::table
                .find(delivery_id)
                .filter(d::attempts.eq(claim))
                .filter(d::status.eq(DeliveryStatus::Pending.as_str())),
        )
        .set((
            d::status.eq(status.as_str()),
            d::next_attempt_at.eq(next),
            d::delivered_at.eq(delivered),
        ))
        .execute(conn)?;
        Ok((n == 1).then_some(status))
    })
}

/// Whether any event waits for an endpoint (the tests' and the worker's quick question).
pub fn pending(conn: &mut DbConnection) -> RepoResult<i64> {
    Ok(d::table
        .filter(d::status.eq(DeliveryStatus::Pending.as_str()))
        .count()
        .get_result(conn)?)
}
