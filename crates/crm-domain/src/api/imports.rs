//! Imports (`POST /imports`): a spreadsheet of records checked row by row as the API checks a
//! create, then created in batches.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// At most this many rows per file.
pub const IMPORT_MAX_ROWS: usize = 50_000;
/// At most this many megabytes per file.
pub const IMPORT_MAX_MB: u64 = 20;

words! {
    /// What a file holds.
    ImportKind { Customers = "customers", Contacts = "contacts", Orders = "orders" }
}

words! {
    /// Where an import stands: `running` while its rows are created, then `done`; `failed` when
    /// the server stopped before the end (the batches created until then stay).
    ImportStatus { Running = "running", Done = "done", Failed = "failed" }
}

/// One refused cell or row: its row number as a spreadsheet shows it (the header is row 1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportRowError {
    pub row: u32,
    /// The column's field (`name`, `phone`, `industry`, `owner`, …).
    pub field: String,
    /// The code the API would answer for the same value (`length`, `duplicate_customer`, …).
    pub code: String,
    /// In the language of whoever ran the import.
    pub message: String,
}

/// An import and its outcome (so far, while `running`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Import {
    pub id: i64,
    pub kind: ImportKind,
    pub file_name: String,
    /// A dry run checks every row and creates nothing.
    pub dry_run: bool,
    pub status: ImportStatus,
    /// Data rows in the file.
    pub total: u32,
    /// Rows that pass every check.
    pub valid: u32,
    /// Rows gone through so far (checked for a dry run, created or refused for a real one).
    pub processed: u32,
    pub created: u32,
    /// Every refused row, by row number.
    pub errors: Vec<ImportRowError>,
    /// Columns of the header row that name no field (reported, not guessed; their cells are
    /// left out).
    pub unknown_columns: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// A column of an import file: the field it fills and the headers that name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportColumn {
    pub field: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
    /// Other headers that mean the same (compared without case, spaces or underscores).
    pub aliases: &'static [&'static str],
    pub required: bool,
}

/// The person a record is given to, by username or display name.
const OWNER: ImportColumn = ImportColumn {
    field: "owner",
    zh: "负责人",
    en: "Owner",
    aliases: &["业务员", "销售"],
    required: false,
};

const NOTES: ImportColumn = ImportColumn {
    field: "notes",
    zh: "备注",
    en: "Notes",
    aliases: &["说明", "note"],
    required: false,
};

/// The customer a contact or an order belongs to, by its name as the customer list shows it.
const CUSTOMER: ImportColumn = ImportColumn {
    field: "customer",
    zh: "客户名称",
    en: "Customer",
    aliases: &["客户", "公司名称", "所属客户", "customer name", "company"],
    required: true,
};

/// The columns of a customers file, in the template's order.
pub const CUSTOMER_COLUMNS: &[ImportColumn] = &[
    ImportColumn {
        field: "name",
        zh: "客户名称",
        en: "Name",
        aliases: &["名称", "客户", "公司名称", "customer", "company"],
        required: true,
    },
    ImportColumn {
        field: "short_name",
        zh: "简称",
        en: "Short name",
        aliases: &["客户简称"],
        required: false,
    },
    ImportColumn {
        field: "type",
        zh: "类型",
        en: "Type",
        aliases: &["客户类型"],
        required: false,
    },
    ImportColumn {
        field: "industry",
        zh: "行业",
        en: "Industry",
        aliases: &["所属行业"],
        required: false,
    },
    ImportColumn {
        field: "region",
        zh: "地区",
        en: "Region",
        aliases: &["区域", "城市", "city"],
        required: false,
    },
    ImportColumn {
        field: "source",
        zh: "来源",
        en: "Source",
        aliases: &["客户来源"],
        required: false,
    },
    ImportColumn {
        field: "size",
        zh: "规模",
        en: "Size",
        aliases: &["公司规模"],
        required: false,
    },
    ImportColumn {
        field: "phone",
        zh: "电话",
        en: "Phone",
        aliases: &["联系电话", "tel", "telephone"],
        required: false,
    },
    ImportColumn {
        field: "website",
        zh: "网址",
        en: "Website",
        aliases: &["网站", "url"],
        required: false,
    },
    ImportColumn {
        field: "address",
        zh: "地址",
        en: "Address",
        aliases: &["公司地址"],
        required: false,
    },
    OWNER,
    NOTES,
];

/// The columns of a contacts file: each row a contact of a customer the importer sees, named
/// as the customer list shows it.
pub const CONTACT_COLUMNS: &[ImportColumn] = &[
    CUSTOMER,
    ImportColumn {
        field: "name",
        zh: "姓名",
        en: "Name",
        aliases: &["联系人", "联系人姓名", "contact"],
        required: true,
    },
    ImportColumn {
        field: "title",
        zh: "职务",
        en: "Title",
        aliases: &["职位", "job title", "position"],
        required: false,
    },
    ImportColumn {
        field: "mobile",
        zh: "手机",
        en: "Mobile",
        aliases: &["手机号", "手机号码", "cell"],
        required: false,
    },
    ImportColumn {
        field: "phone",
        zh: "电话",
        en: "Phone",
        aliases: &["座机", "办公电话", "tel", "telephone"],
        required: false,
    },
    ImportColumn {
        field: "email",
        zh: "邮箱",
        en: "Email",
        aliases: &["电子邮件", "电子邮箱", "e-mail", "mail"],
        required: false,
    },
    ImportColumn {
        field: "im",
        zh: "QQ/微信",
        en: "IM",
        aliases: &["QQ", "微信", "wechat", "即时通讯"],
        required: false,
    },
    ImportColumn {
        field: "birthday",
        zh: "生日",
        en: "Birthday",
        aliases: &["出生日期"],
        required: false,
    },
    ImportColumn {
        field: "is_key",
        zh: "关键联系人",
        en: "Key contact",
        aliases: &["关键人", "key"],
        required: false,
    },
    NOTES,
];

/// The columns of an orders file: each row one product line; rows with the same contract number
/// make one order, which keeps it (without the column, each row is an order of its own).
pub const ORDER_COLUMNS: &[ImportColumn] = &[
    ImportColumn {
        field: "contract_no",
        zh: "合同号",
        en: "Contract no.",
        aliases: &["合同编号", "contract", "order ref", "ref"],
        required: false,
    },
    CUSTOMER,
    ImportColumn {
        field: "product",
        zh: "产品",
        en: "Product",
        aliases: &["产品名称", "产品编码", "商品", "product code"],
        required: true,
    },
    ImportColumn {
        field: "quantity",
        zh: "数量",
        en: "Quantity",
        aliases: &["qty"],
        required: false,
    },
    ImportColumn {
        field: "unit_price",
        zh: "单价",
        en: "Unit price",
        aliases: &["价格", "price"],
        required: false,
    },
    ImportColumn {
        field: "discount",
        zh: "优惠",
        en: "Discount",
        aliases: &["折扣", "优惠金额"],
        required: false,
    },
    ImportColumn {
        field: "service_start",
        zh: "服务开始",
        en: "Service start",
        aliases: &["服务开始日期", "开始日期", "start"],
        required: false,
    },
    ImportColumn {
        field: "service_end",
        zh: "服务结束",
        en: "Service end",
        aliases: &["服务结束日期", "结束日期", "到期日", "end"],
        required: false,
    },
    ImportColumn {
        field: "signed_on",
        zh: "签订日期",
        en: "Signed on",
        aliases: &["签约日期", "签约日", "signed"],
        required: false,
    },
    OWNER,
    NOTES,
];

impl ImportKind {
    pub fn columns(self) -> &'static [ImportColumn] {
        match self {
            ImportKind::Customers => CUSTOMER_COLUMNS,
            ImportKind::Contacts => CONTACT_COLUMNS,
            ImportKind::Orders => ORDER_COLUMNS,
        }
    }

    /// What the importer needs, as for the API's create of the same records (signing an
    /// imported order needs `order.update` besides, as signing one by hand does).
    pub fn permission(self) -> crate::Permission {
        match self {
            ImportKind::Customers => crate::Permission::CustomerCreate,
            ImportKind::Contacts => crate::Permission::CustomerUpdate,
            ImportKind::Orders => crate::Permission::OrderCreate,
        }
    }
}

/// A header as compared: lower case, without spaces, underscores, hyphens or a trailing `*`.
fn header_key(h: &str) -> String {
    h.trim()
        .trim_end_matches(['*', '＊'])
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '_' | '-'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// The column a header names, by its Chinese or English name, its field, or an alias.
pub fn import_column(
    columns: &'static [ImportColumn],
    header: &str,
) -> Option<&'static ImportColumn> {
    let key = header_key(header);
    if key.is_empty() {
        return None;
    }
    columns.iter().find(|c| {
        [c.zh, c.en, c.field]
            .iter()
            .chain(c.aliases)
            .any(|name| header_key(name) == key)
    })
}

/// `GET /imports/template`: which kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, validator::Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct ImportTemplateQuery {
    pub kind: ImportKind,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_matched_in_either_language_and_loosely() {
        let find = |h| import_column(CUSTOMER_COLUMNS, h).map(|c| c.field);
        assert_eq!(find("客户名称"), Some("name"));
        assert_eq!(find(" Name "), Some("name"));
        assert_eq!(find("客户名称*"), Some("name"));
        assert_eq!(find("SHORT_NAME"), Some("short_name"));
        assert_eq!(find("Short name"), Some("short_name"));
        assert_eq!(find("负责人"), Some("owner"));
        assert_eq!(find("owner"), Some("owner"));
        assert_eq!(find("联系电话"), Some("phone"));
        assert_eq!(find("编号"), None);
        assert_eq!(find(""), None);
    }

    #[test]
    fn every_header_names_one_column() {
        for kind in ImportKind::ALL {
            let columns = kind.columns();
            for c in columns {
                for name in [c.zh, c.en, c.field].iter().chain(c.aliases) {
                    assert_eq!(
                        import_column(columns, name).map(|x| x.field),
                        Some(c.field),
                        "{kind:?}: {name}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_contacts_file_names_its_customer_and_its_person_apart() {
        let find = |h| import_column(CONTACT_COLUMNS, h).map(|c| c.field);
        assert_eq!(find("客户名称"), Some("customer"));
        assert_eq!(find("Customer"), Some("customer"));
        assert_eq!(find("联系人"), Some("name"));
        assert_eq!(find("Name"), Some("name"));
        assert_eq!(find("手机"), Some("mobile"));
        assert_eq!(find("qq"), Some("im"));
    }
}
