//! The audit log (审计日志): who changed what, when. Written in the same transaction as the change.

use crate::actor::Actor;
use crate::paging::PageRequest;
use crate::schema::{
    audit_log, contacts, customers, departments, dictionary_items, products, roles, users,
};
use crate::visibility::VisibleTo;
use crate::{DbConnection, RepoResult, now};
use chrono::NaiveDateTime;
use crm_domain::api::{AuditEntry, AuditQuery, IdName, Page};
use crm_domain::history::{RefKind, ids_in, ref_kind};
use diesel::prelude::*;
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// Records one action. `changes` is `{field: {old, new}}` for updates (see [`diff`]), the values for
/// creates and deletes.
pub fn record(
    conn: &mut DbConnection,
    actor: &Actor,
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
    actor: &Actor,
    action: &str,
    entity: &str,
    entity_id: Option<i64>,
    customer_id: Option<i64>,
    changes: Value,
) -> QueryResult<()> {
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::at.eq(now()),
            audit_log::user_id.eq(actor.user_id()),
            audit_log::action.eq(action),
            audit_log::entity.eq(entity),
            audit_log::entity_id.eq(entity_id),
            audit_log::customer_id.eq(customer_id),
            audit_log::changes.eq(changes.to_string()),
        ))
        .execute(conn)?;
    crate::webhooks::outbox(
        conn,
        actor.user_id(),
        action,
        entity,
        &[(entity_id, customer_id, &changes)],
    )
}

/// Records the same action on several records at once (an import's batch), each concerning its
/// customer: `(entity_id, customer_id, changes)`; one statement.
pub fn record_many_about(
    conn: &mut DbConnection,
    actor: &Actor,
    action: &str,
    entity: &str,
    entries: &[(i64, i64, Value)],
) -> QueryResult<()> {
    if entries.is_empty() {
        return Ok(());
    }
    let at = now();
    let rows: Vec<_> = entries
        .iter()
        .map(|(id, customer, changes)| {
            (
                audit_log::at.eq(at),
                audit_log::user_id.eq(actor.user_id()),
                audit_log::action.eq(action),
                audit_log::entity.eq(entity),
                audit_log::entity_id.eq(Some(*id)),
                audit_log::customer_id.eq(Some(*customer)),
                audit_log::changes.eq(changes.to_string()),
            )
        })
        .collect();
    // diesel's multi-backend connection inserts one row at a time; each backend batches, 1000 rows
    // (7000 parameters) at most per statement.
    for chunk in rows.chunks(1000) {
        match conn {
            DbConnection::Sqlite(c) => diesel::insert_into(audit_log::table)
                .values(chunk)
                .execute(c),
            DbConnection::Pg(c) => diesel::insert_into(audit_log::table)
                .values(chunk)
                .execute(c),
        }?;
    }
    let announced: Vec<crate::webhooks::Entry> = entries
        .iter()
        .map(|(id, customer, changes)| (Some(*id), Some(*customer), changes))
        .collect();
    crate::webhooks::outbox(conn, actor.user_id(), action, entity, &announced)
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

#[derive(Queryable, Selectable)]
#[diesel(table_name = audit_log)]
struct Row {
    id: i64,
    at: NaiveDateTime,
    user_id: Option<i64>,
    action: String,
    entity: String,
    entity_id: Option<i64>,
    changes: String,
}

/// The audit log as `GET /audit-log` pages it: newest first.
pub fn page(
    conn: &mut DbConnection,
    actor: &Actor,
    q: &AuditQuery,
) -> RepoResult<Page<AuditEntry>> {
    let page = PageRequest::<i64>::new(q.limit, q.cursor.as_deref(), "audit")?;
    let filter = AuditFilter {
        customer_id: None,
        entity: q.entity.clone(),
        entity_id: q.entity_id,
        user_id: q.user_id,
        from: q.from.map(|t| t.naive_utc()),
        to: q.to.map(|t| t.naive_utc()),
        before_id: page.after,
        limit: page.fetch(),
    };
    Ok(page.page(list(conn, actor, &filter)?, |e| e.id))
}

/// Newest first, keyset-paginated on id, each entry with the names of the ids its changes hold.
pub fn list(
    conn: &mut DbConnection,
    actor: &Actor,
    f: &AuditFilter,
) -> RepoResult<Vec<AuditEntry>> {
    let mut q = audit_log::table
        .left_join(users::table)
        .select((Row::as_select(), users::display_name.nullable()))
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
    let rows: Vec<(Row, Option<String>)> = q.load(conn)?;
    let mut entries: Vec<AuditEntry> = rows
        .into_iter()
        .map(|(r, user_name)| AuditEntry {
            id: r.id,
            at: r.at.and_utc(),
            user: r.user_id.map(|id| IdName {
                id,
                name: user_name.unwrap_or_default(),
            }),
            action: r.action,
            entity: r.entity,
            entity_id: r.entity_id,
            changes: serde_json::from_str(&r.changes).unwrap_or(Value::Null),
            names: BTreeMap::new(),
        })
        .collect();
    name_references(conn, actor, &mut entries)?;
    Ok(entries)
}

/// Fills each entry's `names` with what its changes' ids point to: one query per kind of record
/// for the whole page. Customers and contacts are named only where the actor sees them.
fn name_references(
    conn: &mut DbConnection,
    actor: &Actor,
    entries: &mut [AuditEntry],
) -> RepoResult<()> {
    let mut wanted: BTreeMap<RefKind, BTreeSet<i64>> = BTreeMap::new();
    for entry in entries.iter() {
        for (field, value) in changed_values(&entry.changes) {
            if let Some(kind) = ref_kind(&entry.entity, field) {
                wanted.entry(kind).or_default().extend(ids_in(value));
            }
        }
    }
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    for (kind, ids) in wanted {
        let ids: Vec<i64> = ids.into_iter().collect();
        let found: Vec<(i64, String)> = match kind {
            RefKind::User => users::table
                .filter(users::id.eq_any(ids))
                .select((users::id, users::display_name))
                .load(conn)?,
            RefKind::Department => departments::table
                .filter(departments::id.eq_any(ids))
                .select((departments::id, departments::name))
                .load(conn)?,
            RefKind::Role => roles::table
                .filter(roles::id.eq_any(ids))
                .select((roles::id, roles::name))
                .load(conn)?,
            RefKind::Dictionary => dictionary_items::table
                .filter(dictionary_items::id.eq_any(ids))
                .select((dictionary_items::id, dictionary_items::name))
                .load(conn)?,
            RefKind::Product => products::table
                .filter(products::id.eq_any(ids))
                .select((products::id, products::name))
                .load(conn)?,
            RefKind::Customer => customers::table
                .filter(customers::id.eq_any(ids))
                .select((customers::id, customers::name))
                .into_boxed()
                .visible_to(customers::owner_id, &actor.visible)
                .load(conn)?,
            RefKind::Contact => contacts::table
                .inner_join(customers::table)
                .filter(contacts::id.eq_any(ids))
                .select((contacts::id, contacts::name))
                .into_boxed()
                .visible_to(customers::owner_id, &actor.visible)
                .load(conn)?,
            RefKind::Competitor => crate::schema::competitors::table
                .filter(crate::schema::competitors::id.eq_any(ids))
                .select((
                    crate::schema::competitors::id,
                    crate::schema::competitors::name,
                ))
                .load(conn)?,
            RefKind::Opportunity => {
                use crate::schema::opportunities as o;
                o::table
                    .filter(o::id.eq_any(ids))
                    .select((o::id, o::title))
                    .into_boxed()
                    .visible_to(o::owner_id, &actor.visible)
                    .visible_to(o::customer_owner_id, &actor.visible)
                    .load(conn)?
            }
        };
        names.extend(found.into_iter().map(|(id, name)| (kind.key(id), name)));
    }
    for entry in entries.iter_mut() {
        let mut own = BTreeMap::new();
        for (field, value) in changed_values(&entry.changes) {
            if let Some(kind) = ref_kind(&entry.entity, field) {
                for id in ids_in(value) {
                    let key = kind.key(id);
                    if let Some(name) = names.get(&key) {
                        own.insert(key, name.clone());
                    }
                }
            }
        }
        entry.names = own;
    }
    Ok(())
}

/// Each field of a change with the values it mentions: `{old, new}` of an update, or the value of
/// a create or delete.
fn changed_values(changes: &Value) -> Vec<(&str, &Value)> {
    let Some(fields) = changes.as_object() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (field, value) in fields {
        match value.as_object() {
            Some(pair) if pair.contains_key("old") || pair.contains_key("new") => {
                out.extend(pair.get("old").map(|v| (field.as_str(), v)));
                out.extend(pair.get("new").map(|v| (field.as_str(), v)));
            }
            _ => out.push((field.as_str(), value)),
        }
    }
    out
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
