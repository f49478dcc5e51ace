//! Runs one moderation operation through whatsapp-rust and turns WhatsApp's answer into
//! per-participant outcomes in words. Never guesses: no answer is `Unknown`, a refusal keeps its
//! code, and only what WhatsApp confirmed is `Done`. One module per family of operation.

pub(super) mod community;
mod create;
mod group_edits;
mod invites;
mod outcomes;
pub(super) mod participants;

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use whatsapp_rust::features::GroupError;
use whatsapp_rust::{Client, Jid};

pub(super) use create::create;
pub(super) use outcomes::iq_outcome;
pub use outcomes::{DEFAULT_BACKOFF_SECS, error_outcome};

use crate::ops::{Answer, Op, Outcome, TargetOutcome};

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

    /// An operation that succeeded (or failed) as a whole.
    fn settled(r: Result<(), Outcome>) -> Self {
        Self::whole(r.err().unwrap_or(Outcome::Done))
    }

    /// An operation answered with something to show, or its failure.
    fn with_answer(r: Result<Answer, Outcome>) -> Self {
        match r {
            Ok(answer) => Self {
                answer: Some(answer),
                ..Self::whole(Outcome::Done)
            },
            Err(o) => Self::whole(o),
        }
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
        Err(_) => Err(outcomes::timed_out(timeout)),
    }
}

pub(super) fn parse_jid(s: &str) -> Option<Jid> {
    s.parse::<Jid>().ok().filter(|j| !j.user.is_empty())
}

fn not_sent(why: &str) -> Outcome {
    Outcome::NotSent { why: why.into() }
}

/// The operation's group, which it cannot go without.
fn need_group(group: Option<&Jid>) -> Result<Jid, Outcome> {
    group.cloned().ok_or_else(|| not_sent("no group selected"))
}

/// Runs `op` on `group` (when it has one). `phones` maps known JIDs to phone numbers, so results
/// name people the way the roster does.
pub async fn run(
    client: &Arc<Client>,
    op: &Op,
    group: Option<&str>,
    phones: &HashMap<String, String>,
    timeout: Duration,
) -> Answered {
    let group = match group.map(parse_jid) {
        Some(Some(j)) => Some(j),
        Some(None) => return Answered::whole(not_sent("not a group id")),
        None => None,
    };
    // Offline: nothing goes out, and that is certain (unlike a drop mid-request).
    if !client.is_connected() {
        return Answered::whole(not_sent(
            "the session is offline; try again once it is connected",
        ));
    }
    let g = group.as_ref();
    match op {
        Op::Add(v)
        | Op::Remove(v)
        | Op::RemoveFromCommunity(v)
        | Op::Promote(v)
        | Op::Demote(v)
        | Op::Approve(v)
        | Op::Reject(v) => match need_group(g) {
            Ok(g) => participants::run(client, op, &g, v, phones, timeout).await,
            Err(o) => Answered::whole(o),
        },
        Op::SetSubject(s) => {
            Answered::settled(group_edits::set_subject(client, s, g, timeout).await)
        }
        Op::SetDescription { text, prev } => {
            let prev = prev.as_deref();
            Answered::settled(group_edits::set_description(client, text, prev, g, timeout).await)
        }
        Op::Setting(s) => Answered::settled(group_edits::set_setting(client, *s, g, timeout).await),
        Op::SetPicture(path) => {
            Answered::settled(group_edits::set_picture(client, path, g, timeout).await)
        }
        Op::RemovePicture => {
            Answered::settled(group_edits::remove_picture(client, g, timeout).await)
        }
        Op::Leave => Answered::settled(group_edits::leave(client, g, timeout).await),
        Op::InviteLink | Op::RevokeInvite => {
            let reset = matches!(op, Op::RevokeInvite);
            Answered::with_answer(invites::link(client, reset, g, timeout).await)
        }
        Op::PreviewInvite(code) => {
            Answered::with_answer(invites::preview(client, code, timeout).await)
        }
        Op::Join(code) => Answered::with_answer(invites::join(client, code, timeout).await),
        Op::Create(new) => create(client, new, phones, timeout, None).await,
        Op::CreateCommunity(_)
        | Op::CreateSubgroup(_)
        | Op::Link(_)
        | Op::Unlink { .. }
        | Op::JoinSubgroup(_)
        | Op::Deactivate => community::run(client, op, g, phones, timeout).await,
    }
}
