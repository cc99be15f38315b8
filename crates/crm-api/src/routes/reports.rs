//! Decision support (决策支持): the report engine's reports and the general manager's dashboard.
//! Every report answers JSON, CSV (`format=csv` or `Accept: text/csv`) or an Excel workbook
//! (`format=xlsx`): the same rows, headed in the caller's language.

use super::exports::{Cell, Out};
use super::prelude::*;
use crate::error::ApiError;
use crate::language;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use crm_db::reports;
use crm_domain::api::{
    Dashboard, ExportFormat, Fact, OpportunityReport, OpportunityReportQuery, Problem,
    RenewalReport, RenewalRow, Report, ReportFormat, ReportQuery, Scorecard, ScorecardQuery,
};
use crm_domain::{Lang, Msg};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(customers_report)
        .service(sales_report)
        .service(receipts_report)
        .service(opportunities_report)
        .service(scorecard)
        .service(renewals_report)
        .service(dashboard);
}

/// New customers per group (default: per month) in the period (default: this year to date),
/// counted under their owner today, within the caller's scope; `group_by=level` shows where they
/// stand now. `group_by` takes one or two of `month`, `department`, `owner`, `industry`, `region`,
/// `level`. An owner or department outside the caller's scope is 404.
#[utoipa::path(
    tag = "reports",
    params(ReportQuery),
    responses(
        (status = 200, content((Report = "application/json"), (String = "text/csv"), (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 400, body = Problem, description = "an unknown or unsupported dimension, more than two"),
        (status = 404, body = Problem, description = "an owner or department outside the caller's scope"),
        (status = 422, body = Problem, description = "`to` before `from`, a period over ten years, a filter the report has not")
    )
)]
#[get("/reports/customers")]
async fn customers_report(
    caller: Caller<need::Either<need::CustomerRead, need::ReportRead>>,
    q: Query<ReportQuery>,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    report(caller, Fact::NewCustomers, q.into_inner(), req).await
}

/// Orders signed in the period (signed, executing or completed now): count, amount and average
/// per group, within the caller's scope. `product` (as a dimension or `product_id`) counts the
/// lines of that product; an order with two products counts under each, once in the totals.
#[utoipa::path(
    tag = "reports",
    params(ReportQuery),
    responses(
        (status = 200, content((Report = "application/json"), (String = "text/csv"), (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 400, body = Problem),
        (status = 404, body = Problem),
        (status = 422, body = Problem)
    )
)]
#[get("/reports/sales")]
async fn sales_report(
    caller: Caller<need::Either<need::OrderRead, need::ReportRead>>,
    q: Query<ReportQuery>,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    report(caller, Fact::Sales, q.into_inner(), req).await
}

/// Money received in the period on orders the caller sees, per group (a reversal takes its
/// receipt back), within the caller's scope — beside the plan: `planned`, the installments in
/// force falling due in the group (plan against actual).
#[utoipa::path(
    tag = "reports",
    params(ReportQuery),
    responses(
        (status = 200, content((Report = "application/json"), (String = "text/csv"), (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 400, body = Problem),
        (status = 404, body = Problem),
        (status = 422, body = Problem)
    )
)]
#[get("/reports/receipts")]
async fn receipts_report(
    caller: Caller<need::Either<need::ReceiptRead, need::ReportRead>>,
    q: Query<ReportQuery>,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    report(caller, Fact::Receipts, q.into_inner(), req).await
}

/// Deals: the open ones per stage now (count, amount, weighted amount), and those closed in the
/// period (default: this year to date) — won and lost with their amounts, the win rate, the
/// average days from opening to winning, the commonest lost reasons and the competitors lost to —
/// each deal counted when the caller could open it. `format=csv|xlsx`: the stages' table.
#[utoipa::path(
    tag = "reports",
    params(OpportunityReportQuery),
    responses(
        (status = 200, content((OpportunityReport = "application/json"), (String = "text/csv"), (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 404, body = Problem),
        (status = 422, body = Problem)
    )
)]
#[get("/reports/opportunities")]
async fn opportunities_report(
    caller: Caller<need::Either<need::OpportunityRead, need::ReportRead>>,
    q: Query<OpportunityReportQuery>,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    let lang = language::of_request(&req, caller.state()).await;
    let format = wanted(q.format, &req);
    let r = caller
        .run(move |conn, actor| reports::opportunities(conn, actor, &q))
        .await?;
    let Some(file) = format else {
        return Ok(HttpResponse::Ok().json(r));
    };
    let word = |zh: &'static str, en: &'static str| Msg::pick(zh, en, lang).to_string();
    let header = vec![
        word("阶段", "Stage"),
        word("商机数", "Deals"),
        word("金额", "Amount"),
        word("加权金额", "Weighted amount"),
    ];
    let mut rows: Vec<Vec<Cell>> = r
        .stages
        .iter()
        .map(|s| {
            vec![
                Cell::from(s.stage.name.as_str()),
                Cell::Int(s.count),
                Cell::from(s.amount),
                Cell::from(s.weighted_amount),
            ]
        })
        .collect();
    rows.push(vec![
        Cell::from(Msg::pick("合计", "Total", lang)),
        Cell::Int(r.open),
        Cell::from(r.open_amount),
        Cell::from(r.open_weighted),
    ]);
    let name = format!("opportunities-{}-{}", r.from, r.to);
    file_answer(file, &name, Table { header, rows })
}

/// Renewals (续费分析): service periods ending in the period (default: this year, to its last
/// day) per group — orders signed, executing or completed whose service ends then — and how many
/// of them, for how much, were renewed: the customer has signed another order whose service runs
/// past the end (by `product`: with a line of the same product; only products that renew).
/// Months still ahead show what is renewed so far. Within the caller's scope.
#[utoipa::path(
    tag = "reports",
    params(ReportQuery),
    responses(
        (status = 200, content((RenewalReport = "application/json"), (String = "text/csv"), (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 400, body = Problem),
        (status = 404, body = Problem),
        (status = 422, body = Problem)
    )
)]
#[get("/reports/renewals")]
async fn renewals_report(
    caller: Caller<need::Either<need::OrderRead, need::ReportRead>>,
    q: Query<ReportQuery>,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    let lang = language::of_request(&req, caller.state()).await;
    let format = wanted(q.format, &req);
    let r = caller
        .run(move |conn, actor| reports::renewals(conn, actor, &q, lang))
        .await?;
    let Some(file) = format else {
        return Ok(HttpResponse::Ok().json(r));
    };
    let header = r.columns.iter().map(|c| c.label.clone()).collect();
    let measures = |x: &RenewalRow| {
        vec![
            Cell::Int(x.due),
            Cell::from(x.due_amount),
            Cell::Int(x.renewed),
            Cell::from(x.renewed_amount),
            Cell::from(x.rate.clone().map(Cell::Decimal)),
        ]
    };
    let mut rows: Vec<Vec<Cell>> = r
        .rows
        .iter()
        .map(|x| {
            let mut v: Vec<Cell> = x.labels.iter().map(|l| Cell::from(l.as_str())).collect();
            v.extend(measures(x));
            v
        })
        .collect();
    let mut total = vec![Cell::from(Msg::pick("合计", "Total", lang))];
    total.extend((1..r.group_by.len()).map(|_| Cell::Empty));
    total.extend(measures(&r.totals));
    rows.push(total);
    let name = format!("renewals-{}-{}", r.from, r.to);
    file_answer(file, &name, Table { header, rows })
}

/// The staff scorecard (绩效考核) for a period (default: this month to date): for each person in
/// the caller's scope, activities (and per type), new customers, level upgrades, deals opened and
/// won, signed amount, money received, overdue money held today, approved expenses and tickets
/// against their customers — each beside the average of the department's people on the card —
/// and one score from the company's weights (settings `scorecard_weights`): the weighted mean of
/// each part against its department average, 100 being the average. Highest score first.
#[utoipa::path(
    tag = "reports",
    params(ScorecardQuery),
    responses(
        (status = 200, content((Scorecard = "application/json"), (String = "text/csv"), (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 404, body = Problem, description = "a person or department outside the caller's scope"),
        (status = 422, body = Problem, description = "`to` before `from`, a period over ten years")
    )
)]
#[get("/reports/scorecard")]
async fn scorecard(
    caller: Caller<need::Either<need::ActivityRead, need::ReportRead>>,
    q: Query<ScorecardQuery>,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    let lang = language::of_request(&req, caller.state()).await;
    let format = wanted(q.format, &req);
    let r = caller
        .run(move |conn, actor| {
            crm_db::read_tx(conn, |conn| reports::scorecard(conn, actor, &q, lang))
        })
        .await?;
    let Some(file) = format else {
        return Ok(HttpResponse::Ok().json(r));
    };
    let word = |zh: &'static str, en: &'static str| Msg::pick(zh, en, lang).to_string();
    let mut header = vec![
        word("姓名", "Person"),
        word("部门", "Department"),
        word("得分", "Score"),
    ];
    for c in &r.components {
        header.push(c.label.clone());
        header.push(format!(
            "{}{}",
            c.label,
            word("（部门平均）", " (department average)")
        ));
        header.push(format!("{}{}", c.label, word("（得分）", " (points)")));
    }
    header.extend(r.activity_types.iter().map(|t| t.name.clone()));
    let number = |money: bool, v: &str| {
        if money {
            Cell::from(v.parse::<crm_domain::Money>().ok())
        } else {
            Cell::Decimal(v.to_string())
        }
    };
    let rows = r
        .people
        .iter()
        .map(|p| {
            let mut row = vec![
                Cell::from(p.person.name.as_str()),
                Cell::from(p.department.name.as_str()),
                Cell::from(p.score.clone().map(Cell::Decimal)),
            ];
            for (c, part) in r.components.iter().zip(&p.parts) {
                row.push(if c.money {
                    number(true, &part.value)
                } else {
                    Cell::from(part.value.parse::<i64>().ok().map(Cell::Int))
                });
                row.push(number(c.money, &part.department_average));
                row.push(Cell::Decimal(part.points.clone()));
            }
            row.extend(p.activities_by_type.iter().map(|n| Cell::Int(*n)));
            row
        })
        .collect();
    let name = format!("scorecard-{}-{}", r.from, r.to);
    file_answer(file, &name, Table { header, rows })
}

/// The general manager's page in one call, within the caller's scope (counted once for everyone
/// of the same scope until something is written, or for 20 seconds): this month (to today)
/// against last month and the same month last year to the same day — new customers, signed amount and orders,
/// receipts, approved expenses, deals won — the receivables overdue today, the twelve months'
/// trend, this year's top industries and regions, the funnel now, and this month's ranking.
#[utoipa::path(tag = "reports", responses((status = 200, body = Dashboard)))]
#[get("/reports/dashboard")]
async fn dashboard(
    caller: Caller<need::ReportRead>,
    req: HttpRequest,
) -> ApiResult<Json<Dashboard>> {
    let lang = language::of_request(&req, caller.state()).await;
    let state = caller.shared_state();
    caller
        .run(move |conn, actor| {
            let scope = match &actor.visible {
                crm_db::visibility::Visible::All => Vec::new(),
                crm_db::visibility::Visible::Owners(ids) => ids.clone(),
            };
            state.dashboard(scope, lang, || {
                crm_db::read_tx(conn, |conn| reports::dashboard(conn, actor, lang))
                    .map_err(Into::into)
            })
        })
        .await
        .map(Json)
}

async fn report<R: 'static>(
    caller: Caller<R>,
    fact: Fact,
    q: ReportQuery,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    let lang = language::of_request(&req, caller.state()).await;
    let format = wanted(q.format, &req);
    let r = caller
        .run(move |conn, actor| {
            crm_db::read_tx(conn, |conn| reports::run(conn, actor, fact, &q, lang))
        })
        .await?;
    let Some(file) = format else {
        return Ok(HttpResponse::Ok().json(r));
    };
    let name = format!("{}-{}-{}", fact.as_str(), r.from, r.to);
    file_answer(file, &name, report_table(&r, lang))
}

/// The file format a report is wanted in (`None`: JSON): `format` first, then `Accept`.
pub(crate) fn wanted(format: Option<ReportFormat>, req: &HttpRequest) -> Option<ExportFormat> {
    let format = format.or_else(|| {
        let accept = req.headers().get(header::ACCEPT)?.to_str().ok()?;
        if accept.contains("text/csv") {
            Some(ReportFormat::Csv)
        } else if accept.contains("spreadsheetml") {
            Some(ReportFormat::Xlsx)
        } else {
            None
        }
    });
    match format? {
        ReportFormat::Json => None,
        ReportFormat::Csv => Some(ExportFormat::Csv),
        ReportFormat::Xlsx => Some(ExportFormat::Xlsx),
    }
}

/// A report's table: its header and rows, then a line of totals.
pub(crate) struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

fn report_table(r: &Report, lang: Lang) -> Table {
    let header = r.columns.iter().map(|c| c.label.clone()).collect();
    let has = |key: &str| r.columns.iter().any(|c| c.key == key);
    let measures = |count: i64, amount, average, planned: Option<crm_domain::Money>| {
        let mut v = vec![Cell::Int(count)];
        if has("amount") {
            v.push(Cell::from(amount));
            v.push(Cell::from(average));
        }
        if has("planned") {
            v.push(Cell::from(planned));
        }
        v
    };
    let mut rows: Vec<Vec<Cell>> = r
        .rows
        .iter()
        .map(|row| {
            let mut v: Vec<Cell> = row.labels.iter().map(|l| Cell::from(l.as_str())).collect();
            v.extend(measures(row.count, row.amount, row.average, row.planned));
            v
        })
        .collect();
    let mut total = vec![Cell::from(Msg::pick("合计", "Total", lang))];
    total.extend((1..r.group_by.len()).map(|_| Cell::Empty));
    total.extend(measures(
        r.totals.count,
        r.totals.amount,
        r.totals.average,
        r.totals.planned,
    ));
    rows.push(total);
    Table { header, rows }
}

/// A table as a CSV (UTF-8 with a byte-order mark, formula-like cells as text) or an Excel
/// download named `name`.
pub(crate) fn file_answer(format: ExportFormat, name: &str, t: Table) -> ApiResult<HttpResponse> {
    let mut out = Out::new(format, t.header, Vec::new())?;
    for row in t.rows {
        out.row(row)?;
    }
    let body = out.finish()?;
    if body.is_empty() {
        return Err(ApiError::internal("an empty report file"));
    }
    Ok(HttpResponse::Ok()
        .content_type(format.media_type())
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}.{}\"", format.as_str()),
        ))
        .body(body))
}
