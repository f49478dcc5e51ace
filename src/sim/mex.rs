//! The two MEX (GraphQL) queries whatsapp-rust sends about communities: all subgroups of a
//! community (`Community::get_subgroups`) and their participant counts
//! (`get_subgroup_participant_counts`). Answered as `<result>{"data":{…}}</result>` with the
//! fields `wacore`'s parsers read; anything else keeps the 501 of an unknown IQ.

use serde_json::{Value, json};
use whatsapp_rust::wacore_binary::Node;
use whatsapp_rust::wacore_binary::builder::NodeBuilder;
use whatsapp_rust::wacore_binary::node::NodeContent;

use super::jids::group_jid;
use super::world::{Group, WaError, WaResult, World};

/// `WAWebMexFetchAllSubgroupsJobQuery`.
const FETCH_ALL_SUBGROUPS: &str = "9935467776504344";
/// `WAWebMexQuerySubgroupParticipantCountJobQuery`.
const SUBGROUP_PARTICIPANT_COUNT: &str = "24079399904996141";

fn query(iq: &Node) -> Option<(&Node, String)> {
    let q = iq.children()?.iter().find(|c| c.tag == "query")?;
    let id = q.attrs.get("query_id")?.as_str().into_owned();
    Some((q, id))
}

pub fn is_community_query(iq: &Node) -> bool {
    query(iq).is_some_and(|(_, id)| id == FETCH_ALL_SUBGROUPS || id == SUBGROUP_PARTICIPANT_COUNT)
}

fn variables(q: &Node) -> Value {
    let parsed = match &q.content {
        Some(NodeContent::Bytes(b)) => serde_json::from_slice::<Value>(b).ok(),
        Some(NodeContent::String(s)) => serde_json::from_str::<Value>(s).ok(),
        _ => None,
    };
    parsed
        .and_then(|v| v.get("variables").cloned())
        .unwrap_or(Value::Null)
}

/// `120363…@g.us` → `120363…`.
fn group_user(v: Option<&Value>) -> WaResult<String> {
    v.and_then(Value::as_str)
        .and_then(|j| j.split('@').next())
        .filter(|u| !u.is_empty())
        .map(str::to_string)
        .ok_or(WaError::BAD_REQUEST)
}

fn node(g: &Group) -> Value {
    json!({
        "id": group_jid(&g.id).to_string(),
        "subject": { "value": g.subject, "creation_time": g.creation },
        "total_participants_count": g.participants.len(),
        "properties": { "general_chat": "0" },
    })
}

pub fn answer(world: &World, actor: &str, iq: &Node) -> WaResult<Vec<Node>> {
    let (q, id) = query(iq).ok_or(WaError::BAD_REQUEST)?;
    let vars = variables(q);
    let data = if id == FETCH_ALL_SUBGROUPS {
        let parent = group_user(vars.get("group_id"))?;
        let subs = world.community_subgroups(actor, &parent)?;
        let default = subs.iter().find(|g| g.is_default_sub).map(|g| node(g));
        let edges: Vec<Value> = subs
            .iter()
            .filter(|g| !g.is_default_sub)
            .map(|g| json!({ "node": node(g) }))
            .collect();
        json!({ "xwa2_group_query_by_id": {
            "id": group_jid(&parent).to_string(),
            "default_sub_group": default,
            "sub_groups": { "edges": edges },
        }})
    } else {
        let parent = group_user(vars.get("input").and_then(|i| i.get("group_jid")))?;
        let subs = world.community_subgroups(actor, &parent)?;
        let edges: Vec<Value> = subs
            .iter()
            .map(|g| {
                json!({ "node": {
                    "id": group_jid(&g.id).to_string(),
                    "total_participants_count": g.participants.len(),
                }})
            })
            .collect();
        json!({ "xwa2_group_query_by_id": { "sub_groups": { "edges": edges } } })
    };
    let body = serde_json::to_vec(&json!({ "data": data })).map_err(|_| WaError::BAD_REQUEST)?;
    Ok(vec![NodeBuilder::new("result").bytes(body).build()])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_community_from_the_variables() {
        let q = NodeBuilder::new("query")
            .attr("query_id", FETCH_ALL_SUBGROUPS)
            .bytes(br#"{"variables":{"group_id":"1@g.us"}}"#.to_vec())
            .build();
        assert_eq!(
            group_user(variables(&q).get("group_id")).ok(),
            Some("1".into())
        );
        assert!(group_user(None).is_err());
    }
}
