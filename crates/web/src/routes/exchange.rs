//! Spreadsheets on the web: upload with a preview and an error report, templates,
//! exports of an organisation's lists and the annual statistics tables — all within the
//! viewer's scope.

use crate::auth::{Staff, checked_form, page_viewer, same_token, Viewer};
use crate::error::PageError;
use crate::view::{page, today};
use crate::AppState;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Form;
use maud::{html, Markup};
use serde::Deserialize;
use sheets::{ImportReport, Kind};
use std::path::PathBuf;

type PageResult = Result<Response, PageError>;

/// Largest upload the web accepts; bigger files go through `dangjian import`.
pub const UPLOAD_LIMIT: usize = 20 * 1024 * 1024;
/// Errors listed on the page (the downloadable report has them all).
const ERRORS_SHOWN: usize = 200;

fn bad(msg: impl Into<String>) -> PageError {
    PageError::Status(StatusCode::UNPROCESSABLE_ENTITY, msg.into())
}

fn kind_of(s: &str) -> Result<Kind, PageError> {
    Kind::parse(s).ok_or_else(|| bad(format!("导入类别“{s}”无法识别")))
}

/// Uploads and reports live in the server's private work folder (crate::work_dir), named
/// by user and a random token so that nobody can fetch another user's file.
fn upload_dir() -> PathBuf {
    crate::work_dir().join("uploads")
}

/// Uploads never confirmed and reports never fetched are removed after a day.
fn sweep_uploads() {
    let Ok(entries) = std::fs::read_dir(upload_dir()) else { return };
    let day = std::time::Duration::from_secs(24 * 3600);
    for e in entries.flatten() {
        let old = e.metadata().and_then(|m| m.modified()).ok().and_then(|t| t.elapsed().ok()).is_some_and(|age| age > day);
        if old {
            let p = e.path();
            let _ = if p.is_dir() { std::fs::remove_dir_all(&p) } else { std::fs::remove_file(&p) };
        }
    }
}

fn upload_path(v: &Viewer, token: &str) -> Result<PathBuf, PageError> {
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(PageError::Status(StatusCode::NOT_FOUND, "文件不存在或已过期，请重新上传".into()));
    }
    Ok(upload_dir().join(format!("{}-{token}", v.session.user.id)))
}


#[derive(Deserialize)]
pub struct KindPick {
    kind: Option<String>,
}

pub async fn import_form(State(st): State<AppState>, Staff(v): Staff, Query(q): Query<KindPick>) -> PageResult {
    let kind = q.kind.as_deref().and_then(Kind::parse).unwrap_or(Kind::Members);
    let log = st.store.recent_exchanges(&v.scope, v.session.user.id, 20).await?;
    let body = html! {
        (upload_form(&v, kind, None))
        @if !log.is_empty() {
            section {
                h2 { "最近的导入导出记录" }
                div.table-wrap { table id="exchange-log" {
                    thead { tr { th { "时间" } th { "操作" } th { "类别" } th { "文件" } th { "行数" } th { "用户" } } }
                    tbody { @for (at, dir, k, file, rows, user) in &log { tr {
                        td { (at.get(..16).unwrap_or(at)) }
                        td { (if dir == "import" { "导入" } else { "导出" }) }
                        td { (Kind::parse(k).map(|k| k.label()).unwrap_or(k)) }
                        td { (file) } td { (rows) } td { (user.as_deref().unwrap_or("命令行")) }
                    } } }
                } }
            }
        }
    };
    Ok(page(&v, "导入数据", body))
}

fn upload_form(v: &Viewer, kind: Kind, error: Option<&str>) -> Markup {
    html! {
        section {
            h1 { "导入数据（Excel / WPS / CSV）" }
            p.muted { "支持 .xlsx、.xls 和 .csv（UTF-8 或 GBK）。表头上方可以有标题行，列名可用常见叫法，日期可写成 2020-01-05、2020/1/5、2020.1.5 或 2020年1月5日。先预览：任何一行有错误都不会导入，并给出错误报告。同一文件重复导入不会产生重复数据。文件不超过20 MB，更大的文件请用命令行 dangjian import。" }
            @if let Some(e) = error { p.error { (e) } }
            form method="post" action="/import" enctype="multipart/form-data" {
                input type="hidden" name="csrf" value=(v.session.csrf_token);
                label for="kind" { "导入类别" }
                select id="kind" name="kind" {
                    @for k in Kind::ALL { option value=(k.code()) selected[k == kind] { (k.label()) } }
                }
                label for="file" { "文件" }
                input id="file" type="file" name="file" accept=".xlsx,.xls,.csv" required;
                label for="sheet" { "工作表（工作簿中有多张名册时填写要导入的工作表名，否则留空）" }
                input id="sheet" type="text" name="sheet";
                button.primary type="submit" name="action" value="preview" { "上传并预览（不写入）" }
            }
        }
        section {
            h2 { "导入模板" }
            p { "模板带下拉选项和填写说明：" }
            ul { @for k in Kind::ALL { li { a href={ "/import/template/" (k.code()) } { (k.label()) "模板.xlsx" } } } }
        }
    }
}

/// Receives the upload: the CSRF token, the kind and the file (streamed to disk, refused
/// over the limit), then previews it.
pub async fn upload(State(st): State<AppState>, Staff(v): Staff, mut mp: Multipart) -> PageResult {
    sweep_uploads();
    let mut csrf = String::new();
    let mut kind = String::new();
    let mut original = String::new();
    let mut sheet = String::new();
    let token = store::random_token();
    let path = upload_path(&v, &token)?;
    let mut size = 0usize;
    let mut too_big = false;
    while let Some(mut field) = mp.next_field().await.map_err(|e| bad(format!("上传中断或格式不正确（{e}），请重新上传")))? {
        match field.name().unwrap_or("") {
            "csrf" => csrf = field.text().await.unwrap_or_default(),
            "kind" => kind = field.text().await.unwrap_or_default(),
            "sheet" => sheet = field.text().await.unwrap_or_default().trim().to_string(),
            "file" => {
                original = field.file_name().unwrap_or("上传文件").to_string();
                use std::io::Write;
                let mut out = std::fs::File::create(&path).map_err(|e| bad(format!("无法保存上传的文件：{e}")))?;
                // Read to the end even when over the limit, so that the browser gets the answer.
                while let Some(chunk) = field.chunk().await.map_err(|e| bad(format!("上传中断（{e}），请重新上传")))? {
                    size += chunk.len();
                    if size > UPLOAD_LIMIT {
                        too_big = true;
                    } else {
                        out.write_all(&chunk).map_err(|e| bad(format!("无法保存上传的文件：{e}")))?;
                    }
                }
            }
            _ => {}
        }
    }
    if !same_token(&v.session.csrf_token, &csrf) {
        let _ = std::fs::remove_file(&path);
        return Err(PageError::Status(StatusCode::FORBIDDEN, "表单已过期或来源不明（CSRF 校验失败），请刷新页面后重试".into()));
    }
    let kind = kind_of(&kind)?;
    if too_big {
        let _ = std::fs::remove_file(&path);
        let msg = format!("文件“{original}”有{:.1} MB，超过网页上传上限20 MB；请拆分后分批导入，或用命令行 dangjian import 导入", size as f64 / 1048576.0);
        let mut res = page(&v, "导入数据", upload_form(&v, kind, Some(&msg)));
        *res.status_mut() = StatusCode::PAYLOAD_TOO_LARGE;
        return Ok(res);
    }
    if original.is_empty() {
        return Ok(page(&v, "导入数据", upload_form(&v, kind, Some("请选择要导入的文件"))));
    }
    // Keep the name the user gave, for the confirmation step and the report.
    std::fs::write(path.with_extension("name"), &original).map_err(|e| bad(format!("无法保存上传的文件：{e}")))?;
    std::fs::write(path.with_extension("sheet"), &sheet).map_err(|e| bad(format!("无法保存上传的文件：{e}")))?;
    run(&st, &v, kind, &token, true).await
}

#[derive(Deserialize)]
pub struct Confirm {
    csrf: String,
    token: String,
    kind: String,
}

/// Imports a previewed upload for real.
pub async fn confirm(State(st): State<AppState>, Staff(v): Staff, Form(f): Form<Confirm>) -> PageResult {
    checked_form(&v, vec![("csrf".into(), f.csrf)])?;
    let kind = kind_of(&f.kind)?;
    run(&st, &v, kind, &f.token, false).await
}

async fn run(st: &AppState, v: &Viewer, kind: Kind, token: &str, preview: bool) -> PageResult {
    let path = upload_path(v, token)?;
    let original = std::fs::read_to_string(path.with_extension("name")).unwrap_or_else(|_| "上传文件".into());
    let sheet = std::fs::read_to_string(path.with_extension("sheet")).unwrap_or_default();
    let sheet = Some(sheet.as_str()).filter(|s| !s.is_empty());
    let result = sheets::import_file(&st.store, &v.scope, &path, kind, (today(), &st.rules), preview, (Some(v.session.user.id), Some(&original), sheet, Some(sheets::WEB_MAX_ROWS)), |_| {}).await;
    let report = match result {
        Ok(r) => r,
        Err(sheets::SheetError::Store(e)) => return Err(e.into()),
        Err(e) => {
            let _ = std::fs::remove_file(&path);
            // The message names the stored file: show the name the user gave instead.
            let msg = e.to_string().replace(&path.display().to_string(), &original).replace(&format!("{}-{token}", v.session.user.id), &original);
            let mut res = page(v, "导入数据", upload_form(v, kind, Some(&msg)));
            *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            return Ok(res);
        }
    };
    if report.error_count() > 0 {
        let bytes = sheets::error_report::error_report_xlsx(&report).map_err(|e| bad(e.to_string()))?;
        std::fs::write(path.with_extension("report.xlsx"), bytes).map_err(|e| bad(format!("无法保存错误报告：{e}")))?;
        let _ = std::fs::remove_file(&path);
    } else if report.committed {
        let _ = std::fs::remove_file(&path);
        let _ = std::fs::remove_file(path.with_extension("name"));
    }
    let mut res = page(v, "导入结果", result_page(v, kind, token, &report));
    if report.error_count() > 0 {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

fn result_page(v: &Viewer, kind: Kind, token: &str, r: &ImportReport) -> Markup {
    let c = r.counts;
    html! {
        section {
            h1 { (kind.label()) "导入" @if r.committed { "完成" } @else if r.error_count() > 0 { "未通过检查" } @else { "预览" } }
            p { "文件“" (r.file) "”" @if !r.sheet.is_empty() { "，工作表“" (r.sheet) "”" } "，表头在第" (r.header_row) "行，共" (r.rows) "行数据。" }
            @if !r.unused_columns.is_empty() {
                p.error { "注意：以下列不属于" (kind.label()) "，其内容不会导入：" (r.unused_columns.join("、")) }
            }
            @if !r.hidden_rows.is_empty() || !r.hidden_columns.is_empty() {
                p id="import-hidden" { "注意：文件中有在Excel里隐藏的"
                    @if !r.hidden_rows.is_empty() { "行（第" (r.hidden_rows.iter().take(20).map(|n| n.to_string()).collect::<Vec<_>>().join("、")) "行" @if r.hidden_rows.len() > 20 { "等" (r.hidden_rows.len()) "行" } "）" }
                    @if !r.hidden_columns.is_empty() { "列（" (r.hidden_columns.join("、")) "列）" }
                    "，已与其他内容一样读取；如不应导入，请在Excel中取消隐藏后删除再上传。" }
            }
            @if !r.missing_columns.is_empty() {
                p id="import-missing" { "文件中没有这些列：" (r.missing_columns.join("、")) "。新登记的记录中民族、学历、职业记为“未登记”，其余留空或按其他列推定；已有记录保留系统中的内容。" }
            }
            @if !r.gaps.is_empty() {
                p id="import-gaps" { "信息不全（可以导入，导入后在“信息完整性”页补齐）："
                    @for (i, (f, n)) in r.gaps.iter().enumerate() { @if i > 0 { "；" } (n) "人" (if f.contains("只有年月") { f.clone() } else { format!("缺少{f}") }) } }
            }
            @if r.error_count() > 0 {
                p.error id="import-errors" { "发现 " (r.error_count()) " 处错误，未导入任何数据。请按下表或错误报告修改后重新上传。" }
                p { a.button href={ "/import/report/" (token) } { "下载错误报告（Excel，出错单元格标红）" } }
                div.table-wrap {
                    table {
                        thead { tr { th { "行" } th { "列" } th { "填写的内容" } th { "错误原因" } th { "修改方法" } } }
                        tbody {
                            @for e in r.errors.iter().take(ERRORS_SHOWN) {
                                tr { td { (e.row) } td { (e.letter.as_deref().unwrap_or("")) " " (e.column) } td { (e.value) } td { (e.reason) } td.muted { (e.fix) } }
                            }
                        }
                    }
                }
                @if r.error_count() > ERRORS_SHOWN as u64 { p.muted { "只显示前" (ERRORS_SHOWN) "处，全部错误见错误报告。" } }
            } @else {
                p id="import-counts" {
                    span.stat { (if r.committed { "新增 " } else { "将新增 " }) b { (c.inserted) } " 条" }
                    span.stat { (if r.committed { "更新 " } else { "将更新 " }) b { (c.updated) } " 条" }
                    span.stat { "与系统中一致 " b { (c.unchanged) } " 条" }
                }
                @if !r.changes.is_empty() {
                    h2 { (if r.committed { "已更新的内容" } else { "将更新的内容" }) }
                    div.table-wrap { table id="import-changes" {
                        thead { tr { th { "行" } th { "记录" } th { "项目" } th { "原值" } th { "新值" } } }
                        tbody { @for c in &r.changes { tr { td { (c.row) } td { (c.who) } td { (c.column) } td { (c.old) } td { (c.new) } } } }
                    } }
                    @if (r.changes.len() as u64) < c.updated { p.muted { "只列出前" (r.changes.len()) "项。" } }
                }
                @if !r.committed {
                    form method="post" action="/import/confirm" {
                        input type="hidden" name="csrf" value=(v.session.csrf_token);
                        input type="hidden" name="token" value=(token);
                        input type="hidden" name="kind" value=(kind.code());
                        button.primary type="submit" { "确认导入" }
                    }
                }
            }
            p { a href={ "/import?kind=" (kind.code()) } { "导入其他文件" } }
        }
    }
}

pub async fn error_report(State(st): State<AppState>, headers: HeaderMap, Path(token): Path<String>) -> PageResult {
    let v = page_viewer(&st, &headers).await?;
    let path = upload_path(&v, &token)?.with_extension("report.xlsx");
    let bytes = std::fs::read(&path).map_err(|_| PageError::Status(StatusCode::NOT_FOUND, "错误报告不存在或已过期，请重新上传".into()))?;
    Ok(download("错误报告.xlsx", XLSX, bytes))
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A file download with its Chinese name (RFC 5987) and an ASCII fallback.
pub(crate) fn download(name: &str, mime: &str, bytes: Vec<u8>) -> Response {
    let encoded: String = name.bytes().map(|b| if b.is_ascii_alphanumeric() || b == b'.' || b == b'-' { (b as char).to_string() } else { format!("%{b:02X}") }).collect();
    let disposition = format!("attachment; filename=\"download{}\"; filename*=UTF-8''{encoded}", name.rfind('.').map(|i| &name[i..]).unwrap_or(""));
    ([(header::CONTENT_TYPE, mime.to_string()), (header::CONTENT_DISPOSITION, disposition)], bytes).into_response()
}

pub async fn template(_: Staff, Path(kind): Path<String>) -> PageResult {
    let kind = kind_of(&kind)?;
    let bytes = sheets::template::template_xlsx(kind).map_err(|e| bad(e.to_string()))?;
    Ok(download(&format!("{}导入模板.xlsx", kind.label()), XLSX, bytes))
}

#[derive(Deserialize)]
pub struct ExportPick {
    format: Option<String>,
    year: Option<i32>,
    /// Full citizen IDs and phones (jurisdiction administrators, with a purpose).
    full: Option<String>,
    purpose: Option<String>,
}

/// An organisation subtree's records of one kind, as .xlsx or .csv.
pub async fn export(State(st): State<AppState>, Staff(v): Staff, Path((id, kind)): Path<(i64, String)>, Query(q): Query<ExportPick>) -> PageResult {
    let kind = kind_of(&kind)?;
    let org = st.store.org(&v.scope, id).await?;
    let ext = if q.format.as_deref() == Some("csv") { "csv" } else { "xlsx" };
    // Citizen IDs and phones are masked unless a jurisdiction administrator states why
    // the full numbers are needed; the purpose goes into the export log.
    let disclosure = if q.full.is_some() {
        if !v.is_jurisdiction_admin() {
            return Err(PageError::Status(StatusCode::FORBIDDEN, "只有全辖区的组织部管理员可以导出完整的身份证号和电话".into()));
        }
        let purpose = q.purpose.as_deref().map(str::trim).unwrap_or("");
        if purpose.chars().count() < 4 {
            return Err(bad("导出完整身份证号和电话须写明用途（至少4个字），用途会记入导出记录"));
        }
        sheets::export::Disclosure::Full { purpose: purpose.to_string() }
    } else {
        sheets::export::Disclosure::Masked
    };
    let name = format!("{}_{}{}.{ext}", org.name, kind.label(), if disclosure == sheets::export::Disclosure::Masked { "" } else { "（含完整身份证号）" });
    // A folder of its own, so that the file (and the export log) carries the download's name.
    let dir = upload_dir().join(format!("{}-{}", v.session.user.id, store::random_token()));
    std::fs::create_dir_all(&dir).map_err(|e| bad(format!("导出失败：{e}")))?;
    let path = dir.join(&name);
    let result = sheets::export::export_file(&st.store, &v.scope, kind, org.id, q.year, &path, Some(v.session.user.id), &disclosure).await;
    let bytes = std::fs::read(&path);
    let _ = std::fs::remove_dir_all(&dir);
    result.map_err(|e| match e {
        sheets::SheetError::Store(e) => e.into(),
        other => bad(other.to_string()),
    })?;
    let bytes = bytes.map_err(|e| bad(format!("导出失败：{e}")))?;
    let mime = if ext == "csv" { "text/csv; charset=utf-8" } else { XLSX };
    Ok(download(&name, mime, bytes))
}

#[derive(Deserialize)]
pub struct YearPick {
    year: Option<i32>,
}

/// 党内统计年报 of an organisation's subtree.
pub async fn annual(State(st): State<AppState>, Staff(v): Staff, Path(id): Path<i64>, Query(q): Query<YearPick>) -> PageResult {
    let year = q.year.unwrap_or_else(|| chrono::Datelike::year(&today()) - 1);
    let org = st.store.org(&v.scope, id).await?;
    let report = sheets::annual::annual_tables(&st.store, &v.scope, id, year, &st.rules).await.map_err(|e| match e {
        sheets::SheetError::Store(e) => e.into(),
        other => bad(other.to_string()),
    })?;
    let bytes = sheets::annual::annual_xlsx(&report).map_err(|e| bad(e.to_string()))?;
    Ok(download(&format!("{}_{year}年党内统计年报.xlsx", org.name), XLSX, bytes))
}

#[derive(Deserialize)]
pub struct FormatPick {
    format: Option<String>,
    /// One gap to list the members of (an index into the completeness columns).
    gap: Option<usize>,
}

/// Members listed on the completeness page at most.
const INCOMPLETE_SHOWN: i64 = 300;

/// 信息完整性: per organisation of the subtree, how many members hold each field as 未登记
/// or a date known only to the month; `?format=xlsx|csv` downloads the same table.
pub async fn completeness(State(st): State<AppState>, Staff(v): Staff, Path(id): Path<i64>, Query(q): Query<FormatPick>) -> PageResult {
    let org = st.store.org(&v.scope, id).await?;
    let rows = st.store.member_completeness(&v.scope, id).await?;
    let fields = store::COMPLETENESS_FIELDS;
    let head = |f: &str| if f.contains("只有年月") { f.to_string() } else { format!("缺少{f}") };
    let mut total = [0i64; 6];
    let mut members = 0;
    for r in &rows {
        members += r.members;
        for (t, g) in total.iter_mut().zip(r.gaps) {
            *t += g;
        }
    }
    if let Some(format) = q.format.as_deref() {
        let heads: Vec<String> = ["党组织".to_string(), "党员数".to_string()].into_iter().chain(fields.iter().map(|f| head(f))).collect();
        let widths: Vec<(&str, f64)> = heads.iter().enumerate().map(|(i, h)| (h.as_str(), if i == 0 { 36.0 } else { 12.0 })).collect();
        let all = std::iter::once(("合计".to_string(), members, total)).chain(rows.iter().map(|r| (r.org_name.clone(), r.members, r.gaps)));
        let lines = all.map(|(n, m, g)| {
            let mut line = vec![sheets::write::Out::Text(n), sheets::write::Out::Number(m as f64)];
            line.extend(g.iter().map(|x| sheets::write::Out::Number(*x as f64)));
            line
        });
        return table_download(&v, &format!("{}_党员信息完整性", org.name), format, &widths, lines);
    }
    let gap = q.gap.filter(|g| *g < fields.len());
    let list = st.store.incomplete_members(&v.scope, id, gap, INCOMPLETE_SHOWN).await?;
    let body = html! {
        div.crumbs { a href={ "/orgs/" (org.id) } { (org.name) } " › 信息完整性" }
        section {
            h1 { "党员信息完整性：" (org.name) }
            p { "在册党员 " b { (members) } " 人。导入的名册缺少的项记为“未登记”，只写到月的日期按月记录；按下表逐个党组织补齐。" }
            p { a.button href={ "/orgs/" (org.id) "/completeness?format=xlsx" } { "下载Excel" } " " a href={ "/orgs/" (org.id) "/completeness?format=csv" } { "CSV" } }
            div.table-wrap { table id="completeness" {
                thead { tr { th { "党组织" } th { "党员数" } @for f in fields { th { (head(f)) } } } }
                tbody {
                    tr { td { b { "合计" } } td { b { (members) } } @for t in total { td { b { (t) } } } }
                    @for r in &rows { tr {
                        td { a href={ "/orgs/" (r.org_id) } { (r.org_name) } } td { (r.members) }
                        @for g in r.gaps { td { @if g > 0 { span.tag.warn { (g) } } @else { "0" } } }
                    } }
                }
            } }
        }
        section id="incomplete-members" {
            h2 { "待补齐的党员" @if let Some(g) = gap { "：" (head(fields[g])) } }
            p {
                "只看：" @for (i, f) in fields.iter().enumerate() { a href={ "/orgs/" (org.id) "/completeness?gap=" (i) } { (head(f)) } "　" }
                a href={ "/orgs/" (org.id) "/completeness" } { "全部" }
            }
            p.muted { "补齐方法：下载本组织的" a href={ "/orgs/" (org.id) "/export/members" } { "党员花名册" } "，在Excel中补填后重新导入（仍空着的格子不会覆盖已有内容）。" }
            @if list.is_empty() { p.muted { "没有。" } }
            @else {
                div.table-wrap { table {
                    thead { tr { th { "姓名" } th { "党组织" } th { "缺少或不全" } } }
                    tbody { @for m in &list { tr {
                        td { a href={ "/members/" (m.member_id) } { (m.name) } } td { (m.org_name) } td { (m.gaps.join("、")) }
                    } } }
                } }
                @if list.len() as i64 >= INCOMPLETE_SHOWN { p.muted { "只列出前" (INCOMPLETE_SHOWN) "人；请进入下级党组织查看其余。" } }
            }
        }
    };
    Ok(page(&v, "信息完整性", body))
}

/// A list the UI shows, as a downloaded table (`xlsx` or `csv`).
pub fn table_download(v: &Viewer, name: &str, format: &str, heads: &[(&str, f64)], rows: impl Iterator<Item = Vec<sheets::write::Out>>) -> PageResult {
    let ext = match format {
        "csv" => "csv",
        "xlsx" => "xlsx",
        other => return Err(bad(format!("导出格式“{other}”无法识别，可选 xlsx 或 csv"))),
    };
    let path = upload_dir().join(format!("{}-{}.{ext}", v.session.user.id, store::random_token()));
    let heads: Vec<sheets::write::Head> = heads.iter().map(|(t, w)| sheets::write::Head::new(*t, *w)).collect();
    let written = (|| {
        let mut w = sheets::write::TableWriter::create(&path, "导出", &heads)?;
        for r in rows {
            w.row(&r)?;
        }
        w.finish()
    })();
    let bytes = std::fs::read(&path);
    let _ = std::fs::remove_file(&path);
    written.map_err(|e| bad(e.to_string()))?;
    let bytes = bytes.map_err(|e| bad(format!("导出失败：{e}")))?;
    Ok(download(&format!("{name}.{ext}"), if ext == "csv" { "text/csv; charset=utf-8" } else { XLSX }, bytes))
}

/// The export links of an organisation page; `full_ids`: the viewer may export full
/// citizen IDs and phones (a jurisdiction administrator).
pub fn org_links(org_id: i64, full_ids: bool) -> Markup {
    let year = chrono::Datelike::year(&today());
    html! {
        section id="exports" {
            h2 { "导入导出" }
            p {
                "导出本组织及下级（身份证号和电话已脱敏）：" @for k in Kind::ALL {
                    (k.label()) " "
                    a href={ "/orgs/" (org_id) "/export/" (k.code()) } { "Excel" } " · "
                    a href={ "/orgs/" (org_id) "/export/" (k.code()) "?format=csv" } { "CSV" } "　"
                }
            }
            @if full_ids {
                form method="get" action={ "/orgs/" (org_id) "/export/members" } {
                    input type="hidden" name="full" value="1";
                    label { "导出含完整身份证号和电话的党员花名册（可再导入），用途：" input type="text" name="purpose" required minlength="4" placeholder="例如：向上级报送党员信息"; }
                    " " button type="submit" { "导出" }
                }
            }
            p {
                "党内统计年报：" a href={ "/orgs/" (org_id) "/annual?year=" (year - 1) } { (year - 1) "年" } "　"
                a href={ "/orgs/" (org_id) "/annual?year=" (year) } { (year) "年（截至今日）" } "　"
                a.button href="/import" { "导入数据" } "　"
                a href={ "/orgs/" (org_id) "/completeness" } { "党员信息完整性" }
            }
        }
    }
}
