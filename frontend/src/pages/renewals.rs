//! The renewal risk list (续费风险): whom to call first among the customers whose service ends soon.

use crate::api::use_api;
use crate::components::{ErrorLine, Paged, searched, when};
use crate::i18n::*;
use crm_domain::api::{RenewalRisk, RenewalRiskQuery};
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn RenewalRiskPage() -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let within = RwSignal::new("90".to_string());
    let query = move |cursor: Option<String>| RenewalRiskQuery {
        within_days: within.get_untracked().trim().parse().ok(),
        cursor,
        ..RenewalRiskQuery::default()
    };
    let list = Paged::<RenewalRisk>::new();
    list.follow(searched(
        move || within.get(),
        move |_| {
            let q = query(None);
            async move { api.renewal_risk(&q).await }
        },
    ));
    let more = move |_| {
        list.load(
            move |cursor| {
                let q = query(cursor);
                async move { api.renewal_risk(&q).await }
            },
            true,
        )
    };
    let (items, error) = (list.items, list.error);
    view! {
        <section class="card">
            <h1>{move || t_string!(i18n, rnw.title)}</h1>
            <p class="hint">{move || t_string!(i18n, rnw.intro)}</p>
            <div class="inline-form">
                <label>{move || t_string!(i18n, rnw.within)}
                    <select name="within_days" bind:value=within>
                        {[30u32, 60, 90, 180].into_iter().map(|d| view! { <option value=d.to_string()>{d}</option> }).collect_view()}
                    </select>
                </label>
            </div>
            <ErrorLine error=error />
            <table class="grid renewal-table">
                <thead><tr>
                    <th>{move || t_string!(i18n, rnw.score)}</th><th>{move || t_string!(i18n, cust.name)}</th>
                    <th>{move || t_string!(i18n, cust.owner)}</th><th>{move || t_string!(i18n, rnw.ends)}</th>
                    <th>{move || t_string!(i18n, rnw.why)}</th>
                </tr></thead>
                <tbody>
                    {move || items.get().into_iter().map(|x| {
                        let p = x.parts.clone();
                        let last = x.last_contact_at;
                        let days = x.days_left;
                        let level = if x.score >= 50 { "high" } else if x.score >= 25 { "medium" } else { "low" };
                        let mut why = Vec::new();
                        if p.contact_points > 0 {
                            why.push(view! { <li>{move || match last {
                                Some(t) => t_string!(i18n, rnw.last_contact, when = when(i18n, t)).to_string(),
                                None => t_string!(i18n, rnw.never).to_string(),
                            }}<small>{format!(" +{}", p.contact_points)}</small></li> }.into_any());
                        }
                        if p.overdue_points > 0 {
                            let amount = p.overdue.to_string();
                            why.push(view! { <li>{move || t_string!(i18n, rnw.overdue, amount = amount.clone()).to_string()}<small>{format!(" +{}", p.overdue_points)}</small></li> }.into_any());
                        }
                        if p.complaint_points > 0 {
                            let n = p.open_complaints;
                            why.push(view! { <li>{move || t_string!(i18n, rnw.complaints, n = n).to_string()}<small>{format!(" +{}", p.complaint_points)}</small></li> }.into_any());
                        }
                        if p.satisfaction_points > 0 {
                            let s = p.last_satisfaction.unwrap_or_default();
                            why.push(view! { <li>{move || t_string!(i18n, rnw.satisfaction, n = s).to_string()}<small>{format!(" +{}", p.satisfaction_points)}</small></li> }.into_any());
                        }
                        if let Some(on) = p.lost_deal_on {
                            let on = on.to_string();
                            why.push(view! { <li>{move || t_string!(i18n, rnw.lost, on = on.clone()).to_string()}<small>{format!(" +{}", p.lost_deal_points)}</small></li> }.into_any());
                        }
                        let (cid, name, label) = (x.customer.id, x.customer.name.clone(), x.customer.name.clone());
                        let (oid, number) = (x.order.id, x.order.name.clone());
                        let (owner, department) = (x.owner.name.clone(), x.department.name.clone());
                        view! {
                            <tr data-customer=label>
                                <td><span class=format!("risk risk-{level}")>{x.score}</span></td>
                                <td><A href=format!("/customers/{cid}")>{name.clone()}</A>
                                    <small>" · "<A href=format!("/orders/{oid}")>{number.clone()}</A></small></td>
                                <td>{owner}<small>" · "{department}</small></td>
                                <td>{x.service_end.to_string()}<small>{move || t_string!(i18n, rnw.days_left, n = days).to_string()}</small></td>
                                <td><ul class="why">{why}</ul></td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            <Show when=move || items.with(Vec::is_empty) && error.with(Option::is_none)>
                <p class="hint">{move || t_string!(i18n, rnw.none)}</p>
            </Show>
            <Show when=move || list.has_more()>
                <button on:click=more>{move || t_string!(i18n, common.more)}</button>
            </Show>
        </section>
    }
}
