//! Serves the built web app from `frontend/dist`: hashed assets as immutable, `index.html` uncached,
//! and `index.html` for every client-side route. Without a build, `/` says how to make one. Every
//! answer of the server gets its security headers here ([`headers`]): the app's pages a strict
//! Content-Security-Policy, the API `Cache-Control: no-store`.

use actix_files::{Files, NamedFile};
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpRequest, HttpResponse, web};
use base64::Engine;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::SystemTime;

pub fn configure(cfg: &mut web::ServiceConfig, dir: &Path) {
    let index = dir.join("index.html");
    if index.is_file() {
        let fallback_index = index;
        // Hashed assets first: their precompressed copies when the browser takes them.
        let assets = dir.to_path_buf();
        cfg.service(
            web::resource("/{asset}")
                .guard(actix_web::guard::fn_guard(|ctx| {
                    is_hashed_asset(ctx.head().uri.path())
                }))
                .route(web::get().to(move |req: HttpRequest| {
                    let dir = assets.clone();
                    async move { serve_asset(&req, &dir) }
                })),
        );
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

/// The encodings `cargo xtask web` writes beside each asset, best first: brotli (`.br`, quality
/// 11) and gzip (`.gz`, level 9). Made once at build time, they are smaller than what the
/// `Compress` middleware makes per request, and cost the server nothing.
const PRECOMPRESSED: [(&str, &str); 2] = [("br", "br"), ("gzip", "gz")];

/// Whether `Accept-Encoding` takes `coding` (listed without `q=0`).
fn accepts(req: &HttpRequest, coding: &str) -> bool {
    req.headers()
        .get_all(header::ACCEPT_ENCODING)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|item| {
            let mut parts = item.split(';').map(str::trim);
            let name = parts.next().unwrap_or("");
            let refused = parts.any(|p| {
                p.strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
                    .is_some_and(|q| q == 0.0)
            });
            name.eq_ignore_ascii_case(coding) && !refused
        })
}

/// A hashed asset: its precompressed copy in the best encoding the browser takes, else the file
/// itself (which the `Compress` middleware may still compress).
fn serve_asset(req: &HttpRequest, dir: &Path) -> HttpResponse {
    let name = req.match_info().query("asset");
    // One path segment of Trunk's hashed form (see the guard): no way out of `dir`.
    if name.contains('/') || name.contains('\\') || name.starts_with('.') {
        return HttpResponse::NotFound().finish();
    }
    let plain = dir.join(name);
    let mime = actix_files::file_extension_to_mime(
        plain.extension().and_then(|e| e.to_str()).unwrap_or(""),
    );
    for (coding, suffix) in PRECOMPRESSED {
        let copy = dir.join(format!("{name}.{suffix}"));
        if !accepts(req, coding) || !copy.is_file() {
            continue;
        }
        if let Ok(file) = NamedFile::open(&copy) {
            let mut res = file
                .set_content_type(mime.clone())
                .disable_content_disposition()
                .into_response(req);
            let h = res.headers_mut();
            h.insert(header::CONTENT_ENCODING, HeaderValue::from_static(coding));
            h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
            return res;
        }
    }
    match NamedFile::open(&plain) {
        Ok(file) => {
            let mut res = file.into_response(req);
            res.headers_mut()
                .insert(header::VARY, HeaderValue::from_static("accept-encoding"));
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

/// Whether a file name carries Trunk's content hash (`crm-web-0123456789abcdef.js`): such a file never
/// changes under its name.
fn is_hashed_asset(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or("");
    let stem = name.split('.').next().unwrap_or("");
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-')
        .is_some_and(|(_, hash)| hash.len() == 16 && hash.chars().all(|c| c.is_ascii_hexdigit()))
}

/// The Content-Security-Policy of the app's pages: scripts from the server only, plus the inline
/// start-up script that Trunk writes into `index.html`, allowed by its hash; WebAssembly compiled
/// from the server's own file (`'wasm-unsafe-eval'` allows no JavaScript `eval`); no plugins, no
/// `<base>`, no framing. Inline `style` attributes stay allowed: the pages set widths and colours
/// through them.
///
/// The start-up script names the build's hashed files, so a new build has a new hash: the policy
/// is read again whenever `index.html` changes on disk (a deployment or `trunk build` without a
/// restart), never served stale.
/// When `index.html` was written, and its size.
type Stamp = (SystemTime, u64);

pub struct Csp {
    index: PathBuf,
    current: Mutex<Option<(Option<Stamp>, HeaderValue)>>,
}

impl Csp {
    pub fn for_dir(dir: &Path) -> Csp {
        Csp {
            index: dir.join("index.html"),
            current: Mutex::new(None),
        }
    }

    /// The policy for the page as it is on disk now.
    pub fn header(&self) -> HeaderValue {
        // Its time and size: a rewrite within the file system's clock tick still changes one.
        let modified = std::fs::metadata(&self.index)
            .and_then(|m| Ok((m.modified()?, m.len())))
            .ok();
        let mut current = self.current.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((seen, value)) = current.as_ref()
            && *seen == modified
        {
            return value.clone();
        }
        let page = std::fs::read_to_string(&self.index).unwrap_or_default();
        let value = Csp::for_page(&page);
        *current = Some((modified, value.clone()));
        value
    }

    pub fn for_page(html: &str) -> HeaderValue {
        let hashes: String = inline_scripts(html)
            .into_iter()
            .map(|script| {
                let digest = Sha256::digest(script.as_bytes());
                format!(
                    " 'sha256-{}'",
                    base64::engine::general_purpose::STANDARD.encode(digest)
                )
            })
            .collect();
        let policy = format!(
            "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{hashes}; \
             style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self'; \
             connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
             frame-ancestors 'none'"
        );
        // Base64 and the fixed words are plain ASCII.
        HeaderValue::from_str(&policy).unwrap_or_else(|_| {
            HeaderValue::from_static("default-src 'self'; frame-ancestors 'none'")
        })
    }
}

/// The bodies of the page's `<script>` elements that have no `src`, exactly as written.
fn inline_scripts(html: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        let after = &rest[start..];
        let Some(open_end) = after.find('>') else {
            break;
        };
        let tag = &after[..open_end];
        let body_and_more = &after[open_end + 1..];
        let Some(close) = body_and_more.find("</script>") else {
            break;
        };
        if !tag.contains(" src=") {
            found.push(&body_and_more[..close]);
        }
        rest = &body_and_more[close..];
    }
    found
}

/// Whether a path is answered by the server itself rather than the web app: never cached, never
/// a page.
fn is_api(path: &str) -> bool {
    path.starts_with("/api/") || path == "/metrics"
}

/// The security headers of every answer, and the web app's caching: hashed assets are cached for a
/// year as immutable; everything else of the web app (`index.html` under any client route) is
/// revalidated on every load, so a new build is picked up at once. API answers are never stored.
pub async fn headers(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let path = req.path().to_string();
    let csp = req.app_data::<web::Data<Csp>>().cloned();
    let mut res = next.call(req).await?;
    let ok = res.status().is_success();
    let h = res.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if is_api(&path) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        return Ok(res);
    }
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    // A policy governs documents; scripts, styles and the wasm need none.
    let page = h
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if let (Some(csp), true) = (csp, page) {
        h.insert(header::CONTENT_SECURITY_POLICY, csp.header());
    }
    if ok {
        let value = if is_hashed_asset(&path) {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        };
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    }
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::{Csp, inline_scripts, is_hashed_asset};

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

    #[test]
    fn inline_scripts_are_allowed_by_their_hash_and_nothing_else() {
        let page = "<html><head><script type=\"module\">import init from '/a.js'; init();</script>\
                    <script src=\"/b.js\"></script><link rel=\"modulepreload\" href=\"/a.js\"></head></html>";
        assert_eq!(
            inline_scripts(page),
            vec!["import init from '/a.js'; init();"]
        );
        let policy = Csp::for_page(page).to_str().unwrap().to_string();
        // sha256 of the script body, computed independently (Python's hashlib).
        assert!(
            policy.contains("'sha256-OmsKZ7FdjngXv78J3xPM9wIheFofQWOF5uRnAv7cVTc='"),
            "{policy}"
        );
        assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
        assert!(!policy.contains("'unsafe-eval'"), "{policy}");
        assert!(
            !policy.contains("script-src 'self' 'unsafe-inline'"),
            "{policy}"
        );
        let none = Csp::for_page("<html></html>").to_str().unwrap().to_string();
        assert!(!none.contains("sha256"), "{none}");
    }
}
