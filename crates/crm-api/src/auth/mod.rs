//! Credentials: password hashing, access tokens (JWT) and personal API tokens, and the
//! [`Identity`] a credential resolves to, kept for a few seconds in the [`CallerCache`].

pub mod account;
pub mod password;
pub mod session;
pub mod tokens;

use crm_db::callers::CallerRecord;
use crm_db::visibility::{Viewer, Visible};
use crm_db::{Actor, DbConnection, RepoResult};
use crm_domain::Permission;
use crm_domain::api::Me;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// A signed-in user as resolved from their credential: who they are, what they may do, and (once
/// a request first needs it) whose records they see.
#[derive(Debug, Clone)]
pub struct Identity {
    pub record: Arc<CallerRecord>,
    /// The login session behind an access token; none for personal API tokens.
    pub session_id: Option<i64>,
    /// The owners this user sees, resolved at the first need and shared by the cached copies.
    visible: Arc<OnceLock<Visible>>,
}

impl Identity {
    pub fn new(record: CallerRecord, session_id: Option<i64>) -> Identity {
        Identity {
            record: Arc::new(record),
            session_id,
            visible: Arc::default(),
        }
    }

    pub fn id(&self) -> i64 {
        self.record.id
    }

    pub fn has(&self, p: Permission) -> bool {
        self.record.permissions.binary_search(&p).is_ok()
    }

    /// The user as the repositories take them, with their visibility resolved (once per cached
    /// identity).
    pub fn actor(&self, conn: &mut DbConnection) -> RepoResult<Actor> {
        let visible = match self.visible.get() {
            Some(v) => v.clone(),
            None => {
                let viewer = Viewer {
                    user_id: self.record.id,
                    department_id: self.record.department.id,
                    scope: self.record.scope,
                };
                let v = Visible::resolve(conn, viewer)?;
                self.visible.get_or_init(|| v).clone()
            }
        };
        Ok(Actor::new(
            self.record.id,
            self.record.permissions.clone(),
            visible,
        ))
    }

    pub fn me(&self) -> Me {
        me_of(&self.record)
    }
}

pub fn me_of(r: &CallerRecord) -> Me {
    Me {
        id: r.id,
        username: r.username.clone(),
        display_name: r.display_name.clone(),
        department: r.department.clone(),
        roles: r.roles.clone(),
        permissions: r.permissions.clone(),
        data_scope: r.scope,
        language: r.language,
    }
}

/// Identities resolved in the last few seconds, by the hash of their credential: a request then
/// costs no authentication queries. Any change to sessions, tokens, users, roles or departments
/// made through this server empties it at once (see `crate::caller::identify`); a change made
/// elsewhere (another server process, a script) is seen within the time to live.
pub struct CallerCache(moka::sync::Cache<String, Identity>);

impl CallerCache {
    pub fn new(time_to_live: Duration) -> CallerCache {
        CallerCache(
            moka::sync::Cache::builder()
                .max_capacity(10_000)
                .time_to_live(time_to_live)
                .build(),
        )
    }

    pub fn get(&self, credential_hash: &str) -> Option<Identity> {
        self.0.get(credential_hash)
    }

    pub fn insert(&self, credential_hash: String, identity: Identity) {
        self.0.insert(credential_hash, identity);
    }

    pub fn forget_all(&self) {
        self.0.invalidate_all();
    }
}
