//! Qualitative research (访谈、案例、文献): the code book shared with the indicator
//! catalogue, interview and case and document inputs with their checks, passages of
//! notes, and what an attachment may be.

use crate::error::Collector;
use crate::{parse_date, Date, FieldError, Labelled, ValidationError};
use serde::{Deserialize, Serialize};

labelled_enum!(
    /// Who was interviewed (受访者类别).
    IntervieweeRole, "受访者类别", {
    Leader = ("leader", "党组织负责人"),
    Worker = ("worker", "党务工作者"),
    Member = ("member", "普通党员"),
    Public = ("public", "群众"),
});

labelled_enum!(
    /// A case shows a good practice or a problem (案例类型).
    CaseKind, "案例类型", {
    Good = ("good", "成效显著"),
    Problem = ("problem", "问题突出"),
});

labelled_enum!(
    /// Kind of literature (文献类型).
    DocumentKind, "文献类型", {
    Policy = ("policy", "政策文件"),
    Study = ("study", "学术研究"),
    Other = ("other", "其他资料"),
});

labelled_enum!(
    /// A category is an achievement (section 二) or a problem (section 三).
    CategoryKind, "类别性质", {
    Achievement = ("achievement", "成效"),
    Problem = ("problem", "问题"),
});

/// One code of the code book (编码类别).
#[derive(Debug, Clone, Serialize)]
pub struct Category {
    pub id: String,
    pub kind: CategoryKind,
    /// Where the seed report puts it, e.g. 三（二）2.
    pub section: String,
    pub heading: String,
    pub name: String,
    pub description: String,
    /// An achievement's heading and name when its figures fall short (the report then
    /// states the shortfall instead of claiming the achievement): 党组织建设情况 /
    /// 党组织覆盖情况. Problems use `heading` and `name` as they are.
    pub neutral_heading: String,
    pub neutral_name: String,
    /// Default lexicon: (keyword, weight).
    pub keywords: Vec<(String, f64)>,
}

/// The code book (编码本): `catalogue/codebook.toml`.
#[derive(Debug, Clone, Serialize)]
pub struct Codebook {
    pub version: String,
    pub categories: Vec<Category>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CodebookFile {
    schema: u32,
    version: String,
    category: Vec<CategoryFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CategoryFile {
    id: String,
    kind: CategoryKind,
    section: String,
    heading: String,
    name: String,
    description: String,
    neutral_heading: Option<String>,
    neutral_name: Option<String>,
    keywords: Vec<String>,
}

pub const CODEBOOK: &str = include_str!("../catalogue/codebook.toml");

/// The polarity cues (极性词表): data beside the code book's keywords.
pub const POLARITY: &str = include_str!("../catalogue/polarity.toml");

/// How a passage reads: against a problem (negative), for an achievement (positive), or
/// neither.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Polarity {
    Negative,
    Neutral,
    Positive,
}

/// The cues a passage's polarity is read from ([`POLARITY`]).
#[derive(Debug, Clone, serde::Deserialize)]
pub struct PolarityCues {
    pub negative: Vec<String>,
    pub positive: Vec<String>,
    pub neutral: Vec<String>,
}

impl PolarityCues {
    pub fn builtin() -> &'static PolarityCues {
        static P: std::sync::OnceLock<PolarityCues> = std::sync::OnceLock::new();
        P.get_or_init(|| toml::from_str(POLARITY).expect("the shipped polarity cues are valid (tested)"))
    }

    /// The polarity of a passage: neutral phrases removed, then negative cues counted
    /// against positive ones (a longer cue is counted once, not again by its parts).
    pub fn read(&self, passage: &str) -> Polarity {
        let mut text = passage.to_string();
        for n in &self.neutral {
            text = text.replace(n.as_str(), "　");
        }
        let count = |cues: &[String], text: &str| -> usize {
            let mut cues: Vec<&String> = cues.iter().collect();
            cues.sort_by_key(|c| std::cmp::Reverse(c.chars().count()));
            let mut t = text.to_string();
            let mut n = 0;
            for c in cues {
                let k = t.matches(c.as_str()).count();
                if k > 0 {
                    n += k;
                    t = t.replace(c.as_str(), "　");
                }
            }
            n
        };
        let (neg, pos) = (count(&self.negative, &text), count(&self.positive, &text));
        match neg.cmp(&pos) {
            std::cmp::Ordering::Greater => Polarity::Negative,
            std::cmp::Ordering::Less => Polarity::Positive,
            std::cmp::Ordering::Equal => Polarity::Neutral,
        }
    }
}

impl Codebook {
    /// The code book shipped with this build.
    pub fn builtin() -> &'static Codebook {
        static C: std::sync::OnceLock<Codebook> = std::sync::OnceLock::new();
        C.get_or_init(|| Codebook::parse(CODEBOOK).expect("the shipped code book is valid (tested)"))
    }

    pub fn parse(text: &str) -> Result<Codebook, String> {
        let f: CodebookFile = toml::from_str(text).map_err(|e| format!("编码本格式错误：{}", e.message().trim()))?;
        if f.schema != 1 {
            return Err(format!("编码本 schema = {}，本程序只支持 1", f.schema));
        }
        let mut categories = Vec::new();
        for c in f.category {
            if categories.iter().any(|x: &Category| x.id == c.id) {
                return Err(format!("编码本中类别 {} 重复", c.id));
            }
            let mut keywords = Vec::new();
            for k in c.keywords {
                let (word, weight) = parse_keyword(&k).map_err(|e| format!("类别 {}：{e}", c.id))?;
                keywords.push((word, weight));
            }
            let (neutral_heading, neutral_name) = match (c.kind, c.neutral_heading, c.neutral_name) {
                (CategoryKind::Achievement, Some(h), Some(n)) => (h, n),
                (CategoryKind::Achievement, _, _) => return Err(format!("类别 {}：成效类别需要 neutral_heading 和 neutral_name（数据未达标时用的中性标题）", c.id)),
                (CategoryKind::Problem, None, None) => (c.heading.clone(), c.name.clone()),
                (CategoryKind::Problem, _, _) => return Err(format!("类别 {}：问题类别不用 neutral_heading/neutral_name", c.id)),
            };
            categories.push(Category { id: c.id, kind: c.kind, section: c.section, heading: c.heading, name: c.name, description: c.description, neutral_heading, neutral_name, keywords });
        }
        Ok(Codebook { version: f.version, categories })
    }

    pub fn category(&self, id: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.id == id)
    }

    /// The category's Chinese name, or the id when the code book no longer has it.
    pub fn name<'a>(&'a self, id: &'a str) -> &'a str {
        self.category(id).map_or(id, |c| c.name.as_str())
    }
}

/// `词` or `词:0.5` → (word, weight).
pub fn parse_keyword(k: &str) -> Result<(String, f64), String> {
    let (word, weight) = match k.rsplit_once(':') {
        Some((w, n)) => (w.trim(), n.trim().parse::<f64>().map_err(|_| format!("关键词“{k}”的权重“{n}”不是数字"))?),
        None => (k.trim(), 1.0),
    };
    if word.is_empty() {
        return Err("关键词不能为空".into());
    }
    if !(weight > 0.0 && weight <= 5.0) {
        return Err(format!("关键词“{word}”的权重应在0到5之间"));
    }
    Ok((word.to_string(), weight))
}

/// The passages of interview notes: Markdown blocks separated by blank lines, trimmed.
/// Codes point at a passage by its index.
pub fn passages(notes: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut end = 0;
    let mut pos = 0;
    for line in notes.split_inclusive('\n') {
        if line.trim().is_empty() {
            if let Some(s) = start.take() {
                out.push(notes[s..end].trim());
            }
        } else {
            if start.is_none() {
                start = Some(pos);
            }
            end = pos + line.len();
        }
        pos += line.len();
    }
    if let Some(s) = start {
        out.push(notes[s..end].trim());
    }
    out
}

/// Longest notes, case sections and document texts accepted (characters).
pub const MAX_TEXT: usize = 200_000;

fn text(c: &mut Collector, field: &'static str, label: &str, v: &str, required: bool, max: usize) -> String {
    let v = c.text(field, label, v, max);
    if required && v.is_empty() {
        c.push(FieldError::new(field, format!("请填写{label}")));
    }
    v
}

fn date(c: &mut Collector, field: &'static str, label: &str, v: &str, today: Date, required: bool) -> Option<Date> {
    if v.trim().is_empty() {
        if required {
            c.push(FieldError::new(field, format!("请填写{label}")));
        }
        return None;
    }
    let d = c.check(parse_date(field, label, v))?;
    if d > today {
        c.push(FieldError::new(field, format!("{label} {d} 晚于今天，请核对")));
    }
    Some(d)
}

/// One interviewee as entered.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct IntervieweeForm {
    pub role: String,
    pub name: String,
    pub position: String,
}

/// An interview as entered (访谈记录), all text so that a refused form keeps every value.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct InterviewForm {
    pub org_id: String,
    pub held_on: String,
    pub place: String,
    pub interviewers: String,
    pub interviewees: Vec<IntervieweeForm>,
    pub notes: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Interviewee {
    pub role: IntervieweeRole,
    /// Name or an anonymous description (e.g. 村党支部书记).
    pub name: String,
    pub position: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct InterviewInput {
    pub org_id: i64,
    pub held_on: Date,
    pub place: String,
    pub interviewers: String,
    pub interviewees: Vec<Interviewee>,
    pub notes: String,
}

impl InterviewForm {
    pub fn validate(&self, today: Date) -> Result<InterviewInput, ValidationError> {
        let mut c = Collector::default();
        let org_id = self.org_id.trim().parse::<i64>().ok();
        if org_id.is_none() {
            c.push(FieldError::new("org_id", "请选择访谈单位"));
        }
        let held_on = date(&mut c, "held_on", "访谈日期", &self.held_on, today, true);
        let place = text(&mut c, "place", "访谈地点", &self.place, false, 200);
        let interviewers = text(&mut c, "interviewers", "访谈人", &self.interviewers, true, 200);
        let mut interviewees = Vec::new();
        for (i, p) in self.interviewees.iter().enumerate() {
            if p.role.trim().is_empty() && p.name.trim().is_empty() && p.position.trim().is_empty() {
                continue;
            }
            let role = if p.role.trim().is_empty() {
                c.push(FieldError::new("interviewees", format!("第{}位受访者：请选择类别（党组织负责人、党务工作者、普通党员、群众）", i + 1)));
                None
            } else {
                c.check(IntervieweeRole::parse_field("interviewees", &p.role).map_err(|e| FieldError::new("interviewees", format!("第{}位受访者：{}", i + 1, e.message))))
            };
            let name = p.name.trim().to_string();
            if name.is_empty() {
                c.push(FieldError::new("interviewees", format!("第{}位受访者：请填写姓名或称呼（可匿名，如“村党支部书记”）", i + 1)));
            }
            if let Some(role) = role {
                interviewees.push(Interviewee { role, name, position: p.position.trim().to_string() });
            }
        }
        if self.interviewees.iter().all(|p| p.role.trim().is_empty() && p.name.trim().is_empty()) {
            c.push(FieldError::new("interviewees", "请至少填写一位受访者"));
        }
        let notes = text(&mut c, "notes", "访谈记录", &self.notes, true, MAX_TEXT);
        c.finish()?;
        Ok(InterviewInput { org_id: org_id.unwrap_or(0), held_on: held_on.expect("checked"), place, interviewers, interviewees, notes })
    }
}

/// A case as entered (典型案例).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct CaseForm {
    pub org_id: String,
    pub title: String,
    pub kind: String,
    /// e.g. 2023年3月至2024年6月
    pub period: String,
    pub background: String,
    pub actions: String,
    pub result: String,
    pub lessons: String,
    pub categories: Vec<String>,
    pub sources: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct CaseInput {
    pub org_id: i64,
    pub title: String,
    pub kind: CaseKind,
    pub period: String,
    pub background: String,
    pub actions: String,
    pub result: String,
    pub lessons: String,
    pub categories: Vec<String>,
    pub sources: String,
}

impl CaseForm {
    pub fn validate(&self, codebook: &Codebook) -> Result<CaseInput, ValidationError> {
        let mut c = Collector::default();
        let org_id = self.org_id.trim().parse::<i64>().ok();
        if org_id.is_none() {
            c.push(FieldError::new("org_id", "请选择案例所在单位"));
        }
        let title = text(&mut c, "title", "案例标题", &self.title, true, 200);
        let kind = if self.kind.trim().is_empty() {
            c.push(FieldError::new("kind", "请选择案例类型（成效显著或问题突出）"));
            None
        } else {
            c.check(CaseKind::parse_field("kind", &self.kind))
        };
        let period = text(&mut c, "period", "时间段", &self.period, true, 100);
        let background = text(&mut c, "background", "背景", &self.background, true, MAX_TEXT);
        let actions = text(&mut c, "actions", "主要做法", &self.actions, true, MAX_TEXT);
        let result = text(&mut c, "result", "成效或后果", &self.result, true, MAX_TEXT);
        let lessons = text(&mut c, "lessons", "经验教训", &self.lessons, true, MAX_TEXT);
        let sources = text(&mut c, "sources", "资料来源", &self.sources, false, 2000);
        let mut categories = Vec::new();
        for k in &self.categories {
            match codebook.category(k.trim()) {
                Some(cat) if !categories.contains(&cat.id) => categories.push(cat.id.clone()),
                Some(_) => {}
                None => c.push(FieldError::new("categories", format!("编码类别“{k}”不在编码本中"))),
            }
        }
        if categories.is_empty() && !self.categories.iter().any(|k| !k.trim().is_empty()) {
            c.push(FieldError::new("categories", "请至少关联一个编码类别（案例说明的成效或问题）"));
        }
        c.finish()?;
        Ok(CaseInput { org_id: org_id.unwrap_or(0), title, kind: kind.expect("checked"), period, background, actions, result, lessons, categories, sources })
    }
}

/// A requirement as entered: its text and the rules-file entry it justifies.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RequirementForm {
    pub text: String,
    pub rule_key: String,
}

/// A document as entered (文献).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DocumentForm {
    pub title: String,
    pub kind: String,
    pub issuer: String,
    /// 文号, e.g. 中组发〔2008〕3号
    pub doc_number: String,
    pub issued_on: String,
    pub url: String,
    pub summary: String,
    pub requirements: Vec<RequirementForm>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Requirement {
    pub text: String,
    pub rule_key: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DocumentInput {
    pub title: String,
    pub kind: DocumentKind,
    pub issuer: String,
    pub doc_number: String,
    pub issued_on: Option<Date>,
    pub url: String,
    pub summary: String,
    pub requirements: Vec<Requirement>,
}

impl DocumentForm {
    /// `rule_keys`: the entries of the rules file in effect (section.key).
    pub fn validate(&self, today: Date, rule_keys: &[String]) -> Result<DocumentInput, ValidationError> {
        let mut c = Collector::default();
        let title = text(&mut c, "title", "文献标题", &self.title, true, 300);
        let kind = if self.kind.trim().is_empty() { Some(DocumentKind::Policy) } else { c.check(DocumentKind::parse_field("kind", &self.kind)) };
        let issuer = text(&mut c, "issuer", "发文机关或作者", &self.issuer, true, 200);
        let doc_number = text(&mut c, "doc_number", "文号", &self.doc_number, false, 100);
        if !doc_number.is_empty() && !(doc_number.contains('〔') && doc_number.ends_with('号')) {
            c.push(FieldError::new("doc_number", format!("文号“{doc_number}”格式不对，应写作 发文机关代字〔年份〕序号号，例如 中组发〔2008〕3号（年份用六角括号〔〕）")));
        }
        let issued_on = date(&mut c, "issued_on", "发布日期", &self.issued_on, today, false);
        let url = text(&mut c, "url", "链接", &self.url, false, 1000);
        if !url.is_empty() && !(url.starts_with("http://") || url.starts_with("https://")) {
            c.push(FieldError::new("url", "链接应以 http:// 或 https:// 开头"));
        }
        let summary = text(&mut c, "summary", "内容摘要", &self.summary, false, MAX_TEXT);
        let mut requirements = Vec::new();
        for (i, r) in self.requirements.iter().enumerate() {
            let t = r.text.trim();
            let key = r.rule_key.trim();
            if t.is_empty() && key.is_empty() {
                continue;
            }
            if t.is_empty() {
                c.push(FieldError::new("requirements", format!("第{}条要求：请填写要求的内容", i + 1)));
            }
            if !key.is_empty() && !rule_keys.iter().any(|k| k == key) {
                c.push(FieldError::new("requirements", format!("第{}条要求：规则“{key}”不在规则文件中", i + 1)));
            }
            requirements.push(Requirement { text: t.to_string(), rule_key: (!key.is_empty()).then(|| key.to_string()) });
        }
        c.finish()?;
        Ok(DocumentInput { title, kind: kind.expect("checked"), issuer, doc_number, issued_on, url, summary, requirements })
    }
}

/// The largest attachment accepted (a recording of an interview fits).
pub const MAX_ATTACHMENT_BYTES: usize = 20 * 1024 * 1024;

/// What an attachment may be, recognised by its content.
pub const ATTACHMENT_KINDS: &str = "PDF、Word（.docx）、Excel（.xlsx）、图片（JPG、PNG）、录音（MP3、M4A、WAV）或文本（.txt、.md）";

/// The media type of an attachment, from its first bytes (and, for Office files, the
/// parts inside the zip); anything else is refused with what it looks like instead.
pub fn sniff_attachment(name: &str, bytes: &[u8]) -> Result<&'static str, String> {
    if bytes.is_empty() {
        return Err(format!("附件“{name}”是空文件"));
    }
    if bytes.len() > MAX_ATTACHMENT_BYTES {
        return Err(format!("附件“{name}”大小 {:.1} MB，超过 {} MB 的上限；请压缩或分开上传", bytes.len() as f64 / 1048576.0, MAX_ATTACHMENT_BYTES / 1048576));
    }
    let has = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
    if bytes.starts_with(b"MZ") || bytes.starts_with(b"\x7fELF") || bytes.starts_with(b"#!") {
        return Err(format!("附件“{name}”是可执行程序或脚本，不能上传；可上传{ATTACHMENT_KINDS}"));
    }
    let kind = if bytes.starts_with(b"%PDF-") {
        "application/pdf"
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        "image/jpeg"
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        "image/png"
    } else if bytes.starts_with(b"PK\x03\x04") {
        if has(b"word/") {
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        } else if has(b"xl/") {
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        } else {
            return Err(format!("附件“{name}”是压缩包或不支持的文件；可上传{ATTACHMENT_KINDS}"));
        }
    } else if bytes.starts_with(b"ID3") || (bytes.len() > 1 && bytes[0] == 0xFF && bytes[1] & 0xE0 == 0xE0) {
        "audio/mpeg"
    } else if bytes.len() > 12 && &bytes[4..8] == b"ftyp" {
        "audio/mp4"
    } else if bytes.len() > 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WAVE" {
        "audio/wav"
    } else if std::str::from_utf8(bytes).is_ok_and(|t| !t.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))) {
        "text/plain; charset=utf-8"
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(format!("附件“{name}”是旧版 Office 文件（.doc/.xls），请另存为 .docx 或 .xlsx 后上传"));
    } else {
        return Err(format!("附件“{name}”的类型无法识别（不是按内容能认出的文件）；可上传{ATTACHMENT_KINDS}"));
    };
    Ok(kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_codebook_parses_and_covers_the_seed() {
        let c = Codebook::builtin();
        assert_eq!(c.categories.iter().filter(|c| c.kind == CategoryKind::Achievement).count(), 6);
        // The seed's nine problems and two the registry shows where 二's achievements fall short.
        assert_eq!(c.categories.iter().filter(|c| c.kind == CategoryKind::Problem).count(), 11);
        assert!(c.categories.iter().all(|c| !c.keywords.is_empty()));
        assert_eq!(c.category("education").unwrap().keywords.iter().find(|k| k.0 == "集中学习").unwrap().1, 0.5);
    }

    #[test]
    fn passages_are_blocks_between_blank_lines() {
        let notes = "# 访谈\n\n第一段，\n续行。\n\n\n  第二段  \n";
        assert_eq!(passages(notes), vec!["# 访谈", "第一段，\n续行。", "第二段"]);
    }

    #[test]
    fn attachments_are_recognised_by_content() {
        assert_eq!(sniff_attachment("a.pdf", b"%PDF-1.7 ...").unwrap(), "application/pdf");
        assert!(sniff_attachment("a.pdf", b"MZ\x90\x00\x03").unwrap_err().contains("可执行程序"));
        assert!(sniff_attachment("a.pdf", b"\x7fELF\x02\x01").unwrap_err().contains("可执行程序"));
        assert!(sniff_attachment("a.txt", b"text\x01\x02").unwrap_err().contains("无法识别"));
        assert!(sniff_attachment("a.txt", &[0, 1, 2, 3, 200]).unwrap_err().contains("无法识别"));
        assert!(sniff_attachment("big.pdf", &vec![b'%'; MAX_ATTACHMENT_BYTES + 1]).unwrap_err().contains("超过 20 MB"));
        assert_eq!(sniff_attachment("记录.txt", "访谈记录".as_bytes()).unwrap(), "text/plain; charset=utf-8");
    }

    #[test]
    fn a_refused_interview_names_every_field() {
        let f = InterviewForm { interviewees: vec![IntervieweeForm { role: "村长".into(), name: "".into(), position: "".into() }], ..Default::default() };
        let e = f.validate(Date::from_ymd_opt(2026, 11, 27).unwrap()).unwrap_err();
        let fields: Vec<&str> = e.errors.iter().map(|e| e.field).collect();
        for f in ["org_id", "held_on", "interviewers", "interviewees", "notes"] {
            assert!(fields.contains(&f), "{f}: {e:?}");
        }
        assert!(e.summary().contains("受访者类别“村长”无法识别"), "{}", e.summary());
    }
}
