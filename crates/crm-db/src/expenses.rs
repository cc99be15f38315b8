//! Expenses (费用): filed by the spender (or a manager for one of theirs), approved or rejected by
//! a manager whose scope covers the spender — never by the spender — and locked once decided until
//! an administrator reopens them. Seen by who sees the spender (the one filter, on `spender_id`);
//! summed per month in `expense_months` by triggers for the analysis.

use crate::actor::Actor;
use crate::audit::{self, diff};
use crate::error::OptionalFound;
use crate::names;
use crate::notifications::{self, Notice};
use crate::paging::{PageRequest, row_after};
use crate::schema::{
    expense_department_months as edm, expense_months as em, expenses as e, orders, receipts, users,
};
use crate::sql::{check_dictionary, check_version, one_row_updated};
use crate::visibility::{Visible, VisibleTo};
use crate::{DbConnection, RepoError, RepoResult, now, write_tx};
use chrono::{NaiveDate, NaiveDateTime};
use crm_domain::api::{
    DictionaryKind, Expense, ExpenseGroup, ExpensePatch, ExpenseQuery, ExpenseReport,
    ExpenseReportQuery, ExpenseReportRow, ExpenseTotals, IdName, NewExpense, Page,
};
use crm_domain::expense::{ExpenseAction, ExpenseStatus, expense_ratio, month_of, split_period};
use crm_domain::{ErrorCode, Money, Permission, msg};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use serde_json::json;
use std::collections::HashMap;

#[derive(Queryable, Selectable)]
#[diesel(table_name = e)]
struct Row {
    id: i64,
    spender_id: i64,
    department_id: i64,
    spent_on: NaiveDate,
    amount: i64,
    category_id: i64,
    description: String,
    customer_id: Option<i64>,
    opportunity_id: Option<i64>,
    order_id: Option<i64>,
    receipt_document_id: Option<i64>,
    status: String,
    decided_by: Option<i64>,
    decided_at: Option<NaiveDateTime>,
    reason: Option<String>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    version: i32,
}

/// The names of what a page of expenses refers to, read once per page.
struct Names {
    people: names::Names,
    departments: names::Names,
    categories: names::Names,
    customers: names::Names,
    deals: names::Names,
    orders: names::Names,
}

impl Names {
    fn of(conn: &mut DbConnection, rows: &[Row]) -> QueryResult<Names> {
        Ok(Names {
            people: names::people(
                conn,
                rows.iter()
                    .flat_map(|r| [Some(r.spender_id), r.decided_by])
                    .flatten(),
            )?,
            departments: names::departments(conn, rows.iter().map(|r| r.department_id))?,
            categories: names::entries(conn, rows.iter().map(|r| r.category_id))?,
            customers: names::customers(conn, rows.iter().filter_map(|r| r.customer_id))?,
            deals: names::deals(conn, rows.iter().filter_map(|r| r.opportunity_id))?,
            orders: names::orders(conn, rows.iter().filter_map(|r| r.order_id))?,
        })
    }

    fn expense(&self, x: Row) -> Expense {
        Expense {
            id: x.id,
            spender: self.people.of(x.spender_id),
            department: self.departments.of(x.department_id),
            spent_on: x.spent_on,
            amount: Money::from_minor(x.amount),
            category: self.categories.of(x.category_id),
            description: x.description,
            customer: x.customer_id.map(|id| self.customers.of(id)),
            opportunity: x.opportunity_id.map(|id| self.deals.of(id)),
            order: x.order_id.map(|id| self.orders.of(id)),
            receipt_document_id: x.receipt_document_id,
            status: ExpenseStatus::parse(&x.status).unwrap_or(ExpenseStatus::Submitted),
            decided_by: x.decided_by.map(|id| self.people.of(id)),
            decided_at: x.decided_at.map(|t| t.and_utc()),
            reason: x.reason,
            created_at: x.created_at.and_utc(),
            updated_at: x.updated_at.and_utc(),
            version: x.version,
        }
    }
}

fn with_names(conn: &mut DbConnection, rows: Vec<Row>) -> QueryResult<Vec<Expense>> {
    let names = Names::of(conn, &rows)?;
    Ok(rows.into_iter().map(|r| names.expense(r)).collect())
}

/// The fields a history entry shows.
fn view(x: &Expense) -> serde_json::Value {
    json!({
        "spender_id": x.spender.id, "spent_on": x.spent_on, "amount": x.amount,
        "category_id": x.category.id, "description": x.description,
        "customer_id": x.customer.as_ref().map(|v| v.id),
        "opportunity_id": x.opportunity.as_ref().map(|v| v.id),
        "order_id": x.order.as_ref().map(|v| v.id),
        "status": x.status.as_str(), "reason": x.reason,
    })
}

/// An expense the actor sees; 404 otherwise (missing and out of scope look the same).
pub fn get(conn: &mut DbConnection, actor: &Actor, id: i64) -> RepoResult<Expense> {
    let row: Row = e::table
        .filter(e::id.eq(id))
        .select(Row::as_select())
        .into_boxed()
        .visible_to(e::spender_id, &actor.visible)
        .first(conn)
        .found()?;
    Ok(with_names(conn, vec![row])?.remove(0))
}

/// A boxed query of expenses narrowed by a list's filters within a scope, latest spent first,
/// after the cursor's key.
macro_rules! narrowed {
    ($actor:expr, $visible:expr, $f:expr, $after:expr) => {{
        let (actor, visible, f, after): (&Actor, &Visible, &ExpenseQuery, _) =
            ($actor, $visible, $f, $after);
        let mut q = e::table
            .order((e::spent_on.desc(), e::id.desc()))
            .into_boxed()
            .visible_to(e::spender_id, visible);
        if let Some(v) = f.spender_id {
            q = q.filter(e::spender_id.eq(v));
        }
        if let Some(v) = f.department_id {
            q = q.filter(e::department_id.eq(v));
        }
        if let Some(v) = f.category_id {
            q = q.filter(e::category_id.eq(v));
        }
        if let Some(v) = f.customer_id {
            q = q.filter(e::customer_id.eq(v));
        }
        if let Some(v) = f.opportunity_id {
            q = q.filter(e::opportunity_id.eq(v));
        }
        if let Some(v) = f.order_id {
            q = q.filter(e::order_id.eq(v));
        }
        if let Some(v) = f.status {
            q = q.filter(e::status.eq(v.as_str()));
        }
        if f.approvable == Some(true) {
            q = q
                .filter(e::status.eq(ExpenseStatus::Submitted.as_str()))
                .filter(e::spender_id.ne(actor.id));
        }
        if let Some(v) = f.from {
            q = q.filter(e::spent_on.ge(v));
        }
        if let Some(v) = f.to {
            q = q.filter(e::spent_on.le(v));
        }
        if let Some((day, id)) = after {
            q = q.filter(row_after(e::spent_on, e::id, day, id, true));
        }
        q
    }};
}

/// The expenses the actor sees, latest spent first, a page at a time (keyset on `(spent_on, id)`;
/// a team's page is merged from each spender's own index range).
pub fn list(conn: &mut DbConnection, actor: &Actor, f: &ExpenseQuery) -> RepoResult<Page<Expense>> {
    let page = PageRequest::<(NaiveDate, i64)>::new(f.limit, f.cursor.as_deref(), "-spent_on")?;
    let visible = &actor.visible;
    let fetch = page.fetch();
    let rows: Vec<Row> = match crate::paging::merge_owners(visible) {
        Some(owners) if f.spender_id.is_none() => {
            let ids = crate::paging::merged(owners, fetch, true, |owner| {
                Ok(narrowed!(actor, visible, f, page.after)
                    .filter(e::spender_id.eq(owner))
                    .select((e::spent_on, e::id))
                    .limit(fetch)
                    .load::<(NaiveDate, i64)>(conn)?)
            })?;
            let mut rows: Vec<Row> = e::table
                .filter(e::id.eq_any(&ids))
                .select(Row::as_select())
                .load(conn)?;
            rows.sort_by_key(|r| std::cmp::Reverse((r.spent_on, r.id)));
            rows
        }
        _ => narrowed!(actor, visible, f, page.after)
            .select(Row::as_select())
            .limit(fetch)
            .load(conn)?,
    };
    let items = with_names(conn, rows)?;
    Ok(page.page(items, |x: &Expense| (x.spent_on, x.id)))
}

/// Who acts for the spender: the actor itself, or the spender resolved as a caller (a manager
/// filing for one of theirs), whose own scope decides what the expense may be spent on.
fn spender_of(conn: &mut DbConnection, actor: &Actor, spender: Option<i64>) -> RepoResult<Actor> {
    let id = spender.unwrap_or(actor.id);
    if id == actor.id {
        return Ok(actor.clone());
    }
    let refused = || {
        RepoError::invalid(
            "spender_id",
            ErrorCode::OutOfScope,
            msg!(
                "只能为您范围内启用的下属登记费用",
                "you may file expenses only for enabled people in your scope"
            ),
        )
    };
    if !actor.has(Permission::ExpenseApprove) || !actor.sees(id) {
        return Err(refused());
    }
    as_caller(conn, id)?.ok_or_else(refused)
}

/// An enabled user as they would act themselves: their permissions and their own scope.
fn as_caller(conn: &mut DbConnection, id: i64) -> RepoResult<Option<Actor>> {
    let Some(who) = crate::callers::load(conn, id)? else {
        return Ok(None);
    };
    Actor::resolve(conn, who.id, who.department.id, who.scope, who.permissions).map(Some)
}

/// The customer, deal and order an expense was spent on: each visible to the spender, and all of
/// one customer (the customer may be left out: it is the deal's or the order's).
fn links(
    conn: &mut DbConnection,
    spender: &Actor,
    customer: Option<i64>,
    deal: Option<i64>,
    order: Option<i64>,
) -> RepoResult<(Option<i64>, Option<i64>, Option<i64>)> {
    let unseen = |field: &'static str| {
        move |err: RepoError| match err {
            RepoError::NotFound => RepoError::invalid(
                field,
                ErrorCode::NotFound,
                msg!(
                    "花费人的范围内没有这条记录",
                    "no such record within the spender's scope"
                ),
            ),
            other => other,
        }
    };
    let not_of = |field: &'static str| {
        RepoError::invalid(
            field,
            ErrorCode::NotOfCustomer,
            msg!("不属于这个客户", "belongs to another customer"),
        )
    };
    let mut of_customer = customer;
    if let Some(id) = customer {
        crate::customers::get(conn, spender, id).map_err(unseen("customer_id"))?;
    }
    for (field, id) in [("opportunity_id", deal), ("order_id", order)] {
        let Some(id) = id else { continue };
        let owner = if field == "opportunity_id" {
            crate::opportunities::get(conn, spender, id)
                .map_err(unseen(field))?
                .customer
                .id
        } else {
            crate::orders::get(conn, spender, id)
                .map_err(unseen(field))?
                .customer
                .id
        };
        match of_customer {
            Some(c) if c != owner => return Err(not_of(field)),
            _ => of_customer = Some(owner),
        }
    }
    Ok((of_customer, deal, order))
}

/// 422 `in_the_future`: an expense is filed once spent, by the company's calendar.
fn check_spent_on(conn: &mut DbConnection, day: NaiveDate) -> RepoResult<()> {
    if day > crate::settings::today(conn)? {
        return Err(RepoError::invalid(
            "spent_on",
            ErrorCode::InTheFuture,
            msg!("不能晚于今天", "must not be after today"),
        ));
    }
    Ok(())
}

/// 409 `expense_decided`: an approved or rejected expense is locked.
fn check_submitted(x: &Expense) -> RepoResult<()> {
    if x.status == ExpenseStatus::Submitted {
        return Ok(());
    }
    Err(RepoError::conflict(
        ErrorCode::ExpenseDecided,
        msg!(
            "费用已审批，不能再修改；请管理员重新打开",
            "the expense is decided and locked; an administrator can reopen it"
        ),
    ))
}

/// The people told of a new expense: those who may approve in the spender's own department, or
/// failing that in the nearest department above it that has any (never the spender).
fn approvers(conn: &mut DbConnection, spender: i64, department: i64) -> QueryResult<Vec<i64>> {
    Ok(
        crate::roles::Managers::load(conn, Permission::ExpenseApprove)?
            .in_department(department, spender),
    )
}

fn announce(
    conn: &mut DbConnection,
    to: &[i64],
    kind: &str,
    title: &str,
    x: &Expense,
) -> QueryResult<()> {
    let body = format!(
        "{} · {} · {} · {}",
        x.spender.name, x.spent_on, x.category.name, x.amount
    );
    for user in to {
        notifications::notify(
            conn,
            *user,
            &Notice {
                kind,
                title,
                body: &body,
                entity: Some("expense"),
                entity_id: Some(x.id),
            },
        )?;
    }
    Ok(())
}

/// Files an expense, submitted for approval; the spender's approvers are told.
pub fn create(conn: &mut DbConnection, actor: &Actor, new: &NewExpense) -> RepoResult<Expense> {
    write_tx(conn, |conn| {
        let spender = spender_of(conn, actor, new.spender_id)?;
        check_spent_on(conn, new.spent_on)?;
        check_dictionary(
            conn,
            "category_id",
            DictionaryKind::ExpenseCategory,
            Some(new.category_id),
        )?;
        let (customer, deal, order) = links(
            conn,
            &spender,
            new.customer_id,
            new.opportunity_id,
            new.order_id,
        )?;
        let department: i64 = users::table
            .find(spender.id)
            .select(users::department_id)
            .first(conn)?;
        let at = now();
        let id: i64 = diesel::insert_into(e::table)
            .values((
                (
                    e::spender_id.eq(spender.id),
                    e::department_id.eq(department),
                    e::spent_on.eq(new.spent_on),
                    e::amount.eq(new.amount.minor()),
                    e::category_id.eq(new.category_id),
                    e::description.eq(new.description.trim()),
                ),
                (
                    e::customer_id.eq(customer),
                    e::opportunity_id.eq(deal),
                    e::order_id.eq(order),
                    e::status.eq(ExpenseStatus::Submitted.as_str()),
                    e::created_by.eq(actor.id),
                    e::created_at.eq(at),
                    e::updated_at.eq(at),
                ),
            ))
            .returning(e::id)
            .get_result(conn)?;
        let x = get(conn, &Actor::system(), id)?;
        audit::record_about(
            conn,
            actor,
            "create",
            "expense",
            Some(id),
            customer,
            view(&x),
        )?;
        let to: Vec<i64> = approvers(conn, spender.id, department)?
            .into_iter()
            .filter(|u| *u != actor.id)
            .collect();
        announce(
            conn,
            &to,
            "expense_submitted",
            "费用待审批 Expense to approve",
            &x,
        )?;
        Ok(x)
    })
}

/// Changes a submitted expense (409 `expense_decided` once decided).
pub fn update(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    patch: &ExpensePatch,
) -> RepoResult<Expense> {
    write_tx(conn, |conn| {
        let old = get(conn, actor, id)?;
        check_version(old.version, patch.version)?;
        check_submitted(&old)?;
        let spent_on = patch.spent_on.unwrap_or(old.spent_on);
        if patch.spent_on.is_some() {
            check_spent_on(conn, spent_on)?;
        }
        let category = patch.category_id.unwrap_or(old.category.id);
        check_dictionary(
            conn,
            "category_id",
            DictionaryKind::ExpenseCategory,
            Some(category),
        )?;
        let keep = |p: &Option<Option<i64>>, v: &Option<IdName>| match p {
            Some(new) => *new,
            None => v.as_ref().map(|x| x.id),
        };
        // The links are checked against the spender's own scope, whoever edits.
        let spender = if old.spender.id == actor.id {
            actor.clone()
        } else {
            as_caller(conn, old.spender.id)?.ok_or_else(|| {
                RepoError::conflict(
                    ErrorCode::UserDisabled,
                    msg!("花费人已停用", "the spender is disabled"),
                )
            })?
        };
        // A link left out of the patch is kept, but the customer follows the deal or order when
        // only those are given.
        let customer = match &patch.customer_id {
            Some(v) => *v,
            None if patch.opportunity_id.is_some() || patch.order_id.is_some() => None,
            None => old.customer.as_ref().map(|x| x.id),
        };
        let (customer, deal, order) = links(
            conn,
            &spender,
            customer,
            keep(&patch.opportunity_id, &old.opportunity),
            keep(&patch.order_id, &old.order),
        )?;
        let n = diesel::update(e::table.find(id).filter(e::version.eq(patch.version)))
            .set((
                e::spent_on.eq(spent_on),
                e::amount.eq(patch.amount.unwrap_or(old.amount).minor()),
                e::category_id.eq(category),
                e::description.eq(patch
                    .description
                    .as_deref()
                    .map_or(old.description.clone(), |s| s.trim().to_string())),
                e::customer_id.eq(customer),
                e::opportunity_id.eq(deal),
                e::order_id.eq(order),
                e::updated_at.eq(now()),
                e::version.eq(old.version + 1),
            ))
            .execute(conn)?;
        one_row_updated(n, old.version)?;
        let new = get(conn, actor, id)?;
        audit::record_about(
            conn,
            actor,
            "update",
            "expense",
            Some(id),
            customer,
            diff(&view(&old), &view(&new)),
        )?;
        Ok(new)
    })
}

/// Withdraws a submitted expense (409 `expense_decided` once decided).
pub fn delete(conn: &mut DbConnection, actor: &Actor, id: i64) -> RepoResult<()> {
    write_tx(conn, |conn| {
        let old = get(conn, actor, id)?;
        check_submitted(&old)?;
        diesel::delete(e::table.find(id)).execute(conn)?;
        audit::record_about(
            conn,
            actor,
            "delete",
            "expense",
            Some(id),
            old.customer.as_ref().map(|x| x.id),
            view(&old),
        )?;
        Ok(())
    })
}

/// Approves, rejects (with a reason) or reopens (an administrator, with a reason) an expense the
/// actor sees. Deciding is for someone other than the spender (409 `own_expense`); a move the
/// status does not allow is 409 `expense_decided` (deciding again) or `invalid_status_move`.
/// The spender is told.
pub fn decide(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    action: ExpenseAction,
    version: i32,
    reason: Option<&str>,
) -> RepoResult<Expense> {
    write_tx(conn, |conn| {
        let old = get(conn, actor, id)?;
        check_version(old.version, version)?;
        if action != ExpenseAction::Reopen && old.spender.id == actor.id {
            return Err(RepoError::conflict(
                ErrorCode::OwnExpense,
                msg!(
                    "不能审批自己的费用",
                    "nobody approves or rejects their own expenses"
                ),
            ));
        }
        let Some(status) = old.status.after(action) else {
            return Err(if action == ExpenseAction::Reopen {
                RepoError::conflict(
                    ErrorCode::InvalidStatusMove,
                    msg!(
                        "费用尚未审批，无需重新打开",
                        "the expense is not decided yet"
                    ),
                )
            } else {
                RepoError::conflict(
                    ErrorCode::ExpenseDecided,
                    msg!("费用已审批过", "the expense is decided already"),
                )
            });
        };
        let reason = reason.map(str::trim).filter(|r| !r.is_empty());
        let n = diesel::update(e::table.find(id).filter(e::version.eq(version)))
            .set((
                e::status.eq(status.as_str()),
                e::decided_by.eq(actor.id),
                e::decided_at.eq(now()),
                e::reason.eq(reason),
                e::updated_at.eq(now()),
                e::version.eq(old.version + 1),
            ))
            .execute(conn)?;
        one_row_updated(n, old.version)?;
        let new = get(conn, actor, id)?;
        audit::record_about(
            conn,
            actor,
            action.as_str(),
            "expense",
            Some(id),
            new.customer.as_ref().map(|x| x.id),
            diff(&view(&old), &view(&new)),
        )?;
        let (kind, title) = match action {
            ExpenseAction::Approve => ("expense_approved", "费用已批准 Expense approved"),
            ExpenseAction::Reject => ("expense_rejected", "费用被驳回 Expense rejected"),
            ExpenseAction::Reopen => ("expense_reopened", "费用已重新打开 Expense reopened"),
        };
        announce(conn, &[new.spender.id], kind, title, &new)?;
        Ok(new)
    })
}

// ---------------------------------------------------------------------------------------------
// Analysis

/// `CAST(COALESCE(SUM(x), 0) AS BIGINT)`: a sum of BIGINT is NUMERIC on PostgreSQL.
fn total(column: &str) -> diesel::expression::SqlLiteral<BigInt> {
    sql::<BigInt>(&format!("CAST(COALESCE(SUM({column}), 0) AS BIGINT)"))
}

/// The group key of a sum: an id, or a month's first day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Key {
    Id(i64),
    Month(NaiveDate),
}

/// Expenses per group within the actor's scope, with totals (`GET /reports/expenses`). Whole
/// months come from the monthly summary, the period's ragged ends and anything by customer from
/// the expenses themselves; by customer, the customer's receipts in the period stand beside.
pub fn report(
    conn: &mut DbConnection,
    actor: &Actor,
    q: &ExpenseReportQuery,
) -> RepoResult<ExpenseReport> {
    let (from, to) = names::period(conn, q.from, q.to)?;
    let group = q.group_by.unwrap_or_default();
    let status = q.status.unwrap_or_default();
    let statuses = status.statuses();
    let depts = match q.department_id {
        Some(id) => Some(crate::departments::subtree(conn, id)?),
        None => None,
    };
    let visible = &actor.visible;
    let mut sums: HashMap<Key, (i64, i64)> = HashMap::new();
    let mut add = |key: Key, n: i64, amount: i64| {
        let s = sums.entry(key).or_insert((0, 0));
        s.0 += n;
        s.1 += amount;
    };

    // The monthly summary for whole months, when nothing narrows below what it keeps.
    let parts = split_period(from, to);
    let (days, months) = if group != ExpenseGroup::Customer && q.customer_id.is_none() {
        (parts.days, parts.months)
    } else {
        (vec![(from, to)], None)
    };
    // A viewer who sees every spender, asking for no one in particular, reads the department
    // summary (a few hundred rows a month); anyone else the per-spender one, which the visibility
    // filter narrows.
    let whole_company =
        matches!(visible, Visible::All) && q.owner_id.is_none() && group != ExpenseGroup::Owner;
    if let Some((a, b)) = months {
        // The whole months of one summary table, grouped by `$key`, with the filters both share.
        macro_rules! summed {
            ($t:ident, $table:literal, $key:expr) => {{
                let mut m = $t::table
                    .filter($t::month.ge(a).and($t::month.lt(b)))
                    .filter($t::status.eq_any(&statuses))
                    .group_by($key)
                    .select((
                        $key,
                        total(concat!($table, ".expenses")),
                        total(concat!($table, ".amount")),
                    ))
                    .into_boxed();
                if let Some(v) = &depts {
                    m = m.filter($t::department_id.eq_any(v.clone()));
                }
                if let Some(v) = q.category_id {
                    m = m.filter($t::category_id.eq(v));
                }
                m
            }};
        }
        macro_rules! by_spender {
            ($key:expr) => {{
                let mut m = summed!(em, "expense_months", $key).visible_to(em::spender_id, visible);
                if let Some(v) = q.owner_id {
                    m = m.filter(em::spender_id.eq(v));
                }
                m
            }};
        }
        macro_rules! by_department {
            ($key:expr) => {
                summed!(edm, "expense_department_months", $key)
            };
        }
        if group == ExpenseGroup::Month {
            let rows: Vec<(NaiveDate, i64, i64)> = if whole_company {
                by_department!(edm::month).load(conn)?
            } else {
                by_spender!(em::month).load(conn)?
            };
            for (k, n, amount) in rows {
                add(Key::Month(k), n, amount);
            }
        } else {
            let rows: Vec<(i64, i64, i64)> = match (group, whole_company) {
                (ExpenseGroup::Owner, _) => by_spender!(em::spender_id).load(conn)?,
                (ExpenseGroup::Category, true) => by_department!(edm::category_id).load(conn)?,
                (ExpenseGroup::Category, false) => by_spender!(em::category_id).load(conn)?,
                (_, true) => by_department!(edm::department_id).load(conn)?,
                (_, false) => by_spender!(em::department_id).load(conn)?,
            };
            for (k, n, amount) in rows {
                add(Key::Id(k), n, amount);
            }
        }
    }
    // The expenses themselves for the rest.
    for (a, b) in days {
        macro_rules! daily {
            ($key:expr) => {{
                let mut x = e::table
                    .filter(e::spent_on.ge(a).and(e::spent_on.le(b)))
                    .filter(e::status.eq_any(&statuses))
                    .group_by($key)
                    .select(($key, diesel::dsl::count_star(), total("expenses.amount")))
                    .into_boxed()
                    .visible_to(e::spender_id, visible);
                if let Some(v) = &depts {
                    x = x.filter(e::department_id.eq_any(v.clone()));
                }
                if let Some(v) = q.owner_id {
                    x = x.filter(e::spender_id.eq(v));
                }
                if let Some(v) = q.category_id {
                    x = x.filter(e::category_id.eq(v));
                }
                if let Some(v) = q.customer_id {
                    x = x.filter(e::customer_id.eq(v));
                }
                x
            }};
        }
        match group {
            ExpenseGroup::Month => {
                for (day, n, amount) in daily!(e::spent_on).load::<(NaiveDate, i64, i64)>(conn)? {
                    add(Key::Month(month_of(day)), n, amount);
                }
            }
            ExpenseGroup::Customer => {
                let rows: Vec<(Option<i64>, i64, i64)> = daily!(e::customer_id)
                    .filter(e::customer_id.is_not_null())
                    .load(conn)?;
                for (k, n, amount) in rows {
                    if let Some(k) = k {
                        add(Key::Id(k), n, amount);
                    }
                }
            }
            _ => {
                let rows: Vec<(i64, i64, i64)> = match group {
                    ExpenseGroup::Owner => daily!(e::spender_id).load(conn)?,
                    ExpenseGroup::Category => daily!(e::category_id).load(conn)?,
                    _ => daily!(e::department_id).load(conn)?,
                };
                for (k, n, amount) in rows {
                    add(Key::Id(k), n, amount);
                }
            }
        }
    }

    // Every month of the period shows, spent in or not.
    if group == ExpenseGroup::Month {
        let mut m = month_of(from);
        while m <= to {
            sums.entry(Key::Month(m)).or_insert((0, 0));
            match m.checked_add_months(chrono::Months::new(1)) {
                Some(next) => m = next,
                None => break,
            }
        }
    }
    let overflow = || {
        RepoError::rule(
            ErrorCode::AmountTooLarge,
            msg!("合计过大", "the sums are too large"),
        )
    };
    let mut totals = ExpenseTotals::default();
    for (n, amount) in sums.values() {
        totals.count += n;
        totals.amount = totals
            .amount
            .checked_add(Money::from_minor(*amount))
            .ok_or_else(overflow)?;
    }
    let mut entries: Vec<(Key, (i64, i64))> = sums.into_iter().collect();
    entries.retain(|(k, (n, _))| *n != 0 || matches!(k, Key::Month(_)));
    if group == ExpenseGroup::Month {
        entries.sort_by_key(|(k, _)| *k);
    } else {
        entries.sort_by(|a, b| b.1.1.cmp(&a.1.1).then(a.0.cmp(&b.0)));
    }
    const MAX_ROWS: usize = 1000;
    let truncated = entries.len() > MAX_ROWS;
    entries.truncate(MAX_ROWS);
    let ids: Vec<i64> = entries
        .iter()
        .filter_map(|(k, _)| match k {
            Key::Id(id) => Some(*id),
            Key::Month(_) => None,
        })
        .collect();
    let labels = match group {
        ExpenseGroup::Department => names::departments(conn, ids.iter().copied())?,
        ExpenseGroup::Owner => names::people(conn, ids.iter().copied())?,
        ExpenseGroup::Category => names::entries(conn, ids.iter().copied())?,
        ExpenseGroup::Customer => names::customers(conn, ids.iter().copied())?,
        ExpenseGroup::Month => names::Names::default(),
    };
    let revenue: Option<HashMap<i64, i64>> = if group == ExpenseGroup::Customer {
        Some(revenue_of(conn, visible, &ids, from, to)?)
    } else {
        None
    };
    let mut rows = Vec::with_capacity(entries.len());
    let mut revenue_total = Money::ZERO;
    for (key, (n, amount)) in entries {
        let amount = Money::from_minor(amount);
        let (key, label, received) = match key {
            Key::Month(m) => {
                let k = m.format("%Y-%m").to_string();
                (k.clone(), k, None)
            }
            Key::Id(id) => (
                id.to_string(),
                labels.of(id).name,
                revenue
                    .as_ref()
                    .map(|r| Money::from_minor(r.get(&id).copied().unwrap_or(0))),
            ),
        };
        if let Some(r) = received {
            revenue_total = revenue_total.checked_add(r).ok_or_else(overflow)?;
        }
        rows.push(ExpenseReportRow {
            key,
            label,
            count: n,
            amount,
            revenue: received,
            expense_ratio: received.and_then(|r| expense_ratio(amount, r)),
        });
    }
    if revenue.is_some() {
        totals.revenue = Some(revenue_total);
        totals.expense_ratio = expense_ratio(totals.amount, revenue_total);
    }
    Ok(ExpenseReport {
        group_by: group,
        from,
        to,
        status,
        rows,
        totals,
        truncated,
    })
}

/// Money received from each of these customers in `[from, to]` (receipts less reversals) on
/// orders the viewer sees.
fn revenue_of(
    conn: &mut DbConnection,
    visible: &Visible,
    customers: &[i64],
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<HashMap<i64, i64>> {
    let mut out = HashMap::new();
    for chunk in customers.chunks(500) {
        let rows: Vec<(i64, i64)> = receipts::table
            .inner_join(orders::table)
            .filter(orders::customer_id.eq_any(chunk))
            .filter(
                receipts::received_on
                    .ge(from)
                    .and(receipts::received_on.le(to)),
            )
            .group_by(orders::customer_id)
            .select((orders::customer_id, total("receipts.amount")))
            .into_boxed()
            .visible_to(orders::owner_id, visible)
            .load(conn)?;
        out.extend(rows);
    }
    Ok(out)
}
