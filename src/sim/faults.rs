//! Fault injection: what the simulator does instead of (or on top of) answering a request.

use std::time::Duration;

/// What to do with a matching request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FaultAction {
    /// Answer `<error code text [backoff]/>` without applying anything (e.g. 429 rate-overlimit, 500).
    Error {
        code: u16,
        text: String,
        backoff: Option<u32>,
    },
    /// Never answer: the client's request times out.
    Swallow,
    /// Close the connection instead of answering; nothing is applied.
    DropBefore,
    /// Apply the operation (and notify others), then close the connection before the answer goes
    /// out: the client cannot know it happened.
    DropAfter,
}

impl FaultAction {
    pub fn error(code: u16, text: &str) -> Self {
        FaultAction::Error {
            code,
            text: text.to_string(),
            backoff: None,
        }
    }
    /// WhatsApp's answer when a client sends too fast.
    pub fn rate_overlimit() -> Self {
        FaultAction::error(429, "rate-overlimit")
    }
}

/// A rule: after `after` requests of `kind` ("*" = any group request) went through, the next
/// `remaining` get `action` (a fault in the middle of a bulk operation's batches).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultRule {
    pub kind: String,
    pub action: FaultAction,
    pub remaining: u32,
    pub after: u32,
}

#[derive(Debug, Default)]
pub struct Faults {
    rules: Vec<FaultRule>,
    /// Added before every IQ answer.
    pub latency: Duration,
}

impl Faults {
    pub fn push(&mut self, kind: &str, action: FaultAction, count: u32) {
        self.push_after(kind, action, count, 0);
    }

    /// Like `push`, once `after` matching requests have gone through unharmed.
    pub fn push_after(&mut self, kind: &str, action: FaultAction, count: u32, after: u32) {
        if count > 0 {
            self.rules.push(FaultRule {
                kind: kind.to_string(),
                action,
                remaining: count,
                after,
            });
        }
    }

    /// Consumes one use of the first rule matching `kind` (or one of its requests to let by).
    pub fn take(&mut self, kind: &str) -> Option<FaultAction> {
        let idx = self
            .rules
            .iter()
            .position(|r| r.kind == kind || r.kind == "*")?;
        let rule = &mut self.rules[idx];
        if rule.after > 0 {
            rule.after -= 1;
            return None;
        }
        rule.remaining -= 1;
        let action = rule.action.clone();
        if rule.remaining == 0 {
            self.rules.remove(idx);
        }
        Some(action)
    }

    pub fn clear(&mut self) {
        self.rules.clear();
        self.latency = Duration::ZERO;
    }

    pub fn pending(&self) -> &[FaultRule] {
        &self.rules
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_apply_in_order_and_expire() {
        let mut f = Faults::default();
        f.push("add", FaultAction::rate_overlimit(), 2);
        f.push("*", FaultAction::Swallow, 1);
        assert_eq!(f.take("add"), Some(FaultAction::rate_overlimit()));
        assert_eq!(f.take("remove"), Some(FaultAction::Swallow));
        assert_eq!(f.take("add"), Some(FaultAction::rate_overlimit()));
        assert_eq!(f.take("add"), None);
        assert!(f.pending().is_empty());
    }

    #[test]
    fn zero_count_adds_nothing() {
        let mut f = Faults::default();
        f.push("add", FaultAction::DropBefore, 0);
        assert_eq!(f.take("add"), None);
    }
}
