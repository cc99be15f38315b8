//! Exports (`GET /exports/{kind}`): a list's rows as a spreadsheet.

use serde::{Deserialize, Serialize};

/// What an export is written as.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    /// UTF-8 with a byte-order mark (Excel reads Chinese by it); a cell that a spreadsheet would
    /// run as a formula starts with `'`.
    #[default]
    Csv,
    /// An Excel workbook: text as text (never a formula), money and counts as numbers, dates as
    /// dates; a new sheet every 1 000 000 rows.
    Xlsx,
}

/// The media type of an Excel workbook.
pub const XLSX_MEDIA_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

impl ExportFormat {
    /// Also the file name's extension.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Xlsx => "xlsx",
        }
    }

    /// The file's media type (`Content-Type` of a download).
    pub fn media_type(self) -> &'static str {
        match self {
            Self::Csv => "text/csv; charset=utf-8",
            Self::Xlsx => XLSX_MEDIA_TYPE,
        }
    }
}

/// The parameter every export takes besides its list's filters.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct ExportParams {
    /// `csv` (default) or `xlsx`.
    pub format: Option<ExportFormat>,
}

/// The lists that can be exported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportKind {
    Customers,
    Contacts,
    Orders,
    Activities,
    Receivables,
}

impl ExportKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Customers => "customers",
            Self::Contacts => "contacts",
            Self::Orders => "orders",
            Self::Activities => "activities",
            Self::Receivables => "receivables",
        }
    }
}
