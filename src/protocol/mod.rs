//! The messages between the UI and the engine: `Action`s (UI -> engine, never awaited) and
//! `Update`s (engine -> UI, and through the cache writer into wamod.db), with the row types they
//! carry. Both sides import this module; neither imports the other.

mod batch;
mod rows;

pub use batch::{coalesced, superseded, without_superseded};
pub use rows::{AuditRow, Filter, Format, HISTORY_PAGE, Table};

use crate::domain::{
    ConnState, GroupEvent, GroupId, GroupSummary, JoinRequest, Pace, Participant, SessionId,
};
use crate::ops::{Op, OpId, OpReport, TargetOutcome};

/// UI -> engine. Never awaited by the UI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Create a new session and start pairing it by QR code.
    NewSession,
    /// Pair this (not yet linked) session with a phone-number code instead of a QR code.
    PairWithPhone {
        session: SessionId,
        phone: String,
    },
    /// Stop pairing and forget the unlinked session.
    CancelPairing(SessionId),
    /// Unlink the device and delete the session's keys.
    Logout(SessionId),
    /// Re-read every group from the server (connect again, if the session ended).
    Refresh(SessionId),
    /// Drop the session's operations not sent yet (each answered as not sent).
    CancelUnsent(SessionId),
    /// Re-read one group: its metadata, roster and (admins) join requests.
    Reread {
        session: SessionId,
        group: GroupId,
    },
    LoadRoster {
        session: SessionId,
        group: GroupId,
    },
    LoadRequests {
        session: SessionId,
        group: GroupId,
    },
    /// A moderation operation; answered by `Update::OpDone` with the same id.
    Run {
        id: OpId,
        session: SessionId,
        group: Option<GroupId>,
        op: Op,
    },
    /// Read the audit log (newest first) for the audit view.
    LoadAudit,
    /// A page of stored events older than `before` (an event id), of one group or all.
    LoadHistory {
        group: Option<GroupId>,
        before: Option<i64>,
    },
    /// Write a table of wamod.db to a file under `<data dir>/exports/`.
    Export {
        table: Table,
        format: Format,
        filter: Filter,
    },
    Shutdown,
}

/// Engine -> UI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Update {
    /// A session exists (new, or its account became known after pairing).
    Session {
        id: SessionId,
        phone: Option<String>,
        name: Option<String>,
    },
    SessionRemoved(SessionId),
    /// The session's groups so far came from the cache (last synced at `synced_at`); the next
    /// `Groups` from the server replaces them.
    Cached {
        session: SessionId,
        synced_at: i64,
    },
    Conn {
        session: SessionId,
        state: ConnState,
    },
    /// A QR code to show; valid for `valid_secs` from now (the engine sends the next one).
    Qr {
        session: SessionId,
        code: String,
        valid_secs: u64,
    },
    /// The 8-character code to type on the phone (Linked devices > Link with phone number).
    PairCode {
        session: SessionId,
        code: String,
    },
    /// The session's whole group list.
    Groups {
        session: SessionId,
        groups: Vec<GroupSummary>,
    },
    /// One group changed or appeared.
    Group {
        session: SessionId,
        group: GroupSummary,
    },
    /// The session is no longer in this group.
    GroupGone {
        session: SessionId,
        group: GroupId,
    },
    Roster {
        session: SessionId,
        group: GroupId,
        participants: Vec<Participant>,
    },
    Requests {
        session: SessionId,
        group: GroupId,
        requests: Vec<JoinRequest>,
    },
    /// A roster as a sync found it, for the cache only: the forwarder keeps it from the UI
    /// (which gets the rosters it shows as `Roster`), and the cache writer writes these a few
    /// at a time between live updates. Shared with the engine's model, not copied.
    CacheRoster {
        session: SessionId,
        group: GroupId,
        participants: std::sync::Arc<Vec<Participant>>,
    },
    /// Names WhatsApp gave people (push names, from the `notify` of what they did): by phone
    /// (`+1555…`) or JID (`…@lid`).
    Names {
        session: SessionId,
        names: Vec<(String, String)>,
    },
    /// A live change to a roster: these people joined or changed role (`upsert`, by JID) and
    /// these JIDs left. Sent per notification instead of the whole roster.
    RosterChanged {
        session: SessionId,
        group: GroupId,
        upsert: Vec<Participant>,
        removed: Vec<String>,
    },
    /// A live change to the join requests: new ones, and JIDs whose requests are gone.
    RequestsChanged {
        session: SessionId,
        group: GroupId,
        added: Vec<JoinRequest>,
        removed: Vec<String>,
    },
    /// Every subgroup of a community, including those the session is not in (`my_role: None`).
    Subgroups {
        session: SessionId,
        community: GroupId,
        subgroups: Vec<GroupSummary>,
    },
    /// The merged participants of a community and its subgroups, each with their highest role.
    CommunityMembers {
        session: SessionId,
        community: GroupId,
        participants: Vec<Participant>,
    },
    /// A live group event for the feed.
    Event(GroupEvent),
    /// A bulk operation's progress: `done` of `total` participants answered, `answered` the
    /// outcomes new since the last progress.
    OpProgress {
        id: OpId,
        done: usize,
        total: usize,
        answered: Vec<TargetOutcome>,
    },
    /// WhatsApp answered an operation (or it ended without an answer).
    OpDone(Box<OpReport>),
    /// The session's pace: reads or writes paused by WhatsApp's rate limit, the write queue
    /// and the caps (see `domain::Pace`).
    Pace {
        session: SessionId,
        pace: Pace,
    },
    /// The audit log, newest first.
    Audit(Vec<AuditRow>),
    /// `wamod.db` is configured but cannot be used (why): nothing can be audited, so no
    /// moderation is sent for as long as wamod runs.
    AuditUnavailable {
        why: String,
    },
    /// Operations an earlier run recorded as sent and never recorded an answer for.
    Unanswered(usize),
    /// A page of stored events (newest first) answering `LoadHistory`.
    History {
        group: Option<GroupId>,
        rows: Vec<(i64, GroupEvent)>,
    },
    /// Something worth telling the user (status bar, info level), e.g. the demo's phone.
    Notice {
        text: String,
    },
    /// Something failed; shown in the status bar (and logged by the engine).
    Error {
        session: Option<SessionId>,
        message: String,
    },
}
