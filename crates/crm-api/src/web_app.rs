//! Serves the built web app from `frontend/dist`: hashed assets as immutable, `index.html` uncached,
//! and `index.html` for every client-side route. Without a build, `/` says how to make one.

use actix_files::{Files, NamedFile};
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpRequest, HttpResponse, web};
use std::path::Path;

pub fn configure(cfg: &mut web::ServiceConfig, dir: &Path) {
    let index = dir.join("index.html");
    if index.is_file() {
        let fallback_index = index;
        cfg.service(
            Files::new("/", dir.to_path_buf())
                .index_file("index.html")
                .default_handler(web::to(move |req: HttpRequest| {
                    let index = fallback_index.clone();
                    async move { serve_index(&req, &index) }
                })),
        );
    } else {
        let dir = dir.to_path_buf();
        cfg.default_service(web::to(move |req: HttpRequest| {
            let dir = dir.clone();
            async move { not_built(&req, &dir) }
        }));
    }
}

fn serve_index(req: &HttpRequest, index: &Path) -> HttpResponse {
    if req.path().starts_with("/api/") {
        return crate::error::ApiError::NotFound.into_response();
    }
    match NamedFile::open(index) {
        // The cache headers are set by `cache_headers`, like for every page of the app.
        Ok(file) => file
            .use_etag(false)
            .use_last_modified(false)
            .into_response(req),
        Err(_) => HttpResponse::NotFound().finish(),
    }
}

fn not_built(req: &HttpRequest, dir: &Path) -> HttpResponse {
    if req.path().starts_with("/api/") {
        return crate::error::ApiError::NotFound.into_response();
    }
    HttpResponse::Ok().content_type("text/html; charset=utf-8").body(format!(
        "<!doctype html><meta charset=utf-8><title>CRM</title>\
         <h1>The CRM API is running</h1>\
         <p>The web app has not been built yet (no <code>{}/index.html</code>). \
         Build and start everything with <code>cargo xtask run</code>.</p>\
         <p>API reference: <a href=\"/api/docs/\">/api/docs/</a> · OpenAPI: <a href=\"/api/v1/openapi.json\">/api/v1/openapi.json</a></p>",
        dir.display()
    ))
}

trait IntoResponse {
    fn into_response(self) -> HttpResponse;
}

impl IntoResponse for crate::error::ApiError {
    fn into_response(self) -> HttpResponse {
        actix_web::ResponseError::error_response(&self)
    }
}

/// Whether a file name carries Trunk's content hash (`crm-web-0123456789abcdef.js`): such a file never
/// changes under its name.
fn is_hashed_asset(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or("");
    let stem = name.split('.').next().unwrap_or("");
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-')
        .is_some_and(|(_, hash)| hash.len() == 16 && hash.chars().all(|c| c.is_ascii_hexdigit()))
}

/// Hashed assets are cached for a year as immutable; everything else of the web app (`index.html`
/// under any client route) is revalidated on every load, so a new build is picked up at once.
pub async fn cache_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let path = req.path().to_string();
    let mut res = next.call(req).await?;
    if path.starts_with("/api/") || !res.status().is_success() {
        return Ok(res);
    }
    let value = if is_hashed_asset(&path) {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::is_hashed_asset;

    #[test]
    fn recognises_trunk_hashed_names() {
        assert!(is_hashed_asset("/crm-web-a05f3b8c556877ea.js"));
        assert!(is_hashed_asset("/crm-web-a05f3b8c556877ea_bg.wasm"));
        assert!(is_hashed_asset("/style-ba42f1b486b68667.css"));
        assert!(!is_hashed_asset("/"));
        assert!(!is_hashed_asset("/index.html"));
        assert!(!is_hashed_asset("/system/users"));
        assert!(!is_hashed_asset("/crm-web.js"));
    }
}
