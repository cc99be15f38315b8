//! The mechanism by which a customer transfer moves everything that belongs to the customers: each
//! module that owns records of a customer provides a mover (see `crate::transfers::MOVERS`), which
//! takes a [`Move`] and moves (or, in a dry run, only counts) its records.

use crate::DbConnection;
use diesel::QueryResult;

/// One transfer's parameters as the movers see them.
pub struct Move {
    pub from: i64,
    pub to: i64,
    pub customer_ids: Vec<i64>,
    pub dry_run: bool,
}

/// What moves for a kind of record, and how many of them did.
pub struct Mover {
    pub kind: &'static str,
    pub run: fn(&mut DbConnection, &Move) -> QueryResult<i64>,
}
