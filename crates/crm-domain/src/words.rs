//! The words of domain values as the server writes them for people (exports, printed pages), in
//! both languages: the same words the web app shows from its locale files.

use crate::api::{CustomerType, ReviewStatus};
use crate::customer::CustomerLevel;
use crate::lang::{Lang, Msg};
use crate::order::{AgingBucket, OrderStatus};

/// A value's word in a reader's language.
pub trait Word: Copy {
    fn word(self, lang: Lang) -> &'static str;
}

impl Word for CustomerLevel {
    fn word(self, lang: Lang) -> &'static str {
        let (zh, en) = match self {
            Self::Lead => ("一般客户", "Lead"),
            Self::Contacted => ("联系客户", "Contacted"),
            Self::Prospect => ("立项客户", "Prospect"),
            Self::Signed => ("签约客户", "Signed"),
            Self::Blacklisted => ("黑名单", "Blacklisted"),
        };
        Msg::pick(zh, en, lang)
    }
}

impl Word for CustomerType {
    fn word(self, lang: Lang) -> &'static str {
        let (zh, en) = match self {
            Self::Customer => ("客户", "Customer"),
            Self::Supplier => ("供应商", "Supplier"),
            Self::Partner => ("合作伙伴", "Partner"),
            Self::Agent => ("代理商", "Agent"),
            Self::Competitor => ("竞争对手", "Competitor"),
        };
        Msg::pick(zh, en, lang)
    }
}

impl Word for ReviewStatus {
    fn word(self, lang: Lang) -> &'static str {
        let (zh, en) = match self {
            Self::Approved => ("已通过", "Approved"),
            Self::Pending => ("待审核", "Pending"),
            Self::Rejected => ("已驳回", "Rejected"),
        };
        Msg::pick(zh, en, lang)
    }
}

impl Word for OrderStatus {
    fn word(self, lang: Lang) -> &'static str {
        let (zh, en) = match self {
            Self::Draft => ("草稿", "Draft"),
            Self::Signed => ("已签约", "Signed"),
            Self::Executing => ("执行中", "Executing"),
            Self::Completed => ("已完成", "Completed"),
            Self::Cancelled => ("已取消", "Cancelled"),
        };
        Msg::pick(zh, en, lang)
    }
}

impl Word for AgingBucket {
    fn word(self, lang: Lang) -> &'static str {
        let (zh, en) = match self {
            Self::NotDue => ("未到期", "Not due"),
            Self::D1_30 => ("逾期 1–30 天", "1–30 days overdue"),
            Self::D31_60 => ("逾期 31–60 天", "31–60 days overdue"),
            Self::D61_90 => ("逾期 61–90 天", "61–90 days overdue"),
            Self::Over90 => ("逾期 90 天以上", "Over 90 days overdue"),
        };
        Msg::pick(zh, en, lang)
    }
}
