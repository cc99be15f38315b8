//! Imports (导入): a CSV (UTF-8, with or without a byte-order mark, or GB18030 as Chinese Excel
//! saves it) or XLSX file of customers, their contacts or their orders, checked row by row as the API checks a create (`dry_run`
//! stops there and creates nothing), then created in batches in the background while
//! `GET /imports/{id}` tells how far it is. A template per kind in the caller's language.

use super::form::{file_name, next, text};
use super::prelude::*;
use crate::error::ApiError;
use crate::language;
use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use calamine::{Data, Reader, Xlsx};
use crm_db::imports::{self, Table, Valid};
use crm_domain::api::{IMPORT_MAX_MB, IMPORT_MAX_ROWS, Import, ImportKind, ImportTemplateQuery};
use crm_domain::{ErrorCode, Lang, Msg, msg};
use std::time::Duration;

/// Who may import anything at all; each kind then needs its own create's permission.
type Importer =
    need::Either<need::CustomerCreate, need::Either<need::CustomerUpdate, need::OrderCreate>>;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(start_import)
        .service(import_template)
        .service(get_import);
}

/// The form of `POST /imports`.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct ImportUpload {
    /// `customers`, `contacts` or `orders`.
    kind: ImportKind,
    /// `true`: check every row and create nothing.
    dry_run: Option<bool>,
    /// CSV (UTF-8 or GB18030) or XLSX; row 1 names the columns in Chinese or English.
    #[schema(format = Binary, value_type = String)]
    file: Vec<u8>,
}

/// Imports a file of customers or of contacts. Every row is checked as the create checks it:
/// customers as `POST /customers` (the rules, dictionary entries and owners by name, customer
/// protection against the database and against earlier rows of the file; needs
/// `customer.create`), contacts as `POST /customers/{id}/contacts` (the customer by its name
/// within the caller's scope, and no second contact of the same name and mobile on a customer;
/// needs `customer.update`), orders as `POST /orders` (one row per line, rows with the same
/// `合同号`/contract no. one order, which keeps the number — a customer's contract number is
/// taken once, so a contract imported twice is refused as `duplicate_contract`; a dry run makes every order and rolls it back, so it answers
/// what the run does; needs `order.create`, and `order.update` for rows with a signing date, which are
/// signed on that day). With `dry_run` the answer (200) lists every refused row and how many
/// would be created, and nothing is. Otherwise the answer (202) comes at once, the valid rows are
/// created in batches of 250, each one transaction, and `GET /imports/{id}` tells the progress.
/// 413 `file_too_large` over 20 MB; 422 `unreadable_file` for what is neither CSV nor XLSX,
/// `too_many_rows` over 50 000 rows, `missing_column` without a required column; 403 without the
/// kind's permission.
#[utoipa::path(
    tag = "imports",
    request_body(content = ImportUpload, content_type = "multipart/form-data"),
    responses(
        (status = 200, body = Import, description = "a dry run's outcome"),
        (status = 202, body = Import, description = "the import runs; read it with GET /imports/{id}"),
        (status = 403, description = "the kind's permission is missing"),
        (status = 413, description = "`file_too_large`"),
        (status = 422, description = "`unreadable_file`, `too_many_rows`, `missing_column`"),
    )
)]
#[post("/imports")]
async fn start_import(
    caller: Caller<Importer>,
    payload: Multipart,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    let idle = caller.state().body_timeout;
    let form = receive(payload, idle).await?;
    let kind = form.kind.ok_or_else(|| {
        ApiError::field(
            "kind",
            ErrorCode::Required,
            msg!(
                "请选择导入的内容（customers、contacts 或 orders）",
                "say what the file holds (customers, contacts or orders)"
            ),
        )
    })?;
    let (bytes, file_name) = form.file.ok_or_else(|| {
        ApiError::field(
            "file",
            ErrorCode::Required,
            msg!("请选择要导入的文件", "choose a file to import"),
        )
    })?;
    let dry_run = form.dry_run;
    let lang = language::of_request(&req, caller.state()).await;
    let table = web::block(move || read_table(&bytes))
        .await
        .map_err(ApiError::internal)??;
    let (import, valid) = caller
        .run(move |conn, actor| {
            let checked = imports::check(conn, actor, lang, kind, &table, dry_run)?;
            let import = imports::start(conn, actor, kind, &file_name, dry_run, &checked)?;
            Ok::<_, crm_db::RepoError>((import, checked.valid))
        })
        .await?;
    if dry_run {
        return Ok(HttpResponse::Ok().json(import));
    }
    let id = import.id;
    actix_web::rt::spawn(async move {
        let made = caller
            .run(move |conn, actor| create_or_fail(conn, actor, id, lang, valid))
            .await;
        if let Err(e) = made {
            tracing::error!(import = id, error = %e, "import stopped");
        }
    });
    Ok(HttpResponse::Accepted().json(import))
}

/// Creates the rows; an import that stops halfway is marked failed (its batches made stay).
fn create_or_fail(
    conn: &mut crm_db::DbConnection,
    actor: &crm_db::Actor,
    id: i64,
    lang: Lang,
    valid: Valid,
) -> Result<(), crm_db::RepoError> {
    let made = imports::create_all(conn, actor, id, lang, valid);
    if made.is_err() {
        imports::fail(conn, id)?;
    }
    made
}

/// An import of the caller's, while it runs and after; 404 for anyone else's.
#[utoipa::path(tag = "imports", params(("id" = i64, Path)), responses((status = 200, body = Import)))]
#[get("/imports/{id}")]
async fn get_import(caller: Caller, id: Path<i64>) -> ApiResult<Json<Import>> {
    let id = *id;
    caller
        .run(move |conn, actor| imports::get(conn, actor, id))
        .await
        .map(Json)
}

/// An XLSX template for a kind: the header row in the caller's language (either language is
/// read back) and one sample row.
#[utoipa::path(
    tag = "imports",
    params(ImportTemplateQuery),
    responses((status = 200, description = "the workbook", content(
        (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))))
)]
#[get("/imports/template")]
async fn import_template(
    caller: Caller<Importer>,
    q: Query<ImportTemplateQuery>,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    let lang = language::of_request(&req, caller.state()).await;
    let kind = q.kind;
    let sample = caller
        .run(move |conn, actor| sample_row(conn, actor, kind, lang))
        .await?;
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let failed = |e: rust_xlsxwriter::XlsxError| ApiError::internal(e.to_string());
    for (col, c) in kind.columns().iter().enumerate() {
        let col = col as u16;
        let title = Msg::pick(c.zh, c.en, lang);
        let title = if c.required {
            format!("{title}*")
        } else {
            title.to_string()
        };
        sheet
            .write_string_with_format(0, col, title, &bold)
            .map_err(failed)?;
        sheet.set_column_width(col, 18).map_err(failed)?;
        let value = sample.get(c.field).cloned().unwrap_or_default();
        sheet.write_string(1, col, value).map_err(failed)?;
    }
    let bytes = book.save_to_buffer().map_err(failed)?;
    Ok(HttpResponse::Ok()
        .content_type(crm_domain::api::XLSX_MEDIA_TYPE)
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{}-template.xlsx\"", kind.as_str()),
        ))
        .body(bytes))
}

/// A row that would import: for customers, the company's own first industry, region and source
/// and the caller as the owner; for contacts, a customer the caller sees.
fn sample_row(
    conn: &mut crm_db::DbConnection,
    actor: &crm_db::Actor,
    kind: ImportKind,
    lang: Lang,
) -> crm_db::RepoResult<std::collections::HashMap<&'static str, String>> {
    use crm_domain::api::DictionaryKind as K;
    let first = |conn: &mut crm_db::DbConnection, kind: K| -> crm_db::RepoResult<String> {
        Ok(crm_db::dictionaries::list(conn, kind, false)?
            .into_iter()
            .next()
            .map(|x| match (lang, x.name_en) {
                (Lang::En, Some(en)) => en,
                _ => x.name,
            })
            .unwrap_or_default())
    };
    let words = |zh: &'static str, en: &'static str| Msg::pick(zh, en, lang).to_string();
    let example = words(
        "济南示例网络科技有限公司",
        "Jinan Example Network Co., Ltd.",
    );
    let sample_note = words(
        "此行为示例，导入前请删除",
        "A sample row: delete it before importing",
    );
    // A customer the caller sees, for the kinds that name one.
    let newest_customer = |conn: &mut crm_db::DbConnection| -> crm_db::RepoResult<String> {
        let newest = crm_domain::api::CustomerQuery {
            limit: Some(1),
            ..Default::default()
        };
        Ok(crm_db::customers::list(conn, actor, &newest)?
            .items
            .into_iter()
            .next()
            .map_or_else(|| example.clone(), |c| c.name))
    };
    Ok(match kind {
        ImportKind::Customers => {
            let me = crm_db::users::get(conn, actor, actor.id)?;
            [
                ("name", example),
                ("short_name", words("示例网络", "Example Network")),
                ("type", words("客户", "Customer")),
                ("industry", first(conn, K::Industry)?),
                ("region", first(conn, K::Region)?),
                ("source", first(conn, K::CustomerSource)?),
                ("size", words("20-50 人", "20-50 staff")),
                ("phone", "0531-8000 0000".to_string()),
                ("website", "http://www.example.cn/".to_string()),
                (
                    "address",
                    words("济南市历下区示例路 1 号", "1 Example Road, Lixia, Jinan"),
                ),
                ("owner", me.username),
                ("notes", sample_note),
            ]
        }
        .into_iter()
        .collect(),
        ImportKind::Orders => {
            let customer = newest_customer(conn)?;
            let product = crm_db::products::list(conn, false)?.into_iter().next();
            let today = crm_db::settings::today(conn)?;
            let year_on = today
                .checked_add_months(chrono::Months::new(12))
                .and_then(|d| d.pred_opt())
                .unwrap_or(today);
            [
                ("contract_no", format!("HT-{}", today.format("%Y%m%d"))),
                ("customer", customer),
                (
                    "product",
                    product.as_ref().map(|p| p.code.clone()).unwrap_or_default(),
                ),
                ("quantity", "1".to_string()),
                (
                    "unit_price",
                    product
                        .map(|p| p.list_price.to_string())
                        .unwrap_or_default(),
                ),
                ("discount", "0.00".to_string()),
                ("service_start", today.to_string()),
                ("service_end", year_on.to_string()),
                ("signed_on", String::new()),
                ("owner", String::new()),
                ("notes", sample_note),
            ]
            .into_iter()
            .collect()
        }
        ImportKind::Contacts => {
            let customer = newest_customer(conn)?;
            [
                ("customer", customer),
                ("name", words("王经理", "Wang Li")),
                ("title", words("市场部经理", "Marketing manager")),
                ("mobile", "13800000000".to_string()),
                ("phone", "0531-8000 0001".to_string()),
                ("email", "wang@example.cn".to_string()),
                ("im", "wang_li".to_string()),
                ("birthday", "1980-05-20".to_string()),
                ("is_key", words("是", "yes")),
                ("notes", sample_note),
            ]
            .into_iter()
            .collect()
        }
    })
}

const MB: u64 = 1024 * 1024;

/// What an import's form held.
#[derive(Default)]
struct Form {
    kind: Option<ImportKind>,
    dry_run: bool,
    file: Option<(Vec<u8>, String)>,
}

async fn receive(mut payload: Multipart, idle: Duration) -> ApiResult<Form> {
    let mut form = Form::default();
    while let Some(field) = next(&mut payload, idle).await? {
        let mut field = field;
        let name = field.name().unwrap_or_default().to_string();
        match name.as_str() {
            "file" => {
                if form.file.is_some() {
                    return Err(ApiError::field(
                        "file",
                        ErrorCode::Invalid,
                        msg!("一次只能导入一个文件", "import one file at a time"),
                    ));
                }
                let file_name = file_name(&field)?;
                let mut bytes = Vec::new();
                while let Some(chunk) = next(&mut field, idle).await? {
                    if (bytes.len() + chunk.len()) as u64 > IMPORT_MAX_MB * MB {
                        return Err(ApiError::FileTooLarge {
                            limit_mb: IMPORT_MAX_MB,
                        });
                    }
                    bytes.extend_from_slice(&chunk);
                }
                form.file = Some((bytes, file_name));
            }
            "kind" => {
                let value = text(&mut field, &name, idle).await?;
                form.kind = Some(ImportKind::parse(value.trim()).ok_or_else(|| {
                    ApiError::field(
                        "kind",
                        ErrorCode::OneOf,
                        msg!(
                            "kind 须是 customers、contacts 或 orders，而不是“{value}”",
                            "kind must be customers, contacts or orders, not “{value}”"
                        ),
                    )
                })?);
            }
            "dry_run" => {
                let value = text(&mut field, &name, idle).await?;
                form.dry_run = match value.trim() {
                    "true" | "1" | "on" => true,
                    "false" | "0" | "" => false,
                    _ => {
                        return Err(ApiError::field(
                            "dry_run",
                            ErrorCode::Invalid,
                            msg!(
                                "dry_run 须是 true 或 false",
                                "dry_run must be true or false"
                            ),
                        ));
                    }
                };
            }
            _ => {
                return Err(ApiError::field(
                    &name,
                    ErrorCode::Invalid,
                    msg!("未知的表单字段", "not a field of this form"),
                ));
            }
        }
    }
    Ok(form)
}

fn unreadable(why: Msg) -> ApiError {
    ApiError::Unprocessable {
        code: ErrorCode::UnreadableFile,
        detail: why,
    }
}

/// The cells of a file: an XLSX workbook's first sheet, or CSV in UTF-8 (a byte-order mark
/// allowed) or GB18030. 422 `unreadable_file` for anything else, `too_many_rows` past the limit.
pub fn read_table(bytes: &[u8]) -> ApiResult<Table> {
    let mut rows = if bytes.starts_with(b"PK\x03\x04") {
        read_xlsx(bytes)?
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(unreadable(msg!(
            "这是旧版 Excel（.xls）文件：请另存为 .xlsx 或 CSV 再导入",
            "this is an old Excel (.xls) file: save it as .xlsx or CSV and import that"
        )));
    } else {
        read_csv(&decode(bytes)?)?
    };
    // Trailing empty rows (a sheet's formatting often reaches past its data) are not rows.
    while rows
        .last()
        .is_some_and(|r| r.iter().all(|c| c.trim().is_empty()))
    {
        rows.pop();
    }
    if rows.is_empty() {
        return Err(unreadable(msg!(
            "文件是空的：第 1 行须是列名",
            "the file is empty: row 1 must name the columns"
        )));
    }
    let header = rows.remove(0);
    if rows.len() > IMPORT_MAX_ROWS {
        let n = rows.len();
        return Err(ApiError::Unprocessable {
            code: ErrorCode::TooManyRows,
            detail: msg!(
                "文件有 {n} 行数据，一次最多导入 {IMPORT_MAX_ROWS} 行：请分成几个文件",
                "the file has {n} data rows; an import takes at most {IMPORT_MAX_ROWS}: split it"
            ),
        });
    }
    Ok(Table { header, rows })
}

/// Text of a CSV file: UTF-8 (its byte-order mark dropped), else GB18030 (GBK), which Chinese
/// Excel writes; neither is 422.
fn decode(bytes: &[u8]) -> ApiResult<String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text.to_string(),
        Err(_) => encoding_rs::GB18030
            .decode_without_bom_handling_and_without_replacement(bytes)
            .map(|t| t.into_owned())
            .ok_or_else(|| {
                unreadable(msg!(
                    "读不出这个文件：它不是 UTF-8 或 GB18030 编码的 CSV，也不是 XLSX",
                    "this file cannot be read: it is neither CSV in UTF-8 or GB18030 nor XLSX"
                ))
            })?,
    };
    // Text has no NUL: a binary file that happens to decode is still not a table.
    if text.contains('\0') {
        return Err(unreadable(msg!(
            "这不是 CSV 文本文件，也不是 XLSX",
            "this is neither a CSV text file nor XLSX"
        )));
    }
    Ok(text)
}

fn read_csv(text: &str) -> ApiResult<Vec<Vec<String>>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            unreadable(msg!(
                "CSV 第 {line} 行格式不对",
                "line {line} of the CSV is malformed"
            ))
        })?;
        rows.push(record.iter().map(str::to_string).collect());
        if rows.len() > IMPORT_MAX_ROWS + 1 {
            break;
        }
    }
    Ok(rows)
}

fn read_xlsx(bytes: &[u8]) -> ApiResult<Vec<Vec<String>>> {
    let broken = || {
        unreadable(msg!(
            "这个 XLSX 文件已损坏，读不出来",
            "this XLSX file is broken and cannot be read"
        ))
    };
    let mut book: Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).map_err(|_| broken())?;
    let sheet = book
        .worksheet_range_at(0)
        .ok_or_else(broken)?
        .map_err(|_| broken())?;
    // Formulas come as the values Excel saved with them.
    Ok(sheet
        .rows()
        .take(IMPORT_MAX_ROWS + 2)
        .map(|r| r.iter().map(cell_text).collect())
        .collect())
}

/// A cell as the text a person typed: whole numbers without `.0` (phone numbers typed as
/// numbers), dates as `YYYY-MM-DD`.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(n) => n.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => match d.as_datetime() {
            Some(t) if t.time() == chrono::NaiveTime::MIN => t.date().to_string(),
            Some(t) => t.format("%Y-%m-%d %H:%M").to_string(),
            None => d.to_string(),
        },
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_in_utf8_with_or_without_a_mark_and_in_gb18030_reads_alike() {
        let text = "客户名称,电话\n济南星河网络科技有限公司,0531-8888 6666\n";
        let (gbk, _, _) = encoding_rs::GB18030.encode(text);
        let mut marked = b"\xEF\xBB\xBF".to_vec();
        marked.extend_from_slice(text.as_bytes());
        for bytes in [text.as_bytes().to_vec(), marked, gbk.into_owned()] {
            let t = read_table(&bytes).unwrap();
            assert_eq!(t.header, ["客户名称", "电话"]);
            assert_eq!(t.rows, [["济南星河网络科技有限公司", "0531-8888 6666"]]);
        }
    }

    #[test]
    fn what_is_not_a_table_is_unreadable() {
        let code = |bytes: &[u8]| match read_table(bytes) {
            Err(ApiError::Unprocessable { code, .. }) => code,
            other => panic!("{:?}", other.map(|t| t.header)),
        };
        assert_eq!(code(b""), ErrorCode::UnreadableFile);
        assert_eq!(code(b"PK\x03\x04 broken zip"), ErrorCode::UnreadableFile);
        assert_eq!(
            code(&[0xD0, 0xCF, 0x11, 0xE0, 0, 0]),
            ErrorCode::UnreadableFile
        );
        assert_eq!(
            code(&[0xFF, 0xFE, 0x00, 0x41, 0x00, 0xFF]),
            ErrorCode::UnreadableFile
        );
        let mut many = String::from("name\n");
        for i in 0..=IMPORT_MAX_ROWS {
            many.push_str(&format!("客户{i}\n"));
        }
        assert_eq!(code(many.as_bytes()), ErrorCode::TooManyRows);
    }

    #[test]
    fn numbers_read_as_typed() {
        assert_eq!(cell_text(&Data::Float(13800000000.0)), "13800000000");
        assert_eq!(cell_text(&Data::Float(1.5)), "1.5");
        assert_eq!(cell_text(&Data::Int(7)), "7");
    }
}
