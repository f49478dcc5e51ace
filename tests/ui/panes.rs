//! The dashboard and its panes: each pane focused, role and connection badges by colour, a
//! long roster's cursor window, every event kind in words, the first run, and the first frame
//! drawn from the cache.

use wamod::app::keymap::Keymap;
use wamod::app::msg::Msg;
use wamod::app::state::{AppState, Pane};
use wamod::app::update::update;
use wamod::domain::{ConnState, Ending, LogoutReason, Participant, Role, SessionId};
use wamod::protocol::Update;
use wamod::ui::Theme;

use crate::fixture::{NOW, fixture, gid, person};
use crate::{find, render, snapshot, snapshot_at};

#[test]
fn dashboard_at_both_sizes() {
    let mut s = fixture();
    snapshot_at("dashboard_120x40", &s, 120, 40);
    s.size = (80, 24);
    snapshot_at("dashboard_80x24", &s, 80, 24);
}

#[test]
fn each_pane_focused() {
    let mut s = fixture();
    for pane in Pane::ALL {
        s.focus = pane;
        for (w, h) in [(120, 40), (80, 24)] {
            let t = render(&s, w, h);
            snapshot(
                &format!("pane_{pane:?}_{w}x{h}").to_lowercase(),
                t.backend(),
            );
        }
    }
    // Filters and marks show in titles; the not-admin explanation in the requests pane.
    s.focus = Pane::Roster;
    s.list_mut(Pane::Roster).filter = "0002".into();
    s.list_mut(Pane::Roster)
        .marked
        .insert("100000000000002@lid".into());
    s.current_group = Some(gid(4));
    s.rosters
        .insert((SessionId(1), gid(4)), vec![person(2, Role::Member)]);
    snapshot_at("roster_filtered_not_admin_80x24", &s, 80, 24);
}

#[test]
fn role_badges_have_three_distinct_colours() {
    let mut s = fixture();
    s.focus = Pane::Roster;
    let t = render(&s, 120, 40);
    let buf = t.backend().buffer();
    let theme = Theme::dark();
    // The colour of the first cell of the word (labels may start with spaces to be unique).
    let colour = |label: &str| {
        let (x, y) = find(buf, label).unwrap_or_else(|| panic!("{label} on screen"));
        let lead = label.chars().take_while(|c| *c == ' ').count();
        buf[(x + u16::try_from(lead).unwrap_or(0), y)].fg
    };
    assert_eq!(colour("superadmin"), theme.role_superadmin);
    assert_eq!(colour(" admin      +1555"), theme.role_admin);
    assert_eq!(colour(" member     +1555"), theme.role_member);
    let all = [theme.role_superadmin, theme.role_admin, theme.role_member];
    assert!(all[0] != all[1] && all[1] != all[2] && all[0] != all[2]);
    // The focused pane's border is the focused colour.
    let (x, y) = find(buf, "[3]").expect("roster title");
    assert_eq!(buf[(x - 2, y)].fg, theme.border_focused);
}

#[test]
fn a_1024_row_roster_renders_the_cursor_window() {
    let mut s = fixture();
    let roster: Vec<Participant> = (0..1024).map(|n| person(n, Role::Member)).collect();
    s.rosters.insert((SessionId(1), gid(2)), roster);
    s.focus = Pane::Roster;
    s.list_mut(Pane::Roster).cursor = 700;
    let t = render(&s, 120, 40);
    let buf = t.backend().buffer();
    assert!(find(buf, "+15550200700").is_some(), "row 700 is drawn");
    assert!(find(buf, "701/1024").is_some(), "position in the title");
    assert!(
        find(buf, "+15550200000").is_none(),
        "rows far above are not"
    );
}

#[test]
fn empty_first_run() {
    let s = AppState::new(Keymap::default(), NOW);
    let t = render(&s, 80, 24);
    assert!(find(t.backend().buffer(), "press n to link").is_some());
    snapshot("first_run_80x24", t.backend());
}

#[test]
fn every_event_kind_in_words() {
    let s = fixture();
    let text: Vec<String> = s
        .visible_events()
        .iter()
        .map(|e| wamod::ui::panes::events::describe(e))
        .collect();
    snapshot("event_descriptions", text.join("\n"));
    assert!(text.iter().any(|t| t == "approval mode: on"));
    // Older events are a scroll away: the cursor at the bottom shows the oldest.
    let mut s = s;
    s.focus = Pane::Events;
    let last = s.visible_events().len() - 1;
    s.list_mut(Pane::Events).cursor = last;
    snapshot_at("pane_events_scrolled_120x40", &s, 120, 40);
}

#[test]
fn session_badges_follow_the_connection() {
    let mut s = fixture();
    let states = [
        ConnState::Connected,
        ConnState::Connecting,
        ConnState::Disconnected {
            reason: "WhatsApp ended the connection".into(),
            retry_in_secs: Some(12),
            attempt: 6,
        },
        ConnState::Pairing,
        ConnState::LoggedOut(LogoutReason::Removed),
    ];
    s.sessions = states
        .iter()
        .enumerate()
        .map(|(i, conn)| wamod::app::state::SessionView {
            id: SessionId(u32::try_from(i + 1).expect("id")),
            phone: (i != 3).then(|| format!("+1555000{}{}{}{}", i + 1, i + 1, i + 1, i + 1)),
            name: None,
            conn: conn.clone(),
            cached_since: None,
        })
        .collect();
    s.focus = Pane::Sessions;
    let theme = Theme::dark();
    let expected = [
        ("● online", theme.status_online),
        ("◌ connecting", theme.status_connecting),
        ("○ offline 12s", theme.status_offline),
        ("◇ pairing", theme.status_pairing),
        ("○ removed", theme.status_logged_out),
    ];
    // Four rows fit at 120x40; the fifth after moving the cursor down.
    for cursor in [0, 4] {
        s.list_mut(Pane::Sessions).cursor = cursor;
        let t = render(&s, 120, 40);
        let buf = t.backend().buffer();
        if cursor == 0 {
            snapshot("sessions_all_states_120x40", t.backend());
        }
        for (label, colour) in &expected {
            if let Some((x, y)) = find(buf, label) {
                assert_eq!(buf[(x, y)].fg, *colour, "{label}");
            }
        }
        assert!(find(buf, "not linked").is_some());
    }
    let t = render(&s, 120, 40);
    assert!(find(t.backend().buffer(), "○ removed").is_some());
    assert!(find(t.backend().buffer(), "5 sessions · 1 online · 1 pairing").is_some());
}

/// Every way a connection can stand, at 80x24: the sessions pane's badge and the status bar's
/// sentence (what happened, what to do) for the current session, in one snapshot.
#[test]
fn session_states_in_words_80x24() {
    let states = [
        ConnState::Connected,
        ConnState::Disconnected {
            reason: "cannot reach WhatsApp (Connection refused)".into(),
            retry_in_secs: Some(5),
            attempt: 5,
        },
        ConnState::Disconnected {
            reason: "WhatsApp is unavailable (503)".into(),
            retry_in_secs: Some(1),
            attempt: 0,
        },
        ConnState::Ended(Ending::Replaced),
        ConnState::Ended(Ending::TemporaryBan {
            code: 103,
            why: "you created too many groups with people who don't have you".into(),
            until: NOW + 3600,
        }),
        ConnState::Ended(Ending::Outdated),
        ConnState::Ended(Ending::Refused {
            code: 409,
            message: None,
        }),
        ConnState::Ended(Ending::QrCodesExpired),
        ConnState::Ended(Ending::ScannedWithoutMultidevice),
        ConnState::LoggedOut(LogoutReason::Removed),
        ConnState::LoggedOut(LogoutReason::Locked {
            text: Some("Your account is locked".into()),
        }),
        ConnState::LoggedOut(LogoutReason::Other { code: 406 }),
    ];
    let mut out = Vec::new();
    for conn in states {
        let mut s = fixture();
        s.size = (80, 24);
        s.sessions[0].conn = conn.clone();
        let t = render(&s, 80, 24);
        let buf = t.backend().buffer();
        let row = |y: u16| -> String { (0..80).map(|x| buf[(x, y)].symbol()).collect() };
        out.push(format!("{conn:?}"));
        out.push(row(1));
        out.push(row(23));
        out.push(String::new());
    }
    snapshot("session_states_80x24", out.join("\n"));
    // Never Debug output on screen, and each trouble names a key or a wait.
    assert!(!out.iter().skip(1).step_by(4).any(|l| l.contains("Ended(")));
}

/// A first run that cannot reach WhatsApp: the groups pane and the pairing popup say why, not
/// "Loading groups…" forever.
#[test]
fn unreachable_first_run_says_why() {
    let mut s = AppState::new(Keymap::default(), NOW);
    s.size = (80, 24);
    update(
        &mut s,
        Msg::EngineBatch(vec![
            Update::Session {
                id: SessionId(1),
                phone: None,
                name: None,
            },
            Update::Conn {
                session: SessionId(1),
                state: ConnState::Disconnected {
                    reason: "cannot reach WhatsApp (Connection refused)".into(),
                    retry_in_secs: Some(5),
                    attempt: 5,
                },
            },
        ]),
    );
    snapshot_at("unreachable_first_run_80x24", &s, 80, 24);
    let t = render(&s, 80, 24);
    assert!(find(t.backend().buffer(), "No QR code: cannot reach WhatsApp").is_some());
}

/// The first frame of a restart, drawn from wamod.db before any network work (no engine runs
/// here at all: the network is out of reach).
#[test]
fn first_frame_from_the_cache() {
    let tmp = tempfile::tempdir().expect("tmp");
    let db = tmp.path().join("wamod.db");
    let sessions = tmp.path().join("sessions");
    std::fs::create_dir_all(sessions.join("1")).expect("dir");
    std::fs::write(sessions.join("1/whatsapp.db"), b"").expect("key store stand-in");
    wamod::store::Store::open(&db)
        .expect("db")
        .apply_updates(&updates_of(&fixture()), NOW - 300)
        .expect("cache");

    // What `wamod` does before any network work: only the shown group's roster is read.
    let first = wamod::engine::first_frame(&db, &sessions);
    assert_eq!(
        first
            .iter()
            .filter(|u| matches!(u, Update::Roster { .. }))
            .count(),
        1
    );
    let mut s = AppState::new(Keymap::default(), NOW);
    s.size = (120, 40);
    update(&mut s, Msg::EngineBatch(first));
    let t = render(&s, 120, 40);
    assert!(
        find(t.backend().buffer(), "cached 5m").is_some(),
        "{}",
        t.backend()
    );
    snapshot("cache_first_frame_120x40", t.backend());
}

/// The engine's updates that would have built `live`'s first session, as the cache writer
/// stores them.
fn updates_of(live: &AppState) -> Vec<Update> {
    let s1 = SessionId(1);
    let mut writes = vec![Update::Session {
        id: s1,
        phone: Some("+15550001111".into()),
        name: None,
    }];
    writes.push(Update::Groups {
        session: s1,
        groups: live.groups[&s1].clone(),
    });
    for ((s, g), participants) in &live.rosters {
        writes.push(Update::Roster {
            session: *s,
            group: g.clone(),
            participants: participants.clone(),
        });
    }
    for ((s, g), requests) in &live.requests {
        writes.push(Update::Requests {
            session: *s,
            group: g.clone(),
            requests: requests.to_vec(),
        });
    }
    writes.extend(live.events.iter().cloned().map(Update::Event));
    writes
}
