//! A submission checked against its questionnaire on the server: every value parsed by
//! its type, choices checked (with `choice_filter`), `relevant` applied (answers to
//! questions that do not apply are cleared, as ODK does), `constraint` and `required`
//! checked, `calculation` evaluated. The browser's checks are only a convenience.
//!
//! Form field names: a question is its `name`; a repeat child is `rep.2.child`
//! (instance 2, from 0); the text of "other" is `name._other`; a rank position is
//! `name.rank.choice`.

use crate::expr::{Context, Expr};
use crate::model::{Item, Kind, Questionnaire};
use serde_json::{Map, Value as Json};
use std::collections::BTreeMap;

/// Longest text answer accepted, in characters.
pub const MAX_TEXT: usize = 5000;
/// Most instances of one repeat.
pub const MAX_REPEATS: usize = 50;
/// The choice code that stands for "other, please specify" (XLSForm `or_other`).
pub const OTHER: &str = "other";

/// What the respondent sent, as form fields (a key may repeat: select_multiple).
#[derive(Debug, Default, Clone)]
pub struct Raw(pub Vec<(String, String)>);

impl Raw {
    fn all(&self, key: &str) -> Vec<&str> {
        self.0.iter().filter(|(k, _)| k == key).map(|(_, v)| v.trim()).filter(|v| !v.is_empty()).collect()
    }
    fn one(&self, key: &str) -> &str {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v.trim()).unwrap_or("")
    }
    /// Instances of a repeat present in the submission.
    fn instances(&self, prefix: &str) -> usize {
        let p = format!("{prefix}.");
        self.0
            .iter()
            .filter_map(|(k, _)| k.strip_prefix(&p).and_then(|r| r.split('.').next()).and_then(|n| n.parse::<usize>().ok()))
            .map(|n| n + 1)
            .max()
            .unwrap_or(0)
    }
}

/// The outcome of checking a submission.
#[derive(Debug, Default, Clone)]
pub struct Checked {
    /// Answers by question name; repeats as arrays of objects.
    pub answers: Map<String, Json>,
    /// Field key → what is wrong, in Chinese. Empty means the answers can be stored.
    pub errors: BTreeMap<String, String>,
    /// Required questions left unanswered (allowed only for paper questionnaires).
    pub missing: Vec<String>,
}

struct Ctx<'a> {
    top: &'a Map<String, Json>,
    inst: Option<&'a Map<String, Json>>,
    current: String,
    today: String,
}

fn as_text(v: Option<&Json>) -> String {
    match v {
        Some(Json::String(s)) => s.clone(),
        Some(Json::Number(n)) => n.to_string(),
        Some(Json::Array(a)) => a.len().to_string(),
        _ => String::new(),
    }
}

impl Context for Ctx<'_> {
    fn field(&self, name: &str) -> String {
        if let Some(i) = self.inst {
            if let Some(v) = i.get(name) {
                return as_text(Some(v));
            }
        }
        as_text(self.top.get(name))
    }
    fn current(&self) -> String {
        self.current.clone()
    }
    fn today(&self) -> String {
        self.today.clone()
    }
}

/// The answers as an expression context (for rendering and analysis).
pub fn context_value(answers: &Map<String, Json>, expr: &Expr, current: &str, today: &str) -> bool {
    expr.truthy(&Ctx { top: answers, inst: None, current: current.into(), today: today.into() })
}

/// Checks a submission. `paper`: a staff member entering a paper questionnaire, where
/// unanswered required questions are recorded as missing instead of refused.
pub fn check(form: &Questionnaire, raw: &Raw, paper: bool, today: &str) -> Checked {
    let mut out = Checked::default();
    let known = known_keys(form, raw);
    for (k, _) in &raw.0 {
        if !k.starts_with('_') && !known.contains(k) {
            out.errors.insert(k.clone(), format!("问卷中没有 “{k}” 这道题"));
        }
    }
    let mut top = Map::new();
    walk(form, &form.items, raw, "", &mut top, None, true, paper, today, &mut out);
    out.answers = top;
    out
}

fn known_keys(form: &Questionnaire, raw: &Raw) -> std::collections::HashSet<String> {
    let mut keys = std::collections::HashSet::new();
    fn go(form: &Questionnaire, items: &[Item], prefix: &str, raw: &Raw, keys: &mut std::collections::HashSet<String>) {
        for it in items {
            let key = format!("{prefix}{}", it.name);
            match it.kind {
                Kind::Group => go(form, &it.children, prefix, raw, keys),
                Kind::Repeat => {
                    for i in 0..raw.instances(&key).min(MAX_REPEATS) {
                        go(form, &it.children, &format!("{key}.{i}."), raw, keys);
                    }
                }
                _ => {
                    keys.insert(key.clone());
                    keys.insert(format!("{key}._other"));
                    if let Some(list) = it.kind.list() {
                        for c in form.choices(list) {
                            keys.insert(format!("{key}.rank.{}", c.name));
                        }
                    }
                }
            }
        }
    }
    go(form, &form.items, "", raw, &mut keys);
    keys
}

#[allow(clippy::too_many_arguments)]
fn walk(
    form: &Questionnaire,
    items: &[Item],
    raw: &Raw,
    prefix: &str,
    top: &mut Map<String, Json>,
    mut inst: Option<&mut Map<String, Json>>,
    relevant: bool,
    paper: bool,
    today: &str,
    out: &mut Checked,
) {
    for it in items {
        let key = format!("{prefix}{}", it.name);
        let applies = relevant
            && it.relevant.as_ref().is_none_or(|e| {
                let ctx = Ctx { top, inst: inst.as_deref(), current: String::new(), today: today.into() };
                e.truthy(&ctx)
            });
        match &it.kind {
            Kind::Group => {
                walk(form, &it.children, raw, prefix, top, inst.as_deref_mut(), applies, paper, today, out);
                continue;
            }
            Kind::Repeat => {
                if !applies || inst.is_some() {
                    if inst.is_some() && applies {
                        out.errors.insert(key.clone(), "不支持重复组中再套重复组".into());
                    }
                    continue;
                }
                let n = match &it.repeat_count {
                    Some(e) => {
                        let ctx = Ctx { top, inst: None, current: String::new(), today: today.into() };
                        (e.eval(&ctx).num().max(0.0) as usize).min(MAX_REPEATS)
                    }
                    None => raw.instances(&key).clamp(0, MAX_REPEATS),
                };
                let mut list = Vec::new();
                for i in 0..n {
                    let mut m = Map::new();
                    walk(form, &it.children, raw, &format!("{key}.{i}."), top, Some(&mut m), true, paper, today, out);
                    list.push(Json::Object(m));
                }
                top.insert(it.name.clone(), Json::Array(list));
                continue;
            }
            _ => {}
        }
        if !applies {
            continue;
        }
        let value: Option<String> = match &it.kind {
            // A hidden value the server put into the submission (the unit type).
            Kind::Meta { what } if what == "hidden" => Some(raw.one(&key).to_string()).filter(|v| !v.is_empty()),
            Kind::Meta { .. } | Kind::Note => None,
            Kind::Calculate => {
                let ctx = Ctx { top, inst: inst.as_deref(), current: String::new(), today: today.into() };
                it.calculation.as_ref().map(|e| e.eval(&ctx).string()).filter(|v| v != "NaN")
            }
            _ => match parse_answer(form, it, raw, &key, top, inst.as_deref(), today) {
                Ok(v) => v,
                Err(m) => {
                    out.errors.insert(key.clone(), m);
                    continue;
                }
            },
        };
        let Some(v) = value.filter(|v| !v.is_empty()) else {
            if it.required && it.kind.is_question() {
                if paper {
                    out.missing.push(key.clone());
                } else {
                    let msg = form.text(&it.required_message);
                    out.errors.insert(key.clone(), if msg.is_empty() { "此题必答".into() } else { msg.into() });
                }
            }
            continue;
        };
        if let Some(c) = &it.constraint {
            let ctx = Ctx { top, inst: inst.as_deref(), current: v.clone(), today: today.into() };
            if !c.truthy(&ctx) {
                let msg = form.text(&it.constraint_message);
                out.errors.insert(key.clone(), if msg.is_empty() { format!("答案不符合本题要求（{}）", c.source) } else { msg.to_string() });
                continue;
            }
        }
        let target = match inst.as_deref_mut() {
            Some(m) => m,
            None => &mut *top,
        };
        if it.kind.or_other() && v.split(' ').any(|x| x == OTHER) {
            target.insert(format!("{}_other", it.name), Json::String(raw.one(&format!("{key}._other")).to_string()));
        }
        target.insert(it.name.clone(), Json::String(v));
    }
}

fn choice_ok(form: &Questionnaire, it: &Item, name: &str, top: &Map<String, Json>, inst: Option<&Map<String, Json>>, today: &str) -> bool {
    let Some(list) = it.kind.list() else { return false };
    form.choices(list).iter().filter(|c| c.name == name).any(|c| match &it.choice_filter {
        None => true,
        Some(f) => f.truthy(&ChoiceCtx { base: Ctx { top, inst, current: String::new(), today: today.into() }, extra: &c.extra, name: &c.name }),
    })
}

/// A `choice_filter` sees the choice's own columns as bare names (`cf`, `name`).
struct ChoiceCtx<'a> {
    base: Ctx<'a>,
    extra: &'a BTreeMap<String, String>,
    name: &'a str,
}
impl Context for ChoiceCtx<'_> {
    fn field(&self, n: &str) -> String {
        self.base.field(n)
    }
    fn current(&self) -> String {
        self.name.to_string()
    }
    fn column(&self, n: &str) -> Option<String> {
        if n == "name" {
            return Some(self.name.to_string());
        }
        self.extra.get(n).cloned()
    }
}

/// Choices offered for `it` given the answers so far (`choice_filter` applied).
pub fn offered<'f>(form: &'f Questionnaire, it: &Item, answers: &Map<String, Json>, today: &str) -> Vec<&'f crate::model::Choice> {
    let Some(list) = it.kind.list() else { return vec![] };
    form.choices(list).iter().filter(|c| choice_ok(form, it, &c.name, answers, None, today)).collect()
}

fn parse_answer(form: &Questionnaire, it: &Item, raw: &Raw, key: &str, top: &Map<String, Json>, inst: Option<&Map<String, Json>>, today: &str) -> Result<Option<String>, String> {
    let v = raw.one(key);
    let ok = |s: String| Ok(Some(s).filter(|s| !s.is_empty()));
    match &it.kind {
        Kind::Text => {
            let n = v.chars().count();
            if n > MAX_TEXT {
                return Err(format!("内容过长（{n} 字），最多 {MAX_TEXT} 字"));
            }
            ok(v.to_string())
        }
        Kind::Integer => {
            if v.is_empty() {
                return Ok(None);
            }
            v.parse::<i64>().map(|n| Some(n.to_string())).map_err(|_| format!("请填写整数，“{}” 不是整数", short(v)))
        }
        Kind::Decimal => {
            if v.is_empty() {
                return Ok(None);
            }
            match v.parse::<f64>() {
                Ok(n) if n.is_finite() => Ok(Some(v.to_string())),
                _ => Err(format!("请填写数字，“{}” 不是数字", short(v))),
            }
        }
        Kind::Range { start, end, step } => {
            if v.is_empty() {
                return Ok(None);
            }
            let n: f64 = v.parse().map_err(|_| format!("请填写 {start} 到 {end} 之间的数"))?;
            let k = (n - start) / step;
            if n < *start || n > *end || (k - k.round()).abs() > 1e-9 {
                return Err(format!("请填写 {start} 到 {end} 之间、间隔为 {step} 的数"));
            }
            ok(v.to_string())
        }
        Kind::Date => {
            if v.is_empty() {
                return Ok(None);
            }
            chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d").map(|d| Some(d.to_string())).map_err(|_| format!("“{}” 不是有效日期，请按 2024-05-01 的格式填写", short(v)))
        }
        Kind::Time => {
            if v.is_empty() {
                return Ok(None);
            }
            chrono::NaiveTime::parse_from_str(v, "%H:%M")
                .or_else(|_| chrono::NaiveTime::parse_from_str(v, "%H:%M:%S"))
                .map(|t| Some(t.format("%H:%M").to_string()))
                .map_err(|_| format!("“{}” 不是有效时间，请按 14:30 的格式填写", short(v)))
        }
        Kind::DateTime => {
            if v.is_empty() {
                return Ok(None);
            }
            chrono::NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M")
                .or_else(|_| chrono::NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M:%S"))
                .map(|t| Some(t.format("%Y-%m-%dT%H:%M").to_string()))
                .map_err(|_| format!("“{}” 不是有效的日期时间", short(v)))
        }
        Kind::Acknowledge => match v {
            "" => Ok(None),
            "OK" | "ok" | "1" | "on" => Ok(Some("OK".into())),
            other => Err(format!("“{}” 不是确认", short(other))),
        },
        Kind::SelectOne { or_other, .. } => {
            if v.is_empty() {
                return Ok(None);
            }
            if *or_other && v == OTHER {
                let t = raw.one(&format!("{key}._other"));
                if t.is_empty() {
                    return Err("选择了“其他”，请在后面的框中注明".into());
                }
                if t.chars().count() > MAX_TEXT {
                    return Err(format!("“其他”的说明过长，最多 {MAX_TEXT} 字"));
                }
                return ok(v.to_string());
            }
            if !choice_ok(form, it, v, top, inst, today) {
                return Err(format!("“{}” 不是本题的选项", short(v)));
            }
            ok(v.to_string())
        }
        Kind::SelectMultiple { or_other, .. } => {
            let vals = raw.all(key);
            let mut seen = Vec::new();
            for x in vals {
                if seen.contains(&x) {
                    return Err(format!("选项 “{}” 重复提交", short(x)));
                }
                if *or_other && x == OTHER {
                    if raw.one(&format!("{key}._other")).is_empty() {
                        return Err("选择了“其他”，请在后面的框中注明".into());
                    }
                } else if !choice_ok(form, it, x, top, inst, today) {
                    return Err(format!("“{}” 不是本题的选项", short(x)));
                }
                seen.push(x);
            }
            ok(seen.join(" "))
        }
        Kind::Rank { list } => {
            let choices = form.choices(list);
            let mut ranked: Vec<(usize, &str)> = Vec::new();
            for c in choices {
                let p = raw.one(&format!("{key}.rank.{}", c.name));
                if p.is_empty() {
                    continue;
                }
                let n: usize = p.parse().map_err(|_| format!("排序名次 “{}” 不是数字", short(p)))?;
                if n == 0 || n > choices.len() {
                    return Err(format!("排序名次应为 1 到 {}", choices.len()));
                }
                if ranked.iter().any(|(m, _)| *m == n) {
                    return Err(format!("名次 {n} 用了不止一次；每个名次只能给一个选项"));
                }
                ranked.push((n, c.name.as_str()));
            }
            if ranked.is_empty() {
                return Ok(None);
            }
            if ranked.len() != choices.len() {
                return Err(format!("请给全部 {} 个选项排序（已排 {} 个）", choices.len(), ranked.len()));
            }
            ranked.sort();
            ok(ranked.iter().map(|(_, n)| *n).collect::<Vec<_>>().join(" "))
        }
        _ => Ok(None),
    }
}

fn short(v: &str) -> String {
    let s: String = v.chars().take(30).collect();
    if v.chars().count() > 30 { format!("{s}…") } else { s }
}

impl Raw {
    /// The submitted value of a field key (multi-select values joined by spaces).
    pub fn value(&self, key: &str) -> String {
        self.all(key).join(" ")
    }
    pub fn has(&self, key: &str, v: &str) -> bool {
        self.0.iter().any(|(k, x)| k == key && x.trim() == v)
    }
    /// Instances of the repeat at `key` in this submission.
    pub fn repeat_instances(&self, key: &str) -> usize {
        self.instances(key)
    }
}

/// Raw form fields as an expression context (for deciding what to show on a re-rendered
/// form, e.g. how many repeat instances).
pub struct RawCtx<'a> {
    pub raw: &'a Raw,
    pub prefix: &'a str,
}
impl Context for RawCtx<'_> {
    fn field(&self, name: &str) -> String {
        let v = self.raw.value(&format!("{}{name}", self.prefix));
        if v.is_empty() && !self.prefix.is_empty() {
            return self.raw.value(name);
        }
        v
    }
    fn current(&self) -> String {
        String::new()
    }
}
