//! What a session's own tasks (fetches, operations, pairing) report back to the session loop.
//! Apart from `session.rs` so the tasks (`fetch`, `op_runner`) and the loop depend on it, not
//! on each other.

use std::time::Duration;

use crate::domain::{GroupId, GroupSummary, JoinRequest, Participant};
use crate::ops::OpReport;

/// What the session's own tasks (fetches, operations, pairing) tell it.
pub enum Internal {
    OpDone(OpReport, Option<Duration>),
    // Each fetch carries the model's notification number from when it started.
    Groups(Result<Vec<GroupSummary>, String>, u64, SyncReason),
    /// One group's roster: of a group-list load (`Some`), or of a group being opened.
    Group(
        Result<(GroupSummary, Vec<Participant>), String>,
        u64,
        Option<SyncReason>,
    ),
    /// A group-list load has all its rosters, but `failed` of them.
    Synced {
        failed: usize,
    },
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
}

/// Why the group list is loaded: on (re)connect (or `r`) the differences with what we had are
/// what was missed; after our own community change they are its known effects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncReason {
    Connected,
    AfterOwnChange,
}
