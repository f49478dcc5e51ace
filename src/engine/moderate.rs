//! Runs one moderation operation through whatsapp-rust and turns WhatsApp's answer into
//! per-participant outcomes in words. Never guesses: no answer is `Unknown`, a refusal keeps its
//! code, and only what WhatsApp confirmed is `Done`.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use whatsapp_rust::features::{
    GroupCreateOptions, GroupDescription, GroupError, GroupParticipantOptions, GroupSubject,
    JoinGroupResult, MemberAddMode, MembershipApprovalMode, ParticipantChangeResponse,
    PreviousDescription,
};
use whatsapp_rust::request::IqError;
use whatsapp_rust::{Client, Jid};

use super::convert;
use crate::ops::{Answer, Op, Outcome, Setting, TargetOutcome};

/// Participants per request: large bulk actions go out in a few batched IQs, not one per person
/// (and not one huge IQ that a rate limit would refuse whole).
pub const BATCH: usize = 256;

/// What `run` found out.
pub struct Answered {
    pub outcome: Outcome,
    pub targets: Vec<TargetOutcome>,
    pub answer: Option<Answer>,
    /// WhatsApp said 429: pause sending for this long.
    pub pause: Option<Duration>,
}

impl Answered {
    pub(super) fn whole(outcome: Outcome) -> Self {
        let pause = match &outcome {
            Outcome::RateLimited { retry_secs } => {
                Some(Duration::from_secs(u64::from(*retry_secs)))
            }
            _ => None,
        };
        Self {
            outcome,
            targets: Vec::new(),
            answer: None,
            pause,
        }
    }
}

/// Default pause after a 429 that carries no `backoff`.
pub const DEFAULT_BACKOFF_SECS: u32 = 30;

/// What a failed request means for what was asked.
pub fn error_outcome(e: &GroupError) -> Outcome {
    match e {
        GroupError::DescriptionConflict => Outcome::Conflict,
        GroupError::Iq(iq) => iq_outcome(iq),
        GroupError::InvalidRequest(why) => Outcome::NotSent { why: why.clone() },
        other => Outcome::Unknown {
            why: other.to_string(),
        },
    }
}

pub(super) fn iq_outcome(e: &IqError) -> Outcome {
    match e {
        IqError::Timeout => Outcome::Unknown {
            why: "no answer from WhatsApp in time".into(),
        },
        // Refused locally before anything went out.
        IqError::EncodeError(_) => Outcome::NotSent {
            why: "the request could not be encoded".into(),
        },
        // whatsapp-rust also answers NotConnected for a request already sent when the socket
        // closes; `run` checks the connection first, so here it means "lost mid-request".
        IqError::NotConnected
        | IqError::ClientState(_)
        | IqError::Disconnected(_)
        | IqError::InternalChannelClosed
        | IqError::Socket(_) => Outcome::Unknown {
            why: "the connection dropped before WhatsApp answered".into(),
        },
        IqError::ServerError {
            code: 429, backoff, ..
        } => Outcome::RateLimited {
            retry_secs: backoff.unwrap_or(DEFAULT_BACKOFF_SECS).max(1),
        },
        IqError::ServerError { code: 401, .. } => Outcome::NotAuthorized,
        IqError::ServerError { code: 404, .. } => Outcome::NotFound,
        IqError::ServerError { code: 409, .. } => Outcome::Conflict,
        IqError::ServerError { code: 419, .. } => Outcome::GroupFull,
        IqError::ServerError { code, text, .. } => Outcome::Refused {
            code: *code,
            text: text.clone(),
        },
        other => Outcome::Unknown {
            why: other.to_string(),
        },
    }
}

/// A participant's refusal code, for this action.
fn participant_outcome(op: &Op, r: &ParticipantChangeResponse) -> Outcome {
    let Some(code) = r.error.as_deref() else {
        return Outcome::Done;
    };
    let adding = matches!(op, Op::Add(_) | Op::Create(_));
    match (code, adding) {
        ("403", true) => Outcome::PrivacyBlocked {
            invite_code: r.add_request.as_ref().map(|a| a.code.clone()),
        },
        ("409", true) => Outcome::AlreadyMember,
        ("409", false) if matches!(op, Op::Approve(_)) => Outcome::AlreadyMember,
        ("401", _) | ("403", false) => Outcome::NotAuthorized,
        ("404", _) => Outcome::NotFound,
        ("419", _) => Outcome::GroupFull,
        ("408", _) => Outcome::Refused {
            code: 408,
            text: "they left recently and cannot be added yet".into(),
        },
        (other, _) => Outcome::Refused {
            code: other.parse().unwrap_or(0),
            text: String::new(),
        },
    }
}

/// Runs `fut` with a deadline: past it the answer is unknown (the request may still land).
async fn within<T>(
    timeout: Duration,
    fut: impl Future<Output = Result<T, GroupError>>,
) -> Result<T, Outcome> {
    within_as(timeout, fut, error_outcome).await
}

/// `within` for any error type, read by `outcome`.
pub(super) async fn within_as<T, E>(
    timeout: Duration,
    fut: impl Future<Output = Result<T, E>>,
    outcome: impl Fn(&E) -> Outcome,
) -> Result<T, Outcome> {
    match tokio::time::timeout(timeout, fut).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(outcome(&e)),
        Err(_) => Err(Outcome::Unknown {
            why: format!("no answer from WhatsApp within {}s", timeout.as_secs()),
        }),
    }
}

pub(super) fn parse_jid(s: &str) -> Option<Jid> {
    s.parse::<Jid>().ok().filter(|j| !j.user.is_empty())
}

/// Runs `op` on `group` (when it has one). `phones` maps known JIDs to phone numbers, so results
/// name people the way the roster does.
pub async fn run(
    client: &Arc<Client>,
    op: &Op,
    group: Option<&str>,
    phones: &HashMap<String, String>,
    timeout: Duration,
    progress: impl Fn(&[TargetOutcome], usize),
) -> Answered {
    let group_jid = match group.map(parse_jid) {
        Some(Some(j)) => Some(j),
        Some(None) => {
            return Answered::whole(Outcome::NotSent {
                why: "not a group id".into(),
            });
        }
        None => None,
    };
    let need_group = || {
        group_jid.clone().ok_or(Outcome::NotSent {
            why: "no group selected".into(),
        })
    };
    // Offline: nothing goes out, and that is certain (unlike a drop mid-request).
    if !client.is_connected() {
        return Answered::whole(Outcome::NotSent {
            why: "the session is offline; try again once it is connected".into(),
        });
    }
    let groups = client.groups();
    let simple = |r: Result<(), Outcome>| Answered::whole(r.err().unwrap_or(Outcome::Done));
    match op {
        Op::Add(v)
        | Op::Remove(v)
        | Op::RemoveFromCommunity(v)
        | Op::Promote(v)
        | Op::Demote(v)
        | Op::Approve(v)
        | Op::Reject(v) => {
            let g = match need_group() {
                Ok(g) => g,
                Err(o) => return Answered::whole(o),
            };
            participants(client, op, &g, v, phones, timeout, progress).await
        }
        Op::SetSubject(s) => {
            let Ok(subject) = GroupSubject::new(s.clone()) else {
                return Answered::whole(Outcome::NotSent {
                    why: "a subject has 1 to 100 characters".into(),
                });
            };
            let g = match need_group() {
                Ok(g) => g,
                Err(o) => return Answered::whole(o),
            };
            simple(within(timeout, groups.set_subject(g, subject)).await)
        }
        Op::SetDescription { text, prev } => {
            let description = if text.is_empty() {
                None
            } else {
                match GroupDescription::new(text.clone()) {
                    Ok(d) => Some(d),
                    Err(_) => {
                        return Answered::whole(Outcome::NotSent {
                            why: "a description has at most 2048 characters".into(),
                        });
                    }
                }
            };
            let g = match need_group() {
                Ok(g) => g,
                Err(o) => return Answered::whole(o),
            };
            let prev = match prev {
                Some(id) => PreviousDescription::Id(id),
                None => PreviousDescription::Absent,
            };
            simple(within(timeout, groups.set_description(g, description, prev)).await)
        }
        Op::Setting(s) => {
            let g = match need_group() {
                Ok(g) => g,
                Err(o) => return Answered::whole(o),
            };
            let r = match *s {
                Setting::AdminsOnlySend(on) => within(timeout, groups.set_announce(g, on)).await,
                Setting::AdminsOnlyEdit(on) => within(timeout, groups.set_locked(g, on)).await,
                Setting::Approval(on) => {
                    let mode = if on {
                        MembershipApprovalMode::On
                    } else {
                        MembershipApprovalMode::Off
                    };
                    within(timeout, groups.set_membership_approval(g, mode)).await
                }
                Setting::AdminsOnlyAdd(on) => {
                    let mode = if on {
                        MemberAddMode::AdminAdd
                    } else {
                        MemberAddMode::AllMemberAdd
                    };
                    within(timeout, groups.set_member_add_mode(g, mode)).await
                }
                Setting::Disappearing(secs) => within(timeout, groups.set_ephemeral(g, secs)).await,
            };
            simple(r)
        }
        Op::InviteLink | Op::RevokeInvite => {
            let g = match need_group() {
                Ok(g) => g,
                Err(o) => return Answered::whole(o),
            };
            let reset = matches!(op, Op::RevokeInvite);
            match within(timeout, groups.get_invite_link(g, reset)).await {
                Ok(link) => Answered {
                    answer: Some(Answer::InviteLink(link)),
                    ..Answered::whole(Outcome::Done)
                },
                Err(o) => Answered::whole(o),
            }
        }
        Op::PreviewInvite(code) => match within(timeout, groups.get_invite_info(code)).await {
            Ok(meta) => Answered {
                answer: Some(Answer::Preview {
                    code: code.clone(),
                    group: convert::group_id(&meta.id),
                    subject: meta.subject.clone(),
                    size: meta
                        .size
                        .map_or(meta.participants.len(), |s| s as usize)
                        .max(meta.participants.len()),
                    description: meta.description.clone(),
                    approval: meta.membership_approval,
                }),
                ..Answered::whole(Outcome::Done)
            },
            Err(o) => Answered::whole(invite_outcome(o)),
        },
        Op::Join(code) => match within(timeout, groups.join_with_invite_code(code)).await {
            Ok(JoinGroupResult::Joined(g)) => Answered {
                answer: Some(Answer::Joined(convert::group_id(&g))),
                ..Answered::whole(Outcome::Done)
            },
            Ok(JoinGroupResult::PendingApproval(g)) => Answered {
                answer: Some(Answer::RequestFiled(convert::group_id(&g))),
                ..Answered::whole(Outcome::Done)
            },
            Err(o) => Answered::whole(invite_outcome(o)),
        },
        Op::Leave => {
            let g = match need_group() {
                Ok(g) => g,
                Err(o) => return Answered::whole(o),
            };
            simple(within(timeout, groups.leave(g)).await)
        }
        Op::SetPicture(path) => {
            let bytes = match std::fs::read(path) {
                Ok(b) => b,
                Err(e) => {
                    return Answered::whole(Outcome::NotSent {
                        why: format!("cannot read {}: {e}", path.display()),
                    });
                }
            };
            if !bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
                return Answered::whole(Outcome::NotSent {
                    why: format!("{} is not a JPEG image", path.display()),
                });
            }
            let g = match need_group() {
                Ok(g) => g,
                Err(o) => return Answered::whole(o),
            };
            simple(
                within(timeout, groups.set_profile_picture(g, bytes))
                    .await
                    .map(|_| ()),
            )
        }
        Op::RemovePicture => {
            let g = match need_group() {
                Ok(g) => g,
                Err(o) => return Answered::whole(o),
            };
            simple(
                within(timeout, groups.remove_profile_picture(g))
                    .await
                    .map(|_| ()),
            )
        }
        Op::Create(new) => create(client, new, phones, timeout, None).await,
        Op::CreateCommunity(_)
        | Op::CreateSubgroup(_)
        | Op::Link(_)
        | Op::Unlink { .. }
        | Op::JoinSubgroup(_)
        | Op::Deactivate => {
            super::community::run(client, op, group_jid.as_ref(), phones, timeout).await
        }
    }
}

/// Invite lookups answer with their own codes: 404 unknown code, 410 reset link.
fn invite_outcome(o: Outcome) -> Outcome {
    match o {
        Outcome::NotFound => Outcome::Refused {
            code: 404,
            text: "no group has this invite code".into(),
        },
        Outcome::Refused { code: 410, .. } => Outcome::Refused {
            code: 410,
            text: "this invite link was reset by an admin".into(),
        },
        Outcome::Refused { code: 304, .. } => Outcome::AlreadyMember,
        other => other,
    }
}

async fn participants(
    client: &Arc<Client>,
    op: &Op,
    group: &Jid,
    targets: &[String],
    phones: &HashMap<String, String>,
    timeout: Duration,
    progress: impl Fn(&[TargetOutcome], usize),
) -> Answered {
    let phone = |jid: &str| {
        phones.get(jid).cloned().or_else(|| {
            jid.strip_suffix("@s.whatsapp.net")
                .map(|u| format!("+{}", u.split(':').next().unwrap_or(u)))
        })
    };
    let mut out: Vec<TargetOutcome> = Vec::with_capacity(targets.len());
    let mut pause = None;
    let groups = client.groups();
    for chunk in targets.chunks(BATCH) {
        // After a 429, nothing more goes out: the rest is reported as not sent.
        if let Some(retry) = pause.map(|d: Duration| d.as_secs()) {
            out.extend(chunk.iter().map(|t| TargetOutcome {
                jid: t.clone(),
                phone: phone(t),
                outcome: Outcome::NotSent {
                    why: format!("paused by WhatsApp's rate limit ({retry}s)"),
                },
            }));
            continue;
        }
        let mut jids = Vec::with_capacity(chunk.len());
        for t in chunk {
            match parse_jid(t) {
                Some(j) => jids.push(j),
                None => out.push(TargetOutcome {
                    jid: t.clone(),
                    phone: None,
                    outcome: Outcome::NotSent {
                        why: "not a WhatsApp id".into(),
                    },
                }),
            }
        }
        if jids.is_empty() {
            continue;
        }
        let g = group.clone();
        let answer = match op {
            Op::Add(_) => within(timeout, groups.add_participants(g, &jids)).await,
            Op::Remove(_) => within(timeout, groups.remove_participants(g, &jids)).await,
            Op::RemoveFromCommunity(_) => {
                within(
                    timeout,
                    groups.remove_participants_including_linked_groups(g, &jids),
                )
                .await
            }
            Op::Promote(_) => within(timeout, groups.promote_participants(g, &jids)).await,
            Op::Demote(_) => within(timeout, groups.demote_participants(g, &jids)).await,
            Op::Approve(_) => within(timeout, groups.approve_membership_requests(g, &jids)).await,
            _ => within(timeout, groups.reject_membership_requests(g, &jids)).await,
        };
        match answer {
            Ok(responses) => {
                for j in &jids {
                    let key = j.to_string();
                    let r = responses.iter().find(|r| {
                        r.jid.user == j.user
                            || r.phone_number.as_ref().is_some_and(|p| p.user == j.user)
                    });
                    let outcome = match r {
                        Some(r) => participant_outcome(op, r),
                        None => Outcome::Unknown {
                            why: "WhatsApp's answer did not mention them".into(),
                        },
                    };
                    let shown = phone(&key).or_else(|| {
                        r.and_then(|r| r.phone_number.as_ref())
                            .and_then(convert::phone_of)
                    });
                    out.push(TargetOutcome {
                        jid: key,
                        phone: shown,
                        outcome,
                    });
                }
            }
            Err(outcome) => {
                if let Outcome::RateLimited { retry_secs } = outcome {
                    pause = Some(Duration::from_secs(u64::from(retry_secs)));
                }
                out.extend(jids.iter().map(|j| {
                    let key = j.to_string();
                    TargetOutcome {
                        phone: phone(&key),
                        jid: key,
                        outcome: outcome.clone(),
                    }
                }));
            }
        }
        // Each answered batch is reported (and recorded) before the next goes out.
        progress(&out, targets.len());
    }
    Answered {
        outcome: Outcome::Done,
        targets: out,
        answer: None,
        pause,
    }
}

/// Creates a group; with `linked_parent`, inside that community (a subgroup).
pub(super) async fn create(
    client: &Arc<Client>,
    new: &crate::ops::NewGroup,
    phones: &HashMap<String, String>,
    timeout: Duration,
    linked_parent: Option<&Jid>,
) -> Answered {
    let Ok(_) = GroupSubject::new(new.subject.clone()) else {
        return Answered::whole(Outcome::NotSent {
            why: "a subject has 1 to 100 characters".into(),
        });
    };
    let description = match new.description.as_deref().filter(|d| !d.is_empty()) {
        None => None,
        Some(d) => match GroupDescription::new(d.to_string()) {
            Ok(d) => Some(d),
            Err(_) => {
                return Answered::whole(Outcome::NotSent {
                    why: "a description has at most 2048 characters".into(),
                });
            }
        },
    };
    let jids: Vec<Jid> = new
        .participants
        .iter()
        .filter_map(|p| parse_jid(p))
        .collect();
    let mut options = GroupCreateOptions::new(new.subject.clone());
    options.participants = jids
        .iter()
        .cloned()
        .map(GroupParticipantOptions::new)
        .collect();
    options.description = description;
    options.linked_parent = linked_parent.cloned();
    options.membership_approval_mode = Some(if new.approval {
        MembershipApprovalMode::On
    } else {
        MembershipApprovalMode::Off
    });
    let created = match within(timeout, client.groups().create_group(options)).await {
        Ok(c) => c,
        Err(o) => return Answered::whole(o),
    };
    let meta = created.metadata;
    let gid = convert::group_id(&meta.id);
    let g = meta.id.clone();
    // The settings the create IQ has no field for are set right after, like the phone does.
    let mut failed = Vec::new();
    if new.admins_only_send
        && let Err(o) = within(timeout, client.groups().set_announce(g.clone(), true)).await
    {
        failed.push(format!("send messages: {}", o.words()));
    }
    if new.admins_only_edit
        && let Err(o) = within(timeout, client.groups().set_locked(g, true)).await
    {
        failed.push(format!("edit info: {}", o.words()));
    }
    let member = |j: &Jid| {
        meta.participants.iter().any(|p| {
            p.jid.user == j.user || p.phone_number.as_ref().is_some_and(|pn| pn.user == j.user)
        })
    };
    let targets = new
        .participants
        .iter()
        .map(|t| {
            let outcome = match parse_jid(t) {
                None => Outcome::NotSent {
                    why: "not a WhatsApp id".into(),
                },
                Some(j) if member(&j) => Outcome::Done,
                // The create answer lists members only; privacy refusals are not itemised.
                Some(_) => Outcome::Refused {
                    code: 0,
                    text: "not added (their privacy settings, or no WhatsApp account)".into(),
                },
            };
            TargetOutcome {
                jid: t.clone(),
                phone: phones
                    .get(t)
                    .cloned()
                    .or_else(|| t.strip_suffix("@s.whatsapp.net").map(|u| format!("+{u}"))),
                outcome,
            }
        })
        .collect();
    let outcome = if failed.is_empty() {
        Outcome::Done
    } else {
        Outcome::Refused {
            code: 0,
            text: format!("created, but {}", failed.join("; ")),
        }
    };
    Answered {
        outcome,
        targets,
        answer: Some(Answer::Created(gid)),
        pause: None,
    }
}
