//! Bodies of the knowledge endpoints (知识管理: articles, FAQ, sales bulletins) and of the global
//! search.

use super::IdName;
use crate::knowledge::{ArticleKind, ArticleStatus};
use crate::validation;
use chrono::{DateTime, Utc};
use crm_macros::rules;
use serde::{Deserialize, Serialize};
use validator::Validate;

/// An article of the knowledge base, an FAQ (the title is the question, the body its answer) or a
/// sales bulletin (销售通报).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Article {
    pub id: i64,
    pub kind: ArticleKind,
    pub category: Option<IdName>,
    pub title: String,
    /// Markdown, as written.
    pub body: String,
    /// The body rendered by the server and sanitised: no script, no raw HTML, no `javascript:`
    /// links; links open with `rel="noopener noreferrer"`. Safe to insert into a page.
    pub body_html: String,
    pub tags: Vec<String>,
    pub pinned: bool,
    pub status: ArticleStatus,
    pub author: IdName,
    /// How many people have opened it.
    pub read_count: i64,
    pub helpful: i64,
    pub unhelpful: i64,
    /// The caller's own vote: `true` helpful, `false` not, `null` none.
    pub my_vote: Option<bool>,
    pub published_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

/// An article in a list: its start as plain text instead of the body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ArticleItem {
    pub id: i64,
    pub kind: ArticleKind,
    pub category: Option<IdName>,
    pub title: String,
    /// The first 160 characters of the body as plain text.
    pub excerpt: String,
    pub tags: Vec<String>,
    pub pinned: bool,
    pub status: ArticleStatus,
    pub author: IdName,
    pub read_count: i64,
    pub helpful: i64,
    pub unhelpful: i64,
    /// Whether the caller has opened it.
    pub read: bool,
    pub published_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

#[rules]
#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewArticle {
    pub kind: ArticleKind,
    /// An entry of the `article_category` dictionary.
    #[serde(default)]
    pub category_id: Option<i64>,
    #[validate(length(min = 1, max = 200), custom(function = "validation::not_blank"))]
    pub title: String,
    /// Markdown.
    #[validate(
        length(min = 1, max = 200000),
        custom(function = "validation::not_blank")
    )]
    pub body: String,
    #[serde(default)]
    #[validate(length(max = 10), custom(function = "validation::tags"))]
    pub tags: Vec<String>,
    /// Writers only.
    #[serde(default)]
    pub pinned: bool,
    /// Default: published for writers; someone without `knowledge.write` may only suggest an FAQ
    /// as a draft.
    #[serde(default)]
    pub status: Option<ArticleStatus>,
}

/// Changes of an article; `category_id: null` takes it out of its category.
#[rules]
#[derive(Debug, Clone, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ArticlePatch {
    pub kind: Option<ArticleKind>,
    #[serde(
        default,
        with = "::serde_with::rust::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub category_id: Option<Option<i64>>,
    #[validate(length(min = 1, max = 200), custom(function = "validation::not_blank"))]
    pub title: Option<String>,
    #[validate(
        length(min = 1, max = 200000),
        custom(function = "validation::not_blank")
    )]
    pub body: Option<String>,
    #[validate(length(max = 10), custom(function = "validation::tags"))]
    pub tags: Option<Vec<String>>,
    pub pinned: Option<bool>,
    pub status: Option<ArticleStatus>,
    pub version: i32,
}

/// "Was this helpful?"
#[rules]
#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ArticleVote {
    pub helpful: bool,
}

/// Markdown to see as the page will show it (the editor's preview).
#[rules]
#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MarkdownPreview {
    #[validate(length(max = 200000))]
    pub body: String,
}

/// The rendered, sanitised HTML of a preview.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RenderedHtml {
    pub body_html: String,
}

/// What the global search finds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SearchKind {
    Customer,
    Contact,
    Opportunity,
    Article,
    Competitor,
    Document,
}

/// One hit of the global search: what it is, its id, its title and a snippet around the match
/// (plain text; the page marks the query in it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SearchHit {
    pub kind: SearchKind,
    pub id: i64,
    pub title: String,
    pub snippet: Option<String>,
    /// For a contact, the customer it belongs to (the page opens it).
    pub customer_id: Option<i64>,
}

/// The global search's answer: a few hits of every kind the caller may read, grouped by kind in
/// this order, each only within the caller's scope.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SearchResults {
    pub items: Vec<SearchHit>,
}
