//! Activities (客户接触): visible with their customer. Logging one is also what moves a lead to
//! `contacted` (through the domain's one level rule) and keeps the customer's last contact time.

use crate::audit;
use crate::error::OptionalFound;
use crate::schema::{
    activities as a, contacts, customers as c, departments, dictionary_items, users,
};
use crate::visibility::{Visible, VisibleTo};
use crate::{DbConnection, RepoError, RepoResult, now, write_tx};
use chrono::{Duration, NaiveDate, NaiveDateTime};
use crm_domain::api::{
    Activity, ActivityPatch, DictionaryKind, IdName, NewActivity, TeamMemberDay, TypeCount,
};
use crm_domain::customer::{CustomerLevel, PipelineEvent};
use diesel::prelude::*;
use serde_json::json;

type Row = (
    (i64, i64, String, Option<i64>, i64, String, i64),
    (
        NaiveDateTime,
        String,
        Option<String>,
        Option<chrono::NaiveDate>,
        Option<String>,
    ),
    (NaiveDateTime, NaiveDateTime, i32),
);

macro_rules! activity_select {
    () => {
        (
            (
                a::id,
                a::customer_id,
                c::name,
                a::contact_id,
                a::owner_id,
                users::display_name,
                a::type_id,
            ),
            (
                a::occurred_at,
                a::summary,
                a::outcome,
                a::next_step_on,
                a::next_step_note,
            ),
            (a::created_at, a::updated_at, a::version),
        )
    };
}

fn from_row(
    ((id, customer_id, customer_name, contact_id, owner_id, owner_name, type_id), body, times): Row,
) -> Activity {
    let (occurred_at, summary, outcome, next_step_on, next_step_note) = body;
    let (created_at, updated_at, version) = times;
    Activity {
        id,
        customer: IdName {
            id: customer_id,
            name: customer_name,
        },
        contact_id,
        owner: IdName {
            id: owner_id,
            name: owner_name,
        },
        type_id,
        occurred_at: occurred_at.and_utc(),
        summary,
        outcome,
        next_step_on,
        next_step_note,
        created_at: created_at.and_utc(),
        updated_at: updated_at.and_utc(),
        version,
    }
}

/// An activity whose customer the caller sees; 404 otherwise.
pub fn get(conn: &mut DbConnection, visible: &Visible, id: i64) -> RepoResult<Activity> {
    a::table
        .inner_join(c::table)
        .inner_join(users::table.on(users::id.eq(a::owner_id)))
        .filter(a::id.eq(id))
        .select(activity_select!())
        .into_boxed()
        .visible_to(c::owner_id, visible)
        .first::<Row>(conn)
        .found()
        .map(from_row)
}

#[derive(Debug, Clone, Default)]
pub struct ActivityFilter {
    pub customer_id: Option<i64>,
    pub owner_id: Option<i64>,
    pub department_id: Option<i64>,
    pub type_id: Option<i64>,
    pub from: Option<NaiveDateTime>,
    pub to: Option<NaiveDateTime>,
    /// Only activities whose author is within the caller's scope too (the team view); otherwise
    /// every activity on a visible customer is listed, whoever logged it.
    pub authors_in_scope: bool,
    /// Keyset: activities before this `(occurred_at, id)`, newest first.
    pub before: Option<(NaiveDateTime, i64)>,
    pub limit: i64,
}

/// Activities of visible customers, newest first.
pub fn list(
    conn: &mut DbConnection,
    visible: &Visible,
    f: &ActivityFilter,
) -> RepoResult<Vec<Activity>> {
    let mut q = a::table
        .inner_join(c::table)
        .inner_join(users::table.on(users::id.eq(a::owner_id)))
        .select(activity_select!())
        .order((a::occurred_at.desc(), a::id.desc()))
        .limit(f.limit)
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
    if let Some(v) = f.from {
        q = q.filter(a::occurred_at.ge(v));
    }
    if let Some(v) = f.to {
        q = q.filter(a::occurred_at.lt(v));
    }
    if let Some((t, id)) = f.before {
        q = q.filter(
            a::occurred_at
                .lt(t)
                .or(a::occurred_at.eq(t).and(a::id.lt(id))),
        );
    }
    Ok(q.load::<Row>(conn)?.into_iter().map(from_row).collect())
}

fn check_type(conn: &mut DbConnection, type_id: i64) -> RepoResult<()> {
    let n: i64 = dictionary_items::table
        .filter(dictionary_items::id.eq(type_id))
        .filter(dictionary_items::kind.eq(DictionaryKind::ActivityType.as_str()))
        .count()
        .get_result(conn)?;
    if n == 0 {
        return Err(RepoError::invalid(
            "type_id",
            "not_found",
            "no such activity type",
        ));
    }
    Ok(())
}

/// Logs an activity on a visible customer. In the same transaction the customer's last contact
/// moves forward, and a lead becomes `contacted` (recorded in its history).
pub fn create(
    conn: &mut DbConnection,
    actor: i64,
    visible: &Visible,
    new: &NewActivity,
    today: NaiveDate,
) -> RepoResult<Activity> {
    if new.next_step_on.is_some_and(|d| d < today) {
        return Err(RepoError::invalid(
            "next_step_on",
            "in_the_past",
            format!("a next step is planned for today ({today}) or later"),
        ));
    }
    write_tx(conn, |conn| {
        let customer = crate::customers::get_for_new_record(conn, visible, new.customer_id)?;
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
                    "not_found",
                    "no such contact of this customer",
                ));
            }
        }
        let occurred = new.occurred_at.naive_utc();
        let at = now();
        let id: i64 = diesel::insert_into(a::table)
            .values((
                a::customer_id.eq(customer.id),
                a::contact_id.eq(new.contact_id),
                a::owner_id.eq(actor),
                a::type_id.eq(new.type_id),
                a::occurred_at.eq(occurred),
                a::summary.eq(new.summary.trim()),
                a::outcome.eq(crate::customers::blank_to_none(new.outcome.as_deref())),
                a::next_step_on.eq(new.next_step_on),
                a::next_step_note.eq(crate::customers::blank_to_none(
                    new.next_step_note.as_deref(),
                )),
                a::created_at.eq(at),
                a::updated_at.eq(at),
            ))
            .returning(a::id)
            .get_result(conn)?;
        if let Some(due_on) = new.next_step_on {
            let note = crate::customers::blank_to_none(new.next_step_note.as_deref())
                .unwrap_or_else(|| new.summary.trim().to_string());
            crate::reminders::create_for_activity(conn, actor, customer.id, id, due_on, &note)?;
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
        if let Some(level) = customer.level.after(PipelineEvent::Contacted) {
            diesel::update(c::table.find(customer.id))
                .set((
                    c::level.eq(level.as_str()),
                    c::version.eq(c::version + 1),
                    c::updated_at.eq(at),
                ))
                .execute(conn)?;
            let changes = json!({"level": {"old": CustomerLevel::Lead.as_str(), "new": level.as_str()}, "reason": "first contact", "activity_id": id});
            audit::record_about(
                conn,
                Some(actor),
                "level",
                "customer",
                Some(customer.id),
                Some(customer.id),
                changes,
            )?;
        }
        get(conn, &Visible::All, id)
    })
}

/// Who may still change an activity: its author for `edit_minutes` after logging it, managers
/// (`manage`) always.
pub fn may_edit(activity: &Activity, actor: i64, manage: bool, edit_minutes: u32) -> bool {
    manage
        || (activity.owner.id == actor
            && chrono::Utc::now() - activity.created_at
                <= Duration::minutes(i64::from(edit_minutes)))
}

pub fn update(
    conn: &mut DbConnection,
    actor: i64,
    visible: &Visible,
    id: i64,
    patch: &ActivityPatch,
    manage: bool,
    edit_minutes: u32,
) -> RepoResult<Activity> {
    write_tx(conn, |conn| {
        let old = get(conn, visible, id)?;
        if !may_edit(&old, actor, manage, edit_minutes) {
            return Err(RepoError::conflict(
                "edit_window_closed",
                "only a manager may change this activity now",
            ));
        }
        if old.version != patch.version {
            return Err(RepoError::StaleVersion {
                current: old.version,
            });
        }
        if let Some(t) = patch.type_id {
            check_type(conn, t)?;
        }
        let n = diesel::update(a::table.find(id).filter(a::version.eq(patch.version)))
            .set((
                a::type_id.eq(patch.type_id.unwrap_or(old.type_id)),
                a::occurred_at.eq(patch.occurred_at.unwrap_or(old.occurred_at).naive_utc()),
                a::summary.eq(patch
                    .summary
                    .as_deref()
                    .map(str::trim)
                    .unwrap_or(&old.summary)),
                a::outcome.eq(match &patch.outcome {
                    Some(v) => crate::customers::blank_to_none(v.as_deref()),
                    None => old.outcome.clone(),
                }),
                a::updated_at.eq(now()),
                a::version.eq(patch.version + 1),
            ))
            .execute(conn)?;
        if n == 0 {
            return Err(RepoError::StaleVersion {
                current: old.version,
            });
        }
        let new = get(conn, &Visible::All, id)?;
        let view = |x: &Activity| json!({"type_id": x.type_id, "occurred_at": x.occurred_at, "summary": x.summary, "outcome": x.outcome});
        audit::record_about(
            conn,
            Some(actor),
            "update",
            "activity",
            Some(id),
            Some(old.customer.id),
            audit::diff(&view(&old), &view(&new)),
        )?;
        Ok(new)
    })
}

/// Deletes an activity (same rule as editing); the history keeps what it said.
pub fn delete(
    conn: &mut DbConnection,
    actor: i64,
    visible: &Visible,
    id: i64,
    manage: bool,
    edit_minutes: u32,
) -> RepoResult<()> {
    write_tx(conn, |conn| {
        let old = get(conn, visible, id)?;
        if !may_edit(&old, actor, manage, edit_minutes) {
            return Err(RepoError::conflict(
                "edit_window_closed",
                "only a manager may delete this activity now",
            ));
        }
        crate::reminders::drop_open_of_activity(conn, id)?;
        diesel::delete(a::table.find(id)).execute(conn)?;
        let snapshot = json!({"summary": old.summary, "occurred_at": old.occurred_at, "owner_id": old.owner.id});
        audit::record_about(
            conn,
            Some(actor),
            "delete",
            "activity",
            Some(id),
            Some(old.customer.id),
            snapshot,
        )?;
        Ok(())
    })
}

/// The team view's counts for `[from, to)`: everyone in the caller's scope who is enabled (with zero
/// when idle) or logged anything, with their activities on visible customers counted per type;
/// most active first, then by name.
pub fn team_counts(
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
