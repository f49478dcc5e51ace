//! The world's data: accounts, groups and their members, settings and pending requests, the
//! error answers, and the notices and outcomes the operations return.

use crate::sim::pending::Pending;

/// A phone number in international format, digits only (no `+`), e.g. `"15550001111"`.
pub type Phone = String;
/// A group id, the user part of its `@g.us` JID, e.g. `"120363000000000001"`.
pub type GroupId = String;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub phone: Phone,
    /// The user part of the account's `@lid` JID (digits).
    pub lid: String,
    pub name: String,
    /// Privacy setting "who can add me to groups" excludes everyone: a direct add is refused with
    /// 403 and an `add_request` (invite) code instead.
    pub blocks_direct_adds: bool,
    /// WhatsApp refuses adding this account with this code: 406 (not allowed), 463 (no privacy
    /// token: whatsapp-rust #435), 500. Answered per participant, like a privacy refusal.
    pub add_refusal: Option<u16>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    Member,
    Admin,
    SuperAdmin,
}

impl Role {
    pub fn is_admin(self) -> bool {
        matches!(self, Role::Admin | Role::SuperAdmin)
    }
    /// The wire `type` attribute, `None` for plain members.
    pub fn wire(self) -> Option<&'static str> {
        match self {
            Role::Member => None,
            Role::Admin => Some("admin"),
            Role::SuperAdmin => Some("superadmin"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub phone: Phone,
    pub role: Role,
    pub join_time: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Description {
    pub id: String,
    pub body: String,
    pub setter: Phone,
    pub time: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RequestMethod {
    InviteLink,
    LinkedGroupJoin,
    NonAdminAdd,
}

impl RequestMethod {
    pub fn wire(self) -> &'static str {
        match self {
            RequestMethod::InviteLink => "invite_link",
            RequestMethod::LinkedGroupJoin => "linked_group_join",
            RequestMethod::NonAdminAdd => "non_admin_add",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingRequest {
    pub phone: Phone,
    pub time: i64,
    pub method: RequestMethod,
    /// For `LinkedGroupJoin`: the community the request came through.
    pub parent: Option<GroupId>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Settings {
    /// Only admins can send messages (`announcement`).
    pub announce: bool,
    /// Only admins can edit group info (`locked`).
    pub locked: bool,
    /// New members need admin approval (`membership_approval_mode`).
    pub approval: bool,
    /// Only admins can add members (`member_add_mode` = `admin_add`); false = `all_member_add`.
    pub admin_add_only: bool,
    /// Disappearing messages timer in seconds, 0 = off.
    pub ephemeral: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AddressingMode {
    Pn,
    #[default]
    Lid,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub id: GroupId,
    pub subject: String,
    pub subject_owner: Option<Phone>,
    pub subject_time: i64,
    pub creator: Phone,
    pub creation: i64,
    pub description: Option<Description>,
    /// In join order.
    pub participants: Vec<Member>,
    pub settings: Settings,
    pub addressing: AddressingMode,
    pub invite_code: String,
    /// In arrival order.
    pub pending: Pending,
    /// This group is a community (parent group).
    pub is_parent: bool,
    /// The community this group is linked to.
    pub parent: Option<GroupId>,
    /// The community's announcement group (default subgroup).
    pub is_default_sub: bool,
    pub picture_id: Option<String>,
}

impl Group {
    pub fn member(&self, phone: &str) -> Option<&Member> {
        self.participants.iter().find(|m| m.phone == phone)
    }
    pub fn role_of(&self, phone: &str) -> Option<Role> {
        self.member(phone).map(|m| m.role)
    }
    pub fn is_admin(&self, phone: &str) -> bool {
        self.role_of(phone).is_some_and(Role::is_admin)
    }
    pub fn admins(&self) -> impl Iterator<Item = &Member> {
        self.participants.iter().filter(|m| m.role.is_admin())
    }
}

/// A WhatsApp error answer: the `<error code text>` of an IQ, or a participant's `error` attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WaError {
    pub code: u16,
    pub text: &'static str,
}

impl WaError {
    const fn new(code: u16, text: &'static str) -> Self {
        Self { code, text }
    }

    pub const BAD_REQUEST: WaError = WaError::new(400, "bad-request");
    pub const NOT_AUTHORIZED: WaError = WaError::new(401, "not-authorized");
    pub const FORBIDDEN: WaError = WaError::new(403, "forbidden");
    pub const NOT_FOUND: WaError = WaError::new(404, "item-not-found");
    pub const NOT_ACCEPTABLE: WaError = WaError::new(406, "not-acceptable");
    pub const CONFLICT: WaError = WaError::new(409, "conflict");
    pub const GONE: WaError = WaError::new(410, "gone");
    pub const GROUP_FULL: WaError = WaError::new(419, "resource-limit");
    pub const ALREADY_MEMBER: WaError = WaError::new(304, "not-modified");
}

pub type WaResult<T> = Result<T, WaError>;

/// One participant's answer inside a participant-list operation (add/remove/promote/demote,
/// approve/reject, cancel).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParticipantOutcome {
    pub phone: Phone,
    /// `None` = done; else the per-participant error code (403 privacy, 404 not found/not pending,
    /// 409 already a member, 419 group full, ...).
    pub error: Option<u16>,
    /// For a 403 privacy refusal on add: the V4 invite code (and its expiry, unix seconds) that
    /// WhatsApp hands back so the admin can invite the person instead.
    pub add_request: Option<(String, i64)>,
}

/// What WhatsApp pushes to member devices after a change: one `w:gp2` notification child.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoticeAction {
    /// `<add [reason]>`: participants joined (added, via link, approved).
    Add {
        participants: Vec<Phone>,
        reason: Option<&'static str>,
    },
    Remove {
        participants: Vec<Phone>,
    },
    Promote {
        participants: Vec<Phone>,
    },
    Demote {
        participants: Vec<Phone>,
    },
    Subject {
        subject: String,
    },
    /// `body: None` = the description was deleted.
    Description {
        id: String,
        body: Option<String>,
    },
    Locked,
    Unlocked,
    Announce,
    NotAnnounce,
    /// 0 = `<not_ephemeral/>`.
    Ephemeral {
        expiration: u32,
    },
    MembershipApprovalMode {
        enabled: bool,
    },
    /// `"admin_add"` or `"all_member_add"`.
    MemberAddMode {
        mode: &'static str,
    },
    /// The invite link was reset (`<revoke/>`): old code no longer works.
    InviteRevoked,
    /// Admin side: new join requests.
    CreatedMembershipRequests {
        method: RequestMethod,
        parent: Option<GroupId>,
        requesters: Vec<Phone>,
    },
    /// Admin side: requests withdrawn (cancelled by the requester, or rejected).
    RevokedMembershipRequests {
        participants: Vec<Phone>,
    },
    /// A member's number changed (`<modify>`): named with the new one.
    Modify {
        phone: Phone,
    },
    /// The group was created (sent to the initial participants).
    Create,
    /// The group (or community) was deleted/deactivated.
    Delete,
    /// Community links, told from the side of the group the notice comes from: a parent
    /// names its new subgroups, a subgroup names its community, a sibling names the new one.
    Link {
        groups: Vec<GroupId>,
        side: LinkSide,
    },
    Unlink {
        groups: Vec<GroupId>,
        side: LinkSide,
    },
    /// Group picture set (`Some(id)`) or removed; sent as a `type="picture"` notification.
    Picture {
        id: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub group: GroupId,
    /// The account that made the change.
    pub actor: Phone,
    pub time: i64,
    pub action: NoticeAction,
    /// The accounts whose devices receive it, computed when the change is made (members after the
    /// change plus e.g. the removed; admins only for join requests, plus the requester).
    pub recipients: Vec<Phone>,
}

/// Result of joining by invite code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JoinOutcome {
    Joined(GroupId),
    /// Approval mode: a pending request was created instead of a membership.
    Pending(GroupId),
}

/// Options for creating a group (`<create>`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CreateOptions {
    pub subject: String,
    pub participants: Vec<Phone>,
    pub description: Option<String>,
    pub settings: Settings,
    pub is_parent: bool,
    pub parent: Option<GroupId>,
}

/// Per-participant results plus the notices an operation caused.
pub type Outcomes = (Vec<ParticipantOutcome>, Vec<Notice>);

/// Per-subgroup results of linking/unlinking (`None` = done, else the error code) plus notices.
pub type LinkOutcomes = (Vec<(GroupId, Option<u16>)>, Vec<Notice>);

/// Which side of a community link a notice is told from: the wire's `link_type` /
/// `unlink_type` (whatsmeow `GroupLinkChangeType`: `parent_group`, `sub_group`,
/// `sibling_group`; mautrix-whatsapp sets a portal's parent from `parent_group`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkSide {
    /// From the community: the groups inside are its subgroups.
    SubGroup,
    /// From a subgroup: the group inside is its community.
    ParentGroup,
    /// From another subgroup of the same community: the group inside is a sibling.
    SiblingGroup,
}

impl LinkSide {
    pub fn wire(self) -> &'static str {
        match self {
            LinkSide::SubGroup => "sub_group",
            LinkSide::ParentGroup => "parent_group",
            LinkSide::SiblingGroup => "sibling_group",
        }
    }
}
