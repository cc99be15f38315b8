//! The team view (团队动态): a day's activities of everyone in the caller's scope, by person.

use super::prelude::*;
use crm_domain::api::{TeamDay, TeamQuery};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(activity_stream);
}

/// Counts per person (everyone in scope, idle ones with zero) and the activities of a day. A
/// salesperson (scope `own`) sees only their own.
#[utoipa::path(tag = "activities", params(TeamQuery), responses((status = 200, body = TeamDay)))]
#[get("/team/activity-stream")]
async fn activity_stream(
    caller: Caller<need::ActivityRead>,
    q: Query<TeamQuery>,
) -> ApiResult<Json<TeamDay>> {
    caller
        .run(move |conn, actor| crm_db::activities::team_day(conn, actor, &q))
        .await
        .map(Json)
}
