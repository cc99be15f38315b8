//! What every handler shares: the database pool, token keys, the password hasher and the caches.

use crate::auth::CallerCache;
use crate::auth::password::Hasher;
use crate::auth::tokens::JwtKeys;
use crate::error::{ApiError, ApiResult};
use actix_web::web;
use crm_db::{Db, DbConnection};
use crm_domain::Lang;
use std::time::Duration;

pub struct AppState {
    pub db: Db,
    pub jwt: JwtKeys,
    pub hasher: Hasher,
    pub session_days: i64,
    pub callers: CallerCache,
    /// The company's default language, read from the settings at most every few seconds.
    company_language: moka::sync::Cache<(), Lang>,
}

impl AppState {
    pub fn new(db: Db, jwt: JwtKeys, hasher: Hasher, session_days: i64) -> AppState {
        let ttl = Duration::from_secs(5);
        AppState {
            db,
            jwt,
            hasher,
            session_days,
            callers: CallerCache::new(ttl),
            company_language: moka::sync::Cache::builder().time_to_live(ttl).build(),
        }
    }

    /// Runs blocking database work on actix's blocking pool, never on the async workers.
    pub async fn run<T, F>(&self, f: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConnection) -> ApiResult<T> + Send + 'static,
    {
        let db = self.db.clone();
        web::block(move || {
            let mut conn = db.get()?;
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
