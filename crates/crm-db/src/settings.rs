//! Company settings, stored as one versioned JSON document.

use crate::actor::Actor;
use crate::audit::{self, diff};
use crate::schema::company_settings as s;
use crate::sql::{check_version, one_row_updated};
use crate::{DbConnection, RepoError, RepoResult, now, write_tx};
use crm_domain::api::{Settings, SettingsPatch};
use crm_domain::settings::CompanySettings;
use diesel::prelude::*;

thread_local! {
    /// In a read transaction of this thread (see [`crate::read_tx`]): the settings once read in
    /// it. One snapshot holds one version of them, so an answer made of many statements (a
    /// report asks for the zone, today and the weights in several places) reads them once.
    /// `None` outside a read transaction.
    static IN_SNAPSHOT: std::cell::RefCell<Option<Option<Settings>>> =
        const { std::cell::RefCell::new(None) };
}

/// While alive, [`get`] keeps what it reads for the read transaction it marks (dropped at its end,
/// whichever way it ends).
pub(crate) struct SnapshotSettings(());

impl SnapshotSettings {
    pub(crate) fn start() -> Self {
        IN_SNAPSHOT.set(Some(None));
        SnapshotSettings(())
    }
}

impl Drop for SnapshotSettings {
    fn drop(&mut self) {
        IN_SNAPSHOT.set(None);
    }
}

/// The settings; defaults until someone saves them.
pub fn get(conn: &mut DbConnection) -> RepoResult<Settings> {
    if let Some(Some(kept)) = IN_SNAPSHOT.with_borrow(Clone::clone) {
        return Ok(kept);
    }
    let read = read(conn)?;
    IN_SNAPSHOT.with_borrow_mut(|memo| {
        if let Some(slot) = memo {
            *slot = Some(read.clone());
        }
    });
    Ok(read)
}

fn read(conn: &mut DbConnection) -> RepoResult<Settings> {
    let row: Option<(String, i32, chrono::NaiveDateTime)> = s::table
        .find(1)
        .select((s::data, s::version, s::updated_at))
        .first(conn)
        .optional()?;
    Ok(match row {
        Some((data, version, updated_at)) => Settings {
            // A document written by an older version lacks newer fields: fill them from defaults.
            settings: merge_defaults(&data),
            version,
            updated_at: updated_at.and_utc(),
        },
        None => Settings {
            settings: CompanySettings::default(),
            version: 0,
            updated_at: now().and_utc(),
        },
    })
}

/// The company's time zone.
pub fn zone(conn: &mut DbConnection) -> RepoResult<chrono_tz::Tz> {
    Ok(crm_domain::time::zone(&get(conn)?.settings.time_zone))
}

/// Today on the company's calendar.
pub fn today(conn: &mut DbConnection) -> RepoResult<chrono::NaiveDate> {
    Ok(crm_domain::time::local_date(
        chrono::Utc::now(),
        zone(conn)?,
    ))
}

fn merge_defaults(data: &str) -> CompanySettings {
    let mut base = serde_json::to_value(CompanySettings::default()).unwrap_or_default();
    if let (Some(base), Ok(serde_json::Value::Object(saved))) = (
        base.as_object_mut(),
        serde_json::from_str::<serde_json::Value>(data),
    ) {
        for (k, v) in saved {
            if base.contains_key(&k) {
                base.insert(k, v);
            }
        }
    }
    serde_json::from_value(base).unwrap_or_default()
}

/// Applies a patch (its rules checked at the edge: time zone, currency, thresholds, …).
pub fn update(
    conn: &mut DbConnection,
    actor: &Actor,
    patch: &SettingsPatch,
) -> RepoResult<Settings> {
    write_tx(conn, |conn| {
        crate::serialize(conn, crate::Serial::Settings)?;
        let old = get(conn)?;
        check_version(old.version, patch.version)?;
        let new = patch.apply(old.settings.clone());
        let data =
            serde_json::to_string(&new).map_err(|e| RepoError::Unavailable(e.to_string()))?;
        if old.version == 0 {
            diesel::insert_into(s::table)
                .values((
                    s::id.eq(1),
                    s::data.eq(&data),
                    s::version.eq(1),
                    s::updated_at.eq(now()),
                ))
                .execute(conn)?;
        } else {
            let n = diesel::update(s::table.find(1).filter(s::version.eq(old.version)))
                .set((
                    s::data.eq(&data),
                    s::version.eq(old.version + 1),
                    s::updated_at.eq(now()),
                ))
                .execute(conn)?;
            one_row_updated(n, old.version)?;
        }
        let before = serde_json::to_value(&old.settings).unwrap_or_default();
        let after = serde_json::to_value(&new).unwrap_or_default();
        audit::record(
            conn,
            actor,
            "update",
            "settings",
            None,
            diff(&before, &after),
        )?;
        get(conn)
    })
}
