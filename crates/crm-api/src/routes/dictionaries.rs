//! Dictionaries (数据字典) by kind.

use crate::auth::Caller;
use crate::error::ApiResult;
use crate::extract::ValidJson;
use crate::state::AppState;
use actix_web::{HttpResponse, delete, get, patch, post, web};
use crm_domain::Permission;
use crm_domain::api::{DictionaryItem, DictionaryItemPatch, DictionaryKind, NewDictionaryItem};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_dictionary)
        .service(create_dictionary_item)
        .service(get_dictionary_item)
        .service(update_dictionary_item)
        .service(delete_dictionary_item);
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
struct DictQuery {
    /// Also list disabled entries (administrators).
    include_disabled: Option<bool>,
}

/// The entries of one dictionary, in display order. Everyone signed in may read them.
#[utoipa::path(tag = "system", params(("kind" = DictionaryKind, Path), DictQuery), responses((status = 200, body = Vec<DictionaryItem>)))]
#[get("/dictionaries/{kind}")]
async fn list_dictionary(
    state: web::Data<AppState>,
    _caller: Caller,
    path: web::Path<DictionaryKind>,
    query: web::Query<DictQuery>,
) -> ApiResult<web::Json<Vec<DictionaryItem>>> {
    let kind = path.into_inner();
    let all = query.include_disabled.unwrap_or(false);
    Ok(web::Json(
        state
            .run(move |conn| Ok(crm_db::dictionaries::list(conn, kind, all)?))
            .await?,
    ))
}

#[utoipa::path(tag = "system", params(("kind" = DictionaryKind, Path)), request_body = NewDictionaryItem, responses((status = 201, body = DictionaryItem)))]
#[post("/dictionaries/{kind}")]
async fn create_dictionary_item(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<DictionaryKind>,
    body: ValidJson<NewDictionaryItem>,
) -> ApiResult<HttpResponse> {
    caller.require(Permission::AdminDictionaries)?;
    let (kind, new) = (path.into_inner(), body.0);
    let item = state
        .run(move |conn| {
            Ok(crm_db::dictionaries::create(
                conn,
                Some(caller.id),
                kind,
                &new,
            )?)
        })
        .await?;
    Ok(HttpResponse::Created().json(item))
}

#[utoipa::path(tag = "system", params(("kind" = DictionaryKind, Path), ("id" = i64, Path)), responses((status = 200, body = DictionaryItem)))]
#[get("/dictionaries/{kind}/{id}")]
async fn get_dictionary_item(
    state: web::Data<AppState>,
    _caller: Caller,
    path: web::Path<(DictionaryKind, i64)>,
) -> ApiResult<web::Json<DictionaryItem>> {
    let (kind, id) = path.into_inner();
    Ok(web::Json(
        state
            .run(move |conn| Ok(crm_db::dictionaries::get(conn, kind, id)?))
            .await?,
    ))
}

/// Renames, reorders, or disables an entry (`enabled: false` keeps old records meaningful).
#[utoipa::path(tag = "system", params(("kind" = DictionaryKind, Path), ("id" = i64, Path)), request_body = DictionaryItemPatch, responses((status = 200, body = DictionaryItem)))]
#[patch("/dictionaries/{kind}/{id}")]
async fn update_dictionary_item(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(DictionaryKind, i64)>,
    body: ValidJson<DictionaryItemPatch>,
) -> ApiResult<web::Json<DictionaryItem>> {
    caller.require(Permission::AdminDictionaries)?;
    let ((kind, id), p) = (path.into_inner(), body.0);
    Ok(web::Json(
        state
            .run(move |conn| Ok(crm_db::dictionaries::update(conn, caller.id, kind, id, &p)?))
            .await?,
    ))
}

/// Deletes an unused entry (409 `dictionary_item_in_use` otherwise: disable it instead).
#[utoipa::path(tag = "system", params(("kind" = DictionaryKind, Path), ("id" = i64, Path)), responses((status = 204, description = "deleted")))]
#[delete("/dictionaries/{kind}/{id}")]
async fn delete_dictionary_item(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(DictionaryKind, i64)>,
) -> ApiResult<HttpResponse> {
    caller.require(Permission::AdminDictionaries)?;
    let (kind, id) = path.into_inner();
    state
        .run(move |conn| Ok(crm_db::dictionaries::delete(conn, caller.id, kind, id)?))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
