//! The demo company's documents: the promotion proposals (网络推广方案) s1_a sent to customers,
//! kept on the customer and on the deal, as plain text files in the document store.

use crate::acting_as;
use anyhow::Result;
use crm_db::DbConnection;
use crm_db::documents::{self, NewDocument};
use crm_db::files::Store;
use crm_domain::api::{CustomerQuery, OpportunityQuery};
use crm_domain::document::DocumentOf;

fn proposal(customer: &str, months: u32, budget: u32) -> String {
    format!(
        "{customer} 网络推广方案\n\
         ========================\n\n\
         一、目标\n  {months} 个月内让本地客户在百度搜索到贵公司，咨询量每月稳定增长。\n\n\
         二、方案\n  1. 关键词：首批 300 个产品词与地域词，按需求分组。\n  \
         2. 创意与落地页：每组关键词配两条创意，落地页突出电话与在线咨询。\n  \
         3. 月度优化：每月一次搜索词报告与否定词整理。\n\n\
         三、预算\n  推广预算每月 {budget} 元，服务费另计；预算按点击消耗，不会超支。\n\n\
         四、联系人\n  客户经理：李销售（一部）\n"
    )
}

/// Attaches proposals to s1_a's first customers and deal; answers how many.
pub fn seed_demo_documents(conn: &mut DbConnection, store: &Store) -> Result<usize> {
    let Some(seller) = crm_db::users::credentials(conn, "s1_a")?.map(|x| x.user_id) else {
        return Ok(0);
    };
    let actor = acting_as(seller);
    let customers: Vec<(i64, String)> = crm_db::customers::list(
        conn,
        &actor,
        &CustomerQuery {
            owner_id: Some(seller),
            limit: Some(3),
            ..Default::default()
        },
    )?
    .items
    .into_iter()
    .map(|x| (x.id, x.name))
    .collect();
    let deal = crm_db::opportunities::list(
        conn,
        &actor,
        &OpportunityQuery {
            owner_id: Some(seller),
            limit: Some(1),
            ..Default::default()
        },
    )?
    .items
    .into_iter()
    .next();
    let mut attached = 0;
    let mut attach = |conn: &mut DbConnection, target: DocumentOf, name: String, text: String| {
        let sha256 = store.put(text.as_bytes())?;
        documents::create(
            conn,
            &actor,
            &NewDocument {
                target,
                title: None,
                file_name: name,
                content_type: "text/plain".into(),
                size_bytes: text.len() as i64,
                sha256,
                thumbnail_sha256: None,
            },
        )?;
        attached += 1;
        anyhow::Ok(())
    };
    for (i, (id, name)) in customers.iter().enumerate() {
        let months = [12, 6, 24][i % 3];
        let budget = [3000, 1500, 5000][i % 3];
        attach(
            conn,
            DocumentOf::Customer(*id),
            format!("{name}-网络推广方案.txt"),
            proposal(name, months, budget),
        )?;
    }
    if let Some(deal) = deal {
        let name = deal.customer.name;
        attach(
            conn,
            DocumentOf::Opportunity(deal.id),
            format!("{name}-推广方案-修订版.txt"),
            proposal(&name, 12, 4000),
        )?;
    }
    Ok(attached)
}
