//! The staff scorecard (绩效考核): what each part of a person's period is worth against the
//! average of their department, and the one score the company's weights make of the parts.
//!
//! Every part is measured against the department average, so that counts and money weigh alike:
//! at the average a part is worth its weight, twice its weight at twice the average or more, and
//! nothing at none. For parts where less is better (overdue money held, expenses, complaints) the
//! scale runs the other way: nothing held is twice the weight, twice the average or more is
//! nothing. The score is the weighted mean of the parts on a scale where the department average is
//! 100 (0–200). All arithmetic is on integers; nothing is rounded until it is shown.

use crate::lang::Msg;
use crate::msg;
use serde::{Deserialize, Serialize};

/// One part of the scorecard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ScoreComponent {
    /// Activities logged in the period (every type).
    Activities,
    /// Customers created in the period, now the person's.
    NewCustomers,
    /// Levels the person's customers reached in the period for the first time (a level counts
    /// once per customer: moving one down and up again earns nothing).
    LevelUpgrades,
    /// Deals opened in the period.
    DealsOpened,
    /// Deals won in the period.
    DealsWon,
    /// Orders signed in the period: their amount.
    Signed,
    /// Money received in the period on the person's orders.
    Received,
    /// Money owed and past due today on the person's orders (less is better).
    OverdueHeld,
    /// Approved expenses spent in the period (less is better).
    Expenses,
    /// Service tickets opened in the period against the person's customers (less is better).
    Tickets,
}

impl ScoreComponent {
    pub const ALL: [ScoreComponent; 10] = [
        Self::Activities,
        Self::NewCustomers,
        Self::LevelUpgrades,
        Self::DealsOpened,
        Self::DealsWon,
        Self::Signed,
        Self::Received,
        Self::OverdueHeld,
        Self::Expenses,
        Self::Tickets,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Activities => "activities",
            Self::NewCustomers => "new_customers",
            Self::LevelUpgrades => "level_upgrades",
            Self::DealsOpened => "deals_opened",
            Self::DealsWon => "deals_won",
            Self::Signed => "signed",
            Self::Received => "received",
            Self::OverdueHeld => "overdue_held",
            Self::Expenses => "expenses",
            Self::Tickets => "tickets",
        }
    }

    pub fn label(self) -> Msg {
        match self {
            Self::Activities => msg!("客户接触", "Activities"),
            Self::NewCustomers => msg!("新增客户", "New customers"),
            Self::LevelUpgrades => msg!("客户升级", "Level upgrades"),
            Self::DealsOpened => msg!("新建商机", "Deals opened"),
            Self::DealsWon => msg!("赢单", "Deals won"),
            Self::Signed => msg!("签约金额", "Signed amount"),
            Self::Received => msg!("回款金额", "Received"),
            Self::OverdueHeld => msg!("逾期应收", "Overdue held"),
            Self::Expenses => msg!("费用", "Expenses"),
            Self::Tickets => msg!("客户工单", "Tickets"),
        }
    }

    /// Whether the part is money (minor units) rather than a count.
    pub fn is_money(self) -> bool {
        matches!(
            self,
            Self::Signed | Self::Received | Self::OverdueHeld | Self::Expenses
        )
    }

    /// Whether less of it is better.
    pub fn lower_is_better(self) -> bool {
        matches!(self, Self::OverdueHeld | Self::Expenses | Self::Tickets)
    }
}

/// The company's weights, 0–100 each (a part with weight 0 is shown but not scored); at least one
/// above 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct ScorecardWeights {
    pub activities: u32,
    pub new_customers: u32,
    pub level_upgrades: u32,
    pub deals_opened: u32,
    pub deals_won: u32,
    pub signed: u32,
    pub received: u32,
    pub overdue_held: u32,
    pub expenses: u32,
    pub tickets: u32,
}

impl Default for ScorecardWeights {
    /// Money collected and signed first, the work that leads to it next, what goes wrong last.
    fn default() -> Self {
        ScorecardWeights {
            activities: 10,
            new_customers: 10,
            level_upgrades: 10,
            deals_opened: 5,
            deals_won: 10,
            signed: 20,
            received: 25,
            overdue_held: 5,
            expenses: 0,
            tickets: 5,
        }
    }
}

impl ScorecardWeights {
    pub const MAX: u32 = 100;

    pub fn of(&self, c: ScoreComponent) -> u32 {
        match c {
            ScoreComponent::Activities => self.activities,
            ScoreComponent::NewCustomers => self.new_customers,
            ScoreComponent::LevelUpgrades => self.level_upgrades,
            ScoreComponent::DealsOpened => self.deals_opened,
            ScoreComponent::DealsWon => self.deals_won,
            ScoreComponent::Signed => self.signed,
            ScoreComponent::Received => self.received,
            ScoreComponent::OverdueHeld => self.overdue_held,
            ScoreComponent::Expenses => self.expenses,
            ScoreComponent::Tickets => self.tickets,
        }
    }

    pub fn set(&mut self, c: ScoreComponent, weight: u32) {
        let slot = match c {
            ScoreComponent::Activities => &mut self.activities,
            ScoreComponent::NewCustomers => &mut self.new_customers,
            ScoreComponent::LevelUpgrades => &mut self.level_upgrades,
            ScoreComponent::DealsOpened => &mut self.deals_opened,
            ScoreComponent::DealsWon => &mut self.deals_won,
            ScoreComponent::Signed => &mut self.signed,
            ScoreComponent::Received => &mut self.received,
            ScoreComponent::OverdueHeld => &mut self.overdue_held,
            ScoreComponent::Expenses => &mut self.expenses,
            ScoreComponent::Tickets => &mut self.tickets,
        };
        *slot = weight;
    }

    pub fn total(&self) -> u32 {
        ScoreComponent::ALL.iter().map(|c| self.of(*c)).sum()
    }

    /// Each 0–100, and not all 0.
    pub fn check(&self) -> Result<(), &'static str> {
        if ScoreComponent::ALL.iter().any(|c| self.of(*c) > Self::MAX) {
            return Err("range");
        }
        if self.total() == 0 {
            return Err("not_positive");
        }
        Ok(())
    }
}

/// How far a value is from its department's average, in hundredths of a percent of the weight
/// it earns: `10000` at the average, `0`–`20000`. `sum` and `people` make the average (the
/// department's total over its people); an average of nothing (or less) is met by anyone.
pub fn ratio_bp(value: i64, sum: i64, people: i64, lower_is_better: bool) -> i64 {
    if sum <= 0 || people <= 0 {
        return 10_000;
    }
    // value / (sum / people), in basis points, rounded half up.
    let num = i128::from(value) * i128::from(people) * 10_000 * 2 + i128::from(sum);
    let r = (num / (2 * i128::from(sum))).clamp(0, 20_000) as i64;
    if lower_is_better { 20_000 - r } else { r }
}

/// The score in tenths (100 = the department average on every part): the parts' ratios weighed.
/// `parts` are `(weight, ratio_bp)`; none without a weight.
pub fn score_tenths(parts: &[(u32, i64)]) -> Option<i64> {
    let weights: i64 = parts.iter().map(|(w, _)| i64::from(*w)).sum();
    if weights == 0 {
        return None;
    }
    let weighted: i64 = parts.iter().map(|(w, r)| i64::from(*w) * r).sum();
    // 100 × Σ(w·r/10000) / Σw, in tenths, rounded half up.
    Some((weighted * 2 + 10 * weights) / (20 * weights))
}

/// A part's points in tenths: its weight times its ratio.
pub fn points_tenths(weight: u32, ratio_bp: i64) -> i64 {
    (i64::from(weight) * ratio_bp * 2 + 1_000) / 2_000
}

/// Tenths as a decimal with one place (`1234` → `"123.4"`).
pub fn tenths(v: i64) -> String {
    let sign = if v < 0 { "-" } else { "" };
    format!("{sign}{}.{}", v.abs() / 10, v.abs() % 10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_average_is_worth_the_weight_and_twice_is_the_most() {
        // Department: 3 people, 30 in all: the average is 10.
        assert_eq!(ratio_bp(10, 30, 3, false), 10_000);
        assert_eq!(ratio_bp(15, 30, 3, false), 15_000);
        assert_eq!(ratio_bp(25, 30, 3, false), 20_000);
        assert_eq!(ratio_bp(0, 30, 3, false), 0);
        assert_eq!(ratio_bp(-5, 30, 3, false), 0);
        // Less is better: none is the most, twice the average nothing.
        assert_eq!(ratio_bp(0, 30, 3, true), 20_000);
        assert_eq!(ratio_bp(10, 30, 3, true), 10_000);
        assert_eq!(ratio_bp(20, 30, 3, true), 0);
        assert_eq!(ratio_bp(5, 30, 3, true), 15_000);
        // Nobody did any: everyone is at the average.
        assert_eq!(ratio_bp(0, 0, 3, false), 10_000);
        assert_eq!(ratio_bp(0, 0, 3, true), 10_000);
        // A third of the average, rounded half up.
        assert_eq!(ratio_bp(1, 9, 3, false), 3_333);
        assert_eq!(ratio_bp(2, 9, 3, false), 6_667);
    }

    #[test]
    fn the_score_is_the_weighted_mean_on_a_scale_of_100() {
        assert_eq!(score_tenths(&[(10, 10_000), (30, 10_000)]), Some(1000));
        assert_eq!(score_tenths(&[(10, 20_000), (30, 10_000)]), Some(1250));
        assert_eq!(score_tenths(&[(1, 3_333), (2, 0)]), Some(111));
        assert_eq!(score_tenths(&[(0, 20_000)]), None);
        assert_eq!(points_tenths(25, 15_000), 375);
        assert_eq!(points_tenths(10, 3_333), 33);
        assert_eq!(tenths(1234), "123.4");
        assert_eq!(tenths(5), "0.5");
    }

    #[test]
    fn weights_are_checked() {
        let mut w = ScorecardWeights::default();
        assert_eq!(w.total(), 100);
        assert!(w.check().is_ok());
        w.set(ScoreComponent::Signed, 101);
        assert_eq!(w.signed, 101);
        assert_eq!(w.check(), Err("range"));
        let zero = ScorecardWeights {
            activities: 0,
            new_customers: 0,
            level_upgrades: 0,
            deals_opened: 0,
            deals_won: 0,
            signed: 0,
            received: 0,
            overdue_held: 0,
            expenses: 0,
            tickets: 0,
        };
        assert_eq!(zero.check(), Err("not_positive"));
        // A saved document that lacks a part takes the default for it.
        let w: ScorecardWeights = serde_json::from_str(r#"{"signed": 50}"#).unwrap();
        assert_eq!(w.signed, 50);
        assert_eq!(w.received, 25);
    }
}
