//! What each list accepts in its query string. The server parses these; the web app builds its
//! URLs from the very same types, so a renamed parameter fails to compile, not in a browser.
//! (`serde_urlencoded` leaves `None` fields out of a query string.)

use super::{
    AgingGroup, CustomerType, ExpenseGroup, GroupBy, ReportFormat, ReviewStatus, ServiceGroup,
};
use crate::customer::CustomerLevel;
use crate::expense::{ExpenseReportStatus, ExpenseStatus};
use crate::knowledge::{ArticleKind, ArticleStatus};
use crate::opportunity::OpportunityStatus;
use crate::order::OrderStatus;
use crate::paging::{Sort, SortKey};
use crate::ticket::{TicketKind, TicketPriority, TicketStatus};
use chrono::{DateTime, NaiveDate, Utc};
use crm_macros::rules;
use serde::{Deserialize, Serialize};
use validator::Validate;

/// A query string's type: checked by its rules (which also document its bounds), described as
/// parameters in the OpenAPI document, unknown names refused.
macro_rules! query {
    ($(#[$meta:meta])* pub struct $name:ident { $($fields:tt)* }) => {
        #[rules]
        #[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Validate)]
        #[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
        #[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
        #[serde(deny_unknown_fields)]
        $(#[$meta])*
        pub struct $name { $($fields)* }
    };
}

/// A list's query: its own parameters, then the page's `limit` and `cursor`, the same for every
/// list (`limit` up to [`MAX_LIMIT`](crate::paging::MAX_LIMIT), which a test holds to the bound written here).
macro_rules! list_query {
    ($(#[$meta:meta])* pub struct $name:ident { $($fields:tt)* }) => {
        query! {
            $(#[$meta])*
            pub struct $name {
                $($fields)*
                /// 1–200, default 50.
                #[validate(range(min = 1, max = 200))]
                pub limit: Option<i64>,
                /// The `next_cursor` of the page before; absent for the first page.
                pub cursor: Option<String>,
            }
        }

        impl crate::paging::PageParams for $name {
            fn page_params(&self) -> (Option<i64>, Option<&str>) {
                (self.limit, self.cursor.as_deref())
            }
            fn set_page(&mut self, limit: i64, cursor: Option<String>) {
                self.limit = Some(limit);
                self.cursor = cursor;
            }
        }
    };
}

/// The customer filters shared by the list and the pipeline, written once; `$finish` is the
/// macro that makes the struct (`query` or `list_query`).
macro_rules! customer_filters {
    ($finish:ident; $(#[$meta:meta])* pub struct $name:ident { $($head:tt)* } { $($tail:tt)* }) => {
        $finish! {
        $(#[$meta])*
        pub struct $name {
            $($head)*
            #[serde(rename = "type")]
            #[cfg_attr(feature = "openapi", param(rename = "type"))]
            pub type_: Option<CustomerType>,
            #[validate(range(min = 1, max = 5))]
            pub grade: Option<i16>,
            pub industry_id: Option<i64>,
            /// A province includes its cities.
            pub region_id: Option<i64>,
            pub owner_id: Option<i64>,
            /// The owner's department.
            pub department_id: Option<i64>,
            pub review_status: Option<ReviewStatus>,
            /// Not contacted in this many days (never contacted included).
            #[validate(range(min = 1, max = 3650))]
            pub not_contacted_days: Option<u32>,
            /// Part of the name, short name, phone or a contact's name.
            #[validate(length(max = 100))]
            pub q: Option<String>,
            $($tail)*
        }
        }
    };
}

customer_filters! {
    query;
    /// `GET /customers/pipeline`: customers per level, filtered like the list.
    pub struct CustomerFilters {} {}
}

customer_filters! {
    list_query;
    /// `GET /customers`: filters, quick search, order and page.
    pub struct CustomerQuery {
        pub level: Option<CustomerLevel>,
    } {
        /// `name`, `created`, `updated`, `last_contact`; a leading `-` sorts descending. Default `-updated`.
        #[cfg_attr(feature = "openapi", param(value_type = Option<String>, pattern = r"^-?(name|created|updated|last_contact)$"))]
        pub sort: Option<Sort<CustomerSortKey>>,
    }
}

impl CustomerQuery {
    /// The filters alone (what the pipeline takes too).
    pub fn filters(&self) -> CustomerFilters {
        let CustomerQuery {
            type_,
            grade,
            industry_id,
            region_id,
            owner_id,
            department_id,
            review_status,
            not_contacted_days,
            q,
            level: _,
            sort: _,
            limit: _,
            cursor: _,
        } = self.clone();
        CustomerFilters {
            type_,
            grade,
            industry_id,
            region_id,
            owner_id,
            department_id,
            review_status,
            not_contacted_days,
            q,
        }
    }

    /// The order asked for, or the default: last changed first.
    pub fn sort(&self) -> Sort<CustomerSortKey> {
        self.sort.unwrap_or(Sort::desc(CustomerSortKey::Updated))
    }
}

list_query! {
    /// `GET /pool`: the public pool's customers, filtered and sorted like the customer list.
    pub struct PoolQuery {
        pub level: Option<CustomerLevel>,
        #[serde(rename = "type")]
        #[cfg_attr(feature = "openapi", param(rename = "type"))]
        pub type_: Option<CustomerType>,
        pub industry_id: Option<i64>,
        /// A province includes its cities.
        pub region_id: Option<i64>,
        /// Part of the name or short name.
        #[validate(length(max = 100))]
        pub q: Option<String>,
        /// `name`, `created`, `updated` (when it entered the pool), `last_contact`; a leading `-`
        /// sorts descending. Default `-updated`: the newest in the pool first.
        #[cfg_attr(feature = "openapi", param(value_type = Option<String>, pattern = r"^-?(name|created|updated|last_contact)$"))]
        pub sort: Option<Sort<CustomerSortKey>>,
    }
}

list_query! {
    /// `GET /pool/reclaim-preview`: the company's rules, or the ones being considered.
    pub struct ReclaimPreviewQuery {
        /// Instead of the setting (to try a rule before turning it on).
        #[validate(range(min = 1, max = 3650))]
        pub no_contact_days: Option<u32>,
        /// Instead of the setting.
        #[validate(range(min = 1, max = 3650))]
        pub unsigned_days: Option<u32>,
        /// Also those due within this many days (default 0: due at the next run).
        #[validate(range(min = 0, max = 365))]
        pub within_days: Option<u32>,
    }
}

/// What the customer list may be sorted by; each has an index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CustomerSortKey {
    Name,
    Created,
    Updated,
    /// Never contacted first, then the longest ago.
    LastContact,
}

impl SortKey for CustomerSortKey {
    const ALL: &'static [Self] = &[Self::Name, Self::Created, Self::Updated, Self::LastContact];

    fn name(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::Created => "created",
            Self::Updated => "updated",
            Self::LastContact => "last_contact",
        }
    }
}

query! {
    /// `GET /customers/check-duplicate`.
    pub struct DuplicateQuery {
        #[validate(length(max = 100))]
        pub name: Option<String>,
        #[validate(length(max = 40))]
        pub phone: Option<String>,
        #[validate(length(max = 200))]
        pub website: Option<String>,
        /// Leave this customer out (the one being edited).
        pub except_id: Option<i64>,
    }
}

list_query! {
    /// A page of a list without filters of its own (`limit` 1–200, default 50; `cursor` from the
    /// previous page).
    pub struct PageQuery {}
}

list_query! {
    /// `GET /users`.
    pub struct UserQuery {
        pub department_id: Option<i64>,
        pub role_id: Option<i64>,
        pub enabled: Option<bool>,
        /// Part of the username or display name.
        #[validate(length(max = 64))]
        pub q: Option<String>,
    }
}

list_query! {
    /// `GET /audit-log`.
    pub struct AuditQuery {
        /// e.g. `user`, `department`, `role`, `settings`, `dictionary.industry`.
        #[validate(length(max = 64))]
        pub entity: Option<String>,
        pub entity_id: Option<i64>,
        pub user_id: Option<i64>,
        /// From this instant (inclusive, RFC 3339).
        pub from: Option<DateTime<Utc>>,
        /// Until this instant (exclusive, RFC 3339).
        pub to: Option<DateTime<Utc>>,
    }
}

query! {
    /// `GET /dictionaries/{kind}` and `GET /products`.
    pub struct ListQuery {
        /// Also list disabled entries.
        pub include_disabled: Option<bool>,
    }
}

list_query! {
    /// `GET /activities`.
    pub struct ActivityQuery {
        pub customer_id: Option<i64>,
        /// The author.
        pub owner_id: Option<i64>,
        /// The author's department.
        pub department_id: Option<i64>,
        pub type_id: Option<i64>,
        /// Only those logged on this deal.
        pub opportunity_id: Option<i64>,
        /// From this instant (inclusive).
        pub from: Option<DateTime<Utc>>,
        /// Until this instant (exclusive).
        pub to: Option<DateTime<Utc>>,
    }
}

query! {
    /// `GET /team/activity-stream`.
    pub struct TeamQuery {
        /// The day on the company's calendar (default: today).
        pub date: Option<NaiveDate>,
        /// Only this person's activities in `activities` (the counts still cover everyone).
        pub user_id: Option<i64>,
    }
}

/// Which reminders to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReminderView {
    /// Every open one, overdue included, by day.
    #[default]
    Open,
    /// Open ones due today or earlier (the company's today): what to do now.
    Due,
    /// Open ones whose day has passed.
    Overdue,
    /// Finished ones, newest first.
    Done,
}

list_query! {
    /// `GET /reminders`.
    pub struct ReminderQuery {
        /// `open` (default), `due`, `overdue` or `done`.
        pub status: Option<ReminderView>,
        /// Only those due before this day (e.g. tomorrow, for "due today or earlier").
        pub due_before: Option<NaiveDate>,
        pub customer_id: Option<i64>,
    }
}

list_query! {
    /// `GET /notifications`.
    pub struct NotificationQuery {
        /// Only unread ones.
        pub unread: Option<bool>,
    }
}

list_query! {
    /// `GET /orders`.
    pub struct OrderQuery {
        pub customer_id: Option<i64>,
        pub owner_id: Option<i64>,
        /// The owner's department.
        pub department_id: Option<i64>,
        pub status: Option<OrderStatus>,
        pub signed_from: Option<NaiveDate>,
        pub signed_to: Option<NaiveDate>,
    }
}

list_query! {
    /// `GET /opportunities`: newest change first.
    pub struct OpportunityQuery {
        pub customer_id: Option<i64>,
        pub owner_id: Option<i64>,
        /// The owner's department.
        pub department_id: Option<i64>,
        pub stage_id: Option<i64>,
        pub status: Option<OpportunityStatus>,
        /// Expected to close on or after this day.
        pub close_from: Option<NaiveDate>,
        /// Expected to close on or before this day.
        pub close_to: Option<NaiveDate>,
        /// Met against this competitor (in the deal, or lost to it).
        pub competitor_id: Option<i64>,
        /// Part of the title.
        #[validate(length(max = 100))]
        pub q: Option<String>,
    }
}

query! {
    /// `GET /opportunities/pipeline`.
    pub struct OpportunityPipelineQuery {
        pub owner_id: Option<i64>,
        /// The owner's department.
        pub department_id: Option<i64>,
    }
}

list_query! {
    /// `GET /competitors`: by name.
    pub struct CompetitorQuery {
        /// Part of the name.
        #[validate(length(max = 100))]
        pub q: Option<String>,
    }
}

list_query! {
    /// `GET /receivables`.
    pub struct ReceivableQuery {
        pub owner_id: Option<i64>,
        /// The owner's department.
        pub department_id: Option<i64>,
        pub customer_id: Option<i64>,
        /// Only installments past their due date.
        pub overdue: Option<bool>,
    }
}

list_query! {
    /// `GET /expenses`: latest spent first.
    pub struct ExpenseQuery {
        pub spender_id: Option<i64>,
        /// The department the expense was filed in.
        pub department_id: Option<i64>,
        pub category_id: Option<i64>,
        pub customer_id: Option<i64>,
        pub opportunity_id: Option<i64>,
        pub order_id: Option<i64>,
        pub status: Option<ExpenseStatus>,
        /// Spent on or after this day.
        pub from: Option<NaiveDate>,
        /// Spent on or before this day.
        pub to: Option<NaiveDate>,
        /// Only what the caller may decide: submitted, of someone else in their scope.
        pub approvable: Option<bool>,
    }
}

query! {
    /// `GET /reports/expenses`.
    pub struct ExpenseReportQuery {
        /// Default: the first day of this year on the company's calendar.
        pub from: Option<NaiveDate>,
        /// Default: today.
        pub to: Option<NaiveDate>,
        /// `department` (default), `owner`, `category`, `customer` or `month`.
        pub group_by: Option<ExpenseGroup>,
        /// `approved` (default), `submitted` or `all` (both); rejected expenses never count.
        pub status: Option<ExpenseReportStatus>,
        /// A department and the departments below it.
        pub department_id: Option<i64>,
        /// The spender.
        pub owner_id: Option<i64>,
        pub category_id: Option<i64>,
        pub customer_id: Option<i64>,
        /// `json` (default) or `csv`.
        pub format: Option<ReportFormat>,
    }
}

query! {
    /// `GET /reports/customers`, `/reports/sales`, `/reports/receipts`: one fact within the
    /// caller's scope, cut by one or two dimensions.
    pub struct ReportQuery {
        /// Default: the first day of this year on the company's calendar.
        pub from: Option<NaiveDate>,
        /// Default: today. At most ten years after `from`.
        pub to: Option<NaiveDate>,
        /// One or two of `month`, `department`, `owner`, `industry`, `region`, `level` (new
        /// customers), `product` (sales), comma separated; default `month`.
        #[cfg_attr(feature = "openapi", param(value_type = Option<String>, example = "month,department"))]
        pub group_by: Option<GroupBy>,
        /// A department and the departments below it.
        pub department_id: Option<i64>,
        pub owner_id: Option<i64>,
        /// The customer's industry.
        pub industry_id: Option<i64>,
        /// The customer's region.
        pub region_id: Option<i64>,
        /// Sales with a line of this product (its lines' amounts).
        pub product_id: Option<i64>,
        /// `json` (default), `csv` or `xlsx`.
        pub format: Option<ReportFormat>,
    }
}

query! {
    /// `GET /reports/scorecard`.
    pub struct ScorecardQuery {
        /// Default: the first day of this month on the company's calendar.
        pub from: Option<NaiveDate>,
        /// Default: today. At most ten years after `from`.
        pub to: Option<NaiveDate>,
        /// The people of a department and of the departments below it.
        pub department_id: Option<i64>,
        /// One person.
        pub owner_id: Option<i64>,
        /// `json` (default), `csv` or `xlsx`.
        pub format: Option<ReportFormat>,
    }
}

query! {
    /// `GET /reports/opportunities`.
    pub struct OpportunityReportQuery {
        /// Closed on or after; default: the first day of this year on the company's calendar.
        pub from: Option<NaiveDate>,
        /// Closed on or before; default: today. At most ten years after `from`.
        pub to: Option<NaiveDate>,
        /// A department and the departments below it.
        pub department_id: Option<i64>,
        pub owner_id: Option<i64>,
        /// `json` (default); `csv` or `xlsx`: the stages' table.
        pub format: Option<ReportFormat>,
    }
}

list_query! {
    /// `GET /tickets`: last changed first.
    pub struct TicketQuery {
        pub status: Option<TicketStatus>,
        #[serde(rename = "type")]
        #[cfg_attr(feature = "openapi", param(rename = "type"))]
        pub kind: Option<TicketKind>,
        pub priority: Option<TicketPriority>,
        pub assignee_id: Option<i64>,
        /// Nobody assigned yet.
        pub unassigned: Option<bool>,
        pub customer_id: Option<i64>,
        pub order_id: Option<i64>,
        /// Not resolved and past due.
        pub overdue: Option<bool>,
    }
}

query! {
    /// `GET /reports/service`: tickets opened in the period.
    pub struct ServiceReportQuery {
        /// Default: the first day of this year on the company's calendar.
        pub from: Option<NaiveDate>,
        /// Default: today.
        pub to: Option<NaiveDate>,
        /// `type` (default), `status`, `assignee`, `customer` or `month`.
        pub group_by: Option<ServiceGroup>,
    }
}

list_query! {
    /// `GET /reports/renewal-risk`: customers whose service ends within `within_days` (default
    /// 90) and who have not renewed, riskiest first.
    pub struct RenewalRiskQuery {
        #[validate(range(min = 1, max = 365))]
        pub within_days: Option<u32>,
        pub owner_id: Option<i64>,
        /// The owner's department.
        pub department_id: Option<i64>,
    }
}

query! {
    /// `GET /reports/receivables-aging`.
    pub struct AgingQuery {
        /// `owner` (default), `department` or `customer`.
        pub group_by: Option<AgingGroup>,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::paging::MAX_LIMIT;

    #[test]
    fn every_list_takes_up_to_max_limit_rows() {
        let page = |limit| PageQuery {
            limit: Some(limit),
            cursor: None,
        };
        assert!(page(1).validate().is_ok());
        assert!(page(MAX_LIMIT).validate().is_ok());
        assert!(page(MAX_LIMIT + 1).validate().is_err());
        assert!(page(0).validate().is_err());
    }
}

list_query! {
    /// `GET /articles`: pinned first, then the newest.
    pub struct ArticleQuery {
        pub kind: Option<ArticleKind>,
        pub category_id: Option<i64>,
        /// Drafts: the caller's own, or all of them for a writer.
        pub status: Option<ArticleStatus>,
        pub author_id: Option<i64>,
        /// Only those the caller has not opened yet.
        pub unread: Option<bool>,
        /// Published at or after this instant.
        pub published_from: Option<DateTime<Utc>>,
        /// Words of the title or the body (two Chinese characters find).
        #[validate(length(max = 64))]
        pub q: Option<String>,
    }
}

list_query! {
    /// `GET /documents`: a record's documents (one of the record filters), or every document the
    /// caller may see, newest first.
    pub struct DocumentQuery {
        pub customer_id: Option<i64>,
        pub opportunity_id: Option<i64>,
        pub order_id: Option<i64>,
        pub ticket_id: Option<i64>,
        pub article_id: Option<i64>,
        /// Words of the title or the file name.
        #[validate(length(max = 64))]
        pub q: Option<String>,
    }
}

query! {
    /// `GET /search`.
    pub struct SearchQuery {
        /// At least two characters.
        #[validate(length(min = 2, max = 64))]
        pub q: String,
        /// Hits per kind, 1–20, default 5.
        #[validate(range(min = 1, max = 20))]
        pub per_kind: Option<i64>,
    }
}
