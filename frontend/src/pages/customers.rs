//! Customer pages: the list with filters and quick search, the form with a live duplicate warning,
//! the 360° page (details, level, contacts, history), the pipeline board and the review queue.

use crate::api::use_api;
use crate::components::{
    ErrorLine, ExportMenu, History, Paged, ask, check, dictionary, entry_name, labels, route_id,
    run, searched, when,
};
use crate::format::I18n;
use crate::i18n::*;
use crate::pages::today::QuickLog;
use crate::state::use_session;
use crm_domain::Permission;
use crm_domain::api::{
    ActivityQuery, Customer, CustomerFilters, CustomerPatch, CustomerQuery, CustomerSortKey,
    CustomerType, DictionaryItem, DictionaryKind, DuplicateCheck, DuplicateMatch, DuplicateQuery,
    ExportKind, LevelChange, NewContact, NewCustomer, PageQuery, ReleaseRequest, ReviewDecision,
    ReviewRequest, ReviewStatus,
};
use crm_domain::customer::CustomerLevel;
use crm_domain::document::DocumentOf;
use crm_domain::paging::Sort;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

/// The last contact as people read it; "never" when there was none.
fn last_contact(i18n: I18n, at: Option<chrono::DateTime<chrono::Utc>>) -> String {
    at.map(|t| when(i18n, t))
        .unwrap_or_else(|| t_string!(i18n, cust.never).to_string())
}

/// `Some(text)` unless the box is blank.
fn filled(s: RwSignal<String>) -> Option<String> {
    Some(s.get_untracked()).filter(|v| !v.trim().is_empty())
}

/// A level as a coloured tag.
#[component]
fn LevelTag(level: CustomerLevel) -> impl IntoView {
    let i18n = use_i18n();
    view! { <span class=format!("level level-{}", level.as_str())>{move || labels::level(i18n, level)}</span> }
}

/// The `<option>`s of every level, but `except`.
fn level_options(
    i18n: I18n,
    except: Option<CustomerLevel>,
    selected: Option<CustomerLevel>,
) -> impl IntoView {
    CustomerLevel::ALL
        .into_iter()
        .filter(move |l| Some(*l) != except)
        .map(move |l| view! { <option value=l.as_str() selected=Some(l) == selected>{move || labels::level(i18n, l)}</option> })
        .collect_view()
}

#[component]
pub fn CustomersPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let api = use_api();
    let q = RwSignal::new(String::new());
    let level = RwSignal::new(String::new());
    let stale = RwSignal::new(String::new());
    let sort = RwSignal::new("-updated".to_string());
    let reload = RwSignal::new(0u32);
    let query = move |cursor: Option<String>| CustomerQuery {
        q: Some(q.get_untracked().trim().to_string()).filter(|t| !t.is_empty()),
        level: CustomerLevel::parse(&level.get_untracked()),
        not_contacted_days: stale.get_untracked().parse().ok(),
        sort: sort.get_untracked().parse::<Sort<CustomerSortKey>>().ok(),
        cursor,
        ..CustomerQuery::default()
    };
    let list = Paged::<Customer>::new();
    list.follow(searched(
        move || (q.get(), level.get(), stale.get(), sort.get(), reload.get()),
        move |_| {
            let q = query(None);
            async move { api.customers(&q).await }
        },
    ));
    let more = move |_| {
        list.load(
            move |cursor| {
                let q = query(cursor);
                async move { api.customers(&q).await }
            },
            true,
        )
    };
    let (items, error) = (list.items, list.error);
    // The row whose quick-log form is open.
    let logging = RwSignal::new(None::<i64>);
    view! {
        <section class="card">
            <div class="title-row">
                <h1>{move || t_string!(i18n, cust.title)}</h1>
                <div class="title-actions">
                    <ExportMenu choices=vec![
                        (ExportKind::Customers, Signal::derive(move || crate::api::filters(&query(None)))),
                        (ExportKind::Contacts, Signal::derive(move || crate::api::filters(&query(None)))),
                        (ExportKind::Activities, Signal::stored(String::new())),
                    ] />
                    <Show when=move || session.can(Permission::CustomerCreate)>
                        <A href="/customers/import" attr:class="button">{move || t_string!(i18n, imp.link)}</A>
                        <A href="/customers/new" attr:class="button primary">{move || t_string!(i18n, cust.new)}</A>
                    </Show>
                </div>
            </div>
            <div class="inline-form">
                <input type="search" name="q" placeholder=move || t_string!(i18n, cust.search) bind:value=q />
                <select name="level" bind:value=level>
                    <option value="">{move || t_string!(i18n, cust.all_levels)}</option>
                    {level_options(i18n, None, None)}
                </select>
                <select name="not_contacted_days" bind:value=stale>
                    <option value="">{move || t_string!(i18n, cust.any_contact)}</option>
                    {[7u32, 30, 90].into_iter().map(|d| view! { <option value=d.to_string()>{move || t_string!(i18n, cust.not_contacted, n = d).to_string()}</option> }).collect_view()}
                </select>
                <select name="sort" bind:value=sort>
                    <option value="-updated">{move || t_string!(i18n, cust.updated)}</option>
                    <option value="name">{move || t_string!(i18n, cust.name)}</option>
                    <option value="last_contact">{move || t_string!(i18n, cust.last_contact)}</option>
                </select>
            </div>
            <ErrorLine error=error />
            <table class="grid customers-table">
                <thead><tr>
                    <th>{move || t_string!(i18n, cust.name)}</th><th>{move || t_string!(i18n, cust.level)}</th><th>{move || t_string!(i18n, cust.owner)}</th>
                    <th>{move || t_string!(i18n, cust.phone)}</th><th>{move || t_string!(i18n, cust.last_contact)}</th><th></th>
                </tr></thead>
                <tbody>
                    {move || items.get().into_iter().map(|c| {
                        let last = c.last_contact_at;
                        let cid = c.id;
                        let name = c.name.clone();
                        view! {
                            <tr data-customer=c.name.clone()>
                                <td><A href=format!("/customers/{cid}")>{name}</A>
                                    {(c.review_status == ReviewStatus::Pending).then(|| view! { <span class="badge">{move || t_string!(i18n, cust.pending)}</span> })}
                                </td>
                                <td><LevelTag level=c.level /></td>
                                <td>{c.owner.name.clone()}<small>" · "{c.department.name.clone()}</small></td>
                                <td>{c.phone.clone().unwrap_or_default()}</td>
                                <td>{move || last_contact(i18n, last)}</td>
                                <td>
                                    <Show when=move || session.can(Permission::ActivityCreate)>
                                        <button class="small log-toggle" title=move || t_string!(i18n, act.log) on:click=move |_| logging.update(|x| *x = if *x == Some(cid) { None } else { Some(cid) })>{move || t_string!(i18n, act.log_short)}</button>
                                    </Show>
                                </td>
                            </tr>
                            <Show when=move || logging.get() == Some(cid)>
                                <tr class="quick-log-row"><td colspan="6">
                                    <QuickLog customer_id=cid compact=true on_logged=move |_| { logging.set(None); reload.update(|n| *n += 1); } />
                                </td></tr>
                            </Show>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            <Show when=move || list.has_more()>
                <button on:click=more>{move || t_string!(i18n, common.more)}</button>
            </Show>
        </section>
    }
}

/// The duplicate warning shown while a name or phone is typed.
#[component]
fn DuplicateWarning(#[prop(into)] matches: Signal<Vec<DuplicateMatch>>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Show when=move || matches.with(|m| !m.is_empty())>
            <div class="warning" role="status">
                {move || matches.get().into_iter().map(|m| {
                    if m.in_pool {
                        let find = format!("/pool?q={}", String::from(js_sys::encode_uri_component(&m.name)));
                        return view! { <p>{move || t_string!(i18n, cust.exists)}<strong>{m.name.clone()}</strong>
                            "（"{move || t_string!(i18n, pool.in_pool_note)}"）"" "<A href=find>{move || t_string!(i18n, pool.go_claim)}</A></p> }.into_any();
                    }
                    let link = m.id.map(|id| view! { " " <A href=format!("/customers/{id}")>{move || t_string!(i18n, cust.open)}</A> });
                    view! { <p>{move || t_string!(i18n, cust.exists)}<strong>{m.name.clone()}</strong>
                        {format!("（{} · {}）", m.owner_name, m.department_name)}{link}</p> }.into_any()
                }).collect_view()}
            </div>
        </Show>
    }
}

#[component]
pub fn NewCustomerPage() -> impl IntoView {
    view! { <CustomerForm editing=None /> }
}

#[component]
pub fn EditCustomerPage() -> impl IntoView {
    let api = use_api();
    let id = route_id();
    let customer = LocalResource::new(move || {
        let id = id();
        async move { api.customer(id).await }
    });
    view! {
        {move || customer.get().map(|r| match r {
            Ok(c) => view! { <CustomerForm editing=Some(c) /> }.into_any(),
            Err(e) => view! { <section class="card"><p class="error" role="alert">{e.display()}</p></section> }.into_any(),
        })}
    }
}

/// A select of a dictionary's entries (children indented under their parent), with a blank
/// choice first; disabled entries show only when `value` already names one.
#[component]
fn DictionarySelect(
    kind: DictionaryKind,
    name: &'static str,
    value: RwSignal<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let items = dictionary(use_api(), kind);
    let options = move || {
        let current = value.get_untracked();
        items
            .get()
            .unwrap_or_default()
            .into_iter()
            .filter(|d| d.enabled || d.id.to_string() == current)
            .map(|d: DictionaryItem| {
                let indent = if d.parent_id.is_some() { "\u{3000}" } else { "" };
                let id = d.id.to_string();
                let selected = id == current;
                view! { <option value=id selected=selected>{move || format!("{indent}{}", entry_name(i18n, &d))}</option> }
            })
            .collect_view()
    };
    view! {
        <select name=name on:change=move |ev| value.set(event_target_value(&ev))>
            <option value="">"—"</option>
            {options}
        </select>
    }
}

/// The customer form, for a new customer or (with `editing`) an existing one; it warns while the
/// name, phone or website is typed when another customer has them.
#[component]
fn CustomerForm(editing: Option<Customer>) -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let navigate = use_navigate();
    let text = |v: Option<&String>| RwSignal::new(v.cloned().unwrap_or_default());
    let e = editing.as_ref();
    let name = text(e.map(|c| &c.name));
    let short_name = text(e.and_then(|c| c.short_name.as_ref()));
    let phone = text(e.and_then(|c| c.phone.as_ref()));
    let website = text(e.and_then(|c| c.website.as_ref()));
    let address = text(e.and_then(|c| c.address.as_ref()));
    let notes = text(e.and_then(|c| c.notes.as_ref()));
    let kind = RwSignal::new(
        e.map(|c| c.type_.as_str())
            .unwrap_or(CustomerType::Customer.as_str())
            .to_string(),
    );
    let id_text = |v: Option<i64>| RwSignal::new(v.map(|i| i.to_string()).unwrap_or_default());
    let (industry, region, source) = (
        id_text(e.and_then(|c| c.industry_id)),
        id_text(e.and_then(|c| c.region_id)),
        id_text(e.and_then(|c| c.source_id)),
    );
    let editing_id = e.map(|c| c.id);
    let editing_version = e.map(|c| c.version);
    let error = RwSignal::new(None::<String>);
    // Asks the server while typing whether the customer exists; the server decides which keys
    // are long enough to compare.
    let duplicates = searched(
        move || (name.get(), phone.get(), website.get()),
        move |(name, phone, website)| {
            let q = DuplicateQuery {
                name: Some(name).filter(|v| !v.trim().is_empty()),
                phone: Some(phone).filter(|v| !v.trim().is_empty()),
                website: Some(website).filter(|v| !v.trim().is_empty()),
                except_id: editing_id,
            };
            async move {
                if q.name.is_none() && q.phone.is_none() && q.website.is_none() {
                    return Ok(DuplicateCheck {
                        matches: Vec::new(),
                    });
                }
                api.check_duplicate(&q).await
            }
        },
    );
    let matches = Signal::derive(move || {
        duplicates
            .get()
            .and_then(Result::ok)
            .map(|d| d.matches)
            .unwrap_or_default()
    });
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let id = |s: RwSignal<String>| s.get_untracked().parse::<i64>().ok();
        let navigate = navigate.clone();
        let done = move |c: Customer| navigate(&format!("/customers/{}", c.id), Default::default());
        let type_ = CustomerType::parse(&kind.get_untracked()).unwrap_or(CustomerType::Customer);
        if let (Some(cid), Some(version)) = (editing_id, editing_version) {
            let body = CustomerPatch {
                name: Some(name.get_untracked()),
                short_name: Some(filled(short_name)),
                type_: Some(type_),
                industry_id: Some(id(industry)),
                region_id: Some(id(region)),
                source_id: Some(id(source)),
                size: None,
                address: Some(filled(address)),
                phone: Some(filled(phone)),
                website: Some(filled(website)),
                notes: Some(filled(notes)),
                version,
            };
            if let Err(e) = check(i18n, &body) {
                error.set(Some(e));
                return;
            }
            run(
                error,
                move || async move { api.update_customer(cid, &body).await },
                done,
            );
        } else {
            let body = NewCustomer {
                name: name.get_untracked(),
                short_name: filled(short_name),
                type_,
                industry_id: id(industry),
                region_id: id(region),
                source_id: id(source),
                size: None,
                address: filled(address),
                phone: filled(phone),
                website: filled(website),
                owner_id: None,
                notes: filled(notes),
            };
            if let Err(e) = check(i18n, &body) {
                error.set(Some(e));
                return;
            }
            run(
                error,
                move || async move { api.create_customer(&body).await },
                done,
            );
        }
    };
    view! {
        <section class="card">
            <h1>{move || if editing_id.is_some() { t_string!(i18n, common.edit) } else { t_string!(i18n, cust.new) }}</h1>
            <form class="stack-form" on:submit=save>
                <label>{move || t_string!(i18n, cust.name)}<input name="name" required autocomplete="off" bind:value=name /></label>
                <DuplicateWarning matches=matches />
                <label>{move || t_string!(i18n, cust.short_name)}<input name="short_name" bind:value=short_name /></label>
                <label>{move || t_string!(i18n, cust.kind)}
                    <select name="type" bind:value=kind>
                        {CustomerType::ALL.into_iter().map(|k| view! { <option value=k.as_str()>{move || labels::customer_type(i18n, k)}</option> }).collect_view()}
                    </select>
                </label>
                <label>{move || t_string!(i18n, cust.industry)}<DictionarySelect kind=DictionaryKind::Industry name="industry" value=industry /></label>
                <label>{move || t_string!(i18n, cust.region)}<DictionarySelect kind=DictionaryKind::Region name="region" value=region /></label>
                <label>{move || t_string!(i18n, cust.source)}<DictionarySelect kind=DictionaryKind::CustomerSource name="source" value=source /></label>
                <label>{move || t_string!(i18n, cust.phone)}<input name="phone" autocomplete="off" bind:value=phone /></label>
                <label>{move || t_string!(i18n, cust.website)}<input name="website" bind:value=website /></label>
                <label>{move || t_string!(i18n, cust.address)}<input name="address" bind:value=address /></label>
                <label>{move || t_string!(i18n, cust.notes)}<textarea name="notes" bind:value=notes></textarea></label>
                <ErrorLine error=error />
                <button type="submit" class="primary">{move || t_string!(i18n, common.save)}</button>
            </form>
        </section>
    }
}

#[component]
pub fn CustomerPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let api = use_api();
    let id = route_id();
    let reload = RwSignal::new(0u32);
    let customer = LocalResource::new(move || {
        reload.get();
        let id = id();
        async move { api.customer(id).await }
    });
    let contacts = LocalResource::new(move || {
        reload.get();
        let id = id();
        async move { api.contacts(id).await.unwrap_or_default() }
    });
    let history = LocalResource::new(move || {
        reload.get();
        let id = id();
        async move {
            api.customer_history(id, &PageQuery::default())
                .await
                .map(|p| p.items)
                .unwrap_or_default()
        }
    });
    // Dictionary names for the ids on the card.
    let (industries, regions, sources) = (
        dictionary(api, DictionaryKind::Industry),
        dictionary(api, DictionaryKind::Region),
        dictionary(api, DictionaryKind::CustomerSource),
    );
    let dict_name = move |items: LocalResource<Vec<DictionaryItem>>, id: Option<i64>| {
        move || {
            id.and_then(|id| {
                items
                    .get()
                    .and_then(|all| all.into_iter().find(|d| d.id == id))
            })
            .map(|d| entry_name(i18n, &d))
            .unwrap_or_default()
        }
    };
    let activities = LocalResource::new(move || {
        reload.get();
        let q = ActivityQuery {
            customer_id: Some(id()),
            ..ActivityQuery::default()
        };
        async move {
            api.activities(&q)
                .await
                .map(|p| p.items)
                .unwrap_or_default()
        }
    });
    let error = RwSignal::new(None::<String>);
    let new_level = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let move_level = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(level) = CustomerLevel::parse(&new_level.get_untracked()) else {
            return;
        };
        let body = LevelChange {
            level,
            reason: reason.get_untracked(),
        };
        if let Err(e) = check(i18n, &body) {
            error.set(Some(e));
            return;
        }
        let id = id();
        run(
            error,
            move || async move { api.change_level(id, &body).await },
            move |_| {
                reason.set(String::new());
                new_level.set(String::new());
                reload.update(|n| *n += 1);
            },
        );
    };
    let navigate = use_navigate();
    let release = move |_| {
        let Some(reason) = ask(t_string!(i18n, pool.release_reason)) else {
            return;
        };
        let id = id();
        let navigate = navigate.clone();
        run(
            error,
            move || async move { api.release(id, &ReleaseRequest { reason }).await },
            move |_| navigate("/pool", Default::default()),
        );
    };
    let (c_name, c_title, c_mobile) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let c_key = RwSignal::new(false);
    let add_contact = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = NewContact {
            name: c_name.get_untracked(),
            title: filled(c_title),
            mobile: filled(c_mobile),
            phone: None,
            email: None,
            im: None,
            birthday: None,
            notes: None,
            is_key: c_key.get_untracked(),
        };
        if let Err(e) = check(i18n, &body) {
            error.set(Some(e));
            return;
        }
        let id = id();
        run(
            error,
            move || async move { api.create_contact(id, &body).await },
            move |_| {
                c_name.set(String::new());
                c_title.set(String::new());
                c_mobile.set(String::new());
                c_key.set(false);
                reload.update(|n| *n += 1);
            },
        );
    };
    view! {
        <ErrorLine error=error />
        {move || customer.get().map(|r| match r {
            Err(e) => view! { <section class="card"><p class="error" role="alert">{e.display()}</p></section> }.into_any(),
            Ok(c) => {
                let level = c.level;
                let kind = c.type_;
                let last = c.last_contact_at;
                let in_pool = c.pooled_at.is_some();
                let release = release.clone();
                // Shown once the day is within the warning the owner would get (a week if none).
                let returns = c.pool_return.clone().filter(|r| r.days_left <= 7);
                view! {
                    <section class="card">
                        <div class="title-row">
                            <h1>{c.name.clone()}</h1>
                            <LevelTag level=level />
                            <Show when=move || session.can(Permission::CustomerUpdate)>
                                <A href=format!("/customers/{}/edit", c.id) attr:class="button">{move || t_string!(i18n, common.edit)}</A>
                            </Show>
                            <Show when=move || session.can(Permission::CustomerUpdate) && !in_pool>
                                <button class="release" on:click=release.clone()>{move || t_string!(i18n, pool.release)}</button>
                            </Show>
                        </div>
                        {in_pool.then(|| view! { <p class="warning" role="status">{move || t_string!(i18n, pool.in_pool_note)}</p> })}
                        {returns.map(|r| {
                            let (days, on, rule) = (r.days_left.max(0), r.on.to_string(), r.rule);
                            view! { <p class="warning pool-return" role="status">{move || if days == 0 {
                                t_string!(i18n, pool.due_now).to_string()
                            } else {
                                t_string!(i18n, pool.returns, days = days, on = on.clone(), rule = crate::pages::pool::rule_label(i18n, rule)).to_string()
                            }}</p> }
                        })}
                        <dl class="facts">
                            <dt>{move || t_string!(i18n, cust.kind)}</dt><dd>{move || labels::customer_type(i18n, kind)}</dd>
                            <dt>{move || t_string!(i18n, cust.owner)}</dt><dd>{format!("{} · {}", c.owner.name, c.department.name)}</dd>
                            <dt>{move || t_string!(i18n, cust.industry)}</dt><dd>{dict_name(industries, c.industry_id)}</dd>
                            <dt>{move || t_string!(i18n, cust.region)}</dt><dd>{dict_name(regions, c.region_id)}</dd>
                            <dt>{move || t_string!(i18n, cust.source)}</dt><dd>{dict_name(sources, c.source_id)}</dd>
                            <dt>{move || t_string!(i18n, cust.phone)}</dt><dd>{c.phone.clone().unwrap_or_default()}</dd>
                            <dt>{move || t_string!(i18n, cust.website)}</dt><dd>{c.website.clone().unwrap_or_default()}</dd>
                            <dt>{move || t_string!(i18n, cust.address)}</dt><dd>{c.address.clone().unwrap_or_default()}</dd>
                            <dt>{move || t_string!(i18n, cust.grade)}</dt><dd>{c.grade.map(|g| g.to_string()).unwrap_or_default()}</dd>
                            <dt>{move || t_string!(i18n, cust.last_contact)}</dt><dd>{move || last_contact(i18n, last)}</dd>
                            <dt>{move || t_string!(i18n, cust.notes)}</dt><dd>{c.notes.clone().unwrap_or_default()}</dd>
                        </dl>
                        <Show when=move || session.can(Permission::CustomerUpdate)>
                            <form class="inline-form" on:submit=move_level>
                                <select name="new_level" bind:value=new_level required>
                                    <option value="">{move || t_string!(i18n, cust.move_level)}</option>
                                    {level_options(i18n, Some(level), None)}
                                </select>
                                <input name="reason" placeholder=move || t_string!(i18n, cust.reason) required bind:value=reason />
                                <button type="submit">{move || t_string!(i18n, common.save)}</button>
                            </form>
                        </Show>
                    </section>
                }.into_any()
            }
        })}
        <crate::pages::opportunities::CustomerOpportunities customer_id=Signal::derive(id) />
        <crate::pages::orders::CustomerOrders customer_id=Signal::derive(id) />
        <crate::pages::tickets::CustomerTickets customer_id=Signal::derive(id) customer_name=Signal::derive(move || customer.get().and_then(Result::ok).map(|c| c.name).unwrap_or_default()) />
        <crate::pages::expenses::CustomerExpenses customer_id=Signal::derive(id) customer_name=Signal::derive(move || customer.get().and_then(Result::ok).map(|c| c.name).unwrap_or_default()) />
        <section class="card">
            <h2>{move || t_string!(i18n, act.title)}</h2>
            <Show when=move || session.can(Permission::ActivityCreate)>
                {move || view! { <QuickLog customer_id=id() on_logged=move |_| reload.update(|n| *n += 1) /> }}
            </Show>
            <table class="grid activities">
                <thead><tr><th>{move || t_string!(i18n, act.when)}</th><th>{move || t_string!(i18n, act.by)}</th><th>{move || t_string!(i18n, act.summary)}</th><th>{move || t_string!(i18n, act.next_note)}</th></tr></thead>
                <tbody>
                    {move || activities.get().unwrap_or_default().into_iter().map(|x| {
                        let at = x.occurred_at;
                        let next = match (x.next_step_on, x.next_step_note) {
                            (Some(d), Some(n)) => format!("{d} {n}"),
                            (Some(d), None) => d.to_string(),
                            (None, Some(n)) => n,
                            (None, None) => String::new(),
                        };
                        view! { <tr>
                            <td>{move || when(i18n, at)}</td>
                            <td>{x.owner.name.clone()}</td>
                            <td>{x.summary.clone()}</td>
                            <td>{next}</td>
                        </tr> }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
        <section class="card">
            <h2>{move || t_string!(i18n, cust.contacts)}</h2>
            <table class="grid">
                <thead><tr><th>{move || t_string!(i18n, contact.name)}</th><th>{move || t_string!(i18n, contact.title)}</th><th>{move || t_string!(i18n, contact.mobile)}</th><th>{move || t_string!(i18n, contact.key)}</th></tr></thead>
                <tbody>
                    {move || contacts.get().unwrap_or_default().into_iter().map(|k| view! {
                        <tr><td>{k.name}</td><td>{k.title.unwrap_or_default()}</td><td>{k.mobile.unwrap_or_default()}</td>
                            <td>{if k.is_key { "★" } else { "" }}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
            <Show when=move || session.can(Permission::CustomerUpdate)>
                <form class="inline-form" on:submit=add_contact>
                    <input name="contact_name" placeholder=move || t_string!(i18n, contact.name) required bind:value=c_name />
                    <input name="contact_title" placeholder=move || t_string!(i18n, contact.title) bind:value=c_title />
                    <input name="contact_mobile" placeholder=move || t_string!(i18n, contact.mobile) bind:value=c_mobile />
                    <label class="check"><input type="checkbox" bind:checked=c_key />{move || t_string!(i18n, contact.key)}</label>
                    <button type="submit">{move || t_string!(i18n, contact.add)}</button>
                </form>
            </Show>
        </section>
        <crate::pages::documents::Documents of=Signal::derive(move || DocumentOf::Customer(id())) />
        <section class="card">
            <h2>{move || t_string!(i18n, cust.history)}</h2>
            <History entries=Signal::derive(move || history.get().unwrap_or_default()) />
        </section>
    }
}

/// The pipeline board: a column per level with its count and cards; moving a card asks for a reason.
#[component]
pub fn PipelinePage() -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let reload = RwSignal::new(0u32);
    let counts = LocalResource::new(move || {
        reload.get();
        async move {
            api.pipeline(&CustomerFilters::default())
                .await
                .map(|p| p.levels)
                .unwrap_or_default()
        }
    });
    let error = RwSignal::new(None::<String>);
    let column = move |level: CustomerLevel| {
        let cards = LocalResource::new(move || {
            reload.get();
            let q = CustomerQuery {
                level: Some(level),
                limit: Some(20),
                sort: Some(Sort::desc(CustomerSortKey::Updated)),
                ..CustomerQuery::default()
            };
            async move { api.customers(&q).await.map(|p| p.items).unwrap_or_default() }
        });
        let count = move || {
            counts
                .get()
                .unwrap_or_default()
                .into_iter()
                .find(|l| l.level == level)
                .map(|l| l.count)
                .unwrap_or(0)
        };
        view! {
            <div class="board-column" data-level=level.as_str()>
                <h2>{move || labels::level(i18n, level)}" "<span class="count">{count}</span></h2>
                {move || cards.get().unwrap_or_default().into_iter().map(|c| {
                    let id = c.id;
                    let now = c.level;
                    let last = c.last_contact_at;
                    let name = c.name.clone();
                    let move_to = move |ev: leptos::ev::Event| {
                        let Some(target) = CustomerLevel::parse(&event_target_value(&ev)) else { return };
                        if target == now { return; }
                        let Some(reason) = ask(t_string!(i18n, cust.reason_prompt)) else {
                            reload.update(|n| *n += 1);
                            return;
                        };
                        let body = LevelChange { level: target, reason };
                        run(error, move || async move { api.change_level(id, &body).await }, move |_| reload.update(|n| *n += 1));
                    };
                    view! {
                        <div class="board-card" data-customer=c.name.clone()>
                            <A href=format!("/customers/{id}")>{name}</A>
                            <small>{c.owner.name.clone()}" · "{move || last_contact(i18n, last)}</small>
                            <select name="move" on:change=move_to>{level_options(i18n, None, Some(now))}</select>
                        </div>
                    }
                }).collect_view()}
            </div>
        }
    };
    view! {
        <section class="card">
            <h1>{move || t_string!(i18n, nav.pipeline)}</h1>
            <ErrorLine error=error />
            <div class="board">{CustomerLevel::ALL.into_iter().map(column).collect_view()}</div>
        </section>
    }
}

/// Customers waiting for a manager's approval.
#[component]
pub fn ReviewPage() -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let reload = RwSignal::new(0u32);
    let pending = LocalResource::new(move || {
        reload.get();
        let q = CustomerQuery {
            review_status: Some(ReviewStatus::Pending),
            limit: Some(crm_domain::paging::MAX_LIMIT),
            ..CustomerQuery::default()
        };
        async move { api.customers(&q).await.map(|p| p.items).unwrap_or_default() }
    });
    let error = RwSignal::new(None::<String>);
    view! {
        <section class="card">
            <h1>{move || t_string!(i18n, nav.review)}</h1>
            <ErrorLine error=error />
            <Show when=move || pending.get().is_some_and(|p| p.is_empty())><p class="hint">{move || t_string!(i18n, cust.review_empty)}</p></Show>
            <table class="grid">
                <tbody>
                    {move || pending.get().unwrap_or_default().into_iter().map(|c| {
                        let id = c.id;
                        let decide = move |decision: ReviewDecision| {
                            let body = ReviewRequest { decision, comment: String::new() };
                            run(error, move || async move { api.review_customer(id, &body).await }, move |_| reload.update(|n| *n += 1));
                        };
                        view! { <tr>
                            <td><A href=format!("/customers/{id}")>{c.name.clone()}</A></td>
                            <td>{c.owner.name.clone()}</td>
                            <td class="actions">
                                <button class="primary" on:click=move |_| decide(ReviewDecision::Approve)>{move || t_string!(i18n, cust.approve)}</button>
                                <button class="danger" on:click=move |_| decide(ReviewDecision::Reject)>{move || t_string!(i18n, cust.reject)}</button>
                            </td>
                        </tr> }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}
