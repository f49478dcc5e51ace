//! The UI state and updates of the scale world, built directly (no network): what the frame and
//! burst benches measure, and what the cache bench stores.

use crate::app::keymap::Keymap;
use crate::app::state::{AppState, Pane, SessionView};
use crate::domain::{
    ConnState, GroupEvent, GroupEventKind, GroupId, GroupSettings, GroupSummary, JoinRequest,
    Participant, RequestMethod, Role, SessionId,
};
use crate::protocol::Update;

pub const SESSION: SessionId = SessionId(1);
pub const NOW: i64 = 1_800_000_000;

pub fn gid(i: usize) -> GroupId {
    GroupId(format!("1203639{i:011}@g.us"))
}

pub fn participant(n: usize, role: Role) -> Participant {
    Participant {
        jid: format!("8{n:014}@lid"),
        phone: Some(format!("+1556{n:07}")),
        lid: Some(format!("8{n:014}@lid")),
        role,
    }
}

pub fn request(n: usize) -> JoinRequest {
    JoinRequest {
        jid: format!("9{n:014}@lid"),
        phone: Some(format!("+1557{n:07}")),
        requested_at: Some(NOW - 600 + (n % 600) as i64),
        method: RequestMethod::InviteLink,
        via_community: None,
    }
}

/// `groups` groups; group 1 has `roster` members and `pending` requests, the others share
/// `participants` evenly.
pub fn updates(groups: usize, participants: usize, roster: usize, pending: usize) -> Vec<Update> {
    let each = (participants.saturating_sub(roster) / groups.max(2).saturating_sub(1)).max(2);
    let summaries: Vec<GroupSummary> = (1..=groups)
        .map(|i| GroupSummary {
            id: gid(i),
            subject: format!("Scale group {i:04}"),
            size: if i == 1 { roster } else { each },
            my_role: Some(if i % 7 == 0 {
                Role::Member
            } else {
                Role::SuperAdmin
            }),
            settings: GroupSettings {
                approval: i == 1 || i % 50 == 0,
                ..Default::default()
            },
            pending: if i == 1 { pending } else { 0 },
            created: NOW - 86_400,
            ..Default::default()
        })
        .collect();
    let mut out = vec![
        Update::Session {
            id: SESSION,
            phone: Some("+15550001111".into()),
            name: Some("Dana".into()),
        },
        Update::Groups {
            session: SESSION,
            groups: summaries,
        },
    ];
    let mut next = 0;
    for i in 1..=groups {
        let size = if i == 1 { roster } else { each };
        let members = (0..size)
            .map(|k| {
                next += 1;
                participant(
                    next,
                    if k == 0 {
                        Role::SuperAdmin
                    } else {
                        Role::Member
                    },
                )
            })
            .collect();
        out.push(Update::Roster {
            session: SESSION,
            group: gid(i),
            participants: members,
        });
    }
    out.push(Update::Requests {
        session: SESSION,
        group: gid(1),
        requests: (0..pending).map(request).collect(),
    });
    out
}

/// A join in a group, as the feed shows it.
pub fn event(i: usize) -> GroupEvent {
    GroupEvent {
        at: NOW + i as i64,
        session: SESSION,
        group: gid(1 + i % 1000),
        group_subject: format!("Scale group {:04}", 1 + i % 1000),
        actor: None,
        kind: GroupEventKind::Joined {
            who: vec![format!("+1558{i:07}")],
            via_link: true,
        },
        found_on_reconnect: false,
    }
}

/// The state of README's frame budget: 1,000 groups listed, the selected group's 1,024-member
/// roster and 500 pending requests, a full events feed, connected.
pub fn budget_state() -> AppState {
    let mut s = AppState::new(Keymap::default(), NOW);
    for u in updates(1_000, 100_000, 1_024, 500) {
        crate::app::update::update(&mut s, crate::app::msg::Msg::EngineBatch(vec![u]));
    }
    s.sessions = vec![SessionView {
        id: SESSION,
        phone: Some("+15550001111".into()),
        name: Some("Dana".into()),
        conn: ConnState::Connected,
        cached_since: None,
    }];
    s.current_session = Some(SESSION);
    s.current_group = Some(gid(1));
    for i in 0..crate::app::state::EVENTS_CAP {
        s.events.push_back(event(i));
    }
    s.focus = Pane::Groups;
    s.size = (200, 60);
    s
}

/// Makes `sessions_dir` look like session 1 is linked (an empty key store), so the cache of
/// session 1 is loaded.
pub fn link_session(sessions_dir: &std::path::Path) {
    let dir = sessions_dir.join(SESSION.0.to_string());
    if std::fs::create_dir_all(&dir).is_ok() {
        let _ = std::fs::write(crate::engine::session::SessionTask::key_store(&dir), b"");
    }
}
