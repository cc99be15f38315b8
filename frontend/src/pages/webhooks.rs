//! Webhooks (集成推送): endpoints, the events they are told of, their secrets (shown once) and
//! their delivery log with "send again".

use crate::api::use_api;
use crate::components::{ErrorLine, check, confirm, run, when};
use crate::format::{I18n, lang};
use crate::i18n::*;
use crm_domain::Lang;
use crm_domain::api::{
    DeliveryStatus, NewWebhook, PageQuery, Webhook, WebhookDelivery, WebhookEvent, WebhookPatch,
};
use leptos::prelude::*;

/// An event as people read it.
fn event_words(i18n: I18n, event: WebhookEvent) -> &'static str {
    let (zh, en) = event.words();
    match lang(i18n) {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

fn status_words(i18n: I18n, status: DeliveryStatus) -> &'static str {
    match status {
        DeliveryStatus::Pending => t_string!(i18n, hook.pending),
        DeliveryStatus::Delivered => t_string!(i18n, hook.delivered),
        DeliveryStatus::Failed => t_string!(i18n, hook.failed),
    }
}

#[component]
pub fn WebhooksPage() -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let reload = RwSignal::new(0u32);
    let hooks = LocalResource::new(move || {
        reload.get();
        async move { api.webhooks().await }
    });
    let error = RwSignal::new(None::<String>);
    let url = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let chosen = RwSignal::new(Vec::<WebhookEvent>::new());
    // The secret just made, shown this once: (endpoint id, secret).
    let secret = RwSignal::new(None::<(i64, String)>);
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut events = chosen.get_untracked();
        events.sort_unstable();
        let body = NewWebhook {
            url: url.get_untracked().trim().to_string(),
            events,
            secret: None,
            description: Some(description.get_untracked()).filter(|d| !d.trim().is_empty()),
            enabled: true,
        };
        if let Err(e) = check(i18n, &body) {
            error.set(Some(e));
            return;
        }
        run(
            error,
            move || async move { api.create_webhook(&body).await },
            move |made| {
                secret.set(Some((made.webhook.id, made.secret)));
                url.set(String::new());
                description.set(String::new());
                chosen.set(Vec::new());
                reload.update(|n| *n += 1);
            },
        );
    };
    let patch = move |hook: &Webhook, enabled: Option<bool>, rotate: bool| {
        let id = hook.id;
        let body = WebhookPatch {
            enabled,
            rotate_secret: rotate,
            version: hook.version,
            ..WebhookPatch::default()
        };
        run(
            error,
            move || async move { api.update_webhook(id, &body).await },
            move |changed| {
                if let Some(s) = changed.secret {
                    secret.set(Some((id, s)));
                }
                reload.update(|n| *n += 1);
            },
        );
    };
    let remove = move |id: i64| {
        if !confirm(t_string!(i18n, hook.delete_confirm)) {
            return;
        }
        run(
            error,
            move || async move { api.delete_webhook(id).await },
            move |()| reload.update(|n| *n += 1),
        );
    };
    // The endpoint whose log is open.
    let open_log = RwSignal::new(None::<i64>);
    view! {
        <section class="card">
            <h1>{move || t_string!(i18n, hook.title)}</h1>
            <p class="hint">{move || t_string!(i18n, hook.intro)}</p>
            <form class="stack-form webhook-form" on:submit=create>
                <label>{move || t_string!(i18n, hook.url)}<input type="url" name="url" required placeholder="https://erp.example.com/crm-hooks" bind:value=url /></label>
                <fieldset class="events"><legend>{move || t_string!(i18n, hook.events)}</legend>
                    {WebhookEvent::ALL.iter().copied().map(|e| view! {
                        <label class="check"><input type="checkbox" name="event" value=e.as_str()
                            prop:checked=move || chosen.with(|c| c.contains(&e))
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                chosen.update(|c| { c.retain(|x| *x != e); if on { c.push(e) } });
                            } />
                            <span>{move || event_words(i18n, e)}<code class="event-code">{e.as_str()}</code></span></label>
                    }).collect_view()}
                </fieldset>
                <label>{move || t_string!(i18n, hook.description)}<input name="description" bind:value=description /></label>
                <button type="submit" class="primary">{move || t_string!(i18n, hook.add)}</button>
            </form>
            <ErrorLine error=error />
            {move || secret.get().map(|(_, s)| view! {
                <p class="ok secret" role="status">{move || t_string!(i18n, hook.secret_once)}<code>{s.clone()}</code></p>
            })}
        </section>
        {move || hooks.get().map(|r| match r {
            Err(e) => view! { <section class="card"><p class="error" role="alert">{e.display()}</p></section> }.into_any(),
            Ok(list) if list.is_empty() => view! { <section class="card"><p class="hint">{move || t_string!(i18n, hook.none)}</p></section> }.into_any(),
            Ok(list) => list.into_iter().map(|h| {
                let id = h.id;
                let (on, off, fresh) = (h.clone(), h.clone(), h.clone());
                let enabled = h.enabled;
                view! {
                    <section class="card webhook" data-url=h.url.clone()>
                        <div class="title-row">
                            <h2><code>{h.url.clone()}</code></h2>
                            {(!enabled).then(|| view! { <span class="badge">{move || t_string!(i18n, hook.disabled_tag)}</span> })}
                            <div class="title-actions">
                                {if enabled {
                                    view! { <button on:click=move |_| patch(&off, Some(false), false)>{move || t_string!(i18n, hook.disable)}</button> }.into_any()
                                } else {
                                    view! { <button on:click=move |_| patch(&on, Some(true), false)>{move || t_string!(i18n, hook.enable)}</button> }.into_any()
                                }}
                                <button on:click=move |_| patch(&fresh, None, true)>{move || t_string!(i18n, hook.rotate)}</button>
                                <button class="deliveries" on:click=move |_| open_log.update(|o| *o = if *o == Some(id) { None } else { Some(id) })>{move || t_string!(i18n, hook.log)}</button>
                                <button class="danger" on:click=move |_| remove(id)>{move || t_string!(i18n, common.delete)}</button>
                            </div>
                        </div>
                        <p>{h.description.clone().unwrap_or_default()}<small>" "{h.secret_hint.clone()}</small></p>
                        <ul class="tags">
                            {h.events.iter().copied().map(|e| view! { <li><code>{e.as_str()}</code></li> }).collect_view()}
                        </ul>
                        <Show when=move || open_log.get() == Some(id)>
                            <DeliveryLog webhook_id=id />
                        </Show>
                    </section>
                }
            }).collect_view().into_any(),
        })}
    }
}

/// An endpoint's deliveries, newest first, each with its latest attempt and "send again".
#[component]
fn DeliveryLog(webhook_id: i64) -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let reload = RwSignal::new(0u32);
    let error = RwSignal::new(None::<String>);
    let log = LocalResource::new(move || {
        reload.get();
        async move {
            api.webhook_deliveries(webhook_id, &PageQuery::default())
                .await
                .map(|p| p.items)
        }
    });
    let again = move |delivery: i64| {
        run(
            error,
            move || async move { api.redeliver(webhook_id, delivery).await },
            move |_| reload.update(|n| *n += 1),
        );
    };
    let row = move |d: WebhookDelivery| {
        let last = d.attempts.first().cloned();
        let tries = d.attempts.len();
        let (occurred, next) = (d.occurred_at, d.next_attempt_at);
        let answer = last
            .map(|a| {
                let code = a
                    .status_code
                    .map(|c| c.to_string())
                    .or(a.error)
                    .unwrap_or_default();
                format!("{code} · {} ms", a.latency_ms)
            })
            .unwrap_or_default();
        view! {
            <tr data-status=d.status.as_str()>
                <td><code>{d.event.as_str()}</code></td>
                <td>{move || when(i18n, occurred)}</td>
                <td><span class=format!("status status-{}", d.status.as_str())>{move || status_words(i18n, d.status)}</span></td>
                <td>{tries}" · "{answer}</td>
                <td>{move || next.map(|t| when(i18n, t)).unwrap_or_default()}</td>
                <td><button class="small" on:click=move |_| again(d.id)>{move || t_string!(i18n, hook.again)}</button></td>
            </tr>
        }
    };
    view! {
        <ErrorLine error=error />
        {move || log.get().map(|r| match r {
            Err(e) => view! { <p class="error" role="alert">{e.display()}</p> }.into_any(),
            Ok(items) if items.is_empty() => view! { <p class="hint">{move || t_string!(i18n, hook.no_deliveries)}</p> }.into_any(),
            Ok(items) => view! {
                <table class="grid deliveries-table">
                    <thead><tr>
                        <th>{move || t_string!(i18n, hook.event)}</th><th>{move || t_string!(i18n, hook.occurred)}</th>
                        <th>{move || t_string!(i18n, hook.status)}</th><th>{move || t_string!(i18n, hook.attempts)}</th>
                        <th>{move || t_string!(i18n, hook.next)}</th><th></th>
                    </tr></thead>
                    <tbody>{items.into_iter().map(row).collect_view()}</tbody>
                </table>
            }.into_any(),
        })}
    }
}
