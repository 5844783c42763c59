//! What each import kind reads: its columns with the names users give them, and finding
//! the header row under any title rows.

use crate::read::{SheetRow, Value};
use domain::Labelled;

/// What a file holds (导入类别).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// 党组织
    Orgs,
    /// 党员花名册
    Members,
    /// 班子成员（支委会/党委委员）
    Committee,
    /// 会议及出席
    Meetings,
    /// 党费缴纳
    Dues,
    /// 培训学时
    Training,
}

impl Kind {
    pub const ALL: [Kind; 6] = [Kind::Orgs, Kind::Members, Kind::Committee, Kind::Meetings, Kind::Dues, Kind::Training];

    pub fn code(self) -> &'static str {
        match self {
            Kind::Orgs => "orgs",
            Kind::Members => "members",
            Kind::Committee => "committee",
            Kind::Meetings => "meetings",
            Kind::Dues => "dues",
            Kind::Training => "training",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Kind::Orgs => "党组织",
            Kind::Members => "党员花名册",
            Kind::Committee => "班子成员",
            Kind::Meetings => "会议记录",
            Kind::Dues => "党费缴纳",
            Kind::Training => "培训学时",
        }
    }
    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.code() == s || k.label() == s)
    }
    pub fn columns(self) -> &'static [Column] {
        match self {
            Kind::Orgs => ORG_COLUMNS,
            Kind::Members => MEMBER_COLUMNS,
            Kind::Committee => COMMITTEE_COLUMNS,
            Kind::Meetings => MEETING_COLUMNS,
            Kind::Dues => DUES_COLUMNS,
            Kind::Training => TRAINING_COLUMNS,
        }
    }
    pub fn column(self, key: &str) -> &'static Column {
        self.columns().iter().find(|c| c.key == key).unwrap_or_else(|| panic!("no column {key} in {}", self.code()))
    }
}

/// One column: the key the importer uses, the header dangjian writes, the other names
/// users give it, whether it must be present, its allowed values and a filling hint.
#[derive(Debug)]
pub struct Column {
    pub key: &'static str,
    pub label: &'static str,
    pub aliases: &'static [&'static str],
    pub required: bool,
    pub choices: fn() -> Vec<&'static str>,
    pub hint: &'static str,
    /// Column width in the templates and exports, in characters.
    pub width: f64,
}

fn none() -> Vec<&'static str> {
    Vec::new()
}
/// The labels offered in drop-downs: 未登记 is what an empty cell means, not a choice.
fn labels<T: Labelled>() -> Vec<&'static str> {
    T::ALL.iter().filter(|v| v.code() != "unregistered").map(|v| v.label()).collect()
}
fn yes_no() -> Vec<&'static str> {
    vec!["是", "否"]
}
fn ethnicities() -> Vec<&'static str> {
    domain::member::ETHNICITIES.to_vec()
}

macro_rules! col {
    ($key:literal, $label:literal, [$($a:literal),*], $req:literal, $choices:expr, $hint:expr, $w:literal) => {
        Column { key: $key, label: $label, aliases: &[$($a),*], required: $req, choices: $choices, hint: $hint, width: $w }
    };
}

const ORG_HINT: &str = "填写党组织的组织代码或全称（须已在系统中或在本文件中）";
const DATE_HINT: &str = "日期，如2020-01-05、2020/1/5或2020年1月5日";

pub static ORG_COLUMNS: &[Column] = &[
    col!("code", "组织代码", ["党组织代码", "代码", "组织编码"], true, none, "1–40位字母、数字、“-”或“_”，全辖区唯一", 16.0),
    col!("name", "组织名称", ["党组织名称", "名称", "党组织全称"], true, none, "党组织全称，如“中共某某村支部委员会”", 36.0),
    col!("level", "组织层级", ["组织类别", "党组织类别", "层级"], true, labels::<domain::org::OrgLevel>, "从下拉列表选择", 12.0),
    col!("sector", "所属领域", ["单位类别", "所在单位类别", "领域"], true, labels::<domain::org::Sector>, "从下拉列表选择", 14.0),
    col!("parent", "上级党组织", ["上级组织", "上级党组织代码", "隶属党组织"], false, none, "上级党组织的代码或全称；顶层党组织留空", 30.0),
    col!("region_code", "行政区划代码", ["区划代码", "行政区划"], true, none, "6位或12位统计用区划代码", 14.0),
    col!("founded_on", "成立日期", ["成立时间", "建立时间"], false, none, DATE_HINT, 12.0),
    col!("elected_on", "换届日期", ["上次换届时间", "换届时间", "选举日期"], false, none, DATE_HINT, 12.0),
    col!("term_years", "任期（年）", ["任期", "届期"], false, none, "3或5", 10.0),
];

pub static MEMBER_COLUMNS: &[Column] = &[
    col!("name", "姓名", ["党员姓名"], true, none, "与身份证一致", 10.0),
    col!("sex", "性别", [], false, labels::<domain::member::Sex>, "男或女；留空时按身份证号", 6.0),
    col!("ethnicity", "民族", [], false, ethnicities, "如汉族（也可写“汉”）；留空为未登记", 8.0),
    col!("birth_date", "出生日期", ["出生年月", "出生时间", "出生年月日"], false, none, "留空时按身份证号", 12.0),
    col!("citizen_id", "身份证号", ["公民身份号码", "身份证号码", "身份证", "证件号码", "公民身份证号"], true, none, "18位，设置为文本格式", 22.0),
    col!("education", "学历", ["文化程度", "最高学历", "学历层次", "全日制学历"], false, labels::<domain::member::Education>, "从下拉列表选择，也可写大专、本科、硕士等常见叫法；留空为未登记", 12.0),
    col!("occupation", "职业", ["工作岗位", "人员类别", "职业类别", "现职业", "职业（岗位）"], false, labels::<domain::member::Occupation>, "8类职业之一，也可写农民、退休、教师、公务员等；留空为未登记", 16.0),
    col!("joined_on", "入党时间", ["入党日期", "加入党组织日期", "入党年月", "入党时间（年月）"], true, none, "支部大会通过之日；只知道年月时写1975.03", 12.0),
    col!("full_on", "转正时间", ["转正日期", "转正年月"], false, none, "预备党员留空；只知道年月时写1976.03", 12.0),
    col!("status", "党员类别", ["党员状态", "党籍状态"], false, labels::<domain::member::MemberStatus>, "正式党员或预备党员；留空时按是否有转正时间", 10.0),
    col!("org", "所在党支部", ["所在党组织", "党支部", "所在支部", "组织关系所在党组织", "党组织名称"], false, none, ORG_HINT, 30.0),
    col!("org_code", "党组织代码", ["所在党组织代码", "组织代码", "党支部代码"], false, none, "填写时优先按代码匹配", 14.0),
    col!("group", "党小组", ["所在党小组"], false, none, "党小组名称或代码，可留空", 16.0),
    col!("phone", "联系电话", ["手机号", "手机号码", "电话", "联系方式"], false, none, "手机号或带区号的固定电话", 14.0),
    col!("is_mobile", "流动党员", ["是否流动党员"], false, yes_no, "是或否", 8.0),
    col!("archive_location", "档案存放单位", ["档案所在单位", "档案存放地"], false, none, "", 20.0),
    col!("archive_materials", "档案材料", ["档案材料清单"], false, none, "用顿号分隔，如：入党申请书、入党志愿书", 40.0),
];

pub static COMMITTEE_COLUMNS: &[Column] = &[
    col!("org", "所在党组织", ["党组织", "所在党支部", "党组织名称"], false, none, ORG_HINT, 30.0),
    col!("org_code", "党组织代码", ["所在党组织代码", "组织代码"], false, none, "填写时优先按代码匹配", 14.0),
    col!("role", "职务", ["班子职务", "党内职务"], true, labels::<domain::org::CommitteeRole>, "书记、副书记或委员", 10.0),
    col!("person_name", "姓名", [], true, none, "", 10.0),
    col!("citizen_id", "身份证号", ["公民身份号码", "身份证号码"], false, none, "本组织党员填写，用于关联党员信息", 22.0),
    col!("start_on", "任职日期", ["任职时间", "当选日期"], true, none, DATE_HINT, 12.0),
    col!("end_on", "离任日期", ["离任时间", "免职日期"], false, none, "仍在任留空", 12.0),
];

pub static MEETING_COLUMNS: &[Column] = &[
    col!("org", "所在党组织", ["党组织", "所在党支部", "党组织名称"], false, none, ORG_HINT, 30.0),
    col!("org_code", "党组织代码", ["所在党组织代码", "组织代码"], false, none, "填写时优先按代码匹配", 14.0),
    col!("kind", "会议类型", ["类型", "会议类别"], true, labels::<domain::meeting::MeetingKind>, "从下拉列表选择", 14.0),
    col!("held_on", "召开日期", ["会议日期", "日期", "召开时间"], true, none, DATE_HINT, 12.0),
    col!("topic", "会议主题", ["主题", "议题"], true, none, "", 30.0),
    col!("form", "活动形式", ["形式", "方式"], true, labels::<domain::meeting::MeetingForm>, "从下拉列表选择", 12.0),
    col!("theme", "主题类别", ["主题党日类别"], false, labels::<domain::life::ThemeCategory>, "内容类别，各类会议均可填写；只传达上级文件的选“传达文件”", 12.0),
    col!("host", "主持人", [], false, none, "", 10.0),
    col!("recorder", "记录人", [], false, none, "", 10.0),
    col!("summary", "内容摘要", ["会议内容", "主要内容", "摘要"], false, none, "", 40.0),
    col!("present", "出席人员", ["参会人员", "出席党员", "实到人员"], false, none, "本组织党员姓名，用顿号分隔", 40.0),
    col!("absent", "缺席人员", ["请假人员", "未到人员"], false, none, "姓名（原因），用顿号分隔，如：张三（外出务工）", 30.0),
];

pub static DUES_COLUMNS: &[Column] = &[
    col!("citizen_id", "身份证号", ["公民身份号码", "身份证号码"], true, none, "18位，设置为文本格式", 22.0),
    col!("name", "姓名", [], false, none, "用于核对", 10.0),
    col!("from_month", "起始月份", ["缴纳月份", "所属月份", "月份", "开始月份"], true, none, "年月，如2024-01或202401", 10.0),
    col!("to_month", "截止月份", ["结束月份"], false, none, "按月缴纳留空", 10.0),
    col!("base", "缴费基数", ["计算基数", "月工资收入"], false, none, "元/月；按基数套档计算应缴金额", 10.0),
    col!("amount", "缴纳金额", ["金额", "党费金额", "实缴金额"], false, none, "元；留空时按缴费基数和规则档次计算，填写时不得少于应缴金额", 10.0),
    col!("paid_on", "缴纳日期", ["交纳日期", "缴费日期"], true, none, DATE_HINT, 12.0),
];

pub static TRAINING_COLUMNS: &[Column] = &[
    col!("citizen_id", "身份证号", ["公民身份号码", "身份证号码"], true, none, "18位，设置为文本格式", 22.0),
    col!("name", "姓名", [], false, none, "用于核对", 10.0),
    col!("taken_on", "培训日期", ["学习日期", "日期"], true, none, DATE_HINT, 12.0),
    col!("hours", "学时", ["培训学时", "学时数"], true, none, "小时，可带小数", 8.0),
    col!("channel", "培训方式", ["学习方式", "方式"], true, labels::<domain::life::TrainingChannel>, "从下拉列表选择", 12.0),
    col!("topic", "培训内容", ["学习内容", "内容", "课程名称"], false, none, "", 30.0),
];

/// Headers users add that carry nothing to import (no warning when they are skipped).
const NOISE: &[&str] = &["序号", "编号", "行号", "NO", "NO.", "序"];

/// A header as compared: no spaces, stars, line breaks or bracketed notes ("身份证号（必填）").
pub fn normalise(header: &str) -> String {
    let mut out = String::new();
    let mut depth = 0;
    for c in header.chars() {
        match c {
            '(' | '（' | '【' | '[' => depth += 1,
            ')' | '）' | '】' | ']' => depth = (depth - 1).max(0),
            _ if depth > 0 => {}
            c if c.is_whitespace() || c == '*' || c == '＊' || c == ':' || c == '：' => {}
            c => out.extend(c.to_uppercase()),
        }
    }
    out
}

/// Where each column of a kind sits in the file.
#[derive(Debug, Clone)]
pub struct HeaderMap {
    pub kind: Kind,
    /// Excel row number of the header.
    pub row: u32,
    /// Per column of the kind (same order), the cell index in the row.
    pub index: Vec<Option<usize>>,
    /// The header text as written in the file, per cell index.
    pub written: Vec<String>,
    /// Headers in the file that no column takes (their data is not imported; shown to the user).
    pub unused: Vec<String>,
    /// Cell indexes of columns that carry nothing (序号): a row with only these is blank.
    pub noise: Vec<usize>,
    /// The organisation a title row names ("填报单位：中共某村支部委员会（盖章）"), for
    /// files without an organisation column.
    pub title_org: Option<String>,
}

impl HeaderMap {
    /// How many of the kind's columns the header names.
    pub fn hits(&self) -> usize {
        self.index.iter().filter(|i| i.is_some()).count()
    }
    /// Required columns the header lacks, by their labels.
    pub fn missing_required(&self) -> Vec<&'static str> {
        let cols = self.kind.columns();
        let mut missing: Vec<&str> = cols.iter().zip(&self.index).filter(|(c, i)| c.required && i.is_none()).map(|(c, _)| c.label).collect();
        if cols.iter().any(|c| c.key == "org_code") && !self.has("org") && !self.has("org_code") && self.title_org.is_none() {
            missing.push("所在党组织（名称或代码）");
        }
        missing
    }
    /// Optional columns the file does not have: imported as 未登记 (or left as stored).
    pub fn missing_optional(&self) -> Vec<&'static str> {
        let cols = self.kind.columns();
        cols.iter()
            .zip(&self.index)
            .filter(|(c, i)| !c.required && i.is_none() && !(matches!(c.key, "org" | "org_code") && (self.has("org") || self.has("org_code"))))
            .map(|(c, _)| c.label)
            .collect()
    }
    /// A row with nothing but 序号-like cells (pre-numbered empty lines).
    pub fn is_blank_data(&self, row: &SheetRow) -> bool {
        row.cells.iter().enumerate().all(|(i, v)| v.is_empty() || self.noise.contains(&i))
    }
    pub fn cell<'r>(&self, row: &'r SheetRow, key: &str) -> &'r Value {
        let i = self.kind.columns().iter().position(|c| c.key == key).and_then(|p| self.index[p]);
        i.and_then(|i| row.cells.get(i)).unwrap_or(&Value::Empty)
    }
    /// The position in the row of the column for `key`, when the file has it.
    pub fn col(&self, key: &str) -> Option<usize> {
        self.kind.columns().iter().position(|c| c.key == key).and_then(|p| self.index[p])
    }
    pub fn has(&self, key: &str) -> bool {
        self.kind.columns().iter().position(|c| c.key == key).and_then(|p| self.index[p]).is_some()
    }
    /// The header as the user wrote it (for error reports), or dangjian's label.
    pub fn header_of(&self, key: &str) -> String {
        let p = self.kind.columns().iter().position(|c| c.key == key);
        match p.and_then(|p| self.index[p]) {
            Some(i) => self.written[i].clone(),
            None => self.kind.columns().iter().find(|c| c.key == key).map(|c| c.label.to_string()).unwrap_or_else(|| key.to_string()),
        }
    }
    /// Column letter (A, B, …, AA) of a key, if present.
    pub fn letter_of(&self, key: &str) -> Option<String> {
        let p = self.kind.columns().iter().position(|c| c.key == key)?;
        self.index[p].map(column_letter)
    }
}

pub fn column_letter(mut i: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (i % 26) as u8);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).expect("ascii")
}

/// Matches one row as the header. `Ok(None)` when fewer than two of its cells name columns
/// of the kind (a title row or blank); an error when it is the header but cannot be used.
pub fn match_header(kind: Kind, row: &SheetRow) -> Result<Option<HeaderMap>, String> {
    match map_header(kind, row)? {
        Some(h) => require(&h, row).map(|_| Some(h)),
        None => Ok(None),
    }
}

/// Refuses a header without the columns that identify a record, naming them.
pub fn require(h: &HeaderMap, row: &SheetRow) -> Result<(), String> {
    let missing = h.missing_required();
    if missing.is_empty() {
        return Ok(());
    }
    let org_hint = if missing.iter().any(|m| m.starts_with("所在党组织")) { "；所有人属于同一个党支部时，也可以在表头上方写一行“填报单位：党支部全称”" } else { "" };
    Err(format!(
        "第{}行的表头缺少必填列：{}。文件中的列为：{}。请补上这些列（列名可用常见叫法，如“公民身份号码”），或下载导入模板对照填写{org_hint}",
        row.number,
        missing.join("、"),
        h.written.iter().filter(|w| !w.is_empty()).cloned().collect::<Vec<_>>().join("、")
    ))
}

/// The header a row names, required columns or not: `Ok(None)` under two hits.
pub fn map_header(kind: Kind, row: &SheetRow) -> Result<Option<HeaderMap>, String> {
    let cols = kind.columns();
    let written: Vec<String> = row.cells.iter().map(|v| v.display()).collect();
    let mut index: Vec<Option<usize>> = vec![None; cols.len()];
    let mut unused = Vec::new();
    let mut noise = Vec::new();
    let mut hits = 0;
    let mut clash = None;
    for (i, h) in written.iter().enumerate() {
        let n = normalise(h);
        if n.is_empty() {
            continue;
        }
        let found = cols.iter().position(|c| normalise(c.label) == n || c.aliases.iter().any(|a| normalise(a) == n));
        match found {
            Some(p) => {
                hits += 1;
                if let Some(prev) = index[p] {
                    clash = Some(format!("“{}”（{}列）和“{}”（{}列）都表示{}，请删去其中一列", written[prev], column_letter(prev), h, column_letter(i), cols[p].label));
                }
                index[p] = Some(i);
            }
            None if NOISE.contains(&n.as_str()) => noise.push(i),
            None => unused.push(h.trim().to_string()),
        }
    }
    if hits < 2 {
        return Ok(None);
    }
    if let Some(c) = clash {
        return Err(c);
    }
    Ok(Some(HeaderMap { kind, row: row.number, index, written, unused, noise, title_org: None }))
}

/// Two header rows read as one: a merged group title above (“基本情况”, “入党情况”) and the
/// columns' own names below; a cell empty below (merged down from above) takes the one above.
pub fn merge_rows(above: &SheetRow, below: &SheetRow) -> SheetRow {
    let n = above.cells.len().max(below.cells.len());
    let cells = (0..n)
        .map(|i| match (above.cells.get(i), below.cells.get(i)) {
            (_, Some(b)) if !b.is_empty() => b.clone(),
            (Some(a), _) => a.clone(),
            _ => Value::Empty,
        })
        .collect();
    SheetRow { number: below.number, cells }
}

/// The organisation a title row names: "填报单位：中共西湖村支部委员会（盖章）",
/// "党支部名称：…", "单位：…".
pub fn title_org(row: &SheetRow) -> Option<String> {
    const KEYS: &[&str] = &["填报单位", "党组织名称", "党支部名称", "所在党支部", "所在党组织", "单位名称", "党支部", "单位"];
    row.cells.iter().filter_map(|v| match v {
        Value::Text(t) => Some(t.as_str()),
        _ => None,
    }).find_map(|t| {
        let t = t.trim();
        let key = KEYS.iter().find(|k| t.starts_with(*k))?;
        let rest = t[key.len()..].trim_start().strip_prefix(['：', ':'])?;
        let rest = rest.split("（盖章）").next()?.split("(盖章)").next()?;
        // "填报单位：某支部   填报日期：…" on one line: stop at the next label.
        let name = rest.split(['\u{3000}', ' ']).find(|s| !s.is_empty())?.trim();
        (!name.is_empty()).then(|| name.to_string())
    })
}

/// Rows under the data that are not data: 合计, 填表人/审核人, 注/说明 lines.
pub fn is_footer(row: &SheetRow) -> bool {
    const MARKS: &[&str] = &["合计", "总计", "小计", "填表人", "制表人", "填报人", "审核人", "负责人", "单位负责人", "填表日期", "填报日期", "制表日期", "注", "说明", "备注"];
    let first = row.cells.iter().find(|v| !v.is_empty()).map(|v| normalise(&v.display())).unwrap_or_default();
    !first.is_empty() && MARKS.iter().any(|m| first.starts_with(m))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(cells: &[&str]) -> SheetRow {
        SheetRow { number: 3, cells: cells.iter().map(|s| if s.is_empty() { Value::Empty } else { Value::Text(s.to_string()) }).collect() }
    }

    #[test]
    fn synonyms_and_notes_in_headers() {
        let r = row(&["序号", "姓 名", "公民身份号码", "文化程度", "民族", "工作岗位", "入党日期", "所在党组织（全称）", "*手机号", "爱好"]);
        let h = match_header(Kind::Members, &r).unwrap().unwrap();
        assert_eq!(h.index[Kind::Members.columns().iter().position(|c| c.key == "citizen_id").unwrap()], Some(2));
        assert_eq!(h.letter_of("phone").as_deref(), Some("I"));
        assert_eq!(h.unused, vec!["爱好".to_string()]);
    }

    #[test]
    fn title_rows_are_not_headers_and_missing_columns_are_named() {
        assert!(match_header(Kind::Members, &row(&["某某村党支部党员花名册"])).unwrap().is_none());
        let e = match_header(Kind::Members, &row(&["姓名", "性别", "民族"])).unwrap_err();
        assert!(e.contains("身份证号") && e.contains("入党时间"), "{e}");
        let e = match_header(Kind::Members, &row(&["姓名", "身份证号", "公民身份号码"])).unwrap_err();
        assert!(e.contains("请删去其中一列"), "{e}");
    }

    #[test]
    fn letters() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(701), "ZZ");
    }
}
