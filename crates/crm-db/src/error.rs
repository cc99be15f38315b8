//! What a repository can answer besides a value.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum RepoError {
    /// Missing, or outside the caller's scope: the two must look the same.
    #[error("not found")]
    NotFound,
    /// The record changed since the caller read it.
    #[error("the record was changed by someone else (current version {current})")]
    StaleVersion { current: i32 },
    /// A business rule refused the change; `code` is the API's stable error code.
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    /// A rule about one field refused the change.
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        code: &'static str,
        message: String,
    },
    /// A business rule refused the request as a whole (422 with its code).
    #[error("{message}")]
    Rule { code: &'static str, message: String },
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error(transparent)]
    Db(#[from] diesel::result::Error),
}

impl RepoError {
    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        RepoError::Conflict {
            code,
            message: message.into(),
        }
    }
    pub fn rule(code: &'static str, message: impl Into<String>) -> Self {
        RepoError::Rule {
            code,
            message: message.into(),
        }
    }
    pub fn invalid(field: &'static str, code: &'static str, message: impl Into<String>) -> Self {
        RepoError::Invalid {
            field,
            code,
            message: message.into(),
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

impl From<crm_domain::order::MoneyRuleError> for RepoError {
    fn from(e: crm_domain::order::MoneyRuleError) -> Self {
        RepoError::rule(e.code(), e.to_string())
    }
}
