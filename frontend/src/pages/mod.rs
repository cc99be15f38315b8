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

use crate::components::labels;
use crate::i18n::*;
use crate::state::use_session;
use leptos::prelude::*;

/// Who is signed in: name, department, roles and what they see (the top of the Today page).
#[component]
pub fn Welcome() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    view! {
        <section class="card welcome">
            {move || session.me.get().map(|me| {
                let scope = me.data_scope;
                let roles = me.roles.iter().map(|r| r.name.clone()).collect::<Vec<_>>().join("、");
                view! {
                    <h1>{move || t_string!(i18n, home.welcome)}{me.display_name.clone()}</h1>
                    <dl class="facts">
                        <dt>{move || t_string!(i18n, home.department)}</dt><dd>{me.department.name.clone()}</dd>
                        <dt>{move || t_string!(i18n, home.roles)}</dt><dd>{roles}</dd>
                        <dt>{move || t_string!(i18n, home.scope)}</dt><dd>{move || labels::scope(i18n, scope)}</dd>
                    </dl>
                }
            })}
        </section>
    }
}

#[component]
pub fn NotFound() -> impl IntoView {
    let i18n = use_i18n();
    view! { <section class="card"><h1>{move || t_string!(i18n, notfound.title)}</h1><a href="/">{move || t_string!(i18n, nav.home)}</a></section> }
}
