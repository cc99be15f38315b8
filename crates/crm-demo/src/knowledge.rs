//! The demo company's knowledge: how Baidu promotion works and how to sell it, the questions
//! customers ask, monthly sales bulletins (the latest within the week, so Today shows it), and one
//! question a salesperson suggested that waits for an editor.

use crate::acting_as;
use anyhow::Result;
use crm_db::DbConnection;
use crm_domain::api::{DictionaryKind, NewArticle};
use crm_domain::knowledge::{ArticleKind, ArticleStatus};

const KB: [(&str, &str, &str); 4] = [
    (
        "百度推广",
        "百度推广基础：关键词、出价与质量度",
        "## 三个要素\n\n1. **关键词**：客户会搜索的词，按产品、地区、需求分组。\n2. **出价**：每次点击愿付的最高价格，热门词竞争激烈。\n3. **质量度**：创意与落地页的相关程度，质量度越高，同样的排名花费越少。\n\n## 给客户的建议\n\n- 先选 50–100 个精准长尾词，不要一开始就抢行业大词。\n- 每周看一次搜索词报告，否定无效词。\n- 落地页要有电话和在线咨询入口。",
    ),
    (
        "销售技巧",
        "电话开场白：30 秒说清来意",
        "好的开场白回答客户心里的三个问题：**你是谁、为什么找我、对我有什么好处**。\n\n> 王总您好，我是济南网络推广公司的小李。看到贵公司在做机械配件，我们帮同行的鑫源机械做推广，三个月询盘翻了一倍，想花两分钟跟您说说怎么做到的。\n\n被拒绝时不要争辩，约定下次联系的时间，并记在客户接触里。",
    ),
    (
        "销售技巧",
        "老客户续费：到期前 60 天开始",
        "续费是公司的生命线。到期前 **60 天**回访一次，带上这一年的推广数据（展现、点击、咨询量）；**30 天**时给出续费方案；**7 天**时确认合同和回款。\n\n有投诉未解决的客户先解决投诉，再谈续费。",
    ),
    (
        "产品知识",
        "年度推广套餐包含什么",
        "| 项目 | 内容 |\n|---|---|\n| 账户开通 | 百度推广账户开户与资质审核 |\n| 关键词方案 | 首批 300 个关键词与创意 |\n| 月度优化 | 每月一次账户优化与报告 |\n| 网站诊断 | 落地页转化建议 |\n",
    ),
];

const FAQ: [(&str, &str); 12] = [
    (
        "推广费用怎么算？",
        "按点击收费：展现不收费，客户点击一次扣一次费，单价由出价和质量度决定。",
    ),
    (
        "多久能看到效果？",
        "账户审核通过后当天即可上线，一般两到四周能看出哪些关键词带来咨询。",
    ),
    (
        "可以只在济南本地推广吗？",
        "可以。推广地域可以精确到城市，也可以设置时段，只在工作时间展示。",
    ),
    (
        "预算用完了会怎样？",
        "当天预算用完后广告自动下线，第二天恢复，不会超支。",
    ),
    (
        "续费可以打折吗？",
        "老客户续费享受九折；一次续两年再减一个月服务费。",
    ),
    (
        "竞争对手恶意点击怎么办？",
        "百度有无效点击过滤，我们也会每周检查 IP 并屏蔽异常来源。",
    ),
    (
        "网站没有备案能推广吗？",
        "不能。推广的落地页必须备案，我们可以协助办理。",
    ),
    ("合同签了多久能开户？", "资料齐全时三个工作日内开户。"),
    (
        "发票怎么开？",
        "回款到账后由财务开具增值税发票，普通发票或专用发票均可。",
    ),
    (
        "可以中途换关键词吗？",
        "随时可以，客户经理每月优化时也会根据数据调整。",
    ),
    (
        "手机上能看到广告吗？",
        "可以，默认电脑和手机同时投放，也可以分别设置出价。",
    ),
    (
        "推广账户归谁所有？",
        "账户开在客户名下，归客户所有，我们负责代运营。",
    ),
];

const BULLETINS: [(i64, &str, &str); 3] = [
    (
        2,
        "十二月第一周喜报：销售一部签单五家",
        "销售一部本周签下五家年度推广客户，其中 **恒达机械制造** 一次续费两年。大家加油！",
    ),
    (
        35,
        "十一月销售通报：回款率 92%",
        "十一月全公司签单 38 家，回款率 92%。续费率最高的是销售二部。",
    ),
    (
        65,
        "十月销售通报：新人首单",
        "欢迎新同事，祝贺销售一部新人完成首单。",
    ),
];

/// Writes the demo knowledge: `editor` (a sales manager) writes, `seller` suggests a question.
pub(crate) fn seed_demo_knowledge(conn: &mut DbConnection, editor: i64, seller: i64) -> Result<()> {
    let categories = crm_db::dictionaries::list(conn, DictionaryKind::ArticleCategory, true)?;
    let category = |name: &str| categories.iter().find(|c| c.name == name).map(|c| c.id);
    let faq_category = category("销售技巧");
    let write = |conn: &mut DbConnection, who: i64, new: NewArticle| {
        crm_db::articles::create(conn, &acting_as(who), &new)
    };
    for (i, (cat, title, body)) in KB.into_iter().enumerate() {
        write(
            conn,
            editor,
            NewArticle {
                kind: ArticleKind::Kb,
                category_id: category(cat),
                title: title.into(),
                body: body.into(),
                tags: vec![cat.into()],
                pinned: i == 0,
                status: Some(ArticleStatus::Published),
            },
        )?;
    }
    for (question, answer) in FAQ {
        write(
            conn,
            editor,
            NewArticle {
                kind: ArticleKind::Faq,
                category_id: faq_category,
                title: question.into(),
                body: answer.into(),
                tags: Vec::new(),
                pinned: false,
                status: Some(ArticleStatus::Published),
            },
        )?;
    }
    for (days_ago, title, body) in BULLETINS.into_iter().rev() {
        let a = write(
            conn,
            editor,
            NewArticle {
                kind: ArticleKind::Bulletin,
                category_id: None,
                title: title.into(),
                body: body.into(),
                tags: Vec::new(),
                pinned: false,
                status: Some(ArticleStatus::Published),
            },
        )?;
        crm_db::articles::backdate(conn, a.id, chrono::Duration::days(days_ago))?;
    }
    write(
        conn,
        seller,
        NewArticle {
            kind: ArticleKind::Faq,
            category_id: faq_category,
            title: "推广效果不好可以退款吗？".into(),
            body: "客户问过两次，请编辑补充标准回答。".into(),
            tags: Vec::new(),
            pinned: false,
            status: Some(ArticleStatus::Draft),
        },
    )?;
    Ok(())
}
