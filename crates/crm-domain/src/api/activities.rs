//! Bodies of the reminders, notifications and team endpoints (activities themselves live beside
//! the customers they belong to).

use super::{Activity, IdName};
use chrono::{DateTime, NaiveDate, Utc};
use crm_macros::rules;
use serde::{Deserialize, Serialize};
use validator::Validate;

/// Where a reminder stands. `overdue` is an `open` one whose date has passed (company time zone).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReminderStatus {
    Open,
    Overdue,
    Done,
}

/// 提醒: a next step to take on a customer on a date, for one user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reminder {
    pub id: i64,
    pub customer: IdName,
    /// The activity whose next step this is.
    pub activity_id: Option<i64>,
    /// The deal it is about.
    #[serde(default)]
    pub opportunity_id: Option<i64>,
    pub due_on: NaiveDate,
    pub note: String,
    pub status: ReminderStatus,
    pub done_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// Moves an open reminder to a later day: either a date or a number of days from today.
#[rules]
#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SnoozeRequest {
    #[serde(default)]
    pub until: Option<NaiveDate>,
    #[serde(default)]
    #[validate(range(min = 1, max = 365))]
    pub days: Option<u32>,
}

/// 通知: news for one user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Notification {
    pub id: i64,
    /// `reminder_due`, `review_pending`, `customer_transfer`, …
    pub kind: String,
    pub title: String,
    pub body: String,
    /// What it is about (`customer`, `customer_transfer`, …) and its id, for a link.
    pub entity: Option<String>,
    pub entity_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnreadCount {
    /// Unread notifications, counted up to 100 (`100` means "100 or more").
    pub count: i64,
}

/// How many of one type of activity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TypeCount {
    pub type_id: i64,
    pub count: i64,
}

/// One person's day in the team view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TeamMemberDay {
    pub user: IdName,
    /// Display names may repeat (two 业务员); the login name tells them apart.
    pub username: String,
    pub department: IdName,
    pub count: i64,
    pub by_type: Vec<TypeCount>,
}

/// A day's activities of everyone in the caller's scope, by person (the day is the company's).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TeamDay {
    pub date: NaiveDate,
    pub total: i64,
    /// Everyone with at least one activity that day, most active first.
    pub people: Vec<TeamMemberDay>,
    /// The activities themselves (of `user_id` when asked), newest first, at most 500.
    pub activities: Vec<Activity>,
    /// Whether more activities happened than `activities` holds.
    pub truncated: bool,
}
