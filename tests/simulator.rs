//! The unchanged whatsapp-rust client against the simulator: pairing, every group operation with
//! its result and the simulator's state, live notifications to a second admin, join requests,
//! WhatsApp's errors, and injected faults.

// Test code: a failed unwrap is how a test fails (the crate denies them elsewhere).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::Arc;
use std::time::Duration;

use support::fixture::{
    CLUB, CLUB_CODE, DANA, FULL, NEWBIE, OTHER, PRIV, QUINN, RILEY, SAM, TEAM, gjid, pn, simulator,
};
use support::{TestClient, linked, pair};
use wamod::sim::world::Role;
use wamod::sim::{FaultAction, SimEvent};
use whatsapp_rust::request::{InfoQuery, IqError};
use whatsapp_rust::types::events::{Event, GroupUpdate};
use whatsapp_rust::wacore::stanza::groups::GroupNotificationAction as A;
use whatsapp_rust::wacore_binary::builder::NodeBuilder;
use whatsapp_rust::wacore_binary::node::NodeContent;
use whatsapp_rust::{
    GroupCreateOptions, GroupDescription, GroupError, GroupParticipantOptions, GroupSubject,
    JoinGroupResult, MemberAddMode, MembershipApprovalMode, PreviousDescription,
};

/// The next group notification for `group` whose action `f` accepts.
async fn group_update(
    c: &TestClient,
    group: &str,
    what: &str,
    mut f: impl FnMut(&A) -> bool,
) -> GroupUpdate {
    c.wait_for(what, |e| match e {
        Event::GroupUpdate(u) if u.group_jid.user == group && f(&u.action) => Some(u.clone()),
        _ => None,
    })
    .await
}

fn server_code(e: &GroupError) -> Option<u16> {
    match e {
        GroupError::Iq(IqError::ServerError { code, .. }) => Some(*code),
        _ => None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pairs_by_qr_reaches_connected_and_reconnects_without_qr() {
    let sim = simulator();
    let mut events = sim.events();
    let mut c = pair(&sim, DANA).await;
    assert_eq!(sim.online(), vec![(DANA.to_string(), 1)]);
    let pn = c.client.pn().expect("own phone-number JID after pairing");
    assert_eq!(pn.user, DANA);
    let mut paired = false;
    while let Ok(e) = events.try_recv() {
        paired |= matches!(e, SimEvent::Paired { ref phone, device: 1 } if phone == DANA);
    }
    assert!(paired, "the simulator saw pair-device-sign");

    // Same key store, new client: logs in as the same device, no QR.
    c.stop().await;
    let again = support::start(&sim, c.backend.clone()).await;
    again
        .wait_for("Connected without a QR", |e| match e {
            Event::Connected(_) => Some(()),
            Event::PairingQrCode(_) => panic!("asked for a QR code again"),
            _ => None,
        })
        .await;
    assert_eq!(sim.online(), vec![(DANA.to_string(), 1)]);

    // Logging out unlinks the device; its keys no longer get in (401 -> LoggedOut).
    again.client.logout().await;
    assert!(sim.devices().is_empty(), "{:?}", sim.devices());
    let refused = support::start(&sim, c.backend.clone()).await;
    refused
        .wait_for("LoggedOut for an unlinked device", |e| {
            matches!(e, Event::LoggedOut(_)).then_some(())
        })
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn websocket_listener_pairs_through_the_admin_scan_route() {
    let sim = simulator();
    let listener = sim
        .listen("127.0.0.1:0".parse().expect("addr"))
        .await
        .expect("listen");
    let mut c = support::start_ws(
        &listener.ws_url(),
        Arc::new(whatsapp_rust::wacore::store::InMemoryBackend::new()),
    )
    .await;
    // Phones read the QR code behind WhatsApp's deep link too (wacore companion_reg.rs).
    let code = format!(
        "https://wa.me/settings/linked_devices#{}",
        c.qr_code().await
    );
    let (status, body) = support::http(
        "POST",
        &listener,
        &format!("/admin/mock-phone/scan-qr?phone={SAM}"),
        &code,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    c.connected().await;
    assert_eq!(c.client.pn().expect("pn").user, SAM);

    // The admin routes drive the world too.
    let (status, body) = support::http(
        "POST",
        &listener,
        &format!("/admin/activity?kind=request_join&group={CLUB}&phone={NEWBIE}"),
        "",
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let u = group_update(&c, CLUB, "request via admin route", |a| {
        matches!(a, A::CreatedMembershipRequests { .. })
    })
    .await;
    assert!(
        matches!(u.action, A::CreatedMembershipRequests { ref requests, .. } if requests.len() == 1)
    );
    let (status, _) = support::http("POST", &listener, "/admin/nope", "").await;
    assert_eq!(status, 404);

    // Without the run's token (a web page's simple POST), or with a wrong one, nothing happens;
    // the token also goes in the query.
    let base = listener.http_base();
    let drop_all = "/admin/drop";
    let (status, body) = support::http_as("POST", &base, "", drop_all, "").await;
    assert_eq!(status, 401, "{body}");
    assert!(body.contains("admin-token"), "{body}");
    let wrong = "authorization: Bearer 0123\r\n";
    assert_eq!(
        support::http_as("POST", &base, wrong, drop_all, "").await.0,
        401
    );
    let path = format!("/admin/state?token={}", listener.admin_token());
    let (status, body) = support::http_as("GET", &base, "", &path, "").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(listener.admin_token().len(), 32);

    // Connections end as WhatsApp ends them: a kick as replaced, then a refused login (405).
    let admin = |path: String| {
        let listener = &listener;
        async move { support::http("POST", listener, &path, "").await }
    };
    for bad in [
        format!("/admin/kick?phone={SAM}&reason=bored"),
        format!("/admin/login-failure?phone={SAM}"),
        "/admin/kick?reason=replaced".to_string(),
    ] {
        assert_eq!(admin(bad.clone()).await.0, 400, "{bad}");
    }
    let (status, body) = admin(format!("/admin/login-failure?phone={SAM}&reason=405")).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = admin(format!("/admin/kick?phone={SAM}&reason=replaced")).await;
    assert_eq!(
        (status, body.as_str()),
        (200, "kicked 1 connection(s) of 15550002222 (replaced)\n")
    );
    c.wait_for("StreamReplaced", |e| {
        matches!(e, Event::StreamReplaced(_)).then_some(())
    })
    .await;
    let backend = c.backend.clone();
    c.stop().await;
    let again = support::start_ws(&listener.ws_url(), backend).await;
    again
        .wait_for("ClientOutdated", |e| {
            matches!(e, Event::ClientOutdated(_)).then_some(())
        })
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn group_operations_apply_and_reach_the_other_admin() {
    let sim = simulator();
    let dana = linked(&sim, DANA).await;
    let sam = linked(&sim, SAM).await;
    let g = dana.client.groups();
    let team = gjid(TEAM);

    let all = g.get_participating().await.expect("participating");
    assert_eq!(all.len(), 4);
    let meta = &all[&team];
    assert_eq!(meta.subject, "Team");
    assert_eq!(meta.participants.len(), 3);
    assert_eq!(
        g.get_metadata(&gjid(FULL))
            .await
            .expect("metadata")
            .participants
            .len(),
        1024
    );

    // add
    let r = g
        .add_participants(team.clone(), &[pn(NEWBIE)])
        .await
        .expect("add");
    assert_eq!(r.len(), 1);
    assert!(r[0].error.is_none(), "{:?}", r[0]);
    // A LID group names the person asked by number with their LID (and number, by default).
    assert_eq!(r[0].jid.server, whatsapp_rust::Server::Lid);
    assert_eq!(
        r[0].phone_number.as_ref().map(|j| j.user.as_str()),
        Some(NEWBIE)
    );
    assert!(sim.world(|w| w.group(TEAM).and_then(|x| x.member(NEWBIE)).is_some()));
    let u = group_update(&sam, TEAM, "add", |a| matches!(a, A::Add { .. })).await;
    assert_eq!(
        u.participant_pn.as_ref().map(|j| j.user.as_str()),
        Some(DANA)
    );

    // promote / demote
    let r = g
        .promote_participants(team.clone(), &[pn(NEWBIE)])
        .await
        .expect("promote");
    assert!(r[0].error.is_none());
    assert_eq!(
        sim.world(|w| w.group(TEAM).and_then(|x| x.role_of(NEWBIE))),
        Some(Role::Admin)
    );
    group_update(&sam, TEAM, "promote", |a| matches!(a, A::Promote { .. })).await;
    // ... or by LID alone (scenario `lid_answers = "lid_only"`).
    sim.world_mut(|w| w.shapes.lid_answers = wamod::sim::shapes::LidAnswers::LidOnly);
    let r = g
        .demote_participants(team.clone(), &[pn(NEWBIE)])
        .await
        .expect("demote");
    assert_eq!(
        (r[0].jid.server, r[0].phone_number.is_none()),
        (whatsapp_rust::Server::Lid, true)
    );
    g.promote_participants(team.clone(), &[pn(NEWBIE)])
        .await
        .expect("promote again");
    sim.world_mut(|w| w.shapes.lid_answers = wamod::sim::shapes::LidAnswers::default());
    let r = g
        .demote_participants(team.clone(), &[pn(NEWBIE)])
        .await
        .expect("demote");
    assert!(r[0].error.is_none());
    assert_eq!(
        sim.world(|w| w.group(TEAM).and_then(|x| x.role_of(NEWBIE))),
        Some(Role::Member)
    );
    group_update(&sam, TEAM, "demote", |a| matches!(a, A::Demote { .. })).await;

    // remove
    let r = g
        .remove_participants(team.clone(), &[pn(NEWBIE)])
        .await
        .expect("remove");
    assert!(r[0].error.is_none());
    assert!(sim.world(|w| w.group(TEAM).and_then(|x| x.member(NEWBIE)).is_none()));
    group_update(&sam, TEAM, "remove", |a| matches!(a, A::Remove { .. })).await;

    // subject
    g.set_subject(
        team.clone(),
        GroupSubject::new("Team (renamed)").expect("subject"),
    )
    .await
    .expect("set subject");
    assert_eq!(
        sim.world(|w| w.group(TEAM).map(|x| x.subject.clone())),
        Some("Team (renamed)".to_string())
    );
    let u = group_update(&sam, TEAM, "subject", |a| matches!(a, A::Subject { .. })).await;
    assert!(matches!(u.action, A::Subject { ref subject, .. } if subject == "Team (renamed)"));

    // description, resolving the previous id from the server
    g.set_description(
        team.clone(),
        Some(GroupDescription::new("Rules: be kind.").expect("desc")),
        PreviousDescription::Resolve,
    )
    .await
    .expect("set description");
    assert_eq!(
        sim.world(|w| w
            .group(TEAM)
            .and_then(|x| x.description.as_ref().map(|d| d.body.clone()))),
        Some("Rules: be kind.".to_string())
    );
    group_update(
        &sam,
        TEAM,
        "description",
        |a| matches!(a, A::Description { description: Some(d), .. } if d == "Rules: be kind."),
    )
    .await;

    // settings
    g.set_locked(team.clone(), true).await.expect("locked");
    group_update(&sam, TEAM, "locked", |a| matches!(a, A::Locked { .. })).await;
    g.set_announce(team.clone(), true).await.expect("announce");
    group_update(&sam, TEAM, "announce", |a| matches!(a, A::Announce)).await;
    g.set_ephemeral(team.clone(), 604_800)
        .await
        .expect("ephemeral");
    group_update(&sam, TEAM, "ephemeral", |a| {
        matches!(
            a,
            A::Ephemeral {
                expiration: 604_800,
                ..
            }
        )
    })
    .await;
    g.set_membership_approval(team.clone(), MembershipApprovalMode::On)
        .await
        .expect("approval");
    group_update(&sam, TEAM, "approval", |a| {
        matches!(a, A::MembershipApprovalMode { enabled: true })
    })
    .await;
    g.set_member_add_mode(team.clone(), MemberAddMode::AdminAdd)
        .await
        .expect("add mode");
    group_update(
        &sam,
        TEAM,
        "member add mode",
        |a| matches!(a, A::MemberAddMode { mode } if mode == "admin_add"),
    )
    .await;
    let s = sim
        .world(|w| w.group(TEAM).map(|x| x.settings))
        .expect("team");
    assert!(s.locked && s.announce && s.approval && s.admin_add_only);
    assert_eq!(s.ephemeral, 604_800);

    // invite link: read, then reset (the old code stops working)
    let link = g
        .get_invite_link(team.clone(), false)
        .await
        .expect("invite");
    let old_code = sim
        .world(|w| w.group(TEAM).map(|x| x.invite_code.clone()))
        .expect("code");
    assert_eq!(link, format!("https://chat.whatsapp.com/{old_code}"));
    let new_link = g.get_invite_link(team.clone(), true).await.expect("reset");
    assert_ne!(new_link, link);
    let err = sam
        .client
        .groups()
        .join_with_invite_code(&old_code)
        .await
        .expect_err("revoked code");
    assert_eq!(server_code(&err), Some(410), "{err:?}");

    // create a group with participants; Sam is told
    let created = g
        .create_group(
            GroupCreateOptions::new("Fresh Group")
                .with_participants(vec![GroupParticipantOptions::new(pn(SAM))]),
        )
        .await
        .expect("create");
    let new_id = created.metadata.id.user.to_string();
    assert_eq!(
        sim.world(|w| w
            .group(&new_id)
            .map(|x| (x.subject.clone(), x.participants.len()))),
        Some(("Fresh Group".to_string(), 2))
    );
    assert_eq!(
        sim.world(|w| w.group(&new_id).and_then(|x| x.role_of(DANA))),
        Some(Role::SuperAdmin)
    );
    group_update(&sam, &new_id, "create", |a| matches!(a, A::Create { .. })).await;

    // leave (Dana is a plain member of Sam's group)
    g.leave(gjid(OTHER)).await.expect("leave");
    assert!(sim.world(|w| w.group(OTHER).and_then(|x| x.member(DANA)).is_none()));
    let u = group_update(&sam, OTHER, "leave", |a| matches!(a, A::Remove { .. })).await;
    assert_eq!(
        u.participant_pn.as_ref().map(|j| j.user.as_str()),
        Some(DANA)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn join_requests_flow_end_to_end() {
    let sim = simulator();
    let dana = linked(&sim, DANA).await;
    let riley = linked(&sim, RILEY).await;
    let club = gjid(CLUB);

    // Riley uses the link of an approval-mode group: a request, not a membership.
    let joined = riley
        .client
        .groups()
        .join_with_invite_code(&format!("https://chat.whatsapp.com/{CLUB_CODE}"))
        .await
        .expect("join by link");
    assert!(matches!(joined, JoinGroupResult::PendingApproval(ref j) if j.user == CLUB));
    assert!(sim.world(|w| w.group(CLUB).and_then(|x| x.member(RILEY)).is_none()));

    // Dana sees it live, then in the list (with Quinn's older request).
    let u = group_update(&dana, CLUB, "request created", |a| {
        matches!(a, A::CreatedMembershipRequests { .. })
    })
    .await;
    let A::CreatedMembershipRequests { requests, .. } = &u.action else {
        unreachable!()
    };
    assert_eq!(requests.len(), 1);
    let list = dana
        .client
        .groups()
        .get_membership_requests(club.clone())
        .await
        .expect("requests");
    assert_eq!(list.len(), 2, "{list:?}");

    // Approve Riley: a member now, seen live by Dana and by Riley.
    let r = dana
        .client
        .groups()
        .approve_membership_requests(club.clone(), &[requests[0].jid.clone()])
        .await
        .expect("approve");
    assert!(r.iter().all(|p| p.error.is_none()), "{r:?}");
    assert!(sim.world(|w| w.group(CLUB).and_then(|x| x.member(RILEY)).is_some()));
    group_update(&dana, CLUB, "approved member added", |a| {
        matches!(a, A::Add { .. })
    })
    .await;
    group_update(&riley, CLUB, "Riley told he is in", |a| {
        matches!(a, A::Add { .. })
    })
    .await;

    // Quinn cancels; a new requester is rejected: both reach Dana as revoked requests.
    sim.apply(&wamod::sim::scenario::Activity::CancelRequest {
        phone: QUINN.to_string(),
        group: CLUB.to_string(),
    })
    .expect("cancel");
    group_update(&dana, CLUB, "cancelled", |a| {
        matches!(a, A::RevokedMembershipRequests { .. })
    })
    .await;
    sim.apply(&wamod::sim::scenario::Activity::RequestJoin {
        phone: NEWBIE.to_string(),
        group: CLUB.to_string(),
    })
    .expect("request");
    let u = group_update(&dana, CLUB, "second request", |a| {
        matches!(a, A::CreatedMembershipRequests { .. })
    })
    .await;
    let A::CreatedMembershipRequests { requests, .. } = &u.action else {
        unreachable!()
    };
    let r = dana
        .client
        .groups()
        .reject_membership_requests(club.clone(), &[requests[0].jid.clone()])
        .await
        .expect("reject");
    assert!(r.iter().all(|p| p.error.is_none()), "{r:?}");
    group_update(&dana, CLUB, "rejected", |a| {
        matches!(a, A::RevokedMembershipRequests { .. })
    })
    .await;
    assert!(sim.world(|w| w.group(CLUB).map(|x| x.pending.len())) == Some(0));
    assert!(sim.world(|w| w.group(CLUB).and_then(|x| x.member(NEWBIE)).is_none()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn whatsapp_errors_come_back_as_whatsapp_says_them() {
    let sim = simulator();
    let dana = linked(&sim, DANA).await;
    let g = dana.client.groups();

    // Privacy: 403 with an invite code to send instead.
    let r = g
        .add_participants(gjid(TEAM), &[pn(PRIV)])
        .await
        .expect("add answered");
    assert_eq!(r[0].error.as_deref(), Some("403"), "{r:?}");
    let invite = r[0].add_request.as_ref().expect("add_request code");
    assert!(!invite.code.is_empty());
    assert!(sim.world(|w| w.group(TEAM).and_then(|x| x.member(PRIV)).is_none()));

    // Already a member: 409.
    let r = g
        .add_participants(gjid(TEAM), &[pn(RILEY)])
        .await
        .expect("add answered");
    assert_eq!(r[0].error.as_deref(), Some("409"));

    // Group full at 1,024.
    let r = g
        .add_participants(gjid(FULL), &[pn(NEWBIE)])
        .await
        .expect("add answered");
    assert_eq!(r[0].error.as_deref(), Some("419"), "{r:?}");
    assert_eq!(
        sim.world(|w| w.group(FULL).map(|x| x.participants.len())),
        Some(1024)
    );

    // Not an admin in Sam's group: refused, nothing changes.
    let err = g
        .remove_participants(gjid(OTHER), &[pn(SAM)])
        .await
        .expect_err("not admin");
    assert_eq!(server_code(&err), Some(401), "{err:?}");
    assert!(sim.world(|w| w.group(OTHER).and_then(|x| x.member(SAM)).is_some()));
    let err = g
        .set_announce(gjid(OTHER), true)
        .await
        .expect_err("not admin");
    assert_eq!(server_code(&err), Some(401), "{err:?}");

    // Stale description: someone else changed it since we read it.
    g.set_description(
        gjid(TEAM),
        Some(GroupDescription::new("v1").expect("desc")),
        PreviousDescription::Resolve,
    )
    .await
    .expect("v1");
    let v1_id = sim
        .world(|w| {
            w.group(TEAM)
                .and_then(|x| x.description.as_ref().map(|d| d.id.clone()))
        })
        .expect("v1 id");
    sim.apply(&wamod::sim::scenario::Activity::Description {
        actor: SAM.to_string(),
        group: TEAM.to_string(),
        body: "v2 by Sam".to_string(),
    })
    .expect("sam edits");
    let err = g
        .set_description(
            gjid(TEAM),
            Some(GroupDescription::new("v3").expect("desc")),
            PreviousDescription::Id(&v1_id),
        )
        .await
        .expect_err("conflict");
    assert!(matches!(err, GroupError::DescriptionConflict), "{err:?}");
    assert_eq!(
        sim.world(|w| w
            .group(TEAM)
            .and_then(|x| x.description.as_ref().map(|d| d.body.clone()))),
        Some("v2 by Sam".to_string())
    );

    // Unknown invite code.
    let err = g
        .join_with_invite_code("NoSuchCode000000000000")
        .await
        .expect_err("unknown code");
    assert_eq!(server_code(&err), Some(404), "{err:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_surface_as_errors_not_hangs() {
    let sim = simulator();
    let dana = linked(&sim, DANA).await;
    let g = dana.client.groups();
    let bounded = Duration::from_secs(20);

    // 429 for the next add: an error, nothing applied; the one after goes through.
    sim.inject_fault("add", FaultAction::rate_overlimit(), 1);
    let err = tokio::time::timeout(bounded, g.add_participants(gjid(TEAM), &[pn(NEWBIE)]))
        .await
        .expect("answered")
        .expect_err("429");
    assert_eq!(server_code(&err), Some(429), "{err:?}");
    assert!(sim.world(|w| w.group(TEAM).and_then(|x| x.member(NEWBIE)).is_none()));
    let r = g
        .add_participants(gjid(TEAM), &[pn(NEWBIE)])
        .await
        .expect("second add");
    assert!(r[0].error.is_none());

    // 500 for any request.
    sim.inject_fault("*", FaultAction::error(500, "internal-server-error"), 1);
    let err = g.get_metadata(&gjid(TEAM)).await.expect_err("500");
    assert_eq!(server_code(&err), Some(500));

    // The connection drops while a promote is in flight: an error, not a hang, not applied.
    sim.inject_fault("promote", FaultAction::DropBefore, 1);
    let res = tokio::time::timeout(bounded, g.promote_participants(gjid(TEAM), &[pn(NEWBIE)]))
        .await
        .expect("the dropped request ends within the bound");
    assert!(res.is_err(), "{res:?}");
    assert_eq!(
        sim.world(|w| w.group(TEAM).and_then(|x| x.role_of(NEWBIE))),
        Some(Role::Member)
    );
    // The client reconnects by itself and works again.
    dana.connected().await;
    let r = g
        .promote_participants(gjid(TEAM), &[pn(NEWBIE)])
        .await
        .expect("promote after reconnect");
    assert!(r[0].error.is_none());

    // A request that is never answered times out on the client's clock.
    sim.inject_fault("query", FaultAction::Swallow, 1);
    let query = InfoQuery::get(
        "w:g2",
        gjid(TEAM),
        Some(NodeContent::Nodes(vec![
            NodeBuilder::new("query")
                .attr("request", "interactive")
                .build(),
        ])),
    )
    .with_timeout(Duration::from_millis(500));
    let err = dana.client.send_iq(query).await.expect_err("no answer");
    assert!(matches!(err, IqError::Timeout), "{err:?}");

    // Added latency delays, but still answers.
    sim.set_latency(Duration::from_millis(300));
    let started = std::time::Instant::now();
    g.get_metadata(&gjid(TEAM)).await.expect("slow answer");
    assert!(started.elapsed() >= Duration::from_millis(300));
    sim.clear_faults();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn communities_and_pictures() {
    use whatsapp_rust::features::CreateCommunityOptions;
    let sim = simulator();
    let dana = linked(&sim, DANA).await;
    let sam = linked(&sim, SAM).await;
    let c = dana.client.community();

    // A community comes with its announcement group.
    let created = c
        .create(CreateCommunityOptions::new("Riverside"))
        .await
        .expect("create community");
    let parent = created.metadata.id.clone();
    assert!(created.metadata.is_parent_group);
    let subs = sim.world(|w| {
        w.subgroups(&parent.user)
            .iter()
            .map(|g| g.is_default_sub)
            .collect::<Vec<_>>()
    });
    assert_eq!(subs, vec![true], "announcement group");

    // Link a group where Dana is admin; one where she is not is refused (401), one already
    // linked (406), an unknown one (404).
    let linked_res = c
        .link_subgroups(
            parent.clone(),
            &[gjid(TEAM), gjid(OTHER), gjid("120363999999999999")],
        )
        .await
        .expect("link");
    assert_eq!(linked_res.linked_jids, vec![gjid(TEAM)]);
    let mut failed: Vec<(String, u32)> = linked_res
        .failed_groups
        .iter()
        .map(|(j, code)| (j.user.to_string(), *code))
        .collect();
    failed.sort();
    assert_eq!(
        failed,
        vec![
            (OTHER.to_string(), 401),
            ("120363999999999999".to_string(), 404)
        ]
    );
    assert_eq!(
        sim.world(|w| w.group(TEAM).and_then(|g| g.parent.clone())),
        Some(parent.user.to_string())
    );
    group_update(&sam, &parent.user, "link", |a| matches!(a, A::Link { .. })).await;

    // A subgroup created in the community; merged participants with their roles.
    let sub = c
        .create_subgroup("Garden", &[pn(SAM)], parent.clone())
        .await
        .expect("create subgroup");
    assert_eq!(
        sub.metadata
            .parent_group_jid
            .as_ref()
            .map(|j| j.user.to_string()),
        Some(parent.user.to_string())
    );
    let merged = c
        .get_linked_groups_participants(parent.clone())
        .await
        .expect("linked participants");
    assert!(merged.len() >= 3, "{merged:?}");
    let meta = c
        .query_linked_group(parent.clone(), gjid(TEAM))
        .await
        .expect("query linked");
    assert_eq!(meta.subject, "Team");

    // Unlink, then deactivate: the subgroup stays as a plain group.
    let un = c
        .unlink_subgroups(parent.clone(), &[gjid(TEAM)], false)
        .await
        .expect("unlink");
    assert_eq!(un.unlinked_jids, vec![gjid(TEAM)]);
    assert_eq!(
        sim.world(|w| w.group(TEAM).and_then(|g| g.parent.clone())),
        None
    );
    c.deactivate(parent.clone()).await.expect("deactivate");
    assert!(sim.world(|w| w.group(&parent.user).is_none()));
    let garden = sub.metadata.id.user.to_string();
    assert_eq!(
        sim.world(|w| w.group(&garden).map(|g| g.parent.is_none())),
        Some(true)
    );

    // Group picture: set, seen by Sam, removed.
    let g = dana.client.groups();
    let set = g
        .set_profile_picture(gjid(TEAM), vec![0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3])
        .await
        .expect("set picture");
    assert_eq!(
        sim.world(|w| w.group(TEAM).and_then(|x| x.picture_id.clone())),
        Some(set.id.clone())
    );
    sam.wait_for("picture update", |e| match e {
        Event::PictureUpdate(p) if p.jid.user == TEAM && !p.removed => Some(()),
        _ => None,
    })
    .await;
    g.remove_profile_picture(gjid(TEAM))
        .await
        .expect("remove picture");
    assert_eq!(
        sim.world(|w| w.group(TEAM).and_then(|x| x.picture_id.clone())),
        None
    );
}

/// WhatsApp limits group reads per account: a metadata loop (the classic way to draw
/// `rate-overlimit`) is answered 429 with a backoff once it passes the budget of 100 reads per
/// minute, counted over the account's devices; writes are not reads.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_loop_is_rate_limited_past_the_budget() {
    let sim = simulator();
    let dana = linked(&sim, DANA).await;
    let g = dana.client.groups();
    let groups = [TEAM, CLUB, FULL, OTHER];
    let mut answered = 0;
    let refused = loop {
        let group = groups[answered % groups.len()];
        match g.get_metadata(&gjid(group)).await {
            Ok(_) => answered += 1,
            Err(e) => break e,
        }
        assert!(answered <= 100, "past the budget without a 429");
    };
    assert_eq!(answered, 100, "every read within the budget is answered");
    match refused {
        GroupError::Iq(IqError::ServerError {
            code: 429,
            backoff: Some(secs),
            ..
        }) => assert!((1..=60).contains(&secs), "{secs}"),
        other => panic!("expected 429 with a backoff, got {other:?}"),
    }
    // A write still goes through.
    let r = g
        .promote_participants(gjid(TEAM), &[pn(RILEY)])
        .await
        .expect("writes are not reads");
    assert!(r[0].error.is_none());
}

/// A peer that is not this machine's loopback gets nothing, even with the token: the listener
/// bound to every address still only serves loopback callers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_listener_serves_loopback_peers_only() {
    let sim = support::fixture::simulator();
    let listener = wamod::sim::listener::listen(sim, ([0, 0, 0, 0], 0).into())
        .await
        .expect("listen");
    // This machine's own non-loopback address, if it has one (no packet is sent).
    let probe = std::net::UdpSocket::bind("0.0.0.0:0").expect("udp");
    let own = probe
        .connect("10.255.255.255:9")
        .ok()
        .and_then(|()| probe.local_addr().ok())
        .map(|a| a.ip())
        .filter(|ip| !ip.is_loopback() && !ip.is_unspecified());
    let port = listener.addr().port();
    let local = format!("http://127.0.0.1:{port}");
    let auth = format!("authorization: Bearer {}\r\n", listener.admin_token());
    assert_eq!(
        support::http_as("GET", &local, &auth, "/admin/state", "")
            .await
            .0,
        200
    );
    let Some(ip) = own else {
        eprintln!("no non-loopback address here; only the loopback half ran");
        return;
    };
    // The connection is closed unread: the peer sees an empty answer or a reset, never a reply.
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut tcp = tokio::net::TcpStream::connect((ip, port))
        .await
        .expect("connect");
    let request = format!("GET /admin/state HTTP/1.1\r\nhost: {ip}\r\n{auth}\r\n");
    let _ = tcp.write_all(request.as_bytes()).await;
    let mut answer = Vec::new();
    let read = tcp.read_to_end(&mut answer).await;
    assert!(
        answer.is_empty(),
        "served a non-loopback peer: {:?} {read:?}",
        String::from_utf8_lossy(&answer)
    );
}
