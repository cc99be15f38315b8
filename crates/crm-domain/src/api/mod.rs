//! Request and response bodies of the v1 HTTP API, shared by the server and the web app.
//!
//! Field names are part of the v1 contract (`openapi/crm.openapi.json`): add, never rename.

use crate::{DataScope, Permission, settings::CompanySettings, validation};
use chrono::{DateTime, NaiveDate, Utc};
use crm_macros::rules;
use serde::{Deserialize, Serialize};
use validator::Validate;

// ---------------------------------------------------------------------------------------------
// Errors and lists

/// A page of a keyset-paginated list. `next_cursor` is opaque; pass it back as `?cursor=`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Health {
    pub status: String,
    pub database: String,
}

/// Readiness: the database answers and has every migration of this build.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Readiness {
    pub status: String,
    pub database: String,
    /// `current`.
    pub migrations: String,
}

// ---------------------------------------------------------------------------------------------
// Auth and the caller

#[rules]
#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    #[validate(length(min = 1, max = 64))]
    pub username: String,
    #[validate(length(min = 1, max = 128))]
    pub password: String,
}

#[rules]
#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    #[validate(length(min = 1, max = 256))]
    pub refresh_token: String,
}

/// Tokens handed out by login and refresh.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TokenResponse {
    pub access_token: String,
    pub refresh_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    pub user: Me,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IdName {
    pub id: i64,
    pub name: String,
}

/// The caller, with what they may do and see.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Me {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub department: IdName,
    pub roles: Vec<IdName>,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub permissions: Vec<Permission>,
    pub data_scope: DataScope,
    /// The language the server answers this user in (problems, e-mails); none: their browser's.
    pub language: Option<crate::Lang>,
}

/// Changes to the caller's own preferences.
#[derive(Debug, Clone, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MePatch {
    /// `zh-CN` or `en`; `null` follows the browser again.
    #[serde(
        default,
        with = "::serde_with::rust::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::Lang>))]
    pub language: Option<Option<crate::Lang>>,
}

#[rules]
#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordRequest {
    #[validate(length(min = 1, max = 128))]
    pub current_password: String,
    #[validate(length(min = 8, max = 128))]
    pub new_password: String,
}

/// A personal API token as listed (never with its secret).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    /// The first characters of the token, to recognise it.
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub expires_on: Option<NaiveDate>,
}

#[rules]
#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewApiToken {
    #[validate(length(min = 1, max = 100), custom(function = "validation::not_blank"))]
    pub name: String,
    /// Last day the token works; none means until revoked.
    #[serde(default)]
    pub expires_on: Option<NaiveDate>,
}

/// A token just created: the only time its secret is shown.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedApiToken {
    /// The secret; send it as `Authorization: Bearer <token>`. It cannot be shown again.
    pub token: String,
    #[serde(flatten)]
    pub info: ApiToken,
}

// ---------------------------------------------------------------------------------------------
// Departments

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Department {
    pub id: i64,
    pub name: String,
    pub parent_id: Option<i64>,
    pub sort_order: i32,
    pub user_count: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

#[rules]
#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewDepartment {
    #[validate(length(min = 1, max = 64), custom(function = "validation::not_blank"))]
    pub name: String,
    #[serde(default)]
    pub parent_id: Option<i64>,
    #[serde(default)]
    #[validate(range(min = -100000, max = 100000))]
    pub sort_order: i32,
}

#[rules]
#[derive(Debug, Clone, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DepartmentPatch {
    #[validate(length(min = 1, max = 64), custom(function = "validation::not_blank"))]
    pub name: Option<String>,
    /// `null` makes it a top-level department; absent leaves it where it is.
    #[serde(
        default,
        with = "::serde_with::rust::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub parent_id: Option<Option<i64>>,
    #[validate(range(min = -100000, max = 100000))]
    pub sort_order: Option<i32>,
    /// The version last read; a stale one answers 409 `stale_version`.
    pub version: i32,
}

// ---------------------------------------------------------------------------------------------
// Users

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub department: IdName,
    pub roles: Vec<IdName>,
    pub enabled: bool,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

#[rules]
#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    #[validate(custom(function = "validation::username"))]
    pub username: String,
    #[validate(length(min = 1, max = 64), custom(function = "validation::not_blank"))]
    pub display_name: String,
    #[validate(length(min = 8, max = 128))]
    pub password: String,
    pub department_id: i64,
    #[validate(length(min = 1, max = 20))]
    pub role_ids: Vec<i64>,
    #[serde(default)]
    #[validate(length(max = 254), custom(function = "validation::email"))]
    pub email: Option<String>,
    #[serde(default)]
    #[validate(length(min = 1, max = 32))]
    pub phone: Option<String>,
}

#[rules]
#[derive(Debug, Clone, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    #[validate(length(min = 1, max = 64), custom(function = "validation::not_blank"))]
    pub display_name: Option<String>,
    pub department_id: Option<i64>,
    #[validate(length(min = 1, max = 20))]
    pub role_ids: Option<Vec<i64>>,
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
    #[validate(length(min = 1, max = 32))]
    pub phone: Option<Option<String>>,
    pub version: i32,
}

#[rules]
#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ResetPasswordRequest {
    #[validate(length(min = 8, max = 128))]
    pub new_password: String,
}

// ---------------------------------------------------------------------------------------------
// Roles and permissions

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Role {
    pub id: i64,
    pub name: String,
    /// The stable code of a standard role (`administrator`, `salesperson`, …); none for roles the
    /// company made.
    pub code: Option<String>,
    pub description: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub permissions: Vec<Permission>,
    pub data_scope: DataScope,
    pub user_count: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

#[rules]
#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewRole {
    #[validate(length(min = 1, max = 64), custom(function = "validation::not_blank"))]
    pub name: String,
    #[serde(default)]
    #[validate(length(max = 500))]
    pub description: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    #[validate(length(max = 200))]
    pub permissions: Vec<Permission>,
    pub data_scope: DataScope,
}

#[rules]
#[derive(Debug, Clone, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RolePatch {
    #[validate(length(min = 1, max = 64), custom(function = "validation::not_blank"))]
    pub name: Option<String>,
    #[serde(
        default,
        with = "::serde_with::rust::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    #[validate(length(max = 500))]
    pub description: Option<Option<String>>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Vec<String>>))]
    #[validate(length(max = 200))]
    pub permissions: Option<Vec<Permission>>,
    pub data_scope: Option<DataScope>,
    pub version: i32,
}

/// One entry of the permission catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PermissionInfo {
    pub code: String,
    pub module: String,
    pub name_zh: String,
    pub name_en: String,
}

impl From<Permission> for PermissionInfo {
    fn from(p: Permission) -> Self {
        PermissionInfo {
            code: p.code().into(),
            module: p.module().into(),
            name_zh: p.name_zh().into(),
            name_en: p.name_en().into(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Dictionaries

/// The kinds of dictionaries (数据字典).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DictionaryKind {
    Industry,
    Region,
    CustomerSource,
    ActivityType,
    OpportunityStage,
    ExpenseCategory,
    ArticleCategory,
    PaymentMethod,
}

impl DictionaryKind {
    pub const ALL: [DictionaryKind; 8] = [
        Self::Industry,
        Self::Region,
        Self::CustomerSource,
        Self::ActivityType,
        Self::OpportunityStage,
        Self::ExpenseCategory,
        Self::ArticleCategory,
        Self::PaymentMethod,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Industry => "industry",
            Self::Region => "region",
            Self::CustomerSource => "customer_source",
            Self::ActivityType => "activity_type",
            Self::OpportunityStage => "opportunity_stage",
            Self::ExpenseCategory => "expense_category",
            Self::ArticleCategory => "article_category",
            Self::PaymentMethod => "payment_method",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The dictionary's name in Chinese (for messages).
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Industry => "行业",
            Self::Region => "地区",
            Self::CustomerSource => "客户来源",
            Self::ActivityType => "接触方式",
            Self::OpportunityStage => "机会阶段",
            Self::ExpenseCategory => "费用类别",
            Self::ArticleCategory => "知识分类",
            Self::PaymentMethod => "收款方式",
        }
    }

    /// Only regions form a tree (province → city).
    pub fn is_tree(self) -> bool {
        matches!(self, Self::Region)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DictionaryItem {
    pub id: i64,
    pub kind: DictionaryKind,
    pub name: String,
    pub name_en: Option<String>,
    pub parent_id: Option<i64>,
    pub sort_order: i32,
    pub enabled: bool,
    /// Only for opportunity stages: the default probability (0–100) of a deal in it.
    #[serde(default)]
    pub probability: Option<i16>,
    pub version: i32,
}

#[rules]
#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewDictionaryItem {
    #[validate(length(min = 1, max = 64), custom(function = "validation::not_blank"))]
    pub name: String,
    #[serde(default)]
    #[validate(length(min = 1, max = 64))]
    pub name_en: Option<String>,
    /// Only for regions: the province of a city.
    #[serde(default)]
    pub parent_id: Option<i64>,
    #[serde(default)]
    #[validate(range(min = -100000, max = 100000))]
    pub sort_order: i32,
    /// Only for opportunity stages: the default probability (0–100).
    #[serde(default)]
    #[validate(range(min = 0, max = 100))]
    pub probability: Option<i16>,
}

#[rules]
#[derive(Debug, Clone, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DictionaryItemPatch {
    #[validate(length(min = 1, max = 64), custom(function = "validation::not_blank"))]
    pub name: Option<String>,
    #[serde(
        default,
        with = "::serde_with::rust::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    #[validate(length(min = 1, max = 64))]
    pub name_en: Option<Option<String>>,
    #[validate(range(min = -100000, max = 100000))]
    pub sort_order: Option<i32>,
    pub enabled: Option<bool>,
    /// Only for opportunity stages.
    #[validate(range(min = 0, max = 100))]
    pub probability: Option<i16>,
    pub version: i32,
}

// ---------------------------------------------------------------------------------------------
// Settings and audit

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Settings {
    #[serde(flatten)]
    pub settings: CompanySettings,
    pub version: i32,
    pub updated_at: DateTime<Utc>,
}

/// Changes to company settings; absent fields stay as they are.
#[rules]
#[derive(Debug, Clone, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SettingsPatch {
    #[validate(length(min = 1, max = 100), custom(function = "validation::not_blank"))]
    pub company_name: Option<String>,
    /// An IANA time zone such as `Asia/Shanghai`.
    #[validate(length(min = 1, max = 64), custom(function = "validation::time_zone"))]
    pub time_zone: Option<String>,
    /// An ISO 4217 code such as `CNY`.
    #[validate(length(equal = 3), custom(function = "validation::currency"))]
    pub currency: Option<String>,
    pub review_new_customers: Option<bool>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Vec<String>>))]
    #[validate(length(equal = 4), custom(function = "validation::ascending_money"))]
    pub grade_thresholds: Option<Vec<crate::Money>>,
    #[validate(range(min = 0, max = 365))]
    pub payment_reminder_days: Option<u32>,
    #[validate(range(min = 1, max = 365))]
    pub overdue_escalation_days: Option<u32>,
    #[validate(range(min = 0, max = 365))]
    pub renewal_reminder_days: Option<u32>,
    #[validate(range(min = 0, max = 10080))]
    pub activity_edit_minutes: Option<u32>,
    pub language: Option<crate::Lang>,
    /// Hours to the due time of a new ticket per priority; each 1–2160, never longer for a more
    /// urgent priority.
    #[validate(custom(function = "validation::due_hours"))]
    pub ticket_due_hours: Option<crate::ticket::TicketDueHours>,
    /// Largest document upload in MB, 1–200.
    #[validate(range(min = 1, max = 200))]
    pub document_max_mb: Option<u32>,
    /// Days without contact before a customer returns to the pool, 1–3650; null turns the rule off.
    #[serde(
        default,
        with = "::serde_with::rust::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<u32>))]
    #[validate(range(min = 1, max = 3650))]
    pub pool_reclaim_no_contact_days: Option<Option<u32>>,
    /// Days after assignment before an unsigned customer returns to the pool, 1–3650; null: off.
    #[serde(
        default,
        with = "::serde_with::rust::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<u32>))]
    #[validate(range(min = 1, max = 3650))]
    pub pool_reclaim_unsigned_days: Option<Option<u32>>,
    /// Days of warning before a pool rule takes a customer, 1–365; null: no warning.
    #[serde(
        default,
        with = "::serde_with::rust::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<u32>))]
    #[validate(range(min = 1, max = 365))]
    pub pool_warn_days: Option<Option<u32>>,
    /// Most customers a person may own and still claim, 1–1 000 000; null: no limit.
    #[serde(
        default,
        with = "::serde_with::rust::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<u32>))]
    #[validate(range(min = 1, max = 1000000))]
    pub pool_max_owned: Option<Option<u32>>,
    /// Most claims per person per day, 1–10 000; null: no limit.
    #[serde(
        default,
        with = "::serde_with::rust::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<u32>))]
    #[validate(range(min = 1, max = 10000))]
    pub pool_max_claims_per_day: Option<Option<u32>>,
    pub webhooks_allow_private_network: Option<bool>,
    /// The staff scorecard's weights, 0–100 each, not all 0.
    #[validate(custom(function = "validation::score_weights"))]
    pub scorecard_weights: Option<crate::scorecard::ScorecardWeights>,
    pub version: i32,
}

impl SettingsPatch {
    /// The settings with this patch applied.
    pub fn apply(&self, mut s: CompanySettings) -> CompanySettings {
        if let Some(v) = &self.company_name {
            s.company_name = v.trim().to_string();
        }
        if let Some(v) = &self.time_zone {
            s.time_zone = v.clone();
        }
        if let Some(v) = &self.currency {
            s.currency = v.to_ascii_uppercase();
        }
        if let Some(v) = self.review_new_customers {
            s.review_new_customers = v;
        }
        if let Some(v) = &self.grade_thresholds {
            s.grade_thresholds = v.clone();
        }
        if let Some(v) = self.payment_reminder_days {
            s.payment_reminder_days = v;
        }
        if let Some(v) = self.overdue_escalation_days {
            s.overdue_escalation_days = v;
        }
        if let Some(v) = self.renewal_reminder_days {
            s.renewal_reminder_days = v;
        }
        if let Some(v) = self.activity_edit_minutes {
            s.activity_edit_minutes = v;
        }
        if let Some(v) = self.language {
            s.language = v;
        }
        if let Some(v) = self.ticket_due_hours {
            s.ticket_due_hours = v;
        }
        if let Some(v) = self.document_max_mb {
            s.document_max_mb = v;
        }
        if let Some(v) = self.webhooks_allow_private_network {
            s.webhooks_allow_private_network = v;
        }
        if let Some(v) = self.scorecard_weights {
            s.scorecard_weights = v;
        }
        for (patch, field) in [
            (
                self.pool_reclaim_no_contact_days,
                &mut s.pool_reclaim_no_contact_days,
            ),
            (
                self.pool_reclaim_unsigned_days,
                &mut s.pool_reclaim_unsigned_days,
            ),
            (self.pool_warn_days, &mut s.pool_warn_days),
            (self.pool_max_owned, &mut s.pool_max_owned),
            (self.pool_max_claims_per_day, &mut s.pool_max_claims_per_day),
        ] {
            if let Some(v) = patch {
                *field = v;
            }
        }
        s
    }
}

/// One entry of the audit log: who did what to which record, and the fields that changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub user: Option<IdName>,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<i64>,
    /// `{field: {old, new}}` for updates, the created or deleted values otherwise.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub changes: serde_json::Value,
    /// Names of what the ids in `changes` point to, by `kind:id` (`user:5` → its display name,
    /// `dictionary:1` → the entry's name, …); see `crm_domain::history` for which field is which.
    #[serde(default)]
    pub names: std::collections::BTreeMap<String, String>,
}

mod customers;
pub use customers::*;
mod activities;
pub use activities::*;
mod orders;
pub use orders::*;
mod opportunities;
pub use opportunities::*;
mod expenses;
pub use expenses::*;
mod tickets;
pub use tickets::*;
mod knowledge;
pub use knowledge::*;
mod documents;
pub use documents::*;
mod exports;
pub use exports::*;
mod imports;
pub use imports::*;
mod pool;
pub use pool::*;
mod webhooks;
pub use webhooks::*;
mod renewals;
pub use renewals::*;
mod reports;
pub use reports::*;
mod queries;
pub use queries::*;

pub use crate::problem::{FieldError, Problem};
