//! Documents (文档资料): which records take files, which files are taken, and what a file's name
//! may be.

use crate::Permission;
use serde::{Deserialize, Serialize};

/// `(customer_id, opportunity_id, order_id, ticket_id, article_id)`.
pub type RecordIds = (
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
);

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

    /// The record's id in the field that names its kind: `(customer_id, opportunity_id,
    /// order_id, ticket_id, article_id)`, one of them set (the inverse of [`Self::from_fields`]).
    pub fn ids(self) -> RecordIds {
        let of = |kind: fn(i64) -> DocumentOf| (kind(self.id()) == self).then_some(self.id());
        (
            of(DocumentOf::Customer),
            of(DocumentOf::Opportunity),
            of(DocumentOf::Order),
            of(DocumentOf::Ticket),
            of(DocumentOf::Article),
        )
    }

    /// The permission that reads this kind of record, and so its documents.
    pub fn read_permission(self) -> Permission {
        match self {
            DocumentOf::Customer(_) => Permission::CustomerRead,
            DocumentOf::Opportunity(_) => Permission::OpportunityRead,
            DocumentOf::Order(_) => Permission::OrderRead,
            DocumentOf::Ticket(_) => Permission::ServiceRead,
            DocumentOf::Article(_) => Permission::KnowledgeRead,
        }
    }

    /// The permission that edits this kind of record, and so may remove others' documents from
    /// it (with sight of the uploader's records).
    pub fn edit_permission(self) -> Permission {
        match self {
            DocumentOf::Customer(_) => Permission::CustomerUpdate,
            DocumentOf::Opportunity(_) => Permission::OpportunityWrite,
            DocumentOf::Order(_) => Permission::OrderUpdate,
            DocumentOf::Ticket(_) => Permission::ServiceWrite,
            DocumentOf::Article(_) => Permission::KnowledgeWrite,
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

/// Longest title, in characters.
pub const MAX_TITLE: usize = 200;

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
        for of in [DocumentOf::Order(7), DocumentOf::Article(8)] {
            let (a, b, c, d, e) = of.ids();
            assert_eq!(DocumentOf::from_fields(a, b, c, d, e), Ok(Some(of)));
        }
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
