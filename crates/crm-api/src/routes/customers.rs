//! Customers (客户) and contacts (联系人). Every read goes through the caller's visibility; customer
//! protection tells anyone that a customer exists and who owns it, and nothing more.

use super::prelude::*;
use crm_db::customers;
use crm_domain::api::{
    AuditEntry, Contact, ContactPatch, Customer, CustomerFilters, CustomerPatch, CustomerQuery,
    DuplicateCheck, DuplicateQuery, GradeChange, LevelChange, NewContact, NewCustomer, Page,
    PageQuery, Pipeline, ReviewRequest,
};

pub fn configure(cfg: &mut ServiceConfig) {
    // Literal paths before `/customers/{id}`.
    cfg.service(check_duplicate)
        .service(pipeline)
        .service(list_customers)
        .service(create_customer)
        .service(get_customer)
        .service(update_customer)
        .service(delete_customer)
        .service(change_level)
        .service(change_grade)
        .service(review_customer)
        .service(customer_history)
        .service(list_contacts)
        .service(create_contact)
        .service(get_contact)
        .service(update_contact)
        .service(delete_contact);
}

/// Customers within the caller's scope, filtered, searched and sorted, a page at a time.
#[utoipa::path(tag = "customers", params(CustomerQuery), responses((status = 200, body = Page<Customer>)))]
#[get("/customers")]
async fn list_customers(
    caller: Caller<need::CustomerRead>,
    q: Query<CustomerQuery>,
) -> ApiResult<Json<Page<Customer>>> {
    caller
        .run(move |conn, actor| customers::list(conn, actor, &q))
        .await
        .map(Json)
}

/// Customers per level within the caller's scope, filtered like the list.
#[utoipa::path(tag = "customers", params(CustomerFilters), responses((status = 200, body = Pipeline)))]
#[get("/customers/pipeline")]
async fn pipeline(
    caller: Caller<need::CustomerRead>,
    q: Query<CustomerFilters>,
) -> ApiResult<Json<Pipeline>> {
    caller
        .run(move |conn, actor| customers::pipeline(conn, actor, &q))
        .await
        .map(Json)
}

/// Whether a customer with this name, phone or website exists, and who owns it. Anyone may ask;
/// the `id` comes only with customers the caller may see.
#[utoipa::path(tag = "customers", params(DuplicateQuery), responses((status = 200, body = DuplicateCheck)))]
#[get("/customers/check-duplicate")]
async fn check_duplicate(
    caller: Caller,
    q: Query<DuplicateQuery>,
) -> ApiResult<Json<DuplicateCheck>> {
    caller
        .run(move |conn, actor| customers::check_duplicates(conn, actor, &q))
        .await
        .map(Json)
}

/// Creates a customer (201). 409 `duplicate_customer` names the existing owner when the normalised
/// name, phone or website is taken. With review on, it waits as `pending`.
#[utoipa::path(tag = "customers", request_body = NewCustomer, responses((status = 201, body = Customer)))]
#[post("/customers")]
async fn create_customer(
    caller: Caller<need::CustomerCreate>,
    new: Json<NewCustomer>,
) -> ApiResult<Created<Customer>> {
    caller
        .run(move |conn, actor| customers::create(conn, actor, &new))
        .await
        .map(Created)
}

#[utoipa::path(tag = "customers", params(("id" = i64, Path)), responses((status = 200, body = Customer)))]
#[get("/customers/{id}")]
async fn get_customer(
    caller: Caller<need::CustomerRead>,
    id: Path<i64>,
) -> ApiResult<Json<Customer>> {
    caller
        .run(move |conn, actor| customers::get_with_pool_return(conn, actor, *id))
        .await
        .map(Json)
}

#[utoipa::path(tag = "customers", params(("id" = i64, Path)), request_body = CustomerPatch, responses((status = 200, body = Customer)))]
#[patch("/customers/{id}")]
async fn update_customer(
    caller: Caller<need::CustomerUpdate>,
    id: Path<i64>,
    patch: Json<CustomerPatch>,
) -> ApiResult<Json<Customer>> {
    caller
        .run(move |conn, actor| customers::update(conn, actor, *id, &patch))
        .await
        .map(Json)
}

/// Deletes a customer with its contacts and activities; 409 `customer_has_orders` when it has orders
/// (money history is kept: blacklist it instead).
#[utoipa::path(tag = "customers", params(("id" = i64, Path)), responses((status = 204, description = "deleted")))]
#[delete("/customers/{id}")]
async fn delete_customer(
    caller: Caller<need::CustomerDelete>,
    id: Path<i64>,
) -> ApiResult<NoContent> {
    caller
        .run(move |conn, actor| customers::delete(conn, actor, *id))
        .await
        .map(NoContent::from)
}

/// Moves a customer along the pipeline by hand, with a reason. Only holders of `customer.blacklist`
/// (managers) put a customer on the blacklist or take it off.
#[utoipa::path(tag = "customers", params(("id" = i64, Path)), request_body = LevelChange, responses((status = 200, body = Customer)))]
#[post("/customers/{id}/level")]
async fn change_level(
    caller: Caller<need::CustomerUpdate>,
    id: Path<i64>,
    change: Json<LevelChange>,
) -> ApiResult<Json<Customer>> {
    caller
        .run(move |conn, actor| customers::set_level(conn, actor, *id, &change))
        .await
        .map(Json)
}

/// A manager grades a signed customer (1–5) with a reason; `grade: null` returns to the grade its
/// signed total earns under the company's thresholds.
#[utoipa::path(tag = "customers", params(("id" = i64, Path)), request_body = GradeChange, responses((status = 200, body = Customer)))]
#[post("/customers/{id}/grade")]
async fn change_grade(
    caller: Caller<need::CustomerReview>,
    id: Path<i64>,
    change: Json<GradeChange>,
) -> ApiResult<Json<Customer>> {
    caller
        .run(move |conn, actor| customers::set_grade(conn, actor, *id, &change))
        .await
        .map(Json)
}

/// Approves or rejects a pending customer (managers above the owner).
#[utoipa::path(tag = "customers", params(("id" = i64, Path)), request_body = ReviewRequest, responses((status = 200, body = Customer)))]
#[post("/customers/{id}/review")]
async fn review_customer(
    caller: Caller<need::CustomerReview>,
    id: Path<i64>,
    decision: Json<ReviewRequest>,
) -> ApiResult<Json<Customer>> {
    caller
        .run(move |conn, actor| customers::review(conn, actor, *id, &decision))
        .await
        .map(Json)
}

/// Every change of the customer and its contacts: who, when, which fields, old and new, with the
/// names of the ids they mention.
#[utoipa::path(tag = "customers", params(("id" = i64, Path), PageQuery), responses((status = 200, body = Page<AuditEntry>)))]
#[get("/customers/{id}/history")]
async fn customer_history(
    caller: Caller<need::CustomerRead>,
    id: Path<i64>,
    q: Query<PageQuery>,
) -> ApiResult<Json<Page<AuditEntry>>> {
    caller
        .run(move |conn, actor| customers::history(conn, actor, *id, &q))
        .await
        .map(Json)
}

#[utoipa::path(tag = "customers", params(("id" = i64, Path)), responses((status = 200, body = Vec<Contact>)))]
#[get("/customers/{id}/contacts")]
async fn list_contacts(
    caller: Caller<need::CustomerRead>,
    id: Path<i64>,
) -> ApiResult<Json<Vec<Contact>>> {
    caller
        .run(move |conn, actor| customers::contacts_of(conn, actor, *id))
        .await
        .map(Json)
}

#[utoipa::path(tag = "customers", params(("id" = i64, Path)), request_body = NewContact, responses((status = 201, body = Contact)))]
#[post("/customers/{id}/contacts")]
async fn create_contact(
    caller: Caller<need::CustomerUpdate>,
    id: Path<i64>,
    new: Json<NewContact>,
) -> ApiResult<Created<Contact>> {
    caller
        .run(move |conn, actor| customers::create_contact(conn, actor, *id, &new))
        .await
        .map(Created)
}

#[utoipa::path(tag = "customers", params(("id" = i64, Path)), responses((status = 200, body = Contact)))]
#[get("/contacts/{id}")]
async fn get_contact(
    caller: Caller<need::CustomerRead>,
    id: Path<i64>,
) -> ApiResult<Json<Contact>> {
    caller
        .run(move |conn, actor| customers::get_contact(conn, actor, *id))
        .await
        .map(Json)
}

#[utoipa::path(tag = "customers", params(("id" = i64, Path)), request_body = ContactPatch, responses((status = 200, body = Contact)))]
#[patch("/contacts/{id}")]
async fn update_contact(
    caller: Caller<need::CustomerUpdate>,
    id: Path<i64>,
    patch: Json<ContactPatch>,
) -> ApiResult<Json<Contact>> {
    caller
        .run(move |conn, actor| customers::update_contact(conn, actor, *id, &patch))
        .await
        .map(Json)
}

#[utoipa::path(tag = "customers", params(("id" = i64, Path)), responses((status = 204, description = "deleted")))]
#[delete("/contacts/{id}")]
async fn delete_contact(
    caller: Caller<need::CustomerUpdate>,
    id: Path<i64>,
) -> ApiResult<NoContent> {
    caller
        .run(move |conn, actor| customers::delete_contact(conn, actor, *id))
        .await
        .map(NoContent::from)
}
