//! Users (用户): who works here, in which department, with which roles. A caller sees the users
//! within their data scope; administrators (`admin.users`) see everyone.

use crate::actor::Actor;
use crate::audit::{self, diff};
use crate::error::{OptionalFound, is_unique_violation};
use crate::paging::PageRequest;
use crate::schema::{departments, roles, user_roles, users};
use crate::sql::{check_version, contains_pattern, lower, one_row_updated, patched_text};
use crate::visibility::{Visible, VisibleTo};
use crate::{DbConnection, RepoError, RepoResult, Serial, now, serialize, write_tx};
use chrono::NaiveDateTime;
use crm_domain::api::{IdName, NewUser, Page, User, UserPatch, UserQuery};
use crm_domain::{ErrorCode, Lang, Permission, msg};
use diesel::prelude::*;
use serde_json::json;
use std::collections::HashMap;

#[derive(Queryable, Selectable)]
#[diesel(table_name = users)]
struct UserRow {
    id: i64,
    username: String,
    display_name: String,
    enabled: bool,
    email: Option<String>,
    phone: Option<String>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    version: i32,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = departments)]
struct DeptRow {
    id: i64,
    name: String,
}

type Row = (UserRow, DeptRow);

/// The users an actor may look up: everyone for administrators, else their scope.
fn scope_of(actor: &Actor) -> &Visible {
    if actor.has(Permission::AdminUsers) {
        &Visible::All
    } else {
        &actor.visible
    }
}

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

fn with_roles(conn: &mut DbConnection, rows: Vec<Row>) -> QueryResult<Vec<User>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.0.id).collect();
    let mut roles = roles_of(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|(u, d)| User {
            id: u.id,
            username: u.username,
            display_name: u.display_name,
            department: IdName {
                id: d.id,
                name: d.name,
            },
            roles: roles.remove(&u.id).unwrap_or_default(),
            enabled: u.enabled,
            email: u.email,
            phone: u.phone,
            created_at: u.created_at.and_utc(),
            updated_at: u.updated_at.and_utc(),
            version: u.version,
        })
        .collect())
}

/// Users within the actor's reach, in id order, a page at a time.
pub fn list(conn: &mut DbConnection, actor: &Actor, f: &UserQuery) -> RepoResult<Page<User>> {
    let page = PageRequest::<i64>::new(f.limit, f.cursor.as_deref(), "users")?;
    let mut q = users::table
        .inner_join(departments::table)
        .select((UserRow::as_select(), DeptRow::as_select()))
        .order(users::id)
        .limit(page.fetch())
        .into_boxed()
        .filter(users::id.ne(crate::pool::OWNER))
        .visible_to(users::id, scope_of(actor));
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
    if let Some(after) = page.after {
        q = q.filter(users::id.gt(after));
    }
    let rows: Vec<Row> = q.load(conn)?;
    Ok(page.page(with_roles(conn, rows)?, |u| u.id))
}

/// One user within the actor's reach; 404 otherwise.
pub fn get(conn: &mut DbConnection, actor: &Actor, id: i64) -> RepoResult<User> {
    fetch(conn, scope_of(actor), id)
}

fn fetch(conn: &mut DbConnection, visible: &Visible, id: i64) -> RepoResult<User> {
    // The pool's reserved owner is nobody's user to see or edit.
    if !visible.sees(id) || id == crate::pool::OWNER {
        return Err(RepoError::NotFound);
    }
    let row: Row = users::table
        .inner_join(departments::table)
        .filter(users::id.eq(id))
        .select((UserRow::as_select(), DeptRow::as_select()))
        .first(conn)
        .found()?;
    with_roles(conn, vec![row])?
        .pop()
        .ok_or(RepoError::NotFound)
}

fn set_roles(conn: &mut DbConnection, user_id: i64, role_ids: &[i64]) -> QueryResult<()> {
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

fn view(u: &User) -> serde_json::Value {
    json!({
        "display_name": u.display_name,
        "department_id": u.department.id,
        "role_ids": u.roles.iter().map(|r| r.id).collect::<Vec<_>>(),
        "enabled": u.enabled,
        "email": u.email,
        "phone": u.phone,
    })
}

/// Creates a user with an already hashed password.
pub fn create(
    conn: &mut DbConnection,
    actor: &Actor,
    new: &NewUser,
    password_hash: &str,
) -> RepoResult<User> {
    write_tx(conn, |conn| {
        serialize(conn, Serial::Organisation)?;
        crate::departments::check_exists(conn, "department_id", new.department_id)?;
        crate::roles::check_exist(conn, &new.role_ids)?;
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
                    let name = &new.username;
                    RepoError::conflict(
                        ErrorCode::DuplicateUsername,
                        msg!("用户名 `{name}` 已被占用", "the username `{name}` is taken"),
                    )
                } else {
                    e.into()
                }
            })?;
        set_roles(conn, id, &new.role_ids)?;
        let user = fetch(conn, &Visible::All, id)?;
        let mut changes = view(&user);
        changes["username"] = json!(user.username);
        audit::record(conn, actor, "create", "user", Some(id), changes)?;
        Ok(user)
    })
}

/// Changes a user. Nobody changes their own roles (422 `cannot_change_own_roles`): another
/// administrator must.
pub fn update(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    patch: &UserPatch,
) -> RepoResult<User> {
    if id == actor.id && patch.role_ids.is_some() {
        return Err(RepoError::invalid(
            "role_ids",
            ErrorCode::CannotChangeOwnRoles,
            msg!(
                "须由另一位管理员修改您的角色",
                "another administrator must change your roles"
            ),
        ));
    }
    write_tx(conn, |conn| {
        serialize(conn, Serial::Organisation)?;
        let old = fetch(conn, &Visible::All, id)?;
        check_version(old.version, patch.version)?;
        if let Some(d) = patch.department_id {
            crate::departments::check_exists(conn, "department_id", d)?;
        }
        if let Some(roles) = &patch.role_ids {
            crate::roles::check_exist(conn, roles)?;
        }
        let n = diesel::update(
            users::table
                .find(id)
                .filter(users::version.eq(patch.version)),
        )
        .set((
            users::display_name.eq(patched_text(&patch.display_name, &old.display_name)),
            users::department_id.eq(patch.department_id.unwrap_or(old.department.id)),
            users::email.eq(patch.email.clone().unwrap_or(old.email.clone())),
            users::phone.eq(patch.phone.clone().unwrap_or(old.phone.clone())),
            users::updated_at.eq(now()),
            users::version.eq(patch.version + 1),
        ))
        .execute(conn)?;
        one_row_updated(n, old.version)?;
        if let Some(roles) = &patch.role_ids {
            set_roles(conn, id, roles)?;
        }
        let new = fetch(conn, &Visible::All, id)?;
        audit::record(
            conn,
            actor,
            "update",
            "user",
            Some(id),
            diff(&view(&old), &view(&new)),
        )?;
        Ok(new)
    })
}

/// Enables or disables a user. Disabling ends every session and personal token of that user in the
/// same transaction, so nothing they hold works a moment later; nobody disables themselves.
pub fn set_enabled(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    enabled: bool,
) -> RepoResult<User> {
    if !enabled && id == actor.id {
        return Err(RepoError::rule(
            ErrorCode::CannotDisableSelf,
            msg!("不能停用自己的账号", "you cannot disable your own account"),
        ));
    }
    write_tx(conn, |conn| {
        serialize(conn, Serial::Organisation)?;
        let old = fetch(conn, &Visible::All, id)?;
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
        let action = if enabled { "enable" } else { "disable" };
        audit::record(conn, actor, action, "user", Some(id), changes)?;
        fetch(conn, &Visible::All, id)
    })
}

/// Sets a new password hash for `id`: the actor's own (their other sessions end; `keep_session`
/// stays), or, by an administrator, someone else's (all their sessions and tokens end).
pub fn set_password(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    hash: &str,
    keep_session: Option<i64>,
) -> RepoResult<()> {
    write_tx(conn, |conn| {
        serialize(conn, Serial::Organisation)?;
        let n = diesel::update(users::table.find(id))
            .set((users::password_hash.eq(hash), users::updated_at.eq(now())))
            .execute(conn)?;
        if n == 0 {
            return Err(RepoError::NotFound);
        }
        crate::auth::end_user_sessions(conn, id, keep_session)?;
        let own = actor.id == id;
        if !own {
            // An administrator's reset evicts whoever else held the account, scripts included.
            crate::auth::revoke_user_api_tokens(conn, id)?;
        }
        let action = if own {
            "change_password"
        } else {
            "reset_password"
        };
        audit::record(conn, actor, action, "user", Some(id), json!({}))?;
        Ok(())
    })
}

/// An administrator's password reset of someone else (422 `use_me_password` for oneself): checks
/// the user exists before the caller spends time hashing.
pub fn check_resettable(conn: &mut DbConnection, actor: &Actor, id: i64) -> RepoResult<()> {
    if id == actor.id {
        return Err(RepoError::rule(
            ErrorCode::UseMePassword,
            msg!(
                "请用 POST /me/password 修改自己的密码",
                "change your own password with POST /me/password"
            ),
        ));
    }
    fetch(conn, &Visible::All, id).map(drop)
}

/// The language the user chose for what the server tells them; none: their browser's.
pub fn set_language(
    conn: &mut DbConnection,
    actor: &Actor,
    language: Option<Lang>,
) -> RepoResult<()> {
    diesel::update(users::table.find(actor.id))
        .set(users::language.eq(language.map(Lang::code)))
        .execute(conn)?;
    Ok(())
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

/// Whether the database has no users yet (the demo company is only seeded into an empty one).
pub fn is_empty(conn: &mut DbConnection) -> RepoResult<bool> {
    Ok(count(conn)? == 0)
}

pub fn count(conn: &mut DbConnection) -> RepoResult<i64> {
    Ok(users::table
        .filter(users::id.ne(crate::pool::OWNER))
        .count()
        .get_result(conn)?)
}

/// Whether a record may be given to `owner`: an enabled user within the actor's scope, or 422
/// `not_found` on `owner_id` (which does not tell disabled from invisible).
pub(crate) fn check_assignable(
    conn: &mut DbConnection,
    actor: &Actor,
    owner: i64,
) -> RepoResult<()> {
    let enabled: Option<bool> = users::table
        .find(owner)
        .select(users::enabled)
        .first(conn)
        .optional()?;
    if enabled != Some(true) || !actor.sees(owner) {
        return Err(RepoError::invalid(
            "owner_id",
            ErrorCode::NotFound,
            msg!(
                "您的范围内没有这个启用的用户",
                "no such enabled user within your scope"
            ),
        ));
    }
    Ok(())
}
