//! Small validation rules shared by request types, and what a broken rule says in both languages
//! (the server's field errors and the web app's form checks use the same words).

use crate::{Money, Msg, msg};
use validator::{ValidationError, ValidationErrors, ValidationErrorsKind};

/// A broken rule; its words come from [`describe`], by code.
fn error(code: &'static str) -> ValidationError {
    ValidationError::new(code)
}

/// What a broken rule says: by its code and parameters (`min`, `max`, `equal`).
pub fn describe(e: &ValidationError) -> Msg {
    let p = |k: &str| e.params.get(k).map(|v| v.to_string());
    match e.code.as_ref() {
        "length" => match (p("min"), p("max"), p("equal")) {
            (_, _, Some(n)) => msg!(
                "须为 {n} 个字符或项",
                "must have exactly {n} characters or items"
            ),
            (Some(a), Some(b), _) => {
                msg!(
                    "须为 {a} 到 {b} 个字符或项",
                    "must have {a} to {b} characters or items"
                )
            }
            (None, Some(b), _) => msg!(
                "最多 {b} 个字符或项",
                "must have at most {b} characters or items"
            ),
            (Some(a), None, _) => msg!(
                "至少 {a} 个字符或项",
                "must have at least {a} characters or items"
            ),
            _ => msg!("长度不对", "has the wrong length"),
        },
        "range" => match (p("min"), p("max")) {
            (Some(a), Some(b)) => msg!("须在 {a} 到 {b} 之间", "must be between {a} and {b}"),
            _ => msg!("超出范围", "is out of range"),
        },
        "blank" => msg!("不能为空", "must not be blank"),
        "invalid_username" => msg!(
            "2–32 个字符：小写字母、数字、_ . -，以字母开头",
            "2–32 characters: lower-case letters, digits, _ . -, starting with a letter"
        ),
        "invalid_email" => msg!("不是电子邮件地址", "not an e-mail address"),
        "invalid_code" => msg!(
            "字母、数字、_ . -，以字母或数字开头",
            "letters, digits, _ . -, starting with a letter or digit"
        ),
        "not_ascending" => msg!(
            "各档金额须为正数且逐档递增",
            "thresholds must be positive and strictly ascending"
        ),
        "invalid_tags" => msg!(
            "每个标签 1–30 个字符，不能重复",
            "each tag has 1–30 characters, and no two are alike"
        ),
        "negative" => msg!("不能为负数", "must not be negative"),
        "not_positive" => msg!("须大于零", "must be more than zero"),
        "amount_too_large" => msg!(
            "须在 0 到 100 亿之间",
            "must be between 0 and 10 000 000 000"
        ),
        "expense_too_large" => msg!(
            "一笔费用最多 1000 万元",
            "an expense is at most 10 000 000.00"
        ),
        "unknown_time_zone" => msg!(
            "不是 IANA 时区，例如 Asia/Shanghai",
            "not an IANA time zone such as Asia/Shanghai"
        ),
        "invalid_currency" => msg!(
            "三个字母的 ISO 4217 代码，例如 CNY",
            "a three-letter ISO 4217 code such as CNY"
        ),
        other => {
            let text = other.replace('_', " ");
            Msg::new(text.clone(), text)
        }
    }
}

/// Every broken rule of a request, flattened: `(field path, code, words)`, sorted by field.
pub fn flatten(errors: &ValidationErrors) -> Vec<(String, String, Msg)> {
    fn walk(errors: &ValidationErrors, prefix: &str, out: &mut Vec<(String, String, Msg)>) {
        for (field, kind) in errors.errors() {
            let path = if prefix.is_empty() {
                field.to_string()
            } else {
                format!("{prefix}.{field}")
            };
            match kind {
                ValidationErrorsKind::Field(list) => {
                    for e in list {
                        out.push((path.clone(), e.code.to_string(), describe(e)));
                    }
                }
                ValidationErrorsKind::Struct(inner) => walk(inner, &path, out),
                ValidationErrorsKind::List(items) => {
                    for (i, inner) in items {
                        walk(inner, &format!("{path}[{i}]"), out);
                    }
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(errors, "", &mut out);
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// Usernames: 2–32 characters of lower-case letters, digits, `_`, `.` and `-`, starting with a letter.
pub fn username(value: &str) -> Result<(), ValidationError> {
    let mut chars = value.chars();
    let starts_well = chars.next().is_some_and(|c| c.is_ascii_lowercase());
    let rest_ok = value
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '.' | '-'));
    if (2..=32).contains(&value.len()) && starts_well && rest_ok {
        Ok(())
    } else {
        Err(error("invalid_username"))
    }
}

/// Text that must contain something besides spaces.
pub fn not_blank(value: &str) -> Result<(), ValidationError> {
    if value.trim().is_empty() {
        Err(error("blank"))
    } else {
        Ok(())
    }
}

/// Tags of an article: each 1–30 characters, not blank, no two alike.
pub fn tags(values: &[String]) -> Result<(), ValidationError> {
    let mut seen = std::collections::BTreeSet::new();
    for t in values {
        let t = t.trim();
        if t.is_empty() || t.chars().count() > 30 || !seen.insert(t.to_lowercase()) {
            return Err(error("invalid_tags"));
        }
    }
    Ok(())
}

pub fn ascending_money(values: &[Money]) -> Result<(), ValidationError> {
    if values.windows(2).all(|w| w[0] < w[1]) && values.iter().all(|m| m.minor() >= 0) {
        Ok(())
    } else {
        Err(error("not_ascending"))
    }
}

/// Ticket due hours: each from 1 hour to 90 days, and never longer for a more urgent priority.
pub fn due_hours(h: &crate::ticket::TicketDueHours) -> Result<(), ValidationError> {
    let max = crate::ticket::TicketDueHours::MAX;
    let all = [h.urgent, h.high, h.normal, h.low];
    if all.iter().any(|x| !(1..=max).contains(x)) {
        let mut e = error("range");
        e.add_param("min".into(), &1);
        e.add_param("max".into(), &max);
        return Err(e);
    }
    if all.windows(2).all(|w| w[0] <= w[1]) {
        Ok(())
    } else {
        Err(error("not_ascending"))
    }
}

/// The scorecard's weights: each 0–100, not all 0.
pub fn score_weights(w: &crate::scorecard::ScorecardWeights) -> Result<(), ValidationError> {
    w.check().map_err(|code| {
        let mut e = error(code);
        if code == "range" {
            e.add_param("min".into(), &0);
            e.add_param("max".into(), &crate::scorecard::ScorecardWeights::MAX);
        }
        e
    })
}

pub fn email(value: &str) -> Result<(), ValidationError> {
    if validator::ValidateEmail::validate_email(&value) {
        Ok(())
    } else {
        Err(error("invalid_email"))
    }
}

/// Codes (product codes, …): 1–32 of letters, digits, `_`, `.` and `-`, starting with a letter or digit.
pub fn code(value: &str) -> Result<(), ValidationError> {
    let starts_well = value
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric());
    let rest_ok = value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
    if starts_well && rest_ok {
        Ok(())
    } else {
        Err(error("invalid_code"))
    }
}

/// An IANA time zone name.
pub fn time_zone(value: &str) -> Result<(), ValidationError> {
    if value.parse::<chrono_tz::Tz>().is_ok() {
        Ok(())
    } else {
        Err(error("unknown_time_zone"))
    }
}

/// A currency code as ISO 4217 writes it: three capital letters (case is forgiven on input).
pub fn currency(value: &str) -> Result<(), ValidationError> {
    if value.chars().all(|c| c.is_ascii_alphabetic()) {
        Ok(())
    } else {
        Err(error("invalid_currency"))
    }
}

/// An amount of zero or more.
pub fn not_negative(value: &Money) -> Result<(), ValidationError> {
    if value.minor() >= 0 {
        Ok(())
    } else {
        Err(error("negative"))
    }
}

/// The largest amount of one deal: ten billion (so that amount × probability, and their sums over
/// a company's pipeline, stay far inside 64 bits).
pub const MAX_DEAL_AMOUNT: Money = Money::from_minor(1_000_000_000_000);

/// A deal's amount: zero to [`MAX_DEAL_AMOUNT`].
pub fn deal_amount(value: &Money) -> Result<(), ValidationError> {
    if value.minor() < 0 || *value > MAX_DEAL_AMOUNT {
        Err(error("amount_too_large"))
    } else {
        Ok(())
    }
}

/// The largest expense one person files at once: 10 000 000.00.
pub const MAX_EXPENSE_AMOUNT: Money = Money::from_minor(1_000_000_000);

/// An expense's amount: more than zero, at most [`MAX_EXPENSE_AMOUNT`].
pub fn expense_amount(value: &Money) -> Result<(), ValidationError> {
    if !value.is_positive() {
        Err(error("not_positive"))
    } else if *value > MAX_EXPENSE_AMOUNT {
        Err(error("expense_too_large"))
    } else {
        Ok(())
    }
}

/// An amount of more than zero.
pub fn positive(value: &Money) -> Result<(), ValidationError> {
    if value.is_positive() {
        Ok(())
    } else {
        Err(error("not_positive"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames() {
        for ok in ["admin", "s1_a", "li.wei", "ab"] {
            assert!(username(ok).is_ok(), "{ok}");
        }
        for bad in ["", "a", "Admin", "1abc", "张三", "a b", &"a".repeat(33)] {
            assert!(username(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn thresholds() {
        let m = |v: &[i64]| v.iter().map(|&x| Money::from_minor(x)).collect::<Vec<_>>();
        assert!(ascending_money(&m(&[1, 2, 3, 4])).is_ok());
        assert!(ascending_money(&m(&[1, 1, 3, 4])).is_err());
        assert!(ascending_money(&m(&[-1, 1, 3, 4])).is_err());
    }
}
