//! The audit log viewer.

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::pagination::PageRequest;
use crate::state::AppState;
use actix_web::{get, web};
use chrono::{DateTime, Utc};
use crm_db::audit::AuditFilter;
use crm_domain::Permission;
use crm_domain::api::{AuditEntry, Page};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_audit_log);
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
struct AuditQuery {
    /// e.g. `user`, `department`, `role`, `settings`, `dictionary.industry`.
    #[param(max_length = 64)]
    entity: Option<String>,
    entity_id: Option<i64>,
    user_id: Option<i64>,
    /// From this instant (inclusive, RFC 3339).
    from: Option<DateTime<Utc>>,
    /// Until this instant (exclusive, RFC 3339).
    to: Option<DateTime<Utc>>,
    #[param(minimum = 1, maximum = 200)]
    limit: Option<i64>,
    cursor: Option<String>,
}

/// Newest first.
#[utoipa::path(tag = "system", params(AuditQuery), responses((status = 200, body = Page<AuditEntry>)))]
#[get("/audit-log")]
async fn list_audit_log(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<AuditQuery>,
) -> ApiResult<web::Json<Page<AuditEntry>>> {
    caller.require(Permission::AdminAudit)?;
    let q = query.into_inner();
    if q.entity.as_ref().is_some_and(|e| e.chars().count() > 64) {
        return Err(ApiError::BadRequest {
            code: "invalid_query",
            detail: "entity is longer than 64 characters".into(),
        });
    }
    let page = PageRequest::parse(q.limit, q.cursor.as_deref())?;
    let filter = AuditFilter {
        customer_id: None,
        entity: q.entity,
        entity_id: q.entity_id,
        user_id: q.user_id,
        from: q.from.map(|t| t.naive_utc()),
        to: q.to.map(|t| t.naive_utc()),
        before_id: page.after,
        limit: page.fetch(),
    };
    let items = state
        .run(move |conn| Ok(crm_db::audit::list(conn, &filter)?))
        .await?;
    Ok(web::Json(page.page(items, |e| e.id)))
}
