//! Moderation operations: what a moderator asks WhatsApp to do, and what WhatsApp answered, in
//! words. Shared by the reducer (which starts them), the engine (which runs them) and the store
//! (which audits them).

use std::path::PathBuf;

use crate::domain::{GroupId, SessionId};

/// Ties an operation to its report. Chosen by the reducer, unique within a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct OpId(pub u64);

/// One group setting and its new value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Setting {
    /// Only admins can send messages.
    AdminsOnlySend(bool),
    /// Only admins can edit group info.
    AdminsOnlyEdit(bool),
    /// New members need admin approval.
    Approval(bool),
    /// Only admins can add members.
    AdminsOnlyAdd(bool),
    /// Disappearing messages, seconds (0 = off).
    Disappearing(u32),
}

impl Setting {
    pub fn name(self) -> &'static str {
        match self {
            Setting::AdminsOnlySend(_) => "send messages",
            Setting::AdminsOnlyEdit(_) => "edit group info",
            Setting::Approval(_) => "approve new members",
            Setting::AdminsOnlyAdd(_) => "add members",
            Setting::Disappearing(_) => "disappearing messages",
        }
    }
    pub fn value_words(self) -> String {
        let who = |admins: bool| if admins { "admins only" } else { "all members" };
        match self {
            Setting::AdminsOnlySend(a) | Setting::AdminsOnlyEdit(a) | Setting::AdminsOnlyAdd(a) => {
                who(a).into()
            }
            Setting::Approval(on) => if on { "on" } else { "off" }.into(),
            Setting::Disappearing(secs) => disappearing_words(secs),
        }
    }
}

/// WhatsApp's longest group subject and description, in characters.
pub const SUBJECT_MAX: usize = 100;
pub const DESCRIPTION_MAX: usize = 2048;

/// The disappearing-message timers WhatsApp offers.
pub const DISAPPEARING: [u32; 4] = [0, 86_400, 7 * 86_400, 90 * 86_400];

pub fn disappearing_words(secs: u32) -> String {
    match secs {
        0 => "off".into(),
        86_400 => "24 hours".into(),
        604_800 => "7 days".into(),
        7_776_000 => "90 days".into(),
        s if s % 86_400 == 0 => format!("{} days", s / 86_400),
        s => format!("{s} s"),
    }
}

/// A community to create (WhatsApp adds its announcement group).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NewCommunity {
    pub name: String,
    pub description: Option<String>,
    /// New members need admin approval.
    pub approval: bool,
}

/// A group to create.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NewGroup {
    pub subject: String,
    /// JIDs.
    pub participants: Vec<String>,
    pub description: Option<String>,
    pub approval: bool,
    pub admins_only_send: bool,
    pub admins_only_edit: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// Participants by JID (`…@s.whatsapp.net` or `…@lid`).
    Add(Vec<String>),
    Remove(Vec<String>),
    /// From a community and every group in it (the operation's group is the community).
    RemoveFromCommunity(Vec<String>),
    Promote(Vec<String>),
    Demote(Vec<String>),
    /// Join requests by requester JID.
    Approve(Vec<String>),
    Reject(Vec<String>),
    SetSubject(String),
    /// Empty text deletes the description. `prev` is the description id the editor started from
    /// (WhatsApp refuses with 409 when someone changed it since).
    SetDescription {
        text: String,
        prev: Option<String>,
    },
    Setting(Setting),
    InviteLink,
    RevokeInvite,
    /// Look at the group behind an invite code before joining.
    PreviewInvite(String),
    Join(String),
    Leave,
    SetPicture(PathBuf),
    RemovePicture,
    Create(NewGroup),
    // Communities: the operation's group is the community.
    CreateCommunity(NewCommunity),
    /// A new group inside the community (subject and participants of `NewGroup`).
    CreateSubgroup(NewGroup),
    /// Existing groups (ids `…@g.us`) into the community; each gets its own outcome.
    Link(Vec<String>),
    /// Groups out of the community; `remove_orphans` also removes their members who are in no
    /// other group of the community.
    Unlink {
        groups: Vec<String>,
        remove_orphans: bool,
    },
    /// Join a subgroup (id) of a community we are in.
    JoinSubgroup(String),
    /// Deactivate the community: it and its announcement group go; subgroups stay as groups.
    Deactivate,
}

impl Op {
    /// The action's name in the audit log and exports.
    pub fn name(&self) -> &'static str {
        match self {
            Op::Add(_) => "add",
            Op::Remove(_) => "remove",
            Op::RemoveFromCommunity(_) => "remove-from-community",
            Op::Promote(_) => "promote",
            Op::Demote(_) => "demote",
            Op::Approve(_) => "approve",
            Op::Reject(_) => "reject",
            Op::SetSubject(_) => "subject",
            Op::SetDescription { .. } => "description",
            Op::Setting(_) => "setting",
            Op::InviteLink => "invite-link",
            Op::RevokeInvite => "revoke-invite",
            Op::PreviewInvite(_) => "preview-invite",
            Op::Join(_) => "join",
            Op::Leave => "leave",
            Op::SetPicture(_) => "picture",
            Op::RemovePicture => "remove-picture",
            Op::Create(_) => "create",
            Op::CreateCommunity(_) => "create-community",
            Op::CreateSubgroup(_) => "create-subgroup",
            Op::Link(_) => "link",
            Op::Unlink { .. } => "unlink",
            Op::JoinSubgroup(_) => "join-subgroup",
            Op::Deactivate => "deactivate",
        }
    }

    /// A short phrase for progress and titles: "Approve 3 requests".
    pub fn title(&self) -> String {
        let n = |v: &Vec<String>, one: &str, many: &str| match v.len() {
            1 => one.to_string(),
            k => format!("{k} {many}"),
        };
        match self {
            Op::Add(v) => format!("Add {}", n(v, "1 participant", "participants")),
            Op::Remove(v) => format!("Remove {}", n(v, "1 participant", "participants")),
            Op::RemoveFromCommunity(v) => format!(
                "Remove {} from the community",
                n(v, "1 participant", "participants")
            ),
            Op::Promote(v) => format!("Promote {}", n(v, "1 participant", "participants")),
            Op::Demote(v) => format!("Demote {}", n(v, "1 participant", "participants")),
            Op::Approve(v) => format!("Approve {}", n(v, "1 request", "requests")),
            Op::Reject(v) => format!("Reject {}", n(v, "1 request", "requests")),
            Op::SetSubject(_) => "Change the subject".into(),
            Op::SetDescription { text, .. } if text.is_empty() => "Delete the description".into(),
            Op::SetDescription { .. } => "Change the description".into(),
            Op::Setting(s) => format!("Set {} to {}", s.name(), s.value_words()),
            Op::InviteLink => "Get the invite link".into(),
            Op::RevokeInvite => "Revoke the invite link".into(),
            Op::PreviewInvite(_) => "Look up the invite".into(),
            Op::Join(_) => "Join the group".into(),
            Op::Leave => "Leave the group".into(),
            Op::SetPicture(_) => "Set the group picture".into(),
            Op::RemovePicture => "Remove the group picture".into(),
            Op::Create(g) => format!("Create \"{}\"", g.subject),
            Op::CreateCommunity(c) => format!("Create the community \"{}\"", c.name),
            Op::CreateSubgroup(g) => format!("Create the subgroup \"{}\"", g.subject),
            Op::Link(v) => format!("Link {}", n(v, "1 group", "groups")),
            Op::Unlink { groups, .. } => format!("Unlink {}", n(groups, "1 group", "groups")),
            Op::JoinSubgroup(_) => "Join the subgroup".into(),
            Op::Deactivate => "Deactivate the community".into(),
        }
    }

    /// The participants or requesters it acts on, each of which gets its own outcome.
    pub fn targets(&self) -> &[String] {
        match self {
            Op::Add(v)
            | Op::Remove(v)
            | Op::RemoveFromCommunity(v)
            | Op::Promote(v)
            | Op::Demote(v)
            | Op::Approve(v)
            | Op::Reject(v)
            | Op::Link(v)
            | Op::Unlink { groups: v, .. } => v,
            Op::Create(g) | Op::CreateSubgroup(g) => &g.participants,
            _ => &[],
        }
    }

    /// An operation on people, each with their own outcome, sent in batches.
    pub fn is_people(&self) -> bool {
        matches!(
            self,
            Op::Add(_)
                | Op::Remove(_)
                | Op::RemoveFromCommunity(_)
                | Op::Promote(_)
                | Op::Demote(_)
                | Op::Approve(_)
                | Op::Reject(_)
        )
    }

    /// The same people operation on `people` only (a batch of it); any other operation as is.
    pub fn with_people(&self, people: Vec<String>) -> Op {
        match self {
            Op::Add(_) => Op::Add(people),
            Op::Remove(_) => Op::Remove(people),
            Op::RemoveFromCommunity(_) => Op::RemoveFromCommunity(people),
            Op::Promote(_) => Op::Promote(people),
            Op::Demote(_) => Op::Demote(people),
            Op::Approve(_) => Op::Approve(people),
            Op::Reject(_) => Op::Reject(people),
            other => other.clone(),
        }
    }

    /// Needs admin rights in the group (explained, not sent, otherwise).
    pub fn needs_admin(&self) -> bool {
        !matches!(
            self,
            Op::InviteLink
                | Op::PreviewInvite(_)
                | Op::Join(_)
                | Op::Leave
                | Op::Create(_)
                | Op::CreateCommunity(_)
                | Op::JoinSubgroup(_)
                // Subject, description and settings are open to all unless "edit info" is
                // admins-only; the reducer checks that case itself.
                | Op::SetSubject(_)
                | Op::SetDescription { .. }
        )
    }

    /// Acts on a group the session is in (everything but join, preview and create).
    pub fn needs_group(&self) -> bool {
        !matches!(
            self,
            Op::PreviewInvite(_) | Op::Join(_) | Op::Create(_) | Op::CreateCommunity(_)
        )
    }
}

/// What WhatsApp answered for one participant, or for the whole operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// WhatsApp confirmed it.
    Done,
    AlreadyMember,
    /// Their privacy settings do not let us add them; WhatsApp may give an invite code to send
    /// them instead.
    PrivacyBlocked {
        invite_code: Option<String>,
    },
    /// No WhatsApp account, not in the group, or no such request.
    NotFound,
    NotAuthorized,
    GroupFull,
    /// Someone changed it first (stale description).
    Conflict,
    /// WhatsApp asked us to slow down; nothing was done.
    RateLimited {
        retry_secs: u32,
    },
    /// Refused for another reason.
    Refused {
        code: u16,
        text: String,
    },
    /// Not sent: the session is offline, or the input was rejected before sending.
    NotSent {
        why: String,
    },
    /// Sent, but no answer arrived (timeout, connection lost): it may or may not have happened.
    Unknown {
        why: String,
    },
    /// Not sent yet: a bulk operation's rows waiting for the session's pace (shown while it
    /// runs; never an answer).
    Waiting {
        why: String,
    },
}

impl Outcome {
    pub fn is_done(&self) -> bool {
        matches!(self, Outcome::Done)
    }

    /// A stable code for the audit log and exports.
    pub fn code(&self) -> &'static str {
        match self {
            Outcome::Done => "done",
            Outcome::AlreadyMember => "already-member",
            Outcome::PrivacyBlocked { .. } => "privacy-blocked",
            Outcome::NotFound => "not-found",
            Outcome::NotAuthorized => "not-authorized",
            Outcome::GroupFull => "group-full",
            Outcome::Conflict => "conflict",
            Outcome::RateLimited { .. } => "rate-limited",
            Outcome::Refused { .. } => "refused",
            Outcome::NotSent { .. } => "not-sent",
            Outcome::Unknown { .. } => "unknown",
            Outcome::Waiting { .. } => "waiting",
        }
    }

    /// In words, for the result view.
    pub fn words(&self) -> String {
        match self {
            Outcome::Done => "done".into(),
            Outcome::AlreadyMember => "already a member".into(),
            Outcome::PrivacyBlocked {
                invite_code: Some(_),
            } => "blocked by their privacy settings: send them the invite link".into(),
            Outcome::PrivacyBlocked { invite_code: None } => {
                "blocked by their privacy settings".into()
            }
            Outcome::NotFound => "not found".into(),
            Outcome::NotAuthorized => "not authorized (admins only)".into(),
            Outcome::GroupFull => "group is full (1,024 members)".into(),
            Outcome::Conflict => "changed by someone else meanwhile".into(),
            Outcome::RateLimited { retry_secs } => {
                format!("rate limited by WhatsApp: paused for {retry_secs}s, not done")
            }
            Outcome::Refused { code, text } if text.is_empty() => format!("refused ({code})"),
            Outcome::Refused { code, text } => format!("refused: {text} ({code})"),
            Outcome::NotSent { why } => format!("not sent: {why}"),
            Outcome::Unknown { why } => format!("unknown: {why}"),
            Outcome::Waiting { why } => format!("not sent yet: {why}"),
        }
    }
}

/// A participant's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetOutcome {
    /// A participant's JID, or a group's id for link and unlink.
    pub jid: String,
    /// How to name it: `+15550001111` when known, or the group's subject for link and unlink.
    pub phone: Option<String>,
    pub outcome: Outcome,
}

/// Someone a new group does not have: WhatsApp's create answer does not say why in a form we
/// can read (see `engine/moderate/create.rs`), so the group's invite link is offered.
pub const NOT_ADDED: &str = "not added (their privacy settings, or no WhatsApp account)";

impl TargetOutcome {
    pub fn display(&self) -> &str {
        self.phone.as_deref().unwrap_or(&self.jid)
    }

    /// Not in a group we just created.
    pub fn not_added_on_create(&self) -> bool {
        matches!(&self.outcome, Outcome::Refused { code: 0, text } if text == NOT_ADDED)
    }
}

/// Extra things some operations answer with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    InviteLink(String),
    /// The group behind an invite code.
    Preview {
        code: String,
        group: GroupId,
        subject: String,
        size: usize,
        description: Option<String>,
        approval: bool,
    },
    Joined(GroupId),
    /// Joining needs an admin's approval: a request was filed.
    RequestFiled(GroupId),
    Created(GroupId),
}

/// What WhatsApp answered to one operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpReport {
    pub id: OpId,
    pub session: SessionId,
    pub group: Option<GroupId>,
    pub group_subject: String,
    /// The operation's name (`Op::name`) and title (`Op::title`).
    pub action: &'static str,
    pub title: String,
    /// The operation as a whole; for participant operations, `Done` when WhatsApp answered (each
    /// participant's own outcome is in `targets`).
    pub outcome: Outcome,
    pub targets: Vec<TargetOutcome>,
    pub answer: Option<Answer>,
    /// Unix seconds when the answer arrived.
    pub at: i64,
}

impl OpReport {
    /// Every participant done (or, without participants, the operation itself).
    pub fn all_done(&self) -> bool {
        self.outcome.is_done() && self.targets.iter().all(|t| t.outcome.is_done())
    }

    /// "3 done, 1 blocked by privacy, 1 unknown".
    pub fn summary(&self) -> String {
        if self.targets.is_empty() || !self.outcome.is_done() {
            return self.outcome.words();
        }
        let mut counts: Vec<(&'static str, usize)> = Vec::new();
        for t in &self.targets {
            let label = match &t.outcome {
                Outcome::Done => "done",
                Outcome::AlreadyMember => "already in the group",
                Outcome::PrivacyBlocked { .. } => "blocked by privacy",
                Outcome::NotFound => "not found",
                Outcome::NotAuthorized => "not authorized",
                Outcome::GroupFull => "group full",
                Outcome::Unknown { .. } => "unknown",
                Outcome::RateLimited { .. } => "rate limited",
                Outcome::NotSent { .. } => "not sent",
                Outcome::Waiting { .. } => "waiting for the pace",
                _ => "refused",
            };
            match counts.iter_mut().find(|(l, _)| *l == label) {
                Some((_, n)) => *n += 1,
                None => counts.push((label, 1)),
            }
        }
        counts
            .iter()
            .map(|(l, n)| format!("{n} {l}"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The first invite code WhatsApp offered for a privacy-blocked add.
    pub fn privacy_invite(&self) -> bool {
        self.targets.iter().any(|t| {
            matches!(
                t.outcome,
                Outcome::PrivacyBlocked {
                    invite_code: Some(_)
                }
            ) || t.not_added_on_create()
        })
    }

    /// The group the operation was on, or the one it created.
    pub fn target_group(&self) -> Option<GroupId> {
        match (&self.group, &self.answer) {
            (Some(g), _) => Some(g.clone()),
            (None, Some(Answer::Created(g))) => Some(g.clone()),
            _ => None,
        }
    }
}
