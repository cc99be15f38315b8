//! The report engine (决策支持): one way to count a fact, cut by one or two dimensions, within the
//! caller's scope.
//!
//! A fact ([`Fact`]) is a kind of dated, owned business event — a new customer, a signed order, a
//! receipt, an approved expense, a won deal. Its [`Source`] says, once, where its rows are: the
//! table, the owner column the visibility filter applies to, the day column, the count and the
//! amount. Every report is then the same statement: the fact's rows in the period, inside the
//! caller's scope (the raw-SQL form of the one visibility filter, [`Visible::sql_condition`]),
//! narrowed by the common filters, grouped by the dimensions' keys, summed. Months are buckets
//! cut on the company's calendar (a `CASE` over the month starts, so a timestamp counts in the
//! month it fell in where the company is); departments are folded from owners after the sums
//! (their members are few), so a department rolls up whoever is in it and the filter takes a
//! department with every department below it.
//!
//! Every value written into the statement comes from a typed value (a date, a time, an id), never
//! from the caller's text.

use crate::schema::{dictionary_items, products, users};
use crate::visibility::Visible;
use crate::{Actor, DbConnection, RepoError, RepoResult, names};
use chrono::{Datelike, Months, NaiveDate, NaiveDateTime};
use crm_domain::api::{
    ColumnKind, Comparison, Dashboard, DashboardShare, Dimension, Fact, FunnelStep, GroupBy,
    MoneyComparison, Report, ReportColumn, ReportQuery, ReportRow, ReportTotals, StaffRank,
    TrendMonth, average,
};
use crm_domain::api::{
    LostReason, LostTo, OpportunityReport, OpportunityReportQuery, RenewalReport, RenewalRow,
    percent,
};
use crm_domain::customer::CustomerLevel;
use crm_domain::words::Word;
use crm_domain::{ErrorCode, Lang, Money, msg};
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use std::collections::{BTreeMap, HashMap};

mod funnel;
mod scorecard;
pub use scorecard::scorecard;

/// The longest period a report covers.
const MAX_MONTHS: u32 = 120;

/// Where a fact's rows are.
struct Source {
    /// `FROM` (with the joins every row needs).
    from: &'static str,
    /// The column the visibility filter and the owner filter apply to.
    owner: &'static str,
    /// A second column the visibility filter applies to (a deal is seen when its customer is).
    also_visible: Option<&'static str>,
    /// The day (a date on the company's calendar) or the instant (UTC) it happened.
    day: &'static str,
    timestamp: bool,
    count: &'static str,
    amount: &'static str,
    condition: &'static str,
    /// The customer's id, when the fact has a customer (industry and region are the customer's).
    customer: Option<&'static str>,
    /// The trigger-kept monthly summary per owner: its table, its count column and its amount
    /// column.
    summary: Option<(&'static str, &'static str, &'static str)>,
    /// The trigger-kept summary per owner and day (for a timestamp, its UTC day): its table, its
    /// count column, and whether it keys the row's type too (`type_id`, for `Dimension::Type`). A
    /// timestamp fact reads the days wholly inside a month from it; a date fact with a monthly
    /// summary, the ragged ends of its period.
    day_summary: Option<(&'static str, &'static str, bool)>,
    /// A trigger-kept monthly summary per owner and one more key: the customer's segment
    /// (industry, region), or the product.
    segments: Option<Segmented>,
    /// The trigger-kept summary per owner, UTC month and the customer's level now (new
    /// customers): a cut by level with no time dimension reads the UTC months wholly inside its
    /// period from it.
    levels: Option<&'static str>,
}

/// Orders whose service period counts: signed, executing or completed now, with an end. (The
/// status as an expression, `o.status || ''`, so no planner reads three quarters of the orders
/// through the index on the status instead of the period's few through the service end: SQLite
/// did, with statistics its own `ANALYZE` left after a bulk load.)
macro_rules! serving {
    () => {
        "o.status || '' IN ('signed', 'executing', 'completed') AND o.service_end IS NOT NULL"
    };
}

/// A renewal of `o`: another live order of the customer whose service runs past `o`'s end — the
/// rule the renewal risk list applies.
macro_rules! renewal_of_o {
    () => {
        "n.customer_id = o.customer_id AND n.id <> o.id AND n.service_end > o.service_end AND n.status IN ('signed', 'executing', 'completed')"
    };
}
/// For the drift recount of `orders.renewed`.
pub(crate) use renewal_of_o;

fn source(fact: Fact, by_product: bool) -> Source {
    let ending = |condition: &'static str, summary| Source {
        from: "orders o",
        owner: "o.owner_id",
        also_visible: None,
        day: "o.service_end",
        timestamp: false,
        count: "COUNT(*)",
        amount: "o.total",
        condition,
        customer: Some("o.customer_id"),
        summary: Some(summary),
        day_summary: None,
        segments: None,
        levels: None,
    };
    // By product: per order ending and product that renews (not a one-off build), its lines'
    // amount and whether a renewal has a line of the same product — kept by migration 038's
    // triggers in `renewal_product_parts` (product 0: the order once, for the totals, left out
    // here) and summed per month in `renewal_products`.
    let ending_lines =
        |condition: &'static str, count: &'static str, amount: &'static str| Source {
            from: "renewal_product_parts l",
            owner: "l.owner_id",
            also_visible: None,
            day: "l.service_end",
            timestamp: false,
            count: "COUNT(DISTINCT l.order_id)",
            amount: "l.amount",
            condition,
            customer: Some("l.customer_id"),
            summary: None,
            day_summary: None,
            segments: Some(Segmented {
                table: "renewal_products",
                count,
                amount,
                keyed: Keyed::Product,
            }),
            levels: None,
        };
    match fact {
        Fact::RenewalsDue if by_product => ending_lines("l.product_id <> 0", "due", "due_amount"),
        Fact::RenewalsDue => ending(serving!(), ("renewal_months", "due", "due_amount")),
        // The payment plans in force, by their due dates, under the order's owner (as receipts).
        // (An installment carries its order's owner and whether the order is in force, kept by
        // triggers.)
        Fact::InstallmentsDue => Source {
            from: "payment_installments pi",
            owner: "pi.owner_id",
            also_visible: None,
            day: "pi.due_date",
            timestamp: false,
            count: "COUNT(*)",
            amount: "pi.amount",
            condition: "pi.in_force AND pi.owner_id IS NOT NULL",
            customer: Some("(SELECT po.customer_id FROM orders po WHERE po.id = pi.order_id)"),
            summary: Some(("plan_months", "installments", "amount")),
            day_summary: None,
            segments: None,
            levels: None,
        },
        Fact::Renewed if by_product => ending_lines(
            "l.product_id <> 0 AND l.renewed = 1",
            "renewed",
            "renewed_amount",
        ),
        // `o.renewed` is `renewal_of_o` kept on the order by triggers.
        Fact::Renewed => ending(
            concat!(serving!(), " AND o.renewed"),
            ("renewal_months", "renewed", "renewed_amount"),
        ),
        Fact::NewCustomers => Source {
            from: "customers c",
            owner: "c.owner_id",
            also_visible: None,
            day: "c.created_at",
            timestamp: true,
            count: "COUNT(*)",
            amount: "0",
            condition: "1 = 1",
            customer: None,
            summary: None,
            day_summary: Some(("customer_days", "customers", false)),
            segments: None,
            levels: Some("customer_level_months"),
        },
        Fact::Sales if by_product => Source {
            from: "orders o JOIN order_lines l ON l.order_id = o.id",
            owner: "o.owner_id",
            also_visible: None,
            day: "o.signed_on",
            timestamp: false,
            count: "COUNT(DISTINCT o.id)",
            amount: "l.amount",
            // The status as an expression, as in `serving!`: joined to the lines, SQLite would
            // otherwise read the orders by status instead of the period's few by their day.
            condition: "o.status || '' IN ('signed', 'executing', 'completed')",
            customer: Some("o.customer_id"),
            summary: None,
            day_summary: None,
            segments: Some(Segmented {
                table: "sales_products",
                count: "orders",
                amount: "amount",
                keyed: Keyed::Product,
            }),
            levels: None,
        },
        Fact::Sales => Source {
            from: "orders o",
            owner: "o.owner_id",
            also_visible: None,
            day: "o.signed_on",
            timestamp: false,
            count: "COUNT(*)",
            amount: "o.total",
            // The status as an expression (see `serving!`): with statistics that make a status
            // look rare, SQLite read every signed order by `orders_status` to find a few days'.
            condition: "o.status || '' IN ('signed', 'executing', 'completed')",
            customer: Some("o.customer_id"),
            summary: Some(("sales_months", "orders", "amount")),
            day_summary: None,
            segments: Some(Segmented {
                table: "sales_segments",
                count: "orders",
                amount: "amount",
                keyed: Keyed::Customer,
            }),
            levels: None,
        },
        // A reversal is a negative receipt: it takes back its amount and its count.
        Fact::Receipts => Source {
            from: "receipts r JOIN orders o ON o.id = r.order_id",
            owner: "o.owner_id",
            also_visible: None,
            day: "r.received_on",
            timestamp: false,
            count: "SUM(CASE WHEN r.reversal_of IS NULL THEN 1 ELSE -1 END)",
            amount: "r.amount",
            condition: "1 = 1",
            customer: Some("o.customer_id"),
            summary: Some(("receipt_months", "receipts", "amount")),
            day_summary: Some(("receipt_days", "receipts", false)),
            segments: None,
            levels: None,
        },
        Fact::Expenses => Source {
            from: "expenses e",
            owner: "e.spender_id",
            also_visible: None,
            day: "e.spent_on",
            timestamp: false,
            count: "COUNT(*)",
            amount: "e.amount",
            condition: "e.status = 'approved'",
            customer: None,
            summary: None,
            day_summary: None,
            segments: None,
            levels: None,
        },
        Fact::DealsWon => Source {
            from: "opportunities p",
            owner: "p.owner_id",
            also_visible: Some("p.customer_owner_id"),
            day: "p.closed_on",
            timestamp: false,
            count: "COUNT(*)",
            amount: "p.amount",
            // The status as an expression, as for the sales: not every won deal by
            // `opportunities_board` for a week's (136 ms against 7 at 1M customers).
            condition: "p.status || '' = 'won'",
            customer: Some("p.customer_id"),
            summary: None,
            day_summary: None,
            segments: None,
            levels: None,
        },
        Fact::Activities => Source {
            from: "activities a",
            owner: "a.owner_id",
            also_visible: None,
            day: "a.occurred_at",
            timestamp: true,
            count: "COUNT(*)",
            amount: "0",
            condition: "1 = 1",
            customer: Some("a.customer_id"),
            summary: None,
            day_summary: Some(("activity_days", "activities", true)),
            segments: None,
            levels: None,
        },
        Fact::DealsOpened => Source {
            from: "opportunities p",
            owner: "p.owner_id",
            also_visible: Some("p.customer_owner_id"),
            day: "p.created_at",
            timestamp: true,
            count: "COUNT(*)",
            amount: "p.amount",
            condition: "1 = 1",
            customer: Some("p.customer_id"),
            summary: None,
            day_summary: None,
            segments: None,
            levels: None,
        },
        // Under the customer's owner: a ticket is seen where its customer is.
        Fact::Tickets => Source {
            from: "tickets t",
            owner: "t.customer_owner_id",
            also_visible: None,
            day: "t.created_at",
            timestamp: true,
            count: "COUNT(*)",
            amount: "0",
            condition: "1 = 1",
            customer: Some("t.customer_id"),
            summary: None,
            day_summary: None,
            segments: None,
            levels: None,
        },
    }
}

/// A monthly summary per owner and one more key: its table, its count and amount columns, and
/// what the key is.
#[derive(Clone, Copy)]
struct Segmented {
    table: &'static str,
    count: &'static str,
    amount: &'static str,
    keyed: Keyed,
}

/// What a summary of [`Source::segments`] keys besides owner and month.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Keyed {
    /// `kind` ('industry' or 'region') and `segment_id`, 0 for none.
    Customer,
    /// `product_id`: per product, the orders with a line of it and those lines' amount; 0, where
    /// kept, each order once with all its lines counted.
    Product,
}

/// The common filters, checked against the caller's scope.
#[derive(Debug, Clone, Default)]
struct Filters {
    /// The owners of the department asked for and of every department below it.
    owners: Option<Vec<i64>>,
    owner: Option<i64>,
    industry: Option<i64>,
    region: Option<i64>,
    product: Option<i64>,
}

impl Filters {
    /// Whether the caller sees everything and narrows it by nothing: only then may a summary
    /// without owner or segment keys answer.
    fn whole_company(&self, visible: &Visible) -> bool {
        matches!(visible, Visible::All)
            && self.owner.is_none()
            && self.owners.is_none()
            && self.industry.is_none()
            && self.region.is_none()
            && self.product.is_none()
    }
}

/// One count: a fact over a period, cut by dimensions, narrowed by filters.
#[derive(Clone, Copy)]
struct Cut<'a> {
    fact: Fact,
    from: NaiveDate,
    to: NaiveDate,
    dims: &'a [Dimension],
    filters: &'a Filters,
    /// Only the instants `[a, b)` of the period (a timestamp fact's part the rows must count);
    /// months stay those of the whole period.
    within: Option<(NaiveDateTime, NaiveDateTime)>,
    /// Read the order lines, as by product, without cutting by it (the totals of a report by
    /// product count the same lines as its rows, each order once).
    lines: bool,
}

impl Cut<'_> {
    /// Where the cut's rows are (by product: the order lines).
    fn source(&self) -> Source {
        // A signed order's lines add up to its total (they price it, it is signed only with
        // lines, and the drift check holds it), so the sales' lines as a whole are the sales.
        let lines = self.lines && self.fact != Fact::Sales;
        let by_product =
            lines || self.dims.contains(&Dimension::Product) || self.filters.product.is_some();
        source(self.fact, by_product)
    }
}

/// A group's key for one dimension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Key {
    /// The first day of a time bucket: a month's, or a week's Monday.
    Start(NaiveDate),
    Id(i64),
}

#[derive(QueryableByName)]
struct Sum {
    #[diesel(sql_type = BigInt)]
    k1: i64,
    #[diesel(sql_type = BigInt)]
    k2: i64,
    #[diesel(sql_type = BigInt)]
    n: i64,
    #[diesel(sql_type = BigInt)]
    amount: i64,
}

pub(crate) fn date_literal(d: NaiveDate) -> String {
    format!("'{}'", d.format("%Y-%m-%d"))
}

pub(crate) fn time_literal(t: NaiveDateTime) -> String {
    format!("'{}'", t.format("%Y-%m-%d %H:%M:%S"))
}

/// The first days of the months `[from, to]` touches.
fn months_of(from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
    let mut out = Vec::new();
    let mut m = from.with_day(1).unwrap_or(from);
    while m <= to {
        out.push(m);
        match m.checked_add_months(Months::new(1)) {
            Some(next) => m = next,
            None => break,
        }
    }
    out
}

/// The Mondays of the weeks `[from, to]` touches.
fn weeks_of(from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
    let mut out = Vec::new();
    let mut w = from - chrono::Days::new(u64::from(from.weekday().num_days_from_monday()));
    while w <= to {
        out.push(w);
        match w.checked_add_days(chrono::Days::new(7)) {
            Some(next) => w = next,
            None => break,
        }
    }
    out
}

/// The time buckets of a cut: weeks when it is by week, else months.
fn starts_of(dims: &[Dimension], from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
    if dims.contains(&Dimension::Week) {
        weeks_of(from, to)
    } else {
        months_of(from, to)
    }
}

type Sums = BTreeMap<Vec<Key>, (i64, i64)>;

/// The month bucket (0, 1, …) of `column` among `months` (first days, in order), whose starts
/// `at` writes in the column's terms.
fn buckets(column: &str, months: &[NaiveDate], at: impl Fn(NaiveDate) -> String) -> String {
    if months.len() < 2 {
        return "0".into();
    }
    let mut s = String::from("CASE");
    for (i, m) in months.iter().enumerate().skip(1) {
        s.push_str(&format!(" WHEN {column} < {} THEN {}", at(*m), i - 1));
    }
    s.push_str(&format!(" ELSE {} END", months.len() - 1));
    s
}

/// A grouped statement from its columns on (`… AS k1, … AS k2, … AS n, … AS amount FROM … WHERE
/// … GROUP BY …`), as [`grouped`] writes it: [`answer`] puts `SELECT` before it, or `SELECT` and
/// the branch's tag in a union.
struct Grouped(String);

/// One statement of a cut's answer: its sums, folded into the cut's groups, are added (`sign`
/// 1) or taken away (-1); its time bucket k is `months[k]`.
struct Part {
    select: Grouped,
    sign: i64,
    months: Vec<NaiveDate>,
}

impl Part {
    fn new(select: Grouped, months: &[NaiveDate]) -> Part {
        Part {
            select,
            sign: 1,
            months: months.to_vec(),
        }
    }

    fn signed(self, sign: i64) -> Part {
        Part {
            sign: self.sign * sign,
            ..self
        }
    }
}

/// How a cut is answered: statements whose sums, each with its sign, add up to the cut's. Made
/// without the database, so that [`answer`] sends the statements of several cuts at once.
struct Plan<'a> {
    /// The groups' dimensions, in the order of a part's keys.
    dims: &'a [Dimension],
    /// The first day of the period (what a time bucket outside `months` would fold to).
    from: NaiveDate,
    parts: Vec<Part>,
}

fn plan<'a>(visible: &Visible, zone: chrono_tz::Tz, cut: &Cut<'a>) -> Plan<'a> {
    Plan {
        dims: cut.dims,
        from: cut.from,
        parts: parts(visible, zone, cut),
    }
}

/// The most statements one [`answer`] sends together (SQLite allows 500 selects in a compound).
const PARTS_PER_STATEMENT: usize = 400;

#[derive(QueryableByName)]
struct TaggedSum {
    #[diesel(sql_type = BigInt)]
    q: i64,
    #[diesel(embed)]
    sum: Sum,
}

/// The sums of each plan's cut per group (keys in the cut's dimension order), in order, from one
/// statement: every part of every plan is a
/// branch of one `UNION ALL`, tagged with its place, so a report of many facts (the scorecard)
/// or of a summary and its ragged ends costs one round trip, not one per part.
fn answer(conn: &mut DbConnection, plans: &[Plan]) -> RepoResult<Vec<Sums>> {
    let parts: Vec<&Part> = plans.iter().flat_map(|p| &p.parts).collect();
    let mut rows: Vec<Vec<Sum>> = parts.iter().map(|_| Vec::new()).collect();
    for (chunk, first) in parts
        .chunks(PARTS_PER_STATEMENT)
        .zip((0..).step_by(PARTS_PER_STATEMENT))
    {
        if let [one] = chunk {
            rows[first] = diesel::sql_query(format!("SELECT {}", one.select.0)).load(conn)?;
            continue;
        }
        let branches: Vec<String> = chunk
            .iter()
            .enumerate()
            // The tag as the branch's first column, each branch keeping its own grouping:
            // PostgreSQL planned a union of plain selects in a fifth less time than one of
            // subqueries under a tagging select.
            .map(|(i, p)| format!("SELECT CAST({} AS BIGINT) AS q, {}", first + i, p.select.0))
            .collect();
        for t in diesel::sql_query(branches.join(" UNION ALL ")).load::<TaggedSum>(conn)? {
            if let Some(r) = usize::try_from(t.q).ok().and_then(|q| rows.get_mut(q)) {
                r.push(t.sum);
            }
        }
    }
    // The departments of the owners that cuts by department grouped by, each looked up once.
    let mut owners: Vec<i64> = Vec::new();
    let mut at = 0;
    for p in plans {
        let n = p.parts.len();
        if let Some(i) = p.dims.iter().position(|d| *d == Dimension::Department) {
            owners.extend(
                rows[at..at + n]
                    .iter()
                    .flatten()
                    .map(|r| if i == 0 { r.k1 } else { r.k2 }),
            );
        }
        at += n;
    }
    owners.sort_unstable();
    owners.dedup();
    let departments: HashMap<i64, i64> = if owners.is_empty() {
        HashMap::new()
    } else {
        users::table
            .filter(users::id.eq_any(owners))
            .select((users::id, users::department_id))
            .load::<(i64, i64)>(conn)?
            .into_iter()
            .collect()
    };
    let mut rows = rows.into_iter();
    Ok(plans
        .iter()
        .map(|p| {
            let mut out = Sums::new();
            for (part, r) in p.parts.iter().zip(rows.by_ref()) {
                add_times(&mut out, fold(p, &part.months, r, &departments), part.sign);
            }
            out
        })
        .collect())
}

/// The statements of a cut. Where the fact has a monthly summary and the cut asks nothing finer
/// than owners and months of it, whole months come from the summary and only the period's
/// ragged ends from the rows.
fn parts(visible: &Visible, zone: chrono_tz::Tz, cut: &Cut) -> Vec<Part> {
    let src = cut.source();
    // Whether a summary keyed by owner and what `keys` names can answer the cut: it asks for
    // nothing else, and no customer segment.
    use Dimension::{Department, Level, Month, Owner, Type};
    let answers = |keys: &[Dimension]| {
        cut.dims.iter().all(|d| keys.contains(d))
            && cut.filters.industry.is_none()
            && cut.filters.region.is_none()
    };
    let coarse = answers(&[Month, Department, Owner]);
    if let Some(table) = src.levels
        && cut.within.is_none()
        && cut.dims.contains(&Level)
        && answers(&[Level, Department, Owner])
    {
        return level_parts(visible, zone, cut, table);
    }
    if let Some((table, count, by_type)) = src.day_summary
        && src.timestamp
        && cut.within.is_none()
        && answers(if by_type {
            &[Month, Department, Owner, Type]
        } else {
            &[Month, Department, Owner]
        })
    {
        return day_parts(visible, zone, cut, (table, count));
    }
    // By the customer's industry or region (one of them, as a group or a filter), or by
    // product: the segment summary, where the fact keeps one.
    let segment = match (src.segments, cut.within) {
        (Some(s), None) => match s.keyed {
            Keyed::Customer => segment_of(cut),
            Keyed::Product => product_of(cut),
        }
        .map(|segment| (s, segment)),
        _ => None,
    };
    let summary = match (segment, src.summary, coarse, cut.within) {
        (Some((s, segment)), _, _, _) => Summary {
            table: s.table,
            count: s.count,
            amount: s.amount,
            column: "month",
            segment: Some(segment),
        },
        (None, Some((table, count, amount)), true, None) => Summary {
            table,
            count,
            amount,
            column: "month",
            segment: None,
        },
        _ => return vec![scan(visible, zone, cut)],
    };
    // The ragged ends: from the summary per day where the fact keeps one and the cut is not by
    // a customer segment, else from the rows.
    let days = match (&summary.segment, src.day_summary) {
        (None, Some((table, count, _))) => Some(Summary {
            table,
            count,
            amount: "amount",
            column: "day",
            segment: None,
        }),
        _ => None,
    };
    // A month the period cuts is read whole with the days outside taken away when they are the
    // smaller part (see [`month_cover`]). The days after today hold no rows yet, but for facts
    // dated ahead (service ends, installments due): for those a month is halved by its days.
    let now = match cut.fact {
        Fact::RenewalsDue | Fact::Renewed | Fact::InstallmentsDue => NaiveDateTime::MAX,
        _ => chrono::Utc::now().naive_utc(),
    };
    let start = |d: NaiveDate| d.and_time(chrono::NaiveTime::MIN);
    let after = cut.to.succ_opt().unwrap_or(cut.to);
    let cover = month_cover(start(cut.from), start(after), now);
    let mut parts: Vec<Part> = cover
        .months
        .map(|(a, b)| summed(visible, cut, &summary, a, b))
        .into_iter()
        .collect();
    for ((a, b), sign) in cover.pieces() {
        let (a, b) = (a.date(), b.date());
        let part = match &days {
            Some(days) => summed(visible, cut, days, a, b),
            None => scan(
                visible,
                zone,
                &Cut {
                    from: a,
                    to: b.pred_opt().unwrap_or(b),
                    ..*cut
                },
            ),
        };
        parts.push(part.signed(sign));
    }
    parts
}

/// Adds `part` to `out` (`sign` 1) or takes it away (-1): a group taken down to nothing is no
/// group.
fn add_times(out: &mut Sums, part: Sums, sign: i64) {
    for (k, (n, a)) in part {
        let s = out.entry(k.clone()).or_default();
        s.0 += sign * n;
        s.1 += sign * a;
        if sign < 0 && *s == (0, 0) {
            out.remove(&k);
        }
    }
}

/// A timestamp fact with a count per owner and UTC day (new customers): the UTC days wholly
/// inside one of the period's months (on the company's calendar) from the summary; the rest —
/// the hours before the first whole day and after the last, and each day a month's first instant
/// cuts in two — from the rows, but for an end day the period mostly holds, which is read whole
/// with the hours outside the period taken away.
fn day_parts(
    visible: &Visible,
    zone: chrono_tz::Tz,
    cut: &Cut,
    (table, count): (&str, &str),
) -> Vec<Part> {
    use crm_domain::time::day_start;
    let lo = day_start(cut.from, zone);
    let hi = day_start(cut.to.succ_opt().unwrap_or(cut.to), zone);
    let midnight = |t: NaiveDateTime| t.time() == chrono::NaiveTime::MIN;
    let next = |d: NaiveDate| d.succ_opt().unwrap_or(d);
    let at = |d: NaiveDate| d.and_time(chrono::NaiveTime::MIN);
    let mut first = if midnight(lo) {
        lo.date()
    } else {
        next(lo.date())
    };
    let mut last = hi.date(); // whole days are [first, last)
    // A day the period mostly holds (of its hours up to now: after them there are no rows yet)
    // is read whole and the rest taken away, like the months of `month_cover`: today, mostly.
    let now = chrono::Utc::now().naive_utc();
    let mostly = |d: NaiveDate, a: NaiveDateTime, b: NaiveDateTime| {
        mostly_held((at(d), at(next(d))), (a, b), now)
    };
    let mut take = Vec::new();
    if !midnight(lo) && mostly(lo.date(), lo, at(next(lo.date()))) {
        first = lo.date();
        take.push((at(first), lo));
    }
    if !midnight(hi) && mostly(hi.date(), at(hi.date()), hi) {
        last = next(hi.date());
        take.push((hi, at(last)));
    }
    if first >= last {
        return vec![scan(visible, zone, cut)];
    }
    let months = months_of(cut.from, cut.to);
    let starts: Vec<NaiveDateTime> = months.iter().skip(1).map(|m| day_start(*m, zone)).collect();
    // Days a month's first instant falls inside (not on their midnight) are counted from rows.
    let split: Vec<NaiveDate> = starts
        .iter()
        .filter(|t| !midnight(**t))
        .map(|t| t.date())
        .filter(|d| *d >= first && *d < last)
        .collect();
    // The first whole day of each month after the first: where its bucket starts.
    let firsts: Vec<NaiveDate> = starts
        .iter()
        .map(|t| {
            if midnight(*t) {
                t.date()
            } else {
                next(t.date())
            }
        })
        .collect();
    // By month: one statement per month over its days (each reads the summary in its key's
    // order and groups by owner as it goes), rather than a bucket computed for every day of the
    // period and sorted.
    let by_month = cut.dims.contains(&Dimension::Month);
    let mut bounds = vec![first];
    if by_month {
        bounds.extend(firsts.iter().map(|f| (*f).clamp(first, last)));
    }
    bounds.push(last);
    let mut parts = Vec::new();
    for (i, range) in bounds.windows(2).enumerate() {
        if range[0] >= range[1] {
            continue;
        }
        let keys: Vec<String> = cut
            .dims
            .iter()
            .map(|d| match d {
                Dimension::Month => i.to_string(),
                Dimension::Type => "s.type_id".into(),
                _ => "s.owner_id".into(),
            })
            .collect();
        let mut wheres = vec![
            format!("s.day >= {}", date_literal(range[0])),
            format!("s.day < {}", date_literal(range[1])),
        ];
        if !split.is_empty() {
            let list: Vec<String> = split.iter().map(|d| date_literal(*d)).collect();
            wheres.push(format!("s.day NOT IN ({})", list.join(", ")));
        }
        owner_conditions(&mut wheres, visible, cut.filters, "s.owner_id");
        let sql = grouped(
            Reading::Summary,
            &keys,
            &format!("SUM(s.{count})"),
            "0",
            &format!("{table} s"),
            &wheres,
        );
        parts.push(Part::new(sql, &months));
    }
    let mut pieces = vec![(lo, at(first)), (at(last), hi)];
    pieces.extend(split.iter().map(|d| (at(*d), at(next(*d)))));
    parts.extend(rows_within(visible, zone, cut, &pieces, 1));
    parts.extend(rows_within(visible, zone, cut, &take, -1));
    parts
}

/// The cut's own rows of each stretch `[a, b)` of instants a summary could not answer (a
/// period's ragged ends, a day a month boundary cuts), to add (`sign` 1), or of stretches a
/// summary counted but the period does not hold, to take away (-1; see [`month_cover`]).
fn rows_within(
    visible: &Visible,
    zone: chrono_tz::Tz,
    cut: &Cut,
    pieces: &[(NaiveDateTime, NaiveDateTime)],
    sign: i64,
) -> Vec<Part> {
    pieces
        .iter()
        .copied()
        .filter(|(a, b)| a < b)
        .map(|(a, b)| {
            let within = Cut {
                within: Some((a, b)),
                ..*cut
            };
            scan(visible, zone, &within).signed(sign)
        })
        .collect()
}

/// The money owed past its due day (before `today`), per owner or in all (`dims`: `[Owner]` or
/// none): the months before this one from `receivable_months`, this month's days before today
/// from `receivable_days` — what the aging's four overdue buckets add up to, without sorting it
/// into them (the scorecard, the dashboard).
fn overdue(visible: &Visible, f: &Filters, today: NaiveDate, dims: &[Dimension]) -> Vec<Part> {
    let month = today.with_day(1).unwrap_or(today);
    let keys: Vec<String> = dims.iter().map(|_| "s.owner_id".to_string()).collect();
    let part = |table: &str, mut wheres: Vec<String>| {
        owner_conditions(&mut wheres, visible, f, "s.owner_id");
        let select = grouped(
            Reading::Summary,
            &keys,
            "0",
            "s.outstanding",
            &format!("{table} s"),
            &wheres,
        );
        Part::new(select, &[])
    };
    vec![
        part(
            "receivable_months",
            vec![format!("s.month < {}", date_literal(month))],
        ),
        part(
            "receivable_days",
            vec![
                format!("s.due_date >= {}", date_literal(month)),
                format!("s.due_date < {}", date_literal(today)),
            ],
        ),
    ]
}

/// The whole months (or days, for a summary per day) `[a, b)` of a fact's summary, grouped like
/// the rows would be.
fn summed(visible: &Visible, cut: &Cut, summary: &Summary, a: NaiveDate, b: NaiveDate) -> Part {
    let months = months_of(a, b.pred_opt().unwrap_or(b));
    let column = format!("s.{}", summary.column);
    let key_sql = |d: Dimension| -> String {
        match (d, &summary.segment) {
            (Dimension::Month, _) => buckets(&column, &months, date_literal),
            (d, Some(s)) if d == s.dim => s.key.into(),
            _ => "s.owner_id".into(),
        }
    };
    let keys: Vec<String> = cut.dims.iter().map(|d| key_sql(*d)).collect();
    let mut wheres = vec![
        format!("{column} >= {}", date_literal(a)),
        format!("{column} < {}", date_literal(b)),
    ];
    if let Some(s) = &summary.segment {
        wheres.extend(s.wheres.iter().cloned());
    }
    owner_conditions(&mut wheres, visible, cut.filters, "s.owner_id");
    let sql = grouped(
        Reading::Summary,
        &keys,
        &format!("SUM(s.{})", summary.count),
        &format!("s.{}", summary.amount),
        &format!("{} s", summary.table),
        &wheres,
    );
    Part::new(sql, &months)
}

/// A summary the engine reads whole months from: its table, its count column, and for a segment
/// summary what it is read for.
struct Summary {
    table: &'static str,
    count: &'static str,
    amount: &'static str,
    /// `month`, or `day` for a summary per day.
    column: &'static str,
    segment: Option<Segment>,
}

/// The segment a segment summary is read for: the dimension it answers, its key column, and the
/// conditions that pick the segment's rows (its kind, a filter on it).
struct Segment {
    dim: Dimension,
    key: &'static str,
    wheres: Vec<String>,
}

/// Whether a cut of order lines (by product as a group or a filter, or all the lines for the
/// totals) asks otherwise nothing finer than owners and months, and no customer segment. All
/// the lines are product 0.
fn product_of(cut: &Cut) -> Option<Segment> {
    let f = cut.filters;
    let coarse = cut.dims.iter().all(|d| {
        matches!(
            d,
            Dimension::Product | Dimension::Month | Dimension::Department | Dimension::Owner
        )
    });
    let mut wheres = Vec::new();
    if cut.dims.contains(&Dimension::Product) {
        wheres.push("s.product_id <> 0".to_string());
    }
    match f.product {
        Some(v) => wheres.push(format!("s.product_id = {v}")),
        None if wheres.is_empty() => wheres.push("s.product_id = 0".into()),
        None => {}
    }
    (coarse && f.industry.is_none() && f.region.is_none()).then_some(Segment {
        dim: Dimension::Product,
        key: "s.product_id",
        wheres,
    })
}

/// Whether a cut asks for one customer segment (industry or region, as a group or a filter) and
/// otherwise nothing finer than owners and months.
fn segment_of(cut: &Cut) -> Option<Segment> {
    let f = cut.filters;
    let uses = |d: Dimension, filter: Option<i64>| cut.dims.contains(&d) || filter.is_some();
    let (kind, dim, filter) = match (
        uses(Dimension::Industry, f.industry),
        uses(Dimension::Region, f.region),
    ) {
        (true, false) => ("industry", Dimension::Industry, f.industry),
        (false, true) => ("region", Dimension::Region, f.region),
        _ => return None,
    };
    cut.dims
        .iter()
        .all(|d| {
            *d == dim
                || matches!(
                    d,
                    Dimension::Month | Dimension::Department | Dimension::Owner
                )
        })
        .then(|| Segment {
            dim,
            key: "s.segment_id",
            wheres: std::iter::once(format!("s.kind = '{kind}'"))
                .chain(filter.map(|v| format!("s.segment_id = {v}")))
                .collect(),
        })
}

/// The visibility filter and the owner and department filters on an owner column.
fn owner_conditions(wheres: &mut Vec<String>, visible: &Visible, f: &Filters, owner: &str) {
    if let Some(c) = visible.sql_condition(owner) {
        wheres.push(c);
    }
    if let Some(v) = f.owner {
        wheres.push(format!("{owner} = {v}"));
    }
    if let Some(v) = &f.owners {
        wheres.push(
            Visible::Owners(v.clone())
                .sql_condition(owner)
                .unwrap_or_default(),
        );
    }
}

/// What a statement reads, which decides how it groups.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Reading {
    /// A summary keyed by owner and then month or day: grouped by the keys as they are, so
    /// SQLite reads the key in order and groups as it goes instead of sorting.
    Summary,
    /// A fact's rows: grouped by the keys' casts, which keeps SQLite from reading an owner's
    /// whole history in the grouping's order instead of the period by the index that holds it.
    Rows,
}

/// `keys, count, SUM(amount) FROM … WHERE … GROUP BY keys`, as `k1, k2, n, amount` (see
/// [`Grouped`]).
fn grouped(
    reading: Reading,
    keys: &[String],
    count: &str,
    amount: &str,
    from: &str,
    wheres: &[String],
) -> Grouped {
    let cast = |k: &str| format!("CAST({k} AS BIGINT)");
    let key = |i: usize| keys.get(i).map_or_else(|| cast("0"), |k| cast(k));
    let mut sql = format!(
        "{} AS k1, {} AS k2, CAST(COALESCE({count}, 0) AS BIGINT) AS n, CAST(COALESCE(SUM({amount}), 0) AS BIGINT) AS amount FROM {from} WHERE {}",
        key(0),
        key(1),
        wheres.join(" AND ")
    );
    let group: Vec<String> = match reading {
        Reading::Rows => keys.iter().map(|k| cast(k)).collect(),
        // Constants left out (a number there would name a column).
        Reading::Summary => keys
            .iter()
            .filter(|k| k.parse::<i64>().is_err())
            .cloned()
            .collect(),
    };
    if !group.is_empty() {
        sql.push_str(&format!(" GROUP BY {}", group.join(", ")));
    } else if !keys.is_empty() {
        // Keys all constant: still no group for no rows.
        sql.push_str(" HAVING COUNT(*) > 0");
    }
    Grouped(sql)
}

/// A level's key: its rank among `CustomerLevel::ALL`.
fn level_key(column: &str) -> String {
    let mut s = format!("CASE {column}");
    for (i, l) in CustomerLevel::ALL.iter().enumerate() {
        s.push_str(&format!(" WHEN '{}' THEN {i}", l.as_str()));
    }
    s.push_str(" ELSE -1 END");
    s
}

/// New customers by level (and owner or department) over a period, with no time dimension: UTC
/// months from the summary per owner, month and level, and the rest from the rows (see
/// [`month_cover`]).
fn level_parts(visible: &Visible, zone: chrono_tz::Tz, cut: &Cut, table: &str) -> Vec<Part> {
    use crm_domain::time::day_start;
    let lo = day_start(cut.from, zone);
    let hi = day_start(cut.to.succ_opt().unwrap_or(cut.to), zone);
    let cover = month_cover(lo, hi, chrono::Utc::now().naive_utc());
    let Some((first, last)) = cover.months else {
        return vec![scan(visible, zone, cut)];
    };
    let keys: Vec<String> = cut
        .dims
        .iter()
        .map(|d| match d {
            Dimension::Level => level_key("s.level"),
            _ => "s.owner_id".into(),
        })
        .collect();
    let mut wheres = vec![
        format!("s.month >= {}", date_literal(first)),
        format!("s.month < {}", date_literal(last)),
    ];
    owner_conditions(&mut wheres, visible, cut.filters, "s.owner_id");
    let sql = grouped(
        Reading::Summary,
        &keys,
        "SUM(s.customers)",
        "0",
        &format!("{table} s"),
        &wheres,
    );
    let mut parts = vec![Part::new(sql, &[])];
    parts.extend(rows_within(visible, zone, cut, &cover.add, 1));
    parts.extend(rows_within(visible, zone, cut, &cover.take, -1));
    parts
}

/// A period's instants `[lo, hi)` as UTC months of a summary and pieces of rows: the months
/// `[first, last)` read whole, the pieces in `add` read from the rows and added, those in `take`
/// read from the rows and taken away. A month the period cuts is read whole with what lies
/// outside the period taken away when that holds less of the month's time up to `now` (after it
/// there are no rows yet), else what lies inside from the rows: a year from December 6 reads
/// December 1 to 6 of last year from the rows, not December 6 to 31, and this month whole less
/// the hours after the period.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct MonthCover {
    pub(crate) months: Option<(NaiveDate, NaiveDate)>,
    pub(crate) add: Vec<(NaiveDateTime, NaiveDateTime)>,
    pub(crate) take: Vec<(NaiveDateTime, NaiveDateTime)>,
}

impl MonthCover {
    /// The pieces of rows with their sign: those to add (1), then those to take away (-1).
    pub(crate) fn pieces(
        &self,
    ) -> impl Iterator<Item = ((NaiveDateTime, NaiveDateTime), i64)> + '_ {
        let add = self.add.iter().map(|p| (*p, 1));
        add.chain(self.take.iter().map(|p| (*p, -1)))
    }
}

/// Whether the stretch `part` holds more than half of `whole`'s time up to `now` (after it there
/// are no rows yet): then `whole` is read from a summary and the rest taken away.
fn mostly_held(
    (w0, w1): (NaiveDateTime, NaiveDateTime),
    (a, b): (NaiveDateTime, NaiveDateTime),
    now: NaiveDateTime,
) -> bool {
    let until = w1.min(now.max(w0));
    (b.min(until) - a.min(until)) * 2 > until - w0
}

pub(crate) fn month_cover(lo: NaiveDateTime, hi: NaiveDateTime, now: NaiveDateTime) -> MonthCover {
    let start = |d: NaiveDate| d.and_time(chrono::NaiveTime::MIN);
    let mut cover = MonthCover::default();
    let mut months = Vec::new();
    let mut m = lo.date().with_day(1).unwrap_or(lo.date());
    while start(m) < hi {
        let Some(next) = m.checked_add_months(Months::new(1)) else {
            break;
        };
        let (m0, m1) = (start(m), start(next));
        let (a, b) = (lo.max(m0), hi.min(m1));
        if (a, b) == (m0, m1) {
            months.push(m);
        } else if mostly_held((m0, m1), (a, b), now) {
            months.push(m);
            cover
                .take
                .extend([(m0, a), (b, m1)].into_iter().filter(|(x, y)| x < y));
        } else {
            cover.add.push((a, b));
        }
        m = next;
    }
    cover.months = months
        .first()
        .zip(months.last())
        .map(|(f, l)| (*f, l.checked_add_months(Months::new(1)).unwrap_or(*l)));
    cover
}

/// The fact's own rows in the cut.
fn scan(visible: &Visible, zone: chrono_tz::Tz, cut: &Cut) -> Part {
    let src = cut.source();
    let needs_customer = cut.dims.iter().any(|d| {
        matches!(
            d,
            Dimension::Industry | Dimension::Region | Dimension::Level | Dimension::Source
        )
    }) || cut.filters.industry.is_some()
        || cut.filters.region.is_some();
    let mut from = src.from.to_string();
    if needs_customer && let Some(id) = src.customer {
        from.push_str(&format!(" JOIN customers c ON c.id = {id}"));
    }
    // The instant or the day a boundary is, in the fact's column's terms.
    let at = |d: NaiveDate| {
        if src.timestamp {
            time_literal(crm_domain::time::day_start(d, zone))
        } else {
            date_literal(d)
        }
    };
    let months = starts_of(cut.dims, cut.from, cut.to);
    let key_sql = |d: Dimension| -> String {
        match d {
            Dimension::Month | Dimension::Week => buckets(src.day, &months, at),
            Dimension::Department | Dimension::Owner => src.owner.to_string(),
            Dimension::Industry => "COALESCE(c.industry_id, 0)".into(),
            Dimension::Source => "COALESCE(c.source_id, 0)".into(),
            Dimension::Region => "COALESCE(c.region_id, 0)".into(),
            Dimension::Level => level_key("c.level"),
            Dimension::Product => "l.product_id".into(),
            Dimension::Type => "a.type_id".into(),
        }
    };
    let keys: Vec<String> = cut.dims.iter().map(|d| key_sql(*d)).collect();
    let mut wheres = vec![src.condition.to_string()];
    let (lo, hi) = match cut.within {
        Some((a, b)) => (time_literal(a), time_literal(b)),
        None => (at(cut.from), at(cut.to.succ_opt().unwrap_or(cut.to))),
    };
    wheres.push(format!("{} >= {lo}", src.day));
    wheres.push(format!("{} < {hi}", src.day));
    let f = cut.filters;
    owner_conditions(&mut wheres, visible, f, src.owner);
    if let Some(c) = src.also_visible.and_then(|col| visible.sql_condition(col)) {
        wheres.push(c);
    }
    if let Some(v) = f.industry {
        wheres.push(format!("c.industry_id = {v}"));
    }
    if let Some(v) = f.region {
        wheres.push(format!("c.region_id = {v}"));
    }
    if let Some(v) = f.product {
        wheres.push(format!("l.product_id = {v}"));
    }
    let sql = grouped(Reading::Rows, &keys, src.count, src.amount, &from, &wheres);
    Part::new(sql, &months)
}

/// Rows of sums as groups: month buckets as their months, owners as their departments where
/// the cut is by department.
fn fold(
    plan: &Plan,
    months: &[NaiveDate],
    rows: Vec<Sum>,
    departments: &HashMap<i64, i64>,
) -> Sums {
    let mut out = Sums::new();
    for r in rows {
        if r.n == 0 && r.amount == 0 {
            continue;
        }
        let key: Vec<Key> = plan
            .dims
            .iter()
            .zip([r.k1, r.k2])
            .map(|(d, k)| match d {
                Dimension::Month | Dimension::Week => Key::Start(
                    months
                        .get(usize::try_from(k).unwrap_or_default())
                        .copied()
                        .unwrap_or(plan.from),
                ),
                Dimension::Department => Key::Id(departments.get(&k).copied().unwrap_or_default()),
                _ => Key::Id(k),
            })
            .collect();
        let s = out.entry(key).or_default();
        s.0 += r.n;
        s.1 += r.amount;
    }
    out
}

/// A report's period: 422 when it ends before it starts or covers more than ten years.
fn period(conn: &mut DbConnection, q: &ReportQuery) -> RepoResult<(NaiveDate, NaiveDate)> {
    let (from, to) = names::period(conn, q.from, q.to)?;
    for (field, d) in [("from", from), ("to", to)] {
        if !(1..=9999).contains(&d.year()) {
            return Err(RepoError::invalid(
                field,
                ErrorCode::Range,
                msg!(
                    "日期须在 1 至 9999 年之间",
                    "a date between the years 1 and 9999"
                ),
            ));
        }
    }
    if from
        .checked_add_months(Months::new(MAX_MONTHS))
        .is_none_or(|last| to >= last)
    {
        return Err(RepoError::invalid(
            "to",
            ErrorCode::Range,
            msg!("报表期间最长十年", "a report covers at most ten years"),
        ));
    }
    Ok((from, to))
}

/// The query's filters, each checked: an owner or department outside the caller's scope is 404
/// (as if it did not exist), a filter the fact has nothing to match 422.
fn filters(
    conn: &mut DbConnection,
    actor: &Actor,
    fact: Fact,
    q: &ReportQuery,
) -> RepoResult<Filters> {
    let dims = fact.dimensions();
    let refuse = |field: &'static str| {
        RepoError::invalid(
            field,
            ErrorCode::NotAllowed,
            msg!(
                "此报表不能按此筛选",
                "this report cannot be filtered by this"
            ),
        )
    };
    if q.industry_id.is_some() && !dims.contains(&Dimension::Industry) {
        return Err(refuse("industry_id"));
    }
    if q.region_id.is_some() && !dims.contains(&Dimension::Region) {
        return Err(refuse("region_id"));
    }
    if q.product_id.is_some() && !dims.contains(&Dimension::Product) {
        return Err(refuse("product_id"));
    }
    if let Some(owner) = q.owner_id {
        let exists = users::table
            .find(owner)
            .select(users::id)
            .first::<i64>(conn)
            .optional()?
            .is_some();
        if !exists || !actor.visible.sees(owner) {
            return Err(RepoError::NotFound);
        }
    }
    let owners = match q.department_id {
        None => None,
        Some(dept) => {
            let depts = crate::departments::subtree(conn, dept)?;
            if depts.is_empty() {
                return Err(RepoError::NotFound);
            }
            let members: Vec<i64> = users::table
                .filter(users::department_id.eq_any(&depts))
                .select(users::id)
                .load(conn)?;
            // A department is the caller's to see when someone in it is.
            if let Visible::Owners(_) = actor.visible
                && !members.iter().any(|m| actor.visible.sees(*m))
            {
                return Err(RepoError::NotFound);
            }
            Some(members)
        }
    };
    Ok(Filters {
        owners,
        owner: q.owner_id,
        industry: q.industry_id,
        region: q.region_id,
        product: q.product_id,
    })
}

/// The names of the groups, in `lang`.
struct Labels {
    lang: Lang,
    people: names::Names,
    departments: names::Names,
    entries: HashMap<i64, (String, Option<String>)>,
    products: HashMap<i64, String>,
}

impl Labels {
    fn load(
        conn: &mut DbConnection,
        lang: Lang,
        dims: &[Dimension],
        keys: &[&Vec<Key>],
    ) -> RepoResult<Labels> {
        let ids = |d: Dimension| -> Vec<i64> {
            let Some(i) = dims.iter().position(|x| *x == d) else {
                return Vec::new();
            };
            keys.iter()
                .filter_map(|k| match k.get(i) {
                    Some(Key::Id(id)) => Some(*id),
                    _ => None,
                })
                .collect()
        };
        let mut entry_ids = ids(Dimension::Industry);
        entry_ids.extend(ids(Dimension::Region));
        entry_ids.extend(ids(Dimension::Type));
        entry_ids.extend(ids(Dimension::Source));
        let entries = if entry_ids.is_empty() {
            HashMap::new()
        } else {
            dictionary_items::table
                .filter(dictionary_items::id.eq_any(entry_ids))
                .select((
                    dictionary_items::id,
                    dictionary_items::name,
                    dictionary_items::name_en,
                ))
                .load::<(i64, String, Option<String>)>(conn)?
                .into_iter()
                .map(|(id, zh, en)| (id, (zh, en)))
                .collect()
        };
        let product_ids = ids(Dimension::Product);
        let products = if product_ids.is_empty() {
            HashMap::new()
        } else {
            products::table
                .filter(products::id.eq_any(product_ids))
                .select((products::id, products::name))
                .load::<(i64, String)>(conn)?
                .into_iter()
                .collect()
        };
        Ok(Labels {
            lang,
            people: names::people(conn, ids(Dimension::Owner))?,
            departments: names::departments(conn, ids(Dimension::Department))?,
            entries,
            products,
        })
    }

    fn none(&self) -> String {
        msg!("未填写", "Not set").get(self.lang).to_string()
    }

    /// A group's key (what a drill-down filters by) and name.
    fn of(&self, d: Dimension, k: Key) -> (String, String) {
        match k {
            Key::Start(m) if d == Dimension::Week => {
                (m.to_string(), m.format("%G-W%V").to_string())
            }
            Key::Start(m) => {
                let s = m.format("%Y-%m").to_string();
                (s.clone(), s)
            }
            Key::Id(id) => {
                let name = match d {
                    Dimension::Owner => self.people.get(id).cloned(),
                    Dimension::Department => self.departments.get(id).cloned(),
                    Dimension::Industry
                    | Dimension::Region
                    | Dimension::Type
                    | Dimension::Source => {
                        self.entries.get(&id).map(|(zh, en)| match (self.lang, en) {
                            (Lang::En, Some(en)) => en.clone(),
                            _ => zh.clone(),
                        })
                    }
                    Dimension::Product => self.products.get(&id).cloned(),
                    Dimension::Level => {
                        let level = usize::try_from(id)
                            .ok()
                            .and_then(|i| CustomerLevel::ALL.get(i).copied());
                        return match level {
                            Some(l) => (l.as_str().to_string(), l.word(self.lang).to_string()),
                            None => (id.to_string(), self.none()),
                        };
                    }
                    Dimension::Month | Dimension::Week => None,
                };
                (id.to_string(), name.unwrap_or_else(|| self.none()))
            }
        }
    }
}

/// `GET /reports/{customers,sales,receipts}`: the fact within the caller's scope, grouped.
pub fn run(
    conn: &mut DbConnection,
    actor: &Actor,
    fact: Fact,
    q: &ReportQuery,
    lang: Lang,
) -> RepoResult<Report> {
    let (from, to) = period(conn, q)?;
    let group = q
        .group_by
        .clone()
        .unwrap_or_else(|| GroupBy::one(Dimension::Month));
    let dims = group.dims();
    if let Some(d) = dims.iter().find(|d| !fact.dimensions().contains(d)) {
        let known: Vec<&str> = fact.dimensions().iter().map(|d| d.as_str()).collect();
        let (name, known) = (d.as_str(), known.join(", "));
        return Err(RepoError::BadQuery {
            code: ErrorCode::InvalidQuery,
            message: msg!(
                "此报表不能按“{name}”分组，可选：{known}",
                "this report cannot be grouped by `{name}`: one of {known}",
            ),
        });
    }
    let filters = filters(conn, actor, fact, q)?;
    let zone = crate::settings::zone(conn)?;
    let cut = Cut {
        fact,
        from,
        to,
        dims,
        filters: &filters,
        within: None,
        lines: false,
    };
    // In one statement (see `answer`): the cut; for receipts, beside it their plan (the
    // installments due in each group); by product, the totals (an order with two products
    // counts under each, the totals once, from the same lines).
    let by_product = dims.contains(&Dimension::Product);
    let mut plans = vec![plan(&actor.visible, zone, &cut)];
    if fact == Fact::Receipts {
        let due = Cut {
            fact: Fact::InstallmentsDue,
            ..cut
        };
        plans.push(plan(&actor.visible, zone, &due));
    }
    if by_product {
        let whole = Cut {
            dims: &[],
            lines: true,
            ..cut
        };
        plans.push(plan(&actor.visible, zone, &whole));
    }
    let mut answers = answer(conn, &plans)?.into_iter();
    let mut sums = answers.next().unwrap_or_default();
    let planned = if fact == Fact::Receipts {
        let planned = answers.next().unwrap_or_default();
        for k in planned.keys() {
            sums.entry(k.clone()).or_default();
        }
        Some(planned)
    } else {
        None
    };
    // A month-by-month report shows every month, the empty ones too.
    if dims == [Dimension::Month] || dims == [Dimension::Week] {
        for m in starts_of(dims, from, to) {
            sums.entry(vec![Key::Start(m)]).or_default();
        }
    }
    let (total_n, total_amount) = if by_product {
        let all = answers.next().unwrap_or_default();
        all.values()
            .fold((0, 0), |(n, a), (n2, a2)| (n + n2, a + a2))
    } else {
        sums.values()
            .fold((0, 0), |(n, a), (n2, a2)| (n + n2, a + a2))
    };
    // New customers by level alone: how far they got, and how fast.
    let funnel = if fact == Fact::NewCustomers && dims == [Dimension::Level] {
        Some(funnel::level_funnel(
            conn,
            &actor.visible,
            zone,
            &cut,
            &sums,
            lang,
        )?)
    } else {
        None
    };
    let keys: Vec<&Vec<Key>> = sums.keys().collect();
    let labels = Labels::load(conn, lang, dims, &keys)?;
    // Groups of the first dimension largest first (time and levels in their own order: a level's
    // key is its rank in the pipeline), and the same within each.
    let ordered = |d: Option<&Dimension>| {
        matches!(
            d,
            Some(Dimension::Month | Dimension::Week | Dimension::Level)
        )
    };
    let mut first_totals: HashMap<Key, i64> = HashMap::new();
    for (k, (n, a)) in &sums {
        *first_totals.entry(k[0]).or_default() += if fact.has_amount() { *a } else { *n };
    }
    let mut rows: Vec<(Vec<Key>, i64, i64)> =
        sums.into_iter().map(|(k, (n, a))| (k, n, a)).collect();
    let size = |n: i64, a: i64| if fact.has_amount() { a } else { n };
    rows.sort_by(|(ka, na, aa), (kb, nb, ab)| {
        let first = if ordered(dims.first()) {
            ka[0].cmp(&kb[0])
        } else {
            first_totals[&kb[0]]
                .cmp(&first_totals[&ka[0]])
                .then(ka[0].cmp(&kb[0]))
        };
        first.then_with(|| {
            if ordered(dims.get(1)) {
                ka.get(1).cmp(&kb.get(1))
            } else {
                size(*nb, *ab).cmp(&size(*na, *aa)).then(ka.cmp(kb))
            }
        })
    });
    let money = |a: i64| fact.has_amount().then_some(Money::from_minor(a));
    let rows = rows
        .into_iter()
        .map(|(k, n, a)| {
            let plan = planned
                .as_ref()
                .map(|p| Money::from_minor(p.get(&k).map_or(0, |s| s.1)));
            let (keys, names): (Vec<String>, Vec<String>) =
                dims.iter().zip(k).map(|(d, k)| labels.of(*d, k)).unzip();
            ReportRow {
                keys,
                labels: names,
                count: n,
                amount: money(a),
                average: money(a).and_then(|m| average(m, n)),
                planned: plan,
            }
        })
        .collect();
    let mut columns: Vec<ReportColumn> = dims
        .iter()
        .map(|d| ReportColumn {
            key: d.as_str().into(),
            label: d.label().get(lang).into(),
            kind: ColumnKind::Dimension,
        })
        .collect();
    columns.push(ReportColumn {
        key: "count".into(),
        label: fact.count_label().get(lang).into(),
        kind: ColumnKind::Count,
    });
    if fact.has_amount() {
        columns.push(ReportColumn {
            key: "amount".into(),
            label: fact.amount_label().get(lang).into(),
            kind: ColumnKind::Money,
        });
        columns.push(ReportColumn {
            key: "average".into(),
            label: msg!("平均", "Average").get(lang).into(),
            kind: ColumnKind::Money,
        });
    }
    if planned.is_some() {
        columns.push(ReportColumn {
            key: "planned".into(),
            label: msg!("计划回款", "Planned").get(lang).into(),
            kind: ColumnKind::Money,
        });
    }
    Ok(Report {
        fact,
        title: fact.title().get(lang).into(),
        from,
        to,
        group_by: dims.to_vec(),
        columns,
        rows,
        totals: ReportTotals {
            count: total_n,
            amount: money(total_amount),
            average: money(total_amount).and_then(|m| average(m, total_n)),
            planned: planned
                .as_ref()
                .map(|p| Money::from_minor(p.values().map(|s| s.1).sum())),
        },
        funnel,
    })
}

/// `GET /reports/renewals`: service periods ending in the period (default: this year, to its
/// last day) per group, and how many of them — and how much — have been renewed: the engine's
/// two facts, side by side.
pub fn renewals(
    conn: &mut DbConnection,
    actor: &Actor,
    q: &ReportQuery,
    lang: Lang,
) -> RepoResult<RenewalReport> {
    let mut q = q.clone();
    // Default: the whole year the period starts or ends in (this year without either).
    if let (None, Some(to)) = (q.from, q.to) {
        q.from = NaiveDate::from_ymd_opt(to.year(), 1, 1);
    }
    if q.to.is_none() {
        let year = match q.from {
            Some(from) => from.year(),
            None => crate::settings::today(conn)?.year(),
        };
        q.to = NaiveDate::from_ymd_opt(year, 12, 31);
    }
    let due = run(conn, actor, Fact::RenewalsDue, &q, lang)?;
    let renewed = run(conn, actor, Fact::Renewed, &q, lang)?;
    let of: HashMap<&Vec<String>, (i64, Money)> = renewed
        .rows
        .iter()
        .map(|r| (&r.keys, (r.count, r.amount.unwrap_or_default())))
        .collect();
    let line =
        |keys: Vec<String>, labels: Vec<String>, n: i64, a: Option<Money>, done: (i64, Money)| {
            RenewalRow {
                keys,
                labels,
                due: n,
                due_amount: a.unwrap_or_default(),
                renewed: done.0,
                renewed_amount: done.1,
                rate: percent(done.0, n),
            }
        };
    let rows = due
        .rows
        .iter()
        .map(|r| {
            let done = of.get(&r.keys).copied().unwrap_or_default();
            line(r.keys.clone(), r.labels.clone(), r.count, r.amount, done)
        })
        .collect();
    let totals = line(
        Vec::new(),
        Vec::new(),
        due.totals.count,
        due.totals.amount,
        (
            renewed.totals.count,
            renewed.totals.amount.unwrap_or_default(),
        ),
    );
    let mut columns: Vec<ReportColumn> = due
        .columns
        .into_iter()
        .filter(|c| c.kind == ColumnKind::Dimension)
        .collect();
    for (key, label, kind) in [
        ("due", msg!("到期订单", "Ending"), ColumnKind::Count),
        (
            "due_amount",
            msg!("到期金额", "Ending amount"),
            ColumnKind::Money,
        ),
        ("renewed", msg!("已续费", "Renewed"), ColumnKind::Count),
        (
            "renewed_amount",
            msg!("已续费金额", "Renewed amount"),
            ColumnKind::Money,
        ),
        (
            "rate",
            msg!("续费率 %", "Renewal rate %"),
            ColumnKind::Percent,
        ),
    ] {
        columns.push(ReportColumn {
            key: key.into(),
            label: label.get(lang).into(),
            kind,
        });
    }
    Ok(RenewalReport {
        from: due.from,
        to: due.to,
        group_by: due.group_by,
        columns,
        rows,
        totals,
    })
}

/// `GET /reports/dashboard`: this month (to today) against last month and the same month last
/// year, the twelve months' trend, this year's industries and regions, the funnel now and this
/// month's ranking, all within the caller's scope. Eleven statements, each one grouped count.
pub fn dashboard(conn: &mut DbConnection, actor: &Actor, lang: Lang) -> RepoResult<Dashboard> {
    let today = crate::settings::today(conn)?;
    let zone = crate::settings::zone(conn)?;
    let month = today.with_day(1).unwrap_or(today);
    let back = |n: u32| month.checked_sub_months(Months::new(n)).unwrap_or(month);
    let (last_month, last_year, trend_from) = (back(1), back(12), back(11));
    // Last month and the same month last year, to the same day of the month as today (or their
    // last day): like against like, also early in a month.
    let same_day = |start: NaiveDate| {
        let end = start
            .checked_add_months(Months::new(1))
            .and_then(|n| n.pred_opt())
            .unwrap_or(start);
        (start + chrono::Days::new(u64::from(today.day0()))).min(end)
    };
    let visible = &actor.visible;
    let none = Filters::default();
    let year = NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(month);
    let cut = |fact: Fact, from: NaiveDate, to: NaiveDate, dims: &'static [Dimension]| {
        let cut = Cut {
            fact,
            from,
            to,
            dims,
            filters: &none,
            within: None,
            lines: false,
        };
        plan(visible, zone, &cut)
    };
    // Every count of the dashboard in one statement (see `answer`), in this order: this month,
    // last month and the same month last year per compared fact; the twelve months to this one
    // per trend fact; this year's signed amount by the customers' industry and by their region;
    // this month per person, signed and received; the money overdue today.
    const COMPARED: [Fact; 5] = [
        Fact::NewCustomers,
        Fact::Sales,
        Fact::Receipts,
        Fact::Expenses,
        Fact::DealsWon,
    ];
    const TREND: [Fact; 3] = [Fact::NewCustomers, Fact::Sales, Fact::Receipts];
    let mut plans = Vec::new();
    for fact in COMPARED {
        plans.push(cut(fact, month, today, &[]));
        plans.push(cut(fact, last_month, same_day(last_month), &[]));
        plans.push(cut(fact, last_year, same_day(last_year), &[]));
    }
    for fact in TREND {
        plans.push(cut(fact, trend_from, today, &[Dimension::Month]));
    }
    plans.push(cut(Fact::Sales, year, today, &[Dimension::Industry]));
    plans.push(cut(Fact::Sales, year, today, &[Dimension::Region]));
    plans.push(cut(Fact::Sales, month, today, &[Dimension::Owner]));
    plans.push(cut(Fact::Receipts, month, today, &[Dimension::Owner]));
    plans.push(Plan {
        dims: &[],
        from: month,
        parts: overdue(visible, &none, today, &[]),
    });
    let mut answers = answer(conn, &plans)?.into_iter();
    let mut next = || answers.next().unwrap_or_default();
    let mut compared: HashMap<Fact, [(i64, i64); 3]> = HashMap::new();
    for fact in COMPARED {
        let mut total = || next().get(&Vec::new()).copied().unwrap_or_default();
        compared.insert(fact, [total(), total(), total()]);
    }
    let count = |fact: Fact| {
        let [a, b, c] = compared[&fact];
        Comparison {
            this_month: a.0,
            last_month: b.0,
            last_year: c.0,
        }
    };
    let amount = |fact: Fact| {
        let [a, b, c] = compared[&fact];
        MoneyComparison {
            this_month: Money::from_minor(a.1),
            last_month: Money::from_minor(b.1),
            last_year: Money::from_minor(c.1),
        }
    };
    let monthly: HashMap<Fact, Sums> = TREND.into_iter().map(|fact| (fact, next())).collect();
    let at = |fact: Fact, m: NaiveDate| -> (i64, i64) {
        monthly[&fact]
            .get(&vec![Key::Start(m)])
            .copied()
            .unwrap_or_default()
    };
    let trend = months_of(trend_from, today)
        .into_iter()
        .map(|m| TrendMonth {
            month: m.format("%Y-%m").to_string(),
            new_customers: at(Fact::NewCustomers, m).0,
            signed: Money::from_minor(at(Fact::Sales, m).1),
            received: Money::from_minor(at(Fact::Receipts, m).1),
        })
        .collect();

    // This year's signed amount by the customers' industry and region: the largest eight.
    let shares =
        |conn: &mut DbConnection, d: Dimension, s: Sums| -> RepoResult<Vec<DashboardShare>> {
            let dims = [d];
            let mut v: Vec<(Vec<Key>, (i64, i64))> = s.into_iter().collect();
            v.sort_by(|a, b| b.1.1.cmp(&a.1.1).then(a.0.cmp(&b.0)));
            v.truncate(8);
            let keys: Vec<&Vec<Key>> = v.iter().map(|(k, _)| k).collect();
            let labels = Labels::load(conn, lang, &dims, &keys)?;
            Ok(v.iter()
                .map(|(k, (n, a))| {
                    let (id, name) = labels.of(d, k[0]);
                    DashboardShare {
                        id: id.parse().unwrap_or_default(),
                        name,
                        orders: *n,
                        signed: Money::from_minor(*a),
                    }
                })
                .collect())
        };
    let top_industries = shares(conn, Dimension::Industry, next())?;
    let top_regions = shares(conn, Dimension::Region, next())?;
    // This month per person: signed, and received beside it.
    let signed = next();
    let received = next();
    let overdue = Money::from_minor(next().get(&Vec::new()).map_or(0, |s| s.1));

    // The funnel: customers per level now, from the trigger-kept pipeline.
    let pipeline = crate::customers::pipeline(conn, actor, &Default::default())?;
    let funnel = [
        CustomerLevel::Lead,
        CustomerLevel::Contacted,
        CustomerLevel::Prospect,
        CustomerLevel::Signed,
    ]
    .into_iter()
    .map(|level| FunnelStep {
        level,
        name: level.word(lang).to_string(),
        customers: pipeline
            .levels
            .iter()
            .find(|l| l.level == level)
            .map_or(0, |l| l.count),
    })
    .collect();

    let mut ranking: Vec<(i64, i64, i64, i64)> = signed
        .iter()
        .map(|(k, (n, a))| {
            let id = match k[0] {
                Key::Id(id) => id,
                Key::Start(_) => 0,
            };
            let got = received.get(k).map_or(0, |r| r.1);
            (id, *a, *n, got)
        })
        .collect();
    ranking.sort_by(|a, b| b.1.cmp(&a.1).then(b.3.cmp(&a.3)).then(a.0.cmp(&b.0)));
    ranking.truncate(10);
    let owners = names::Owners::load(conn, ranking.iter().map(|r| r.0))?;
    let ranking = ranking
        .into_iter()
        .map(|(id, signed, orders, received)| StaffRank {
            owner: owners.of(id),
            department: owners.department_of(id),
            signed: Money::from_minor(signed),
            orders,
            received: Money::from_minor(received),
        })
        .collect();

    Ok(Dashboard {
        today,
        month,
        new_customers: count(Fact::NewCustomers),
        signed: amount(Fact::Sales),
        orders_signed: count(Fact::Sales),
        received: amount(Fact::Receipts),
        expenses: amount(Fact::Expenses),
        deals_won: count(Fact::DealsWon),
        overdue,
        trend,
        top_industries,
        top_regions,
        funnel,
        ranking,
    })
}

/// `GET /reports/opportunities`: the open deals per stage now (the trigger-kept pipeline), and
/// the deals closed in the period — won, lost, why and to whom, the days from opening to winning
/// — each seen as the deal lists see them (its owner and its customer's owner in scope).
pub fn opportunities(
    conn: &mut DbConnection,
    actor: &Actor,
    q: &OpportunityReportQuery,
) -> RepoResult<OpportunityReport> {
    let rq = ReportQuery {
        from: q.from,
        to: q.to,
        department_id: q.department_id,
        owner_id: q.owner_id,
        ..ReportQuery::default()
    };
    let (from, to) = period(conn, &rq)?;
    let f = filters(conn, actor, Fact::DealsWon, &rq)?;
    let visible = &actor.visible;
    let in_scope = |wheres: &mut Vec<String>, alias: &str| {
        owner_conditions(wheres, visible, &f, &format!("{alias}.owner_id"));
        if let Some(c) = visible.sql_condition(&format!("{alias}.customer_owner_id")) {
            wheres.push(c);
        }
    };

    // Open now, per stage.
    let mut wheres = vec!["1 = 1".to_string()];
    in_scope(&mut wheres, "s");
    let open: Vec<StageSum> = diesel::sql_query(format!(
        "SELECT s.stage_id AS k, CAST(SUM(s.deals) AS BIGINT) AS n, CAST(SUM(s.amount) AS BIGINT) AS a, \
         CAST(SUM(s.weighted) AS BIGINT) AS w FROM opportunity_pipeline s WHERE {} GROUP BY s.stage_id",
        wheres.join(" AND ")
    ))
    .load(conn)?;
    let sums: Vec<(i64, i64, i64, i64)> = open.iter().map(|r| (r.k, r.n, r.a, r.w)).collect();
    let pipeline = crate::opportunities::stages_of(conn, &sums)?;

    // Closed in the period, per status, rival and reason: for whoever sees every deal with no
    // owner or department asked for, the months from `deal_months` and the rest of the period
    // (see [`month_cover`]) from the deals; else the deals, from `opportunities_closed` alone.
    // (The status as an expression: SQLite would otherwise read every won or lost deal by the
    // status index.)
    let pg = matches!(conn, DbConnection::Pg(_));
    let days = if pg {
        "p.closed_on - p.opened_on"
    } else {
        "CAST(julianday(p.closed_on) - julianday(p.opened_on) AS BIGINT)"
    };
    let deals = |conn: &mut DbConnection, a: NaiveDate, b: NaiveDate| -> RepoResult<Vec<Closed>> {
        let mut wheres = vec![
            format!("p.closed_on >= {}", date_literal(a)),
            format!("p.closed_on < {}", date_literal(b)),
            "p.status || '' IN ('won', 'lost')".to_string(),
        ];
        in_scope(&mut wheres, "p");
        Ok(diesel::sql_query(format!(
            "SELECT p.status AS status, CAST(COALESCE(p.lost_to_id, 0) AS BIGINT) AS rival, \
             COALESCE(p.lost_reason, '') AS reason, CAST(COUNT(*) AS BIGINT) AS n, \
             CAST(SUM(p.amount) AS BIGINT) AS a, CAST(SUM(CASE WHEN p.status = 'won' AND \
             p.closed_on > p.opened_on THEN {days} ELSE 0 END) AS BIGINT) AS days \
             FROM opportunities p WHERE {} GROUP BY p.status, COALESCE(p.lost_to_id, 0), \
             COALESCE(p.lost_reason, '')",
            wheres.join(" AND ")
        ))
        .load(conn)?)
    };
    let after = to.succ_opt().unwrap_or(to);
    // Per (status, rival, reason): deals, amount, days to win.
    let mut closed: BTreeMap<(String, i64, String), (i64, i64, i64)> = BTreeMap::new();
    let mut add = |rows: Vec<Closed>, sign: i64| {
        for r in rows {
            let c = closed.entry((r.status, r.rival, r.reason)).or_default();
            (c.0, c.1, c.2) = (c.0 + sign * r.n, c.1 + sign * r.a, c.2 + sign * r.days);
        }
    };
    let start = |d: NaiveDate| d.and_time(chrono::NaiveTime::MIN);
    let cover = month_cover(start(from), start(after), chrono::Utc::now().naive_utc());
    match cover.months {
        Some((a, b)) if f.whole_company(visible) => {
            add(
                diesel::sql_query(format!(
                    "SELECT s.status AS status, s.lost_to_id AS rival, s.lost_reason AS reason, \
                     CAST(SUM(s.deals) AS BIGINT) AS n, CAST(SUM(s.amount) AS BIGINT) AS a, \
                     CAST(SUM(s.win_days) AS BIGINT) AS days FROM deal_months s \
                     WHERE s.month >= {} AND s.month < {} GROUP BY s.status, s.lost_to_id, s.lost_reason",
                    date_literal(a),
                    date_literal(b)
                ))
                .load(conn)?,
                1,
            );
            for ((a, b), sign) in cover.pieces() {
                add(deals(conn, a.date(), b.date())?, sign);
            }
        }
        _ => add(deals(conn, from, after)?, 1),
    }
    let (mut won, mut won_amount, mut lost, mut lost_amount, mut won_days) = (0, 0, 0, 0, 0);
    let mut reasons: BTreeMap<&str, i64> = BTreeMap::new();
    let mut rivals: BTreeMap<i64, (i64, i64)> = BTreeMap::new();
    for ((status, rival, reason), &(n, a, days)) in closed.iter().filter(|(_, c)| c.0 != 0) {
        if status == "won" {
            (won, won_amount, won_days) = (won + n, won_amount + a, won_days + days);
            continue;
        }
        (lost, lost_amount) = (lost + n, lost_amount + a);
        *reasons.entry(reason.as_str()).or_default() += n;
        if *rival != 0 {
            let r = rivals.entry(*rival).or_default();
            (r.0, r.1) = (r.0 + n, r.1 + a);
        }
    }
    let mut reasons: Vec<LostReason> = reasons
        .into_iter()
        .map(|(reason, deals)| LostReason {
            reason: reason.to_string(),
            deals,
        })
        .collect();
    reasons.sort_by(|a, b| b.deals.cmp(&a.deals).then(a.reason.cmp(&b.reason)));
    reasons.truncate(10);
    let names = names::competitors(conn, rivals.keys().copied())?;
    let mut lost_to: Vec<LostTo> = rivals
        .into_iter()
        .map(|(k, (n, a))| LostTo {
            competitor: names.of(k),
            deals: n,
            amount: Money::from_minor(a),
        })
        .collect();
    lost_to.sort_by(|a, b| b.deals.cmp(&a.deals).then(b.amount.cmp(&a.amount)));
    // Days to win: from the company-calendar day the deal was opened to the day it was won, on
    // average to a tenth (rounded half up).
    let average_days_to_win = (won > 0).then(|| {
        let tenths = (won_days * 10 * 2 + won) / (2 * won);
        format!("{}.{}", tenths / 10, tenths % 10)
    });
    Ok(OpportunityReport {
        from,
        to,
        stages: pipeline.stages,
        open: pipeline.count,
        open_amount: pipeline.amount,
        open_weighted: pipeline.weighted_amount,
        won,
        won_amount: Money::from_minor(won_amount),
        lost,
        lost_amount: Money::from_minor(lost_amount),
        win_rate: percent(won, won + lost),
        average_days_to_win,
        lost_reasons: reasons,
        lost_to,
    })
}

#[derive(QueryableByName)]
struct StageSum {
    #[diesel(sql_type = BigInt)]
    k: i64,
    #[diesel(sql_type = BigInt)]
    n: i64,
    #[diesel(sql_type = BigInt)]
    a: i64,
    #[diesel(sql_type = BigInt)]
    w: i64,
}

/// The deals closed in a stretch with one status, rival (0: none) and reason ('': none).
#[derive(QueryableByName)]
struct Closed {
    #[diesel(sql_type = diesel::sql_types::Text)]
    status: String,
    #[diesel(sql_type = BigInt)]
    rival: i64,
    #[diesel(sql_type = diesel::sql_types::Text)]
    reason: String,
    #[diesel(sql_type = BigInt)]
    n: i64,
    #[diesel(sql_type = BigInt)]
    a: i64,
    /// The won deals' days from opening to winning.
    #[diesel(sql_type = BigInt)]
    days: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    // More parts than one statement takes: each plan's sums come back whole and in order, each
    // part with its sign, empty parts keeping their place.
    crate::db_test!(an_answer_of_many_parts_takes_several_statements, |db| {
        let pool = crate::Db::connect(&db.url, 1).unwrap();
        let mut conn = pool.get().unwrap();
        let part = |i: usize, rows: bool| {
            let select = Grouped(format!(
                "CAST({} AS BIGINT) AS k1, CAST(0 AS BIGINT) AS k2, CAST(1 AS BIGINT) AS n, CAST({i} AS BIGINT) AS amount{}",
                i % 7,
                if rows { "" } else { " WHERE 1 = 0" }
            ));
            Part::new(select, &[])
        };
        let by_owner = [Dimension::Owner];
        let from = d("2026-01-01");
        let many = PARTS_PER_STATEMENT * 2 + 50;
        let plans = [
            Plan {
                dims: &by_owner,
                from,
                parts: (0..many).map(|i| part(i, i % 5 != 0)).collect(),
            },
            Plan {
                dims: &by_owner,
                from,
                parts: vec![part(3, true).signed(-1), part(10, true)],
            },
        ];
        let got = answer(&mut conn, &plans).unwrap();
        let mut first = Sums::new();
        for i in (0..many).filter(|i| i % 5 != 0) {
            let s = first.entry(vec![Key::Id((i % 7) as i64)]).or_default();
            s.0 += 1;
            s.1 += i as i64;
        }
        assert_eq!(got[0], first);
        // 3 taken away, then 10 (key 3 as well) added: (−1 + 1, −3 + 10).
        assert_eq!(got[1], Sums::from([(vec![Key::Id(3)], (0, 7))]));
    });

    #[test]
    fn a_period_touches_its_months() {
        assert_eq!(
            months_of(d("2026-01-15"), d("2026-03-01")),
            vec![d("2026-01-01"), d("2026-02-01"), d("2026-03-01")]
        );
        assert_eq!(
            months_of(d("2026-05-31"), d("2026-05-31")),
            vec![d("2026-05-01")]
        );
    }

    #[test]
    fn a_period_is_covered_by_months_and_the_smaller_pieces_of_rows() {
        let t = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        // A year on the Shanghai calendar from December 6: December read whole with its first
        // five days and sixteen hours taken away; the current month whole less what is after
        // the period.
        assert_eq!(
            month_cover(
                t("2025-12-05 16:00"),
                t("2026-12-06 16:00"),
                t("2026-12-06 11:50")
            ),
            MonthCover {
                months: Some((d("2025-12-01"), d("2027-01-01"))),
                add: vec![],
                take: vec![
                    (t("2025-12-01 00:00"), t("2025-12-05 16:00")),
                    (t("2026-12-06 16:00"), t("2027-01-01 00:00")),
                ],
            }
        );
        // February to May on the same calendar: the eight hours before February and May but
        // its last eight hours from the rows.
        assert_eq!(
            month_cover(
                t("2019-01-31 16:00"),
                t("2019-05-31 16:00"),
                t("2026-12-06 11:50")
            ),
            MonthCover {
                months: Some((d("2019-02-01"), d("2019-06-01"))),
                add: vec![(t("2019-01-31 16:00"), t("2019-02-01 00:00"))],
                take: vec![(t("2019-05-31 16:00"), t("2019-06-01 00:00"))],
            }
        );
        // A few days: rows only; early in this month, the month less what is after them.
        assert_eq!(
            month_cover(
                t("2026-12-01 00:00"),
                t("2026-12-03 00:00"),
                t("2026-12-03 12:00")
            ),
            MonthCover {
                months: Some((d("2026-12-01"), d("2027-01-01"))),
                add: vec![],
                take: vec![(t("2026-12-03 00:00"), t("2027-01-01 00:00"))],
            }
        );
        assert_eq!(
            month_cover(
                t("2026-03-02 00:00"),
                t("2026-03-05 00:00"),
                t("2026-12-06 11:50")
            ),
            MonthCover {
                months: None,
                add: vec![(t("2026-03-02 00:00"), t("2026-03-05 00:00"))],
                take: vec![],
            }
        );
    }

    #[test]
    fn months_are_buckets_of_their_starts() {
        let months = months_of(d("2026-01-15"), d("2026-03-01"));
        assert_eq!(
            buckets("x", &months, date_literal),
            "CASE WHEN x < '2026-02-01' THEN 0 WHEN x < '2026-03-01' THEN 1 ELSE 2 END"
        );
        assert_eq!(buckets("x", &months[..1], date_literal), "0");
    }

    #[test]
    fn literals_are_dates_and_times_only() {
        assert_eq!(date_literal(d("2026-02-01")), "'2026-02-01'");
        let t = d("2026-01-31").and_hms_opt(16, 0, 0).unwrap();
        assert_eq!(time_literal(t), "'2026-01-31 16:00:00'");
    }
}
