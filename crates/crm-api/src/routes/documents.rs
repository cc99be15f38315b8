//! Documents (文档资料): uploads attached to a customer, deal, order, ticket or article, their
//! lists, downloads and thumbnails. Who sees the record sees its documents (the repository's
//! rule); the bytes stream to the store as they arrive, so memory stays flat for a large file.

use super::form::{file_name, next, text};
use super::prelude::*;
use crate::error::ApiError;
use actix_files::NamedFile;
use actix_multipart::{Field, Multipart};
use actix_web::http::header::{
    self, Charset, ContentDisposition, DispositionParam, DispositionType, ExtendedValue,
};
use actix_web::{HttpRequest, HttpResponse, web};
use crm_db::documents::{self, NewDocument};
use crm_db::files::{self, Incoming, Store};
use crm_domain::api::{Document, DocumentQuery, DocumentUpload, Page};
use crm_domain::document::{DocumentOf, MAX_TITLE, is_image};
use crm_domain::{ErrorCode, msg};
use std::time::Duration;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(upload_document)
        .service(list_documents)
        .service(get_document)
        .service(delete_document)
        .service(document_content)
        .service(document_thumbnail);
}

/// Uploads a file (`multipart/form-data`: `file`, optionally `title`, and exactly one of
/// `customer_id`, `opportunity_id`, `order_id`, `ticket_id`, `article_id`) to a record the
/// caller sees (404 otherwise). The type is decided by the content: 415 `file_type_not_allowed`
/// outside the list (an `.exe` renamed `.pdf` is refused); 413 `file_too_large` over the company's
/// `document_max_mb`. The same content uploaded twice is stored once. Nothing is kept when the
/// upload is refused.
#[utoipa::path(
    tag = "documents",
    request_body(content = DocumentUpload, content_type = "multipart/form-data"),
    responses(
        (status = 201, body = Document),
        (status = 413, description = "`file_too_large`"),
        (status = 415, description = "`file_type_not_allowed`"),
    )
)]
#[post("/documents")]
async fn upload_document(
    caller: Caller<need::SignedIn>,
    payload: Multipart,
) -> ApiResult<Created<Document>> {
    let max_mb = caller
        .run(|conn, _| crm_db::settings::get(conn).map(|s| s.settings.document_max_mb))
        .await?;
    let store = caller.state().documents.clone();
    let idle = caller.state().body_timeout;
    let form = receive(payload, &store, u64::from(max_mb) * MB, idle).await?;
    let target = form.target()?;
    let (file, file_name) = form.file.ok_or_else(|| {
        ApiError::field(
            "file",
            ErrorCode::Required,
            msg!("请选择要上传的文件", "choose a file to upload"),
        )
    })?;
    let received = file.finish();
    let content_type = received
        .content_type
        .clone()
        .map_err(|found| ApiError::FileTypeNotAllowed { found })?;
    caller
        .run(move |conn, actor| documents::check_upload(conn, actor, target))
        .await?;
    // Hashing is done; keeping the file (and drawing an image's thumbnail) is disk work for the
    // blocking pool, without a database connection held meanwhile.
    let kept = web::block(move || -> std::io::Result<NewDocument> {
        let thumbnail = if is_image(content_type) {
            files::thumbnail(received.path())
                .map(|png| store.put(&png))
                .transpose()?
        } else {
            None
        };
        let new = NewDocument {
            target,
            title: form.title,
            file_name,
            content_type: content_type.to_string(),
            size_bytes: received.size as i64,
            sha256: received.sha256.clone(),
            thumbnail_sha256: thumbnail,
        };
        store.keep(received.file, &received.sha256)?;
        Ok(new)
    })
    .await
    .map_err(ApiError::internal)?
    .map_err(ApiError::internal)?;
    caller
        .run(move |conn, actor| documents::create(conn, actor, &kept))
        .await
        .map(Created)
}

const MB: u64 = 1024 * 1024;

/// What an upload's form held.
#[derive(Default)]
struct Form {
    file: Option<(Incoming, String)>,
    title: Option<String>,
    customer_id: Option<i64>,
    opportunity_id: Option<i64>,
    order_id: Option<i64>,
    ticket_id: Option<i64>,
    article_id: Option<i64>,
}

impl Form {
    /// The one record named; 422 on the fields otherwise.
    fn target(&self) -> ApiResult<DocumentOf> {
        match DocumentOf::from_fields(
            self.customer_id,
            self.opportunity_id,
            self.order_id,
            self.ticket_id,
            self.article_id,
        ) {
            Ok(Some(target)) => Ok(target),
            Ok(None) => Err(ApiError::field(
                "customer_id",
                ErrorCode::Required,
                msg!(
                    "请指定文档所属的记录（customer_id、opportunity_id、order_id、ticket_id 或 article_id 之一）",
                    "name the record the document belongs to (one of customer_id, opportunity_id, order_id, ticket_id, article_id)"
                ),
            )),
            Err(fields) => Err(ApiError::Validation(
                fields
                    .into_iter()
                    .map(|f| {
                        (
                            f.to_string(),
                            ErrorCode::OneOf,
                            msg!(
                                "一个文档只能属于一条记录",
                                "a document belongs to one record only"
                            ),
                        )
                    })
                    .collect(),
            )),
        }
    }
}

/// Reads the form, streaming the file into the store's incoming area; a field that does not
/// arrive within `idle` is 408, a file over `limit` bytes 413.
async fn receive(
    mut payload: Multipart,
    store: &Store,
    limit: u64,
    idle: Duration,
) -> ApiResult<Form> {
    let mut form = Form::default();
    while let Some(field) = next(&mut payload, idle).await? {
        let mut field = field;
        let name = field.name().unwrap_or_default().to_string();
        match name.as_str() {
            "file" => {
                if form.file.is_some() {
                    return Err(ApiError::field(
                        "file",
                        ErrorCode::Invalid,
                        msg!("一次只能上传一个文件", "upload one file at a time"),
                    ));
                }
                let file_name = file_name(&field)?;
                let mut incoming = store.incoming().map_err(ApiError::internal)?;
                while let Some(chunk) = next(&mut field, idle).await? {
                    if incoming.size() + chunk.len() as u64 > limit {
                        return Err(ApiError::FileTooLarge {
                            limit_mb: limit / MB,
                        });
                    }
                    incoming.write(&chunk).map_err(ApiError::internal)?;
                }
                form.file = Some((incoming, file_name));
            }
            "title" => {
                let title = text(&mut field, &name, idle).await?;
                // Refused here, before the file is kept, rather than by the repository after.
                if title.trim().chars().count() > MAX_TITLE {
                    return Err(ApiError::field(
                        "title",
                        ErrorCode::Length,
                        msg!(
                            "标题最多 {MAX_TITLE} 个字符",
                            "a title has at most {MAX_TITLE} characters"
                        ),
                    ));
                }
                form.title = Some(title);
            }
            "customer_id" => form.customer_id = Some(id(&mut field, &name, idle).await?),
            "opportunity_id" => form.opportunity_id = Some(id(&mut field, &name, idle).await?),
            "order_id" => form.order_id = Some(id(&mut field, &name, idle).await?),
            "ticket_id" => form.ticket_id = Some(id(&mut field, &name, idle).await?),
            "article_id" => form.article_id = Some(id(&mut field, &name, idle).await?),
            _ => {
                return Err(ApiError::field(
                    &name,
                    ErrorCode::Invalid,
                    msg!("未知的表单字段", "not a field of this form"),
                ));
            }
        }
    }
    Ok(form)
}

async fn id(field: &mut Field, name: &str, idle: Duration) -> ApiResult<i64> {
    text(field, name, idle)
        .await?
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|x| *x > 0)
        .ok_or_else(|| {
            ApiError::field(
                name,
                ErrorCode::Invalid,
                msg!("须是记录的编号", "must be a record's id"),
            )
        })
}

/// A record's documents (one of the record filters; the record must be seen, else 404), or
/// every document the caller may see; newest first. `q` matches the title or the file name.
#[utoipa::path(tag = "documents", params(DocumentQuery), responses((status = 200, body = Page<Document>)))]
#[get("/documents")]
async fn list_documents(
    caller: Caller<need::SignedIn>,
    q: Query<DocumentQuery>,
) -> ApiResult<Json<Page<Document>>> {
    caller
        .run(move |conn, actor| documents::list(conn, actor, &q))
        .await
        .map(Json)
}

/// A document's facts; 404 when the caller does not see its record.
#[utoipa::path(tag = "documents", params(("id" = i64, Path)), responses((status = 200, body = Document)))]
#[get("/documents/{id}")]
async fn get_document(caller: Caller<need::SignedIn>, id: Path<i64>) -> ApiResult<Json<Document>> {
    let id = id.into_inner();
    caller
        .run(move |conn, actor| documents::get(conn, actor, id))
        .await
        .map(Json)
}

/// Deletes a document (the uploader, or whoever sees the uploader's records and may edit the
/// record: their managers); the audit log
/// keeps what it was. Its bytes are removed later when no other document has the same content.
#[utoipa::path(tag = "documents", params(("id" = i64, Path)), responses((status = 204)))]
#[delete("/documents/{id}")]
async fn delete_document(caller: Caller<need::SignedIn>, id: Path<i64>) -> ApiResult<NoContent> {
    let id = id.into_inner();
    caller
        .run(move |conn, actor| documents::delete(conn, actor, id))
        .await
        .map(|()| NoContent)
}

/// The file itself, as an attachment with the name it was uploaded with (ranges supported).
#[utoipa::path(
    tag = "documents",
    params(("id" = i64, Path)),
    responses((status = 200, description = "the file", content_type = "application/octet-stream"))
)]
#[get("/documents/{id}/content")]
async fn document_content(
    caller: Caller<need::SignedIn>,
    id: Path<i64>,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    send(caller, id.into_inner(), false, req).await
}

/// A PNG of at most 256 × 256 pixels of an image document; 404 for other documents.
#[utoipa::path(
    tag = "documents",
    params(("id" = i64, Path)),
    responses((status = 200, description = "a PNG", content_type = "image/png"))
)]
#[get("/documents/{id}/thumbnail")]
async fn document_thumbnail(
    caller: Caller<need::SignedIn>,
    id: Path<i64>,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    send(caller, id.into_inner(), true, req).await
}

async fn send(
    caller: Caller<need::SignedIn>,
    id: i64,
    thumbnail: bool,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    let content = caller
        .run(move |conn, actor| documents::content(conn, actor, id, thumbnail))
        .await?;
    let path = caller
        .state()
        .documents
        .path_of(&content.sha256)
        .ok_or_else(|| ApiError::internal("a document names no stored file"))?;
    let file = NamedFile::open_async(&path).await.map_err(|e| {
        ApiError::internal(format!(
            "document {id}: stored file {} unreadable: {e}",
            path.display()
        ))
    })?;
    let mime: mime::Mime = match content.content_type.as_str() {
        "text/plain" => mime::TEXT_PLAIN_UTF_8,
        other => other.parse().unwrap_or(mime::APPLICATION_OCTET_STREAM),
    };
    let disposition = ContentDisposition {
        disposition: if thumbnail {
            DispositionType::Inline
        } else {
            DispositionType::Attachment
        },
        parameters: vec![
            // Old clients read the plain name (ASCII only), new ones the UTF-8 one.
            DispositionParam::Filename(ascii_name(&content.file_name)),
            DispositionParam::FilenameExt(ExtendedValue {
                charset: Charset::Ext("UTF-8".into()),
                language_tag: None,
                value: content.file_name.into_bytes(),
            }),
        ],
    };
    let mut res = file
        .set_content_type(mime)
        .set_content_disposition(disposition)
        .use_last_modified(false)
        .into_response(&req);
    // Whatever a browser makes of the bytes, they run nothing.
    res.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        header::HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    Ok(res)
}

/// The file name with everything outside printable ASCII replaced.
fn ascii_name(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect()
}
