//! What a repository can answer besides a value. Messages are in both languages; the API answers
//! in the caller's.

use crm_domain::problem::CustomerClash;
use crm_domain::{ErrorCode, Msg};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum RepoError {
    /// Missing, or outside the caller's scope: the two must look the same.
    #[error("not found")]
    NotFound,
    /// The caller may not do this to this record (a permission the rule needs).
    #[error("{0}")]
    Forbidden(Msg),
    /// The record changed since the caller read it.
    #[error("the record was changed by someone else (current version {current})")]
    StaleVersion { current: i32 },
    /// A business rule refused the change (409 with its code).
    #[error("{message}")]
    Conflict { code: ErrorCode, message: Msg },
    /// Customer protection: the customer exists already (409 `duplicate_customer`).
    #[error("the customer exists already")]
    Duplicate(Vec<CustomerClash>),
    /// A rule about one field refused the change (422).
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        code: ErrorCode,
        message: Msg,
    },
    /// A business rule refused the request as a whole (422 with its code).
    #[error("{message}")]
    Rule { code: ErrorCode, message: Msg },
    /// A list's parameters make no sense (400: a foreign cursor, a limit out of range).
    #[error("{message}")]
    BadQuery { code: ErrorCode, message: Msg },
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error(transparent)]
    Db(#[from] diesel::result::Error),
}

impl RepoError {
    pub fn conflict(code: ErrorCode, message: Msg) -> Self {
        RepoError::Conflict { code, message }
    }
    pub fn rule(code: ErrorCode, message: Msg) -> Self {
        RepoError::Rule { code, message }
    }
    pub fn invalid(field: &'static str, code: ErrorCode, message: Msg) -> Self {
        RepoError::Invalid {
            field,
            code,
            message,
        }
    }
}

pub type RepoResult<T> = Result<T, RepoError>;

/// Turns "no row" into [`RepoError::NotFound`].
pub trait OptionalFound<T> {
    fn found(self) -> RepoResult<T>;
}

impl<T> OptionalFound<T> for diesel::QueryResult<T> {
    fn found(self) -> RepoResult<T> {
        match self {
            Ok(v) => Ok(v),
            Err(diesel::result::Error::NotFound) => Err(RepoError::NotFound),
            Err(e) => Err(RepoError::Db(e)),
        }
    }
}

/// Whether a database error is a unique-constraint violation (both backends report it alike).
pub fn is_unique_violation(e: &diesel::result::Error) -> bool {
    matches!(
        e,
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)
    )
}

/// Whether a database error means the connection to the database is gone (PostgreSQL restarting,
/// shutting down or unreachable), rather than a fault of the statement: such a request can be
/// retried once the database is back, and is answered 503, not 500. The pool drops the broken
/// connection when it is returned, and opens new ones once the database answers again.
pub fn is_connection_lost(e: &diesel::result::Error) -> bool {
    use diesel::result::{DatabaseErrorKind as K, Error};
    match e {
        Error::DatabaseError(K::ClosedConnection | K::UnableToSendCommand, _) => true,
        Error::DatabaseError(_, info) => {
            // What libpq and the server say when the server goes away (SQLSTATE 57P01–57P03,
            // 08xxx); diesel does not classify these.
            let m = info.message();
            [
                "terminating connection",
                "the database system is shutting down",
                "the database system is starting up",
                "the database system is in recovery mode",
                "server closed the connection",
                "no connection to the server",
                "connection to server",
                "could not receive data from server",
                "could not send data to server",
                "SSL connection has been closed",
            ]
            .iter()
            .any(|s| m.contains(s))
        }
        Error::BrokenTransactionManager => true,
        _ => false,
    }
}

impl From<crm_domain::order::MoneyRuleError> for RepoError {
    fn from(e: crm_domain::order::MoneyRuleError) -> Self {
        RepoError::rule(e.code(), e.message())
    }
}
