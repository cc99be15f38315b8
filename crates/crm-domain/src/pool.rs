//! The public pool's reclaim rules (公海回收规则): when an unattended customer goes back to the pool.
//! The database asks the same question in SQL (`crm_db::pool`); this is the answer for one
//! customer, with the day it falls due, and the rules' unit tests.

use crate::api::{PoolReturn, PoolRule};
use crate::customer::CustomerLevel;
use crate::settings::CompanySettings;
use chrono::{Duration, NaiveDate, NaiveDateTime};
use chrono_tz::Tz;

/// The rules in force (or being tried in a preview); both off until set.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PoolRules {
    /// A customer nobody has contacted for this many days, counted from the later of its last
    /// contact and the day its owner got it; any level but blacklisted.
    pub no_contact_days: Option<u32>,
    /// A customer below `signed` this many days after its owner got it.
    pub unsigned_days: Option<u32>,
}

/// The levels the unsigned rule applies to.
pub const UNSIGNED_LEVELS: [CustomerLevel; 3] = [
    CustomerLevel::Lead,
    CustomerLevel::Contacted,
    CustomerLevel::Prospect,
];

impl PoolRules {
    pub fn of(s: &CompanySettings) -> PoolRules {
        PoolRules {
            no_contact_days: s.pool_reclaim_no_contact_days,
            unsigned_days: s.pool_reclaim_unsigned_days,
        }
    }

    pub fn is_on(&self) -> bool {
        self.no_contact_days.is_some() || self.unsigned_days.is_some()
    }

    /// Per rule, the instant before which a customer's clock must have started for the rule to
    /// take it at `at` (the SQL's cutoffs).
    pub fn cutoffs(&self, at: NaiveDateTime) -> (Option<NaiveDateTime>, Option<NaiveDateTime>) {
        let back = |days: u32| at - Duration::days(i64::from(days));
        (self.no_contact_days.map(back), self.unsigned_days.map(back))
    }

    /// The first rule to take a customer, and when (strictly after that instant it is due).
    pub fn due(
        &self,
        level: CustomerLevel,
        owner_since: Option<NaiveDateTime>,
        last_contact_at: Option<NaiveDateTime>,
    ) -> Option<(PoolRule, NaiveDateTime)> {
        let since = owner_since?;
        let no_contact = self
            .no_contact_days
            .filter(|_| level != CustomerLevel::Blacklisted)
            .map(|days| {
                let clock = last_contact_at.map_or(since, |c| c.max(since));
                (PoolRule::NoContact, clock + Duration::days(i64::from(days)))
            });
        let unsigned = self
            .unsigned_days
            .filter(|_| UNSIGNED_LEVELS.contains(&level))
            .map(|days| (PoolRule::Unsigned, since + Duration::days(i64::from(days))));
        match (no_contact, unsigned) {
            (Some(a), Some(b)) => Some(if b.1 < a.1 { b } else { a }),
            (a, b) => a.or(b),
        }
    }

    /// [`PoolRules::due`] on the company's calendar, counted from `today`.
    pub fn returns(
        &self,
        level: CustomerLevel,
        owner_since: Option<NaiveDateTime>,
        last_contact_at: Option<NaiveDateTime>,
        tz: Tz,
        today: NaiveDate,
    ) -> Option<PoolReturn> {
        let (rule, at) = self.due(level, owner_since, last_contact_at)?;
        let on = crate::time::local_date(at.and_utc(), tz);
        Some(PoolReturn {
            rule,
            on,
            days_left: (on - today).num_days(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(day: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 1, day)
            .unwrap()
            .and_hms_opt(2, 0, 0)
            .unwrap()
    }

    #[test]
    fn off_until_set() {
        let rules = PoolRules::default();
        assert!(!rules.is_on());
        assert_eq!(rules.due(CustomerLevel::Lead, Some(at(1)), None), None);
    }

    #[test]
    fn no_contact_counts_from_the_later_of_contact_and_assignment() {
        let rules = PoolRules {
            no_contact_days: Some(10),
            unsigned_days: None,
        };
        // Contacted before the owner got it: the owner's clock starts when they got it.
        assert_eq!(
            rules.due(CustomerLevel::Signed, Some(at(5)), Some(at(2))),
            Some((PoolRule::NoContact, at(15)))
        );
        assert_eq!(
            rules.due(CustomerLevel::Contacted, Some(at(5)), Some(at(8))),
            Some((PoolRule::NoContact, at(18)))
        );
        assert_eq!(
            rules.due(CustomerLevel::Blacklisted, Some(at(5)), None),
            None
        );
    }

    #[test]
    fn unsigned_applies_below_signed_and_the_earlier_rule_wins() {
        let rules = PoolRules {
            no_contact_days: Some(30),
            unsigned_days: Some(20),
        };
        assert_eq!(
            rules.due(CustomerLevel::Prospect, Some(at(1)), Some(at(10))),
            Some((PoolRule::Unsigned, at(21)))
        );
        assert_eq!(
            rules.due(CustomerLevel::Signed, Some(at(1)), Some(at(10))),
            Some((PoolRule::NoContact, at(10) + Duration::days(30)))
        );
        let (cut_a, cut_b) = rules.cutoffs(at(31));
        assert_eq!(cut_a, Some(at(1)));
        assert_eq!(cut_b, Some(at(11)));
    }

    #[test]
    fn the_day_it_returns_is_on_the_company_calendar() {
        let rules = PoolRules {
            no_contact_days: Some(3),
            unsigned_days: None,
        };
        let today = NaiveDate::from_ymd_opt(2026, 1, 2).unwrap();
        // 22:00 UTC on the 3rd is the 4th in Shanghai.
        let since = at(1).date().and_hms_opt(22, 0, 0).unwrap();
        let r = rules
            .returns(
                CustomerLevel::Lead,
                Some(since),
                None,
                chrono_tz::Asia::Shanghai,
                today,
            )
            .unwrap();
        assert_eq!(r.on, NaiveDate::from_ymd_opt(2026, 1, 5).unwrap());
        assert_eq!(r.days_left, 3);
    }
}
