//! The product's two languages, and messages written in both. The server answers problems in the
//! caller's language; the web app shows the same texts.

use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::fmt;

/// A language the product speaks: Simplified Chinese (the default) or English.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Lang {
    #[default]
    #[serde(rename = "zh-CN")]
    Zh,
    #[serde(rename = "en")]
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Zh, Lang::En];

    /// The BCP 47 tag: `zh-CN` or `en`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// A tag such as `en-GB`, `zh`, `zh-Hans-CN`; none for languages the product does not speak.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "zh" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The first language of an `Accept-Language` header the product speaks, by preference.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut ranked: Vec<(u16, usize, Lang)> = header
            .split(',')
            .enumerate()
            .filter_map(|(i, part)| {
                let mut pieces = part.split(';');
                let lang = Lang::from_tag(pieces.next()?)?;
                let q = pieces
                    .find_map(|p| p.trim().strip_prefix("q="))
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    .unwrap_or(1.0);
                (q > 0.0).then_some(((q * 1000.0) as u16, i, lang))
            })
            .collect();
        ranked.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        ranked.first().map(|r| r.2)
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A message in both languages; the reader's is picked when it is shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Msg {
    pub zh: Cow<'static, str>,
    pub en: Cow<'static, str>,
}

impl Msg {
    pub fn new(zh: impl Into<Cow<'static, str>>, en: impl Into<Cow<'static, str>>) -> Msg {
        Msg {
            zh: zh.into(),
            en: en.into(),
        }
    }

    /// One of two static texts, by language.
    pub fn pick(zh: &'static str, en: &'static str, lang: Lang) -> &'static str {
        match lang {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }

    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }
}

/// The English text, for logs.
impl fmt::Display for Msg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.en)
    }
}

/// `msg!("中文 {x}", "English {x}")`: a [`Msg`], each text formatted like `format!`.
#[macro_export]
macro_rules! msg {
    ($zh:literal, $en:literal $(,)?) => {
        $crate::lang::Msg::new(::std::format!($zh), ::std::format!($en))
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_preferred_spoken_language() {
        assert_eq!(Lang::from_accept_language("en-GB,en;q=0.9"), Some(Lang::En));
        assert_eq!(
            Lang::from_accept_language("fr;q=1, en;q=0.5, zh-CN;q=0.8"),
            Some(Lang::Zh)
        );
        assert_eq!(Lang::from_accept_language("zh-Hans-CN"), Some(Lang::Zh));
        assert_eq!(Lang::from_accept_language("de, fr"), None);
        assert_eq!(Lang::from_accept_language("en;q=0"), None);
        assert_eq!(Lang::from_accept_language(""), None);
    }

    #[test]
    fn messages_format_both_texts() {
        let n = 3;
        let m = msg!("还有 {n} 个", "{n} left");
        assert_eq!(m.get(Lang::Zh), "还有 3 个");
        assert_eq!(m.get(Lang::En), "3 left");
        assert_eq!(m.to_string(), "3 left");
    }
}
