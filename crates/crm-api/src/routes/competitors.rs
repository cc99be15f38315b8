//! Competitors (竞争对手): company-wide profiles; managers (`competitor.manage`) keep them.

use super::prelude::*;
use crm_db::competitors;
use crm_domain::api::{Competitor, CompetitorPatch, CompetitorQuery, NewCompetitor, Page};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_competitors)
        .service(create_competitor)
        .service(get_competitor)
        .service(update_competitor)
        .service(delete_competitor);
}

/// Profiles by name, each with the deals met against it that the caller sees.
#[utoipa::path(tag = "opportunities", params(CompetitorQuery), responses((status = 200, body = Page<Competitor>)))]
#[get("/competitors")]
async fn list_competitors(
    caller: Caller<need::OpportunityRead>,
    q: Query<CompetitorQuery>,
) -> ApiResult<Json<Page<Competitor>>> {
    caller
        .run(move |conn, actor| competitors::list(conn, actor, &q))
        .await
        .map(Json)
}

/// 422 `duplicate_name` for a second profile of the same name.
#[utoipa::path(tag = "opportunities", request_body = NewCompetitor, responses((status = 201, body = Competitor)))]
#[post("/competitors")]
async fn create_competitor(
    caller: Caller<need::CompetitorManage>,
    new: Json<NewCompetitor>,
) -> ApiResult<Created<Competitor>> {
    caller
        .run(move |conn, actor| competitors::create(conn, actor, &new))
        .await
        .map(Created)
}

#[utoipa::path(tag = "opportunities", params(("id" = i64, Path)), responses((status = 200, body = Competitor)))]
#[get("/competitors/{id}")]
async fn get_competitor(
    caller: Caller<need::OpportunityRead>,
    id: Path<i64>,
) -> ApiResult<Json<Competitor>> {
    caller
        .run(move |conn, actor| competitors::get(conn, actor, *id))
        .await
        .map(Json)
}

#[utoipa::path(tag = "opportunities", params(("id" = i64, Path)), request_body = CompetitorPatch, responses((status = 200, body = Competitor)))]
#[patch("/competitors/{id}")]
async fn update_competitor(
    caller: Caller<need::CompetitorManage>,
    id: Path<i64>,
    patch: Json<CompetitorPatch>,
) -> ApiResult<Json<Competitor>> {
    caller
        .run(move |conn, actor| competitors::update(conn, actor, *id, &patch))
        .await
        .map(Json)
}

/// Deletes a profile no deal mentions (409 `competitor_in_use`).
#[utoipa::path(tag = "opportunities", params(("id" = i64, Path)), responses((status = 204)))]
#[delete("/competitors/{id}")]
async fn delete_competitor(
    caller: Caller<need::CompetitorManage>,
    id: Path<i64>,
) -> ApiResult<NoContent> {
    caller
        .run(move |conn, actor| competitors::delete(conn, actor, *id))
        .await
        .map(|()| NoContent)
}
