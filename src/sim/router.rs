//! Answers the stanzas of a logged-in device: the session IQs the client needs to reach and keep
//! `Connected`, and the group IQs (through `groups_iq`, with fault injection).

use std::sync::Arc;

use whatsapp_rust::wacore_binary::Node;
use whatsapp_rust::wacore_binary::builder::NodeBuilder;

use super::clock::now_unix;
use super::delivery::deliver;
use super::faults::FaultAction;
use super::groups_iq;
use super::state::{Outbound, Shared, SimEvent, State};

/// Who sent a stanza.
#[derive(Debug, Clone)]
pub struct Sender {
    pub conn: u64,
    pub phone: String,
    pub device: u16,
}

fn attr(node: &Node, key: &str) -> Option<String> {
    node.attrs.get(key).map(|v| v.as_str().into_owned())
}

/// `<iq type="result" id=… from=…>children</iq>` answering `req`.
pub fn iq_result(req: &Node, children: Vec<Node>) -> Node {
    let mut b = NodeBuilder::new("iq")
        .attr("type", "result")
        .attr("id", attr(req, "id").unwrap_or_default())
        .attr(
            "from",
            attr(req, "to").unwrap_or_else(|| "s.whatsapp.net".into()),
        );
    if !children.is_empty() {
        b = b.children(children);
    }
    b.build()
}

/// `<iq type="error" id=…><error code text [backoff]/></iq>` answering `req`.
pub fn iq_error(req: &Node, code: u16, text: &str, backoff: Option<u32>) -> Node {
    let mut err = NodeBuilder::new("error")
        .attr("code", code.to_string())
        .attr("text", text);
    if let Some(b) = backoff {
        err = err.attr("backoff", b.to_string());
    }
    NodeBuilder::new("iq")
        .attr("type", "error")
        .attr("id", attr(req, "id").unwrap_or_default())
        .attr(
            "from",
            attr(req, "to").unwrap_or_else(|| "s.whatsapp.net".into()),
        )
        .children([err.build()])
        .build()
}

fn send(shared: &Shared, conn: u64, out: Outbound) {
    if let Some(c) = shared.lock().conns.get(&conn) {
        let _ = c.tx.send(out);
    }
}

/// Handles one stanza from a logged-in device.
pub fn handle_stanza(shared: &Arc<Shared>, from: &Sender, node: Node) {
    if node.tag != "iq" {
        // acks, receipts, presence, unified_session ib: nothing to answer.
        return;
    }
    let kind = attr(&node, "type").unwrap_or_default();
    if kind == "result" || kind == "error" {
        return;
    }
    if groups_iq::is_group_iq(&node) {
        handle_group_iq(shared, from, node);
        return;
    }
    let reply = session_iq(shared, from, &node);
    send(shared, from.conn, Outbound::Node(reply));
    if attr(&node, "xmlns").as_deref() == Some("passive") {
        // What came while the device was away, then the offline marker with its count: without
        // the marker the client waits 60 s before it reports Connected (whatsapp-rust
        // client/offline sync; whatsmeow `handleOfflineSyncCompleted`).
        let queued = shared
            .lock()
            .offline
            .remove(&(from.phone.clone(), from.device))
            .unwrap_or_default();
        let count = queued.len();
        for n in queued {
            send(shared, from.conn, Outbound::Node(n));
        }
        let ib = NodeBuilder::new("ib")
            .children([NodeBuilder::new("offline")
                .attr("count", count.to_string())
                .build()])
            .build();
        send(shared, from.conn, Outbound::Node(ib));
    }
}

/// The non-group IQs of a session. Anything unknown (the pre-key digest, usync device lists, ...)
/// gets 501, which the client tolerates with a warning in its log.
fn session_iq(shared: &Shared, from: &Sender, node: &Node) -> Node {
    let xmlns = attr(node, "xmlns").unwrap_or_default();
    let first_child = node
        .children()
        .and_then(|c| c.first())
        .map(|c| c.tag.to_string())
        .unwrap_or_default();
    match (xmlns.as_str(), first_child.as_str()) {
        ("w:p", _) | ("passive", _) => iq_result(node, vec![]),
        ("encrypt", "count") => {
            let st = shared.lock();
            let count = st
                .devices
                .get(&(from.phone.clone(), from.device))
                .map_or(0, |d| d.prekeys);
            iq_result(
                node,
                vec![
                    NodeBuilder::new("count")
                        .attr("value", count.to_string())
                        .build(),
                ],
            )
        }
        ("encrypt", _) if node.get_optional_child("list").is_some() => {
            let uploaded = node
                .get_optional_child("list")
                .map_or(0, |l| l.get_children_by_tag("key").count());
            let mut st = shared.lock();
            if let Some(d) = st.devices.get_mut(&(from.phone.clone(), from.device)) {
                d.prekeys += uploaded;
            }
            iq_result(node, vec![])
        }
        ("w:sync:app:state", "sync") => {
            // Empty collections at version 0: nothing to sync, which the client accepts as synced.
            let names: Vec<String> = node
                .get_optional_child("sync")
                .map(|s| {
                    s.get_children_by_tag("collection")
                        .filter_map(|c| attr(c, "name"))
                        .collect()
                })
                .unwrap_or_default();
            let collections = names.into_iter().map(|name| {
                NodeBuilder::new("collection")
                    .attr("name", name)
                    .attr("version", "0")
                    .build()
            });
            iq_result(
                node,
                vec![NodeBuilder::new("sync").children(collections).build()],
            )
        }
        // No experiments, nobody blocked, default privacy: what a fresh account has.
        ("abt", "props") => iq_result(
            node,
            vec![
                NodeBuilder::new("props")
                    .attr("protocol", "1")
                    .attr("hash", "sim")
                    .attr("refresh", "86400")
                    .build(),
            ],
        ),
        ("blocklist", _) => iq_result(node, vec![NodeBuilder::new("list").build()]),
        ("privacy", "privacy") => {
            let categories = [
                ("last", "all"),
                ("online", "all"),
                ("profile", "all"),
                ("status", "contacts"),
                ("groupadd", "all"),
                ("readreceipts", "all"),
            ]
            .map(|(name, value)| {
                NodeBuilder::new("category")
                    .attr("name", name)
                    .attr("value", value)
                    .build()
            });
            iq_result(
                node,
                vec![NodeBuilder::new("privacy").children(categories).build()],
            )
        }
        ("md", "remove-companion-device") => {
            let mut st = shared.lock();
            st.devices.remove(&(from.phone.clone(), from.device));
            drop(st);
            shared.emit(SimEvent::DeviceRemoved {
                phone: from.phone.clone(),
                device: from.device,
            });
            iq_result(node, vec![])
        }
        _ => iq_error(node, 501, "feature-not-implemented", None),
    }
}

fn handle_group_iq(shared: &Arc<Shared>, from: &Sender, node: Node) {
    let kind = groups_iq::op_kind(&node);
    let (fault, latency) = {
        let mut st = shared.lock();
        *st.group_iqs.entry(kind).or_default() += 1;
        let fault = over_read_budget(&mut st, from, &node).or_else(|| st.faults.take(kind));
        (fault, st.faults.latency)
    };
    if latency.is_zero() {
        answer_group_iq(shared, from, node, kind, fault);
    } else {
        let shared = shared.clone();
        let from = from.clone();
        tokio::spawn(async move {
            tokio::time::sleep(latency).await;
            answer_group_iq(&shared, &from, node, kind, fault);
        });
    }
}

/// A read (a group IQ of type `get`) past the account's budget is answered 429 with the
/// seconds until the window has room (see `read_budget`).
fn over_read_budget(st: &mut State, from: &Sender, node: &Node) -> Option<FaultAction> {
    if attr(node, "type").as_deref() != Some("get") {
        return None;
    }
    let budget = st.world.shapes.read_budget;
    let backoff = st
        .reads
        .admit(&from.phone, std::time::Instant::now(), budget)
        .err()?;
    Some(FaultAction::Error {
        code: 429,
        text: "rate-overlimit".into(),
        backoff: Some(backoff),
    })
}

fn answer_group_iq(
    shared: &Shared,
    from: &Sender,
    node: Node,
    kind: &'static str,
    fault: Option<FaultAction>,
) {
    let event = |code: u16| SimEvent::GroupRequest {
        phone: from.phone.clone(),
        kind: kind.to_string(),
        code,
    };
    match fault {
        Some(FaultAction::Error {
            code,
            text,
            backoff,
        }) => {
            send(
                shared,
                from.conn,
                Outbound::Node(iq_error(&node, code, &text, backoff)),
            );
            shared.emit(event(code));
        }
        Some(FaultAction::Swallow) => shared.emit(event(0)),
        Some(FaultAction::DropBefore) => {
            send(shared, from.conn, Outbound::Close);
            shared.emit(event(0));
        }
        Some(FaultAction::DropAfter) => {
            let mut st = shared.lock();
            st.world.now = now_unix();
            let (_, notices) = groups_iq::handle(&mut st.world, &from.phone, &node);
            deliver(shared, &mut st, notices, Some(from.conn));
            if let Some(c) = st.conns.get(&from.conn) {
                let _ = c.tx.send(Outbound::Close);
            }
            drop(st);
            shared.emit(event(0));
        }
        None => {
            let mut st = shared.lock();
            st.world.now = now_unix();
            let (answer, notices) = groups_iq::handle(&mut st.world, &from.phone, &node);
            let (reply, code) = match answer {
                Ok(children) => (iq_result(&node, children), 200),
                Err(e) => (iq_error(&node, e.code, e.text, None), e.code),
            };
            // The answer goes out before the notifications it caused, as on WhatsApp.
            if let Some(c) = st.conns.get(&from.conn) {
                let _ = c.tx.send(Outbound::Node(reply));
            }
            let no_echo = st.world.shapes.no_echo.then_some(from.conn);
            deliver(shared, &mut st, notices, no_echo);
            drop(st);
            shared.emit(event(code));
        }
    }
}
