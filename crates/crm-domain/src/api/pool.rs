//! The public pool (公海): customers nobody owns, which anyone may claim, and the rules that send
//! unattended customers back to it.

use super::{CustomerType, IdName};
use crate::customer::CustomerLevel;
use crate::validation;
use chrono::{DateTime, NaiveDate, Utc};
use crm_macros::rules;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use validator::Validate;

/// A customer in the pool as anyone may see it: who and what it is, not how to reach it (no
/// phone, address or contacts until it is claimed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PoolCustomer {
    pub id: i64,
    pub name: String,
    pub short_name: Option<String>,
    #[serde(rename = "type")]
    pub type_: CustomerType,
    pub level: CustomerLevel,
    pub industry_id: Option<i64>,
    pub region_id: Option<i64>,
    pub source_id: Option<i64>,
    pub size: Option<String>,
    pub last_contact_at: Option<DateTime<Utc>>,
    /// Since when it has been in the pool.
    pub pooled_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// Which rule sends a customer back to the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PoolRule {
    /// Nobody has contacted it for `pool_reclaim_no_contact_days`.
    NoContact,
    /// Still below `signed` `pool_reclaim_unsigned_days` after its owner got it.
    Unsigned,
}

impl PoolRule {
    pub fn as_str(self) -> &'static str {
        match self {
            PoolRule::NoContact => "no_contact",
            PoolRule::Unsigned => "unsigned",
        }
    }

    pub fn parse(s: &str) -> Option<PoolRule> {
        match s {
            "no_contact" => Some(PoolRule::NoContact),
            "unsigned" => Some(PoolRule::Unsigned),
            _ => None,
        }
    }
}

/// When the first rule due will send a customer back to the pool (on the company's calendar).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PoolReturn {
    pub rule: PoolRule,
    /// The day the rule takes it (the scheduler's first run on or after it).
    pub on: NaiveDate,
    /// Days from today; 0 or less: due now.
    pub days_left: i64,
}

/// A customer the reclaim rules would send to the pool, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReclaimCandidate {
    pub customer: IdName,
    pub level: CustomerLevel,
    pub owner: IdName,
    pub department: IdName,
    pub last_contact_at: Option<DateTime<Utc>>,
    pub owner_since: Option<DateTime<Utc>>,
    #[serde(flatten)]
    pub due: PoolReturn,
}

/// `POST /customers/{id}/release`: why the customer goes to the pool.
#[rules]
#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReleaseRequest {
    #[validate(length(min = 1, max = 500), custom(function = "validation::not_blank"))]
    pub reason: String,
}

/// `POST /pool/{id}/claim`: for oneself (no body, or no `owner_id`), or — with
/// `customer.transfer` — for someone within one's scope.
#[rules]
#[derive(Debug, Clone, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ClaimRequest {
    #[serde(default)]
    pub owner_id: Option<i64>,
}

/// What a release moved to the pool with the customer, per kind (opportunities, quotes, reminders;
/// orders stay with whoever sold them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Released {
    pub customer_id: i64,
    pub moved: BTreeMap<String, i64>,
}
