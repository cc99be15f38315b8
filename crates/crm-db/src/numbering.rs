//! Readable document numbers (`SO20261127-0003`, `QT20261201-0001`): a kind's prefix, the company's
//! date and the day's sequence. Unique under concurrent creation: the day's counter row is read and
//! written under a lock (PostgreSQL) or the write lock (SQLite), and each number has a unique index.

use crate::schema::document_numbers as n;
use crate::{DbConnection, Serial, serialize};
use chrono::NaiveDate;
use diesel::prelude::*;

/// A kind of numbered document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Numbered {
    Order,
    Quote,
    Ticket,
}

impl Numbered {
    pub fn prefix(self) -> &'static str {
        match self {
            Self::Order => "SO",
            Self::Quote => "QT",
            Self::Ticket => "TK",
        }
    }
}

/// The next number of a kind on a day (inside the writer's transaction).
pub fn next(conn: &mut DbConnection, kind: Numbered, day: NaiveDate) -> QueryResult<String> {
    serialize(conn, Serial::DocumentNumber)?;
    let key = n::table.find((kind.prefix(), day));
    let last: Option<i32> = key.select(n::last_seq).first(conn).optional()?;
    let seq = match last {
        Some(last) => {
            diesel::update(key)
                .set(n::last_seq.eq(last + 1))
                .execute(conn)?;
            last + 1
        }
        None => {
            diesel::insert_into(n::table)
                .values((n::kind.eq(kind.prefix()), n::day.eq(day), n::last_seq.eq(1)))
                .execute(conn)?;
            1
        }
    };
    Ok(format!(
        "{}{}-{seq:04}",
        kind.prefix(),
        day.format("%Y%m%d")
    ))
}
