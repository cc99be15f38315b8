//! Data scopes (数据权限) and the pure part of the visibility rule: which departments a scope reaches.

use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// How far a role's eyes reach. Ordered from narrowest to widest, so that a user with several roles
/// gets the widest one (`max`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DataScope {
    /// Only the records the user owns.
    #[serde(rename = "self")]
    Own,
    /// Records owned by anyone in the user's own department.
    Department,
    /// The user's department and every department below it.
    DepartmentTree,
    /// Everything.
    All,
}

impl DataScope {
    pub const ALL: [DataScope; 4] = [Self::Own, Self::Department, Self::DepartmentTree, Self::All];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Own => "self",
            Self::Department => "department",
            Self::DepartmentTree => "department_tree",
            Self::All => "all",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|scope| scope.as_str() == s)
    }

    /// The widest of several roles' scopes; a user without roles sees only their own records.
    pub fn widest(scopes: impl IntoIterator<Item = DataScope>) -> DataScope {
        scopes.into_iter().max().unwrap_or(DataScope::Own)
    }
}

/// Which departments' members' records a user with `scope` in department `home` may see.
///
/// `None` means "no department restriction" (scope `all`); `Some(empty)` cannot happen for the
/// department scopes because the home department is always included. For scope `self` the answer is
/// `Some(empty)`: no whole department is visible, only the user's own records.
///
/// `tree` is every department as `(id, parent_id)`. A cycle in the data (which the API refuses to
/// create) cannot make this loop: each department is visited once.
pub fn visible_departments(
    tree: &[(i64, Option<i64>)],
    home: i64,
    scope: DataScope,
) -> Option<Vec<i64>> {
    match scope {
        DataScope::All => None,
        DataScope::Own => Some(Vec::new()),
        DataScope::Department => Some(vec![home]),
        DataScope::DepartmentTree => {
            let mut children: HashMap<i64, Vec<i64>> = HashMap::new();
            for &(id, parent) in tree {
                if let Some(parent) = parent {
                    children.entry(parent).or_default().push(id);
                }
            }
            let mut seen = HashSet::from([home]);
            let mut out = vec![home];
            let mut next = 0;
            while next < out.len() {
                let current = out[next];
                next += 1;
                for &child in children.get(&current).map(Vec::as_slice).unwrap_or(&[]) {
                    if seen.insert(child) {
                        out.push(child);
                    }
                }
            }
            out.sort_unstable();
            Some(out)
        }
    }
}

/// Whether making `new_parent` the parent of `dept` would put `dept` below itself.
pub fn would_create_cycle(tree: &[(i64, Option<i64>)], dept: i64, new_parent: i64) -> bool {
    visible_departments(tree, dept, DataScope::DepartmentTree)
        .is_some_and(|below| below.contains(&new_parent))
}

#[cfg(test)]
mod tests {
    use super::*;

    // 1 Company
    // ├── 2 Sales
    // │   ├── 3 Sales 1
    // │   │   └── 6 Sales 1 East
    // │   │       └── 7 Sales 1 East Team A
    // │   └── 4 Sales 2
    // └── 5 Service
    fn tree() -> Vec<(i64, Option<i64>)> {
        vec![
            (1, None),
            (2, Some(1)),
            (3, Some(2)),
            (4, Some(2)),
            (5, Some(1)),
            (6, Some(3)),
            (7, Some(6)),
        ]
    }

    #[test]
    fn all_scope_has_no_restriction() {
        assert_eq!(visible_departments(&tree(), 3, DataScope::All), None);
    }

    #[test]
    fn self_scope_sees_no_whole_department() {
        assert_eq!(
            visible_departments(&tree(), 3, DataScope::Own),
            Some(vec![])
        );
    }

    #[test]
    fn department_scope_is_only_home() {
        assert_eq!(
            visible_departments(&tree(), 3, DataScope::Department),
            Some(vec![3])
        );
    }

    #[test]
    fn department_tree_reaches_every_level_below() {
        assert_eq!(
            visible_departments(&tree(), 2, DataScope::DepartmentTree),
            Some(vec![2, 3, 4, 6, 7])
        );
        assert_eq!(
            visible_departments(&tree(), 3, DataScope::DepartmentTree),
            Some(vec![3, 6, 7])
        );
        assert_eq!(
            visible_departments(&tree(), 7, DataScope::DepartmentTree),
            Some(vec![7])
        );
        assert_eq!(
            visible_departments(&tree(), 1, DataScope::DepartmentTree),
            Some(vec![1, 2, 3, 4, 5, 6, 7])
        );
    }

    #[test]
    fn department_tree_never_reaches_siblings_or_parents() {
        let seen = visible_departments(&tree(), 4, DataScope::DepartmentTree).unwrap();
        assert_eq!(seen, vec![4]);
        let seen = visible_departments(&tree(), 3, DataScope::DepartmentTree).unwrap();
        assert!(!seen.contains(&2) && !seen.contains(&4) && !seen.contains(&5));
    }

    #[test]
    fn moving_a_department_moves_what_its_managers_see() {
        let mut t = tree();
        // Sales 1 East moves under Sales 2.
        t.iter_mut().find(|(id, _)| *id == 6).unwrap().1 = Some(4);
        assert_eq!(
            visible_departments(&t, 3, DataScope::DepartmentTree),
            Some(vec![3])
        );
        assert_eq!(
            visible_departments(&t, 4, DataScope::DepartmentTree),
            Some(vec![4, 6, 7])
        );
    }

    #[test]
    fn a_cycle_in_the_data_terminates() {
        let t = vec![(1, Some(2)), (2, Some(1))];
        assert_eq!(
            visible_departments(&t, 1, DataScope::DepartmentTree),
            Some(vec![1, 2])
        );
    }

    #[test]
    fn widest_scope_wins() {
        assert_eq!(
            DataScope::widest([DataScope::Own, DataScope::DepartmentTree]),
            DataScope::DepartmentTree
        );
        assert_eq!(
            DataScope::widest([DataScope::All, DataScope::Own]),
            DataScope::All
        );
        assert_eq!(DataScope::widest([]), DataScope::Own);
        assert_eq!(
            DataScope::widest([DataScope::Department, DataScope::Own]),
            DataScope::Department
        );
    }

    #[test]
    fn cycles_are_detected() {
        assert!(would_create_cycle(&tree(), 2, 7));
        assert!(would_create_cycle(&tree(), 2, 2));
        assert!(!would_create_cycle(&tree(), 3, 4));
        assert!(!would_create_cycle(&tree(), 6, 1));
    }

    #[test]
    fn scope_names_round_trip() {
        for scope in DataScope::ALL {
            assert_eq!(DataScope::parse(scope.as_str()), Some(scope));
            let json = serde_json::to_string(&scope).unwrap();
            assert_eq!(json, format!("\"{}\"", scope.as_str()));
        }
        assert_eq!(DataScope::parse("everyone"), None);
    }
}
