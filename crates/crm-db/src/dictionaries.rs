//! Dictionaries (数据字典): the lists behind every drop-down (industries, regions, sources, …).

use crate::actor::Actor;
use crate::audit::{self, diff};
use crate::error::{OptionalFound, is_unique_violation};
use crate::schema::dictionary_items as d;
use crate::sql::{check_version, one_row_updated, patched_text};
use crate::{DbConnection, RepoError, RepoResult, now, write_tx};
use chrono::NaiveDateTime;
use crm_domain::api::{DictionaryItem, DictionaryItemPatch, DictionaryKind, NewDictionaryItem};
use crm_domain::{ErrorCode, msg};
use diesel::prelude::*;
use serde_json::json;

#[derive(Queryable, Selectable)]
#[diesel(table_name = d)]
struct Row {
    id: i64,
    kind: String,
    name: String,
    name_en: Option<String>,
    parent_id: Option<i64>,
    sort_order: i32,
    enabled: bool,
    version: i32,
    probability: Option<i16>,
}

impl From<Row> for DictionaryItem {
    fn from(r: Row) -> Self {
        DictionaryItem {
            id: r.id,
            kind: DictionaryKind::parse(&r.kind).unwrap_or(DictionaryKind::Industry),
            name: r.name,
            name_en: r.name_en,
            parent_id: r.parent_id,
            sort_order: r.sort_order,
            enabled: r.enabled,
            probability: r.probability,
            version: r.version,
        }
    }
}

fn view(i: &DictionaryItem) -> serde_json::Value {
    json!({"name": i.name, "name_en": i.name_en, "parent_id": i.parent_id, "sort_order": i.sort_order, "enabled": i.enabled, "probability": i.probability})
}

fn unique(e: diesel::result::Error) -> RepoError {
    if is_unique_violation(&e) {
        RepoError::conflict(
            ErrorCode::DuplicateName,
            msg!("已有同名条目", "an entry with this name already exists"),
        )
    } else {
        e.into()
    }
}

/// Only opportunity stages carry a probability.
fn check_probability(kind: DictionaryKind, probability: Option<i16>) -> RepoResult<()> {
    if probability.is_some() && kind != DictionaryKind::OpportunityStage {
        return Err(RepoError::invalid(
            "probability",
            ErrorCode::NotAllowed,
            msg!(
                "只有机会阶段有赢单概率",
                "only opportunity stages have a probability"
            ),
        ));
    }
    Ok(())
}

pub fn list(
    conn: &mut DbConnection,
    kind: DictionaryKind,
    include_disabled: bool,
) -> RepoResult<Vec<DictionaryItem>> {
    let mut q = d::table
        .filter(d::kind.eq(kind.as_str()))
        .select(Row::as_select())
        .order((d::sort_order, d::id))
        .into_boxed();
    if !include_disabled {
        q = q.filter(d::enabled.eq(true));
    }
    Ok(q.load::<Row>(conn)?.into_iter().map(Into::into).collect())
}

pub fn get(conn: &mut DbConnection, kind: DictionaryKind, id: i64) -> RepoResult<DictionaryItem> {
    d::table
        .filter(d::kind.eq(kind.as_str()))
        .filter(d::id.eq(id))
        .select(Row::as_select())
        .first::<Row>(conn)
        .found()
        .map(Into::into)
}

pub fn create(
    conn: &mut DbConnection,
    actor: &Actor,
    kind: DictionaryKind,
    new: &NewDictionaryItem,
) -> RepoResult<DictionaryItem> {
    check_probability(kind, new.probability)?;
    write_tx(conn, |conn| {
        if let Some(parent) = new.parent_id {
            if !kind.is_tree() {
                return Err(RepoError::invalid(
                    "parent_id",
                    ErrorCode::NotAllowed,
                    msg!("只有地区有上级", "only regions have parents"),
                ));
            }
            let p = get(conn, kind, parent).map_err(|e| match e {
                RepoError::NotFound => RepoError::invalid(
                    "parent_id",
                    ErrorCode::NotFound,
                    msg!("没有这个条目", "no such entry"),
                ),
                e => e,
            })?;
            if p.parent_id.is_some() {
                return Err(RepoError::invalid(
                    "parent_id",
                    ErrorCode::TooDeep,
                    msg!(
                        "地区只有两级：省和市",
                        "regions have two levels: province and city"
                    ),
                ));
            }
        }
        let at = now();
        let id: i64 = diesel::insert_into(d::table)
            .values((
                d::kind.eq(kind.as_str()),
                d::name.eq(new.name.trim()),
                d::name_en.eq(new.name_en.as_deref()),
                d::parent_id.eq(new.parent_id),
                d::sort_order.eq(new.sort_order),
                d::probability.eq(new.probability),
                d::enabled.eq(true),
                d::created_at.eq(at),
                d::updated_at.eq(at),
            ))
            .returning(d::id)
            .get_result(conn)
            .map_err(unique)?;
        let item = get(conn, kind, id)?;
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
    actor: &Actor,
    kind: DictionaryKind,
    id: i64,
    patch: &DictionaryItemPatch,
) -> RepoResult<DictionaryItem> {
    check_probability(kind, patch.probability)?;
    write_tx(conn, |conn| {
        let old = get(conn, kind, id)?;
        check_version(old.version, patch.version)?;
        let n = diesel::update(d::table.find(id).filter(d::version.eq(patch.version)))
            .set((
                d::name.eq(patched_text(&patch.name, &old.name)),
                d::name_en.eq(patch.name_en.clone().unwrap_or(old.name_en.clone())),
                d::sort_order.eq(patch.sort_order.unwrap_or(old.sort_order)),
                d::enabled.eq(patch.enabled.unwrap_or(old.enabled)),
                d::probability.eq(patch.probability.or(old.probability)),
                d::updated_at.eq(now()),
                d::version.eq(patch.version + 1),
            ))
            .execute(conn)
            .map_err(unique)?;
        one_row_updated(n, old.version)?;
        let new = get(conn, kind, id)?;
        audit::record(
            conn,
            actor,
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
    actor: &Actor,
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
                ErrorCode::DictionaryItemInUse,
                msg!("该条目还有下级条目", "the entry still has sub-entries"),
            ));
        }
        diesel::delete(d::table.find(id))
            .execute(conn)
            .map_err(|e| match e {
                diesel::result::Error::DatabaseError(
                    diesel::result::DatabaseErrorKind::ForeignKeyViolation,
                    _,
                ) => RepoError::conflict(
                    ErrorCode::DictionaryItemInUse,
                    msg!(
                        "仍有记录引用这个条目，请改为停用",
                        "records still refer to this entry; disable it instead"
                    ),
                ),
                e => e.into(),
            })?;
        audit::record(
            conn,
            actor,
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
