//! Knowledge (知识管理): articles of the knowledge base, FAQ and sales bulletins. Company-wide, like
//! competitor profiles: everyone with `knowledge.read` reads what is published; drafts are seen by
//! their author and by writers (`knowledge.write`), who alone publish, pin and edit others' work
//! (`crm_domain::knowledge::Writer`). Bodies are Markdown, answered also as sanitised HTML.
//!
//! Titles and bodies are searched through a bigram index like the customers' (`article_grams`,
//! codes from [`crate::search::grams`]): a query's rarest bigram gives the candidates, `LIKE`
//! confirms them.

use crate::actor::Actor;
use crate::audit::{self, diff};
use crate::error::OptionalFound;
use crate::markdown;
use crate::multi_connection_impl::MultiBackend;
use crate::names;
use crate::paging::{PageRequest, row_after};
use crate::schema::{article_grams as g, article_reads as r, article_votes as v, articles as a};
use crate::search::{Plan, candidates, drive_limit, grams};
use crate::sql::{
    check_dictionary, check_version, contains_pattern, lower_like, one_row_updated, substr,
};
use crate::{DbConnection, RepoError, RepoResult, now, write_tx};
use chrono::{NaiveDateTime, Utc};
use crm_domain::api::{
    Article, ArticleItem, ArticlePatch, ArticleQuery, ArticleVote, AuditEntry, DictionaryKind,
    NewArticle, Page, PageQuery, RenderedHtml, SearchHit, SearchKind,
};
use crm_domain::knowledge::{ArticleKind, ArticleStatus, BULLETIN_DAYS, Writer};
use crm_domain::{ErrorCode, Permission, msg};
use diesel::prelude::*;
use serde_json::json;
use std::collections::BTreeSet;

#[derive(Queryable, Selectable)]
#[diesel(table_name = a)]
struct Row {
    id: i64,
    kind: String,
    category_id: Option<i64>,
    title: String,
    body: String,
    tags: String,
    pinned: bool,
    status: String,
    author_id: i64,
    read_count: i64,
    helpful: i64,
    unhelpful: i64,
    published_at: Option<NaiveDateTime>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    version: i32,
}

/// The characters of a body a list reads: enough for its excerpt, however long the body.
const HEAD: i32 = 1000;

/// A row as a list reads it: the body cut to its first [`HEAD`] characters (in SQL, so a page of
/// long articles does not travel whole).
macro_rules! head_select {
    () => {
        (
            a::id,
            a::kind,
            a::category_id,
            a::title,
            substr(a::body, 1, HEAD),
            a::tags,
            a::pinned,
            a::status,
            a::author_id,
            a::read_count,
            a::helpful,
            a::unhelpful,
            a::published_at,
            a::created_at,
            a::updated_at,
            a::version,
        )
    };
}

/// The names a page of articles refers to: categories and authors, one query per kind.
struct Names {
    categories: names::Names,
    authors: names::Names,
}

impl Names {
    fn of(conn: &mut DbConnection, rows: &[Row]) -> QueryResult<Names> {
        Ok(Names {
            categories: names::entries(conn, rows.iter().filter_map(|r| r.category_id))?,
            authors: names::people(conn, rows.iter().map(|r| r.author_id))?,
        })
    }
}

/// The rule of what a reader who is not a writer reads: published articles and their own drafts.
pub(crate) type Readable =
    diesel::dsl::Or<diesel::dsl::Eq<a::status, &'static str>, diesel::dsl::Eq<a::author_id, i64>>;

/// What of the articles the actor may read; `None` (every article) for a writer. The one rule,
/// also for what is attached to articles (documents).
pub(crate) fn readable_by(actor: &Actor) -> Option<Readable> {
    if actor.has(Permission::KnowledgeWrite) {
        return None;
    }
    Some(
        a::status
            .eq(ArticleStatus::Published.as_str())
            .or(a::author_id.eq(actor.user_id().unwrap_or(0))),
    )
}

/// Only what the actor may read ([`readable_by`]).
fn readable<'a, ST>(
    q: a::BoxedQuery<'a, MultiBackend, ST>,
    actor: &Actor,
) -> a::BoxedQuery<'a, MultiBackend, ST> {
    match readable_by(actor) {
        Some(rule) => q.filter(rule),
        None => q,
    }
}

fn kind(x: &str) -> ArticleKind {
    ArticleKind::parse(x).unwrap_or(ArticleKind::Kb)
}

fn status(x: &str) -> ArticleStatus {
    ArticleStatus::parse(x).unwrap_or(ArticleStatus::Draft)
}

fn tags(x: &str) -> Vec<String> {
    serde_json::from_str(x).unwrap_or_default()
}

fn clean_tags(x: &[String]) -> String {
    let tags: Vec<&str> = x.iter().map(|t| t.trim()).collect();
    json!(tags).to_string()
}

fn full(x: Row, n: &Names, my_vote: Option<bool>) -> Article {
    Article {
        id: x.id,
        kind: kind(&x.kind),
        category: x.category_id.map(|id| n.categories.of(id)),
        title: x.title,
        body_html: markdown::to_html(&x.body),
        body: x.body,
        tags: tags(&x.tags),
        pinned: x.pinned,
        status: status(&x.status),
        author: n.authors.of(x.author_id),
        read_count: x.read_count,
        helpful: x.helpful,
        unhelpful: x.unhelpful,
        my_vote,
        published_at: x.published_at.map(|t| t.and_utc()),
        created_at: x.created_at.and_utc(),
        updated_at: x.updated_at.and_utc(),
        version: x.version,
    }
}

fn item(x: Row, n: &Names, read: bool) -> ArticleItem {
    ArticleItem {
        id: x.id,
        kind: kind(&x.kind),
        category: x.category_id.map(|id| n.categories.of(id)),
        title: x.title,
        excerpt: markdown::cut(&markdown::to_text(&x.body), 160),
        tags: tags(&x.tags),
        pinned: x.pinned,
        status: status(&x.status),
        author: n.authors.of(x.author_id),
        read_count: x.read_count,
        helpful: x.helpful,
        unhelpful: x.unhelpful,
        read,
        published_at: x.published_at.map(|t| t.and_utc()),
        updated_at: x.updated_at.and_utc(),
    }
}

/// The fields a history entry shows: an edit's entry keeps the old and new text of what changed.
fn view(x: &Row) -> serde_json::Value {
    json!({
        "kind": x.kind, "category_id": x.category_id, "title": x.title,
        "body": x.body, "tags": tags(&x.tags), "pinned": x.pinned, "status": x.status,
    })
}

fn who(actor: &Actor, author_id: i64) -> Writer {
    Writer {
        writer: actor.has(Permission::KnowledgeWrite),
        author: actor.user_id() == Some(author_id),
    }
}

/// An article the actor may read (a draft they may not read does not exist for them).
fn row(conn: &mut DbConnection, actor: &Actor, id: i64) -> RepoResult<Row> {
    let found: Row = a::table
        .find(id)
        .select(Row::as_select())
        .first(conn)
        .found()?;
    if !who(actor, found.author_id).may_read(status(&found.status)) {
        return Err(RepoError::NotFound);
    }
    Ok(found)
}

/// An article as the API answers it.
fn answer(conn: &mut DbConnection, actor: &Actor, x: Row) -> RepoResult<Article> {
    let n = Names::of(conn, std::slice::from_ref(&x))?;
    let vote = my_vote(conn, actor, x.id)?;
    Ok(full(x, &n, vote))
}

fn my_vote(conn: &mut DbConnection, actor: &Actor, id: i64) -> QueryResult<Option<bool>> {
    let Some(me) = actor.user_id() else {
        return Ok(None);
    };
    v::table
        .find((id, me))
        .select(v::helpful)
        .first(conn)
        .optional()
}

/// An article, without counting a reader (what a write answers).
fn load(conn: &mut DbConnection, actor: &Actor, id: i64) -> RepoResult<Article> {
    let found = row(conn, actor, id)?;
    answer(conn, actor, found)
}

/// An article the caller may read; the first time a person opens a published one, it counts them
/// as a reader (and a bulletin leaves their Today page).
pub fn get(conn: &mut DbConnection, actor: &Actor, id: i64) -> RepoResult<Article> {
    let found = row(conn, actor, id)?;
    if let (Some(me), ArticleStatus::Published) = (actor.user_id(), status(&found.status)) {
        let read: i64 = r::table
            .filter(r::user_id.eq(me))
            .filter(r::article_id.eq(id))
            .count()
            .get_result(conn)?;
        if read == 0 {
            return write_tx(conn, |conn| {
                let n = match conn {
                    DbConnection::Sqlite(c) => diesel::insert_or_ignore_into(r::table)
                        .values((
                            r::article_id.eq(id),
                            r::user_id.eq(me),
                            r::read_at.eq(now()),
                        ))
                        .execute(c)?,
                    DbConnection::Pg(c) => diesel::insert_into(r::table)
                        .values((
                            r::article_id.eq(id),
                            r::user_id.eq(me),
                            r::read_at.eq(now()),
                        ))
                        .on_conflict_do_nothing()
                        .execute(c)?,
                };
                if n == 1 {
                    diesel::update(a::table.find(id))
                        .set(a::read_count.eq(a::read_count + 1))
                        .execute(conn)?;
                }
                load(conn, actor, id)
            });
        }
    }
    answer(conn, actor, found)
}

/// How a text query finds its articles: the candidates of its rare bigrams, or a walk.
fn plan(conn: &mut DbConnection, text: &str) -> RepoResult<Plan> {
    candidates(grams(text), |gram| {
        g::table
            .filter(g::gram.eq(gram))
            .select(g::article_id)
            .limit(drive_limit())
            .load(conn)
    })
}

/// Articles, pinned first, then the newest; drafts only the caller's own (all of them for a
/// writer).
pub fn list(
    conn: &mut DbConnection,
    actor: &Actor,
    f: &ArticleQuery,
) -> RepoResult<Page<ArticleItem>> {
    let page = PageRequest::<(bool, i64)>::new(f.limit, f.cursor.as_deref(), "pinned")?;
    let me = actor.user_id().unwrap_or(0);
    let q = a::table
        .select(head_select!())
        .order((a::pinned.desc(), a::id.desc()))
        .limit(page.fetch())
        .into_boxed();
    let mut q = readable(q, actor);
    if let Some(x) = f.kind {
        q = q.filter(a::kind.eq(x.as_str()));
    }
    if let Some(x) = f.category_id {
        q = q.filter(a::category_id.eq(x));
    }
    if let Some(x) = f.status {
        q = q.filter(a::status.eq(x.as_str()));
    }
    if let Some(x) = f.author_id {
        q = q.filter(a::author_id.eq(x));
    }
    if let Some(x) = f.published_from {
        q = q.filter(a::published_at.ge(x.naive_utc()));
    }
    if f.unread == Some(true) {
        q = q.filter(diesel::dsl::not(diesel::dsl::exists(
            r::table
                .filter(r::user_id.eq(me))
                .filter(r::article_id.eq(a::id)),
        )));
    }
    if let Some(text) = f.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        let p = contains_pattern(text);
        // A common word walks the list's order, each row checked.
        let plan = plan(conn, text)?;
        let common = matches!(plan, Plan::Walk);
        if let Plan::Candidates(ids) = plan {
            q = q.filter(a::id.eq_any(ids));
        }
        q = q.filter(lower_like(a::title, &p, common).or(lower_like(a::body, &p, common)));
    }
    if let Some((pinned, id)) = page.after {
        q = q.filter(row_after(a::pinned, a::id, pinned, id, true));
    }
    let rows: Vec<Row> = q.load(conn)?;
    let ids: Vec<i64> = rows.iter().map(|x| x.id).collect();
    let read: BTreeSet<i64> = r::table
        .filter(r::user_id.eq(me))
        .filter(r::article_id.eq_any(ids))
        .select(r::article_id)
        .load::<i64>(conn)?
        .into_iter()
        .collect();
    let n = Names::of(conn, &rows)?;
    let items = rows
        .into_iter()
        .map(|x| {
            let seen = read.contains(&x.id);
            item(x, &n, seen)
        })
        .collect();
    Ok(page.page(items, |x: &ArticleItem| (x.pinned, x.id)))
}

/// The published bulletins of the last week the caller has not opened (Today's strip), newest
/// first.
pub fn unread_bulletins(conn: &mut DbConnection, actor: &Actor) -> RepoResult<Vec<ArticleItem>> {
    let since = Utc::now() - chrono::Duration::days(BULLETIN_DAYS);
    let q = ArticleQuery {
        kind: Some(ArticleKind::Bulletin),
        status: Some(ArticleStatus::Published),
        unread: Some(true),
        published_from: Some(since),
        limit: Some(10),
        ..Default::default()
    };
    Ok(list(conn, actor, &q)?.items)
}

/// The index rows `(gram, in_title, article)` of an article: its title's bigrams, then its body's
/// (as plain text) that the title does not have. (The generator writes the same rows in bulk.)
pub fn grams_of(id: i64, title: &str, body: &str) -> Vec<(i64, bool, i64)> {
    let in_title = grams(title);
    let in_body: BTreeSet<i64> = grams(&markdown::to_text(body))
        .difference(&in_title)
        .copied()
        .collect();
    in_title
        .iter()
        .map(|&x| (x, true, id))
        .chain(in_body.iter().map(|&x| (x, false, id)))
        .collect()
}

/// Inserts index rows, many per statement.
pub fn insert_grams(conn: &mut DbConnection, rows: &[(i64, bool, i64)]) -> QueryResult<()> {
    for chunk in rows.chunks(5_000) {
        let values: Vec<_> = chunk
            .iter()
            .map(|&(gram, t, id)| (g::gram.eq(gram), g::in_title.eq(t), g::article_id.eq(id)))
            .collect();
        match conn {
            DbConnection::Sqlite(c) => diesel::insert_into(g::table).values(&values).execute(c),
            DbConnection::Pg(c) => diesel::insert_into(g::table).values(&values).execute(c),
        }?;
    }
    Ok(())
}

/// Rewrites the index rows of an article.
fn index(conn: &mut DbConnection, id: i64, title: &str, body: &str) -> QueryResult<()> {
    diesel::delete(g::table.filter(g::article_id.eq(id))).execute(conn)?;
    insert_grams(conn, &grams_of(id, title, body))
}

/// The index rows every article should have (for the drift recount).
pub(crate) fn expected_grams(conn: &mut DbConnection) -> QueryResult<Vec<(i64, bool, i64)>> {
    let all: Vec<(i64, String, String)> = a::table.select((a::id, a::title, a::body)).load(conn)?;
    Ok(all
        .iter()
        .flat_map(|(id, title, body)| grams_of(*id, title, body))
        .collect())
}

fn check(conn: &mut DbConnection, category_id: Option<i64>) -> RepoResult<()> {
    check_dictionary(
        conn,
        "category_id",
        DictionaryKind::ArticleCategory,
        category_id,
    )
}

fn refused() -> RepoError {
    RepoError::Forbidden(msg!(
        "只有知识库编辑者可以发布、置顶或修改他人的文章；其他人可以提交常见问题草稿",
        "only knowledge editors publish, pin or change others' articles; anyone may suggest an FAQ as a draft"
    ))
}

pub fn create(conn: &mut DbConnection, actor: &Actor, new: &NewArticle) -> RepoResult<Article> {
    let me = actor.user_id().unwrap_or(0);
    let writer = who(actor, me);
    let to = new.status.unwrap_or(if writer.writer {
        ArticleStatus::Published
    } else {
        ArticleStatus::Draft
    });
    if !writer.may_create(new.kind, to) || (new.pinned && !writer.writer) {
        return Err(refused());
    }
    write_tx(conn, |conn| {
        check(conn, new.category_id)?;
        let at = now();
        let id: i64 = diesel::insert_into(a::table)
            .values((
                a::kind.eq(new.kind.as_str()),
                a::category_id.eq(new.category_id),
                a::title.eq(new.title.trim()),
                a::body.eq(&new.body),
                a::tags.eq(clean_tags(&new.tags)),
                a::pinned.eq(new.pinned),
                a::status.eq(to.as_str()),
                a::author_id.eq(me),
                a::published_at.eq((to == ArticleStatus::Published).then_some(at)),
                a::created_at.eq(at),
                a::updated_at.eq(at),
            ))
            .returning(a::id)
            .get_result(conn)?;
        index(conn, id, new.title.trim(), &new.body)?;
        let x = row(conn, actor, id)?;
        audit::record(conn, actor, "create", "article", Some(id), view(&x))?;
        answer(conn, actor, x)
    })
}

pub fn update(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    patch: &ArticlePatch,
) -> RepoResult<Article> {
    write_tx(conn, |conn| {
        let old = row(conn, actor, id)?;
        let writer = who(actor, old.author_id);
        let (from, to) = (
            status(&old.status),
            patch.status.unwrap_or(status(&old.status)),
        );
        if !writer.may_change(from, to) || (patch.pinned.is_some() && !writer.writer) {
            return Err(refused());
        }
        check_version(old.version, patch.version)?;
        let category_id = patch.category_id.unwrap_or(old.category_id);
        check(conn, category_id)?;
        let title = patch.title.as_deref().map(str::trim).unwrap_or(&old.title);
        let body = patch.body.as_deref().unwrap_or(&old.body);
        let at = now();
        let published_at = match (from, to) {
            (ArticleStatus::Draft, ArticleStatus::Published) => Some(at),
            (_, ArticleStatus::Draft) => None,
            _ => old.published_at,
        };
        let n = diesel::update(a::table.find(id).filter(a::version.eq(patch.version)))
            .set((
                a::kind.eq(patch.kind.map(|k| k.as_str()).unwrap_or(&old.kind)),
                a::category_id.eq(category_id),
                a::title.eq(title),
                a::body.eq(body),
                a::tags.eq(patch
                    .tags
                    .as_deref()
                    .map(clean_tags)
                    .unwrap_or(old.tags.clone())),
                a::pinned.eq(patch.pinned.unwrap_or(old.pinned)),
                a::status.eq(to.as_str()),
                a::published_at.eq(published_at),
                a::updated_at.eq(at),
                a::version.eq(old.version + 1),
            ))
            .execute(conn)?;
        one_row_updated(n, old.version)?;
        if patch.title.is_some() || patch.body.is_some() {
            index(conn, id, title, body)?;
        }
        let new = row(conn, actor, id)?;
        audit::record(
            conn,
            actor,
            "update",
            "article",
            Some(id),
            diff(&view(&old), &view(&new)),
        )?;
        answer(conn, actor, new)
    })
}

/// Deletes an article (writers; an author their own draft); the audit log keeps what it said.
pub fn delete(conn: &mut DbConnection, actor: &Actor, id: i64) -> RepoResult<()> {
    write_tx(conn, |conn| {
        let old = row(conn, actor, id)?;
        let from = status(&old.status);
        if !who(actor, old.author_id).may_change(from, from) {
            return Err(refused());
        }
        diesel::delete(a::table.find(id)).execute(conn)?;
        audit::record(conn, actor, "delete", "article", Some(id), view(&old))?;
        Ok(())
    })
}

/// "Was this helpful?": one vote per person, which they may change.
pub fn vote(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    vote: &ArticleVote,
) -> RepoResult<Article> {
    let me = actor.user_id().unwrap_or(0);
    write_tx(conn, |conn| {
        let x = row(conn, actor, id)?;
        if status(&x.status) != ArticleStatus::Published {
            return Err(RepoError::conflict(
                ErrorCode::NotAllowed,
                msg!("草稿不能投票", "a draft takes no votes"),
            ));
        }
        let before = my_vote(conn, actor, id)?;
        if before != Some(vote.helpful) {
            diesel::delete(v::table.find((id, me))).execute(conn)?;
            diesel::insert_into(v::table)
                .values((
                    v::article_id.eq(id),
                    v::user_id.eq(me),
                    v::helpful.eq(vote.helpful),
                    v::voted_at.eq(now()),
                ))
                .execute(conn)?;
            // The new vote counts; the one it replaces no longer does.
            let up = i64::from(vote.helpful) - i64::from(before == Some(true));
            let down = i64::from(!vote.helpful) - i64::from(before == Some(false));
            diesel::update(a::table.find(id))
                .set((
                    a::helpful.eq(a::helpful + up),
                    a::unhelpful.eq(a::unhelpful + down),
                ))
                .execute(conn)?;
        }
        load(conn, actor, id)
    })
}

/// The edits of an article, newest first.
pub fn history(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    q: &PageQuery,
) -> RepoResult<Page<AuditEntry>> {
    row(conn, actor, id)?;
    let page = PageRequest::<i64>::new(q.limit, q.cursor.as_deref(), "history")?;
    let filter = audit::AuditFilter {
        entity: Some("article".into()),
        entity_id: Some(id),
        before_id: page.after,
        limit: page.fetch(),
        ..Default::default()
    };
    let entries = audit::list(conn, actor, &filter)?;
    Ok(page.page(entries, |e| e.id))
}

/// Moves an article's dates back by `age` (demo data: last month's bulletin was published last
/// month).
pub fn backdate(conn: &mut DbConnection, id: i64, age: chrono::Duration) -> RepoResult<()> {
    let (created, published): (NaiveDateTime, Option<NaiveDateTime>) = a::table
        .find(id)
        .select((a::created_at, a::published_at))
        .first(conn)
        .found()?;
    diesel::update(a::table.find(id))
        .set((
            a::created_at.eq(created - age),
            a::updated_at.eq(created - age),
            a::published_at.eq(published.map(|p| p - age)),
        ))
        .execute(conn)?;
    Ok(())
}

/// The highest article id so far (0 for none): where a bulk load continues.
pub fn max_id(conn: &mut DbConnection) -> QueryResult<i64> {
    a::table
        .select(diesel::dsl::max(a::id))
        .first::<Option<i64>>(conn)
        .map(Option::unwrap_or_default)
}

/// Markdown as an article would show it.
pub fn preview(body: &str) -> RenderedHtml {
    RenderedHtml {
        body_html: markdown::to_html(body),
    }
}

/// The global search's articles: published ones (and the caller's drafts, all drafts for a
/// writer) whose title or body holds the text; title hits first, then the newest.
pub fn search(
    conn: &mut DbConnection,
    actor: &Actor,
    text: &str,
    n: i64,
) -> RepoResult<Vec<SearchHit>> {
    let wanted = grams(text);
    // One bigram: each pass below reads its own candidates, and none in either is none at all.
    let any = if wanted.len() == 1 {
        Plan::Walk
    } else {
        plan(conn, text)?
    };
    if matches!(&any, Plan::Candidates(ids) if ids.is_empty()) {
        return Ok(Vec::new());
    }
    let mut found: Vec<(i64, String, String)> = Vec::new();
    let p = contains_pattern(text);
    for in_title in [true, false] {
        // A query of one bigram (two characters, what people type most) is in a title exactly
        // when the title's rows hold it, and in a body only when the body-only rows do: each pass
        // takes its candidates from its own rows, so a word common in titles and absent from
        // bodies does not walk every body. Longer queries take the candidates of all rows.
        let pass = match wanted.iter().next() {
            Some(&gram) if wanted.len() == 1 => candidates(wanted.clone(), |_| {
                g::table
                    .filter(g::gram.eq(gram))
                    .filter(g::in_title.eq(in_title))
                    .select(g::article_id)
                    .limit(drive_limit())
                    .load(conn)
            })?,
            _ => any.clone(),
        };
        let candidates = match pass {
            Plan::Candidates(ids) if ids.is_empty() => continue,
            Plan::Candidates(ids) => Some(ids),
            Plan::Walk => None,
        };
        let q = a::table
            .select((a::id, a::title, a::body))
            .order(a::id.desc())
            .limit(n - found.len() as i64)
            .into_boxed();
        let mut q = readable(q, actor);
        // A common word: the newest first, each row checked.
        let common = candidates.is_none();
        if let Some(ids) = &candidates {
            q = q.filter(a::id.eq_any(ids.clone()));
        }
        q = if in_title {
            q.filter(lower_like(a::title, &p, common))
        } else {
            q.filter(diesel::dsl::not(lower_like(a::title, &p, common)))
                .filter(lower_like(a::body, &p, common))
        };
        found.extend(q.load::<(i64, String, String)>(conn)?);
        if found.len() as i64 >= n {
            break;
        }
    }
    Ok(found
        .into_iter()
        .map(|(id, title, body)| SearchHit {
            kind: SearchKind::Article,
            id,
            title,
            snippet: Some(markdown::snippet(&markdown::to_text(&body), text, 80)),
            customer_id: None,
        })
        .collect())
}
