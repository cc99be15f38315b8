//! Request extractors that turn bad input into clear 400/422 problems, never 500.

use crate::error::ApiError;
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;
use validator::Validate;

/// Largest JSON body accepted.
pub const MAX_BODY: usize = 256 * 1024;

/// A JSON body, deserialised with the path of any wrong field and then validated.
pub struct ValidJson<T>(pub T);

impl<T: DeserializeOwned + Validate + 'static> FromRequest for ValidJson<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let json_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                let essence = v
                    .split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase();
                essence == "application/json" || essence.ends_with("+json")
            });
        let bytes = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            if json_type != Some(true) {
                return Err(ApiError::UnsupportedMediaType);
            }
            let body = bytes.await.map_err(|e| ApiError::BadRequest {
                code: "invalid_body",
                detail: format!("the body could not be read: {e}"),
            })?;
            let value = parse_json::<T>(&body)?;
            value.validate()?;
            Ok(ValidJson(value))
        })
    }
}

pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    if body.len() > MAX_BODY {
        return Err(ApiError::BadRequest {
            code: "body_too_large",
            detail: format!("the body exceeds {MAX_BODY} bytes"),
        });
    }
    // Syntax first: serde_json reports some type errors (a number where an enum belongs) as syntax
    // errors, so parsing into a value separates "not JSON" (400) from "wrong shape" (422).
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| ApiError::BadRequest {
            code: "malformed_json",
            detail: format!("the body is not valid JSON: {e}"),
        })?;
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." {
            "body".to_string()
        } else {
            path
        };
        ApiError::field(
            &field,
            "invalid",
            clean_serde_message(&e.into_inner().to_string()),
        )
    })
}

/// serde's messages end with " at line 1 column 42", which means nothing to the reader of a field error.
fn clean_serde_message(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

/// `Query` errors answer 400 `invalid_query` problems.
pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err, _| {
        ApiError::BadRequest {
            code: "invalid_query",
            detail: clean_serde_message(&err.to_string()),
        }
        .into()
    })
}

/// `Path` errors (`/users/abc`) answer 400 `invalid_path` problems.
pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|err, _| {
        ApiError::BadRequest {
            code: "invalid_path",
            detail: err.to_string(),
        }
        .into()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crm_domain::api::NewDepartment;

    #[test]
    fn syntax_errors_are_400_and_type_errors_name_the_field() {
        assert!(matches!(
            parse_json::<NewDepartment>(b"{"),
            Err(ApiError::BadRequest {
                code: "malformed_json",
                ..
            })
        ));
        match parse_json::<NewDepartment>(br#"{"name": "x", "parent_id": "seven"}"#) {
            Err(ApiError::Validation(errors)) => assert_eq!(errors[0].field, "parent_id"),
            other => panic!("{other:?}"),
        }
        match parse_json::<NewDepartment>(br#"{"name": "x", "colour": 1}"#) {
            Err(ApiError::Validation(errors)) => assert!(errors[0].message.contains("colour")),
            other => panic!("{other:?}"),
        }
        match parse_json::<NewDepartment>(br#"{"name": "x", "sort_order": 99999999999}"#) {
            Err(ApiError::Validation(errors)) => assert_eq!(errors[0].field, "sort_order"),
            other => panic!("{other:?}"),
        }
    }
}
