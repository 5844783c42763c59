//! Dates as users write them (日期): 2020-01-05, 2020/1/5, 2020.1.5, 2020年1月5日, 20200105,
//! and months alone (2020.01, 202001, 2020年1月) for fields that may hold only a month
//! (出生年月, 入党时间, 转正时间). Forms, the API and imports read dates here alike.

use crate::{Date, FieldError};
use chrono::Datelike;
use serde::Serialize;

/// A calendar month (年月).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct YearMonth {
    pub year: i32,
    pub month: u32,
}

impl YearMonth {
    pub fn first_day(self) -> Date {
        Date::from_ymd_opt(self.year, self.month, 1).expect("checked month")
    }
    pub fn last_day(self) -> Date {
        let (y, m) = if self.month == 12 { (self.year + 1, 1) } else { (self.year, self.month + 1) };
        Date::from_ymd_opt(y, m, 1).expect("valid").pred_opt().expect("valid")
    }
    pub fn of(d: Date) -> YearMonth {
        YearMonth { year: d.year(), month: d.month() }
    }
}

/// A date as written: a full day, or only a month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    Day(Date),
    Month(YearMonth),
}

impl Written {
    /// `YYYY-MM-DD` or `YYYY-MM`: the form every path hands to the domain.
    pub fn canonical(self) -> String {
        match self {
            Written::Day(d) => d.to_string(),
            Written::Month(m) => format!("{:04}-{:02}", m.year, m.month),
        }
    }
}

/// How much of a stored date is known (日期精度).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    #[default]
    Day,
    /// Only the month is known; the date is stored as the month's first day.
    Month,
}

impl Precision {
    pub fn code(self) -> &'static str {
        match self {
            Precision::Day => "day",
            Precision::Month => "month",
        }
    }
    pub fn from_code(s: &str) -> Precision {
        if s == "month" { Precision::Month } else { Precision::Day }
    }
}

/// A date that may be known only to the month (入党时间 "1975.03").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PartialDate {
    /// The day, or the month's first day.
    pub date: Date,
    pub precision: Precision,
}

impl PartialDate {
    pub fn day(date: Date) -> Self {
        PartialDate { date, precision: Precision::Day }
    }
    /// The first day it can be.
    pub fn earliest(self) -> Date {
        self.date
    }
    /// The last day it can be: rules that need the day use this or [`PartialDate::earliest`],
    /// whichever does not claim more than is known.
    pub fn latest(self) -> Date {
        match self.precision {
            Precision::Day => self.date,
            Precision::Month => YearMonth::of(self.date).last_day(),
        }
    }
}

impl std::fmt::Display for PartialDate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.precision {
            Precision::Day => write!(f, "{}", self.date),
            Precision::Month => write!(f, "{}年{}月", self.date.year(), self.date.month()),
        }
    }
}

/// Full-width digits and punctuation typed with a Chinese input method, made ASCII.
/// A stored date, exactly `YYYY-MM-DD` (the form the store writes), without chrono's
/// format interpreter: a city's compliance run reads several million of them.
pub fn parse_stored(v: &str) -> Option<Date> {
    let b = v.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| b[r].iter().try_fold(0u32, |n, c| c.is_ascii_digit().then(|| n * 10 + (c - b'0') as u32));
    Date::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?)
}

pub fn normalise_digits(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            'Ｘ' | 'ｘ' => 'X',
            '－' | '—' | '–' => '-',
            '／' => '/',
            '．' | '。' => '.',
            other => other,
        })
        .collect()
}

/// Reads a date or a month from text. Impossible dates, two-digit years and words are
/// refused with why. `raw` must not be empty (callers say "未填写" themselves).
pub fn written(raw: &str) -> Result<Written, String> {
    let s = normalise_digits(raw);
    let s = s.trim();
    // Strip a time part: "2020-01-05 00:00:00", "2020-01-05T08:30"; anything else after
    // the date ("2020-01-05T25:00", "2020-01-05 下午") is not a date.
    let date_part = s.split([' ', 'T']).next().unwrap_or(s);
    let time_part = s[date_part.len()..].trim_start_matches([' ', 'T']);
    if !time_part.is_empty() && !is_time(time_part) {
        return Err(format!("“{raw}”日期后面的“{time_part}”不是有效的时间；请只写日期，如2020-01-05"));
    }
    let cleaned: String = date_part.replace(['年', '月'], "-").replace('日', "").replace(['/', '.'], "-");
    let cleaned = cleaned.trim_end_matches('-');
    let parts: Vec<&str> = cleaned.split('-').collect();
    let num = |p: &str| p.parse::<i64>().ok();
    let fail = || Err(format!("“{raw}”不是可识别的日期；请写成2020-01-05、2020/1/5或2020年1月5日（只知道年月时写2020.01）"));
    let two_digit = |y: &str| {
        let rest = &cleaned[y.len()..].replace('-', ".");
        Err(format!("“{raw}”的年份只写了两位（{y}），无法确定是19{y}年还是20{y}年；请写四位年份，如19{y}{rest}或20{y}{rest}"))
    };
    match parts.as_slice() {
        [one] if one.chars().all(|c| c.is_ascii_digit()) => match one.len() {
            8 => ymd(num(&one[..4]).unwrap_or(0), num(&one[4..6]).unwrap_or(0) as u32, num(&one[6..]).unwrap_or(0) as u32, raw),
            6 => ym(num(&one[..4]).unwrap_or(0) as i32, num(&one[4..]).unwrap_or(0) as u32, raw),
            _ => fail(),
        },
        [y, m] | [y, m, _] if y.len() == 2 && num(y).is_some() && num(m).is_some() => two_digit(y),
        [y, m] => match (num(y), num(m)) {
            (Some(y), Some(m)) if y >= 1000 => ym(y as i32, m as u32, raw),
            _ => fail(),
        },
        [y, m, d] => match (num(y), num(m), num(d)) {
            (Some(y), Some(m), Some(d)) if y >= 1000 => ymd(y, m as u32, d as u32, raw),
            _ => fail(),
        },
        _ => fail(),
    }
}

/// "08:30", "00:00:00", "08:30:00.000" with hours < 24 and minutes, seconds < 60.
fn is_time(t: &str) -> bool {
    let t = t.split('.').next().unwrap_or(t);
    let parts: Vec<&str> = t.split(':').collect();
    let ok = |p: &str, max: u32| p.len() == 2 && p.parse::<u32>().is_ok_and(|v| v < max);
    match parts.as_slice() {
        [h, m] => ok(h, 24) && ok(m, 60),
        [h, m, s] => ok(h, 24) && ok(m, 60) && ok(s, 60),
        _ => false,
    }
}

/// Checks a year, month and day, saying which is impossible.
pub fn ymd(y: i64, m: u32, d: u32, raw: &str) -> Result<Written, String> {
    if !(1900..=2200).contains(&y) {
        return Err(format!("“{raw}”的年份{y}不合理，请核对"));
    }
    if !(1..=12).contains(&m) {
        return Err(format!("“{raw}”的月份{m}不存在，请核对"));
    }
    match Date::from_ymd_opt(y as i32, m, d) {
        Some(date) => Ok(Written::Day(date)),
        None => {
            let days = YearMonth { year: y as i32, month: m }.last_day().day();
            Err(format!("“{raw}”这一天不存在（{y}年{m}月只有{days}天），请核对"))
        }
    }
}

/// Checks a year and month.
pub fn ym(y: i32, m: u32, raw: &str) -> Result<Written, String> {
    if !(1900..=2200).contains(&y) {
        return Err(format!("“{raw}”的年份{y}不合理，请核对"));
    }
    if !(1..=12).contains(&m) {
        return Err(format!("“{raw}”的月份{m}不存在，请核对"));
    }
    Ok(Written::Month(YearMonth { year: y, month: m }))
}

/// A date that must name the day. Empty → "{label}未填写".
pub fn parse_day(field: &'static str, label: &str, value: &str) -> Result<Date, FieldError> {
    if value.trim().is_empty() {
        return Err(FieldError::new(field, format!("{label}未填写，请填写日期，如2024-07-01")));
    }
    match written(value) {
        Ok(Written::Day(d)) => Ok(d),
        Ok(Written::Month(m)) => Err(FieldError::new(
            field,
            format!("{label}只填了年月（{}年{}月），这一项须精确到日，请填写完整日期，如{}-{:02}-01", m.year, m.month, m.year, m.month),
        )),
        Err(e) => Err(FieldError::new(field, format!("{label}{e}"))),
    }
}

/// A day that has already come (a record of something done): not after `today`.
pub fn parse_past_day(field: &'static str, label: &str, value: &str, today: Date) -> Result<Date, FieldError> {
    let d = parse_day(field, label, value)?;
    if d > today {
        return Err(FieldError::new(field, format!("{label}{d}晚于今天，只能登记已经发生的事")));
    }
    Ok(d)
}

/// Deserialises an optional day written in any form [`written`] reads (the API's dates read
/// like the forms' and the imports'); an error is the Chinese reason.
pub fn de_opt_day<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
    let text: Option<String> = serde::Deserialize::deserialize(d)?;
    match text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => match written(t) {
            Ok(Written::Day(day)) => Ok(Some(day)),
            Ok(Written::Month(m)) => Err(serde::de::Error::custom(format!("日期只写了年月（{}年{}月），这一项须精确到日", m.year, m.month))),
            Err(e) => Err(serde::de::Error::custom(format!("日期{e}"))),
        },
    }
}

/// A date that may be known only to the month. Empty → "{label}未填写".
pub fn parse_partial(field: &'static str, label: &str, value: &str) -> Result<PartialDate, FieldError> {
    if value.trim().is_empty() {
        return Err(FieldError::new(field, format!("{label}未填写，请填写日期，如2024-07-01；只知道年月时写2024.07")));
    }
    match written(value) {
        Ok(Written::Day(d)) => Ok(PartialDate::day(d)),
        Ok(Written::Month(m)) => Ok(PartialDate { date: m.first_day(), precision: Precision::Month }),
        Err(e) => Err(FieldError::new(field, format!("{label}{e}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, dd: u32) -> Written {
        Written::Day(Date::from_ymd_opt(y, m, dd).unwrap())
    }

    #[test]
    fn stored_dates_are_read_exactly() {
        assert_eq!(parse_stored("2024-02-29"), Some(Date::from_ymd_opt(2024, 2, 29).unwrap()));
        for bad in ["2025-02-29", "2025-1-05", "2025-13-01", "2025/01/05", "2025-01-0x", "", "2025-01-05 "] {
            assert_eq!(parse_stored(bad), None, "{bad}");
        }
    }

    #[test]
    fn every_form_users_write() {
        for s in ["2020-01-05", "2020/1/5", "2020.1.5", "2020年1月5日", "20200105", "2020-01-05 00:00:00", "２０２０年１月５日", "2020年01月05日"] {
            assert_eq!(written(s).unwrap(), d(2020, 1, 5), "{s}");
        }
        for s in ["2020.01", "202001", "2020-01", "2020年1月", "2020/1", "2020.1", "1975年3月"] {
            assert!(matches!(written(s).unwrap(), Written::Month(_)), "{s}");
        }
    }

    #[test]
    fn refusals_say_why_and_never_quote_nothing() {
        assert!(written("75.03").unwrap_err().contains("只写了两位"));
        assert!(written("75年3月1日").unwrap_err().contains("1975"));
        assert!(written("2023年2月30日").unwrap_err().contains("只有28天"));
        let e = parse_day("x", "出生日期", "  ").unwrap_err();
        assert!(e.message.contains("未填写") && !e.message.contains("“”"), "{}", e.message);
        assert!(parse_day("x", "入党时间", "1975.03").unwrap_err().message.contains("精确到日"));
        let p = parse_partial("x", "入党时间", "1975.03").unwrap();
        assert_eq!((p.earliest().to_string(), p.latest().to_string()), ("1975-03-01".into(), "1975-03-31".into()));
        assert_eq!(p.to_string(), "1975年3月");
    }
}
