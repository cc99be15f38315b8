//! In-app notifications (通知), and the e-mail outbox they double as.
//!
//! Modules with news call [`notify`]; the scheduler calls [`notify_once`] with a key naming the piece
//! of news, and the database's unique index on that key is what keeps several scheduler instances
//! from announcing it twice. When SMTP is configured, the mailer claims unsent notifications one by
//! one ([`claim_for_email`]), so that two instances never send the same e-mail either.

use crate::actor::Actor;
use crate::error::OptionalFound;
use crate::paging::PageRequest;
use crate::schema::{notifications as n, users};
use crate::{DbConnection, RepoResult, now};
use chrono::NaiveDateTime;
use crm_domain::api::{Notification, NotificationQuery, Page, UnreadCount};
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
    // The pool's reserved owner reads nothing (its reminders and quotes wait for a claimer).
    if user_id == crate::pool::OWNER {
        return Ok(());
    }
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
    if user_id == crate::pool::OWNER {
        return Ok(false);
    }
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

#[derive(Queryable, Selectable)]
#[diesel(table_name = n)]
struct Row {
    id: i64,
    kind: String,
    title: String,
    body: String,
    entity: Option<String>,
    entity_id: Option<i64>,
    created_at: NaiveDateTime,
    read_at: Option<NaiveDateTime>,
}

impl From<Row> for Notification {
    fn from(r: Row) -> Self {
        Notification {
            id: r.id,
            kind: r.kind,
            title: r.title,
            body: r.body,
            entity: r.entity,
            entity_id: r.entity_id,
            created_at: r.created_at.and_utc(),
            read_at: r.read_at.map(|t| t.and_utc()),
        }
    }
}

/// The actor's notifications, newest first, a page at a time.
pub fn list(
    conn: &mut DbConnection,
    actor: &Actor,
    q: &NotificationQuery,
) -> RepoResult<Page<Notification>> {
    let page = PageRequest::<i64>::new(q.limit, q.cursor.as_deref(), "notifications")?;
    let mut query = n::table
        .filter(n::user_id.eq(actor.id))
        .select(Row::as_select())
        .order(n::id.desc())
        .limit(page.fetch())
        .into_boxed();
    if q.unread.unwrap_or(false) {
        query = query.filter(n::read_at.is_null());
    }
    if let Some(id) = page.after {
        query = query.filter(n::id.lt(id));
    }
    let rows: Vec<Row> = query.load(conn)?;
    Ok(page.page(
        rows.into_iter().map(Into::into).collect(),
        |x: &Notification| x.id,
    ))
}

/// How many unread notifications the actor has, counted up to 100 (the bell shows "99+").
pub fn unread_count(conn: &mut DbConnection, actor: &Actor) -> RepoResult<UnreadCount> {
    let ids: Vec<i64> = n::table
        .filter(n::user_id.eq(actor.id))
        .filter(n::read_at.is_null())
        .select(n::id)
        .limit(100)
        .load(conn)?;
    Ok(UnreadCount {
        count: ids.len() as i64,
    })
}

/// Marks one of the actor's notifications read (again: no change); 404 for anyone else's.
pub fn mark_read(conn: &mut DbConnection, actor: &Actor, id: i64) -> RepoResult<Notification> {
    diesel::update(
        n::table
            .filter(n::id.eq(id))
            .filter(n::user_id.eq(actor.id))
            .filter(n::read_at.is_null()),
    )
    .set(n::read_at.eq(now()))
    .execute(conn)?;
    n::table
        .filter(n::id.eq(id))
        .filter(n::user_id.eq(actor.id))
        .select(Row::as_select())
        .first::<Row>(conn)
        .found()
        .map(Into::into)
}

/// Marks all the actor's notifications read; answers how many were unread.
pub fn mark_all_read(conn: &mut DbConnection, actor: &Actor) -> RepoResult<UnreadCount> {
    let count = diesel::update(
        n::table
            .filter(n::user_id.eq(actor.id))
            .filter(n::read_at.is_null()),
    )
    .set(n::read_at.eq(now()))
    .execute(conn)?;
    Ok(UnreadCount {
        count: count as i64,
    })
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
