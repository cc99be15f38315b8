//! What every handler shares: the database pool, token keys, the password hasher and the caches.

use crate::auth::CallerCache;
use crate::auth::password::Hasher;
use crate::auth::tokens::JwtKeys;
use crate::error::{ApiError, ApiResult};
use actix_web::web;
use crm_db::{Db, DbConnection};
use crm_domain::Lang;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How long a request may take to send its body, unless configured.
pub const BODY_TIMEOUT: Duration = Duration::from_secs(30);

/// How many requests each credential (a session's access token or an API token) has running: a
/// runaway script gets 429 instead of every worker and connection of the company.
pub struct InFlight {
    /// 0: no limit.
    limit: usize,
    running: Mutex<HashMap<String, usize>>,
}

/// One running request of a credential; the slot is given back when this is dropped, however the
/// request ends.
pub struct Slot {
    held: Option<(Arc<InFlight>, String)>,
}

impl InFlight {
    pub fn new(limit: usize) -> Arc<InFlight> {
        Arc::new(InFlight {
            limit,
            running: Mutex::new(HashMap::new()),
        })
    }

    /// A slot for the credential `key` (its hash), or 429 when it has `limit` running already.
    pub fn enter(self: &Arc<Self>, key: String) -> ApiResult<Slot> {
        if self.limit == 0 {
            return Ok(Slot { held: None });
        }
        let mut running = self.running.lock().unwrap_or_else(|e| e.into_inner());
        let count = running.entry(key.clone()).or_insert(0);
        if *count >= self.limit {
            return Err(ApiError::TooManyInFlight { limit: self.limit });
        }
        *count += 1;
        Ok(Slot {
            held: Some((self.clone(), key)),
        })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        if let Some((owner, key)) = self.held.take() {
            let mut running = owner.running.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(count) = running.get_mut(&key) {
                *count -= 1;
                if *count == 0 {
                    running.remove(&key);
                }
            }
        }
    }
}

pub struct AppState {
    pub db: Db,
    pub jwt: JwtKeys,
    pub hasher: Hasher,
    pub session_days: i64,
    pub callers: CallerCache,
    /// How long a request may take to send its body.
    pub body_timeout: Duration,
    pub in_flight: Arc<InFlight>,
    /// Where documents' bytes are kept.
    pub documents: crm_db::files::Store,
    /// The company's default language, read from the settings at most every few seconds.
    company_language: moka::sync::Cache<(), Lang>,
    /// The general manager's dashboards lately answered, per scope and language (see
    /// [`AppState::dashboard`]).
    dashboards: moka::sync::Cache<(Vec<i64>, Lang), (u64, crm_domain::api::Dashboard)>,
}

/// How long a dashboard is answered again unchanged when no write of this server came between
/// (another server's writes on the same database show within this time).
pub const DASHBOARD_FRESH: Duration = Duration::from_secs(20);

impl AppState {
    pub fn new(
        db: Db,
        jwt: JwtKeys,
        hasher: Hasher,
        session_days: i64,
        documents: crm_db::files::Store,
    ) -> AppState {
        let ttl = Duration::from_secs(5);
        AppState {
            db,
            jwt,
            hasher,
            session_days,
            callers: CallerCache::new(ttl),
            body_timeout: BODY_TIMEOUT,
            in_flight: InFlight::new(0),
            documents,
            company_language: moka::sync::Cache::builder().time_to_live(ttl).build(),
            dashboards: moka::sync::Cache::builder()
                .time_to_live(DASHBOARD_FRESH)
                .max_capacity(1_000)
                .build(),
        }
    }

    /// The dashboard for a scope (every owner it sees; empty: everyone) in a language: the one
    /// answered last for them while no write has been committed by this server since and it is
    /// under [`DASHBOARD_FRESH`] old, else counted afresh. Everyone in the same scope — a whole
    /// management team opening the same page in the morning — shares one count.
    pub fn dashboard(
        &self,
        scope: Vec<i64>,
        lang: Lang,
        count: impl FnOnce() -> ApiResult<crm_domain::api::Dashboard>,
    ) -> ApiResult<crm_domain::api::Dashboard> {
        let key = (scope, lang);
        let writes = crm_db::writes();
        if let Some((at, d)) = self.dashboards.get(&key)
            && at == writes
        {
            return Ok(d);
        }
        let d = count()?;
        self.dashboards.insert(key, (writes, d.clone()));
        Ok(d)
    }

    /// Runs blocking database work on actix's blocking pool, never on the async workers.
    pub async fn run<T, F>(&self, f: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConnection) -> ApiResult<T> + Send + 'static,
    {
        let db = self.db.clone();
        web::block(move || {
            let waiting = crate::telemetry::Waiting::start();
            let mut conn = db.get()?;
            drop(waiting);
            f(&mut conn)
        })
        .await
        .map_err(ApiError::internal)?
    }

    /// The language the company speaks to those who chose none (its settings; Chinese when the
    /// database cannot say).
    pub async fn company_language(&self) -> Lang {
        if let Some(lang) = self.company_language.get(&()) {
            return lang;
        }
        let lang = self
            .run(|conn| Ok(crm_db::settings::get(conn)?.settings.language))
            .await
            .unwrap_or_default();
        self.company_language.insert((), lang);
        lang
    }

    /// Forgets the cached company language (after a settings change through this server).
    pub fn forget_company_language(&self) {
        self.company_language.invalidate_all();
    }

    /// Today's date for token expiry (UTC).
    pub fn today(&self) -> chrono::NaiveDate {
        chrono::Utc::now().date_naive()
    }
}
