//! Activities (客户接触): logging a contact with a customer, and reading them back. Visible with the
//! customer; the author may edit for a while (company setting), managers always.

use super::prelude::*;
use crm_db::activities;
use crm_domain::api::{Activity, ActivityPatch, ActivityQuery, NewActivity, Page};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_activities)
        .service(create_activity)
        .service(get_activity)
        .service(update_activity)
        .service(delete_activity);
}

/// Activities of the customers the caller sees, newest first.
#[utoipa::path(tag = "activities", params(ActivityQuery), responses((status = 200, body = Page<Activity>)))]
#[get("/activities")]
async fn list_activities(
    caller: Caller<need::ActivityRead>,
    q: Query<ActivityQuery>,
) -> ApiResult<Json<Page<Activity>>> {
    caller
        .run(move |conn, actor| activities::list(conn, actor, &q))
        .await
        .map(Json)
}

/// Logs a contact with a customer (201). The first one moves a lead to `contacted`; the customer's
/// last contact moves forward; a next step (today or later, company calendar) becomes a reminder
/// for the caller on that day.
#[utoipa::path(tag = "activities", request_body = NewActivity, responses((status = 201, body = Activity)))]
#[post("/activities")]
async fn create_activity(
    caller: Caller<need::ActivityCreate>,
    new: Json<NewActivity>,
) -> ApiResult<Created<Activity>> {
    caller
        .run(move |conn, actor| activities::create(conn, actor, &new))
        .await
        .map(Created)
}

#[utoipa::path(tag = "activities", params(("id" = i64, Path)), responses((status = 200, body = Activity)))]
#[get("/activities/{id}")]
async fn get_activity(
    caller: Caller<need::ActivityRead>,
    id: Path<i64>,
) -> ApiResult<Json<Activity>> {
    caller
        .run(move |conn, actor| activities::get(conn, actor, *id))
        .await
        .map(Json)
}

/// Changes an activity: its author within the edit window (company setting), managers always
/// (409 `edit_window_closed` otherwise).
#[utoipa::path(tag = "activities", params(("id" = i64, Path)), request_body = ActivityPatch, responses((status = 200, body = Activity)))]
#[patch("/activities/{id}")]
async fn update_activity(
    caller: Caller<need::ActivityCreate>,
    id: Path<i64>,
    patch: Json<ActivityPatch>,
) -> ApiResult<Json<Activity>> {
    caller
        .run(move |conn, actor| activities::update(conn, actor, *id, &patch))
        .await
        .map(Json)
}

/// Deletes an activity under the same rule as editing; the customer's history keeps what it said.
#[utoipa::path(tag = "activities", params(("id" = i64, Path)), responses((status = 204, description = "deleted")))]
#[delete("/activities/{id}")]
async fn delete_activity(
    caller: Caller<need::ActivityCreate>,
    id: Path<i64>,
) -> ApiResult<NoContent> {
    caller
        .run(move |conn, actor| activities::delete(conn, actor, *id))
        .await
        .map(NoContent::from)
}
