//! Valid responses (有效问卷): a rule set per campaign, a verdict with its reasons per
//! response, and staff overrides. The counts 发放 / 回收 / 有效 / 有效回收率 come from here.

use crate::answers::OTHER;
use crate::model::{Item, Kind, Questionnaire};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as Json};

/// The rules a campaign applies; every rule can be switched off.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct Rules {
    /// Every required question answered (paper questionnaires may have gaps).
    pub complete: bool,
    /// Speeders: under this fraction of the median duration (0 = off)…
    pub speeder_fraction: f64,
    /// …or under this many seconds (0 = off). Either flags a speeder.
    pub speeder_min_seconds: u32,
    /// Straight-lining: the same answer throughout a Likert block of at least this many
    /// questions (0 = off).
    pub straightline_block: usize,
    /// A second response from the same device in one campaign.
    pub duplicate_device: bool,
    /// Attention checks: (question, expected answer). Empty: taken from the form
    /// (choices marked `correct = yes` in a list used by a question named attention*).
    pub attention: Vec<(String, String)>,
    pub attention_enabled: bool,
}

impl Default for Rules {
    fn default() -> Self {
        Rules { complete: true, speeder_fraction: 0.5, speeder_min_seconds: 0, straightline_block: 5, duplicate_device: true, attention: vec![], attention_enabled: true }
    }
}

/// Why a response is not valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, PartialOrd, Ord, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Flaw {
    Incomplete,
    Speeder,
    StraightLine,
    Duplicate,
    AttentionFailed,
}

impl Flaw {
    pub const ALL: [Flaw; 5] = [Flaw::Incomplete, Flaw::Speeder, Flaw::StraightLine, Flaw::Duplicate, Flaw::AttentionFailed];
    pub fn label(self) -> &'static str {
        match self {
            Flaw::Incomplete => "未答完必答题",
            Flaw::Speeder => "答题过快",
            Flaw::StraightLine => "量表题答案全部相同",
            Flaw::Duplicate => "同一设备重复作答",
            Flaw::AttentionFailed => "未通过注意力检测题",
        }
    }
}

/// One response as the verdict needs it.
#[derive(Debug, Clone)]
pub struct Facts<'a> {
    pub id: i64,
    pub device: &'a str,
    pub paper: bool,
    pub duration_s: f64,
    pub answers: &'a Map<String, Json>,
    pub missing: usize,
    /// Staff override: Some(true) valid, Some(false) invalid.
    pub override_valid: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verdict {
    pub valid: bool,
    pub flaws: Vec<Flaw>,
    pub overridden: bool,
}

impl Verdict {
    pub fn reason(&self) -> String {
        if self.flaws.is_empty() {
            return "符合全部有效规则".into();
        }
        self.flaws.iter().map(|f| f.label()).collect::<Vec<_>>().join("；")
    }
}

/// Likert blocks: runs of ≥ 2 consecutive select_one questions in one group sharing a
/// choice list (a matrix in the form).
pub fn likert_blocks(form: &Questionnaire) -> Vec<Vec<String>> {
    fn go(items: &[Item], out: &mut Vec<Vec<String>>) {
        let mut run: Vec<&Item> = Vec::new();
        let flush = |run: &mut Vec<&Item>, out: &mut Vec<Vec<String>>| {
            if run.len() >= 2 {
                out.push(run.iter().map(|i| i.name.clone()).collect());
            }
            run.clear();
        };
        for it in items {
            match &it.kind {
                Kind::SelectOne { list, .. } if !it.name.starts_with("attention") => {
                    if run.last().is_some_and(|p| p.kind.list() != Some(list)) {
                        flush(&mut run, out);
                    }
                    run.push(it);
                }
                Kind::Group => {
                    flush(&mut run, out);
                    go(&it.children, out);
                }
                Kind::Note | Kind::Calculate | Kind::Meta { .. } => {}
                _ => flush(&mut run, out),
            }
        }
        flush(&mut run, out);
    }
    let mut out = Vec::new();
    go(&form.items, &mut out);
    out
}

/// Whether a question is an attention check (注意力检测题): named `attention…`, or worded
/// as one ("本题请选择…", "为确认您在认真阅读"). It feeds the validity rule, never the
/// substance: means, charts and cross-tab menus leave it out.
pub fn is_attention_check(form: &Questionnaire, it: &crate::model::Item) -> bool {
    if it.name.starts_with("attention") {
        return true;
    }
    let label = form.text(&it.label);
    ["本题请选择", "本题请选", "此题请选择", "请直接选择", "认真阅读", "注意力检测", "测试您是否认真"].iter().any(|w| label.contains(w))
}

/// Attention checks declared by the form itself.
pub fn form_attention(form: &Questionnaire) -> Vec<(String, String)> {
    form.walk()
        .into_iter()
        .filter(|(i, rep)| rep.is_none() && i.name.starts_with("attention"))
        .filter_map(|(i, _)| {
            let list = i.kind.list()?;
            let c = form.choices(list).iter().find(|c| c.extra.get("correct").is_some_and(|v| matches!(v.as_str(), "yes" | "1" | "true" | "是")))?;
            Some((i.name.clone(), c.name.clone()))
        })
        .collect()
}

/// The campaign-wide numbers a verdict needs.
pub struct Judge {
    rules: Rules,
    blocks: Vec<Vec<String>>,
    attention: Vec<(String, String)>,
    /// Responses under this many seconds are speeders.
    pub speeder_cutoff: f64,
    pub median_duration: f64,
}

impl Judge {
    /// `median`: of the online responses' durations (paper ones have no meaningful duration).
    pub fn new(form: &Questionnaire, rules: &Rules, median: f64) -> Judge {
        let cutoff = (median * rules.speeder_fraction).max(rules.speeder_min_seconds as f64);
        let attention = if rules.attention.is_empty() { form_attention(form) } else { rules.attention.clone() };
        Judge { rules: rules.clone(), blocks: likert_blocks(form), attention, speeder_cutoff: cutoff, median_duration: median }
    }

    /// The verdict of one response; `seen_device`: an earlier response came from the
    /// same device.
    pub fn verdict(&self, f: &Facts, seen_device: bool) -> Verdict {
        let mut flaws = Vec::new();
        let text = |k: &str| f.answers.get(k).and_then(|v| v.as_str()).unwrap_or("");
        if self.rules.complete && f.missing > 0 {
            flaws.push(Flaw::Incomplete);
        }
        if !f.paper && f.duration_s < self.speeder_cutoff {
            flaws.push(Flaw::Speeder);
        }
        if self.rules.straightline_block > 0 {
            let straight = self.blocks.iter().filter(|b| b.len() >= self.rules.straightline_block).any(|b| {
                let vals: Vec<&str> = b.iter().map(|k| text(k)).collect();
                vals.iter().all(|v| !v.is_empty() && *v != OTHER && *v == vals[0])
            });
            if straight {
                flaws.push(Flaw::StraightLine);
            }
        }
        if self.rules.duplicate_device && !f.paper && seen_device {
            flaws.push(Flaw::Duplicate);
        }
        if self.rules.attention_enabled && self.attention.iter().any(|(q, want)| text(q) != want) {
            flaws.push(Flaw::AttentionFailed);
        }
        match f.override_valid {
            Some(v) => Verdict { valid: v, flaws, overridden: true },
            None => Verdict { valid: flaws.is_empty(), flaws, overridden: false },
        }
    }

    pub fn rules(&self) -> &Rules {
        &self.rules
    }
    pub fn attention(&self) -> &[(String, String)] {
        &self.attention
    }
}

/// 发放 / 回收 / 有效 for one unit or in total.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Counts {
    pub issued: i64,
    pub returned: i64,
    pub valid: i64,
}

impl Counts {
    /// 有效回收率: valid over issued (the seed's 有效回收率), in percent; None when nothing
    /// was issued.
    pub fn valid_rate(&self) -> Option<f64> {
        (self.issued > 0).then(|| self.valid as f64 * 100.0 / self.issued as f64)
    }
    pub fn add(&mut self, o: &Counts) {
        self.issued += o.issued;
        self.returned += o.returned;
        self.valid += o.valid;
    }
    /// The seed's sentence: 共发放问卷1200份，回收1168份，其中有效问卷1136份，有效回收率94.7%.
    pub fn sentence(&self) -> String {
        match self.valid_rate() {
            Some(r) => format!("共发放问卷{}份，回收{}份，其中有效问卷{}份，有效回收率{:.1}%", self.issued, self.returned, self.valid, r),
            None => format!("回收问卷{}份，其中有效问卷{}份（未登记发放数，无法计算有效回收率）", self.returned, self.valid),
        }
    }
}
