//! What a session's own tasks (fetches, operations, pairing) report back to the session loop.
//! Apart from `session.rs` so the tasks (`fetch`, `op_runner`) and the loop depend on it, not
//! on each other.

use super::group_list::SyncedGroup;
use crate::domain::{GroupId, GroupSummary, JoinRequest, Pace, Participant};
use crate::ops::OpReport;

/// What the session's own tasks (fetches, operations, pairing) tell it.
pub enum Internal {
    OpDone(OpReport),
    // Each fetch carries the model's notification number from when it started.
    /// Every group with its roster (see `group_list`).
    Synced(Result<Vec<SyncedGroup>, String>, u64, SyncReason),
    /// One group's roster, of a group being opened or re-read.
    Group(Result<(GroupSummary, Vec<Participant>), String>, u64),
    /// A group's join requests: of a group-list load (`Some`), or of a group being opened.
    Requests(
        GroupId,
        Result<Vec<JoinRequest>, String>,
        u64,
        Option<SyncReason>,
    ),
    PairCode(Result<String, String>),
    Subgroups(GroupId, Result<Vec<GroupSummary>, String>),
    Members(GroupId, Result<Vec<Participant>, String>),
    /// The fetch begun at this notification number has sent all it will.
    FetchDone(u64),
    /// WhatsApp rate-limited a read: reads wait until then (unix seconds); `None` once they
    /// are answered again.
    ReadsPaused(Option<i64>),
    /// Where the write queue stands (its fields of the session's pace; reads not included).
    WritePace(Pace),
}

/// Why the group list is loaded: on (re)connect (or `r`) the differences with what we had are
/// what was missed; after our own community change they are its known effects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncReason {
    Connected,
    AfterOwnChange,
}
