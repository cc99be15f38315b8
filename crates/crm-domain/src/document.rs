//! Documents (文档资料): which records take files, which files are taken, and what a file's name
//! may be.

use serde::{Deserialize, Serialize};

/// The record a document is attached to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum DocumentOf {
    Customer(i64),
    Opportunity(i64),
    Order(i64),
    Ticket(i64),
    Article(i64),
}

impl DocumentOf {
    /// The form field (and list filter) naming this kind of record.
    pub fn field(self) -> &'static str {
        match self {
            DocumentOf::Customer(_) => "customer_id",
            DocumentOf::Opportunity(_) => "opportunity_id",
            DocumentOf::Order(_) => "order_id",
            DocumentOf::Ticket(_) => "ticket_id",
            DocumentOf::Article(_) => "article_id",
        }
    }

    pub fn id(self) -> i64 {
        match self {
            DocumentOf::Customer(id)
            | DocumentOf::Opportunity(id)
            | DocumentOf::Order(id)
            | DocumentOf::Ticket(id)
            | DocumentOf::Article(id) => id,
        }
    }

    /// The one record named by these fields: `None` when none is, `Err` with the fields when
    /// more than one is.
    pub fn from_fields(
        customer_id: Option<i64>,
        opportunity_id: Option<i64>,
        order_id: Option<i64>,
        ticket_id: Option<i64>,
        article_id: Option<i64>,
    ) -> Result<Option<DocumentOf>, Vec<&'static str>> {
        let all = [
            customer_id.map(DocumentOf::Customer),
            opportunity_id.map(DocumentOf::Opportunity),
            order_id.map(DocumentOf::Order),
            ticket_id.map(DocumentOf::Ticket),
            article_id.map(DocumentOf::Article),
        ];
        let named: Vec<DocumentOf> = all.into_iter().flatten().collect();
        match named.as_slice() {
            [] => Ok(None),
            [one] => Ok(Some(*one)),
            many => Err(many.iter().map(|x| x.field()).collect()),
        }
    }
}

/// Kinds of file the store takes, by what their first bytes say.
pub const ALLOWED_TYPES: &[&str] = &[
    "application/pdf",
    "application/msword",
    "application/vnd.ms-excel",
    "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "text/plain",
    "application/zip",
];

/// Images the server makes a thumbnail of.
pub fn is_image(content_type: &str) -> bool {
    matches!(
        content_type,
        "image/png" | "image/jpeg" | "image/gif" | "image/webp"
    )
}

/// Longest file name kept, in characters.
pub const MAX_FILE_NAME: usize = 200;

/// Why a file name is refused: empty, too long, a path (`/`, `\`, `..`) or control characters.
/// A kept name is only ever shown and offered back as the download's name.
pub fn file_name_problem(name: &str) -> Option<&'static str> {
    let trimmed = name.trim();
    if trimmed.is_empty() || trimmed == "." || trimmed == ".." {
        Some("empty")
    } else if trimmed.chars().count() > MAX_FILE_NAME {
        Some("too_long")
    } else if trimmed.contains(['/', '\\']) || trimmed.contains("..") {
        Some("path")
    } else if trimmed.chars().any(char::is_control) {
        Some("control")
    } else {
        None
    }
}

/// The title a document gets when the upload names none: its file name without the extension.
pub fn default_title(file_name: &str) -> String {
    let name = file_name.trim();
    match name.rsplit_once('.') {
        Some((stem, _)) if !stem.trim().is_empty() => stem.trim().to_string(),
        _ => name.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_record_or_a_clear_refusal() {
        assert_eq!(
            DocumentOf::from_fields(Some(3), None, None, None, None),
            Ok(Some(DocumentOf::Customer(3)))
        );
        assert_eq!(
            DocumentOf::from_fields(None, None, None, None, None),
            Ok(None)
        );
        assert_eq!(
            DocumentOf::from_fields(Some(3), None, Some(4), None, None),
            Err(vec!["customer_id", "order_id"])
        );
    }

    #[test]
    fn file_names_are_names_not_paths() {
        assert_eq!(file_name_problem("方案 2026.pdf"), None);
        assert_eq!(file_name_problem("../../etc/passwd"), Some("path"));
        assert_eq!(file_name_problem("a\\b.pdf"), Some("path"));
        assert_eq!(file_name_problem("a\u{0}b.pdf"), Some("control"));
        assert_eq!(file_name_problem("a\nb.pdf"), Some("control"));
        assert_eq!(file_name_problem("  "), Some("empty"));
        assert_eq!(file_name_problem(&"x".repeat(201)), Some("too_long"));
        assert_eq!(default_title("推广方案.v2.pdf"), "推广方案.v2");
        assert_eq!(default_title(".bashrc"), ".bashrc");
    }
}
