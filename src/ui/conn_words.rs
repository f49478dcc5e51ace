//! A session's connection in words: a short badge for the sessions pane, and a sentence with
//! what happened and what to do (keys from the live keymap) for the status bar, the groups
//! pane and the pairing popup.

use crate::app::keymap::{Command, Context};
use crate::app::state::{AppState, clock};
use crate::domain::{ConnState, Ending, LogoutReason};

/// The sessions pane's badge ("● online", "✕ replaced").
pub fn badge_text(conn: &ConnState) -> String {
    match conn {
        ConnState::Connected => "● online".into(),
        ConnState::Connecting => "◌ connecting".into(),
        ConnState::Pairing => "◇ pairing".into(),
        ConnState::Disconnected {
            retry_in_secs: Some(s),
            ..
        } => format!("○ offline {s}s"),
        ConnState::Disconnected { .. } => "○ offline".into(),
        ConnState::Ended(e) => match e {
            Ending::Replaced => "✕ replaced",
            Ending::TemporaryBan { .. } => "✕ banned",
            Ending::Outdated => "✕ outdated",
            Ending::Refused { .. } => "✕ refused",
            Ending::QrCodesExpired => "◇ QR expired",
            Ending::ScannedWithoutMultidevice => "✕ old phone",
        }
        .into(),
        ConnState::LoggedOut(LogoutReason::Removed) => "○ removed".into(),
        ConnState::LoggedOut(LogoutReason::Locked { .. }) => "✕ locked".into(),
        ConnState::LoggedOut(LogoutReason::Other { .. }) => "○ logged out".into(),
    }
}

/// Whether the state is bad news (shown in the error colour) rather than a passing one.
pub fn is_alarm(conn: &ConnState) -> bool {
    matches!(conn, ConnState::Ended(_) | ConnState::LoggedOut(_))
}

/// What happened and what to do; `None` while all is well (online, connecting, pairing).
pub fn sentence(state: &AppState, conn: &ConnState) -> Option<String> {
    let key = |cmd: Command| {
        let k = state.keymap.keys_label(Context::Sessions, cmd);
        if k.is_empty() { "the menu".into() } else { k }
    };
    let reconnect = key(Command::Refresh);
    let relink = key(Command::NewSession);
    Some(match conn {
        ConnState::Connected | ConnState::Connecting | ConnState::Pairing => return None,
        ConnState::Disconnected {
            reason,
            retry_in_secs,
            attempt,
        } => match (retry_in_secs, attempt) {
            (Some(s), 1..) => format!("{reason} · retrying in {s} s (attempt {attempt})"),
            _ => format!("{reason} · reconnecting"),
        },
        ConnState::Ended(e) => match e {
            Ending::Replaced => {
                format!(
                    "replaced: another wamod or WhatsApp Web took over · {reconnect} reconnects"
                )
            }
            // WhatsApp's reason is in the feed; here what fits a line.
            Ending::TemporaryBan { code, until, .. } => format!(
                "temporarily banned ({code}) until {} · {reconnect} reconnects then",
                clock(state.now, *until)
            ),
            Ending::Outdated => format!(
                "outdated WhatsApp Web version · update wamod or set wa_version, then {reconnect}"
            ),
            Ending::Refused {
                code,
                message: Some(m),
            } => format!("refused by WhatsApp ({code}: {m}) · {reconnect} tries again"),
            Ending::Refused { code, .. } => {
                format!("refused by WhatsApp ({code}) · {reconnect} tries again")
            }
            Ending::QrCodesExpired => {
                format!("no phone scanned the QR codes · {reconnect} shows new ones")
            }
            Ending::ScannedWithoutMultidevice => {
                format!("the phone's WhatsApp cannot link devices · update it, then {reconnect}")
            }
        },
        ConnState::LoggedOut(reason) => match reason {
            LogoutReason::Removed => format!("removed from your phone · {relink} links again"),
            // WhatsApp's own text is in the feed.
            LogoutReason::Locked { .. } => format!(
                "WhatsApp locked the account · appeal on the phone, then {relink} links again"
            ),
            LogoutReason::Other { code } => {
                format!("logged out by WhatsApp ({code}) · {relink} links again")
            }
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::keymap::Keymap;

    fn state() -> AppState {
        AppState::new(Keymap::default(), 1_000_000)
    }

    #[test]
    fn every_ending_says_what_to_do_with_the_live_keys() {
        let s = state();
        let said = |c: ConnState| sentence(&s, &c).unwrap_or_default();
        assert!(said(ConnState::Ended(Ending::Replaced)).ends_with("· r reconnects"));
        assert!(said(ConnState::Ended(Ending::Outdated)).contains("set wa_version"));
        assert!(
            said(ConnState::LoggedOut(LogoutReason::Removed))
                .starts_with("removed from your phone · n links again")
        );
        let ban = said(ConnState::Ended(Ending::TemporaryBan {
            code: 103,
            why: "too many groups".into(),
            until: 1_000_000 + 3600,
        }));
        assert_eq!(
            ban,
            "temporarily banned (103) until 14:46 · r reconnects then"
        );
        let offline = said(ConnState::Disconnected {
            reason: "cannot reach WhatsApp (refused)".into(),
            retry_in_secs: Some(5),
            attempt: 5,
        });
        assert_eq!(
            offline,
            "cannot reach WhatsApp (refused) · retrying in 5 s (attempt 5)"
        );
        assert_eq!(sentence(&s, &ConnState::Connected), None);
    }
}
