//! The customer search index: every pair of adjacent characters (a bigram) of a customer's name,
//! short name and contacts' names, with the customer and its owner. A query of two or more
//! characters takes the candidates of its rarest bigram within the caller's scope (a few rows of
//! an index) and checks them with `LIKE`; Chinese has no spaces between words, so substrings of
//! two characters are what people type.
//!
//! A bigram is stored as one integer, `first << 21 | second` (code points fit in 21 bits), of the
//! text lower-cased in ASCII, as SQLite's `lower()` does. The customer's phone is indexed too, as
//! every four consecutive ASCII digits, in codes of their own above the bigrams (`2^42 + digits`):
//! pairs of digits would select a hundredth of all customers, four select a ten-thousandth. The
//! migrations fill the index in SQL; the repository keeps it in step with every write of a name or
//! phone (`reindex`); a trigger follows transfers.

use crate::schema::{contacts, customer_grams as g, customers as c};
use crate::visibility::{Visible, VisibleTo};
use crate::{DbConnection, RepoResult};
use diesel::prelude::*;
use std::collections::BTreeSet;

/// Above this many rows in scope a bigram does not drive the search: the list walks its own index
/// instead and meets a match every few rows.
pub const DRIVE_LIMIT: i64 = 5_000;

static DRIVE: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(DRIVE_LIMIT);

/// The drive limit in force: [`DRIVE_LIMIT`], unless a test lowered it.
pub fn drive_limit() -> i64 {
    DRIVE.load(std::sync::atomic::Ordering::Relaxed)
}

/// Lowers the drive limit for a whole test process, so that a few rows take the path a million
/// take (walking the list instead of fetching the candidates).
#[cfg(feature = "test-support")]
pub fn set_drive_limit(rows: i64) {
    DRIVE.store(rows, std::sync::atomic::Ordering::Relaxed);
}

/// Bigrams of the legal forms nearly every company name ends with; they select nothing.
const STOP: [&str; 6] = ["有限", "限公", "公司", "股份", "份有", "集团"];

fn code(a: char, b: char) -> i64 {
    (i64::from(u32::from(a)) << 21) | i64::from(u32::from(b))
}

fn is_stop(a: char, b: char) -> bool {
    STOP.iter().any(|s| {
        let mut it = s.chars();
        it.next() == Some(a) && it.next() == Some(b)
    })
}

/// The bigrams of a text that the index holds (no whitespace, no legal-form bigrams).
pub fn grams(text: &str) -> BTreeSet<i64> {
    let chars: Vec<char> = text.chars().map(|ch| ch.to_ascii_lowercase()).collect();
    chars
        .windows(2)
        .filter(|w| !w[0].is_whitespace() && !w[1].is_whitespace() && !is_stop(w[0], w[1]))
        .map(|w| code(w[0], w[1]))
        .collect()
}

/// Where the codes of four digits begin: above every bigram (`first << 21 | second < 2^42`).
const DIGITS_BASE: i64 = 1 << 42;

/// The codes of every four consecutive ASCII digits of a text (a phone number, or a query).
/// A query that is a substring of a phone has all its four-digit runs in the phone.
pub fn digit_grams(text: &str) -> BTreeSet<i64> {
    let digits: Vec<Option<i64>> = text
        .chars()
        .map(|ch| {
            ch.to_digit(10)
                .filter(|_| ch.is_ascii_digit())
                .map(i64::from)
        })
        .collect();
    digits
        .windows(4)
        .filter_map(|w| {
            w.iter()
                .try_fold(0_i64, |n, d| d.map(|d| n * 10 + d))
                .map(|n| DIGITS_BASE + n)
        })
        .collect()
}

/// The index rows `(gram, customer, owner)` of a customer: its name, short name and contacts'
/// names, and its phone.
pub fn rows<'a>(
    customer_id: i64,
    owner_id: i64,
    name: &str,
    short_name: Option<&str>,
    phone: Option<&str>,
    contact_names: impl IntoIterator<Item = &'a str>,
) -> Vec<(i64, i64, i64)> {
    let mut all = grams(name);
    all.extend(grams(short_name.unwrap_or("")));
    all.extend(digit_grams(phone.unwrap_or("")));
    for t in contact_names {
        all.extend(grams(t));
    }
    all.into_iter()
        .map(|gram| (gram, customer_id, owner_id))
        .collect()
}

/// Puts index rows in the index's key order (gram, owner, customer), so that inserting them in
/// that order fills neighbouring pages instead of pages all over the index.
pub fn in_key_order(rows: &mut [(i64, i64, i64)]) {
    rows.sort_unstable_by_key(|&(gram, customer, owner)| (gram, owner, customer));
}

/// Inserts index rows, many per statement.
pub fn insert(conn: &mut DbConnection, rows: &[(i64, i64, i64)]) -> QueryResult<()> {
    for chunk in rows.chunks(10_000) {
        let values: Vec<_> = chunk
            .iter()
            .map(|&(gram, customer_id, owner_id)| {
                (
                    g::gram.eq(gram),
                    g::customer_id.eq(customer_id),
                    g::owner_id.eq(owner_id),
                )
            })
            .collect();
        match conn {
            DbConnection::Sqlite(c) => diesel::insert_into(g::table).values(&values).execute(c),
            DbConnection::Pg(c) => diesel::insert_into(g::table).values(&values).execute(c),
        }?;
    }
    Ok(())
}

/// Rebuilds the index rows of these customers from their current names and contacts.
pub fn reindex(conn: &mut DbConnection, customer_ids: &[i64]) -> QueryResult<()> {
    if customer_ids.is_empty() {
        return Ok(());
    }
    diesel::delete(g::table.filter(g::customer_id.eq_any(customer_ids))).execute(conn)?;
    let all = expected_rows(conn, Some(customer_ids))?;
    insert(conn, &all)
}

/// The index rows these customers (all of them for `None`) should have, from their current names
/// and contacts.
pub(crate) fn expected_rows(
    conn: &mut DbConnection,
    customer_ids: Option<&[i64]>,
) -> QueryResult<Vec<(i64, i64, i64)>> {
    let mut heads = c::table
        .select((c::id, c::owner_id, c::name, c::short_name, c::phone))
        .into_boxed();
    let mut people = contacts::table
        .select((contacts::customer_id, contacts::name))
        .into_boxed();
    if let Some(ids) = customer_ids {
        heads = heads.filter(c::id.eq_any(ids.to_vec()));
        people = people.filter(contacts::customer_id.eq_any(ids.to_vec()));
    }
    type Head = (i64, i64, String, Option<String>, Option<String>);
    let heads: Vec<Head> = heads.load(conn)?;
    let mut names: std::collections::HashMap<i64, Vec<String>> = std::collections::HashMap::new();
    for (customer, name) in people.load::<(i64, String)>(conn)? {
        names.entry(customer).or_default().push(name);
    }
    Ok(heads
        .iter()
        .flat_map(|(id, owner, name, short, phone)| {
            let contact_names = names.get(id).into_iter().flatten().map(String::as_str);
            rows(
                *id,
                *owner,
                name,
                short.as_deref(),
                phone.as_deref(),
                contact_names,
            )
        })
        .collect())
}

/// How a text query finds its customers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// These customers (in scope, holding every rare bigram of the query) are the only candidates.
    Candidates(Vec<i64>),
    /// Every bigram is common in scope: walk the list's order and check each row.
    Walk,
}

/// Picks the plan for a query of two or more indexed characters; `None` for shorter ones.
/// A query with four digits in a row may be part of a phone as well as of a name: its candidates
/// are those of its name bigrams and those of its digits together.
pub fn plan(conn: &mut DbConnection, visible: &Visible, text: &str) -> RepoResult<Option<Plan>> {
    let wanted = grams(text);
    let has_stop = {
        let chars: Vec<char> = text.chars().map(|ch| ch.to_ascii_lowercase()).collect();
        chars.windows(2).any(|w| is_stop(w[0], w[1]))
    };
    let by_name = if wanted.is_empty() {
        has_stop.then_some(Plan::Walk)
    } else {
        Some(rarest(conn, visible, wanted)?)
    };
    let digits = digit_grams(text);
    if digits.is_empty() {
        return Ok(by_name);
    }
    Ok(Some(match (by_name, rarest(conn, visible, digits)?) {
        (Some(Plan::Walk), _) | (_, Plan::Walk) => Plan::Walk,
        (Some(Plan::Candidates(a)), Plan::Candidates(b)) => {
            let all: BTreeSet<i64> = a.into_iter().chain(b).collect();
            Plan::Candidates(all.into_iter().collect())
        }
        (None, by_phone) => by_phone,
    }))
}

/// The customers in scope that hold every one of these codes that is rare in scope (under
/// [`DRIVE_LIMIT`] rows); `Walk` when none is. For the whole company, a code already found common
/// is not read again (see [`Common`]).
fn rarest(conn: &mut DbConnection, visible: &Visible, wanted: BTreeSet<i64>) -> RepoResult<Plan> {
    let everyone = matches!(visible, Visible::All);
    let wanted: BTreeSet<i64> = if everyone {
        let known = COMMON
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        wanted.into_iter().filter(|g| !known.holds(*g)).collect()
    } else {
        wanted
    };
    if wanted.is_empty() {
        return Ok(Plan::Walk);
    }
    candidates(wanted, |gram| {
        let ids: Vec<i64> = g::table
            .filter(g::gram.eq(gram))
            .select(g::customer_id)
            .limit(drive_limit())
            .into_boxed()
            .visible_to(g::owner_id, visible)
            .load(conn)?;
        if everyone && ids.len() as i64 >= drive_limit() {
            COMMON
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .learn(gram);
        }
        Ok(ids)
    })
}

/// Codes found common in the whole company (at least [`DRIVE_LIMIT`] index rows), and when: the
/// general manager's search for a common word would otherwise read 5 000 ids of the index each
/// time only to learn again that they narrow nothing (a fifth of its time on PostgreSQL). A hint
/// and nothing more: walking the list finds exactly what the candidates would, so an entry gone
/// stale (the word has become rare) costs time, never a wrong answer; entries expire after
/// [`Common::FOR`] and the memo forgets everything when full.
static COMMON: std::sync::Mutex<Common> = std::sync::Mutex::new(Common {
    seen: std::collections::BTreeMap::new(),
});

struct Common {
    seen: std::collections::BTreeMap<i64, std::time::Instant>,
}

impl Common {
    const FOR: std::time::Duration = std::time::Duration::from_secs(600);
    const MAX: usize = 4_096;

    fn holds(&self, gram: i64) -> bool {
        self.seen
            .get(&gram)
            .is_some_and(|at| at.elapsed() < Self::FOR)
    }

    fn learn(&mut self, gram: i64) {
        if self.seen.len() >= Self::MAX {
            self.seen.clear();
        }
        self.seen.insert(gram, std::time::Instant::now());
    }
}

/// The records that hold every one of these codes that is rare: `posting(code)` answers at most
/// [`DRIVE_LIMIT`] ids of the records holding it (any index of codes: customers', articles');
/// a code that fills the limit is common and narrows nothing. `Walk` when every code is common.
pub(crate) fn candidates(
    wanted: BTreeSet<i64>,
    mut posting: impl FnMut(i64) -> QueryResult<Vec<i64>>,
) -> RepoResult<Plan> {
    let mut candidates: Option<BTreeSet<i64>> = None;
    for gram in wanted {
        let ids = posting(gram)?;
        if (ids.len() as i64) < drive_limit() {
            let ids: BTreeSet<i64> = ids.into_iter().collect();
            candidates = Some(match candidates {
                None => ids,
                Some(before) => before.intersection(&ids).copied().collect(),
            });
            if candidates.as_ref().is_some_and(BTreeSet::is_empty) {
                break;
            }
        }
    }
    Ok(match candidates {
        Some(ids) => Plan::Candidates(ids.into_iter().collect()),
        None => Plan::Walk,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bigrams_of_names() {
        assert_eq!(grams("瑞丰").len(), 1);
        // Legal forms and spaces are left out; ASCII letters fold to lower case.
        assert_eq!(grams("瑞丰有限公司"), grams("瑞丰有"));
        assert_eq!(grams("AB c"), grams("ab"));
        assert!(grams("a").is_empty());
        // A substring's bigrams are among the text's.
        let text = grams("济南瑞丰机械制造有限公司");
        assert!(grams("机械制造").is_subset(&text));
    }

    #[test]
    fn the_memo_of_common_codes_holds_what_it_learnt_and_forgets_when_full() {
        let mut memo = Common {
            seen: std::collections::BTreeMap::new(),
        };
        assert!(!memo.holds(7));
        memo.learn(7);
        assert!(memo.holds(7));
        for code in 0..Common::MAX as i64 {
            memo.learn(1_000 + code);
        }
        // Full: it started again, keeping only the newest.
        assert!(!memo.holds(7));
        assert!(memo.holds(1_000 + Common::MAX as i64 - 1));
        assert_eq!(memo.seen.len(), 1);
    }

    #[test]
    fn four_digit_runs_of_phones() {
        let phone = digit_grams("0531-8888 6666");
        // Runs stop at separators: 0531, 8888 and 6666.
        assert_eq!(phone.len(), 3);
        assert!(phone.contains(&(DIGITS_BASE + 531)));
        assert!(phone.contains(&(DIGITS_BASE + 8888)));
        assert!(phone.contains(&(DIGITS_BASE + 6666)));
        // A query inside the phone has its runs among the phone's.
        assert!(digit_grams("8888 66").is_subset(&phone));
        assert_eq!(digit_grams("13800001234").len(), 8);
        // Fewer than four digits in a row, and other scripts' digits, give nothing.
        assert!(digit_grams("138-000").is_empty());
        assert!(digit_grams("１２３４").is_empty());
        // Above every bigram.
        assert!(
            digit_grams("0000")
                .iter()
                .all(|&d| d > code('\u{10FFFF}', '\u{10FFFF}'))
        );
    }
}
