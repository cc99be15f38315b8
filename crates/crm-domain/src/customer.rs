//! Customers (客户): levels and their moves, types, grades, and the normalised keys that customer
//! protection (客户保护) compares — so that "济南星河网络科技有限公司" and "星河网络科技（济南）" are one
//! customer, whoever typed them.

use crate::Money;
use serde::{Deserialize, Serialize};

/// The customer pipeline (客户级别), in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CustomerLevel {
    /// 一般客户
    Lead,
    /// 联系客户
    Contacted,
    /// 立项客户
    Prospect,
    /// 签约客户
    Signed,
    /// 黑名单
    Blacklisted,
}

/// What happened that may move a customer up the pipeline on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PipelineEvent {
    /// A contact activity was logged.
    Contacted,
    /// A deal (opportunity) was opened: the customer becomes a prospect (立项客户).
    OpportunityOpened,
    /// An order was signed.
    OrderSigned,
}

impl CustomerLevel {
    pub const ALL: [CustomerLevel; 5] = [
        Self::Lead,
        Self::Contacted,
        Self::Prospect,
        Self::Signed,
        Self::Blacklisted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Lead => "lead",
            Self::Contacted => "contacted",
            Self::Prospect => "prospect",
            Self::Signed => "signed",
            Self::Blacklisted => "blacklisted",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.as_str() == s)
    }

    /// The level after `event`: automatic moves only go forward and never touch a blacklisted
    /// customer. `None` when nothing changes. Every module calls this one rule.
    pub fn after(self, event: PipelineEvent) -> Option<CustomerLevel> {
        let target = match event {
            PipelineEvent::Contacted => Self::Contacted,
            PipelineEvent::OpportunityOpened => Self::Prospect,
            PipelineEvent::OrderSigned => Self::Signed,
        };
        (self != Self::Blacklisted && target > self).then_some(target)
    }

    /// Whether new opportunities and orders are allowed.
    pub fn accepts_new_business(self) -> bool {
        self != Self::Blacklisted
    }
}

/// The grade (签约客户分级, 1–5) a signed total earns: `thresholds` are the totals for grades 2–5.
pub fn grade_for(signed_total: Money, thresholds: &[Money]) -> u8 {
    1 + thresholds
        .iter()
        .filter(|t| signed_total >= **t)
        .count()
        .min(4) as u8
}

// ---------------------------------------------------------------------------------------------
// Normalised keys

/// Full-width ASCII (ＡＢＣ１２３，) → half-width; the ideographic space → a space.
fn half_width(c: char) -> char {
    match c {
        '\u{3000}' => ' ',
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

/// Company-form suffixes, longest first, compared after lower-casing and removing punctuation.
const SUFFIXES: &[&str] = &[
    "集团股份有限公司",
    "集团有限责任公司",
    "集团有限公司",
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "分公司",
    "总公司",
    "公司",
    "集团",
    "工作室",
    "商行",
    "corporation",
    "companylimited",
    "colimited",
    "coltd",
    "limited",
    "company",
    "group",
    "corp",
    "gmbh",
    "inc",
    "llc",
    "ltd",
    "co",
];

/// Provinces and major cities that often lead (or, in brackets, follow) a company name.
const PLACES: &[&str] = &[
    "内蒙古自治区",
    "广西壮族自治区",
    "西藏自治区",
    "宁夏回族自治区",
    "新疆维吾尔自治区",
    "黑龙江省",
    "山东省",
    "江苏省",
    "浙江省",
    "安徽省",
    "福建省",
    "江西省",
    "河南省",
    "湖北省",
    "湖南省",
    "广东省",
    "海南省",
    "四川省",
    "贵州省",
    "云南省",
    "陕西省",
    "甘肃省",
    "青海省",
    "河北省",
    "山西省",
    "辽宁省",
    "吉林省",
    "台湾省",
    "北京市",
    "上海市",
    "天津市",
    "重庆市",
    "济南市",
    "青岛市",
    "淄博市",
    "枣庄市",
    "东营市",
    "烟台市",
    "潍坊市",
    "济宁市",
    "泰安市",
    "威海市",
    "日照市",
    "临沂市",
    "德州市",
    "聊城市",
    "滨州市",
    "菏泽市",
    "深圳市",
    "广州市",
    "杭州市",
    "南京市",
    "苏州市",
    "武汉市",
    "成都市",
    "西安市",
    "内蒙古",
    "黑龙江",
    "山东",
    "江苏",
    "浙江",
    "安徽",
    "福建",
    "江西",
    "河南",
    "湖北",
    "湖南",
    "广东",
    "海南",
    "四川",
    "贵州",
    "云南",
    "陕西",
    "甘肃",
    "青海",
    "河北",
    "山西",
    "辽宁",
    "吉林",
    "广西",
    "西藏",
    "宁夏",
    "新疆",
    "北京",
    "上海",
    "天津",
    "重庆",
    "济南",
    "青岛",
    "淄博",
    "枣庄",
    "东营",
    "烟台",
    "潍坊",
    "济宁",
    "泰安",
    "威海",
    "日照",
    "临沂",
    "德州",
    "聊城",
    "滨州",
    "菏泽",
    "深圳",
    "广州",
    "杭州",
    "南京",
    "苏州",
    "武汉",
    "成都",
    "西安",
];

/// The key two customer names are compared by: half-width, lower case, no spaces or punctuation,
/// without company-form suffixes and without a leading (or trailing) province or city. A place is
/// only stripped when at least three characters remain, so that "山东大厦" and "北京大厦" stay apart,
/// and a suffix only when something remains.
pub fn name_key(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(half_width)
        .flat_map(char::to_lowercase)
        .filter(|c| c.is_alphanumeric())
        .collect();
    let mut key = cleaned.as_str();
    loop {
        let before = key;
        for suffix in SUFFIXES {
            if let Some(rest) = key.strip_suffix(suffix).filter(|r| !r.is_empty()) {
                key = rest;
                break;
            }
        }
        for place in PLACES {
            if let Some(rest) = key.strip_prefix(place).filter(|r| r.chars().count() >= 3) {
                key = rest;
                break;
            }
        }
        for place in PLACES {
            if let Some(rest) = key.strip_suffix(place).filter(|r| r.chars().count() >= 3) {
                key = rest;
                break;
            }
        }
        if key == before {
            break;
        }
    }
    key.to_string()
}

/// The key two phone numbers are compared by: digits only, without +86/0086 and without the area
/// code of a landline, so "0531-8888 6666", "(0531) 88886666" and "+86 531 8888 6666" agree.
/// `None` when fewer than 5 digits remain (not a phone number worth protecting).
pub fn phone_key(phone: &str) -> Option<String> {
    let digits: String = phone
        .chars()
        .map(half_width)
        .filter(char::is_ascii_digit)
        .collect();
    let mut d = digits.as_str();
    for prefix in ["0086", "86"] {
        if let Some(rest) = d.strip_prefix(prefix) {
            // Only a country code when what follows is a mobile or a landline with its area code.
            if (rest.len() == 11 && rest.starts_with('1')) || rest.len() >= 9 {
                d = rest;
                break;
            }
        }
    }
    let is_mobile = d.len() == 11 && d.starts_with('1');
    if !is_mobile {
        // Area codes: 010 and 02x have three digits, the others four (0531, 0532, …); after +86 the
        // leading 0 is dropped (531…).
        let area = if d.starts_with("010") || d.starts_with("02") {
            3
        } else if d.starts_with('0') {
            4
        } else if d.len() >= 10 && (d.starts_with("10") || d.starts_with('2')) {
            2
        } else if d.len() >= 10 {
            3
        } else {
            0
        };
        if d.len() >= area + 7 {
            d = &d[area..];
        }
    }
    (d.len() >= 5).then(|| d.to_string())
}

/// The key two websites are compared by: the host without scheme, `www.`, port, path or case.
/// `None` when nothing like a host is there.
pub fn website_key(website: &str) -> Option<String> {
    let text: String = website
        .trim()
        .chars()
        .map(half_width)
        .collect::<String>()
        .to_lowercase();
    let rest = text.split_once("://").map(|(_, r)| r).unwrap_or(&text);
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.rsplit_once('@').map(|(_, h)| h).unwrap_or(host);
    let host = host.split(':').next().unwrap_or("").trim_end_matches('.');
    let host = host.strip_prefix("www.").unwrap_or(host);
    (host.contains('.')
        && host
            .chars()
            .all(|c| c.is_alphanumeric() || c == '.' || c == '-'))
    .then(|| host.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_only_move_forward_and_blacklist_is_sticky() {
        use CustomerLevel::*;
        use PipelineEvent as E;
        assert_eq!(Lead.after(E::Contacted), Some(Contacted));
        assert_eq!(Contacted.after(E::Contacted), None);
        assert_eq!(
            Prospect.after(E::Contacted),
            None,
            "never moves a higher level down"
        );
        assert_eq!(Signed.after(E::Contacted), None);
        assert_eq!(Lead.after(E::OrderSigned), Some(Signed));
        assert_eq!(Prospect.after(E::OrderSigned), Some(Signed));
        assert_eq!(Lead.after(E::OpportunityOpened), Some(Prospect));
        assert_eq!(Contacted.after(E::OpportunityOpened), Some(Prospect));
        assert_eq!(Prospect.after(E::OpportunityOpened), None);
        assert_eq!(Signed.after(E::OpportunityOpened), None);
        for e in [E::Contacted, E::OpportunityOpened, E::OrderSigned] {
            assert_eq!(Blacklisted.after(e), None);
        }
        assert!(!Blacklisted.accepts_new_business());
        assert!(Signed.accepts_new_business());
        for l in CustomerLevel::ALL {
            assert_eq!(CustomerLevel::parse(l.as_str()), Some(l));
        }
    }

    #[test]
    fn grades_follow_the_thresholds() {
        let t: Vec<Money> = [10_000, 50_000, 100_000, 300_000]
            .iter()
            .map(|y| Money::from_minor(y * 100))
            .collect();
        let g = |yuan: i64| grade_for(Money::from_minor(yuan * 100), &t);
        assert_eq!(g(0), 1);
        assert_eq!(g(9_999), 1);
        assert_eq!(g(10_000), 2);
        assert_eq!(g(99_999), 3);
        assert_eq!(g(100_000), 4);
        assert_eq!(g(300_000), 5);
        assert_eq!(g(10_000_000), 5);
    }

    #[test]
    fn company_names_that_are_the_same_customer_share_a_key() {
        let same = [
            ("济南星河网络科技有限公司", "星河网络科技"),
            ("星河网络科技（济南）有限公司", "星河网络科技"),
            ("山东省济南市星河网络科技有限责任公司", "星河网络科技"),
            ("  星河网络科技 股份有限公司 ", "星河网络科技"),
            ("青岛海之蓝广告传媒集团有限公司", "海之蓝广告传媒"),
            ("海之蓝广告传媒集团", "海之蓝广告传媒"),
            ("潍坊 恒达 机械制造有限公司", "恒达机械制造"),
            ("烟台市福山区张记食品商行", "福山区张记食品"),
            ("ＡＢＣ科技有限公司", "abc科技"),
            ("Acme Co., Ltd.", "acme"),
            ("ACME CO.,LTD", "acme"),
            ("Acme Company Limited", "acme"),
            ("acme inc.", "acme"),
            ("Blue-Sky Media Group", "blueskymedia"),
            ("Sino Trade (Qingdao) Co., Ltd", "sinotradeqingdao"),
            ("淄博华光陶瓷股份有限公司", "华光陶瓷"),
            ("华光陶瓷（淄博）", "华光陶瓷"),
            ("北京百度网讯科技有限公司", "百度网讯科技"),
        ];
        for (name, key) in same {
            assert_eq!(name_key(name), key, "{name}");
        }
    }

    #[test]
    fn different_companies_keep_different_keys_and_short_names_survive() {
        assert_ne!(
            name_key("济南星河网络科技有限公司"),
            name_key("济南星海网络科技有限公司")
        );
        // A name that is only a place and a form keeps something to compare.
        assert_eq!(name_key("山东有限公司"), "山东");
        assert_eq!(name_key("济南"), "济南");
        assert_eq!(name_key("公司"), "公司");
        assert_eq!(name_key("山东大厦"), "山东大厦");
        assert_ne!(name_key("山东大厦"), name_key("北京大厦"));
        assert_eq!(name_key(""), "");
        assert_eq!(name_key("Co"), "co");
    }

    #[test]
    fn phones_compare_without_formatting_country_or_area_code() {
        let cases = [
            ("0531-8888 6666", Some("88886666")),
            ("(0531) 88886666", Some("88886666")),
            ("+86 531 8888 6666", Some("88886666")),
            ("0086-531-88886666", Some("88886666")),
            ("010-6543 2100", Some("65432100")),
            ("+86 10 6543 2100", Some("65432100")),
            ("021-5555 1234", Some("55551234")),
            ("138 0000 0000", Some("13800000000")),
            ("+86 138-0000-0000", Some("13800000000")),
            ("8613800000000", Some("13800000000")),
            ("１３８００００００００", Some("13800000000")),
            ("88886666", Some("88886666")),
            ("12", None),
            ("", None),
            ("n/a", None),
        ];
        for (phone, key) in cases {
            assert_eq!(phone_key(phone).as_deref(), key, "{phone}");
        }
    }

    #[test]
    fn websites_compare_by_host() {
        let cases = [
            ("http://www.example.cn/", Some("example.cn")),
            ("https://example.cn/about?x=1", Some("example.cn")),
            ("WWW.Example.CN", Some("example.cn")),
            ("example.cn:8080/path", Some("example.cn")),
            ("http://shop.example.cn", Some("shop.example.cn")),
            ("example.cn.", Some("example.cn")),
            ("星河.中国", Some("星河.中国")),
            ("not a site", None),
            ("", None),
        ];
        for (site, key) in cases {
            assert_eq!(website_key(site).as_deref(), key, "{site}");
        }
    }
}
