//! Money (金额): integer minor units (fen) inside, exact two-place decimal strings outside.

use bigdecimal::BigDecimal;
use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};

/// An amount of money in minor units (1/100 of the currency unit). Never a float.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Money(i64);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("not a decimal number")]
    NotANumber,
    #[error("more than two decimal places")]
    TooPrecise,
    #[error("out of range")]
    OutOfRange,
}

impl Money {
    pub const ZERO: Money = Money(0);

    pub const fn from_minor(minor: i64) -> Self {
        Money(minor)
    }

    pub const fn minor(self) -> i64 {
        self.0
    }

    /// Parses `"12800"`, `"12800.5"`, `"12800.50"`, `"-3.20"`; refuses a third decimal place rather
    /// than rounding money away.
    pub fn parse(text: &str) -> Result<Self, MoneyError> {
        let text = text.trim();
        if text.is_empty() || text.contains(['e', 'E']) {
            return Err(MoneyError::NotANumber);
        }
        let value = BigDecimal::from_str(text).map_err(|_| MoneyError::NotANumber)?;
        let minor = value * BigDecimal::from(100);
        if !minor.is_integer() {
            return Err(MoneyError::TooPrecise);
        }
        let (digits, _) = minor.with_scale(0).as_bigint_and_exponent();
        i64::try_from(digits)
            .ok()
            .filter(|m| m.unsigned_abs() <= 999_999_999_999_999)
            .map(Money)
            .ok_or(MoneyError::OutOfRange)
    }

    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.0.checked_add(other.0).map(Money)
    }

    pub fn checked_sub(self, other: Money) -> Option<Money> {
        self.0.checked_sub(other.0).map(Money)
    }

    /// The amount times a whole quantity.
    pub fn checked_mul(self, quantity: i64) -> Option<Money> {
        self.0.checked_mul(quantity).map(Money)
    }

    /// The sum of amounts; `None` on overflow.
    pub fn checked_sum(amounts: impl IntoIterator<Item = Money>) -> Option<Money> {
        amounts
            .into_iter()
            .try_fold(Money::ZERO, |acc, m| acc.checked_add(m))
    }

    /// `parts` equal shares to the fen, the rounding remainder on the last one: 100.00 in three is
    /// 33.33, 33.33 and 33.34. Empty for zero parts.
    pub fn split_even(self, parts: u32) -> Vec<Money> {
        if parts == 0 {
            return Vec::new();
        }
        let n = i64::from(parts);
        let share = self.0 / n;
        let mut shares = vec![Money(share); parts as usize];
        if let Some(last) = shares.last_mut() {
            *last = Money(self.0 - share * (n - 1));
        }
        shares
    }

    pub fn is_positive(self) -> bool {
        self.0 > 0
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

impl FromStr for Money {
    type Err = MoneyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Money::parse(s)
    }
}

impl Serialize for Money {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Money::parse(&text).map_err(|e| {
            serde::de::Error::custom(format!(
                "invalid amount `{text}`: {e} (expected a decimal string such as \"12800.00\")"
            ))
        })
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Money {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some(r"^-?[0-9]+(\.[0-9]{1,2})?$"))
            .examples([serde_json::json!("12800.00")])
            .description(Some("Exact decimal amount with at most two places"))
            .into()
    }
}
#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Money {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_exactly() {
        for (text, minor, shown) in [
            ("12800", 1_280_000, "12800.00"),
            ("12800.5", 1_280_050, "12800.50"),
            ("0.01", 1, "0.01"),
            ("-3.20", -320, "-3.20"),
            ("33.33", 3333, "33.33"),
            (" 7 ", 700, "7.00"),
        ] {
            let m = Money::parse(text).unwrap();
            assert_eq!(m.minor(), minor, "{text}");
            assert_eq!(m.to_string(), shown);
        }
    }

    #[test]
    fn refuses_what_is_not_exact_money() {
        assert_eq!(Money::parse("0.001"), Err(MoneyError::TooPrecise));
        assert_eq!(Money::parse("abc"), Err(MoneyError::NotANumber));
        assert_eq!(Money::parse(""), Err(MoneyError::NotANumber));
        assert_eq!(Money::parse("1e3"), Err(MoneyError::NotANumber));
        assert_eq!(
            Money::parse("99999999999999999999"),
            Err(MoneyError::OutOfRange)
        );
    }

    #[test]
    fn splits_evenly_with_the_remainder_last() {
        let m = |s: &str| Money::parse(s).unwrap();
        assert_eq!(
            m("100.00").split_even(3),
            vec![m("33.33"), m("33.33"), m("33.34")]
        );
        assert_eq!(
            m("0.02").split_even(3),
            vec![m("0.00"), m("0.00"), m("0.02")]
        );
        assert_eq!(m("99.99").split_even(1), vec![m("99.99")]);
        assert!(m("10").split_even(0).is_empty());
        for parts in 1..=12 {
            let total = m("12345.67");
            let shares = total.split_even(parts);
            assert_eq!(Money::checked_sum(shares.clone()), Some(total));
            assert!(shares.windows(2).all(|w| w[0] <= w[1]));
        }
    }

    #[test]
    fn arithmetic_is_exact_and_checked() {
        let m = |s: &str| Money::parse(s).unwrap();
        assert_eq!(m("33.33").checked_mul(3), Some(m("99.99")));
        assert_eq!(
            m("0.10")
                .checked_mul(3)
                .and_then(|x| x.checked_sub(m("0.30"))),
            Some(Money::ZERO)
        );
        assert_eq!(Money::from_minor(i64::MAX).checked_add(m("0.01")), None);
        assert_eq!(Money::checked_sum(vec![m("0.10"); 1000]), Some(m("100.00")));
    }

    #[test]
    fn json_is_a_string() {
        let m: Money = serde_json::from_str("\"99.99\"").unwrap();
        assert_eq!(serde_json::to_string(&m).unwrap(), "\"99.99\"");
        assert!(serde_json::from_str::<Money>("99.99").is_err());
    }
}
