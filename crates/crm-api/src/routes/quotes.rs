//! Quotes (报价) by their own id: read, send, accept (→ a draft order, the deal won), reject.

use super::prelude::*;
use crm_db::quotes;
use crm_domain::api::Quote;
use crm_domain::opportunity::QuoteAction;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(get_quote)
        .service(send_quote)
        .service(accept_quote)
        .service(reject_quote);
}

#[utoipa::path(tag = "opportunities", params(("id" = i64, Path)), responses((status = 200, body = Quote)))]
#[get("/quotes/{id}")]
async fn get_quote(caller: Caller<need::OpportunityRead>, id: Path<i64>) -> ApiResult<Json<Quote>> {
    caller
        .run(move |conn, actor| quotes::get(conn, actor, *id))
        .await
        .map(Json)
}

async fn act(
    caller: Caller<need::OpportunityWrite>,
    id: i64,
    action: QuoteAction,
) -> ApiResult<Json<Quote>> {
    caller
        .run(move |conn, actor| quotes::act(conn, actor, id, action))
        .await
        .map(Json)
}

/// Marks a draft as sent to the customer.
#[utoipa::path(tag = "opportunities", params(("id" = i64, Path)), responses((status = 200, body = Quote)))]
#[post("/quotes/{id}/send")]
async fn send_quote(
    caller: Caller<need::OpportunityWrite>,
    id: Path<i64>,
) -> ApiResult<Json<Quote>> {
    act(caller, *id, QuoteAction::Send).await
}

/// The customer accepted: a draft order with the same lines is made (`order_id`), the deal is won
/// and its other open quotes are rejected. 422 `quote_expired` / `quote_closed` on `status`.
#[utoipa::path(tag = "opportunities", params(("id" = i64, Path)), responses((status = 200, body = Quote)))]
#[post("/quotes/{id}/accept")]
async fn accept_quote(
    caller: Caller<need::OpportunityWrite>,
    id: Path<i64>,
) -> ApiResult<Json<Quote>> {
    act(caller, *id, QuoteAction::Accept).await
}

/// The customer declined this version.
#[utoipa::path(tag = "opportunities", params(("id" = i64, Path)), responses((status = 200, body = Quote)))]
#[post("/quotes/{id}/reject")]
async fn reject_quote(
    caller: Caller<need::OpportunityWrite>,
    id: Path<i64>,
) -> ApiResult<Json<Quote>> {
    act(caller, *id, QuoteAction::Reject).await
}
