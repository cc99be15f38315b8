//! Property: whatever plan and receipts come, money is conserved — received + outstanding = total
//! for the order and for every installment, nothing is overpaid, and a refused receipt changes nothing.

use crm_domain::Money;
use crm_domain::order::{OpenInstallment, PlannedInstallment, allocate, check_plan};
use proptest::prelude::*;
use std::collections::HashMap;

/// A total in fen and cut points that split it into installments.
fn plan_strategy() -> impl Strategy<Value = (i64, Vec<i64>)> {
    (1i64..=1_000_000_000).prop_flat_map(|total| {
        let cuts = proptest::collection::vec(1..total.max(2), 0..8);
        (Just(total), cuts)
    })
}

fn installments(total: i64, mut cuts: Vec<i64>) -> Vec<i64> {
    cuts.retain(|c| *c > 0 && *c < total);
    cuts.sort_unstable();
    cuts.dedup();
    let mut parts = Vec::new();
    let mut last = 0;
    for c in cuts.into_iter().chain([total]) {
        parts.push(c - last);
        last = c;
    }
    parts
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn received_plus_outstanding_is_always_the_total(
        (total, cuts) in plan_strategy(),
        receipts in proptest::collection::vec((1i64..=500_000_000, proptest::option::of(0usize..8)), 0..25),
    ) {
        let parts = installments(total, cuts);
        let plan: Vec<PlannedInstallment> = parts
            .iter()
            .enumerate()
            .map(|(i, a)| PlannedInstallment { id: Some(i as i64), amount: Money::from_minor(*a) })
            .collect();
        prop_assert!(check_plan(Money::from_minor(total), &plan, &HashMap::new()).is_ok());
        let mut received: Vec<i64> = vec![0; parts.len()];
        for (amount, target) in receipts {
            let open: Vec<OpenInstallment> = parts
                .iter()
                .zip(&received)
                .enumerate()
                .map(|(i, (a, r))| OpenInstallment { id: i as i64, outstanding: Money::from_minor(a - r) })
                .collect();
            let target = target.filter(|t| *t < parts.len()).map(|t| t as i64);
            let before = received.clone();
            match allocate(Money::from_minor(amount), &open, target) {
                Ok(split) => {
                    let applied: i64 = split.iter().map(|(_, m)| m.minor()).sum();
                    prop_assert_eq!(applied, amount, "a receipt is applied in full");
                    for (id, m) in split {
                        prop_assert!(m.is_positive());
                        received[id as usize] += m.minor();
                    }
                }
                Err(e) => {
                    prop_assert_eq!(e.code().as_str(), "overpayment");
                    prop_assert_eq!(&received, &before, "a refused receipt changes nothing");
                }
            }
            for (a, r) in parts.iter().zip(&received) {
                prop_assert!(*r >= 0 && r <= a, "no installment is overpaid");
            }
            let got: i64 = received.iter().sum();
            let outstanding: i64 = parts.iter().zip(&received).map(|(a, r)| a - r).sum();
            prop_assert_eq!(got + outstanding, total);
        }
        // A plan change keeps whatever has money on it.
        let paid: HashMap<i64, Money> = received
            .iter()
            .enumerate()
            .map(|(i, r)| (i as i64, Money::from_minor(*r)))
            .collect();
        let merged = vec![PlannedInstallment { id: None, amount: Money::from_minor(total) }];
        let has_money = received.iter().any(|r| *r > 0);
        prop_assert_eq!(check_plan(Money::from_minor(total), &merged, &paid).is_err(), has_money);
    }
}
