//! Pushing world notices to every connected device of their recipients, and queueing them for
//! their paired devices that are offline (WhatsApp's offline queue).

use super::notify::notification_node;
use super::state::{Outbound, Phase, Shared, SimEvent, State};
use super::world::Notice;

/// Sends each notice to every logged-in device of its recipients, except `skip_conn` (a
/// connection that is being dropped). Call with the state lock held.
pub fn deliver(shared: &Shared, state: &mut State, notices: Vec<Notice>, skip_conn: Option<u64>) {
    for notice in notices {
        let id = state.stanza_id("n");
        let node = notification_node(&state.world, &notice, &id);
        let mut devices = 0;
        let mut offline = Vec::new();
        for phone in &notice.recipients {
            let mut online = Vec::new();
            for (conn, entry) in state.conns_of(phone) {
                if let Phase::LoggedIn { device, .. } = entry.phase {
                    online.push(device);
                }
                if Some(conn) == skip_conn {
                    continue;
                }
                if entry.tx.send(Outbound::Node(node.clone())).is_ok() {
                    devices += 1;
                }
            }
            // Paired devices that are not connected get it when they log in.
            offline.extend(
                state
                    .devices
                    .keys()
                    .filter(|(p, d)| p == phone && !online.contains(d))
                    .cloned(),
            );
        }
        let cap = state.world.shapes.offline_queue;
        for device in offline.into_iter().filter(|_| cap > 0) {
            let queue = state.offline.entry(device).or_default();
            if queue.len() >= cap {
                queue.pop_front();
            }
            queue.push_back(node.clone());
        }
        shared.emit(SimEvent::NoticeSent {
            group: notice.group.clone(),
            notice: Box::new(notice),
            devices,
        });
    }
}
