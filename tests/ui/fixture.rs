//! The state every snapshot starts from: two sessions; a dozen groups incl. a community and a
//! 1,024-member group; the support group selected with its roster, requests of every method,
//! and events of every kind.

use wamod::app::keymap::Keymap;
use wamod::app::state::{AppState, Pane, SessionView};
use wamod::domain::*;

pub const NOW: i64 = 1_800_000_000;

/// Dana's session (connected, the current one) and Sam's (offline).
const DANA: SessionId = SessionId(1);
const SAM: SessionId = SessionId(2);
const SAM_PHONE: &str = "+15550002222";

pub fn gid(n: u32) -> GroupId {
    GroupId(format!("1203630000000001{n:02}@g.us"))
}

pub fn group(
    n: u32,
    subject: &str,
    size: usize,
    role: Option<Role>,
    pending: usize,
) -> GroupSummary {
    GroupSummary {
        id: gid(n),
        subject: subject.into(),
        size,
        my_role: role,
        pending,
        settings: GroupSettings {
            approval: pending > 0,
            ..Default::default()
        },
        ..Default::default()
    }
}

pub fn person(n: usize, role: Role) -> Participant {
    Participant {
        jid: format!("1{n:014}@lid"),
        phone: Some(format!("+1555020{n:04}")),
        lid: Some(format!("1{n:014}@lid")),
        role,
    }
}

/// Dana's view with the support group ("Acme Customer Support") selected.
pub fn fixture() -> AppState {
    let mut s = AppState::new(Keymap::default(), NOW);
    s.sessions = sessions();
    s.groups.insert(DANA, dana_groups());
    s.groups.insert(
        SAM,
        vec![group(20, "Sam's Group", 12, Some(Role::SuperAdmin), 0)],
    );
    s.current_session = Some(DANA);
    s.current_group = Some(gid(2));
    s.list_mut(Pane::Groups).cursor = 0; // "Acme Customer Support" sorts first
    s.rosters.insert((DANA, gid(2)), support_roster());
    s.requests.insert((DANA, gid(2)), support_requests().into());
    // Names WhatsApp gave two of them (push names with what they did).
    s.names.insert(
        DANA,
        [
            ("+15550200002", "Ana Admin"),
            ("+15550300002", "Rafa Requester"),
        ]
        .into_iter()
        .map(|(id, name)| (id.to_string(), name.to_string()))
        .collect(),
    );
    for e in recent_events() {
        s.events.push_back(e);
    }
    // push_front: the first listed ends up the oldest.
    for (i, kind) in more_events().into_iter().enumerate() {
        let at = NOW - 1000 - 60 * i64::try_from(i).expect("small");
        s.events
            .push_front(event(at, "School Parents 4B", Some(SAM_PHONE), kind));
    }
    s
}

fn sessions() -> Vec<SessionView> {
    vec![
        SessionView {
            id: DANA,
            phone: Some("+15550001111".into()),
            name: Some("Dana Moderator".into()),
            conn: ConnState::Connected,
            cached_since: None,
        },
        SessionView {
            id: SAM,
            phone: Some(SAM_PHONE.into()),
            name: None,
            conn: ConnState::Disconnected {
                reason: "WhatsApp ended the connection".into(),
                retry_in_secs: Some(4),
                attempt: 3,
            },
            cached_since: None,
        },
    ]
}

/// Dana's dozen groups; 8 is a community with two subgroups and its announcements group.
fn dana_groups() -> Vec<GroupSummary> {
    let mut groups = vec![
        group(1, "Riverside Open Chat", 1024, Some(Role::SuperAdmin), 0),
        group(2, "Acme Customer Support", 180, Some(Role::SuperAdmin), 24),
        group(3, "Marathon Training Club", 64, Some(Role::Admin), 8),
        group(4, "Book Club", 23, Some(Role::Member), 0),
        group(5, "Staff Room", 8, Some(Role::SuperAdmin), 0),
        group(6, "School Parents 4B", 31, Some(Role::SuperAdmin), 36),
        group(7, "Buy & Sell Riverside", 410, Some(Role::Member), 0),
        group(8, "Riverside Community", 300, Some(Role::SuperAdmin), 0),
        group(9, "Community Garden", 55, Some(Role::SuperAdmin), 0),
        group(10, "Neighbourhood Watch", 77, Some(Role::SuperAdmin), 5),
        group(11, "Elm Street Neighbours", 42, Some(Role::Admin), 0),
        group(
            12,
            "Riverside Announcements",
            300,
            Some(Role::SuperAdmin),
            0,
        ),
    ];
    groups[7].community = CommunityMark::Community;
    groups[8].community = CommunityMark::Subgroup { parent: gid(8) };
    groups[9].community = CommunityMark::Subgroup { parent: gid(8) };
    groups[11].community = CommunityMark::Announcement { parent: gid(8) };
    groups
}

/// The support group's 179 members: a superadmin, two admins, the rest members.
fn support_roster() -> Vec<Participant> {
    let mut roster = vec![
        person(1, Role::SuperAdmin),
        person(2, Role::Admin),
        person(3, Role::Admin),
    ];
    roster.extend((4..180).map(|n| person(n, Role::Member)));
    roster
}

/// One pending request per method: by invite link, added by a member, via the community.
fn support_requests() -> Vec<JoinRequest> {
    vec![
        JoinRequest {
            jid: "100000000000901@lid".into(),
            phone: Some("+15550300001".into()),
            requested_at: Some(NOW - 125),
            method: RequestMethod::InviteLink,
            via_community: None,
        },
        JoinRequest {
            jid: "100000000000902@lid".into(),
            phone: Some("+15550300002".into()),
            requested_at: Some(NOW - 7_300),
            method: RequestMethod::AddedByMember,
            via_community: None,
        },
        JoinRequest {
            jid: "100000000000903@lid".into(),
            phone: None,
            requested_at: Some(NOW - 3 * 86_400),
            method: RequestMethod::Community,
            via_community: Some(gid(8)),
        },
    ]
}

/// An event in Dana's session, filed under the support group but named after `subject`.
fn event(at: i64, subject: &str, actor: Option<&str>, kind: GroupEventKind) -> GroupEvent {
    GroupEvent {
        at,
        session: DANA,
        group: gid(2),
        group_subject: subject.into(),
        actor: actor.map(str::to_string),
        kind,
        found_on_reconnect: false,
    }
}

/// The newest eight, oldest first: what the dashboard shows.
fn recent_events() -> Vec<GroupEvent> {
    let who = |p: &str| vec![p.to_string()];
    vec![
        event(
            NOW - 900,
            "Riverside Open Chat",
            Some("+15550300003"),
            GroupEventKind::Joined {
                who: who("+15550300003"),
                via_link: true,
            },
        ),
        event(
            NOW - 800,
            "Acme Customer Support",
            None,
            GroupEventKind::RequestCreated {
                who: who("+15550300001"),
                method: RequestMethod::InviteLink,
            },
        ),
        event(
            NOW - 700,
            "Acme Customer Support",
            Some(SAM_PHONE),
            GroupEventKind::Promoted {
                who: who("+15550003333"),
            },
        ),
        event(
            NOW - 600,
            "Marathon Training Club",
            Some(SAM_PHONE),
            GroupEventKind::Removed {
                who: who("+15550003333"),
            },
        ),
        event(
            NOW - 500,
            "Riverside Open Chat",
            None,
            GroupEventKind::Left {
                who: who("+15550300003"),
            },
        ),
        event(
            NOW - 400,
            "Staff Room",
            Some(SAM_PHONE),
            GroupEventKind::SettingChanged {
                name: "send messages".into(),
                value: "admins only".into(),
            },
        ),
        event(
            NOW - 300,
            "Acme Customer Support",
            None,
            GroupEventKind::RequestRevoked {
                who: who("+15550300001"),
            },
        ),
        event(
            NOW - 200,
            "Marathon Training Club",
            Some(SAM_PHONE),
            GroupEventKind::SubjectChanged {
                subject: "Marathon Training Club 2027".into(),
            },
        ),
    ]
}

/// The kinds the dashboard's newest eight do not show (older, all in one group by Sam).
fn more_events() -> Vec<GroupEventKind> {
    let who = |p: &[&str]| p.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    vec![
        GroupEventKind::Joined {
            who: who(&["+15550300004", "+15550300005", "+15550300006"]),
            via_link: false,
        },
        GroupEventKind::Added {
            who: who(&["+15550300007"]),
        },
        GroupEventKind::Demoted {
            who: who(&["+15550200002"]),
        },
        GroupEventKind::DescriptionChanged { deleted: false },
        GroupEventKind::DescriptionChanged { deleted: true },
        GroupEventKind::SettingChanged {
            name: "approval mode".into(),
            value: "on".into(),
        },
        GroupEventKind::RequestCreated {
            who: who(&["+15550300002"]),
            method: RequestMethod::AddedByMember,
        },
        GroupEventKind::RequestCreated {
            who: who(&["100000000000903@lid"]),
            method: RequestMethod::Community,
        },
        GroupEventKind::InviteReset,
        GroupEventKind::PictureChanged { removed: false },
        GroupEventKind::PictureChanged { removed: true },
        GroupEventKind::GroupCreated,
        GroupEventKind::GroupDeleted,
        GroupEventKind::Other {
            what: "disappearing messages: 7 days".into(),
        },
    ]
}
