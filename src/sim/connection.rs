//! One client connection: Noise handshake, then either the QR pairing flow (registration) or a
//! login followed by stanza routing. Transports feed it bytes and give it a sink.

use std::sync::Arc;

use anyhow::{Result, anyhow};
use bytes::Bytes;
use tokio::sync::mpsc;
use whatsapp_rust::buffa::Message as _;
use whatsapp_rust::wacore_binary::builder::NodeBuilder;
use whatsapp_rust::wacore_binary::{Jid, Node};
use whatsapp_rust::waproto::whatsapp as wa;

use super::clock::now_unix;
use super::endings::{LoginFailure, Version, outdated, take_login_failure};
use super::noise::{PendingHandshake, respond_to_client_hello};
use super::pair_code::{
    companion_finish, companion_hello_result, parse_companion_hello, primary_hello,
};
use super::pairing::{ScannedQr, new_refs, pair_device_iq};
use super::router::{Sender, handle_stanza, iq_error, iq_result};
use super::state::{ConnEntry, DeviceRecord, Outbound, PairCodeStage, Phase, Shared, SimEvent};
use super::wire::Wire;

/// Where a connection's bytes go: the transport side of the client.
pub trait ByteSink: Send + Sync + 'static {
    /// False once the client is gone.
    fn send(&self, data: Bytes) -> bool;
    fn close(&self);
}

enum Handshake {
    AwaitHello,
    AwaitFinish(Box<PendingHandshake>),
    Done,
}

/// Serves one connection until either side closes it.
pub async fn serve(
    shared: Arc<Shared>,
    mut incoming: mpsc::UnboundedReceiver<Bytes>,
    sink: Arc<dyn ByteSink>,
) {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let conn = {
        let mut st = shared.lock();
        st.next_conn += 1;
        let id = st.next_conn;
        st.conns.insert(
            id,
            ConnEntry {
                tx,
                phase: Phase::Handshake,
                device_name: None,
                pair_code: None,
            },
        );
        id
    };
    let mut wire = Wire::new();
    let mut hs = Handshake::AwaitHello;
    loop {
        tokio::select! {
            data = incoming.recv() => {
                let Some(data) = data else { break };
                if let Err(e) = on_bytes(&shared, conn, &mut wire, &mut hs, &sink, &data) {
                    tracing::debug!(conn, "sim: closing connection: {e:#}");
                    sink.close();
                    break;
                }
            }
            out = rx.recv() => match out {
                Some(Outbound::Node(node)) => {
                    let sent = wire.encrypt_node(&node).map(|f| sink.send(Bytes::from(f)));
                    if !matches!(sent, Ok(true)) {
                        break;
                    }
                }
                Some(Outbound::Close) | None => {
                    sink.close();
                    break;
                }
            },
        }
    }
    let account = {
        let mut st = shared.lock();
        st.conns.remove(&conn).and_then(|c| match c.phase {
            Phase::LoggedIn { phone, device } => Some((phone, device)),
            _ => None,
        })
    };
    shared.emit(SimEvent::ConnectionClosed { conn, account });
}

fn on_bytes(
    shared: &Arc<Shared>,
    conn: u64,
    wire: &mut Wire,
    hs: &mut Handshake,
    sink: &Arc<dyn ByteSink>,
    data: &[u8],
) -> Result<()> {
    wire.feed(data)?;
    while let Some(frame) = wire.next_frame() {
        match std::mem::replace(hs, Handshake::Done) {
            Handshake::AwaitHello => {
                let (hello, pending) = respond_to_client_hello(&shared.identity, &frame)?;
                sink.send(Bytes::from(Wire::handshake_frame(&hello)?));
                *hs = Handshake::AwaitFinish(Box::new(pending));
            }
            Handshake::AwaitFinish(pending) => {
                let (payload, keys) = pending.finish(&frame)?;
                wire.set_keys(keys);
                let version = announced_version(&payload);
                shared.emit(SimEvent::Hello { conn, version });
                if outdated(&shared.lock(), version) {
                    // WhatsApp refuses an old WhatsApp Web version before anything else.
                    queue(shared, conn, Outbound::Node(LoginFailure::new(405).node()));
                    queue(shared, conn, Outbound::Close);
                } else if payload.device_pairing_data.is_set() {
                    let name = device_name(&payload);
                    if let Some(c) = shared.lock().conns.get_mut(&conn) {
                        c.device_name = name;
                    }
                    start_pairing(shared, conn);
                } else {
                    let phone = payload
                        .username
                        .ok_or_else(|| anyhow!("login payload without username"))?
                        .to_string();
                    let device = u16::try_from(payload.device.unwrap_or(0))
                        .map_err(|_| anyhow!("device number out of range"))?;
                    login(shared, conn, phone, device);
                }
            }
            Handshake::Done => {
                let node = wire.decrypt_node(frame)?;
                on_node(shared, conn, node);
            }
        }
    }
    Ok(())
}

fn queue(shared: &Shared, conn: u64, out: Outbound) {
    if let Some(c) = shared.lock().conns.get(&conn) {
        let _ = c.tx.send(out);
    }
}

fn start_pairing(shared: &Shared, conn: u64) {
    let mut st = shared.lock();
    let seed = (conn << 32) ^ now_unix() as u64 ^ st.next_stanza;
    let refs = new_refs(seed);
    let id = st.stanza_id("pd");
    if let Some(c) = st.conns.get_mut(&conn) {
        c.phase = Phase::Pairing { refs: refs.clone() };
        let _ = c.tx.send(Outbound::Node(pair_device_iq(&id, &refs)));
    }
    drop(st);
    shared.emit(SimEvent::QrRefsIssued { conn, refs });
}

/// The WhatsApp Web version in the payload's user agent.
fn announced_version(payload: &wa::ClientPayload) -> Option<Version> {
    let v = payload.user_agent.as_option()?.app_version.as_option()?;
    Some((v.primary?, v.secondary?, v.tertiary?))
}

/// The name a registering client gives its device: `DeviceProps.os` (whatsapp-rust:
/// `DevicePropsOverride::with_os`), which the phone's "Linked devices" list shows.
fn device_name(payload: &wa::ClientPayload) -> Option<String> {
    let bytes = payload
        .device_pairing_data
        .as_option()?
        .device_props
        .as_ref()?;
    let props = wa::DeviceProps::decode_from_slice(bytes).ok()?;
    props.os.filter(|os| !os.is_empty())
}

fn login(shared: &Shared, conn: u64, phone: String, device: u16) {
    let mut st = shared.lock();
    if let Some(failure) = take_login_failure(&mut st, &phone) {
        if let Some(c) = st.conns.get(&conn) {
            let _ = c.tx.send(Outbound::Node(failure.node()));
            let _ = c.tx.send(Outbound::Close);
        }
        drop(st);
        shared.emit(SimEvent::LoginRefused {
            phone,
            device,
            reason: failure.reason,
        });
        return;
    }
    let known = st.devices.contains_key(&(phone.clone(), device));
    let lid = st.world.account(&phone).map(|a| a.lid.clone());
    let Some(c) = st.conns.get_mut(&conn) else {
        return;
    };
    match (known, lid) {
        (true, Some(lid)) => {
            c.phase = Phase::LoggedIn {
                phone: phone.clone(),
                device,
            };
            let success = NodeBuilder::new("success")
                .attr("t", now_unix().to_string())
                .attr("lid", format!("{lid}:{device}@lid"))
                .attr("location", "sim")
                .build();
            let _ = c.tx.send(Outbound::Node(success));
            drop(st);
            shared.emit(SimEvent::LoggedIn { phone, device });
        }
        _ => {
            // An unknown (logged-out or never paired) device: WhatsApp answers 401 and the
            // client reports LoggedOut.
            let failure = NodeBuilder::new("failure")
                .attr("reason", "401")
                .attr("location", "sim")
                .build();
            let _ = c.tx.send(Outbound::Node(failure));
            let _ = c.tx.send(Outbound::Close);
            drop(st);
            shared.emit(SimEvent::LoginRefused {
                phone,
                device,
                reason: 401,
            });
        }
    }
}

fn on_node(shared: &Arc<Shared>, conn: u64, node: Node) {
    let phase = match shared.lock().conns.get(&conn) {
        Some(c) => c.phase.clone(),
        None => return,
    };
    match phase {
        Phase::LoggedIn { phone, device } => handle_stanza(
            shared,
            &Sender {
                conn,
                phone,
                device,
            },
            node,
        ),
        Phase::PairSuccessSent { phone, device }
            if node.tag == "iq" && node.get_optional_child("pair-device-sign").is_some() =>
        {
            shared.emit(SimEvent::Paired { phone, device });
            // WhatsApp restarts the stream; the client reconnects and logs in as the new device.
            let restart = NodeBuilder::new("stream:error").attr("code", "515").build();
            queue(shared, conn, Outbound::Node(restart));
            queue(shared, conn, Outbound::Close);
        }
        Phase::Pairing { .. } if node.get_optional_child("link_code_companion_reg").is_some() => {
            on_pair_code_iq(shared, conn, &node);
        }
        Phase::Handshake | Phase::Pairing { .. } | Phase::PairSuccessSent { .. } => {
            // A pairing connection only answers pings; everything else waits for login.
            let is_request = node.tag == "iq"
                && matches!(
                    node.attrs
                        .get("type")
                        .map(|v| v.as_str().into_owned())
                        .as_deref(),
                    Some("get" | "set")
                );
            if is_request {
                let ping = node.attrs.get("xmlns").is_some_and(|v| v.as_str() == "w:p");
                let reply = if ping {
                    iq_result(&node, vec![])
                } else {
                    iq_error(&node, 501, "feature-not-implemented", None)
                };
                queue(shared, conn, Outbound::Node(reply));
            }
        }
    }
}

/// The simulated phone scans `code` for account `phone`: registers a new companion device and
/// sends pair-success to the connection showing that QR.
pub fn scan_qr(shared: &Shared, code: &str, phone: &str) -> Result<(String, u16)> {
    let scan = super::pairing::parse_qr(code)?;
    let conn = shared
        .lock()
        .conns
        .iter()
        .find_map(|(id, c)| match &c.phase {
            Phase::Pairing { refs } if refs.contains(&scan.pairing_ref) => Some(*id),
            _ => None,
        })
        .ok_or_else(|| {
            anyhow!("no connection is showing this QR code (expired or already used)")
        })?;
    finish_pairing(shared, conn, phone, &scan)
}

/// The phone confirmed (QR scan or code): register the device and send pair-success.
fn finish_pairing(
    shared: &Shared,
    conn: u64,
    phone: &str,
    scan: &ScannedQr,
) -> Result<(String, u16)> {
    let mut st = shared.lock();
    let account = st
        .world
        .account(phone)
        .cloned()
        .ok_or_else(|| anyhow!("no account {phone} in the simulated world"))?;
    let device = st.next_device(phone);
    let key = st.account_key(phone);
    let device_jid: Jid = format!("{phone}:{device}@s.whatsapp.net")
        .parse()
        .map_err(|e| anyhow!("device jid: {e:?}"))?;
    let lid_jid: Jid = format!("{}:{device}@lid", account.lid)
        .parse()
        .map_err(|e| anyhow!("lid jid: {e:?}"))?;
    let id = st.stanza_id("ps");
    let node = super::pairing::pair_success_iq(
        &id,
        scan,
        &key,
        &device_jid,
        &lid_jid,
        &account.name,
        now_unix(),
    )?;
    // Registered now, as WhatsApp does when the phone confirms: the login after 515 must work.
    let name = st.conns.get(&conn).and_then(|c| c.device_name.clone());
    st.devices.insert(
        (phone.to_string(), device),
        DeviceRecord {
            push_name: account.name.clone(),
            name,
            prekeys: 0,
        },
    );
    if let Some(c) = st.conns.get_mut(&conn) {
        c.phase = Phase::PairSuccessSent {
            phone: phone.to_string(),
            device,
        };
        c.pair_code = None;
        let _ = c.tx.send(Outbound::Node(node));
    }
    drop(st);
    shared.emit(SimEvent::Scanned {
        phone: phone.to_string(),
        device,
    });
    Ok((phone.to_string(), device))
}

/// Stage 1 and stage 2 of linking with a phone-number code.
fn on_pair_code_iq(shared: &Shared, conn: u64, node: &Node) {
    let stage = node
        .get_optional_child("link_code_companion_reg")
        .and_then(|r| r.attrs.get("stage").map(|v| v.as_str().into_owned()))
        .unwrap_or_default();
    match stage.as_str() {
        "companion_hello" => {
            let mut st = shared.lock();
            let pairing_ref = new_refs(conn ^ st.next_stanza).remove(0).into_bytes();
            let Some(hello) = parse_companion_hello(node, pairing_ref.clone()) else {
                drop(st);
                queue(
                    shared,
                    conn,
                    Outbound::Node(iq_error(node, 400, "bad-request", None)),
                );
                return;
            };
            if st.world.account(&hello.phone).is_none() {
                drop(st);
                // WhatsApp's answer for a number that has no account.
                queue(
                    shared,
                    conn,
                    Outbound::Node(iq_error(node, 404, "item-not-found", None)),
                );
                return;
            }
            let phone = hello.phone.clone();
            if let Some(c) = st.conns.get_mut(&conn) {
                c.pair_code = Some(PairCodeStage::Hello(hello));
                let _ = c.tx.send(Outbound::Node(iq_result(
                    node,
                    vec![companion_hello_result(&pairing_ref)],
                )));
            }
            drop(st);
            shared.emit(SimEvent::PairCodeRequested { conn, phone });
        }
        "companion_finish" => {
            let stage = shared
                .lock()
                .conns
                .get_mut(&conn)
                .and_then(|c| c.pair_code.take());
            let Some(PairCodeStage::Primary {
                phone,
                primary_ephemeral,
                companion_ephemeral_pub,
            }) = stage
            else {
                queue(
                    shared,
                    conn,
                    Outbound::Node(iq_error(node, 400, "bad-request", None)),
                );
                return;
            };
            let key = shared.lock().account_key(&phone);
            match companion_finish(node, &primary_ephemeral, &companion_ephemeral_pub, &key) {
                Ok((identity_pub, adv_secret)) => {
                    queue(shared, conn, Outbound::Node(iq_result(node, vec![])));
                    let scan = ScannedQr {
                        pairing_ref: String::new(),
                        identity_pub,
                        adv_secret,
                    };
                    if let Err(e) = finish_pairing(shared, conn, &phone, &scan) {
                        tracing::debug!("sim: pair-code link failed: {e:#}");
                    }
                }
                Err(e) => {
                    tracing::debug!("sim: companion_finish refused: {e:#}");
                    queue(
                        shared,
                        conn,
                        Outbound::Node(iq_error(node, 401, "not-authorized", None)),
                    );
                }
            }
        }
        _ => queue(
            shared,
            conn,
            Outbound::Node(iq_error(node, 400, "bad-request", None)),
        ),
    }
}

/// The user of account `phone` types `code` on their phone (Linked devices > Link with phone
/// number): the phone answers the companion that asked for this number.
pub fn enter_pair_code(shared: &Shared, phone: &str, code: &str) -> Result<u64> {
    let (conn, hello, key) = {
        let mut st = shared.lock();
        let found = st.conns.iter().find_map(|(id, c)| match &c.pair_code {
            Some(PairCodeStage::Hello(h)) if h.phone == phone => Some((*id, h.clone())),
            _ => None,
        });
        let (conn, hello) =
            found.ok_or_else(|| anyhow!("no device is waiting for a code for {phone}"))?;
        (conn, hello, st.account_key(phone))
    };
    let id = shared.lock().stanza_id("pc");
    // The code's key derivation is deliberately slow; run it without the lock held.
    let primary = primary_hello(&hello, code, &key, &id)?;
    let mut st = shared.lock();
    let c = st
        .conns
        .get_mut(&conn)
        .ok_or_else(|| anyhow!("the device went away"))?;
    c.pair_code = Some(PairCodeStage::Primary {
        phone: phone.to_string(),
        primary_ephemeral: primary.primary_ephemeral,
        companion_ephemeral_pub: primary.companion_ephemeral_pub,
    });
    let _ = c.tx.send(Outbound::Node(primary.notification));
    Ok(conn)
}
