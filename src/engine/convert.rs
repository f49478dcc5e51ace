//! whatsapp-rust types -> wamod's domain types.

use whatsapp_rust::Jid;
use whatsapp_rust::wacore::iq::groups::ParticipantType;
use whatsapp_rust::wacore::stanza::groups::{
    GroupParticipantInfo, GroupParticipantType, MembershipRequestMethod,
};

use crate::domain::{
    CommunityMark, GroupId, GroupSettings, GroupSummary, Participant, RequestMethod, Role,
};

/// This session's own identities, to find "my role" in a roster.
#[derive(Debug, Clone, Default)]
pub struct Me {
    pub pn_user: Option<String>,
    pub lid_user: Option<String>,
}

impl Me {
    pub fn is(&self, jid: &Jid) -> bool {
        let user = jid.user.as_str();
        self.pn_user.as_deref() == Some(user) || self.lid_user.as_deref() == Some(user)
    }
    pub fn is_participant(&self, p: &Participant) -> bool {
        let user = |s: &str| s.split(['@', ':']).next().unwrap_or_default().to_string();
        let mine = |u: String| {
            self.pn_user.as_deref() == Some(u.as_str())
                || self.lid_user.as_deref() == Some(u.as_str())
        };
        mine(user(&p.jid))
            || p.lid.as_deref().is_some_and(|l| mine(user(l)))
            || p.phone
                .as_deref()
                .is_some_and(|ph| mine(ph.trim_start_matches('+').to_string()))
    }
}

pub fn group_id(jid: &Jid) -> GroupId {
    GroupId(format!("{}@g.us", jid.user))
}

/// `+15550001111` for a phone-number JID; `None` for other servers.
pub fn phone_of(jid: &Jid) -> Option<String> {
    (jid.server == whatsapp_rust::Server::Pn).then(|| format!("+{}", jid.user))
}

fn bare(jid: &Jid) -> String {
    format!("{}@{}", jid.user, jid.server.as_str())
}

fn role(t: ParticipantType) -> Role {
    match t {
        ParticipantType::Member => Role::Member,
        ParticipantType::Admin => Role::Admin,
        ParticipantType::SuperAdmin => Role::SuperAdmin,
    }
}

pub fn notification_role(t: Option<GroupParticipantType>) -> Role {
    match t {
        Some(GroupParticipantType::Admin) => Role::Admin,
        Some(GroupParticipantType::SuperAdmin) => Role::SuperAdmin,
        _ => Role::Member,
    }
}

/// Builds a participant from its JID and the optional phone-number / LID JIDs WhatsApp sends.
pub fn participant(jid: &Jid, phone: Option<&Jid>, lid: Option<&Jid>, role: Role) -> Participant {
    let lid = lid
        .map(bare)
        .or_else(|| (jid.server == whatsapp_rust::Server::Lid).then(|| bare(jid)));
    Participant {
        jid: bare(jid),
        phone: phone.and_then(phone_of).or_else(|| phone_of(jid)),
        lid,
        role,
    }
}

pub fn roster(meta: &whatsapp_rust::GroupMetadata) -> Vec<Participant> {
    participants(&meta.participants)
}

pub fn participants(people: &[whatsapp_rust::features::GroupParticipant]) -> Vec<Participant> {
    people
        .iter()
        .map(|p| {
            participant(
                &p.jid,
                p.phone_number.as_ref(),
                p.lid.as_ref(),
                role(p.participant_type),
            )
        })
        .collect()
}

pub fn notification_participant(p: &GroupParticipantInfo) -> Participant {
    participant(
        &p.jid,
        p.phone_number.as_ref(),
        p.lid.as_ref(),
        notification_role(p.r#type),
    )
}

pub fn request_method(m: &MembershipRequestMethod) -> RequestMethod {
    match m {
        MembershipRequestMethod::InviteLink => RequestMethod::InviteLink,
        MembershipRequestMethod::LinkedGroupJoin => RequestMethod::Community,
        MembershipRequestMethod::NonAdminAdd => RequestMethod::AddedByMember,
    }
}

pub fn request_method_wire(m: &str) -> RequestMethod {
    match m {
        "invite_link" => RequestMethod::InviteLink,
        "linked_group_join" => RequestMethod::Community,
        "non_admin_add" => RequestMethod::AddedByMember,
        _ => RequestMethod::Unknown,
    }
}

/// The groups-pane row for a group's metadata, seen by `me`. `pending` is left at 0: join
/// requests are fetched separately (admins only).
pub fn summary(meta: &whatsapp_rust::GroupMetadata, me: &Me) -> GroupSummary {
    let my_role = meta
        .participants
        .iter()
        .find(|p| {
            me.is(&p.jid)
                || p.phone_number.as_ref().is_some_and(|j| me.is(j))
                || p.lid.as_ref().is_some_and(|j| me.is(j))
        })
        .map(|p| role(p.participant_type));
    let community = if meta.is_parent_group {
        CommunityMark::Community
    } else if let Some(parent) = &meta.parent_group_jid {
        if meta.is_default_sub_group {
            CommunityMark::Announcement {
                parent: group_id(parent),
            }
        } else {
            CommunityMark::Subgroup {
                parent: group_id(parent),
            }
        }
    } else {
        CommunityMark::None
    };
    let admin_add_only = meta.member_add_mode.as_ref().map(|m| {
        matches!(
            m,
            whatsapp_rust::wacore::iq::groups::MemberAddMode::AdminAdd
        )
    });
    GroupSummary {
        id: group_id(&meta.id),
        subject: meta.subject.clone(),
        description: meta.description.clone(),
        description_id: meta.description_id.clone(),
        size: meta
            .size
            .map(|s| s as usize)
            .unwrap_or(meta.participants.len())
            .max(meta.participants.len()),
        my_role,
        settings: GroupSettings {
            announce: meta.is_announcement,
            locked: meta.is_locked,
            approval: meta.membership_approval,
            admin_add_only,
            ephemeral: meta
                .ephemeral
                .as_ref()
                .and_then(|e| e.expiration)
                .unwrap_or(0),
        },
        pending: 0,
        community,
        created: meta.creation_time.map_or(0, |t| t as i64),
    }
}
