//! Decision support (决策支持): the general manager's dashboard and the reports of the engine
//! (customers, sales, receipts) — a filter bar, a chart, the table with its totals, a drill-down,
//! and the download as Excel or CSV.

use crate::api::use_api;
use crate::components::chart::{self, Chart};
use crate::components::{ErrorLine, local_today, money, save_bytes};
use crate::format::{I18n, lang};
use crate::i18n::*;
use chrono::{Datelike, Months, NaiveDate};
use crm_domain::Lang;
use crm_domain::api::{
    Comparison, Dashboard, DictionaryKind, Dimension, ExportFormat, Fact, GroupBy, ListQuery,
    MoneyComparison, OpportunityReportQuery, RenewalReport, Report, ReportFormat, ReportQuery,
    Scorecard, ScorecardQuery,
};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------------
// Periods

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Preset {
    ThisMonth,
    LastMonth,
    ThisQuarter,
    ThisYear,
    Custom,
}

impl Preset {
    const ALL: [Preset; 5] = [
        Self::ThisMonth,
        Self::LastMonth,
        Self::ThisQuarter,
        Self::ThisYear,
        Self::Custom,
    ];

    fn as_str(self) -> &'static str {
        match self {
            Self::ThisMonth => "this_month",
            Self::LastMonth => "last_month",
            Self::ThisQuarter => "this_quarter",
            Self::ThisYear => "this_year",
            Self::Custom => "custom",
        }
    }

    /// The period on `today`'s calendar (`None`: the dates as typed).
    fn period(self, today: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
        let month = today.with_day(1)?;
        match self {
            Self::ThisMonth => Some((month, today)),
            Self::LastMonth => {
                let start = month.checked_sub_months(Months::new(1))?;
                Some((start, month.pred_opt()?))
            }
            Self::ThisQuarter => {
                let q = (today.month0() / 3) * 3 + 1;
                Some((NaiveDate::from_ymd_opt(today.year(), q, 1)?, today))
            }
            Self::ThisYear => Some((NaiveDate::from_ymd_opt(today.year(), 1, 1)?, today)),
            Self::Custom => None,
        }
    }
}

fn preset_words(i18n: I18n, p: Preset) -> &'static str {
    match p {
        Preset::ThisMonth => t_string!(i18n, rpt.this_month),
        Preset::LastMonth => t_string!(i18n, rpt.last_month),
        Preset::ThisQuarter => t_string!(i18n, rpt.this_quarter),
        Preset::ThisYear => t_string!(i18n, rpt.this_year),
        Preset::Custom => t_string!(i18n, rpt.custom),
    }
}

/// A report's period: a preset or dates typed. Without dates the server chooses this year on
/// the company's calendar, and its answer tells the page the company's today (which the
/// browser's clock may not share), from which the other presets count.
#[derive(Clone, Copy)]
struct Period {
    preset: RwSignal<Preset>,
    from: RwSignal<String>,
    to: RwSignal<String>,
    today: RwSignal<NaiveDate>,
    /// Nothing chosen yet: the query leaves the dates to the server.
    server_chooses: RwSignal<bool>,
}

impl Period {
    fn new(from: Option<String>, to: Option<String>) -> Period {
        let custom = from.is_some() || to.is_some();
        Period {
            preset: RwSignal::new(if custom {
                Preset::Custom
            } else {
                Preset::ThisYear
            }),
            from: RwSignal::new(from.unwrap_or_default()),
            to: RwSignal::new(to.unwrap_or_default()),
            today: RwSignal::new(local_today()),
            server_chooses: RwSignal::new(!custom),
        }
    }

    fn choose(self, p: Preset) {
        self.server_chooses.set(false);
        self.preset.set(p);
        if let Some((a, b)) = p.period(self.today.get_untracked()) {
            self.from.set(a.to_string());
            self.to.set(b.to_string());
        }
    }

    /// Dates typed: the query takes them from now on.
    fn typed(self) {
        self.preset.set(Preset::Custom);
        self.server_chooses.set(false);
    }

    /// Takes in an answer's period: while the server chooses, its end is the company's today,
    /// and the fields show what it chose (without asking again).
    fn learn(self, from: NaiveDate, to: NaiveDate) {
        if self.server_chooses.get_untracked() {
            self.today.set(to);
            self.from.set(from.to_string());
            self.to.set(to.to_string());
        }
    }

    fn dates(self) -> (Option<NaiveDate>, Option<NaiveDate>) {
        if self.server_chooses.get() {
            return (None, None);
        }
        (self.from.get().parse().ok(), self.to.get().parse().ok())
    }
}

/// The period's fields of a filter bar: the presets, then the dates.
#[component]
fn PeriodFields(period: Period) -> impl IntoView {
    let i18n = use_i18n();
    let Period {
        preset, from, to, ..
    } = period;
    view! {
        <label>{move || t_string!(i18n, rpt.period)}
            <select name="preset" on:change=move |ev| {
                let v = event_target_value(&ev);
                if let Some(p) = Preset::ALL.into_iter().find(|p| p.as_str() == v) { period.choose(p); }
            }>
                {Preset::ALL.into_iter().map(|p| view! { <option value=p.as_str() prop:selected=move || preset.get() == p>{move || preset_words(i18n, p)}</option> }).collect_view()}
            </select>
        </label>
        <label>{move || t_string!(i18n, rpt.from)}<input type="date" name="from" bind:value=from on:change=move |_| period.typed() /></label>
        <label>{move || t_string!(i18n, rpt.to)}<input type="date" name="to" bind:value=to on:change=move |_| period.typed() /></label>
    }
}

/// The departments for a filter (not the reserved ones).
fn department_options() -> LocalResource<Vec<(i64, String)>> {
    let api = use_api();
    LocalResource::new(move || async move {
        api.departments()
            .await
            .unwrap_or_default()
            .into_iter()
            .filter(|d| d.id > 0)
            .map(|d| (d.id, d.name))
            .collect::<Vec<_>>()
    })
}

fn dimension_words(i18n: I18n, d: Dimension) -> &'static str {
    match d {
        Dimension::Month => t_string!(i18n, rpt.dim.month),
        Dimension::Week => t_string!(i18n, rpt.dim.week),
        Dimension::Department => t_string!(i18n, rpt.dim.department),
        Dimension::Owner => t_string!(i18n, rpt.dim.owner),
        Dimension::Industry => t_string!(i18n, rpt.dim.industry),
        Dimension::Region => t_string!(i18n, rpt.dim.region),
        Dimension::Level => t_string!(i18n, rpt.dim.level),
        Dimension::Product => t_string!(i18n, rpt.dim.product),
        Dimension::Type => t_string!(i18n, rpt.dim.activity_type),
        Dimension::Source => t_string!(i18n, rpt.dim.source),
    }
}

// ---------------------------------------------------------------------------------------------
// The reports of the engine

/// Which report a page shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportKind {
    Customers,
    Sales,
    Receipts,
    /// The sales report by product first.
    Products,
}

impl ReportKind {
    fn name(self) -> &'static str {
        match self {
            Self::Customers => "customers",
            Self::Sales | Self::Products => "sales",
            Self::Receipts => "receipts",
        }
    }

    fn first_dimension(self) -> Dimension {
        match self {
            Self::Products => Dimension::Product,
            _ => Dimension::Month,
        }
    }

    fn fact(self) -> Fact {
        match self {
            Self::Customers => Fact::NewCustomers,
            Self::Sales | Self::Products => Fact::Sales,
            Self::Receipts => Fact::Receipts,
        }
    }
}

#[component]
pub fn CustomersReportPage() -> impl IntoView {
    view! { <ReportPage kind=ReportKind::Customers /> }
}

#[component]
pub fn SalesReportPage() -> impl IntoView {
    view! { <ReportPage kind=ReportKind::Sales /> }
}

#[component]
pub fn ReceiptsReportPage() -> impl IntoView {
    view! { <ReportPage kind=ReportKind::Receipts /> }
}

#[component]
pub fn ProductsReportPage() -> impl IntoView {
    view! { <ReportPage kind=ReportKind::Products /> }
}

/// A dictionary's entries for a filter, in the reader's language.
fn entries(kind: DictionaryKind) -> LocalResource<Vec<(i64, String)>> {
    let api = use_api();
    let i18n = use_i18n();
    LocalResource::new(move || async move {
        let en = lang(i18n) == Lang::En;
        api.dictionary(kind, &ListQuery::default())
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|x| {
                let name = match (en, x.name_en) {
                    (true, Some(n)) if !n.is_empty() => n,
                    _ => x.name,
                };
                (x.id, name)
            })
            .collect()
    })
}

/// A `<select>` of `(id, name)` with "all" first, bound to `value`.
#[component]
fn IdSelect(
    name: &'static str,
    label: Signal<&'static str>,
    value: RwSignal<Option<i64>>,
    #[prop(into)] options: Signal<Vec<(i64, String)>>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <label>{move || label.get()}
            <select name=name on:change=move |ev| value.set(event_target_value(&ev).parse().ok())>
                <option value="" prop:selected=move || value.get().is_none()>{move || t_string!(i18n, rpt.all)}</option>
                {move || options.get().into_iter().map(|(id, n)| view! {
                    <option value=id.to_string() prop:selected=move || value.get() == Some(id)>{n}</option>
                }).collect_view()}
            </select>
        </label>
    }
}

#[component]
fn ReportPage(kind: ReportKind) -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let navigate = use_navigate();
    let url = use_query_map();
    let fact = kind.fact();
    let param = |k: &str| url.with_untracked(|q| q.get(k));
    let id_param = move |k: &str| param(k).and_then(|v| v.parse::<i64>().ok());

    // The filters, first from the address (a drill-down, a shared link).
    let period = Period::new(param("from"), param("to"));
    let Period { from, to, .. } = period;
    let grouping: Option<GroupBy> = param("group_by").and_then(|g| g.parse().ok());
    let dim1 = RwSignal::new(
        grouping
            .as_ref()
            .and_then(|g| g.dims().first().copied())
            .unwrap_or(kind.first_dimension()),
    );
    let dim2 = RwSignal::new(grouping.as_ref().and_then(|g| g.dims().get(1).copied()));
    let department = RwSignal::new(id_param("department_id"));
    let owner = RwSignal::new(id_param("owner_id"));
    let industry = RwSignal::new(id_param("industry_id"));
    let region = RwSignal::new(id_param("region_id"));
    let product = RwSignal::new(id_param("product_id"));

    let query = move || {
        let mut dims = vec![dim1.get()];
        if let Some(d) = dim2.get().filter(|d| *d != dim1.get()) {
            dims.push(d);
        }
        let (from, to) = period.dates();
        ReportQuery {
            from,
            to,
            group_by: GroupBy::new(dims).ok(),
            department_id: department.get(),
            owner_id: owner.get(),
            industry_id: industry.get(),
            region_id: region.get(),
            product_id: product.get(),
            format: None,
        }
    };
    let report = LocalResource::new(move || {
        // Asked again in the other language: the server names groups and columns in the reader's.
        let _ = lang(i18n);
        let q = query();
        async move { api.report(kind.name(), &q).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(r)) = report.get() {
            period.learn(r.from, r.to);
        }
    });
    let departments = department_options();
    let industries = entries(DictionaryKind::Industry);
    let regions = entries(DictionaryKind::Region);
    let products = LocalResource::new(move || async move {
        if fact != Fact::Sales {
            return Vec::new();
        }
        api.products(&ListQuery::default())
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|p| (p.id, p.name))
            .collect::<Vec<_>>()
    });
    let dims = fact.dimensions();

    // Downloads: the same query as a workbook or a CSV.
    let downloads = Downloads::new();
    let error = downloads.error;
    let download = move |format: ReportFormat| {
        let q = query();
        downloads.start(period, kind.name(), format, async move {
            api.report_file(kind.name(), &q, format).await
        });
    };

    // A drill-down: a row's groups become filters. Sales open the orders behind them; the other
    // reports narrow themselves (by month when the row was a person or a department).
    let drill = move |keys: Vec<(Dimension, String)>| {
        let (mut a, mut b) = (from.get_untracked(), to.get_untracked());
        for (d, k) in &keys {
            if *d == Dimension::Month
                && let Ok(m) = NaiveDate::parse_from_str(&format!("{k}-01"), "%Y-%m-%d")
            {
                let last = m
                    .checked_add_months(Months::new(1))
                    .and_then(|n| n.pred_opt())
                    .unwrap_or(m);
                a = a.max(m.to_string());
                b = b.min(last.to_string());
            }
            if *d == Dimension::Week
                && let Ok(w) = k.parse::<NaiveDate>()
            {
                a = a.max(w.to_string());
                b = b.min((w + chrono::Days::new(6)).to_string());
            }
        }
        let listable = keys.iter().all(|(d, _)| {
            matches!(
                d,
                Dimension::Month | Dimension::Week | Dimension::Owner | Dimension::Department
            )
        });
        if fact == Fact::Sales && listable {
            let mut q = vec![format!("signed_from={a}"), format!("signed_to={b}")];
            for (d, k) in &keys {
                match d {
                    Dimension::Owner => q.push(format!("owner_id={k}")),
                    Dimension::Department => q.push(format!("department_id={k}")),
                    _ => {}
                }
            }
            if let Some(v) = owner.get_untracked() {
                q.push(format!("owner_id={v}"));
            }
            navigate(&format!("/orders?{}", q.join("&")), Default::default());
            return;
        }
        from.set(a);
        to.set(b);
        period.typed();
        for (d, k) in keys {
            let id = k.parse().ok();
            match d {
                Dimension::Owner => owner.set(id),
                Dimension::Department => department.set(id),
                Dimension::Industry => industry.set(id),
                Dimension::Region => region.set(id),
                Dimension::Product => product.set(id),
                _ => {}
            }
        }
        if dim1.get_untracked() != Dimension::Month {
            dim1.set(Dimension::Month);
        }
        dim2.set(None);
    };

    let en = move || lang(i18n) == Lang::En;
    let chart_of = move |r: &Report| -> Value { report_chart(r, en()) };
    let shown = Memo::new(move |_| report.get().and_then(Result::ok));
    let option = Signal::derive(move || shown.get().map(|r| chart_of(&r)).unwrap_or(Value::Null));
    let pick = {
        let drill = drill.clone();
        Callback::new(move |(series, index): (usize, usize)| {
            let Some(r) = shown.get_untracked() else {
                return;
            };
            if let Some(keys) = picked_keys(&r, series, index) {
                drill(keys);
            }
        })
    };
    let title = move || match kind {
        ReportKind::Customers => t_string!(i18n, rpt.customers),
        ReportKind::Sales => t_string!(i18n, rpt.sales),
        ReportKind::Receipts => t_string!(i18n, rpt.receipts),
        ReportKind::Products => t_string!(i18n, rpt.products),
    };
    let narrowed = move || owner.get().is_some();

    view! {
        <section class="card report" data-report=kind.name()>
            <div class="title-row">
                <h1>{title}</h1>
                <div class="actions">
                    <DownloadButtons downloads=downloads on=Callback::new(download) />
                </div>
            </div>
            <div class="inline-form report-filters">
                <PeriodFields period=period />
                <label>{move || t_string!(i18n, rpt.group_by)}
                    <select name="group_by" on:change=move |ev| {
                        let v = event_target_value(&ev);
                        if let Ok(d) = v.parse::<Dimension>() { dim1.set(d); }
                    }>
                        {dims.iter().copied().map(|d| view! { <option value=d.as_str() prop:selected=move || dim1.get() == d>{move || dimension_words(i18n, d)}</option> }).collect_view()}
                    </select>
                </label>
                <label>{move || t_string!(i18n, rpt.then_by)}
                    <select name="then_by" on:change=move |ev| dim2.set(event_target_value(&ev).parse::<Dimension>().ok())>
                        <option value="" prop:selected=move || dim2.get().is_none()>{move || t_string!(i18n, rpt.nothing)}</option>
                        {dims.iter().copied().map(|d| view! { <option value=d.as_str() prop:selected=move || dim2.get() == Some(d) disabled=move || dim1.get() == d>{move || dimension_words(i18n, d)}</option> }).collect_view()}
                    </select>
                </label>
                <IdSelect name="department_id" label=Signal::derive(move || t_string!(i18n, rpt.dim.department)) value=department options=Signal::derive(move || departments.get().unwrap_or_default()) />
                <Show when=move || dims.contains(&Dimension::Industry)>
                    <IdSelect name="industry_id" label=Signal::derive(move || t_string!(i18n, rpt.dim.industry)) value=industry options=Signal::derive(move || industries.get().unwrap_or_default()) />
                    <IdSelect name="region_id" label=Signal::derive(move || t_string!(i18n, rpt.dim.region)) value=region options=Signal::derive(move || regions.get().unwrap_or_default()) />
                </Show>
                <Show when=move || fact == Fact::Sales>
                    <IdSelect name="product_id" label=Signal::derive(move || t_string!(i18n, rpt.dim.product)) value=product options=Signal::derive(move || products.get().unwrap_or_default()) />
                </Show>
                <Show when=narrowed>
                    <button type="button" name="clear_owner" on:click=move |_| owner.set(None)>{move || t_string!(i18n, rpt.everyone)}</button>
                </Show>
            </div>
            <ErrorLine error=error />
            {move || report.get().map(|r| match r {
                Err(e) => view! { <p class="error" role="alert">{e.display()}</p> }.into_any(),
                Ok(r) => {
                    let drill = drill.clone();
                    let steps = r.funnel.clone().map(|steps| view! { <LevelFunnel steps=steps /> });
                    view! {
                        {steps}
                        <Chart option=option label=Signal::derive(move || title().to_string()) on_pick=pick />
                        <p class="muted hint">{move || if fact == Fact::Sales { t_string!(i18n, rpt.drill_orders) } else { t_string!(i18n, rpt.drill) }}</p>
                        <ReportGrid report=r on_row=Callback::new(drill) />
                    }.into_any()
                }
            })}
        </section>
    }
}

/// How far the period's new customers got: the funnel, the conversion from each level to the
/// next and the median days it took.
#[component]
fn LevelFunnel(steps: Vec<crm_domain::api::LevelStep>) -> impl IntoView {
    let i18n = use_i18n();
    let en = lang(i18n) == Lang::En;
    let option = chart::funnel(
        en,
        t_string!(i18n, rpt.level_funnel),
        &steps
            .iter()
            .map(|s| (s.name.clone(), json!(s.reached)))
            .collect::<Vec<_>>(),
    );
    let dash = |v: Option<String>, unit: &'static str| {
        v.map(|x| format!("{x}{unit}"))
            .unwrap_or_else(|| "—".into())
    };
    view! {
        <div class="charts">
            <figure>
                <figcaption>{move || t_string!(i18n, rpt.level_funnel)}</figcaption>
                <Chart option=Signal::stored(option) label=Signal::derive(move || t_string!(i18n, rpt.level_funnel).to_string()) />
            </figure>
            <figure class="span2">
                <figcaption>{move || t_string!(i18n, rpt.conversion)}</figcaption>
                <div class="table-scroll"><table class="grid level-funnel">
                    <thead><tr>
                        <th>{move || t_string!(i18n, rpt.dim.level)}</th>
                        <th class="num">{move || t_string!(i18n, rpt.reached)}</th>
                        <th class="num">{move || t_string!(i18n, rpt.conversion_rate)}</th>
                        <th class="num">{move || t_string!(i18n, rpt.median_days)}</th>
                    </tr></thead>
                    <tbody>{steps.into_iter().map(|s| view! {
                        <tr data-level=s.level.as_str()>
                            <td>{s.name}</td>
                            <td class="num" data-reached=s.reached.to_string()>{s.reached}</td>
                            <td class="num">{dash(s.conversion, "%")}</td>
                            <td class="num">{dash(s.median_days, "")}</td>
                        </tr>
                    }).collect_view()}</tbody>
                </table></div>
            </figure>
        </div>
    }
}

/// The keys of the row a chart element stands for.
fn picked_keys(r: &Report, series: usize, index: usize) -> Option<Vec<(Dimension, String)>> {
    let (cats, names) = split(r);
    let row = match r.group_by.len() {
        1 => r.rows.get(index)?,
        _ => {
            let c = cats.get(index)?;
            let s = names.get(series)?;
            r.rows
                .iter()
                .find(|x| x.labels.first() == Some(&c.1) && x.labels.get(1) == Some(&s.1))?
        }
    };
    Some(
        r.group_by
            .iter()
            .copied()
            .zip(row.keys.iter().cloned())
            .collect(),
    )
}

/// A group: its key and its name.
type Group = (String, String);

/// The first dimension's groups and the second's, in the rows' order.
fn split(r: &Report) -> (Vec<Group>, Vec<Group>) {
    let mut cats: Vec<Group> = Vec::new();
    let mut names: Vec<Group> = Vec::new();
    for row in &r.rows {
        let c = (row.keys[0].clone(), row.labels[0].clone());
        if !cats.contains(&c) {
            cats.push(c);
        }
        if let (Some(k), Some(l)) = (row.keys.get(1), row.labels.get(1)) {
            let s = (k.clone(), l.clone());
            if !names.contains(&s) {
                names.push(s);
            }
        }
    }
    (cats, names)
}

/// A report's chart: bars per group (the amount, or the count where there is none; the count
/// as a line beside the amount by month); two dimensions stack the second's groups.
fn report_chart(r: &Report, en: bool) -> Value {
    let value = |row: &crm_domain::api::ReportRow| match row.amount {
        Some(a) => chart::number(&a.to_string()),
        None => json!(row.count),
    };
    let label_of = |key: &str| {
        r.columns
            .iter()
            .find(|c| c.key == key)
            .map(|c| c.label.clone())
            .unwrap_or_default()
    };
    let measure = if r.totals.amount.is_some() {
        label_of("amount")
    } else {
        label_of("count")
    };
    let (cats, names) = split(r);
    let categories: Vec<String> = cats.iter().map(|c| c.1.clone()).collect();
    if r.group_by.len() == 1 {
        let data: Vec<Value> = r.rows.iter().map(value).collect();
        // Receipts: the plan beside what came in.
        if r.totals.planned.is_some() {
            let plan: Vec<Value> = r
                .rows
                .iter()
                .map(|x| chart::number(&x.planned.unwrap_or_default().to_string()))
                .collect();
            return chart::bars(
                en,
                &categories,
                &[(label_of("planned"), plan), (measure, data)],
                false,
                &[],
            );
        }
        let right = if r.totals.amount.is_some() && r.group_by[0] == Dimension::Month {
            vec![(
                label_of("count"),
                r.rows.iter().map(|x| json!(x.count)).collect(),
            )]
        } else {
            Vec::new()
        };
        return chart::bars(en, &categories, &[(measure, data)], false, &right);
    }
    let series: Vec<(String, Vec<Value>)> = names
        .iter()
        .map(|(_, s)| {
            let data = cats
                .iter()
                .map(|(_, c)| {
                    r.rows
                        .iter()
                        .find(|x| &x.labels[0] == c && x.labels.get(1) == Some(s))
                        .map(value)
                        .unwrap_or(json!(0))
                })
                .collect();
            (s.clone(), data)
        })
        .collect();
    chart::bars(en, &categories, &series, true, &[])
}

/// The report's table: a line per group, the totals at the foot; a row opens its drill-down.
#[component]
fn ReportGrid(report: Report, on_row: Callback<Vec<(Dimension, String)>>) -> impl IntoView {
    let i18n = use_i18n();
    let money_cell =
        move |m: Option<crm_domain::Money>| m.map(|m| money(i18n, m)).unwrap_or_else(|| "—".into());
    let has_amount = report.totals.amount.is_some();
    let has_plan = report.totals.planned.is_some();
    let dims = report.group_by.clone();
    let blank = dims.len().saturating_sub(1);
    let t = report.totals.clone();
    view! {
        <div class="table-scroll">
            <table class="grid report-table">
                <thead><tr>{report.columns.iter().map(|c| view! { <th class=if c.kind == crm_domain::api::ColumnKind::Dimension { "" } else { "num" }>{c.label.clone()}</th> }).collect_view()}</tr></thead>
                <tbody>
                    {report.rows.into_iter().map(|row| {
                        let keys: Vec<(Dimension, String)> = dims.iter().copied().zip(row.keys.iter().cloned()).collect();
                        let key = row.keys.join("|");
                        let zero = |m: Option<crm_domain::Money>| m.is_none_or(|a| a == crm_domain::Money::ZERO);
                        let empty = row.count == 0 && zero(row.amount) && zero(row.planned);
                        view! {
                            <tr data-key=key class:empty=empty>
                                {row.labels.iter().enumerate().map(|(i, l)| {
                                    let keys = keys.clone();
                                    let l = l.clone();
                                    if i == 0 && !empty {
                                        view! { <td><button type="button" class="link" name="drill" on:click=move |_| on_row.run(keys.clone())>{l}</button></td> }.into_any()
                                    } else {
                                        view! { <td>{l}</td> }.into_any()
                                    }
                                }).collect_view()}
                                <td class="num" data-count=row.count.to_string()>{row.count}</td>
                                {has_amount.then(|| view! {
                                    <td class="num" data-amount=row.amount.map(|a| a.to_string()).unwrap_or_default()>{money_cell(row.amount)}</td>
                                    <td class="num">{money_cell(row.average)}</td>
                                })}
                                {has_plan.then(|| view! { <td class="num" data-planned=row.planned.map(|a| a.to_string()).unwrap_or_default()>{money_cell(row.planned)}</td> })}
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
                <tfoot><tr class="totals">
                    <th>{move || t_string!(i18n, rpt.total)}</th>
                    {(0..blank).map(|_| view! { <th></th> }).collect_view()}
                    <th class="num" data-count=t.count.to_string()>{t.count}</th>
                    {has_amount.then(|| view! {
                        <th class="num" data-amount=t.amount.map(|a| a.to_string()).unwrap_or_default()>{money_cell(t.amount)}</th>
                        <th class="num">{money_cell(t.average)}</th>
                    })}
                    {has_plan.then(|| view! { <th class="num">{money_cell(t.planned)}</th> })}
                </tr></tfoot>
            </table>
        </div>
    }
}

// ---------------------------------------------------------------------------------------------
// Deals

/// Downloads a report file, named `name.ext`.
fn save_report(name: &str, format: ReportFormat, bytes: &[u8]) {
    let file = match format {
        ReportFormat::Xlsx => ExportFormat::Xlsx,
        _ => ExportFormat::Csv,
    };
    save_bytes(
        &format!("{name}.{}", file.as_str()),
        file.media_type(),
        bytes,
    );
}

/// A report page's downloads: one at a time, named for the period shown (the server's choice
/// when none was made), a failure on the page's error line.
#[derive(Clone, Copy)]
struct Downloads {
    busy: RwSignal<bool>,
    error: RwSignal<Option<String>>,
}

impl Downloads {
    fn new() -> Downloads {
        Downloads {
            busy: RwSignal::new(false),
            error: RwSignal::new(None),
        }
    }

    /// Fetches the file (`fetch`, the report asked in `format`) and saves it as
    /// `{prefix}-{from}-{to}.{ext}`.
    fn start(
        self,
        period: Period,
        prefix: &'static str,
        format: ReportFormat,
        fetch: impl std::future::Future<Output = Result<Vec<u8>, crate::api::ApiError>> + 'static,
    ) {
        if self.busy.get_untracked() {
            return;
        }
        self.busy.set(true);
        leptos::task::spawn_local(async move {
            match fetch.await {
                Ok(bytes) => {
                    self.error.set(None);
                    let name = format!(
                        "{prefix}-{}-{}",
                        period.from.get_untracked(),
                        period.to.get_untracked()
                    );
                    save_report(&name, format, &bytes);
                }
                Err(e) => self.error.set(Some(e.display())),
            }
            self.busy.set(false);
        });
    }
}

/// "导出 Excel" and "CSV" beside a report's title.
#[component]
fn DownloadButtons(downloads: Downloads, on: Callback<ReportFormat>) -> impl IntoView {
    let i18n = use_i18n();
    let busy = downloads.busy;
    view! {
        <button type="button" name="xlsx" disabled=move || busy.get() on:click=move |_| on.run(ReportFormat::Xlsx)>{move || t_string!(i18n, rpt.excel)}</button>
        <button type="button" name="csv" disabled=move || busy.get() on:click=move |_| on.run(ReportFormat::Csv)>"CSV"</button>
    }
}

/// The deal report: open deals per stage now; won, lost, why and to whom in the period.
#[component]
pub fn OpportunityReportPage() -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let period = Period::new(None, None);
    let department = RwSignal::new(None::<i64>);
    let query = move || {
        let (from, to) = period.dates();
        OpportunityReportQuery {
            from,
            to,
            department_id: department.get(),
            ..OpportunityReportQuery::default()
        }
    };
    let report = LocalResource::new(move || {
        // Asked again in the other language: the server names groups and columns in the reader's.
        let _ = lang(i18n);
        let q = query();
        async move { api.opportunity_report(&q).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(r)) = report.get() {
            period.learn(r.from, r.to);
        }
    });
    let departments = department_options();
    let downloads = Downloads::new();
    let error = downloads.error;
    let download = move |format: ReportFormat| {
        let q = query();
        downloads.start(period, "opportunities", format, async move {
            api.opportunity_report_file(&q, format).await
        });
    };
    view! {
        <section class="card report" data-report="opportunities">
            <div class="title-row">
                <h1>{move || t_string!(i18n, rpt.opportunities)}</h1>
                <div class="actions">
                    <DownloadButtons downloads=downloads on=Callback::new(download) />
                </div>
            </div>
            <div class="inline-form report-filters">
                <PeriodFields period=period />
                <IdSelect name="department_id" label=Signal::derive(move || t_string!(i18n, rpt.dim.department)) value=department options=Signal::derive(move || departments.get().unwrap_or_default()) />
            </div>
            <ErrorLine error=error />
            {move || report.get().map(|r| match r {
                Err(e) => view! { <p class="error" role="alert">{e.display()}</p> }.into_any(),
                Ok(r) => {
                    let en = lang(i18n) == Lang::En;
                    let names: Vec<String> = r.stages.iter().map(|s| s.stage.name.clone()).collect();
                    let stages = chart::bars(
                        en,
                        &names,
                        &[
                            (t_string!(i18n, rpt.amount).to_string(), r.stages.iter().map(|s| chart::number(&s.amount.to_string())).collect()),
                            (t_string!(i18n, rpt.weighted).to_string(), r.stages.iter().map(|s| chart::number(&s.weighted_amount.to_string())).collect()),
                        ],
                        false,
                        &[(t_string!(i18n, rpt.deals).to_string(), r.stages.iter().map(|s| json!(s.count)).collect())],
                    );
                    let reasons = chart::pie(
                        en,
                        t_string!(i18n, rpt.lost_reasons),
                        &r.lost_reasons.iter().map(|x| (x.reason.clone(), json!(x.deals))).collect::<Vec<_>>(),
                    );
                    let dash = |v: Option<String>, unit: &'static str| v.map(|x| format!("{x}{unit}")).unwrap_or_else(|| "—".into());
                    view! {
                        <div class="kpis">
                            <div class="tile kpi" data-kpi="open"><span>{move || t_string!(i18n, rpt.open_deals)}</span><strong data-value=r.open.to_string()>{r.open}</strong><small>{money(i18n, r.open_amount)}" · "{move || t_string!(i18n, rpt.weighted)}" "{money(i18n, r.open_weighted)}</small></div>
                            <div class="tile kpi" data-kpi="won"><span>{move || t_string!(i18n, rpt.deals_won)}</span><strong data-value=r.won.to_string()>{r.won}</strong><small>{money(i18n, r.won_amount)}</small></div>
                            <div class="tile kpi" data-kpi="lost"><span>{move || t_string!(i18n, rpt.deals_lost)}</span><strong data-value=r.lost.to_string()>{r.lost}</strong><small>{money(i18n, r.lost_amount)}</small></div>
                            <div class="tile kpi" data-kpi="win_rate"><span>{move || t_string!(i18n, rpt.win_rate)}</span><strong>{dash(r.win_rate.clone(), "%")}</strong></div>
                            <div class="tile kpi" data-kpi="days_to_win"><span>{move || t_string!(i18n, rpt.days_to_win)}</span><strong>{dash(r.average_days_to_win.clone(), "")}</strong></div>
                        </div>
                        <div class="charts">
                            <figure class="wide">
                                <figcaption>{move || t_string!(i18n, rpt.by_stage)}</figcaption>
                                <Chart option=Signal::stored(stages) label=Signal::derive(move || t_string!(i18n, rpt.by_stage).to_string()) />
                            </figure>
                            <figure>
                                <figcaption>{move || t_string!(i18n, rpt.lost_reasons)}</figcaption>
                                <Chart option=Signal::stored(reasons) label=Signal::derive(move || t_string!(i18n, rpt.lost_reasons).to_string()) />
                            </figure>
                            <figure class="span2">
                                <figcaption>{move || t_string!(i18n, rpt.lost_to)}</figcaption>
                                <div class="table-scroll"><table class="grid lost-to">
                                    <thead><tr><th>{move || t_string!(i18n, rpt.competitor)}</th><th class="num">{move || t_string!(i18n, rpt.deals)}</th><th class="num">{move || t_string!(i18n, rpt.amount)}</th></tr></thead>
                                    <tbody>{r.lost_to.into_iter().map(|x| view! {
                                        <tr><td><A href=format!("/competitors/{}", x.competitor.id)>{x.competitor.name}</A></td><td class="num">{x.deals}</td><td class="num">{money(i18n, x.amount)}</td></tr>
                                    }).collect_view()}</tbody>
                                </table></div>
                            </figure>
                        </div>
                    }.into_any()
                }
            })}
        </section>
    }
}

// ---------------------------------------------------------------------------------------------
// Renewals

/// 续费分析: service periods ending per group and how many were renewed, with the rate.
#[component]
pub fn RenewalReportPage() -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let period = Period::new(None, None);
    let dim = RwSignal::new(Dimension::Month);
    let department = RwSignal::new(None::<i64>);
    let product = RwSignal::new(None::<i64>);
    let query = move || {
        let (from, to) = period.dates();
        ReportQuery {
            from,
            to,
            group_by: Some(GroupBy::one(dim.get())),
            department_id: department.get(),
            product_id: product.get(),
            ..ReportQuery::default()
        }
    };
    let report = LocalResource::new(move || {
        // Asked again in the other language: the server names groups and columns in the reader's.
        let _ = lang(i18n);
        let q = query();
        async move { api.renewal_report(&q).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(r)) = report.get() {
            period.learn(r.from, r.to);
        }
    });
    let departments = department_options();
    let products = LocalResource::new(move || async move {
        api.products(&ListQuery::default())
            .await
            .unwrap_or_default()
            .into_iter()
            .filter(|p| p.renewable)
            .map(|p| (p.id, p.name))
            .collect::<Vec<_>>()
    });
    let downloads = Downloads::new();
    let error = downloads.error;
    let download = move |format: ReportFormat| {
        let q = query();
        downloads.start(period, "renewals", format, async move {
            api.report_file("renewals", &q, format).await
        });
    };
    let dims = Fact::RenewalsDue.dimensions();
    view! {
        <section class="card report" data-report="renewals">
            <div class="title-row">
                <h1>{move || t_string!(i18n, rpt.renewals)}</h1>
                <div class="actions">
                    <A href="/reports/renewal-risk">{move || t_string!(i18n, rpt.to_risk)}</A>
                    <DownloadButtons downloads=downloads on=Callback::new(download) />
                </div>
            </div>
            <div class="inline-form report-filters">
                <PeriodFields period=period />
                <label>{move || t_string!(i18n, rpt.group_by)}
                    <select name="group_by" on:change=move |ev| {
                        if let Ok(d) = event_target_value(&ev).parse::<Dimension>() { dim.set(d); }
                    }>
                        {dims.iter().copied().map(|d| view! { <option value=d.as_str() prop:selected=move || dim.get() == d>{move || dimension_words(i18n, d)}</option> }).collect_view()}
                    </select>
                </label>
                <IdSelect name="department_id" label=Signal::derive(move || t_string!(i18n, rpt.dim.department)) value=department options=Signal::derive(move || departments.get().unwrap_or_default()) />
                <IdSelect name="product_id" label=Signal::derive(move || t_string!(i18n, rpt.dim.product)) value=product options=Signal::derive(move || products.get().unwrap_or_default()) />
            </div>
            <p class="muted hint">{move || t_string!(i18n, rpt.renewals_hint)}</p>
            <ErrorLine error=error />
            {move || report.get().map(|r| match r {
                Err(e) => view! { <p class="error" role="alert">{e.display()}</p> }.into_any(),
                Ok(r) => view! { <RenewalBody report=r /> }.into_any(),
            })}
        </section>
    }
}

#[component]
fn RenewalBody(report: RenewalReport) -> impl IntoView {
    let i18n = use_i18n();
    let en = lang(i18n) == Lang::En;
    let label = |key: &str| {
        report
            .columns
            .iter()
            .find(|c| c.key == key)
            .map(|c| c.label.clone())
            .unwrap_or_default()
    };
    let categories: Vec<String> = report.rows.iter().map(|r| r.labels.join(" / ")).collect();
    let option = chart::bars(
        en,
        &categories,
        &[
            (
                label("due_amount"),
                report
                    .rows
                    .iter()
                    .map(|r| chart::number(&r.due_amount.to_string()))
                    .collect(),
            ),
            (
                label("renewed_amount"),
                report
                    .rows
                    .iter()
                    .map(|r| chart::number(&r.renewed_amount.to_string()))
                    .collect(),
            ),
        ],
        false,
        &[(
            label("rate"),
            report
                .rows
                .iter()
                .map(|r| r.rate.as_deref().map_or(json!(null), chart::number))
                .collect(),
        )],
    );
    let dash = |v: Option<String>| v.unwrap_or_else(|| "—".into());
    let blank = report.group_by.len().saturating_sub(1);
    let t = report.totals.clone();
    view! {
        <div class="charts">
            <figure class="wide">
                <Chart option=Signal::stored(option) label=Signal::derive(move || t_string!(i18n, rpt.renewals).to_string()) />
            </figure>
        </div>
        <div class="table-scroll">
            <table class="grid report-table renewals">
                <thead><tr>{report.columns.iter().map(|c| view! { <th class=if c.kind == crm_domain::api::ColumnKind::Dimension { "" } else { "num" }>{c.label.clone()}</th> }).collect_view()}</tr></thead>
                <tbody>
                    {report.rows.into_iter().map(|r| view! {
                        <tr data-key=r.keys.join("|") class:empty=r.due == 0>
                            {r.labels.into_iter().map(|l| view! { <td>{l}</td> }).collect_view()}
                            <td class="num" data-due=r.due.to_string()>{r.due}</td>
                            <td class="num">{money(i18n, r.due_amount)}</td>
                            <td class="num" data-renewed=r.renewed.to_string()>{r.renewed}</td>
                            <td class="num">{money(i18n, r.renewed_amount)}</td>
                            <td class="num">{dash(r.rate)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
                <tfoot><tr class="totals">
                    <th>{move || t_string!(i18n, rpt.total)}</th>
                    {(0..blank).map(|_| view! { <th></th> }).collect_view()}
                    <th class="num" data-due=t.due.to_string()>{t.due}</th>
                    <th class="num">{money(i18n, t.due_amount)}</th>
                    <th class="num">{t.renewed}</th>
                    <th class="num">{money(i18n, t.renewed_amount)}</th>
                    <th class="num">{dash(t.rate)}</th>
                </tr></tfoot>
            </table>
        </div>
    }
}

// ---------------------------------------------------------------------------------------------
// The staff scorecard

/// 绩效考核: each person's parts beside the department average, the points they earned, the
/// score; a stacked chart of where each score comes from.
#[component]
pub fn ScorecardPage() -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    // The server's own default is this month to date.
    let period = Period::new(None, None);
    period.preset.set(Preset::ThisMonth);
    let department = RwSignal::new(None::<i64>);
    let query = move || {
        let (from, to) = period.dates();
        ScorecardQuery {
            from,
            to,
            department_id: department.get(),
            ..ScorecardQuery::default()
        }
    };
    let card = LocalResource::new(move || {
        // Asked again in the other language: the server names groups and columns in the reader's.
        let _ = lang(i18n);
        let q = query();
        async move { api.scorecard(&q).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(c)) = card.get() {
            period.learn(c.from, c.to);
        }
    });
    let departments = department_options();
    let downloads = Downloads::new();
    let error = downloads.error;
    let download = move |format: ReportFormat| {
        let q = query();
        downloads.start(period, "scorecard", format, async move {
            api.scorecard_file(&q, format).await
        });
    };
    view! {
        <section class="card report" data-report="scorecard">
            <div class="title-row">
                <h1>{move || t_string!(i18n, rpt.scorecard)}</h1>
                <div class="actions">
                    <DownloadButtons downloads=downloads on=Callback::new(download) />
                </div>
            </div>
            <div class="inline-form report-filters">
                <PeriodFields period=period />
                <IdSelect name="department_id" label=Signal::derive(move || t_string!(i18n, rpt.dim.department)) value=department options=Signal::derive(move || departments.get().unwrap_or_default()) />
            </div>
            <p class="muted hint">{move || t_string!(i18n, rpt.score_hint)}</p>
            <ErrorLine error=error />
            {move || card.get().map(|c| match c {
                Err(e) => view! { <p class="error" role="alert">{e.display()}</p> }.into_any(),
                Ok(c) => view! { <ScorecardBody card=c /> }.into_any(),
            })}
        </section>
    }
}

#[component]
fn ScorecardBody(card: Scorecard) -> impl IntoView {
    let i18n = use_i18n();
    let en = lang(i18n) == Lang::En;
    let names: Vec<String> = card.people.iter().map(|p| p.person.name.clone()).collect();
    // One stacked series per weighed part: the points it gave each person.
    let series: Vec<(String, Vec<Value>)> = card
        .components
        .iter()
        .enumerate()
        .filter(|(_, c)| c.weight > 0)
        .map(|(i, c)| {
            let points = card
                .people
                .iter()
                .map(|p| {
                    p.parts
                        .get(i)
                        .map_or(json!(0), |x| chart::number(&x.points))
                })
                .collect();
            (c.label.clone(), points)
        })
        .collect();
    let score: Vec<Value> = card
        .people
        .iter()
        .map(|p| p.score.as_deref().map_or(json!(null), chart::number))
        .collect();
    let option = chart::bars(
        en,
        &names,
        &series,
        true,
        &[(t_string!(i18n, rpt.score).to_string(), score)],
    );
    let columns = card.components.clone();
    let shown = |money_part: bool, v: &str| -> String {
        if money_part {
            v.parse::<crm_domain::Money>()
                .map(|m| money(i18n, m))
                .unwrap_or_else(|_| v.to_string())
        } else {
            v.to_string()
        }
    };
    let types = card.activity_types.clone();
    let people = card.people.clone();
    view! {
        <div class="charts">
            <figure class="wide">
                <figcaption>{move || t_string!(i18n, rpt.score_parts)}</figcaption>
                <Chart option=Signal::stored(option) label=Signal::derive(move || t_string!(i18n, rpt.scorecard).to_string()) />
            </figure>
        </div>
        <div class="table-scroll">
            <table class="grid scorecard">
                <thead><tr>
                    <th>{move || t_string!(i18n, rpt.person)}</th>
                    <th>{move || t_string!(i18n, rpt.dim.department)}</th>
                    <th class="num">{move || t_string!(i18n, rpt.score)}</th>
                    {columns.iter().map(|c| {
                        let lower = c.lower_is_better;
                        view! {
                            <th class="num" data-part=c.component.as_str()>
                                {c.label.clone()}
                                <small class="muted">{move || t_string!(i18n, rpt.weight)}" "{c.weight}{move || if lower { format!(" · {}", t_string!(i18n, rpt.lower_better)) } else { String::new() }}</small>
                            </th>
                        }
                    }).collect_view()}
                </tr></thead>
                <tbody>
                    {card.people.into_iter().map(|p| {
                        let cells = columns.iter().zip(p.parts).map(|(c, part)| view! {
                            <td class="num" data-part=c.component.as_str()>
                                <span class="value">{shown(c.money, &part.value)}</span>
                                <small class="muted avg" title=move || t_string!(i18n, rpt.dept_avg)>{shown(c.money, &part.department_average)}</small>
                                <small class="points">{part.points}" "{move || t_string!(i18n, rpt.points)}</small>
                            </td>
                        }).collect_view();
                        view! {
                            <tr data-person=p.person.id.to_string()>
                                <td>{p.person.name}</td>
                                <td>{p.department.name}</td>
                                <td class="num score"><strong>{p.score.unwrap_or_else(|| "—".into())}</strong></td>
                                {cells}
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <h2>{move || t_string!(i18n, rpt.by_type)}</h2>
        <div class="table-scroll">
            <table class="grid by-type">
                <thead><tr>
                    <th>{move || t_string!(i18n, rpt.person)}</th>
                    {types.iter().map(|t| view! { <th class="num">{t.name.clone()}</th> }).collect_view()}
                </tr></thead>
                <tbody>
                    {people.into_iter().map(|p| view! {
                        <tr><td>{p.person.name}</td>{p.activities_by_type.into_iter().map(|n| view! { <td class="num">{n}</td> }).collect_view()}</tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

// ---------------------------------------------------------------------------------------------
// The dashboard

/// A change in percent, one decimal ("+12.5%"); none from zero.
fn change(now: i64, before: i64) -> Option<String> {
    if before == 0 {
        return None;
    }
    let pct = (now - before) as f64 * 100.0 / before.abs() as f64;
    Some(format!("{}{:.1}%", if pct >= 0.0 { "+" } else { "" }, pct))
}

/// A tile: this month, and against last month and the same month last year.
#[component]
fn Tile(
    name: &'static str,
    label: Signal<&'static str>,
    now: String,
    numbers: (i64, i64, i64),
    last_month: String,
    last_year: String,
) -> impl IntoView {
    let i18n = use_i18n();
    let (n, lm, ly) = numbers;
    let vs = move |before: i64| change(n, before).unwrap_or_else(|| "—".into());
    let up = |before: i64| n >= before;
    view! {
        <div class="tile kpi" data-kpi=name>
            <span>{move || label.get()}</span>
            <strong data-value=n.to_string()>{now}</strong>
            <small class:up=up(lm) class:down=!up(lm)>{move || t_string!(i18n, rpt.vs_last_month)}" "{last_month}" · "{vs(lm)}</small>
            <small class:up=up(ly) class:down=!up(ly)>{move || t_string!(i18n, rpt.vs_last_year)}" "{last_year}" · "{vs(ly)}</small>
        </div>
    }
}

fn count_tile(
    name: &'static str,
    label: Signal<&'static str>,
    c: &Comparison,
) -> impl IntoView + use<> {
    view! {
        <Tile name=name label=label now=c.this_month.to_string()
            numbers=(c.this_month, c.last_month, c.last_year)
            last_month=c.last_month.to_string() last_year=c.last_year.to_string() />
    }
}

fn money_tile(
    i18n: I18n,
    name: &'static str,
    label: Signal<&'static str>,
    c: &MoneyComparison,
) -> impl IntoView + use<> {
    view! {
        <Tile name=name label=label now=money(i18n, c.this_month)
            numbers=(c.this_month.minor(), c.last_month.minor(), c.last_year.minor())
            last_month=money(i18n, c.last_month) last_year=money(i18n, c.last_year) />
    }
}

#[component]
pub fn DashboardPage() -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let data = LocalResource::new(move || {
        // Asked again in the other language: the server names groups in the reader's.
        let _ = lang(i18n);
        async move { api.dashboard().await }
    });
    view! {
        <section class="card dashboard">
            <div class="title-row">
                <h1>{move || t_string!(i18n, rpt.dashboard)}</h1>
                <nav class="actions">
                    <A href="/reports/sales">{move || t_string!(i18n, rpt.sales)}</A>
                    <A href="/reports/receipts">{move || t_string!(i18n, rpt.receipts)}</A>
                    <A href="/reports/customers">{move || t_string!(i18n, rpt.customers)}</A>
                    <A href="/reports/opportunities">{move || t_string!(i18n, rpt.opportunities)}</A>
                </nav>
            </div>
            {move || data.get().map(|d| match d {
                Err(e) => view! { <p class="error" role="alert">{e.display()}</p> }.into_any(),
                Ok(d) => view! { <DashboardBody d=d /> }.into_any(),
            })}
        </section>
    }
}

#[component]
fn DashboardBody(d: Dashboard) -> impl IntoView {
    let i18n = use_i18n();
    let en = lang(i18n) == Lang::En;
    let label = |f: fn(I18n) -> &'static str| Signal::derive(move || f(i18n));
    let months: Vec<String> = d.trend.iter().map(|m| m.month.clone()).collect();
    let trend = chart::bars(
        en,
        &months,
        &[
            (
                t_string!(i18n, rpt.signed).to_string(),
                d.trend
                    .iter()
                    .map(|m| chart::number(&m.signed.to_string()))
                    .collect(),
            ),
            (
                t_string!(i18n, rpt.received).to_string(),
                d.trend
                    .iter()
                    .map(|m| chart::number(&m.received.to_string()))
                    .collect(),
            ),
        ],
        false,
        &[(
            t_string!(i18n, rpt.new_customers).to_string(),
            d.trend.iter().map(|m| json!(m.new_customers)).collect(),
        )],
    );
    let funnel = chart::funnel(
        en,
        t_string!(i18n, rpt.funnel),
        &d.funnel
            .iter()
            .map(|s| (s.name.clone(), json!(s.customers)))
            .collect::<Vec<_>>(),
    );
    let shares = |v: &[crm_domain::api::DashboardShare]| -> Vec<(String, Value)> {
        v.iter()
            .map(|s| (s.name.clone(), chart::number(&s.signed.to_string())))
            .collect()
    };
    let industries = chart::pie(
        en,
        t_string!(i18n, rpt.dim.industry),
        &shares(&d.top_industries),
    );
    let regions = chart::pie(en, t_string!(i18n, rpt.dim.region), &shares(&d.top_regions));
    let overdue = money(i18n, d.overdue);
    view! {
        <p class="muted">{move || t_string!(i18n, rpt.month_to_date)}" "{d.month.format("%Y-%m").to_string()}" · "{d.today.to_string()}</p>
        <div class="kpis">
            {count_tile("new_customers", label(|i| t_string!(i, rpt.new_customers)), &d.new_customers)}
            {money_tile(i18n, "signed", label(|i| t_string!(i, rpt.signed)), &d.signed)}
            {count_tile("orders_signed", label(|i| t_string!(i, rpt.orders_signed)), &d.orders_signed)}
            {money_tile(i18n, "received", label(|i| t_string!(i, rpt.received)), &d.received)}
            {money_tile(i18n, "expenses", label(|i| t_string!(i, rpt.expenses)), &d.expenses)}
            {count_tile("deals_won", label(|i| t_string!(i, rpt.deals_won)), &d.deals_won)}
            <div class="tile kpi" data-kpi="overdue">
                <span>{move || t_string!(i18n, rpt.overdue)}</span>
                <strong data-value=d.overdue.to_string()>{overdue}</strong>
                <small><A href="/receivables">{move || t_string!(i18n, rpt.to_receivables)}</A></small>
            </div>
        </div>
        <div class="charts">
            <figure class="wide">
                <figcaption>{move || t_string!(i18n, rpt.trend)}</figcaption>
                <Chart option=Signal::stored(trend) label=Signal::derive(move || t_string!(i18n, rpt.trend).to_string()) />
            </figure>
            <figure>
                <figcaption>{move || t_string!(i18n, rpt.funnel)}</figcaption>
                <Chart option=Signal::stored(funnel) label=Signal::derive(move || t_string!(i18n, rpt.funnel).to_string()) />
            </figure>
            <figure>
                <figcaption>{move || t_string!(i18n, rpt.top_industries)}</figcaption>
                <Chart option=Signal::stored(industries) label=Signal::derive(move || t_string!(i18n, rpt.top_industries).to_string()) />
            </figure>
            <figure>
                <figcaption>{move || t_string!(i18n, rpt.top_regions)}</figcaption>
                <Chart option=Signal::stored(regions) label=Signal::derive(move || t_string!(i18n, rpt.top_regions).to_string()) />
            </figure>
        </div>
        <h2>{move || t_string!(i18n, rpt.ranking)}</h2>
        <div class="table-scroll">
            <table class="grid ranking">
                <thead><tr>
                    <th>"#"</th>
                    <th>{move || t_string!(i18n, rpt.dim.owner)}</th>
                    <th>{move || t_string!(i18n, rpt.dim.department)}</th>
                    <th class="num">{move || t_string!(i18n, rpt.signed)}</th>
                    <th class="num">{move || t_string!(i18n, rpt.orders_signed)}</th>
                    <th class="num">{move || t_string!(i18n, rpt.received)}</th>
                </tr></thead>
                <tbody>
                    {d.ranking.into_iter().enumerate().map(|(i, r)| view! {
                        <tr data-owner=r.owner.id.to_string()>
                            <td>{i + 1}</td>
                            <td>{r.owner.name}</td>
                            <td>{r.department.name}</td>
                            <td class="num">{money(i18n, r.signed)}</td>
                            <td class="num">{r.orders}</td>
                            <td class="num">{money(i18n, r.received)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
