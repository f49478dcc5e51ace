//! Membership operations: add, remove, promote, demote, leave.

use super::*;

impl World {
    /// What the group's members hear when `added` joined by an admin's hand (none if nobody).
    pub(super) fn added_notice(&self, group: &str, actor: &str, added: Vec<Phone>) -> Vec<Notice> {
        if added.is_empty() {
            return Vec::new();
        }
        let recipients = self.members_of(group);
        vec![self.notice(
            group,
            actor,
            NoticeAction::Add {
                participants: added,
                reason: None,
            },
            recipients,
        )]
    }

    pub fn add_participants(
        &mut self,
        actor: &str,
        group: &str,
        phones: &[Phone],
    ) -> WaResult<Outcomes> {
        let role = self.role(actor, group)?;
        if self.get(group)?.settings.admin_add_only && !role.is_admin() {
            return Err(WaError::NOT_AUTHORIZED);
        }
        let mut outcomes = Vec::new();
        let mut added = Vec::new();
        for phone in phones {
            let g = self.get(group)?;
            let outcome = match self.account(phone) {
                None => refused(phone, 404),
                Some(_) if g.member(phone).is_some() => refused(phone, 409),
                Some(_) if g.participants.len() >= MAX_GROUP_SIZE => refused(phone, 419),
                Some(a) if a.blocks_direct_adds => self.privacy_refusal(phone),
                Some(Account {
                    add_refusal: Some(code),
                    ..
                }) => refused(phone, *code),
                Some(_) => {
                    self.join(group, phone);
                    added.push(phone.clone());
                    ok(phone)
                }
            };
            outcomes.push(outcome);
        }
        Ok((outcomes, self.added_notice(group, actor, added)))
    }

    pub fn remove_participants(
        &mut self,
        actor: &str,
        group: &str,
        phones: &[Phone],
    ) -> WaResult<Outcomes> {
        self.require_admin(actor, group)?;
        let actor_role = self.role(actor, group)?;
        let mut outcomes = Vec::new();
        let mut removed = Vec::new();
        for phone in phones {
            let g = self.get_mut(group)?;
            let outcome = match g.role_of(phone) {
                None => refused(phone, 404),
                Some(Role::SuperAdmin) if actor_role != Role::SuperAdmin => refused(phone, 403),
                Some(_) => {
                    g.participants.retain(|m| &m.phone != phone);
                    removed.push(phone.clone());
                    ok(phone)
                }
            };
            outcomes.push(outcome);
        }
        let mut notices = Vec::new();
        if !removed.is_empty() {
            let mut recipients = self.members_of(group);
            recipients.extend(removed.iter().cloned());
            notices.push(self.notice(
                group,
                actor,
                NoticeAction::Remove {
                    participants: removed,
                },
                recipients,
            ));
        }
        Ok((outcomes, notices))
    }

    pub fn promote_participants(
        &mut self,
        actor: &str,
        group: &str,
        phones: &[Phone],
    ) -> WaResult<Outcomes> {
        self.change_roles(actor, group, phones, true)
    }

    pub fn demote_participants(
        &mut self,
        actor: &str,
        group: &str,
        phones: &[Phone],
    ) -> WaResult<Outcomes> {
        self.change_roles(actor, group, phones, false)
    }

    fn change_roles(
        &mut self,
        actor: &str,
        group: &str,
        phones: &[Phone],
        promote: bool,
    ) -> WaResult<Outcomes> {
        self.require_admin(actor, group)?;
        let actor_role = self.role(actor, group)?;
        let mut outcomes = Vec::new();
        let mut changed = Vec::new();
        let g = self.get_mut(group)?;
        for phone in phones {
            let outcome = match g.participants.iter_mut().find(|m| &m.phone == phone) {
                None => refused(phone, 404),
                Some(m) => match (promote, m.role) {
                    (true, Role::Member) => {
                        m.role = Role::Admin;
                        changed.push(phone.clone());
                        ok(phone)
                    }
                    (true, _) | (false, Role::Member) => ok(phone),
                    (false, Role::SuperAdmin) if actor_role != Role::SuperAdmin => {
                        refused(phone, 403)
                    }
                    (false, _) => {
                        m.role = Role::Member;
                        changed.push(phone.clone());
                        ok(phone)
                    }
                },
            };
            outcomes.push(outcome);
        }
        let mut notices = Vec::new();
        if !changed.is_empty() {
            let action = if promote {
                NoticeAction::Promote {
                    participants: changed,
                }
            } else {
                NoticeAction::Demote {
                    participants: changed,
                }
            };
            let recipients = self.members_of(group);
            notices.push(self.notice(group, actor, action, recipients));
        }
        Ok((outcomes, notices))
    }

    pub fn leave(&mut self, actor: &str, group: &str) -> WaResult<Vec<Notice>> {
        let g = self.get_mut(group)?;
        if g.member(actor).is_none() {
            return Err(WaError::NOT_FOUND);
        }
        g.participants.retain(|m| m.phone != actor);
        let mut promoted = None;
        if !g.participants.is_empty() && g.admins().next().is_none() {
            // WhatsApp hands the group to the longest-standing member.
            if let Some(m) = g.participants.iter_mut().min_by_key(|m| m.join_time) {
                m.role = Role::Admin;
                promoted = Some(m.phone.clone());
            }
        }
        let empty = g.participants.is_empty();
        let mut recipients = self.members_of(group);
        recipients.push(actor.to_string());
        let mut notices = vec![self.notice(
            group,
            actor,
            NoticeAction::Remove {
                participants: vec![actor.to_string()],
            },
            recipients,
        )];
        if let Some(p) = promoted {
            let recipients = self.members_of(group);
            notices.push(self.notice(
                group,
                actor,
                NoticeAction::Promote {
                    participants: vec![p],
                },
                recipients,
            ));
        }
        if empty {
            self.groups.remove(group);
        }
        Ok(notices)
    }
}
