//! WhatsApp's answers read as outcomes: a failed request, one participant's refusal code, an
//! invite lookup's own codes. Pure functions, so every code's meaning is tested in one table.

use std::time::Duration;

use whatsapp_rust::features::GroupError;
use whatsapp_rust::request::IqError;

use crate::ops::{Op, Outcome};

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

pub fn iq_outcome(e: &IqError) -> Outcome {
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

/// No answer within `timeout`: the request may still land.
pub fn timed_out(timeout: Duration) -> Outcome {
    Outcome::Unknown {
        why: format!("no answer from WhatsApp within {}s", timeout.as_secs()),
    }
}

/// A participant's refusal `code` (none: done), for this action; a privacy refusal of an add
/// may carry an invite code to send them instead.
pub fn participant_outcome(op: &Op, code: Option<&str>, invite_code: Option<&str>) -> Outcome {
    let Some(code) = code else {
        return Outcome::Done;
    };
    let adding = matches!(op, Op::Add(_) | Op::Create(_));
    match (code, adding) {
        ("403", true) => Outcome::PrivacyBlocked {
            invite_code: invite_code.map(str::to_string),
        },
        ("409", true) => Outcome::AlreadyMember,
        ("409", false) if matches!(op, Op::Approve(_)) => Outcome::AlreadyMember,
        ("401", _) | ("403", false) => Outcome::NotAuthorized,
        ("404", _) => Outcome::NotFound,
        ("419", _) => Outcome::GroupFull,
        (other, _) => {
            let code = other.parse().unwrap_or(0);
            Outcome::Refused {
                code,
                text: participant_refusal(code).into(),
            }
        }
    }
}

/// A participant refusal's words, for the codes WhatsApp uses in group answers (WA Web's
/// group-participant results; 463 is the privacy-token check, whatsapp-rust #435).
fn participant_refusal(code: u16) -> &'static str {
    match code {
        408 => "they left recently and cannot be added yet",
        406 => "WhatsApp does not allow adding them",
        463 => "WhatsApp wants a chat with them first (no privacy token)",
        500 => "WhatsApp failed on its side; try again later",
        _ => "",
    }
}

/// Invite lookups and joins answer with their own codes (wacore iq/groups.rs
/// `InviteInfoError`, `GroupJoinError`).
pub fn invite_outcome(o: Outcome) -> Outcome {
    let words = |code: u16, text: &str| Outcome::Refused {
        code,
        text: text.into(),
    };
    match o {
        Outcome::NotFound => words(404, "no group has this invite code"),
        Outcome::Refused { code: 304, .. } => Outcome::AlreadyMember,
        Outcome::Refused { code, text } => match code {
            405 => words(
                405,
                "an admin removed you from this group; the link cannot bring you back",
            ),
            406 => words(406, "WhatsApp does not accept this invite"),
            410 => words(410, "this invite link was reset by an admin"),
            412 => words(412, "the community is full"),
            416 => words(416, "the group's community is suspended"),
            423 => words(423, "the group is locked"),
            436 => words(436, "this invite link is unavailable for now"),
            _ => Outcome::Refused { code, text },
        },
        other => other,
    }
}

#[cfg(test)]
#[path = "outcomes_tests.rs"]
mod tests;
