//! Activities (客户接触): visible with their customer. Logging one is also what moves a lead to
//! `contacted` (through the domain's one level rule) and keeps the customer's last contact time.

use crate::actor::Actor;
use crate::audit;
use crate::error::OptionalFound;
use crate::paging::{PageRequest, row_after};
use crate::schema::{activities as a, contacts, customers as c, departments, users};
use crate::sql::{
    blank_to_none, check_dictionary, check_version, one_row_updated, patched, patched_text,
};
use crate::visibility::{Visible, VisibleTo};
use crate::{DbConnection, RepoError, RepoResult, now, write_tx};
use chrono::{Duration, NaiveDate, NaiveDateTime};
use crm_domain::api::{
    Activity, ActivityPatch, ActivityQuery, DictionaryKind, IdName, NewActivity, Page, TeamDay,
    TeamMemberDay, TeamQuery, TypeCount,
};
use crm_domain::customer::PipelineEvent;
use crm_domain::{ErrorCode, Permission, msg, time};
use diesel::prelude::*;
use serde_json::json;

#[derive(Queryable, Selectable)]
#[diesel(table_name = a)]
struct Row {
    id: i64,
    customer_id: i64,
    contact_id: Option<i64>,
    owner_id: i64,
    type_id: i64,
    occurred_at: NaiveDateTime,
    summary: String,
    outcome: Option<String>,
    next_step_on: Option<NaiveDate>,
    next_step_note: Option<String>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    version: i32,
    opportunity_id: Option<i64>,
}

type Joined = (Row, String, String);

/// The columns of an activity, its customer's name and its author's name.
macro_rules! activity_select {
    () => {
        (Row::as_select(), c::name, users::display_name)
    };
}

fn from_row((r, customer_name, owner_name): Joined) -> Activity {
    Activity {
        id: r.id,
        customer: IdName {
            id: r.customer_id,
            name: customer_name,
        },
        contact_id: r.contact_id,
        opportunity_id: r.opportunity_id,
        owner: IdName {
            id: r.owner_id,
            name: owner_name,
        },
        type_id: r.type_id,
        occurred_at: r.occurred_at.and_utc(),
        summary: r.summary,
        outcome: r.outcome,
        next_step_on: r.next_step_on,
        next_step_note: r.next_step_note,
        created_at: r.created_at.and_utc(),
        updated_at: r.updated_at.and_utc(),
        version: r.version,
    }
}

/// An activity whose customer the actor sees; 404 otherwise.
pub fn get(conn: &mut DbConnection, actor: &Actor, id: i64) -> RepoResult<Activity> {
    fetch(conn, &actor.visible, id)
}

fn fetch(conn: &mut DbConnection, visible: &Visible, id: i64) -> RepoResult<Activity> {
    a::table
        .inner_join(c::table)
        .inner_join(users::table.on(users::id.eq(a::owner_id)))
        .filter(a::id.eq(id))
        .select(activity_select!())
        .into_boxed()
        .visible_to(c::owner_id, visible)
        .first::<Joined>(conn)
        .found()
        .map(from_row)
}

/// What narrows a list of activities.
#[derive(Debug, Clone, Default)]
struct Filter {
    customer_id: Option<i64>,
    owner_id: Option<i64>,
    department_id: Option<i64>,
    type_id: Option<i64>,
    opportunity_id: Option<i64>,
    from: Option<NaiveDateTime>,
    to: Option<NaiveDateTime>,
    /// Only activities whose author is within the actor's scope too (the team view); otherwise
    /// every activity on a visible customer is listed, whoever logged it.
    authors_in_scope: bool,
}

type Key = (NaiveDateTime, i64);

/// Activities of customers the actor sees, newest first, a page at a time.
pub fn list(
    conn: &mut DbConnection,
    actor: &Actor,
    q: &ActivityQuery,
) -> RepoResult<Page<Activity>> {
    let page = PageRequest::<Key>::new(q.limit, q.cursor.as_deref(), "activities")?;
    let filter = Filter {
        customer_id: q.customer_id,
        owner_id: q.owner_id,
        department_id: q.department_id,
        type_id: q.type_id,
        opportunity_id: q.opportunity_id,
        from: q.from.map(|t| t.naive_utc()),
        to: q.to.map(|t| t.naive_utc()),
        authors_in_scope: false,
    };
    let rows = load(conn, &actor.visible, &filter, page.after, page.fetch())?;
    Ok(page.page(rows, |x| (x.occurred_at.naive_utc(), x.id)))
}

fn load(
    conn: &mut DbConnection,
    visible: &Visible,
    f: &Filter,
    after: Option<Key>,
    limit: i64,
) -> RepoResult<Vec<Activity>> {
    let mut q = a::table
        .inner_join(c::table)
        .inner_join(users::table.on(users::id.eq(a::owner_id)))
        .select(activity_select!())
        .order((a::occurred_at.desc(), a::id.desc()))
        .limit(limit)
        .into_boxed()
        .visible_to(c::owner_id, visible);
    if f.authors_in_scope {
        q = q.visible_to(a::owner_id, visible);
    }
    if let Some(v) = f.customer_id {
        q = q.filter(a::customer_id.eq(v));
    }
    if let Some(v) = f.owner_id {
        q = q.filter(a::owner_id.eq(v));
    }
    if let Some(v) = f.department_id {
        q = q.filter(users::department_id.eq(v));
    }
    if let Some(v) = f.type_id {
        q = q.filter(a::type_id.eq(v));
    }
    if let Some(v) = f.opportunity_id {
        q = q.filter(a::opportunity_id.eq(v));
    }
    if let Some(v) = f.from {
        q = q.filter(a::occurred_at.ge(v));
    }
    if let Some(v) = f.to {
        q = q.filter(a::occurred_at.lt(v));
    }
    if let Some((t, id)) = after {
        q = q.filter(row_after(a::occurred_at, a::id, t, id, true));
    }
    Ok(q.load::<Joined>(conn)?.into_iter().map(from_row).collect())
}

fn check_type(conn: &mut DbConnection, type_id: i64) -> RepoResult<()> {
    check_dictionary(conn, "type_id", DictionaryKind::ActivityType, Some(type_id))
}

/// Logs an activity on a customer the actor sees. In the same transaction the customer's last
/// contact moves forward, a lead becomes `contacted` (recorded in its history), and a next step
/// (today or later on the company's calendar) becomes a reminder for the actor on that day.
pub fn create(conn: &mut DbConnection, actor: &Actor, new: &NewActivity) -> RepoResult<Activity> {
    let today = crate::settings::today(conn)?;
    create_on(conn, actor, new, today)
}

/// [`create`] as if logged on `today` (the demo company's year of contacts).
pub fn create_on(
    conn: &mut DbConnection,
    actor: &Actor,
    new: &NewActivity,
    today: NaiveDate,
) -> RepoResult<Activity> {
    if new.next_step_on.is_some_and(|d| d < today) {
        return Err(RepoError::invalid(
            "next_step_on",
            ErrorCode::InThePast,
            msg!(
                "下一步须安排在今天（{today}）或以后",
                "a next step is planned for today ({today}) or later"
            ),
        ));
    }
    write_tx(conn, |conn| {
        let customer = crate::customers::get_for_new_record(conn, actor, new.customer_id)?;
        check_type(conn, new.type_id)?;
        if let Some(contact) = new.contact_id {
            let of: Option<i64> = contacts::table
                .find(contact)
                .select(contacts::customer_id)
                .first(conn)
                .optional()?;
            if of != Some(customer.id) {
                return Err(RepoError::invalid(
                    "contact_id",
                    ErrorCode::NotFound,
                    msg!("该客户没有这个联系人", "no such contact of this customer"),
                ));
            }
        }
        if let Some(deal) = new.opportunity_id {
            crate::opportunities::check_of_customer(conn, deal, customer.id, "opportunity_id")?;
        }
        let occurred = new.occurred_at.naive_utc();
        let at = now();
        let id: i64 = diesel::insert_into(a::table)
            .values((
                a::customer_id.eq(customer.id),
                a::opportunity_id.eq(new.opportunity_id),
                a::contact_id.eq(new.contact_id),
                a::owner_id.eq(actor.id),
                a::type_id.eq(new.type_id),
                a::occurred_at.eq(occurred),
                a::summary.eq(new.summary.trim()),
                a::outcome.eq(blank_to_none(new.outcome.as_deref())),
                a::next_step_on.eq(new.next_step_on),
                a::next_step_note.eq(blank_to_none(new.next_step_note.as_deref())),
                a::created_at.eq(at),
                a::updated_at.eq(at),
            ))
            .returning(a::id)
            .get_result(conn)?;
        if let Some(due_on) = new.next_step_on {
            let note = blank_to_none(new.next_step_note.as_deref())
                .unwrap_or_else(|| new.summary.trim().to_string());
            crate::reminders::create_for_activity(
                conn,
                actor.id,
                (customer.id, new.opportunity_id),
                id,
                due_on,
                &note,
            )?;
        }
        // Last contact only ever moves forward (an activity logged late does not pull it back).
        diesel::update(
            c::table.find(customer.id).filter(
                c::last_contact_at
                    .is_null()
                    .or(c::last_contact_at.lt(occurred)),
            ),
        )
        .set(c::last_contact_at.eq(occurred))
        .execute(conn)?;
        crate::customers::advance(
            conn,
            actor,
            &customer,
            PipelineEvent::Contacted,
            "first contact",
            ("activity_id", id),
        )?;
        let created = fetch(conn, &Visible::All, id)?;
        // Activities are their own history (no audit entry), so they tell the outbox themselves.
        crate::webhooks::outbox(
            conn,
            actor.user_id(),
            "create",
            "activity",
            &[(
                Some(id),
                Some(customer.id),
                &serde_json::to_value(&created).unwrap_or_default(),
            )],
        )?;
        Ok(created)
    })
}

/// Who may still change an activity: its author for the company's edit window after logging it,
/// managers (`activity.manage`) always. Anyone else is refused (403: seeing a customer's
/// activities, as service staff do, is not a licence to rewrite them); the author after the
/// window gets 409 `edit_window_closed`.
fn check_may_edit(conn: &mut DbConnection, actor: &Actor, activity: &Activity) -> RepoResult<()> {
    if actor.has(Permission::ActivityManage) {
        return Ok(());
    }
    if activity.owner.id != actor.id {
        return Err(RepoError::Forbidden(msg!(
            "只有记录人或经理可以修改这条活动记录",
            "only the one who logged this activity, or a manager, may change it"
        )));
    }
    let minutes = crate::settings::get(conn)?.settings.activity_edit_minutes;
    let in_window =
        chrono::Utc::now() - activity.created_at <= Duration::minutes(i64::from(minutes));
    if activity.owner.id == actor.id && in_window {
        Ok(())
    } else {
        Err(RepoError::conflict(
            ErrorCode::EditWindowClosed,
            msg!(
                "现在只有经理可以修改这条记录",
                "only a manager may change this activity now"
            ),
        ))
    }
}

pub fn update(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    patch: &ActivityPatch,
) -> RepoResult<Activity> {
    write_tx(conn, |conn| {
        let old = get(conn, actor, id)?;
        check_may_edit(conn, actor, &old)?;
        check_version(old.version, patch.version)?;
        if let Some(t) = patch.type_id {
            check_type(conn, t)?;
        }
        let n = diesel::update(a::table.find(id).filter(a::version.eq(patch.version)))
            .set((
                a::type_id.eq(patch.type_id.unwrap_or(old.type_id)),
                a::occurred_at.eq(patch.occurred_at.unwrap_or(old.occurred_at).naive_utc()),
                a::summary.eq(patched_text(&patch.summary, &old.summary)),
                a::outcome.eq(patched(&patch.outcome, &old.outcome)),
                a::updated_at.eq(now()),
                a::version.eq(patch.version + 1),
            ))
            .execute(conn)?;
        one_row_updated(n, old.version)?;
        let new = fetch(conn, &Visible::All, id)?;
        let view = |x: &Activity| json!({"type_id": x.type_id, "occurred_at": x.occurred_at, "summary": x.summary, "outcome": x.outcome});
        let changes = audit::diff(&view(&old), &view(&new));
        audit::record_about(
            conn,
            actor,
            "update",
            "activity",
            Some(id),
            Some(old.customer.id),
            changes,
        )?;
        Ok(new)
    })
}

/// Deletes an activity (same rule as editing); the history keeps what it said.
pub fn delete(conn: &mut DbConnection, actor: &Actor, id: i64) -> RepoResult<()> {
    write_tx(conn, |conn| {
        let old = get(conn, actor, id)?;
        check_may_edit(conn, actor, &old)?;
        crate::reminders::drop_open_of_activity(conn, id)?;
        diesel::delete(a::table.find(id)).execute(conn)?;
        let snapshot = json!({"summary": old.summary, "occurred_at": old.occurred_at, "owner_id": old.owner.id});
        audit::record_about(
            conn,
            actor,
            "delete",
            "activity",
            Some(id),
            Some(old.customer.id),
            snapshot,
        )?;
        Ok(())
    })
}

/// The most activities the team view lists for a day.
const MAX_TEAM_ACTIVITIES: usize = 500;

/// A day of the team (the company's calendar; default today): everyone in the actor's scope with
/// their counts per type (idle ones with zero), and the day's activities (of one person when
/// `user_id` says so), the latest 500.
pub fn team_day(conn: &mut DbConnection, actor: &Actor, q: &TeamQuery) -> RepoResult<TeamDay> {
    let zone = crate::settings::zone(conn)?;
    let date = q
        .date
        .unwrap_or_else(|| time::local_date(chrono::Utc::now(), zone));
    let (from, to) = time::day_range(date, zone);
    let people = team_counts(conn, &actor.visible, from, to)?;
    let filter = Filter {
        owner_id: q.user_id,
        from: Some(from),
        to: Some(to),
        authors_in_scope: true,
        ..Filter::default()
    };
    let mut activities = load(
        conn,
        &actor.visible,
        &filter,
        None,
        MAX_TEAM_ACTIVITIES as i64 + 1,
    )?;
    let truncated = activities.len() > MAX_TEAM_ACTIVITIES;
    activities.truncate(MAX_TEAM_ACTIVITIES);
    Ok(TeamDay {
        date,
        total: people.iter().map(|p| p.count).sum(),
        people,
        activities,
        truncated,
    })
}

/// The team view's counts for `[from, to)`: everyone in the caller's scope who is enabled (with zero
/// when idle) or logged anything, with their activities on visible customers counted per type;
/// most active first, then by name.
fn team_counts(
    conn: &mut DbConnection,
    visible: &Visible,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> RepoResult<Vec<TeamMemberDay>> {
    let counts: Vec<(i64, i64, i64)> = a::table
        .inner_join(c::table)
        .filter(a::occurred_at.ge(from))
        .filter(a::occurred_at.lt(to))
        .group_by((a::owner_id, a::type_id))
        .select((a::owner_id, a::type_id, diesel::dsl::count_star()))
        .into_boxed()
        .visible_to(c::owner_id, visible)
        .visible_to(a::owner_id, visible)
        .load(conn)?;
    let active: Vec<i64> = counts.iter().map(|(u, _, _)| *u).collect();
    let people: Vec<(i64, String, String, i64, String)> = users::table
        .inner_join(departments::table)
        .filter(users::enabled.eq(true).or(users::id.eq_any(active)))
        .select((
            users::id,
            users::username,
            users::display_name,
            departments::id,
            departments::name,
        ))
        .into_boxed()
        .visible_to(users::id, visible)
        .load(conn)?;
    let mut out: Vec<TeamMemberDay> = people
        .into_iter()
        .map(|(id, username, name, dept_id, dept_name)| {
            let mut by_type: Vec<TypeCount> = counts
                .iter()
                .filter(|(u, _, _)| *u == id)
                .map(|&(_, type_id, count)| TypeCount { type_id, count })
                .collect();
            by_type.sort_by_key(|t| t.type_id);
            TeamMemberDay {
                user: IdName { id, name },
                username,
                department: IdName {
                    id: dept_id,
                    name: dept_name,
                },
                count: by_type.iter().map(|t| t.count).sum(),
                by_type,
            }
        })
        .collect();
    out.sort_by(|x, y| {
        y.count
            .cmp(&x.count)
            .then_with(|| x.user.name.cmp(&y.user.name))
    });
    Ok(out)
}
