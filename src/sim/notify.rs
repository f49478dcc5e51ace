//! World notices -> the notifications WhatsApp pushes: `w:gp2` for group changes (one child per
//! notice), `picture` for group pictures. Shapes as whatsapp-rust's `wacore::stanza::groups` reads
//! them.

use whatsapp_rust::wacore_binary::builder::NodeBuilder;
use whatsapp_rust::wacore_binary::{Jid, Node};

use super::groups_iq::{group_node, participant_node};
use super::jids::{group_jid, participant_jids, pn_jid};
use super::world::{
    AddressingMode, GroupId, LinkSide, Notice, NoticeAction, Phone, RequestMethod, Role, World,
};

fn participants(world: &World, mode: AddressingMode, group: &str, phones: &[Phone]) -> Vec<Node> {
    phones
        .iter()
        .map(|p| {
            let role = world
                .group(group)
                .and_then(|g| g.role_of(p))
                .unwrap_or(Role::Member);
            participant_node(world, mode, p, role)
        })
        .collect()
}

fn list(tag: &'static str, children: Vec<Node>) -> Node {
    NodeBuilder::new(tag).children(children).build()
}

/// The notification node WhatsApp pushes for a world notice.
pub fn notification_node(world: &World, notice: &Notice, id: &str) -> Node {
    let g = notice.group.as_str();
    // A deleted group no longer says how it addressed people: LID, as new groups do.
    let mode = world.group(g).map(|x| x.addressing).unwrap_or_default();
    let (actor, actor_pn, _) = participant_jids(world, mode, &notice.actor);
    if let NoticeAction::Picture { id: pic } = &notice.action {
        return picture_notification(g, pic.as_deref(), &actor, notice.time, id);
    }
    let child = gp2_child(world, notice, mode, &actor);
    let mut b = NodeBuilder::new("notification")
        .attr("type", "w:gp2")
        .attr("from", group_jid(g))
        .attr("id", id)
        .attr("t", notice.time.to_string())
        .attr("participant", actor)
        .attr(
            "addressing_mode",
            match mode {
                AddressingMode::Lid => "lid",
                AddressingMode::Pn => "pn",
            },
        );
    if let Some(pn) = actor_pn {
        b = b.attr("participant_pn", pn);
    } else if mode == AddressingMode::Pn {
        b = b.attr("participant_pn", pn_jid(&notice.actor));
    }
    if let Some(a) = world.account(&notice.actor) {
        b = b.attr("notify", a.name.as_str());
    }
    b.children([child]).build()
}

/// Group pictures come as their own `type="picture"` notification, not as a `w:gp2` child.
fn picture_notification(g: &str, pic: Option<&str>, actor: &Jid, time: i64, id: &str) -> Node {
    let child = match pic {
        Some(pic) => NodeBuilder::new("set")
            .attr("jid", group_jid(g))
            .attr("id", pic)
            .attr("author", actor.clone())
            .build(),
        None => NodeBuilder::new("delete")
            .attr("author", actor.clone())
            .build(),
    };
    NodeBuilder::new("notification")
        .attr("type", "picture")
        .attr("from", group_jid(g))
        .attr("id", id)
        .attr("t", time.to_string())
        .children([child])
        .build()
}

/// The one child of a `w:gp2` notification that says what changed.
fn gp2_child(world: &World, notice: &Notice, mode: AddressingMode, actor: &Jid) -> Node {
    let g = notice.group.as_str();
    match &notice.action {
        NoticeAction::Add {
            participants: ps,
            reason,
        } => {
            let mut b = NodeBuilder::new("add").children(participants(world, mode, g, ps));
            if let Some(r) = reason {
                b = b.attr("reason", *r);
            }
            b.build()
        }
        NoticeAction::Remove { participants: ps } => {
            list("remove", participants(world, mode, g, ps))
        }
        NoticeAction::Modify { phone } => list(
            "modify",
            participants(world, mode, g, std::slice::from_ref(phone)),
        ),
        NoticeAction::Promote { participants: ps } => {
            list("promote", participants(world, mode, g, ps))
        }
        NoticeAction::Demote { participants: ps } => {
            list("demote", participants(world, mode, g, ps))
        }
        NoticeAction::Subject { subject } => NodeBuilder::new("subject")
            .attr("subject", subject.as_str())
            .attr("s_o", actor.clone())
            .attr("s_t", notice.time.to_string())
            .build(),
        NoticeAction::Description { id, body } => description_child(id, body.as_deref()),
        NoticeAction::CreatedMembershipRequests {
            method,
            parent,
            requesters,
        } => created_requests_child(world, mode, *method, parent.as_deref(), requesters),
        NoticeAction::RevokedMembershipRequests { participants: ps } => {
            let rows = ps.iter().map(|p| {
                let (jid, _, _) = participant_jids(world, mode, p);
                NodeBuilder::new("participant").attr("jid", jid).build()
            });
            list("revoked_membership_requests", rows.collect())
        }
        NoticeAction::Create => match world.group(g) {
            Some(group) => list("create", vec![group_node(world, group, true)]),
            None => NodeBuilder::new("create").build(),
        },
        NoticeAction::Link { groups, side } => linked_child("link", "link_type", *side, groups),
        NoticeAction::Unlink { groups, side } => {
            linked_child("unlink", "unlink_type", *side, groups)
        }
        NoticeAction::Locked => NodeBuilder::new("locked").build(),
        NoticeAction::Unlocked => NodeBuilder::new("unlocked").build(),
        NoticeAction::Announce => NodeBuilder::new("announcement").build(),
        NoticeAction::NotAnnounce => NodeBuilder::new("not_announcement").build(),
        NoticeAction::Ephemeral { expiration: 0 } => NodeBuilder::new("not_ephemeral").build(),
        NoticeAction::Ephemeral { expiration } => NodeBuilder::new("ephemeral")
            .attr("expiration", expiration.to_string())
            .build(),
        NoticeAction::MembershipApprovalMode { enabled } => {
            NodeBuilder::new("membership_approval_mode")
                .children([NodeBuilder::new("group_join")
                    .attr("state", if *enabled { "on" } else { "off" })
                    .build()])
                .build()
        }
        NoticeAction::MemberAddMode { mode: m } => NodeBuilder::new("member_add_mode")
            .string_content(*m)
            .build(),
        NoticeAction::InviteRevoked => NodeBuilder::new("revoke").build(),
        NoticeAction::Delete => NodeBuilder::new("delete").build(),
        NoticeAction::Picture { .. } => NodeBuilder::new("picture").build(),
    }
}

/// `<description id><body>…</body></description>`, or `<delete/>` inside when it was removed.
fn description_child(id: &str, body: Option<&str>) -> Node {
    let inner = match body {
        Some(text) => NodeBuilder::new("body").string_content(text).build(),
        None => NodeBuilder::new("delete").build(),
    };
    NodeBuilder::new("description")
        .attr("id", id)
        .children([inner])
        .build()
}

/// `<created_membership_requests request_method [parent_group_jid]><requested_user/>*…>`.
fn created_requests_child(
    world: &World,
    mode: AddressingMode,
    method: RequestMethod,
    parent: Option<&str>,
    requesters: &[Phone],
) -> Node {
    let users = requesters.iter().map(|p| {
        let (jid, pn, _) = participant_jids(world, mode, p);
        let mut b = NodeBuilder::new("requested_user").attr("jid", jid);
        if let Some(pn) = pn {
            b = b.attr("phone_number", pn);
        }
        b.build()
    });
    let mut b = NodeBuilder::new("created_membership_requests")
        .attr("request_method", method.wire())
        .children(users);
    if let Some(p) = parent {
        b = b.attr("parent_group_jid", group_jid(p));
    }
    b.build()
}

/// `<link link_type=SIDE>` / `<unlink unlink_type=SIDE>` with one `<group jid/>` per group
/// named (wacore stanza/groups.rs keeps the type and the raw node).
fn linked_child(
    tag: &'static str,
    type_attr: &'static str,
    side: LinkSide,
    groups: &[GroupId],
) -> Node {
    NodeBuilder::new(tag)
        .attr(type_attr, side.wire())
        .children(
            groups
                .iter()
                .map(|s| NodeBuilder::new("group").attr("jid", group_jid(s)).build()),
        )
        .build()
}
