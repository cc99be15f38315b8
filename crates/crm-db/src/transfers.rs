//! Customer transfer (客户转移): one, several or all customers of a user move to another user in one
//! transaction, with everything that belongs to them. History is not rewritten: past entries keep
//! their authors. Each module that owns records of a customer plugs a [`Mover`] into [`MOVERS`], so
//! that its records move too and are counted in the transfer log.

use crate::audit;
use crate::notifications::{self, Notice};
use crate::schema::{
    contacts, customer_transfers as t, customers, departments, role_permissions, roles, user_roles,
    users,
};
use crate::visibility::Visible;
use crate::{DbConnection, RepoError, RepoResult, now, write_tx};
use crm_domain::api::{IdName, Transfer};
use crm_domain::{DataScope, Permission};
use diesel::prelude::*;
use serde_json::json;
use std::collections::BTreeMap;

/// What moves for a kind of record: given the customers that change hands, it moves (or, in a dry
/// run, only counts) that kind's records and answers how many.
pub struct Mover {
    pub kind: &'static str,
    pub run: fn(&mut DbConnection, &Move) -> QueryResult<i64>,
}

/// One transfer's parameters as the movers see them.
pub struct Move {
    pub from: i64,
    pub to: i64,
    pub customer_ids: Vec<i64>,
    pub dry_run: bool,
}

/// Every kind that moves with a customer. Later modules (opportunities, orders, reminders) add theirs.
pub const MOVERS: &[Mover] = &[
    Mover {
        kind: "customers",
        run: move_customers,
    },
    Mover {
        kind: "contacts",
        run: count_contacts,
    },
    Mover {
        kind: "reminders",
        run: crate::reminders::move_open,
    },
    Mover {
        kind: "orders",
        run: crate::orders::move_unfinished,
    },
];

fn move_customers(conn: &mut DbConnection, m: &Move) -> QueryResult<i64> {
    if m.dry_run {
        return Ok(m.customer_ids.len() as i64);
    }
    let n = diesel::update(
        customers::table
            .filter(customers::id.eq_any(m.customer_ids.clone()))
            .filter(customers::owner_id.eq(m.from)),
    )
    .set((
        customers::owner_id.eq(m.to),
        customers::updated_at.eq(now()),
        customers::version.eq(customers::version + 1),
    ))
    .execute(conn)?;
    Ok(n as i64)
}

/// Contacts belong to their customer, so they move with it; they are counted for the log.
fn count_contacts(conn: &mut DbConnection, m: &Move) -> QueryResult<i64> {
    contacts::table
        .filter(contacts::customer_id.eq_any(m.customer_ids.clone()))
        .count()
        .get_result(conn)
}

fn name_of(conn: &mut DbConnection, id: i64) -> QueryResult<Option<(String, bool)>> {
    users::table
        .find(id)
        .select((users::display_name, users::enabled))
        .first(conn)
        .optional()
}

/// The managers of a user: in the nearest department at or above the user's that has any, the
/// enabled users (other than the user) holding `customer.review` with a department-wide scope.
pub fn managers_of(conn: &mut DbConnection, user_id: i64) -> QueryResult<Vec<i64>> {
    let Some(mut dept) = users::table
        .find(user_id)
        .select(users::department_id)
        .first::<i64>(conn)
        .optional()?
    else {
        return Ok(Vec::new());
    };
    let scopes = [
        DataScope::Department.as_str(),
        DataScope::DepartmentTree.as_str(),
    ];
    for _ in 0..32 {
        let managers: Vec<i64> = users::table
            .inner_join(
                user_roles::table.inner_join(roles::table.inner_join(role_permissions::table)),
            )
            .filter(users::department_id.eq(dept))
            .filter(users::enabled.eq(true))
            .filter(users::id.ne(user_id))
            .filter(roles::data_scope.eq_any(scopes))
            .filter(role_permissions::permission.eq(Permission::CustomerReview.code()))
            .select(users::id)
            .distinct()
            .load(conn)?;
        if !managers.is_empty() {
            return Ok(managers);
        }
        match departments::table
            .find(dept)
            .select(departments::parent_id)
            .first::<Option<i64>>(conn)?
        {
            Some(parent) => dept = parent,
            None => break,
        }
    }
    Ok(Vec::new())
}

/// What to move.
pub enum Selection {
    All,
    Some(Vec<i64>),
}

/// A transfer to make (or, with `dry_run`, to count).
pub struct Request<'a> {
    pub from: i64,
    pub to: i64,
    pub selection: Selection,
    pub reason: &'a str,
    pub dry_run: bool,
}

/// Moves customers of `from` to `to`. The caller must see `from`'s customers, and `to` must be an
/// enabled user within the caller's scope.
pub fn transfer(
    conn: &mut DbConnection,
    actor: i64,
    visible: &Visible,
    req: &Request,
) -> RepoResult<Transfer> {
    let (from, to, reason, dry_run) = (req.from, req.to, req.reason, req.dry_run);
    let selection = &req.selection;
    write_tx(conn, |conn| {
        if from == to {
            return Err(RepoError::invalid(
                "to_user_id",
                "same_user",
                "the receiver is the giver",
            ));
        }
        let Some((from_name, _)) = name_of(conn, from)?.filter(|_| visible.sees(from)) else {
            return Err(RepoError::invalid(
                "from_user_id",
                "not_found",
                "no such user within your scope",
            ));
        };
        let to_user = name_of(conn, to)?.filter(|_| visible.sees(to));
        let to_name = match to_user {
            None => {
                return Err(RepoError::invalid(
                    "to_user_id",
                    "not_found",
                    "no such user within your scope",
                ));
            }
            Some((_, false)) => {
                return Err(RepoError::invalid(
                    "to_user_id",
                    "user_disabled",
                    "the receiver is disabled",
                ));
            }
            Some((name, true)) => name,
        };
        let owned: Vec<i64> = customers::table
            .filter(customers::owner_id.eq(from))
            .select(customers::id)
            .order(customers::id)
            .load(conn)?;
        let customer_ids = match selection {
            Selection::All => owned,
            Selection::Some(ids) => {
                let mut ids = ids.clone();
                ids.sort_unstable();
                ids.dedup();
                if let Some(stray) = ids.iter().find(|id| owned.binary_search(id).is_err()) {
                    return Err(RepoError::invalid(
                        "customer_ids",
                        "not_owned",
                        format!("customer {stray} does not belong to the giver"),
                    ));
                }
                ids
            }
        };
        let m = Move {
            from,
            to,
            customer_ids,
            dry_run,
        };
        let mut moved = BTreeMap::new();
        for mover in MOVERS {
            moved.insert(mover.kind.to_string(), (mover.run)(conn, &m)?);
        }
        let actor_name = name_of(conn, actor)?.map(|(n, _)| n).unwrap_or_default();
        let at = now();
        let mut result = Transfer {
            id: None,
            from_user: IdName {
                id: from,
                name: from_name.clone(),
            },
            to_user: IdName {
                id: to,
                name: to_name.clone(),
            },
            reason: reason.to_string(),
            moved: moved.clone(),
            created_by: IdName {
                id: actor,
                name: actor_name,
            },
            created_at: at.and_utc(),
        };
        if dry_run {
            return Ok(result);
        }
        let moved_json = serde_json::to_string(&moved).unwrap_or_default();
        let id: i64 = diesel::insert_into(t::table)
            .values((
                t::from_user_id.eq(from),
                t::to_user_id.eq(to),
                t::reason.eq(reason),
                t::moved.eq(&moved_json),
                t::created_by.eq(actor),
                t::created_at.eq(at),
            ))
            .returning(t::id)
            .get_result(conn)?;
        result.id = Some(id);
        for customer in &m.customer_ids {
            let changes =
                json!({"owner_id": {"old": from, "new": to}, "reason": reason, "transfer_id": id});
            audit::record_about(
                conn,
                Some(actor),
                "transfer",
                "customer",
                Some(*customer),
                Some(*customer),
                changes,
            )?;
        }
        audit::record(
            conn,
            Some(actor),
            "create",
            "customer_transfer",
            Some(id),
            json!({"from": from, "to": to, "moved": moved}),
        )?;
        // The receiver and both managers hear of it.
        let count = moved.get("customers").copied().unwrap_or(0);
        let body = format!("{from_name} → {to_name}: {count} 个客户 customers（{reason}）");
        let mut told = vec![to];
        told.extend(managers_of(conn, to)?);
        told.extend(managers_of(conn, from)?);
        told.sort_unstable();
        told.dedup();
        for user in told.into_iter().filter(|u| *u != actor) {
            let title = if user == to {
                "客户已转给你 Customers transferred to you"
            } else {
                "客户转移 Customer transfer"
            };
            let notice = Notice {
                kind: "customer_transfer",
                title,
                body: &body,
                entity: Some("customer_transfer"),
                entity_id: Some(id),
            };
            notifications::notify(conn, user, &notice)?;
        }
        Ok(result)
    })
}

/// The transfer log, newest first, of transfers whose giver or receiver the caller sees.
pub fn list(
    conn: &mut DbConnection,
    visible: &Visible,
    before: Option<i64>,
    limit: i64,
) -> RepoResult<Vec<Transfer>> {
    let mut q = t::table.order(t::id.desc()).limit(limit).into_boxed();
    if let Some(ids) = visible.owner_ids() {
        q = q.filter(
            t::from_user_id
                .eq_any(ids.to_vec())
                .or(t::to_user_id.eq_any(ids.to_vec())),
        );
    }
    if let Some(b) = before {
        q = q.filter(t::id.lt(b));
    }
    type Row = (i64, i64, i64, String, String, i64, chrono::NaiveDateTime);
    let rows: Vec<Row> = q
        .select((
            t::id,
            t::from_user_id,
            t::to_user_id,
            t::reason,
            t::moved,
            t::created_by,
            t::created_at,
        ))
        .load(conn)?;
    let mut ids: Vec<i64> = rows.iter().flat_map(|r| [r.1, r.2, r.5]).collect();
    ids.sort_unstable();
    ids.dedup();
    let names: std::collections::HashMap<i64, String> = users::table
        .filter(users::id.eq_any(ids))
        .select((users::id, users::display_name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect();
    let who = |id: i64| IdName {
        id,
        name: names.get(&id).cloned().unwrap_or_default(),
    };
    Ok(rows
        .into_iter()
        .map(|(id, from, to, reason, moved, by, at)| Transfer {
            id: Some(id),
            from_user: who(from),
            to_user: who(to),
            reason,
            moved: serde_json::from_str(&moved).unwrap_or_default(),
            created_by: who(by),
            created_at: at.and_utc(),
        })
        .collect())
}
