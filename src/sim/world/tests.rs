//! WhatsApp's group rules, at the world level (the protocol tests cover the wire).

use super::*;

const A: &str = "15550000001"; // superadmin
const B: &str = "15550000002"; // admin
const C: &str = "15550000003"; // member
const D: &str = "15550000004"; // outsider
const P: &str = "15550000005"; // blocks direct adds

fn world() -> World {
    let mut w = World::new(1_800_000_000);
    for (phone, blocks) in [(A, false), (B, false), (C, false), (D, false), (P, true)] {
        w.add_account(Account {
            phone: phone.into(),
            lid: format!("9{phone}"),
            name: phone.into(),
            blocks_direct_adds: blocks,
            add_refusal: None,
        });
    }
    let (id, _, _) = w
        .create_group(
            A,
            CreateOptions {
                subject: "G".into(),
                participants: vec![B.into(), C.into()],
                ..Default::default()
            },
        )
        .expect("create");
    w.promote_participants(A, &id, &[B.into()])
        .expect("promote");
    w
}

fn gid(w: &World) -> String {
    w.groups.keys().next().cloned().expect("group")
}

fn codes(o: &[ParticipantOutcome]) -> Vec<Option<u16>> {
    o.iter().map(|x| x.error).collect()
}

#[test]
fn adding_follows_privacy_membership_and_add_mode() {
    let mut w = world();
    let g = gid(&w);
    let (out, notices) = w
        .add_participants(C, &g, &[D.into(), P.into(), B.into(), "15559999999".into()])
        .expect("members may add by default");
    assert_eq!(codes(&out), vec![None, Some(403), Some(409), Some(404)]);
    assert!(
        out[1].add_request.is_some(),
        "privacy refusal carries an invite code"
    );
    assert_eq!(notices.len(), 1);
    assert!(notices[0].recipients.contains(&D.to_string()));
    w.set_admin_add_only(A, &g, true).expect("admin add");
    assert_eq!(
        w.add_participants(C, &g, &[P.into()]).err(),
        Some(WaError::NOT_AUTHORIZED)
    );
    assert_eq!(
        w.add_participants(D, "nope", &[P.into()]).err(),
        Some(WaError::NOT_FOUND)
    );
}

#[test]
fn roles_protect_the_superadmin() {
    let mut w = world();
    let g = gid(&w);
    let (out, _) = w.remove_participants(B, &g, &[A.into()]).expect("answered");
    assert_eq!(codes(&out), vec![Some(403)]);
    let (out, _) = w.demote_participants(B, &g, &[A.into()]).expect("answered");
    assert_eq!(codes(&out), vec![Some(403)]);
    assert_eq!(
        w.promote_participants(C, &g, &[C.into()]).err(),
        Some(WaError::NOT_AUTHORIZED)
    );
    assert_eq!(
        w.remove_participants(D, &g, &[C.into()]).err(),
        Some(WaError::FORBIDDEN)
    );
    let (out, notices) = w.promote_participants(A, &g, &[B.into()]).expect("no-op");
    assert_eq!(codes(&out), vec![None]);
    assert!(notices.is_empty(), "already admin: nothing to tell");
}

#[test]
fn info_edits_respect_locked_and_limits() {
    let mut w = world();
    let g = gid(&w);
    w.set_subject(C, &g, "by a member")
        .expect("unlocked: anyone edits");
    w.set_locked(A, &g, true).expect("lock");
    assert_eq!(
        w.set_subject(C, &g, "x").err(),
        Some(WaError::NOT_AUTHORIZED)
    );
    assert_eq!(w.set_subject(A, &g, "  ").err(), Some(WaError::BAD_REQUEST));
    assert_eq!(
        w.set_subject(A, &g, &"s".repeat(101)).err(),
        Some(WaError::BAD_REQUEST)
    );
    w.set_subject(A, &g, &"é".repeat(100))
        .expect("100 characters, not bytes");
    w.set_description(A, &g, "d1", None, Some("one"))
        .expect("first");
    assert_eq!(
        w.set_description(A, &g, "d2", None, Some("two")).err(),
        Some(WaError::CONFLICT)
    );
    let n = w
        .set_description(A, &g, "d3", Some("d1"), None)
        .expect("delete");
    assert_eq!(
        n[0].action,
        NoticeAction::Description {
            id: "d3".into(),
            body: None
        }
    );
    assert!(w.group(&g).is_some_and(|x| x.description.is_none()));
    assert_eq!(
        w.set_description(A, &g, "d4", None, Some(&"x".repeat(2049)))
            .err(),
        Some(WaError::BAD_REQUEST)
    );
    assert!(w.set_announce(A, &g, false).expect("unchanged").is_empty());
}

#[test]
fn invites_joins_and_requests() {
    let mut w = world();
    let g = gid(&w);
    let (old, _) = w.invite_code(A, &g, false).expect("code");
    assert_eq!(
        w.invite_code(C, &g, false).err(),
        Some(WaError::NOT_AUTHORIZED)
    );
    let (new, notices) = w.invite_code(A, &g, true).expect("reset");
    assert_ne!(old, new);
    assert_eq!(notices[0].action, NoticeAction::InviteRevoked);
    assert_eq!(w.invite_info(&old).err(), Some(WaError::GONE));
    assert_eq!(w.invite_info("unknown").err(), Some(WaError::NOT_FOUND));
    assert_eq!(w.join_by_code(C, &new).err(), Some(WaError::ALREADY_MEMBER));
    w.set_approval(A, &g, true).expect("approval");
    let (outcome, notices) = w.join_by_code(D, &new).expect("request");
    assert_eq!(outcome, JoinOutcome::Pending(g.clone()));
    assert_eq!(
        notices[0].recipients,
        vec![A.to_string(), B.to_string(), D.to_string()]
    );
    let (again, notices) = w.join_by_code(D, &new).expect("idempotent");
    assert_eq!(again, JoinOutcome::Pending(g.clone()));
    assert!(notices.is_empty());
    assert_eq!(
        w.request_join(D, &g, RequestMethod::InviteLink, None).err(),
        Some(WaError::CONFLICT)
    );
    assert_eq!(
        w.request_join(C, &g, RequestMethod::InviteLink, None).err(),
        Some(WaError::ALREADY_MEMBER)
    );
    let (out, _) = w.cancel_requests(C, &g, &[D.into()]).expect("answered");
    assert_eq!(codes(&out), vec![Some(403)], "only the requester cancels");
    assert_eq!(
        w.membership_requests(C, &g).err(),
        Some(WaError::NOT_AUTHORIZED)
    );
    let (out, _) = w
        .approve_requests(A, &g, &[D.into(), P.into()])
        .expect("approve");
    assert_eq!(codes(&out), vec![None, Some(404)]);
    assert!(
        w.group(&g)
            .is_some_and(|x| x.member(D).is_some() && x.pending.is_empty())
    );
}

#[test]
fn leaving_hands_over_and_empties() {
    let mut w = world();
    let g = gid(&w);
    w.demote_participants(A, &g, &[B.into()]).expect("demote");
    let notices = w.leave(A, &g).expect("leave");
    assert_eq!(
        notices.len(),
        2,
        "remove + promotion of the longest-standing member"
    );
    assert!(w.group(&g).is_some_and(|x| x.admins().count() == 1));
    assert_eq!(w.leave(A, &g).err(), Some(WaError::NOT_FOUND));
    w.leave(B, &g).expect("leave");
    w.leave(C, &g).expect("last one out");
    assert!(w.group(&g).is_none(), "an empty group is gone");
}

#[test]
fn communities_link_unlink_and_deactivate() {
    let mut w = world();
    let g = gid(&w);
    let (parent, _, _) = w
        .create_group(
            A,
            CreateOptions {
                subject: "Com".into(),
                is_parent: true,
                ..Default::default()
            },
        )
        .expect("community");
    assert_eq!(w.subgroups(&parent).len(), 1, "announcement group");
    let (other, _, _) = w
        .create_group(
            C,
            CreateOptions {
                subject: "C's".into(),
                ..Default::default()
            },
        )
        .expect("group");
    let (res, _) = w
        .link_subgroups(A, &parent, &[g.clone(), other.clone()])
        .expect("link");
    assert_eq!(res, vec![(g.clone(), None), (other.clone(), Some(401))]);
    let (res, _) = w
        .link_subgroups(A, &parent, std::slice::from_ref(&g))
        .expect("again");
    assert_eq!(res, vec![(g.clone(), Some(406))]);
    assert!(
        w.group(&parent).is_some_and(|p| p.member(C).is_some()),
        "members join the community"
    );
    let merged = w.linked_participants(C, &parent).expect("merged");
    assert_eq!(
        merged.iter().find(|m| m.phone == A).map(|m| m.role),
        Some(Role::SuperAdmin)
    );
    let (res, _) = w
        .unlink_subgroups(A, &parent, std::slice::from_ref(&g), true)
        .expect("unlink");
    assert_eq!(res, vec![(g.clone(), None)]);
    assert!(
        w.group(&parent).is_some_and(|p| p.member(C).is_none()),
        "orphans removed"
    );
    let ann = w.subgroups(&parent)[0].id.clone();
    let (res, _) = w
        .unlink_subgroups(A, &parent, &[ann], false)
        .expect("answered");
    assert_eq!(res[0].1, Some(406), "the announcement group stays");
    w.link_subgroups(A, &parent, std::slice::from_ref(&g))
        .expect("relink");
    w.deactivate_community(A, &parent).expect("deactivate");
    assert!(w.group(&parent).is_none());
    assert!(
        w.group(&g).is_some_and(|x| x.parent.is_none()),
        "subgroups stay as plain groups"
    );
    assert_eq!(w.groups.values().filter(|x| x.is_default_sub).count(), 0);
}

#[test]
fn full_groups_refuse() {
    let mut w = world();
    let g = gid(&w);
    for i in 0..(MAX_GROUP_SIZE - 3) {
        let phone = format!("1666{i:07}");
        w.add_account(Account {
            phone: phone.clone(),
            lid: format!("8{i}"),
            name: phone.clone(),
            blocks_direct_adds: false,
            add_refusal: None,
        });
        w.join(&g, &phone);
    }
    assert_eq!(
        w.group(&g).map(|x| x.participants.len()),
        Some(MAX_GROUP_SIZE)
    );
    let (out, _) = w.add_participants(A, &g, &[D.into()]).expect("answered");
    assert_eq!(codes(&out), vec![Some(419)]);
    let code = w.group(&g).map(|x| x.invite_code.clone()).expect("code");
    assert_eq!(w.join_by_code(D, &code).err(), Some(WaError::GROUP_FULL));
}
