//! The names WhatsApp gives people, and a contact's new number (their name follows them).
//! whatsapp-rust 0.7 surfaces a push name with each group notification (`GroupUpdate::notify`,
//! the `notify` attribute: the name of who acted); its other sources need what a linked device
//! gets from the phone (contacts through app-state sync, which needs the phone's key share;
//! `PushNameUpdate` is declared but never emitted).

use whatsapp_rust::types::events::GroupUpdate;

use super::SessionModel;
use crate::engine::convert::phone_of;
use crate::protocol::Update;

impl SessionModel {
    /// The name of who made a notification's change, when WhatsApp sent one we did not know:
    /// kept by their number, or by their JID when the number is hidden (one entry a person: a
    /// burst of requests from strangers names each of them).
    pub(super) fn learn_name(&mut self, u: &GroupUpdate) -> Option<Update> {
        let name = u
            .notify
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())?;
        let id = u
            .participant_pn
            .as_ref()
            .and_then(phone_of)
            .or_else(|| u.participant.as_ref().and_then(phone_of))
            .or_else(|| {
                u.participant
                    .as_ref()
                    .map(|j| format!("{}@{}", j.user, j.server.as_str()))
            })?;
        if self.names.get(&id).map(String::as_str) == Some(name) {
            return None;
        }
        self.names.insert(id.clone(), name.to_string());
        Some(Update::Names {
            session: self.session,
            names: vec![(id, name.to_string())],
        })
    }
}

impl SessionModel {
    /// A contact's number changed (`<notification type="contacts"><modify old new …/>`, whatsapp-rust
    /// `ContactNumberChanged`): their rows in every roster take the new number (and LID), in
    /// place; their name follows them.
    pub fn number_changed(
        &mut self,
        old: &whatsapp_rust::Jid,
        new: &whatsapp_rust::Jid,
        new_lid: Option<&whatsapp_rust::Jid>,
    ) -> Vec<Update> {
        let (Some(old_phone), Some(new_phone)) = (phone_of(old), phone_of(new)) else {
            return Vec::new();
        };
        let lid = new_lid.map(|j| format!("{}@{}", j.user, j.server.as_str()));
        let mut out = Vec::new();
        for (group, roster) in &mut self.rosters {
            let rows = std::sync::Arc::make_mut(roster);
            let mut changed = Vec::new();
            for r in rows
                .iter_mut()
                .filter(|r| r.phone.as_deref() == Some(old_phone.as_str()))
            {
                r.phone = Some(new_phone.clone());
                if lid.is_some() {
                    r.lid.clone_from(&lid);
                }
                changed.push(r.clone());
            }
            if !changed.is_empty() {
                out.push(Update::RosterChanged {
                    session: self.session,
                    group: group.clone(),
                    upsert: changed,
                    removed: Vec::new(),
                });
            }
        }
        if let Some(name) = self.names.get(&old_phone).cloned() {
            self.names.insert(new_phone.clone(), name.clone());
            out.push(Update::Names {
                session: self.session,
                names: vec![(new_phone, name)],
            });
        }
        out
    }
}
