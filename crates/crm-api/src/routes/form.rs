//! Reading `multipart/form-data` (uploads, imports): each field and chunk within the body's idle
//! timeout, broken forms as 400 problems, short text fields.

use crate::error::{ApiError, ApiResult};
use actix_multipart::Field;
use crm_domain::{ErrorCode, msg};
use futures_util::StreamExt;
use std::time::Duration;

/// Text fields of a form are short.
const MAX_FIELD: usize = 1024;

/// The next item of a multipart stream (a field, or a field's chunk), within `idle`.
pub async fn next<S, T>(stream: &mut S, idle: Duration) -> ApiResult<Option<T>>
where
    S: futures_util::Stream<Item = Result<T, actix_multipart::MultipartError>> + Unpin,
{
    match tokio::time::timeout(idle, stream.next()).await {
        Err(_) => Err(ApiError::RequestTimeout {
            seconds: idle.as_secs(),
        }),
        Ok(None) => Ok(None),
        Ok(Some(Ok(x))) => Ok(Some(x)),
        Ok(Some(Err(e))) => Err(not_a_form(e)),
    }
}

fn not_a_form(e: actix_multipart::MultipartError) -> ApiError {
    use actix_multipart::MultipartError as E;
    match e {
        E::ContentTypeMissing | E::ContentTypeParse | E::ContentTypeIncompatible => {
            ApiError::bad_request(
                ErrorCode::InvalidBody,
                msg!(
                    "请以 multipart/form-data 发送文件",
                    "send the file as multipart/form-data"
                ),
            )
        }
        other => {
            let why = match std::error::Error::source(&other) {
                Some(cause) => format!("{other}: {cause}"),
                None => other.to_string(),
            };
            ApiError::bad_request(
                ErrorCode::InvalidBody,
                msg!("表单不完整：{why}", "the form is broken: {why}"),
            )
        }
    }
}

/// A short text field.
pub async fn text(field: &mut Field, name: &str, idle: Duration) -> ApiResult<String> {
    let mut bytes = Vec::new();
    while let Some(chunk) = next(field, idle).await? {
        bytes.extend_from_slice(&chunk);
        if bytes.len() > MAX_FIELD {
            return Err(ApiError::field(
                name,
                ErrorCode::Length,
                msg!("内容太长", "too long"),
            ));
        }
    }
    String::from_utf8(bytes).map_err(|_| {
        ApiError::field(
            name,
            ErrorCode::Invalid,
            msg!("不是 UTF-8 文本", "not UTF-8 text"),
        )
    })
}

/// The name a file field was sent with, trimmed: kept for downloads, never a path (422
/// `invalid_file_name` for an empty name, a path, control characters or over 200 characters).
pub fn file_name(field: &Field) -> ApiResult<String> {
    let name = field
        .content_disposition()
        .and_then(|d| d.get_filename())
        .unwrap_or_default()
        .to_string();
    match crm_domain::document::file_name_problem(&name) {
        None => Ok(name.trim().to_string()),
        Some(problem) => Err(ApiError::field(
            "file",
            ErrorCode::InvalidFileName,
            bad_name(problem),
        )),
    }
}

fn bad_name(problem: &str) -> crm_domain::Msg {
    match problem {
        "empty" => msg!("文件没有名称", "the file has no name"),
        "too_long" => msg!(
            "文件名最多 200 个字符",
            "a file name has at most 200 characters"
        ),
        "path" => msg!(
            "文件名不能包含路径（/、\\ 或 ..）",
            "a file name cannot be a path (/, \\ or ..)"
        ),
        _ => msg!(
            "文件名不能包含控制字符",
            "a file name cannot contain control characters"
        ),
    }
}
