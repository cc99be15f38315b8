//! One module per page.

pub mod customers;
pub mod documents;
pub mod expenses;
pub mod imports;
pub mod knowledge;
pub mod login;
pub mod notifications;
pub mod opportunities;
pub mod orders;
pub mod pool;
pub mod products;
pub mod profile;
pub mod receivables;
pub mod renewals;
pub mod reports;
pub mod roles;
pub mod system;
pub mod tickets;
pub mod today;
pub mod transfer;
pub mod webhooks;

use crate::i18n::*;
use leptos::prelude::*;

#[component]
pub fn NotFound() -> impl IntoView {
    let i18n = use_i18n();
    view! { <section class="card"><h1>{move || t_string!(i18n, notfound.title)}</h1><a href="/">{move || t_string!(i18n, nav.home)}</a></section> }
}
