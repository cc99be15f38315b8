//! The app shell (sidebar, top bar) and small shared pieces.

use crate::api::Api;
use crate::state::{use_i18n, use_session};
use crm_domain::Permission;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::{A, Outlet};

/// Signed-in layout: restores the session from the refresh token on load, or sends to /login.
#[component]
pub fn Shell() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let api = Api::new(session);
    let menu_open = RwSignal::new(false);
    // The bell's count: asked for once signed in, then every minute.
    let unread = crate::pages::notifications::Unread(RwSignal::new(0));
    provide_context(unread);
    Effect::new(move |_| {
        if session.me.with(Option::is_some) {
            unread.refresh(api);
        }
    });
    if let Ok(handle) = set_interval_with_handle(
        move || {
            if session.me.with_untracked(Option::is_some) {
                unread.refresh(api);
            }
        },
        std::time::Duration::from_secs(60),
    ) {
        on_cleanup(move || handle.clear());
    }
    if session.me.get_untracked().is_none() {
        spawn_local(async move {
            if !api.refresh().await {
                crate::api::go_to_login();
            }
        });
    }
    let logout = move |_| {
        spawn_local(async move {
            if let Some(refresh_token) = session.refresh_token() {
                let _ = api
                    .post::<(), _>(
                        "/auth/logout",
                        &crm_domain::api::RefreshRequest { refresh_token },
                    )
                    .await;
            }
            session.clear();
            crate::api::go_to_login();
        })
    };
    let t = move |k: &'static str| i18n.t(k);
    let nav = move || {
        let links: Vec<(&'static str, &'static str, Option<Permission>)> = vec![
            ("/", "nav.home", None),
            ("/agenda", "nav.agenda", None),
            (
                "/customers",
                "nav.customers",
                Some(Permission::CustomerRead),
            ),
            (
                "/customers/pipeline",
                "nav.pipeline",
                Some(Permission::CustomerRead),
            ),
            (
                "/customers/review",
                "nav.review",
                Some(Permission::CustomerReview),
            ),
            ("/orders", "nav.orders", Some(Permission::OrderRead)),
            (
                "/receivables",
                "nav.receivables",
                Some(Permission::ReceiptRead),
            ),
            (
                "/system/departments",
                "nav.departments",
                Some(Permission::AdminDepartments),
            ),
            ("/system/users", "nav.users", Some(Permission::AdminUsers)),
            ("/system/roles", "nav.roles", Some(Permission::AdminRoles)),
            (
                "/system/dictionaries",
                "nav.dictionaries",
                Some(Permission::AdminDictionaries),
            ),
            (
                "/system/settings",
                "nav.settings",
                Some(Permission::AdminSettings),
            ),
            ("/system/audit", "nav.audit", Some(Permission::AdminAudit)),
            (
                "/system/products",
                "nav.products",
                Some(Permission::ProductManage),
            ),
            (
                "/customer-transfers",
                "nav.transfer",
                Some(Permission::CustomerTransfer),
            ),
            ("/profile", "nav.profile", None),
        ];
        links
            .into_iter()
            .filter(|(_, _, p)| p.is_none_or(|p| session.can(p)))
            .map(|(href, key, _)| {
                view! {
                    <A href=href attr:class="nav-link" on:click=move |_| menu_open.set(false)>
                        {move || t(key)}
                    </A>
                }
            })
            .collect_view()
    };
    view! {
        <Show when=move || session.me.with(Option::is_some) fallback=move || view! { <p class="loading">{move || t("common.loading")}</p> }>
            <div class="shell" class:menu-open=move || menu_open.get()>
                <header class="topbar">
                    <button class="menu-toggle" aria-label=move || t("nav.menu") on:click=move |_| menu_open.update(|o| *o = !*o)>"☰"</button>
                    <span class="brand">{move || t("app.name")}</span>
                    <span class="spacer"></span>
                    <A href="/notifications" attr:class="bell" attr:title=move || t("top.notifications") attr:aria-label=move || t("top.notifications")>
                        <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
                            <path fill="currentColor" d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1Z" />
                        </svg>
                        <Show when=move || { unread.0.get() > 0 }>
                            <span class="bell-count">{move || { let n = unread.0.get(); if n >= 100 { "99+".to_string() } else { n.to_string() } }}</span>
                        </Show>
                    </A>
                    <button class="lang-switch" on:click=move |_| i18n.toggle()>{move || t("top.language")}</button>
                    <span class="who">{move || session.me.with(|m| m.as_ref().map(|m| m.display_name.clone()).unwrap_or_default())}</span>
                    <button class="logout" on:click=logout>{move || t("top.logout")}</button>
                </header>
                <nav class="sidebar">{nav}</nav>
                <main class="content">
                    <Outlet />
                </main>
            </div>
        </Show>
    }
}

/// An error line that shows the server's message, or nothing.
#[component]
pub fn ErrorLine(error: RwSignal<Option<String>>) -> impl IntoView {
    view! {
        <Show when=move || error.with(Option::is_some)>
            <p class="error" role="alert">{move || error.get().unwrap_or_default()}</p>
        </Show>
    }
}

/// Runs an API call and reports its failure into `error` (and clears it on success).
pub fn run<F, Fut, T>(error: RwSignal<Option<String>>, call: F, done: impl FnOnce(T) + 'static)
where
    F: FnOnce() -> Fut + 'static,
    Fut: std::future::Future<Output = Result<T, crate::api::ApiError>> + 'static,
    T: 'static,
{
    spawn_local(async move {
        match call().await {
            Ok(v) => {
                error.set(None);
                done(v);
            }
            Err(e) => error.set(Some(e.display())),
        }
    });
}

/// A keyset-paged list as a page shows it: the rows so far, the cursor of the next page (none: no
/// more), and the last error.
pub struct Paged<T: Send + Sync + 'static> {
    pub items: RwSignal<Vec<T>>,
    pub cursor: RwSignal<Option<String>>,
    pub error: RwSignal<Option<String>>,
}

impl<T: Send + Sync + 'static> Clone for Paged<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T: Send + Sync + 'static> Copy for Paged<T> {}

impl<T: serde::de::DeserializeOwned + Send + Sync + 'static> Paged<T> {
    pub fn new() -> Self {
        Paged {
            items: RwSignal::new(Vec::new()),
            cursor: RwSignal::new(None),
            error: RwSignal::new(None),
        }
    }

    /// Loads the first page of `path` (a query without a cursor), replacing the rows, or with `more`
    /// the next page, appending to them.
    pub fn load(self, api: Api, mut path: String, more: bool) {
        if more {
            match self.cursor.get_untracked() {
                Some(c) => path.push_str(&format!("&cursor={c}")),
                None => return,
            }
        }
        run(
            self.error,
            move || async move { api.get::<crm_domain::api::Page<T>>(&path).await },
            move |page| {
                if more {
                    self.items.update(|i| i.extend(page.items));
                } else {
                    self.items.set(page.items);
                }
                self.cursor.set(page.next_cursor);
            },
        );
    }

    pub fn has_more(self) -> bool {
        self.cursor.with(Option::is_some)
    }
}

/// The record id in the current route (`/customers/:id`, `/orders/:id`), reactive; 0 when absent.
pub fn route_id() -> impl Fn() -> i64 + Copy {
    let params = leptos_router::hooks::use_params_map();
    move || params.with(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()).unwrap_or(0))
}

/// The browser's UTC offset, for showing instants in the viewer's local time.
pub fn local_offset() -> chrono::FixedOffset {
    let minutes = js_sys::Date::new_0().get_timezone_offset() as i32;
    chrono::FixedOffset::west_opt(minutes * 60)
        .unwrap_or_else(|| chrono::FixedOffset::east_opt(0).expect("UTC is a valid offset"))
}

/// Today's date in the viewer's local time (a default for date inputs; the server decides what is
/// overdue on the company's calendar).
pub fn local_today() -> chrono::NaiveDate {
    chrono::Utc::now()
        .with_timezone(&local_offset())
        .date_naive()
}

/// An amount as people read it, in the current language (reactive inside a closure). Money is CNY.
pub fn money(i18n: crate::state::I18n, amount: crm_domain::Money) -> String {
    crate::i18n::format_money(i18n.lang.get(), amount, "CNY")
}

/// Asks for a line of text with `window.prompt`; `None` when cancelled or left blank.
pub fn ask(message: &str) -> Option<String> {
    web_sys::window()
        .and_then(|w| w.prompt_with_message(message).ok().flatten())
        .filter(|s| !s.trim().is_empty())
}

/// Asks `window.confirm`; false when the browser cannot ask.
pub fn confirm(message: &str) -> bool {
    web_sys::window()
        .and_then(|w| w.confirm_with_message(message).ok())
        .unwrap_or(false)
}

/// Waits `ms` milliseconds (for a pause after typing).
pub async fn sleep_ms(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// An audit entry's changes as lines a person reads: `field: old → new` for edits, `field: value`
/// for what was created or deleted (empty values left out).
pub fn change_lines(changes: &serde_json::Value) -> Vec<String> {
    fn show(v: &serde_json::Value) -> String {
        match v {
            serde_json::Value::Null => "—".into(),
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        }
    }
    let Some(map) = changes.as_object() else {
        return Vec::new();
    };
    map.iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| match (v.get("old"), v.get("new")) {
            (Some(old), Some(new)) if v.as_object().is_some_and(|o| o.len() == 2) => {
                format!("{k}: {} → {}", show(old), show(new))
            }
            _ => format!("{k}: {}", show(v)),
        })
        .collect()
}

#[component]
pub fn Changes(changes: serde_json::Value) -> impl IntoView {
    view! { <ul class="changes">{change_lines(&changes).into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}</ul> }
}

#[cfg(test)]
mod tests {
    use super::change_lines;
    use serde_json::json;

    #[test]
    fn changes_read_as_lines() {
        let lines = change_lines(
            &json!({"name": {"old": "A", "new": "B"}, "phone": {"old": null, "new": "1"}, "reason": "x", "notes": null}),
        );
        assert_eq!(lines, vec!["name: A → B", "phone: — → 1", "reason: x"]);
        assert!(change_lines(&json!(null)).is_empty());
    }
}
