//! App-wide state: the language and the session.
//!
//! Tokens: the access token lives only in memory; the refresh token is kept in `sessionStorage`, so a
//! reload within the tab stays signed in and closing the tab ends it. Nothing goes to `localStorage`
//! (OWASP: long-lived secrets there outlive the session and are readable by any script on the origin).

use crate::i18n::{self, Lang};
use crm_domain::Permission;
use crm_domain::api::Me;
use leptos::prelude::*;

const REFRESH_KEY: &str = "crm.refresh";
const LANG_KEY: &str = "crm.lang";

fn session_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok()?
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

#[derive(Clone, Copy)]
pub struct I18n {
    pub lang: RwSignal<Lang>,
}

impl I18n {
    pub fn provide() -> I18n {
        let saved = local_storage().and_then(|s| s.get_item(LANG_KEY).ok().flatten());
        let i18n = I18n {
            lang: RwSignal::new(saved.as_deref().map(Lang::parse).unwrap_or(Lang::Zh)),
        };
        Effect::new(move |_| {
            let lang = i18n.lang.get();
            if let Some(s) = local_storage() {
                let _ = s.set_item(LANG_KEY, lang.code());
            }
            if let Some(html) = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.document_element())
            {
                let _ = html.set_attribute("lang", lang.code());
            }
        });
        provide_context(i18n);
        i18n
    }

    /// The text of `key` in the current language (reactive when called inside a closure).
    pub fn t(&self, key: &str) -> &'static str {
        i18n::lookup(self.lang.get(), key)
    }

    pub fn toggle(&self) {
        self.lang
            .update(|l| *l = if *l == Lang::Zh { Lang::En } else { Lang::Zh });
    }
}

pub fn use_i18n() -> I18n {
    expect_context::<I18n>()
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
        session_storage().and_then(|s| s.get_item(REFRESH_KEY).ok().flatten())
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
