//! Message journal: every request the simulator received and what it answered,
//! durable, for vendors debugging a failed test case and for the harness, which
//! judges every scenario by what arrived here — not by what a client claims.
//!
//! Owns: [`JournalEntry`], [`Outcome`], [`JournalFilter`]. Storage is the
//! store's job; this module only defines the records and their filtering.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// How a message ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// HL7 AA.
    Accepted,
    /// HL7 AE.
    ApplicationError,
    /// HL7 AR.
    Rejected,
    /// SOAP Fault (transport level).
    Fault,
    /// TLS handshake refused (no certificate, unknown CA, expired …).
    TlsRefused,
}

impl Outcome {
    /// Parses the snake_case name used in the admin API.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "accepted" => Outcome::Accepted,
            "application_error" => Outcome::ApplicationError,
            "rejected" => Outcome::Rejected,
            "fault" => Outcome::Fault,
            "tls_refused" => Outcome::TlsRefused,
            _ => return None,
        })
    }
}

/// One journal record.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct JournalEntry {
    /// Sequence number, assigned by the store (monotonic).
    #[serde(default)]
    pub seq: u64,
    /// Simulated time of receipt.
    #[serde(with = "time::serde::rfc3339")]
    pub time: OffsetDateTime,
    /// Remote address.
    pub peer: Option<String>,
    /// Registered system name, when identified.
    pub system: Option<String>,
    /// Certificate subject (CN / organisation), when a certificate was shown.
    pub certificate: Option<String>,
    /// Interaction id (root element), when readable.
    pub interaction: Option<String>,
    /// Request message id, when readable.
    pub message_id: Option<String>,
    /// Outcome.
    pub outcome: Outcome,
    /// Detail codes in the answer.
    pub ack_codes: Vec<String>,
    /// Controller the message acted for, when known.
    #[serde(default)]
    pub controller: Option<String>,
    /// Document ids the message stored or touched.
    #[serde(default)]
    pub documents: Vec<String>,
    /// HTTP status sent.
    pub http_status: u16,
    /// Milliseconds spent.
    pub duration_ms: u64,
    /// Raw request (UTF-8 lossy), cut at the journal limit.
    pub request: String,
    /// Raw response.
    pub response: String,
    /// Whether the request text was cut.
    #[serde(default)]
    pub request_truncated: bool,
}

/// Largest request text kept in one entry.
pub const MAX_JOURNALLED_BODY: usize = 1024 * 1024;

impl JournalEntry {
    /// The part of a request body the journal keeps (at most [`MAX_JOURNALLED_BODY`] bytes,
    /// as received), and whether it was cut.
    pub fn kept(body: &[u8]) -> (&[u8], bool) {
        match body.get(..MAX_JOURNALLED_BODY) {
            Some(head) if body.len() > MAX_JOURNALLED_BODY => (head, true),
            _ => (body, false),
        }
    }

    /// The entry without its bodies (for listings).
    pub fn summary(&self) -> JournalEntry {
        JournalEntry { request: String::new(), response: String::new(), ..self.clone() }
    }
}

/// Which entries to list.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct JournalFilter {
    /// Only this system.
    pub system: Option<String>,
    /// Only this interaction id.
    pub interaction: Option<String>,
    /// Only this outcome (snake_case name).
    pub outcome: Option<String>,
    /// Only entries at or after this simulated time (RFC 3339).
    pub since: Option<String>,
    /// Only entries with a sequence number greater than this.
    pub after_seq: Option<u64>,
    /// Only entries naming this message id.
    pub message_id: Option<String>,
    /// At most this many (newest first); default 100.
    pub limit: Option<usize>,
}

/// A filter value that does not parse.
#[derive(Debug, thiserror::Error)]
pub enum FilterError {
    /// Unknown outcome name.
    #[error("unknown outcome '{0}' (use accepted, application_error, rejected, fault or tls_refused)")]
    Outcome(String),
    /// Bad time.
    #[error("'since' is not an RFC 3339 time: '{0}'")]
    Since(String),
}

/// A checked filter.
#[derive(Debug, Clone, Default)]
pub struct Matcher {
    system: Option<String>,
    interaction: Option<String>,
    outcome: Option<Outcome>,
    since: Option<OffsetDateTime>,
    after_seq: Option<u64>,
    message_id: Option<String>,
    /// How many to return at most.
    pub limit: usize,
}

impl JournalFilter {
    /// Checks the filter's values.
    pub fn matcher(&self) -> Result<Matcher, FilterError> {
        let outcome = match &self.outcome {
            Some(o) => Some(Outcome::parse(o).ok_or_else(|| FilterError::Outcome(o.clone()))?),
            None => None,
        };
        let since = match &self.since {
            Some(s) => Some(
                OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
                    .map_err(|_| FilterError::Since(s.clone()))?,
            ),
            None => None,
        };
        Ok(Matcher {
            system: self.system.clone(),
            interaction: self.interaction.clone(),
            outcome,
            since,
            after_seq: self.after_seq,
            message_id: self.message_id.clone(),
            limit: self.limit.unwrap_or(100).clamp(1, 10_000),
        })
    }
}

impl Matcher {
    /// Whether an entry passes.
    pub fn matches(&self, e: &JournalEntry) -> bool {
        self.system.as_ref().is_none_or(|s| e.system.as_ref() == Some(s))
            // The journal names an archive message with its service request ("RCMR_IN200002FI01 SP17"):
            // either word selects it.
            && self.interaction.as_ref().is_none_or(|i| {
                e.interaction.as_deref().is_some_and(|x| x == i || x.split_whitespace().any(|w| w == i))
            })
            && self.outcome.is_none_or(|o| e.outcome == o)
            && self.since.is_none_or(|t| e.time >= t)
            && self.after_seq.is_none_or(|s| e.seq > s)
            && self.message_id.as_ref().is_none_or(|m| e.message_id.as_ref() == Some(m))
    }

    /// Whether scanning newest-first can stop at this entry (everything older fails too).
    pub fn past_window(&self, e: &JournalEntry) -> bool {
        self.after_seq.is_some_and(|s| e.seq <= s) || self.since.is_some_and(|t| e.time < t)
    }
}
