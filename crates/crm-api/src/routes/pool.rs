//! The public pool (公海): its list, claiming from it, releasing into it, and what its rules would
//! take back next.

use super::prelude::*;
use crate::extract::JsonOrDefault;
use crm_db::pool;
use crm_domain::api::{
    ClaimRequest, Customer, Page, PoolCustomer, PoolQuery, ReclaimCandidate, ReclaimPreviewQuery,
    ReleaseRequest, Released,
};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_pool)
        .service(reclaim_preview)
        .service(claim)
        .service(release);
}

/// The customers in the public pool: name, type, level, industry, region, last contact and since
/// when they have been in the pool — not how to reach them (no phone, address or contacts until
/// claimed). Filters and sorts as the customer list; default: newest in the pool first.
#[utoipa::path(tag = "pool", params(PoolQuery), responses((status = 200, body = Page<PoolCustomer>)))]
#[get("/pool")]
async fn list_pool(
    caller: Caller<need::CustomerRead>,
    q: Query<PoolQuery>,
) -> ApiResult<Json<Page<PoolCustomer>>> {
    caller
        .run(move |conn, actor| pool::list(conn, actor, &q))
        .await
        .map(Json)
}

/// Which customers the reclaim rules would put into the pool at the next run (or within
/// `within_days`), and why: the rule, the day it takes them, the owner. The rules in the settings,
/// or `no_contact_days` / `unsigned_days` to try others before turning them on.
#[utoipa::path(tag = "pool", params(ReclaimPreviewQuery), responses((status = 200, body = Page<ReclaimCandidate>)))]
#[get("/pool/reclaim-preview")]
async fn reclaim_preview(
    caller: Caller<need::AdminSettings>,
    q: Query<ReclaimPreviewQuery>,
) -> ApiResult<Json<Page<ReclaimCandidate>>> {
    caller
        .run(move |conn, actor| pool::preview(conn, actor, &q))
        .await
        .map(Json)
}

/// Claims a customer from the pool, with its open deals, quotes and reminders; without a body (or
/// `owner_id`) for oneself, with `owner_id` (needs `customer.transfer`) for someone within one's
/// scope. 409 `not_in_pool` when someone was faster, 409 `claim_limit_reached` past the company's
/// limits.
#[utoipa::path(tag = "pool", params(("id" = i64, Path)), request_body(content = ClaimRequest, description = "optional"), responses((status = 200, body = Customer)))]
#[post("/pool/{id}/claim")]
async fn claim(
    caller: Caller<need::CustomerCreate>,
    id: Path<i64>,
    req: JsonOrDefault<ClaimRequest>,
) -> ApiResult<Json<Customer>> {
    caller
        .run(move |conn, actor| pool::claim(conn, actor, *id, &req))
        .await
        .map(Json)
}

/// Puts a customer into the pool, with a reason; its open deals, quotes and reminders go with it,
/// its orders stay with whoever sold them. 409 `already_in_pool`.
#[utoipa::path(tag = "pool", params(("id" = i64, Path)), request_body = ReleaseRequest, responses((status = 200, body = Released)))]
#[post("/customers/{id}/release")]
async fn release(
    caller: Caller<need::CustomerUpdate>,
    id: Path<i64>,
    req: Json<ReleaseRequest>,
) -> ApiResult<Json<Released>> {
    caller
        .run(move |conn, actor| pool::release(conn, actor, *id, &req))
        .await
        .map(Json)
}
