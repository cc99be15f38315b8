//! 应收账款: the aging of what customers still owe (tiles, a bar chart, a table per owner,
//! department or customer) and the receivables list (one row per open installment), where finance
//! records a receipt against a row in place.

use crate::api::use_api;
use crate::components::chart::{self, Chart};
use crate::components::{
    ErrorLine, ExportMenu, Paged, dictionary, entry_name, local_today, money, run,
};
use crate::format::I18n;
use crate::i18n::*;
use crate::state::use_session;
use chrono::NaiveDate;
use crm_domain::api::{
    AgingAmounts, AgingGroup, AgingQuery, DictionaryItem, DictionaryKind, ExportKind, IdName,
    NewReceipt, Receivable, ReceivableQuery,
};
use crm_domain::{Money, Permission};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

/// The buckets' colours in the chart: the tiles' colours.
const BUCKET_COLOURS: [&str; 5] = ["#1f5fa8", "#b26a00", "#d84315", "#b8360f", "#c62828"];

/// The aging buckets in order: name (CSS and test hooks), words, and the amount in a row.
type Bucket = (
    &'static str,
    fn(I18n) -> &'static str,
    fn(&AgingAmounts) -> Money,
);
const BUCKETS: [Bucket; 5] = [
    (
        "not_due",
        |i| t_string!(i, recv.bucket.not_due),
        |a| a.not_due,
    ),
    ("d1_30", |i| t_string!(i, recv.bucket.d1_30), |a| a.d1_30),
    ("d31_60", |i| t_string!(i, recv.bucket.d31_60), |a| a.d31_60),
    ("d61_90", |i| t_string!(i, recv.bucket.d61_90), |a| a.d61_90),
    (
        "over_90",
        |i| t_string!(i, recv.bucket.over_90),
        |a| a.over_90,
    ),
];

const GROUPS: [AgingGroup; 3] = [
    AgingGroup::Owner,
    AgingGroup::Department,
    AgingGroup::Customer,
];

/// A grouping's name in the select (and its test hook).
fn group_name(g: AgingGroup) -> &'static str {
    match g {
        AgingGroup::Owner => "owner",
        AgingGroup::Department => "department",
        AgingGroup::Customer => "customer",
    }
}

fn group_words(i18n: I18n, g: AgingGroup) -> &'static str {
    match g {
        AgingGroup::Owner => t_string!(i18n, recv.group.owner),
        AgingGroup::Department => t_string!(i18n, recv.group.department),
        AgingGroup::Customer => t_string!(i18n, recv.group.customer),
    }
}

#[component]
pub fn ReceivablesPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let api = use_api();
    let query = use_query_map();
    let initial = move |k: &str| query.with_untracked(|q| q.get(k).unwrap_or_default());
    let owner = RwSignal::new(initial("owner_id"));
    let department = RwSignal::new(initial("department_id"));
    let customer = RwSignal::new(initial("customer_id"));
    let customer_name = RwSignal::new(String::new());
    let overdue_only = RwSignal::new(initial("overdue") == "true");
    let group = RwSignal::new(AgingGroup::Owner);
    let reload = RwSignal::new(0u32);
    let report = LocalResource::new(move || {
        reload.get();
        let group_by = Some(group.get());
        async move { api.aging(&AgingQuery { group_by }).await }
    });
    // The owners and departments that have receivables, for the filters.
    let keys_of = move |g: AgingGroup| {
        LocalResource::new(move || async move {
            api.aging(&AgingQuery { group_by: Some(g) })
                .await
                .map(|r| r.rows.into_iter().map(|r| r.key).collect::<Vec<IdName>>())
                .unwrap_or_default()
        })
    };
    let (owners, departments) = (keys_of(AgingGroup::Owner), keys_of(AgingGroup::Department));
    let list = Paged::<Receivable>::new();
    let filtered = move || {
        let id = |s: RwSignal<String>| s.get_untracked().parse().ok();
        ReceivableQuery {
            owner_id: id(owner),
            department_id: id(department),
            customer_id: id(customer),
            overdue: overdue_only.get_untracked().then_some(true),
            limit: Some(50),
            cursor: None,
        }
    };
    let load = move |more: bool| {
        let q = filtered();
        list.load(
            move |cursor| async move { api.receivables(&ReceivableQuery { cursor, ..q }).await },
            more,
        );
    };
    Effect::new(move |_| {
        owner.track();
        department.track();
        customer.track();
        overdue_only.track();
        load(false);
    });
    let methods = dictionary(api, DictionaryKind::PaymentMethod);
    // The row whose receipt form is open (by installment).
    let paying = RwSignal::new(None::<i64>);
    let paid = Callback::new(move |_: ()| {
        paying.set(None);
        load(false);
        reload.update(|n| *n += 1);
    });
    let as_of = move || {
        report
            .get()
            .and_then(Result::ok)
            .map(|r| r.as_of)
            .unwrap_or_else(local_today)
    };
    let totals = move || {
        report
            .get()
            .and_then(Result::ok)
            .map(|r| r.totals)
            .unwrap_or_default()
    };
    let key_options = move |keys: LocalResource<Vec<IdName>>, chosen: RwSignal<String>| {
        move || {
            keys.get()
                .unwrap_or_default()
                .into_iter()
                .map(|k| {
                    let id = k.id.to_string();
                    let value = id.clone();
                    view! { <option value=id prop:selected=move || chosen.get() == value>{k.name}</option> }
                })
                .collect_view()
        }
    };
    // A click on a row of the aging table narrows the list to that owner, department or customer.
    let drill = move |by: AgingGroup, id: i64, name: String| match by {
        AgingGroup::Department => department.set(id.to_string()),
        AgingGroup::Customer => {
            customer_name.set(name);
            customer.set(id.to_string());
        }
        AgingGroup::Owner => owner.set(id.to_string()),
    };
    // The buckets as bars, coloured as their tiles (amber to red as money grows older).
    let aging_chart = Signal::derive(move || {
        let t = totals();
        let names: Vec<String> = BUCKETS
            .iter()
            .map(|(_, words, _)| words(i18n).to_string())
            .collect();
        let data: Vec<serde_json::Value> = BUCKETS
            .iter()
            .zip(BUCKET_COLOURS)
            .map(|((_, _, pick), colour)| {
                serde_json::json!({"value": chart::number(&pick(&t).to_string()), "itemStyle": {"color": colour}})
            })
            .collect();
        let en = crate::format::lang(i18n) == crm_domain::Lang::En;
        chart::bars(
            en,
            &names,
            &[(t_string!(i18n, recv.total).to_string(), data)],
            false,
            &[],
        )
    });
    view! {
        <section class="card aging">
            <div class="title-row">
                <h1>{move || t_string!(i18n, recv.title)}</h1>
                <small class="as-of">{move || t_string!(i18n, recv.as_of)}" "{move || as_of().to_string()}</small>
                <ExportMenu choices=vec![(ExportKind::Receivables, Signal::derive(move || crate::api::filters(&filtered())))] />
            </div>
            {move || report.get().and_then(Result::err).map(|e| view! { <p class="error" role="alert">{e.display()}</p> })}
            <div class="aging-tiles">
                {BUCKETS.into_iter().map(|(name, words, pick)| view! {
                    <div class=format!("tile bucket-{name}") data-bucket=name>
                        <span>{move || words(i18n)}</span>
                        <strong data-amount=move || pick(&totals()).to_string()>{move || money(i18n, pick(&totals()))}</strong>
                    </div>
                }).collect_view()}
                <div class="tile total" data-bucket="total">
                    <span>{move || t_string!(i18n, recv.total)}</span>
                    <strong data-amount=move || totals().total.to_string()>{move || money(i18n, totals().total)}</strong>
                </div>
            </div>
            <div class="aging-chart">
                <Chart option=aging_chart label=Signal::derive(move || t_string!(i18n, recv.chart).to_string()) />
            </div>
            <div class="inline-form">
                <label class="check">{move || t_string!(i18n, recv.group_by)}
                    <select name="group_by" on:change=move |ev| {
                        let chosen = event_target_value(&ev);
                        if let Some(g) = GROUPS.into_iter().find(|g| group_name(*g) == chosen) { group.set(g); }
                    }>
                        {GROUPS.into_iter().map(|g| view! { <option value=group_name(g) prop:selected=move || group.get() == g>{move || group_words(i18n, g)}</option> }).collect_view()}
                    </select>
                </label>
            </div>
            <table class="grid aging-table">
                <thead><tr>
                    <th>{move || group_words(i18n, group.get())}</th>
                    {BUCKETS.into_iter().map(|(_, words, _)| view! { <th class="num">{move || words(i18n)}</th> }).collect_view()}
                    <th class="num">{move || t_string!(i18n, recv.total)}</th>
                </tr></thead>
                <tbody>
                    {move || report.get().and_then(Result::ok).map(|r| r.rows.into_iter().map(move |row| (r.group_by, row)).collect::<Vec<_>>()).unwrap_or_default().into_iter().map(|(by, row)| {
                        let (id, name) = (row.key.id, row.key.name.clone());
                        let by_name = group_name(by);
                        let amounts = row.amounts.clone();
                        let total = amounts.total;
                        view! {
                            <tr>
                                <td><button class="link" data-group=by_name data-key=id.to_string() title=move || t_string!(i18n, recv.drill) on:click=move |_| drill(by, id, name.clone())>{row.key.name.clone()}</button></td>
                                {BUCKETS.into_iter().map(|(_, _, pick)| {
                                    let amount = pick(&amounts);
                                    view! { <td class="num" class:zero=!amount.is_positive()>{move || money(i18n, amount)}</td> }
                                }).collect_view()}
                                <td class="num"><strong>{move || money(i18n, total)}</strong></td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
        <section class="card receivables">
            <h2>{move || t_string!(i18n, recv.list)}</h2>
            <div class="inline-form recv-filters">
                <select name="owner_id" aria-label=move || t_string!(i18n, order.owner) on:change=move |ev| owner.set(event_target_value(&ev))>
                    <option value="" prop:selected=move || owner.get().is_empty()>{move || t_string!(i18n, recv.all_owners)}</option>
                    {key_options(owners, owner)}
                </select>
                <select name="department_id" aria-label=move || t_string!(i18n, cust.department) on:change=move |ev| department.set(event_target_value(&ev))>
                    <option value="" prop:selected=move || department.get().is_empty()>{move || t_string!(i18n, recv.all_departments)}</option>
                    {key_options(departments, department)}
                </select>
                <label class="check"><input type="checkbox" name="overdue" bind:checked=overdue_only />{move || t_string!(i18n, recv.overdue_only)}</label>
                <Show when=move || !customer.get().is_empty()>
                    <span class="chip">
                        {move || t_string!(i18n, order.customer)}": "
                        {move || { let n = customer_name.get(); if n.is_empty() { format!("#{}", customer.get()) } else { n } }}
                        <button class="link" aria-label=move || t_string!(i18n, recv.clear) title=move || t_string!(i18n, recv.clear) on:click=move |_| { customer.set(String::new()); customer_name.set(String::new()); }>"×"</button>
                    </span>
                </Show>
            </div>
            <ErrorLine error=list.error />
            <Show when=move || list.items.with(Vec::is_empty) && list.error.with(Option::is_none)>
                <p class="muted">{move || t_string!(i18n, recv.none)}</p>
            </Show>
            <table class="grid receivables-table">
                <thead><tr>
                    <th>{move || t_string!(i18n, order.number)}</th><th>{move || t_string!(i18n, order.customer)}</th><th>{move || t_string!(i18n, order.owner)}</th>
                    <th>{move || t_string!(i18n, plan.due_date)}</th><th class="num">{move || t_string!(i18n, plan.amount)}</th><th class="num">{move || t_string!(i18n, order.received)}</th>
                    <th class="num">{move || t_string!(i18n, order.outstanding)}</th><th class="num">{move || t_string!(i18n, recv.days_overdue)}</th><th></th>
                </tr></thead>
                <tbody>
                    {move || list.items.get().into_iter().map(|r| {
                        let installment = r.installment_id;
                        let overdue = r.days_overdue > 0;
                        let (amount, received, outstanding) = (r.amount, r.received, r.outstanding);
                        let (number, customer_label) = (r.order.name.clone(), r.customer.name.clone());
                        let row = r.clone();
                        view! {
                            <tr class="receivable" class:overdue=overdue data-order=r.order.name.clone() data-due=r.due_date.to_string() data-installment=installment.to_string()>
                                <td><A href=format!("/orders/{}", r.order.id)>{number}</A></td>
                                <td><A href=format!("/customers/{}", r.customer.id)>{customer_label}</A></td>
                                <td>{r.owner.name.clone()}<small>" · "{r.department.name.clone()}</small></td>
                                <td>{r.due_date.to_string()}</td>
                                <td class="num">{move || money(i18n, amount)}</td>
                                <td class="num">{move || money(i18n, received)}</td>
                                <td class="num outstanding" data-outstanding=outstanding.to_string()>{move || money(i18n, outstanding)}</td>
                                <td class="num days">{if overdue { r.days_overdue.to_string() } else { String::new() }}</td>
                                <td>
                                    <Show when=move || session.can(Permission::ReceiptCreate)>
                                        <button class="small pay-toggle" on:click=move |_| paying.update(|p| *p = if *p == Some(installment) { None } else { Some(installment) })>{move || t_string!(i18n, recv.record)}</button>
                                    </Show>
                                </td>
                            </tr>
                            <Show when=move || paying.get() == Some(installment)>
                                <tr class="pay-row"><td colspan="9">
                                    <PayForm receivable=row.clone() methods=methods received_on=as_of() done=paid cancel=Callback::new(move |_: ()| paying.set(None)) />
                                </td></tr>
                            </Show>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            <Show when=move || list.has_more()>
                <button on:click=move |_| load(true)>{move || t_string!(i18n, common.more)}</button>
            </Show>
        </section>
    }
}

/// The small in-row form recording a receipt against one installment.
#[component]
fn PayForm(
    receivable: Receivable,
    methods: LocalResource<Vec<DictionaryItem>>,
    received_on: NaiveDate,
    done: Callback<()>,
    cancel: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let error = RwSignal::new(None::<String>);
    let amount = RwSignal::new(receivable.outstanding.to_string());
    let day = RwSignal::new(received_on.to_string());
    let method = RwSignal::new(String::new());
    let enabled = move || {
        methods
            .get()
            .unwrap_or_default()
            .into_iter()
            .filter(|m| m.enabled)
            .collect::<Vec<_>>()
    };
    // Preselect the first method once the list is there.
    Effect::new(move |_| {
        if let Some(first) = enabled().first()
            && method.get_untracked().is_empty()
        {
            method.set(first.id.to_string());
        }
    });
    let (order_id, installment_id) = (receivable.order.id, receivable.installment_id);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(value) = Money::parse(&amount.get_untracked())
            .ok()
            .filter(|m| m.is_positive())
        else {
            error.set(Some(t_string!(i18n, receipt.err_amount).to_string()));
            return;
        };
        let (Ok(received_on), Ok(method_id)) = (
            NaiveDate::parse_from_str(&day.get_untracked(), "%Y-%m-%d"),
            method.get_untracked().parse::<i64>(),
        ) else {
            error.set(Some(t_string!(i18n, receipt.err_fields).to_string()));
            return;
        };
        let body = NewReceipt {
            amount: value,
            received_on,
            method_id,
            note: None,
            installment_id: Some(installment_id),
        };
        run(
            error,
            move || async move { api.record_receipt(order_id, &body).await },
            move |_| done.run(()),
        );
    };
    view! {
        <form class="inline-form pay-form" on:submit=submit>
            <label class="check">{move || t_string!(i18n, receipt.amount)}<input name="pay_amount" class="money-input" inputmode="decimal" required bind:value=amount /></label>
            <input name="pay_date" type="date" required title=move || t_string!(i18n, receipt.date) bind:value=day />
            <select name="pay_method" required aria-label=move || t_string!(i18n, receipt.method) on:change=move |ev| method.set(event_target_value(&ev))>
                {move || enabled().into_iter().map(|m| {
                    let id = m.id.to_string();
                    let value = id.clone();
                    let label = entry_name(i18n, &m);
                    view! { <option value=id prop:selected=move || method.get() == value>{label}</option> }
                }).collect_view()}
            </select>
            <button type="submit" class="primary">{move || t_string!(i18n, recv.confirm)}</button>
            <button type="button" on:click=move |_| cancel.run(())>{move || t_string!(i18n, common.cancel)}</button>
        </form>
        <ErrorLine error=error />
    }
}
