//! Organisation (组织架构): departments, users and roles, and the caller's resolved identity.

use crate::audit::{self, diff};
use crate::error::{OptionalFound, is_unique_violation};
use crate::schema::{departments, role_permissions, roles, user_roles, users};
use crate::visibility::{Visible, VisibleTo};
use crate::{DbConnection, RepoError, RepoResult, now, write_tx};
use chrono::NaiveDateTime;
use crm_domain::api::{
    Department, DepartmentPatch, IdName, NewDepartment, NewRole, NewUser, Role, RolePatch, User,
    UserPatch,
};
use crm_domain::{DataScope, Permission, scope::would_create_cycle};
use diesel::prelude::*;
use serde_json::json;
use std::collections::HashMap;

diesel::define_sql_function!(
    /// SQL `lower()`, on both databases.
    fn lower(text: diesel::sql_types::Text) -> diesel::sql_types::Text
);

// ---------------------------------------------------------------------------------------------
// Departments

type DeptRow = (
    i64,
    String,
    Option<i64>,
    i32,
    NaiveDateTime,
    NaiveDateTime,
    i32,
);

fn dept_columns() -> (
    departments::id,
    departments::name,
    departments::parent_id,
    departments::sort_order,
    departments::created_at,
    departments::updated_at,
    departments::version,
) {
    (
        departments::id,
        departments::name,
        departments::parent_id,
        departments::sort_order,
        departments::created_at,
        departments::updated_at,
        departments::version,
    )
}

fn dept_from_row(row: DeptRow, user_count: i64) -> Department {
    let (id, name, parent_id, sort_order, created_at, updated_at, version) = row;
    Department {
        id,
        name,
        parent_id,
        sort_order,
        user_count,
        created_at: created_at.and_utc(),
        updated_at: updated_at.and_utc(),
        version,
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

/// Every department, parents before children's order does not matter: the client builds the tree.
pub fn list_departments(conn: &mut DbConnection) -> RepoResult<Vec<Department>> {
    let counts = user_counts(conn, None)?;
    let rows: Vec<DeptRow> = departments::table
        .select(dept_columns())
        .order((departments::sort_order, departments::id))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let n = counts.get(&r.0).copied().unwrap_or(0);
            dept_from_row(r, n)
        })
        .collect())
}

pub fn get_department(conn: &mut DbConnection, id: i64) -> RepoResult<Department> {
    let row: DeptRow = departments::table
        .find(id)
        .select(dept_columns())
        .first(conn)
        .found()?;
    let n = user_counts(conn, Some(id))?.get(&id).copied().unwrap_or(0);
    Ok(dept_from_row(row, n))
}

fn department_exists(conn: &mut DbConnection, id: i64) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(departments::table.find(id))).get_result(conn)
}

fn map_dept_unique(e: diesel::result::Error) -> RepoError {
    if is_unique_violation(&e) {
        RepoError::conflict(
            "duplicate_name",
            "a department with this name already exists under the same parent",
        )
    } else {
        e.into()
    }
}

pub fn create_department(
    conn: &mut DbConnection,
    actor: i64,
    new: &NewDepartment,
) -> RepoResult<Department> {
    create_department_as(conn, Some(actor), new)
}

/// Creates a department; `actor` is none only for seeding, before any user exists.
pub fn create_department_as(
    conn: &mut DbConnection,
    actor: Option<i64>,
    new: &NewDepartment,
) -> RepoResult<Department> {
    write_tx(conn, |conn| {
        crate::serialize(conn, crate::Serial::Organisation)?;
        if let Some(parent) = new.parent_id
            && !department_exists(conn, parent)?
        {
            return Err(RepoError::invalid(
                "parent_id",
                "not_found",
                "no such department",
            ));
        }
        let at = now();
        let row: DeptRow = diesel::insert_into(departments::table)
            .values((
                departments::name.eq(new.name.trim()),
                departments::parent_id.eq(new.parent_id),
                departments::sort_order.eq(new.sort_order),
                departments::created_at.eq(at),
                departments::updated_at.eq(at),
            ))
            .returning(dept_columns())
            .get_result(conn)
            .map_err(map_dept_unique)?;
        let dept = dept_from_row(row, 0);
        audit::record(
            conn,
            actor,
            "create",
            "department",
            Some(dept.id),
            json!({"name": dept.name, "parent_id": dept.parent_id, "sort_order": dept.sort_order}),
        )?;
        Ok(dept)
    })
}

pub fn update_department(
    conn: &mut DbConnection,
    actor: i64,
    id: i64,
    patch: &DepartmentPatch,
) -> RepoResult<Department> {
    write_tx(conn, |conn| {
        crate::serialize(conn, crate::Serial::Organisation)?;
        let old = get_department(conn, id)?;
        if old.version != patch.version {
            return Err(RepoError::StaleVersion {
                current: old.version,
            });
        }
        let name = patch
            .name
            .as_deref()
            .map(str::trim)
            .unwrap_or(&old.name)
            .to_string();
        let parent_id = patch.parent_id.unwrap_or(old.parent_id);
        let sort_order = patch.sort_order.unwrap_or(old.sort_order);
        if parent_id != old.parent_id
            && let Some(parent) = parent_id
        {
            if !department_exists(conn, parent)? {
                return Err(RepoError::invalid(
                    "parent_id",
                    "not_found",
                    "no such department",
                ));
            }
            let tree: Vec<(i64, Option<i64>)> = departments::table
                .select((departments::id, departments::parent_id))
                .load(conn)?;
            if would_create_cycle(&tree, id, parent) {
                return Err(RepoError::invalid(
                    "parent_id",
                    "department_cycle",
                    "a department cannot be moved below itself",
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
        .map_err(map_dept_unique)?;
        if n == 0 {
            return Err(RepoError::StaleVersion {
                current: old.version,
            });
        }
        let changes = diff(
            &json!({"name": old.name, "parent_id": old.parent_id, "sort_order": old.sort_order}),
            &json!({"name": name, "parent_id": parent_id, "sort_order": sort_order}),
        );
        audit::record(conn, Some(actor), "update", "department", Some(id), changes)?;
        get_department(conn, id)
    })
}

pub fn delete_department(conn: &mut DbConnection, actor: i64, id: i64) -> RepoResult<()> {
    write_tx(conn, |conn| {
        crate::serialize(conn, crate::Serial::Organisation)?;
        let old = get_department(conn, id)?;
        if old.user_count > 0 {
            return Err(RepoError::conflict(
                "department_not_empty",
                format!(
                    "the department still has {} user(s); move them first",
                    old.user_count
                ),
            ));
        }
        let children: i64 = departments::table
            .filter(departments::parent_id.eq(id))
            .count()
            .get_result(conn)?;
        if children > 0 {
            return Err(RepoError::conflict(
                "department_not_empty",
                format!(
                    "the department still has {children} sub-department(s); move or delete them first"
                ),
            ));
        }
        diesel::delete(departments::table.find(id)).execute(conn)?;
        audit::record(
            conn,
            Some(actor),
            "delete",
            "department",
            Some(id),
            json!({"name": old.name}),
        )?;
        Ok(())
    })
}

// ---------------------------------------------------------------------------------------------
// Roles

type RoleRow = (
    i64,
    String,
    Option<String>,
    String,
    NaiveDateTime,
    NaiveDateTime,
    i32,
);

fn role_columns() -> (
    roles::id,
    roles::name,
    roles::description,
    roles::data_scope,
    roles::created_at,
    roles::updated_at,
    roles::version,
) {
    (
        roles::id,
        roles::name,
        roles::description,
        roles::data_scope,
        roles::created_at,
        roles::updated_at,
        roles::version,
    )
}

fn permissions_of(
    conn: &mut DbConnection,
    role_ids: &[i64],
) -> QueryResult<HashMap<i64, Vec<Permission>>> {
    let rows: Vec<(i64, String)> = role_permissions::table
        .filter(role_permissions::role_id.eq_any(role_ids.to_vec()))
        .select((role_permissions::role_id, role_permissions::permission))
        .load(conn)?;
    let mut out: HashMap<i64, Vec<Permission>> = HashMap::new();
    for (role, code) in rows {
        // Codes the catalogue no longer has are ignored rather than failing the whole role.
        if let Some(p) = Permission::parse(&code) {
            out.entry(role).or_default().push(p);
        }
    }
    for perms in out.values_mut() {
        perms.sort();
    }
    Ok(out)
}

fn load_roles(conn: &mut DbConnection, only: Option<i64>) -> RepoResult<Vec<Role>> {
    let mut q = roles::table
        .select(role_columns())
        .order(roles::id)
        .into_boxed();
    if let Some(id) = only {
        q = q.filter(roles::id.eq(id));
    }
    let rows: Vec<RoleRow> = q.load(conn)?;
    let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    let mut perms = permissions_of(conn, &ids)?;
    let counts: HashMap<i64, i64> = user_roles::table
        .filter(user_roles::role_id.eq_any(ids))
        .group_by(user_roles::role_id)
        .select((user_roles::role_id, diesel::dsl::count_star()))
        .load::<(i64, i64)>(conn)?
        .into_iter()
        .collect();
    Ok(rows
        .into_iter()
        .map(
            |(id, name, description, scope, created_at, updated_at, version)| Role {
                id,
                name,
                description,
                permissions: perms.remove(&id).unwrap_or_default(),
                data_scope: DataScope::parse(&scope).unwrap_or(DataScope::Own),
                user_count: counts.get(&id).copied().unwrap_or(0),
                created_at: created_at.and_utc(),
                updated_at: updated_at.and_utc(),
                version,
            },
        )
        .collect())
}

pub fn list_roles(conn: &mut DbConnection) -> RepoResult<Vec<Role>> {
    load_roles(conn, None)
}

pub fn get_role(conn: &mut DbConnection, id: i64) -> RepoResult<Role> {
    load_roles(conn, Some(id))?.pop().ok_or(RepoError::NotFound)
}

fn map_role_unique(e: diesel::result::Error) -> RepoError {
    if is_unique_violation(&e) {
        RepoError::conflict("duplicate_name", "a role with this name already exists")
    } else {
        e.into()
    }
}

fn set_role_permissions(
    conn: &mut DbConnection,
    role_id: i64,
    perms: &[Permission],
) -> QueryResult<()> {
    diesel::delete(role_permissions::table.filter(role_permissions::role_id.eq(role_id)))
        .execute(conn)?;
    let mut codes: Vec<&str> = perms.iter().map(|p| p.code()).collect();
    codes.sort_unstable();
    codes.dedup();
    // MultiConnection has no batch insert; a role has a few dozen permissions at most.
    for code in codes {
        diesel::insert_into(role_permissions::table)
            .values((
                role_permissions::role_id.eq(role_id),
                role_permissions::permission.eq(code),
            ))
            .execute(conn)?;
    }
    Ok(())
}

fn role_audit_view(r: &Role) -> serde_json::Value {
    json!({
        "name": r.name,
        "description": r.description,
        "permissions": r.permissions.iter().map(|p| p.code()).collect::<Vec<_>>(),
        "data_scope": r.data_scope.as_str(),
    })
}

pub fn create_role(conn: &mut DbConnection, actor: Option<i64>, new: &NewRole) -> RepoResult<Role> {
    write_tx(conn, |conn| {
        crate::serialize(conn, crate::Serial::Organisation)?;
        let at = now();
        let id: i64 = diesel::insert_into(roles::table)
            .values((
                roles::name.eq(new.name.trim()),
                roles::description.eq(new.description.as_deref()),
                roles::data_scope.eq(new.data_scope.as_str()),
                roles::created_at.eq(at),
                roles::updated_at.eq(at),
            ))
            .returning(roles::id)
            .get_result(conn)
            .map_err(map_role_unique)?;
        set_role_permissions(conn, id, &new.permissions)?;
        let role = get_role(conn, id)?;
        audit::record(
            conn,
            actor,
            "create",
            "role",
            Some(id),
            role_audit_view(&role),
        )?;
        Ok(role)
    })
}

pub fn update_role(
    conn: &mut DbConnection,
    actor: i64,
    id: i64,
    patch: &RolePatch,
) -> RepoResult<Role> {
    write_tx(conn, |conn| {
        crate::serialize(conn, crate::Serial::Organisation)?;
        let old = get_role(conn, id)?;
        if old.version != patch.version {
            return Err(RepoError::StaleVersion {
                current: old.version,
            });
        }
        let name = patch
            .name
            .as_deref()
            .map(str::trim)
            .unwrap_or(&old.name)
            .to_string();
        let description = patch.description.clone().unwrap_or(old.description.clone());
        let scope = patch.data_scope.unwrap_or(old.data_scope);
        let n = diesel::update(
            roles::table
                .find(id)
                .filter(roles::version.eq(patch.version)),
        )
        .set((
            roles::name.eq(&name),
            roles::description.eq(description),
            roles::data_scope.eq(scope.as_str()),
            roles::updated_at.eq(now()),
            roles::version.eq(patch.version + 1),
        ))
        .execute(conn)
        .map_err(map_role_unique)?;
        if n == 0 {
            return Err(RepoError::StaleVersion {
                current: old.version,
            });
        }
        if let Some(perms) = &patch.permissions {
            set_role_permissions(conn, id, perms)?;
        }
        let new = get_role(conn, id)?;
        audit::record(
            conn,
            Some(actor),
            "update",
            "role",
            Some(id),
            diff(&role_audit_view(&old), &role_audit_view(&new)),
        )?;
        Ok(new)
    })
}

pub fn delete_role(conn: &mut DbConnection, actor: i64, id: i64) -> RepoResult<()> {
    write_tx(conn, |conn| {
        crate::serialize(conn, crate::Serial::Organisation)?;
        let old = get_role(conn, id)?;
        if old.user_count > 0 {
            return Err(RepoError::conflict(
                "role_in_use",
                format!(
                    "{} user(s) still have this role; take it from them first",
                    old.user_count
                ),
            ));
        }
        diesel::delete(roles::table.find(id)).execute(conn)?;
        audit::record(
            conn,
            Some(actor),
            "delete",
            "role",
            Some(id),
            role_audit_view(&old),
        )?;
        Ok(())
    })
}

// ---------------------------------------------------------------------------------------------
// Users

type UserRow = (
    i64,
    String,
    String,
    i64,
    String,
    bool,
    Option<String>,
    Option<String>,
    NaiveDateTime,
    NaiveDateTime,
    i32,
);

/// Roles of many users in one query.
fn roles_of(conn: &mut DbConnection, user_ids: &[i64]) -> QueryResult<HashMap<i64, Vec<IdName>>> {
    let rows: Vec<(i64, i64, String)> = user_roles::table
        .inner_join(roles::table)
        .filter(user_roles::user_id.eq_any(user_ids.to_vec()))
        .select((user_roles::user_id, roles::id, roles::name))
        .order((user_roles::user_id, roles::id))
        .load(conn)?;
    let mut out: HashMap<i64, Vec<IdName>> = HashMap::new();
    for (user, id, name) in rows {
        out.entry(user).or_default().push(IdName { id, name });
    }
    Ok(out)
}

fn users_from_rows(conn: &mut DbConnection, rows: Vec<UserRow>) -> QueryResult<Vec<User>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    let mut roles = roles_of(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(
            |(
                id,
                username,
                display_name,
                dept_id,
                dept_name,
                enabled,
                email,
                phone,
                created_at,
                updated_at,
                version,
            )| User {
                id,
                username,
                display_name,
                department: IdName {
                    id: dept_id,
                    name: dept_name,
                },
                roles: roles.remove(&id).unwrap_or_default(),
                enabled,
                email,
                phone,
                created_at: created_at.and_utc(),
                updated_at: updated_at.and_utc(),
                version,
            },
        )
        .collect())
}

#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    pub department_id: Option<i64>,
    pub role_id: Option<i64>,
    pub enabled: Option<bool>,
    pub q: Option<String>,
    pub after_id: Option<i64>,
    pub limit: i64,
}

/// Users within `visible`, in id order, keyset-paginated.
pub fn list_users(
    conn: &mut DbConnection,
    visible: &Visible,
    f: &UserFilter,
) -> RepoResult<Vec<User>> {
    let mut q = users::table
        .inner_join(departments::table)
        .select((
            users::id,
            users::username,
            users::display_name,
            users::department_id,
            departments::name,
            users::enabled,
            users::email,
            users::phone,
            users::created_at,
            users::updated_at,
            users::version,
        ))
        .order(users::id)
        .limit(f.limit)
        .into_boxed()
        .visible_to(users::id, visible);
    if let Some(d) = f.department_id {
        q = q.filter(users::department_id.eq(d));
    }
    if let Some(r) = f.role_id {
        q = q.filter(
            users::id.eq_any(
                user_roles::table
                    .filter(user_roles::role_id.eq(r))
                    .select(user_roles::user_id),
            ),
        );
    }
    if let Some(e) = f.enabled {
        q = q.filter(users::enabled.eq(e));
    }
    if let Some(text) = f.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        let pattern = contains_pattern(text);
        q = q.filter(
            lower(users::username)
                .like(pattern.clone())
                .escape('\\')
                .or(lower(users::display_name).like(pattern).escape('\\')),
        );
    }
    if let Some(after) = f.after_id {
        q = q.filter(users::id.gt(after));
    }
    let rows: Vec<UserRow> = q.load(conn)?;
    Ok(users_from_rows(conn, rows)?)
}

/// A case-insensitive "contains" pattern, to be compared with `lower(column) LIKE … ESCAPE '\\'`
/// (lower() on both sides: LIKE ignores case on SQLite but not on PostgreSQL).
pub fn contains_pattern(text: &str) -> String {
    format!("%{}%", escape_like(&text.to_lowercase()))
}

/// `%` and `_` typed by a user are literal characters, not wildcards.
pub fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// One user if visible; 404 otherwise.
pub fn get_user(conn: &mut DbConnection, visible: &Visible, id: i64) -> RepoResult<User> {
    if !visible.sees(id) {
        return Err(RepoError::NotFound);
    }
    let row: UserRow = users::table
        .inner_join(departments::table)
        .filter(users::id.eq(id))
        .select((
            users::id,
            users::username,
            users::display_name,
            users::department_id,
            departments::name,
            users::enabled,
            users::email,
            users::phone,
            users::created_at,
            users::updated_at,
            users::version,
        ))
        .first(conn)
        .found()?;
    users_from_rows(conn, vec![row])?
        .pop()
        .ok_or(RepoError::NotFound)
}

fn check_roles_exist(conn: &mut DbConnection, role_ids: &[i64]) -> RepoResult<()> {
    let mut wanted = role_ids.to_vec();
    wanted.sort_unstable();
    wanted.dedup();
    let found: i64 = roles::table
        .filter(roles::id.eq_any(wanted.clone()))
        .count()
        .get_result(conn)?;
    if found as usize != wanted.len() {
        return Err(RepoError::invalid(
            "role_ids",
            "not_found",
            "one of the roles does not exist",
        ));
    }
    Ok(())
}

fn set_user_roles(conn: &mut DbConnection, user_id: i64, role_ids: &[i64]) -> QueryResult<()> {
    diesel::delete(user_roles::table.filter(user_roles::user_id.eq(user_id))).execute(conn)?;
    let mut ids = role_ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    for role in ids {
        diesel::insert_into(user_roles::table)
            .values((
                user_roles::user_id.eq(user_id),
                user_roles::role_id.eq(role),
            ))
            .execute(conn)?;
    }
    Ok(())
}

fn user_audit_view(u: &User) -> serde_json::Value {
    json!({
        "display_name": u.display_name,
        "department_id": u.department.id,
        "role_ids": u.roles.iter().map(|r| r.id).collect::<Vec<_>>(),
        "enabled": u.enabled,
        "email": u.email,
        "phone": u.phone,
    })
}

pub fn create_user(
    conn: &mut DbConnection,
    actor: Option<i64>,
    new: &NewUser,
    password_hash: &str,
) -> RepoResult<User> {
    write_tx(conn, |conn| {
        crate::serialize(conn, crate::Serial::Organisation)?;
        if !department_exists(conn, new.department_id)? {
            return Err(RepoError::invalid(
                "department_id",
                "not_found",
                "no such department",
            ));
        }
        check_roles_exist(conn, &new.role_ids)?;
        let at = now();
        let id: i64 = diesel::insert_into(users::table)
            .values((
                users::username.eq(&new.username),
                users::display_name.eq(new.display_name.trim()),
                users::password_hash.eq(password_hash),
                users::department_id.eq(new.department_id),
                users::enabled.eq(true),
                users::email.eq(new.email.as_deref()),
                users::phone.eq(new.phone.as_deref()),
                users::created_at.eq(at),
                users::updated_at.eq(at),
            ))
            .returning(users::id)
            .get_result(conn)
            .map_err(|e| {
                if is_unique_violation(&e) {
                    RepoError::conflict(
                        "duplicate_username",
                        format!("the username `{}` is taken", new.username),
                    )
                } else {
                    e.into()
                }
            })?;
        set_user_roles(conn, id, &new.role_ids)?;
        let user = get_user(conn, &Visible::All, id)?;
        let mut view = user_audit_view(&user);
        view["username"] = json!(user.username);
        audit::record(conn, actor, "create", "user", Some(id), view)?;
        Ok(user)
    })
}

pub fn update_user(
    conn: &mut DbConnection,
    actor: i64,
    id: i64,
    patch: &UserPatch,
) -> RepoResult<User> {
    write_tx(conn, |conn| {
        crate::serialize(conn, crate::Serial::Organisation)?;
        let old = get_user(conn, &Visible::All, id)?;
        if old.version != patch.version {
            return Err(RepoError::StaleVersion {
                current: old.version,
            });
        }
        if let Some(d) = patch.department_id
            && !department_exists(conn, d)?
        {
            return Err(RepoError::invalid(
                "department_id",
                "not_found",
                "no such department",
            ));
        }
        if let Some(roles) = &patch.role_ids {
            check_roles_exist(conn, roles)?;
        }
        let n = diesel::update(
            users::table
                .find(id)
                .filter(users::version.eq(patch.version)),
        )
        .set((
            users::display_name.eq(patch
                .display_name
                .as_deref()
                .map(str::trim)
                .unwrap_or(&old.display_name)),
            users::department_id.eq(patch.department_id.unwrap_or(old.department.id)),
            users::email.eq(patch.email.clone().unwrap_or(old.email.clone())),
            users::phone.eq(patch.phone.clone().unwrap_or(old.phone.clone())),
            users::updated_at.eq(now()),
            users::version.eq(patch.version + 1),
        ))
        .execute(conn)?;
        if n == 0 {
            return Err(RepoError::StaleVersion {
                current: old.version,
            });
        }
        if let Some(roles) = &patch.role_ids {
            set_user_roles(conn, id, roles)?;
        }
        let new = get_user(conn, &Visible::All, id)?;
        audit::record(
            conn,
            Some(actor),
            "update",
            "user",
            Some(id),
            diff(&user_audit_view(&old), &user_audit_view(&new)),
        )?;
        Ok(new)
    })
}

/// Enables or disables a user. Disabling ends every session and personal token of that user in the
/// same transaction, so nothing they hold works a moment later.
pub fn set_user_enabled(
    conn: &mut DbConnection,
    actor: i64,
    id: i64,
    enabled: bool,
) -> RepoResult<User> {
    write_tx(conn, |conn| {
        crate::serialize(conn, crate::Serial::Organisation)?;
        let old = get_user(conn, &Visible::All, id)?;
        diesel::update(users::table.find(id))
            .set((
                users::enabled.eq(enabled),
                users::updated_at.eq(now()),
                users::version.eq(old.version + 1),
            ))
            .execute(conn)?;
        let mut changes = json!({"enabled": {"old": old.enabled, "new": enabled}});
        if !enabled {
            let sessions = crate::auth::end_user_sessions(conn, id, None)?;
            let tokens = crate::auth::revoke_user_api_tokens(conn, id)?;
            changes["sessions_ended"] = json!(sessions);
            changes["tokens_revoked"] = json!(tokens);
        }
        audit::record(
            conn,
            Some(actor),
            if enabled { "enable" } else { "disable" },
            "user",
            Some(id),
            changes,
        )?;
        get_user(conn, &Visible::All, id)
    })
}

/// Sets a new password hash; ends the user's other sessions (all of them when `keep` is none).
pub fn set_password(
    conn: &mut DbConnection,
    actor: i64,
    id: i64,
    hash: &str,
    keep_session: Option<i64>,
) -> RepoResult<()> {
    write_tx(conn, |conn| {
        crate::serialize(conn, crate::Serial::Organisation)?;
        let n = diesel::update(users::table.find(id))
            .set((users::password_hash.eq(hash), users::updated_at.eq(now())))
            .execute(conn)?;
        if n == 0 {
            return Err(RepoError::NotFound);
        }
        crate::auth::end_user_sessions(conn, id, keep_session)?;
        if actor != id {
            // An administrator's reset evicts whoever else held the account, scripts included.
            crate::auth::revoke_user_api_tokens(conn, id)?;
        }
        let action = if actor == id {
            "change_password"
        } else {
            "reset_password"
        };
        audit::record(conn, Some(actor), action, "user", Some(id), json!({}))?;
        Ok(())
    })
}

/// What login needs to know about a username.
pub struct Credentials {
    pub user_id: i64,
    pub password_hash: String,
    pub enabled: bool,
}

pub fn credentials(conn: &mut DbConnection, username: &str) -> RepoResult<Option<Credentials>> {
    Ok(users::table
        .filter(users::username.eq(username))
        .select((users::id, users::password_hash, users::enabled))
        .first::<(i64, String, bool)>(conn)
        .optional()?
        .map(|(user_id, password_hash, enabled)| Credentials {
            user_id,
            password_hash,
            enabled,
        }))
}

pub fn password_hash(conn: &mut DbConnection, id: i64) -> RepoResult<String> {
    users::table
        .find(id)
        .select(users::password_hash)
        .first(conn)
        .found()
}

/// The caller as the API needs them on every request: identity, roles, permissions, widest scope.
#[derive(Debug, Clone)]
pub struct CallerRecord {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub department: IdName,
    pub roles: Vec<IdName>,
    pub permissions: Vec<Permission>,
    pub scope: DataScope,
}

pub fn load_caller(conn: &mut DbConnection, user_id: i64) -> RepoResult<Option<CallerRecord>> {
    let found: Option<(i64, String, String, i64, String)> = users::table
        .inner_join(departments::table)
        .filter(users::id.eq(user_id))
        .filter(users::enabled.eq(true))
        .select((
            users::id,
            users::username,
            users::display_name,
            departments::id,
            departments::name,
        ))
        .first(conn)
        .optional()?;
    let Some((id, username, display_name, dept_id, dept_name)) = found else {
        return Ok(None);
    };
    let role_rows: Vec<(i64, String, String)> = user_roles::table
        .inner_join(roles::table)
        .filter(user_roles::user_id.eq(id))
        .select((roles::id, roles::name, roles::data_scope))
        .order(roles::id)
        .load(conn)?;
    let role_ids: Vec<i64> = role_rows.iter().map(|r| r.0).collect();
    let mut permissions: Vec<Permission> = permissions_of(conn, &role_ids)?
        .into_values()
        .flatten()
        .collect();
    permissions.sort();
    permissions.dedup();
    let scope = DataScope::widest(role_rows.iter().filter_map(|r| DataScope::parse(&r.2)));
    Ok(Some(CallerRecord {
        id,
        username,
        display_name,
        department: IdName {
            id: dept_id,
            name: dept_name,
        },
        roles: role_rows
            .into_iter()
            .map(|(id, name, _)| IdName { id, name })
            .collect(),
        permissions,
        scope,
    }))
}

/// Whether the database has no users yet (the demo company is only seeded into an empty one).
pub fn is_empty(conn: &mut DbConnection) -> RepoResult<bool> {
    Ok(count_users(conn)? == 0)
}

pub fn count_users(conn: &mut DbConnection) -> RepoResult<i64> {
    Ok(users::table.count().get_result(conn)?)
}

pub fn find_role_by_name(conn: &mut DbConnection, name: &str) -> RepoResult<Option<i64>> {
    Ok(roles::table
        .filter(roles::name.eq(name))
        .select(roles::id)
        .first(conn)
        .optional()?)
}

pub fn find_department_by_name(conn: &mut DbConnection, name: &str) -> RepoResult<Option<i64>> {
    Ok(departments::table
        .filter(departments::name.eq(name))
        .select(departments::id)
        .first(conn)
        .optional()?)
}
