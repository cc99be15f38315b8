//! Bodies of the opportunities (机会), key contacts, competitors and quotes (报价) endpoints.

use super::{IdName, OrderLine, OrderLineInput};
use crate::opportunity::{ContactRole, OpportunityStatus, QuoteStatus};
use crate::{Money, validation};
use chrono::{DateTime, NaiveDate, Utc};
use crm_macros::rules;
use serde::{Deserialize, Serialize};
use validator::Validate;

/// 机会: a deal being negotiated with a customer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Opportunity {
    pub id: i64,
    pub customer: IdName,
    pub owner: IdName,
    pub department: IdName,
    pub title: String,
    /// An entry of the `opportunity_stage` dictionary.
    pub stage: IdName,
    pub amount: Money,
    /// 0–100: the stage's default unless set by hand.
    pub probability: i16,
    /// Whether `probability` was set by hand (a stage move then keeps it).
    pub probability_set: bool,
    /// `amount × probability / 100`, to the fen.
    pub weighted_amount: Money,
    pub expected_close_on: Option<NaiveDate>,
    /// An entry of the `customer_source` dictionary.
    pub source_id: Option<i64>,
    pub description: Option<String>,
    pub status: OpportunityStatus,
    pub lost_reason: Option<String>,
    /// The competitor the deal was lost to.
    pub lost_to: Option<IdName>,
    pub closed_on: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

#[rules]
#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewOpportunity {
    pub customer_id: i64,
    #[validate(length(min = 1, max = 200), custom(function = "validation::not_blank"))]
    pub title: String,
    /// Default: the first stage.
    #[serde(default)]
    pub stage_id: Option<i64>,
    #[serde(default)]
    #[validate(custom(function = "validation::deal_amount"))]
    pub amount: Option<Money>,
    /// Default: the stage's probability.
    #[serde(default)]
    #[validate(range(min = 0, max = 100))]
    pub probability: Option<i16>,
    #[serde(default)]
    pub expected_close_on: Option<NaiveDate>,
    /// Default: the customer's owner.
    #[serde(default)]
    pub owner_id: Option<i64>,
    #[serde(default)]
    pub source_id: Option<i64>,
    #[serde(default)]
    #[validate(length(max = 4000))]
    pub description: Option<String>,
}

/// Changes of an open deal; absent fields stay. `probability: null` goes back to the stage's.
#[rules]
#[derive(Debug, Clone, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OpportunityPatch {
    #[validate(length(min = 1, max = 200), custom(function = "validation::not_blank"))]
    pub title: Option<String>,
    pub stage_id: Option<i64>,
    #[validate(custom(function = "validation::deal_amount"))]
    pub amount: Option<Money>,
    #[serde(
        default,
        with = "::serde_with::rust::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i16>))]
    #[validate(range(min = 0, max = 100))]
    pub probability: Option<Option<i16>>,
    #[serde(
        default,
        with = "::serde_with::rust::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<NaiveDate>))]
    pub expected_close_on: Option<Option<NaiveDate>>,
    #[serde(
        default,
        with = "::serde_with::rust::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub source_id: Option<Option<i64>>,
    #[serde(
        default,
        with = "::serde_with::rust::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    #[validate(length(max = 4000))]
    pub description: Option<Option<String>>,
    pub version: i32,
}

/// `win` and `reopen` of a deal at a known version.
#[rules]
#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OpportunityStatusChange {
    pub version: i32,
}

/// `lose`: why, and to whom if to a competitor.
#[rules]
#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LoseRequest {
    pub version: i32,
    #[validate(length(min = 1, max = 500), custom(function = "validation::not_blank"))]
    pub lost_reason: String,
    #[serde(default)]
    pub competitor_id: Option<i64>,
}

/// A stage (and status) a deal entered, by whom and when; `left_at` is when the next one began.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OpportunityMove {
    pub stage: IdName,
    pub status: OpportunityStatus,
    pub moved_by: IdName,
    pub moved_at: DateTime<Utc>,
    pub left_at: Option<DateTime<Utc>>,
}

/// One column of the deal board: the open deals of a stage within the caller's scope.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StagePipeline {
    pub stage: IdName,
    /// The stage's default probability.
    pub probability: Option<i16>,
    pub count: i64,
    pub amount: Money,
    /// Σ amount × probability / 100 (each deal's own probability), rounded once.
    pub weighted_amount: Money,
}

/// `GET /opportunities/pipeline`: every enabled stage in order, and the totals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OpportunityPipeline {
    pub stages: Vec<StagePipeline>,
    pub count: i64,
    pub amount: Money,
    pub weighted_amount: Money,
}

/// A key contact of a deal (one of the customer's contacts) and their part in it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KeyContact {
    pub contact: IdName,
    /// The contact's job title.
    pub title: Option<String>,
    pub phone: Option<String>,
    pub role: ContactRole,
}

#[rules]
#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewKeyContact {
    pub contact_id: i64,
    pub role: ContactRole,
}

/// Deals met against a competitor, within the caller's scope.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CompetitorDeals {
    pub won: i64,
    pub lost: i64,
    pub open: i64,
}

/// 竞争对手: company-wide knowledge of a rival.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Competitor {
    pub id: i64,
    pub name: String,
    pub website: Option<String>,
    pub strengths: Option<String>,
    pub weaknesses: Option<String>,
    pub products: Option<String>,
    /// How they price.
    pub pricing: Option<String>,
    /// Deals met against it (in the deal or lost to it) that the caller sees.
    pub deals: CompetitorDeals,
    pub version: i32,
}

#[rules]
#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewCompetitor {
    #[validate(length(min = 1, max = 100), custom(function = "validation::not_blank"))]
    pub name: String,
    #[serde(default)]
    #[validate(length(max = 200))]
    pub website: Option<String>,
    #[serde(default)]
    #[validate(length(max = 2000))]
    pub strengths: Option<String>,
    #[serde(default)]
    #[validate(length(max = 2000))]
    pub weaknesses: Option<String>,
    #[serde(default)]
    #[validate(length(max = 2000))]
    pub products: Option<String>,
    #[serde(default)]
    #[validate(length(max = 2000))]
    pub pricing: Option<String>,
}

macro_rules! optional_text_patch {
    ($(#[$meta:meta])* pub struct $name:ident { $($field:ident: $max:literal),* $(,)? }) => {
        $(#[$meta])*
        #[rules]
        #[derive(Debug, Clone, Default, Serialize, Deserialize, Validate)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            #[validate(length(min = 1, max = 100), custom(function = "validation::not_blank"))]
            pub name: Option<String>,
            $(
                #[serde(
                    default,
                    with = "::serde_with::rust::double_option",
                    skip_serializing_if = "Option::is_none"
                )]
                #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
                #[validate(length(max = $max))]
                pub $field: Option<Option<String>>,
            )*
            pub version: i32,
        }
    };
}

optional_text_patch! {
    /// Changes of a competitor profile; `null` clears a text.
    pub struct CompetitorPatch {
        website: 200,
        strengths: 2000,
        weaknesses: 2000,
        products: 2000,
        pricing: 2000,
    }
}

/// A competitor met in a deal: our strengths and weaknesses against it, and how much it threatens.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DealCompetitor {
    pub competitor: IdName,
    pub strengths: Option<String>,
    pub weaknesses: Option<String>,
    /// 1 (little) – 5 (most).
    pub threat: i16,
}

#[rules]
#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewDealCompetitor {
    pub competitor_id: i64,
    /// Ours against it.
    #[serde(default)]
    #[validate(length(max = 2000))]
    pub strengths: Option<String>,
    /// Ours against it.
    #[serde(default)]
    #[validate(length(max = 2000))]
    pub weaknesses: Option<String>,
    #[validate(range(min = 1, max = 5))]
    pub threat: i16,
}

/// 报价: one version of what the deal is offered at.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Quote {
    pub id: i64,
    /// Readable and unique: `QT` + the company's date + a sequence, e.g. `QT20261201-0001`.
    pub number: String,
    pub opportunity: IdName,
    pub customer: IdName,
    pub owner: IdName,
    /// 1, 2, … within the deal.
    pub version: i32,
    pub status: QuoteStatus,
    pub valid_until: NaiveDate,
    pub notes: Option<String>,
    pub total: Money,
    pub lines: Vec<OrderLine>,
    /// The draft order an accepted quote became.
    pub order_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A new quote version: lines priced like an order's.
#[rules]
#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewQuote {
    #[validate(length(min = 1, max = 100), nested)]
    pub lines: Vec<OrderLineInput>,
    /// Default: 30 days from today (the company's calendar); not in the past.
    #[serde(default)]
    pub valid_until: Option<NaiveDate>,
    #[serde(default)]
    #[validate(length(max = 2000))]
    pub notes: Option<String>,
}
