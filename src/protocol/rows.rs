//! The rows and choices that travel with actions and updates: audit rows, export tables.

/// Events per page of the history view (`Action::LoadHistory`); a shorter page is the last.
pub const HISTORY_PAGE: usize = 500;

/// One row of the audit log: an operation and one participant's outcome (or the operation's own
/// outcome when it has no participants).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    pub op: i64,
    pub session: u32,
    pub group: Option<String>,
    pub group_subject: String,
    pub action: String,
    pub actor: Option<String>,
    pub sent_at: i64,
    /// `None` while unanswered (still in flight, or wamod stopped before the answer).
    pub answered_at: Option<i64>,
    pub target: Option<String>,
    pub target_phone: Option<String>,
    /// An `Outcome::code`, or `sent` when no answer was recorded.
    pub outcome: String,
    pub detail: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Table {
    Audit,
    Events,
    Roster,
    Requests,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    #[default]
    Csv,
    Json,
}

/// Narrows an export; `None` = everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub session: Option<u32>,
    /// A group id (`…@g.us`) or a piece of its subject.
    pub group: Option<String>,
}

impl Table {
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            Table::Audit => &[
                "op",
                "session",
                "group_id",
                "group_subject",
                "action",
                "actor",
                "sent_at",
                "answered_at",
                "target",
                "target_phone",
                "outcome",
                "detail",
            ],
            Table::Events => &[
                "id",
                "session",
                "group_id",
                "group_subject",
                "at",
                "actor",
                "kind",
                "who",
                "detail",
                "found_on_reconnect",
            ],
            Table::Roster => &[
                "session",
                "group_id",
                "group_subject",
                "jid",
                "phone",
                "lid",
                "role",
                "name",
            ],
            Table::Requests => &[
                "session",
                "group_id",
                "group_subject",
                "jid",
                "phone",
                "requested_at",
                "method",
                "via_community",
                "name",
            ],
        }
    }
}
