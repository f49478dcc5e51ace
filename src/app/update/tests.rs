//! Reducer tests: keys, filters, focus, popups and every engine update.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::app::state::EVENTS_CAP;
use crate::app::test_support::*;
use crate::app::update::normalize_phone;

fn group(n: u32, subject: &str, size: usize, role: Role, pending: usize) -> GroupSummary {
    GroupSummary {
        id: gid(n),
        subject: subject.into(),
        size,
        my_role: Some(role),
        pending,
        settings: GroupSettings {
            approval: pending > 0,
            ..Default::default()
        },
        ..Default::default()
    }
}

/// One session with three groups, the first selected.
fn fixture() -> AppState {
    let mut s = state_after([session_s1()]);
    s.size = (120, 40);
    let effects = update(
        &mut s,
        Msg::EngineBatch(vec![Update::Groups {
            session: S1,
            groups: vec![
                group(1, "Bravo", 10, Role::Admin, 2),
                group(2, "Alpha", 1024, Role::SuperAdmin, 0),
                group(3, "Charlie", 5, Role::Member, 0),
            ],
        }]),
    );
    // First visible group (by name) is selected and loaded.
    assert_eq!(
        effects,
        vec![
            Effect::Send(Action::LoadRoster {
                session: S1,
                group: gid(2)
            }),
            Effect::Send(Action::LoadRequests {
                session: S1,
                group: gid(2)
            })
        ]
    );
    s
}

#[test]
fn navigation_moves_clamps_and_selection_follows() {
    let mut s = fixture();
    assert_eq!(s.focus, Pane::Groups);
    let e = update(&mut s, key('j'));
    assert_eq!(s.current_group, Some(gid(1)));
    assert_eq!(e.len(), 2, "roster and requests of an admin group: {e:?}");
    let e = update(&mut s, key('j'));
    assert_eq!(s.current_group, Some(gid(3)));
    assert_eq!(
        e,
        vec![Effect::Send(Action::LoadRoster {
            session: SessionId(1),
            group: gid(3)
        })],
        "member: no requests"
    );
    update(&mut s, key('j'));
    assert_eq!(s.list(Pane::Groups).cursor, 2, "clamped at the bottom");
    update(&mut s, key('g'));
    assert_eq!(s.list(Pane::Groups).cursor, 0);
    update(&mut s, key('G'));
    assert_eq!(s.list(Pane::Groups).cursor, 2);
    assert!(
        update(&mut s, key('G')).is_empty(),
        "no reload when nothing changed"
    );
    update(&mut s, code(KeyCode::PageUp));
    assert_eq!(s.list(Pane::Groups).cursor, 0);
}

#[test]
fn focus_keys_and_tab_cycle() {
    let mut s = fixture();
    update(&mut s, key('1'));
    assert_eq!(s.focus, Pane::Sessions);
    update(&mut s, code(KeyCode::Tab));
    assert_eq!(s.focus, Pane::Groups);
    update(
        &mut s,
        Msg::Key(KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT)),
    );
    update(
        &mut s,
        Msg::Key(KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT)),
    );
    assert_eq!(s.focus, Pane::Events);
    update(&mut s, key('4'));
    assert_eq!(s.focus, Pane::Requests);
    update(&mut s, key('2'));
    update(&mut s, code(KeyCode::Enter));
    assert_eq!(s.focus, Pane::Roster, "Enter on a group opens its roster");
}

#[test]
fn filtering_narrows_and_esc_clears() {
    let mut s = fixture();
    update(&mut s, key('/'));
    assert!(s.list(Pane::Groups).filtering);
    for c in "char".chars() {
        update(&mut s, key(c));
    }
    assert_eq!(s.visible_groups().len(), 1);
    assert_eq!(
        s.current_group,
        Some(gid(3)),
        "the filtered row is selected"
    );
    update(&mut s, code(KeyCode::Backspace));
    assert_eq!(s.list(Pane::Groups).filter, "cha");
    update(&mut s, code(KeyCode::Enter));
    assert!(!s.list(Pane::Groups).filtering);
    assert_eq!(s.list(Pane::Groups).filter, "cha");
    // q while not typing quits; while typing it's a letter.
    update(&mut s, key('/'));
    assert!(update(&mut s, key('q')).is_empty());
    update(&mut s, code(KeyCode::Esc));
    assert_eq!(s.list(Pane::Groups).filter, "");
    assert_eq!(s.visible_groups().len(), 3);
    assert_eq!(update(&mut s, key('q')), vec![Effect::Quit]);
}

#[test]
fn sort_cycles_and_keeps_the_selection() {
    let mut s = fixture();
    update(&mut s, key('j')); // Bravo
    update(&mut s, key('s'));
    assert_eq!(s.group_sort, crate::group_tree::GroupSort::Size);
    assert_eq!(s.visible_groups()[0].id, gid(2));
    assert_eq!(s.current_group, Some(gid(1)));
    assert_eq!(s.visible_groups()[s.list(Pane::Groups).cursor].id, gid(1));
    update(&mut s, key('s'));
    assert_eq!(s.visible_groups()[0].id, gid(1), "most pending first");
}

#[test]
fn roster_requests_marks_and_events() {
    let mut s = fixture();
    let s1 = SessionId(1);
    update(
        &mut s,
        Msg::EngineBatch(vec![Update::Roster {
            session: s1,
            group: gid(2),
            participants: vec![
                person(1, Role::Member),
                person(2, Role::SuperAdmin),
                person(3, Role::Admin),
            ],
        }]),
    );
    assert_eq!(s.visible_roster()[0].role, Role::SuperAdmin, "admins first");
    update(&mut s, key('3'));
    update(&mut s, key(' '));
    assert_eq!(s.list(Pane::Roster).marked.len(), 1);
    assert_eq!(s.list(Pane::Roster).cursor, 1, "marking moves down");
    // A roster update drops marks of people no longer there.
    update(
        &mut s,
        Msg::EngineBatch(vec![Update::Roster {
            session: s1,
            group: gid(2),
            participants: vec![person(1, Role::Member)],
        }]),
    );
    assert!(s.list(Pane::Roster).marked.is_empty());
    assert_eq!(s.list(Pane::Roster).cursor, 0, "clamped");
    update(
        &mut s,
        Msg::EngineBatch(vec![Update::Requests {
            session: s1,
            group: gid(2),
            requests: vec![
                JoinRequest {
                    jid: "95@lid".into(),
                    requested_at: Some(10),
                    ..Default::default()
                },
                JoinRequest {
                    jid: "94@lid".into(),
                    requested_at: Some(5),
                    ..Default::default()
                },
            ],
        }]),
    );
    assert_eq!(s.visible_requests()[0].jid, "94@lid", "oldest first");
    let event = GroupEvent {
        at: 1,
        session: s1,
        group: gid(2),
        group_subject: "Alpha".into(),
        actor: None,
        kind: GroupEventKind::InviteReset,
        found_on_reconnect: false,
    };
    for _ in 0..(EVENTS_CAP + 5) {
        update(&mut s, Msg::EngineBatch(vec![Update::Event(event.clone())]));
    }
    assert_eq!(s.events.len(), EVENTS_CAP);
    update(
        &mut s,
        Msg::EngineBatch(vec![Update::Group {
            session: s1,
            group: group(4, "Delta", 3, Role::Admin, 0),
        }]),
    );
    assert_eq!(s.groups[&s1].len(), 4);
    update(
        &mut s,
        Msg::EngineBatch(vec![Update::GroupGone {
            session: s1,
            group: gid(2),
        }]),
    );
    assert_ne!(s.current_group, Some(gid(2)));
    assert!(!s.rosters.contains_key(&(s1, gid(2))));
}

#[test]
fn errors_and_notices_reach_the_status_line_and_expire() {
    let mut s = fixture();
    update(
        &mut s,
        Msg::EngineBatch(vec![Update::Error {
            session: None,
            message: "boom".into(),
        }]),
    );
    assert_eq!(
        s.status.as_ref().map(|x| (x.text.as_str(), x.level)),
        Some(("boom", Level::Error))
    );
    let later = s.now + 60;
    update(&mut s, Msg::Tick(later));
    assert!(s.status.is_none());
    update(
        &mut s,
        Msg::EngineBatch(vec![Update::Notice {
            text: "hello".into(),
        }]),
    );
    assert_eq!(s.status.as_ref().map(|x| x.level), Some(Level::Info));
}

#[test]
fn pairing_by_qr_then_phone_code() {
    let mut s = AppState::new(Keymap::default(), 100);
    let id = SessionId(1);
    update(
        &mut s,
        Msg::EngineBatch(vec![Update::Session {
            id,
            phone: None,
            name: None,
        }]),
    );
    update(
        &mut s,
        Msg::EngineBatch(vec![Update::Conn {
            session: id,
            state: ConnState::Pairing,
        }]),
    );
    update(
        &mut s,
        Msg::EngineBatch(vec![Update::Qr {
            session: id,
            code: "2@x,a,b,c".into(),
            valid_secs: 60,
        }]),
    );
    assert_eq!(
        s.popup,
        Some(Popup::Pairing {
            session: id,
            state: Pairing::Qr {
                code: "2@x,a,b,c".into(),
                expires_at: 160
            }
        })
    );
    update(&mut s, key('P'));
    for c in "0044 12".chars() {
        update(&mut s, key(c));
    }
    assert!(update(&mut s, code(KeyCode::Enter)).is_empty());
    let Some(Popup::Pairing {
        state: Pairing::EnterPhone {
            error: Some(e),
            input,
        },
        ..
    }) = &s.popup
    else {
        panic!("{:?}", s.popup)
    };
    assert!(e.contains("country code"), "{e}");
    assert_eq!(input, "0044 12", "nothing typed is lost");
    for _ in 0..7 {
        update(&mut s, code(KeyCode::Backspace));
    }
    update(&mut s, Msg::Paste("+1 555-000-1111".into()));
    // A rotating QR code does not interrupt typing.
    update(
        &mut s,
        Msg::EngineBatch(vec![Update::Qr {
            session: id,
            code: "2@y,a,b,c".into(),
            valid_secs: 20,
        }]),
    );
    assert_eq!(
        update(&mut s, code(KeyCode::Enter)),
        vec![Effect::Send(Action::PairWithPhone {
            session: id,
            phone: "15550001111".into()
        })]
    );
    update(
        &mut s,
        Msg::EngineBatch(vec![Update::PairCode {
            session: id,
            code: "ABCD2345".into(),
        }]),
    );
    assert_eq!(
        s.popup,
        Some(Popup::Pairing {
            session: id,
            state: Pairing::Code {
                phone: "15550001111".into(),
                code: "ABCD2345".into()
            }
        })
    );
    update(
        &mut s,
        Msg::EngineBatch(vec![Update::Conn {
            session: id,
            state: ConnState::Connected,
        }]),
    );
    assert_eq!(s.popup, None, "linked: the popup closes");
}

#[test]
fn esc_cancels_pairing_and_p_opens_phone_entry_for_a_new_session() {
    let mut s = AppState::new(Keymap::default(), 100);
    s.focus = Pane::Sessions;
    assert_eq!(
        update(&mut s, key('P')),
        vec![Effect::Send(Action::NewSession)]
    );
    update(
        &mut s,
        Msg::EngineBatch(vec![Update::Session {
            id: SessionId(3),
            phone: None,
            name: None,
        }]),
    );
    update(
        &mut s,
        Msg::EngineBatch(vec![Update::Qr {
            session: SessionId(3),
            code: "c".into(),
            valid_secs: 60,
        }]),
    );
    assert!(matches!(
        s.popup,
        Some(Popup::Pairing {
            state: Pairing::EnterPhone { .. },
            ..
        })
    ));
    update(&mut s, code(KeyCode::Esc));
    assert!(
        matches!(
            s.popup,
            Some(Popup::Pairing {
                state: Pairing::Waiting,
                ..
            })
        ),
        "Esc in the phone entry goes back"
    );
    assert_eq!(
        update(&mut s, code(KeyCode::Esc)),
        vec![Effect::Send(Action::CancelPairing(SessionId(3)))]
    );
    assert_eq!(s.popup, None);
    update(
        &mut s,
        Msg::EngineBatch(vec![Update::SessionRemoved(SessionId(3))]),
    );
    assert!(s.sessions.is_empty());
    assert_eq!(
        update(&mut s, key('n')),
        vec![Effect::Send(Action::NewSession)]
    );
}

#[test]
fn logout_asks_first() {
    let mut s = fixture();
    update(&mut s, key('1'));
    assert!(update(&mut s, key('L')).is_empty());
    assert_eq!(s.popup, Some(Popup::Confirm(Confirm::Logout(SessionId(1)))));
    assert!(update(&mut s, key('n')).is_empty());
    assert_eq!(s.popup, None);
    update(&mut s, key('L'));
    assert_eq!(
        update(&mut s, key('y')),
        vec![Effect::Send(Action::Logout(SessionId(1)))]
    );
    update(
        &mut s,
        Msg::EngineBatch(vec![Update::SessionRemoved(SessionId(1))]),
    );
    assert!(s.sessions.is_empty() && s.groups.is_empty() && s.current_session.is_none());
}

#[test]
fn help_opens_closes_and_follows_overrides() {
    let mut s = fixture();
    update(&mut s, key('?'));
    assert_eq!(s.popup, Some(Popup::Help { scroll: 0 }));
    update(&mut s, key('j'));
    assert_eq!(s.popup, Some(Popup::Help { scroll: 1 }));
    update(&mut s, code(KeyCode::Esc));
    assert_eq!(s.popup, None);
    let mut o = std::collections::BTreeMap::new();
    o.insert(
        "global".to_string(),
        std::collections::BTreeMap::from([("help".to_string(), vec!["f1".to_string()])]),
    );
    s.keymap.apply_overrides(&o);
    update(&mut s, key('?'));
    assert_eq!(s.popup, None);
    update(&mut s, code(KeyCode::F(1)));
    assert_eq!(s.popup, Some(Popup::Help { scroll: 0 }));
}

#[test]
fn sessions_connection_states_and_refresh() {
    let mut s = fixture();
    update(
        &mut s,
        Msg::EngineBatch(vec![Update::Conn {
            session: SessionId(1),
            state: ConnState::Disconnected {
                reason: "x".into(),
                retry_in_secs: Some(4),
                attempt: 2,
            },
        }]),
    );
    assert_eq!(s.sessions[0].conn.label(), "offline");
    assert_eq!(
        update(&mut s, key('r')),
        vec![Effect::Send(Action::Refresh(SessionId(1)))]
    );
    update(
        &mut s,
        Msg::EngineBatch(vec![Update::Conn {
            session: SessionId(1),
            state: ConnState::LoggedOut(crate::domain::LogoutReason::Removed),
        }]),
    );
    assert_eq!(s.status.as_ref().map(|x| x.level), Some(Level::Error));
    update(&mut s, Msg::Resize(80, 24));
    assert_eq!(s.size, (80, 24));
}

/// A new unlinked session opens its pairing popup at once (it says why no code shows); codes
/// that ran out turn the popup back to waiting, where `r` asks for a new round.
#[test]
fn pairing_popup_follows_the_connection() {
    use crate::app::state::{Pairing, Popup};
    use crate::domain::Ending;
    let mut s = AppState::new(Keymap::default(), 1000);
    let new = SessionId(1);
    update(
        &mut s,
        Msg::EngineBatch(vec![
            Update::Session {
                id: new,
                phone: None,
                name: None,
            },
            Update::Qr {
                session: new,
                code: "ref,a,b,c".into(),
                valid_secs: 60,
            },
        ]),
    );
    assert!(matches!(
        s.popup,
        Some(Popup::Pairing {
            state: Pairing::Qr { .. },
            ..
        })
    ));
    // `r` does nothing while the codes are fresh.
    assert_eq!(update(&mut s, key('r')), Vec::new());
    update(
        &mut s,
        Msg::EngineBatch(vec![Update::Conn {
            session: new,
            state: ConnState::Ended(Ending::QrCodesExpired),
        }]),
    );
    assert_eq!(
        s.popup,
        Some(Popup::Pairing {
            session: new,
            state: Pairing::Waiting
        })
    );
    assert_eq!(
        update(&mut s, key('r')),
        vec![Effect::Send(Action::Refresh(new))]
    );
}

#[test]
fn mouse_wheel_scrolls_the_focused_list() {
    let mut s = fixture();
    update(&mut s, Msg::Scroll(3));
    assert_eq!(s.list(Pane::Groups).cursor, 2);
    update(&mut s, Msg::Scroll(-3));
    assert_eq!(s.list(Pane::Groups).cursor, 0);
    s.popup = Some(Popup::Help { scroll: 0 });
    update(&mut s, Msg::Scroll(3));
    assert_eq!(s.list(Pane::Groups).cursor, 0, "not under a popup");
}

#[test]
fn clicks_focus_the_pane_and_select_the_row() {
    let mut s = fixture();
    // 120x40: groups pane starts at row 6 (sessions take 6), header on row 7, rows from 8.
    let e = update(&mut s, Msg::Click(5, 9));
    assert_eq!(s.focus, Pane::Groups);
    assert_eq!(s.list(Pane::Groups).cursor, 1);
    assert_eq!(
        s.current_group,
        Some(gid(1)),
        "the clicked group is selected"
    );
    assert_eq!(e.len(), 2, "and loaded: {e:?}");
    update(&mut s, Msg::Click(5, 1));
    assert_eq!(s.focus, Pane::Sessions);
    update(&mut s, Msg::Click(80, 3));
    assert_eq!(s.focus, Pane::Roster);
    assert!(
        update(&mut s, Msg::Click(5, 27)).is_empty(),
        "below the last group: nothing"
    );
    assert_eq!(s.focus, Pane::Groups);
}

#[test]
fn phone_numbers_are_checked() {
    assert_eq!(
        normalize_phone("+1 (555) 000-1111"),
        Ok("15550001111".into())
    );
    assert!(normalize_phone("").is_err());
    assert!(normalize_phone("12345").is_err());
    assert!(normalize_phone("+1 555 abc").is_err());
    assert!(normalize_phone("++15550001111").is_err());
    assert!(normalize_phone("1234567890123456").is_err());
}

#[test]
fn filtering_groups_loads_the_group_it_selects() {
    let mut s = fixture();
    update(&mut s, key('/'));
    let e: Vec<Effect> = "char"
        .chars()
        .flat_map(|c| update(&mut s, key(c)))
        .collect();
    assert_eq!(s.current_group, Some(gid(3)));
    assert!(
        e.contains(&Effect::Send(Action::LoadRoster {
            session: SessionId(1),
            group: gid(3)
        })),
        "{e:?}"
    );
}
