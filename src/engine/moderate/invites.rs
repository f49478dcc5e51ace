//! Invite links: reading or resetting a group's link, looking at the group behind a code, and
//! joining with it.

use std::sync::Arc;
use std::time::Duration;

use whatsapp_rust::features::JoinGroupResult;
use whatsapp_rust::{Client, Jid};

use super::outcomes::invite_outcome;
use super::{need_group, within};
use crate::engine::convert;
use crate::ops::{Answer, Outcome};

/// The group's invite link; with `reset`, a new one (the old stops working).
pub(super) async fn link(
    client: &Arc<Client>,
    reset: bool,
    group: Option<&Jid>,
    timeout: Duration,
) -> Result<Answer, Outcome> {
    let g = need_group(group)?;
    let link = within(timeout, client.groups().get_invite_link(g, reset)).await?;
    Ok(Answer::InviteLink(link))
}

/// The group behind an invite code, before joining it.
pub(super) async fn preview(
    client: &Arc<Client>,
    code: &str,
    timeout: Duration,
) -> Result<Answer, Outcome> {
    let meta = within(timeout, client.groups().get_invite_info(code))
        .await
        .map_err(invite_outcome)?;
    Ok(Answer::Preview {
        code: code.to_string(),
        group: convert::group_id(&meta.id),
        subject: meta.subject.clone(),
        size: meta
            .size
            .map_or(meta.participants.len(), |s| s as usize)
            .max(meta.participants.len()),
        description: meta.description.clone(),
        approval: meta.membership_approval,
    })
}

/// Joins with an invite code; in a group that approves members, that files a request.
pub(super) async fn join(
    client: &Arc<Client>,
    code: &str,
    timeout: Duration,
) -> Result<Answer, Outcome> {
    let joined = within(timeout, client.groups().join_with_invite_code(code))
        .await
        .map_err(invite_outcome)?;
    Ok(match joined {
        JoinGroupResult::Joined(g) => Answer::Joined(convert::group_id(&g)),
        JoinGroupResult::PendingApproval(g) => Answer::RequestFiled(convert::group_id(&g)),
    })
}
