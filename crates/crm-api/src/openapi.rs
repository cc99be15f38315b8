//! The OpenAPI document: the base (info, security, shared schemas) plus every route's operation.

use crm_domain::api::Problem;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, OpenApi as Doc, RefOr, ResponseBuilder};
use utoipa::{Modify, OpenApi, PartialSchema};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "CRM API",
        version = "1.0.0",
        description = "The v1 HTTP API of the CRM: the same API for the browser, integrations and scripts. \
                       Authenticate with `Authorization: Bearer <access token or personal API token>`."
    ),
    components(schemas(Problem, crm_domain::api::ExportFormat, crm_domain::api::ReportFormat)),
    security(("bearer" = [])),
    modifiers(&Security),
    tags(
        (name = "auth", description = "Login, refresh, logout"),
        (name = "me", description = "The caller"),
        (name = "organisation", description = "Departments, users, roles, permissions"),
        (name = "system", description = "Dictionaries, settings, audit log"),
        (name = "customers", description = "Customers, contacts, customer protection, pipeline"),
        (name = "activities", description = "Contacts with customers (客户接触), the team's day"),
        (name = "reminders", description = "The caller's next steps (提醒)"),
        (name = "notifications", description = "The caller's notifications (通知)"),
        (name = "opportunities", description = "Opportunities (机会), the deal board, key contacts, competitors, quotes (报价)"),
        (name = "orders", description = "Products, orders, payment plans, receipts, receivables"),
        (name = "expenses", description = "Expenses (费用): filing, approval"),
        (name = "service", description = "Service tickets (服务工单): complaints, feedback, after-sale"),
        (name = "knowledge", description = "Knowledge (知识管理): articles, FAQ, sales bulletins; the global search"),
        (name = "exports", description = "Exports (导出): every row of a list, with the list's filters (not its `limit` and `cursor`: 400), as CSV or Excel; `data.export` and the list's read permission"),
        (name = "imports", description = "Imports (导入): customers, their contacts and their orders from CSV (UTF-8 or GB18030) or XLSX, with a dry run, in batches, with progress"),
        (name = "pool", description = "The public pool (公海): customers nobody owns, claiming and releasing them, the reclaim rules"),
        (name = "webhooks", description = "Webhooks (集成推送): endpoints told of what happens, signed with `X-CRM-Signature`, with their delivery log (administrators)"),
        (name = "documents", description = "Documents (文档资料): files attached to customers, deals, orders, tickets and articles"),
        (name = "reports", description = "Decision support (决策支持): the dashboard, reports on one engine (customers, sales, receipts, renewals, deals), the staff scorecard, receivables aging, expenses, service, renewal risk; each report also as CSV or Excel"),
    )
)]
pub struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, doc: &mut Doc) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT or crm_pat_…")
                    .build(),
            ),
        );
    }
}

/// Every operation can answer with a problem document; saying so once keeps the handlers readable.
/// Applied after the routes have added their operations.
pub struct ErrorResponses;

impl Modify for ErrorResponses {
    fn modify(&self, doc: &mut Doc) {
        let problem = || {
            RefOr::T(
                ResponseBuilder::new()
                    .description("Problem details (RFC 9457)")
                    .content(
                        "application/problem+json",
                        ContentBuilder::new()
                            .schema(Some(RefOr::Ref(utoipa::openapi::Ref::from_schema_name(
                                "Problem",
                            ))))
                            .build(),
                    )
                    .build(),
            )
        };
        for item in doc.paths.paths.values_mut() {
            let ops = [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.patch,
                &mut item.delete,
            ];
            for op in ops.into_iter().flatten() {
                let public = op
                    .security
                    .as_ref()
                    .is_some_and(|s| s.iter().all(|req| *req == Default::default()));
                let mut codes = vec!["400", "422", "503"];
                if !public {
                    codes.extend(["401", "403", "404", "409", "415"]);
                } else {
                    codes.extend(["401", "415", "429"]);
                }
                for code in codes {
                    op.responses
                        .responses
                        .entry(code.to_string())
                        .or_insert_with(problem);
                }
            }
        }
        let _ = Problem::schema();
    }
}
