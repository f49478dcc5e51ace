//! Community operations through whatsapp-rust's `Community` API: create, subgroups, link,
//! unlink, join a subgroup, deactivate, and the reads behind the tree (subgroups, merged
//! participants). Outcomes follow the moderation rules: only what WhatsApp confirmed is done.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use whatsapp_rust::features::{CommunityError, CreateCommunityOptions, GroupSubject, MexError};
use whatsapp_rust::{Client, Jid};

use super::{Answered, error_outcome, iq_outcome, parse_jid, within_as};
use crate::domain::{CommunityMark, GroupId, GroupSummary, Participant};
use crate::engine::convert;
use crate::engine::read_pace::ReadError;
use crate::ops::{Answer, NewCommunity, Op, Outcome, TargetOutcome};

/// What a failed community request means.
pub fn community_outcome(e: &CommunityError) -> Outcome {
    match e {
        CommunityError::Iq(iq) => iq_outcome(iq),
        CommunityError::Mex(MexError::Request(iq)) => iq_outcome(iq),
        CommunityError::Group(g) => error_outcome(g),
        other => Outcome::Unknown {
            why: other.to_string(),
        },
    }
}

async fn within<T>(
    timeout: Duration,
    fut: impl Future<Output = Result<T, CommunityError>>,
) -> Result<T, Outcome> {
    within_as(timeout, fut, community_outcome).await
}

/// A link or unlink refusal for one group.
fn group_code_outcome(code: u32) -> Outcome {
    match code {
        401 | 403 => Outcome::Refused {
            code: code as u16,
            text: "you are not an admin of that group".into(),
        },
        404 => Outcome::NotFound,
        406 => Outcome::Refused {
            code: 406,
            text: "it is already in a community (or is the announcement group)".into(),
        },
        other => Outcome::Refused {
            code: u16::try_from(other).unwrap_or(0),
            text: String::new(),
        },
    }
}

/// One group's link or unlink outcome: done only when the answer lists it as done, refused
/// with its code, and unknown when the answer does not mention it.
fn link_outcome(group: &Jid, done: &[Jid], failed: &[(Jid, u32)]) -> Outcome {
    if let Some((_, code)) = failed.iter().find(|(f, _)| f.user == group.user) {
        return group_code_outcome(*code);
    }
    if done.iter().any(|d| d.user == group.user) {
        return Outcome::Done;
    }
    Outcome::Unknown {
        why: "WhatsApp's answer did not mention it".into(),
    }
}

/// Runs a community operation; `community` is the operation's group (none for create).
pub async fn run(
    client: &Arc<Client>,
    op: &Op,
    community: Option<&Jid>,
    names: &HashMap<String, String>,
    timeout: Duration,
) -> Answered {
    let c = client.community();
    let need = || {
        community.cloned().ok_or(Outcome::NotSent {
            why: "no community selected".into(),
        })
    };
    let community = match (op, need()) {
        (Op::CreateCommunity(new), _) => return create(client, new, timeout).await,
        (_, Ok(j)) => j,
        (_, Err(o)) => return Answered::whole(o),
    };
    match op {
        Op::CreateSubgroup(new) => {
            super::create(client, new, names, timeout, Some(&community)).await
        }
        Op::Link(groups) | Op::Unlink { groups, .. } => {
            let jids: Vec<Jid> = groups.iter().filter_map(|g| parse_jid(g)).collect();
            let answer = match op {
                Op::Unlink { remove_orphans, .. } => within(
                    timeout,
                    c.unlink_subgroups(community.clone(), &jids, *remove_orphans),
                )
                .await
                .map(|r| (r.unlinked_jids, r.failed_groups)),
                _ => within(timeout, c.link_subgroups(community.clone(), &jids))
                    .await
                    .map(|r| (r.linked_jids, r.failed_groups)),
            };
            let targets = groups
                .iter()
                .map(|g| {
                    let outcome = match (&answer, parse_jid(g)) {
                        (_, None) => Outcome::NotSent {
                            why: "not a group id".into(),
                        },
                        (Err(o), _) => o.clone(),
                        (Ok((done, failed)), Some(j)) => link_outcome(&j, done, failed),
                    };
                    TargetOutcome {
                        jid: g.clone(),
                        phone: names.get(g).cloned(),
                        outcome,
                    }
                })
                .collect();
            let outcome = match &answer {
                Err(Outcome::RateLimited { retry_secs }) => Outcome::RateLimited {
                    retry_secs: *retry_secs,
                },
                _ => Outcome::Done,
            };
            let pause = Answered::whole(outcome.clone()).pause;
            Answered {
                outcome,
                targets,
                answer: None,
                pause,
            }
        }
        Op::JoinSubgroup(sub) => {
            let Some(sub_jid) = parse_jid(sub) else {
                return Answered::whole(Outcome::NotSent {
                    why: "not a group id".into(),
                });
            };
            match within(timeout, c.join_subgroup(community, sub_jid)).await {
                Ok(meta) => Answered {
                    answer: Some(Answer::Joined(convert::group_id(&meta.id))),
                    ..Answered::whole(Outcome::Done)
                },
                Err(Outcome::Refused { code: 304, .. }) => Answered::whole(Outcome::AlreadyMember),
                Err(o) => Answered::whole(o),
            }
        }
        Op::Deactivate => Answered::whole(
            within(timeout, c.deactivate(community))
                .await
                .err()
                .unwrap_or(Outcome::Done),
        ),
        _ => Answered::whole(Outcome::NotSent {
            why: "not a community operation".into(),
        }),
    }
}

async fn create(client: &Arc<Client>, new: &NewCommunity, timeout: Duration) -> Answered {
    if GroupSubject::new(new.name.clone()).is_err() {
        return Answered::whole(Outcome::NotSent {
            why: "a community name has 1 to 100 characters".into(),
        });
    }
    let mut options = CreateCommunityOptions::new(new.name.clone());
    options.description = new.description.clone().filter(|d| !d.is_empty());
    options.closed = new.approval;
    // The simulator, like wamod's tree, knows the announcement group, not a general chat.
    options.create_general_chat = false;
    match within(timeout, client.community().create(options)).await {
        Ok(r) => Answered {
            answer: Some(Answer::Created(convert::group_id(&r.metadata.id))),
            ..Answered::whole(Outcome::Done)
        },
        Err(o) => Answered::whole(o),
    }
}

/// The subgroups of a community as group rows (the ones we are not in are shown, to join).
pub async fn subgroups(
    client: &Arc<Client>,
    community: &GroupId,
) -> Result<Vec<GroupSummary>, ReadError> {
    let jid: Jid = community
        .as_str()
        .parse()
        .map_err(|_| ReadError::Failed(format!("not a group id: {community}")))?;
    let subs = client.community().get_subgroups(&jid).await.map_err(|e| {
        ReadError::of_community(&format!("listing the subgroups of {community}"), &e)
    })?;
    Ok(subs
        .into_iter()
        .map(|s| GroupSummary {
            id: convert::group_id(&s.id),
            subject: s.subject,
            size: s.participant_count.map_or(0, |n| n as usize),
            my_role: None,
            community: if s.is_default_sub_group {
                CommunityMark::Announcement {
                    parent: community.clone(),
                }
            } else {
                CommunityMark::Subgroup {
                    parent: community.clone(),
                }
            },
            created: s.creation.and_then(|c| i64::try_from(c).ok()).unwrap_or(0),
            ..Default::default()
        })
        .collect())
}

/// Everyone in the community and its subgroups, each with their highest role.
pub async fn merged_participants(
    client: &Arc<Client>,
    community: &GroupId,
) -> Result<Vec<Participant>, ReadError> {
    let jid: Jid = community
        .as_str()
        .parse()
        .map_err(|_| ReadError::Failed(format!("not a group id: {community}")))?;
    let people = client
        .community()
        .get_linked_groups_participants(jid)
        .await
        .map_err(|e| ReadError::of_community(&format!("loading the members of {community}"), &e))?;
    Ok(convert::participants(&people))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_group_is_done_only_when_the_answer_lists_it() {
        let j = |u: &str| -> Jid { format!("{u}@g.us").parse().expect("jid") };
        let done = [j("1")];
        let failed = [(j("2"), 401)];
        assert_eq!(link_outcome(&j("1"), &done, &failed), Outcome::Done);
        assert!(matches!(
            link_outcome(&j("2"), &done, &failed),
            Outcome::Refused { code: 401, .. }
        ));
        assert!(matches!(
            link_outcome(&j("3"), &done, &failed),
            Outcome::Unknown { .. }
        ));
    }
}
