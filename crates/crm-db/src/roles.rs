//! Roles (角色): permission codes and a data scope. The standard roles carry a stable code.

use crate::actor::Actor;
use crate::audit::{self, diff};
use crate::error::is_unique_violation;
use crate::schema::{departments, role_permissions, roles, user_roles, users};
use crate::sql::{check_version, one_row_updated, patched_text};
use crate::{DbConnection, RepoError, RepoResult, Serial, now, serialize, write_tx};
use chrono::NaiveDateTime;
use crm_domain::api::{NewRole, Role, RolePatch};
use crm_domain::roles::StandardRole;
use crm_domain::{DataScope, ErrorCode, Permission, msg};
use diesel::prelude::*;
use serde_json::json;
use std::collections::HashMap;

#[derive(Queryable, Selectable)]
#[diesel(table_name = roles)]
struct Row {
    id: i64,
    name: String,
    code: Option<String>,
    description: Option<String>,
    data_scope: String,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    version: i32,
}

/// The permissions of several roles in one query.
pub(crate) fn permissions_of(
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

/// An enabled user who holds a permission through one of their roles, with that role's scope.
pub(crate) struct Holder {
    pub user_id: i64,
    pub department_id: i64,
    pub scope: DataScope,
    pub role_code: Option<String>,
}

/// Every enabled user holding `permission`, one row per role that grants it, in one query. The
/// staff of a company is small, so callers narrow this list rather than each writing its own join.
pub(crate) fn holders(conn: &mut DbConnection, permission: Permission) -> QueryResult<Vec<Holder>> {
    let rows: Vec<(i64, i64, String, Option<String>)> =
        users::table
            .inner_join(user_roles::table.inner_join(
                roles::table.inner_join(
                    role_permissions::table.on(role_permissions::role_id.eq(roles::id)),
                ),
            ))
            .filter(users::enabled.eq(true))
            .filter(role_permissions::permission.eq(permission.code()))
            .select((
                users::id,
                users::department_id,
                roles::data_scope,
                roles::code,
            ))
            .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(user_id, department_id, scope, role_code)| {
            Some(Holder {
                user_id,
                department_id,
                scope: DataScope::parse(&scope)?,
                role_code,
            })
        })
        .collect())
}

/// Who holds a permission over whom, read once: the department tree, every user's department and
/// the holders. A job that asks for many people's managers loads it once, not per person.
pub struct Managers {
    tree: HashMap<i64, Option<i64>>,
    homes: HashMap<i64, i64>,
    people: Vec<Holder>,
}

impl Managers {
    pub fn load(conn: &mut DbConnection, permission: Permission) -> QueryResult<Managers> {
        let tree = departments::table
            .select((departments::id, departments::parent_id))
            .load::<(i64, Option<i64>)>(conn)?
            .into_iter()
            .collect();
        let homes = users::table
            .select((users::id, users::department_id))
            .load::<(i64, i64)>(conn)?
            .into_iter()
            .collect();
        Ok(Managers {
            tree,
            homes,
            people: holders(conn, permission)?,
        })
    }

    /// The managers of a user (see [`Managers::in_department`]); none for an unknown user.
    pub fn of(&self, user: i64) -> Vec<i64> {
        self.homes
            .get(&user)
            .map_or_else(Vec::new, |dept| self.in_department(*dept, user))
    }

    /// Those who hold the permission over someone in `department`: the holders with a
    /// department scope in that department, or failing that in the nearest department above it
    /// whose holders' tree scope reaches down — never `except` (the person concerned).
    /// Company-wide roles are not anyone's manager here: they are told by their own reports.
    pub fn in_department(&self, department: i64, except: i64) -> Vec<i64> {
        let mut at = Some(department);
        // Each department is visited once, so a cycle in the data cannot make this loop.
        let mut seen = Vec::new();
        while let Some(dept) = at.filter(|d| !seen.contains(d)) {
            let here = seen.is_empty();
            let mut found: Vec<i64> = self
                .people
                .iter()
                .filter(|h| h.user_id != except && h.department_id == dept)
                .filter(|h| match h.scope {
                    DataScope::DepartmentTree => true,
                    DataScope::Department => here,
                    DataScope::Own | DataScope::All => false,
                })
                .map(|h| h.user_id)
                .collect();
            if !found.is_empty() {
                found.sort_unstable();
                found.dedup();
                return found;
            }
            seen.push(dept);
            at = self.tree.get(&dept).copied().flatten();
        }
        Vec::new()
    }
}

fn load(conn: &mut DbConnection, only: Option<i64>) -> RepoResult<Vec<Role>> {
    let mut q = roles::table
        .select(Row::as_select())
        .order(roles::id)
        .into_boxed();
    if let Some(id) = only {
        q = q.filter(roles::id.eq(id));
    }
    let rows: Vec<Row> = q.load(conn)?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
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
        .map(|r| Role {
            id: r.id,
            name: r.name,
            code: r.code,
            description: r.description,
            permissions: perms.remove(&r.id).unwrap_or_default(),
            data_scope: DataScope::parse(&r.data_scope).unwrap_or(DataScope::Own),
            user_count: counts.get(&r.id).copied().unwrap_or(0),
            created_at: r.created_at.and_utc(),
            updated_at: r.updated_at.and_utc(),
            version: r.version,
        })
        .collect())
}

pub fn list(conn: &mut DbConnection) -> RepoResult<Vec<Role>> {
    load(conn, None)
}

pub fn get(conn: &mut DbConnection, id: i64) -> RepoResult<Role> {
    load(conn, Some(id))?.pop().ok_or(RepoError::NotFound)
}

/// The role a standard role became in this installation, by its code.
pub fn find_standard(conn: &mut DbConnection, role: StandardRole) -> RepoResult<Option<i64>> {
    Ok(roles::table
        .filter(roles::code.eq(role.code()))
        .select(roles::id)
        .first(conn)
        .optional()?)
}

/// Every role id the roles of these ids exist (422 `not_found` on `role_ids` otherwise).
pub(crate) fn check_exist(conn: &mut DbConnection, role_ids: &[i64]) -> RepoResult<()> {
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
            ErrorCode::NotFound,
            msg!("其中有角色不存在", "one of the roles does not exist"),
        ));
    }
    Ok(())
}

fn map_unique(e: diesel::result::Error) -> RepoError {
    if is_unique_violation(&e) {
        RepoError::conflict(
            ErrorCode::DuplicateName,
            msg!("已有同名角色", "a role with this name already exists"),
        )
    } else {
        e.into()
    }
}

fn set_permissions(conn: &mut DbConnection, role_id: i64, perms: &[Permission]) -> QueryResult<()> {
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

fn view(r: &Role) -> serde_json::Value {
    json!({
        "name": r.name,
        "description": r.description,
        "permissions": r.permissions.iter().map(|p| p.code()).collect::<Vec<_>>(),
        "data_scope": r.data_scope.as_str(),
    })
}

pub fn create(conn: &mut DbConnection, actor: &Actor, new: &NewRole) -> RepoResult<Role> {
    insert(conn, actor, new, None)
}

/// Creates a standard role under its code (a new installation's first start).
pub fn create_standard(conn: &mut DbConnection, role: StandardRole) -> RepoResult<Role> {
    let new = NewRole {
        name: role.name().into(),
        description: Some(role.description().into()),
        permissions: role.permissions(),
        data_scope: role.scope(),
    };
    insert(conn, &Actor::system(), &new, Some(role.code()))
}

fn insert(
    conn: &mut DbConnection,
    actor: &Actor,
    new: &NewRole,
    code: Option<&str>,
) -> RepoResult<Role> {
    write_tx(conn, |conn| {
        serialize(conn, Serial::Organisation)?;
        let at = now();
        let id: i64 = diesel::insert_into(roles::table)
            .values((
                roles::name.eq(new.name.trim()),
                roles::code.eq(code),
                roles::description.eq(new.description.as_deref()),
                roles::data_scope.eq(new.data_scope.as_str()),
                roles::created_at.eq(at),
                roles::updated_at.eq(at),
            ))
            .returning(roles::id)
            .get_result(conn)
            .map_err(map_unique)?;
        set_permissions(conn, id, &new.permissions)?;
        let role = get(conn, id)?;
        audit::record(conn, actor, "create", "role", Some(id), view(&role))?;
        Ok(role)
    })
}

/// Changes a role. Whoever holds the role cannot take `admin.roles` from it: that would lock them
/// out of role management (422 `would_lock_out`).
pub fn update(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    patch: &RolePatch,
) -> RepoResult<Role> {
    write_tx(conn, |conn| {
        serialize(conn, Serial::Organisation)?;
        let old = get(conn, id)?;
        check_version(old.version, patch.version)?;
        let holds_role: bool = diesel::select(diesel::dsl::exists(
            user_roles::table
                .filter(user_roles::user_id.eq(actor.id))
                .filter(user_roles::role_id.eq(id)),
        ))
        .get_result(conn)?;
        if holds_role
            && patch
                .permissions
                .as_ref()
                .is_some_and(|perms| !perms.contains(&Permission::AdminRoles))
        {
            return Err(RepoError::invalid(
                "permissions",
                ErrorCode::WouldLockOut,
                msg!(
                    "您拥有这个角色：去掉其中的 admin.roles 会让您无法再管理角色",
                    "you hold this role: removing admin.roles from it would lock you out of role management"
                ),
            ));
        }
        let name = patched_text(&patch.name, &old.name);
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
        .map_err(map_unique)?;
        one_row_updated(n, old.version)?;
        if let Some(perms) = &patch.permissions {
            set_permissions(conn, id, perms)?;
        }
        let new = get(conn, id)?;
        audit::record(
            conn,
            actor,
            "update",
            "role",
            Some(id),
            diff(&view(&old), &view(&new)),
        )?;
        Ok(new)
    })
}

/// Deletes a role no user holds (409 `role_in_use` otherwise).
pub fn delete(conn: &mut DbConnection, actor: &Actor, id: i64) -> RepoResult<()> {
    write_tx(conn, |conn| {
        serialize(conn, Serial::Organisation)?;
        let old = get(conn, id)?;
        if old.user_count > 0 {
            let n = old.user_count;
            return Err(RepoError::conflict(
                ErrorCode::RoleInUse,
                msg!(
                    "还有 {n} 名用户拥有这个角色，请先收回",
                    "{n} user(s) still have this role; take it from them first"
                ),
            ));
        }
        diesel::delete(roles::table.find(id)).execute(conn)?;
        audit::record(conn, actor, "delete", "role", Some(id), view(&old))?;
        Ok(())
    })
}
