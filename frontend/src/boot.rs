//! The first load (`crm-web`): the sign-in page and nothing else, so that a phone on a slow
//! network can sign in after a few hundred kilobytes; the app itself (`crm-app`, most of the
//! weight) is fetched in the background while the person types, and started once there is a
//! session. With a session already in the tab (a reload), the app starts at once.
//!
//! `cargo xtask web` names the app's two files by their content and writes them into
//! `index.html` as `<meta name="crm-app" content="/crm-app-….js" data-wasm="/crm-app-…_bg.wasm">`.

use crate::i18n::*;
use crate::pages::login::SignInForm;
use crate::state::stored_refresh_token;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::any::Any;
use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen(inline_js = "export function import_app(js, wasm) { \
    return import(js).then((app) => app.default({ module_or_path: wasm })); }")]
extern "C" {
    /// Loads the app's module and starts it (wasm-bindgen's `init`, which runs its `main`).
    #[wasm_bindgen(catch)]
    fn import_app(js: &str, wasm: &str) -> Result<js_sys::Promise, JsValue>;
}

thread_local! {
    /// The mounted sign-in page, taken down when the app has started.
    static SIGN_IN: RefCell<Option<Box<dyn Any>>> = const { RefCell::new(None) };
    /// How often this page has tried to load the app.
    static ATTEMPTS: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// The app's files, as `cargo xtask web` wrote them into the page.
struct AppFiles {
    js: String,
    wasm: String,
}

fn app_files() -> Option<AppFiles> {
    let meta = web_sys::window()?
        .document()?
        .query_selector("meta[name=crm-app]")
        .ok()??;
    Some(AppFiles {
        js: meta.get_attribute("content")?,
        wasm: meta.get_attribute("data-wasm")?,
    })
}

/// The `crm-web` program's start.
pub fn start() {
    console_error_panic_hook::set_once();
    if stored_refresh_token().is_none() {
        show_sign_in(false);
        return;
    }
    // No view of its own yet, so Leptos's task executor is not set up: wasm-bindgen's directly.
    wasm_bindgen_futures::spawn_local(async {
        if let Err(e) = open_app(None).await {
            leptos::logging::error!("the app did not start: {e:?}");
            // Not a blank page: the sign-in page, saying the server could not be reached
            // (signing in tries again).
            show_sign_in(true);
        }
    });
}

/// Shows the sign-in page (at /login; the address asked for is where the app opens afterwards),
/// with the network error when the app could not be loaded.
fn show_sign_in(unreachable: bool) {
    let Some(body) = document().body() else {
        return;
    };
    let location = window().location();
    let asked = format!(
        "{}{}",
        location.pathname().unwrap_or_default(),
        location.search().unwrap_or_default()
    );
    let then = (!asked.starts_with("/login")).then_some(asked);
    if then.is_some()
        && let Ok(history) = window().history()
    {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some("/login"));
    }
    let handle = leptos::mount::mount_to(body, move || {
        view! { <crate::Providers><FirstSignIn then unreachable /></crate::Providers> }
    });
    SIGN_IN.with(|slot| *slot.borrow_mut() = Some(Box::new(handle)));
    prefetch();
}

/// The sign-in form, which starts the app on success, at `then` (else at `/`).
#[component]
fn FirstSignIn(then: Option<String>, unreachable: bool) -> impl IntoView {
    let i18n = use_i18n();
    let busy = RwSignal::new(false);
    let error = RwSignal::new(unreachable.then(|| t_string!(i18n, error.network).to_string()));
    let on_signed_in = Callback::new(move |()| {
        let then = then.clone();
        spawn_local(async move {
            if let Err(e) = open_app(Some(then.as_deref().unwrap_or("/"))).await {
                leptos::logging::error!("the app did not start: {e:?}");
                error.set(Some(t_string!(i18n, error.network).to_string()));
                busy.set(false);
            }
        });
    });
    view! { <SignInForm busy error on_signed_in /> }
}

/// Starts the app's download at low priority while the person signs in.
fn prefetch() {
    let (Some(files), Some(doc)) = (app_files(), web_sys::window().and_then(|w| w.document()))
    else {
        return;
    };
    let Ok(Some(head)) = doc.query_selector("head") else {
        return;
    };
    for href in [&files.js, &files.wasm] {
        if let Ok(link) = doc.create_element("link") {
            let _ = link.set_attribute("rel", "prefetch");
            let _ = link.set_attribute("href", href);
            let _ = head.append_child(&link);
        }
    }
}

/// Starts the app in this page, at `at` (else where the address says). The sign-in page goes
/// once the app runs (it stays, with its error, when it cannot).
async fn open_app(at: Option<&str>) -> Result<(), JsValue> {
    if let Some(at) = at {
        window()
            .history()?
            .replace_state_with_url(&JsValue::NULL, "", Some(at))?;
    }
    let files = app_files().ok_or("the page names no app (build it with `cargo xtask web`)")?;
    // A module that failed to load stays failed under its address for the page's life, so a
    // second try asks under another (the server ignores the query).
    let attempt = ATTEMPTS.with(|n| n.replace(n.get() + 1));
    let js = match attempt {
        0 => files.js,
        n => format!("{}?attempt={n}", files.js),
    };
    JsFuture::from(import_app(&js, &files.wasm)?).await?;
    SIGN_IN.with(|slot| slot.borrow_mut().take());
    Ok(())
}
