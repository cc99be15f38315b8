//! The one typed client of the JSON API: a function per endpoint, taking and answering crm-domain's
//! own request, query and response types, so that a renamed field or parameter fails to compile.
//! Every call carries the access token (refreshed once when it has expired) and the language the
//! app speaks, and turns error answers into [`ApiError`] with the server's problem, in that language.

use crate::format::I18n;
use crate::state::Session;
use crm_domain::ErrorCode;
use crm_domain::api::*;
use crm_domain::document::DocumentOf;
use crm_domain::opportunity::{OpportunityAction, QuoteAction};
use crm_domain::order::OrderAction;
use crm_domain::ticket::TicketAction;
use futures_util::FutureExt;
use gloo_net::http::{Method, RequestBuilder};
use leptos::prelude::{GetUntracked, expect_context};
use serde::Serialize;
use serde::de::DeserializeOwned;

const BASE: &str = "/api/v1";

#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub status: u16,
    /// The problem's code; `None` when no problem came back (the network, a proxy).
    pub code: Option<ErrorCode>,
    pub message: String,
    pub fields: Vec<FieldError>,
    /// The request's id (`X-Request-Id`), which leads an administrator to its log lines.
    pub request_id: Option<String>,
}

impl ApiError {
    fn network(e: impl std::fmt::Display) -> ApiError {
        ApiError {
            status: 0,
            code: None,
            message: e.to_string(),
            fields: Vec::new(),
            request_id: None,
        }
    }

    pub fn is(&self, code: ErrorCode) -> bool {
        self.code == Some(code)
    }

    /// What to show a person: the server's detail and each field's message. A failure of the
    /// server itself (5xx) carries the request's id, for the person to quote when they report it.
    pub fn display(&self) -> String {
        if self.fields.is_empty() {
            match (&self.request_id, self.status >= 500) {
                (Some(id), true) => format!("{} (ID {id})", self.message),
                _ => self.message.clone(),
            }
        } else {
            self.fields
                .iter()
                .map(|f| format!("{}: {}", f.field, f.message))
                .collect::<Vec<_>>()
                .join("; ")
        }
    }
}

type Result<T> = std::result::Result<T, ApiError>;

/// `path?query`, the query written by serde from its crm-domain type (absent fields left out).
fn with_query<Q: Serialize>(path: &str, query: &Q) -> String {
    match serde_urlencoded::to_string(query) {
        Ok(q) if !q.is_empty() => format!("{path}?{q}"),
        _ => path.to_string(),
    }
}

/// A list's filters as a query string for an export: without its page (`limit`, `cursor`).
pub fn filters<Q: Serialize + crm_domain::paging::PageParams + Clone>(q: &Q) -> String {
    let mut q = q.clone();
    q.set_page(1, None);
    serde_urlencoded::to_string(&q)
        .unwrap_or_default()
        .split('&')
        .filter(|pair| !pair.is_empty() && !pair.starts_with("limit="))
        .collect::<Vec<_>>()
        .join("&")
}

#[derive(Clone, Copy)]
pub struct Api {
    session: Session,
    i18n: I18n,
}

/// The client, from the app's context.
pub fn use_api() -> Api {
    Api {
        session: expect_context(),
        i18n: leptos_i18n::use_i18n_context(),
    }
}

impl Api {
    // -----------------------------------------------------------------------------------------
    // Auth and the caller

    pub async fn login(&self, req: &LoginRequest) -> Result<TokenResponse> {
        self.send(Method::POST, format!("{BASE}/auth/login"), Some(req))
            .await
    }

    pub async fn logout(&self, req: &RefreshRequest) -> Result<()> {
        self.send(Method::POST, format!("{BASE}/auth/logout"), Some(req))
            .await
    }

    pub async fn update_me(&self, patch: &MePatch) -> Result<Me> {
        self.send(Method::PATCH, format!("{BASE}/me"), Some(patch))
            .await
    }

    pub async fn change_password(&self, req: &ChangePasswordRequest) -> Result<()> {
        self.send(Method::POST, format!("{BASE}/me/password"), Some(req))
            .await
    }

    pub async fn tokens(&self) -> Result<Vec<ApiToken>> {
        self.get(format!("{BASE}/me/tokens")).await
    }

    pub async fn create_token(&self, new: &NewApiToken) -> Result<CreatedApiToken> {
        self.send(Method::POST, format!("{BASE}/me/tokens"), Some(new))
            .await
    }

    pub async fn revoke_token(&self, id: i64) -> Result<()> {
        self.delete(format!("{BASE}/me/tokens/{id}")).await
    }

    // -----------------------------------------------------------------------------------------
    // Organisation and system

    pub async fn departments(&self) -> Result<Vec<Department>> {
        self.get(format!("{BASE}/departments")).await
    }

    pub async fn create_department(&self, new: &NewDepartment) -> Result<Department> {
        self.send(Method::POST, format!("{BASE}/departments"), Some(new))
            .await
    }

    pub async fn update_department(&self, id: i64, patch: &DepartmentPatch) -> Result<Department> {
        let path = format!("{BASE}/departments/{id}");
        self.send(Method::PATCH, path, Some(patch)).await
    }

    pub async fn delete_department(&self, id: i64) -> Result<()> {
        self.delete(format!("{BASE}/departments/{id}")).await
    }

    pub async fn users(&self, q: &UserQuery) -> Result<Page<User>> {
        self.get(with_query(&format!("{BASE}/users"), q)).await
    }

    pub async fn create_user(&self, new: &NewUser) -> Result<User> {
        self.send(Method::POST, format!("{BASE}/users"), Some(new))
            .await
    }

    pub async fn update_user(&self, id: i64, patch: &UserPatch) -> Result<User> {
        self.send(Method::PATCH, format!("{BASE}/users/{id}"), Some(patch))
            .await
    }

    /// Enables or (`false`) disables a user.
    pub async fn set_user_enabled(&self, id: i64, enabled: bool) -> Result<User> {
        let action = if enabled { "enable" } else { "disable" };
        let path = format!("{BASE}/users/{id}/{action}");
        self.send(Method::POST, path, None::<&()>).await
    }

    pub async fn reset_password(&self, id: i64, req: &ResetPasswordRequest) -> Result<()> {
        let path = format!("{BASE}/users/{id}/reset-password");
        self.send(Method::POST, path, Some(req)).await
    }

    pub async fn roles(&self) -> Result<Vec<Role>> {
        self.get(format!("{BASE}/roles")).await
    }

    pub async fn permissions(&self) -> Result<Vec<PermissionInfo>> {
        self.get(format!("{BASE}/permissions")).await
    }

    pub async fn create_role(&self, new: &NewRole) -> Result<Role> {
        self.send(Method::POST, format!("{BASE}/roles"), Some(new))
            .await
    }

    pub async fn update_role(&self, id: i64, patch: &RolePatch) -> Result<Role> {
        self.send(Method::PATCH, format!("{BASE}/roles/{id}"), Some(patch))
            .await
    }

    pub async fn dictionary(
        &self,
        kind: DictionaryKind,
        q: &ListQuery,
    ) -> Result<Vec<DictionaryItem>> {
        let path = format!("{BASE}/dictionaries/{}", kind.as_str());
        self.get(with_query(&path, q)).await
    }

    pub async fn create_dictionary_item(
        &self,
        kind: DictionaryKind,
        new: &NewDictionaryItem,
    ) -> Result<DictionaryItem> {
        let path = format!("{BASE}/dictionaries/{}", kind.as_str());
        self.send(Method::POST, path, Some(new)).await
    }

    pub async fn update_dictionary_item(
        &self,
        kind: DictionaryKind,
        id: i64,
        patch: &DictionaryItemPatch,
    ) -> Result<DictionaryItem> {
        let path = format!("{BASE}/dictionaries/{}/{id}", kind.as_str());
        self.send(Method::PATCH, path, Some(patch)).await
    }

    pub async fn delete_dictionary_item(&self, kind: DictionaryKind, id: i64) -> Result<()> {
        self.delete(format!("{BASE}/dictionaries/{}/{id}", kind.as_str()))
            .await
    }

    pub async fn settings(&self) -> Result<Settings> {
        self.get(format!("{BASE}/settings")).await
    }

    pub async fn update_settings(&self, patch: &SettingsPatch) -> Result<Settings> {
        self.send(Method::PATCH, format!("{BASE}/settings"), Some(patch))
            .await
    }

    pub async fn audit_log(&self, q: &AuditQuery) -> Result<Page<AuditEntry>> {
        self.get(with_query(&format!("{BASE}/audit-log"), q)).await
    }

    // -----------------------------------------------------------------------------------------
    // Customers, contacts, transfers

    pub async fn customers(&self, q: &CustomerQuery) -> Result<Page<Customer>> {
        self.get(with_query(&format!("{BASE}/customers"), q)).await
    }

    pub async fn pipeline(&self, q: &CustomerFilters) -> Result<Pipeline> {
        self.get(with_query(&format!("{BASE}/customers/pipeline"), q))
            .await
    }

    pub async fn check_duplicate(&self, q: &DuplicateQuery) -> Result<DuplicateCheck> {
        self.get(with_query(&format!("{BASE}/customers/check-duplicate"), q))
            .await
    }

    pub async fn customer(&self, id: i64) -> Result<Customer> {
        self.get(format!("{BASE}/customers/{id}")).await
    }

    pub async fn create_customer(&self, new: &NewCustomer) -> Result<Customer> {
        self.send(Method::POST, format!("{BASE}/customers"), Some(new))
            .await
    }

    pub async fn update_customer(&self, id: i64, patch: &CustomerPatch) -> Result<Customer> {
        self.send(Method::PATCH, format!("{BASE}/customers/{id}"), Some(patch))
            .await
    }

    pub async fn change_level(&self, id: i64, change: &LevelChange) -> Result<Customer> {
        let path = format!("{BASE}/customers/{id}/level");
        self.send(Method::POST, path, Some(change)).await
    }

    pub async fn review_customer(&self, id: i64, decision: &ReviewRequest) -> Result<Customer> {
        let path = format!("{BASE}/customers/{id}/review");
        self.send(Method::POST, path, Some(decision)).await
    }

    pub async fn customer_history(&self, id: i64, q: &PageQuery) -> Result<Page<AuditEntry>> {
        self.get(with_query(&format!("{BASE}/customers/{id}/history"), q))
            .await
    }

    pub async fn contacts(&self, customer_id: i64) -> Result<Vec<Contact>> {
        self.get(format!("{BASE}/customers/{customer_id}/contacts"))
            .await
    }

    pub async fn create_contact(&self, customer_id: i64, new: &NewContact) -> Result<Contact> {
        let path = format!("{BASE}/customers/{customer_id}/contacts");
        self.send(Method::POST, path, Some(new)).await
    }

    pub async fn pool(&self, q: &PoolQuery) -> Result<Page<PoolCustomer>> {
        self.get(with_query(&format!("{BASE}/pool"), q)).await
    }

    pub async fn claim(&self, id: i64, req: &ClaimRequest) -> Result<Customer> {
        let path = format!("{BASE}/pool/{id}/claim");
        self.send(Method::POST, path, Some(req)).await
    }

    pub async fn release(&self, id: i64, req: &ReleaseRequest) -> Result<Released> {
        let path = format!("{BASE}/customers/{id}/release");
        self.send(Method::POST, path, Some(req)).await
    }

    pub async fn reclaim_preview(&self, q: &ReclaimPreviewQuery) -> Result<Page<ReclaimCandidate>> {
        self.get(with_query(&format!("{BASE}/pool/reclaim-preview"), q))
            .await
    }

    pub async fn transfers(&self, q: &PageQuery) -> Result<Page<Transfer>> {
        self.get(with_query(&format!("{BASE}/customer-transfers"), q))
            .await
    }

    pub async fn transfer(&self, req: &NewTransfer) -> Result<Transfer> {
        self.send(
            Method::POST,
            format!("{BASE}/customer-transfers"),
            Some(req),
        )
        .await
    }

    // -----------------------------------------------------------------------------------------
    // Activities, reminders, notifications

    pub async fn activities(&self, q: &ActivityQuery) -> Result<Page<Activity>> {
        self.get(with_query(&format!("{BASE}/activities"), q)).await
    }

    pub async fn log_activity(&self, new: &NewActivity) -> Result<Activity> {
        self.send(Method::POST, format!("{BASE}/activities"), Some(new))
            .await
    }

    pub async fn team_day(&self, q: &TeamQuery) -> Result<TeamDay> {
        self.get(with_query(&format!("{BASE}/team/activity-stream"), q))
            .await
    }

    pub async fn reminders(&self, q: &ReminderQuery) -> Result<Page<Reminder>> {
        self.get(with_query(&format!("{BASE}/reminders"), q)).await
    }

    pub async fn reminder_done(&self, id: i64) -> Result<Reminder> {
        let path = format!("{BASE}/reminders/{id}/done");
        self.send(Method::POST, path, None::<&()>).await
    }

    pub async fn snooze(&self, id: i64, req: &SnoozeRequest) -> Result<Reminder> {
        let path = format!("{BASE}/reminders/{id}/snooze");
        self.send(Method::POST, path, Some(req)).await
    }

    pub async fn notifications(&self, q: &NotificationQuery) -> Result<Page<Notification>> {
        self.get(with_query(&format!("{BASE}/notifications"), q))
            .await
    }

    pub async fn unread_count(&self) -> Result<UnreadCount> {
        self.get(format!("{BASE}/notifications/unread-count")).await
    }

    pub async fn read_notification(&self, id: i64) -> Result<Notification> {
        let path = format!("{BASE}/notifications/{id}/read");
        self.send(Method::POST, path, None::<&()>).await
    }

    pub async fn read_all_notifications(&self) -> Result<UnreadCount> {
        let path = format!("{BASE}/notifications/read-all");
        self.send(Method::POST, path, None::<&()>).await
    }

    // -----------------------------------------------------------------------------------------
    // Products, orders and money

    pub async fn products(&self, q: &ListQuery) -> Result<Vec<Product>> {
        self.get(with_query(&format!("{BASE}/products"), q)).await
    }

    pub async fn create_product(&self, new: &NewProduct) -> Result<Product> {
        self.send(Method::POST, format!("{BASE}/products"), Some(new))
            .await
    }

    pub async fn update_product(&self, id: i64, patch: &ProductPatch) -> Result<Product> {
        self.send(Method::PATCH, format!("{BASE}/products/{id}"), Some(patch))
            .await
    }

    pub async fn delete_product(&self, id: i64) -> Result<()> {
        self.delete(format!("{BASE}/products/{id}")).await
    }

    pub async fn renewal_risk(&self, q: &RenewalRiskQuery) -> Result<Page<RenewalRisk>> {
        self.get(with_query(&format!("{BASE}/reports/renewal-risk"), q))
            .await
    }

    // -----------------------------------------------------------------------------------------
    // Webhooks

    pub async fn webhooks(&self) -> Result<Vec<Webhook>> {
        self.get(format!("{BASE}/webhooks")).await
    }

    pub async fn create_webhook(&self, new: &NewWebhook) -> Result<WebhookWithSecret> {
        self.send(Method::POST, format!("{BASE}/webhooks"), Some(new))
            .await
    }

    pub async fn update_webhook(&self, id: i64, patch: &WebhookPatch) -> Result<WebhookUpdated> {
        self.send(Method::PATCH, format!("{BASE}/webhooks/{id}"), Some(patch))
            .await
    }

    pub async fn delete_webhook(&self, id: i64) -> Result<()> {
        self.delete(format!("{BASE}/webhooks/{id}")).await
    }

    pub async fn webhook_deliveries(
        &self,
        id: i64,
        q: &PageQuery,
    ) -> Result<Page<WebhookDelivery>> {
        self.get(with_query(&format!("{BASE}/webhooks/{id}/deliveries"), q))
            .await
    }

    pub async fn redeliver(&self, id: i64, delivery: i64) -> Result<WebhookDelivery> {
        let path = format!("{BASE}/webhooks/{id}/deliveries/{delivery}/redeliver");
        self.send(Method::POST, path, None::<&()>).await
    }

    // -----------------------------------------------------------------------------------------
    // Opportunities, quotes, competitors

    pub async fn opportunities(&self, q: &OpportunityQuery) -> Result<Page<Opportunity>> {
        self.get(with_query(&format!("{BASE}/opportunities"), q))
            .await
    }

    pub async fn opportunity_pipeline(
        &self,
        q: &OpportunityPipelineQuery,
    ) -> Result<OpportunityPipeline> {
        self.get(with_query(&format!("{BASE}/opportunities/pipeline"), q))
            .await
    }

    pub async fn opportunity(&self, id: i64) -> Result<Opportunity> {
        self.get(format!("{BASE}/opportunities/{id}")).await
    }

    pub async fn create_opportunity(&self, new: &NewOpportunity) -> Result<Opportunity> {
        self.send(Method::POST, format!("{BASE}/opportunities"), Some(new))
            .await
    }

    pub async fn update_opportunity(
        &self,
        id: i64,
        patch: &OpportunityPatch,
    ) -> Result<Opportunity> {
        let path = format!("{BASE}/opportunities/{id}");
        self.send(Method::PATCH, path, Some(patch)).await
    }

    /// `win` or `reopen`.
    pub async fn move_opportunity(
        &self,
        id: i64,
        action: OpportunityAction,
        change: &OpportunityStatusChange,
    ) -> Result<Opportunity> {
        let path = format!("{BASE}/opportunities/{id}/{}", action.as_str());
        self.send(Method::POST, path, Some(change)).await
    }

    pub async fn lose_opportunity(&self, id: i64, req: &LoseRequest) -> Result<Opportunity> {
        let path = format!("{BASE}/opportunities/{id}/lose");
        self.send(Method::POST, path, Some(req)).await
    }

    pub async fn stage_history(&self, id: i64) -> Result<Vec<OpportunityMove>> {
        self.get(format!("{BASE}/opportunities/{id}/stage-history"))
            .await
    }

    pub async fn key_contacts(&self, id: i64) -> Result<Vec<KeyContact>> {
        self.get(format!("{BASE}/opportunities/{id}/contacts"))
            .await
    }

    pub async fn add_key_contact(&self, id: i64, new: &NewKeyContact) -> Result<KeyContact> {
        let path = format!("{BASE}/opportunities/{id}/contacts");
        self.send(Method::POST, path, Some(new)).await
    }

    pub async fn remove_key_contact(&self, id: i64, contact_id: i64) -> Result<()> {
        self.delete(format!("{BASE}/opportunities/{id}/contacts/{contact_id}"))
            .await
    }

    pub async fn deal_competitors(&self, id: i64) -> Result<Vec<DealCompetitor>> {
        self.get(format!("{BASE}/opportunities/{id}/competitors"))
            .await
    }

    pub async fn add_deal_competitor(
        &self,
        id: i64,
        new: &NewDealCompetitor,
    ) -> Result<DealCompetitor> {
        let path = format!("{BASE}/opportunities/{id}/competitors");
        self.send(Method::POST, path, Some(new)).await
    }

    pub async fn remove_deal_competitor(&self, id: i64, competitor_id: i64) -> Result<()> {
        self.delete(format!(
            "{BASE}/opportunities/{id}/competitors/{competitor_id}"
        ))
        .await
    }

    pub async fn quotes(&self, deal: i64) -> Result<Vec<Quote>> {
        self.get(format!("{BASE}/opportunities/{deal}/quotes"))
            .await
    }

    pub async fn create_quote(&self, deal: i64, new: &NewQuote) -> Result<Quote> {
        let path = format!("{BASE}/opportunities/{deal}/quotes");
        self.send(Method::POST, path, Some(new)).await
    }

    pub async fn quote(&self, id: i64) -> Result<Quote> {
        self.get(format!("{BASE}/quotes/{id}")).await
    }

    pub async fn act_on_quote(&self, id: i64, action: QuoteAction) -> Result<Quote> {
        let path = format!("{BASE}/quotes/{id}/{}", action.as_str());
        self.send(Method::POST, path, None::<&()>).await
    }

    pub async fn competitors(&self, q: &CompetitorQuery) -> Result<Page<Competitor>> {
        self.get(with_query(&format!("{BASE}/competitors"), q))
            .await
    }

    pub async fn competitor(&self, id: i64) -> Result<Competitor> {
        self.get(format!("{BASE}/competitors/{id}")).await
    }

    pub async fn create_competitor(&self, new: &NewCompetitor) -> Result<Competitor> {
        self.send(Method::POST, format!("{BASE}/competitors"), Some(new))
            .await
    }

    pub async fn update_competitor(&self, id: i64, patch: &CompetitorPatch) -> Result<Competitor> {
        let path = format!("{BASE}/competitors/{id}");
        self.send(Method::PATCH, path, Some(patch)).await
    }

    // Knowledge and the global search

    pub async fn articles(&self, q: &ArticleQuery) -> Result<Page<ArticleItem>> {
        self.get(with_query(&format!("{BASE}/articles"), q)).await
    }

    pub async fn article(&self, id: i64) -> Result<Article> {
        self.get(format!("{BASE}/articles/{id}")).await
    }

    pub async fn create_article(&self, new: &NewArticle) -> Result<Article> {
        self.send(Method::POST, format!("{BASE}/articles"), Some(new))
            .await
    }

    pub async fn update_article(&self, id: i64, patch: &ArticlePatch) -> Result<Article> {
        let path = format!("{BASE}/articles/{id}");
        self.send(Method::PATCH, path, Some(patch)).await
    }

    pub async fn delete_article(&self, id: i64) -> Result<()> {
        self.delete(format!("{BASE}/articles/{id}")).await
    }

    pub async fn vote_article(&self, id: i64, vote: &ArticleVote) -> Result<Article> {
        let path = format!("{BASE}/articles/{id}/vote");
        self.send(Method::POST, path, Some(vote)).await
    }

    pub async fn article_history(&self, id: i64, q: &PageQuery) -> Result<Page<AuditEntry>> {
        self.get(with_query(&format!("{BASE}/articles/{id}/history"), q))
            .await
    }

    pub async fn preview_markdown(&self, body: &MarkdownPreview) -> Result<RenderedHtml> {
        let path = format!("{BASE}/articles/preview");
        self.send(Method::POST, path, Some(body)).await
    }

    pub async fn unread_bulletins(&self) -> Result<Vec<ArticleItem>> {
        self.get(format!("{BASE}/me/bulletins")).await
    }

    // Documents

    pub async fn documents(&self, q: &DocumentQuery) -> Result<Page<Document>> {
        self.get(with_query(&format!("{BASE}/documents"), q)).await
    }

    pub async fn document(&self, id: i64) -> Result<Document> {
        self.get(format!("{BASE}/documents/{id}")).await
    }

    pub async fn delete_document(&self, id: i64) -> Result<()> {
        self.delete(format!("{BASE}/documents/{id}")).await
    }

    pub async fn document_content(&self, id: i64) -> Result<Vec<u8>> {
        self.bytes(format!("{BASE}/documents/{id}/content")).await
    }

    pub async fn document_thumbnail(&self, id: i64) -> Result<Vec<u8>> {
        self.bytes(format!("{BASE}/documents/{id}/thumbnail")).await
    }

    /// Uploads `file` to the record, telling `progress` the share sent so far (0–1). A browser's
    /// `fetch` cannot report an upload's progress; `XMLHttpRequest` can.
    pub async fn upload_document(
        &self,
        of: DocumentOf,
        file: &web_sys::File,
        progress: impl Fn(f64) + 'static,
    ) -> Result<Document> {
        let form = move || {
            let form = web_sys::FormData::new().map_err(js_error)?;
            form.append_with_str(of.field(), &of.id().to_string())
                .map_err(js_error)?;
            form.append_with_blob_and_filename("file", file, &file.name())
                .map_err(js_error)?;
            Ok(form)
        };
        self.post_form("/documents", form, std::rc::Rc::new(progress))
            .await
    }

    /// Imports a file of `kind` (a dry run checks it and creates nothing); a real run answers at
    /// once and is followed with [`Api::import`].
    pub async fn start_import(
        &self,
        kind: ImportKind,
        file: &web_sys::File,
        dry_run: bool,
    ) -> Result<Import> {
        let form = move || {
            let form = web_sys::FormData::new().map_err(js_error)?;
            form.append_with_str("kind", kind.as_str())
                .map_err(js_error)?;
            form.append_with_str("dry_run", if dry_run { "true" } else { "false" })
                .map_err(js_error)?;
            form.append_with_blob_and_filename("file", file, &file.name())
                .map_err(js_error)?;
            Ok(form)
        };
        self.post_form("/imports", form, std::rc::Rc::new(|_| {}))
            .await
    }

    pub async fn import(&self, id: i64) -> Result<Import> {
        self.get(format!("{BASE}/imports/{id}")).await
    }

    /// The XLSX template of a kind, in the app's language.
    pub async fn import_template(&self, kind: ImportKind) -> Result<Vec<u8>> {
        let q = ImportTemplateQuery { kind };
        self.bytes(with_query(&format!("{BASE}/imports/template"), &q))
            .await
    }

    /// A `multipart/form-data` POST (made by `form`, again after a refreshed token), with the
    /// upload's progress from 0 to 1.
    async fn post_form<T: DeserializeOwned>(
        &self,
        path: &str,
        form: impl Fn() -> Result<web_sys::FormData>,
        progress: std::rc::Rc<dyn Fn(f64)>,
    ) -> Result<T> {
        let first = self.form_once(path, &form()?, progress.clone()).await;
        match first {
            Err(e) if e.status == 401 && e.is(ErrorCode::InvalidToken) && self.refresh().await => {
                self.form_once(path, &form()?, progress).await
            }
            other => other,
        }
    }

    async fn form_once<T: DeserializeOwned>(
        &self,
        path: &str,
        form: &web_sys::FormData,
        progress: std::rc::Rc<dyn Fn(f64)>,
    ) -> Result<T> {
        use wasm_bindgen::JsCast;
        use wasm_bindgen::closure::Closure;
        let xhr = web_sys::XmlHttpRequest::new().map_err(js_error)?;
        xhr.open("POST", &format!("{BASE}{path}"))
            .map_err(js_error)?;
        let lang = crate::format::lang_of(self.i18n.get_locale_untracked());
        xhr.set_request_header("Accept-Language", lang.code())
            .map_err(js_error)?;
        if let Some(token) = self.session.access.get_untracked() {
            xhr.set_request_header("Authorization", &format!("Bearer {token}"))
                .map_err(js_error)?;
        }
        let on_progress =
            Closure::<dyn Fn(web_sys::ProgressEvent)>::new(move |e: web_sys::ProgressEvent| {
                if e.length_computable() && e.total() > 0.0 {
                    progress(e.loaded() / e.total());
                }
            });
        xhr.upload()
            .map_err(js_error)?
            .set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
        let done = js_sys::Promise::new(&mut |resolve, _reject| {
            let on_end = Closure::once_into_js(move || {
                let _ = resolve.call0(&wasm_bindgen::JsValue::NULL);
            });
            xhr.set_onloadend(Some(on_end.unchecked_ref()));
        });
        xhr.send_with_opt_form_data(Some(form)).map_err(js_error)?;
        wasm_bindgen_futures::JsFuture::from(done)
            .await
            .map_err(js_error)?;
        drop(on_progress);
        let status = xhr.status().map_err(js_error)?;
        let text = xhr.response_text().map_err(js_error)?.unwrap_or_default();
        if status == 0 {
            return Err(ApiError::network("the upload did not reach the server"));
        }
        if (200..300).contains(&status) {
            serde_json::from_str(&text).map_err(ApiError::network)
        } else {
            Err(problem(status, &text))
        }
    }

    pub async fn search(&self, q: &SearchQuery) -> Result<SearchResults> {
        self.get(with_query(&format!("{BASE}/search"), q)).await
    }

    pub async fn orders(&self, q: &OrderQuery) -> Result<Page<Order>> {
        self.get(with_query(&format!("{BASE}/orders"), q)).await
    }

    pub async fn order(&self, id: i64) -> Result<Order> {
        self.get(format!("{BASE}/orders/{id}")).await
    }

    pub async fn create_order(&self, new: &NewOrder) -> Result<Order> {
        self.send(Method::POST, format!("{BASE}/orders"), Some(new))
            .await
    }

    /// Signs, starts, completes or cancels an order.
    pub async fn move_order(
        &self,
        id: i64,
        action: OrderAction,
        change: &OrderStatusChange,
    ) -> Result<Order> {
        let path = format!("{BASE}/orders/{id}/{}", action.as_str());
        self.send(Method::POST, path, Some(change)).await
    }

    pub async fn payment_plan(&self, order_id: i64) -> Result<PaymentPlan> {
        self.get(format!("{BASE}/orders/{order_id}/payment-plan"))
            .await
    }

    pub async fn set_payment_plan(
        &self,
        order_id: i64,
        plan: &PaymentPlanRequest,
    ) -> Result<PaymentPlan> {
        let path = format!("{BASE}/orders/{order_id}/payment-plan");
        self.send(Method::PUT, path, Some(plan)).await
    }

    pub async fn receipts(&self, order_id: i64) -> Result<Vec<Receipt>> {
        self.get(format!("{BASE}/orders/{order_id}/receipts")).await
    }

    pub async fn record_receipt(&self, order_id: i64, new: &NewReceipt) -> Result<Receipt> {
        let path = format!("{BASE}/orders/{order_id}/receipts");
        self.send(Method::POST, path, Some(new)).await
    }

    pub async fn reverse_receipt(&self, receipt_id: i64, req: &ReceiptReversal) -> Result<Receipt> {
        let path = format!("{BASE}/receipts/{receipt_id}/reverse");
        self.send(Method::POST, path, Some(req)).await
    }

    pub async fn service_records(&self, order_id: i64) -> Result<Vec<OrderRecord>> {
        self.get(format!("{BASE}/orders/{order_id}/service-records"))
            .await
    }

    pub async fn add_service_record(
        &self,
        order_id: i64,
        new: &NewOrderRecord,
    ) -> Result<OrderRecord> {
        let path = format!("{BASE}/orders/{order_id}/service-records");
        self.send(Method::POST, path, Some(new)).await
    }

    pub async fn receivables(&self, q: &ReceivableQuery) -> Result<Page<Receivable>> {
        self.get(with_query(&format!("{BASE}/receivables"), q))
            .await
    }

    pub async fn aging(&self, q: &AgingQuery) -> Result<AgingReport> {
        self.get(with_query(&format!("{BASE}/reports/receivables-aging"), q))
            .await
    }

    pub async fn expenses(&self, q: &ExpenseQuery) -> Result<Page<Expense>> {
        self.get(with_query(&format!("{BASE}/expenses"), q)).await
    }

    pub async fn create_expense(&self, new: &NewExpense) -> Result<Expense> {
        self.send(Method::POST, format!("{BASE}/expenses"), Some(new))
            .await
    }

    pub async fn delete_expense(&self, id: i64) -> Result<()> {
        self.delete(format!("{BASE}/expenses/{id}")).await
    }

    pub async fn approve_expense(&self, id: i64, body: &ExpenseApproval) -> Result<Expense> {
        let path = format!("{BASE}/expenses/{id}/approve");
        self.send(Method::POST, path, Some(body)).await
    }

    pub async fn reject_expense(&self, id: i64, body: &ExpenseReason) -> Result<Expense> {
        let path = format!("{BASE}/expenses/{id}/reject");
        self.send(Method::POST, path, Some(body)).await
    }

    pub async fn expense_report(&self, q: &ExpenseReportQuery) -> Result<ExpenseReport> {
        self.get(with_query(&format!("{BASE}/reports/expenses"), q))
            .await
    }

    /// The same report as CSV: the file's name and its text.
    pub async fn expense_report_csv(&self, q: &ExpenseReportQuery) -> Result<(String, String)> {
        let q = ExpenseReportQuery {
            format: Some(ReportFormat::Csv),
            ..q.clone()
        };
        let text = self
            .text(with_query(&format!("{BASE}/reports/expenses"), &q))
            .await?;
        let name = format!("expenses-{}.csv", q.group_by.unwrap_or_default().as_str());
        Ok((name, text))
    }

    /// The same report as an Excel workbook: the file's name and its bytes.
    pub async fn expense_report_xlsx(&self, q: &ExpenseReportQuery) -> Result<(String, Vec<u8>)> {
        let q = ExpenseReportQuery {
            format: Some(ReportFormat::Xlsx),
            ..q.clone()
        };
        let bytes = self
            .bytes(with_query(&format!("{BASE}/reports/expenses"), &q))
            .await?;
        let name = format!("expenses-{}.xlsx", q.group_by.unwrap_or_default().as_str());
        Ok((name, bytes))
    }

    /// Every row of a list (`query`: its filters as a query string, without limit and cursor), as
    /// a file of `format`.
    pub async fn export(
        &self,
        kind: ExportKind,
        query: &str,
        format: ExportFormat,
    ) -> Result<Vec<u8>> {
        let sep = if query.is_empty() { "" } else { "&" };
        self.bytes(format!(
            "{BASE}/exports/{}?format={}{sep}{query}",
            kind.as_str(),
            format.as_str()
        ))
        .await
    }

    pub async fn tickets(&self, q: &TicketQuery) -> Result<Page<Ticket>> {
        self.get(with_query(&format!("{BASE}/tickets"), q)).await
    }

    pub async fn ticket(&self, id: i64) -> Result<Ticket> {
        self.get(format!("{BASE}/tickets/{id}")).await
    }

    pub async fn create_ticket(&self, new: &NewTicket) -> Result<Ticket> {
        self.send(Method::POST, format!("{BASE}/tickets"), Some(new))
            .await
    }

    pub async fn ticket_events(&self, id: i64) -> Result<Vec<TicketEvent>> {
        self.get(format!("{BASE}/tickets/{id}/comments")).await
    }

    pub async fn comment_ticket(&self, id: i64, body: &NewTicketComment) -> Result<TicketEvent> {
        let path = format!("{BASE}/tickets/{id}/comments");
        self.send(Method::POST, path, Some(body)).await
    }

    /// Starts or reopens a ticket (resolving and closing carry more: see below).
    pub async fn move_ticket(
        &self,
        id: i64,
        action: TicketAction,
        body: &TicketStatusChange,
    ) -> Result<Ticket> {
        let path = format!("{BASE}/tickets/{id}/{}", action.as_str());
        self.send(Method::POST, path, Some(body)).await
    }

    pub async fn assign_ticket(&self, id: i64, body: &TicketAssign) -> Result<Ticket> {
        let path = format!("{BASE}/tickets/{id}/assign");
        self.send(Method::POST, path, Some(body)).await
    }

    pub async fn resolve_ticket(&self, id: i64, body: &TicketResolve) -> Result<Ticket> {
        let path = format!("{BASE}/tickets/{id}/resolve");
        self.send(Method::POST, path, Some(body)).await
    }

    pub async fn close_ticket(&self, id: i64, body: &TicketClose) -> Result<Ticket> {
        let path = format!("{BASE}/tickets/{id}/close");
        self.send(Method::POST, path, Some(body)).await
    }

    /// A report of the engine: `name` is `customers`, `sales` or `receipts`.
    pub async fn report(&self, name: &str, q: &ReportQuery) -> Result<Report> {
        self.get(with_query(&format!("{BASE}/reports/{name}"), q))
            .await
    }

    /// The same report as a file (CSV or Excel): its bytes.
    pub async fn report_file(
        &self,
        name: &str,
        q: &ReportQuery,
        format: ReportFormat,
    ) -> Result<Vec<u8>> {
        let q = ReportQuery {
            format: Some(format),
            ..q.clone()
        };
        self.bytes(with_query(&format!("{BASE}/reports/{name}"), &q))
            .await
    }

    pub async fn opportunity_report(
        &self,
        q: &OpportunityReportQuery,
    ) -> Result<OpportunityReport> {
        self.get(with_query(&format!("{BASE}/reports/opportunities"), q))
            .await
    }

    /// The stages' table of the deal report as a file.
    pub async fn opportunity_report_file(
        &self,
        q: &OpportunityReportQuery,
        format: ReportFormat,
    ) -> Result<Vec<u8>> {
        let q = OpportunityReportQuery {
            format: Some(format),
            ..q.clone()
        };
        self.bytes(with_query(&format!("{BASE}/reports/opportunities"), &q))
            .await
    }

    pub async fn renewal_report(&self, q: &ReportQuery) -> Result<RenewalReport> {
        self.get(with_query(&format!("{BASE}/reports/renewals"), q))
            .await
    }

    pub async fn scorecard(&self, q: &ScorecardQuery) -> Result<Scorecard> {
        self.get(with_query(&format!("{BASE}/reports/scorecard"), q))
            .await
    }

    /// The scorecard as a file.
    pub async fn scorecard_file(
        &self,
        q: &ScorecardQuery,
        format: ReportFormat,
    ) -> Result<Vec<u8>> {
        let q = ScorecardQuery {
            format: Some(format),
            ..q.clone()
        };
        self.bytes(with_query(&format!("{BASE}/reports/scorecard"), &q))
            .await
    }

    pub async fn dashboard(&self) -> Result<Dashboard> {
        self.get(format!("{BASE}/reports/dashboard")).await
    }

    pub async fn service_report(&self, q: &ServiceReportQuery) -> Result<ServiceReport> {
        self.get(with_query(&format!("{BASE}/reports/service"), q))
            .await
    }

    // -----------------------------------------------------------------------------------------
    // Transport

    /// A text answer (a CSV export), with the same credentials and refresh as JSON calls.
    async fn text(&self, url: String) -> Result<String> {
        self.fetch(url)
            .await?
            .text()
            .await
            .map_err(ApiError::network)
    }

    /// A file's bytes (a document's download or thumbnail).
    pub async fn bytes(&self, url: String) -> Result<Vec<u8>> {
        self.fetch(url)
            .await?
            .binary()
            .await
            .map_err(ApiError::network)
    }

    /// A successful GET answer as it came, with the same credentials and refresh as JSON calls.
    async fn fetch(&self, url: String) -> Result<gloo_net::http::Response> {
        let once = |api: Api, url: String| async move {
            let lang = crate::format::lang_of(api.i18n.get_locale_untracked());
            let mut req = RequestBuilder::new(&url)
                .method(Method::GET)
                .header("Accept-Language", lang.code());
            if let Some(token) = api.session.access.get_untracked() {
                req = req.header("Authorization", &format!("Bearer {token}"));
            }
            let res = req
                .build()
                .map_err(ApiError::network)?
                .send()
                .await
                .map_err(ApiError::network)?;
            if (200..300).contains(&res.status()) {
                Ok(res)
            } else {
                Err(match read::<()>(res).await {
                    Err(e) => e,
                    Ok(()) => ApiError::network("unexpected answer"),
                })
            }
        };
        match once(*self, url.clone()).await {
            Err(e) if e.status == 401 && e.is(ErrorCode::InvalidToken) && self.refresh().await => {
                once(*self, url).await
            }
            other => other,
        }
    }

    async fn get<T: DeserializeOwned>(&self, url: String) -> Result<T> {
        self.send(Method::GET, url, None::<&()>).await
    }

    async fn delete(&self, url: String) -> Result<()> {
        self.send(Method::DELETE, url, None::<&()>).await
    }

    async fn send<T: DeserializeOwned, B: Serialize>(
        &self,
        method: Method,
        url: String,
        body: Option<&B>,
    ) -> Result<T> {
        let first = self.once(method.clone(), &url, body).await;
        match first {
            Err(e) if e.status == 401 && e.is(ErrorCode::InvalidToken) && self.refresh().await => {
                self.once(method, &url, body).await
            }
            Err(e) if e.status == 401 && !url.ends_with("/auth/login") => {
                self.session.clear();
                go_to_login();
                Err(e)
            }
            other => other,
        }
    }

    async fn once<T: DeserializeOwned, B: Serialize>(
        &self,
        method: Method,
        url: &str,
        body: Option<&B>,
    ) -> Result<T> {
        let lang = crate::format::lang_of(self.i18n.get_locale_untracked());
        let mut req = RequestBuilder::new(url)
            .method(method)
            .header("Accept-Language", lang.code());
        if let Some(token) = self.session.access.get_untracked() {
            req = req.header("Authorization", &format!("Bearer {token}"));
        }
        let req = match body {
            Some(b) => req.json(b).map_err(ApiError::network)?,
            None => req.build().map_err(ApiError::network)?,
        };
        let res = req.send().await.map_err(ApiError::network)?;
        read(res).await
    }

    /// Trades the refresh token for a new pair; false when the session is over. Concurrent callers
    /// (a page's parallel requests all finding the access token expired) share one exchange: a
    /// refresh token works once, and presenting it twice would end the session.
    pub async fn refresh(&self) -> bool {
        let shared = IN_FLIGHT.with(|slot| {
            let mut slot = slot.borrow_mut();
            if let Some(running) = slot.as_ref() {
                return running.clone();
            }
            let api = *self;
            let fresh = async move {
                let ok = api.exchange().await;
                IN_FLIGHT.with(|slot| slot.borrow_mut().take());
                ok
            }
            .boxed_local()
            .shared();
            *slot = Some(fresh.clone());
            fresh
        });
        shared.await
    }

    async fn exchange(&self) -> bool {
        let Some(refresh_token) = self.session.refresh_token() else {
            return false;
        };
        let req = RequestBuilder::new(&format!("{BASE}/auth/refresh"))
            .method(Method::POST)
            .json(&RefreshRequest { refresh_token });
        let Ok(req) = req else { return false };
        let Ok(res) = req.send().await else {
            // A network hiccup is not the end of the session.
            return false;
        };
        match read::<TokenResponse>(res).await {
            Ok(t) => {
                self.session.store(t.access_token, t.refresh_token, t.user);
                true
            }
            Err(e) => {
                if e.status == 401 {
                    self.session.clear();
                }
                false
            }
        }
    }
}

type SharedRefresh =
    futures_util::future::Shared<futures_util::future::LocalBoxFuture<'static, bool>>;

thread_local! {
    /// The refresh exchange in flight, if any.
    static IN_FLIGHT: std::cell::RefCell<Option<SharedRefresh>> = const { std::cell::RefCell::new(None) };
}

async fn read<T: DeserializeOwned>(res: gloo_net::http::Response) -> Result<T> {
    let status = res.status();
    let text = res.text().await.map_err(ApiError::network)?;
    if (200..300).contains(&status) {
        let text = if text.is_empty() {
            "null"
        } else {
            text.as_str()
        };
        serde_json::from_str(text).map_err(ApiError::network)
    } else {
        Err(problem(status, &text))
    }
}

/// The error an answer with `status` and body `text` stands for.
fn problem(status: u16, text: &str) -> ApiError {
    match serde_json::from_str::<Problem>(text) {
        Ok(p) => ApiError {
            status,
            code: Some(p.code),
            message: p.detail,
            fields: p.errors,
            request_id: p.request_id,
        },
        Err(_) => ApiError {
            status,
            code: None,
            message: format!("HTTP {status}"),
            fields: Vec::new(),
            request_id: None,
        },
    }
}

fn js_error(e: wasm_bindgen::JsValue) -> ApiError {
    ApiError::network(format!("{e:?}"))
}

pub fn go_to_login() {
    if let Some(w) = web_sys::window() {
        let on_login = w.location().pathname().is_ok_and(|p| p == "/login");
        if !on_login {
            let _ = w.location().set_href("/login");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ApiError;
    use crm_domain::ErrorCode;

    fn problem(status: u16, code: ErrorCode) -> ApiError {
        ApiError {
            status,
            code: Some(code),
            message: "数据库暂时不可用".into(),
            fields: Vec::new(),
            request_id: Some("4f1c2e9a".into()),
        }
    }

    #[test]
    fn a_server_failure_shows_its_request_id_and_a_refusal_does_not() {
        assert_eq!(
            problem(503, ErrorCode::DatabaseUnavailable).display(),
            "数据库暂时不可用 (ID 4f1c2e9a)"
        );
        assert_eq!(
            problem(409, ErrorCode::StaleVersion).display(),
            "数据库暂时不可用"
        );
    }
}
