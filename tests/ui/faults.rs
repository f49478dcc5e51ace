//! What the view shows when something is wrong: the audit log unavailable (a banner over
//! everything), and text from strangers that tries to reorder or hide rows.

use wamod::app::msg::Msg;
use wamod::app::update::update;
use wamod::protocol::Update;

use crate::fixture::fixture;
use crate::{both, find, render};

#[test]
fn the_audit_log_unavailable_is_a_banner_that_stays() {
    let mut s = fixture();
    update(
        &mut s,
        Msg::EngineBatch(vec![Update::AuditUnavailable {
            why: "cannot open /home/dana/.local/share/wamod/wamod.db: file is not a database"
                .into(),
        }]),
    );
    both("audit_unavailable", &s);
    // Hours later, and after other messages, it is still there.
    let later = s.now + 3 * 3600;
    update(&mut s, Msg::Tick(later));
    let t = render(&s, 120, 40);
    let at = find(t.backend().buffer(), "Audit log unavailable");
    assert_eq!(at.map(|(_, y)| y), Some(0), "the top line");
}
