//! Which of WhatsApp's variants the simulator sends where WhatsApp itself varies: each is a
//! scenario option (`[server]`), so wamod is tested against every shape, not only the one it
//! expects.

/// How a participant answer (add, remove, promote, demote, approve, reject) names people in a
/// LID-addressed group. WhatsApp answers a request that named a phone number with the person's
/// `@lid` JID, with or without `phone_number` (wacore iq/groups.rs reads `jid`, `error`,
/// `phone_number`; whatsmeow `GroupParticipant` has `LID`/`PhoneNumber` for the same reason).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LidAnswers {
    /// Echo the JID the client asked with (what older servers did; wamod's old assumption).
    AsAsked,
    /// The `@lid` JID with a `phone_number` attribute.
    #[default]
    LidWithPhone,
    /// The `@lid` JID alone.
    LidOnly,
}

impl LidAnswers {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "as_asked" => Some(Self::AsAsked),
            "lid_with_phone" => Some(Self::LidWithPhone),
            "lid_only" => Some(Self::LidOnly),
            _ => None,
        }
    }
}

/// The simulator's choices among WhatsApp's variants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Shapes {
    pub lid_answers: LidAnswers,
    /// The device that made a change gets no notification of it (its other devices and the
    /// other members do). WhatsApp echoes most changes to the acting device, but not reliably
    /// (whatsmeow and Baileys apply their own changes from the answer for this reason).
    pub no_echo: bool,
}
