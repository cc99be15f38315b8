//! The global search (`/search?q=`): a few hits of every kind the caller may read — customers,
//! contacts, deals, articles, competitor profiles, documents — each found by its own module's search and
//! within the caller's scope, so the box in the app shell never shows what its record's page
//! would refuse.

use crate::actor::Actor;
use crate::schema::{contacts, customers as c};
use crate::search::{Plan, plan};
use crate::sql::{contains_pattern, lower};
use crate::visibility::VisibleTo;
use crate::{
    DbConnection, RepoResult, articles, competitors, customers, documents, markdown, opportunities,
};
use crm_domain::Permission;
use crm_domain::api::{
    CompetitorQuery, CustomerQuery, DocumentQuery, OpportunityQuery, SearchHit, SearchKind,
    SearchQuery, SearchResults,
};
use crm_domain::document::DocumentOf;
use diesel::prelude::*;

/// Hits per kind unless the caller asks otherwise.
const PER_KIND: i64 = 5;

pub fn search(
    conn: &mut DbConnection,
    actor: &Actor,
    q: &SearchQuery,
) -> RepoResult<SearchResults> {
    let text = q.q.trim();
    let n = q.per_kind.unwrap_or(PER_KIND);
    let mut items = Vec::new();
    if text.chars().count() < 2 {
        return Ok(SearchResults { items });
    }
    if actor.has(Permission::CustomerRead) {
        let found = customers::list(
            conn,
            actor,
            &CustomerQuery {
                q: Some(text.to_string()),
                limit: Some(n),
                ..Default::default()
            },
        )?;
        items.extend(found.items.into_iter().map(|x| {
            SearchHit {
                kind: SearchKind::Customer,
                id: x.id,
                snippet: Some(
                    [x.short_name, x.phone, x.address]
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>()
                        .join(" · "),
                )
                .filter(|s| !s.is_empty()),
                title: x.name,
                customer_id: Some(x.id),
            }
        }));
        items.extend(contacts_named(conn, actor, text, n)?);
    }
    if actor.has(Permission::OpportunityRead) {
        let found = opportunities::list(
            conn,
            actor,
            &OpportunityQuery {
                q: Some(text.to_string()),
                limit: Some(n),
                ..Default::default()
            },
        )?;
        items.extend(found.items.into_iter().map(|x| SearchHit {
            kind: SearchKind::Opportunity,
            id: x.id,
            title: x.title,
            snippet: Some(x.customer.name),
            customer_id: Some(x.customer.id),
        }));
    }
    if actor.has(Permission::KnowledgeRead) {
        items.extend(articles::search(conn, actor, text, n)?);
    }
    if actor.has(Permission::KnowledgeRead) || actor.has(Permission::OpportunityRead) {
        let found = competitors::list(
            conn,
            actor,
            &CompetitorQuery {
                q: Some(text.to_string()),
                limit: Some(n),
                ..Default::default()
            },
        )?;
        items.extend(found.items.into_iter().map(|x| {
            SearchHit {
                kind: SearchKind::Competitor,
                id: x.id,
                snippet: [x.strengths, x.products]
                    .into_iter()
                    .flatten()
                    .next()
                    .map(|s| markdown::snippet(&s, text, 80)),
                title: x.name,
                customer_id: None,
            }
        }));
    }
    let found = documents::list(
        conn,
        actor,
        &DocumentQuery {
            q: Some(text.to_string()),
            limit: Some(n),
            ..Default::default()
        },
    )?;
    items.extend(found.items.into_iter().map(|x| SearchHit {
        kind: SearchKind::Document,
        id: x.id,
        title: x.title,
        snippet: Some(format!("{} · {}", x.file_name, x.attached_name)),
        customer_id: match x.attached_to {
            DocumentOf::Customer(id) => Some(id),
            _ => None,
        },
    }));
    Ok(SearchResults { items })
}

/// Contacts whose name holds the text, of customers the caller sees: the customer index (which
/// holds contacts' names) gives the candidate customers when the text is rare enough.
fn contacts_named(
    conn: &mut DbConnection,
    actor: &Actor,
    text: &str,
    n: i64,
) -> RepoResult<Vec<SearchHit>> {
    let mut q = contacts::table
        .inner_join(c::table)
        .select((
            contacts::id,
            contacts::name,
            contacts::title,
            c::id,
            c::name,
        ))
        .filter(
            lower(contacts::name)
                .like(contains_pattern(text))
                .escape('\\'),
        )
        .order(contacts::id.desc())
        .limit(n)
        .into_boxed()
        .visible_to(c::owner_id, &actor.visible);
    match plan(conn, &actor.visible, text)? {
        Some(Plan::Candidates(ids)) if ids.is_empty() => return Ok(Vec::new()),
        Some(Plan::Candidates(ids)) => q = q.filter(contacts::customer_id.eq_any(ids)),
        _ => {}
    }
    let rows: Vec<(i64, String, Option<String>, i64, String)> = q.load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, name, job, customer_id, customer)| SearchHit {
            kind: SearchKind::Contact,
            id,
            title: name,
            snippet: Some(match job {
                Some(job) => format!("{customer} · {job}"),
                None => customer,
            }),
            customer_id: Some(customer_id),
        })
        .collect())
}
