//! The one typed client of the JSON API. Every call carries the access token, refreshes it once when
//! it has expired, and turns error answers into [`ApiError`] with the server's problem message.

use crate::state::Session;
use crm_domain::api::{FieldError, Problem, RefreshRequest, TokenResponse};
use futures_util::FutureExt;
use gloo_net::http::{Method, RequestBuilder};
use leptos::prelude::GetUntracked;
use serde::Serialize;
use serde::de::DeserializeOwned;

const BASE: &str = "/api/v1";

#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub status: u16,
    pub code: String,
    pub message: String,
    pub fields: Vec<FieldError>,
}

impl ApiError {
    fn network(e: impl std::fmt::Display) -> ApiError {
        ApiError {
            status: 0,
            code: "network".into(),
            message: e.to_string(),
            fields: Vec::new(),
        }
    }

    /// What to show a person: the server's detail and each field's message.
    pub fn display(&self) -> String {
        if self.fields.is_empty() {
            self.message.clone()
        } else {
            self.fields
                .iter()
                .map(|f| format!("{}: {}", f.field, f.message))
                .collect::<Vec<_>>()
                .join("; ")
        }
    }
}

#[derive(Clone, Copy)]
pub struct Api {
    session: Session,
}

impl Api {
    pub fn new(session: Session) -> Api {
        Api { session }
    }

    pub async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, ApiError> {
        self.send(Method::GET, path, None::<&()>).await
    }
    pub async fn post<T: DeserializeOwned, B: Serialize>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, ApiError> {
        self.send(Method::POST, path, Some(body)).await
    }
    pub async fn patch<T: DeserializeOwned, B: Serialize>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, ApiError> {
        self.send(Method::PATCH, path, Some(body)).await
    }
    pub async fn put<T: DeserializeOwned, B: Serialize>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, ApiError> {
        self.send(Method::PUT, path, Some(body)).await
    }
    pub async fn delete(&self, path: &str) -> Result<(), ApiError> {
        self.send(Method::DELETE, path, None::<&()>).await
    }

    async fn send<T: DeserializeOwned, B: Serialize>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
    ) -> Result<T, ApiError> {
        let first = self.once(method.clone(), path, body).await;
        match first {
            Err(e) if e.status == 401 && e.code == "invalid_token" && self.refresh().await => {
                self.once(method, path, body).await
            }
            Err(e) if e.status == 401 => {
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
        path: &str,
        body: Option<&B>,
    ) -> Result<T, ApiError> {
        let mut req = RequestBuilder::new(&format!("{BASE}{path}")).method(method);
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

async fn read<T: DeserializeOwned>(res: gloo_net::http::Response) -> Result<T, ApiError> {
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
        Err(match serde_json::from_str::<Problem>(&text) {
            Ok(p) => ApiError {
                status,
                code: p.code.to_string(),
                message: p.detail,
                fields: p.errors,
            },
            Err(_) => ApiError {
                status,
                code: "http".into(),
                message: format!("HTTP {status}"),
                fields: Vec::new(),
            },
        })
    }
}

pub fn go_to_login() {
    if let Some(w) = web_sys::window() {
        let on_login = w.location().pathname().is_ok_and(|p| p == "/login");
        if !on_login {
            let _ = w.location().set_href("/login");
        }
    }
}
