//! A record's history as its reader says it: every record type's changes through one component,
//! with field labels from the domain's catalogue (`crm_domain::history`), ids named by the server
//! (`AuditEntry::names`), yes/no for booleans, and the words of levels, types and statuses.

use super::{labels, when};
use crate::format::{I18n, lang};
use crate::i18n::*;
use crm_domain::api::{AuditEntry, CustomerType, ReviewStatus};
use crm_domain::customer::CustomerLevel;
use crm_domain::history::{action_label, entity_label, field_label, ref_kind, yes_no};
use crm_domain::knowledge::{ArticleKind, ArticleStatus};
use crm_domain::opportunity::{OpportunityStatus, QuoteStatus};
use crm_domain::order::OrderStatus;
use leptos::prelude::*;
use serde_json::Value;

/// One changed field: its label, and the old and new values (or the one value of a create).
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub field: String,
    pub old: Option<String>,
    pub value: String,
}

/// The lines of an entry in the reader's words.
pub fn lines(i18n: I18n, entry: &AuditEntry) -> Vec<Line> {
    let Some(map) = entry.changes.as_object() else {
        return Vec::new();
    };
    let language = lang(i18n);
    map.iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(field, v)| {
            let say = |value: &Value| words(i18n, entry, field, value);
            let label = field_label(&entry.entity, field, language).into_owned();
            match (v.get("old"), v.get("new")) {
                (Some(old), Some(new)) if v.as_object().is_some_and(|o| o.len() == 2) => Line {
                    field: label,
                    old: Some(say(old)),
                    value: say(new),
                },
                _ => Line {
                    field: label,
                    old: None,
                    value: say(v),
                },
            }
        })
        .collect()
}

/// One value of a field as a person reads it.
fn words(i18n: I18n, entry: &AuditEntry, field: &str, value: &Value) -> String {
    let name = |id: i64| {
        ref_kind(&entry.entity, field)
            .and_then(|kind| entry.names.get(&kind.key(id)).cloned())
            .unwrap_or_else(|| format!("#{id}"))
    };
    // A field's values are words of the entity they belong to: an order's status is not a deal's.
    let enum_words = |text: &str| -> Option<&'static str> {
        match (entry.entity.as_str(), field) {
            (_, "level") => CustomerLevel::parse(text).map(|l| labels::level(i18n, l)),
            (_, "type") => CustomerType::parse(text).map(|t| labels::customer_type(i18n, t)),
            (_, "review_status") => ReviewStatus::parse(text).map(|r| labels::review(i18n, r)),
            ("order", "status") => OrderStatus::parse(text).map(|s| labels::order_status(i18n, s)),
            ("opportunity", "status") => {
                OpportunityStatus::parse(text).map(|s| labels::deal_status(i18n, s))
            }
            ("quote", "status") => QuoteStatus::parse(text).map(|s| labels::quote_status(i18n, s)),
            ("article", "status") => {
                ArticleStatus::parse(text).map(|s| labels::article_status(i18n, s))
            }
            ("article", "kind") => ArticleKind::parse(text).map(|k| labels::article_kind(i18n, k)),
            _ => None,
        }
    };
    match value {
        Value::Null => "—".into(),
        Value::Bool(b) => yes_no(*b, lang(i18n)).into(),
        Value::Number(n) if ref_kind(&entry.entity, field).is_some() => {
            n.as_i64().map(name).unwrap_or_else(|| n.to_string())
        }
        Value::Array(items) if ref_kind(&entry.entity, field).is_some() => items
            .iter()
            .map(|v| v.as_i64().map(name).unwrap_or_else(|| v.to_string()))
            .collect::<Vec<_>>()
            .join("、"),
        Value::String(s) => enum_words(s)
            .map(str::to_string)
            .unwrap_or_else(|| s.clone()),
        // Rows inside a change (an order's lines, a plan's installments): each as its labelled
        // fields.
        Value::Array(items) => items
            .iter()
            .map(|item| words(i18n, entry, field, item))
            .collect::<Vec<_>>()
            .join("; "),
        Value::Object(fields) => fields
            .iter()
            .map(|(key, v)| {
                let label = field_label(&entry.entity, key, lang(i18n));
                format!("{label} {}", words(i18n, entry, key, v))
            })
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    }
}

/// The entries of a history, newest first: when, who, what was done to what, and the changed
/// fields. `show_record` adds a column naming the record (the audit log's; a customer's own history
/// does not need it).
#[component]
pub fn History(
    #[prop(into)] entries: Signal<Vec<AuditEntry>>,
    #[prop(optional)] show_record: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    // Changes can be long: at phone width the table scrolls inside its box, not the page.
    view! {
        <div class="table-scroll"><table class="grid history">
            <thead><tr>
                <th>{move || t_string!(i18n, audit.at)}</th>
                <th>{move || t_string!(i18n, audit.user)}</th>
                <th>{move || t_string!(i18n, audit.action)}</th>
                {show_record.then(|| view! { <th>{move || t_string!(i18n, audit.entity)}</th> })}
                <th>{move || t_string!(i18n, audit.changes)}</th>
            </tr></thead>
            <tbody>
                {move || entries.get().into_iter().map(|e| {
                    let entry = e.clone();
                    let who = e.user.clone().map(|u| u.name);
                    view! {
                        <tr data-entity=e.entity.clone() data-action=e.action.clone()>
                            <td>{move || when(i18n, e.at)}</td>
                            <td>{move || who.clone().unwrap_or_else(|| t_string!(i18n, history.system).to_string())}</td>
                            <td>{
                                let (entity, action) = (e.entity.clone(), e.action.clone());
                                move || {
                                    let l = lang(i18n);
                                    format!("{} · {}", entity_label(&entity, l), action_label(&action, l))
                                }
                            }</td>
                            {show_record.then(|| view! { <td>{e.entity_id.map(|i| format!("#{i}")).unwrap_or_default()}</td> })}
                            <td><ul class="changes">{move || lines(i18n, &entry).into_iter().map(|line| view! {
                                <li><span class="field">{line.field}</span>": "
                                    {line.old.map(|old| view! { <span class="old">{old}</span>" → " })}
                                    <span class="new">{line.value}</span>
                                </li>
                            }).collect_view()}</ul></td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table></div>
        <Show when=move || entries.with(Vec::is_empty)>
            <p class="muted">{move || t_string!(i18n, history.empty)}</p>
        </Show>
    }
}
