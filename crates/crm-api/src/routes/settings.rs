//! Company settings (公司设置).

use crate::auth::Caller;
use crate::error::ApiResult;
use crate::extract::ValidJson;
use crate::state::AppState;
use actix_web::{get, patch, web};
use crm_db::RepoError;
use crm_domain::Permission;
use crm_domain::api::{Settings, SettingsPatch};
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(get_settings).service(update_settings);
}

/// The company's settings; every signed-in user may read them (time zone, currency, …).
#[utoipa::path(tag = "system", responses((status = 200, body = Settings)))]
#[get("/settings")]
async fn get_settings(
    state: web::Data<AppState>,
    _caller: Caller,
) -> ApiResult<web::Json<Settings>> {
    Ok(web::Json(
        state.run(|conn| Ok(crm_db::settings::get(conn)?)).await?,
    ))
}

/// Changes some settings; `version` is the one last read (409 `stale_version` otherwise).
#[utoipa::path(tag = "system", request_body = SettingsPatch, responses((status = 200, body = Settings)))]
#[patch("/settings")]
async fn update_settings(
    state: web::Data<AppState>,
    caller: Caller,
    body: ValidJson<SettingsPatch>,
) -> ApiResult<web::Json<Settings>> {
    caller.require(Permission::AdminSettings)?;
    let p = body.0;
    Ok(web::Json(
        state
            .run(move |conn| {
                Ok(crm_db::settings::update(conn, Some(caller.id), &p, |s| {
                    if s.time_zone.parse::<chrono_tz::Tz>().is_err() {
                        return Err(RepoError::invalid(
                            "time_zone",
                            "unknown_time_zone",
                            "not an IANA time zone such as Asia/Shanghai",
                        ));
                    }
                    if !s.currency.chars().all(|c| c.is_ascii_uppercase()) {
                        return Err(RepoError::invalid(
                            "currency",
                            "invalid_currency",
                            "a three-letter ISO 4217 code such as CNY",
                        ));
                    }
                    Ok(())
                })?)
            })
            .await?,
    ))
}
