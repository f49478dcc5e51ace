//! The simulator's shared state: the world, paired devices, live connections, faults, and the
//! broadcast of what happens (for tests, the demo and the control routes).

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::{broadcast, mpsc};
use whatsapp_rust::wacore::libsignal::protocol::KeyPair;
use whatsapp_rust::wacore_binary::Node;

use super::faults::Faults;
use super::noise::ServerIdentity;
use super::world::{GroupId, Notice, Phone, World};

/// Something the simulator did, broadcast to observers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SimEvent {
    /// A connection is waiting to be paired and got these QR refs.
    QrRefsIssued { conn: u64, refs: Vec<String> },
    /// The simulated phone scanned a QR code: pair-success sent for this new device.
    Scanned { phone: Phone, device: u16 },
    /// A companion asked to link with a phone-number code for this account.
    PairCodeRequested { conn: u64, phone: Phone },
    /// The client acknowledged pairing (pair-device-sign): the device is registered.
    Paired { phone: Phone, device: u16 },
    /// A registered device logged in (`<success>` sent).
    LoggedIn { phone: Phone, device: u16 },
    /// A client finished the handshake announcing this WhatsApp Web version (`None`: none).
    Hello {
        conn: u64,
        version: Option<super::endings::Version>,
    },
    /// A login was refused with `<failure reason=…>` (401: unknown device).
    LoginRefused {
        phone: Phone,
        device: u16,
        reason: u16,
    },
    /// The device logged out (remove-companion-device).
    DeviceRemoved { phone: Phone, device: u16 },
    ConnectionClosed {
        conn: u64,
        account: Option<(Phone, u16)>,
    },
    /// A group request was answered (`code` 200 = result) or not (`code` 0 = swallowed/dropped).
    GroupRequest {
        phone: Phone,
        kind: String,
        code: u16,
    },
    /// A notice went out to this many devices.
    NoticeSent {
        group: GroupId,
        notice: Box<Notice>,
        devices: usize,
    },
}

/// What a connection task should write to its client.
#[derive(Debug)]
pub enum Outbound {
    Node(Node),
    /// Close the connection (after flushing what came before).
    Close,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phase {
    Handshake,
    /// Registration connection, QR refs handed out.
    Pairing {
        refs: Vec<String>,
    },
    /// The phone scanned; waiting for the client's pair-device-sign.
    PairSuccessSent {
        phone: Phone,
        device: u16,
    },
    LoggedIn {
        phone: Phone,
        device: u16,
    },
}

pub struct ConnEntry {
    pub tx: mpsc::UnboundedSender<Outbound>,
    pub phase: Phase,
    /// The name a registering client gave its device (`DeviceProps.os`), for the phone's list.
    pub device_name: Option<String>,
    /// Linking with a phone-number code, when the companion asked for one.
    pub pair_code: Option<PairCodeStage>,
}

/// Where a phone-code link stands on a pairing connection.
pub enum PairCodeStage {
    /// Stage 1 done: waiting for the user to type the code on the phone.
    Hello(super::pair_code::CompanionHello),
    /// The phone answered (primary_hello): waiting for the companion's key bundle.
    Primary {
        phone: Phone,
        primary_ephemeral: KeyPair,
        companion_ephemeral_pub: [u8; 32],
    },
}

#[derive(Debug, Clone, Default)]
pub struct DeviceRecord {
    pub push_name: String,
    /// How the phone's "Linked devices" lists it (`DeviceProps.os` at registration).
    pub name: Option<String>,
    /// One-time pre-keys the device uploaded (answered to `<count/>`).
    pub prekeys: usize,
}

#[derive(Default)]
pub struct State {
    pub world: World,
    /// Accounts a QR scan may pair to; the first is the default.
    pub operators: Vec<Phone>,
    pub group_keys: BTreeMap<String, GroupId>,
    pub account_keys: HashMap<Phone, KeyPair>,
    pub devices: BTreeMap<(Phone, u16), DeviceRecord>,
    pub conns: HashMap<u64, ConnEntry>,
    pub faults: Faults,
    pub next_conn: u64,
    pub next_stanza: u64,
    /// New connections fail at the transport (the server is unreachable).
    pub refuse_connections: bool,
    /// Notifications for paired devices that are offline, delivered at their next login.
    pub offline: HashMap<(Phone, u16), VecDeque<Node>>,
    /// Refusals queued for the next logins of an account (see `endings`).
    pub login_failures: HashMap<Phone, VecDeque<super::endings::LoginFailure>>,
    /// Clients announcing an older WhatsApp Web version get `<failure reason="405">`.
    pub min_version: Option<super::endings::Version>,
    /// Group reads per account, against `world.shapes.read_budget`.
    pub reads: super::read_budget::ReadLog,
    /// Group IQs received, by kind (`groups_iq::op_kind`), from every account.
    pub group_iqs: BTreeMap<&'static str, u64>,
    /// The scenario's scripted activity, played by `Simulator::play_activity`.
    pub activity: Vec<super::scenario::ScriptedActivity>,
}

impl State {
    pub fn stanza_id(&mut self, prefix: &str) -> String {
        self.next_stanza += 1;
        format!("{prefix}{}", self.next_stanza)
    }

    pub fn account_key(&mut self, phone: &str) -> KeyPair {
        self.account_keys
            .entry(phone.to_string())
            .or_insert_with(whatsapp_rust::wacore::crypto::generate_curve_key_pair)
            .clone()
    }

    /// Next free companion device number for an account (the phone itself is device 0).
    pub fn next_device(&self, phone: &str) -> u16 {
        self.devices
            .keys()
            .filter(|(p, _)| p == phone)
            .map(|(_, d)| *d)
            .max()
            .unwrap_or(0)
            + 1
    }

    /// Logged-in connections of an account.
    pub fn conns_of<'a>(&'a self, phone: &'a str) -> impl Iterator<Item = (u64, &'a ConnEntry)> {
        self.conns.iter().filter_map(move |(id, c)| match &c.phase {
            Phase::LoggedIn { phone: p, .. } if p == phone => Some((*id, c)),
            _ => None,
        })
    }
}

pub struct Shared {
    pub identity: ServerIdentity,
    state: Mutex<State>,
    pub events: broadcast::Sender<SimEvent>,
}

impl Shared {
    pub fn new(state: State) -> Arc<Self> {
        let (events, _) = broadcast::channel(4096);
        Arc::new(Self {
            identity: ServerIdentity::generate(),
            state: Mutex::new(state),
            events,
        })
    }

    /// Never held across an await.
    pub fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves plain data behind; keep serving.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn emit(&self, event: SimEvent) {
        let _ = self.events.send(event);
    }
}
