//! Small validation rules shared by request types.

use crate::Money;
use validator::ValidationError;

fn error(code: &'static str, message: &'static str) -> ValidationError {
    let mut e = ValidationError::new(code);
    e.message = Some(message.into());
    e
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
        Err(error(
            "invalid_username",
            "2–32 characters: lower-case letters, digits, _ . -, starting with a letter",
        ))
    }
}

/// Passwords: at least 8 characters (OWASP), at most 128 so hashing stays bounded.
pub fn password(value: &str) -> Result<(), ValidationError> {
    let n = value.chars().count();
    if n < 8 {
        Err(error("password_too_short", "at least 8 characters"))
    } else if n > 128 {
        Err(error("password_too_long", "at most 128 characters"))
    } else {
        Ok(())
    }
}

/// Text that must contain something besides spaces.
pub fn not_blank(value: &str) -> Result<(), ValidationError> {
    if value.trim().is_empty() {
        Err(error("blank", "must not be blank"))
    } else {
        Ok(())
    }
}

pub fn ascending_money(values: &[Money]) -> Result<(), ValidationError> {
    if values.windows(2).all(|w| w[0] < w[1]) && values.iter().all(|m| m.minor() >= 0) {
        Ok(())
    } else {
        Err(error(
            "not_ascending",
            "thresholds must be positive and strictly ascending",
        ))
    }
}

pub fn email(value: &str) -> Result<(), ValidationError> {
    if validator::ValidateEmail::validate_email(&value) {
        Ok(())
    } else {
        Err(error("invalid_email", "not an e-mail address"))
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
        Err(error(
            "invalid_code",
            "letters, digits, _ . -, starting with a letter or digit",
        ))
    }
}

/// An amount of zero or more.
pub fn not_negative(value: &Money) -> Result<(), ValidationError> {
    if value.minor() >= 0 {
        Ok(())
    } else {
        Err(error("negative", "must not be negative"))
    }
}

/// An amount of more than zero.
pub fn positive(value: &Money) -> Result<(), ValidationError> {
    if value.is_positive() {
        Ok(())
    } else {
        Err(error("not_positive", "must be more than zero"))
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
    fn passwords() {
        assert!(password("demo1234").is_ok());
        assert!(password("short").is_err());
        assert!(password(&"x".repeat(129)).is_err());
    }

    #[test]
    fn thresholds() {
        let m = |v: &[i64]| v.iter().map(|&x| Money::from_minor(x)).collect::<Vec<_>>();
        assert!(ascending_money(&m(&[1, 2, 3, 4])).is_ok());
        assert!(ascending_money(&m(&[1, 1, 3, 4])).is_err());
        assert!(ascending_money(&m(&[-1, 1, 3, 4])).is_err());
    }
}
