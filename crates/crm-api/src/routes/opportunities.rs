//! Opportunities (机会): the list and the deal board's pipeline, the deal, its status moves, stage
//! history, key contacts, competitors met and quote versions. Visible with their owner and their
//! customer's owner.

use super::prelude::*;
use crm_db::opportunities::{self, Closing};
use crm_db::quotes;
use crm_domain::api::{
    DealCompetitor, KeyContact, LoseRequest, NewDealCompetitor, NewKeyContact, NewOpportunity,
    NewQuote, Opportunity, OpportunityMove, OpportunityPatch, OpportunityPipeline,
    OpportunityPipelineQuery, OpportunityQuery, OpportunityStatusChange, Page, Quote,
};
use crm_domain::opportunity::OpportunityAction;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_opportunities)
        .service(opportunity_pipeline)
        .service(create_opportunity)
        .service(get_opportunity)
        .service(update_opportunity)
        .service(delete_opportunity)
        .service(win_opportunity)
        .service(lose_opportunity)
        .service(reopen_opportunity)
        .service(stage_history)
        .service(list_key_contacts)
        .service(add_key_contact)
        .service(remove_key_contact)
        .service(list_deal_competitors)
        .service(add_deal_competitor)
        .service(remove_deal_competitor)
        .service(list_quotes)
        .service(create_quote);
}

/// Deals the caller sees, last changed first.
#[utoipa::path(tag = "opportunities", params(OpportunityQuery), responses((status = 200, body = Page<Opportunity>)))]
#[get("/opportunities")]
async fn list_opportunities(
    caller: Caller<need::OpportunityRead>,
    q: Query<OpportunityQuery>,
) -> ApiResult<Json<Page<Opportunity>>> {
    caller
        .run(move |conn, actor| opportunities::list(conn, actor, &q))
        .await
        .map(Json)
}

/// Open deals per stage within the caller's scope: count, amount and weighted amount.
#[utoipa::path(tag = "opportunities", params(OpportunityPipelineQuery), responses((status = 200, body = OpportunityPipeline)))]
#[get("/opportunities/pipeline")]
async fn opportunity_pipeline(
    caller: Caller<need::OpportunityRead>,
    q: Query<OpportunityPipelineQuery>,
) -> ApiResult<Json<OpportunityPipeline>> {
    caller
        .run(move |conn, actor| opportunities::pipeline(conn, actor, &q))
        .await
        .map(Json)
}

/// Opens a deal (201). The first deal of a lead or contacted customer makes it a prospect. 422
/// `not_a_stage` for a stage of another dictionary, `customer_blacklisted`.
#[utoipa::path(tag = "opportunities", request_body = NewOpportunity, responses((status = 201, body = Opportunity)))]
#[post("/opportunities")]
async fn create_opportunity(
    caller: Caller<need::OpportunityWrite>,
    new: Json<NewOpportunity>,
) -> ApiResult<Created<Opportunity>> {
    caller
        .run(move |conn, actor| opportunities::create(conn, actor, &new))
        .await
        .map(Created)
}

#[utoipa::path(tag = "opportunities", params(("id" = i64, Path)), responses((status = 200, body = Opportunity)))]
#[get("/opportunities/{id}")]
async fn get_opportunity(
    caller: Caller<need::OpportunityRead>,
    id: Path<i64>,
) -> ApiResult<Json<Opportunity>> {
    caller
        .run(move |conn, actor| opportunities::get(conn, actor, *id))
        .await
        .map(Json)
}

/// Changes an open deal (409 `opportunity_closed` when won or lost); a stage move is recorded.
#[utoipa::path(tag = "opportunities", params(("id" = i64, Path)), request_body = OpportunityPatch, responses((status = 200, body = Opportunity)))]
#[patch("/opportunities/{id}")]
async fn update_opportunity(
    caller: Caller<need::OpportunityWrite>,
    id: Path<i64>,
    patch: Json<OpportunityPatch>,
) -> ApiResult<Json<Opportunity>> {
    caller
        .run(move |conn, actor| opportunities::update(conn, actor, *id, &patch))
        .await
        .map(Json)
}

/// Deletes a deal no order came from (409 `opportunity_has_orders`).
#[utoipa::path(tag = "opportunities", params(("id" = i64, Path)), responses((status = 204)))]
#[delete("/opportunities/{id}")]
async fn delete_opportunity(
    caller: Caller<need::OpportunityWrite>,
    id: Path<i64>,
) -> ApiResult<NoContent> {
    caller
        .run(move |conn, actor| opportunities::delete(conn, actor, *id))
        .await
        .map(|()| NoContent)
}

/// One status move; the three endpoints below differ only in the move.
async fn move_status(
    caller: Caller<need::OpportunityWrite>,
    id: i64,
    action: OpportunityAction,
    version: i32,
    closing: Closing,
) -> ApiResult<Json<Opportunity>> {
    caller
        .run(move |conn, actor| {
            opportunities::change_status(conn, actor, id, action, version, &closing)
        })
        .await
        .map(Json)
}

/// Wins an open deal (it signs nothing by itself). 409 `invalid_status_move` for a closed one.
#[utoipa::path(tag = "opportunities", params(("id" = i64, Path)), request_body = OpportunityStatusChange, responses((status = 200, body = Opportunity)))]
#[post("/opportunities/{id}/win")]
async fn win_opportunity(
    caller: Caller<need::OpportunityWrite>,
    id: Path<i64>,
    change: Json<OpportunityStatusChange>,
) -> ApiResult<Json<Opportunity>> {
    let version = change.version;
    move_status(
        caller,
        *id,
        OpportunityAction::Win,
        version,
        Closing::default(),
    )
    .await
}

/// Loses an open deal with the reason, and the competitor it went to if any. 409
/// `invalid_status_move` for a closed one.
#[utoipa::path(tag = "opportunities", params(("id" = i64, Path)), request_body = LoseRequest, responses((status = 200, body = Opportunity)))]
#[post("/opportunities/{id}/lose")]
async fn lose_opportunity(
    caller: Caller<need::OpportunityWrite>,
    id: Path<i64>,
    change: Json<LoseRequest>,
) -> ApiResult<Json<Opportunity>> {
    let closing = Closing::from(&*change);
    move_status(
        caller,
        *id,
        OpportunityAction::Lose,
        change.version,
        closing,
    )
    .await
}

/// Reopens a won or lost deal at its stage.
#[utoipa::path(tag = "opportunities", params(("id" = i64, Path)), request_body = OpportunityStatusChange, responses((status = 200, body = Opportunity)))]
#[post("/opportunities/{id}/reopen")]
async fn reopen_opportunity(
    caller: Caller<need::OpportunityWrite>,
    id: Path<i64>,
    change: Json<OpportunityStatusChange>,
) -> ApiResult<Json<Opportunity>> {
    let version = change.version;
    move_status(
        caller,
        *id,
        OpportunityAction::Reopen,
        version,
        Closing::default(),
    )
    .await
}

/// The stages (and statuses) the deal went through, oldest first, with who moved it and when.
#[utoipa::path(tag = "opportunities", params(("id" = i64, Path)), responses((status = 200, body = Vec<OpportunityMove>)))]
#[get("/opportunities/{id}/stage-history")]
async fn stage_history(
    caller: Caller<need::OpportunityRead>,
    id: Path<i64>,
) -> ApiResult<Json<Vec<OpportunityMove>>> {
    caller
        .run(move |conn, actor| opportunities::moves(conn, actor, *id))
        .await
        .map(Json)
}

#[utoipa::path(tag = "opportunities", params(("id" = i64, Path)), responses((status = 200, body = Vec<KeyContact>)))]
#[get("/opportunities/{id}/contacts")]
async fn list_key_contacts(
    caller: Caller<need::OpportunityRead>,
    id: Path<i64>,
) -> ApiResult<Json<Vec<KeyContact>>> {
    caller
        .run(move |conn, actor| opportunities::contacts(conn, actor, *id))
        .await
        .map(Json)
}

/// Adds a key contact (201): one of the customer's own contacts (422 `not_customers_contact`),
/// once (422 `already_added`).
#[utoipa::path(tag = "opportunities", params(("id" = i64, Path)), request_body = NewKeyContact, responses((status = 201, body = KeyContact)))]
#[post("/opportunities/{id}/contacts")]
async fn add_key_contact(
    caller: Caller<need::OpportunityWrite>,
    id: Path<i64>,
    new: Json<NewKeyContact>,
) -> ApiResult<Created<KeyContact>> {
    caller
        .run(move |conn, actor| opportunities::add_contact(conn, actor, *id, &new))
        .await
        .map(Created)
}

#[utoipa::path(tag = "opportunities", params(("id" = i64, Path), ("contact_id" = i64, Path)), responses((status = 204)))]
#[delete("/opportunities/{id}/contacts/{contact_id}")]
async fn remove_key_contact(
    caller: Caller<need::OpportunityWrite>,
    path: Path<(i64, i64)>,
) -> ApiResult<NoContent> {
    let (id, contact) = *path;
    caller
        .run(move |conn, actor| opportunities::remove_contact(conn, actor, id, contact))
        .await
        .map(|()| NoContent)
}

#[utoipa::path(tag = "opportunities", params(("id" = i64, Path)), responses((status = 200, body = Vec<DealCompetitor>)))]
#[get("/opportunities/{id}/competitors")]
async fn list_deal_competitors(
    caller: Caller<need::OpportunityRead>,
    id: Path<i64>,
) -> ApiResult<Json<Vec<DealCompetitor>>> {
    caller
        .run(move |conn, actor| opportunities::competitors(conn, actor, *id))
        .await
        .map(Json)
}

/// Notes a competitor met in the deal (201): our strengths and weaknesses against it, the threat
/// (1–5). 422 `already_added` for a second time.
#[utoipa::path(tag = "opportunities", params(("id" = i64, Path)), request_body = NewDealCompetitor, responses((status = 201, body = DealCompetitor)))]
#[post("/opportunities/{id}/competitors")]
async fn add_deal_competitor(
    caller: Caller<need::OpportunityWrite>,
    id: Path<i64>,
    new: Json<NewDealCompetitor>,
) -> ApiResult<Created<DealCompetitor>> {
    caller
        .run(move |conn, actor| opportunities::add_competitor(conn, actor, *id, &new))
        .await
        .map(Created)
}

#[utoipa::path(tag = "opportunities", params(("id" = i64, Path), ("competitor_id" = i64, Path)), responses((status = 204)))]
#[delete("/opportunities/{id}/competitors/{competitor_id}")]
async fn remove_deal_competitor(
    caller: Caller<need::OpportunityWrite>,
    path: Path<(i64, i64)>,
) -> ApiResult<NoContent> {
    let (id, competitor) = *path;
    caller
        .run(move |conn, actor| opportunities::remove_competitor(conn, actor, id, competitor))
        .await
        .map(|()| NoContent)
}

/// Every quote version of the deal, newest first, with lines.
#[utoipa::path(tag = "opportunities", params(("id" = i64, Path)), responses((status = 200, body = Vec<Quote>)))]
#[get("/opportunities/{id}/quotes")]
async fn list_quotes(
    caller: Caller<need::OpportunityRead>,
    id: Path<i64>,
) -> ApiResult<Json<Vec<Quote>>> {
    caller
        .run(move |conn, actor| quotes::of_deal(conn, actor, *id))
        .await
        .map(Json)
}

/// A new quote version of an open deal (201) with a unique number `QT…`; lines are priced exactly
/// as an order's (422 `discount_too_large`, `no_such_product`).
#[utoipa::path(tag = "opportunities", params(("id" = i64, Path)), request_body = NewQuote, responses((status = 201, body = Quote)))]
#[post("/opportunities/{id}/quotes")]
async fn create_quote(
    caller: Caller<need::OpportunityWrite>,
    id: Path<i64>,
    new: Json<NewQuote>,
) -> ApiResult<Created<Quote>> {
    caller
        .run(move |conn, actor| quotes::create(conn, actor, *id, &new))
        .await
        .map(Created)
}
