//! The simulator's clock: the single source of "now" for every time rule.
//!
//! Owns: the offset between the wall clock and simulated time, and whether time
//! is frozen. Everything that asks "what time is it" (certificate validity in the
//! TLS handshake, the future-date rules, the 2026 dates, journal stamps) asks this
//! clock, never `SystemTime` directly — so the admin API can move a whole running
//! archive back to 2019 (phase I/II world) or forward in time.
//!
//! Must not touch: storage, HTTP. It is shared as `Arc<Clock>`.

use std::sync::Mutex;
use std::time::SystemTime;

use time::{Duration, OffsetDateTime};

/// What the clock is doing: following the wall clock with an offset, or frozen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockMode {
    /// Running: simulated now = wall clock + offset.
    Running,
    /// Frozen at a fixed instant (useful for repeatable demonstrations).
    Frozen,
}

#[derive(Debug, Clone, Copy)]
struct State {
    offset: Duration,
    frozen: Option<OffsetDateTime>,
}

/// The simulator's notion of now.
#[derive(Debug)]
pub struct Clock {
    state: Mutex<State>,
}

impl Default for Clock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock {
    /// A clock that follows the wall clock.
    pub fn new() -> Self {
        Clock { state: Mutex::new(State { offset: Duration::ZERO, frozen: None }) }
    }

    /// A clock frozen at `at` (tests and demonstrations).
    pub fn frozen_at(at: OffsetDateTime) -> Self {
        Clock { state: Mutex::new(State { offset: Duration::ZERO, frozen: Some(at) }) }
    }

    fn wall() -> OffsetDateTime {
        OffsetDateTime::from(SystemTime::now())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A poisoned lock only means another thread panicked mid-update of two
        // plain values; the values themselves are still coherent.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Simulated now, in UTC.
    pub fn now(&self) -> OffsetDateTime {
        let s = *self.lock();
        match s.frozen {
            Some(t) => t,
            None => Self::wall() + s.offset,
        }
    }

    /// Simulated today's date (UTC).
    pub fn today(&self) -> time::Date {
        self.now().date()
    }

    /// Sets simulated now to `at`; keeps running from there unless `freeze`.
    pub fn set(&self, at: OffsetDateTime, freeze: bool) {
        let mut s = self.lock();
        if freeze {
            s.frozen = Some(at);
            s.offset = Duration::ZERO;
        } else {
            s.frozen = None;
            s.offset = at - Self::wall();
        }
    }

    /// Moves simulated time by `by` (may be negative).
    pub fn advance(&self, by: Duration) {
        let mut s = self.lock();
        match s.frozen.as_mut() {
            Some(t) => *t += by,
            None => s.offset += by,
        }
    }

    /// Back to the wall clock.
    pub fn reset(&self) {
        *self.lock() = State { offset: Duration::ZERO, frozen: None };
    }

    /// Whether the clock runs or is frozen.
    pub fn mode(&self) -> ClockMode {
        if self.lock().frozen.is_some() {
            ClockMode::Frozen
        } else {
            ClockMode::Running
        }
    }

    /// Difference between simulated and wall time, in seconds (0 when following the wall clock).
    pub fn offset_seconds(&self) -> i64 {
        let s = *self.lock();
        match s.frozen {
            Some(t) => (t - Self::wall()).whole_seconds(),
            None => s.offset.whole_seconds(),
        }
    }
}

/// rustls asks this for the time when it checks certificate validity, so a
/// moved clock moves the TLS handshake's idea of "expired" too.
#[derive(Debug)]
pub struct ClockTimeProvider(pub std::sync::Arc<Clock>);

impl rustls::time_provider::TimeProvider for ClockTimeProvider {
    fn current_time(&self) -> Option<rustls::pki_types::UnixTime> {
        let secs = self.0.now().unix_timestamp();
        u64::try_from(secs)
            .ok()
            .map(|s| rustls::pki_types::UnixTime::since_unix_epoch(std::time::Duration::from_secs(s)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn frozen_clock_stays_put_and_advances_on_request() {
        let c = Clock::frozen_at(datetime!(2019-05-01 12:00 UTC));
        assert_eq!(c.now(), datetime!(2019-05-01 12:00 UTC));
        c.advance(Duration::days(2));
        assert_eq!(c.today(), time::macros::date!(2019 - 05 - 03));
        assert_eq!(c.mode(), ClockMode::Frozen);
    }

    #[test]
    fn set_running_clock_keeps_offset() {
        let c = Clock::new();
        c.set(datetime!(2020-01-01 00:00 UTC), false);
        let now = c.now();
        assert!(now >= datetime!(2020-01-01 00:00 UTC));
        assert!(now < datetime!(2020-01-01 00:01 UTC));
        assert_eq!(c.mode(), ClockMode::Running);
        c.reset();
        assert!(c.now().year() >= 2025);
    }
}
