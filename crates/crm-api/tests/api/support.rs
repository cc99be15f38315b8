//! Starting the server for one test and talking to it.

use crm_api::config::ServeConfig;
use crm_db::testing::TestDb;
use reqwest::{Method, StatusCode};
use serde_json::Value;

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    /// Kept alive for the test's duration; dropped (and deleted) after it.
    pub db: TestDb,
}

/// A response: status, headers and the JSON body (Null when empty).
pub struct Res {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Res {
    #[track_caller]
    pub fn expect(self, status: u16) -> Value {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected status; body: {}",
            self.body
        );
        self.body
    }

    /// The problem `code` of an error answer, after checking its status.
    #[track_caller]
    pub fn problem(self, status: u16) -> String {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected status; body: {}",
            self.body
        );
        assert_eq!(
            self.headers
                .get("content-type")
                .and_then(|v| v.to_str().ok()),
            Some("application/problem+json"),
            "errors are problem documents"
        );
        assert_eq!(self.body["status"].as_u64(), Some(status as u64));
        self.body["code"].as_str().unwrap_or_default().to_string()
    }
}

impl TestApp {
    /// Starts a server with the demo company on a fresh database of `backend`; `None` when that
    /// backend is not available outside CI (see `TestDb::postgres`).
    pub async fn spawn(backend: &str) -> Option<TestApp> {
        Self::spawn_with(backend, |_| {}).await
    }

    pub async fn spawn_with(
        backend: &str,
        adjust: impl FnOnce(&mut ServeConfig),
    ) -> Option<TestApp> {
        let db = TestDb::of(backend)?;
        let mut config = ServeConfig::for_tests(&db.url);
        config.database.documents_dir = Some(db.documents.clone());
        config.demo = true;
        adjust(&mut config);
        let running = crm_api::start(config).await.expect("server starts");
        let base = format!("http://{}/api/v1", running.addr);
        actix_web::rt::spawn(running.server);
        Some(TestApp {
            base,
            client: reqwest::Client::new(),
            db,
        })
    }

    /// Starts a server on a database that is already filled (no demo seeding).
    pub async fn on_database(db: TestDb) -> TestApp {
        let mut config = ServeConfig::for_tests(&db.url);
        config.database.documents_dir = Some(db.documents.clone());
        let running = crm_api::start(config).await.expect("server starts");
        let base = format!("http://{}/api/v1", running.addr);
        actix_web::rt::spawn(running.server);
        TestApp {
            base,
            client: reqwest::Client::new(),
            db,
        }
    }

    pub async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Res {
        let mut req = self
            .client
            .request(method, format!("{}{}", self.base, path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.expect("request");
        Self::read(res).await
    }

    pub async fn read(res: reqwest::Response) -> Res {
        let status = res.status();
        let headers = res.headers().clone();
        let text = res.text().await.expect("body");
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        Res {
            status,
            headers,
            body,
        }
    }

    /// A raw request with an arbitrary body and content type.
    pub async fn raw(
        &self,
        method: Method,
        path: &str,
        token: &str,
        content_type: Option<&str>,
        body: &str,
    ) -> Res {
        let mut req = self
            .client
            .request(method, format!("{}{}", self.base, path))
            .bearer_auth(token)
            .body(body.to_string());
        if let Some(ct) = content_type {
            req = req.header("content-type", ct);
        }
        Self::read(req.send().await.expect("request")).await
    }

    /// `POST /documents` with these text fields and, when given, a file (name, bytes).
    pub async fn upload(
        &self,
        token: &str,
        fields: &[(&str, String)],
        file: Option<(&str, Vec<u8>)>,
    ) -> Res {
        self.form("/documents", token, fields, file).await
    }

    /// A `multipart/form-data` POST to `path`: text fields and, when given, a file (name, bytes).
    pub async fn form(
        &self,
        path: &str,
        token: &str,
        fields: &[(&str, String)],
        file: Option<(&str, Vec<u8>)>,
    ) -> Res {
        let mut form = reqwest::multipart::Form::new();
        for (name, value) in fields {
            form = form.text(name.to_string(), value.clone());
        }
        if let Some((name, bytes)) = file {
            form = form.part(
                "file",
                reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()),
            );
        }
        let req = self
            .client
            .post(format!("{}{path}", self.base))
            .bearer_auth(token)
            .multipart(form);
        Self::read(req.send().await.expect("request")).await
    }

    /// A download: status, headers and the bytes.
    pub async fn download(
        &self,
        path: &str,
        token: &str,
    ) -> (reqwest::StatusCode, reqwest::header::HeaderMap, Vec<u8>) {
        let res = self
            .client
            .get(format!("{}{}", self.base, path))
            .bearer_auth(token)
            .send()
            .await
            .expect("request");
        let (status, headers) = (res.status(), res.headers().clone());
        (status, headers, res.bytes().await.expect("body").to_vec())
    }

    /// How many files the document store holds.
    pub fn stored_files(&self) -> usize {
        let Ok(dirs) = std::fs::read_dir(&self.db.documents) else {
            return 0;
        };
        dirs.flatten()
            .filter(|d| d.file_name() != ".incoming" && d.path().is_dir())
            .map(|d| std::fs::read_dir(d.path()).map_or(0, |f| f.count()))
            .sum()
    }

    pub async fn get(&self, path: &str, token: &str) -> Res {
        self.send(Method::GET, path, Some(token), None).await
    }
    pub async fn post(&self, path: &str, token: &str, body: Value) -> Res {
        self.send(Method::POST, path, Some(token), Some(body)).await
    }
    pub async fn patch(&self, path: &str, token: &str, body: Value) -> Res {
        self.send(Method::PATCH, path, Some(token), Some(body))
            .await
    }
    pub async fn delete(&self, path: &str, token: &str) -> Res {
        self.send(Method::DELETE, path, Some(token), None).await
    }

    pub async fn login_res(&self, username: &str, password: &str) -> Res {
        self.send(
            Method::POST,
            "/auth/login",
            None,
            Some(serde_json::json!({"username": username, "password": password})),
        )
        .await
    }

    /// Logs a demo user in and returns the whole token answer.
    pub async fn login_full(&self, username: &str) -> Value {
        self.login_res(username, "demo1234").await.expect(200)
    }

    /// Logs a demo user in and returns the access token.
    pub async fn login(&self, username: &str) -> String {
        self.login_full(username).await["access_token"]
            .as_str()
            .expect("access token")
            .to_string()
    }

    /// A second pool on the test's database, for running the scheduler as another instance would.
    pub fn pool(&self) -> crm_db::Db {
        crm_db::Db::connect(&self.db.url, 4).expect("database")
    }

    /// Every page of a keyset list (`path` has a query, and no cursor): the `key` of each item.
    pub async fn every_page(&self, token: &str, path: &str, key: &str) -> Vec<i64> {
        let mut ids = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let url = match &cursor {
                None => path.to_string(),
                Some(c) => format!("{path}&cursor={c}"),
            };
            let page = self.get(&url, token).await.expect(200);
            ids.extend(
                page["items"]
                    .as_array()
                    .expect("items")
                    .iter()
                    .map(|x| x[key].as_i64().expect("an integer key")),
            );
            cursor = page["next_cursor"].as_str().map(str::to_string);
            if cursor.is_none() {
                return ids;
            }
        }
    }

    /// The administrator changes company settings (`changes` without the version).
    pub async fn set_settings(&self, mut changes: Value) {
        let admin = self.login("admin").await;
        let current = self.get("/settings", &admin).await.expect(200);
        changes["version"] = current["version"].clone();
        self.patch("/settings", &admin, changes).await.expect(200);
    }

    /// The id of a demo user, as the administrator sees it.
    pub async fn user_id(&self, admin: &str, username: &str) -> i64 {
        let page = self
            .get(&format!("/users?q={username}&limit=200"), admin)
            .await
            .expect(200);
        page["items"]
            .as_array()
            .and_then(|items| items.iter().find(|u| u["username"] == username))
            .and_then(|u| u["id"].as_i64())
            .unwrap_or_else(|| panic!("no user {username}"))
    }
}

/// One async API test per backend: `name::sqlite` and `name::postgres`.
#[macro_export]
macro_rules! api_test {
    ($name:ident, |$app:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            async fn run($app: &$crate::support::TestApp) $body
            /// The test, then a recount of every maintained summary after its writes.
            async fn checked(app: $crate::support::TestApp) {
                run(&app).await;
                let db = app.pool();
                let mut conn = db.get().expect("connection");
                let drift = crm_db::summaries::drift(&mut conn).expect("recount");
                assert!(drift.is_empty(), "summaries drifted:\n{}", drift.join("\n"));
            }
            #[actix_web::test]
            async fn sqlite() {
                checked($crate::support::TestApp::spawn("sqlite").await.expect("sqlite")).await;
            }
            #[actix_web::test]
            async fn postgres() {
                if let Some(app) = $crate::support::TestApp::spawn("postgres").await {
                    checked(app).await;
                }
            }
        }
    };
}

/// Today on the demo company's calendar (Asia/Shanghai), moved by `offset` days.
/// The ids of a page's items, in order.
pub fn ids(page: &Value) -> Vec<i64> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_i64().unwrap())
        .collect()
}

/// A text percent-encoded for a query string (every byte, so Chinese survives as typed).
pub fn enc(text: &str) -> String {
    text.bytes().map(|b| format!("%{b:02X}")).collect()
}

pub fn company_day(offset: i64) -> chrono::NaiveDate {
    let today =
        crm_domain::time::local_date(chrono::Utc::now(), crm_domain::time::zone("Asia/Shanghai"));
    today + chrono::Duration::days(offset)
}
