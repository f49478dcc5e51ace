//! What whatsapp-rust's connection events mean for a session: connected, down but retrying,
//! or ended until the user acts. Pure, so each case is tested without a server.

use whatsapp_rust::types::events::{ConnectFailureReason, Event, LoggedOut};
use whatsapp_rust::wacore::net::DisconnectReason;

use crate::domain::{ConnState, Ending, LogoutReason};

/// A connection event, judged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Down until the user acts: whatsapp-rust turned auto-reconnect off (client/node_io.rs,
    /// `handle_stream_error` and `handle_connect_failure`) and its run loop ends.
    End(ConnState),
    /// Down; whatsapp-rust reconnects by itself. The reason in words.
    Retrying(String),
    /// Worth a line in the feed only (the connection stays up, or its end follows).
    Note(String),
}

/// `now`: unix seconds, to turn a ban's duration into its end.
pub fn judge(ev: &Event, now: i64) -> Option<Verdict> {
    let ended = |e| Some(Verdict::End(ConnState::Ended(e)));
    match ev {
        Event::StreamReplaced(_) => ended(Ending::Replaced),
        Event::TemporaryBan(b) => {
            let words = b.code.to_string();
            // wacore's text is "103: you created too many groups …": keep the words.
            let why = words
                .split_once(": ")
                .map_or(words.as_str(), |(_, w)| w)
                .to_string();
            ended(Ending::TemporaryBan {
                code: b.code.code(),
                why,
                until: now.saturating_add(b.expire.num_seconds()),
            })
        }
        Event::ClientOutdated(_) => ended(Ending::Outdated),
        Event::ConnectFailure(f) if f.reason.should_reconnect() => Some(Verdict::Retrying(
            format!("WhatsApp is unavailable ({})", f.reason.code()),
        )),
        Event::ConnectFailure(f) => ended(Ending::Refused {
            code: f.reason.code(),
            message: f.message.clone(),
        }),
        Event::LoggedOut(l) => Some(Verdict::End(ConnState::LoggedOut(logout_reason(l)))),
        Event::QrScannedWithoutMultidevice(_) => ended(Ending::ScannedWithoutMultidevice),
        Event::StreamError(e) if e.code.is_empty() => {
            Some(Verdict::Note("WhatsApp sent a stream error".into()))
        }
        Event::StreamError(e) => Some(Verdict::Note(format!(
            "WhatsApp sent stream error {}",
            e.code
        ))),
        Event::Disconnected(d) => Some(Verdict::Retrying(disconnect_words(&d.reason))),
        _ => None,
    }
}

fn logout_reason(l: &LoggedOut) -> LogoutReason {
    match l.reason {
        ConnectFailureReason::LoggedOut => LogoutReason::Removed,
        ConnectFailureReason::AccountLocked => {
            let text = l.logout_message.as_ref().and_then(|m| {
                let parts: Vec<&str> = [m.header.as_deref(), m.subtext.as_deref()]
                    .into_iter()
                    .flatten()
                    .filter(|s| !s.is_empty())
                    .collect();
                (!parts.is_empty()).then(|| parts.join(": "))
            });
            LogoutReason::Locked { text }
        }
        ref other => LogoutReason::Other { code: other.code() },
    }
}

/// A transport's end in words (never `Debug` output).
pub fn disconnect_words(reason: &DisconnectReason) -> String {
    match reason {
        DisconnectReason::ServerClose { code, reason } => match (code, reason.is_empty()) {
            (Some(c), false) => format!("WhatsApp closed the connection ({c}: {reason})"),
            (Some(c), true) => format!("WhatsApp closed the connection ({c})"),
            (None, false) => format!("WhatsApp closed the connection ({reason})"),
            (None, true) => "WhatsApp closed the connection".into(),
        },
        DisconnectReason::StreamEnded => "WhatsApp ended the connection".into(),
        DisconnectReason::ReadError(e) => format!("connection lost ({e})"),
        _ => "connection lost".into(),
    }
}

/// The feed's line for an ending.
pub fn ended_line(state: &ConnState) -> String {
    match state {
        ConnState::Ended(Ending::Replaced) => "connection replaced by another client".into(),
        ConnState::Ended(Ending::TemporaryBan { code, why, .. }) => {
            format!("temporarily banned ({code}: {why})")
        }
        ConnState::Ended(Ending::Outdated) => "refused: outdated WhatsApp Web version".into(),
        ConnState::Ended(Ending::Refused { code, message }) => match message {
            Some(m) => format!("refused by WhatsApp ({code}: {m})"),
            None => format!("refused by WhatsApp ({code})"),
        },
        ConnState::Ended(Ending::QrCodesExpired) => "no QR code was scanned in time".into(),
        ConnState::Ended(Ending::ScannedWithoutMultidevice) => {
            "the phone cannot link devices (no multi-device)".into()
        }
        ConnState::LoggedOut(LogoutReason::Removed) => "logged out: removed from the phone".into(),
        ConnState::LoggedOut(LogoutReason::Locked { text: Some(t) }) => {
            format!("logged out: WhatsApp locked the account ({t})")
        }
        ConnState::LoggedOut(LogoutReason::Locked { .. }) => {
            "logged out: WhatsApp locked the account".into()
        }
        ConnState::LoggedOut(LogoutReason::Other { code }) => format!("logged out ({code})"),
        other => other.label().into(),
    }
}

/// About how long whatsapp-rust waits before connect attempt `attempt` (1-based): its
/// Fibonacci backoff of 1, 1, 2, 3, 5 … s, capped at 900 s (client.rs `fibonacci_backoff`,
/// ±10% jitter left out).
pub fn retry_delay_secs(attempt: u32) -> u64 {
    let (mut a, mut b) = (1u64, 1u64);
    for _ in 1..attempt {
        (a, b) = (b, (a + b).min(900));
    }
    a.min(900)
}

#[cfg(test)]
mod tests {
    use super::*;
    use whatsapp_rust::types::events::{
        ClientOutdated, ConnectFailure, Disconnected, LogoutMessage, StreamReplaced, TempBanReason,
        TemporaryBan,
    };

    #[test]
    fn endings_that_stop_reconnecting() {
        assert_eq!(
            judge(&Event::StreamReplaced(StreamReplaced::builder().build()), 0),
            Some(Verdict::End(ConnState::Ended(Ending::Replaced)))
        );
        assert_eq!(
            judge(&Event::ClientOutdated(ClientOutdated::builder().build()), 0),
            Some(Verdict::End(ConnState::Ended(Ending::Outdated)))
        );
        let ban = TemporaryBan::builder()
            .code(TempBanReason::CreatedTooManyGroups)
            .expire(chrono::Duration::seconds(3600))
            .build();
        let Some(Verdict::End(ConnState::Ended(Ending::TemporaryBan { code, why, until }))) =
            judge(&Event::TemporaryBan(ban), 1000)
        else {
            panic!("a ban ends the connection");
        };
        assert_eq!((code, until), (103, 4600));
        assert!(why.starts_with("you created too many groups"), "{why}");
        let refused = ConnectFailure::builder()
            .reason(ConnectFailureReason::BadUserAgent)
            .build();
        assert_eq!(
            judge(&Event::ConnectFailure(refused), 0),
            Some(Verdict::End(ConnState::Ended(Ending::Refused {
                code: 409,
                message: None
            })))
        );
    }

    #[test]
    fn an_outage_and_a_lost_stream_retry() {
        let outage = ConnectFailure::builder()
            .reason(ConnectFailureReason::ServiceUnavailable)
            .build();
        assert_eq!(
            judge(&Event::ConnectFailure(outage), 0),
            Some(Verdict::Retrying("WhatsApp is unavailable (503)".into()))
        );
        let lost = Disconnected::builder()
            .reason(DisconnectReason::ReadError("reset by peer".into()))
            .build();
        assert_eq!(
            judge(&Event::Disconnected(lost), 0),
            Some(Verdict::Retrying("connection lost (reset by peer)".into()))
        );
    }

    #[test]
    fn logouts_say_why() {
        let removed = LoggedOut::builder()
            .on_connect(false)
            .reason(ConnectFailureReason::LoggedOut)
            .build();
        assert_eq!(
            judge(&Event::LoggedOut(removed), 0),
            Some(Verdict::End(ConnState::LoggedOut(LogoutReason::Removed)))
        );
        let locked = LoggedOut::builder()
            .on_connect(true)
            .reason(ConnectFailureReason::AccountLocked)
            .logout_message(
                LogoutMessage::builder()
                    .header("Account locked".to_string())
                    .subtext("Contact support".to_string())
                    .build(),
            )
            .build();
        assert_eq!(
            logout_reason(match &Event::LoggedOut(locked) {
                Event::LoggedOut(l) => l,
                _ => unreachable!(),
            }),
            LogoutReason::Locked {
                text: Some("Account locked: Contact support".into())
            }
        );
    }

    #[test]
    fn retry_delays_follow_whatsapp_rust() {
        let delays: Vec<u64> = (1..=7).map(retry_delay_secs).collect();
        assert_eq!(delays, vec![1, 1, 2, 3, 5, 8, 13]);
        assert_eq!(retry_delay_secs(40), 900);
    }
}
