//! App-wide state: the session. (The language is leptos_i18n's context, remembered in a cookie
//! and, once signed in, as the user's own setting on the server: see `crate::components::LanguageSwitch`.)
//!
//! Tokens: the access token lives only in memory; the refresh token is kept in `sessionStorage`, so a
//! reload within the tab stays signed in and closing the tab ends it. Nothing goes to `localStorage`
//! (OWASP: long-lived secrets there outlive the session and are readable by any script on the origin).

use crm_domain::Permission;
use crm_domain::api::Me;
use leptos::prelude::*;

const REFRESH_KEY: &str = "crm.refresh";

fn session_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok()?
}

/// The refresh token kept in this tab, if any: whether there is a session to restore.
pub fn stored_refresh_token() -> Option<String> {
    session_storage().and_then(|s| s.get_item(REFRESH_KEY).ok().flatten())
}

#[derive(Clone, Copy)]
pub struct Session {
    pub access: RwSignal<Option<String>>,
    pub me: RwSignal<Option<Me>>,
}

impl Session {
    pub fn provide() -> Session {
        let s = Session {
            access: RwSignal::new(None),
            me: RwSignal::new(None),
        };
        provide_context(s);
        s
    }

    pub fn refresh_token(&self) -> Option<String> {
        stored_refresh_token()
    }

    pub fn store(&self, access: String, refresh: String, me: Me) {
        if let Some(s) = session_storage() {
            let _ = s.set_item(REFRESH_KEY, &refresh);
        }
        self.access.set(Some(access));
        self.me.set(Some(me));
    }

    pub fn clear(&self) {
        if let Some(s) = session_storage() {
            let _ = s.remove_item(REFRESH_KEY);
        }
        self.access.set(None);
        self.me.set(None);
    }

    pub fn can(&self, p: Permission) -> bool {
        self.me
            .with(|me| me.as_ref().is_some_and(|m| m.permissions.contains(&p)))
    }
}

pub fn use_session() -> Session {
    expect_context::<Session>()
}
