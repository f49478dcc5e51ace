//! Every answer WhatsApp can give, and the outcome wamod reports for it.

use super::*;
use whatsapp_rust::wacore_binary::builder::NodeBuilder;

fn server(code: u16, text: &str, backoff: Option<u32>) -> IqError {
    IqError::ServerError {
        code,
        text: text.into(),
        error_type: None,
        backoff,
    }
}

fn unknown(why: &str) -> Outcome {
    Outcome::Unknown { why: why.into() }
}

fn not_sent(why: &str) -> Outcome {
    Outcome::NotSent { why: why.into() }
}

fn refused(code: u16, text: &str) -> Outcome {
    Outcome::Refused {
        code,
        text: text.into(),
    }
}

#[test]
fn each_failed_request_means_one_outcome() {
    let dropped = unknown("the connection dropped before WhatsApp answered");
    let disconnect = Box::new(NodeBuilder::new("stream:error").build());
    let cases: Vec<(IqError, Outcome)> = vec![
        (IqError::Timeout, unknown("no answer from WhatsApp in time")),
        (
            IqError::EncodeError(anyhow::anyhow!("bad node")),
            not_sent("the request could not be encoded"),
        ),
        (IqError::NotConnected, dropped.clone()),
        (IqError::InternalChannelClosed, dropped.clone()),
        (IqError::Disconnected(disconnect), dropped),
        (
            server(429, "rate-overlimit", Some(12)),
            Outcome::RateLimited { retry_secs: 12 },
        ),
        (
            server(429, "rate-overlimit", None),
            Outcome::RateLimited {
                retry_secs: DEFAULT_BACKOFF_SECS,
            },
        ),
        (
            server(429, "rate-overlimit", Some(0)),
            Outcome::RateLimited { retry_secs: 1 },
        ),
        (server(401, "not-authorized", None), Outcome::NotAuthorized),
        (server(404, "item-not-found", None), Outcome::NotFound),
        (server(409, "conflict", None), Outcome::Conflict),
        (server(419, "resource-limit", None), Outcome::GroupFull),
        (
            server(500, "internal-server-error", None),
            refused(500, "internal-server-error"),
        ),
        (
            IqError::DuplicateRequestId("7".into()),
            unknown("IQ request ID is already in flight: 7"),
        ),
    ];
    for (error, want) in cases {
        let what = format!("{error:?}");
        assert_eq!(iq_outcome(&error), want, "{what}");
        assert_eq!(error_outcome(&GroupError::Iq(error)), want, "{what}");
    }
}

#[test]
fn group_errors_of_their_own() {
    let cases = [
        (GroupError::DescriptionConflict, Outcome::Conflict),
        (
            GroupError::InvalidRequest("invalid or empty invite code".into()),
            not_sent("invalid or empty invite code"),
        ),
        (
            GroupError::Internal(anyhow::anyhow!("no phone number for a LID")),
            unknown("no phone number for a LID"),
        ),
    ];
    for (error, want) in cases {
        assert_eq!(error_outcome(&error), want, "{error:?}");
    }
}

#[test]
fn no_answer_in_time_is_unknown() {
    assert_eq!(
        timed_out(Duration::from_secs(30)),
        unknown("no answer from WhatsApp within 30s")
    );
}

#[test]
fn each_participant_code_means_one_outcome() {
    let add = Op::Add(Vec::new());
    let create = Op::Create(Default::default());
    let remove = Op::Remove(Vec::new());
    let approve = Op::Approve(Vec::new());
    let promote = Op::Promote(Vec::new());
    let left_recently = refused(408, "they left recently and cannot be added yet");
    let cases = [
        (&add, None, None, Outcome::Done),
        (&remove, None, None, Outcome::Done),
        (
            &add,
            Some("403"),
            Some("INV1"),
            Outcome::PrivacyBlocked {
                invite_code: Some("INV1".into()),
            },
        ),
        (
            &create,
            Some("403"),
            None,
            Outcome::PrivacyBlocked { invite_code: None },
        ),
        (&remove, Some("403"), None, Outcome::NotAuthorized),
        (&add, Some("409"), None, Outcome::AlreadyMember),
        (&approve, Some("409"), None, Outcome::AlreadyMember),
        (&remove, Some("409"), None, refused(409, "")),
        (&promote, Some("401"), None, Outcome::NotAuthorized),
        (&remove, Some("404"), None, Outcome::NotFound),
        (&add, Some("419"), None, Outcome::GroupFull),
        (&add, Some("408"), None, left_recently),
        (
            &add,
            Some("500"),
            None,
            refused(500, "WhatsApp failed on its side; try again later"),
        ),
        (
            &add,
            Some("406"),
            None,
            refused(406, "WhatsApp does not allow adding them"),
        ),
        (
            &add,
            Some("463"),
            None,
            refused(
                463,
                "WhatsApp wants a chat with them first (no privacy token)",
            ),
        ),
        (&add, Some("odd"), None, refused(0, "")),
    ];
    for (op, code, invite, want) in cases {
        assert_eq!(
            participant_outcome(op, code, invite),
            want,
            "{} {code:?}",
            op.name()
        );
    }
}

#[test]
fn invite_lookups_read_their_own_codes() {
    let cases = [
        (
            Outcome::NotFound,
            refused(404, "no group has this invite code"),
        ),
        (
            refused(410, "gone"),
            refused(410, "this invite link was reset by an admin"),
        ),
        (refused(304, "not-modified"), Outcome::AlreadyMember),
        (
            refused(405, "not-allowed"),
            refused(
                405,
                "an admin removed you from this group; the link cannot bring you back",
            ),
        ),
        (refused(412, "x"), refused(412, "the community is full")),
        (refused(423, "locked"), refused(423, "the group is locked")),
        (
            refused(436, "x"),
            refused(436, "this invite link is unavailable for now"),
        ),
        (refused(403, "forbidden"), refused(403, "forbidden")),
        (Outcome::NotAuthorized, Outcome::NotAuthorized),
        (unknown("later"), unknown("later")),
    ];
    for (answer, want) in cases {
        assert_eq!(invite_outcome(answer.clone()), want, "{answer:?}");
    }
}
