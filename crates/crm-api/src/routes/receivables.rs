//! Receivables (应收帐款) and the aging report (账龄分析), within the caller's scope, on the company's
//! calendar, computed from plans and receipts on every call.

use super::prelude::*;
use crm_db::receivables;
use crm_domain::api::{AgingQuery, AgingReport, Page, Receivable, ReceivableQuery};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_receivables).service(aging_report);
}

/// One row per unpaid or part-paid installment of signed orders, by due date.
#[utoipa::path(tag = "orders", params(ReceivableQuery), responses((status = 200, body = Page<Receivable>)))]
#[get("/receivables")]
async fn list_receivables(
    caller: Caller<need::ReceiptRead>,
    q: Query<ReceivableQuery>,
) -> ApiResult<Json<Page<Receivable>>> {
    caller
        .run(move |conn, actor| receivables::list(conn, actor, &q))
        .await
        .map(Json)
}

/// Outstanding receivables by aging bucket (not due, 1–30, 31–60, 61–90, over 90 days overdue) per
/// owner, department or customer, with totals.
#[utoipa::path(tag = "reports", params(AgingQuery), responses((status = 200, body = AgingReport)))]
#[get("/reports/receivables-aging")]
async fn aging_report(
    caller: Caller<need::Either<need::ReceiptRead, need::ReportRead>>,
    q: Query<AgingQuery>,
) -> ApiResult<Json<AgingReport>> {
    caller
        .run(move |conn, actor| receivables::aging(conn, actor, &q))
        .await
        .map(Json)
}
