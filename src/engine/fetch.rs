//! The session's reads from WhatsApp, each in its own task answering through `Internal`, so the
//! session loop never waits on the network: every group with its roster (one query), the join
//! requests that can exist, one group, one group's requests, and a community's subgroups and
//! merged members. Every read goes through the session's [`ReadGate`] (its pace, and the pause
//! after a 429). A fetch the model replays notifications over is numbered `since` (see
//! `SessionModel::begin_fetch`) and says when it is done.

use std::future::Future;
use std::sync::Arc;

use tokio::sync::mpsc::UnboundedSender;
use whatsapp_rust::Client;

use super::convert::Me;
use super::group_list;
use super::read_pace::ReadGate;
use super::requests::fetch_requests;
use super::session_reports::{Internal, SyncReason};
use crate::domain::GroupId;

/// What a fetch reads with and where its answers go.
#[derive(Clone)]
pub(super) struct Reads {
    pub(super) client: Arc<Client>,
    pub(super) tx: UnboundedSender<Internal>,
    pub(super) gate: Arc<ReadGate>,
}

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

/// Runs `fetch` in its own task; with `since`, the task holds a [`FetchGuard`] until it ends.
fn spawn_fetch<F>(reads: &Reads, since: Option<u64>, fetch: impl FnOnce(Reads) -> F)
where
    F: Future<Output = ()> + Send + 'static,
{
    let done = since.map(|since| FetchGuard {
        tx: reads.tx.clone(),
        since,
    });
    let task = fetch(reads.clone());
    tokio::spawn(async move {
        task.await;
        drop(done);
    });
}

/// Every group with its roster in one query (the panes fill at once), then the join requests
/// of the groups where we are admin and approval is on (the only ones that can have any).
pub(super) fn groups(reads: &Reads, me: Me, since: u64, sync: SyncReason) {
    spawn_fetch(reads, Some(since), move |r| async move {
        let answer = r
            .gate
            .read(|| group_list::participating(&r.client, &me))
            .await;
        let admin_approval: Vec<GroupId> = answer
            .as_ref()
            .map(|groups| {
                groups
                    .iter()
                    .map(|g| &g.summary)
                    .filter(|g| g.settings.approval && g.my_role.is_some_and(|r| r.is_admin()))
                    .map(|g| g.id.clone())
                    .collect()
            })
            .unwrap_or_default();
        if r.tx.send(Internal::Synced(answer, since, sync)).is_err() {
            return;
        }
        for group in admin_approval {
            let answer = r.gate.read(|| fetch_requests(&r.client, &group)).await;
            if r.tx
                .send(Internal::Requests(group, answer, since, Some(sync)))
                .is_err()
            {
                return;
            }
        }
    });
}

/// One group's metadata and roster (a group being opened, or one we were just added to).
pub(super) fn group(reads: &Reads, me: Me, since: u64, group: GroupId) {
    spawn_fetch(reads, Some(since), move |r| async move {
        let answer = r
            .gate
            .read(|| group_list::roster(&r.client, &group, &me))
            .await;
        let _ = r.tx.send(Internal::Group(answer, since));
    });
}

/// One group's join requests.
pub(super) fn requests(reads: &Reads, since: u64, group: GroupId) {
    spawn_fetch(reads, Some(since), move |r| async move {
        let answer = r.gate.read(|| fetch_requests(&r.client, &group)).await;
        let _ = r.tx.send(Internal::Requests(group, answer, since, None));
    });
}

/// Every subgroup of a community, joined or not.
pub(super) fn subgroups(reads: &Reads, community: GroupId) {
    spawn_fetch(reads, None, move |r| async move {
        let answer = r
            .gate
            .read(|| super::moderate::community::subgroups(&r.client, &community))
            .await;
        let _ = r.tx.send(Internal::Subgroups(community, answer));
    });
}

/// The members of a community's groups, merged.
pub(super) fn members(reads: &Reads, community: GroupId) {
    spawn_fetch(reads, None, move |r| async move {
        let answer = r
            .gate
            .read(|| super::moderate::community::merged_participants(&r.client, &community))
            .await;
        let _ = r.tx.send(Internal::Members(community, answer));
    });
}
