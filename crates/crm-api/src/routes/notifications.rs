//! Notifications (通知): the caller's own, newest first; the bell's unread count; reading them.

use super::prelude::*;
use crm_db::notifications;
use crm_domain::api::{Notification, NotificationQuery, Page, UnreadCount};

pub fn configure(cfg: &mut ServiceConfig) {
    // Literal paths before `/notifications/{id}/read`.
    cfg.service(list_notifications)
        .service(unread_count)
        .service(read_all)
        .service(read_notification);
}

/// The caller's notifications, newest first.
#[utoipa::path(tag = "notifications", params(NotificationQuery), responses((status = 200, body = Page<Notification>)))]
#[get("/notifications")]
async fn list_notifications(
    caller: Caller,
    q: Query<NotificationQuery>,
) -> ApiResult<Json<Page<Notification>>> {
    caller
        .run(move |conn, actor| notifications::list(conn, actor, &q))
        .await
        .map(Json)
}

/// How many unread notifications the caller has (counted up to 100).
#[utoipa::path(tag = "notifications", responses((status = 200, body = UnreadCount)))]
#[get("/notifications/unread-count")]
async fn unread_count(caller: Caller) -> ApiResult<Json<UnreadCount>> {
    caller.run(notifications::unread_count).await.map(Json)
}

/// Marks every notification of the caller read; answers how many were unread.
#[utoipa::path(tag = "notifications", responses((status = 200, body = UnreadCount)))]
#[post("/notifications/read-all")]
async fn read_all(caller: Caller) -> ApiResult<Json<UnreadCount>> {
    caller.run(notifications::mark_all_read).await.map(Json)
}

/// Marks one of the caller's notifications read.
#[utoipa::path(tag = "notifications", params(("id" = i64, Path)), responses((status = 200, body = Notification)))]
#[post("/notifications/{id}/read")]
async fn read_notification(caller: Caller, id: Path<i64>) -> ApiResult<Json<Notification>> {
    caller
        .run(move |conn, actor| notifications::mark_read(conn, actor, *id))
        .await
        .map(Json)
}
