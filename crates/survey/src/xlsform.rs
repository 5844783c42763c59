//! XLSForm in and out (.xlsx/.xls, and pyxform's Markdown tables), as pyxform reads it:
//! sheet and column names case-insensitive, the synonyms users write (`begin group`,
//! `select one from X`, `list name`, `relevance`…), labels per language
//! (`label::中文 (zh)`, old-style `label:English`). Whatever dangjian cannot run is refused
//! by name with its sheet, row and column; nothing is dropped silently.

use crate::expr::{check_patterns, Expr};
use crate::model::{Choice, Item, Kind, Questionnaire, Text};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;

/// One problem in a form file, with where it is.
#[derive(Debug, Clone, PartialEq)]
pub struct FormError {
    pub sheet: String,
    /// Row as Excel shows it (0 = the sheet as a whole).
    pub row: u32,
    pub column: String,
    pub message: String,
}

impl fmt::Display for FormError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        if self.sheet.is_empty() {
            return write!(f, "{}", self.message);
        }
        write!(f, "{} 工作表", self.sheet)?;
        if self.row > 0 {
            write!(f, "第 {} 行", self.row)?;
        }
        if !self.column.is_empty() {
            write!(f, "（{} 列）", self.column)?;
        }
        write!(f, "：{}", self.message)
    }
}

/// Every problem found in a form (all of them, not only the first).
#[derive(Debug, Clone, PartialEq)]
pub struct FormErrors(pub Vec<FormError>);

impl fmt::Display for FormErrors {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        writeln!(f, "问卷文件有 {} 处问题，未导入：", self.0.len())?;
        for e in &self.0 {
            writeln!(f, "- {e}")?;
        }
        Ok(())
    }
}
impl std::error::Error for FormErrors {}

/// A form read successfully, with notes on what was accepted but has no effect here.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub form: Questionnaire,
    pub warnings: Vec<String>,
}

/// Rows of an Excel worksheet (1 048 576).
const EXCEL_ROWS: u32 = 1 << 20;

/// A workbook as rows of trimmed text cells, whatever file it came from.
pub struct Book {
    pub sheets: Vec<(String, Vec<Vec<String>>)>,
}

impl Book {
    /// Reads an .xlsx/.xls/.ods workbook.
    pub fn from_bytes(bytes: &[u8]) -> Result<Book, FormErrors> {
        use calamine::{Data, Reader};
        let err = |m: String| FormErrors(vec![FormError { sheet: String::new(), row: 0, column: String::new(), message: m }]);
        if bytes.is_empty() {
            return Err(err("文件是空的".into()));
        }
        // The same structural checks a roster gets before calamine reads it: a part that
        // unpacks to far more than it packs, or an .xls whose sector chains loop or leave
        // the file, would have calamine grow memory until the process aborts.
        let checked = match bytes {
            [b'P', b'K', ..] => sheets::read::check_xlsx_sizes_of(std::io::Cursor::new(bytes), "问卷文件"),
            [0xD0, 0xCF, 0x11, 0xE0, ..] => sheets::read::check_xls_bytes(bytes, "问卷文件"),
            _ => Ok(()),
        };
        checked.map_err(|e| err(e.to_string()))?;
        // calamine's own error text is English: the user gets what to do instead.
        let mut wb = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes))
            .map_err(|_| err("无法作为 Excel 工作簿读取（文件不是 .xlsx、.xls 或 .ods，或已损坏）；请用 Excel 或 WPS 打开后另存为 XLSForm 格式的 .xlsx 文件再上传".into()))?;
        let mut sheets = Vec::new();
        for name in wb.sheet_names() {
            // A damaged cell reference (row "A99999999999") overflows calamine's arithmetic,
            // which panics in a debug build: the file is refused like any other broken one.
            let read = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| wb.worksheet_range(&name)));
            let range = match read {
                Ok(r) => r.map_err(|_| err(format!("工作表 {name} 无法读取（内容已损坏）；请用 Excel 或 WPS 打开后重新保存为 .xlsx 再上传")))?,
                Err(_) => return Err(err(format!("工作表 {name} 已损坏（单元格位置无法识别），无法读取；请用 Excel 或 WPS 打开后重新保存为 .xlsx 再上传"))),
            };
            let (r0, _) = range.start().unwrap_or((0, 0));
            // Beyond Excel's last row only a damaged reference can lead (in a release
            // build calamine's arithmetic wraps instead of panicking); the blank rows
            // before the first cell would otherwise be allocated one by one.
            if r0 >= EXCEL_ROWS {
                return Err(err(format!("工作表 {name} 已损坏（单元格位置超出 Excel 的最大行数），无法读取；请用 Excel 或 WPS 打开后重新保存为 .xlsx 再上传")));
            }
            let mut rows: Vec<Vec<String>> = vec![Vec::new(); r0 as usize];
            for r in range.rows() {
                rows.push(
                    r.iter()
                        .map(|c| match c {
                            Data::Empty => String::new(),
                            Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
                            Data::Bool(b) => if *b { "TRUE()" } else { "FALSE()" }.to_string(),
                            other => other.to_string().trim().to_string(),
                        })
                        .collect(),
                );
            }
            sheets.push((name, rows));
        }
        Ok(Book { sheets })
    }

    /// Reads pyxform's Markdown form (`| survey |` then `| | type | name | … |`).
    pub fn from_markdown(text: &str) -> Book {
        let mut sheets: Vec<(String, Vec<Vec<String>>)> = Vec::new();
        for line in text.lines() {
            let l = line.trim();
            if !l.starts_with('|') {
                continue;
            }
            let cells: Vec<String> = l.trim_matches('|').split('|').map(|c| c.trim().to_string()).collect();
            if !cells[0].is_empty() {
                sheets.push((cells[0].clone(), Vec::new()));
            } else if let Some((_, rows)) = sheets.last_mut() {
                rows.push(cells[1..].to_vec());
            }
        }
        Book { sheets }
    }

    fn sheet(&self, name: &str) -> Option<(&str, &Vec<Vec<String>>)> {
        self.sheets.iter().find(|(n, _)| n.trim().eq_ignore_ascii_case(name)).map(|(n, r)| (n.as_str(), r))
    }
}

pub fn col_letter(i: usize) -> String {
    let mut n = i + 1;
    let mut s = Vec::new();
    while n > 0 {
        s.push((b'A' + ((n - 1) % 26) as u8) as char);
        n = (n - 1) / 26;
    }
    s.iter().rev().collect()
}

/// A column header split into its key (lower-cased, synonyms resolved) and language.
fn header_key(h: &str) -> (String, Option<String>) {
    let h = h.trim();
    let (key, lang) = if let Some((k, l)) = h.split_once("::") {
        (k, Some(l.trim().to_string()))
    } else if let Some((k, l)) = h.split_once(':') {
        // Old style `label:English`; `media:image` is not a language.
        (k, Some(l.trim().to_string()))
    } else {
        (h, None)
    };
    let k = key.trim().to_lowercase().replace(' ', "_");
    let k = match k.as_str() {
        "relevance" => "relevant",
        "calculate" => "calculation",
        "requiredmsg" => "required_message",
        "readonly" => "read_only",
        "constraintmsg" => "constraint_message",
        "jr:constraintmsg" => "constraint_message",
        "jr:requiredmsg" => "required_message",
        "jr:count" => "repeat_count",
        other => other,
    }
    .to_string();
    if k == "media" || k == "bind" || k == "body" || k == "instance" {
        // `media::image::中文`: keep the whole header as the key so it is refused by name.
        return (h.to_lowercase(), None);
    }
    (k, lang)
}

const TEXT_COLUMNS: &[&str] = &["label", "hint", "constraint_message", "required_message", "guidance_hint"];
const SURVEY_COLUMNS: &[&str] = &[
    "type", "name", "label", "hint", "required", "required_message", "relevant", "constraint", "constraint_message",
    "calculation", "choice_filter", "appearance", "default", "read_only", "parameters", "repeat_count",
];
const MEDIA_COLUMNS: &[&str] = &["image", "audio", "video", "big-image", "big_image"];

struct Sheet<'a> {
    cols: Vec<(String, Option<String>)>,
    rows: &'a [Vec<String>],
}

impl<'a> Sheet<'a> {
    fn new(name: &'a str, rows: &'a [Vec<String>], errors: &mut Vec<FormError>) -> Sheet<'a> {
        let header = rows.first().cloned().unwrap_or_default();
        let cols: Vec<(String, Option<String>)> = header.iter().map(|h| header_key(h)).collect();
        let mut seen: HashMap<(String, Option<String>), usize> = HashMap::new();
        for (i, c) in cols.iter().enumerate() {
            if c.0.is_empty() {
                continue;
            }
            if let Some(first) = seen.insert(c.clone(), i) {
                errors.push(FormError {
                    sheet: name.into(),
                    row: 1,
                    column: col_letter(i),
                    message: format!(
                        "列 “{}” 与 {} 列 “{}” 重复；同一列只能出现一次，请删除或合并其中一列",
                        header[i], col_letter(first), header[first]
                    ),
                });
            }
        }
        Sheet { cols, rows: if rows.is_empty() { rows } else { &rows[1..] } }
    }
    /// (row number as Excel shows it, cells) for non-blank rows.
    fn data(&self) -> impl Iterator<Item = (u32, &Vec<String>)> {
        self.rows.iter().enumerate().filter(|(_, r)| r.iter().any(|c| !c.is_empty())).map(|(i, r)| (i as u32 + 2, r))
    }
    fn get<'r>(&self, row: &'r [String], key: &str) -> &'r str {
        self.cols.iter().position(|c| c.0 == key && c.1.is_none()).and_then(|i| row.get(i)).map(|s| s.as_str()).unwrap_or("")
    }
    fn col_of(&self, key: &str) -> String {
        self.cols.iter().position(|c| c.0 == key).map(col_letter).unwrap_or_default()
    }
    fn text(&self, row: &[String], key: &str, langs: &mut Vec<String>) -> Text {
        let mut t = Text::new();
        for (i, (k, l)) in self.cols.iter().enumerate() {
            if k == key {
                if let Some(v) = row.get(i).filter(|v| !v.is_empty()) {
                    let lang = l.clone().unwrap_or_default();
                    if key == "label" && !langs.contains(&lang) {
                        langs.push(lang.clone());
                    }
                    t.insert(lang, v.clone());
                }
            }
        }
        t
    }
}

fn yes_no(v: &str) -> Option<bool> {
    match v.trim().trim_start_matches('=').to_lowercase().as_str() {
        "" | "no" | "false" | "false()" | "0" | "否" => Some(false),
        "yes" | "true" | "true()" | "1" | "是" => Some(true),
        _ => None,
    }
}

fn valid_name(n: &str) -> bool {
    let mut c = n.chars();
    matches!(c.next(), Some(f) if f.is_alphabetic() || f == '_') && c.all(|x| x.is_alphanumeric() || matches!(x, '_' | '-' | '.'))
}

const REFUSED_TYPES: &[(&str, &str)] = &[
    ("image", "图片"), ("audio", "录音"), ("video", "视频"), ("file", "文件上传"), ("background-audio", "后台录音"),
    ("geopoint", "地理位置"), ("geotrace", "轨迹"), ("geoshape", "区域"), ("start-geopoint", "起始位置"),
    ("barcode", "条码扫描"), ("osm", "OpenStreetMap 地图"), ("audit", "操作审计"), ("xml-external", "外部 XML"),
    ("csv-external", "外部 CSV"), ("simserial", "SIM 卡号"), ("subscriberid", "用户识别码"), ("phonenumber", "本机号码"),
    ("username", "用户名"), ("email", "邮箱元数据"), ("uri:deviceid", "设备号"),
];

/// Parses the `type` cell: (kind, list, or_other) or a refusal in Chinese.
fn parse_type(raw: &str) -> Result<Kind, String> {
    let t = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    let lower = t.to_lowercase();
    let (base, or_other) = if let Some(b) = lower.strip_suffix(" or_other") {
        (b.to_string(), true)
    } else if let Some(b) = lower.strip_suffix(" or specify other") {
        (b.to_string(), true)
    } else {
        (lower.clone(), false)
    };
    // List names keep their case: take them from the original text.
    let list_of = |prefix_words: usize| t.split(' ').nth(prefix_words).unwrap_or("").to_string();
    for (p, words) in [("select_one_external ", 1), ("select_one_from_file ", 1), ("select_multiple_from_file ", 1)] {
        if base.starts_with(p) {
            let _ = words;
            return Err(format!("不支持题型 “{t}”：选项来自外部文件，请把选项写在 choices 工作表中，改用 select_one / select_multiple"));
        }
    }
    if base.starts_with("begin loop") || base.starts_with("begin_loop") || base == "end loop" || base == "end_loop" {
        return Err(format!("不支持 “{t}”（按选项循环）；请改用 begin_repeat 重复组"));
    }
    let select = |list: String, multiple: bool| -> Result<Kind, String> {
        if list.is_empty() {
            return Err(format!("题型 “{t}” 缺少选项列表名，应写作 select_one 列表名"));
        }
        Ok(if multiple { Kind::SelectMultiple { list, or_other } } else { Kind::SelectOne { list, or_other } })
    };
    if base.starts_with("select_one ") {
        return select(list_of(1), false);
    }
    if base.starts_with("select one from ") {
        return select(list_of(3), false);
    }
    if base.starts_with("select one ") {
        return select(list_of(2), false);
    }
    if base.starts_with("select_multiple ") {
        return select(list_of(1), true);
    }
    if base.starts_with("select all that apply from ") {
        return select(list_of(5), true);
    }
    if base.starts_with("select all that apply ") {
        return select(list_of(4), true);
    }
    if base.starts_with("select multiple ") {
        return select(list_of(2), true);
    }
    if base.starts_with("rank ") {
        return Ok(Kind::Rank { list: list_of(1) });
    }
    if or_other {
        return Err(format!("“or_other” 只能用于 select_one / select_multiple，不能用于 “{t}”"));
    }
    Ok(match base.as_str() {
        "text" | "string" => Kind::Text,
        "integer" | "int" => Kind::Integer,
        "decimal" => Kind::Decimal,
        "range" => Kind::Range { start: 1.0, end: 10.0, step: 1.0 },
        "date" => Kind::Date,
        "time" => Kind::Time,
        "datetime" | "datetime-local" => Kind::DateTime,
        "note" => Kind::Note,
        "acknowledge" | "trigger" => Kind::Acknowledge,
        "calculate" => Kind::Calculate,
        "begin group" | "begin_group" => Kind::Group,
        "begin repeat" | "begin_repeat" => Kind::Repeat,
        // `hidden`: a value the server supplies (a field named `unit_type` receives the
        // respondent's unit type, for `relevant` expressions).
        "start" | "end" | "today" | "deviceid" | "hidden" => Kind::Meta { what: base.clone() },
        "phone number" | "phone_number" => Kind::Text,
        other => {
            if let Some((_, what)) = REFUSED_TYPES.iter().find(|(k, _)| *k == other) {
                return Err(format!("不支持题型 “{t}”（{what}）：网页问卷不采集此类数据，请删除该行或改用文字题"));
            }
            return Err(format!("不认识的题型 “{t}”；可用的题型：select_one、select_multiple、rank、text、integer、decimal、range、date、time、datetime、note、acknowledge、calculate、begin_group、begin_repeat、start、end、today、deviceid、hidden"));
        }
    })
}

const KNOWN_SETTINGS: &[&str] = &["form_title", "form_id", "version", "default_language", "style", "allow_choice_duplicates", "clean_text_values", "omit_instanceid", "instance_name", "id_string"];

/// Reads a form from a workbook.
pub fn read(book: &Book) -> Result<Loaded, FormErrors> {
    let mut errors: Vec<FormError> = Vec::new();
    let mut warnings: Vec<String> = Vec::new();
    let err = |sheet: &str, row: u32, column: String, message: String| FormError { sheet: sheet.into(), row, column, message };
    let Some((sname, srows)) = book.sheet("survey") else {
        let names: Vec<&str> = book.sheets.iter().map(|(n, _)| n.as_str()).collect();
        return Err(FormErrors(vec![err("", 0, String::new(), format!(
            "找不到 survey 工作表（文件中的工作表：{}）；XLSForm 问卷需要名为 survey 的工作表，另有 choices（选项）和 settings（设置）",
            names.join("、")
        ))]));
    };
    for (n, rows) in &book.sheets {
        let l = n.trim().to_lowercase();
        let used = rows.iter().skip(1).any(|r| r.iter().any(|c| !c.is_empty()));
        match l.as_str() {
            "survey" | "choices" | "settings" => {}
            "external_choices" | "entities" if used => {
                errors.push(err(n, 0, String::new(), format!("不支持 {n} 工作表（{}）；请删除该工作表", if l == "entities" { "实体数据集" } else { "外部选项" })))
            }
            _ if used => warnings.push(format!("工作表 “{n}” 不属于 XLSForm，已忽略其内容")),
            _ => {}
        }
    }

    // settings
    let mut settings: BTreeMap<String, String> = BTreeMap::new();
    if let Some((n, rows)) = book.sheet("settings") {
        let sh = Sheet::new(n, rows, &mut errors);
        let first = sh.data().next();
        if let Some((_, row)) = first {
            for (i, (k, _)) in sh.cols.iter().enumerate() {
                let v = row.get(i).cloned().unwrap_or_default();
                if k.is_empty() || v.is_empty() {
                    continue;
                }
                match k.as_str() {
                    "public_key" | "submission_url" => errors.push(err(n, 2, col_letter(i), format!("不支持设置 {k}（加密提交或外部提交地址）；dangjian 的问卷只提交到本系统，请删除该列"))),
                    "add_none_option" if yes_no(&v) == Some(true) => errors.push(err(n, 2, col_letter(i), "不支持 add_none_option；请在选项列表中直接加入“以上都不是”".into())),
                    "add_none_option" => {}
                    k if KNOWN_SETTINGS.contains(&k) => {
                        settings.insert(k.to_string(), v);
                    }
                    k => warnings.push(format!("settings 工作表的 {k} 设置在本系统中不起作用，已忽略")),
                }
            }
        }
    }
    if settings.contains_key("instance_name") {
        warnings.push("settings 的 instance_name 在本系统中不起作用（回复按编号列出）".into());
    }
    let allow_dupes = settings.get("allow_choice_duplicates").and_then(|v| yes_no(v)).unwrap_or(false);

    // choices
    let mut langs: Vec<String> = Vec::new();
    let mut lists: BTreeMap<String, Vec<Choice>> = BTreeMap::new();
    if let Some((n, rows)) = book.sheet("choices") {
        let sh = Sheet::new(n, rows, &mut errors);
        for (i, (k, _)) in sh.cols.iter().enumerate() {
            if MEDIA_COLUMNS.contains(&k.as_str()) || k.starts_with("media") {
                if sh.data().any(|(_, r)| r.get(i).is_some_and(|v| !v.is_empty())) {
                    errors.push(err(n, 1, col_letter(i), format!("不支持选项图片/媒体列 “{k}”；请删除该列的内容")));
                }
            }
        }
        let mut seen: HashMap<(String, String), u32> = HashMap::new();
        for (rn, row) in sh.data() {
            let list = sh.get(row, "list_name").to_string();
            let name = sh.get(row, "name").to_string();
            if list.is_empty() {
                errors.push(err(n, rn, sh.col_of("list_name"), "没有填写 list_name（选项列表名）".into()));
                continue;
            }
            if name.is_empty() {
                errors.push(err(n, rn, sh.col_of("name"), format!("列表 {list} 的选项没有填写 name（选项代码）")));
                continue;
            }
            if name.contains(char::is_whitespace) {
                errors.push(err(n, rn, sh.col_of("name"), format!("选项代码 “{name}” 含有空格；多选题的答案以空格分隔，选项代码不能含空格")));
            }
            if let Some(first) = seen.insert((list.clone(), name.clone()), rn) {
                if !allow_dupes {
                    errors.push(err(n, rn, sh.col_of("name"), format!("列表 {list} 中选项代码 “{name}” 与第 {first} 行重复；请改用不同的代码，或在 settings 中设置 allow_choice_duplicates = yes")));
                }
            }
            let label = sh.text(row, "label", &mut langs);
            let mut extra = BTreeMap::new();
            for (i, (k, l)) in sh.cols.iter().enumerate() {
                if !k.is_empty() && !matches!(k.as_str(), "list_name" | "name" | "label") && l.is_none() && !MEDIA_COLUMNS.contains(&k.as_str()) {
                    if let Some(v) = row.get(i).filter(|v| !v.is_empty()) {
                        extra.insert(k.clone(), v.clone());
                    }
                }
            }
            lists.entry(list).or_default().push(Choice { name, label, extra });
        }
    }

    // survey
    let sh = Sheet::new(sname, srows, &mut errors);
    if !sh.cols.iter().any(|c| c.0 == "type") {
        errors.push(err(sname, 1, String::new(), "第一行没有 type 列；survey 工作表的第一行应为列名：type、name、label …".into()));
        return Err(FormErrors(errors));
    }
    for (i, (k, l)) in sh.cols.iter().enumerate() {
        if k.is_empty() {
            continue;
        }
        let media = MEDIA_COLUMNS.contains(&k.as_str()) || k.starts_with("media");
        let known = SURVEY_COLUMNS.contains(&k.as_str()) && (l.is_none() || TEXT_COLUMNS.contains(&k.as_str()));
        if !known {
            let used_rows: Vec<u32> = sh.data().filter(|(_, r)| r.get(i).is_some_and(|v| !v.is_empty())).map(|(n, _)| n).take(3).collect();
            if !used_rows.is_empty() {
                let what = if media { "媒体（图片/音频/视频）" } else { "本系统不支持的" };
                errors.push(err(sname, used_rows[0], col_letter(i), format!("列 “{k}” 是{what}列，不能使用（用于第 {} 行）；请删除该列的内容", used_rows.iter().map(|r| r.to_string()).collect::<Vec<_>>().join("、"))));
            }
        }
    }

    /// Groups and repeats nest at most this deep (deeper forms only cost pages their time).
    const MAX_DEPTH: usize = 10;
    let mut stack: Vec<Item> = vec![Item::new(Kind::Group, "", 0)];
    let mut names: HashMap<String, u32> = HashMap::new();
    let mut refs: Vec<(u32, String, String, Vec<String>)> = Vec::new();
    for (rn, row) in sh.data() {
        let typ = sh.get(row, "type");
        let name = sh.get(row, "name");
        let tcol = sh.col_of("type");
        if typ.is_empty() {
            errors.push(err(sname, rn, tcol, "这一行有内容但没有填写 type（题型）".into()));
            continue;
        }
        let lower = typ.to_lowercase().replace('_', " ");
        if lower.trim() == "end group" || lower.trim() == "end repeat" {
            let want_repeat = lower.contains("repeat");
            if stack.len() == 1 {
                errors.push(err(sname, rn, tcol, format!("“{typ}” 前面没有对应的 begin")));
                continue;
            }
            let done = stack.pop().unwrap();
            if (done.kind == Kind::Repeat) != want_repeat {
                errors.push(err(sname, rn, tcol, format!("“{typ}” 与第 {} 行的 {} 不配对", done.row, done.kind.xlsform_type())));
            }
            stack.last_mut().unwrap().children.push(done);
            continue;
        }
        let mut kind = match parse_type(typ) {
            Ok(k) => k,
            Err(m) => {
                errors.push(err(sname, rn, tcol, m));
                continue;
            }
        };
        if name.is_empty() {
            errors.push(err(sname, rn, sh.col_of("name"), format!("{typ} 没有填写 name（题目代码，用于数据列名和表达式引用）")));
            continue;
        }
        if !valid_name(name) {
            errors.push(err(sname, rn, sh.col_of("name"), format!("题目代码 “{name}” 不合规：须以字母或下划线开头，只含字母、数字、下划线、连字符和点")));
        }
        if let Some(first) = names.insert(name.to_string(), rn) {
            errors.push(err(sname, rn, sh.col_of("name"), format!("题目代码 “{name}” 与第 {first} 行重复")));
        }
        let mut it = Item::new(kind.clone(), name, rn);
        it.label = sh.text(row, "label", &mut langs);
        it.hint = sh.text(row, "hint", &mut langs);
        it.constraint_message = sh.text(row, "constraint_message", &mut langs);
        it.required_message = sh.text(row, "required_message", &mut langs);
        it.appearance = sh.get(row, "appearance").to_string();
        it.default = Some(sh.get(row, "default").to_string()).filter(|d| !d.is_empty());
        match yes_no(sh.get(row, "required")) {
            Some(b) => it.required = b,
            None => errors.push(err(sname, rn, sh.col_of("required"), format!("required 应填 yes 或 no，不能是 “{}”（本系统不支持以表达式决定是否必答；请改用 relevant）", sh.get(row, "required")))),
        }
        match yes_no(sh.get(row, "read_only")) {
            Some(b) => it.read_only = b,
            None => errors.push(err(sname, rn, sh.col_of("read_only"), "read_only 应填 yes 或 no".into())),
        }
        for (col, slot) in [("relevant", 0), ("constraint", 1), ("calculation", 2), ("choice_filter", 3), ("repeat_count", 4)] {
            let src = sh.get(row, col).trim();
            if src.is_empty() {
                continue;
            }
            let src = src.strip_prefix('=').unwrap_or(src);
            match Expr::parse(src).and_then(|e| check_patterns(&e).map(|_| e)) {
                Ok(e) if col != "choice_filter" && !e.bare_names().is_empty() => {
                    let b = e.bare_names();
                    errors.push(err(sname, rn, sh.col_of(col), format!("{col} 表达式 “{src}” 有误：“{}” 不是题目引用；引用题目请写作 ${{{}}}，文字请加引号 '{}'", b[0], b[0], b[0])))
                }
                Ok(e) => {
                    refs.push((rn, sh.col_of(col), col.to_string(), e.fields()));
                    let e = Some(e);
                    match slot {
                        0 => it.relevant = e,
                        1 => it.constraint = e,
                        2 => it.calculation = e,
                        3 => it.choice_filter = e,
                        _ => it.repeat_count = e,
                    }
                }
                Err(m) => errors.push(err(sname, rn, sh.col_of(col), format!("{col} 表达式 “{src}” 有误：{m}"))),
            }
        }
        let params = sh.get(row, "parameters");
        for p in params.split(|c: char| c.is_whitespace() || c == ';' || c == ',').filter(|p| !p.is_empty()) {
            match p.split_once('=') {
                Some((k, v)) => {
                    it.parameters.insert(k.trim().to_lowercase(), v.trim().to_string());
                }
                None => errors.push(err(sname, rn, sh.col_of("parameters"), format!("parameters 中的 “{p}” 应写作 名称=值"))),
            }
        }
        if let Kind::Range { .. } = kind {
            let num = |k: &str, d: f64| it.parameters.get(k).map(|v| v.parse::<f64>().map_err(|_| format!("range 的参数 {k}={v} 不是数字"))).unwrap_or(Ok(d));
            match (num("start", 1.0), num("end", 10.0), num("step", 1.0)) {
                (Ok(start), Ok(end), Ok(step)) if step > 0.0 && end > start => kind = Kind::Range { start, end, step },
                (Err(m), _, _) | (_, Err(m), _) | (_, _, Err(m)) => errors.push(err(sname, rn, sh.col_of("parameters"), m)),
                _ => errors.push(err(sname, rn, sh.col_of("parameters"), "range 需要 start < end 且 step > 0".into())),
            }
            it.kind = kind.clone();
        }
        if typ.to_lowercase().starts_with("phone") && it.constraint.is_none() {
            it.constraint = Expr::parse("regex(., '^[0-9+ -]*$')").ok();
            it.appearance = if it.appearance.is_empty() { "numbers".into() } else { it.appearance };
        }
        if kind == Kind::Calculate && it.calculation.is_none() {
            errors.push(err(sname, rn, sh.col_of("calculation"), format!("calculate 题 {name} 没有填写 calculation")));
        }
        if let Some(list) = kind.list() {
            if !lists.contains_key(list) {
                errors.push(err(sname, rn, tcol.clone(), format!("选项列表 “{list}” 在 choices 工作表中不存在")));
            }
            // A choice_filter compares columns of the list's choices: one that names none
            // of them (a misspelt column) lets no choice pass, and the question could never
            // be answered. (Other bare words, as pyxform's `pastel=yes`, are left alone.)
            if let (Some(choices), Some(cf)) = (lists.get(list), &it.choice_filter) {
                let words = cf.bare_names();
                let is_col = |w: &String| matches!(w.as_str(), "name" | "label") || choices.iter().any(|c| c.extra.contains_key(w));
                if !words.is_empty() && !words.iter().any(is_col) {
                    errors.push(err(sname, rn, sh.col_of("choice_filter"), format!("choice_filter 中的 “{}” 不是选项列表 {list} 的列：choices 工作表中没有这一列（或这一列在该列表中全是空的），这样没有任何选项能显示", words.join("”“"))));
                }
            }
        }
        if matches!(kind, Kind::Group | Kind::Repeat) {
            // stack[0] is the form itself: its length is the depth the new group starts at.
            if stack.len() > MAX_DEPTH {
                errors.push(err(sname, rn, tcol, format!("分组和重复组最多嵌套 {MAX_DEPTH} 层，{} {name} 是第 {} 层；请减少嵌套", kind.xlsform_type(), stack.len())));
            }
            stack.push(it);
        } else {
            stack.last_mut().unwrap().children.push(it);
        }
    }
    while stack.len() > 1 {
        let open = stack.pop().unwrap();
        errors.push(err(sname, open.row, sh.col_of("type"), format!("{} {} 没有对应的 end_{}", open.kind.xlsform_type(), open.name, if open.kind == Kind::Repeat { "repeat" } else { "group" })));
        stack.last_mut().unwrap().children.push(open);
    }
    for (rn, col, what, fields) in refs {
        for f in fields {
            if !names.contains_key(&f) {
                errors.push(err(sname, rn, col.clone(), format!("{what} 引用了不存在的题目 ${{{f}}}")));
            }
        }
    }
    let items = stack.pop().unwrap().children;
    if items.is_empty() && errors.is_empty() {
        errors.push(err(sname, 0, String::new(), "survey 工作表中没有题目".into()));
    }
    if !errors.is_empty() {
        errors.sort_by(|a, b| (a.sheet != sname, a.row).cmp(&(b.sheet != sname, b.row)));
        return Err(FormErrors(errors));
    }
    let used: HashSet<String> = names.keys().cloned().collect();
    let _ = used;
    let form_id = settings.get("form_id").or(settings.get("id_string")).cloned().unwrap_or_else(|| "questionnaire".into());
    let form = Questionnaire {
        title: settings.get("form_title").cloned().unwrap_or_else(|| form_id.clone()),
        form_id,
        version: settings.get("version").cloned().unwrap_or_default(),
        default_language: settings.get("default_language").cloned(),
        languages: langs,
        style: settings.get("style").cloned(),
        items,
        lists,
    };
    Ok(Loaded { form, warnings })
}

/// Reads a form from .xlsx/.xls bytes or, when the bytes are text starting with `|`, from
/// pyxform's Markdown.
pub fn read_bytes(bytes: &[u8]) -> Result<Loaded, FormErrors> {
    let text_md = std::str::from_utf8(bytes).ok().filter(|t| t.trim_start().starts_with('|'));
    match text_md {
        Some(t) => read(&Book::from_markdown(t)),
        None => read(&Book::from_bytes(bytes)?),
    }
}

/// Writes the form as an XLSForm workbook (survey, choices, settings) that Excel, WPS
/// and pyxform open.
pub fn write(form: &Questionnaire) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let langs: Vec<String> = if form.languages.is_empty() { vec![String::new()] } else { form.languages.clone() };
    let lang_col = |base: &str, l: &str| if l.is_empty() { base.to_string() } else { format!("{base}::{l}") };
    let mut heads: Vec<String> = vec!["type".into(), "name".into()];
    for l in &langs {
        heads.push(lang_col("label", l));
    }
    for l in &langs {
        heads.push(lang_col("hint", l));
    }
    heads.extend(["required".into(), "relevant".into(), "constraint".into()]);
    for l in &langs {
        heads.push(lang_col("constraint_message", l));
    }
    for l in &langs {
        heads.push(lang_col("required_message", l));
    }
    heads.extend(["calculation", "choice_filter", "appearance", "default", "read_only", "parameters", "repeat_count"].map(String::from));
    let ws = wb.add_worksheet().set_name("survey")?;
    for (c, h) in heads.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, h, &bold)?;
    }
    let mut r = 1u32;
    fn rows(items: &[Item], out: &mut Vec<(Item, bool)>) {
        for it in items {
            out.push((it.clone(), false));
            if matches!(it.kind, Kind::Group | Kind::Repeat) {
                rows(&it.children, out);
                out.push((it.clone(), true));
            }
        }
    }
    let mut flat = Vec::new();
    rows(&form.items, &mut flat);
    for (it, end) in flat {
        let mut cells: BTreeMap<String, String> = BTreeMap::new();
        if end {
            cells.insert("type".into(), if it.kind == Kind::Repeat { "end_repeat" } else { "end_group" }.into());
        } else {
            cells.insert("type".into(), it.kind.xlsform_type());
            cells.insert("name".into(), it.name.clone());
            for (base, t) in [("label", &it.label), ("hint", &it.hint), ("constraint_message", &it.constraint_message), ("required_message", &it.required_message)] {
                for (l, v) in t {
                    cells.insert(lang_col(base, l), v.clone());
                }
            }
            if it.required {
                cells.insert("required".into(), "yes".into());
            }
            if it.read_only {
                cells.insert("read_only".into(), "yes".into());
            }
            for (k, e) in [("relevant", &it.relevant), ("constraint", &it.constraint), ("calculation", &it.calculation), ("choice_filter", &it.choice_filter), ("repeat_count", &it.repeat_count)] {
                if let Some(e) = e {
                    cells.insert(k.into(), e.source.clone());
                }
            }
            cells.insert("appearance".into(), it.appearance.clone());
            if let Some(d) = &it.default {
                cells.insert("default".into(), d.clone());
            }
            let mut params: Vec<String> = it.parameters.iter().map(|(k, v)| format!("{k}={v}")).collect();
            if let Kind::Range { start, end, step } = it.kind {
                params = vec![format!("start={start}"), format!("end={end}"), format!("step={step}")];
            }
            cells.insert("parameters".into(), params.join(" "));
        }
        for (c, h) in heads.iter().enumerate() {
            if let Some(v) = cells.get(h).filter(|v| !v.is_empty()) {
                ws.write_string(r, c as u16, v)?;
            }
        }
        r += 1;
    }
    ws.set_column_width(0, 28)?;
    ws.set_column_width(2, 48)?;

    let extras: Vec<String> = form.lists.values().flatten().flat_map(|c| c.extra.keys().cloned()).collect::<std::collections::BTreeSet<_>>().into_iter().collect();
    let cs = wb.add_worksheet().set_name("choices")?;
    let mut ch: Vec<String> = vec!["list_name".into(), "name".into()];
    ch.extend(langs.iter().map(|l| lang_col("label", l)));
    ch.extend(extras.iter().cloned());
    for (c, h) in ch.iter().enumerate() {
        cs.write_string_with_format(0, c as u16, h, &bold)?;
    }
    let mut r = 1u32;
    for (list, choices) in &form.lists {
        for c in choices {
            cs.write_string(r, 0, list)?;
            cs.write_string(r, 1, &c.name)?;
            for (i, l) in langs.iter().enumerate() {
                if let Some(v) = c.label.get(l) {
                    cs.write_string(r, 2 + i as u16, v)?;
                }
            }
            for (i, k) in extras.iter().enumerate() {
                if let Some(v) = c.extra.get(k) {
                    cs.write_string(r, (2 + langs.len() + i) as u16, v)?;
                }
            }
            r += 1;
        }
    }
    cs.set_column_width(2, 36)?;
    let st = wb.add_worksheet().set_name("settings")?;
    let mut settings = vec![("form_title", form.title.clone()), ("form_id", form.form_id.clone()), ("version", form.version.clone())];
    if let Some(l) = &form.default_language {
        settings.push(("default_language", l.clone()));
    }
    if let Some(s) = &form.style {
        settings.push(("style", s.clone()));
    }
    if form.lists.values().any(|cs| {
        let mut seen = HashSet::new();
        cs.iter().any(|c| !seen.insert(&c.name))
    }) {
        settings.push(("allow_choice_duplicates", "yes".into()));
    }
    for (c, (k, v)) in settings.iter().enumerate() {
        st.write_string_with_format(0, c as u16, *k, &bold)?;
        st.write_string(1, c as u16, v)?;
    }
    wb.save_to_buffer()
}
