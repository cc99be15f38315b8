//! Products (产品): what orders are made of. Everyone reads them; managing them is an administrator's.

use crate::audit::{self, diff};
use crate::error::is_unique_violation;
use crate::schema::{order_lines, products as p};
use crate::{DbConnection, RepoError, RepoResult, now, write_tx};
use crm_domain::Money;
use crm_domain::api::{NewProduct, Product, ProductPatch};
use diesel::prelude::*;
use serde_json::json;

type Row = (
    i64,
    String,
    String,
    String,
    i64,
    bool,
    Option<i32>,
    bool,
    i32,
);

macro_rules! product_select {
    () => {
        (
            p::id,
            p::code,
            p::name,
            p::unit,
            p::list_price,
            p::renewable,
            p::service_months,
            p::enabled,
            p::version,
        )
    };
}

fn from_row(row: Row) -> Product {
    let (id, code, name, unit, list_price, renewable, service_months, enabled, version) = row;
    Product {
        id,
        code,
        name,
        unit,
        list_price: Money::from_minor(list_price),
        renewable,
        service_months,
        enabled,
        version,
    }
}

fn view(x: &Product) -> serde_json::Value {
    json!({"code": x.code, "name": x.name, "unit": x.unit, "list_price": x.list_price,
           "renewable": x.renewable, "service_months": x.service_months, "enabled": x.enabled})
}

/// Products by code; disabled ones only when asked.
pub fn list(conn: &mut DbConnection, include_disabled: bool) -> RepoResult<Vec<Product>> {
    let mut q = p::table
        .select(product_select!())
        .order(p::code)
        .into_boxed();
    if !include_disabled {
        q = q.filter(p::enabled.eq(true));
    }
    Ok(q.load::<Row>(conn)?.into_iter().map(from_row).collect())
}

pub fn get(conn: &mut DbConnection, id: i64) -> RepoResult<Product> {
    p::table
        .find(id)
        .select(product_select!())
        .first::<Row>(conn)
        .optional()?
        .map(from_row)
        .ok_or(RepoError::NotFound)
}

/// Several products by id (those that exist).
pub fn by_ids(conn: &mut DbConnection, ids: &[i64]) -> RepoResult<Vec<Product>> {
    Ok(p::table
        .filter(p::id.eq_any(ids.to_vec()))
        .select(product_select!())
        .load::<Row>(conn)?
        .into_iter()
        .map(from_row)
        .collect())
}

/// A renewable product needs its default service length.
fn check_months(renewable: bool, months: Option<i32>) -> RepoResult<()> {
    if renewable && months.is_none() {
        return Err(RepoError::invalid(
            "service_months",
            "required",
            "a renewable product needs its service length in months",
        ));
    }
    Ok(())
}

fn duplicate_code(code: &str) -> RepoError {
    RepoError::invalid(
        "code",
        "duplicate_code",
        format!("a product with code {code} exists"),
    )
}

pub fn create(conn: &mut DbConnection, actor: i64, new: &NewProduct) -> RepoResult<Product> {
    check_months(new.renewable, new.service_months)?;
    write_tx(conn, |conn| {
        let at = now();
        let id: i64 = diesel::insert_into(p::table)
            .values((
                p::code.eq(new.code.trim()),
                p::name.eq(new.name.trim()),
                p::unit.eq(new.unit.trim()),
                p::list_price.eq(new.list_price.minor()),
                p::renewable.eq(new.renewable),
                p::service_months.eq(new.service_months),
                p::created_at.eq(at),
                p::updated_at.eq(at),
            ))
            .returning(p::id)
            .get_result(conn)
            .map_err(|e| {
                if is_unique_violation(&e) {
                    duplicate_code(new.code.trim())
                } else {
                    e.into()
                }
            })?;
        let product = get(conn, id)?;
        audit::record(
            conn,
            Some(actor),
            "create",
            "product",
            Some(id),
            view(&product),
        )?;
        Ok(product)
    })
}

pub fn update(
    conn: &mut DbConnection,
    actor: i64,
    id: i64,
    patch: &ProductPatch,
) -> RepoResult<Product> {
    write_tx(conn, |conn| {
        let old = get(conn, id)?;
        if old.version != patch.version {
            return Err(RepoError::StaleVersion {
                current: old.version,
            });
        }
        let renewable = patch.renewable.unwrap_or(old.renewable);
        let months = patch.service_months.unwrap_or(old.service_months);
        check_months(renewable, months)?;
        diesel::update(p::table.find(id))
            .set((
                p::name.eq(patch.name.as_deref().map(str::trim).unwrap_or(&old.name)),
                p::unit.eq(patch.unit.as_deref().map(str::trim).unwrap_or(&old.unit)),
                p::list_price.eq(patch.list_price.unwrap_or(old.list_price).minor()),
                p::renewable.eq(renewable),
                p::service_months.eq(months),
                p::enabled.eq(patch.enabled.unwrap_or(old.enabled)),
                p::updated_at.eq(now()),
                p::version.eq(old.version + 1),
            ))
            .execute(conn)?;
        let new = get(conn, id)?;
        audit::record(
            conn,
            Some(actor),
            "update",
            "product",
            Some(id),
            diff(&view(&old), &view(&new)),
        )?;
        Ok(new)
    })
}

/// Deletes a product no order uses (409 `product_in_use` otherwise: disable it instead).
pub fn delete(conn: &mut DbConnection, actor: i64, id: i64) -> RepoResult<()> {
    write_tx(conn, |conn| {
        let old = get(conn, id)?;
        let used: i64 = order_lines::table
            .filter(order_lines::product_id.eq(id))
            .count()
            .get_result(conn)?;
        if used > 0 {
            return Err(RepoError::conflict(
                "product_in_use",
                format!("{used} order lines use this product; disable it instead"),
            ));
        }
        diesel::delete(p::table.find(id)).execute(conn)?;
        audit::record(conn, Some(actor), "delete", "product", Some(id), view(&old))?;
        Ok(())
    })
}
