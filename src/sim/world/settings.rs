//! Group info and settings: subject, description, the setting toggles, the picture.

use super::*;

impl World {
    pub fn set_subject(
        &mut self,
        actor: &str,
        group: &str,
        subject: &str,
    ) -> WaResult<Vec<Notice>> {
        self.require_info_editor(actor, group)?;
        check_subject(subject)?;
        let now = self.now;
        let g = self.get_mut(group)?;
        g.subject = subject.to_string();
        g.subject_owner = Some(actor.to_string());
        g.subject_time = now;
        let recipients = self.members_of(group);
        Ok(vec![self.notice(
            group,
            actor,
            NoticeAction::Subject {
                subject: subject.to_string(),
            },
            recipients,
        )])
    }

    /// `prev` is the description id the client believes current; a mismatch answers 409.
    /// `body: None` deletes the description.
    pub fn set_description(
        &mut self,
        actor: &str,
        group: &str,
        new_id: &str,
        prev: Option<&str>,
        body: Option<&str>,
    ) -> WaResult<Vec<Notice>> {
        self.require_info_editor(actor, group)?;
        if body.is_some_and(|b| b.chars().count() > MAX_DESCRIPTION_CHARS) {
            return Err(WaError::BAD_REQUEST);
        }
        let now = self.now;
        let g = self.get_mut(group)?;
        if g.description.as_ref().map(|d| d.id.as_str()) != prev {
            return Err(WaError::CONFLICT);
        }
        g.description = body.map(|b| Description {
            id: new_id.to_string(),
            body: b.to_string(),
            setter: actor.to_string(),
            time: now,
        });
        let recipients = self.members_of(group);
        Ok(vec![self.notice(
            group,
            actor,
            NoticeAction::Description {
                id: new_id.to_string(),
                body: body.map(str::to_string),
            },
            recipients,
        )])
    }

    /// Applies a setting change; a notice only if something changed.
    fn set_setting(
        &mut self,
        actor: &str,
        group: &str,
        admin_only: bool,
        apply: impl FnOnce(&mut Settings) -> Option<NoticeAction>,
    ) -> WaResult<Vec<Notice>> {
        if admin_only {
            self.require_admin(actor, group)?;
        } else {
            self.require_info_editor(actor, group)?;
        }
        let g = self.get_mut(group)?;
        let Some(action) = apply(&mut g.settings) else {
            return Ok(Vec::new());
        };
        let recipients = self.members_of(group);
        Ok(vec![self.notice(group, actor, action, recipients)])
    }

    pub fn set_locked(&mut self, actor: &str, group: &str, locked: bool) -> WaResult<Vec<Notice>> {
        self.set_setting(actor, group, true, |s| {
            (s.locked != locked).then(|| {
                s.locked = locked;
                if locked {
                    NoticeAction::Locked
                } else {
                    NoticeAction::Unlocked
                }
            })
        })
    }

    pub fn set_announce(
        &mut self,
        actor: &str,
        group: &str,
        announce: bool,
    ) -> WaResult<Vec<Notice>> {
        self.set_setting(actor, group, true, |s| {
            (s.announce != announce).then(|| {
                s.announce = announce;
                if announce {
                    NoticeAction::Announce
                } else {
                    NoticeAction::NotAnnounce
                }
            })
        })
    }

    pub fn set_ephemeral(
        &mut self,
        actor: &str,
        group: &str,
        expiration: u32,
    ) -> WaResult<Vec<Notice>> {
        self.set_setting(actor, group, false, |s| {
            (s.ephemeral != expiration).then(|| {
                s.ephemeral = expiration;
                NoticeAction::Ephemeral { expiration }
            })
        })
    }

    pub fn set_approval(
        &mut self,
        actor: &str,
        group: &str,
        enabled: bool,
    ) -> WaResult<Vec<Notice>> {
        self.set_setting(actor, group, true, |s| {
            (s.approval != enabled).then(|| {
                s.approval = enabled;
                NoticeAction::MembershipApprovalMode { enabled }
            })
        })
    }

    pub fn set_admin_add_only(
        &mut self,
        actor: &str,
        group: &str,
        admin_only: bool,
    ) -> WaResult<Vec<Notice>> {
        self.set_setting(actor, group, true, |s| {
            (s.admin_add_only != admin_only).then(|| {
                s.admin_add_only = admin_only;
                NoticeAction::MemberAddMode {
                    mode: if admin_only {
                        "admin_add"
                    } else {
                        "all_member_add"
                    },
                }
            })
        })
    }

    /// Sets (`Some(jpeg)`) or removes (`None`) the group picture; returns the new picture id.
    pub fn set_picture(
        &mut self,
        actor: &str,
        group: &str,
        jpeg: Option<&[u8]>,
    ) -> WaResult<(Option<String>, Vec<Notice>)> {
        self.require_info_editor(actor, group)?;
        if jpeg.is_some_and(<[u8]>::is_empty) {
            return Err(WaError::BAD_REQUEST);
        }
        let new_id = jpeg.map(|_| format!("{}", 1_000_000 + self.fresh()));
        let g = self.get_mut(group)?;
        if new_id.is_none() && g.picture_id.is_none() {
            return Ok((None, Vec::new()));
        }
        g.picture_id = new_id.clone();
        let recipients = self.members_of(group);
        let notice = self.notice(
            group,
            actor,
            NoticeAction::Picture { id: new_id.clone() },
            recipients,
        );
        Ok((new_id, vec![notice]))
    }
}
