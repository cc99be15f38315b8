//! 费用: filing an expense in a few taps (phone width first), one's expenses, the approval queue
//! of a manager (one click each, or several at once), the expense analysis (a grouping switch, a
//! bar chart, the table, CSV), and the customer page's cost against revenue.

use crate::api::use_api;
use crate::components::chart::{self, Chart};
use crate::components::{
    ErrorLine, Paged, ask, check, dictionary, entry_name, local_today, money, run,
};
use crate::format::{I18n, lang};
use crate::i18n::*;
use crate::state::use_session;
use chrono::{Datelike, NaiveDate};
use crm_domain::api::{
    DictionaryKind, Expense, ExpenseApproval, ExpenseGroup, ExpenseQuery, ExpenseReason,
    ExpenseReport, ExpenseReportQuery, NewExpense,
};
use crm_domain::expense::{ExpenseReportStatus, ExpenseStatus};
use crm_domain::{Money, Permission};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

pub fn status_words(i18n: I18n, s: ExpenseStatus) -> &'static str {
    match s {
        ExpenseStatus::Submitted => t_string!(i18n, exp.status.submitted),
        ExpenseStatus::Approved => t_string!(i18n, exp.status.approved),
        ExpenseStatus::Rejected => t_string!(i18n, exp.status.rejected),
    }
}

fn status_name(s: ExpenseStatus) -> &'static str {
    s.as_str()
}

fn group_words(i18n: I18n, g: ExpenseGroup) -> &'static str {
    match g {
        ExpenseGroup::Department => t_string!(i18n, exp.group.department),
        ExpenseGroup::Owner => t_string!(i18n, exp.group.owner),
        ExpenseGroup::Category => t_string!(i18n, exp.group.category),
        ExpenseGroup::Customer => t_string!(i18n, exp.group.customer),
        ExpenseGroup::Month => t_string!(i18n, exp.group.month),
    }
}

fn report_status_words(i18n: I18n, s: ExpenseReportStatus) -> &'static str {
    match s {
        ExpenseReportStatus::Approved => t_string!(i18n, exp.status.approved),
        ExpenseReportStatus::Submitted => t_string!(i18n, exp.status.submitted),
        ExpenseReportStatus::All => t_string!(i18n, exp.status.both),
    }
}

const REPORT_STATUSES: [ExpenseReportStatus; 3] = [
    ExpenseReportStatus::Approved,
    ExpenseReportStatus::All,
    ExpenseReportStatus::Submitted,
];

fn report_status_name(s: ExpenseReportStatus) -> &'static str {
    match s {
        ExpenseReportStatus::Approved => "approved",
        ExpenseReportStatus::Submitted => "submitted",
        ExpenseReportStatus::All => "all",
    }
}

/// The first day of `day`'s year.
fn year_start(day: NaiveDate) -> NaiveDate {
    NaiveDate::from_ymd_opt(day.year(), 1, 1).unwrap_or(day)
}

/// The form that files an expense: today, an amount, a category, a line of description; the
/// customer, deal or order it was for when the page was opened from one of them.
#[component]
fn FileExpense(on_filed: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let query = use_query_map();
    let linked =
        move |k: &str| query.with_untracked(|q| q.get(k).and_then(|v| v.parse::<i64>().ok()));
    let (customer_id, opportunity_id, order_id) = (
        linked("customer_id"),
        linked("opportunity_id"),
        linked("order_id"),
    );
    let link_name = query.with_untracked(|q| q.get("for").unwrap_or_default());
    let categories = dictionary(api, DictionaryKind::ExpenseCategory);
    let spent_on = RwSignal::new(local_today().to_string());
    let amount = RwSignal::new(String::new());
    let category = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Ok(day) = spent_on.get_untracked().parse::<NaiveDate>() else {
            error.set(Some(t_string!(i18n, exp.bad_date).to_string()));
            return;
        };
        let Ok(value) = Money::parse(amount.get_untracked().trim()) else {
            error.set(Some(t_string!(i18n, exp.bad_amount).to_string()));
            return;
        };
        let Ok(category_id) = category.get_untracked().parse::<i64>() else {
            error.set(Some(t_string!(i18n, exp.pick_category).to_string()));
            return;
        };
        let new = NewExpense {
            spent_on: day,
            amount: value,
            category_id,
            description: description.get_untracked(),
            customer_id,
            opportunity_id,
            order_id,
            spender_id: None,
        };
        if let Err(e) = check(i18n, &new) {
            error.set(Some(e));
            return;
        }
        run(
            error,
            move || async move { api.create_expense(&new).await },
            move |_| {
                amount.set(String::new());
                description.set(String::new());
                on_filed.run(());
            },
        );
    };
    view! {
        <form class="file-expense" on:submit=submit>
            {(!link_name.is_empty()).then(|| view! {
                <p class="muted">{move || t_string!(i18n, exp.spent_on_record)}" "<strong>{link_name.clone()}</strong></p>
            })}
            <label>{move || t_string!(i18n, exp.spent_on)}
                <input type="date" name="spent_on" required bind:value=spent_on />
            </label>
            <label>{move || t_string!(i18n, exp.amount)}
                <input name="amount" inputmode="decimal" required placeholder="0.00" bind:value=amount />
            </label>
            <label>{move || t_string!(i18n, exp.category)}
                <select name="category_id" required bind:value=category>
                    <option value="">{move || t_string!(i18n, exp.pick_category)}</option>
                    {move || categories.get().unwrap_or_default().into_iter().filter(|c| c.enabled).map(|c| {
                        let name = entry_name(i18n, &c);
                        view! { <option value=c.id.to_string()>{name}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label class="wide">{move || t_string!(i18n, exp.description)}
                <input name="description" required maxlength="500" bind:value=description />
            </label>
            <button type="submit" class="primary">{move || t_string!(i18n, exp.file)}</button>
            <ErrorLine error=error />
        </form>
    }
}

/// One expense as a row of a table; `actions` are the row's buttons.
fn expense_cells(i18n: I18n, x: &Expense) -> impl IntoView + use<> {
    let status = x.status;
    let (amount, reason) = (x.amount, x.reason.clone());
    let link = x.customer.clone().map(|c| {
        let href = format!("/customers/{}", c.id);
        view! { <A href=href>{c.name}</A> }
    });
    view! {
        <td>{x.spent_on.to_string()}</td>
        <td>{x.spender.name.clone()}</td>
        <td>{x.category.name.clone()}</td>
        <td class="description">{x.description.clone()}{link.map(|l| view! { <br/><small>{l}</small> })}</td>
        <td class="num" data-amount=amount.to_string()>{move || money(i18n, amount)}</td>
        <td><span class=format!("badge expense-{}", status_name(status)) title=reason.unwrap_or_default()>{move || status_words(i18n, status)}</span></td>
    }
}

/// 我的费用: file one, and the list of what the caller sees (their own first of all).
#[component]
pub fn ExpensesPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let api = use_api();
    let me = move || session.me.with(|m| m.as_ref().map(|m| m.id));
    let only_mine = RwSignal::new(true);
    let status = RwSignal::new(String::new());
    let reload = RwSignal::new(0u32);
    let query = move |cursor: Option<String>| ExpenseQuery {
        spender_id: if only_mine.get() { me() } else { None },
        status: ExpenseStatus::parse(&status.get()),
        limit: Some(50),
        cursor,
        ..ExpenseQuery::default()
    };
    // The first page follows the filters (a slower answer for filters left behind is dropped);
    // more pages continue it.
    let list = Paged::<Expense>::new();
    list.follow(LocalResource::new(move || {
        reload.track();
        let q = query(None);
        async move { api.expenses(&q).await }
    }));
    let load = move |more: bool| {
        if !more {
            reload.update(|n| *n += 1);
            return;
        }
        list.load(
            move |cursor| {
                let q = untrack(|| query(cursor));
                async move { api.expenses(&q).await }
            },
            true,
        );
    };
    let filed = Callback::new(move |_: ()| load(false));
    let error = RwSignal::new(None::<String>);
    let withdraw = move |id: i64| {
        if !crate::components::confirm(t_string!(i18n, exp.confirm_withdraw)) {
            return;
        }
        run(
            error,
            move || async move { api.delete_expense(id).await },
            move |_| load(false),
        );
    };
    view! {
        <section class="card expenses">
            <div class="title-row">
                <h1>{move || t_string!(i18n, exp.title)}</h1>
                <div class="links">
                    <Show when=move || session.can(Permission::ExpenseApprove)>
                        <A href="/expenses/approvals">{move || t_string!(i18n, exp.approvals)}</A>
                    </Show>
                    " "
                    <A href="/reports/expenses">{move || t_string!(i18n, exp.analysis)}</A>
                </div>
            </div>
            <Show when=move || session.can(Permission::ExpenseWrite)>
                <FileExpense on_filed=filed />
            </Show>
        </section>
        <section class="card">
            <div class="inline-form">
                <label class="check"><input type="checkbox" name="only_mine" bind:checked=only_mine />{move || t_string!(i18n, exp.only_mine)}</label>
                <select name="status" bind:value=status>
                    <option value="">{move || t_string!(i18n, exp.any_status)}</option>
                    {ExpenseStatus::ALL.into_iter().map(|s| view! { <option value=s.as_str()>{move || status_words(i18n, s)}</option> }).collect_view()}
                </select>
            </div>
            <ErrorLine error=list.error />
            <ErrorLine error=error />
            <div class="table-scroll"><table class="grid expense-list">
                <thead><tr>
                    <th>{move || t_string!(i18n, exp.spent_on)}</th><th>{move || t_string!(i18n, exp.spender)}</th>
                    <th>{move || t_string!(i18n, exp.category)}</th><th>{move || t_string!(i18n, exp.description)}</th>
                    <th class="num">{move || t_string!(i18n, exp.amount)}</th><th>{move || t_string!(i18n, common.status)}</th><th></th>
                </tr></thead>
                <tbody>
                    <For each=move || list.items.get() key=|x| (x.id, x.version) children=move |x| {
                        let id = x.id;
                        let mine = Some(x.spender.id) == me() || x.status == ExpenseStatus::Submitted && session.can(Permission::ExpenseApprove);
                        let can_withdraw = x.status == ExpenseStatus::Submitted && mine && session.can(Permission::ExpenseWrite);
                        view! {
                            <tr data-expense=id.to_string()>
                                {expense_cells(i18n, &x)}
                                <td>{can_withdraw.then(|| view! { <button class="link" on:click=move |_| withdraw(id)>{move || t_string!(i18n, exp.withdraw)}</button> })}</td>
                            </tr>
                        }
                    } />
                </tbody>
            </table></div>
            <Show when=move || list.items.with(Vec::is_empty)>
                <p class="muted">{move || t_string!(i18n, exp.none)}</p>
            </Show>
            <Show when=move || list.has_more()>
                <button on:click=move |_| load(true)>{move || t_string!(i18n, common.more)}</button>
            </Show>
        </section>
    }
}

/// 审批: what the manager may decide, oldest spending last; approve or reject one, or approve
/// the ticked ones at once.
#[component]
pub fn ExpenseApprovalsPage() -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let list = Paged::<Expense>::new();
    let load = move |more: bool| {
        let q = ExpenseQuery {
            approvable: Some(true),
            limit: Some(100),
            ..ExpenseQuery::default()
        };
        list.load(
            move |cursor| async move { api.expenses(&ExpenseQuery { cursor, ..q }).await },
            more,
        );
    };
    load(false);
    let ticked = RwSignal::new(Vec::<i64>::new());
    let error = RwSignal::new(None::<String>);
    let done = move |id: i64| {
        list.items.update(|items| items.retain(|x| x.id != id));
        ticked.update(|t| t.retain(|x| *x != id));
    };
    let approve = move |id: i64, version: i32| {
        run(
            error,
            move || async move { api.approve_expense(id, &ExpenseApproval { version }).await },
            move |_| done(id),
        );
    };
    let reject = move |id: i64, version: i32| {
        let Some(reason) = ask(t_string!(i18n, exp.reject_reason)) else {
            return;
        };
        run(
            error,
            move || async move {
                api.reject_expense(id, &ExpenseReason { version, reason })
                    .await
            },
            move |_| done(id),
        );
    };
    let approve_ticked = move |_| {
        let chosen: Vec<(i64, i32)> = list.items.with_untracked(|items| {
            items
                .iter()
                .filter(|x| ticked.with_untracked(|t| t.contains(&x.id)))
                .map(|x| (x.id, x.version))
                .collect()
        });
        for (id, version) in chosen {
            approve(id, version);
        }
    };
    let total = move || {
        list.items.with(|items| {
            items
                .iter()
                .filter(|x| ticked.with(|t| t.contains(&x.id)))
                .fold(Money::ZERO, |sum, x| {
                    sum.checked_add(x.amount).unwrap_or(sum)
                })
        })
    };
    view! {
        <section class="card approvals">
            <div class="title-row">
                <h1>{move || t_string!(i18n, exp.approvals)}</h1>
                <A href="/expenses">{move || t_string!(i18n, exp.title)}</A>
            </div>
            <ErrorLine error=list.error />
            <ErrorLine error=error />
            <div class="inline-form">
                <label class="check"><input type="checkbox" name="tick_all" on:change=move |ev| {
                    let all = event_target_checked(&ev);
                    ticked.set(if all { list.items.with_untracked(|i| i.iter().map(|x| x.id).collect()) } else { Vec::new() });
                } />{move || t_string!(i18n, exp.tick_all)}</label>
                <button class="primary" name="approve_ticked" disabled=move || ticked.with(Vec::is_empty) on:click=approve_ticked>
                    {move || t_string!(i18n, exp.approve_ticked)}" ("{move || ticked.with(Vec::len)}" · "{move || money(i18n, total())}")"
                </button>
            </div>
            <div class="table-scroll"><table class="grid expense-queue">
                <thead><tr>
                    <th></th><th>{move || t_string!(i18n, exp.spent_on)}</th><th>{move || t_string!(i18n, exp.spender)}</th>
                    <th>{move || t_string!(i18n, exp.category)}</th><th>{move || t_string!(i18n, exp.description)}</th>
                    <th class="num">{move || t_string!(i18n, exp.amount)}</th><th>{move || t_string!(i18n, common.status)}</th><th></th>
                </tr></thead>
                <tbody>
                    <For each=move || list.items.get() key=|x| (x.id, x.version) children=move |x| {
                        let (id, version) = (x.id, x.version);
                        view! {
                            <tr data-expense=id.to_string()>
                                <td><input type="checkbox" name="tick" prop:checked=move || ticked.with(|t| t.contains(&id)) on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    ticked.update(|t| { t.retain(|x| *x != id); if on { t.push(id); } });
                                } /></td>
                                {expense_cells(i18n, &x)}
                                <td class="actions">
                                    <button class="primary" name="approve" on:click=move |_| approve(id, version)>{move || t_string!(i18n, exp.approve)}</button>
                                    <button name="reject" on:click=move |_| reject(id, version)>{move || t_string!(i18n, exp.reject)}</button>
                                </td>
                            </tr>
                        }
                    } />
                </tbody>
            </table></div>
            <Show when=move || list.items.with(Vec::is_empty)>
                <p class="muted">{move || t_string!(i18n, exp.queue_empty)}</p>
            </Show>
            <Show when=move || list.has_more()>
                <button on:click=move |_| load(true)>{move || t_string!(i18n, common.more)}</button>
            </Show>
        </section>
    }
}

/// The report's rows as bars and a table, with totals.
#[component]
fn ReportTable(report: ExpenseReport) -> impl IntoView {
    let i18n = use_i18n();
    // The thirty largest groups as bars (drawn by the charts bundle, as every report).
    let top: Vec<_> = report.rows.iter().take(30).collect();
    let option = chart::bars(
        lang(i18n) == crm_domain::Lang::En,
        &top.iter().map(|r| r.label.clone()).collect::<Vec<_>>(),
        &[(
            t_string!(i18n, exp.amount).to_string(),
            top.iter()
                .map(|r| chart::number(&r.amount.to_string()))
                .collect(),
        )],
        false,
        &[],
    );
    let by_customer = report.group_by == ExpenseGroup::Customer;
    let group = report.group_by;
    let totals = report.totals.clone();
    let rows = report.rows.clone();
    view! {
        <div class="expense-chart">
            <Chart option=Signal::stored(option) label=Signal::derive(move || t_string!(i18n, exp.chart).to_string()) />
        </div>
        <div class="table-scroll"><table class="grid expense-report">
            <thead><tr>
                <th>{move || group_words(i18n, group)}</th>
                <th class="num">{move || t_string!(i18n, exp.count)}</th>
                <th class="num">{move || t_string!(i18n, exp.amount)}</th>
                {by_customer.then(|| view! {
                    <th class="num">{move || t_string!(i18n, exp.revenue)}</th>
                    <th class="num">{move || t_string!(i18n, exp.ratio)}</th>
                })}
            </tr></thead>
            <tbody>
                {rows.into_iter().map(|r| {
                    let (amount, revenue, ratio) = (r.amount, r.revenue, r.expense_ratio.clone());
                    let label = if group == ExpenseGroup::Customer {
                        view! { <A href=format!("/customers/{}", r.key)>{r.label.clone()}</A> }.into_any()
                    } else {
                        r.label.clone().into_any()
                    };
                    view! {
                        <tr data-key=r.key.clone()>
                            <td>{label}</td>
                            <td class="num">{r.count}</td>
                            <td class="num" data-amount=amount.to_string()>{move || money(i18n, amount)}</td>
                            {by_customer.then(|| view! {
                                <td class="num">{move || revenue.map(|m| money(i18n, m)).unwrap_or_default()}</td>
                                <td class="num">{ratio.clone().map(|p| format!("{p}%")).unwrap_or_else(|| "—".into())}</td>
                            })}
                        </tr>
                    }
                }).collect_view()}
            </tbody>
            <tfoot><tr class="totals">
                <th>{move || t_string!(i18n, exp.total)}</th>
                <th class="num">{totals.count}</th>
                <th class="num" data-total=totals.amount.to_string()>{move || money(i18n, totals.amount)}</th>
                {by_customer.then(|| {
                    let (revenue, ratio) = (totals.revenue, totals.expense_ratio.clone());
                    view! {
                        <th class="num">{move || revenue.map(|m| money(i18n, m)).unwrap_or_default()}</th>
                        <th class="num">{ratio.map(|p| format!("{p}%")).unwrap_or_else(|| "—".into())}</th>
                    }
                })}
            </tr></tfoot>
        </table></div>
        {report.truncated.then(|| view! { <p class="muted">{move || t_string!(i18n, exp.truncated)}</p> })}
    }
}

/// 费用分析: by department, spender, category, customer or month in a period, within scope.
#[component]
pub fn ExpenseAnalysisPage() -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let today = local_today();
    let from = RwSignal::new(year_start(today).to_string());
    let to = RwSignal::new(today.to_string());
    let group = RwSignal::new(ExpenseGroup::Department);
    let status = RwSignal::new(ExpenseReportStatus::Approved);
    let query = move || ExpenseReportQuery {
        from: from.get().parse().ok(),
        to: to.get().parse().ok(),
        group_by: Some(group.get()),
        status: Some(status.get()),
        ..ExpenseReportQuery::default()
    };
    let report = LocalResource::new(move || {
        let q = query();
        async move { api.expense_report(&q).await }
    });
    let error = RwSignal::new(None::<String>);
    let download = move |_| {
        let q = query();
        run(
            error,
            move || async move { api.expense_report_csv(&q).await },
            move |(name, text)| {
                crate::components::save_file(&name, "text/csv;charset=utf-8", &text)
            },
        );
    };
    let workbook = move |_| {
        let q = query();
        run(
            error,
            move || async move { api.expense_report_xlsx(&q).await },
            move |(name, bytes)| {
                crate::components::save_bytes(
                    &name,
                    crm_domain::api::ExportFormat::Xlsx.media_type(),
                    &bytes,
                )
            },
        );
    };
    view! {
        <section class="card expense-analysis">
            <div class="title-row">
                <h1>{move || t_string!(i18n, exp.analysis)}</h1>
                <div class="actions">
                    <button name="xlsx" on:click=workbook>{move || t_string!(i18n, rpt.excel)}</button>
                    <button name="csv" on:click=download>{move || t_string!(i18n, exp.csv)}</button>
                </div>
            </div>
            <div class="inline-form">
                <label>{move || t_string!(i18n, exp.from)}<input type="date" name="from" bind:value=from /></label>
                <label>{move || t_string!(i18n, exp.to)}<input type="date" name="to" bind:value=to /></label>
                <label>{move || t_string!(i18n, exp.group_by)}
                    <select name="group_by" on:change=move |ev| {
                        let chosen = event_target_value(&ev);
                        if let Some(g) = ExpenseGroup::ALL.into_iter().find(|g| g.as_str() == chosen) { group.set(g); }
                    }>
                        {ExpenseGroup::ALL.into_iter().map(|g| view! { <option value=g.as_str() prop:selected=move || group.get() == g>{move || group_words(i18n, g)}</option> }).collect_view()}
                    </select>
                </label>
                <label>{move || t_string!(i18n, common.status)}
                    <select name="status" on:change=move |ev| {
                        let chosen = event_target_value(&ev);
                        if let Some(s) = REPORT_STATUSES.into_iter().find(|s| report_status_name(*s) == chosen) { status.set(s); }
                    }>
                        {REPORT_STATUSES.into_iter().map(|s| view! { <option value=report_status_name(s) prop:selected=move || status.get() == s>{move || report_status_words(i18n, s)}</option> }).collect_view()}
                    </select>
                </label>
            </div>
            <ErrorLine error=error />
            {move || report.get().map(|r| match r {
                Err(e) => view! { <p class="error" role="alert">{e.display()}</p> }.into_any(),
                Ok(report) => view! { <ReportTable report=report /> }.into_any(),
            })}
        </section>
    }
}

/// The customer page's expenses: this year's cost against the customer's receipts, and the
/// expenses spent on the customer.
#[component]
pub fn CustomerExpenses(
    #[prop(into)] customer_id: Signal<i64>,
    #[prop(into)] customer_name: Signal<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let api = use_api();
    let today = local_today();
    let summary = LocalResource::new(move || {
        let q = ExpenseReportQuery {
            from: Some(year_start(today)),
            to: Some(today),
            group_by: Some(ExpenseGroup::Customer),
            customer_id: Some(customer_id.get()),
            ..ExpenseReportQuery::default()
        };
        async move { api.expense_report(&q).await }
    });
    let spent = LocalResource::new(move || {
        let q = ExpenseQuery {
            customer_id: Some(customer_id.get()),
            limit: Some(20),
            ..ExpenseQuery::default()
        };
        async move { api.expenses(&q).await }
    });
    let totals = move || summary.get().and_then(Result::ok).map(|r| r.totals);
    view! {
        <Show when=move || session.can(Permission::ExpenseRead)>
            <section class="card customer-expenses">
                <div class="title-row">
                    <h2>{move || t_string!(i18n, exp.customer_title)}</h2>
                    <Show when=move || session.can(Permission::ExpenseWrite)>
                        <A href=move || format!("/expenses?customer_id={}&for={}", customer_id.get(), js_sys::encode_uri_component(&customer_name.get())) attr:class="button">{move || t_string!(i18n, exp.file)}</A>
                    </Show>
                </div>
                <div class="money-summary">
                    <div class="tile"><span>{move || t_string!(i18n, exp.cost_this_year)}</span><strong data-cost=move || totals().map(|t| t.amount.to_string()).unwrap_or_default()>{move || totals().map(|t| money(i18n, t.amount)).unwrap_or_else(|| "—".into())}</strong></div>
                    <div class="tile"><span>{move || t_string!(i18n, exp.revenue_this_year)}</span><strong data-revenue=move || totals().and_then(|t| t.revenue).map(|m| m.to_string()).unwrap_or_default()>{move || totals().and_then(|t| t.revenue).map(|m| money(i18n, m)).unwrap_or_else(|| "—".into())}</strong></div>
                    <div class="tile"><span>{move || t_string!(i18n, exp.ratio)}</span><strong>{move || totals().and_then(|t| t.expense_ratio).map(|p| format!("{p}%")).unwrap_or_else(|| "—".into())}</strong></div>
                </div>
                {move || spent.get().map(|r| match r {
                    Err(e) => view! { <p class="error" role="alert">{e.display()}</p> }.into_any(),
                    Ok(page) if page.items.is_empty() => view! { <p class="muted">{move || t_string!(i18n, exp.none)}</p> }.into_any(),
                    Ok(page) => view! {
                        <div class="table-scroll"><table class="grid">
                            <tbody>{page.items.into_iter().map(|x| view! { <tr data-expense=x.id.to_string()>{expense_cells(i18n, &x)}</tr> }).collect_view()}</tbody>
                        </table></div>
                    }.into_any(),
                })}
            </section>
        </Show>
    }
}
