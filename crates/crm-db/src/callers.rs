//! The caller as the API needs them on every request: identity, roles, permissions, the widest data
//! scope of their roles, and the language they chose.

use crate::schema::{departments, roles, user_roles, users};
use crate::{DbConnection, RepoResult};
use crm_domain::api::IdName;
use crm_domain::{DataScope, Lang, Permission};
use diesel::prelude::*;

#[derive(Debug, Clone)]
pub struct CallerRecord {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub department: IdName,
    pub roles: Vec<IdName>,
    /// Sorted.
    pub permissions: Vec<Permission>,
    pub scope: DataScope,
    pub language: Option<Lang>,
}

/// An enabled user as a caller; none when the user is missing or disabled.
pub fn load(conn: &mut DbConnection, user_id: i64) -> RepoResult<Option<CallerRecord>> {
    let found: Option<(i64, String, String, Option<String>, i64, String)> = users::table
        .inner_join(departments::table)
        .filter(users::id.eq(user_id))
        .filter(users::enabled.eq(true))
        .select((
            users::id,
            users::username,
            users::display_name,
            users::language,
            departments::id,
            departments::name,
        ))
        .first(conn)
        .optional()?;
    let Some((id, username, display_name, language, dept_id, dept_name)) = found else {
        return Ok(None);
    };
    let role_rows: Vec<(i64, String, String)> = user_roles::table
        .inner_join(roles::table)
        .filter(user_roles::user_id.eq(id))
        .select((roles::id, roles::name, roles::data_scope))
        .order(roles::id)
        .load(conn)?;
    let role_ids: Vec<i64> = role_rows.iter().map(|r| r.0).collect();
    let mut permissions: Vec<Permission> = crate::roles::permissions_of(conn, &role_ids)?
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
        language: language.as_deref().and_then(Lang::from_tag),
    }))
}
