//! `Idempotency-Key`: a retried create with the same key and body returns the first answer.

use crate::schema::idempotency_keys as k;
use crate::{DbConnection, RepoResult, now};
use chrono::Duration;
use diesel::prelude::*;

/// What is known about a key.
#[derive(Debug, PartialEq, Eq)]
pub enum Claim {
    /// First use: the caller runs the request and then calls [`complete`] (or [`release`]).
    New,
    /// Seen with the same body and finished: replay this answer.
    Replay { status: u16, body: String },
    /// Seen with the same body, still running.
    InProgress,
    /// Seen with a different body.
    Mismatch,
}

/// Keys are kept for a day.
pub const LIFETIME_HOURS: i64 = 24;

/// A claim whose request has not finished after this long is taken to be abandoned (the client went
/// away and the work was rolled back or never answered): a retry may run again.
pub const LEASE_SECONDS: i64 = 60;

pub fn claim(
    conn: &mut DbConnection,
    user_id: i64,
    key: &str,
    request_hash: &str,
) -> RepoResult<Claim> {
    let at = now();
    // Expired keys of everyone go; the index on created_at keeps this cheap.
    diesel::delete(k::table.filter(k::created_at.lt(at - Duration::hours(LIFETIME_HOURS))))
        .execute(conn)?;
    let inserted = diesel::insert_into(k::table)
        .values((
            k::user_id.eq(user_id),
            k::idem_key.eq(key),
            k::request_hash.eq(request_hash),
            k::created_at.eq(at),
        ))
        .execute(conn);
    match inserted {
        Ok(_) => Ok(Claim::New),
        Err(e) if crate::error::is_unique_violation(&e) => {
            let (hash, status, body, created_at): (
                String,
                Option<i32>,
                Option<String>,
                chrono::NaiveDateTime,
            ) = k::table
                .find((user_id, key))
                .select((
                    k::request_hash,
                    k::status_code,
                    k::response_body,
                    k::created_at,
                ))
                .first(conn)?;
            if hash != request_hash {
                return Ok(Claim::Mismatch);
            }
            match (status, body) {
                (Some(status), Some(body)) => Ok(Claim::Replay {
                    status: status as u16,
                    body,
                }),
                _ if at - created_at > Duration::seconds(LEASE_SECONDS) => {
                    // Take over the abandoned claim, unless another retry just did.
                    let n = diesel::update(
                        k::table
                            .find((user_id, key))
                            .filter(k::created_at.eq(created_at))
                            .filter(k::status_code.is_null()),
                    )
                    .set(k::created_at.eq(at))
                    .execute(conn)?;
                    Ok(if n == 1 {
                        Claim::New
                    } else {
                        Claim::InProgress
                    })
                }
                _ => Ok(Claim::InProgress),
            }
        }
        Err(e) => Err(e.into()),
    }
}

pub fn complete(
    conn: &mut DbConnection,
    user_id: i64,
    key: &str,
    status: u16,
    body: &str,
) -> RepoResult<()> {
    diesel::update(k::table.find((user_id, key)))
        .set((
            k::status_code.eq(i32::from(status)),
            k::response_body.eq(body),
        ))
        .execute(conn)?;
    Ok(())
}

/// Forgets a key whose request failed, so that the client may retry it.
pub fn release(conn: &mut DbConnection, user_id: i64, key: &str) -> RepoResult<()> {
    diesel::delete(k::table.find((user_id, key))).execute(conn)?;
    Ok(())
}
