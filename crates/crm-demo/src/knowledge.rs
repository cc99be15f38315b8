//! The demo company's knowledge: how Baidu promotion works and how to sell it, the questions
//! customers ask, monthly sales bulletins (the latest within the week, so Today shows it), and one
//! question a salesperson suggested that waits for an editor.

use crate::acting_as;
use anyhow::Result;
use crm_db::DbConnection;
use crm_domain::api::{DictionaryKind, NewArticle};
use crm_domain::knowledge::{ArticleKind, ArticleStatus};

/// (category, tag, title, body)
const KB: [(&str, &str, &str, &str); 4] = [
    (
        "百度推广",
        "新人必读",
        "百度推广基础：关键词、出价与质量度",
        "## 三个要素\n\n1. **关键词**：客户会搜索的词，按产品、地区、需求分组。\n2. **出价**：每次点击愿付的最高价格，热门词竞争激烈。\n3. **质量度**：创意与落地页的相关程度，质量度越高，同样的排名花费越少。\n\n## 给客户的建议\n\n- 先选 50–100 个精准长尾词，不要一开始就抢行业大词。\n- 每周看一次搜索词报告，否定无效词。\n- 落地页要有电话和在线咨询入口。",
    ),
    (
        "销售技巧",
        "电话",
        "电话开场白：30 秒说清来意",
        "好的开场白回答客户心里的三个问题：**你是谁、为什么找我、对我有什么好处**。\n\n> 王总您好，我是济南网络推广公司的小李。看到贵公司在做机械配件，我们帮同行的鑫源机械做推广，三个月询盘翻了一倍，想花两分钟跟您说说怎么做到的。\n\n被拒绝时不要争辩，约定下次联系的时间，并记在客户接触里。",
    ),
    (
        "销售技巧",
        "续费",
        "老客户续费：到期前 60 天开始",
        "续费是公司的生命线。到期前 **60 天**回访一次，带上这一年的推广数据（展现、点击、咨询量）；**30 天**时给出续费方案；**7 天**时确认合同和回款。\n\n有投诉未解决的客户先解决投诉，再谈续费。",
    ),
    (
        "产品知识",
        "报价",
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
    for (i, (cat, tag, title, body)) in KB.into_iter().enumerate() {
        write(
            conn,
            editor,
            NewArticle {
                kind: ArticleKind::Kb,
                category_id: category(cat),
                title: title.into(),
                body: body.into(),
                tags: vec![tag.into()],
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

/// What generated articles are about, and what is said of it.
const TOPICS: [&str; 15] = [
    "百度推广",
    "关键词",
    "落地页",
    "电话销售",
    "客户拜访",
    "老客户续费",
    "合同签订",
    "回款催收",
    "竞品分析",
    "搜索优化",
    "网站建设",
    "短视频",
    "小程序",
    "展会",
    "转介绍",
];
const ASPECTS: [&str; 10] = [
    "入门",
    "常见误区",
    "实战案例",
    "十个技巧",
    "话术",
    "检查清单",
    "问答",
    "复盘",
    "注意事项",
    "经验分享",
];
const SENTENCES: [&str; 12] = [
    "先弄清客户的目标，再谈方案和价格。",
    "每次联系都要记在客户接触里，写清下一步。",
    "报价前确认预算和决策人，避免反复改价。",
    "数据说话：展现、点击、咨询量每月给客户看一次。",
    "客户犹豫时给出两个方案，让他在方案之间选择。",
    "续费前六十天回访，三十天给方案，七天确认合同。",
    "投诉先处理，再谈续费，客户才会相信我们。",
    "落地页要有电话、地址和在线咨询三个入口。",
    "长尾词便宜且精准，新账户先从长尾词做起。",
    "拜访前准备同行案例，十分钟内说清楚价值。",
    "回款逾期三天内电话提醒，七天内上门拜访。",
    "竞品低价时强调服务和效果，不要跟着降价。",
];

/// Writes `count` articles for the generator (about one per ten customers), with their search
/// index: kinds, categories and authors spread, dated over three years in id order, each naming a
/// case company (two syllables: a rare search) and a topic (a common one).
pub(crate) fn generate_articles(
    conn: &mut DbConnection,
    count: usize,
    seed: u64,
    syllables: &[&str],
    now: chrono::NaiveDateTime,
) -> Result<usize> {
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed ^ 0x6b6e_6f77);
    let categories: Vec<i64> =
        crm_db::dictionaries::list(conn, DictionaryKind::ArticleCategory, false)?
            .into_iter()
            .map(|c| c.id)
            .collect();
    let mut authors = Vec::new();
    for name in ["sales_dir", "s1_mgr", "s2_mgr"] {
        if let Some(c) = crm_db::users::credentials(conn, name)? {
            authors.push(c.user_id);
        }
    }
    anyhow::ensure!(!authors.is_empty(), "no one to write the articles");
    let first: i64 = crm_db::articles::max_id(conn)? + 1;
    let span = chrono::Duration::days(3 * 365);
    let mut written = 0;
    for start in (0..count).step_by(5_000) {
        let end = (start + 5_000).min(count);
        let mut rows = Vec::with_capacity(end - start);
        let mut grams = Vec::new();
        for i in start..end {
            let id = first + i as i64;
            let topic = TOPICS[rng.random_range(0..TOPICS.len())];
            let aspect = ASPECTS[rng.random_range(0..ASPECTS.len())];
            let case = format!(
                "{}{}",
                syllables[rng.random_range(0..syllables.len())],
                syllables[rng.random_range(0..syllables.len())]
            );
            let kind = match rng.random_range(0..10) {
                0 => ArticleKind::Bulletin,
                1..=3 => ArticleKind::Faq,
                _ => ArticleKind::Kb,
            };
            let title = match kind {
                ArticleKind::Faq => format!("{topic}怎么做{aspect}？"),
                ArticleKind::Bulletin => format!("{case}签单喜报：{topic}"),
                ArticleKind::Kb => format!("{topic}{aspect}"),
            };
            let mut body = format!("案例：{case}公司的{topic}。");
            for _ in 0..3 {
                body.push_str(SENTENCES[rng.random_range(0..SENTENCES.len())]);
            }
            let at = now - span
                + chrono::Duration::seconds(span.num_seconds() * i as i64 / count.max(1) as i64);
            let status = if rng.random_range(0..50) == 0 {
                ArticleStatus::Draft
            } else {
                ArticleStatus::Published
            };
            grams.extend(crm_db::articles::grams_of(id, &title, &body));
            rows.push(crm_db::bulk::ArticleRow {
                id,
                kind: kind.as_str().into(),
                category_id: categories
                    .get(rng.random_range(0..categories.len().max(1)))
                    .copied(),
                title,
                body,
                tags: format!("[\"{topic}\"]"),
                pinned: false,
                status: status.as_str().into(),
                author_id: authors[i % authors.len()],
                published_at: (status == ArticleStatus::Published).then_some(at),
                created_at: at,
                updated_at: at,
            });
        }
        crm_db::write_tx(conn, |conn| {
            crm_db::bulk::insert_articles(conn, &rows)?;
            crm_db::articles::insert_grams(conn, &grams)
        })?;
        written += rows.len();
    }
    Ok(written)
}
