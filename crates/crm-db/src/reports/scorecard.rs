//! The staff scorecard (绩效考核) on the report engine: each part of a person's period is one of
//! the engine's facts cut by owner (level moves and overdue money, which are not facts of a
//! period, are read beside it, through the same visibility filter), set against the average of
//! the people of the same department on the card, and weighed by the company's weights
//! (`crm_domain::scorecard`).

use super::{
    Cut, Filters, Key, Part, Plan, Reading, answer, filters, grouped, period, plan, time_literal,
};
use crate::schema::dictionary_items;
use crate::visibility::Visible;
use crate::{Actor, DbConnection, RepoResult, names};
use chrono::{Datelike, NaiveDate};
use crm_domain::api::{
    Dimension, Fact, IdName, ReportQuery, Scorecard, ScorecardColumn, ScorecardPart,
    ScorecardPerson, ScorecardQuery, average,
};
use crm_domain::permissions::Permission;
use crm_domain::scorecard::{ScoreComponent, points_tenths, ratio_bp, score_tenths, tenths};
use crm_domain::{Lang, Money};
use diesel::prelude::*;
use std::collections::{BTreeSet, HashMap};

/// Per person, per part: the value (a count, or money in minor units).
type Values = HashMap<i64, [i64; ScoreComponent::ALL.len()]>;

fn slot(c: ScoreComponent) -> usize {
    ScoreComponent::ALL
        .iter()
        .position(|x| *x == c)
        .unwrap_or_default()
}

/// `GET /reports/scorecard`.
pub fn scorecard(
    conn: &mut DbConnection,
    actor: &Actor,
    q: &ScorecardQuery,
    lang: Lang,
) -> RepoResult<Scorecard> {
    let today = crate::settings::today(conn)?;
    // Default: from the first of the month the period ends in (this month without an end).
    let end = q.to.unwrap_or(today);
    let rq = ReportQuery {
        from: Some(q.from.unwrap_or_else(|| end.with_day(1).unwrap_or(end))),
        to: q.to,
        department_id: q.department_id,
        owner_id: q.owner_id,
        ..ReportQuery::default()
    };
    let (from, to) = period(conn, &rq)?;
    let f = filters(conn, actor, Fact::Sales, &rq)?;
    let zone = crate::settings::zone(conn)?;
    let weights = crate::settings::get(conn)?.settings.scorecard_weights;
    let visible = &actor.visible;

    let mut values: Values = HashMap::new();
    let mut by_type: HashMap<(i64, i64), i64> = HashMap::new();
    let cut = |fact, dims| Cut {
        fact,
        from,
        to,
        dims,
        filters: &f,
        within: None,
        lines: false,
    };
    let owner_of = |k: &[Key], i: usize| match k.get(i) {
        Some(Key::Id(id)) => *id,
        _ => 0,
    };
    // Every part of the card in one statement (see `answer`): the facts of the period, then the
    // level moves and the overdue money beside them.
    const FACTS: [(Fact, ScoreComponent, bool); 7] = [
        (Fact::NewCustomers, ScoreComponent::NewCustomers, false),
        (Fact::DealsOpened, ScoreComponent::DealsOpened, false),
        (Fact::DealsWon, ScoreComponent::DealsWon, false),
        (Fact::Sales, ScoreComponent::Signed, true),
        (Fact::Receipts, ScoreComponent::Received, true),
        (Fact::Expenses, ScoreComponent::Expenses, true),
        (Fact::Tickets, ScoreComponent::Tickets, false),
    ];
    let by_owner = [Dimension::Owner];
    let mut plans = vec![plan(
        visible,
        zone,
        &cut(Fact::Activities, &[Dimension::Owner, Dimension::Type]),
    )];
    plans.extend(
        FACTS
            .iter()
            .map(|(fact, _, _)| plan(visible, zone, &cut(*fact, &by_owner))),
    );
    let beside = |parts| Plan {
        dims: &by_owner,
        from,
        parts,
    };
    plans.push(beside(vec![level_upgrades(visible, &f, zone, from, to)]));
    plans.push(beside(super::overdue(visible, &f, today, &by_owner)));
    let mut answers = answer(conn, &plans)?.into_iter();
    for ((owner, kind), (n, _)) in answers
        .next()
        .unwrap_or_default()
        .into_iter()
        .map(|(k, s)| ((owner_of(&k, 0), owner_of(&k, 1)), s))
    {
        by_type.insert((owner, kind), n);
        values.entry(owner).or_default()[slot(ScoreComponent::Activities)] += n;
    }
    let slots = FACTS
        .iter()
        .map(|(_, part, amount)| (*part, *amount))
        .chain([
            (ScoreComponent::LevelUpgrades, false),
            (ScoreComponent::OverdueHeld, true),
        ]);
    for ((part, amount), sums) in slots.zip(answers) {
        for (k, (n, a)) in sums {
            values.entry(owner_of(&k, 0)).or_default()[slot(part)] += if amount { a } else { n };
        }
    }

    // Who is on the card: the people in scope (and in the filters) who can own customers and are
    // enabled, and anyone else who has something to show for the period.
    let sellers: BTreeSet<i64> = crate::roles::holders(conn, Permission::CustomerCreate)?
        .into_iter()
        .map(|h| h.user_id)
        .filter(|id| *id != crate::pool::OWNER && visible.sees(*id) && wanted(&f, *id))
        .collect();
    let mut people: BTreeSet<i64> = sellers;
    people.extend(
        values
            .iter()
            .filter(|(id, v)| **id != crate::pool::OWNER && v.iter().any(|x| *x != 0))
            .map(|(id, _)| *id),
    );
    let owners = names::Owners::load(conn, people.iter().copied())?;
    // The department's sums and head counts.
    let mut departments: HashMap<i64, ([i64; ScoreComponent::ALL.len()], i64)> = HashMap::new();
    for id in &people {
        let d = departments.entry(owners.department_of(*id).id).or_default();
        let v = values.get(id).copied().unwrap_or_default();
        for (sum, x) in d.0.iter_mut().zip(v) {
            *sum += x;
        }
        d.1 += 1;
    }
    let types: Vec<IdName> = dictionary_items::table
        .filter(dictionary_items::kind.eq("activity_type"))
        .order((dictionary_items::sort_order, dictionary_items::id))
        .select((
            dictionary_items::id,
            dictionary_items::name,
            dictionary_items::name_en,
        ))
        .load::<(i64, String, Option<String>)>(conn)?
        .into_iter()
        .map(|(id, zh, en)| IdName {
            id,
            name: match (lang, en) {
                (Lang::En, Some(en)) => en,
                _ => zh,
            },
        })
        .collect();

    let shown = |c: ScoreComponent, v: i64| {
        if c.is_money() {
            Money::from_minor(v).to_string()
        } else {
            v.to_string()
        }
    };
    let mean = |c: ScoreComponent, sum: i64, n: i64| {
        if c.is_money() {
            average(Money::from_minor(sum), n)
                .unwrap_or_default()
                .to_string()
        } else {
            // Tenths, rounded half up.
            tenths((sum * 20 + n) / (n * 2).max(1))
        }
    };
    let mut card: Vec<(i64, ScorecardPerson)> = people
        .iter()
        .map(|id| {
            let v = values.get(id).copied().unwrap_or_default();
            let department = owners.department_of(*id);
            let (sums, n) = departments.get(&department.id).copied().unwrap_or_default();
            let mut scored = Vec::new();
            let parts = ScoreComponent::ALL
                .iter()
                .map(|c| {
                    let i = slot(*c);
                    let r = ratio_bp(v[i], sums[i], n, c.lower_is_better());
                    let w = weights.of(*c);
                    scored.push((w, r));
                    ScorecardPart {
                        component: *c,
                        value: shown(*c, v[i]),
                        department_average: mean(*c, sums[i], n),
                        weight: w,
                        ratio: tenths((r + 5) / 10),
                        points: tenths(points_tenths(w, r)),
                    }
                })
                .collect();
            let score = score_tenths(&scored);
            (
                score.unwrap_or_default(),
                ScorecardPerson {
                    person: owners.of(*id),
                    department,
                    score: score.map(tenths),
                    parts,
                    activities_by_type: types
                        .iter()
                        .map(|t| by_type.get(&(*id, t.id)).copied().unwrap_or_default())
                        .collect(),
                },
            )
        })
        .collect();
    card.sort_by(|(a, pa), (b, pb)| {
        b.cmp(a)
            .then_with(|| pa.person.name.cmp(&pb.person.name))
            .then(pa.person.id.cmp(&pb.person.id))
    });
    Ok(Scorecard {
        from,
        to,
        components: ScoreComponent::ALL
            .iter()
            .map(|c| ScorecardColumn {
                component: *c,
                label: c.label().get(lang).to_string(),
                money: c.is_money(),
                lower_is_better: c.lower_is_better(),
                weight: weights.of(*c),
            })
            .collect(),
        activity_types: types,
        people: card.into_iter().map(|(_, p)| p).collect(),
    })
}

/// Whether a person passes the owner and department filters.
fn wanted(f: &Filters, id: i64) -> bool {
    f.owner.is_none_or(|o| o == id) && f.owners.as_ref().is_none_or(|o| o.contains(&id))
}

/// Levels the person's customers climbed in the period (lead → contacted → prospect → signed),
/// per the customer's owner today, as counts: per customer, from the furthest level it had first
/// reached before the period to the furthest it first reached by its end
/// (`customer_level_times`). A level counts once per customer, the first time it is reached, so
/// moving a customer down and up again — in the period or across periods — earns nothing.
fn level_upgrades(
    visible: &Visible,
    f: &Filters,
    zone: chrono_tz::Tz,
    from: NaiveDate,
    to: NaiveDate,
) -> Part {
    use crm_domain::time::day_start;
    let lo = time_literal(day_start(from, zone));
    let hi = time_literal(day_start(to.succ_opt().unwrap_or(to), zone));
    // The furthest level first reached before an instant, as its rank.
    let furthest = |at: &str| {
        format!(
            "CASE WHEN t.signed_at < {at} THEN 3 WHEN t.prospect_at < {at} THEN 2 WHEN t.contacted_at < {at} THEN 1 ELSE 0 END"
        )
    };
    // The latest of the first times (as the indexes `customer_level_times_reached` and
    // `…_owner_reached` hold it): a customer that first reached nothing in the period is skipped.
    let mut wheres = vec![
        format!("COALESCE(t.signed_at, t.prospect_at, t.contacted_at) >= {lo}"),
        format!("t.contacted_at < {hi}"),
    ];
    super::owner_conditions(&mut wheres, visible, f, "t.owner_id");
    let levels = format!("SUM({} - {})", furthest(&hi), furthest(&lo));
    let sql = grouped(
        Reading::Rows,
        &["t.owner_id".to_string()],
        &levels,
        "0",
        "customer_level_times t",
        &wheres,
    );
    Part::new(sql, &[])
}
