//! Reminders (提醒): the caller's own next steps, by day; done and snooze.

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::extract::ValidJson;
use crate::pagination::{decode_value, encode_value, limit};
use crate::state::AppState;
use actix_web::{get, post, web};
use chrono::{Days, NaiveDate, NaiveDateTime};
use crm_db::reminders::{ReminderFilter, ReminderKey};
use crm_domain::api::{Page, Reminder, ReminderStatus, SnoozeRequest};
use serde::Deserialize;
use serde_json::json;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_reminders)
        .service(done_reminder)
        .service(snooze_reminder);
}

/// Which reminders to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
enum ReminderView {
    /// Every open one, overdue included, by day.
    Open,
    /// Open ones due today or earlier (the company's today): what to do now.
    Due,
    /// Open ones whose day has passed.
    Overdue,
    /// Finished ones, newest first.
    Done,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
struct ReminderQuery {
    /// `open` (default), `due`, `overdue` or `done`.
    status: Option<ReminderView>,
    /// Only those due before this day (e.g. tomorrow, for "due today or earlier").
    due_before: Option<NaiveDate>,
    customer_id: Option<i64>,
    #[param(minimum = 1, maximum = 200)]
    limit: Option<i64>,
    cursor: Option<String>,
}

const TIME_FORMAT: &str = "%Y-%m-%dT%H:%M:%S%.6f";

fn encode_key(key: ReminderKey) -> String {
    encode_value(&match key {
        ReminderKey::Due(d, id) => json!({"d": d, "id": id}),
        ReminderKey::Done(t, id) => json!({"t": t.format(TIME_FORMAT).to_string(), "id": id}),
    })
}

fn decode_key(cursor: &str, status: ReminderStatus) -> ApiResult<ReminderKey> {
    let v = decode_value(cursor)?;
    let id = v["id"].as_i64();
    let key = match status {
        ReminderStatus::Done => v["t"]
            .as_str()
            .and_then(|t| NaiveDateTime::parse_from_str(t, TIME_FORMAT).ok())
            .zip(id)
            .map(|(t, id)| ReminderKey::Done(t, id)),
        _ => v["d"]
            .as_str()
            .and_then(|d| d.parse().ok())
            .zip(id)
            .map(|(d, id)| ReminderKey::Due(d, id)),
    };
    key.ok_or(ApiError::BadRequest {
        code: "invalid_cursor",
        detail: "the cursor is not one this server gave out".into(),
    })
}

/// The caller's reminders on customers they see. `overdue` is decided on the company's calendar.
#[utoipa::path(tag = "reminders", params(ReminderQuery), responses((status = 200, body = Page<Reminder>)))]
#[get("/reminders")]
async fn list_reminders(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<ReminderQuery>,
) -> ApiResult<web::Json<Page<Reminder>>> {
    let q = query.into_inner();
    let limit = limit(q.limit)?;
    let view = q.status.unwrap_or(ReminderView::Open);
    let status = match view {
        ReminderView::Open | ReminderView::Due => ReminderStatus::Open,
        ReminderView::Overdue => ReminderStatus::Overdue,
        ReminderView::Done => ReminderStatus::Done,
    };
    let after = match q.cursor.as_deref().filter(|c| !c.is_empty()) {
        None => None,
        Some(c) => Some(decode_key(c, status)?),
    };
    let mut filter = ReminderFilter {
        status,
        due_before: q.due_before,
        customer_id: q.customer_id,
        after,
        limit: limit + 1,
    };
    let mut items = state
        .run(move |conn| {
            let v = caller.visible(conn)?;
            let today = crm_db::settings::today(conn)?;
            if view == ReminderView::Due {
                let tomorrow = today.succ_opt().unwrap_or(today);
                filter.due_before = Some(filter.due_before.map_or(tomorrow, |d| d.min(tomorrow)));
            }
            Ok(crm_db::reminders::list(
                conn, caller.id, &v, &filter, today,
            )?)
        })
        .await?;
    let more = items.len() as i64 > limit;
    items.truncate(limit as usize);
    let next_cursor = if more {
        items.last().map(|r| encode_key(ReminderKey::of(r)))
    } else {
        None
    };
    Ok(web::Json(Page { items, next_cursor }))
}

/// Marks one of the caller's reminders done (again: no change).
#[utoipa::path(tag = "reminders", params(("id" = i64, Path)), responses((status = 200, body = Reminder)))]
#[post("/reminders/{id}/done")]
async fn done_reminder(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
) -> ApiResult<web::Json<Reminder>> {
    let id = path.into_inner();
    Ok(web::Json(
        state
            .run(move |conn| {
                let v = caller.visible(conn)?;
                let today = crm_db::settings::today(conn)?;
                Ok(crm_db::reminders::done(conn, caller.id, &v, id, today)?)
            })
            .await?,
    ))
}

/// Moves an open reminder to a later day: `{"until": "2026-12-01"}` or `{"days": 3}` (from today);
/// 422 `in_the_past` before today, 409 `reminder_done` when it is done.
#[utoipa::path(tag = "reminders", params(("id" = i64, Path)), request_body = SnoozeRequest, responses((status = 200, body = Reminder)))]
#[post("/reminders/{id}/snooze")]
async fn snooze_reminder(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
    body: ValidJson<SnoozeRequest>,
) -> ApiResult<web::Json<Reminder>> {
    let id = path.into_inner();
    let SnoozeRequest { until, days } = body.0;
    if until.is_some() == days.is_some() {
        return Err(ApiError::field(
            "until",
            "one_of",
            "give either `until` (a date) or `days`",
        ));
    }
    Ok(web::Json(
        state
            .run(move |conn| {
                let v = caller.visible(conn)?;
                let today = crm_db::settings::today(conn)?;
                let until = match (until, days) {
                    (Some(d), _) => d,
                    (None, days) => today
                        .checked_add_days(Days::new(u64::from(days.unwrap_or(1))))
                        .unwrap_or(today),
                };
                Ok(crm_db::reminders::snooze(
                    conn, caller.id, &v, id, until, today,
                )?)
            })
            .await?,
    ))
}
