//! Importing a file of one kind: find the header under any title rows, read every row
//! into the domain's checked records, and write them in one transaction. Any refused
//! row means nothing is written; every refusal names its row, column, value, reason and
//! fix. A preview (`dry_run`) does the same work and rolls back.

use crate::cells;
use crate::columns::{map_header, merge_rows, require, HeaderMap, Kind};
use crate::read::{self, SheetRow, Value};
use crate::SheetError;
use domain::member::{MemberStatus, NewMember, NewMemberInput};
use domain::org::{NewOrg, OrgLevel, Sector};
use domain::{CitizenId, Date, Labelled};
use serde::Serialize;
use std::collections::HashMap;
use std::path::Path;
use store::{Import, ImportCounts, OrgDirectory, Scope, Store};

/// Rows looked at for the header before giving up.
const HEADER_SEARCH_ROWS: usize = 30;
/// Files up to this size are scanned for hidden rows and columns (the web's upload limit).
const HIDDEN_SCAN_BYTES: u64 = 20 << 20;
/// Rows written per batch.
const BATCH: usize = 1000;
/// Errors kept in full (the rest are counted): enough for any report a person reads.
const MAX_ERRORS: usize = 10_000;

/// One refused cell or row.
#[derive(Debug, Clone, Serialize)]
pub struct RowError {
    /// Row number as Excel shows it.
    pub row: u32,
    /// Column letter (A, B, …) when the column is in the file.
    pub letter: Option<String>,
    /// The column header as written in the file.
    pub column: String,
    pub value: String,
    pub reason: String,
    pub fix: String,
}

/// A value an import changes, as the user reads it.
#[derive(Debug, Clone, Serialize)]
pub struct ShownChange {
    pub row: u32,
    pub who: String,
    pub column: String,
    pub old: String,
    pub new: String,
}

/// A stored change in the words of the import's columns and labels.
fn shown(kind: Kind, orgs: &OrgDirectory, c: store::Change) -> ShownChange {
    fn label<T: Labelled>(v: &str) -> String {
        T::parse(v).map(|x| x.label().to_string()).unwrap_or_else(|| v.to_string())
    }
    let value = |v: &str| -> String {
        if v.is_empty() {
            return "（空）".into();
        }
        match c.field {
            "org_id" | "group_id" => v.parse().ok().and_then(|id| orgs.by_id(id)).map(|o| o.name.clone()).unwrap_or_else(|| v.to_string()),
            "sex" => label::<domain::member::Sex>(v),
            "education" => label::<domain::member::Education>(v),
            "occupation" => label::<domain::member::Occupation>(v),
            "status" => label::<MemberStatus>(v),
            "sector" => label::<Sector>(v),
            "is_mobile" => if v == "1" { "是" } else { "否" }.into(),
            "archive_materials" => v.split(',').map(label::<domain::member::ArchiveMaterial>).collect::<Vec<_>>().join("、"),
            _ => v.to_string(),
        }
    };
    let key = match c.field {
        "org_id" => "org",
        "group_id" => "group",
        f => f,
    };
    let column = kind.columns().iter().find(|x| x.key == key).map(|x| x.label.to_string()).unwrap_or_else(|| c.field.to_string());
    ShownChange { row: c.row, who: c.who.clone(), column, old: value(&c.old), new: value(&c.new) }
}

/// What an import found and did.
#[derive(Debug, Clone, Serialize)]
pub struct ImportReport {
    pub kind: &'static str,
    pub file: String,
    pub sheet: String,
    pub header_row: u32,
    pub headers: Vec<String>,
    /// The header's non-empty cells with their cell index (the error report writes the
    /// refused rows' cells under them).
    #[serde(skip)]
    pub header_cells: Vec<(usize, String)>,
    /// Data rows read (blank rows not counted).
    pub rows: u64,
    pub counts: ImportCounts,
    pub errors: Vec<RowError>,
    /// Errors beyond those listed.
    pub errors_not_listed: u64,
    /// Headers in the file whose columns were not imported.
    pub unused_columns: Vec<String>,
    /// Columns of the kind the file does not have (held as 未登记, or left as stored).
    pub missing_columns: Vec<String>,
    /// Per field, how many accepted rows leave it 未登记 or give only a month.
    pub gaps: Vec<(String, u64)>,
    /// Rows and columns hidden in Excel (imported like the others; the preview says so).
    pub hidden_rows: Vec<u32>,
    pub hidden_columns: Vec<String>,
    /// The first stored values the import changes, for the preview.
    pub changes: Vec<ShownChange>,
    /// True when the rows were written (no errors and not a preview).
    pub committed: bool,
    pub dry_run: bool,
    /// The rows with errors as read (for the highlighted error report), row number first.
    #[serde(skip)]
    pub bad_rows: Vec<SheetRow>,
}

impl ImportReport {
    pub fn error_count(&self) -> u64 {
        self.errors.len() as u64 + self.errors_not_listed
    }
}

/// Imports `path` as `kind` into `scope`. File-level problems (not a spreadsheet, no
/// header, missing columns) are errors; row problems are in the report, and then
/// nothing was written.
/// `user` is who imports (none for the command line) and `name` the file's name as the
/// user knows it (an upload is stored under another), for the report and the exchange log.
#[allow(clippy::too_many_arguments)]
pub async fn import_file(
    store: &Store,
    scope: &Scope,
    path: &Path,
    kind: Kind,
    (today, rules): (Date, &domain::rules::Rules),
    dry_run: bool,
    (user, name, sheet, max_rows): (Option<i64>, Option<&str>, Option<&str>, Option<u64>),
    mut progress: impl FnMut(u64),
) -> Result<ImportReport, SheetError> {
    let file = name.map(str::to_string).unwrap_or_else(|| path.file_name().map(|f| f.to_string_lossy().to_string()).unwrap_or_default());
    let (mut rows, header) = open_sheet(path, kind, &file, sheet)?;
    // Hidden rows and columns are data too; the user is told which, for files of a size
    // a person keeps by hand (the scan reads the sheet's XML once more).
    let hidden = match rows.format {
        read::Format::Xlsx => read::hidden_in_xlsx(path, &rows.sheet, HIDDEN_SCAN_BYTES),
        _ => None,
    };
    let mut run = Run {
        report: ImportReport {
            kind: kind.code(),
            file: file.clone(),
            sheet: rows.sheet.clone(),
            header_row: header.row,
            headers: header.written.iter().filter(|h| !h.is_empty()).cloned().collect(),
            header_cells: header.written.iter().enumerate().filter(|(_, h)| !h.is_empty()).map(|(i, h)| (i, h.clone())).collect(),
            rows: 0,
            counts: ImportCounts::default(),
            errors: Vec::new(),
            errors_not_listed: 0,
            unused_columns: header.unused.clone(),
            missing_columns: header.missing_optional().into_iter().map(String::from).collect(),
            gaps: Vec::new(),
            hidden_rows: Vec::new(),
            hidden_columns: Vec::new(),
            changes: Vec::new(),
            committed: false,
            dry_run,
            bad_rows: Vec::new(),
        },
        h: header,
        imp: store.begin_import(scope).await?,
        seen: HashMap::new(),
        today,
        rules: rules.clone(),
        rosters: HashMap::new(),
        seen_ids: HashMap::new(),
        inflight: None,
    };
    let mut pending: Vec<SheetRow> = Vec::with_capacity(BATCH);
    let mut org_rows: Vec<SheetRow> = Vec::new();
    while let Some(row) = rows.next_row()? {
        if run.h.is_blank_data(&row) || crate::columns::is_footer(&row) {
            continue;
        }
        run.report.rows += 1;
        if max_rows.is_some_and(|m| run.report.rows > m) {
            // Stopped early: a file far larger than any roster would cost minutes of the
            // server's CPU. Nothing is written (the import's transaction is dropped).
            let m = max_rows.unwrap_or_default();
            return Err(SheetError::File {
                file,
                reason: format!("文件超过{m}行数据，网页导入每次最多{m}行；请分成几个文件导入，或由管理员在服务器上用命令 dangjian import 导入"),
            });
        }
        if let Some(i) = row.cells.iter().position(|v| matches!(v, Value::Text(t) if t.contains('\u{FFFD}'))) {
            // Bytes that are not text in the file's encoding: refuse the row, never store "�".
            let e = RowError {
                row: row.number,
                letter: Some(crate::columns::column_letter(i)),
                column: run.h.written.get(i).cloned().unwrap_or_default(),
                value: row.cells[i].display(),
                reason: "含有无法识别的字符（文件中这几个字节不是有效的文字编码，“�”处为损坏的字）".into(),
                fix: "在Excel或WPS中改正这个单元格，另存为“CSV UTF-8”或.xlsx后重新导入".into(),
            };
            push_errors(&mut run.report, &row, vec![e]);
            continue;
        }
        if kind == Kind::Orgs {
            // Organisations are few; they are sorted so that parents come first.
            org_rows.push(row);
            continue;
        }
        pending.push(row);
        if pending.len() >= BATCH {
            run.batch(kind, std::mem::take(&mut pending)).await?;
            progress(run.report.rows);
        }
    }
    if kind == Kind::Orgs {
        run.orgs(org_rows).await?;
    } else {
        run.batch(kind, pending).await?;
    }
    run.flush_members().await?;
    progress(run.report.rows);
    if run.report.rows == 0 {
        return Err(SheetError::File { file, reason: format!("第{}行表头以下没有数据行；请在表头下方逐行填写后再导入", run.report.header_row) });
    }
    if let Some((r, c)) = hidden {
        run.report.hidden_rows = r.into_iter().filter(|n| *n > run.report.header_row).collect();
        run.report.hidden_columns = c;
    }
    let commit = !dry_run && run.report.error_count() == 0;
    let orgs = run.imp.orgs.clone();
    let log = store::ExchangeLog { direction: "import", kind: kind.code(), org_id: None, user_id: user, file_name: file, rows: run.report.rows, purpose: None };
    let (counts, changes) = run.imp.finish(commit, &log).await?;
    run.report.counts = counts;
    run.report.changes = changes.into_iter().map(|c| shown(kind, &orgs, c)).collect();
    run.report.committed = commit;
    Ok(run.report)
}

/// Sheets that may hold data: not the instructions (填写说明) or hidden lists of a template.
fn candidate_sheets(names: &[String]) -> Vec<usize> {
    let c: Vec<usize> = (0..names.len()).filter(|&i| !names[i].contains("说明") && !names[i].starts_with('_')).collect();
    if c.is_empty() { vec![0] } else { c }
}

/// Opens the sheet to import and finds its header: the sheet named, or else the one sheet
/// of the workbook with a header of this kind. When several have one, the user is asked
/// which (a workbook with one sheet per branch is common).
fn open_sheet(path: &Path, kind: Kind, file: &str, sheet: Option<&str>) -> Result<(read::Rows, HeaderMap), SheetError> {
    let wanted = sheet.map(str::to_string);
    let mut rows = read::open(path, move |names| match &wanted {
        Some(w) => names.iter().position(|n| n == w).unwrap_or(0),
        None => candidate_sheets(names)[0],
    })?;
    if let Some(w) = sheet.filter(|_| rows.format != read::Format::Csv) {
        if rows.sheet != w {
            return Err(SheetError::File { file: file.to_string(), reason: format!("工作簿中没有名为“{w}”的工作表；工作表有：{}", rows.sheets.join("、")) });
        }
        let h = find_header(&mut rows, kind, file)?;
        return Ok((rows, h));
    }
    let first = find_header(&mut rows, kind, file);
    let others: Vec<usize> = candidate_sheets(&rows.sheets).into_iter().filter(|&i| rows.sheets[i] != rows.sheet).collect();
    if others.is_empty() {
        return first.map(|h| (rows, h));
    }
    let mut found: Vec<(read::Rows, HeaderMap)> = Vec::new();
    let first_err = match first {
        Ok(h) => {
            found.push((rows, h));
            None
        }
        Err(e) => Some(e),
    };
    for i in others {
        let mut r = read::open(path, move |_| i)?;
        if let Ok(h) = find_header(&mut r, kind, file) {
            found.push((r, h));
        }
    }
    match found.len() {
        0 => Err(first_err.expect("the first sheet failed")),
        1 => Ok(found.pop().expect("one")),
        _ => Err(SheetError::File {
            file: file.to_string(),
            reason: format!(
                "工作簿中有{}张工作表都像{}：{}。请选择要导入的一张（网页上在“工作表”中选择，命令行加 --sheet 工作表名），其余的分别导入",
                found.len(),
                kind.label(),
                found.iter().map(|(r, _)| format!("“{}”", r.sheet)).collect::<Vec<_>>().join("、")
            ),
        }),
    }
}

/// Finds the header under any title rows (合并的标题、“填报单位：…（盖章）”、“填报日期：…”).
/// A header may take two rows: group titles merged above the columns' own names.
fn find_header(rows: &mut read::Rows, kind: Kind, file: &str) -> Result<HeaderMap, SheetError> {
    let mut seen = 0;
    let mut first = Vec::new();
    let mut prev: Option<SheetRow> = None;
    let mut title_org = None;
    let fail = |reason: String| SheetError::File { file: file.to_string(), reason };
    while let Some(row) = rows.next_row()? {
        if row.is_blank() {
            continue;
        }
        match map_header(kind, &row).map_err(fail)? {
            Some(mut h) => {
                let mut at = row.clone();
                if let Some(p) = &prev {
                    let merged = merge_rows(p, &row);
                    if let Ok(Some(m)) = map_header(kind, &merged) {
                        if m.hits() > h.hits() {
                            h = m;
                            at = merged;
                        }
                    }
                }
                if let Some(next) = rows.next_row()? {
                    let merged = merge_rows(&at, &next);
                    match map_header(kind, &merged) {
                        Ok(Some(m)) if m.hits() > h.hits() => {
                            h = m;
                            at = merged;
                        }
                        _ => rows.unread(next),
                    }
                }
                if !h.has("org") && !h.has("org_code") {
                    h.title_org = title_org;
                }
                require(&h, &at).map_err(fail)?;
                return Ok(h);
            }
            None => {}
        }
        title_org = title_org.or_else(|| crate::columns::title_org(&row));
        if first.len() < 3 {
            first.push(format!("第{}行：{}", row.number, row.cells.iter().map(Value::display).filter(|s| !s.is_empty()).collect::<Vec<_>>().join("、")));
        }
        prev = Some(row);
        seen += 1;
        if seen >= HEADER_SEARCH_ROWS {
            break;
        }
    }
    let expected: Vec<&str> = kind.columns().iter().filter(|c| c.required).map(|c| c.label).collect();
    Err(SheetError::File {
        file: file.to_string(),
        reason: if first.is_empty() {
            "文件中没有任何内容（空表）；请在工作表中填写表头和数据后再导入".to_string()
        } else {
            format!(
                "没有找到{}的表头：前{}行中没有一行包含“{}”等列名（读到的是：{}）。请确认选择的导入类别正确、要导入的工作表有表头，或下载导入模板对照填写",
                kind.label(),
                HEADER_SEARCH_ROWS,
                expected.join("”“"),
                first.join("；")
            )
        },
    })
}

struct Run {
    report: ImportReport,
    h: HeaderMap,
    imp: Import,
    /// Keys already seen in this file (citizen IDs, organisation codes …) → first row.
    seen: HashMap<String, u32>,
    today: Date,
    rules: domain::rules::Rules,
    /// Attendance rosters of the organisations met so far (meetings come in runs per organisation).
    rosters: HashMap<i64, store::Roster>,
    /// Citizen IDs of the roster so far → first row.
    seen_ids: HashMap<u64, u32>,
    /// Checked members waiting to be written with the next batch.
    inflight: Option<(Vec<(u32, NewMember)>, Vec<SheetRow>)>,
}

/// Errors of one row, collected while it is read.
struct RowErrors<'a> {
    h: &'a HeaderMap,
    row: &'a SheetRow,
    list: Vec<RowError>,
}

impl<'a> RowErrors<'a> {
    fn new(h: &'a HeaderMap, row: &'a SheetRow) -> Self {
        RowErrors { h, row, list: Vec::new() }
    }
    fn add(&mut self, key: &str, reason: impl Into<String>) {
        let col = self.h.kind.columns().iter().find(|c| c.key == key);
        let value = self.h.cell(self.row, key).display();
        let value = if key == "citizen_id" { mask(&value) } else { value };
        let fix = match col {
            Some(c) if !c.hint.is_empty() => format!("{}：{}", c.label, c.hint),
            Some(c) => format!("请核对“{}”", c.label),
            None => String::new(),
        };
        self.list.push(RowError {
            row: self.row.number,
            letter: self.h.letter_of(key),
            column: self.h.header_of(key),
            value,
            reason: reason.into(),
            fix,
        });
    }
    /// A cell's text, or an error when the column is required and the cell is empty.
    fn text(&mut self, key: &str, required: bool) -> Option<String> {
        let v = cells::text(self.h.cell(self.row, key));
        if v.is_none() && required {
            self.add(key, format!("“{}”不能为空", self.h.header_of(key)));
        }
        v
    }
    fn identifier(&mut self, key: &str, required: bool) -> Option<String> {
        self.parsed(key, required, cells::identifier)
    }
    /// A date or month cell as the domain's text (`YYYY-MM-DD`, or `YYYY-MM` for a month),
    /// "" when empty or unreadable (then the reason is already listed); the domain decides
    /// whether the field needs a day or takes a month.
    fn date_text(&mut self, key: &str) -> String {
        self.parsed(key, false, cells::written_date).map(|w| w.canonical()).unwrap_or_default()
    }
    /// A number cell as text for the domain's number check (a cell may hold NaN or ∞ too).
    fn number_text(&mut self, key: &str) -> Option<String> {
        match self.h.cell(self.row, key) {
            Value::Empty => None,
            Value::Number(n) => Some(n.to_string()),
            v => Some(v.display()),
        }
    }
    /// The domain's refusals, each under its column; a column already refused by the
    /// cell reader is not reported twice.
    fn add_domain(&mut self, v: domain::ValidationError) {
        for f in v.errors {
            let key = match f.field {
                "org_id" if self.h.has("org_code") && !self.h.has("org") => "org_code",
                "org_id" => "org",
                "member_id" => "citizen_id",
                k => k,
            };
            let header = self.h.header_of(key);
            if !self.list.iter().any(|x| x.column == header) {
                self.add(key, f.message);
            }
        }
    }
    fn day(&mut self, key: &str, required: bool) -> Option<Date> {
        self.parsed(key, required, |v| cells::day(v, "这一项须精确到日，请填写完整日期，如2020-01-05"))
    }
    /// A cell read by `parse`; an unreadable cell, or an empty required one, is an error.
    fn parsed<T>(&mut self, key: &str, required: bool, parse: impl FnOnce(&Value) -> Result<Option<T>, String>) -> Option<T> {
        match parse(self.h.cell(self.row, key)) {
            Ok(Some(v)) => Some(v),
            Ok(None) => {
                if required {
                    self.add(key, format!("“{}”不能为空", self.h.header_of(key)));
                }
                None
            }
            Err(e) => {
                self.add(key, e);
                None
            }
        }
    }
    fn choice<T: Labelled>(&mut self, key: &str, required: bool) -> Option<T> {
        let t = self.text(key, required)?;
        match T::parse_field("", &t) {
            Ok(v) => Some(v),
            Err(e) => {
                self.add(key, e.message);
                None
            }
        }
    }
}

/// Names in an attendance list, separated by 、，,；; but not inside the brackets of an
/// absence reason ("张三（外出务工，请假）").
fn split_names(list: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut depth = 0i32;
    for c in list.chars() {
        match c {
            '(' | '（' | '[' | '［' => {
                depth += 1;
                cur.push(c)
            }
            ')' | '）' | ']' | '］' => {
                depth -= 1;
                cur.push(c)
            }
            '、' | ',' | '，' | ';' | '；' if depth <= 0 => out.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    out.push(cur);
    out.into_iter().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect()
}

/// The stored member columns a roster's header provides: the rest keep their stored
/// values when a member is updated (a roster without 档案材料 does not erase them).
/// Sex and birth date always come with the citizen ID; status with 转正时间 too.
fn member_columns_given(h: &HeaderMap) -> Vec<&'static str> {
    store::MEMBER_COLUMNS
        .iter()
        .copied()
        .filter(|c| match *c {
            "group_id" => h.has("group"),
            "phone" | "full_on" | "is_mobile" | "archive_location" | "archive_materials" => h.has(c),
            "status" => h.has("status") || h.has("full_on"),
            _ => true,
        })
        .collect()
}

/// The key of a citizen ID for the duplicate check: 17 digits and the check character
/// (X = 10) as one number, 8 bytes a row instead of the text.
fn id_key(id: &CitizenId) -> u64 {
    let s = id.reveal().as_bytes();
    let digits = s[..17].iter().fold(0u64, |acc, d| acc * 10 + (d - b'0') as u64);
    digits * 11 + if s[17] == b'X' { 10 } else { (s[17] - b'0') as u64 }
}

fn push_errors(report: &mut ImportReport, row: &SheetRow, errors: Vec<RowError>) {
    if errors.is_empty() {
        return;
    }
    if report.bad_rows.len() < MAX_ERRORS {
        report.bad_rows.push(row.clone());
    }
    for e in errors {
        if report.errors.len() < MAX_ERRORS {
            report.errors.push(e);
        } else {
            report.errors_not_listed += 1;
        }
    }
}

/// The organisation named on a row (by code first, then name), as its id.
fn org_of(orgs: &OrgDirectory, e: &mut RowErrors<'_>) -> Option<i64> {
    let by_code = cells::identifier(e.h.cell(e.row, "org_code")).ok().flatten();
    let by_name = cells::text(e.h.cell(e.row, "org"));
    let (key, text) = match (by_code, by_name, &e.h.title_org) {
        (Some(c), _, _) => ("org_code", c),
        (None, Some(n), _) => ("org", n),
        (None, None, Some(t)) => ("org", t.clone()),
        (None, None, None) => {
            e.add(if e.h.has("org") { "org" } else { "org_code" }, "所在党组织不能为空");
            return None;
        }
    };
    match orgs.resolve(&text) {
        Ok(o) => Some(o.id),
        Err(reason) => {
            e.add(key, reason);
            None
        }
    }
}

/// Reads roster rows into checked members; refused rows go to the report.
fn check_members(h: &HeaderMap, orgs: &OrgDirectory, seen: &mut HashMap<u64, u32>, report: &mut ImportReport, rows: &[SheetRow]) -> Vec<(u32, NewMember)> {
    let mut ok = Vec::with_capacity(rows.len());
        for row in rows {
            let mut e = RowErrors::new(h, row);
            let org_id = org_of(orgs, &mut e);
            let org = org_id.and_then(|id| orgs.by_id(id)).cloned();
            if let Some(o) = &org {
                if !o.level.holds_members() {
                    e.add(if h.has("org_code") { "org_code" } else { "org" }, format!("“{}”是{}，不能直接接收党员组织关系；请填写党员所在的党支部", o.name, o.level.label()));
                }
            }
            let group_id = match (e.text("group", false), &org) {
                (Some(g), Some(o)) => match orgs.group_of(o.id, &g) {
                    Ok(gr) => Some(gr.id),
                    Err(reason) => {
                        e.add("group", reason);
                        None
                    }
                },
                _ => None,
            };
            let id_text = e.identifier("citizen_id", true).unwrap_or_default();
            let is_mobile = match cells::yes_no(h.cell(row, "is_mobile")) {
                Ok(b) => b,
                Err(reason) => {
                    e.add("is_mobile", reason);
                    false
                }
            };
            let materials: Vec<String> = e
                .text("archive_materials", false)
                .map(|s| s.split(['、', ',', '，', ';', '；', ' ']).map(str::trim).filter(|x| !x.is_empty()).map(String::from).collect())
                .unwrap_or_default();
            // Cells become text as the domain reads it; the domain checks every field, so
            // the same row typed into the form or sent to the API gets the same verdict.
            let input = NewMemberInput {
                org_id: org_id.or(Some(0)),
                group_id,
                name: e.text("name", true).unwrap_or_default(),
                sex: e.text("sex", false).unwrap_or_default(),
                ethnicity: e.text("ethnicity", false).unwrap_or_default(),
                birth_date: e.date_text("birth_date"),
                citizen_id: id_text.clone(),
                education: e.text("education", false).unwrap_or_default(),
                occupation: e.text("occupation", false).unwrap_or_default(),
                phone: e.identifier("phone", false),
                joined_on: e.date_text("joined_on"),
                full_on: Some(e.date_text("full_on")),
                status: e.text("status", false).unwrap_or_default(),
                is_mobile,
                archive_location: e.text("archive_location", false),
                archive_materials: materials,
            };
            match input.validate() {
                Ok(m) if e.list.is_empty() => match seen.entry(id_key(&m.citizen_id)) {
                    std::collections::hash_map::Entry::Occupied(first) => {
                        e.add("citizen_id", format!("与第{}行的身份证号重复：同一名党员在文件中出现了两次", first.get()));
                    }
                    std::collections::hash_map::Entry::Vacant(v) => {
                        v.insert(row.number);
                        for g in m.gaps() {
                            match report.gaps.iter_mut().find(|x| x.0 == g) {
                                Some(x) => x.1 += 1,
                                None => report.gaps.push((g.to_string(), 1)),
                            }
                        }
                        ok.push((row.number, m));
                    }
                },
                Ok(_) => {}
                Err(v) => e.add_domain(v),
            }
            let list = std::mem::take(&mut e.list);
            push_errors(report, row, list);
        }
    ok
}

/// An ID number as shown in reports: valid or not, only its first and last four characters.
pub fn mask(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    if chars.len() < 10 {
        return id.to_string();
    }
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 8))
}

impl Run {
    fn push_errors(&mut self, row: &SheetRow, errors: Vec<RowError>) {
        push_errors(&mut self.report, row, errors)
    }

    /// Refuses a key seen earlier in the same file.
    fn first_time(&mut self, key: String, row: u32) -> Result<(), u32> {
        match self.seen.get(&key) {
            Some(&first) => Err(first),
            None => {
                self.seen.insert(key, row);
                Ok(())
            }
        }
    }

    /// A roster exported with masked citizen IDs comes back with them masked: each is
    /// replaced by the full number of the one member in scope with that name and mask
    /// (no member or several: the masked value stays and the row is refused with why).
    async fn unmask(&mut self, rows: &mut [SheetRow]) -> Result<(), SheetError> {
        let phone = self.h.col("phone");
        let (Some(id_col), Some(name_col)) = (self.h.col("citizen_id"), self.h.col("name").or_else(|| self.h.col("person_name"))) else { return Ok(()) };
        let text = |r: &SheetRow, c: usize| r.cells.get(c).map(|v| v.display().trim().to_string()).unwrap_or_default();
        let pairs: Vec<(String, String)> = rows.iter().map(|r| (text(r, name_col), text(r, id_col).to_uppercase())).filter(|(n, id)| !n.is_empty() && id.contains('*')).collect();
        let full = if pairs.is_empty() { Default::default() } else { self.imp.unmask_citizen_ids(&pairs).await? };
        for r in rows.iter_mut() {
            let key = (text(r, name_col), text(r, id_col).to_uppercase());
            let known = full.get(&key);
            if let Some((id, _)) = known {
                r.cells[id_col] = crate::read::Value::Text(id.clone());
            }
            // A masked phone (138****5678) is no number: the stored one stays.
            if let Some(p) = phone.filter(|p| r.cells.get(*p).is_some_and(|v| v.display().contains('*'))) {
                r.cells[p] = match known.and_then(|(_, stored)| stored.clone()) {
                    Some(stored) => crate::read::Value::Text(stored),
                    None => crate::read::Value::Empty,
                };
            }
        }
        Ok(())
    }

    fn org_of(&self, e: &mut RowErrors<'_>) -> Option<i64> {
        org_of(&self.imp.orgs, e)
    }

    async fn batch(&mut self, kind: Kind, mut rows: Vec<SheetRow>) -> Result<(), SheetError> {
        self.unmask(&mut rows).await?;
        match kind {
            Kind::Members => self.members(rows).await,
            Kind::Dues | Kind::Training => self.member_records(kind, rows).await,
            Kind::Committee => {
                for r in rows {
                    self.committee(r).await?;
                }
                Ok(())
            }
            Kind::Meetings => {
                for r in rows {
                    self.meeting(r).await?;
                }
                Ok(())
            }
            Kind::Orgs => unreachable!("organisations are imported together"),
        }
    }

    /// Roster rows, a batch at a time: each batch is checked while the one before it is
    /// written, so reading, checking and writing overlap.
    async fn members(&mut self, rows: Vec<SheetRow>) -> Result<(), SheetError> {
        let orgs = self.imp.orgs.clone();
        let h = self.h.clone();
        let prev = self.inflight.take();
        let imp = &mut self.imp;
        let report = &mut self.report;
        let seen = &mut self.seen_ids;
        let given = member_columns_given(&h);
        let (written, checked) = futures_util::join!(
            async {
                match &prev {
                    Some((ok, _)) => imp.members(ok, &given).await.map(Some),
                    None => Ok(None),
                }
            },
            async { check_members(&h, &orgs, seen, report, &rows) }
        );
        if let (Some(refusals), Some((_, prev_rows))) = (written?, prev) {
            self.refused_by_store(refusals, &prev_rows);
        }
        self.inflight = Some((checked, rows));
        Ok(())
    }

    /// Writes the last checked batch of members.
    async fn flush_members(&mut self) -> Result<(), SheetError> {
        if let Some((ok, rows)) = self.inflight.take() {
            let refusals = self.imp.members(&ok, &member_columns_given(&self.h)).await?;
            self.refused_by_store(refusals, &rows);
        }
        Ok(())
    }

    fn refused_by_store(&mut self, refusals: Vec<store::Refusal>, rows: &[SheetRow]) {
        let h = self.h.clone();
        for r in refusals {
            if let Some(row) = rows.iter().find(|x| x.number == r.row) {
                let mut e = RowErrors::new(&h, row);
                let key = match r.field {
                    "org_id" if h.has("org_code") => "org_code",
                    "org_id" => "org",
                    f => f,
                };
                e.add(key, r.message);
                let list = e.list;
                self.push_errors(row, list);
            }
        }
    }

    /// Dues and training rows: members found by citizen ID within the scope.
    async fn member_records(&mut self, kind: Kind, rows: Vec<SheetRow>) -> Result<(), SheetError> {
        let h = self.h.clone();
        let ids: Vec<String> = rows.iter().filter_map(|r| cells::identifier(h.cell(r, "citizen_id")).ok().flatten()).map(|s| s.to_uppercase()).collect();
        let members = self.imp.members_by_citizen_id(&ids).await?;
        for row in &rows {
            let mut e = RowErrors::new(&h, row);
            let id = e.identifier("citizen_id", true).map(|s| s.to_uppercase());
            let member = match id.as_deref().map(CitizenId::parse) {
                Some(Ok(cid)) => match members.get(cid.reveal()) {
                    Some(m) => Some(m.clone()),
                    None => {
                        e.add("citizen_id", "您权限范围内的党员名册中没有这个身份证号（可能尚未导入、已转出或不在本组织）");
                        None
                    }
                },
                Some(Err(f)) => {
                    e.add("citizen_id", f.message);
                    None
                }
                None => None,
            };
            if let (Some(m), Some(name)) = (&member, e.text("name", false)) {
                if name != m.name {
                    e.add("name", format!("身份证号对应的党员是“{}”，与填写的“{name}”不一致，请核对", m.name));
                }
            }
            match kind {
                Kind::Dues => {
                    // The same check as the member page's form and the API: months, finite
                    // amounts, and the amount against the rules' bracket for the base.
                    let input = domain::dues::DuesInput {
                        from_month: e.date_text("from_month"),
                        to_month: Some(e.date_text("to_month")),
                        base: e.number_text("base"),
                        amount: e.number_text("amount"),
                        paid_on: e.date_text("paid_on"),
                    };
                    let payer = member.as_ref().map(|m| domain::dues::Payer { name: m.name.clone(), occupation: m.occupation, joined_on: m.joined_on, active: true });
                    // Without a member the record cannot be judged against a bracket: judge it
                    // as a farmer's (fixed amount) so that its other fields are still reported.
                    let probe = payer.clone().unwrap_or(domain::dues::Payer {
                        name: String::new(),
                        occupation: domain::member::Occupation::Farmer,
                        joined_on: Date::MIN,
                        active: true,
                    });
                    match input.validate(&probe, &self.rules, self.today) {
                        Err(v) => e.add_domain(v),
                        Ok(p) if payer.is_some() && e.list.is_empty() => {
                            let m = member.as_ref().expect("checked");
                            if let Err(first) = self.first_time(format!("{}:{}", m.id, p.from.text()), row.number) {
                                e.add("from_month", format!("与第{first}行是同一名党员同一起始月份的党费，重复了"));
                            } else if let Some(r) = self.imp.dues(row.number, m.id, m.org_id, p.from, p.to, p.base, p.amount, p.paid_on).await? {
                                e.add(r.field, r.message);
                            }
                        }
                        Ok(_) => {}
                    }
                }
                Kind::Training => {
                    let input = domain::life::TrainingInput {
                        taken_on: e.date_text("taken_on"),
                        hours: e.number_text("hours"),
                        channel: e.text("channel", false).unwrap_or_default(),
                        topic: e.text("topic", false).unwrap_or_default(),
                    };
                    match input.validate(self.today) {
                        Err(v) => e.add_domain(v),
                        Ok(t) if e.list.is_empty() => {
                            let m = member.as_ref().expect("a row without errors names a member");
                            if let Err(first) = self.first_time(format!("{}:{}:{}", m.id, t.taken_on, t.topic), row.number) {
                                e.add("topic", format!("与第{first}行是同一名党员同一天同一内容的培训，重复了"));
                            } else {
                                self.imp.training(m.id, m.org_id, t.taken_on, t.hours, t.channel, &t.topic).await?;
                            }
                        }
                        Ok(_) => {}
                    }
                }
                _ => unreachable!(),
            }
            let list = std::mem::take(&mut e.list);
            self.push_errors(row, list);
        }
        Ok(())
    }

    async fn committee(&mut self, row: SheetRow) -> Result<(), SheetError> {
        let h = self.h.clone();
        let mut e = RowErrors::new(&h, &row);
        let org = self.org_of(&mut e);
        let input = domain::org::CommitteePostInput {
            role: e.text("role", false).unwrap_or_default(),
            person_name: e.text("person_name", false).unwrap_or_default(),
            start_on: e.date_text("start_on"),
            end_on: Some(e.date_text("end_on")),
        };
        let post = match input.validate(self.today) {
            Ok(p) => Some(p),
            Err(v) => {
                e.add_domain(v);
                None
            }
        };
        // The holder may be a member of a lower organisation (a 总支 committee member
        // belongs to one of its branches): any member of the scope.
        let member_id = match e.identifier("citizen_id", false) {
            Some(id) => match CitizenId::parse(&id) {
                Ok(cid) => match self.imp.member_in_scope(cid.reveal()).await? {
                    Some((m, _)) => Some(m),
                    None => {
                        e.add("citizen_id", "您权限范围内的名册中没有这个身份证号的党员（班子成员不是党员或不在本辖区时请留空）");
                        None
                    }
                },
                Err(f) => {
                    e.add("citizen_id", f.message);
                    None
                }
            },
            None => None,
        };
        if let (Some(o), Some(p), true) = (org, post, e.list.is_empty()) {
            if let Err(first) = self.first_time(format!("{o}:{}:{}:{}", p.role.code(), p.person_name, p.start_on), row.number) {
                e.add("person_name", format!("与第{first}行重复"));
            } else {
                self.imp.committee_post(o, p.role, &p.person_name, member_id, p.start_on, p.end_on).await?;
            }
        }
        let list = e.list;
        self.push_errors(&row, list);
        Ok(())
    }

    async fn meeting(&mut self, row: SheetRow) -> Result<(), SheetError> {
        let h = self.h.clone();
        let mut e = RowErrors::new(&h, &row);
        let org = self.org_of(&mut e);
        let held_text = e.date_text("held_on");
        // The day, for matching attendees against the roll; the domain reports a bad one.
        let held_on = match domain::dates::written(&held_text) {
            Ok(domain::dates::Written::Day(d)) if !held_text.is_empty() => Some(d),
            _ => None,
        };
        let mut attendance = Vec::new();
        if let (Some(o), Some(day)) = (org, held_on) {
            if !self.rosters.contains_key(&o) {
                let r = self.imp.members_by_name(o).await?;
                self.rosters.insert(o, r);
            }
            let roster = &self.rosters[&o];
            let mut seen_ids = Vec::new();
            for (key, present) in [("present", true), ("absent", false)] {
                let Some(list) = e.text(key, false) else { continue };
                for item in split_names(&list) {
                    let (who, reason) = match item.split_once(['(', '（']) {
                        // Only the outer bracket closes: "王辉（出国（境））".
                        Some((n, r)) => (n.trim(), Some(r.trim().strip_suffix(['）', ')']).unwrap_or(r.trim()).trim().to_string())),
                        None => (item.as_str(), None),
                    };
                    // 王伟[002X]: the last four characters of the ID tell namesakes apart.
                    let (name, tail) = match who.split_once(['[', '［']) {
                        Some((n, t)) => (n.trim(), Some(t.trim_end_matches([']', '］']).trim().to_uppercase())),
                        None => (who, None),
                    };
                    // Who was on the roll that day (members who left since are in old lists).
                    let candidates: Vec<i64> = roster
                        .get(name)
                        .map(|v| {
                            v.iter()
                                .filter(|(_, last4, joined, left)| tail.as_ref().is_none_or(|t| t == last4) && *joined <= day && left.is_none_or(|l| l >= day))
                                .map(|x| x.0)
                                .collect()
                        })
                        .unwrap_or_default();
                    match candidates.as_slice() {
                        [id] if !seen_ids.contains(id) => {
                            seen_ids.push(*id);
                            attendance.push(domain::meeting::AttendanceInput { member_id: *id, present, absence_reason: if present { None } else { reason } });
                        }
                        [_] => e.add(key, format!("“{who}”在出席和缺席名单中出现了不止一次")),
                        [] => e.add(key, format!("“{who}”不是这个党组织在{day}的名册中的党员")),
                        _ => e.add(key, format!("{day}本组织有不止一名党员叫“{name}”，请在姓名后加身份证号后四位区分，如：{name}[002X]")),
                    }
                }
            }
        }
        // The same input and check as the meeting form and the API.
        let input = domain::meeting::MeetingInput {
            org_id: org.unwrap_or(0),
            kind: e.text("kind", false).unwrap_or_default(),
            held_on: held_text,
            topic: e.text("topic", false).unwrap_or_default(),
            summary: e.text("summary", false),
            form: e.text("form", false).unwrap_or_default(),
            theme: e.text("theme", false),
            host: e.text("host", false),
            recorder: e.text("recorder", false),
            attendance,
        };
        match input.validate(self.today) {
            Err(v) => {
                let v = domain::ValidationError {
                    errors: v.errors.into_iter().map(|f| if f.field == "attendance" { domain::FieldError::new("present", f.message) } else { f }).collect(),
                };
                e.add_domain(v);
            }
            Ok(m) if org.is_some() && e.list.is_empty() => {
                if let Err(first) = self.first_time(format!("{}:{}:{}:{}", m.org_id, m.kind.code(), m.held_on, m.topic), row.number) {
                    e.add("topic", format!("与第{first}行是同一组织同一天同一主题的会议，重复了"));
                } else if let Some(reason) = self.imp.meeting(&m).await? {
                    e.add("present", reason);
                }
            }
            Ok(_) => {}
        }
        let list = e.list;
        self.push_errors(&row, list);
        Ok(())
    }

    /// Organisations, parents before children: a parent named in the file is imported
    /// first whatever the row order.
    async fn orgs(&mut self, rows: Vec<SheetRow>) -> Result<(), SheetError> {
        let h = self.h.clone();
        let code_of = |r: &SheetRow| cells::identifier(h.cell(r, "code")).ok().flatten();
        let name_of = |r: &SheetRow| cells::text(h.cell(r, "name"));
        let in_file: HashMap<String, usize> =
            rows.iter().enumerate().flat_map(|(i, r)| code_of(r).into_iter().chain(name_of(r)).map(move |k| (k, i))).collect();
        let mut order = Vec::with_capacity(rows.len());
        let mut state = vec![0u8; rows.len()];
        fn visit(i: usize, rows: &[SheetRow], parent_of: &dyn Fn(&SheetRow) -> Option<usize>, state: &mut [u8], order: &mut Vec<usize>) {
            if state[i] != 0 {
                return;
            }
            state[i] = 1;
            if let Some(p) = parent_of(&rows[i]) {
                if state[p] == 0 {
                    visit(p, rows, parent_of, state, order);
                }
            }
            state[i] = 2;
            order.push(i);
        }
        let parent_of = |r: &SheetRow| cells::text(h.cell(r, "parent")).and_then(|p| in_file.get(&p).copied());
        for i in 0..rows.len() {
            visit(i, &rows, &parent_of, &mut state, &mut order);
        }
        for i in order {
            let row = &rows[i];
            let mut e = RowErrors::new(&h, row);
            let code = e.identifier("code", true);
            let name = e.text("name", true);
            let level = e.choice::<OrgLevel>("level", true);
            let sector = e.choice::<Sector>("sector", true);
            let region = e.identifier("region_code", true);
            let founded_on = e.day("founded_on", false);
            let elected_on = e.day("elected_on", false);
            let term_years = match e.number_text("term_years") {
                Some(t) => match domain::numbers::TERM_YEARS.parse("term_years", &t) {
                    Ok(v) if v.fract() == 0.0 => Some(v as i64),
                    Ok(v) => {
                        e.add("term_years", format!("任期{v}年应为整数"));
                        None
                    }
                    Err(f) => {
                        e.add("term_years", f.message);
                        None
                    }
                },
                None => None,
            };
            let parent_id = match e.text("parent", false) {
                Some(p) => match self.imp.orgs.resolve(&p) {
                    Ok(o) => Some(o.id),
                    Err(reason) => {
                        e.add("parent", reason);
                        None
                    }
                },
                None => None,
            };
            if let (Some(c), Some(n), Some(l), Some(s), Some(rc), true) = (code, name, level, sector, region, e.list.is_empty()) {
                if let Err(first) = self.first_time(c.clone(), row.number) {
                    e.add("code", format!("与第{first}行的组织代码重复"));
                } else {
                    let new = NewOrg { code: c, name: n, level: l, sector: s, parent_id, region_code: rc, grid_id: None, unit_id: None, founded_on, elected_on, term_years };
                    if let Some(r) = self.imp.org(row.number, &new).await? {
                        e.add(r.field, r.message);
                    }
                }
            }
            let list = e.list;
            self.push_errors(row, list);
        }
        Ok(())
    }
}
