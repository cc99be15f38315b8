//! Bodies of the expenses (费用) endpoints and of the expense analysis.

use super::IdName;
use crate::expense::{ExpenseReportStatus, ExpenseStatus};
use crate::{Money, validation};
use chrono::{DateTime, NaiveDate, Utc};
use crm_macros::rules;
use serde::{Deserialize, Serialize};
use validator::Validate;

/// 费用: money spent to sell, by one person, on one day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Expense {
    pub id: i64,
    pub spender: IdName,
    /// The spender's department when it was filed.
    pub department: IdName,
    pub spent_on: NaiveDate,
    pub amount: Money,
    /// An entry of the `expense_category` dictionary.
    pub category: IdName,
    pub description: String,
    pub customer: Option<IdName>,
    pub opportunity: Option<IdName>,
    /// The order's number as its name.
    pub order: Option<IdName>,
    /// The receipt's image among the documents.
    pub receipt_document_id: Option<i64>,
    pub status: ExpenseStatus,
    /// Who approved, rejected or reopened it last.
    pub decided_by: Option<IdName>,
    pub decided_at: Option<DateTime<Utc>>,
    /// Why it was rejected or reopened.
    pub reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

#[rules]
#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewExpense {
    /// Not after today on the company's calendar.
    pub spent_on: NaiveDate,
    /// More than zero, at most 10 000 000.00.
    #[validate(custom(function = "validation::expense_amount"))]
    pub amount: Money,
    pub category_id: i64,
    #[validate(length(min = 1, max = 500), custom(function = "validation::not_blank"))]
    pub description: String,
    #[serde(default)]
    pub customer_id: Option<i64>,
    /// A deal of that customer (the customer may be left out: it is the deal's).
    #[serde(default)]
    pub opportunity_id: Option<i64>,
    /// An order of that customer (likewise).
    #[serde(default)]
    pub order_id: Option<i64>,
    /// Default: the caller. A manager may file for someone in their scope.
    #[serde(default)]
    pub spender_id: Option<i64>,
}

/// Changes of a submitted expense; absent fields stay, `null` clears a link.
#[rules]
#[derive(Debug, Clone, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ExpensePatch {
    pub spent_on: Option<NaiveDate>,
    #[validate(custom(function = "validation::expense_amount"))]
    pub amount: Option<Money>,
    pub category_id: Option<i64>,
    #[validate(length(min = 1, max = 500), custom(function = "validation::not_blank"))]
    pub description: Option<String>,
    #[serde(
        default,
        with = "::serde_with::rust::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub customer_id: Option<Option<i64>>,
    #[serde(
        default,
        with = "::serde_with::rust::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub opportunity_id: Option<Option<i64>>,
    #[serde(
        default,
        with = "::serde_with::rust::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub order_id: Option<Option<i64>>,
    pub version: i32,
}

/// `approve` at a known version.
#[rules]
#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ExpenseApproval {
    pub version: i32,
}

/// `reject` and `reopen`: at a known version, with the reason.
#[rules]
#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ExpenseReason {
    pub version: i32,
    #[validate(length(min = 1, max = 500), custom(function = "validation::not_blank"))]
    pub reason: String,
}

/// How the expense analysis groups.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ExpenseGroup {
    #[default]
    Department,
    /// The spender.
    Owner,
    Category,
    /// With the customer's receipts in the period beside (expense-to-revenue).
    Customer,
    Month,
}

impl ExpenseGroup {
    pub const ALL: [ExpenseGroup; 5] = [
        Self::Department,
        Self::Owner,
        Self::Category,
        Self::Customer,
        Self::Month,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Department => "department",
            Self::Owner => "owner",
            Self::Category => "category",
            Self::Customer => "customer",
            Self::Month => "month",
        }
    }
}

/// One group of the analysis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExpenseReportRow {
    /// The group's id, or its month as `2026-11`.
    pub key: String,
    /// The group's name, or its month.
    pub label: String,
    pub count: i64,
    pub amount: Money,
    /// By customer: the customer's receipts in the period (within the caller's scope).
    pub revenue: Option<Money>,
    /// By customer: expenses as a percentage of revenue, to two places; none without revenue.
    pub expense_ratio: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExpenseTotals {
    pub count: i64,
    pub amount: Money,
    /// By customer: receipts of the customers shown.
    pub revenue: Option<Money>,
    pub expense_ratio: Option<String>,
}

/// `GET /reports/expenses`: expenses per group within the caller's scope, largest first (months
/// in order), with totals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExpenseReport {
    pub group_by: ExpenseGroup,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub status: ExpenseReportStatus,
    pub rows: Vec<ExpenseReportRow>,
    pub totals: ExpenseTotals,
    /// Whether only the largest groups are listed (by customer, at most 1000); totals count all.
    pub truncated: bool,
}

/// What a report is served as.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReportFormat {
    #[default]
    Json,
    /// UTF-8 with a byte-order mark (which Excel needs to read Chinese), labels in the caller's
    /// language.
    Csv,
    /// An Excel workbook: typed numbers, money with two decimals, the header frozen.
    Xlsx,
}
