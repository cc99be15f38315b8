//! The roles every installation starts with (标准角色). Each has a stable `code` that programs look
//! it up by (`crm create-admin` finds the administrator role by it); a company may rename them.

use crate::{DataScope, Permission as P};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StandardRole {
    Administrator,
    GeneralManager,
    SalesDirector,
    SalesManager,
    Salesperson,
    Service,
    Finance,
}

impl StandardRole {
    pub const ALL: [StandardRole; 7] = [
        Self::Administrator,
        Self::GeneralManager,
        Self::SalesDirector,
        Self::SalesManager,
        Self::Salesperson,
        Self::Service,
        Self::Finance,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Administrator => "administrator",
            Self::GeneralManager => "general_manager",
            Self::SalesDirector => "sales_director",
            Self::SalesManager => "sales_manager",
            Self::Salesperson => "salesperson",
            Self::Service => "service",
            Self::Finance => "finance",
        }
    }

    /// The name a new installation gives it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Administrator => "系统管理员",
            Self::GeneralManager => "总经理",
            Self::SalesDirector => "销售总监",
            Self::SalesManager => "销售经理",
            Self::Salesperson => "业务员",
            Self::Service => "客服",
            Self::Finance => "财务",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            Self::Administrator => {
                "Administrator: users, departments, roles, dictionaries, products, transfers"
            }
            Self::GeneralManager => "General manager: sees everything, decides from reports",
            Self::SalesDirector => "Sales director: the whole sales department tree",
            Self::SalesManager => "Sales manager: own department and sub-departments",
            Self::Salesperson => "Salesperson: own customers",
            Self::Service => {
                "Service staff: reads every customer and order; complaints, feedback and after-sale records"
            }
            Self::Finance => "Finance: orders and receipts of everyone, no customer edits",
        }
    }

    pub fn scope(self) -> DataScope {
        match self {
            Self::Administrator | Self::GeneralManager | Self::Finance => DataScope::All,
            Self::SalesDirector | Self::SalesManager => DataScope::DepartmentTree,
            Self::Salesperson => DataScope::Own,
            Self::Service => DataScope::All,
        }
    }

    pub fn permissions(self) -> Vec<P> {
        let sales = vec![
            P::CustomerRead,
            P::CustomerCreate,
            P::CustomerUpdate,
            P::ActivityRead,
            P::ActivityCreate,
            P::OpportunityRead,
            P::OpportunityWrite,
            P::OrderRead,
            P::OrderCreate,
            P::OrderUpdate,
            P::ReceiptRead,
            P::ExpenseRead,
            P::ExpenseWrite,
            P::KnowledgeRead,
            P::ServiceRead,
        ];
        match self {
            Self::Administrator => P::ALL
                .iter()
                .copied()
                .filter(|p| p.module() == "admin")
                .chain([
                    P::CustomerTransfer,
                    P::ExpenseRead,
                    P::KnowledgeRead,
                    P::KnowledgeWrite,
                ])
                .collect(),
            Self::GeneralManager => P::ALL
                .iter()
                .copied()
                .filter(|p| p.module() != "admin")
                .collect(),
            Self::SalesDirector | Self::SalesManager => {
                let mut manager = sales;
                manager.extend([
                    P::CustomerReview,
                    P::CustomerBlacklist,
                    P::CustomerTransfer,
                    P::ActivityManage,
                    P::ReportRead,
                    P::CustomerDelete,
                    P::CompetitorManage,
                    P::ExpenseApprove,
                    P::KnowledgeWrite,
                    P::DataExport,
                ]);
                manager
            }
            Self::Salesperson => sales,
            Self::Service => vec![
                P::CustomerRead,
                P::ActivityRead,
                P::ActivityCreate,
                P::OrderRead,
                P::ServiceRead,
                P::ServiceWrite,
                P::KnowledgeRead,
            ],
            Self::Finance => vec![
                P::CustomerRead,
                P::OrderRead,
                P::ReceiptRead,
                P::ReceiptCreate,
                P::ExpenseRead,
                P::ExpenseWrite,
                P::ReportRead,
                P::KnowledgeRead,
                P::DataExport,
            ],
        }
    }
}
