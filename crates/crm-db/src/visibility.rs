//! The visibility filter (数据权限过滤): who may see whose records.
//!
//! The caller's data scope and department are turned into the set of *owners* whose records the caller
//! may see, and that set is applied inside SQL with [`VisibleTo::visible_to`]. Every query that
//! returns or counts business data goes through it; a record outside the set is simply not found.

use crate::DbConnection;
use crate::schema::{departments, users};
use crm_domain::{DataScope, scope::visible_departments};
use diesel::prelude::*;

/// Who is looking: enough to decide what they see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Viewer {
    pub user_id: i64,
    pub department_id: i64,
    pub scope: DataScope,
}

/// The owners whose records a viewer may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Visible {
    /// No restriction (scope `all`).
    All,
    /// Only records owned by these users (sorted, never empty: the viewer is always in it).
    Owners(Vec<i64>),
}

impl Visible {
    /// Resolves a viewer against the current department tree and memberships.
    pub fn resolve(conn: &mut DbConnection, viewer: Viewer) -> QueryResult<Visible> {
        if viewer.scope == DataScope::Own {
            return Ok(Visible::Owners(vec![viewer.user_id]));
        }
        let tree: Vec<(i64, Option<i64>)> = if viewer.scope == DataScope::DepartmentTree {
            departments::table
                .select((departments::id, departments::parent_id))
                .load(conn)?
        } else {
            Vec::new()
        };
        let Some(depts) = visible_departments(&tree, viewer.department_id, viewer.scope) else {
            return Ok(Visible::All);
        };
        let mut owners: Vec<i64> = users::table
            .filter(users::department_id.eq_any(depts))
            .select(users::id)
            .load(conn)?;
        owners.push(viewer.user_id);
        owners.sort_unstable();
        owners.dedup();
        Ok(Visible::Owners(owners))
    }

    /// `None` when everything is visible, else the visible owners.
    pub fn owner_ids(&self) -> Option<&[i64]> {
        match self {
            Visible::All => None,
            Visible::Owners(ids) => Some(ids),
        }
    }

    /// The same filter for a statement written as text (the report engine): `None` when
    /// everything is visible, else the condition on `column`. The ids are numbers the database
    /// gave, so the text holds nothing a caller wrote.
    pub fn sql_condition(&self, column: &str) -> Option<String> {
        match self.owner_ids()? {
            [] => Some("1 = 0".into()),
            [one] => Some(format!("{column} = {one}")),
            ids => {
                let list: Vec<String> = ids.iter().map(i64::to_string).collect();
                Some(format!("{column} IN ({})", list.join(", ")))
            }
        }
    }

    /// Whether a record owned by `owner` is visible.
    pub fn sees(&self, owner: i64) -> bool {
        match self {
            Visible::All => true,
            Visible::Owners(ids) => ids.binary_search(&owner).is_ok(),
        }
    }
}

/// Adds the visibility condition on an owner column to a (boxed) query.
pub trait VisibleTo: Sized {
    fn visible_to<C>(self, owner: C, visible: &Visible) -> Self
    where
        C: ExpressionMethods + Expression<SqlType = diesel::sql_types::BigInt>,
        Self: diesel::query_dsl::methods::FilterDsl<diesel::dsl::EqAny<C, Vec<i64>>, Output = Self>
            + diesel::query_dsl::methods::FilterDsl<diesel::dsl::Eq<C, i64>, Output = Self>,
    {
        match visible.owner_ids() {
            None => self,
            // One owner is an equality, which PostgreSQL serves from an index in the list's order
            // (`= ANY(array)` makes it read all of the owner's rows and sort them).
            Some([one]) => self.filter(owner.eq(*one)),
            Some(ids) => self.filter(owner.eq_any(ids.to_vec())),
        }
    }
}

impl<T> VisibleTo for T {}
