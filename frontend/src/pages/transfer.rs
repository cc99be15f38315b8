//! The transfer wizard: choose the giver, pick customers or all, choose the receiver, preview what
//! will move, confirm, see the result; and the transfer log.

use crate::api::use_api;
use crate::components::{ErrorLine, labels, run, when};
use crate::i18n::*;
use crate::state::use_session;
use crm_domain::Permission;
use crm_domain::api::{
    CustomerQuery, CustomerSortKey, NewTransfer, PageQuery, Transfer, UserQuery,
};
use crm_domain::paging::Sort;
use leptos::prelude::*;

#[component]
pub fn TransferPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let api = use_api();
    let users = LocalResource::new(move || async move {
        let q = UserQuery {
            limit: Some(200),
            ..UserQuery::default()
        };
        api.users(&q).await.map(|p| p.items).unwrap_or_default()
    });
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let all = RwSignal::new(true);
    let picked = RwSignal::new(Vec::<i64>::new());
    let reason = RwSignal::new(String::new());
    let preview = RwSignal::new(None::<Transfer>);
    let done = RwSignal::new(None::<Transfer>);
    let error = RwSignal::new(None::<String>);
    let reload_log = RwSignal::new(0u32);
    let can_pick = move || session.can(Permission::CustomerRead);
    let customers = LocalResource::new(move || {
        let owner = from.get();
        async move {
            let Some(owner) = owner.parse().ok().filter(|_| can_pick()) else {
                return Vec::new();
            };
            let q = CustomerQuery {
                owner_id: Some(owner),
                sort: Some(Sort::asc(CustomerSortKey::Name)),
                limit: Some(200),
                ..CustomerQuery::default()
            };
            api.customers(&q).await.map(|p| p.items).unwrap_or_default()
        }
    });
    let log = LocalResource::new(move || {
        reload_log.get();
        async move {
            let q = PageQuery {
                limit: Some(20),
                cursor: None,
            };
            api.transfers(&q).await.map(|p| p.items).unwrap_or_default()
        }
    });
    // Any change of the choices invalidates the preview.
    Effect::new(move |_| {
        from.track();
        to.track();
        all.track();
        picked.track();
        preview.set(None);
    });
    let body = move |dry_run: bool| NewTransfer {
        from_user_id: from.get_untracked().parse().unwrap_or(0),
        to_user_id: to.get_untracked().parse().unwrap_or(0),
        customer_ids: (!all.get_untracked()).then(|| picked.get_untracked()),
        all: all.get_untracked().then_some(true),
        reason: reason.get_untracked(),
        dry_run,
    };
    let do_preview = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        done.set(None);
        let b = body(true);
        run(
            error,
            move || async move { api.transfer(&b).await },
            move |p| preview.set(Some(p)),
        );
    };
    let confirm = move |_| {
        let b = body(false);
        run(
            error,
            move || async move { api.transfer(&b).await },
            move |r| {
                preview.set(None);
                done.set(Some(r));
                picked.set(Vec::new());
                reload_log.update(|n| *n += 1);
            },
        );
    };
    // Customers first, then what moved with them.
    let counts = move |x: &Transfer| {
        let mut kinds: Vec<(&String, &i64)> = x.moved.iter().collect();
        kinds.sort_by_key(|(k, _)| *k != "customers");
        kinds
            .into_iter()
            .map(|(k, n)| format!("{n} {}", labels::moved(i18n, k)))
            .collect::<Vec<_>>()
            .join(" · ")
    };
    let user_options = move || {
        users
            .get()
            .unwrap_or_default()
            .into_iter()
            .map(|u| {
                let label = format!(
                    "{} ({}) · {}",
                    u.display_name, u.username, u.department.name
                );
                view! { <option value=u.id.to_string()>{label}</option> }
            })
            .collect_view()
    };
    view! {
        <section class="card">
            <h1>{move || t_string!(i18n, xfer.title)}</h1>
            <form class="stack-form" on:submit=do_preview>
                <label>{move || t_string!(i18n, xfer.from)}
                    <select name="from" required bind:value=from><option value="">{move || t_string!(i18n, xfer.choose)}</option>{user_options}</select>
                </label>
                <label class="check"><input type="radio" name="scope" prop:checked=move || all.get() on:change=move |_| all.set(true) />{move || t_string!(i18n, xfer.all)}</label>
                <Show when=can_pick>
                    <label class="check"><input type="radio" name="scope" prop:checked=move || !all.get() on:change=move |_| all.set(false) />{move || t_string!(i18n, xfer.pick)}</label>
                    <Show when=move || !all.get()>
                        <fieldset class="checks pick">
                            {move || customers.get().unwrap_or_default().into_iter().map(|c| {
                                let id = c.id;
                                view! { <label class="check"><input type="checkbox" name="customer" value=c.name.clone()
                                    prop:checked=move || picked.with(|p| p.contains(&id))
                                    on:change=move |_| picked.update(|p| if let Some(i) = p.iter().position(|x| *x == id) { p.remove(i); } else { p.push(id); }) />{c.name}</label> }
                            }).collect_view()}
                        </fieldset>
                    </Show>
                </Show>
                <label>{move || t_string!(i18n, xfer.to)}
                    <select name="to" required bind:value=to><option value="">{move || t_string!(i18n, xfer.choose)}</option>{user_options}</select>
                </label>
                <label>{move || t_string!(i18n, xfer.reason)}<input name="reason" required bind:value=reason /></label>
                <ErrorLine error=error />
                <button type="submit">{move || t_string!(i18n, xfer.preview)}</button>
            </form>
            {move || preview.get().map(|p| view! {
                <div class="warning preview">
                    <p>{move || t_string!(i18n, xfer.will_move)}<strong>{counts(&p)}</strong>" · "{p.from_user.name.clone()}" → "{p.to_user.name.clone()}</p>
                    <button class="primary" on:click=confirm>{move || t_string!(i18n, xfer.confirm)}</button>
                </div>
            })}
            {move || done.get().map(|d| view! { <p class="ok result">{move || t_string!(i18n, xfer.moved)}{counts(&d)}</p> })}
        </section>
        <section class="card">
            <h2>{move || t_string!(i18n, xfer.log)}</h2>
            <table class="grid">
                <thead><tr><th>{move || t_string!(i18n, audit.at)}</th><th>{move || t_string!(i18n, xfer.from)}</th><th>{move || t_string!(i18n, xfer.to)}</th><th>{move || t_string!(i18n, xfer.reason)}</th><th>{move || t_string!(i18n, xfer.moved)}</th></tr></thead>
                <tbody>
                    {move || log.get().unwrap_or_default().into_iter().map(|x| {
                        let at = x.created_at;
                        let what = counts(&x);
                        view! { <tr>
                            <td>{move || when(i18n, at)}</td>
                            <td>{x.from_user.name.clone()}</td><td>{x.to_user.name.clone()}</td>
                            <td>{x.reason.clone()}</td><td>{what}</td>
                        </tr> }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}
