//! One error type for every handler, mapped once to RFC 9457 problem JSON with a stable `code`.
//! Internal errors are logged and answered with a generic 500 that leaks nothing.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, ResponseError};
use crm_db::RepoError;
use crm_domain::api::{FieldError, Problem};
use std::fmt;

#[derive(Debug)]
pub enum ApiError {
    /// 400 with a code such as `malformed_json`, `invalid_query`.
    BadRequest { code: &'static str, detail: String },
    /// 401: `unauthenticated`, `invalid_credentials`, `invalid_token`, `refresh_token_reused`.
    Unauthenticated { code: &'static str, detail: String },
    /// 403: the caller lacks a permission.
    Forbidden { detail: String },
    /// 404: missing or outside the caller's scope; the two look the same on purpose.
    NotFound,
    /// 409 with a business code (`duplicate_name`, `stale_version`, …).
    Conflict { code: &'static str, detail: String },
    /// 415.
    UnsupportedMediaType,
    /// 422 `validation_failed` with field errors.
    Validation(Vec<FieldError>),
    /// 422 with a business code and no particular field.
    Unprocessable { code: &'static str, detail: String },
    /// 429 with `Retry-After`.
    TooManyRequests { retry_after: i64 },
    /// 503: the database is unreachable.
    Unavailable,
    /// 500: a bug. The cause is logged, never sent.
    Internal(String),
}

impl ApiError {
    pub fn field(field: &str, code: &str, message: impl Into<String>) -> ApiError {
        ApiError::Validation(vec![FieldError {
            field: field.into(),
            code: code.into(),
            message: message.into(),
        }])
    }

    pub fn unauthenticated(detail: impl Into<String>) -> ApiError {
        ApiError::Unauthenticated {
            code: "unauthenticated",
            detail: detail.into(),
        }
    }

    pub fn internal(e: impl fmt::Display) -> ApiError {
        ApiError::Internal(e.to_string())
    }

    fn parts(&self) -> (StatusCode, &'static str, String) {
        match self {
            ApiError::BadRequest { code, detail } => {
                (StatusCode::BAD_REQUEST, code, detail.clone())
            }
            ApiError::Unauthenticated { code, detail } => {
                (StatusCode::UNAUTHORIZED, code, detail.clone())
            }
            ApiError::Forbidden { detail } => (StatusCode::FORBIDDEN, "forbidden", detail.clone()),
            ApiError::NotFound => (StatusCode::NOT_FOUND, "not_found", "no such record".into()),
            ApiError::Conflict { code, detail } => (StatusCode::CONFLICT, code, detail.clone()),
            ApiError::UnsupportedMediaType => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "send the body as application/json".into(),
            ),
            ApiError::Validation(errors) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                match errors.as_slice() {
                    [one] => format!("{}: {}", one.field, one.message),
                    many => format!("{} fields are invalid", many.len()),
                },
            ),
            ApiError::Unprocessable { code, detail } => {
                (StatusCode::UNPROCESSABLE_ENTITY, code, detail.clone())
            }
            ApiError::TooManyRequests { retry_after } => (
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_requests",
                format!("too many failed attempts; try again in {retry_after} seconds"),
            ),
            ApiError::Unavailable => (
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "the database is not available".into(),
            ),
            ApiError::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal_error",
                "an unexpected error occurred".into(),
            ),
        }
    }

    pub fn problem(&self) -> Problem {
        let (status, code, detail) = self.parts();
        Problem {
            type_: format!("https://crm.example/problems/{}", code.replace('_', "-")),
            title: status.canonical_reason().unwrap_or("Error").to_string(),
            status: status.as_u16(),
            detail,
            code: code.to_string(),
            errors: match self {
                ApiError::Validation(errors) => errors.clone(),
                _ => Vec::new(),
            },
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (status, code, detail) = self.parts();
        write!(f, "{} {code}: {detail}", status.as_u16())
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.parts().0
    }

    fn error_response(&self) -> HttpResponse {
        if let ApiError::Internal(cause) = self {
            tracing::error!(%cause, "internal error");
        }
        let mut res = HttpResponse::build(self.status_code());
        res.insert_header((header::CONTENT_TYPE, "application/problem+json"));
        if let ApiError::TooManyRequests { retry_after } = self {
            res.insert_header((header::RETRY_AFTER, retry_after.to_string()));
        }
        if let ApiError::Unauthenticated { .. } = self {
            res.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
        }
        res.body(serde_json::to_string(&self.problem()).unwrap_or_default())
    }
}

impl From<RepoError> for ApiError {
    fn from(e: RepoError) -> Self {
        match e {
            RepoError::NotFound => ApiError::NotFound,
            RepoError::StaleVersion { current } => ApiError::Conflict {
                code: "stale_version",
                detail: format!(
                    "the record was changed by someone else (now at version {current}); reload and retry"
                ),
            },
            RepoError::Conflict { code, message } => ApiError::Conflict {
                code,
                detail: message,
            },
            RepoError::Invalid {
                field,
                code,
                message,
            } => ApiError::field(field, code, message),
            RepoError::Rule { code, message } => ApiError::Unprocessable {
                code,
                detail: message,
            },
            RepoError::Unavailable(cause) => {
                tracing::warn!(%cause, "database unavailable");
                ApiError::Unavailable
            }
            RepoError::Db(e) => ApiError::Internal(e.to_string()),
        }
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(e: diesel::result::Error) -> Self {
        ApiError::from(RepoError::from(e))
    }
}

impl From<validator::ValidationErrors> for ApiError {
    fn from(errors: validator::ValidationErrors) -> Self {
        let mut out = Vec::new();
        collect(&errors, "", &mut out);
        out.sort_by(|a, b| a.field.cmp(&b.field));
        ApiError::Validation(out)
    }
}

fn collect(errors: &validator::ValidationErrors, prefix: &str, out: &mut Vec<FieldError>) {
    use validator::ValidationErrorsKind;
    for (field, kind) in errors.errors() {
        let path = if prefix.is_empty() {
            field.to_string()
        } else {
            format!("{prefix}.{field}")
        };
        match kind {
            ValidationErrorsKind::Field(list) => {
                for e in list {
                    out.push(FieldError {
                        field: path.clone(),
                        code: e.code.to_string(),
                        message: describe(e),
                    });
                }
            }
            ValidationErrorsKind::Struct(inner) => collect(inner, &path, out),
            ValidationErrorsKind::List(items) => {
                for (i, inner) in items {
                    collect(inner, &format!("{path}[{i}]"), out);
                }
            }
        }
    }
}

fn describe(e: &validator::ValidationError) -> String {
    if let Some(m) = &e.message {
        return m.to_string();
    }
    let p = |k: &str| e.params.get(k).map(|v| v.to_string());
    match e.code.as_ref() {
        "length" => match (p("min"), p("max"), p("equal")) {
            (_, _, Some(eq)) => format!("must have exactly {eq} characters or items"),
            (Some(min), Some(max), _) => format!("must have {min} to {max} characters or items"),
            (None, Some(max), _) => format!("must have at most {max} characters or items"),
            (Some(min), None, _) => format!("must have at least {min} characters or items"),
            _ => "has the wrong length".into(),
        },
        "range" => match (p("min"), p("max")) {
            (Some(min), Some(max)) => format!("must be between {min} and {max}"),
            _ => "is out of range".into(),
        },
        other => other.replace('_', " "),
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
