//! The rules of the money trail (订单 / 收款计划 / 回款 / 应收): order statuses and their moves, line
//! and order totals, payment plans that must add up, receipts applied to installments, aging buckets.
//! Pure functions over [`Money`]: the database layer calls them inside its transactions.

use crate::Money;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// 订单状态: draft → signed → executing → completed, or cancelled (not from completed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    Draft,
    Signed,
    Executing,
    Completed,
    Cancelled,
}

/// What can be done to an order's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderAction {
    Sign,
    Start,
    Complete,
    Cancel,
}

impl OrderAction {
    /// The last segment of the action's endpoint: `POST /orders/{id}/{action}`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sign => "sign",
            Self::Start => "start",
            Self::Complete => "complete",
            Self::Cancel => "cancel",
        }
    }
}

impl OrderStatus {
    pub const ALL: [OrderStatus; 5] = [
        Self::Draft,
        Self::Signed,
        Self::Executing,
        Self::Completed,
        Self::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Signed => "signed",
            Self::Executing => "executing",
            Self::Completed => "completed",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// The status an action leads to from this one; `None` when the move is not allowed.
    pub fn after(self, action: OrderAction) -> Option<OrderStatus> {
        use OrderAction as A;
        use OrderStatus as S;
        match (self, action) {
            (S::Draft, A::Sign) => Some(S::Signed),
            (S::Signed, A::Start) => Some(S::Executing),
            (S::Executing, A::Complete) => Some(S::Completed),
            (S::Draft | S::Signed | S::Executing, A::Cancel) => Some(S::Cancelled),
            _ => None,
        }
    }

    /// Signed business: counts in the customer's signed total, may receive money, has receivables.
    pub fn is_signed(self) -> bool {
        matches!(self, Self::Signed | Self::Executing | Self::Completed)
    }

    /// Still to be delivered (a customer transfer moves these; finished history keeps its owner).
    pub fn is_unfinished(self) -> bool {
        matches!(self, Self::Draft | Self::Signed | Self::Executing)
    }

    /// The statuses of signed business, for queries.
    pub const SIGNED: [OrderStatus; 3] = [Self::Signed, Self::Executing, Self::Completed];
    /// The statuses a transfer moves.
    pub const UNFINISHED: [OrderStatus; 3] = [Self::Draft, Self::Signed, Self::Executing];
}

/// Why a line, a plan or a receipt is refused; each has a stable code for the API.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyRuleError {
    #[error("the discount ({discount}) is more than the line's amount ({gross})")]
    DiscountTooLarge { gross: Money, discount: Money },
    #[error("the amounts are too large")]
    Overflow,
    #[error("the installments add up to {planned}, the order total is {total}")]
    PlanTotalMismatch { planned: Money, total: Money },
    #[error("installment {id} has {received} received; it must stay, for at least that amount")]
    InstallmentHasReceipts { id: i64, received: Money },
    #[error("{amount} is more than the {outstanding} still outstanding")]
    Overpayment { amount: Money, outstanding: Money },
    #[error("no such installment on this order")]
    NoSuchInstallment,
}

impl MoneyRuleError {
    pub fn code(&self) -> crate::ErrorCode {
        use crate::ErrorCode as C;
        match self {
            Self::DiscountTooLarge { .. } => C::DiscountTooLarge,
            Self::Overflow => C::AmountTooLarge,
            Self::PlanTotalMismatch { .. } => C::PlanTotalMismatch,
            Self::InstallmentHasReceipts { .. } => C::InstallmentHasReceipts,
            Self::Overpayment { .. } => C::Overpayment,
            Self::NoSuchInstallment => C::NoSuchInstallment,
        }
    }

    /// The refusal in both languages.
    pub fn message(&self) -> crate::Msg {
        use crate::msg;
        match self {
            Self::DiscountTooLarge { gross, discount } => msg!(
                "折扣（{discount}）超过了该行金额（{gross}）",
                "the discount ({discount}) is more than the line's amount ({gross})"
            ),
            Self::Overflow => msg!("金额过大", "the amounts are too large"),
            Self::PlanTotalMismatch { planned, total } => msg!(
                "收款计划合计 {planned}，与订单总额 {total} 不符",
                "the installments add up to {planned}, the order total is {total}"
            ),
            Self::InstallmentHasReceipts { id, received } => msg!(
                "第 {id} 期已收 {received}，须保留且金额不少于此数",
                "installment {id} has {received} received; it must stay, for at least that amount"
            ),
            Self::Overpayment {
                amount,
                outstanding,
            } => msg!(
                "{amount} 超过了尚未收回的 {outstanding}",
                "{amount} is more than the {outstanding} still outstanding"
            ),
            Self::NoSuchInstallment => {
                msg!("该订单没有这一期", "no such installment on this order")
            }
        }
    }
}

/// A line's amount: quantity × unit price − discount, never below zero.
pub fn line_amount(
    quantity: i64,
    unit_price: Money,
    discount: Money,
) -> Result<Money, MoneyRuleError> {
    let gross = unit_price
        .checked_mul(quantity)
        .ok_or(MoneyRuleError::Overflow)?;
    if discount > gross {
        return Err(MoneyRuleError::DiscountTooLarge { gross, discount });
    }
    gross.checked_sub(discount).ok_or(MoneyRuleError::Overflow)
}

/// An installment as a plan change sees it: an existing one keeps its id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlannedInstallment {
    pub id: Option<i64>,
    pub amount: Money,
}

/// A new plan must add up to the order total, and every installment that has money applied must
/// stay in it with at least the money it has (`received` by existing installment id).
pub fn check_plan(
    total: Money,
    plan: &[PlannedInstallment],
    received: &HashMap<i64, Money>,
) -> Result<(), MoneyRuleError> {
    for (&id, &got) in received.iter().filter(|(_, got)| got.is_positive()) {
        let kept = plan.iter().find(|p| p.id == Some(id));
        if kept.is_none_or(|p| p.amount < got) {
            return Err(MoneyRuleError::InstallmentHasReceipts { id, received: got });
        }
    }
    let planned =
        Money::checked_sum(plan.iter().map(|p| p.amount)).ok_or(MoneyRuleError::Overflow)?;
    if planned != total {
        return Err(MoneyRuleError::PlanTotalMismatch { planned, total });
    }
    Ok(())
}

/// An open installment as receipts see it, in plan order (oldest due first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenInstallment {
    pub id: i64,
    pub outstanding: Money,
}

/// Applies a receipt: to `target` only, or to the oldest open installments first. Refuses more than
/// is outstanding there — nothing is ever overpaid or left unapplied.
pub fn allocate(
    amount: Money,
    open: &[OpenInstallment],
    target: Option<i64>,
) -> Result<Vec<(i64, Money)>, MoneyRuleError> {
    let candidates: Vec<OpenInstallment> = match target {
        Some(id) => vec![
            *open
                .iter()
                .find(|i| i.id == id)
                .ok_or(MoneyRuleError::NoSuchInstallment)?,
        ],
        None => open.to_vec(),
    };
    let outstanding = Money::checked_sum(candidates.iter().map(|i| i.outstanding))
        .ok_or(MoneyRuleError::Overflow)?;
    if amount > outstanding {
        return Err(MoneyRuleError::Overpayment {
            amount,
            outstanding,
        });
    }
    let mut left = amount;
    let mut out = Vec::new();
    for i in candidates {
        if !left.is_positive() {
            break;
        }
        if !i.outstanding.is_positive() {
            continue;
        }
        let take = left.min(i.outstanding);
        out.push((i.id, take));
        left = left.checked_sub(take).ok_or(MoneyRuleError::Overflow)?;
    }
    Ok(out)
}

/// The default service period of a renewable product: from `start`, `months` long, ending the day
/// before the same date `months` later (a year from 2026-03-15 ends on 2027-03-14).
pub fn service_end(start: chrono::NaiveDate, months: i32) -> Option<chrono::NaiveDate> {
    start
        .checked_add_months(chrono::Months::new(u32::try_from(months).ok()?))?
        .pred_opt()
}

/// 账龄: how long an unpaid installment has been overdue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AgingBucket {
    NotDue,
    D1_30,
    D31_60,
    D61_90,
    Over90,
}

impl AgingBucket {
    pub const ALL: [AgingBucket; 5] = [
        Self::NotDue,
        Self::D1_30,
        Self::D31_60,
        Self::D61_90,
        Self::Over90,
    ];

    /// The bucket of an installment `days_overdue` days past its due date (0 or less: not due).
    pub fn for_days(days_overdue: i64) -> AgingBucket {
        match days_overdue {
            ..=0 => Self::NotDue,
            1..=30 => Self::D1_30,
            31..=60 => Self::D31_60,
            61..=90 => Self::D61_90,
            _ => Self::Over90,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> Money {
        Money::parse(s).unwrap()
    }

    #[test]
    fn statuses_move_only_forward_or_to_cancelled() {
        use OrderAction as A;
        use OrderStatus as S;
        assert_eq!(S::Draft.after(A::Sign), Some(S::Signed));
        assert_eq!(S::Signed.after(A::Start), Some(S::Executing));
        assert_eq!(S::Executing.after(A::Complete), Some(S::Completed));
        for s in [S::Draft, S::Signed, S::Executing] {
            assert_eq!(s.after(A::Cancel), Some(S::Cancelled));
        }
        assert_eq!(S::Completed.after(A::Cancel), None);
        assert_eq!(S::Cancelled.after(A::Sign), None);
        assert_eq!(S::Draft.after(A::Start), None);
        assert_eq!(S::Draft.after(A::Complete), None);
        assert_eq!(S::Signed.after(A::Sign), None);
        assert_eq!(S::Signed.after(A::Complete), None);
        for s in S::ALL {
            assert_eq!(S::parse(s.as_str()), Some(s));
        }
    }

    #[test]
    fn line_amounts_are_exact() {
        assert_eq!(line_amount(3, m("33.33"), m("0")), Ok(m("99.99")));
        assert_eq!(line_amount(7, m("0.10"), m("0.05")), Ok(m("0.65")));
        assert_eq!(line_amount(1, m("12800"), m("12800")), Ok(Money::ZERO));
        assert_eq!(
            line_amount(1, m("10"), m("10.01"))
                .unwrap_err()
                .code()
                .as_str(),
            "discount_too_large"
        );
        assert_eq!(
            line_amount(i64::MAX, m("2"), m("0"))
                .unwrap_err()
                .code()
                .as_str(),
            "amount_too_large"
        );
    }

    #[test]
    fn plans_must_add_up_and_keep_paid_installments() {
        let plan = |xs: &[(Option<i64>, &str)]| {
            xs.iter()
                .map(|(id, a)| PlannedInstallment {
                    id: *id,
                    amount: m(a),
                })
                .collect::<Vec<_>>()
        };
        let none = HashMap::new();
        assert!(
            check_plan(
                m("100"),
                &plan(&[(None, "33.33"), (None, "33.33"), (None, "33.34")]),
                &none
            )
            .is_ok()
        );
        assert_eq!(
            check_plan(m("100"), &plan(&[(None, "50"), (None, "49.99")]), &none)
                .unwrap_err()
                .code()
                .as_str(),
            "plan_total_mismatch"
        );
        let paid = HashMap::from([(7, m("30")), (8, Money::ZERO)]);
        // Installment 7 has money: it must stay, for at least 30.
        assert_eq!(
            check_plan(m("100"), &plan(&[(None, "100")]), &paid)
                .unwrap_err()
                .code()
                .as_str(),
            "installment_has_receipts"
        );
        assert_eq!(
            check_plan(m("100"), &plan(&[(Some(7), "20"), (None, "80")]), &paid)
                .unwrap_err()
                .code()
                .as_str(),
            "installment_has_receipts"
        );
        // Kept (even smaller, down to what it received), with installment 8 (nothing received) dropped.
        assert!(check_plan(m("100"), &plan(&[(Some(7), "30"), (None, "70")]), &paid).is_ok());
    }

    #[test]
    fn receipts_go_to_the_oldest_installments_first() {
        let open = [
            OpenInstallment {
                id: 1,
                outstanding: m("30"),
            },
            OpenInstallment {
                id: 2,
                outstanding: Money::ZERO,
            },
            OpenInstallment {
                id: 3,
                outstanding: m("50"),
            },
        ];
        assert_eq!(
            allocate(m("45"), &open, None),
            Ok(vec![(1, m("30")), (3, m("15"))])
        );
        assert_eq!(
            allocate(m("80"), &open, None),
            Ok(vec![(1, m("30")), (3, m("50"))])
        );
        assert_eq!(
            allocate(m("80.01"), &open, None)
                .unwrap_err()
                .code()
                .as_str(),
            "overpayment"
        );
        assert_eq!(allocate(m("20"), &open, Some(3)), Ok(vec![(3, m("20"))]));
        assert_eq!(
            allocate(m("31"), &open, Some(1))
                .unwrap_err()
                .code()
                .as_str(),
            "overpayment"
        );
        assert_eq!(
            allocate(m("1"), &open, Some(9))
                .unwrap_err()
                .code()
                .as_str(),
            "no_such_installment"
        );
    }

    #[test]
    fn service_periods_end_the_day_before() {
        let d = |s: &str| s.parse::<chrono::NaiveDate>().unwrap();
        assert_eq!(service_end(d("2026-03-15"), 12), Some(d("2027-03-14")));
        assert_eq!(service_end(d("2026-01-31"), 1), Some(d("2026-02-27")));
        assert_eq!(service_end(d("2026-01-01"), -1), None);
    }

    #[test]
    fn aging_buckets_have_exact_edges() {
        use AgingBucket as B;
        for (days, bucket) in [
            (-5, B::NotDue),
            (0, B::NotDue),
            (1, B::D1_30),
            (30, B::D1_30),
            (31, B::D31_60),
            (60, B::D31_60),
            (61, B::D61_90),
            (90, B::D61_90),
            (91, B::Over90),
            (4000, B::Over90),
        ] {
            assert_eq!(AgingBucket::for_days(days), bucket, "{days}");
        }
    }
}
