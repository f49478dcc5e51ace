//! The names WhatsApp gives people. whatsapp-rust 0.7 surfaces a push name with each group
//! notification (`GroupUpdate::notify`, the `notify` attribute: the name of who acted); its
//! other sources need what a linked device gets from the phone (contacts through app-state
//! sync, which needs the phone's key share; `PushNameUpdate` is declared but never emitted).

use whatsapp_rust::types::events::GroupUpdate;

use super::SessionModel;
use crate::engine::convert::phone_of;
use crate::protocol::Update;

impl SessionModel {
    /// The name of who made a notification's change, when WhatsApp sent one we did not know:
    /// kept by their number and by their JID.
    pub(super) fn learn_name(&mut self, u: &GroupUpdate) -> Option<Update> {
        let name = u
            .notify
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())?;
        let ids: Vec<String> = [
            u.participant_pn.as_ref().and_then(phone_of),
            u.participant.as_ref().and_then(phone_of),
            u.participant
                .as_ref()
                .map(|j| format!("{}@{}", j.user, j.server.as_str())),
        ]
        .into_iter()
        .flatten()
        .collect();
        let new: Vec<(String, String)> = ids
            .into_iter()
            .filter(|id| self.names.get(id).map(String::as_str) != Some(name))
            .map(|id| (id, name.to_string()))
            .collect();
        if new.is_empty() {
            return None;
        }
        self.names.extend(new.iter().cloned());
        Some(Update::Names {
            session: self.session,
            names: new,
        })
    }
}
