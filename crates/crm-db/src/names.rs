//! The names of records a page refers to by id, one query per kind for the whole page (never one
//! per row), and the period a report covers.

use crate::schema::{
    articles, competitors, contacts, customers, departments, dictionary_items, opportunities,
    orders, tickets, users,
};
use crate::{DbConnection, RepoError, RepoResult};
use chrono::{Datelike, NaiveDate};
use crm_domain::api::IdName;
use crm_domain::{ErrorCode, msg};
use diesel::prelude::*;
use std::collections::HashMap;

/// Names by id.
#[derive(Debug, Default)]
pub struct Names(HashMap<i64, String>);

impl Names {
    /// The id with its name (empty when it has none).
    pub fn of(&self, id: i64) -> IdName {
        IdName {
            id,
            name: self.0.get(&id).cloned().unwrap_or_default(),
        }
    }

    pub fn get(&self, id: i64) -> Option<&String> {
        self.0.get(&id)
    }
}

/// The distinct ids among `ids`.
fn distinct(ids: impl IntoIterator<Item = i64>) -> Vec<i64> {
    let mut v: Vec<i64> = ids.into_iter().collect();
    v.sort_unstable();
    v.dedup();
    v
}

macro_rules! names_of {
    ($(#[$doc:meta])* $fn:ident, $table:ident, $name:ident) => {
        $(#[$doc])*
        pub fn $fn(conn: &mut DbConnection, ids: impl IntoIterator<Item = i64>) -> QueryResult<Names> {
            let ids = distinct(ids);
            if ids.is_empty() {
                return Ok(Names::default());
            }
            Ok(Names(
                $table::table
                    .filter($table::id.eq_any(ids))
                    .select(($table::id, $table::$name))
                    .load::<(i64, String)>(conn)?
                    .into_iter()
                    .collect(),
            ))
        }
    };
}

names_of!(/// People's display names.
    people, users, display_name);
names_of!(departments, departments, name);
names_of!(/// Dictionary entries' (Chinese) names.
    entries, dictionary_items, name);
names_of!(customers, customers, name);
names_of!(contacts, contacts, name);
names_of!(/// Deals' titles.
    deals, opportunities, title);
names_of!(competitors, competitors, name);
names_of!(/// Orders' numbers.
    orders, orders, number);
names_of!(/// Tickets' numbers.
    tickets, tickets, number);
names_of!(/// Articles' titles.
    articles, articles, title);

/// Owners as a page shows them: each one's name and their department's, in two queries.
#[derive(Debug, Default)]
pub struct Owners {
    people: HashMap<i64, (String, i64)>,
    departments: Names,
}

impl Owners {
    pub fn load(
        conn: &mut DbConnection,
        ids: impl IntoIterator<Item = i64>,
    ) -> QueryResult<Owners> {
        let ids = distinct(ids);
        if ids.is_empty() {
            return Ok(Owners::default());
        }
        let people: HashMap<i64, (String, i64)> = users::table
            .filter(users::id.eq_any(ids))
            .select((users::id, users::display_name, users::department_id))
            .load::<(i64, String, i64)>(conn)?
            .into_iter()
            .map(|(id, name, dept)| (id, (name, dept)))
            .collect();
        let departments = departments(conn, people.values().map(|p| p.1))?;
        Ok(Owners {
            people,
            departments,
        })
    }

    /// The owner with their name.
    pub fn of(&self, id: i64) -> IdName {
        IdName {
            id,
            name: self
                .people
                .get(&id)
                .map(|p| p.0.clone())
                .unwrap_or_default(),
        }
    }

    /// The owner's department with its name.
    pub fn department_of(&self, id: i64) -> IdName {
        self.departments
            .of(self.people.get(&id).map(|p| p.1).unwrap_or_default())
    }
}

/// A report's period: `from` (default the first day of this year on the company's calendar) to
/// `to` (default today), both included; 422 `before_start` on `to` when it ends before it starts.
pub fn period(
    conn: &mut DbConnection,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> RepoResult<(NaiveDate, NaiveDate)> {
    let today = crate::settings::today(conn)?;
    let from = from.unwrap_or_else(|| NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today));
    let to = to.unwrap_or(today);
    if from > to {
        return Err(RepoError::invalid(
            "to",
            ErrorCode::BeforeStart,
            msg!("结束日期早于开始日期", "the end is before the start"),
        ));
    }
    Ok((from, to))
}
