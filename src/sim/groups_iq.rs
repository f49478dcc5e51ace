//! The `w:g2` IQs (and group pictures): parse what the client asks, run it on the world, answer
//! in the shapes whatsapp-rust's parsers read (`wacore::iq::groups`).

use whatsapp_rust::wacore_binary::builder::NodeBuilder;
use whatsapp_rust::wacore_binary::node::NodeContent;
use whatsapp_rust::wacore_binary::{Jid, Node, Server};

use super::jids::{group_jid, lid_jid, parse, participant_jids, pn_jid, resolve};
use super::shapes::LidAnswers;
use super::world::{
    AddressingMode, CreateOptions, Group, JoinOutcome, Notice, ParticipantOutcome, Phone, Settings,
    WaError, WaResult, World,
};

type Answer = WaResult<(Vec<Node>, Vec<Notice>)>;

const NOT_IMPLEMENTED: WaError = WaError {
    code: 501,
    text: "feature-not-implemented",
};

fn attr(node: &Node, key: &str) -> Option<String> {
    node.attrs.get(key).map(|v| v.as_str().into_owned())
}

fn first_child(iq: &Node) -> Option<&Node> {
    iq.children().and_then(|c| c.first())
}

fn text(node: &Node) -> Option<String> {
    node.content_as_string().map(|s| s.to_string())
}

/// True for the IQs this module answers: xmlns `w:g2`, and `w:profile:picture` aimed at a group.
pub fn is_group_iq(iq: &Node) -> bool {
    match attr(iq, "xmlns").as_deref() {
        Some("w:g2") => true,
        // The community queries whatsapp-rust sends as MEX (GraphQL).
        Some("w:mex") => super::mex::is_community_query(iq),
        Some("w:profile:picture") => attr(iq, "target").is_some_and(|t| t.ends_with("@g.us")),
        _ => false,
    }
}

/// A short, stable name for the operation, to inject faults by kind: `participating`, `query`
/// (one group), `batch`, `create`, `add`, `remove`, `promote`, `demote`, `subject`,
/// `description`, `leave`, `invite` (get/reset link), `join` (by code), `invite_info`,
/// `membership_approval_requests`, `membership_requests_action`, `cancel_membership_requests`,
/// `setting` (every toggle), `picture`, `links`, `unlink`, `delete_parent`, `query_linked`,
/// `join_linked_group`, `linked_groups_participants`, `subgroups` (the MEX community queries),
/// `other`.
pub fn op_kind(iq: &Node) -> &'static str {
    if attr(iq, "xmlns").as_deref() == Some("w:profile:picture") {
        return "picture";
    }
    if attr(iq, "xmlns").as_deref() == Some("w:mex") {
        return "subgroups";
    }
    let to_server = attr(iq, "to").is_none_or(|t| !t.contains('@'));
    let is_set = attr(iq, "type").as_deref() == Some("set");
    let Some(child) = first_child(iq) else {
        return "other";
    };
    match child.tag.as_ref() {
        "participating" => "participating",
        "query" if to_server => "batch",
        "query" => "query",
        "create" => "create",
        "add" => "add",
        "remove" => "remove",
        "promote" => "promote",
        "demote" => "demote",
        "subject" => "subject",
        "description" => "description",
        "leave" => "leave",
        "invite" if to_server && is_set => "join",
        "invite" if to_server => "invite_info",
        "invite" => "invite",
        "membership_approval_requests" => "membership_approval_requests",
        "membership_requests_action" => "membership_requests_action",
        "cancel_membership_requests" => "cancel_membership_requests",
        t if SETTING_TAGS.contains(&t) => "setting",
        "pictures" => "picture",
        "links" => "links",
        "unlink" => "unlink",
        "delete_parent" => "delete_parent",
        "query_linked" => "query_linked",
        "join_linked_group" => "join_linked_group",
        "linked_groups_participants" => "linked_groups_participants",
        _ => "other",
    }
}

/// Answers one group IQ sent by a device of account `actor`: the children of the result, or
/// the error to answer with, plus the notices to deliver.
pub fn handle(
    world: &mut World,
    actor: &str,
    iq: &Node,
) -> (Result<Vec<Node>, WaError>, Vec<Notice>) {
    match dispatch(world, actor, iq) {
        Ok((children, notices)) => (Ok(children), notices),
        Err(e) => (Err(e), Vec::new()),
    }
}

fn dispatch(world: &mut World, actor: &str, iq: &Node) -> Answer {
    let target = if attr(iq, "xmlns").as_deref() == Some("w:profile:picture") {
        attr(iq, "target")
    } else {
        attr(iq, "to")
    };
    // `G@g.us` for a group, `g.us` (no user) for the server.
    let group = target
        .as_deref()
        .and_then(|t| t.split_once('@'))
        .map(|(user, _)| user.to_string())
        .filter(|u| !u.is_empty());
    if attr(iq, "xmlns").as_deref() == Some("w:mex") {
        return super::mex::answer(world, actor, iq).map(|children| (children, Vec::new()));
    }
    if attr(iq, "xmlns").as_deref() == Some("w:profile:picture") {
        let g = group.ok_or(WaError::BAD_REQUEST)?;
        return picture(world, actor, &g, iq);
    }
    let child = first_child(iq).ok_or(WaError::BAD_REQUEST)?;
    let is_set = attr(iq, "type").as_deref() == Some("set");
    match group {
        None => server_op(world, actor, child, is_set),
        Some(g) => group_op(world, actor, &g, child, is_set),
    }
}

fn server_op(world: &mut World, actor: &str, child: &Node, is_set: bool) -> Answer {
    match child.tag.as_ref() {
        "participating" => {
            let with_participants = child.get_optional_child("participants").is_some();
            let groups = world
                .groups_of(actor)
                .into_iter()
                .map(|g| group_node(world, g, with_participants))
                .collect::<Vec<_>>();
            Ok((
                vec![NodeBuilder::new("groups").children(groups).build()],
                vec![],
            ))
        }
        "create" => create(world, actor, child),
        "leave" => {
            let mut notices = Vec::new();
            for g in child.get_children_by_tag("group") {
                let id = attr(g, "id").ok_or(WaError::BAD_REQUEST)?;
                let id = id.split('@').next().unwrap_or_default().to_string();
                notices.extend(world.leave(actor, &id)?);
            }
            Ok((vec![], notices))
        }
        "invite" => {
            let code = attr(child, "code").ok_or(WaError::BAD_REQUEST)?;
            if is_set {
                let (outcome, notices) = world.join_by_code(actor, &code)?;
                let node = match outcome {
                    JoinOutcome::Joined(g) => NodeBuilder::new("group").attr("jid", group_jid(&g)),
                    JoinOutcome::Pending(g) => {
                        NodeBuilder::new("membership_approval_request").attr("jid", group_jid(&g))
                    }
                };
                Ok((vec![node.build()], notices))
            } else {
                let g = world.invite_info(&code)?;
                Ok((vec![group_node(world, g, true)], vec![]))
            }
        }
        "query" => {
            let mut out = Vec::new();
            for q in child.get_children_by_tag("group") {
                let id = attr(q, "jid")
                    .and_then(|j| j.split('@').next().map(str::to_string))
                    .unwrap_or_default();
                out.push(match world.group(&id) {
                    Some(g) if g.member(actor).is_some() => group_node(world, g, true),
                    Some(_) => NodeBuilder::new("group")
                        .attr("id", id)
                        .attr("error", "403")
                        .build(),
                    None => NodeBuilder::new("group")
                        .attr("id", id)
                        .attr("error", "404")
                        .build(),
                });
            }
            Ok((
                vec![NodeBuilder::new("groups").children(out).build()],
                vec![],
            ))
        }
        "pictures" => {
            let pics = child
                .get_children_by_tag("picture")
                .filter_map(|p| {
                    let id = attr(p, "jid")?.split('@').next()?.to_string();
                    let g = world.group(&id)?;
                    let pic = g.picture_id.as_ref()?;
                    Some(
                        NodeBuilder::new("picture")
                            .attr("jid", group_jid(&id))
                            .attr("id", pic.as_str())
                            .attr("url", format!("https://sim.invalid/pp/{id}/{pic}"))
                            .attr("direct_path", format!("/pp/{id}/{pic}"))
                            .build(),
                    )
                })
                .collect::<Vec<_>>();
            Ok((
                vec![NodeBuilder::new("pictures").children(pics).build()],
                vec![],
            ))
        }
        _ => Err(NOT_IMPLEMENTED),
    }
}

fn create(world: &mut World, actor: &str, child: &Node) -> Answer {
    let subject = attr(child, "subject").ok_or(WaError::BAD_REQUEST)?;
    let participants: Vec<Phone> = child
        .get_children_by_tag("participant")
        .filter_map(|p| attr(p, "jid").and_then(|j| parse(&j)))
        .map(|j| resolve(world, &j))
        .collect();
    let mut settings = Settings {
        ephemeral: child
            .get_optional_child("ephemeral")
            .and_then(|e| attr(e, "expiration"))
            .and_then(|e| e.parse().ok())
            .unwrap_or(0),
        approval: child
            .get_optional_child_by_tag(&["membership_approval_mode", "group_join"])
            .and_then(|n| attr(n, "state"))
            .is_some_and(|s| s == "on")
            // A closed community: joining needs approval.
            || child
                .get_optional_child("parent")
                .and_then(|p| attr(p, "default_membership_approval_mode"))
                .is_some_and(|m| m == "request_required"),
        ..Settings::default()
    };
    if let Some(mode) = child.get_optional_child("member_add_mode").and_then(text) {
        settings.admin_add_only = mode == "admin_add";
    }
    let parent = child
        .get_optional_child("linked_parent")
        .and_then(|n| attr(n, "jid"))
        .and_then(|j| j.split('@').next().map(str::to_string));
    let description = child
        .get_optional_child_by_tag(&["description", "body"])
        .and_then(text);
    let (id, outcomes, notices) = world.create_group(
        actor,
        CreateOptions {
            subject,
            participants,
            description,
            settings,
            is_parent: child.get_optional_child("parent").is_some(),
            parent,
        },
    )?;
    let g = world.group(&id).ok_or(WaError::NOT_FOUND)?;
    let mut reply = group_node(world, g, true);
    // WhatsApp lists the people it did not add inside `<group>` too, each with its `error`
    // (and `<add_request>` for a privacy refusal): whatsmeow `GroupParticipant.Error`, "when
    // creating groups, adding some participants may fail". wacore's parser drops `error`.
    let mode = g.addressing;
    let refused: Vec<Node> = outcomes
        .iter()
        .filter(|o| o.error.is_some())
        .map(|o| {
            let (jid, pn, lid) = participant_jids(world, mode, &o.phone);
            let mut b = NodeBuilder::new("participant").attr("jid", jid);
            if let Some(pn) = pn {
                b = b.attr("phone_number", pn);
            }
            if let Some(lid) = lid {
                b = b.attr("lid", lid);
            }
            with_outcome(b, o)
        })
        .collect();
    if let Some(NodeContent::Nodes(children)) = &mut reply.content {
        children.extend(refused);
    }
    Ok((vec![reply], notices))
}

fn participants_of(world: &World, node: &Node) -> Vec<(Jid, Phone)> {
    node.get_children_by_tag("participant")
        .filter_map(|p| attr(p, "jid").and_then(|j| parse(&j)))
        .map(|j| {
            let phone = resolve(world, &j);
            (j, phone)
        })
        .collect()
}

/// `<tag><participant jid [error] [phone_number]>[<add_request/>]</participant>*</tag>`, in the
/// order asked; in a LID group the people are named as the scenario's `lid_answers` says.
fn outcome_node(
    world: &World,
    g: &str,
    tag: &str,
    asked: &[(Jid, Phone)],
    outcomes: &[ParticipantOutcome],
) -> Node {
    let lid_group = world
        .group(g)
        .is_some_and(|grp| grp.addressing == AddressingMode::Lid);
    let rows = asked.iter().zip(outcomes).map(|((jid, phone), o)| {
        let (jid, phone_number) = answered_jid(world, lid_group, jid, phone);
        let mut b = NodeBuilder::new("participant").attr("jid", jid);
        if let Some(pn) = phone_number {
            b = b.attr("phone_number", pn);
        }
        with_outcome(b, o)
    });
    NodeBuilder::new_dynamic(tag.to_string())
        .children(rows)
        .build()
}

/// A `<participant>` answer row finished with its outcome: `error` when refused, and the
/// `<add_request>` invite a privacy refusal carries (wacore iq/groups.rs reads both).
fn with_outcome(mut b: NodeBuilder, o: &ParticipantOutcome) -> Node {
    if let Some(code) = o.error {
        b = b.attr("error", code.to_string());
    }
    if let Some((code, expiration)) = &o.add_request {
        b = b.children([NodeBuilder::new("add_request")
            .attr("code", code.as_str())
            .attr("expiration", expiration.to_string())
            .build()]);
    }
    b.build()
}

/// How an answer names someone the client asked about as `asked`: the JID, and the
/// `phone_number` attribute if any. Unknown accounts are echoed (WhatsApp has no LID for them).
fn answered_jid(world: &World, lid_group: bool, asked: &Jid, phone: &Phone) -> (Jid, Option<Jid>) {
    let echo = || {
        let pn = (asked.server == Server::Lid).then(|| pn_jid(phone));
        (asked.clone(), pn)
    };
    if !lid_group || world.account(phone).is_none() {
        return echo();
    }
    match world.shapes.lid_answers {
        LidAnswers::AsAsked => echo(),
        LidAnswers::LidWithPhone => (lid_jid(world, phone), Some(pn_jid(phone))),
        LidAnswers::LidOnly => (lid_jid(world, phone), None),
    }
}

/// The setting toggles of `w:g2`, one fault kind (`setting`) for all of them.
const SETTING_TAGS: &[&str] = &[
    "locked",
    "unlocked",
    "announcement",
    "not_announcement",
    "ephemeral",
    "not_ephemeral",
    "membership_approval_mode",
    "member_add_mode",
    "no_frequently_forwarded",
    "frequently_forwarded_ok",
    "allow_admin_reports",
    "not_allow_admin_reports",
    "group_history",
    "no_group_history",
];

/// An operation on one group (`to="G@g.us"`): routes the child's tag to its handler.
fn group_op(world: &mut World, actor: &str, g: &str, child: &Node, is_set: bool) -> Answer {
    let no_answer = |notices: Vec<Notice>| -> (Vec<Node>, Vec<Notice>) { (vec![], notices) };
    match child.tag.as_ref() {
        "query" => query_group(world, actor, g),
        "add" | "remove" | "promote" | "demote" => change_participants(world, actor, g, child),
        "subject" => {
            let subject = text(child).unwrap_or_default();
            world.set_subject(actor, g, &subject).map(no_answer)
        }
        "description" => set_description(world, actor, g, child).map(no_answer),
        "invite" => {
            let (code, notices) = world.invite_code(actor, g, is_set)?;
            Ok((
                vec![NodeBuilder::new("invite").attr("code", code).build()],
                notices,
            ))
        }
        t if SETTING_TAGS.contains(&t) => set_setting(world, actor, g, child).map(no_answer),
        "ack" => Ok((vec![], vec![])),
        "membership_approval_requests" => list_requests(world, actor, g),
        "membership_requests_action" => answer_requests(world, actor, g, child),
        "cancel_membership_requests" => {
            let asked = participants_of(world, child);
            let (outcomes, notices) = world.cancel_requests(actor, g, &phones(&asked))?;
            Ok((
                vec![outcome_node(world, g, &child.tag, &asked, &outcomes)],
                notices,
            ))
        }
        "links" => link(world, actor, g, child),
        "unlink" => unlink(world, actor, g, child),
        "delete_parent" => world.deactivate_community(actor, g).map(no_answer),
        "query_linked" => query_linked(world, actor, g, child),
        "join_linked_group" => join_linked(world, actor, g, child),
        "linked_groups_participants" => linked_participants(world, actor, g),
        _ => Err(NOT_IMPLEMENTED),
    }
}

fn phones(asked: &[(Jid, Phone)]) -> Vec<Phone> {
    asked.iter().map(|(_, p)| p.clone()).collect()
}

/// The user part of a JID attribute (`G@g.us` -> `G`).
fn jid_user(node: &Node, key: &str) -> Option<String> {
    attr(node, key).and_then(|j| j.split('@').next().map(str::to_string))
}

/// `<query>` on a group: its full node, for members only.
fn query_group(world: &World, actor: &str, g: &str) -> Answer {
    let group = world.group(g).ok_or(WaError::NOT_FOUND)?;
    if group.member(actor).is_none() {
        return Err(WaError::FORBIDDEN);
    }
    Ok((vec![group_node(world, group, true)], vec![]))
}

/// `<add>`, `<remove>` (community-wide with `linked_groups="true"`), `<promote>`, `<demote>`:
/// per-participant outcomes in the form the client asked with.
fn change_participants(world: &mut World, actor: &str, g: &str, child: &Node) -> Answer {
    let asked = participants_of(world, child);
    let phones = phones(&asked);
    let (outcomes, notices) = match child.tag.as_ref() {
        "add" => world.add_participants(actor, g, &phones)?,
        "remove" if attr(child, "linked_groups").as_deref() == Some("true") => {
            world.remove_from_community(actor, g, &phones)?
        }
        "remove" => world.remove_participants(actor, g, &phones)?,
        "promote" => world.promote_participants(actor, g, &phones)?,
        _ => world.demote_participants(actor, g, &phones)?,
    };
    Ok((
        vec![outcome_node(world, g, &child.tag, &asked, &outcomes)],
        notices,
    ))
}

/// `<description id prev [delete]><body>…</body></description>`.
fn set_description(world: &mut World, actor: &str, g: &str, child: &Node) -> WaResult<Vec<Notice>> {
    let id = attr(child, "id").ok_or(WaError::BAD_REQUEST)?;
    let prev = attr(child, "prev");
    let delete = attr(child, "delete").as_deref() == Some("true");
    let body = if delete {
        None
    } else {
        Some(
            child
                .get_optional_child("body")
                .and_then(text)
                .ok_or(WaError::BAD_REQUEST)?,
        )
    };
    world.set_description(actor, g, &id, prev.as_deref(), body.as_deref())
}

/// One of [`SETTING_TAGS`].
fn set_setting(world: &mut World, actor: &str, g: &str, child: &Node) -> WaResult<Vec<Notice>> {
    let tag = child.tag.as_ref();
    match tag {
        "locked" | "unlocked" => world.set_locked(actor, g, tag == "locked"),
        "announcement" | "not_announcement" => world.set_announce(actor, g, tag == "announcement"),
        "ephemeral" => {
            let expiration = attr(child, "expiration")
                .and_then(|e| e.parse().ok())
                .ok_or(WaError::BAD_REQUEST)?;
            world.set_ephemeral(actor, g, expiration)
        }
        "not_ephemeral" => world.set_ephemeral(actor, g, 0),
        "membership_approval_mode" => {
            let on = child
                .get_optional_child("group_join")
                .and_then(|n| attr(n, "state"))
                .ok_or(WaError::BAD_REQUEST)?
                == "on";
            world.set_approval(actor, g, on)
        }
        "member_add_mode" => {
            let mode = text(child).ok_or(WaError::BAD_REQUEST)?;
            let admin_only = match mode.as_str() {
                "admin_add" => true,
                "all_member_add" => false,
                _ => return Err(WaError::BAD_REQUEST),
            };
            world.set_admin_add_only(actor, g, admin_only)
        }
        "no_frequently_forwarded"
        | "frequently_forwarded_ok"
        | "allow_admin_reports"
        | "not_allow_admin_reports"
        | "group_history"
        | "no_group_history" => {
            // Toggles the world does not model: accepted as WhatsApp would, for admins.
            world.membership_requests(actor, g)?;
            Ok(vec![])
        }
        _ => Err(NOT_IMPLEMENTED),
    }
}

/// `<membership_approval_requests>`: the pending requests, for admins.
fn list_requests(world: &World, actor: &str, g: &str) -> Answer {
    let requests = world.membership_requests(actor, g)?;
    let mode = world.group(g).map(|x| x.addressing).unwrap_or_default();
    let rows = requests.iter().map(|r| {
        let (jid, pn, _) = participant_jids(world, mode, &r.phone);
        let mut b = NodeBuilder::new("membership_approval_request")
            .attr("jid", jid)
            .attr("request_time", r.time.to_string())
            .attr("request_method", r.method.wire());
        if let Some(pn) = pn {
            b = b.attr("phone_number", pn);
        }
        if let Some(p) = &r.parent {
            b = b.attr("parent_group_jid", group_jid(p));
        }
        b.build()
    });
    Ok((
        vec![
            NodeBuilder::new("membership_approval_requests")
                .children(rows)
                .build(),
        ],
        vec![],
    ))
}

/// `<membership_requests_action><approve|reject>…</…></membership_requests_action>`.
fn answer_requests(world: &mut World, actor: &str, g: &str, child: &Node) -> Answer {
    let inner = first_child(child).ok_or(WaError::BAD_REQUEST)?;
    let asked = participants_of(world, inner);
    let phones = phones(&asked);
    let (outcomes, notices) = match inner.tag.as_ref() {
        "approve" => world.approve_requests(actor, g, &phones)?,
        "reject" => world.reject_requests(actor, g, &phones)?,
        _ => return Err(WaError::BAD_REQUEST),
    };
    let inner_node = outcome_node(world, g, &inner.tag, &asked, &outcomes);
    Ok((
        vec![
            NodeBuilder::new("membership_requests_action")
                .children([inner_node])
                .build(),
        ],
        notices,
    ))
}

/// `<links><link><group jid/>*</link></links>` on a community.
fn link(world: &mut World, actor: &str, g: &str, child: &Node) -> Answer {
    let subs: Vec<String> = child
        .get_children_by_tag("link")
        .flat_map(|l| l.get_children_by_tag("group"))
        .filter_map(|n| jid_user(n, "jid"))
        .collect();
    let (results, notices) = world.link_subgroups(actor, g, &subs)?;
    Ok((vec![link_result("links", Some("link"), &results)], notices))
}

/// `<unlink><group jid [remove_orphaned_members]/>*</unlink>` on a community.
fn unlink(world: &mut World, actor: &str, g: &str, child: &Node) -> Answer {
    let groups: Vec<&Node> = child.get_children_by_tag("group").collect();
    let orphans = groups
        .iter()
        .any(|n| attr(n, "remove_orphaned_members").as_deref() == Some("true"));
    let subs: Vec<String> = groups.iter().filter_map(|n| jid_user(n, "jid")).collect();
    let (results, notices) = world.unlink_subgroups(actor, g, &subs, orphans)?;
    Ok((vec![link_result("unlink", None, &results)], notices))
}

/// `<query_linked jid/>`: one subgroup of the community, for its members.
fn query_linked(world: &World, actor: &str, g: &str, child: &Node) -> Answer {
    let sub = jid_user(child, "jid").ok_or(WaError::BAD_REQUEST)?;
    if world.group(g).and_then(|p| p.member(actor)).is_none() {
        return Err(WaError::FORBIDDEN);
    }
    let s = world
        .group(&sub)
        .filter(|s| s.parent.as_deref() == Some(g))
        .ok_or(WaError::NOT_FOUND)?;
    let node = group_node(world, s, true);
    Ok((
        vec![NodeBuilder::new("linked_group").children([node]).build()],
        vec![],
    ))
}

/// `<join_linked_group jid/>`: a community member joins (or asks to join) a subgroup.
fn join_linked(world: &mut World, actor: &str, g: &str, child: &Node) -> Answer {
    let sub = jid_user(child, "jid").ok_or(WaError::BAD_REQUEST)?;
    let (_, notices) = world.join_linked_group(actor, g, &sub)?;
    let s = world.group(&sub).ok_or(WaError::NOT_FOUND)?;
    let node = group_node(world, s, true);
    Ok((
        vec![NodeBuilder::new("linked_group").children([node]).build()],
        notices,
    ))
}

/// `<linked_groups_participants>`: everyone in the community and its subgroups.
fn linked_participants(world: &World, actor: &str, g: &str) -> Answer {
    let members = world.linked_participants(actor, g)?;
    let mode = world.group(g).map(|x| x.addressing).unwrap_or_default();
    let rows = members
        .iter()
        .map(|m| participant_node(world, mode, &m.phone, m.role));
    Ok((
        vec![
            NodeBuilder::new("linked_groups_participants")
                .children(rows)
                .build(),
        ],
        vec![],
    ))
}

fn link_result(tag: &str, inner: Option<&str>, results: &[(String, Option<u16>)]) -> Node {
    let groups = results.iter().map(|(id, err)| {
        let mut b = NodeBuilder::new("group").attr("jid", group_jid(id));
        if let Some(code) = err {
            b = b.attr("error", code.to_string());
        }
        b.build()
    });
    match inner {
        Some(inner) => NodeBuilder::new_dynamic(tag.to_string())
            .children([NodeBuilder::new_dynamic(inner.to_string())
                .attr("link_type", "sub_group")
                .children(groups)
                .build()])
            .build(),
        None => NodeBuilder::new_dynamic(tag.to_string())
            .attr("unlink_type", "sub_group")
            .children(groups)
            .build(),
    }
}

fn picture(world: &mut World, actor: &str, g: &str, iq: &Node) -> Answer {
    let jpeg = iq
        .get_optional_child("picture")
        .and_then(|p| match &p.content {
            Some(NodeContent::Bytes(b)) => Some(b.clone()),
            _ => None,
        });
    let (id, notices) = world.set_picture(actor, g, jpeg.as_deref())?;
    let mut b = NodeBuilder::new("picture");
    if let Some(id) = id {
        b = b.attr("id", id);
    }
    Ok((vec![b.build()], notices))
}

/// `<participant jid [type] [phone_number|lid]/>` in the group's addressing mode.
pub fn participant_node(
    world: &World,
    mode: super::world::AddressingMode,
    phone: &str,
    role: super::world::Role,
) -> Node {
    let (jid, pn, lid) = participant_jids(world, mode, phone);
    let mut b = NodeBuilder::new("participant").attr("jid", jid);
    if let Some(t) = role.wire() {
        b = b.attr("type", t);
    }
    if let Some(pn) = pn {
        b = b.attr("phone_number", pn);
    }
    if let Some(lid) = lid {
        b = b.attr("lid", lid);
    }
    b.build()
}

/// A member whose number is hidden: the LID alone.
fn hidden_participant_node(world: &World, phone: &str) -> Node {
    NodeBuilder::new("participant")
        .attr("jid", lid_jid(world, phone))
        .build()
}

/// The full `<group …>` node WhatsApp sends for a group.
pub fn group_node(world: &World, group: &Group, include_participants: bool) -> Node {
    let mode = group.addressing;
    let (creator, _, _) = participant_jids(world, mode, &group.creator);
    let mut b = NodeBuilder::new("group")
        .attr("id", group.id.as_str())
        .attr("subject", group.subject.as_str())
        .attr("creation", group.creation.to_string())
        .attr("creator", creator)
        .attr("s_t", group.subject_time.to_string())
        .attr("size", group.participants.len().to_string())
        .attr(
            "addressing_mode",
            match mode {
                super::world::AddressingMode::Lid => "lid",
                super::world::AddressingMode::Pn => "pn",
            },
        );
    if let Some(owner) = &group.subject_owner {
        b = b.attr("s_o", participant_jids(world, mode, owner).0);
    }
    let mut children = Vec::new();
    if include_participants {
        // A community's announcement group hides its members' numbers: they are listed by LID
        // alone (whatsmeow notes an obfuscated display name for them instead).
        let hidden = group.is_default_sub && mode == AddressingMode::Lid;
        children.extend(group.participants.iter().map(|m| {
            if hidden && world.account(&m.phone).is_some() && !m.role.is_admin() {
                hidden_participant_node(world, &m.phone)
            } else {
                participant_node(world, mode, &m.phone, m.role)
            }
        }));
    }
    if let Some(d) = &group.description {
        children.push(
            NodeBuilder::new("description")
                .attr("id", d.id.as_str())
                .attr("participant", participant_jids(world, mode, &d.setter).0)
                .attr("t", d.time.to_string())
                .children([NodeBuilder::new("body")
                    .string_content(d.body.as_str())
                    .build()])
                .build(),
        );
    }
    let s = &group.settings;
    if s.locked {
        children.push(NodeBuilder::new("locked").build());
    }
    if s.announce {
        children.push(NodeBuilder::new("announcement").build());
    }
    if s.ephemeral > 0 {
        children.push(
            NodeBuilder::new("ephemeral")
                .attr("expiration", s.ephemeral.to_string())
                .build(),
        );
    }
    if s.approval {
        children.push(
            NodeBuilder::new("membership_approval_mode")
                .children([NodeBuilder::new("group_join").attr("state", "on").build()])
                .build(),
        );
    }
    children.push(
        NodeBuilder::new("member_add_mode")
            .string_content(if s.admin_add_only {
                "admin_add"
            } else {
                "all_member_add"
            })
            .build(),
    );
    if group.is_parent {
        children.push(NodeBuilder::new("parent").build());
    }
    if let Some(p) = &group.parent {
        children.push(
            NodeBuilder::new("linked_parent")
                .attr("jid", group_jid(p))
                .build(),
        );
    }
    if group.is_default_sub {
        children.push(NodeBuilder::new("default_sub_group").build());
    }
    b.children(children).build()
}
