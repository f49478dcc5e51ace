//! Communities end to end against the simulator through the real whatsapp-rust client: the tree
//! (subgroups we are in and those we are not), create a community and a subgroup, link (with
//! WhatsApp's refusals), unlink removing orphans, join a subgroup, the merged members,
//! requests that came through the community, deactivate, and the not-admin refusals.

use wamod::app::state::AppState;
use wamod::domain::{CommunityMark, GroupEventKind, RequestMethod, Role, SessionId};
use wamod::ops::{Answer, NewCommunity, NewGroup, Op, OpReport, Outcome};
use wamod::protocol::{Action, Update};
use wamod::sim::world::{CreateOptions, Settings};

use super::support::fixture::{DANA, NEWBIE, OTHER, QUINN, RILEY, SAM, TEAM, simulator_in};
use super::{engine, gid, pair, run, until, wait};
use wamod::sim::shapes::Shapes;

fn target<'a>(r: &'a OpReport, group: &str) -> &'a Outcome {
    &r.targets
        .iter()
        .find(|t| t.jid == gid(group).0)
        .unwrap_or_else(|| panic!("{group} in {r:?}"))
        .outcome
}

fn mark(state: &AppState, s: SessionId, group: &str) -> Option<CommunityMark> {
    state
        .groups
        .get(&s)?
        .iter()
        .find(|g| g.id == gid(group))
        .map(|g| g.community.clone())
}

fn created(r: &OpReport) -> String {
    match &r.answer {
        Some(Answer::Created(g)) => g.0.trim_end_matches("@g.us").to_string(),
        other => panic!("no group created: {other:?} in {r:?}"),
    }
}

fn new_group(w: &mut wamod::sim::world::World, actor: &str, o: CreateOptions) -> String {
    w.create_group(actor, o).expect("create").0
}

fn opts(subject: &str, participants: &[&str]) -> CreateOptions {
    CreateOptions {
        subject: subject.into(),
        participants: participants.iter().map(|p| p.to_string()).collect(),
        description: None,
        settings: Settings::default(),
        is_parent: false,
        parent: None,
    }
}

in_every_shape!(every_community_operation_and_its_refusals);
async fn every_community_operation_and_its_refusals(shapes: Shapes) {
    let sim = simulator_in(shapes);
    // Hub: Dana's community with Sam as admin; Garden (Sam's subgroup, Dana not in it); Quiet
    // (Dana's approval-mode subgroup). Elsewhere: Sam's community with Dana a plain member and
    // "Twice", a group Dana admins that is already linked there.
    let (hub, garden, quiet, elsewhere, twice) = sim
        .act(|w| {
            let hub = new_group(
                w,
                DANA,
                CreateOptions {
                    is_parent: true,
                    ..opts("Hub", &[SAM, RILEY])
                },
            );
            w.promote_participants(DANA, &hub, &[SAM.to_string()])?;
            let garden = new_group(
                w,
                SAM,
                CreateOptions {
                    parent: Some(hub.clone()),
                    ..opts("Garden", &[RILEY])
                },
            );
            let quiet = new_group(
                w,
                DANA,
                CreateOptions {
                    parent: Some(hub.clone()),
                    settings: Settings {
                        approval: true,
                        ..Settings::default()
                    },
                    ..opts("Quiet", &[SAM])
                },
            );
            let elsewhere = new_group(
                w,
                SAM,
                CreateOptions {
                    is_parent: true,
                    ..opts("Elsewhere", &[DANA])
                },
            );
            let twice = new_group(w, DANA, opts("Twice", &[SAM]));
            w.promote_participants(DANA, &twice, &[SAM.to_string()])?;
            w.link_subgroups(SAM, &elsewhere, std::slice::from_ref(&twice))?;
            Ok(((hub, garden, quiet, elsewhere, twice), Vec::new()))
        })
        .expect("world");

    let tmp = tempfile::tempdir().expect("tmp");
    let (mut h, mut state) = engine(&sim, tmp.path());
    let s = pair(&mut h, &mut state, &sim, DANA).await;

    // The tree: Hub with its announcement group, Quiet, and Garden listed though Dana is not in it.
    until(&mut h, &mut state, "Hub's subgroups", |st| {
        st.subgroups
            .get(&(s, gid(&hub)))
            .is_some_and(|subs| subs.iter().any(|g| g.id == gid(&garden)))
    })
    .await;
    let rows: Vec<(String, u8, bool)> = state
        .group_rows()
        .iter()
        .map(|r| (r.group.subject.clone(), r.depth, r.joined))
        .collect();
    let at = |name: &str| {
        rows.iter()
            .position(|r| r.0 == name)
            .unwrap_or_else(|| panic!("{name} in {rows:?}"))
    };
    assert_eq!(
        rows[at("Hub") + 1].1,
        1,
        "the announcement group hangs under Hub: {rows:?}"
    );
    assert_eq!(
        rows[at("Garden")],
        ("Garden".into(), 1, false),
        "listed, not joined"
    );
    assert_eq!(rows[at("Quiet")].1, 1);
    assert_eq!(
        rows[at("Team")].1,
        0,
        "groups outside communities stay flat"
    );

    // Link: Team joins Hub; Sam's Group refuses (not admin there); Twice is in another community.
    let r = run(
        &mut h,
        &mut state,
        s,
        Some(&hub),
        Op::Link(vec![gid(TEAM).0, gid(OTHER).0, gid(&twice).0]),
    )
    .await;
    assert_eq!(target(&r, TEAM), &Outcome::Done, "{r:?}");
    assert!(
        matches!(target(&r, OTHER), Outcome::Refused { code: 401, .. }),
        "{r:?}"
    );
    assert!(
        matches!(target(&r, &twice), Outcome::Refused { code: 406, .. }),
        "{r:?}"
    );
    assert_eq!(
        r.targets[0].phone.as_deref(),
        Some("Team"),
        "named by subject"
    );
    sim.world(|w| {
        assert_eq!(w.groups[TEAM].parent.as_deref(), Some(hub.as_str()));
        assert_eq!(w.groups[OTHER].parent, None);
        assert_eq!(w.groups[&twice].parent.as_deref(), Some(elsewhere.as_str()));
    });
    until(
        &mut h,
        &mut state,
        "Team under Hub, and the feed says so",
        |st| {
            mark(st, s, TEAM) == Some(CommunityMark::Subgroup { parent: gid(&hub) })
            && st.events.iter().any(|e| {
                e.group == gid(&hub)
                    && matches!(&e.kind, GroupEventKind::Linked { groups } if groups == &["Team"])
            })
        },
    )
    .await;

    // Unlink Team, removing members who are in no other group of Hub: Riley stays (in Garden),
    // Newbie (only in Team) goes from Hub.
    sim.act(|w| w.add_participants(DANA, TEAM, &[NEWBIE.to_string()]))
        .expect("newbie in team");
    let hub_has = |phone: &str| sim.world(|w| w.groups[&hub].member(phone).is_some());
    assert!(
        hub_has(NEWBIE),
        "added to a linked group: in the community too"
    );
    let r = run(
        &mut h,
        &mut state,
        s,
        Some(&hub),
        Op::Unlink {
            groups: vec![gid(TEAM).0],
            remove_orphans: true,
        },
    )
    .await;
    assert_eq!(target(&r, TEAM), &Outcome::Done, "{r:?}");
    assert_eq!(sim.world(|w| w.groups[TEAM].parent.clone()), None);
    assert!(!hub_has(NEWBIE), "orphan removed from the community");
    assert!(hub_has(RILEY), "still in Garden, so still in Hub");
    until(&mut h, &mut state, "Team flat again", |st| {
        mark(st, s, TEAM) == Some(CommunityMark::None)
    })
    .await;
    // The announcement group cannot be unlinked.
    let announcement = sim.world(|w| {
        w.subgroups(&hub)
            .iter()
            .find(|g| g.is_default_sub)
            .map(|g| g.id.clone())
    });
    let announcement = announcement.expect("announcement group");
    // Its members' numbers are hidden: listed by LID alone, and named as hidden numbers.
    h.actions
        .send(Action::LoadRoster {
            session: s,
            group: gid(&announcement),
        })
        .expect("engine");
    let roster = wait(
        &mut h,
        &mut state,
        "the announcement roster",
        |u, _| match u {
            Update::Roster {
                group,
                participants,
                ..
            } if *group == gid(&announcement) => Some(participants.clone()),
            _ => None,
        },
    )
    .await;
    let hidden: Vec<_> = roster.iter().filter(|p| p.phone.is_none()).collect();
    assert!(!hidden.is_empty(), "{roster:?}");
    for p in hidden {
        assert!(p.jid.ends_with("@lid") && p.lid.is_some(), "{p:?}");
        assert!(wamod::domain::person_label(&p.jid).starts_with("hidden number …"));
    }
    let r = run(
        &mut h,
        &mut state,
        s,
        Some(&hub),
        Op::Unlink {
            groups: vec![gid(&announcement).0],
            remove_orphans: false,
        },
    )
    .await;
    assert!(
        matches!(
            target(&r, &announcement),
            Outcome::Refused { code: 406, .. }
        ),
        "{r:?}"
    );

    // Join Garden through the community.
    let r = run(
        &mut h,
        &mut state,
        s,
        Some(&hub),
        Op::JoinSubgroup(gid(&garden).0),
    )
    .await;
    assert_eq!(r.outcome, Outcome::Done, "{r:?}");
    assert!(matches!(r.answer, Some(Answer::Joined(_))));
    assert!(sim.world(|w| w.groups[&garden].member(DANA).is_some()));
    until(&mut h, &mut state, "Garden joined", |st| {
        st.group_rows()
            .iter()
            .any(|r| r.group.id == gid(&garden) && r.joined)
    })
    .await;
    // Joining it again: WhatsApp says already a member.
    let r = run(
        &mut h,
        &mut state,
        s,
        Some(&hub),
        Op::JoinSubgroup(gid(&garden).0),
    )
    .await;
    assert_eq!(r.outcome, Outcome::AlreadyMember, "{r:?}");

    // A request that came through the community shows where it came from.
    sim.act(|w| w.join_linked_group(RILEY, &hub, &quiet))
        .expect("riley asks");
    until(&mut h, &mut state, "Riley's request via Hub", |st| {
        st.requests.get(&(s, gid(&quiet))).is_some_and(|rs| {
            rs.iter().any(|r| {
                r.phone.as_deref() == Some(&format!("+{RILEY}"))
                    && r.method == RequestMethod::Community
                    && r.via_community == Some(gid(&hub))
            })
        })
    })
    .await;

    // A new subgroup inside Hub.
    let r = run(
        &mut h,
        &mut state,
        s,
        Some(&hub),
        Op::CreateSubgroup(NewGroup {
            subject: "Makers".into(),
            participants: vec![format!("{QUINN}@s.whatsapp.net")],
            ..Default::default()
        }),
    )
    .await;
    let makers = created(&r);
    assert_eq!(
        r.targets.first().map(|t| &t.outcome),
        Some(&Outcome::Done),
        "{r:?}"
    );
    sim.world(|w| {
        assert_eq!(w.groups[&makers].parent.as_deref(), Some(hub.as_str()));
        assert!(
            w.groups[&hub].member(QUINN).is_some(),
            "subgroup members join the community"
        );
    });
    until(&mut h, &mut state, "Makers under Hub", |st| {
        mark(st, s, &makers) == Some(CommunityMark::Subgroup { parent: gid(&hub) })
    })
    .await;

    // The merged members of Hub, with their highest role.
    h.actions
        .send(Action::LoadRoster {
            session: s,
            group: gid(&hub),
        })
        .expect("engine");
    until(&mut h, &mut state, "Hub's merged members", |st| {
        st.community_members.contains_key(&(s, gid(&hub)))
    })
    .await;
    let members = &state.community_members[&(s, gid(&hub))];
    let role = |phone: &str| {
        members
            .iter()
            .find(|p| p.phone.as_deref() == Some(&format!("+{phone}")))
            .map(|p| p.role)
    };
    assert_eq!(role(DANA), Some(Role::SuperAdmin));
    assert_eq!(
        role(SAM),
        Some(Role::SuperAdmin),
        "Sam created Garden: superadmin there"
    );
    assert_eq!(role(QUINN), Some(Role::Member));

    // Removing someone from the community removes them from every group in it.
    assert!(sim.world(|w| w.groups[&garden].member(RILEY).is_some()));
    let r = run(
        &mut h,
        &mut state,
        s,
        Some(&hub),
        Op::RemoveFromCommunity(vec![format!("{RILEY}@s.whatsapp.net")]),
    )
    .await;
    assert_eq!(
        r.targets.first().map(|t| &t.outcome),
        Some(&Outcome::Done),
        "{r:?}"
    );
    sim.world(|w| {
        assert!(w.groups[&hub].member(RILEY).is_none());
        assert!(w.groups[&garden].member(RILEY).is_none(), "and from Garden");
    });

    // Not an admin of Elsewhere: WhatsApp refuses a subgroup and a deactivation.
    let r = run(
        &mut h,
        &mut state,
        s,
        Some(&elsewhere),
        Op::CreateSubgroup(NewGroup {
            subject: "Nope".into(),
            ..Default::default()
        }),
    )
    .await;
    assert_eq!(r.outcome, Outcome::NotAuthorized, "{r:?}");
    let r = run(&mut h, &mut state, s, Some(&elsewhere), Op::Deactivate).await;
    assert_eq!(r.outcome, Outcome::NotAuthorized, "{r:?}");
    assert!(sim.world(|w| w.groups.contains_key(&elsewhere)));

    // A new community, closed, with a description.
    let r = run(
        &mut h,
        &mut state,
        s,
        None,
        Op::CreateCommunity(NewCommunity {
            name: "Makers Guild".into(),
            description: Some("Tools and time".into()),
            approval: true,
        }),
    )
    .await;
    let guild = created(&r);
    sim.world(|w| {
        let g = &w.groups[&guild];
        assert!(g.is_parent && g.settings.approval);
        assert_eq!(
            g.description.as_ref().map(|d| d.body.as_str()),
            Some("Tools and time")
        );
        assert!(
            w.subgroups(&guild).iter().any(|x| x.is_default_sub),
            "with its announcement group"
        );
    });
    until(&mut h, &mut state, "the new community", |st| {
        mark(st, s, &guild) == Some(CommunityMark::Community)
    })
    .await;

    // Deactivate Hub: it and its announcement group go; Garden, Quiet and Makers stay, flat.
    let r = run(&mut h, &mut state, s, Some(&hub), Op::Deactivate).await;
    assert_eq!(r.outcome, Outcome::Done, "{r:?}");
    sim.world(|w| {
        assert!(!w.groups.contains_key(&hub) && !w.groups.contains_key(&announcement));
        for g in [&garden, &quiet, &makers] {
            assert_eq!(w.groups[g].parent, None);
        }
    });
    until(&mut h, &mut state, "Hub gone, its groups flat", |st| {
        mark(st, s, &hub).is_none()
            && mark(st, s, &announcement).is_none()
            && [&garden, &quiet, &makers]
                .iter()
                .all(|g| mark(st, s, g) == Some(CommunityMark::None))
    })
    .await;
    until(&mut h, &mut state, "the feed says so", |st| {
        st.events
            .iter()
            .any(|e| e.group == gid(&hub) && matches!(e.kind, GroupEventKind::GroupDeleted))
    })
    .await;
    assert!(
        !state.events.iter().any(|e| e.found_on_reconnect),
        "our own changes are not reported as missed: {:?}",
        state.events
    );
}
