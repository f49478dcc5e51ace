//! Operations on the group itself: its subject, description, settings and picture, and
//! leaving it. Input WhatsApp would refuse is not sent.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use whatsapp_rust::features::{
    GroupDescription, GroupSubject, MemberAddMode, MembershipApprovalMode, PreviousDescription,
};
use whatsapp_rust::{Client, Jid};

use super::{need_group, not_sent, within};
use crate::ops::{Outcome, Setting};

pub(super) async fn set_subject(
    client: &Arc<Client>,
    subject: &str,
    group: Option<&Jid>,
    timeout: Duration,
) -> Result<(), Outcome> {
    let subject = GroupSubject::new(subject.to_string())
        .map_err(|_| not_sent("a subject has 1 to 100 characters"))?;
    let g = need_group(group)?;
    within(timeout, client.groups().set_subject(g, subject)).await
}

/// Empty `text` deletes the description; `prev` is the description id the edit started from.
pub(super) async fn set_description(
    client: &Arc<Client>,
    text: &str,
    prev: Option<&str>,
    group: Option<&Jid>,
    timeout: Duration,
) -> Result<(), Outcome> {
    let description = if text.is_empty() {
        None
    } else {
        let d = GroupDescription::new(text.to_string())
            .map_err(|_| not_sent("a description has at most 2048 characters"))?;
        Some(d)
    };
    let g = need_group(group)?;
    let prev = match prev {
        Some(id) => PreviousDescription::Id(id),
        None => PreviousDescription::Absent,
    };
    within(
        timeout,
        client.groups().set_description(g, description, prev),
    )
    .await
}

pub(super) async fn set_setting(
    client: &Arc<Client>,
    setting: Setting,
    group: Option<&Jid>,
    timeout: Duration,
) -> Result<(), Outcome> {
    let g = need_group(group)?;
    let groups = client.groups();
    match setting {
        Setting::AdminsOnlySend(on) => within(timeout, groups.set_announce(g, on)).await,
        Setting::AdminsOnlyEdit(on) => within(timeout, groups.set_locked(g, on)).await,
        Setting::Approval(on) => {
            let mode = if on {
                MembershipApprovalMode::On
            } else {
                MembershipApprovalMode::Off
            };
            within(timeout, groups.set_membership_approval(g, mode)).await
        }
        Setting::AdminsOnlyAdd(on) => {
            let mode = if on {
                MemberAddMode::AdminAdd
            } else {
                MemberAddMode::AllMemberAdd
            };
            within(timeout, groups.set_member_add_mode(g, mode)).await
        }
        Setting::Disappearing(secs) => within(timeout, groups.set_ephemeral(g, secs)).await,
    }
}

/// Sets the group's picture from a JPEG file.
pub(super) async fn set_picture(
    client: &Arc<Client>,
    path: &Path,
    group: Option<&Jid>,
    timeout: Duration,
) -> Result<(), Outcome> {
    let bytes = std::fs::read(path)
        .map_err(|e| not_sent(&format!("cannot read {}: {e}", path.display())))?;
    if !bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Err(not_sent(&format!("{} is not a JPEG image", path.display())));
    }
    let g = need_group(group)?;
    let groups = client.groups();
    within(timeout, groups.set_profile_picture(g, bytes))
        .await
        .map(|_| ())
}

pub(super) async fn remove_picture(
    client: &Arc<Client>,
    group: Option<&Jid>,
    timeout: Duration,
) -> Result<(), Outcome> {
    let g = need_group(group)?;
    let groups = client.groups();
    within(timeout, groups.remove_profile_picture(g))
        .await
        .map(|_| ())
}

pub(super) async fn leave(
    client: &Arc<Client>,
    group: Option<&Jid>,
    timeout: Duration,
) -> Result<(), Outcome> {
    let g = need_group(group)?;
    within(timeout, client.groups().leave(g)).await
}
