//! Customer transfers (客户转移) and their log.

use super::prelude::*;
use crm_db::transfers;
use crm_domain::api::{NewTransfer, Page, PageQuery, Transfer};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(create_transfer).service(list_transfers);
}

/// Moves one, several (`customer_ids`) or all (`all: true`) customers of a user to another, with
/// their contacts, open reminders and unfinished orders, in one transaction; answers what moved,
/// counted per kind. The receiver must be an
/// enabled user within the caller's scope. `dry_run: true` counts without moving (200).
#[utoipa::path(tag = "customers", request_body = NewTransfer, responses((status = 201, body = Transfer), (status = 200, body = Transfer, description = "dry run")))]
#[post("/customer-transfers")]
async fn create_transfer(
    caller: Caller<need::CustomerTransfer>,
    new: Json<NewTransfer>,
) -> ApiResult<actix_web::Either<Json<Transfer>, Created<Transfer>>> {
    let dry_run = new.dry_run;
    let transfer = caller
        .run(move |conn, actor| transfers::transfer(conn, actor, &new))
        .await?;
    Ok(if dry_run {
        actix_web::Either::Left(Json(transfer))
    } else {
        actix_web::Either::Right(Created(transfer))
    })
}

/// The transfer log, newest first: transfers whose giver or receiver is within the caller's scope.
#[utoipa::path(tag = "customers", params(PageQuery), responses((status = 200, body = Page<Transfer>)))]
#[get("/customer-transfers")]
async fn list_transfers(
    caller: Caller<need::CustomerTransfer>,
    q: Query<PageQuery>,
) -> ApiResult<Json<Page<Transfer>>> {
    caller
        .run(move |conn, actor| transfers::list(conn, actor, &q))
        .await
        .map(Json)
}
