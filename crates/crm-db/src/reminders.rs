//! Reminders (提醒): the next step of an activity becomes a reminder for its author on that day.
//! A user sees and handles only their own reminders, and only on customers still visible to them;
//! a customer transfer hands the open ones to the receiver (see [`crate::transfers::MOVERS`]).

use crate::schema::{customers as c, reminders as r};
use crate::transfers::Move;
use crate::visibility::{Visible, VisibleTo};
use crate::{DbConnection, RepoError, RepoResult, now, write_tx};
use chrono::{NaiveDate, NaiveDateTime};
use crm_domain::api::{IdName, Reminder, ReminderStatus};
use diesel::prelude::*;

type Row = (
    i64,
    i64,
    String,
    Option<i64>,
    NaiveDate,
    String,
    Option<NaiveDateTime>,
    NaiveDateTime,
);

macro_rules! reminder_select {
    () => {
        (
            r::id,
            r::customer_id,
            c::name,
            r::activity_id,
            r::due_on,
            r::note,
            r::done_at,
            r::created_at,
        )
    };
}

fn from_row(row: Row, today: NaiveDate) -> Reminder {
    let (id, customer_id, customer_name, activity_id, due_on, note, done_at, created_at) = row;
    let status = match done_at {
        Some(_) => ReminderStatus::Done,
        None if due_on < today => ReminderStatus::Overdue,
        None => ReminderStatus::Open,
    };
    Reminder {
        id,
        customer: IdName {
            id: customer_id,
            name: customer_name,
        },
        activity_id,
        due_on,
        note,
        status,
        done_at: done_at.map(|t| t.and_utc()),
        created_at: created_at.and_utc(),
    }
}

/// Creates the reminder of an activity's next step (inside the activity's transaction).
pub(crate) fn create_for_activity(
    conn: &mut DbConnection,
    user: i64,
    customer: i64,
    activity: i64,
    due_on: NaiveDate,
    note: &str,
) -> QueryResult<()> {
    let at = now();
    diesel::insert_into(r::table)
        .values((
            r::user_id.eq(user),
            r::customer_id.eq(customer),
            r::activity_id.eq(activity),
            r::due_on.eq(due_on),
            r::note.eq(note),
            r::created_at.eq(at),
            r::updated_at.eq(at),
        ))
        .execute(conn)
        .map(drop)
}

/// Removes the open reminder of a deleted activity (a done one stays as a record of the work).
pub(crate) fn drop_open_of_activity(conn: &mut DbConnection, activity: i64) -> QueryResult<()> {
    diesel::delete(
        r::table
            .filter(r::activity_id.eq(activity))
            .filter(r::done_at.is_null()),
    )
    .execute(conn)
    .map(drop)
}

/// Which of the caller's reminders to list.
#[derive(Debug, Clone)]
pub struct ReminderFilter {
    /// `open` lists every open reminder (overdue included), `overdue` only those past their day,
    /// `done` the finished ones (newest first).
    pub status: ReminderStatus,
    /// Only those due before this day.
    pub due_before: Option<NaiveDate>,
    pub customer_id: Option<i64>,
    /// Keyset: after this `(due_on, id)` for open ones, before this `(done_at, id)` for done ones.
    pub after: Option<ReminderKey>,
    pub limit: i64,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ReminderKey {
    Due(NaiveDate, i64),
    Done(NaiveDateTime, i64),
}

impl ReminderKey {
    pub fn of(reminder: &Reminder) -> ReminderKey {
        match reminder.done_at {
            Some(t) => ReminderKey::Done(t.naive_utc(), reminder.id),
            None => ReminderKey::Due(reminder.due_on, reminder.id),
        }
    }
}

/// The caller's reminders on customers they see; open ones by due day, done ones newest first.
pub fn list(
    conn: &mut DbConnection,
    user: i64,
    visible: &Visible,
    f: &ReminderFilter,
    today: NaiveDate,
) -> RepoResult<Vec<Reminder>> {
    let mut q = r::table
        .inner_join(c::table)
        .filter(r::user_id.eq(user))
        .select(reminder_select!())
        .limit(f.limit)
        .into_boxed()
        .visible_to(c::owner_id, visible);
    q = match f.status {
        ReminderStatus::Done => q
            .filter(r::done_at.is_not_null())
            .order((r::done_at.desc(), r::id.desc())),
        ReminderStatus::Open | ReminderStatus::Overdue => {
            q.filter(r::done_at.is_null()).order((r::due_on, r::id))
        }
    };
    if f.status == ReminderStatus::Overdue {
        q = q.filter(r::due_on.lt(today));
    }
    if let Some(d) = f.due_before {
        q = q.filter(r::due_on.lt(d));
    }
    if let Some(id) = f.customer_id {
        q = q.filter(r::customer_id.eq(id));
    }
    match f.after {
        None => {}
        Some(ReminderKey::Due(d, id)) => {
            q = q.filter(r::due_on.gt(d).or(r::due_on.eq(d).and(r::id.gt(id))));
        }
        Some(ReminderKey::Done(t, id)) => {
            q = q.filter(r::done_at.lt(t).or(r::done_at.eq(t).and(r::id.lt(id))));
        }
    }
    Ok(q.load::<Row>(conn)?
        .into_iter()
        .map(|row| from_row(row, today))
        .collect())
}

/// One of the caller's reminders; 404 for anyone else's.
pub fn get(
    conn: &mut DbConnection,
    user: i64,
    visible: &Visible,
    id: i64,
    today: NaiveDate,
) -> RepoResult<Reminder> {
    let row: Row = r::table
        .inner_join(c::table)
        .filter(r::id.eq(id))
        .filter(r::user_id.eq(user))
        .select(reminder_select!())
        .into_boxed()
        .visible_to(c::owner_id, visible)
        .first(conn)
        .optional()?
        .ok_or(RepoError::NotFound)?;
    Ok(from_row(row, today))
}

/// Marks a reminder done (doing it twice changes nothing).
pub fn done(
    conn: &mut DbConnection,
    user: i64,
    visible: &Visible,
    id: i64,
    today: NaiveDate,
) -> RepoResult<Reminder> {
    write_tx(conn, |conn| {
        get(conn, user, visible, id, today)?;
        let at = now();
        diesel::update(r::table.find(id).filter(r::done_at.is_null()))
            .set((r::done_at.eq(at), r::updated_at.eq(at)))
            .execute(conn)?;
        get(conn, user, visible, id, today)
    })
}

/// Moves an open reminder to another day, today or later; it will be announced again on that day.
pub fn snooze(
    conn: &mut DbConnection,
    user: i64,
    visible: &Visible,
    id: i64,
    until: NaiveDate,
    today: NaiveDate,
) -> RepoResult<Reminder> {
    write_tx(conn, |conn| {
        let old = get(conn, user, visible, id, today)?;
        if old.status == ReminderStatus::Done {
            return Err(RepoError::conflict(
                "reminder_done",
                "the reminder is already done",
            ));
        }
        if until < today {
            return Err(RepoError::invalid(
                "until",
                "in_the_past",
                format!("snooze to today ({today}) or later"),
            ));
        }
        diesel::update(r::table.find(id))
            .set((r::due_on.eq(until), r::updated_at.eq(now())))
            .execute(conn)?;
        get(conn, user, visible, id, today)
    })
}

/// Transfer mover: the giver's open reminders on the moving customers go to the receiver.
pub(crate) fn move_open(conn: &mut DbConnection, m: &Move) -> QueryResult<i64> {
    let mine = r::table
        .filter(r::customer_id.eq_any(m.customer_ids.clone()))
        .filter(r::user_id.eq(m.from))
        .filter(r::done_at.is_null());
    if m.dry_run {
        return mine.count().get_result(conn);
    }
    let n = diesel::update(mine)
        .set((r::user_id.eq(m.to), r::updated_at.eq(now())))
        .execute(conn)?;
    Ok(n as i64)
}

/// A reminder to announce: `(id, user, customer id, customer name, due_on, note)`.
pub(crate) type Due = (i64, i64, i64, String, NaiveDate, String);

/// What the scheduler announces: open reminders due on or before `today` that were not announced
/// for their current day yet.
pub(crate) fn due_unannounced(
    conn: &mut DbConnection,
    today: NaiveDate,
    limit: i64,
) -> QueryResult<Vec<Due>> {
    r::table
        .inner_join(c::table)
        .filter(r::done_at.is_null())
        .filter(r::due_on.le(today))
        .filter(
            r::notified_on
                .is_null()
                .or(r::notified_on.ne(r::due_on.nullable())),
        )
        .select((
            r::id,
            r::user_id,
            r::customer_id,
            c::name,
            r::due_on,
            r::note,
        ))
        .order((r::due_on, r::id))
        .limit(limit)
        .load(conn)
}

/// Records that a reminder's day was announced.
pub(crate) fn mark_announced(
    conn: &mut DbConnection,
    id: i64,
    due_on: NaiveDate,
) -> QueryResult<()> {
    diesel::update(r::table.find(id).filter(r::due_on.eq(due_on)))
        .set(r::notified_on.eq(due_on))
        .execute(conn)
        .map(drop)
}
