//! The permission catalogue (权限目录): every code a role can grant, with its module and names in both
//! languages. Codes are stable API: integrations store them.

use serde::{Deserialize, Serialize};

macro_rules! catalogue {
    ($( $variant:ident = $code:literal, $module:literal, $zh:literal, $en:literal; )*) => {
        /// One permission: a module × action pair such as `customer.read`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Permission { $( $variant, )* }

        impl Permission {
            pub const ALL: &'static [Permission] = &[ $( Permission::$variant, )* ];

            pub fn code(self) -> &'static str {
                match self { $( Permission::$variant => $code, )* }
            }
            pub fn module(self) -> &'static str {
                match self { $( Permission::$variant => $module, )* }
            }
            pub fn name_zh(self) -> &'static str {
                match self { $( Permission::$variant => $zh, )* }
            }
            pub fn name_en(self) -> &'static str {
                match self { $( Permission::$variant => $en, )* }
            }
        }

        /// Each permission as a type, for an endpoint to declare what it needs:
        /// `Caller<need::CustomerRead>`.
        pub mod need {
            use super::{Permission, Requirement};

            $(
                #[doc = concat!("Needs `", $code, "`.")]
                #[derive(Debug, Clone, Copy)]
                pub struct $variant;

                impl Requirement for $variant {
                    fn met_by(held: &[Permission]) -> bool {
                        held.contains(&Permission::$variant)
                    }
                    fn needed() -> Vec<Permission> {
                        vec![Permission::$variant]
                    }
                }
            )*

            /// Anyone signed in.
            #[derive(Debug, Clone, Copy)]
            pub struct SignedIn;

            impl Requirement for SignedIn {
                fn met_by(_: &[Permission]) -> bool {
                    true
                }
                fn needed() -> Vec<Permission> {
                    Vec::new()
                }
            }

            /// Both of two requirements.
            #[derive(Debug, Clone, Copy)]
            pub struct Both<A, B>(A, B);

            impl<A: Requirement, B: Requirement> Requirement for Both<A, B> {
                fn met_by(held: &[Permission]) -> bool {
                    A::met_by(held) && B::met_by(held)
                }
                fn needed() -> Vec<Permission> {
                    let mut all = A::needed();
                    all.extend(B::needed());
                    all
                }
                fn needs_all() -> bool {
                    true
                }
            }

            /// Either of two requirements.
            #[derive(Debug, Clone, Copy)]
            pub struct Either<A, B>(A, B);

            impl<A: Requirement, B: Requirement> Requirement for Either<A, B> {
                fn met_by(held: &[Permission]) -> bool {
                    A::met_by(held) || B::met_by(held)
                }
                fn needed() -> Vec<Permission> {
                    let mut all = A::needed();
                    all.extend(B::needed());
                    all
                }
            }
        }
    };
}

/// What an endpoint needs of its caller, checked before anything of the request is read.
pub trait Requirement: 'static {
    fn met_by(held: &[Permission]) -> bool;
    /// The permissions that would do (any one of them, or all of them when [`needs_all`]), for
    /// the problem's text; none: signed in.
    ///
    /// [`needs_all`]: Requirement::needs_all
    fn needed() -> Vec<Permission>;
    /// Whether every one of [`needed`](Requirement::needed) is needed, not any one.
    fn needs_all() -> bool {
        false
    }
}

catalogue! {
    CustomerRead = "customer.read", "customer", "查看客户", "View customers";
    CustomerCreate = "customer.create", "customer", "新建客户", "Create customers";
    CustomerUpdate = "customer.update", "customer", "编辑客户", "Edit customers";
    CustomerDelete = "customer.delete", "customer", "删除客户", "Delete customers";
    CustomerReview = "customer.review", "customer", "审核客户档案", "Review customer records";
    CustomerBlacklist = "customer.blacklist", "customer", "列入黑名单", "Blacklist customers";
    CustomerTransfer = "customer.transfer", "customer", "客户转移", "Transfer customers";
    ActivityRead = "activity.read", "activity", "查看客户接触", "View activities";
    ActivityCreate = "activity.create", "activity", "记录客户接触", "Log activities";
    ActivityManage = "activity.manage", "activity", "管理下属的接触记录", "Manage team activities";
    OpportunityRead = "opportunity.read", "opportunity", "查看机会", "View opportunities";
    OpportunityWrite = "opportunity.write", "opportunity", "编辑机会", "Edit opportunities";
    CompetitorManage = "competitor.manage", "opportunity", "维护竞争对手档案", "Keep competitor profiles";
    OrderRead = "order.read", "order", "查看订单", "View orders";
    OrderCreate = "order.create", "order", "新建订单", "Create orders";
    OrderUpdate = "order.update", "order", "编辑订单", "Edit orders";
    ReceiptRead = "receipt.read", "finance", "查看回款", "View receipts";
    ReceiptCreate = "receipt.create", "finance", "登记回款", "Record receipts";
    ExpenseRead = "expense.read", "finance", "查看费用", "View expenses";
    ExpenseWrite = "expense.write", "finance", "登记费用", "Record expenses";
    ExpenseApprove = "expense.approve", "finance", "审批下属的费用", "Approve team expenses";
    ExpenseReopen = "expense.reopen", "admin", "重新打开已审批的费用", "Reopen decided expenses";
    ServiceRead = "service.read", "service", "查看服务工单", "View service tickets";
    ServiceWrite = "service.write", "service", "处理服务工单", "Handle service tickets";
    KnowledgeRead = "knowledge.read", "knowledge", "查看知识库", "Read the knowledge base";
    KnowledgeWrite = "knowledge.write", "knowledge", "编辑知识库", "Edit the knowledge base";
    ReportRead = "report.read", "report", "查看报表", "View reports";
    DataExport = "data.export", "report", "导出数据（Excel / CSV）", "Export data (Excel / CSV)";
    ProductManage = "product.manage", "admin", "管理产品", "Manage products";
    AdminUsers = "admin.users", "admin", "管理用户", "Manage users";
    AdminDepartments = "admin.departments", "admin", "管理部门", "Manage departments";
    AdminRoles = "admin.roles", "admin", "管理角色与权限", "Manage roles and permissions";
    AdminDictionaries = "admin.dictionaries", "admin", "管理数据字典", "Manage dictionaries";
    AdminSettings = "admin.settings", "admin", "管理公司设置", "Manage company settings";
    AdminAudit = "admin.audit", "admin", "查看审计日志", "View the audit log";
}

impl Permission {
    pub fn parse(code: &str) -> Option<Permission> {
        Permission::ALL.iter().copied().find(|p| p.code() == code)
    }
}

impl Serialize for Permission {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Permission {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let code = String::deserialize(d)?;
        Permission::parse(&code)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown permission code `{code}`")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_are_unique_and_well_formed() {
        let mut seen = HashSet::new();
        for p in Permission::ALL {
            assert!(seen.insert(p.code()), "duplicate {}", p.code());
            let (module, action) = p.code().split_once('.').expect("module.action");
            assert!(!module.is_empty() && !action.is_empty());
            assert_eq!(Permission::parse(p.code()), Some(*p));
            assert!(!p.name_zh().is_empty() && !p.name_en().is_empty());
        }
    }

    #[test]
    fn unknown_codes_are_refused() {
        assert!(serde_json::from_str::<Permission>("\"customer.fly\"").is_err());
        assert_eq!(
            serde_json::from_str::<Permission>("\"admin.users\"").unwrap(),
            Permission::AdminUsers
        );
    }
}
