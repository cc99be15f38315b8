//! Bodies of the service tickets (服务工单) endpoints and of the service report.

use super::IdName;
use crate::ticket::{TicketKind, TicketPriority, TicketStatus};
use crate::validation;
use chrono::{DateTime, NaiveDate, Utc};
use crm_macros::rules;
use serde::{Deserialize, Serialize};
use validator::Validate;

/// 服务工单: a complaint, feedback, consultation or after-sale request of a customer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Ticket {
    pub id: i64,
    /// Readable and unique: `TK` + the company's date + a sequence.
    pub number: String,
    #[serde(rename = "type")]
    pub kind: TicketKind,
    pub customer: IdName,
    /// The order's number as its name.
    pub order: Option<IdName>,
    pub contact: Option<IdName>,
    pub priority: TicketPriority,
    pub subject: String,
    pub description: Option<String>,
    pub status: TicketStatus,
    pub assignee: Option<IdName>,
    pub resolution: Option<String>,
    /// 1–5, given on closing.
    pub satisfaction: Option<i16>,
    /// When it must be resolved by (from its priority).
    pub due_at: DateTime<Utc>,
    /// Not resolved and past its due time.
    pub overdue: bool,
    pub resolved_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub created_by: IdName,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

#[rules]
#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewTicket {
    #[serde(rename = "type")]
    #[cfg_attr(feature = "openapi", schema(rename = "type"))]
    pub kind: TicketKind,
    pub customer_id: i64,
    /// An order of that customer.
    #[serde(default)]
    pub order_id: Option<i64>,
    /// A contact of that customer.
    #[serde(default)]
    pub contact_id: Option<i64>,
    /// Default: normal.
    #[serde(default)]
    pub priority: Option<TicketPriority>,
    #[validate(length(min = 1, max = 200), custom(function = "validation::not_blank"))]
    pub subject: String,
    #[serde(default)]
    #[validate(length(max = 4000))]
    pub description: Option<String>,
    /// Someone who handles tickets (`service.write`).
    #[serde(default)]
    pub assignee_id: Option<i64>,
}

/// Changes of a ticket that is not closed; a new priority moves the due time.
#[rules]
#[derive(Debug, Clone, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TicketPatch {
    pub priority: Option<TicketPriority>,
    #[validate(length(min = 1, max = 200), custom(function = "validation::not_blank"))]
    pub subject: Option<String>,
    #[validate(length(max = 4000))]
    pub description: Option<String>,
    pub version: i32,
}

/// `assign`: to someone who handles tickets, or `null` for nobody.
#[rules]
#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TicketAssign {
    pub assignee_id: Option<i64>,
    pub version: i32,
}

/// `start` and `reopen` at a known version.
#[rules]
#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TicketStatusChange {
    pub version: i32,
}

/// `resolve`: what was done.
#[rules]
#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TicketResolve {
    #[validate(
        length(min = 1, max = 4000),
        custom(function = "validation::not_blank")
    )]
    pub resolution: String,
    pub version: i32,
}

/// `close`: the customer's satisfaction, 1–5.
#[rules]
#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TicketClose {
    #[validate(range(min = 1, max = 5))]
    pub satisfaction: i16,
    pub version: i32,
}

#[rules]
#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewTicketComment {
    #[validate(
        length(min = 1, max = 4000),
        custom(function = "validation::not_blank")
    )]
    pub body: String,
}

/// One entry of a ticket's timeline: opened, assigned, a status move, or a comment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TicketEvent {
    pub id: i64,
    /// `created`, `assigned`, `status` or `comment`.
    pub kind: String,
    pub status: Option<TicketStatus>,
    pub assignee: Option<IdName>,
    /// A comment's text, or what came with a move (the resolution).
    pub body: Option<String>,
    pub user: IdName,
    pub at: DateTime<Utc>,
}

/// How the service report groups.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ServiceGroup {
    #[default]
    Type,
    Status,
    Assignee,
    Customer,
    Month,
}

impl ServiceGroup {
    pub const ALL: [ServiceGroup; 5] = [
        Self::Type,
        Self::Status,
        Self::Assignee,
        Self::Customer,
        Self::Month,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Type => "type",
            Self::Status => "status",
            Self::Assignee => "assignee",
            Self::Customer => "customer",
            Self::Month => "month",
        }
    }
}

/// One group of the service report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServiceReportRow {
    /// The group's id or code, or its month as `2026-11`.
    pub key: String,
    /// The group's name (a code for type and status, which the reader's words name).
    pub label: String,
    pub count: i64,
    /// Not resolved yet.
    pub pending: i64,
    /// Not resolved and past due.
    pub overdue: i64,
    pub resolved: i64,
    /// Average hours from opening to resolution, to one place.
    pub avg_resolution_hours: Option<String>,
    /// Closed with a rating.
    pub rated: i64,
    /// Average satisfaction (1–5) of the rated ones, to two places.
    pub satisfaction: Option<String>,
}

/// `GET /reports/service`: tickets opened in the period per group within the caller's scope.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServiceReport {
    pub group_by: ServiceGroup,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub rows: Vec<ServiceReportRow>,
    pub totals: ServiceReportRow,
}
