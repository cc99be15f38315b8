//! Orders (订单): the list and the order, status moves, the payment plan, receipts (finance) and the
//! order's records. Visible with their owner; money rules live in `crm_domain::order`.

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::extract::ValidJson;
use crate::pagination::PageRequest;
use crate::state::AppState;
use actix_web::{HttpResponse, get, patch, post, put, web};
use chrono::NaiveDate;
use crm_db::orders::OrderFilter;
use crm_domain::Permission;
use crm_domain::api::{
    NewOrder, NewOrderRecord, NewReceipt, Order, OrderPatch, OrderRecord, OrderRecordKind,
    OrderStatusChange, Page, PaymentPlan, PaymentPlanRequest, Receipt, ReceiptReversal,
};
use crm_domain::order::{OrderAction, OrderStatus};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_orders)
        .service(create_order)
        .service(get_order)
        .service(update_order)
        .service(sign_order)
        .service(start_order)
        .service(complete_order)
        .service(cancel_order)
        .service(get_plan)
        .service(put_plan)
        .service(list_receipts)
        .service(create_receipt)
        .service(reverse_receipt)
        .service(list_records)
        .service(create_record);
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
struct OrderQuery {
    customer_id: Option<i64>,
    owner_id: Option<i64>,
    /// The owner's department.
    department_id: Option<i64>,
    status: Option<OrderStatus>,
    signed_from: Option<NaiveDate>,
    signed_to: Option<NaiveDate>,
    #[param(minimum = 1, maximum = 200)]
    limit: Option<i64>,
    cursor: Option<String>,
}

/// Orders the caller sees (their owner within scope), newest first; `lines` is empty here.
#[utoipa::path(tag = "orders", params(OrderQuery), responses((status = 200, body = Page<Order>)))]
#[get("/orders")]
async fn list_orders(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<OrderQuery>,
) -> ApiResult<web::Json<Page<Order>>> {
    caller.require(Permission::OrderRead)?;
    let q = query.into_inner();
    let page = PageRequest::parse(q.limit, q.cursor.as_deref())?;
    let filter = OrderFilter {
        customer_id: q.customer_id,
        owner_id: q.owner_id,
        department_id: q.department_id,
        status: q.status,
        signed_from: q.signed_from,
        signed_to: q.signed_to,
        before: page.after,
        limit: page.fetch(),
    };
    let items = state
        .run(move |conn| {
            let v = caller.visible(conn)?;
            Ok(crm_db::orders::list(conn, &v, &filter)?)
        })
        .await?;
    Ok(web::Json(page.page(items, |o| o.id)))
}

/// Creates a draft order (201) with a unique number; lines are priced exactly. 422
/// `customer_blacklisted` for a blacklisted customer.
#[utoipa::path(tag = "orders", request_body = NewOrder, responses((status = 201, body = Order)))]
#[post("/orders")]
async fn create_order(
    state: web::Data<AppState>,
    caller: Caller,
    body: ValidJson<NewOrder>,
) -> ApiResult<HttpResponse> {
    caller.require(Permission::OrderCreate)?;
    let new = body.0;
    let order = state
        .run(move |conn| {
            let v = caller.visible(conn)?;
            let today = crm_db::settings::today(conn)?;
            Ok(crm_db::orders::create(conn, caller.id, &v, &new, today)?)
        })
        .await?;
    Ok(HttpResponse::Created().json(order))
}

#[utoipa::path(tag = "orders", params(("id" = i64, Path)), responses((status = 200, body = Order)))]
#[get("/orders/{id}")]
async fn get_order(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
) -> ApiResult<web::Json<Order>> {
    caller.require(Permission::OrderRead)?;
    let id = path.into_inner();
    Ok(web::Json(
        state
            .run(move |conn| {
                let v = caller.visible(conn)?;
                Ok(crm_db::orders::get(conn, &v, id)?)
            })
            .await?,
    ))
}

/// Changes an order: lines while it is a draft (409 `order_not_draft`), the service period and
/// notes until it is completed or cancelled.
#[utoipa::path(tag = "orders", params(("id" = i64, Path)), request_body = OrderPatch, responses((status = 200, body = Order)))]
#[patch("/orders/{id}")]
async fn update_order(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
    body: ValidJson<OrderPatch>,
) -> ApiResult<web::Json<Order>> {
    caller.require(Permission::OrderUpdate)?;
    let (id, patch) = (path.into_inner(), body.0);
    Ok(web::Json(
        state
            .run(move |conn| {
                let v = caller.visible(conn)?;
                Ok(crm_db::orders::update(conn, caller.id, &v, id, &patch)?)
            })
            .await?,
    ))
}

async fn move_status(
    state: web::Data<AppState>,
    caller: Caller,
    id: i64,
    action: OrderAction,
    change: OrderStatusChange,
) -> ApiResult<web::Json<Order>> {
    caller.require(Permission::OrderUpdate)?;
    Ok(web::Json(
        state
            .run(move |conn| {
                let v = caller.visible(conn)?;
                let settings = crm_db::settings::get(conn)?.settings;
                let today = crm_db::settings::today(conn)?;
                Ok(crm_db::orders::change_status(
                    conn,
                    caller.id,
                    &v,
                    id,
                    action,
                    &change,
                    today,
                    &settings.grade_thresholds,
                )?)
            })
            .await?,
    ))
}

/// Signs a draft: the customer becomes `signed` and its signed total and grade are recomputed.
/// 409 `invalid_status_move` from any other status.
#[utoipa::path(tag = "orders", params(("id" = i64, Path)), request_body = OrderStatusChange, responses((status = 200, body = Order)))]
#[post("/orders/{id}/sign")]
async fn sign_order(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
    body: ValidJson<OrderStatusChange>,
) -> ApiResult<web::Json<Order>> {
    move_status(state, caller, path.into_inner(), OrderAction::Sign, body.0).await
}

/// Starts executing a signed order.
#[utoipa::path(tag = "orders", params(("id" = i64, Path)), request_body = OrderStatusChange, responses((status = 200, body = Order)))]
#[post("/orders/{id}/start")]
async fn start_order(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
    body: ValidJson<OrderStatusChange>,
) -> ApiResult<web::Json<Order>> {
    move_status(state, caller, path.into_inner(), OrderAction::Start, body.0).await
}

/// Completes an executing order.
#[utoipa::path(tag = "orders", params(("id" = i64, Path)), request_body = OrderStatusChange, responses((status = 200, body = Order)))]
#[post("/orders/{id}/complete")]
async fn complete_order(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
    body: ValidJson<OrderStatusChange>,
) -> ApiResult<web::Json<Order>> {
    move_status(
        state,
        caller,
        path.into_inner(),
        OrderAction::Complete,
        body.0,
    )
    .await
}

/// Cancels an order that has no receipts (409 `order_has_receipts`); not a completed one.
#[utoipa::path(tag = "orders", params(("id" = i64, Path)), request_body = OrderStatusChange, responses((status = 200, body = Order)))]
#[post("/orders/{id}/cancel")]
async fn cancel_order(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
    body: ValidJson<OrderStatusChange>,
) -> ApiResult<web::Json<Order>> {
    move_status(
        state,
        caller,
        path.into_inner(),
        OrderAction::Cancel,
        body.0,
    )
    .await
}

/// The payment plan with what each installment has received.
#[utoipa::path(tag = "orders", params(("id" = i64, Path)), responses((status = 200, body = PaymentPlan)))]
#[get("/orders/{id}/payment-plan")]
async fn get_plan(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
) -> ApiResult<web::Json<PaymentPlan>> {
    caller.require(Permission::OrderRead)?;
    let id = path.into_inner();
    Ok(web::Json(
        state
            .run(move |conn| {
                let v = caller.visible(conn)?;
                let today = crm_db::settings::today(conn)?;
                Ok(crm_db::orders::plan(conn, &v, id, today)?)
            })
            .await?,
    ))
}

/// Replaces the payment plan: 422 `plan_total_mismatch` unless the installments add up to the
/// total; 422 `installment_has_receipts` when an installment with money on it is dropped or cut
/// below that money (keep its `id`).
#[utoipa::path(tag = "orders", params(("id" = i64, Path)), request_body = PaymentPlanRequest, responses((status = 200, body = PaymentPlan)))]
#[put("/orders/{id}/payment-plan")]
async fn put_plan(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
    body: ValidJson<PaymentPlanRequest>,
) -> ApiResult<web::Json<PaymentPlan>> {
    caller.require(Permission::OrderUpdate)?;
    let (id, req) = (path.into_inner(), body.0);
    Ok(web::Json(
        state
            .run(move |conn| {
                let v = caller.visible(conn)?;
                let today = crm_db::settings::today(conn)?;
                Ok(crm_db::orders::set_plan(
                    conn, caller.id, &v, id, &req, today,
                )?)
            })
            .await?,
    ))
}

/// The order's receipts, oldest first, reversals included.
#[utoipa::path(tag = "orders", params(("id" = i64, Path)), responses((status = 200, body = Vec<Receipt>)))]
#[get("/orders/{id}/receipts")]
async fn list_receipts(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
) -> ApiResult<web::Json<Vec<Receipt>>> {
    caller.require(Permission::ReceiptRead)?;
    let id = path.into_inner();
    Ok(web::Json(
        state
            .run(move |conn| {
                let v = caller.visible(conn)?;
                Ok(crm_db::orders::receipts(conn, &v, id)?)
            })
            .await?,
    ))
}

/// Records money received (201), applied to the oldest open installments unless `installment_id`
/// names one. 422 `overpayment` past what is outstanding, `order_not_signed`, `no_payment_plan`.
#[utoipa::path(tag = "orders", params(("id" = i64, Path)), request_body = NewReceipt, responses((status = 201, body = Receipt)))]
#[post("/orders/{id}/receipts")]
async fn create_receipt(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
    body: ValidJson<NewReceipt>,
) -> ApiResult<HttpResponse> {
    caller.require(Permission::ReceiptCreate)?;
    let (id, new) = (path.into_inner(), body.0);
    let receipt = state
        .run(move |conn| {
            let v = caller.visible(conn)?;
            let today = crm_db::settings::today(conn)?;
            Ok(crm_db::orders::record_receipt(
                conn, caller.id, &v, id, &new, today,
            )?)
        })
        .await?;
    Ok(HttpResponse::Created().json(receipt))
}

/// Reverses a wrong receipt with a reason (201, the negative reversal). Receipts are never deleted.
#[utoipa::path(tag = "orders", params(("id" = i64, Path)), request_body = ReceiptReversal, responses((status = 201, body = Receipt)))]
#[post("/receipts/{id}/reverse")]
async fn reverse_receipt(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
    body: ValidJson<ReceiptReversal>,
) -> ApiResult<HttpResponse> {
    caller.require(Permission::ReceiptCreate)?;
    let (id, reversal) = (path.into_inner(), body.0);
    let receipt = state
        .run(move |conn| {
            let v = caller.visible(conn)?;
            Ok(crm_db::orders::reverse_receipt(
                conn,
                caller.id,
                &v,
                id,
                &reversal.reason,
            )?)
        })
        .await?;
    Ok(HttpResponse::Created().json(receipt))
}

/// Execution progress and after-sale service records of an order, newest first.
#[utoipa::path(tag = "orders", params(("id" = i64, Path)), responses((status = 200, body = Vec<OrderRecord>)))]
#[get("/orders/{id}/service-records")]
async fn list_records(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
) -> ApiResult<web::Json<Vec<OrderRecord>>> {
    caller.require(Permission::OrderRead)?;
    let id = path.into_inner();
    Ok(web::Json(
        state
            .run(move |conn| {
                let v = caller.visible(conn)?;
                Ok(crm_db::orders::records(conn, &v, id)?)
            })
            .await?,
    ))
}

/// Records progress (`order.update`) or after-sale service (`order.update` or `service.write`) with
/// the customer's satisfaction (201).
#[utoipa::path(tag = "orders", params(("id" = i64, Path)), request_body = NewOrderRecord, responses((status = 201, body = OrderRecord)))]
#[post("/orders/{id}/service-records")]
async fn create_record(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
    body: ValidJson<NewOrderRecord>,
) -> ApiResult<HttpResponse> {
    let (id, new) = (path.into_inner(), body.0);
    let service = new.kind.unwrap_or(OrderRecordKind::Service) == OrderRecordKind::Service;
    if !(caller.has(Permission::OrderUpdate) || service && caller.has(Permission::ServiceWrite)) {
        return Err(ApiError::Forbidden {
            detail: "this needs the permission `order.update` (or `service.write` for service)"
                .into(),
        });
    }
    let record = state
        .run(move |conn| {
            let v = caller.visible(conn)?;
            Ok(crm_db::orders::add_record(conn, caller.id, &v, id, &new)?)
        })
        .await?;
    Ok(HttpResponse::Created().json(record))
}
