//! Customer transfers (客户转移) and their log.

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::extract::ValidJson;
use crate::pagination::PageRequest;
use crate::state::AppState;
use actix_web::{HttpResponse, get, post, web};
use crm_db::transfers::{Request, Selection};
use crm_domain::Permission;
use crm_domain::api::{NewTransfer, Page, Transfer};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(create_transfer).service(list_transfers);
}

/// Moves one, several (`customer_ids`) or all (`all: true`) customers of a user to another, with
/// their contacts (and, as modules arrive, their open opportunities, unfinished orders and pending
/// reminders), in one transaction; answers what moved, counted per kind. The receiver must be an
/// enabled user within the caller's scope. `dry_run: true` counts without moving (200).
#[utoipa::path(tag = "customers", request_body = NewTransfer, responses((status = 201, body = Transfer), (status = 200, body = Transfer, description = "dry run")))]
#[post("/customer-transfers")]
async fn create_transfer(
    state: web::Data<AppState>,
    caller: Caller,
    body: ValidJson<NewTransfer>,
) -> ApiResult<HttpResponse> {
    caller.require(Permission::CustomerTransfer)?;
    let new = body.0;
    let selection = match (new.all, new.customer_ids) {
        (Some(true), None) => Selection::All,
        (None | Some(false), Some(ids)) => Selection::Some(ids),
        (Some(true), Some(_)) => {
            return Err(ApiError::field(
                "all",
                "ambiguous",
                "give either customer_ids or all: true, not both",
            ));
        }
        (_, None) => {
            return Err(ApiError::field(
                "customer_ids",
                "required",
                "give customer_ids or all: true",
            ));
        }
    };
    let dry_run = new.dry_run;
    let transfer = state
        .run(move |conn| {
            let visible = caller.visible(conn)?;
            let req = Request {
                from: new.from_user_id,
                to: new.to_user_id,
                selection,
                reason: new.reason.trim(),
                dry_run,
            };
            Ok(crm_db::transfers::transfer(
                conn, caller.id, &visible, &req,
            )?)
        })
        .await?;
    Ok(if dry_run {
        HttpResponse::Ok().json(transfer)
    } else {
        HttpResponse::Created().json(transfer)
    })
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
struct TransferQuery {
    #[param(minimum = 1, maximum = 200)]
    limit: Option<i64>,
    cursor: Option<String>,
}

/// The transfer log, newest first: transfers whose giver or receiver is within the caller's scope.
#[utoipa::path(tag = "customers", params(TransferQuery), responses((status = 200, body = Page<Transfer>)))]
#[get("/customer-transfers")]
async fn list_transfers(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<TransferQuery>,
) -> ApiResult<web::Json<Page<Transfer>>> {
    caller.require(Permission::CustomerTransfer)?;
    let page = PageRequest::parse(query.limit, query.cursor.as_deref())?;
    let (before, limit) = (page.after, page.fetch());
    let items = state
        .run(move |conn| {
            let visible = caller.visible(conn)?;
            Ok(crm_db::transfers::list(conn, &visible, before, limit)?)
        })
        .await?;
    Ok(web::Json(page.page(items, |t| t.id.unwrap_or(0))))
}
