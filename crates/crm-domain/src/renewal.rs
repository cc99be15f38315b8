//! The renewal risk score (续费风险): which customers whose service is ending to call first. The
//! score is a sum of parts, each shown, never a black box.

use crate::Money;
use chrono::NaiveDate;

/// What is known of a customer whose service is ending.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RiskInputs {
    /// Days since the last contact; none: never contacted.
    pub days_since_contact: Option<i64>,
    /// Unpaid money past its due date.
    pub overdue: Money,
    /// Complaints not yet resolved.
    pub open_complaints: i64,
    /// The satisfaction (1–5) given when the latest ticket was closed.
    pub last_satisfaction: Option<i16>,
    /// The day a deal of the customer was lost, within the last 180 days.
    pub lost_deal_on: Option<NaiveDate>,
}

/// Points per part; at most 100 in all.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RiskPoints {
    /// 0–30: a day without contact is a point, never contacted is 30.
    pub contact: i32,
    /// 0 or 25: money overdue.
    pub overdue: i32,
    /// 0–20: 10 per open complaint.
    pub complaints: i32,
    /// 0–12: 3 per star short of 5.
    pub satisfaction: i32,
    /// 0 or 13: a deal lost in the last 180 days.
    pub lost_deal: i32,
}

impl RiskPoints {
    pub fn total(&self) -> i32 {
        self.contact + self.overdue + self.complaints + self.satisfaction + self.lost_deal
    }
}

/// How far back a lost deal counts.
pub const LOST_DEAL_DAYS: u64 = 180;

pub fn points(x: &RiskInputs) -> RiskPoints {
    RiskPoints {
        contact: x.days_since_contact.map_or(30, |d| d.clamp(0, 30) as i32),
        overdue: if x.overdue.minor() > 0 { 25 } else { 0 },
        complaints: (x.open_complaints.clamp(0, 2) * 10) as i32,
        satisfaction: x
            .last_satisfaction
            .map_or(0, |s| (5 - i32::from(s.clamp(1, 5))) * 3),
        lost_deal: if x.lost_deal_on.is_some() { 13 } else { 0 },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quiet_content_customer_scores_little_and_an_angry_one_much() {
        let calm = RiskInputs {
            days_since_contact: Some(3),
            last_satisfaction: Some(5),
            ..RiskInputs::default()
        };
        assert_eq!(points(&calm).total(), 3);
        let angry = RiskInputs {
            days_since_contact: None,
            overdue: Money::from_minor(1),
            open_complaints: 5,
            last_satisfaction: Some(1),
            lost_deal_on: NaiveDate::from_ymd_opt(2026, 11, 1),
        };
        let p = points(&angry);
        assert_eq!(
            (
                p.contact,
                p.overdue,
                p.complaints,
                p.satisfaction,
                p.lost_deal
            ),
            (30, 25, 20, 12, 13)
        );
        assert_eq!(p.total(), 100);
    }
}
