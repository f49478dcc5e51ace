//! Identity changes under a group: a member's new number (`<modify>`) and a group moving from
//! phone numbers to LIDs. Neither may read as people leaving and joining.

use wamod::domain::{GroupEventKind, Participant};
use wamod::protocol::Update;
use wamod::sim::scenario::Activity;
use wamod::sim::world::AddressingMode;

use super::support::fixture::{DANA, RILEY, TEAM, simulator};
use super::{engine, gid, pair, until, wait};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_numbers_and_lid_migrations_are_not_joins_and_leaves() {
    let sim = simulator();
    // Team starts on phone-number addressing.
    sim.world_mut(|w| {
        if let Some(g) = w.groups.get_mut(TEAM) {
            g.addressing = AddressingMode::Pn;
        }
    });
    let tmp = tempfile::tempdir().expect("tmp");
    let (mut h, mut state) = engine(&sim, tmp.path());
    let s = pair(&mut h, &mut state, &sim, DANA).await;
    let team_roster = |h: &mut super::TestEngine| {
        h.actions
            .send(wamod::protocol::Action::LoadRoster {
                session: s,
                group: gid(TEAM),
            })
            .expect("engine");
    };
    team_roster(&mut h);
    let before: Vec<Participant> = wait(&mut h, &mut state, "Team's roster", |u, _| match u {
        Update::Roster {
            group,
            participants,
            ..
        } if *group == gid(TEAM) => Some(participants.clone()),
        _ => None,
    })
    .await;
    assert!(before.iter().all(|p| p.jid.ends_with("@s.whatsapp.net")));

    // Riley's new number, live: the same row, and the feed says who became whom.
    let new_number = "15550009999";
    sim.apply(&Activity::ChangeNumber {
        phone: RILEY.into(),
        to: new_number.into(),
    })
    .expect("number changed");
    until(&mut h, &mut state, "the new number in the feed", |st| {
        st.events.iter().any(|e| {
            e.group == gid(TEAM)
                && e.kind
                    == GroupEventKind::NumberChanged {
                        from: format!("+{RILEY}"),
                        to: format!("+{new_number}"),
                    }
        })
    })
    .await;
    until(&mut h, &mut state, "Riley's row renumbered", |st| {
        st.rosters.get(&(s, gid(TEAM))).is_some_and(|r| {
            r.len() == before.len()
                && r.iter()
                    .any(|p| p.phone.as_deref() == Some(&format!("+{new_number}")))
        })
    })
    .await;

    // Team moves to LIDs while we are away: the reconnect finds the same people.
    sim.world_mut(|w| w.migrate_to_lid(TEAM)).expect("migrated");
    sim.drop_connections(Some(DANA));
    super::synced_again(&mut h, &mut state).await;
    team_roster(&mut h);
    let after: Vec<Participant> =
        wait(&mut h, &mut state, "Team's roster by LID", |u, _| match u {
            Update::Roster {
                group,
                participants,
                ..
            } if *group == gid(TEAM) => Some(participants.clone()),
            _ => None,
        })
        .await;
    assert!(after.iter().all(|p| p.jid.ends_with("@lid")), "{after:?}");
    assert_eq!(after.len(), before.len());
    let missed: Vec<_> = state
        .events
        .iter()
        .filter(|e| e.found_on_reconnect && e.group == gid(TEAM))
        .collect();
    assert!(missed.is_empty(), "{missed:?}");
}
