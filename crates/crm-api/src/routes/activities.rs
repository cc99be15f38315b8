//! Activities (客户接触): logging a contact with a customer, and reading them back. Visible with the
//! customer; the author may edit for a while (company setting), managers always.

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::extract::ValidJson;
use crate::pagination::{decode_value, encode_value, limit};
use crate::state::AppState;
use actix_web::{HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, NaiveDateTime, Utc};
use crm_db::activities::ActivityFilter;
use crm_domain::Permission;
use crm_domain::api::{Activity, ActivityPatch, NewActivity, Page};
use serde::Deserialize;
use serde_json::json;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_activities)
        .service(create_activity)
        .service(get_activity)
        .service(update_activity)
        .service(delete_activity);
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
struct ActivityQuery {
    customer_id: Option<i64>,
    /// The author.
    owner_id: Option<i64>,
    /// The author's department.
    department_id: Option<i64>,
    type_id: Option<i64>,
    /// From this instant (inclusive).
    from: Option<DateTime<Utc>>,
    /// Until this instant (exclusive).
    to: Option<DateTime<Utc>>,
    #[param(minimum = 1, maximum = 200)]
    limit: Option<i64>,
    cursor: Option<String>,
}

const TIME_FORMAT: &str = "%Y-%m-%dT%H:%M:%S%.6f";

/// Activities of the customers the caller sees, newest first.
#[utoipa::path(tag = "activities", params(ActivityQuery), responses((status = 200, body = Page<Activity>)))]
#[get("/activities")]
async fn list_activities(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<ActivityQuery>,
) -> ApiResult<web::Json<Page<Activity>>> {
    caller.require(Permission::ActivityRead)?;
    let q = query.into_inner();
    let limit = limit(q.limit)?;
    let before = match q.cursor.as_deref().filter(|c| !c.is_empty()) {
        None => None,
        Some(c) => {
            let v = decode_value(c)?;
            let bad = || ApiError::BadRequest {
                code: "invalid_cursor",
                detail: "the cursor is not one this server gave out".into(),
            };
            let t = v["t"]
                .as_str()
                .and_then(|t| NaiveDateTime::parse_from_str(t, TIME_FORMAT).ok())
                .ok_or_else(bad)?;
            Some((t, v["id"].as_i64().ok_or_else(bad)?))
        }
    };
    let filter = ActivityFilter {
        customer_id: q.customer_id,
        owner_id: q.owner_id,
        department_id: q.department_id,
        type_id: q.type_id,
        from: q.from.map(|t| t.naive_utc()),
        to: q.to.map(|t| t.naive_utc()),
        authors_in_scope: false,
        before,
        limit: limit + 1,
    };
    let mut items = state
        .run(move |conn| {
            let v = caller.visible(conn)?;
            Ok(crm_db::activities::list(conn, &v, &filter)?)
        })
        .await?;
    let more = items.len() as i64 > limit;
    items.truncate(limit as usize);
    let next_cursor = if more {
        items.last().map(|a| encode_value(&json!({"t": a.occurred_at.naive_utc().format(TIME_FORMAT).to_string(), "id": a.id})))
    } else {
        None
    };
    Ok(web::Json(Page { items, next_cursor }))
}

/// Logs a contact with a customer (201). The first one moves a lead to `contacted`; the customer's
/// last contact moves forward; a next step (today or later, company calendar) becomes a reminder
/// for the caller on that day.
#[utoipa::path(tag = "activities", request_body = NewActivity, responses((status = 201, body = Activity)))]
#[post("/activities")]
async fn create_activity(
    state: web::Data<AppState>,
    caller: Caller,
    body: ValidJson<NewActivity>,
) -> ApiResult<HttpResponse> {
    caller.require(Permission::ActivityCreate)?;
    let new = body.0;
    let activity = state
        .run(move |conn| {
            let v = caller.visible(conn)?;
            let today = crm_db::settings::today(conn)?;
            Ok(crm_db::activities::create(
                conn, caller.id, &v, &new, today,
            )?)
        })
        .await?;
    Ok(HttpResponse::Created().json(activity))
}

#[utoipa::path(tag = "activities", params(("id" = i64, Path)), responses((status = 200, body = Activity)))]
#[get("/activities/{id}")]
async fn get_activity(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
) -> ApiResult<web::Json<Activity>> {
    caller.require(Permission::ActivityRead)?;
    let id = path.into_inner();
    Ok(web::Json(
        state
            .run(move |conn| {
                let v = caller.visible(conn)?;
                Ok(crm_db::activities::get(conn, &v, id)?)
            })
            .await?,
    ))
}

/// Changes an activity: its author within the edit window (company setting), managers always
/// (409 `edit_window_closed` otherwise).
#[utoipa::path(tag = "activities", params(("id" = i64, Path)), request_body = ActivityPatch, responses((status = 200, body = Activity)))]
#[patch("/activities/{id}")]
async fn update_activity(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
    body: ValidJson<ActivityPatch>,
) -> ApiResult<web::Json<Activity>> {
    caller.require(Permission::ActivityCreate)?;
    let (id, p) = (path.into_inner(), body.0);
    let manage = caller.has(Permission::ActivityManage);
    Ok(web::Json(
        state
            .run(move |conn| {
                let v = caller.visible(conn)?;
                let minutes = crm_db::settings::get(conn)?.settings.activity_edit_minutes;
                Ok(crm_db::activities::update(
                    conn, caller.id, &v, id, &p, manage, minutes,
                )?)
            })
            .await?,
    ))
}

/// Deletes an activity under the same rule as editing; the customer's history keeps what it said.
#[utoipa::path(tag = "activities", params(("id" = i64, Path)), responses((status = 204, description = "deleted")))]
#[delete("/activities/{id}")]
async fn delete_activity(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    caller.require(Permission::ActivityCreate)?;
    let id = path.into_inner();
    let manage = caller.has(Permission::ActivityManage);
    state
        .run(move |conn| {
            let v = caller.visible(conn)?;
            let minutes = crm_db::settings::get(conn)?.settings.activity_edit_minutes;
            Ok(crm_db::activities::delete(
                conn, caller.id, &v, id, manage, minutes,
            )?)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
