//! What every handler shares: the database pool, token keys and the password hasher.

use crate::auth::password::Hasher;
use crate::auth::tokens::JwtKeys;
use crate::error::{ApiError, ApiResult};
use actix_web::web;
use crm_db::{Db, DbConnection};

pub struct AppState {
    pub db: Db,
    pub jwt: JwtKeys,
    pub hasher: Hasher,
    pub session_days: i64,
    pub callers: crate::auth::CallerCache,
}

impl AppState {
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

    /// Today's date for token expiry (UTC).
    pub fn today(&self) -> chrono::NaiveDate {
        chrono::Utc::now().date_naive()
    }
}
