//! Creating a group or a community (`<create>`).

use super::*;
use crate::sim::pending::Pending;

impl World {
    /// `<create>`: the actor becomes superadmin; listed participants are added with per-participant
    /// outcomes like `add_participants` (privacy 403 + add_request, unknown 404). A community
    /// (`is_parent`) also gets its announcement group (`is_default_sub`, announce on).
    pub fn create_group(
        &mut self,
        actor: &str,
        opts: CreateOptions,
    ) -> WaResult<(GroupId, Vec<ParticipantOutcome>, Vec<Notice>)> {
        self.check_create(actor, &opts)?;
        // The order ids are drawn in (group id, invite code, then the refusals' invite codes)
        // keeps created groups identical from run to run.
        let id = self.new_group_id();
        let code = self.new_invite_code();
        let now = self.now;
        let (participants, outcomes) = self.initial_participants(actor, &opts.participants);
        let description = opts.description.as_ref().map(|body| Description {
            id: format!("{}", self.next_id + 1000),
            body: body.clone(),
            setter: actor.to_string(),
            time: now,
        });
        let group = Group {
            id: id.clone(),
            subject: opts.subject.clone(),
            subject_owner: Some(actor.to_string()),
            subject_time: now,
            creator: actor.to_string(),
            creation: now,
            description,
            participants: participants.clone(),
            settings: opts.settings,
            addressing: AddressingMode::Lid,
            invite_code: code,
            pending: Pending::default(),
            is_parent: opts.is_parent,
            parent: opts.parent.clone(),
            is_default_sub: false,
            picture_id: None,
        };
        self.groups.insert(id.clone(), group);
        let recipients: Vec<Phone> = participants.iter().map(|m| m.phone.clone()).collect();
        let mut notices = vec![self.notice(&id, actor, NoticeAction::Create, recipients.clone())];
        if opts.is_parent {
            notices.push(self.add_announcement_group(actor, &id, recipients));
        } else if opts.parent.is_some() {
            // Everyone in a subgroup is in its community.
            for m in &participants {
                self.join(&id, &m.phone);
            }
        }
        Ok((id, outcomes, notices))
    }

    /// What `<create>` refuses before anything is made: 404 unknown actor, 400 bad subject or
    /// description or a parent that is no community, and the parent's admin rule.
    fn check_create(&self, actor: &str, opts: &CreateOptions) -> WaResult<()> {
        if self.account(actor).is_none() {
            return Err(WaError::NOT_FOUND);
        }
        check_subject(&opts.subject)?;
        if opts
            .description
            .as_ref()
            .is_some_and(|d| d.chars().count() > MAX_DESCRIPTION_CHARS)
        {
            return Err(WaError::BAD_REQUEST);
        }
        if let Some(p) = &opts.parent {
            let parent = self.get(p)?;
            if !parent.is_parent {
                return Err(WaError::BAD_REQUEST);
            }
            self.require_admin(actor, p)?;
        }
        Ok(())
    }

    /// The creator as superadmin plus whoever of `asked` can be added directly, with one outcome
    /// per asked phone (the creator excepted) in the shape of `add_participants`.
    fn initial_participants(
        &mut self,
        actor: &str,
        asked: &[Phone],
    ) -> (Vec<Member>, Vec<ParticipantOutcome>) {
        let now = self.now;
        let mut participants = vec![Member {
            phone: actor.to_string(),
            role: Role::SuperAdmin,
            join_time: now,
        }];
        let mut outcomes = Vec::new();
        for phone in asked.iter().filter(|p| p.as_str() != actor) {
            let outcome = match self.account(phone) {
                None => refused(phone, 404),
                Some(a) if a.blocks_direct_adds => self.privacy_refusal(phone),
                Some(Account {
                    add_refusal: Some(code),
                    ..
                }) => refused(phone, *code),
                Some(_) if participants.iter().any(|m| &m.phone == phone) => refused(phone, 409),
                Some(_) if participants.len() >= MAX_GROUP_SIZE => refused(phone, 419),
                Some(_) => {
                    participants.push(Member {
                        phone: phone.clone(),
                        role: Role::Member,
                        join_time: now,
                    });
                    ok(phone)
                }
            };
            outcomes.push(outcome);
        }
        (participants, outcomes)
    }

    /// A new community's announcement group: a copy of the community (same members) linked to
    /// it as its default subgroup, where only admins post. Returns its `Create` notice.
    fn add_announcement_group(
        &mut self,
        actor: &str,
        parent: &str,
        recipients: Vec<Phone>,
    ) -> Notice {
        let ann_id = self.new_group_id();
        let ann_code = self.new_invite_code();
        let ann = self.groups.get(parent).map(|community| Group {
            id: ann_id.clone(),
            is_parent: false,
            parent: Some(parent.to_string()),
            is_default_sub: true,
            invite_code: ann_code,
            settings: Settings {
                announce: true,
                ..community.settings
            },
            description: None,
            ..community.clone()
        });
        if let Some(ann) = ann {
            self.groups.insert(ann_id.clone(), ann);
        }
        self.notice(&ann_id, actor, NoticeAction::Create, recipients)
    }
}
