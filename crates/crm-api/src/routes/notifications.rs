//! Notifications (通知): the caller's own, newest first, with an unread count for the bell.

use crate::auth::Caller;
use crate::error::ApiResult;
use crate::pagination::PageRequest;
use crate::state::AppState;
use actix_web::{get, post, web};
use crm_domain::api::{Notification, Page, UnreadCount};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_notifications)
        .service(unread_count)
        .service(read_all)
        .service(read_notification);
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
struct NotificationQuery {
    /// Only unread ones.
    unread: Option<bool>,
    #[param(minimum = 1, maximum = 200)]
    limit: Option<i64>,
    cursor: Option<String>,
}

/// The caller's notifications, newest first.
#[utoipa::path(tag = "notifications", params(NotificationQuery), responses((status = 200, body = Page<Notification>)))]
#[get("/notifications")]
async fn list_notifications(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<NotificationQuery>,
) -> ApiResult<web::Json<Page<Notification>>> {
    let q = query.into_inner();
    let page = PageRequest::parse(q.limit, q.cursor.as_deref())?;
    let (after, fetch, unread) = (page.after, page.fetch(), q.unread.unwrap_or(false));
    let items = state
        .run(move |conn| {
            Ok(crm_db::notifications::list(
                conn, caller.id, unread, after, fetch,
            )?)
        })
        .await?;
    Ok(web::Json(page.page(items, |n| n.id)))
}

/// How many unread notifications the caller has (counted up to 100).
#[utoipa::path(tag = "notifications", responses((status = 200, body = UnreadCount)))]
#[get("/notifications/unread-count")]
async fn unread_count(
    state: web::Data<AppState>,
    caller: Caller,
) -> ApiResult<web::Json<UnreadCount>> {
    let count = state
        .run(move |conn| Ok(crm_db::notifications::unread_count(conn, caller.id, 100)?))
        .await?;
    Ok(web::Json(UnreadCount { count }))
}

/// Marks every notification of the caller read; answers how many were unread.
#[utoipa::path(tag = "notifications", responses((status = 200, body = UnreadCount)))]
#[post("/notifications/read-all")]
async fn read_all(state: web::Data<AppState>, caller: Caller) -> ApiResult<web::Json<UnreadCount>> {
    let count = state
        .run(move |conn| Ok(crm_db::notifications::mark_all_read(conn, caller.id)?))
        .await?;
    Ok(web::Json(UnreadCount { count }))
}

/// Marks one of the caller's notifications read.
#[utoipa::path(tag = "notifications", params(("id" = i64, Path)), responses((status = 200, body = Notification)))]
#[post("/notifications/{id}/read")]
async fn read_notification(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
) -> ApiResult<web::Json<Notification>> {
    let id = path.into_inner();
    Ok(web::Json(
        state
            .run(move |conn| Ok(crm_db::notifications::mark_read(conn, caller.id, id)?))
            .await?,
    ))
}
