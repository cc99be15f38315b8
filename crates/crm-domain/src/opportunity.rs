//! The rules of a deal (机会): its status and the moves between them, the roles of key contacts, a
//! quote's status, and the weighted amount (amount × probability) that the pipeline adds up.

use crate::Money;
use serde::{Deserialize, Serialize};

/// 机会状态: a deal is open until it is won or lost; a closed deal can be reopened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OpportunityStatus {
    Open,
    Won,
    Lost,
}

/// What can be done to a deal's status: `POST /opportunities/{id}/{action}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpportunityAction {
    Win,
    Lose,
    Reopen,
}

impl OpportunityAction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Win => "win",
            Self::Lose => "lose",
            Self::Reopen => "reopen",
        }
    }
}

impl OpportunityStatus {
    pub const ALL: [OpportunityStatus; 3] = [Self::Open, Self::Won, Self::Lost];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Won => "won",
            Self::Lost => "lost",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// The status an action leads to; `None` when the move is not allowed (winning or losing a
    /// closed deal, reopening an open one).
    pub fn after(self, action: OpportunityAction) -> Option<OpportunityStatus> {
        use OpportunityAction as A;
        use OpportunityStatus as S;
        match (self, action) {
            (S::Open, A::Win) => Some(S::Won),
            (S::Open, A::Lose) => Some(S::Lost),
            (S::Won | S::Lost, A::Reopen) => Some(S::Open),
            _ => None,
        }
    }
}

/// A key contact's part in the deal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ContactRole {
    DecisionMaker,
    Influencer,
    User,
    Gatekeeper,
    Other,
}

impl ContactRole {
    pub const ALL: [ContactRole; 5] = [
        Self::DecisionMaker,
        Self::Influencer,
        Self::User,
        Self::Gatekeeper,
        Self::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::DecisionMaker => "decision_maker",
            Self::Influencer => "influencer",
            Self::User => "user",
            Self::Gatekeeper => "gatekeeper",
            Self::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// 报价状态: draft → sent → accepted / rejected; the scheduler expires draft and sent quotes past
/// their validity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum QuoteStatus {
    Draft,
    Sent,
    Accepted,
    Rejected,
    Expired,
}

/// What can be done to a quote: `POST /quotes/{id}/{action}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuoteAction {
    Send,
    Accept,
    Reject,
}

impl QuoteAction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Send => "send",
            Self::Accept => "accept",
            Self::Reject => "reject",
        }
    }
}

impl QuoteStatus {
    pub const ALL: [QuoteStatus; 5] = [
        Self::Draft,
        Self::Sent,
        Self::Accepted,
        Self::Rejected,
        Self::Expired,
    ];
    /// Still open: may be sent, accepted or rejected, and expires.
    pub const OPEN: [QuoteStatus; 2] = [Self::Draft, Self::Sent];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Sent => "sent",
            Self::Accepted => "accepted",
            Self::Rejected => "rejected",
            Self::Expired => "expired",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    pub fn is_open(self) -> bool {
        Self::OPEN.contains(&self)
    }

    /// The status an action leads to; `None` when the quote is closed or already sent.
    pub fn after(self, action: QuoteAction) -> Option<QuoteStatus> {
        use QuoteAction as A;
        use QuoteStatus as S;
        match (self, action) {
            (S::Draft, A::Send) => Some(S::Sent),
            (S::Draft | S::Sent, A::Accept) => Some(S::Accepted),
            (S::Draft | S::Sent, A::Reject) => Some(S::Rejected),
            _ => None,
        }
    }
}

/// A probability is a whole percentage.
pub fn valid_probability(p: i16) -> bool {
    (0..=100).contains(&p)
}

/// The weighted amount of a sum of `amount × probability` (fen × percent), rounded half up to the
/// fen: what the pipeline keeps is exact, the division happens once, at the edge.
pub fn weighted_money(fen_percent: i64) -> Money {
    let whole = fen_percent.div_euclid(100);
    let rest = fen_percent.rem_euclid(100);
    Money::from_minor(whole + i64::from(rest >= 50))
}

/// One deal's weighted amount.
pub fn weighted(amount: Money, probability: i16) -> Money {
    weighted_money(amount.minor().saturating_mul(i64::from(probability)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_open_deals_are_won_or_lost_and_only_closed_ones_reopen() {
        use OpportunityAction as A;
        use OpportunityStatus as S;
        assert_eq!(S::Open.after(A::Win), Some(S::Won));
        assert_eq!(S::Open.after(A::Lose), Some(S::Lost));
        assert_eq!(S::Open.after(A::Reopen), None);
        for closed in [S::Won, S::Lost] {
            assert_eq!(closed.after(A::Win), None);
            assert_eq!(closed.after(A::Lose), None);
            assert_eq!(closed.after(A::Reopen), Some(S::Open));
        }
    }

    #[test]
    fn quotes_close_once() {
        use QuoteAction as A;
        use QuoteStatus as S;
        assert_eq!(S::Draft.after(A::Send), Some(S::Sent));
        assert_eq!(S::Sent.after(A::Send), None);
        assert_eq!(S::Sent.after(A::Accept), Some(S::Accepted));
        for closed in [S::Accepted, S::Rejected, S::Expired] {
            for a in [A::Send, A::Accept, A::Reject] {
                assert_eq!(closed.after(a), None, "{closed:?} {a:?}");
            }
        }
    }

    #[test]
    fn weighted_amounts_round_half_up_once() {
        assert_eq!(
            weighted(Money::from_minor(10_000), 30),
            Money::from_minor(3_000)
        );
        assert_eq!(weighted(Money::from_minor(1), 50), Money::from_minor(1));
        assert_eq!(weighted(Money::from_minor(1), 49), Money::from_minor(0));
        // Three deals of 0.01 at 30 %: 0.009 in all, one rounding → 0.01, not 3 × 0.00.
        assert_eq!(weighted_money(3 * 30), Money::from_minor(1));
        assert!(valid_probability(0) && valid_probability(100) && !valid_probability(101));
    }

    #[test]
    fn codes_round_trip() {
        for s in OpportunityStatus::ALL {
            assert_eq!(OpportunityStatus::parse(s.as_str()), Some(s));
        }
        for r in ContactRole::ALL {
            assert_eq!(ContactRole::parse(r.as_str()), Some(r));
        }
        for q in QuoteStatus::ALL {
            assert_eq!(QuoteStatus::parse(q.as_str()), Some(q));
        }
    }
}
