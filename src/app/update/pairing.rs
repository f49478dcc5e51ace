//! The pairing popup: a QR code to scan, or a phone number to type for a pairing code. It opens
//! when the engine sends the first QR code, and closes once the session connects.

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use super::{Action, Effect};
use crate::app::state::{AppState, Pairing, Pane, Popup};
use crate::domain::{ConnState, SessionId};

/// Characters a phone number may be typed with.
const PHONE_CHARS: &str = "+ -()";
/// The most characters the phone-number entry takes.
const PHONE_INPUT_MAX: usize = 24;

pub(super) fn pairing_key(
    state: &mut AppState,
    session: SessionId,
    pairing: Pairing,
    key: KeyEvent,
) -> Vec<Effect> {
    let set = |state: &mut AppState, p: Pairing| {
        state.popup = Some(Popup::Pairing { session, state: p });
    };
    match (pairing, key.code) {
        (Pairing::EnterPhone { .. }, KeyCode::Esc) => {
            // Back to the QR code (the engine keeps showing fresh ones).
            set(state, Pairing::Waiting);
            Vec::new()
        }
        (_, KeyCode::Esc) => {
            state.popup = None;
            vec![Effect::Send(Action::CancelPairing(session))]
        }
        (Pairing::EnterPhone { input, .. }, KeyCode::Enter) => submit_phone(state, session, input),
        (Pairing::EnterPhone { mut input, .. }, KeyCode::Backspace) => {
            input.pop();
            set(state, Pairing::EnterPhone { input, error: None });
            Vec::new()
        }
        (Pairing::EnterPhone { mut input, .. }, KeyCode::Char(c))
            if (c.is_ascii_digit() || PHONE_CHARS.contains(c)) && input.len() < PHONE_INPUT_MAX =>
        {
            input.push(c);
            set(state, Pairing::EnterPhone { input, error: None });
            Vec::new()
        }
        // The codes ran out (or WhatsApp refused): a new round.
        (Pairing::Waiting, KeyCode::Char('r'))
            if state
                .session(session)
                .is_some_and(|s| matches!(s.conn, ConnState::Ended(_))) =>
        {
            vec![Effect::Send(Action::Refresh(session))]
        }
        (Pairing::Waiting | Pairing::Qr { .. }, KeyCode::Char('P' | 'p')) => {
            set(state, empty_phone_entry());
            Vec::new()
        }
        _ => Vec::new(),
    }
}

fn empty_phone_entry() -> Pairing {
    Pairing::EnterPhone {
        input: String::new(),
        error: None,
    }
}

/// Enter on the phone number: ask for a pairing code, or say what to fix (keeping the text).
fn submit_phone(state: &mut AppState, session: SessionId, input: String) -> Vec<Effect> {
    let (pairing, effects) = match normalize_phone(&input) {
        Ok(phone) => (
            Pairing::RequestingCode {
                phone: phone.clone(),
            },
            vec![Effect::Send(Action::PairWithPhone { session, phone })],
        ),
        Err(error) => (
            Pairing::EnterPhone {
                input: input.trim().to_string(),
                error: Some(error),
            },
            Vec::new(),
        ),
    };
    state.popup = Some(Popup::Pairing {
        session,
        state: pairing,
    });
    effects
}

/// International format: optional `+`, spaces/dashes/brackets allowed, 8-15 digits. Returns the
/// digits.
pub fn normalize_phone(input: &str) -> Result<String, String> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err("Type the phone number in international format, e.g. +1 555 000 1111".into());
    }
    let body = trimmed.strip_prefix('+').unwrap_or(trimmed);
    if body.contains('+') {
        return Err("Only one leading + is allowed".into());
    }
    let digits: String = body.chars().filter(|c| c.is_ascii_digit()).collect();
    if body
        .chars()
        .any(|c| !(c.is_ascii_digit() || " -()".contains(c)))
    {
        return Err("Only digits, spaces, dashes and brackets".into());
    }
    if digits.starts_with('0') {
        return Err("Start with the country code, not 0 (e.g. +44 7700 900123)".into());
    }
    if !(8..=15).contains(&digits.len()) {
        return Err(format!(
            "{} digits: a number in international format has 8 to 15",
            digits.len()
        ));
    }
    Ok(digits)
}

/// A paste into the phone-number entry keeps the characters a number may have; true if the
/// entry is open.
pub(super) fn paste(state: &mut AppState, text: &str) -> bool {
    let Some(Popup::Pairing {
        session,
        state: Pairing::EnterPhone { input, .. },
    }) = &state.popup
    else {
        return false;
    };
    let mut input = input.clone();
    input.extend(
        text.chars()
            .filter(|c| c.is_ascii_digit() || PHONE_CHARS.contains(*c))
            .take(PHONE_INPUT_MAX),
    );
    state.popup = Some(Popup::Pairing {
        session: *session,
        state: Pairing::EnterPhone { input, error: None },
    });
    true
}

/// `P`: pair the session under the cursor by phone number if it is pairing, else a new
/// session whose popup opens on the phone-number entry.
pub(super) fn pair_by_phone(state: &mut AppState) -> Vec<Effect> {
    let pairing = state
        .sessions
        .get(state.list(Pane::Sessions).cursor)
        .filter(|s| s.conn == ConnState::Pairing)
        .map(|s| s.id);
    match pairing {
        Some(session) => {
            state.popup = Some(Popup::Pairing {
                session,
                state: empty_phone_entry(),
            });
            Vec::new()
        }
        None => {
            state.pair_by_phone_next = true;
            vec![Effect::Send(Action::NewSession)]
        }
    }
}

/// A fresh QR code opens the popup (or the phone entry, after `P`), unless another popup is up
/// or the phone flow is under way: a rotating code must not interrupt typing.
pub(super) fn on_qr(
    state: &mut AppState,
    session: SessionId,
    code: String,
    valid_secs: u64,
) -> Vec<Effect> {
    let expires_at = state.now + i64::try_from(valid_secs).unwrap_or(60);
    let keep_phone_flow = matches!(
        &state.popup,
        Some(Popup::Pairing { session: s, state: p }) if *s == session
            && matches!(p, Pairing::EnterPhone { .. } | Pairing::RequestingCode { .. } | Pairing::Code { .. })
    );
    if keep_phone_flow {
        return Vec::new();
    }
    let other_popup = state.popup.is_some()
        && !matches!(&state.popup, Some(Popup::Pairing { session: s, .. }) if *s == session);
    if other_popup {
        return Vec::new();
    }
    let pairing = if std::mem::take(&mut state.pair_by_phone_next) {
        empty_phone_entry()
    } else {
        Pairing::Qr { code, expires_at }
    };
    state.popup = Some(Popup::Pairing {
        session,
        state: pairing,
    });
    Vec::new()
}

/// The pairing code for the number asked with.
pub(super) fn on_pair_code(state: &mut AppState, session: SessionId, code: String) -> Vec<Effect> {
    let phone = match &state.popup {
        Some(Popup::Pairing {
            state: Pairing::RequestingCode { phone },
            ..
        }) => phone.clone(),
        _ => String::new(),
    };
    state.popup = Some(Popup::Pairing {
        session,
        state: Pairing::Code { phone, code },
    });
    Vec::new()
}
