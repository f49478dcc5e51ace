//! The control handle: what a test, the demo or an admin route can make the simulated world do.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Result, anyhow};
use tokio::sync::broadcast;
use tokio::task::JoinHandle;

use super::clock::now_unix;
use super::connection::scan_qr;
use super::delivery::deliver;
use super::endings::{Kick, LoginFailure, Version, fail_logins, kick};
use super::faults::FaultAction;
use super::listener::{Listener, listen};
use super::scenario::{Activity, Scenario};
use super::state::{Outbound, Phase, Shared, SimEvent, State};
use super::transport::InProcessTransportFactory;
use super::world::{GroupId, Notice, Phone, RequestMethod, WaError, WaResult, World};

/// A running simulated WhatsApp server. Cheap to clone; all clones drive the same server.
#[derive(Clone)]
pub struct Simulator {
    pub(crate) shared: Arc<Shared>,
}

impl Simulator {
    pub fn new(scenario: Scenario) -> Self {
        let mut state = State::default();
        install(&mut state, scenario);
        Self {
            shared: Shared::new(state),
        }
    }

    /// The shipped demo world.
    pub fn demo() -> Self {
        Self::new(Scenario::demo(now_unix()))
    }

    /// Replaces the world (devices stay paired, connections stay open).
    pub fn load_scenario(&self, scenario: Scenario) {
        install(&mut self.shared.lock(), scenario);
    }

    /// The transport to give `Bot::builder().with_transport_factory(..)` in tests.
    pub fn transport_factory(&self) -> InProcessTransportFactory {
        InProcessTransportFactory {
            shared: self.shared.clone(),
        }
    }

    /// Serves WebSocket clients and the admin routes on `addr` (use port 0 for any free port).
    pub async fn listen(&self, addr: SocketAddr) -> Result<Listener> {
        listen(self.clone(), addr).await
    }

    pub fn events(&self) -> broadcast::Receiver<SimEvent> {
        self.shared.events.subscribe()
    }

    /// The accounts a QR scan may link, in scenario order.
    pub fn operators(&self) -> Vec<Phone> {
        self.shared.lock().operators.clone()
    }

    /// The default operator account (the first in the scenario).
    pub fn operator(&self) -> Option<Phone> {
        self.shared.lock().operators.first().cloned()
    }

    /// The simulated phone of the default operator scans `code`.
    pub fn scan_qr(&self, code: &str) -> Result<(Phone, u16)> {
        let phone = self
            .operator()
            .ok_or_else(|| anyhow!("the scenario has no operator account"))?;
        scan_qr(&self.shared, code, &phone)
    }

    /// The phone of account `phone` scans `code`.
    pub fn scan_qr_as(&self, code: &str, phone: &str) -> Result<(Phone, u16)> {
        scan_qr(&self.shared, code, phone)
    }

    /// The user of account `phone` types the pairing `code` shown by a device on their phone.
    pub fn enter_pair_code(&self, phone: &str, code: &str) -> Result<()> {
        super::connection::enter_pair_code(&self.shared, phone, code).map(|_| ())
    }

    /// Reads the world.
    pub fn world<R>(&self, f: impl FnOnce(&World) -> R) -> R {
        f(&self.shared.lock().world)
    }

    /// The generated id of a scenario group key.
    /// Changes the world in place (tests: a shape option, the clock).
    pub fn world_mut<R>(&self, f: impl FnOnce(&mut World) -> R) -> R {
        f(&mut self.shared.lock().world)
    }

    pub fn group_id(&self, key: &str) -> Option<GroupId> {
        self.shared.lock().group_keys.get(key).cloned()
    }

    /// Registers a new companion device for `phone` without the QR dance, for clients whose key
    /// store is prepared by the caller (tests that are not about pairing). Returns its number.
    pub fn register_device(&self, phone: &str) -> Result<u16> {
        let mut st = self.shared.lock();
        let name = st
            .world
            .account(phone)
            .map(|a| a.name.clone())
            .ok_or_else(|| anyhow!("no account {phone} in the simulated world"))?;
        let device = st.next_device(phone);
        st.devices.insert(
            (phone.to_string(), device),
            super::state::DeviceRecord {
                push_name: name,
                name: None,
                prekeys: 0,
            },
        );
        Ok(device)
    }

    /// Paired devices, as (phone, device number).
    pub fn devices(&self) -> Vec<(Phone, u16)> {
        self.shared.lock().devices.keys().cloned().collect()
    }

    /// Logged-in connections, as (phone, device number).
    pub fn online(&self) -> Vec<(Phone, u16)> {
        let st = self.shared.lock();
        let mut v: Vec<_> = st
            .conns
            .values()
            .filter_map(|c| match &c.phase {
                Phase::LoggedIn { phone, device } => Some((phone.clone(), *device)),
                _ => None,
            })
            .collect();
        v.sort();
        v
    }

    /// Runs a world operation as a simulated actor and pushes its notices to connected devices.
    pub fn act<R>(&self, op: impl FnOnce(&mut World) -> WaResult<(R, Vec<Notice>)>) -> WaResult<R> {
        let mut st = self.shared.lock();
        st.world.now = now_unix();
        let (r, notices) = op(&mut st.world)?;
        deliver(&self.shared, &mut st, notices, None);
        Ok(r)
    }

    /// Plays one scripted activity (a simulated member or another admin doing something).
    pub fn apply(&self, activity: &Activity) -> WaResult<()> {
        fn done<T>(r: WaResult<(T, Vec<Notice>)>) -> WaResult<((), Vec<Notice>)> {
            r.map(|(_, n)| ((), n))
        }
        fn notices(r: WaResult<Vec<Notice>>) -> WaResult<((), Vec<Notice>)> {
            r.map(|n| ((), n))
        }
        if let Activity::Kick { phone, how } = activity {
            self.kick(phone, *how);
            return Ok(());
        }
        let one = |p: &Phone| vec![p.clone()];
        self.act(|w| match activity {
            Activity::Kick { .. } => Ok(((), Vec::new())),
            Activity::ChangeNumber { phone, to } => notices(w.change_number(phone, to)),
            Activity::MigrateToLid { group } => w.migrate_to_lid(group).map(|()| ((), Vec::new())),
            Activity::RequestJoin { phone, group } => {
                notices(w.request_join(phone, group, RequestMethod::InviteLink, None))
            }
            Activity::CancelRequest { phone, group } => {
                done(w.cancel_requests(phone, group, &one(phone)))
            }
            Activity::JoinByLink { phone, group } => {
                let code = w
                    .group(group)
                    .map(|g| g.invite_code.clone())
                    .ok_or(WaError::NOT_FOUND)?;
                done(w.join_by_code(phone, &code))
            }
            Activity::Leave { phone, group } => notices(w.leave(phone, group)),
            Activity::Add {
                actor,
                group,
                phone,
            } => done(w.add_participants(actor, group, &one(phone))),
            Activity::Remove {
                actor,
                group,
                phone,
            } => done(w.remove_participants(actor, group, &one(phone))),
            Activity::Promote {
                actor,
                group,
                phone,
            } => done(w.promote_participants(actor, group, &one(phone))),
            Activity::Demote {
                actor,
                group,
                phone,
            } => done(w.demote_participants(actor, group, &one(phone))),
            Activity::Subject {
                actor,
                group,
                subject,
            } => notices(w.set_subject(actor, group, subject)),
            Activity::Description { actor, group, body } => {
                let prev = w
                    .group(group)
                    .and_then(|g| g.description.as_ref().map(|d| d.id.clone()));
                let id = format!("sim{}", w.now);
                notices(w.set_description(actor, group, &id, prev.as_deref(), Some(body)))
            }
            Activity::Announce { actor, group, on } => notices(w.set_announce(actor, group, *on)),
            Activity::Locked { actor, group, on } => notices(w.set_locked(actor, group, *on)),
            Activity::Approval { actor, group, on } => notices(w.set_approval(actor, group, *on)),
        })
    }

    /// Plays the scenario's activity script in the background, in real time from now.
    pub fn play_activity(&self) -> JoinHandle<()> {
        let script = self.shared.lock().activity.clone();
        let sim = self.clone();
        tokio::spawn(async move {
            let start = tokio::time::Instant::now();
            for item in script {
                tokio::time::sleep_until(start + Duration::from_millis(item.after_ms)).await;
                if let Err(e) = sim.apply(&item.activity) {
                    tracing::debug!("sim activity {:?} refused: {e:?}", item.activity);
                }
            }
        })
    }

    /// The next `count` group requests of `kind` (see `groups_iq::op_kind`; "*" = any) get `action`.
    pub fn inject_fault(&self, kind: &str, action: FaultAction, count: u32) {
        self.shared.lock().faults.push(kind, action, count);
    }

    /// Like `inject_fault`, after `after` requests of `kind` went through (mid-operation).
    pub fn inject_fault_after(&self, kind: &str, action: FaultAction, count: u32, after: u32) {
        self.shared
            .lock()
            .faults
            .push_after(kind, action, count, after);
    }

    /// Added delay before every group answer.
    pub fn set_latency(&self, latency: Duration) {
        self.shared.lock().faults.latency = latency;
    }

    pub fn clear_faults(&self) {
        let mut st = self.shared.lock();
        st.faults.clear();
        st.refuse_connections = false;
    }

    /// While true, new connections fail at the transport, as when the server is unreachable.
    pub fn refuse_connections(&self, refuse: bool) {
        self.shared.lock().refuse_connections = refuse;
    }

    /// Ends `phone`'s logged-in connections as WhatsApp does when another client takes over
    /// (`replaced`) or the phone unlinks the device (`removed`); returns how many.
    pub fn kick(&self, phone: &str, how: Kick) -> usize {
        kick(&self.shared, phone, how)
    }

    /// The next `count` logins of `phone` are refused with `failure`.
    pub fn fail_logins(&self, phone: &str, failure: LoginFailure, count: u32) {
        fail_logins(&mut self.shared.lock(), phone, failure, count);
    }

    /// Clients announcing an older WhatsApp Web version are refused (405); `None` accepts all.
    pub fn set_min_version(&self, min: Option<Version>) {
        self.shared.lock().min_version = min;
    }

    /// Group IQs received so far, by kind (`groups_iq::op_kind`), from every account.
    pub fn group_iqs(&self) -> std::collections::BTreeMap<&'static str, u64> {
        self.shared.lock().group_iqs.clone()
    }

    /// Group reads allowed per account and window from now on (see `read_budget`); the reads
    /// counted so far are forgotten.
    pub fn set_read_budget(&self, budget: crate::sim::read_budget::ReadBudget) {
        let mut st = self.shared.lock();
        st.world.shapes.read_budget = budget;
        st.reads.clear();
    }

    /// The names `phone`'s linked devices gave themselves, as its phone lists them.
    pub fn device_names(&self, phone: &str) -> Vec<Option<String>> {
        let st = self.shared.lock();
        st.devices
            .iter()
            .filter(|((p, _), _)| p == phone)
            .map(|(_, d)| d.name.clone())
            .collect()
    }

    /// Closes every connection (of one account, if given); returns how many.
    pub fn drop_connections(&self, phone: Option<&str>) -> usize {
        let st = self.shared.lock();
        let mut n = 0;
        for c in st.conns.values() {
            let matches = match (&c.phase, phone) {
                (_, None) => true,
                (Phase::LoggedIn { phone: p, .. }, Some(want)) => p == want,
                _ => false,
            };
            if matches && c.tx.send(Outbound::Close).is_ok() {
                n += 1;
            }
        }
        n
    }
}

fn install(state: &mut State, scenario: Scenario) {
    state.world = scenario.world;
    state.operators = scenario.operators;
    state.group_keys = scenario.group_keys;
    state.activity = scenario.activity;
    state.min_version = scenario.min_version;
    for (phone, failure, count) in scenario.login_failures {
        fail_logins(state, &phone, failure, count);
    }
}
