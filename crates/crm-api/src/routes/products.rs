//! Products (产品): everyone signed in reads them; administrators (`product.manage`) manage them.

use crate::auth::Caller;
use crate::error::ApiResult;
use crate::extract::ValidJson;
use crate::state::AppState;
use actix_web::{HttpResponse, delete, get, patch, post, web};
use crm_domain::Permission;
use crm_domain::api::{NewProduct, Product, ProductPatch};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_products)
        .service(create_product)
        .service(get_product)
        .service(update_product)
        .service(delete_product);
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
struct ProductQuery {
    /// Also list disabled products.
    include_disabled: Option<bool>,
}

/// Products by code.
#[utoipa::path(tag = "orders", params(ProductQuery), responses((status = 200, body = Vec<Product>)))]
#[get("/products")]
async fn list_products(
    state: web::Data<AppState>,
    _caller: Caller,
    query: web::Query<ProductQuery>,
) -> ApiResult<web::Json<Vec<Product>>> {
    let all = query.include_disabled.unwrap_or(false);
    Ok(web::Json(
        state
            .run(move |conn| Ok(crm_db::products::list(conn, all)?))
            .await?,
    ))
}

/// Creates a product (201); a renewable one needs `service_months`; codes are unique.
#[utoipa::path(tag = "orders", request_body = NewProduct, responses((status = 201, body = Product)))]
#[post("/products")]
async fn create_product(
    state: web::Data<AppState>,
    caller: Caller,
    body: ValidJson<NewProduct>,
) -> ApiResult<HttpResponse> {
    caller.require(Permission::ProductManage)?;
    let new = body.0;
    let product = state
        .run(move |conn| Ok(crm_db::products::create(conn, caller.id, &new)?))
        .await?;
    Ok(HttpResponse::Created().json(product))
}

#[utoipa::path(tag = "orders", params(("id" = i64, Path)), responses((status = 200, body = Product)))]
#[get("/products/{id}")]
async fn get_product(
    state: web::Data<AppState>,
    _caller: Caller,
    path: web::Path<i64>,
) -> ApiResult<web::Json<Product>> {
    let id = path.into_inner();
    Ok(web::Json(
        state
            .run(move |conn| Ok(crm_db::products::get(conn, id)?))
            .await?,
    ))
}

#[utoipa::path(tag = "orders", params(("id" = i64, Path)), request_body = ProductPatch, responses((status = 200, body = Product)))]
#[patch("/products/{id}")]
async fn update_product(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
    body: ValidJson<ProductPatch>,
) -> ApiResult<web::Json<Product>> {
    caller.require(Permission::ProductManage)?;
    let (id, patch) = (path.into_inner(), body.0);
    Ok(web::Json(
        state
            .run(move |conn| Ok(crm_db::products::update(conn, caller.id, id, &patch)?))
            .await?,
    ))
}

/// Deletes a product no order uses (409 `product_in_use`: disable it instead).
#[utoipa::path(tag = "orders", params(("id" = i64, Path)), responses((status = 204, description = "deleted")))]
#[delete("/products/{id}")]
async fn delete_product(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    caller.require(Permission::ProductManage)?;
    let id = path.into_inner();
    state
        .run(move |conn| Ok(crm_db::products::delete(conn, caller.id, id)?))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
