//! The language the server speaks to a request: the caller's own choice (`PATCH /me`), else the
//! first of `Accept-Language` it speaks, else the company's default (settings). Problems are
//! rendered in it by [`problems`], which wraps the API.

use crate::caller::Identified;
use crate::error::ApiError;
use crate::state::AppState;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpRequest, web};
use crm_domain::Lang;

/// The language to answer `req` in.
pub async fn of_request(req: &HttpRequest, state: &AppState) -> Lang {
    let chosen = match req.extensions().get::<Identified>() {
        Some(Identified::Caller(identity)) => identity.record.language,
        _ => None,
    };
    if let Some(lang) = chosen {
        return lang;
    }
    let asked = req
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(Lang::from_accept_language);
    match asked {
        Some(lang) => lang,
        None => state.company_language().await,
    }
}

/// Renders every problem of the API in the language of its request. (Nothing of the request is
/// kept while it runs: actix routes a request it holds alone.)
pub async fn problems(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let res = next.call(req).await?.map_into_boxed_body();
    let problem = res
        .response()
        .error()
        .and_then(|e| e.as_error::<ApiError>())
        .cloned();
    match (problem, state) {
        (Some(problem), Some(state)) => {
            let lang = of_request(res.request(), &state).await;
            let id = crate::telemetry::RequestId::of_request(res.request());
            Ok(res.into_response(problem.response_to(lang, id)))
        }
        _ => Ok(res),
    }
}
