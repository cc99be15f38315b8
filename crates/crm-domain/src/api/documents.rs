//! Bodies of the document endpoints (文档资料): files attached to one record.

use super::IdName;
use crate::document::DocumentOf;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A stored file and the record it belongs to. Who may see that record may see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Document {
    pub id: i64,
    /// What people call it (by default the file's name without its extension).
    pub title: String,
    /// The name it was uploaded with, used for the download.
    pub file_name: String,
    /// The type found in the content (never taken from the name).
    pub content_type: String,
    pub size_bytes: i64,
    /// The content's SHA-256 (hex): the same file uploaded twice has the same.
    pub sha256: String,
    /// Whether `GET /documents/{id}/thumbnail` has a small picture (images only).
    pub has_thumbnail: bool,
    /// The record it is attached to.
    pub attached_to: DocumentOf,
    /// That record's name (a customer's, a deal's title, an order's or ticket's number, an
    /// article's title).
    pub attached_name: String,
    pub uploaded_by: IdName,
    pub created_at: DateTime<Utc>,
}

/// The form of `POST /documents` (`multipart/form-data`): the file and exactly one record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DocumentUpload {
    /// The file (one). Its type is decided by its content: PDF, Word, Excel, PowerPoint (old and
    /// new formats), PNG, JPEG, GIF, WebP, plain text (UTF-8) or ZIP.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Binary))]
    pub file: Vec<u8>,
    /// 1–200 characters; the file's name without its extension when absent.
    pub title: Option<String>,
    pub customer_id: Option<i64>,
    pub opportunity_id: Option<i64>,
    pub order_id: Option<i64>,
    pub ticket_id: Option<i64>,
    pub article_id: Option<i64>,
}
