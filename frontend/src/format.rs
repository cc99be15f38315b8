//! How the web app writes dates and money in each language, and the bridge between leptos_i18n's
//! locale and the product's [`Lang`]. The words themselves are in `locales/*.json`.

use crate::i18n::Locale;
use chrono::{DateTime, FixedOffset, Utc};
use crm_domain::{Lang, Money};
use leptos_i18n::I18nContext;

/// The app's translations (leptos_i18n's context).
pub type I18n = I18nContext<Locale>;

/// The product's language for a locale of the app.
pub fn lang_of(locale: Locale) -> Lang {
    match locale {
        Locale::en => Lang::En,
        Locale::zh_CN => Lang::Zh,
    }
}

/// The app's locale for a language of the product.
pub fn locale_of(lang: Lang) -> Locale {
    match lang {
        Lang::En => Locale::en,
        Lang::Zh => Locale::zh_CN,
    }
}

/// The app's current language (tracked, for use inside reactive closures).
pub fn lang(i18n: I18n) -> Lang {
    lang_of(i18n.get_locale())
}

/// A date and time in the viewer's local offset: `2026年11月27日 15:30` or `27 Nov 2026 15:30`.
pub fn format_datetime(lang: Lang, at: DateTime<Utc>, offset: FixedOffset) -> String {
    let local = at.with_timezone(&offset);
    match lang {
        Lang::Zh => local.format("%Y年%-m月%-d日 %H:%M").to_string(),
        Lang::En => local.format("%-d %b %Y %H:%M").to_string(),
    }
}

/// Money with thousands separators: `¥12,800.00` or `CNY 12,800.00`.
pub fn format_money(lang: Lang, amount: Money, currency: &str) -> String {
    let text = amount.to_string();
    let (sign, digits) = text
        .strip_prefix('-')
        .map(|d| ("-", d))
        .unwrap_or(("", text.as_str()));
    let (int, frac) = digits.split_once('.').unwrap_or((digits, "00"));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    match (lang, currency) {
        (Lang::Zh, "CNY") => format!("{sign}¥{grouped}.{frac}"),
        _ => format!("{sign}{currency} {grouped}.{frac}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_money_follow_the_language() {
        let at = DateTime::parse_from_rfc3339("2026-11-27T07:30:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let shanghai = FixedOffset::east_opt(8 * 3600).unwrap();
        assert_eq!(
            format_datetime(Lang::Zh, at, shanghai),
            "2026年11月27日 15:30"
        );
        assert_eq!(format_datetime(Lang::En, at, shanghai), "27 Nov 2026 15:30");
        let m = Money::parse("1234567.5").unwrap();
        assert_eq!(format_money(Lang::Zh, m, "CNY"), "¥1,234,567.50");
        assert_eq!(format_money(Lang::En, m, "CNY"), "CNY 1,234,567.50");
        assert_eq!(
            format_money(Lang::Zh, Money::parse("-12.3").unwrap(), "CNY"),
            "-¥12.30"
        );
        assert_eq!(
            format_money(Lang::En, Money::parse("999").unwrap(), "USD"),
            "USD 999.00"
        );
        assert_eq!(locale_of(lang_of(Locale::en)), Locale::en);
    }
}
