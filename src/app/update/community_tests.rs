//! Reducer tests for the community tree and its keys: order, folding, filtering, and what each
//! key asks or sends.

use ratatui::crossterm::event::KeyCode;

use crate::app::state::CreateKind;
use crate::app::test_support::*;
use crate::ops::Op;

fn group(n: u32, subject: &str, role: Option<Role>, community: CommunityMark) -> GroupSummary {
    GroupSummary {
        id: gid(n),
        subject: subject.into(),
        size: n as usize,
        my_role: role,
        community,
        ..Default::default()
    }
}

/// Alpha (admin, flat), Hub (admin community: announcement, Garden, and Orchard which we are
/// not in), Other Hub (member only, with Pond), Zulu (member, flat).
fn fixture() -> AppState {
    let sub = |p: u32| CommunityMark::Subgroup { parent: gid(p) };
    let admin = Some(Role::Admin);
    let mut s = state_after([
        session_s1(),
        Update::Groups {
            session: S1,
            groups: vec![
                group(1, "Alpha", admin, CommunityMark::None),
                group(2, "Hub", admin, CommunityMark::Community),
                group(
                    3,
                    "Hub Announcements",
                    admin,
                    CommunityMark::Announcement { parent: gid(2) },
                ),
                group(4, "Garden", admin, sub(2)),
                group(5, "Other Hub", Some(Role::Member), CommunityMark::Community),
                group(6, "Pond", Some(Role::Member), sub(5)),
                group(7, "Zulu", Some(Role::Member), CommunityMark::None),
            ],
        },
        Update::Subgroups {
            session: S1,
            community: gid(2),
            subgroups: vec![
                group(4, "Garden", None, sub(2)),
                group(8, "Orchard", None, sub(2)),
            ],
        },
    ]);
    s.focus = Pane::Groups;
    s
}

fn rows(s: &AppState) -> Vec<(String, u8, bool)> {
    s.group_rows()
        .iter()
        .map(|r| (r.group.subject.clone(), r.depth, r.joined))
        .collect()
}

fn cursor_on(s: &mut AppState, subject: &str) -> Vec<Effect> {
    let i = rows(s).iter().position(|r| r.0 == subject).expect("row");
    s.list_mut(Pane::Groups).cursor = i;
    super::nav::select_group_at_cursor(s)
}

fn sent(effects: &[Effect]) -> Vec<(Option<GroupId>, Op)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Send(Action::Run { group, op, .. }) => Some((group.clone(), op.clone())),
            _ => None,
        })
        .collect()
}

#[test]
fn the_tree_orders_folds_and_filters() {
    let mut s = fixture();
    let names = |s: &AppState| rows(s).into_iter().map(|r| r.0).collect::<Vec<_>>();
    assert_eq!(
        names(&s),
        [
            "Alpha",
            "Hub",
            "Hub Announcements",
            "Garden",
            "Orchard",
            "Other Hub",
            "Pond",
            "Zulu"
        ]
    );
    assert_eq!(
        rows(&s)[4],
        ("Orchard".into(), 1, false),
        "listed, not joined"
    );
    // Selecting a subgroup we are not in loads nothing.
    assert!(cursor_on(&mut s, "Orchard").is_empty());
    // Fold Hub from one of its subgroups: the cursor lands on Hub.
    cursor_on(&mut s, "Garden");
    press(&mut s, "z");
    assert_eq!(
        names(&s),
        ["Alpha", "Hub", "Other Hub", "Pond", "Zulu"],
        "folded"
    );
    assert_eq!(s.list(Pane::Groups).cursor, 1);
    // A filter looks inside folded communities and keeps the community as context.
    press(&mut s, "/orch");
    assert_eq!(names(&s), ["Hub", "Orchard"]);
    update(&mut s, code(KeyCode::Esc));
    // Z folds every community while one is open, then unfolds them all.
    press(&mut s, "Z");
    assert_eq!(names(&s), ["Alpha", "Hub", "Other Hub", "Zulu"]);
    press(&mut s, "Z");
    assert_eq!(names(&s).len(), 8);
    // Sorting by size applies inside communities too; the announcement group stays first.
    press(&mut s, "s");
    assert_eq!(
        names(&s),
        [
            "Zulu",
            "Other Hub",
            "Pond",
            "Hub",
            "Hub Announcements",
            "Orchard",
            "Garden",
            "Alpha"
        ]
    );
}

#[test]
fn create_a_community_and_a_subgroup() {
    let mut s = fixture();
    press(&mut s, "N");
    assert!(matches!(&s.popup, Some(Popup::Create(c)) if c.kind == CreateKind::Community));
    let ctrl_s = |s: &mut AppState| update(s, ctrl('s'));
    // An empty name is refused in the form.
    assert!(sent(&ctrl_s(&mut s)).is_empty());
    assert!(matches!(&s.popup, Some(Popup::Create(c)) if c.error.is_some()));
    press(&mut s, "Makers");
    // Tab skips the participants field: name, description, approval.
    update(&mut s, code(KeyCode::Tab));
    assert!(matches!(&s.popup, Some(Popup::Create(c)) if c.field == 2));
    update(&mut s, code(KeyCode::Tab));
    press(&mut s, " ");
    let ops = sent(&ctrl_s(&mut s));
    assert_eq!(
        ops,
        [(
            None,
            Op::CreateCommunity(crate::ops::NewCommunity {
                name: "Makers".into(),
                description: None,
                approval: true
            })
        )]
    );

    // B inside Hub: a subgroup there, with participants.
    cursor_on(&mut s, "Garden");
    press(&mut s, "B");
    assert!(
        matches!(&s.popup, Some(Popup::Create(c)) if matches!(&c.kind, CreateKind::Subgroup { community, .. } if *community == gid(2)))
    );
    press(&mut s, "Tools");
    update(&mut s, code(KeyCode::Tab));
    press(&mut s, "+1 555 000 9999");
    let ops = sent(&ctrl_s(&mut s));
    assert!(
        matches!(&ops[..], [(Some(g), Op::CreateSubgroup(n))] if *g == gid(2) && n.subject == "Tools" && n.participants == ["15550009999@s.whatsapp.net"]),
        "{ops:?}"
    );
    // Not an admin of Other Hub: explained, not sent.
    cursor_on(&mut s, "Pond");
    assert!(press(&mut s, "B").is_empty());
    assert!(s.popup.is_none());
    assert!(
        s.status
            .as_ref()
            .is_some_and(|l| l.text.contains("not an admin of Other Hub"))
    );
}

#[test]
fn link_unlink_join_and_deactivate() {
    let mut s = fixture();
    // L offers the groups we admin that are in no community.
    cursor_on(&mut s, "Hub");
    press(&mut s, "L");
    let Some(Popup::Link(p)) = &s.popup else {
        panic!("picker: {:?}", s.popup)
    };
    assert_eq!(p.candidates, [(gid(1), "Alpha".to_string())]);
    let ops = sent(&update(&mut s, code(KeyCode::Enter)));
    assert_eq!(ops, [(Some(gid(2)), Op::Link(vec![gid(1).0]))]);

    // U on a subgroup asks; r also removes the orphans, y keeps them.
    cursor_on(&mut s, "Garden");
    press(&mut s, "U");
    assert!(matches!(
        &s.popup,
        Some(Popup::Confirm(Confirm::Op {
            op: Op::Unlink { .. },
            ..
        }))
    ));
    let ops = sent(&press(&mut s, "r"));
    assert_eq!(
        ops,
        [(
            Some(gid(2)),
            Op::Unlink {
                groups: vec![gid(4).0],
                remove_orphans: true
            }
        )]
    );
    press(&mut s, "U");
    let ops = sent(&press(&mut s, "y"));
    assert!(matches!(
        &ops[..],
        [(
            _,
            Op::Unlink {
                remove_orphans: false,
                ..
            }
        )]
    ));
    // The announcement group cannot be unlinked, and says why.
    cursor_on(&mut s, "Hub Announcements");
    assert!(press(&mut s, "U").is_empty() && s.popup.is_none());

    // Enter on a subgroup we are not in: join it, after asking.
    cursor_on(&mut s, "Orchard");
    update(&mut s, code(KeyCode::Enter));
    let ops = sent(&press(&mut s, "y"));
    assert_eq!(ops, [(Some(gid(2)), Op::JoinSubgroup(gid(8).0))]);

    // X deactivates the community of the row, after asking; n sends nothing.
    cursor_on(&mut s, "Garden");
    press(&mut s, "X");
    assert!(sent(&press(&mut s, "n")).is_empty());
    press(&mut s, "X");
    assert_eq!(sent(&press(&mut s, "y")), [(Some(gid(2)), Op::Deactivate)]);
    // Outside a community there is nothing to deactivate.
    cursor_on(&mut s, "Alpha");
    assert!(press(&mut s, "X").is_empty() && s.popup.is_none());
}

#[test]
fn link_and_unlink_notifications_move_groups_in_the_tree() {
    // The engine sends the changed groups; the tree follows their marks.
    let mut s = fixture();
    let mut alpha = group(
        1,
        "Alpha",
        Some(Role::Admin),
        CommunityMark::Subgroup { parent: gid(2) },
    );
    alpha.size = 1;
    update(
        &mut s,
        Msg::EngineBatch(vec![Update::Group {
            session: S1,
            group: alpha,
        }]),
    );
    let r = rows(&s);
    let hub = r.iter().position(|x| x.0 == "Hub").expect("hub");
    assert!(
        r[hub + 1..]
            .iter()
            .take_while(|x| x.1 == 1)
            .any(|x| x.0 == "Alpha")
    );
}

#[test]
fn removing_from_a_communitys_roster_removes_from_all_its_groups() {
    let mut s = fixture();
    cursor_on(&mut s, "Hub");
    let person = Participant {
        jid: "15550009999@s.whatsapp.net".into(),
        phone: Some("+15550009999".into()),
        lid: None,
        role: Role::Member,
    };
    update(
        &mut s,
        Msg::EngineBatch(vec![Update::CommunityMembers {
            session: S1,
            community: gid(2),
            participants: vec![person],
        }]),
    );
    press(&mut s, "3x");
    let Some(Popup::Confirm(c @ Confirm::Op { op, .. })) = &s.popup else {
        panic!("confirm: {:?}", s.popup)
    };
    assert_eq!(
        op,
        &Op::RemoveFromCommunity(vec!["15550009999@s.whatsapp.net".into()])
    );
    let Confirm::Op { group, names, .. } = c else {
        unreachable!()
    };
    assert!(
        crate::app::state::question(&s, op, group.as_ref(), names)
            .contains("from Hub and from every group in it")
    );
}

#[test]
fn joining_the_selected_subgroup_loads_its_roster() {
    let mut s = fixture();
    // Orchard (not in it) has nothing to load.
    assert!(cursor_on(&mut s, "Orchard").is_empty());
    // The join's own notification brings a row for it: now its roster is asked for. A second
    // row of the same group asks nothing more.
    let orchard = group(
        8,
        "Orchard",
        Some(Role::Member),
        CommunityMark::Subgroup { parent: gid(2) },
    );
    let effects = update(
        &mut s,
        Msg::EngineBatch(vec![Update::Group {
            session: S1,
            group: orchard.clone(),
        }]),
    );
    assert_eq!(
        effects,
        [Effect::Send(Action::LoadRoster {
            session: S1,
            group: gid(8),
        })]
    );
    let again = update(
        &mut s,
        Msg::EngineBatch(vec![Update::Group {
            session: S1,
            group: orchard,
        }]),
    );
    assert!(again.is_empty(), "{again:?}");
    // Joined as an admin (a whole new list, as after the reload): the requests too.
    let mut s = fixture();
    cursor_on(&mut s, "Orchard");
    let mut groups = s.groups[&S1].clone();
    groups.push(group(
        8,
        "Orchard",
        Some(Role::Admin),
        CommunityMark::Subgroup { parent: gid(2) },
    ));
    let effects = update(
        &mut s,
        Msg::EngineBatch(vec![Update::Groups {
            session: S1,
            groups,
        }]),
    );
    assert_eq!(
        effects,
        [
            Effect::Send(Action::LoadRoster {
                session: S1,
                group: gid(8),
            }),
            Effect::Send(Action::LoadRequests {
                session: S1,
                group: gid(8),
            })
        ]
    );
}
