//! Importing customers, their contacts or their orders from a spreadsheet: the template, a check of the file (a
//! dry run that lists every refused row), then the import itself with a progress bar while its
//! batches are made.

use crate::api::use_api;
use crate::components::ErrorLine;
use crate::i18n::*;
use crm_domain::api::{Import, ImportKind, ImportStatus};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

/// Rows of errors shown at most (the rest are counted).
const SHOWN: usize = 200;

#[component]
pub fn ImportPage() -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let file = RwSignal::new(None::<web_sys::File>);
    let result = RwSignal::new(None::<Import>);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    // `?kind=contacts` opens the page on contacts.
    let asked = use_query_map().with_untracked(|q| q.get("kind"));
    let kind = RwSignal::new(
        asked
            .as_deref()
            .and_then(ImportKind::parse)
            .unwrap_or(ImportKind::Customers),
    );

    // Reads a running import again every half second until it is done.
    fn follow(
        api: crate::api::Api,
        id: i64,
        result: RwSignal<Option<Import>>,
        error: RwSignal<Option<String>>,
    ) {
        set_timeout(
            move || {
                spawn_local(async move {
                    match api.import(id).await {
                        Ok(now) => {
                            let running = now.status == ImportStatus::Running;
                            result.set(Some(now));
                            if running {
                                follow(api, id, result, error);
                            }
                        }
                        Err(e) => error.set(Some(e.display())),
                    }
                });
            },
            std::time::Duration::from_millis(500),
        );
    }

    let send = move |dry_run: bool| {
        let Some(chosen) = file.get_untracked() else {
            return;
        };
        busy.set(true);
        result.set(None);
        let kind = kind.get_untracked();
        spawn_local(async move {
            match api.start_import(kind, &chosen, dry_run).await {
                Ok(started) => {
                    error.set(None);
                    let (id, running) = (started.id, started.status == ImportStatus::Running);
                    result.set(Some(started));
                    if running {
                        follow(api, id, result, error);
                    }
                }
                Err(e) => error.set(Some(e.display())),
            }
            busy.set(false);
        });
    };
    let template = move |_| {
        let kind = kind.get_untracked();
        spawn_local(async move {
            match api.import_template(kind).await {
                Ok(bytes) => crate::components::save_bytes(
                    &format!("{}-template.xlsx", kind.as_str()),
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    &bytes,
                ),
                Err(e) => error.set(Some(e.display())),
            }
        });
    };
    let on_pick = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        file.set(input.files().and_then(|f| f.get(0)));
        result.set(None);
    };
    let running = move || {
        result.with(|r| {
            r.as_ref()
                .is_some_and(|r| r.status == ImportStatus::Running)
        })
    };
    view! {
        <section class="card import-page">
            <div class="title-row">
                <h1>{move || t_string!(i18n, imp.title)}</h1>
                <A href="/customers" attr:class="button">{move || t_string!(i18n, imp.back)}</A>
            </div>
            <label class="import-kind">{move || t_string!(i18n, imp.what)}" "
                <select name="kind" on:change=move |ev| {
                    if let Some(k) = ImportKind::parse(&event_target_value(&ev)) {
                        kind.set(k);
                        result.set(None);
                    }
                }>
                    {ImportKind::ALL.iter().map(|k| {
                        let k = *k;
                        view! {
                            <option value=k.as_str() selected=move || kind.get() == k>
                                {move || crate::components::labels::import_kind(i18n, k)}
                            </option>
                        }
                    }).collect_view()}
                </select>
            </label>
            <p class="hint">{move || match kind.get() {
                ImportKind::Customers => t_string!(i18n, imp.hint).to_string(),
                ImportKind::Contacts => t_string!(i18n, imp.hint_contacts).to_string(),
                ImportKind::Orders => t_string!(i18n, imp.hint_orders).to_string(),
            }}</p>
            <p><button type="button" name="template" on:click=template>{move || t_string!(i18n, imp.template)}</button></p>
            <div class="inline-form">
                <input type="file" name="import_file" accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" on:change=on_pick />
                <button type="button" name="check" disabled=move || busy.get() || running() || file.with(Option::is_none)
                    on:click=move |_| send(true)>{move || t_string!(i18n, imp.check)}</button>
                <button type="button" name="import" class="primary" disabled=move || busy.get() || running() || file.with(Option::is_none)
                    on:click=move |_| send(false)>{move || t_string!(i18n, imp.run)}</button>
            </div>
            <ErrorLine error=error />
            {move || result.get().map(|r| view! { <Outcome import=r /> })}
        </section>
    }
}

/// A column of a kind's file by its header in the app's language (`owner` → 负责人 / Owner).
fn column_words(i18n: crate::format::I18n, kind: ImportKind, field: &str) -> String {
    let lang = crate::format::lang(i18n);
    kind.columns()
        .iter()
        .find(|c| c.field == field)
        .map_or_else(
            || field.to_string(),
            |c| crm_domain::Msg::pick(c.zh, c.en, lang).to_string(),
        )
}

/// What a check or an import found, and how far an import is.
#[component]
fn Outcome(import: Import) -> impl IntoView {
    let i18n = use_i18n();
    let running = import.status == ImportStatus::Running;
    let (total, valid, processed, created) =
        (import.total, import.valid, import.processed, import.created);
    let errors = import.errors.len();
    let unknown = import.unknown_columns.join("、");
    let dry_run = import.dry_run;
    let kind = import.kind;
    let failed = import.status == ImportStatus::Failed;
    let rows: Vec<_> = import.errors.into_iter().take(SHOWN).collect();
    view! {
        <div class="import-outcome" data-status=import.status.as_str()>
            <Show when=move || running>
                <progress max=total.max(1) value=processed></progress>
            </Show>
            <p class="import-summary">
                {move || if dry_run {
                    t_string!(i18n, imp.checked, total = total, valid = valid, errors = errors).to_string()
                } else if running {
                    t_string!(i18n, imp.progress, processed = processed, total = total, created = created).to_string()
                } else if failed {
                    t_string!(i18n, imp.failed, created = created).to_string()
                } else {
                    t_string!(i18n, imp.done, created = created, errors = errors).to_string()
                }}
            </p>
            <Show when=move || { !dry_run && !running && created > 0 }>
                {match kind {
                    ImportKind::Orders => view! {
                        <p><A href="/orders">{move || t_string!(i18n, imp.see_orders)}</A></p>
                    }.into_any(),
                    _ => view! {
                        <p><A href="/customers">{move || t_string!(i18n, imp.see)}</A></p>
                    }.into_any(),
                }}
            </Show>
            <Show when={let unknown = unknown.clone(); move || !unknown.is_empty()}>
                <p class="hint">{move || t_string!(i18n, imp.unknown)}" "{unknown.clone()}</p>
            </Show>
            <Show when=move || errors != 0>
                <table class="grid import-errors">
                    <thead><tr>
                        <th>{move || t_string!(i18n, imp.row)}</th>
                        <th>{move || t_string!(i18n, imp.field)}</th>
                        <th>{move || t_string!(i18n, imp.problem)}</th>
                    </tr></thead>
                    <tbody>
                        {rows.iter().map(|e| {
                            let field = e.field.clone();
                            let column = move || column_words(i18n, kind, &field);
                            view! {
                                <tr data-row=e.row data-field=e.field.clone()><td>{e.row}</td><td>{column}</td><td>{e.message.clone()}</td></tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
                <Show when=move || { errors > SHOWN }>
                    <p class="hint">{move || t_string!(i18n, imp.more, n = errors - SHOWN).to_string()}</p>
                </Show>
            </Show>
        </div>
    }
}
