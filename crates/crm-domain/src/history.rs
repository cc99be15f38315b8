//! How a record's history speaks to its reader: a label for every field the audit log records
//! (both languages), and what each id-holding field points to, so that `owner_id: 5` reads
//! "负责人：张三". One catalogue for every record type; the server names the ids of each entry
//! (`AuditEntry::names`), the web app's one history component shows them.

use crate::{Lang, Msg};
use std::borrow::Cow;

/// What an id in a change points to. The key of a name in `AuditEntry::names` is
/// `"{kind}:{id}"`, e.g. `user:5`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RefKind {
    User,
    Department,
    Role,
    Dictionary,
    Product,
    Customer,
    Contact,
    Competitor,
    Opportunity,
}

impl RefKind {
    pub const ALL: [RefKind; 9] = [
        Self::User,
        Self::Department,
        Self::Role,
        Self::Dictionary,
        Self::Product,
        Self::Customer,
        Self::Contact,
        Self::Competitor,
        Self::Opportunity,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::Department => "department",
            Self::Role => "role",
            Self::Dictionary => "dictionary",
            Self::Product => "product",
            Self::Customer => "customer",
            Self::Contact => "contact",
            Self::Competitor => "competitor",
            Self::Opportunity => "opportunity",
        }
    }

    /// The key of one id's name in an entry's `names`.
    pub fn key(self, id: i64) -> String {
        format!("{}:{id}", self.as_str())
    }
}

/// What the ids of a field of `entity` point to (`entity` as the audit log writes it: `customer`,
/// `contact`, `department`, `dictionary.region`, …).
pub fn ref_kind(entity: &str, field: &str) -> Option<RefKind> {
    Some(match field {
        "owner_id" | "user_id" | "from_user_id" | "to_user_id" | "assignee_id" | "spender_id"
        | "uploaded_by" => RefKind::User,
        "department_id" => RefKind::Department,
        "role_ids" | "role_id" => RefKind::Role,
        "industry_id" | "region_id" | "source_id" | "type_id" | "method_id" | "stage_id"
        | "category_id" => RefKind::Dictionary,
        "product_id" => RefKind::Product,
        "customer_id" => RefKind::Customer,
        "contact_id" => RefKind::Contact,
        "competitor_id" | "lost_to_id" => RefKind::Competitor,
        "opportunity_id" => RefKind::Opportunity,
        "parent_id" if entity == "department" => RefKind::Department,
        "parent_id" if entity.starts_with("dictionary.") => RefKind::Dictionary,
        _ => return None,
    })
}

/// The label of a field in the reader's language; a field the catalogue does not know keeps its
/// stored name.
pub fn field_label(entity: &str, field: &str, lang: Lang) -> Cow<'static, str> {
    match label(entity, field) {
        Some(m) => Cow::Owned(m.get(lang).to_string()),
        None => Cow::Owned(field.to_string()),
    }
}

fn label(entity: &str, field: &str) -> Option<Msg> {
    let (zh, en): (&'static str, &'static str) = match (entity, field) {
        ("customer", "name") => ("客户名称", "Name"),
        ("contact", "name") => ("姓名", "Name"),
        (_, "name") => ("名称", "Name"),
        (_, "short_name") => ("简称", "Short name"),
        (_, "type") => ("属性", "Type"),
        (_, "level") => ("级别", "Level"),
        (_, "grade") => ("等级", "Grade"),
        (_, "manual") => ("手动评级", "Set by hand"),
        (_, "industry_id") => ("行业", "Industry"),
        (_, "region_id") => ("地区", "Region"),
        (_, "source_id") => ("来源", "Source"),
        (_, "size") => ("规模", "Size"),
        (_, "address") => ("地址", "Address"),
        (_, "phone") => ("电话", "Phone"),
        (_, "mobile") => ("手机", "Mobile"),
        (_, "website") => ("网址", "Website"),
        (_, "email") => ("电子邮件", "E-mail"),
        (_, "im") => ("微信/QQ", "Messenger"),
        ("opportunity", "title") => ("机会名称", "Title"),
        ("article", "title") => ("标题", "Title"),
        ("article", "body") => ("正文", "Body"),
        ("article", "kind") => ("类型", "Kind"),
        ("article", "category_id") => ("分类", "Category"),
        ("article", "tags") => ("标签", "Tags"),
        ("article", "pinned") => ("置顶", "Pinned"),
        ("document", "title") => ("标题", "Title"),
        (_, "file_name") => ("文件名", "File name"),
        (_, "content_type") => ("文件类型", "File type"),
        (_, "size_bytes") => ("大小（字节）", "Size (bytes)"),
        (_, "sha256") => ("SHA-256", "SHA-256"),
        (_, "ticket_id") => ("服务工单", "Ticket"),
        (_, "article_id") => ("知识文章", "Article"),
        (_, "uploaded_by") => ("上传者", "Uploaded by"),
        (_, "document_max_mb") => ("文档大小上限（MB）", "Document size limit (MB)"),
        (_, "title") => ("职务", "Title"),
        (_, "stage_id") => ("阶段", "Stage"),
        (_, "probability") => ("赢单概率", "Probability"),
        (_, "expected_close_on") => ("预计成交", "Expected close"),
        (_, "lost_reason") => ("输单原因", "Lost because"),
        (_, "lost_to_id") | (_, "competitor_id") => ("竞争对手", "Competitor"),
        (_, "closed_on") => ("结束日期", "Closed on"),
        (_, "opportunity_id") => ("机会", "Opportunity"),
        (_, "order_id") => ("订单", "Order"),
        (_, "role") => ("角色", "Role"),
        (_, "threat") => ("威胁", "Threat"),
        (_, "valid_until") => ("有效期至", "Valid until"),
        (_, "version") => ("版本", "Version"),
        (_, "strengths") => ("优势", "Strengths"),
        (_, "weaknesses") => ("劣势", "Weaknesses"),
        (_, "products") => ("产品", "Products"),
        (_, "pricing") => ("定价", "Pricing"),
        (_, "birthday") => ("生日", "Birthday"),
        (_, "is_key") => ("关键联系人", "Key contact"),
        (_, "owner_id") => ("负责人", "Owner"),
        (_, "spender_id") => ("花费人", "Spender"),
        (_, "assignee_id") => ("处理人", "Assignee"),
        (_, "priority") => ("优先级", "Priority"),
        (_, "subject") => ("主题", "Subject"),
        (_, "resolution") => ("处理结果", "Resolution"),
        (_, "satisfaction") => ("满意度", "Satisfaction"),
        (_, "spent_on") => ("发生日期", "Spent on"),
        ("expense", "category_id") => ("费用类别", "Category"),
        (_, "notes") => ("备注", "Notes"),
        (_, "note") => ("说明", "Note"),
        (_, "review_status") => ("审核状态", "Review"),
        (_, "reason") => ("原因", "Reason"),
        ("customer", "rule") => ("回收规则", "Reclaim rule"),
        (_, "comment") => ("意见", "Comment"),
        (_, "summary") => ("内容", "Summary"),
        (_, "outcome") => ("结果", "Outcome"),
        (_, "occurred_at") => ("时间", "When"),
        (_, "type_id") => ("方式", "Type"),
        (_, "activity_id") => ("接触记录", "Activity"),
        (_, "display_name") => ("显示名", "Display name"),
        (_, "username") => ("用户名", "Username"),
        (_, "department_id") => ("部门", "Department"),
        (_, "role_ids") => ("角色", "Roles"),
        (_, "enabled") => ("启用", "Enabled"),
        (_, "parent_id") => ("上级", "Parent"),
        (_, "sort_order") => ("排序", "Order"),
        (_, "name_en") => ("英文名称", "English name"),
        (_, "description") => ("说明", "Description"),
        (_, "permissions") => ("权限", "Permissions"),
        (_, "data_scope") => ("数据范围", "Data scope"),
        (_, "code") => ("编码", "Code"),
        (_, "unit") => ("单位", "Unit"),
        (_, "list_price") => ("标准价", "List price"),
        (_, "renewable") => ("需续费", "Renewable"),
        (_, "service_months") => ("服务期（月）", "Service (months)"),
        (_, "customer_id") => ("客户", "Customer"),
        (_, "contact_id") => ("联系人", "Contact"),
        (_, "product_id") | (_, "product") => ("产品", "Product"),
        (_, "quantity") => ("数量", "Quantity"),
        (_, "unit_price") => ("单价", "Unit price"),
        (_, "discount") => ("折扣", "Discount"),
        (_, "installments") => ("分期", "Installments"),
        (_, "installment_id") => ("分期", "Installment"),
        (_, "due_date") => ("到期日", "Due"),
        (_, "applied") => ("核销到", "Applied to"),
        (_, "receipt_id") => ("回款", "Receipt"),
        (_, "reversal_id") => ("冲销记录", "Reversal"),
        (_, "status") => ("状态", "Status"),
        (_, "number") => ("编号", "Number"),
        (_, "contract_no") => ("合同号", "Contract no."),
        (_, "total") => ("总额", "Total"),
        (_, "amount") => ("金额", "Amount"),
        (_, "lines") => ("明细", "Lines"),
        (_, "signed_on") => ("签约日期", "Signed on"),
        (_, "service_start") => ("服务开始", "Service from"),
        (_, "service_end") => ("服务结束", "Service until"),
        (_, "method_id") => ("收款方式", "Method"),
        (_, "received_on") => ("收款日期", "Received on"),
        (_, "from_user_id") => ("原负责人", "From"),
        (_, "to_user_id") => ("新负责人", "To"),
        (_, "company_name") => ("公司名称", "Company name"),
        (_, "time_zone") => ("时区", "Time zone"),
        (_, "currency") => ("币种", "Currency"),
        (_, "language") => ("语言", "Language"),
        (_, "review_new_customers") => ("新客户需审核", "Review new customers"),
        (_, "grade_thresholds") => ("评级门槛", "Grade thresholds"),
        (_, "payment_reminder_days") => ("回款提前提醒天数", "Payment reminder (days)"),
        (_, "overdue_escalation_days") => ("逾期上报天数", "Overdue escalation (days)"),
        (_, "renewal_reminder_days") => ("续费提前提醒天数", "Renewal reminder (days)"),
        (_, "activity_edit_minutes") => ("接触记录可修改分钟数", "Activity edit window (minutes)"),
        (_, "sessions_ended") => ("结束的会话", "Sessions ended"),
        (_, "tokens_revoked") => ("撤销的令牌", "Tokens revoked"),
        _ => return None,
    };
    Some(Msg::new(zh, en))
}

/// What kind of record an entry is about (`dictionary.industry` reads as a dictionary).
pub fn entity_label(entity: &str, lang: Lang) -> Cow<'static, str> {
    let (zh, en) = match entity.split('.').next().unwrap_or(entity) {
        "customer" => ("客户", "Customer"),
        "contact" => ("联系人", "Contact"),
        "user" => ("用户", "User"),
        "department" => ("部门", "Department"),
        "role" => ("角色", "Role"),
        "settings" => ("公司设置", "Settings"),
        "api_token" => ("API 令牌", "API token"),
        "customer_transfer" => ("客户转移", "Customer transfer"),
        "dictionary" => ("数据字典", "Dictionary"),
        "activity" => ("客户接触", "Activity"),
        "order" => ("订单", "Order"),
        "product" => ("产品", "Product"),
        "receipt" => ("回款", "Receipt"),
        "payment_plan" => ("收款计划", "Payment plan"),
        "opportunity" => ("机会", "Opportunity"),
        "quote" => ("报价", "Quote"),
        "competitor" => ("竞争对手", "Competitor"),
        "expense" => ("费用", "Expense"),
        "ticket" => ("服务工单", "Ticket"),
        "article" => ("知识文章", "Article"),
        "document" => ("文档", "Document"),
        _ => return Cow::Owned(entity.to_string()),
    };
    Cow::Borrowed(Msg::pick(zh, en, lang))
}

/// What was done, as the history says it.
pub fn action_label(action: &str, lang: Lang) -> Cow<'static, str> {
    let (zh, en) = match action {
        "create" => ("新建", "created"),
        "update" => ("修改", "changed"),
        "delete" => ("删除", "deleted"),
        "level" => ("调整级别", "level changed"),
        "grade" => ("分级", "graded"),
        "review" => ("审核", "reviewed"),
        "transfer" => ("转移", "transferred"),
        "release" => ("放入公海", "released to the pool"),
        "claim" => ("从公海领取", "claimed from the pool"),
        "reclaim" => ("回收到公海", "returned to the pool"),
        "enable" => ("启用", "enabled"),
        "disable" => ("停用", "disabled"),
        "reset_password" => ("重置密码", "password reset"),
        "change_password" => ("修改密码", "password changed"),
        "revoke" => ("吊销", "revoked"),
        "status" => ("变更状态", "status changed"),
        "plan" => ("修改收款计划", "payment plan set"),
        "receipt" => ("登记回款", "receipt recorded"),
        "reverse_receipt" => ("冲销回款", "receipt reversed"),
        "add_contact" => ("添加关键联系人", "key contact added"),
        "remove_contact" => ("移除关键联系人", "key contact removed"),
        "add_competitor" => ("添加竞争对手", "competitor added"),
        "remove_competitor" => ("移除竞争对手", "competitor removed"),
        "approve" => ("批准", "approved"),
        "reject" => ("驳回", "rejected"),
        "reopen" => ("重新打开", "reopened"),
        "assign" => ("分派", "assigned"),
        "start" => ("开始处理", "started"),
        "resolve" => ("解决", "resolved"),
        "close" => ("关闭", "closed"),
        _ => return Cow::Owned(action.to_string()),
    };
    Cow::Borrowed(Msg::pick(zh, en, lang))
}

/// A yes/no value as the reader says it.
pub fn yes_no(value: bool, lang: Lang) -> &'static str {
    match (value, lang) {
        (true, Lang::Zh) => "是",
        (false, Lang::Zh) => "否",
        (true, Lang::En) => "yes",
        (false, Lang::En) => "no",
    }
}

/// The ids a change's value holds (a number, or a list of numbers).
pub fn ids_in(value: &serde_json::Value) -> Vec<i64> {
    match value {
        serde_json::Value::Number(n) => n.as_i64().into_iter().collect(),
        serde_json::Value::Array(items) => items.iter().filter_map(|v| v.as_i64()).collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_read_in_both_languages_and_ids_point_somewhere() {
        assert_eq!(field_label("customer", "owner_id", Lang::Zh), "负责人");
        assert_eq!(field_label("customer", "owner_id", Lang::En), "Owner");
        assert_eq!(field_label("customer", "name", Lang::Zh), "客户名称");
        assert_eq!(field_label("contact", "name", Lang::Zh), "姓名");
        assert_eq!(
            field_label("customer", "from_the_future", Lang::Zh),
            "from_the_future"
        );
        assert_eq!(ref_kind("customer", "owner_id"), Some(RefKind::User));
        assert_eq!(
            ref_kind("customer", "industry_id"),
            Some(RefKind::Dictionary)
        );
        assert_eq!(
            ref_kind("department", "parent_id"),
            Some(RefKind::Department)
        );
        assert_eq!(
            ref_kind("dictionary.region", "parent_id"),
            Some(RefKind::Dictionary)
        );
        assert_eq!(ref_kind("customer", "grade"), None);
        assert_eq!(RefKind::User.key(5), "user:5");
        assert_eq!(ids_in(&serde_json::json!([1, 2])), vec![1, 2]);
        assert_eq!(ids_in(&serde_json::json!("x")), Vec::<i64>::new());
        assert_eq!(yes_no(false, Lang::Zh), "否");
        assert_eq!(entity_label("dictionary.industry", Lang::En), "Dictionary");
        assert_eq!(action_label("update", Lang::Zh), "修改");
        assert_eq!(action_label("spin", Lang::En), "spin");
    }
}
