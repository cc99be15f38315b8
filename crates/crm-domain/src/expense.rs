//! Expenses (费用): what selling costs, and the rules of their approval and analysis.

use crate::Money;
use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};

/// 费用状态: filed expenses wait for a manager; a decided one is locked until an administrator
/// reopens it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ExpenseStatus {
    Submitted,
    Approved,
    Rejected,
}

/// What can be done to an expense's status: `POST /expenses/{id}/{action}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpenseAction {
    Approve,
    Reject,
    Reopen,
}

impl ExpenseAction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Approve => "approve",
            Self::Reject => "reject",
            Self::Reopen => "reopen",
        }
    }
}

impl ExpenseStatus {
    pub const ALL: [ExpenseStatus; 3] = [Self::Submitted, Self::Approved, Self::Rejected];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Submitted => "submitted",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// The status an action leads to; `None` when it is not allowed (deciding a decided expense,
    /// reopening one that waits).
    pub fn after(self, action: ExpenseAction) -> Option<ExpenseStatus> {
        match (self, action) {
            (Self::Submitted, ExpenseAction::Approve) => Some(Self::Approved),
            (Self::Submitted, ExpenseAction::Reject) => Some(Self::Rejected),
            (Self::Approved | Self::Rejected, ExpenseAction::Reopen) => Some(Self::Submitted),
            _ => None,
        }
    }
}

/// Which statuses an analysis counts: approved by default; rejected expenses never.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ExpenseReportStatus {
    #[default]
    Approved,
    Submitted,
    /// Approved and submitted (waiting) together.
    All,
}

impl ExpenseReportStatus {
    pub fn statuses(self) -> Vec<&'static str> {
        match self {
            Self::Approved => vec![ExpenseStatus::Approved.as_str()],
            Self::Submitted => vec![ExpenseStatus::Submitted.as_str()],
            Self::All => vec![
                ExpenseStatus::Approved.as_str(),
                ExpenseStatus::Submitted.as_str(),
            ],
        }
    }
}

/// A period cut into what monthly sums can answer and what must be read day by day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodParts {
    /// Whole months `[from, to)` (first days), if any.
    pub months: Option<(NaiveDate, NaiveDate)>,
    /// Day ranges `[from, to]`, each inside one month: the period's ragged ends.
    pub days: Vec<(NaiveDate, NaiveDate)>,
}

/// The first day of `d`'s month.
pub fn month_of(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

/// Splits `[from, to]` (both included) into whole months and the days around them.
pub fn split_period(from: NaiveDate, to: NaiveDate) -> PeriodParts {
    let next_month = |d: NaiveDate| month_of(d).checked_add_months(Months::new(1));
    let mut days = Vec::new();
    if from > to {
        return PeriodParts { months: None, days };
    }
    let whole_from = if from.day() == 1 {
        Some(from)
    } else {
        next_month(from)
    };
    let after_to = to.succ_opt();
    let whole_to = match after_to {
        Some(d) if d.day() == 1 => Some(d),
        _ => Some(month_of(to)),
    };
    match (whole_from, whole_to) {
        (Some(a), Some(b)) if a < b => {
            if from < a {
                days.push((from, a.pred_opt().unwrap_or(a)));
            }
            if b <= to {
                days.push((b, to));
            }
            PeriodParts {
                months: Some((a, b)),
                days,
            }
        }
        _ => {
            // No whole month: the days, cut at a month's end if the period spans two.
            let mut start = from;
            while start <= to {
                let end = next_month(start)
                    .and_then(|m| m.pred_opt())
                    .map_or(to, |e| e.min(to));
                days.push((start, end));
                match end.succ_opt() {
                    Some(n) => start = n,
                    None => break,
                }
            }
            PeriodParts { months: None, days }
        }
    }
}

/// Expenses as a percentage of revenue, to two places (`"12.50"`); none without revenue.
pub fn expense_ratio(expenses: Money, revenue: Money) -> Option<String> {
    let (e, r) = (i128::from(expenses.minor()), i128::from(revenue.minor()));
    if r <= 0 {
        return None;
    }
    // Basis points, rounded half up.
    let bp = (e * 10_000 * 2 + r) / (2 * r);
    Some(format!("{}.{:02}", bp / 100, bp % 100))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn decided_expenses_are_locked_until_reopened() {
        use ExpenseAction::*;
        use ExpenseStatus::*;
        assert_eq!(Submitted.after(Approve), Some(Approved));
        assert_eq!(Submitted.after(Reject), Some(Rejected));
        assert_eq!(Submitted.after(Reopen), None);
        assert_eq!(Approved.after(Approve), None);
        assert_eq!(Approved.after(Reject), None);
        assert_eq!(Rejected.after(Approve), None);
        assert_eq!(Approved.after(Reopen), Some(Submitted));
        assert_eq!(Rejected.after(Reopen), Some(Submitted));
    }

    #[test]
    fn a_period_is_whole_months_and_ragged_ends() {
        let p = split_period(d("2026-01-01"), d("2026-12-02"));
        assert_eq!(p.months, Some((d("2026-01-01"), d("2026-12-01"))));
        assert_eq!(p.days, vec![(d("2026-12-01"), d("2026-12-02"))]);
        let p = split_period(d("2026-01-15"), d("2026-03-31"));
        assert_eq!(p.months, Some((d("2026-02-01"), d("2026-04-01"))));
        assert_eq!(p.days, vec![(d("2026-01-15"), d("2026-01-31"))]);
        let p = split_period(d("2026-01-15"), d("2026-02-10"));
        assert_eq!(p.months, None);
        assert_eq!(
            p.days,
            vec![
                (d("2026-01-15"), d("2026-01-31")),
                (d("2026-02-01"), d("2026-02-10"))
            ]
        );
        let p = split_period(d("2026-02-01"), d("2026-02-28"));
        assert_eq!(p.months, Some((d("2026-02-01"), d("2026-03-01"))));
        assert!(p.days.is_empty());
        assert_eq!(split_period(d("2026-03-02"), d("2026-03-01")).days, vec![]);
    }

    #[test]
    fn the_ratio_is_exact_to_two_places() {
        let m = Money::from_minor;
        assert_eq!(expense_ratio(m(1250), m(10000)), Some("12.50".into()));
        assert_eq!(expense_ratio(m(1), m(3)), Some("33.33".into()));
        assert_eq!(expense_ratio(m(2), m(3)), Some("66.67".into()));
        assert_eq!(expense_ratio(m(30000), m(10000)), Some("300.00".into()));
        assert_eq!(expense_ratio(m(5), Money::ZERO), None);
    }
}
