//! The team view (团队动态): a day's activities of everyone in the caller's scope, by person.

use crate::auth::Caller;
use crate::error::ApiResult;
use crate::state::AppState;
use actix_web::{get, web};
use chrono::NaiveDate;
use crm_db::activities::ActivityFilter;
use crm_domain::api::TeamDay;
use crm_domain::{Permission, time};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(activity_stream);
}

const MAX_ACTIVITIES: usize = 500;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
struct StreamQuery {
    /// The day on the company's calendar (default: today).
    date: Option<NaiveDate>,
    /// Only this person's activities in `activities` (the counts still cover everyone).
    user_id: Option<i64>,
}

/// Counts per person (everyone in scope, idle ones with zero) and the activities of a day. A
/// salesperson (scope `own`) sees only their own.
#[utoipa::path(tag = "activities", params(StreamQuery), responses((status = 200, body = TeamDay)))]
#[get("/team/activity-stream")]
async fn activity_stream(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<StreamQuery>,
) -> ApiResult<web::Json<TeamDay>> {
    caller.require(Permission::ActivityRead)?;
    let q = query.into_inner();
    let day = state
        .run(move |conn| {
            let v = caller.visible(conn)?;
            let zone = crm_db::settings::zone(conn)?;
            let date = q
                .date
                .unwrap_or_else(|| time::local_date(chrono::Utc::now(), zone));
            let (from, to) = time::day_range(date, zone);
            let people = crm_db::activities::team_counts(conn, &v, from, to)?;
            let filter = ActivityFilter {
                owner_id: q.user_id,
                from: Some(from),
                to: Some(to),
                authors_in_scope: true,
                limit: MAX_ACTIVITIES as i64 + 1,
                ..ActivityFilter::default()
            };
            let mut activities = crm_db::activities::list(conn, &v, &filter)?;
            let truncated = activities.len() > MAX_ACTIVITIES;
            activities.truncate(MAX_ACTIVITIES);
            Ok(TeamDay {
                date,
                total: people.iter().map(|p| p.count).sum(),
                people,
                activities,
                truncated,
            })
        })
        .await?;
    Ok(web::Json(day))
}
