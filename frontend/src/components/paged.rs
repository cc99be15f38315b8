//! A keyset-paged list as a page shows it: the rows so far, the cursor of the next page (none: no
//! more), and the last error.

use super::run;
use crate::api::ApiError;
use crm_domain::api::Page;
use leptos::prelude::*;
use std::future::Future;

pub struct Paged<T: Send + Sync + 'static> {
    pub items: RwSignal<Vec<T>>,
    pub cursor: RwSignal<Option<String>>,
    pub error: RwSignal<Option<String>>,
}

impl<T: Send + Sync + 'static> Clone for Paged<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T: Send + Sync + 'static> Copy for Paged<T> {}

impl<T: Send + Sync + 'static> Paged<T> {
    pub fn new() -> Self {
        Paged {
            items: RwSignal::new(Vec::new()),
            cursor: RwSignal::new(None),
            error: RwSignal::new(None),
        }
    }

    /// Loads the first page (`fetch(None)`), replacing the rows, or with `more` the next one
    /// (`fetch(Some(cursor))`), appending to them.
    pub fn load<Fut>(self, fetch: impl FnOnce(Option<String>) -> Fut + 'static, more: bool)
    where
        Fut: Future<Output = Result<Page<T>, ApiError>> + 'static,
    {
        let cursor = if more {
            match self.cursor.get_untracked() {
                Some(c) => Some(c),
                None => return,
            }
        } else {
            None
        };
        run(
            self.error,
            move || fetch(cursor),
            move |page| {
                if more {
                    self.items.update(|i| i.extend(page.items));
                } else {
                    self.items.set(page.items);
                }
                self.cursor.set(page.next_cursor);
            },
        );
    }

    /// Shows the answers of a search as the first page: each new answer replaces the rows.
    pub fn follow(self, first: LocalResource<Result<Page<T>, ApiError>>)
    where
        T: Clone,
    {
        Effect::new(move |_| match first.get() {
            Some(Ok(page)) => {
                self.error.set(None);
                self.items.set(page.items);
                self.cursor.set(page.next_cursor);
            }
            Some(Err(e)) => self.error.set(Some(e.display())),
            None => {}
        });
    }

    pub fn has_more(self) -> bool {
        self.cursor.with(Option::is_some)
    }
}
