//! Departments (部门): the tree, as a flat list with `parent_id`.

use crate::actor::Actor;
use crate::audit::{self, diff};
use crate::error::{OptionalFound, is_unique_violation};
use crate::schema::{departments, users};
use crate::sql::{check_version, one_row_updated, patched_text};
use crate::{DbConnection, RepoError, RepoResult, Serial, now, serialize, write_tx};
use chrono::NaiveDateTime;
use crm_domain::api::{Department, DepartmentPatch, NewDepartment};
use crm_domain::scope::would_create_cycle;
use crm_domain::{ErrorCode, msg};
use diesel::prelude::*;
use serde_json::json;
use std::collections::HashMap;

#[derive(Queryable, Selectable)]
#[diesel(table_name = departments)]
struct Row {
    id: i64,
    name: String,
    parent_id: Option<i64>,
    sort_order: i32,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    version: i32,
}

impl Row {
    fn with_users(self, user_count: i64) -> Department {
        Department {
            id: self.id,
            name: self.name,
            parent_id: self.parent_id,
            sort_order: self.sort_order,
            user_count,
            created_at: self.created_at.and_utc(),
            updated_at: self.updated_at.and_utc(),
            version: self.version,
        }
    }
}

fn user_counts(conn: &mut DbConnection, dept: Option<i64>) -> QueryResult<HashMap<i64, i64>> {
    let mut q = users::table
        .group_by(users::department_id)
        .select((users::department_id, diesel::dsl::count_star()))
        .into_boxed();
    if let Some(d) = dept {
        q = q.filter(users::department_id.eq(d));
    }
    Ok(q.load::<(i64, i64)>(conn)?.into_iter().collect())
}

/// Every department; the client builds the tree.
pub fn list(conn: &mut DbConnection) -> RepoResult<Vec<Department>> {
    let counts = user_counts(conn, None)?;
    let rows: Vec<Row> = departments::table
        .filter(departments::id.ne(crate::pool::DEPARTMENT))
        .select(Row::as_select())
        .order((departments::sort_order, departments::id))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let n = counts.get(&r.id).copied().unwrap_or(0);
            r.with_users(n)
        })
        .collect())
}

pub fn get(conn: &mut DbConnection, id: i64) -> RepoResult<Department> {
    let row: Row = departments::table
        .find(id)
        .filter(departments::id.ne(crate::pool::DEPARTMENT))
        .select(Row::as_select())
        .first(conn)
        .found()?;
    let n = user_counts(conn, Some(id))?.get(&id).copied().unwrap_or(0);
    Ok(row.with_users(n))
}

pub(crate) fn exists(conn: &mut DbConnection, id: i64) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        departments::table
            .find(id)
            .filter(departments::id.ne(crate::pool::DEPARTMENT)),
    ))
    .get_result(conn)
}

/// The department of `field` exists: 422 `not_found` otherwise.
pub(crate) fn check_exists(
    conn: &mut DbConnection,
    field: &'static str,
    id: i64,
) -> RepoResult<()> {
    if exists(conn, id)? {
        Ok(())
    } else {
        Err(RepoError::invalid(
            field,
            ErrorCode::NotFound,
            msg!("没有这个部门", "no such department"),
        ))
    }
}

fn map_unique(e: diesel::result::Error) -> RepoError {
    if is_unique_violation(&e) {
        RepoError::conflict(
            ErrorCode::DuplicateName,
            msg!(
                "同一上级部门下已有同名部门",
                "a department with this name already exists under the same parent"
            ),
        )
    } else {
        e.into()
    }
}

fn view(name: &str, parent_id: Option<i64>, sort_order: i32) -> serde_json::Value {
    json!({"name": name, "parent_id": parent_id, "sort_order": sort_order})
}

pub fn create(
    conn: &mut DbConnection,
    actor: &Actor,
    new: &NewDepartment,
) -> RepoResult<Department> {
    write_tx(conn, |conn| {
        serialize(conn, Serial::Organisation)?;
        if let Some(parent) = new.parent_id {
            check_exists(conn, "parent_id", parent)?;
        }
        let at = now();
        let id: i64 = diesel::insert_into(departments::table)
            .values((
                departments::name.eq(new.name.trim()),
                departments::parent_id.eq(new.parent_id),
                departments::sort_order.eq(new.sort_order),
                departments::created_at.eq(at),
                departments::updated_at.eq(at),
            ))
            .returning(departments::id)
            .get_result(conn)
            .map_err(map_unique)?;
        let dept = get(conn, id)?;
        let changes = view(&dept.name, dept.parent_id, dept.sort_order);
        audit::record(conn, actor, "create", "department", Some(dept.id), changes)?;
        Ok(dept)
    })
}

pub fn update(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    patch: &DepartmentPatch,
) -> RepoResult<Department> {
    write_tx(conn, |conn| {
        serialize(conn, Serial::Organisation)?;
        let old = get(conn, id)?;
        check_version(old.version, patch.version)?;
        let name = patched_text(&patch.name, &old.name);
        let parent_id = patch.parent_id.unwrap_or(old.parent_id);
        let sort_order = patch.sort_order.unwrap_or(old.sort_order);
        if parent_id != old.parent_id
            && let Some(parent) = parent_id
        {
            check_exists(conn, "parent_id", parent)?;
            let tree: Vec<(i64, Option<i64>)> = departments::table
                .select((departments::id, departments::parent_id))
                .load(conn)?;
            if would_create_cycle(&tree, id, parent) {
                return Err(RepoError::invalid(
                    "parent_id",
                    ErrorCode::DepartmentCycle,
                    msg!(
                        "部门不能移到它自己的下级",
                        "a department cannot be moved below itself"
                    ),
                ));
            }
        }
        let n = diesel::update(
            departments::table
                .find(id)
                .filter(departments::version.eq(patch.version)),
        )
        .set((
            departments::name.eq(&name),
            departments::parent_id.eq(parent_id),
            departments::sort_order.eq(sort_order),
            departments::updated_at.eq(now()),
            departments::version.eq(patch.version + 1),
        ))
        .execute(conn)
        .map_err(map_unique)?;
        one_row_updated(n, old.version)?;
        let changes = diff(
            &view(&old.name, old.parent_id, old.sort_order),
            &view(&name, parent_id, sort_order),
        );
        audit::record(conn, actor, "update", "department", Some(id), changes)?;
        get(conn, id)
    })
}

/// Deletes an empty department (409 `department_not_empty` while it has users or children).
pub fn delete(conn: &mut DbConnection, actor: &Actor, id: i64) -> RepoResult<()> {
    write_tx(conn, |conn| {
        serialize(conn, Serial::Organisation)?;
        let old = get(conn, id)?;
        if old.user_count > 0 {
            let n = old.user_count;
            return Err(RepoError::conflict(
                ErrorCode::DepartmentNotEmpty,
                msg!(
                    "该部门还有 {n} 名用户，请先调走",
                    "the department still has {n} user(s); move them first"
                ),
            ));
        }
        let children: i64 = departments::table
            .filter(departments::parent_id.eq(id))
            .count()
            .get_result(conn)?;
        if children > 0 {
            return Err(RepoError::conflict(
                ErrorCode::DepartmentNotEmpty,
                msg!(
                    "该部门还有 {children} 个下级部门，请先移走或删除",
                    "the department still has {children} sub-department(s); move or delete them first"
                ),
            ));
        }
        diesel::delete(departments::table.find(id)).execute(conn)?;
        audit::record(
            conn,
            actor,
            "delete",
            "department",
            Some(id),
            json!({"name": old.name}),
        )?;
        Ok(())
    })
}

/// A department's id by its name (the demo generator's lookups).
pub fn find_by_name(conn: &mut DbConnection, name: &str) -> RepoResult<Option<i64>> {
    Ok(departments::table
        .filter(departments::name.eq(name))
        .select(departments::id)
        .first(conn)
        .optional()?)
}

/// The department `root` and every department below it (none when `root` does not exist).
pub fn subtree(conn: &mut DbConnection, root: i64) -> diesel::QueryResult<Vec<i64>> {
    let tree: Vec<(i64, Option<i64>)> = departments::table
        .select((departments::id, departments::parent_id))
        .load(conn)?;
    Ok(
        crm_domain::scope::visible_departments(&tree, root, crm_domain::DataScope::DepartmentTree)
            .unwrap_or_default(),
    )
}
