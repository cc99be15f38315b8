//! Products (产品): what orders are made of. Everyone reads them; managing them is an administrator's.

use crate::actor::Actor;
use crate::audit::{self, diff};
use crate::error::{OptionalFound, is_unique_violation};
use crate::schema::{order_lines, products as p};
use crate::sql::{check_version, one_row_updated, patched_text};
use crate::{DbConnection, RepoError, RepoResult, now, write_tx};
use crm_domain::api::{NewProduct, Product, ProductPatch};
use crm_domain::{ErrorCode, Money, msg};
use diesel::prelude::*;
use serde_json::json;

#[derive(Queryable, Selectable)]
#[diesel(table_name = p)]
struct Row {
    id: i64,
    code: String,
    name: String,
    unit: String,
    list_price: i64,
    renewable: bool,
    service_months: Option<i32>,
    enabled: bool,
    version: i32,
}

impl From<Row> for Product {
    fn from(r: Row) -> Self {
        Product {
            id: r.id,
            code: r.code,
            name: r.name,
            unit: r.unit,
            list_price: Money::from_minor(r.list_price),
            renewable: r.renewable,
            service_months: r.service_months,
            enabled: r.enabled,
            version: r.version,
        }
    }
}

fn view(x: &Product) -> serde_json::Value {
    json!({"code": x.code, "name": x.name, "unit": x.unit, "list_price": x.list_price,
           "renewable": x.renewable, "service_months": x.service_months, "enabled": x.enabled})
}

/// Products by code; disabled ones only when asked.
pub fn list(conn: &mut DbConnection, include_disabled: bool) -> RepoResult<Vec<Product>> {
    let mut q = p::table
        .select(Row::as_select())
        .order(p::code)
        .into_boxed();
    if !include_disabled {
        q = q.filter(p::enabled.eq(true));
    }
    Ok(q.load::<Row>(conn)?.into_iter().map(Into::into).collect())
}

pub fn get(conn: &mut DbConnection, id: i64) -> RepoResult<Product> {
    p::table
        .find(id)
        .select(Row::as_select())
        .first::<Row>(conn)
        .found()
        .map(Into::into)
}

/// Several products by id (those that exist).
pub fn by_ids(conn: &mut DbConnection, ids: &[i64]) -> RepoResult<Vec<Product>> {
    Ok(p::table
        .filter(p::id.eq_any(ids.to_vec()))
        .select(Row::as_select())
        .load::<Row>(conn)?
        .into_iter()
        .map(Into::into)
        .collect())
}

/// A renewable product needs its default service length.
fn check_months(renewable: bool, months: Option<i32>) -> RepoResult<()> {
    if renewable && months.is_none() {
        return Err(RepoError::invalid(
            "service_months",
            ErrorCode::Required,
            msg!(
                "需续费的产品须填写服务期（月）",
                "a renewable product needs its service length in months"
            ),
        ));
    }
    Ok(())
}

pub fn create(conn: &mut DbConnection, actor: &Actor, new: &NewProduct) -> RepoResult<Product> {
    check_months(new.renewable, new.service_months)?;
    write_tx(conn, |conn| {
        let at = now();
        let code = new.code.trim();
        let id: i64 = diesel::insert_into(p::table)
            .values((
                p::code.eq(code),
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
                    RepoError::invalid(
                        "code",
                        ErrorCode::DuplicateCode,
                        msg!(
                            "编码为 {code} 的产品已存在",
                            "a product with code {code} exists"
                        ),
                    )
                } else {
                    e.into()
                }
            })?;
        let product = get(conn, id)?;
        audit::record(conn, actor, "create", "product", Some(id), view(&product))?;
        Ok(product)
    })
}

pub fn update(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    patch: &ProductPatch,
) -> RepoResult<Product> {
    write_tx(conn, |conn| {
        let old = get(conn, id)?;
        check_version(old.version, patch.version)?;
        let renewable = patch.renewable.unwrap_or(old.renewable);
        let months = patch.service_months.unwrap_or(old.service_months);
        check_months(renewable, months)?;
        let n = diesel::update(p::table.find(id).filter(p::version.eq(patch.version)))
            .set((
                p::name.eq(patched_text(&patch.name, &old.name)),
                p::unit.eq(patched_text(&patch.unit, &old.unit)),
                p::list_price.eq(patch.list_price.unwrap_or(old.list_price).minor()),
                p::renewable.eq(renewable),
                p::service_months.eq(months),
                p::enabled.eq(patch.enabled.unwrap_or(old.enabled)),
                p::updated_at.eq(now()),
                p::version.eq(old.version + 1),
            ))
            .execute(conn)?;
        one_row_updated(n, old.version)?;
        let new = get(conn, id)?;
        audit::record(
            conn,
            actor,
            "update",
            "product",
            Some(id),
            diff(&view(&old), &view(&new)),
        )?;
        Ok(new)
    })
}

/// Deletes a product no order uses (409 `product_in_use` otherwise: disable it instead).
pub fn delete(conn: &mut DbConnection, actor: &Actor, id: i64) -> RepoResult<()> {
    write_tx(conn, |conn| {
        let old = get(conn, id)?;
        let used: i64 = order_lines::table
            .filter(order_lines::product_id.eq(id))
            .count()
            .get_result(conn)?;
        if used > 0 {
            return Err(RepoError::conflict(
                ErrorCode::ProductInUse,
                msg!(
                    "有 {used} 个订单行用到这个产品，请改为停用",
                    "{used} order lines use this product; disable it instead"
                ),
            ));
        }
        diesel::delete(p::table.find(id)).execute(conn)?;
        audit::record(conn, actor, "delete", "product", Some(id), view(&old))?;
        Ok(())
    })
}
