//! The public pool (公海): the list with claim buttons, and the reclaim preview for administrators.

use crate::api::use_api;
use crate::components::{ErrorLine, Paged, dictionary, entry_name, labels, run, searched, when};
use crate::format::I18n;
use crate::i18n::*;
use crate::state::use_session;
use crm_domain::Permission;
use crm_domain::api::{
    ClaimRequest, CustomerSortKey, DictionaryItem, DictionaryKind, PoolCustomer, PoolQuery,
    PoolRule, ReclaimCandidate, ReclaimPreviewQuery, UserQuery,
};
use crm_domain::customer::CustomerLevel;
use crm_domain::paging::Sort;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

/// A reclaim rule as people read it.
pub fn rule_label(i18n: I18n, rule: PoolRule) -> &'static str {
    match rule {
        PoolRule::NoContact => t_string!(i18n, pool.rule_no_contact),
        PoolRule::Unsigned => t_string!(i18n, pool.rule_unsigned),
    }
}

/// The name of a dictionary entry by id, once the entries have loaded.
fn entry(i18n: I18n, items: LocalResource<Vec<DictionaryItem>>, id: Option<i64>) -> String {
    id.and_then(|id| {
        items
            .get()
            .and_then(|all| all.into_iter().find(|d| d.id == id))
    })
    .map(|d| entry_name(i18n, &d))
    .unwrap_or_default()
}

#[component]
pub fn PoolPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let api = use_api();
    let given = use_query_map();
    let q = RwSignal::new(given.with_untracked(|m| m.get("q").unwrap_or_default()));
    let level = RwSignal::new(String::new());
    let sort = RwSignal::new("-updated".to_string());
    let reload = RwSignal::new(0u32);
    let query = move |cursor: Option<String>| PoolQuery {
        q: Some(q.get_untracked().trim().to_string()).filter(|t| !t.is_empty()),
        level: CustomerLevel::parse(&level.get_untracked()),
        sort: sort.get_untracked().parse::<Sort<CustomerSortKey>>().ok(),
        cursor,
        ..PoolQuery::default()
    };
    let list = Paged::<PoolCustomer>::new();
    list.follow(searched(
        move || (q.get(), level.get(), sort.get(), reload.get()),
        move |_| {
            let q = query(None);
            async move { api.pool(&q).await }
        },
    ));
    let more = move |_| {
        list.load(
            move |cursor| {
                let q = query(cursor);
                async move { api.pool(&q).await }
            },
            true,
        )
    };
    let (items, error) = (list.items, list.error);
    let (industries, regions) = (
        dictionary(api, DictionaryKind::Industry),
        dictionary(api, DictionaryKind::Region),
    );
    // Managers give pooled customers to their people: whom (blank: oneself).
    let assignee = RwSignal::new(String::new());
    let people = LocalResource::new(move || async move {
        if !session.can(Permission::CustomerTransfer) {
            return Vec::new();
        }
        let q = UserQuery {
            enabled: Some(true),
            limit: Some(200),
            ..UserQuery::default()
        };
        api.users(&q).await.map(|p| p.items).unwrap_or_default()
    });
    // The customer just claimed: (id, name, the new owner's name).
    let claimed = RwSignal::new(None::<(i64, String, String)>);
    let claim = move |id: i64| {
        claimed.set(None);
        let body = ClaimRequest {
            owner_id: assignee.get_untracked().parse().ok(),
        };
        run(
            error,
            move || async move { api.claim(id, &body).await },
            move |c| {
                claimed.set(Some((c.id, c.name, c.owner.name)));
                reload.update(|n| *n += 1);
            },
        );
    };
    view! {
        <section class="card">
            <div class="title-row">
                <h1>{move || t_string!(i18n, pool.title)}</h1>
                <Show when=move || session.can(Permission::AdminSettings)>
                    <div class="title-actions">
                        <A href="/pool/reclaim-preview" attr:class="button">{move || t_string!(i18n, pool.preview_title)}</A>
                    </div>
                </Show>
            </div>
            <p class="hint">{move || t_string!(i18n, pool.intro)}</p>
            <div class="inline-form">
                <input type="search" name="q" placeholder=move || t_string!(i18n, pool.search) bind:value=q />
                <select name="level" bind:value=level>
                    <option value="">{move || t_string!(i18n, cust.all_levels)}</option>
                    {CustomerLevel::ALL.into_iter().map(|l| view! { <option value=l.as_str()>{move || labels::level(i18n, l)}</option> }).collect_view()}
                </select>
                <select name="sort" bind:value=sort>
                    <option value="-updated">{move || t_string!(i18n, pool.newest)}</option>
                    <option value="name">{move || t_string!(i18n, cust.name)}</option>
                    <option value="last_contact">{move || t_string!(i18n, cust.last_contact)}</option>
                </select>
                <Show when=move || session.can(Permission::CustomerTransfer)>
                    <label>{move || t_string!(i18n, pool.claim_for)}
                        <select name="assignee" bind:value=assignee>
                            <option value="">{move || t_string!(i18n, pool.myself)}</option>
                            {move || people.get().unwrap_or_default().into_iter().map(|u| view! {
                                <option value=u.id.to_string()>{format!("{} · {}", u.display_name, u.department.name)}</option>
                            }).collect_view()}
                        </select>
                    </label>
                </Show>
            </div>
            {move || claimed.get().map(|(id, name, owner)| view! {
                <p class="ok" role="status">{move || t_string!(i18n, pool.claimed)}<strong>{name.clone()}</strong>{format!(" → {owner} ")}
                    <A href=format!("/customers/{id}")>{move || t_string!(i18n, pool.open)}</A></p>
            })}
            <ErrorLine error=error />
            <table class="grid pool-table">
                <thead><tr>
                    <th>{move || t_string!(i18n, cust.name)}</th><th>{move || t_string!(i18n, cust.level)}</th>
                    <th>{move || t_string!(i18n, cust.industry)}</th><th>{move || t_string!(i18n, cust.region)}</th>
                    <th>{move || t_string!(i18n, cust.last_contact)}</th><th>{move || t_string!(i18n, pool.since)}</th><th></th>
                </tr></thead>
                <tbody>
                    {move || items.get().into_iter().map(|c| {
                        let id = c.id;
                        let (last, since) = (c.last_contact_at, c.pooled_at);
                        let (industry, region) = (c.industry_id, c.region_id);
                        view! {
                            <tr data-customer=c.name.clone()>
                                <td>{c.name.clone()}</td>
                                <td><span class=format!("level level-{}", c.level.as_str())>{move || labels::level(i18n, c.level)}</span></td>
                                <td>{move || entry(i18n, industries, industry)}</td>
                                <td>{move || entry(i18n, regions, region)}</td>
                                <td>{move || last.map(|t| when(i18n, t)).unwrap_or_else(|| t_string!(i18n, cust.never).to_string())}</td>
                                <td>{move || since.map(|t| when(i18n, t)).unwrap_or_default()}</td>
                                <td>
                                    <Show when=move || session.can(Permission::CustomerCreate)>
                                        <button class="small primary claim" on:click=move |_| claim(id)>{move || t_string!(i18n, pool.claim)}</button>
                                    </Show>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            <Show when=move || items.with(Vec::is_empty) && error.with(Option::is_none)>
                <p class="hint">{move || t_string!(i18n, pool.empty)}</p>
            </Show>
            <Show when=move || list.has_more()>
                <button on:click=more>{move || t_string!(i18n, common.more)}</button>
            </Show>
        </section>
    }
}

#[component]
pub fn ReclaimPreviewPage() -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let no_contact = RwSignal::new(String::new());
    let unsigned = RwSignal::new(String::new());
    let within = RwSignal::new("0".to_string());
    let list = Paged::<ReclaimCandidate>::new();
    let (items, error) = (list.items, list.error);
    let shown = RwSignal::new(false);
    let query = move |cursor: Option<String>| ReclaimPreviewQuery {
        no_contact_days: no_contact.get_untracked().trim().parse().ok(),
        unsigned_days: unsigned.get_untracked().trim().parse().ok(),
        within_days: within.get_untracked().trim().parse().ok(),
        cursor,
        ..ReclaimPreviewQuery::default()
    };
    let load = move |more: bool| {
        list.load(
            move |cursor| {
                let q = query(cursor);
                async move { api.reclaim_preview(&q).await }
            },
            more,
        );
        shown.set(true);
    };
    // The company's rules fill the boxes; the first preview shows what they would do.
    run(
        error,
        move || async move { api.settings().await },
        move |s| {
            let show = |v: Option<u32>| v.map(|d| d.to_string()).unwrap_or_default();
            no_contact.set(show(s.settings.pool_reclaim_no_contact_days));
            unsigned.set(show(s.settings.pool_reclaim_unsigned_days));
            load(false);
        },
    );
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        load(false);
    };
    view! {
        <section class="card">
            <h1>{move || t_string!(i18n, pool.preview_title)}</h1>
            <p class="hint">{move || t_string!(i18n, pool.preview_intro)}</p>
            <form class="inline-form" on:submit=submit>
                <label>{move || t_string!(i18n, pool.no_contact_days)}<input type="number" min="1" name="no_contact_days" bind:value=no_contact /></label>
                <label>{move || t_string!(i18n, pool.unsigned_days)}<input type="number" min="1" name="unsigned_days" bind:value=unsigned /></label>
                <label>{move || t_string!(i18n, pool.within_days)}<input type="number" min="0" name="within_days" bind:value=within /></label>
                <button type="submit" class="primary">{move || t_string!(i18n, pool.show)}</button>
            </form>
            <ErrorLine error=error />
            <table class="grid reclaim-table">
                <thead><tr>
                    <th>{move || t_string!(i18n, cust.name)}</th><th>{move || t_string!(i18n, cust.level)}</th>
                    <th>{move || t_string!(i18n, cust.owner)}</th><th>{move || t_string!(i18n, cust.last_contact)}</th>
                    <th>{move || t_string!(i18n, pool.owner_since)}</th><th>{move || t_string!(i18n, pool.rule)}</th><th>{move || t_string!(i18n, pool.returns_on)}</th>
                </tr></thead>
                <tbody>
                    {move || items.get().into_iter().map(|x| {
                        let (last, since) = (x.last_contact_at, x.owner_since);
                        let rule = x.due.rule;
                        view! {
                            <tr data-customer=x.customer.name.clone()>
                                <td><a href=format!("/customers/{}", x.customer.id)>{x.customer.name.clone()}</a></td>
                                <td>{move || labels::level(i18n, x.level)}</td>
                                <td>{x.owner.name.clone()}<small>" · "{x.department.name.clone()}</small></td>
                                <td>{move || last.map(|t| when(i18n, t)).unwrap_or_else(|| t_string!(i18n, cust.never).to_string())}</td>
                                <td>{move || since.map(|t| when(i18n, t)).unwrap_or_default()}</td>
                                <td>{move || rule_label(i18n, rule)}</td>
                                <td>{x.due.on.to_string()}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            <Show when=move || shown.get() && items.with(Vec::is_empty) && error.with(Option::is_none)>
                <p class="hint">{move || t_string!(i18n, pool.none_due)}</p>
            </Show>
            <Show when=move || list.has_more()>
                <button on:click=move |_| load(true)>{move || t_string!(i18n, common.more)}</button>
            </Show>
        </section>
    }
}
