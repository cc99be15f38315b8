//! 知识管理: the knowledge centre (knowledge base, FAQ and sales bulletins as tabs, categories,
//! search, pinned first), an article with its "was this helpful" votes and history, the editor with
//! the server's own preview, the global search's results, and the bulletin strip of Today.
//! Bodies are shown as the server's sanitised HTML (`body_html`), never as HTML the app made.

use crate::api::use_api;
use crate::components::{
    ErrorLine, History, Paged, check, confirm, dictionary, entry_name, labels, route_id, run,
    searched, when,
};
use crate::i18n::*;
use crate::state::use_session;
use crm_domain::Permission;
use crm_domain::api::{
    Article, ArticleItem, ArticlePatch, ArticleQuery, ArticleVote, DictionaryKind, MarkdownPreview,
    NewArticle, PageQuery, SearchHit, SearchKind, SearchQuery,
};
use crm_domain::document::DocumentOf;
use crm_domain::knowledge::{ArticleKind, ArticleStatus};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};

/// Where a search hit opens.
fn hit_href(h: &SearchHit) -> String {
    match h.kind {
        SearchKind::Customer => format!("/customers/{}", h.id),
        SearchKind::Contact => format!("/customers/{}", h.customer_id.unwrap_or_default()),
        SearchKind::Opportunity => format!("/opportunities/{}", h.id),
        SearchKind::Article => format!("/knowledge/{}", h.id),
        SearchKind::Competitor => format!("/competitors/{}", h.id),
        SearchKind::Document => format!("/documents/{}", h.id),
    }
}

/// A text with every occurrence of `q` (ignoring ASCII case) marked.
fn marked(text: &str, q: &str) -> impl IntoView + use<> {
    let q = q.trim().to_lowercase();
    let mut parts: Vec<AnyView> = Vec::new();
    let lower = text.to_lowercase();
    if q.is_empty() || lower.len() != text.len() {
        return view! { <span>{text.to_string()}</span> }.into_any();
    }
    let mut at = 0;
    while let Some(found) = lower[at..].find(&q) {
        let start = at + found;
        let end = start + q.len();
        parts.push(text[at..start].to_string().into_any());
        parts.push(view! { <mark>{text[start..end].to_string()}</mark> }.into_any());
        at = end;
    }
    parts.push(text[at..].to_string().into_any());
    view! { <span>{parts}</span> }.into_any()
}

/// The hits of a search grouped by kind, in the server's order.
fn grouped(i18n: crate::format::I18n, hits: Vec<SearchHit>, q: String) -> impl IntoView {
    let mut groups: Vec<(SearchKind, Vec<SearchHit>)> = Vec::new();
    for h in hits {
        match groups.iter_mut().find(|(k, _)| *k == h.kind) {
            Some((_, list)) => list.push(h),
            None => groups.push((h.kind, vec![h])),
        }
    }
    if groups.is_empty() {
        return view! { <p class="muted">{move || t_string!(i18n, kb.no_hits)}</p> }.into_any();
    }
    groups
        .into_iter()
        .map(|(kind, list)| {
            let q = q.clone();
            view! {
                <div class="search-group" data-kind=format!("{kind:?}").to_lowercase()>
                    <h3>{move || labels::search_kind(i18n, kind)}</h3>
                    <ul>
                        {list.into_iter().map(|h| {
                            let href = hit_href(&h);
                            let title = marked(&h.title, &q);
                            let snippet = h.snippet.map(|s| marked(&s, &q));
                            view! {
                                <li>
                                    <A href=href attr:class="hit-title">{title}</A>
                                    {snippet.map(|s| view! { <div class="snippet">{s}</div> })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                </div>
            }
        })
        .collect_view()
        .into_any()
}

/// The app shell's search box: `/` focuses it, results grouped by kind show as one types, Enter
/// opens the full results.
#[component]
pub fn GlobalSearch() -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let q = RwSignal::new(String::new());
    let open = RwSignal::new(false);
    let input = NodeRef::<leptos::html::Input>::new();
    let results = searched(
        move || q.get().trim().to_string(),
        move |text: String| async move {
            if text.chars().count() < 2 {
                return Ok(None);
            }
            let query = SearchQuery {
                q: text,
                per_kind: Some(5),
            };
            api.search(&query).await.map(Some)
        },
    );
    let handle = window_event_listener(leptos::ev::keydown, move |ev| {
        let typing = ev
            .target()
            .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(t).ok())
            .is_some_and(|el| {
                matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
                    || el.is_content_editable()
            });
        if ev.key() == "/" && !typing {
            ev.prevent_default();
            if let Some(el) = input.get() {
                let _ = el.focus();
            }
        }
    });
    on_cleanup(move || handle.remove());
    let navigate = use_navigate();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = q.get_untracked();
        if text.trim().chars().count() >= 2 {
            open.set(false);
            navigate(
                &format!("/search?q={}", js_sys::encode_uri_component(text.trim())),
                Default::default(),
            );
        }
    };
    view! {
        <form class="global-search" role="search" on:submit=submit>
            <input node_ref=input type="search" name="global_q" autocomplete="off" maxlength="64"
                placeholder=move || t_string!(i18n, kb.search_everything)
                aria-label=move || t_string!(i18n, kb.search_everything)
                bind:value=q
                on:focus=move |_| open.set(true)
                on:input=move |_| open.set(true)
                on:keydown=move |ev| if ev.key() == "Escape" { open.set(false) } />
            <Show when=move || open.get() && q.with(|t| t.trim().chars().count() >= 2)>
                <div class="search-popover" on:click=move |_| open.set(false)>
                    {move || results.get().map(|r| match r {
                        Ok(Some(found)) => grouped(i18n, found.items, q.get_untracked()).into_any(),
                        Ok(None) => ().into_any(),
                        Err(e) => view! { <p class="error" role="alert">{e.display()}</p> }.into_any(),
                    })}
                </div>
            </Show>
        </form>
    }
}

/// `/search?q=`: every kind's hits, ten of each.
#[component]
pub fn SearchPage() -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let query = use_query_map();
    let text = move || query.with(|m| m.get("q").unwrap_or_default());
    let results = LocalResource::new(move || {
        let q = text();
        async move {
            let query = SearchQuery {
                q,
                per_kind: Some(10),
            };
            api.search(&query).await
        }
    });
    view! {
        <section class="card search-page">
            <h1>{move || t_string!(i18n, kb.results_for)}" “"{text}"”"</h1>
            {move || results.get().map(|r| match r {
                Ok(found) => grouped(i18n, found.items, text()).into_any(),
                Err(e) => view! { <p class="error" role="alert">{e.display()}</p> }.into_any(),
            })}
        </section>
    }
}

/// An FAQ question that folds open to its answer (fetched when first opened: opening counts the
/// reader).
#[component]
fn FaqItem(item: ArticleItem) -> impl IntoView {
    let api = use_api();
    let i18n = use_i18n();
    let answer = RwSignal::new(None::<Article>);
    let id = item.id;
    let toggle = move |ev: leptos::ev::Event| {
        let opened = wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlDetailsElement>(event_target::<
            web_sys::EventTarget,
        >(&ev))
        .map(|d| d.open())
        .unwrap_or(false);
        if opened && answer.with_untracked(Option::is_none) {
            spawn_local(async move {
                if let Ok(a) = api.article(id).await {
                    answer.set(Some(a));
                }
            });
        }
    };
    view! {
        <details class="faq" data-article=id.to_string() on:toggle=toggle>
            <summary>
                {item.pinned.then(|| view! { <span class="badge pinned">{move || t_string!(i18n, kb.pinned)}</span> })}
                {(item.status == ArticleStatus::Draft).then(|| view! { <span class="badge draft">{move || labels::article_status(i18n, ArticleStatus::Draft)}</span> })}
                {item.title.clone()}
            </summary>
            {move || match answer.get() {
                Some(a) => view! {
                    <div class="article-body" inner_html=a.body_html.clone()></div>
                    <A href=format!("/knowledge/{id}") attr:class="more-link">{move || t_string!(i18n, kb.open)}</A>
                }.into_any(),
                None => view! { <p class="muted">{move || t_string!(i18n, common.loading)}</p> }.into_any(),
            }}
        </details>
    }
}

/// A category's name in the reader's language (the server names it in Chinese).
fn category_name(
    i18n: crate::format::I18n,
    categories: &[crm_domain::api::DictionaryItem],
    c: &crm_domain::api::IdName,
) -> String {
    categories
        .iter()
        .find(|d| d.id == c.id)
        .map(|d| entry_name(i18n, d))
        .unwrap_or_else(|| c.name.clone())
}

#[component]
fn ArticleCard(
    item: ArticleItem,
    categories: LocalResource<Vec<crm_domain::api::DictionaryItem>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let at = item.published_at.unwrap_or(item.updated_at);
    view! {
        <article class="article-card" class:unread=!item.read data-article=item.id.to_string()>
            <h3>
                {item.pinned.then(|| view! { <span class="badge pinned">{move || t_string!(i18n, kb.pinned)}</span> })}
                {(item.status == ArticleStatus::Draft).then(|| view! { <span class="badge draft">{move || labels::article_status(i18n, ArticleStatus::Draft)}</span> })}
                <A href=format!("/knowledge/{}", item.id)>{item.title.clone()}</A>
            </h3>
            <p class="excerpt">{item.excerpt.clone()}</p>
            <p class="meta">
                {item.category.clone().map(|c| view! { <span class="tag">{move || category_name(i18n, &categories.get().unwrap_or_default(), &c)}</span> })}
                {item.tags.iter().map(|t| view! { <span class="tag">"#"{t.clone()}</span> }).collect_view()}
                <span>{item.author.name.clone()}</span>
                <span>{move || when(i18n, at)}</span>
                <span>{move || t_string!(i18n, kb.reads)}": "{item.read_count}</span>
            </p>
        </article>
    }
}

/// The knowledge centre.
#[component]
pub fn KnowledgePage() -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let session = use_session();
    let query = use_query_map();
    let kind = move || {
        query.with(|m| {
            m.get("kind")
                .and_then(|k| ArticleKind::parse(&k))
                .unwrap_or(ArticleKind::Kb)
        })
    };
    let category = RwSignal::new(None::<i64>);
    let text = RwSignal::new(String::new());
    let categories = dictionary(api, DictionaryKind::ArticleCategory);
    let paged = Paged::<ArticleItem>::new();
    let filters = move || ArticleQuery {
        kind: Some(kind()),
        category_id: category.get(),
        q: Some(text.get().trim().to_string()).filter(|t| !t.is_empty()),
        limit: Some(30),
        ..Default::default()
    };
    paged.follow(searched(
        filters,
        move |q| async move { api.articles(&q).await },
    ));
    let more = move |_| {
        let q = filters();
        paged.load(
            move |cursor| async move { api.articles(&ArticleQuery { cursor, ..q }).await },
            true,
        )
    };
    let writer = move || session.can(Permission::KnowledgeWrite);
    view! {
        <section class="card knowledge">
            <div class="title-row">
                <h1>{move || t_string!(i18n, nav.knowledge)}</h1>
                <span class="spacer"></span>
                {move || if writer() {
                    view! { <A href=format!("/knowledge/new?kind={}", kind().as_str()) attr:class="button primary">{move || t_string!(i18n, kb.new)}</A> }.into_any()
                } else {
                    view! { <A href="/knowledge/new?kind=faq" attr:class="button">{move || t_string!(i18n, kb.suggest_faq)}</A> }.into_any()
                }}
            </div>
            <nav class="tabs" role="tablist">
                {ArticleKind::ALL.iter().map(|&k| view! {
                    <A href=format!("/knowledge?kind={}", k.as_str()) attr:class=move || if kind() == k { "tab active" } else { "tab" } attr:role="tab">
                        {move || labels::article_kind(i18n, k)}
                    </A>
                }).collect_view()}
                <A href="/competitors" attr:class="tab">{move || t_string!(i18n, nav.competitors)}</A>
            </nav>
            <div class="filters">
                <input type="search" name="q" maxlength="64" placeholder=move || t_string!(i18n, kb.search) bind:value=text />
                <select name="category_id" on:change=move |ev| category.set(event_target_value(&ev).parse().ok())>
                    <option value="">{move || t_string!(i18n, kb.all_categories)}</option>
                    {move || categories.get().unwrap_or_default().into_iter().filter(|c| c.enabled).map(|c| {
                        let name = entry_name(i18n, &c);
                        view! { <option value=c.id.to_string()>{name}</option> }
                    }).collect_view()}
                </select>
            </div>
            {move || paged.error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <div class="article-list">
                {move || {
                    let items = paged.items.get();
                    if items.is_empty() {
                        return view! { <p class="muted">{move || t_string!(i18n, kb.empty)}</p> }.into_any();
                    }
                    if kind() == ArticleKind::Faq {
                        items.into_iter().map(|x| view! { <FaqItem item=x /> }).collect_view().into_any()
                    } else {
                        items.into_iter().map(|x| view! { <ArticleCard item=x categories=categories /> }).collect_view().into_any()
                    }
                }}
            </div>
            <Show when=move || paged.has_more()>
                <button class="more" on:click=more>{move || t_string!(i18n, common.more)}</button>
            </Show>
        </section>
    }
}

/// An article: its body as the server rendered it, who wrote it, the votes, and its edits.
#[component]
pub fn ArticlePage() -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let session = use_session();
    let id = route_id();
    let categories = dictionary(api, DictionaryKind::ArticleCategory);
    let article = RwSignal::new(None::<Article>);
    let error = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        let id = id();
        run(
            error,
            move || async move { api.article(id).await },
            move |a| article.set(Some(a)),
        );
    });
    let history = LocalResource::new(move || {
        article.with(|a| a.as_ref().map(|a| a.version));
        let id = id();
        async move {
            api.article_history(id, &PageQuery::default())
                .await
                .map(|p| p.items)
                .unwrap_or_default()
        }
    });
    let vote = move |helpful: bool| {
        let id = id();
        run(
            error,
            move || async move { api.vote_article(id, &ArticleVote { helpful }).await },
            move |a| article.set(Some(a)),
        );
    };
    let navigate = use_navigate();
    let remove = move |_| {
        if !confirm(t_string!(i18n, common.confirm_delete)) {
            return;
        }
        let id = id();
        let navigate = navigate.clone();
        spawn_local(async move {
            match api.delete_article(id).await {
                Ok(()) => navigate("/knowledge", Default::default()),
                Err(e) => error.set(Some(e.display())),
            }
        });
    };
    let me = move || session.me.with(|m| m.as_ref().map(|m| m.id)).unwrap_or(0);
    view! {
        <section class="card article-page">
            <ErrorLine error=error />
            {move || article.get().map(|a| {
                let remove = remove.clone();
                let may_edit = session.can(Permission::KnowledgeWrite)
                    || (a.author.id == me() && a.status == ArticleStatus::Draft);
                let at = a.published_at.unwrap_or(a.updated_at);
                let (up, down, mine) = (a.helpful, a.unhelpful, a.my_vote);
                let published = a.status == ArticleStatus::Published;
                view! {
                    <p class="crumbs"><A href=format!("/knowledge?kind={}", a.kind.as_str())>{move || labels::article_kind(i18n, a.kind)}</A></p>
                    <h1>
                        {(a.status == ArticleStatus::Draft).then(|| view! { <span class="badge draft">{move || labels::article_status(i18n, ArticleStatus::Draft)}</span> })}
                        {a.title.clone()}
                    </h1>
                    <p class="meta">
                        {a.category.clone().map(|c| view! { <span class="tag">{move || category_name(i18n, &categories.get().unwrap_or_default(), &c)}</span> })}
                        {a.tags.iter().map(|t| view! { <span class="tag">"#"{t.clone()}</span> }).collect_view()}
                        <span>{a.author.name.clone()}</span>
                        <span>{move || when(i18n, at)}</span>
                        <span>{move || t_string!(i18n, kb.reads)}": "{a.read_count}</span>
                    </p>
                    <div class="article-body" inner_html=a.body_html.clone()></div>
                    <Show when=move || published>
                        <div class="votes">
                            <span>{move || t_string!(i18n, kb.helpful_q)}</span>
                            <button name="helpful" class:chosen=mine == Some(true) on:click=move |_| vote(true)>{move || t_string!(i18n, kb.helpful)}" · "{up}</button>
                            <button name="unhelpful" class:chosen=mine == Some(false) on:click=move |_| vote(false)>{move || t_string!(i18n, kb.unhelpful)}" · "{down}</button>
                        </div>
                    </Show>
                    {may_edit.then(|| view! {
                        <div class="actions">
                            <A href=format!("/knowledge/{}/edit", a.id) attr:class="button">{move || t_string!(i18n, common.edit)}</A>
                            <button class="danger" on:click=remove>{move || t_string!(i18n, common.delete)}</button>
                        </div>
                    })}
                }
            })}
            <h2>{move || t_string!(i18n, kb.history)}</h2>
            <History entries=Signal::derive(move || history.get().unwrap_or_default()) />
        </section>
        <crate::pages::documents::Documents of=Signal::derive(move || DocumentOf::Article(id())) />
    }
}

/// Writes a new article (`/knowledge/new?kind=`) or edits one (`/knowledge/:id/edit`), with the
/// preview the server renders.
#[component]
pub fn ArticleEditPage() -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let session = use_session();
    let id = route_id();
    let query = use_query_map();
    let writer = session.can(Permission::KnowledgeWrite);
    let kind = RwSignal::new(
        query
            .with_untracked(|m| m.get("kind").and_then(|k| ArticleKind::parse(&k)))
            .unwrap_or(if writer {
                ArticleKind::Kb
            } else {
                ArticleKind::Faq
            }),
    );
    let (title, body, tags) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let category = RwSignal::new(None::<i64>);
    let pinned = RwSignal::new(false);
    let publish = RwSignal::new(writer);
    let version = RwSignal::new(None::<i32>);
    let error = RwSignal::new(None::<String>);
    let preview = RwSignal::new(None::<String>);
    let categories = dictionary(api, DictionaryKind::ArticleCategory);
    Effect::new(move |_| {
        let id = id();
        if id == 0 {
            return;
        }
        run(
            error,
            move || async move { api.article(id).await },
            move |a: Article| {
                kind.set(a.kind);
                title.set(a.title);
                body.set(a.body);
                tags.set(a.tags.join(", "));
                category.set(a.category.map(|c| c.id));
                pinned.set(a.pinned);
                publish.set(a.status == ArticleStatus::Published);
                version.set(Some(a.version));
            },
        );
    });
    let show_preview = move |_| {
        let body = MarkdownPreview {
            body: body.get_untracked(),
        };
        run(
            error,
            move || async move { api.preview_markdown(&body).await },
            move |r| preview.set(Some(r.body_html)),
        );
    };
    let navigate = use_navigate();
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let tag_list: Vec<String> = tags
            .get_untracked()
            .split([',', '，'])
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .collect();
        let status = if publish.get_untracked() {
            ArticleStatus::Published
        } else {
            ArticleStatus::Draft
        };
        let navigate = navigate.clone();
        let done = move |a: Article| navigate(&format!("/knowledge/{}", a.id), Default::default());
        match version.get_untracked() {
            None => {
                let new = NewArticle {
                    kind: kind.get_untracked(),
                    category_id: category.get_untracked(),
                    title: title.get_untracked(),
                    body: body.get_untracked(),
                    tags: tag_list,
                    pinned: pinned.get_untracked(),
                    status: Some(status),
                };
                if let Err(e) = check(i18n, &new) {
                    error.set(Some(e));
                    return;
                }
                run(
                    error,
                    move || async move { api.create_article(&new).await },
                    done,
                );
            }
            Some(v) => {
                let patch = ArticlePatch {
                    kind: Some(kind.get_untracked()),
                    category_id: Some(category.get_untracked()),
                    title: Some(title.get_untracked()),
                    body: Some(body.get_untracked()),
                    tags: Some(tag_list),
                    pinned: writer.then(|| pinned.get_untracked()),
                    status: Some(status),
                    version: v,
                };
                if let Err(e) = check(i18n, &patch) {
                    error.set(Some(e));
                    return;
                }
                let id = id();
                run(
                    error,
                    move || async move { api.update_article(id, &patch).await },
                    done,
                );
            }
        }
    };
    view! {
        <section class="card article-editor">
            <h1>{move || if id() == 0 { t_string!(i18n, kb.new) } else { t_string!(i18n, kb.edit) }}</h1>
            <form class="stack-form" on:submit=save>
                <label>{move || t_string!(i18n, kb.kind)}
                    <select name="kind" prop:value=move || kind.get().as_str() on:change=move |ev| if let Some(k) = ArticleKind::parse(&event_target_value(&ev)) { kind.set(k) }>
                        {ArticleKind::ALL.iter().filter(|k| writer || **k == ArticleKind::Faq).map(|&k| view! {
                            <option value=k.as_str()>{move || labels::article_kind(i18n, k)}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label>{move || t_string!(i18n, kb.category)}
                    <select name="category_id" prop:value=move || category.get().map(|c| c.to_string()).unwrap_or_default() on:change=move |ev| category.set(event_target_value(&ev).parse().ok())>
                        <option value="">{move || t_string!(i18n, common.none)}</option>
                        {move || categories.get().unwrap_or_default().into_iter().filter(|c| c.enabled).map(|c| {
                            let name = entry_name(i18n, &c);
                            view! { <option value=c.id.to_string()>{name}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <label>{move || if kind.get() == ArticleKind::Faq { t_string!(i18n, kb.question) } else { t_string!(i18n, kb.title) }}
                    <input name="title" required maxlength="200" bind:value=title />
                </label>
                <label>{move || if kind.get() == ArticleKind::Faq { t_string!(i18n, kb.answer) } else { t_string!(i18n, kb.body) }}
                    <textarea name="body" rows="14" required maxlength="200000" bind:value=body></textarea>
                </label>
                <p class="hint">{move || t_string!(i18n, kb.markdown_hint)}</p>
                <label>{move || t_string!(i18n, kb.tags)}
                    <input name="tags" maxlength="400" bind:value=tags />
                </label>
                <Show when=move || writer>
                    <label class="check"><input type="checkbox" name="pinned" bind:checked=pinned />{move || t_string!(i18n, kb.pinned)}</label>
                    <label class="check"><input type="checkbox" name="publish" bind:checked=publish />{move || t_string!(i18n, kb.publish)}</label>
                </Show>
                <Show when=move || !writer>
                    <p class="hint">{move || t_string!(i18n, kb.draft_hint)}</p>
                </Show>
                <div class="actions">
                    <button type="button" on:click=show_preview>{move || t_string!(i18n, kb.preview)}</button>
                    <button type="submit" class="primary">{move || t_string!(i18n, common.save)}</button>
                </div>
            </form>
            <ErrorLine error=error />
            {move || preview.get().map(|html| view! { <div class="article-body preview" inner_html=html></div> })}
        </section>
    }
}

/// Today's strip of the sales bulletins of the last week one has not read.
#[component]
pub fn BulletinStrip() -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let session = use_session();
    let bulletins = LocalResource::new(move || async move {
        if session.can(Permission::KnowledgeRead) {
            api.unread_bulletins().await.unwrap_or_default()
        } else {
            Vec::new()
        }
    });
    view! {
        {move || bulletins.get().filter(|b| !b.is_empty()).map(|list| view! {
            <section class="card bulletins" aria-label=move || t_string!(i18n, kb.kind_bulletin)>
                <h2>{move || t_string!(i18n, kb.kind_bulletin)}</h2>
                <ul>
                    {list.into_iter().map(|b| {
                        let at = b.published_at.unwrap_or(b.updated_at);
                        view! {
                            <li data-article=b.id.to_string()>
                                <A href=format!("/knowledge/{}", b.id)>{b.title.clone()}</A>
                                <span class="muted">" · "{b.author.name.clone()}" · "{move || when(i18n, at)}</span>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </section>
        })}
    }
}
