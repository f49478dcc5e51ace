//! Operations on people in a group (add, remove, promote, demote, approve, reject): sent in
//! batches of [`BATCH`], each answered batch reported before the next goes out, every person
//! with their own outcome.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use whatsapp_rust::features::{Groups, ParticipantChangeResponse};
use whatsapp_rust::{Client, Jid};

use super::outcomes::participant_outcome;
use super::{Answered, BATCH, parse_jid, within};
use crate::engine::convert;
use crate::ops::{Op, Outcome, TargetOutcome};

/// Runs a people operation `op` on `targets` (JIDs) of `group`. After a 429 nothing more goes
/// out: the rest is reported as not sent, and the pause returned.
pub(super) async fn run(
    client: &Arc<Client>,
    op: &Op,
    group: &Jid,
    targets: &[String],
    phones: &HashMap<String, String>,
    timeout: Duration,
    progress: impl Fn(&[TargetOutcome], usize),
) -> Answered {
    let mut out: Vec<TargetOutcome> = Vec::with_capacity(targets.len());
    let mut pause = None;
    let groups = client.groups();
    for chunk in targets.chunks(BATCH) {
        if let Some(retry) = pause.map(|d: Duration| d.as_secs()) {
            out.extend(chunk.iter().map(|t| TargetOutcome {
                jid: t.clone(),
                phone: phone(phones, t),
                outcome: Outcome::NotSent {
                    why: format!("paused by WhatsApp's rate limit ({retry}s)"),
                },
            }));
            continue;
        }
        let jids = valid_jids(chunk, &mut out);
        if jids.is_empty() {
            continue;
        }
        match send(&groups, op, group, &jids, timeout).await {
            Ok(responses) => out.extend(answered(op, &jids, &responses, phones)),
            Err(outcome) => {
                if let Outcome::RateLimited { retry_secs } = outcome {
                    pause = Some(Duration::from_secs(u64::from(retry_secs)));
                }
                out.extend(jids.iter().map(|j| {
                    let key = j.to_string();
                    TargetOutcome {
                        phone: phone(phones, &key),
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

/// A person's phone number: from the roster, else from a phone-number JID.
fn phone(phones: &HashMap<String, String>, jid: &str) -> Option<String> {
    phones.get(jid).cloned().or_else(|| {
        jid.strip_suffix("@s.whatsapp.net")
            .map(|u| format!("+{}", u.split(':').next().unwrap_or(u)))
    })
}

/// The chunk's JIDs that parse; the others go to `out` as not sent.
fn valid_jids(chunk: &[String], out: &mut Vec<TargetOutcome>) -> Vec<Jid> {
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
    jids
}

/// Sends one batch of `op`.
async fn send(
    groups: &Groups<'_>,
    op: &Op,
    group: &Jid,
    jids: &[Jid],
    timeout: Duration,
) -> Result<Vec<ParticipantChangeResponse>, Outcome> {
    let g = group.clone();
    match op {
        Op::Add(_) => within(timeout, groups.add_participants(g, jids)).await,
        Op::Remove(_) => within(timeout, groups.remove_participants(g, jids)).await,
        Op::RemoveFromCommunity(_) => {
            let removing = groups.remove_participants_including_linked_groups(g, jids);
            within(timeout, removing).await
        }
        Op::Promote(_) => within(timeout, groups.promote_participants(g, jids)).await,
        Op::Demote(_) => within(timeout, groups.demote_participants(g, jids)).await,
        Op::Approve(_) => within(timeout, groups.approve_membership_requests(g, jids)).await,
        _ => within(timeout, groups.reject_membership_requests(g, jids)).await,
    }
}

/// Each person's outcome in an answered batch; one the answer does not mention is unknown.
fn answered(
    op: &Op,
    jids: &[Jid],
    responses: &[ParticipantChangeResponse],
    phones: &HashMap<String, String>,
) -> Vec<TargetOutcome> {
    jids.iter()
        .map(|j| {
            let key = j.to_string();
            let r = responses.iter().find(|r| {
                r.jid.user == j.user || r.phone_number.as_ref().is_some_and(|p| p.user == j.user)
            });
            let outcome = match r {
                Some(r) => participant_outcome(
                    op,
                    r.error.as_deref(),
                    r.add_request.as_ref().map(|a| a.code.as_str()),
                ),
                None => Outcome::Unknown {
                    why: "WhatsApp's answer did not mention them".into(),
                },
            };
            let shown = phone(phones, &key).or_else(|| {
                r.and_then(|r| r.phone_number.as_ref())
                    .and_then(convert::phone_of)
            });
            TargetOutcome {
                jid: key,
                phone: shown,
                outcome,
            }
        })
        .collect()
}
