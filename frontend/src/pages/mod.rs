//! One module per page.

pub mod customers;
pub mod login;
pub mod notifications;
pub mod orders;
pub mod products;
pub mod profile;
pub mod receivables;
pub mod roles;
pub mod system;
pub mod today;
pub mod transfer;

use crate::state::{use_i18n, use_session};
use leptos::prelude::*;

/// Who is signed in: name, department, roles and what they see (the top of the Today page).
#[component]
pub fn Welcome() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let t = move |k: &'static str| i18n.t(k);
    view! {
        <section class="card welcome">
            {move || session.me.get().map(|me| {
                let scope_key = match me.data_scope.as_str() {
                    "self" => "scope.self",
                    "department" => "scope.department",
                    "department_tree" => "scope.department_tree",
                    _ => "scope.all",
                };
                let roles = me.roles.iter().map(|r| r.name.clone()).collect::<Vec<_>>().join("、");
                view! {
                    <h1>{move || t("home.welcome")}{me.display_name.clone()}</h1>
                    <dl class="facts">
                        <dt>{move || t("home.department")}</dt><dd>{me.department.name.clone()}</dd>
                        <dt>{move || t("home.roles")}</dt><dd>{roles}</dd>
                        <dt>{move || t("home.scope")}</dt><dd>{move || t(scope_key)}</dd>
                    </dl>
                }
            })}
        </section>
    }
}

#[component]
pub fn NotFound() -> impl IntoView {
    let i18n = use_i18n();
    view! { <section class="card"><h1>{move || i18n.t("notfound.title")}</h1><a href="/">{move || i18n.t("nav.home")}</a></section> }
}
