//! The simulated WhatsApp group world: accounts, groups, roles, settings, invite codes and pending
//! join requests, with WhatsApp's rules and error codes. Pure data and logic: no protocol, no I/O.
//!
//! Every mutating operation takes the acting account (`actor`, a phone number) and returns what
//! WhatsApp would answer plus the [`Notice`]s WhatsApp would push (`w:gp2` notifications). The
//! protocol layer (`groups_iq.rs`, `notify.rs`) turns requests into these calls and notices into
//! nodes; the control handle calls the same operations with simulated actors.
//!
//! The data types are in `types.rs`; the operations are split by concern: `create.rs` (new groups
//! and communities), `members.rs` (add, remove, promote, demote, leave), `settings.rs` (subject,
//! description, toggles, picture), `invites_requests.rs` (invite codes, join requests) and
//! `community.rs` (communities and their subgroups). This file holds the [`World`] itself and
//! the helpers they share.

use std::collections::{BTreeMap, HashMap};

use super::rng::splitmix64;

mod community;
mod create;
mod identity;
mod invites_requests;
mod members;
mod settings;
mod types;

pub use types::*;

/// WhatsApp's group size cap.
pub const MAX_GROUP_SIZE: usize = 1024;
pub const MAX_SUBJECT_CHARS: usize = 100;
pub const MAX_DESCRIPTION_CHARS: usize = 2048;

/// The whole simulated world.
#[derive(Debug, Clone, Default)]
pub struct World {
    pub accounts: BTreeMap<Phone, Account>,
    pub lid_to_phone: HashMap<String, Phone>,
    pub groups: BTreeMap<GroupId, Group>,
    /// Codes that were valid once and have been reset: joining with one answers 410.
    pub revoked_codes: HashMap<String, GroupId>,
    /// Monotonic source of ids (groups, descriptions, invite codes) so runs are reproducible.
    pub next_id: u64,
    /// The simulated clock (unix seconds); the server advances it, tests may set it.
    pub now: i64,
    /// Which of WhatsApp's answer variants to send (scenario `[server]` options).
    pub shapes: crate::sim::shapes::Shapes,
}

fn ok(phone: &str) -> ParticipantOutcome {
    ParticipantOutcome {
        phone: phone.to_string(),
        error: None,
        add_request: None,
    }
}

fn refused(phone: &str, code: u16) -> ParticipantOutcome {
    ParticipantOutcome {
        phone: phone.to_string(),
        error: Some(code),
        add_request: None,
    }
}

fn check_subject(subject: &str) -> WaResult<()> {
    let n = subject.trim().chars().count();
    if n == 0 || subject.chars().count() > MAX_SUBJECT_CHARS {
        return Err(WaError::BAD_REQUEST);
    }
    Ok(())
}

impl World {
    pub fn new(now: i64) -> Self {
        Self {
            now,
            next_id: 1,
            ..Default::default()
        }
    }

    /// Registers an account (and its LID mapping). Replaces an existing one with the same phone.
    pub fn add_account(&mut self, account: Account) {
        self.lid_to_phone
            .insert(account.lid.clone(), account.phone.clone());
        self.accounts.insert(account.phone.clone(), account);
    }

    pub fn account(&self, phone: &str) -> Option<&Account> {
        self.accounts.get(phone)
    }

    /// Resolves the user part of a `@s.whatsapp.net` (`is_lid = false`) or `@lid` JID to the phone
    /// of a known account.
    pub fn resolve_user(&self, user: &str, is_lid: bool) -> Option<Phone> {
        if is_lid {
            self.lid_to_phone.get(user).cloned()
        } else {
            self.accounts.contains_key(user).then(|| user.to_string())
        }
    }

    pub fn group(&self, id: &str) -> Option<&Group> {
        self.groups.get(id)
    }

    /// Groups (including communities) where `phone` is a participant, ordered by id.
    pub fn groups_of(&self, phone: &str) -> Vec<&Group> {
        self.groups
            .values()
            .filter(|g| g.member(phone).is_some())
            .collect()
    }

    /// Inserts a group as-is (scenario loading): no rules, no notices.
    pub fn insert_group(&mut self, group: Group) {
        self.groups.insert(group.id.clone(), group);
    }

    fn fresh(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    /// A fresh group id (`"120363"` + 12 digits), unique and deterministic.
    pub fn new_group_id(&mut self) -> GroupId {
        loop {
            let id = format!("120363{:012}", 900_000_000_000 + self.fresh());
            if !self.groups.contains_key(&id) {
                return id;
            }
        }
    }

    /// A fresh 22-character invite code (base62), unique and deterministic.
    pub fn new_invite_code(&mut self) -> String {
        const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        let mut x = splitmix64(self.fresh() ^ 0x5EED);
        (0..22)
            .map(|i| {
                if i % 10 == 9 {
                    x = splitmix64(x);
                }
                let c = ALPHABET[(x % 62) as usize] as char;
                x /= 62;
                c
            })
            .collect()
    }

    fn notice(
        &self,
        group: &str,
        actor: &str,
        action: NoticeAction,
        recipients: Vec<Phone>,
    ) -> Notice {
        Notice {
            group: group.to_string(),
            actor: actor.to_string(),
            time: self.now,
            action,
            recipients,
        }
    }

    fn members_of(&self, group: &str) -> Vec<Phone> {
        self.groups
            .get(group)
            .map(|g| g.participants.iter().map(|m| m.phone.clone()).collect())
            .unwrap_or_default()
    }

    fn admins_of(&self, group: &str) -> Vec<Phone> {
        self.groups
            .get(group)
            .map(|g| g.admins().map(|m| m.phone.clone()).collect())
            .unwrap_or_default()
    }

    fn get(&self, group: &str) -> WaResult<&Group> {
        self.groups.get(group).ok_or(WaError::NOT_FOUND)
    }

    fn get_mut(&mut self, group: &str) -> WaResult<&mut Group> {
        self.groups.get_mut(group).ok_or(WaError::NOT_FOUND)
    }

    /// The actor's role: 404 unknown group, 403 not a participant.
    fn role(&self, actor: &str, group: &str) -> WaResult<Role> {
        self.get(group)?.role_of(actor).ok_or(WaError::FORBIDDEN)
    }

    fn require_admin(&self, actor: &str, group: &str) -> WaResult<()> {
        if self.role(actor, group)?.is_admin() {
            Ok(())
        } else {
            Err(WaError::NOT_AUTHORIZED)
        }
    }

    /// Editing info: admins only when the group is locked.
    fn require_info_editor(&self, actor: &str, group: &str) -> WaResult<()> {
        let role = self.role(actor, group)?;
        if self.get(group)?.settings.locked && !role.is_admin() {
            return Err(WaError::NOT_AUTHORIZED);
        }
        Ok(())
    }

    /// Adds `phone` as a member (no rules), keeping community membership in step.
    fn join(&mut self, group: &str, phone: &str) {
        let now = self.now;
        let parent = match self.groups.get_mut(group) {
            Some(g) => {
                g.pending.remove(phone);
                if g.member(phone).is_none() {
                    g.participants.push(Member {
                        phone: phone.to_string(),
                        role: Role::Member,
                        join_time: now,
                    });
                }
                g.parent.clone()
            }
            None => None,
        };
        // Members of a subgroup are members of its community.
        if let Some(p) = parent
            && let Some(pg) = self.groups.get_mut(&p)
            && pg.member(phone).is_none()
        {
            pg.participants.push(Member {
                phone: phone.to_string(),
                role: Role::Member,
                join_time: now,
            });
        }
    }

    /// A direct add refused by the person's privacy setting: 403, with the invite code (valid
    /// three days) WhatsApp hands the admin instead.
    fn privacy_refusal(&mut self, phone: &str) -> ParticipantOutcome {
        let code = self.new_invite_code();
        ParticipantOutcome {
            phone: phone.to_string(),
            error: Some(403),
            add_request: Some((code, self.now + 3 * 86_400)),
        }
    }
}

#[cfg(test)]
mod tests;
