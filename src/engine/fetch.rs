//! The session's reads from WhatsApp, each in its own task answering through `Internal`, so the
//! session loop never waits on the network: the group list with every roster and the join
//! requests that can exist, one group, one group's requests, and a community's subgroups and
//! merged members. A fetch the model replays notifications over is numbered `since` (see
//! `SessionModel::begin_fetch`) and says when it is done.

use std::future::Future;
use std::sync::Arc;

use futures_util::StreamExt;
use tokio::sync::mpsc::UnboundedSender;
use whatsapp_rust::Client;

use super::convert::Me;
use super::group_list;
use super::requests::fetch_requests;
use super::session_reports::{Internal, SyncReason};
use crate::domain::GroupId;

/// Held by a fetch's task: when the task ends (after its last answer, or early), the session
/// hears that the fetch is done, so the model stops keeping notifications for it.
struct FetchGuard {
    tx: UnboundedSender<Internal>,
    since: u64,
}

impl Drop for FetchGuard {
    fn drop(&mut self) {
        let _ = self.tx.send(Internal::FetchDone(self.since));
    }
}

/// Runs `fetch` in its own task with the session's client and channel; with `since`, the task
/// holds a [`FetchGuard`] until it ends.
fn spawn_fetch<F>(
    client: &Arc<Client>,
    tx: &UnboundedSender<Internal>,
    since: Option<u64>,
    fetch: impl FnOnce(Arc<Client>, UnboundedSender<Internal>) -> F,
) where
    F: Future<Output = ()> + Send + 'static,
{
    let done = since.map(|since| FetchGuard {
        tx: tx.clone(),
        since,
    });
    let task = fetch(client.clone(), tx.clone());
    tokio::spawn(async move {
        task.await;
        drop(done);
    });
}

/// The group list (the pane fills at once), then every roster a few at a time, then the join
/// requests of the groups where we are admin and approval is on (the only ones that can have
/// any).
pub(super) fn groups(
    client: &Arc<Client>,
    tx: &UnboundedSender<Internal>,
    me: Me,
    since: u64,
    sync: SyncReason,
) {
    spawn_fetch(client, tx, Some(since), move |client, tx| async move {
        let list = group_list::list(&client, &me).await;
        let ids: Vec<GroupId> = list
            .as_ref()
            .map(|l| l.iter().map(|g| g.id.clone()).collect())
            .unwrap_or_default();
        let listed = list.is_ok();
        if tx.send(Internal::Groups(list, since, sync)).is_err() || !listed {
            return;
        }
        let Some(admin_approval) = rosters(&client, &tx, ids, me, since, sync).await else {
            return;
        };
        for group in admin_approval {
            let r = fetch_requests(&client, &group).await;
            if tx
                .send(Internal::Requests(group, r, since, Some(sync)))
                .is_err()
            {
                return;
            }
        }
    });
}

/// The listed groups' rosters, then `Synced`. Returns the groups that can have join requests,
/// or `None` once the session is gone.
async fn rosters(
    client: &Arc<Client>,
    tx: &UnboundedSender<Internal>,
    ids: Vec<GroupId>,
    me: Me,
    since: u64,
    sync: SyncReason,
) -> Option<Vec<GroupId>> {
    let mut admin_approval = Vec::new();
    let mut failed = 0;
    let mut rosters = std::pin::pin!(group_list::rosters(client.clone(), ids, me));
    while let Some((group, r)) = rosters.next().await {
        match r {
            Ok(loaded) => {
                let g = &loaded.0;
                if g.settings.approval && g.my_role.is_some_and(|r| r.is_admin()) {
                    admin_approval.push(group);
                }
                tx.send(Internal::Group(Ok(loaded), since, Some(sync)))
                    .ok()?;
            }
            Err(e) => {
                tracing::warn!("{e}");
                failed += 1;
            }
        }
    }
    tx.send(Internal::Synced { failed }).ok()?;
    Some(admin_approval)
}

/// One group's metadata and roster (a group being opened, or one we were just added to).
pub(super) fn group(
    client: &Arc<Client>,
    tx: &UnboundedSender<Internal>,
    me: Me,
    since: u64,
    group: GroupId,
) {
    spawn_fetch(client, tx, Some(since), move |client, tx| async move {
        let result = group_list::roster(&client, &group, &me).await;
        let _ = tx.send(Internal::Group(result, since, None));
    });
}

/// One group's join requests.
pub(super) fn requests(
    client: &Arc<Client>,
    tx: &UnboundedSender<Internal>,
    since: u64,
    group: GroupId,
) {
    spawn_fetch(client, tx, Some(since), move |client, tx| async move {
        let r = fetch_requests(&client, &group).await;
        let _ = tx.send(Internal::Requests(group, r, since, None));
    });
}

/// Every subgroup of a community, joined or not.
pub(super) fn subgroups(client: &Arc<Client>, tx: &UnboundedSender<Internal>, community: GroupId) {
    spawn_fetch(client, tx, None, move |client, tx| async move {
        let r = super::moderate::community::subgroups(&client, &community).await;
        let _ = tx.send(Internal::Subgroups(community, r));
    });
}

/// The members of a community's groups, merged.
pub(super) fn members(client: &Arc<Client>, tx: &UnboundedSender<Internal>, community: GroupId) {
    spawn_fetch(client, tx, None, move |client, tx| async move {
        let r = super::moderate::community::merged_participants(&client, &community).await;
        let _ = tx.send(Internal::Members(community, r));
    });
}
