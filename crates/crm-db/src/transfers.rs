//! Customer transfer (客户转移): one, several or all customers of a user move to another user in one
//! transaction, with everything that belongs to them. History is not rewritten: past entries keep
//! their authors. Each module that owns records of a customer plugs a mover into [`MOVERS`] (see
//! [`crate::moves`]), so that its records move too and are counted in the transfer log.

use crate::actor::Actor;
use crate::audit;
use crate::moves::{Move, Mover};
use crate::notifications::{self, Notice};
use crate::paging::PageRequest;
use crate::schema::{contacts, customer_transfers as t, customers, users};
use crate::{DbConnection, RepoError, RepoResult, now, write_tx};
use crm_domain::api::{IdName, NewTransfer, Page, PageQuery, Transfer};
use crm_domain::{ErrorCode, Permission, msg};
use diesel::prelude::*;
use serde_json::json;
use std::collections::BTreeMap;

/// Every kind that moves with a customer; a module whose records move with it adds its kind here
/// and a mover (see `moves.rs`).
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
    Mover {
        kind: "quotes",
        run: crate::opportunities::move_open_quotes,
    },
    Mover {
        kind: "opportunities",
        run: crate::opportunities::move_open,
    },
];

/// Runs every mover but the `skipped` kinds; what moved, per kind.
pub(crate) fn run_movers(
    conn: &mut DbConnection,
    m: &Move,
    skipped: &[&str],
) -> QueryResult<BTreeMap<String, i64>> {
    let mut moved = BTreeMap::new();
    for mover in MOVERS.iter().filter(|x| !skipped.contains(&x.kind)) {
        moved.insert(mover.kind.to_string(), (mover.run)(conn, m)?);
    }
    Ok(moved)
}

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
        customers::owner_since.eq(now()),
        // Whoever receives a customer takes it out of the pool (the pool puts it back itself).
        customers::pooled_at.eq(None::<chrono::NaiveDateTime>),
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
/// enabled users (other than the user) holding `customer.review` whose scope covers the user.
/// A job asking for many users' managers loads [`crate::roles::Managers`] once instead.
pub fn managers_of(conn: &mut DbConnection, user_id: i64) -> QueryResult<Vec<i64>> {
    Ok(crate::roles::Managers::load(conn, Permission::CustomerReview)?.of(user_id))
}

/// Moves one, several (`customer_ids`) or all (`all: true`) customers of a user to another, with
/// everything that belongs to them. The actor must see the giver, and the receiver must be an
/// enabled user within the actor's scope. `dry_run` counts without moving.
pub fn transfer(conn: &mut DbConnection, actor: &Actor, req: &NewTransfer) -> RepoResult<Transfer> {
    let selected: Option<&Vec<i64>> = match (req.all, &req.customer_ids) {
        (Some(true), None) => None,
        (None | Some(false), Some(ids)) => Some(ids),
        (Some(true), Some(_)) => {
            return Err(RepoError::invalid(
                "all",
                ErrorCode::Ambiguous,
                msg!(
                    "请给出 customer_ids 或 all: true 之一，不要两者都给",
                    "give either customer_ids or all: true, not both"
                ),
            ));
        }
        (_, None) => {
            return Err(RepoError::invalid(
                "customer_ids",
                ErrorCode::Required,
                msg!(
                    "请给出 customer_ids 或 all: true",
                    "give customer_ids or all: true"
                ),
            ));
        }
    };
    let (from, to, dry_run) = (req.from_user_id, req.to_user_id, req.dry_run);
    let reason = req.reason.trim();
    let out_of_scope = |field| {
        RepoError::invalid(
            field,
            ErrorCode::NotFound,
            msg!("您的范围内没有这个用户", "no such user within your scope"),
        )
    };
    write_tx(conn, |conn| {
        if from == to {
            return Err(RepoError::invalid(
                "to_user_id",
                ErrorCode::SameUser,
                msg!("接收人就是转出人", "the receiver is the giver"),
            ));
        }
        if from == crate::pool::OWNER {
            return Err(RepoError::invalid(
                "from_user_id",
                ErrorCode::NotInPool,
                msg!(
                    "公海里的客户要领取或分配（POST /pool/{{id}}/claim），不能转移",
                    "customers in the public pool are claimed or assigned (POST /pool/{{id}}/claim), not transferred"
                ),
            ));
        }
        let Some((from_name, _)) = name_of(conn, from)?.filter(|_| actor.sees(from)) else {
            return Err(out_of_scope("from_user_id"));
        };
        let to_name = match name_of(conn, to)?.filter(|_| actor.sees(to)) {
            None => return Err(out_of_scope("to_user_id")),
            Some((_, false)) => {
                return Err(RepoError::invalid(
                    "to_user_id",
                    ErrorCode::UserDisabled,
                    msg!("接收人已停用", "the receiver is disabled"),
                ));
            }
            Some((name, true)) => name,
        };
        let owned: Vec<i64> = customers::table
            .filter(customers::owner_id.eq(from))
            .select(customers::id)
            .order(customers::id)
            .load(conn)?;
        let customer_ids = match selected {
            None => owned,
            Some(ids) => {
                let mut ids = ids.clone();
                ids.sort_unstable();
                ids.dedup();
                if let Some(stray) = ids.iter().find(|id| owned.binary_search(id).is_err()) {
                    return Err(RepoError::invalid(
                        "customer_ids",
                        ErrorCode::NotOwned,
                        msg!(
                            "客户 {stray} 不属于转出人",
                            "customer {stray} does not belong to the giver"
                        ),
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
        let moved = run_movers(conn, &m, &[])?;
        let actor_name = name_of(conn, actor.id)?.map(|(n, _)| n).unwrap_or_default();
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
                id: actor.id,
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
                t::created_by.eq(actor.id),
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
                actor,
                "transfer",
                "customer",
                Some(*customer),
                Some(*customer),
                changes,
            )?;
        }
        audit::record(
            conn,
            actor,
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
        for user in told.into_iter().filter(|u| *u != actor.id) {
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

/// The transfer log, newest first, of transfers whose giver or receiver the actor sees.
pub fn list(conn: &mut DbConnection, actor: &Actor, q: &PageQuery) -> RepoResult<Page<Transfer>> {
    let page = PageRequest::<i64>::new(q.limit, q.cursor.as_deref(), "transfers")?;
    let mut query = t::table
        .order(t::id.desc())
        .limit(page.fetch())
        .into_boxed();
    if let Some(ids) = actor.visible.owner_ids() {
        query = query.filter(
            t::from_user_id
                .eq_any(ids.to_vec())
                .or(t::to_user_id.eq_any(ids.to_vec())),
        );
    }
    if let Some(b) = page.after {
        query = query.filter(t::id.lt(b));
    }
    type Row = (i64, i64, i64, String, String, i64, chrono::NaiveDateTime);
    let rows: Vec<Row> = query
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
    let items = rows
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
        .collect();
    Ok(page.page(items, |x: &Transfer| x.id.unwrap_or(0)))
}
