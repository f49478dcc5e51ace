//! What WhatsApp confirmed of our own operations, applied to the model at once, with its feed
//! line: WhatsApp does not always echo a change to the device that made it, and the panes must
//! not wait for an echo that may never come. An echo that does come finds the change made and
//! changes nothing: people are matched as the same person whatever JID names them, and its
//! feed line is recognised as the one already shown (`is_echo`).

use super::SessionModel;
use super::notifications::{Changes, setting_name, write_setting};
use crate::domain::{GroupEvent, GroupEventKind, GroupId, Participant, Role};
use crate::ops::{Op, OpReport, TargetOutcome};
use crate::protocol::Update;

impl SessionModel {
    /// Applies what `op` on `group` did, as its `report` says WhatsApp confirmed it (for each
    /// person, or as a whole); returns what the UI must redraw.
    pub fn apply_confirmed(&mut self, group: &GroupId, op: &Op, report: &OpReport) -> Vec<Update> {
        if !self.groups.contains_key(group) {
            return Vec::new();
        }
        let people: Vec<Participant> = report
            .targets
            .iter()
            .filter(|t| t.outcome.is_done())
            .map(person)
            .collect();
        let whole = report.outcome.is_done() && report.targets.is_empty();
        let mut c = Changes::default();
        match op {
            Op::Add(_) | Op::Approve(_) if !people.is_empty() => {
                self.add_members(group, &people, &mut c)
            }
            Op::Remove(_) | Op::RemoveFromCommunity(_) if !people.is_empty() => {
                self.drop_members(group, &people, &mut c)
            }
            Op::Promote(_) if !people.is_empty() => {
                self.set_roles(group, &people, Role::Admin, &mut c)
            }
            Op::Demote(_) if !people.is_empty() => {
                self.set_roles(group, &people, Role::Member, &mut c)
            }
            Op::Reject(_) if !people.is_empty() => self.requests_approved(group, &people, &mut c),
            Op::SetSubject(subject) if whole => {
                self.with_group(group, |g| g.subject = subject.clone());
                c.group = true;
            }
            Op::Setting(setting) if whole => {
                self.with_group(group, |g| write_setting(&mut g.settings, *setting));
                c.group = true;
            }
            // The tree changes with the group list reloaded after it; the feed line is here.
            Op::Link(_) | Op::Unlink { .. } | Op::Deactivate => {}
            _ => return Vec::new(),
        }
        if c.roster
            && let Some(len) = self.rosters.get(group).map(|r| r.len())
        {
            self.with_group(group, |g| g.size = len);
        }
        let event = self.own_event(group, op, &people, report);
        let mut out = self.deltas(group.clone(), c);
        out.extend(event.map(Update::Event));
        out
    }

    /// The feed line of our own confirmed change, as its echo would have put it; remembered so
    /// the echo, if one comes, does not show it twice.
    fn own_event(
        &mut self,
        group: &GroupId,
        op: &Op,
        people: &[Participant],
        report: &OpReport,
    ) -> Option<GroupEvent> {
        let who: Vec<String> = people.iter().map(|p| p.display().to_string()).collect();
        let kind = match op {
            Op::Add(_) | Op::Approve(_) => GroupEventKind::Added { who },
            Op::Remove(_) | Op::RemoveFromCommunity(_) => GroupEventKind::Removed { who },
            Op::Promote(_) => GroupEventKind::Promoted { who },
            Op::Demote(_) => GroupEventKind::Demoted { who },
            Op::Reject(_) => GroupEventKind::RequestRevoked { who },
            Op::Deactivate if report.outcome.is_done() => GroupEventKind::GroupDeleted,
            // Link and unlink name groups (their subjects, as the report does).
            Op::Link(_) if !done_groups(report).is_empty() => GroupEventKind::Linked {
                groups: done_groups(report),
            },
            Op::Unlink { .. } if !done_groups(report).is_empty() => GroupEventKind::Unlinked {
                groups: done_groups(report),
            },
            Op::SetSubject(subject) => GroupEventKind::SubjectChanged {
                subject: subject.clone(),
            },
            Op::Setting(setting) => GroupEventKind::SettingChanged {
                name: setting_name(*setting).to_string(),
                value: setting.value_words(),
            },
            _ => return None,
        };
        let event = GroupEvent {
            at: report.at,
            session: self.session,
            group: group.clone(),
            group_subject: self
                .groups
                .get(group)
                .map_or_else(|| group.to_string(), |g| g.subject.clone()),
            actor: self.me.pn_user.as_ref().map(|u| format!("+{u}")),
            kind,
            found_on_reconnect: false,
        };
        if self.own.len() >= OWN_KEPT {
            self.own.pop_front();
        }
        self.own.push_back(event.clone());
        Some(event)
    }

    /// Whether `event`, of a notification we made, repeats a line our confirmed change already
    /// put in the feed (then forgotten: the echo comes once).
    pub(super) fn is_echo(&mut self, event: &GroupEvent) -> bool {
        let found = self.own.iter().position(|own| {
            own.group == event.group
                && (event.at - own.at).abs() <= ECHO_WINDOW_SECS
                && same_change(&own.kind, &event.kind)
        });
        found.and_then(|i| self.own.remove(i)).is_some()
    }
}

/// Own changes remembered for their echo at most.
const OWN_KEPT: usize = 256;
/// An echo comes within this of the answer, or not at all.
const ECHO_WINDOW_SECS: i64 = 120;

/// The same change, as far as a feed line tells: the same kind, the same value, and (for
/// people) someone named in both. A different spelling of the same people (LID against number)
/// shows twice rather than hiding a change made elsewhere.
fn same_change(own: &GroupEventKind, echo: &GroupEventKind) -> bool {
    use GroupEventKind as K;
    let overlap = |a: &[String], b: &[String]| a.iter().any(|x| b.contains(x));
    match (own, echo) {
        (K::Added { who: a }, K::Added { who: b })
        | (K::Removed { who: a }, K::Removed { who: b })
        | (K::Promoted { who: a }, K::Promoted { who: b })
        | (K::Demoted { who: a }, K::Demoted { who: b })
        | (K::RequestRevoked { who: a }, K::RequestRevoked { who: b })
        | (K::Linked { groups: a }, K::Linked { groups: b })
        | (K::Unlinked { groups: a }, K::Unlinked { groups: b }) => overlap(a, b),
        (a, b) => a == b,
    }
}

/// The groups a link or unlink confirmed, by subject.
fn done_groups(report: &OpReport) -> Vec<String> {
    report
        .targets
        .iter()
        .filter(|t| t.outcome.is_done())
        .map(|t| t.display().to_string())
        .collect()
}

/// A confirmed target as a roster row: its JID, its number, its LID when the JID is one.
fn person(t: &TargetOutcome) -> Participant {
    Participant {
        jid: t.jid.clone(),
        phone: t.phone.clone(),
        lid: t.jid.ends_with("@lid").then(|| t.jid.clone()),
        role: Role::Member,
    }
}
