//! Results from other survey platforms (外部平台答卷): the Excel/CSV exports of 问卷星
//! (wjx.cn; the 按文本 file with option texts and the 按序号 file with option numbers)
//! and of 腾讯问卷, read into a questionnaire and its responses.
//!
//! What the layouts look like (from the platforms' help pages and the code that reads
//! them, e.g. reportgen's `wenjuanxing`):
//! - metadata columns first: 问卷星 序号, 提交答卷时间, 所用时间 ("125秒"), 来源, 来源详情,
//!   来自IP; 腾讯问卷 编号, 开始答题时间, 结束答题时间, 答题时长, 地理位置…, IP…;
//! - a question column is headed "N、题干" (问卷星) or "N.题干" / "QN.题干" (腾讯问卷);
//! - 按文本: multiple choices joined with ┋, rankings with →, the fill-in of an "其他"
//!   option in 〖…〗; skipped questions "(跳过)", unanswered "(空)";
//! - 按序号: single choices as option numbers, one 0/1 column per option of a multiple
//!   choice headed "第N题(选项)" (-2 / -3: not shown / skipped);
//! - 腾讯问卷 multiple choices: one column per option "N.题干:选项" holding the option's
//!   text when chosen;
//! - matrix questions: one column per row, "N(行)" / "第N题(行)" / "N、题干—行".
//!
//! Every row is then checked by [`crate::answers::check`], the one path every response
//! takes, and judged by the campaign's validity rules like any other.

use crate::answers::{Raw, OTHER};
use crate::model::{Choice, Item, Kind, Questionnaire, Text};
use chrono::{NaiveDateTime, TimeZone};
use regex::Regex;
use serde::Serialize;
use sheets::read::{SheetRow, Value};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::LazyLock;

/// The platform that wrote a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Platform {
    /// 问卷星
    Wjx,
    /// 腾讯问卷
    Tencent,
}

impl Platform {
    pub fn label(self) -> &'static str {
        match self {
            Platform::Wjx => "问卷星",
            Platform::Tencent => "腾讯问卷",
        }
    }
    fn code(self) -> &'static str {
        match self {
            Platform::Wjx => "wjx",
            Platform::Tencent => "txwj",
        }
    }
}

/// How a file writes the chosen options: their texts (按文本) or their numbers (按序号).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Coding {
    Text,
    Numbers,
}

impl Coding {
    pub fn label(self) -> &'static str {
        match self {
            Coding::Text => "按文本",
            Coding::Numbers => "按序号",
        }
    }
}

/// What is wrong with the files, each line naming the file, row and column.
#[derive(Debug, Clone, PartialEq)]
pub struct PlatformError(pub Vec<String>);

impl std::fmt::Display for PlatformError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let shown: Vec<&str> = self.0.iter().take(30).map(String::as_str).collect();
        write!(f, "{}", shown.join("\n"))?;
        if self.0.len() > 30 {
            write!(f, "\n……另有{}处问题未列出", self.0.len() - 30)?;
        }
        Ok(())
    }
}
impl std::error::Error for PlatformError {}

fn fail<T>(msg: String) -> Result<T, PlatformError> {
    Err(PlatformError(vec![msg]))
}

/// Most rows one import takes (a county's questionnaires are a few thousand).
pub const MAX_ROWS: usize = 200_000;

/// Metadata columns the platforms write, and what dangjian keeps of each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Meta {
    Sequence,
    Submitted,
    Started,
    Duration,
    Source,
    /// Written by the platform but not kept (IP addresses, locations, nicknames: personal
    /// data the analysis does not need).
    Ignored,
}

fn meta_of(header: &str) -> Option<Meta> {
    let h: String = header.chars().filter(|c| !c.is_whitespace()).collect();
    Some(match h.as_str() {
        "序号" | "编号" | "答卷编号" | "答卷序号" | "答题序号" => Meta::Sequence,
        "提交答卷时间" | "提交时间" | "结束答题时间" | "答卷提交时间" => Meta::Submitted,
        "开始答题时间" | "开始时间" => Meta::Started,
        "所用时间" | "答题时长" | "作答时长" | "填写时长" | "用时" => Meta::Duration,
        "来源" | "来源渠道" | "渠道" | "答题渠道" => Meta::Source,
        "来源详情" | "来自IP" | "IP" | "ip" | "IP地址" | "IP属地" | "用户ID" | "用户" | "昵称" | "微信昵称" | "openid" | "总分" | "自定义字段" | "语言" | "设备" | "浏览器" | "操作系统"
        | "答卷状态" | "状态" | "甄别状态" | "填写人" => Meta::Ignored,
        _ if h.starts_with("地理位置") || h.starts_with("自定义字段") || h.starts_with("来自") => Meta::Ignored,
        _ => return None,
    })
}

/// A question column's header: its number and either the question's text or the label
/// of one of its sub-columns.
#[derive(Debug, Clone, PartialEq)]
enum Head {
    Title(String),
    Sub(String),
}

static SUB_HEAD: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^(?:第\s*(\d{1,3})\s*题|Q?(\d{1,3}))\s*[（(](.*)[)）]$").unwrap());
static TITLE_HEAD: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^(?:第\s*)?[Qq]?(\d{1,3})\s*(?:题)?\s*[、.．:：|]\s*(.+)$").unwrap());

fn question_head(header: &str) -> Option<(u32, Head)> {
    let h = header.trim();
    if let Some(c) = SUB_HEAD.captures(h) {
        let n = c.get(1).or(c.get(2))?.as_str().parse().ok()?;
        return Some((n, Head::Sub(c[3].trim().to_string())));
    }
    let c = TITLE_HEAD.captures(h)?;
    Some((c[1].parse().ok()?, Head::Title(c[2].trim().to_string())))
}

/// Columns that belong to one question number, in file order.
#[derive(Debug, Clone)]
struct Group {
    number: u32,
    title: Option<String>,
    /// (column index, sub-column label)
    cols: Vec<(usize, Option<String>)>,
}

/// One export file, read and its columns recognised.
pub struct Export {
    pub file: String,
    pub platform: Platform,
    pub coding: Coding,
    header: Vec<String>,
    rows: Vec<SheetRow>,
    meta: Vec<(usize, Meta)>,
    groups: Vec<Group>,
}

fn cell_text(v: &Value) -> String {
    v.display()
}

/// The value a platform writes for "no answer here".
fn is_blank_answer(s: &str) -> bool {
    matches!(s.trim(), "" | "(跳过)" | "（跳过）" | "(空)" | "（空）" | "-2" | "-3" | "--")
}

static FILL: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"〖([^〗]*)〗").unwrap());

/// An answer without its fill-in, and the fill-in ("其他〖在社区〗" → ("其他", "在社区")).
fn split_fill(s: &str) -> (String, Option<String>) {
    let fill = FILL.captures(s).map(|c| c[1].trim().to_string());
    (FILL.replace_all(s, "").trim().to_string(), fill)
}

/// Reads one export (.xlsx, .xls or .csv in UTF-8 or GBK) and recognises its layout.
pub fn read(path: &Path, shown: &str) -> Result<Export, PlatformError> {
    let mut rows_in = sheets::read::open(path, |_| 0).map_err(|e| PlatformError(vec![format!("{shown}：{}", plain_sheet_error(&e.to_string()))]))?;
    let mut header_row: Option<SheetRow> = None;
    let mut rows = Vec::new();
    while let Some(r) = rows_in.next_row().map_err(|e| PlatformError(vec![format!("{shown}：{}", plain_sheet_error(&e.to_string()))]))? {
        if r.is_blank() {
            continue;
        }
        if header_row.is_none() {
            header_row = Some(r);
            continue;
        }
        if rows.len() >= MAX_ROWS {
            return fail(format!("{shown}：答卷超过{MAX_ROWS}行，请分成几个文件导入"));
        }
        rows.push(r);
    }
    let Some(h) = header_row else { return fail(format!("{shown}：文件中没有数据，请确认导出的是答卷数据（“下载答卷数据”）")) };
    let header: Vec<String> = h.cells.iter().map(cell_text).collect();
    if rows.is_empty() {
        return fail(format!("{shown}：只有表头，没有答卷"));
    }
    recognise(shown, header, rows)
}

fn plain_sheet_error(e: &str) -> String {
    // sheets already words its errors in Chinese; keep only the reason after the file.
    e.split_once('：').map(|(_, r)| r.to_string()).unwrap_or_else(|| e.to_string())
}

fn recognise(shown: &str, header: Vec<String>, rows: Vec<SheetRow>) -> Result<Export, PlatformError> {
    let mut meta = Vec::new();
    let mut groups: Vec<Group> = Vec::new();
    let mut errors = Vec::new();
    let mut tencent_hint = false;
    for (i, h) in header.iter().enumerate() {
        let letter = sheets::columns::column_letter(i);
        if h.trim().is_empty() {
            if rows.iter().any(|r| r.cells.get(i).is_some_and(|v| !v.is_empty())) {
                errors.push(format!("{shown} 第{letter}列：没有表头却有数据，请补上表头或删去这一列"));
            }
            continue;
        }
        if let Some(m) = meta_of(h) {
            if matches!(h.trim(), "编号" | "开始答题时间" | "结束答题时间" | "答题时长") {
                tencent_hint = true;
            }
            meta.push((i, m));
            continue;
        }
        match question_head(h) {
            Some((n, head)) => {
                if h.trim_start().starts_with('Q') || h.trim_start().starts_with('q') {
                    tencent_hint = true;
                }
                let (title, sub) = match head {
                    Head::Title(t) => (Some(t), None),
                    Head::Sub(s) => (None, Some(s)),
                };
                match groups.last_mut() {
                    Some(g) if g.number == n => {
                        if g.title.is_none() {
                            g.title = title.clone();
                        }
                        g.cols.push((i, sub.or(title.map(|t| format!("\u{1}{t}")))));
                    }
                    _ => {
                        if groups.iter().any(|g| g.number == n) {
                            errors.push(format!("{shown} 第{letter}列“{h}”：题号{n}在前面已经出现过，同一题的列应当相邻；请检查是否有列被挪动"));
                        }
                        groups.push(Group { number: n, title: title.clone(), cols: vec![(i, sub.or(title.map(|t| format!("\u{1}{t}"))))] });
                    }
                }
            }
            None => errors.push(format!(
                "{shown} 第{letter}列“{h}”：认不出这一列。问卷星、腾讯问卷导出的题目列以题号开头（如“1、您的性别”“第3题(选项)”“Q2.题目”），其余应是序号、提交答卷时间、所用时间等信息列；请删去自行添加的列后再导入"
            )),
        }
    }
    if groups.is_empty() && errors.is_empty() {
        errors.push(format!("{shown}：没有找到题目列（以“1、”“第1题(”或“Q1.”开头的表头），这不像问卷星或腾讯问卷导出的答卷数据"));
    }
    if !errors.is_empty() {
        return Err(PlatformError(errors));
    }
    // Sub-columns headed with the full title ("6.题干:选项", "5、题干—行"): the common
    // prefix is the question, the rest the sub-column.
    for g in &mut groups {
        let titled: Vec<String> = g.cols.iter().filter_map(|(_, s)| s.as_ref().and_then(|s| s.strip_prefix('\u{1}')).map(str::to_string)).collect();
        if g.cols.len() > 1 && titled.len() == g.cols.len() {
            let prefix = common_prefix(&titled);
            let cut = prefix.char_indices().filter(|(_, c)| matches!(c, ':' | '：' | '—' | '-' | '_' | '|')).map(|(i, _)| i).next_back();
            if let Some(cut) = cut {
                let head = &prefix[..cut];
                g.title = Some(head.trim().to_string());
                for ((_, s), t) in g.cols.iter_mut().zip(&titled) {
                    let rest = t[cut..].trim_start_matches([':', '：', '—', '-', '_', '|']).trim().to_string();
                    *s = Some(rest);
                }
            }
        }
        let single = g.cols.len() == 1;
        for (_, s) in &mut g.cols {
            if let Some(t) = s.as_ref().and_then(|s| s.strip_prefix('\u{1}')) {
                *s = if single { None } else { Some(t.to_string()) };
            }
        }
        if g.cols.len() == 1 && g.cols[0].1.is_some() && g.title.is_none() {
            // "第5题(其他)" alone, or "5(…)": a question whose title is in parentheses.
            g.title = g.cols[0].1.take();
        }
    }
    let numbers = rows.iter().flat_map(|r| groups.iter().flat_map(|g| g.cols.iter()).filter_map(|(c, _)| r.cells.get(*c))).filter(|v| !v.is_empty());
    let (mut numeric, mut total) = (0usize, 0usize);
    for v in numbers {
        total += 1;
        let t = split_fill(&v.display()).0;
        if matches!(v, Value::Number(_)) || t.parse::<f64>().is_ok() || is_blank_answer(&t) {
            numeric += 1;
        }
    }
    let flag_cols = groups.iter().any(|g| g.cols.len() > 1 && g.cols.iter().all(|(c, s)| s.is_some() && rows.iter().all(|r| is_flag(r.cells.get(*c)))));
    let coding = if total > 0 && numeric * 10 >= total * 9 || flag_cols && groups.iter().all(|g| !column_values(&rows, g.cols[0].0).iter().any(|v| v.contains('┋'))) {
        Coding::Numbers
    } else {
        Coding::Text
    };
    let platform = if tencent_hint && !meta.iter().any(|(i, _)| header[*i].contains("提交答卷时间")) { Platform::Tencent } else { Platform::Wjx };
    Ok(Export { file: shown.to_string(), platform, coding, header, rows, meta, groups })
}

fn common_prefix(items: &[String]) -> String {
    let first = &items[0];
    let mut end = first.len();
    for s in &items[1..] {
        end = first.char_indices().zip(s.chars()).take_while(|((_, a), b)| a == b).map(|((i, a), _)| i + a.len_utf8()).last().unwrap_or(0).min(end);
    }
    first[..end].to_string()
}

fn is_flag(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Empty) => true,
        Some(Value::Number(n)) => [0.0, 1.0, -2.0, -3.0].contains(n),
        Some(v) => {
            let (t, _) = split_fill(&v.display());
            matches!(t.as_str(), "0" | "1" | "-2" | "-3" | "" | "(跳过)" | "（跳过）")
        }
    }
}

fn column_values(rows: &[SheetRow], col: usize) -> Vec<String> {
    rows.iter().map(|r| r.cells.get(col).map(cell_text).unwrap_or_default()).collect()
}

/// Ordered answer scales (量表) people write as words, from the lowest to the highest.
/// A column whose answers all come from one of them is a scale scored 1…k.
const SCALES: &[&[&str]] = &[
    &["非常不满意", "不满意", "一般", "满意", "非常满意"],
    &["非常不满意", "比较不满意", "一般", "比较满意", "非常满意"],
    &["很不满意", "不太满意", "一般", "比较满意", "很满意"],
    &["很不满意", "不满意", "一般", "满意", "很满意"],
    &["非常不同意", "不同意", "一般", "同意", "非常同意"],
    &["非常不同意", "不同意", "说不清", "同意", "非常同意"],
    &["非常不同意", "比较不同意", "一般", "比较同意", "非常同意"],
    &["完全不同意", "不太同意", "一般", "比较同意", "完全同意"],
    &["完全不符合", "不太符合", "一般", "比较符合", "完全符合"],
    &["非常不符合", "比较不符合", "一般", "比较符合", "非常符合"],
    &["很差", "较差", "一般", "较好", "很好"],
    &["非常差", "比较差", "一般", "比较好", "非常好"],
    &["差", "较差", "一般", "较好", "好"],
    &["完全不了解", "不太了解", "一般", "比较了解", "非常了解"],
    &["不了解", "了解一些", "比较了解", "非常了解"],
    &["完全不重要", "不太重要", "一般", "比较重要", "非常重要"],
    &["从不", "偶尔", "有时", "经常", "总是"],
    &["从未参加", "偶尔参加", "有时参加", "经常参加", "每次都参加"],
    &["没有效果", "效果不大", "一般", "效果较好", "效果很好"],
];

fn scale_of(values: &[&str]) -> Option<&'static [&'static str]> {
    let distinct: Vec<&str> = {
        let mut d: Vec<&str> = values.to_vec();
        d.sort();
        d.dedup();
        d
    };
    if distinct.len() < 2 {
        return None;
    }
    SCALES.iter().copied().find(|s| distinct.iter().all(|v| s.contains(v)))
}

/// What a group of columns is, inferred from its header and answers.
#[derive(Debug, Clone)]
enum Shape {
    Single { col: usize, options: Vec<String>, other: Option<String>, scale: bool },
    /// ┋-joined answers in one column.
    MultiJoined { col: usize, options: Vec<String>, other: Option<String> },
    /// One column per option: 0/1 (按序号) or the option's text (腾讯问卷).
    MultiColumns { cols: Vec<(usize, usize)>, options: Vec<String>, other: Option<String> },
    Rank { col: usize, options: Vec<String> },
    Text { col: usize },
    Number { col: usize, integer: bool },
    Matrix { rows: Vec<(usize, String)>, options: Vec<String>, scale: bool },
}

/// Options in first-seen order, the "其他" option apart (its label) when any answer has
/// a fill-in or the option is named 其他.
fn options_of<'a>(answers: impl Iterator<Item = &'a str>) -> (Vec<String>, Option<String>) {
    let mut options: Vec<String> = Vec::new();
    let mut other = None;
    for a in answers {
        let (label, fill) = split_fill(a);
        if label.is_empty() {
            continue;
        }
        if fill.is_some() || label.starts_with("其他") || label.starts_with("其它") {
            if other.is_none() {
                other = Some(label.clone());
            }
            if other.as_deref() == Some(label.as_str()) {
                continue;
            }
        }
        if !options.contains(&label) {
            options.push(label);
        }
    }
    (options, other)
}

/// The option an attention check asks for ("本题请选择“比较同意”" → 比较同意).
fn attention_answer(label: &str) -> Option<String> {
    static ASK: LazyLock<Regex> = LazyLock::new(|| Regex::new(r#"(?:请选择|请选|请直接选择|请勾选)\s*[“"「『']([^”"」』']+)[”"」』']"#).unwrap());
    ASK.captures(label).map(|c| c[1].trim().to_string())
}

fn looks_like_count(title: &str) -> bool {
    ["几", "多少", "年龄", "岁", "人数", "次数", "党龄", "年限", "金额", "小时", "学时"].iter().any(|w| title.contains(w))
}

fn infer_shape(e: &Export, g: &Group) -> Shape {
    let title = g.title.clone().unwrap_or_default();
    if g.cols.len() == 1 {
        let col = g.cols[0].0;
        let vals: Vec<String> = column_values(&e.rows, col).into_iter().filter(|v| !is_blank_answer(v)).collect();
        if vals.iter().any(|v| v.contains('┋')) {
            let (options, other) = options_of(vals.iter().flat_map(|v| v.split('┋')));
            return Shape::MultiJoined { col, options, other };
        }
        if vals.iter().any(|v| v.contains('→')) {
            let (options, _) = options_of(vals.iter().flat_map(|v| v.split('→')));
            return Shape::Rank { col, options };
        }
        let bare: Vec<String> = vals.iter().map(|v| split_fill(v).0).collect();
        let nums: Vec<f64> = bare.iter().filter_map(|v| v.parse::<f64>().ok()).collect();
        if !bare.is_empty() && nums.len() == bare.len() {
            let integer = nums.iter().all(|n| n.fract() == 0.0);
            let small = integer && nums.iter().all(|n| (0.0..=11.0).contains(n));
            if small && !looks_like_count(&title) {
                // Option numbers (按序号) or a rating: a scale from 1 (or 0) to the highest seen.
                let lo = if nums.contains(&0.0) { 0 } else { 1 };
                let hi = nums.iter().cloned().fold(1.0, f64::max) as i64;
                let other = vals.iter().any(|v| v.contains('〖')).then(|| "其他".to_string());
                let options: Vec<String> = (lo..=hi).map(|n| n.to_string()).collect();
                return Shape::Single { col, options, other, scale: e.coding == Coding::Text };
            }
            return Shape::Number { col, integer };
        }
        let plain: Vec<&str> = bare.iter().map(String::as_str).collect();
        if let Some(s) = scale_of(&plain) {
            return Shape::Single { col, options: s.iter().map(|x| x.to_string()).collect(), other: None, scale: true };
        }
        let (options, other) = options_of(vals.iter().map(String::as_str));
        let answered = vals.len();
        let distinct = options.len() + usize::from(other.is_some());
        let long = options.iter().map(|o| o.chars().count()).sum::<usize>() > 14 * options.len().max(1);
        let open = ["意见", "建议", "请说明", "请填写", "简述", "请写出", "还有什么"].iter().any(|w| title.contains(w));
        let choice_like = !long && !open && distinct <= 20 && (distinct * 2 <= answered || answered <= 6 && distinct <= 3) && options.iter().all(|o| o.chars().count() <= 40);
        if choice_like {
            return Shape::Single { col, options, other, scale: false };
        }
        return Shape::Text { col };
    }
    let subs: Vec<(usize, String)> = g.cols.iter().map(|(c, s)| (*c, s.clone().unwrap_or_default())).collect();
    // One column per option: 0/1 flags, or the option's own text when chosen.
    let flags = subs.iter().all(|(c, _)| e.rows.iter().all(|r| is_flag(r.cells.get(*c))));
    let named = subs.iter().all(|(c, s)| {
        e.rows.iter().all(|r| {
            let t = split_fill(&r.cells.get(*c).map(cell_text).unwrap_or_default()).0;
            is_blank_answer(&t) || t == "0" || t == "1" || strip_letter(&t) == strip_letter(s)
        })
    });
    if flags || named {
        let mut options = Vec::new();
        let mut other = None;
        let mut cols = Vec::new();
        for (c, s) in &subs {
            let has_fill = e.rows.iter().any(|r| r.cells.get(*c).is_some_and(|v| v.display().contains('〖')));
            if other.is_none() && (has_fill || s.starts_with("其他") || s.starts_with("其它")) {
                other = Some(s.clone());
                cols.push((*c, usize::MAX));
            } else {
                cols.push((*c, options.len()));
                options.push(s.clone());
            }
        }
        return Shape::MultiColumns { cols, options, other };
    }
    // A matrix: every row answered on the same options.
    let all: Vec<String> = subs.iter().flat_map(|(c, _)| column_values(&e.rows, *c)).filter(|v| !is_blank_answer(v)).collect();
    let plain: Vec<&str> = all.iter().map(String::as_str).collect();
    if let Some(s) = scale_of(&plain) {
        return Shape::Matrix { rows: subs, options: s.iter().map(|x| x.to_string()).collect(), scale: true };
    }
    let nums: Vec<f64> = all.iter().filter_map(|v| v.parse::<f64>().ok()).collect();
    if !nums.is_empty() && nums.len() == all.len() && nums.iter().all(|n| n.fract() == 0.0 && (0.0..=11.0).contains(n)) {
        let lo = if nums.contains(&0.0) { 0 } else { 1 };
        let hi = nums.iter().cloned().fold(1.0, f64::max) as i64;
        return Shape::Matrix { rows: subs, options: (lo..=hi).map(|n| n.to_string()).collect(), scale: true };
    }
    let (options, _) = options_of(all.iter().map(String::as_str));
    Shape::Matrix { rows: subs, options, scale: false }
}

/// "A.党员" → "党员": the letter or number some platforms put before an option.
fn strip_letter(s: &str) -> String {
    static LETTER: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^(?:[A-Za-z]|\d{1,2})\s*[.、．)）]\s*").unwrap());
    LETTER.replace(s.trim(), "").trim().to_string()
}

/// For comparing labels: without numbering, spaces, punctuation and hints in brackets.
fn norm(s: &str) -> String {
    static HINT: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"[（(\[【][^）)\]】]*[）)\]】]").unwrap());
    let s = strip_letter(s);
    let s = HINT.replace_all(&s, "");
    s.chars().filter(|c| c.is_alphanumeric()).collect::<String>().to_lowercase()
}

/// Where one answer comes from in a row, and which question of the form it fills.
#[derive(Debug, Clone)]
enum Target {
    /// A choice question: the cell's option (text or number) → choice name.
    Single { item: String, col: usize, choices: Vec<(String, String)>, or_other: bool, by_number: bool },
    MultiJoined { item: String, col: usize, choices: Vec<(String, String)>, or_other: bool },
    /// (column, choice name; OTHER for the "其他" column)
    MultiColumns { item: String, cols: Vec<(usize, String)> },
    Rank { item: String, col: usize, choices: Vec<(String, String)> },
    Plain { item: String, col: usize },
}

impl Target {
    fn item(&self) -> &str {
        match self {
            Target::Single { item, .. } | Target::MultiJoined { item, .. } | Target::MultiColumns { item, .. } | Target::Rank { item, .. } | Target::Plain { item, .. } => item,
        }
    }
    fn first_col(&self) -> usize {
        match self {
            Target::Single { col, .. } | Target::MultiJoined { col, .. } | Target::Rank { col, .. } | Target::Plain { col, .. } => *col,
            Target::MultiColumns { cols, .. } => cols.first().map(|c| c.0).unwrap_or(0),
        }
    }
}

/// The questionnaire the files fit and how each column fills it.
pub struct Plan {
    pub form: Questionnaire,
    /// Whether the questionnaire was inferred from the files (false: mapped onto one).
    pub inferred: bool,
    targets: Vec<Target>,
    pub notes: Vec<String>,
}

fn text(s: &str) -> Text {
    let mut t = Text::new();
    t.insert(String::new(), s.to_string());
    t
}

/// A scale's list: options named by their score (the number itself, or 1…k in order).
fn scale_list(lists: &mut BTreeMap<String, Vec<Choice>>, list: &str, options: &[String]) -> Vec<(String, String)> {
    let numeric = options.iter().all(|o| o.parse::<i64>().is_ok());
    let cs: Vec<(String, String)> = options.iter().enumerate().map(|(i, o)| (if numeric { o.clone() } else { (i + 1).to_string() }, o.clone())).collect();
    lists.insert(list.to_string(), cs.iter().map(|(n, l)| choice(n, l)).collect());
    cs
}

fn choice(name: &str, label: &str) -> Choice {
    Choice { name: name.into(), label: text(label), extra: BTreeMap::new() }
}

/// Infers the questionnaire from an export (the 按文本 file when both are given; the
/// 按序号 file then supplies the options' order and numbers).
pub fn infer(e: &Export, numbers: Option<&Export>, title: &str) -> Result<Plan, PlatformError> {
    let mut items = Vec::new();
    let mut lists: BTreeMap<String, Vec<Choice>> = BTreeMap::new();
    let mut targets = Vec::new();
    let mut notes = Vec::new();
    let order = numbers.map(|n| option_numbers(e, n)).unwrap_or_default();
    for g in &e.groups {
        let name = format!("q{}", g.number);
        let label = g.title.clone().unwrap_or_else(|| format!("第{}题", g.number));
        let mut shape = infer_shape(e, g);
        if let Some(known) = order.get(&g.number) {
            reorder(&mut shape, known);
        }
        let add_list = |lists: &mut BTreeMap<String, Vec<Choice>>, list: &str, options: &[String]| -> Vec<(String, String)> {
            // Not numbers: a nominal question has no mean (按序号 numbers still find the k-th).
            let cs: Vec<(String, String)> = options.iter().enumerate().map(|(i, o)| (format!("o{}", i + 1), o.clone())).collect();
            lists.insert(list.to_string(), cs.iter().map(|(n, l)| choice(n, l)).collect());
            cs
        };
        let item = |kind: Kind, name: &str, label: &str| {
            let mut it = Item::new(kind, name, 0);
            it.label = text(label);
            it
        };
        match shape {
            Shape::Single { col, options, other, scale } => {
                // A scale scores its options 1…k (or 0…k) so that means are taken; names
                // then are the numbers themselves.
                let cs = if scale { scale_list(&mut lists, &name, &options) } else { add_list(&mut lists, &name, &options) };
                // An attention check ("本题请选择“比较同意”") declares its answer, as a form
                // written for dangjian would, so the validity rule applies.
                let asked = attention_answer(&label).and_then(|want| cs.iter().find(|(_, l)| norm(l) == norm(&want)).map(|(n, _)| n.clone()));
                let name = match asked {
                    Some(want) => {
                        if let Some(c) = lists.get_mut(&name).and_then(|l| l.iter_mut().find(|c| c.name == want)) {
                            c.extra.insert("correct".into(), "yes".into());
                        }
                        notes.push(format!("第{}题是注意力检测题，应选“{}”，未按要求作答的答卷判为无效", g.number, cs.iter().find(|(n, _)| *n == want).map(|(_, l)| l.as_str()).unwrap_or("")));
                        format!("attention{}", g.number)
                    }
                    None => name,
                };
                let list = format!("q{}", g.number);
                items.push(item(Kind::SelectOne { list, or_other: other.is_some() }, &name, &label));
                if let Some(o) = &other {
                    notes.push(format!("第{}题的“{o}”作为“其他（请注明）”，填写内容保留", g.number));
                }
                targets.push(Target::Single { item: name, col, choices: cs, or_other: other.is_some(), by_number: e.coding == Coding::Numbers });
            }
            Shape::MultiJoined { col, options, other } => {
                let cs = add_list(&mut lists, &name, &options);
                items.push(item(Kind::SelectMultiple { list: name.clone(), or_other: other.is_some() }, &name, &label));
                targets.push(Target::MultiJoined { item: name, col, choices: cs, or_other: other.is_some() });
            }
            Shape::MultiColumns { cols, options, other } => {
                let cs = add_list(&mut lists, &name, &options);
                items.push(item(Kind::SelectMultiple { list: name.clone(), or_other: other.is_some() }, &name, &label));
                let cols = cols.into_iter().map(|(c, i)| (c, if i == usize::MAX { OTHER.to_string() } else { cs[i].0.clone() })).collect();
                targets.push(Target::MultiColumns { item: name, cols });
            }
            Shape::Rank { col, options } => {
                let cs = add_list(&mut lists, &name, &options);
                items.push(item(Kind::Rank { list: name.clone() }, &name, &label));
                targets.push(Target::Rank { item: name, col, choices: cs });
            }
            Shape::Text { col } => {
                items.push(item(Kind::Text, &name, &label));
                targets.push(Target::Plain { item: name, col });
            }
            Shape::Number { col, integer } => {
                items.push(item(if integer { Kind::Integer } else { Kind::Decimal }, &name, &label));
                targets.push(Target::Plain { item: name, col });
            }
            Shape::Matrix { rows, options, scale } => {
                let cs = if scale { scale_list(&mut lists, &name, &options) } else { add_list(&mut lists, &name, &options) };
                for (k, (col, sub)) in rows.into_iter().enumerate() {
                    let rname = format!("{name}_{}", k + 1);
                    items.push(item(Kind::SelectOne { list: name.clone(), or_other: false }, &rname, &format!("{label}：{sub}")));
                    targets.push(Target::Single { item: rname, col, choices: cs.clone(), or_other: false, by_number: e.coding == Coding::Numbers });
                }
            }
        }
    }
    if e.coding == Coding::Numbers && numbers.is_none() {
        notes.push("按序号文件只有选项序号，没有选项文字：单选题的选项以序号显示。同时给出按文本文件可得到选项文字".into());
    }
    let form = Questionnaire {
        form_id: format!("{}_{}", e.platform.code(), digest(&e.header.join("\u{1f}"))),
        title: title.to_string(),
        version: "1".into(),
        default_language: None,
        languages: vec![String::new()],
        style: None,
        items,
        lists,
    };
    Ok(Plan { form, inferred: true, targets, notes })
}

/// For each question number: the options in the order of their numbers, from a 按文本
/// file and the 按序号 file of the same responses (rows paired by 序号).
fn option_numbers(text: &Export, numbers: &Export) -> HashMap<u32, Vec<String>> {
    let mut out = HashMap::new();
    let seq = |e: &Export| e.meta.iter().find(|(_, m)| *m == Meta::Sequence).map(|(i, _)| *i);
    let (Some(ts), Some(ns)) = (seq(text), seq(numbers)) else { return out };
    let by_seq: HashMap<String, &SheetRow> = numbers.rows.iter().map(|r| (r.cells.get(ns).map(cell_text).unwrap_or_default(), r)).collect();
    for g in &text.groups {
        let Some(ng) = numbers.groups.iter().find(|x| x.number == g.number) else { continue };
        if ng.cols.len() > 1 && g.cols.len() == 1 {
            // Multiple choice: the 0/1 columns are the options in order.
            out.insert(g.number, ng.cols.iter().filter_map(|(_, s)| s.clone()).map(|s| split_fill(&s).0).collect());
            continue;
        }
        if g.cols.len() != 1 || ng.cols.len() != 1 {
            continue;
        }
        let mut pairs: BTreeMap<i64, String> = BTreeMap::new();
        for r in &text.rows {
            let Some(nr) = by_seq.get(&r.cells.get(ts).map(cell_text).unwrap_or_default()) else { continue };
            let label = split_fill(&r.cells.get(g.cols[0].0).map(cell_text).unwrap_or_default()).0;
            let code = split_fill(&nr.cells.get(ng.cols[0].0).map(cell_text).unwrap_or_default()).0;
            if let (false, Ok(n)) = (is_blank_answer(&label), code.parse::<i64>()) {
                pairs.entry(n).or_insert(label);
            }
        }
        if !pairs.is_empty() {
            out.insert(g.number, pairs.into_values().collect());
        }
    }
    out
}

fn reorder(shape: &mut Shape, known: &[String]) {
    let sort = |options: &mut Vec<String>| {
        options.sort_by_key(|o| known.iter().position(|k| k == o).unwrap_or(usize::MAX));
    };
    match shape {
        Shape::Single { options, scale: false, .. } | Shape::MultiJoined { options, .. } => sort(options),
        _ => {}
    }
}

fn digest(s: &str) -> String {
    // FNV-1a: a short stable name, not a security measure.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x100_0000_01b3);
    }
    format!("{h:016x}")
}

/// Maps an export's columns onto an existing questionnaire: each question column to the
/// question with the same wording (numbering, spaces and punctuation aside), else to the
/// question at the same position; options by their text or number.
pub fn map_onto(e: &Export, form: &Questionnaire) -> Result<Plan, PlatformError> {
    let vars: Vec<&Item> = form.variables().into_iter().filter(|i| i.kind.is_question() && !matches!(i.kind, Kind::Meta { .. } | Kind::Acknowledge)).collect();
    let mut used: Vec<String> = Vec::new();
    let mut targets = Vec::new();
    let mut errors = Vec::new();
    let find = |label: &str, used: &[String]| -> Option<&Item> {
        let n = norm(label);
        if n.is_empty() {
            return None;
        }
        vars.iter().copied().filter(|i| !used.contains(&i.name)).find(|i| norm(form.text(&i.label)) == n).or_else(|| {
            vars.iter().copied().filter(|i| !used.contains(&i.name)).find(|i| {
                let m = norm(form.text(&i.label));
                m.len() >= 6 && (m.contains(&n) || n.contains(&m))
            })
        })
    };
    for g in &e.groups {
        let title = g.title.clone().unwrap_or_default();
        let shape = infer_shape(e, g);
        let at = |c: usize| format!("{} 第{}列“{}”", e.file, sheets::columns::column_letter(c), e.header[c]);
        let missing = |c: usize, what: &str, used: &[String]| {
            let names: Vec<String> = vars.iter().filter(|i| !used.contains(&i.name)).take(12).map(|i| format!("“{}”", form.text(&i.label))).collect();
            format!("{}：问卷“{}”中找不到{what}；尚未对应的题目有{}。请确认选择了正确的问卷，或不指定问卷、由文件推断", at(c), form.title, names.join("、"))
        };
        let choices_of = |it: &Item| -> Vec<(String, String)> {
            it.kind.list().map(|l| form.choices(l).iter().map(|c| (c.name.clone(), form.text(&c.label).to_string())).collect()).unwrap_or_default()
        };
        match shape {
            Shape::Matrix { rows, .. } => {
                for (col, sub) in rows {
                    let label = format!("{title}{sub}");
                    match find(&label, &used).or_else(|| find(&sub, &used)) {
                        Some(it) => {
                            used.push(it.name.clone());
                            targets.push(Target::Single { item: it.name.clone(), col, choices: choices_of(it), or_other: it.kind.or_other(), by_number: e.coding == Coding::Numbers });
                        }
                        None => errors.push(missing(col, &format!("与“{title}—{sub}”对应的题目"), &used)),
                    }
                }
            }
            shape => {
                let col = g.cols[0].0;
                let Some(it) = find(&title, &used) else {
                    errors.push(missing(col, "文字相同的题目", &used));
                    continue;
                };
                used.push(it.name.clone());
                let item = it.name.clone();
                let t = match (&it.kind, shape) {
                    (Kind::SelectMultiple { .. }, Shape::MultiColumns { cols, options, .. }) => {
                        let cs = choices_of(it);
                        let mut out = Vec::new();
                        for (c, i) in cols {
                            if i == usize::MAX {
                                out.push((c, OTHER.to_string()));
                                continue;
                            }
                            match resolve(&cs, &options[i], false) {
                                Some(n) => out.push((c, n)),
                                None => errors.push(format!("{}：选项“{}”不在问卷的选项中（{}）", at(c), options[i], list_labels(&cs))),
                            }
                        }
                        Target::MultiColumns { item, cols: out }
                    }
                    (Kind::SelectMultiple { or_other, .. }, _) => Target::MultiJoined { item, col, choices: choices_of(it), or_other: *or_other },
                    (Kind::SelectOne { or_other, .. }, _) => Target::Single { item, col, choices: choices_of(it), or_other: *or_other, by_number: e.coding == Coding::Numbers },
                    (Kind::Rank { .. }, _) => Target::Rank { item, col, choices: choices_of(it) },
                    _ => Target::Plain { item, col },
                };
                targets.push(t);
            }
        }
    }
    if !errors.is_empty() {
        return Err(PlatformError(errors));
    }
    Ok(Plan { form: form.clone(), inferred: false, targets, notes: vec![] })
}

fn list_labels(cs: &[(String, String)]) -> String {
    let shown: Vec<String> = cs.iter().take(12).map(|(_, l)| format!("“{l}”")).collect();
    format!("可选：{}", shown.join("、"))
}

/// The choice a cell's option stands for: its text (as written, or without numbering
/// and punctuation), or its number (按序号: the choice so named, else the k-th).
fn resolve(choices: &[(String, String)], answer: &str, by_number: bool) -> Option<String> {
    let a = answer.trim();
    if let Some((n, _)) = choices.iter().find(|(_, l)| l == a) {
        return Some(n.clone());
    }
    let na = norm(a);
    if let Some((n, _)) = choices.iter().find(|(_, l)| !na.is_empty() && norm(l) == na) {
        return Some(n.clone());
    }
    if let Ok(k) = a.parse::<i64>() {
        if let Some((n, _)) = choices.iter().find(|(n, _)| n == a) {
            return Some(n.clone());
        }
        if by_number && k >= 1 {
            return choices.get(k as usize - 1).map(|c| c.0.clone());
        }
    }
    None
}

/// One response read from a row, ready to be checked.
pub struct Row {
    /// The row as Excel numbers it.
    pub line: u32,
    /// The platform's own number for the response (序号 / 编号), else the row.
    pub sequence: String,
    pub raw: Raw,
    /// Beijing time as the platform wrote it, converted to UTC (RFC 3339).
    pub submitted_at: Option<String>,
    pub started_at: Option<String>,
    pub duration_s: Option<f64>,
    pub source: String,
}

/// Reads every row into form fields; an option not in the questionnaire, a number in a
/// text field, a time that is not one: each error names the row and column.
pub fn rows(e: &Export, plan: &Plan) -> Result<Vec<Row>, PlatformError> {
    let mut out = Vec::with_capacity(e.rows.len());
    let mut errors = Vec::new();
    let meta = |m: Meta| e.meta.iter().find(|(_, x)| *x == m).map(|(i, _)| *i);
    let (seq, sub, start, dur, src) = (meta(Meta::Sequence), meta(Meta::Submitted), meta(Meta::Started), meta(Meta::Duration), meta(Meta::Source));
    for r in &e.rows {
        let cell = |c: usize| r.cells.get(c).cloned().unwrap_or(Value::Empty);
        let at = |c: usize| format!("{} 第{}行 第{}列“{}”", e.file, r.number, sheets::columns::column_letter(c), e.header[c]);
        let mut raw = Vec::new();
        for t in &plan.targets {
            match t {
                Target::Single { item, col, choices, or_other, by_number } => {
                    let (a, fill) = split_fill(&cell(*col).display());
                    if is_blank_answer(&a) {
                        continue;
                    }
                    match resolve(choices, &a, *by_number) {
                        Some(n) => {
                            raw.push((item.clone(), n));
                            if let (true, Some(f)) = (*or_other, fill) {
                                raw.push((format!("{item}._other"), f));
                            }
                        }
                        None if *or_other && (fill.is_some() || a.starts_with("其他") || a.starts_with("其它")) => {
                            raw.push((item.clone(), OTHER.into()));
                            raw.push((format!("{item}._other"), fill.unwrap_or_default()));
                        }
                        None => errors.push(format!("{}：“{a}”不是本题的选项（{}）", at(*col), list_labels(choices))),
                    }
                }
                Target::MultiJoined { item, col, choices, or_other } => {
                    let v = cell(*col).display();
                    for part in v.split('┋') {
                        let (a, fill) = split_fill(part);
                        if is_blank_answer(&a) {
                            continue;
                        }
                        match resolve(choices, &a, false) {
                            Some(n) => raw.push((item.clone(), n)),
                            None if *or_other => {
                                raw.push((item.clone(), OTHER.into()));
                                raw.push((format!("{item}._other"), fill.unwrap_or_default()));
                            }
                            None => errors.push(format!("{}：“{a}”不是本题的选项（{}）", at(*col), list_labels(choices))),
                        }
                    }
                }
                Target::MultiColumns { item, cols } => {
                    for (c, name) in cols {
                        let (a, fill) = split_fill(&cell(*c).display());
                        if is_blank_answer(&a) || a == "0" {
                            continue;
                        }
                        raw.push((item.clone(), name.clone()));
                        if name == OTHER {
                            raw.push((format!("{item}._other"), fill.unwrap_or_default()));
                        }
                    }
                }
                Target::Rank { item, col, choices } => {
                    let v = cell(*col).display();
                    for (i, part) in v.split('→').map(|p| split_fill(p).0).filter(|p| !is_blank_answer(p)).enumerate() {
                        match resolve(choices, &part, false) {
                            Some(n) => raw.push((format!("{item}.rank.{n}"), (i + 1).to_string())),
                            None => errors.push(format!("{}：“{part}”不是本题的选项（{}）", at(*col), list_labels(choices))),
                        }
                    }
                }
                Target::Plain { item, col } => {
                    let v = cell(*col);
                    let s = match &v {
                        Value::Date(d) => d.format("%Y-%m-%d").to_string(),
                        v => v.display(),
                    };
                    if !is_blank_answer(&s) {
                        raw.push((item.clone(), s));
                    }
                }
            }
        }
        const TIME: &str = "时间（应如 2026/3/15 10:21:33）";
        let submitted = meta_value(r, sub, beijing_time, TIME, &at, &mut errors);
        let started = meta_value(r, start, beijing_time, TIME, &at, &mut errors);
        let duration = meta_value(r, dur, duration_seconds, "作答时长（应如“125秒”“2分5秒”或“00:02:05”）", &at, &mut errors);
        let duration = duration.or_else(|| match (&started, &submitted) {
            (Some(a), Some(b)) => {
                let a = chrono::DateTime::parse_from_rfc3339(a).ok()?;
                let b = chrono::DateTime::parse_from_rfc3339(b).ok()?;
                Some((b - a).num_seconds().max(0) as f64)
            }
            _ => None,
        });
        out.push(Row {
            line: r.number,
            sequence: seq.map(|c| cell(c).display()).filter(|s| !s.is_empty()).unwrap_or_else(|| r.number.to_string()),
            raw: Raw(raw),
            submitted_at: submitted,
            started_at: started,
            duration_s: duration,
            source: src.map(|c| cell(c).display()).unwrap_or_default(),
        });
    }
    if !errors.is_empty() {
        return Err(PlatformError(errors));
    }
    Ok(out)
}

/// A metadata cell of row `r` read by `parse`; one that does not parse is named, with an
/// example of what is expected.
fn meta_value<T>(r: &SheetRow, col: Option<usize>, parse: fn(&Value) -> Option<T>, example: &str, at: &dyn Fn(usize) -> String, errors: &mut Vec<String>) -> Option<T> {
    let c = col?;
    let v = r.cells.get(c).filter(|v| !v.is_empty())?;
    let parsed = parse(v);
    if parsed.is_none() {
        errors.push(format!("{}：“{}”不是{example}", at(c), v.display()));
    }
    parsed
}

/// The column a question's answer came from (for naming it in an error).
pub fn column_of(e: &Export, plan: &Plan, item: &str) -> String {
    let key = item.split('.').next().unwrap_or(item);
    plan.targets.iter().find(|t| t.item() == key).map(|t| format!("第{}列“{}”", sheets::columns::column_letter(t.first_col()), e.header[t.first_col()])).unwrap_or_else(|| format!("“{item}”"))
}

/// A time as the platforms write it (Beijing time), as UTC RFC 3339.
fn beijing_time(v: &Value) -> Option<String> {
    let local: NaiveDateTime = match v {
        Value::Date(d) => *d,
        Value::Number(n) if *n > 20000.0 && *n < 80000.0 => {
            // An Excel serial number that lost its date format.
            let base = chrono::NaiveDate::from_ymd_opt(1899, 12, 30)?.and_hms_opt(0, 0, 0)?;
            base + chrono::Duration::milliseconds((n * 86_400_000.0).round() as i64)
        }
        v => {
            let s = v.display().replace('年', "-").replace('月', "-").replace('日', " ").replace('/', "-").replace('T', " ");
            let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
            ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S%.f"].iter().find_map(|f| NaiveDateTime::parse_from_str(&s, f).ok()).or_else(|| chrono::NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok().and_then(|d| d.and_hms_opt(0, 0, 0)))?
        }
    };
    let tz = chrono::FixedOffset::east_opt(8 * 3600)?;
    let t = tz.from_local_datetime(&local).single()?;
    Some(t.with_timezone(&chrono::Utc).format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
}

/// "125秒", "2分5秒", "1小时2分", "00:02:05", "02:05" or a number of seconds.
fn duration_seconds(v: &Value) -> Option<f64> {
    if let Value::Number(n) = v {
        return (*n >= 0.0 && n.is_finite()).then_some(*n);
    }
    let s = v.display().replace(' ', "");
    if let Ok(n) = s.parse::<f64>() {
        return (n >= 0.0 && n.is_finite()).then_some(n);
    }
    if s.contains(':') {
        let parts: Vec<f64> = s.split(':').map(|p| p.parse::<f64>()).collect::<Result<_, _>>().ok()?;
        return Some(parts.iter().fold(0.0, |acc, p| acc * 60.0 + p));
    }
    static UNITS: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^(?:(\d+(?:\.\d+)?)(?:小时|时))?(?:(\d+(?:\.\d+)?)分(?:钟)?)?(?:(\d+(?:\.\d+)?)秒)?$").unwrap());
    let c = UNITS.captures(&s)?;
    if c.get(1).is_none() && c.get(2).is_none() && c.get(3).is_none() {
        return None;
    }
    let g = |i: usize| c.get(i).and_then(|m| m.as_str().parse::<f64>().ok()).unwrap_or(0.0);
    Some(g(1) * 3600.0 + g(2) * 60.0 + g(3))
}

/// The submission id of a response: the platform, a digest of the file's header and the
/// platform's own number, so that the same response imported twice counts once.
pub fn submission_id(e: &Export, row: &Row) -> String {
    let seq: String = row.sequence.chars().filter(|c| c.is_ascii_alphanumeric()).take(20).collect();
    format!("{}-{}-{}", e.platform.code(), &digest(&e.header.join("\u{1f}"))[..12], if seq.is_empty() { row.line.to_string() } else { seq })
}

/// A summary of what a file holds, for the preview and the command's table.
#[derive(Debug, Clone, Serialize)]
pub struct Described {
    pub file: String,
    pub platform: &'static str,
    pub coding: &'static str,
    pub rows: usize,
    pub questions: usize,
}

pub fn describe(e: &Export, plan: &Plan) -> Described {
    Described { file: e.file.clone(), platform: e.platform.label(), coding: e.coding.label(), rows: e.rows.len(), questions: plan.form.variables().len() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers() {
        assert_eq!(question_head("1、您的性别"), Some((1, Head::Title("您的性别".into()))));
        assert_eq!(question_head("第4题(党员)"), Some((4, Head::Sub("党员".into()))));
        assert_eq!(question_head("6(三会一课)"), Some((6, Head::Sub("三会一课".into()))));
        assert_eq!(question_head("Q3.您的年龄"), Some((3, Head::Title("您的年龄".into()))));
        assert_eq!(question_head("2.您所在的支部:村党支部"), Some((2, Head::Title("您所在的支部:村党支部".into()))));
        assert_eq!(question_head("来自IP"), None);
    }

    #[test]
    fn durations_and_times() {
        assert_eq!(duration_seconds(&Value::Text("125秒".into())), Some(125.0));
        assert_eq!(duration_seconds(&Value::Text("2分5秒".into())), Some(125.0));
        assert_eq!(duration_seconds(&Value::Text("00:02:05".into())), Some(125.0));
        assert_eq!(duration_seconds(&Value::Text("1小时".into())), Some(3600.0));
        assert_eq!(duration_seconds(&Value::Text("很快".into())), None);
        assert_eq!(beijing_time(&Value::Text("2026/3/5 9:21:33".into())).as_deref(), Some("2026-03-05T01:21:33.000Z"));
        assert_eq!(beijing_time(&Value::Text("2026-03-05 09:21".into())).as_deref(), Some("2026-03-05T01:21:00.000Z"));
        assert_eq!(beijing_time(&Value::Text("昨天".into())), None);
    }

    #[test]
    fn fills_and_labels() {
        assert_eq!(split_fill("其他〖在社区〗"), ("其他".into(), Some("在社区".into())));
        assert_eq!(norm("A. 党员"), norm("党员"));
        assert_eq!(resolve(&[("1".into(), "男".into()), ("2".into(), "女".into())], "2", true).as_deref(), Some("2"));
        assert_eq!(resolve(&[("m".into(), "男".into()), ("f".into(), "女".into())], "2", true).as_deref(), Some("f"));
        assert_eq!(resolve(&[("m".into(), "男".into())], "A.男", false).as_deref(), Some("m"));
    }
}
