//! Customers (客户) and contacts (联系人): every read and count goes through the visibility filter on
//! the owner; customer protection compares normalised keys inside the write transaction.

use crate::audit::{self, diff};
use crate::error::OptionalFound;
use crate::schema::{contacts, customers as c, departments, dictionary_items, users};
use crate::visibility::{Visible, VisibleTo};
use crate::{DbConnection, RepoError, RepoResult, Serial, now, serialize_keys, write_tx};
use chrono::{NaiveDateTime, SubsecRound};
use crm_domain::Money;
use crm_domain::api::{
    Contact, ContactPatch, Customer, CustomerPatch, CustomerType, DictionaryKind, DuplicateMatch,
    IdName, NewContact, NewCustomer, PipelineLevel, ReviewStatus,
};
use crm_domain::customer::{CustomerLevel, name_key, phone_key, website_key};
use diesel::prelude::*;
use serde_json::json;

// ---------------------------------------------------------------------------------------------
// Rows

type Row = (
    (
        i64,
        String,
        Option<String>,
        String,
        String,
        Option<i16>,
        Option<i64>,
        Option<i64>,
        Option<i64>,
    ),
    (
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        String,
        i64,
    ),
    (Option<NaiveDateTime>, NaiveDateTime, NaiveDateTime, i32),
    (i64, String, i64, String),
);

macro_rules! customer_select {
    () => {
        (
            (
                c::id,
                c::name,
                c::short_name,
                c::customer_type,
                c::level,
                c::grade,
                c::industry_id,
                c::region_id,
                c::source_id,
            ),
            (
                c::size,
                c::address,
                c::phone,
                c::website,
                c::notes,
                c::review_status,
                c::signed_total,
            ),
            (c::last_contact_at, c::created_at, c::updated_at, c::version),
            (
                users::id,
                users::display_name,
                departments::id,
                departments::name,
            ),
        )
    };
}

fn from_row(row: Row) -> Customer {
    let (
        (id, name, short_name, kind, level, grade, industry_id, region_id, source_id),
        rest,
        times,
        owner,
    ) = row;
    let (size, address, phone, website, notes, review, signed_total) = rest;
    let (last_contact_at, created_at, updated_at, version) = times;
    let (owner_id, owner_name, dept_id, dept_name) = owner;
    Customer {
        id,
        name,
        short_name,
        type_: CustomerType::parse(&kind).unwrap_or(CustomerType::Customer),
        level: CustomerLevel::parse(&level).unwrap_or(CustomerLevel::Lead),
        grade,
        industry_id,
        region_id,
        source_id,
        size,
        address,
        phone,
        website,
        owner: IdName {
            id: owner_id,
            name: owner_name,
        },
        department: IdName {
            id: dept_id,
            name: dept_name,
        },
        notes,
        review_status: ReviewStatus::parse(&review).unwrap_or(ReviewStatus::Approved),
        signed_total: Money::from_minor(signed_total),
        last_contact_at: last_contact_at.map(|t| t.and_utc()),
        created_at: created_at.and_utc(),
        updated_at: updated_at.and_utc(),
        version,
    }
}

/// The fields a history entry shows.
fn view(x: &Customer) -> serde_json::Value {
    json!({
        "name": x.name, "short_name": x.short_name, "type": x.type_.as_str(), "level": x.level.as_str(),
        "grade": x.grade, "industry_id": x.industry_id, "region_id": x.region_id, "source_id": x.source_id,
        "size": x.size, "address": x.address, "phone": x.phone, "website": x.website,
        "owner_id": x.owner.id, "notes": x.notes, "review_status": x.review_status.as_str(),
    })
}

/// One customer if visible; 404 otherwise (missing and out of scope look the same).
pub fn get(conn: &mut DbConnection, visible: &Visible, id: i64) -> RepoResult<Customer> {
    c::table
        .inner_join(users::table.inner_join(departments::table))
        .filter(c::id.eq(id))
        .select(customer_select!())
        .into_boxed()
        .visible_to(c::owner_id, visible)
        .first::<Row>(conn)
        .found()
        .map(from_row)
}

// ---------------------------------------------------------------------------------------------
// Listing

/// How a list is ordered; each has an index `(column, id)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    Name,
    Created,
    Updated,
    /// Never contacted first, then the longest ago.
    LastContact,
}

/// A position in a sorted list: the sort column's value and the id of the last row seen.
#[derive(Debug, Clone, PartialEq)]
pub enum After {
    Text(String, i64),
    Time(NaiveDateTime, i64),
}

#[derive(Debug, Clone)]
pub struct CustomerFilter {
    pub level: Option<CustomerLevel>,
    pub type_: Option<CustomerType>,
    pub grade: Option<i16>,
    pub industry_id: Option<i64>,
    pub region_id: Option<i64>,
    pub owner_id: Option<i64>,
    pub department_id: Option<i64>,
    pub review_status: Option<ReviewStatus>,
    /// Not contacted since this instant (never contacted included).
    pub not_contacted_since: Option<NaiveDateTime>,
    /// Part of the name, short name, phone or a contact's name.
    pub q: Option<String>,
    pub sort: SortKey,
    pub descending: bool,
    pub after: Option<After>,
    pub limit: i64,
}

impl CustomerFilter {
    /// No filter but the owner or the owner's department (what the pipeline summary knows).
    fn narrows_by_owner_only(&self) -> bool {
        let CustomerFilter {
            level,
            type_,
            grade,
            industry_id,
            region_id,
            owner_id: _,
            department_id: _,
            review_status,
            not_contacted_since,
            q,
            sort: _,
            descending: _,
            after: _,
            limit: _,
        } = self;
        level.is_none()
            && type_.is_none()
            && grade.is_none()
            && industry_id.is_none()
            && region_id.is_none()
            && review_status.is_none()
            && not_contacted_since.is_none()
            && q.as_deref().is_none_or(|t| t.trim().is_empty())
    }
}

impl Default for CustomerFilter {
    fn default() -> Self {
        CustomerFilter {
            level: None,
            type_: None,
            grade: None,
            industry_id: None,
            region_id: None,
            owner_id: None,
            department_id: None,
            review_status: None,
            not_contacted_since: None,
            q: None,
            sort: SortKey::Updated,
            descending: true,
            after: None,
            limit: 50,
        }
    }
}

/// "Never contacted" sorts as the oldest possible contact.
fn epoch() -> NaiveDateTime {
    chrono::DateTime::UNIX_EPOCH.naive_utc()
}

/// The keyset value of a customer under a sort.
pub fn sort_value(x: &Customer, sort: SortKey) -> After {
    match sort {
        SortKey::Name => After::Text(x.name.clone(), x.id),
        SortKey::Created => After::Time(x.created_at.naive_utc(), x.id),
        SortKey::Updated => After::Time(x.updated_at.naive_utc(), x.id),
        SortKey::LastContact => After::Time(
            x.last_contact_at
                .map(|t| t.naive_utc())
                .unwrap_or_else(epoch),
            x.id,
        ),
    }
}

type Boxed<'a> =
    crate::schema::customers::BoxedQuery<'a, crate::multi_connection_impl::MultiBackend>;

fn filtered<'a>(visible: &Visible, f: &CustomerFilter, text: &TextMatch) -> Boxed<'a> {
    let mut q: Boxed<'a> = c::table.into_boxed().visible_to(c::owner_id, visible);
    if let Some(v) = f.level {
        q = q.filter(c::level.eq(v.as_str()));
    }
    if let Some(v) = f.type_ {
        q = q.filter(c::customer_type.eq(v.as_str()));
    }
    if let Some(v) = f.grade {
        q = q.filter(c::grade.eq(v));
    }
    if let Some(v) = f.industry_id {
        q = q.filter(c::industry_id.eq(v));
    }
    if let Some(v) = f.region_id {
        // A province finds its cities' customers too.
        let cities = dictionary_items::table
            .filter(dictionary_items::parent_id.eq(v))
            .select(dictionary_items::id);
        q = q.filter(
            c::region_id
                .eq(v)
                .or(c::region_id.assume_not_null().eq_any(cities)),
        );
    }
    if let Some(v) = f.owner_id {
        q = q.filter(c::owner_id.eq(v));
    }
    if let Some(v) = f.department_id {
        q = q.filter(
            c::owner_id.eq_any(
                users::table
                    .filter(users::department_id.eq(v))
                    .select(users::id),
            ),
        );
    }
    if let Some(v) = f.review_status {
        q = q.filter(c::review_status.eq(v.as_str()));
    }
    if let Some(t) = f.not_contacted_since {
        q = q.filter(contact_order().lt(t));
    }
    match text {
        TextMatch::Any => {}
        TextMatch::Among(ids, pattern) => {
            q = q
                .filter(c::id.eq_any(ids.clone()))
                .filter(text_matches(pattern));
        }
        TextMatch::Check(pattern) => q = q.filter(text_matches(pattern)),
    }
    q
}

/// How the `q` of a filter narrows the list.
#[derive(Debug, Clone)]
enum TextMatch {
    Any,
    /// Candidates from the search index, checked against the pattern.
    Among(Vec<i64>, String),
    /// Every row in the list's order, checked against the pattern.
    Check(String),
}

impl TextMatch {
    /// Looks the query up in the search index (see `crate::search`). Single characters, and
    /// phone-like queries without four digits in a row, are checked row by row.
    fn of(conn: &mut DbConnection, visible: &Visible, f: &CustomerFilter) -> RepoResult<Self> {
        let Some(text) = f.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) else {
            return Ok(TextMatch::Any);
        };
        let pattern = crate::org::contains_pattern(text);
        let phone_like = text
            .chars()
            .all(|ch| ch.is_ascii_digit() || "+-() ".contains(ch));
        if phone_like && crate::search::digit_grams(text).is_empty() {
            return Ok(TextMatch::Check(pattern));
        }
        Ok(match crate::search::plan(conn, visible, text)? {
            Some(crate::search::Plan::Candidates(ids)) => TextMatch::Among(ids, pattern),
            Some(crate::search::Plan::Walk) | None => TextMatch::Check(pattern),
        })
    }
}

/// The name, short name, phone or a contact's name contains the pattern (`LIKE`, escaped).
fn text_matches(
    pattern: &str,
) -> Box<
    dyn BoxableExpression<
            c::table,
            crate::multi_connection_impl::MultiBackend,
            SqlType = diesel::sql_types::Bool,
        >,
> {
    let p = pattern.to_string();
    let in_contacts = diesel::dsl::exists(
        contacts::table
            .filter(contacts::customer_id.eq(c::id))
            .filter(
                crate::org::lower(contacts::name)
                    .like(p.clone())
                    .escape('\\'),
            ),
    );
    Box::new(
        crate::org::lower(c::name)
            .like(p.clone())
            .escape('\\')
            .or(crate::org::lower(c::short_name.assume_not_null())
                .like(p.clone())
                .escape('\\'))
            .or(c::phone.assume_not_null().like(p).escape('\\'))
            .or(in_contacts),
    )
}

/// A manager's page is merged from each owner's own index range (at most `limit` rows from each)
/// when the scope has between two and this many owners and the sort is by a time; one query over
/// the whole scope would read and sort every matching row of every owner.
const MERGE_OWNERS: usize = 32;

/// A page of customers within `visible`, filtered and sorted (keyset on `(sort column, id)`).
pub fn list(
    conn: &mut DbConnection,
    visible: &Visible,
    f: &CustomerFilter,
) -> RepoResult<Vec<Customer>> {
    let text = TextMatch::of(conn, visible, f)?;
    let ids = match visible.owner_ids() {
        Some(owners)
            if (2..=MERGE_OWNERS).contains(&owners.len())
                && f.sort != SortKey::Name
                && f.owner_id.is_none()
                && !matches!(text, TextMatch::Among(..)) =>
        {
            // Names are left to the database: its collation, not Rust's, orders them. Search
            // candidates are few already: one query sorts them.
            let mut rows: Vec<(NaiveDateTime, i64)> = Vec::new();
            for &owner in owners {
                let one = Visible::Owners(vec![owner]);
                rows.extend(time_page(conn, ordered(filtered(&one, f, &text), f)?, f)?);
            }
            rows.sort_unstable();
            if f.descending {
                rows.reverse();
            }
            rows.into_iter()
                .take(f.limit.max(0) as usize)
                .map(|(_, id)| id)
                .collect()
        }
        _ => ordered(filtered(visible, f, &text), f)?
            .select(c::id)
            .limit(f.limit)
            .load(conn)?,
    };
    load_in_order(conn, &ids)
}

/// The "last contact" order: never contacted first. Written as the indexes
/// `customers_owner_contact_order` and `customers_owner_level_contact_order` are, so that both
/// databases read them in this order.
fn contact_order() -> diesel::expression::SqlLiteral<diesel::sql_types::Timestamp> {
    diesel::dsl::sql("COALESCE(customers.last_contact_at, '1970-01-01 00:00:00')")
}

/// The rows after the cursor, in `(sort column, id)` order, ascending or descending.
fn ordered<'a>(mut q: Boxed<'a>, f: &CustomerFilter) -> RepoResult<Boxed<'a>> {
    let bad_cursor = || {
        RepoError::invalid(
            "cursor",
            "invalid_cursor",
            "the cursor belongs to another sort",
        )
    };
    let text_after = || match &f.after {
        None => Ok(None),
        Some(After::Text(v, id)) => Ok(Some((v.clone(), *id))),
        Some(_) => Err(bad_cursor()),
    };
    let time_after = || match &f.after {
        None => Ok(None),
        Some(After::Time(t, id)) => Ok(Some((*t, *id))),
        Some(_) => Err(bad_cursor()),
    };
    macro_rules! keyset {
        ($col:expr, $after:expr) => {{
            if let Some((v, id)) = $after {
                q = if f.descending {
                    q.filter($col.lt(v.clone()).or($col.eq(v).and(c::id.lt(id))))
                } else {
                    q.filter($col.gt(v.clone()).or($col.eq(v).and(c::id.gt(id))))
                };
            }
            q = if f.descending {
                q.order(($col.desc(), c::id.desc()))
            } else {
                q.order(($col.asc(), c::id.asc()))
            };
        }};
    }
    match f.sort {
        SortKey::Name => keyset!(c::name, text_after()?),
        SortKey::Created => keyset!(c::created_at, time_after()?),
        SortKey::Updated => keyset!(c::updated_at, time_after()?),
        SortKey::LastContact => keyset!(contact_order(), time_after()?),
    }
    Ok(q)
}

/// One owner's page under a time sort: `(sort value, id)`.
fn time_page(
    conn: &mut DbConnection,
    q: Boxed<'_>,
    f: &CustomerFilter,
) -> RepoResult<Vec<(NaiveDateTime, i64)>> {
    let rows: Vec<(i64, NaiveDateTime)> = match f.sort {
        SortKey::Created => q.select((c::id, c::created_at)).limit(f.limit).load(conn)?,
        SortKey::Updated => q.select((c::id, c::updated_at)).limit(f.limit).load(conn)?,
        SortKey::LastContact => q
            .select((c::id, contact_order()))
            .limit(f.limit)
            .load(conn)?,
        SortKey::Name => Vec::new(),
    };
    Ok(rows.into_iter().map(|(id, t)| (t, id)).collect())
}

/// The customers with these ids, in this order (one query for the page, one for the rows).
fn load_in_order(conn: &mut DbConnection, ids: &[i64]) -> RepoResult<Vec<Customer>> {
    let rows: Vec<Row> = c::table
        .inner_join(users::table.inner_join(departments::table))
        .filter(c::id.eq_any(ids.to_vec()))
        .select(customer_select!())
        .load(conn)?;
    let mut by_id: std::collections::HashMap<i64, Customer> =
        rows.into_iter().map(from_row).map(|x| (x.id, x)).collect();
    Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
}

/// Customers per level (and their signed totals) within `visible`, filtered like the list.
pub fn pipeline(
    conn: &mut DbConnection,
    visible: &Visible,
    f: &CustomerFilter,
) -> RepoResult<Vec<PipelineLevel>> {
    let mut f = f.clone();
    f.level = None;
    let sum = || {
        diesel::dsl::sql::<diesel::sql_types::Nullable<diesel::sql_types::BigInt>>(
            "CAST(SUM(customer_pipeline.signed_total) AS BIGINT)",
        )
    };
    // SUM of a BIGINT is NUMERIC on PostgreSQL: cast back, the total of fen fits in 64 bits.
    let rows: Vec<(String, Option<i64>, Option<i64>)> = if f.narrows_by_owner_only() {
        // Filtered by owner at most: the trigger-kept summary per owner and level (a few hundred
        // rows), within the same scope.
        use crate::schema::customer_pipeline as cp;
        let mut q = cp::table
            .group_by(cp::level)
            .select((
                cp::level,
                diesel::dsl::sql::<diesel::sql_types::Nullable<diesel::sql_types::BigInt>>(
                    "CAST(SUM(customer_pipeline.customers) AS BIGINT)",
                ),
                sum(),
            ))
            .into_boxed()
            .visible_to(cp::owner_id, visible);
        if let Some(v) = f.owner_id {
            q = q.filter(cp::owner_id.eq(v));
        }
        if let Some(v) = f.department_id {
            q = q.filter(
                cp::owner_id.eq_any(
                    users::table
                        .filter(users::department_id.eq(v))
                        .select(users::id),
                ),
            );
        }
        q.load(conn)?
    } else {
        // Other filters: one aggregate per level (five), each served by the level indexes.
        let text = TextMatch::of(conn, visible, &f)?;
        let mut rows = Vec::new();
        for level in CustomerLevel::ALL {
            let total = diesel::dsl::sql::<diesel::sql_types::Nullable<diesel::sql_types::BigInt>>(
                "CAST(SUM(customers.signed_total) AS BIGINT)",
            );
            let (n, sum): (i64, Option<i64>) = filtered(visible, &f, &text)
                .filter(c::level.eq(level.as_str()))
                .select((diesel::dsl::count_star(), total))
                .first(conn)?;
            rows.push((level.as_str().to_string(), Some(n), sum));
        }
        rows
    };
    Ok(CustomerLevel::ALL
        .into_iter()
        .map(|level| {
            let (count, amount) = rows
                .iter()
                .find(|(l, _, _)| l == level.as_str())
                .map(|(_, n, s)| (n.unwrap_or(0), s.unwrap_or(0)))
                .unwrap_or((0, 0));
            PipelineLevel {
                level,
                count,
                signed_amount: Money::from_minor(amount),
            }
        })
        .collect())
}

// ---------------------------------------------------------------------------------------------
// Customer protection

/// The normalised keys of a name, phone and website (empty keys never match).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Keys {
    pub name: String,
    pub phone: Option<String>,
    pub website: Option<String>,
}

impl Keys {
    pub fn of(name: &str, phone: Option<&str>, website: Option<&str>) -> Keys {
        Keys {
            name: name_key(name),
            phone: phone.and_then(phone_key),
            website: website.and_then(website_key),
        }
    }
}

/// Existing customers (any owner: protection looks past the caller's scope) sharing a key; `visible`
/// decides only whether each match carries its id.
pub fn find_duplicates(
    conn: &mut DbConnection,
    visible: &Visible,
    keys: &Keys,
    except: Option<i64>,
) -> RepoResult<Vec<DuplicateMatch>> {
    type Cond = Box<
        dyn BoxableExpression<
                c::table,
                crate::multi_connection_impl::MultiBackend,
                SqlType = diesel::sql_types::Nullable<diesel::sql_types::Bool>,
            >,
    >;
    let mut any: Vec<Cond> = Vec::new();
    if !keys.name.is_empty() {
        any.push(Box::new(c::name_key.eq(keys.name.clone()).nullable()));
    }
    if let Some(p) = &keys.phone {
        any.push(Box::new(c::phone_key.eq(p.clone())));
    }
    if let Some(w) = &keys.website {
        any.push(Box::new(c::website_key.eq(w.clone())));
    }
    let Some(first) = any.pop() else {
        return Ok(Vec::new());
    };
    let condition = any
        .into_iter()
        .fold(first, |acc, next| Box::new(acc.or(next)) as Cond);
    let mut q = c::table
        .select((
            c::id,
            c::name,
            c::name_key,
            c::phone_key,
            c::website_key,
            c::owner_id,
        ))
        .filter(condition.assume_not_null())
        .order(c::id)
        .limit(20)
        .into_boxed();
    if let Some(id) = except {
        q = q.filter(c::id.ne(id));
    }
    type Found = (i64, String, String, Option<String>, Option<String>, i64);
    let rows: Vec<Found> = q.load(conn)?;
    let owner_ids: Vec<i64> = rows.iter().map(|r| r.5).collect();
    let owners: std::collections::HashMap<i64, (String, String)> = users::table
        .inner_join(departments::table)
        .filter(users::id.eq_any(owner_ids))
        .select((users::id, users::display_name, departments::name))
        .load::<(i64, String, String)>(conn)?
        .into_iter()
        .map(|(id, n, d)| (id, (n, d)))
        .collect();
    Ok(rows
        .into_iter()
        .map(|(id, name, nk, pk, wk, owner)| {
            let matched_on = if !keys.name.is_empty() && nk == keys.name {
                "name"
            } else if pk.is_some() && pk == keys.phone {
                "phone"
            } else if wk.is_some() && wk == keys.website {
                "website"
            } else {
                "name"
            };
            let (owner_name, department_name) = owners.get(&owner).cloned().unwrap_or_default();
            let seen = visible.sees(owner);
            DuplicateMatch {
                name,
                owner_name,
                department_name,
                matched_on: matched_on.into(),
                visible: seen,
                id: seen.then_some(id),
            }
        })
        .collect())
}

fn refuse_duplicates(
    conn: &mut DbConnection,
    visible: &Visible,
    keys: &Keys,
    except: Option<i64>,
) -> RepoResult<()> {
    serialize_keys(
        conn,
        Serial::CustomerKey,
        &[
            keys.name.as_str(),
            keys.phone.as_deref().unwrap_or(""),
            keys.website.as_deref().unwrap_or(""),
        ],
    )?;
    if let Some(m) = find_duplicates(conn, visible, keys, except)?
        .into_iter()
        .next()
    {
        let field = match m.matched_on.as_str() {
            "phone" => "电话 phone",
            "website" => "网址 website",
            _ => "名称 name",
        };
        return Err(RepoError::conflict(
            "duplicate_customer",
            format!(
                "客户已存在：{}（负责人 {}，{}）· The customer exists already ({field}): {}, owned by {} of {}",
                m.name, m.owner_name, m.department_name, m.name, m.owner_name, m.department_name
            ),
        ));
    }
    Ok(())
}

fn check_dictionary(
    conn: &mut DbConnection,
    field: &'static str,
    kind: DictionaryKind,
    id: Option<i64>,
) -> RepoResult<()> {
    let Some(id) = id else { return Ok(()) };
    let found: i64 = dictionary_items::table
        .filter(dictionary_items::id.eq(id))
        .filter(dictionary_items::kind.eq(kind.as_str()))
        .count()
        .get_result(conn)?;
    if found == 0 {
        return Err(RepoError::invalid(
            field,
            "not_found",
            format!("no such {} entry", kind.as_str()),
        ));
    }
    Ok(())
}

/// A PATCH of optional text: absent keeps the old value, `null` or blank clears it.
fn pick(patch: &Option<Option<String>>, old: &Option<String>) -> Option<String> {
    match patch {
        Some(v) => blank_to_none(v.as_deref()),
        None => old.clone(),
    }
}

/// The customer a new record (an activity, an order) is for: visible to the caller, or a field error
/// on `customer_id` that does not tell invisible from missing.
pub(crate) fn get_for_new_record(
    conn: &mut DbConnection,
    visible: &Visible,
    id: i64,
) -> RepoResult<Customer> {
    get(conn, visible, id).map_err(|e| match e {
        RepoError::NotFound => RepoError::invalid(
            "customer_id",
            "not_found",
            "no such customer within your scope",
        ),
        e => e,
    })
}

/// Optional text as stored: trimmed, and empty means absent.
pub(crate) fn blank_to_none(v: Option<&str>) -> Option<String> {
    v.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

// ---------------------------------------------------------------------------------------------
// Writes

/// Creates a customer owned by `owner_id`, refusing duplicates (409 `duplicate_customer`).
pub fn create(
    conn: &mut DbConnection,
    actor: i64,
    visible: &Visible,
    new: &NewCustomer,
    owner_id: i64,
    review: ReviewStatus,
) -> RepoResult<Customer> {
    write_tx(conn, |conn| {
        check_dictionary(
            conn,
            "industry_id",
            DictionaryKind::Industry,
            new.industry_id,
        )?;
        check_dictionary(conn, "region_id", DictionaryKind::Region, new.region_id)?;
        check_dictionary(
            conn,
            "source_id",
            DictionaryKind::CustomerSource,
            new.source_id,
        )?;
        let owner_enabled: Option<bool> = users::table
            .find(owner_id)
            .select(users::enabled)
            .first(conn)
            .optional()?;
        if owner_enabled != Some(true) {
            return Err(RepoError::invalid(
                "owner_id",
                "not_found",
                "no such enabled user",
            ));
        }
        let name = new.name.trim().to_string();
        let phone = blank_to_none(new.phone.as_deref());
        let website = blank_to_none(new.website.as_deref());
        let keys = Keys::of(&name, phone.as_deref(), website.as_deref());
        refuse_duplicates(conn, visible, &keys, None)?;
        let at = now();
        let id: i64 = diesel::insert_into(c::table)
            .values((
                (
                    c::name.eq(&name),
                    c::name_key.eq(&keys.name),
                    c::short_name.eq(blank_to_none(new.short_name.as_deref())),
                    c::customer_type.eq(new.type_.as_str()),
                    c::level.eq(CustomerLevel::Lead.as_str()),
                    c::industry_id.eq(new.industry_id),
                    c::region_id.eq(new.region_id),
                    c::source_id.eq(new.source_id),
                    c::size.eq(blank_to_none(new.size.as_deref())),
                    c::address.eq(blank_to_none(new.address.as_deref())),
                ),
                (
                    c::phone.eq(&phone),
                    c::phone_key.eq(&keys.phone),
                    c::website.eq(&website),
                    c::website_key.eq(&keys.website),
                    c::owner_id.eq(owner_id),
                    c::notes.eq(blank_to_none(new.notes.as_deref())),
                    c::review_status.eq(review.as_str()),
                    c::created_by.eq(actor),
                    c::created_at.eq(at),
                    c::updated_by.eq(actor),
                    c::updated_at.eq(at),
                ),
            ))
            .returning(c::id)
            .get_result(conn)?;
        crate::search::reindex(conn, &[id])?;
        let created = get(conn, &Visible::All, id)?;
        audit::record_about(
            conn,
            Some(actor),
            "create",
            "customer",
            Some(id),
            Some(id),
            view(&created),
        )?;
        Ok(created)
    })
}

/// Changes a visible customer (optimistic locking on `version`; duplicates refused).
pub fn update(
    conn: &mut DbConnection,
    actor: i64,
    visible: &Visible,
    id: i64,
    patch: &CustomerPatch,
    review_changes: bool,
) -> RepoResult<Customer> {
    write_tx(conn, |conn| {
        let old = get(conn, visible, id)?;
        if old.version != patch.version {
            return Err(RepoError::StaleVersion {
                current: old.version,
            });
        }
        let name = patch
            .name
            .as_deref()
            .map(str::trim)
            .unwrap_or(&old.name)
            .to_string();
        let phone = pick(&patch.phone, &old.phone);
        let website = pick(&patch.website, &old.website);
        let industry_id = patch.industry_id.unwrap_or(old.industry_id);
        let region_id = patch.region_id.unwrap_or(old.region_id);
        let source_id = patch.source_id.unwrap_or(old.source_id);
        check_dictionary(conn, "industry_id", DictionaryKind::Industry, industry_id)?;
        check_dictionary(conn, "region_id", DictionaryKind::Region, region_id)?;
        check_dictionary(conn, "source_id", DictionaryKind::CustomerSource, source_id)?;
        let keys = Keys::of(&name, phone.as_deref(), website.as_deref());
        refuse_duplicates(conn, visible, &keys, Some(id))?;
        // With review on, a new name or phone waits for a manager again.
        let review = if review_changes && (name != old.name || phone != old.phone) {
            ReviewStatus::Pending
        } else {
            old.review_status
        };
        let n = diesel::update(c::table.find(id).filter(c::version.eq(patch.version)))
            .set((
                (
                    c::name.eq(&name),
                    c::name_key.eq(&keys.name),
                    c::short_name.eq(pick(&patch.short_name, &old.short_name)),
                    c::customer_type.eq(patch.type_.unwrap_or(old.type_).as_str()),
                    c::industry_id.eq(industry_id),
                    c::region_id.eq(region_id),
                    c::source_id.eq(source_id),
                    c::size.eq(pick(&patch.size, &old.size)),
                    c::address.eq(pick(&patch.address, &old.address)),
                ),
                (
                    c::phone.eq(&phone),
                    c::phone_key.eq(&keys.phone),
                    c::website.eq(&website),
                    c::website_key.eq(&keys.website),
                    c::notes.eq(pick(&patch.notes, &old.notes)),
                    c::review_status.eq(review.as_str()),
                    c::updated_by.eq(actor),
                    c::updated_at.eq(now()),
                    c::version.eq(patch.version + 1),
                ),
            ))
            .execute(conn)?;
        if n == 0 {
            return Err(RepoError::StaleVersion {
                current: old.version,
            });
        }
        if name != old.name
            || phone != old.phone
            || pick(&patch.short_name, &old.short_name) != old.short_name
        {
            crate::search::reindex(conn, &[id])?;
        }
        let new = get(conn, &Visible::All, id)?;
        audit::record_about(
            conn,
            Some(actor),
            "update",
            "customer",
            Some(id),
            Some(id),
            diff(&view(&old), &view(&new)),
        )?;
        Ok(new)
    })
}

/// Deletes a visible customer with its contacts and activities (409 `customer_has_orders` when it
/// has orders); the history keeps what it was.
pub fn delete(conn: &mut DbConnection, actor: i64, visible: &Visible, id: i64) -> RepoResult<()> {
    write_tx(conn, |conn| {
        let old = get(conn, visible, id)?;
        // Orders are money history: a customer who has any is kept (blacklist it instead).
        let orders: i64 = crate::schema::orders::table
            .filter(crate::schema::orders::customer_id.eq(id))
            .count()
            .get_result(conn)?;
        if orders > 0 {
            return Err(RepoError::conflict(
                "customer_has_orders",
                format!("the customer has {orders} orders; its history cannot be deleted"),
            ));
        }
        diesel::delete(c::table.find(id)).execute(conn)?;
        audit::record_about(
            conn,
            Some(actor),
            "delete",
            "customer",
            Some(id),
            Some(id),
            view(&old),
        )?;
        Ok(())
    })
}

/// A manual level move with its reason (audited). Rules about who may blacklist are the caller's.
pub fn set_level(
    conn: &mut DbConnection,
    actor: i64,
    visible: &Visible,
    id: i64,
    level: CustomerLevel,
    reason: &str,
) -> RepoResult<Customer> {
    write_tx(conn, |conn| {
        let old = get(conn, visible, id)?;
        if old.level == level {
            return Ok(old);
        }
        diesel::update(c::table.find(id))
            .set((
                c::level.eq(level.as_str()),
                c::updated_by.eq(actor),
                c::updated_at.eq(now()),
                c::version.eq(old.version + 1),
            ))
            .execute(conn)?;
        let changes =
            json!({"level": {"old": old.level.as_str(), "new": level.as_str()}, "reason": reason});
        audit::record_about(
            conn,
            Some(actor),
            "level",
            "customer",
            Some(id),
            Some(id),
            changes,
        )?;
        get(conn, &Visible::All, id)
    })
}

/// A manager's grade with its reason; `None` hands the grade back to the automatic rule.
pub fn set_grade(
    conn: &mut DbConnection,
    actor: i64,
    visible: &Visible,
    id: i64,
    grade: Option<i16>,
    automatic: Option<i16>,
    reason: &str,
) -> RepoResult<Customer> {
    write_tx(conn, |conn| {
        let old = get(conn, visible, id)?;
        if old.level != CustomerLevel::Signed {
            return Err(RepoError::conflict(
                "not_signed",
                "only signed customers have a grade",
            ));
        }
        let new_grade = grade.or(automatic);
        diesel::update(c::table.find(id))
            .set((
                c::grade.eq(new_grade),
                c::grade_manual.eq(grade.is_some()),
                c::updated_by.eq(actor),
                c::updated_at.eq(now()),
                c::version.eq(old.version + 1),
            ))
            .execute(conn)?;
        let changes = json!({"grade": {"old": old.grade, "new": new_grade}, "manual": grade.is_some(), "reason": reason});
        audit::record_about(
            conn,
            Some(actor),
            "grade",
            "customer",
            Some(id),
            Some(id),
            changes,
        )?;
        get(conn, &Visible::All, id)
    })
}

/// A reviewer's decision on a pending customer, with a comment.
pub fn review(
    conn: &mut DbConnection,
    actor: i64,
    visible: &Visible,
    id: i64,
    approve: bool,
    comment: &str,
) -> RepoResult<Customer> {
    write_tx(conn, |conn| {
        let old = get(conn, visible, id)?;
        if old.review_status != ReviewStatus::Pending {
            return Err(RepoError::conflict(
                "not_pending",
                "the customer is not waiting for review",
            ));
        }
        if old.owner.id == actor {
            return Err(RepoError::conflict(
                "own_customer",
                "a manager above the owner reviews, not the owner",
            ));
        }
        let status = if approve {
            ReviewStatus::Approved
        } else {
            ReviewStatus::Rejected
        };
        diesel::update(c::table.find(id))
            .set((
                c::review_status.eq(status.as_str()),
                c::updated_by.eq(actor),
                c::updated_at.eq(now()),
                c::version.eq(old.version + 1),
            ))
            .execute(conn)?;
        let changes = json!({"review_status": {"old": "pending", "new": status.as_str()}, "comment": comment});
        audit::record_about(
            conn,
            Some(actor),
            "review",
            "customer",
            Some(id),
            Some(id),
            changes,
        )?;
        get(conn, &Visible::All, id)
    })
}

// ---------------------------------------------------------------------------------------------
// Contacts

type ContactRow = (
    i64,
    i64,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<chrono::NaiveDate>,
    Option<String>,
    bool,
    NaiveDateTime,
    NaiveDateTime,
    i32,
);

macro_rules! contact_select {
    () => {
        (
            contacts::id,
            contacts::customer_id,
            contacts::name,
            contacts::title,
            contacts::mobile,
            contacts::phone,
            contacts::email,
            contacts::im,
            contacts::birthday,
            contacts::notes,
            contacts::is_key,
            contacts::created_at,
            contacts::updated_at,
            contacts::version,
        )
    };
}

fn contact_from_row(r: ContactRow) -> Contact {
    let (
        id,
        customer_id,
        name,
        title,
        mobile,
        phone,
        email,
        im,
        birthday,
        notes,
        is_key,
        created_at,
        updated_at,
        version,
    ) = r;
    Contact {
        id,
        customer_id,
        name,
        title,
        mobile,
        phone,
        email,
        im,
        birthday,
        notes,
        is_key,
        created_at: created_at.and_utc(),
        updated_at: updated_at.and_utc(),
        version,
    }
}

fn contact_view(x: &Contact) -> serde_json::Value {
    json!({"name": x.name, "title": x.title, "mobile": x.mobile, "phone": x.phone, "email": x.email,
           "im": x.im, "birthday": x.birthday, "notes": x.notes, "is_key": x.is_key})
}

/// The contacts of a visible customer, key contacts first.
pub fn contacts_of(
    conn: &mut DbConnection,
    visible: &Visible,
    customer_id: i64,
) -> RepoResult<Vec<Contact>> {
    get(conn, visible, customer_id)?;
    let rows: Vec<ContactRow> = contacts::table
        .filter(contacts::customer_id.eq(customer_id))
        .select(contact_select!())
        .order((contacts::is_key.desc(), contacts::id))
        .load(conn)?;
    Ok(rows.into_iter().map(contact_from_row).collect())
}

/// A contact whose customer is visible; 404 otherwise.
pub fn get_contact(conn: &mut DbConnection, visible: &Visible, id: i64) -> RepoResult<Contact> {
    contacts::table
        .inner_join(c::table)
        .filter(contacts::id.eq(id))
        .select(contact_select!())
        .into_boxed()
        .visible_to(c::owner_id, visible)
        .first::<ContactRow>(conn)
        .found()
        .map(contact_from_row)
}

pub fn create_contact(
    conn: &mut DbConnection,
    actor: i64,
    visible: &Visible,
    customer_id: i64,
    new: &NewContact,
) -> RepoResult<Contact> {
    write_tx(conn, |conn| {
        get(conn, visible, customer_id)?;
        let at = now().trunc_subsecs(6);
        let id: i64 = diesel::insert_into(contacts::table)
            .values((
                contacts::customer_id.eq(customer_id),
                contacts::name.eq(new.name.trim()),
                contacts::title.eq(blank_to_none(new.title.as_deref())),
                contacts::mobile.eq(blank_to_none(new.mobile.as_deref())),
                contacts::phone.eq(blank_to_none(new.phone.as_deref())),
                contacts::email.eq(blank_to_none(new.email.as_deref())),
                contacts::im.eq(blank_to_none(new.im.as_deref())),
                contacts::birthday.eq(new.birthday),
                contacts::notes.eq(blank_to_none(new.notes.as_deref())),
                contacts::is_key.eq(new.is_key),
                contacts::created_at.eq(at),
                contacts::updated_at.eq(at),
            ))
            .returning(contacts::id)
            .get_result(conn)?;
        crate::search::reindex(conn, &[customer_id])?;
        let contact = get_contact(conn, &Visible::All, id)?;
        audit::record_about(
            conn,
            Some(actor),
            "create",
            "contact",
            Some(id),
            Some(customer_id),
            contact_view(&contact),
        )?;
        Ok(contact)
    })
}

pub fn update_contact(
    conn: &mut DbConnection,
    actor: i64,
    visible: &Visible,
    id: i64,
    patch: &ContactPatch,
) -> RepoResult<Contact> {
    write_tx(conn, |conn| {
        let old = get_contact(conn, visible, id)?;
        if old.version != patch.version {
            return Err(RepoError::StaleVersion {
                current: old.version,
            });
        }
        let n = diesel::update(
            contacts::table
                .find(id)
                .filter(contacts::version.eq(patch.version)),
        )
        .set((
            contacts::name.eq(patch.name.as_deref().map(str::trim).unwrap_or(&old.name)),
            contacts::title.eq(pick(&patch.title, &old.title)),
            contacts::mobile.eq(pick(&patch.mobile, &old.mobile)),
            contacts::phone.eq(pick(&patch.phone, &old.phone)),
            contacts::email.eq(pick(&patch.email, &old.email)),
            contacts::im.eq(pick(&patch.im, &old.im)),
            contacts::birthday.eq(patch.birthday.unwrap_or(old.birthday)),
            contacts::notes.eq(pick(&patch.notes, &old.notes)),
            contacts::is_key.eq(patch.is_key.unwrap_or(old.is_key)),
            contacts::updated_at.eq(now()),
            contacts::version.eq(patch.version + 1),
        ))
        .execute(conn)?;
        if n == 0 {
            return Err(RepoError::StaleVersion {
                current: old.version,
            });
        }
        let new = get_contact(conn, &Visible::All, id)?;
        if new.name != old.name {
            crate::search::reindex(conn, &[old.customer_id])?;
        }
        audit::record_about(
            conn,
            Some(actor),
            "update",
            "contact",
            Some(id),
            Some(old.customer_id),
            diff(&contact_view(&old), &contact_view(&new)),
        )?;
        Ok(new)
    })
}

pub fn delete_contact(
    conn: &mut DbConnection,
    actor: i64,
    visible: &Visible,
    id: i64,
) -> RepoResult<()> {
    write_tx(conn, |conn| {
        let old = get_contact(conn, visible, id)?;
        diesel::delete(contacts::table.find(id)).execute(conn)?;
        crate::search::reindex(conn, &[old.customer_id])?;
        audit::record_about(
            conn,
            Some(actor),
            "delete",
            "contact",
            Some(id),
            Some(old.customer_id),
            contact_view(&old),
        )?;
        Ok(())
    })
}
