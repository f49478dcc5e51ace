//! The model patched by notifications and fetches that race with them.

use super::*;
use crate::domain::{GroupEventKind, Role};
use whatsapp_rust::Jid;
use whatsapp_rust::wacore::stanza::groups::{
    GroupNotificationAction as A, GroupParticipantInfo, MembershipRequestMethod,
};

fn jid(s: &str) -> Jid {
    s.parse().expect("jid")
}

fn info(lid: &str, phone: &str) -> GroupParticipantInfo {
    GroupParticipantInfo {
        jid: jid(&format!("{lid}@lid")),
        phone_number: Some(jid(&format!("{phone}@s.whatsapp.net"))),
        display_name: None,
        r#type: None,
        lid: None,
        username: None,
        join_time: None,
        group_history_sent_state: None,
    }
}

fn update(actor: Option<&str>, action: A) -> GroupUpdate {
    GroupUpdate::builder()
        .group_jid(jid("120363000000000001@g.us"))
        .maybe_participant(actor.map(|a| jid(&format!("{a}@lid"))))
        .timestamp(chrono::DateTime::from_timestamp(1_800_000_000, 0).expect("time"))
        .is_lid_addressing_mode(true)
        .action(action)
        .build()
}

/// A sync's answer: these groups, each with `roster` (our own row, in [`model`]).
fn synced(groups: Vec<GroupSummary>, roster: &[Participant]) -> Vec<SyncedGroup> {
    groups
        .into_iter()
        .map(|summary| SyncedGroup {
            summary,
            roster: roster.to_vec(),
        })
        .collect()
}

fn model() -> SessionModel {
    let mut m = SessionModel::new(SessionId(1));
    m.me = Me {
        pn_user: Some("15550001111".into()),
        lid_user: Some("91111".into()),
    };
    let id = GroupId("120363000000000001@g.us".into());
    let me = Participant {
        jid: "91111@lid".into(),
        phone: Some("+15550001111".into()),
        lid: Some("91111@lid".into()),
        role: Role::SuperAdmin,
    };
    let club = GroupSummary {
        id,
        subject: "Club".into(),
        size: 1,
        my_role: Some(Role::SuperAdmin),
        ..Default::default()
    };
    m.set_synced(synced(vec![club], &[me]), 0, 0, false);
    m
}

fn gid() -> GroupId {
    GroupId("120363000000000001@g.us".into())
}

#[test]
fn requests_arrive_and_approval_turns_them_into_members() {
    let mut m = model();
    let out = m.apply(&update(
        Some("93333"),
        A::CreatedMembershipRequests {
            request_method: MembershipRequestMethod::InviteLink,
            parent_group_jid: None,
            requests: vec![info("93333", "15550003333")],
        },
    ));
    assert!(
        matches!(out.last(), Some(Update::Event(e)) if matches!(e.kind, GroupEventKind::RequestCreated { .. }))
    );
    assert_eq!(m.groups[&gid()].pending, 1);
    assert_eq!(m.requests[&gid()][0].phone.as_deref(), Some("+15550003333"));

    // Approved: an add without "invite" reason by an admin.
    let out = m.apply(&update(
        Some("91111"),
        A::Add {
            participants: vec![info("93333", "15550003333")],
            reason: None,
        },
    ));
    assert!(
        out.iter().any(
            |u| matches!(u, Update::RequestsChanged { added, removed, .. }
            if added.is_empty() && removed == &["93333@lid"])
        ),
        "the approved request goes, as a delta: {out:?}"
    );
    assert!(m.requests[&gid()].is_empty());
    assert_eq!(m.groups[&gid()].size, 2);
    assert!(
        matches!(out.last(), Some(Update::Event(e)) if matches!(e.kind, GroupEventKind::Added { .. }))
    );
}

#[test]
fn a_sync_after_a_reconnect_tells_what_changed_meanwhile() {
    let mut m = model();
    // Its roster: someone joined while we were away.
    let mut roster = m.rosters[&gid()].as_ref().clone();
    roster.push(Participant {
        jid: "93333@lid".into(),
        phone: Some("+15550003333".into()),
        lid: Some("93333@lid".into()),
        role: Role::Member,
    });
    let fresh = GroupSummary {
        size: 2,
        ..m.groups[&gid()].clone()
    };
    let (_, missed) = m.set_synced(synced(vec![fresh.clone()], &roster), m.seq(), 5, true);
    assert!(
        matches!(&missed[..], [e] if matches!(&e.kind, GroupEventKind::Joined { who, .. } if who == &["+15550003333"]) && e.found_on_reconnect && e.at == 5),
        "{missed:?}"
    );
    assert_eq!(m.groups[&gid()].my_role, Some(Role::SuperAdmin));
    // After our own change nothing is "missed": its notifications told it.
    roster.pop();
    let (_, missed) = m.set_synced(synced(vec![fresh], &roster), m.seq(), 6, false);
    assert!(missed.is_empty());
    assert_eq!(m.rosters[&gid()].len(), 1);
    // A group gone from the list takes its roster along.
    m.set_synced(Vec::new(), m.seq(), 7, true);
    assert!(m.rosters.is_empty());
}

#[test]
fn a_fetch_older_than_a_notification_does_not_undo_it() {
    let mut m = model();
    // Nothing in flight: a notification is not kept.
    m.apply(&update(
        Some("93333"),
        A::Description {
            id: "d1".into(),
            description: Some("rules".into()),
        },
    ));
    assert!(m.journal.is_empty());
    let since = m.begin_fetch();
    let stale = m.groups[&gid()].clone();
    let roster = m.rosters[&gid()].as_ref().clone();
    // While the fetch is in flight, the subject changes and someone joins.
    m.apply(&update(
        Some("93333"),
        A::Subject {
            subject: "Club 2".into(),
            subject_owner: None,
            subject_time: None,
        },
    ));
    m.apply(&update(
        Some("93333"),
        A::Add {
            participants: vec![info("93333", "15550003333")],
            reason: Some("invite".into()),
        },
    ));
    // The answer, read before those changes, arrives last.
    // Diffed as after a reconnect: the join seen live is not found again.
    let (_, missed) = m.set_synced(
        vec![SyncedGroup {
            summary: stale,
            roster,
        }],
        since,
        1_800_000_100,
        true,
    );
    assert_eq!(m.groups[&gid()].subject, "Club 2");
    assert_eq!(m.rosters[&gid()].len(), 2);
    assert!(
        missed.is_empty(),
        "replayed changes are not announced twice: {missed:?}"
    );
    assert_eq!(m.journal.len(), 2);
    // A fetch started after them needs no replay; once the older one is done, they go.
    let later = m.begin_fetch();
    let fresh = m.groups[&gid()].clone();
    let roster = m.rosters[&gid()].as_ref().clone();
    m.set_group(fresh, roster, later);
    assert_eq!(m.rosters[&gid()].len(), 2);
    m.fetch_done(since);
    assert!(
        m.journal.is_empty(),
        "only what the later fetch may need is kept"
    );
    m.apply(&update(
        Some("93333"),
        A::Description {
            id: "d1".into(),
            description: Some("rules 2".into()),
        },
    ));
    assert_eq!(m.journal.len(), 1);
    m.fetch_done(later);
    assert!(m.journal.is_empty());
}

#[test]
fn revoked_requests_leave_and_promotions() {
    let mut m = model();
    m.set_requests(
        &gid(),
        vec![JoinRequest {
            jid: "94444@lid".into(),
            phone: Some("+15550004444".into()),
            ..Default::default()
        }],
        m.seq(),
        None,
    );
    let out = m.apply(&update(
        Some("94444"),
        A::RevokedMembershipRequests {
            participants: vec![jid("94444@lid")],
        },
    ));
    assert!(
        matches!(out.last(), Some(Update::Event(e)) if e.kind == GroupEventKind::RequestRevoked { who: vec!["+15550004444".into()] })
    );
    assert_eq!(m.groups[&gid()].pending, 0);

    m.apply(&update(
        Some("95555"),
        A::Add {
            participants: vec![info("95555", "15550005555")],
            reason: Some("invite".into()),
        },
    ));
    let out = m.apply(&update(
        Some("91111"),
        A::Promote {
            participants: vec![info("95555", "15550005555")],
        },
    ));
    assert!(
        out.iter()
            .any(|u| matches!(u, Update::RosterChanged { upsert, removed, .. }
        if removed.is_empty() && upsert.iter().any(|p| p.jid == "95555@lid" && p.role == Role::Admin)))
    );
    let out = m.apply(&update(
        Some("95555"),
        A::Remove {
            participants: vec![info("95555", "15550005555")],
            reason: None,
        },
    ));
    assert!(
        matches!(out.last(), Some(Update::Event(e)) if matches!(e.kind, GroupEventKind::Left { .. }))
    );
    assert!(
        out.iter().any(
            |u| matches!(u, Update::RosterChanged { removed, .. } if removed == &["95555@lid"])
        )
    );
}

#[test]
fn being_removed_makes_the_group_go_away() {
    let mut m = model();
    let out = m.apply(&update(
        Some("92222"),
        A::Remove {
            participants: vec![info("91111", "15550001111")],
            reason: None,
        },
    ));
    assert!(out.iter().any(|u| matches!(u, Update::GroupGone { .. })));
    assert!(m.groups.is_empty());
}

#[test]
fn a_setting_notification_changes_the_row_and_says_so() {
    let mut m = model();
    let day = crate::ops::disappearing_words(86_400);
    let cases = [
        (A::Locked { threshold: None }, "edit info", "admins only"),
        (A::Unlocked, "edit info", "all members"),
        (A::Announce, "send messages", "admins only"),
        (A::NotAnnounce, "send messages", "all members"),
        (
            A::Ephemeral {
                expiration: 86_400,
                trigger: None,
            },
            "disappearing messages",
            day.as_str(),
        ),
        (
            A::MembershipApprovalMode { enabled: true },
            "approve new members",
            "on",
        ),
        (
            A::MemberAddMode {
                mode: "admin_add".into(),
            },
            "add members",
            "admins only",
        ),
    ];
    for (action, name, value) in cases {
        let out = m.apply(&update(Some("91111"), action));
        let said = GroupEventKind::SettingChanged {
            name: name.into(),
            value: value.into(),
        };
        assert!(
            matches!(&out[..], [Update::Group { .. }, Update::Event(e)] if e.kind == said),
            "{out:?}"
        );
    }
    let expected = crate::domain::GroupSettings {
        announce: false,
        locked: false,
        approval: true,
        admin_add_only: Some(true),
        ephemeral: 86_400,
    };
    assert_eq!(m.groups[&gid()].settings, expected);
}

#[test]
fn linked_subgroups_follow_their_community_and_stay_when_it_goes() {
    use whatsapp_rust::wacore_binary::builder::NodeBuilder;
    let mut m = model();
    let sub = GroupSummary {
        id: GroupId("120363000000000002@g.us".into()),
        subject: "Sub".into(),
        ..Default::default()
    };
    let club = m.groups[&gid()].clone();
    let mine = m.rosters[&gid()].as_ref().clone();
    m.set_synced(synced(vec![club, sub.clone()], &mine), m.seq(), 0, false);
    let listed = |jids: &[&str]| {
        let groups = jids
            .iter()
            .map(|j| NodeBuilder::new("group").attr("jid", j.to_string()).build());
        NodeBuilder::new("link").children(groups).build()
    };
    let out = m.apply(&update(
        Some("91111"),
        A::Link {
            link_type: "sub_group".into(),
            raw: listed(&[sub.id.as_str(), "120363000000000009@g.us"]),
        },
    ));
    assert_eq!(
        m.groups[&sub.id].community,
        CommunityMark::Subgroup { parent: gid() }
    );
    assert!(
        matches!(&out[..], [Update::Group { group, .. }, Update::Event(e)]
            if group.id == sub.id
            && e.kind == GroupEventKind::Linked { groups: vec!["Sub".into(), "120363000000000009@g.us".into()] }),
        "{out:?}"
    );
    let out = m.apply(&update(Some("91111"), A::Delete { reason: None }));
    assert_eq!(m.groups[&sub.id].community, CommunityMark::None);
    assert!(!m.groups.contains_key(&gid()));
    assert!(
        matches!(&out[..], [Update::Group { group, .. }, Update::GroupGone { .. }, Update::Event(e)]
            if group.id == sub.id && e.kind == GroupEventKind::GroupDeleted && e.group_subject == "Club"),
        "{out:?}"
    );
}

/// Our own confirmed operation, as its report says.
fn confirmed(m: &mut SessionModel, op: crate::ops::Op, targets: &[(&str, &str)]) -> Vec<Update> {
    use crate::ops::{OpId, OpReport, Outcome, TargetOutcome};
    let report = OpReport {
        id: OpId(1),
        session: SessionId(1),
        group: Some(GroupId("120363000000000001@g.us".into())),
        group_subject: "Club".into(),
        action: op.name(),
        title: op.title(),
        outcome: Outcome::Done,
        targets: targets
            .iter()
            .map(|(jid, phone)| TargetOutcome {
                jid: (*jid).into(),
                phone: Some((*phone).into()),
                outcome: Outcome::Done,
            })
            .collect(),
        answer: None,
        at: 1_800_000_000,
    };
    let g = GroupId("120363000000000001@g.us".into());
    m.apply_confirmed(&g, &op, &report)
}

fn roster_of(m: &SessionModel) -> Vec<(String, Role)> {
    let g = GroupId("120363000000000001@g.us".into());
    m.rosters[&g]
        .iter()
        .map(|p| (p.jid.clone(), p.role))
        .collect()
}

/// A confirmed add shows at once, asked by number; the echo names them by LID and changes
/// nothing: one row, one feed line.
#[test]
fn a_confirmed_change_shows_at_once_and_its_echo_changes_nothing() {
    let mut m = model();
    let out = confirmed(
        &mut m,
        crate::ops::Op::Add(vec!["15550002222@s.whatsapp.net".into()]),
        &[("15550002222@s.whatsapp.net", "+15550002222")],
    );
    assert!(
        matches!(out.last(), Some(Update::Event(e)) if e.kind == GroupEventKind::Added { who: vec!["+15550002222".into()] })
    );
    assert_eq!(roster_of(&m).len(), 2);
    let echo = m.apply(&update(
        Some("91111"),
        A::Add {
            participants: vec![info("92222", "15550002222")],
            reason: None,
        },
    ));
    assert!(
        !echo.iter().any(|u| matches!(u, Update::Event(_))),
        "the echo is not shown twice: {echo:?}"
    );
    assert_eq!(
        roster_of(&m),
        vec![
            ("91111@lid".to_string(), Role::SuperAdmin),
            ("92222@lid".to_string(), Role::Member)
        ],
        "one row, under the JID the group uses"
    );
    // The same change made on the phone later is shown: the echo was used up.
    let again = m.apply(&update(
        Some("91111"),
        A::Promote {
            participants: vec![info("92222", "15550002222")],
        },
    ));
    assert!(again.iter().any(|u| matches!(u, Update::Event(_))));
}

#[test]
fn confirmed_roles_removals_and_settings_apply_by_identity() {
    let mut m = model();
    m.apply(&update(
        Some("91111"),
        A::Add {
            participants: vec![info("92222", "15550002222")],
            reason: None,
        },
    ));
    // Asked by number, the roster has them by LID.
    confirmed(
        &mut m,
        crate::ops::Op::Promote(vec!["15550002222@s.whatsapp.net".into()]),
        &[("15550002222@s.whatsapp.net", "+15550002222")],
    );
    assert_eq!(roster_of(&m)[1], ("92222@lid".to_string(), Role::Admin));
    confirmed(
        &mut m,
        crate::ops::Op::Setting(crate::ops::Setting::AdminsOnlySend(true)),
        &[],
    );
    let g = GroupId("120363000000000001@g.us".into());
    assert!(m.groups[&g].settings.announce);
    confirmed(
        &mut m,
        crate::ops::Op::Remove(vec!["15550002222@s.whatsapp.net".into()]),
        &[("15550002222@s.whatsapp.net", "+15550002222")],
    );
    assert_eq!(roster_of(&m).len(), 1);
    assert_eq!(m.groups[&g].size, 1);
}

/// A `link`/`unlink` notice told from a subgroup (`parent_group`) or a sibling
/// (`sibling_group`): the tree ends as when the community tells it (`sub_group`).
#[test]
fn community_links_end_right_from_every_side() {
    use whatsapp_rust::wacore_binary::builder::NodeBuilder;
    let gid = |s: &str| GroupId(format!("{s}@g.us"));
    let summary = |id: &str, community| GroupSummary {
        id: gid(id),
        subject: id.to_uppercase(),
        community,
        ..Default::default()
    };
    let mut m = SessionModel::new(SessionId(1));
    let hub = CommunityMark::Community;
    let under = |p: &str| CommunityMark::Subgroup { parent: gid(p) };
    let groups = vec![
        summary("hub", hub),
        summary("team", CommunityMark::None),
        summary("garden", under("hub")),
        summary("quiet", CommunityMark::None),
    ];
    m.set_synced(synced(groups, &[]), 0, 0, false);
    let notice = |from: &str, tag: &'static str, side: &str, named: &str, link: bool| {
        let raw = NodeBuilder::new(tag)
            .attr(if link { "link_type" } else { "unlink_type" }, side)
            .children([NodeBuilder::new("group")
                .attr("jid", format!("{named}@g.us"))
                .build()])
            .build();
        let action = if link {
            A::Link {
                link_type: side.into(),
                raw,
            }
        } else {
            A::Unlink {
                unlink_type: side.into(),
                unlink_reason: None,
                raw,
            }
        };
        GroupUpdate::builder()
            .group_jid(jid(&format!("{from}@g.us")))
            .timestamp(chrono::DateTime::from_timestamp(1_800_000_000, 0).expect("time"))
            .is_lid_addressing_mode(true)
            .action(action)
            .build()
    };
    let mark = |m: &SessionModel, g: &str| m.groups[&gid(g)].community.clone();
    let said = |out: &[Update]| match out.last() {
        Some(Update::Event(e)) => e.kind.clone(),
        other => panic!("no feed line: {other:?}"),
    };
    // From Team itself: it is in Hub now.
    let out = m.apply(&notice("team", "link", "parent_group", "hub", true));
    assert_eq!(mark(&m, "team"), under("hub"));
    assert_eq!(
        said(&out),
        GroupEventKind::JoinedCommunity {
            community: "HUB".into()
        }
    );
    // From Garden, a sibling: Quiet joined their community.
    m.apply(&notice("garden", "link", "sibling_group", "quiet", true));
    assert_eq!(mark(&m, "quiet"), under("hub"));
    // Unlinked, told from the subgroup and from a sibling.
    m.apply(&notice("team", "unlink", "parent_group", "hub", false));
    assert_eq!(mark(&m, "team"), CommunityMark::None);
    m.apply(&notice("garden", "unlink", "sibling_group", "quiet", false));
    assert_eq!(mark(&m, "quiet"), CommunityMark::None);
    // From the community, as before.
    m.apply(&notice("hub", "link", "sub_group", "team", true));
    assert_eq!(mark(&m, "team"), under("hub"));
}

/// The name with a notification is learned once, by the actor's number and JID, before the
/// change it came with.
#[test]
fn names_come_with_notifications_once() {
    let mut m = model();
    let named = |name: &str| {
        GroupUpdate::builder()
            .group_jid(jid("120363000000000001@g.us"))
            .participant(jid("92222@lid"))
            .participant_pn(jid("15550002222@s.whatsapp.net"))
            .notify(name.to_string())
            .timestamp(chrono::DateTime::from_timestamp(1_800_000_000, 0).expect("time"))
            .is_lid_addressing_mode(true)
            .action(A::Subject {
                subject: "Renamed".into(),
                subject_owner: None,
                subject_time: None,
            })
            .build()
    };
    let out = m.apply(&named("Sam"));
    let Some(Update::Names { names, .. }) = out.first() else {
        panic!("{out:?}");
    };
    assert_eq!(
        names,
        &vec![("+15550002222".to_string(), "Sam".to_string())]
    );
    assert!(matches!(out.last(), Some(Update::Event(_))));
    let again = m.apply(&named("Sam"));
    assert!(!again.iter().any(|u| matches!(u, Update::Names { .. })));
}

/// A contact's new number (whatsapp-rust `ContactNumberChanged`) renumbers their rows in place.
#[test]
fn a_contacts_new_number_renumbers_their_rows() {
    let mut m = model();
    m.apply(&update(
        Some("91111"),
        A::Add {
            participants: vec![info("92222", "15550002222")],
            reason: None,
        },
    ));
    let out = m.number_changed(
        &jid("15550002222@s.whatsapp.net"),
        &jid("15550009999@s.whatsapp.net"),
        None,
    );
    assert!(
        matches!(&out[..], [Update::RosterChanged { upsert, removed, .. }]
        if removed.is_empty() && upsert[0].phone.as_deref() == Some("+15550009999"))
    );
    let g = GroupId("120363000000000001@g.us".into());
    assert_eq!(m.rosters[&g].len(), 2);
}
