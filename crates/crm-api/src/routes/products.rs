//! Products (产品): everyone reads them; administrators manage them.

use super::prelude::*;
use crm_db::products;
use crm_domain::api::{ListQuery, NewProduct, Product, ProductPatch};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_products)
        .service(create_product)
        .service(get_product)
        .service(update_product)
        .service(delete_product);
}

/// Products by code.
#[utoipa::path(tag = "orders", params(ListQuery), responses((status = 200, body = Vec<Product>)))]
#[get("/products")]
async fn list_products(caller: Caller, q: Query<ListQuery>) -> ApiResult<Json<Vec<Product>>> {
    let all = q.include_disabled.unwrap_or(false);
    caller
        .run(move |conn, _| products::list(conn, all))
        .await
        .map(Json)
}

/// Creates a product (201); a renewable one needs `service_months`; codes are unique.
#[utoipa::path(tag = "orders", request_body = NewProduct, responses((status = 201, body = Product)))]
#[post("/products")]
async fn create_product(
    caller: Caller<need::ProductManage>,
    new: Json<NewProduct>,
) -> ApiResult<Created<Product>> {
    caller
        .run(move |conn, actor| products::create(conn, actor, &new))
        .await
        .map(Created)
}

#[utoipa::path(tag = "orders", params(("id" = i64, Path)), responses((status = 200, body = Product)))]
#[get("/products/{id}")]
async fn get_product(caller: Caller, id: Path<i64>) -> ApiResult<Json<Product>> {
    caller
        .run(move |conn, _| products::get(conn, *id))
        .await
        .map(Json)
}

#[utoipa::path(tag = "orders", params(("id" = i64, Path)), request_body = ProductPatch, responses((status = 200, body = Product)))]
#[patch("/products/{id}")]
async fn update_product(
    caller: Caller<need::ProductManage>,
    id: Path<i64>,
    patch: Json<ProductPatch>,
) -> ApiResult<Json<Product>> {
    caller
        .run(move |conn, actor| products::update(conn, actor, *id, &patch))
        .await
        .map(Json)
}

/// Deletes a product no order uses (409 `product_in_use`: disable it instead).
#[utoipa::path(tag = "orders", params(("id" = i64, Path)), responses((status = 204, description = "deleted")))]
#[delete("/products/{id}")]
async fn delete_product(
    caller: Caller<need::ProductManage>,
    id: Path<i64>,
) -> ApiResult<NoContent> {
    caller
        .run(move |conn, actor| products::delete(conn, actor, *id))
        .await
        .map(NoContent::from)
}
