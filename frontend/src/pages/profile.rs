//! The caller's own page: who they are, their password, their personal API tokens.

use crate::api::use_api;
use crate::components::{ErrorLine, check, run, when};
use crate::i18n::*;
use crate::state::use_session;
use crm_domain::api::{ChangePasswordRequest, NewApiToken};
use leptos::prelude::*;

#[component]
pub fn ProfilePage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let api = use_api();
    let (current, new) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    let pw_error = RwSignal::new(None::<String>);
    let pw_ok = RwSignal::new(false);
    let change = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        pw_ok.set(false);
        let body = ChangePasswordRequest {
            current_password: current.get_untracked(),
            new_password: new.get_untracked(),
        };
        if let Err(e) = check(i18n, &body) {
            pw_error.set(Some(e));
            return;
        }
        run(
            pw_error,
            move || async move { api.change_password(&body).await },
            move |_| {
                current.set(String::new());
                new.set(String::new());
                pw_ok.set(true);
            },
        );
    };
    let reload = RwSignal::new(0u32);
    let tokens = LocalResource::new(move || {
        reload.get();
        async move { api.tokens().await }
    });
    let token_name = RwSignal::new(String::new());
    let created = RwSignal::new(None::<String>);
    let tok_error = RwSignal::new(None::<String>);
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = NewApiToken {
            name: token_name.get_untracked(),
            expires_on: None,
        };
        run(
            tok_error,
            move || async move { api.create_token(&body).await },
            move |c| {
                created.set(Some(c.token));
                token_name.set(String::new());
                reload.update(|n| *n += 1);
            },
        );
    };
    view! {
        <section class="card">
            <h1>{move || t_string!(i18n, profile.title)}</h1>
            <p>{move || session.me.with(|m| m.as_ref().map(|m| format!("{} ({}) · {}", m.display_name, m.username, m.department.name)).unwrap_or_default())}</p>
        </section>
        <section class="card">
            <h2>{move || t_string!(i18n, profile.password)}</h2>
            <form class="stack-form" on:submit=change>
                <label>{move || t_string!(i18n, profile.current_password)}<input type="password" name="current_password" autocomplete="current-password" required bind:value=current /></label>
                <label>{move || t_string!(i18n, profile.new_password)}<input type="password" name="new_password" autocomplete="new-password" required bind:value=new /></label>
                <ErrorLine error=pw_error />
                <Show when=move || pw_ok.get()><p class="ok">{move || t_string!(i18n, profile.password_changed)}</p></Show>
                <button type="submit" class="primary">{move || t_string!(i18n, common.save)}</button>
            </form>
        </section>
        <section class="card">
            <h2>{move || t_string!(i18n, profile.tokens)}</h2>
            <form class="inline-form" on:submit=create>
                <input name="token-name" placeholder=move || t_string!(i18n, profile.token_name) required bind:value=token_name />
                <button type="submit" class="primary">{move || t_string!(i18n, common.create)}</button>
            </form>
            <ErrorLine error=tok_error />
            <Show when=move || created.with(Option::is_some)>
                <div class="secret"><p>{move || t_string!(i18n, profile.token_created)}</p><code class="token-secret">{move || created.get().unwrap_or_default()}</code></div>
            </Show>
            <table class="grid">
                <thead><tr><th>{move || t_string!(i18n, profile.token_name)}</th><th>{move || t_string!(i18n, profile.token_prefix)}</th><th>{move || t_string!(i18n, profile.token_last_used)}</th><th>{move || t_string!(i18n, common.actions)}</th></tr></thead>
                <tbody>
                    {move || tokens.get().and_then(Result::ok).unwrap_or_default().into_iter().map(|tok| {
                        let id = tok.id;
                        let last = tok.last_used_at;
                        let revoke = move |_| run(tok_error, move || async move { api.revoke_token(id).await }, move |_| reload.update(|n| *n += 1));
                        view! {
                            <tr>
                                <td>{tok.name.clone()}</td>
                                <td><code>{tok.prefix.clone()}"…"</code></td>
                                <td>{move || last.map(|at| when(i18n, at)).unwrap_or_else(|| t_string!(i18n, profile.token_never).to_string())}</td>
                                <td><button class="danger" on:click=revoke>{move || t_string!(i18n, profile.revoke)}</button></td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}
