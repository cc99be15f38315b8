//! 机会: the deal board (columns by stage, a menu on each card moves it), the opportunity list, the
//! opportunity page (overview, key contacts, competitors, quotes with their editor, activities,
//! stage history), the quote's print view (A4), competitor profiles, and the customer page's
//! opportunities section. Money is exact: [`Money`] in fen, never floats.

use crate::api::{Api, use_api};
use crate::components::{
    ErrorLine, Paged, ask, dictionary, entry_name, labels, money, route_id, run, when,
};
use crate::format::I18n;
use crate::i18n::*;
use crate::pages::orders::{LineRow, LinesTable, OrderLineEditor};
use crate::state::use_session;
use crm_domain::api::{
    ActivityQuery, CompetitorPatch, CompetitorQuery, DictionaryItem, DictionaryKind, ListQuery,
    LoseRequest, NewCompetitor, NewDealCompetitor, NewKeyContact, NewOpportunity, NewQuote,
    Opportunity, OpportunityPatch, OpportunityPipelineQuery, OpportunityQuery,
    OpportunityStatusChange, OrderLineInput, Quote,
};
use crm_domain::document::DocumentOf;
use crm_domain::opportunity::{ContactRole, OpportunityAction, OpportunityStatus, QuoteAction};
use crm_domain::{Money, Permission};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

fn stage_name(i18n: I18n, stages: &[DictionaryItem], id: i64, fallback: &str) -> String {
    stages
        .iter()
        .find(|s| s.id == id)
        .map(|s| entry_name(i18n, s))
        .unwrap_or_else(|| fallback.to_string())
}

#[component]
pub fn StatusBadge(status: OpportunityStatus) -> impl IntoView {
    let i18n = use_i18n();
    view! { <span class=format!("badge deal-{}", status.as_str())>{move || labels::deal_status(i18n, status)}</span> }
}

/// Moves a deal from a card or the deal's page: to a stage, won, or lost (asking why).
fn move_deal(
    api: Api,
    i18n: I18n,
    deal: &Opportunity,
    choice: &str,
    error: RwSignal<Option<String>>,
    done: impl Fn() + Copy + 'static,
) {
    let (id, version) = (deal.id, deal.version);
    match choice {
        "won" => run(
            error,
            move || async move {
                api.move_opportunity(
                    id,
                    OpportunityAction::Win,
                    &OpportunityStatusChange { version },
                )
                .await
            },
            move |_| done(),
        ),
        "lost" => {
            let Some(reason) = ask(t_string!(i18n, opp.lost_reason_ask)) else {
                return;
            };
            let body = LoseRequest {
                version,
                lost_reason: reason,
                competitor_id: None,
            };
            run(
                error,
                move || async move { api.lose_opportunity(id, &body).await },
                move |_| done(),
            );
        }
        stage => {
            let Ok(stage) = stage.parse::<i64>() else {
                return;
            };
            let patch = OpportunityPatch {
                stage_id: Some(stage),
                version,
                ..OpportunityPatch::default()
            };
            run(
                error,
                move || async move { api.update_opportunity(id, &patch).await },
                move |_| done(),
            );
        }
    }
}

/// The menu that moves an open deal: to another stage in use, won, or lost. It goes back to its
/// prompt after each choice (a lost deal whose reason was not given stays where it was).
#[component]
fn MoveMenu(
    deal: Opportunity,
    stages: LocalResource<Vec<DictionaryItem>>,
    error: RwSignal<Option<String>>,
    reload: RwSignal<u32>,
) -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let stage_id = deal.stage.id;
    let choice = RwSignal::new(String::new());
    let on_change = move |ev: leptos::ev::Event| {
        let picked = event_target_value(&ev);
        choice.set(String::new());
        if !picked.is_empty() {
            move_deal(api, i18n, &deal, &picked, error, move || {
                reload.update(|n| *n += 1)
            });
        }
    };
    view! {
        <select name="move" aria-label=move || t_string!(i18n, opp.move_to) prop:value=move || choice.get() on:change=on_change>
            <option value="">{move || t_string!(i18n, opp.move_to)}</option>
            {move || stages.get().unwrap_or_default().into_iter().filter(|s| s.enabled && s.id != stage_id).map(|s| {
                let name = entry_name(i18n, &s);
                view! { <option value=s.id.to_string()>{name}</option> }
            }).collect_view()}
            <option value="won">{move || labels::deal_status(i18n, OpportunityStatus::Won)}</option>
            <option value="lost">{move || labels::deal_status(i18n, OpportunityStatus::Lost)}</option>
        </select>
    }
}

// ---------------------------------------------------------------------------------------------
// The deal board

#[component]
pub fn DealBoardPage() -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let reload = RwSignal::new(0u32);
    let stages = dictionary(api, DictionaryKind::OpportunityStage);
    let pipeline = LocalResource::new(move || {
        reload.get();
        async move {
            api.opportunity_pipeline(&OpportunityPipelineQuery::default())
                .await
        }
    });
    view! {
        <section class="card">
            <div class="title-row">
                <h1>{move || t_string!(i18n, opp.board)}</h1>
                <A href="/opportunities" attr:class="button">{move || t_string!(i18n, opp.list)}</A>
            </div>
            {move || pipeline.get().map(|r| match r {
                Err(e) => view! { <p class="error" role="alert">{e.display()}</p> }.into_any(),
                Ok(p) => {
                    let (count, amount, weighted) = (p.count, p.amount, p.weighted_amount);
                    view! {
                        <p class="board-totals" data-count=count.to_string() data-amount=amount.to_string()>
                            {move || t_string!(i18n, opp.open_deals)}": "<strong>{count}</strong>" · "
                            {move || t_string!(i18n, opp.amount)}": "<strong>{move || money(i18n, amount)}</strong>" · "
                            {move || t_string!(i18n, opp.weighted)}": "<strong>{move || money(i18n, weighted)}</strong>
                        </p>
                    }.into_any()
                }
            })}
            // The columns stay on the page while a move reloads them (by stage), each showing its
            // cards until the new ones come, rather than the whole board built again empty.
            <div class="board">
                <For each=move || board_stages(pipeline) key=|s| s.stage.id children=move |s| {
                    let stage_id = s.stage.id;
                    let totals = Signal::derive(move || {
                        board_stages(pipeline).into_iter().find(|x| x.stage.id == stage_id).unwrap_or_else(|| s.clone())
                    });
                    view! { <BoardColumn column=totals stages=stages reload=reload /> }
                } />
            </div>
        </section>
    }
}

/// The stages of the board's pipeline as last loaded (none before the first answer or after an
/// error, which the totals line shows).
fn board_stages(
    pipeline: LocalResource<Result<crm_domain::api::OpportunityPipeline, crate::api::ApiError>>,
) -> Vec<crm_domain::api::StagePipeline> {
    pipeline
        .get()
        .and_then(Result::ok)
        .map(|p| p.stages)
        .unwrap_or_default()
}

#[component]
fn BoardColumn(
    column: Signal<crm_domain::api::StagePipeline>,
    stages: LocalResource<Vec<DictionaryItem>>,
    reload: RwSignal<u32>,
) -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let stage_id = column.with_untracked(|c| c.stage.id);
    let fallback = column.with_untracked(|c| c.stage.name.clone());
    let deals = LocalResource::new(move || {
        reload.get();
        let q = OpportunityQuery {
            stage_id: Some(stage_id),
            status: Some(OpportunityStatus::Open),
            limit: Some(30),
            ..OpportunityQuery::default()
        };
        async move { api.opportunities(&q).await }
    });
    let error = RwSignal::new(None::<String>);
    view! {
        <div class="board-column" data-stage=stage_id.to_string()>
            <h2>{move || stage_name(i18n, &stages.get().unwrap_or_default(), stage_id, &fallback)}
                " "<span class="count">{move || column.with(|c| c.count)}</span></h2>
            <p class="column-money">{move || money(i18n, column.with(|c| c.amount))}<br /><small>{move || t_string!(i18n, opp.weighted)}" "{move || money(i18n, column.with(|c| c.weighted_amount))}</small></p>
            <ErrorLine error=error />
            {move || deals.get().and_then(Result::ok).map(|page| page.items.into_iter().map(|d| {
                let deal = d.clone();
                let amount = d.amount;
                view! {
                    <article class="deal-card" data-deal=d.id.to_string()>
                        <A href=format!("/opportunities/{}", d.id)><strong>{d.title.clone()}</strong></A>
                        <p class="muted">{d.customer.name.clone()}" · "{d.owner.name.clone()}</p>
                        <p class="money">{move || money(i18n, amount)}" · "{d.probability}"%"</p>
                        <MoveMenu deal=deal stages=stages error=error reload=reload />
                    </article>
                }
            }).collect_view())}
        </div>
    }
}

// ---------------------------------------------------------------------------------------------
// The list

#[component]
fn DealsTable(
    deals: Signal<Vec<Opportunity>>,
    #[prop(optional)] show_customer: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let stages = dictionary(api, DictionaryKind::OpportunityStage);
    view! {
        <div class="table-scroll">
        <table class="grid deals-table">
            <thead><tr>
                <th>{move || t_string!(i18n, opp.title_label)}</th>
                <Show when=move || show_customer><th>{move || t_string!(i18n, opp.customer)}</th></Show>
                <th>{move || t_string!(i18n, opp.stage)}</th><th>{move || t_string!(i18n, common.status)}</th>
                <th class="num">{move || t_string!(i18n, opp.amount)}</th><th>{move || t_string!(i18n, opp.close_on)}</th>
                <th>{move || t_string!(i18n, opp.owner)}</th>
            </tr></thead>
            <tbody>
                {move || deals.get().into_iter().map(|d| {
                    let amount = d.amount;
                    let (stage_id, fallback) = (d.stage.id, d.stage.name.clone());
                    view! { <tr data-deal=d.id.to_string()>
                        <td><A href=format!("/opportunities/{}", d.id)>{d.title.clone()}</A></td>
                        <Show when=move || show_customer><td>{d.customer.name.clone()}</td></Show>
                        <td>{move || stage_name(i18n, &stages.get().unwrap_or_default(), stage_id, &fallback)}</td>
                        <td><StatusBadge status=d.status /></td>
                        <td class="num">{move || money(i18n, amount)}</td>
                        <td>{d.expected_close_on.map(|x| x.to_string()).unwrap_or_default()}</td>
                        <td>{d.owner.name.clone()}</td>
                    </tr> }
                }).collect_view()}
            </tbody>
        </table>
        </div>
    }
}

#[component]
pub fn OpportunitiesPage() -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let stages = dictionary(api, DictionaryKind::OpportunityStage);
    let (status, stage, text) = (
        RwSignal::new("open".to_string()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let query = move |cursor: Option<String>| OpportunityQuery {
        status: OpportunityStatus::parse(&status.get_untracked()),
        stage_id: stage.get_untracked().parse().ok(),
        q: Some(text.get_untracked()).filter(|t| !t.trim().is_empty()),
        cursor,
        ..OpportunityQuery::default()
    };
    let list = Paged::<Opportunity>::new();
    list.follow(LocalResource::new(move || {
        status.track();
        stage.track();
        text.track();
        let q = query(None);
        async move { api.opportunities(&q).await }
    }));
    let more = move |_| {
        list.load(
            move |cursor| {
                let q = query(cursor);
                async move { api.opportunities(&q).await }
            },
            true,
        )
    };
    view! {
        <section class="card">
            <div class="title-row">
                <h1>{move || t_string!(i18n, opp.list)}</h1>
                <A href="/opportunities/board" attr:class="button">{move || t_string!(i18n, opp.board)}</A>
            </div>
            <div class="inline-form">
                <select name="status" bind:value=status>
                    <option value="">{move || t_string!(i18n, order.all_statuses)}</option>
                    {OpportunityStatus::ALL.into_iter().map(|s| view! { <option value=s.as_str()>{move || labels::deal_status(i18n, s)}</option> }).collect_view()}
                </select>
                <select name="stage" bind:value=stage>
                    <option value="">{move || t_string!(i18n, opp.all_stages)}</option>
                    {move || stages.get().unwrap_or_default().into_iter().map(|s| {
                        let name = entry_name(i18n, &s);
                        view! { <option value=s.id.to_string()>{name}</option> }
                    }).collect_view()}
                </select>
                <input type="search" name="q" placeholder=move || t_string!(i18n, opp.search) bind:value=text />
            </div>
            <ErrorLine error=list.error />
            <Show when=move || list.items.with(Vec::is_empty) && list.error.with(Option::is_none)>
                <p class="muted">{move || t_string!(i18n, opp.none)}</p>
            </Show>
            <DealsTable deals=list.items.into() show_customer=true />
            <Show when=move || list.has_more()>
                <button on:click=more>{move || t_string!(i18n, common.more)}</button>
            </Show>
        </section>
    }
}

// ---------------------------------------------------------------------------------------------
// The customer page's section

#[component]
pub fn CustomerOpportunities(#[prop(into)] customer_id: Signal<i64>) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let api = use_api();
    let navigate = use_navigate();
    let deals = LocalResource::new(move || {
        let q = OpportunityQuery {
            customer_id: Some(customer_id.get()),
            limit: Some(100),
            ..OpportunityQuery::default()
        };
        async move { api.opportunities(&q).await }
    });
    let list = Signal::derive(move || {
        deals
            .get()
            .and_then(Result::ok)
            .map(|p| p.items)
            .unwrap_or_default()
    });
    let (title, amount, close) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let error = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let amount = match amount.get_untracked().trim() {
            "" => None,
            a => match Money::parse(a) {
                Ok(m) => Some(m),
                Err(_) => {
                    error.set(Some(t_string!(i18n, opp.err_amount).to_string()));
                    return;
                }
            },
        };
        let body = NewOpportunity {
            customer_id: customer_id.get_untracked(),
            title: title.get_untracked(),
            stage_id: None,
            amount,
            probability: None,
            expected_close_on: close.get_untracked().parse().ok(),
            owner_id: None,
            source_id: None,
            description: None,
        };
        let navigate = navigate.clone();
        run(
            error,
            move || async move { api.create_opportunity(&body).await },
            move |d| navigate(&format!("/opportunities/{}", d.id), Default::default()),
        );
    };
    let submit = StoredValue::new_local(submit);
    view! {
        <Show when=move || session.can(Permission::OpportunityRead)>
            <section class="card customer-deals">
                <h2>{move || t_string!(i18n, opp.list)}</h2>
                <Show when=move || list.with(Vec::is_empty)>
                    <p class="muted">{move || t_string!(i18n, opp.none)}</p>
                </Show>
                <DealsTable deals=list />
                <Show when=move || session.can(Permission::OpportunityWrite)>
                    <form class="inline-form new-deal" on:submit=move |ev| submit.with_value(|f| f(ev))>
                        <input name="deal_title" required maxlength="200" placeholder=move || t_string!(i18n, opp.title_label) bind:value=title />
                        <input name="deal_amount" class="money-input" inputmode="decimal" placeholder=move || t_string!(i18n, opp.amount) bind:value=amount />
                        <label>{move || t_string!(i18n, opp.close_on)}<input name="deal_close" type="date" bind:value=close /></label>
                        <button type="submit" class="primary">{move || t_string!(i18n, opp.new)}</button>
                    </form>
                    <ErrorLine error=error />
                </Show>
            </section>
        </Show>
    }
}

// ---------------------------------------------------------------------------------------------
// The opportunity page

#[component]
pub fn OpportunityPage() -> impl IntoView {
    let api = use_api();
    let id = route_id();
    let reload = RwSignal::new(0u32);
    let deal = LocalResource::new(move || {
        reload.get();
        let id = id();
        async move { api.opportunity(id).await }
    });
    view! {
        {move || deal.get().map(|r| match r {
            Err(e) => view! { <section class="card"><p class="error" role="alert">{e.display()}</p></section> }.into_any(),
            Ok(d) => view! {
                <DealHead deal=d.clone() reload=reload />
                <KeyContacts deal=d.clone() reload=reload />
                <DealCompetitors deal=d.clone() reload=reload />
                <Quotes deal=d.clone() reload=reload />
                <DealActivities deal_id=d.id customer_id=d.customer.id reload=reload />
                <crate::pages::documents::Documents of=DocumentOf::Opportunity(d.id) />
                <StageHistory deal_id=d.id reload=reload />
            }.into_any(),
        })}
    }
}

#[component]
fn DealHead(deal: Opportunity, reload: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let api = use_api();
    let stages = dictionary(api, DictionaryKind::OpportunityStage);
    let error = RwSignal::new(None::<String>);
    let (id, version, status) = (deal.id, deal.version, deal.status);
    let (amount, weighted) = (deal.amount, deal.weighted_amount);
    let (stage_id, fallback) = (deal.stage.id, deal.stage.name.clone());
    let for_move = deal.clone();
    let reopen = move |_| {
        run(
            error,
            move || async move {
                api.move_opportunity(
                    id,
                    OpportunityAction::Reopen,
                    &OpportunityStatusChange { version },
                )
                .await
            },
            move |_| reload.update(|n| *n += 1),
        )
    };
    let editable = move || session.can(Permission::OpportunityWrite);
    view! {
        <section class="card deal-head" data-deal=id.to_string() data-status=status.as_str()>
            <div class="title-row">
                <h1>{deal.title.clone()}</h1>
                <StatusBadge status=status />
            </div>
            <dl class="facts">
                <dt>{move || t_string!(i18n, opp.customer)}</dt><dd><A href=format!("/customers/{}", deal.customer.id)>{deal.customer.name.clone()}</A></dd>
                <dt>{move || t_string!(i18n, opp.owner)}</dt><dd>{format!("{} · {}", deal.owner.name, deal.department.name)}</dd>
                <dt>{move || t_string!(i18n, opp.stage)}</dt><dd class="stage">{move || stage_name(i18n, &stages.get().unwrap_or_default(), stage_id, &fallback)}</dd>
                <dt>{move || t_string!(i18n, opp.amount)}</dt><dd class="money" data-amount=amount.to_string()>{move || money(i18n, amount)}</dd>
                <dt>{move || t_string!(i18n, opp.probability)}</dt><dd>{deal.probability}"%"</dd>
                <dt>{move || t_string!(i18n, opp.weighted)}</dt><dd class="money">{move || money(i18n, weighted)}</dd>
                <dt>{move || t_string!(i18n, opp.close_on)}</dt><dd>{deal.expected_close_on.map(|x| x.to_string()).unwrap_or_else(|| "—".into())}</dd>
                {deal.closed_on.map(|c| view! { <dt>{move || t_string!(i18n, opp.closed_on)}</dt><dd>{c.to_string()}</dd> })}
                {deal.lost_reason.clone().map(|r| view! { <dt>{move || t_string!(i18n, opp.lost_reason)}</dt><dd>{r}</dd> })}
                {deal.lost_to.clone().map(|k| view! { <dt>{move || t_string!(i18n, opp.lost_to)}</dt><dd><A href=format!("/competitors/{}", k.id)>{k.name}</A></dd> })}
                {deal.description.clone().map(|x| view! { <dt>{move || t_string!(i18n, opp.description)}</dt><dd>{x}</dd> })}
            </dl>
            <Show when=move || editable() && status == OpportunityStatus::Open>
                <div class="inline-form status-actions">
                    <MoveMenu deal=for_move.clone() stages=stages error=error reload=reload />
                </div>
            </Show>
            <Show when=move || editable() && status != OpportunityStatus::Open>
                <button class="small" data-action="reopen" on:click=reopen>{move || t_string!(i18n, opp.reopen)}</button>
            </Show>
            <ErrorLine error=error />
        </section>
    }
}

#[component]
fn KeyContacts(deal: Opportunity, reload: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let api = use_api();
    let id = deal.id;
    let customer = deal.customer.id;
    let contacts = LocalResource::new(move || {
        reload.get();
        async move { api.key_contacts(id).await }
    });
    let candidates =
        LocalResource::new(move || async move { api.contacts(customer).await.unwrap_or_default() });
    let (pick, role) = (
        RwSignal::new(String::new()),
        RwSignal::new("decision_maker".to_string()),
    );
    let error = RwSignal::new(None::<String>);
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (Ok(contact_id), Some(role)) = (
            pick.get_untracked().parse::<i64>(),
            ContactRole::parse(&role.get_untracked()),
        ) else {
            return;
        };
        let body = NewKeyContact { contact_id, role };
        run(
            error,
            move || async move { api.add_key_contact(id, &body).await },
            move |_| reload.update(|n| *n += 1),
        );
    };
    view! {
        <section class="card key-contacts">
            <h2>{move || t_string!(i18n, opp.key_contacts)}</h2>
            {move || contacts.get().and_then(Result::ok).map(|list| view! {
                <ul class="plain">
                    {list.into_iter().map(|k| {
                        let contact = k.contact.id;
                        let remove = move |_| run(error, move || async move { api.remove_key_contact(id, contact).await }, move |_| reload.update(|n| *n += 1));
                        view! { <li data-contact=contact.to_string()>
                            <strong>{k.contact.name.clone()}</strong>" · "{move || labels::contact_role(i18n, k.role)}
                            {k.title.clone().map(|t| format!(" · {t}"))}{k.phone.clone().map(|p| format!(" · {p}"))}" "
                            <Show when=move || session.can(Permission::OpportunityWrite)>
                                <button class="small danger" on:click=remove>"×"</button>
                            </Show>
                        </li> }
                    }).collect_view()}
                </ul>
            })}
            <Show when=move || session.can(Permission::OpportunityWrite)>
                <form class="inline-form" on:submit=add>
                    <select name="contact_id" bind:value=pick>
                        <option value="">{move || t_string!(i18n, opp.pick_contact)}</option>
                        {move || candidates.get().unwrap_or_default().into_iter().map(|c| view! { <option value=c.id.to_string()>{c.name.clone()}</option> }).collect_view()}
                    </select>
                    <select name="role" bind:value=role>
                        {ContactRole::ALL.into_iter().map(|r| view! { <option value=r.as_str()>{move || labels::contact_role(i18n, r)}</option> }).collect_view()}
                    </select>
                    <button type="submit" class="small">{move || t_string!(i18n, opp.add)}</button>
                </form>
            </Show>
            <ErrorLine error=error />
        </section>
    }
}

#[component]
fn DealCompetitors(deal: Opportunity, reload: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let api = use_api();
    let id = deal.id;
    let met = LocalResource::new(move || {
        reload.get();
        async move { api.deal_competitors(id).await }
    });
    let known = LocalResource::new(move || async move {
        let q = CompetitorQuery {
            limit: Some(200),
            ..CompetitorQuery::default()
        };
        api.competitors(&q)
            .await
            .map(|p| p.items)
            .unwrap_or_default()
    });
    let (pick, threat, ours, theirs) = (
        RwSignal::new(String::new()),
        RwSignal::new("3".to_string()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let error = RwSignal::new(None::<String>);
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (Ok(competitor_id), Ok(threat)) = (
            pick.get_untracked().parse::<i64>(),
            threat.get_untracked().parse::<i16>(),
        ) else {
            return;
        };
        let text = |s: RwSignal<String>| Some(s.get_untracked()).filter(|t| !t.trim().is_empty());
        let body = NewDealCompetitor {
            competitor_id,
            strengths: text(ours),
            weaknesses: text(theirs),
            threat,
        };
        run(
            error,
            move || async move { api.add_deal_competitor(id, &body).await },
            move |_| reload.update(|n| *n += 1),
        );
    };
    view! {
        <section class="card deal-competitors">
            <h2>{move || t_string!(i18n, opp.competitors)}</h2>
            {move || met.get().and_then(Result::ok).map(|list| view! {
                <ul class="plain">
                    {list.into_iter().map(|k| {
                        let cid = k.competitor.id;
                        let remove = move |_| run(error, move || async move { api.remove_deal_competitor(id, cid).await }, move |_| reload.update(|n| *n += 1));
                        view! { <li data-competitor=cid.to_string()>
                            <A href=format!("/competitors/{cid}")><strong>{k.competitor.name.clone()}</strong></A>
                            " · "{move || t_string!(i18n, opp.threat)}" "{"●".repeat(k.threat.max(0) as usize)}
                            {k.strengths.clone().map(|s| view! { <br /><small>{move || t_string!(i18n, opp.our_strengths)}": "{s}</small> })}
                            {k.weaknesses.clone().map(|s| view! { <br /><small>{move || t_string!(i18n, opp.our_weaknesses)}": "{s}</small> })}
                            " "<Show when=move || session.can(Permission::OpportunityWrite)>
                                <button class="small danger" on:click=remove>"×"</button>
                            </Show>
                        </li> }
                    }).collect_view()}
                </ul>
            })}
            <Show when=move || session.can(Permission::OpportunityWrite)>
                <form class="inline-form" on:submit=add>
                    <select name="competitor_id" bind:value=pick>
                        <option value="">{move || t_string!(i18n, opp.pick_competitor)}</option>
                        {move || known.get().unwrap_or_default().into_iter().map(|c| view! { <option value=c.id.to_string()>{c.name.clone()}</option> }).collect_view()}
                    </select>
                    <label>{move || t_string!(i18n, opp.threat)}<input name="threat" type="number" min="1" max="5" bind:value=threat /></label>
                    <input name="strengths" maxlength="2000" placeholder=move || t_string!(i18n, opp.our_strengths) bind:value=ours />
                    <input name="weaknesses" maxlength="2000" placeholder=move || t_string!(i18n, opp.our_weaknesses) bind:value=theirs />
                    <button type="submit" class="small">{move || t_string!(i18n, opp.add)}</button>
                </form>
            </Show>
            <ErrorLine error=error />
        </section>
    }
}

#[component]
fn Quotes(deal: Opportunity, reload: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let api = use_api();
    let navigate = use_navigate();
    let id = deal.id;
    let open = deal.status == OpportunityStatus::Open;
    let quotes = LocalResource::new(move || {
        reload.get();
        async move { api.quotes(id).await }
    });
    let products = LocalResource::new(move || async move {
        api.products(&ListQuery::default())
            .await
            .unwrap_or_default()
    });
    let next_key = RwSignal::new(1u32);
    let lines = RwSignal::new(vec![LineRow::new(0)]);
    let (valid, notes) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    let error = RwSignal::new(None::<String>);
    let total = move || -> Option<Money> {
        let rows = lines.get();
        let amounts: Option<Vec<Money>> = rows
            .iter()
            .map(|r| r.priced().ok().map(|(_, a)| a))
            .collect();
        Money::checked_sum(amounts?).filter(|_| !rows.is_empty())
    };
    let add_line = move |_| {
        let key = next_key.get_untracked();
        next_key.set(key + 1);
        lines.update(|l| l.push(LineRow::new(key)));
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let priced: Result<Vec<OrderLineInput>, _> = lines
            .get_untracked()
            .iter()
            .map(|r| r.priced().map(|(l, _)| l))
            .collect();
        let lines_in = match priced {
            Ok(l) if !l.is_empty() => l,
            Ok(_) => return error.set(Some(t_string!(i18n, order.err_no_lines).to_string())),
            Err(p) => return error.set(Some(p.words(i18n))),
        };
        let note = notes.get_untracked();
        let body = NewQuote {
            lines: lines_in,
            valid_until: valid.get_untracked().parse().ok(),
            notes: (!note.trim().is_empty()).then_some(note),
        };
        run(
            error,
            move || async move { api.create_quote(id, &body).await },
            move |_| {
                lines.set(vec![LineRow::new(0)]);
                reload.update(|n| *n += 1);
            },
        );
    };
    let act = move |quote: i64, action: QuoteAction| {
        let navigate = navigate.clone();
        run(
            error,
            move || async move { api.act_on_quote(quote, action).await },
            move |q: Quote| match q.order_id.filter(|_| action == QuoteAction::Accept) {
                Some(order) => navigate(&format!("/orders/{order}"), Default::default()),
                None => reload.update(|n| *n += 1),
            },
        );
    };
    view! {
        <section class="card deal-quotes">
            <h2>{move || t_string!(i18n, opp.quotes)}</h2>
            {move || quotes.get().and_then(Result::ok).map(|list| list.into_iter().map(|q| {
                let (qid, status, total) = (q.id, q.status, q.total);
                let act = act.clone();
                let actions: Vec<QuoteAction> = [QuoteAction::Send, QuoteAction::Accept, QuoteAction::Reject]
                    .into_iter().filter(|a| status.after(*a).is_some()).collect();
                view! {
                    <article class="quote" data-quote=q.number.clone() data-status=status.as_str()>
                        <h3>{q.number.clone()}" · v"{q.version}" · "<span class="badge">{move || labels::quote_status(i18n, status)}</span></h3>
                        <p>{move || t_string!(i18n, opp.total)}": "<strong data-total=total.to_string()>{move || money(i18n, total)}</strong>
                            " · "{move || t_string!(i18n, opp.valid_until)}" "{q.valid_until.to_string()}</p>
                        <div class="inline-form">
                            <A href=format!("/quotes/{qid}/print") attr:class="button small" attr:target="_blank">{move || t_string!(i18n, opp.print)}</A>
                            {q.order_id.map(|o| view! { <A href=format!("/orders/{o}") attr:class="button small">{move || t_string!(i18n, opp.view_order)}</A> })}
                            <Show when=move || session.can(Permission::OpportunityWrite)>
                                {actions.clone().into_iter().map(|a| {
                                    let act = act.clone();
                                    view! { <button class="small" data-action=a.as_str() on:click=move |_| act(qid, a)>{move || labels::quote_action(i18n, a)}</button> }
                                }).collect_view()}
                            </Show>
                        </div>
                    </article>
                }
            }).collect_view())}
            <Show when=move || open && session.can(Permission::OpportunityWrite)>
                <form class="quote-form" on:submit=submit>
                    <h3>{move || t_string!(i18n, opp.new_quote)}</h3>
                    <div class="line-row line-head">
                        <span>{move || t_string!(i18n, order.product)}</span><span>{move || t_string!(i18n, order.quantity)}</span>
                        <span>{move || t_string!(i18n, order.unit_price)}</span><span>{move || t_string!(i18n, order.discount)}</span>
                        <span class="num">{move || t_string!(i18n, order.amount)}</span><span></span>
                    </div>
                    <For each=move || lines.get() key=|r| r.key let:row>
                        <OrderLineEditor row=row products=products lines=lines />
                    </For>
                    <button type="button" class="small" on:click=add_line>{move || t_string!(i18n, order.add_line)}</button>
                    <div class="inline-form">
                        <label>{move || t_string!(i18n, opp.valid_until)}<input type="date" name="valid_until" bind:value=valid /></label>
                        <input name="quote_notes" maxlength="2000" placeholder=move || t_string!(i18n, order.notes) bind:value=notes />
                    </div>
                    <p class="order-total">{move || t_string!(i18n, opp.total)}": "
                        <strong data-total=move || total().map(|m| m.to_string()).unwrap_or_default()>{move || total().map(|m| money(i18n, m)).unwrap_or_else(|| "—".into())}</strong></p>
                    <button type="submit" class="primary" disabled=move || total().is_none()>{move || t_string!(i18n, opp.create_quote)}</button>
                </form>
            </Show>
            <ErrorLine error=error />
        </section>
    }
}

#[component]
fn DealActivities(deal_id: i64, customer_id: i64, reload: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let activities = LocalResource::new(move || {
        reload.get();
        let q = ActivityQuery {
            opportunity_id: Some(deal_id),
            limit: Some(50),
            ..ActivityQuery::default()
        };
        async move { api.activities(&q).await }
    });
    view! {
        <section class="card">
            <h2>{move || t_string!(i18n, opp.activities)}</h2>
            <crate::pages::today::QuickLog customer_id=customer_id opportunity_id=deal_id on_logged=move |_| reload.update(|n| *n += 1) />
            {move || activities.get().and_then(Result::ok).map(|page| {
                if page.items.is_empty() {
                    view! { <p class="muted">{move || t_string!(i18n, opp.no_activities)}</p> }.into_any()
                } else {
                    view! { <ul class="plain">{page.items.into_iter().map(|a| {
                        let at = a.occurred_at;
                        view! { <li><small>{move || when(i18n, at)}" · "{a.owner.name.clone()}</small><br />{a.summary.clone()}</li> }
                    }).collect_view()}</ul> }.into_any()
                }
            })}
        </section>
    }
}

#[component]
fn StageHistory(deal_id: i64, reload: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let stages = dictionary(api, DictionaryKind::OpportunityStage);
    let moves = LocalResource::new(move || {
        reload.get();
        async move { api.stage_history(deal_id).await }
    });
    view! {
        <section class="card stage-history">
            <h2>{move || t_string!(i18n, opp.stage_history)}</h2>
            {move || moves.get().and_then(Result::ok).map(|list| view! {
                <table class="grid">
                    <thead><tr><th>{move || t_string!(i18n, opp.stage)}</th><th>{move || t_string!(i18n, common.status)}</th><th>{move || t_string!(i18n, opp.moved_at)}</th><th>{move || t_string!(i18n, opp.days)}</th><th>{move || t_string!(i18n, opp.by)}</th></tr></thead>
                    <tbody>{list.into_iter().map(|m| {
                        let (sid, fallback, at, status) = (m.stage.id, m.stage.name.clone(), m.moved_at, m.status);
                        let days = m.left_at.unwrap_or_else(chrono::Utc::now).signed_duration_since(at).num_days();
                        view! { <tr>
                            <td>{move || stage_name(i18n, &stages.get().unwrap_or_default(), sid, &fallback)}</td>
                            <td>{move || labels::deal_status(i18n, status)}</td>
                            <td>{move || when(i18n, at)}</td><td class="num">{days}</td><td>{m.moved_by.name.clone()}</td>
                        </tr> }
                    }).collect_view()}</tbody>
                </table>
            })}
        </section>
    }
}

// ---------------------------------------------------------------------------------------------
// The quote's print view

/// A4, with the company's name, in the app's language (the switch in the top bar); the browser
/// prints it to PDF, without the app's bars (`@media print`).
#[component]
pub fn QuotePrintPage() -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let id = route_id();
    let quote = LocalResource::new(move || {
        let id = id();
        async move { api.quote(id).await }
    });
    let settings = LocalResource::new(move || async move { api.settings().await.ok() });
    let print = move |_| {
        if let Some(w) = web_sys::window() {
            let _ = w.print();
        }
    };
    view! {
        <div class="print-page">
            <div class="no-print inline-form">
                <button class="primary" on:click=print>{move || t_string!(i18n, opp.print)}</button>
            </div>
            {move || quote.get().map(|r| match r {
                Err(e) => view! { <p class="error" role="alert">{e.display()}</p> }.into_any(),
                Ok(q) => {
                    let company = settings.get().flatten().map(|s| s.settings.company_name).unwrap_or_default();
                    view! {
                        <article class="quote-sheet" data-quote=q.number.clone()>
                            <header>
                                <h1 class="company">{company}</h1>
                                <h2>{move || t_string!(i18n, opp.quote_sheet)}</h2>
                            </header>
                            <dl class="facts">
                                <dt>{move || t_string!(i18n, opp.quote_number)}</dt><dd>{q.number.clone()}" (v"{q.version}")"</dd>
                                <dt>{move || t_string!(i18n, opp.to)}</dt><dd>{q.customer.name.clone()}</dd>
                                <dt>{move || t_string!(i18n, opp.subject)}</dt><dd>{q.opportunity.name.clone()}</dd>
                                <dt>{move || t_string!(i18n, opp.date)}</dt><dd>{q.created_at.date_naive().to_string()}</dd>
                                <dt>{move || t_string!(i18n, opp.valid_until)}</dt><dd>{q.valid_until.to_string()}</dd>
                                <dt>{move || t_string!(i18n, opp.contact_person)}</dt><dd>{q.owner.name.clone()}</dd>
                            </dl>
                            <LinesTable lines=q.lines.clone() total=q.total />
                            {q.notes.clone().map(|n| view! { <p class="notes">{move || t_string!(i18n, order.notes)}": "{n}</p> })}
                            <footer class="signatures">
                                <span>{move || t_string!(i18n, opp.sign_customer)}</span>
                                <span>{move || t_string!(i18n, opp.sign_company)}</span>
                            </footer>
                        </article>
                    }.into_any()
                }
            })}
        </div>
    }
}

// ---------------------------------------------------------------------------------------------
// Competitors

#[component]
pub fn CompetitorsPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let api = use_api();
    let reload = RwSignal::new(0u32);
    let list = LocalResource::new(move || {
        reload.get();
        let q = CompetitorQuery {
            limit: Some(200),
            ..CompetitorQuery::default()
        };
        async move { api.competitors(&q).await }
    });
    let (name, website) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    let error = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let w = website.get_untracked();
        let body = NewCompetitor {
            name: name.get_untracked(),
            website: (!w.trim().is_empty()).then_some(w),
            strengths: None,
            weaknesses: None,
            products: None,
            pricing: None,
        };
        run(
            error,
            move || async move { api.create_competitor(&body).await },
            move |_| {
                name.set(String::new());
                reload.update(|n| *n += 1);
            },
        );
    };
    view! {
        <section class="card">
            <h1>{move || t_string!(i18n, opp.competitors)}</h1>
            {move || list.get().map(|r| match r {
                Err(e) => view! { <p class="error" role="alert">{e.display()}</p> }.into_any(),
                Ok(page) => view! {
                    <div class="table-scroll"><table class="grid">
                        <thead><tr><th>{move || t_string!(i18n, common.name)}</th><th class="num">{move || labels::deal_status(i18n, OpportunityStatus::Won)}</th><th class="num">{move || labels::deal_status(i18n, OpportunityStatus::Lost)}</th><th class="num">{move || labels::deal_status(i18n, OpportunityStatus::Open)}</th></tr></thead>
                        <tbody>{page.items.into_iter().map(|k| view! { <tr data-competitor=k.id.to_string()>
                            <td><A href=format!("/competitors/{}", k.id)>{k.name.clone()}</A></td>
                            <td class="num">{k.deals.won}</td><td class="num">{k.deals.lost}</td><td class="num">{k.deals.open}</td>
                        </tr> }).collect_view()}</tbody>
                    </table></div>
                }.into_any(),
            })}
            <Show when=move || session.can(Permission::CompetitorManage)>
                <form class="inline-form" on:submit=submit>
                    <input name="name" required maxlength="100" placeholder=move || t_string!(i18n, common.name) bind:value=name />
                    <input name="website" maxlength="200" placeholder=move || t_string!(i18n, opp.website) bind:value=website />
                    <button type="submit" class="primary">{move || t_string!(i18n, common.create)}</button>
                </form>
            </Show>
            <ErrorLine error=error />
        </section>
    }
}

#[component]
pub fn CompetitorPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let api = use_api();
    let id = route_id();
    let reload = RwSignal::new(0u32);
    let profile = LocalResource::new(move || {
        reload.get();
        let id = id();
        async move { api.competitor(id).await }
    });
    let deals = LocalResource::new(move || {
        let q = OpportunityQuery {
            competitor_id: Some(id()),
            limit: Some(100),
            ..OpportunityQuery::default()
        };
        async move { api.opportunities(&q).await }
    });
    let list = Signal::derive(move || {
        deals
            .get()
            .and_then(Result::ok)
            .map(|p| p.items)
            .unwrap_or_default()
    });
    let error = RwSignal::new(None::<String>);
    view! {
        {move || profile.get().map(|r| match r {
            Err(e) => view! { <section class="card"><p class="error" role="alert">{e.display()}</p></section> }.into_any(),
            Ok(k) => {
                let fields = [
                    (RwSignal::new(k.strengths.clone().unwrap_or_default()), "strengths"),
                    (RwSignal::new(k.weaknesses.clone().unwrap_or_default()), "weaknesses"),
                    (RwSignal::new(k.products.clone().unwrap_or_default()), "products"),
                    (RwSignal::new(k.pricing.clone().unwrap_or_default()), "pricing"),
                ];
                let (kid, version) = (k.id, k.version);
                let save = move |ev: leptos::ev::SubmitEvent| {
                    ev.prevent_default();
                    let text = |i: usize| {
                        let v = fields[i].0.get_untracked();
                        Some((!v.trim().is_empty()).then_some(v))
                    };
                    let patch = CompetitorPatch { strengths: text(0), weaknesses: text(1), products: text(2), pricing: text(3), version, ..CompetitorPatch::default() };
                    run(error, move || async move { api.update_competitor(kid, &patch).await }, move |_| reload.update(|n| *n += 1));
                };
                let label = move |f: &str| match f {
                    "strengths" => t_string!(i18n, opp.their_strengths),
                    "weaknesses" => t_string!(i18n, opp.their_weaknesses),
                    "products" => t_string!(i18n, opp.their_products),
                    _ => t_string!(i18n, opp.pricing),
                };
                view! {
                    <section class="card competitor" data-competitor=kid.to_string()>
                        <h1>{k.name.clone()}</h1>
                        {k.website.clone().map(|w| view! { <p><a href=w.clone() rel="noopener" target="_blank">{w.clone()}</a></p> })}
                        <p class="deal-counts">
                            {move || labels::deal_status(i18n, OpportunityStatus::Won)}" "<strong>{k.deals.won}</strong>" · "
                            {move || labels::deal_status(i18n, OpportunityStatus::Lost)}" "<strong>{k.deals.lost}</strong>" · "
                            {move || labels::deal_status(i18n, OpportunityStatus::Open)}" "<strong>{k.deals.open}</strong>
                        </p>
                        <form on:submit=save>
                            {fields.into_iter().map(|(sig, f)| view! {
                                <label class="block">{move || label(f)}
                                    <textarea name=f maxlength="2000" bind:value=sig disabled=move || !session.can(Permission::CompetitorManage)></textarea>
                                </label>
                            }).collect_view()}
                            <Show when=move || session.can(Permission::CompetitorManage)>
                                <button type="submit" class="primary">{move || t_string!(i18n, common.save)}</button>
                            </Show>
                        </form>
                        <ErrorLine error=error />
                    </section>
                }.into_any()
            }
        })}
        <section class="card">
            <h2>{move || t_string!(i18n, opp.deals_met)}</h2>
            <DealsTable deals=list show_customer=true />
        </section>
    }
}
