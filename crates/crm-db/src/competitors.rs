//! Competitors (竞争对手): company-wide profiles that managers keep (`competitor.manage`); everyone
//! who works deals reads them. A profile counts the deals met against it that the caller sees.

use crate::actor::Actor;
use crate::audit::{self, diff};
use crate::error::{OptionalFound, is_unique_violation};
use crate::paging::{PageRequest, row_after};
use crate::schema::{competitors as k, opportunities as o, opportunity_competitors as oc};
use crate::sql::{
    blank_to_none, check_version, contains_pattern, lower, one_row_updated, patched, patched_text,
};
use crate::visibility::VisibleTo;
use crate::{DbConnection, RepoError, RepoResult, now, write_tx};
use crm_domain::api::{
    Competitor, CompetitorDeals, CompetitorPatch, CompetitorQuery, NewCompetitor, Page,
};
use crm_domain::opportunity::OpportunityStatus;
use crm_domain::{ErrorCode, msg};
use diesel::prelude::*;
use serde_json::json;
use std::collections::HashMap;

#[derive(Queryable, Selectable)]
#[diesel(table_name = k)]
struct Row {
    id: i64,
    name: String,
    website: Option<String>,
    strengths: Option<String>,
    weaknesses: Option<String>,
    products: Option<String>,
    pricing: Option<String>,
    version: i32,
}

fn from_row(x: Row, deals: CompetitorDeals) -> Competitor {
    Competitor {
        id: x.id,
        name: x.name,
        website: x.website,
        strengths: x.strengths,
        weaknesses: x.weaknesses,
        products: x.products,
        pricing: x.pricing,
        deals,
        version: x.version,
    }
}

fn view(x: &Competitor) -> serde_json::Value {
    json!({"name": x.name, "website": x.website, "strengths": x.strengths, "weaknesses": x.weaknesses,
           "products": x.products, "pricing": x.pricing})
}

/// Deals met against each of these competitors, counted by status within the actor's scope (one
/// grouped query for the page).
fn deals_of(
    conn: &mut DbConnection,
    actor: &Actor,
    ids: &[i64],
) -> RepoResult<HashMap<i64, CompetitorDeals>> {
    let rows: Vec<(i64, String, i64)> = oc::table
        .inner_join(o::table)
        .filter(oc::competitor_id.eq_any(ids.to_vec()))
        .group_by((oc::competitor_id, o::status))
        .select((oc::competitor_id, o::status, diesel::dsl::count_star()))
        .into_boxed()
        .visible_to(o::owner_id, &actor.visible)
        .visible_to(o::customer_owner_id, &actor.visible)
        .load(conn)?;
    let mut out: HashMap<i64, CompetitorDeals> = HashMap::new();
    for (id, status, n) in rows {
        let d = out.entry(id).or_default();
        match OpportunityStatus::parse(&status) {
            Some(OpportunityStatus::Won) => d.won += n,
            Some(OpportunityStatus::Lost) => d.lost += n,
            _ => d.open += n,
        }
    }
    Ok(out)
}

pub fn get(conn: &mut DbConnection, actor: &Actor, id: i64) -> RepoResult<Competitor> {
    let row: Row = k::table
        .find(id)
        .select(Row::as_select())
        .first(conn)
        .found()?;
    let deals = deals_of(conn, actor, &[id])?
        .remove(&id)
        .unwrap_or_default();
    Ok(from_row(row, deals))
}

/// Competitors by name, a page at a time.
pub fn list(
    conn: &mut DbConnection,
    actor: &Actor,
    f: &CompetitorQuery,
) -> RepoResult<Page<Competitor>> {
    let page = PageRequest::<(String, i64)>::new(f.limit, f.cursor.as_deref(), "name")?;
    let mut q = k::table
        .select(Row::as_select())
        .order((k::name, k::id))
        .limit(page.fetch())
        .into_boxed();
    if let Some(text) = f.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        q = q.filter(lower(k::name).like(contains_pattern(text)).escape('\\'));
    }
    if let Some((name, id)) = page.after.clone() {
        q = q.filter(row_after(k::name, k::id, name, id, false));
    }
    let rows: Vec<Row> = q.load(conn)?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut deals = deals_of(conn, actor, &ids)?;
    let items = rows
        .into_iter()
        .map(|r| {
            let d = deals.remove(&r.id).unwrap_or_default();
            from_row(r, d)
        })
        .collect();
    Ok(page.page(items, |x: &Competitor| (x.name.clone(), x.id)))
}

fn unique(e: diesel::result::Error) -> RepoError {
    if is_unique_violation(&e) {
        RepoError::invalid(
            "name",
            ErrorCode::DuplicateName,
            msg!("已有同名的竞争对手", "a competitor with this name exists"),
        )
    } else {
        e.into()
    }
}

pub fn create(
    conn: &mut DbConnection,
    actor: &Actor,
    new: &NewCompetitor,
) -> RepoResult<Competitor> {
    write_tx(conn, |conn| {
        let at = now();
        let id: i64 = diesel::insert_into(k::table)
            .values((
                k::name.eq(new.name.trim()),
                k::website.eq(blank_to_none(new.website.as_deref())),
                k::strengths.eq(blank_to_none(new.strengths.as_deref())),
                k::weaknesses.eq(blank_to_none(new.weaknesses.as_deref())),
                k::products.eq(blank_to_none(new.products.as_deref())),
                k::pricing.eq(blank_to_none(new.pricing.as_deref())),
                k::created_at.eq(at),
                k::updated_at.eq(at),
            ))
            .returning(k::id)
            .get_result(conn)
            .map_err(unique)?;
        let x = get(conn, actor, id)?;
        audit::record(conn, actor, "create", "competitor", Some(id), view(&x))?;
        Ok(x)
    })
}

pub fn update(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    patch: &CompetitorPatch,
) -> RepoResult<Competitor> {
    write_tx(conn, |conn| {
        let old = get(conn, actor, id)?;
        check_version(old.version, patch.version)?;
        let n = diesel::update(k::table.find(id).filter(k::version.eq(patch.version)))
            .set((
                k::name.eq(patched_text(&patch.name, &old.name)),
                k::website.eq(patched(&patch.website, &old.website)),
                k::strengths.eq(patched(&patch.strengths, &old.strengths)),
                k::weaknesses.eq(patched(&patch.weaknesses, &old.weaknesses)),
                k::products.eq(patched(&patch.products, &old.products)),
                k::pricing.eq(patched(&patch.pricing, &old.pricing)),
                k::updated_at.eq(now()),
                k::version.eq(old.version + 1),
            ))
            .execute(conn)
            .map_err(unique)?;
        one_row_updated(n, old.version)?;
        let new = get(conn, actor, id)?;
        audit::record(
            conn,
            actor,
            "update",
            "competitor",
            Some(id),
            diff(&view(&old), &view(&new)),
        )?;
        Ok(new)
    })
}

/// Deletes a profile no deal mentions (409 `competitor_in_use`: the deals keep what they met).
pub fn delete(conn: &mut DbConnection, actor: &Actor, id: i64) -> RepoResult<()> {
    write_tx(conn, |conn| {
        let old = get(conn, actor, id)?;
        let used: i64 = oc::table
            .filter(oc::competitor_id.eq(id))
            .count()
            .get_result(conn)?;
        let lost_to: i64 = o::table
            .filter(o::lost_to_id.eq(id))
            .count()
            .get_result(conn)?;
        if used + lost_to > 0 {
            return Err(RepoError::conflict(
                ErrorCode::CompetitorInUse,
                msg!(
                    "有机会记录了这个竞争对手，不能删除",
                    "deals mention this competitor; it cannot be deleted"
                ),
            ));
        }
        diesel::delete(k::table.find(id)).execute(conn)?;
        audit::record(conn, actor, "delete", "competitor", Some(id), view(&old))?;
        Ok(())
    })
}
