//! The renewal risk list (续费风险): customers whose service ends soon, ranked by who to call first.

use super::IdName;
use crate::Money;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// One part of a risk score: what was found and the points it gives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RiskParts {
    /// Days since the last contact (none: never contacted); 1 point a day, at most 30.
    pub days_since_contact: Option<i64>,
    pub contact_points: i32,
    /// Money past its due date, unpaid; 25 points when any.
    pub overdue: Money,
    pub overdue_points: i32,
    /// Complaints not yet resolved; 10 points each, at most 20.
    pub open_complaints: i64,
    pub complaint_points: i32,
    /// The satisfaction (1–5) of the latest closed ticket; 3 points per star short of 5.
    pub last_satisfaction: Option<i16>,
    pub satisfaction_points: i32,
    /// The day a deal was lost in the last 180 days; 13 points.
    pub lost_deal_on: Option<NaiveDate>,
    pub lost_deal_points: i32,
}

/// A customer whose service ends within the window and has not been renewed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RenewalRisk {
    pub customer: IdName,
    pub owner: IdName,
    pub department: IdName,
    /// The order whose service period ends (its number as the name).
    pub order: IdName,
    pub service_end: NaiveDate,
    /// Days from today (company calendar) to the end.
    pub days_left: i64,
    pub last_contact_at: Option<DateTime<Utc>>,
    /// 0–100: the sum of the parts.
    pub score: i32,
    pub parts: RiskParts,
}
