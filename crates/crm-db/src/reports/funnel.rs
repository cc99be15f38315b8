//! The level funnel of a period's new customers (lead → contacted → prospect → signed): how many
//! reached each level, the conversion from the level before, and the median time between them.
//! Where each customer stands now comes from the engine's count by level; how it got there from
//! `customer_level_times`, a row per customer that went past a lead, kept from its level moves.

use super::{Cut, Key, Sums, owner_conditions, time_literal};
use crate::visibility::Visible;
use crate::{Backend, DbConnection, RepoResult};
use crm_domain::Lang;
use crm_domain::api::{LevelStep, percent};
use crm_domain::customer::CustomerLevel;
use crm_domain::words::Word;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Nullable, Text};

/// The pipeline's levels, in order (a blacklisted customer is counted by how far it got).
const STEPS: [CustomerLevel; 4] = [
    CustomerLevel::Lead,
    CustomerLevel::Contacted,
    CustomerLevel::Prospect,
    CustomerLevel::Signed,
];

fn rank(level: CustomerLevel) -> Option<usize> {
    STEPS.iter().position(|l| *l == level)
}

/// When a customer first reached each level (`customer_level_times`), in seconds after it came.
#[derive(QueryableByName)]
struct Reached {
    #[diesel(sql_type = Text)]
    level: String,
    #[diesel(sql_type = Nullable<BigInt>)]
    contacted: Option<i64>,
    #[diesel(sql_type = Nullable<BigInt>)]
    prospect: Option<i64>,
    #[diesel(sql_type = Nullable<BigInt>)]
    signed: Option<i64>,
    #[diesel(sql_type = Bool)]
    entered_contacted: bool,
    #[diesel(sql_type = Bool)]
    entered_prospect: bool,
    #[diesel(sql_type = Bool)]
    entered_signed: bool,
}

/// Seconds from `t.created_at` to `column`, each instant in whole seconds (the database does the
/// arithmetic: parsing hundreds of thousands of timestamps was most of the report's time).
fn seconds_after_arrival(backend: Backend, column: &str) -> String {
    match backend {
        Backend::Sqlite => format!("unixepoch({column}) - unixepoch(t.created_at)"),
        Backend::Postgres => format!(
            "CAST(floor(extract(epoch FROM {column})) - floor(extract(epoch FROM t.created_at)) AS BIGINT)"
        ),
    }
}

/// The funnel of the cut's customers; `now` is their count per level today (the engine's sums
/// by level).
pub(super) fn level_funnel(
    conn: &mut DbConnection,
    visible: &Visible,
    zone: chrono_tz::Tz,
    cut: &Cut,
    now: &Sums,
    lang: Lang,
) -> RepoResult<Vec<LevelStep>> {
    use crm_domain::time::day_start;
    let (lo, hi) = (
        day_start(cut.from, zone),
        day_start(cut.to.succ_opt().unwrap_or(cut.to), zone),
    );
    // Customers per level today, by rank (blacklisted: apart).
    let mut at_least = [0i64; STEPS.len()];
    let mut everyone = 0;
    for (k, (n, _)) in now {
        let level = match k.first() {
            Some(Key::Id(i)) => usize::try_from(*i)
                .ok()
                .and_then(|i| CustomerLevel::ALL.get(i).copied()),
            _ => None,
        };
        everyone += n;
        if let Some(r) = level.and_then(rank) {
            for slot in at_least.iter_mut().take(r + 1) {
                *slot += n;
            }
        }
    }
    at_least[0] = everyone;

    // How they got there: when each that went past a lead first reached each level (kept per
    // customer from its level moves).
    let mut wheres = vec![
        format!("t.created_at >= {}", time_literal(lo)),
        format!("t.created_at < {}", time_literal(hi)),
    ];
    owner_conditions(&mut wheres, visible, cut.filters, "t.owner_id");
    let mut from = String::from("customer_level_times t");
    if cut.filters.industry.is_some() || cut.filters.region.is_some() {
        from.push_str(" JOIN customers c ON c.id = t.customer_id");
    }
    if let Some(v) = cut.filters.industry {
        wheres.push(format!("c.industry_id = {v}"));
    }
    if let Some(v) = cut.filters.region {
        wheres.push(format!("c.region_id = {v}"));
    }
    let after = |column: &str| seconds_after_arrival(conn.backend(), column);
    let sql = format!(
        "SELECT t.level AS level, {} AS contacted, {} AS prospect, {} AS signed, t.entered_contacted AS entered_contacted, t.entered_prospect AS entered_prospect, t.entered_signed AS entered_signed FROM {from} WHERE {}",
        after("t.contacted_at"),
        after("t.prospect_at"),
        after("t.signed_at"),
        wheres.join(" AND ")
    );
    struct Path {
        level: Option<usize>,
        /// When it first reached each level (or one above it), in seconds after it came.
        reached: [Option<i64>; STEPS.len()],
        /// Whether it entered the level itself (not jumped over it).
        entered: [bool; STEPS.len()],
    }
    let paths: Vec<Path> = diesel::sql_query(sql)
        .load::<Reached>(conn)?
        .into_iter()
        .map(|r| Path {
            level: CustomerLevel::parse(&r.level).and_then(rank),
            reached: [Some(0), r.contacted, r.prospect, r.signed],
            entered: [
                true,
                r.entered_contacted,
                r.entered_prospect,
                r.entered_signed,
            ],
        })
        .collect();
    // Those that got further than where they stand now (blacklisted — counted by how far they
    // got — or moved back by hand).
    for p in &paths {
        let furthest = p.reached.iter().rposition(Option::is_some).unwrap_or(0);
        let now = p.level.unwrap_or(0);
        for slot in at_least.iter_mut().take(furthest + 1).skip(now + 1) {
            *slot += 1;
        }
    }

    Ok(STEPS
        .iter()
        .enumerate()
        .map(|(k, level)| {
            let median_days = (k > 0)
                .then(|| {
                    // Only those that went through both levels: a jump over one is no time
                    // spent in it.
                    let mut gaps: Vec<i64> = paths
                        .iter()
                        .filter(|p| p.entered[k] && p.entered[k - 1])
                        .filter_map(|p| Some(p.reached[k]? - p.reached[k - 1]?))
                        .collect();
                    median_days(&mut gaps)
                })
                .flatten();
            LevelStep {
                level: *level,
                name: level.word(lang).to_string(),
                reached: at_least[k],
                conversion: (k > 0)
                    .then(|| percent(at_least[k], at_least[k - 1]))
                    .flatten(),
                median_days,
            }
        })
        .collect())
}

/// The median of a number of seconds, in days with one decimal (rounded half up); none of none.
fn median_days(gaps: &mut [i64]) -> Option<String> {
    if gaps.is_empty() {
        return None;
    }
    gaps.sort_unstable();
    let n = gaps.len();
    // Twice the median, to stay in whole seconds.
    let twice = if n % 2 == 1 {
        2 * gaps[n / 2]
    } else {
        gaps[n / 2 - 1] + gaps[n / 2]
    };
    let tenths = (twice * 10 + 86_400) / (2 * 86_400);
    Some(format!("{}.{}", tenths / 10, tenths % 10))
}

#[cfg(test)]
mod tests {
    use super::median_days;

    #[test]
    fn medians_are_in_days_with_one_decimal() {
        let day = 86_400;
        assert_eq!(median_days(&mut []), None);
        assert_eq!(
            median_days(&mut [3 * day, day, 2 * day]).as_deref(),
            Some("2.0")
        );
        assert_eq!(median_days(&mut [day, 2 * day]).as_deref(), Some("1.5"));
        assert_eq!(median_days(&mut [day / 4]).as_deref(), Some("0.3"));
        assert_eq!(median_days(&mut [0]).as_deref(), Some("0.0"));
    }
}
