//! One error type for every handler, mapped once to RFC 9457 problem JSON with a stable `code` and
//! words in the caller's language (see [`crate::language`], which renders them per request).
//! Internal errors are logged and answered with a generic 500 that leaks nothing.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, ResponseError};
use crm_db::RepoError;
use crm_domain::problem::{CustomerClash, FieldError, Problem};
use crm_domain::{ErrorCode, Lang, Msg, msg};
use std::fmt;

#[derive(Debug, Clone)]
pub enum ApiError {
    /// 400 with a code such as `malformed_json`, `invalid_query`, `invalid_cursor`.
    BadRequest { code: ErrorCode, detail: Msg },
    /// 401: `unauthenticated`, `invalid_credentials`, `invalid_token`, `refresh_token_reused`, …
    Unauthenticated { code: ErrorCode, detail: Msg },
    /// 403: the caller lacks a permission.
    Forbidden { detail: Msg },
    /// 404: missing or outside the caller's scope; the two look the same on purpose.
    NotFound,
    /// 409 with a business code (`duplicate_name`, `stale_version`, …).
    Conflict { code: ErrorCode, detail: Msg },
    /// 409 `duplicate_customer`, naming the customers the new one collides with.
    Duplicate(Vec<CustomerClash>),
    /// 415.
    UnsupportedMediaType,
    /// 422 `validation_failed`: `(field, code, words)` per broken rule.
    Validation(Vec<(String, ErrorCode, Msg)>),
    /// 422 with a business code and no particular field.
    Unprocessable { code: ErrorCode, detail: Msg },
    /// 429 with `Retry-After`.
    TooManyRequests { retry_after: i64 },
    /// 429 with `Retry-After: 1`: the credential has `limit` requests running already.
    TooManyInFlight { limit: usize },
    /// 413 `payload_too_large`: the body exceeds `limit` bytes.
    PayloadTooLarge { limit: usize },
    /// 413 `file_too_large`: an upload over the company's limit.
    FileTooLarge { limit_mb: u64 },
    /// 415 `file_type_not_allowed`: the content is `found`, not a type the store takes.
    FileTypeNotAllowed { found: String },
    /// 408 `request_timeout`: the body did not arrive within `seconds`.
    RequestTimeout { seconds: u64 },
    /// 503 `database_unavailable` with `Retry-After`: the database is unreachable or went away
    /// mid-request (restarting, failed over); nothing was changed that was not committed.
    Unavailable,
    /// 503 `unavailable`: this instance cannot serve yet (readiness), for the reason given.
    NotReady { detail: Msg },
    /// 500: a bug. The cause is logged, never sent.
    Internal(String),
}

impl ApiError {
    pub fn field(field: &str, code: ErrorCode, message: Msg) -> ApiError {
        ApiError::Validation(vec![(field.to_string(), code, message)])
    }

    pub fn unauthenticated(code: ErrorCode, detail: Msg) -> ApiError {
        ApiError::Unauthenticated { code, detail }
    }

    pub fn bad_request(code: ErrorCode, detail: Msg) -> ApiError {
        ApiError::BadRequest { code, detail }
    }

    pub fn internal(e: impl fmt::Display) -> ApiError {
        ApiError::Internal(e.to_string())
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::Unauthenticated { .. } => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden { .. } => StatusCode::FORBIDDEN,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::Conflict { .. } | ApiError::Duplicate(_) => StatusCode::CONFLICT,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Validation(_) | ApiError::Unprocessable { .. } => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            ApiError::TooManyRequests { .. } | ApiError::TooManyInFlight { .. } => {
                StatusCode::TOO_MANY_REQUESTS
            }
            ApiError::PayloadTooLarge { .. } | ApiError::FileTooLarge { .. } => {
                StatusCode::PAYLOAD_TOO_LARGE
            }
            ApiError::FileTypeNotAllowed { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::RequestTimeout { .. } => StatusCode::REQUEST_TIMEOUT,
            ApiError::Unavailable | ApiError::NotReady { .. } => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            ApiError::BadRequest { code, .. }
            | ApiError::Unauthenticated { code, .. }
            | ApiError::Conflict { code, .. }
            | ApiError::Unprocessable { code, .. } => *code,
            ApiError::Forbidden { .. } => ErrorCode::Forbidden,
            ApiError::NotFound => ErrorCode::NotFound,
            ApiError::Duplicate(_) => ErrorCode::DuplicateCustomer,
            ApiError::UnsupportedMediaType => ErrorCode::UnsupportedMediaType,
            ApiError::Validation(_) => ErrorCode::ValidationFailed,
            ApiError::TooManyRequests { .. } | ApiError::TooManyInFlight { .. } => {
                ErrorCode::TooManyRequests
            }
            ApiError::PayloadTooLarge { .. } => ErrorCode::PayloadTooLarge,
            ApiError::FileTooLarge { .. } => ErrorCode::FileTooLarge,
            ApiError::FileTypeNotAllowed { .. } => ErrorCode::FileTypeNotAllowed,
            ApiError::RequestTimeout { .. } => ErrorCode::RequestTimeout,
            ApiError::Unavailable => ErrorCode::DatabaseUnavailable,
            ApiError::NotReady { .. } => ErrorCode::Unavailable,
            ApiError::Internal(_) => ErrorCode::InternalError,
        }
    }

    /// What went wrong, in both languages.
    fn detail(&self) -> Msg {
        match self {
            ApiError::BadRequest { detail, .. }
            | ApiError::Unauthenticated { detail, .. }
            | ApiError::Forbidden { detail }
            | ApiError::Conflict { detail, .. }
            | ApiError::Unprocessable { detail, .. }
            | ApiError::NotReady { detail } => detail.clone(),
            ApiError::NotFound => msg!("没有这条记录", "no such record"),
            ApiError::Duplicate(clashes) => crm_domain::api::clash_detail(clashes),
            ApiError::UnsupportedMediaType => {
                msg!(
                    "请以 application/json 发送请求体",
                    "send the body as application/json"
                )
            }
            ApiError::Validation(errors) => match errors.as_slice() {
                [(field, _, m)] => {
                    let (zh, en) = (&m.zh, &m.en);
                    msg!("{field}：{zh}", "{field}: {en}")
                }
                many => {
                    let n = many.len();
                    msg!("有 {n} 个字段不合要求", "{n} fields are invalid")
                }
            },
            ApiError::TooManyRequests { retry_after } => msg!(
                "失败次数过多，请 {retry_after} 秒后再试",
                "too many failed attempts; try again in {retry_after} seconds"
            ),
            ApiError::TooManyInFlight { limit } => msg!(
                "这个令牌同时进行的请求过多（上限 {limit} 个），请稍后再试",
                "this credential has too many requests running (at most {limit}); try again shortly"
            ),
            ApiError::PayloadTooLarge { limit } => msg!(
                "请求体超过了 {limit} 字节",
                "the body exceeds {limit} bytes"
            ),
            ApiError::FileTooLarge { limit_mb } => msg!(
                "文件超过了 {limit_mb} MB 的上限",
                "the file is over the limit of {limit_mb} MB"
            ),
            ApiError::FileTypeNotAllowed { found } => msg!(
                "不接受这种文件（内容是 {found}）；可上传 PDF、Office 文档、图片（PNG、JPEG、GIF、WebP）、纯文本或 ZIP",
                "this kind of file is not taken (its content is {found}); upload PDF, Office documents, images (PNG, JPEG, GIF, WebP), plain text or ZIP"
            ),
            ApiError::RequestTimeout { seconds } => msg!(
                "请求体在 {seconds} 秒内没有传完",
                "the body did not arrive within {seconds} seconds"
            ),
            ApiError::Unavailable => msg!("数据库暂时不可用", "the database is not available"),
            ApiError::Internal(_) => msg!("发生了意外错误", "an unexpected error occurred"),
        }
    }

    /// The problem document in `lang`.
    pub fn problem(&self, lang: Lang) -> Problem {
        let status = self.status();
        let code = self.code();
        Problem {
            type_: format!(
                "https://crm.example/problems/{}",
                code.as_str().replace('_', "-")
            ),
            title: title(status, lang).to_string(),
            status: status.as_u16(),
            detail: self.detail().get(lang).to_string(),
            code,
            errors: match self {
                ApiError::Validation(errors) => errors
                    .iter()
                    .map(|(field, code, m)| FieldError {
                        field: field.clone(),
                        code: *code,
                        message: m.get(lang).to_string(),
                    })
                    .collect(),
                _ => Vec::new(),
            },
            matches: match self {
                ApiError::Duplicate(clashes) => clashes.clone(),
                _ => Vec::new(),
            },
            request_id: None,
        }
    }

    /// The answer in `lang`, with the headers its status calls for.
    pub fn response(&self, lang: Lang) -> HttpResponse {
        self.response_to(lang, None)
    }

    /// The answer in `lang` to the request with id `request_id`.
    pub fn response_to(&self, lang: Lang, request_id: Option<String>) -> HttpResponse {
        let mut res = HttpResponse::build(self.status());
        res.insert_header((header::CONTENT_TYPE, "application/problem+json"));
        res.insert_header((header::CONTENT_LANGUAGE, lang.code()));
        match self {
            ApiError::TooManyRequests { retry_after } => {
                res.insert_header((header::RETRY_AFTER, retry_after.to_string()));
            }
            ApiError::TooManyInFlight { .. } => {
                res.insert_header((header::RETRY_AFTER, "1"));
            }
            // Long enough for a restarting database, short enough that a client retrying sees
            // it back within seconds.
            ApiError::Unavailable => {
                res.insert_header((header::RETRY_AFTER, "2"));
            }
            _ => {}
        }
        if let ApiError::Unauthenticated { .. } = self {
            res.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
        }
        let mut problem = self.problem(lang);
        problem.request_id = request_id;
        res.body(serde_json::to_string(&problem).unwrap_or_default())
    }
}

/// The customer protection problem's words; the facts are in its `matches`.
/// A status's reason phrase in the reader's language.
fn title(status: StatusCode, lang: Lang) -> &'static str {
    let zh = match status.as_u16() {
        400 => "请求有误",
        401 => "未登录",
        403 => "无权操作",
        404 => "未找到",
        408 => "请求超时",
        409 => "冲突",
        413 => "请求体过大",
        415 => "不支持的媒体类型",
        422 => "无法处理",
        429 => "请求过多",
        503 => "服务不可用",
        _ => "服务器错误",
    };
    match lang {
        Lang::Zh => zh,
        Lang::En => status.canonical_reason().unwrap_or("Error"),
    }
}

impl std::error::Error for ApiError {}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.status().as_u16(),
            self.code(),
            self.detail()
        )
    }
}

/// Rendered in the company's default language here; [`crate::language::problems`] renders it again
/// in the caller's.
impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status()
    }

    fn error_response(&self) -> HttpResponse {
        if let ApiError::Internal(cause) = self {
            tracing::error!(%cause, "internal error");
        }
        self.response(Lang::default())
    }
}

impl From<RepoError> for ApiError {
    fn from(e: RepoError) -> Self {
        match e {
            RepoError::NotFound => ApiError::NotFound,
            RepoError::Forbidden(detail) => ApiError::Forbidden { detail },
            RepoError::StaleVersion { current } => ApiError::Conflict {
                code: ErrorCode::StaleVersion,
                detail: msg!(
                    "记录已被他人修改（现为第 {current} 版），请重新读取后再试",
                    "the record was changed by someone else (now at version {current}); reload and retry"
                ),
            },
            RepoError::Conflict { code, message } => ApiError::Conflict {
                code,
                detail: message,
            },
            RepoError::Duplicate(clashes) => ApiError::Duplicate(clashes),
            RepoError::Invalid {
                field,
                code,
                message,
            } => ApiError::field(field, code, message),
            RepoError::Rule { code, message } => ApiError::Unprocessable {
                code,
                detail: message,
            },
            RepoError::BadQuery { code, message } => ApiError::BadRequest {
                code,
                detail: message,
            },
            RepoError::Unavailable(cause) => {
                tracing::warn!(%cause, "database unavailable");
                ApiError::Unavailable
            }
            RepoError::Db(e) if crm_db::error::is_connection_lost(&e) => {
                tracing::warn!(cause = %e, "database connection lost");
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
        ApiError::Validation(
            crm_domain::validation::flatten(&errors)
                .into_iter()
                .map(|(field, code, m)| (field, code.parse().unwrap_or(ErrorCode::Invalid), m))
                .collect(),
        )
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
