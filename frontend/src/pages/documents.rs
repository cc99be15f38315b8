//! 文档资料: a record's documents (on the customer, deal, order, ticket and article pages) with
//! drag-and-drop upload and its progress, downloads, thumbnails of images, and a document's own
//! page (where the global search leads).

use crate::api::use_api;
use crate::components::{ErrorLine, confirm, object_url, run, save_bytes, when};
use crate::i18n::*;
use crate::state::use_session;
use crm_domain::Permission;
use crm_domain::api::{Document, DocumentQuery};
use crm_domain::document::DocumentOf;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;

/// Where the record of a document opens.
pub fn record_href(of: DocumentOf) -> String {
    match of {
        DocumentOf::Customer(id) => format!("/customers/{id}"),
        DocumentOf::Opportunity(id) => format!("/opportunities/{id}"),
        DocumentOf::Order(id) => format!("/orders/{id}"),
        DocumentOf::Ticket(id) => format!("/tickets/{id}"),
        DocumentOf::Article(id) => format!("/knowledge/{id}"),
    }
}

/// A size in the units people read.
pub fn size_text(bytes: i64) -> String {
    let b = bytes as f64;
    if b < 1024.0 {
        format!("{bytes} B")
    } else if b < 1024.0 * 1024.0 {
        format!("{:.1} KB", b / 1024.0)
    } else {
        format!("{:.1} MB", b / 1024.0 / 1024.0)
    }
}

/// Downloads a document under its own name.
fn download(api: crate::api::Api, error: RwSignal<Option<String>>, d: &Document) {
    let (id, name, mime) = (d.id, d.file_name.clone(), d.content_type.clone());
    run(
        error,
        move || async move { api.document_content(id).await },
        move |bytes| save_bytes(&name, &mime, &bytes),
    );
}

/// An image document's thumbnail, fetched with the caller's credentials.
#[component]
fn Thumb(id: i64, alt: String) -> impl IntoView {
    let api = use_api();
    let src = LocalResource::new(move || async move {
        let bytes = api.document_thumbnail(id).await.ok()?;
        object_url(&bytes, "image/png")
    });
    on_cleanup(move || {
        if let Some(Some(url)) = src.get_untracked() {
            let _ = web_sys::Url::revoke_object_url(&url);
        }
    });
    view! {
        {move || src.get().flatten().map(|url| view! { <img class="doc-thumb" src=url alt=alt.clone() /> })}
    }
}

/// A record's documents: the list, newest first, and (for who may attach) a drop zone.
#[component]
pub fn Documents(#[prop(into)] of: Signal<DocumentOf>) -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let session = use_session();
    let reload = RwSignal::new(0u32);
    let error = RwSignal::new(None::<String>);
    let progress = RwSignal::new(None::<(String, f64)>);
    let dragging = RwSignal::new(false);
    let docs = LocalResource::new(move || {
        reload.get();
        let (customer_id, opportunity_id, order_id, ticket_id, article_id) = of.get().ids();
        let q = DocumentQuery {
            customer_id,
            opportunity_id,
            order_id,
            ticket_id,
            article_id,
            limit: Some(100),
            ..Default::default()
        };
        async move { api.documents(&q).await.map(|p| p.items) }
    });
    let may_attach = move || match of.get() {
        DocumentOf::Article(_) => session.can(Permission::KnowledgeWrite),
        _ => true,
    };
    let me = move || session.me.get().map(|m| m.id);
    let upload = move |files: web_sys::FileList| {
        let target = of.get_untracked();
        let files: Vec<web_sys::File> = (0..files.length()).filter_map(|i| files.get(i)).collect();
        spawn_local(async move {
            for file in files {
                let name = file.name();
                progress.set(Some((name.clone(), 0.0)));
                let shown = name.clone();
                let result = api
                    .upload_document(target, &file, move |share| {
                        progress.set(Some((shown.clone(), share)));
                    })
                    .await;
                progress.set(None);
                match result {
                    Ok(_) => error.set(None),
                    Err(e) => {
                        error.set(Some(format!("{name}: {}", e.display())));
                        break;
                    }
                }
            }
            reload.update(|n| *n += 1);
        });
    };
    let on_pick = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        if let Some(files) = input.files() {
            upload(files);
        }
        input.set_value("");
    };
    let on_drop = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        dragging.set(false);
        if let Some(files) = ev.data_transfer().and_then(|d| d.files()) {
            upload(files);
        }
    };
    let remove = move |id: i64| {
        if !confirm(t_string!(i18n, doc.confirm_delete)) {
            return;
        }
        run(
            error,
            move || async move { api.delete_document(id).await },
            move |()| reload.update(|n| *n += 1),
        );
    };
    view! {
        <section class="card documents">
            <h2>{move || t_string!(i18n, doc.title)}</h2>
            <ErrorLine error=error />
            <Show when=may_attach>
                <label
                    class="dropzone"
                    class:dragging=move || dragging.get()
                    on:dragover=move |ev: leptos::ev::DragEvent| { ev.prevent_default(); dragging.set(true); }
                    on:dragleave=move |_| dragging.set(false)
                    on:drop=on_drop
                >
                    <input type="file" name="document_file" multiple on:change=on_pick />
                    <span>{move || t_string!(i18n, doc.drop)}</span>
                    <small>{move || t_string!(i18n, doc.kinds)}</small>
                </label>
            </Show>
            {move || progress.get().map(|(name, share)| view! {
                <div class="upload-progress" role="status">
                    <span>{move || t_string!(i18n, doc.uploading)}" "{name.clone()}</span>
                    <progress max="100" value=(share * 100.0).round()></progress>
                </div>
            })}
            {move || docs.get().map(|r| match r {
                Err(e) => view! { <p class="error" role="alert">{e.display()}</p> }.into_any(),
                Ok(list) if list.is_empty() => view! { <p class="muted">{move || t_string!(i18n, doc.empty)}</p> }.into_any(),
                Ok(list) => view! {
                    <ul class="doc-list">
                        {list.into_iter().map(|d| {
                            let deletable = me() == Some(d.uploaded_by.id) || session.can(d.attached_to.edit_permission());
                            let id = d.id;
                            let at = d.created_at;
                            let doc = d.clone();
                            view! {
                                <li>
                                    {d.has_thumbnail.then(|| view! { <Thumb id=id alt=d.title.clone() /> })}
                                    <div class="doc-main">
                                        <A href=format!("/documents/{id}") attr:class="doc-title">{d.title.clone()}</A>
                                        <small class="muted">
                                            {format!("{} · {} · {} · ", d.file_name, size_text(d.size_bytes), d.uploaded_by.name)}
                                            {move || when(i18n, at)}
                                        </small>
                                    </div>
                                    <div class="doc-actions">
                                        <button type="button" name="download" on:click=move |_| download(api, error, &doc)>
                                            {move || t_string!(i18n, doc.download)}
                                        </button>
                                        <Show when=move || deletable>
                                            <button type="button" class="danger" name="delete_document" on:click=move |_| remove(id)>
                                                {move || t_string!(i18n, common.delete)}
                                            </button>
                                        </Show>
                                    </div>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any(),
            })}
        </section>
    }
}

/// One document: what it is, where it belongs, its picture, download and delete.
#[component]
pub fn DocumentPage() -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let session = use_session();
    let id = crate::components::route_id();
    let error = RwSignal::new(None::<String>);
    let navigate = leptos_router::hooks::use_navigate();
    let doc = LocalResource::new(move || {
        let id = id();
        async move { api.document(id).await }
    });
    view! {
        <ErrorLine error=error />
        {move || doc.get().map(|r| match r {
            Err(e) => view! { <section class="card"><p class="error" role="alert">{e.display()}</p></section> }.into_any(),
            Ok(d) => {
                let at = d.created_at;
                let deletable = session.me.get().map(|m| m.id) == Some(d.uploaded_by.id)
                    || session.can(d.attached_to.edit_permission());
                let back = record_href(d.attached_to);
                let after_delete = back.clone();
                let navigate = navigate.clone();
                let id = d.id;
                let remove = move |_| {
                    if !confirm(t_string!(i18n, doc.confirm_delete)) {
                        return;
                    }
                    let (navigate, to) = (navigate.clone(), after_delete.clone());
                    run(
                        error,
                        move || async move { api.delete_document(id).await },
                        move |()| navigate(&to, Default::default()),
                    );
                };
                let shown = d.clone();
                view! {
                    <section class="card">
                        <div class="title-row">
                            <h1>{d.title.clone()}</h1>
                        </div>
                        {d.has_thumbnail.then(|| view! { <Thumb id=d.id alt=d.title.clone() /> })}
                        <dl class="facts">
                            <dt>{move || t_string!(i18n, doc.attached_to)}</dt>
                            <dd><A href=back>{d.attached_name.clone()}</A></dd>
                            <dt>{move || t_string!(i18n, doc.file)}</dt><dd>{d.file_name.clone()}</dd>
                            <dt>{move || t_string!(i18n, doc.kind)}</dt><dd>{d.content_type.clone()}</dd>
                            <dt>{move || t_string!(i18n, doc.size)}</dt><dd>{size_text(d.size_bytes)}</dd>
                            <dt>{move || t_string!(i18n, doc.uploaded_by)}</dt><dd>{d.uploaded_by.name.clone()}</dd>
                            <dt>{move || t_string!(i18n, doc.uploaded_at)}</dt><dd>{move || when(i18n, at)}</dd>
                            <dt>"SHA-256"</dt><dd class="mono">{d.sha256.clone()}</dd>
                        </dl>
                        <div class="actions">
                            <button type="button" name="download" on:click=move |_| download(api, error, &shown)>
                                {move || t_string!(i18n, doc.download)}
                            </button>
                            <Show when=move || deletable>
                                <button type="button" class="danger" name="delete_document" on:click=remove.clone()>
                                    {move || t_string!(i18n, common.delete)}
                                </button>
                            </Show>
                        </div>
                    </section>
                }.into_any()
            }
        })}
    }
}
