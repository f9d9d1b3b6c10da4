//! Retention dates: how long a closed case is kept (whole years after its closing date;
//! 29 February rolls to 28 February).

use chrono::{Datelike, NaiveDate};

/// The law's floor for keeping a case record (the Limitation Act period), in years.
pub const MINIMUM_YEARS: u32 = 6;

/// `date` plus `years` whole years; 29 February becomes 28 February in a common year.
pub fn years_after(date: NaiveDate, years: u32) -> NaiveDate {
    let year = date.year() + years as i32;
    date.with_year(year)
        .or_else(|| NaiveDate::from_ymd_opt(year, date.month(), 28))
        .unwrap_or(date)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn years_after_rolls_a_leap_day_back_to_the_28th() {
        assert_eq!(years_after(d("2026-12-04"), 6), d("2032-12-04"));
        assert_eq!(years_after(d("2024-02-29"), 6), d("2030-02-28"));
        assert_eq!(years_after(d("2024-02-29"), 8), d("2032-02-29"));
        assert_eq!(years_after(d("2023-02-28"), 1), d("2024-02-28"));
        assert_eq!(years_after(d("2026-12-31"), 6), d("2032-12-31"));
    }
}
