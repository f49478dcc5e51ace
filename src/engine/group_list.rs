//! Loading the group list the way large accounts need it: first every group *without* its
//! participants (one small answer, so the groups pane fills at once), then the rosters a few
//! groups at a time. whatsapp-rust's `get_participating` asks for everything in one answer;
//! at 1,000 groups and 100,000 participants that answer, its parse tree and its metadata all
//! live at once, which is most of the process's peak memory.

use std::sync::Arc;

use futures_util::{Stream, StreamExt};
use whatsapp_rust::wacore::iq::groups::{
    GROUP_IQ_NAMESPACE, GroupParticipatingIq, GroupParticipatingRequest, GroupParticipatingResponse,
};
use whatsapp_rust::wacore::iq::spec::IqSpec;
use whatsapp_rust::wacore::protocol::ProtocolNode;
use whatsapp_rust::wacore::request::InfoQuery;
use whatsapp_rust::wacore_binary::{NodeContent, NodeRef};
use whatsapp_rust::{Client, GroupMetadata, Jid, Server};

use super::convert::{self, Me};
use crate::domain::{GroupId, GroupSummary, Participant};

/// Rosters asked for at once: enough to keep the connection busy, few enough that only a
/// handful of answers are in memory together.
pub const ROSTER_FETCHES: usize = 8;

/// `<participating>` with descriptions but no participants.
struct GroupListIq;

impl IqSpec for GroupListIq {
    type Response = GroupParticipatingResponse;

    fn build_iq(&self) -> InfoQuery<'static> {
        let request = GroupParticipatingRequest {
            include_participants: false,
            include_description: true,
        };
        InfoQuery::get(
            GROUP_IQ_NAMESPACE,
            Jid::new("", Server::Group),
            Some(NodeContent::Nodes(vec![request.into_node()])),
        )
    }

    fn parse_response(&self, response: &NodeRef<'_>) -> anyhow::Result<Self::Response> {
        GroupParticipatingIq::new().parse_response(response)
    }
}

/// Every group we are in, without rosters: `my_role` is not known yet (`None`) and `size` is
/// the server's count.
pub async fn list(client: &Client, me: &Me) -> Result<Vec<GroupSummary>, String> {
    let answer = client
        .execute(GroupListIq)
        .await
        .map_err(|e| format!("loading groups: {e}"))?;
    Ok(answer
        .groups
        .into_iter()
        .map(|g| convert::summary(&GroupMetadata::from(g), me))
        .collect())
}

/// One group's metadata and roster.
pub async fn roster(
    client: &Client,
    group: &GroupId,
    me: &Me,
) -> Result<(GroupSummary, Vec<Participant>), String> {
    let jid: Jid = group
        .as_str()
        .parse()
        .map_err(|_| format!("not a group id: {group}"))?;
    client
        .groups()
        .get_metadata(&jid)
        .await
        .map(|meta| (convert::summary(&meta, me), convert::roster(&meta)))
        .map_err(|e| format!("loading {group}: {e}"))
}

/// The rosters of `groups`, [`ROSTER_FETCHES`] at a time, in the order they are answered.
pub fn rosters(
    client: Arc<Client>,
    groups: Vec<GroupId>,
    me: Me,
) -> impl Stream<Item = (GroupId, Result<(GroupSummary, Vec<Participant>), String>)> {
    futures_util::stream::iter(groups)
        .map(move |g| {
            let (client, me) = (client.clone(), me.clone());
            async move {
                let r = roster(&client, &g, &me).await;
                (g, r)
            }
        })
        .buffer_unordered(ROSTER_FETCHES)
}
