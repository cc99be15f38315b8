//! The notifications page: newest first, unread ones marked; opening one marks it read and goes to
//! what it is about. The bell in the top bar shows the unread count (see [`Unread`]).

use crate::api::use_api;
use crate::components::{ErrorLine, Paged, Unread, labels, run, when};
use crate::i18n::*;
use crm_domain::api::{Notification, NotificationQuery};
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

/// Where a notification leads.
fn target(n: &Notification) -> Option<String> {
    match (n.entity.as_deref(), n.entity_id) {
        (Some("customer"), Some(id)) => Some(format!("/customers/{id}")),
        (Some("order"), Some(id)) => Some(format!("/orders/{id}")),
        (Some("opportunity"), Some(id)) => Some(format!("/opportunities/{id}")),
        (Some("customer_transfer"), _) => Some("/customer-transfers".into()),
        (Some("customer_review"), _) => Some("/customers/review".into()),
        (Some("ticket"), Some(id)) => Some(format!("/tickets/{id}")),
        (Some("expense"), _) if n.kind == "expense_submitted" => Some("/expenses/approvals".into()),
        (Some("expense"), _) => Some("/expenses".into()),
        _ => None,
    }
}

#[component]
pub fn NotificationsPage() -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let unread = expect_context::<Unread>();
    let list = Paged::<Notification>::new();
    let (items, error) = (list.items, list.error);
    let only_unread = RwSignal::new(false);
    let load = move |more: bool| {
        let unread = only_unread.get_untracked().then_some(true);
        list.load(
            move |cursor| async move {
                let q = NotificationQuery {
                    unread,
                    limit: Some(50),
                    cursor,
                };
                api.notifications(&q).await
            },
            more,
        );
    };
    Effect::new(move |_| {
        only_unread.track();
        load(false);
    });
    let navigate = use_navigate();
    let open = move |n: Notification| {
        let navigate = navigate.clone();
        let id = n.id;
        let to = target(&n);
        let was_unread = n.read_at.is_none();
        run(
            error,
            move || async move { api.read_notification(id).await },
            move |read| {
                items.update(|list| {
                    if let Some(x) = list.iter_mut().find(|x| x.id == id) {
                        *x = read;
                    }
                });
                if was_unread {
                    unread.0.update(|c| *c = (*c - 1).max(0));
                }
                if let Some(to) = to {
                    navigate(&to, Default::default());
                }
            },
        );
    };
    let read_all = move |_| {
        run(
            error,
            move || async move { api.read_all_notifications().await },
            move |_| {
                unread.0.set(0);
                load(false);
            },
        );
    };
    view! {
        <section class="card">
            <div class="title-row">
                <h1>{move || t_string!(i18n, notif.title)}</h1>
                <label class="check"><input type="checkbox" bind:checked=only_unread />{move || t_string!(i18n, notif.only_unread)}</label>
                <button on:click=read_all>{move || t_string!(i18n, notif.read_all)}</button>
            </div>
            <ErrorLine error=error />
            <ul class="notifications">
                {move || {
                    let open = open.clone();
                    items.get().into_iter().map(move |n| {
                        let open = open.clone();
                        let at = n.created_at;
                        let kind = n.kind.clone();
                        let item = n.clone();
                        view! {
                            <li class:unread=n.read_at.is_none() data-kind=n.kind.clone()>
                                <button class="link notification" on:click=move |_| open(item.clone())>
                                    <strong>{move || labels::notification(i18n, &kind)}</strong>
                                    <span class="body">{n.body.clone()}</span>
                                </button>
                                <small class="muted">{move || when(i18n, at)}</small>
                            </li>
                        }
                    }).collect_view()
                }}
            </ul>
            <Show when=move || items.with(Vec::is_empty)>
                <p class="muted">{move || t_string!(i18n, notif.empty)}</p>
            </Show>
            <Show when=move || list.has_more()>
                <button on:click=move |_| load(true)>{move || t_string!(i18n, common.more)}</button>
            </Show>
        </section>
    }
}
