//! Plain domain types shared by the engine, the store and the UI. No protocol types here: the
//! engine converts whatsapp-rust's types into these (`engine/convert.rs`).

use std::fmt;

mod conn;
mod pace;
pub use conn::{ConnState, Ending, LogoutReason};
pub use pace::{Pace, PaceLimits};

/// How a person is named on screen: a phone number as is; someone known only by LID (a
/// community's announcement group hides numbers) as "hidden number …1234" (the LID's last
/// digits tell people apart), never a raw `…@lid`. Stored rows and exports keep the LID.
pub fn person_label(id: &str) -> String {
    match lid_tail(id) {
        Some(tail) => format!("hidden number …{tail}"),
        None => id.to_string(),
    }
}

/// [`person_label`] for a narrow column: "hidden …1234".
pub fn person_label_short(id: &str) -> String {
    match lid_tail(id) {
        Some(tail) => format!("hidden …{tail}"),
        None => id.to_string(),
    }
}

/// The last digits of a LID JID's user (`None` for anything else).
fn lid_tail(id: &str) -> Option<&str> {
    let lid = id.strip_suffix("@lid")?;
    let user = lid.split(':').next().unwrap_or(lid);
    user.get(user.len().saturating_sub(4)..)
}

/// A wamod session: one linked device (one WhatsApp account), numbered from 1.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    serde::Serialize,
    serde::Deserialize,
)]
pub struct SessionId(pub u32);

impl fmt::Display for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// A group's JID as text, e.g. `120363000000000001@g.us`.
#[derive(
    Debug,
    Clone,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    serde::Serialize,
    serde::Deserialize,
)]
pub struct GroupId(pub String);

impl GroupId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for GroupId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    serde::Serialize,
    serde::Deserialize,
)]
pub enum Role {
    #[default]
    Member,
    Admin,
    SuperAdmin,
}

impl Role {
    pub fn is_admin(self) -> bool {
        matches!(self, Role::Admin | Role::SuperAdmin)
    }
    pub fn label(self) -> &'static str {
        match self {
            Role::Member => "member",
            Role::Admin => "admin",
            Role::SuperAdmin => "superadmin",
        }
    }
}

/// A member of a group's roster.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Participant {
    /// The JID WhatsApp uses for them in this group (`…@lid` or `…@s.whatsapp.net`).
    pub jid: String,
    /// Phone number in international format with `+`, when known.
    pub phone: Option<String>,
    /// LID JID (`…@lid`), when known.
    pub lid: Option<String>,
    pub role: Role,
}

impl Participant {
    /// What to show for them: the phone number, else the JID.
    pub fn display(&self) -> &str {
        self.phone.as_deref().unwrap_or(&self.jid)
    }

    /// The same person, however WhatsApp named them: the same JID, number or LID (a LID group
    /// names by LID someone a request named by number).
    pub fn same_person(&self, other: &Participant) -> bool {
        let both = |a: &Option<String>, b: &Option<String>| a.is_some() && a == b;
        self.jid == other.jid
            || both(&self.phone, &other.phone)
            || both(&self.lid, &other.lid)
            || self.lid.as_deref() == Some(other.jid.as_str())
            || other.lid.as_deref() == Some(self.jid.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct GroupSettings {
    /// Only admins can send messages.
    pub announce: bool,
    /// Only admins can edit group info.
    pub locked: bool,
    /// New members need admin approval.
    pub approval: bool,
    /// Only admins can add members; `None` when WhatsApp did not say (whatsapp-rust 0.7 drops it
    /// from metadata; it arrives with change notifications).
    pub admin_add_only: Option<bool>,
    /// Disappearing-messages timer in seconds; 0 = off.
    pub ephemeral: u32,
}

/// Where a group sits in a community.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum CommunityMark {
    #[default]
    None,
    /// The group is a community (parent).
    Community,
    /// The community's announcement group.
    Announcement { parent: GroupId },
    /// A subgroup linked to a community.
    Subgroup { parent: GroupId },
}

/// One row of the groups pane.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct GroupSummary {
    pub id: GroupId,
    pub subject: String,
    pub description: Option<String>,
    /// The description's version token; an edit names it so WhatsApp can refuse a stale one.
    pub description_id: Option<String>,
    pub size: usize,
    /// This session's role; `None` if it is not a participant (e.g. just left).
    pub my_role: Option<Role>,
    pub settings: GroupSettings,
    /// Pending join requests, when known (admins only).
    pub pending: usize,
    pub community: CommunityMark,
    pub created: i64,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
pub enum RequestMethod {
    #[default]
    Unknown,
    InviteLink,
    /// A member (not admin) tried to add them in an approval-mode group.
    AddedByMember,
    /// Through the group's community.
    Community,
}

impl RequestMethod {
    pub fn label(self) -> &'static str {
        match self {
            RequestMethod::Unknown => "unknown",
            RequestMethod::InviteLink => "invite link",
            RequestMethod::AddedByMember => "added by member",
            RequestMethod::Community => "community",
        }
    }
}

/// A pending request to join a group.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct JoinRequest {
    pub jid: String,
    pub phone: Option<String>,
    /// Unix seconds.
    pub requested_at: Option<i64>,
    pub method: RequestMethod,
    /// For `Community` requests: the community they came through.
    pub via_community: Option<GroupId>,
}

impl crate::keyed_list::Keyed for Participant {
    fn key(&self) -> &str {
        &self.jid
    }
}

impl crate::keyed_list::Keyed for JoinRequest {
    fn key(&self) -> &str {
        &self.jid
    }
}

impl JoinRequest {
    pub fn display(&self) -> &str {
        self.phone.as_deref().unwrap_or(&self.jid)
    }
}

/// What happened in a group (live events feed).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum GroupEventKind {
    Joined {
        who: Vec<String>,
        via_link: bool,
    },
    Left {
        who: Vec<String>,
    },
    Removed {
        who: Vec<String>,
    },
    Added {
        who: Vec<String>,
    },
    Promoted {
        who: Vec<String>,
    },
    Demoted {
        who: Vec<String>,
    },
    SubjectChanged {
        subject: String,
    },
    DescriptionChanged {
        deleted: bool,
    },
    /// A setting changed: `name` as shown to the user ("send messages", "edit info", ...), `value`
    /// as words ("admins only", "on", "7 days").
    SettingChanged {
        name: String,
        value: String,
    },
    RequestCreated {
        who: Vec<String>,
        method: RequestMethod,
    },
    RequestRevoked {
        who: Vec<String>,
    },
    InviteReset,
    PictureChanged {
        removed: bool,
    },
    GroupCreated,
    GroupDeleted,
    /// On a community: these groups (subjects) were linked into it.
    Linked {
        groups: Vec<String>,
    },
    /// On a community: these groups (subjects) were unlinked from it.
    Unlinked {
        groups: Vec<String>,
    },
    /// A member's number changed (`from` may be their LID when the old number was hidden).
    NumberChanged {
        from: String,
        to: String,
    },
    /// On a group: it was linked into this community (subject).
    JoinedCommunity {
        community: String,
    },
    /// On a group: it was unlinked from this community (subject).
    LeftCommunity {
        community: String,
    },
    /// The session's own connection (group empty): lost, replaced, banned, logged out, ...
    Connection {
        what: String,
    },
    Other {
        what: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct GroupEvent {
    /// Unix seconds.
    pub at: i64,
    pub session: SessionId,
    pub group: GroupId,
    /// The group's subject when the event arrived, for display.
    pub group_subject: String,
    /// Who did it (phone or JID), when WhatsApp said.
    pub actor: Option<String>,
    pub kind: GroupEventKind,
    /// Not seen live: found by comparing the server with the cache on (re)connect; `at` is when
    /// it was detected.
    #[serde(default)]
    pub found_on_reconnect: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn people_known_only_by_lid_read_as_hidden_numbers() {
        assert_eq!(person_label("+15550001111"), "+15550001111");
        assert_eq!(person_label("100000000012345@lid"), "hidden number …2345");
        assert_eq!(person_label("12@lid"), "hidden number …12");
        assert_eq!(person_label_short("100000000012345@lid"), "hidden …2345");
    }
}
