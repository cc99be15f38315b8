//! Customers (客户) and contacts (联系人). Every read goes through the caller's visibility; customer
//! protection tells anyone that a customer exists and who owns it, and nothing more.

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::extract::ValidJson;
use crate::pagination::{decode_value, encode_value, limit};
use crate::state::AppState;
use actix_web::{HttpResponse, delete, get, patch, post, web};
use chrono::NaiveDateTime;
use crm_db::customers::{After, CustomerFilter, Keys, SortKey};
use crm_domain::Permission;
use crm_domain::api::{
    AuditEntry, Contact, ContactPatch, Customer, CustomerPatch, CustomerType, DuplicateCheck,
    GradeChange, LevelChange, NewContact, NewCustomer, Page, Pipeline, ReviewDecision,
    ReviewRequest, ReviewStatus,
};
use crm_domain::customer::{CustomerLevel, grade_for};
use serde::Deserialize;
use serde_json::json;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

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

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
struct CustomerQuery {
    level: Option<CustomerLevel>,
    #[serde(rename = "type")]
    #[param(rename = "type")]
    type_: Option<CustomerType>,
    #[param(minimum = 1, maximum = 5)]
    grade: Option<i16>,
    industry_id: Option<i64>,
    /// A province includes its cities.
    region_id: Option<i64>,
    owner_id: Option<i64>,
    /// The owner's department.
    department_id: Option<i64>,
    review_status: Option<ReviewStatus>,
    /// Not contacted in this many days (never contacted included).
    #[param(minimum = 1, maximum = 3650)]
    not_contacted_days: Option<u32>,
    /// Part of the name, short name, phone or a contact's name.
    #[param(max_length = 100)]
    q: Option<String>,
    /// `name`, `created`, `updated`, `last_contact`; a leading `-` sorts descending. Default `-updated`.
    #[param(pattern = r"^-?(name|created|updated|last_contact)$")]
    sort: Option<String>,
    #[param(minimum = 1, maximum = 200)]
    limit: Option<i64>,
    cursor: Option<String>,
}

fn parse_sort(sort: Option<&str>) -> ApiResult<(SortKey, bool)> {
    let text = sort.unwrap_or("-updated");
    let (descending, name) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let key = match name {
        "name" => SortKey::Name,
        "created" => SortKey::Created,
        "updated" => SortKey::Updated,
        "last_contact" => SortKey::LastContact,
        _ => {
            return Err(ApiError::BadRequest {
                code: "invalid_query",
                detail:
                    "sort is one of name, created, updated, last_contact (with - for descending)"
                        .into(),
            });
        }
    };
    Ok((key, descending))
}

fn filter_of(q: CustomerQuery) -> ApiResult<CustomerFilter> {
    if q.q.as_ref().is_some_and(|t| t.chars().count() > 100) {
        return Err(ApiError::BadRequest {
            code: "invalid_query",
            detail: "q is longer than 100 characters".into(),
        });
    }
    if q.grade.is_some_and(|g| !(1..=5).contains(&g)) {
        return Err(ApiError::BadRequest {
            code: "invalid_query",
            detail: "grade is 1 to 5".into(),
        });
    }
    let (sort, descending) = parse_sort(q.sort.as_deref())?;
    let after = match q.cursor.as_deref().filter(|c| !c.is_empty()) {
        None => None,
        Some(c) => Some(decode_after(&decode_value(c)?, sort, descending)?),
    };
    Ok(CustomerFilter {
        level: q.level,
        type_: q.type_,
        grade: q.grade,
        industry_id: q.industry_id,
        region_id: q.region_id,
        owner_id: q.owner_id,
        department_id: q.department_id,
        review_status: q.review_status,
        not_contacted_since: match q.not_contacted_days {
            None => None,
            Some(days @ 1..=3650) => {
                Some((chrono::Utc::now() - chrono::Duration::days(i64::from(days))).naive_utc())
            }
            Some(_) => {
                return Err(ApiError::BadRequest {
                    code: "invalid_query",
                    detail: "not_contacted_days is between 1 and 3650".into(),
                });
            }
        },
        q: q.q,
        sort,
        descending,
        after,
        limit: limit(q.limit)? + 1,
    })
}

const TIME_FORMAT: &str = "%Y-%m-%dT%H:%M:%S%.6f";

fn encode_after(after: &After, sort: SortKey, descending: bool) -> String {
    let tag = format!("{sort:?}{}", if descending { "-" } else { "+" });
    let value = match after {
        After::Text(v, id) => json!({"s": tag, "v": v, "id": id}),
        After::Time(t, id) => json!({"s": tag, "v": t.format(TIME_FORMAT).to_string(), "id": id}),
    };
    encode_value(&value)
}

fn decode_after(value: &serde_json::Value, sort: SortKey, descending: bool) -> ApiResult<After> {
    let bad = || ApiError::BadRequest {
        code: "invalid_cursor",
        detail: "the cursor belongs to another sort".into(),
    };
    let tag = format!("{sort:?}{}", if descending { "-" } else { "+" });
    if value["s"].as_str() != Some(tag.as_str()) {
        return Err(bad());
    }
    let id = value["id"].as_i64().ok_or_else(bad)?;
    let v = value["v"].as_str().ok_or_else(bad)?;
    Ok(match sort {
        SortKey::Name => After::Text(v.to_string(), id),
        _ => After::Time(
            NaiveDateTime::parse_from_str(v, TIME_FORMAT).map_err(|_| bad())?,
            id,
        ),
    })
}

/// Customers within the caller's scope, filtered, searched and sorted, a page at a time.
#[utoipa::path(tag = "customers", params(CustomerQuery), responses((status = 200, body = Page<Customer>)))]
#[get("/customers")]
async fn list_customers(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<CustomerQuery>,
) -> ApiResult<web::Json<Page<Customer>>> {
    caller.require(Permission::CustomerRead)?;
    let filter = filter_of(query.into_inner())?;
    let (sort, descending, limit) = (filter.sort, filter.descending, filter.limit - 1);
    let mut items = state
        .run(move |conn| {
            let v = caller.visible(conn)?;
            Ok(crm_db::customers::list(conn, &v, &filter)?)
        })
        .await?;
    let more = items.len() as i64 > limit;
    items.truncate(limit as usize);
    let next_cursor = if more {
        items
            .last()
            .map(|last| encode_after(&crm_db::customers::sort_value(last, sort), sort, descending))
    } else {
        None
    };
    Ok(web::Json(Page { items, next_cursor }))
}

/// Customers per level within the caller's scope, filtered like the list (the level filter aside).
#[utoipa::path(tag = "customers", params(CustomerQuery), responses((status = 200, body = Pipeline)))]
#[get("/customers/pipeline")]
async fn pipeline(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<CustomerQuery>,
) -> ApiResult<web::Json<Pipeline>> {
    caller.require(Permission::CustomerRead)?;
    let filter = filter_of(query.into_inner())?;
    let levels = state
        .run(move |conn| {
            let v = caller.visible(conn)?;
            Ok(crm_db::customers::pipeline(conn, &v, &filter)?)
        })
        .await?;
    Ok(web::Json(Pipeline { levels }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
struct DuplicateQuery {
    #[param(max_length = 100)]
    name: Option<String>,
    #[param(max_length = 40)]
    phone: Option<String>,
    #[param(max_length = 200)]
    website: Option<String>,
    /// Leave this customer out (the one being edited).
    except_id: Option<i64>,
}

/// Whether a customer with this name, phone or website exists, and who owns it. Anyone may ask;
/// the `id` comes only with customers the caller may see.
#[utoipa::path(tag = "customers", params(DuplicateQuery), responses((status = 200, body = DuplicateCheck)))]
#[get("/customers/check-duplicate")]
async fn check_duplicate(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<DuplicateQuery>,
) -> ApiResult<web::Json<DuplicateCheck>> {
    let q = query.into_inner();
    let too_long = |v: &Option<String>, n: usize| v.as_ref().is_some_and(|s| s.chars().count() > n);
    if too_long(&q.name, 100) || too_long(&q.phone, 40) || too_long(&q.website, 200) {
        return Err(ApiError::BadRequest {
            code: "invalid_query",
            detail: "a value is too long".into(),
        });
    }
    let keys = Keys::of(
        q.name.as_deref().unwrap_or(""),
        q.phone.as_deref(),
        q.website.as_deref(),
    );
    let q_except = q.except_id;
    let matches = state
        .run(move |conn| {
            let v = caller.visible(conn)?;
            Ok(crm_db::customers::find_duplicates(
                conn, &v, &keys, q_except,
            )?)
        })
        .await?;
    Ok(web::Json(DuplicateCheck { matches }))
}

/// Creates a customer (201). 409 `duplicate_customer` names the existing owner when the normalised
/// name, phone or website is taken. With review on, it waits as `pending`.
#[utoipa::path(tag = "customers", request_body = NewCustomer, responses((status = 201, body = Customer)))]
#[post("/customers")]
async fn create_customer(
    state: web::Data<AppState>,
    caller: Caller,
    body: ValidJson<NewCustomer>,
) -> ApiResult<HttpResponse> {
    caller.require(Permission::CustomerCreate)?;
    let new = body.0;
    let customer = state
        .run(move |conn| {
            let v = caller.visible(conn)?;
            let owner = new.owner_id.unwrap_or(caller.id);
            if !v.sees(owner) {
                return Err(ApiError::field(
                    "owner_id",
                    "out_of_scope",
                    "the owner must be someone within your scope",
                ));
            }
            let review = if crm_db::settings::get(conn)?.settings.review_new_customers {
                ReviewStatus::Pending
            } else {
                ReviewStatus::Approved
            };
            Ok(crm_db::customers::create(
                conn, caller.id, &v, &new, owner, review,
            )?)
        })
        .await?;
    Ok(HttpResponse::Created().json(customer))
}

#[utoipa::path(tag = "customers", params(("id" = i64, Path)), responses((status = 200, body = Customer)))]
#[get("/customers/{id}")]
async fn get_customer(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
) -> ApiResult<web::Json<Customer>> {
    caller.require(Permission::CustomerRead)?;
    let id = path.into_inner();
    Ok(web::Json(
        state
            .run(move |conn| {
                let v = caller.visible(conn)?;
                Ok(crm_db::customers::get(conn, &v, id)?)
            })
            .await?,
    ))
}

#[utoipa::path(tag = "customers", params(("id" = i64, Path)), request_body = CustomerPatch, responses((status = 200, body = Customer)))]
#[patch("/customers/{id}")]
async fn update_customer(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
    body: ValidJson<CustomerPatch>,
) -> ApiResult<web::Json<Customer>> {
    caller.require(Permission::CustomerUpdate)?;
    let (id, p) = (path.into_inner(), body.0);
    Ok(web::Json(
        state
            .run(move |conn| {
                let v = caller.visible(conn)?;
                let review = crm_db::settings::get(conn)?.settings.review_new_customers;
                Ok(crm_db::customers::update(
                    conn, caller.id, &v, id, &p, review,
                )?)
            })
            .await?,
    ))
}

/// Deletes a customer with its contacts and activities; 409 `customer_has_orders` when it has orders
/// (money history is kept: blacklist it instead).
#[utoipa::path(tag = "customers", params(("id" = i64, Path)), responses((status = 204, description = "deleted")))]
#[delete("/customers/{id}")]
async fn delete_customer(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    caller.require(Permission::CustomerDelete)?;
    let id = path.into_inner();
    state
        .run(move |conn| {
            let v = caller.visible(conn)?;
            Ok(crm_db::customers::delete(conn, caller.id, &v, id)?)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Moves a customer along the pipeline by hand, with a reason. Only holders of `customer.blacklist`
/// (managers) put a customer on the blacklist or take it off.
#[utoipa::path(tag = "customers", params(("id" = i64, Path)), request_body = LevelChange, responses((status = 200, body = Customer)))]
#[post("/customers/{id}/level")]
async fn change_level(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
    body: ValidJson<LevelChange>,
) -> ApiResult<web::Json<Customer>> {
    caller.require(Permission::CustomerUpdate)?;
    let (id, change) = (path.into_inner(), body.0);
    Ok(web::Json(
        state
            .run(move |conn| {
                let v = caller.visible(conn)?;
                let current = crm_db::customers::get(conn, &v, id)?;
                let touches_blacklist = change.level == CustomerLevel::Blacklisted
                    || current.level == CustomerLevel::Blacklisted;
                if touches_blacklist && current.level != change.level {
                    caller.require(Permission::CustomerBlacklist)?;
                }
                Ok(crm_db::customers::set_level(
                    conn,
                    caller.id,
                    &v,
                    id,
                    change.level,
                    change.reason.trim(),
                )?)
            })
            .await?,
    ))
}

/// A manager grades a signed customer (1–5) with a reason; `grade: null` returns to the grade its
/// signed total earns under the company's thresholds.
#[utoipa::path(tag = "customers", params(("id" = i64, Path)), request_body = GradeChange, responses((status = 200, body = Customer)))]
#[post("/customers/{id}/grade")]
async fn change_grade(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
    body: ValidJson<GradeChange>,
) -> ApiResult<web::Json<Customer>> {
    caller.require(Permission::CustomerReview)?;
    let (id, change) = (path.into_inner(), body.0);
    Ok(web::Json(
        state
            .run(move |conn| {
                let v = caller.visible(conn)?;
                let current = crm_db::customers::get(conn, &v, id)?;
                let thresholds = crm_db::settings::get(conn)?.settings.grade_thresholds;
                let automatic = grade_for(current.signed_total, &thresholds) as i16;
                Ok(crm_db::customers::set_grade(
                    conn,
                    caller.id,
                    &v,
                    id,
                    change.grade,
                    Some(automatic),
                    change.reason.trim(),
                )?)
            })
            .await?,
    ))
}

/// Approves or rejects a pending customer (managers above the owner).
#[utoipa::path(tag = "customers", params(("id" = i64, Path)), request_body = ReviewRequest, responses((status = 200, body = Customer)))]
#[post("/customers/{id}/review")]
async fn review_customer(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
    body: ValidJson<ReviewRequest>,
) -> ApiResult<web::Json<Customer>> {
    caller.require(Permission::CustomerReview)?;
    let (id, r) = (path.into_inner(), body.0);
    Ok(web::Json(
        state
            .run(move |conn| {
                let v = caller.visible(conn)?;
                let approve = r.decision == ReviewDecision::Approve;
                Ok(crm_db::customers::review(
                    conn,
                    caller.id,
                    &v,
                    id,
                    approve,
                    r.comment.trim(),
                )?)
            })
            .await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
struct HistoryQuery {
    #[param(minimum = 1, maximum = 200)]
    limit: Option<i64>,
    cursor: Option<String>,
}

/// Every change of the customer and its contacts: who, when, which fields, old and new.
#[utoipa::path(tag = "customers", params(("id" = i64, Path), HistoryQuery), responses((status = 200, body = Page<AuditEntry>)))]
#[get("/customers/{id}/history")]
async fn customer_history(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
    query: web::Query<HistoryQuery>,
) -> ApiResult<web::Json<Page<AuditEntry>>> {
    caller.require(Permission::CustomerRead)?;
    let id = path.into_inner();
    let page = crate::pagination::PageRequest::parse(query.limit, query.cursor.as_deref())?;
    let filter = crm_db::audit::AuditFilter {
        customer_id: Some(id),
        before_id: page.after,
        limit: page.fetch(),
        ..Default::default()
    };
    let items = state
        .run(move |conn| {
            let v = caller.visible(conn)?;
            crm_db::customers::get(conn, &v, id)?;
            Ok(crm_db::audit::list(conn, &filter)?)
        })
        .await?;
    Ok(web::Json(page.page(items, |e| e.id)))
}

#[utoipa::path(tag = "customers", params(("id" = i64, Path)), responses((status = 200, body = Vec<Contact>)))]
#[get("/customers/{id}/contacts")]
async fn list_contacts(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
) -> ApiResult<web::Json<Vec<Contact>>> {
    caller.require(Permission::CustomerRead)?;
    let id = path.into_inner();
    Ok(web::Json(
        state
            .run(move |conn| {
                let v = caller.visible(conn)?;
                Ok(crm_db::customers::contacts_of(conn, &v, id)?)
            })
            .await?,
    ))
}

#[utoipa::path(tag = "customers", params(("id" = i64, Path)), request_body = NewContact, responses((status = 201, body = Contact)))]
#[post("/customers/{id}/contacts")]
async fn create_contact(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
    body: ValidJson<NewContact>,
) -> ApiResult<HttpResponse> {
    caller.require(Permission::CustomerUpdate)?;
    let (id, new) = (path.into_inner(), body.0);
    let contact = state
        .run(move |conn| {
            let v = caller.visible(conn)?;
            Ok(crm_db::customers::create_contact(
                conn, caller.id, &v, id, &new,
            )?)
        })
        .await?;
    Ok(HttpResponse::Created().json(contact))
}

#[utoipa::path(tag = "customers", params(("id" = i64, Path)), responses((status = 200, body = Contact)))]
#[get("/contacts/{id}")]
async fn get_contact(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
) -> ApiResult<web::Json<Contact>> {
    caller.require(Permission::CustomerRead)?;
    let id = path.into_inner();
    Ok(web::Json(
        state
            .run(move |conn| {
                let v = caller.visible(conn)?;
                Ok(crm_db::customers::get_contact(conn, &v, id)?)
            })
            .await?,
    ))
}

#[utoipa::path(tag = "customers", params(("id" = i64, Path)), request_body = ContactPatch, responses((status = 200, body = Contact)))]
#[patch("/contacts/{id}")]
async fn update_contact(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
    body: ValidJson<ContactPatch>,
) -> ApiResult<web::Json<Contact>> {
    caller.require(Permission::CustomerUpdate)?;
    let (id, p) = (path.into_inner(), body.0);
    Ok(web::Json(
        state
            .run(move |conn| {
                let v = caller.visible(conn)?;
                Ok(crm_db::customers::update_contact(
                    conn, caller.id, &v, id, &p,
                )?)
            })
            .await?,
    ))
}

#[utoipa::path(tag = "customers", params(("id" = i64, Path)), responses((status = 204, description = "deleted")))]
#[delete("/contacts/{id}")]
async fn delete_contact(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    caller.require(Permission::CustomerUpdate)?;
    let id = path.into_inner();
    state
        .run(move |conn| {
            let v = caller.visible(conn)?;
            Ok(crm_db::customers::delete_contact(conn, caller.id, &v, id)?)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
