//! Orders (订单): the list and the order, status moves, the payment plan, receipts (finance) and the
//! order's records. Visible with their owner; money rules live in `crm_domain::order`.

use super::prelude::*;
use crm_db::orders;
use crm_domain::api::{
    NewOrder, NewOrderRecord, NewReceipt, Order, OrderPatch, OrderQuery, OrderRecord,
    OrderStatusChange, Page, PaymentPlan, PaymentPlanRequest, Receipt, ReceiptReversal,
};
use crm_domain::order::OrderAction;

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

/// Orders the caller sees (their owner within scope), newest first; `lines` is empty here.
#[utoipa::path(tag = "orders", params(OrderQuery), responses((status = 200, body = Page<Order>)))]
#[get("/orders")]
async fn list_orders(
    caller: Caller<need::OrderRead>,
    q: Query<OrderQuery>,
) -> ApiResult<Json<Page<Order>>> {
    caller
        .run(move |conn, actor| orders::list(conn, actor, &q))
        .await
        .map(Json)
}

/// Creates a draft order (201) with a unique number; lines are priced exactly. 422
/// `customer_blacklisted` for a blacklisted customer.
#[utoipa::path(tag = "orders", request_body = NewOrder, responses((status = 201, body = Order)))]
#[post("/orders")]
async fn create_order(
    caller: Caller<need::OrderCreate>,
    new: Json<NewOrder>,
) -> ApiResult<Created<Order>> {
    caller
        .run(move |conn, actor| orders::create(conn, actor, &new))
        .await
        .map(Created)
}

#[utoipa::path(tag = "orders", params(("id" = i64, Path)), responses((status = 200, body = Order)))]
#[get("/orders/{id}")]
async fn get_order(caller: Caller<need::OrderRead>, id: Path<i64>) -> ApiResult<Json<Order>> {
    caller
        .run(move |conn, actor| orders::get(conn, actor, *id))
        .await
        .map(Json)
}

/// Changes an order: lines while it is a draft (409 `order_not_draft`), the service period and
/// notes until it is completed or cancelled.
#[utoipa::path(tag = "orders", params(("id" = i64, Path)), request_body = OrderPatch, responses((status = 200, body = Order)))]
#[patch("/orders/{id}")]
async fn update_order(
    caller: Caller<need::OrderUpdate>,
    id: Path<i64>,
    patch: Json<OrderPatch>,
) -> ApiResult<Json<Order>> {
    caller
        .run(move |conn, actor| orders::update(conn, actor, *id, &patch))
        .await
        .map(Json)
}

/// One status move; the four endpoints below differ only in the move.
async fn move_status(
    caller: Caller<need::OrderUpdate>,
    id: i64,
    action: OrderAction,
    change: Json<OrderStatusChange>,
) -> ApiResult<Json<Order>> {
    caller
        .run(move |conn, actor| orders::change_status(conn, actor, id, action, &change))
        .await
        .map(Json)
}

/// Signs a draft: the customer becomes `signed` and its signed total and grade are recomputed.
/// 409 `invalid_status_move` from any other status.
#[utoipa::path(tag = "orders", params(("id" = i64, Path)), request_body = OrderStatusChange, responses((status = 200, body = Order)))]
#[post("/orders/{id}/sign")]
async fn sign_order(
    caller: Caller<need::OrderUpdate>,
    id: Path<i64>,
    change: Json<OrderStatusChange>,
) -> ApiResult<Json<Order>> {
    move_status(caller, *id, OrderAction::Sign, change).await
}

/// Starts executing a signed order.
#[utoipa::path(tag = "orders", params(("id" = i64, Path)), request_body = OrderStatusChange, responses((status = 200, body = Order)))]
#[post("/orders/{id}/start")]
async fn start_order(
    caller: Caller<need::OrderUpdate>,
    id: Path<i64>,
    change: Json<OrderStatusChange>,
) -> ApiResult<Json<Order>> {
    move_status(caller, *id, OrderAction::Start, change).await
}

/// Completes an executing order.
#[utoipa::path(tag = "orders", params(("id" = i64, Path)), request_body = OrderStatusChange, responses((status = 200, body = Order)))]
#[post("/orders/{id}/complete")]
async fn complete_order(
    caller: Caller<need::OrderUpdate>,
    id: Path<i64>,
    change: Json<OrderStatusChange>,
) -> ApiResult<Json<Order>> {
    move_status(caller, *id, OrderAction::Complete, change).await
}

/// Cancels an order that has no receipts (409 `order_has_receipts`); not a completed one.
#[utoipa::path(tag = "orders", params(("id" = i64, Path)), request_body = OrderStatusChange, responses((status = 200, body = Order)))]
#[post("/orders/{id}/cancel")]
async fn cancel_order(
    caller: Caller<need::OrderUpdate>,
    id: Path<i64>,
    change: Json<OrderStatusChange>,
) -> ApiResult<Json<Order>> {
    move_status(caller, *id, OrderAction::Cancel, change).await
}

/// The payment plan with what each installment has received.
#[utoipa::path(tag = "orders", params(("id" = i64, Path)), responses((status = 200, body = PaymentPlan)))]
#[get("/orders/{id}/payment-plan")]
async fn get_plan(caller: Caller<need::OrderRead>, id: Path<i64>) -> ApiResult<Json<PaymentPlan>> {
    caller
        .run(move |conn, actor| orders::plan(conn, actor, *id))
        .await
        .map(Json)
}

/// Replaces the payment plan: 422 `plan_total_mismatch` unless the installments add up to the
/// total; 422 `installment_has_receipts` when an installment with money on it is dropped or cut
/// below that money (keep its `id`).
#[utoipa::path(tag = "orders", params(("id" = i64, Path)), request_body = PaymentPlanRequest, responses((status = 200, body = PaymentPlan)))]
#[put("/orders/{id}/payment-plan")]
async fn put_plan(
    caller: Caller<need::OrderUpdate>,
    id: Path<i64>,
    plan: Json<PaymentPlanRequest>,
) -> ApiResult<Json<PaymentPlan>> {
    caller
        .run(move |conn, actor| orders::set_plan(conn, actor, *id, &plan))
        .await
        .map(Json)
}

/// The order's receipts, oldest first, reversals included.
#[utoipa::path(tag = "orders", params(("id" = i64, Path)), responses((status = 200, body = Vec<Receipt>)))]
#[get("/orders/{id}/receipts")]
async fn list_receipts(
    caller: Caller<need::ReceiptRead>,
    id: Path<i64>,
) -> ApiResult<Json<Vec<Receipt>>> {
    caller
        .run(move |conn, actor| orders::receipts(conn, actor, *id))
        .await
        .map(Json)
}

/// Records money received (201), applied to the oldest open installments unless `installment_id`
/// names one. 422 `overpayment` past what is outstanding, `order_not_signed`, `no_payment_plan`.
#[utoipa::path(tag = "orders", params(("id" = i64, Path)), request_body = NewReceipt, responses((status = 201, body = Receipt)))]
#[post("/orders/{id}/receipts")]
async fn create_receipt(
    caller: Caller<need::ReceiptCreate>,
    id: Path<i64>,
    new: Json<NewReceipt>,
) -> ApiResult<Created<Receipt>> {
    caller
        .run(move |conn, actor| orders::record_receipt(conn, actor, *id, &new))
        .await
        .map(Created)
}

/// Reverses a wrong receipt with a reason (201, the negative reversal). Receipts are never deleted.
#[utoipa::path(tag = "orders", params(("id" = i64, Path)), request_body = ReceiptReversal, responses((status = 201, body = Receipt)))]
#[post("/receipts/{id}/reverse")]
async fn reverse_receipt(
    caller: Caller<need::ReceiptCreate>,
    id: Path<i64>,
    reversal: Json<ReceiptReversal>,
) -> ApiResult<Created<Receipt>> {
    caller
        .run(move |conn, actor| orders::reverse_receipt(conn, actor, *id, &reversal))
        .await
        .map(Created)
}

/// Execution progress and after-sale service records of an order, newest first.
#[utoipa::path(tag = "orders", params(("id" = i64, Path)), responses((status = 200, body = Vec<OrderRecord>)))]
#[get("/orders/{id}/service-records")]
async fn list_records(
    caller: Caller<need::OrderRead>,
    id: Path<i64>,
) -> ApiResult<Json<Vec<OrderRecord>>> {
    caller
        .run(move |conn, actor| orders::records(conn, actor, *id))
        .await
        .map(Json)
}

/// Records progress (`order.update`) or after-sale service (`order.update` or `service.write`) with
/// the customer's satisfaction (201).
#[utoipa::path(tag = "orders", params(("id" = i64, Path)), request_body = NewOrderRecord, responses((status = 201, body = OrderRecord)))]
#[post("/orders/{id}/service-records")]
async fn create_record(
    caller: Caller<need::Either<need::OrderUpdate, need::ServiceWrite>>,
    id: Path<i64>,
    new: Json<NewOrderRecord>,
) -> ApiResult<Created<OrderRecord>> {
    caller
        .run(move |conn, actor| orders::add_record(conn, actor, *id, &new))
        .await
        .map(Created)
}
