//! Invite links and join requests: codes, joining by code, asking to join, approving,
//! rejecting and withdrawing requests.

use super::*;

impl World {
    /// The group's invite code; `reset` revokes the current one first (it then answers 410).
    pub fn invite_code(
        &mut self,
        actor: &str,
        group: &str,
        reset: bool,
    ) -> WaResult<(String, Vec<Notice>)> {
        self.require_admin(actor, group)?;
        if !reset {
            return Ok((self.get(group)?.invite_code.clone(), Vec::new()));
        }
        let fresh = self.new_invite_code();
        let g = self.get_mut(group)?;
        let old = std::mem::replace(&mut g.invite_code, fresh.clone());
        self.revoked_codes.insert(old, group.to_string());
        let recipients = self.admins_of(group);
        Ok((
            fresh,
            vec![self.notice(group, actor, NoticeAction::InviteRevoked, recipients)],
        ))
    }

    /// Invite preview: 404 unknown code, 410 revoked code.
    pub fn invite_info(&self, code: &str) -> WaResult<&Group> {
        if let Some(g) = self.groups.values().find(|g| g.invite_code == code) {
            return Ok(g);
        }
        if self.revoked_codes.contains_key(code) {
            return Err(WaError::GONE);
        }
        Err(WaError::NOT_FOUND)
    }

    pub fn join_by_code(
        &mut self,
        actor: &str,
        code: &str,
    ) -> WaResult<(JoinOutcome, Vec<Notice>)> {
        if self.account(actor).is_none() {
            return Err(WaError::NOT_FOUND);
        }
        let g = self.invite_info(code)?;
        let id = g.id.clone();
        if g.member(actor).is_some() {
            return Err(WaError::ALREADY_MEMBER);
        }
        if g.participants.len() >= MAX_GROUP_SIZE {
            return Err(WaError::GROUP_FULL);
        }
        if g.settings.approval {
            if g.pending.contains(actor) {
                return Ok((JoinOutcome::Pending(id), Vec::new()));
            }
            let notices = self.request_join(actor, &id, RequestMethod::InviteLink, None)?;
            return Ok((JoinOutcome::Pending(id), notices));
        }
        self.join(&id, actor);
        let recipients = self.members_of(&id);
        let notice = self.notice(
            &id,
            actor,
            NoticeAction::Add {
                participants: vec![actor.to_string()],
                reason: Some("invite"),
            },
            recipients,
        );
        Ok((JoinOutcome::Joined(id), vec![notice]))
    }

    /// A simulated user asks to join (as if through a link or a community): a pending request
    /// and `CreatedMembershipRequests` to the admins. 304 if already a member, 409 if already pending.
    pub fn request_join(
        &mut self,
        actor: &str,
        group: &str,
        method: RequestMethod,
        parent: Option<GroupId>,
    ) -> WaResult<Vec<Notice>> {
        let now = self.now;
        let g = self.get_mut(group)?;
        if g.member(actor).is_some() {
            return Err(WaError::ALREADY_MEMBER);
        }
        if g.pending.contains(actor) {
            return Err(WaError::CONFLICT);
        }
        g.pending.push(PendingRequest {
            phone: actor.to_string(),
            time: now,
            method,
            parent: parent.clone(),
        });
        let mut recipients = self.admins_of(group);
        recipients.push(actor.to_string());
        Ok(vec![self.notice(
            group,
            actor,
            NoticeAction::CreatedMembershipRequests {
                method,
                parent,
                requesters: vec![actor.to_string()],
            },
            recipients,
        )])
    }

    pub fn membership_requests(&self, actor: &str, group: &str) -> WaResult<Vec<PendingRequest>> {
        self.require_admin(actor, group)?;
        Ok(self.get(group)?.pending.to_vec())
    }

    pub fn approve_requests(
        &mut self,
        actor: &str,
        group: &str,
        phones: &[Phone],
    ) -> WaResult<Outcomes> {
        self.require_admin(actor, group)?;
        let mut outcomes = Vec::new();
        let mut added = Vec::new();
        for phone in phones {
            let g = self.get(group)?;
            let outcome = if !g.pending.contains(phone) {
                refused(phone, 404)
            } else if g.participants.len() >= MAX_GROUP_SIZE {
                refused(phone, 419)
            } else {
                self.join(group, phone);
                added.push(phone.clone());
                ok(phone)
            };
            outcomes.push(outcome);
        }
        Ok((outcomes, self.added_notice(group, actor, added)))
    }

    pub fn reject_requests(
        &mut self,
        actor: &str,
        group: &str,
        phones: &[Phone],
    ) -> WaResult<Outcomes> {
        self.require_admin(actor, group)?;
        self.withdraw(actor, group, phones, false)
    }

    /// The requester withdraws their own request(s): `phones` must be the actor's own.
    pub fn cancel_requests(
        &mut self,
        actor: &str,
        group: &str,
        phones: &[Phone],
    ) -> WaResult<Outcomes> {
        self.get(group)?;
        self.withdraw(actor, group, phones, true)
    }

    fn withdraw(
        &mut self,
        actor: &str,
        group: &str,
        phones: &[Phone],
        own_only: bool,
    ) -> WaResult<Outcomes> {
        let mut outcomes = Vec::new();
        let mut gone = Vec::new();
        let g = self.get_mut(group)?;
        for phone in phones {
            let outcome = if own_only && phone != actor {
                refused(phone, 403)
            } else if !g.pending.contains(phone) {
                refused(phone, 404)
            } else {
                g.pending.remove(phone);
                gone.push(phone.clone());
                ok(phone)
            };
            outcomes.push(outcome);
        }
        let mut notices = Vec::new();
        if !gone.is_empty() {
            let mut recipients = self.admins_of(group);
            recipients.extend(gone.iter().cloned());
            notices.push(self.notice(
                group,
                actor,
                NoticeAction::RevokedMembershipRequests { participants: gone },
                recipients,
            ));
        }
        Ok((outcomes, notices))
    }
}
