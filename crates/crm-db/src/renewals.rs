//! The renewal risk list (续费风险): customers within the caller's scope with an order whose service
//! ends within the window and is not renewed (`orders.renewed`: no signed order of theirs runs past
//! it; the rule the renewal report counts by), each scored by `crm_domain::renewal` from what the
//! records say (last contact, overdue money, open complaints, last satisfaction, a deal lost), the
//! riskiest first. The customers come through the one visibility filter; every part is then read
//! for those customers only, one query per part.

use crate::actor::Actor;
use crate::paging::PageRequest;
use crate::schema::{
    customers as c, opportunities as op, orders as o, payment_installments as pi, tickets as t,
    users,
};
use crate::visibility::{Visible, VisibleTo};
use crate::{DbConnection, RepoError, RepoResult};
use chrono::{Days, NaiveDate, NaiveDateTime, Utc};
use crm_domain::api::{IdName, Page, RenewalRisk, RenewalRiskQuery, RiskParts};
use crm_domain::opportunity::OpportunityStatus;
use crm_domain::order::OrderStatus;
use crm_domain::renewal::{LOST_DEAL_DAYS, RiskInputs, points};
use crm_domain::ticket::{TicketKind, TicketStatus};
use crm_domain::{Money, time};
use diesel::prelude::*;
use std::collections::{HashMap, HashSet};

/// Ids per `IN (…)` list.
const CHUNK: usize = 900;
/// Above this many customers, the parts that are rare (open complaints, lost deals) are read for
/// the whole company at once rather than customer list by customer list: one pass over the few
/// such rows beats many lookups (the general manager's list at 1M customers: ~15 000 customers).
const WHOLESALE: usize = 500;

/// An order whose service ends in the window: `(order id, number, customer id, customer name,
/// owner, service end, last contact)`.
type Ending = (
    i64,
    String,
    i64,
    String,
    i64,
    NaiveDate,
    Option<NaiveDateTime>,
);

/// `GET /reports/renewal-risk`, a page at a time (riskiest first, then the nearest end).
pub fn list(
    conn: &mut DbConnection,
    actor: &Actor,
    q: &RenewalRiskQuery,
) -> RepoResult<Page<RenewalRisk>> {
    list_with(conn, actor, q, WHOLESALE)
}

/// [`list`], reading the rare parts for the whole company above `wholesale` customers (the tests
/// ask both ways and compare).
#[doc(hidden)]
pub fn list_with(
    conn: &mut DbConnection,
    actor: &Actor,
    q: &RenewalRiskQuery,
    wholesale: usize,
) -> RepoResult<Page<RenewalRisk>> {
    let page = PageRequest::<(i32, i64)>::new(q.limit, q.cursor.as_deref(), "renewal_risk")?;
    if let Some(owner) = q.owner_id
        && !actor.sees(owner)
    {
        return Err(RepoError::NotFound);
    }
    let zone = crate::settings::zone(conn)?;
    let today = time::local_date(Utc::now(), zone);
    let until = today
        .checked_add_days(Days::new(u64::from(q.within_days.unwrap_or(90))))
        .unwrap_or(today);
    let live = [
        OrderStatus::Signed.as_str(),
        OrderStatus::Executing.as_str(),
    ];
    let mut query = o::table
        .inner_join(c::table)
        .filter(o::status.eq_any(live))
        .filter(o::service_end.ge(today))
        .filter(o::service_end.le(until))
        .filter(o::renewed.eq(false))
        .select((
            o::id,
            o::number,
            c::id,
            c::name,
            c::owner_id,
            o::service_end.assume_not_null(),
            c::last_contact_at,
        ))
        .into_boxed()
        .visible_to(c::owner_id, &actor.visible);
    if let Some(owner) = q.owner_id {
        query = query.filter(c::owner_id.eq(owner));
    }
    if let Some(d) = q.department_id {
        query = query.filter(
            c::owner_id.eq_any(
                users::table
                    .filter(users::department_id.eq(d))
                    .select(users::id),
            ),
        );
    }
    let rows: Vec<Ending> = query.order((o::service_end, o::id)).load(conn)?;
    // A customer once, with its first ending order not yet renewed (an order renewed by a later
    // one that ends in the window too leaves that later one to be listed).
    let mut ending: Vec<Ending> = Vec::new();
    let mut seen = HashSet::new();
    for row in rows {
        if seen.insert(row.2) {
            ending.push(row);
        }
    }
    let customers: Vec<i64> = ending.iter().map(|r| r.2).collect();
    let parts = Parts::load(conn, &actor.visible, &customers, today, wholesale)?;
    let owners = crate::names::Owners::load(conn, ending.iter().map(|r| r.4))?;
    let now = Utc::now().naive_utc();
    let mut items: Vec<RenewalRisk> = ending
        .into_iter()
        .map(|(order, number, customer, name, owner, end, last)| {
            let inputs = RiskInputs {
                days_since_contact: last.map(|l| (now - l).num_days().max(0)),
                overdue: Money::from_minor(parts.overdue.get(&customer).copied().unwrap_or(0)),
                open_complaints: parts.complaints.get(&customer).copied().unwrap_or(0),
                last_satisfaction: parts.satisfaction.get(&customer).map(|s| s.1),
                lost_deal_on: parts.lost.get(&customer).copied(),
            };
            let p = points(&inputs);
            RenewalRisk {
                customer: IdName { id: customer, name },
                owner: owners.of(owner),
                department: owners.department_of(owner),
                order: IdName {
                    id: order,
                    name: number,
                },
                service_end: end,
                days_left: (end - today).num_days(),
                last_contact_at: last.map(|l| l.and_utc()),
                score: p.total(),
                parts: RiskParts {
                    days_since_contact: inputs.days_since_contact,
                    contact_points: p.contact,
                    overdue: inputs.overdue,
                    overdue_points: p.overdue,
                    open_complaints: inputs.open_complaints,
                    complaint_points: p.complaints,
                    last_satisfaction: inputs.last_satisfaction,
                    satisfaction_points: p.satisfaction,
                    lost_deal_on: inputs.lost_deal_on,
                    lost_deal_points: p.lost_deal,
                },
            }
        })
        .collect();
    // Riskiest first; among equals, the customer (a stable order for the cursor).
    items.sort_by(|a, b| {
        b.score
            .cmp(&a.score)
            .then(a.customer.id.cmp(&b.customer.id))
    });
    if let Some((score, id)) = page.after {
        items.retain(|x| (x.score < score) || (x.score == score && x.customer.id > id));
    }
    items.truncate(page.fetch() as usize);
    Ok(page.page(items, |x: &RenewalRisk| (x.score, x.customer.id)))
}

/// The parts of the score, per customer, read for the candidates only.
#[derive(Default)]
struct Parts {
    /// Money overdue, in fen.
    overdue: HashMap<i64, i64>,
    /// Complaints not yet resolved.
    complaints: HashMap<i64, i64>,
    /// The satisfaction of the latest closed ticket: (closed at, stars).
    satisfaction: HashMap<i64, (NaiveDateTime, i16)>,
    /// The latest day a deal was lost within [`LOST_DEAL_DAYS`].
    lost: HashMap<i64, NaiveDate>,
}

impl Parts {
    fn load(
        conn: &mut DbConnection,
        visible: &Visible,
        customers: &[i64],
        today: NaiveDate,
        wholesale_above: usize,
    ) -> QueryResult<Parts> {
        let mut parts = Parts::default();
        let lost_since = today
            .checked_sub_days(Days::new(LOST_DEAL_DAYS))
            .unwrap_or(today);
        let wholesale = customers.len() > wholesale_above;
        if wholesale {
            let wanted: HashSet<i64> = customers.iter().copied().collect();
            parts.complaints_of(conn, None, &wanted)?;
            parts.lost_of(conn, None, lost_since, &wanted)?;
        }
        for chunk in customers.chunks(CHUNK) {
            let ids = chunk.to_vec();
            // Money is counted from the orders the caller sees.
            for (customer, amount, received) in pi::table
                .inner_join(o::table)
                .filter(o::customer_id.eq_any(&ids))
                .filter(crate::receivables::open())
                .filter(pi::due_date.lt(today))
                .select((o::customer_id, pi::amount, pi::received))
                .into_boxed()
                .visible_to(o::owner_id, visible)
                .load::<(i64, i64, i64)>(conn)?
            {
                *parts.overdue.entry(customer).or_default() += amount - received;
            }
            if !wholesale {
                parts.complaints_of(conn, Some(&ids), &Default::default())?;
            }
            for (customer, closed, stars) in t::table
                .filter(t::customer_id.eq_any(&ids))
                .filter(t::satisfaction.is_not_null())
                .filter(t::closed_at.is_not_null())
                .select((
                    t::customer_id,
                    t::closed_at.assume_not_null(),
                    t::satisfaction.assume_not_null(),
                ))
                .load::<(i64, NaiveDateTime, i16)>(conn)?
            {
                let slot = parts
                    .satisfaction
                    .entry(customer)
                    .or_insert((closed, stars));
                if closed > slot.0 {
                    *slot = (closed, stars);
                }
            }
            if !wholesale {
                parts.lost_of(conn, Some(&ids), lost_since, &Default::default())?;
            }
        }
        Ok(parts)
    }

    /// Open complaints of the customers `ids`, or of everyone (kept when in `wanted`).
    fn complaints_of(
        &mut self,
        conn: &mut DbConnection,
        ids: Option<&Vec<i64>>,
        wanted: &HashSet<i64>,
    ) -> QueryResult<()> {
        let open = [
            TicketStatus::Open.as_str(),
            TicketStatus::InProgress.as_str(),
        ];
        let mut q = t::table
            .filter(t::kind.eq(TicketKind::Complaint.as_str()))
            .filter(t::status.eq_any(open))
            .select(t::customer_id)
            .into_boxed();
        if let Some(ids) = ids {
            q = q.filter(t::customer_id.eq_any(ids.clone()));
        }
        for customer in q.load::<i64>(conn)? {
            if ids.is_some() || wanted.contains(&customer) {
                *self.complaints.entry(customer).or_default() += 1;
            }
        }
        Ok(())
    }

    /// The latest deal lost since `since` by the customers `ids`, or by everyone (kept when in
    /// `wanted`).
    fn lost_of(
        &mut self,
        conn: &mut DbConnection,
        ids: Option<&Vec<i64>>,
        since: NaiveDate,
        wanted: &HashSet<i64>,
    ) -> QueryResult<()> {
        let mut q = op::table
            .filter(op::status.eq(OpportunityStatus::Lost.as_str()))
            .filter(op::closed_on.ge(since))
            .select((op::customer_id, op::closed_on.assume_not_null()))
            .into_boxed();
        if let Some(ids) = ids {
            q = q.filter(op::customer_id.eq_any(ids.clone()));
        }
        for (customer, on) in q.load::<(i64, NaiveDate)>(conn)? {
            if ids.is_none() && !wanted.contains(&customer) {
                continue;
            }
            let slot = self.lost.entry(customer).or_insert(on);
            if on > *slot {
                *slot = on;
            }
        }
        Ok(())
    }
}
