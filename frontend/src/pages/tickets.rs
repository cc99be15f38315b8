//! 服务管理: the ticket queue (mine, unassigned, everything I see; overdue in red), a ticket's page
//! (its timeline, assign, start, resolve, close with stars, reopen, comments, and the order's
//! after-sale records beside), opening a complaint from a customer or an order, the customer
//! page's service section, and the service report.

use crate::api::use_api;
use crate::components::{ErrorLine, Paged, labels, route_id, run, when};
use crate::format::I18n;
use crate::i18n::*;
use crate::state::use_session;
use crm_domain::Permission;
use crm_domain::api::{
    NewTicket, NewTicketComment, ServiceGroup, ServiceReportQuery, Ticket, TicketAssign,
    TicketClose, TicketEvent, TicketQuery, TicketResolve, TicketStatusChange,
};
use crm_domain::document::DocumentOf;
use crm_domain::ticket::{TicketAction, TicketKind, TicketPriority, TicketStatus};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};

pub fn kind_words(i18n: I18n, k: TicketKind) -> &'static str {
    match k {
        TicketKind::Complaint => t_string!(i18n, tk.kind.complaint),
        TicketKind::Feedback => t_string!(i18n, tk.kind.feedback),
        TicketKind::Consultation => t_string!(i18n, tk.kind.consultation),
        TicketKind::AfterSale => t_string!(i18n, tk.kind.after_sale),
    }
}

pub fn priority_words(i18n: I18n, p: TicketPriority) -> &'static str {
    match p {
        TicketPriority::Low => t_string!(i18n, tk.priority.low),
        TicketPriority::Normal => t_string!(i18n, tk.priority.normal),
        TicketPriority::High => t_string!(i18n, tk.priority.high),
        TicketPriority::Urgent => t_string!(i18n, tk.priority.urgent),
    }
}

pub fn status_words(i18n: I18n, s: TicketStatus) -> &'static str {
    match s {
        TicketStatus::Open => t_string!(i18n, tk.status.open),
        TicketStatus::InProgress => t_string!(i18n, tk.status.in_progress),
        TicketStatus::Resolved => t_string!(i18n, tk.status.resolved),
        TicketStatus::Closed => t_string!(i18n, tk.status.closed),
    }
}

fn action_words(i18n: I18n, a: TicketAction) -> &'static str {
    match a {
        TicketAction::Start => t_string!(i18n, tk.action.start),
        TicketAction::Resolve => t_string!(i18n, tk.action.resolve),
        TicketAction::Close => t_string!(i18n, tk.action.close),
        TicketAction::Reopen => t_string!(i18n, tk.action.reopen),
    }
}

fn group_words(i18n: I18n, g: ServiceGroup) -> &'static str {
    match g {
        ServiceGroup::Type => t_string!(i18n, tk.group.type_),
        ServiceGroup::Status => t_string!(i18n, tk.group.status),
        ServiceGroup::Assignee => t_string!(i18n, tk.group.assignee),
        ServiceGroup::Customer => t_string!(i18n, tk.group.customer),
        ServiceGroup::Month => t_string!(i18n, tk.group.month),
    }
}

/// Tickets as table rows: number, type, customer, subject, priority, status, assignee, due.
#[component]
fn TicketRows(#[prop(into)] tickets: Signal<Vec<Ticket>>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="table-scroll"><table class="grid tickets">
            <thead><tr>
                <th>{move || t_string!(i18n, tk.number)}</th><th>{move || t_string!(i18n, tk.type_)}</th>
                <th>{move || t_string!(i18n, tk.customer)}</th><th>{move || t_string!(i18n, tk.subject)}</th>
                <th>{move || t_string!(i18n, tk.priority_label)}</th><th>{move || t_string!(i18n, common.status)}</th>
                <th>{move || t_string!(i18n, tk.assignee)}</th><th>{move || t_string!(i18n, tk.due)}</th>
            </tr></thead>
            <tbody>
                <For each=move || tickets.get() key=|x| (x.id, x.version) children=move |x| {
                    let (kind, priority, status, due, overdue) = (x.kind, x.priority, x.status, x.due_at, x.overdue);
                    view! {
                        <tr data-ticket=x.id.to_string() class:overdue=overdue>
                            <td><A href=format!("/tickets/{}", x.id)>{x.number.clone()}</A></td>
                            <td>{move || kind_words(i18n, kind)}</td>
                            <td><A href=format!("/customers/{}", x.customer.id)>{x.customer.name.clone()}</A></td>
                            <td>{x.subject.clone()}</td>
                            <td><span class=format!("priority priority-{}", priority.as_str())>{move || priority_words(i18n, priority)}</span></td>
                            <td><span class=format!("badge ticket-{}", status.as_str())>{move || status_words(i18n, status)}</span></td>
                            <td>{x.assignee.as_ref().map(|a| a.name.clone()).unwrap_or_else(|| "—".into())}</td>
                            <td class="due">{move || when(i18n, due)}{overdue.then(|| view! { <span class="badge danger">{move || t_string!(i18n, tk.overdue)}</span> })}</td>
                        </tr>
                    }
                } />
            </tbody>
        </table></div>
    }
}

/// 工单队列: mine, unassigned, or every ticket I see; overdue only on demand.
#[component]
pub fn TicketsPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let api = use_api();
    let me = move || session.me.with(|m| m.as_ref().map(|m| m.id));
    let handler = move || session.can(Permission::ServiceWrite);
    // "mine", "unassigned" or "all".
    let tab = RwSignal::new(String::new());
    let overdue = RwSignal::new(false);
    let query = move |cursor: Option<String>| {
        let chosen = tab.get();
        let chosen = if chosen.is_empty() {
            if handler() {
                "mine".to_string()
            } else {
                "all".to_string()
            }
        } else {
            chosen
        };
        TicketQuery {
            assignee_id: (chosen == "mine").then(me).flatten(),
            unassigned: (chosen == "unassigned").then_some(true),
            overdue: overdue.get().then_some(true),
            limit: Some(50),
            cursor,
            ..TicketQuery::default()
        }
    };
    // The first page follows the tab (a slower answer for a tab left behind is dropped); more
    // pages continue it.
    let list = Paged::<Ticket>::new();
    list.follow(LocalResource::new(move || {
        let q = query(None);
        async move { api.tickets(&q).await }
    }));
    let load = move |_: bool| {
        list.load(
            move |cursor| {
                let q = untrack(|| query(cursor));
                async move { api.tickets(&q).await }
            },
            true,
        );
    };
    let tabs = [
        ("mine", t_string!(i18n, tk.mine) as &str),
        ("unassigned", t_string!(i18n, tk.unassigned)),
        ("all", t_string!(i18n, tk.all)),
    ];
    let current = move || {
        let t = tab.get();
        if t.is_empty() {
            if handler() {
                "mine".to_string()
            } else {
                "all".to_string()
            }
        } else {
            t
        }
    };
    view! {
        <section class="card ticket-queue">
            <div class="title-row">
                <h1>{move || t_string!(i18n, tk.title)}</h1>
                <A href="/reports/service">{move || t_string!(i18n, tk.report)}</A>
            </div>
            <div class="inline-form tabs">
                {tabs.into_iter().map(|(key, _)| view! {
                    <button class:primary=move || current() == key name=key on:click=move |_| tab.set(key.to_string())>
                        {move || match key { "mine" => t_string!(i18n, tk.mine), "unassigned" => t_string!(i18n, tk.unassigned), _ => t_string!(i18n, tk.all) }}
                    </button>
                }).collect_view()}
                <label class="check"><input type="checkbox" name="overdue" bind:checked=overdue />{move || t_string!(i18n, tk.overdue_only)}</label>
            </div>
            <ErrorLine error=list.error />
            <TicketRows tickets=list.items />
            <Show when=move || list.items.with(Vec::is_empty)>
                <p class="muted">{move || t_string!(i18n, tk.none)}</p>
            </Show>
            <Show when=move || list.has_more()>
                <button on:click=move |_| load(true)>{move || t_string!(i18n, common.more)}</button>
            </Show>
        </section>
    }
}

/// Opens a ticket (a complaint by default) for the customer, and the order, in the address.
#[component]
pub fn NewTicketPage() -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let navigate = use_navigate();
    let query = use_query_map();
    let param = move |k: &str| query.with_untracked(|q| q.get(k).unwrap_or_default());
    let customer_id = param("customer_id").parse::<i64>().ok();
    let order_id = param("order_id").parse::<i64>().ok();
    let about = param("for");
    let kind = RwSignal::new(TicketKind::parse(&param("type")).unwrap_or(TicketKind::Complaint));
    let priority = RwSignal::new(TicketPriority::Normal);
    let subject = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(customer_id) = customer_id else {
            error.set(Some(t_string!(i18n, tk.no_customer).to_string()));
            return;
        };
        let d = description.get_untracked();
        let new = NewTicket {
            kind: kind.get_untracked(),
            customer_id,
            order_id,
            contact_id: None,
            priority: Some(priority.get_untracked()),
            subject: subject.get_untracked(),
            description: (!d.trim().is_empty()).then_some(d),
            assignee_id: None,
        };
        if let Err(e) = crate::components::check(i18n, &new) {
            error.set(Some(e));
            return;
        }
        let navigate = navigate.clone();
        run(
            error,
            move || async move { api.create_ticket(&new).await },
            move |t| navigate(&format!("/tickets/{}", t.id), Default::default()),
        );
    };
    view! {
        <section class="card new-ticket">
            <h1>{move || t_string!(i18n, tk.new)}</h1>
            <p class="muted">{about.clone()}</p>
            <form class="stack" on:submit=submit>
                <label>{move || t_string!(i18n, tk.type_)}
                    <select name="type" on:change=move |ev| { if let Some(k) = TicketKind::parse(&event_target_value(&ev)) { kind.set(k); } }>
                        {TicketKind::ALL.iter().copied().map(|k| view! { <option value=k.as_str() prop:selected=move || kind.get() == k>{move || kind_words(i18n, k)}</option> }).collect_view()}
                    </select>
                </label>
                <label>{move || t_string!(i18n, tk.priority_label)}
                    <select name="priority" on:change=move |ev| { if let Some(p) = TicketPriority::parse(&event_target_value(&ev)) { priority.set(p); } }>
                        {TicketPriority::ALL.iter().copied().map(|p| view! { <option value=p.as_str() prop:selected=move || priority.get() == p>{move || priority_words(i18n, p)}</option> }).collect_view()}
                    </select>
                </label>
                <label>{move || t_string!(i18n, tk.subject)}<input name="subject" required maxlength="200" bind:value=subject /></label>
                <label>{move || t_string!(i18n, tk.description)}<textarea name="description" maxlength="4000" bind:value=description></textarea></label>
                <button type="submit" class="primary">{move || t_string!(i18n, tk.open_it)}</button>
                <ErrorLine error=error />
            </form>
        </section>
    }
}

/// One ticket: facts, what may be done next, the timeline and comments, the order's after-sale
/// records.
#[component]
pub fn TicketPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let api = use_api();
    let id = route_id();
    let reload = RwSignal::new(0u32);
    let ticket = LocalResource::new(move || {
        reload.get();
        let id = id();
        async move { api.ticket(id).await }
    });
    let timeline = LocalResource::new(move || {
        reload.get();
        let id = id();
        async move { api.ticket_events(id).await }
    });
    let error = RwSignal::new(None::<String>);
    let resolution = RwSignal::new(String::new());
    let comment = RwSignal::new(String::new());
    let done = move |_| reload.update(|n| *n += 1);
    let me = move || session.me.with(|m| m.as_ref().map(|m| m.id));
    let send_comment = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = NewTicketComment {
            body: comment.get_untracked(),
        };
        let id = id();
        run(
            error,
            move || async move { api.comment_ticket(id, &body).await },
            move |_| {
                comment.set(String::new());
                reload.update(|n| *n += 1);
            },
        );
    };
    view! {
        {move || ticket.get().map(|r| match r {
            Err(e) => view! { <section class="card"><p class="error" role="alert">{e.display()}</p></section> }.into_any(),
            Ok(x) => {
                let (tid, version, status, kind, priority) = (x.id, x.version, x.status, x.kind, x.priority);
                let handler = session.can(Permission::ServiceWrite);
                let mine = x.assignee.as_ref().map(|a| a.id) == me();
                let move_to = move |action: TicketAction| {
                    let body = TicketStatusChange { version };
                    run(error, move || async move { api.move_ticket(tid, action, &body).await }, done);
                };
                let take = move |_| {
                    let body = TicketAssign { assignee_id: me(), version };
                    run(error, move || async move { api.assign_ticket(tid, &body).await }, done);
                };
                let resolve = move |ev: leptos::ev::SubmitEvent| {
                    ev.prevent_default();
                    let body = TicketResolve { resolution: resolution.get_untracked(), version };
                    run(error, move || async move { api.resolve_ticket(tid, &body).await }, done);
                };
                let close = move |stars: i16| {
                    let body = TicketClose { satisfaction: stars, version };
                    run(error, move || async move { api.close_ticket(tid, &body).await }, done);
                };
                let order = x.order.clone();
                view! {
                    <section class="card ticket-head" data-ticket=tid.to_string() data-status=status.as_str()>
                        <div class="title-row">
                            <h1>{x.number.clone()}" · "{x.subject.clone()}</h1>
                            <span class=format!("badge ticket-{}", status.as_str())>{move || status_words(i18n, status)}</span>
                        </div>
                        <dl class="facts">
                            <dt>{move || t_string!(i18n, tk.type_)}</dt><dd>{move || kind_words(i18n, kind)}</dd>
                            <dt>{move || t_string!(i18n, tk.customer)}</dt><dd><A href=format!("/customers/{}", x.customer.id)>{x.customer.name.clone()}</A></dd>
                            {x.order.clone().map(|o| view! { <dt>{move || t_string!(i18n, tk.order)}</dt><dd><A href=format!("/orders/{}", o.id)>{o.name.clone()}</A></dd> })}
                            <dt>{move || t_string!(i18n, tk.priority_label)}</dt><dd>{move || priority_words(i18n, priority)}</dd>
                            <dt>{move || t_string!(i18n, tk.assignee)}</dt><dd>{x.assignee.as_ref().map(|a| a.name.clone()).unwrap_or_else(|| "—".into())}</dd>
                            <dt>{move || t_string!(i18n, tk.due)}</dt><dd class:overdue=x.overdue>{let due = x.due_at; move || when(i18n, due)}</dd>
                            {x.description.clone().map(|d| view! { <dt>{move || t_string!(i18n, tk.description)}</dt><dd>{d}</dd> })}
                            {x.resolution.clone().map(|d| view! { <dt>{move || t_string!(i18n, tk.resolution)}</dt><dd class="resolution">{d}</dd> })}
                            {x.satisfaction.map(|s| view! { <dt>{move || t_string!(i18n, tk.satisfaction)}</dt><dd class="stars" data-stars=s.to_string()>{"★".repeat(s as usize)}{"☆".repeat(5 - s as usize)}</dd> })}
                        </dl>
                        {handler.then(|| view! {
                            <div class="inline-form ticket-actions">
                                {(!mine && status != TicketStatus::Closed).then(|| view! { <button name="take" on:click=take>{move || t_string!(i18n, tk.take)}</button> })}
                                {(status.after(TicketAction::Start).is_some()).then(|| view! { <button class="primary" name="start" on:click=move |_| move_to(TicketAction::Start)>{move || action_words(i18n, TicketAction::Start)}</button> })}
                                {(status.after(TicketAction::Reopen).is_some()).then(|| view! { <button name="reopen" on:click=move |_| move_to(TicketAction::Reopen)>{move || action_words(i18n, TicketAction::Reopen)}</button> })}
                            </div>
                            {status.after(TicketAction::Resolve).is_some().then(|| view! {
                                <form class="inline-form resolve" on:submit=resolve>
                                    <input name="resolution" required maxlength="4000" placeholder=move || t_string!(i18n, tk.resolution) bind:value=resolution />
                                    <button type="submit" class="primary">{move || action_words(i18n, TicketAction::Resolve)}</button>
                                </form>
                            })}
                            {status.after(TicketAction::Close).is_some().then(|| view! {
                                <div class="inline-form close-stars">
                                    <span>{move || t_string!(i18n, tk.close_with)}</span>
                                    {(1..=5i16).map(|s| view! { <button class="star" name=format!("stars-{s}") title=format!("{s}") on:click=move |_| close(s)>{"★".repeat(s as usize)}</button> }).collect_view()}
                                </div>
                            })}
                        })}
                        <ErrorLine error=error />
                    </section>
                    {order.map(|o| view! { <OrderRecords order_id=o.id /> })}
                }.into_any()
            }
        })}
        <section class="card ticket-timeline">
            <h2>{move || t_string!(i18n, tk.timeline)}</h2>
            <ol class="timeline">
                {move || timeline.get().and_then(Result::ok).unwrap_or_default().into_iter().map(|e| view! { <TimelineEntry event=e /> }).collect_view()}
            </ol>
            <form class="inline-form" on:submit=send_comment>
                <input name="comment" required maxlength="4000" placeholder=move || t_string!(i18n, tk.comment) bind:value=comment />
                <button type="submit">{move || t_string!(i18n, tk.add_comment)}</button>
            </form>
        </section>
        <crate::pages::documents::Documents of=Signal::derive(move || DocumentOf::Ticket(id())) />
    }
}

#[component]
fn TimelineEntry(event: TicketEvent) -> impl IntoView {
    let i18n = use_i18n();
    let at = event.at;
    let what = match (event.kind.as_str(), event.status) {
        ("created", _) => t_string!(i18n, tk.event.created).to_string(),
        ("assigned", _) => format!(
            "{} {}",
            t_string!(i18n, tk.event.assigned),
            event
                .assignee
                .as_ref()
                .map(|a| a.name.clone())
                .unwrap_or_else(|| "—".into())
        ),
        ("status", Some(s)) => status_words(i18n, s).to_string(),
        _ => t_string!(i18n, tk.event.comment).to_string(),
    };
    view! {
        <li data-kind=event.kind.clone()>
            <small>{move || when(i18n, at)}" · "{event.user.name.clone()}</small>
            <strong>{what}</strong>
            {event.body.clone().map(|b| {
                // Closing carries the rating: shown as stars.
                let text = match (event.status, b.parse::<usize>()) {
                    (Some(TicketStatus::Closed), Ok(n)) if (1..=5).contains(&n) => {
                        format!("{}{}", "★".repeat(n), "☆".repeat(5 - n))
                    }
                    _ => b,
                };
                view! { <p>{text}</p> }
            })}
        </li>
    }
}

/// The after-sale records of the ticket's order, for context.
#[component]
fn OrderRecords(order_id: i64) -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let records = LocalResource::new(move || async move { api.service_records(order_id).await });
    view! {
        <section class="card order-records">
            <h2>{move || t_string!(i18n, tk.order_records)}</h2>
            {move || records.get().map(|r| match r {
                Err(e) => view! { <p class="error">{e.display()}</p> }.into_any(),
                Ok(list) if list.is_empty() => view! { <p class="muted">{move || t_string!(i18n, tk.no_records)}</p> }.into_any(),
                Ok(list) => view! {
                    <ul>{list.into_iter().map(|r| { let kind = r.kind; view! { <li>{r.happened_on.to_string()}" · "{move || labels::record_kind(i18n, kind)}" · "{r.by.name.clone()}": "{r.note.clone()}</li> } }).collect_view()}</ul>
                }.into_any(),
            })}
        </section>
    }
}

/// The customer page's service section: the customer's tickets and a "new complaint" action.
#[component]
pub fn CustomerTickets(
    #[prop(into)] customer_id: Signal<i64>,
    #[prop(into)] customer_name: Signal<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let api = use_api();
    let tickets = LocalResource::new(move || {
        let q = TicketQuery {
            customer_id: Some(customer_id.get()),
            limit: Some(20),
            ..TicketQuery::default()
        };
        async move { api.tickets(&q).await }
    });
    let list = Signal::derive(move || {
        tickets
            .get()
            .and_then(Result::ok)
            .map(|p| p.items)
            .unwrap_or_default()
    });
    view! {
        <Show when=move || session.can(Permission::ServiceRead)>
            <section class="card customer-tickets">
                <div class="title-row">
                    <h2>{move || t_string!(i18n, tk.customer_title)}</h2>
                    <A href=move || new_complaint(customer_id.get(), None, &customer_name.get()) attr:class="button" attr:name="new-complaint">{move || t_string!(i18n, tk.new_complaint)}</A>
                </div>
                <Show when=move || list.with(Vec::is_empty)>
                    <p class="muted">{move || t_string!(i18n, tk.none)}</p>
                </Show>
                <Show when=move || list.with(|l| !l.is_empty())>
                    <TicketRows tickets=list />
                </Show>
            </section>
        </Show>
    }
}

/// Where "new complaint" leads for a customer (and an order).
pub fn new_complaint(customer_id: i64, order_id: Option<i64>, about: &str) -> String {
    let mut href = format!("/tickets/new?type=complaint&customer_id={customer_id}");
    if let Some(o) = order_id {
        href.push_str(&format!("&order_id={o}"));
    }
    href.push_str(&format!("&for={}", js_sys::encode_uri_component(about)));
    href
}

/// 服务报表: tickets per type, status, assignee, customer or month this year.
#[component]
pub fn ServiceReportPage() -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let group = RwSignal::new(ServiceGroup::Type);
    let report = LocalResource::new(move || {
        let q = ServiceReportQuery {
            group_by: Some(group.get()),
            ..ServiceReportQuery::default()
        };
        async move { api.service_report(&q).await }
    });
    let label = move |g: ServiceGroup, key: &str, label: &str| -> String {
        match g {
            ServiceGroup::Type => TicketKind::parse(key).map(|k| kind_words(i18n, k).to_string()),
            ServiceGroup::Status => {
                TicketStatus::parse(key).map(|s| status_words(i18n, s).to_string())
            }
            ServiceGroup::Assignee if key == "none" => {
                Some(t_string!(i18n, tk.unassigned).to_string())
            }
            _ => None,
        }
        .unwrap_or_else(|| label.to_string())
    };
    let dash = |v: Option<String>| v.unwrap_or_else(|| "—".into());
    view! {
        <section class="card service-report">
            <div class="title-row">
                <h1>{move || t_string!(i18n, tk.report)}</h1>
                <label>{move || t_string!(i18n, tk.group_by)}
                    <select name="group_by" on:change=move |ev| {
                        let chosen = event_target_value(&ev);
                        if let Some(g) = ServiceGroup::ALL.into_iter().find(|g| g.as_str() == chosen) { group.set(g); }
                    }>
                        {ServiceGroup::ALL.into_iter().map(|g| view! { <option value=g.as_str() prop:selected=move || group.get() == g>{move || group_words(i18n, g)}</option> }).collect_view()}
                    </select>
                </label>
            </div>
            {move || report.get().map(|r| match r {
                Err(e) => view! { <p class="error" role="alert">{e.display()}</p> }.into_any(),
                Ok(r) => {
                    let g = r.group_by;
                    let mut rows = r.rows.clone();
                    rows.push(r.totals.clone());
                    view! {
                        <div class="table-scroll"><table class="grid">
                            <thead><tr>
                                <th>{move || group_words(i18n, g)}</th>
                                <th class="num">{move || t_string!(i18n, tk.count)}</th>
                                <th class="num">{move || t_string!(i18n, tk.pending)}</th>
                                <th class="num">{move || t_string!(i18n, tk.overdue)}</th>
                                <th class="num">{move || t_string!(i18n, tk.avg_hours)}</th>
                                <th class="num">{move || t_string!(i18n, tk.satisfaction)}</th>
                            </tr></thead>
                            <tbody>{rows.into_iter().map(|row| {
                                let total = row.key == "total";
                                let late = row.overdue > 0;
                                let name = if total { t_string!(i18n, tk.total).to_string() } else { label(g, &row.key, &row.label) };
                                view! {
                                    <tr class:totals=total>
                                        <td>{name}</td><td class="num">{row.count}</td><td class="num">{row.pending}</td>
                                        <td class="num" class:overdue=late>{row.overdue}</td>
                                        <td class="num">{dash(row.avg_resolution_hours)}</td>
                                        <td class="num">{dash(row.satisfaction)}</td>
                                    </tr>
                                }
                            }).collect_view()}</tbody>
                        </table></div>
                    }.into_any()
                }
            })}
        </section>
    }
}
