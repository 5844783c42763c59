//! Monthly dues (党费): payments cover a span of months (按月交纳，也可按季、按年预交);
//! a run of unpaid months as long as the rules' lapse (6) is a finding.

use crate::Date;
use chrono::Datelike;
use serde::Serialize;

/// A calendar month as a running index (year × 12 + month − 1): easy to count and compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Month(pub i32);

impl Month {
    pub fn new(year: i32, month: u32) -> Month {
        Month(year * 12 + month as i32 - 1)
    }
    pub fn of(d: Date) -> Month {
        Month::new(d.year(), d.month())
    }
    pub fn year(self) -> i32 {
        self.0.div_euclid(12)
    }
    pub fn month(self) -> u32 {
        (self.0.rem_euclid(12) + 1) as u32
    }
    /// `YYYY-MM`, as stored.
    pub fn text(self) -> String {
        format!("{:04}-{:02}", self.year(), self.month())
    }
    /// Reads `YYYY-MM`.
    pub fn parse(s: &str) -> Option<Month> {
        let (y, m) = s.trim().split_once('-')?;
        let (y, m): (i32, u32) = (y.parse().ok()?, m.parse().ok()?);
        (1900..=2200).contains(&y).then_some(())?;
        (1..=12).contains(&m).then(|| Month::new(y, m))
    }
    pub fn label(self) -> String {
        format!("{}年{}月", self.year(), self.month())
    }
    pub fn first_day(self) -> Date {
        Date::from_ymd_opt(self.year(), self.month(), 1).expect("valid month")
    }
}

/// Which dues table applies to a member, from the occupation (在职 / 离退休 / 农民 / 学生).
pub fn category(occupation: crate::member::Occupation) -> crate::rules::DuesCategory {
    use crate::member::Occupation::*;
    use crate::rules::DuesCategory;
    match occupation {
        Farmer => DuesCategory::Farmer,
        Student => DuesCategory::Student,
        Retired => DuesCategory::Retired,
        _ => DuesCategory::Working,
    }
}

/// A payment made more than 30 days after the month following the last month it
/// covers is a catch-up (补交).
pub fn is_catch_up(to: Month, paid_on: Date) -> bool {
    paid_on > Month(to.0 + 1).first_day() + chrono::Duration::days(30)
}

/// A payment covering months `from..=to`.
#[derive(Debug, Clone, Serialize)]
pub struct DuesPayment {
    pub member_id: i64,
    pub from: Month,
    pub to: Month,
    /// Monthly base (工资收入 / 离退休费) the amount was computed from.
    pub base: Option<f64>,
    pub amount: f64,
    pub paid_on: Date,
    /// 补交
    pub catch_up: bool,
}

/// The longest run of months in `window` (inclusive) covered by none of `paid`:
/// its length and first month.
pub fn longest_unpaid_run(paid: &[(Month, Month)], window: (Month, Month)) -> (u32, Option<Month>) {
    let (mut best, mut best_start) = (0u32, None);
    let (mut run, mut start) = (0u32, None);
    let mut m = window.0;
    while m <= window.1 {
        if paid.iter().any(|(f, t)| *f <= m && m <= *t) {
            run = 0;
            start = None;
        } else {
            run += 1;
            start = start.or(Some(m));
            if run > best {
                best = run;
                best_start = start;
            }
        }
        m = Month(m.0 + 1);
    }
    (best, best_start)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_round_trip_and_runs_are_counted() {
        let m = Month::parse("2026-03").unwrap();
        assert_eq!((m.year(), m.month(), m.text(), m.label()), (2026, 3, "2026-03".to_string(), "2026年3月".to_string()));
        assert!(Month::parse("2026-13").is_none());
        let w = (Month::new(2026, 1), Month::new(2026, 12));
        // Paid to May, then nothing until December: June–November, six months.
        let paid = [(Month::new(2025, 12), Month::new(2026, 5)), (Month::new(2026, 12), Month::new(2026, 12))];
        assert_eq!(longest_unpaid_run(&paid, w), (6, Some(Month::new(2026, 6))));
        let five = [(Month::new(2026, 1), Month::new(2026, 6)), (Month::new(2026, 12), Month::new(2026, 12))];
        assert_eq!(longest_unpaid_run(&five, w).0, 5);
    }
}
