//! What every page uses: the app shell, the error line and the API runner of forms, keyset-paged
//! lists, search boxes that ask as one types, a record's history, and the words for the domain's
//! values.

pub mod chart;
mod export;
mod history;
pub mod labels;
mod paged;
mod search;
mod shell;

pub use export::ExportMenu;
pub use history::History;
pub use paged::Paged;
pub use search::searched;
pub use shell::{LanguageSwitch, Shell, Unread};

use crate::format::{I18n, format_money, lang};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// An error line that shows the server's message, or nothing.
#[component]
pub fn ErrorLine(error: RwSignal<Option<String>>) -> impl IntoView {
    view! {
        <Show when=move || error.with(Option::is_some)>
            <p class="error" role="alert">{move || error.get().unwrap_or_default()}</p>
        </Show>
    }
}

/// Runs an API call and reports its failure into `error` (and clears it on success).
pub fn run<F, Fut, T>(error: RwSignal<Option<String>>, call: F, done: impl FnOnce(T) + 'static)
where
    F: FnOnce() -> Fut + 'static,
    Fut: std::future::Future<Output = Result<T, crate::api::ApiError>> + 'static,
    T: 'static,
{
    spawn_local(async move {
        match call().await {
            Ok(v) => {
                error.set(None);
                done(v);
            }
            Err(e) => error.set(Some(e.display())),
        }
    });
}

/// The record id in the current route (`/customers/:id`, `/orders/:id`), reactive; 0 when absent.
pub fn route_id() -> impl Fn() -> i64 + Copy {
    let params = leptos_router::hooks::use_params_map();
    move || params.with(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()).unwrap_or(0))
}

/// The browser's UTC offset, for showing instants in the viewer's local time.
pub fn local_offset() -> chrono::FixedOffset {
    let minutes = js_sys::Date::new_0().get_timezone_offset() as i32;
    chrono::FixedOffset::west_opt(minutes * 60)
        .unwrap_or_else(|| chrono::FixedOffset::east_opt(0).expect("UTC is a valid offset"))
}

/// Today's date in the viewer's local time (a default for date inputs; the server decides what is
/// overdue on the company's calendar).
pub fn local_today() -> chrono::NaiveDate {
    chrono::Utc::now()
        .with_timezone(&local_offset())
        .date_naive()
}

/// An instant as people read it, in the current language and the viewer's time (reactive inside a
/// closure).
pub fn when(i18n: I18n, at: chrono::DateTime<chrono::Utc>) -> String {
    crate::format::format_datetime(lang(i18n), at, local_offset())
}

/// A dictionary entry's name in the current language (its English name when there is one).
pub fn entry_name(i18n: I18n, item: &crm_domain::api::DictionaryItem) -> String {
    match (lang(i18n), &item.name_en) {
        (crm_domain::Lang::En, Some(en)) => en.clone(),
        _ => item.name.clone(),
    }
}

/// The entries of a dictionary, disabled ones included (old records may name them), for selects
/// and for naming ids.
pub fn dictionary(
    api: crate::api::Api,
    kind: crm_domain::api::DictionaryKind,
) -> LocalResource<Vec<crm_domain::api::DictionaryItem>> {
    LocalResource::new(move || async move {
        let q = crm_domain::api::ListQuery {
            include_disabled: Some(true),
        };
        api.dictionary(kind, &q).await.unwrap_or_default()
    })
}

/// An amount as people read it, in the current language (reactive inside a closure). Money is CNY.
pub fn money(i18n: I18n, amount: crm_domain::Money) -> String {
    format_money(lang(i18n), amount, "CNY")
}

/// A request checked against the rules the server applies (the same crm-domain types): `Err` with
/// every broken rule in the app's language, ready for an error line.
pub fn check<T: validator::Validate>(i18n: I18n, request: &T) -> Result<(), String> {
    let Err(errors) = request.validate() else {
        return Ok(());
    };
    let language = lang(i18n);
    Err(crm_domain::validation::flatten(&errors)
        .into_iter()
        .map(|(field, _, words)| format!("{field}: {}", words.get(language)))
        .collect::<Vec<_>>()
        .join("; "))
}

/// Asks for a line of text with `window.prompt`; `None` when cancelled or left blank.
pub fn ask(message: &str) -> Option<String> {
    web_sys::window()
        .and_then(|w| w.prompt_with_message(message).ok().flatten())
        .filter(|s| !s.trim().is_empty())
}

/// Asks `window.confirm`; false when the browser cannot ask.
pub fn confirm(message: &str) -> bool {
    web_sys::window()
        .and_then(|w| w.confirm_with_message(message).ok())
        .unwrap_or(false)
}

/// A `blob:` URL for bytes of type `mime` (a thumbnail to show, a file to save); revoke it with
/// `web_sys::Url::revoke_object_url` when done.
pub fn object_url(bytes: &[u8], mime: &str) -> Option<String> {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options).ok()?;
    web_sys::Url::create_object_url_with_blob(&blob).ok()
}

/// Hands bytes to the browser as a download named `name` (a document fetched with the caller's
/// credentials, which a plain link would not carry).
pub fn save_bytes(name: &str, mime: &str, bytes: &[u8]) {
    use wasm_bindgen::JsCast;
    let Some(href) = object_url(bytes, mime) else {
        return;
    };
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if let Ok(link) = document.create_element("a") {
        let _ = link.set_attribute("href", &href);
        let _ = link.set_attribute("download", name);
        if let Ok(link) = link.dyn_into::<web_sys::HtmlElement>() {
            link.click();
        }
    }
    // The click has started the download; the URL may go once it is read.
    let revoke = wasm_bindgen::closure::Closure::once_into_js(move || {
        let _ = web_sys::Url::revoke_object_url(&href);
    });
    if let Some(w) = web_sys::window() {
        let _ =
            w.set_timeout_with_callback_and_timeout_and_arguments_0(revoke.unchecked_ref(), 10_000);
    }
}

/// Hands `text` to the browser as a download named `name` (a CSV export): a link to the text
/// itself, clicked. Excel needs the byte-order mark to read UTF-8, which reading the answer as
/// text took off.
pub fn save_file(name: &str, mime: &str, text: &str) {
    use wasm_bindgen::JsCast;
    let body = if text.starts_with('\u{feff}') {
        text.to_string()
    } else {
        format!("\u{feff}{text}")
    };
    let href = format!(
        "data:{mime},{}",
        String::from(js_sys::encode_uri_component(&body))
    );
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Ok(link) = document.create_element("a") else {
        return;
    };
    let _ = link.set_attribute("href", &href);
    let _ = link.set_attribute("download", name);
    if let Ok(link) = link.dyn_into::<web_sys::HtmlElement>() {
        link.click();
    }
}
