//! The view at 120x40 and 80x24: each pane and popup as a text snapshot, plus cell-level checks
//! for what text loses (role badge colours, the focused border) and for long lists.

// Test code: a failed unwrap is how a test fails (the crate denies them elsewhere).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use wamod::app::keymap::Keymap;
use wamod::app::state::{AppState, Confirm, Level, Pairing, Pane, Popup, StatusLine};
use wamod::domain::*;
use wamod::ui::{Theme, draw};

const NOW: i64 = 1_800_000_000;

fn gid(n: u32) -> GroupId {
    GroupId(format!("1203630000000001{n:02}@g.us"))
}

fn group(n: u32, subject: &str, size: usize, role: Option<Role>, pending: usize) -> GroupSummary {
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

fn person(n: usize, role: Role) -> Participant {
    Participant {
        jid: format!("1{n:014}@lid"),
        phone: Some(format!("+1555020{n:04}")),
        lid: Some(format!("1{n:014}@lid")),
        role,
    }
}

/// Two sessions; a dozen groups incl. a community and a 1,024-member group; the support group
/// selected with its roster, requests of every method, and events of every kind.
fn fixture() -> AppState {
    let mut s = AppState::new(Keymap::default(), NOW);
    let (s1, s2) = (SessionId(1), SessionId(2));
    s.sessions = vec![
        wamod::app::state::SessionView {
            id: s1,
            phone: Some("+15550001111".into()),
            name: Some("Dana Moderator".into()),
            conn: ConnState::Connected,
            cached_since: None,
        },
        wamod::app::state::SessionView {
            id: s2,
            phone: Some("+15550002222".into()),
            name: None,
            conn: ConnState::Disconnected {
                reason: "stream ended".into(),
                retry_in_secs: Some(4),
            },
            cached_since: None,
        },
    ];
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
    s.groups.insert(s1, groups);
    s.groups.insert(
        s2,
        vec![group(20, "Sam's Group", 12, Some(Role::SuperAdmin), 0)],
    );
    s.current_session = Some(s1);
    s.current_group = Some(gid(2));
    s.list_mut(Pane::Groups).cursor = 0; // "Acme Customer Support" sorts first
    let mut roster = vec![
        person(1, Role::SuperAdmin),
        person(2, Role::Admin),
        person(3, Role::Admin),
    ];
    roster.extend((4..180).map(|n| person(n, Role::Member)));
    s.rosters.insert((s1, gid(2)), roster);
    s.requests.insert(
        (s1, gid(2)),
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
        .into(),
    );
    let ev = |at: i64, group: &str, actor: Option<&str>, kind: GroupEventKind| GroupEvent {
        at,
        session: s1,
        group: gid(2),
        group_subject: group.into(),
        actor: actor.map(str::to_string),
        kind,
        found_on_reconnect: false,
    };
    let who = |p: &str| vec![p.to_string()];
    for e in [
        ev(
            NOW - 900,
            "Riverside Open Chat",
            Some("+15550300003"),
            GroupEventKind::Joined {
                who: who("+15550300003"),
                via_link: true,
            },
        ),
        ev(
            NOW - 800,
            "Acme Customer Support",
            None,
            GroupEventKind::RequestCreated {
                who: who("+15550300001"),
                method: RequestMethod::InviteLink,
            },
        ),
        ev(
            NOW - 700,
            "Acme Customer Support",
            Some("+15550002222"),
            GroupEventKind::Promoted {
                who: who("+15550003333"),
            },
        ),
        ev(
            NOW - 600,
            "Marathon Training Club",
            Some("+15550002222"),
            GroupEventKind::Removed {
                who: who("+15550003333"),
            },
        ),
        ev(
            NOW - 500,
            "Riverside Open Chat",
            None,
            GroupEventKind::Left {
                who: who("+15550300003"),
            },
        ),
        ev(
            NOW - 400,
            "Staff Room",
            Some("+15550002222"),
            GroupEventKind::SettingChanged {
                name: "send messages".into(),
                value: "admins only".into(),
            },
        ),
        ev(
            NOW - 300,
            "Acme Customer Support",
            None,
            GroupEventKind::RequestRevoked {
                who: who("+15550300001"),
            },
        ),
        ev(
            NOW - 200,
            "Marathon Training Club",
            Some("+15550002222"),
            GroupEventKind::SubjectChanged {
                subject: "Marathon Training Club 2027".into(),
            },
        ),
    ] {
        s.events.push_back(e);
    }
    // push_front: the first listed ends up the oldest.
    for (i, kind) in more_events().into_iter().enumerate() {
        let at = NOW - 1000 - 60 * i64::try_from(i).expect("small");
        let sam = Some("+15550002222");
        s.events.push_front(ev(at, "School Parents 4B", sam, kind));
    }
    s
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

fn render(state: &AppState, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    t.draw(|f| draw(f, state, &Theme::dark())).expect("draw");
    t
}

fn find(buf: &Buffer, text: &str) -> Option<(u16, u16)> {
    let area = buf.area;
    for y in 0..area.height {
        let line: String = (0..area.width)
            .map(|x| buf[(x, y)].symbol().to_string())
            .collect();
        if let Some(i) = line.find(text) {
            let x = line[..i].chars().count();
            return Some((u16::try_from(x).ok()?, y));
        }
    }
    None
}

#[test]
fn dashboard_at_both_sizes() {
    let mut s = fixture();
    insta::assert_snapshot!("dashboard_120x40", render(&s, 120, 40).backend());
    s.size = (80, 24);
    insta::assert_snapshot!("dashboard_80x24", render(&s, 80, 24).backend());
}

#[test]
fn each_pane_focused() {
    let mut s = fixture();
    for pane in Pane::ALL {
        s.focus = pane;
        for (w, h) in [(120, 40), (80, 24)] {
            let t = render(&s, w, h);
            insta::assert_snapshot!(format!("pane_{pane:?}_{w}x{h}").to_lowercase(), t.backend());
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
    insta::assert_snapshot!(
        "roster_filtered_not_admin_80x24",
        render(&s, 80, 24).backend()
    );
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
fn help_follows_the_live_keymap() {
    let mut s = fixture();
    s.popup = Some(Popup::Help { scroll: 0 });
    insta::assert_snapshot!("help_120x40", render(&s, 120, 40).backend());
    insta::assert_snapshot!("help_80x24", render(&s, 80, 24).backend());
    let mut o = BTreeMap::new();
    o.insert(
        "global".to_string(),
        BTreeMap::from([("help".to_string(), vec!["f1".to_string()])]),
    );
    assert!(s.keymap.apply_overrides(&o).is_empty());
    let t = render(&s, 120, 40);
    insta::assert_snapshot!("help_with_override_120x40", t.backend());
    let buf = t.backend().buffer();
    assert!(find(buf, "F1").is_some());
    // The status bar is generated from the same keymap.
    s.popup = None;
    let t = render(&s, 120, 40);
    assert!(find(t.backend().buffer(), "F1 help").is_some());
}

const QR: &str = "2@AAAAAAAAAAAAAAA,Zm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyMTIz,Zm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyMTIz,Zm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyMTIz,1";

#[test]
fn qr_popup_fits_80x24_and_is_the_whole_code() {
    let rows = wamod::ui::popups::pairing::qr_rows(QR).expect("encodes");
    let qr =
        qrcode::QrCode::with_error_correction_level(QR.as_bytes(), qrcode::EcLevel::L).expect("qr");
    let modules = qr.width() + 2;
    assert_eq!(
        rows.len(),
        modules.div_ceil(2),
        "two module rows per text row"
    );
    assert!(rows.iter().all(|r| r.chars().count() == modules));
    assert!(rows.len() <= 24, "fits 24 rows: {}", rows.len());
    // Decode the half blocks back to modules and compare with the code.
    for (r, row) in rows.iter().enumerate() {
        for (x, ch) in row.chars().enumerate() {
            let (top, bottom) = match ch {
                '█' => (true, true),
                '▀' => (true, false),
                '▄' => (false, true),
                _ => (false, false),
            };
            let light = |mx: usize, my: usize| {
                if mx == 0 || my == 0 || mx > qr.width() || my > qr.width() {
                    return true;
                }
                qr[(mx - 1, my - 1)] == qrcode::Color::Light
            };
            assert_eq!(top, light(x, 2 * r), "({x},{})", 2 * r);
            if 2 * r + 1 < modules {
                assert_eq!(bottom, light(x, 2 * r + 1), "({x},{})", 2 * r + 1);
            }
        }
    }
    let mut s = fixture();
    s.popup = Some(Popup::Pairing {
        session: SessionId(3),
        state: Pairing::Qr {
            code: QR.into(),
            expires_at: NOW + 17,
        },
    });
    s.status = Some(StatusLine {
        text: "Demo: the simulated phone scans this QR code in 4s".into(),
        level: Level::Info,
        until: NOW + 1,
    });
    // The whole code is on the 80x24 screen: read the modules back from the cells.
    let t = render(&s, 80, 24);
    let buf = t.backend().buffer();
    let (x0, y0) = find(buf, &rows[0]).expect("the QR's first row is drawn");
    let text_rows = u16::try_from(rows.len()).expect("rows");
    assert!(y0 + text_rows <= 24, "the QR block fits 24 rows");
    let mut decoded: Vec<Vec<bool>> = vec![Vec::new(); modules + 1];
    for r in 0..text_rows {
        for c in 0..u16::try_from(modules).expect("cols") {
            let cell = &buf[(x0 + c, y0 + r)];
            let (top, bottom) = match cell.symbol() {
                "█" => (true, true),
                "▀" => (true, false),
                "▄" => (false, true),
                _ => (false, false),
            };
            // Light modules are the foreground: white on black, whatever the theme.
            assert_eq!(cell.fg, ratatui::style::Color::White);
            assert_eq!(cell.bg, ratatui::style::Color::Black);
            decoded[2 * usize::from(r)].push(top);
            decoded[2 * usize::from(r) + 1].push(bottom);
        }
    }
    decoded.truncate(modules);
    assert_eq!(
        decoded.len(),
        qr.width() + 2,
        "same height as QrCode reports"
    );
    assert!(decoded.iter().all(|row| row.len() == qr.width() + 2));
    for (y, row) in decoded.iter().enumerate().skip(1).take(qr.width()) {
        for (x, light) in row.iter().enumerate().skip(1).take(qr.width()) {
            assert_eq!(
                *light,
                qr[(x - 1, y - 1)] == qrcode::Color::Light,
                "module ({x},{y})"
            );
        }
    }
    insta::assert_snapshot!("qr_popup_80x24", render(&s, 80, 24).backend());
    insta::assert_snapshot!("qr_popup_120x40", render(&s, 120, 40).backend());
    let t = render(&s, 60, 20);
    let buf = t.backend().buffer();
    assert!(
        find(buf, "at least 73x24").is_some(),
        "too small: says what size is needed"
    );
    assert!(find(buf, "press P").is_some(), "and offers the phone code");
}

#[test]
fn phone_pairing_and_confirm_popups() {
    let mut s = fixture();
    let states = [
        (
            "phone_entry",
            Pairing::EnterPhone {
                input: "0044 7700".into(),
                error: Some("Start with the country code, not 0 (e.g. +44 7700 900123)".into()),
            },
        ),
        (
            "phone_requesting",
            Pairing::RequestingCode {
                phone: "15550001111".into(),
            },
        ),
        (
            "phone_code",
            Pairing::Code {
                phone: "15550001111".into(),
                code: "ABCD2345".into(),
            },
        ),
        ("pairing_waiting", Pairing::Waiting),
    ];
    for (name, p) in states {
        s.popup = Some(Popup::Pairing {
            session: SessionId(3),
            state: p,
        });
        insta::assert_snapshot!(format!("{name}_80x24"), render(&s, 80, 24).backend());
        insta::assert_snapshot!(format!("{name}_120x40"), render(&s, 120, 40).backend());
    }
    s.popup = Some(Popup::Confirm(Confirm::Logout(SessionId(1))));
    insta::assert_snapshot!("confirm_logout_80x24", render(&s, 80, 24).backend());
    insta::assert_snapshot!("confirm_logout_120x40", render(&s, 120, 40).backend());
    s.popup = Some(Popup::Confirm(Confirm::Quit));
    insta::assert_snapshot!("confirm_quit_80x24", render(&s, 80, 24).backend());
}

#[test]
fn empty_first_run() {
    let s = AppState::new(Keymap::default(), NOW);
    let t = render(&s, 80, 24);
    assert!(find(t.backend().buffer(), "press n to link").is_some());
    insta::assert_snapshot!("first_run_80x24", t.backend());
}

#[test]
fn tiny_terminals_do_not_panic() {
    let mut s = fixture();
    for popup in [
        None,
        Some(Popup::Help { scroll: 99 }),
        Some(Popup::Confirm(Confirm::Quit)),
        Some(Popup::Pairing {
            session: SessionId(1),
            state: Pairing::Qr {
                code: QR.into(),
                expires_at: NOW,
            },
        }),
    ] {
        s.popup = popup;
        for (w, h) in [(1, 1), (10, 4), (30, 8), (60, 12)] {
            let t = render(&s, w, h);
            assert_eq!(t.backend().buffer().area.width, w);
        }
    }
}

#[test]
fn every_event_kind_in_words() {
    let s = fixture();
    let text: Vec<String> = s
        .visible_events()
        .iter()
        .map(|e| wamod::ui::panes::events::describe(e))
        .collect();
    insta::assert_snapshot!("event_descriptions", text.join("\n"));
    assert!(text.iter().any(|t| t == "approval mode: on"));
    // Older events are a scroll away: the cursor at the bottom shows the oldest.
    let mut s = s;
    s.focus = Pane::Events;
    let last = s.visible_events().len() - 1;
    s.list_mut(Pane::Events).cursor = last;
    insta::assert_snapshot!("pane_events_scrolled_120x40", render(&s, 120, 40).backend());
}

#[test]
fn session_badges_follow_the_connection() {
    let mut s = fixture();
    let states = [
        ConnState::Connected,
        ConnState::Connecting,
        ConnState::Disconnected {
            reason: "stream ended".into(),
            retry_in_secs: Some(12),
        },
        ConnState::Pairing,
        ConnState::LoggedOut,
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
        ("○ logged out", theme.status_logged_out),
    ];
    // Four rows fit at 120x40; the fifth after moving the cursor down.
    for cursor in [0, 4] {
        s.list_mut(Pane::Sessions).cursor = cursor;
        let t = render(&s, 120, 40);
        let buf = t.backend().buffer();
        if cursor == 0 {
            insta::assert_snapshot!("sessions_all_states_120x40", t.backend());
        }
        for (label, colour) in &expected {
            if let Some((x, y)) = find(buf, label) {
                assert_eq!(buf[(x, y)].fg, *colour, "{label}");
            }
        }
        assert!(find(buf, "not linked").is_some());
    }
    let t = render(&s, 120, 40);
    assert!(find(t.backend().buffer(), "○ logged out").is_some());
    assert!(find(t.backend().buffer(), "5 sessions · 1 online · 1 pairing").is_some());
}

// ---- moderation popups -------------------------------------------------------------------

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use wamod::app::msg::Msg;
use wamod::app::update::update;
use wamod::ops::{Answer, OpId, OpReport, Outcome, TargetOutcome};

fn press(s: &mut AppState, keys: &str) {
    for c in keys.chars() {
        update(
            s,
            Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)),
        );
    }
}

fn press_code(s: &mut AppState, code: KeyCode) {
    update(s, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

fn both(name: &str, s: &AppState) {
    insta::assert_snapshot!(format!("{name}_120x40"), render(s, 120, 40).backend());
    insta::assert_snapshot!(format!("{name}_80x24"), render(s, 80, 24).backend());
}

#[test]
fn moderation_dialogs() {
    // Add participants: a pasted list with one bad entry keeps the text and says which.
    let mut s = fixture();
    press(&mut s, "3a");
    update(
        &mut s,
        Msg::Paste("+1 555 000 5555\n+12\n15550006666@s.whatsapp.net".into()),
    );
    press_code(&mut s, KeyCode::Enter);
    assert!(
        matches!(&s.popup, Some(Popup::Input(d)) if d.error.as_deref().is_some_and(|e| e.contains("#2")))
    );
    both("dialog_add_participants", &s);

    // Subject, prefilled, with its counter.
    let mut s = fixture();
    press(&mut s, "2e");
    both("dialog_subject", &s);

    // Description: several lines.
    let mut s = fixture();
    press(&mut s, "2E");
    update(
        &mut s,
        Msg::Paste("Be kind.\nNo spam.\nAdmins: Dana, Sam".into()),
    );
    both("dialog_description", &s);

    // Join by link.
    let mut s = fixture();
    press(&mut s, "2J");
    update(
        &mut s,
        Msg::Paste("https://chat.whatsapp.com/AbCdEfGhIjKlMnOpQrStUv".into()),
    );
    both("dialog_join", &s);

    // Settings with one change pending.
    let mut s = fixture();
    press(&mut s, "2S");
    press_code(&mut s, KeyCode::Down);
    press(&mut s, " ");
    both("dialog_settings", &s);

    // Create form.
    let mut s = fixture();
    press(&mut s, "2C");
    update(&mut s, Msg::Paste("Launch crew".into()));
    press_code(&mut s, KeyCode::Tab);
    update(
        &mut s,
        Msg::Paste("+1 555 000 3333\n+1 555 000 4444".into()),
    );
    both("dialog_create", &s);

    // Remove three marked participants: the confirm names them.
    let mut s = fixture();
    press(&mut s, "3j j j x");
    assert!(matches!(s.popup, Some(Popup::Confirm(Confirm::Op { .. }))));
    both("confirm_remove", &s);
}

fn report() -> OpReport {
    let t = |phone: &str, outcome: Outcome| TargetOutcome {
        jid: format!("{}@s.whatsapp.net", phone.trim_start_matches('+')),
        phone: Some(phone.into()),
        outcome,
    };
    OpReport {
        id: OpId(7),
        session: SessionId(1),
        group: Some(gid(2)),
        group_subject: "Acme Customer Support".into(),
        action: "add",
        title: "Add 5 participants".into(),
        outcome: Outcome::Done,
        targets: vec![
            t("+15550005555", Outcome::Done),
            t(
                "+15550004444",
                Outcome::PrivacyBlocked {
                    invite_code: Some("Xy12".into()),
                },
            ),
            t("+15550003333", Outcome::AlreadyMember),
            t("+15550009999", Outcome::NotFound),
            t(
                "+15550008888",
                Outcome::Unknown {
                    why: "no answer from WhatsApp within 30s".into(),
                },
            ),
        ],
        answer: None,
        at: NOW,
    }
}

#[test]
fn results_invite_and_answers() {
    let mut s = fixture();
    s.popup = Some(Popup::Result {
        report: report(),
        scroll: 0,
    });
    both("result_view", &s);

    // `i` from a privacy refusal: the invite popup with its QR.
    press(&mut s, "i");
    assert!(matches!(s.popup, Some(Popup::Invite { link: None, .. })));
    let asked = OpId(s.next_op);
    update(
        &mut s,
        Msg::EngineBatch(vec![wamod::protocol::Update::OpDone(Box::new(OpReport {
            id: asked,
            action: "invite-link",
            title: "Get the invite link".into(),
            targets: Vec::new(),
            answer: Some(Answer::InviteLink(
                "https://chat.whatsapp.com/AbCdEfGhIjKlMnOpQrStUv".into(),
            )),
            ..report()
        }))]),
    );
    assert!(matches!(s.popup, Some(Popup::Invite { link: Some(_), .. })));
    both("invite_qr", &s);

    // Preview before joining.
    s.popup = Some(Popup::Preview {
        session: SessionId(1),
        preview: Answer::Preview {
            code: "AbCdEfGhIjKlMnOpQrStUv".into(),
            group: gid(9),
            subject: "Riverside Open Chat".into(),
            size: 1024,
            description: Some("Everyone in Riverside. Be kind.".into()),
            approval: true,
        },
    });
    both("join_preview", &s);

    // A stale description.
    s.popup = Some(Popup::DescriptionConflict {
        session: SessionId(1),
        group: gid(2),
        text: "mine".into(),
    });
    both("description_conflict", &s);

    // Pending work and a rate-limit pause show in the status bar.
    s.popup = None;
    press(&mut s, "4A");
    press(&mut s, "y");
    s.paused.insert(SessionId(1), NOW + 23);
    s.status = None;
    insta::assert_snapshot!(
        "status_pending_paused_120x40",
        render(&s, 120, 40).backend()
    );
}

#[test]
fn audit_view() {
    let mut s = fixture();
    let row =
        |i: i64, subject: &str, action: &str, who: &str, outcome: &str, detail: Option<&str>| {
            wamod::protocol::AuditRow {
                op: i,
                session: 1,
                group: None,
                group_subject: subject.into(),
                action: action.into(),
                actor: Some("+15550001111".into()),
                sent_at: NOW - 60 * i,
                answered_at: Some(NOW - 60 * i + 1),
                target: None,
                target_phone: Some(who.into()),
                outcome: outcome.into(),
                detail: detail.map(str::to_string),
            }
        };
    s.popup = Some(Popup::Audit {
        filter: String::new(),
        rows: Some(vec![
            row(
                1,
                "Acme Customer Support",
                "approve",
                "+15550300001",
                "done",
                None,
            ),
            row(
                2,
                "Acme Customer Support",
                "add",
                "+15550004444",
                "privacy-blocked",
                Some("blocked by their privacy settings: send them the invite link"),
            ),
            row(
                3,
                "Staff Room",
                "remove",
                "+15550200388",
                "unknown",
                Some("unknown: no answer from WhatsApp within 30s"),
            ),
            row(
                4,
                "Marathon Training Club",
                "promote",
                "+15550003333",
                "done",
                None,
            ),
        ]),
        scroll: 0,
    });
    both("audit_view", &s);
}

/// The first frame of a restart, drawn from wamod.db before any network work (no engine runs
/// here at all: the network is out of reach).
#[test]
fn first_frame_from_the_cache() {
    use wamod::protocol::Update;
    let tmp = tempfile::tempdir().expect("tmp");
    let db = tmp.path().join("wamod.db");
    let sessions = tmp.path().join("sessions");
    std::fs::create_dir_all(sessions.join("1")).expect("dir");
    std::fs::write(sessions.join("1/whatsapp.db"), b"").expect("key store stand-in");
    let live = fixture();
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
    wamod::store::Store::open(&db)
        .expect("db")
        .apply_updates(&writes, NOW - 300)
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
    insta::assert_snapshot!("cache_first_frame_120x40", t.backend());
}

/// Puts the groups cursor on the row with this subject.
fn cursor_on(s: &mut AppState, subject: &str) {
    let i = s
        .group_rows()
        .iter()
        .position(|r| r.group.subject == subject)
        .expect("row");
    s.focus = Pane::Groups;
    s.list_mut(Pane::Groups).cursor = i;
}

#[test]
fn community_tree_and_dialogs() {
    let mut s = fixture();
    // The community lists a subgroup Dana is not in (from WhatsApp's subgroup list).
    let mut allotments = group(13, "Allotment Swap", 19, None, 0);
    allotments.community = CommunityMark::Subgroup { parent: gid(8) };
    update(
        &mut s,
        Msg::EngineBatch(vec![wamod::protocol::Update::Subgroups {
            session: SessionId(1),
            community: gid(8),
            subgroups: vec![allotments],
        }]),
    );
    cursor_on(&mut s, "Allotment Swap");
    insta::assert_snapshot!("community_tree_120x40", render(&s, 120, 40).backend());
    // Enter on it: join it, after asking.
    press_code(&mut s, KeyCode::Enter);
    insta::assert_snapshot!(
        "community_join_subgroup_120x40",
        render(&s, 120, 40).backend()
    );

    let mut s = fixture();
    cursor_on(&mut s, "Neighbourhood Watch");
    press(&mut s, "z");
    assert_eq!(
        s.group_rows()[s.list(Pane::Groups).cursor].group.subject,
        "Riverside Community",
        "folding from a subgroup lands on its community"
    );
    insta::assert_snapshot!("community_folded_80x24", render(&s, 80, 24).backend());

    let mut s = fixture();
    press(&mut s, "2N");
    update(&mut s, Msg::Paste("Riverside Makers".into()));
    both("dialog_create_community", &s);

    let mut s = fixture();
    cursor_on(&mut s, "Riverside Community");
    press(&mut s, "B");
    insta::assert_snapshot!(
        "dialog_create_subgroup_120x40",
        render(&s, 120, 40).backend()
    );

    let mut s = fixture();
    cursor_on(&mut s, "Community Garden");
    press(&mut s, "L");
    press(&mut s, " ");
    insta::assert_snapshot!(
        "community_link_picker_120x40",
        render(&s, 120, 40).backend()
    );

    let mut s = fixture();
    cursor_on(&mut s, "Community Garden");
    press(&mut s, "U");
    both("community_unlink_confirm", &s);

    let mut s = fixture();
    cursor_on(&mut s, "Riverside Community");
    press(&mut s, "X");
    insta::assert_snapshot!("community_deactivate_80x24", render(&s, 80, 24).backend());
}
