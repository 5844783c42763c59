//! The flat table of a campaign's responses, shared by every export and the analysis:
//! one row per response, response facts first (unit, sector, verdict…), then one column
//! per question. select_one lists with numeric codes (Likert 1–5) stay numeric; other
//! lists are coded 1..n in list order with value labels; select_multiple adds a 0/1
//! column per choice; "other" texts and repeats (as JSON, or their count in SAV/DTA) get
//! columns of their own.

use crate::model::{Kind, Questionnaire};
use crate::validity::Verdict;
use domain::Labelled;
use serde_json::{Map, Value as Json};
use store::{CampaignUnit, ResponseRow};

#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Num(Option<f64>),
    Str(String),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ColKind {
    Num { decimals: u8 },
    Str,
    /// A date and time (local wall-clock time): its cell holds seconds since 1970-01-01
    /// 00:00 of that clock, and each format writes it as its own datetime type.
    DateTime,
}

/// Local wall-clock seconds since 1970-01-01 00:00 of an RFC 3339 timestamp.
pub fn local_seconds(ts: &str) -> Option<f64> {
    let t = chrono::DateTime::parse_from_rfc3339(ts).ok()?.with_timezone(&chrono::Local).naive_local();
    Some(t.and_utc().timestamp() as f64 + f64::from(t.and_utc().timestamp_subsec_millis()) / 1000.0)
}

/// A datetime cell as text: `2026-11-01 08:10:00`.
pub fn datetime_text(secs: f64) -> String {
    chrono::DateTime::from_timestamp(secs.floor() as i64, 0).map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string()).unwrap_or_default()
}

#[derive(Debug, Clone)]
enum Src {
    Id,
    UnitCode,
    UnitName,
    Sector,
    Region,
    Channel,
    Submitted,
    Duration,
    /// The rank (1 = first) a ranking answer gives one option: (key, option).
    RankOf(String, String),
    Valid,
    Reason,
    /// The answer as stored (text, numbers as numbers when the column is numeric).
    Answer(String),
    /// A select's code as a number: its own code when numeric, else its list position.
    Coded(String, Vec<String>),
    /// The label of a select's chosen choice(s): (key, code → label), looked up once.
    Label(String, Vec<(String, String)>),
    Dummy(String, String),
    RepeatJson(String),
    RepeatCount(String),
}

#[derive(Debug, Clone)]
pub struct Column {
    pub name: String,
    pub label: String,
    pub kind: ColKind,
    /// Value labels of a numeric column (SPSS/Stata), in order.
    pub labels: Vec<(f64, String)>,
    src: Src,
}

/// Which kinds of file the table is for: statistical packages get codes only (labels
/// travel as value labels) and repeat counts; spreadsheets get labels beside codes and
/// repeats as JSON.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Flavour {
    Spreadsheet,
    Statistical,
}

fn numeric_codes(codes: &[String]) -> bool {
    !codes.is_empty() && codes.iter().all(|c| c.parse::<f64>().is_ok())
}

/// A name SPSS and Stata accept: letters, digits and `_`, starting with a letter, unique.
fn safe_name(raw: &str, taken: &mut std::collections::HashSet<String>) -> String {
    let mut s: String = raw.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '_' }).collect();
    if !s.chars().next().is_some_and(|c| c.is_ascii_alphabetic()) {
        s = format!("v{s}");
    }
    s.truncate(32);
    let mut name = s.clone();
    let mut i = 2;
    while !taken.insert(name.to_lowercase()) {
        name = format!("{}_{i}", &s[..s.len().min(28)]);
        i += 1;
    }
    name
}

pub fn columns(form: &Questionnaire, flavour: Flavour) -> Vec<Column> {
    let mut taken = std::collections::HashSet::new();
    let mut cols = Vec::new();
    let mut add = |name: &str, label: &str, kind: ColKind, labels: Vec<(f64, String)>, src: Src, taken: &mut std::collections::HashSet<String>| {
        cols.push(Column { name: safe_name(name, taken), label: label.to_string(), kind, labels, src });
    };
    let text = ColKind::Str;
    let int = ColKind::Num { decimals: 0 };
    add("response_id", "答卷编号", int, vec![], Src::Id, &mut taken);
    add("unit_code", "单位代码", text, vec![], Src::UnitCode, &mut taken);
    add("unit_name", "单位名称", text, vec![], Src::UnitName, &mut taken);
    add("sector", "领域", text, vec![], Src::Sector, &mut taken);
    add("region", "行政区划代码", text, vec![], Src::Region, &mut taken);
    add("channel", "填写方式", text, vec![], Src::Channel, &mut taken);
    add("submitted_at", "提交时间", ColKind::DateTime, vec![], Src::Submitted, &mut taken);
    add("duration_s", "答题用时（秒）", ColKind::Num { decimals: 1 }, vec![], Src::Duration, &mut taken);
    add("valid", "是否有效问卷", int, vec![(1.0, "有效".into()), (0.0, "无效".into())], Src::Valid, &mut taken);
    add("invalid_reason", "无效原因", text, vec![], Src::Reason, &mut taken);
    for it in form.variables() {
        let label = form.text(&it.label).to_string();
        let n = it.name.as_str();
        match &it.kind {
            Kind::SelectOne { list, or_other } => {
                let choices = form.choices(list);
                let mut codes: Vec<String> = choices.iter().map(|c| c.name.clone()).collect();
                if *or_other {
                    codes.push(crate::answers::OTHER.into());
                }
                let numeric = numeric_codes(&codes);
                let labels: Vec<(f64, String)> = choices
                    .iter()
                    .enumerate()
                    .map(|(i, c)| (if numeric { c.name.parse().unwrap() } else { (i + 1) as f64 }, form.text(&c.label).to_string()))
                    .chain(or_other.then(|| ((choices.len() + 1) as f64, "其他".to_string())).filter(|_| !numeric))
                    .collect();
                add(n, &label, int, labels, Src::Coded(n.into(), if numeric { vec![] } else { codes.clone() }), &mut taken);
                if flavour == Flavour::Spreadsheet {
                    add(&format!("{n}_label"), &format!("{label}（选项）"), text, vec![], Src::Label(n.into(), choice_labels(form, list)), &mut taken);
                }
                if *or_other {
                    add(&format!("{n}_other"), &format!("{label}（其他，请注明）"), text, vec![], Src::Answer(format!("{n}_other")), &mut taken);
                }
            }
            Kind::SelectMultiple { list, or_other } => {
                if flavour == Flavour::Spreadsheet {
                    add(n, &label, text, vec![], Src::Answer(n.into()), &mut taken);
                    add(&format!("{n}_label"), &format!("{label}（选项）"), text, vec![], Src::Label(n.into(), choice_labels(form, list)), &mut taken);
                }
                let yes = vec![(1.0, "选中".to_string()), (0.0, "未选".to_string())];
                for c in form.choices(list) {
                    add(&format!("{n}_{}", c.name), &format!("{label}：{}", form.text(&c.label)), int, yes.clone(), Src::Dummy(n.into(), c.name.clone()), &mut taken);
                }
                if *or_other {
                    add(&format!("{n}_other_chosen"), &format!("{label}：其他"), int, yes.clone(), Src::Dummy(n.into(), crate::answers::OTHER.into()), &mut taken);
                    add(&format!("{n}_other"), &format!("{label}（其他，请注明）"), text, vec![], Src::Answer(format!("{n}_other")), &mut taken);
                }
            }
            Kind::Rank { list } => {
                // One numeric variable per option: the rank it was given (1 = first).
                if flavour == Flavour::Spreadsheet {
                    add(n, &format!("{label}（按名次排列的选项代码）"), text, vec![], Src::Answer(n.into()), &mut taken);
                }
                for c in form.choices(list) {
                    add(&format!("{n}_{}", c.name), &format!("{label}：{}（名次）", form.text(&c.label)), int, vec![], Src::RankOf(n.into(), c.name.clone()), &mut taken);
                }
            }
            Kind::Integer => add(n, &label, int, vec![], Src::Answer(n.into()), &mut taken),
            Kind::Decimal | Kind::Range { .. } => add(n, &label, ColKind::Num { decimals: 2 }, vec![], Src::Answer(n.into()), &mut taken),
            Kind::Calculate => add(n, &format!("{n}（计算）"), text, vec![], Src::Answer(n.into()), &mut taken),
            _ => add(n, &label, text, vec![], Src::Answer(n.into()), &mut taken),
        }
    }
    for r in form.repeats() {
        let label = form.text(&r.label).to_string();
        match flavour {
            Flavour::Spreadsheet => add(&r.name, &format!("{label}（重复组，JSON）"), text, vec![], Src::RepeatJson(r.name.clone()), &mut taken),
            Flavour::Statistical => add(&format!("{}_count", r.name), &format!("{label}（重复组条数）"), int, vec![], Src::RepeatCount(r.name.clone()), &mut taken),
        }
    }
    cols
}

fn choice_labels(form: &Questionnaire, list: &str) -> Vec<(String, String)> {
    form.choices(list).iter().map(|c| (c.name.clone(), form.text(&c.label).to_string())).collect()
}

fn s(a: &Map<String, Json>, k: &str) -> String {
    match a.get(k) {
        Some(Json::String(v)) => v.clone(),
        Some(Json::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

/// A response's row.
pub fn row(cols: &[Column], _form: &Questionnaire, r: &ResponseRow, unit: Option<&CampaignUnit>, answers: &Map<String, Json>, v: &Verdict) -> Vec<Cell> {
    cols.iter()
        .map(|c| match &c.src {
            Src::Id => Cell::Num(Some(r.id as f64)),
            Src::UnitCode => Cell::Str(unit.map(|u| u.org_code.clone()).unwrap_or_default()),
            Src::UnitName => Cell::Str(unit.map(|u| u.org_name.clone()).unwrap_or_default()),
            Src::Sector => Cell::Str(unit.map(|u| u.sector.label().to_string()).unwrap_or_default()),
            Src::Region => Cell::Str(unit.map(|u| u.region_code.clone()).unwrap_or_default()),
            Src::Channel => Cell::Str(if r.channel == "paper" { "纸质录入" } else { "网上填写" }.into()),
            Src::Submitted => Cell::Num(local_seconds(&r.submitted_at)),
            Src::RankOf(k, choice) => {
                let t = s(answers, k);
                Cell::Num(t.split(' ').filter(|x| !x.is_empty()).position(|x| x == choice).map(|i| (i + 1) as f64))
            }
            Src::Duration => Cell::Num(Some((r.duration_s * 10.0).round() / 10.0)),
            Src::Valid => Cell::Num(Some(v.valid as i32 as f64)),
            Src::Reason => Cell::Str(if v.valid { String::new() } else { v.reason() }),
            Src::Answer(k) => {
                let t = s(answers, k);
                match c.kind {
                    ColKind::Num { .. } => Cell::Num(t.parse().ok()),
                    ColKind::DateTime => Cell::Num(local_seconds(&t)),
                    ColKind::Str => Cell::Str(t),
                }
            }
            Src::Coded(k, codes) => {
                let t = s(answers, k);
                Cell::Num(if t.is_empty() { None } else if codes.is_empty() { t.parse().ok() } else { codes.iter().position(|x| *x == t).map(|i| (i + 1) as f64) })
            }
            Src::Label(k, labels) => {
                let t = s(answers, k);
                Cell::Str(
                    t.split(' ')
                        .filter(|x| !x.is_empty())
                        .map(|x| if x == crate::answers::OTHER { "其他" } else { labels.iter().find(|(c, _)| c == x).map(|(_, l)| l.as_str()).unwrap_or(x) })
                        .collect::<Vec<_>>()
                        .join("┋"),
                )
            }
            Src::Dummy(k, choice) => {
                let t = s(answers, k);
                Cell::Num(if answers.contains_key(k) { Some(t.split(' ').any(|x| x == choice) as i32 as f64) } else { None })
            }
            Src::RepeatJson(k) => Cell::Str(answers.get(k).map(|v| v.to_string()).unwrap_or_default()),
            Src::RepeatCount(k) => Cell::Num(answers.get(k).and_then(|v| v.as_array()).map(|a| a.len() as f64)),
        })
        .collect()
}
