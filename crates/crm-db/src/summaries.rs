//! Checks of the maintained summaries against a recount from the rows they summarise: the pipeline
//! per owner and level, open deals per owner and stage, the installments' owner / in-force / received columns, the outstanding
//! money per owner and due date, the level funnel's steps and overshoots per month, expenses, orders signed, receipts and payment plans per month, receipts, new customers and activities (by type) per day, service periods ending and renewed per month (and the renewed flag on orders), the customer's owner kept on deals and
//! tickets, and the search index. The tests run it after their writes; on a
//! big database it reads everything, so it is not for a request path.

use crate::schema::{
    activities as act, activity_days as ad, article_grams as ag, customer_days as cd,
    customer_grams as g, customer_level_months as clm, customers as c,
    expense_department_months as edm, expense_months as em, expenses as e, orders as o,
    payment_installments as pi, plan_months as pm, receipt_days as rcd, receipt_months as rcm,
    receipts as r, receivable_days as rd, receivable_months as rm, renewal_months as rnm,
    sales_months as sm, sales_segments as ss,
};
use crate::{DbConnection, RepoResult};
use chrono::Datelike;
use diesel::prelude::*;
use diesel::sql_types::Text;
use std::collections::{BTreeMap, BTreeSet};

/// Rows of a query as comparable text, for a set difference.
fn rows_of(conn: &mut DbConnection, query: &str) -> QueryResult<BTreeSet<String>> {
    #[derive(QueryableByName)]
    struct Line {
        #[diesel(sql_type = Text)]
        line: String,
    }
    Ok(diesel::sql_query(query)
        .load::<Line>(conn)?
        .into_iter()
        .map(|l| l.line)
        .collect())
}

fn compare(
    conn: &mut DbConnection,
    what: &str,
    kept: &str,
    recount: &str,
    out: &mut Vec<String>,
) -> QueryResult<()> {
    let kept = rows_of(conn, kept)?;
    let recount = rows_of(conn, recount)?;
    for extra in kept.difference(&recount) {
        out.push(format!("{what}: kept {extra}, not in a recount"));
    }
    for missing in recount.difference(&kept) {
        out.push(format!("{what}: recount has {missing}, not kept"));
    }
    Ok(())
}

/// A summary kept per `keys` against its rule: the view `parts` (one row per record) counted
/// per the same keys, each measure as `(column, how the view's rows count it)`. A group whose
/// measures are all zero is no group.
fn by_keys(
    conn: &mut DbConnection,
    table: &str,
    parts: &str,
    keys: &[&str],
    measures: &[(&str, &str)],
    out: &mut Vec<String>,
) -> QueryResult<()> {
    let line = keys
        .iter()
        .chain(measures.iter().map(|(m, _)| m))
        .map(|c| format!("CAST({c} AS TEXT)"))
        .collect::<Vec<_>>()
        .join(" || ' ' || ");
    let keys = keys.join(", ");
    let nonzero = measures
        .iter()
        .map(|(m, _)| format!("{m} <> 0"))
        .collect::<Vec<_>>()
        .join(" OR ");
    let counted = measures
        .iter()
        .map(|(m, how)| format!("{how} AS {m}"))
        .collect::<Vec<_>>()
        .join(", ");
    compare(
        conn,
        table,
        &format!("SELECT {line} AS line FROM {table} WHERE {nonzero}"),
        &format!(
            "SELECT {line} AS line FROM (SELECT {keys}, {counted} FROM {parts} GROUP BY {keys}) x"
        ),
        out,
    )
}

/// Every difference between a summary and its recount (empty when all agree).
pub fn drift(conn: &mut DbConnection) -> RepoResult<Vec<String>> {
    let mut out = Vec::new();
    let line = |cols: &str| format!("CAST({cols} AS TEXT) AS line");
    compare(
        conn,
        "customer_pipeline",
        &format!(
            "SELECT {} FROM customer_pipeline WHERE customers <> 0 OR signed_total <> 0",
            line("owner_id || ' ' || level || ' ' || customers || ' ' || signed_total")
        ),
        &format!(
            "SELECT {} FROM (SELECT owner_id, level, COUNT(*) AS n, SUM(signed_total) AS t FROM customers GROUP BY owner_id, level) x",
            line("owner_id || ' ' || level || ' ' || n || ' ' || t")
        ),
        &mut out,
    )?;
    // When each customer first reached each level, against the rule (the view over its moves).
    let reached = line(
        "customer_id || ' ' || owner_id || ' ' || CAST(created_at AS TEXT) || ' ' || level || ' ' \
         || COALESCE(CAST(contacted_at AS TEXT), '-') || ' ' || COALESCE(CAST(prospect_at AS TEXT), '-') \
         || ' ' || COALESCE(CAST(signed_at AS TEXT), '-') || ' ' || CAST(entered_contacted AS TEXT) \
         || ' ' || CAST(entered_prospect AS TEXT) || ' ' || CAST(entered_signed AS TEXT)",
    );
    compare(
        conn,
        "customer_level_times",
        &format!("SELECT {reached} FROM customer_level_times"),
        &format!("SELECT {reached} FROM customer_levels_reached"),
        &mut out,
    )?;
    // The funnel's company-wide summaries, against the same views over the rows.
    for (what, a, b, view) in [
        (
            "customer_level_gap_months",
            "step",
            "tenths",
            "customer_level_steps",
        ),
        (
            "customer_level_beyond_months",
            "level_rank",
            "furthest",
            "customer_level_beyond",
        ),
    ] {
        let shown = line(&format!(
            "CAST(month AS TEXT) || ' ' || {a} || ' ' || {b} || ' ' || customers"
        ));
        compare(
            conn,
            what,
            &format!("SELECT {shown} FROM {what} WHERE customers <> 0"),
            &format!(
                "SELECT {shown} FROM (SELECT month, {a}, {b}, COUNT(*) AS customers FROM {view} GROUP BY month, {a}, {b}) x"
            ),
            &mut out,
        )?;
    }
    compare(
        conn,
        "opportunity_pipeline",
        &format!(
            "SELECT {} FROM opportunity_pipeline WHERE deals <> 0 OR amount <> 0 OR weighted <> 0",
            line(
                "owner_id || ' ' || customer_owner_id || ' ' || stage_id || ' ' || deals || ' ' || amount || ' ' || weighted"
            )
        ),
        &format!(
            "SELECT {} FROM (SELECT owner_id, customer_owner_id, stage_id, COUNT(*) AS n, SUM(amount) AS a, SUM(amount * probability) AS w \
             FROM opportunities WHERE status = 'open' GROUP BY owner_id, customer_owner_id, stage_id) x",
            line(
                "owner_id || ' ' || customer_owner_id || ' ' || stage_id || ' ' || n || ' ' || a || ' ' || w"
            )
        ),
        &mut out,
    )?;
    compare(
        conn,
        "opportunities.customer_owner_id",
        &format!(
            "SELECT {} FROM opportunities",
            line("id || ' ' || customer_owner_id")
        ),
        &format!(
            "SELECT {} FROM opportunities o JOIN customers c ON c.id = o.customer_id",
            line("o.id || ' ' || c.owner_id")
        ),
        &mut out,
    )?;
    compare(
        conn,
        "tickets.customer_owner_id",
        &format!(
            "SELECT {} FROM tickets",
            line("id || ' ' || customer_owner_id")
        ),
        &format!(
            "SELECT {} FROM tickets t JOIN customers c ON c.id = t.customer_id",
            line("t.id || ' ' || c.owner_id")
        ),
        &mut out,
    )?;
    compare(
        conn,
        "payment_installments",
        &format!(
            "SELECT {} FROM payment_installments",
            line(
                "id || ' ' || COALESCE(owner_id, 0) || ' ' || CASE WHEN in_force THEN 1 ELSE 0 END || ' ' || received"
            )
        ),
        &format!(
            "SELECT {} FROM payment_installments pi JOIN orders o ON o.id = pi.order_id",
            line(
                "pi.id || ' ' || o.owner_id || ' ' || CASE WHEN o.status IN ('signed', 'executing', 'completed') THEN 1 ELSE 0 END || ' ' || (SELECT COALESCE(SUM(ra.amount), 0) FROM receipt_allocations ra WHERE ra.installment_id = pi.id)"
            )
        ),
        &mut out,
    )?;
    compare(
        conn,
        "receivable_days",
        &format!(
            "SELECT {} FROM receivable_days",
            line("owner_id || ' ' || due_date || ' ' || outstanding")
        ),
        &format!(
            "SELECT {} FROM (SELECT o.owner_id, pi.due_date, SUM(pi.amount - (SELECT COALESCE(SUM(ra.amount), 0) FROM receipt_allocations ra WHERE ra.installment_id = pi.id)) AS outstanding \
             FROM payment_installments pi JOIN orders o ON o.id = pi.order_id \
             WHERE o.status IN ('signed', 'executing', 'completed') \
             AND pi.amount > (SELECT COALESCE(SUM(ra.amount), 0) FROM receipt_allocations ra WHERE ra.installment_id = pi.id) \
             GROUP BY o.owner_id, pi.due_date) x",
            line("owner_id || ' ' || due_date || ' ' || outstanding")
        ),
        &mut out,
    )?;
    // The months, against the days.
    let mut months: BTreeMap<(i64, chrono::NaiveDate), i64> = BTreeMap::new();
    for (owner, day, amount) in rd::table
        .select((rd::owner_id, rd::due_date, rd::outstanding))
        .load::<(i64, chrono::NaiveDate, i64)>(conn)?
    {
        let month = day.with_day(1).unwrap_or(day);
        *months.entry((owner, month)).or_default() += amount;
    }
    months.retain(|_, v| *v != 0);
    let kept_months: BTreeMap<(i64, chrono::NaiveDate), i64> = rm::table
        .select((rm::owner_id, rm::month, rm::outstanding))
        .load::<(i64, chrono::NaiveDate, i64)>(conn)?
        .into_iter()
        .map(|(o, m, v)| ((o, m), v))
        .collect();
    if kept_months != months {
        out.push(format!(
            "receivable_months: kept {kept_months:?}, the days add up to {months:?}"
        ));
    }
    // Expenses per month, against the expenses.
    type ExpenseKey = (i64, i64, i64, chrono::NaiveDate, String);
    let mut recount: BTreeMap<ExpenseKey, (i64, i64)> = BTreeMap::new();
    for (spender, dept, cat, day, status, amount) in e::table
        .select((
            e::spender_id,
            e::department_id,
            e::category_id,
            e::spent_on,
            e::status,
            e::amount,
        ))
        .load::<(i64, i64, i64, chrono::NaiveDate, String, i64)>(conn)?
    {
        let month = day.with_day(1).unwrap_or(day);
        let sums = recount
            .entry((spender, dept, cat, month, status))
            .or_default();
        sums.0 += 1;
        sums.1 += amount;
    }
    let kept: BTreeMap<ExpenseKey, (i64, i64)> = em::table
        .select((
            em::spender_id,
            em::department_id,
            em::category_id,
            em::month,
            em::status,
            em::expenses,
            em::amount,
        ))
        .load::<(i64, i64, i64, chrono::NaiveDate, String, i64, i64)>(conn)?
        .into_iter()
        .filter(|r| r.5 != 0 || r.6 != 0)
        .map(|(a, b, c, d, s, n, v)| ((a, b, c, d, s), (n, v)))
        .collect();
    if kept != recount {
        out.push(format!(
            "expense_months: kept {kept:?}, the expenses add up to {recount:?}"
        ));
    }
    // Orders signed and money received per owner and month, against the orders and receipts.
    type OwnerMonths = BTreeMap<(i64, chrono::NaiveDate), (i64, i64)>;
    let month = |d: chrono::NaiveDate| d.with_day(1).unwrap_or(d);
    let mut sales: OwnerMonths = BTreeMap::new();
    for (owner, day, total) in o::table
        .filter(o::signed_on.is_not_null())
        .filter(o::status.eq_any(["signed", "executing", "completed"]))
        .select((o::owner_id, o::signed_on, o::total))
        .load::<(i64, Option<chrono::NaiveDate>, i64)>(conn)?
    {
        let Some(day) = day else { continue };
        let s = sales.entry((owner, month(day))).or_default();
        s.0 += 1;
        s.1 += total;
    }
    let kept: OwnerMonths = sm::table
        .select((sm::owner_id, sm::month, sm::orders, sm::amount))
        .load::<(i64, chrono::NaiveDate, i64, i64)>(conn)?
        .into_iter()
        .filter(|x| x.2 != 0 || x.3 != 0)
        .map(|(a, b, n, v)| ((a, b), (n, v)))
        .collect();
    if kept != sales {
        out.push(format!(
            "sales_months: kept {kept:?}, the orders add up to {sales:?}"
        ));
    }
    type Segments = BTreeMap<(String, chrono::NaiveDate, i64, i64), (i64, i64)>;
    let mut segments: Segments = BTreeMap::new();
    for (owner, day, total, industry, region) in o::table
        .inner_join(c::table)
        .filter(o::signed_on.is_not_null())
        .filter(o::status.eq_any(["signed", "executing", "completed"]))
        .select((
            o::owner_id,
            o::signed_on,
            o::total,
            c::industry_id,
            c::region_id,
        ))
        .load::<(
            i64,
            Option<chrono::NaiveDate>,
            i64,
            Option<i64>,
            Option<i64>,
        )>(conn)?
    {
        let Some(day) = day else { continue };
        for (kind, id) in [("industry", industry), ("region", region)] {
            let s = segments
                .entry((kind.to_string(), month(day), owner, id.unwrap_or(0)))
                .or_default();
            s.0 += 1;
            s.1 += total;
        }
    }
    let kept: Segments = ss::table
        .select((
            ss::kind,
            ss::month,
            ss::owner_id,
            ss::segment_id,
            ss::orders,
            ss::amount,
        ))
        .load::<(String, chrono::NaiveDate, i64, i64, i64, i64)>(conn)?
        .into_iter()
        .filter(|x| x.4 != 0 || x.5 != 0)
        .map(|(k, m, o, s, n, a)| ((k, m, o, s), (n, a)))
        .collect();
    if kept != segments {
        out.push(format!(
            "sales_segments: kept {kept:?}, the orders add up to {segments:?}"
        ));
    }
    by_keys(
        conn,
        "sales_products",
        "sales_product_lines",
        &["month", "owner_id", "product_id"],
        &[
            ("orders", "COUNT(DISTINCT order_id)"),
            ("amount", "SUM(amount)"),
        ],
        &mut out,
    )?;
    let shown = line(
        "order_id || ' ' || product_id || ' ' || customer_id || ' ' || owner_id || ' ' || CAST(service_end AS TEXT) || ' ' || CAST(month AS TEXT) || ' ' || amount || ' ' || renewed || ' ' || renewed_amount",
    );
    compare(
        conn,
        "renewal_product_parts",
        &format!("SELECT {shown} FROM renewal_product_parts"),
        &format!("SELECT {shown} FROM renewal_product_orders"),
        &mut out,
    )?;
    by_keys(
        conn,
        "renewal_products",
        "renewal_product_orders",
        &["month", "owner_id", "product_id"],
        &[
            ("due", "COUNT(*)"),
            ("due_amount", "SUM(amount)"),
            ("renewed", "SUM(renewed)"),
            ("renewed_amount", "SUM(renewed_amount)"),
        ],
        &mut out,
    )?;
    by_keys(
        conn,
        "ticket_months",
        "ticket_month_parts",
        &["month", "kind", "status", "assignee_id"],
        &[
            ("tickets", "COUNT(*)"),
            ("resolved", "SUM(resolved)"),
            ("minutes", "SUM(minutes)"),
            ("rated", "SUM(rated)"),
            ("stars", "SUM(stars)"),
        ],
        &mut out,
    )?;
    by_keys(
        conn,
        "deal_months",
        "deal_month_parts",
        &["month", "status", "lost_to_id", "lost_reason"],
        &[
            ("deals", "COUNT(*)"),
            ("amount", "SUM(amount)"),
            ("win_days", "SUM(win_days)"),
        ],
        &mut out,
    )?;
    // The totals of sales by product are the sales' own (read from `sales_months`): they hold
    // while every order that counts has lines adding up to its total.
    compare(
        conn,
        "orders.total (lines)",
        &format!(
            "SELECT {} FROM orders o JOIN sales_orders so ON so.order_id = o.id",
            line("o.id || ' ' || o.total")
        ),
        &format!(
            "SELECT {} FROM sales_product_lines GROUP BY order_id",
            line("order_id || ' ' || SUM(amount)")
        ),
        &mut out,
    )?;
    let mut arrived: BTreeMap<(i64, chrono::NaiveDate), i64> = BTreeMap::new();
    let mut by_level: BTreeMap<(i64, chrono::NaiveDate, String), i64> = BTreeMap::new();
    for (owner, at, level) in c::table
        .select((c::owner_id, c::created_at, c::level))
        .load::<(i64, chrono::NaiveDateTime, String)>(conn)?
    {
        *arrived.entry((owner, at.date())).or_default() += 1;
        *by_level
            .entry((owner, month(at.date()), level))
            .or_default() += 1;
    }
    let kept: BTreeMap<(i64, chrono::NaiveDate, String), i64> = clm::table
        .select((clm::owner_id, clm::month, clm::level, clm::customers))
        .load::<(i64, chrono::NaiveDate, String, i64)>(conn)?
        .into_iter()
        .filter(|x| x.3 != 0)
        .map(|(a, m, l, n)| ((a, m, l), n))
        .collect();
    if kept != by_level {
        out.push(format!(
            "customer_level_months: kept {kept:?}, the customers add up to {by_level:?}"
        ));
    }
    let kept: BTreeMap<(i64, chrono::NaiveDate), i64> = cd::table
        .select((cd::owner_id, cd::day, cd::customers))
        .load::<(i64, chrono::NaiveDate, i64)>(conn)?
        .into_iter()
        .filter(|x| x.2 != 0)
        .map(|(a, b, n)| ((a, b), n))
        .collect();
    if kept != arrived {
        out.push(format!(
            "customer_days: kept {kept:?}, the customers add up to {arrived:?}"
        ));
    }
    // Activities per owner, UTC day and type.
    let mut logged: BTreeMap<(i64, chrono::NaiveDate, i64), i64> = BTreeMap::new();
    for (owner, at, kind) in act::table
        .select((act::owner_id, act::occurred_at, act::type_id))
        .load::<(i64, chrono::NaiveDateTime, i64)>(conn)?
    {
        *logged.entry((owner, at.date(), kind)).or_default() += 1;
    }
    let kept: BTreeMap<(i64, chrono::NaiveDate, i64), i64> = ad::table
        .select((ad::owner_id, ad::day, ad::type_id, ad::activities))
        .load::<(i64, chrono::NaiveDate, i64, i64)>(conn)?
        .into_iter()
        .filter(|x| x.3 != 0)
        .map(|(a, b, t, n)| ((a, b, t), n))
        .collect();
    if kept != logged {
        out.push(format!(
            "activity_days: kept {kept:?}, the activities add up to {logged:?}"
        ));
    }
    // Receipts per owner and month, and per owner and day (the same pairs, keyed by the day).
    let mut received: OwnerMonths = BTreeMap::new();
    let mut received_days: OwnerMonths = BTreeMap::new();
    for (owner, day, amount, reversal) in r::table
        .inner_join(o::table)
        .select((o::owner_id, r::received_on, r::amount, r::reversal_of))
        .load::<(i64, chrono::NaiveDate, i64, Option<i64>)>(conn)?
    {
        let n = if reversal.is_none() { 1 } else { -1 };
        for s in [
            received.entry((owner, month(day))).or_default(),
            received_days.entry((owner, day)).or_default(),
        ] {
            s.0 += n;
            s.1 += amount;
        }
    }
    received.retain(|_, v| *v != (0, 0));
    received_days.retain(|_, v| *v != (0, 0));
    let kept: OwnerMonths = rcd::table
        .select((rcd::owner_id, rcd::day, rcd::receipts, rcd::amount))
        .load::<(i64, chrono::NaiveDate, i64, i64)>(conn)?
        .into_iter()
        .filter(|x| x.2 != 0 || x.3 != 0)
        .map(|(a, b, n, v)| ((a, b), (n, v)))
        .collect();
    if kept != received_days {
        out.push(format!(
            "receipt_days: kept {kept:?}, the receipts add up to {received_days:?}"
        ));
    }
    let kept: OwnerMonths = rcm::table
        .select((rcm::owner_id, rcm::month, rcm::receipts, rcm::amount))
        .load::<(i64, chrono::NaiveDate, i64, i64)>(conn)?
        .into_iter()
        .filter(|x| x.2 != 0 || x.3 != 0)
        .map(|(a, b, n, v)| ((a, b), (n, v)))
        .collect();
    if kept != received {
        out.push(format!(
            "receipt_months: kept {kept:?}, the receipts add up to {received:?}"
        ));
    }
    // Renewed orders against the rule, then service periods ending (and renewed) per owner and
    // month against the orders.
    compare(
        conn,
        "orders.renewed",
        &format!("SELECT {} FROM orders WHERE renewed", line("id")),
        &format!(
            "SELECT {} FROM orders o WHERE EXISTS (SELECT 1 FROM orders n WHERE {})",
            line("o.id"),
            crate::reports::renewal_of_o!()
        ),
        &mut out,
    )?;
    type Renewals = BTreeMap<(i64, chrono::NaiveDate), (i64, i64, i64, i64)>;
    let mut ending: Renewals = BTreeMap::new();
    for (owner, end, total, renewed) in o::table
        .filter(o::service_end.is_not_null())
        .filter(o::status.eq_any(["signed", "executing", "completed"]))
        .select((o::owner_id, o::service_end, o::total, o::renewed))
        .load::<(i64, Option<chrono::NaiveDate>, i64, bool)>(conn)?
    {
        let Some(end) = end else { continue };
        let s = ending.entry((owner, month(end))).or_default();
        s.0 += 1;
        s.1 += total;
        if renewed {
            s.2 += 1;
            s.3 += total;
        }
    }
    let kept: Renewals = rnm::table
        .select((
            rnm::owner_id,
            rnm::month,
            rnm::due,
            rnm::due_amount,
            rnm::renewed,
            rnm::renewed_amount,
        ))
        .load::<(i64, chrono::NaiveDate, i64, i64, i64, i64)>(conn)?
        .into_iter()
        .filter(|x| (x.2, x.3, x.4, x.5) != (0, 0, 0, 0))
        .map(|(a, b, n, v, r, w)| ((a, b), (n, v, r, w)))
        .collect();
    if kept != ending {
        out.push(format!(
            "renewal_months: kept {kept:?}, the orders add up to {ending:?}"
        ));
    }
    // The payment plans in force per owner and due month.
    let mut planned: OwnerMonths = BTreeMap::new();
    for (owner, due, amount) in pi::table
        .filter(pi::in_force.eq(true))
        .filter(pi::owner_id.is_not_null())
        .select((pi::owner_id.assume_not_null(), pi::due_date, pi::amount))
        .load::<(i64, chrono::NaiveDate, i64)>(conn)?
    {
        let s = planned.entry((owner, month(due))).or_default();
        s.0 += 1;
        s.1 += amount;
    }
    let kept: OwnerMonths = pm::table
        .select((pm::owner_id, pm::month, pm::installments, pm::amount))
        .load::<(i64, chrono::NaiveDate, i64, i64)>(conn)?
        .into_iter()
        .filter(|x| x.2 != 0 || x.3 != 0)
        .map(|(a, b, n, v)| ((a, b), (n, v)))
        .collect();
    if kept != planned {
        out.push(format!(
            "plan_months: kept {kept:?}, the installments add up to {planned:?}"
        ));
    }
    // The department summary, against the same recount without the spender.
    let mut recount_departments: BTreeMap<(i64, i64, chrono::NaiveDate, String), (i64, i64)> =
        BTreeMap::new();
    for ((_, dept, cat, month, status), (n, amount)) in &recount {
        let sums = recount_departments
            .entry((*dept, *cat, *month, status.clone()))
            .or_default();
        sums.0 += n;
        sums.1 += amount;
    }
    let kept: BTreeMap<(i64, i64, chrono::NaiveDate, String), (i64, i64)> = edm::table
        .select((
            edm::department_id,
            edm::category_id,
            edm::month,
            edm::status,
            edm::expenses,
            edm::amount,
        ))
        .load::<(i64, i64, chrono::NaiveDate, String, i64, i64)>(conn)?
        .into_iter()
        .filter(|r| r.4 != 0 || r.5 != 0)
        .map(|(a, b, c, d, n, v)| ((a, b, c, d), (n, v)))
        .collect();
    if kept != recount_departments {
        out.push(format!(
            "expense_department_months: kept {kept:?}, the expenses add up to {recount_departments:?}"
        ));
    }
    // The search index, against the bigrams the application computes.
    let kept: BTreeSet<(i64, i64, i64)> = g::table
        .select((g::gram, g::customer_id, g::owner_id))
        .load::<(i64, i64, i64)>(conn)?
        .into_iter()
        .collect();
    let expected: BTreeSet<(i64, i64, i64)> = crate::search::expected_rows(conn, None)?
        .into_iter()
        .collect();
    for missing in expected.difference(&kept) {
        out.push(format!("customer_grams: missing {missing:?}"));
    }
    for extra in kept.difference(&expected) {
        out.push(format!("customer_grams: extra {extra:?}"));
    }
    // Articles: readers and votes kept on the article, and the article search index.
    compare(
        conn,
        "articles.read_count/helpful/unhelpful",
        &format!(
            "SELECT {} FROM articles WHERE read_count <> 0 OR helpful <> 0 OR unhelpful <> 0",
            line("id || ' ' || read_count || ' ' || helpful || ' ' || unhelpful")
        ),
        &format!(
            "SELECT {} FROM (SELECT a.id, \
               (SELECT COUNT(*) FROM article_reads r WHERE r.article_id = a.id) AS n, \
               (SELECT COUNT(*) FROM article_votes v WHERE v.article_id = a.id AND v.helpful) AS up, \
               (SELECT COUNT(*) FROM article_votes v WHERE v.article_id = a.id AND NOT v.helpful) AS down \
             FROM articles a) x WHERE n <> 0 OR up <> 0 OR down <> 0",
            line("id || ' ' || n || ' ' || up || ' ' || down")
        ),
        &mut out,
    )?;
    let kept: BTreeSet<(i64, bool, i64)> = ag::table
        .select((ag::gram, ag::in_title, ag::article_id))
        .load::<(i64, bool, i64)>(conn)?
        .into_iter()
        .collect();
    let expected: BTreeSet<(i64, bool, i64)> =
        crate::articles::expected_grams(conn)?.into_iter().collect();
    if kept != expected {
        out.push(format!(
            "article_grams: missing {:?}, extra {:?}",
            expected.difference(&kept).take(5).collect::<Vec<_>>(),
            kept.difference(&expected).take(5).collect::<Vec<_>>()
        ));
    }
    Ok(out)
}
