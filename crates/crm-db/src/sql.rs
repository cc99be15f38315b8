//! What every repository shares: case-insensitive "contains" patterns, optional text as stored,
//! optimistic locking, and references to dictionary entries.

use crate::multi_connection_impl::MultiBackend;
use crate::schema::dictionary_items;
use crate::{DbConnection, RepoError, RepoResult};
use crm_domain::api::DictionaryKind;
use crm_domain::{ErrorCode, msg};
use diesel::prelude::*;

diesel::define_sql_function!(
    /// SQL `lower()`, on both databases.
    fn lower(text: diesel::sql_types::Text) -> diesel::sql_types::Text
);

diesel::define_sql_function!(
    /// SQL `substr(text, start, length)` (characters, from 1), on both databases.
    fn substr(
        text: diesel::sql_types::Text,
        start: diesel::sql_types::Integer,
        length: diesel::sql_types::Integer,
    ) -> diesel::sql_types::Text
);

/// A case-insensitive "contains" pattern, to be compared with `lower(column) LIKE … ESCAPE '\\'`
/// (lower() on both sides: LIKE ignores case on SQLite but not on PostgreSQL).
pub fn contains_pattern(text: &str) -> String {
    format!("%{}%", escape_like(&text.to_lowercase()))
}

/// `lower(column) LIKE pattern ESCAPE '\'` (a [`contains_pattern`]). For a text the search index
/// has found common (a word in thousands of rows), the pattern goes in as `(SELECT $pattern)`, a
/// value the planner cannot read: PostgreSQL guesses a `%…%` pattern it can read to match a few
/// rows in ten thousand, and for so few it scans and sorts the whole table rather than walk the
/// list's index and stop after a page (a topic in a tenth of 100 000 articles took 70 ms so instead
/// of 0.6 ms, for the first runs of each connection: its custom plans). A value it cannot see gets
/// the default guess, which walks. Never for a rare text: that one is driven by its candidates, and
/// walking for it would read the whole list. (SQLite evaluates the subquery once.)
pub fn lower_like<T, C>(
    column: C,
    pattern: &str,
    common: bool,
) -> Box<dyn BoxableExpression<T, MultiBackend, SqlType = diesel::sql_types::Bool>>
where
    C: Expression<SqlType = diesel::sql_types::Text>
        + SelectableExpression<T>
        + diesel::expression::ValidGrouping<(), IsAggregate = diesel::expression::is_aggregate::No>
        + diesel::query_builder::QueryFragment<MultiBackend>
        + diesel::query_builder::QueryId
        + Send
        + 'static,
{
    if common {
        let unseen = diesel::dsl::sql::<diesel::sql_types::Text>("(SELECT ")
            .bind::<diesel::sql_types::Text, _>(pattern.to_string())
            .sql(")");
        Box::new(lower(column).like(unseen).escape('\\'))
    } else {
        Box::new(lower(column).like(pattern.to_string()).escape('\\'))
    }
}

/// `%` and `_` typed by a user are literal characters, not wildcards.
pub fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// Optional text as stored: trimmed, and empty means absent.
pub fn blank_to_none(v: Option<&str>) -> Option<String> {
    v.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// A PATCH of optional text: absent keeps the old value, `null` or blank clears it.
pub fn patched(patch: &Option<Option<String>>, old: &Option<String>) -> Option<String> {
    match patch {
        Some(v) => blank_to_none(v.as_deref()),
        None => old.clone(),
    }
}

/// A PATCH of required text: absent keeps the old value; the new one is trimmed.
pub fn patched_text(patch: &Option<String>, old: &str) -> String {
    patch.as_deref().map(str::trim).unwrap_or(old).to_string()
}

/// Optimistic locking, before a change: the version the caller read must still be the record's.
pub fn check_version(current: i32, read: i32) -> RepoResult<()> {
    if current == read {
        Ok(())
    } else {
        Err(RepoError::StaleVersion { current })
    }
}

/// Optimistic locking, after `UPDATE … WHERE version = read`: no row means someone was quicker.
pub fn one_row_updated(rows: usize, current: i32) -> RepoResult<()> {
    if rows == 0 {
        Err(RepoError::StaleVersion { current })
    } else {
        Ok(())
    }
}

/// A reference to an entry of a dictionary of `kind`: 422 `not_found` on `field` otherwise.
pub fn check_dictionary(
    conn: &mut DbConnection,
    field: &'static str,
    kind: DictionaryKind,
    id: Option<i64>,
) -> RepoResult<()> {
    let Some(id) = id else { return Ok(()) };
    let found: i64 = dictionary_items::table
        .filter(dictionary_items::id.eq(id))
        .filter(dictionary_items::kind.eq(kind.as_str()))
        .count()
        .get_result(conn)?;
    if found == 0 {
        let (zh, en) = (kind.name_zh(), kind.as_str());
        return Err(RepoError::invalid(
            field,
            ErrorCode::NotFound,
            msg!("没有这个{zh}条目", "no such {en} entry"),
        ));
    }
    Ok(())
}
