//! Every way a connection ends, as the simulator ends it the way WhatsApp does: the state and
//! its words, whether the engine rebuilds or waits for `r`, and the session event stored.

use std::sync::Arc;

use wamod::domain::{ConnState, Ending, GroupEventKind, LogoutReason, SessionId};
use wamod::engine::VersionSource;
use wamod::engine::bot::SIM_WA_VERSION;
use wamod::protocol::{Action, Filter, Format, Table, Update};
use wamod::sim::SimEvent;
use wamod::sim::endings::{Kick, LoginFailure};
use whatsapp_rust::http::{HttpClient, HttpRequest, HttpResponse};

use super::support::fixture::{DANA, SAM, simulator};
use super::{Endpoint, EngineConfig, PATIENCE, TestEngine, engine, pair, spawn, until, wait};

/// Waits for session `s` to reach a state `f` accepts; returns it.
async fn conn(
    h: &mut TestEngine,
    state: &mut wamod::app::state::AppState,
    s: SessionId,
    what: &str,
    f: impl Fn(&ConnState) -> bool,
) -> ConnState {
    wait(h, state, what, |u, _| match u {
        Update::Conn { session, state } if *session == s && f(state) => Some(state.clone()),
        _ => None,
    })
    .await
}

/// A session event (kind `Connection`) whose words contain `text`, in the UI's feed.
async fn recorded(h: &mut TestEngine, state: &mut wamod::app::state::AppState, text: &str) {
    until(h, state, text, |st| {
        st.events
            .iter()
            .any(|e| matches!(&e.kind, GroupEventKind::Connection { what } if what.contains(text)))
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_ending_is_a_state_in_words_and_r_reconnects() {
    let sim = simulator();
    let tmp = tempfile::tempdir().expect("tmp");
    let (mut h, mut state) = engine(&sim, tmp.path());
    let s = pair(&mut h, &mut state, &sim, DANA).await;
    // The phone lists the device by the name wamod gave it at pairing.
    assert_eq!(sim.device_names(DANA), vec![Some("wamod".to_string())]);

    // Replaced: no automatic reconnect; the state says so until `r`.
    assert_eq!(sim.kick(DANA, Kick::Replaced), 1);
    conn(&mut h, &mut state, s, "replaced", |c| {
        *c == ConnState::Ended(Ending::Replaced)
    })
    .await;
    recorded(&mut h, &mut state, "connection replaced").await;
    assert_eq!(state.session(s).map(|v| v.conn.label()), Some("stopped"));
    h.actions.send(Action::Refresh(s)).expect("engine");
    conn(&mut h, &mut state, s, "online after r", |c| {
        *c == ConnState::Connected
    })
    .await;

    // An outage (503): whatsapp-rust retries by itself, and the state says so meanwhile.
    sim.fail_logins(DANA, LoginFailure::new(503), 2);
    sim.drop_connections(Some(DANA));
    let down = conn(&mut h, &mut state, s, "unavailable", |c| {
        matches!(c, ConnState::Disconnected { reason, .. } if reason.contains("unavailable (503)"))
    })
    .await;
    assert!(matches!(
        down,
        ConnState::Disconnected {
            retry_in_secs: Some(_),
            ..
        }
    ));
    conn(&mut h, &mut state, s, "online after the outage", |c| {
        *c == ConnState::Connected
    })
    .await;

    // A temporary ban: its code and end, then `r` once it is over.
    sim.fail_logins(
        DANA,
        LoginFailure {
            reason: 402,
            expire: Some(600),
            code: Some(101),
        },
        1,
    );
    let before = chrono::Utc::now().timestamp();
    sim.drop_connections(Some(DANA));
    let banned = conn(&mut h, &mut state, s, "banned", |c| {
        matches!(c, ConnState::Ended(Ending::TemporaryBan { .. }))
    })
    .await;
    let ConnState::Ended(Ending::TemporaryBan { code, why, until }) = banned else {
        unreachable!()
    };
    assert_eq!(code, 101);
    assert!(why.contains("too many messages"), "{why}");
    assert!((before + 600..=before + 660).contains(&until), "{until}");
    recorded(&mut h, &mut state, "temporarily banned (101").await;
    h.actions.send(Action::Refresh(s)).expect("engine");
    conn(&mut h, &mut state, s, "online after the ban", |c| {
        *c == ConnState::Connected
    })
    .await;

    // Outdated (405) on a login.
    sim.fail_logins(DANA, LoginFailure::new(405), 1);
    sim.drop_connections(Some(DANA));
    conn(&mut h, &mut state, s, "outdated", |c| {
        *c == ConnState::Ended(Ending::Outdated)
    })
    .await;
    // While it is down, an operation is refused at once, not left hanging.
    h.actions
        .send(Action::Run {
            id: wamod::ops::OpId(99),
            session: s,
            group: Some(super::gid(super::CLUB)),
            op: wamod::ops::Op::SetSubject("Book club".into()),
        })
        .expect("engine");
    let report = wait(&mut h, &mut state, "not sent", |u, _| match u {
        Update::OpDone(r) => Some(r.clone()),
        _ => None,
    })
    .await;
    assert!(
        matches!(&report.outcome, wamod::ops::Outcome::NotSent { why } if why.contains("not connected")),
        "{:?}",
        report.outcome
    );
    h.actions.send(Action::Refresh(s)).expect("engine");
    conn(&mut h, &mut state, s, "online after 405", |c| {
        *c == ConnState::Connected
    })
    .await;

    // Another refusal (409, a bad user agent): its code, then `r`.
    sim.fail_logins(DANA, LoginFailure::new(409), 1);
    sim.drop_connections(Some(DANA));
    conn(&mut h, &mut state, s, "refused", |c| {
        *c == ConnState::Ended(Ending::Refused {
            code: 409,
            message: None,
        })
    })
    .await;
    h.actions.send(Action::Refresh(s)).expect("engine");
    conn(&mut h, &mut state, s, "online after 409", |c| {
        *c == ConnState::Connected
    })
    .await;

    // Removed from the phone: logged out, keys deleted, the words say how to link again.
    assert_eq!(sim.kick(DANA, Kick::Removed), 1);
    conn(&mut h, &mut state, s, "removed", |c| {
        *c == ConnState::LoggedOut(LogoutReason::Removed)
    })
    .await;
    recorded(&mut h, &mut state, "removed from the phone").await;
    assert!(!tmp.path().join("sessions/1").exists(), "keys deleted");

    // A locked account (403) on another session: logged out with WhatsApp's own words.
    let sam = pair(&mut h, &mut state, &sim, SAM).await;
    sim.fail_logins(SAM, LoginFailure::new(403), 1);
    sim.drop_connections(Some(SAM));
    let locked = conn(&mut h, &mut state, sam, "locked", |c| {
        matches!(c, ConnState::LoggedOut(_))
    })
    .await;
    assert!(
        matches!(&locked, ConnState::LoggedOut(LogoutReason::Locked { text: Some(t) }) if t.contains("locked")),
        "{locked:?}"
    );

    // Every ending is in the stored history, and so in its export.
    h.actions.send(Action::Shutdown).expect("engine");
    h.handle.task.await.expect("engine stopped");
    let store = wamod::store::Store::open_existing(&tmp.path().join("wamod.db")).expect("db");
    let mut out = Vec::new();
    store
        .export(Table::Events, Format::Csv, &Filter::default(), &mut out)
        .expect("export");
    let csv = String::from_utf8(out).expect("utf-8");
    for line in [
        "connection replaced",
        "disconnected: WhatsApp is unavailable (503)",
        "temporarily banned (101",
        "refused: outdated",
        "refused by WhatsApp (409)",
        "removed from the phone",
        "locked the account",
    ] {
        assert!(csv.contains(line), "{line} not in\n{csv}");
    }
}

/// The WhatsApp Web version: fetched from `sw.js` (here a fixture) when not pinned, refused
/// when too old; and a connection that cannot start says why.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn versions_and_unreachable_servers_are_named() {
    let sim = simulator();
    let tmp = tempfile::tempdir().expect("tmp");

    // Unreachable: retried, with the reason and the attempt in the state.
    sim.refuse_connections(true);
    let (mut h, mut state) = engine(&sim, tmp.path());
    h.actions.send(Action::NewSession).expect("engine");
    let s = SessionId(1);
    conn(&mut h, &mut state, s, "second attempt", |c| {
        matches!(c, ConnState::Disconnected { reason, attempt: 2.., .. } if reason.starts_with("cannot reach WhatsApp"))
    })
    .await;
    sim.refuse_connections(false);
    wait(&mut h, &mut state, "a QR code once reachable", |u, _| {
        matches!(u, Update::Qr { .. }).then_some(())
    })
    .await;
    h.actions.send(Action::CancelPairing(s)).expect("engine");

    // Too old for the server: refused as WhatsApp refuses it, before any QR code.
    sim.set_min_version(Some((2, 3000, SIM_WA_VERSION.2 + 1)));
    // (The cancelled session's number may be given again: any session will do.)
    h.actions.send(Action::NewSession).expect("engine");
    wait(&mut h, &mut state, "outdated", |u, _| {
        matches!(
            u,
            Update::Conn {
                state: ConnState::Ended(Ending::Outdated),
                ..
            }
        )
        .then_some(())
    })
    .await;
    h.actions.send(Action::Shutdown).expect("engine");

    // Not pinned: the version comes from WhatsApp Web's sw.js, answered here from a fixture.
    let fetched = (2, 3000, SIM_WA_VERSION.2 + 5);
    let mut events = sim.events();
    let dir = tempfile::tempdir().expect("tmp");
    let mut h = fetching(&sim, dir.path(), SwJs::Fixture);
    let mut state = wamod::app::state::AppState::new(Default::default(), 0);
    h.actions.send(Action::NewSession).expect("engine");
    wait(&mut h, &mut state, "a QR code", |u, _| {
        matches!(u, Update::Qr { .. }).then_some(())
    })
    .await;
    let announced = tokio::time::timeout(PATIENCE, async {
        loop {
            if let Ok(SimEvent::Hello { version, .. }) = events.recv().await {
                return version;
            }
        }
    })
    .await
    .expect("hello");
    assert_eq!(announced, Some(fetched));
    h.actions.send(Action::Shutdown).expect("engine");

    // A failing fetch is a connection that cannot start, in words.
    let dir = tempfile::tempdir().expect("tmp");
    let mut h = fetching(&sim, dir.path(), SwJs::Unavailable);
    h.actions.send(Action::NewSession).expect("engine");
    conn(&mut h, &mut state, SessionId(1), "version unreadable", |c| {
        matches!(c, ConnState::Disconnected { reason, .. } if reason == "cannot read WhatsApp Web's version (HTTP 503)")
    })
    .await;
}

/// What the injected HTTP client answers to the `sw.js` request.
enum SwJs {
    Fixture,
    Unavailable,
}

#[whatsapp_rust::async_trait]
impl HttpClient for SwJs {
    async fn execute(&self, request: HttpRequest) -> anyhow::Result<HttpResponse> {
        assert_eq!(request.url, "https://web.whatsapp.com/sw.js");
        Ok(match self {
            SwJs::Fixture => HttpResponse {
                status_code: 200,
                body: include_bytes!("../fixtures/sw.js").to_vec(),
            },
            SwJs::Unavailable => HttpResponse {
                status_code: 503,
                body: b"<html>unavailable</html>".to_vec(),
            },
        })
    }
}

fn fetching(sim: &wamod::sim::Simulator, dir: &std::path::Path, sw: SwJs) -> TestEngine {
    TestEngine::new(spawn(EngineConfig {
        sessions_dir: dir.join("sessions"),
        endpoint: Endpoint::in_process(sim.transport_factory()),
        version: VersionSource::Fetch(Arc::new(sw)),
        database: None,
        ..super::test_config(sim, dir)
    }))
}
