//! Receivables (应收帐款) and the aging report (账龄分析), within the caller's scope, on the company's
//! calendar, computed from plans and receipts on every call.

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::pagination::{decode_value, encode_value, limit};
use crate::state::AppState;
use actix_web::{get, web};
use crm_db::receivables::ReceivableFilter;
use crm_domain::Permission;
use crm_domain::api::{AgingGroup, AgingReport, Page, Receivable};
use serde::Deserialize;
use serde_json::json;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_receivables).service(aging_report);
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
struct ReceivableQuery {
    owner_id: Option<i64>,
    /// The owner's department.
    department_id: Option<i64>,
    customer_id: Option<i64>,
    /// Only installments past their due date.
    overdue: Option<bool>,
    #[param(minimum = 1, maximum = 200)]
    limit: Option<i64>,
    cursor: Option<String>,
}

/// One row per unpaid or part-paid installment of signed orders, by due date.
#[utoipa::path(tag = "orders", params(ReceivableQuery), responses((status = 200, body = Page<Receivable>)))]
#[get("/receivables")]
async fn list_receivables(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<ReceivableQuery>,
) -> ApiResult<web::Json<Page<Receivable>>> {
    caller.require(Permission::ReceiptRead)?;
    let q = query.into_inner();
    let limit = limit(q.limit)?;
    let after = match q.cursor.as_deref().filter(|c| !c.is_empty()) {
        None => None,
        Some(c) => {
            let v = decode_value(c)?;
            let key = v["d"]
                .as_str()
                .and_then(|d| d.parse().ok())
                .zip(v["id"].as_i64());
            Some(key.ok_or(ApiError::BadRequest {
                code: "invalid_cursor",
                detail: "the cursor is not one this server gave out".into(),
            })?)
        }
    };
    let filter = ReceivableFilter {
        owner_id: q.owner_id,
        department_id: q.department_id,
        customer_id: q.customer_id,
        overdue: q.overdue.unwrap_or(false),
        after,
        limit: limit + 1,
    };
    let mut items = state
        .run(move |conn| {
            let v = caller.visible(conn)?;
            let today = crm_db::settings::today(conn)?;
            Ok(crm_db::receivables::list(conn, &v, &filter, today)?)
        })
        .await?;
    let more = items.len() as i64 > limit;
    items.truncate(limit as usize);
    let next_cursor = if more {
        items
            .last()
            .map(|r| encode_value(&json!({"d": r.due_date, "id": r.installment_id})))
    } else {
        None
    };
    Ok(web::Json(Page { items, next_cursor }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
struct AgingQuery {
    /// `owner` (default), `department` or `customer`.
    group_by: Option<AgingGroup>,
}

/// Outstanding receivables by aging bucket (not due, 1–30, 31–60, 61–90, over 90 days overdue) per
/// owner, department or customer, with totals.
#[utoipa::path(tag = "reports", params(AgingQuery), responses((status = 200, body = AgingReport)))]
#[get("/reports/receivables-aging")]
async fn aging_report(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<AgingQuery>,
) -> ApiResult<web::Json<AgingReport>> {
    if !(caller.has(Permission::ReceiptRead) || caller.has(Permission::ReportRead)) {
        return Err(ApiError::Forbidden {
            detail: "this needs the permission `receipt.read` or `report.read`".into(),
        });
    }
    let group_by = query.group_by.unwrap_or(AgingGroup::Owner);
    Ok(web::Json(
        state
            .run(move |conn| {
                let v = caller.visible(conn)?;
                let today = crm_db::settings::today(conn)?;
                Ok(crm_db::receivables::aging(conn, &v, group_by, today)?)
            })
            .await?,
    ))
}
