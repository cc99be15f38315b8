//! The level funnel of a period's new customers (lead → contacted → prospect → signed): how many
//! reached each level, the conversion from the level before, and the median time between them.
//! Where each customer stands now comes from the engine's count by level; how it got there from
//! its history's level moves (by their partial index), read for the period's customers only.

use super::{Cut, Key, Sums, owner_conditions, time_literal};
use crate::visibility::Visible;
use crate::{DbConnection, RepoResult};
use chrono::NaiveDateTime;
use crm_domain::Lang;
use crm_domain::api::{LevelStep, percent};
use crm_domain::customer::CustomerLevel;
use crm_domain::words::Word;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Timestamp};
use std::collections::HashMap;

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

#[derive(QueryableByName)]
struct Move {
    #[diesel(sql_type = BigInt)]
    customer_id: i64,
    #[diesel(sql_type = Text)]
    level: String,
    #[diesel(sql_type = Timestamp)]
    created_at: NaiveDateTime,
    #[diesel(sql_type = Timestamp)]
    at: NaiveDateTime,
    #[diesel(sql_type = Text)]
    changes: String,
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

    // Their level moves: when each first reached each level.
    let mut wheres = vec![
        "a.action = 'level'".to_string(),
        format!("a.at >= {}", time_literal(lo)),
        format!("c.created_at >= {}", time_literal(lo)),
        format!("c.created_at < {}", time_literal(hi)),
    ];
    owner_conditions(&mut wheres, visible, cut.filters, "c.owner_id");
    if let Some(v) = cut.filters.industry {
        wheres.push(format!("c.industry_id = {v}"));
    }
    if let Some(v) = cut.filters.region {
        wheres.push(format!("c.region_id = {v}"));
    }
    let sql = format!(
        "SELECT a.customer_id AS customer_id, c.level AS level, c.created_at AS created_at, a.at AS at, a.changes AS changes FROM audit_log a JOIN customers c ON c.id = a.customer_id WHERE {} ORDER BY a.at, a.id",
        wheres.join(" AND ")
    );
    struct Path {
        level: Option<usize>,
        /// When it first reached each level (or one above it).
        reached: [Option<NaiveDateTime>; STEPS.len()],
        /// Whether it entered the level itself (not jumped over it).
        entered: [bool; STEPS.len()],
    }
    let mut paths: HashMap<i64, Path> = HashMap::new();
    for m in diesel::sql_query(sql).load::<Move>(conn)? {
        let path = paths.entry(m.customer_id).or_insert_with(|| {
            let mut reached = [None; STEPS.len()];
            reached[0] = Some(m.created_at);
            let mut entered = [false; STEPS.len()];
            entered[0] = true;
            Path {
                level: CustomerLevel::parse(&m.level).and_then(rank),
                reached,
                entered,
            }
        });
        let Ok(changes) = serde_json::from_str::<serde_json::Value>(&m.changes) else {
            continue;
        };
        let to = changes["level"]["new"]
            .as_str()
            .and_then(CustomerLevel::parse)
            .and_then(rank);
        if let Some(r) = to {
            for slot in path.reached.iter_mut().take(r + 1) {
                slot.get_or_insert(m.at);
            }
            path.entered[r] = true;
        }
    }
    // Those that got further than where they stand now (blacklisted — counted by how far they
    // got — or moved back by hand).
    for p in paths.values() {
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
                        .values()
                        .filter(|p| p.entered[k] && p.entered[k - 1])
                        .filter_map(|p| Some((p.reached[k]? - p.reached[k - 1]?).num_seconds()))
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
