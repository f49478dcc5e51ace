//! Identity changes under a group: a member's new number (`<modify>`) and a group moving from
//! phone numbers to LIDs. Neither may read as people leaving and joining.

use wamod::domain::{GroupEventKind, Participant};
use wamod::protocol::Update;
use wamod::sim::scenario::Activity;
use wamod::sim::world::AddressingMode;

use super::support::fixture::{CLUB, DANA, NEWBIE, RILEY, TEAM, simulator};
use super::{engine, gid, pair, until, wait};

/// Team's roster, asked for now.
async fn team_roster(
    h: &mut super::TestEngine,
    state: &mut wamod::app::state::AppState,
    s: wamod::domain::SessionId,
) -> Vec<Participant> {
    h.actions
        .send(wamod::protocol::Action::LoadRoster {
            session: s,
            group: gid(TEAM),
        })
        .expect("engine");
    wait(h, state, "Team's roster", |u, _| match u {
        Update::Roster {
            group,
            participants,
            ..
        } if *group == gid(TEAM) => Some(participants.clone()),
        _ => None,
    })
    .await
}

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
    // The migration below sends no notification: only reading again after the drop finds it.
    let (mut h, mut state) = super::engine_resyncing(&sim, tmp.path());
    let s = pair(&mut h, &mut state, &sim, DANA).await;
    // The first sync has read every group: no fetch of it can cross the change below.
    super::synced_again(&mut h, &mut state).await;
    let before = team_roster(&mut h, &mut state, s).await;
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
    let after = team_roster(&mut h, &mut state, s).await;
    assert!(after.iter().all(|p| p.jid.ends_with("@lid")), "{after:?}");
    assert_eq!(after.len(), before.len());
    let missed: Vec<_> = state
        .events
        .iter()
        .filter(|e| e.found_on_reconnect && e.group == gid(TEAM))
        .collect();
    assert!(missed.is_empty(), "{missed:?}");
}

/// Names come with what people do (the `notify` of each group notification): shown, searched,
/// kept in the cache and exported with the requests.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn people_are_known_by_the_names_whatsapp_gives() {
    use wamod::app::state::Pane;
    use wamod::protocol::{Filter, Format, Table};
    let sim = simulator();
    let tmp = tempfile::tempdir().expect("tmp");
    let (mut h, mut state) = engine(&sim, tmp.path());
    let s = pair(&mut h, &mut state, &sim, DANA).await;
    sim.apply(&Activity::RequestJoin {
        phone: NEWBIE.into(),
        group: CLUB.into(),
    })
    .expect("request");
    let newbie = format!("+{NEWBIE}");
    until(&mut h, &mut state, "the requester's name", |st| {
        st.name_of(s, Some(&newbie), "") == Some("Nico Newbie")
    })
    .await;
    // Found by name in the requests of the group.
    state.current_session = Some(s);
    state.current_group = Some(gid(CLUB));
    until(&mut h, &mut state, "the request listed", |st| {
        st.requests.get(&(s, gid(CLUB))).is_some_and(|r| {
            r.iter()
                .any(|x| x.phone.as_deref() == Some(newbie.as_str()))
        })
    })
    .await;
    state.list_mut(Pane::Requests).filter = "nico".into();
    assert_eq!(state.visible_requests().len(), 1);
    h.actions
        .send(wamod::protocol::Action::Shutdown)
        .expect("engine");
    h.handle.task.await.expect("engine stopped");
    let store = wamod::store::Store::open_existing(&tmp.path().join("wamod.db")).expect("db");
    let mut out = Vec::new();
    store
        .export(Table::Requests, Format::Csv, &Filter::default(), &mut out)
        .expect("export");
    let csv = String::from_utf8(out).expect("utf-8");
    assert!(
        csv.contains(&format!("{newbie},")) && csv.contains("Nico Newbie"),
        "{csv}"
    );
    let cached = store.load_cache().expect("cache");
    assert!(
        cached[0]
            .names
            .iter()
            .any(|(id, name)| id == &newbie && name == "Nico Newbie")
    );
}
