//! 订单: the order list, the order form with a live exact total, and the order page (status moves,
//! lines, the payment plan editor, receipts and after-sale records); also the customer page's
//! orders section with the customer's money summary. Money is exact: [`Money`] in fen, never floats.

use crate::api::{Api, ApiError, use_api};
use crate::components::{
    ErrorLine, ExportMenu, Paged, ask, dictionary, entry_name, labels, local_today, money,
    route_id, run, searched,
};
use crate::format::{I18n, lang};
use crate::i18n::*;
use crate::state::use_session;
use chrono::{Months, NaiveDate};
use crm_domain::api::{
    CustomerQuery, DictionaryItem, DictionaryKind, ExportKind, IdName, InstallmentInput, ListQuery,
    NewOrder, NewOrderRecord, NewReceipt, Order, OrderLineInput, OrderQuery, OrderRecord,
    OrderRecordKind, OrderStatusChange, PaymentPlan, PaymentPlanRequest, Product, Receipt,
    ReceiptReversal,
};
use crm_domain::document::DocumentOf;
use crm_domain::order::{MoneyRuleError, OrderAction, OrderStatus, line_amount};
use crm_domain::paging::MAX_LIMIT;
use crm_domain::{ErrorCode, Money, Msg, Permission};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use validator::Validate;

// ---------------------------------------------------------------------------------------------
// Pure rules of the forms (unit-tested below)

/// Why a line of the order form cannot be priced.
#[derive(Debug, Clone, PartialEq)]
pub enum LineProblem {
    NoProduct,
    /// The quantity is not a whole number.
    Quantity,
    /// The unit price is not an amount.
    Price,
    /// The discount is not an amount.
    Discount,
    /// A rule of the line the server applies too (`OrderLineInput`'s), broken.
    Rule(Msg),
    /// The line's amount cannot be worked out (the domain's money rules).
    Money(MoneyRuleError),
}

impl LineProblem {
    pub fn words(&self, i18n: I18n) -> String {
        match self {
            Self::NoProduct => t_string!(i18n, order.err_product).to_string(),
            Self::Quantity => t_string!(i18n, order.err_quantity).to_string(),
            Self::Price => t_string!(i18n, order.err_price).to_string(),
            Self::Discount => t_string!(i18n, order.err_discount).to_string(),
            Self::Rule(words) => words.get(lang(i18n)).to_string(),
            Self::Money(e) => e.message().get(lang(i18n)).to_string(),
        }
    }
}

/// A line as typed (product id, quantity, unit price, discount) → the line to send and its amount,
/// checked by the same rules as the server's.
pub fn price_line(
    product: &str,
    quantity: &str,
    unit_price: &str,
    discount: &str,
) -> Result<(OrderLineInput, Money), LineProblem> {
    let product_id = product
        .trim()
        .parse::<i64>()
        .map_err(|_| LineProblem::NoProduct)?;
    let quantity = quantity
        .trim()
        .parse::<i32>()
        .map_err(|_| LineProblem::Quantity)?;
    let unit_price = Money::parse(unit_price).map_err(|_| LineProblem::Price)?;
    let discount = if discount.trim().is_empty() {
        Money::ZERO
    } else {
        Money::parse(discount).map_err(|_| LineProblem::Discount)?
    };
    let line = OrderLineInput {
        product_id,
        quantity,
        unit_price,
        discount,
    };
    if let Err(errors) = line.validate() {
        let (field, _, words) = crm_domain::validation::flatten(&errors)
            .into_iter()
            .next()
            .expect("a failed validation names a field");
        let label = |zh: &str, en: &str| {
            Msg::new(format!("{zh}{}", words.zh), format!("{en} {}", words.en))
        };
        return Err(LineProblem::Rule(match field.as_str() {
            "quantity" => label("数量", "the quantity"),
            "unit_price" => label("单价", "the unit price"),
            "discount" => label("折扣", "the discount"),
            _ => words,
        }));
    }
    let amount =
        line_amount(i64::from(quantity), unit_price, discount).map_err(LineProblem::Money)?;
    Ok((line, amount))
}

/// The installments of an even split: `parts` shares of `total` (the remainder on the last), the
/// first due on `first`, each next one `months_between` months later (counted from the first, so
/// the 31st stays the last day of shorter months rather than drifting).
pub fn split_plan(
    total: Money,
    parts: u32,
    first: NaiveDate,
    months_between: u32,
) -> Option<Vec<(NaiveDate, Money)>> {
    total
        .split_even(parts)
        .into_iter()
        .enumerate()
        .map(|(i, amount)| {
            let months = months_between.checked_mul(u32::try_from(i).ok()?)?;
            Some((first.checked_add_months(Months::new(months))?, amount))
        })
        .collect()
}

/// The sum of amounts as typed; `None` when one is not an amount (or the sum overflows).
pub fn sum_typed<'a>(amounts: impl IntoIterator<Item = &'a str>) -> Option<Money> {
    let parsed: Option<Vec<Money>> = amounts.into_iter().map(|a| Money::parse(a).ok()).collect();
    Money::checked_sum(parsed?)
}

/// The default end of a service period (the domain's rule, as the server applies it).
pub use crm_domain::order::service_end;

/// A customer's money: the total of signed business (signed, executing, completed), what has been
/// received on it, and what is still outstanding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MoneySummary {
    pub signed: Money,
    pub received: Money,
    pub outstanding: Money,
}

pub fn money_summary(orders: &[Order]) -> Option<MoneySummary> {
    let signed: Vec<&Order> = orders.iter().filter(|o| o.status.is_signed()).collect();
    let total = Money::checked_sum(signed.iter().map(|o| o.total))?;
    let received = Money::checked_sum(signed.iter().map(|o| o.received))?;
    Some(MoneySummary {
        signed: total,
        received,
        outstanding: total.checked_sub(received)?,
    })
}

// ---------------------------------------------------------------------------------------------
// Small shared pieces

#[component]
pub fn StatusBadge(status: OrderStatus) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <span class=format!("status status-{}", status.as_str()) data-status=status.as_str()>{move || labels::order_status(i18n, status)}</span>
    }
}

fn date_text(d: Option<NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_else(|| "—".into())
}

fn parse_date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()
}

/// A table of orders (the list page and the customer page).
#[component]
fn OrdersTable(orders: Signal<Vec<Order>>, #[prop(optional)] show_customer: bool) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <table class="grid orders-table">
            <thead><tr>
                <th>{move || t_string!(i18n, order.number)}</th>
                {show_customer.then(|| view! { <th>{move || t_string!(i18n, order.customer)}</th> })}
                <th>{move || t_string!(i18n, order.owner)}</th><th>{move || t_string!(i18n, common.status)}</th>
                <th class="num">{move || t_string!(i18n, order.total)}</th><th class="num">{move || t_string!(i18n, order.received)}</th>
                <th>{move || t_string!(i18n, order.signed_on)}</th>
            </tr></thead>
            <tbody>
                {move || orders.get().into_iter().map(|o| {
                    let (total, received) = (o.total, o.received);
                    let number = o.number.clone();
                    let customer = o.customer.name.clone();
                    view! {
                        <tr data-order=o.number.clone()>
                            <td><A href=format!("/orders/{}", o.id)>{number}</A></td>
                            {show_customer.then(|| view! { <td><A href=format!("/customers/{}", o.customer.id)>{customer}</A></td> })}
                            <td>{o.owner.name.clone()}</td>
                            <td><StatusBadge status=o.status /></td>
                            <td class="num">{move || money(i18n, total)}</td>
                            <td class="num">{move || money(i18n, received)}</td>
                            <td>{date_text(o.signed_on)}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

// ---------------------------------------------------------------------------------------------
// The list

#[component]
pub fn OrdersPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let api = use_api();
    let status = RwSignal::new(String::new());
    // Filters from the address: a report's drill-down (who, which department, signed when).
    let url = use_query_map();
    let from_url = StoredValue::new(url.with_untracked(|q| OrderQuery {
        owner_id: q.get("owner_id").and_then(|v| v.parse().ok()),
        department_id: q.get("department_id").and_then(|v| v.parse().ok()),
        signed_from: q.get("signed_from").and_then(|v| v.parse().ok()),
        signed_to: q.get("signed_to").and_then(|v| v.parse().ok()),
        ..OrderQuery::default()
    }));
    let narrowed = RwSignal::new(from_url.with_value(|q| *q != OrderQuery::default()));
    let query = move |cursor: Option<String>| {
        let base = if narrowed.get_untracked() {
            from_url.get_value()
        } else {
            OrderQuery::default()
        };
        OrderQuery {
            status: OrderStatus::parse(&status.get_untracked()),
            cursor,
            ..base
        }
    };
    let list = Paged::<Order>::new();
    list.follow(LocalResource::new(move || {
        status.track();
        narrowed.track();
        let q = query(None);
        async move { api.orders(&q).await }
    }));
    let more = move |_| {
        list.load(
            move |cursor| {
                let q = query(cursor);
                async move { api.orders(&q).await }
            },
            true,
        )
    };
    view! {
        <section class="card">
            <div class="title-row">
                <h1>{move || t_string!(i18n, order.title)}</h1>
                <ExportMenu choices=vec![(ExportKind::Orders, Signal::derive(move || crate::api::filters(&query(None))))] />
                <Show when=move || session.can(Permission::OrderCreate)>
                    <A href="/customers/import?kind=orders" attr:class="button">{move || t_string!(i18n, imp.link)}</A>
                    <A href="/orders/new" attr:class="button primary">{move || t_string!(i18n, order.new)}</A>
                </Show>
            </div>
            <div class="inline-form">
                <select name="status" bind:value=status>
                    <option value="">{move || t_string!(i18n, order.all_statuses)}</option>
                    {OrderStatus::ALL.into_iter().map(|s| view! { <option value=s.as_str()>{move || labels::order_status(i18n, s)}</option> }).collect_view()}
                </select>
                <Show when=move || narrowed.get()>
                    <span class="chip" data-filter="report">
                        {move || t_string!(i18n, order.from_report)}
                        {from_url.with_value(|q| q.signed_from.zip(q.signed_to)).map(|(a, b)| format!(" {a} – {b}"))}
                        <button type="button" name="clear_filter" on:click=move |_| narrowed.set(false)>"×"</button>
                    </span>
                </Show>
            </div>
            <ErrorLine error=list.error />
            <Show when=move || list.items.with(Vec::is_empty) && list.error.with(Option::is_none)>
                <p class="muted">{move || t_string!(i18n, order.none)}</p>
            </Show>
            <OrdersTable orders=list.items.into() show_customer=true />
            <Show when=move || list.has_more()>
                <button on:click=more>{move || t_string!(i18n, common.more)}</button>
            </Show>
        </section>
    }
}

// ---------------------------------------------------------------------------------------------
// The order form

/// One line of the order (or quote) form as typed.
#[derive(Clone, Copy)]
pub(crate) struct LineRow {
    pub(crate) key: u32,
    product: RwSignal<String>,
    quantity: RwSignal<String>,
    unit_price: RwSignal<String>,
    discount: RwSignal<String>,
}

impl LineRow {
    pub(crate) fn new(key: u32) -> LineRow {
        LineRow {
            key,
            product: RwSignal::new(String::new()),
            quantity: RwSignal::new("1".into()),
            unit_price: RwSignal::new(String::new()),
            discount: RwSignal::new("0".into()),
        }
    }

    pub(crate) fn priced(self) -> Result<(OrderLineInput, Money), LineProblem> {
        price_line(
            &self.product.get(),
            &self.quantity.get(),
            &self.unit_price.get(),
            &self.discount.get(),
        )
    }
}

#[component]
pub fn NewOrderPage() -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let navigate = use_navigate();
    let query = use_query_map();
    let products = LocalResource::new(move || async move {
        api.products(&ListQuery::default())
            .await
            .unwrap_or_default()
    });
    let error = RwSignal::new(None::<String>);
    // The customer: preselected by `?customer_id=`, or picked by searching.
    let customer = RwSignal::new(None::<IdName>);
    if let Some(id) =
        query.with_untracked(|q| q.get("customer_id").and_then(|v| v.parse::<i64>().ok()))
    {
        run(
            error,
            move || async move { api.customer(id).await },
            move |c| {
                customer.set(Some(IdName {
                    id: c.id,
                    name: c.name,
                }))
            },
        );
    }
    let search = RwSignal::new(String::new());
    let found = searched(
        move || search.get(),
        move |text| {
            let q = CustomerQuery {
                q: Some(text.trim().to_string()),
                limit: Some(10),
                ..CustomerQuery::default()
            };
            async move {
                match q.q.as_deref() {
                    Some("") => Ok(Vec::new()),
                    _ => api.customers(&q).await.map(|p| p.items),
                }
            }
        },
    );
    let found = move || found.get().and_then(Result::ok).unwrap_or_default();
    let next_key = RwSignal::new(1u32);
    let lines = RwSignal::new(vec![LineRow::new(0)]);
    let add_line = move |_| {
        let key = next_key.get_untracked();
        next_key.set(key + 1);
        lines.update(|l| l.push(LineRow::new(key)));
    };
    let total = move || -> Option<Money> {
        let rows = lines.get();
        let amounts: Option<Vec<Money>> = rows
            .iter()
            .map(|r| r.priced().ok().map(|(_, a)| a))
            .collect();
        Money::checked_sum(amounts?).filter(|_| !rows.is_empty())
    };
    // Renewable products bring the service period (its longest default length).
    let renewal = Memo::new(move |_| {
        let all = products.get().unwrap_or_default();
        let chosen: Vec<&Product> = lines.with(|rows| {
            rows.iter()
                .filter_map(|r| {
                    let id = r.product.get().parse::<i64>().ok()?;
                    all.iter().find(|p| p.id == id && p.renewable)
                })
                .collect()
        });
        (!chosen.is_empty()).then(|| chosen.iter().filter_map(|p| p.service_months).max())
    });
    let (start, end) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    Effect::new(move |_| {
        let Some(months) = renewal.get() else { return };
        if start.get_untracked().is_empty() {
            start.set(local_today().to_string());
        }
        if let (Some(s), Some(m)) = (parse_date(&start.get()), months)
            && let Some(e) = service_end(s, m)
        {
            end.set(e.to_string());
        }
    });
    let notes = RwSignal::new(String::new());
    let contract = RwSignal::new(String::new());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(c) = customer.get_untracked() else {
            error.set(Some(t_string!(i18n, order.err_customer).to_string()));
            return;
        };
        let priced: Result<Vec<OrderLineInput>, LineProblem> = lines
            .get_untracked()
            .iter()
            .map(|r| r.priced().map(|(line, _)| line))
            .collect();
        let lines = match priced {
            Ok(l) if !l.is_empty() => l,
            Ok(_) => {
                error.set(Some(t_string!(i18n, order.err_no_lines).to_string()));
                return;
            }
            Err(p) => {
                error.set(Some(p.words(i18n)));
                return;
            }
        };
        let renewable = renewal.get_untracked().is_some();
        let note = notes.get_untracked();
        let body = NewOrder {
            customer_id: c.id,
            owner_id: None,
            opportunity_id: None,
            signed_on: None,
            service_start: parse_date(&start.get_untracked()).filter(|_| renewable),
            service_end: parse_date(&end.get_untracked()).filter(|_| renewable),
            lines,
            notes: (!note.trim().is_empty()).then_some(note),
            contract_no: Some(contract.get_untracked().trim().to_string())
                .filter(|c| !c.is_empty()),
        };
        let navigate = navigate.clone();
        run(
            error,
            move || async move { api.create_order(&body).await },
            move |o| navigate(&format!("/orders/{}", o.id), Default::default()),
        );
    };
    view! {
        <section class="card order-form">
            <h1>{move || t_string!(i18n, order.new)}</h1>
            <form on:submit=submit>
                <fieldset class="customer-picker">
                    <legend>{move || t_string!(i18n, order.customer)}</legend>
                    {move || match customer.get() {
                        Some(c) => view! {
                            <p class="picked" data-customer-id=c.id.to_string()>
                                <strong>{c.name.clone()}</strong>" "
                                <button type="button" class="small" on:click=move |_| customer.set(None)>{move || t_string!(i18n, order.change_customer)}</button>
                            </p>
                        }.into_any(),
                        None => view! {
                            <input type="search" name="customer_q" class="search" autocomplete="off" placeholder=move || t_string!(i18n, order.search_customer) bind:value=search />
                            <ul class="pick-list customer-results">
                                {move || found().into_iter().map(|c| {
                                    let picked = IdName { id: c.id, name: c.name.clone() };
                                    view! { <li><button type="button" data-customer-id=c.id.to_string() on:click=move |_| { customer.set(Some(picked.clone())); search.set(String::new()); }>
                                        {c.name.clone()}" "<small>{c.owner.name.clone()}</small>
                                    </button></li> }
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                    }}
                </fieldset>
                <fieldset class="order-lines">
                    <legend>{move || t_string!(i18n, order.lines)}</legend>
                    <div class="line-row line-head">
                        <span>{move || t_string!(i18n, order.product)}</span><span>{move || t_string!(i18n, order.quantity)}</span>
                        <span>{move || t_string!(i18n, order.unit_price)}</span><span>{move || t_string!(i18n, order.discount)}</span>
                        <span class="num">{move || t_string!(i18n, order.amount)}</span><span></span>
                    </div>
                    <For each=move || lines.get() key=|r| r.key let:row>
                        <OrderLineEditor row=row products=products lines=lines />
                    </For>
                    <button type="button" class="small" on:click=add_line>{move || t_string!(i18n, order.add_line)}</button>
                </fieldset>
                <Show when=move || renewal.get().is_some()>
                    <fieldset class="inline-form service-period">
                        <legend>{move || t_string!(i18n, order.service_period)}</legend>
                        <label>{move || t_string!(i18n, order.service_start)}<input type="date" name="service_start" bind:value=start /></label>
                        <label>{move || t_string!(i18n, order.service_end)}<input type="date" name="service_end" bind:value=end /></label>
                    </fieldset>
                </Show>
                <label class="block">{move || t_string!(i18n, order.contract_no)}<input type="text" name="contract_no" maxlength="64" bind:value=contract /></label>
                <label class="block">{move || t_string!(i18n, order.notes)}<textarea name="notes" maxlength="2000" bind:value=notes></textarea></label>
                <p class="order-total">{move || t_string!(i18n, order.total)}": "
                    <strong data-total=move || total().map(|m| m.to_string()).unwrap_or_default()>{move || total().map(|m| money(i18n, m)).unwrap_or_else(|| "—".into())}</strong>
                </p>
                <ErrorLine error=error />
                <button type="submit" class="primary" disabled=move || customer.with(Option::is_none) || total().is_none()>{move || t_string!(i18n, order.create)}</button>
            </form>
        </section>
    }
}

#[component]
pub(crate) fn OrderLineEditor(
    row: LineRow,
    products: LocalResource<Vec<Product>>,
    lines: RwSignal<Vec<LineRow>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let choose = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        let price = value.parse::<i64>().ok().and_then(|id| {
            products
                .get_untracked()
                .and_then(|all| all.into_iter().find(|p| p.id == id))
                .map(|p| p.list_price)
        });
        row.product.set(value);
        if let Some(p) = price {
            row.unit_price.set(p.to_string());
        }
    };
    let key = row.key;
    view! {
        <div class="line-row" data-line=key.to_string()>
            <select name="product" aria-label=move || t_string!(i18n, order.product) prop:value=move || row.product.get() on:change=choose>
                <option value="">{move || t_string!(i18n, order.pick_product)}</option>
                {move || products.get().unwrap_or_default().into_iter().map(|p| {
                    let selected = row.product.get_untracked() == p.id.to_string();
                    view! { <option value=p.id.to_string() selected=selected>{format!("{} {}", p.code, p.name)}</option> }
                }).collect_view()}
            </select>
            <input name="quantity" type="number" min="1" step="1" aria-label=move || t_string!(i18n, order.quantity) placeholder=move || t_string!(i18n, order.quantity) bind:value=row.quantity />
            <input name="unit_price" class="money-input" inputmode="decimal" aria-label=move || t_string!(i18n, order.unit_price) placeholder=move || t_string!(i18n, order.unit_price) bind:value=row.unit_price />
            <input name="discount" class="money-input" inputmode="decimal" aria-label=move || t_string!(i18n, order.discount) placeholder=move || t_string!(i18n, order.discount) bind:value=row.discount />
            <span class="num line-amount">{move || match row.priced() {
                Ok((_, a)) => view! { <span>{money(i18n, a)}</span> }.into_any(),
                Err(LineProblem::NoProduct) => view! { <span class="muted">"—"</span> }.into_any(),
                Err(p) => view! { <span class="error line-error">{p.words(i18n)}</span> }.into_any(),
            }}</span>
            <button type="button" class="small danger" title=move || t_string!(i18n, order.remove_line) aria-label=move || t_string!(i18n, order.remove_line)
                on:click=move |_| lines.update(|l| l.retain(|r| r.key != key))>"×"</button>
        </div>
    }
}

// ---------------------------------------------------------------------------------------------
// The order page

#[component]
pub fn OrderPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let api = use_api();
    let id = route_id();
    let reload = RwSignal::new(0u32);
    let order = LocalResource::new(move || {
        reload.get();
        let id = id();
        async move { api.order(id).await }
    });
    let plan = LocalResource::new(move || {
        reload.get();
        let id = id();
        async move { api.payment_plan(id).await }
    });
    let sees_receipts =
        move || session.can(Permission::ReceiptRead) || session.can(Permission::ReceiptCreate);
    let receipts = LocalResource::new(move || {
        reload.get();
        let id = id();
        let wanted = sees_receipts();
        async move {
            if wanted {
                api.receipts(id).await.map(Some)
            } else {
                Ok(None)
            }
        }
    });
    let records_reload = RwSignal::new(0u32);
    let records = LocalResource::new(move || {
        records_reload.get();
        let id = id();
        async move { api.service_records(id).await }
    });
    let methods = dictionary(api, DictionaryKind::PaymentMethod);
    view! {
        {move || order.get().map(|r| match r {
            Err(e) => view! { <section class="card"><p class="error" role="alert">{e.display()}</p></section> }.into_any(),
            Ok(o) => {
                let for_plan = o.clone();
                let for_receipts = o.clone();
                view! {
                    <OrderHead order=o.clone() reload=reload />
                    <OrderLines order=o.clone() />
                    {move || plan.get().map(|p| match p {
                        Ok(p) => view! { <PlanCard order=for_plan.clone() plan=p reload=reload /> }.into_any(),
                        // No plan yet may be answered as 404: start from an empty one.
                        Err(e) if e.is(ErrorCode::NotFound) => {
                            let empty = PaymentPlan { order_id: for_plan.id, total: for_plan.total, installments: Vec::new() };
                            view! { <PlanCard order=for_plan.clone() plan=empty reload=reload /> }.into_any()
                        }
                        Err(e) => view! { <section class="card"><h2>{move || t_string!(i18n, plan.title)}</h2><p class="error" role="alert">{e.display()}</p></section> }.into_any(),
                    })}
                    {move || match (receipts.get(), plan.get()) {
                        (Some(Ok(Some(list))), Some(Ok(p))) => {
                            let methods = methods.get().unwrap_or_default();
                            view! { <ReceiptsCard order=for_receipts.clone() plan=p receipts=list methods=methods reload=reload /> }.into_any()
                        }
                        (Some(Err(e)), _) if !e.is(ErrorCode::Forbidden) => view! { <section class="card"><h2>{move || t_string!(i18n, receipt.title)}</h2><p class="error" role="alert">{e.display()}</p></section> }.into_any(),
                        _ => ().into_any(),
                    }}
                    <RecordsCard order_id=o.id records=records reload=records_reload />
                    <crate::pages::documents::Documents of=DocumentOf::Order(o.id) />
                }.into_any()
            }
        })}
    }
}

#[component]
fn OrderHead(order: Order, reload: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let api = use_api();
    let error = RwSignal::new(None::<String>);
    let (id, version, status) = (order.id, order.version, order.status);
    let signed_on = RwSignal::new(String::new());
    let act = move |action: OrderAction| {
        let reason = if action == OrderAction::Cancel {
            match ask(t_string!(i18n, order.cancel_reason)) {
                Some(r) => Some(r),
                None => return,
            }
        } else {
            None
        };
        let body = OrderStatusChange {
            version,
            signed_on: if action == OrderAction::Sign {
                parse_date(&signed_on.get_untracked())
            } else {
                None
            },
            reason,
        };
        run(
            error,
            move || async move { api.move_order(id, action, &body).await },
            move |_| reload.update(|n| *n += 1),
        );
    };
    let actions: Vec<OrderAction> = [
        OrderAction::Sign,
        OrderAction::Start,
        OrderAction::Complete,
        OrderAction::Cancel,
    ]
    .into_iter()
    .filter(|a| status.after(*a).is_some())
    .collect();
    let has_actions = !actions.is_empty();
    let (total, received, outstanding) = (order.total, order.received, order.outstanding);
    let customer_name = order.customer.name.clone();
    let expense_link = format!(
        "/expenses?order_id={}&for={}",
        order.id,
        js_sys::encode_uri_component(&format!("{} · {}", order.number, order.customer.name))
    );
    let complaint_link = crate::pages::tickets::new_complaint(
        order.customer.id,
        Some(order.id),
        &format!("{} · {}", order.number, order.customer.name),
    );
    let period = match (order.service_start, order.service_end) {
        (None, None) => "—".to_string(),
        (s, e) => format!("{} – {}", date_text(s), date_text(e)),
    };
    view! {
        <section class="card order-head" data-order=order.number.clone()>
            <div class="title-row">
                <h1>{move || t_string!(i18n, order.one)}" "{order.number.clone()}</h1>
                <StatusBadge status=status />
            </div>
            <dl class="facts order-facts">
                <dt>{move || t_string!(i18n, order.customer)}</dt><dd><A href=format!("/customers/{}", order.customer.id)>{customer_name}</A></dd>
                <dt>{move || t_string!(i18n, order.owner)}</dt><dd>{format!("{} · {}", order.owner.name, order.department.name)}</dd>
                <dt>{move || t_string!(i18n, order.signed_on)}</dt><dd>{date_text(order.signed_on)}</dd>
                <dt>{move || t_string!(i18n, order.service_period)}</dt><dd>{period}</dd>
                <dt>{move || t_string!(i18n, order.total)}</dt><dd class="money" data-total=total.to_string()>{move || money(i18n, total)}</dd>
                <dt>{move || t_string!(i18n, order.received)}</dt><dd class="money" data-received=received.to_string()>{move || money(i18n, received)}</dd>
                <dt>{move || t_string!(i18n, order.outstanding)}</dt><dd class="money" data-outstanding=outstanding.to_string()>{move || money(i18n, outstanding)}</dd>
                {order.contract_no.clone().map(|c| view! { <dt>{move || t_string!(i18n, order.contract_no)}</dt><dd data-contract-no=c.clone()>{c.clone()}</dd> })}
                {order.notes.clone().map(|n| view! { <dt>{move || t_string!(i18n, order.notes)}</dt><dd>{n}</dd> })}
            </dl>
            <Show when=move || session.can(Permission::OrderUpdate) && has_actions>
                <div class="inline-form status-actions">
                    <Show when=move || status == OrderStatus::Draft>
                        <label class="check">{move || t_string!(i18n, order.signed_on)}<input type="date" name="signed_on" bind:value=signed_on /></label>
                    </Show>
                    {actions.clone().into_iter().map(|a| {
                        let class = match a {
                            OrderAction::Cancel => "danger",
                            _ => "primary",
                        };
                        view! { <button class=class data-action=a.as_str() on:click=move |_| act(a)>{move || labels::order_action(i18n, a)}</button> }
                    }).collect_view()}
                </div>
            </Show>
            <p class="no-print inline-form">
                <Show when=move || session.can(Permission::ServiceRead)>
                    <A href=complaint_link.clone() attr:class="button" attr:name="new-complaint">{move || t_string!(i18n, tk.new_complaint)}</A>
                </Show>
                <Show when=move || session.can(Permission::ExpenseWrite)>
                    <A href=expense_link.clone() attr:class="button">{move || t_string!(i18n, exp.file)}</A>
                </Show>
            </p>
            <ErrorLine error=error />
        </section>
    }
}

#[component]
fn OrderLines(order: Order) -> impl IntoView {
    view! { <LinesTable lines=order.lines total=order.total /> }
}

/// Product lines with their total: an order's, or a quote's.
#[component]
pub(crate) fn LinesTable(lines: Vec<crm_domain::api::OrderLine>, total: Money) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="card">
            <h2>{move || t_string!(i18n, order.lines)}</h2>
            <table class="grid lines-table">
                <thead><tr>
                    <th>{move || t_string!(i18n, order.product)}</th><th class="num">{move || t_string!(i18n, order.quantity)}</th>
                    <th class="num">{move || t_string!(i18n, order.unit_price)}</th><th class="num">{move || t_string!(i18n, order.discount)}</th>
                    <th class="num">{move || t_string!(i18n, order.amount)}</th>
                </tr></thead>
                <tbody>
                    {lines.into_iter().map(|l| {
                        let (price, discount, amount) = (l.unit_price, l.discount, l.amount);
                        view! { <tr>
                            <td><code>{l.product_code.clone()}</code>" "{l.product.name.clone()}</td>
                            <td class="num">{l.quantity}</td>
                            <td class="num">{move || money(i18n, price)}</td>
                            <td class="num">{move || money(i18n, discount)}</td>
                            <td class="num">{move || money(i18n, amount)}</td>
                        </tr> }
                    }).collect_view()}
                </tbody>
                <tfoot><tr><th colspan="4">{move || t_string!(i18n, order.total)}</th><th class="num">{move || money(i18n, total)}</th></tr></tfoot>
            </table>
        </section>
    }
}

/// One installment row of the plan editor.
#[derive(Clone, Copy)]
struct PlanRow {
    key: u32,
    id: Option<i64>,
    due: RwSignal<String>,
    amount: RwSignal<String>,
    received: Money,
    outstanding: Option<Money>,
    overdue: bool,
}

#[component]
fn PlanCard(order: Order, plan: PaymentPlan, reload: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let api = use_api();
    let order_id = order.id;
    let total = plan.total;
    let status = order.status;
    let editable = move || {
        session.can(Permission::OrderUpdate)
            && !matches!(status, OrderStatus::Cancelled | OrderStatus::Completed)
    };
    let next_key = RwSignal::new(0u32);
    let fresh_key = move || {
        let k = next_key.get_untracked();
        next_key.set(k + 1);
        k
    };
    let rows = RwSignal::new(
        plan.installments
            .iter()
            .map(|i| PlanRow {
                key: fresh_key(),
                id: Some(i.id),
                due: RwSignal::new(i.due_date.to_string()),
                amount: RwSignal::new(i.amount.to_string()),
                received: i.received,
                outstanding: Some(i.outstanding),
                overdue: i.overdue,
            })
            .collect::<Vec<_>>(),
    );
    // Rows added by a click belong to the card (not to the button's part of the view), so they live
    // exactly as long as the card does.
    let card = StoredValue::new(Owner::current().unwrap_or_default());
    let new_row = move |id: Option<i64>, due: String, amount: String| {
        card.with_value(|owner| {
            owner.with(|| PlanRow {
                key: fresh_key(),
                id,
                due: RwSignal::new(due),
                amount: RwSignal::new(amount),
                received: Money::ZERO,
                outstanding: None,
                overdue: false,
            })
        })
    };
    let error = RwSignal::new(None::<String>);
    // The even split helper.
    let (count, first_due, months) = (
        RwSignal::new("3".to_string()),
        RwSignal::new(local_today().to_string()),
        RwSignal::new("1".to_string()),
    );
    let split = move |_| {
        let n = count
            .get_untracked()
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=60).contains(n));
        let gap = months.get_untracked().trim().parse::<u32>().ok();
        let first = parse_date(&first_due.get_untracked());
        let Some(parts) = n
            .zip(gap)
            .zip(first)
            .and_then(|((n, gap), first)| split_plan(total, n, first, gap))
        else {
            error.set(Some(t_string!(i18n, plan.err_split).to_string()));
            return;
        };
        error.set(None);
        // Existing installments keep their ids, in order, so money received on them stays put.
        let ids: Vec<i64> = rows.with_untracked(|r| r.iter().filter_map(|r| r.id).collect());
        let fresh = parts
            .into_iter()
            .enumerate()
            .map(|(i, (due, amount))| {
                let mut row = new_row(ids.get(i).copied(), due.to_string(), amount.to_string());
                if let Some(old) = rows.with_untracked(|r| {
                    r.iter().find(|x| x.id.is_some() && x.id == row.id).copied()
                }) {
                    row.received = old.received;
                }
                row
            })
            .collect();
        rows.set(fresh);
    };
    let add = move |_| {
        rows.update(|r| r.push(new_row(None, String::new(), String::new())));
    };
    let planned = move || {
        let typed: Vec<String> = rows.with(|r| r.iter().map(|x| x.amount.get()).collect());
        sum_typed(typed.iter().map(String::as_str))
    };
    let save = move |_| {
        let inputs: Option<Vec<InstallmentInput>> = rows.with_untracked(|r| {
            r.iter()
                .map(|x| {
                    Some(InstallmentInput {
                        id: x.id,
                        due_date: parse_date(&x.due.get_untracked())?,
                        amount: Money::parse(&x.amount.get_untracked())
                            .ok()
                            .filter(|m| m.is_positive())?,
                    })
                })
                .collect()
        });
        let Some(installments) = inputs.filter(|i| !i.is_empty()) else {
            error.set(Some(t_string!(i18n, plan.err_rows).to_string()));
            return;
        };
        let body = PaymentPlanRequest { installments };
        run(
            error,
            move || async move { api.set_payment_plan(order_id, &body).await },
            move |_| {
                reload.update(|n| *n += 1);
            },
        );
    };
    view! {
        <section class="card plan">
            <h2>{move || t_string!(i18n, plan.title)}</h2>
            <p class="plan-sum" class:mismatch=move || planned() != Some(total)>
                {move || t_string!(i18n, plan.planned)}" "
                <strong data-planned=move || planned().map(|m| m.to_string()).unwrap_or_default()>{move || planned().map(|m| money(i18n, m)).unwrap_or_else(|| "—".into())}</strong>
                " / "{move || t_string!(i18n, plan.of_total)}" "<strong>{move || money(i18n, total)}</strong>
            </p>
            <Show when=move || rows.with(Vec::is_empty)>
                <p class="muted">{move || t_string!(i18n, plan.empty)}</p>
            </Show>
            <table class="grid plan-table">
                <thead><tr>
                    <th>"#"</th><th>{move || t_string!(i18n, plan.due_date)}</th><th class="num">{move || t_string!(i18n, plan.amount)}</th>
                    <th class="num">{move || t_string!(i18n, order.received)}</th><th class="num">{move || t_string!(i18n, order.outstanding)}</th><th></th>
                </tr></thead>
                <tbody>
                    {move || rows.get().into_iter().enumerate().map(|(i, row)| {
                        let key = row.key;
                        let has_money = row.received.is_positive();
                        let received = row.received;
                        view! {
                            <tr class="installment" class:overdue=row.overdue data-due=move || row.due.get() data-installment=row.id.map(|i| i.to_string()).unwrap_or_default()>
                                <td>{i + 1}</td>
                                <td>
                                    <Show when=editable fallback=move || view! { <span>{move || row.due.get()}</span> }>
                                        <input type="date" name="due_date" required bind:value=row.due />
                                    </Show>
                                    {row.overdue.then(|| view! { <span class="badge danger">{move || t_string!(i18n, plan.overdue)}</span> })}
                                </td>
                                <td class="num">
                                    <Show when=editable fallback=move || view! { <span>{move || Money::parse(&row.amount.get()).map(|m| money(i18n, m)).unwrap_or_default()}</span> }>
                                        <input name="amount" class="money-input" inputmode="decimal" required bind:value=row.amount />
                                    </Show>
                                </td>
                                <td class="num">{move || money(i18n, received)}</td>
                                <td class="num" data-outstanding=row.outstanding.map(|m| m.to_string()).unwrap_or_default()>{move || row.outstanding.map(|m| money(i18n, m)).unwrap_or_else(|| "—".into())}</td>
                                <td>
                                    <Show when=editable>
                                        <button type="button" class="small danger" disabled=has_money
                                            title=move || if has_money { t_string!(i18n, plan.has_receipts) } else { t_string!(i18n, plan.remove) }
                                            aria-label=move || t_string!(i18n, plan.remove)
                                            on:click=move |_| rows.update(|r| r.retain(|x| x.key != key))>"×"</button>
                                    </Show>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            <Show when=editable>
                <div class="buttons plan-buttons">
                    <button type="button" class="small" on:click=add>{move || t_string!(i18n, plan.add)}</button>
                </div>
                <fieldset class="inline-form plan-split">
                    <legend>{move || t_string!(i18n, plan.split_title)}</legend>
                    <label>{move || t_string!(i18n, plan.split_count)}<input type="number" name="split_count" min="1" max="60" bind:value=count /></label>
                    <label>{move || t_string!(i18n, plan.split_first_due)}<input type="date" name="split_first_due" bind:value=first_due /></label>
                    <label>{move || t_string!(i18n, plan.split_months)}<input type="number" name="split_months" min="0" max="24" bind:value=months /></label>
                    <button type="button" on:click=split>{move || t_string!(i18n, plan.split)}</button>
                </fieldset>
                <ErrorLine error=error />
                <button type="button" class="primary" on:click=save>{move || t_string!(i18n, plan.save)}</button>
            </Show>
        </section>
    }
}

#[component]
fn ReceiptsCard(
    order: Order,
    plan: PaymentPlan,
    receipts: Vec<Receipt>,
    methods: Vec<DictionaryItem>,
    reload: RwSignal<u32>,
) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let api = use_api();
    let order_id = order.id;
    let error = RwSignal::new(None::<String>);
    // Installment numbers (#1, #2, …) by id, for the allocations column.
    let numbers: Vec<i64> = plan.installments.iter().map(|i| i.id).collect();
    let number_of = move |id: i64| {
        numbers
            .iter()
            .position(|x| *x == id)
            .map(|p| format!("#{}", p + 1))
            .unwrap_or_else(|| format!("({id})"))
    };
    let method_names = StoredValue::new(methods.clone());
    let method_name = move |id: i64| {
        method_names.with_value(|all| {
            all.iter()
                .find(|m| m.id == id)
                .map(|m| entry_name(i18n, m))
                .unwrap_or_default()
        })
    };
    let can_record = session.can(Permission::ReceiptCreate) && order.status.is_signed();
    let amount = RwSignal::new(
        Some(order.outstanding)
            .filter(|m| m.is_positive())
            .map(|m| m.to_string())
            .unwrap_or_default(),
    );
    let received_on = RwSignal::new(local_today().to_string());
    let enabled_methods: Vec<DictionaryItem> = methods.into_iter().filter(|m| m.enabled).collect();
    let method = RwSignal::new(
        enabled_methods
            .first()
            .map(|m| m.id.to_string())
            .unwrap_or_default(),
    );
    let note = RwSignal::new(String::new());
    let installment = RwSignal::new(String::new());
    let record = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(value) = Money::parse(&amount.get_untracked())
            .ok()
            .filter(|m| m.is_positive())
        else {
            error.set(Some(t_string!(i18n, receipt.err_amount).to_string()));
            return;
        };
        let (Some(day), Ok(method_id)) = (
            parse_date(&received_on.get_untracked()),
            method.get_untracked().parse::<i64>(),
        ) else {
            error.set(Some(t_string!(i18n, receipt.err_fields).to_string()));
            return;
        };
        let text = note.get_untracked();
        let body = NewReceipt {
            amount: value,
            received_on: day,
            method_id,
            note: (!text.trim().is_empty()).then_some(text),
            installment_id: installment.get_untracked().parse().ok(),
        };
        run(
            error,
            move || async move { api.record_receipt(order_id, &body).await },
            move |_| reload.update(|n| *n += 1),
        );
    };
    let reverse = move |id: i64| {
        let Some(reason) = ask(t_string!(i18n, receipt.reverse_reason)) else {
            return;
        };
        let body = ReceiptReversal { reason };
        run(
            error,
            move || async move { api.reverse_receipt(id, &body).await },
            move |_| reload.update(|n| *n += 1),
        );
    };
    // The installments still open, for applying a receipt to one of them.
    let open_installments: Vec<(String, String)> = plan
        .installments
        .iter()
        .enumerate()
        .filter(|(_, i)| i.outstanding.is_positive())
        .map(|(n, i)| {
            (
                i.id.to_string(),
                format!("#{} {} · {}", n + 1, i.due_date, i.outstanding),
            )
        })
        .collect();
    let empty = receipts.is_empty();
    view! {
        <section class="card receipts">
            <h2>{move || t_string!(i18n, receipt.title)}</h2>
            {empty.then(|| view! { <p class="muted">{move || t_string!(i18n, receipt.none)}</p> })}
            <table class="grid receipts-table">
                <thead><tr>
                    <th>{move || t_string!(i18n, receipt.date)}</th><th class="num">{move || t_string!(i18n, receipt.amount)}</th><th>{move || t_string!(i18n, receipt.method)}</th>
                    <th>{move || t_string!(i18n, receipt.applied)}</th><th>{move || t_string!(i18n, receipt.note)}</th><th>{move || t_string!(i18n, receipt.by)}</th><th></th>
                </tr></thead>
                <tbody>
                    {receipts.into_iter().map(|r| {
                        let id = r.id;
                        let value = r.amount;
                        let reversible = r.reversal_of.is_none() && r.reversed_by.is_none() && session.can(Permission::ReceiptCreate);
                        let applied = r.allocations.iter().map(|a| format!("{} {}", number_of(a.installment_id), a.amount)).collect::<Vec<_>>().join(", ");
                        let method_id = r.method_id;
                        view! {
                            <tr data-receipt=id.to_string() class:muted=r.reversed_by.is_some() class:reversal=r.reversal_of.is_some()>
                                <td>{r.received_on.to_string()}</td>
                                <td class="num">{move || money(i18n, value)}</td>
                                <td>{move || method_name(method_id)}</td>
                                <td>{applied}</td>
                                <td>{r.note.clone().unwrap_or_default()}
                                    {r.reversed_by.is_some().then(|| view! { <span class="badge">{move || t_string!(i18n, receipt.reversed)}</span> })}
                                    {r.reversal_of.is_some().then(|| view! { <span class="badge danger">{move || t_string!(i18n, receipt.reversal)}</span> })}
                                </td>
                                <td>{r.recorded_by.name.clone()}</td>
                                <td>{reversible.then(|| view! { <button class="small danger" on:click=move |_| reverse(id)>{move || t_string!(i18n, receipt.reverse)}</button> })}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            {can_record.then(|| view! {
                <form class="inline-form receipt-form" on:submit=record>
                    <input name="receipt_amount" class="money-input" inputmode="decimal" required placeholder=move || t_string!(i18n, receipt.amount) bind:value=amount />
                    <input name="received_on" type="date" required title=move || t_string!(i18n, receipt.date) bind:value=received_on />
                    <select name="method" required aria-label=move || t_string!(i18n, receipt.method) bind:value=method>
                        {enabled_methods.iter().map(|m| {
                            let (id, m) = (m.id, m.clone());
                            view! { <option value=id.to_string()>{move || entry_name(i18n, &m)}</option> }
                        }).collect_view()}
                    </select>
                    <select name="installment" aria-label=move || t_string!(i18n, receipt.installment) bind:value=installment>
                        <option value="">{move || t_string!(i18n, receipt.oldest_first)}</option>
                        {open_installments.iter().map(|(id, label)| view! { <option value=id.clone()>{label.clone()}</option> }).collect_view()}
                    </select>
                    <input name="receipt_note" class="grow" placeholder=move || t_string!(i18n, receipt.note) maxlength="500" bind:value=note />
                    <button type="submit" class="primary">{move || t_string!(i18n, receipt.record)}</button>
                </form>
            })}
            <ErrorLine error=error />
        </section>
    }
}

#[component]
fn RecordsCard(
    order_id: i64,
    records: LocalResource<Result<Vec<OrderRecord>, ApiError>>,
    reload: RwSignal<u32>,
) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let api = use_api();
    let error = RwSignal::new(None::<String>);
    let kind = RwSignal::new(OrderRecordKind::Service.as_str().to_string());
    let day = RwSignal::new(local_today().to_string());
    let note = RwSignal::new(String::new());
    let satisfaction = RwSignal::new(String::new());
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(happened_on) = parse_date(&day.get_untracked()) else {
            error.set(Some(t_string!(i18n, order.record.err_date).to_string()));
            return;
        };
        let body = NewOrderRecord {
            kind: OrderRecordKind::parse(&kind.get_untracked()),
            happened_on,
            note: note.get_untracked(),
            satisfaction: satisfaction.get_untracked().parse().ok(),
        };
        run(
            error,
            move || async move { api.add_service_record(order_id, &body).await },
            move |_| {
                note.set(String::new());
                satisfaction.set(String::new());
                reload.update(|n| *n += 1);
            },
        );
    };
    let can_write =
        move || session.can(Permission::OrderUpdate) || session.can(Permission::ServiceWrite);
    view! {
        <section class="card records">
            <h2>{move || t_string!(i18n, order.record.title)}</h2>
            {move || records.get().map(|r| match r {
                Err(e) => view! { <p class="error" role="alert">{e.display()}</p> }.into_any(),
                Ok(list) if list.is_empty() => view! { <p class="muted">{move || t_string!(i18n, order.record.none)}</p> }.into_any(),
                Ok(list) => view! {
                    <table class="grid records-table">
                        <thead><tr><th>{move || t_string!(i18n, order.record.date)}</th><th>{move || t_string!(i18n, order.record.kind_label)}</th><th>{move || t_string!(i18n, order.record.note)}</th>
                            <th>{move || t_string!(i18n, order.record.satisfaction)}</th><th>{move || t_string!(i18n, order.record.by)}</th></tr></thead>
                        <tbody>
                            {list.into_iter().map(|r| {
                                let k = r.kind;
                                let stars = r.satisfaction.map(|s| {
                                    let s = usize::try_from(s.clamp(0, 5)).unwrap_or(0);
                                    format!("{}{}", "★".repeat(s), "☆".repeat(5 - s))
                                }).unwrap_or_default();
                                view! { <tr>
                                    <td>{r.happened_on.to_string()}</td>
                                    <td>{move || labels::record_kind(i18n, k)}</td>
                                    <td class="note">{r.note.clone()}</td>
                                    <td class="stars">{stars}</td>
                                    <td>{r.by.name.clone()}</td>
                                </tr> }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any(),
            })}
            <Show when=can_write>
                <form class="inline-form record-form" on:submit=add>
                    <select name="record_kind" bind:value=kind>
                        {OrderRecordKind::ALL.into_iter().map(|k| view! { <option value=k.as_str()>{move || labels::record_kind(i18n, k)}</option> }).collect_view()}
                    </select>
                    <input type="date" name="happened_on" required bind:value=day />
                    <input name="record_note" class="grow" required maxlength="2000" placeholder=move || t_string!(i18n, order.record.note) bind:value=note />
                    <select name="satisfaction" bind:value=satisfaction>
                        <option value="">{move || t_string!(i18n, order.record.satisfaction)}</option>
                        {(1..=5usize).rev().map(|n| view! { <option value=n.to_string()>{format!("{n} {}", "★".repeat(n))}</option> }).collect_view()}
                    </select>
                    <button type="submit" class="primary">{move || t_string!(i18n, order.record.add)}</button>
                </form>
            </Show>
            <ErrorLine error=error />
        </section>
    }
}

// ---------------------------------------------------------------------------------------------
// The customer page's orders

/// All orders of a customer (every page of them, so the summary is whole).
async fn customer_orders(api: Api, customer_id: i64) -> Result<Vec<Order>, ApiError> {
    let mut all = Vec::new();
    let mut q = OrderQuery {
        customer_id: Some(customer_id),
        limit: Some(MAX_LIMIT),
        ..OrderQuery::default()
    };
    loop {
        let page = api.orders(&q).await?;
        all.extend(page.items);
        match page.next_cursor {
            Some(next) => q.cursor = Some(next),
            None => return Ok(all),
        }
    }
}

/// The orders section of the customer page: its orders, a new-order link, and the money summary.
#[component]
pub fn CustomerOrders(#[prop(into)] customer_id: Signal<i64>) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let api = use_api();
    let orders = LocalResource::new(move || {
        let id = customer_id.get();
        async move { customer_orders(api, id).await }
    });
    let list = Signal::derive(move || orders.get().and_then(Result::ok).unwrap_or_default());
    let summary = move || list.with(|l| money_summary(l));
    let show = move |pick: fn(&MoneySummary) -> Money| {
        move || {
            summary()
                .map(|s| money(i18n, pick(&s)))
                .unwrap_or_else(|| "—".into())
        }
    };
    view! {
        <Show when=move || session.can(Permission::OrderRead)>
            <section class="card customer-orders">
                <div class="title-row">
                    <h2>{move || t_string!(i18n, order.title)}</h2>
                    <Show when=move || session.can(Permission::OrderCreate)>
                        <A href=move || format!("/orders/new?customer_id={}", customer_id.get()) attr:class="button primary">{move || t_string!(i18n, order.new)}</A>
                    </Show>
                </div>
                <div class="money-summary">
                    <div class="tile"><span>{move || t_string!(i18n, order.signed_total)}</span><strong data-signed=move || summary().map(|s| s.signed.to_string()).unwrap_or_default()>{show(|s| s.signed)}</strong></div>
                    <div class="tile"><span>{move || t_string!(i18n, order.received)}</span><strong data-received=move || summary().map(|s| s.received.to_string()).unwrap_or_default()>{show(|s| s.received)}</strong></div>
                    <div class="tile"><span>{move || t_string!(i18n, order.outstanding)}</span><strong data-outstanding=move || summary().map(|s| s.outstanding.to_string()).unwrap_or_default()>{show(|s| s.outstanding)}</strong></div>
                </div>
                {move || orders.get().and_then(Result::err).map(|e| view! { <p class="error" role="alert">{e.display()}</p> })}
                <Show when=move || orders.get().is_some_and(|r| r.is_ok_and(|l| l.is_empty()))>
                    <p class="muted">{move || t_string!(i18n, order.none)}</p>
                </Show>
                <OrdersTable orders=list />
            </section>
        </Show>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> Money {
        Money::parse(s).unwrap()
    }
    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn lines_are_priced_exactly_or_say_what_is_wrong() {
        let (line, amount) = price_line("7", "3", "33.33", "0.99").unwrap();
        assert_eq!(amount, m("99.00"));
        assert_eq!(line.product_id, 7);
        assert_eq!(line.quantity, 3);
        assert_eq!(line.discount, m("0.99"));
        assert_eq!(price_line("7", "1", "12800", "").unwrap().1, m("12800.00"));
        let problem = |q: &str, p: &str, d: &str| price_line("7", q, p, d).unwrap_err();
        assert_eq!(
            price_line("", "1", "1", "0").unwrap_err(),
            LineProblem::NoProduct
        );
        assert_eq!(problem("1.5", "1", "0"), LineProblem::Quantity);
        assert_eq!(problem("1", "1.001", "0"), LineProblem::Price);
        assert_eq!(problem("1", "1", "x"), LineProblem::Discount);
        // The line's own rules, as the server applies them, in both languages.
        let LineProblem::Rule(words) = problem("0", "1", "0") else {
            panic!("a quantity of 0 breaks the line's rule");
        };
        assert!(words.en.starts_with("the quantity"), "{words:?}");
        assert!(words.zh.starts_with("数量"), "{words:?}");
        assert!(matches!(problem("1000001", "1", "0"), LineProblem::Rule(_)));
        let LineProblem::Rule(words) = problem("1", "-1", "0") else {
            panic!("a negative price breaks the line's rule");
        };
        assert!(words.en.starts_with("the unit price"), "{words:?}");
        assert!(matches!(
            problem("2", "10", "20.01"),
            LineProblem::Money(MoneyRuleError::DiscountTooLarge { .. })
        ));
        assert!(matches!(
            problem("1000000", "999999999999", "0"),
            LineProblem::Money(MoneyRuleError::Overflow)
        ));
    }

    #[test]
    fn an_even_split_keeps_every_fen_and_steps_by_months() {
        let plan = split_plan(m("6800.00"), 3, d("2026-01-31"), 1).unwrap();
        assert_eq!(
            plan,
            vec![
                (d("2026-01-31"), m("2266.66")),
                (d("2026-02-28"), m("2266.66")),
                (d("2026-03-31"), m("2266.68")),
            ]
        );
        assert_eq!(
            Money::checked_sum(plan.iter().map(|p| p.1)),
            Some(m("6800.00"))
        );
        let same_day = split_plan(m("1"), 2, d("2026-05-01"), 0).unwrap();
        assert!(same_day.iter().all(|p| p.0 == d("2026-05-01")));
        assert_eq!(split_plan(m("1"), 0, d("2026-05-01"), 1), Some(vec![]));
    }

    #[test]
    fn typed_amounts_add_up_or_are_refused() {
        assert_eq!(sum_typed(["33.33", "33.33", "33.34"]), Some(m("100")));
        assert_eq!(sum_typed(["1", "abc"]), None);
        assert_eq!(sum_typed([]), Some(Money::ZERO));
    }

    fn order(status: OrderStatus, total: &str, received: &str) -> Order {
        let now = chrono::Utc::now();
        let who = IdName {
            id: 1,
            name: "x".into(),
        };
        Order {
            id: 1,
            number: "SO1".into(),
            customer: who.clone(),
            owner: who.clone(),
            department: who,
            opportunity_id: None,
            status,
            signed_on: None,
            service_start: None,
            service_end: None,
            total: m(total),
            received: m(received),
            outstanding: m(total).checked_sub(m(received)).unwrap(),
            lines: Vec::new(),
            notes: None,
            contract_no: None,
            created_at: now,
            updated_at: now,
            version: 1,
        }
    }

    #[test]
    fn the_money_summary_counts_signed_business_only() {
        let orders = [
            order(OrderStatus::Signed, "100.10", "50.05"),
            order(OrderStatus::Executing, "0.20", "0"),
            order(OrderStatus::Completed, "1000", "1000"),
            order(OrderStatus::Draft, "999", "0"),
            order(OrderStatus::Cancelled, "777", "0"),
        ];
        assert_eq!(
            money_summary(&orders),
            Some(MoneySummary {
                signed: m("1100.30"),
                received: m("1050.05"),
                outstanding: m("50.25"),
            })
        );
        assert_eq!(money_summary(&[]), Some(MoneySummary::default()));
    }
}
