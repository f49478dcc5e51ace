//! Reading a group's join requests with how each was made. whatsapp-rust 0.7's
//! `get_membership_requests` keeps only the JID and time; the same IQ's answer also carries the
//! request method and community, so we send it raw and read those too.

use std::sync::Arc;

use whatsapp_rust::request::InfoQuery;
use whatsapp_rust::wacore_binary::builder::NodeBuilder;
use whatsapp_rust::wacore_binary::node::NodeContent;
use whatsapp_rust::{Client, Jid};

use super::convert;
use super::read_pace::ReadError;
use crate::domain::{GroupId, JoinRequest};

pub async fn fetch_requests(
    client: &Arc<Client>,
    group: &GroupId,
) -> Result<Vec<JoinRequest>, ReadError> {
    let jid: Jid = group
        .as_str()
        .parse()
        .map_err(|_| ReadError::Failed(format!("not a group id: {group}")))?;
    let query = InfoQuery::get(
        "w:g2",
        jid,
        Some(NodeContent::Nodes(vec![
            NodeBuilder::new("membership_approval_requests").build(),
        ])),
    );
    let reply = client
        .send_iq(query)
        .await
        .map_err(|e| ReadError::of_iq(&format!("loading join requests of {group}"), &e))?;
    let root = reply.get();
    let Some(list) = root.get_optional_child("membership_approval_requests") else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for r in list.get_children_by_tag("membership_approval_request") {
        let Some(jid) = r.get_attr("jid").and_then(|v| v.to_jid()) else {
            continue;
        };
        let phone = r.get_attr("phone_number").and_then(|v| v.to_jid());
        let p = convert::participant(&jid, phone.as_ref(), None, crate::domain::Role::Member);
        let text = |k: &str| r.get_attr(k).map(|v| v.as_str().into_owned());
        out.push(JoinRequest {
            jid: p.jid,
            phone: p.phone,
            requested_at: text("request_time").and_then(|t| t.parse().ok()),
            method: text("request_method")
                .map(|m| convert::request_method_wire(&m))
                .unwrap_or_default(),
            via_community: r
                .get_attr("parent_group_jid")
                .and_then(|v| v.to_jid())
                .map(|j| convert::group_id(&j)),
        });
    }
    Ok(out)
}
