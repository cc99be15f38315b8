//! The notifications page: newest first, unread ones marked; opening one marks it read and goes to
//! what it is about. The bell in the top bar shows the unread count (see [`Unread`]).

use crate::api::Api;
use crate::components::{ErrorLine, Paged, local_offset, run};
use crate::i18n::format_datetime;
use crate::state::{use_i18n, use_session};
use crm_domain::api::{Notification, UnreadCount};
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

/// The unread count shown on the bell, shared so that reading updates it at once.
#[derive(Clone, Copy)]
pub struct Unread(pub RwSignal<i64>);

impl Unread {
    /// Asks the server again.
    pub fn refresh(self, api: Api) {
        leptos::task::spawn_local(async move {
            if let Ok(c) = api.get::<UnreadCount>("/notifications/unread-count").await {
                self.0.set(c.count);
            }
        });
    }
}

fn kind_key(kind: &str) -> &'static str {
    match kind {
        "reminder_due" => "notif.kind.reminder_due",
        "review_pending" => "notif.kind.review_pending",
        "customer_transfer" => "notif.kind.customer_transfer",
        "payment_due" => "notif.kind.payment_due",
        "payment_overdue" => "notif.kind.payment_overdue",
        "payment_escalation" => "notif.kind.payment_escalation",
        "renewal_due" => "notif.kind.renewal_due",
        _ => "notif.kind.other",
    }
}

/// Where a notification leads.
fn target(n: &Notification) -> Option<String> {
    match (n.entity.as_deref(), n.entity_id) {
        (Some("customer"), Some(id)) => Some(format!("/customers/{id}")),
        (Some("order"), Some(id)) => Some(format!("/orders/{id}")),
        (Some("customer_transfer"), _) => Some("/customer-transfers".into()),
        (Some("customer_review"), _) => Some("/customers/review".into()),
        _ => None,
    }
}

#[component]
pub fn NotificationsPage() -> impl IntoView {
    let i18n = use_i18n();
    let api = Api::new(use_session());
    let t = move |k: &'static str| i18n.t(k);
    let unread = expect_context::<Unread>();
    let list = Paged::<Notification>::new();
    let (items, error) = (list.items, list.error);
    let only_unread = RwSignal::new(false);
    let load = move |more: bool| {
        let path = format!(
            "/notifications?limit=50&unread={}",
            only_unread.get_untracked()
        );
        list.load(api, path, more);
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
            move || async move {
                api.post::<Notification, _>(
                    &format!("/notifications/{id}/read"),
                    &serde_json::json!({}),
                )
                .await
            },
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
            move || async move {
                api.post::<UnreadCount, _>("/notifications/read-all", &serde_json::json!({}))
                    .await
            },
            move |_| {
                unread.0.set(0);
                load(false);
            },
        );
    };
    let offset = local_offset();
    view! {
        <section class="card">
            <div class="title-row">
                <h1>{move || t("notif.title")}</h1>
                <label class="check"><input type="checkbox" bind:checked=only_unread />{move || t("notif.only_unread")}</label>
                <button on:click=read_all>{move || t("notif.read_all")}</button>
            </div>
            <ErrorLine error=error />
            <ul class="notifications">
                {move || {
                    let open = open.clone();
                    items.get().into_iter().map(move |n| {
                        let open = open.clone();
                        let at = n.created_at;
                        let kind = kind_key(&n.kind);
                        let item = n.clone();
                        view! {
                            <li class:unread=n.read_at.is_none() data-kind=n.kind.clone()>
                                <button class="link notification" on:click=move |_| open(item.clone())>
                                    <strong>{move || t(kind)}</strong>
                                    <span class="body">{n.body.clone()}</span>
                                </button>
                                <small class="muted">{move || format_datetime(i18n.lang.get(), at, offset)}</small>
                            </li>
                        }
                    }).collect_view()
                }}
            </ul>
            <Show when=move || items.with(Vec::is_empty)>
                <p class="muted">{move || t("notif.empty")}</p>
            </Show>
            <Show when=move || list.has_more()>
                <button on:click=move |_| load(true)>{move || t("common.more")}</button>
            </Show>
        </section>
    }
}
