//! Company settings (公司设置): one document per company, with defaults for a new installation.

use crate::Money;
use serde::{Deserialize, Serialize};

/// The company's settings (changed through [`crate::api::SettingsPatch`], whose rules keep it valid).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CompanySettings {
    pub company_name: String,
    /// IANA time zone that decides what "today" and "overdue" mean, e.g. `Asia/Shanghai`.
    pub time_zone: String,
    /// ISO 4217 currency code of all amounts.
    pub currency: String,
    /// Whether new customers (and changes of name, phone or owner) wait for a manager's approval.
    pub review_new_customers: bool,
    /// Signed-total thresholds for grades 2, 3, 4 and 5 (ascending); below the first is grade 1.
    pub grade_thresholds: Vec<Money>,
    /// Days before an installment's due date that its owner is reminded.
    pub payment_reminder_days: u32,
    /// Days overdue after which the owner's manager is told too.
    pub overdue_escalation_days: u32,
    /// Days before a service period ends that the owner is reminded to renew.
    pub renewal_reminder_days: u32,
    /// Minutes during which the author of an activity may still edit it.
    pub activity_edit_minutes: u32,
    /// The language the server speaks to those who have not chosen one and whose browser asks
    /// for none it speaks.
    pub language: crate::Lang,
    /// Hours from opening a service ticket to its due time, per priority.
    pub ticket_due_hours: crate::ticket::TicketDueHours,
    /// Largest document upload, in MB (1 MB = 1 048 576 bytes).
    pub document_max_mb: u32,
    /// 公海: a customer nobody has contacted for this many days goes back to the pool (null: off).
    pub pool_reclaim_no_contact_days: Option<u32>,
    /// 公海: a customer below `signed` this many days after its owner got it goes back (null: off).
    pub pool_reclaim_unsigned_days: Option<u32>,
    /// 公海: the owner is warned this many days before a rule takes a customer (null: no warning).
    pub pool_warn_days: Option<u32>,
    /// 公海: a claim is refused once the claimer owns this many customers (null: no limit).
    pub pool_max_owned: Option<u32>,
    /// 公海: a claim is refused after this many claims by the same person today (null: no limit).
    pub pool_max_claims_per_day: Option<u32>,
    /// Whether webhooks may call loopback and private addresses (an integration on the company's
    /// own network); off, such URLs are refused when registered and again when delivered.
    pub webhooks_allow_private_network: bool,
    /// 绩效考核: what each part of the staff scorecard weighs (0–100 each).
    pub scorecard_weights: crate::scorecard::ScorecardWeights,
}

impl Default for CompanySettings {
    fn default() -> Self {
        CompanySettings {
            company_name: "示例公司".into(),
            time_zone: "Asia/Shanghai".into(),
            currency: "CNY".into(),
            review_new_customers: false,
            // 10 000, 50 000, 100 000 and 300 000 yuan, in fen.
            grade_thresholds: [1_000_000, 5_000_000, 10_000_000, 30_000_000]
                .into_iter()
                .map(Money::from_minor)
                .collect(),
            payment_reminder_days: 7,
            overdue_escalation_days: 30,
            renewal_reminder_days: 30,
            activity_edit_minutes: 60,
            language: crate::Lang::Zh,
            ticket_due_hours: crate::ticket::TicketDueHours::default(),
            document_max_mb: 20,
            pool_reclaim_no_contact_days: None,
            pool_reclaim_unsigned_days: None,
            pool_warn_days: None,
            pool_max_owned: None,
            pool_max_claims_per_day: None,
            webhooks_allow_private_network: false,
            scorecard_weights: crate::scorecard::ScorecardWeights::default(),
        }
    }
}
