//! System management pages for administrators: departments, users, dictionaries, settings, audit log.

use crate::api::use_api;
use crate::components::{ErrorLine, History, Paged, check, confirm, labels, run, searched};
use crate::format::{I18n, lang};
use crate::i18n::*;
use crm_domain::api::{
    AuditEntry, AuditQuery, Department, DepartmentPatch, DictionaryItemPatch, DictionaryKind,
    ListQuery, NewDepartment, NewDictionaryItem, NewUser, ResetPasswordRequest, Settings,
    SettingsPatch, User, UserPatch, UserQuery,
};
use crm_domain::scorecard::{ScoreComponent, ScorecardWeights};
use crm_domain::ticket::TicketDueHours;
use crm_domain::{Lang, Money};
use leptos::prelude::*;

/// Departments in tree order with their depth.
fn tree_order(depts: &[Department]) -> Vec<(Department, usize)> {
    fn walk(
        all: &[Department],
        parent: Option<i64>,
        depth: usize,
        out: &mut Vec<(Department, usize)>,
    ) {
        for d in all.iter().filter(|d| d.parent_id == parent) {
            out.push((d.clone(), depth));
            walk(all, Some(d.id), depth + 1, out);
        }
    }
    let mut out = Vec::new();
    walk(depts, None, 0, &mut out);
    out
}

#[component]
pub fn DepartmentsPage() -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let reload = RwSignal::new(0u32);
    let depts = LocalResource::new(move || {
        reload.get();
        async move { api.departments().await }
    });
    let error = RwSignal::new(None::<String>);
    let new_name = RwSignal::new(String::new());
    let new_parent = RwSignal::new(String::new());
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = NewDepartment {
            name: new_name.get_untracked(),
            parent_id: new_parent.get_untracked().parse().ok(),
            sort_order: 0,
        };
        run(
            error,
            move || async move { api.create_department(&body).await },
            move |_| {
                new_name.set(String::new());
                reload.update(|n| *n += 1);
            },
        );
    };
    let list = move || {
        depts
            .get()
            .map(|r| r.unwrap_or_default())
            .unwrap_or_default()
    };
    view! {
        <section class="card">
            <h1>{move || t_string!(i18n, dept.title)}</h1>
            <form class="inline-form" on:submit=create>
                <input name="dept-name" placeholder=move || t_string!(i18n, common.name) required bind:value=new_name />
                <select name="dept-parent" bind:value=new_parent>
                    <option value="">{move || t_string!(i18n, dept.top_level)}</option>
                    {move || tree_order(&list()).into_iter().map(|(d, depth)| view! {
                        <option value=d.id.to_string()>{"\u{3000}".repeat(depth)}{d.name}</option>
                    }).collect_view()}
                </select>
                <button type="submit" class="primary">{move || t_string!(i18n, dept.new)}</button>
            </form>
            <ErrorLine error=error />
            <table class="grid">
                <thead><tr><th>{move || t_string!(i18n, common.name)}</th><th>{move || t_string!(i18n, dept.users)}</th><th>{move || t_string!(i18n, dept.move_to)}</th><th>{move || t_string!(i18n, common.actions)}</th></tr></thead>
                <tbody>
                    {move || {
                        let all = list();
                        tree_order(&all).into_iter().map(|(d, depth)| {
                            let name = RwSignal::new(d.name.clone());
                            let id = d.id;
                            let version = d.version;
                            let rename = move |_| {
                                let body = DepartmentPatch { name: Some(name.get_untracked()), version, ..Default::default() };
                                run(error, move || async move { api.update_department(id, &body).await }, move |_| reload.update(|n| *n += 1));
                            };
                            let move_to = move |ev: leptos::ev::Event| {
                                let value = event_target_value(&ev);
                                let body = DepartmentPatch { parent_id: Some(value.parse().ok()), version, ..Default::default() };
                                run(error, move || async move { api.update_department(id, &body).await }, move |_| reload.update(|n| *n += 1));
                            };
                            let remove = move |_| {
                                if confirm(t_string!(i18n, common.confirm_delete)) {
                                    run(error, move || async move { api.delete_department(id).await }, move |_| reload.update(|n| *n += 1));
                                }
                            };
                            let parent = d.parent_id.map(|p| p.to_string()).unwrap_or_default();
                            let options = all.iter().filter(|o| o.id != id).map(|o| {
                                let selected = o.id.to_string() == parent;
                                view! { <option value=o.id.to_string() selected=selected>{o.name.clone()}</option> }
                            }).collect_view();
                            view! {
                                <tr data-dept=d.name.clone()>
                                    <td><span class="indent">{"\u{3000}".repeat(depth)}</span><input class="cell-input" bind:value=name /></td>
                                    <td>{d.user_count}</td>
                                    <td><select on:change=move_to>
                                        <option value="" selected=parent.is_empty()>{move || t_string!(i18n, dept.top_level)}</option>
                                        {options}
                                    </select></td>
                                    <td class="actions">
                                        <button on:click=rename>{move || t_string!(i18n, common.save)}</button>
                                        <button class="danger" on:click=remove>{move || t_string!(i18n, common.delete)}</button>
                                    </td>
                                </tr>
                            }
                        }).collect_view()
                    }}
                </tbody>
            </table>
        </section>
    }
}

#[component]
pub fn UsersPage() -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let reload = RwSignal::new(0u32);
    let q = RwSignal::new(String::new());
    let users = searched(
        move || (q.get(), reload.get()),
        move |(text, _)| async move {
            let q = UserQuery {
                q: Some(text.trim().to_string()).filter(|t| !t.is_empty()),
                limit: Some(200),
                ..UserQuery::default()
            };
            api.users(&q).await
        },
    );
    let depts =
        LocalResource::new(move || async move { api.departments().await.unwrap_or_default() });
    let roles = LocalResource::new(move || async move { api.roles().await.unwrap_or_default() });
    let error = RwSignal::new(None::<String>);
    let (username, display_name, password, dept) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let chosen_roles = RwSignal::new(Vec::<i64>::new());
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = NewUser {
            username: username.get_untracked(),
            display_name: display_name.get_untracked(),
            password: password.get_untracked(),
            department_id: dept.get_untracked().parse().unwrap_or(0),
            role_ids: chosen_roles.get_untracked(),
            email: None,
            phone: None,
        };
        if let Err(e) = check(i18n, &body) {
            error.set(Some(e));
            return;
        }
        run(
            error,
            move || async move { api.create_user(&body).await },
            move |_| {
                username.set(String::new());
                display_name.set(String::new());
                password.set(String::new());
                chosen_roles.set(Vec::new());
                reload.update(|n| *n += 1);
            },
        );
    };
    // Editing one user: name, department, roles.
    let editing = RwSignal::new(None::<User>);
    let (edit_name, edit_dept, edit_roles) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(Vec::<i64>::new()),
    );
    let start_edit = move |u: User| {
        edit_name.set(u.display_name.clone());
        edit_dept.set(u.department.id.to_string());
        edit_roles.set(u.roles.iter().map(|r| r.id).collect());
        editing.set(Some(u));
    };
    let save_edit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(u) = editing.get_untracked() else {
            return;
        };
        let body = UserPatch {
            display_name: Some(edit_name.get_untracked()),
            department_id: edit_dept.get_untracked().parse().ok(),
            role_ids: Some(edit_roles.get_untracked()),
            version: u.version,
            ..Default::default()
        };
        let id = u.id;
        run(
            error,
            move || async move { api.update_user(id, &body).await },
            move |_| {
                editing.set(None);
                reload.update(|n| *n += 1);
            },
        );
    };
    let role_checks = move |chosen: RwSignal<Vec<i64>>, name: &'static str| {
        roles.get().unwrap_or_default().into_iter().map(|r| {
            let id = r.id;
            view! { <label class="check"><input type="checkbox" name=name value=r.name.clone()
                prop:checked=move || chosen.with(|c| c.contains(&id))
                on:change=move |_| chosen.update(|c| if let Some(i) = c.iter().position(|x| *x == id) { c.remove(i); } else { c.push(id); }) />{r.name}</label> }
        }).collect_view()
    };
    let dept_options = move || {
        depts
            .get()
            .unwrap_or_default()
            .into_iter()
            .map(|d| view! { <option value=d.id.to_string()>{d.name}</option> })
            .collect_view()
    };
    view! {
        <section class="card">
            <h1>{move || t_string!(i18n, users.title)}</h1>
            <Show when=move || editing.with(Option::is_some)>
                <form class="stack-form edit-panel" on:submit=save_edit>
                    <h2>{move || t_string!(i18n, common.edit)}" · "{move || editing.with(|u| u.as_ref().map(|u| u.username.clone()).unwrap_or_default())}</h2>
                    <label>{move || t_string!(i18n, users.display_name)}<input name="edit_display_name" required bind:value=edit_name /></label>
                    <label>{move || t_string!(i18n, users.department)}
                        <select name="edit_department" prop:value=move || edit_dept.get() on:change=move |ev| edit_dept.set(event_target_value(&ev))>{dept_options}</select>
                    </label>
                    <fieldset class="checks"><legend>{move || t_string!(i18n, users.roles)}</legend>{move || role_checks(edit_roles, "edit_role")}</fieldset>
                    <div class="buttons">
                        <button type="submit" class="primary">{move || t_string!(i18n, common.save)}</button>
                        <button type="button" on:click=move |_| editing.set(None)>{move || t_string!(i18n, common.cancel)}</button>
                    </div>
                </form>
            </Show>
            <form class="stack-form" on:submit=create>
                <h2>{move || t_string!(i18n, users.new)}</h2>
                <label>{move || t_string!(i18n, users.username)}<input name="username" required bind:value=username /></label>
                <label>{move || t_string!(i18n, users.display_name)}<input name="display_name" required bind:value=display_name /></label>
                <label>{move || t_string!(i18n, users.password)}<input name="password" type="password" autocomplete="new-password" required bind:value=password /></label>
                <label>{move || t_string!(i18n, users.department)}
                    <select name="department" required bind:value=dept>
                        <option value="">"—"</option>
                        {dept_options}
                    </select>
                </label>
                <fieldset class="checks"><legend>{move || t_string!(i18n, users.roles)}</legend>{move || role_checks(chosen_roles, "role")}</fieldset>
                <ErrorLine error=error />
                <button type="submit" class="primary">{move || t_string!(i18n, common.create)}</button>
            </form>
            <input class="search" type="search" placeholder=move || t_string!(i18n, users.search) bind:value=q />
            <table class="grid">
                <thead><tr><th>{move || t_string!(i18n, users.username)}</th><th>{move || t_string!(i18n, users.display_name)}</th><th>{move || t_string!(i18n, users.department)}</th><th>{move || t_string!(i18n, users.roles)}</th><th>{move || t_string!(i18n, common.status)}</th><th>{move || t_string!(i18n, common.actions)}</th></tr></thead>
                <tbody>
                    {move || users.get().and_then(Result::ok).map(|p| p.items).unwrap_or_default().into_iter().map(|u| {
                        let id = u.id;
                        let enabled = u.enabled;
                        let user = u.clone();
                        let toggle = move |_| {
                            run(error, move || async move { api.set_user_enabled(id, !enabled).await }, move |_| reload.update(|n| *n += 1));
                        };
                        let reset = move |_| {
                            let Some(pw) = web_sys::window().and_then(|w| w.prompt_with_message(t_string!(i18n, users.new_password)).ok().flatten()) else { return };
                            let body = ResetPasswordRequest { new_password: pw };
                            if let Err(e) = check(i18n, &body) {
                                error.set(Some(e));
                                return;
                            }
                            run(error, move || async move { api.reset_password(id, &body).await }, |_| ());
                        };
                        view! {
                            <tr data-user=u.username.clone()>
                                <td>{u.username.clone()}</td>
                                <td>{u.display_name.clone()}</td>
                                <td>{u.department.name.clone()}</td>
                                <td>{u.roles.iter().map(|r| r.name.clone()).collect::<Vec<_>>().join("、")}</td>
                                <td>{move || if enabled { t_string!(i18n, common.enabled) } else { t_string!(i18n, common.disabled) }}</td>
                                <td class="actions">
                                    <button on:click=move |_| start_edit(user.clone())>{move || t_string!(i18n, common.edit)}</button>
                                    <button on:click=toggle>{move || if enabled { t_string!(i18n, users.disable) } else { t_string!(i18n, users.enable) }}</button>
                                    <button on:click=reset>{move || t_string!(i18n, users.reset_password)}</button>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}

#[component]
pub fn DictionariesPage() -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let kind = RwSignal::new(DictionaryKind::Industry);
    let reload = RwSignal::new(0u32);
    let items = LocalResource::new(move || {
        reload.get();
        let k = kind.get();
        async move {
            let q = ListQuery {
                include_disabled: Some(true),
            };
            api.dictionary(k, &q).await
        }
    });
    let error = RwSignal::new(None::<String>);
    let (name, name_en, parent, probability) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let list = move || items.get().and_then(Result::ok).unwrap_or_default();
    let stages = move || kind.get() == DictionaryKind::OpportunityStage;
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let en = name_en.get_untracked();
        let body = NewDictionaryItem {
            name: name.get_untracked(),
            name_en: (!en.trim().is_empty()).then_some(en),
            parent_id: parent.get_untracked().parse().ok(),
            // A new entry goes last (stages are the deal board's columns, in this order).
            sort_order: list().iter().map(|i| i.sort_order + 1).max().unwrap_or(0),
            probability: probability.get_untracked().trim().parse().ok(),
        };
        if let Err(e) = check(i18n, &body) {
            error.set(Some(e));
            return;
        }
        let k = kind.get_untracked();
        run(
            error,
            move || async move { api.create_dictionary_item(k, &body).await },
            move |_| {
                name.set(String::new());
                name_en.set(String::new());
                probability.set(String::new());
                reload.update(|n| *n += 1);
            },
        );
    };
    view! {
        <section class="card">
            <h1>{move || t_string!(i18n, dict.title)}</h1>
            <div class="tabs">
                {DictionaryKind::ALL.into_iter().map(|k| view! {
                    <button class:active=move || kind.get() == k on:click=move |_| kind.set(k)>{move || labels::dictionary(i18n, k)}</button>
                }).collect_view()}
            </div>
            <form class="inline-form" on:submit=create>
                <input name="dict-name" placeholder=move || t_string!(i18n, common.name) required bind:value=name />
                <input name="dict-name-en" placeholder=move || t_string!(i18n, common.name_en) bind:value=name_en />
                <Show when=move || kind.get().is_tree()>
                    <select bind:value=parent>
                        <option value="">{move || t_string!(i18n, common.none)}</option>
                        {move || list().into_iter().filter(|i| i.parent_id.is_none()).map(|i| view! { <option value=i.id.to_string()>{i.name}</option> }).collect_view()}
                    </select>
                </Show>
                <Show when=stages>
                    <input name="dict-probability" type="number" min="0" max="100" placeholder=move || t_string!(i18n, opp.probability) bind:value=probability />
                </Show>
                <button type="submit" class="primary">{move || t_string!(i18n, dict.new)}</button>
            </form>
            <ErrorLine error=error />
            <table class="grid">
                <thead><tr><th>{move || t_string!(i18n, common.name)}</th><th>{move || t_string!(i18n, common.name_en)}</th>
                    <Show when=stages><th>{move || t_string!(i18n, opp.probability)}" %"</th></Show>
                    <th>{move || t_string!(i18n, common.status)}</th><th>{move || t_string!(i18n, common.actions)}</th></tr></thead>
                <tbody>
                    {move || list().into_iter().map(|item| {
                        let (id, version, enabled, k) = (item.id, item.version, item.enabled, item.kind);
                        let toggle = move |_| {
                            let body = DictionaryItemPatch { enabled: Some(!enabled), version, ..Default::default() };
                            run(error, move || async move { api.update_dictionary_item(k, id, &body).await }, move |_| reload.update(|n| *n += 1));
                        };
                        // A stage's default probability is changed in place (saved when the field is left).
                        let set_probability = move |ev: leptos::ev::Event| {
                            let Ok(p) = event_target_value(&ev).trim().parse::<i16>() else {
                                return error.set(Some(t_string!(i18n, dict.err_probability).to_string()));
                            };
                            let body = DictionaryItemPatch { probability: Some(p), version, ..Default::default() };
                            if let Err(e) = check(i18n, &body) {
                                return error.set(Some(e));
                            }
                            run(error, move || async move { api.update_dictionary_item(k, id, &body).await }, move |_| reload.update(|n| *n += 1));
                        };
                        let probability = item.probability.map(|p| p.to_string()).unwrap_or_default();
                        let remove = move |_| {
                            if confirm(t_string!(i18n, common.confirm_delete)) {
                                run(error, move || async move { api.delete_dictionary_item(k, id).await }, move |_| reload.update(|n| *n += 1));
                            }
                        };
                        view! {
                            <tr class:muted=!enabled>
                                <td>{if item.parent_id.is_some() { "\u{3000}" } else { "" }}{item.name.clone()}</td>
                                <td>{item.name_en.clone().unwrap_or_default()}</td>
                                <Show when=stages>
                                    <td><input name="probability" type="number" min="0" max="100" class="narrow" value=probability.clone() on:change=set_probability /></td>
                                </Show>
                                <td>{move || if enabled { t_string!(i18n, common.enabled) } else { t_string!(i18n, common.disabled) }}</td>
                                <td class="actions">
                                    <button on:click=toggle>{move || if enabled { t_string!(i18n, users.disable) } else { t_string!(i18n, users.enable) }}</button>
                                    <button class="danger" on:click=remove>{move || t_string!(i18n, common.delete)}</button>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}

#[component]
pub fn SettingsPage() -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let error = RwSignal::new(None::<String>);
    let saved = RwSignal::new(false);
    let current = RwSignal::new(None::<Settings>);
    let fields: [RwSignal<String>; 21] = std::array::from_fn(|_| RwSignal::new(String::new()));
    let review = RwSignal::new(false);
    let private_hooks = RwSignal::new(false);
    let language = RwSignal::new(Lang::Zh);
    let weights: [RwSignal<String>; ScoreComponent::ALL.len()] =
        std::array::from_fn(|_| RwSignal::new(String::new()));
    let fill = move |s: &Settings| {
        let c = &s.settings;
        for (w, part) in weights.iter().zip(ScoreComponent::ALL) {
            w.set(c.scorecard_weights.of(part).to_string());
        }
        let values = [
            c.company_name.clone(),
            c.time_zone.clone(),
            c.currency.clone(),
            c.grade_thresholds
                .first()
                .map(Money::to_string)
                .unwrap_or_default(),
            c.grade_thresholds
                .get(1)
                .map(Money::to_string)
                .unwrap_or_default(),
            c.grade_thresholds
                .get(2)
                .map(Money::to_string)
                .unwrap_or_default(),
            c.grade_thresholds
                .get(3)
                .map(Money::to_string)
                .unwrap_or_default(),
            c.payment_reminder_days.to_string(),
            c.overdue_escalation_days.to_string(),
            c.renewal_reminder_days.to_string(),
            c.activity_edit_minutes.to_string(),
            c.document_max_mb.to_string(),
            c.ticket_due_hours.urgent.to_string(),
            c.ticket_due_hours.high.to_string(),
            c.ticket_due_hours.normal.to_string(),
            c.ticket_due_hours.low.to_string(),
        ]
        .into_iter()
        .chain(
            [
                c.pool_reclaim_no_contact_days,
                c.pool_reclaim_unsigned_days,
                c.pool_warn_days,
                c.pool_max_owned,
                c.pool_max_claims_per_day,
            ]
            .map(|v| v.map(|n| n.to_string()).unwrap_or_default()),
        );
        for (f, v) in fields.iter().zip(values) {
            f.set(v);
        }
        review.set(c.review_new_customers);
        private_hooks.set(c.webhooks_allow_private_network);
        language.set(c.language);
        current.set(Some(s.clone()));
    };
    run(
        error,
        move || async move { api.settings().await },
        move |s| fill(&s),
    );
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saved.set(false);
        let Some(version) = current.with_untracked(|c| c.as_ref().map(|c| c.version)) else {
            return;
        };
        let v = |i: usize| fields[i].get_untracked();
        let thresholds: Result<Vec<Money>, _> = (3..7).map(|i| Money::parse(&v(i))).collect();
        let Ok(thresholds) = thresholds else {
            error.set(Some(format!("{}: ?", t_string!(i18n, settings.grades))));
            return;
        };
        let num = |i: usize| v(i).trim().parse::<u32>().ok();
        let hours: Option<Vec<u32>> = (12..16).map(num).collect();
        let Some([urgent, high, normal, low]) = hours.and_then(|h| <[u32; 4]>::try_from(h).ok())
        else {
            error.set(Some(format!("{}: ?", t_string!(i18n, settings.due_hours))));
            return;
        };
        // A pool rule's box: blank turns it off.
        let pool: Option<Vec<Option<u32>>> = (16..21)
            .map(|i| {
                let text = v(i);
                let text = text.trim();
                if text.is_empty() {
                    Some(None)
                } else {
                    text.parse::<u32>().ok().map(Some)
                }
            })
            .collect();
        let Some([no_contact, unsigned, warn, max_owned, max_claims]) =
            pool.and_then(|p| <[Option<u32>; 5]>::try_from(p).ok())
        else {
            error.set(Some(format!("{}: ?", t_string!(i18n, settings.pool))));
            return;
        };
        let mut scorecard = ScorecardWeights::default();
        for (w, part) in weights.iter().zip(ScoreComponent::ALL) {
            let Ok(n) = w.get_untracked().trim().parse::<u32>() else {
                error.set(Some(format!(
                    "{}: {}?",
                    t_string!(i18n, settings.weights),
                    part.label().get(lang(i18n))
                )));
                return;
            };
            scorecard.set(part, n);
        }
        let body = SettingsPatch {
            scorecard_weights: Some(scorecard),
            pool_reclaim_no_contact_days: Some(no_contact),
            pool_reclaim_unsigned_days: Some(unsigned),
            pool_warn_days: Some(warn),
            pool_max_owned: Some(max_owned),
            pool_max_claims_per_day: Some(max_claims),
            webhooks_allow_private_network: Some(private_hooks.get_untracked()),
            company_name: Some(v(0)),
            time_zone: Some(v(1)),
            currency: Some(v(2)),
            review_new_customers: Some(review.get_untracked()),
            grade_thresholds: Some(thresholds),
            payment_reminder_days: num(7),
            overdue_escalation_days: num(8),
            renewal_reminder_days: num(9),
            activity_edit_minutes: num(10),
            document_max_mb: num(11),
            language: Some(language.get_untracked()),
            ticket_due_hours: Some(TicketDueHours {
                urgent,
                high,
                normal,
                low,
            }),
            version,
        };
        if let Err(e) = check(i18n, &body) {
            error.set(Some(e));
            return;
        }
        run(
            error,
            move || async move { api.update_settings(&body).await },
            move |s| {
                fill(&s);
                saved.set(true);
            },
        );
    };
    let field = move |label: fn(I18n) -> &'static str, i: usize, kind: &'static str| {
        view! {
            <label>{move || label(i18n)}<input type=kind bind:value=fields[i] /></label>
        }
    };
    view! {
        <section class="card">
            <h1>{move || t_string!(i18n, settings.title)}</h1>
            // The form shows once the settings are read: a box filled in before that would be
            // overwritten by them, and there is no version to save against.
            <Show when=move || current.with(Option::is_some) fallback=move || view! {
                <p class="muted">{move || t_string!(i18n, common.loading)}</p>
                <ErrorLine error=error />
            }>
            <form class="stack-form" on:submit=save>
                {field(|i| t_string!(i, settings.company_name), 0, "text")}
                {field(|i| t_string!(i, settings.time_zone), 1, "text")}
                {field(|i| t_string!(i, settings.currency), 2, "text")}
                <label>{move || t_string!(i18n, settings.language)}
                    <select name="language" on:change=move |ev| { if let Some(l) = Lang::from_tag(&event_target_value(&ev)) { language.set(l) } }>
                        {Lang::ALL.into_iter().map(|l| view! { <option value=l.code() prop:selected=move || language.get() == l>{match l { Lang::Zh => "中文", Lang::En => "English" }}</option> }).collect_view()}
                    </select>
                </label>
                <label class="check"><input type="checkbox" bind:checked=review />{move || t_string!(i18n, settings.review)}</label>
                <fieldset class="row"><legend>{move || t_string!(i18n, settings.grades)}</legend>
                    <input bind:value=fields[3] /><input bind:value=fields[4] /><input bind:value=fields[5] /><input bind:value=fields[6] />
                </fieldset>
                {field(|i| t_string!(i, settings.payment_days), 7, "number")}
                {field(|i| t_string!(i, settings.escalation_days), 8, "number")}
                {field(|i| t_string!(i, settings.renewal_days), 9, "number")}
                {field(|i| t_string!(i, settings.edit_minutes), 10, "number")}
                {field(|i| t_string!(i, settings.document_max_mb), 11, "number")}
                <fieldset class="row"><legend>{move || t_string!(i18n, settings.due_hours)}</legend>
                    <label>{move || t_string!(i18n, tk.priority.urgent)}<input type="number" min="1" name="due_urgent" bind:value=fields[12] /></label>
                    <label>{move || t_string!(i18n, tk.priority.high)}<input type="number" min="1" name="due_high" bind:value=fields[13] /></label>
                    <label>{move || t_string!(i18n, tk.priority.normal)}<input type="number" min="1" name="due_normal" bind:value=fields[14] /></label>
                    <label>{move || t_string!(i18n, tk.priority.low)}<input type="number" min="1" name="due_low" bind:value=fields[15] /></label>
                </fieldset>
                <fieldset class="stack-form"><legend>{move || t_string!(i18n, settings.pool)}</legend>
                    <label>{move || t_string!(i18n, settings.pool_no_contact)}<input type="number" min="1" name="pool_reclaim_no_contact_days" bind:value=fields[16] /></label>
                    <label>{move || t_string!(i18n, settings.pool_unsigned)}<input type="number" min="1" name="pool_reclaim_unsigned_days" bind:value=fields[17] /></label>
                    <label>{move || t_string!(i18n, settings.pool_warn)}<input type="number" min="1" name="pool_warn_days" bind:value=fields[18] /></label>
                    <label>{move || t_string!(i18n, settings.pool_max_owned)}<input type="number" min="1" name="pool_max_owned" bind:value=fields[19] /></label>
                    <label>{move || t_string!(i18n, settings.pool_max_claims)}<input type="number" min="1" name="pool_max_claims_per_day" bind:value=fields[20] /></label>
                </fieldset>
                <fieldset class="row weights"><legend>{move || t_string!(i18n, settings.weights)}</legend>
                    {ScoreComponent::ALL.into_iter().zip(weights).map(|(part, w)| view! {
                        <label>{move || part.label().get(lang(i18n)).to_string()}<input type="number" min="0" max="100" name=format!("weight_{}", part.as_str()) bind:value=w /></label>
                    }).collect_view()}
                    <p class="muted hint">{move || t_string!(i18n, settings.weights_hint)}</p>
                </fieldset>
                <label class="check"><input type="checkbox" name="webhooks_allow_private_network" bind:checked=private_hooks />{move || t_string!(i18n, settings.private_hooks)}</label>
                <ErrorLine error=error />
                <Show when=move || saved.get()><p class="ok">{move || t_string!(i18n, common.saved)}</p></Show>
                <button type="submit" class="primary">{move || t_string!(i18n, common.save)}</button>
            </form>
            </Show>
        </section>
    }
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let entity = RwSignal::new(String::new());
    let list = Paged::<AuditEntry>::new();
    let (entries, error) = (list.items, list.error);
    let load = move |more: bool| {
        let entity = Some(entity.get_untracked().trim().to_string()).filter(|e| !e.is_empty());
        list.load(
            move |cursor| async move {
                let q = AuditQuery {
                    entity,
                    limit: Some(50),
                    cursor,
                    ..AuditQuery::default()
                };
                api.audit_log(&q).await
            },
            more,
        );
    };
    load(false);
    view! {
        <section class="card">
            <h1>{move || t_string!(i18n, audit.title)}</h1>
            <form class="inline-form" on:submit=move |ev: leptos::ev::SubmitEvent| { ev.prevent_default(); load(false); }>
                <input type="search" placeholder=move || t_string!(i18n, audit.filter) bind:value=entity />
            </form>
            <ErrorLine error=error />
            <History entries=entries show_record=true />
            <Show when=move || list.has_more()>
                <button on:click=move |_| load(true)>{move || t_string!(i18n, common.more)}</button>
            </Show>
        </section>
    }
}
