//! The "Export" menu of a list: the list's current filters, as an Excel workbook or CSV, for those
//! who hold `data.export`.

use crate::api::use_api;
use crate::format::I18n;
use crate::i18n::*;
use crate::state::use_session;
use crm_domain::api::{ExportFormat, ExportKind};
use crm_domain::permissions::Permission;
use leptos::prelude::*;

fn kind_words(i18n: I18n, kind: ExportKind) -> &'static str {
    match kind {
        ExportKind::Customers => t_string!(i18n, export.customers),
        ExportKind::Contacts => t_string!(i18n, export.contacts),
        ExportKind::Orders => t_string!(i18n, export.orders),
        ExportKind::Activities => t_string!(i18n, export.activities),
        ExportKind::Receivables => t_string!(i18n, export.receivables),
    }
}

/// A menu with a button per kind and format; each kind comes with its list's filters as a query
/// string (without `limit` and `cursor`: see [`crate::api::filters`]), read when pressed.
#[component]
pub fn ExportMenu(choices: Vec<(ExportKind, Signal<String>)>) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let api = use_api();
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let start = move |kind: ExportKind, query: Signal<String>, format: ExportFormat| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        let q = query.get_untracked();
        leptos::task::spawn_local(async move {
            match api.export(kind, &q, format).await {
                Ok(bytes) => {
                    error.set(None);
                    let day = super::local_today().format("%Y%m%d");
                    let name = format!("{}-{day}.{}", kind.as_str(), format.as_str());
                    super::save_bytes(&name, format.media_type(), &bytes);
                }
                Err(e) => error.set(Some(e.display())),
            }
            busy.set(false);
        });
    };
    view! {
        <Show when=move || session.can(Permission::DataExport)>
            <details class="export-menu">
                <summary class="button">{move || if busy.get() { t_string!(i18n, export.running) } else { t_string!(i18n, export.title) }}</summary>
                <div class="export-choices">
                    {choices.iter().copied().map(|(kind, query)| view! {
                        <div class="export-choice">
                            <span>{move || kind_words(i18n, kind)}</span>
                            <button type="button" name=format!("export-{}-xlsx", kind.as_str()) disabled=move || busy.get()
                                on:click=move |_| start(kind, query, ExportFormat::Xlsx)>"Excel"</button>
                            <button type="button" name=format!("export-{}-csv", kind.as_str()) disabled=move || busy.get()
                                on:click=move |_| start(kind, query, ExportFormat::Csv)>"CSV"</button>
                        </div>
                    }).collect_view()}
                </div>
                <super::ErrorLine error=error />
            </details>
        </Show>
    }
}
