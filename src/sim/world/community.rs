//! Communities: subgroups, linking and unlinking, community-wide removal, deactivation,
//! joining a subgroup through the community.

use super::*;

impl World {
    pub fn subgroups(&self, parent: &str) -> Vec<&Group> {
        self.groups
            .values()
            .filter(|g| g.parent.as_deref() == Some(parent))
            .collect()
    }

    /// The subgroups of a community, announcement group first, as its members may list them:
    /// 404 unknown or not a community, 403 not a member.
    pub fn community_subgroups(&self, actor: &str, parent: &str) -> WaResult<Vec<&Group>> {
        if !self.get(parent)?.is_parent {
            return Err(WaError::NOT_FOUND);
        }
        self.role(actor, parent)?;
        let mut subs = self.subgroups(parent);
        subs.sort_by(|a, b| {
            b.is_default_sub
                .cmp(&a.is_default_sub)
                .then_with(|| a.subject.cmp(&b.subject))
        });
        Ok(subs)
    }

    fn require_community_admin(&self, actor: &str, parent: &str) -> WaResult<()> {
        if !self.get(parent)?.is_parent {
            return Err(WaError::BAD_REQUEST);
        }
        self.require_admin(actor, parent)
    }

    /// Per subgroup: `None` = linked, `Some(code)` = refused (404 unknown, 401 not admin there,
    /// 406 already in a community).
    pub fn link_subgroups(
        &mut self,
        actor: &str,
        parent: &str,
        subgroups: &[GroupId],
    ) -> WaResult<LinkOutcomes> {
        self.require_community_admin(actor, parent)?;
        let mut results = Vec::new();
        let mut linked = Vec::new();
        for sub in subgroups {
            let code = match self.groups.get(sub) {
                None => Some(404),
                Some(g) if !g.is_admin(actor) => Some(401),
                Some(g) if g.parent.is_some() || g.is_parent => Some(406),
                Some(_) => None,
            };
            if code.is_none() {
                if let Some(g) = self.groups.get_mut(sub) {
                    g.parent = Some(parent.to_string());
                }
                for m in self.members_of(sub) {
                    self.join_parent_only(parent, &m);
                }
                linked.push(sub.clone());
            }
            results.push((sub.clone(), code));
        }
        let notices = self.link_notices(actor, parent, &linked, true);
        Ok((results, notices))
    }

    /// A link or unlink told from each side, each to its own members: the community names the
    /// groups moved (`sub_group`), each moved group names the community (`parent_group`), and
    /// the community's other groups name the moved ones (`sibling_group`).
    fn link_notices(
        &self,
        actor: &str,
        parent: &str,
        moved: &[GroupId],
        link: bool,
    ) -> Vec<Notice> {
        if moved.is_empty() {
            return Vec::new();
        }
        let action = |groups: Vec<GroupId>, side| {
            if link {
                NoticeAction::Link { groups, side }
            } else {
                NoticeAction::Unlink { groups, side }
            }
        };
        let mut notices = vec![self.notice(
            parent,
            actor,
            action(moved.to_vec(), LinkSide::SubGroup),
            self.members_of(parent),
        )];
        for g in moved {
            let side = action(vec![parent.to_string()], LinkSide::ParentGroup);
            notices.push(self.notice(g, actor, side, self.members_of(g)));
        }
        let siblings: Vec<GroupId> = self
            .subgroups(parent)
            .iter()
            .filter(|s| !s.is_default_sub && !moved.contains(&s.id))
            .map(|s| s.id.clone())
            .collect();
        for s in siblings {
            let side = action(moved.to_vec(), LinkSide::SiblingGroup);
            notices.push(self.notice(&s, actor, side, self.members_of(&s)));
        }
        notices
    }

    fn join_parent_only(&mut self, parent: &str, phone: &str) {
        let now = self.now;
        if let Some(p) = self.groups.get_mut(parent)
            && p.member(phone).is_none()
        {
            p.participants.push(Member {
                phone: phone.to_string(),
                role: Role::Member,
                join_time: now,
            });
        }
    }

    pub fn unlink_subgroups(
        &mut self,
        actor: &str,
        parent: &str,
        subgroups: &[GroupId],
        remove_orphans: bool,
    ) -> WaResult<LinkOutcomes> {
        self.require_community_admin(actor, parent)?;
        let mut results = Vec::new();
        let mut unlinked = Vec::new();
        for sub in subgroups {
            let code = match self.groups.get(sub) {
                Some(g) if g.parent.as_deref() != Some(parent) => Some(404),
                None => Some(404),
                Some(g) if g.is_default_sub => Some(406),
                Some(_) => None,
            };
            if code.is_none() {
                let members = self.members_of(sub);
                if let Some(g) = self.groups.get_mut(sub) {
                    g.parent = None;
                }
                if remove_orphans {
                    let still: Vec<Phone> = self
                        .subgroups(parent)
                        .iter()
                        .filter(|g| !g.is_default_sub)
                        .flat_map(|g| g.participants.iter().map(|m| m.phone.clone()))
                        .collect();
                    if let Some(p) = self.groups.get_mut(parent) {
                        p.participants.retain(|m| {
                            m.role.is_admin()
                                || !members.contains(&m.phone)
                                || still.contains(&m.phone)
                        });
                    }
                }
                unlinked.push(sub.clone());
            }
            results.push((sub.clone(), code));
        }
        let notices = self.link_notices(actor, parent, &unlinked, false);
        Ok((results, notices))
    }

    /// Removes people from a community and every group in it (`remove linked_groups="true"` on
    /// the parent): the answer is the parent's; each group they leave is notified.
    pub fn remove_from_community(
        &mut self,
        actor: &str,
        parent: &str,
        phones: &[Phone],
    ) -> WaResult<Outcomes> {
        self.require_community_admin(actor, parent)?;
        let (outcomes, mut notices) = self.remove_participants(actor, parent, phones)?;
        let subs: Vec<GroupId> = self
            .subgroups(parent)
            .iter()
            .map(|g| g.id.clone())
            .collect();
        for sub in subs {
            let mut removed = Vec::new();
            if let Some(g) = self.groups.get_mut(&sub) {
                for phone in phones {
                    if g.member(phone).is_some() {
                        g.participants.retain(|m| &m.phone != phone);
                        removed.push(phone.clone());
                    }
                }
            }
            if !removed.is_empty() {
                let mut recipients = self.members_of(&sub);
                recipients.extend(removed.iter().cloned());
                notices.push(self.notice(
                    &sub,
                    actor,
                    NoticeAction::Remove {
                        participants: removed,
                    },
                    recipients,
                ));
            }
        }
        Ok((outcomes, notices))
    }

    /// Deactivates the community: the parent and its announcement group go, subgroups stay as
    /// plain groups.
    pub fn deactivate_community(&mut self, actor: &str, parent: &str) -> WaResult<Vec<Notice>> {
        self.require_community_admin(actor, parent)?;
        let recipients = self.members_of(parent);
        let subs: Vec<(GroupId, bool)> = self
            .subgroups(parent)
            .iter()
            .map(|g| (g.id.clone(), g.is_default_sub))
            .collect();
        let mut notices = Vec::new();
        for (id, announcement) in subs {
            if announcement {
                let members = self.members_of(&id);
                notices.push(self.notice(&id, actor, NoticeAction::Delete, members));
                self.groups.remove(&id);
            } else if let Some(g) = self.groups.get_mut(&id) {
                g.parent = None;
            }
        }
        self.groups.remove(parent);
        notices.insert(
            0,
            self.notice(parent, actor, NoticeAction::Delete, recipients),
        );
        Ok(notices)
    }

    /// The merged participants of the community and all its subgroups, with their highest role.
    pub fn linked_participants(&self, actor: &str, parent: &str) -> WaResult<Vec<Member>> {
        self.role(actor, parent)?;
        let mut merged: BTreeMap<Phone, Member> = BTreeMap::new();
        let parent_group = self.get(parent)?;
        for g in std::iter::once(parent_group).chain(self.subgroups(parent)) {
            for m in &g.participants {
                let e = merged.entry(m.phone.clone()).or_insert_with(|| m.clone());
                if m.role > e.role {
                    e.role = m.role;
                }
            }
        }
        Ok(merged.into_values().collect())
    }

    /// A community member joins one of its subgroups (a pending `LinkedGroupJoin` request if the
    /// subgroup needs approval).
    pub fn join_linked_group(
        &mut self,
        actor: &str,
        parent: &str,
        subgroup: &str,
    ) -> WaResult<(JoinOutcome, Vec<Notice>)> {
        self.role(actor, parent)?;
        let sub = self.get(subgroup)?;
        if sub.parent.as_deref() != Some(parent) {
            return Err(WaError::NOT_FOUND);
        }
        if sub.member(actor).is_some() {
            return Err(WaError::ALREADY_MEMBER);
        }
        if sub.settings.approval {
            let notices = self.request_join(
                actor,
                subgroup,
                RequestMethod::LinkedGroupJoin,
                Some(parent.to_string()),
            )?;
            return Ok((JoinOutcome::Pending(subgroup.to_string()), notices));
        }
        if sub.participants.len() >= MAX_GROUP_SIZE {
            return Err(WaError::GROUP_FULL);
        }
        self.join(subgroup, actor);
        let recipients = self.members_of(subgroup);
        let notice = self.notice(
            subgroup,
            actor,
            NoticeAction::Add {
                participants: vec![actor.to_string()],
                reason: None,
            },
            recipients,
        );
        Ok((JoinOutcome::Joined(subgroup.to_string()), vec![notice]))
    }
}
