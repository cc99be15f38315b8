//! Roles: the permission matrix (module × action) and the data scope of each role.

use crate::api::use_api;
use crate::components::{ErrorLine, labels, run};
use crate::format::lang;
use crate::i18n::*;
use crm_domain::api::{NewRole, Role, RolePatch};
use crm_domain::{DataScope, Lang, Permission};
use leptos::prelude::*;

#[component]
pub fn RolesPage() -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let reload = RwSignal::new(0u32);
    let roles = LocalResource::new(move || {
        reload.get();
        async move { api.roles().await }
    });
    let catalogue =
        LocalResource::new(move || async move { api.permissions().await.unwrap_or_default() });
    let error = RwSignal::new(None::<String>);
    let saved = RwSignal::new(false);
    let selected = RwSignal::new(None::<i64>);
    let perms = RwSignal::new(Vec::<Permission>::new());
    let scope = RwSignal::new(DataScope::Own);
    let new_name = RwSignal::new(String::new());
    let list = move || roles.get().and_then(Result::ok).unwrap_or_default();
    let pick = move |role: Role| {
        selected.set(Some(role.id));
        perms.set(role.permissions.clone());
        scope.set(role.data_scope);
        saved.set(false);
    };
    let save = move |_| {
        let Some(id) = selected.get_untracked() else {
            return;
        };
        let Some(version) = list().into_iter().find(|r| r.id == id).map(|r| r.version) else {
            return;
        };
        let body = RolePatch {
            permissions: Some(perms.get_untracked()),
            data_scope: Some(scope.get_untracked()),
            version,
            ..Default::default()
        };
        run(
            error,
            move || async move { api.update_role(id, &body).await },
            move |_| {
                saved.set(true);
                reload.update(|n| *n += 1);
            },
        );
    };
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = NewRole {
            name: new_name.get_untracked(),
            description: None,
            permissions: Vec::new(),
            data_scope: DataScope::Own,
        };
        run(
            error,
            move || async move { api.create_role(&body).await },
            move |role| {
                new_name.set(String::new());
                reload.update(|n| *n += 1);
                pick(role);
            },
        );
    };
    let matrix = move || {
        let infos = catalogue.get().unwrap_or_default();
        let mut modules: Vec<String> = infos.iter().map(|p| p.module.clone()).collect();
        modules.dedup();
        modules.into_iter().map(|module| {
            let items = infos.iter().filter(|p| p.module == module).cloned().collect::<Vec<_>>();
            view! {
                <fieldset class="checks"><legend>{move || labels::module(i18n, &module)}</legend>
                    {items.into_iter().filter_map(|info| Permission::parse(&info.code).map(|p| (p, info))).map(|(p, info)| {
                        let (zh, en) = (info.name_zh.clone(), info.name_en.clone());
                        view! {
                            <label class="check" title=info.code.clone()>
                                <input type="checkbox" name=info.code.clone()
                                    prop:checked=move || perms.with(|ps| ps.contains(&p))
                                    on:change=move |_| perms.update(|ps| if let Some(i) = ps.iter().position(|x| *x == p) { ps.remove(i); } else { ps.push(p); }) />
                                {move || if lang(i18n) == Lang::Zh { zh.clone() } else { en.clone() }}
                            </label>
                        }
                    }).collect_view()}
                </fieldset>
            }
        }).collect_view()
    };
    view! {
        <section class="card">
            <h1>{move || t_string!(i18n, roles.title)}</h1>
            <form class="inline-form" on:submit=create>
                <input name="role-name" placeholder=move || t_string!(i18n, common.name) required bind:value=new_name />
                <button type="submit" class="primary">{move || t_string!(i18n, roles.new)}</button>
            </form>
            <ErrorLine error=error />
            <div class="split">
                <ul class="pick-list">
                    {move || list().into_iter().map(|r| {
                        let id = r.id;
                        let role = r.clone();
                        view! {
                            <li class:active=move || selected.get() == Some(id)>
                                <button on:click=move |_| pick(role.clone())>{r.name.clone()}" "<small>{format!("({})", r.user_count)}</small></button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
                <Show when=move || selected.get().is_some()>
                    <div class="matrix">
                        <label>{move || t_string!(i18n, roles.scope)}
                            <select on:change=move |ev| { if let Some(s) = DataScope::parse(&event_target_value(&ev)) { scope.set(s) } }>
                                {DataScope::ALL.into_iter().map(|s| view! {
                                    <option value=s.as_str() selected=move || scope.get() == s>{move || labels::scope(i18n, s)}</option>
                                }).collect_view()}
                            </select>
                        </label>
                        <h2>{move || t_string!(i18n, roles.permissions)}</h2>
                        {matrix}
                        <Show when=move || saved.get()><p class="ok">{move || t_string!(i18n, common.saved)}</p></Show>
                        <button class="primary" on:click=save>{move || t_string!(i18n, common.save)}</button>
                    </div>
                </Show>
            </div>
        </section>
    }
}
