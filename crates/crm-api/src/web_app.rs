//! Serves the built web app from `frontend/dist`: hashed assets as immutable, `index.html` uncached,
//! and `index.html` for every client-side route. Without a build, `/` says how to make one.

use actix_files::{Files, NamedFile};
use actix_web::http::header::{self, CacheControl, CacheDirective};
use actix_web::{HttpRequest, HttpResponse, web};
use std::path::{Path, PathBuf};

pub fn configure(cfg: &mut web::ServiceConfig, dir: &Path) {
    let index = dir.join("index.html");
    if index.is_file() {
        let fallback_index = index.clone();
        cfg.service(
            Files::new("/", dir.to_path_buf())
                .index_file("index.html")
                .default_handler(web::to(move |req: HttpRequest| {
                    let index = fallback_index.clone();
                    async move { serve_index(&req, &index) }
                })),
        );
        cfg.app_data(web::Data::new(IndexPath(index)));
    } else {
        let dir = dir.to_path_buf();
        cfg.default_service(web::to(move |req: HttpRequest| {
            let dir = dir.clone();
            async move { not_built(&req, &dir) }
        }));
    }
}

struct IndexPath(#[allow(dead_code)] PathBuf);

fn serve_index(req: &HttpRequest, index: &Path) -> HttpResponse {
    if req.path().starts_with("/api/") {
        return crate::error::ApiError::NotFound.into_response();
    }
    match NamedFile::open(index) {
        Ok(file) => {
            let mut res = file
                .use_etag(false)
                .use_last_modified(false)
                .into_response(req);
            res.headers_mut().insert(
                header::CACHE_CONTROL,
                CacheControl(vec![CacheDirective::NoCache])
                    .to_string()
                    .parse()
                    .unwrap_or(header::HeaderValue::from_static("no-cache")),
            );
            res
        }
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
