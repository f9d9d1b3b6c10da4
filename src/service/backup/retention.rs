//! Which backups prune keeps: the newest one in each hour of the last `hourly_hours`,
//! each day of the last `daily_days`, each month of the last `monthly_years`; always the
//! newest verified one; and any not yet copied to every destination.

use super::settings::Keep;
use crate::domain::Millis;
use std::collections::{BTreeMap, BTreeSet};

/// A backup as prune sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub name: String,
    pub at: Millis,
    pub verified: bool,
    /// Present and complete in every destination.
    pub copied_everywhere: bool,
}

/// Which hour, day or month a time falls in.
type Bucket = fn(Millis) -> i64;

/// The names to keep, on `now`.
pub fn kept(candidates: &[Candidate], now: Millis, keep: Keep) -> BTreeSet<String> {
    let mut kept = BTreeSet::new();
    if let Some(newest) = candidates
        .iter()
        .filter(|c| c.verified)
        .max_by_key(|c| c.at)
    {
        kept.insert(newest.name.clone());
    }
    for c in candidates {
        if !c.copied_everywhere || c.at > now {
            kept.insert(c.name.clone());
        }
    }
    let hour = Millis::HOUR;
    let day = 24 * hour;
    let windows: [(i64, Bucket); 3] = [
        (keep.hourly_hours * hour, |t| t.0.div_euclid(Millis::HOUR)),
        (keep.daily_days * day, |t| t.0.div_euclid(24 * Millis::HOUR)),
        (keep.monthly_years * 366 * day, month_of),
    ];
    for (span, bucket) in windows {
        let mut newest: BTreeMap<i64, &Candidate> = BTreeMap::new();
        for c in candidates.iter().filter(|c| now.0 - c.at.0 < span) {
            let slot = newest.entry(bucket(c.at)).or_insert(c);
            if c.at > slot.at {
                *slot = c;
            }
        }
        kept.extend(newest.values().map(|c| c.name.clone()));
    }
    kept
}

/// Months since the epoch, in UTC.
fn month_of(t: Millis) -> i64 {
    i64::from(t.year()) * 12 + i64::from(chrono::Datelike::month0(&t.date()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: i64 = 1_796_374_800_000; // 2026-12-04 09:00 UTC

    fn candidate(hours_ago: i64) -> Candidate {
        Candidate {
            name: format!("b{hours_ago}"),
            at: Millis(T0 - hours_ago * Millis::HOUR),
            verified: true,
            copied_everywhere: true,
        }
    }

    #[test]
    fn hourly_then_daily_then_monthly() {
        let all: Vec<Candidate> = (0..24 * 400).step_by(1).map(candidate).collect();
        let kept = kept(&all, Millis(T0), Keep::default());
        for h in 0..48 {
            assert!(kept.contains(&format!("b{h}")), "hour {h} ago is kept");
        }
        // One a day between 2 and 35 days: the newest of each UTC day (at 23:00).
        let daily: Vec<_> = (48..35 * 24)
            .filter(|h| kept.contains(&format!("b{h}")))
            .collect();
        assert_eq!(daily.len(), 33, "{daily:?}");
        // Older: one a month.
        let monthly = (35 * 24..400 * 24)
            .filter(|h| kept.contains(&format!("b{h}")))
            .count();
        assert!((11..=13).contains(&monthly), "{monthly}");
    }

    #[test]
    fn never_the_newest_verified_nor_one_not_yet_copied() {
        let keep = Keep {
            hourly_hours: 0,
            daily_days: 0,
            monthly_years: 0,
        };
        let old = candidate(24 * 1000);
        let mut uncopied = candidate(24 * 900);
        uncopied.copied_everywhere = false;
        uncopied.verified = false;
        let mut unverified = candidate(1);
        unverified.verified = false;
        let kept = kept(&[old, uncopied, unverified], Millis(T0), keep);
        assert_eq!(
            kept.into_iter().collect::<Vec<_>>(),
            ["b21600", "b24000"],
            "the newest verified and the uncopied one; the unverified newer one goes"
        );
    }
}
