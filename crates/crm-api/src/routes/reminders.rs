//! Reminders (提醒): the caller's own next steps, by day; done and snooze.

use super::prelude::*;
use crm_db::reminders;
use crm_domain::api::{Page, Reminder, ReminderQuery, SnoozeRequest};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_reminders)
        .service(done_reminder)
        .service(snooze_reminder);
}

/// The caller's reminders on customers they see. `overdue` is decided on the company's calendar.
#[utoipa::path(tag = "reminders", params(ReminderQuery), responses((status = 200, body = Page<Reminder>)))]
#[get("/reminders")]
async fn list_reminders(
    caller: Caller,
    q: Query<ReminderQuery>,
) -> ApiResult<Json<Page<Reminder>>> {
    caller
        .run(move |conn, actor| reminders::list(conn, actor, &q))
        .await
        .map(Json)
}

/// Marks one of the caller's reminders done (again: no change).
#[utoipa::path(tag = "reminders", params(("id" = i64, Path)), responses((status = 200, body = Reminder)))]
#[post("/reminders/{id}/done")]
async fn done_reminder(caller: Caller, id: Path<i64>) -> ApiResult<Json<Reminder>> {
    caller
        .run(move |conn, actor| reminders::done(conn, actor, *id))
        .await
        .map(Json)
}

/// Moves an open reminder to a later day: `{"until": "2026-12-01"}` or `{"days": 3}` (from today);
/// 422 `in_the_past` before today, 409 `reminder_done` when it is done.
#[utoipa::path(tag = "reminders", params(("id" = i64, Path)), request_body = SnoozeRequest, responses((status = 200, body = Reminder)))]
#[post("/reminders/{id}/snooze")]
async fn snooze_reminder(
    caller: Caller,
    id: Path<i64>,
    req: Json<SnoozeRequest>,
) -> ApiResult<Json<Reminder>> {
    caller
        .run(move |conn, actor| reminders::snooze(conn, actor, *id, &req))
        .await
        .map(Json)
}
