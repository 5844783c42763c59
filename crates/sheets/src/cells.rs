//! Reading typed values out of cells the way users write them: dates in every common
//! form (Excel date cells and serials, 2020-01-05, 2020/1/5, 2020.1.5, 2020年1月5日,
//! 20200105), months (2020.01, 202001, 2020年1月), yes/no, identifiers. Numbers are read by
//! domain::numbers, as the form and the API read them.

use crate::read::Value;
use chrono::NaiveDate;

pub use domain::dates::{normalise_digits, Written, YearMonth};

/// Plain text of a cell (numbers as written, without a trailing .0).
pub fn text(v: &Value) -> Option<String> {
    let s = v.display();
    let s = match domain::spreadsheet::unescape(&s) {
        plain if plain.len() < s.len() => plain.to_string(),
        _ => s,
    };
    if s.is_empty() { None } else { Some(s) }
}

/// An identifier (身份证号, 组织代码, 电话): refuses long numbers that Excel has already
/// rounded, since their last digits are gone.
pub fn identifier(v: &Value) -> Result<Option<String>, String> {
    match v {
        Value::Number(n) if n.abs() >= 1e15 => Err(
            "这个号码被Excel存成了数字，超过15位的部分已被改成0，无法恢复；请把该列设置为“文本”格式后重新录入，或在号码前加英文单引号'".into(),
        ),
        other => Ok(text(other).map(|s| normalise_digits(&s).replace([' ', '\u{3000}'], ""))),
    }
}

/// Yes/no (是/否, Y/N, 1/0, TRUE/FALSE, √); empty is no.
pub fn yes_no(v: &Value) -> Result<bool, String> {
    match v {
        Value::Bool(b) => Ok(*b),
        Value::Empty => Ok(false),
        Value::Number(n) if *n == 0.0 || *n == 1.0 => Ok(*n == 1.0),
        other => {
            let s = other.display();
            match s.trim().to_uppercase().as_str() {
                "是" | "Y" | "YES" | "TRUE" | "√" | "1" => Ok(true),
                "否" | "N" | "NO" | "FALSE" | "×" | "0" | "" => Ok(false),
                _ => Err(format!("“{s}”不是“是”或“否”")),
            }
        }
    }
}

/// A date or month from a cell. Impossible dates (2023年2月30日) are refused with why.
pub fn written_date(v: &Value) -> Result<Option<Written>, String> {
    match v {
        Value::Empty => Ok(None),
        Value::Date(dt) => Ok(Some(Written::Day(dt.date()))),
        Value::Bool(_) => Err("这里应填日期".into()),
        Value::Number(n) => number_date(*n).map(Some),
        Value::Text(s) => text_date(s.trim()).map(Some),
    }
}

/// A full date; a month alone is refused with `month_note` explaining why a day is needed.
pub fn day(v: &Value, month_note: &str) -> Result<Option<NaiveDate>, String> {
    match written_date(v)? {
        None => Ok(None),
        Some(Written::Day(d)) => Ok(Some(d)),
        Some(Written::Month(m)) => Err(format!("只填了年月（{}年{}月）；{month_note}", m.year, m.month)),
    }
}

/// Excel serials (1900 system) are days since 1899-12-30; 8-digit numbers are
/// YYYYMMDD, 6-digit ones YYYYMM, and 2020.05 a month.
fn number_date(n: f64) -> Result<Written, String> {
    if n.fract() == 0.0 {
        let i = n as i64;
        if (10_000_000..=99_991_231).contains(&i) {
            return ymd(i / 10_000, (i / 100 % 100) as u32, (i % 100) as u32, &i.to_string());
        }
        if (100_000..=999_912).contains(&i) {
            return ym((i / 100) as i32, (i % 100) as u32, &i.to_string());
        }
        if (1..=2_958_465).contains(&i) {
            let base = NaiveDate::from_ymd_opt(1899, 12, 30).expect("valid");
            return Ok(Written::Day(base + chrono::Days::new(i as u64)));
        }
        return Err(format!("“{i}”不是日期"));
    }
    if (1900.0..2200.0).contains(&n) {
        // 2020.05 typed into a number cell: the month is the two decimals. 2020.1 could
        // be 2020.10 with the zero dropped by Excel, so it is refused as ambiguous.
        let cents = ((n - n.trunc()) * 100.0).round() as u32;
        if cents % 10 == 0 && cents / 10 == 1 {
            return Err(format!(
                "“{n}”既可能是{y}年1月，也可能是{y}年10月（Excel会把2020.10存成2020.1）；请写成{y}-01或{y}-10，或把该列设为文本格式",
                y = n.trunc()
            ));
        }
        let month = if cents % 10 == 0 && cents < 100 { cents / 10 } else { cents };
        return ym(n.trunc() as i32, month, &n.to_string());
    }
    Err(format!("“{n}”不是日期"))
}

fn text_date(raw: &str) -> Result<Written, String> {
    domain::dates::written(raw)
}

fn ymd(y: i64, m: u32, d: u32, raw: &str) -> Result<Written, String> {
    domain::dates::ymd(y, m, d, raw)
}

fn ym(y: i32, m: u32, raw: &str) -> Result<Written, String> {
    domain::dates::ym(y, m, raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, dd: u32) -> Option<Written> {
        Some(Written::Day(NaiveDate::from_ymd_opt(y, m, dd).unwrap()))
    }
    fn mo(y: i32, m: u32) -> Option<Written> {
        Some(Written::Month(YearMonth { year: y, month: m }))
    }
    fn t(s: &str) -> Result<Option<Written>, String> {
        written_date(&Value::Text(s.into()))
    }

    #[test]
    fn every_form_users_write() {
        for s in ["2020-01-05", "2020/1/5", "2020.1.5", "2020年1月5日", "20200105", "2020-01-05 00:00:00", "２０２０年１月５日", "2020年01月05日"] {
            assert_eq!(t(s).unwrap(), d(2020, 1, 5), "{s}");
        }
        for s in ["2020.01", "202001", "2020-01", "2020年1月", "2020/1", "2020.1"] {
            assert_eq!(t(s).unwrap(), mo(2020, 1), "{s}");
        }
        assert_eq!(t("2020.10").unwrap(), mo(2020, 10));
        assert_eq!(written_date(&Value::Number(43835.0)).unwrap(), d(2020, 1, 5));
        assert_eq!(written_date(&Value::Number(20200105.0)).unwrap(), d(2020, 1, 5));
        assert_eq!(written_date(&Value::Number(202001.0)).unwrap(), mo(2020, 1));
        assert_eq!(written_date(&Value::Number(2020.05)).unwrap(), mo(2020, 5));
        assert_eq!(written_date(&Value::Number(2020.12)).unwrap(), mo(2020, 12));
    }

    #[test]
    fn impossible_and_ambiguous_dates_say_why() {
        let e = t("2023年2月30日").unwrap_err();
        assert!(e.contains("只有28天"), "{e}");
        assert!(t("2020-13-01").unwrap_err().contains("月份13"));
        assert!(t("去年").unwrap_err().contains("不是可识别的日期"));
        assert!(written_date(&Value::Number(2020.1)).unwrap_err().contains("10月"));
        assert!(day(&Value::Text("1998.07".into()), "须精确到日").unwrap_err().contains("须精确到日"));
    }

    #[test]
    fn rounded_ids_are_refused() {
        assert!(identifier(&Value::Number(1.1010519491231002e17)).is_err());
        assert_eq!(identifier(&Value::Text(" 11010519491231002x ".into())).unwrap().as_deref(), Some("11010519491231002x"));
        assert_eq!(identifier(&Value::Number(13800138000.0)).unwrap().as_deref(), Some("13800138000"));
    }

    #[test]
    fn yes_no_words() {
        assert!(yes_no(&Value::Text("是".into())).unwrap());
        assert!(!yes_no(&Value::Empty).unwrap());
        assert!(yes_no(&Value::Text("也许".into())).is_err());
    }
}
