//! What every benchmark shares: timing a closure into a median and a 99th percentile,
//! printing a figure, a ratio against a baseline, the data key behind the service, and
//! the plain SQLite copy the figures are set beside.
#![allow(dead_code)]

use std::time::{Duration, Instant};

#[path = "../../tests/common/data_key.rs"]
pub mod data_key;
pub mod plain;

pub struct Stats {
    pub median: Duration,
    pub p99: Duration,
}

/// Run `f` once to warm up, then `runs` times, timing each.
pub fn measure(runs: usize, mut f: impl FnMut()) -> Stats {
    f();
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    times.sort();
    let at = |q: f64| times[((times.len() as f64 - 1.0) * q).round() as usize];
    Stats {
        median: at(0.5),
        p99: at(0.99),
    }
}

pub fn show(name: &str, s: &Stats) {
    println!(
        "{name:<52} median {:>10.3?}  p99 {:>10.3?}",
        s.median, s.p99
    );
}

/// `a` over the baseline `b`: (median ratio, p99 ratio).
pub fn ratio(a: &Stats, b: &Stats) -> (f64, f64) {
    (
        a.median.as_secs_f64() / b.median.as_secs_f64(),
        a.p99.as_secs_f64() / b.p99.as_secs_f64(),
    )
}
