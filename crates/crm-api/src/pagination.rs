//! Keyset pagination: `?limit=` (1–200, default 50) and an opaque `?cursor=` that encodes the last key.

use crate::error::{ApiError, ApiResult};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use crm_domain::api::Page;

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 200;

/// A validated page request: how many rows and after which key.
pub struct PageRequest {
    pub limit: i64,
    pub after: Option<i64>,
}

impl PageRequest {
    pub fn parse(limit: Option<i64>, cursor: Option<&str>) -> ApiResult<PageRequest> {
        let limit = limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(ApiError::BadRequest {
                code: "invalid_query",
                detail: format!("limit must be between 1 and {MAX_LIMIT}"),
            });
        }
        let after = match cursor.filter(|c| !c.is_empty()) {
            None => None,
            Some(c) => Some(decode(c).ok_or_else(|| ApiError::BadRequest {
                code: "invalid_cursor",
                detail: "the cursor is not one this server gave out".into(),
            })?),
        };
        Ok(PageRequest { limit, after })
    }

    /// Rows to fetch: one more than asked, to know whether another page exists.
    pub fn fetch(&self) -> i64 {
        self.limit + 1
    }

    pub fn page<T>(&self, mut items: Vec<T>, key: impl Fn(&T) -> i64) -> Page<T> {
        let more = items.len() as i64 > self.limit;
        items.truncate(self.limit as usize);
        let next_cursor = if more {
            items.last().map(|last| encode(key(last)))
        } else {
            None
        };
        Page { items, next_cursor }
    }
}

fn encode(key: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("k:{key}"))
}

fn decode(cursor: &str) -> Option<i64> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor).ok()?;
    String::from_utf8(bytes)
        .ok()?
        .strip_prefix("k:")?
        .parse()
        .ok()
}

/// An opaque cursor carrying any JSON value (for sorts whose key is not the id).
pub fn encode_value(value: &serde_json::Value) -> String {
    URL_SAFE_NO_PAD.encode(format!("v:{value}"))
}

pub fn decode_value(cursor: &str) -> ApiResult<serde_json::Value> {
    let bad = || ApiError::BadRequest {
        code: "invalid_cursor",
        detail: "the cursor is not one this server gave out".into(),
    };
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    serde_json::from_str(text.strip_prefix("v:").ok_or_else(bad)?).map_err(|_| bad())
}

/// A validated `limit`.
pub fn limit(limit: Option<i64>) -> ApiResult<i64> {
    PageRequest::parse(limit, None).map(|p| p.limit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        assert_eq!(decode(&encode(42)), Some(42));
        assert!(PageRequest::parse(None, Some("nonsense!")).is_err());
        assert!(PageRequest::parse(Some(0), None).is_err());
        assert!(PageRequest::parse(Some(201), None).is_err());
        let p = PageRequest::parse(Some(2), None).unwrap();
        let page = p.page(vec![1, 2, 3], |x| *x);
        assert_eq!(page.items, vec![1, 2]);
        assert_eq!(
            PageRequest::parse(None, page.next_cursor.as_deref())
                .unwrap()
                .after,
            Some(2)
        );
        assert_eq!(p.page(vec![1, 2], |x| *x).next_cursor, None);
    }
}
