//! In-app notifications (通知), and the e-mail outbox they double as.
//!
//! Modules with news call [`notify`]; the scheduler calls [`notify_once`] with a key naming the piece
//! of news, and the database's unique index on that key is what keeps several scheduler instances
//! from announcing it twice. When SMTP is configured, the mailer claims unsent notifications one by
//! one ([`claim_for_email`]), so that two instances never send the same e-mail either.

use crate::schema::{notifications as n, users};
use crate::{DbConnection, RepoError, RepoResult, now};
use chrono::NaiveDateTime;
use crm_domain::api::Notification;
use diesel::prelude::*;

/// One notification for one user.
pub struct Notice<'a> {
    pub kind: &'a str,
    pub title: &'a str,
    pub body: &'a str,
    pub entity: Option<&'a str>,
    pub entity_id: Option<i64>,
}

pub fn notify(conn: &mut DbConnection, user_id: i64, notice: &Notice) -> QueryResult<()> {
    diesel::insert_into(n::table)
        .values((
            n::user_id.eq(user_id),
            n::kind.eq(notice.kind),
            n::title.eq(notice.title),
            n::body.eq(notice.body),
            n::entity.eq(notice.entity),
            n::entity_id.eq(notice.entity_id),
            n::created_at.eq(now()),
        ))
        .execute(conn)
        .map(drop)
}

/// Like [`notify`], unless a notification with this key exists already (whoever created it).
/// Answers whether this call created it.
pub fn notify_once(
    conn: &mut DbConnection,
    user_id: i64,
    notice: &Notice,
    key: &str,
) -> QueryResult<bool> {
    let values = (
        n::user_id.eq(user_id),
        n::kind.eq(notice.kind),
        n::title.eq(notice.title),
        n::body.eq(notice.body),
        n::entity.eq(notice.entity),
        n::entity_id.eq(notice.entity_id),
        n::created_at.eq(now()),
        n::dedup_key.eq(key),
    );
    // diesel's multi-backend connection has no ON CONFLICT; each backend has its own.
    let inserted = match conn {
        DbConnection::Sqlite(c) => diesel::insert_into(n::table)
            .values(values)
            .on_conflict(n::dedup_key)
            .do_nothing()
            .execute(c)?,
        DbConnection::Pg(c) => diesel::insert_into(n::table)
            .values(values)
            .on_conflict(n::dedup_key)
            .do_nothing()
            .execute(c)?,
    };
    Ok(inserted == 1)
}

type Row = (
    i64,
    String,
    String,
    String,
    Option<String>,
    Option<i64>,
    NaiveDateTime,
    Option<NaiveDateTime>,
);

fn from_row(row: Row) -> Notification {
    let (id, kind, title, body, entity, entity_id, created_at, read_at) = row;
    Notification {
        id,
        kind,
        title,
        body,
        entity,
        entity_id,
        created_at: created_at.and_utc(),
        read_at: read_at.map(|t| t.and_utc()),
    }
}

macro_rules! notification_select {
    () => {
        (
            n::id,
            n::kind,
            n::title,
            n::body,
            n::entity,
            n::entity_id,
            n::created_at,
            n::read_at,
        )
    };
}

/// The user's notifications, newest first; `before` is the keyset (an id).
pub fn list(
    conn: &mut DbConnection,
    user_id: i64,
    unread_only: bool,
    before: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<Notification>> {
    let mut q = n::table
        .filter(n::user_id.eq(user_id))
        .select(notification_select!())
        .order(n::id.desc())
        .limit(limit)
        .into_boxed();
    if unread_only {
        q = q.filter(n::read_at.is_null());
    }
    if let Some(id) = before {
        q = q.filter(n::id.lt(id));
    }
    Ok(q.load::<Row>(conn)?.into_iter().map(from_row).collect())
}

/// How many unread notifications the user has, counted up to `cap`.
pub fn unread_count(conn: &mut DbConnection, user_id: i64, cap: i64) -> QueryResult<i64> {
    let ids: Vec<i64> = n::table
        .filter(n::user_id.eq(user_id))
        .filter(n::read_at.is_null())
        .select(n::id)
        .limit(cap)
        .load(conn)?;
    Ok(ids.len() as i64)
}

/// Marks one of the user's notifications read (again: no change); 404 for anyone else's.
pub fn mark_read(conn: &mut DbConnection, user_id: i64, id: i64) -> RepoResult<Notification> {
    diesel::update(
        n::table
            .filter(n::id.eq(id))
            .filter(n::user_id.eq(user_id))
            .filter(n::read_at.is_null()),
    )
    .set(n::read_at.eq(now()))
    .execute(conn)?;
    n::table
        .filter(n::id.eq(id))
        .filter(n::user_id.eq(user_id))
        .select(notification_select!())
        .first::<Row>(conn)
        .optional()?
        .map(from_row)
        .ok_or(RepoError::NotFound)
}

/// Marks all the user's notifications read; answers how many were unread.
pub fn mark_all_read(conn: &mut DbConnection, user_id: i64) -> QueryResult<i64> {
    let n = diesel::update(
        n::table
            .filter(n::user_id.eq(user_id))
            .filter(n::read_at.is_null()),
    )
    .set(n::read_at.eq(now()))
    .execute(conn)?;
    Ok(n as i64)
}

/// A notification claimed for sending by e-mail.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub title: String,
    pub body: String,
}

/// Claims up to `limit` notifications created since `since` that nobody has considered for e-mail
/// yet. Each row is claimed by a conditional update, so two mailers never both get it; those whose
/// user has no e-mail address are marked `no_address` instead.
pub fn claim_for_email(
    conn: &mut DbConnection,
    since: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<Outgoing>> {
    let candidates: Vec<(i64, Option<String>, String, String, String)> = n::table
        .inner_join(users::table)
        .filter(n::email_state.is_null())
        .filter(n::created_at.ge(since))
        .select((n::id, users::email, users::display_name, n::title, n::body))
        .order(n::id)
        .limit(limit)
        .load(conn)?;
    let mut claimed = Vec::new();
    for (id, email, display_name, title, body) in candidates {
        let email = email.filter(|e| !e.trim().is_empty());
        let state = if email.is_some() {
            "sending"
        } else {
            "no_address"
        };
        let won = diesel::update(n::table.find(id).filter(n::email_state.is_null()))
            .set(n::email_state.eq(state))
            .execute(conn)?;
        if let (1, Some(email)) = (won, email) {
            claimed.push(Outgoing {
                id,
                email,
                display_name,
                title,
                body,
            });
        }
    }
    Ok(claimed)
}

/// Records how sending a claimed notification went (`sent` or `failed`).
pub fn set_email_state(conn: &mut DbConnection, id: i64, state: &str) -> QueryResult<()> {
    diesel::update(n::table.find(id))
        .set(n::email_state.eq(state))
        .execute(conn)
        .map(drop)
}
