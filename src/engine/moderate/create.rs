//! Creating a group (or a community's subgroup): the create request, then the settings it has
//! no field for, and an outcome per person asked for.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use whatsapp_rust::features::{
    GroupCreateOptions, GroupDescription, GroupParticipant, GroupParticipantOptions, GroupSubject,
    MembershipApprovalMode,
};
use whatsapp_rust::{Client, Jid};

use super::{Answered, not_sent, parse_jid, within};
use crate::engine::convert;
use crate::ops::{Answer, NOT_ADDED, NewGroup, Outcome, TargetOutcome};

/// Creates a group; with `linked_parent`, inside that community (a subgroup).
pub(in crate::engine) async fn create(
    client: &Arc<Client>,
    new: &NewGroup,
    phones: &HashMap<String, String>,
    timeout: Duration,
    linked_parent: Option<&Jid>,
) -> Answered {
    let options = match options(new, linked_parent) {
        Ok(o) => o,
        Err(o) => return Answered::whole(o),
    };
    let created = match within(timeout, client.groups().create_group(options)).await {
        Ok(c) => c,
        Err(o) => return Answered::whole(o),
    };
    let meta = created.metadata;
    let failed = settings_after(client, new, &meta.id, timeout).await;
    // The create answer lists the people WhatsApp refused among the members (their `error` is
    // lost in wacore's parser), so who is in comes from a fresh read of the group.
    let members = within(timeout, client.groups().get_metadata(&meta.id))
        .await
        .ok()
        .map(|m| m.participants);
    let outcome = if failed.is_empty() {
        Outcome::Done
    } else {
        Outcome::Refused {
            code: 0,
            text: format!("created, but {}", failed.join("; ")),
        }
    };
    Answered {
        outcome,
        targets: targets(new, members.as_deref(), phones),
        answer: Some(Answer::Created(convert::group_id(&meta.id))),
        pause: None,
    }
}

/// The create request, or why it is not sent (a subject or description WhatsApp refuses).
fn options(new: &NewGroup, linked_parent: Option<&Jid>) -> Result<GroupCreateOptions, Outcome> {
    GroupSubject::new(new.subject.clone())
        .map_err(|_| not_sent("a subject has 1 to 100 characters"))?;
    let description = match new.description.as_deref().filter(|d| !d.is_empty()) {
        None => None,
        Some(d) => Some(
            GroupDescription::new(d.to_string())
                .map_err(|_| not_sent("a description has at most 2048 characters"))?,
        ),
    };
    let mut options = GroupCreateOptions::new(new.subject.clone());
    options.participants = new
        .participants
        .iter()
        .filter_map(|p| parse_jid(p))
        .map(GroupParticipantOptions::new)
        .collect();
    options.description = description;
    options.linked_parent = linked_parent.cloned();
    options.membership_approval_mode = Some(if new.approval {
        MembershipApprovalMode::On
    } else {
        MembershipApprovalMode::Off
    });
    Ok(options)
}

/// The settings the create IQ has no field for, set right after, like the phone does.
/// Returns those that failed, in words.
async fn settings_after(
    client: &Arc<Client>,
    new: &NewGroup,
    group: &Jid,
    timeout: Duration,
) -> Vec<String> {
    let mut failed = Vec::new();
    if new.admins_only_send
        && let Err(o) = within(timeout, client.groups().set_announce(group.clone(), true)).await
    {
        failed.push(format!("send messages: {}", o.words()));
    }
    if new.admins_only_edit
        && let Err(o) = within(timeout, client.groups().set_locked(group.clone(), true)).await
    {
        failed.push(format!("edit info: {}", o.words()));
    }
    failed
}

/// Each person asked for: done if the new group's members (read after creating it) include
/// them; unknown when that read failed.
fn targets(
    new: &NewGroup,
    members: Option<&[GroupParticipant]>,
    phones: &HashMap<String, String>,
) -> Vec<TargetOutcome> {
    let member = |j: &Jid| {
        members.map(|m| {
            m.iter().any(|p| {
                p.jid.user == j.user
                    || p.phone_number.as_ref().is_some_and(|pn| pn.user == j.user)
                    || p.lid.as_ref().is_some_and(|l| l.user == j.user)
            })
        })
    };
    new.participants
        .iter()
        .map(|t| {
            let outcome = match parse_jid(t).map(|j| member(&j)) {
                None => not_sent("not a WhatsApp id"),
                Some(Some(true)) => Outcome::Done,
                Some(Some(false)) => Outcome::Refused {
                    code: 0,
                    text: NOT_ADDED.into(),
                },
                Some(None) => Outcome::Unknown {
                    why: "the group was created; who is in it could not be read".into(),
                },
            };
            TargetOutcome {
                jid: t.clone(),
                phone: phones
                    .get(t)
                    .cloned()
                    .or_else(|| t.strip_suffix("@s.whatsapp.net").map(|u| format!("+{u}"))),
                outcome,
            }
        })
        .collect()
}
