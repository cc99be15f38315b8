//! Problems (RFC 9457) and the catalogue of their stable codes. A code names what went wrong for a
//! program; `title` and `detail` say it to a person, in the caller's language.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

macro_rules! codes {
    ($( $(#[$doc:meta])* $variant:ident = $code:literal, )*) => {
        /// Every stable code a problem or a field error carries. Codes are API: add, never rename.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum ErrorCode { $( $(#[$doc])* $variant, )* }

        impl ErrorCode {
            pub const ALL: &'static [ErrorCode] = &[ $( ErrorCode::$variant, )* ];

            pub fn as_str(self) -> &'static str {
                match self { $( ErrorCode::$variant => $code, )* }
            }
        }
    };
}

codes! {
    // The request itself
    MalformedJson = "malformed_json",
    InvalidBody = "invalid_body",
    /// No longer answered: a body over the limit is 413 `payload_too_large`.
    BodyTooLarge = "body_too_large",
    PayloadTooLarge = "payload_too_large",
    RequestTimeout = "request_timeout",
    InvalidQuery = "invalid_query",
    InvalidCursor = "invalid_cursor",
    InvalidPath = "invalid_path",
    UnsupportedMediaType = "unsupported_media_type",
    ValidationFailed = "validation_failed",
    InvalidIdempotencyKey = "invalid_idempotency_key",
    IdempotencyKeyReused = "idempotency_key_reused",
    IdempotencyInProgress = "idempotency_in_progress",
    // Who is calling
    Unauthenticated = "unauthenticated",
    InvalidCredentials = "invalid_credentials",
    InvalidToken = "invalid_token",
    RefreshTokenReused = "refresh_token_reused",
    AccountDisabled = "account_disabled",
    TooManyRequests = "too_many_requests",
    Forbidden = "forbidden",
    NotFound = "not_found",
    // The server
    Unavailable = "unavailable",
    DatabaseUnavailable = "database_unavailable",
    InternalError = "internal_error",
    // Rules of a single field (validation)
    Invalid = "invalid",
    Required = "required",
    Length = "length",
    Range = "range",
    Blank = "blank",
    InvalidEmail = "invalid_email",
    InvalidUsername = "invalid_username",
    InvalidCode = "invalid_code",
    NotAscending = "not_ascending",
    Negative = "negative",
    NotPositive = "not_positive",
    OneOf = "one_of",
    Ambiguous = "ambiguous",
    InThePast = "in_the_past",
    BeforeStart = "before_start",
    OutOfScope = "out_of_scope",
    NotAllowed = "not_allowed",
    InvalidTags = "invalid_tags",
    InvalidFileName = "invalid_file_name",
    // Organisation
    StaleVersion = "stale_version",
    DuplicateName = "duplicate_name",
    DuplicateUsername = "duplicate_username",
    DuplicateCode = "duplicate_code",
    DepartmentNotEmpty = "department_not_empty",
    DepartmentCycle = "department_cycle",
    RoleInUse = "role_in_use",
    WouldLockOut = "would_lock_out",
    CannotChangeOwnRoles = "cannot_change_own_roles",
    CannotDisableSelf = "cannot_disable_self",
    UseMePassword = "use_me_password",
    WrongPassword = "wrong_password",
    DictionaryItemInUse = "dictionary_item_in_use",
    TooDeep = "too_deep",
    UnknownTimeZone = "unknown_time_zone",
    InvalidCurrency = "invalid_currency",
    // Customers, activities, reminders, transfers
    DuplicateCustomer = "duplicate_customer",
    DuplicateContact = "duplicate_contact",
    CustomerHasOrders = "customer_has_orders",
    CustomerBlacklisted = "customer_blacklisted",
    NotSigned = "not_signed",
    NotPending = "not_pending",
    OwnCustomer = "own_customer",
    EditWindowClosed = "edit_window_closed",
    ReminderDone = "reminder_done",
    SameUser = "same_user",
    NotOwned = "not_owned",
    UserDisabled = "user_disabled",
    // Products, orders and money
    ProductInUse = "product_in_use",
    NoSuchProduct = "no_such_product",
    OrderEmpty = "order_empty",
    OrderNotDraft = "order_not_draft",
    OrderNotSigned = "order_not_signed",
    OrderClosed = "order_closed",
    OrderHasReceipts = "order_has_receipts",
    DuplicateContract = "duplicate_contract",
    /// The customer is not (or no longer) in the public pool: someone else claimed it first.
    NotInPool = "not_in_pool",
    /// The customer is in the public pool already.
    AlreadyInPool = "already_in_pool",
    /// A claim past `pool_max_owned` or `pool_max_claims_per_day`.
    ClaimLimitReached = "claim_limit_reached",
    /// A webhook URL that is not `http(s)`, does not resolve, or points at a loopback or private
    /// address the company does not allow.
    WebhookUrlNotAllowed = "webhook_url_not_allowed",
    InvalidStatusMove = "invalid_status_move",
    NoPaymentPlan = "no_payment_plan",
    ReceiptReversed = "receipt_reversed",
    ReceiptIsReversal = "receipt_is_reversal",
    AmountTooLarge = "amount_too_large",
    DiscountTooLarge = "discount_too_large",
    PlanTotalMismatch = "plan_total_mismatch",
    InstallmentHasReceipts = "installment_has_receipts",
    Overpayment = "overpayment",
    NoSuchInstallment = "no_such_installment",
    // Opportunities, quotes, competitors
    OpportunityClosed = "opportunity_closed",
    OpportunityHasOrders = "opportunity_has_orders",
    CustomerHasDeals = "customer_has_deals",
    NotCustomersContact = "not_customers_contact",
    AlreadyAdded = "already_added",
    CompetitorInUse = "competitor_in_use",
    QuoteClosed = "quote_closed",
    QuoteExpired = "quote_expired",
    NotAStage = "not_a_stage",
    // Expenses
    InTheFuture = "in_the_future",
    ExpenseTooLarge = "expense_too_large",
    NotOfCustomer = "not_of_customer",
    ExpenseDecided = "expense_decided",
    OwnExpense = "own_expense",
    CustomerHasExpenses = "customer_has_expenses",
    // Service tickets
    TicketClosed = "ticket_closed",
    NotAHandler = "not_a_handler",
    CustomerHasTickets = "customer_has_tickets",
    // Documents
    /// 413: the file is over the company's limit (`document_max_mb`).
    FileTooLarge = "file_too_large",
    /// 415: the content is not one of the types the store takes.
    FileTypeNotAllowed = "file_type_not_allowed",
    // Imports
    /// 422: neither CSV (UTF-8 or GB18030) nor a readable XLSX workbook.
    UnreadableFile = "unreadable_file",
    /// 422: more rows than an import takes at once.
    TooManyRows = "too_many_rows",
    /// 422: a column the kind needs is not in the header row.
    MissingColumn = "missing_column",
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ErrorCode {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        ErrorCode::ALL
            .iter()
            .copied()
            .find(|c| c.as_str() == s)
            .ok_or(())
    }
}

impl Serialize for ErrorCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A code this build does not know (a newer server's) reads as [`ErrorCode::Invalid`] rather than
/// failing the whole answer.
impl<'de> Deserialize<'de> for ErrorCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Ok(text.parse().unwrap_or(ErrorCode::Invalid))
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for ErrorCode {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .enum_values(Some(ErrorCode::ALL.iter().map(|c| c.as_str())))
            .description(Some("A stable code: add, never rename."))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for ErrorCode {}

/// RFC 9457 problem details with a stable machine `code`; `title` and `detail` are in the caller's
/// language (their setting, else `Accept-Language`, else the company's).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Problem {
    #[serde(rename = "type")]
    pub type_: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    pub code: ErrorCode,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// With `duplicate_customer`: the existing customers the new one collides with.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub matches: Vec<CustomerClash>,
    /// The request's id (`X-Request-Id`), to quote when reporting the problem.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// One invalid field of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    pub field: String,
    pub code: ErrorCode,
    pub message: String,
}

/// An existing customer that a new or changed one collides with (customer protection). Ids come
/// only with what the caller may see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomerClash {
    /// The key that matched: `name`, `phone` or `website`.
    pub field: String,
    /// The existing customer's id, when the caller may see it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    pub name: String,
    pub owner: ClashOwner,
    pub department: ClashDepartment,
    /// The existing customer is in the public pool (公海): claim it instead of creating it.
    #[serde(default)]
    pub in_pool: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClashOwner {
    /// The owner's id, when the caller may see the customer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    pub display_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClashDepartment {
    pub name: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_snake_case_and_round_trip() {
        let mut seen = std::collections::BTreeSet::new();
        for code in ErrorCode::ALL {
            assert!(seen.insert(code.as_str()), "{code} twice");
            assert!(
                code.as_str()
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '_'),
                "{code}"
            );
            assert_eq!(code.as_str().parse::<ErrorCode>(), Ok(*code));
            let json = serde_json::to_string(code).unwrap();
            assert_eq!(serde_json::from_str::<ErrorCode>(&json).unwrap(), *code);
        }
        assert_eq!(
            serde_json::from_str::<ErrorCode>("\"from_the_future\"").unwrap(),
            ErrorCode::Invalid
        );
    }
}
