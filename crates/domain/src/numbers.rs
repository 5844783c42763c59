//! Numbers as users type them (金额、学时、人数、收入基数): checked once here for every path.
//! Only finite numbers within a stated range pass; `NaN`, `inf` and `1e309` (which
//! overflows to infinity) are refused with a Chinese reason, never stored.

use crate::FieldError;

/// What a number field accepts: its Chinese name, unit and range (inclusive).
#[derive(Debug, Clone, Copy)]
pub struct Range {
    pub label: &'static str,
    pub unit: &'static str,
    pub min: f64,
    pub max: f64,
    /// Whether the minimum itself is allowed (amounts and hours must be above 0).
    pub min_inclusive: bool,
}

impl Range {
    /// Reads `text` (units such as 元/学时/小时 and thousands separators allowed).
    /// Empty → "{label}未填写".
    pub fn parse(&self, field: &'static str, text: &str) -> Result<f64, FieldError> {
        let raw = text.trim();
        if raw.is_empty() {
            return Err(FieldError::new(field, format!("{}未填写，请填写数字（{}）", self.label, self.unit)));
        }
        let s = crate::dates::normalise_digits(raw);
        let t = s.trim().trim_end_matches(['元', '时', '学', '小', '个', '人', '名']).replace([',', '，', ' '], "");
        let n: f64 = t.trim().parse().map_err(|_| FieldError::new(field, format!("{}“{raw}”不是数字，请只填写数字，如{}", self.label, self.example())))?;
        self.check(field, n, raw)
    }
    /// Checks a number that arrived as a number (a spreadsheet cell, JSON).
    pub fn check(&self, field: &'static str, n: f64, raw: &str) -> Result<f64, FieldError> {
        if !n.is_finite() {
            return Err(FieldError::new(field, format!("{}“{raw}”不是有限的数字（无穷大或非数字），请填写实际的数值，如{}", self.label, self.example())));
        }
        let low_ok = if self.min_inclusive { n >= self.min } else { n > self.min };
        if !low_ok || n > self.max {
            let low = if self.min_inclusive { format!("不小于{}", fmt(self.min)) } else { format!("大于{}", fmt(self.min)) };
            return Err(FieldError::new(field, format!("{}{}不合理：应{low}、不超过{}（{}）", self.label, fmt(n), fmt(self.max), self.unit)));
        }
        Ok(n)
    }
    fn example(&self) -> String {
        fmt(if self.min_inclusive { self.min.max(1.0) } else { (self.min + 1.0).min(self.max) })
    }
}

fn fmt(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 { format!("{}", n as i64) } else { format!("{n}") }
}

/// Optional number: empty → `None`.
pub fn optional(r: &Range, field: &'static str, text: Option<&str>) -> Result<Option<f64>, FieldError> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => r.parse(field, t).map(Some),
    }
}

/// 学时 of one training: above 0, at most 80 (ten days of 8).
pub const TRAINING_HOURS: Range = Range { label: "学时", unit: "学时，1天按8学时", min: 0.0, max: 80.0, min_inclusive: false };
/// A dues payment (元): above 0, at most 1 000 000.
pub const DUES_AMOUNT: Range = Range { label: "缴纳金额", unit: "元", min: 0.0, max: 1_000_000.0, min_inclusive: false };
/// A monthly income base (元/月).
pub const INCOME_BASE: Range = Range { label: "月收入基数", unit: "元/月", min: 0.0, max: 10_000_000.0, min_inclusive: true };
/// Working funds (元).
pub const FUNDING_AMOUNT: Range = Range { label: "金额", unit: "元", min: 0.0, max: 1e9, min_inclusive: false };
/// Hours of pre-admission training (集中培训学时).
pub const DEVELOPMENT_HOURS: Range = Range { label: "集中培训学时", unit: "学时", min: 0.0, max: 1000.0, min_inclusive: true };
/// A committee's term (任期，年).
pub const TERM_YEARS: Range = Range { label: "任期", unit: "年", min: 1.0, max: 10.0, min_inclusive: true };
/// Counts of people at a vote (应到/实到/赞成).
pub const HEADCOUNT: Range = Range { label: "人数", unit: "人", min: 0.0, max: 100_000.0, min_inclusive: true };

/// Deserialises a field that clients send as a number or as text into its text, so that
/// the API reads numbers through the same check as forms and imports.
pub fn text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Text(String),
        Int(i64),
        Float(f64),
    }
    Ok(match Option::<Raw>::deserialize(d)? {
        None => None,
        Some(Raw::Text(s)) => Some(s),
        Some(Raw::Int(i)) => Some(i.to_string()),
        Some(Raw::Float(f)) => Some(f.to_string()),
    })
}

use serde::Deserialize;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_finite_and_out_of_range_are_refused() {
        for bad in ["NaN", "nan", "inf", "-inf", "infinity", "1e309", "-1e309"] {
            let e = TRAINING_HOURS.parse("hours", bad).unwrap_err();
            assert!(e.message.contains("学时"), "{bad}: {}", e.message);
        }
        assert!(TRAINING_HOURS.parse("hours", "-3").unwrap_err().message.contains("大于0"));
        assert!(TRAINING_HOURS.parse("hours", "0").is_err());
        assert_eq!(TRAINING_HOURS.parse("hours", "４学时").unwrap(), 4.0);
        assert_eq!(DUES_AMOUNT.parse("amount", "1,200元").unwrap(), 1200.0);
        assert!(DUES_AMOUNT.parse("amount", "").unwrap_err().message.contains("未填写"));
        assert!(DUES_AMOUNT.check("amount", f64::NAN, "NaN").is_err());
    }
}
