//! How lists are ordered and paged: `?sort=name` or `?sort=-name` (descending), `?limit=` and an
//! opaque `?cursor=` (the server's own encoding of the last row's position).

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// Rows in a page unless `limit` says otherwise.
pub const DEFAULT_LIMIT: i64 = 50;
/// The largest `limit`.
pub const MAX_LIMIT: i64 = 200;

/// The page a list's query asks for (every `list_query!` type): read by exports, which take a
/// list's filters and walk all of its pages themselves.
pub trait PageParams {
    /// `limit` and `cursor` as the caller sent them.
    fn page_params(&self) -> (Option<i64>, Option<&str>);
    /// Asks for `limit` rows after `cursor`.
    fn set_page(&mut self, limit: i64, cursor: Option<String>);
}

/// The keys a list may be sorted by.
pub trait SortKey: Copy + Eq + fmt::Debug + 'static {
    const ALL: &'static [Self];
    fn name(self) -> &'static str;
}

/// A list's order: a key, ascending or (written with a leading `-`) descending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort<K> {
    pub key: K,
    pub descending: bool,
}

impl<K: SortKey> Sort<K> {
    pub const fn asc(key: K) -> Self {
        Sort {
            key,
            descending: false,
        }
    }

    pub const fn desc(key: K) -> Self {
        Sort {
            key,
            descending: true,
        }
    }
}

impl<K: SortKey> fmt::Display for Sort<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.descending {
            f.write_str("-")?;
        }
        f.write_str(self.key.name())
    }
}

/// Why a `sort` is refused: it names the keys there are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownSort(pub String);

impl fmt::Display for UnknownSort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "sort is one of {} (with - for descending)", self.0)
    }
}

impl<K: SortKey> FromStr for Sort<K> {
    type Err = UnknownSort;

    fn from_str(text: &str) -> Result<Self, UnknownSort> {
        let (descending, name) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        K::ALL
            .iter()
            .find(|k| k.name() == name)
            .map(|&key| Sort { key, descending })
            .ok_or_else(|| {
                UnknownSort(
                    K::ALL
                        .iter()
                        .map(|k| k.name())
                        .collect::<Vec<_>>()
                        .join(", "),
                )
            })
    }
}

impl<K: SortKey> Serialize for Sort<K> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de, K: SortKey> Deserialize<'de> for Sort<K> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::CustomerSortKey;

    #[test]
    fn sorts_parse_and_print_alike() {
        for text in ["name", "-name", "updated", "-last_contact", "created"] {
            let sort: Sort<CustomerSortKey> = text.parse().unwrap();
            assert_eq!(sort.to_string(), text);
        }
        let err = "size".parse::<Sort<CustomerSortKey>>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "sort is one of name, created, updated, last_contact (with - for descending)"
        );
        assert!("--name".parse::<Sort<CustomerSortKey>>().is_err());
        assert!("".parse::<Sort<CustomerSortKey>>().is_err());
    }
}
