//! Field research pages (实地访谈、案例分析、文献研究): interviews with their coding
//! page, the code book with the coded passages of each category, the editable lexicon,
//! cases, documents, attachments and full-text search. Staff only, within their scope.

use crate::auth::{checked_form, page_viewer, same_token, Staff, Viewer};
use crate::error::PageError;
use crate::routes::exchange::download;
use crate::view::{page, today};
use crate::AppState;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use domain::org::{Org, OrgLevel};
use domain::research::{CaseForm, CategoryKind, Codebook, DocumentForm, IntervieweeForm, IntervieweeRole, InterviewForm, RequirementForm, ATTACHMENT_KINDS, MAX_ATTACHMENT_BYTES};
use domain::{FieldError, Labelled, ValidationError};
use maud::{html, Markup, PreEscaped};
use qualitative::{interviews, library, ResearchError, Upload};
use serde::Deserialize;
use std::collections::HashMap;

type PageResult = Result<Response, PageError>;

/// Interviewee rows on the form.
const PEOPLE_ROWS: usize = 6;
/// Requirement rows on the document form.
const REQUIREMENT_ROWS: usize = 8;
/// Largest request with attachments (several files up to the per-file limit).
pub const BODY_LIMIT: usize = 6 * MAX_ATTACHMENT_BYTES;

fn bad(msg: impl Into<String>) -> PageError {
    PageError::Status(StatusCode::UNPROCESSABLE_ENTITY, msg.into())
}

impl From<ResearchError> for PageError {
    fn from(e: ResearchError) -> Self {
        match e {
            ResearchError::Invalid(v) => bad(v.summary()),
            ResearchError::Store(s) => s.into(),
            ResearchError::Io(m) => PageError::Status(StatusCode::INTERNAL_SERVER_ERROR, m),
        }
    }
}

/// Jurisdiction-wide edits (lexicon, literature) are for organisation-department staff.
fn admin(v: &Viewer) -> Result<(), PageError> {
    if v.session.user.role != domain::user::Role::Admin {
        return Err(PageError::Status(StatusCode::FORBIDDEN, "只有组织部管理员可以修改词表和文献库".into()));
    }
    Ok(())
}

fn uid(v: &Viewer) -> Option<i64> {
    Some(v.session.user.id)
}

fn csrf(v: &Viewer) -> Markup {
    html! { input type="hidden" name="csrf" value=(v.session.csrf_token); }
}

fn nav(active: &str) -> Markup {
    let items = [("/research", "总览"), ("/interviews", "实地访谈"), ("/research/codes", "编码本"), ("/research/agreement", "编码一致性"), ("/cases", "典型案例"), ("/documents", "政策文献"), ("/research/lexicon", "关键词词表")];
    html! {
        p.crumbs {
            @for (href, label) in items {
                @if label == active { b { (label) } } @else { a href=(href) { (label) } }
                " · "
            }
            a href="/research/search" { "全文检索" }
        }
    }
}

fn errors(e: &Option<ValidationError>) -> Markup {
    html! {
        @if let Some(e) = e {
            div.error role="alert" {
                p { "未保存，请修改以下内容后重新提交（已填写的内容都保留在下面）：" }
                ul { @for f in &e.errors { li data-field=(f.field) { (f.message) } } }
            }
        }
    }
}

/// Markdown of one passage as HTML, sanitised: raw HTML is shown as text, links keep only
/// http(s) and relative targets (a `javascript:` or `data:` link becomes its text), and
/// images are not fetched (their description is shown instead), so notes typed or
/// imported by anyone cannot run script or call out from a reader's browser.
pub(crate) fn markdown(text: &str) -> Markup {
    use pulldown_cmark::{Event, Parser, Tag, TagEnd};
    // Whether each open link was kept, so its end is kept or dropped with it.
    let mut links: Vec<bool> = Vec::new();
    let mut out = String::new();
    let events = Parser::new(text).filter_map(|e| match e {
        Event::Html(h) | Event::InlineHtml(h) => Some(Event::Text(h)),
        Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
            let keep = safe_link(&dest_url);
            links.push(keep);
            keep.then_some(Event::Start(Tag::Link { link_type, dest_url, title, id }))
        }
        Event::End(TagEnd::Link) => links.pop().unwrap_or(false).then_some(Event::End(TagEnd::Link)),
        Event::Start(Tag::Image { .. }) => Some(Event::Text("〔图片：".into())),
        Event::End(TagEnd::Image) => Some(Event::Text("〕".into())),
        e => Some(e),
    });
    pulldown_cmark::html::push_html(&mut out, events);
    PreEscaped(out)
}

/// http(s) or a link within the site (no scheme at all).
fn safe_link(dest: &str) -> bool {
    let d: String = dest.chars().filter(|c| !c.is_whitespace() && !c.is_control()).collect();
    let lower = d.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        return true;
    }
    // Relative: no scheme before the first path, query or fragment character.
    let head = lower.split(['/', '?', '#']).next().unwrap_or("");
    !head.contains(':') && !lower.starts_with("//")
}

#[cfg(test)]
mod markdown_tests {
    #[test]
    fn markdown_is_sanitised() {
        let html = super::markdown("[点我](javascript:alert(1)) [官网](https://www.gov.cn/) [本站](/cases/1) ![图](http://evil.example/x.png) <script>alert(1)</script> [数据](data:text/html,hi) [空格](  JaVaScRiPt:x)").into_string();
        assert!(!html.contains("javascript") && !html.contains("JaVaScRiPt") && !html.contains("data:"), "{html}");
        assert!(html.contains(r#"<a href="https://www.gov.cn/">官网</a>"#) && html.contains(r#"<a href="/cases/1">本站</a>"#), "{html}");
        assert!(!html.contains("<img") && html.contains("〔图片：图〕"), "{html}");
        assert!(html.contains("&lt;script&gt;") && html.contains("点我"), "{html}");
    }
}

fn marked(text: &str, terms: &[String]) -> Markup {
    html! { @for (run, hit) in qualitative::search::highlight(text, terms) { @if hit { mark { (run) } } @else { (run) } } }
}

// ---------------------------------------------------------------- overview and search

/// The REFI-QDA project of everything in the viewer's scope, or the code book alone.
pub async fn refi_export(State(st): State<AppState>, Staff(v): Staff, Path(file): Path<String>) -> PageResult {
    let book = Codebook::builtin();
    match file.as_str() {
        "codebook.qdc" => Ok(download("基层党建调研编码本.qdc", "application/xml", qualitative::refi::codebook_qdc(book).into_bytes())),
        "project.qdpx" => {
            let mut buf = std::io::Cursor::new(Vec::new());
            let e = qualitative::refi::export_qdpx(&st.store, &v.scope, book, &mut buf).await?;
            st.store.audit(v.scope.actor(), None, "export", None, serde_json::json!({"类别": "REFI-QDA 项目", "访谈": e.interviews, "案例": e.cases, "编码": e.codings})).await?;
            Ok(download("基层党建调研资料.qdpx", "application/zip", buf.into_inner()))
        }
        _ => Err(PageError::Status(StatusCode::NOT_FOUND, "没有这种导出文件，可选 project.qdpx 或 codebook.qdc".into())),
    }
}

/// Codings made in another tool, placed on the interviews in the viewer's scope.
pub async fn refi_import(State(st): State<AppState>, Staff(v): Staff, mut mp: Multipart) -> PageResult {
    let (fields, _, files, refused) = read_multipart(&mut mp).await?;
    if !same_token(&v.session.csrf_token, fields.get("csrf").map(String::as_str).unwrap_or("")) {
        return Err(PageError::Status(StatusCode::FORBIDDEN, "表单已过期或来源不明（CSRF 校验失败），请刷新页面后重试".into()));
    }
    if let Some(e) = refused.first() {
        return Err(bad(e.message.clone()));
    }
    let Some(file) = files.first() else { return Err(bad("请选择 REFI-QDA 项目文件（.qdpx）")) };
    let r = qualitative::refi::import_qdpx(&st.store, &v.scope, Codebook::builtin(), &file.bytes, Some(v.session.user.id)).await?;
    Ok(page(&v, "编码已导入", html! {
        section {
            h1 { "REFI-QDA 编码已导入" }
            p { "文件 " (file.file_name) "：对应上的访谈 " (r.sources_matched) " 次，新写入编码 " b { (r.placed) } " 处，已有 " (r.present) " 处，未能放置 " b { (r.unplaced.len()) } " 处。" }
            @if !r.unknown_codes.is_empty() { p { "编码本中没有的编码（未导入）：" (r.unknown_codes.join("、")) } }
            @if !r.sources_unmatched.is_empty() { p { "找不到对应访谈的资料：" (r.sources_unmatched.join("、")) } }
            @if !r.unplaced.is_empty() {
                div.table-wrap { table {
                    tr { th { "资料" } th { "位置（字）" } th { "编码" } th { "原因" } }
                    @for u in &r.unplaced { tr { td { (u.source) } td { (u.start.map(|a| a.to_string()).unwrap_or_default()) "–" (u.end.map(|b| b.to_string()).unwrap_or_default()) } td { (u.code) } td { (u.reason) } } }
                } }
            }
            p { a href="/research" { "返回调研资料" } }
        }
    }))
}

pub async fn overview(State(st): State<AppState>, Staff(v): Staff) -> PageResult {
    let counts = st.store.interview_counts(&v.scope).await?;
    let codes = st.store.coding_counts(&v.scope).await?;
    let cases = st.store.cases(&v.scope).await?;
    let docs = st.store.documents().await?;
    let book = Codebook::builtin();
    Ok(page(&v, "调研资料", html! {
        section {
            h1 { "调研资料" }
            (nav("总览"))
            form.search method="get" action="/research/search" {
                input type="search" name="q" placeholder="检索访谈、案例、文献，如：三会一课、流动党员、经费、班子" aria-label="全文检索";
                button type="submit" { "检索" }
            }
        }
        section {
            h2 { "调研方法" }
            p { "实地访谈：" (interviews::method_sentence(&counts)) }
            p { "案例分析：收集典型案例" (cases.len()) "个，其中成效显著的"
                (cases.iter().filter(|c| c.kind == domain::research::CaseKind::Good).count()) "个、问题突出的"
                (cases.iter().filter(|c| c.kind == domain::research::CaseKind::Problem).count()) "个。" }
            p { "文献研究：文献库收录政策文件和研究资料" (docs.len()) "篇，提炼工作要求"
                (docs.iter().map(|d| d.requirements.len()).sum::<usize>()) "条。" }
            p { a.button href="/interviews/new" { "录入访谈" } " " a.button href="/cases/new" { "录入案例" } }
        }
        section id="refi" {
            h2 { "与质性分析软件交换（REFI-QDA）" }
            p { "导出的项目可在 NVivo、ATLAS.ti、MAXQDA、QualCoder 中打开：访谈和案例为文本资料，编码本的类别为编码，已采纳的编码为带位置的编码段。在那些软件中编码后导出 .qdpx，再导入这里：编码按字符位置放到访谈段落上，放不上的逐条列出原因。" }
            p { a.button href="/research/exchange/project.qdpx" { "导出项目（.qdpx）" } " " a href="/research/exchange/codebook.qdc" { "只导出编码本（.qdc）" } }
            form method="post" action="/research/exchange" enctype="multipart/form-data" {
                input type="hidden" name="csrf" value=(v.session.csrf_token);
                label for="qdpx" { "REFI-QDA 项目文件（.qdpx）" }
                input id="qdpx" type="file" name="attachments" accept=".qdpx,.qde" required;
                button.primary type="submit" { "导入编码" }
            }
        }
        section {
            h2 { "编码结果" }
            div.table-wrap { table {
                tr { th { "报告章节" } th { "类别" } th { "编码段落" } th { "涉及访谈" } th { "可引用" } }
                @for c in &book.categories {
                    @let n = codes.iter().find(|x| x.category == c.id);
                    tr {
                        td { (c.section) } td { a href=(format!("/research/codes/{}", c.id)) { (c.name) } " " span.tag { (c.kind.label()) } }
                        td { (n.map_or(0, |x| x.passages)) } td { (n.map_or(0, |x| x.interviews)) } td { (n.map_or(0, |x| x.quotes)) }
                    }
                }
            } }
        }
    }))
}

#[derive(Deserialize)]
pub struct SearchQuery {
    q: Option<String>,
}

pub fn kind_label(kind: &str) -> &'static str {
    match kind {
        "interview" => "访谈",
        "case" => "案例",
        "answer" => "问卷答案",
        "document" => "文献",
        _ => "资料",
    }
}

pub fn item_href(kind: &str, id: i64, part: i64) -> String {
    match kind {
        "interview" => format!("/interviews/{id}#p{part}"),
        "case" => format!("/cases/{id}"),
        "answer" => format!("/responses/{id}"),
        _ => format!("/documents/{id}"),
    }
}

pub async fn search(State(st): State<AppState>, Staff(v): Staff, Query(q): Query<SearchQuery>) -> PageResult {
    let q = q.q.unwrap_or_default();
    let hits = if q.trim().is_empty() { Vec::new() } else { qualitative::search::search(&st.store, &v.scope, &q, 200).await? };
    let terms = segment::query_terms(&q);
    Ok(page(&v, "全文检索", html! {
        section {
            h1 { "全文检索" }
            (nav(""))
            form.search method="get" action="/research/search" {
                input type="search" name="q" value=(q) placeholder="如：三会一课、流动党员、经费、班子" aria-label="全文检索";
                button type="submit" { "检索" }
            }
            @if !q.trim().is_empty() {
                p.muted { "检索词：" (terms.join(" + ")) "（忽略标点和空格）；找到 " b id="hit-count" { (hits.len()) } " 处。" }
                @if hits.is_empty() { p { "没有找到包含这些词的访谈段落、案例、文献或问卷答案。" } }
                ol.hits {
                    @for h in &hits {
                        li data-kind=(h.kind) {
                            span.tag { (kind_label(&h.kind)) } " "
                            a href=(item_href(&h.kind, h.id, h.part)) { (h.title) }
                            br;
                            span.snippet { (marked(&h.snippet, &terms)) }
                        }
                    }
                }
            }
        }
    }))
}

// ---------------------------------------------------------------- interviews

pub async fn interview_list(State(st): State<AppState>, Staff(v): Staff) -> PageResult {
    let list = st.store.interviews(&v.scope).await?;
    Ok(page(&v, "实地访谈", html! {
        section {
            h1 { "实地访谈" }
            (nav("实地访谈"))
            p { a.button href="/interviews/new" { "录入访谈" } }
            div.table-wrap { table {
                tr { th { "日期" } th { "单位" } th { "单位类型" } th { "受访者" } th { "访谈人" } }
                @for i in &list {
                    tr {
                        td { (i.held_on) }
                        td { a href=(format!("/interviews/{}", i.id)) { (i.org_name) } }
                        td { (i.sector.label()) }
                        td { (people_summary(&i.people)) }
                        td { (i.interviewers) }
                    }
                }
            } }
            @if list.is_empty() { p.muted { "还没有访谈记录。" } }
        }
    }))
}

fn people_summary(p: &[(IntervieweeRole, String, String)]) -> String {
    let mut out: Vec<String> = Vec::new();
    for role in IntervieweeRole::ALL {
        let n = p.iter().filter(|x| x.0 == *role).count();
        if n > 0 {
            out.push(format!("{}{n}人", role.label()));
        }
    }
    out.join("、")
}

/// Units an interview or case may be at: the organisations in scope below the county.
async fn unit_options(st: &AppState, v: &Viewer) -> Result<Vec<Org>, PageError> {
    let root = match v.scope.root_org() {
        Some(r) => r,
        None => match st.store.org_children(&v.scope, None).await?.first() {
            Some(o) => o.org.id,
            None => return Ok(Vec::new()),
        },
    };
    let mut orgs: Vec<Org> = st.store.subtree_orgs(&v.scope, root).await?.into_iter().filter(|o| o.level != OrgLevel::Group).collect();
    orgs.truncate(3000);
    Ok(orgs)
}

/// The organisation typed into a unit field (its code, or its exact name), or why not.
async fn resolve_unit(st: &AppState, v: &Viewer, typed: &str) -> Result<Result<Option<i64>, FieldError>, PageError> {
    let t = typed.trim();
    if t.is_empty() {
        return Ok(Ok(None));
    }
    let code = t.split_whitespace().next().unwrap_or(t);
    if let Ok(o) = st.store.org_by_code(&v.scope, code).await {
        return Ok(Ok(Some(o.id)));
    }
    Ok(match unit_options(st, v).await?.into_iter().find(|o| o.name == t) {
        Some(o) => Ok(Some(o.id)),
        None => Err(FieldError::new("org_id", format!("找不到单位“{t}”，或它不在您的权限范围内；请填写组织代码或从列表中选择"))),
    })
}

/// Every reason a form is refused before it reaches the store: the unit's and the files'
/// first, then the form's own checks (without a second word on the unit).
fn refused_before_saving<T>(pre: Vec<FieldError>, own: Result<T, ValidationError>) -> ResearchError {
    let unit_refused = pre.iter().any(|f| f.field == "org_id");
    let mut errors = pre;
    if let Err(e) = own {
        errors.extend(e.errors.into_iter().filter(|f| !(unit_refused && f.field == "org_id")));
    }
    ResearchError::Invalid(ValidationError { errors })
}

fn unit_field(label: &str, typed: &str, orgs: &[Org]) -> Markup {
    html! {
        label { (label) "（填写组织代码或全称，可从列表中选择）"
            input type="text" name="org" list="units" value=(typed) required autocomplete="off";
        }
        datalist id="units" { @for o in orgs { option value=(o.code) { (o.name) "（" (o.sector.label()) "）" } } }
    }
}

/// Reads a multipart form: text fields, and files checked for size while they stream
/// (an oversized file is drained and named, so later fields still arrive).
async fn read_multipart(mp: &mut Multipart) -> Result<(HashMap<String, String>, Vec<(String, String)>, Vec<Upload>, Vec<FieldError>), PageError> {
    let mut fields = HashMap::new();
    let mut multi: Vec<(String, String)> = Vec::new();
    let mut files = Vec::new();
    let mut refused = Vec::new();
    while let Some(mut field) = mp.next_field().await.map_err(|e| bad(format!("上传中断或格式不正确（{e}），请重新提交")))? {
        let name = field.name().unwrap_or("").to_string();
        if name == "attachments" {
            let file_name = field.file_name().unwrap_or("").to_string();
            let mut bytes = Vec::new();
            let mut too_big = false;
            while let Some(chunk) = field.chunk().await.map_err(|e| bad(format!("上传中断（{e}），请重新提交")))? {
                if bytes.len() + chunk.len() > MAX_ATTACHMENT_BYTES {
                    too_big = true;
                    bytes.clear();
                    continue;
                }
                if !too_big {
                    bytes.extend_from_slice(&chunk);
                }
            }
            if too_big {
                refused.push(FieldError::new("attachments", format!("附件“{file_name}”超过 {} MB 的上限；请压缩或分开上传", MAX_ATTACHMENT_BYTES >> 20)));
            } else if !(file_name.is_empty() && bytes.is_empty()) {
                files.push(Upload { file_name, bytes });
            }
        } else {
            let text = field.text().await.unwrap_or_default();
            if name == "categories" {
                multi.push((name, text));
            } else {
                fields.insert(name, text);
            }
        }
    }
    Ok((fields, multi, files, refused))
}

fn check_csrf(v: &Viewer, fields: &HashMap<String, String>) -> Result<(), PageError> {
    if !same_token(&v.session.csrf_token, fields.get("csrf").map(String::as_str).unwrap_or("")) {
        return Err(PageError::Status(StatusCode::FORBIDDEN, "表单已过期或来源不明（CSRF 校验失败），请刷新页面后重试".into()));
    }
    Ok(())
}

fn get(f: &HashMap<String, String>, k: &str) -> String {
    f.get(k).cloned().unwrap_or_default()
}

fn interview_form_from(f: &HashMap<String, String>) -> InterviewForm {
    InterviewForm {
        org_id: String::new(),
        held_on: get(f, "held_on"),
        place: get(f, "place"),
        interviewers: get(f, "interviewers"),
        interviewees: (0..PEOPLE_ROWS).map(|i| IntervieweeForm { role: get(f, &format!("role_{i}")), name: get(f, &format!("name_{i}")), position: get(f, &format!("position_{i}")) }).collect(),
        notes: get(f, "notes"),
    }
}

fn interview_fields(form: &InterviewForm, org_typed: &str, orgs: &[Org]) -> Markup {
    html! {
        (unit_field("访谈单位", org_typed, orgs))
        label { "访谈日期" input type="date" name="held_on" value=(form.held_on) required; }
        label { "访谈地点" input type="text" name="place" value=(form.place); }
        label { "访谈人（调研组成员）" input type="text" name="interviewers" value=(form.interviewers) required; }
        fieldset {
            legend { "受访者（可匿名，如“村党支部书记”“党员甲”）" }
            table {
                tr { th { "类别" } th { "姓名或称呼" } th { "职务" } }
                @for i in 0..PEOPLE_ROWS {
                    @let p = form.interviewees.get(i).cloned().unwrap_or_default();
                    tr {
                        td { select name=(format!("role_{i}")) aria-label=(format!("第{}位受访者类别", i + 1)) {
                            option value="" { "—" }
                            @for r in IntervieweeRole::ALL { option value=(r.code()) selected[IntervieweeRole::parse(&p.role) == Some(*r)] { (r.label()) } }
                        } }
                        td { input type="text" name=(format!("name_{i}")) value=(p.name) aria-label=(format!("第{}位受访者姓名", i + 1)); }
                        td { input type="text" name=(format!("position_{i}")) value=(p.position) aria-label=(format!("第{}位受访者职务", i + 1)); }
                    }
                }
            }
        }
        label { "访谈记录（Markdown；空行分段，每段可单独编码）"
            textarea name="notes" rows="16" required { (form.notes) }
        }
    }
}

#[derive(Deserialize)]
pub struct NewQuery {
    org: Option<String>,
}

pub async fn new_interview(State(st): State<AppState>, Staff(v): Staff, Query(q): Query<NewQuery>) -> PageResult {
    let orgs = unit_options(&st, &v).await?;
    let form = InterviewForm { held_on: today().to_string(), ..Default::default() };
    Ok(interview_form_page(&v, &form, q.org.as_deref().unwrap_or(""), &orgs, None))
}

fn interview_form_page(v: &Viewer, form: &InterviewForm, org_typed: &str, orgs: &[Org], err: Option<ValidationError>) -> Response {
    let files_lost = err.as_ref().is_some_and(|_| true);
    let status = if err.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let mut r = page(v, "录入访谈", html! {
        section {
            h1 { "录入访谈" }
            (nav("实地访谈"))
            (errors(&err))
            form method="post" action="/interviews" enctype="multipart/form-data" {
                (csrf(v))
                (interview_fields(form, org_typed, orgs))
                label { "附件（可多选；" (ATTACHMENT_KINDS) "，每个不超过 " (MAX_ATTACHMENT_BYTES >> 20) " MB）"
                    input type="file" name="attachments" multiple;
                }
                @if files_lost { p.muted { "出于浏览器安全限制，附件需要重新选择。" } }
                button.primary type="submit" { "保存访谈" }
            }
        }
    });
    *r.status_mut() = status;
    r
}

pub async fn create_interview(State(st): State<AppState>, Staff(v): Staff, mut mp: Multipart) -> PageResult {
    let (fields, _, files, refused) = read_multipart(&mut mp).await?;
    check_csrf(&v, &fields)?;
    let typed = get(&fields, "org");
    let mut form = interview_form_from(&fields);
    let mut pre = refused;
    match resolve_unit(&st, &v, &typed).await? {
        Ok(unit) => form.org_id = unit.map(|u| u.to_string()).unwrap_or_default(),
        Err(e) => pre.push(e),
    }
    let result = if pre.is_empty() { interviews::create(&st.store, &v.scope, &form, files, uid(&v), today()).await } else { Err(refused_before_saving(pre, form.validate(today()))) };
    match result {
        Ok(id) => Ok(Redirect::to(&format!("/interviews/{id}")).into_response()),
        Err(ResearchError::Invalid(e)) => {
            let orgs = unit_options(&st, &v).await?;
            Ok(interview_form_page(&v, &form, &typed, &orgs, Some(e)))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn interview_page(State(st): State<AppState>, Staff(v): Staff, Path(id): Path<i64>) -> PageResult {
    let i = st.store.interview(&v.scope, id).await?;
    let view = interviews::view(&st.store, &v.scope, &i).await?;
    let files = st.store.attachments(&v.scope, "interview", id).await?;
    let book = Codebook::builtin();
    Ok(page(&v, "访谈记录", html! {
        section {
            h1 { "访谈：" (i.org_name) }
            (nav("实地访谈"))
            dl.facts {
                dt { "单位" } dd { (i.org_name) "（" (i.sector.label()) "）" }
                dt { "日期" } dd { (i.held_on) }
                dt { "地点" } dd { (i.place) }
                dt { "访谈人" } dd { (i.interviewers) }
                dt { "受访者" } dd { @for (r, n, p) in &i.people { span.tag { (r.label()) } (n) @if !p.is_empty() { "（" (p) "）" } " " } }
            }
            p { a href=(format!("/interviews/{id}/edit")) { "修改访谈记录" } }
        }
        section {
            h2 { "附件" }
            @if files.is_empty() { p.muted { "没有附件。" } }
            ul { @for f in &files { li { a href=(format!("/attachments/{}", f.id)) { (f.file_name) } " " span.muted { (format!("{:.1} KB", f.size as f64 / 1024.0)) } } } }
            form method="post" action=(format!("/interviews/{id}/attachments")) enctype="multipart/form-data" {
                (csrf(&v))
                label { "添加附件（" (ATTACHMENT_KINDS) "，每个不超过 " (MAX_ATTACHMENT_BYTES >> 20) " MB）" input type="file" name="attachments" multiple; }
                button type="submit" { "上传附件" }
            }
        }
        section {
            h2 { "关键词" }
            p { "TF-IDF：" @for k in &view.tfidf { span.tag { (k.word) } } }
            p { "TextRank：" @for k in &view.textrank { span.tag { (k.word) } } }
        }
        section {
            h2 { "访谈记录与编码" }
            p.muted { "每段可编码到编码本的类别；“建议”来自关键词词表，可接受或拒绝。标记“可引用”的段落会作为报告中的访谈引语。"
                " 第二编码人请用 " a href=(format!("/interviews/{id}/review")) { "复核编码（盲编）" } "：看不到这里的编码和建议。" }
            script src="/static/coding.js" {}
            @for p in &view.passages {
                div.passage id=(format!("p{}", p.index)) data-passage=(p.index) {
                    div.text { (markdown(&p.text)) }
                    @if !p.text.starts_with('#') {
                        div.codes {
                            @for c in &p.codes {
                                span.tag.ok data-category=(c.category) { (c.category_name) @if c.quote { " ★可引用" } }
                                form.inline method="post" action=(format!("/interviews/{id}/codes/{}", c.id)) {
                                    (csrf(&v))
                                    button type="submit" name="action" value="quote" { @if c.quote { "取消引用" } @else { "标为可引用" } }
                                    button type="submit" name="action" value="remove" { "移除" }
                                }
                            }
                            @for s in &p.suggestions {
                                span.tag.warn data-suggested=(s.category) { "建议：" (book.name(&s.category)) "（" (s.keywords.join("、")) "）" }
                                form.inline method="post" action=(format!("/interviews/{id}/codes")) {
                                    (csrf(&v))
                                    input type="hidden" name="passage" value=(p.index);
                                    input type="hidden" name="category" value=(s.category);
                                    input type="hidden" name="suggested" value="1";
                                    button type="submit" name="decision" value="accept" { "接受" }
                                    button type="submit" name="decision" value="reject" { "拒绝" }
                                }
                            }
                        }
                        details {
                            summary { "编码此段" }
                            form method="post" action=(format!("/interviews/{id}/codes")) {
                                (csrf(&v))
                                input type="hidden" name="passage" value=(p.index);
                                input type="hidden" name="decision" value="accept";
                                label { "类别" select name="category" aria-label=(format!("第{}段的类别", p.index + 1)) {
                                    @for kind in CategoryKind::ALL {
                                        optgroup label=(kind.label()) {
                                            @for c in book.categories.iter().filter(|c| c.kind == *kind) { option value=(c.id) { (c.section) " " (c.name) } }
                                        }
                                    }
                                } }
                                label { "摘录（留空为整段；也可粘贴段中的一句）" input type="text" name="excerpt"; }
                                label { input type="checkbox" name="quote" value="1"; " 可作为报告引语" }
                                button type="submit" { "添加编码" }
                            }
                        }
                    }
                }
            }
            @if !view.detached.is_empty() {
                h2 { "原文已修改的编码" }
                ul { @for c in &view.detached { li { span.tag { (c.category_name) } (c.excerpt) } } }
            }
        }
    }))
}

pub async fn add_code(State(st): State<AppState>, Staff(v): Staff, Path(id): Path<i64>, Form(raw): Form<Vec<(String, String)>>) -> PageResult {
    let f = checked_form(&v, raw)?;
    let passage: usize = get(&f, "passage").parse().map_err(|_| bad("段落编号无效，请刷新页面后重试"))?;
    let category = get(&f, "category");
    let excerpt = get(&f, "excerpt");
    let c = interviews::Code {
        passage,
        category: &category,
        excerpt: &excerpt,
        quote: f.contains_key("quote"),
        accepted: get(&f, "decision") != "reject",
        suggested: f.contains_key("suggested"),
    };
    interviews::code(&st.store, &v.scope, id, &c, uid(&v)).await?;
    Ok(Redirect::to(&format!("/interviews/{id}#p{passage}")).into_response())
}

pub async fn change_code(State(st): State<AppState>, Staff(v): Staff, Path((id, coding)): Path<(i64, i64)>, Form(raw): Form<Vec<(String, String)>>) -> PageResult {
    let f = checked_form(&v, raw)?;
    let current = st.store.codings(&v.scope, id).await?.into_iter().find(|c| c.id == coding).ok_or(PageError::Status(StatusCode::NOT_FOUND, "编码不存在".into()))?;
    match get(&f, "action").as_str() {
        "remove" => st.store.update_coding(&v.scope, id, coding, Some("removed"), None).await?,
        "quote" => st.store.update_coding(&v.scope, id, coding, None, Some(!current.quote)).await?,
        other => return Err(bad(format!("未知操作“{other}”"))),
    }
    Ok(Redirect::to(&format!("/interviews/{id}#p{}", current.passage)).into_response())
}

pub async fn edit_interview(State(st): State<AppState>, Staff(v): Staff, Path(id): Path<i64>) -> PageResult {
    let i = st.store.interview(&v.scope, id).await?;
    let orgs = unit_options(&st, &v).await?;
    Ok(edit_page(&v, id, &interviews::form_of(&i), &i.org_code, &orgs, None))
}

fn edit_page(v: &Viewer, id: i64, form: &InterviewForm, org_typed: &str, orgs: &[Org], err: Option<ValidationError>) -> Response {
    let status = if err.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let mut r = page(v, "修改访谈记录", html! {
        section {
            h1 { "修改访谈记录" }
            (nav("实地访谈"))
            (errors(&err))
            p.muted { "已有编码跟随所在段落；若某段被删改，编码连同摘录保留，列在“原文已修改的编码”中。" }
            form method="post" action=(format!("/interviews/{id}/edit")) {
                (csrf(v))
                (interview_fields(form, org_typed, orgs))
                button.primary type="submit" { "保存修改" }
            }
        }
    });
    *r.status_mut() = status;
    r
}

pub async fn update_interview(State(st): State<AppState>, Staff(v): Staff, Path(id): Path<i64>, Form(raw): Form<Vec<(String, String)>>) -> PageResult {
    let f = checked_form(&v, raw)?;
    let typed = get(&f, "org");
    let mut form = interview_form_from(&f);
    let result = match resolve_unit(&st, &v, &typed).await? {
        Ok(unit) => {
            form.org_id = unit.map(|u| u.to_string()).unwrap_or_default();
            interviews::update(&st.store, &v.scope, id, &form, today()).await
        }
        Err(e) => Err(refused_before_saving(vec![e], form.validate(today()))),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/interviews/{id}")).into_response()),
        Err(ResearchError::Invalid(e)) => {
            let orgs = unit_options(&st, &v).await?;
            Ok(edit_page(&v, id, &form, &typed, &orgs, Some(e)))
        }
        Err(e) => Err(e.into()),
    }
}

/// Adds files to an interview, case or document; a refused file stores none of them.
pub async fn add_attachments(State(st): State<AppState>, Staff(v): Staff, Path((kind, id)): Path<(String, i64)>, mut mp: Multipart) -> PageResult {
    let kind = match kind.as_str() {
        "interviews" => "interview",
        "cases" => "case",
        "documents" => "document",
        "meetings" => "meeting",
        _ => return Err(PageError::Status(StatusCode::NOT_FOUND, "页面不存在".into())),
    };
    // The literature library is the jurisdiction's: only administrators change it.
    if kind == "document" {
        admin(&v)?;
    }
    let (fields, _, files, mut refused) = read_multipart(&mut mp).await?;
    check_csrf(&v, &fields)?;
    let back = format!("/{}s/{id}", kind);
    let checked = qualitative::check_uploads(files);
    match checked {
        Ok(ok) if refused.is_empty() => {
            if ok.is_empty() {
                return Err(bad("请选择要上传的附件"));
            }
            st.store.add_attachments(&v.scope, kind, id, &ok, uid(&v)).await?;
            Ok(Redirect::to(&back).into_response())
        }
        other => {
            if let Err(e) = other {
                refused.extend(e);
            }
            let mut r = page(&v, "附件未上传", html! {
                section {
                    h1 { "附件未上传" }
                    div.error role="alert" { ul { @for e in &refused { li { (e.message) } } } }
                    p { "本次选择的附件都没有保存，已有的记录和附件没有变化。" a href=(back) { "返回" } }
                }
            });
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(r)
        }
    }
}

/// An attachment, for whoever may read what it belongs to (a member: the photos and
/// minutes of a meeting on their roll).
pub async fn attachment(State(st): State<AppState>, headers: HeaderMap, Path(id): Path<i64>) -> PageResult {
    let v = page_viewer(&st, &headers).await?;
    let (a, bytes) = st.store.attachment(&v.scope, id).await?;
    Ok(download(&a.file_name, &a.media_type, bytes))
}

/// 复核编码: a second coder codes the interview blind — the passages only, without the
/// first coder's codes or the lexicon's suggestions — for agreement between coders.
pub async fn review_page(State(st): State<AppState>, Staff(v): Staff, Path(id): Path<i64>) -> PageResult {
    let i = st.store.interview(&v.scope, id).await?;
    let mine = st.store.review_codings(&v.scope, id).await?;
    let book = Codebook::builtin();
    Ok(page(&v, "复核编码", html! {
        section {
            h1 { "复核编码（盲编）：" (i.org_name) }
            (nav("编码一致性"))
            p.muted { "本页不显示第一编码人的编码和词表建议。请独立判断每段属于编码本的哪些类别；完成后在“编码一致性”页查看 κ 系数和不一致之处。" }
            @for (n, text) in domain::research::passages(&i.notes).into_iter().enumerate() {
                div.passage id=(format!("p{n}")) data-passage=(n) {
                    div.text { (markdown(text)) }
                    @if !text.starts_with('#') {
                        div.codes {
                            @for c in mine.iter().filter(|c| c.passage == n as i64) {
                                span.tag.ok data-category=(c.category) { (book.name(&c.category)) }
                                form.inline method="post" action=(format!("/interviews/{id}/review")) {
                                    (csrf(&v))
                                    input type="hidden" name="passage" value=(n);
                                    input type="hidden" name="category" value=(c.category);
                                    button type="submit" name="action" value="remove" { "移除" }
                                }
                            }
                        }
                        form.inline method="post" action=(format!("/interviews/{id}/review")) {
                            (csrf(&v))
                            input type="hidden" name="passage" value=(n);
                            select name="category" aria-label=(format!("第{}段的类别", n + 1)) {
                                @for kind in CategoryKind::ALL {
                                    optgroup label=(kind.label()) {
                                        @for c in book.categories.iter().filter(|c| c.kind == *kind) { option value=(c.id) { (c.section) " " (c.name) } }
                                    }
                                }
                            }
                            button type="submit" name="action" value="add" { "编码" }
                        }
                    }
                }
            }
            script src="/static/coding.js" {}
        }
    }))
}

/// A second coder's change: add or remove one passage's category.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReviewChange {
    passage: i64,
    category: String,
    action: String,
}

pub async fn review_change(State(st): State<AppState>, Path(id): Path<i64>, crate::auth::CsrfForm(v, f): crate::auth::CsrfForm<ReviewChange>) -> PageResult {
    if v.scope.own_member().is_some() {
        return Err(PageError::Status(StatusCode::FORBIDDEN, "党员账号不能编码访谈".into()));
    }
    if !Codebook::builtin().categories.iter().any(|c| c.id == f.category) {
        return Err(bad(format!("编码本中没有类别“{}”", f.category)));
    }
    match f.action.as_str() {
        "remove" => st.store.remove_review_coding(&v.scope, id, f.passage, &f.category).await?,
        _ => st.store.add_review_coding(&v.scope, id, f.passage, &f.category, &v.session.user.username, Some(v.session.user.id)).await?,
    }
    Ok(Redirect::to(&format!("/interviews/{id}/review#p{}", f.passage)).into_response())
}

/// 编码一致性: per category, Cohen's κ and the percent agreement between the first coder
/// and the blind second coder, with the confusion counts and the disagreements.
pub async fn agreement(State(st): State<AppState>, Staff(v): Staff) -> PageResult {
    let a = qualitative::agreement::agreement(&st.store, &v.scope).await?;
    Ok(page(&v, "编码一致性", html! {
        section {
            h1 { "编码一致性" }
            (nav("编码一致性"))
            p { "第二编码人盲编的访谈 " b { (a.interviews) } " 次，可编码段落 " b { (a.passages) } " 段。逐段比较两人是否把该段编入某一类别。κ ≥ 0.8 为一致性很好，0.6—0.8 较好，低于 0.6 应商定编码规则后重编。" }
            @if a.interviews == 0 { p.muted { "还没有复核编码。在访谈页点“复核编码（盲编）”开始。" } }
            @else {
                div.table-wrap { table.wide {
                    tr { th { "类别" } th { "都编" } th { "仅第一人" } th { "仅第二人" } th { "都未编" } th { "一致率" } th { "κ" } }
                    @for c in a.categories.iter().filter(|c| c.both + c.first_only + c.second_only > 0) {
                        tr { td { (c.name) } td { (c.both) } td { (c.first_only) } td { (c.second_only) } td { (c.neither) } td { (format!("{:.1}%", c.percent)) }
                            td { @match c.kappa { Some(k) if k < 0.6 => span.tag.bad { (format!("{k:.3}")) }, Some(k) => (format!("{k:.3}")), None => "—" } } }
                    }
                } }
            }
        }
        @if !a.disagreements.is_empty() {
            section id="disagreements" {
                h2 { "不一致之处（" (a.disagreements.len()) "）" }
                ul.cards { @for d in &a.disagreements { li {
                    a href=(format!("/interviews/{}#p{}", d.interview_id, d.passage)) { (d.unit) " 第" (d.passage + 1) "段" } "：" b { (d.name) } " 只有" (d.coded_by) "编了"
                    br; span.muted { (d.text) }
                } } }
            }
        }
    }))
}

/// The coding page's script: a code accepted, rejected or added updates its passage in place.
pub async fn coding_script() -> Response {
    crate::view::script(include_str!("../coding.js"))
}

// ---------------------------------------------------------------- code book and lexicon

pub async fn codes(State(st): State<AppState>, Staff(v): Staff) -> PageResult {
    let counts = st.store.coding_counts(&v.scope).await?;
    let book = Codebook::builtin();
    Ok(page(&v, "编码本", html! {
        section {
            h1 { "编码本" }
            (nav("编码本"))
            p.muted { "类别取自调研报告第二部分（现状与成效）和第三部分（存在的问题），与指标目录共用同一套编号（版本 " (book.version) "）。" }
            @for kind in CategoryKind::ALL {
                h2 { (kind.label()) }
                div.table-wrap { table {
                    tr { th { "章节" } th { "类别" } th { "说明" } th { "编码段落" } }
                    @for c in book.categories.iter().filter(|c| c.kind == *kind) {
                        tr {
                            td { (c.section) } td { a href=(format!("/research/codes/{}", c.id)) { (c.name) } }
                            td { (c.description) } td { (counts.iter().find(|x| x.category == c.id).map_or(0, |x| x.passages)) }
                        }
                    }
                } }
            }
        }
    }))
}

pub async fn category(State(st): State<AppState>, Staff(v): Staff, Path(cat): Path<String>) -> PageResult {
    let c = interviews::category(&st.store, &v.scope, &cat).await?;
    let cases: Vec<store::CaseRow> = st.store.cases(&v.scope).await?.into_iter().filter(|k| k.categories.contains(&cat)).collect();
    Ok(page(&v, &c.name, html! {
        section {
            h1 { (c.section) " " (c.name) }
            (nav(""))
            p { "所有访谈中编码为此类别的段落 " b id="passage-count" { (c.passages.len()) } " 段，来自 "
                (c.passages.iter().map(|p| p.interview_id).collect::<std::collections::BTreeSet<_>>().len()) " 次访谈。" }
            p { "关键词（TF-IDF）：" @for k in &c.tfidf { span.tag { (k.word) } } }
            p { "关键词（TextRank）：" @for k in &c.textrank { span.tag { (k.word) } } }
        }
        section {
            h2 { "编码段落" }
            @for p in &c.passages {
                blockquote.coded data-interview=(p.interview_id) {
                    p { (p.excerpt) }
                    footer.muted { "—— " a href=(format!("/interviews/{}", p.interview_id)) { (p.unit) } "（" (p.unit_type) "，" (p.held_on) "）" @if p.quote { " ★可引用" } }
                }
            }
            @if c.passages.is_empty() { p.muted { "还没有编码为此类别的段落。" } }
        }
        section {
            h2 { "相关案例" }
            ul { @for k in &cases { li { a href=(format!("/cases/{}", k.id)) { (k.title) } " " span.tag { (k.kind.label()) } } } }
            @if cases.is_empty() { p.muted { "没有关联此类别的案例。" } }
        }
    }))
}

pub async fn lexicon(State(st): State<AppState>, Staff(v): Staff) -> PageResult {
    let lex = interviews::lexicon(&st.store).await?;
    let book = Codebook::builtin();
    let measure = |set: &str| qualitative::lexicon::read_labelled(set).map(|s| qualitative::lexicon::evaluate(&lex, &s)).ok();
    let held = measure(qualitative::HELD_OUT_SET);
    let tune = measure(qualitative::TUNING_SET);
    let is_admin = v.session.user.role == domain::user::Role::Admin;
    Ok(page(&v, "关键词词表", html! {
        section {
            h1 { "关键词词表" }
            (nav("关键词词表"))
            p { "访谈段落中出现某类别的关键词（忽略标点和空格），且权重合计达到 " (qualitative::lexicon::THRESHOLD) " 时，系统建议把该段编码为此类别。" }
            @if let (Some(h), Some(t)) = (&held, &tune) {
                p { "当前词表在标注样本上的表现：留出样本 " (h.passages) " 段，准确率（precision）" (format!("{:.1}%", h.precision * 100.0)) "，召回率（recall）" (format!("{:.1}%", h.recall * 100.0))
                    "；调词样本 " (t.passages) " 段，准确率 " (format!("{:.1}%", t.precision * 100.0)) "，召回率 " (format!("{:.1}%", t.recall * 100.0)) "。" }
            }
            @if is_admin {
                h2 { "添加关键词" }
                form method="post" action="/research/lexicon" {
                    (csrf(&v))
                    input type="hidden" name="action" value="add";
                    label { "关键词" input type="text" name="keyword" required; }
                    label { "类别" select name="category" { @for c in &book.categories { option value=(c.id) { (c.section) " " (c.name) } } } }
                    label { "权重（0 到 5，通常为 1；较弱的线索用 0.5）" input type="text" name="weight" value="1"; }
                    button type="submit" { "添加" }
                }
            }
        }
        @for c in &book.categories {
            section {
                h2 { (c.section) " " (c.name) }
                p {
                    @for e in lex.entries.iter().filter(|e| e.category == c.id) {
                        span.tag.ok[!e.builtin] { (e.keyword) @if e.weight != 1.0 { "×" (e.weight) } }
                        @if is_admin {
                            form.inline method="post" action="/research/lexicon" {
                                (csrf(&v))
                                input type="hidden" name="action" value="remove";
                                input type="hidden" name="keyword" value=(e.keyword);
                                input type="hidden" name="category" value=(c.id);
                                button type="submit" title="从词表移除" aria-label=(format!("移除{}", e.keyword)) { "×" }
                            }
                        }
                        " "
                    }
                }
            }
        }
    }))
}

pub async fn change_lexicon(State(st): State<AppState>, Staff(v): Staff, Form(raw): Form<Vec<(String, String)>>) -> PageResult {
    admin(&v)?;
    let f = checked_form(&v, raw)?;
    let category = get(&f, "category");
    if Codebook::builtin().category(&category).is_none() {
        return Err(bad(format!("编码类别“{category}”不在编码本中")));
    }
    let action = get(&f, "action");
    let (keyword, weight) = match action.as_str() {
        "add" => domain::research::parse_keyword(&format!("{}:{}", get(&f, "keyword").trim(), if get(&f, "weight").trim().is_empty() { "1".into() } else { get(&f, "weight") })).map_err(bad)?,
        "remove" => (get(&f, "keyword").trim().to_string(), 0.0),
        other => return Err(bad(format!("未知操作“{other}”"))),
    };
    if keyword.is_empty() {
        return Err(bad("请填写关键词"));
    }
    st.store.insert_lexicon_change(&keyword, &category, weight.max(0.0), &action, uid(&v)).await?;
    Ok(Redirect::to("/research/lexicon").into_response())
}

// ---------------------------------------------------------------- cases

pub async fn case_list(State(st): State<AppState>, Staff(v): Staff) -> PageResult {
    let list = st.store.cases(&v.scope).await?;
    let book = Codebook::builtin();
    Ok(page(&v, "典型案例", html! {
        section {
            h1 { "典型案例" }
            (nav("典型案例"))
            p { a.button href="/cases/new" { "录入案例" } }
            div.table-wrap { table {
                tr { th { "标题" } th { "类型" } th { "单位" } th { "时间" } th { "类别" } }
                @for c in &list {
                    tr {
                        td { a href=(format!("/cases/{}", c.id)) { (c.title) } }
                        td { span.tag.ok[c.kind == domain::research::CaseKind::Good] .bad[c.kind == domain::research::CaseKind::Problem] { (c.kind.label()) } }
                        td { (c.org_name) } td { (c.period) }
                        td { @for k in &c.categories { span.tag { (book.name(k)) } } }
                    }
                }
            } }
            @if list.is_empty() { p.muted { "还没有案例。" } }
        }
    }))
}

fn case_form_page(v: &Viewer, form: &CaseForm, org_typed: &str, orgs: &[Org], err: Option<ValidationError>) -> Response {
    let book = Codebook::builtin();
    let status = if err.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let mut r = page(v, "录入案例", html! {
        section {
            h1 { "录入案例" }
            (nav("典型案例"))
            (errors(&err))
            form method="post" action="/cases" enctype="multipart/form-data" {
                (csrf(v))
                label { "案例标题" input type="text" name="title" value=(form.title) required; }
                label { "类型" select name="kind" {
                    option value="" { "—" }
                    @for k in domain::research::CaseKind::ALL { option value=(k.code()) selected[domain::research::CaseKind::parse(&form.kind) == Some(*k)] { (k.label()) } }
                } }
                (unit_field("所在单位", org_typed, orgs))
                label { "时间段（如 2025年3月至2026年6月）" input type="text" name="period" value=(form.period) required; }
                label { "背景" textarea name="background" rows="4" { (form.background) } }
                label { "主要做法" textarea name="actions" rows="4" { (form.actions) } }
                label { "成效或后果" textarea name="result" rows="3" { (form.result) } }
                label { "经验教训" textarea name="lessons" rows="3" { (form.lessons) } }
                fieldset {
                    legend { "说明的成效或问题（编码类别，可多选）" }
                    @for c in &book.categories {
                        label { input type="checkbox" name="categories" value=(c.id) checked[form.categories.contains(&c.id)]; " " (c.section) " " (c.name) }
                    }
                }
                label { "资料来源" input type="text" name="sources" value=(form.sources); }
                label { "附件（" (ATTACHMENT_KINDS) "）" input type="file" name="attachments" multiple; }
                @if err.is_some() { p.muted { "出于浏览器安全限制，附件需要重新选择。" } }
                button.primary type="submit" { "保存案例" }
            }
        }
    });
    *r.status_mut() = status;
    r
}

pub async fn new_case(State(st): State<AppState>, Staff(v): Staff, Query(q): Query<NewQuery>) -> PageResult {
    let orgs = unit_options(&st, &v).await?;
    Ok(case_form_page(&v, &CaseForm::default(), q.org.as_deref().unwrap_or(""), &orgs, None))
}

pub async fn create_case(State(st): State<AppState>, Staff(v): Staff, mut mp: Multipart) -> PageResult {
    let (f, multi, files, refused) = read_multipart(&mut mp).await?;
    check_csrf(&v, &f)?;
    let typed = get(&f, "org");
    let mut pre = refused;
    let unit = resolve_unit(&st, &v, &typed).await?.unwrap_or_else(|e| {
        pre.push(e);
        None
    });
    let form = CaseForm {
        org_id: unit.map(|u| u.to_string()).unwrap_or_default(),
        title: get(&f, "title"),
        kind: get(&f, "kind"),
        period: get(&f, "period"),
        background: get(&f, "background"),
        actions: get(&f, "actions"),
        result: get(&f, "result"),
        lessons: get(&f, "lessons"),
        categories: multi.into_iter().map(|(_, v)| v).collect(),
        sources: get(&f, "sources"),
    };
    let result = if pre.is_empty() { library::create_case(&st.store, &v.scope, &form, files, uid(&v)).await } else { Err(refused_before_saving(pre, form.validate(Codebook::builtin()))) };
    match result {
        Ok(id) => Ok(Redirect::to(&format!("/cases/{id}")).into_response()),
        Err(ResearchError::Invalid(e)) => {
            let orgs = unit_options(&st, &v).await?;
            Ok(case_form_page(&v, &form, &typed, &orgs, Some(e)))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn case_page(State(st): State<AppState>, Staff(v): Staff, Path(id): Path<i64>) -> PageResult {
    let c = st.store.case(&v.scope, id).await?;
    let files = st.store.attachments(&v.scope, "case", id).await?;
    let book = Codebook::builtin();
    Ok(page(&v, &c.title, html! {
        section {
            h1 { (c.title) }
            (nav("典型案例"))
            dl.facts {
                dt { "类型" } dd { (c.kind.label()) }
                dt { "单位" } dd { (c.org_name) "（" (c.sector.label()) "）" }
                dt { "时间" } dd { (c.period) }
                dt { "类别" } dd { @for k in &c.categories { a.tag href=(format!("/research/codes/{k}")) { (book.name(k)) } } }
                dt { "来源" } dd { (c.sources) }
            }
        }
        @for (label, text) in [("背景", &c.background), ("主要做法", &c.actions), ("成效或后果", &c.result), ("经验教训", &c.lessons)] {
            section { h2 { (label) } (markdown(text)) }
        }
        section {
            h2 { "附件" }
            ul { @for f in &files { li { a href=(format!("/attachments/{}", f.id)) { (f.file_name) } } } }
            form method="post" action=(format!("/cases/{id}/attachments")) enctype="multipart/form-data" {
                (csrf(&v))
                input type="file" name="attachments" multiple aria-label="添加附件";
                button type="submit" { "上传附件" }
            }
        }
    }))
}

// ---------------------------------------------------------------- documents

pub async fn document_list(State(st): State<AppState>, Staff(v): Staff) -> PageResult {
    let list = st.store.documents().await?;
    Ok(page(&v, "政策文献", html! {
        section {
            h1 { "政策文献" }
            (nav("政策文献"))
            @if v.session.user.role == domain::user::Role::Admin { p { a.button href="/documents/new" { "录入文献" } } }
            div.table-wrap { table {
                tr { th { "标题" } th { "类型" } th { "发文机关或作者" } th { "文号" } th { "日期" } th { "要求" } }
                @for d in &list {
                    tr {
                        td { a href=(format!("/documents/{}", d.id)) { "《" (d.title) "》" } }
                        td { (d.kind.label()) } td { (d.issuer) } td { (d.doc_number) } td { (crate::view::opt(&d.issued_on)) } td { (d.requirements.len()) }
                    }
                }
            } }
        }
    }))
}

fn document_form_page(v: &Viewer, st: &AppState, form: &DocumentForm, err: Option<ValidationError>) -> Response {
    let entries = domain::rules::entries(&st.rules_text);
    let status = if err.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let mut r = page(v, "录入文献", html! {
        section {
            h1 { "录入文献" }
            (nav("政策文献"))
            (errors(&err))
            form method="post" action="/documents" enctype="multipart/form-data" {
                (csrf(v))
                label { "标题（不含书名号）" input type="text" name="title" value=(form.title) required; }
                label { "类型" select name="kind" { @for k in domain::research::DocumentKind::ALL { option value=(k.code()) selected[domain::research::DocumentKind::parse(&form.kind) == Some(*k)] { (k.label()) } } } }
                label { "发文机关或作者" input type="text" name="issuer" value=(form.issuer) required; }
                label { "文号（如 中组发〔2008〕3号）" input type="text" name="doc_number" value=(form.doc_number); }
                label { "发布日期" input type="date" name="issued_on" value=(form.issued_on); }
                label { "链接" input type="text" name="url" value=(form.url); }
                label { "内容摘要" textarea name="summary" rows="4" { (form.summary) } }
                fieldset {
                    legend { "文件提出的要求，及其对应的规则文件条目" }
                    @for i in 0..REQUIREMENT_ROWS {
                        @let r = form.requirements.get(i).cloned().unwrap_or_default();
                        div {
                            input type="text" name=(format!("req_{i}")) value=(r.text) aria-label=(format!("第{}条要求", i + 1));
                            select name=(format!("rule_{i}")) aria-label=(format!("第{}条要求对应的规则", i + 1)) {
                                option value="" { "（不对应规则）" }
                                @for e in &entries { option value=(e.key) selected[e.key == r.rule_key] { (e.key) } }
                            }
                        }
                    }
                }
                label { "附件（" (ATTACHMENT_KINDS) "）" input type="file" name="attachments" multiple; }
                button.primary type="submit" { "保存文献" }
            }
        }
    });
    *r.status_mut() = status;
    r
}

pub async fn new_document(State(st): State<AppState>, Staff(v): Staff) -> PageResult {
    admin(&v)?;
    Ok(document_form_page(&v, &st, &DocumentForm::default(), None))
}

pub async fn create_document(State(st): State<AppState>, Staff(v): Staff, mut mp: Multipart) -> PageResult {
    admin(&v)?;
    let (f, _, files, refused) = read_multipart(&mut mp).await?;
    check_csrf(&v, &f)?;
    let form = DocumentForm {
        title: get(&f, "title"),
        kind: get(&f, "kind"),
        issuer: get(&f, "issuer"),
        doc_number: get(&f, "doc_number"),
        issued_on: get(&f, "issued_on"),
        url: get(&f, "url"),
        summary: get(&f, "summary"),
        requirements: (0..REQUIREMENT_ROWS).map(|i| RequirementForm { text: get(&f, &format!("req_{i}")), rule_key: get(&f, &format!("rule_{i}")) }).collect(),
    };
    let keys: Vec<String> = domain::rules::entries(&st.rules_text).into_iter().map(|e| e.key).collect();
    let result = if refused.is_empty() {
        library::create_document(&st.store, &form, files, &st.rules_text, uid(&v), today()).await
    } else {
        Err(refused_before_saving(refused, form.validate(today(), &keys)))
    };
    match result {
        Ok(id) => Ok(Redirect::to(&format!("/documents/{id}")).into_response()),
        Err(ResearchError::Invalid(e)) => Ok(document_form_page(&v, &st, &form, Some(e))),
        Err(e) => Err(e.into()),
    }
}

pub async fn document_page(State(st): State<AppState>, Staff(v): Staff, Path(id): Path<i64>) -> PageResult {
    let d = st.store.document(id).await?;
    let files = st.store.attachments(&v.scope, "document", id).await?;
    let entries = domain::rules::entries(&st.rules_text);
    Ok(page(&v, &d.title, html! {
        section {
            h1 { "《" (d.title) "》" }
            (nav("政策文献"))
            dl.facts {
                dt { "类型" } dd { (d.kind.label()) }
                dt { "发文机关或作者" } dd { (d.issuer) }
                dt { "文号" } dd { (if d.doc_number.is_empty() { "—" } else { d.doc_number.as_str() }) }
                dt { "日期" } dd { (crate::view::opt(&d.issued_on)) }
                @if !d.url.is_empty() { dt { "链接" } dd { a href=(d.url) rel="noopener noreferrer" { (d.url) } } }
            }
            (markdown(&d.summary))
        }
        section {
            h2 { "提出的要求" }
            div.table-wrap { table {
                tr { th { "要求" } th { "规则文件条目" } }
                @for (text, key) in &d.requirements {
                    tr { td { (text) } td {
                        @if let Some(k) = key {
                            code { (k) }
                            @if !entries.iter().any(|e| &e.key == k) { " " span.tag.warn { "当前规则文件中已没有此条" } }
                        } @else { "—" }
                    } }
                }
            } }
        }
        section {
            h2 { "附件" }
            ul { @for f in &files { li { a href=(format!("/attachments/{}", f.id)) { (f.file_name) } } } }
        }
    }))
}
