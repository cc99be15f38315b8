//! The signed-in layout: top bar (bell, language, who, sign out), the menu of what the user's
//! permissions allow, and the page.

use crate::api::{Api, use_api};
use crate::format::{lang, locale_of};
use crate::i18n::*;
use crate::state::use_session;
use crm_domain::api::{MePatch, RefreshRequest};
use crm_domain::{Lang, Permission};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::{A, Outlet};

/// The unread count shown on the bell, shared so that reading updates it at once.
#[derive(Clone, Copy)]
pub struct Unread(pub RwSignal<i64>);

impl Unread {
    /// Asks the server again.
    pub fn refresh(self, api: Api) {
        spawn_local(async move {
            if let Ok(c) = api.unread_count().await {
                self.0.set(c.count);
            }
        });
    }
}

/// A menu entry: where it goes, its words, and the permission it needs.
type Link = (
    &'static str,
    fn(crate::format::I18n) -> &'static str,
    Option<Permission>,
);

const LINKS: [Link; 36] = [
    ("/", |i| t_string!(i, nav.home), None),
    ("/agenda", |i| t_string!(i, nav.agenda), None),
    (
        "/customers",
        |i| t_string!(i, nav.customers),
        Some(Permission::CustomerRead),
    ),
    (
        "/customers/pipeline",
        |i| t_string!(i, nav.pipeline),
        Some(Permission::CustomerRead),
    ),
    (
        "/pool",
        |i| t_string!(i, nav.pool),
        Some(Permission::CustomerRead),
    ),
    (
        "/customers/review",
        |i| t_string!(i, nav.review),
        Some(Permission::CustomerReview),
    ),
    (
        "/opportunities/board",
        |i| t_string!(i, nav.board),
        Some(Permission::OpportunityRead),
    ),
    (
        "/opportunities",
        |i| t_string!(i, nav.opportunities),
        Some(Permission::OpportunityRead),
    ),
    (
        "/competitors",
        |i| t_string!(i, nav.competitors),
        Some(Permission::OpportunityRead),
    ),
    (
        "/knowledge",
        |i| t_string!(i, nav.knowledge),
        Some(Permission::KnowledgeRead),
    ),
    (
        "/orders",
        |i| t_string!(i, nav.orders),
        Some(Permission::OrderRead),
    ),
    (
        "/receivables",
        |i| t_string!(i, nav.receivables),
        Some(Permission::ReceiptRead),
    ),
    (
        "/reports/dashboard",
        |i| t_string!(i, nav.dashboard),
        Some(Permission::ReportRead),
    ),
    (
        "/reports/sales",
        |i| t_string!(i, nav.sales_report),
        Some(Permission::OrderRead),
    ),
    (
        "/reports/receipts",
        |i| t_string!(i, nav.receipts_report),
        Some(Permission::ReceiptRead),
    ),
    (
        "/reports/customers",
        |i| t_string!(i, nav.customers_report),
        Some(Permission::CustomerRead),
    ),
    (
        "/reports/opportunities",
        |i| t_string!(i, nav.opportunities_report),
        Some(Permission::OpportunityRead),
    ),
    (
        "/reports/products",
        |i| t_string!(i, nav.products_report),
        Some(Permission::OrderRead),
    ),
    (
        "/reports/scorecard",
        |i| t_string!(i, nav.scorecard),
        Some(Permission::ActivityRead),
    ),
    (
        "/reports/renewals",
        |i| t_string!(i, nav.renewals_report),
        Some(Permission::OrderRead),
    ),
    (
        "/reports/renewal-risk",
        |i| t_string!(i, nav.renewal_risk),
        Some(Permission::CustomerRead),
    ),
    (
        "/tickets",
        |i| t_string!(i, nav.tickets),
        Some(Permission::ServiceRead),
    ),
    (
        "/expenses",
        |i| t_string!(i, nav.expenses),
        Some(Permission::ExpenseRead),
    ),
    (
        "/expenses/approvals",
        |i| t_string!(i, nav.expense_approvals),
        Some(Permission::ExpenseApprove),
    ),
    (
        "/reports/expenses",
        |i| t_string!(i, nav.expense_analysis),
        Some(Permission::ExpenseRead),
    ),
    (
        "/system/departments",
        |i| t_string!(i, nav.departments),
        Some(Permission::AdminDepartments),
    ),
    (
        "/system/users",
        |i| t_string!(i, nav.users),
        Some(Permission::AdminUsers),
    ),
    (
        "/system/roles",
        |i| t_string!(i, nav.roles),
        Some(Permission::AdminRoles),
    ),
    (
        "/system/dictionaries",
        |i| t_string!(i, nav.dictionaries),
        Some(Permission::AdminDictionaries),
    ),
    (
        "/system/settings",
        |i| t_string!(i, nav.settings),
        Some(Permission::AdminSettings),
    ),
    (
        "/pool/reclaim-preview",
        |i| t_string!(i, nav.reclaim_preview),
        Some(Permission::AdminSettings),
    ),
    (
        "/system/webhooks",
        |i| t_string!(i, nav.webhooks),
        Some(Permission::AdminSettings),
    ),
    (
        "/system/audit",
        |i| t_string!(i, nav.audit),
        Some(Permission::AdminAudit),
    ),
    (
        "/system/products",
        |i| t_string!(i, nav.products),
        Some(Permission::ProductManage),
    ),
    (
        "/customer-transfers",
        |i| t_string!(i, nav.transfer),
        Some(Permission::CustomerTransfer),
    ),
    ("/profile", |i| t_string!(i, nav.profile), None),
];

/// Signed-in layout: restores the session from the refresh token on load, or sends to /login.
#[component]
pub fn Shell() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let api = use_api();
    let menu_open = RwSignal::new(false);
    // The bell's count: asked for once signed in, then every minute.
    let unread = Unread(RwSignal::new(0));
    provide_context(unread);
    Effect::new(move |_| {
        if session.me.with(Option::is_some) {
            unread.refresh(api);
        }
    });
    // The language a user chose follows them from device to device.
    Effect::new(move |_| {
        if let Some(chosen) = session.me.with(|m| m.as_ref().and_then(|m| m.language)) {
            i18n.set_locale(locale_of(chosen));
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
                let _ = api.logout(&RefreshRequest { refresh_token }).await;
            }
            session.clear();
            crate::api::go_to_login();
        })
    };
    let nav = move || {
        LINKS
            .into_iter()
            .filter(|(_, _, p)| p.is_none_or(|p| session.can(p)))
            .map(|(href, words, _)| {
                view! {
                    <A href=href attr:class="nav-link" on:click=move |_| menu_open.set(false)>
                        {move || words(i18n)}
                    </A>
                }
            })
            .collect_view()
    };
    view! {
        <Show when=move || session.me.with(Option::is_some) fallback=move || view! { <p class="loading">{move || t_string!(i18n, common.loading)}</p> }>
            <div class="shell" class:menu-open=move || menu_open.get()>
                <header class="topbar">
                    <button class="menu-toggle" aria-label=move || t_string!(i18n, nav.menu) on:click=move |_| menu_open.update(|o| *o = !*o)>"☰"</button>
                    <span class="brand">{move || t_string!(i18n, app.name)}</span>
                    <crate::pages::knowledge::GlobalSearch />
                    <span class="spacer"></span>
                    <A href="/notifications" attr:class="bell" attr:title=move || t_string!(i18n, top.notifications) attr:aria-label=move || t_string!(i18n, top.notifications)>
                        <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
                            <path fill="currentColor" d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1Z" />
                        </svg>
                        <Show when=move || { unread.0.get() > 0 }>
                            <span class="bell-count">{move || { let n = unread.0.get(); if n >= 100 { "99+".to_string() } else { n.to_string() } }}</span>
                        </Show>
                    </A>
                    <LanguageSwitch />
                    <span class="who">{move || session.me.with(|m| m.as_ref().map(|m| m.display_name.clone()).unwrap_or_default())}</span>
                    <button class="logout" on:click=logout>{move || t_string!(i18n, top.logout)}</button>
                </header>
                <nav class="sidebar">{nav}</nav>
                <main class="content">
                    <Outlet />
                </main>
            </div>
        </Show>
    }
}

/// The other language, one click away. Signed in, the choice is also saved as the user's own
/// setting, so that the server answers them in it and their other devices follow.
#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let api = use_api();
    let switch = move |_| {
        let next = match lang(i18n) {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        };
        i18n.set_locale(locale_of(next));
        if session.me.with_untracked(Option::is_some) {
            spawn_local(async move {
                let patch = MePatch {
                    language: Some(Some(next)),
                };
                if let Ok(me) = api.update_me(&patch).await {
                    session.me.set(Some(me));
                }
            });
        }
    };
    view! { <button type="button" class="lang-switch" on:click=switch>{move || t_string!(i18n, top.language)}</button> }
}
