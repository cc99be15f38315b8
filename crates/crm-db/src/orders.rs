//! Orders (订单), their payment plans (收款计划), receipts (回款) and records. Visible with their owner.
//!
//! Money facts are rows that are never rewritten: installments (what is due when), receipts (what
//! came in, or a reversal of it) and the allocations of receipts to installments. What an order or
//! installment has received is always summed from allocations, never kept as a counter. Every
//! change of one order's money runs under a per-order lock, so two receipts cannot both pass the
//! overpayment check.

use crate::actor::Actor;
use crate::audit;
use crate::error::OptionalFound;
use crate::moves::Move;
use crate::paging::PageRequest;
use crate::schema::{
    customers as c, departments, order_lines as l, order_records, orders as o,
    payment_installments as pi, products, receipt_allocations as ra, receipts as r, users,
};
use crate::sql::{blank_to_none, check_dictionary, check_version, one_row_updated, patched};
use crate::visibility::{Visible, VisibleTo};
use crate::{DbConnection, RepoError, RepoResult, Serial, now, serialize_keys, write_tx};
use chrono::{NaiveDate, NaiveDateTime};
use crm_domain::api::{
    Allocation, DictionaryKind, IdName, Installment, NewOrder, NewOrderRecord, NewReceipt, Order,
    OrderLine, OrderLineInput, OrderPatch, OrderQuery, OrderRecord, OrderRecordKind,
    OrderStatusChange, Page, PaymentPlan, PaymentPlanRequest, Receipt, ReceiptReversal,
};
use crm_domain::customer::{CustomerLevel, PipelineEvent, grade_for};
use crm_domain::order::{
    OpenInstallment, OrderAction, OrderStatus, PlannedInstallment, allocate, check_plan,
    line_amount,
};
use crm_domain::{ErrorCode, Money, Permission, msg};
use diesel::dsl::sql;
use diesel::expression::SqlLiteral;
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use serde_json::json;
use std::collections::HashMap;

/// What an order has received: the sum of its receipts (reversals are negative).
fn order_received() -> diesel::expression::SqlLiteral<BigInt> {
    sql::<BigInt>(
        "(SELECT CAST(COALESCE(SUM(rr.amount), 0) AS BIGINT) FROM receipts rr WHERE rr.order_id = orders.id)",
    )
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = o)]
struct Row {
    id: i64,
    number: String,
    customer_id: i64,
    owner_id: i64,
    opportunity_id: Option<i64>,
    status: String,
    signed_on: Option<NaiveDate>,
    service_start: Option<NaiveDate>,
    service_end: Option<NaiveDate>,
    total: i64,
    #[diesel(select_expression = order_received(), select_expression_type = SqlLiteral<BigInt>)]
    received: i64,
    notes: Option<String>,
    contract_no: Option<String>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    version: i32,
}

/// An order with its customer's name, its owner's name, department id and department name.
type Joined = (Row, String, String, i64, String);

macro_rules! order_select {
    () => {
        (
            Row::as_select(),
            c::name,
            users::display_name,
            users::department_id,
            departments::name,
        )
    };
}

macro_rules! order_query {
    () => {
        o::table
            .inner_join(c::table)
            .inner_join(users::table.inner_join(departments::table))
    };
}

fn from_row((x, customer, owner, dept_id, dept): Joined) -> Order {
    let (total, received) = (Money::from_minor(x.total), Money::from_minor(x.received));
    Order {
        id: x.id,
        number: x.number,
        customer: IdName {
            id: x.customer_id,
            name: customer,
        },
        owner: IdName {
            id: x.owner_id,
            name: owner,
        },
        department: IdName {
            id: dept_id,
            name: dept,
        },
        opportunity_id: x.opportunity_id,
        status: OrderStatus::parse(&x.status).unwrap_or(OrderStatus::Draft),
        signed_on: x.signed_on,
        service_start: x.service_start,
        service_end: x.service_end,
        total,
        received,
        outstanding: Money::from_minor(total.minor() - received.minor()),
        lines: Vec::new(),
        notes: x.notes,
        contract_no: x.contract_no,
        created_at: x.created_at.and_utc(),
        updated_at: x.updated_at.and_utc(),
        version: x.version,
    }
}

/// `(id, product id, product name, product code, quantity, unit price, discount, amount)`.
pub(crate) type LineRow = (i64, i64, String, String, i32, i64, i64, i64);
/// `(id, kind, user id, user name, happened on, note, satisfaction, created at)`.
type RecordRow = (
    i64,
    String,
    i64,
    String,
    NaiveDate,
    String,
    Option<i16>,
    NaiveDateTime,
);

pub(crate) fn lines_of(conn: &mut DbConnection, order_id: i64) -> QueryResult<Vec<OrderLine>> {
    Ok(lines_of_many(conn, &[order_id])?
        .remove(&order_id)
        .unwrap_or_default())
}

/// The lines of several orders in one query, by order, each in its own order.
fn lines_of_many(
    conn: &mut DbConnection,
    ids: &[i64],
) -> QueryResult<std::collections::HashMap<i64, Vec<OrderLine>>> {
    let rows: Vec<(i64, LineRow)> = l::table
        .inner_join(products::table)
        .filter(l::order_id.eq_any(ids))
        .order((l::order_id, l::line_no))
        .select((
            l::order_id,
            (
                l::id,
                l::product_id,
                products::name,
                products::code,
                l::quantity,
                l::unit_price,
                l::discount,
                l::amount,
            ),
        ))
        .load(conn)?;
    let mut by_order: std::collections::HashMap<i64, Vec<OrderLine>> = Default::default();
    for (order_id, row) in rows {
        by_order.entry(order_id).or_default().push(line_of(row));
    }
    Ok(by_order)
}

/// Fills in the lines of a page of orders (which the list leaves out): one query for the page.
pub fn fill_lines(conn: &mut DbConnection, orders: &mut [Order]) -> RepoResult<()> {
    let ids: Vec<i64> = orders.iter().map(|o| o.id).collect();
    if ids.is_empty() {
        return Ok(());
    }
    let mut by_order = lines_of_many(conn, &ids)?;
    for o in orders {
        o.lines = by_order.remove(&o.id).unwrap_or_default();
    }
    Ok(())
}

/// A stored line (of an order or a quote) as the API shows it.
pub(crate) fn line_of(
    (id, product_id, name, code, quantity, unit_price, discount, amount): LineRow,
) -> OrderLine {
    OrderLine {
        id,
        product: IdName {
            id: product_id,
            name,
        },
        product_code: code,
        quantity,
        unit_price: Money::from_minor(unit_price),
        discount: Money::from_minor(discount),
        amount: Money::from_minor(amount),
    }
}

/// An order the actor sees (owner within scope), with its lines; 404 otherwise.
pub fn get(conn: &mut DbConnection, actor: &Actor, id: i64) -> RepoResult<Order> {
    fetch(conn, &actor.visible, id)
}

fn fetch(conn: &mut DbConnection, visible: &Visible, id: i64) -> RepoResult<Order> {
    let row: Joined = order_query!()
        .filter(o::id.eq(id))
        .select(order_select!())
        .into_boxed()
        .visible_to(o::owner_id, visible)
        .first(conn)
        .found()?;
    let mut order = from_row(row);
    order.lines = lines_of(conn, id)?;
    Ok(order)
}

/// Orders the actor sees, newest first, without their lines, a page at a time.
pub fn list(conn: &mut DbConnection, actor: &Actor, f: &OrderQuery) -> RepoResult<Page<Order>> {
    let page = PageRequest::<i64>::new(f.limit, f.cursor.as_deref(), "orders")?;
    let mut q = order_query!()
        .select(order_select!())
        .order(o::id.desc())
        .limit(page.fetch())
        .into_boxed()
        .visible_to(o::owner_id, &actor.visible);
    if let Some(v) = f.customer_id {
        q = q.filter(o::customer_id.eq(v));
    }
    if let Some(v) = f.owner_id {
        q = q.filter(o::owner_id.eq(v));
    }
    if let Some(v) = f.department_id {
        q = q.filter(users::department_id.eq(v));
    }
    if let Some(v) = f.status {
        q = q.filter(o::status.eq(v.as_str()));
    }
    if let Some(v) = f.signed_from {
        q = q.filter(o::signed_on.ge(v));
    }
    if let Some(v) = f.signed_to {
        q = q.filter(o::signed_on.le(v));
    }
    if let Some(id) = page.after {
        q = q.filter(o::id.lt(id));
    }
    let items = q.load::<Joined>(conn)?.into_iter().map(from_row).collect();
    Ok(page.page(items, |x: &Order| x.id))
}

/// Lines as stored: `(product id, quantity, unit price, discount, amount)`, checked and summed.
pub(crate) struct PricedLines {
    pub(crate) lines: Vec<(i64, i32, Money, Money, Money)>,
    pub(crate) total: Money,
    /// The longest default service of a renewable product among them.
    service_months: Option<i32>,
}

pub(crate) fn price_lines(
    conn: &mut DbConnection,
    input: &[OrderLineInput],
) -> RepoResult<PricedLines> {
    let ids: Vec<i64> = input.iter().map(|x| x.product_id).collect();
    let known = crate::products::by_ids(conn, &ids)?;
    let mut lines = Vec::new();
    let mut service_months = None;
    for (i, x) in input.iter().enumerate() {
        let Some(product) = known.iter().find(|p| p.id == x.product_id && p.enabled) else {
            let n = i + 1;
            return Err(RepoError::invalid(
                "lines",
                ErrorCode::NoSuchProduct,
                msg!(
                    "第 {n} 行：没有这个产品（或已停用）",
                    "line {n}: no such product (or it is disabled)"
                ),
            ));
        };
        if product.renewable {
            service_months = service_months.max(product.service_months);
        }
        let amount = line_amount(i64::from(x.quantity), x.unit_price, x.discount).map_err(|e| {
            let (n, m) = (i + 1, e.message());
            let (zh, en) = (m.zh, m.en);
            RepoError::invalid("lines", e.code(), msg!("第 {n} 行：{zh}", "line {n}: {en}"))
        })?;
        lines.push((x.product_id, x.quantity, x.unit_price, x.discount, amount));
    }
    let total = Money::checked_sum(lines.iter().map(|l| l.4)).ok_or_else(|| {
        RepoError::invalid(
            "lines",
            ErrorCode::AmountTooLarge,
            msg!("总额过大", "the total is too large"),
        )
    })?;
    Ok(PricedLines {
        lines,
        total,
        service_months,
    })
}

fn write_lines(conn: &mut DbConnection, order_id: i64, priced: &PricedLines) -> QueryResult<()> {
    diesel::delete(l::table.filter(l::order_id.eq(order_id))).execute(conn)?;
    for (n, (product_id, quantity, unit_price, discount, amount)) in priced.lines.iter().enumerate()
    {
        diesel::insert_into(l::table)
            .values((
                l::order_id.eq(order_id),
                l::line_no.eq(n as i32 + 1),
                l::product_id.eq(product_id),
                l::quantity.eq(quantity),
                l::unit_price.eq(unit_price.minor()),
                l::discount.eq(discount.minor()),
                l::amount.eq(amount.minor()),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// A contract number is the customer's once: 409 `duplicate_contract` naming the order that has
/// it (the unique index settles two writers at once the same way).
fn check_contract(
    conn: &mut DbConnection,
    customer_id: i64,
    contract_no: Option<&str>,
    except: Option<i64>,
) -> RepoResult<()> {
    let Some(contract_no) = contract_no else {
        return Ok(());
    };
    let holder: Option<String> = o::table
        .filter(o::customer_id.eq(customer_id))
        .filter(o::contract_no.eq(contract_no))
        .filter(o::id.ne(except.unwrap_or(0)))
        .select(o::number)
        .first(conn)
        .optional()?;
    match holder {
        None => Ok(()),
        Some(number) => Err(RepoError::conflict(
            ErrorCode::DuplicateContract,
            msg!(
                "该客户的合同号“{contract_no}”已用于订单 {number}",
                "the customer's contract no. “{contract_no}” is already order {number}'s"
            ),
        )),
    }
}

/// A write that lost the race for a contract number to another writer.
fn contract_taken(e: diesel::result::Error, contract_no: Option<&str>) -> RepoError {
    match contract_no {
        Some(contract_no) if crate::error::is_unique_violation(&e) => RepoError::conflict(
            ErrorCode::DuplicateContract,
            msg!(
                "该客户的合同号“{contract_no}”刚被另一张订单使用",
                "the customer's contract no. “{contract_no}” was just taken by another order"
            ),
        ),
        _ => e.into(),
    }
}

fn check_period(start: Option<NaiveDate>, end: Option<NaiveDate>) -> RepoResult<()> {
    if let (Some(s), Some(e)) = (start, end)
        && e < s
    {
        return Err(RepoError::invalid(
            "service_end",
            ErrorCode::BeforeStart,
            msg!(
                "服务期的结束早于开始",
                "the service period ends before it starts"
            ),
        ));
    }
    Ok(())
}

fn view(x: &Order) -> serde_json::Value {
    json!({"number": x.number, "customer_id": x.customer.id, "owner_id": x.owner.id, "status": x.status.as_str(),
           "total": x.total, "signed_on": x.signed_on, "service_start": x.service_start,
           "service_end": x.service_end, "notes": x.notes, "contract_no": x.contract_no,
           "lines": x.lines.iter().map(|l| json!({"product": l.product_code, "quantity": l.quantity,
               "unit_price": l.unit_price, "discount": l.discount, "amount": l.amount})).collect::<Vec<_>>()})
}

/// Creates a draft order for a customer the actor sees that is not blacklisted, with a readable
/// unique number of the company's day. The owner defaults to the customer's; a renewable product
/// without a given service period gets one from today.
pub fn create(conn: &mut DbConnection, actor: &Actor, new: &NewOrder) -> RepoResult<Order> {
    let today = crate::settings::today(conn)?;
    create_on(conn, actor, new, today)
}

/// [`create`] on a given day (the demo company's year of orders).
pub fn create_on(
    conn: &mut DbConnection,
    actor: &Actor,
    new: &NewOrder,
    today: NaiveDate,
) -> RepoResult<Order> {
    write_tx(conn, |conn| insert(conn, actor, new, today))
}

/// [`create_on`] inside the caller's transaction (an accepted quote becomes an order this way).
pub(crate) fn insert(
    conn: &mut DbConnection,
    actor: &Actor,
    new: &NewOrder,
    today: NaiveDate,
) -> RepoResult<Order> {
    check_period(new.service_start, new.service_end)?;
    {
        let customer = crate::customers::get_for_new_record(conn, actor, new.customer_id)?;
        if let Some(deal) = new.opportunity_id {
            crate::opportunities::check_of_customer(conn, deal, customer.id, "opportunity_id")?;
        }
        if !customer.level.accepts_new_business() {
            return Err(RepoError::rule(
                ErrorCode::CustomerBlacklisted,
                msg!(
                    "该客户已列入黑名单，不能下订单",
                    "the customer is blacklisted and cannot get orders"
                ),
            ));
        }
        let owner = new
            .owner_id
            .unwrap_or(crate::pool::owner_or(customer.owner.id, actor));
        crate::users::check_assignable(conn, actor, owner)?;
        let priced = price_lines(conn, &new.lines)?;
        let (start, end) = match (priced.service_months, new.service_start, new.service_end) {
            (Some(months), start, None) => {
                let start = start.unwrap_or(today);
                let end = crm_domain::order::service_end(start, months);
                (Some(start), end)
            }
            (_, start, end) => (start, end),
        };
        let contract_no = blank_to_none(new.contract_no.as_deref());
        check_contract(conn, customer.id, contract_no.as_deref(), None)?;
        let number = crate::numbering::next(conn, crate::numbering::Numbered::Order, today)?;
        let at = now();
        let id: i64 = diesel::insert_into(o::table)
            .values((
                (
                    o::number.eq(&number),
                    o::customer_id.eq(customer.id),
                    o::owner_id.eq(owner),
                    o::opportunity_id.eq(new.opportunity_id),
                    o::status.eq(OrderStatus::Draft.as_str()),
                    o::service_start.eq(start),
                    o::service_end.eq(end),
                ),
                (
                    o::total.eq(priced.total.minor()),
                    o::notes.eq(blank_to_none(new.notes.as_deref())),
                    o::contract_no.eq(&contract_no),
                    o::created_by.eq(actor.id),
                    o::created_at.eq(at),
                    o::updated_at.eq(at),
                ),
            ))
            .returning(o::id)
            .get_result(conn)
            .map_err(|e| contract_taken(e, contract_no.as_deref()))?;
        write_lines(conn, id, &priced)?;
        let order = fetch(conn, &Visible::All, id)?;
        audit::record_about(
            conn,
            actor,
            "create",
            "order",
            Some(id),
            Some(customer.id),
            view(&order),
        )?;
        Ok(order)
    }
}

/// Changes an order: lines while it is a draft, the service period and notes until it is finished.
pub fn update(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    patch: &OrderPatch,
) -> RepoResult<Order> {
    write_tx(conn, |conn| {
        let old = get(conn, actor, id)?;
        check_version(old.version, patch.version)?;
        if !old.status.is_unfinished() {
            return Err(RepoError::conflict(
                ErrorCode::OrderClosed,
                msg!(
                    "已完成或已取消的订单不能再改",
                    "a completed or cancelled order does not change"
                ),
            ));
        }
        let mut total = old.total;
        if let Some(lines) = &patch.lines {
            if old.status != OrderStatus::Draft {
                return Err(RepoError::conflict(
                    ErrorCode::OrderNotDraft,
                    msg!(
                        "只有草稿订单能改明细",
                        "lines change only while the order is a draft"
                    ),
                ));
            }
            let priced = price_lines(conn, lines)?;
            total = priced.total;
            write_lines(conn, id, &priced)?;
        }
        let start = patch.service_start.unwrap_or(old.service_start);
        let end = patch.service_end.unwrap_or(old.service_end);
        check_period(start, end)?;
        let notes = patched(&patch.notes, &old.notes);
        let contract_no = patched(&patch.contract_no, &old.contract_no);
        if contract_no != old.contract_no {
            check_contract(conn, old.customer.id, contract_no.as_deref(), Some(id))?;
        }
        let n = diesel::update(o::table.find(id).filter(o::version.eq(patch.version)))
            .set((
                o::total.eq(total.minor()),
                o::service_start.eq(start),
                o::service_end.eq(end),
                o::notes.eq(notes),
                o::contract_no.eq(&contract_no),
                o::updated_at.eq(now()),
                o::version.eq(old.version + 1),
            ))
            .execute(conn)
            .map_err(|e| contract_taken(e, contract_no.as_deref()))?;
        one_row_updated(n, old.version)?;
        let new = fetch(conn, &Visible::All, id)?;
        audit::record_about(
            conn,
            actor,
            "update",
            "order",
            Some(id),
            Some(old.customer.id),
            audit::diff(&view(&old), &view(&new)),
        )?;
        Ok(new)
    })
}

/// The customer's signed total (from its signed business, recomputed) and, unless a manager set it,
/// its grade.
fn refresh_customer_money(
    conn: &mut DbConnection,
    customer_id: i64,
    thresholds: &[Money],
) -> QueryResult<()> {
    let signed: Vec<&str> = OrderStatus::SIGNED.iter().map(|s| s.as_str()).collect();
    let total: i64 = o::table
        .filter(o::customer_id.eq(customer_id))
        .filter(o::status.eq_any(signed))
        .select(sql::<BigInt>(
            "CAST(COALESCE(SUM(orders.total), 0) AS BIGINT)",
        ))
        .first(conn)?;
    let (level, manual): (String, bool) = c::table
        .find(customer_id)
        .select((c::level, c::grade_manual))
        .first(conn)?;
    diesel::update(c::table.find(customer_id))
        .set(c::signed_total.eq(total))
        .execute(conn)?;
    if !manual && level == CustomerLevel::Signed.as_str() {
        let grade = i16::from(grade_for(Money::from_minor(total), thresholds));
        diesel::update(c::table.find(customer_id))
            .set(c::grade.eq(grade))
            .execute(conn)?;
    }
    Ok(())
}

fn net_received(conn: &mut DbConnection, order_id: i64) -> QueryResult<(i64, i64)> {
    let n: i64 = r::table
        .filter(r::order_id.eq(order_id))
        .count()
        .get_result(conn)?;
    let sum: i64 = r::table
        .filter(r::order_id.eq(order_id))
        .select(sql::<BigInt>(
            "CAST(COALESCE(SUM(receipts.amount), 0) AS BIGINT)",
        ))
        .first(conn)?;
    Ok((n, sum))
}

/// A status move (on the company's calendar). Signing moves the customer to `signed` (the one
/// level rule) and recomputes its signed total and grade; an order with receipts cannot be
/// cancelled.
pub fn change_status(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    action: OrderAction,
    change: &OrderStatusChange,
) -> RepoResult<Order> {
    let today = crate::settings::today(conn)?;
    change_status_on(conn, actor, id, action, change, today)
}

/// [`change_status`] on a given day (the demo company's year of orders).
pub fn change_status_on(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    action: OrderAction,
    change: &OrderStatusChange,
    today: NaiveDate,
) -> RepoResult<Order> {
    write_tx(conn, |conn| move_in(conn, actor, id, action, change, today))
}

/// Many orders inside the caller's write transaction (an import's batch), each created as
/// [`create`] creates one and, with a signing date, signed as `POST /orders/{id}/sign` signs it.
/// A refusal names its order (`Some(index)`); `None` is the database's fault, not an order's.
pub fn create_many_in(
    conn: &mut DbConnection,
    actor: &Actor,
    orders: &[(NewOrder, Option<NaiveDate>)],
) -> Result<Vec<i64>, (Option<usize>, RepoError)> {
    let today = crate::settings::today(conn).map_err(|e| (None, e))?;
    let mut ids = Vec::with_capacity(orders.len());
    for (i, (new, signed_on)) in orders.iter().enumerate() {
        let of_row = |e: RepoError| match e {
            RepoError::Db(_) | RepoError::Unavailable(_) => (None, e),
            e => (Some(i), e),
        };
        let order = insert(conn, actor, new, today).map_err(of_row)?;
        if let Some(day) = signed_on {
            let sign = OrderStatusChange {
                version: order.version,
                signed_on: Some(*day),
                reason: None,
            };
            move_in(conn, actor, order.id, OrderAction::Sign, &sign, today).map_err(of_row)?;
        }
        ids.push(order.id);
    }
    Ok(ids)
}

/// [`change_status_on`] inside the caller's transaction.
fn move_in(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    action: OrderAction,
    change: &OrderStatusChange,
    today: NaiveDate,
) -> RepoResult<Order> {
    serialize_keys(conn, Serial::OrderMoney, &[&id.to_string()])?;
    let old = get(conn, actor, id)?;
    check_version(old.version, change.version)?;
    let Some(status) = old.status.after(action) else {
        let from = old.status.as_str();
        return Err(RepoError::conflict(
            ErrorCode::InvalidStatusMove,
            msg!(
                "{from} 状态的订单不能这样变更",
                "a {from} order cannot be moved that way"
            ),
        ));
    };
    let thresholds = crate::settings::get(conn)?.settings.grade_thresholds;
    let mut signed_on = old.signed_on;
    let customer = crate::customers::fetch(conn, &Visible::All, old.customer.id)?;
    match action {
        OrderAction::Sign => {
            if !customer.level.accepts_new_business() {
                return Err(RepoError::rule(
                    ErrorCode::CustomerBlacklisted,
                    msg!(
                        "该客户已列入黑名单，不能签约",
                        "the customer is blacklisted and cannot sign orders"
                    ),
                ));
            }
            if old.lines.is_empty() || !old.total.is_positive() {
                return Err(RepoError::rule(
                    ErrorCode::OrderEmpty,
                    msg!(
                        "签约的订单须有明细且总额大于零",
                        "an order is signed with lines and a total above zero"
                    ),
                ));
            }
            signed_on = Some(change.signed_on.unwrap_or(today));
        }
        OrderAction::Cancel => {
            let (receipts, _) = net_received(conn, id)?;
            if receipts > 0 {
                return Err(RepoError::conflict(
                    ErrorCode::OrderHasReceipts,
                    msg!(
                        "该订单已有回款，不能取消",
                        "money was received on this order; it cannot be cancelled"
                    ),
                ));
            }
        }
        OrderAction::Start | OrderAction::Complete => {}
    }
    let n = diesel::update(o::table.find(id).filter(o::version.eq(change.version)))
        .set((
            o::status.eq(status.as_str()),
            o::signed_on.eq(signed_on),
            o::updated_at.eq(now()),
            o::version.eq(old.version + 1),
        ))
        .execute(conn)?;
    one_row_updated(n, old.version)?;
    if action == OrderAction::Sign {
        crate::customers::advance(
            conn,
            actor,
            &customer,
            PipelineEvent::OrderSigned,
            "order signed",
            ("order_id", id),
        )?;
    }
    if matches!(action, OrderAction::Sign | OrderAction::Cancel) {
        refresh_customer_money(conn, customer.id, &thresholds)?;
    }
    let mut changes = json!({"status": {"old": old.status.as_str(), "new": status.as_str()}});
    if let Some(reason) = change.reason.as_deref().filter(|r| !r.trim().is_empty()) {
        changes["reason"] = json!(reason.trim());
    }
    if action == OrderAction::Sign {
        changes["signed_on"] = json!(signed_on);
    }
    audit::record_about(
        conn,
        actor,
        "status",
        "order",
        Some(id),
        Some(customer.id),
        changes,
    )?;
    fetch(conn, &Visible::All, id)
}

// ---------------------------------------------------------------------------------------------
// Payment plan

fn installments(
    conn: &mut DbConnection,
    order_id: i64,
    today: NaiveDate,
) -> QueryResult<Vec<Installment>> {
    let rows: Vec<(i64, NaiveDate, i64, i64)> = pi::table
        .filter(pi::order_id.eq(order_id))
        .order((pi::due_date, pi::id))
        .select((pi::id, pi::due_date, pi::amount, pi::received))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, due_date, amount, received)| Installment {
            id,
            due_date,
            amount: Money::from_minor(amount),
            received: Money::from_minor(received),
            outstanding: Money::from_minor(amount - received),
            overdue: amount > received && due_date < today,
        })
        .collect())
}

/// The payment plan with what each installment has received (overdue on the company's calendar).
pub fn plan(conn: &mut DbConnection, actor: &Actor, order_id: i64) -> RepoResult<PaymentPlan> {
    let order = get(conn, actor, order_id)?;
    let today = crate::settings::today(conn)?;
    Ok(PaymentPlan {
        order_id,
        total: order.total,
        installments: installments(conn, order_id, today)?,
    })
}

/// Replaces the plan. The installments must add up to the total; one with money applied stays
/// (by its id) with at least that money.
pub fn set_plan(
    conn: &mut DbConnection,
    actor: &Actor,
    order_id: i64,
    req: &PaymentPlanRequest,
) -> RepoResult<PaymentPlan> {
    write_tx(conn, |conn| {
        serialize_keys(conn, Serial::OrderMoney, &[&order_id.to_string()])?;
        let order = get(conn, actor, order_id)?;
        let today = crate::settings::today(conn)?;
        if order.status == OrderStatus::Cancelled {
            return Err(RepoError::conflict(
                ErrorCode::OrderClosed,
                msg!(
                    "已取消的订单没有收款计划",
                    "a cancelled order has no payment plan"
                ),
            ));
        }
        let existing = installments(conn, order_id, today)?;
        for given in req.installments.iter().filter_map(|i| i.id) {
            if !existing.iter().any(|e| e.id == given) {
                return Err(RepoError::rule(
                    ErrorCode::NoSuchInstallment,
                    msg!(
                        "第 {given} 期不在这个订单上",
                        "installment {given} is not on this order"
                    ),
                ));
            }
        }
        let received: HashMap<i64, Money> = existing.iter().map(|e| (e.id, e.received)).collect();
        let planned: Vec<PlannedInstallment> = req
            .installments
            .iter()
            .map(|i| PlannedInstallment {
                id: i.id,
                amount: i.amount,
            })
            .collect();
        check_plan(order.total, &planned, &received)?;
        let kept: Vec<i64> = req.installments.iter().filter_map(|i| i.id).collect();
        diesel::delete(
            pi::table
                .filter(pi::order_id.eq(order_id))
                .filter(pi::id.ne_all(kept)),
        )
        .execute(conn)?;
        let at = now();
        for i in &req.installments {
            match i.id {
                Some(id) => {
                    let moved = existing
                        .iter()
                        .any(|e| e.id == id && e.due_date != i.due_date);
                    diesel::update(pi::table.find(id))
                        .set((pi::due_date.eq(i.due_date), pi::amount.eq(i.amount.minor())))
                        .execute(conn)?;
                    if moved {
                        // A new due date is reminded of again.
                        diesel::update(pi::table.find(id))
                            .set(pi::dunning_stage.eq(0))
                            .execute(conn)?;
                    }
                }
                None => {
                    diesel::insert_into(pi::table)
                        .values((
                            pi::order_id.eq(order_id),
                            pi::due_date.eq(i.due_date),
                            pi::amount.eq(i.amount.minor()),
                            pi::created_at.eq(at),
                        ))
                        .execute(conn)?;
                }
            }
        }
        let plan = PaymentPlan {
            order_id,
            total: order.total,
            installments: installments(conn, order_id, today)?,
        };
        audit::record_about(
            conn,
            actor,
            "plan",
            "order",
            Some(order_id),
            Some(order.customer.id),
            json!({"installments": plan.installments.iter().map(|i| json!({"due_date": i.due_date, "amount": i.amount})).collect::<Vec<_>>()}),
        )?;
        Ok(plan)
    })
}

// ---------------------------------------------------------------------------------------------
// Receipts

type ReceiptRow = (
    i64,
    i64,
    i64,
    NaiveDate,
    i64,
    Option<String>,
    i64,
    String,
    Option<i64>,
    NaiveDateTime,
);

fn receipts_where(
    conn: &mut DbConnection,
    order_id: Option<i64>,
    receipt_id: Option<i64>,
) -> QueryResult<Vec<Receipt>> {
    let mut q = r::table
        .inner_join(users::table.on(users::id.eq(r::recorded_by)))
        .select((
            r::id,
            r::order_id,
            r::amount,
            r::received_on,
            r::method_id,
            r::note,
            r::recorded_by,
            users::display_name,
            r::reversal_of,
            r::created_at,
        ))
        .order(r::id)
        .into_boxed();
    if let Some(id) = order_id {
        q = q.filter(r::order_id.eq(id));
    }
    if let Some(id) = receipt_id {
        q = q.filter(r::id.eq(id));
    }
    let rows: Vec<ReceiptRow> = q.load(conn)?;
    let ids: Vec<i64> = rows.iter().map(|x| x.0).collect();
    let allocations: Vec<(i64, i64, i64)> = ra::table
        .filter(ra::receipt_id.eq_any(ids.clone()))
        .order(ra::id)
        .select((ra::receipt_id, ra::installment_id, ra::amount))
        .load(conn)?;
    let reversals: Vec<(i64, Option<i64>)> = r::table
        .filter(r::reversal_of.eq_any(ids))
        .select((r::id, r::reversal_of))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(id, order_id, amount, received_on, method_id, note, by, by_name, reversal_of, at)| {
                Receipt {
                    id,
                    order_id,
                    amount: Money::from_minor(amount),
                    received_on,
                    method_id,
                    note,
                    recorded_by: IdName {
                        id: by,
                        name: by_name,
                    },
                    reversal_of,
                    reversed_by: reversals
                        .iter()
                        .find(|(_, of)| *of == Some(id))
                        .map(|(rid, _)| *rid),
                    allocations: allocations
                        .iter()
                        .filter(|(rid, _, _)| *rid == id)
                        .map(|&(_, installment_id, amount)| Allocation {
                            installment_id,
                            amount: Money::from_minor(amount),
                        })
                        .collect(),
                    created_at: at.and_utc(),
                }
            },
        )
        .collect())
}

/// The receipts of an order the actor sees, oldest first (reversals included).
pub fn receipts(conn: &mut DbConnection, actor: &Actor, order_id: i64) -> RepoResult<Vec<Receipt>> {
    get(conn, actor, order_id)?;
    Ok(receipts_where(conn, Some(order_id), None)?)
}

/// Records money received on a signed order, applied to the oldest open installments (or the one
/// named); refuses more than is outstanding.
pub fn record_receipt(
    conn: &mut DbConnection,
    actor: &Actor,
    order_id: i64,
    new: &NewReceipt,
) -> RepoResult<Receipt> {
    write_tx(conn, |conn| {
        serialize_keys(conn, Serial::OrderMoney, &[&order_id.to_string()])?;
        let order = get(conn, actor, order_id)?;
        if !order.status.is_signed() {
            let status = order.status.as_str();
            return Err(RepoError::rule(
                ErrorCode::OrderNotSigned,
                msg!(
                    "只有签约的订单才能登记回款；这个订单是 {status}",
                    "money is received on signed orders; this one is {status}"
                ),
            ));
        }
        check_dictionary(
            conn,
            "method_id",
            DictionaryKind::PaymentMethod,
            Some(new.method_id),
        )?;
        let today = crate::settings::today(conn)?;
        let plan = installments(conn, order_id, today)?;
        if plan.is_empty() {
            return Err(RepoError::rule(
                ErrorCode::NoPaymentPlan,
                msg!(
                    "该订单没有收款计划，无法登记回款",
                    "the order has no payment plan to receive money against"
                ),
            ));
        }
        let open: Vec<OpenInstallment> = plan
            .iter()
            .map(|i| OpenInstallment {
                id: i.id,
                outstanding: i.outstanding,
            })
            .collect();
        let split = allocate(new.amount, &open, new.installment_id)?;
        let id: i64 = diesel::insert_into(r::table)
            .values((
                r::order_id.eq(order_id),
                r::amount.eq(new.amount.minor()),
                r::received_on.eq(new.received_on),
                r::method_id.eq(new.method_id),
                r::note.eq(blank_to_none(new.note.as_deref())),
                r::recorded_by.eq(actor.id),
                r::created_at.eq(now()),
            ))
            .returning(r::id)
            .get_result(conn)?;
        for (installment_id, amount) in &split {
            diesel::insert_into(ra::table)
                .values((
                    ra::receipt_id.eq(id),
                    ra::installment_id.eq(installment_id),
                    ra::amount.eq(amount.minor()),
                ))
                .execute(conn)?;
        }
        audit::record_about(
            conn,
            actor,
            "receipt",
            "order",
            Some(order_id),
            Some(order.customer.id),
            json!({"receipt_id": id, "amount": new.amount, "received_on": new.received_on,
                   "applied": split.iter().map(|(i, m)| json!({"installment_id": i, "amount": m})).collect::<Vec<_>>()}),
        )?;
        receipts_where(conn, None, Some(id))?
            .pop()
            .ok_or(RepoError::NotFound)
    })
}

/// Reverses a receipt (冲销): a negative receipt that undoes its allocations. A receipt is reversed
/// once; a reversal is not reversed (record the money again instead).
pub fn reverse_receipt(
    conn: &mut DbConnection,
    actor: &Actor,
    receipt_id: i64,
    reversal: &ReceiptReversal,
) -> RepoResult<Receipt> {
    let reason = reversal.reason.trim();
    let order_id: i64 = r::table
        .find(receipt_id)
        .select(r::order_id)
        .first(conn)
        .found()?;
    write_tx(conn, |conn| {
        serialize_keys(conn, Serial::OrderMoney, &[&order_id.to_string()])?;
        let order = get(conn, actor, order_id)?;
        let original = receipts_where(conn, None, Some(receipt_id))?
            .pop()
            .ok_or(RepoError::NotFound)?;
        if original.reversal_of.is_some() {
            return Err(RepoError::conflict(
                ErrorCode::ReceiptIsReversal,
                msg!(
                    "冲销记录不能再冲销；请重新登记回款",
                    "a reversal is not reversed; record the receipt again"
                ),
            ));
        }
        if original.reversed_by.is_some() {
            return Err(RepoError::conflict(
                ErrorCode::ReceiptReversed,
                msg!("这笔回款已经冲销过了", "the receipt was reversed already"),
            ));
        }
        let id: i64 = diesel::insert_into(r::table)
            .values((
                r::order_id.eq(order_id),
                r::amount.eq(-original.amount.minor()),
                r::received_on.eq(original.received_on),
                r::method_id.eq(original.method_id),
                r::note.eq(reason),
                r::reversal_of.eq(receipt_id),
                r::recorded_by.eq(actor.id),
                r::created_at.eq(now()),
            ))
            .returning(r::id)
            .get_result(conn)?;
        for a in &original.allocations {
            diesel::insert_into(ra::table)
                .values((
                    ra::receipt_id.eq(id),
                    ra::installment_id.eq(a.installment_id),
                    ra::amount.eq(-a.amount.minor()),
                ))
                .execute(conn)?;
        }
        audit::record_about(
            conn,
            actor,
            "reverse_receipt",
            "order",
            Some(order_id),
            Some(order.customer.id),
            json!({"receipt_id": receipt_id, "reversal_id": id, "amount": original.amount, "reason": reason}),
        )?;
        receipts_where(conn, None, Some(id))?
            .pop()
            .ok_or(RepoError::NotFound)
    })
}

// ---------------------------------------------------------------------------------------------
// Records: execution progress and after-sale service

/// Execution progress and after-sale service records of an order the actor sees, newest first.
pub fn records(
    conn: &mut DbConnection,
    actor: &Actor,
    order_id: i64,
) -> RepoResult<Vec<OrderRecord>> {
    get(conn, actor, order_id)?;
    records_of(conn, order_id)
}

fn records_of(conn: &mut DbConnection, order_id: i64) -> RepoResult<Vec<OrderRecord>> {
    let rows: Vec<RecordRow> = order_records::table
        .inner_join(users::table.on(users::id.eq(order_records::user_id)))
        .filter(order_records::order_id.eq(order_id))
        .order((order_records::happened_on.desc(), order_records::id.desc()))
        .select((
            order_records::id,
            order_records::kind,
            order_records::user_id,
            users::display_name,
            order_records::happened_on,
            order_records::note,
            order_records::satisfaction,
            order_records::created_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(id, kind, by, by_name, happened_on, note, satisfaction, at)| OrderRecord {
                id,
                order_id,
                kind: if kind == "progress" {
                    OrderRecordKind::Progress
                } else {
                    OrderRecordKind::Service
                },
                by: IdName {
                    id: by,
                    name: by_name,
                },
                happened_on,
                note,
                satisfaction,
                created_at: at.and_utc(),
            },
        )
        .collect())
}

/// Records progress (`order.update`) or after-sale service (`order.update` or `service.write`)
/// with the customer's satisfaction, on a signed order.
pub fn add_record(
    conn: &mut DbConnection,
    actor: &Actor,
    order_id: i64,
    new: &NewOrderRecord,
) -> RepoResult<OrderRecord> {
    let kind = new.kind.unwrap_or(OrderRecordKind::Service);
    let may = actor.has(Permission::OrderUpdate)
        || kind == OrderRecordKind::Service && actor.has(Permission::ServiceWrite);
    if !may {
        return Err(RepoError::Forbidden(msg!(
            "需要权限 `order.update`（服务记录也可以是 `service.write`）",
            "this needs the permission `order.update` (or `service.write` for service)"
        )));
    }
    write_tx(conn, |conn| {
        let order = get(conn, actor, order_id)?;
        if matches!(order.status, OrderStatus::Draft | OrderStatus::Cancelled) {
            return Err(RepoError::conflict(
                ErrorCode::OrderNotSigned,
                msg!(
                    "进度和服务记录在签约的订单上",
                    "progress and service are recorded on signed orders"
                ),
            ));
        }
        let id: i64 = diesel::insert_into(order_records::table)
            .values((
                order_records::order_id.eq(order_id),
                order_records::kind.eq(kind.as_str()),
                order_records::happened_on.eq(new.happened_on),
                order_records::note.eq(new.note.trim()),
                order_records::satisfaction.eq(new.satisfaction),
                order_records::user_id.eq(actor.id),
                order_records::created_at.eq(now()),
            ))
            .returning(order_records::id)
            .get_result(conn)?;
        records_of(conn, order_id)?
            .into_iter()
            .find(|x| x.id == id)
            .ok_or(RepoError::NotFound)
    })
}

/// Transfer mover: the giver's unfinished orders of the moving customers go to the receiver;
/// completed and cancelled ones keep their owner (history is not rewritten).
pub(crate) fn move_unfinished(conn: &mut DbConnection, m: &Move) -> QueryResult<i64> {
    let unfinished: Vec<&str> = OrderStatus::UNFINISHED.iter().map(|s| s.as_str()).collect();
    let mine = o::table
        .filter(o::customer_id.eq_any(m.customer_ids.clone()))
        .filter(o::owner_id.eq(m.from))
        .filter(o::status.eq_any(unfinished));
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
