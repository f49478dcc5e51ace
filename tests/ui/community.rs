//! Communities in the groups pane: the tree with a subgroup Dana is not in, folding, and the
//! community dialogs (create, add a subgroup, link, unlink, deactivate).

use ratatui::crossterm::event::KeyCode;
use wamod::app::msg::Msg;
use wamod::app::state::{AppState, Pane};
use wamod::app::update::update;
use wamod::domain::{CommunityMark, SessionId};

use crate::fixture::{fixture, gid, group};
use crate::{both, press, press_code, snapshot_at};

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
    snapshot_at("community_tree_120x40", &s, 120, 40);
    // Enter on it: join it, after asking.
    press_code(&mut s, KeyCode::Enter);
    snapshot_at("community_join_subgroup_120x40", &s, 120, 40);

    let mut s = fixture();
    cursor_on(&mut s, "Neighbourhood Watch");
    press(&mut s, "z");
    assert_eq!(
        s.group_rows()[s.list(Pane::Groups).cursor].group.subject,
        "Riverside Community",
        "folding from a subgroup lands on its community"
    );
    snapshot_at("community_folded_80x24", &s, 80, 24);

    let mut s = fixture();
    press(&mut s, "2N");
    update(&mut s, Msg::Paste("Riverside Makers".into()));
    both("dialog_create_community", &s);

    let mut s = fixture();
    cursor_on(&mut s, "Riverside Community");
    press(&mut s, "B");
    snapshot_at("dialog_create_subgroup_120x40", &s, 120, 40);

    let mut s = fixture();
    cursor_on(&mut s, "Community Garden");
    press(&mut s, "L");
    press(&mut s, " ");
    snapshot_at("community_link_picker_120x40", &s, 120, 40);

    let mut s = fixture();
    cursor_on(&mut s, "Community Garden");
    press(&mut s, "U");
    both("community_unlink_confirm", &s);

    let mut s = fixture();
    cursor_on(&mut s, "Riverside Community");
    press(&mut s, "X");
    snapshot_at("community_deactivate_80x24", &s, 80, 24);
}
