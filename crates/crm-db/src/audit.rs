//! The audit log (审计日志): who changed what, when. Written in the same transaction as the change.

use crate::schema::{audit_log, users};
use crate::{DbConnection, RepoResult, now};
use chrono::NaiveDateTime;
use crm_domain::api::{AuditEntry, IdName};
use diesel::prelude::*;
use serde_json::{Map, Value, json};

/// Records one action. `changes` is `{field: {old, new}}` for updates (see [`diff`]), the values for
/// creates and deletes.
pub fn record(
    conn: &mut DbConnection,
    actor: Option<i64>,
    action: &str,
    entity: &str,
    entity_id: Option<i64>,
    changes: Value,
) -> QueryResult<()> {
    record_about(conn, actor, action, entity, entity_id, None, changes)
}

/// Records one action that concerns a customer (the customer itself, a contact, …): it then shows in
/// that customer's history.
pub fn record_about(
    conn: &mut DbConnection,
    actor: Option<i64>,
    action: &str,
    entity: &str,
    entity_id: Option<i64>,
    customer_id: Option<i64>,
    changes: Value,
) -> QueryResult<()> {
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::at.eq(now()),
            audit_log::user_id.eq(actor),
            audit_log::action.eq(action),
            audit_log::entity.eq(entity),
            audit_log::entity_id.eq(entity_id),
            audit_log::customer_id.eq(customer_id),
            audit_log::changes.eq(changes.to_string()),
        ))
        .execute(conn)
        .map(drop)
}

/// The fields whose values differ between two JSON objects, as `{field: {old, new}}`.
pub fn diff(old: &Value, new: &Value) -> Value {
    let empty = Map::new();
    let old = old.as_object().unwrap_or(&empty);
    let new = new.as_object().unwrap_or(&empty);
    let mut out = Map::new();
    for (key, new_value) in new {
        let old_value = old.get(key).unwrap_or(&Value::Null);
        if old_value != new_value {
            out.insert(key.clone(), json!({ "old": old_value, "new": new_value }));
        }
    }
    Value::Object(out)
}

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Everything about one customer (its own changes and its contacts').
    pub customer_id: Option<i64>,
    pub entity: Option<String>,
    pub entity_id: Option<i64>,
    pub user_id: Option<i64>,
    pub from: Option<NaiveDateTime>,
    pub to: Option<NaiveDateTime>,
    /// Keyset: entries older than this id.
    pub before_id: Option<i64>,
    pub limit: i64,
}

/// Newest first, keyset-paginated on id.
pub fn list(conn: &mut DbConnection, f: &AuditFilter) -> RepoResult<Vec<AuditEntry>> {
    let mut q = audit_log::table
        .left_join(users::table)
        .select((
            audit_log::id,
            audit_log::at,
            audit_log::user_id,
            users::display_name.nullable(),
            audit_log::action,
            audit_log::entity,
            audit_log::entity_id,
            audit_log::changes,
        ))
        .order(audit_log::id.desc())
        .limit(f.limit)
        .into_boxed();
    if let Some(c) = f.customer_id {
        q = q.filter(audit_log::customer_id.eq(c));
    }
    if let Some(e) = &f.entity {
        q = q.filter(audit_log::entity.eq(e.clone()));
    }
    if let Some(id) = f.entity_id {
        q = q.filter(audit_log::entity_id.eq(id));
    }
    if let Some(u) = f.user_id {
        q = q.filter(audit_log::user_id.eq(u));
    }
    if let Some(from) = f.from {
        q = q.filter(audit_log::at.ge(from));
    }
    if let Some(to) = f.to {
        q = q.filter(audit_log::at.lt(to));
    }
    if let Some(before) = f.before_id {
        q = q.filter(audit_log::id.lt(before));
    }
    type Row = (
        i64,
        NaiveDateTime,
        Option<i64>,
        Option<String>,
        String,
        String,
        Option<i64>,
        String,
    );
    let rows: Vec<Row> = q.load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(id, at, user_id, user_name, action, entity, entity_id, changes)| AuditEntry {
                id,
                at: at.and_utc(),
                user: user_id.map(|id| IdName {
                    id,
                    name: user_name.unwrap_or_default(),
                }),
                action,
                entity,
                entity_id,
                changes: serde_json::from_str(&changes).unwrap_or(Value::Null),
            },
        )
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_keeps_only_changed_fields() {
        let d = diff(
            &json!({"a": 1, "b": "x", "c": null}),
            &json!({"a": 1, "b": "y", "c": 2}),
        );
        assert_eq!(
            d,
            json!({"b": {"old": "x", "new": "y"}, "c": {"old": null, "new": 2}})
        );
        assert_eq!(diff(&json!({"a": 1}), &json!({"a": 1})), json!({}));
    }
}
