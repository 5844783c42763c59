//! Citizen ID numbers (公民身份号码, GB 11643-1999): checksum, birth date, sex, masking.

use crate::{member::Sex, Date, FieldError};
use chrono::Datelike;

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// A checked 18-character citizen ID. Sensitive (PIPL): `Display` and `Serialize` show
/// only the masked form; [`CitizenId::reveal`] is the one explicit way to the full number.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct CitizenId(String);

impl CitizenId {
    /// Checks length, digits, the birth date and the check character.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let s: String = raw.trim().to_uppercase();
        let err = |why: &str| FieldError::new("citizen_id", format!("身份证号“{}”{}", mask_str(&s), why));
        if s.is_empty() {
            return Err(FieldError::new("citizen_id", "身份证号未填写：请填写18位公民身份号码"));
        }
        if s.contains('*') {
            return Err(FieldError::new("citizen_id", format!("身份证号“{s}”是脱敏的（中间是*），无法据此导入：请填写完整号码，或请辖区管理员说明用途后导出完整身份证号")));
        }
        if s.chars().count() != 18 {
            return Err(err("应为18位，请核对后重新填写"));
        }
        let b = s.as_bytes();
        if !b[..17].iter().all(u8::is_ascii_digit) || !(b[17].is_ascii_digit() || b[17] == b'X') {
            return Err(err("只能包含数字，最后一位可以是X"));
        }
        if Self::birth_date_of(&s).is_none() {
            return Err(err("中的出生日期（第7–14位）不是有效日期"));
        }
        if check_char(&s[..17]) != b[17] as char {
            return Err(err("校验位不正确（可能有数字录入错误），请核对原件"));
        }
        Ok(Self(s))
    }

    fn birth_date_of(s: &str) -> Option<Date> {
        let y = s[6..10].parse().ok()?;
        let m = s[10..12].parse().ok()?;
        let d = s[12..14].parse().ok()?;
        Date::from_ymd_opt(y, m, d)
    }

    /// Builds a valid ID from its parts (used by the generator).
    pub fn compose(region6: &str, birth: Date, seq: u16) -> Self {
        let body = format!("{region6}{:04}{:02}{:02}{:03}", birth.year(), birth.month(), birth.day(), seq % 1000);
        let c = check_char(&body);
        Self(format!("{body}{c}"))
    }

    pub fn birth_date(&self) -> Date {
        Self::birth_date_of(&self.0).expect("checked at parse")
    }
    /// Odd sequence digit = male, even = female.
    pub fn sex(&self) -> Sex {
        if (self.0.as_bytes()[16] - b'0') % 2 == 1 { Sex::Male } else { Sex::Female }
    }
    pub fn region_code(&self) -> &str {
        &self.0[..6]
    }
    /// Masked like `3301**********813X`.
    pub fn masked(&self) -> String {
        mask_str(&self.0)
    }
    /// The full number. Callers must have a reason (storage, export with permission).
    pub fn reveal(&self) -> &str {
        &self.0
    }

    /// Checks the ID against the birth date and sex stated elsewhere on the record.
    pub fn check_matches(&self, birth: Option<Date>, sex: Option<Sex>) -> Result<(), FieldError> {
        if let Some(b) = birth {
            if b != self.birth_date() {
                return Err(FieldError::new(
                    "birth_date",
                    format!("出生日期 {b} 与身份证号中的出生日期 {} 不一致，请核对", self.birth_date()),
                ));
            }
        }
        if let Some(x) = sex {
            if x != self.sex() {
                return Err(FieldError::new(
                    "sex",
                    format!("性别“{x}”与身份证号（第17位）表示的性别“{}”不一致，请核对", self.sex()),
                ));
            }
        }
        Ok(())
    }
}

fn check_char(first17: &str) -> char {
    let s: u32 = first17.bytes().zip(WEIGHTS).map(|(c, w)| (c - b'0') as u32 * w).sum();
    CHECK[(s % 11) as usize]
}

/// A citizen ID in text masked as [`CitizenId`] shows it (1101**********002X), whatever
/// the text holds (registers of committee members keep it as text).
pub fn mask_text(s: &str) -> String {
    mask_str(s.trim())
}

fn mask_str(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() < 8 {
        return "*".repeat(chars.len());
    }
    let n = chars.len();
    chars.iter().enumerate().map(|(i, c)| if i < 4 || i >= n - 4 { *c } else { '*' }).collect()
}

impl std::fmt::Display for CitizenId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.masked())
    }
}
impl std::fmt::Debug for CitizenId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CitizenId({})", self.masked())
    }
}
impl serde::Serialize for CitizenId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_vectors_are_valid() {
        let a = CitizenId::parse("11010519491231002X").unwrap();
        assert_eq!(a.birth_date(), Date::from_ymd_opt(1949, 12, 31).unwrap());
        assert_eq!(a.sex(), Sex::Female);
        assert_eq!(a.masked(), "1101**********002X");
        let b = CitizenId::parse("440524188001010014").unwrap();
        assert_eq!(b.sex(), Sex::Male);
        assert_eq!(b.region_code(), "440524");
    }

    #[test]
    fn refuses_bad_checksum_length_and_date() {
        assert!(CitizenId::parse("110105194912310021").unwrap_err().message.contains("校验位"));
        assert!(CitizenId::parse("1101051949123100").unwrap_err().message.contains("18位"));
        assert!(CitizenId::parse("110105194913310025").unwrap_err().message.contains("出生日期"));
        assert!(CitizenId::parse("11010519491231002x").is_ok(), "lower-case x is accepted");
    }

    #[test]
    fn compose_round_trips_and_never_leaks() {
        let d = Date::from_ymd_opt(1988, 2, 29).unwrap();
        let id = CitizenId::compose("330122", d, 123);
        let back = CitizenId::parse(id.reveal()).unwrap();
        assert_eq!(back.birth_date(), d);
        assert_eq!(back.sex(), Sex::Male);
        assert!(!format!("{id} {id:?}").contains("19880229"));
        assert!(back.check_matches(Some(d), Some(Sex::Female)).unwrap_err().message.contains("性别"));
    }
}
