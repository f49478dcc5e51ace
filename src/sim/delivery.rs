//! Pushing world notices to every connected device of their recipients.

use super::notify::notification_node;
use super::state::{Outbound, Shared, SimEvent, State};
use super::world::Notice;

/// Sends each notice to every logged-in device of its recipients, except `skip_conn` (a
/// connection that is being dropped). Call with the state lock held.
pub fn deliver(shared: &Shared, state: &mut State, notices: Vec<Notice>, skip_conn: Option<u64>) {
    for notice in notices {
        let id = state.stanza_id("n");
        let node = notification_node(&state.world, &notice, &id);
        let mut devices = 0;
        for phone in &notice.recipients {
            for (conn, entry) in state.conns_of(phone) {
                if Some(conn) == skip_conn {
                    continue;
                }
                if entry.tx.send(Outbound::Node(node.clone())).is_ok() {
                    devices += 1;
                }
            }
        }
        shared.emit(SimEvent::NoticeSent {
            group: notice.group.clone(),
            notice: Box::new(notice),
            devices,
        });
    }
}
