//! Company settings (公司设置).

use super::prelude::*;
use crm_domain::api::{Settings, SettingsPatch};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(get_settings).service(update_settings);
}

/// The company's settings; every signed-in user may read them (time zone, currency, …).
#[utoipa::path(tag = "system", responses((status = 200, body = Settings)))]
#[get("/settings")]
async fn get_settings(caller: Caller) -> ApiResult<Json<Settings>> {
    caller
        .run(|conn, _| crm_db::settings::get(conn))
        .await
        .map(Json)
}

/// Changes some settings; `version` is the one last read (409 `stale_version` otherwise).
#[utoipa::path(tag = "system", request_body = SettingsPatch, responses((status = 200, body = Settings)))]
#[patch("/settings")]
async fn update_settings(
    caller: Caller<need::AdminSettings>,
    patch: Json<SettingsPatch>,
) -> ApiResult<Json<Settings>> {
    caller
        .run(move |conn, actor| crm_db::settings::update(conn, actor, &patch))
        .await
        .map(Json)
}
