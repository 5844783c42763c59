//! The words users write for enumerated values (同义词表): one table per enumeration in
//! `rules/synonyms.toml`, read once, used by [`crate::Labelled::parse`] and so alike by
//! imports, forms and the API. An unknown word gets the nearest accepted one suggested.

use std::collections::HashMap;
use std::sync::OnceLock;

/// The synonym table shipped with this build.
pub const SYNONYMS: &str = include_str!("../rules/synonyms.toml");

/// Section (the field's Chinese name) → code → the words written for it.
type Table = HashMap<String, Vec<(String, Vec<String>)>>;

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| parse_table(SYNONYMS).unwrap_or_else(|e| panic!("rules/synonyms.toml: {e}")))
}

/// (section, normalised word) → code: one hash lookup per value, whatever the table's size
/// (a roster of a million rows asks it millions of times).
fn index() -> &'static HashMap<(String, String), String> {
    static INDEX: OnceLock<HashMap<(String, String), String>> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut m = HashMap::new();
        for (section, codes) in table() {
            for (code, words) in codes {
                for w in words {
                    m.insert((section.clone(), normalise(w)), code.clone());
                }
            }
        }
        m
    })
}

/// Reads a synonym table: every section a table of code = [words].
pub fn parse_table(text: &str) -> Result<Table, String> {
    let doc: toml::Table = toml::from_str(text).map_err(|e| e.to_string())?;
    let mut out = Table::new();
    for (section, codes) in doc {
        let codes = codes.as_table().ok_or_else(|| format!("[{section}] 应是一节"))?;
        let mut list = Vec::new();
        for (code, words) in codes {
            let words = words
                .as_array()
                .ok_or_else(|| format!("[{section}] {code} 应是字符串列表"))?
                .iter()
                .map(|w| w.as_str().map(str::to_string).ok_or_else(|| format!("[{section}] {code} 中有不是字符串的值")))
                .collect::<Result<Vec<_>, _>>()?;
            list.push((code.clone(), words));
        }
        out.insert(section, list);
    }
    Ok(out)
}

/// A word as compared: no spaces (half- or full-width), full-width letters and digits made
/// ASCII, ASCII upper-cased. "大　专", "ｍｂａ" and "MBA" compare equal.
pub fn normalise(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{3000}')
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            c => c,
        })
        .flat_map(char::to_uppercase)
        .collect()
}

/// The code the table gives for `text` in the enumeration named `field`, if any.
pub fn lookup(field: &str, text: &str) -> Option<&'static str> {
    index().get(&(field.to_string(), normalise(text))).map(String::as_str)
}

/// The words written for one code (besides its label).
pub fn words_for(field: &str, code: &str) -> &'static [String] {
    table().get(field).and_then(|l| l.iter().find(|(c, _)| c == code)).map(|(_, w)| w.as_slice()).unwrap_or(&[])
}

/// Sections of the table, for the check that each names an enumeration.
pub fn sections() -> impl Iterator<Item = (&'static str, &'static [(String, Vec<String>)])> {
    table().iter().map(|(k, v)| (k.as_str(), v.as_slice()))
}

/// The accepted word nearest to `text` among `(word, label)` pairs: a word the text
/// contains or is contained in (the longest such), else the smallest edit distance when
/// it is at most half the text's length. Returns the label to suggest.
pub fn nearest<'a>(text: &str, candidates: impl IntoIterator<Item = (&'a str, &'a str)>) -> Option<&'a str> {
    let t = normalise(text);
    let tn = t.chars().count();
    if tn == 0 {
        return None;
    }
    let mut best: Option<(usize, usize, &str)> = None; // (rank, -len or distance, label)
    for (word, label) in candidates {
        let w = normalise(word);
        let wn = w.chars().count();
        if wn == 0 {
            continue;
        }
        let rank = if (wn >= 2 && t.contains(&w)) || (tn >= 2 && w.contains(&t)) {
            (0, usize::MAX - wn)
        } else {
            let d = distance(&t, &w);
            if d * 2 > tn.max(2) {
                continue;
            }
            (1, d)
        };
        if best.is_none_or(|b| (rank.0, rank.1) < (b.0, b.1)) {
            best = Some((rank.0, rank.1, label));
        }
    }
    best.map(|b| b.2)
}

/// Levenshtein distance over characters.
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + (ca != cb) as usize).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// 民族 as users write it: "汉族" or "汉", "维吾尔" or "维吾尔族", full-width or spaced.
pub fn ethnicity(text: &str) -> Result<&'static str, String> {
    let n = normalise(text);
    let list = crate::member::ETHNICITIES;
    if let Some(e) = list.iter().find(|e| **e == n || e.strip_suffix('族') == Some(n.as_str())) {
        return Ok(e);
    }
    // 蒙古族 is often written 蒙族; 维吾尔族 维族.
    let short = [("蒙", "蒙古族"), ("蒙族", "蒙古族"), ("维", "维吾尔族"), ("维族", "维吾尔族"), ("哈", "哈萨克族")];
    if let Some((_, e)) = short.iter().find(|(s, _)| *s == n) {
        return Ok(e);
    }
    let hint = nearest(text, list.iter().map(|e| (*e, *e)))
        .map(|s| format!("，最接近的是“{s}”"))
        .unwrap_or_default();
    Err(format!("民族“{}”无法识别：请填写56个民族之一，如“汉族”或“汉”“回族”或“回”{hint}", text.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_reads_and_words_are_unambiguous() {
        let t = parse_table(SYNONYMS).unwrap();
        for (section, codes) in &t {
            let mut seen: HashMap<String, &str> = HashMap::new();
            for (code, words) in codes {
                for w in words {
                    if let Some(other) = seen.insert(normalise(w), code) {
                        assert_eq!(other, code, "[{section}] “{w}” 同时表示 {other} 和 {code}");
                    }
                }
            }
        }
    }

    /// Every section names an enumeration and every code is one of its values, and no
    /// synonym is another value's label (it would silently change its meaning).
    #[test]
    fn sections_and_codes_exist() {
        use crate::Labelled;
        fn of<T: Labelled>() -> (&'static str, Vec<&'static str>, Vec<&'static str>) {
            (T::FIELD_LABEL, T::ALL.iter().map(|v| v.code()).collect(), T::ALL.iter().map(|v| v.label()).collect())
        }
        let enums = [
            of::<crate::member::Sex>(), of::<crate::member::Education>(), of::<crate::member::Occupation>(),
            of::<crate::member::MemberStatus>(), of::<crate::member::ArchiveMaterial>(), of::<crate::member::LeaveReason>(),
            of::<crate::meeting::MeetingKind>(), of::<crate::meeting::MeetingForm>(), of::<crate::life::ThemeCategory>(),
            of::<crate::life::TrainingChannel>(), of::<crate::life::TransferDirection>(), of::<crate::life::MobileDirection>(),
            of::<crate::life::WorkerKind>(), of::<crate::life::FundingSource>(), of::<crate::life::CarrierKind>(),
            of::<crate::life::EvaluationGrade>(), of::<crate::org::CommitteeRole>(), of::<crate::org::OrgLevel>(), of::<crate::org::Sector>(),
        ];
        for (section, codes) in sections() {
            let (_, all, labels) = enums.iter().find(|e| e.0 == section).unwrap_or_else(|| panic!("[{section}] names no enumeration"));
            for (code, words) in codes {
                assert!(all.contains(&code.as_str()), "[{section}] {code} is not a value");
                for w in words {
                    let own = labels[all.iter().position(|c| c == code).unwrap()];
                    assert!(!labels.iter().any(|l| *l == w.as_str() && *l != own), "[{section}] “{w}” is another value's label");
                }
            }
        }
        // The words the issue names, as rosters write them.
        use crate::member::{Education as E, Occupation as O};
        for (w, e) in [("大专", E::College), ("专科", E::College), ("大学专科", E::College), ("本科", E::Bachelor), ("大学", E::Bachelor), ("学士", E::Bachelor),
            ("研究生", E::Postgraduate), ("硕士", E::Postgraduate), ("博士", E::Postgraduate), ("硕士研究生", E::Postgraduate), ("中专", E::Secondary),
            ("中技", E::Secondary), ("技校", E::Secondary), ("职高", E::Secondary), ("高中", E::HighSchool), ("初中", E::JuniorOrBelow),
            ("小学", E::JuniorOrBelow), ("文盲", E::JuniorOrBelow), ("初中及以下", E::JuniorOrBelow), ("大　专", E::College)] {
            assert_eq!(E::parse(w), Some(e), "{w}");
        }
        for (w, o) in [("农民", O::Farmer), ("退休", O::Retired), ("教师", O::Professional), ("医生", O::Professional), ("公务员", O::OfficialStaff), ("村干部", O::OfficialStaff)] {
            assert_eq!(O::parse(w), Some(o), "{w}");
        }
        assert_eq!(crate::member::Sex::parse("女性"), Some(crate::member::Sex::Female));
        assert_eq!(crate::member::MemberStatus::parse("预备"), Some(crate::member::MemberStatus::Probationary));
        assert_eq!(E::HighSchool.label(), "高中");
    }

    #[test]
    fn nearest_prefers_containment_then_distance() {
        let c = [("大学本科", "大学本科"), ("本科", "大学本科"), ("大学专科", "大学专科"), ("高中", "高中")];
        assert_eq!(nearest("大学本科毕业证", c), Some("大学本科"));
        assert_eq!(nearest("高仲", c), Some("高中"));
        assert_eq!(nearest("飞行员", c), None);
        assert_eq!(nearest("", c), None);
    }

    #[test]
    fn ethnicities_with_or_without_zu() {
        assert_eq!(ethnicity("汉").unwrap(), "汉族");
        assert_eq!(ethnicity(" 维吾尔 ").unwrap(), "维吾尔族");
        assert_eq!(ethnicity("蒙族").unwrap(), "蒙古族");
        assert!(ethnicity("汗族").unwrap_err().contains("最接近的是“汉族”"));
    }
}
