//! Reading the groups as WhatsApp Web does: one `<participating>` query with participants and
//! descriptions for every group (whatsmeow `GetJoinedGroups`, Baileys
//! `groupFetchAllParticipating`), not a metadata query per group, which is what draws
//! `rate-overlimit` on a real account. At 1,000 groups the answer holds 100,000 participants in
//! one piece, so it is turned into compact rows one `<group>` at a time while it is parsed,
//! and dropped with the parse: whatsapp-rust's own `get_participating` would keep its parse
//! tree, every group's metadata and our rows alive at once.

use whatsapp_rust::wacore::iq::groups::{
    GROUP_IQ_NAMESPACE, GroupInfoResponse, GroupParticipatingRequest,
};
use whatsapp_rust::wacore::iq::spec::IqSpec;
use whatsapp_rust::wacore::protocol::ProtocolNode;
use whatsapp_rust::wacore::request::InfoQuery;
use whatsapp_rust::wacore_binary::{NodeContent, NodeRef};
use whatsapp_rust::{Client, GroupMetadata, Jid, Server};

use super::convert::{self, Me};
use crate::domain::{GroupId, GroupSummary, Participant};

/// One group of the answer, as wamod keeps it.
pub struct SyncedGroup {
    pub summary: GroupSummary,
    pub roster: Vec<Participant>,
}

/// `<participating><participants/><description/></participating>`, parsed into [`SyncedGroup`]s.
struct ParticipatingIq<'a> {
    me: &'a Me,
}

impl IqSpec for ParticipatingIq<'_> {
    type Response = Vec<SyncedGroup>;

    fn build_iq(&self) -> InfoQuery<'static> {
        let request = GroupParticipatingRequest {
            include_participants: true,
            include_description: true,
        };
        InfoQuery::get(
            GROUP_IQ_NAMESPACE,
            Jid::new("", Server::Group),
            Some(NodeContent::Nodes(vec![request.into_node()])),
        )
    }

    fn parse_response(&self, response: &NodeRef<'_>) -> anyhow::Result<Self::Response> {
        parse_participating(response, self.me)
    }
}

/// The `<participating>` answer as wamod's rows, one `<group>` at a time: each group's parsed
/// metadata is dropped as soon as its rows are made.
pub fn parse_participating(response: &NodeRef<'_>, me: &Me) -> anyhow::Result<Vec<SyncedGroup>> {
    // `<groups>` is the answer's child, or (as wacore also accepts) the answer itself.
    let container = if response.tag == "groups" {
        Some(response)
    } else {
        response.get_optional_child("groups")
    };
    let Some(container) = container else {
        anyhow::bail!("the answer has no <groups>");
    };
    container
        .get_children_by_tag("group")
        .map(|node| {
            let meta = GroupMetadata::from(GroupInfoResponse::try_from_node_ref(node)?);
            Ok(SyncedGroup {
                summary: convert::summary(&meta, me),
                roster: convert::roster(&meta),
            })
        })
        .collect()
}

/// Every group we are in, with its roster and our role in it, in one query.
pub async fn participating(client: &Client, me: &Me) -> Result<Vec<SyncedGroup>, ReadError> {
    client
        .execute(ParticipatingIq { me })
        .await
        .map_err(|e| ReadError::of_iq("loading groups", &e))
}

/// One group's metadata and roster.
pub async fn roster(
    client: &Client,
    group: &GroupId,
    me: &Me,
) -> Result<(GroupSummary, Vec<Participant>), ReadError> {
    let jid: Jid = group
        .as_str()
        .parse()
        .map_err(|_| ReadError::Failed(format!("not a group id: {group}")))?;
    client
        .groups()
        .get_metadata(&jid)
        .await
        .map(|meta| (convert::summary(&meta, me), convert::roster(&meta)))
        .map_err(|e| ReadError::of_group(&format!("loading {group}"), &e))
}

pub use super::read_pace::ReadError;
