//! The day's work: the Today page that opens after login (my reminders due and overdue, my recent
//! activities, and for managers the team's day with a drill-down per person), the agenda of upcoming
//! next steps by week, and the quick-log form shared with the customer pages.

use crate::api::use_api;
use crate::components::{ErrorLine, dictionary, entry_name, labels, run, when};
use crate::format::{I18n, lang};
use crate::i18n::*;
use crate::state::use_session;
use chrono::{Datelike, Duration, NaiveDate};
use crm_domain::api::{
    ActivityQuery, DictionaryItem, DictionaryKind, NewActivity, Reminder, ReminderQuery,
    ReminderStatus, ReminderView, SnoozeRequest, TeamQuery,
};
use crm_domain::{DataScope, Lang, Permission};
use leptos::prelude::*;
use leptos_router::components::A;

fn type_name(i18n: I18n, types: &[DictionaryItem], id: i64) -> String {
    types
        .iter()
        .find(|d| d.id == id)
        .map(|d| entry_name(i18n, d))
        .unwrap_or_default()
}

/// Logging a contact in seconds: a type, a line, a button; optionally a next step (date and note),
/// which becomes a reminder. `compact` leaves the next step out (the list's inline form).
#[component]
pub fn QuickLog(
    customer_id: i64,
    /// The deal the contact was about, when logged on a deal's page.
    #[prop(optional)]
    opportunity_id: Option<i64>,
    #[prop(optional)] compact: bool,
    #[prop(into)] on_logged: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let types = dictionary(api, DictionaryKind::ActivityType);
    let (kind, summary, next_on, next_note) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let error = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let type_id = kind.get_untracked().parse::<i64>().ok().or_else(|| {
            types
                .get_untracked()
                .and_then(|ts| ts.first().map(|t| t.id))
        });
        let Some(type_id) = type_id else { return };
        let note = next_note.get_untracked();
        let body = NewActivity {
            opportunity_id,
            customer_id,
            contact_id: None,
            type_id,
            occurred_at: chrono::Utc::now(),
            summary: summary.get_untracked(),
            outcome: None,
            next_step_on: NaiveDate::parse_from_str(&next_on.get_untracked(), "%Y-%m-%d").ok(),
            next_step_note: (!note.trim().is_empty()).then_some(note),
        };
        run(
            error,
            move || async move { api.log_activity(&body).await },
            move |_| {
                summary.set(String::new());
                next_on.set(String::new());
                next_note.set(String::new());
                on_logged.run(());
            },
        );
    };
    view! {
        <form class="inline-form quick-log" on:submit=submit>
            {move || {
                // Preselect the first type (a visit) once the types are there.
                if let Some(first) = types.get().and_then(|ts| ts.first().map(|t| t.id))
                    && kind.get_untracked().is_empty() { kind.set(first.to_string()); }
                view! {
                    <select name="activity_type" bind:value=kind>
                        {types.get().unwrap_or_default().into_iter().map(|d| {
                            let id = d.id;
                            view! { <option value=d.id.to_string()>{move || type_name(i18n, &types.get().unwrap_or_default(), id)}</option> }
                        }).collect_view()}
                    </select>
                }
            }}
            <input name="activity_summary" class="grow" placeholder=move || t_string!(i18n, act.summary) required bind:value=summary />
            {(!compact).then(|| view! {
                <input name="next_step_on" type="date" title=move || t_string!(i18n, act.next_on) bind:value=next_on />
                <input name="next_step_note" placeholder=move || t_string!(i18n, act.next_note) bind:value=next_note />
            })}
            <button type="submit" class="primary">{move || t_string!(i18n, act.log)}</button>
        </form>
        <ErrorLine error=error />
    }
}

/// One reminder with its actions (done, one more day).
#[component]
fn ReminderRow(reminder: Reminder, #[prop(into)] changed: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let error = RwSignal::new(None::<String>);
    let id = reminder.id;
    let done = move |_| {
        run(
            error,
            move || async move { api.reminder_done(id).await },
            move |_| changed.run(()),
        )
    };
    let snooze = move |_| {
        let body = SnoozeRequest {
            until: None,
            days: Some(1),
        };
        run(
            error,
            move || async move { api.snooze(id, &body).await },
            move |_| changed.run(()),
        )
    };
    let overdue = reminder.status == ReminderStatus::Overdue;
    view! {
        <li class="reminder" class:overdue=overdue data-reminder=reminder.note.clone()>
            <span class="due">{reminder.due_on.format("%m-%d").to_string()}</span>
            {overdue.then(|| view! { <span class="badge danger">{move || t_string!(i18n, rem.overdue)}</span> })}
            <A href=format!("/customers/{}", reminder.customer.id)>{reminder.customer.name.clone()}</A>
            <span class="note grow">{reminder.note.clone()}</span>
            <button class="small" on:click=snooze title=move || t_string!(i18n, rem.snooze_hint)>{move || t_string!(i18n, rem.snooze)}</button>
            <button class="small primary" on:click=done>{move || t_string!(i18n, rem.done)}</button>
            <ErrorLine error=error />
        </li>
    }
}

/// Who is signed in: name, department, roles and what they see (the top of the Today page).
#[component]
fn Welcome() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    view! {
        <section class="card welcome">
            {move || session.me.get().map(|me| {
                let scope = me.data_scope;
                let roles = me.roles.iter().map(|r| r.name.clone()).collect::<Vec<_>>().join("、");
                view! {
                    <h1>{move || t_string!(i18n, home.welcome)}{me.display_name.clone()}</h1>
                    <dl class="facts">
                        <dt>{move || t_string!(i18n, home.department)}</dt><dd>{me.department.name.clone()}</dd>
                        <dt>{move || t_string!(i18n, home.roles)}</dt><dd>{roles}</dd>
                        <dt>{move || t_string!(i18n, home.scope)}</dt><dd>{move || labels::scope(i18n, scope)}</dd>
                    </dl>
                }
            })}
        </section>
    }
}

#[component]
pub fn TodayPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let api = use_api();
    let reload = RwSignal::new(0u32);
    let due = LocalResource::new(move || {
        reload.get();
        async move {
            let q = ReminderQuery {
                status: Some(ReminderView::Due),
                limit: Some(100),
                ..ReminderQuery::default()
            };
            api.reminders(&q).await.map(|p| p.items)
        }
    });
    let my_id = move || session.me.with(|m| m.as_ref().map(|m| m.id).unwrap_or(0));
    let recent = LocalResource::new(move || {
        reload.get();
        let me = my_id();
        async move {
            let q = ActivityQuery {
                owner_id: Some(me),
                limit: Some(10),
                ..ActivityQuery::default()
            };
            api.activities(&q)
                .await
                .map(|p| p.items)
                .unwrap_or_default()
        }
    });
    let manages = move || {
        session.can(Permission::ActivityRead)
            && session
                .me
                .with(|m| m.as_ref().is_some_and(|m| m.data_scope != DataScope::Own))
    };
    let changed = Callback::new(move |_| reload.update(|n| *n += 1));
    view! {
        <Welcome />
        <crate::pages::knowledge::BulletinStrip />
        <section class="card today">
            <h2>{move || t_string!(i18n, today.due)}</h2>
            {move || due.get().map(|r| match r {
                Err(e) => view! { <p class="error" role="alert">{e.display()}</p> }.into_any(),
                Ok(list) if list.is_empty() => view! { <p class="muted empty-due">{move || t_string!(i18n, today.nothing_due)}</p> }.into_any(),
                Ok(list) => view! {
                    <ul class="reminders">
                        {list.into_iter().map(|r| view! { <ReminderRow reminder=r changed=changed /> }).collect_view()}
                    </ul>
                }.into_any(),
            })}
            <p><A href="/agenda">{move || t_string!(i18n, today.agenda_link)}</A></p>
        </section>
        <Show when=manages>
            <TeamDayCard />
        </Show>
        <section class="card">
            <h2>{move || t_string!(i18n, today.recent)}</h2>
            <table class="grid activities">
                <thead><tr><th>{move || t_string!(i18n, act.when)}</th><th>{move || t_string!(i18n, cust.name)}</th><th>{move || t_string!(i18n, act.summary)}</th></tr></thead>
                <tbody>
                    {move || recent.get().unwrap_or_default().into_iter().map(|x| {
                        let at = x.occurred_at;
                        view! { <tr>
                            <td>{move || when(i18n, at)}</td>
                            <td><A href=format!("/customers/{}", x.customer.id)>{x.customer.name.clone()}</A></td>
                            <td>{x.summary.clone()}</td>
                        </tr> }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}

/// The team's day: counts per person (idle people too), and one person's activities on a click.
#[component]
fn TeamDayCard() -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let types = dictionary(api, DictionaryKind::ActivityType);
    let date = RwSignal::new(String::new());
    let person = RwSignal::new(None::<i64>);
    let day = LocalResource::new(move || {
        let d = date.get();
        let who = person.get();
        async move {
            let q = TeamQuery {
                date: d.parse().ok(),
                user_id: who,
            };
            api.team_day(&q).await
        }
    });
    // The server says which day "today" is (the company's calendar): show it in the picker.
    Effect::new(move |_| {
        if let Some(Ok(d)) = day.get()
            && date.get_untracked().is_empty()
        {
            date.set(d.date.to_string());
        }
    });
    view! {
        <section class="card team-day">
            <div class="title-row">
                <h2>{move || t_string!(i18n, team.title)}</h2>
                <input type="date" name="team_date" bind:value=date on:change=move |_| person.set(None) />
            </div>
            {move || day.get().map(|r| match r {
                Err(e) => view! { <p class="error" role="alert">{e.display()}</p> }.into_any(),
                Ok(d) => {
                    let all_types = types.get().unwrap_or_default();
                    view! {
                        <p class="muted">{move || t_string!(i18n, team.total)}<strong class="team-total">{d.total}</strong></p>
                        <table class="grid team">
                            <thead><tr><th>{move || t_string!(i18n, team.person)}</th><th>{move || t_string!(i18n, users.department)}</th><th>{move || t_string!(i18n, team.count)}</th><th>{move || t_string!(i18n, team.by_type)}</th></tr></thead>
                            <tbody>
                                {d.people.into_iter().map(|p| {
                                    let id = p.user.id;
                                    let by_type = p.by_type.iter().map(|c| format!("{} {}", type_name(i18n, &all_types, c.type_id), c.count)).collect::<Vec<_>>().join(" · ");
                                    view! { <tr class:selected=move || person.get() == Some(id) class:idle=p.count == 0 data-username=p.username.clone()>
                                        <td><button class="link" on:click=move |_| person.update(|x| *x = if *x == Some(id) { None } else { Some(id) })>{p.user.name.clone()}</button> <small>{p.username.clone()}</small></td>
                                        <td>{p.department.name.clone()}</td>
                                        <td class="num">{p.count}</td>
                                        <td>{by_type}</td>
                                    </tr> }
                                }).collect_view()}
                            </tbody>
                        </table>
                        <h3>{move || if person.get().is_some() { t_string!(i18n, team.person_day) } else { t_string!(i18n, team.everyone_day) }}</h3>
                        <table class="grid activities team-activities">
                            <thead><tr><th>{move || t_string!(i18n, act.when)}</th><th>{move || t_string!(i18n, act.by)}</th><th>{move || t_string!(i18n, cust.name)}</th><th>{move || t_string!(i18n, act.summary)}</th></tr></thead>
                            <tbody>
                                {d.activities.into_iter().map(|x| {
                                    let at = x.occurred_at;
                                    view! { <tr>
                                        <td>{move || when(i18n, at)}</td>
                                        <td>{x.owner.name.clone()}</td>
                                        <td><A href=format!("/customers/{}", x.customer.id)>{x.customer.name.clone()}</A></td>
                                        <td>{x.summary.clone()}</td>
                                    </tr> }
                                }).collect_view()}
                            </tbody>
                        </table>
                        {d.truncated.then(|| view! { <p class="muted">{move || t_string!(i18n, team.truncated)}</p> })}
                    }.into_any()
                }
            })}
        </section>
    }
}

/// The Monday of a date's week.
fn week_start(d: NaiveDate) -> NaiveDate {
    d - Duration::days(i64::from(d.weekday().num_days_from_monday()))
}

/// Upcoming next steps by week (overdue ones first, in a group of their own).
#[component]
pub fn AgendaPage() -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let reload = RwSignal::new(0u32);
    let open = LocalResource::new(move || {
        reload.get();
        async move {
            let q = ReminderQuery {
                status: Some(ReminderView::Open),
                limit: Some(200),
                ..ReminderQuery::default()
            };
            api.reminders(&q).await.map(|p| p.items)
        }
    });
    let changed = Callback::new(move |_| reload.update(|n| *n += 1));
    view! {
        <section class="card agenda">
            <h1>{move || t_string!(i18n, agenda.title)}</h1>
            {move || open.get().map(|r| match r {
                Err(e) => view! { <p class="error" role="alert">{e.display()}</p> }.into_any(),
                Ok(list) if list.is_empty() => view! { <p class="muted">{move || t_string!(i18n, agenda.empty)}</p> }.into_any(),
                Ok(list) => {
                    let (overdue, ahead): (Vec<Reminder>, Vec<Reminder>) = list.into_iter().partition(|r| r.status == ReminderStatus::Overdue);
                    let mut weeks: Vec<(NaiveDate, Vec<Reminder>)> = Vec::new();
                    for r in ahead {
                        let w = week_start(r.due_on);
                        match weeks.last_mut() {
                            Some((start, items)) if *start == w => items.push(r),
                            _ => weeks.push((w, vec![r])),
                        }
                    }
                    view! {
                        {(!overdue.is_empty()).then(|| view! {
                            <h2 class="overdue">{move || t_string!(i18n, rem.overdue)}</h2>
                            <ul class="reminders">{overdue.into_iter().map(|r| view! { <ReminderRow reminder=r changed=changed /> }).collect_view()}</ul>
                        })}
                        {weeks.into_iter().map(|(start, items)| {
                            let end = start + Duration::days(6);
                            let week = start.iso_week().week();
                            view! {
                                <h2>{move || match lang(i18n) {
                                    Lang::Zh => format!("第{week}周 · {}–{}", start.format("%-m月%-d日"), end.format("%-m月%-d日")),
                                    Lang::En => format!("Week {week} · {} – {}", start.format("%-d %b"), end.format("%-d %b")),
                                }}</h2>
                                <ul class="reminders">{items.into_iter().map(|r| view! { <ReminderRow reminder=r changed=changed /> }).collect_view()}</ul>
                            }
                        }).collect_view()}
                    }.into_any()
                }
            })}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::week_start;
    use chrono::NaiveDate;

    #[test]
    fn weeks_start_on_monday() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        assert_eq!(week_start(d("2026-11-27")), d("2026-11-23"));
        assert_eq!(week_start(d("2026-11-23")), d("2026-11-23"));
        assert_eq!(week_start(d("2026-11-29")), d("2026-11-23"));
        assert_eq!(week_start(d("2027-01-01")), d("2026-12-28"));
    }
}
