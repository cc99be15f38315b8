//! The renewal risk list (续费风险).

use super::prelude::*;
use crm_db::renewals;
use crm_domain::api::{Page, RenewalRisk, RenewalRiskQuery};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(renewal_risk);
}

/// Customers within the caller's scope whose service ends within `within_days` (default 90) and
/// who have not renewed, riskiest first: a score of 0–100 whose parts are shown (days since the
/// last contact, money overdue, open complaints, the last satisfaction, a deal lost in the last
/// 180 days). An `owner_id` outside the caller's scope is 404.
#[utoipa::path(tag = "reports", params(RenewalRiskQuery), responses((status = 200, body = Page<RenewalRisk>)))]
#[get("/reports/renewal-risk")]
async fn renewal_risk(
    caller: Caller<need::CustomerRead>,
    q: Query<RenewalRiskQuery>,
) -> ApiResult<Json<Page<RenewalRisk>>> {
    caller
        .run(move |conn, actor| renewals::list(conn, actor, &q))
        .await
        .map(Json)
}
