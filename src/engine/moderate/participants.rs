//! Operations on people in a group (add, remove, promote, demote, approve, reject): one
//! request for the people given (the write queue makes the batches and paces them), every
//! person with their own outcome.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use whatsapp_rust::features::{Groups, ParticipantChangeResponse};
use whatsapp_rust::{Client, Jid};

use super::outcomes::participant_outcome;
use super::{Answered, parse_jid, within};
use crate::engine::convert;
use crate::ops::{Op, Outcome, TargetOutcome};

/// Runs a people operation `op` on `targets` (JIDs) of `group`, in one request; a 429 comes
/// back as each person's outcome, with the pause.
pub(super) async fn run(
    client: &Arc<Client>,
    op: &Op,
    group: &Jid,
    targets: &[String],
    phones: &HashMap<String, String>,
    timeout: Duration,
) -> Answered {
    let mut out: Vec<TargetOutcome> = Vec::with_capacity(targets.len());
    let mut pause = None;
    let jids = valid_jids(targets, &mut out);
    if !jids.is_empty() {
        match send(&client.groups(), op, group, &jids, timeout).await {
            Ok(responses) => {
                let aliases = aliases(client, &jids, phones).await;
                out.extend(answered(op, &jids, &responses, phones, &aliases));
            }
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
    }
    Answered {
        outcome: Outcome::Done,
        targets: out,
        answer: None,
        pause,
    }
}

/// A person's phone number: from the roster, else from a phone-number JID.
pub(in crate::engine) fn phone(phones: &HashMap<String, String>, jid: &str) -> Option<String> {
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

/// Phone and LID users known to be one person, both ways: from the roster (`phones`: JID to
/// phone) and whatsapp-rust's LID-PN store (learned from group metadata and answers).
async fn aliases(
    client: &Client,
    jids: &[Jid],
    phones: &HashMap<String, String>,
) -> HashMap<String, String> {
    let mut out = HashMap::new();
    let mut pair = |a: &str, b: &str| {
        out.insert(a.to_string(), b.to_string());
        out.insert(b.to_string(), a.to_string());
    };
    for (jid, phone) in phones {
        if let Some(lid) = jid.strip_suffix("@lid") {
            pair(lid, phone.trim_start_matches('+'));
        }
    }
    for j in jids {
        if !out.contains_key(j.user.as_str())
            && let Ok(Some(e)) = client.get_lid_pn_entry(j).await
        {
            out.insert(e.lid.to_string(), e.phone_number.to_string());
            out.insert(e.phone_number.to_string(), e.lid.to_string());
        }
    }
    out
}

/// Which answer is whose: by identity (the JID asked with, its LID or number, against the
/// answer's `jid` and `phone_number`: LID groups answer a number with the LID), then, for the
/// rest, by position when as many answers as people are left (the answer keeps the order).
pub(super) fn match_answers(
    jids: &[Jid],
    responses: &[ParticipantChangeResponse],
    aliases: &HashMap<String, String>,
) -> Vec<Option<usize>> {
    let same = |j: &Jid, r: &ParticipantChangeResponse| {
        let theirs = [
            Some(r.jid.user.as_str()),
            r.phone_number.as_ref().map(|p| p.user.as_str()),
        ];
        let mine = [
            Some(j.user.as_str()),
            aliases.get(j.user.as_str()).map(String::as_str),
        ];
        mine.iter()
            .flatten()
            .any(|m| theirs.iter().flatten().any(|t| t == m))
    };
    let mut taken = vec![false; responses.len()];
    let mut found: Vec<Option<usize>> = jids
        .iter()
        .map(|j| {
            let i = (0..responses.len()).find(|&i| !taken[i] && same(j, &responses[i]))?;
            taken[i] = true;
            Some(i)
        })
        .collect();
    let left: Vec<usize> = (0..responses.len()).filter(|&i| !taken[i]).collect();
    let unmatched = found.iter().filter(|f| f.is_none()).count();
    if unmatched > 0 && unmatched == left.len() {
        let mut rest = left.into_iter();
        for f in found.iter_mut().filter(|f| f.is_none()) {
            *f = rest.next();
        }
    }
    found
}

/// Each person's outcome in an answered batch; one the answer does not mention is unknown.
fn answered(
    op: &Op,
    jids: &[Jid],
    responses: &[ParticipantChangeResponse],
    phones: &HashMap<String, String>,
    aliases: &HashMap<String, String>,
) -> Vec<TargetOutcome> {
    let found = match_answers(jids, responses, aliases);
    jids.iter()
        .zip(found)
        .map(|(j, i)| {
            let key = j.to_string();
            let r = i.map(|i| &responses[i]);
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

#[cfg(test)]
mod tests {
    use super::*;

    /// An answer row as whatsapp-rust parses it off the wire.
    fn answer(jid: &str, phone: Option<&str>) -> ParticipantChangeResponse {
        use whatsapp_rust::wacore::protocol::ProtocolNode;
        use whatsapp_rust::wacore_binary::builder::NodeBuilder;
        let mut b = NodeBuilder::new("participant").attr("jid", jid);
        if let Some(p) = phone {
            b = b.attr("phone_number", p);
        }
        ParticipantChangeResponse::try_from_node(&b.build()).expect("parses")
    }

    fn jids(list: &[&str]) -> Vec<Jid> {
        list.iter().map(|j| j.parse().expect("jid")).collect()
    }

    #[test]
    fn answers_by_lid_find_the_people_asked_by_number() {
        let asked = jids(&["15550001111@s.whatsapp.net", "15550002222@s.whatsapp.net"]);
        // The LID with its number; the LID alone, known from the roster.
        let responses = [
            answer("222@lid", None),
            answer("111@lid", Some("15550001111@s.whatsapp.net")),
        ];
        let aliases = HashMap::from([
            ("222".to_string(), "15550002222".to_string()),
            ("15550002222".to_string(), "222".to_string()),
        ]);
        assert_eq!(
            match_answers(&asked, &responses, &aliases),
            vec![Some(1), Some(0)]
        );
    }

    #[test]
    fn unknown_lids_fall_back_to_the_order_only_when_it_is_unambiguous() {
        let asked = jids(&["15550001111@s.whatsapp.net", "15550002222@s.whatsapp.net"]);
        let none = HashMap::new();
        let both = [answer("111@lid", None), answer("222@lid", None)];
        assert_eq!(match_answers(&asked, &both, &none), vec![Some(0), Some(1)]);
        let one = [answer("111@lid", None)];
        assert_eq!(match_answers(&asked, &one, &none), vec![None, None]);
        let echoed = [answer("15550002222@s.whatsapp.net", None)];
        assert_eq!(match_answers(&asked, &echoed, &none), vec![None, Some(0)]);
    }
}
