//! A session's connection to WhatsApp, and every way it can end, as whatsapp-rust 0.7 reports
//! them (wacore `types/events.rs`: `StreamReplaced`, `TemporaryBan`, `ClientOutdated`,
//! `ConnectFailure`, `LoggedOut`, `PairingQrCodesExhausted`, `QrScannedWithoutMultidevice`).
//! The UI puts these into words (`ui/conn_words.rs`).

/// A session's connection to WhatsApp.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ConnState {
    /// Not linked yet: showing a QR code or a pairing code.
    #[default]
    Pairing,
    Connecting,
    Connected,
    /// Lost, or not reached: whatsapp-rust (or the engine) tries again by itself.
    Disconnected {
        /// Why, in words ("cannot reach WhatsApp (connection refused)").
        reason: String,
        /// About how long until the next try, when known.
        retry_in_secs: Option<u64>,
        /// Tries since the session was last connected (1 = the first failed).
        attempt: u32,
    },
    /// The connection ended and stays down until the user acts (the keys are still valid).
    Ended(Ending),
    /// The device is unlinked: its keys are gone, only linking again helps.
    LoggedOut(LogoutReason),
}

/// Why a connection ended for good (until the user reconnects).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ending {
    /// `<stream:error><conflict type="replaced">` (or code 409): another client logged in with
    /// these keys (a second wamod, or WhatsApp Web restored elsewhere).
    Replaced,
    /// `<failure reason="402" code=… expire=…>`: WhatsApp banned the account for a while.
    TemporaryBan {
        code: i32,
        /// WhatsApp's reason in words (wacore's `TempBanReason` text).
        why: String,
        /// Unix seconds when the ban ends.
        until: i64,
    },
    /// `<failure reason="405">`: the announced WhatsApp Web version is too old.
    Outdated,
    /// Another `<failure reason=…>` that turns auto-reconnect off (400, 409, 413, 418, ...).
    Refused { code: i32, message: Option<String> },
    /// Nobody scanned the QR codes in time; a new round starts on request.
    QrCodesExpired,
    /// The phone scanned the code but its WhatsApp cannot link devices (no multi-device).
    ScannedWithoutMultidevice,
}

/// Why a device was logged out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogoutReason {
    /// Unlinked from the phone (`conflict device_removed`, 516, 401).
    Removed,
    /// `<failure reason="403">`: WhatsApp locked the account; its own words when it sent any.
    Locked { text: Option<String> },
    /// Another logout code (406, ...).
    Other { code: i32 },
}

impl ConnState {
    /// One word for filters and tests.
    pub fn label(&self) -> &'static str {
        match self {
            ConnState::Pairing => "pairing",
            ConnState::Connecting => "connecting",
            ConnState::Connected => "online",
            ConnState::Disconnected { .. } => "offline",
            ConnState::Ended(_) => "stopped",
            ConnState::LoggedOut(_) => "logged out",
        }
    }

    pub fn is_logged_out(&self) -> bool {
        matches!(self, ConnState::LoggedOut(_))
    }
}
