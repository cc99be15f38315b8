//! Sessions, refresh-token rotation, personal API tokens, login throttling and the server's secrets.
//! Only hashes of tokens are stored; the API layer makes and hashes the secrets.

use crate::actor::Actor;
use crate::schema::{api_tokens, app_secrets, login_throttle, refresh_tokens, sessions, users};
use crate::{DbConnection, RepoError, RepoResult, now, write_tx};
use chrono::{Duration, NaiveDate, NaiveDateTime};
use crm_domain::api::{ApiToken, NewApiToken};
use diesel::prelude::*;

/// What presenting a refresh token led to.
#[derive(Debug, PartialEq, Eq)]
pub enum Rotation {
    /// The token was current: it is now used up and `new_hash` replaces it.
    Rotated { user_id: i64, session_id: i64 },
    /// The token had already been used: someone replayed it, so the whole session was ended.
    Reused,
    /// Unknown, expired or ended.
    Invalid,
}

/// session id, used_at, user id, session expiry, session revoked_at, user enabled
type RefreshRow = (
    i64,
    Option<NaiveDateTime>,
    i64,
    NaiveDateTime,
    Option<NaiveDateTime>,
    bool,
);

/// Starts a session with its first refresh token; returns the session id.
pub fn start_session(
    conn: &mut DbConnection,
    user_id: i64,
    refresh_hash: &str,
    lifetime: Duration,
) -> RepoResult<i64> {
    write_tx(conn, |conn| {
        let at = now();
        let id: i64 = diesel::insert_into(sessions::table)
            .values((
                sessions::user_id.eq(user_id),
                sessions::created_at.eq(at),
                sessions::expires_at.eq(at + lifetime),
            ))
            .returning(sessions::id)
            .get_result(conn)?;
        diesel::insert_into(refresh_tokens::table)
            .values((
                refresh_tokens::token_hash.eq(refresh_hash),
                refresh_tokens::session_id.eq(id),
                refresh_tokens::created_at.eq(at),
            ))
            .execute(conn)?;
        Ok(id)
    })
}

/// Exchanges a refresh token for a new one. A token used twice ends its session: the legitimate
/// holder and the thief both have to log in again, and the thief's copy is worthless.
pub fn rotate(
    conn: &mut DbConnection,
    presented_hash: &str,
    new_hash: &str,
) -> RepoResult<Rotation> {
    write_tx(conn, |conn| {
        let at = now();
        let found: Option<RefreshRow> = refresh_tokens::table
            .inner_join(sessions::table.inner_join(users::table))
            .filter(refresh_tokens::token_hash.eq(presented_hash))
            .select((
                sessions::id,
                refresh_tokens::used_at,
                sessions::user_id,
                sessions::expires_at,
                sessions::revoked_at,
                users::enabled,
            ))
            .first(conn)
            .optional()?;
        let Some((session_id, used_at, user_id, expires_at, revoked_at, enabled)) = found else {
            return Ok(Rotation::Invalid);
        };
        if revoked_at.is_some() || expires_at <= at || !enabled {
            return Ok(Rotation::Invalid);
        }
        // Marking it used only if nobody else did in the meantime: of two concurrent presentations
        // exactly one rotates, and the other counts as reuse.
        let claimed = if used_at.is_some() {
            0
        } else {
            diesel::update(
                refresh_tokens::table
                    .find(presented_hash)
                    .filter(refresh_tokens::used_at.is_null()),
            )
            .set(refresh_tokens::used_at.eq(at))
            .execute(conn)?
        };
        if claimed == 0 {
            end_session(conn, session_id)?;
            return Ok(Rotation::Reused);
        }
        diesel::insert_into(refresh_tokens::table)
            .values((
                refresh_tokens::token_hash.eq(new_hash),
                refresh_tokens::session_id.eq(session_id),
                refresh_tokens::created_at.eq(at),
            ))
            .execute(conn)?;
        Ok(Rotation::Rotated {
            user_id,
            session_id,
        })
    })
}

/// The session a refresh token belongs to, if it is still the current one.
pub fn session_of_refresh(conn: &mut DbConnection, hash: &str) -> RepoResult<Option<i64>> {
    Ok(refresh_tokens::table
        .filter(refresh_tokens::token_hash.eq(hash))
        .filter(refresh_tokens::used_at.is_null())
        .select(refresh_tokens::session_id)
        .first(conn)
        .optional()?)
}

pub fn end_session(conn: &mut DbConnection, session_id: i64) -> QueryResult<()> {
    diesel::update(
        sessions::table
            .find(session_id)
            .filter(sessions::revoked_at.is_null()),
    )
    .set(sessions::revoked_at.eq(now()))
    .execute(conn)
    .map(drop)
}

/// Ends every session of a user except `keep` (the caller's own, when they change their password).
pub fn end_user_sessions(
    conn: &mut DbConnection,
    user_id: i64,
    keep: Option<i64>,
) -> QueryResult<usize> {
    diesel::update(
        sessions::table
            .filter(sessions::user_id.eq(user_id))
            .filter(sessions::revoked_at.is_null())
            .filter(sessions::id.ne(keep.unwrap_or(-1))),
    )
    .set(sessions::revoked_at.eq(now()))
    .execute(conn)
}

/// Whether an access token's session is still alive for an enabled user.
pub fn session_is_active(
    conn: &mut DbConnection,
    session_id: i64,
    user_id: i64,
) -> RepoResult<bool> {
    let at = now();
    let n: i64 = sessions::table
        .inner_join(users::table)
        .filter(sessions::id.eq(session_id))
        .filter(sessions::user_id.eq(user_id))
        .filter(sessions::revoked_at.is_null())
        .filter(sessions::expires_at.gt(at))
        .filter(users::enabled.eq(true))
        .count()
        .get_result(conn)?;
    Ok(n == 1)
}

// ---------------------------------------------------------------------------------------------
// Personal API tokens

#[derive(Queryable, Selectable)]
#[diesel(table_name = api_tokens)]
struct TokenRow {
    id: i64,
    name: String,
    prefix: String,
    created_at: NaiveDateTime,
    last_used_at: Option<NaiveDateTime>,
    expires_on: Option<NaiveDate>,
}

impl From<TokenRow> for ApiToken {
    fn from(row: TokenRow) -> ApiToken {
        ApiToken {
            id: row.id,
            name: row.name,
            prefix: row.prefix,
            created_at: row.created_at.and_utc(),
            last_used_at: row.last_used_at.map(|t| t.and_utc()),
            expires_on: row.expires_on,
        }
    }
}

/// Creates a personal API token of the actor's (audited; the secret's hash only is stored).
pub fn create_api_token(
    conn: &mut DbConnection,
    actor: &Actor,
    new: &NewApiToken,
    prefix: &str,
    hash: &str,
) -> RepoResult<ApiToken> {
    write_tx(conn, |conn| {
        let id: i64 = diesel::insert_into(api_tokens::table)
            .values((
                api_tokens::user_id.eq(actor.id),
                api_tokens::name.eq(new.name.trim()),
                api_tokens::prefix.eq(prefix),
                api_tokens::token_hash.eq(hash),
                api_tokens::created_at.eq(now()),
                api_tokens::expires_on.eq(new.expires_on),
            ))
            .returning(api_tokens::id)
            .get_result(conn)?;
        let token = ApiToken::from(
            api_tokens::table
                .find(id)
                .select(TokenRow::as_select())
                .first::<TokenRow>(conn)?,
        );
        let changes = serde_json::json!({"name": token.name});
        crate::audit::record(conn, actor, "create", "api_token", Some(token.id), changes)?;
        Ok(token)
    })
}

pub fn list_api_tokens(conn: &mut DbConnection, user_id: i64) -> RepoResult<Vec<ApiToken>> {
    let rows: Vec<TokenRow> = api_tokens::table
        .filter(api_tokens::user_id.eq(user_id))
        .filter(api_tokens::revoked_at.is_null())
        .select(TokenRow::as_select())
        .order(api_tokens::id.desc())
        .load(conn)?;
    Ok(rows.into_iter().map(ApiToken::from).collect())
}

/// Revokes one of the actor's tokens (audited); 404 for anyone else's or a revoked one.
pub fn revoke_api_token(conn: &mut DbConnection, actor: &Actor, id: i64) -> RepoResult<()> {
    write_tx(conn, |conn| {
        let n = diesel::update(
            api_tokens::table
                .filter(api_tokens::id.eq(id))
                .filter(api_tokens::user_id.eq(actor.id))
                .filter(api_tokens::revoked_at.is_null()),
        )
        .set(api_tokens::revoked_at.eq(now()))
        .execute(conn)?;
        if n != 1 {
            return Err(RepoError::NotFound);
        }
        crate::audit::record(
            conn,
            actor,
            "revoke",
            "api_token",
            Some(id),
            serde_json::json!({}),
        )?;
        Ok(())
    })
}

pub fn revoke_user_api_tokens(conn: &mut DbConnection, user_id: i64) -> QueryResult<usize> {
    diesel::update(
        api_tokens::table
            .filter(api_tokens::user_id.eq(user_id))
            .filter(api_tokens::revoked_at.is_null()),
    )
    .set(api_tokens::revoked_at.eq(now()))
    .execute(conn)
}

/// The user behind a personal token, if it works today; records its use (at most once a minute,
/// so that a busy script does not turn every read into a write).
pub fn authenticate_api_token(
    conn: &mut DbConnection,
    hash: &str,
    today: NaiveDate,
) -> RepoResult<Option<i64>> {
    let found: Option<(i64, i64, Option<NaiveDateTime>, Option<NaiveDate>)> = api_tokens::table
        .inner_join(users::table)
        .filter(api_tokens::token_hash.eq(hash))
        .filter(api_tokens::revoked_at.is_null())
        .filter(users::enabled.eq(true))
        .select((
            api_tokens::id,
            api_tokens::user_id,
            api_tokens::last_used_at,
            api_tokens::expires_on,
        ))
        .first(conn)
        .optional()?;
    let Some((id, user_id, last_used, expires_on)) = found else {
        return Ok(None);
    };
    if expires_on.is_some_and(|last_day| last_day < today) {
        return Ok(None);
    }
    let at = now();
    if last_used.is_none_or(|t| at - t > Duration::seconds(60)) {
        diesel::update(api_tokens::table.find(id))
            .set(api_tokens::last_used_at.eq(at))
            .execute(conn)?;
    }
    Ok(Some(user_id))
}

// ---------------------------------------------------------------------------------------------
// Login throttling

/// Failures allowed within the window before logins of that username are refused for a while.
pub const FREE_FAILURES: i32 = 5;
const WINDOW_MINUTES: i64 = 15;
const MAX_LOCK_SECONDS: i64 = 15 * 60;

/// Seconds until the username may try again, when it is locked now.
pub fn locked_for(conn: &mut DbConnection, username: &str) -> RepoResult<Option<i64>> {
    let until: Option<Option<NaiveDateTime>> = login_throttle::table
        .find(username)
        .select(login_throttle::locked_until)
        .first(conn)
        .optional()?;
    let at = now();
    Ok(until
        .flatten()
        .filter(|u| *u > at)
        .map(|u| (u - at).num_seconds().max(1)))
}

/// Counts a failed login; from the sixth failure in a window on, each failure locks the username for
/// twice as long as the last (30 s, 60 s, … up to 15 min).
pub fn record_failure(conn: &mut DbConnection, username: &str) -> RepoResult<()> {
    write_tx(conn, |conn| {
        crate::serialize(conn, crate::Serial::LoginThrottle)?;
        let at = now();
        // Forget stale counters (guessed usernames included) so the table stays small.
        diesel::delete(
            login_throttle::table
                .filter(login_throttle::window_started_at.lt(at - Duration::days(1)))
                .filter(
                    login_throttle::locked_until
                        .is_null()
                        .or(login_throttle::locked_until.lt(at)),
                ),
        )
        .execute(conn)?;
        let row: Option<(i32, NaiveDateTime)> = login_throttle::table
            .find(username)
            .select((login_throttle::failures, login_throttle::window_started_at))
            .first(conn)
            .optional()?;
        let (failures, started) = match row {
            Some((n, started)) if at - started < Duration::minutes(WINDOW_MINUTES) => {
                (n + 1, started)
            }
            _ => (1, at),
        };
        let locked_until = (failures > FREE_FAILURES).then(|| {
            let exp = (failures - FREE_FAILURES - 1).min(10) as u32;
            at + Duration::seconds((30_i64 << exp).min(MAX_LOCK_SECONDS))
        });
        diesel::delete(login_throttle::table.find(username)).execute(conn)?;
        diesel::insert_into(login_throttle::table)
            .values((
                login_throttle::username.eq(username),
                login_throttle::failures.eq(failures),
                login_throttle::window_started_at.eq(started),
                login_throttle::locked_until.eq(locked_until),
            ))
            .execute(conn)?;
        Ok(())
    })
}

pub fn clear_failures(conn: &mut DbConnection, username: &str) -> QueryResult<()> {
    diesel::delete(login_throttle::table.find(username))
        .execute(conn)
        .map(drop)
}

// ---------------------------------------------------------------------------------------------
// Secrets

/// The stored secret of that name, created with `make` on first use (concurrent starts agree on one).
pub fn secret(
    conn: &mut DbConnection,
    name: &str,
    make: impl FnOnce() -> String,
) -> RepoResult<String> {
    if let Some(v) = app_secrets::table
        .find(name)
        .select(app_secrets::value)
        .first(conn)
        .optional()?
    {
        return Ok(v);
    }
    let value = make();
    let inserted = diesel::insert_into(app_secrets::table)
        .values((app_secrets::name.eq(name), app_secrets::value.eq(&value)))
        .execute(conn);
    match inserted {
        Ok(_) => Ok(value),
        Err(e) if crate::error::is_unique_violation(&e) => Ok(app_secrets::table
            .find(name)
            .select(app_secrets::value)
            .first(conn)?),
        Err(e) => Err(e.into()),
    }
}
