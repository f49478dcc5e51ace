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

/// Subjects and names from strangers: a right-to-left override, zero-width characters, CJK and
/// emoji. No row is reordered or hidden, and the columns after the subject stay in line.
#[test]
fn hostile_text_cannot_reorder_or_hide_rows() {
    use wamod::domain::SessionId;
    let mut s = fixture();
    let groups = s.groups.get_mut(&SessionId(1)).expect("dana's groups");
    groups.truncate(6);
    let subjects = [
        "\u{202E}puorG ruO\u{202C} 100",
        "\u{200B}\u{200B}\u{200B}",
        "家長會群組 4B 班",
        "🎉 Party 🎉 people",
        "Zero\u{200D}Width\u{2060}Join",
        "\u{2067}admins\u{2069} only",
    ];
    for (g, subject) in groups.iter_mut().zip(subjects) {
        g.subject = subject.into();
    }
    s.names
        .entry(SessionId(1))
        .or_default()
        .insert("+15550200002".into(), "\u{202E}nimdA anA".into());
    s.focus = wamod::app::state::Pane::Groups;
    both("hostile_text", &s);
    // Every group row has its role badge (after the subject and size) at the same place.
    let t = render(&s, 120, 40);
    let buf = t.backend().buffer();
    let badge_at = |y: u16| {
        let row: Vec<&str> = (0..42).map(|x| buf[(x, y)].symbol()).collect();
        (0..row.len().saturating_sub(3)).find(|&x| {
            ["★", "◆", "·"].contains(&row[x])
                && row[x + 1] == " "
                && ["s", "a", "m"].contains(&row[x + 2])
        })
    };
    let (_, title) = find(buf, "[2] Groups").expect("groups pane");
    let columns: Vec<usize> = (title + 2..title + 8).filter_map(badge_at).collect();
    assert_eq!(columns.len(), 6, "{columns:?}");
    assert!(
        columns.windows(2).all(|w| w[0] == w[1]),
        "role column moves: {columns:?}"
    );
}
