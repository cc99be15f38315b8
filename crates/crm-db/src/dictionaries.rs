//! Dictionaries (数据字典): the lists behind every drop-down (industries, regions, sources, …).

use crate::audit::{self, diff};
use crate::error::{OptionalFound, is_unique_violation};
use crate::schema::dictionary_items as d;
use crate::{DbConnection, RepoError, RepoResult, now, write_tx};
use chrono::NaiveDateTime;
use crm_domain::api::{DictionaryItem, DictionaryItemPatch, DictionaryKind, NewDictionaryItem};
use diesel::prelude::*;
use serde_json::json;

type Row = (
    i64,
    String,
    String,
    Option<String>,
    Option<i64>,
    i32,
    bool,
    i32,
);

fn columns() -> (
    d::id,
    d::kind,
    d::name,
    d::name_en,
    d::parent_id,
    d::sort_order,
    d::enabled,
    d::version,
) {
    (
        d::id,
        d::kind,
        d::name,
        d::name_en,
        d::parent_id,
        d::sort_order,
        d::enabled,
        d::version,
    )
}

fn from_row(
    (id, kind, name, name_en, parent_id, sort_order, enabled, version): Row,
) -> DictionaryItem {
    DictionaryItem {
        id,
        kind: DictionaryKind::parse(&kind).unwrap_or(DictionaryKind::Industry),
        name,
        name_en,
        parent_id,
        sort_order,
        enabled,
        version,
    }
}

fn view(i: &DictionaryItem) -> serde_json::Value {
    json!({"name": i.name, "name_en": i.name_en, "parent_id": i.parent_id, "sort_order": i.sort_order, "enabled": i.enabled})
}

fn unique(e: diesel::result::Error) -> RepoError {
    if is_unique_violation(&e) {
        RepoError::conflict("duplicate_name", "an entry with this name already exists")
    } else {
        e.into()
    }
}

pub fn list(
    conn: &mut DbConnection,
    kind: DictionaryKind,
    include_disabled: bool,
) -> RepoResult<Vec<DictionaryItem>> {
    let mut q = d::table
        .filter(d::kind.eq(kind.as_str()))
        .select(columns())
        .order((d::sort_order, d::id))
        .into_boxed();
    if !include_disabled {
        q = q.filter(d::enabled.eq(true));
    }
    Ok(q.load::<Row>(conn)?.into_iter().map(from_row).collect())
}

pub fn get(conn: &mut DbConnection, kind: DictionaryKind, id: i64) -> RepoResult<DictionaryItem> {
    d::table
        .filter(d::kind.eq(kind.as_str()))
        .filter(d::id.eq(id))
        .select(columns())
        .first::<Row>(conn)
        .found()
        .map(from_row)
}

pub fn create(
    conn: &mut DbConnection,
    actor: Option<i64>,
    kind: DictionaryKind,
    new: &NewDictionaryItem,
) -> RepoResult<DictionaryItem> {
    write_tx(conn, |conn| {
        if let Some(parent) = new.parent_id {
            if !kind.is_tree() {
                return Err(RepoError::invalid(
                    "parent_id",
                    "not_allowed",
                    "only regions have parents",
                ));
            }
            let p = get(conn, kind, parent).map_err(|e| match e {
                RepoError::NotFound => {
                    RepoError::invalid("parent_id", "not_found", "no such entry")
                }
                e => e,
            })?;
            if p.parent_id.is_some() {
                return Err(RepoError::invalid(
                    "parent_id",
                    "too_deep",
                    "regions have two levels: province and city",
                ));
            }
        }
        let at = now();
        let row: Row = diesel::insert_into(d::table)
            .values((
                d::kind.eq(kind.as_str()),
                d::name.eq(new.name.trim()),
                d::name_en.eq(new.name_en.as_deref()),
                d::parent_id.eq(new.parent_id),
                d::sort_order.eq(new.sort_order),
                d::enabled.eq(true),
                d::created_at.eq(at),
                d::updated_at.eq(at),
            ))
            .returning(columns())
            .get_result(conn)
            .map_err(unique)?;
        let item = from_row(row);
        audit::record(
            conn,
            actor,
            "create",
            &format!("dictionary.{}", kind.as_str()),
            Some(item.id),
            view(&item),
        )?;
        Ok(item)
    })
}

pub fn update(
    conn: &mut DbConnection,
    actor: i64,
    kind: DictionaryKind,
    id: i64,
    patch: &DictionaryItemPatch,
) -> RepoResult<DictionaryItem> {
    write_tx(conn, |conn| {
        let old = get(conn, kind, id)?;
        if old.version != patch.version {
            return Err(RepoError::StaleVersion {
                current: old.version,
            });
        }
        let n = diesel::update(d::table.find(id).filter(d::version.eq(patch.version)))
            .set((
                d::name.eq(patch.name.as_deref().map(str::trim).unwrap_or(&old.name)),
                d::name_en.eq(patch.name_en.clone().unwrap_or(old.name_en.clone())),
                d::sort_order.eq(patch.sort_order.unwrap_or(old.sort_order)),
                d::enabled.eq(patch.enabled.unwrap_or(old.enabled)),
                d::updated_at.eq(now()),
                d::version.eq(patch.version + 1),
            ))
            .execute(conn)
            .map_err(unique)?;
        if n == 0 {
            return Err(RepoError::StaleVersion {
                current: old.version,
            });
        }
        let new = get(conn, kind, id)?;
        audit::record(
            conn,
            Some(actor),
            "update",
            &format!("dictionary.{}", kind.as_str()),
            Some(id),
            diff(&view(&old), &view(&new)),
        )?;
        Ok(new)
    })
}

/// Deletes an entry nobody refers to. Entries in use are disabled instead (PATCH `enabled: false`),
/// so that old records keep their meaning.
pub fn delete(
    conn: &mut DbConnection,
    actor: i64,
    kind: DictionaryKind,
    id: i64,
) -> RepoResult<()> {
    write_tx(conn, |conn| {
        let old = get(conn, kind, id)?;
        let children: i64 = d::table
            .filter(d::parent_id.eq(id))
            .count()
            .get_result(conn)?;
        if children > 0 {
            return Err(RepoError::conflict(
                "dictionary_item_in_use",
                "the entry still has sub-entries",
            ));
        }
        diesel::delete(d::table.find(id))
            .execute(conn)
            .map_err(|e| match e {
                diesel::result::Error::DatabaseError(
                    diesel::result::DatabaseErrorKind::ForeignKeyViolation,
                    _,
                ) => RepoError::conflict(
                    "dictionary_item_in_use",
                    "records still refer to this entry; disable it instead",
                ),
                e => e.into(),
            })?;
        audit::record(
            conn,
            Some(actor),
            "delete",
            &format!("dictionary.{}", kind.as_str()),
            Some(id),
            view(&old),
        )?;
        Ok(())
    })
}

/// Last change of any entry; lets clients cache dictionaries.
pub fn last_change(conn: &mut DbConnection) -> RepoResult<Option<NaiveDateTime>> {
    Ok(d::table
        .select(diesel::dsl::max(d::updated_at))
        .first(conn)?)
}
