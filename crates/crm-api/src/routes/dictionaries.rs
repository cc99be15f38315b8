//! Dictionaries (数据字典) by kind.

use super::prelude::*;
use crm_db::dictionaries;
use crm_domain::api::{
    DictionaryItem, DictionaryItemPatch, DictionaryKind, ListQuery, NewDictionaryItem,
};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_dictionary)
        .service(create_dictionary_item)
        .service(get_dictionary_item)
        .service(update_dictionary_item)
        .service(delete_dictionary_item);
}

/// The entries of one dictionary, in display order. Everyone signed in may read them.
#[utoipa::path(tag = "system", params(("kind" = DictionaryKind, Path), ListQuery), responses((status = 200, body = Vec<DictionaryItem>)))]
#[get("/dictionaries/{kind}")]
async fn list_dictionary(
    caller: Caller,
    kind: Path<DictionaryKind>,
    q: Query<ListQuery>,
) -> ApiResult<Json<Vec<DictionaryItem>>> {
    let all = q.include_disabled.unwrap_or(false);
    caller
        .run(move |conn, _| dictionaries::list(conn, *kind, all))
        .await
        .map(Json)
}

#[utoipa::path(tag = "system", params(("kind" = DictionaryKind, Path)), request_body = NewDictionaryItem, responses((status = 201, body = DictionaryItem)))]
#[post("/dictionaries/{kind}")]
async fn create_dictionary_item(
    caller: Caller<need::AdminDictionaries>,
    kind: Path<DictionaryKind>,
    new: Json<NewDictionaryItem>,
) -> ApiResult<Created<DictionaryItem>> {
    caller
        .run(move |conn, actor| dictionaries::create(conn, actor, *kind, &new))
        .await
        .map(Created)
}

#[utoipa::path(tag = "system", params(("kind" = DictionaryKind, Path), ("id" = i64, Path)), responses((status = 200, body = DictionaryItem)))]
#[get("/dictionaries/{kind}/{id}")]
async fn get_dictionary_item(
    caller: Caller,
    path: Path<(DictionaryKind, i64)>,
) -> ApiResult<Json<DictionaryItem>> {
    let (kind, id) = path.into_inner();
    caller
        .run(move |conn, _| dictionaries::get(conn, kind, id))
        .await
        .map(Json)
}

/// Renames, reorders, or disables an entry (`enabled: false` keeps old records meaningful).
#[utoipa::path(tag = "system", params(("kind" = DictionaryKind, Path), ("id" = i64, Path)), request_body = DictionaryItemPatch, responses((status = 200, body = DictionaryItem)))]
#[patch("/dictionaries/{kind}/{id}")]
async fn update_dictionary_item(
    caller: Caller<need::AdminDictionaries>,
    path: Path<(DictionaryKind, i64)>,
    patch: Json<DictionaryItemPatch>,
) -> ApiResult<Json<DictionaryItem>> {
    let (kind, id) = path.into_inner();
    caller
        .run(move |conn, actor| dictionaries::update(conn, actor, kind, id, &patch))
        .await
        .map(Json)
}

/// Deletes an unused entry (409 `dictionary_item_in_use` otherwise: disable it instead).
#[utoipa::path(tag = "system", params(("kind" = DictionaryKind, Path), ("id" = i64, Path)), responses((status = 204, description = "deleted")))]
#[delete("/dictionaries/{kind}/{id}")]
async fn delete_dictionary_item(
    caller: Caller<need::AdminDictionaries>,
    path: Path<(DictionaryKind, i64)>,
) -> ApiResult<NoContent> {
    let (kind, id) = path.into_inner();
    caller
        .run(move |conn, actor| dictionaries::delete(conn, actor, kind, id))
        .await
        .map(NoContent::from)
}
