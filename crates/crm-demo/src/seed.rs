//! What a new database starts with: the standard roles and dictionaries for every installation, and
//! on request (`--demo`) the demo company of the specification.

use crate::acting_as;
use anyhow::{Context, Result};
use crm_db::{Actor, DbConnection};
use crm_domain::Money;
use crm_domain::api::{DictionaryKind, LevelChange, NewDepartment, NewDictionaryItem, NewUser};
use crm_domain::roles::StandardRole;

/// The default probability of each standard opportunity stage, in the stages' order.
const STAGE_PROBABILITIES: [i16; 4] = [10, 30, 60, 80];

/// (kind, [(name, English name)]) for every installation.
fn standard_dictionaries() -> Vec<(DictionaryKind, Vec<(&'static str, &'static str)>)> {
    use DictionaryKind::*;
    vec![
        (
            Industry,
            vec![
                ("制造业", "Manufacturing"),
                ("批发零售", "Wholesale and retail"),
                ("餐饮酒店", "Catering and hotels"),
                ("教育培训", "Education and training"),
                ("医疗健康", "Healthcare"),
                ("房地产", "Real estate"),
                ("建筑装修", "Construction and decoration"),
                ("信息技术", "Information technology"),
                ("金融保险", "Finance and insurance"),
                ("物流运输", "Logistics"),
                ("农业", "Agriculture"),
                ("文化传媒", "Culture and media"),
                ("汽车", "Automotive"),
            ],
        ),
        (
            CustomerSource,
            vec![
                ("电话营销", "Telemarketing"),
                ("客户介绍", "Referral"),
                ("网络推广", "Online marketing"),
                ("展会", "Trade fair"),
                ("上门拜访", "Cold visit"),
                ("其他", "Other"),
            ],
        ),
        (
            ActivityType,
            vec![
                ("拜访", "Visit"),
                ("电话", "Phone call"),
                ("邮件", "E-mail"),
                ("会议", "Meeting"),
                ("其他", "Other"),
            ],
        ),
        (
            OpportunityStage,
            vec![
                ("初步接触", "Initial"),
                ("需求确认", "Needs"),
                ("方案报价", "Proposal"),
                ("商务谈判", "Negotiation"),
            ],
        ),
        (
            ExpenseCategory,
            vec![
                ("交通", "Travel"),
                ("招待", "Entertainment"),
                ("礼品", "Gifts"),
                ("通讯", "Telephone"),
                ("其他", "Other"),
                ("差旅", "Business trips"),
                ("推广物料", "Promotional material"),
            ],
        ),
        (
            ArticleCategory,
            vec![
                ("百度推广", "Baidu promotion"),
                ("销售技巧", "Sales techniques"),
                ("产品知识", "Product knowledge"),
                ("公司制度", "Company policies"),
            ],
        ),
        (
            PaymentMethod,
            vec![
                ("银行转账", "Bank transfer"),
                ("现金", "Cash"),
                ("支票", "Cheque"),
                ("支付宝", "Alipay"),
                ("微信支付", "WeChat Pay"),
            ],
        ),
    ]
}

/// Shandong's cities: the demo company sells there, and it is a fine default region tree.
pub const SHANDONG: [(&str, &str); 16] = [
    ("济南市", "Jinan"),
    ("青岛市", "Qingdao"),
    ("淄博市", "Zibo"),
    ("枣庄市", "Zaozhuang"),
    ("东营市", "Dongying"),
    ("烟台市", "Yantai"),
    ("潍坊市", "Weifang"),
    ("济宁市", "Jining"),
    ("泰安市", "Tai'an"),
    ("威海市", "Weihai"),
    ("日照市", "Rizhao"),
    ("临沂市", "Linyi"),
    ("德州市", "Dezhou"),
    ("聊城市", "Liaocheng"),
    ("滨州市", "Binzhou"),
    ("菏泽市", "Heze"),
];

/// Creates the standard roles and dictionaries when the database has none. Safe to call on every start.
pub fn ensure_base_data(conn: &mut DbConnection) -> Result<()> {
    if crm_db::roles::list(conn)?.is_empty() {
        for role in StandardRole::ALL {
            crm_db::roles::create_standard(conn, role)?;
        }
    }
    let system = Actor::system();
    let item = |name: &str, en: &str, parent_id: Option<i64>, sort_order: i32| NewDictionaryItem {
        name: name.into(),
        name_en: Some(en.into()),
        parent_id,
        sort_order,
        probability: None,
    };
    for (kind, entries) in standard_dictionaries() {
        if crm_db::dictionaries::list(conn, kind, true)?.is_empty() {
            for (i, (name, en)) in entries.into_iter().enumerate() {
                let mut new = item(name, en, None, i as i32);
                if kind == DictionaryKind::OpportunityStage {
                    new.probability = STAGE_PROBABILITIES.get(i).copied();
                }
                crm_db::dictionaries::create(conn, &system, kind, &new)?;
            }
        }
    }
    if crm_db::dictionaries::list(conn, DictionaryKind::Region, true)?.is_empty() {
        let province = crm_db::dictionaries::create(
            conn,
            &system,
            DictionaryKind::Region,
            &item("山东省", "Shandong", None, 0),
        )?;
        for (i, (name, en)) in SHANDONG.into_iter().enumerate() {
            crm_db::dictionaries::create(
                conn,
                &system,
                DictionaryKind::Region,
                &item(name, en, Some(province.id), i as i32),
            )?;
        }
    }
    Ok(())
}

/// The password of every demo user.
pub const DEMO_PASSWORD: &str = "demo1234";

/// The demo users: (username, display name, department, role).
pub const DEMO_USERS: [(&str, &str, &str, StandardRole); 10] = [
    ("admin", "系统管理员", "行政部", StandardRole::Administrator),
    ("gm", "周总", "总经理室", StandardRole::GeneralManager),
    (
        "sales_dir",
        "销售总监",
        "销售部",
        StandardRole::SalesDirector,
    ),
    (
        "s1_mgr",
        "销售一部经理",
        "销售一部",
        StandardRole::SalesManager,
    ),
    ("s1_a", "业务员", "销售一部", StandardRole::Salesperson),
    ("s1_b", "业务员", "销售一部", StandardRole::Salesperson),
    (
        "s2_mgr",
        "销售二部经理",
        "销售二部",
        StandardRole::SalesManager,
    ),
    ("s2_a", "业务员", "销售二部", StandardRole::Salesperson),
    ("cs_a", "客服", "客户服务部", StandardRole::Service),
    ("fin_a", "财务", "行政部", StandardRole::Finance),
];

/// Seeds the demo company into an empty database, every user with the password whose hash is
/// `password_hash` (the demo password); returns false when the database already has users.
pub fn seed_demo(conn: &mut DbConnection, customers: usize, password_hash: &str) -> Result<bool> {
    ensure_base_data(conn)?;
    if !crm_db::users::is_empty(conn)? {
        return Ok(false);
    }
    // Departments: (name, parent). Created before any user, so the audit actor is the first user
    // created below; department creation here is recorded without one.
    let tree: [(&str, Option<&str>); 6] = [
        ("总经理室", None),
        ("行政部", None),
        ("销售部", None),
        ("销售一部", Some("销售部")),
        ("销售二部", Some("销售部")),
        ("客户服务部", None),
    ];
    let mut ids = std::collections::HashMap::new();
    // All at order 0, so siblings list in the order they were created, new ones last.
    for (name, parent) in tree {
        let parent_id = parent.and_then(|p| ids.get(p).copied());
        let dept = crm_db::departments::create(
            conn,
            &Actor::system(),
            &NewDepartment {
                name: name.into(),
                parent_id,
                sort_order: 0,
            },
        )?;
        ids.insert(name, dept.id);
    }
    // One hash for all demo users: they share the published demo password anyway, and hashing ten
    // times would only slow down every start and every test that seeds the demo.
    for (username, display_name, dept, role) in DEMO_USERS {
        let role_id = crm_db::roles::find_standard(conn, role)?
            .with_context(|| format!("the standard role {} is missing", role.code()))?;
        let user = NewUser {
            username: username.into(),
            display_name: display_name.into(),
            password: DEMO_PASSWORD.into(),
            department_id: ids[dept],
            role_ids: vec![role_id],
            email: None,
            phone: None,
        };
        crm_db::users::create(conn, &Actor::system(), &user, password_hash)?;
    }
    // The company's knowledge does not depend on how many customers the demo has.
    if let (Some(editor), Some(seller)) = (user_id(conn, "s1_mgr")?, user_id(conn, "s1_a")?) {
        crate::knowledge::seed_demo_knowledge(conn, editor, seller)?;
    }
    seed_demo_customers(conn, customers)?;
    Ok(true)
}

/// A demo user's id by username.
fn user_id(conn: &mut DbConnection, name: &str) -> Result<Option<i64>> {
    Ok(crm_db::users::credentials(conn, name)?.map(|c| c.user_id))
}

/// Brand words × trades give distinct, real-looking company names.
const BRANDS: [&str; 30] = [
    "恒达",
    "鲁信",
    "华泰",
    "金诺",
    "宏远",
    "瑞丰",
    "泰和",
    "齐鲁",
    "海岱",
    "正元",
    "博远",
    "新华联",
    "东岳",
    "鑫源",
    "汇通",
    "永盛",
    "天成",
    "安泰",
    "嘉禾",
    "润德",
    "同创",
    "佳和",
    "信诚",
    "联兴",
    "长河",
    "百川",
    "优品",
    "蓝海",
    "启航",
    "和顺",
];
const TRADES: [(&str, &str); 10] = [
    ("机械制造", "制造业"),
    ("商贸", "批发零售"),
    ("餐饮管理", "餐饮酒店"),
    ("教育咨询", "教育培训"),
    ("医疗器械", "医疗健康"),
    ("置业", "房地产"),
    ("装饰工程", "建筑装修"),
    ("网络科技", "信息技术"),
    ("物流", "物流运输"),
    ("文化传媒", "文化传媒"),
];
const SURNAMES: [&str; 12] = [
    "王", "李", "张", "刘", "陈", "杨", "赵", "孙", "周", "吴", "徐", "高",
];
const TITLES: [&str; 5] = ["总经理", "市场部经理", "采购主管", "行政主管", "老板"];

/// The demo company's customers: spread over the salespeople, Shandong's cities, a dozen industries
/// and the pipeline's levels, each with a contact or two. Deterministic, so every demo looks alike.
fn seed_demo_customers(conn: &mut DbConnection, count: usize) -> Result<()> {
    use crm_domain::api::{CustomerType, DictionaryKind, NewContact, NewCustomer};
    use crm_domain::customer::CustomerLevel;
    if count == 0 {
        return Ok(());
    }
    let owners: Vec<i64> = ["s1_a", "s1_b", "s2_a", "s1_mgr", "s2_mgr"]
        .iter()
        .filter_map(|u| {
            crm_db::users::credentials(conn, u)
                .ok()
                .flatten()
                .map(|c| c.user_id)
        })
        .collect();
    let industries = crm_db::dictionaries::list(conn, DictionaryKind::Industry, false)?;
    let sources = crm_db::dictionaries::list(conn, DictionaryKind::CustomerSource, false)?;
    let cities: Vec<_> = crm_db::dictionaries::list(conn, DictionaryKind::Region, false)?
        .into_iter()
        .filter(|r| r.parent_id.is_some())
        .collect();
    if owners.is_empty() || cities.is_empty() {
        return Ok(());
    }
    let mut contacted = Vec::new();
    let mut buying = Vec::new();
    let mut pooled = Vec::new();
    for i in 0..count.min(BRANDS.len() * TRADES.len()) {
        let brand = BRANDS[i % BRANDS.len()];
        let (trade, industry) = TRADES[(i / BRANDS.len()) % TRADES.len()];
        let city = &cities[(i * 7) % cities.len()];
        let city_name = city.name.trim_end_matches('市');
        let owner = owners[i % owners.len()];
        let new = NewCustomer {
            name: format!("{city_name}{brand}{trade}有限公司"),
            short_name: Some(format!("{brand}{trade}")),
            type_: if i % 23 == 0 {
                CustomerType::Partner
            } else {
                CustomerType::Customer
            },
            industry_id: industries.iter().find(|d| d.name == industry).map(|d| d.id),
            region_id: Some(city.id),
            source_id: sources.get(i % sources.len().max(1)).map(|d| d.id),
            size: None,
            address: Some(format!(
                "{}{}路{}号",
                city.name,
                ["经十", "泉城", "人民", "解放", "建设"][i % 5],
                10 + i % 190
            )),
            phone: Some(format!(
                "0{}-{}",
                531 + (i % 16),
                80_000_000 + i * 7919 % 9_999_999
            )),
            website: (i % 4 == 0).then(|| format!("http://www.demo{i}.cn/")),
            owner_id: Some(owner),
            notes: None,
        };
        let actor = acting_as(owner);
        let customer = match crm_db::customers::create(conn, &actor, &new) {
            Ok(c) => c,
            // A generated name that collides with an earlier one is simply skipped.
            Err(crm_db::RepoError::Duplicate(_)) => continue,
            Err(e) => return Err(e.into()),
        };
        // Customers came, to the owners who have them, a month to a little over a year ago.
        let since =
            chrono::Utc::now().naive_utc() - chrono::Duration::days(30 + (i * 53 % 400) as i64);
        crm_db::bulk::set_owner_since(conn, customer.id, since)?;
        let level = match i % 10 {
            0..=3 => CustomerLevel::Lead,
            4..=5 => CustomerLevel::Contacted,
            6..=7 => CustomerLevel::Prospect,
            8 => CustomerLevel::Signed,
            _ if i % 20 == 9 => CustomerLevel::Blacklisted,
            _ => CustomerLevel::Signed,
        };
        // Up the pipeline a level at a time, as a salesperson would have moved it.
        let path: &[CustomerLevel] = match level {
            CustomerLevel::Lead => &[],
            CustomerLevel::Contacted => &[CustomerLevel::Contacted],
            CustomerLevel::Prospect => &[CustomerLevel::Contacted, CustomerLevel::Prospect],
            CustomerLevel::Signed => &[
                CustomerLevel::Contacted,
                CustomerLevel::Prospect,
                CustomerLevel::Signed,
            ],
            CustomerLevel::Blacklisted => &[CustomerLevel::Contacted, CustomerLevel::Blacklisted],
        };
        for step in path {
            let change = LevelChange {
                level: *step,
                reason: "演示数据 demo data".into(),
            };
            crm_db::customers::set_level(conn, &actor, customer.id, &change)?;
        }
        let mut first_contact = None;
        for k in 0..(1 + i % 2) {
            let contact = NewContact {
                name: format!(
                    "{}{}",
                    SURNAMES[(i + k * 5) % SURNAMES.len()],
                    ["经理", "总", "工", "主任"][(i + k) % 4]
                ),
                title: Some(TITLES[(i + k) % TITLES.len()].to_string()),
                mobile: Some(format!("13{:09}", (i * 104_729 + k * 7) % 1_000_000_000)),
                phone: None,
                email: None,
                im: None,
                birthday: None,
                notes: None,
                is_key: k == 0,
            };
            let made = crm_db::customers::create_contact(conn, &actor, customer.id, &contact)?;
            first_contact.get_or_insert(made.id);
        }
        if level != CustomerLevel::Lead {
            contacted.push((i, customer.id, first_contact, owner));
        } else if i % 30 == 3 {
            pooled.push((i, customer.id));
        }
        if matches!(level, CustomerLevel::Signed | CustomerLevel::Prospect) {
            buying.push((i, customer.id, owner, level == CustomerLevel::Signed));
        }
    }
    seed_demo_activities(conn, &contacted)?;
    seed_demo_orders(conn, &buying)?;
    // The level moves happened over the months each customer has been with its owner: a first
    // contact within days, a deal within weeks, a signature within a month or two.
    crm_db::bulk::spread_level_moves(conn, |customer, k| {
        let c = customer as u64;
        let days = match k {
            0 => 1 + c * 7 % 20,
            1 => 5 + c * 11 % 40,
            _ => 10 + c * 13 % 60,
        };
        chrono::Duration::days(days as i64) + chrono::Duration::hours((c * 5 % 24) as i64)
    })?;
    // A few leads the managers gave up on wait in the public pool (公海).
    for &(i, id) in &pooled {
        let release = crm_domain::api::ReleaseRequest {
            reason: ["长期联系不上", "客户暂无预算", "业务调整，放回公海"][i % 3].into(),
        };
        crm_db::pool::release(conn, &acting_as(owners[i % owners.len()]), id, &release)?;
    }
    // Deals on every prospect and signed customer, and on half of the first salesperson's
    // contacted ones (whose first deal makes them prospects), so that each demo login has a board.
    let mut dealing = buying.clone();
    dealing.extend(
        contacted
            .iter()
            .filter(|&&(i, _, _, owner)| owner == owners[0] && i % 10 == 5)
            .map(|&(i, id, _, owner)| (i, id, owner, false)),
    );
    crate::deals::seed_demo_deals(conn, &dealing)?;
    // A year of expenses for every seller and manager.
    let mut sellers = Vec::new();
    for (name, manager) in [
        ("s1_a", false),
        ("s1_b", false),
        ("s2_a", false),
        ("s1_mgr", true),
        ("s2_mgr", true),
        ("sales_dir", true),
    ] {
        if let Some(user) = user_id(conn, name)? {
            sellers.push((user, manager));
        }
    }
    if let Some(gm) = user_id(conn, "gm")? {
        let spent_on: Vec<(i64, i64)> = contacted
            .iter()
            .map(|&(_, customer, _, owner)| (customer, owner))
            .collect();
        crate::expenses::seed_demo_expenses(conn, &sellers, gm, &spent_on)?;
        if let Some(cs) = user_id(conn, "cs_a")? {
            crate::tickets::seed_demo_tickets(conn, &spent_on, cs)?;
        }
    }
    Ok(())
}

/// The demo company's products.
const PRODUCTS: [(&str, &str, &str, i64, Option<i32>); 4] = [
    ("ADV-Y", "年度推广套餐", "年", 1_280_000, Some(12)),
    ("WEB-B", "企业网站建设", "套", 680_000, None),
    ("SEO-M", "搜索优化月度服务", "月", 150_000, Some(1)),
    ("HOST-Y", "云主机托管", "年", 240_000, Some(12)),
];

/// Creates the demo company's products (as `admin`).
pub fn seed_products(conn: &mut DbConnection, admin: i64) -> Result<Vec<crm_domain::api::Product>> {
    let mut products = Vec::new();
    for (code, name, unit, price, months) in PRODUCTS {
        let new = crm_domain::api::NewProduct {
            code: code.into(),
            name: name.into(),
            unit: unit.into(),
            list_price: Money::from_minor(price),
            renewable: months.is_some(),
            service_months: months,
        };
        products.push(crm_db::products::create(conn, &acting_as(admin), &new)?);
    }
    Ok(products)
}

/// A year of orders: every signed customer has one or two signed orders over the last twelve
/// months, with payment plans and receipts recorded by finance — most installments paid, some
/// overdue, some not yet due — and yearly services ending soon (renewals); a few prospects have a
/// draft.
fn seed_demo_orders(conn: &mut DbConnection, customers: &[(usize, i64, i64, bool)]) -> Result<()> {
    use chrono::{Days, Months};
    use crm_domain::api::{
        InstallmentInput, NewOrder, NewReceipt, OrderLineInput, OrderStatusChange,
        PaymentPlanRequest,
    };
    use crm_domain::order::OrderAction;
    let admin = crm_db::users::credentials(conn, "admin")?.map(|c| c.user_id);
    let finance = crm_db::users::credentials(conn, "fin_a")?.map(|c| c.user_id);
    let (Some(admin), Some(finance)) = (admin, finance) else {
        return Ok(());
    };
    let products = seed_products(conn, admin)?;
    let methods = crm_db::dictionaries::list(conn, DictionaryKind::PaymentMethod, false)?;
    if methods.is_empty() {
        return Ok(());
    }
    let today = crm_db::settings::today(conn)?;
    let finance = acting_as(finance);
    for &(i, customer_id, owner, signed) in customers {
        let owner_id = owner;
        let owner = acting_as(owner_id);
        let orders = if signed {
            1 + i % 2
        } else {
            usize::from(i % 3 == 0)
        };
        for k in 0..orders {
            let product = &products[(i + k) % products.len()];
            let quantity = if product.code == "SEO-M" {
                3 + (i % 4) as i32
            } else {
                1
            };
            // Some lines are sold below the list price.
            let discount = Money::from_minor(if i % 4 == 0 { 50_000 } else { 0 });
            // Signed 20–360 days ago: yearly services signed about a year ago end soon.
            let days_ago = 20 + ((i * 37 + k * 160) % 340) as u64;
            let signed_on = today.checked_sub_days(Days::new(days_ago)).unwrap_or(today);
            let new = NewOrder {
                customer_id,
                owner_id: Some(owner_id),
                opportunity_id: None,
                signed_on: None,
                service_start: product.renewable.then_some(signed_on),
                service_end: None,
                lines: vec![OrderLineInput {
                    product_id: product.id,
                    quantity,
                    unit_price: product.list_price,
                    discount,
                }],
                notes: None,
                contract_no: None,
            };
            let order = crm_db::orders::create_on(conn, &owner, &new, signed_on)?;
            if !signed {
                continue;
            }
            let change = OrderStatusChange {
                version: order.version,
                signed_on: Some(signed_on),
                reason: None,
            };
            let order = crm_db::orders::change_status_on(
                conn,
                &owner,
                order.id,
                OrderAction::Sign,
                &change,
                today,
            )?;
            if i % 3 == 0 {
                let start = OrderStatusChange {
                    version: order.version,
                    signed_on: None,
                    reason: None,
                };
                crm_db::orders::change_status_on(
                    conn,
                    &owner,
                    order.id,
                    OrderAction::Start,
                    &start,
                    today,
                )?;
            }
            // Two to four installments a month or two apart, from the signing date.
            let parts = 2 + (i % 3) as u32;
            let gap = 1 + (i % 2) as u32;
            let plan = PaymentPlanRequest {
                installments: order
                    .total
                    .split_even(parts)
                    .into_iter()
                    .enumerate()
                    .map(|(n, amount)| InstallmentInput {
                        id: None,
                        due_date: signed_on
                            .checked_add_months(Months::new(n as u32 * gap))
                            .unwrap_or(signed_on),
                        amount,
                    })
                    .collect(),
            };
            let plan = crm_db::orders::set_plan(conn, &owner, order.id, &plan)?;
            // Finance records what came in: installments due by now are paid, except that about one
            // customer in five pays late (nothing, or half).
            for inst in plan.installments.iter().filter(|x| x.due_date <= today) {
                let late = (i + k) % 5 == 0 && inst.due_date > today - chrono::Duration::days(120);
                let amount = match (late, i % 2) {
                    (true, 0) => continue,
                    (true, _) => inst.amount.split_even(2)[0],
                    (false, _) => inst.amount,
                };
                if !amount.is_positive() {
                    continue;
                }
                let paid_on = inst
                    .due_date
                    .checked_add_days(Days::new((i % 9) as u64))
                    .unwrap_or(inst.due_date)
                    .min(today);
                let receipt = NewReceipt {
                    amount,
                    received_on: paid_on,
                    method_id: methods[(i + k) % methods.len()].id,
                    note: None,
                    installment_id: Some(inst.id),
                };
                crm_db::orders::record_receipt(conn, &finance, order.id, &receipt)?;
            }
        }
    }
    Ok(())
}

/// (summary, outcome) of demo contacts.
pub const SUMMARIES: [(&str, &str); 8] = [
    ("上门拜访，介绍推广方案", "客户有意向"),
    ("电话回访，了解使用情况", "反馈良好"),
    ("发送报价单", "等待客户确认"),
    ("约见老板，洽谈续费", "同意下月续签"),
    ("参加客户年会", "认识了新的采购负责人"),
    ("电话沟通合同细节", "法务在审核"),
    ("邮件发送案例资料", "客户已读"),
    ("现场培训使用方法", "操作人员已掌握"),
];

const NEXT_STEPS: [&str; 7] = [
    "送报价单",
    "约老板面谈",
    "确认合同条款",
    "回访使用情况",
    "催签续费合同",
    "上门演示新功能",
    "发送案例资料",
];

/// A year of contacts with every customer past `lead`, by its owner: older ones spread over the
/// year, the latest within the last fortnight (some today), and next steps on the latest one — some
/// due today, some overdue, some ahead — so that Today, the agenda and the team view have content.
fn seed_demo_activities(
    conn: &mut DbConnection,
    customers: &[(usize, i64, Option<i64>, i64)],
) -> Result<()> {
    use chrono::{Days, Duration, Utc};
    use crm_domain::api::{DictionaryKind, NewActivity};
    let types = crm_db::dictionaries::list(conn, DictionaryKind::ActivityType, false)?;
    if types.is_empty() {
        return Ok(());
    }
    let today = crm_db::settings::today(conn)?;
    let zone = crm_db::settings::zone(conn)?;
    let now = Utc::now();
    for &(i, customer_id, contact_id, owner) in customers {
        let owner = acting_as(owner);
        let n = 3 + i % 6;
        // Owners go round by `i % 5`; a key that does not follow them spreads the due, overdue and
        // today's contacts over every owner and many customers.
        let key = (i / 5 + i / 3) % 42;
        for j in 0..n {
            let latest = j + 1 == n;
            let occurred_at = if latest && key % 7 == 0 {
                // Today, earlier on: minutes ago, never before today's start.
                let start = crm_domain::time::day_start(today, zone).and_utc();
                (now - Duration::minutes(5 + (i % 180) as i64)).max(start)
            } else {
                let days_ago = (365 * (n - 1 - j) / n + 1 + i % 13) as i64;
                now - Duration::days(days_ago) - Duration::minutes((i * 37 % 600) as i64)
            };
            let logged_on = crm_domain::time::local_date(occurred_at, zone);
            let next_step_on = match (latest, key % 6) {
                (true, 0) => Some(today),
                (true, 1) => logged_on
                    .checked_add_days(Days::new(1))
                    .filter(|d| *d < today),
                (true, 2 | 3) => today.checked_add_days(Days::new(1 + (i % 20) as u64)),
                _ => None,
            };
            let (summary, outcome) = SUMMARIES[(i + j) % SUMMARIES.len()];
            let new = NewActivity {
                opportunity_id: None,
                customer_id,
                contact_id: contact_id.filter(|_| j % 2 == 0),
                type_id: types[(i + j) % types.len()].id,
                occurred_at,
                summary: summary.into(),
                outcome: Some(outcome.into()),
                next_step_on,
                next_step_note: next_step_on
                    .map(|_| NEXT_STEPS[key % NEXT_STEPS.len()].to_string()),
            };
            // Logged back then: a next step that is overdue now was ahead of it on that day.
            crm_db::activities::create_on(conn, &owner, &new, logged_on.min(today))?;
        }
    }
    Ok(())
}
