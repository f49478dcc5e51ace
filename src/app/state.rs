//! The model: everything the UI shows, and nothing it does not. Mutated only by `update()`.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};

use crate::app::editor::Editor;
use crate::app::keymap::{Context, Keymap};
use crate::domain::{
    ConnState, GroupEvent, GroupId, GroupSettings, GroupSummary, JoinRequest, Pace, Participant,
    SessionId,
};
pub use crate::group_tree::GroupSort;
use crate::group_tree::{self, GroupRow, TreeInput};
use crate::keyed_list::KeyedList;
use crate::ops::{Answer, Op, OpId, OpReport, TargetOutcome};

mod inbox;
mod selectors;
pub use inbox::{InboxRow, InboxSort, inbox_rows};
pub use selectors::{
    SETTINGS_ROWS, activity, audit_rows, clock, question, running_report, setting_at,
    settings_change_count, settings_changes, settings_rows,
};

/// How many answered operations the UI keeps (the audit log keeps them all).
pub const REPORTS_CAP: usize = 100;

/// How many feed events the UI keeps (the store keeps them all).
pub const EVENTS_CAP: usize = 2000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Pane {
    Sessions,
    #[default]
    Groups,
    Roster,
    Requests,
    Events,
}

impl Pane {
    pub const ALL: [Pane; 5] = [
        Pane::Sessions,
        Pane::Groups,
        Pane::Roster,
        Pane::Requests,
        Pane::Events,
    ];
    pub fn index(self) -> usize {
        match self {
            Pane::Sessions => 0,
            Pane::Groups => 1,
            Pane::Roster => 2,
            Pane::Requests => 3,
            Pane::Events => 4,
        }
    }
    /// The keymap context of the pane.
    pub fn context(self) -> Context {
        match self {
            Pane::Sessions => Context::Sessions,
            Pane::Groups => Context::Groups,
            Pane::Roster => Context::Roster,
            Pane::Requests => Context::Requests,
            Pane::Events => Context::Events,
        }
    }
    pub fn title(self) -> &'static str {
        match self {
            Pane::Sessions => "Sessions",
            Pane::Groups => "Groups",
            Pane::Roster => "Roster",
            Pane::Requests => "Join requests",
            Pane::Events => "Events",
        }
    }
}

/// Cursor, scroll, filter and marks of one list pane.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListState {
    /// Index into the *visible* (filtered, sorted) rows.
    pub cursor: usize,
    /// First visible row (kept by the view so the cursor stays on screen).
    pub offset: usize,
    pub filter: String,
    /// The filter line has the keyboard.
    pub filtering: bool,
    /// Marked rows, by id (participant/requester JID).
    pub marked: BTreeSet<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SessionView {
    pub id: SessionId,
    /// `+15550001111` once linked.
    pub phone: Option<String>,
    pub name: Option<String>,
    pub conn: ConnState,
    /// Showing the cache, last synced then (unix seconds), until the server's list arrives.
    pub cached_since: Option<i64>,
}

/// A pairing popup's content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pairing {
    /// Waiting for the first QR code.
    Waiting,
    /// Show this QR; it expires at `expires_at` (unix seconds).
    Qr { code: String, expires_at: i64 },
    /// Typing the phone number for a pairing code.
    EnterPhone {
        input: String,
        error: Option<String>,
    },
    /// Waiting for the pairing code for this number.
    RequestingCode { phone: String },
    /// Type this code on the phone.
    Code { phone: String, code: String },
}

/// What a confirm popup will do on `y`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Confirm {
    Logout(SessionId),
    /// Read every group of the session again.
    RereadAll(SessionId),
    /// Quit while operations are in flight.
    Quit,
    /// A destructive moderation operation; `names` are who it affects, for the question.
    Op {
        session: SessionId,
        group: Option<GroupId>,
        op: Op,
        names: Vec<String>,
    },
}

/// What a text dialog is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputKind {
    /// Numbers or ids, one or many (pasted lists welcome).
    AddParticipants,
    Subject,
    /// `prev`: the description id the edit started from.
    Description {
        prev: Option<String>,
        /// Waiting for a reload after a conflict: the next group update brings `prev`.
        reloading: bool,
    },
    /// An invite link or code.
    JoinCode,
    /// A `:` command.
    Command,
    /// A JPEG file's path.
    Picture,
}

impl InputKind {
    pub fn title(&self) -> &'static str {
        match self {
            InputKind::AddParticipants => "Add participants",
            InputKind::Subject => "Edit subject",
            InputKind::Description { .. } => "Edit description",
            InputKind::JoinCode => "Join a group by link or code",
            InputKind::Command => "Command",
            InputKind::Picture => "Set the group picture",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputDialog {
    pub kind: InputKind,
    pub session: SessionId,
    pub group: Option<GroupId>,
    pub editor: Editor,
    pub error: Option<String>,
}

/// The settings popup: a draft edited in place, sent on Enter (only what changed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsDialog {
    pub session: SessionId,
    pub group: GroupId,
    pub original: GroupSettings,
    pub draft: GroupSettings,
    pub cursor: usize,
}

/// What the create form makes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum CreateKind {
    #[default]
    Group,
    Community,
    /// A subgroup inside this community (named for the title).
    Subgroup {
        community: GroupId,
        name: String,
    },
}

impl CreateKind {
    /// The form's fields for this kind, in Tab order.
    pub fn fields(&self) -> &'static [usize] {
        match self {
            CreateKind::Group => &[0, 1, 2, 3, 4, 5],
            CreateKind::Community => &[0, 2, 3],
            CreateKind::Subgroup { .. } => &[0, 1],
        }
    }
}

/// The create form: a group, a community, or a subgroup in a community.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateDialog {
    pub session: SessionId,
    pub kind: CreateKind,
    /// 0 subject, 1 participants, 2 description, 3 approval, 4 admins-only send, 5 admins-only edit.
    pub field: usize,
    pub subject: Editor,
    pub participants: Editor,
    pub description: Editor,
    pub approval: bool,
    pub admins_only_send: bool,
    pub admins_only_edit: bool,
    pub error: Option<String>,
}

impl CreateDialog {
    pub fn new(session: SessionId, kind: CreateKind) -> Self {
        use crate::ops::{DESCRIPTION_MAX, SUBJECT_MAX};
        Self {
            session,
            kind,
            field: 0,
            subject: Editor::single("").limit(SUBJECT_MAX),
            participants: Editor::multi(""),
            description: Editor::multi("").limit(DESCRIPTION_MAX),
            approval: false,
            admins_only_send: false,
            admins_only_edit: false,
            error: None,
        }
    }
}

/// The link picker: groups that can join the community, to mark and link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkPicker {
    pub session: SessionId,
    pub community: GroupId,
    pub community_name: String,
    /// Groups where the session is admin and that are in no community.
    pub candidates: Vec<(GroupId, String)>,
    pub cursor: usize,
    pub marked: BTreeSet<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Popup {
    Help {
        scroll: usize,
    },
    Pairing {
        session: SessionId,
        state: Pairing,
    },
    Confirm(Confirm),
    Input(Box<InputDialog>),
    Settings(SettingsDialog),
    Create(Box<CreateDialog>),
    /// The group's invite link as text and QR; `link` is `None` until WhatsApp answers.
    Invite {
        session: SessionId,
        group: GroupId,
        link: Option<String>,
        /// Why it was opened, when not by `i` (e.g. to invite people whose privacy blocks adds).
        note: Option<String>,
    },
    /// What WhatsApp answered, per participant.
    Result {
        report: OpReport,
        scroll: usize,
    },
    /// The group behind an invite code, before joining.
    Preview {
        session: SessionId,
        preview: Answer,
    },
    /// Every pending join request of every group a session administers (`I`, `:inbox`).
    Inbox {
        cursor: usize,
        sort: InboxSort,
    },
    /// The moderation audit log (`:audit [filter]`); `rows` is `None` until loaded.
    Audit {
        filter: String,
        rows: Option<Vec<crate::protocol::AuditRow>>,
        scroll: usize,
    },
    /// Groups to link into a community.
    Link(LinkPicker),
    /// Someone changed the description while we edited it: reload and retry, or drop ours.
    DescriptionConflict {
        session: SessionId,
        group: GroupId,
        text: String,
    },
}

/// The events pane showing stored history instead of the live feed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HistoryView {
    /// One group, or all.
    pub group: Option<GroupId>,
    /// Newest first, with their ids (the next page is before the last id).
    pub rows: Vec<(i64, GroupEvent)>,
    pub loading: bool,
    /// The oldest stored event is loaded.
    pub exhausted: bool,
}

/// Rows per history page.
pub const HISTORY_PAGE: usize = 500;

/// An operation sent and not yet answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingOp {
    pub session: SessionId,
    pub group: Option<GroupId>,
    pub title: String,
    pub started: i64,
    /// Bulk operations: participants answered so far, of all...
    pub progress: Option<(usize, usize)>,
    /// ...and their outcomes, for the result view while it runs.
    pub answered: Vec<TargetOutcome>,
    /// What was asked (a description conflict offers to retry it).
    pub op: Op,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusLine {
    pub text: String,
    pub level: Level,
    /// Unix seconds after which it is no longer shown.
    pub until: i64,
}

#[derive(Debug, Clone, Default)]
pub struct AppState {
    pub sessions: Vec<SessionView>,
    pub groups: HashMap<SessionId, Vec<GroupSummary>>,
    pub rosters: HashMap<(SessionId, GroupId), Vec<Participant>>,
    /// By JID as well as in order: bursts of requests must not rescan the list.
    pub requests: HashMap<(SessionId, GroupId), KeyedList<JoinRequest>>,
    /// The names WhatsApp gave people, per session, by phone (`+1555…`) or JID.
    pub names: HashMap<SessionId, HashMap<String, String>>,
    /// Newest last.
    pub events: VecDeque<GroupEvent>,
    pub focus: Pane,
    /// Per pane, indexed by `Pane::index()`.
    pub lists: [ListState; 5],
    pub group_sort: GroupSort,
    /// The session whose groups are shown (follows the sessions cursor).
    pub current_session: Option<SessionId>,
    /// The group whose roster and requests are shown (follows the groups cursor).
    pub current_group: Option<GroupId>,
    pub popup: Option<Popup>,
    /// `P` asked for a new session: its pairing popup opens on the phone-number entry.
    pub pair_by_phone_next: bool,
    pub keymap: Keymap,
    pub status: Option<StatusLine>,
    /// Unix seconds, from the last tick.
    pub now: i64,
    /// Terminal size (columns, rows), from the last resize.
    pub size: (u16, u16),
    /// Operations waiting for WhatsApp's answer.
    pub ops: BTreeMap<OpId, PendingOp>,
    pub next_op: u64,
    /// Answered operations, newest last.
    pub reports: VecDeque<OpReport>,
    /// Each session's pace: WhatsApp's rate-limit pauses, the write queue, the caps.
    pub pace: HashMap<SessionId, Pace>,
    /// Why the audit log (`wamod.db`) cannot be used: moderation is off, a banner says why.
    pub audit_down: Option<String>,
    /// Invite links seen, per group.
    pub invite_links: HashMap<(SessionId, GroupId), String>,
    /// The events pane shows stored history (`h`/`H`) instead of the live feed.
    pub history: Option<HistoryView>,
    /// Every subgroup of each community, joined or not (`my_role: None`).
    pub subgroups: HashMap<(SessionId, GroupId), Vec<GroupSummary>>,
    /// A community's merged participants (all its groups), shown as its roster once loaded.
    pub community_members: HashMap<(SessionId, GroupId), Vec<Participant>>,
    /// Communities folded in the groups pane.
    pub folded: HashSet<(SessionId, GroupId)>,
    /// While a batch of engine updates is applied: the list fixups to run once after it.
    pub deferred: Option<Fixups>,
}

/// List fixups a batch of updates asked for (cursor on the selected group, cursors in range).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Fixups {
    pub reselect: bool,
    pub clamp: [bool; 5],
}

impl AppState {
    /// Seconds left of a write pause after WhatsApp's 429, if one is on.
    pub fn writes_paused_for(&self, session: SessionId) -> Option<i64> {
        let until = self.pace.get(&session)?.writes_paused_until?;
        (until > self.now).then(|| until - self.now)
    }

    pub fn new(keymap: Keymap, now: i64) -> Self {
        Self {
            keymap,
            now,
            size: (80, 24),
            ..Default::default()
        }
    }

    pub fn list(&self, pane: Pane) -> &ListState {
        &self.lists[pane.index()]
    }

    pub fn list_mut(&mut self, pane: Pane) -> &mut ListState {
        &mut self.lists[pane.index()]
    }

    pub fn session(&self, id: SessionId) -> Option<&SessionView> {
        self.sessions.iter().find(|s| s.id == id)
    }

    /// Groups of the current session as the pane shows them: the community tree, filtered and
    /// sorted.
    pub fn group_rows(&self) -> Vec<GroupRow<'_>> {
        let Some(session) = self.current_session else {
            return Vec::new();
        };
        let Some(groups) = self.groups.get(&session) else {
            return Vec::new();
        };
        group_tree::rows(&TreeInput {
            groups,
            subgroups: self
                .subgroups
                .iter()
                .filter(|((s, _), _)| *s == session)
                .map(|((_, community), subs)| (community, subs.as_slice()))
                .collect(),
            sort: self.group_sort,
            filter: self.list(Pane::Groups).filter.to_lowercase(),
            folded: self
                .folded
                .iter()
                .filter(|(s, _)| *s == session)
                .map(|(_, g)| g)
                .collect(),
        })
    }

    pub fn visible_groups(&self) -> Vec<&GroupSummary> {
        self.group_rows().into_iter().map(|r| r.group).collect()
    }

    pub fn current_group_summary(&self) -> Option<&GroupSummary> {
        let session = self.current_session?;
        let id = self.current_group.as_ref()?;
        self.groups.get(&session)?.iter().find(|g| &g.id == id)
    }

    /// The name WhatsApp gave someone of `session`, known by number or by JID.
    pub fn name_of(&self, session: SessionId, phone: Option<&str>, jid: &str) -> Option<&str> {
        let names = self.names.get(&session)?;
        phone
            .and_then(|p| names.get(p))
            .or_else(|| names.get(jid))
            .map(String::as_str)
    }

    /// Roster of the current group, filtered (phone, JID, LID or name), admins first then by
    /// number.
    pub fn visible_roster(&self) -> Vec<&Participant> {
        let (Some(session), Some(group)) = (self.current_session, self.current_group.clone())
        else {
            return Vec::new();
        };
        let key = (session, group);
        let Some(roster) = self
            .community_members
            .get(&key)
            .or_else(|| self.rosters.get(&key))
        else {
            return Vec::new();
        };
        let filter = self.list(Pane::Roster).filter.to_lowercase();
        let mut rows: Vec<&Participant> = roster
            .iter()
            .filter(|p| {
                filter.is_empty()
                    || p.jid.to_lowercase().contains(&filter)
                    || p.phone.as_deref().is_some_and(|x| x.contains(&filter))
                    || p.lid.as_deref().is_some_and(|x| x.contains(&filter))
                    || self
                        .name_of(session, p.phone.as_deref(), &p.jid)
                        .is_some_and(|n| n.to_lowercase().contains(&filter))
            })
            .collect();
        rows.sort_by(|a, b| {
            b.role
                .cmp(&a.role)
                .then_with(|| a.display().cmp(b.display()))
        });
        rows
    }

    /// Join requests of the current group, filtered, oldest first.
    pub fn visible_requests(&self) -> Vec<&JoinRequest> {
        let (Some(session), Some(group)) = (self.current_session, self.current_group.clone())
        else {
            return Vec::new();
        };
        let Some(requests) = self.requests.get(&(session, group)) else {
            return Vec::new();
        };
        let filter = self.list(Pane::Requests).filter.to_lowercase();
        let mut rows: Vec<&JoinRequest> = requests
            .iter()
            .filter(|r| {
                filter.is_empty()
                    || r.jid.to_lowercase().contains(&filter)
                    || r.phone.as_deref().is_some_and(|x| x.contains(&filter))
                    || self
                        .name_of(session, r.phone.as_deref(), &r.jid)
                        .is_some_and(|n| n.to_lowercase().contains(&filter))
            })
            .collect();
        rows.sort_by_key(|r| r.requested_at.unwrap_or(i64::MAX));
        rows
    }

    /// Requesters of `group` with an approval or rejection sent and not answered yet: a key
    /// pressed again on their row must not send a second decision.
    pub fn deciding(&self, session: SessionId, group: &GroupId) -> HashSet<&str> {
        self.ops
            .values()
            .filter(|p| p.session == session && p.group.as_ref() == Some(group))
            .filter_map(|p| match &p.op {
                Op::Approve(jids) | Op::Reject(jids) => Some(jids),
                _ => None,
            })
            .flatten()
            .map(String::as_str)
            .collect()
    }

    /// Feed events, newest first, filtered by group subject, actor or kind text.
    pub fn visible_events(&self) -> Vec<&GroupEvent> {
        let filter = self.list(Pane::Events).filter.to_lowercase();
        let rows: Box<dyn Iterator<Item = &GroupEvent>> = match &self.history {
            Some(h) => Box::new(h.rows.iter().map(|(_, e)| e)),
            None => Box::new(self.events.iter().rev()),
        };
        rows.filter(|e| {
            filter.is_empty()
                || e.group_subject.to_lowercase().contains(&filter)
                || e.actor.as_deref().is_some_and(|a| a.contains(&filter))
                || format!("{:?}", e.kind).to_lowercase().contains(&filter)
        })
        .collect()
    }

    /// Rows in a pane, for cursor clamping.
    pub fn row_count(&self, pane: Pane) -> usize {
        // Unfiltered lists are counted without building (and sorting) their rows.
        let unfiltered = self.list(pane).filter.is_empty();
        let key = self.current_session.zip(self.current_group.clone());
        match pane {
            Pane::Sessions => self.sessions.len(),
            Pane::Groups => self.group_rows().len(),
            Pane::Roster if unfiltered => key.map_or(0, |k| {
                self.community_members
                    .get(&k)
                    .or_else(|| self.rosters.get(&k))
                    .map_or(0, Vec::len)
            }),
            Pane::Requests if unfiltered => key
                .and_then(|k| self.requests.get(&k))
                .map_or(0, |r| r.len()),
            Pane::Events if unfiltered => match &self.history {
                Some(h) => h.rows.len(),
                None => self.events.len(),
            },
            Pane::Roster => self.visible_roster().len(),
            Pane::Requests => self.visible_requests().len(),
            Pane::Events => self.visible_events().len(),
        }
    }
}
