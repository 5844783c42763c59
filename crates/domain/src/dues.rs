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

/// A dues payment as entered by a form, the API or an import (党费登记). Numbers come as
/// text so that every path reads them the same way; the amount may be left out, and is
/// then computed from the rules' bracket.
/// Read from a form or JSON; a field left out is empty, and the check says so.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct DuesInput {
    pub from_month: String,
    #[serde(default, deserialize_with = "crate::numbers::text")]
    pub to_month: Option<String>,
    #[serde(default, deserialize_with = "crate::numbers::text")]
    pub base: Option<String>,
    #[serde(default, deserialize_with = "crate::numbers::text")]
    pub amount: Option<String>,
    pub paid_on: String,
}

/// What the dues check needs to know of the member who pays.
#[derive(Debug, Clone)]
pub struct Payer {
    pub name: String,
    pub occupation: crate::member::Occupation,
    pub joined_on: Date,
    pub active: bool,
}

/// Reads `YYYY-MM`, 2026.03, 202603 or 2026年3月 (a full date stands for its month).
pub fn parse_month(field: &'static str, label: &str, text: &str) -> Result<Month, crate::FieldError> {
    if text.trim().is_empty() {
        return Err(crate::FieldError::new(field, format!("{label}未填写，请填写年月，如2026-03")));
    }
    match crate::dates::written(text) {
        Ok(crate::dates::Written::Day(d)) => Ok(Month::of(d)),
        Ok(crate::dates::Written::Month(m)) => Ok(Month::new(m.year, m.month)),
        Err(e) => Err(crate::FieldError::new(field, format!("{label}{e}"))),
    }
}

impl DuesInput {
    /// Checks every field and the rules' bracket, reporting all problems at once. The
    /// amount due is computed from the base by the rules (farmers and students: the fixed
    /// monthly amount); a given amount must be at least that (党员可以自愿多交).
    pub fn validate(&self, payer: &Payer, rules: &crate::rules::Rules, today: Date) -> Result<DuesPayment, crate::ValidationError> {
        use crate::numbers::{optional, DUES_AMOUNT, INCOME_BASE};
        use crate::rules::DuesCategory;
        let mut c = crate::error::Collector::default();
        if !payer.active {
            c.push(crate::FieldError::new("member_id", format!("{}已不在本组织名册中，不能登记党费", payer.name)));
        }
        let from = c.check(parse_month("from_month", "起始月份", &self.from_month));
        let to = match self.to_month.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            Some(t) => c.check(parse_month("to_month", "截止月份", t)),
            None => from,
        };
        let base = c.check(optional(&INCOME_BASE, "base", self.base.as_deref())).flatten();
        let amount = c.check(optional(&DUES_AMOUNT, "amount", self.amount.as_deref())).flatten();
        let paid_on = c.check(crate::dates::parse_past_day("paid_on", "缴纳日期", &self.paid_on, today));
        if let (Some(f), Some(t)) = (from, to) {
            if t < f {
                c.push(crate::FieldError::new("to_month", format!("截止月份{}早于起始月份{}", t.label(), f.label())));
            } else if t.0 - f.0 >= 12 {
                c.push(crate::FieldError::new("to_month", "一次最多登记12个月的党费（按年预交）"));
            }
            // Paid ahead at most for the year (按年预交): the last month covered lies within
            // twelve months of the month paid.
            if let Some(p) = paid_on {
                if t.0 - Month::of(p).0 >= 12 {
                    c.push(crate::FieldError::new("from_month", format!("{}在缴纳日期{p}一年之后，最多预交12个月的党费；请核对月份", t.label())));
                }
            }
            if f < Month::of(payer.joined_on) {
                c.push(crate::FieldError::new("from_month", format!("起始月份{}早于入党时间{}", f.label(), payer.joined_on)));
            }
        }
        let category = category(payer.occupation);
        let needs_base = matches!(category, DuesCategory::Working | DuesCategory::Retired);
        if needs_base && base.is_none() && !self.base.as_deref().is_some_and(|b| !b.trim().is_empty()) {
            c.push(crate::FieldError::new("base", "在职和离退休党员须填写月工资收入（税后）或离退休费，作为按规则档次计算党费的基数"));
        }
        let mut due = None;
        if let (Some(f), Some(t), true) = (from, to, !needs_base || base.is_some()) {
            let months = (t.0 - f.0 + 1).max(1) as f64;
            let d = (rules.monthly_dues(category, base.unwrap_or(0.0)) * months * 100.0).round() / 100.0;
            if let Some(a) = amount {
                if a + 0.005 < d {
                    c.push(crate::FieldError::new(
                        "amount",
                        format!("缴纳金额{a:.2}元少于按规则档次应缴的{d:.2}元（{}个月）；请核对缴费基数和金额", months as i64),
                    ));
                }
            }
            due = Some(d);
        }
        c.finish()?;
        let (from, to, paid_on) = (from.expect("checked"), to.expect("checked"), paid_on.expect("checked"));
        Ok(DuesPayment { member_id: 0, from, to, base, amount: amount.unwrap_or(due.expect("checked")), paid_on, catch_up: is_catch_up(to, paid_on) })
    }
}

/// The months of `window` (inclusive) covered by none of `paid`, in order.
pub fn unpaid_months(paid: &[(Month, Month)], window: (Month, Month)) -> Vec<Month> {
    (window.0 .0..=window.1 .0).map(Month).filter(|m| !paid.iter().any(|(f, t)| f <= m && m <= t)).collect()
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
    fn unpaid_months_are_those_no_payment_covers() {
        let paid = [(Month::new(2026, 1), Month::new(2026, 3)), (Month::new(2026, 6), Month::new(2026, 6))];
        let gaps = unpaid_months(&paid, (Month::new(2026, 1), Month::new(2026, 7)));
        assert_eq!(gaps, [Month::new(2026, 4), Month::new(2026, 5), Month::new(2026, 7)]);
        assert!(unpaid_months(&paid, (Month::new(2026, 2), Month::new(2026, 3))).is_empty());
    }

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
