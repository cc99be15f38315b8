//! The demo company's deals: competitor profiles, and on every prospect and signed customer one to
//! three opportunities across the stages, with key contacts, competitors met and quote versions.
//! Signed customers won their first deal by accepting its latest quote (a draft order with the same
//! lines); some deals were lost to named competitors. Deterministic, like the rest of the demo.

use crate::acting_as;
use anyhow::Result;
use crm_db::DbConnection;
use crm_domain::Money;
use crm_domain::api::{
    DictionaryKind, LoseRequest, NewCompetitor, NewDealCompetitor, NewKeyContact, NewOpportunity,
    NewQuote, OrderLineInput,
};
use crm_domain::opportunity::{ContactRole, OpportunityAction, QuoteAction};

/// (name, website, strengths, weaknesses, products, pricing).
const COMPETITORS: [(&str, &str, &str, &str, &str, &str); 5] = [
    (
        "齐鲁网盟",
        "http://www.qlwm.example/",
        "本地渠道多，价格低",
        "服务响应慢，案例少",
        "推广套餐、建站",
        "年度套餐比我们低约 15%",
    ),
    (
        "泉城数字",
        "http://www.qcsz.example/",
        "建站设计好",
        "没有搜索优化服务",
        "企业网站",
        "按页数计价",
    ),
    (
        "百度推广代理商",
        "",
        "品牌知名度高",
        "价格高，合同僵硬",
        "搜索推广",
        "预充值，最低 5 万",
    ),
    (
        "华东云服务",
        "http://www.hdcloud.example/",
        "主机稳定，价格透明",
        "不做推广",
        "云主机、邮箱",
        "按月付费",
    ),
    (
        "易站通",
        "http://www.yizhantong.example/",
        "模板便宜，上线快",
        "模板雷同，售后差",
        "模板建站",
        "1980 元起",
    ),
];

/// What a deal is for, after the product's name: 年度推广套餐·新签.
const PURPOSES: [&str; 5] = ["新签", "续约", "扩容", "升级", "加购"];

const LOST_REASONS: [&str; 3] = ["价格高于对手", "客户预算削减", "对手关系更好"];

/// Seeds the deals of the `buying` customers: `(index, customer id, owner, signed)`.
pub fn seed_demo_deals(conn: &mut DbConnection, buying: &[(usize, i64, i64, bool)]) -> Result<()> {
    let Some(gm) = crm_db::users::credentials(conn, "gm")?.map(|c| c.user_id) else {
        return Ok(());
    };
    let stages = crm_db::dictionaries::list(conn, DictionaryKind::OpportunityStage, false)?;
    let products = crm_db::products::list(conn, false)?;
    if stages.is_empty() || products.is_empty() {
        return Ok(());
    }
    let mut competitors = Vec::new();
    for (name, website, strengths, weaknesses, offer, pricing) in COMPETITORS {
        let text = |t: &str| (!t.is_empty()).then(|| t.to_string());
        let new = NewCompetitor {
            name: name.into(),
            website: text(website),
            strengths: text(strengths),
            weaknesses: text(weaknesses),
            products: text(offer),
            pricing: text(pricing),
        };
        competitors.push(crm_db::competitors::create(conn, &acting_as(gm), &new)?.id);
    }
    let today = crm_db::settings::today(conn)?;
    for &(i, customer_id, owner, signed) in buying {
        let actor = acting_as(owner);
        let contacts = crm_db::customers::contacts_of(conn, &actor, customer_id)?;
        let deals = 1 + i % 3;
        for k in 0..deals {
            let n = i + k;
            let won = signed && k == 0;
            // Won deals went through every stage; the others are spread over them.
            let stage = if won {
                stages.len() - 1
            } else {
                n % stages.len()
            };
            let product = &products[n % products.len()];
            let quantity = if product.code == "SEO-M" {
                6
            } else {
                1 + (n % 2) as i32
            };
            let amount = product
                .list_price
                .checked_mul(i64::from(quantity))
                .unwrap_or(Money::ZERO);
            let new = NewOpportunity {
                customer_id,
                title: format!("{}·{}", product.name, PURPOSES[n % PURPOSES.len()]),
                stage_id: Some(stages[stage].id),
                amount: Some(amount),
                probability: None,
                expected_close_on: today.checked_add_days(chrono::Days::new((n * 11 % 90) as u64)),
                owner_id: Some(owner),
                source_id: None,
                description: None,
            };
            let deal = crm_db::opportunities::create(conn, &actor, &new)?;
            if let Some(c) = contacts.get(k % contacts.len().max(1)) {
                let role = ContactRole::ALL[n % ContactRole::ALL.len()];
                let key = NewKeyContact {
                    contact_id: c.id,
                    role: if k == 0 {
                        ContactRole::DecisionMaker
                    } else {
                        role
                    },
                };
                crm_db::opportunities::add_contact(conn, &actor, deal.id, &key)?;
            }
            if n % 3 == 0 || won {
                let met = NewDealCompetitor {
                    competitor_id: competitors[n % competitors.len()],
                    strengths: Some("服务团队在本地，响应快".into()),
                    weaknesses: Some("单价略高".into()),
                    threat: 1 + (n % 5) as i16,
                };
                crm_db::opportunities::add_competitor(conn, &actor, deal.id, &met)?;
            }
            // Quotes from the proposal stage on: a first version, and a cheaper second one.
            let mut latest = None;
            if stage >= 2 {
                let line = |discount: i64| OrderLineInput {
                    product_id: product.id,
                    quantity,
                    unit_price: product.list_price,
                    discount: Money::from_minor(discount),
                };
                let first = NewQuote {
                    lines: vec![line(0)],
                    valid_until: None,
                    notes: Some("含一年服务".into()),
                };
                let q = crm_db::quotes::create_on(conn, &actor, deal.id, &first, today)?;
                crm_db::quotes::act(conn, &actor, q.id, QuoteAction::Send)?;
                latest = Some(q.id);
                if n % 2 == 0 || won {
                    let second = NewQuote {
                        lines: vec![line(product.list_price.minor() / 10)],
                        valid_until: None,
                        notes: Some("第二版：九折".into()),
                    };
                    latest =
                        Some(crm_db::quotes::create_on(conn, &actor, deal.id, &second, today)?.id);
                }
            }
            if won {
                if let Some(q) = latest {
                    crm_db::quotes::act(conn, &actor, q, QuoteAction::Accept)?;
                }
            } else if n % 7 == 0 {
                let lose = LoseRequest {
                    version: deal.version,
                    lost_reason: LOST_REASONS[n % LOST_REASONS.len()].into(),
                    competitor_id: Some(competitors[n % competitors.len()]),
                };
                let deal = crm_db::opportunities::get(conn, &actor, deal.id)?;
                crm_db::opportunities::change_status(
                    conn,
                    &actor,
                    deal.id,
                    OpportunityAction::Lose,
                    deal.version,
                    &(&lose).into(),
                )?;
            }
        }
    }
    Ok(())
}
