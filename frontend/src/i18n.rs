//! Two languages, Simplified Chinese (default) and English. Every visible string goes through a key;
//! a test fails when a key is missing in either table or used without being defined.

use chrono::{DateTime, FixedOffset, Utc};
use crm_domain::Money;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    pub fn parse(code: &str) -> Lang {
        if code.starts_with("en") {
            Lang::En
        } else {
            Lang::Zh
        }
    }
}

pub const ZH: &[(&str, &str)] = &[
    ("app.name", "客户关系管理"),
    ("common.save", "保存"),
    ("common.cancel", "取消"),
    ("common.create", "新建"),
    ("common.edit", "编辑"),
    ("common.delete", "删除"),
    ("common.confirm_delete", "确定删除吗？"),
    ("common.loading", "加载中…"),
    ("common.saved", "已保存"),
    ("common.name", "名称"),
    ("common.name_en", "英文名称"),
    ("common.actions", "操作"),
    ("common.yes", "是"),
    ("common.no", "否"),
    ("common.none", "（无）"),
    ("common.more", "加载更多"),
    ("common.enabled", "启用"),
    ("common.disabled", "停用"),
    ("common.status", "状态"),
    ("common.sort_order", "排序"),
    ("login.title", "登录"),
    ("login.username", "用户名"),
    ("login.password", "密码"),
    ("login.submit", "登录"),
    ("login.demo_hint", "演示账号：admin / demo1234"),
    ("nav.home", "首页"),
    ("nav.agenda", "日程"),
    ("cust.any_contact", "不限联系时间"),
    ("cust.not_contacted", "超过 {n} 天未联系"),
    ("act.log_short", "＋记录"),
    ("today.due", "今日待办"),
    ("today.nothing_due", "今天没有到期的提醒。"),
    ("today.agenda_link", "查看以后的日程 →"),
    ("today.recent", "我最近的客户接触"),
    ("rem.overdue", "已逾期"),
    ("rem.snooze", "推迟一天"),
    ("rem.snooze_hint", "改到明天再提醒"),
    ("rem.done", "完成"),
    ("team.title", "团队今日动态"),
    ("team.total", "接触总数："),
    ("team.person", "人员"),
    ("team.count", "接触数"),
    ("team.by_type", "按类型"),
    ("team.person_day", "该人员当天的接触"),
    ("team.everyone_day", "当天全部接触"),
    ("team.truncated", "只显示最近的 500 条。"),
    ("agenda.title", "日程：待办的下一步"),
    ("agenda.empty", "没有待办的下一步。"),
    ("notif.title", "通知"),
    ("notif.only_unread", "只看未读"),
    ("notif.read_all", "全部标为已读"),
    ("notif.empty", "没有通知。"),
    ("notif.kind.reminder_due", "跟进提醒"),
    ("notif.kind.review_pending", "待审核客户"),
    ("notif.kind.customer_transfer", "客户转移"),
    ("notif.kind.other", "通知"),
    ("nav.system", "系统管理"),
    ("nav.departments", "部门"),
    ("nav.users", "用户"),
    ("nav.roles", "角色权限"),
    ("nav.dictionaries", "数据字典"),
    ("nav.settings", "公司设置"),
    ("nav.audit", "审计日志"),
    ("nav.profile", "个人中心"),
    ("nav.menu", "菜单"),
    ("top.logout", "退出"),
    ("top.notifications", "通知"),
    ("top.language", "English"),
    ("home.welcome", "欢迎，"),
    ("home.department", "部门"),
    ("home.roles", "角色"),
    ("home.scope", "数据范围"),
    ("scope.self", "本人"),
    ("scope.department", "本部门"),
    ("scope.department_tree", "本部门及下级部门"),
    ("scope.all", "全部"),
    ("dept.title", "部门管理"),
    ("dept.parent", "上级部门"),
    ("dept.top_level", "（顶级部门）"),
    ("dept.users", "人数"),
    ("dept.new", "新建部门"),
    ("dept.move", "移动到"),
    ("users.title", "用户管理"),
    ("users.username", "用户名"),
    ("users.display_name", "姓名"),
    ("users.department", "部门"),
    ("users.roles", "角色"),
    ("users.password", "初始密码"),
    ("users.email", "邮箱"),
    ("users.phone", "电话"),
    ("users.new", "新建用户"),
    ("users.disable", "停用"),
    ("users.enable", "启用"),
    ("users.reset_password", "重置密码"),
    ("users.new_password", "新密码"),
    ("users.search", "搜索用户名或姓名"),
    ("roles.title", "角色与权限"),
    ("roles.scope", "数据范围"),
    ("roles.permissions", "权限"),
    ("roles.new", "新建角色"),
    ("roles.users", "用户数"),
    ("roles.description", "说明"),
    ("dict.title", "数据字典"),
    ("dict.kind", "类别"),
    ("dict.new", "新增条目"),
    ("dict.parent", "上级"),
    ("dict.kind.industry", "行业"),
    ("dict.kind.region", "地区"),
    ("dict.kind.customer_source", "客户来源"),
    ("dict.kind.activity_type", "接触类型"),
    ("dict.kind.opportunity_stage", "机会阶段"),
    ("dict.kind.expense_category", "费用类别"),
    ("dict.kind.article_category", "文章类别"),
    ("dict.kind.payment_method", "付款方式"),
    ("settings.title", "公司设置"),
    ("settings.company_name", "公司名称"),
    ("settings.time_zone", "时区"),
    ("settings.currency", "币种"),
    ("settings.review", "新客户需经理审核"),
    ("settings.grades", "客户分级阈值（2–5 级，元）"),
    ("settings.payment_days", "收款提前提醒天数"),
    ("settings.escalation_days", "逾期上报经理天数"),
    ("settings.renewal_days", "续费提前提醒天数"),
    ("settings.edit_minutes", "接触记录可修改分钟数"),
    ("audit.title", "审计日志"),
    ("audit.at", "时间"),
    ("audit.user", "操作人"),
    ("audit.action", "动作"),
    ("audit.entity", "对象"),
    ("audit.changes", "变更"),
    ("audit.filter", "按对象筛选（如 user）"),
    ("profile.title", "个人中心"),
    ("profile.password", "修改密码"),
    ("profile.current_password", "当前密码"),
    ("profile.new_password", "新密码"),
    ("profile.password_changed", "密码已修改"),
    ("profile.tokens", "个人 API 令牌"),
    ("profile.token_name", "令牌名称"),
    (
        "profile.token_created",
        "令牌已创建，请立即复制，它只显示这一次：",
    ),
    ("profile.token_prefix", "前缀"),
    ("profile.token_last_used", "最近使用"),
    ("profile.token_never", "从未使用"),
    ("profile.revoke", "吊销"),
    ("module.customer", "客户"),
    ("module.activity", "客户接触"),
    ("module.opportunity", "销售机会"),
    ("module.order", "订单"),
    ("module.finance", "财务"),
    ("module.service", "服务"),
    ("module.knowledge", "知识库"),
    ("module.report", "报表"),
    ("module.admin", "系统管理"),
    ("module.other", "其他"),
    ("nav.customers", "客户"),
    ("nav.pipeline", "客户漏斗"),
    ("nav.review", "客户审核"),
    ("cust.title", "客户"),
    ("cust.new", "新建客户"),
    ("cust.name", "客户名称"),
    ("cust.short_name", "简称"),
    ("cust.type", "属性"),
    ("cust.level", "级别"),
    ("cust.grade", "分级"),
    ("cust.industry", "行业"),
    ("cust.region", "地区"),
    ("cust.source", "来源"),
    ("cust.phone", "电话"),
    ("cust.website", "网址"),
    ("cust.address", "地址"),
    ("cust.notes", "备注"),
    ("cust.owner", "负责人"),
    ("cust.department", "部门"),
    ("cust.last_contact", "最近联系"),
    ("cust.updated", "更新时间"),
    ("cust.search", "搜索名称、电话或联系人"),
    ("cust.all_levels", "全部级别"),
    ("cust.exists", "已存在的客户："),
    ("cust.owned_by", "负责人"),
    ("cust.open", "查看"),
    ("cust.info", "基本信息"),
    ("cust.contacts", "联系人"),
    ("cust.history", "变更记录"),
    ("cust.move_level", "调整级别"),
    ("cust.reason", "原因"),
    ("cust.reason_prompt", "请填写调整原因"),
    ("cust.never", "从未联系"),
    ("cust.review_status", "审核"),
    ("cust.approve", "通过"),
    ("cust.reject", "驳回"),
    ("cust.review_empty", "没有待审核的客户"),
    ("cust.count", "个客户"),
    ("cust.save_first", "保存"),
    ("cust.pending", "待审核"),
    ("level.lead", "一般客户"),
    ("level.contacted", "联系客户"),
    ("level.prospect", "立项客户"),
    ("level.signed", "签约客户"),
    ("level.blacklisted", "黑名单"),
    ("type.customer", "客户"),
    ("type.supplier", "供应商"),
    ("type.partner", "合作伙伴"),
    ("type.agent", "代理商"),
    ("type.competitor", "竞争对手"),
    ("contact.name", "姓名"),
    ("contact.title", "职务"),
    ("contact.mobile", "手机"),
    ("contact.email", "邮箱"),
    ("contact.key", "关键联系人"),
    ("contact.add", "添加联系人"),
    ("nav.transfer", "客户转移"),
    ("xfer.title", "客户转移"),
    ("xfer.from", "转出人"),
    ("xfer.to", "接收人"),
    ("xfer.all", "全部客户"),
    ("xfer.pick", "选择客户"),
    ("xfer.reason", "原因"),
    ("xfer.preview", "预览"),
    ("xfer.confirm", "确认转移"),
    ("xfer.will_move", "将转移："),
    ("xfer.moved", "已转移："),
    ("xfer.kind.customers", "客户"),
    ("xfer.kind.contacts", "联系人"),
    ("xfer.kind.reminders", "提醒"),
    ("xfer.log", "转移记录"),
    ("xfer.choose", "请选择"),
    ("act.create", "新建"),
    ("act.update", "修改"),
    ("act.delete", "删除"),
    ("act.level", "调整级别"),
    ("act.grade", "分级"),
    ("act.review", "审核"),
    ("act.transfer", "转移"),
    ("act.enable", "启用"),
    ("act.disable", "停用"),
    ("act.reset_password", "重置密码"),
    ("act.change_password", "修改密码"),
    ("act.revoke", "吊销"),
    ("ent.customer", "客户"),
    ("ent.contact", "联系人"),
    ("ent.user", "用户"),
    ("ent.department", "部门"),
    ("ent.role", "角色"),
    ("ent.settings", "公司设置"),
    ("ent.api_token", "API 令牌"),
    ("ent.customer_transfer", "客户转移"),
    ("ent.dictionary", "数据字典"),
    ("act.title", "客户接触"),
    ("act.type", "方式"),
    ("act.summary", "内容"),
    ("act.outcome", "结果"),
    ("act.next_on", "下次跟进日期"),
    ("act.next_note", "下次跟进事项"),
    ("act.log", "记录"),
    ("act.when", "时间"),
    ("act.by", "记录人"),
    ("ent.activity", "客户接触"),
    ("notfound.title", "页面不存在"),
    ("error.network", "无法连接服务器"),
];

pub const EN: &[(&str, &str)] = &[
    ("app.name", "CRM"),
    ("common.save", "Save"),
    ("common.cancel", "Cancel"),
    ("common.create", "Create"),
    ("common.edit", "Edit"),
    ("common.delete", "Delete"),
    ("common.confirm_delete", "Delete this?"),
    ("common.loading", "Loading…"),
    ("common.saved", "Saved"),
    ("common.name", "Name"),
    ("common.name_en", "English name"),
    ("common.actions", "Actions"),
    ("common.yes", "Yes"),
    ("common.no", "No"),
    ("common.none", "(none)"),
    ("common.more", "Load more"),
    ("common.enabled", "Enabled"),
    ("common.disabled", "Disabled"),
    ("common.status", "Status"),
    ("common.sort_order", "Order"),
    ("login.title", "Sign in"),
    ("login.username", "Username"),
    ("login.password", "Password"),
    ("login.submit", "Sign in"),
    ("login.demo_hint", "Demo account: admin / demo1234"),
    ("nav.home", "Home"),
    ("nav.agenda", "Agenda"),
    ("cust.any_contact", "Any last contact"),
    ("cust.not_contacted", "Not contacted for {n}+ days"),
    ("act.log_short", "+ Log"),
    ("today.due", "Due today"),
    ("today.nothing_due", "Nothing is due today."),
    ("today.agenda_link", "See what comes next →"),
    ("today.recent", "My recent contacts"),
    ("rem.overdue", "Overdue"),
    ("rem.snooze", "Tomorrow"),
    ("rem.snooze_hint", "Remind me again tomorrow"),
    ("rem.done", "Done"),
    ("team.title", "The team today"),
    ("team.total", "Contacts in all: "),
    ("team.person", "Person"),
    ("team.count", "Contacts"),
    ("team.by_type", "By type"),
    ("team.person_day", "Their contacts that day"),
    ("team.everyone_day", "Everyone's contacts that day"),
    ("team.truncated", "Only the latest 500 are shown."),
    ("agenda.title", "Agenda: next steps to take"),
    ("agenda.empty", "No next steps planned."),
    ("notif.title", "Notifications"),
    ("notif.only_unread", "Unread only"),
    ("notif.read_all", "Mark all read"),
    ("notif.empty", "No notifications."),
    ("notif.kind.reminder_due", "Follow-up due"),
    ("notif.kind.review_pending", "Customers to review"),
    ("notif.kind.customer_transfer", "Customer transfer"),
    ("notif.kind.other", "Notification"),
    ("nav.system", "System"),
    ("nav.departments", "Departments"),
    ("nav.users", "Users"),
    ("nav.roles", "Roles"),
    ("nav.dictionaries", "Dictionaries"),
    ("nav.settings", "Settings"),
    ("nav.audit", "Audit log"),
    ("nav.profile", "My profile"),
    ("nav.menu", "Menu"),
    ("top.logout", "Sign out"),
    ("top.notifications", "Notifications"),
    ("top.language", "中文"),
    ("home.welcome", "Welcome, "),
    ("home.department", "Department"),
    ("home.roles", "Roles"),
    ("home.scope", "Data scope"),
    ("scope.self", "Own records"),
    ("scope.department", "Own department"),
    ("scope.department_tree", "Department and below"),
    ("scope.all", "Everything"),
    ("dept.title", "Departments"),
    ("dept.parent", "Parent"),
    ("dept.top_level", "(top level)"),
    ("dept.users", "Users"),
    ("dept.new", "New department"),
    ("dept.move", "Move to"),
    ("users.title", "Users"),
    ("users.username", "Username"),
    ("users.display_name", "Name"),
    ("users.department", "Department"),
    ("users.roles", "Roles"),
    ("users.password", "Initial password"),
    ("users.email", "E-mail"),
    ("users.phone", "Phone"),
    ("users.new", "New user"),
    ("users.disable", "Disable"),
    ("users.enable", "Enable"),
    ("users.reset_password", "Reset password"),
    ("users.new_password", "New password"),
    ("users.search", "Search username or name"),
    ("roles.title", "Roles and permissions"),
    ("roles.scope", "Data scope"),
    ("roles.permissions", "Permissions"),
    ("roles.new", "New role"),
    ("roles.users", "Users"),
    ("roles.description", "Description"),
    ("dict.title", "Dictionaries"),
    ("dict.kind", "Kind"),
    ("dict.new", "New entry"),
    ("dict.parent", "Parent"),
    ("dict.kind.industry", "Industries"),
    ("dict.kind.region", "Regions"),
    ("dict.kind.customer_source", "Customer sources"),
    ("dict.kind.activity_type", "Activity types"),
    ("dict.kind.opportunity_stage", "Opportunity stages"),
    ("dict.kind.expense_category", "Expense categories"),
    ("dict.kind.article_category", "Article categories"),
    ("dict.kind.payment_method", "Payment methods"),
    ("settings.title", "Company settings"),
    ("settings.company_name", "Company name"),
    ("settings.time_zone", "Time zone"),
    ("settings.currency", "Currency"),
    ("settings.review", "New customers need a manager's approval"),
    ("settings.grades", "Grade thresholds (grades 2–5, in yuan)"),
    (
        "settings.payment_days",
        "Remind of installments this many days ahead",
    ),
    (
        "settings.escalation_days",
        "Tell the manager after this many days overdue",
    ),
    (
        "settings.renewal_days",
        "Remind of renewals this many days ahead",
    ),
    (
        "settings.edit_minutes",
        "Minutes an activity stays editable",
    ),
    ("audit.title", "Audit log"),
    ("audit.at", "When"),
    ("audit.user", "Who"),
    ("audit.action", "Action"),
    ("audit.entity", "Record"),
    ("audit.changes", "Changes"),
    ("audit.filter", "Filter by record (e.g. user)"),
    ("profile.title", "My profile"),
    ("profile.password", "Change password"),
    ("profile.current_password", "Current password"),
    ("profile.new_password", "New password"),
    ("profile.password_changed", "Password changed"),
    ("profile.tokens", "Personal API tokens"),
    ("profile.token_name", "Token name"),
    (
        "profile.token_created",
        "Token created. Copy it now: it is shown only once:",
    ),
    ("profile.token_prefix", "Prefix"),
    ("profile.token_last_used", "Last used"),
    ("profile.token_never", "never"),
    ("profile.revoke", "Revoke"),
    ("module.customer", "Customers"),
    ("module.activity", "Activities"),
    ("module.opportunity", "Opportunities"),
    ("module.order", "Orders"),
    ("module.finance", "Finance"),
    ("module.service", "Service"),
    ("module.knowledge", "Knowledge"),
    ("module.report", "Reports"),
    ("module.admin", "System"),
    ("module.other", "Other"),
    ("nav.customers", "Customers"),
    ("nav.pipeline", "Pipeline"),
    ("nav.review", "Review queue"),
    ("cust.title", "Customers"),
    ("cust.new", "New customer"),
    ("cust.name", "Name"),
    ("cust.short_name", "Short name"),
    ("cust.type", "Type"),
    ("cust.level", "Level"),
    ("cust.grade", "Grade"),
    ("cust.industry", "Industry"),
    ("cust.region", "Region"),
    ("cust.source", "Source"),
    ("cust.phone", "Phone"),
    ("cust.website", "Website"),
    ("cust.address", "Address"),
    ("cust.notes", "Notes"),
    ("cust.owner", "Owner"),
    ("cust.department", "Department"),
    ("cust.last_contact", "Last contact"),
    ("cust.updated", "Updated"),
    ("cust.search", "Search name, phone or contact"),
    ("cust.all_levels", "All levels"),
    ("cust.exists", "Already a customer: "),
    ("cust.owned_by", "owner"),
    ("cust.open", "Open"),
    ("cust.info", "Details"),
    ("cust.contacts", "Contacts"),
    ("cust.history", "History"),
    ("cust.move_level", "Change level"),
    ("cust.reason", "Reason"),
    ("cust.reason_prompt", "Why does the level change?"),
    ("cust.never", "never"),
    ("cust.review_status", "Review"),
    ("cust.approve", "Approve"),
    ("cust.reject", "Reject"),
    ("cust.review_empty", "Nothing waits for review"),
    ("cust.count", "customers"),
    ("cust.save_first", "Save"),
    ("cust.pending", "Pending review"),
    ("level.lead", "Lead"),
    ("level.contacted", "Contacted"),
    ("level.prospect", "Prospect"),
    ("level.signed", "Signed"),
    ("level.blacklisted", "Blacklisted"),
    ("type.customer", "Customer"),
    ("type.supplier", "Supplier"),
    ("type.partner", "Partner"),
    ("type.agent", "Agent"),
    ("type.competitor", "Competitor"),
    ("contact.name", "Name"),
    ("contact.title", "Title"),
    ("contact.mobile", "Mobile"),
    ("contact.email", "E-mail"),
    ("contact.key", "Key contact"),
    ("contact.add", "Add contact"),
    ("nav.transfer", "Transfers"),
    ("xfer.title", "Customer transfer"),
    ("xfer.from", "From"),
    ("xfer.to", "To"),
    ("xfer.all", "All customers"),
    ("xfer.pick", "Pick customers"),
    ("xfer.reason", "Reason"),
    ("xfer.preview", "Preview"),
    ("xfer.confirm", "Transfer"),
    ("xfer.will_move", "Will move: "),
    ("xfer.moved", "Moved: "),
    ("xfer.kind.customers", "customers"),
    ("xfer.kind.contacts", "contacts"),
    ("xfer.kind.reminders", "reminders"),
    ("xfer.log", "Transfer log"),
    ("xfer.choose", "Choose"),
    ("act.create", "created"),
    ("act.update", "changed"),
    ("act.delete", "deleted"),
    ("act.level", "level changed"),
    ("act.grade", "graded"),
    ("act.review", "reviewed"),
    ("act.transfer", "transferred"),
    ("act.enable", "enabled"),
    ("act.disable", "disabled"),
    ("act.reset_password", "password reset"),
    ("act.change_password", "password changed"),
    ("act.revoke", "revoked"),
    ("ent.customer", "Customer"),
    ("ent.contact", "Contact"),
    ("ent.user", "User"),
    ("ent.department", "Department"),
    ("ent.role", "Role"),
    ("ent.settings", "Settings"),
    ("ent.api_token", "API token"),
    ("ent.customer_transfer", "Customer transfer"),
    ("ent.dictionary", "Dictionary"),
    ("act.title", "Activities"),
    ("act.type", "Type"),
    ("act.summary", "What happened"),
    ("act.outcome", "Outcome"),
    ("act.next_on", "Next step on"),
    ("act.next_note", "Next step"),
    ("act.log", "Log"),
    ("act.when", "When"),
    ("act.by", "By"),
    ("ent.activity", "Activity"),
    ("notfound.title", "Page not found"),
    ("error.network", "Cannot reach the server"),
];

/// The text of `key` in `lang`; the key itself when missing (which the tests prevent).
pub fn lookup(lang: Lang, key: &str) -> &'static str {
    let table = match lang {
        Lang::Zh => ZH,
        Lang::En => EN,
    };
    table
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, v)| *v)
        .unwrap_or("⚠missing-translation")
}

/// "客户 · 修改" / "Customer · changed" for an audit entry; unknown names stay as they are.
pub fn audit_label(lang: Lang, entity: &str, action: &str) -> String {
    let table = match lang {
        Lang::Zh => ZH,
        Lang::En => EN,
    };
    let find = |key: String, fallback: &str| {
        table
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.to_string())
            .unwrap_or_else(|| fallback.to_string())
    };
    let entity_key = format!("ent.{}", entity.split('.').next().unwrap_or(entity));
    format!(
        "{} · {}",
        find(entity_key, entity),
        find(format!("act.{action}"), action)
    )
}

/// A date and time in the viewer's local offset: `2026年11月27日 15:30` or `27 Nov 2026 15:30`.
pub fn format_datetime(lang: Lang, at: DateTime<Utc>, offset: FixedOffset) -> String {
    let local = at.with_timezone(&offset);
    match lang {
        Lang::Zh => local.format("%Y年%-m月%-d日 %H:%M").to_string(),
        Lang::En => local.format("%-d %b %Y %H:%M").to_string(),
    }
}

/// Money with thousands separators: `¥12,800.00` or `CNY 12,800.00`.
/// (The money pages of the orders issue use it; it is tested here already.)
#[cfg_attr(not(test), allow(dead_code))]
pub fn format_money(lang: Lang, amount: Money, currency: &str) -> String {
    let text = amount.to_string();
    let (sign, digits) = text
        .strip_prefix('-')
        .map(|d| ("-", d))
        .unwrap_or(("", text.as_str()));
    let (int, frac) = digits.split_once('.').unwrap_or((digits, "00"));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    match (lang, currency) {
        (Lang::Zh, "CNY") => format!("{sign}¥{grouped}.{frac}"),
        _ => format!("{sign}{currency} {grouped}.{frac}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn keys(table: &[(&str, &str)]) -> BTreeSet<String> {
        table.iter().map(|(k, _)| k.to_string()).collect()
    }

    #[test]
    fn both_languages_have_the_same_keys_and_no_empty_text() {
        let (zh, en) = (keys(ZH), keys(EN));
        let only_zh: Vec<_> = zh.difference(&en).collect();
        let only_en: Vec<_> = en.difference(&zh).collect();
        assert!(
            only_zh.is_empty() && only_en.is_empty(),
            "missing in English: {only_zh:?}; missing in Chinese: {only_en:?}"
        );
        assert_eq!(zh.len(), ZH.len(), "a key is defined twice in Chinese");
        assert_eq!(en.len(), EN.len(), "a key is defined twice in English");
        assert!(ZH.iter().chain(EN).all(|(_, v)| !v.trim().is_empty()));
    }

    /// Every `t("…")` in the sources names a defined key.
    #[test]
    fn every_key_used_in_the_sources_is_defined() {
        let defined = keys(ZH);
        let mut missing = Vec::new();
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
        let mut stack = vec![std::path::PathBuf::from(dir)];
        while let Some(path) = stack.pop() {
            if path.is_dir() {
                stack.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for part in text.split("t(\"").skip(1) {
                let key = part.split('"').next().unwrap();
                if key.contains('.') && !defined.contains(key) {
                    missing.push(format!("{}: {key}", path.display()));
                }
            }
        }
        assert!(
            missing.is_empty(),
            "undefined translation keys: {missing:?}"
        );
    }

    #[test]
    fn audit_labels_are_translated_and_unknown_ones_kept() {
        assert_eq!(audit_label(Lang::Zh, "customer", "update"), "客户 · 修改");
        assert_eq!(
            audit_label(Lang::En, "dictionary.industry", "create"),
            "Dictionary · created"
        );
        assert_eq!(audit_label(Lang::En, "widget", "spin"), "widget · spin");
    }

    #[test]
    fn dates_and_money_follow_the_language() {
        let at = DateTime::parse_from_rfc3339("2026-11-27T07:30:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let shanghai = FixedOffset::east_opt(8 * 3600).unwrap();
        assert_eq!(
            format_datetime(Lang::Zh, at, shanghai),
            "2026年11月27日 15:30"
        );
        assert_eq!(format_datetime(Lang::En, at, shanghai), "27 Nov 2026 15:30");
        let m = Money::parse("1234567.5").unwrap();
        assert_eq!(format_money(Lang::Zh, m, "CNY"), "¥1,234,567.50");
        assert_eq!(format_money(Lang::En, m, "CNY"), "CNY 1,234,567.50");
        assert_eq!(
            format_money(Lang::Zh, Money::parse("-12.3").unwrap(), "CNY"),
            "-¥12.30"
        );
        assert_eq!(
            format_money(Lang::En, Money::parse("999").unwrap(), "USD"),
            "USD 999.00"
        );
    }
}
