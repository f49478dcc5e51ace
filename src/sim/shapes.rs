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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shapes {
    pub lid_answers: LidAnswers,
    /// The device that made a change gets no notification of it (its other devices and the
    /// other members do). WhatsApp echoes most changes to the acting device, but not reliably
    /// (whatsmeow and Baileys apply their own changes from the answer for this reason).
    pub no_echo: bool,
    /// Notifications kept per offline device, delivered when it logs in (before
    /// `<ib><offline count=N/>`); the oldest go first when it is full. 0 keeps none.
    pub offline_queue: usize,
    /// Group reads allowed per account and window; past it, 429 (see `read_budget`).
    pub read_budget: super::read_budget::ReadBudget,
}

/// What WhatsApp keeps for an offline device, at most (it keeps days of them; a bound keeps
/// the simulator's memory in check).
pub const OFFLINE_QUEUE: usize = 1000;

impl Default for Shapes {
    fn default() -> Self {
        Self {
            lid_answers: LidAnswers::default(),
            no_echo: false,
            offline_queue: OFFLINE_QUEUE,
            read_budget: Default::default(),
        }
    }
}
