//! Where "now" comes from, so tests can move time (throttling, code expiry).

use crate::domain::Millis;
use std::sync::atomic::{AtomicI64, Ordering};

pub trait Clock: Send + Sync {
    fn now(&self) -> Millis;
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Millis {
        Millis(chrono::Utc::now().timestamp_millis())
    }
}

/// A clock that stands still until told to move.
pub struct FixedClock(AtomicI64);

impl FixedClock {
    pub fn at(t: Millis) -> FixedClock {
        FixedClock(AtomicI64::new(t.0))
    }

    pub fn advance_ms(&self, ms: i64) {
        self.0.fetch_add(ms, Ordering::SeqCst);
    }
}

impl Clock for FixedClock {
    fn now(&self) -> Millis {
        Millis(self.0.load(Ordering::SeqCst))
    }
}
