//! Customers (客户) and contacts (联系人): every read and count goes through the visibility filter on
//! the owner; customer protection compares normalised keys inside the write transaction.

use crate::actor::Actor;
use crate::audit::{self, diff};
use crate::error::OptionalFound;
use crate::paging::{PageRequest, row_after};
use crate::schema::{
    contacts, customer_grams, customers as c, departments, dictionary_items, users,
};
use crate::sql::{
    blank_to_none, check_dictionary, check_version, contains_pattern, lower, one_row_updated,
    patched, patched_text,
};
use crate::visibility::{Visible, VisibleTo};
use crate::{DbConnection, RepoError, RepoResult, Serial, now, serialize_keys, write_tx};
use chrono::{NaiveDate, NaiveDateTime};
use crm_domain::api::{
    AuditEntry, Contact, ContactPatch, Customer, CustomerFilters, CustomerPatch, CustomerQuery,
    CustomerSortKey, CustomerType, DictionaryKind, DuplicateCheck, DuplicateMatch, DuplicateQuery,
    GradeChange, IdName, LevelChange, NewContact, NewCustomer, Page, PageQuery, Pipeline,
    PipelineLevel, ReviewDecision, ReviewRequest, ReviewStatus,
};
use crm_domain::customer::{
    CustomerLevel, PipelineEvent, grade_for, name_key, phone_key, website_key,
};
use crm_domain::paging::Sort;
use crm_domain::problem::{ClashDepartment, ClashOwner, CustomerClash};
use crm_domain::{ErrorCode, Money, Permission, msg};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;

// ---------------------------------------------------------------------------------------------
// Rows

#[derive(Queryable, Selectable)]
#[diesel(table_name = c)]
struct Row {
    id: i64,
    name: String,
    short_name: Option<String>,
    customer_type: String,
    level: String,
    grade: Option<i16>,
    industry_id: Option<i64>,
    region_id: Option<i64>,
    source_id: Option<i64>,
    size: Option<String>,
    address: Option<String>,
    phone: Option<String>,
    website: Option<String>,
    notes: Option<String>,
    review_status: String,
    signed_total: i64,
    last_contact_at: Option<NaiveDateTime>,
    owner_since: Option<NaiveDateTime>,
    pooled_at: Option<NaiveDateTime>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    version: i32,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = users)]
struct OwnerRow {
    id: i64,
    display_name: String,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = departments)]
struct DeptRow {
    id: i64,
    name: String,
}

type Joined = (Row, OwnerRow, DeptRow);

fn from_row((x, owner, dept): Joined) -> Customer {
    Customer {
        id: x.id,
        name: x.name,
        short_name: x.short_name,
        type_: CustomerType::parse(&x.customer_type).unwrap_or(CustomerType::Customer),
        level: CustomerLevel::parse(&x.level).unwrap_or(CustomerLevel::Lead),
        grade: x.grade,
        industry_id: x.industry_id,
        region_id: x.region_id,
        source_id: x.source_id,
        size: x.size,
        address: x.address,
        phone: x.phone,
        website: x.website,
        owner: IdName {
            id: owner.id,
            name: owner.display_name,
        },
        department: IdName {
            id: dept.id,
            name: dept.name,
        },
        notes: x.notes,
        review_status: ReviewStatus::parse(&x.review_status).unwrap_or(ReviewStatus::Approved),
        signed_total: Money::from_minor(x.signed_total),
        last_contact_at: x.last_contact_at.map(|t| t.and_utc()),
        owner_since: x.owner_since.map(|t| t.and_utc()),
        pooled_at: x.pooled_at.map(|t| t.and_utc()),
        pool_return: None,
        created_at: x.created_at.and_utc(),
        updated_at: x.updated_at.and_utc(),
        version: x.version,
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

/// One customer the actor sees; 404 otherwise (missing and out of scope look the same).
pub fn get(conn: &mut DbConnection, actor: &Actor, id: i64) -> RepoResult<Customer> {
    fetch(conn, &actor.visible, id)
}

/// [`get`] for the customer's own page: with when a pool rule will take it back.
pub fn get_with_pool_return(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
) -> RepoResult<Customer> {
    let mut x = get(conn, actor, id)?;
    x.pool_return = crate::pool::return_of(conn, &x)?;
    Ok(x)
}

pub(crate) fn fetch(conn: &mut DbConnection, visible: &Visible, id: i64) -> RepoResult<Customer> {
    c::table
        .inner_join(users::table.inner_join(departments::table))
        .filter(c::id.eq(id))
        .select(<(Row, OwnerRow, DeptRow)>::as_select())
        .into_boxed()
        .visible_to(c::owner_id, visible)
        .first::<Joined>(conn)
        .found()
        .map(from_row)
}

/// The customer a new record (an activity, an order) is for: visible to the actor, or a field
/// error on `customer_id` that does not tell invisible from missing.
pub(crate) fn get_for_new_record(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
) -> RepoResult<Customer> {
    get(conn, actor, id).map_err(|e| match e {
        RepoError::NotFound => RepoError::invalid(
            "customer_id",
            ErrorCode::NotFound,
            msg!(
                "您的范围内没有这个客户",
                "no such customer within your scope"
            ),
        ),
        e => e,
    })
}

// ---------------------------------------------------------------------------------------------
// Listing

/// What narrows a list or a count of customers.
#[derive(Debug, Clone, Default)]
struct Filter {
    filters: CustomerFilters,
    level: Option<CustomerLevel>,
}

impl Filter {
    /// Not contacted since this instant (never contacted included).
    fn not_contacted_since(&self) -> Option<NaiveDateTime> {
        self.filters
            .not_contacted_days
            .map(|days| (chrono::Utc::now() - chrono::Duration::days(i64::from(days))).naive_utc())
    }

    /// No filter but the owner or the owner's department (what the pipeline summary knows).
    fn narrows_by_owner_only(&self) -> bool {
        let CustomerFilters {
            type_,
            grade,
            industry_id,
            region_id,
            owner_id: _,
            department_id: _,
            review_status,
            not_contacted_days,
            q,
        } = &self.filters;
        self.level.is_none()
            && type_.is_none()
            && grade.is_none()
            && industry_id.is_none()
            && region_id.is_none()
            && review_status.is_none()
            && not_contacted_days.is_none()
            && q.as_deref().is_none_or(|t| t.trim().is_empty())
    }
}

/// A position in a sorted list: the sort column's value (text or time) and the row's id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum SortValue {
    Text(String),
    Time(NaiveDateTime),
}

type Key = (SortValue, i64);

/// "Never contacted" sorts as the oldest possible contact.
fn epoch() -> NaiveDateTime {
    chrono::DateTime::UNIX_EPOCH.naive_utc()
}

/// The keyset value of a customer under a sort.
fn key_of(x: &Customer, sort: CustomerSortKey) -> Key {
    let value = match sort {
        CustomerSortKey::Name => SortValue::Text(x.name.clone()),
        CustomerSortKey::Created => SortValue::Time(x.created_at.naive_utc()),
        CustomerSortKey::Updated => SortValue::Time(x.updated_at.naive_utc()),
        CustomerSortKey::LastContact => SortValue::Time(
            x.last_contact_at
                .map(|t| t.naive_utc())
                .unwrap_or_else(epoch),
        ),
    };
    (value, x.id)
}

type Boxed<'a> =
    crate::schema::customers::BoxedQuery<'a, crate::multi_connection_impl::MultiBackend>;

fn filtered<'a>(visible: &Visible, f: &Filter, text: &TextMatch) -> Boxed<'a> {
    let mut q: Boxed<'a> = c::table.into_boxed().visible_to(c::owner_id, visible);
    let x = &f.filters;
    if let Some(v) = f.level {
        q = q.filter(c::level.eq(v.as_str()));
    }
    if let Some(v) = x.type_ {
        q = q.filter(c::customer_type.eq(v.as_str()));
    }
    if let Some(v) = x.grade {
        q = q.filter(c::grade.eq(v));
    }
    if let Some(v) = x.industry_id {
        q = q.filter(c::industry_id.eq(v));
    }
    if let Some(v) = x.region_id {
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
    if let Some(v) = x.owner_id {
        q = q.filter(c::owner_id.eq(v));
    }
    if let Some(v) = x.department_id {
        q = q.filter(
            c::owner_id.eq_any(
                users::table
                    .filter(users::department_id.eq(v))
                    .select(users::id),
            ),
        );
    }
    if let Some(v) = x.review_status {
        q = q.filter(c::review_status.eq(v.as_str()));
    }
    if let Some(t) = f.not_contacted_since() {
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
        TextMatch::Walk {
            grams,
            pattern,
            exact,
        } => {
            // Each bigram is one probe of the index by (customer, gram), which needs nothing but
            // the id from the list's own index: far cheaper per row than `LIKE` over the name,
            // the short name and every contact.
            for gram in grams {
                q = q.filter(diesel::dsl::exists(
                    customer_grams::table
                        .filter(customer_grams::customer_id.eq(c::id))
                        .filter(customer_grams::gram.eq(*gram)),
                ));
            }
            if !exact {
                q = q.filter(text_matches(pattern));
            }
        }
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
    /// Every row in the list's order that holds each of these (common) bigrams in the index;
    /// checked against the pattern too unless the bigrams say it all (a query of two
    /// characters: holding its one bigram is containing it).
    Walk {
        grams: Vec<i64>,
        pattern: String,
        exact: bool,
    },
}

impl TextMatch {
    /// Looks the query up in the search index (see `crate::search`). Single characters, and
    /// phone-like queries without four digits in a row, are checked row by row.
    fn of(conn: &mut DbConnection, visible: &Visible, f: &Filter) -> RepoResult<Self> {
        let Some(text) = f
            .filters
            .q
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
        else {
            return Ok(TextMatch::Any);
        };
        let pattern = contains_pattern(text);
        let phone_like = text
            .chars()
            .all(|ch| ch.is_ascii_digit() || "+-() ".contains(ch));
        if phone_like && crate::search::digit_grams(text).is_empty() {
            return Ok(TextMatch::Check(pattern));
        }
        Ok(match crate::search::plan(conn, visible, text)? {
            Some(crate::search::Plan::Candidates(ids)) => TextMatch::Among(ids, pattern),
            Some(crate::search::Plan::Walk) => {
                let grams: Vec<i64> = crate::search::grams(text).into_iter().collect();
                if grams.is_empty() {
                    TextMatch::Check(pattern)
                } else {
                    TextMatch::Walk {
                        exact: grams.len() == 1 && text.chars().count() == 2,
                        grams,
                        pattern,
                    }
                }
            }
            None => TextMatch::Check(pattern),
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
            .filter(lower(contacts::name).like(p.clone()).escape('\\')),
    );
    Box::new(
        lower(c::name)
            .like(p.clone())
            .escape('\\')
            .or(lower(c::short_name.assume_not_null())
                .like(p.clone())
                .escape('\\'))
            .or(c::phone.assume_not_null().like(p).escape('\\'))
            .or(in_contacts),
    )
}

/// A page of the customers the actor sees, filtered, searched and sorted (keyset on
/// `(sort column, id)`; the default order is last changed first).
pub fn list(
    conn: &mut DbConnection,
    actor: &Actor,
    q: &CustomerQuery,
) -> RepoResult<Page<Customer>> {
    let sort = q.sort();
    let page = PageRequest::<Key>::new(q.limit, q.cursor.as_deref(), sort.to_string())?;
    let f = Filter {
        filters: q.filters(),
        level: q.level,
    };
    let visible = &actor.visible;
    let text = TextMatch::of(conn, visible, &f)?;
    let after = page.after.as_ref();
    let fetch = page.fetch();
    let ids = match crate::paging::merge_owners(visible) {
        // Names are left to the database: its collation, not Rust's, orders them. Search
        // candidates are few already: one query sorts them.
        Some(owners)
            if sort.key != CustomerSortKey::Name
                && f.filters.owner_id.is_none()
                && !matches!(text, TextMatch::Among(..)) =>
        {
            crate::paging::merged(owners, fetch, sort.descending, |owner| {
                let one = Visible::Owners(vec![owner]);
                let q = ordered(filtered(&one, &f, &text), sort, after)?;
                time_page(conn, q, sort.key, fetch)
            })?
        }
        _ => ordered(filtered(visible, &f, &text), sort, after)?
            .select(c::id)
            .limit(fetch)
            .load(conn)?,
    };
    let rows = load_in_order(conn, &ids)?;
    Ok(page.page(rows, |x| key_of(x, sort.key)))
}

/// The cursor of the page that starts `offset` rows into the list `q` asks for (counting up to it,
/// as `OFFSET` does: for benchmarks and tests that jump deep into a list, not for requests).
pub fn cursor_at(
    conn: &mut DbConnection,
    actor: &Actor,
    q: &CustomerQuery,
    offset: i64,
) -> RepoResult<Option<String>> {
    let sort = q.sort();
    let page = PageRequest::<Key>::new(Some(1), None, sort.to_string())?;
    let f = Filter {
        filters: q.filters(),
        level: q.level,
    };
    let text = TextMatch::of(conn, &actor.visible, &f)?;
    let ids: Vec<i64> = ordered(filtered(&actor.visible, &f, &text), sort, None)?
        .select(c::id)
        .offset((offset - 1).max(0))
        .limit(2)
        .load(conn)?;
    let rows = load_in_order(conn, &ids)?;
    Ok(page.page(rows, |x| key_of(x, sort.key)).next_cursor)
}

/// The "last contact" order: never contacted first. Written as the indexes
/// `customers_owner_contact_order` and `customers_owner_level_contact_order` are, so that both
/// databases read them in this order.
fn contact_order() -> diesel::expression::SqlLiteral<diesel::sql_types::Timestamp> {
    diesel::dsl::sql("COALESCE(customers.last_contact_at, '1970-01-01 00:00:00')")
}

/// The rows after the cursor's key, in `(sort column, id)` order, ascending or descending.
fn ordered<'a>(
    mut q: Boxed<'a>,
    sort: Sort<CustomerSortKey>,
    after: Option<&Key>,
) -> RepoResult<Boxed<'a>> {
    let foreign = || RepoError::BadQuery {
        code: ErrorCode::InvalidCursor,
        message: msg!(
            "cursor 属于另一种排序",
            "the cursor belongs to another sort"
        ),
    };
    let desc = sort.descending;
    macro_rules! keyset {
        ($col:expr, $variant:ident) => {{
            if let Some((value, id)) = after {
                let SortValue::$variant(v) = value else {
                    return Err(foreign());
                };
                q = q.filter(row_after($col, c::id, v.clone(), *id, desc));
            }
            q = if desc {
                q.order(($col.desc(), c::id.desc()))
            } else {
                q.order(($col.asc(), c::id.asc()))
            };
        }};
    }
    match sort.key {
        CustomerSortKey::Name => keyset!(c::name, Text),
        CustomerSortKey::Created => keyset!(c::created_at, Time),
        CustomerSortKey::Updated => keyset!(c::updated_at, Time),
        CustomerSortKey::LastContact => keyset!(contact_order(), Time),
    }
    Ok(q)
}

/// One owner's page under a time sort: `(sort value, id)`.
fn time_page(
    conn: &mut DbConnection,
    q: Boxed<'_>,
    key: CustomerSortKey,
    fetch: i64,
) -> RepoResult<Vec<(NaiveDateTime, i64)>> {
    let rows: Vec<(i64, NaiveDateTime)> = match key {
        CustomerSortKey::Created => q.select((c::id, c::created_at)).limit(fetch).load(conn)?,
        CustomerSortKey::Updated => q.select((c::id, c::updated_at)).limit(fetch).load(conn)?,
        CustomerSortKey::LastContact => {
            q.select((c::id, contact_order())).limit(fetch).load(conn)?
        }
        CustomerSortKey::Name => Vec::new(),
    };
    Ok(rows.into_iter().map(|(id, t)| (t, id)).collect())
}

/// The customers with these ids, in this order (one query for the page, one for the rows).
fn load_in_order(conn: &mut DbConnection, ids: &[i64]) -> RepoResult<Vec<Customer>> {
    let rows: Vec<Joined> = c::table
        .inner_join(users::table.inner_join(departments::table))
        .filter(c::id.eq_any(ids.to_vec()))
        .select(<(Row, OwnerRow, DeptRow)>::as_select())
        .load(conn)?;
    let mut by_id: std::collections::HashMap<i64, Customer> =
        rows.into_iter().map(from_row).map(|x| (x.id, x)).collect();
    Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
}

/// Customers per level (and their signed totals) that the actor sees, filtered like the list.
pub fn pipeline(
    conn: &mut DbConnection,
    actor: &Actor,
    filters: &CustomerFilters,
) -> RepoResult<Pipeline> {
    let f = Filter {
        filters: filters.clone(),
        level: None,
    };
    let visible = &actor.visible;
    // SUM of a BIGINT is NUMERIC on PostgreSQL: cast back, the total of fen fits in 64 bits.
    let sum = |sql: &'static str| {
        diesel::dsl::sql::<diesel::sql_types::Nullable<diesel::sql_types::BigInt>>(sql)
    };
    let rows: Vec<(String, Option<i64>, Option<i64>)> = if f.narrows_by_owner_only() {
        // Filtered by owner at most: the trigger-kept summary per owner and level (a few hundred
        // rows), within the same scope.
        use crate::schema::customer_pipeline as cp;
        let mut q = cp::table
            .group_by(cp::level)
            .select((
                cp::level,
                sum("CAST(SUM(customer_pipeline.customers) AS BIGINT)"),
                sum("CAST(SUM(customer_pipeline.signed_total) AS BIGINT)"),
            ))
            .into_boxed()
            .visible_to(cp::owner_id, visible);
        if let Some(v) = f.filters.owner_id {
            q = q.filter(cp::owner_id.eq(v));
        }
        if let Some(v) = f.filters.department_id {
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
            let (n, total): (i64, Option<i64>) = filtered(visible, &f, &text)
                .filter(c::level.eq(level.as_str()))
                .select((
                    diesel::dsl::count_star(),
                    sum("CAST(SUM(customers.signed_total) AS BIGINT)"),
                ))
                .first(conn)?;
            rows.push((level.as_str().to_string(), Some(n), total));
        }
        rows
    };
    let levels = CustomerLevel::ALL
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
        .collect();
    Ok(Pipeline { levels })
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

/// An existing customer sharing a key, with everything either answer needs.
struct Found {
    id: i64,
    name: String,
    matched_on: &'static str,
    owner_id: i64,
    owner_name: String,
    department_name: String,
}

impl Found {
    fn in_pool(&self) -> bool {
        self.owner_id == crate::pool::OWNER
    }
}

/// Existing customers (any owner: protection looks past the actor's scope) sharing a key.
fn find_duplicates(
    conn: &mut DbConnection,
    keys: &Keys,
    except: Option<i64>,
) -> RepoResult<Vec<Found>> {
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
    type Rows = (i64, String, String, Option<String>, Option<String>, i64);
    let rows: Vec<Rows> = q.load(conn)?;
    // The owners' names in one query.
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
        .map(|(id, name, nk, pk, wk, owner_id)| {
            let matched_on = if !keys.name.is_empty() && nk == keys.name {
                "name"
            } else if pk.is_some() && pk == keys.phone {
                "phone"
            } else if wk.is_some() && wk == keys.website {
                "website"
            } else {
                "name"
            };
            let (owner_name, department_name) = owners.get(&owner_id).cloned().unwrap_or_default();
            Found {
                id,
                name,
                matched_on,
                owner_id,
                owner_name,
                department_name,
            }
        })
        .collect())
}

/// Whether a customer with this name, phone or website exists, and who owns it; the id comes only
/// with customers the actor sees.
pub fn check_duplicates(
    conn: &mut DbConnection,
    actor: &Actor,
    q: &DuplicateQuery,
) -> RepoResult<DuplicateCheck> {
    let keys = Keys::of(
        q.name.as_deref().unwrap_or(""),
        q.phone.as_deref(),
        q.website.as_deref(),
    );
    let matches = find_duplicates(conn, &keys, q.except_id)?
        .into_iter()
        .map(|m| {
            let seen = actor.sees(m.owner_id);
            let in_pool = m.in_pool();
            DuplicateMatch {
                name: m.name,
                owner_name: m.owner_name,
                department_name: m.department_name,
                matched_on: m.matched_on.into(),
                visible: seen,
                in_pool,
                id: (seen || in_pool).then_some(m.id),
            }
        })
        .collect();
    Ok(DuplicateCheck { matches })
}

/// 409 `duplicate_customer` naming every clash (ids only where the actor sees the customer).
fn refuse_duplicates(
    conn: &mut DbConnection,
    actor: &Actor,
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
    let clashes = clashes_of(actor, find_duplicates(conn, keys, except)?);
    if clashes.is_empty() {
        Ok(())
    } else {
        Err(RepoError::Duplicate(clashes))
    }
}

/// Found customers as a refusal names them (ids only where the actor sees the customer).
fn clashes_of(actor: &Actor, found: Vec<Found>) -> Vec<CustomerClash> {
    found
        .into_iter()
        .map(|m| {
            let seen = actor.sees(m.owner_id);
            let in_pool = m.in_pool();
            CustomerClash {
                field: m.matched_on.into(),
                in_pool,
                id: (seen || in_pool).then_some(m.id),
                name: m.name,
                owner: ClashOwner {
                    id: seen.then_some(m.owner_id),
                    display_name: m.owner_name,
                },
                department: ClashDepartment {
                    name: m.department_name,
                },
            }
        })
        .collect()
}

/// With review on, new customers (and changes of name or phone) wait for a manager.
fn review_on(conn: &mut DbConnection) -> RepoResult<bool> {
    Ok(crate::settings::get(conn)?.settings.review_new_customers)
}

fn check_references(
    conn: &mut DbConnection,
    industry_id: Option<i64>,
    region_id: Option<i64>,
    source_id: Option<i64>,
) -> RepoResult<()> {
    check_dictionary(conn, "industry_id", DictionaryKind::Industry, industry_id)?;
    check_dictionary(conn, "region_id", DictionaryKind::Region, region_id)?;
    check_dictionary(conn, "source_id", DictionaryKind::CustomerSource, source_id)
}

// ---------------------------------------------------------------------------------------------
// Writes

/// Creates a customer owned by the actor or by `owner_id` within their scope (422 `out_of_scope`),
/// refusing duplicates (409 `duplicate_customer`); with review on it waits as `pending`.
pub fn create(conn: &mut DbConnection, actor: &Actor, new: &NewCustomer) -> RepoResult<Customer> {
    let owner_id = new.owner_id.unwrap_or(actor.id);
    check_owner_scope(actor, owner_id)?;
    write_tx(conn, |conn| create_in(conn, actor, new))
}

fn check_owner_scope(actor: &Actor, owner_id: i64) -> RepoResult<()> {
    if actor.sees(owner_id) {
        return Ok(());
    }
    Err(RepoError::invalid(
        "owner_id",
        ErrorCode::OutOfScope,
        msg!(
            "负责人须在您的范围内",
            "the owner must be someone within your scope"
        ),
    ))
}

/// Customer protection without writing (an import's check of a row): 409 `duplicate_customer`
/// when a customer with this name, phone or website exists.
pub fn check_protection(
    conn: &mut DbConnection,
    actor: &Actor,
    new: &NewCustomer,
) -> RepoResult<()> {
    let keys = Keys::of(
        new.name.trim(),
        blank_to_none(new.phone.as_deref()).as_deref(),
        blank_to_none(new.website.as_deref()).as_deref(),
    );
    let clashes = clashes_of(actor, find_duplicates(conn, &keys, None)?);
    if clashes.is_empty() {
        Ok(())
    } else {
        Err(RepoError::Duplicate(clashes))
    }
}

/// [`create`] inside a write transaction the caller holds (an import's batch): everything but the
/// transaction itself.
pub fn create_in(
    conn: &mut DbConnection,
    actor: &Actor,
    new: &NewCustomer,
) -> RepoResult<Customer> {
    let owner_id = new.owner_id.unwrap_or(actor.id);
    check_owner_scope(actor, owner_id)?;
    check_references(conn, new.industry_id, new.region_id, new.source_id)?;
    let owner_enabled: Option<bool> = users::table
        .find(owner_id)
        .select(users::enabled)
        .first(conn)
        .optional()?;
    if owner_enabled != Some(true) {
        return Err(RepoError::invalid(
            "owner_id",
            ErrorCode::NotFound,
            msg!("没有这个启用的用户", "no such enabled user"),
        ));
    }
    let review = if review_on(conn)? {
        ReviewStatus::Pending
    } else {
        ReviewStatus::Approved
    };
    let name = new.name.trim().to_string();
    let phone = blank_to_none(new.phone.as_deref());
    let website = blank_to_none(new.website.as_deref());
    let keys = Keys::of(&name, phone.as_deref(), website.as_deref());
    refuse_duplicates(conn, actor, &keys, None)?;
    let id = insert_row(
        conn,
        actor,
        new,
        owner_id,
        (&name, &phone, &website, &keys),
        review,
        now(),
    )?;
    crate::search::reindex(conn, &[id])?;
    let created = fetch(conn, &Visible::All, id)?;
    audit::record_about(
        conn,
        actor,
        "create",
        "customer",
        Some(id),
        Some(id),
        view(&created),
    )?;
    Ok(created)
}

/// A new customer's row (a lead, reviewed or waiting as the company's setting says): the one
/// insert behind [`create_in`] and [`create_many_in`]. `cleaned` is the trimmed name, the phone
/// and website as kept, and their protection keys.
fn insert_row(
    conn: &mut DbConnection,
    actor: &Actor,
    new: &NewCustomer,
    owner_id: i64,
    (name, phone, website, keys): (&String, &Option<String>, &Option<String>, &Keys),
    review: ReviewStatus,
    at: NaiveDateTime,
) -> QueryResult<i64> {
    diesel::insert_into(c::table)
        .values((
            (
                c::name.eq(name),
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
                c::phone.eq(phone),
                c::phone_key.eq(&keys.phone),
                c::website.eq(website),
                c::website_key.eq(&keys.website),
                c::owner_id.eq(owner_id),
                c::notes.eq(blank_to_none(new.notes.as_deref())),
                c::review_status.eq(review.as_str()),
                c::created_by.eq(actor.id),
                c::created_at.eq(at),
                c::updated_by.eq(actor.id),
                c::updated_at.eq(at),
                c::owner_since.eq(at),
            ),
        ))
        .returning(c::id)
        .get_result(conn)
}

/// Many creates inside the caller's write transaction (an import's batch): the rules of
/// [`create_in`], asked once for the batch where the answer is shared — the company's review
/// setting, the owners, the dictionary entries, customer protection (one lock statement and one
/// query for every key of the batch) — then one insert and one history entry per row. A refusal
/// names its row (`Some(index)`); `None` is the database's fault, not a row's.
pub fn create_many_in(
    conn: &mut DbConnection,
    actor: &Actor,
    news: &[NewCustomer],
) -> Result<Vec<i64>, (Option<usize>, RepoError)> {
    let whole = |e: RepoError| (None, e);
    let owners: Vec<i64> = news
        .iter()
        .map(|n| n.owner_id.unwrap_or(actor.id))
        .collect();
    for (i, owner) in owners.iter().enumerate() {
        check_owner_scope(actor, *owner).map_err(|e| (Some(i), e))?;
    }
    let enabled: std::collections::HashSet<i64> = users::table
        .filter(users::id.eq_any(&owners))
        .filter(users::enabled.eq(true))
        .select(users::id)
        .load::<i64>(conn)
        .map_err(|e| whole(e.into()))?
        .into_iter()
        .collect();
    if let Some(i) = owners.iter().position(|o| !enabled.contains(o)) {
        return Err((
            Some(i),
            RepoError::invalid(
                "owner_id",
                ErrorCode::NotFound,
                msg!("没有这个启用的用户", "no such enabled user"),
            ),
        ));
    }
    // Each distinct dictionary entry once.
    let mut checked = std::collections::HashSet::new();
    for (i, new) in news.iter().enumerate() {
        for (field, kind, id) in [
            ("industry_id", DictionaryKind::Industry, new.industry_id),
            ("region_id", DictionaryKind::Region, new.region_id),
            ("source_id", DictionaryKind::CustomerSource, new.source_id),
        ] {
            if let Some(id) = id
                && checked.insert((field, id))
            {
                check_dictionary(conn, field, kind, Some(id)).map_err(|e| (Some(i), e))?;
            }
        }
    }
    let review = if review_on(conn).map_err(whole)? {
        ReviewStatus::Pending
    } else {
        ReviewStatus::Approved
    };
    let rows: Vec<(String, Option<String>, Option<String>, Keys)> = news
        .iter()
        .map(|n| {
            let name = n.name.trim().to_string();
            let phone = blank_to_none(n.phone.as_deref());
            let website = blank_to_none(n.website.as_deref());
            let keys = Keys::of(&name, phone.as_deref(), website.as_deref());
            (name, phone, website, keys)
        })
        .collect();
    let every_key: Vec<&str> = rows
        .iter()
        .flat_map(|(.., k)| {
            [
                Some(k.name.as_str()),
                k.phone.as_deref(),
                k.website.as_deref(),
            ]
        })
        .flatten()
        .collect();
    serialize_keys(conn, Serial::CustomerKey, &every_key).map_err(|e| whole(e.into()))?;
    // Protection: one query for the batch; the row that clashes is then named as a single create
    // would name it.
    let names: Vec<&str> = rows.iter().map(|(.., k)| k.name.as_str()).collect();
    let phones: Vec<&str> = rows
        .iter()
        .filter_map(|(.., k)| k.phone.as_deref())
        .collect();
    let sites: Vec<&str> = rows
        .iter()
        .filter_map(|(.., k)| k.website.as_deref())
        .collect();
    // Only the kinds of key the batch has: an empty `IN` list is written `1=0`, and SQLite reads
    // `… OR 1=0` as a whole-table scan (a second per batch at a million customers) instead of one
    // index search per kind.
    type Cond = Box<
        dyn BoxableExpression<
                c::table,
                crate::multi_connection_impl::MultiBackend,
                SqlType = diesel::sql_types::Nullable<diesel::sql_types::Bool>,
            >,
    >;
    let owned = |keys: &[&str]| keys.iter().map(|k| k.to_string()).collect::<Vec<_>>();
    let mut any: Vec<Cond> = vec![Box::new(c::name_key.eq_any(owned(&names)).nullable())];
    if !phones.is_empty() {
        any.push(Box::new(c::phone_key.eq_any(owned(&phones))));
    }
    if !sites.is_empty() {
        any.push(Box::new(c::website_key.eq_any(owned(&sites))));
    }
    let condition = any
        .into_iter()
        .reduce(|acc, next| Box::new(acc.or(next)) as Cond)
        .expect("a batch has names");
    let hits: Vec<(String, Option<String>, Option<String>)> = c::table
        .filter(condition.assume_not_null())
        .select((c::name_key, c::phone_key, c::website_key))
        .limit(1000)
        .load(conn)
        .map_err(|e| whole(e.into()))?;
    if !hits.is_empty() {
        let taken = |key: &str| {
            hits.iter()
                .any(|(n, p, w)| n == key || p.as_deref() == Some(key) || w.as_deref() == Some(key))
        };
        if let Some(i) = rows.iter().position(|(.., k)| {
            taken(&k.name)
                || k.phone.as_deref().is_some_and(taken)
                || k.website.as_deref().is_some_and(taken)
        }) {
            let clashes = clashes_of(
                actor,
                find_duplicates(conn, &rows[i].3, None).map_err(whole)?,
            );
            return Err((Some(i), RepoError::Duplicate(clashes)));
        }
    }
    let at = now();
    let mut ids = Vec::with_capacity(news.len());
    let mut history = Vec::with_capacity(news.len());
    for ((new, owner_id), (name, phone, website, keys)) in news.iter().zip(&owners).zip(&rows) {
        let id = insert_row(
            conn,
            actor,
            new,
            *owner_id,
            (name, phone, website, keys),
            review,
            at,
        )
        .map_err(|e| whole(e.into()))?;
        let created = json!({
            "name": name, "short_name": blank_to_none(new.short_name.as_deref()),
            "type": new.type_.as_str(), "level": CustomerLevel::Lead.as_str(), "grade": null,
            "industry_id": new.industry_id, "region_id": new.region_id, "source_id": new.source_id,
            "size": blank_to_none(new.size.as_deref()), "address": blank_to_none(new.address.as_deref()),
            "phone": phone, "website": website, "owner_id": owner_id,
            "notes": blank_to_none(new.notes.as_deref()), "review_status": review.as_str(),
        });
        history.push((id, id, created));
        ids.push(id);
    }
    audit::record_many_about(conn, actor, "create", "customer", &history)
        .map_err(|e| whole(e.into()))?;
    crate::search::reindex(conn, &ids).map_err(|e| whole(e.into()))?;
    Ok(ids)
}

/// Changes a customer the actor sees (optimistic locking on `version`; duplicates refused).
pub fn update(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    patch: &CustomerPatch,
) -> RepoResult<Customer> {
    write_tx(conn, |conn| {
        let old = get(conn, actor, id)?;
        check_version(old.version, patch.version)?;
        let name = patched_text(&patch.name, &old.name);
        let phone = patched(&patch.phone, &old.phone);
        let website = patched(&patch.website, &old.website);
        let short_name = patched(&patch.short_name, &old.short_name);
        let industry_id = patch.industry_id.unwrap_or(old.industry_id);
        let region_id = patch.region_id.unwrap_or(old.region_id);
        let source_id = patch.source_id.unwrap_or(old.source_id);
        check_references(conn, industry_id, region_id, source_id)?;
        let keys = Keys::of(&name, phone.as_deref(), website.as_deref());
        refuse_duplicates(conn, actor, &keys, Some(id))?;
        // With review on, a new name or phone waits for a manager again.
        let review = if (name != old.name || phone != old.phone) && review_on(conn)? {
            ReviewStatus::Pending
        } else {
            old.review_status
        };
        let n = diesel::update(c::table.find(id).filter(c::version.eq(patch.version)))
            .set((
                (
                    c::name.eq(&name),
                    c::name_key.eq(&keys.name),
                    c::short_name.eq(&short_name),
                    c::customer_type.eq(patch.type_.unwrap_or(old.type_).as_str()),
                    c::industry_id.eq(industry_id),
                    c::region_id.eq(region_id),
                    c::source_id.eq(source_id),
                    c::size.eq(patched(&patch.size, &old.size)),
                    c::address.eq(patched(&patch.address, &old.address)),
                ),
                (
                    c::phone.eq(&phone),
                    c::phone_key.eq(&keys.phone),
                    c::website.eq(&website),
                    c::website_key.eq(&keys.website),
                    c::notes.eq(patched(&patch.notes, &old.notes)),
                    c::review_status.eq(review.as_str()),
                    c::updated_by.eq(actor.id),
                    c::updated_at.eq(now()),
                    c::version.eq(patch.version + 1),
                ),
            ))
            .execute(conn)?;
        one_row_updated(n, old.version)?;
        if name != old.name || phone != old.phone || short_name != old.short_name {
            crate::search::reindex(conn, &[id])?;
        }
        let new = fetch(conn, &Visible::All, id)?;
        let changes = diff(&view(&old), &view(&new));
        audit::record_about(
            conn,
            actor,
            "update",
            "customer",
            Some(id),
            Some(id),
            changes,
        )?;
        Ok(new)
    })
}

/// Deletes a customer the actor sees, with its contacts and activities (409 `customer_has_orders`
/// when it has orders: money history is kept, blacklist it instead); the history keeps what it was.
pub fn delete(conn: &mut DbConnection, actor: &Actor, id: i64) -> RepoResult<()> {
    write_tx(conn, |conn| {
        let old = get(conn, actor, id)?;
        let orders: i64 = crate::schema::orders::table
            .filter(crate::schema::orders::customer_id.eq(id))
            .count()
            .get_result(conn)?;
        if orders > 0 {
            return Err(RepoError::conflict(
                ErrorCode::CustomerHasOrders,
                msg!(
                    "该客户有 {orders} 个订单，其历史不能删除",
                    "the customer has {orders} orders; its history cannot be deleted"
                ),
            ));
        }
        let deals: i64 = crate::schema::opportunities::table
            .filter(crate::schema::opportunities::customer_id.eq(id))
            .count()
            .get_result(conn)?;
        if deals > 0 {
            return Err(RepoError::conflict(
                ErrorCode::CustomerHasDeals,
                msg!(
                    "该客户有 {deals} 个机会，请先删除机会",
                    "the customer has {deals} opportunities; delete them first"
                ),
            ));
        }
        let expenses: i64 = crate::schema::expenses::table
            .filter(crate::schema::expenses::customer_id.eq(id))
            .count()
            .get_result(conn)?;
        if expenses > 0 {
            return Err(RepoError::conflict(
                ErrorCode::CustomerHasExpenses,
                msg!(
                    "该客户有 {expenses} 笔费用，其历史不能删除",
                    "the customer has {expenses} expenses; its history cannot be deleted"
                ),
            ));
        }
        let tickets: i64 = crate::schema::tickets::table
            .filter(crate::schema::tickets::customer_id.eq(id))
            .count()
            .get_result(conn)?;
        if tickets > 0 {
            return Err(RepoError::conflict(
                ErrorCode::CustomerHasTickets,
                msg!(
                    "该客户有 {tickets} 个服务工单，其历史不能删除",
                    "the customer has {tickets} service tickets; its history cannot be deleted"
                ),
            ));
        }
        diesel::delete(c::table.find(id)).execute(conn)?;
        audit::record_about(
            conn,
            actor,
            "delete",
            "customer",
            Some(id),
            Some(id),
            view(&old),
        )?;
        Ok(())
    })
}

/// The one level rule applied to an event (a first contact, a first deal, a signed order) inside
/// the event's transaction: the customer moves up if the rule says so, and its history says why
/// (`reason`, plus the id of the record that caused it in `cause`).
pub(crate) fn advance(
    conn: &mut DbConnection,
    actor: &Actor,
    customer: &Customer,
    event: PipelineEvent,
    reason: &str,
    cause: (&str, i64),
) -> RepoResult<()> {
    let Some(level) = customer.level.after(event) else {
        return Ok(());
    };
    diesel::update(c::table.find(customer.id))
        .set((
            c::level.eq(level.as_str()),
            c::version.eq(c::version + 1),
            c::updated_at.eq(now()),
        ))
        .execute(conn)?;
    let mut changes =
        json!({"level": {"old": customer.level.as_str(), "new": level.as_str()}, "reason": reason});
    changes[cause.0] = json!(cause.1);
    audit::record_about(
        conn,
        actor,
        "level",
        "customer",
        Some(customer.id),
        Some(customer.id),
        changes,
    )?;
    Ok(())
}

/// Bumps a customer's version after a change made by a rule, and records why.
fn record_move(
    conn: &mut DbConnection,
    actor: &Actor,
    old: &Customer,
    action: &str,
    changes: serde_json::Value,
) -> RepoResult<Customer> {
    audit::record_about(
        conn,
        actor,
        action,
        "customer",
        Some(old.id),
        Some(old.id),
        changes,
    )?;
    fetch(conn, &Visible::All, old.id)
}

/// A manual level move with its reason. Only holders of `customer.blacklist` (managers) put a
/// customer on the blacklist or take it off (403 otherwise).
pub fn set_level(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    change: &LevelChange,
) -> RepoResult<Customer> {
    write_tx(conn, |conn| {
        let old = get(conn, actor, id)?;
        let level = change.level;
        if old.level == level {
            return Ok(old);
        }
        let touches_blacklist =
            level == CustomerLevel::Blacklisted || old.level == CustomerLevel::Blacklisted;
        if touches_blacklist && !actor.has(Permission::CustomerBlacklist) {
            let code = Permission::CustomerBlacklist.code();
            return Err(RepoError::Forbidden(msg!(
                "需要权限 `{code}`",
                "this needs the permission `{code}`"
            )));
        }
        diesel::update(c::table.find(id))
            .set((
                c::level.eq(level.as_str()),
                c::updated_by.eq(actor.id),
                c::updated_at.eq(now()),
                c::version.eq(old.version + 1),
            ))
            .execute(conn)?;
        let changes = json!({"level": {"old": old.level.as_str(), "new": level.as_str()}, "reason": change.reason.trim()});
        record_move(conn, actor, &old, "level", changes)
    })
}

/// A manager's grade of a signed customer with its reason; `grade: null` returns to the grade its
/// signed total earns under the company's thresholds.
pub fn set_grade(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    change: &GradeChange,
) -> RepoResult<Customer> {
    write_tx(conn, |conn| {
        let old = get(conn, actor, id)?;
        if old.level != CustomerLevel::Signed {
            return Err(RepoError::conflict(
                ErrorCode::NotSigned,
                msg!("只有签约客户有等级", "only signed customers have a grade"),
            ));
        }
        let thresholds = crate::settings::get(conn)?.settings.grade_thresholds;
        let automatic = grade_for(old.signed_total, &thresholds) as i16;
        let new_grade = change.grade.or(Some(automatic));
        diesel::update(c::table.find(id))
            .set((
                c::grade.eq(new_grade),
                c::grade_manual.eq(change.grade.is_some()),
                c::updated_by.eq(actor.id),
                c::updated_at.eq(now()),
                c::version.eq(old.version + 1),
            ))
            .execute(conn)?;
        let changes = json!({"grade": {"old": old.grade, "new": new_grade}, "manual": change.grade.is_some(), "reason": change.reason.trim()});
        record_move(conn, actor, &old, "grade", changes)
    })
}

/// A reviewer's decision on a pending customer, with a comment; never the owner's own.
pub fn review(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    decision: &ReviewRequest,
) -> RepoResult<Customer> {
    write_tx(conn, |conn| {
        let old = get(conn, actor, id)?;
        if old.review_status != ReviewStatus::Pending {
            return Err(RepoError::conflict(
                ErrorCode::NotPending,
                msg!(
                    "该客户不在待审核状态",
                    "the customer is not waiting for review"
                ),
            ));
        }
        if old.owner.id == actor.id {
            return Err(RepoError::conflict(
                ErrorCode::OwnCustomer,
                msg!(
                    "由负责人的上级审核，而不是负责人自己",
                    "a manager above the owner reviews, not the owner"
                ),
            ));
        }
        let status = match decision.decision {
            ReviewDecision::Approve => ReviewStatus::Approved,
            ReviewDecision::Reject => ReviewStatus::Rejected,
        };
        diesel::update(c::table.find(id))
            .set((
                c::review_status.eq(status.as_str()),
                c::updated_by.eq(actor.id),
                c::updated_at.eq(now()),
                c::version.eq(old.version + 1),
            ))
            .execute(conn)?;
        let changes = json!({"review_status": {"old": "pending", "new": status.as_str()}, "comment": decision.comment.trim()});
        record_move(conn, actor, &old, "review", changes)
    })
}

/// Every change of a customer the actor sees and of its contacts: who, when, which fields, old
/// and new, newest first, with names for the ids the changes mention.
pub fn history(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    q: &PageQuery,
) -> RepoResult<Page<AuditEntry>> {
    get(conn, actor, id)?;
    let page = PageRequest::<i64>::new(q.limit, q.cursor.as_deref(), "history")?;
    let filter = crate::audit::AuditFilter {
        customer_id: Some(id),
        before_id: page.after,
        limit: page.fetch(),
        ..Default::default()
    };
    let entries = crate::audit::list(conn, actor, &filter)?;
    Ok(page.page(entries, |e| e.id))
}

// ---------------------------------------------------------------------------------------------
// Contacts

#[derive(Queryable, Selectable)]
#[diesel(table_name = contacts)]
struct ContactRow {
    id: i64,
    customer_id: i64,
    name: String,
    title: Option<String>,
    mobile: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    im: Option<String>,
    birthday: Option<NaiveDate>,
    notes: Option<String>,
    is_key: bool,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    version: i32,
}

impl From<ContactRow> for Contact {
    fn from(r: ContactRow) -> Self {
        Contact {
            id: r.id,
            customer_id: r.customer_id,
            name: r.name,
            title: r.title,
            mobile: r.mobile,
            phone: r.phone,
            email: r.email,
            im: r.im,
            birthday: r.birthday,
            notes: r.notes,
            is_key: r.is_key,
            created_at: r.created_at.and_utc(),
            updated_at: r.updated_at.and_utc(),
            version: r.version,
        }
    }
}

fn contact_view(x: &Contact) -> serde_json::Value {
    json!({"name": x.name, "title": x.title, "mobile": x.mobile, "phone": x.phone, "email": x.email,
           "im": x.im, "birthday": x.birthday, "notes": x.notes, "is_key": x.is_key})
}

/// The contacts of a customer the actor sees, key contacts first.
pub fn contacts_of(
    conn: &mut DbConnection,
    actor: &Actor,
    customer_id: i64,
) -> RepoResult<Vec<Contact>> {
    get(conn, actor, customer_id)?;
    let rows: Vec<ContactRow> = contacts::table
        .filter(contacts::customer_id.eq(customer_id))
        .select(ContactRow::as_select())
        .order((contacts::is_key.desc(), contacts::id))
        .load(conn)?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// The contacts of several customers at once (a page of a list), of those the actor sees, by
/// customer in the order given, key contacts first: one query however many customers.
pub fn contacts_of_many(
    conn: &mut DbConnection,
    actor: &Actor,
    customer_ids: &[i64],
) -> RepoResult<Vec<Contact>> {
    if customer_ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<ContactRow> = contacts::table
        .inner_join(c::table)
        .filter(contacts::customer_id.eq_any(customer_ids))
        .select(ContactRow::as_select())
        .into_boxed()
        .visible_to(c::owner_id, &actor.visible)
        .load(conn)?;
    let place: std::collections::HashMap<i64, usize> = customer_ids
        .iter()
        .enumerate()
        .map(|(i, id)| (*id, i))
        .collect();
    let mut found: Vec<Contact> = rows.into_iter().map(Into::into).collect();
    found.sort_by_key(|x| (place.get(&x.customer_id).copied(), !x.is_key, x.id));
    Ok(found)
}

/// A contact whose customer the actor sees; 404 otherwise.
pub fn get_contact(conn: &mut DbConnection, actor: &Actor, id: i64) -> RepoResult<Contact> {
    fetch_contact(conn, &actor.visible, id)
}

fn fetch_contact(conn: &mut DbConnection, visible: &Visible, id: i64) -> RepoResult<Contact> {
    contacts::table
        .inner_join(c::table)
        .filter(contacts::id.eq(id))
        .select(ContactRow::as_select())
        .into_boxed()
        .visible_to(c::owner_id, visible)
        .first::<ContactRow>(conn)
        .found()
        .map(Into::into)
}

pub fn create_contact(
    conn: &mut DbConnection,
    actor: &Actor,
    customer_id: i64,
    new: &NewContact,
) -> RepoResult<Contact> {
    write_tx(conn, |conn| {
        get(conn, actor, customer_id)?;
        let contact = insert_contact(conn, actor, customer_id, new)?;
        crate::search::reindex(conn, &[customer_id])?;
        Ok(contact)
    })
}

/// Many contacts inside the caller's write transaction (an import's batch), each of a customer
/// the actor sees (one query for the batch), with one history entry each and the customers'
/// search entries made once. A refusal names its row (`Some(index)`).
pub fn create_contacts_in(
    conn: &mut DbConnection,
    actor: &Actor,
    rows: &[(i64, NewContact)],
) -> Result<Vec<i64>, (Option<usize>, RepoError)> {
    let whole = |e: RepoError| (None, e);
    let mut wanted: Vec<i64> = rows.iter().map(|(customer, _)| *customer).collect();
    wanted.sort_unstable();
    wanted.dedup();
    let seen: std::collections::HashSet<i64> = c::table
        .filter(c::id.eq_any(&wanted))
        .select(c::id)
        .into_boxed()
        .visible_to(c::owner_id, &actor.visible)
        .load::<i64>(conn)
        .map_err(|e| whole(e.into()))?
        .into_iter()
        .collect();
    if let Some(i) = rows
        .iter()
        .position(|(customer, _)| !seen.contains(customer))
    {
        return Err((Some(i), RepoError::NotFound));
    }
    let mut ids = Vec::with_capacity(rows.len());
    for (customer_id, new) in rows {
        ids.push(
            insert_contact(conn, actor, *customer_id, new)
                .map_err(whole)?
                .id,
        );
    }
    crate::search::reindex(conn, &wanted).map_err(|e| whole(e.into()))?;
    Ok(ids)
}

/// The one insert of a contact, with its history entry (its customer's visibility and search
/// entries are the caller's).
fn insert_contact(
    conn: &mut DbConnection,
    actor: &Actor,
    customer_id: i64,
    new: &NewContact,
) -> RepoResult<Contact> {
    let at = now();
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
    let contact = fetch_contact(conn, &Visible::All, id)?;
    let changes = contact_view(&contact);
    audit::record_about(
        conn,
        actor,
        "create",
        "contact",
        Some(id),
        Some(customer_id),
        changes,
    )?;
    Ok(contact)
}

/// Customers the actor sees by the names people write (compared as customer protection compares
/// names): name key → ids, one query per 500 names.
pub fn visible_by_name(
    conn: &mut DbConnection,
    actor: &Actor,
    names: &[String],
) -> RepoResult<std::collections::HashMap<String, Vec<i64>>> {
    let mut keys: Vec<String> = names.iter().map(|n| name_key(n)).collect();
    keys.sort_unstable();
    keys.dedup();
    let mut found: std::collections::HashMap<String, Vec<i64>> = Default::default();
    for chunk in keys.chunks(500) {
        let rows: Vec<(i64, String)> = c::table
            .filter(c::name_key.eq_any(chunk))
            .select((c::id, c::name_key))
            .into_boxed()
            .visible_to(c::owner_id, &actor.visible)
            .load(conn)?;
        for (id, key) in rows {
            found.entry(key).or_default().push(id);
        }
    }
    Ok(found)
}

/// The contacts of customers the actor sees, as (customer, name, mobile): what an import compares
/// its rows with.
pub fn contact_keys_of(
    conn: &mut DbConnection,
    actor: &Actor,
    customer_ids: &[i64],
) -> RepoResult<Vec<(i64, String, Option<String>)>> {
    let mut found = Vec::new();
    for chunk in customer_ids.chunks(500) {
        let rows: Vec<(i64, String, Option<String>)> = contacts::table
            .inner_join(c::table)
            .filter(contacts::customer_id.eq_any(chunk))
            .select((contacts::customer_id, contacts::name, contacts::mobile))
            .into_boxed()
            .visible_to(c::owner_id, &actor.visible)
            .load(conn)?;
        found.extend(rows);
    }
    Ok(found)
}

pub fn update_contact(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    patch: &ContactPatch,
) -> RepoResult<Contact> {
    write_tx(conn, |conn| {
        let old = get_contact(conn, actor, id)?;
        check_version(old.version, patch.version)?;
        let n = diesel::update(
            contacts::table
                .find(id)
                .filter(contacts::version.eq(patch.version)),
        )
        .set((
            contacts::name.eq(patched_text(&patch.name, &old.name)),
            contacts::title.eq(patched(&patch.title, &old.title)),
            contacts::mobile.eq(patched(&patch.mobile, &old.mobile)),
            contacts::phone.eq(patched(&patch.phone, &old.phone)),
            contacts::email.eq(patched(&patch.email, &old.email)),
            contacts::im.eq(patched(&patch.im, &old.im)),
            contacts::birthday.eq(patch.birthday.unwrap_or(old.birthday)),
            contacts::notes.eq(patched(&patch.notes, &old.notes)),
            contacts::is_key.eq(patch.is_key.unwrap_or(old.is_key)),
            contacts::updated_at.eq(now()),
            contacts::version.eq(patch.version + 1),
        ))
        .execute(conn)?;
        one_row_updated(n, old.version)?;
        let new = fetch_contact(conn, &Visible::All, id)?;
        if new.name != old.name {
            crate::search::reindex(conn, &[old.customer_id])?;
        }
        let changes = diff(&contact_view(&old), &contact_view(&new));
        audit::record_about(
            conn,
            actor,
            "update",
            "contact",
            Some(id),
            Some(old.customer_id),
            changes,
        )?;
        Ok(new)
    })
}

pub fn delete_contact(conn: &mut DbConnection, actor: &Actor, id: i64) -> RepoResult<()> {
    write_tx(conn, |conn| {
        let old = get_contact(conn, actor, id)?;
        diesel::delete(contacts::table.find(id)).execute(conn)?;
        crate::search::reindex(conn, &[old.customer_id])?;
        let changes = contact_view(&old);
        audit::record_about(
            conn,
            actor,
            "delete",
            "contact",
            Some(id),
            Some(old.customer_id),
            changes,
        )?;
        Ok(())
    })
}
