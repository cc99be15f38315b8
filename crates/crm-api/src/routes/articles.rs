//! Knowledge (知识管理): articles of the knowledge base, FAQ and sales bulletins, and the global
//! search. Reading needs `knowledge.read`; who may write what is the repository's rule (writers
//! anything, everyone else an FAQ draft of their own).

use super::prelude::*;
use crm_db::{articles, global_search};
use crm_domain::api::{
    Article, ArticleItem, ArticlePatch, ArticleQuery, ArticleVote, AuditEntry, MarkdownPreview,
    NewArticle, Page, PageQuery, RenderedHtml, SearchQuery, SearchResults,
};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_articles)
        .service(create_article)
        .service(preview_markdown)
        .service(unread_bulletins)
        .service(get_article)
        .service(update_article)
        .service(delete_article)
        .service(vote_article)
        .service(article_history)
        .service(search);
}

/// Articles, pinned first, then the newest; drafts only the caller's own (every draft for a
/// writer). `q` searches titles and bodies (two Chinese characters find).
#[utoipa::path(tag = "knowledge", params(ArticleQuery), responses((status = 200, body = Page<ArticleItem>)))]
#[get("/articles")]
async fn list_articles(
    caller: Caller<need::KnowledgeRead>,
    q: Query<ArticleQuery>,
) -> ApiResult<Json<Page<ArticleItem>>> {
    caller
        .run(move |conn, actor| articles::list(conn, actor, &q))
        .await
        .map(Json)
}

/// Writers (`knowledge.write`) write any kind, published by default; anyone else may suggest an
/// FAQ as a draft (403 otherwise).
#[utoipa::path(tag = "knowledge", request_body = NewArticle, responses((status = 201, body = Article)))]
#[post("/articles")]
async fn create_article(
    caller: Caller<need::KnowledgeRead>,
    new: Json<NewArticle>,
) -> ApiResult<Created<Article>> {
    caller
        .run(move |conn, actor| articles::create(conn, actor, &new))
        .await
        .map(Created)
}

/// Markdown rendered and sanitised exactly as an article's `body_html` (the editor's preview).
#[utoipa::path(tag = "knowledge", request_body = MarkdownPreview, responses((status = 200, body = RenderedHtml)))]
#[post("/articles/preview")]
async fn preview_markdown(
    _caller: Caller<need::KnowledgeRead>,
    body: Json<MarkdownPreview>,
) -> ApiResult<Json<RenderedHtml>> {
    Ok(Json(articles::preview(&body.body)))
}

/// The sales bulletins of the last week the caller has not opened yet (the Today page's strip).
#[utoipa::path(tag = "knowledge", responses((status = 200, body = Vec<ArticleItem>)))]
#[get("/me/bulletins")]
async fn unread_bulletins(
    caller: Caller<need::KnowledgeRead>,
) -> ApiResult<Json<Vec<ArticleItem>>> {
    caller.run(articles::unread_bulletins).await.map(Json)
}

/// An article with its body as Markdown and as safe HTML; the first opening counts the caller as
/// a reader.
#[utoipa::path(tag = "knowledge", params(("id" = i64, Path)), responses((status = 200, body = Article)))]
#[get("/articles/{id}")]
async fn get_article(
    caller: Caller<need::KnowledgeRead>,
    id: Path<i64>,
) -> ApiResult<Json<Article>> {
    caller
        .run(move |conn, actor| articles::get(conn, actor, *id))
        .await
        .map(Json)
}

/// Writers change any article; an author their own draft (while it stays a draft).
#[utoipa::path(tag = "knowledge", params(("id" = i64, Path)), request_body = ArticlePatch, responses((status = 200, body = Article)))]
#[patch("/articles/{id}")]
async fn update_article(
    caller: Caller<need::KnowledgeRead>,
    id: Path<i64>,
    patch: Json<ArticlePatch>,
) -> ApiResult<Json<Article>> {
    caller
        .run(move |conn, actor| articles::update(conn, actor, *id, &patch))
        .await
        .map(Json)
}

/// Writers delete any article, an author their own draft; the audit log keeps what it said.
#[utoipa::path(tag = "knowledge", params(("id" = i64, Path)), responses((status = 204)))]
#[delete("/articles/{id}")]
async fn delete_article(
    caller: Caller<need::KnowledgeRead>,
    id: Path<i64>,
) -> ApiResult<NoContent> {
    caller
        .run(move |conn, actor| articles::delete(conn, actor, *id))
        .await
        .map(|()| NoContent)
}

/// "Was this helpful?" — one vote per person, which they may change.
#[utoipa::path(tag = "knowledge", params(("id" = i64, Path)), request_body = ArticleVote, responses((status = 200, body = Article)))]
#[post("/articles/{id}/vote")]
async fn vote_article(
    caller: Caller<need::KnowledgeRead>,
    id: Path<i64>,
    vote: Json<ArticleVote>,
) -> ApiResult<Json<Article>> {
    caller
        .run(move |conn, actor| articles::vote(conn, actor, *id, &vote))
        .await
        .map(Json)
}

/// The edits of an article, newest first.
#[utoipa::path(tag = "knowledge", params(("id" = i64, Path), PageQuery), responses((status = 200, body = Page<AuditEntry>)))]
#[get("/articles/{id}/history")]
async fn article_history(
    caller: Caller<need::KnowledgeRead>,
    id: Path<i64>,
    q: Query<PageQuery>,
) -> ApiResult<Json<Page<AuditEntry>>> {
    caller
        .run(move |conn, actor| articles::history(conn, actor, *id, &q))
        .await
        .map(Json)
}

/// Customers, contacts, deals, articles and competitor profiles holding the text, a few of each
/// kind the caller may read, each within the caller's scope.
#[utoipa::path(tag = "knowledge", params(SearchQuery), responses((status = 200, body = SearchResults)))]
#[get("/search")]
async fn search(
    caller: Caller<need::SignedIn>,
    q: Query<SearchQuery>,
) -> ApiResult<Json<SearchResults>> {
    caller
        .run(move |conn, actor| global_search::search(conn, actor, &q))
        .await
        .map(Json)
}
