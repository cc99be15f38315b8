//! The sign-in page: the app's own route (`/login` with a session, signing in as someone else) and,
//! through [`SignInForm`], the whole of the first load (`crate::boot`).

use crate::api::use_api;
use crate::components::ErrorLine;
use crate::components::LanguageSwitch;
use crate::i18n::*;
use crate::state::use_session;
use crm_domain::api::LoginRequest;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;

#[component]
pub fn LoginPage() -> impl IntoView {
    let navigate = use_navigate();
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let on_signed_in = Callback::new(move |()| {
        busy.set(false);
        navigate("/", Default::default());
    });
    view! { <SignInForm busy error on_signed_in /> }
}

/// The sign-in form. A good answer keeps the session and calls `on_signed_in`, with `busy` still
/// set: what comes next (the home page, or the app to load first) clears it.
#[component]
pub fn SignInForm(
    busy: RwSignal<bool>,
    error: RwSignal<Option<String>>,
    on_signed_in: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let api = use_api();
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        error.set(None);
        let body = LoginRequest {
            username: username.get_untracked(),
            password: password.get_untracked(),
        };
        spawn_local(async move {
            match api.login(&body).await {
                Ok(t) => {
                    session.store(t.access_token, t.refresh_token, t.user);
                    on_signed_in.run(());
                }
                Err(e) => {
                    error.set(Some(if e.status == 0 {
                        t_string!(i18n, error.network).to_string()
                    } else {
                        e.display()
                    }));
                    busy.set(false);
                }
            }
        });
    };
    view! {
        <div class="login-page">
            <form class="card login" on:submit=submit>
                <div class="login-head">
                    <h1>{move || t_string!(i18n, app.name)}</h1>
                    <LanguageSwitch />
                </div>
                <h2>{move || t_string!(i18n, login.title)}</h2>
                <label>{move || t_string!(i18n, login.username)}<input name="username" autocomplete="username" required bind:value=username /></label>
                <label>{move || t_string!(i18n, login.password)}<input name="password" type="password" autocomplete="current-password" required bind:value=password /></label>
                <ErrorLine error=error />
                <button type="submit" class="primary" disabled=move || busy.get()>{move || if busy.get() { t_string!(i18n, login.busy) } else { t_string!(i18n, login.submit) }}</button>
                <p class="hint">{move || t_string!(i18n, login.demo_hint)}</p>
            </form>
        </div>
    }
}
