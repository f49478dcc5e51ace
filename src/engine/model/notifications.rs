//! Live group notifications applied to the model: one function per kind (or small family) of
//! notification, each patching the model and noting in [`Changes`] what the UI must redraw.

use whatsapp_rust::types::events::GroupUpdate;
use whatsapp_rust::wacore::stanza::groups::GroupNotificationAction as A;

use super::SessionModel;
use crate::domain::{
    CommunityMark, GroupEvent, GroupEventKind, GroupId, GroupSettings, JoinRequest, Participant,
};
use crate::engine::convert::{group_id, phone_of};
use crate::ops::Setting::{
    self, AdminsOnlyAdd, AdminsOnlyEdit, AdminsOnlySend, Approval, Disappearing,
};
use crate::protocol::Update;

/// What one notification changed, sent as deltas (a burst must not resend whole lists per
/// notification).
#[derive(Debug, Default)]
pub(super) struct Changes {
    /// Roster rows added or changed.
    pub(super) upsert: Vec<Participant>,
    /// JIDs gone from the roster.
    pub(super) removed: Vec<String>,
    pub(super) requests_added: Vec<JoinRequest>,
    /// JIDs whose requests are gone.
    pub(super) requests_removed: Vec<String>,
    /// The roster was touched: the group's size follows it.
    pub(super) roster: bool,
    /// The group's own row changed.
    pub(super) group: bool,
    /// The group is gone for us (we left or were removed, or it was deleted).
    pub(super) gone: bool,
    /// Other groups this notification changed (subgroups of a community).
    pub(super) also: Vec<GroupId>,
}

impl SessionModel {
    /// Applies one notification (live or replayed); returns what the UI must redraw, the feed
    /// event last (so when it shows, the panes already agree with it).
    pub(super) fn apply_inner(&mut self, u: &GroupUpdate) -> Vec<Update> {
        // A name first: the feed line, last, may show it.
        let mut out: Vec<Update> = self.learn_name(u).into_iter().collect();
        out.extend(self.apply_change(u));
        out
    }

    fn apply_change(&mut self, u: &GroupUpdate) -> Vec<Update> {
        let id = group_id(&u.group_jid);
        let actor = actor(u);
        let mut changes = Changes::default();
        let kind = self.change(&id, u, actor.as_deref(), &mut changes);
        // Keep the size in step with the roster we hold.
        if changes.roster
            && let Some(len) = self.rosters.get(&id).map(|r| r.len())
        {
            self.with_group(&id, |g| g.size = len);
        }
        let event = self.event(u, &id, actor, kind);
        // Our own change, already applied and shown when WhatsApp confirmed it.
        if let Update::Event(e) = &event
            && u.participant.as_ref().is_some_and(|p| self.me.is(p))
            && self.is_echo(e)
        {
            return self.deltas(id, changes);
        }
        self.updates(id, changes, event)
    }

    /// Patches the model by one notification; returns the feed event's kind.
    fn change(
        &mut self,
        id: &GroupId,
        u: &GroupUpdate,
        actor: Option<&str>,
        c: &mut Changes,
    ) -> GroupEventKind {
        let by = u.participant.as_ref();
        match &u.action {
            A::Add {
                participants,
                reason,
            } => self.members_added(id, participants, reason.as_deref(), by, c),
            A::Remove { participants, .. } => self.members_removed(id, participants, by, c),
            A::Promote { participants } => self.roles_changed(id, participants, true, c),
            A::Demote { participants } => self.roles_changed(id, participants, false, c),
            A::Subject { subject, .. } => self.subject_changed(id, subject, c),
            A::Description {
                description,
                id: token,
            } => self.description_changed(id, description.as_deref(), token, c),
            A::Locked { .. } => self.setting_changed(id, AdminsOnlyEdit(true), c),
            A::Unlocked => self.setting_changed(id, AdminsOnlyEdit(false), c),
            A::Announce => self.setting_changed(id, AdminsOnlySend(true), c),
            A::NotAnnounce => self.setting_changed(id, AdminsOnlySend(false), c),
            A::Ephemeral { expiration, .. } => {
                self.setting_changed(id, Disappearing(*expiration), c)
            }
            A::MembershipApprovalMode { enabled } => {
                self.setting_changed(id, Approval(*enabled), c)
            }
            A::MemberAddMode { mode } => {
                let admin_only = mode == "admin_add";
                self.setting_changed(id, AdminsOnlyAdd(admin_only), c)
            }
            A::CreatedMembershipRequests {
                request_method,
                parent_group_jid,
                requests,
            } => {
                let via = parent_group_jid.as_ref().map(group_id);
                let at = u.timestamp.timestamp();
                self.requests_created(id, request_method, via, requests, at, c)
            }
            A::MembershipApprovalRequest { request_method, .. } => {
                Self::request_announced(actor, request_method)
            }
            A::RevokedMembershipRequests { participants } => {
                self.requests_revoked(id, participants, c)
            }
            A::Invite { .. } | A::RevokeInvite => GroupEventKind::InviteReset,
            A::Delete { .. } => self.group_deleted(id, c),
            A::Link { link_type, raw } => self.relinked(id, link_type, raw, true, c),
            A::Unlink {
                unlink_type, raw, ..
            } => self.relinked(id, unlink_type, raw, false, c),
            A::Create { .. } => GroupEventKind::GroupCreated,
            A::Modify { participants } => self.numbers_changed(id, participants, c),
            other => GroupEventKind::Other {
                what: format!("{other:?}")
                    .split([' ', '{', '('])
                    .next()
                    .unwrap_or("change")
                    .to_string(),
            },
        }
    }

    fn subject_changed(&mut self, id: &GroupId, subject: &str, c: &mut Changes) -> GroupEventKind {
        self.with_group(id, |g| g.subject = subject.to_string());
        c.group = true;
        GroupEventKind::SubjectChanged {
            subject: subject.to_string(),
        }
    }

    fn description_changed(
        &mut self,
        id: &GroupId,
        description: Option<&str>,
        token: &str,
        c: &mut Changes,
    ) -> GroupEventKind {
        self.with_group(id, |g| {
            g.description = description.map(str::to_string);
            // The id is the token the next edit must name as `prev`.
            g.description_id = description.map(|_| token.to_string());
        });
        c.group = true;
        GroupEventKind::DescriptionChanged {
            deleted: description.is_none(),
        }
    }

    /// A group setting changed: written into the group's row, and named in the feed.
    fn setting_changed(
        &mut self,
        id: &GroupId,
        setting: Setting,
        c: &mut Changes,
    ) -> GroupEventKind {
        self.with_group(id, |g| write_setting(&mut g.settings, setting));
        c.group = true;
        GroupEventKind::SettingChanged {
            name: setting_name(setting).to_string(),
            value: setting.value_words(),
        }
    }

    /// The group was deleted. A deactivated community's subgroups stay, as plain groups.
    fn group_deleted(&mut self, id: &GroupId, c: &mut Changes) -> GroupEventKind {
        c.gone = true;
        for g in self.groups.values_mut() {
            if matches!(&g.community, CommunityMark::Subgroup { parent } if parent == id) {
                g.community = CommunityMark::None;
                c.also.push(g.id.clone());
            }
        }
        GroupEventKind::GroupDeleted
    }

    /// The feed event of a notification, named by the group's subject (as it was before a
    /// notification that removes the group).
    fn event(
        &self,
        u: &GroupUpdate,
        id: &GroupId,
        actor: Option<String>,
        kind: GroupEventKind,
    ) -> Update {
        let subject = self
            .groups
            .get(id)
            .map(|g| g.subject.clone())
            .unwrap_or_else(|| id.to_string());
        Update::Event(GroupEvent {
            at: u.timestamp.timestamp(),
            session: self.session,
            group: id.clone(),
            group_subject: subject,
            actor,
            kind,
            found_on_reconnect: false,
        })
    }

    /// What the UI must redraw for `changes`, `event` last. A group gone is dropped from the
    /// model here, after its event was named.
    fn updates(&mut self, id: GroupId, changes: Changes, event: Update) -> Vec<Update> {
        let mut out = self.deltas(id, changes);
        out.push(event);
        out
    }

    /// What the UI must redraw for `changes`.
    pub(super) fn deltas(&mut self, id: GroupId, changes: Changes) -> Vec<Update> {
        let mut out: Vec<Update> = changes
            .also
            .iter()
            .filter(|g| self.groups.contains_key(*g))
            .map(|g| self.group_update(g))
            .collect();
        if changes.gone {
            self.groups.remove(&id);
            self.rosters.remove(&id);
            self.requests.remove(&id);
            out.push(Update::GroupGone {
                session: self.session,
                group: id,
            });
            return out;
        }
        if changes.group && self.groups.contains_key(&id) {
            out.push(self.group_update(&id));
        }
        if !changes.upsert.is_empty() || !changes.removed.is_empty() {
            out.push(Update::RosterChanged {
                session: self.session,
                group: id.clone(),
                upsert: changes.upsert,
                removed: changes.removed,
            });
        }
        if !changes.requests_added.is_empty() || !changes.requests_removed.is_empty() {
            out.push(Update::RequestsChanged {
                session: self.session,
                group: id,
                added: changes.requests_added,
                removed: changes.requests_removed,
            });
        }
        out
    }
}

/// Who made the change, by phone number when WhatsApp tells it, else by user.
fn actor(u: &GroupUpdate) -> Option<String> {
    u.participant_pn
        .as_ref()
        .and_then(phone_of)
        .or_else(|| u.participant.as_ref().and_then(phone_of))
        .or_else(|| u.participant.as_ref().map(|j| j.user.to_string()))
}

/// A setting as the feed names it.
pub(super) fn setting_name(setting: Setting) -> &'static str {
    match setting {
        AdminsOnlyEdit(_) => "edit info",
        AdminsOnlySend(_) => "send messages",
        Disappearing(_) => "disappearing messages",
        Approval(_) => "approve new members",
        AdminsOnlyAdd(_) => "add members",
    }
}

/// Where each setting lives in a group's row.
pub(super) fn write_setting(settings: &mut GroupSettings, setting: Setting) {
    match setting {
        AdminsOnlySend(on) => settings.announce = on,
        AdminsOnlyEdit(on) => settings.locked = on,
        Approval(on) => settings.approval = on,
        AdminsOnlyAdd(on) => settings.admin_add_only = Some(on),
        Disappearing(secs) => settings.ephemeral = secs,
    }
}
