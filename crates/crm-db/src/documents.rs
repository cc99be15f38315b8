//! Documents (文档资料): files attached to a customer, deal, order, ticket or article. The bytes
//! are in the content-addressed store ([`crate::files`]); a row here names them and the record
//! they belong to.
//!
//! A document is seen by who sees its record and may read its kind (`customer.read`,
//! `opportunity.read`, `order.read`, `service.read`, `knowledge.read`): a record's documents are
//! listed after the record itself passed the visibility filter, and the list of everything the
//! caller may see keeps, per kind, the documents whose record is within the caller's owners. A
//! transfer moves nothing here: a document follows its record.

use crate::actor::Actor;
use crate::audit;
use crate::error::OptionalFound;
use crate::multi_connection_impl::MultiBackend;
use crate::names::{self, Names};
use crate::paging::PageRequest;
use crate::schema::{
    articles as a, customers as c, documents as d, opportunities as o, orders, tickets as t,
};
use crate::sql::{contains_pattern, lower};
use crate::visibility::VisibleTo;
use crate::{DbConnection, RepoError, RepoResult, articles, now, write_tx};
use chrono::NaiveDateTime;
use crm_domain::api::{Document, DocumentQuery, Page};
use crm_domain::document::{DocumentOf, MAX_TITLE};
use crm_domain::{ErrorCode, Permission, msg};
use diesel::dsl::exists;
use diesel::prelude::*;
use diesel::sql_types::Bool;
use serde_json::json;
use std::collections::BTreeSet;

#[derive(Queryable, Selectable, Clone)]
#[diesel(table_name = d)]
struct Row {
    id: i64,
    title: String,
    file_name: String,
    content_type: String,
    size_bytes: i64,
    sha256: String,
    thumbnail_sha256: Option<String>,
    customer_id: Option<i64>,
    opportunity_id: Option<i64>,
    order_id: Option<i64>,
    ticket_id: Option<i64>,
    article_id: Option<i64>,
    uploaded_by: i64,
    created_at: NaiveDateTime,
}

impl Row {
    fn target(&self) -> DocumentOf {
        match DocumentOf::from_fields(
            self.customer_id,
            self.opportunity_id,
            self.order_id,
            self.ticket_id,
            self.article_id,
        ) {
            Ok(Some(x)) => x,
            // The table's check allows exactly one.
            _ => DocumentOf::Customer(self.customer_id.unwrap_or_default()),
        }
    }
}

/// A document's bytes and how to offer them.
#[derive(Debug, Clone)]
pub struct Content {
    pub sha256: String,
    pub file_name: String,
    pub content_type: String,
}

/// A received file to attach (already kept in the store).
#[derive(Debug, Clone)]
pub struct NewDocument {
    pub target: DocumentOf,
    pub title: Option<String>,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub thumbnail_sha256: Option<String>,
}

fn no_permission() -> RepoError {
    RepoError::Forbidden(msg!(
        "你无权查看这类记录的文档",
        "you may not see documents of this kind of record"
    ))
}

/// The record, if the actor may read its kind (403) and sees it (404): its name, and for an
/// article its author.
fn record(conn: &mut DbConnection, actor: &Actor, target: DocumentOf) -> RepoResult<(String, i64)> {
    if !actor.has(target.read_permission()) {
        return Err(no_permission());
    }
    let visible = &actor.visible;
    let found: QueryResult<(String, i64)> = match target {
        DocumentOf::Customer(id) => c::table
            .filter(c::id.eq(id))
            .select((c::name, c::owner_id))
            .into_boxed()
            .visible_to(c::owner_id, visible)
            .first(conn),
        DocumentOf::Opportunity(id) => o::table
            .filter(o::id.eq(id))
            .select((o::title, o::owner_id))
            .into_boxed()
            .visible_to(o::owner_id, visible)
            .visible_to(o::customer_owner_id, visible)
            .first(conn),
        DocumentOf::Order(id) => orders::table
            .filter(orders::id.eq(id))
            .select((orders::number, orders::owner_id))
            .into_boxed()
            .visible_to(orders::owner_id, visible)
            .first(conn),
        DocumentOf::Ticket(id) => t::table
            .filter(t::id.eq(id))
            .select((t::number, t::customer_owner_id))
            .into_boxed()
            .visible_to(t::customer_owner_id, visible)
            .first(conn),
        DocumentOf::Article(id) => {
            let mut q = a::table
                .filter(a::id.eq(id))
                .select((a::title, a::author_id))
                .into_boxed();
            if let Some(rule) = articles::readable_by(actor) {
                q = q.filter(rule);
            }
            q.first(conn)
        }
    };
    found.found()
}

/// Whether the actor may attach files to a record they see: any record they see, except an
/// article, which takes files from writers and its author.
fn may_attach(actor: &Actor, target: DocumentOf, author: i64) -> bool {
    match target {
        DocumentOf::Article(_) => {
            actor.has(Permission::KnowledgeWrite) || actor.user_id() == Some(author)
        }
        _ => true,
    }
}

/// Refuses an upload before its bytes are kept: the record must be seen and take files from the
/// actor.
pub fn check_upload(conn: &mut DbConnection, actor: &Actor, target: DocumentOf) -> RepoResult<()> {
    let (_, author) = record(conn, actor, target)?;
    if may_attach(actor, target, author) {
        Ok(())
    } else {
        Err(RepoError::Forbidden(msg!(
            "只有知识库编辑和作者可以给文章添加附件",
            "only knowledge writers and the author may attach files to an article"
        )))
    }
}

/// Names the kept file as a document of its record.
pub fn create(conn: &mut DbConnection, actor: &Actor, new: &NewDocument) -> RepoResult<Document> {
    let me = actor.user_id().unwrap_or(0);
    let file_name = new.file_name.trim().to_string();
    let title = new
        .title
        .as_deref()
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| crm_domain::document::default_title(&file_name));
    if title.chars().count() > MAX_TITLE {
        return Err(RepoError::invalid(
            "title",
            ErrorCode::Length,
            msg!(
                "标题最多 {MAX_TITLE} 个字符",
                "a title has at most {MAX_TITLE} characters"
            ),
        ));
    }
    let id = write_tx(conn, |conn| {
        check_upload(conn, actor, new.target)?;
        let at = now();
        let target = new.target;
        let (customer_id, opportunity_id, order_id, ticket_id, article_id) = target.ids();
        let id: i64 = diesel::insert_into(d::table)
            .values((
                d::title.eq(&title),
                d::file_name.eq(&file_name),
                d::content_type.eq(&new.content_type),
                d::size_bytes.eq(new.size_bytes),
                d::sha256.eq(&new.sha256),
                d::thumbnail_sha256.eq(&new.thumbnail_sha256),
                d::customer_id.eq(customer_id),
                d::opportunity_id.eq(opportunity_id),
                d::order_id.eq(order_id),
                d::ticket_id.eq(ticket_id),
                d::article_id.eq(article_id),
                d::uploaded_by.eq(me),
                d::created_at.eq(at),
            ))
            .returning(d::id)
            .get_result(conn)?;
        let customer = customer_of(conn, target)?;
        audit::record_about(
            conn,
            actor,
            "create",
            "document",
            Some(id),
            customer,
            json!({
                "title": title, "file_name": file_name, "content_type": new.content_type,
                "size_bytes": new.size_bytes, "sha256": new.sha256, target.field(): target.id(),
            }),
        )?;
        Ok::<_, RepoError>(id)
    })?;
    get(conn, actor, id)
}

/// The customer whose history shows a document's coming and going.
fn customer_of(conn: &mut DbConnection, target: DocumentOf) -> QueryResult<Option<i64>> {
    match target {
        DocumentOf::Customer(id) => Ok(Some(id)),
        DocumentOf::Opportunity(id) => o::table
            .find(id)
            .select(o::customer_id)
            .first(conn)
            .optional(),
        DocumentOf::Order(id) => orders::table
            .find(id)
            .select(orders::customer_id)
            .first(conn)
            .optional(),
        DocumentOf::Ticket(id) => t::table
            .find(id)
            .select(t::customer_id)
            .first(conn)
            .optional(),
        DocumentOf::Article(_) => Ok(None),
    }
}

/// A document whose record the actor sees; 404 otherwise.
fn row(conn: &mut DbConnection, actor: &Actor, id: i64) -> RepoResult<(Row, String)> {
    let x: Row = d::table
        .find(id)
        .select(Row::as_select())
        .first(conn)
        .found()?;
    let (name, _) = record(conn, actor, x.target()).map_err(|e| match e {
        // Someone who may not read the kind learns no more than about a missing document.
        RepoError::Forbidden(_) => RepoError::NotFound,
        e => e,
    })?;
    Ok((x, name))
}

pub fn get(conn: &mut DbConnection, actor: &Actor, id: i64) -> RepoResult<Document> {
    let (x, name) = row(conn, actor, id)?;
    let people = names::people(conn, [x.uploaded_by])?;
    Ok(answer(x, name, &people))
}

/// What `GET /documents/{id}/content` sends (the thumbnail's when `thumbnail`); 404 when the
/// record is out of sight or an image has no thumbnail.
pub fn content(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    thumbnail: bool,
) -> RepoResult<Content> {
    let (x, _) = row(conn, actor, id)?;
    if thumbnail {
        let sha256 = x.thumbnail_sha256.ok_or(RepoError::NotFound)?;
        return Ok(Content {
            sha256,
            file_name: format!("{}.png", crm_domain::document::default_title(&x.file_name)),
            content_type: "image/png".into(),
        });
    }
    Ok(Content {
        sha256: x.sha256,
        file_name: x.file_name,
        content_type: x.content_type,
    })
}

/// Removes a document (its bytes go with the store's next sweep when nothing else names them).
/// The uploader may, and whoever sees the uploader's records (their managers, scope `all`) and
/// may edit the record.
pub fn delete(conn: &mut DbConnection, actor: &Actor, id: i64) -> RepoResult<()> {
    write_tx(conn, |conn| {
        let (x, _) = row(conn, actor, id)?;
        let mine = actor.user_id() == Some(x.uploaded_by);
        let allowed =
            mine || (actor.sees(x.uploaded_by) && actor.has(x.target().edit_permission()));
        if !allowed {
            return Err(RepoError::Forbidden(msg!(
                "只有上传者和其上级可以删除文档",
                "only the uploader and their managers may delete a document"
            )));
        }
        diesel::delete(d::table.find(id)).execute(conn)?;
        let target = x.target();
        let customer = customer_of(conn, target)?;
        audit::record_about(
            conn,
            actor,
            "delete",
            "document",
            Some(id),
            customer,
            json!({
                "title": x.title, "file_name": x.file_name, "content_type": x.content_type,
                "size_bytes": x.size_bytes, "sha256": x.sha256, target.field(): target.id(),
                "uploaded_by": x.uploaded_by,
            }),
        )?;
        Ok(())
    })
}

type Cond = Box<dyn BoxableExpression<d::table, MultiBackend, SqlType = Bool>>;

/// The documents of every record the actor may read and sees; `None` when that is all of them.
fn visible_documents(actor: &Actor) -> Option<Vec<Cond>> {
    let owners = actor.visible.owner_ids().map(<[i64]>::to_vec);
    let writer = actor.has(Permission::KnowledgeWrite);
    let every_kind = [
        Permission::CustomerRead,
        Permission::OpportunityRead,
        Permission::OrderRead,
        Permission::ServiceRead,
        Permission::KnowledgeRead,
    ]
    .iter()
    .all(|p| actor.has(*p));
    if owners.is_none() && writer && every_kind {
        return None;
    }
    // Each condition asks about the document's own record (a correlated `EXISTS`), so that a list
    // is read from the documents in its order and each one is checked, rather than from every
    // record of the caller's owners (thousands of customers, every article) looked up in turn.
    let mut any: Vec<Cond> = Vec::new();
    if actor.has(Permission::CustomerRead) {
        any.push(match &owners {
            None => Box::new(d::customer_id.is_not_null()),
            Some(ids) => Box::new(exists(
                c::table
                    .filter(c::id.nullable().eq(d::customer_id))
                    .filter(c::owner_id.eq_any(ids.clone())),
            )),
        });
    }
    if actor.has(Permission::OpportunityRead) {
        any.push(match &owners {
            None => Box::new(d::opportunity_id.is_not_null()),
            Some(ids) => Box::new(exists(
                o::table
                    .filter(o::id.nullable().eq(d::opportunity_id))
                    .filter(o::owner_id.eq_any(ids.clone()))
                    .filter(o::customer_owner_id.eq_any(ids.clone())),
            )),
        });
    }
    if actor.has(Permission::OrderRead) {
        any.push(match &owners {
            None => Box::new(d::order_id.is_not_null()),
            Some(ids) => Box::new(exists(
                orders::table
                    .filter(orders::id.nullable().eq(d::order_id))
                    .filter(orders::owner_id.eq_any(ids.clone())),
            )),
        });
    }
    if actor.has(Permission::ServiceRead) {
        any.push(match &owners {
            None => Box::new(d::ticket_id.is_not_null()),
            Some(ids) => Box::new(exists(
                t::table
                    .filter(t::id.nullable().eq(d::ticket_id))
                    .filter(t::customer_owner_id.eq_any(ids.clone())),
            )),
        });
    }
    if actor.has(Permission::KnowledgeRead) {
        any.push(match articles::readable_by(actor) {
            None => Box::new(d::article_id.is_not_null()),
            Some(rule) => Box::new(exists(
                a::table
                    .filter(a::id.nullable().eq(d::article_id))
                    .filter(rule),
            )),
        });
    }
    Some(any)
}

/// A record's documents (one record filter: the record must be seen, else 404), or every
/// document the actor may see; newest first, a page at a time.
pub fn list(
    conn: &mut DbConnection,
    actor: &Actor,
    f: &DocumentQuery,
) -> RepoResult<Page<Document>> {
    let page = PageRequest::<i64>::new(f.limit, f.cursor.as_deref(), "-id")?;
    let target = DocumentOf::from_fields(
        f.customer_id,
        f.opportunity_id,
        f.order_id,
        f.ticket_id,
        f.article_id,
    )
    .map_err(|fields| RepoError::BadQuery {
        code: ErrorCode::InvalidQuery,
        message: {
            let fields = fields.join(", ");
            msg!(
                "一次只能按一条记录筛选（收到 {fields}）",
                "filter by one record at a time (got {fields})"
            )
        },
    })?;
    let mut q = d::table
        .select(Row::as_select())
        .order(d::id.desc())
        .limit(page.fetch())
        .into_boxed();
    let mut record_name = None;
    match target {
        Some(target) => {
            let (name, _) = record(conn, actor, target)?;
            record_name = Some(name);
            let id = target.id();
            q = match target {
                DocumentOf::Customer(_) => q.filter(d::customer_id.eq(id)),
                DocumentOf::Opportunity(_) => q.filter(d::opportunity_id.eq(id)),
                DocumentOf::Order(_) => q.filter(d::order_id.eq(id)),
                DocumentOf::Ticket(_) => q.filter(d::ticket_id.eq(id)),
                DocumentOf::Article(_) => q.filter(d::article_id.eq(id)),
            };
        }
        None => {
            if let Some(any) = visible_documents(actor) {
                let mut any = any.into_iter();
                let Some(first) = any.next() else {
                    return Ok(page.page(Vec::new(), |x: &Document| x.id));
                };
                q = q.filter(any.fold(first, |acc, x| Box::new(acc.or(x)) as Cond));
            }
        }
    }
    if let Some(text) = f.q.as_deref().map(str::trim).filter(|x| !x.is_empty()) {
        let p = contains_pattern(text);
        q = q.filter(
            lower(d::title)
                .like(p.clone())
                .escape('\\')
                .or(lower(d::file_name).like(p).escape('\\')),
        );
    }
    if let Some(after) = page.after {
        q = q.filter(d::id.lt(after));
    }
    let rows: Vec<Row> = q.load(conn)?;
    let named = RecordNames::load(conn, &rows, record_name)?;
    let people = names::people(conn, rows.iter().map(|x| x.uploaded_by))?;
    let items = rows
        .into_iter()
        .map(|x| {
            let name = named.of(x.target());
            answer(x, name, &people)
        })
        .collect();
    Ok(page.page(items, |x: &Document| x.id))
}

/// The names of a page's records, one query per kind.
struct RecordNames {
    one: Option<String>,
    customers: Names,
    deals: Names,
    orders: Names,
    tickets: Names,
    articles: Names,
}

impl RecordNames {
    fn load(conn: &mut DbConnection, rows: &[Row], one: Option<String>) -> QueryResult<Self> {
        if one.is_some() {
            return Ok(RecordNames {
                one,
                customers: Names::default(),
                deals: Names::default(),
                orders: Names::default(),
                tickets: Names::default(),
                articles: Names::default(),
            });
        }
        Ok(RecordNames {
            one,
            customers: names::customers(conn, rows.iter().filter_map(|x| x.customer_id))?,
            deals: names::deals(conn, rows.iter().filter_map(|x| x.opportunity_id))?,
            orders: names::orders(conn, rows.iter().filter_map(|x| x.order_id))?,
            tickets: names::tickets(conn, rows.iter().filter_map(|x| x.ticket_id))?,
            articles: names::articles(conn, rows.iter().filter_map(|x| x.article_id))?,
        })
    }

    fn of_target(&self, target: DocumentOf) -> String {
        let names = match target {
            DocumentOf::Customer(_) => &self.customers,
            DocumentOf::Opportunity(_) => &self.deals,
            DocumentOf::Order(_) => &self.orders,
            DocumentOf::Ticket(_) => &self.tickets,
            DocumentOf::Article(_) => &self.articles,
        };
        names.of(target.id()).name
    }

    fn of(&self, target: DocumentOf) -> String {
        self.one.clone().unwrap_or_else(|| self.of_target(target))
    }
}

fn answer(x: Row, attached_name: String, people: &Names) -> Document {
    Document {
        id: x.id,
        attached_to: x.target(),
        title: x.title,
        file_name: x.file_name,
        content_type: x.content_type,
        size_bytes: x.size_bytes,
        sha256: x.sha256,
        has_thumbnail: x.thumbnail_sha256.is_some(),
        attached_name,
        uploaded_by: people.of(x.uploaded_by),
        created_at: x.created_at.and_utc(),
    }
}

/// Every stored file some document names (its content or its thumbnail): what the store's sweep
/// keeps and a backup copies.
pub fn stored_files(conn: &mut DbConnection) -> QueryResult<BTreeSet<String>> {
    let mut all: BTreeSet<String> = d::table
        .select(d::sha256)
        .distinct()
        .load::<String>(conn)?
        .into_iter()
        .collect();
    all.extend(
        d::table
            .filter(d::thumbnail_sha256.is_not_null())
            .select(d::thumbnail_sha256.assume_not_null())
            .distinct()
            .load::<String>(conn)?,
    );
    Ok(all)
}
