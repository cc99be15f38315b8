//! The words for the domain's values (levels, types, statuses, scopes, …), in the app's language.
//! Each is a `match` over the value, so a new variant does not compile until it has its words.

use crate::format::I18n;
use crate::i18n::*;
use crm_domain::DataScope;
use crm_domain::api::OrderRecordKind;
use crm_domain::api::{CustomerType, DictionaryKind, ImportKind, ReviewStatus, SearchKind};
use crm_domain::customer::CustomerLevel;
use crm_domain::knowledge::{ArticleKind, ArticleStatus};
use crm_domain::opportunity::{ContactRole, OpportunityStatus, QuoteAction, QuoteStatus};
use crm_domain::order::{OrderAction, OrderStatus};

pub fn level(i18n: I18n, l: CustomerLevel) -> &'static str {
    match l {
        CustomerLevel::Lead => t_string!(i18n, level.lead),
        CustomerLevel::Contacted => t_string!(i18n, level.contacted),
        CustomerLevel::Prospect => t_string!(i18n, level.prospect),
        CustomerLevel::Signed => t_string!(i18n, level.signed),
        CustomerLevel::Blacklisted => t_string!(i18n, level.blacklisted),
    }
}

/// What an import's file holds.
pub fn import_kind(i18n: I18n, k: ImportKind) -> &'static str {
    match k {
        ImportKind::Customers => t_string!(i18n, imp.kind_customers),
        ImportKind::Contacts => t_string!(i18n, imp.kind_contacts),
        ImportKind::Orders => t_string!(i18n, imp.kind_orders),
    }
}

pub fn customer_type(i18n: I18n, t: CustomerType) -> &'static str {
    match t {
        CustomerType::Customer => t_string!(i18n, ctype.customer),
        CustomerType::Supplier => t_string!(i18n, ctype.supplier),
        CustomerType::Partner => t_string!(i18n, ctype.partner),
        CustomerType::Agent => t_string!(i18n, ctype.agent),
        CustomerType::Competitor => t_string!(i18n, ctype.competitor),
    }
}

pub fn review(i18n: I18n, r: ReviewStatus) -> &'static str {
    match r {
        ReviewStatus::Pending => t_string!(i18n, review.pending),
        ReviewStatus::Approved => t_string!(i18n, review.approved),
        ReviewStatus::Rejected => t_string!(i18n, review.rejected),
    }
}

pub fn order_status(i18n: I18n, s: OrderStatus) -> &'static str {
    match s {
        OrderStatus::Draft => t_string!(i18n, order.status.draft),
        OrderStatus::Signed => t_string!(i18n, order.status.signed),
        OrderStatus::Executing => t_string!(i18n, order.status.executing),
        OrderStatus::Completed => t_string!(i18n, order.status.completed),
        OrderStatus::Cancelled => t_string!(i18n, order.status.cancelled),
    }
}

pub fn order_action(i18n: I18n, a: OrderAction) -> &'static str {
    match a {
        OrderAction::Sign => t_string!(i18n, order.action.sign),
        OrderAction::Start => t_string!(i18n, order.action.start),
        OrderAction::Complete => t_string!(i18n, order.action.complete),
        OrderAction::Cancel => t_string!(i18n, order.action.cancel),
    }
}

pub fn record_kind(i18n: I18n, k: OrderRecordKind) -> &'static str {
    match k {
        OrderRecordKind::Progress => t_string!(i18n, order.record.kind.progress),
        OrderRecordKind::Service => t_string!(i18n, order.record.kind.service),
    }
}

pub fn scope(i18n: I18n, s: DataScope) -> &'static str {
    match s {
        DataScope::Own => t_string!(i18n, scope.own),
        DataScope::Department => t_string!(i18n, scope.department),
        DataScope::DepartmentTree => t_string!(i18n, scope.department_tree),
        DataScope::All => t_string!(i18n, scope.all),
    }
}

/// A permission module (`customer`, `finance`, …) as the role editor groups them.
pub fn module(i18n: I18n, module: &str) -> &'static str {
    match module {
        "customer" => t_string!(i18n, module.customer),
        "activity" => t_string!(i18n, module.activity),
        "opportunity" => t_string!(i18n, module.opportunity),
        "order" => t_string!(i18n, module.order),
        "finance" => t_string!(i18n, module.finance),
        "service" => t_string!(i18n, module.service),
        "knowledge" => t_string!(i18n, module.knowledge),
        "report" => t_string!(i18n, module.report),
        "admin" => t_string!(i18n, module.admin),
        _ => t_string!(i18n, module.other),
    }
}

pub fn dictionary(i18n: I18n, kind: DictionaryKind) -> &'static str {
    match kind {
        DictionaryKind::Industry => t_string!(i18n, dict.kind.industry),
        DictionaryKind::Region => t_string!(i18n, dict.kind.region),
        DictionaryKind::CustomerSource => t_string!(i18n, dict.kind.customer_source),
        DictionaryKind::ActivityType => t_string!(i18n, dict.kind.activity_type),
        DictionaryKind::OpportunityStage => t_string!(i18n, dict.kind.opportunity_stage),
        DictionaryKind::ExpenseCategory => t_string!(i18n, dict.kind.expense_category),
        DictionaryKind::ArticleCategory => t_string!(i18n, dict.kind.article_category),
        DictionaryKind::PaymentMethod => t_string!(i18n, dict.kind.payment_method),
    }
}

/// A notification's kind (`reminder_due`, …) as its heading.
pub fn notification(i18n: I18n, kind: &str) -> &'static str {
    match kind {
        "reminder_due" => t_string!(i18n, notif.kind.reminder_due),
        "review_pending" => t_string!(i18n, notif.kind.review_pending),
        "customer_transfer" => t_string!(i18n, notif.kind.customer_transfer),
        "payment_due" => t_string!(i18n, notif.kind.payment_due),
        "payment_overdue" => t_string!(i18n, notif.kind.payment_overdue),
        "payment_escalation" => t_string!(i18n, notif.kind.payment_escalation),
        "renewal_due" => t_string!(i18n, notif.kind.renewal_due),
        "ticket_assigned" => t_string!(i18n, notif.kind.ticket_assigned),
        "ticket_overdue" => t_string!(i18n, notif.kind.ticket_overdue),
        "expense_submitted" => t_string!(i18n, notif.kind.expense_submitted),
        "expense_approved" => t_string!(i18n, notif.kind.expense_approved),
        "expense_rejected" => t_string!(i18n, notif.kind.expense_rejected),
        "expense_reopened" => t_string!(i18n, notif.kind.expense_reopened),
        _ => t_string!(i18n, notif.kind.other),
    }
}

/// What a customer transfer moved (`customers`, `contacts`, …).
pub fn moved(i18n: I18n, kind: &str) -> &'static str {
    match kind {
        "customers" => t_string!(i18n, xfer.kind.customers),
        "contacts" => t_string!(i18n, xfer.kind.contacts),
        "reminders" => t_string!(i18n, xfer.kind.reminders),
        "orders" => t_string!(i18n, xfer.kind.orders),
        _ => t_string!(i18n, module.other),
    }
}

pub fn deal_status(i18n: I18n, s: OpportunityStatus) -> &'static str {
    match s {
        OpportunityStatus::Open => t_string!(i18n, opp.status.open),
        OpportunityStatus::Won => t_string!(i18n, opp.status.won),
        OpportunityStatus::Lost => t_string!(i18n, opp.status.lost),
    }
}

pub fn contact_role(i18n: I18n, r: ContactRole) -> &'static str {
    match r {
        ContactRole::DecisionMaker => t_string!(i18n, opp.role.decision_maker),
        ContactRole::Influencer => t_string!(i18n, opp.role.influencer),
        ContactRole::User => t_string!(i18n, opp.role.user),
        ContactRole::Gatekeeper => t_string!(i18n, opp.role.gatekeeper),
        ContactRole::Other => t_string!(i18n, opp.role.other),
    }
}

pub fn quote_status(i18n: I18n, s: QuoteStatus) -> &'static str {
    match s {
        QuoteStatus::Draft => t_string!(i18n, opp.quote_status.draft),
        QuoteStatus::Sent => t_string!(i18n, opp.quote_status.sent),
        QuoteStatus::Accepted => t_string!(i18n, opp.quote_status.accepted),
        QuoteStatus::Rejected => t_string!(i18n, opp.quote_status.rejected),
        QuoteStatus::Expired => t_string!(i18n, opp.quote_status.expired),
    }
}

pub fn quote_action(i18n: I18n, a: QuoteAction) -> &'static str {
    match a {
        QuoteAction::Send => t_string!(i18n, opp.quote_action.send),
        QuoteAction::Accept => t_string!(i18n, opp.quote_action.accept),
        QuoteAction::Reject => t_string!(i18n, opp.quote_action.reject),
    }
}

pub fn article_kind(i18n: I18n, k: ArticleKind) -> &'static str {
    match k {
        ArticleKind::Kb => t_string!(i18n, kb.kind_kb),
        ArticleKind::Faq => t_string!(i18n, kb.kind_faq),
        ArticleKind::Bulletin => t_string!(i18n, kb.kind_bulletin),
    }
}

pub fn article_status(i18n: I18n, s: ArticleStatus) -> &'static str {
    match s {
        ArticleStatus::Draft => t_string!(i18n, kb.draft),
        ArticleStatus::Published => t_string!(i18n, kb.published),
    }
}

pub fn search_kind(i18n: I18n, k: SearchKind) -> &'static str {
    match k {
        SearchKind::Customer => t_string!(i18n, nav.customers),
        SearchKind::Contact => t_string!(i18n, kb.contacts),
        SearchKind::Opportunity => t_string!(i18n, nav.opportunities),
        SearchKind::Article => t_string!(i18n, nav.knowledge),
        SearchKind::Competitor => t_string!(i18n, nav.competitors),
        SearchKind::Document => t_string!(i18n, doc.title),
    }
}
