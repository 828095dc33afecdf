//! Fault injection: rules that make the simulator misbehave on purpose, so a
//! vendor can prove their system copes with a slow, failing or refusing archive.
//!
//! Owns: the rule list, matching a message to a rule (by system and/or
//! interaction, for the next N messages or inside a time window on the
//! simulator's clock), and counting uses. The transport carries the action out.

use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// What to do to a matching message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FaultAction {
    /// Wait this long, then process normally.
    Delay {
        /// Milliseconds.
        ms: u64,
    },
    /// Answer with this HTTP status (and a SOAP Fault body), without processing.
    HttpStatus {
        /// Status code, 400–599.
        status: u16,
    },
    /// Answer with a SOAP Fault, without processing.
    SoapFault,
    /// Answer with an HL7 AR acknowledgement, without processing.
    Hl7Reject,
    /// Drop the connection without an answer.
    DropConnection,
}

/// A rule as given to the admin API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultSpec {
    /// Only messages from this system (registry name).
    #[serde(default)]
    pub system: Option<String>,
    /// Only this interaction id.
    #[serde(default)]
    pub interaction: Option<String>,
    /// The action.
    pub action: FaultAction,
    /// Apply to at most this many messages, then expire.
    #[serde(default)]
    pub count: Option<u32>,
    /// Apply only from this simulated time (RFC 3339).
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub from: Option<OffsetDateTime>,
    /// Apply only until this simulated time.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub until: Option<OffsetDateTime>,
}

/// A stored rule with its id and usage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FaultRule {
    /// Id for removal.
    pub id: u64,
    /// The rule.
    #[serde(flatten)]
    pub spec: FaultSpec,
    /// Messages it has acted on.
    pub used: u32,
}

/// A rule that cannot be accepted.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FaultError {
    /// Status outside 400–599.
    #[error("http_status must be between 400 and 599, got {0}")]
    Status(u16),
    /// Delay too long.
    #[error("delay must be at most 120000 ms, got {0}")]
    Delay(u64),
    /// count = 0.
    #[error("count must be at least 1")]
    Count,
    /// Window ends before it starts.
    #[error("'until' is before 'from'")]
    Window,
}

#[derive(Debug, Default)]
struct Inner {
    next_id: u64,
    rules: Vec<FaultRule>,
}

/// The active rules.
#[derive(Debug, Default)]
pub struct Faults {
    inner: Mutex<Inner>,
}

impl Faults {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Adds a rule after checking it.
    pub fn add(&self, spec: FaultSpec) -> Result<FaultRule, FaultError> {
        match spec.action {
            FaultAction::HttpStatus { status } if !(400..=599).contains(&status) => {
                return Err(FaultError::Status(status))
            }
            FaultAction::Delay { ms } if ms > 120_000 => return Err(FaultError::Delay(ms)),
            _ => {}
        }
        if spec.count == Some(0) {
            return Err(FaultError::Count);
        }
        if let (Some(f), Some(u)) = (spec.from, spec.until) {
            if u < f {
                return Err(FaultError::Window);
            }
        }
        let mut g = self.lock();
        g.next_id += 1;
        let rule = FaultRule { id: g.next_id, spec, used: 0 };
        g.rules.push(rule.clone());
        Ok(rule)
    }

    /// The rules, oldest first.
    pub fn list(&self) -> Vec<FaultRule> {
        self.lock().rules.clone()
    }

    /// Removes a rule; false when there was none.
    pub fn remove(&self, id: u64) -> bool {
        let mut g = self.lock();
        let before = g.rules.len();
        g.rules.retain(|r| r.id != id);
        g.rules.len() != before
    }

    /// Removes all rules.
    pub fn clear(&self) {
        self.lock().rules.clear();
    }

    /// The first rule matching, counted as used (a rule whose count runs out is removed).
    pub fn take_match(&self, system: Option<&str>, interaction: &str, now: OffsetDateTime) -> Option<FaultAction> {
        let mut g = self.lock();
        let idx = g.rules.iter().position(|r| {
            let s = &r.spec;
            s.system.as_deref().is_none_or(|x| Some(x) == system)
                && s.interaction.as_deref().is_none_or(|x| x == interaction)
                && s.from.is_none_or(|f| now >= f)
                && s.until.is_none_or(|u| now < u)
        })?;
        let rule = &mut g.rules[idx];
        rule.used += 1;
        let action = rule.spec.action.clone();
        if rule.spec.count.is_some_and(|c| rule.used >= c) {
            g.rules.remove(idx);
        }
        Some(action)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn spec(action: FaultAction) -> FaultSpec {
        FaultSpec { system: None, interaction: None, action, count: None, from: None, until: None }
    }

    #[test]
    fn counted_rule_expires_after_its_messages() {
        let f = Faults::default();
        f.add(FaultSpec { count: Some(2), system: Some("a".into()), ..spec(FaultAction::SoapFault) }).expect("add");
        let now = datetime!(2026-11-01 0:00 UTC);
        assert_eq!(f.take_match(Some("b"), "X", now), None);
        assert_eq!(f.take_match(Some("a"), "X", now), Some(FaultAction::SoapFault));
        assert_eq!(f.take_match(Some("a"), "X", now), Some(FaultAction::SoapFault));
        assert_eq!(f.take_match(Some("a"), "X", now), None);
        assert!(f.list().is_empty());
    }

    #[test]
    fn window_follows_the_simulated_clock() {
        let f = Faults::default();
        f.add(FaultSpec {
            from: Some(datetime!(2026-01-01 0:00 UTC)),
            until: Some(datetime!(2026-02-01 0:00 UTC)),
            ..spec(FaultAction::Hl7Reject)
        })
        .expect("add");
        assert_eq!(f.take_match(None, "X", datetime!(2025-12-31 23:59 UTC)), None);
        assert_eq!(f.take_match(None, "X", datetime!(2026-01-15 0:00 UTC)), Some(FaultAction::Hl7Reject));
        assert_eq!(f.take_match(None, "X", datetime!(2026-02-01 0:00 UTC)), None);
    }

    #[test]
    fn refuses_nonsense_rules() {
        let f = Faults::default();
        assert_eq!(f.add(spec(FaultAction::HttpStatus { status: 200 })), Err(FaultError::Status(200)));
        assert_eq!(f.add(FaultSpec { count: Some(0), ..spec(FaultAction::SoapFault) }), Err(FaultError::Count));
        let id = f.add(spec(FaultAction::Delay { ms: 5 })).expect("ok").id;
        assert!(f.remove(id));
        assert!(!f.remove(id));
    }
}
