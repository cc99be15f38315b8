//! Who acts: the caller resolved once per request, which every repository function takes. It
//! carries what the rules ask of a caller: their id, their permissions, and the owners whose
//! records they may see (the one visibility filter, [`crate::visibility`]).

use crate::visibility::{Viewer, Visible};
use crate::{DbConnection, RepoResult};
use crm_domain::{DataScope, Permission};

#[derive(Debug, Clone)]
pub struct Actor {
    pub id: i64,
    /// Sorted.
    pub permissions: Vec<Permission>,
    pub visible: Visible,
}

impl Actor {
    pub fn new(id: i64, mut permissions: Vec<Permission>, visible: Visible) -> Actor {
        permissions.sort_unstable();
        permissions.dedup();
        Actor {
            id,
            permissions,
            visible,
        }
    }

    /// Resolves what a user in `department_id` with `scope` sees, against the current tree.
    pub fn resolve(
        conn: &mut DbConnection,
        id: i64,
        department_id: i64,
        scope: DataScope,
        permissions: Vec<Permission>,
    ) -> RepoResult<Actor> {
        let visible = Visible::resolve(
            conn,
            Viewer {
                user_id: id,
                department_id,
                scope,
            },
        )?;
        Ok(Actor::new(id, permissions, visible))
    }

    /// The installation itself, setting up what exists before any user (standard roles,
    /// dictionaries, the first departments): it sees everything and is recorded as nobody.
    pub fn system() -> Actor {
        Actor::new(0, Permission::ALL.to_vec(), Visible::All)
    }

    /// The user to record in the audit log: none for [`Actor::system`].
    pub fn user_id(&self) -> Option<i64> {
        (self.id > 0).then_some(self.id)
    }

    pub fn has(&self, p: Permission) -> bool {
        self.permissions.binary_search(&p).is_ok()
    }

    /// Whether a record owned by `owner` is visible to this actor.
    pub fn sees(&self, owner: i64) -> bool {
        self.visible.sees(owner)
    }
}
