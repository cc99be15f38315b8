//! Exports (导出): every row of a list — customers, their contacts, orders, activities, receivables —
//! with the list's own filters, as CSV or an Excel workbook, for a caller holding `data.export` and
//! the list's read permission. The list functions themselves walk the pages, so an export holds
//! exactly what the caller could page through: the one visibility filter, nothing more.
//!
//! The file is streamed: pages are read one after another on one pooled connection and written out
//! as they come (CSV) or into the workbook's temporary sheet files (XLSX, `rust_xlsxwriter`'s
//! constant-memory mode), so memory stays flat however long the list. Whether it ran to the end or
//! the reader went away, the audit log records who exported what and how many rows.

use super::prelude::*;
use crate::error::ApiError;
use crate::extract::ExportQuery;
use crate::language;
use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use crm_db::{Actor, DbConnection, RepoResult, audit, dictionaries, names, settings};
use crm_domain::api::{
    ActivityQuery, Customer, CustomerQuery, DictionaryKind, ExportFormat, ExportKind, ExportParams,
    OrderQuery, ReceivableQuery,
};
use crm_domain::paging::{MAX_LIMIT, PageParams};
use crm_domain::words::Word;
use crm_domain::{Lang, Money, Msg};
use rust_xlsxwriter::{Format, Workbook};
use serde::Serialize;
use std::collections::HashMap;
use std::io::Write;
use tokio::sync::{mpsc, oneshot};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(export_customers)
        .service(export_contacts)
        .service(export_orders)
        .service(export_activities)
        .service(export_receivables);
}

/// The customers of the list (its filters and order), one row each.
#[utoipa::path(
    tag = "exports",
    params(CustomerQuery, ExportParams),
    responses((status = 200, description = "the file, streamed", content(
        (String = "text/csv"),
        (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))))
)]
#[get("/exports/customers")]
async fn export_customers(
    caller: Caller<need::Both<need::DataExport, need::CustomerRead>>,
    q: ExportQuery<CustomerQuery>,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    export::<Customers, _>(caller, q, req).await
}

/// The contacts of the customers the customer list's filters select, by customer.
#[utoipa::path(
    tag = "exports",
    params(CustomerQuery, ExportParams),
    responses((status = 200, description = "the file, streamed", content(
        (String = "text/csv"),
        (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))))
)]
#[get("/exports/contacts")]
async fn export_contacts(
    caller: Caller<need::Both<need::DataExport, need::CustomerRead>>,
    q: ExportQuery<CustomerQuery>,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    export::<Contacts, _>(caller, q, req).await
}

/// The orders of the order list, with their products.
#[utoipa::path(
    tag = "exports",
    params(OrderQuery, ExportParams),
    responses((status = 200, description = "the file, streamed", content(
        (String = "text/csv"),
        (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))))
)]
#[get("/exports/orders")]
async fn export_orders(
    caller: Caller<need::Both<need::DataExport, need::OrderRead>>,
    q: ExportQuery<OrderQuery>,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    export::<Orders, _>(caller, q, req).await
}

/// The activities (contacts logged) of the activity list.
#[utoipa::path(
    tag = "exports",
    params(ActivityQuery, ExportParams),
    responses((status = 200, description = "the file, streamed", content(
        (String = "text/csv"),
        (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))))
)]
#[get("/exports/activities")]
async fn export_activities(
    caller: Caller<need::Both<need::DataExport, need::ActivityRead>>,
    q: ExportQuery<ActivityQuery>,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    export::<Activities, _>(caller, q, req).await
}

/// The unpaid installments of the receivables list, with their aging.
#[utoipa::path(
    tag = "exports",
    params(ReceivableQuery, ExportParams),
    responses((status = 200, description = "the file, streamed", content(
        (String = "text/csv"),
        (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))))
)]
#[get("/exports/receivables")]
async fn export_receivables(
    caller: Caller<need::Both<need::DataExport, need::ReceiptRead>>,
    q: ExportQuery<ReceivableQuery>,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    export::<Receivables, _>(caller, q, req).await
}

/// One cell of an exported row.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell {
    Text(String),
    Int(i64),
    Money(Money),
    /// A decimal with one place (an average of counts, a score).
    Decimal(String),
    Date(NaiveDate),
    /// On the company's clock.
    Time(NaiveDateTime),
    Empty,
}

impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::Text(s)
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::Text(s.to_string())
    }
}

impl<T: Into<Cell>> From<Option<T>> for Cell {
    fn from(v: Option<T>) -> Cell {
        v.map_or(Cell::Empty, Into::into)
    }
}

impl From<Money> for Cell {
    fn from(m: Money) -> Cell {
        Cell::Money(m)
    }
}

impl From<NaiveDate> for Cell {
    fn from(d: NaiveDate) -> Cell {
        Cell::Date(d)
    }
}

/// What every kind of export shares: the reader's language, the company's clock, dictionary
/// entries' names (loaded once, not per page).
struct Context {
    lang: Lang,
    zone: chrono_tz::Tz,
    entries: HashMap<i64, (String, Option<String>)>,
}

impl Context {
    fn load(conn: &mut DbConnection, lang: Lang, kinds: &[DictionaryKind]) -> RepoResult<Self> {
        let mut entries = HashMap::new();
        for kind in kinds {
            for x in dictionaries::list(conn, *kind, true)? {
                entries.insert(x.id, (x.name, x.name_en));
            }
        }
        Ok(Context {
            lang,
            zone: settings::zone(conn)?,
            entries,
        })
    }

    fn time(&self, at: DateTime<Utc>) -> Cell {
        Cell::Time(at.with_timezone(&self.zone).naive_local())
    }

    /// A dictionary entry's name in the reader's language (Chinese when it has no English one).
    fn entry(&self, id: Option<i64>) -> Cell {
        let Some((zh, en)) = id.and_then(|id| self.entries.get(&id)) else {
            return Cell::Empty;
        };
        match (self.lang, en) {
            (Lang::En, Some(en)) => Cell::Text(en.clone()),
            _ => Cell::Text(zh.clone()),
        }
    }

    fn word(&self, w: impl Word) -> Cell {
        Cell::Text(w.word(self.lang).to_string())
    }

    fn yes_no(&self, yes: bool) -> Cell {
        let (zh, en) = if yes { ("是", "Yes") } else { ("否", "No") };
        Cell::Text(Msg::pick(zh, en, self.lang).to_string())
    }

    fn header(&self, columns: &[(&'static str, &'static str)]) -> Vec<String> {
        columns
            .iter()
            .map(|(zh, en)| Msg::pick(zh, en, self.lang).to_string())
            .collect()
    }
}

/// A kind of export: its list's query, its columns, and one page of the list as rows.
trait Sheet: Sized + Send + 'static {
    type Query: PageParams + Serialize + Send + 'static;
    const KIND: ExportKind;
    /// Headers as `(中文, English)`.
    const COLUMNS: &'static [(&'static str, &'static str)];

    fn start(conn: &mut DbConnection, lang: Lang) -> RepoResult<Self>;
    fn context(&self) -> &Context;
    /// Appends the rows of the page `q` asks for; answers the next page's cursor.
    fn page(
        &mut self,
        conn: &mut DbConnection,
        actor: &Actor,
        q: &Self::Query,
        rows: &mut Vec<Vec<Cell>>,
    ) -> RepoResult<Option<String>>;
}

struct Customers(Context);

const CUSTOMER_KINDS: &[DictionaryKind] = &[
    DictionaryKind::Industry,
    DictionaryKind::Region,
    DictionaryKind::CustomerSource,
];

impl Sheet for Customers {
    type Query = CustomerQuery;
    const KIND: ExportKind = ExportKind::Customers;
    const COLUMNS: &'static [(&'static str, &'static str)] = &[
        ("编号", "ID"),
        ("客户名称", "Name"),
        ("简称", "Short name"),
        ("类型", "Type"),
        ("级别", "Level"),
        ("等级", "Grade"),
        ("行业", "Industry"),
        ("地区", "Region"),
        ("来源", "Source"),
        ("电话", "Phone"),
        ("网址", "Website"),
        ("地址", "Address"),
        ("负责人", "Owner"),
        ("部门", "Department"),
        ("审核", "Review"),
        ("签约金额", "Signed total"),
        ("最近联系", "Last contact"),
        ("创建时间", "Created"),
        ("备注", "Notes"),
    ];

    fn start(conn: &mut DbConnection, lang: Lang) -> RepoResult<Self> {
        Context::load(conn, lang, CUSTOMER_KINDS).map(Customers)
    }

    fn context(&self) -> &Context {
        &self.0
    }

    fn page(
        &mut self,
        conn: &mut DbConnection,
        actor: &Actor,
        q: &CustomerQuery,
        rows: &mut Vec<Vec<Cell>>,
    ) -> RepoResult<Option<String>> {
        let page = crm_db::customers::list(conn, actor, q)?;
        let x = &self.0;
        rows.extend(page.items.into_iter().map(|c| {
            vec![
                Cell::Int(c.id),
                c.name.into(),
                c.short_name.into(),
                x.word(c.type_),
                x.word(c.level),
                c.grade.map_or(Cell::Empty, |g| Cell::Int(g.into())),
                x.entry(c.industry_id),
                x.entry(c.region_id),
                x.entry(c.source_id),
                c.phone.into(),
                c.website.into(),
                c.address.into(),
                c.owner.name.into(),
                c.department.name.into(),
                x.word(c.review_status),
                c.signed_total.into(),
                c.last_contact_at.map_or(Cell::Empty, |t| x.time(t)),
                x.time(c.created_at),
                c.notes.into(),
            ]
        }));
        Ok(page.next_cursor)
    }
}

struct Contacts(Context);

impl Sheet for Contacts {
    type Query = CustomerQuery;
    const KIND: ExportKind = ExportKind::Contacts;
    const COLUMNS: &'static [(&'static str, &'static str)] = &[
        ("客户编号", "Customer ID"),
        ("客户名称", "Customer"),
        ("姓名", "Name"),
        ("职务", "Title"),
        ("手机", "Mobile"),
        ("电话", "Phone"),
        ("邮箱", "Email"),
        ("QQ/微信", "IM"),
        ("生日", "Birthday"),
        ("关键联系人", "Key contact"),
        ("客户负责人", "Customer owner"),
        ("备注", "Notes"),
    ];

    fn start(conn: &mut DbConnection, lang: Lang) -> RepoResult<Self> {
        Context::load(conn, lang, &[]).map(Contacts)
    }

    fn context(&self) -> &Context {
        &self.0
    }

    fn page(
        &mut self,
        conn: &mut DbConnection,
        actor: &Actor,
        q: &CustomerQuery,
        rows: &mut Vec<Vec<Cell>>,
    ) -> RepoResult<Option<String>> {
        let page = crm_db::customers::list(conn, actor, q)?;
        let ids: Vec<i64> = page.items.iter().map(|c| c.id).collect();
        let of: HashMap<i64, &Customer> = page.items.iter().map(|c| (c.id, c)).collect();
        let x = &self.0;
        for p in crm_db::customers::contacts_of_many(conn, actor, &ids)? {
            let Some(c) = of.get(&p.customer_id) else {
                continue;
            };
            rows.push(vec![
                Cell::Int(c.id),
                c.name.as_str().into(),
                p.name.into(),
                p.title.into(),
                p.mobile.into(),
                p.phone.into(),
                p.email.into(),
                p.im.into(),
                p.birthday.into(),
                x.yes_no(p.is_key),
                c.owner.name.as_str().into(),
                p.notes.into(),
            ]);
        }
        Ok(page.next_cursor)
    }
}

struct Orders(Context);

impl Sheet for Orders {
    type Query = OrderQuery;
    const KIND: ExportKind = ExportKind::Orders;
    const COLUMNS: &'static [(&'static str, &'static str)] = &[
        ("订单号", "Number"),
        ("合同号", "Contract no."),
        ("客户", "Customer"),
        ("负责人", "Owner"),
        ("部门", "Department"),
        ("状态", "Status"),
        ("签约日期", "Signed on"),
        ("服务开始", "Service start"),
        ("服务结束", "Service end"),
        ("金额", "Total"),
        ("已收", "Received"),
        ("未收", "Outstanding"),
        ("产品", "Products"),
        ("备注", "Notes"),
        ("创建时间", "Created"),
    ];

    fn start(conn: &mut DbConnection, lang: Lang) -> RepoResult<Self> {
        Context::load(conn, lang, &[]).map(Orders)
    }

    fn context(&self) -> &Context {
        &self.0
    }

    fn page(
        &mut self,
        conn: &mut DbConnection,
        actor: &Actor,
        q: &OrderQuery,
        rows: &mut Vec<Vec<Cell>>,
    ) -> RepoResult<Option<String>> {
        let mut page = crm_db::orders::list(conn, actor, q)?;
        crm_db::orders::fill_lines(conn, &mut page.items)?;
        let x = &self.0;
        rows.extend(page.items.into_iter().map(|o| {
            let products = o
                .lines
                .iter()
                .map(|l| format!("{} × {}", l.product.name, l.quantity))
                .collect::<Vec<_>>()
                .join("; ");
            vec![
                o.number.into(),
                o.contract_no.into(),
                o.customer.name.into(),
                o.owner.name.into(),
                o.department.name.into(),
                x.word(o.status),
                o.signed_on.into(),
                o.service_start.into(),
                o.service_end.into(),
                o.total.into(),
                o.received.into(),
                o.outstanding.into(),
                products.into(),
                o.notes.into(),
                x.time(o.created_at),
            ]
        }));
        Ok(page.next_cursor)
    }
}

struct Activities(Context);

impl Sheet for Activities {
    type Query = ActivityQuery;
    const KIND: ExportKind = ExportKind::Activities;
    const COLUMNS: &'static [(&'static str, &'static str)] = &[
        ("时间", "When"),
        ("客户", "Customer"),
        ("方式", "Type"),
        ("联系人", "Contact"),
        ("记录人", "Logged by"),
        ("内容", "Summary"),
        ("结果", "Outcome"),
        ("下一步日期", "Next step on"),
        ("下一步", "Next step"),
    ];

    fn start(conn: &mut DbConnection, lang: Lang) -> RepoResult<Self> {
        Context::load(conn, lang, &[DictionaryKind::ActivityType]).map(Activities)
    }

    fn context(&self) -> &Context {
        &self.0
    }

    fn page(
        &mut self,
        conn: &mut DbConnection,
        actor: &Actor,
        q: &ActivityQuery,
        rows: &mut Vec<Vec<Cell>>,
    ) -> RepoResult<Option<String>> {
        let page = crm_db::activities::list(conn, actor, q)?;
        let contacts = names::contacts(conn, page.items.iter().filter_map(|a| a.contact_id))?;
        let x = &self.0;
        rows.extend(page.items.into_iter().map(|a| {
            vec![
                x.time(a.occurred_at),
                a.customer.name.into(),
                x.entry(Some(a.type_id)),
                a.contact_id
                    .and_then(|id| contacts.get(id))
                    .map(String::as_str)
                    .into(),
                a.owner.name.into(),
                a.summary.into(),
                a.outcome.into(),
                a.next_step_on.into(),
                a.next_step_note.into(),
            ]
        }));
        Ok(page.next_cursor)
    }
}

struct Receivables(Context);

impl Sheet for Receivables {
    type Query = ReceivableQuery;
    const KIND: ExportKind = ExportKind::Receivables;
    const COLUMNS: &'static [(&'static str, &'static str)] = &[
        ("订单号", "Order"),
        ("客户", "Customer"),
        ("负责人", "Owner"),
        ("部门", "Department"),
        ("到期日", "Due date"),
        ("应收", "Amount"),
        ("已收", "Received"),
        ("未收", "Outstanding"),
        ("逾期天数", "Days overdue"),
        ("账龄", "Aging"),
    ];

    fn start(conn: &mut DbConnection, lang: Lang) -> RepoResult<Self> {
        Context::load(conn, lang, &[]).map(Receivables)
    }

    fn context(&self) -> &Context {
        &self.0
    }

    fn page(
        &mut self,
        conn: &mut DbConnection,
        actor: &Actor,
        q: &ReceivableQuery,
        rows: &mut Vec<Vec<Cell>>,
    ) -> RepoResult<Option<String>> {
        let page = crm_db::receivables::list(conn, actor, q)?;
        let x = &self.0;
        rows.extend(page.items.into_iter().map(|r| {
            vec![
                r.order.name.into(),
                r.customer.name.into(),
                r.owner.name.into(),
                r.department.name.into(),
                r.due_date.into(),
                r.amount.into(),
                r.received.into(),
                r.outstanding.into(),
                Cell::Int(r.days_overdue),
                x.word(r.bucket),
            ]
        }));
        Ok(page.next_cursor)
    }
}

/// Starts the export on the blocking pool and answers as soon as its first page is read: a
/// refused filter (a customer of another list, a stale cursor, …) is still a problem with its
/// status; after that the file streams.
async fn export<S: Sheet, R: 'static>(
    caller: Caller<R>,
    q: ExportQuery<S::Query>,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    let lang = language::of_request(&req, caller.state()).await;
    let ExportQuery { filters, format } = q;
    let (chunks, body) = mpsc::channel::<Bytes>(8);
    let (started, first) = oneshot::channel::<ApiResult<String>>();
    actix_web::rt::spawn(async move {
        let done = caller
            .run(move |conn, actor| run::<S>(conn, actor, filters, format, lang, chunks, started))
            .await;
        if let Err(e) = done {
            tracing::warn!(kind = S::KIND.as_str(), error = %e, "export ended early");
        }
    });
    let today = match first.await {
        Ok(Ok(today)) => today,
        Ok(Err(e)) => return Err(e),
        Err(_) => {
            return Err(ApiError::internal(
                "the export stopped before its first page",
            ));
        }
    };
    let stream = futures_util::stream::unfold(body, |mut body| async move {
        body.recv()
            .await
            .map(|chunk| (Ok::<_, actix_web::Error>(chunk), body))
    });
    Ok(HttpResponse::Ok()
        .content_type(format.media_type())
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!(
                "attachment; filename=\"{}-{today}.{}\"",
                S::KIND.as_str(),
                format.as_str()
            ),
        ))
        .streaming(stream))
}

/// Rows per XLSX sheet (Excel's limit is 1 048 576 with the header).
const SHEET_ROWS: u32 = 1_000_000;
/// Bytes gathered before a chunk is sent.
const CHUNK: usize = 64 * 1024;

/// The export itself, on one pooled connection: the first page (its outcome reported through
/// `started`), then the rest, written out as they come; then the audit entry, also when the
/// reader went away.
fn run<S: Sheet>(
    conn: &mut DbConnection,
    actor: &Actor,
    mut q: S::Query,
    format: ExportFormat,
    lang: Lang,
    chunks: mpsc::Sender<Bytes>,
    started: oneshot::Sender<ApiResult<String>>,
) -> ApiResult<()> {
    let filters = serde_json::to_value(&q).unwrap_or_default();
    let mut rows = Vec::new();
    q.set_page(MAX_LIMIT, None);
    let first = S::start(conn, lang).and_then(|mut sheet| {
        let next = sheet.page(conn, actor, &q, &mut rows)?;
        let today = Utc::now()
            .with_timezone(&sheet.context().zone)
            .format("%Y%m%d")
            .to_string();
        Ok((sheet, next, today))
    });
    let (mut sheet, mut next, today) = match first {
        Ok(x) => x,
        Err(e) => {
            let _ = started.send(Err(e.into()));
            return Ok(());
        }
    };
    if started.send(Ok(today)).is_err() {
        return Ok(());
    }
    let header = sheet.context().header(S::COLUMNS);
    let mut count: u64 = 0;
    let written = (|| -> ApiResult<()> {
        let mut out = Out::new(format, header, Chunks::new(chunks))?;
        loop {
            for row in rows.drain(..) {
                out.row(row)?;
                count += 1;
            }
            let Some(cursor) = next.take() else { break };
            q.set_page(MAX_LIMIT, Some(cursor));
            next = sheet.page(conn, actor, &q, &mut rows)?;
        }
        out.finish().map(drop)
    })();
    audit::record(
        conn,
        actor,
        "export",
        "export",
        None,
        serde_json::json!({
            "kind": S::KIND.as_str(),
            "format": format.as_str(),
            "filters": strip_page(filters),
            "rows": count,
            "complete": written.is_ok(),
        }),
    )
    .map_err(|e| ApiError::from(crm_db::RepoError::from(e)))?;
    written
}

/// The filters as the caller gave them, without the paging the export did itself.
fn strip_page(mut filters: serde_json::Value) -> serde_json::Value {
    if let Some(map) = filters.as_object_mut() {
        map.retain(|k, v| !v.is_null() && k != "limit" && k != "cursor");
    }
    filters
}

/// Bytes on their way to the reader, sent in chunks; an error once the reader has gone.
struct Chunks {
    to: mpsc::Sender<Bytes>,
    buf: Vec<u8>,
}

impl Chunks {
    fn new(to: mpsc::Sender<Bytes>) -> Self {
        Chunks {
            to,
            buf: Vec::with_capacity(CHUNK),
        }
    }
}

impl Write for Chunks {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.flush()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK)));
        self.to
            .blocking_send(chunk)
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "the reader left"))
    }
}

/// The file being written.
pub(crate) enum Out<W: Write + Send> {
    Csv(Box<csv::Writer<W>>),
    Xlsx(Box<Xlsx<W>>),
}

pub(crate) struct Xlsx<W: Write + Send> {
    book: Workbook,
    header: Vec<String>,
    /// The sheet being written and how many there are.
    sheet: usize,
    sheets: usize,
    row: u32,
    to: W,
    bold: Format,
    date: Format,
    time: Format,
    money: Format,
    decimal: Format,
}

fn failed(e: impl std::fmt::Display) -> ApiError {
    ApiError::internal(format!("export: {e}"))
}

impl<W: Write + Send> Out<W> {
    pub(crate) fn new(format: ExportFormat, header: Vec<String>, to: W) -> ApiResult<Self> {
        match format {
            ExportFormat::Csv => {
                let mut to = to;
                // A byte-order mark: Excel reads a CSV as UTF-8 (Chinese) by it.
                to.write_all(b"\xEF\xBB\xBF").map_err(failed)?;
                let mut w = csv::Writer::from_writer(to);
                w.write_record(&header).map_err(failed)?;
                Ok(Out::Csv(Box::new(w)))
            }
            ExportFormat::Xlsx => {
                let mut book = Workbook::new();
                book.use_zip_large_file(true);
                let mut x = Xlsx {
                    book,
                    header,
                    sheet: 0,
                    sheets: 0,
                    row: 0,
                    to,
                    bold: Format::new().set_bold(),
                    date: Format::new().set_num_format("yyyy-mm-dd"),
                    time: Format::new().set_num_format("yyyy-mm-dd hh:mm"),
                    money: Format::new().set_num_format("#,##0.00"),
                    decimal: Format::new().set_num_format("0.0"),
                };
                x.new_sheet()?;
                Ok(Out::Xlsx(Box::new(x)))
            }
        }
    }

    pub(crate) fn row(&mut self, cells: Vec<Cell>) -> ApiResult<()> {
        match self {
            Out::Csv(w) => {
                let text = cells.into_iter().map(|c| match c {
                    Cell::Text(s) => safe_cell(&s),
                    Cell::Int(n) => n.to_string(),
                    Cell::Money(m) => m.to_string(),
                    Cell::Decimal(d) => d,
                    Cell::Date(d) => d.to_string(),
                    Cell::Time(t) => t.format("%Y-%m-%d %H:%M").to_string(),
                    Cell::Empty => String::new(),
                });
                w.write_record(text).map_err(failed)
            }
            Out::Xlsx(x) => x.row(cells),
        }
    }

    pub(crate) fn finish(self) -> ApiResult<W> {
        match self {
            Out::Csv(w) => {
                let mut to = (*w).into_inner().map_err(failed)?;
                to.flush().map_err(failed)?;
                Ok(to)
            }
            Out::Xlsx(x) => {
                let Xlsx {
                    mut book, mut to, ..
                } = *x;
                book.save_to_writer(&mut to).map_err(failed)?;
                to.flush().map_err(failed)?;
                Ok(to)
            }
        }
    }
}

impl<W: Write + Send> Xlsx<W> {
    fn new_sheet(&mut self) -> ApiResult<()> {
        let ws = self
            .book
            .add_worksheet_with_constant_memory()
            .map_err(failed)?;
        self.sheet = self.sheets;
        self.sheets += 1;
        let columns = self.header.len() as u16;
        ws.set_column_range_width(0, columns.saturating_sub(1), 16.0)
            .map_err(failed)?;
        ws.set_freeze_panes(1, 0).map_err(failed)?;
        for (col, title) in self.header.iter().enumerate() {
            ws.write_string_with_format(0, col as u16, title, &self.bold)
                .map_err(failed)?;
        }
        self.row = 0;
        Ok(())
    }

    fn row(&mut self, cells: Vec<Cell>) -> ApiResult<()> {
        if self.row == SHEET_ROWS {
            self.new_sheet()?;
        }
        self.row += 1;
        let row = self.row;
        let ws = self.book.worksheet_from_index(self.sheet).map_err(failed)?;
        for (col, cell) in cells.into_iter().enumerate() {
            let col = col as u16;
            match cell {
                // Written as a string, never as a formula, whatever it starts with.
                Cell::Text(s) => ws.write_string(row, col, s),
                Cell::Int(n) => ws.write_number(row, col, n as f64),
                // The decimal as Excel would read it typed in: a number to sum and sort.
                Cell::Money(m) => ws.write_number_with_format(
                    row,
                    col,
                    m.to_string().parse::<f64>().unwrap_or_default(),
                    &self.money,
                ),
                Cell::Decimal(d) => ws.write_number_with_format(
                    row,
                    col,
                    d.parse::<f64>().unwrap_or_default(),
                    &self.decimal,
                ),
                Cell::Date(d) => ws.write_date_with_format(row, col, d, &self.date),
                Cell::Time(t) => ws.write_datetime_with_format(row, col, t, &self.time),
                Cell::Empty => continue,
            }
            .map_err(failed)?;
        }
        Ok(())
    }
}

/// A cell a spreadsheet program would take for a formula (`=`, `+`, `-`, `@`, tab, return) is
/// written with a leading apostrophe, so that opening a CSV runs nothing (CSV injection).
pub fn safe_cell(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::{ExportFormat, safe_cell, strip_page};

    #[test]
    fn formulas_are_written_as_text() {
        assert_eq!(safe_cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(safe_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(safe_cell("-1+2"), "'-1+2");
        assert_eq!(safe_cell("\tcmd"), "'\tcmd");
        assert_eq!(safe_cell("青岛海鲜"), "青岛海鲜");
    }

    #[test]
    fn the_audit_keeps_the_filters_not_the_paging() {
        let kept = strip_page(serde_json::json!({
            "level": "lead", "q": null, "limit": 200, "cursor": "abc"
        }));
        assert_eq!(kept, serde_json::json!({"level": "lead"}));
        assert_eq!(ExportFormat::default(), ExportFormat::Csv);
    }
}
