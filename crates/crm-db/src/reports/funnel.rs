//! The level funnel of a period's new customers (lead → contacted → prospect → signed): how many
//! reached each level, the conversion from the level before, and the median time between them.
//! Where each customer stands now comes from the engine's count by level; how it got there from
//! `customer_level_times` (a row per customer that went past a lead, kept from its level moves)
//! through the views `customer_level_steps` (how long each step took, in tenths of a day) and
//! `customer_level_beyond` (who got further than where it stands). For a caller who sees the
//! whole company, UTC months come from their monthly summaries (migration 036) and the rest of
//! the period from the rows (`month_cover`).

use super::{Cut, Key, Sums, date_literal, month_cover, owner_conditions, time_literal};
use crate::visibility::Visible;
use crate::{DbConnection, RepoResult};
use crm_domain::Lang;
use crm_domain::api::{LevelStep, percent};
use crm_domain::customer::CustomerLevel;
use crm_domain::words::Word;
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use std::collections::BTreeMap;

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

/// A count under two keys: a step and its time in tenths of a day, or a level now and the
/// furthest one reached.
#[derive(QueryableByName)]
struct Counted {
    #[diesel(sql_type = BigInt)]
    a: i64,
    #[diesel(sql_type = BigInt)]
    b: i64,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// How the cut's customers got where they are.
#[derive(Default)]
struct Paths {
    /// Per step (index 1…3: the level reached), how many took how many tenths of a day.
    took: [BTreeMap<i64, i64>; STEPS.len()],
    /// Those that got further than where they stand now: (rank now, furthest rank) → how many.
    beyond: BTreeMap<(i64, i64), i64>,
}

impl Paths {
    /// Adds counts (`sign` 1) or takes them away (-1).
    fn add(&mut self, steps: Vec<Counted>, beyond: Vec<Counted>, sign: i64) {
        for c in steps {
            if let Some(h) = usize::try_from(c.a).ok().and_then(|i| self.took.get_mut(i)) {
                *h.entry(c.b).or_default() += sign * c.n;
            }
        }
        for c in beyond {
            *self.beyond.entry((c.a, c.b)).or_default() += sign * c.n;
        }
    }
}

/// Both counts from a view or summary pair: `steps` keyed (step, tenths), `beyond` keyed
/// (level_rank, furthest), each with its count expression, over `wheres`; added to `paths` with
/// `sign`.
fn read(
    conn: &mut DbConnection,
    (steps, beyond): (&str, &str),
    count: &str,
    wheres: &[String],
    paths: &mut Paths,
    sign: i64,
) -> RepoResult<()> {
    let wheres = wheres.join(" AND ");
    let load = |conn: &mut DbConnection, from: &str, a: &str, b: &str| {
        diesel::sql_query(format!(
            "SELECT CAST(t.{a} AS BIGINT) AS a, CAST(t.{b} AS BIGINT) AS b, CAST({count} AS BIGINT) AS n \
             FROM {from} t WHERE {wheres} GROUP BY t.{a}, t.{b}"
        ))
        .load::<Counted>(conn)
    };
    let s = load(conn, steps, "step", "tenths")?;
    let b = load(conn, beyond, "level_rank", "furthest")?;
    paths.add(s, b, sign);
    Ok(())
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

    let mut paths = Paths::default();
    let f = cut.filters;
    let whole_company = f.whole_company(visible);
    // The whole company's: UTC months from the summaries, the rest from the rows (added, or
    // taken away from a month read whole); anyone else's from the rows.
    let (add, take) =
        match whole_company.then(|| month_cover(lo, hi, chrono::Utc::now().naive_utc())) {
            Some(cover) if cover.months.is_some() => {
                if let Some((first, last)) = cover.months {
                    read(
                        conn,
                        ("customer_level_gap_months", "customer_level_beyond_months"),
                        "SUM(t.customers)",
                        &[
                            format!("t.month >= {}", date_literal(first)),
                            format!("t.month < {}", date_literal(last)),
                        ],
                        &mut paths,
                        1,
                    )?;
                }
                (cover.add, cover.take)
            }
            _ => (vec![(lo, hi)], Vec::new()),
        };
    let pieces = add
        .into_iter()
        .map(|p| (p, 1))
        .chain(take.into_iter().map(|p| (p, -1)));
    for ((a, b), sign) in pieces.filter(|((a, b), _)| a < b) {
        let mut wheres = vec![
            format!("t.created_at >= {}", time_literal(a)),
            format!("t.created_at < {}", time_literal(b)),
        ];
        owner_conditions(&mut wheres, visible, f, "t.owner_id");
        let mut segment = Vec::new();
        if let Some(v) = f.industry {
            segment.push(format!("c.industry_id = {v}"));
        }
        if let Some(v) = f.region {
            segment.push(format!("c.region_id = {v}"));
        }
        if !segment.is_empty() {
            wheres.push(format!(
                "t.customer_id IN (SELECT c.id FROM customers c WHERE {})",
                segment.join(" AND ")
            ));
        }
        read(
            conn,
            ("customer_level_steps", "customer_level_beyond"),
            "COUNT(*)",
            &wheres,
            &mut paths,
            sign,
        )?;
    }
    // Those that got further than where they stand now (blacklisted — counted by how far they
    // got — or moved back by hand).
    for ((now, furthest), n) in &paths.beyond {
        let (now, furthest) = (
            usize::try_from(*now).unwrap_or(0),
            usize::try_from(*furthest).unwrap_or(0),
        );
        for slot in at_least.iter_mut().take(furthest + 1).skip(now + 1) {
            *slot += n;
        }
    }

    Ok(STEPS
        .iter()
        .enumerate()
        .map(|(k, level)| LevelStep {
            level: *level,
            name: level.word(lang).to_string(),
            reached: at_least[k],
            conversion: (k > 0)
                .then(|| percent(at_least[k], at_least[k - 1]))
                .flatten(),
            // Only those that went through both levels: a jump over one is no time spent in it.
            median_days: (k > 0).then(|| median_days(&paths.took[k])).flatten(),
        })
        .collect())
}

/// The median of times in tenths of a day (each rounded half up; the middle two averaged and
/// rounded half up again), in days with one decimal; none of none.
fn median_days(took: &BTreeMap<i64, i64>) -> Option<String> {
    let n: i64 = took.values().sum();
    if n <= 0 {
        return None;
    }
    // The k-th smallest (from 0).
    let nth = |k: i64| {
        let mut seen = 0;
        for (tenths, count) in took {
            seen += count;
            if seen > k {
                return *tenths;
            }
        }
        took.keys().next_back().copied().unwrap_or_default()
    };
    let twice = if n % 2 == 1 {
        2 * nth(n / 2)
    } else {
        nth(n / 2 - 1) + nth(n / 2)
    };
    let tenths = (twice + 1).div_euclid(2);
    let sign = if tenths < 0 { "-" } else { "" };
    Some(format!("{sign}{}.{}", tenths.abs() / 10, tenths.abs() % 10))
}

#[cfg(test)]
mod tests {
    use super::median_days;
    use std::collections::BTreeMap;

    fn of(tenths: &[i64]) -> Option<String> {
        let mut h = BTreeMap::new();
        for t in tenths {
            *h.entry(*t).or_insert(0) += 1;
        }
        median_days(&h)
    }

    #[test]
    fn medians_are_in_days_with_one_decimal() {
        assert_eq!(of(&[]), None);
        assert_eq!(of(&[30, 10, 20]).as_deref(), Some("2.0"));
        assert_eq!(of(&[10, 20]).as_deref(), Some("1.5"));
        // The middle two averaged, rounded half up.
        assert_eq!(of(&[10, 11]).as_deref(), Some("1.1"));
        assert_eq!(of(&[3]).as_deref(), Some("0.3"));
        assert_eq!(of(&[0]).as_deref(), Some("0.0"));
        // Counts: the middle of 1, 1, 1, 5 is 1.
        assert_eq!(of(&[10, 10, 10, 50]).as_deref(), Some("1.0"));
        assert_eq!(of(&[-15]).as_deref(), Some("-1.5"));
    }
}
