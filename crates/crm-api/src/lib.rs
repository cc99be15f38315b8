//! The HTTP server of the CRM: configuration, startup, authentication, the v1 routes, error mapping,
//! the OpenAPI document, and the commands of the `crm` binary.

pub mod auth;
pub mod caller;
pub mod config;
pub mod error;
pub mod extract;
pub mod idempotency;
pub mod language;
pub mod mailer;
pub mod openapi;
pub mod respond;
pub mod routes;
pub mod scheduler;
pub mod state;
pub mod telemetry;
pub mod web_app;
pub mod webhooks;

use actix_web::http::header::{self, HeaderName};
use actix_web::middleware::{Compress, Condition, from_fn};
use actix_web::{App, HttpServer, web};
use anyhow::Context;
use config::ServeConfig;
use crm_db::Db;
use state::AppState;
use std::net::{SocketAddr, TcpListener};
use utoipa::OpenApi;
use utoipa_actix_web::{AppExt, scope};
use utoipa_swagger_ui::SwaggerUi;

/// The OpenAPI document of everything the server serves under `/api/v1`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = App::new()
        .into_utoipa_app()
        .openapi(openapi::ApiDoc::openapi())
        .service(scope("/api/v1").configure(routes::configure))
        .split_for_parts()
        .1;
    utoipa::Modify::modify(&openapi::ErrorResponses, &mut doc);
    doc
}

/// The document as committed in `openapi/crm.openapi.json`.
pub fn openapi_json() -> String {
    let mut text = openapi().to_pretty_json().unwrap_or_default();
    text.push('\n');
    text
}

/// Cross-origin calls from the configured origins' pages: what an integration's browser code needs
/// to call and to read. Requests from other origins are served as if CORS were off (no grant), so
/// the web app's own requests, which carry `Origin` too, are never refused.
fn cors(origins: &[String]) -> actix_cors::Cors {
    let mut cors = actix_cors::Cors::default()
        .allowed_methods(["GET", "POST", "PUT", "PATCH", "DELETE"])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::ACCEPT,
            header::ACCEPT_LANGUAGE,
            HeaderName::from_static("idempotency-key"),
            telemetry::REQUEST_ID,
        ])
        .expose_headers([
            telemetry::REQUEST_ID,
            header::RETRY_AFTER,
            header::LOCATION,
            header::CONTENT_DISPOSITION,
            header::CONTENT_LANGUAGE,
        ])
        .max_age(3600)
        .block_on_origin_mismatch(false);
    for origin in origins {
        cors = cors.allowed_origin(origin);
    }
    cors
}

/// A started server.
pub struct Running {
    pub addr: SocketAddr,
    pub server: actix_web::dev::Server,
    pub seeded_demo: bool,
}

/// Opens the database (migrating it), prepares the state and binds the listener. The caller awaits
/// `server` (or spawns it, as the tests do).
pub async fn start(config: ServeConfig) -> anyhow::Result<Running> {
    let db_config = config.database.clone();
    let pool_size = db_config.pool_size;
    let wait = std::time::Duration::from_millis((db_config.wait_seconds * 1000.0) as u64);
    let db =
        web::block(move || Db::connect_server(&db_config.database_url, db_config.pool_size, wait))
            .await??;
    anyhow::ensure!(
        config.access_token_ttl >= 1,
        "the access token lifetime must be at least one second"
    );
    anyhow::ensure!(
        config.session_days >= 1,
        "sessions must last at least one day"
    );
    let jwt_secret = match &config.jwt_secret {
        Some(s) if s.len() >= 32 => s.clone(),
        Some(_) => anyhow::bail!("CRM_JWT_SECRET must be at least 32 characters"),
        None => {
            let db = db.clone();
            web::block(move || {
                let mut conn = db.get()?;
                crm_db::auth::secret(&mut conn, "jwt", auth::tokens::random_secret)
            })
            .await??
        }
    };
    let documents_dir = config.database.documents_dir();
    let documents = crm_db::files::Store::open(&documents_dir).with_context(|| {
        format!(
            "cannot open the document store at {} (CRM_DOCUMENTS_DIR)",
            documents_dir.display()
        )
    })?;
    let demo = config.demo;
    let demo_customers = config.demo_customers;
    let seed_db = db.clone();
    let seed_store = documents.clone();
    let seeded_demo = web::block(move || -> anyhow::Result<bool> {
        let mut conn = seed_db.get()?;
        crm_demo::seed::ensure_base_data(&mut conn)?;
        if !demo {
            return Ok(false);
        }
        let hash = auth::password::hash_now(crm_demo::seed::DEMO_PASSWORD)?;
        let seeded = crm_demo::seed::seed_demo(&mut conn, demo_customers, &hash)?;
        if seeded {
            crm_demo::documents::seed_demo_documents(&mut conn, &seed_store)?;
        }
        Ok(seeded)
    })
    .await?
    .context("seeding failed")?;

    let mailer = mailer::Mailer::from_config(&config.smtp)?;
    if config.scheduler_interval > 0 {
        // Deliveries go out within seconds of their change, whatever the scheduler's pace.
        webhooks::spawn(db.clone(), std::time::Duration::from_secs(2));
        scheduler::spawn(
            db.clone(),
            std::time::Duration::from_secs(config.scheduler_interval),
            mailer,
            documents.clone(),
        );
    } else if mailer.is_some() {
        tracing::warn!("CRM_SMTP_URL is set but the scheduler, which sends e-mail, is off");
    }
    let cors_origins = config::cors_origins(&config.cors_origins)?;
    let metrics = telemetry::MetricsAccess::new(config.metrics_token.as_deref());
    if metrics.enabled() {
        telemetry::install_metrics()?;
    }
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2);
    let mut state = AppState::new(
        db,
        auth::tokens::JwtKeys::new(jwt_secret.as_bytes(), config.access_token_ttl),
        auth::password::Hasher::new(cores),
        config.session_days,
        documents,
    );
    state.body_timeout = std::time::Duration::from_secs(config.body_timeout.max(1));
    state.in_flight = state::InFlight::new(config.max_requests_per_token);
    let state = web::Data::new(state);
    let doc = openapi();
    let static_dir = std::path::PathBuf::from(&config.static_dir);
    let csp = web::Data::new(web_app::Csp::for_dir(&static_dir));
    let metrics = web::Data::new(metrics);
    let listener = TcpListener::bind(&config.bind)
        .with_context(|| format!("cannot listen on {}", config.bind))?;
    let addr = listener.local_addr()?;
    let mut server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .app_data(csp.clone())
            .app_data(metrics.clone())
            .app_data(extract::path_config())
            .app_data(extract::payload_config())
            .route("/metrics", web::get().to(telemetry::metrics_endpoint))
            // Before the /api/v1 scope, which would otherwise answer 404 for /api/v1/openapi.json.
            .service(SwaggerUi::new("/api/docs/{_:.*}").url("/api/v1/openapi.json", doc.clone()))
            .into_utoipa_app()
            .service(
                // Outermost first: problems in the caller's language, who the caller is, then
                // idempotent replays (which need the caller).
                scope("/api/v1")
                    .wrap(from_fn(idempotency::middleware))
                    .wrap(from_fn(caller::identify))
                    .wrap(from_fn(language::problems))
                    .wrap(Condition::new(
                        !cors_origins.is_empty(),
                        cors(&cors_origins),
                    ))
                    .configure(routes::configure)
                    // Unknown API paths are problems too, whether or not the web app is built.
                    .default_service(web::to(|| async {
                        Err::<actix_web::HttpResponse, _>(error::ApiError::NotFound)
                    })),
            )
            .into_app()
            .configure(|cfg| web_app::configure(cfg, &static_dir))
            .wrap(from_fn(web_app::headers))
            .wrap(Compress::default())
            .wrap(from_fn(telemetry::observe))
            .wrap(tracing_actix_web::TracingLogger::<telemetry::RequestSpan>::new())
    })
    .listen(listener)?;
    // Database work runs on the workers' blocking threads, each holding a pooled connection: as
    // many threads in all as connections. More would only wait for a connection, and each busy
    // thread keeps memory of its own in the allocator.
    let workers = config.workers.unwrap_or(cores);
    server = server
        .workers(workers)
        .worker_max_blocking_threads((pool_size as usize).div_ceil(workers).max(1));
    Ok(Running {
        addr,
        server: server.run(),
        seeded_demo,
    })
}
