//! Expenses (费用) and their analysis. Filing is `expense.write`; deciding is `expense.approve`
//! (never one's own); reopening a decided one is `expense.reopen` (administrators).

use super::prelude::*;
use crate::language;
use actix_web::{HttpRequest, HttpResponse};
use crm_db::expenses;
use crm_domain::api::{
    Expense, ExpenseApproval, ExpenseGroup, ExpensePatch, ExpenseQuery, ExpenseReason,
    ExpenseReport, ExpenseReportQuery, NewExpense, Page,
};
use crm_domain::expense::ExpenseAction;
use crm_domain::{Lang, msg};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_expenses)
        .service(create_expense)
        .service(get_expense)
        .service(update_expense)
        .service(delete_expense)
        .service(approve_expense)
        .service(reject_expense)
        .service(reopen_expense)
        .service(expense_report);
}

/// The expenses the caller sees (their own; a manager's team; finance and the general manager
/// everyone's), latest spent first.
#[utoipa::path(tag = "expenses", params(ExpenseQuery), responses((status = 200, body = Page<Expense>)))]
#[get("/expenses")]
async fn list_expenses(
    caller: Caller<need::ExpenseRead>,
    q: Query<ExpenseQuery>,
) -> ApiResult<Json<Page<Expense>>> {
    caller
        .run(move |conn, actor| expenses::list(conn, actor, &q))
        .await
        .map(Json)
}

/// Files an expense, submitted for approval. 422 `in_the_future` for a day after today,
/// `not_of_customer` for a deal or order of another customer, `out_of_scope` for a spender the
/// caller may not file for.
#[utoipa::path(tag = "expenses", request_body = NewExpense, responses((status = 201, body = Expense)))]
#[post("/expenses")]
async fn create_expense(
    caller: Caller<need::ExpenseWrite>,
    new: Json<NewExpense>,
) -> ApiResult<Created<Expense>> {
    caller
        .run(move |conn, actor| expenses::create(conn, actor, &new))
        .await
        .map(Created)
}

#[utoipa::path(tag = "expenses", params(("id" = i64, Path)), responses((status = 200, body = Expense)))]
#[get("/expenses/{id}")]
async fn get_expense(caller: Caller<need::ExpenseRead>, id: Path<i64>) -> ApiResult<Json<Expense>> {
    caller
        .run(move |conn, actor| expenses::get(conn, actor, *id))
        .await
        .map(Json)
}

/// Changes a submitted expense (409 `expense_decided` once approved or rejected).
#[utoipa::path(tag = "expenses", params(("id" = i64, Path)), request_body = ExpensePatch, responses((status = 200, body = Expense)))]
#[patch("/expenses/{id}")]
async fn update_expense(
    caller: Caller<need::ExpenseWrite>,
    id: Path<i64>,
    patch: Json<ExpensePatch>,
) -> ApiResult<Json<Expense>> {
    caller
        .run(move |conn, actor| expenses::update(conn, actor, *id, &patch))
        .await
        .map(Json)
}

/// Withdraws a submitted expense (409 `expense_decided` once decided).
#[utoipa::path(tag = "expenses", params(("id" = i64, Path)), responses((status = 204)))]
#[delete("/expenses/{id}")]
async fn delete_expense(caller: Caller<need::ExpenseWrite>, id: Path<i64>) -> ApiResult<NoContent> {
    caller
        .run(move |conn, actor| expenses::delete(conn, actor, *id))
        .await
        .map(|()| NoContent)
}

async fn decide<R>(
    caller: Caller<R>,
    id: i64,
    action: ExpenseAction,
    version: i32,
    reason: Option<String>,
) -> ApiResult<Json<Expense>> {
    caller
        .run(move |conn, actor| {
            expenses::decide(conn, actor, id, action, version, reason.as_deref())
        })
        .await
        .map(Json)
}

/// Approves a submitted expense of someone in the caller's scope. 409 `own_expense` for one's
/// own, `expense_decided` for a decided one.
#[utoipa::path(tag = "expenses", params(("id" = i64, Path)), request_body = ExpenseApproval, responses((status = 200, body = Expense)))]
#[post("/expenses/{id}/approve")]
async fn approve_expense(
    caller: Caller<need::ExpenseApprove>,
    id: Path<i64>,
    body: Json<ExpenseApproval>,
) -> ApiResult<Json<Expense>> {
    decide(caller, *id, ExpenseAction::Approve, body.version, None).await
}

/// Rejects a submitted expense with the reason; as approving otherwise.
#[utoipa::path(tag = "expenses", params(("id" = i64, Path)), request_body = ExpenseReason, responses((status = 200, body = Expense)))]
#[post("/expenses/{id}/reject")]
async fn reject_expense(
    caller: Caller<need::ExpenseApprove>,
    id: Path<i64>,
    body: Json<ExpenseReason>,
) -> ApiResult<Json<Expense>> {
    let ExpenseReason { version, reason } = body.into_inner();
    decide(caller, *id, ExpenseAction::Reject, version, Some(reason)).await
}

/// Sends a decided expense back to `submitted`, with the reason (administrators). 409
/// `invalid_status_move` for one that waits.
#[utoipa::path(tag = "expenses", params(("id" = i64, Path)), request_body = ExpenseReason, responses((status = 200, body = Expense)))]
#[post("/expenses/{id}/reopen")]
async fn reopen_expense(
    caller: Caller<need::ExpenseReopen>,
    id: Path<i64>,
    body: Json<ExpenseReason>,
) -> ApiResult<Json<Expense>> {
    let ExpenseReason { version, reason } = body.into_inner();
    decide(caller, *id, ExpenseAction::Reopen, version, Some(reason)).await
}

/// Expenses per department (default), spender, category, customer or month in the period
/// (default: this year to date), approved ones unless `status` says otherwise, within the
/// caller's scope, with totals; by customer with the customer's receipts beside (expense to
/// revenue). `format=csv` (or `Accept: text/csv`) answers the same rows as CSV.
#[utoipa::path(
    tag = "reports",
    params(ExpenseReportQuery),
    responses((status = 200, content((ExpenseReport = "application/json"), (String = "text/csv"))))
)]
#[get("/reports/expenses")]
async fn expense_report(
    caller: Caller<need::Either<need::ExpenseRead, need::ReportRead>>,
    q: Query<ExpenseReportQuery>,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    let format = super::reports::wanted(q.format, &req);
    let report = caller
        .run(move |conn, actor| expenses::report(conn, actor, &q))
        .await?;
    let Some(format) = format else {
        return Ok(HttpResponse::Ok().json(report));
    };
    let lang = language::of_request(&req, caller.state()).await;
    let name = format!(
        "expenses-{}-{}-{}",
        report.group_by.as_str(),
        report.from,
        report.to
    );
    super::reports::file_answer(format, &name, report_table(&report, lang))
}

/// The report as a table in the caller's language: a header, a line per group, the totals.
fn report_table(r: &ExpenseReport, lang: Lang) -> super::reports::Table {
    use super::exports::Cell;
    let word = |m: crm_domain::Msg| m.get(lang).to_string();
    let group = word(match r.group_by {
        ExpenseGroup::Department => msg!("部门", "Department"),
        ExpenseGroup::Owner => msg!("花费人", "Spender"),
        ExpenseGroup::Category => msg!("类别", "Category"),
        ExpenseGroup::Customer => msg!("客户", "Customer"),
        ExpenseGroup::Month => msg!("月份", "Month"),
    });
    let with_revenue = r.group_by == ExpenseGroup::Customer;
    let mut header = vec![
        group,
        word(msg!("笔数", "Count")),
        word(msg!("金额", "Amount")),
    ];
    if with_revenue {
        header.push(word(msg!("回款", "Receipts")));
        header.push(word(msg!("费用占回款 %", "Expense to revenue %")));
    }
    let line = |label: &str,
                count: i64,
                amount: crm_domain::Money,
                revenue: Option<crm_domain::Money>,
                ratio: &Option<String>| {
        let mut v = vec![Cell::from(label), Cell::Int(count), Cell::from(amount)];
        if with_revenue {
            v.push(Cell::from(revenue));
            v.push(Cell::from(ratio.clone()));
        }
        v
    };
    let mut rows: Vec<Vec<Cell>> = r
        .rows
        .iter()
        .map(|row| {
            line(
                &row.label,
                row.count,
                row.amount,
                row.revenue,
                &row.expense_ratio,
            )
        })
        .collect();
    let t = &r.totals;
    rows.push(line(
        &word(msg!("合计", "Total")),
        t.count,
        t.amount,
        t.revenue,
        &t.expense_ratio,
    ));
    super::reports::Table { header, rows }
}
