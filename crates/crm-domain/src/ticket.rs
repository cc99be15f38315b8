//! Service tickets (服务工单): complaints, feedback, consultations and after-sale requests, and the
//! rules of their life: open → in progress → resolved → closed, reopened from resolved or closed.

use serde::{Deserialize, Serialize};

words! {
    /// What a ticket is about.
    TicketKind { Complaint = "complaint", Feedback = "feedback", Consultation = "consultation", AfterSale = "after_sale" }
}

words! {
    /// How soon it must be resolved.
    TicketPriority { Low = "low", Normal = "normal", High = "high", Urgent = "urgent" }
}

words! {
    /// Where a ticket stands.
    TicketStatus { Open = "open", InProgress = "in_progress", Resolved = "resolved", Closed = "closed" }
}

/// Hours from opening a ticket to its due time, per priority: a company setting (by default
/// urgent 4 hours, high a day, normal three days, low a week).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TicketDueHours {
    pub urgent: u32,
    pub high: u32,
    pub normal: u32,
    pub low: u32,
}

impl Default for TicketDueHours {
    fn default() -> Self {
        TicketDueHours {
            urgent: 4,
            high: 24,
            normal: 72,
            low: 168,
        }
    }
}

impl TicketDueHours {
    /// The longest a company may give any priority: 90 days.
    pub const MAX: u32 = 90 * 24;

    pub fn of(&self, priority: TicketPriority) -> i64 {
        i64::from(match priority {
            TicketPriority::Urgent => self.urgent,
            TicketPriority::High => self.high,
            TicketPriority::Normal => self.normal,
            TicketPriority::Low => self.low,
        })
    }
}

/// What can be done to a ticket's status: `POST /tickets/{id}/{action}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TicketAction {
    Start,
    Resolve,
    Close,
    Reopen,
}

impl TicketAction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Start => "start",
            Self::Resolve => "resolve",
            Self::Close => "close",
            Self::Reopen => "reopen",
        }
    }
}

impl TicketStatus {
    /// The status an action leads to; `None` when the move is not allowed.
    pub fn after(self, action: TicketAction) -> Option<TicketStatus> {
        use TicketAction as A;
        match (self, action) {
            (Self::Open, A::Start) => Some(Self::InProgress),
            (Self::Open | Self::InProgress, A::Resolve) => Some(Self::Resolved),
            (Self::Resolved, A::Close) => Some(Self::Closed),
            (Self::Resolved | Self::Closed, A::Reopen) => Some(Self::Open),
            _ => None,
        }
    }

    /// Still to be resolved: counts against its due time.
    pub fn is_pending(self) -> bool {
        matches!(self, Self::Open | Self::InProgress)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_move_and_every_refusal() {
        use TicketAction::*;
        use TicketStatus::*;
        let allowed = [
            (Open, Start, InProgress),
            (Open, Resolve, Resolved),
            (InProgress, Resolve, Resolved),
            (Resolved, Close, Closed),
            (Resolved, Reopen, Open),
            (Closed, Reopen, Open),
        ];
        for from in TicketStatus::ALL {
            for action in [Start, Resolve, Close, Reopen] {
                let expected = allowed
                    .iter()
                    .find(|(f, a, _)| f == from && *a == action)
                    .map(|(_, _, to)| *to);
                assert_eq!(from.after(action), expected, "{from:?} {action:?}");
            }
        }
        assert!(Open.is_pending() && InProgress.is_pending());
        assert!(!Resolved.is_pending() && !Closed.is_pending());
        assert_eq!(
            TicketPriority::parse("urgent"),
            Some(TicketPriority::Urgent)
        );
        assert_eq!(TicketKind::AfterSale.as_str(), "after_sale");
    }
}
