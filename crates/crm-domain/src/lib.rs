//! Pure types and rules of the CRM: no I/O, compiles to wasm32 so the frontend shares them.
//!
//! The API's request and response bodies live in [`api`]; the rules (who sees what, which permission
//! exists, how money is written) live beside them in their own modules.

/// A closed set of words stored and sent as their `snake_case` codes.
macro_rules! words {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $code:literal),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $code),* }
            }

            pub fn parse(s: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|x| x.as_str() == s)
            }
        }
    };
}

pub mod api;
pub mod customer;
pub mod document;
pub mod expense;
pub mod history;
pub mod knowledge;
pub mod lang;
pub mod money;
pub mod opportunity;
pub mod order;
pub mod paging;
pub mod permissions;
pub mod pool;
pub mod problem;
pub mod renewal;
pub mod roles;
pub mod scope;
pub mod scorecard;
pub mod settings;
pub mod ticket;
pub mod time;
pub mod validation;
pub mod words;

pub use lang::{Lang, Msg};
pub use money::Money;
pub use permissions::Permission;
pub use problem::ErrorCode;
pub use scope::DataScope;
