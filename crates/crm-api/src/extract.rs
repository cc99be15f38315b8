//! Request extractors that turn bad input into clear 400/415/422 problems, never 500: a JSON body
//! and a query string, each parsed into its `crm-domain` type and checked against that type's rules.

use crate::error::ApiError;
use actix_web::dev::Payload;
use actix_web::error::PayloadError;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use crm_domain::api::ExportFormat;
use crm_domain::paging::PageParams;
use crm_domain::{ErrorCode, Msg, msg};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;
use std::future::{Ready, ready};
use std::ops::Deref;
use validator::Validate;

/// Largest JSON body accepted (uploads and imports have their own limits).
pub const MAX_BODY: usize = 1024 * 1024;

/// The whole body of a request, read within the server's body timeout (408 `request_timeout`
/// for a body that trickles or never ends) and within [`MAX_BODY`] (413 `payload_too_large`,
/// refused from `Content-Length` before anything is read when the client declares it).
pub struct Body(pub web::Bytes);

impl FromRequest for Body {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let timeout = req
            .app_data::<web::Data<crate::state::AppState>>()
            .map_or(crate::state::BODY_TIMEOUT, |s| s.body_timeout);
        let bytes = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            match tokio::time::timeout(timeout, bytes).await {
                Err(_) => Err(ApiError::RequestTimeout {
                    seconds: timeout.as_secs(),
                }),
                Ok(Ok(body)) => Ok(Body(body)),
                Ok(Err(e)) => Err(match e.as_error::<PayloadError>() {
                    Some(PayloadError::Overflow) => ApiError::PayloadTooLarge { limit: MAX_BODY },
                    _ => {
                        let e = e.to_string();
                        ApiError::bad_request(
                            ErrorCode::InvalidBody,
                            msg!("无法读取请求体：{e}", "the body could not be read: {e}"),
                        )
                    }
                }),
            }
        })
    }
}

/// What [`Body`] reads at most, for `web::Bytes` as it reads.
pub fn payload_config() -> web::PayloadConfig {
    web::PayloadConfig::new(MAX_BODY)
}

/// A JSON body, deserialised with the path of any wrong field and then validated; as an answer,
/// the value as JSON.
pub struct Json<T>(pub T);

impl<T: serde::Serialize> actix_web::Responder for Json<T> {
    type Body = actix_web::body::BoxBody;

    fn respond_to(self, req: &HttpRequest) -> actix_web::HttpResponse {
        web::Json(self.0).respond_to(req).map_into_boxed_body()
    }
}

impl<T> Deref for Json<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> Json<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T: DeserializeOwned + Validate + 'static> FromRequest for Json<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let json_type = declares_json(req);
        let body = Body::from_request(req, payload);
        Box::pin(async move {
            if !json_type {
                return Err(ApiError::UnsupportedMediaType);
            }
            let Body(body) = body.await?;
            let value = parse_json::<T>(&body)?;
            value.validate()?;
            Ok(Json(value))
        })
    }
}

/// Whether the request says its body is JSON (`application/json` or `…+json`).
fn declares_json(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            let essence = v
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            essence == "application/json" || essence.ends_with("+json")
        })
}

/// The body of an action whose options all have defaults (claiming from the pool): no body at all
/// is `T::default()`; a body is read and checked as [`Json`] reads it.
pub struct JsonOrDefault<T>(pub T);

impl<T> Deref for JsonOrDefault<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned + Validate + Default + 'static> FromRequest for JsonOrDefault<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let json_type = declares_json(req);
        let body = Body::from_request(req, payload);
        Box::pin(async move {
            let Body(body) = body.await?;
            if body.iter().all(u8::is_ascii_whitespace) {
                return Ok(JsonOrDefault(T::default()));
            }
            if !json_type {
                return Err(ApiError::UnsupportedMediaType);
            }
            let value = parse_json::<T>(&body)?;
            value.validate()?;
            Ok(JsonOrDefault(value))
        })
    }
}

/// Parses a body that [`Body`] has read (and so held to [`MAX_BODY`]).
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    // Syntax first: serde_json reports some type errors (a number where an enum belongs) as syntax
    // errors, so parsing into a value separates "not JSON" (400) from "wrong shape" (422).
    let value: serde_json::Value = serde_json::from_slice(body).map_err(|e| {
        let e = e.to_string();
        ApiError::bad_request(
            ErrorCode::MalformedJson,
            msg!(
                "请求体不是有效的 JSON：{e}",
                "the body is not valid JSON: {e}"
            ),
        )
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
            ErrorCode::Invalid,
            serde_message(&e.into_inner().to_string()),
        )
    })
}

/// serde's messages end with " at line 1 column 42", which means nothing to the reader of a field
/// error; they are English only (serde's own words), with a Chinese lead.
fn serde_message(message: &str) -> Msg {
    let text = match message.rfind(" at line ") {
        Some(i) => &message[..i],
        None => message,
    };
    msg!("格式不对：{text}", "{text}")
}

/// A query string, parsed into its type and checked against its rules (400 `invalid_query`). The
/// cursor stays opaque here: the list it belongs to decodes it (400 `invalid_cursor`).
pub struct Query<T>(pub T);

impl<T> Deref for Query<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> Query<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T: DeserializeOwned + Validate> FromRequest for Query<T> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(parse_query(req.query_string()).map(Query))
    }
}

/// An export's query string: the filters of the list it exports (`T`, checked as the list checks
/// them) and `format`. An export walks every page itself: `limit` and `cursor` are refused (400
/// `invalid_query`) rather than silently ignored.
pub struct ExportQuery<T> {
    pub filters: T,
    pub format: ExportFormat,
}

impl<T: DeserializeOwned + Validate + PageParams> FromRequest for ExportQuery<T> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(parse_export(req.query_string()))
    }
}

fn parse_export<T: DeserializeOwned + Validate + PageParams>(
    text: &str,
) -> Result<ExportQuery<T>, ApiError> {
    let mut format = None;
    let mut rest = form_urlencoded::Serializer::new(String::new());
    for (name, value) in form_urlencoded::parse(text.as_bytes()) {
        if name == "format" {
            format = Some(match &*value {
                "csv" => ExportFormat::Csv,
                "xlsx" => ExportFormat::Xlsx,
                _ => {
                    return Err(ApiError::bad_request(
                        ErrorCode::InvalidQuery,
                        msg!(
                            "format：应为 csv 或 xlsx，而不是 `{value}`",
                            "format: expected csv or xlsx, not `{value}`"
                        ),
                    ));
                }
            });
        } else {
            rest.append_pair(&name, &value);
        }
    }
    let filters: T = parse_query(&rest.finish())?;
    if filters.page_params() != (None, None) {
        return Err(ApiError::bad_request(
            ErrorCode::InvalidQuery,
            msg!(
                "导出包含全部符合条件的记录，不分页：请去掉 limit 和 cursor",
                "an export holds every matching row, not a page: leave out limit and cursor"
            ),
        ));
    }
    Ok(ExportQuery {
        filters,
        format: format.unwrap_or_default(),
    })
}

pub fn parse_query<T: DeserializeOwned + Validate>(text: &str) -> Result<T, ApiError> {
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(text.as_bytes()));
    let value: T = serde_path_to_error::deserialize(de).map_err(|e| {
        let field = e.path().to_string();
        let m = serde_message(&e.into_inner().to_string());
        let (zh, en) = (m.zh, m.en);
        ApiError::bad_request(
            ErrorCode::InvalidQuery,
            msg!("{field}：{zh}", "{field}: {en}"),
        )
    })?;
    value.validate().map_err(|errors| {
        let broken = crm_domain::validation::flatten(&errors);
        let say = |zh: bool| {
            broken
                .iter()
                .map(|(field, _, m)| match zh {
                    true => format!("{field}：{}", m.zh),
                    false => format!("{field}: {}", m.en),
                })
                .collect::<Vec<_>>()
        };
        let (zh, en) = (say(true).join("；"), say(false).join("; "));
        ApiError::bad_request(ErrorCode::InvalidQuery, msg!("{zh}", "{en}"))
    })?;
    Ok(value)
}

/// `Path` errors (`/users/abc`) answer 400 `invalid_path` problems.
pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|err, _| {
        let e = err.to_string();
        ApiError::bad_request(ErrorCode::InvalidPath, msg!("路径有误：{e}", "{e}")).into()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crm_domain::api::{CustomerQuery, NewDepartment};

    #[test]
    fn syntax_errors_are_400_and_type_errors_name_the_field() {
        assert!(matches!(
            parse_json::<NewDepartment>(b"{"),
            Err(ApiError::BadRequest {
                code: ErrorCode::MalformedJson,
                ..
            })
        ));
        let field_of = |body: &[u8]| match parse_json::<NewDepartment>(body) {
            Err(ApiError::Validation(errors)) => errors[0].clone(),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            field_of(br#"{"name": "x", "parent_id": "seven"}"#).0,
            "parent_id"
        );
        assert!(
            field_of(br#"{"name": "x", "colour": 1}"#)
                .2
                .en
                .contains("colour")
        );
        assert_eq!(
            field_of(br#"{"name": "x", "sort_order": 99999999999}"#).0,
            "sort_order"
        );
    }

    #[test]
    fn queries_parse_and_name_what_is_wrong() {
        let q: CustomerQuery = parse_query("level=lead&sort=-name&limit=20&q=%E5%AE%A2").unwrap();
        assert_eq!(q.limit, Some(20));
        assert_eq!(q.q.as_deref(), Some("客"));
        assert_eq!(q.sort.map(|s| s.to_string()).as_deref(), Some("-name"));
        for (text, code) in [
            ("sort=size", ErrorCode::InvalidQuery),
            ("level=vip", ErrorCode::InvalidQuery),
            ("limit=0", ErrorCode::InvalidQuery),
            ("limit=201", ErrorCode::InvalidQuery),
            ("grade=6", ErrorCode::InvalidQuery),
            ("colour=blue", ErrorCode::InvalidQuery),
        ] {
            match parse_query::<CustomerQuery>(text) {
                Err(ApiError::BadRequest { code: c, .. }) => assert_eq!(c, code, "{text}"),
                other => panic!("{text}: {other:?}"),
            }
        }
        // The same query, written back by the web app, reads the same.
        let written = serde_urlencoded::to_string(&q).unwrap();
        assert_eq!(parse_query::<CustomerQuery>(&written).unwrap(), q);
        assert_eq!(
            serde_urlencoded::to_string(CustomerQuery::default()).unwrap(),
            ""
        );
    }
}
