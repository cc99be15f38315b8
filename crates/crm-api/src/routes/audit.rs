//! The audit log (审计日志) for administrators.

use super::prelude::*;
use crm_domain::api::{AuditEntry, AuditQuery, Page};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_audit_log);
}

/// Newest first, with the names of the ids each change mentions.
#[utoipa::path(tag = "system", params(AuditQuery), responses((status = 200, body = Page<AuditEntry>)))]
#[get("/audit-log")]
async fn list_audit_log(
    caller: Caller<need::AdminAudit>,
    q: Query<AuditQuery>,
) -> ApiResult<Json<Page<AuditEntry>>> {
    caller
        .run(move |conn, actor| crm_db::audit::page(conn, actor, &q))
        .await
        .map(Json)
}
