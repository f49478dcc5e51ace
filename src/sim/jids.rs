//! Between the world's phones/ids and the JIDs on the wire.

use whatsapp_rust::wacore_binary::{Jid, Server};

use super::world::{AddressingMode, Phone, World};

pub fn pn_jid(phone: &str) -> Jid {
    Jid::new(phone, Server::Pn)
}

pub fn group_jid(id: &str) -> Jid {
    Jid::new(id, Server::Group)
}

/// The account's LID JID (unknown phones keep a PN JID, which is what WhatsApp would echo).
pub fn lid_jid(world: &World, phone: &str) -> Jid {
    match world.account(phone) {
        Some(a) => Jid::new(a.lid.as_str(), Server::Lid),
        None => pn_jid(phone),
    }
}

/// The JID a group uses for a participant, plus the other identity as an attribute:
/// `(jid, phone_number attr, lid attr)`.
pub fn participant_jids(
    world: &World,
    mode: AddressingMode,
    phone: &str,
) -> (Jid, Option<Jid>, Option<Jid>) {
    let known = world.account(phone).is_some();
    match mode {
        AddressingMode::Lid if known => (lid_jid(world, phone), Some(pn_jid(phone)), None),
        _ if known => (pn_jid(phone), None, Some(lid_jid(world, phone))),
        _ => (pn_jid(phone), None, None),
    }
}

/// The phone behind a PN or LID JID (device ignored). An unknown JID maps to its user part, so
/// the world answers "not found" for it rather than the request failing as a whole.
pub fn resolve(world: &World, jid: &Jid) -> Phone {
    let is_lid = jid.server == Server::Lid;
    world
        .resolve_user(&jid.user, is_lid)
        .unwrap_or_else(|| jid.user.to_string())
}

/// Parses a JID attribute value.
pub fn parse(text: &str) -> Option<Jid> {
    text.parse().ok()
}
