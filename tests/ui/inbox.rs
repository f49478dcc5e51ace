//! The inbox (`I`): every pending request of every group the sessions administer.

use ratatui::crossterm::event::KeyCode;
use wamod::app::state::{Pane, Popup};

use crate::fixture::fixture;
use crate::{both, press, press_code};

#[test]
fn the_inbox_lists_every_pending_request_and_goes_to_one() {
    let mut s = fixture();
    s.focus = Pane::Groups;
    press(&mut s, "I");
    assert!(
        matches!(s.popup, Some(Popup::Inbox { cursor: 0, .. })),
        "{:?}",
        s.popup
    );
    both("inbox", &s);
    press(&mut s, "j");
    let Some(Popup::Inbox { cursor, .. }) = s.popup else {
        panic!("{:?}", s.popup)
    };
    assert_eq!(cursor, 1);
    let second = wamod::app::state::inbox_rows(&s, Default::default())[1]
        .request
        .jid
        .clone();
    press_code(&mut s, KeyCode::Enter);
    assert!(s.popup.is_none());
    assert_eq!(s.focus, Pane::Requests);
    let rows = s.visible_requests();
    assert_eq!(rows[s.list(Pane::Requests).cursor].jid, second);
    // I toggles it; so does :inbox.
    press(&mut s, "I");
    press(&mut s, "I");
    assert!(s.popup.is_none());
    press(&mut s, ":inbox");
    press_code(&mut s, KeyCode::Enter);
    assert!(matches!(s.popup, Some(Popup::Inbox { .. })));
}
