//! Service tickets (服务工单): opened by anyone who sees the customer, handled by service staff
//! (`service.write`), with a timeline of what happened. A ticket is seen by who sees its customer
//! (`customer_owner_id`, kept by a trigger when the customer changes hands: the one filter); service
//! staff read every customer. A transfer moves nothing here: tickets stay with their assignee.

use crate::actor::Actor;
use crate::audit::{self, diff};
use crate::error::OptionalFound;
use crate::names;
use crate::notifications::{self, Notice};
use crate::numbering::{self, Numbered};
use crate::paging::{PageRequest, row_after};
use crate::schema::{contacts, orders, ticket_events as ev, tickets as t};
use crate::sql::{check_version, one_row_updated};
use crate::visibility::{Visible, VisibleTo};
use crate::{DbConnection, RepoError, RepoResult, now, write_tx};
use chrono::{NaiveDate, NaiveDateTime};
use crm_domain::api::{
    NewTicket, NewTicketComment, Page, ServiceGroup, ServiceReport, ServiceReportQuery,
    ServiceReportRow, Ticket, TicketEvent, TicketPatch, TicketQuery,
};
use crm_domain::ticket::{TicketAction, TicketKind, TicketPriority, TicketStatus};
use crm_domain::{DataScope, ErrorCode, Permission, msg};
use diesel::prelude::*;
use serde_json::json;
use std::collections::BTreeMap;

#[derive(Queryable, Selectable)]
#[diesel(table_name = t)]
struct Row {
    id: i64,
    number: String,
    kind: String,
    customer_id: i64,
    order_id: Option<i64>,
    contact_id: Option<i64>,
    priority: String,
    subject: String,
    description: Option<String>,
    status: String,
    assignee_id: Option<i64>,
    resolution: Option<String>,
    satisfaction: Option<i16>,
    due_at: NaiveDateTime,
    resolved_at: Option<NaiveDateTime>,
    closed_at: Option<NaiveDateTime>,
    created_by: i64,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    version: i32,
}

/// Names of the people, customers, orders and contacts a page of tickets refers to.
fn with_names(conn: &mut DbConnection, rows: Vec<Row>) -> QueryResult<Vec<Ticket>> {
    let people = names::people(
        conn,
        rows.iter()
            .flat_map(|r| [Some(r.created_by), r.assignee_id])
            .flatten(),
    )?;
    let custs = names::customers(conn, rows.iter().map(|r| r.customer_id))?;
    let ords = names::orders(conn, rows.iter().filter_map(|r| r.order_id))?;
    let cons = names::contacts(conn, rows.iter().filter_map(|r| r.contact_id))?;
    let at = now();
    Ok(rows
        .into_iter()
        .map(|x| {
            let status = TicketStatus::parse(&x.status).unwrap_or(TicketStatus::Open);
            Ticket {
                id: x.id,
                number: x.number,
                kind: TicketKind::parse(&x.kind).unwrap_or(TicketKind::Feedback),
                customer: custs.of(x.customer_id),
                order: x.order_id.map(|id| ords.of(id)),
                contact: x.contact_id.map(|id| cons.of(id)),
                priority: TicketPriority::parse(&x.priority).unwrap_or(TicketPriority::Normal),
                subject: x.subject,
                description: x.description,
                status,
                assignee: x.assignee_id.map(|id| people.of(id)),
                resolution: x.resolution,
                satisfaction: x.satisfaction,
                due_at: x.due_at.and_utc(),
                overdue: status.is_pending() && x.due_at < at,
                resolved_at: x.resolved_at.map(|v| v.and_utc()),
                closed_at: x.closed_at.map(|v| v.and_utc()),
                created_by: people.of(x.created_by),
                created_at: x.created_at.and_utc(),
                updated_at: x.updated_at.and_utc(),
                version: x.version,
            }
        })
        .collect())
}

fn view(x: &Ticket) -> serde_json::Value {
    json!({
        "number": x.number, "type": x.kind.as_str(), "customer_id": x.customer.id,
        "order_id": x.order.as_ref().map(|v| v.id), "contact_id": x.contact.as_ref().map(|v| v.id),
        "priority": x.priority.as_str(), "subject": x.subject, "description": x.description,
        "status": x.status.as_str(), "assignee_id": x.assignee.as_ref().map(|v| v.id),
        "resolution": x.resolution, "satisfaction": x.satisfaction,
    })
}

/// A ticket the actor sees (by its customer); 404 otherwise.
pub fn get(conn: &mut DbConnection, actor: &Actor, id: i64) -> RepoResult<Ticket> {
    fetch(conn, &actor.visible, id)
}

fn fetch(conn: &mut DbConnection, visible: &Visible, id: i64) -> RepoResult<Ticket> {
    let row: Row = t::table
        .filter(t::id.eq(id))
        .select(Row::as_select())
        .into_boxed()
        .visible_to(t::customer_owner_id, visible)
        .first(conn)
        .found()?;
    Ok(with_names(conn, vec![row])?.remove(0))
}

/// The tickets the actor sees, last changed first, filtered, a page at a time.
pub fn list(conn: &mut DbConnection, actor: &Actor, f: &TicketQuery) -> RepoResult<Page<Ticket>> {
    let page = PageRequest::<(NaiveDateTime, i64)>::new(f.limit, f.cursor.as_deref(), "-updated")?;
    let fetch = page.fetch();
    let at = now();
    // The list's filters within a scope, in list order, after the cursor's key.
    let narrowed = |visible: &Visible| {
        let mut q = t::table
            .order((t::updated_at.desc(), t::id.desc()))
            .limit(fetch)
            .into_boxed()
            .visible_to(t::customer_owner_id, visible);
        if let Some(v) = f.status {
            q = q.filter(t::status.eq(v.as_str()));
        }
        if let Some(v) = f.kind {
            q = q.filter(t::kind.eq(v.as_str()));
        }
        if let Some(v) = f.priority {
            q = q.filter(t::priority.eq(v.as_str()));
        }
        if let Some(v) = f.assignee_id {
            q = q.filter(t::assignee_id.eq(v));
        }
        if f.unassigned == Some(true) {
            q = q.filter(t::assignee_id.is_null());
        }
        if let Some(v) = f.customer_id {
            q = q.filter(t::customer_id.eq(v));
        }
        if let Some(v) = f.order_id {
            q = q.filter(t::order_id.eq(v));
        }
        if f.overdue == Some(true) {
            q = q
                .filter(t::status.eq_any([
                    TicketStatus::Open.as_str(),
                    TicketStatus::InProgress.as_str(),
                ]))
                .filter(t::due_at.lt(at));
        }
        if let Some((when, id)) = page.after {
            q = q.filter(row_after(t::updated_at, t::id, when, id, true));
        }
        q
    };
    // A team's page is merged from each customer owner's own index range (`paging::merged`).
    let rows: Vec<Row> = match crate::paging::merge_owners(&actor.visible) {
        Some(owners) => {
            let ids = crate::paging::merged(owners, fetch, true, |owner| {
                Ok(narrowed(&Visible::Owners(vec![owner]))
                    .select((t::updated_at, t::id))
                    .load::<(NaiveDateTime, i64)>(conn)?)
            })?;
            let mut rows: Vec<Row> = t::table
                .filter(t::id.eq_any(&ids))
                .select(Row::as_select())
                .load(conn)?;
            rows.sort_by_key(|r| std::cmp::Reverse((r.updated_at, r.id)));
            rows
        }
        None => narrowed(&actor.visible)
            .select(Row::as_select())
            .load(conn)?,
    };
    let items = with_names(conn, rows)?;
    Ok(page.page(items, |x: &Ticket| (x.updated_at.naive_utc(), x.id)))
}

/// 422 `not_a_handler` unless `user` is enabled and handles tickets (`service.write`).
fn check_handler(conn: &mut DbConnection, user: i64) -> RepoResult<()> {
    let handlers = crate::roles::holders(conn, Permission::ServiceWrite)?;
    if !handlers.iter().any(|h| h.user_id == user) {
        return Err(RepoError::invalid(
            "assignee_id",
            ErrorCode::NotAHandler,
            msg!(
                "这个用户不处理服务工单",
                "this user does not handle tickets"
            ),
        ));
    }
    Ok(())
}

/// Service staff with a company-wide scope: those told of an overdue ticket besides its assignee.
fn service_leads(conn: &mut DbConnection) -> QueryResult<Vec<i64>> {
    let mut ids: Vec<i64> = crate::roles::holders(conn, Permission::ServiceWrite)?
        .into_iter()
        .filter(|h| h.scope == DataScope::All && h.role_code.as_deref() == Some("service"))
        .map(|h| h.user_id)
        .collect();
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

fn event(
    conn: &mut DbConnection,
    actor: &Actor,
    ticket: i64,
    kind: &str,
    status: Option<TicketStatus>,
    assignee: Option<i64>,
    body: Option<&str>,
) -> QueryResult<()> {
    diesel::insert_into(ev::table)
        .values((
            ev::ticket_id.eq(ticket),
            ev::kind.eq(kind),
            ev::status.eq(status.map(TicketStatus::as_str)),
            ev::assignee_id.eq(assignee),
            ev::body.eq(body),
            ev::user_id.eq(actor.id),
            ev::at.eq(now()),
        ))
        .execute(conn)
        .map(drop)
}

fn tell_assignee(conn: &mut DbConnection, actor: &Actor, x: &Ticket) -> QueryResult<()> {
    let Some(who) = x.assignee.as_ref().filter(|a| a.id != actor.id) else {
        return Ok(());
    };
    let body = format!("{} · {} · {}", x.number, x.customer.name, x.subject);
    notifications::notify(
        conn,
        who.id,
        &Notice {
            kind: "ticket_assigned",
            title: "服务工单已分派给您 Ticket assigned to you",
            body: &body,
            entity: Some("ticket"),
            entity_id: Some(x.id),
        },
    )
}

/// Opens a ticket on a customer the actor sees; its order and contact must be that customer's.
/// Due from its priority; numbered `TK…`.
pub fn create(conn: &mut DbConnection, actor: &Actor, new: &NewTicket) -> RepoResult<Ticket> {
    write_tx(conn, |conn| {
        let customer = crate::customers::get_for_new_record(conn, actor, new.customer_id)?;
        let not_of = |field: &'static str| {
            RepoError::invalid(
                field,
                ErrorCode::NotOfCustomer,
                msg!("不属于这个客户", "belongs to another customer"),
            )
        };
        if let Some(id) = new.order_id {
            let of: Option<i64> = orders::table
                .find(id)
                .select(orders::customer_id)
                .first(conn)
                .optional()?;
            if of != Some(customer.id) {
                return Err(not_of("order_id"));
            }
        }
        if let Some(id) = new.contact_id {
            let of: Option<i64> = contacts::table
                .find(id)
                .select(contacts::customer_id)
                .first(conn)
                .optional()?;
            if of != Some(customer.id) {
                return Err(not_of("contact_id"));
            }
        }
        if let Some(id) = new.assignee_id {
            check_handler(conn, id)?;
        }
        let priority = new.priority.unwrap_or(TicketPriority::Normal);
        let due_hours = crate::settings::get(conn)?.settings.ticket_due_hours;
        let at = now();
        let today = crate::settings::today(conn)?;
        let number = numbering::next(conn, Numbered::Ticket, today)?;
        let id: i64 = diesel::insert_into(t::table)
            .values((
                (
                    t::number.eq(&number),
                    t::kind.eq(new.kind.as_str()),
                    t::customer_id.eq(customer.id),
                    t::customer_owner_id.eq(customer.owner.id),
                    t::order_id.eq(new.order_id),
                    t::contact_id.eq(new.contact_id),
                    t::priority.eq(priority.as_str()),
                    t::subject.eq(new.subject.trim()),
                ),
                (
                    t::description.eq(crate::sql::blank_to_none(new.description.as_deref())),
                    t::status.eq(TicketStatus::Open.as_str()),
                    t::assignee_id.eq(new.assignee_id),
                    t::due_at.eq(at + chrono::Duration::hours(due_hours.of(priority))),
                    t::created_by.eq(actor.id),
                    t::created_at.eq(at),
                    t::updated_at.eq(at),
                ),
            ))
            .returning(t::id)
            .get_result(conn)?;
        event(
            conn,
            actor,
            id,
            "created",
            Some(TicketStatus::Open),
            new.assignee_id,
            None,
        )?;
        let x = fetch(conn, &Visible::All, id)?;
        audit::record_about(
            conn,
            actor,
            "create",
            "ticket",
            Some(id),
            Some(customer.id),
            view(&x),
        )?;
        tell_assignee(conn, actor, &x)?;
        Ok(x)
    })
}

/// 409 `ticket_closed`: a closed ticket changes only by being reopened.
fn check_not_closed(x: &Ticket) -> RepoResult<()> {
    if x.status == TicketStatus::Closed {
        return Err(RepoError::conflict(
            ErrorCode::TicketClosed,
            msg!(
                "工单已关闭；先重新打开",
                "the ticket is closed; reopen it first"
            ),
        ));
    }
    Ok(())
}

/// Changes the subject, description or priority (which moves the due time from the opening).
pub fn update(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    patch: &TicketPatch,
) -> RepoResult<Ticket> {
    write_tx(conn, |conn| {
        let old = get(conn, actor, id)?;
        check_version(old.version, patch.version)?;
        check_not_closed(&old)?;
        let priority = patch.priority.unwrap_or(old.priority);
        // A new priority moves the due time by the company's hours for it; nothing else does
        // (not even a change of those hours since the ticket was opened).
        let due_at = if priority == old.priority {
            old.due_at.naive_utc()
        } else {
            let hours = crate::settings::get(conn)?
                .settings
                .ticket_due_hours
                .of(priority);
            old.created_at.naive_utc() + chrono::Duration::hours(hours)
        };
        let n = diesel::update(t::table.find(id).filter(t::version.eq(patch.version)))
            .set((
                t::priority.eq(priority.as_str()),
                t::due_at.eq(due_at),
                t::subject.eq(patch
                    .subject
                    .as_deref()
                    .map_or(old.subject.clone(), |s| s.trim().to_string())),
                t::description.eq(match &patch.description {
                    Some(d) => crate::sql::blank_to_none(Some(d)),
                    None => old.description.clone(),
                }),
                t::updated_at.eq(now()),
                t::version.eq(old.version + 1),
            ))
            .execute(conn)?;
        one_row_updated(n, old.version)?;
        let new = get(conn, actor, id)?;
        audit::record_about(
            conn,
            actor,
            "update",
            "ticket",
            Some(id),
            Some(new.customer.id),
            diff(&view(&old), &view(&new)),
        )?;
        Ok(new)
    })
}

/// Gives the ticket to someone who handles tickets (or to nobody); they are told.
pub fn assign(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    assignee: Option<i64>,
    version: i32,
) -> RepoResult<Ticket> {
    write_tx(conn, |conn| {
        let old = get(conn, actor, id)?;
        check_version(old.version, version)?;
        check_not_closed(&old)?;
        if let Some(user) = assignee {
            check_handler(conn, user)?;
        }
        let n = diesel::update(t::table.find(id).filter(t::version.eq(version)))
            .set((
                t::assignee_id.eq(assignee),
                t::updated_at.eq(now()),
                t::version.eq(old.version + 1),
            ))
            .execute(conn)?;
        one_row_updated(n, old.version)?;
        event(conn, actor, id, "assigned", None, assignee, None)?;
        let new = get(conn, actor, id)?;
        audit::record_about(
            conn,
            actor,
            "assign",
            "ticket",
            Some(id),
            Some(new.customer.id),
            diff(&view(&old), &view(&new)),
        )?;
        tell_assignee(conn, actor, &new)?;
        Ok(new)
    })
}

/// Starts, resolves (with what was done), closes (with the customer's satisfaction, 1–5) or
/// reopens a ticket. A move its status does not allow is 409 `invalid_status_move`.
pub fn act(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    action: TicketAction,
    version: i32,
    resolution: Option<&str>,
    satisfaction: Option<i16>,
) -> RepoResult<Ticket> {
    write_tx(conn, |conn| {
        let old = get(conn, actor, id)?;
        check_version(old.version, version)?;
        let Some(status) = old.status.after(action) else {
            return Err(RepoError::conflict(
                ErrorCode::InvalidStatusMove,
                msg!(
                    "工单当前的状态不能这样变更",
                    "the ticket's status does not allow this"
                ),
            ));
        };
        let at = now();
        let resolution = resolution.map(str::trim).filter(|r| !r.is_empty());
        let n = match action {
            TicketAction::Start => diesel::update(t::table.find(id).filter(t::version.eq(version)))
                .set((
                    t::status.eq(status.as_str()),
                    t::updated_at.eq(at),
                    t::version.eq(old.version + 1),
                ))
                .execute(conn)?,
            TicketAction::Resolve => {
                diesel::update(t::table.find(id).filter(t::version.eq(version)))
                    .set((
                        t::status.eq(status.as_str()),
                        t::resolution.eq(resolution),
                        t::resolved_at.eq(at),
                        t::updated_at.eq(at),
                        t::version.eq(old.version + 1),
                    ))
                    .execute(conn)?
            }
            TicketAction::Close => diesel::update(t::table.find(id).filter(t::version.eq(version)))
                .set((
                    t::status.eq(status.as_str()),
                    t::satisfaction.eq(satisfaction),
                    t::closed_at.eq(at),
                    t::updated_at.eq(at),
                    t::version.eq(old.version + 1),
                ))
                .execute(conn)?,
            TicketAction::Reopen => {
                diesel::update(t::table.find(id).filter(t::version.eq(version)))
                    .set((
                        t::status.eq(status.as_str()),
                        t::satisfaction.eq(None::<i16>),
                        t::resolved_at.eq(None::<NaiveDateTime>),
                        t::closed_at.eq(None::<NaiveDateTime>),
                        t::updated_at.eq(at),
                        t::version.eq(old.version + 1),
                    ))
                    .execute(conn)?
            }
        };
        one_row_updated(n, old.version)?;
        let said = match action {
            TicketAction::Resolve => resolution.map(str::to_string),
            TicketAction::Close => satisfaction.map(|s| s.to_string()),
            _ => None,
        };
        event(
            conn,
            actor,
            id,
            "status",
            Some(status),
            None,
            said.as_deref(),
        )?;
        let new = get(conn, actor, id)?;
        audit::record_about(
            conn,
            actor,
            action.as_str(),
            "ticket",
            Some(id),
            Some(new.customer.id),
            diff(&view(&old), &view(&new)),
        )?;
        Ok(new)
    })
}

/// The ticket's timeline, oldest first.
pub fn events(conn: &mut DbConnection, actor: &Actor, id: i64) -> RepoResult<Vec<TicketEvent>> {
    get(conn, actor, id)?;
    type EventRow = (
        i64,
        String,
        Option<String>,
        Option<i64>,
        Option<String>,
        i64,
        NaiveDateTime,
    );
    let rows: Vec<EventRow> = ev::table
        .filter(ev::ticket_id.eq(id))
        .order((ev::at, ev::id))
        .select((
            ev::id,
            ev::kind,
            ev::status,
            ev::assignee_id,
            ev::body,
            ev::user_id,
            ev::at,
        ))
        .load(conn)?;
    let names = names::people(conn, rows.iter().flat_map(|r| [Some(r.5), r.3]).flatten())?;
    let named = |id: i64| names.of(id);
    Ok(rows
        .into_iter()
        .map(|(id, kind, status, assignee, body, user, at)| TicketEvent {
            id,
            kind,
            status: status.as_deref().and_then(TicketStatus::parse),
            assignee: assignee.map(named),
            body,
            user: named(user),
            at: at.and_utc(),
        })
        .collect())
}

/// Adds a comment to the timeline of a ticket the actor sees.
pub fn comment(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    new: &NewTicketComment,
) -> RepoResult<TicketEvent> {
    write_tx(conn, |conn| {
        get(conn, actor, id)?;
        event(
            conn,
            actor,
            id,
            "comment",
            None,
            None,
            Some(new.body.trim()),
        )?;
        diesel::update(t::table.find(id))
            .set(t::updated_at.eq(now()))
            .execute(conn)?;
        let mut all = events(conn, actor, id)?;
        all.pop().ok_or(RepoError::NotFound)
    })
}

/// Announces each ticket that is past due and not resolved, once, to its assignee and to the
/// service leads (a key per ticket and person: several scheduler instances announce it once).
/// Answers how many were announced for the first time.
pub fn announce_overdue(conn: &mut DbConnection, at: NaiveDateTime) -> RepoResult<usize> {
    let due: Vec<(i64, String, String, Option<i64>)> = t::table
        .filter(t::status.eq_any([
            TicketStatus::Open.as_str(),
            TicketStatus::InProgress.as_str(),
        ]))
        .filter(t::due_at.lt(at))
        .select((t::id, t::number, t::subject, t::assignee_id))
        .order(t::id)
        .limit(10_000)
        .load(conn)?;
    if due.is_empty() {
        return Ok(0);
    }
    let leads = service_leads(conn)?;
    let mut announced = 0;
    for (id, number, subject, assignee) in due {
        let body = format!("{number} · {subject}");
        let notice = Notice {
            kind: "ticket_overdue",
            title: "服务工单已超时 Ticket overdue",
            body: &body,
            entity: Some("ticket"),
            entity_id: Some(id),
        };
        let mut first = false;
        let mut to: Vec<i64> = assignee.into_iter().chain(leads.iter().copied()).collect();
        to.sort_unstable();
        to.dedup();
        for user in to {
            first |= notifications::notify_once(
                conn,
                user,
                &notice,
                &format!("ticket_overdue:{id}:{user}"),
            )?;
        }
        if first {
            announced += 1;
        }
    }
    Ok(announced)
}

/// One group of the service analysis, as the database counts it.
#[derive(QueryableByName, Default, Clone)]
struct ServiceCount {
    #[diesel(sql_type = diesel::sql_types::Text)]
    k: String,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    count: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pending: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    overdue: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    resolved: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    minutes: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    rated: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    stars: i64,
}

impl ServiceCount {
    /// Adds `other` (`sign` 1) or takes it away (-1).
    fn add(&mut self, other: &ServiceCount, sign: i64) {
        self.count += sign * other.count;
        self.pending += sign * other.pending;
        self.overdue += sign * other.overdue;
        self.resolved += sign * other.resolved;
        self.minutes += sign * other.minutes;
        self.rated += sign * other.rated;
        self.stars += sign * other.stars;
    }
}

fn add_counts(groups: &mut BTreeMap<String, ServiceCount>, counts: Vec<ServiceCount>, sign: i64) {
    for c in counts {
        groups.entry(c.k.clone()).or_default().add(&c, sign);
    }
}

/// The service analysis's statements for one grouping, scope and moment.
struct ServiceSql {
    pg: bool,
    group: ServiceGroup,
    /// `t.status IN (…)`: the statuses still to be resolved.
    pending: String,
    /// The visibility filter on the ticket's customer's owner.
    visible: Option<String>,
    at: String,
}

impl ServiceSql {
    fn new(conn: &DbConnection, group: ServiceGroup, visible: &Visible, at: NaiveDateTime) -> Self {
        let pending: Vec<String> = TicketStatus::ALL
            .iter()
            .filter(|s| s.is_pending())
            .map(|s| format!("'{}'", s.as_str()))
            .collect();
        ServiceSql {
            pg: matches!(conn, DbConnection::Pg(_)),
            group,
            pending: format!("status IN ({})", pending.join(", ")),
            visible: visible.sql_condition("t.customer_owner_id"),
            // (to the microsecond, as the times are kept)
            at: format!("'{}'", at.format("%Y-%m-%d %H:%M:%S%.6f")),
        }
    }

    /// The group's key in a table aliased `a` whose month column is `month`.
    fn key(&self, a: &str, month: &str) -> String {
        match self.group {
            ServiceGroup::Type => format!("{a}.kind"),
            ServiceGroup::Status => format!("{a}.status"),
            ServiceGroup::Assignee => format!(
                "CASE WHEN COALESCE({a}.assignee_id, 0) = 0 THEN 'none' ELSE CAST({a}.assignee_id AS TEXT) END"
            ),
            ServiceGroup::Customer => format!("CAST({a}.customer_id AS TEXT)"),
            ServiceGroup::Month if self.pg => format!("to_char({a}.{month}, 'YYYY-MM')"),
            ServiceGroup::Month => format!("strftime('%Y-%m', {a}.{month})"),
        }
    }

    fn load(
        conn: &mut DbConnection,
        key: &str,
        columns: [String; 7],
        from: &str,
        wheres: &[String],
    ) -> RepoResult<Vec<ServiceCount>> {
        let big = |x: &str| format!("CAST(COALESCE({x}, 0) AS BIGINT)");
        let names = [
            "count", "pending", "overdue", "resolved", "minutes", "rated", "stars",
        ];
        let columns: Vec<String> = columns
            .iter()
            .zip(names)
            .map(|(c, n)| format!("{} AS {n}", big(c)))
            .collect();
        let sql = format!(
            "SELECT {key} AS k, {} FROM {from} WHERE {} GROUP BY {key}",
            columns.join(", "),
            wheres.join(" AND ")
        );
        Ok(diesel::sql_query(sql).load(conn)?)
    }

    fn period(&self, a: NaiveDateTime, b: NaiveDateTime) -> Vec<String> {
        let mut wheres = vec![
            format!("t.created_at >= {}", crate::reports::time_literal(a)),
            format!("t.created_at < {}", crate::reports::time_literal(b)),
        ];
        wheres.extend(self.visible.clone());
        wheres
    }

    /// The tickets opened in `[a, b)`, what is overdue now among them too.
    fn tickets(
        &self,
        conn: &mut DbConnection,
        a: NaiveDateTime,
        b: NaiveDateTime,
    ) -> RepoResult<Vec<ServiceCount>> {
        // Whole minutes from opening to resolution, per ticket.
        let minutes = if self.pg {
            "TRUNC(EXTRACT(EPOCH FROM t.resolved_at - t.created_at) / 60)"
        } else {
            "(unixepoch(t.resolved_at) - unixepoch(t.created_at)) / 60"
        };
        let pending = format!("t.{}", self.pending);
        Self::load(
            conn,
            &self.key("t", "created_at"),
            [
                "COUNT(*)".into(),
                format!("SUM(CASE WHEN {pending} THEN 1 ELSE 0 END)"),
                format!(
                    "SUM(CASE WHEN {pending} AND t.due_at < {} THEN 1 ELSE 0 END)",
                    self.at
                ),
                "COUNT(t.resolved_at)".into(),
                format!("SUM({minutes})"),
                "COUNT(t.satisfaction)".into(),
                "SUM(t.satisfaction)".into(),
            ],
            "tickets t",
            &self.period(a, b),
        )
    }

    /// The UTC months `[a, b)` from `ticket_months` (nothing overdue: that is counted apart).
    fn months(
        &self,
        conn: &mut DbConnection,
        a: NaiveDate,
        b: NaiveDate,
    ) -> RepoResult<Vec<ServiceCount>> {
        let date = crate::reports::date_literal;
        Self::load(
            conn,
            &self.key("s", "month"),
            [
                "SUM(s.tickets)".into(),
                format!(
                    "SUM(CASE WHEN s.{} THEN s.tickets ELSE 0 END)",
                    self.pending
                ),
                "0".into(),
                "SUM(s.resolved)".into(),
                "SUM(s.minutes)".into(),
                "SUM(s.rated)".into(),
                "SUM(s.stars)".into(),
            ],
            "ticket_months s",
            &[
                format!("s.month >= {}", date(a)),
                format!("s.month < {}", date(b)),
            ],
        )
    }

    /// What is overdue now among the tickets opened in `[a, b)` (by `tickets_due`).
    fn overdue(
        &self,
        conn: &mut DbConnection,
        a: NaiveDateTime,
        b: NaiveDateTime,
    ) -> RepoResult<Vec<ServiceCount>> {
        let mut wheres = self.period(a, b);
        wheres.push(format!("t.{}", self.pending));
        wheres.push(format!("t.due_at < {}", self.at));
        let zero = || "0".to_string();
        Self::load(
            conn,
            &self.key("t", "created_at"),
            [
                "COUNT(*)".into(),
                zero(),
                zero(),
                zero(),
                zero(),
                zero(),
                zero(),
            ],
            "tickets t",
            &wheres,
        )
    }
}

/// Tickets opened in the period per type, status, assignee, customer or month, within scope.
pub fn report(
    conn: &mut DbConnection,
    actor: &Actor,
    q: &ServiceReportQuery,
) -> RepoResult<ServiceReport> {
    let (from, to) = names::period(conn, q.from, q.to)?;
    let group = q.group_by.unwrap_or_default();
    let start = from.and_hms_opt(0, 0, 0).unwrap_or_default();
    let end = to
        .succ_opt()
        .unwrap_or(to)
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default();
    // Counted by the database, per group: a year is 80 000 tickets at a million customers. For
    // whoever sees every customer, the UTC months from `ticket_months` (the rest, see
    // `month_cover`, from the tickets); for a narrower scope or per customer, the tickets through
    // the covering index `tickets_created_report`. What is overdue now, from the tickets pending.
    // (In the company's zone the day starts a few hours off UTC; the period is read in UTC days.)
    let at = now();
    let sql = ServiceSql::new(conn, group, &actor.visible, at);
    let mut groups: BTreeMap<String, ServiceCount> = BTreeMap::new();
    let cover = crate::reports::month_cover(start, end, at);
    match cover.months {
        Some((a, b))
            if matches!(actor.visible, Visible::All) && group != ServiceGroup::Customer =>
        {
            add_counts(&mut groups, sql.months(conn, a, b)?, 1);
            for ((a, b), sign) in cover.pieces().filter(|((a, b), _)| a < b) {
                add_counts(&mut groups, sql.tickets(conn, a, b)?, sign);
            }
            groups.retain(|_, c| c.count != 0);
            for c in groups.values_mut() {
                c.overdue = 0;
            }
            for o in sql.overdue(conn, start, end)? {
                groups.entry(o.k.clone()).or_default().overdue = o.count;
            }
        }
        _ => add_counts(&mut groups, sql.tickets(conn, start, end)?, 1),
    }
    let mut all = ServiceCount::default();
    for c in groups.values() {
        all.add(c, 1);
    }
    let ids: Vec<i64> = groups.keys().filter_map(|k| k.parse().ok()).collect();
    let labels = match group {
        ServiceGroup::Assignee => names::people(conn, ids.iter().copied())?,
        ServiceGroup::Customer => names::customers(conn, ids.iter().copied())?,
        _ => names::Names::default(),
    };
    let row = |key: String, label: String, a: &ServiceCount| ServiceReportRow {
        key,
        label,
        count: a.count,
        pending: a.pending,
        overdue: a.overdue,
        resolved: a.resolved,
        // Minutes summed, shown as hours to one place.
        avg_resolution_hours: (a.resolved > 0).then(|| {
            let tenths = (a.minutes * 10 + a.resolved * 30) / (a.resolved * 60);
            format!("{}.{}", tenths / 10, tenths % 10)
        }),
        rated: a.rated,
        satisfaction: (a.rated > 0).then(|| {
            let hundredths = (a.stars * 200 + a.rated) / (a.rated * 2);
            format!("{}.{:02}", hundredths / 100, hundredths % 100)
        }),
    };
    let mut rows: Vec<ServiceReportRow> = groups
        .iter()
        .map(|(k, a)| {
            let label = k
                .parse::<i64>()
                .ok()
                .and_then(|id| labels.get(id).cloned())
                .unwrap_or_else(|| k.clone());
            row(k.clone(), label, a)
        })
        .collect();
    if group != ServiceGroup::Month {
        rows.sort_by(|a, b| b.count.cmp(&a.count).then(a.label.cmp(&b.label)));
    }
    Ok(ServiceReport {
        group_by: group,
        from,
        to,
        rows,
        totals: row("total".into(), String::new(), &all),
    })
}
