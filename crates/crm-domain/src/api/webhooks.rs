//! Webhooks (集成推送): endpoints that administrators register, told of what happens in the CRM.

use crate::validation;
use chrono::{DateTime, Utc};
use crm_macros::rules;
use serde::{Deserialize, Serialize};
use validator::Validate;

macro_rules! events {
    ($($variant:ident = $code:literal, $zh:literal, $en:literal;)*) => {
        /// What an endpoint may be told of.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        pub enum WebhookEvent { $( #[serde(rename = $code)] $variant, )* }

        impl WebhookEvent {
            pub const ALL: &'static [WebhookEvent] = &[$(WebhookEvent::$variant),*];

            pub fn as_str(self) -> &'static str {
                match self { $(WebhookEvent::$variant => $code),* }
            }

            pub fn parse(s: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|x| x.as_str() == s)
            }

            /// What it means, in Chinese and in English.
            pub fn words(self) -> (&'static str, &'static str) {
                match self { $(WebhookEvent::$variant => ($zh, $en)),* }
            }
        }
    };
}

events! {
    CustomerCreated = "customer.created", "新建客户", "A customer is created";
    CustomerUpdated = "customer.updated", "修改客户", "A customer is changed";
    CustomerTransferred = "customer.transferred", "客户换负责人（转移、公海）", "A customer changes owner (transfer, pool)";
    CustomerLevelChanged = "customer.level_changed", "客户级别变化", "A customer's level changes";
    ActivityCreated = "activity.created", "记录客户接触", "An activity is logged";
    OpportunityWon = "opportunity.won", "机会赢单", "A deal is won";
    OpportunityLost = "opportunity.lost", "机会丢单", "A deal is lost";
    OrderSigned = "order.signed", "订单签约", "An order is signed";
    ReceiptRecorded = "receipt.recorded", "登记回款", "A receipt is recorded";
    ReceiptReversed = "receipt.reversed", "冲销回款", "A receipt is reversed";
    TicketCreated = "ticket.created", "新建服务工单", "A service ticket is opened";
    TicketClosed = "ticket.closed", "服务工单关闭", "A service ticket is closed";
}

/// A registered endpoint (its secret is shown only when it is made or changed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Webhook {
    pub id: i64,
    pub url: String,
    pub events: Vec<WebhookEvent>,
    pub enabled: bool,
    pub description: Option<String>,
    /// The secret's last four characters, to tell secrets apart.
    pub secret_hint: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

/// An endpoint just made (or its secret just changed): the secret, this once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookWithSecret {
    #[serde(flatten)]
    pub webhook: Webhook,
    /// The HMAC key of `X-CRM-Signature`; it is not shown again.
    pub secret: String,
}

/// `POST /webhooks`.
#[rules]
#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewWebhook {
    /// `http` or `https`; not a loopback or private address unless the company allows it
    /// (`webhooks_allow_private_network`).
    #[validate(length(min = 8, max = 2000))]
    pub url: String,
    #[validate(length(min = 1, max = 12))]
    pub events: Vec<WebhookEvent>,
    /// 16–200 characters; a random one when left out.
    #[serde(default)]
    #[validate(
        length(min = 16, max = 200),
        custom(function = "validation::not_blank")
    )]
    pub secret: Option<String>,
    #[serde(default)]
    #[validate(length(max = 200))]
    pub description: Option<String>,
    #[serde(default = "yes")]
    pub enabled: bool,
}

fn yes() -> bool {
    true
}

/// `PATCH /webhooks/{id}`; absent fields stay. `rotate_secret: true` makes a new secret, shown in
/// the answer.
#[rules]
#[derive(Debug, Clone, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct WebhookPatch {
    #[validate(length(min = 8, max = 2000))]
    pub url: Option<String>,
    #[validate(length(min = 1, max = 12))]
    pub events: Option<Vec<WebhookEvent>>,
    pub enabled: Option<bool>,
    #[validate(length(max = 200))]
    pub description: Option<String>,
    #[serde(default)]
    pub rotate_secret: bool,
    pub version: i32,
}

words! {
    /// Where a delivery stands: `pending` (to be sent, or retried at `next_attempt_at`),
    /// `delivered` (answered 2xx), `failed` (no 2xx within 24 hours of the event).
    DeliveryStatus { Pending = "pending", Delivered = "delivered", Failed = "failed" }
}

/// One attempt to deliver.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookAttempt {
    pub at: DateTime<Utc>,
    /// The endpoint's HTTP status; none when no answer came.
    pub status_code: Option<i32>,
    pub latency_ms: i32,
    /// Why it did not answer (a timeout, a refused connection, an address not allowed).
    pub error: Option<String>,
}

/// One event to one endpoint, with its attempts (newest first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookDelivery {
    pub id: i64,
    pub event_id: i64,
    pub event: WebhookEvent,
    pub occurred_at: DateTime<Utc>,
    pub status: DeliveryStatus,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub attempts: Vec<WebhookAttempt>,
}

/// What an endpoint receives: the same `id` on every retry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookPayload {
    pub id: i64,
    pub event: WebhookEvent,
    pub occurred_at: DateTime<Utc>,
    /// `{entity, id, customer_id, user_id, changes}`: the record, its customer, who did it, and
    /// what changed (the values for a create), as the record's history says it.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub data: serde_json::Value,
}

/// `PATCH /webhooks/{id}`'s answer: the endpoint, and its new secret when the patch rotated it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookUpdated {
    #[serde(flatten)]
    pub webhook: Webhook,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}
