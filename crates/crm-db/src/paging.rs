//! Keyset pages, the one way every list pages: a [`PageRequest`] (how many rows, after which key),
//! the opaque cursor that carries the key from one request to the next, and [`row_after`], the
//! row-value comparison with which the database seeks to the key instead of counting up to it.

use crate::multi_connection_impl::MultiBackend;
use crate::{RepoError, RepoResult};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use crm_domain::api::Page;
use crm_domain::paging::{DEFAULT_LIMIT, MAX_LIMIT};
use crm_domain::{ErrorCode, msg};
use diesel::backend::Backend;
use diesel::expression::{AppearsOnTable, AsExpression, Expression, ValidGrouping, is_aggregate};
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::sql_types::SqlType;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// A validated page request: at most `limit` rows, after the row whose key is `after`.
#[derive(Debug, Clone, PartialEq)]
pub struct PageRequest<K> {
    pub limit: i64,
    pub after: Option<K>,
    /// Which list and order the cursor belongs to; a cursor of another is refused.
    order: String,
}

/// What a cursor carries: the list's order and the last row's key.
#[derive(serde::Serialize, serde::Deserialize)]
struct Cursor<K> {
    #[serde(rename = "o")]
    order: String,
    #[serde(rename = "k")]
    key: K,
}

impl<K: Serialize + DeserializeOwned> PageRequest<K> {
    /// `limit` (default 50, at most 200) and the `cursor` of the previous page of the same list in
    /// the same `order` (400 `invalid_cursor` otherwise).
    pub fn new(
        limit: Option<i64>,
        cursor: Option<&str>,
        order: impl Into<String>,
    ) -> RepoResult<Self> {
        let order = order.into();
        let limit = limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(RepoError::BadQuery {
                code: ErrorCode::InvalidQuery,
                message: msg!(
                    "limit 须在 1 到 {MAX_LIMIT} 之间",
                    "limit must be between 1 and {MAX_LIMIT}"
                ),
            });
        }
        let after = match cursor.filter(|c| !c.is_empty()) {
            None => None,
            Some(text) => Some(
                decode::<K>(text, &order).ok_or_else(|| RepoError::BadQuery {
                    code: ErrorCode::InvalidCursor,
                    message: msg!(
                        "cursor 不是本列表（同一排序）给出的",
                        "the cursor is not one this list gave out in this order"
                    ),
                })?,
            ),
        };
        Ok(PageRequest {
            limit,
            after,
            order,
        })
    }

    /// Rows to fetch: one more than asked, which tells whether another page follows.
    pub fn fetch(&self) -> i64 {
        self.limit + 1
    }

    /// The page of `rows` (fetched with [`PageRequest::fetch`]), with the cursor of the next one.
    pub fn page<T>(&self, mut rows: Vec<T>, key: impl Fn(&T) -> K) -> Page<T> {
        let more = rows.len() as i64 > self.limit;
        rows.truncate(self.limit as usize);
        let next_cursor = more
            .then(|| rows.last().map(|last| self.encode(key(last))))
            .flatten();
        Page {
            items: rows,
            next_cursor,
        }
    }

    fn encode(&self, key: K) -> String {
        let cursor = Cursor {
            order: self.order.clone(),
            key,
        };
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(&cursor).unwrap_or_default())
    }
}

fn decode<K: DeserializeOwned>(text: &str, order: &str) -> Option<K> {
    let bytes = URL_SAFE_NO_PAD.decode(text).ok()?;
    let cursor: Cursor<K> = serde_json::from_slice(&bytes).ok()?;
    (cursor.order == order).then_some(cursor.key)
}

/// `(a, b) > (x, y)`, or `<` when descending: the rows after a position in `(a, b)` order, written
/// as one row-value comparison, which SQLite and PostgreSQL both answer by seeking an index on
/// `(a, b)`. (`a > x OR (a = x AND b > y)` says the same, but neither database seeks with it: a
/// page deep in a long list then costs as much as counting up to it.)
pub fn row_after<A, B, X, Y>(
    a: A,
    b: B,
    x: X,
    y: Y,
    descending: bool,
) -> RowAfter<A, B, X::Expression, Y::Expression>
where
    A: Expression,
    B: Expression,
    A::SqlType: SqlType,
    B::SqlType: SqlType,
    X: AsExpression<A::SqlType>,
    Y: AsExpression<B::SqlType>,
{
    RowAfter {
        a,
        b,
        x: x.as_expression(),
        y: y.as_expression(),
        descending,
    }
}

/// See [`row_after`].
#[derive(Debug, Clone, Copy)]
pub struct RowAfter<A, B, X, Y> {
    a: A,
    b: B,
    x: X,
    y: Y,
    descending: bool,
}

impl<A, B, X, Y> Expression for RowAfter<A, B, X, Y>
where
    A: Expression,
    B: Expression,
    X: Expression,
    Y: Expression,
{
    type SqlType = diesel::sql_types::Bool;
}

impl<A, B, X, Y, QS> AppearsOnTable<QS> for RowAfter<A, B, X, Y>
where
    Self: Expression,
    A: AppearsOnTable<QS>,
    B: AppearsOnTable<QS>,
    X: AppearsOnTable<QS>,
    Y: AppearsOnTable<QS>,
{
}

/// A comparison of columns with values: never an aggregate.
impl<A, B, X, Y, GB> ValidGrouping<GB> for RowAfter<A, B, X, Y> {
    type IsAggregate = is_aggregate::No;
}

/// The direction changes the SQL, so the statement cache must not share it between directions.
impl<A, B, X, Y> QueryId for RowAfter<A, B, X, Y> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<A, B, X, Y, DB> QueryFragment<DB> for RowAfter<A, B, X, Y>
where
    DB: Backend,
    A: QueryFragment<DB>,
    B: QueryFragment<DB>,
    X: QueryFragment<DB>,
    Y: QueryFragment<DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> diesel::QueryResult<()> {
        out.push_sql("(");
        self.a.walk_ast(out.reborrow())?;
        out.push_sql(", ");
        self.b.walk_ast(out.reborrow())?;
        out.push_sql(if self.descending { ") < (" } else { ") > (" });
        self.x.walk_ast(out.reborrow())?;
        out.push_sql(", ");
        self.y.walk_ast(out.reborrow())?;
        out.push_sql(")");
        Ok(())
    }
}

/// A team's page is merged from each owner's own index range when the scope has between two and
/// this many owners: one query over the whole scope would read and sort every matching row of
/// every owner, while each owner's range gives at most a page from its index.
pub const MERGE_OWNERS: usize = 32;

/// The owners of a scope whose page is worth merging (see [`MERGE_OWNERS`]), if it is.
pub fn merge_owners(visible: &crate::Visible) -> Option<&[i64]> {
    visible
        .owner_ids()
        .filter(|owners| (2..=MERGE_OWNERS).contains(&owners.len()))
}

/// The ids of one page merged from each owner's page of `(sort key, id)` (`page_of` answers at
/// most `fetch` of them, in the list's order), in the list's order.
pub fn merged<K: Ord>(
    owners: &[i64],
    fetch: i64,
    descending: bool,
    page_of: impl FnMut(i64) -> RepoResult<Vec<(K, i64)>>,
) -> RepoResult<Vec<i64>> {
    let order = |a: &(K, i64), b: &(K, i64)| if descending { b.cmp(a) } else { a.cmp(b) };
    let rows = merged_rows(owners, fetch, order, page_of)?;
    Ok(rows.into_iter().map(|(_, id)| id).collect())
}

/// One page of whole rows merged from each owner's page (`page_of` answers at most `fetch` rows in
/// the list's order, `order` compares two rows in it): for a list whose rows need no join, one
/// read per owner and none after.
pub fn merged_rows<T>(
    owners: &[i64],
    fetch: i64,
    order: impl Fn(&T, &T) -> std::cmp::Ordering,
    mut page_of: impl FnMut(i64) -> RepoResult<Vec<T>>,
) -> RepoResult<Vec<T>> {
    let mut rows = Vec::new();
    for &owner in owners {
        rows.extend(page_of(owner)?);
    }
    rows.sort_unstable_by(order);
    rows.truncate(fetch as usize);
    Ok(rows)
}

/// A page merged from several owners' pages in one statement: every owner's page (`parts`, each a
/// query that answers at most a page in the list's order) joined by `UNION ALL`, sorted by `order`
/// (columns of the parts' rows) and cut to `limit` by the database. One statement instead of one
/// per owner, and only the page's rows come back: on PostgreSQL each round trip costs two context
/// switches and the statement's own start; on SQLite the rows of every owner's page were all read
/// into the server to keep one page of them.
#[derive(Debug)]
pub struct MergedPages<Q> {
    parts: Vec<Q>,
    order: &'static str,
    limit: i64,
}

impl<Q> MergedPages<Q> {
    pub fn new(parts: Vec<Q>, order: &'static str, limit: i64) -> Self {
        MergedPages {
            parts,
            order,
            limit,
        }
    }
}

impl<Q: diesel::query_builder::Query> diesel::query_builder::Query for MergedPages<Q> {
    type SqlType = Q::SqlType;
}

impl<Q> QueryId for MergedPages<Q> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q: QueryFragment<MultiBackend>> QueryFragment<MultiBackend> for MergedPages<Q> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, MultiBackend>) -> diesel::QueryResult<()> {
        // A part has its own ORDER BY and LIMIT: PostgreSQL takes it in parentheses, SQLite (which
        // allows neither in a part of a compound SELECT) as a subquery.
        let (open, close) = match out.backend() {
            MultiBackend::Pg(_) => ("(", ")"),
            MultiBackend::Sqlite(_) => ("SELECT * FROM (", ")"),
        };
        out.push_sql("SELECT * FROM (");
        for (i, part) in self.parts.iter().enumerate() {
            if i > 0 {
                out.push_sql(" UNION ALL ");
            }
            out.push_sql(open);
            part.walk_ast(out.reborrow())?;
            out.push_sql(close);
        }
        out.push_sql(") AS merged ORDER BY ");
        out.push_sql(self.order);
        out.push_sql(" LIMIT ");
        out.push_bind_param::<diesel::sql_types::BigInt, _>(&self.limit)
    }

    // Diesel refuses to cache a statement with an `IN (…)` list (a list of another length would
    // reuse a statement with the wrong number of placeholders when the cache key is the query's
    // type). This one has no static type id, so its key is its SQL text, which spells out every
    // placeholder: the same text is the same shape, and it is prepared once per shape.
    fn is_safe_to_cache_prepared(&self, _: &MultiBackend) -> diesel::QueryResult<bool> {
        Ok(true)
    }
}

impl<Q, C> diesel::RunQueryDsl<C> for MergedPages<Q> {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_carry_the_next_cursor_and_refuse_strangers() {
        let p = PageRequest::<(String, i64)>::new(Some(2), None, "-name").unwrap();
        assert_eq!(p.fetch(), 3);
        let rows = vec![("a", 1), ("b", 2), ("c", 3)];
        let page = p.page(rows, |r| (r.0.to_string(), r.1));
        assert_eq!(page.items.len(), 2);
        let next = page.next_cursor.expect("a next page");
        let again = PageRequest::<(String, i64)>::new(Some(2), Some(&next), "-name").unwrap();
        assert_eq!(again.after, Some(("b".to_string(), 2)));
        // The same cursor under another order, another key type or garbage: refused.
        for (cursor, order) in [
            (next.as_str(), "name"),
            ("bm9wZQ", "-name"),
            ("!!", "-name"),
        ] {
            match PageRequest::<(String, i64)>::new(None, Some(cursor), order) {
                Err(RepoError::BadQuery { code, .. }) => assert_eq!(code, ErrorCode::InvalidCursor),
                other => panic!("{other:?}"),
            }
        }
        assert!(PageRequest::<i64>::new(None, Some(&next), "-name").is_err());
        assert!(PageRequest::<i64>::new(Some(0), None, "x").is_err());
        assert!(PageRequest::<i64>::new(Some(201), None, "x").is_err());
        // The last page has no cursor.
        let last = PageRequest::<i64>::new(Some(5), None, "x").unwrap();
        assert_eq!(last.page(vec![1, 2], |x| *x).next_cursor, None);
    }
}
