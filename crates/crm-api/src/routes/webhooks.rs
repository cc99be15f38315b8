//! Webhooks (集成推送): administrators register endpoints and read their delivery log.

use super::prelude::*;
use crate::webhooks::{check_url, new_secret};
use crm_db::webhooks;
use crm_domain::api::{
    NewWebhook, Page, PageQuery, Webhook, WebhookDelivery, WebhookPatch, WebhookUpdated,
    WebhookWithSecret,
};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_webhooks)
        .service(create_webhook)
        .service(get_webhook)
        .service(update_webhook)
        .service(delete_webhook)
        .service(list_deliveries)
        .service(redeliver);
}

/// Whether the company lets webhooks call private networks.
async fn private_allowed(caller: &Caller<need::AdminSettings>) -> ApiResult<bool> {
    caller
        .run(|conn, _| {
            crm_db::settings::get(conn).map(|s| s.settings.webhooks_allow_private_network)
        })
        .await
}

/// The registered endpoints.
#[utoipa::path(tag = "webhooks", responses((status = 200, body = Vec<Webhook>)))]
#[get("/webhooks")]
async fn list_webhooks(caller: Caller<need::AdminSettings>) -> ApiResult<Json<Vec<Webhook>>> {
    caller.run(|conn, _| webhooks::list(conn)).await.map(Json)
}

/// Registers an endpoint for the events given; answers its secret, this once (a random one when
/// none is given). 422 `webhook_url_not_allowed` for a URL that is not `http(s)`, does not
/// resolve, or points at a loopback or private address (unless `webhooks_allow_private_network`).
#[utoipa::path(tag = "webhooks", request_body = NewWebhook, responses((status = 201, body = WebhookWithSecret)))]
#[post("/webhooks")]
async fn create_webhook(
    caller: Caller<need::AdminSettings>,
    new: Json<NewWebhook>,
) -> ApiResult<Created<WebhookWithSecret>> {
    check_url(&new.url, private_allowed(&caller).await?).await?;
    let secret = new.secret.clone().unwrap_or_else(new_secret);
    caller
        .run(move |conn, actor| webhooks::create(conn, actor, &new, &secret))
        .await
        .map(Created)
}

#[utoipa::path(tag = "webhooks", params(("id" = i64, Path)), responses((status = 200, body = Webhook)))]
#[get("/webhooks/{id}")]
async fn get_webhook(
    caller: Caller<need::AdminSettings>,
    id: Path<i64>,
) -> ApiResult<Json<Webhook>> {
    caller
        .run(move |conn, _| webhooks::get(conn, *id))
        .await
        .map(Json)
}

/// Changes an endpoint (its URL checked as on registration); `rotate_secret: true` answers a new
/// secret, this once.
#[utoipa::path(tag = "webhooks", params(("id" = i64, Path)), request_body = WebhookPatch, responses((status = 200, body = WebhookUpdated)))]
#[patch("/webhooks/{id}")]
async fn update_webhook(
    caller: Caller<need::AdminSettings>,
    id: Path<i64>,
    patch: Json<WebhookPatch>,
) -> ApiResult<Json<WebhookUpdated>> {
    if let Some(url) = &patch.url {
        check_url(url, private_allowed(&caller).await?).await?;
    }
    let secret = patch.rotate_secret.then(new_secret);
    caller
        .run(move |conn, actor| webhooks::update(conn, actor, *id, &patch, secret.as_deref()))
        .await
        .map(|(webhook, secret)| Json(WebhookUpdated { webhook, secret }))
}

/// Removes an endpoint and its delivery log; nothing more is sent to it.
#[utoipa::path(tag = "webhooks", params(("id" = i64, Path)), responses((status = 204)))]
#[delete("/webhooks/{id}")]
async fn delete_webhook(
    caller: Caller<need::AdminSettings>,
    id: Path<i64>,
) -> ApiResult<NoContent> {
    caller
        .run(move |conn, actor| webhooks::delete(conn, actor, *id))
        .await
        .map(|()| NoContent)
}

/// The endpoint's deliveries, newest first: the event, the status (`pending`, `delivered`,
/// `failed`), the next retry, and every attempt with its HTTP status and latency.
#[utoipa::path(tag = "webhooks", params(("id" = i64, Path), PageQuery), responses((status = 200, body = Page<WebhookDelivery>)))]
#[get("/webhooks/{id}/deliveries")]
async fn list_deliveries(
    caller: Caller<need::AdminSettings>,
    id: Path<i64>,
    q: Query<PageQuery>,
) -> ApiResult<Json<Page<WebhookDelivery>>> {
    caller
        .run(move |conn, _| webhooks::deliveries(conn, *id, &q))
        .await
        .map(Json)
}

/// Sends a delivery again (now, then with retries for another 24 hours), whatever its status.
#[utoipa::path(tag = "webhooks", params(("id" = i64, Path), ("delivery_id" = i64, Path)), responses((status = 200, body = WebhookDelivery)))]
#[post("/webhooks/{id}/deliveries/{delivery_id}/redeliver")]
async fn redeliver(
    caller: Caller<need::AdminSettings>,
    path: Path<(i64, i64)>,
) -> ApiResult<Json<WebhookDelivery>> {
    let (id, delivery) = *path;
    caller
        .run(move |conn, actor| webhooks::redeliver(conn, actor, id, delivery))
        .await
        .map(Json)
}
