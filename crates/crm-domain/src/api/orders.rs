//! Bodies of the products, orders, payment plans, receipts and receivables endpoints.

use super::IdName;
use crate::order::{AgingBucket, OrderStatus};
use crate::{Money, validation};
use chrono::{DateTime, NaiveDate, Utc};
use crm_macros::rules;
use serde::{Deserialize, Serialize};
use validator::Validate;

/// 产品: what the company sells, with its list price.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Product {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub unit: String,
    pub list_price: Money,
    /// Sold for a service period that must be renewed (续费).
    pub renewable: bool,
    /// Default service length in months for renewable products.
    pub service_months: Option<i32>,
    pub enabled: bool,
    pub version: i32,
}

#[rules]
#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewProduct {
    #[validate(length(min = 1, max = 32), custom(function = "validation::code"))]
    pub code: String,
    #[validate(length(min = 1, max = 100), custom(function = "validation::not_blank"))]
    pub name: String,
    #[validate(length(min = 1, max = 16), custom(function = "validation::not_blank"))]
    pub unit: String,
    #[validate(custom(function = "validation::not_negative"))]
    pub list_price: Money,
    #[serde(default)]
    pub renewable: bool,
    #[serde(default)]
    #[validate(range(min = 1, max = 120))]
    pub service_months: Option<i32>,
}

#[rules]
#[derive(Debug, Clone, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ProductPatch {
    #[validate(length(min = 1, max = 100), custom(function = "validation::not_blank"))]
    pub name: Option<String>,
    #[validate(length(min = 1, max = 16), custom(function = "validation::not_blank"))]
    pub unit: Option<String>,
    #[validate(custom(function = "validation::not_negative"))]
    pub list_price: Option<Money>,
    pub renewable: Option<bool>,
    #[serde(
        default,
        with = "::serde_with::rust::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i32>))]
    #[validate(range(min = 1, max = 120))]
    pub service_months: Option<Option<i32>>,
    pub enabled: Option<bool>,
    pub version: i32,
}

/// One product line of an order as it is given.
#[rules]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OrderLineInput {
    pub product_id: i64,
    #[validate(range(min = 1, max = 1_000_000))]
    pub quantity: i32,
    #[validate(custom(function = "validation::not_negative"))]
    pub unit_price: Money,
    /// An amount off the line (not a percentage).
    #[serde(default)]
    #[validate(custom(function = "validation::not_negative"))]
    pub discount: Money,
}

/// One product line of an order: quantity × unit price − discount = amount.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderLine {
    pub id: i64,
    pub product: IdName,
    pub product_code: String,
    pub quantity: i32,
    pub unit_price: Money,
    pub discount: Money,
    pub amount: Money,
}

#[rules]
#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewOrder {
    pub customer_id: i64,
    /// Default: the customer's owner.
    #[serde(default)]
    pub owner_id: Option<i64>,
    /// For the opportunities module to come; kept as given.
    #[serde(default)]
    pub opportunity_id: Option<i64>,
    /// Ignored at creation: an order is signed with `POST /orders/{id}/sign`.
    #[serde(default)]
    pub signed_on: Option<NaiveDate>,
    #[serde(default)]
    pub service_start: Option<NaiveDate>,
    #[serde(default)]
    pub service_end: Option<NaiveDate>,
    #[validate(length(min = 1, max = 100), nested)]
    pub lines: Vec<OrderLineInput>,
    #[serde(default)]
    #[validate(length(max = 2000))]
    pub notes: Option<String>,
    /// The company's own number of the contract (合同号): one order per customer may carry it
    /// (409 `duplicate_contract`).
    #[serde(default)]
    #[validate(length(min = 1, max = 64))]
    pub contract_no: Option<String>,
}

/// Changes of an order: lines only while it is a draft; the service period and notes until it is
/// completed or cancelled.
#[rules]
#[derive(Debug, Clone, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OrderPatch {
    #[validate(length(min = 1, max = 100), nested)]
    pub lines: Option<Vec<OrderLineInput>>,
    #[serde(
        default,
        with = "::serde_with::rust::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<NaiveDate>))]
    pub service_start: Option<Option<NaiveDate>>,
    #[serde(
        default,
        with = "::serde_with::rust::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<NaiveDate>))]
    pub service_end: Option<Option<NaiveDate>>,
    #[serde(
        default,
        with = "::serde_with::rust::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    #[validate(length(max = 2000))]
    pub notes: Option<Option<String>>,
    #[serde(
        default,
        with = "::serde_with::rust::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    #[validate(length(min = 1, max = 64))]
    pub contract_no: Option<Option<String>>,
    pub version: i32,
}

/// 订单.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Order {
    pub id: i64,
    /// Readable and unique: `SO` + the company's date + a sequence, e.g. `SO20261127-0003`.
    pub number: String,
    pub customer: IdName,
    pub owner: IdName,
    pub department: IdName,
    pub opportunity_id: Option<i64>,
    pub status: OrderStatus,
    pub signed_on: Option<NaiveDate>,
    pub service_start: Option<NaiveDate>,
    pub service_end: Option<NaiveDate>,
    pub total: Money,
    /// Money received (receipts less reversals).
    pub received: Money,
    /// `total - received`.
    pub outstanding: Money,
    pub lines: Vec<OrderLine>,
    pub notes: Option<String>,
    /// The contract's own number (合同号), when the company gave one.
    pub contract_no: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

/// A status move (`sign`, `start`, `complete`, `cancel`) of an order at a known version.
#[rules]
#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OrderStatusChange {
    pub version: i32,
    /// For `sign`: the signing date (default: today on the company's calendar).
    #[serde(default)]
    pub signed_on: Option<NaiveDate>,
    /// For `cancel`: why.
    #[serde(default)]
    #[validate(length(max = 500))]
    pub reason: Option<String>,
}

#[rules]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct InstallmentInput {
    /// An existing installment keeps its id (and the money applied to it).
    #[serde(default)]
    pub id: Option<i64>,
    pub due_date: NaiveDate,
    #[validate(custom(function = "validation::positive"))]
    pub amount: Money,
}

/// 收款计划: replaces the plan; the installments must add up to the order total.
#[rules]
#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PaymentPlanRequest {
    #[validate(length(min = 1, max = 60), nested)]
    pub installments: Vec<InstallmentInput>,
}

/// One installment of a plan, with what has been received on it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Installment {
    pub id: i64,
    pub due_date: NaiveDate,
    pub amount: Money,
    pub received: Money,
    pub outstanding: Money,
    /// Unpaid and past its due date (company calendar).
    pub overdue: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PaymentPlan {
    pub order_id: i64,
    pub total: Money,
    pub installments: Vec<Installment>,
}

/// 回款: money received on an order. Never deleted: a wrong one is reversed.
#[rules]
#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewReceipt {
    #[validate(custom(function = "validation::positive"))]
    pub amount: Money,
    pub received_on: NaiveDate,
    pub method_id: i64,
    #[serde(default)]
    #[validate(length(max = 500))]
    pub note: Option<String>,
    /// Apply to this installment only (default: the oldest open ones first).
    #[serde(default)]
    pub installment_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Allocation {
    pub installment_id: i64,
    pub amount: Money,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Receipt {
    pub id: i64,
    pub order_id: i64,
    /// Negative for a reversal.
    pub amount: Money,
    pub received_on: NaiveDate,
    pub method_id: i64,
    pub note: Option<String>,
    pub recorded_by: IdName,
    /// This receipt reverses that one.
    pub reversal_of: Option<i64>,
    /// This receipt was reversed by that one.
    pub reversed_by: Option<i64>,
    pub allocations: Vec<Allocation>,
    pub created_at: DateTime<Utc>,
}

/// Reverses a wrong receipt (冲销), with the reason.
#[rules]
#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReceiptReversal {
    #[validate(length(min = 1, max = 500), custom(function = "validation::not_blank"))]
    pub reason: String,
}

/// What an order record is: execution progress (执行进度) or after-sale service (售后服务).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OrderRecordKind {
    Progress,
    Service,
}

impl OrderRecordKind {
    pub const ALL: [OrderRecordKind; 2] = [Self::Service, Self::Progress];

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Progress => "progress",
            Self::Service => "service",
        }
    }
}

#[rules]
#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewOrderRecord {
    /// Default `service`.
    #[serde(default)]
    pub kind: Option<OrderRecordKind>,
    pub happened_on: NaiveDate,
    #[validate(
        length(min = 1, max = 2000),
        custom(function = "validation::not_blank")
    )]
    pub note: String,
    /// Customer satisfaction, 1 (poor) to 5 (excellent).
    #[serde(default)]
    #[validate(range(min = 1, max = 5))]
    pub satisfaction: Option<i16>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderRecord {
    pub id: i64,
    pub order_id: i64,
    pub kind: OrderRecordKind,
    pub by: IdName,
    pub happened_on: NaiveDate,
    pub note: String,
    pub satisfaction: Option<i16>,
    pub created_at: DateTime<Utc>,
}

/// 应收: one unpaid or part-paid installment of signed business.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Receivable {
    pub installment_id: i64,
    pub order: IdName,
    pub customer: IdName,
    pub owner: IdName,
    pub department: IdName,
    pub due_date: NaiveDate,
    pub amount: Money,
    pub received: Money,
    pub outstanding: Money,
    /// Days past the due date on the company's calendar (0 when not yet due).
    pub days_overdue: i64,
    pub bucket: AgingBucket,
}

/// How the aging report groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AgingGroup {
    Owner,
    Department,
    Customer,
}

/// Outstanding money by aging bucket.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgingAmounts {
    pub not_due: Money,
    pub d1_30: Money,
    pub d31_60: Money,
    pub d61_90: Money,
    pub over_90: Money,
    pub total: Money,
}

impl AgingAmounts {
    /// Adds an amount to a bucket (and the total); `None` on overflow.
    pub fn add(&mut self, bucket: AgingBucket, amount: Money) -> Option<()> {
        let slot = match bucket {
            AgingBucket::NotDue => &mut self.not_due,
            AgingBucket::D1_30 => &mut self.d1_30,
            AgingBucket::D31_60 => &mut self.d31_60,
            AgingBucket::D61_90 => &mut self.d61_90,
            AgingBucket::Over90 => &mut self.over_90,
        };
        *slot = slot.checked_add(amount)?;
        self.total = self.total.checked_add(amount)?;
        Some(())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgingRow {
    pub key: IdName,
    #[serde(flatten)]
    pub amounts: AgingAmounts,
}

/// 账龄分析: outstanding receivables by bucket, per owner, department or customer, with totals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgingReport {
    pub group_by: AgingGroup,
    /// The company's today the buckets are counted from.
    pub as_of: NaiveDate,
    pub rows: Vec<AgingRow>,
    pub totals: AgingAmounts,
}
