//! Search boxes that ask as one types: one helper for every one of them.

use crate::api::ApiError;
use leptos::prelude::*;
use std::future::Future;

/// How long typing must pause before the server is asked.
pub const DEBOUNCE_MS: f64 = 250.0;

/// The answer to what is being typed: `fetch` is asked `DEBOUNCE_MS` after `query` last changed,
/// and only the latest question's answer is ever shown (a Leptos resource drops the answer of a
/// question that was overtaken, however late it arrives). `None` while the first answer is on its
/// way.
pub fn searched<Q, T, Fut>(
    query: impl Fn() -> Q + Send + Sync + 'static,
    fetch: impl Fn(Q) -> Fut + 'static,
) -> LocalResource<Result<T, ApiError>>
where
    Q: Clone + PartialEq + Send + Sync + 'static,
    T: 'static,
    Fut: Future<Output = Result<T, ApiError>> + 'static,
{
    let settled = leptos_use::signal_debounced(Signal::derive(query), DEBOUNCE_MS);
    LocalResource::new(move || fetch(settled.get()))
}
