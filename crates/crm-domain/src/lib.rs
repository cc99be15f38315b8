//! Pure types and rules of the CRM: no I/O, compiles to wasm32 so the frontend shares them.
//!
//! The API's request and response bodies live in [`api`]; the rules (who sees what, which permission
//! exists, how money is written) live beside them in their own modules.

pub mod api;
pub mod customer;
pub mod money;
pub mod order;
pub mod permissions;
pub mod scope;
pub mod settings;
pub mod time;
pub mod validation;

pub use money::Money;
pub use permissions::Permission;
pub use scope::DataScope;
