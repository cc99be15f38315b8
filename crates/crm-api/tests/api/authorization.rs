//! The authorization matrix, generated: every operation of the OpenAPI document, called as each
//! demo user and anonymously on records owned by s1_a, against the table committed beside this
//! file (`authorization.txt`). An operation without a row fails the test, so a new endpoint cannot
//! ship without someone deciding who may call it (OWASP API1/API5 as a unit test).
//!
//! Bodies are made from the operation's schema (its required fields, with ids of the records under
//! test), so that a refusal is about the caller, not about a body that does not parse. Reads share
//! one set of records; each write gets a fresh set per caller, so one caller's delete or status
//! move never decides what the next one sees.
//!
//! `CRM_AUTHZ_BLESS=1 cargo test -p crm-api --test api authorization` rewrites the table from what
//! the server answers; review its diff like code.

use crate::support::TestApp;
use reqwest::Method;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::fmt::Write as _;

const TABLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/api/authorization.txt");

/// The callers, in the table's column order; `anon` sends no token.
const CALLERS: [&str; 11] = [
    "anon",
    "admin",
    "gm",
    "sales_dir",
    "s1_mgr",
    "s1_a",
    "s1_b",
    "s2_mgr",
    "s2_a",
    "cs_a",
    "fin_a",
];

/// What an answer means for the matrix: `ok` when the caller was let through (2xx, or refused
/// for the state of the record or the request itself: 400, 409, 422), `422` when the body names a
/// record outside the caller's scope (a field error `not_found`), else the refusal's status.
fn class(status: u16, body: &Value) -> Option<&'static str> {
    let names_a_hidden_record = || {
        body["errors"]
            .as_array()
            .is_some_and(|e| e.iter().any(|e| e["code"] == "not_found"))
    };
    match status {
        422 if names_a_hidden_record() => Some("422"),
        200..=299 | 400 | 409 | 422 => Some("ok"),
        401 => Some("401"),
        403 => Some("403"),
        404 => Some("404"),
        _ => None,
    }
}

/// Fields added to the generated body of an operation: a real login, a snooze that says how
/// long, a transfer that only counts.
fn extra_fields(op: &str) -> Value {
    match op {
        "POST /auth/login" => json!({"username": "s1_a", "password": "demo1234"}),
        "POST /reminders/{id}/snooze" => json!({"days": 1}),
        "POST /customer-transfers" => json!({"dry_run": true, "all": true}),
        _ => json!({}),
    }
}

struct Operation {
    method: Method,
    /// Without the `/api/v1` prefix.
    path: String,
    body: Option<Value>,
    /// A file upload (`multipart/form-data`): sent as a small PDF for s1_a's customer.
    upload: bool,
}

impl Operation {
    fn key(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
    fn writes(&self) -> bool {
        self.method != Method::GET
    }
}

fn operations(doc: &Value) -> Vec<Operation> {
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let method = match method.as_str() {
                "get" => Method::GET,
                "post" => Method::POST,
                "put" => Method::PUT,
                "patch" => Method::PATCH,
                "delete" => Method::DELETE,
                _ => continue,
            };
            let body = op["requestBody"]["content"]["application/json"]["schema"]
                .as_object()
                .map(|s| Value::Object(s.clone()));
            ops.push(Operation {
                method,
                path: path.strip_prefix("/api/v1").unwrap().to_string(),
                body,
                upload: op["requestBody"]["content"]["multipart/form-data"].is_object(),
            });
        }
    }
    // What could end a caller's session runs last.
    ops.sort_by_key(|o| o.path.starts_with("/auth/"));
    ops
}

/// Ids of the demo company that bodies refer to.
struct Demo {
    users: BTreeMap<&'static str, i64>,
    s1_department: i64,
    salesperson_role: i64,
    activity_type: i64,
    payment_method: i64,
    expense_category: i64,
    product: i64,
}

/// Records owned by s1_a (and company-wide ones made by whoever may), made on demand.
#[derive(Default)]
struct Records {
    ids: BTreeMap<&'static str, i64>,
}

struct Matrix<'a> {
    app: &'a TestApp,
    tokens: BTreeMap<&'static str, String>,
    demo: Demo,
    doc: Value,
    counter: std::cell::Cell<u32>,
}

impl Matrix<'_> {
    fn token(&self, user: &str) -> &str {
        &self.tokens[user]
    }

    fn unique(&self) -> u32 {
        self.counter.set(self.counter.get() + 1);
        self.counter.get()
    }

    /// A value for `schema` (required fields only), ids taken from `records` by field name.
    fn value(&self, schema: &Value, field: &str, records: &Records) -> Value {
        if let Some(r) = schema["$ref"].as_str() {
            let name = r.rsplit('/').next().unwrap();
            return self.value(&self.doc["components"]["schemas"][name], field, records);
        }
        if let Some(options) = schema["oneOf"].as_array().or(schema["anyOf"].as_array()) {
            let pick = options.iter().find(|o| o["type"] != "null").unwrap();
            return self.value(pick, field, records);
        }
        if let Some(all) = schema["allOf"].as_array() {
            return self.value(&all[0], field, records);
        }
        if let Some(first) = schema["enum"].as_array().and_then(|e| e.first()) {
            return first.clone();
        }
        let kind = match &schema["type"] {
            Value::Array(types) => types
                .iter()
                .find(|t| *t != "null")
                .and_then(Value::as_str)
                .unwrap_or("null"),
            Value::String(t) => t.as_str(),
            _ => "object",
        };
        let n = self.unique();
        match kind {
            "object" => {
                let mut out = Map::new();
                let props = &schema["properties"];
                for name in schema["required"].as_array().into_iter().flatten() {
                    let name = name.as_str().unwrap();
                    out.insert(name.into(), self.value(&props[name], name, records));
                }
                Value::Object(out)
            }
            "array" => {
                let min = schema["minItems"].as_u64().unwrap_or(0);
                let item = match field {
                    "role_ids" => json!(self.demo.salesperson_role),
                    "permissions" => json!("customer.read"),
                    _ => self.value(&schema["items"], field, records),
                };
                Value::Array(if min > 0 { vec![item] } else { vec![] })
            }
            "integer" if field.ends_with("_id") => json!(self.id_for(field, records)),
            // A count, a version, a score: the smallest value that is not zero.
            "integer" => json!(schema["minimum"].as_i64().unwrap_or(1).max(1)),
            "boolean" => json!(false),
            "number" => json!(1),
            _ => json!(match (field, schema["format"].as_str()) {
                ("spent_on" | "received_on" | "happened_on", Some("date")) => {
                    crate::support::company_day(0).to_string()
                }
                (_, Some("date")) => crate::support::company_day(3).to_string(),
                (_, Some("date-time")) => chrono::Utc::now().to_rfc3339(),
                ("username", _) => format!("authz{n}"),
                ("code", _) => format!("AZ{n}"),
                ("password" | "new_password" | "current_password", _) => "authz-matrix-1".into(),
                ("refresh_token", _) => "not-a-refresh-token".into(),
                _ if schema["pattern"]
                    .as_str()
                    .is_some_and(|p| p.contains("[0-9]+")) =>
                    "1".into(),
                _ => format!("授权矩阵 {n}"),
            }),
        }
    }

    fn id_for(&self, field: &str, records: &Records) -> i64 {
        let d = &self.demo;
        match field {
            "customer_id" => records.ids["customer"],
            "contact_id" => records.ids["contact"],
            "competitor_id" => records.ids["competitor"],
            "order_id" => records.ids["order"],
            "opportunity_id" => records.ids["opportunity"],
            "type_id" => d.activity_type,
            "method_id" => d.payment_method,
            "category_id" => d.expense_category,
            "product_id" => d.product,
            "department_id" => d.s1_department,
            "from_user_id" => d.users["s1_a"],
            "to_user_id" => d.users["s1_b"],
            other => panic!("no id for the field `{other}`: teach the matrix what it refers to"),
        }
    }

    /// A body for a create operation, as `user`, returning the new record.
    async fn create(&self, user: &str, method: Method, path: &str, records: &Records) -> Value {
        let schema = self.doc["paths"][format!("/api/v1{}", generic(path))]
            [method.as_str().to_lowercase()]["requestBody"]["content"]["application/json"]["schema"]
            .clone();
        let body = self.value(&schema, "", records);
        let res = self
            .app
            .send(method, path, Some(self.token(user)), Some(body.clone()))
            .await;
        assert!(
            res.status.is_success(),
            "making a record: {path} as {user} with {body}: {} {}",
            res.status,
            res.body
        );
        res.body
    }

    /// Makes the records `kinds` need (and what they depend on).
    async fn make(&self, records: &mut Records, kind: &'static str) {
        if records.ids.contains_key(kind) {
            return;
        }
        let id = |v: Value| v["id"].as_i64().unwrap();
        let post = Method::POST;
        let made = match kind {
            "customer" => id(self.create("s1_a", post, "/customers", records).await),
            // A customer s1_a released into the public pool.
            "pooled_customer" => {
                let c = id(self.create("s1_a", post, "/customers", records).await);
                self.app
                    .post(
                        &format!("/customers/{c}/release"),
                        self.token("s1_a"),
                        json!({"reason": "无意向"}),
                    )
                    .await
                    .expect(200);
                c
            }
            "contact" => {
                Box::pin(self.make(records, "customer")).await;
                let c = records.ids["customer"];
                id(self
                    .create("s1_a", post, &format!("/customers/{c}/contacts"), records)
                    .await)
            }
            "competitor" => id(self
                .create("sales_dir", post, "/competitors", records)
                .await),
            // Knowledge is the company's, written by its editors: a published article.
            "article" => id(self
                .app
                .post(
                    "/articles",
                    self.token("sales_dir"),
                    json!({"kind": "kb", "title": "百度推广入门", "body": "**关键词**出价"}),
                )
                .await
                .expect(201)),
            // A proposal s1_a keeps on their customer.
            "document" => {
                Box::pin(self.make(records, "customer")).await;
                id(self
                    .app
                    .upload(
                        self.token("s1_a"),
                        &[("customer_id", records.ids["customer"].to_string())],
                        Some(("推广方案.pdf", b"%PDF-1.4\n%%EOF\n".to_vec())),
                    )
                    .await
                    .expect(201))
            }
            "activity" => {
                Box::pin(self.make(records, "customer")).await;
                id(self.create("s1_a", post, "/activities", records).await)
            }
            // A dry run s1_a made of a customers file (an import is its maker's alone).
            "import" => id(self
                .app
                .form(
                    "/imports",
                    self.token("s1_a"),
                    &[("kind", "customers".into()), ("dry_run", "true".into())],
                    Some(("客户.csv", "客户名称\n济南授权网络科技有限公司\n".into())),
                )
                .await
                .expect(200)),
            "reminder" => {
                Box::pin(self.make(records, "customer")).await;
                let body = json!({"customer_id": records.ids["customer"], "type_id": self.demo.activity_type,
                    "occurred_at": chrono::Utc::now().to_rfc3339(), "summary": "下次回访",
                    "next_step_on": crate::support::company_day(2), "next_step_note": "回访"});
                let a = self
                    .app
                    .post("/activities", self.token("s1_a"), body)
                    .await
                    .expect(201);
                let mine = self
                    .app
                    .get("/reminders?limit=100", self.token("s1_a"))
                    .await
                    .expect(200);
                mine["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|r| r["activity_id"] == a["id"])
                    .unwrap_or_else(|| panic!("no reminder for the activity: {mine}"))["id"]
                    .as_i64()
                    .unwrap()
            }
            "opportunity" => {
                Box::pin(self.make(records, "contact")).await;
                Box::pin(self.make(records, "competitor")).await;
                id(self.create("s1_a", post, "/opportunities", records).await)
            }
            // The deal's competitor and key contact, attached (their ids are the competitor's
            // and the contact's).
            "deal_competitor" | "key_contact" => {
                Box::pin(self.make(records, "opportunity")).await;
                let o = records.ids["opportunity"];
                let what = if kind == "key_contact" {
                    "contacts"
                } else {
                    "competitors"
                };
                self.create("s1_a", post, &format!("/opportunities/{o}/{what}"), records)
                    .await;
                0
            }
            "quote" => {
                Box::pin(self.make(records, "opportunity")).await;
                let o = records.ids["opportunity"];
                id(self
                    .create("s1_a", post, &format!("/opportunities/{o}/quotes"), records)
                    .await)
            }
            "order" => {
                Box::pin(self.make(records, "customer")).await;
                id(self.create("s1_a", post, "/orders", records).await)
            }
            "receipt" => {
                Box::pin(self.make(records, "order")).await;
                let o = records.ids["order"];
                let rep = self.token("s1_a");
                let order = self.app.get(&format!("/orders/{o}"), rep).await.expect(200);
                self.app
                    .post(
                        &format!("/orders/{o}/sign"),
                        rep,
                        json!({"version": order["version"]}),
                    )
                    .await
                    .expect(200);
                let plan = json!({"installments": [{"due_date": crate::support::company_day(30), "amount": order["total"]}]});
                self.app
                    .send(
                        Method::PUT,
                        &format!("/orders/{o}/payment-plan"),
                        Some(rep),
                        Some(plan),
                    )
                    .await
                    .expect(200);
                let receipt = json!({"amount": "0.01", "received_on": crate::support::company_day(0), "method_id": self.demo.payment_method});
                id(self
                    .app
                    .post(
                        &format!("/orders/{o}/receipts"),
                        self.token("fin_a"),
                        receipt,
                    )
                    .await
                    .expect(201))
            }
            "expense" => id(self.create("s1_a", post, "/expenses", records).await),
            "ticket" => {
                Box::pin(self.make(records, "customer")).await;
                id(self.create("cs_a", post, "/tickets", records).await)
            }
            "notification" => {
                // Approving s1_a's expense tells s1_a.
                Box::pin(self.make(records, "expense")).await;
                let e = records.ids["expense"];
                let x = self
                    .app
                    .get(&format!("/expenses/{e}"), self.token("s1_a"))
                    .await
                    .expect(200);
                self.app
                    .post(
                        &format!("/expenses/{e}/approve"),
                        self.token("s1_mgr"),
                        json!({"version": x["version"]}),
                    )
                    .await
                    .expect(200);
                let mine = self
                    .app
                    .get("/notifications?limit=1", self.token("s1_a"))
                    .await
                    .expect(200);
                mine["items"][0]["id"]
                    .as_i64()
                    .expect("s1_a has a notification")
            }
            "token" => id(self.create("s1_a", post, "/me/tokens", records).await),
            "department" => id(self.create("admin", post, "/departments", records).await),
            "role" => id(self.create("admin", post, "/roles", records).await),
            "dictionary_item" => id(self
                .create("admin", post, "/dictionaries/industry", records)
                .await),
            "product" => id(self.create("admin", post, "/products", records).await),
            "user" => id(self.create("admin", post, "/users", records).await),
            // An endpoint on this machine (allowed for it), told of new customers.
            "webhook" => {
                self.app
                    .set_settings(json!({"webhooks_allow_private_network": true}))
                    .await;
                id(self
                    .app
                    .post(
                        "/webhooks",
                        self.token("admin"),
                        json!({"url": "http://127.0.0.1:9/hook", "events": ["customer.created"]}),
                    )
                    .await
                    .expect(201))
            }
            // What that endpoint is owed once s1_a makes a customer.
            "webhook_delivery" => {
                Box::pin(self.make(records, "webhook")).await;
                Box::pin(self.make(records, "customer")).await;
                let hook = records.ids["webhook"];
                let log = self
                    .app
                    .get(&format!("/webhooks/{hook}/deliveries"), self.token("admin"))
                    .await
                    .expect(200);
                id(log["items"][0].clone())
            }
            other => panic!("no maker for {other}"),
        };
        records.ids.insert(kind, made);
    }

    /// The concrete path of `op` with the records of `records` (made as needed).
    async fn path(&self, op: &Operation, records: &mut Records) -> String {
        let segments: Vec<&str> = op.path.split('/').collect();
        let mut out = Vec::new();
        for seg in &segments {
            let value = match *seg {
                "{kind}" => "industry".to_string(),
                "{id}" => {
                    let kind = kind_of(out.last().map(String::as_str).unwrap_or(""));
                    self.make(records, kind).await;
                    records.ids[kind].to_string()
                }
                "{competitor_id}" => {
                    self.make(records, "deal_competitor").await;
                    records.ids["competitor"].to_string()
                }
                "{delivery_id}" => {
                    self.make(records, "webhook_delivery").await;
                    records.ids["webhook_delivery"].to_string()
                }
                "{contact_id}" => {
                    self.make(records, "key_contact").await;
                    records.ids["contact"].to_string()
                }
                s if s.starts_with('{') => {
                    panic!("no record for the path parameter {s} of {}", op.path)
                }
                s => s.to_string(),
            };
            out.push(value);
        }
        out.join("/")
    }

    async fn call(&self, op: &Operation, caller: &str, records: &mut Records) -> (u16, Value) {
        let path = self.path(op, records).await;
        let body = match &op.body {
            Some(schema) => {
                // Ids in bodies refer to the same records as the path.
                for kind in body_needs(schema, &self.doc) {
                    self.make(records, kind).await;
                }
                let mut body = self.value(schema, "", records);
                for (k, v) in extra_fields(&op.key()).as_object().unwrap() {
                    body[k] = v.clone();
                }
                Some(body)
            }
            None => None,
        };
        let token = (caller != "anon").then(|| self.token(caller).to_string());
        if op.upload && path == "/imports" {
            let res = self
                .app
                .form(
                    "/imports",
                    token.as_deref().unwrap_or_default(),
                    &[("kind", "customers".into()), ("dry_run", "true".into())],
                    Some(("客户.csv", "客户名称\n烟台授权网络科技有限公司\n".into())),
                )
                .await;
            return (res.status.as_u16(), res.body);
        }
        if op.upload {
            self.make(records, "customer").await;
            let res = self
                .app
                .upload(
                    token.as_deref().unwrap_or_default(),
                    &[("customer_id", records.ids["customer"].to_string())],
                    Some(("方案.pdf", b"%PDF-1.4\n%%EOF\n".to_vec())),
                )
                .await;
            return (res.status.as_u16(), res.body);
        }
        let res = self
            .app
            .send(op.method.clone(), &path, token.as_deref(), body)
            .await;
        (res.status.as_u16(), res.body)
    }
}

/// The record kind a collection segment names.
fn kind_of(collection: &str) -> &'static str {
    match collection {
        "activities" => "activity",
        "articles" => "article",
        "documents" => "document",
        "competitors" => "competitor",
        "contacts" => "contact",
        "customers" => "customer",
        "departments" => "department",
        "industry" => "dictionary_item",
        "expenses" => "expense",
        "imports" => "import",
        "tokens" => "token",
        "notifications" => "notification",
        "opportunities" => "opportunity",
        "orders" => "order",
        "pool" => "pooled_customer",
        "products" => "product",
        "quotes" => "quote",
        "receipts" => "receipt",
        "reminders" => "reminder",
        "roles" => "role",
        "tickets" => "ticket",
        "users" => "user",
        "webhooks" => "webhook",
        other => panic!("no record kind for /{other}/{{id}}"),
    }
}

/// Record kinds a body's required id fields refer to.
fn body_needs(schema: &Value, doc: &Value) -> Vec<&'static str> {
    let mut out = Vec::new();
    let mut stack = vec![schema.clone()];
    while let Some(s) = stack.pop() {
        if let Some(r) = s["$ref"].as_str() {
            stack.push(doc["components"]["schemas"][r.rsplit('/').next().unwrap()].clone());
            continue;
        }
        for name in s["required"].as_array().into_iter().flatten() {
            let name = name.as_str().unwrap();
            match name {
                "customer_id" => out.push("customer"),
                "contact_id" => out.push("contact"),
                "competitor_id" => out.push("competitor"),
                "order_id" => out.push("order"),
                "opportunity_id" => out.push("opportunity"),
                _ => {}
            }
            stack.push(s["properties"][name].clone());
        }
        if s["items"].is_object() {
            stack.push(s["items"].clone());
        }
    }
    out
}

/// `/customers/12/contacts` → `/customers/{id}/contacts` (for the schema lookup of a create).
fn generic(path: &str) -> String {
    path.split('/')
        .map(|s| {
            if s.parse::<i64>().is_ok() {
                "{id}"
            } else if s == "industry" {
                "{kind}"
            } else {
                s
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

async fn demo(app: &TestApp, tokens: &BTreeMap<&'static str, String>) -> Demo {
    let admin = &tokens["admin"];
    let mut users = BTreeMap::new();
    for u in CALLERS.iter().filter(|u| **u != "anon") {
        users.insert(
            *u,
            app.get("/me", &tokens[u]).await.expect(200)["id"]
                .as_i64()
                .unwrap(),
        );
    }
    let me = app.get("/me", &tokens["s1_a"]).await.expect(200);
    let first = |v: Value| v[0]["id"].as_i64().unwrap();
    let roles = app.get("/roles", admin).await.expect(200);
    let salesperson_role = roles
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == me["roles"][0]["id"])
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    Demo {
        users,
        s1_department: me["department"]["id"].as_i64().unwrap(),
        salesperson_role,
        activity_type: first(
            app.get("/dictionaries/activity_type", admin)
                .await
                .expect(200),
        ),
        payment_method: first(
            app.get("/dictionaries/payment_method", admin)
                .await
                .expect(200),
        ),
        expense_category: first(
            app.get("/dictionaries/expense_category", admin)
                .await
                .expect(200),
        ),
        product: app
            .post(
                "/products",
                admin,
                json!({"code": "AUTHZ", "name": "授权矩阵产品", "unit": "套", "list_price": "100"}),
            )
            .await
            .expect(201)["id"]
            .as_i64()
            .unwrap(),
    }
}

fn render(rows: &BTreeMap<String, Vec<&'static str>>) -> String {
    let mut out = String::from(
        "# The authorization matrix (crates/crm-api/tests/api/authorization.rs): what each caller gets\n\
         # from every operation of the OpenAPI document, on records owned by s1_a (销售一部).\n\
         # ok = let through (2xx, or 400/409/422 about the record's state or the request itself);\n\
         # 401, 403, 404 = refused; 422 = refused because the body names a record outside the\n\
         # caller's scope (a field error `not_found`).\n\
         # A row per operation; a new operation needs its row. CRM_AUTHZ_BLESS=1 rewrites this file.\n",
    );
    let width = rows.keys().map(String::len).max().unwrap_or(0).max(10);
    let _ = write!(out, "{:width$}", "#");
    for c in CALLERS {
        let _ = write!(out, " {c:>9}");
    }
    out.push('\n');
    for (key, classes) in rows {
        let _ = write!(out, "{key:width$}");
        for c in classes {
            let _ = write!(out, " {c:>9}");
        }
        out.push('\n');
    }
    out
}

fn parse(table: &str) -> BTreeMap<String, Vec<String>> {
    table
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let cells: Vec<&str> = l.split_whitespace().collect();
            let (key, classes) = cells.split_at(2);
            (
                key.join(" "),
                classes.iter().map(|c| c.to_string()).collect(),
            )
        })
        .collect()
}

async fn matrix(backend: &str) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let mut tokens = BTreeMap::new();
    for u in CALLERS.iter().filter(|u| **u != "anon") {
        tokens.insert(*u, app.login(u).await);
    }
    let demo = demo(&app, &tokens).await;
    let doc: Value = serde_json::from_str(&crm_api::openapi_json()).unwrap();
    let m = Matrix {
        app: &app,
        tokens,
        demo,
        doc: doc.clone(),
        counter: std::cell::Cell::new(0),
    };
    let mut shared = Records::default();
    let mut got: BTreeMap<String, Vec<&'static str>> = BTreeMap::new();
    let mut faults = Vec::new();
    for op in operations(&doc) {
        let mut row = Vec::new();
        for caller in CALLERS {
            let mut fresh = Records::default();
            let records = if op.writes() { &mut fresh } else { &mut shared };
            let (status, body) = m.call(&op, caller, records).await;
            match class(status, &body) {
                Some(c) => row.push(c),
                None => {
                    faults.push(format!("{} as {caller}: {status} {body}", op.key()));
                    row.push("?");
                }
            }
        }
        got.insert(op.key(), row);
    }
    assert!(
        faults.is_empty(),
        "answers outside the matrix:\n{}",
        faults.join("\n")
    );
    if std::env::var("CRM_AUTHZ_BLESS").is_ok_and(|v| v == "1") && backend == "sqlite" {
        std::fs::write(TABLE, render(&got)).unwrap();
        return;
    }
    let expected = parse(&std::fs::read_to_string(TABLE).unwrap());
    let mut wrong = Vec::new();
    for (key, classes) in &got {
        match expected.get(key) {
            None => wrong.push(format!(
                "{key}: no row in authorization.txt; decide who may call it and add:\n{}",
                render(&BTreeMap::from([(key.clone(), classes.clone())]))
                    .lines()
                    .last()
                    .unwrap()
            )),
            Some(want) => {
                for ((caller, want), got) in CALLERS.iter().zip(want).zip(classes) {
                    if want != got {
                        wrong.push(format!(
                            "{key} as {caller}: the table says {want}, the server answered {got}"
                        ));
                    }
                }
            }
        }
    }
    for key in expected.keys().filter(|k| !got.contains_key(*k)) {
        wrong.push(format!(
            "{key}: in the table but not in the OpenAPI document"
        ));
    }
    assert!(wrong.is_empty(), "{backend}:\n{}", wrong.join("\n"));
}

#[actix_web::test]
async fn every_operation_answers_each_caller_as_the_table_says_sqlite() {
    matrix("sqlite").await;
}

#[actix_web::test]
async fn every_operation_answers_each_caller_as_the_table_says_postgres() {
    matrix("postgres").await;
}
