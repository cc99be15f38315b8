//! The v1 routes. Each handler is registered together with its OpenAPI operation
//! (utoipa-actix-web), so the document cannot drift from what is served.

pub mod activities;
pub mod articles;
pub mod audit;
pub mod auth;
pub mod competitors;
pub mod customers;
pub mod departments;
pub mod dictionaries;
pub mod documents;
pub mod expenses;
pub mod exports;
mod form;
pub mod imports;
pub mod me;
pub mod notifications;
pub mod opportunities;
pub mod orders;
pub mod pool;
pub mod products;
pub mod quotes;
pub mod receivables;
pub mod reminders;
pub mod renewals;
pub mod reports;
pub mod roles;
pub mod settings;
pub mod team;
pub mod tickets;
pub mod transfers;
pub mod users;
pub mod webhooks;

use utoipa_actix_web::service_config::ServiceConfig;

/// What every route module uses: the caller with the permission it needs, the body and query
/// extractors, the answers, and the route macros.
mod prelude {
    pub use crate::caller::Caller;
    pub use crate::error::ApiResult;
    pub use crate::extract::{Json, Query};
    pub use crate::respond::{Created, NoContent};
    pub use actix_web::web::Path;
    pub use actix_web::{delete, get, patch, post, put};
    pub use crm_domain::permissions::need;
    pub use utoipa_actix_web::service_config::ServiceConfig;
}

pub fn configure(cfg: &mut ServiceConfig) {
    auth::configure(cfg);
    me::configure(cfg);
    departments::configure(cfg);
    users::configure(cfg);
    roles::configure(cfg);
    dictionaries::configure(cfg);
    settings::configure(cfg);
    audit::configure(cfg);
    customers::configure(cfg);
    transfers::configure(cfg);
    pool::configure(cfg);
    activities::configure(cfg);
    team::configure(cfg);
    reminders::configure(cfg);
    notifications::configure(cfg);
    products::configure(cfg);
    opportunities::configure(cfg);
    quotes::configure(cfg);
    competitors::configure(cfg);
    orders::configure(cfg);
    receivables::configure(cfg);
    renewals::configure(cfg);
    reports::configure(cfg);
    expenses::configure(cfg);
    tickets::configure(cfg);
    articles::configure(cfg);
    documents::configure(cfg);
    exports::configure(cfg);
    imports::configure(cfg);
    webhooks::configure(cfg);
}
