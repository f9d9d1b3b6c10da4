//! Retention dates: how long a closed case is kept (whole years after its closing date;
//! 29 February rolls to 28 February), and the legal due date of a subject access request
//! (one calendar month: the same day next month, or that month's last day).

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

/// One calendar month after `date`: the same day next month, or next month's last day
/// when it has no such day (31 January gives 28 or 29 February).
pub fn one_month_after(date: NaiveDate) -> NaiveDate {
    let (year, month) = if date.month() == 12 {
        (date.year() + 1, 1)
    } else {
        (date.year(), date.month() + 1)
    };
    (0..4)
        .find_map(|back| NaiveDate::from_ymd_opt(year, month, date.day() - back))
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

    #[test]
    fn one_month_after_takes_the_same_day_or_the_months_last() {
        assert_eq!(one_month_after(d("2026-01-15")), d("2026-02-15"));
        assert_eq!(one_month_after(d("2026-01-31")), d("2026-02-28"));
        assert_eq!(one_month_after(d("2028-01-31")), d("2028-02-29"));
        assert_eq!(one_month_after(d("2026-03-31")), d("2026-04-30"));
        assert_eq!(one_month_after(d("2026-12-31")), d("2027-01-31"));
        assert_eq!(one_month_after(d("2026-08-31")), d("2026-09-30"));
        assert_eq!(one_month_after(d("2026-02-28")), d("2026-03-28"));
    }
}
