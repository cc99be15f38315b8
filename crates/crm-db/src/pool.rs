//! The public pool (公海): customers nobody owns. A pooled customer belongs to a reserved owner,
//! [`OWNER`], alone in a reserved department that no one's department scope reaches (migration
//! `public_pool`), so the one visibility filter keeps pooled customers out of everyone's lists but
//! scope `all`'s without a new condition anywhere. Everyone may see the pool's own list, which
//! shows what a customer is but not how to reach it; claiming, releasing and the scheduler's
//! reclaim move a customer (with its open deals, quotes and reminders, through the transfer
//! movers) in and out of it. Orders stay with whoever sold them: the money they are owed needs a
//! person to collect it.

use crate::actor::Actor;
use crate::audit;
use crate::customers;
use crate::moves::Move;
use crate::notifications::{self, Notice};
use crate::paging::PageRequest;
use crate::schema::{customers as c, pool_moves as pm};
use crate::visibility::{Visible, VisibleTo};
use crate::{DbConnection, RepoError, RepoResult, Serial, now, serialize_keys, write_tx};
use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use crm_domain::api::{
    ClaimRequest, Customer, CustomerQuery, Page, PoolCustomer, PoolQuery, PoolReturn,
    ReclaimCandidate, ReclaimPreviewQuery, ReleaseRequest, Released,
};
use crm_domain::customer::CustomerLevel;
use crm_domain::pool::{PoolRules, UNSIGNED_LEVELS};
use crm_domain::{ErrorCode, Permission, msg, time};
use diesel::prelude::*;
use serde_json::json;
use std::collections::BTreeMap;

/// The reserved owner of pooled customers (never a user anyone can log in as or see listed).
pub const OWNER: i64 = -1;
/// The reserved department of [`OWNER`].
pub const DEPARTMENT: i64 = -1;
/// Kinds of [`crate::transfers::MOVERS`] that do not follow a customer into or out of the pool.
const STAYS: &[&str] = &["orders"];
const BATCH: i64 = 500;

/// The owner a new record of a customer gets by default: the customer's, or — for a pooled
/// customer, which nobody owns — the one who makes it.
pub fn owner_or(customer_owner: i64, actor: &Actor) -> i64 {
    if customer_owner == OWNER {
        actor.id
    } else {
        customer_owner
    }
}

// ---------------------------------------------------------------------------------------------
// The pool's list

/// The pool's customers, filtered and sorted as the customer list is (its own query, seen as by
/// the pool's owner), without what is only for an owner's eyes.
pub fn list(
    conn: &mut DbConnection,
    actor: &Actor,
    q: &PoolQuery,
) -> RepoResult<Page<PoolCustomer>> {
    let query = CustomerQuery {
        level: q.level,
        type_: q.type_,
        industry_id: q.industry_id,
        region_id: q.region_id,
        q: q.q.clone(),
        sort: q.sort,
        limit: q.limit,
        cursor: q.cursor.clone(),
        ..CustomerQuery::default()
    };
    let as_pool = Actor::new(actor.id, Vec::new(), Visible::Owners(vec![OWNER]));
    let page = customers::list(conn, &as_pool, &query)?;
    Ok(Page {
        items: page
            .items
            .into_iter()
            .map(|x| PoolCustomer {
                id: x.id,
                name: x.name,
                short_name: x.short_name,
                type_: x.type_,
                level: x.level,
                industry_id: x.industry_id,
                region_id: x.region_id,
                source_id: x.source_id,
                size: x.size,
                last_contact_at: x.last_contact_at,
                pooled_at: x.pooled_at,
                created_at: x.created_at,
            })
            .collect(),
        next_cursor: page.next_cursor,
    })
}

// ---------------------------------------------------------------------------------------------
// Moves in and out

/// Moves one customer and what follows it from `from` to `to`; `None` when it is no longer
/// `from`'s (someone was faster).
fn move_one(
    conn: &mut DbConnection,
    id: i64,
    from: i64,
    to: i64,
) -> QueryResult<Option<BTreeMap<String, i64>>> {
    let m = Move {
        from,
        to,
        customer_ids: vec![id],
        dry_run: false,
    };
    // The customer first: when it is no longer `from`'s, nothing else moves either.
    let customers = crate::transfers::MOVERS
        .iter()
        .find(|x| x.kind == "customers")
        .map(|x| (x.run)(conn, &m))
        .transpose()?
        .unwrap_or(0);
    if customers == 0 {
        return Ok(None);
    }
    let mut skipped = STAYS.to_vec();
    skipped.push("customers");
    let mut moved = crate::transfers::run_movers(conn, &m, &skipped)?;
    moved.insert("customers".into(), customers);
    Ok(Some(moved))
}

/// One line of the pool's own history.
fn log(
    conn: &mut DbConnection,
    customer_id: i64,
    action: &str,
    user_id: i64,
    actor_id: Option<i64>,
    rule: Option<&str>,
    reason: Option<&str>,
) -> QueryResult<()> {
    diesel::insert_into(pm::table)
        .values((
            pm::customer_id.eq(customer_id),
            pm::action.eq(action),
            pm::user_id.eq(user_id),
            pm::actor_id.eq(actor_id),
            pm::rule.eq(rule),
            pm::reason.eq(reason),
            pm::created_at.eq(now()),
        ))
        .execute(conn)
        .map(drop)
}

fn not_in_pool() -> RepoError {
    RepoError::conflict(
        ErrorCode::NotInPool,
        msg!(
            "这个客户已不在公海中（可能刚被别人领取）",
            "this customer is no longer in the public pool (someone may have just claimed it)"
        ),
    )
}

/// `POST /customers/{id}/release`: the owner (or someone whose scope covers the owner) puts a
/// customer into the pool, with a reason; the owner hears of it when someone else did it.
pub fn release(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    req: &ReleaseRequest,
) -> RepoResult<Released> {
    let reason = req.reason.trim().to_string();
    write_tx(conn, |conn| {
        let x = customers::fetch(conn, &actor.visible, id)?;
        let from = x.owner.id;
        if from == OWNER {
            return Err(RepoError::conflict(
                ErrorCode::AlreadyInPool,
                msg!(
                    "这个客户已在公海中",
                    "this customer is in the public pool already"
                ),
            ));
        }
        let moved = move_one(conn, id, from, OWNER)?.ok_or(RepoError::NotFound)?;
        diesel::update(c::table.find(id))
            .set(c::pooled_at.eq(Some(now())))
            .execute(conn)?;
        log(
            conn,
            id,
            "release",
            from,
            Some(actor.id),
            None,
            Some(&reason),
        )?;
        audit::record_about(
            conn,
            actor,
            "release",
            "customer",
            Some(id),
            Some(id),
            json!({"owner_id": {"old": from, "new": OWNER}, "reason": reason}),
        )?;
        if from != actor.id {
            let body = format!("{}：{reason}", x.name);
            notifications::notify(
                conn,
                from,
                &Notice {
                    kind: "pool_released",
                    title: "客户已放入公海 Customer released to the pool",
                    body: &body,
                    entity: Some("customer"),
                    entity_id: Some(id),
                },
            )?;
        }
        Ok(Released {
            customer_id: id,
            moved,
        })
    })
}

/// `POST /pool/{id}/claim`: the caller takes a pooled customer, or (with `customer.transfer`)
/// gives it to someone within their scope. Of two claims at once exactly one wins; the other is
/// 409 `not_in_pool`. The company's limits (`pool_max_owned`, `pool_max_claims_per_day`) are 409
/// `claim_limit_reached`.
pub fn claim(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    req: &ClaimRequest,
) -> RepoResult<Customer> {
    let to = req.owner_id.unwrap_or(actor.id);
    let for_self = to == actor.id;
    if !for_self && !actor.has(Permission::CustomerTransfer) {
        return Err(RepoError::Forbidden(msg!(
            "把公海客户分配给别人需要“客户转移”权限",
            "assigning a pooled customer to someone else needs the customer transfer permission"
        )));
    }
    write_tx(conn, |conn| {
        if !for_self {
            crate::users::check_assignable(conn, actor, to)?;
        }
        // One claimer's limits are checked and used up one claim at a time.
        serialize_keys(conn, Serial::PoolClaim, &[&to.to_string()])?;
        let owner: Option<i64> = c::table
            .find(id)
            .select(c::owner_id)
            .first(conn)
            .optional()?;
        match owner {
            None => return Err(RepoError::NotFound),
            Some(o) if o != OWNER => return Err(not_in_pool()),
            Some(_) => {}
        }
        check_limits(conn, to, for_self)?;
        move_one(conn, id, OWNER, to)?.ok_or_else(not_in_pool)?;
        let action = if for_self { "claim" } else { "assign" };
        log(conn, id, action, to, Some(actor.id), None, None)?;
        audit::record_about(
            conn,
            actor,
            action,
            "customer",
            Some(id),
            Some(id),
            json!({"owner_id": {"old": OWNER, "new": to}}),
        )?;
        let x = customers::fetch(conn, &Visible::All, id)?;
        if !for_self {
            notifications::notify(
                conn,
                to,
                &Notice {
                    kind: "pool_assigned",
                    title: "公海客户分配给你 A pooled customer is yours",
                    body: &x.name,
                    entity: Some("customer"),
                    entity_id: Some(id),
                },
            )?;
        }
        customers::fetch(conn, &actor.visible, id)
    })
}

/// 409 `claim_limit_reached` when `to` owns `pool_max_owned` customers already, or (a claim for
/// oneself) has made `pool_max_claims_per_day` claims today on the company's calendar.
fn check_limits(conn: &mut DbConnection, to: i64, for_self: bool) -> RepoResult<()> {
    let settings = crate::settings::get(conn)?.settings;
    if let Some(max) = settings.pool_max_owned {
        let owned: i64 = c::table
            .filter(c::owner_id.eq(to))
            .count()
            .get_result(conn)?;
        if owned >= i64::from(max) {
            return Err(RepoError::conflict(
                ErrorCode::ClaimLimitReached,
                msg!(
                    "名下已有 {owned} 个客户，达到公司规定的上限 {max}",
                    "{owned} customers owned already, the company's limit is {max}"
                ),
            ));
        }
    }
    if let (true, Some(max)) = (for_self, settings.pool_max_claims_per_day) {
        let tz = time::zone(&settings.time_zone);
        let today = time::local_date(Utc::now(), tz);
        let claimed: i64 = pm::table
            .filter(pm::user_id.eq(to))
            .filter(pm::action.eq("claim"))
            .filter(pm::created_at.ge(time::day_start(today, tz)))
            .count()
            .get_result(conn)?;
        if claimed >= i64::from(max) {
            return Err(RepoError::conflict(
                ErrorCode::ClaimLimitReached,
                msg!(
                    "今天已领取 {claimed} 个客户，达到每日上限 {max}",
                    "{claimed} customers claimed today, the daily limit is {max}"
                ),
            ));
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The reclaim rules

type Boxed<'a> =
    crate::schema::customers::BoxedQuery<'a, crate::multi_connection_impl::MultiBackend>;
type Cond = Box<
    dyn BoxableExpression<
            c::table,
            crate::multi_connection_impl::MultiBackend,
            SqlType = diesel::sql_types::Nullable<diesel::sql_types::Bool>,
        >,
>;

/// Owned customers the rules take at `at` (none when the rules are off), the same question as
/// [`PoolRules::due`] asks of one customer.
fn due_at<'a>(rules: &PoolRules, at: NaiveDateTime) -> Option<Boxed<'a>> {
    let (no_contact, unsigned) = rules.cutoffs(at);
    let mut any: Vec<Cond> = Vec::new();
    if let Some(cut) = no_contact {
        any.push(Box::new(
            c::owner_since
                .lt(cut)
                .and(c::last_contact_at.is_null().or(c::last_contact_at.lt(cut)))
                .and(c::level.ne(CustomerLevel::Blacklisted.as_str()).nullable()),
        ));
    }
    if let Some(cut) = unsigned {
        let levels: Vec<&str> = UNSIGNED_LEVELS.iter().map(|l| l.as_str()).collect();
        any.push(Box::new(
            c::owner_since
                .lt(cut)
                .and(c::level.eq_any(levels).nullable()),
        ));
    }
    let first = any.pop()?;
    let condition = any
        .into_iter()
        .fold(first, |acc, next| Box::new(acc.or(next)) as Cond);
    Some(
        c::table
            .into_boxed()
            .filter(c::owner_id.ne(OWNER))
            .filter(condition.assume_not_null()),
    )
}

/// A customer as the rules read it: `(id, name, owner, level, owner_since, last_contact_at)`.
type Due = (
    i64,
    String,
    i64,
    String,
    Option<NaiveDateTime>,
    Option<NaiveDateTime>,
);

/// Where a walk through due customers stands: by id (a preview's pages) or, for the sweep, in the
/// order of the index that finds them, `(owner_since, id)`.
#[derive(Debug, Clone, Copy)]
enum After {
    Id(i64),
    Since(NaiveDateTime, i64),
}

fn due_page(
    conn: &mut DbConnection,
    rules: &PoolRules,
    at: NaiveDateTime,
    visible: &Visible,
    after: After,
    limit: i64,
) -> QueryResult<Vec<Due>> {
    let Some(q) = due_at(rules, at) else {
        return Ok(Vec::new());
    };
    let q = q.visible_to(c::owner_id, visible);
    let q = match after {
        After::Id(id) => q.filter(c::id.gt(id)).order(c::id),
        After::Since(since, id) => q
            .filter(crate::paging::row_after(
                c::owner_since,
                c::id,
                Some(since),
                id,
                false,
            ))
            .order((c::owner_since, c::id)),
    };
    q.limit(limit)
        .select((
            c::id,
            c::name,
            c::owner_id,
            c::level,
            c::owner_since,
            c::last_contact_at,
        ))
        .load(conn)
}

fn level_of(s: &str) -> CustomerLevel {
    CustomerLevel::parse(s).unwrap_or(CustomerLevel::Lead)
}

/// When the company's rules will take this customer back (none in the pool or with the rules off).
pub fn return_of(conn: &mut DbConnection, x: &Customer) -> RepoResult<Option<PoolReturn>> {
    if x.owner.id == OWNER {
        return Ok(None);
    }
    let settings = crate::settings::get(conn)?.settings;
    let rules = PoolRules::of(&settings);
    if !rules.is_on() {
        return Ok(None);
    }
    let tz = time::zone(&settings.time_zone);
    Ok(rules.returns(
        x.level,
        x.owner_since.map(|t| t.naive_utc()),
        x.last_contact_at.map(|t| t.naive_utc()),
        tz,
        time::local_date(Utc::now(), tz),
    ))
}

/// What one sweep did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Swept {
    pub reclaimed: usize,
    pub warned: usize,
}

/// The scheduler's sweep as of `now`: customers the rules take go to the pool (each once, however
/// many instances sweep: the move only happens while the customer is still its owner's and still
/// due), their owners told; owners of customers due within `pool_warn_days` are warned once per
/// due day.
pub fn sweep(conn: &mut DbConnection, now: DateTime<Utc>) -> RepoResult<Swept> {
    let settings = crate::settings::get(conn)?.settings;
    let rules = PoolRules::of(&settings);
    let mut swept = Swept::default();
    if !rules.is_on() {
        return Ok(swept);
    }
    let tz = time::zone(&settings.time_zone);
    let today = time::local_date(now, tz);
    let at = now.naive_utc();
    let start = After::Since(chrono::DateTime::UNIX_EPOCH.naive_utc(), 0);
    let mut after = start;
    for _ in 0..1000 {
        let due = due_page(conn, &rules, at, &Visible::All, after, BATCH)?;
        let Some(last) = due.last() else { break };
        after = After::Since(last.4.unwrap_or_default(), last.0);
        for (id, name, owner, level, owner_since, last_contact) in due {
            let Some((rule, _)) = rules.due(level_of(&level), owner_since, last_contact) else {
                continue;
            };
            let done = write_tx(conn, |conn| {
                // Still due and still the owner's inside the transaction: a contact logged or
                // another instance's sweep meanwhile wins. On PostgreSQL the row is locked first,
                // so that the check reads what a contact committed meanwhile.
                if let DbConnection::Pg(pg) = conn {
                    c::table
                        .find(id)
                        .select(c::id)
                        .for_update()
                        .first::<i64>(pg)
                        .optional()?;
                }
                let still = due_at(&rules, at)
                    .expect("rules are on")
                    .filter(c::id.eq(id))
                    .filter(c::owner_id.eq(owner))
                    .select(c::id)
                    .first::<i64>(conn)
                    .optional()?;
                if still.is_none() {
                    return Ok::<_, RepoError>(false);
                }
                if move_one(conn, id, owner, OWNER)?.is_none() {
                    return Ok(false);
                }
                diesel::update(c::table.find(id))
                    .set(c::pooled_at.eq(Some(crate::now())))
                    .execute(conn)?;
                log(conn, id, "reclaim", owner, None, Some(rule.as_str()), None)?;
                audit::record_about(
                    conn,
                    &Actor::system(),
                    "reclaim",
                    "customer",
                    Some(id),
                    Some(id),
                    json!({"owner_id": {"old": owner, "new": OWNER}, "rule": rule.as_str()}),
                )?;
                let body = match rule {
                    crm_domain::api::PoolRule::NoContact => format!(
                        "{name}：{} 天未联系 not contacted for {} days",
                        rules.no_contact_days.unwrap_or(0),
                        rules.no_contact_days.unwrap_or(0)
                    ),
                    crm_domain::api::PoolRule::Unsigned => format!(
                        "{name}：{} 天未签约 not signed within {} days",
                        rules.unsigned_days.unwrap_or(0),
                        rules.unsigned_days.unwrap_or(0)
                    ),
                };
                notifications::notify(
                    conn,
                    owner,
                    &Notice {
                        kind: "pool_reclaimed",
                        title: "客户已回收到公海 Customer returned to the pool",
                        body: &body,
                        entity: Some("customer"),
                        entity_id: Some(id),
                    },
                )?;
                Ok(true)
            })?;
            swept.reclaimed += usize::from(done);
        }
    }
    let Some(warn) = settings.pool_warn_days else {
        return Ok(swept);
    };
    let horizon = at + Duration::days(i64::from(warn));
    let mut after = start;
    for _ in 0..1000 {
        let due = due_page(conn, &rules, horizon, &Visible::All, after, BATCH)?;
        let Some(last) = due.last() else { break };
        after = After::Since(last.4.unwrap_or_default(), last.0);
        swept.warned += write_tx(conn, |conn| {
            let mut told = 0;
            for (id, name, owner, level, owner_since, last_contact) in &due {
                let Some(r) =
                    rules.returns(level_of(level), *owner_since, *last_contact, tz, today)
                else {
                    continue;
                };
                let body = format!(
                    "{name}：{} 天后（{}）将回收到公海 returns to the pool in {} days ({})",
                    r.days_left.max(0),
                    r.on,
                    r.days_left.max(0),
                    r.on
                );
                let notice = Notice {
                    kind: "pool_warning",
                    title: "客户即将回收到公海 Customer about to return to the pool",
                    body: &body,
                    entity: Some("customer"),
                    entity_id: Some(*id),
                };
                let key = format!("pool_warning:{id}:{owner}:{}", r.on);
                told += usize::from(notifications::notify_once(conn, *owner, &notice, &key)?);
            }
            Ok::<_, diesel::result::Error>(told)
        })?;
    }
    Ok(swept)
}

/// `GET /pool/reclaim-preview`: what the company's rules (or the ones given) would take at the next
/// run, or within `within_days`, and why; within the caller's scope, by id.
pub fn preview(
    conn: &mut DbConnection,
    actor: &Actor,
    q: &ReclaimPreviewQuery,
) -> RepoResult<Page<ReclaimCandidate>> {
    let page = PageRequest::<i64>::new(q.limit, q.cursor.as_deref(), "reclaim_preview")?;
    let settings = crate::settings::get(conn)?.settings;
    let rules = PoolRules {
        no_contact_days: q.no_contact_days.or(settings.pool_reclaim_no_contact_days),
        unsigned_days: q.unsigned_days.or(settings.pool_reclaim_unsigned_days),
    };
    let tz = time::zone(&settings.time_zone);
    let now = Utc::now();
    let at = now.naive_utc() + Duration::days(i64::from(q.within_days.unwrap_or(0)));
    let rows = due_page(
        conn,
        &rules,
        at,
        &actor.visible,
        After::Id(page.after.unwrap_or(0)),
        page.fetch(),
    )?;
    let owners = crate::names::Owners::load(conn, rows.iter().map(|r| r.2))?;
    let today = time::local_date(now, tz);
    let items = rows
        .into_iter()
        .filter_map(|(id, name, owner, level, owner_since, last_contact)| {
            let level = level_of(&level);
            let due = rules.returns(level, owner_since, last_contact, tz, today)?;
            Some(ReclaimCandidate {
                customer: crm_domain::api::IdName { id, name },
                level,
                owner: owners.of(owner),
                department: owners.department_of(owner),
                last_contact_at: last_contact.map(|t| t.and_utc()),
                owner_since: owner_since.map(|t| t.and_utc()),
                due,
            })
        })
        .collect();
    Ok(page.page(items, |x: &ReclaimCandidate| x.customer.id))
}
