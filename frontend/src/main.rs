//! The CRM's web app: a client-side Leptos app talking to `/api/v1` with the same types as the server.

mod api;
mod components;
mod i18n;
mod pages;
mod state;

use leptos::prelude::*;
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::path;
use state::{I18n, Session};

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}

#[component]
fn App() -> impl IntoView {
    I18n::provide();
    Session::provide();
    view! {
        <Router>
            <Routes fallback=pages::NotFound>
                <Route path=path!("/login") view=pages::login::LoginPage />
                <ParentRoute path=path!("") view=components::Shell>
                    <Route path=path!("") view=pages::today::TodayPage />
                    <Route path=path!("agenda") view=pages::today::AgendaPage />
                    <Route path=path!("notifications") view=pages::notifications::NotificationsPage />
                    <Route path=path!("customers") view=pages::customers::CustomersPage />
                    <Route path=path!("customers/new") view=pages::customers::NewCustomerPage />
                    <Route path=path!("customers/pipeline") view=pages::customers::PipelinePage />
                    <Route path=path!("customers/review") view=pages::customers::ReviewPage />
                    <Route path=path!("customers/:id") view=pages::customers::CustomerPage />
                    <Route path=path!("customers/:id/edit") view=pages::customers::EditCustomerPage />
                    <Route path=path!("customer-transfers") view=pages::transfer::TransferPage />
                    <Route path=path!("system/departments") view=pages::system::DepartmentsPage />
                    <Route path=path!("system/users") view=pages::system::UsersPage />
                    <Route path=path!("system/roles") view=pages::roles::RolesPage />
                    <Route path=path!("system/dictionaries") view=pages::system::DictionariesPage />
                    <Route path=path!("system/settings") view=pages::system::SettingsPage />
                    <Route path=path!("system/audit") view=pages::system::AuditPage />
                    <Route path=path!("orders") view=pages::orders::OrdersPage />
                    <Route path=path!("orders/new") view=pages::orders::NewOrderPage />
                    <Route path=path!("orders/:id") view=pages::orders::OrderPage />
                    <Route path=path!("receivables") view=pages::receivables::ReceivablesPage />
                    <Route path=path!("system/products") view=pages::products::ProductsPage />
                    <Route path=path!("profile") view=pages::profile::ProfilePage />
                </ParentRoute>
            </Routes>
        </Router>
    }
}
