//! The report engine's language: what a report counts (its fact), how it is cut (dimensions), and
//! the answer every report shares (`GET /reports/customers`, `/reports/sales`, `/reports/receipts`),
//! plus the general manager's dashboard.

use crate::Money;
use crate::lang::{Lang, Msg};
use crate::msg;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};

/// What a report counts: one kind of business event, dated, owned, and (for most) an amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Fact {
    /// Customers created in the period, counted under their owner today.
    NewCustomers,
    /// Orders signed in the period (signed, executing or completed now), their totals; by product,
    /// the lines' amounts.
    Sales,
    /// Money received in the period on the orders of the owner; a reversal takes its receipt back.
    Receipts,
    /// Approved expenses spent in the period, under the spender.
    Expenses,
    /// Deals won in the period (closed on), their amounts.
    DealsWon,
    /// Activities (customer contacts) logged in the period, under whoever logged them.
    Activities,
    /// Deals opened in the period, their amounts.
    DealsOpened,
    /// Service tickets opened in the period, under their customer's owner.
    Tickets,
    /// Service periods ending in the period: orders signed, executing or completed whose service
    /// ends then, their totals; by product, the lines of products that renew.
    RenewalsDue,
    /// Of those, the ones renewed: the customer has signed another order whose service runs past
    /// this one's end (by product: with a line of the same product).
    Renewed,
    /// Installments of the payment plans in force falling due in the period, under the order's
    /// owner: the plan receipts are set against.
    InstallmentsDue,
}

impl Fact {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NewCustomers => "new_customers",
            Self::Sales => "sales",
            Self::Receipts => "receipts",
            Self::Expenses => "expenses",
            Self::DealsWon => "deals_won",
            Self::Activities => "activities",
            Self::DealsOpened => "deals_opened",
            Self::Tickets => "tickets",
            Self::RenewalsDue => "renewals_due",
            Self::Renewed => "renewed",
            Self::InstallmentsDue => "installments_due",
        }
    }

    /// The dimensions this fact can be cut by.
    pub fn dimensions(self) -> &'static [Dimension] {
        use Dimension::*;
        match self {
            Self::NewCustomers => &[
                Month, Week, Department, Owner, Industry, Region, Source, Level,
            ],
            Self::Sales | Self::RenewalsDue | Self::Renewed => &[
                Month, Week, Department, Owner, Industry, Region, Source, Product,
            ],
            Self::Receipts | Self::DealsWon | Self::DealsOpened | Self::InstallmentsDue => {
                &[Month, Week, Department, Owner, Industry, Region, Source]
            }
            Self::Activities => &[
                Month, Week, Department, Owner, Industry, Region, Source, Type,
            ],
            Self::Expenses | Self::Tickets => &[Month, Week, Department, Owner],
        }
    }

    /// Whether the fact has an amount beside its count.
    pub fn has_amount(self) -> bool {
        !matches!(self, Self::NewCustomers | Self::Activities | Self::Tickets)
    }

    /// The count column's header.
    pub fn count_label(self) -> Msg {
        match self {
            Self::NewCustomers => msg!("新增客户", "New customers"),
            Self::Sales => msg!("签约订单", "Orders signed"),
            Self::Receipts => msg!("回款笔数", "Receipts"),
            Self::Expenses => msg!("费用笔数", "Expenses"),
            Self::DealsWon => msg!("赢单数", "Deals won"),
            Self::Activities => msg!("接触次数", "Activities"),
            Self::DealsOpened => msg!("新建商机", "Deals opened"),
            Self::Tickets => msg!("工单数", "Tickets"),
            Self::RenewalsDue => msg!("到期订单", "Ending"),
            Self::Renewed => msg!("已续费", "Renewed"),
            Self::InstallmentsDue => msg!("应收期数", "Installments due"),
        }
    }

    /// The amount column's header.
    pub fn amount_label(self) -> Msg {
        match self {
            Self::NewCustomers => msg!("金额", "Amount"),
            Self::Sales => msg!("签约金额", "Signed amount"),
            Self::Receipts => msg!("回款金额", "Received"),
            Self::Expenses => msg!("费用金额", "Spent"),
            Self::DealsWon => msg!("赢单金额", "Won amount"),
            Self::DealsOpened => msg!("商机金额", "Deal amount"),
            Self::Activities | Self::Tickets => msg!("金额", "Amount"),
            Self::RenewalsDue => msg!("到期金额", "Ending amount"),
            Self::Renewed => msg!("已续费金额", "Renewed amount"),
            Self::InstallmentsDue => msg!("计划回款", "Planned"),
        }
    }

    /// The report's title.
    pub fn title(self) -> Msg {
        match self {
            Self::NewCustomers => msg!("客户分析", "Customers"),
            Self::Sales => msg!("销售分析", "Sales"),
            Self::Receipts => msg!("回款分析", "Receipts"),
            Self::Expenses => msg!("费用分析", "Expenses"),
            Self::DealsWon => msg!("赢单分析", "Deals won"),
            Self::Activities => msg!("客户接触分析", "Activities"),
            Self::DealsOpened => msg!("新建商机分析", "Deals opened"),
            Self::Tickets => msg!("工单分析", "Tickets"),
            Self::RenewalsDue | Self::Renewed => msg!("续费分析", "Renewals"),
            Self::InstallmentsDue => msg!("回款计划", "Payment plans"),
        }
    }
}

/// How a report is cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    /// The month on the company's calendar, `2026-11`.
    Month,
    /// The week (Monday to Sunday) on the company's calendar: key its Monday `2026-11-30`, named
    /// as the ISO week `2026-W49`.
    Week,
    /// The owner's department today.
    Department,
    Owner,
    /// The customer's industry (none: `0`).
    Industry,
    /// The customer's region (none: `0`).
    Region,
    /// The customer's level today (new customers).
    Level,
    /// The product of an order line (sales).
    Product,
    /// The activity's type (activities).
    Type,
    /// Where the customer came from (the `customer_source` dictionary; none: `0`).
    Source,
}

impl Dimension {
    pub const ALL: [Dimension; 10] = [
        Self::Month,
        Self::Week,
        Self::Department,
        Self::Owner,
        Self::Industry,
        Self::Region,
        Self::Level,
        Self::Product,
        Self::Type,
        Self::Source,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Month => "month",
            Self::Week => "week",
            Self::Department => "department",
            Self::Owner => "owner",
            Self::Industry => "industry",
            Self::Region => "region",
            Self::Level => "level",
            Self::Product => "product",
            Self::Type => "type",
            Self::Source => "source",
        }
    }

    pub fn label(self) -> Msg {
        match self {
            Self::Month => msg!("月份", "Month"),
            Self::Week => msg!("周", "Week"),
            Self::Department => msg!("部门", "Department"),
            Self::Owner => msg!("负责人", "Owner"),
            Self::Industry => msg!("行业", "Industry"),
            Self::Region => msg!("地区", "Region"),
            Self::Level => msg!("客户级别", "Level"),
            Self::Product => msg!("产品", "Product"),
            Self::Type => msg!("类型", "Type"),
            Self::Source => msg!("客户来源", "Source"),
        }
    }
}

impl FromStr for Dimension {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|d| d.as_str() == s)
            .ok_or_else(|| {
                let known: Vec<&str> = Self::ALL.iter().map(|d| d.as_str()).collect();
                format!("unknown dimension `{s}`: one of {}", known.join(", "))
            })
    }
}

/// One or two dimensions, written `month` or `month,department` in a query string.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GroupBy(Vec<Dimension>);

impl GroupBy {
    /// At most two distinct dimensions.
    pub fn new(dims: Vec<Dimension>) -> Result<Self, String> {
        if dims.is_empty() {
            return Err("group_by names no dimension".into());
        }
        if dims.len() > 2 {
            return Err("group_by takes at most two dimensions".into());
        }
        if dims.len() == 2 && dims[0] == dims[1] {
            return Err(format!("group_by names `{}` twice", dims[0].as_str()));
        }
        if dims.contains(&Dimension::Month) && dims.contains(&Dimension::Week) {
            return Err("group_by takes a month or a week, not both".into());
        }
        Ok(GroupBy(dims))
    }

    pub fn one(d: Dimension) -> Self {
        GroupBy(vec![d])
    }

    pub fn dims(&self) -> &[Dimension] {
        &self.0
    }
}

impl FromStr for GroupBy {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let dims = s
            .split(',')
            .map(|p| p.trim().parse())
            .collect::<Result<Vec<Dimension>, String>>()?;
        GroupBy::new(dims)
    }
}

impl fmt::Display for GroupBy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.0.iter().map(|d| d.as_str()).collect();
        f.write_str(&names.join(","))
    }
}

impl Serialize for GroupBy {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for GroupBy {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// What a column of a report holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ColumnKind {
    /// A group's name.
    Dimension,
    /// A whole number.
    Count,
    /// Money, a decimal string with two places.
    Money,
    /// A percentage, a decimal string with one place (none of nothing).
    Percent,
}

/// A column, headed in the caller's language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportColumn {
    /// `month`, `department`, …, `count`, `amount`, `average`.
    pub key: String,
    pub label: String,
    pub kind: ColumnKind,
}

/// One group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportRow {
    /// Per dimension, in `group_by` order: the id (`0` for none), the level, or the month
    /// (`2026-11`); what a drill-down filters by.
    pub keys: Vec<String>,
    /// Per dimension: the name in the caller's language.
    pub labels: Vec<String>,
    pub count: i64,
    /// Facts with an amount.
    pub amount: Option<Money>,
    /// The amount per count, rounded half away from zero to the fen.
    pub average: Option<Money>,
    /// Receipts: the installments in force falling due in the group (plan against actual).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub planned: Option<Money>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportTotals {
    pub count: i64,
    pub amount: Option<Money>,
    pub average: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub planned: Option<Money>,
}

/// A report: the groups of one fact within the caller's scope, months in order, other groups
/// largest first, with totals over everything it counted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Report {
    pub fact: Fact,
    pub title: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The dimensions, in order.
    pub group_by: Vec<Dimension>,
    pub columns: Vec<ReportColumn>,
    pub rows: Vec<ReportRow>,
    pub totals: ReportTotals,
    /// New customers by `level` alone: how far the period's new customers got, lead to signed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub funnel: Option<Vec<LevelStep>>,
}

/// A level of the funnel of the period's new customers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LevelStep {
    pub level: crate::customer::CustomerLevel,
    pub name: String,
    /// Customers that reached this level (or one above it) at some time, blacklisted ones too.
    pub reached: i64,
    /// Of those that reached the level before, the share that reached this one, in percent with
    /// one decimal (none for the first level, or when none reached the one before).
    pub conversion: Option<String>,
    /// The median time from reaching the level before to reaching this one, in days with one
    /// decimal: each customer's time rounded half up to a tenth of a day, and for an even count
    /// the middle two averaged and rounded half up (none for the first level, or when no
    /// customer's history shows both).
    pub median_days: Option<String>,
}

/// One group of the renewal report: the service periods ending in it and those renewed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RenewalRow {
    /// As a report row's (empty in the totals).
    pub keys: Vec<String>,
    pub labels: Vec<String>,
    /// Orders whose service ends in the group.
    pub due: i64,
    pub due_amount: Money,
    /// Of those, renewed (a later order of the customer runs past the end).
    pub renewed: i64,
    /// The renewed orders' own amounts (what was kept).
    pub renewed_amount: Money,
    /// `renewed / due` in percent with one decimal; none with nothing due.
    pub rate: Option<String>,
}

/// `GET /reports/renewals`: service periods ending per group (months in order) and how many were
/// renewed, within the caller's scope. Months still ahead show what is renewed so far.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RenewalReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub group_by: Vec<Dimension>,
    pub columns: Vec<ReportColumn>,
    pub rows: Vec<RenewalRow>,
    pub totals: RenewalRow,
}

/// The amount per count, rounded half away from zero (none without a count).
pub fn average(amount: Money, count: i64) -> Option<Money> {
    if count == 0 {
        return None;
    }
    let (a, n) = (amount.minor() as i128, count as i128);
    let q = (2 * a.abs() + n.abs()) / (2 * n.abs());
    let sign = if (a < 0) != (n < 0) { -1 } else { 1 };
    Some(Money::from_minor((sign * q) as i64))
}

/// A figure this month against last month and the same month a year ago.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Comparison {
    pub this_month: i64,
    pub last_month: i64,
    pub last_year: i64,
}

/// The same, in money.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MoneyComparison {
    pub this_month: Money,
    pub last_month: Money,
    pub last_year: Money,
}

/// One month of the trend.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrendMonth {
    /// `2026-11`.
    pub month: String,
    pub new_customers: i64,
    pub signed: Money,
    pub received: Money,
}

/// A group's share of the year's signed amount (industries, regions).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DashboardShare {
    /// `0`: not filled in.
    pub id: i64,
    pub name: String,
    pub orders: i64,
    pub signed: Money,
}

/// A level of the funnel: customers there now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FunnelStep {
    pub level: crate::customer::CustomerLevel,
    pub name: String,
    pub customers: i64,
}

/// A person's month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StaffRank {
    pub owner: super::IdName,
    pub department: super::IdName,
    pub signed: Money,
    pub orders: i64,
    pub received: Money,
}

/// `GET /reports/dashboard`: the general manager's page in one call, within the caller's scope.
/// "This month" runs to today; last month and the same month last year run to the same day of
/// their month (or to their last day), so that like is compared with like.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Dashboard {
    pub today: NaiveDate,
    /// The first day of this month.
    pub month: NaiveDate,
    pub new_customers: Comparison,
    pub signed: MoneyComparison,
    pub orders_signed: Comparison,
    pub received: MoneyComparison,
    pub expenses: MoneyComparison,
    pub deals_won: Comparison,
    /// Owed and past due today.
    pub overdue: Money,
    /// The twelve months to this one, oldest first.
    pub trend: Vec<TrendMonth>,
    /// This year's signed amount by the customer's industry, largest first (at most 8).
    pub top_industries: Vec<DashboardShare>,
    pub top_regions: Vec<DashboardShare>,
    /// Customers per level now, lead to signed.
    pub funnel: Vec<FunnelStep>,
    /// This month's signed amount per person, largest first (at most 10).
    pub ranking: Vec<StaffRank>,
}

/// Why deals were lost, and how often.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LostReason {
    pub reason: String,
    pub deals: i64,
}

/// A competitor deals were lost to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LostTo {
    pub competitor: super::IdName,
    pub deals: i64,
    pub amount: Money,
}

/// `GET /reports/opportunities`: the open deals per stage now, and the deals closed in the
/// period — won and lost, the win rate, the days from opening to winning, why the others were
/// lost and to whom — within the caller's scope.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OpportunityReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Every stage in order, open deals now.
    pub stages: Vec<super::StagePipeline>,
    pub open: i64,
    pub open_amount: Money,
    pub open_weighted: Money,
    pub won: i64,
    pub won_amount: Money,
    pub lost: i64,
    pub lost_amount: Money,
    /// Won of those closed, in percent with one decimal (`"42.9"`); none when none closed.
    pub win_rate: Option<String>,
    /// From opening to winning, in days with one decimal; none when none was won.
    pub average_days_to_win: Option<String>,
    /// The ten commonest reasons, commonest first.
    pub lost_reasons: Vec<LostReason>,
    /// The competitors lost to, most deals first.
    pub lost_to: Vec<LostTo>,
}

/// `part` of `whole` in percent with one decimal, rounded half up; none of nothing.
pub fn percent(part: i64, whole: i64) -> Option<String> {
    if whole <= 0 {
        return None;
    }
    let tenths = (part as i128 * 1000 * 2 + whole as i128) / (2 * whole as i128);
    Some(format!("{}.{}", tenths / 10, tenths % 10))
}

/// A part of a person's scorecard: the value, the department's average beside it, and what it
/// earned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScorecardPart {
    pub component: crate::scorecard::ScoreComponent,
    /// A count (`"12"`) or money (`"1234.50"`).
    pub value: String,
    /// The average of the department's people listed (counts with one decimal, money with two).
    pub department_average: String,
    pub weight: u32,
    /// The value against the average in percent with one decimal, `0.0`–`200.0` (`100.0`: at
    /// the average; where less is better, `200.0` is none).
    pub ratio: String,
    /// `weight × ratio`, one decimal.
    pub points: String,
}

/// One person's period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScorecardPerson {
    pub person: super::IdName,
    pub department: super::IdName,
    /// The weighted mean of the parts' ratios, one decimal; `100.0` is the department average.
    pub score: Option<String>,
    /// Every part, in the order of `components`.
    pub parts: Vec<ScorecardPart>,
    /// Activities per type, in the order of `activity_types`.
    pub activities_by_type: Vec<i64>,
}

/// A part's column: its name and weight.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScorecardColumn {
    pub component: crate::scorecard::ScoreComponent,
    pub label: String,
    pub money: bool,
    pub lower_is_better: bool,
    pub weight: u32,
}

/// `GET /reports/scorecard`: each person in the caller's scope over a period, every part beside
/// the average of their department's people listed, and one score from the company's weights —
/// highest score first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Scorecard {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub components: Vec<ScorecardColumn>,
    /// The activity types counted, in the dictionary's order.
    pub activity_types: Vec<super::IdName>,
    pub people: Vec<ScorecardPerson>,
}

/// A dimension's header in `lang`.
pub fn dimension_label(d: Dimension, lang: Lang) -> String {
    d.label().get(lang).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_by_reads_one_or_two_known_dimensions() {
        let g: GroupBy = "month,department".parse().unwrap();
        assert_eq!(g.dims(), &[Dimension::Month, Dimension::Department]);
        assert_eq!(g.to_string(), "month,department");
        assert!("month,month".parse::<GroupBy>().is_err());
        assert!("month,owner,region".parse::<GroupBy>().is_err());
        assert!(
            "colour"
                .parse::<GroupBy>()
                .unwrap_err()
                .contains("unknown dimension")
        );
        assert!("".parse::<GroupBy>().is_err());
        assert!("month,week".parse::<GroupBy>().is_err());
        assert!("week,source".parse::<GroupBy>().is_ok());
    }

    #[test]
    fn percents_have_one_decimal() {
        assert_eq!(percent(3, 7).as_deref(), Some("42.9"));
        assert_eq!(percent(1, 3).as_deref(), Some("33.3"));
        assert_eq!(percent(2, 2).as_deref(), Some("100.0"));
        assert_eq!(percent(0, 5).as_deref(), Some("0.0"));
        assert_eq!(percent(1, 0), None);
    }

    #[test]
    fn averages_round_half_away_from_zero() {
        let m = Money::from_minor;
        assert_eq!(average(m(100), 3), Some(m(33)));
        assert_eq!(average(m(200), 3), Some(m(67)));
        assert_eq!(average(m(-200), 3), Some(m(-67)));
        assert_eq!(average(m(5), 2), Some(m(3)));
        assert_eq!(average(m(5), 0), None);
    }
}
