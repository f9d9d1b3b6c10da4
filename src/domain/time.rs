//! Time as UTC milliseconds since the Unix epoch, the unit every stored time uses.

use chrono::{DateTime, Utc};

/// UTC milliseconds since 1970-01-01.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
)]
pub struct Millis(pub i64);

impl Millis {
    pub const SECOND: i64 = 1_000;
    pub const MINUTE: i64 = 60 * Self::SECOND;
    pub const HOUR: i64 = 60 * Self::MINUTE;

    pub fn plus_ms(self, ms: i64) -> Millis {
        Millis(self.0.saturating_add(ms))
    }

    /// What screens show: `2026-12-04 14:05` (UTC).
    pub fn to_minute(self) -> String {
        self.formatted("%Y-%m-%d %H:%M")
    }

    /// `2026-12-04 14:05:09` (UTC).
    pub fn to_second(self) -> String {
        self.formatted("%Y-%m-%d %H:%M:%S")
    }

    /// `2026-12-04`.
    pub fn to_date(self) -> String {
        self.formatted("%Y-%m-%d")
    }

    /// The UTC calendar date (the epoch's for a time out of range).
    pub fn date(self) -> chrono::NaiveDate {
        DateTime::<Utc>::from_timestamp_millis(self.0)
            .map(|t| t.date_naive())
            .unwrap_or_default()
    }

    /// The UTC year.
    pub fn year(self) -> i32 {
        chrono::Datelike::year(&self.date())
    }

    fn formatted(self, pattern: &str) -> String {
        DateTime::<Utc>::from_timestamp_millis(self.0)
            .map(|t| t.format(pattern).to_string())
            .unwrap_or_else(|| format!("@{}ms", self.0))
    }

    /// ISO 8601 with milliseconds, e.g. `2026-12-04T14:05:00.123Z`.
    pub fn to_rfc3339(self) -> String {
        self.formatted("%Y-%m-%dT%H:%M:%S%.3fZ")
    }
}
