//! Reminders (提醒): the next step of an activity becomes a reminder for its author on that day.
//! A user sees and handles only their own reminders, and only on customers still visible to them;
//! a customer transfer hands the open ones to the receiver (see [`crate::moves`]).

use crate::actor::Actor;
use crate::error::OptionalFound;
use crate::moves::Move;
use crate::paging::{PageRequest, row_after};
use crate::schema::{customers as c, reminders as r};
use crate::visibility::VisibleTo;
use crate::{DbConnection, RepoError, RepoResult, now, write_tx};
use chrono::{Days, NaiveDate, NaiveDateTime};
use crm_domain::api::{
    IdName, Page, Reminder, ReminderQuery, ReminderStatus, ReminderView, SnoozeRequest,
};
use crm_domain::{ErrorCode, msg};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Queryable, Selectable)]
#[diesel(table_name = r)]
struct Row {
    id: i64,
    customer_id: i64,
    activity_id: Option<i64>,
    due_on: NaiveDate,
    note: String,
    done_at: Option<NaiveDateTime>,
    created_at: NaiveDateTime,
    opportunity_id: Option<i64>,
}

fn from_row((row, customer_name): (Row, String), today: NaiveDate) -> Reminder {
    let status = match row.done_at {
        Some(_) => ReminderStatus::Done,
        None if row.due_on < today => ReminderStatus::Overdue,
        None => ReminderStatus::Open,
    };
    Reminder {
        id: row.id,
        customer: IdName {
            id: row.customer_id,
            name: customer_name,
        },
        activity_id: row.activity_id,
        opportunity_id: row.opportunity_id,
        due_on: row.due_on,
        note: row.note,
        status,
        done_at: row.done_at.map(|t| t.and_utc()),
        created_at: row.created_at.and_utc(),
    }
}

/// Creates the reminder of an activity's next step (inside the activity's transaction), about the
/// activity's customer and deal.
pub(crate) fn create_for_activity(
    conn: &mut DbConnection,
    user: i64,
    (customer, deal): (i64, Option<i64>),
    activity: i64,
    due_on: NaiveDate,
    note: &str,
) -> QueryResult<()> {
    let at = now();
    diesel::insert_into(r::table)
        .values((
            r::user_id.eq(user),
            r::customer_id.eq(customer),
            r::opportunity_id.eq(deal),
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

/// A position in a list of reminders: `(due_on, id)` for open ones, `(done_at, id)` for done ones.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
enum Key {
    Due(NaiveDate, i64),
    Done(NaiveDateTime, i64),
}

impl Key {
    fn of(reminder: &Reminder) -> Key {
        match reminder.done_at {
            Some(t) => Key::Done(t.naive_utc(), reminder.id),
            None => Key::Due(reminder.due_on, reminder.id),
        }
    }
}

/// The actor's reminders on customers they see: open ones by due day (`due`: today's and
/// earlier, on the company's calendar; `overdue`: past their day), done ones newest first.
pub fn list(
    conn: &mut DbConnection,
    actor: &Actor,
    f: &ReminderQuery,
) -> RepoResult<Page<Reminder>> {
    let view = f.status.unwrap_or_default();
    let order = match view {
        ReminderView::Done => "reminders-done",
        _ => "reminders-open",
    };
    let page = PageRequest::<Key>::new(f.limit, f.cursor.as_deref(), order)?;
    let today = crate::settings::today(conn)?;
    let mut q = r::table
        .inner_join(c::table)
        .filter(r::user_id.eq(actor.id))
        .select((Row::as_select(), c::name))
        .limit(page.fetch())
        .into_boxed()
        .visible_to(c::owner_id, &actor.visible);
    q = match view {
        ReminderView::Done => q
            .filter(r::done_at.is_not_null())
            .order((r::done_at.desc(), r::id.desc())),
        _ => q.filter(r::done_at.is_null()).order((r::due_on, r::id)),
    };
    let mut due_before = f.due_before;
    match view {
        ReminderView::Overdue => q = q.filter(r::due_on.lt(today)),
        ReminderView::Due => {
            let tomorrow = today.succ_opt().unwrap_or(today);
            due_before = Some(due_before.map_or(tomorrow, |d| d.min(tomorrow)));
        }
        ReminderView::Open | ReminderView::Done => {}
    }
    if let Some(d) = due_before {
        q = q.filter(r::due_on.lt(d));
    }
    if let Some(id) = f.customer_id {
        q = q.filter(r::customer_id.eq(id));
    }
    match page.after {
        None => {}
        Some(Key::Due(d, id)) => q = q.filter(row_after(r::due_on, r::id, d, id, false)),
        Some(Key::Done(t, id)) => {
            q = q.filter(row_after(r::done_at.assume_not_null(), r::id, t, id, true))
        }
    }
    let rows = q.load::<(Row, String)>(conn)?;
    let items = rows.into_iter().map(|row| from_row(row, today)).collect();
    Ok(page.page(items, Key::of))
}

/// One of the actor's reminders; 404 for anyone else's.
fn get(conn: &mut DbConnection, actor: &Actor, id: i64, today: NaiveDate) -> RepoResult<Reminder> {
    let row = r::table
        .inner_join(c::table)
        .filter(r::id.eq(id))
        .filter(r::user_id.eq(actor.id))
        .select((Row::as_select(), c::name))
        .into_boxed()
        .visible_to(c::owner_id, &actor.visible)
        .first::<(Row, String)>(conn)
        .found()?;
    Ok(from_row(row, today))
}

/// Marks one of the actor's reminders done (doing it twice changes nothing).
pub fn done(conn: &mut DbConnection, actor: &Actor, id: i64) -> RepoResult<Reminder> {
    write_tx(conn, |conn| {
        let today = crate::settings::today(conn)?;
        get(conn, actor, id, today)?;
        let at = now();
        diesel::update(r::table.find(id).filter(r::done_at.is_null()))
            .set((r::done_at.eq(at), r::updated_at.eq(at)))
            .execute(conn)?;
        get(conn, actor, id, today)
    })
}

/// Moves an open reminder to a later day: `until`, or `days` from today (default 1), on the
/// company's calendar; it will be announced again on that day. 422 `in_the_past` before today,
/// 409 `reminder_done` when it is done.
pub fn snooze(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    req: &SnoozeRequest,
) -> RepoResult<Reminder> {
    if req.until.is_some() == req.days.is_some() {
        return Err(RepoError::invalid(
            "until",
            ErrorCode::OneOf,
            msg!(
                "请给出 `until`（日期）或 `days` 之一",
                "give either `until` (a date) or `days`"
            ),
        ));
    }
    write_tx(conn, |conn| {
        let today = crate::settings::today(conn)?;
        let old = get(conn, actor, id, today)?;
        if old.status == ReminderStatus::Done {
            return Err(RepoError::conflict(
                ErrorCode::ReminderDone,
                msg!("这条提醒已经完成", "the reminder is already done"),
            ));
        }
        let until = match (req.until, req.days) {
            (Some(d), _) => d,
            (None, days) => today
                .checked_add_days(Days::new(u64::from(days.unwrap_or(1))))
                .unwrap_or(today),
        };
        if until < today {
            return Err(RepoError::invalid(
                "until",
                ErrorCode::InThePast,
                msg!(
                    "请推迟到今天（{today}）或以后",
                    "snooze to today ({today}) or later"
                ),
            ));
        }
        diesel::update(r::table.find(id))
            .set((r::due_on.eq(until), r::updated_at.eq(now())))
            .execute(conn)?;
        get(conn, actor, id, today)
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
