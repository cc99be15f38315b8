//! Customer pages: the list with filters and quick search, the form with a live duplicate warning,
//! the 360° page (details, level, contacts, history), the pipeline board and the review queue.

use crate::api::Api;
use crate::components::{Changes, ErrorLine, Paged, local_offset, run, sleep_ms};
use crate::i18n::format_datetime;
use crate::pages::today::QuickLog;
use crate::state::{I18n, use_i18n, use_session};
use crm_domain::Permission;
use crm_domain::api::{
    Activity, AuditEntry, Contact, Customer, CustomerPatch, CustomerType, DictionaryItem,
    DuplicateCheck, DuplicateMatch, LevelChange, NewContact, NewCustomer, Page, Pipeline,
    ReviewDecision, ReviewRequest,
};
use crm_domain::customer::CustomerLevel;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

pub fn level_key(l: CustomerLevel) -> &'static str {
    match l {
        CustomerLevel::Lead => "level.lead",
        CustomerLevel::Contacted => "level.contacted",
        CustomerLevel::Prospect => "level.prospect",
        CustomerLevel::Signed => "level.signed",
        CustomerLevel::Blacklisted => "level.blacklisted",
    }
}

fn type_key(t: CustomerType) -> &'static str {
    match t {
        CustomerType::Customer => "type.customer",
        CustomerType::Supplier => "type.supplier",
        CustomerType::Partner => "type.partner",
        CustomerType::Agent => "type.agent",
        CustomerType::Competitor => "type.competitor",
    }
}

fn when(i18n: I18n, at: Option<chrono::DateTime<chrono::Utc>>) -> String {
    at.map(|t| format_datetime(i18n.lang.get(), t, local_offset()))
        .unwrap_or_else(|| i18n.t("cust.never").to_string())
}

fn encode(s: &str) -> String {
    String::from(js_sys::encode_uri_component(s))
}

#[component]
pub fn CustomersPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let api = Api::new(session);
    let t = move |k: &'static str| i18n.t(k);
    let q = RwSignal::new(String::new());
    let level = RwSignal::new(String::new());
    let stale = RwSignal::new(String::new());
    let sort = RwSignal::new("-updated".to_string());
    let list = Paged::<Customer>::new();
    let (items, error) = (list.items, list.error);
    // The row whose quick-log form is open.
    let logging = RwSignal::new(None::<i64>);
    let load = move |more: bool| {
        let mut path = format!("/customers?limit=50&sort={}", sort.get_untracked());
        let text = q.get_untracked();
        if !text.trim().is_empty() {
            path.push_str(&format!("&q={}", encode(text.trim())));
        }
        let l = level.get_untracked();
        if !l.is_empty() {
            path.push_str(&format!("&level={l}"));
        }
        let days = stale.get_untracked();
        if !days.is_empty() {
            path.push_str(&format!("&not_contacted_days={days}"));
        }
        list.load(api, path, more);
    };
    Effect::new(move |_| {
        q.track();
        level.track();
        stale.track();
        sort.track();
        load(false);
    });
    view! {
        <section class="card">
            <div class="title-row">
                <h1>{move || t("cust.title")}</h1>
                <Show when=move || session.can(Permission::CustomerCreate)>
                    <A href="/customers/new" attr:class="button primary">{move || t("cust.new")}</A>
                </Show>
            </div>
            <div class="inline-form">
                <input type="search" name="q" placeholder=move || t("cust.search") bind:value=q />
                <select name="level" bind:value=level>
                    <option value="">{move || t("cust.all_levels")}</option>
                    {CustomerLevel::ALL.into_iter().map(|l| view! { <option value=l.as_str()>{move || t(level_key(l))}</option> }).collect_view()}
                </select>
                <select name="not_contacted_days" bind:value=stale>
                    <option value="">{move || t("cust.any_contact")}</option>
                    {[7u32, 30, 90].into_iter().map(|d| view! { <option value=d.to_string()>{move || t("cust.not_contacted").replace("{n}", &d.to_string())}</option> }).collect_view()}
                </select>
                <select name="sort" bind:value=sort>
                    <option value="-updated">{move || t("cust.updated")}</option>
                    <option value="name">{move || t("cust.name")}</option>
                    <option value="last_contact">{move || t("cust.last_contact")}</option>
                </select>
            </div>
            <ErrorLine error=error />
            <table class="grid customers-table">
                <thead><tr>
                    <th>{move || t("cust.name")}</th><th>{move || t("cust.level")}</th><th>{move || t("cust.owner")}</th>
                    <th>{move || t("cust.phone")}</th><th>{move || t("cust.last_contact")}</th><th></th>
                </tr></thead>
                <tbody>
                    {move || items.get().into_iter().map(|c| {
                        let level = c.level;
                        let last = c.last_contact_at;
                        let label = c.name.clone();
                        let cid = c.id;
                        view! {
                            <tr data-customer=c.name.clone()>
                                <td><A href=format!("/customers/{}", c.id)>{label}</A>
                                    {(c.review_status == crm_domain::api::ReviewStatus::Pending).then(|| view! { <span class="badge">{move || t("cust.pending")}</span> })}
                                </td>
                                <td><span class=format!("level level-{}", level.as_str())>{move || t(level_key(level))}</span></td>
                                <td>{c.owner.name.clone()}<small>" · "{c.department.name.clone()}</small></td>
                                <td>{c.phone.clone().unwrap_or_default()}</td>
                                <td>{move || when(i18n, last)}</td>
                                <td>
                                    <Show when=move || session.can(Permission::ActivityCreate)>
                                        <button class="small log-toggle" title=move || t("act.log") on:click=move |_| logging.update(|x| *x = if *x == Some(cid) { None } else { Some(cid) })>{move || t("act.log_short")}</button>
                                    </Show>
                                </td>
                            </tr>
                            <Show when=move || logging.get() == Some(cid)>
                                <tr class="quick-log-row"><td colspan="6">
                                    <QuickLog customer_id=cid compact=true on_logged=move |_| { logging.set(None); load(false); } />
                                </td></tr>
                            </Show>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            <Show when=move || list.has_more()>
                <button on:click=move |_| load(true)>{move || t("common.more")}</button>
            </Show>
        </section>
    }
}

/// The duplicate warning shown while a name or phone is typed.
#[component]
fn DuplicateWarning(matches: RwSignal<Vec<DuplicateMatch>>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Show when=move || matches.with(|m| !m.is_empty())>
            <div class="warning" role="status">
                {move || matches.get().into_iter().map(|m| {
                    let link = m.id.map(|id| view! { " " <A href=format!("/customers/{id}")>{move || i18n.t("cust.open")}</A> });
                    view! { <p>{move || i18n.t("cust.exists")}<strong>{m.name.clone()}</strong>
                        {format!("（{} · {}）", m.owner_name, m.department_name)}{link}</p> }
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
    let api = Api::new(use_session());
    let id = crate::components::route_id();
    let customer = LocalResource::new(move || {
        let id = id();
        async move { api.get::<Customer>(&format!("/customers/{id}")).await }
    });
    view! {
        {move || customer.get().map(|r| match r {
            Ok(c) => view! { <CustomerForm editing=Some(c) /> }.into_any(),
            Err(e) => view! { <section class="card"><p class="error" role="alert">{e.display()}</p></section> }.into_any(),
        })}
    }
}

/// The customer form, for a new customer or (with `editing`) an existing one; it warns while the
/// name, phone or website is typed when another customer has them.
#[component]
fn CustomerForm(editing: Option<Customer>) -> impl IntoView {
    let i18n = use_i18n();
    let api = Api::new(use_session());
    let t = move |k: &'static str| i18n.t(k);
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
            .unwrap_or("customer")
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
    let dict = move |kind: &'static str| {
        LocalResource::new(move || async move {
            api.get::<Vec<DictionaryItem>>(&format!("/dictionaries/{kind}"))
                .await
                .unwrap_or_default()
        })
    };
    let (industries, regions, sources) =
        (dict("industry"), dict("region"), dict("customer_source"));
    let error = RwSignal::new(None::<String>);
    let duplicates = RwSignal::new(Vec::<DuplicateMatch>::new());
    // Ask the server while typing (after a short pause) whether the customer exists.
    let generation = RwSignal::new(0u32);
    Effect::new(move |_| {
        let (n, p, w) = (name.get(), phone.get(), website.get());
        let current = generation.get_untracked() + 1;
        generation.set(current);
        if n.trim().chars().count() < 2 && p.trim().len() < 5 && w.trim().len() < 4 {
            duplicates.set(Vec::new());
            return;
        }
        leptos::task::spawn_local(async move {
            sleep_ms(300).await;
            if generation.get_untracked() != current {
                return;
            }
            let mut path = format!(
                "/customers/check-duplicate?name={}&phone={}&website={}",
                encode(&n),
                encode(&p),
                encode(&w)
            );
            if let Some(id) = editing_id {
                path.push_str(&format!("&except_id={id}"));
            }
            if let Ok(found) = api.get::<DuplicateCheck>(&path).await
                && generation.get_untracked() == current
            {
                duplicates.set(found.matches);
            }
        });
    });
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let opt = |s: RwSignal<String>| Some(s.get_untracked()).filter(|v| !v.trim().is_empty());
        let id = |s: RwSignal<String>| s.get_untracked().parse::<i64>().ok();
        let navigate = navigate.clone();
        let done = move |c: Customer| navigate(&format!("/customers/{}", c.id), Default::default());
        let type_ = CustomerType::parse(&kind.get_untracked()).unwrap_or(CustomerType::Customer);
        if let (Some(cid), Some(version)) = (editing_id, editing_version) {
            let body = CustomerPatch {
                name: Some(name.get_untracked()),
                short_name: Some(opt(short_name)),
                type_: Some(type_),
                industry_id: Some(id(industry)),
                region_id: Some(id(region)),
                source_id: Some(id(source)),
                size: None,
                address: Some(opt(address)),
                phone: Some(opt(phone)),
                website: Some(opt(website)),
                notes: Some(opt(notes)),
                version,
            };
            run(
                error,
                move || async move {
                    api.patch::<Customer, _>(&format!("/customers/{cid}"), &body)
                        .await
                },
                done,
            );
        } else {
            let body = NewCustomer {
                name: name.get_untracked(),
                short_name: opt(short_name),
                type_,
                industry_id: id(industry),
                region_id: id(region),
                source_id: id(source),
                size: None,
                address: opt(address),
                phone: opt(phone),
                website: opt(website),
                owner_id: None,
                notes: opt(notes),
            };
            run(
                error,
                move || async move { api.post::<Customer, _>("/customers", &body).await },
                done,
            );
        }
    };
    let options = move |items: LocalResource<Vec<DictionaryItem>>| {
        move || {
            items
                .get()
                .unwrap_or_default()
                .into_iter()
                .map(|d| {
                    let label = if d.parent_id.is_some() {
                        format!("\u{3000}{}", d.name)
                    } else {
                        d.name.clone()
                    };
                    view! { <option value=d.id.to_string()>{label}</option> }
                })
                .collect_view()
        }
    };
    view! {
        <section class="card">
            <h1>{move || if editing_id.is_some() { t("common.edit") } else { t("cust.new") }}</h1>
            <form class="stack-form" on:submit=save>
                <label>{move || t("cust.name")}<input name="name" required autocomplete="off" bind:value=name /></label>
                <DuplicateWarning matches=duplicates />
                <label>{move || t("cust.short_name")}<input name="short_name" bind:value=short_name /></label>
                <label>{move || t("cust.type")}
                    <select name="type" bind:value=kind>
                        {CustomerType::ALL.into_iter().map(|k| view! { <option value=k.as_str()>{move || t(type_key(k))}</option> }).collect_view()}
                    </select>
                </label>
                <label>{move || t("cust.industry")}{move || { industries.track(); view! { <select name="industry" bind:value=industry><option value="">"—"</option>{options(industries)}</select> } }}</label>
                <label>{move || t("cust.region")}{move || { regions.track(); view! { <select name="region" bind:value=region><option value="">"—"</option>{options(regions)}</select> } }}</label>
                <label>{move || t("cust.source")}{move || { sources.track(); view! { <select name="source" bind:value=source><option value="">"—"</option>{options(sources)}</select> } }}</label>
                <label>{move || t("cust.phone")}<input name="phone" autocomplete="off" bind:value=phone /></label>
                <label>{move || t("cust.website")}<input name="website" bind:value=website /></label>
                <label>{move || t("cust.address")}<input name="address" bind:value=address /></label>
                <label>{move || t("cust.notes")}<textarea name="notes" bind:value=notes></textarea></label>
                <ErrorLine error=error />
                <button type="submit" class="primary">{move || t("common.save")}</button>
            </form>
        </section>
    }
}

#[component]
pub fn CustomerPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let api = Api::new(session);
    let t = move |k: &'static str| i18n.t(k);
    let id = crate::components::route_id();
    let reload = RwSignal::new(0u32);
    let customer = LocalResource::new(move || {
        reload.get();
        let id = id();
        async move { api.get::<Customer>(&format!("/customers/{id}")).await }
    });
    let contacts = LocalResource::new(move || {
        reload.get();
        let id = id();
        async move {
            api.get::<Vec<Contact>>(&format!("/customers/{id}/contacts"))
                .await
                .unwrap_or_default()
        }
    });
    let history = LocalResource::new(move || {
        reload.get();
        let id = id();
        async move {
            api.get::<Page<AuditEntry>>(&format!("/customers/{id}/history?limit=50"))
                .await
                .map(|p| p.items)
                .unwrap_or_default()
        }
    });
    // Dictionary names for the ids on the card.
    let dictionaries = LocalResource::new(move || async move {
        let mut all = Vec::new();
        for kind in ["industry", "region", "customer_source"] {
            all.extend(
                api.get::<Vec<DictionaryItem>>(&format!(
                    "/dictionaries/{kind}?include_disabled=true"
                ))
                .await
                .unwrap_or_default(),
            );
        }
        all
    });
    let dict_name = move |id: Option<i64>| {
        id.and_then(|id| {
            dictionaries
                .get()
                .and_then(|all| all.into_iter().find(|d| d.id == id))
        })
        .map(|d| match (i18n.lang.get(), d.name_en) {
            (crate::i18n::Lang::En, Some(en)) => en,
            _ => d.name,
        })
        .unwrap_or_default()
    };
    let activities = LocalResource::new(move || {
        reload.get();
        let id = id();
        async move {
            api.get::<Page<Activity>>(&format!("/activities?customer_id={id}&limit=50"))
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
        let id = id();
        run(
            error,
            move || async move {
                api.post::<Customer, _>(&format!("/customers/{id}/level"), &body)
                    .await
            },
            move |_| {
                reason.set(String::new());
                reload.update(|n| *n += 1);
            },
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
        let opt = |s: RwSignal<String>| Some(s.get_untracked()).filter(|v| !v.trim().is_empty());
        let body = NewContact {
            name: c_name.get_untracked(),
            title: opt(c_title),
            mobile: opt(c_mobile),
            phone: None,
            email: None,
            im: None,
            birthday: None,
            notes: None,
            is_key: c_key.get_untracked(),
        };
        let id = id();
        run(
            error,
            move || async move {
                api.post::<Contact, _>(&format!("/customers/{id}/contacts"), &body)
                    .await
            },
            move |_| {
                c_name.set(String::new());
                c_title.set(String::new());
                c_mobile.set(String::new());
                c_key.set(false);
                reload.update(|n| *n += 1);
            },
        );
    };
    let offset = local_offset();
    view! {
        <ErrorLine error=error />
        {move || customer.get().map(|r| match r {
            Err(e) => view! { <section class="card"><p class="error" role="alert">{e.display()}</p></section> }.into_any(),
            Ok(c) => {
                let level = c.level;
                let kind = c.type_;
                let last = c.last_contact_at;
                view! {
                    <section class="card">
                        <div class="title-row">
                            <h1>{c.name.clone()}</h1>
                            <span class=format!("level level-{}", level.as_str())>{move || t(level_key(level))}</span>
                            <Show when=move || session.can(Permission::CustomerUpdate)>
                                <A href=format!("/customers/{}/edit", c.id) attr:class="button">{move || t("common.edit")}</A>
                            </Show>
                        </div>
                        <dl class="facts">
                            <dt>{move || t("cust.type")}</dt><dd>{move || t(type_key(kind))}</dd>
                            <dt>{move || t("cust.owner")}</dt><dd>{format!("{} · {}", c.owner.name, c.department.name)}</dd>
                            <dt>{move || t("cust.industry")}</dt><dd>{move || dict_name(c.industry_id)}</dd>
                            <dt>{move || t("cust.region")}</dt><dd>{move || dict_name(c.region_id)}</dd>
                            <dt>{move || t("cust.source")}</dt><dd>{move || dict_name(c.source_id)}</dd>
                            <dt>{move || t("cust.phone")}</dt><dd>{c.phone.clone().unwrap_or_default()}</dd>
                            <dt>{move || t("cust.website")}</dt><dd>{c.website.clone().unwrap_or_default()}</dd>
                            <dt>{move || t("cust.address")}</dt><dd>{c.address.clone().unwrap_or_default()}</dd>
                            <dt>{move || t("cust.grade")}</dt><dd>{c.grade.map(|g| g.to_string()).unwrap_or_default()}</dd>
                            <dt>{move || t("cust.last_contact")}</dt><dd>{move || when(i18n, last)}</dd>
                            <dt>{move || t("cust.notes")}</dt><dd>{c.notes.clone().unwrap_or_default()}</dd>
                        </dl>
                        <Show when=move || session.can(Permission::CustomerUpdate)>
                            <form class="inline-form" on:submit=move_level>
                                <select name="new_level" bind:value=new_level required>
                                    <option value="">{move || t("cust.move_level")}</option>
                                    {CustomerLevel::ALL.into_iter().filter(|l| *l != level).map(|l| view! { <option value=l.as_str()>{move || t(level_key(l))}</option> }).collect_view()}
                                </select>
                                <input name="reason" placeholder=move || t("cust.reason") required bind:value=reason />
                                <button type="submit">{move || t("common.save")}</button>
                            </form>
                        </Show>
                    </section>
                }.into_any()
            }
        })}
        <crate::pages::orders::CustomerOrders customer_id=Signal::derive(id) />
        <section class="card">
            <h2>{move || t("act.title")}</h2>
            <Show when=move || session.can(Permission::ActivityCreate)>
                {move || view! { <QuickLog customer_id=id() on_logged=move |_| reload.update(|n| *n += 1) /> }}
            </Show>
            <table class="grid activities">
                <thead><tr><th>{move || t("act.when")}</th><th>{move || t("act.by")}</th><th>{move || t("act.summary")}</th><th>{move || t("act.next_note")}</th></tr></thead>
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
                            <td>{move || format_datetime(i18n.lang.get(), at, offset)}</td>
                            <td>{x.owner.name.clone()}</td>
                            <td>{x.summary.clone()}</td>
                            <td>{next}</td>
                        </tr> }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
        <section class="card">
            <h2>{move || t("cust.contacts")}</h2>
            <table class="grid">
                <thead><tr><th>{move || t("contact.name")}</th><th>{move || t("contact.title")}</th><th>{move || t("contact.mobile")}</th><th>{move || t("contact.key")}</th></tr></thead>
                <tbody>
                    {move || contacts.get().unwrap_or_default().into_iter().map(|k| view! {
                        <tr><td>{k.name}</td><td>{k.title.unwrap_or_default()}</td><td>{k.mobile.unwrap_or_default()}</td>
                            <td>{if k.is_key { "★" } else { "" }}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
            <Show when=move || session.can(Permission::CustomerUpdate)>
                <form class="inline-form" on:submit=add_contact>
                    <input name="contact_name" placeholder=move || t("contact.name") required bind:value=c_name />
                    <input name="contact_title" placeholder=move || t("contact.title") bind:value=c_title />
                    <input name="contact_mobile" placeholder=move || t("contact.mobile") bind:value=c_mobile />
                    <label class="check"><input type="checkbox" bind:checked=c_key />{move || t("contact.key")}</label>
                    <button type="submit">{move || t("contact.add")}</button>
                </form>
            </Show>
        </section>
        <section class="card">
            <h2>{move || t("cust.history")}</h2>
            <table class="grid">
                <thead><tr><th>{move || t("audit.at")}</th><th>{move || t("audit.user")}</th><th>{move || t("audit.action")}</th><th>{move || t("audit.changes")}</th></tr></thead>
                <tbody>
                    {move || history.get().unwrap_or_default().into_iter().map(|e| {
                        let at = e.at;
                        let (entity, action) = (e.entity.clone(), e.action.clone());
                        view! { <tr>
                            <td>{move || format_datetime(i18n.lang.get(), at, offset)}</td>
                            <td>{e.user.map(|u| u.name).unwrap_or_default()}</td>
                            <td>{move || crate::i18n::audit_label(i18n.lang.get(), &entity, &action)}</td>
                            <td><Changes changes=e.changes.clone() /></td>
                        </tr> }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}

/// The pipeline board: a column per level with its count and cards; moving a card asks for a reason.
#[component]
pub fn PipelinePage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let api = Api::new(session);
    let t = move |k: &'static str| i18n.t(k);
    let reload = RwSignal::new(0u32);
    let counts = LocalResource::new(move || {
        reload.get();
        async move {
            api.get::<Pipeline>("/customers/pipeline")
                .await
                .map(|p| p.levels)
                .unwrap_or_default()
        }
    });
    let error = RwSignal::new(None::<String>);
    let column = move |level: CustomerLevel| {
        let cards = LocalResource::new(move || {
            reload.get();
            async move {
                api.get::<Page<Customer>>(&format!(
                    "/customers?level={}&limit=20&sort=-updated",
                    level.as_str()
                ))
                .await
                .map(|p| p.items)
                .unwrap_or_default()
            }
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
                <h2>{move || t(level_key(level))}" "<span class="count">{count}</span></h2>
                {move || cards.get().unwrap_or_default().into_iter().map(|c| {
                    let id = c.id;
                    let version_level = c.level;
                    let last = c.last_contact_at;
                    let label = c.name.clone();
                    let move_to = move |ev: leptos::ev::Event| {
                        let Some(target) = CustomerLevel::parse(&event_target_value(&ev)) else { return };
                        if target == version_level { return; }
                        let reason = web_sys::window().and_then(|w| w.prompt_with_message(i18n.t("cust.reason_prompt")).ok().flatten());
                        let Some(reason) = reason.filter(|r| !r.trim().is_empty()) else {
                            reload.update(|n| *n += 1);
                            return;
                        };
                        let body = LevelChange { level: target, reason };
                        run(error, move || async move { api.post::<Customer, _>(&format!("/customers/{id}/level"), &body).await }, move |_| reload.update(|n| *n += 1));
                    };
                    view! {
                        <div class="board-card" data-customer=c.name.clone()>
                            <A href=format!("/customers/{id}")>{label}</A>
                            <small>{c.owner.name.clone()}" · "{move || when(i18n, last)}</small>
                            <select name="move" on:change=move_to>
                                {CustomerLevel::ALL.into_iter().map(|l| view! {
                                    <option value=l.as_str() selected=l == version_level>{move || t(level_key(l))}</option>
                                }).collect_view()}
                            </select>
                        </div>
                    }
                }).collect_view()}
            </div>
        }
    };
    view! {
        <section class="card">
            <h1>{move || t("nav.pipeline")}</h1>
            <ErrorLine error=error />
            <div class="board">{CustomerLevel::ALL.into_iter().map(column).collect_view()}</div>
        </section>
    }
}

/// Customers waiting for a manager's approval.
#[component]
pub fn ReviewPage() -> impl IntoView {
    let i18n = use_i18n();
    let api = Api::new(use_session());
    let t = move |k: &'static str| i18n.t(k);
    let reload = RwSignal::new(0u32);
    let pending = LocalResource::new(move || {
        reload.get();
        async move {
            api.get::<Page<Customer>>("/customers?review_status=pending&limit=200")
                .await
                .map(|p| p.items)
                .unwrap_or_default()
        }
    });
    let error = RwSignal::new(None::<String>);
    view! {
        <section class="card">
            <h1>{move || t("nav.review")}</h1>
            <ErrorLine error=error />
            <Show when=move || pending.get().is_some_and(|p| p.is_empty())><p class="hint">{move || t("cust.review_empty")}</p></Show>
            <table class="grid">
                <tbody>
                    {move || pending.get().unwrap_or_default().into_iter().map(|c| {
                        let id = c.id;
                        let decide = move |decision: ReviewDecision| {
                            let body = ReviewRequest { decision, comment: String::new() };
                            run(error, move || async move { api.post::<Customer, _>(&format!("/customers/{id}/review"), &body).await }, move |_| reload.update(|n| *n += 1));
                        };
                        let label = c.name.clone();
                        view! { <tr>
                            <td><A href=format!("/customers/{id}")>{label}</A></td>
                            <td>{c.owner.name.clone()}</td>
                            <td class="actions">
                                <button class="primary" on:click=move |_| decide(ReviewDecision::Approve)>{move || t("cust.approve")}</button>
                                <button class="danger" on:click=move |_| decide(ReviewDecision::Reject)>{move || t("cust.reject")}</button>
                            </td>
                        </tr> }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}
