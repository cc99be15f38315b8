//! Imports (导入): a table of cells (read from a CSV or XLSX file by the API) checked row by row as
//! the API checks a create — the same rules, dictionary entries and users named as people write
//! them, customer protection against the database and against earlier rows of the same file — then
//! created in batches, each batch one transaction.

use crate::schema::{imports, users};
use crate::{Actor, DbConnection, RepoError, RepoResult, customers, now, orders, write_tx};
use chrono::{NaiveDate, NaiveDateTime};
use crm_domain::api::{
    CustomerType, DictionaryKind, Import, ImportColumn, ImportKind, ImportRowError, ImportStatus,
    NewContact, NewCustomer, NewOrder, OrderLineInput, import_column,
};
use crm_domain::words::Word;
use crm_domain::{ErrorCode, Lang, Money, Msg, msg};
use diesel::prelude::*;
use std::collections::HashMap;
use validator::Validate;

/// A file's cells: the header row, then the data rows (the header is spreadsheet row 1, so
/// `rows[i]` is row `i + 2`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// The rows that pass every check, by row number, ready to create.
#[derive(Debug, Clone)]
pub enum Valid {
    Customers(Vec<(u32, NewCustomer)>),
    /// Each a contact of the customer (by id) the row names.
    Contacts(Vec<(u32, (i64, NewContact))>),
    /// Each an order made of one or more rows (its lines), by its first row.
    Orders(Vec<(u32, OrderOf)>),
}

/// An order of an import: its rows (one per line), the order, and the day it was signed.
#[derive(Debug, Clone)]
pub struct OrderOf {
    pub rows: Vec<u32>,
    pub new: NewOrder,
    pub signed_on: Option<NaiveDate>,
}

impl Default for Valid {
    fn default() -> Self {
        Valid::Customers(Vec::new())
    }
}

impl Valid {
    pub fn len(&self) -> usize {
        match self {
            Valid::Customers(rows) => rows.len(),
            Valid::Contacts(rows) => rows.len(),
            Valid::Orders(orders) => orders.iter().map(|(_, o)| o.rows.len()).sum(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The outcome of checking every row.
#[derive(Debug, Clone, Default)]
pub struct Checked {
    /// Data rows with anything in them.
    pub total: u32,
    pub valid: Valid,
    pub errors: Vec<ImportRowError>,
    pub unknown_columns: Vec<String>,
}

/// Names as people write them in a sheet, to the ids they mean.
#[derive(Default)]
struct Lookup(HashMap<String, Vec<i64>>);

impl Lookup {
    fn add(&mut self, name: &str, id: i64) {
        let ids = self.0.entry(name.trim().to_lowercase()).or_default();
        if !ids.contains(&id) {
            ids.push(id);
        }
    }

    fn find(&self, name: &str) -> Option<&[i64]> {
        self.0.get(&name.trim().to_lowercase()).map(Vec::as_slice)
    }
}

/// A dictionary's enabled entries by their Chinese and English names.
fn dictionary(conn: &mut DbConnection, kind: DictionaryKind) -> RepoResult<Lookup> {
    let mut found = Lookup::default();
    for item in crate::dictionaries::list(conn, kind, false)? {
        found.add(&item.name, item.id);
        if let Some(en) = &item.name_en {
            found.add(en, item.id);
        }
    }
    Ok(found)
}

/// Enabled users by username, and by display name (which several may share).
struct People {
    by_username: Lookup,
    by_name: Lookup,
}

impl People {
    fn load(conn: &mut DbConnection) -> RepoResult<People> {
        let rows: Vec<(i64, String, String)> = users::table
            .filter(users::enabled.eq(true))
            .select((users::id, users::username, users::display_name))
            .load(conn)?;
        let (mut by_username, mut by_name) = (Lookup::default(), Lookup::default());
        for (id, username, name) in rows {
            by_username.add(&username, id);
            by_name.add(&name, id);
        }
        Ok(People {
            by_username,
            by_name,
        })
    }

    /// The person an `owner` cell names: a username names one person, a display name may name
    /// several.
    fn owner(&self, who: Option<String>, errors: &mut RowErrors) -> Option<i64> {
        let who = who?;
        match (self.by_username.find(&who), self.by_name.find(&who)) {
            (Some([id]), _) | (None, Some([id])) => Some(*id),
            (None, Some(_)) => {
                errors.add(
                    "owner",
                    ErrorCode::Ambiguous,
                    msg!(
                        "有多位用户叫“{who}”：请写用户名",
                        "several users are called “{who}”: write the username"
                    ),
                );
                None
            }
            _ => {
                errors.add(
                    "owner",
                    ErrorCode::NotFound,
                    msg!("没有叫“{who}”的启用用户", "no enabled user called “{who}”"),
                );
                None
            }
        }
    }
}

/// The customer a `customer` cell names among those the importer sees (by name key): one that
/// exists outside their scope reads as one that does not exist.
fn customer_named(
    found: &HashMap<String, Vec<i64>>,
    name: Option<String>,
    errors: &mut RowErrors,
) -> Option<i64> {
    let Some(name) = name else {
        errors.add(
            "customer",
            ErrorCode::Required,
            msg!("请写客户名称", "name the customer"),
        );
        return None;
    };
    match found
        .get(&crm_domain::customer::name_key(&name))
        .map(Vec::as_slice)
    {
        Some([id]) => Some(*id),
        Some(_) => {
            errors.add(
                "customer",
                ErrorCode::Ambiguous,
                msg!(
                    "有多个客户叫“{name}”",
                    "more than one customer is called “{name}”"
                ),
            );
            None
        }
        None => {
            errors.add(
                "customer",
                ErrorCode::NotFound,
                msg!(
                    "您可见的客户中没有“{name}”",
                    "no customer called “{name}” within your scope"
                ),
            );
            None
        }
    }
}

/// One row's refusals, gathered before it is given up.
struct RowErrors<'a> {
    row: u32,
    lang: Lang,
    out: &'a mut Vec<ImportRowError>,
    any: bool,
}

impl RowErrors<'_> {
    /// The create's own rules, each broken one under the column it came from.
    fn validate(&mut self, new: &impl Validate) {
        if let Err(broken) = new.validate() {
            for (field, code, words) in crm_domain::validation::flatten(&broken) {
                let code = code.parse().unwrap_or(ErrorCode::Invalid);
                self.add(column_of(&field), code, words);
            }
        }
    }

    fn add(&mut self, field: &str, code: ErrorCode, message: Msg) {
        self.any = true;
        self.out.push(ImportRowError {
            row: self.row,
            field: field.to_string(),
            code: code.as_str().to_string(),
            message: message.get(self.lang).to_string(),
        });
    }
}

/// The column a field of [`NewCustomer`] came from (`industry_id` → `industry`).
fn column_of(field: &str) -> &str {
    match field {
        "industry_id" => "industry",
        "region_id" => "region",
        "source_id" => "source",
        "owner_id" => "owner",
        "customer_id" => "customer",
        "lines" => "product",
        "type_" => "type",
        other => other,
    }
}

/// Which field each column of a file fills (a second column for the same field is reported, not
/// used); 422 `missing_column` when a required one is missing.
struct Columns(Vec<Option<&'static ImportColumn>>);

impl Columns {
    fn of(kind: ImportKind, table: &Table, unknown: &mut Vec<String>) -> RepoResult<Columns> {
        let mut fields: Vec<Option<&'static ImportColumn>> = Vec::new();
        for header in &table.header {
            let column = import_column(kind.columns(), header)
                .filter(|c| !fields.iter().flatten().any(|x| x.field == c.field));
            if column.is_none() && !header.trim().is_empty() {
                unknown.push(header.trim().to_string());
            }
            fields.push(column);
        }
        for required in kind.columns().iter().filter(|c| c.required) {
            if !fields.iter().flatten().any(|c| c.field == required.field) {
                let (zh, en) = (required.zh, required.en);
                return Err(RepoError::Rule {
                    code: ErrorCode::MissingColumn,
                    message: msg!(
                        "表头缺少“{zh}”列（第 1 行须是列名）",
                        "the header row has no “{en}” column (row 1 must name the columns)"
                    ),
                });
            }
        }
        Ok(Columns(fields))
    }

    /// A row's trimmed cell for a field; none when empty or not in the file.
    fn cell(&self, cells: &[String], field: &str) -> Option<String> {
        self.0
            .iter()
            .position(|c| c.is_some_and(|c| c.field == field))
            .and_then(|at| cells.get(at))
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    }
}

/// The data rows with anything in them, with their spreadsheet row numbers.
fn data_rows(table: &Table) -> impl Iterator<Item = (u32, &Vec<String>)> {
    table
        .rows
        .iter()
        .enumerate()
        .filter(|(_, cells)| cells.iter().any(|c| !c.trim().is_empty()))
        .map(|(i, cells)| (i as u32 + 2, cells))
}

/// Checks every row of a file of `kind` for `actor`, with messages in `lang`: 403 without the
/// permission the API's create of the same records needs. `dry_run`: the check is all the
/// caller will get, so it goes as far as a kind's check can (orders are made and rolled back);
/// a real run leaves that last step to the run itself, which reports what it refuses.
pub fn check(
    conn: &mut DbConnection,
    actor: &Actor,
    lang: Lang,
    kind: ImportKind,
    table: &Table,
    dry_run: bool,
) -> RepoResult<Checked> {
    let needed = kind.permission();
    if !actor.has(needed) {
        let code = needed.code();
        return Err(RepoError::Forbidden(msg!(
            "导入这类数据需要权限 `{code}`",
            "importing these records needs the permission `{code}`"
        )));
    }
    match kind {
        ImportKind::Customers => check_customers(conn, actor, lang, table),
        ImportKind::Contacts => check_contacts(conn, actor, lang, table),
        ImportKind::Orders => check_orders(conn, actor, lang, table, dry_run),
    }
}

/// Checks every row of a customers file; 422 `missing_column` when the header has no name column.
fn check_customers(
    conn: &mut DbConnection,
    actor: &Actor,
    lang: Lang,
    table: &Table,
) -> RepoResult<Checked> {
    let mut checked = Checked::default();
    let columns = Columns::of(ImportKind::Customers, table, &mut checked.unknown_columns)?;
    let mut valid = Vec::new();
    let industries = dictionary(conn, DictionaryKind::Industry)?;
    let regions = dictionary(conn, DictionaryKind::Region)?;
    let sources = dictionary(conn, DictionaryKind::CustomerSource)?;
    let people = People::load(conn)?;
    // Protection keys of earlier rows: key → its row.
    let mut seen: HashMap<(&'static str, String), u32> = HashMap::new();

    for (row, cells) in data_rows(table) {
        checked.total += 1;
        let cell = |field: &str| columns.cell(cells, field);
        let mut errors = RowErrors {
            row,
            lang,
            out: &mut checked.errors,
            any: false,
        };
        let mut pick = |field: &'static str, lookup: &Lookup, what: Msg| -> Option<i64> {
            let value = cell(field)?;
            let (zh, en) = (what.zh.clone(), what.en.clone());
            match lookup.find(&value) {
                Some([id]) => Some(*id),
                Some(_) => {
                    errors.add(
                        field,
                        ErrorCode::Ambiguous,
                        msg!(
                            "有多个{zh}叫“{value}”",
                            "more than one {en} is called “{value}”"
                        ),
                    );
                    None
                }
                None => {
                    errors.add(
                        field,
                        ErrorCode::NotFound,
                        msg!("没有叫“{value}”的{zh}", "no {en} called “{value}”"),
                    );
                    None
                }
            }
        };
        let industry_id = pick("industry", &industries, msg!("行业", "industry"));
        let region_id = pick("region", &regions, msg!("地区", "region"));
        let source_id = pick("source", &sources, msg!("来源", "source"));
        let owner_id = people.owner(cell("owner"), &mut errors);
        if let Some(owner) = owner_id
            && !actor.sees(owner)
        {
            errors.add(
                "owner",
                ErrorCode::OutOfScope,
                msg!(
                    "负责人须在您的范围内",
                    "the owner must be someone within your scope"
                ),
            );
        }
        let type_ = match cell("type") {
            None => CustomerType::Customer,
            Some(word) => {
                let found = CustomerType::ALL.iter().copied().find(|t| {
                    [t.as_str(), t.word(Lang::Zh), t.word(Lang::En)]
                        .iter()
                        .any(|w| w.eq_ignore_ascii_case(&word))
                });
                found.unwrap_or_else(|| {
                    errors.add(
                        "type",
                        ErrorCode::OneOf,
                        msg!(
                            "类型须是 客户、供应商、合作伙伴、代理商 或 竞争对手，而不是“{word}”",
                            "type must be Customer, Supplier, Partner, Agent or Competitor, not “{word}”"
                        ),
                    );
                    CustomerType::Customer
                })
            }
        };
        let new = NewCustomer {
            name: cell("name").unwrap_or_default(),
            short_name: cell("short_name"),
            type_,
            industry_id,
            region_id,
            source_id,
            size: cell("size"),
            address: cell("address"),
            phone: cell("phone"),
            website: cell("website"),
            owner_id,
            notes: cell("notes"),
        };
        errors.validate(&new);
        // Customer protection within the file: an earlier row with the same name, phone or
        // website.
        let keys = customers::Keys::of(
            new.name.trim(),
            new.phone.as_deref(),
            new.website.as_deref(),
        );
        let mut clash = None;
        for (field, key) in [
            ("name", Some(keys.name.clone()).filter(|k| !k.is_empty())),
            ("phone", keys.phone.clone()),
            ("website", keys.website.clone()),
        ] {
            let Some(key) = key else { continue };
            match seen.get(&(field, key.clone())) {
                Some(earlier) if clash.is_none() => clash = Some((field, *earlier)),
                Some(_) => {}
                None => {
                    seen.insert((field, key), row);
                }
            }
        }
        if let Some((field, earlier)) = clash {
            let (zh, en) = match field {
                "phone" => ("电话", "phone"),
                "website" => ("网址", "website"),
                _ => ("名称", "name"),
            };
            errors.add(
                field,
                ErrorCode::DuplicateCustomer,
                msg!(
                    "与本文件第 {earlier} 行重复（{zh}相同）",
                    "the same {en} as row {earlier} of this file"
                ),
            );
        }
        if errors.any {
            continue;
        }
        // Customer protection against the database, as the API's create refuses it.
        match customers::check_protection(conn, actor, &new) {
            Ok(()) => valid.push((row, new)),
            Err(RepoError::Duplicate(clashes)) => {
                let field = clashes
                    .first()
                    .map_or("name".to_string(), |c| c.field.clone());
                errors.add(
                    &field,
                    ErrorCode::DuplicateCustomer,
                    crm_domain::api::clash_detail(&clashes),
                );
            }
            Err(e) => return Err(e),
        }
    }
    checked.valid = Valid::Customers(valid);
    Ok(checked)
}

/// Checks every row of a contacts file: the customer named as the importer sees it (its name as
/// written, or as customer protection compares names), the contact by the create's rules, and a
/// contact of the same name and mobile on the same customer — in the database or earlier in the
/// file — refused as a duplicate (importing a file twice adds nobody twice).
fn check_contacts(
    conn: &mut DbConnection,
    actor: &Actor,
    lang: Lang,
    table: &Table,
) -> RepoResult<Checked> {
    let mut checked = Checked::default();
    let columns = Columns::of(ImportKind::Contacts, table, &mut checked.unknown_columns)?;
    let named: Vec<String> = data_rows(table)
        .filter_map(|(_, cells)| columns.cell(cells, "customer"))
        .collect();
    let found = customers::visible_by_name(conn, actor, &named)?;
    let ids: Vec<i64> = found.values().flatten().copied().collect();
    // Who is on those customers already: (customer, name, mobile) as compared.
    let mut seen: HashMap<(i64, String, String), Option<u32>> =
        customers::contact_keys_of(conn, actor, &ids)?
            .into_iter()
            .map(|(customer, name, mobile)| (contact_key(customer, &name, mobile.as_deref()), None))
            .collect();
    let mut valid = Vec::new();
    for (row, cells) in data_rows(table) {
        checked.total += 1;
        let cell = |field: &str| columns.cell(cells, field);
        let mut errors = RowErrors {
            row,
            lang,
            out: &mut checked.errors,
            any: false,
        };
        let customer = customer_named(&found, cell("customer"), &mut errors);
        let is_key = match cell("is_key") {
            None => false,
            Some(word) => yes_or_no(&word).unwrap_or_else(|| {
                errors.add(
                    "is_key",
                    ErrorCode::OneOf,
                    msg!(
                        "关键联系人须写 是 或 否，而不是“{word}”",
                        "key contact must be yes or no, not “{word}”"
                    ),
                );
                false
            }),
        };
        let birthday = match cell("birthday") {
            None => None,
            Some(text) => date(&text).or_else(|| {
                errors.add(
                    "birthday",
                    ErrorCode::Invalid,
                    msg!(
                        "生日须是日期（如 1980-05-20），而不是“{text}”",
                        "birthday must be a date (such as 1980-05-20), not “{text}”"
                    ),
                );
                None
            }),
        };
        let new = NewContact {
            name: cell("name").unwrap_or_default(),
            title: cell("title"),
            mobile: cell("mobile"),
            phone: cell("phone"),
            email: cell("email"),
            im: cell("im"),
            birthday,
            notes: cell("notes"),
            is_key,
        };
        errors.validate(&new);
        let Some(customer) = customer else { continue };
        if errors.any {
            continue;
        }
        let key = contact_key(customer, &new.name, new.mobile.as_deref());
        match seen.get(&key) {
            Some(Some(earlier)) => {
                let earlier = *earlier;
                errors.add(
                    "name",
                    ErrorCode::DuplicateContact,
                    msg!(
                        "与本文件第 {earlier} 行是同一位联系人（客户、姓名和手机相同）",
                        "the same contact as row {earlier} of this file (customer, name and mobile)"
                    ),
                );
            }
            Some(None) => errors.add(
                "name",
                ErrorCode::DuplicateContact,
                msg!(
                    "该客户已有这位联系人（姓名和手机相同）",
                    "the customer has this contact already (the same name and mobile)"
                ),
            ),
            None => {
                seen.insert(key, Some(row));
                valid.push((row, (customer, new)));
            }
        }
    }
    checked.valid = Valid::Contacts(valid);
    Ok(checked)
}

/// Checks every row of an orders file: each row a line (the product by name or code, its
/// quantity, price and discount as money is written), rows with the same order reference one
/// order whose order-level cells must agree, then every order that passes is made and rolled back
/// — created exactly as `POST /orders` (and signed as `POST /orders/{id}/sign`, with a signing
/// date) would, blacklisted customers, products, owners and service periods included — so a dry
/// run answers what the run will do. A real run skips the trial: its own batches refuse the same.
fn check_orders(
    conn: &mut DbConnection,
    actor: &Actor,
    lang: Lang,
    table: &Table,
    dry_run: bool,
) -> RepoResult<Checked> {
    let mut checked = Checked::default();
    let columns = Columns::of(ImportKind::Orders, table, &mut checked.unknown_columns)?;
    let named: Vec<String> = data_rows(table)
        .filter_map(|(_, cells)| columns.cell(cells, "customer"))
        .collect();
    let found = customers::visible_by_name(conn, actor, &named)?;
    let people = People::load(conn)?;
    let mut products = Lookup::default();
    let mut list_prices = HashMap::new();
    for p in crate::products::list(conn, false)? {
        products.add(&p.name, p.id);
        products.add(&p.code, p.id);
        list_prices.insert(p.id, p.list_price);
    }
    let may_sign = actor.has(crm_domain::Permission::OrderUpdate);

    /// An order being read: its order-level cells as its first row gave them.
    struct Draft {
        rows: Vec<u32>,
        bad: bool,
        customer: Option<i64>,
        cells: Vec<(&'static str, Option<String>)>,
        new: NewOrder,
        signed_on: Option<NaiveDate>,
    }
    let mut drafts: Vec<Draft> = Vec::new();
    let mut by_ref: HashMap<String, usize> = HashMap::new();
    for (row, cells) in data_rows(table) {
        checked.total += 1;
        let cell = |field: &str| columns.cell(cells, field);
        let mut errors = RowErrors {
            row,
            lang,
            out: &mut checked.errors,
            any: false,
        };
        let order_cells: Vec<(&'static str, Option<String>)> = [
            "customer",
            "owner",
            "service_start",
            "service_end",
            "signed_on",
            "notes",
        ]
        .into_iter()
        .map(|f| (f, cell(f)))
        .collect();
        let product_id = match cell("product") {
            None => {
                errors.add(
                    "product",
                    ErrorCode::Required,
                    msg!("请写产品名称或编码", "name the product or its code"),
                );
                None
            }
            Some(name) => match products.find(&name) {
                Some([id]) => Some(*id),
                Some(_) => {
                    errors.add(
                        "product",
                        ErrorCode::Ambiguous,
                        msg!(
                            "有多个产品叫“{name}”：请写产品编码",
                            "several products are called “{name}”: write the code"
                        ),
                    );
                    None
                }
                None => {
                    errors.add(
                        "product",
                        ErrorCode::NoSuchProduct,
                        msg!(
                            "没有名称或编码为“{name}”的启用产品",
                            "no enabled product is called or coded “{name}”"
                        ),
                    );
                    None
                }
            },
        };
        let quantity = match cell("quantity") {
            None => 1,
            Some(text) => text.replace(',', "").parse::<i32>().unwrap_or_else(|_| {
                errors.add(
                    "quantity",
                    ErrorCode::Invalid,
                    msg!(
                        "数量须是整数，而不是“{text}”",
                        "quantity must be a whole number, not “{text}”"
                    ),
                );
                1
            }),
        };
        let mut money = |field: &'static str| -> Option<Money> {
            let text = cell(field)?;
            let plain: String = text
                .chars()
                .filter(|c| !matches!(c, ',' | '，' | '¥' | '￥' | ' ') && !c.is_whitespace())
                .collect();
            let plain = plain.trim_end_matches('元');
            Money::parse(plain).map(Some).unwrap_or_else(|_| {
                errors.add(
                    field,
                    ErrorCode::Invalid,
                    msg!(
                        "须是金额（如 1980.00），而不是“{text}”",
                        "must be an amount (such as 1980.00), not “{text}”"
                    ),
                );
                None
            })
        };
        let unit_price = money("unit_price");
        let discount = money("discount").unwrap_or(Money::ZERO);
        let mut day = |field: &'static str| -> Option<NaiveDate> {
            let text = cell(field)?;
            date(&text).or_else(|| {
                errors.add(
                    field,
                    ErrorCode::Invalid,
                    msg!(
                        "须是日期（如 2026-12-01），而不是“{text}”",
                        "must be a date (such as 2026-12-01), not “{text}”"
                    ),
                );
                None
            })
        };
        let (service_start, service_end, signed_on) =
            (day("service_start"), day("service_end"), day("signed_on"));
        if signed_on.is_some() && !may_sign {
            errors.add(
                "signed_on",
                ErrorCode::Forbidden,
                msg!(
                    "签约需要权限 `order.update`：请去掉签订日期，导入为草稿",
                    "signing needs the permission `order.update`: leave the date out to import drafts"
                ),
            );
        }
        let line = product_id.map(|product_id| OrderLineInput {
            product_id,
            quantity,
            unit_price: unit_price
                .or_else(|| list_prices.get(&product_id).copied())
                .unwrap_or(Money::ZERO),
            discount,
        });
        if let Some(line) = &line {
            errors.validate(line);
        }
        // Which order the row belongs to: its reference's, or one of its own.
        let reference = cell("contract_no");
        let earlier = reference.as_ref().and_then(|r| by_ref.get(r)).copied();
        match earlier {
            Some(at) => {
                let first = drafts[at].rows[0];
                for ((field, mine), (_, theirs)) in order_cells.iter().zip(&drafts[at].cells) {
                    if mine.is_some() && mine != theirs {
                        errors.add(
                            field,
                            ErrorCode::Invalid,
                            msg!(
                                "与同一合同号的第 {first} 行不一致",
                                "differs from row {first}, which has the same order ref"
                            ),
                        );
                    }
                }
                let bad = errors.any;
                let draft = &mut drafts[at];
                draft.rows.push(row);
                draft.bad |= bad;
                draft.new.lines.extend(line);
            }
            None => {
                let customer = customer_named(&found, cell("customer"), &mut errors);
                let owner_id = people.owner(cell("owner"), &mut errors);
                if let Some(r) = &reference {
                    by_ref.insert(r.clone(), drafts.len());
                }
                drafts.push(Draft {
                    rows: vec![row],
                    bad: errors.any,
                    customer,
                    cells: order_cells,
                    new: NewOrder {
                        customer_id: customer.unwrap_or_default(),
                        owner_id,
                        opportunity_id: None,
                        signed_on: None,
                        service_start,
                        service_end,
                        lines: line.into_iter().collect(),
                        notes: cell("notes"),
                        contract_no: reference.clone(),
                    },
                    signed_on,
                });
            }
        }
    }
    // An order with a refused line is not made at all: its other rows say why.
    let mut candidates = Vec::new();
    for draft in drafts {
        let first = draft.rows[0];
        if draft.bad || draft.customer.is_none() {
            let refused: Vec<u32> = checked.errors.iter().map(|e| e.row).collect();
            for row in draft.rows.iter().filter(|r| !refused.contains(r)) {
                checked.errors.push(ImportRowError {
                    row: *row,
                    field: "contract_no".into(),
                    code: ErrorCode::Invalid.as_str().into(),
                    message: msg!(
                        "同一订单的其他行有问题（第 {first} 行起），整张订单未导入",
                        "another row of this order (from row {first}) has a problem: the order is not imported"
                    )
                    .get(lang)
                    .to_string(),
                });
            }
            continue;
        }
        let mut errors = RowErrors {
            row: first,
            lang,
            out: &mut checked.errors,
            any: false,
        };
        errors.validate(&draft.new);
        if !errors.any {
            candidates.push((first, draft));
        }
    }
    // The create's own answer for every order that is left.
    let items: Vec<(NewOrder, Option<NaiveDate>)> = candidates
        .iter()
        .map(|(_, d)| (d.new.clone(), d.signed_on))
        .collect();
    let mut refused: HashMap<usize, RepoError> = if dry_run {
        trial(conn, actor, &items, orders::create_many_in)?
            .into_iter()
            .collect()
    } else {
        HashMap::new()
    };
    let mut valid = Vec::new();
    for (i, (first, draft)) in candidates.into_iter().enumerate() {
        match refused.remove(&i) {
            Some(e) => checked
                .errors
                .push(row_error(first, e, ImportKind::Orders, lang)?),
            None => valid.push((
                first,
                OrderOf {
                    rows: draft.rows,
                    new: draft.new,
                    signed_on: draft.signed_on,
                },
            )),
        }
    }
    checked.errors.sort_by_key(|e| e.row);
    checked.valid = Valid::Orders(valid);
    Ok(checked)
}

/// Makes `items` in batches as a run would and rolls every batch back: the refusals, by index.
fn trial<T: Clone>(
    conn: &mut DbConnection,
    actor: &Actor,
    items: &[T],
    make: impl Fn(&mut DbConnection, &Actor, &[T]) -> Made,
) -> RepoResult<Vec<(usize, RepoError)>> {
    let mut refused = Vec::new();
    in_batches(conn, actor, items, false, make, |_, batch| {
        refused.extend(batch.refused);
        Ok(())
    })?;
    Ok(refused)
}

/// What became of one batch: its items (indices into the whole), how many were made, and the
/// ones the create refused.
struct Batch {
    items: std::ops::Range<usize>,
    made: usize,
    refused: Vec<(usize, RepoError)>,
}

/// Makes `items` in batches of [`BATCH`], each one transaction — committed, or rolled back when
/// `keep` is false (a trial) — and makes a batch again without an item its create refuses; `after`
/// hears of each batch. A database error (not an item's) ends it all.
fn in_batches<T: Clone>(
    conn: &mut DbConnection,
    actor: &Actor,
    items: &[T],
    keep: bool,
    make: impl Fn(&mut DbConnection, &Actor, &[T]) -> Made,
    mut after: impl FnMut(&mut DbConnection, Batch) -> RepoResult<()>,
) -> RepoResult<()> {
    for start in (0..items.len()).step_by(BATCH) {
        let range = start..(start + BATCH).min(items.len());
        let mut left: Vec<usize> = range.clone().collect();
        let (mut made, mut refused) = (0, Vec::new());
        while !left.is_empty() {
            let news: Vec<T> = left.iter().map(|i| items[*i].clone()).collect();
            let once = |conn: &mut DbConnection| {
                make(conn, actor, &news).map_err(|(at, error)| Refused { at, error })
            };
            let outcome = if keep {
                write_tx(conn, once)
            } else {
                crate::trial_tx(conn, once)
            };
            match outcome {
                Ok(ids) => {
                    made = ids.len();
                    break;
                }
                Err(Refused { at: Some(i), error }) => refused.push((left.remove(i), error)),
                Err(Refused { at: None, error }) => return Err(error),
            }
        }
        after(
            conn,
            Batch {
                items: range,
                made,
                refused,
            },
        )?;
    }
    Ok(())
}

/// A contact as duplicates are compared: its customer, its name without case or spaces, its
/// mobile's digits.
fn contact_key(customer: i64, name: &str, mobile: Option<&str>) -> (i64, String, String) {
    let name = name
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect();
    let mobile = mobile
        .unwrap_or_default()
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    (customer, name, mobile)
}

/// Yes or no as people write it in a sheet.
fn yes_or_no(word: &str) -> Option<bool> {
    match word.trim().to_lowercase().as_str() {
        "是" | "y" | "yes" | "true" | "1" | "√" | "✓" | "key" | "关键" => Some(true),
        "否" | "n" | "no" | "false" | "0" | "" => Some(false),
        _ => None,
    }
}

/// A date as a sheet holds it: `2026-05-20`, `2026/5/20` or `2026.5.20` (an XLSX date cell
/// reads as the first).
fn date(text: &str) -> Option<chrono::NaiveDate> {
    let text = text.trim();
    let text = text.split_once(' ').map_or(text, |(day, _)| day);
    ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"]
        .iter()
        .find_map(|f| chrono::NaiveDate::parse_from_str(text, f).ok())
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = imports)]
struct Row {
    id: i64,
    kind: String,
    file_name: String,
    dry_run: bool,
    status: String,
    total: i32,
    valid: i32,
    processed: i32,
    created: i32,
    errors: String,
    unknown_columns: String,
    created_at: NaiveDateTime,
    touched_at: NaiveDateTime,
    finished_at: Option<NaiveDateTime>,
}

fn view(r: Row) -> Import {
    Import {
        id: r.id,
        kind: ImportKind::parse(&r.kind).unwrap_or(ImportKind::Customers),
        file_name: r.file_name,
        dry_run: r.dry_run,
        status: ImportStatus::parse(&r.status).unwrap_or(ImportStatus::Failed),
        total: r.total as u32,
        valid: r.valid as u32,
        processed: r.processed as u32,
        created: r.created as u32,
        errors: serde_json::from_str(&r.errors).unwrap_or_default(),
        unknown_columns: serde_json::from_str(&r.unknown_columns).unwrap_or_default(),
        created_at: r.created_at.and_utc(),
        finished_at: r.finished_at.map(|t| t.and_utc()),
    }
}

fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".into())
}

/// Records a checked file: a dry run is done at once; a real run is `running` until
/// [`create_all`] has gone through its rows.
pub fn start(
    conn: &mut DbConnection,
    actor: &Actor,
    kind: ImportKind,
    file_name: &str,
    dry_run: bool,
    checked: &Checked,
) -> RepoResult<Import> {
    let at = now();
    let (status, processed, finished) = if dry_run {
        (ImportStatus::Done, checked.total, Some(at))
    } else {
        (
            ImportStatus::Running,
            checked.total - checked.valid.len() as u32,
            None,
        )
    };
    let id: i64 = write_tx(conn, |conn| {
        diesel::insert_into(imports::table)
            .values((
                imports::user_id.eq(actor.id),
                imports::kind.eq(kind.as_str()),
                imports::file_name.eq(file_name),
                imports::dry_run.eq(dry_run),
                imports::status.eq(status.as_str()),
                imports::total.eq(checked.total as i32),
                imports::valid.eq(checked.valid.len() as i32),
                imports::processed.eq(processed as i32),
                imports::created.eq(0),
                imports::errors.eq(json(&checked.errors)),
                imports::unknown_columns.eq(json(&checked.unknown_columns)),
                imports::created_at.eq(at),
                imports::touched_at.eq(at),
                imports::finished_at.eq(finished),
            ))
            .returning(imports::id)
            .get_result(conn)
    })?;
    get(conn, actor, id)
}

/// A running import untouched this long has lost its server (a batch takes about a second).
const LOST_AFTER_MINUTES: i64 = 10;

/// An import of the caller's own; 404 for anyone else's. A run whose server stopped before its
/// last batch is found out here (no batch for minutes) and recorded as failed.
pub fn get(conn: &mut DbConnection, actor: &Actor, id: i64) -> RepoResult<Import> {
    let read = |conn: &mut DbConnection| -> RepoResult<Row> {
        imports::table
            .filter(imports::id.eq(id))
            .filter(imports::user_id.eq(actor.id))
            .select(Row::as_select())
            .first::<Row>(conn)
            .optional()?
            .ok_or(RepoError::NotFound)
    };
    let row = read(conn)?;
    let lost_before = now() - chrono::Duration::minutes(LOST_AFTER_MINUTES);
    if row.status != ImportStatus::Running.as_str() || row.touched_at >= lost_before {
        return Ok(view(row));
    }
    write_tx(conn, |conn| {
        diesel::update(imports::table.find(id))
            .filter(imports::status.eq(ImportStatus::Running.as_str()))
            .filter(imports::touched_at.lt(lost_before))
            .set((
                imports::status.eq(ImportStatus::Failed.as_str()),
                imports::finished_at.eq(Some(now())),
            ))
            .execute(conn)
    })?;
    read(conn).map(view)
}

/// Why a batch was rolled back: a row's refusal (`at`), or the database.
struct Refused {
    at: Option<usize>,
    error: RepoError,
}

impl From<diesel::result::Error> for Refused {
    fn from(e: diesel::result::Error) -> Self {
        Refused {
            at: None,
            error: e.into(),
        }
    }
}

/// Rows per transaction.
pub const BATCH: usize = 250;

/// Creates the checked rows of import `id` in batches of [`BATCH`], each one transaction, and
/// records the progress after each. A row refused now (a customer created meanwhile by someone
/// else, a customer gone from the importer's scope) rolls its batch back; the batch is then made
/// again without it, and the row is reported.
pub fn create_all(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    lang: Lang,
    valid: Valid,
) -> RepoResult<()> {
    fn one<T>((row, item): (u32, T)) -> (u32, u32, T) {
        (row, 1, item)
    }
    match valid {
        Valid::Customers(rows) => create_batches(
            conn,
            actor,
            id,
            lang,
            rows.into_iter().map(one).collect(),
            customers::create_many_in,
        ),
        Valid::Contacts(rows) => create_batches(
            conn,
            actor,
            id,
            lang,
            rows.into_iter().map(one).collect(),
            customers::create_contacts_in,
        ),
        Valid::Orders(orders) => create_batches(
            conn,
            actor,
            id,
            lang,
            orders
                .into_iter()
                .map(|(row, o)| (row, o.rows.len() as u32, (o.new, o.signed_on)))
                .collect(),
            orders::create_many_in,
        ),
    }
}

/// What a kind's batch create looks like: the ids made, or the row refused (`Some(index)`) or the
/// database's fault (`None`).
type Made = Result<Vec<i64>, (Option<usize>, RepoError)>;

/// Creates `items` — each with its first row and how many rows it stands for — in batches, and
/// records the progress after each.
fn create_batches<T: Clone>(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    lang: Lang,
    items: Vec<(u32, u32, T)>,
    make: impl Fn(&mut DbConnection, &Actor, &[T]) -> Made,
) -> RepoResult<()> {
    let mut import = get(conn, actor, id)?;
    let (places, news): (Vec<(u32, u32)>, Vec<T>) = items
        .into_iter()
        .map(|(row, rows, new)| ((row, rows), new))
        .unzip();
    in_batches(conn, actor, &news, true, make, |conn, batch| {
        let rows: u32 = places[batch.items].iter().map(|(_, rows)| rows).sum();
        import.created += batch.made as u32;
        import.processed = (import.processed + rows).min(import.total);
        for (at, e) in batch.refused {
            import
                .errors
                .push(row_error(places[at].0, e, import.kind, lang)?);
        }
        import.errors.sort_by_key(|e| e.row);
        write_tx(conn, |conn| {
            diesel::update(imports::table.find(id))
                .set((
                    imports::processed.eq(import.processed as i32),
                    imports::created.eq(import.created as i32),
                    imports::errors.eq(json(&import.errors)),
                    imports::touched_at.eq(now()),
                ))
                .execute(conn)
        })?;
        Ok(())
    })?;
    write_tx(conn, |conn| {
        diesel::update(imports::table.find(id))
            .set((
                imports::status.eq(ImportStatus::Done.as_str()),
                imports::processed.eq(import.total as i32),
                imports::finished_at.eq(Some(now())),
            ))
            .execute(conn)
    })?;
    Ok(())
}

/// A create's refusal of a row as the import reports it, under the column it concerns (the
/// kind's main column when it concerns the record as a whole); the database's own errors are not
/// a row's.
fn row_error(row: u32, e: RepoError, kind: ImportKind, lang: Lang) -> RepoResult<ImportRowError> {
    let main = match kind {
        ImportKind::Customers | ImportKind::Contacts => "name",
        ImportKind::Orders => "customer",
    };
    let (field, code, message) = match e {
        RepoError::Duplicate(clashes) => (
            clashes
                .first()
                .map_or("name".to_string(), |c| c.field.clone()),
            ErrorCode::DuplicateCustomer,
            crm_domain::api::clash_detail(&clashes),
        ),
        RepoError::Invalid {
            field,
            code,
            message,
        } => (column_of(field).to_string(), code, message),
        RepoError::Conflict {
            code: ErrorCode::DuplicateContract,
            message,
        } => (
            "contract_no".to_string(),
            ErrorCode::DuplicateContract,
            message,
        ),
        RepoError::Conflict { code, message } | RepoError::Rule { code, message } => {
            (main.to_string(), code, message)
        }
        RepoError::Forbidden(message) => (main.to_string(), ErrorCode::Forbidden, message),
        RepoError::NotFound => (
            "customer".to_string(),
            ErrorCode::NotFound,
            msg!(
                "客户已不在您的范围内",
                "the customer is no longer within your scope"
            ),
        ),
        other => return Err(other),
    };
    Ok(ImportRowError {
        row,
        field,
        code: code.as_str().to_string(),
        message: message.get(lang).to_string(),
    })
}

/// Marks an import whose run ended before its last batch (the server stopped): the batches made
/// until then stay.
pub fn fail(conn: &mut DbConnection, id: i64) -> RepoResult<()> {
    write_tx(conn, |conn| {
        diesel::update(imports::table.find(id))
            .filter(imports::status.eq(ImportStatus::Running.as_str()))
            .set((
                imports::status.eq(ImportStatus::Failed.as_str()),
                imports::finished_at.eq(Some(now())),
            ))
            .execute(conn)
    })?;
    Ok(())
}
