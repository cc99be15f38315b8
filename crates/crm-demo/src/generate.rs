//! `crm generate`: a large, realistic, deterministic company for benchmarks — the demo organisation
//! (same logins) grown to about 200 users in a department tree, and per customer about 2 contacts,
//! 5 activities and 0.3 orders with payment plans and receipts. Rows are built in memory with
//! explicit ids and inserted many per statement into an empty database; every derived value the
//! application keeps (normalised keys, last contact, level, signed total, grade) is computed here
//! exactly as the application would.

use crate::seed::{self, SUMMARIES};
use anyhow::{Context, bail};
use chrono::{Days, Duration, Months, NaiveDate, NaiveDateTime, Utc};
use crm_db::Actor;
use crm_db::DbConnection;
use crm_db::bulk::{
    self, ActivityRow, AllocationRow, ContactRow, CustomerRow, InstallmentRow, OpportunityMoveRow,
    OpportunityRow, OrderLineRow, OrderRow, ReceiptRow, ReminderRow,
};
use crm_domain::api::{DictionaryKind, NewDepartment, NewUser};
use crm_domain::customer::{CustomerLevel, grade_for, name_key, phone_key, website_key};
use crm_domain::roles::StandardRole;
use crm_domain::{Money, time};
use indicatif::{ProgressBar, ProgressStyle};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::time::Instant;

/// What was generated, and how long it took.
#[derive(Debug, Default, Clone)]
pub struct Summary {
    pub users: usize,
    pub customers: usize,
    pub contacts: usize,
    pub activities: usize,
    pub reminders: usize,
    pub orders: usize,
    pub installments: usize,
    pub receipts: usize,
    pub opportunities: usize,
    pub expenses: usize,
    pub tickets: usize,
    pub articles: usize,
    pub seconds: f64,
}

const SYLLABLES: [&str; 70] = [
    "恒", "达", "鲁", "信", "华", "泰", "金", "诺", "宏", "远", "瑞", "丰", "和", "齐", "海", "岱",
    "正", "元", "博", "新", "联", "东", "岳", "鑫", "源", "汇", "通", "永", "盛", "天", "成", "安",
    "嘉", "禾", "润", "德", "同", "创", "佳", "诚", "兴", "长", "河", "百", "川", "优", "品", "蓝",
    "启", "航", "顺", "宇", "星", "光", "明", "辉", "利", "隆", "昌", "茂", "荣", "富", "康", "乐",
    "中", "泽", "峰", "云", "锦", "翔",
];

/// (trade in the name, industry)
const TRADES: [(&str, &str); 20] = [
    ("机械制造", "制造业"),
    ("精密铸造", "制造业"),
    ("商贸", "批发零售"),
    ("百货", "批发零售"),
    ("餐饮管理", "餐饮酒店"),
    ("酒店管理", "餐饮酒店"),
    ("教育咨询", "教育培训"),
    ("职业培训", "教育培训"),
    ("医疗器械", "医疗健康"),
    ("健康管理", "医疗健康"),
    ("置业", "房地产"),
    ("装饰工程", "建筑装修"),
    ("建筑安装", "建筑装修"),
    ("网络科技", "信息技术"),
    ("软件开发", "信息技术"),
    ("物流", "物流运输"),
    ("农业科技", "农业"),
    ("文化传媒", "文化传媒"),
    ("广告", "文化传媒"),
    ("汽车服务", "汽车"),
];

const SURNAMES: [&str; 30] = [
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林",
    "何", "郭", "马", "罗", "梁", "宋", "郑", "谢", "韩", "唐", "冯", "于", "董", "萧",
];
const GIVEN: [&str; 30] = [
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀英", "霞", "平", "刚", "桂英", "建华", "晓东", "海燕", "志强", "文博", "思远", "雪梅",
    "国庆",
];
const TITLES: [&str; 6] = [
    "总经理",
    "市场部经理",
    "采购主管",
    "行政主管",
    "老板",
    "财务经理",
];

/// Distinct customer names: city × two brand syllables × trade.
fn name_space() -> usize {
    seed::SHANDONG.len() * SYLLABLES.len() * SYLLABLES.len() * TRADES.len()
}

/// The k-th customer's name parts, a bijection of `0..name_space()` (a stride prime to the size
/// scatters neighbours over cities and trades).
fn name_parts(k: usize) -> (usize, usize, usize, usize) {
    let n = name_space();
    let x = (k as u128 * 1_000_003 % n as u128) as usize;
    let city = x % seed::SHANDONG.len();
    let rest = x / seed::SHANDONG.len();
    let a = rest % SYLLABLES.len();
    let rest = rest / SYLLABLES.len();
    let b = rest % SYLLABLES.len();
    let trade = rest / SYLLABLES.len();
    (city, a, b, trade)
}

fn person(rng: &mut ChaCha8Rng) -> String {
    format!(
        "{}{}",
        SURNAMES[rng.random_range(0..SURNAMES.len())],
        GIVEN[rng.random_range(0..GIVEN.len())]
    )
}

/// The generated organisation's salespeople and managers: (user id, is manager).
fn grow_organisation(
    conn: &mut DbConnection,
    rng: &mut ChaCha8Rng,
    password_hash: &str,
) -> anyhow::Result<Vec<(i64, bool)>> {
    let id_of = |conn: &mut DbConnection, username: &str| -> anyhow::Result<i64> {
        Ok(crm_db::users::credentials(conn, username)?
            .with_context(|| format!("demo user {username} missing"))?
            .user_id)
    };
    let mut sellers = vec![
        (id_of(conn, "s1_a")?, false),
        (id_of(conn, "s1_b")?, false),
        (id_of(conn, "s2_a")?, false),
        (id_of(conn, "s1_mgr")?, true),
        (id_of(conn, "s2_mgr")?, true),
    ];
    let sales = crm_db::departments::find_by_name(conn, "销售部")?
        .context("the sales department is missing")?;
    let manager_role = crm_db::roles::find_standard(conn, StandardRole::SalesManager)?
        .context("the sales manager role is missing")?;
    let seller_role = crm_db::roles::find_standard(conn, StandardRole::Salesperson)?
        .context("the salesperson role is missing")?;
    let system = Actor::system();
    const NUMERALS: [&str; 10] = [
        "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二",
    ];
    for (d, numeral) in NUMERALS.iter().enumerate() {
        let n = d + 3;
        let dept = crm_db::departments::create(
            conn,
            &system,
            &NewDepartment {
                name: format!("销售{numeral}部"),
                parent_id: Some(sales),
                sort_order: n as i32,
            },
        )?;
        for m in 0..18 {
            let manager = m == 0;
            let user = NewUser {
                username: if manager {
                    format!("s{n}_mgr")
                } else {
                    format!("s{n}_{m:02}")
                },
                display_name: person(rng),
                password: seed::DEMO_PASSWORD.into(),
                department_id: dept.id,
                role_ids: vec![if manager { manager_role } else { seller_role }],
                email: None,
                phone: None,
            };
            let made = crm_db::users::create(conn, &system, &user, password_hash)?;
            sellers.push((made.id, manager));
        }
    }
    Ok(sellers)
}

/// Rows of one batch of customers, with everything that belongs to them.
#[derive(Default)]
struct Batch {
    customers: Vec<CustomerRow>,
    contacts: Vec<ContactRow>,
    activities: Vec<ActivityRow>,
    reminders: Vec<ReminderRow>,
    orders: Vec<OrderRow>,
    lines: Vec<OrderLineRow>,
    installments: Vec<InstallmentRow>,
    receipts: Vec<ReceiptRow>,
    allocations: Vec<AllocationRow>,
    deals: Vec<OpportunityRow>,
    deal_moves: Vec<OpportunityMoveRow>,
    level_moves: Vec<bulk::LevelMoveRow>,
    expenses: Vec<bulk::ExpenseRow>,
    tickets: (Vec<bulk::TicketRow>, Vec<bulk::TicketEventRow>),
}

/// Running ids of every table (the database starts empty of business data).
#[derive(Default)]
struct Ids {
    /// The last order number handed out per day (orders are numbered per day, as the server does).
    order_seq: std::collections::BTreeMap<NaiveDate, i32>,
    contact: i64,
    activity: i64,
    reminder: i64,
    order: i64,
    line: i64,
    installment: i64,
    receipt: i64,
    allocation: i64,
    deal: i64,
    deal_move: i64,
    expense: i64,
    tickets: crate::tickets::TicketIds,
}

fn next(id: &mut i64) -> i64 {
    *id += 1;
    *id
}

/// Reference data the generator picks from.
struct Refs {
    sellers: Vec<(i64, bool)>,
    finance: i64,
    regions: Vec<(String, i64)>,
    industries: Vec<(String, i64)>,
    sources: Vec<i64>,
    activity_types: Vec<i64>,
    methods: Vec<i64>,
    products: Vec<(i64, i64, Option<i32>)>,
    /// Opportunity stages in order, with their default probability.
    stages: Vec<(i64, i16)>,
    thresholds: Vec<Money>,
    spenders: crate::expenses::Spenders,
    /// Who handles the tickets (the service desk).
    handler: i64,
    today: NaiveDate,
    now: NaiveDateTime,
    /// The company's time zone (a deal's day of opening is on its calendar).
    zone: chrono_tz::Tz,
}

fn at_day(d: NaiveDate, rng: &mut ChaCha8Rng) -> NaiveDateTime {
    d.and_hms_opt(0, 0, 0).unwrap_or_default() + Duration::minutes(rng.random_range(60..(14 * 60)))
}

#[allow(clippy::too_many_lines)]
fn customer(k: usize, seed: u64, refs: &Refs, ids: &mut Ids, out: &mut Batch) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ (k as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let id = k as i64 + 1;
    let (city, a, b, trade) = name_parts(k);
    let (city_name, _) = seed::SHANDONG[city];
    let short_city = city_name.trim_end_matches('市');
    let brand = format!("{}{}", SYLLABLES[a], SYLLABLES[b]);
    let (trade_name, industry) = TRADES[trade];
    let name = format!("{short_city}{brand}{trade_name}有限公司");
    let (owner, _) = refs.sellers[rng.random_range(0..refs.sellers.len())];
    let created = refs.today - Days::new(rng.random_range(30..730));
    let created_at = at_day(created, &mut rng);
    let level = match rng.random_range(0..100) {
        0..35 => CustomerLevel::Lead,
        35..55 => CustomerLevel::Contacted,
        55..72 => CustomerLevel::Prospect,
        72..97 => CustomerLevel::Signed,
        _ => CustomerLevel::Blacklisted,
    };
    let phone = format!("0{}-{:08}", 531 + city, (k * 7919 + 13) % 100_000_000);
    let website = k
        .is_multiple_of(4)
        .then(|| format!("http://www.c{k}.example.cn/"));
    // Contacts.
    let mut first_contact = None;
    for n in 0..rng.random_range(1..=3) {
        let cid = next(&mut ids.contact);
        first_contact.get_or_insert(cid);
        out.contacts.push(ContactRow {
            id: cid,
            customer_id: id,
            name: person(&mut rng),
            title: Some(TITLES[rng.random_range(0..TITLES.len())].to_string()),
            mobile: Some(format!(
                "1{}{:09}",
                3 + n % 6,
                (k * 104_729 + n) % 1_000_000_000
            )),
            is_key: n == 0,
            created_at,
            updated_at: created_at,
        });
    }
    // Activities: none for leads, 3–12 for the rest, spread from creation to now.
    let mut last_contact = None;
    if level != CustomerLevel::Lead {
        let span = (refs.today - created).num_days().max(1) as u64;
        let count = rng.random_range(3..=12);
        for n in 0..count {
            let day = created + Days::new(rng.random_range(0..=span));
            let occurred_at = at_day(day, &mut rng).min(refs.now);
            let (summary, outcome) = SUMMARIES[rng.random_range(0..SUMMARIES.len())];
            let aid = next(&mut ids.activity);
            // A few customers have a next step pending: due from ten days ago to a month ahead.
            let next_step = (n + 1 == count && rng.random_range(0..100) < 8)
                .then(|| refs.today + Duration::days(rng.random_range(-10..30)));
            out.activities.push(ActivityRow {
                id: aid,
                customer_id: id,
                contact_id: first_contact.filter(|_| n % 2 == 0),
                owner_id: owner,
                type_id: refs.activity_types[rng.random_range(0..refs.activity_types.len())],
                occurred_at,
                summary: summary.into(),
                outcome: Some(outcome.into()),
                next_step_on: next_step,
                next_step_note: next_step.map(|_| "再次跟进".to_string()),
                created_at: occurred_at,
                updated_at: occurred_at,
            });
            if let Some(due_on) = next_step {
                out.reminders.push(ReminderRow {
                    id: next(&mut ids.reminder),
                    user_id: owner,
                    customer_id: id,
                    activity_id: Some(aid),
                    due_on,
                    note: "再次跟进".into(),
                    created_at: occurred_at,
                    updated_at: occurred_at,
                });
            }
            last_contact = last_contact.max(Some(occurred_at));
        }
    }
    // Orders: signed customers have one or two signed ones, a few prospects a draft.
    let mut signed_total = 0i64;
    let orders = match level {
        CustomerLevel::Signed => 1 + usize::from(rng.random_range(0..100) < 20),
        CustomerLevel::Prospect => usize::from(rng.random_range(0..100) < 10),
        _ => 0,
    };
    for _ in 0..orders {
        let oid = next(&mut ids.order);
        let signed = level == CustomerLevel::Signed;
        let signed_on = created
            + Days::new(rng.random_range(0..=(refs.today - created).num_days().max(0) as u64));
        let mut total = 0i64;
        let mut months = None;
        for n in 0..rng.random_range(1..=2) {
            let (product, price, service) = refs.products[rng.random_range(0..refs.products.len())];
            let quantity = rng.random_range(1..=3);
            let discount = if rng.random_range(0..4) == 0 {
                price / 10
            } else {
                0
            };
            let amount = price * i64::from(quantity) - discount;
            total += amount;
            months = months.max(service);
            out.lines.push(OrderLineRow {
                id: next(&mut ids.line),
                order_id: oid,
                line_no: n + 1,
                product_id: product,
                quantity,
                unit_price: price,
                discount,
                amount,
            });
        }
        let status = if !signed {
            "draft"
        } else if (refs.today - signed_on).num_days() > 300 {
            "completed"
        } else if rng.random_range(0..2) == 0 {
            "executing"
        } else {
            "signed"
        };
        let service_end = months.and_then(|m| crm_domain::order::service_end(signed_on, m));
        out.orders.push(OrderRow {
            id: oid,
            number: {
                let seq = ids.order_seq.entry(signed_on).or_insert(0);
                *seq += 1;
                format!("SO{}-{:04}", signed_on.format("%Y%m%d"), seq)
            },
            customer_id: id,
            owner_id: owner,
            status: status.into(),
            signed_on: signed.then_some(signed_on),
            service_start: months.map(|_| signed_on),
            service_end,
            total,
            created_by: owner,
            created_at: at_day(signed_on, &mut rng),
            updated_at: at_day(signed_on, &mut rng),
        });
        if !signed {
            continue;
        }
        signed_total += total;
        let parts = rng.random_range(1..=4u32);
        for (n, share) in Money::from_minor(total)
            .split_even(parts)
            .into_iter()
            .enumerate()
        {
            let iid = next(&mut ids.installment);
            let due = signed_on
                .checked_add_months(Months::new(n as u32 * 2))
                .unwrap_or(signed_on);
            out.installments.push(InstallmentRow {
                id: iid,
                order_id: oid,
                due_date: due,
                amount: share.minor(),
                created_at: at_day(signed_on, &mut rng),
            });
            if due > refs.today || !share.is_positive() {
                continue;
            }
            // 85% paid in full, 10% half, 5% nothing yet.
            let paid = match rng.random_range(0..100) {
                0..85 => share.minor(),
                85..95 => share.split_even(2)[0].minor(),
                _ => 0,
            };
            if paid <= 0 {
                continue;
            }
            let rid = next(&mut ids.receipt);
            let received_on = (due + Days::new(rng.random_range(0..20))).min(refs.today);
            out.receipts.push(ReceiptRow {
                id: rid,
                order_id: oid,
                amount: paid,
                received_on,
                method_id: refs.methods[rng.random_range(0..refs.methods.len())],
                recorded_by: refs.finance,
                created_at: at_day(received_on, &mut rng),
            });
            out.allocations.push(AllocationRow {
                id: next(&mut ids.allocation),
                receipt_id: rid,
                installment_id: iid,
                amount: paid,
            });
        }
    }
    let region = refs
        .regions
        .iter()
        .find(|(n, _)| n == city_name)
        .map(|(_, id)| *id);
    let updated_at = last_contact.unwrap_or(created_at).max(created_at);
    // Deals (about one open deal per five customers): nearly every prospect has one open, some
    // signed customers one more (an upsell), a few prospects lost one; signed ones won one.
    let open_deal = match level {
        CustomerLevel::Prospect => rng.random_range(0..100) < 95,
        CustomerLevel::Signed => rng.random_range(0..100) < 15,
        _ => false,
    };
    let won_deal = level == CustomerLevel::Signed && rng.random_range(0..100) < 40;
    let lost_deal = level == CustomerLevel::Prospect && rng.random_range(0..100) < 20;
    for (wanted, status) in [(open_deal, "open"), (won_deal, "won"), (lost_deal, "lost")] {
        if !wanted || refs.stages.is_empty() {
            continue;
        }
        let did = next(&mut ids.deal);
        let (stage, stage_probability) = if status == "open" {
            refs.stages[rng.random_range(0..refs.stages.len())]
        } else {
            refs.stages[refs.stages.len() - 1]
        };
        let (_, price, _) = refs.products[rng.random_range(0..refs.products.len())];
        let amount = price * rng.random_range(1..=4);
        let opened = created
            + Days::new(rng.random_range(0..=(refs.today - created).num_days().max(0) as u64));
        let opened_at = at_day(opened, &mut rng);
        let closed = (status != "open")
            .then(|| (opened + Days::new(rng.random_range(5..90))).min(refs.today));
        let changed = closed.map_or(opened_at, |d| at_day(d, &mut rng).max(opened_at));
        let probability = match status {
            "won" => 100,
            "lost" => 0,
            _ => stage_probability,
        };
        out.deals.push(OpportunityRow {
            id: did,
            customer_id: id,
            customer_owner_id: owner,
            owner_id: owner,
            title: format!(
                "{brand}{}",
                ["年度推广合作", "官网改版", "搜索优化服务", "云主机扩容"][rng.random_range(0..4)]
            ),
            stage_id: stage,
            amount,
            probability,
            expected_close_on: Some(refs.today + Days::new(rng.random_range(0..120))),
            status: status.into(),
            lost_reason: (status == "lost").then(|| "价格高于对手".to_string()),
            closed_on: closed,
            opened_on: Some(time::local_date(opened_at.and_utc(), refs.zone)),
            created_by: owner,
            created_at: opened_at,
            updated_at: changed,
        });
        out.deal_moves.push(OpportunityMoveRow {
            id: next(&mut ids.deal_move),
            opportunity_id: did,
            stage_id: stage,
            status: "open".into(),
            moved_by: owner,
            moved_at: opened_at,
        });
        if status != "open" {
            out.deal_moves.push(OpportunityMoveRow {
                id: next(&mut ids.deal_move),
                opportunity_id: did,
                stage_id: stage,
                status: status.into(),
                moved_by: owner,
                moved_at: changed,
            });
        }
    }
    // One ticket per ten customers over the last half year, on the customer's order if any.
    if k % 10 == 3 {
        let order = out
            .orders
            .iter()
            .rev()
            .find(|o| o.customer_id == id)
            .map(|o| o.id);
        let opened = refs.now - Duration::minutes(rng.random_range(30..(180 * 24 * 60)));
        crate::tickets::ticket(
            &mut ids.tickets,
            rng.random::<u64>() >> 1,
            id,
            owner,
            order,
            owner,
            refs.handler,
            opened,
            refs.now,
            &mut out.tickets,
        );
    }
    // About one expense per customer a year, spent by the owner, most of them on the customer.
    let spent = refs.today - Days::new(rng.random_range(0..365));
    let on_customer = rng.random_range(0..100) < 70;
    if let Some(row) = refs.spenders.row(
        ids.expense + 1,
        rng.random::<u64>() >> 1,
        owner,
        on_customer.then_some(id),
        spent,
        refs.today,
    ) {
        ids.expense += 1;
        out.expenses.push(row);
    }
    // The level moves that brought it where it stands (its history's `level` entries, which the
    // level funnel's times come from): contacted days after it came, a prospect weeks later,
    // signed weeks after that (a fifth of the signed went straight from contacted); half of the
    // blacklisted had been contacted first.
    let path: &[(CustomerLevel, &str)] = {
        use CustomerLevel::{Blacklisted, Contacted, Prospect, Signed};
        const CONTACTED: (CustomerLevel, &str) = (Contacted, "首次联系");
        const PROSPECT: (CustomerLevel, &str) = (Prospect, "立项");
        const SIGNED: (CustomerLevel, &str) = (Signed, "签约");
        const BLACKLISTED: (CustomerLevel, &str) = (Blacklisted, "恶意拖欠");
        match level {
            CustomerLevel::Lead => &[],
            Contacted => &[CONTACTED],
            Prospect => &[CONTACTED, PROSPECT],
            Signed if rng.random_range(0..100) < 20 => &[CONTACTED, SIGNED],
            Signed => &[CONTACTED, PROSPECT, SIGNED],
            Blacklisted if rng.random_bool(0.5) => &[CONTACTED, BLACKLISTED],
            Blacklisted => &[BLACKLISTED],
        }
    };
    // Minutes after it came; a path that would run past now is squeezed into the time since it
    // came, so no moves pile up at the generator's own instant.
    let mut offsets = Vec::with_capacity(path.len());
    let mut minutes = 0i64;
    for i in 0..path.len() {
        let days: i64 = match i {
            0 => rng.random_range(1..20),
            1 => rng.random_range(3..45),
            _ => rng.random_range(5..60),
        };
        minutes += days * 24 * 60 + rng.random_range(0..600);
        offsets.push(minutes);
    }
    let room = (refs.now - created_at).num_minutes().max(1);
    let mut from = CustomerLevel::Lead;
    for ((to, reason), offset) in path.iter().zip(offsets) {
        let offset = if minutes > room {
            offset * room / (minutes + 1)
        } else {
            offset
        };
        out.level_moves.push(bulk::LevelMoveRow {
            at: created_at + Duration::minutes(offset),
            user_id: Some(owner),
            action: "level".into(),
            entity: "customer".into(),
            entity_id: Some(id),
            customer_id: Some(id),
            changes: serde_json::json!({"level": {"old": from.as_str(), "new": to.as_str()}, "reason": reason})
                .to_string(),
        });
        from = *to;
    }
    out.customers.push(CustomerRow {
        id,
        name_key: name_key(&name),
        short_name: Some(format!("{brand}{trade_name}")),
        customer_type: if k.is_multiple_of(23) {
            "partner"
        } else {
            "customer"
        }
        .into(),
        level: level.as_str().into(),
        grade: (level == CustomerLevel::Signed)
            .then(|| i16::from(grade_for(Money::from_minor(signed_total), &refs.thresholds))),
        industry_id: refs
            .industries
            .iter()
            .find(|(n, _)| n == industry)
            .map(|(_, id)| *id),
        region_id: region,
        source_id: Some(refs.sources[k % refs.sources.len()]),
        address: Some(format!(
            "{city_name}{}路{}号",
            ["经十", "泉城", "人民", "解放", "建设"][k % 5],
            1 + k % 300
        )),
        phone_key: phone_key(&phone),
        phone: Some(phone),
        website_key: website.as_deref().and_then(website_key),
        website,
        owner_id: owner,
        review_status: "approved".into(),
        signed_total,
        last_contact_at: last_contact,
        created_by: Some(owner),
        created_at,
        updated_at,
        owner_since: Some(created_at),
        name,
    });
}

fn flush(conn: &mut DbConnection, b: &Batch, grams: &[(i64, i64, i64)]) -> anyhow::Result<()> {
    crm_db::write_tx(conn, |conn| {
        bulk::insert_customers(conn, &b.customers)?;
        bulk::insert_contacts(conn, &b.contacts)?;
        crm_db::search::insert(conn, grams)?;
        bulk::insert_activities(conn, &b.activities)?;
        bulk::insert_reminders(conn, &b.reminders)?;
        bulk::insert_orders(conn, &b.orders)?;
        bulk::insert_order_lines(conn, &b.lines)?;
        bulk::insert_installments(conn, &b.installments)?;
        bulk::insert_receipts(conn, &b.receipts)?;
        bulk::insert_allocations(conn, &b.allocations)?;
        bulk::insert_opportunities(conn, &b.deals)?;
        bulk::insert_expenses(conn, &b.expenses)?;
        bulk::insert_tickets(conn, &b.tickets.0)?;
        bulk::insert_ticket_events(conn, &b.tickets.1)?;
        bulk::insert_opportunity_moves(conn, &b.deal_moves)?;
        bulk::insert_level_moves(conn, &b.level_moves)?;
        Ok::<_, crm_db::RepoError>(())
    })?;
    Ok(())
}

/// A progress bar of `len` steps on the terminal, or a hidden one.
fn progress_bar(shown: bool, len: usize, template: &str) -> ProgressBar {
    if !shown {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len as u64);
    bar.set_style(
        ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}

/// Inserts the search index rows in index order, then lets the bulk loader finish the index.
fn build_search_index(
    conn: &mut DbConnection,
    mut rows: Vec<(i64, i64, i64)>,
    progress: bool,
) -> anyhow::Result<()> {
    let bar = progress_bar(
        progress,
        rows.len(),
        "{elapsed_precise} [{wide_bar}] {pos}/{len} search index rows",
    );
    crm_db::search::in_key_order(&mut rows);
    for chunk in rows.chunks(500_000) {
        crm_db::write_tx(conn, |conn| crm_db::search::insert(conn, chunk))?;
        bar.inc(chunk.len() as u64);
    }
    bar.finish();
    bulk::finish_search_index(conn)?;
    Ok(())
}

/// Fills an empty database with `customers` customers (and everything in proportion); every user's
/// password is the demo password, whose hash is `password_hash`.
pub fn generate(
    conn: &mut DbConnection,
    customers: usize,
    seed_value: u64,
    progress: bool,
    password_hash: &str,
) -> anyhow::Result<Summary> {
    let started = Instant::now();
    if customers > name_space() {
        bail!("at most {} customers can be generated", name_space());
    }
    seed::ensure_base_data(conn)?;
    if !crm_db::users::is_empty(conn)? {
        bail!("the database is not empty: generate into a new one");
    }
    let load = bulk::begin_load(conn)?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed_value);
    seed::seed_demo(conn, 0, password_hash)?;
    let sellers = grow_organisation(conn, &mut rng, password_hash)?;
    let admin = crm_db::users::credentials(conn, "admin")?
        .context("admin missing")?
        .user_id;
    let finance = crm_db::users::credentials(conn, "fin_a")?
        .context("fin_a missing")?
        .user_id;
    let products = seed::seed_products(conn, admin)?;
    let director = crm_db::users::credentials(conn, "sales_dir")?
        .context("sales_dir missing")?
        .user_id;
    let dict = |conn: &mut DbConnection, kind| -> anyhow::Result<Vec<(String, i64)>> {
        Ok(crm_db::dictionaries::list(conn, kind, false)?
            .into_iter()
            .map(|d| (d.name, d.id))
            .collect())
    };
    let ids_of = |v: Vec<(String, i64)>| v.into_iter().map(|(_, id)| id).collect::<Vec<_>>();
    let settings = crm_db::settings::get(conn)?.settings;
    let now = Utc::now();
    let refs = Refs {
        finance,
        regions: dict(conn, DictionaryKind::Region)?,
        industries: dict(conn, DictionaryKind::Industry)?,
        sources: ids_of(dict(conn, DictionaryKind::CustomerSource)?),
        activity_types: ids_of(dict(conn, DictionaryKind::ActivityType)?),
        methods: ids_of(dict(conn, DictionaryKind::PaymentMethod)?),
        products: products
            .iter()
            .map(|p| (p.id, p.list_price.minor(), p.service_months))
            .collect(),
        stages: crm_db::dictionaries::list(conn, DictionaryKind::OpportunityStage, false)?
            .into_iter()
            .map(|s| (s.id, s.probability.unwrap_or(0)))
            .collect(),
        thresholds: settings.grade_thresholds.clone(),
        spenders: crate::expenses::Spenders::load(conn, &sellers, director)?,
        handler: crm_db::users::credentials(conn, "cs_a")?
            .context("cs_a missing")?
            .user_id,
        today: time::local_date(now, time::zone(&settings.time_zone)),
        zone: time::zone(&settings.time_zone),
        now: now.naive_utc(),
        sellers,
    };
    let bar = progress_bar(
        progress,
        customers,
        "{elapsed_precise} [{wide_bar}] {pos}/{len} customers ({per_sec}, {eta} left)",
    );
    let mut ids = Ids::default();
    let mut summary = Summary {
        users: crm_db::users::count(conn)? as usize,
        customers,
        ..Summary::default()
    };
    const BATCH: usize = 5_000;
    // Where the loader defers the search index (see `bulk::begin_load`), its rows are kept here
    // and inserted in key order at the end.
    let defer = load.defer_search_index;
    let mut grams: Vec<(i64, i64, i64)> = Vec::new();
    if defer {
        grams.reserve(customers * 18);
    }
    let mut k = 0;
    while k < customers {
        let mut batch = Batch::default();
        let end = (k + BATCH).min(customers);
        for i in k..end {
            customer(i, seed_value, &refs, &mut ids, &mut batch);
        }
        let mut rows = bulk::search_rows(&batch.customers, &batch.contacts);
        if defer {
            grams.append(&mut rows);
        } else {
            crm_db::search::in_key_order(&mut rows);
        }
        flush(conn, &batch, &rows)?;
        summary.contacts += batch.contacts.len();
        summary.activities += batch.activities.len();
        summary.reminders += batch.reminders.len();
        summary.orders += batch.orders.len();
        summary.installments += batch.installments.len();
        summary.receipts += batch.receipts.len();
        summary.opportunities += batch.deals.len();
        summary.expenses += batch.expenses.len();
        summary.tickets += batch.tickets.0.len();
        bar.set_position(end as u64);
        k = end;
    }
    bar.finish();
    if defer {
        build_search_index(conn, grams, progress)?;
    }
    // The company's knowledge: about one article per ten customers.
    summary.articles = crate::knowledge::generate_articles(
        conn,
        customers / 10,
        seed_value,
        &SYLLABLES,
        refs.now,
    )?;
    let days: Vec<(NaiveDate, i32)> = ids.order_seq.iter().map(|(d, n)| (*d, *n)).collect();
    bulk::insert_numbers(conn, crm_db::numbering::Numbered::Order, &days)?;
    let days: Vec<(NaiveDate, i32)> = ids.tickets.numbers.iter().map(|(d, n)| (*d, *n)).collect();
    bulk::insert_numbers(conn, crm_db::numbering::Numbered::Ticket, &days)?;
    bulk::reset_sequences(conn)?;
    bulk::finish_load(conn)?;
    summary.seconds = started.elapsed().as_secs_f64();
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn names_are_distinct() {
        let mut seen = HashSet::new();
        for k in 0..200_000 {
            assert!(seen.insert(name_parts(k)), "{k}");
        }
        assert!(name_space() >= 1_000_000);
    }
}
