//! Quotes (报价): numbered versions of what a deal is offered at, priced like orders (integer fen,
//! the same line rules). Seen with their deal. Accepting one turns it into a draft order with the
//! same lines and wins the deal; the deal's other open quotes are rejected in the same transaction.

use crate::actor::Actor;
use crate::audit;
use crate::error::OptionalFound;
use crate::notifications::{self, Notice};
use crate::numbering::{self, Numbered};
use crate::opportunities::{self, Closing};
use crate::schema::{
    customers as c, opportunities as o, products, quote_lines as l, quotes as q, users,
};
use crate::sql::blank_to_none;
use crate::visibility::{Visible, VisibleTo};
use crate::{DbConnection, RepoError, RepoResult, now, write_tx};
use chrono::{Days, NaiveDate, NaiveDateTime};
use crm_domain::api::{IdName, NewOrder, NewQuote, OrderLine, OrderLineInput, Quote};
use crm_domain::opportunity::{OpportunityAction, QuoteAction, QuoteStatus};
use crm_domain::{ErrorCode, Money, msg};
use diesel::prelude::*;
use serde_json::json;
use std::collections::HashMap;

/// How long a quote is valid when nobody says.
const DEFAULT_VALID_DAYS: u64 = 30;

#[derive(Queryable, Selectable)]
#[diesel(table_name = q)]
struct Row {
    id: i64,
    opportunity_id: i64,
    number: String,
    version: i32,
    owner_id: i64,
    status: String,
    valid_until: NaiveDate,
    notes: Option<String>,
    total: i64,
    order_id: Option<i64>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

/// A quote with its deal's title, the customer's id and name, and the owner's name.
type Joined = (Row, String, i64, String, String);

macro_rules! quote_query {
    () => {
        q::table
            .inner_join(o::table.inner_join(c::table))
            .inner_join(users::table.on(users::id.eq(q::owner_id)))
            .select((
                Row::as_select(),
                o::title,
                o::customer_id,
                c::name,
                users::display_name,
            ))
            .into_boxed()
    };
}

fn from_row((x, title, customer_id, customer, owner): Joined, lines: Vec<OrderLine>) -> Quote {
    Quote {
        id: x.id,
        number: x.number,
        opportunity: IdName {
            id: x.opportunity_id,
            name: title,
        },
        customer: IdName {
            id: customer_id,
            name: customer,
        },
        owner: IdName {
            id: x.owner_id,
            name: owner,
        },
        version: x.version,
        status: QuoteStatus::parse(&x.status).unwrap_or(QuoteStatus::Draft),
        valid_until: x.valid_until,
        notes: x.notes,
        total: Money::from_minor(x.total),
        lines,
        order_id: x.order_id,
        created_at: x.created_at.and_utc(),
        updated_at: x.updated_at.and_utc(),
    }
}

/// The lines of these quotes, in line order, by quote (one query).
fn lines_of(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<HashMap<i64, Vec<OrderLine>>> {
    let rows: Vec<(i64, crate::orders::LineRow)> = l::table
        .inner_join(products::table)
        .filter(l::quote_id.eq_any(ids.to_vec()))
        .order((l::quote_id, l::line_no))
        .select((
            l::quote_id,
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
    let mut out: HashMap<i64, Vec<OrderLine>> = HashMap::new();
    for (quote, line) in rows {
        out.entry(quote)
            .or_default()
            .push(crate::orders::line_of(line));
    }
    Ok(out)
}

fn with_lines(conn: &mut DbConnection, rows: Vec<Joined>) -> QueryResult<Vec<Quote>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.0.id).collect();
    let mut lines = lines_of(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let l = lines.remove(&r.0.id).unwrap_or_default();
            from_row(r, l)
        })
        .collect())
}

/// A quote whose deal the actor sees; 404 otherwise.
pub fn get(conn: &mut DbConnection, actor: &Actor, id: i64) -> RepoResult<Quote> {
    fetch(conn, &actor.visible, id)
}

fn fetch(conn: &mut DbConnection, visible: &Visible, id: i64) -> RepoResult<Quote> {
    let row: Joined = quote_query!()
        .filter(q::id.eq(id))
        .visible_to(o::owner_id, visible)
        .visible_to(o::customer_owner_id, visible)
        .first(conn)
        .found()?;
    Ok(with_lines(conn, vec![row])?.remove(0))
}

/// Every version of a deal's quote, newest first, with their lines.
pub fn of_deal(conn: &mut DbConnection, actor: &Actor, deal: i64) -> RepoResult<Vec<Quote>> {
    opportunities::get(conn, actor, deal)?;
    let rows: Vec<Joined> = quote_query!()
        .filter(q::opportunity_id.eq(deal))
        .order(q::version.desc())
        .load(conn)?;
    Ok(with_lines(conn, rows)?)
}

fn view(x: &Quote) -> serde_json::Value {
    json!({"number": x.number, "version": x.version, "status": x.status.as_str(), "total": x.total,
           "valid_until": x.valid_until, "notes": x.notes, "order_id": x.order_id,
           "lines": x.lines.iter().map(|l| json!({"product": l.product_code, "quantity": l.quantity,
               "unit_price": l.unit_price, "discount": l.discount, "amount": l.amount})).collect::<Vec<_>>()})
}

/// A new quote version of an open deal the actor sees, with a readable unique number.
pub fn create(
    conn: &mut DbConnection,
    actor: &Actor,
    deal: i64,
    new: &NewQuote,
) -> RepoResult<Quote> {
    let today = crate::settings::today(conn)?;
    create_on(conn, actor, deal, new, today)
}

/// [`create`] on a given day (the demo company's deals).
pub fn create_on(
    conn: &mut DbConnection,
    actor: &Actor,
    deal: i64,
    new: &NewQuote,
    today: NaiveDate,
) -> RepoResult<Quote> {
    let valid_until = new
        .valid_until
        .unwrap_or(today + Days::new(DEFAULT_VALID_DAYS));
    if valid_until < today {
        return Err(RepoError::invalid(
            "valid_until",
            ErrorCode::InThePast,
            msg!(
                "有效期须在今天（{today}）或以后",
                "a quote is valid until today ({today}) or later"
            ),
        ));
    }
    write_tx(conn, |conn| {
        let d = opportunities::get(conn, actor, deal)?;
        opportunities::check_open(&d)?;
        let priced = crate::orders::price_lines(conn, &new.lines)?;
        // The number's lock also orders the versions of one deal.
        let number = numbering::next(conn, Numbered::Quote, today)?;
        let last: Option<i32> = q::table
            .filter(q::opportunity_id.eq(deal))
            .select(diesel::dsl::max(q::version))
            .first(conn)?;
        let at = now();
        let id: i64 = diesel::insert_into(q::table)
            .values((
                q::opportunity_id.eq(deal),
                q::number.eq(&number),
                q::version.eq(last.unwrap_or(0) + 1),
                q::owner_id.eq(d.owner.id),
                q::status.eq(QuoteStatus::Draft.as_str()),
                q::valid_until.eq(valid_until),
                q::notes.eq(blank_to_none(new.notes.as_deref())),
                q::total.eq(priced.total.minor()),
                q::created_by.eq(actor.id),
                q::created_at.eq(at),
                q::updated_at.eq(at),
            ))
            .returning(q::id)
            .get_result(conn)?;
        for (n, (product_id, quantity, unit_price, discount, amount)) in
            priced.lines.iter().enumerate()
        {
            diesel::insert_into(l::table)
                .values((
                    l::quote_id.eq(id),
                    l::line_no.eq(n as i32 + 1),
                    l::product_id.eq(product_id),
                    l::quantity.eq(quantity),
                    l::unit_price.eq(unit_price.minor()),
                    l::discount.eq(discount.minor()),
                    l::amount.eq(amount.minor()),
                ))
                .execute(conn)?;
        }
        let quote = fetch(conn, &Visible::All, id)?;
        audit::record_about(
            conn,
            actor,
            "create",
            "quote",
            Some(id),
            Some(d.customer.id),
            view(&quote),
        )?;
        Ok(quote)
    })
}

/// Sends, accepts or rejects a quote. A closed quote (accepted, rejected, expired) or one past its
/// validity cannot be accepted: 422 `quote_closed` / `quote_expired` on `status`. Accepting makes a
/// draft order of the same lines, wins the deal and rejects the deal's other open quotes.
pub fn act(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    action: QuoteAction,
) -> RepoResult<Quote> {
    let today = crate::settings::today(conn)?;
    write_tx(conn, |conn| {
        let old = get(conn, actor, id)?;
        let expired =
            old.status == QuoteStatus::Expired || (old.status.is_open() && old.valid_until < today);
        if expired && action != QuoteAction::Reject {
            let until = old.valid_until;
            return Err(RepoError::invalid(
                "status",
                ErrorCode::QuoteExpired,
                msg!(
                    "报价已过有效期（{until}）",
                    "the quote expired (valid until {until})"
                ),
            ));
        }
        let Some(status) = old.status.after(action) else {
            let from = old.status.as_str();
            return Err(if old.status.is_open() {
                RepoError::conflict(
                    ErrorCode::InvalidStatusMove,
                    msg!(
                        "{from} 状态的报价不能这样变更",
                        "a {from} quote cannot be moved that way"
                    ),
                )
            } else {
                RepoError::invalid(
                    "status",
                    ErrorCode::QuoteClosed,
                    msg!("报价已是 {from} 状态", "the quote is already {from}"),
                )
            });
        };
        let mut order_id = None;
        if action == QuoteAction::Accept {
            let deal = opportunities::get(conn, actor, old.opportunity.id)?;
            opportunities::check_open(&deal)?;
            let number = &old.number;
            let order = crate::orders::insert(
                conn,
                actor,
                &NewOrder {
                    customer_id: deal.customer.id,
                    owner_id: Some(crate::pool::owner_or(deal.owner.id, actor)),
                    opportunity_id: Some(deal.id),
                    signed_on: None,
                    service_start: None,
                    service_end: None,
                    lines: old
                        .lines
                        .iter()
                        .map(|x| OrderLineInput {
                            product_id: x.product.id,
                            quantity: x.quantity,
                            unit_price: x.unit_price,
                            discount: x.discount,
                        })
                        .collect(),
                    notes: Some(format!("报价 Quote {number}")),
                    contract_no: None,
                },
                today,
            )?;
            order_id = Some(order.id);
            let open: Vec<&str> = QuoteStatus::OPEN.iter().map(|s| s.as_str()).collect();
            diesel::update(
                q::table
                    .filter(q::opportunity_id.eq(deal.id))
                    .filter(q::id.ne(id))
                    .filter(q::status.eq_any(open)),
            )
            .set((
                q::status.eq(QuoteStatus::Rejected.as_str()),
                q::updated_at.eq(now()),
            ))
            .execute(conn)?;
            opportunities::set_status(
                conn,
                actor,
                &deal,
                OpportunityAction::Win,
                &Closing::default(),
            )?;
        }
        // Quotes carry no version: the status read above is the one changed, or nothing is.
        let n = diesel::update(q::table.find(id).filter(q::status.eq(old.status.as_str())))
            .set((
                q::status.eq(status.as_str()),
                q::order_id.eq(order_id.or(old.order_id)),
                q::updated_at.eq(now()),
            ))
            .execute(conn)?;
        if n != 1 {
            return Err(RepoError::conflict(
                ErrorCode::InvalidStatusMove,
                msg!(
                    "报价刚被别人改过，请刷新后再试",
                    "the quote changed meanwhile; reload it and try again"
                ),
            ));
        }
        let mut changes = json!({"status": {"old": old.status.as_str(), "new": status.as_str()}});
        if let Some(o) = order_id {
            changes["order_id"] = json!(o);
        }
        audit::record_about(
            conn,
            actor,
            "status",
            "quote",
            Some(id),
            Some(old.customer.id),
            changes,
        )?;
        fetch(conn, &Visible::All, id)
    })
}

/// Expires the open quotes whose validity ended before `today` and tells each owner once, a batch
/// at a time: how many expired (0 when none are left).
pub fn expire_due(conn: &mut DbConnection, today: NaiveDate, batch: i64) -> QueryResult<usize> {
    write_tx(conn, |conn| {
        let open: Vec<&str> = QuoteStatus::OPEN.iter().map(|s| s.as_str()).collect();
        let due: Vec<(i64, i64, String, i64, NaiveDate)> = q::table
            .filter(q::status.eq_any(open))
            .filter(q::valid_until.lt(today))
            .order(q::id)
            .limit(batch)
            .select((
                q::id,
                q::owner_id,
                q::number,
                q::opportunity_id,
                q::valid_until,
            ))
            .load(conn)?;
        let ids: Vec<i64> = due.iter().map(|d| d.0).collect();
        diesel::update(q::table.filter(q::id.eq_any(ids)))
            .set((
                q::status.eq(QuoteStatus::Expired.as_str()),
                q::updated_at.eq(now()),
            ))
            .execute(conn)?;
        for (id, owner, number, deal, until) in &due {
            let body = format!("{number}（{until}）");
            let notice = Notice {
                kind: "quote_expired",
                title: "报价已过期 Quote expired",
                body: &body,
                entity: Some("opportunity"),
                entity_id: Some(*deal),
            };
            notifications::notify_once(conn, *owner, &notice, &format!("quote_expired:{id}"))?;
        }
        Ok(due.len())
    })
}
