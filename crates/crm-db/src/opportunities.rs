//! Opportunities (机会): deals between "interested" and "signed", their stage history, key contacts
//! and the competitors met in them. A deal is seen by who sees both its owner and its customer's
//! owner (`customer_owner_id`, kept by a trigger when the customer changes hands), one filter in
//! SQL; open deals are summed per stage in `opportunity_pipeline`, kept by triggers.

use crate::actor::Actor;
use crate::audit;
use crate::customers::advance;
use crate::error::{OptionalFound, is_unique_violation};
use crate::moves::Move;
use crate::names;
use crate::paging::{PageRequest, row_after};
use crate::schema::{
    activities, competitors as k, contacts, dictionary_items as d, opportunities as o,
    opportunity_competitors as oc, opportunity_contacts as kc, opportunity_moves as om,
    opportunity_pipeline as op, orders, quotes, reminders, users,
};
use crate::sql::{
    blank_to_none, check_dictionary, check_version, contains_pattern, lower, one_row_updated,
    patched,
};
use crate::visibility::{Visible, VisibleTo};
use crate::{DbConnection, RepoError, RepoResult, now, write_tx};
use chrono::{NaiveDate, NaiveDateTime};
use crm_domain::api::{
    DealCompetitor, DictionaryKind, IdName, KeyContact, LoseRequest, NewDealCompetitor,
    NewKeyContact, NewOpportunity, Opportunity, OpportunityMove, OpportunityPatch,
    OpportunityPipeline, OpportunityPipelineQuery, OpportunityQuery, Page, StagePipeline,
};
use crm_domain::customer::PipelineEvent;
use crm_domain::opportunity::{
    ContactRole, OpportunityAction, OpportunityStatus, QuoteStatus, weighted, weighted_money,
};
use crm_domain::{ErrorCode, Money, msg};
use diesel::prelude::*;
use serde_json::json;

#[derive(Queryable, Selectable)]
#[diesel(table_name = o)]
struct Row {
    id: i64,
    customer_id: i64,
    owner_id: i64,
    title: String,
    stage_id: i64,
    amount: i64,
    probability: i16,
    probability_set: bool,
    expected_close_on: Option<NaiveDate>,
    source_id: Option<i64>,
    description: Option<String>,
    status: String,
    lost_reason: Option<String>,
    lost_to_id: Option<i64>,
    closed_on: Option<NaiveDate>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    version: i32,
}

/// `(stage id, deals, amount, weighted)` of the pipeline summary.
type StageSums = (i64, Option<i64>, Option<i64>, Option<i64>);
/// `(contact id, name, job title, mobile, phone, role)`.
type KeyContactRow = (
    i64,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
);
/// `(competitor id, name, strengths, weaknesses, threat)`.
type DealCompetitorRow = (i64, String, Option<String>, Option<String>, i16);

/// The names a page of deals refers to — customers, owners and their departments, stages, the
/// competitors lost to — one query per kind for the page. (The deals themselves are read alone:
/// every join costs PostgreSQL more to plan than a page costs to read.)
struct Names {
    customers: names::Names,
    owners: names::Owners,
    stages: names::Names,
    competitors: names::Names,
}

impl Names {
    fn of(conn: &mut DbConnection, rows: &[Row]) -> QueryResult<Names> {
        Ok(Names {
            customers: names::customers(conn, rows.iter().map(|r| r.customer_id))?,
            owners: names::Owners::load(conn, rows.iter().map(|r| r.owner_id))?,
            stages: names::entries(conn, rows.iter().map(|r| r.stage_id))?,
            competitors: names::competitors(conn, rows.iter().filter_map(|r| r.lost_to_id))?,
        })
    }
}

/// Deals with the names they refer to.
fn named(conn: &mut DbConnection, rows: Vec<Row>) -> QueryResult<Vec<Opportunity>> {
    let n = Names::of(conn, &rows)?;
    Ok(rows.into_iter().map(|r| from_row(r, &n)).collect())
}

fn from_row(x: Row, n: &Names) -> Opportunity {
    let amount = Money::from_minor(x.amount);
    Opportunity {
        id: x.id,
        customer: n.customers.of(x.customer_id),
        owner: n.owners.of(x.owner_id),
        department: n.owners.department_of(x.owner_id),
        title: x.title,
        stage: n.stages.of(x.stage_id),
        amount,
        probability: x.probability,
        probability_set: x.probability_set,
        weighted_amount: weighted(amount, x.probability),
        expected_close_on: x.expected_close_on,
        source_id: x.source_id,
        description: x.description,
        status: OpportunityStatus::parse(&x.status).unwrap_or(OpportunityStatus::Open),
        lost_reason: x.lost_reason,
        lost_to: x.lost_to_id.map(|id| n.competitors.of(id)),
        closed_on: x.closed_on,
        created_at: x.created_at.and_utc(),
        updated_at: x.updated_at.and_utc(),
        version: x.version,
    }
}

/// The fields a history entry shows.
fn view(x: &Opportunity) -> serde_json::Value {
    json!({
        "title": x.title, "customer_id": x.customer.id, "owner_id": x.owner.id, "stage_id": x.stage.id,
        "amount": x.amount, "probability": x.probability, "expected_close_on": x.expected_close_on,
        "source_id": x.source_id, "description": x.description, "status": x.status.as_str(),
        "lost_reason": x.lost_reason, "lost_to_id": x.lost_to.as_ref().map(|k| k.id),
        "closed_on": x.closed_on,
    })
}

/// A deal the actor sees; 404 otherwise (missing and out of scope look the same).
pub fn get(conn: &mut DbConnection, actor: &Actor, id: i64) -> RepoResult<Opportunity> {
    fetch(conn, &actor.visible, id)
}

fn fetch(conn: &mut DbConnection, visible: &Visible, id: i64) -> RepoResult<Opportunity> {
    let found = o::table
        .filter(o::id.eq(id))
        .select(Row::as_select())
        .into_boxed()
        .visible_to(o::owner_id, visible)
        .visible_to(o::customer_owner_id, visible)
        .first::<Row>(conn)
        .found()?;
    Ok(named(conn, vec![found])?.remove(0))
}

/// A boxed query of deals (`$q`: the table, or the table with what a list shows joined) narrowed
/// by a list's filters within a scope, in list order, after the cursor's key.
macro_rules! narrowed {
    ($q:expr, $visible:expr, $f:expr, $after:expr) => {{
        let (visible, f, after) = ($visible, $f, $after);
        let mut q = $q
            .order((o::updated_at.desc(), o::id.desc()))
            .into_boxed()
            .visible_to(o::owner_id, visible)
            .visible_to(o::customer_owner_id, visible);
        if let Some(v) = f.customer_id {
            q = q.filter(o::customer_id.eq(v));
        }
        if let Some(v) = f.owner_id {
            q = q.filter(o::owner_id.eq(v));
        }
        if let Some(v) = f.department_id {
            // (An alias: the list's own query joins `users` for the owner's name.)
            let members = diesel::alias!(users as members);
            q = q.filter(
                o::owner_id.eq_any(
                    members
                        .filter(members.field(users::department_id).eq(v))
                        .select(members.field(users::id)),
                ),
            );
        }
        if let Some(v) = f.status {
            q = q.filter(o::status.eq(v.as_str()));
        }
        if let Some(v) = f.stage_id {
            q = q.filter(o::stage_id.eq(v));
        }
        if let Some(v) = f.close_from {
            q = q.filter(o::expected_close_on.ge(v));
        }
        if let Some(v) = f.close_to {
            q = q.filter(o::expected_close_on.le(v));
        }
        if let Some(v) = f.competitor_id {
            // (A deal lost to a competitor has it among its competitors.)
            q = q.filter(
                o::id.eq_any(
                    oc::table
                        .filter(oc::competitor_id.eq(v))
                        .select(oc::opportunity_id),
                ),
            );
        }
        if let Some(text) = f.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            q = q.filter(lower(o::title).like(contains_pattern(text)).escape('\\'));
        }
        if let Some((t, id)) = after {
            q = q.filter(row_after(o::updated_at, o::id, t, id, true));
        }
        q
    }};
}

/// The deals the actor sees, last changed first, filtered, a page at a time (keyset on
/// `(updated_at, id)`; every filter has an index that starts with it or follows the owner). A
/// manager's page is merged from each owner's own index range (at most a page from each), as the
/// customer list does: one query over the whole team would read and sort every deal of it. The
/// rows are read alone and their names added per page ([`Names`]).
pub fn list(
    conn: &mut DbConnection,
    actor: &Actor,
    f: &OpportunityQuery,
) -> RepoResult<Page<Opportunity>> {
    let page = PageRequest::<(NaiveDateTime, i64)>::new(f.limit, f.cursor.as_deref(), "-updated")?;
    let visible = &actor.visible;
    let fetch = page.fetch();
    let merge = crate::paging::merge_owners(visible).filter(|_| f.owner_id.is_none());
    let searched = f.q.as_deref().is_some_and(|t| !t.trim().is_empty())
        && (f.owner_id.is_some() || visible.owner_ids().is_some_and(|o| o.len() == 1));
    let rows: Vec<Row> = match (merge, &mut *conn) {
        // A team: the page's keys merged from each owner's index range in one statement, then
        // the page's rows (each owner's range alone would read a whole page of rows).
        (Some(owners), conn) => {
            let parts = owners
                .iter()
                .map(|&owner| {
                    narrowed!(o::table, visible, f, page.after)
                        .filter(o::owner_id.eq(owner))
                        .select((o::updated_at, o::id))
                        .limit(fetch)
                })
                .collect();
            let keys: Vec<(NaiveDateTime, i64)> =
                crate::paging::MergedPages::new(parts, "updated_at DESC, id DESC", fetch)
                    .load(conn)?;
            rows_by_id(conn, keys.into_iter().map(|k| k.1).collect())?
        }
        // A search of one owner's deals: the ids from the owner's index, which holds the title
        // (a search reads every deal that does not match), then the page's rows.
        (None, conn) if searched => {
            let ids: Vec<i64> = narrowed!(o::table, visible, f, page.after)
                .select(o::id)
                .limit(fetch)
                .load(conn)?;
            rows_by_id(conn, ids)?
        }
        // One owner or everyone: one index range in list order.
        (None, conn) => narrowed!(o::table, visible, f, page.after)
            .select(Row::as_select())
            .limit(fetch)
            .load::<Row>(conn)?,
    };
    let items = named(conn, rows)?;
    Ok(page.page(items, |x: &Opportunity| (x.updated_at.naive_utc(), x.id)))
}

/// The rows of these deals, in list order (last changed first).
fn rows_by_id(conn: &mut DbConnection, ids: Vec<i64>) -> QueryResult<Vec<Row>> {
    let mut rows: Vec<Row> = o::table
        .filter(o::id.eq_any(ids))
        .select(Row::as_select())
        .load(conn)?;
    rows.sort_unstable_by_key(|r| std::cmp::Reverse((r.updated_at, r.id)));
    Ok(rows)
}

/// The open deals per stage within the actor's scope (from the trigger-kept summary: a few
/// thousand rows at most, whatever the number of deals), every enabled stage in order.
pub fn pipeline(
    conn: &mut DbConnection,
    actor: &Actor,
    f: &OpportunityPipelineQuery,
) -> RepoResult<OpportunityPipeline> {
    let sum = |sql: &'static str| {
        diesel::dsl::sql::<diesel::sql_types::Nullable<diesel::sql_types::BigInt>>(sql)
    };
    let visible = &actor.visible;
    let mut q = op::table
        .group_by(op::stage_id)
        .select((
            op::stage_id,
            sum("CAST(SUM(opportunity_pipeline.deals) AS BIGINT)"),
            sum("CAST(SUM(opportunity_pipeline.amount) AS BIGINT)"),
            sum("CAST(SUM(opportunity_pipeline.weighted) AS BIGINT)"),
        ))
        .into_boxed()
        .visible_to(op::owner_id, visible)
        .visible_to(op::customer_owner_id, visible);
    if let Some(v) = f.owner_id {
        q = q.filter(op::owner_id.eq(v));
    }
    if let Some(v) = f.department_id {
        q = q.filter(
            op::owner_id.eq_any(
                users::table
                    .filter(users::department_id.eq(v))
                    .select(users::id),
            ),
        );
    }
    let rows: Vec<StageSums> = q.load(conn)?;
    let sums: Vec<(i64, i64, i64, i64)> = rows
        .into_iter()
        .map(|r| (r.0, r.1.unwrap_or(0), r.2.unwrap_or(0), r.3.unwrap_or(0)))
        .collect();
    stages_of(conn, &sums)
}

/// Every stage in order with its open deals' `(stage, count, amount, Σ amount × probability)`
/// (disabled stages only while deals are still in them), and the totals.
pub(crate) fn stages_of(
    conn: &mut DbConnection,
    sums: &[(i64, i64, i64, i64)],
) -> RepoResult<OpportunityPipeline> {
    let mut stages: Vec<StagePipeline> = Vec::new();
    let mut known = crate::dictionaries::list(conn, DictionaryKind::OpportunityStage, true)?;
    known.retain(|s| s.enabled || sums.iter().any(|r| r.0 == s.id && r.1 != 0));
    let (mut count, mut amount, mut weighted_sum) = (0i64, 0i64, 0i64);
    for s in known {
        let (n, a, w) = sums
            .iter()
            .find(|r| r.0 == s.id)
            .map_or((0, 0, 0), |r| (r.1, r.2, r.3));
        count += n;
        amount += a;
        weighted_sum += w;
        stages.push(StagePipeline {
            stage: IdName {
                id: s.id,
                name: s.name,
            },
            probability: s.probability,
            count: n,
            amount: Money::from_minor(a),
            weighted_amount: weighted_money(w),
        });
    }
    Ok(OpportunityPipeline {
        stages,
        count,
        amount: Money::from_minor(amount),
        weighted_amount: weighted_money(weighted_sum),
    })
}

/// A stage of the `opportunity_stage` dictionary that is in use: `(id, default probability)`, or
/// 422 `not_a_stage` on `field`.
fn stage(conn: &mut DbConnection, id: Option<i64>) -> RepoResult<(i64, i16)> {
    let mut q = d::table
        .filter(d::kind.eq(DictionaryKind::OpportunityStage.as_str()))
        .filter(d::enabled.eq(true))
        .select((d::id, d::probability))
        .order((d::sort_order, d::id))
        .into_boxed();
    if let Some(id) = id {
        q = q.filter(d::id.eq(id));
    }
    let found: Option<(i64, Option<i16>)> = q.first(conn).optional()?;
    found.map(|(id, p)| (id, p.unwrap_or(0))).ok_or_else(|| {
        RepoError::invalid(
            "stage_id",
            ErrorCode::NotAStage,
            msg!("没有这个启用的机会阶段", "no such opportunity stage in use"),
        )
    })
}

fn check_competitor(conn: &mut DbConnection, id: i64) -> RepoResult<()> {
    let found: i64 = k::table.filter(k::id.eq(id)).count().get_result(conn)?;
    if found == 0 {
        return Err(RepoError::invalid(
            "competitor_id",
            ErrorCode::NotFound,
            msg!("没有这个竞争对手", "no such competitor"),
        ));
    }
    Ok(())
}

/// Whether `id` is a deal of `customer` (for a record that names both): 422 on `field` otherwise.
pub(crate) fn check_of_customer(
    conn: &mut DbConnection,
    id: i64,
    customer: i64,
    field: &'static str,
) -> RepoResult<()> {
    let of: Option<i64> = o::table
        .find(id)
        .select(o::customer_id)
        .first(conn)
        .optional()?;
    if of != Some(customer) {
        return Err(RepoError::invalid(
            field,
            ErrorCode::NotFound,
            msg!("该客户没有这个机会", "no such opportunity of this customer"),
        ));
    }
    Ok(())
}

fn record_move(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    stage_id: i64,
    status: OpportunityStatus,
) -> QueryResult<()> {
    diesel::insert_into(om::table)
        .values((
            om::opportunity_id.eq(id),
            om::stage_id.eq(stage_id),
            om::status.eq(status.as_str()),
            om::moved_by.eq(actor.id),
            om::moved_at.eq(now()),
        ))
        .execute(conn)
        .map(drop)
}

/// Opens a deal on a customer the actor sees (not a blacklisted one). The owner defaults to the
/// customer's, the stage to the first, the probability to the stage's. Opening the first deal makes
/// a lead or contacted customer a prospect (the one level rule), in the same transaction.
pub fn create(
    conn: &mut DbConnection,
    actor: &Actor,
    new: &NewOpportunity,
) -> RepoResult<Opportunity> {
    write_tx(conn, |conn| {
        let customer = crate::customers::get_for_new_record(conn, actor, new.customer_id)?;
        if !customer.level.accepts_new_business() {
            return Err(RepoError::rule(
                ErrorCode::CustomerBlacklisted,
                msg!(
                    "该客户已列入黑名单，不能立项",
                    "the customer is blacklisted and cannot get opportunities"
                ),
            ));
        }
        let (stage_id, stage_probability) = stage(conn, new.stage_id)?;
        check_dictionary(
            conn,
            "source_id",
            DictionaryKind::CustomerSource,
            new.source_id,
        )?;
        let owner = new
            .owner_id
            .unwrap_or(crate::pool::owner_or(customer.owner.id, actor));
        crate::users::check_assignable(conn, actor, owner)?;
        let at = now();
        // The day it is opened on the company's calendar, kept for the days to win (migration 041).
        let today = crm_domain::time::local_date(at.and_utc(), crate::settings::zone(conn)?);
        let id: i64 = diesel::insert_into(o::table)
            .values((
                (
                    o::customer_id.eq(customer.id),
                    o::customer_owner_id.eq(customer.owner.id),
                    o::owner_id.eq(owner),
                    o::title.eq(new.title.trim()),
                    o::stage_id.eq(stage_id),
                    o::amount.eq(new.amount.unwrap_or(Money::ZERO).minor()),
                    o::probability.eq(new.probability.unwrap_or(stage_probability)),
                    o::probability_set.eq(new.probability.is_some()),
                ),
                (
                    o::expected_close_on.eq(new.expected_close_on),
                    o::source_id.eq(new.source_id),
                    o::description.eq(blank_to_none(new.description.as_deref())),
                    o::status.eq(OpportunityStatus::Open.as_str()),
                    o::created_by.eq(actor.id),
                    o::created_at.eq(at),
                    o::updated_at.eq(at),
                    o::opened_on.eq(today),
                ),
            ))
            .returning(o::id)
            .get_result(conn)?;
        record_move(conn, actor, id, stage_id, OpportunityStatus::Open)?;
        advance(
            conn,
            actor,
            &customer,
            PipelineEvent::OpportunityOpened,
            "first opportunity",
            ("opportunity_id", id),
        )?;
        let deal = fetch(conn, &Visible::All, id)?;
        audit::record_about(
            conn,
            actor,
            "create",
            "opportunity",
            Some(id),
            Some(customer.id),
            view(&deal),
        )?;
        Ok(deal)
    })
}

/// Fills in the company-calendar day of opening of the deals that have none (those opened before
/// migration 041 kept it), five thousand at a time in id order, one statement per day. Returns
/// how many. Run after migrating; the summary `deal_months` follows by its triggers.
pub fn fill_opened_on(conn: &mut DbConnection) -> RepoResult<usize> {
    let zone = crate::settings::zone(conn)?;
    let (mut after, mut filled) = (0i64, 0usize);
    loop {
        let rows: Vec<(i64, NaiveDateTime)> = o::table
            .filter(o::id.gt(after))
            .filter(o::opened_on.is_null())
            .order(o::id)
            .select((o::id, o::created_at))
            .limit(5_000)
            .load(conn)?;
        let Some(last) = rows.last() else {
            return Ok(filled);
        };
        after = last.0;
        let mut days: std::collections::BTreeMap<NaiveDate, Vec<i64>> = Default::default();
        for (id, at) in &rows {
            days.entry(crm_domain::time::local_date(at.and_utc(), zone))
                .or_default()
                .push(*id);
        }
        write_tx(conn, |conn| {
            for (day, ids) in &days {
                diesel::update(o::table.filter(o::id.eq_any(ids)))
                    .set(o::opened_on.eq(day))
                    .execute(conn)?;
            }
            Ok::<_, RepoError>(())
        })?;
        filled += rows.len();
    }
}

/// 409 `opportunity_closed`: a won or lost deal is not changed, quoted or won again by a quote.
pub(crate) fn check_open(deal: &Opportunity) -> RepoResult<()> {
    if deal.status == OpportunityStatus::Open {
        return Ok(());
    }
    Err(RepoError::conflict(
        ErrorCode::OpportunityClosed,
        msg!(
            "机会已赢单或输单；先重新打开",
            "the deal is won or lost; reopen it first"
        ),
    ))
}

/// Changes an open deal (409 `opportunity_closed` otherwise). A stage move is kept in the deal's
/// history, and brings the stage's probability unless one was set by hand.
pub fn update(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    patch: &OpportunityPatch,
) -> RepoResult<Opportunity> {
    write_tx(conn, |conn| {
        let old = get(conn, actor, id)?;
        check_version(old.version, patch.version)?;
        check_open(&old)?;
        let moved = patch.stage_id.filter(|s| *s != old.stage.id);
        let stage_probability = match moved {
            Some(s) => Some(stage(conn, Some(s))?.1),
            None => None,
        };
        let (probability, set) = match patch.probability {
            Some(Some(p)) => (p, true),
            Some(None) => match stage_probability {
                Some(p) => (p, false),
                None => (
                    stage(conn, Some(old.stage.id)).map(|s| s.1).unwrap_or(0),
                    false,
                ),
            },
            None if old.probability_set => (old.probability, true),
            None => (stage_probability.unwrap_or(old.probability), false),
        };
        let source = patch.source_id.unwrap_or(old.source_id);
        if patch.source_id.is_some() {
            check_dictionary(conn, "source_id", DictionaryKind::CustomerSource, source)?;
        }
        let n = diesel::update(o::table.find(id).filter(o::version.eq(patch.version)))
            .set((
                o::title.eq(patch.title.as_deref().map(str::trim).unwrap_or(&old.title)),
                o::stage_id.eq(moved.unwrap_or(old.stage.id)),
                o::amount.eq(patch.amount.unwrap_or(old.amount).minor()),
                o::probability.eq(probability),
                o::probability_set.eq(set),
                o::expected_close_on.eq(patch.expected_close_on.unwrap_or(old.expected_close_on)),
                o::source_id.eq(source),
                o::description.eq(patched(&patch.description, &old.description)),
                o::updated_at.eq(now()),
                o::version.eq(old.version + 1),
            ))
            .execute(conn)?;
        one_row_updated(n, old.version)?;
        if let Some(s) = moved {
            record_move(conn, actor, id, s, OpportunityStatus::Open)?;
        }
        let new = fetch(conn, &Visible::All, id)?;
        audit::record_about(
            conn,
            actor,
            "update",
            "opportunity",
            Some(id),
            Some(old.customer.id),
            audit::diff(&view(&old), &view(&new)),
        )?;
        Ok(new)
    })
}

/// Deletes a deal the actor sees that no order came from (409 `opportunity_has_orders`), with its
/// contacts, competitors, quotes and history; activities and reminders on it stay, unlinked.
pub fn delete(conn: &mut DbConnection, actor: &Actor, id: i64) -> RepoResult<()> {
    write_tx(conn, |conn| {
        let old = get(conn, actor, id)?;
        let n: i64 = orders::table
            .filter(orders::opportunity_id.eq(id))
            .count()
            .get_result(conn)?;
        if n > 0 {
            return Err(RepoError::conflict(
                ErrorCode::OpportunityHasOrders,
                msg!(
                    "该机会已生成 {n} 个订单，不能删除",
                    "{n} orders came from this deal; it cannot be deleted"
                ),
            ));
        }
        diesel::update(activities::table.filter(activities::opportunity_id.eq(id)))
            .set(activities::opportunity_id.eq(None::<i64>))
            .execute(conn)?;
        diesel::update(reminders::table.filter(reminders::opportunity_id.eq(id)))
            .set(reminders::opportunity_id.eq(None::<i64>))
            .execute(conn)?;
        // Money spent on the deal stays spent, on its customer.
        diesel::update(
            crate::schema::expenses::table.filter(crate::schema::expenses::opportunity_id.eq(id)),
        )
        .set(crate::schema::expenses::opportunity_id.eq(None::<i64>))
        .execute(conn)?;
        diesel::delete(o::table.find(id)).execute(conn)?;
        audit::record_about(
            conn,
            actor,
            "delete",
            "opportunity",
            Some(id),
            Some(old.customer.id),
            view(&old),
        )?;
        Ok(())
    })
}

/// What a status move carries besides the action: why and to whom a deal was lost.
#[derive(Debug, Clone, Default)]
pub struct Closing {
    pub lost_reason: Option<String>,
    pub competitor_id: Option<i64>,
}

impl From<&LoseRequest> for Closing {
    fn from(r: &LoseRequest) -> Self {
        Closing {
            lost_reason: Some(r.lost_reason.trim().to_string()),
            competitor_id: r.competitor_id,
        }
    }
}

/// Wins, loses or reopens a deal at a known version; 409 `invalid_status_move` when the deal's
/// status does not allow it (winning or losing a closed deal, reopening an open one).
pub fn change_status(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    action: OpportunityAction,
    version: i32,
    closing: &Closing,
) -> RepoResult<Opportunity> {
    write_tx(conn, |conn| {
        let old = get(conn, actor, id)?;
        check_version(old.version, version)?;
        set_status(conn, actor, &old, action, closing)?;
        fetch(conn, &Visible::All, id)
    })
}

/// [`change_status`] inside the caller's transaction (an accepted quote wins its deal).
pub(crate) fn set_status(
    conn: &mut DbConnection,
    actor: &Actor,
    old: &Opportunity,
    action: OpportunityAction,
    closing: &Closing,
) -> RepoResult<()> {
    let Some(status) = old.status.after(action) else {
        let from = old.status.as_str();
        return Err(RepoError::conflict(
            ErrorCode::InvalidStatusMove,
            msg!(
                "{from} 状态的机会不能这样变更",
                "a {from} deal cannot be moved that way"
            ),
        ));
    };
    if let Some(k) = closing
        .competitor_id
        .filter(|_| action == OpportunityAction::Lose)
    {
        check_competitor(conn, k)?;
        // The competitor it went to was met in the deal, whether or not it was noted before.
        let noted: i64 = oc::table
            .filter(oc::opportunity_id.eq(old.id))
            .filter(oc::competitor_id.eq(k))
            .count()
            .get_result(conn)?;
        if noted == 0 {
            diesel::insert_into(oc::table)
                .values((
                    oc::opportunity_id.eq(old.id),
                    oc::competitor_id.eq(k),
                    oc::threat.eq(5i16),
                    oc::created_at.eq(now()),
                ))
                .execute(conn)?;
        }
    }
    let today = crate::settings::today(conn)?;
    let (probability, set, closed_on) = match action {
        OpportunityAction::Win => (100, true, Some(today)),
        OpportunityAction::Lose => (0, true, Some(today)),
        OpportunityAction::Reopen => (
            stage(conn, Some(old.stage.id)).map(|s| s.1).unwrap_or(0),
            false,
            None,
        ),
    };
    let lost = action == OpportunityAction::Lose;
    let n = diesel::update(o::table.find(old.id).filter(o::version.eq(old.version)))
        .set((
            o::status.eq(status.as_str()),
            o::probability.eq(probability),
            o::probability_set.eq(set),
            o::closed_on.eq(closed_on),
            o::lost_reason.eq(if lost {
                closing.lost_reason.clone()
            } else {
                None
            }),
            o::lost_to_id.eq(if lost { closing.competitor_id } else { None }),
            o::updated_at.eq(now()),
            o::version.eq(old.version + 1),
        ))
        .execute(conn)?;
    one_row_updated(n, old.version)?;
    record_move(conn, actor, old.id, old.stage.id, status)?;
    let mut changes = json!({"status": {"old": old.status.as_str(), "new": status.as_str()}});
    if lost {
        changes["lost_reason"] = json!(closing.lost_reason);
        if let Some(k) = closing.competitor_id {
            changes["lost_to_id"] = json!(k);
        }
    }
    audit::record_about(
        conn,
        actor,
        "status",
        "opportunity",
        Some(old.id),
        Some(old.customer.id),
        changes,
    )?;
    Ok(())
}

/// Where the deal has been: each stage (and status) entered, by whom, when, and until when.
pub fn moves(conn: &mut DbConnection, actor: &Actor, id: i64) -> RepoResult<Vec<OpportunityMove>> {
    get(conn, actor, id)?;
    let rows: Vec<(i64, String, String, i64, String, NaiveDateTime)> = om::table
        .inner_join(d::table.on(d::id.eq(om::stage_id)))
        .inner_join(users::table.on(users::id.eq(om::moved_by)))
        .filter(om::opportunity_id.eq(id))
        .order((om::moved_at, om::id))
        .select((
            om::stage_id,
            d::name,
            om::status,
            om::moved_by,
            users::display_name,
            om::moved_at,
        ))
        .load(conn)?;
    let next: Vec<Option<NaiveDateTime>> = rows
        .iter()
        .skip(1)
        .map(|r| Some(r.5))
        .chain([None])
        .collect();
    Ok(rows
        .into_iter()
        .zip(next)
        .map(
            |((stage_id, stage, status, by, by_name, at), left)| OpportunityMove {
                stage: IdName {
                    id: stage_id,
                    name: stage,
                },
                status: OpportunityStatus::parse(&status).unwrap_or(OpportunityStatus::Open),
                moved_by: IdName {
                    id: by,
                    name: by_name,
                },
                moved_at: at.and_utc(),
                left_at: left.map(|t| t.and_utc()),
            },
        )
        .collect())
}

// ---------------------------------------------------------------------------------------------
// Key contacts

/// The key contacts of a deal the actor sees, in the order they were added.
pub fn contacts(conn: &mut DbConnection, actor: &Actor, id: i64) -> RepoResult<Vec<KeyContact>> {
    get(conn, actor, id)?;
    contacts_of(conn, id, None)
}

fn contacts_of(conn: &mut DbConnection, id: i64, only: Option<i64>) -> RepoResult<Vec<KeyContact>> {
    let mut q = kc::table
        .inner_join(contacts::table)
        .filter(kc::opportunity_id.eq(id))
        .order((kc::created_at, kc::contact_id))
        .select((
            kc::contact_id,
            contacts::name,
            contacts::title,
            contacts::mobile,
            contacts::phone,
            kc::role,
        ))
        .into_boxed();
    if let Some(c) = only {
        q = q.filter(kc::contact_id.eq(c));
    }
    let rows: Vec<KeyContactRow> = q.load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, name, title, mobile, phone, role)| KeyContact {
            contact: IdName { id, name },
            title,
            phone: mobile.or(phone),
            role: ContactRole::parse(&role).unwrap_or(ContactRole::Other),
        })
        .collect())
}

fn already_added(field: &'static str) -> impl Fn(diesel::result::Error) -> RepoError {
    move |e| {
        if is_unique_violation(&e) {
            RepoError::invalid(
                field,
                ErrorCode::AlreadyAdded,
                msg!("这个机会里已经有了", "already in this deal"),
            )
        } else {
            e.into()
        }
    }
}

/// Adds one of the customer's own contacts to the deal with their role (422
/// `not_customers_contact` for anyone else's, `already_added` for a second time).
pub fn add_contact(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    new: &NewKeyContact,
) -> RepoResult<KeyContact> {
    write_tx(conn, |conn| {
        let deal = get(conn, actor, id)?;
        let of: Option<i64> = contacts::table
            .find(new.contact_id)
            .select(contacts::customer_id)
            .first(conn)
            .optional()?;
        if of != Some(deal.customer.id) {
            return Err(RepoError::invalid(
                "contact_id",
                ErrorCode::NotCustomersContact,
                msg!(
                    "关键联系人须是该客户的联系人",
                    "a key contact is one of the customer's own contacts"
                ),
            ));
        }
        diesel::insert_into(kc::table)
            .values((
                kc::opportunity_id.eq(id),
                kc::contact_id.eq(new.contact_id),
                kc::role.eq(new.role.as_str()),
                kc::created_at.eq(now()),
            ))
            .execute(conn)
            .map_err(already_added("contact_id"))?;
        audit::record_about(
            conn,
            actor,
            "add_contact",
            "opportunity",
            Some(id),
            Some(deal.customer.id),
            json!({"contact_id": new.contact_id, "role": new.role.as_str()}),
        )?;
        contacts_of(conn, id, Some(new.contact_id))?
            .pop()
            .ok_or(RepoError::NotFound)
    })
}

pub fn remove_contact(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    contact_id: i64,
) -> RepoResult<()> {
    unlink(
        conn,
        actor,
        id,
        ("remove_contact", "contact_id", contact_id),
        |conn| diesel::delete(kc::table.find((id, contact_id))).execute(conn),
    )
}

/// Removes one thing linked to a deal the actor sees (404 when it was not linked), with a history
/// entry `(action, field, id)`.
fn unlink(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    (action, field, linked): (&str, &str, i64),
    delete: impl FnOnce(&mut DbConnection) -> QueryResult<usize>,
) -> RepoResult<()> {
    write_tx(conn, |conn| {
        let deal = get(conn, actor, id)?;
        if delete(conn)? == 0 {
            return Err(RepoError::NotFound);
        }
        audit::record_about(
            conn,
            actor,
            action,
            "opportunity",
            Some(id),
            Some(deal.customer.id),
            json!({ field: linked }),
        )?;
        Ok(())
    })
}

// ---------------------------------------------------------------------------------------------
// Competitors in the deal

/// The competitors met in a deal the actor sees, most threatening first.
pub fn competitors(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
) -> RepoResult<Vec<DealCompetitor>> {
    get(conn, actor, id)?;
    competitors_of(conn, id, None)
}

fn competitors_of(
    conn: &mut DbConnection,
    id: i64,
    only: Option<i64>,
) -> RepoResult<Vec<DealCompetitor>> {
    let mut q = oc::table
        .inner_join(k::table)
        .filter(oc::opportunity_id.eq(id))
        .order((oc::threat.desc(), k::name))
        .select((
            oc::competitor_id,
            k::name,
            oc::strengths,
            oc::weaknesses,
            oc::threat,
        ))
        .into_boxed();
    if let Some(c) = only {
        q = q.filter(oc::competitor_id.eq(c));
    }
    let rows: Vec<DealCompetitorRow> = q.load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, name, strengths, weaknesses, threat)| DealCompetitor {
            competitor: IdName { id, name },
            strengths,
            weaknesses,
            threat,
        })
        .collect())
}

/// Adds a competitor met in the deal (422 `already_added` for a second time).
pub fn add_competitor(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    new: &NewDealCompetitor,
) -> RepoResult<DealCompetitor> {
    write_tx(conn, |conn| {
        let deal = get(conn, actor, id)?;
        check_competitor(conn, new.competitor_id)?;
        diesel::insert_into(oc::table)
            .values((
                oc::opportunity_id.eq(id),
                oc::competitor_id.eq(new.competitor_id),
                oc::strengths.eq(blank_to_none(new.strengths.as_deref())),
                oc::weaknesses.eq(blank_to_none(new.weaknesses.as_deref())),
                oc::threat.eq(new.threat),
                oc::created_at.eq(now()),
            ))
            .execute(conn)
            .map_err(already_added("competitor_id"))?;
        audit::record_about(
            conn,
            actor,
            "add_competitor",
            "opportunity",
            Some(id),
            Some(deal.customer.id),
            json!({"competitor_id": new.competitor_id, "threat": new.threat}),
        )?;
        competitors_of(conn, id, Some(new.competitor_id))?
            .pop()
            .ok_or(RepoError::NotFound)
    })
}

pub fn remove_competitor(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    competitor_id: i64,
) -> RepoResult<()> {
    let link = ("remove_competitor", "competitor_id", competitor_id);
    unlink(conn, actor, id, link, |conn| {
        diesel::delete(oc::table.find((id, competitor_id))).execute(conn)
    })
}

// ---------------------------------------------------------------------------------------------
// Transfer

/// Transfer mover: the giver's open deals of the moving customers go to the receiver; won and
/// lost ones keep their owner (history is not rewritten).
pub(crate) fn move_open(conn: &mut DbConnection, m: &Move) -> QueryResult<i64> {
    let mine = o::table
        .filter(o::customer_id.eq_any(m.customer_ids.clone()))
        .filter(o::owner_id.eq(m.from))
        .filter(o::status.eq(OpportunityStatus::Open.as_str()));
    if m.dry_run {
        return mine.count().get_result(conn);
    }
    let n = diesel::update(mine)
        .set((
            o::owner_id.eq(m.to),
            o::updated_at.eq(now()),
            o::version.eq(o::version + 1),
        ))
        .execute(conn)?;
    Ok(n as i64)
}

/// Transfer mover: the giver's open quotes (draft or sent) on deals of the moving customers.
pub(crate) fn move_open_quotes(conn: &mut DbConnection, m: &Move) -> QueryResult<i64> {
    let open: Vec<&str> = QuoteStatus::OPEN.iter().map(|s| s.as_str()).collect();
    let deals = o::table
        .filter(o::customer_id.eq_any(m.customer_ids.clone()))
        .select(o::id);
    let mine = quotes::table
        .filter(quotes::opportunity_id.eq_any(deals))
        .filter(quotes::owner_id.eq(m.from))
        .filter(quotes::status.eq_any(open));
    if m.dry_run {
        return mine.count().get_result(conn);
    }
    let n = diesel::update(mine)
        .set((quotes::owner_id.eq(m.to), quotes::updated_at.eq(now())))
        .execute(conn)?;
    Ok(n as i64)
}
