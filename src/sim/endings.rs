//! How WhatsApp ends or refuses a connection, for the simulator to do the same: kicks
//! (`<stream:error><conflict type=…>`), refused logins (`<failure reason=…>`) and the minimum
//! client version. Shapes from whatsapp-rust 0.7's readers: client/node_io.rs
//! `handle_stream_error` (conflict `replaced` / `device_removed`) and wacore
//! stanza/connect_failure.rs (`reason`, `code`, `expire`, `logout_message_*`), as whatsmeow's
//! connectionevents.go reads them too.

use std::collections::VecDeque;

use whatsapp_rust::wacore_binary::Node;
use whatsapp_rust::wacore_binary::builder::NodeBuilder;

use super::state::{Outbound, Shared, SimEvent, State};

/// A WhatsApp Web version, as announced in the login payload's user agent.
pub type Version = (u32, u32, u32);

/// How `kick` ends a device's connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kick {
    /// Another client logged in with the same keys.
    Replaced,
    /// The device was unlinked from the phone: its keys stop working too.
    Removed,
}

impl Kick {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "replaced" => Some(Kick::Replaced),
            "removed" => Some(Kick::Removed),
            _ => None,
        }
    }
}

/// One refused login: `<failure reason=…>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginFailure {
    /// 402 temporary ban, 403 account locked, 405 outdated client, 503 service unavailable
    /// (or any other code WhatsApp uses).
    pub reason: u16,
    /// 402: the ban's length in seconds (WhatsApp sends a duration, not a deadline).
    pub expire: Option<u64>,
    /// 402: the ban's reason code (101..106; wacore `TempBanReason`).
    pub code: Option<u16>,
}

impl LoginFailure {
    pub fn new(reason: u16) -> Self {
        Self {
            reason,
            expire: None,
            code: None,
        }
    }

    /// The stanza WhatsApp answers a login with.
    pub fn node(&self) -> Node {
        let mut b = NodeBuilder::new("failure")
            .attr("reason", self.reason.to_string())
            .attr("location", "sim");
        if self.reason == 402 {
            b = b
                .attr("code", self.code.unwrap_or(103).to_string())
                .attr("expire", self.expire.unwrap_or(3600).to_string());
        }
        if self.reason == 403 {
            // An account lock carries the text WhatsApp wants shown (WA Web: WAWebHandleFailure).
            b = b
                .attr("logout_message_header", "Your account is locked")
                .attr(
                    "logout_message_subtext",
                    "Open WhatsApp on your phone to appeal",
                )
                .attr("logout_message_locale", "en");
        }
        b.build()
    }
}

/// Queues `count` refusals for the next logins of `phone`.
pub fn fail_logins(state: &mut State, phone: &str, failure: LoginFailure, count: u32) {
    let queue = state.login_failures.entry(phone.to_string()).or_default();
    queue.extend(std::iter::repeat_n(failure, count as usize));
}

/// The refusal this login of `phone` gets, if one is queued.
pub fn take_login_failure(state: &mut State, phone: &str) -> Option<LoginFailure> {
    let queue: &mut VecDeque<LoginFailure> = state.login_failures.get_mut(phone)?;
    let failure = queue.pop_front();
    if queue.is_empty() {
        state.login_failures.remove(phone);
    }
    failure
}

/// Whether a client announcing `version` is too old for the server's minimum.
pub fn outdated(state: &State, version: Option<Version>) -> bool {
    match (state.min_version, version) {
        (Some(min), Some(v)) => v < min,
        (Some(_), None) => true,
        (None, _) => false,
    }
}

/// Ends every logged-in connection of `phone` the way WhatsApp does; returns how many.
/// A removal also forgets the devices, so their next login is refused (401).
pub fn kick(shared: &Shared, phone: &str, how: Kick) -> usize {
    let kind = match how {
        Kick::Replaced => "replaced",
        Kick::Removed => "device_removed",
    };
    let mut st = shared.lock();
    let mut kicked = Vec::new();
    for (_, c) in st.conns_of(phone) {
        let error = NodeBuilder::new("stream:error")
            .children([NodeBuilder::new("conflict").attr("type", kind).build()])
            .build();
        if c.tx.send(Outbound::Node(error)).is_ok() {
            let _ = c.tx.send(Outbound::Close);
            if let super::state::Phase::LoggedIn { device, .. } = c.phase {
                kicked.push(device);
            }
        }
    }
    if how == Kick::Removed {
        st.devices.retain(|(p, _), _| p != phone);
    }
    drop(st);
    for device in &kicked {
        if how == Kick::Removed {
            shared.emit(SimEvent::DeviceRemoved {
                phone: phone.to_string(),
                device: *device,
            });
        }
    }
    kicked.len()
}

/// `"2.3000.1030000000"` as a version.
pub fn parse_version(s: &str) -> Option<Version> {
    let mut parts = s.trim().split('.').map(|p| p.parse::<u32>().ok());
    let v = (parts.next()??, parts.next()??, parts.next()??);
    parts.next().is_none().then_some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_queue_per_phone_and_run_out() {
        let mut st = State::default();
        fail_logins(&mut st, "1555", LoginFailure::new(503), 2);
        assert_eq!(
            take_login_failure(&mut st, "1555").map(|f| f.reason),
            Some(503)
        );
        assert!(take_login_failure(&mut st, "1666").is_none());
        assert!(take_login_failure(&mut st, "1555").is_some());
        assert!(take_login_failure(&mut st, "1555").is_none());
        assert!(st.login_failures.is_empty());
    }

    #[test]
    fn a_ban_names_its_code_and_length() {
        let node = LoginFailure {
            reason: 402,
            expire: Some(600),
            code: Some(101),
        }
        .node();
        let attr = |k: &str| node.attrs.get(k).map(|v| v.as_str().into_owned());
        assert_eq!(attr("reason").as_deref(), Some("402"));
        assert_eq!(attr("code").as_deref(), Some("101"));
        assert_eq!(attr("expire").as_deref(), Some("600"));
    }

    #[test]
    fn versions_compare_as_numbers() {
        let mut st = State::default();
        assert!(!outdated(&st, Some((2, 3000, 1))));
        st.min_version = parse_version("2.3000.1030000000");
        assert!(outdated(&st, Some((2, 3000, 999_999_999))));
        assert!(!outdated(&st, Some((2, 3000, 1_030_000_000))));
        assert!(outdated(&st, None));
        assert_eq!(parse_version("2.3000"), None);
        assert_eq!(parse_version("2.3000.1.4"), None);
    }
}
