//! Knowledge (知识管理): articles of the knowledge base, FAQ and sales bulletins, and the rules of
//! who may write what. Everyone who reads knowledge may suggest an FAQ as a draft; only writers
//! (`knowledge.write`) publish, pin, or touch someone else's article.

use serde::{Deserialize, Serialize};

words! {
    /// What an article is.
    ArticleKind { Kb = "kb", Faq = "faq", Bulletin = "bulletin" }
}

words! {
    /// Whether readers see it.
    ArticleStatus { Draft = "draft", Published = "published" }
}

/// A bulletin shows on everyone's Today page until they have read it, for this many days.
pub const BULLETIN_DAYS: i64 = 7;

/// What the caller may do to an article, from who they are to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Writer {
    /// Holds `knowledge.write`.
    pub writer: bool,
    /// Wrote this article.
    pub author: bool,
}

impl Writer {
    /// May create an article of this kind in this status: writers anything, readers an FAQ draft.
    pub fn may_create(self, kind: ArticleKind, status: ArticleStatus) -> bool {
        self.writer || (kind == ArticleKind::Faq && status == ArticleStatus::Draft)
    }

    /// May change (or delete) an article now in `status`, leaving it in `to`: writers any; its
    /// author a draft that stays a draft.
    pub fn may_change(self, status: ArticleStatus, to: ArticleStatus) -> bool {
        self.writer || (self.author && status == ArticleStatus::Draft && to == ArticleStatus::Draft)
    }

    /// May read an article in `status`: published ones everyone, drafts their author and writers.
    pub fn may_read(self, status: ArticleStatus) -> bool {
        status == ArticleStatus::Published || self.writer || self.author
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ArticleKind::*;
    use ArticleStatus::*;

    #[test]
    fn readers_suggest_faq_drafts_only() {
        let reader = Writer {
            writer: false,
            author: false,
        };
        assert!(reader.may_create(Faq, Draft));
        assert!(!reader.may_create(Faq, Published));
        assert!(!reader.may_create(Kb, Draft));
        assert!(!reader.may_create(Bulletin, Draft));
        assert!(reader.may_read(Published) && !reader.may_read(Draft));
        let author = Writer {
            writer: false,
            author: true,
        };
        assert!(author.may_change(Draft, Draft));
        assert!(!author.may_change(Draft, Published));
        assert!(!author.may_change(Published, Published));
        assert!(author.may_read(Draft));
        let writer = Writer {
            writer: true,
            author: false,
        };
        assert!(writer.may_create(Bulletin, Published));
        assert!(writer.may_change(Published, Draft) && writer.may_read(Draft));
    }
}
