//! Bodies of the customers and contacts endpoints.

use super::IdName;
use crate::customer::CustomerLevel;
use crate::{Money, validation};
use chrono::{DateTime, NaiveDate, Utc};
use crm_macros::rules;
use serde::{Deserialize, Serialize};
use validator::Validate;

/// 属性: what the company is to us.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CustomerType {
    Customer,
    Supplier,
    Partner,
    Agent,
    Competitor,
}

impl CustomerType {
    pub const ALL: [CustomerType; 5] = [
        Self::Customer,
        Self::Supplier,
        Self::Partner,
        Self::Agent,
        Self::Competitor,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Customer => "customer",
            Self::Supplier => "supplier",
            Self::Partner => "partner",
            Self::Agent => "agent",
            Self::Competitor => "competitor",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// 审核状态 of a customer record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReviewStatus {
    Approved,
    Pending,
    Rejected,
}

impl ReviewStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Approved => "approved",
            Self::Pending => "pending",
            Self::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Approved, Self::Pending, Self::Rejected]
            .into_iter()
            .find(|r| r.as_str() == s)
    }
}

/// A customer as its owner and managers see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Customer {
    pub id: i64,
    pub name: String,
    pub short_name: Option<String>,
    #[serde(rename = "type")]
    pub type_: CustomerType,
    pub level: CustomerLevel,
    /// 1–5 for signed customers.
    pub grade: Option<i16>,
    pub industry_id: Option<i64>,
    pub region_id: Option<i64>,
    pub source_id: Option<i64>,
    pub size: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub website: Option<String>,
    pub owner: IdName,
    pub department: IdName,
    pub notes: Option<String>,
    pub review_status: ReviewStatus,
    pub signed_total: Money,
    pub last_contact_at: Option<DateTime<Utc>>,
    /// Since when the current owner has had it (the unsigned rule of the pool counts from here).
    pub owner_since: Option<DateTime<Utc>>,
    /// Since when it has been in the public pool (公海); null while someone owns it.
    pub pooled_at: Option<DateTime<Utc>>,
    /// When a pool rule will take it back to the pool, and which (only `GET /customers/{id}`,
    /// and only while a rule is on).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pool_return: Option<crate::api::PoolReturn>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

#[rules]
#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewCustomer {
    #[validate(length(min = 2, max = 100), custom(function = "validation::not_blank"))]
    pub name: String,
    #[serde(default)]
    #[validate(length(min = 1, max = 50))]
    pub short_name: Option<String>,
    #[serde(rename = "type", default = "default_type")]
    pub type_: CustomerType,
    #[serde(default)]
    pub industry_id: Option<i64>,
    #[serde(default)]
    pub region_id: Option<i64>,
    #[serde(default)]
    pub source_id: Option<i64>,
    #[serde(default)]
    #[validate(length(min = 1, max = 50))]
    pub size: Option<String>,
    #[serde(default)]
    #[validate(length(min = 1, max = 200))]
    pub address: Option<String>,
    #[serde(default)]
    #[validate(length(min = 1, max = 40))]
    pub phone: Option<String>,
    #[serde(default)]
    #[validate(length(min = 1, max = 200))]
    pub website: Option<String>,
    /// Default: the caller.
    #[serde(default)]
    pub owner_id: Option<i64>,
    #[serde(default)]
    #[validate(length(max = 2000))]
    pub notes: Option<String>,
}

fn default_type() -> CustomerType {
    CustomerType::Customer
}

/// Changes to a customer; absent fields stay, `null` clears an optional one. Level, grade and owner
/// have their own endpoints (with reasons) and the transfer.
#[rules]
#[derive(Debug, Clone, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CustomerPatch {
    #[validate(length(min = 2, max = 100), custom(function = "validation::not_blank"))]
    pub name: Option<String>,
    #[serde(
        default,
        with = "::serde_with::rust::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    #[validate(length(min = 1, max = 50))]
    pub short_name: Option<Option<String>>,
    #[serde(rename = "type")]
    pub type_: Option<CustomerType>,
    #[serde(
        default,
        with = "::serde_with::rust::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub industry_id: Option<Option<i64>>,
    #[serde(
        default,
        with = "::serde_with::rust::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub region_id: Option<Option<i64>>,
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
    #[validate(length(min = 1, max = 50))]
    pub size: Option<Option<String>>,
    #[serde(
        default,
        with = "::serde_with::rust::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    #[validate(length(min = 1, max = 200))]
    pub address: Option<Option<String>>,
    #[serde(
        default,
        with = "::serde_with::rust::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    #[validate(length(min = 1, max = 40))]
    pub phone: Option<Option<String>>,
    #[serde(
        default,
        with = "::serde_with::rust::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    #[validate(length(min = 1, max = 200))]
    pub website: Option<Option<String>>,
    #[serde(
        default,
        with = "::serde_with::rust::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    #[validate(length(max = 2000))]
    pub notes: Option<Option<String>>,
    pub version: i32,
}

/// One existing customer that a new one would duplicate. Anyone may learn that it exists and who owns
/// it (customer protection); only those who may see it get its `id`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DuplicateMatch {
    pub name: String,
    pub owner_name: String,
    pub department_name: String,
    /// Which key matched: `name`, `phone` or `website`.
    pub matched_on: String,
    pub visible: bool,
    /// The customer is in the public pool (公海): anyone may claim it (`id` is given).
    #[serde(default)]
    pub in_pool: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DuplicateCheck {
    pub matches: Vec<DuplicateMatch>,
}

/// A manual move along the pipeline (or onto the blacklist), with its reason.
#[rules]
#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LevelChange {
    pub level: CustomerLevel,
    #[validate(length(min = 1, max = 500), custom(function = "validation::not_blank"))]
    pub reason: String,
}

/// A manager's grade for a signed customer, with its reason; `null` returns to the automatic grade.
#[rules]
#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct GradeChange {
    #[validate(range(min = 1, max = 5))]
    pub grade: Option<i16>,
    #[validate(length(min = 1, max = 500), custom(function = "validation::not_blank"))]
    pub reason: String,
}

/// Customers per level within the caller's scope.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PipelineLevel {
    pub level: CustomerLevel,
    pub count: i64,
    pub signed_amount: Money,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Pipeline {
    pub levels: Vec<PipelineLevel>,
}

/// 联系人
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Contact {
    pub id: i64,
    pub customer_id: i64,
    pub name: String,
    pub title: Option<String>,
    pub mobile: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub im: Option<String>,
    pub birthday: Option<NaiveDate>,
    pub notes: Option<String>,
    pub is_key: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

#[rules]
#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewContact {
    #[validate(length(min = 1, max = 50), custom(function = "validation::not_blank"))]
    pub name: String,
    #[serde(default)]
    #[validate(length(min = 1, max = 50))]
    pub title: Option<String>,
    #[serde(default)]
    #[validate(length(min = 1, max = 40))]
    pub mobile: Option<String>,
    #[serde(default)]
    #[validate(length(min = 1, max = 40))]
    pub phone: Option<String>,
    #[serde(default)]
    #[validate(length(max = 254), custom(function = "validation::email"))]
    pub email: Option<String>,
    #[serde(default)]
    #[validate(length(min = 1, max = 100))]
    pub im: Option<String>,
    #[serde(default)]
    pub birthday: Option<NaiveDate>,
    #[serde(default)]
    #[validate(length(max = 2000))]
    pub notes: Option<String>,
    #[serde(default)]
    pub is_key: bool,
}

#[rules]
#[derive(Debug, Clone, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ContactPatch {
    #[validate(length(min = 1, max = 50), custom(function = "validation::not_blank"))]
    pub name: Option<String>,
    #[serde(
        default,
        with = "::serde_with::rust::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    #[validate(length(min = 1, max = 50))]
    pub title: Option<Option<String>>,
    #[serde(
        default,
        with = "::serde_with::rust::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    #[validate(length(min = 1, max = 40))]
    pub mobile: Option<Option<String>>,
    #[serde(
        default,
        with = "::serde_with::rust::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    #[validate(length(min = 1, max = 40))]
    pub phone: Option<Option<String>>,
    #[serde(
        default,
        with = "::serde_with::rust::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    #[validate(length(max = 254), custom(function = "validation::email"))]
    pub email: Option<Option<String>>,
    #[serde(
        default,
        with = "::serde_with::rust::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    #[validate(length(min = 1, max = 100))]
    pub im: Option<Option<String>>,
    #[serde(
        default,
        with = "::serde_with::rust::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<NaiveDate>))]
    pub birthday: Option<Option<NaiveDate>>,
    #[serde(
        default,
        with = "::serde_with::rust::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    #[validate(length(max = 2000))]
    pub notes: Option<Option<String>>,
    pub is_key: Option<bool>,
    pub version: i32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReviewDecision {
    Approve,
    Reject,
}

#[rules]
#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReviewRequest {
    pub decision: ReviewDecision,
    #[serde(default)]
    #[validate(length(max = 500))]
    pub comment: String,
}

/// 客户转移: one, several (`customer_ids`) or all (`all: true`) customers of a user to another.
#[rules]
#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewTransfer {
    pub from_user_id: i64,
    pub to_user_id: i64,
    #[serde(default)]
    #[validate(length(min = 1, max = 10000))]
    pub customer_ids: Option<Vec<i64>>,
    #[serde(default)]
    pub all: Option<bool>,
    #[validate(length(min = 1, max = 500), custom(function = "validation::not_blank"))]
    pub reason: String,
    /// Only count what would move (the wizard's preview); nothing changes.
    #[serde(default)]
    pub dry_run: bool,
}

/// A transfer as logged: what moved, counted per kind (`customers`, `contacts`, and what later
/// modules add).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Transfer {
    /// None for a dry run.
    pub id: Option<i64>,
    pub from_user: IdName,
    pub to_user: IdName,
    pub reason: String,
    pub moved: std::collections::BTreeMap<String, i64>,
    pub created_by: IdName,
    pub created_at: DateTime<Utc>,
}

/// 客户接触: one contact with a customer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Activity {
    pub id: i64,
    pub customer: IdName,
    pub contact_id: Option<i64>,
    /// The deal it was logged on.
    #[serde(default)]
    pub opportunity_id: Option<i64>,
    pub owner: IdName,
    pub type_id: i64,
    pub occurred_at: DateTime<Utc>,
    pub summary: String,
    pub outcome: Option<String>,
    pub next_step_on: Option<NaiveDate>,
    pub next_step_note: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

#[rules]
#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewActivity {
    pub customer_id: i64,
    #[serde(default)]
    pub contact_id: Option<i64>,
    /// A deal of the same customer this contact was about.
    #[serde(default)]
    pub opportunity_id: Option<i64>,
    pub type_id: i64,
    pub occurred_at: DateTime<Utc>,
    #[validate(
        length(min = 1, max = 2000),
        custom(function = "validation::not_blank")
    )]
    pub summary: String,
    #[serde(default)]
    #[validate(length(max = 2000))]
    pub outcome: Option<String>,
    #[serde(default)]
    pub next_step_on: Option<NaiveDate>,
    #[serde(default)]
    #[validate(length(max = 500))]
    pub next_step_note: Option<String>,
}

#[rules]
#[derive(Debug, Clone, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ActivityPatch {
    pub type_id: Option<i64>,
    pub occurred_at: Option<DateTime<Utc>>,
    #[validate(
        length(min = 1, max = 2000),
        custom(function = "validation::not_blank")
    )]
    pub summary: Option<String>,
    #[serde(
        default,
        with = "::serde_with::rust::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    #[validate(length(max = 2000))]
    pub outcome: Option<Option<String>>,
    pub version: i32,
}

/// What a customer-protection refusal says: the first customer the new one collides with, on
/// which key, and who owns it.
pub fn clash_detail(clashes: &[crate::problem::CustomerClash]) -> crate::Msg {
    let Some(first) = clashes.first() else {
        return crate::msg!("客户已存在", "the customer exists already");
    };
    let (name, owner, dept) = (
        &first.name,
        &first.owner.display_name,
        &first.department.name,
    );
    let (field_zh, field_en) = match first.field.as_str() {
        "phone" => ("电话", "phone"),
        "website" => ("网址", "website"),
        _ => ("名称", "name"),
    };
    if first.in_pool {
        return crate::msg!(
            "客户已存在（{field_zh}相同）：{name}，在公海中，可以领取",
            "the customer exists already (same {field_en}): {name}, in the public pool, where you may claim it"
        );
    }
    crate::msg!(
        "客户已存在（{field_zh}相同）：{name}，负责人 {owner}（{dept}）",
        "the customer exists already (same {field_en}): {name}, owned by {owner} of {dept}"
    )
}
