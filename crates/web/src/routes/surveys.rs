//! Questionnaire research pages for staff (问卷调查): questionnaires (XLSForm upload and
//! download, the built-in one), campaigns with their unit links and QR codes, counts
//! (发放/回收/有效/有效回收率), responses with verdicts and overrides, analysis, exports.

use crate::auth::{checked_form, same_token, Staff, Viewer};
use crate::error::PageError;
use crate::routes::exchange::download;
use crate::view::{page, today};
use crate::AppState;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use domain::org::OrgLevel;
use domain::Labelled;
use maud::{html, PreEscaped};
use serde::Deserialize;
use store::NewCampaign;
use survey::analysis::{crosstab, dimensions, frequencies, keywords, By};
use survey::campaign::{load, stats, SurveyError};
use survey::export::Format;
use survey::validity::Rules;

type PageResult = Result<Response, PageError>;

fn bad(msg: impl Into<String>) -> PageError {
    PageError::Status(StatusCode::UNPROCESSABLE_ENTITY, msg.into())
}

impl From<SurveyError> for PageError {
    fn from(e: SurveyError) -> Self {
        match e {
            SurveyError::Store(s) => s.into(),
            SurveyError::Form(f) => bad(f.to_string()),
            other => PageError::Status(StatusCode::INTERNAL_SERVER_ERROR, other.to_string()),
        }
    }
}

fn pct(r: Option<f64>) -> String {
    r.map(|r| format!("{r:.1}%")).unwrap_or_else(|| "—".into())
}

pub async fn home(State(st): State<AppState>, Staff(v): Staff) -> PageResult {
    let campaigns = st.store.campaigns(&v.scope).await?;
    let forms = st.store.questionnaires().await?;
    let builtin = survey::builtin::questionnaire();
    let root = match v.scope.root_org() {
        Some(r) => Some(r),
        None => st.store.org_children(&v.scope, None).await?.first().map(|o| o.org.id),
    };
    Ok(page(&v, "问卷调查", html! {
        section {
            h1 { "问卷调查" }
            p { "调研活动把问卷发放到所选单位，每个单位一个填写链接和二维码；回收的答卷按有效规则判定，统计发放、回收、有效数和有效回收率。" }
            @if let Some(r) = root { a.button href=(format!("/campaigns/new?org={r}")) { "新建调研" } }
        }
        section {
            h2 { "调研活动" }
            @if campaigns.is_empty() { p.muted { "还没有调研活动。" } }
            @else {
                div.table-wrap { table {
                    tr { th { "名称" } th { "组织单位" } th { "问卷" } th { "时间" } }
                    @for c in &campaigns {
                        tr { td { a href=(format!("/campaigns/{}", c.id)) { (c.title) } } td { (c.org_name) } td { (c.questionnaire_title) } td { (c.opens_on) " 至 " (c.closes_on) } }
                    }
                } }
            }
        }
        section {
            h2 { "问卷" }
            p { "内置问卷：" b { (builtin.title) } "（" a href="/surveys/builtin.xlsx" { "下载 XLSForm" } "，可在 Excel 或 WPS 中修改后上传）" }
            div.table-wrap { table {
                tr { th { "编号" } th { "标题" } th { "表单代码" } th { "版本" } th { "XLSForm" } }
                @for q in &forms {
                    tr { td { (q.id) } td { (q.title) } td { (q.form_id) } td { (q.version) } td { a href=(format!("/surveys/questionnaires/{}/xlsform", q.id)) { "下载" } } }
                }
            } }
            h2 id="results" { "导入问卷星、腾讯问卷的答卷" }
            p.muted { "在问卷星“下载答卷数据”中导出“按文本”（或同时导出“按序号”）的 Excel/CSV 文件，在腾讯问卷中导出答卷 Excel，上传后建成一次调研：题目和选项由文件推断，也可对应到已有问卷；提交时间、作答时长和“其他”填写内容都保留，并按有效问卷规则判定。任何一行有错误都不导入。" }
            form method="post" action="/surveys/results" enctype="multipart/form-data" {
                input type="hidden" name="csrf" value=(v.session.csrf_token);
                label for="results-file" { "答卷文件（.xlsx、.xls、.csv）" }
                input id="results-file" type="file" name="file" accept=".xlsx,.xls,.csv" required;
                label for="results-numbers" { "问卷星“按序号”文件（可选，与上一个文件是同一批答卷时给出选项顺序）" }
                input id="results-numbers" type="file" name="file" accept=".xlsx,.xls,.csv";
                label for="results-form" { "问卷" }
                select id="results-form" name="questionnaire" {
                    option value="" { "由文件推断题目和选项" }
                    @for q in &forms { option value=(q.id) { "对应到：" (q.title) "（编号" (q.id) "）" } }
                }
                label for="results-title" { "调研名称（可不填）" }
                input id="results-title" type="text" name="title" maxlength="100";
                button.primary type="submit" { "导入答卷" }
            }
            h2 { "上传问卷（XLSForm）" }
            form method="post" action="/surveys/questionnaires" enctype="multipart/form-data" {
                input type="hidden" name="csrf" value=(v.session.csrf_token);
                label { "XLSForm 文件（.xlsx，含 survey、choices、settings 工作表）" input type="file" name="file" accept=".xlsx,.xls"; }
                button.primary type="submit" { "上传" }
            }
        }
    }))
}

/// The built-in questionnaire as XLSForm, for staff to adapt (signed in, like every staff page).
pub async fn builtin_xlsform(State(st): State<AppState>, headers: HeaderMap) -> Result<Response, PageError> {
    crate::auth::page_viewer(&st, &headers).await?;
    Ok(match survey::xlsform::write(&survey::builtin::questionnaire()) {
        Ok(b) => download("基层党建工作调研问卷.xlsx", XLSX, b),
        Err(e) => bad(e.to_string()).into_response(),
    })
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

pub async fn xlsform(State(st): State<AppState>, _: Staff, Path(id): Path<i64>) -> PageResult {
    let f = survey::campaign::questionnaire(&st.store, id).await?;
    let b = survey::xlsform::write(&f).map_err(|e| bad(e.to_string()))?;
    Ok(download(&format!("{}.xlsx", f.title), XLSX, b))
}

/// Largest questionnaire file accepted.
pub const FORM_LIMIT: usize = 5 * 1024 * 1024;

pub async fn upload(State(st): State<AppState>, Staff(v): Staff, mut mp: Multipart) -> PageResult {
    let (mut csrf, mut bytes, mut name) = (String::new(), Vec::new(), String::new());
    while let Some(mut field) = mp.next_field().await.map_err(|e| bad(format!("上传中断或格式不正确（{e}），请重新上传")))? {
        match field.name().unwrap_or("") {
            "csrf" => csrf = field.text().await.unwrap_or_default(),
            "file" => {
                name = field.file_name().unwrap_or("").to_string();
                while let Some(chunk) = field.chunk().await.map_err(|e| bad(format!("上传中断（{e}），请重新上传")))? {
                    if bytes.len() + chunk.len() > FORM_LIMIT {
                        return Err(PageError::Status(StatusCode::PAYLOAD_TOO_LARGE, format!("问卷文件超过 {} MB：XLSForm 问卷通常只有几十 KB，请确认上传的是问卷文件", FORM_LIMIT >> 20)));
                    }
                    bytes.extend_from_slice(&chunk);
                }
            }
            _ => {}
        }
    }
    if !same_token(&v.session.csrf_token, &csrf) {
        return Err(PageError::Status(StatusCode::FORBIDDEN, "表单已过期或来源不明（CSRF 校验失败），请刷新页面后重试".into()));
    }
    if bytes.is_empty() {
        return Err(bad("请选择要上传的 XLSForm 文件"));
    }
    match survey::campaign::import_questionnaire(&st.store, &bytes, Some(v.session.user.id)).await {
        Ok((id, warnings)) => Ok(page(&v, "问卷已上传", html! {
            section {
                h1 { "问卷已上传" }
                p { "文件 " (name) " 已保存为问卷 " (id) "。" }
                @if !warnings.is_empty() { p { "提示：" } ul { @for w in &warnings { li { (w) } } } }
                p { a href="/surveys" { "返回问卷调查" } }
            }
        })),
        Err(SurveyError::Form(errs)) => {
            let mut res = page(&v, "问卷有误", html! {
                section {
                    h1 { "问卷文件有误，未上传" }
                    p { "文件 " (name) " 有 " (errs.0.len()) " 处问题，请修改后重新上传：" }
                    ul.error { @for e in &errs.0 { li { (e.to_string()) } } }
                    p { a href="/surveys" { "返回" } }
                }
            });
            *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(res)
        }
        Err(e) => Err(e.into()),
    }
}

/// Receives 问卷星 / 腾讯问卷 result files (one, or the 按文本 and 按序号 pair) and imports
/// them as a campaign of the viewer's top organisation.
pub async fn upload_results(State(st): State<AppState>, Staff(v): Staff, mut mp: Multipart) -> PageResult {
    let limit = crate::routes::exchange::UPLOAD_LIMIT;
    let dir = crate::work_dir().join("uploads");
    std::fs::create_dir_all(&dir).map_err(|e| bad(format!("无法保存上传的文件：{e}")))?;
    let (mut csrf, mut title, mut onto) = (String::new(), String::new(), String::new());
    let mut files: Vec<survey::campaign::ResultsFile> = Vec::new();
    let token = store::random_token();
    let mut too_big = None;
    while let Some(mut field) = mp.next_field().await.map_err(|e| bad(format!("上传中断或格式不正确（{e}），请重新上传")))? {
        match field.name().unwrap_or("") {
            "csrf" => csrf = field.text().await.unwrap_or_default(),
            "title" => title = field.text().await.unwrap_or_default(),
            "questionnaire" => onto = field.text().await.unwrap_or_default(),
            "file" if files.len() < 2 => {
                let shown = field.file_name().unwrap_or("").to_string();
                let path = dir.join(format!("{}-{token}-{}", v.session.user.id, files.len()));
                let mut bytes = Vec::new();
                while let Some(chunk) = field.chunk().await.map_err(|e| bad(format!("上传中断（{e}），请重新上传")))? {
                    if bytes.len() + chunk.len() > limit {
                        too_big = Some(shown.clone());
                    } else {
                        bytes.extend_from_slice(&chunk);
                    }
                }
                if !bytes.is_empty() {
                    std::fs::write(&path, &bytes).map_err(|e| bad(format!("无法保存上传的文件：{e}")))?;
                    files.push(survey::campaign::ResultsFile { path, shown });
                }
            }
            _ => {}
        }
    }
    let cleanup = |files: &[survey::campaign::ResultsFile]| files.iter().for_each(|f| drop(std::fs::remove_file(&f.path)));
    if !same_token(&v.session.csrf_token, &csrf) {
        cleanup(&files);
        return Err(PageError::Status(StatusCode::FORBIDDEN, "表单已过期或来源不明（CSRF 校验失败），请刷新页面后重试".into()));
    }
    if let Some(name) = too_big {
        cleanup(&files);
        return Err(PageError::Status(StatusCode::PAYLOAD_TOO_LARGE, format!("文件“{name}”超过网页上传上限{} MB；请用命令行 dangjian survey import-results 导入", limit >> 20)));
    }
    if files.is_empty() {
        return Err(bad("请选择问卷星或腾讯问卷导出的答卷文件"));
    }
    let onto = match onto.trim() {
        "" => None,
        s => Some(s.parse::<i64>().map_err(|_| bad("请从列表中选择问卷"))?),
    };
    let org = match v.scope.root_org() {
        Some(r) => r,
        None => st.store.org_children(&v.scope, None).await?.first().map(|o| o.org.id).ok_or_else(|| bad("还没有党组织，无法建立调研"))?,
    };
    let result = survey::campaign::import_results(&st.store, &v.scope, org, &files, onto, Some(title.trim()), Some(v.session.user.id), crate::view::today()).await;
    cleanup(&files);
    match result {
        Ok(r) => Ok(page(&v, "答卷已导入", html! {
            section {
                h1 { "答卷已导入" }
                ul { @for f in &r.files { li { (f.file) "：" (f.platform) (f.coding) "文件，" (f.rows) "份答卷，" (f.questions) "道题" } } }
                p { "问卷" (if r.inferred { "由文件推断" } else { "对应到已有问卷" }) "（编号" (r.questionnaire) "）。导入答卷 " b { (r.responses) } " 份，其中有效 " b { (r.valid) } " 份"
                    @if r.repeated > 0 { "（" (r.repeated) "份重复，未计）" } "。" }
                @if !r.notes.is_empty() { ul { @for n in &r.notes { li { (n) } } } }
                p { a.button href=(format!("/campaigns/{}", r.campaign)) { "查看调研" } " " a href=(format!("/campaigns/{}/analysis", r.campaign)) { "统计分析" } }
            }
        })),
        Err(SurveyError::Platform(errs)) => {
            let mut res = page(&v, "答卷文件有误", html! {
                section {
                    h1 { "答卷文件有误，未导入" }
                    p { "有 " (errs.0.len()) " 处问题，请修改后重新上传（没有写入任何数据）：" }
                    ul.error { @for e in errs.0.iter().take(100) { li { (e) } } }
                    p { a href="/surveys#results" { "返回" } }
                }
            });
            *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(res)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct NewQuery {
    /// The organisation running it; the viewer's own (or the jurisdiction's top) if left out.
    pub org: Option<i64>,
}

/// The parts of `org` (its children, e.g. 乡镇) and the units a campaign may survey under
/// it: its branches and general branches, each with the index of the part it is in.
type Candidates = (Vec<store::OrgSummary>, Vec<(domain::org::Org, Option<usize>)>);

async fn candidate_units(st: &AppState, v: &Viewer, org: &domain::org::Org) -> Result<Candidates, PageError> {
    let parts = st.store.org_children(&v.scope, Some(org.id)).await?;
    let units = st.store.subtree_orgs(&v.scope, org.id).await?.into_iter().filter(|o| matches!(o.level, OrgLevel::Branch | OrgLevel::GeneralBranch));
    let units = units
        .map(|u| {
            let part = u.path.strip_prefix(org.path.as_str()).and_then(|r| r.split('/').next()).and_then(|id| id.parse::<i64>().ok()).and_then(|id| parts.iter().position(|p| p.org.id == id));
            (u, part)
        })
        .collect();
    Ok((parts, units))
}

pub async fn new_campaign(State(st): State<AppState>, Staff(v): Staff, Query(q): Query<NewQuery>) -> PageResult {
    let id = match q.org.or(v.scope.root_org()) {
        Some(id) => id,
        None => st.store.org_children(&v.scope, None).await?.first().map(|o| o.org.id).ok_or_else(|| bad("还没有党组织，请先导入组织架构"))?,
    };
    let org = st.store.org(&v.scope, id).await?;
    let builtin = survey::campaign::builtin_id(&st.store).await?;
    let forms = st.store.questionnaires().await?;
    let (parts, units) = candidate_units(&st, &v, &org).await?;
    let count_part = |i: usize| units.iter().filter(|u| u.1 == Some(i)).count();
    let sectors: Vec<(domain::org::Sector, usize)> = domain::org::Sector::ALL.iter().map(|s| (*s, units.iter().filter(|u| u.0.sector == *s).count())).filter(|x| x.1 > 0).collect();
    let r = Rules::default();
    let t = today();
    Ok(page(&v, "新建调研", html! {
        section {
            h1 { "新建调研：" (org.name) }
            form method="post" action="/campaigns" {
                input type="hidden" name="csrf" value=(v.session.csrf_token);
                input type="hidden" name="org" value=(org.id);
                label { "调研名称" input type="text" name="title" required value=(format!("{}年基层党建工作问卷调查", chrono::Datelike::year(&t))); }
                label { "问卷" select name="questionnaire" { @for f in &forms { option value=(f.id) selected[f.id == builtin] { (f.title) "（" (f.form_id) " " (f.version) "）" } } } }
                label { "开始日期" input type="date" name="opens_on" value=(t); }
                label { "结束日期" input type="date" name="closes_on" value=(t + chrono::Duration::days(30)); }
                label { "每个单位发放份数" input type="text" name="issued" value="20" inputmode="numeric"; }
                h2 { "有效问卷规则" }
                (rules_fields(&r))
                h2 { "调研单位（共" (units.len()) "个可选）" }
                p.muted { "默认一个也不选。可按乡镇/街道、按领域整批选择（两者都选时取交集），也可以逐个勾选；每个单位生成一个填写链接和二维码。问卷中只适用于某类单位的题目（如村“两委”）只向该类单位的受访者显示。" }
                div #unit-picker {
                    @if !parts.is_empty() {
                        fieldset { legend { "按下级党组织（乡镇/街道）" }
                            @for (i, p) in parts.iter().enumerate() { @let n = count_part(i); @if n > 0 {
                                label.opt { input type="checkbox" name="part" value=(p.org.id); " " (p.org.name) "（" (n) "）" }
                            } }
                        }
                    }
                    fieldset { legend { "按领域" }
                        @for (sec, n) in &sectors { label.opt { input type="checkbox" name="sector" value=(sec.code()); " " (sec.label()) "（" (n) "）" } }
                    }
                    details {
                        summary { "逐个选择单位" }
                        label for="unit-search" { "按名称查找" }
                        input #unit-search type="search" placeholder="输入单位名称中的字";
                        div.table-wrap { table #unit-list {
                            tr { th { "选择" } th { "单位" } th.hide-sm { "所属" } th { "领域" } }
                            @for (u, part) in &units {
                                tr data-name=(u.name) {
                                    td { input type="checkbox" name="unit" value=(u.id) aria-label=(u.name); }
                                    td { (u.name) }
                                    td.hide-sm { (part.and_then(|i| parts.get(i)).map(|p| p.org.name.as_str()).unwrap_or("本级")) }
                                    td { (u.sector.label()) }
                                }
                            }
                        } }
                    }
                    p #unit-count role="status" {}
                }
                button.primary type="submit" { "创建调研" }
            }
            script src="/static/picker.js" {}
        }
    }))
}

/// The picker's script: search in the unit list, and a count of what is chosen.
pub async fn picker_script() -> Response {
    crate::view::script(include_str!("../picker.js"))
}

/// The valid-response rules as form fields (new campaign, and changing them later).
fn rules_fields(r: &Rules) -> maud::Markup {
    html! {
        label.opt { input type="checkbox" name="complete" value="1" checked[r.complete]; " 必答题须全部作答" }
        label { "答题过快：用时少于中位数的比例（0 表示不用此规则）" input type="text" name="speeder_fraction" value=(r.speeder_fraction); }
        label { "答题过快：或少于多少秒（0 表示不用）" input type="text" name="speeder_min_seconds" value=(r.speeder_min_seconds); }
        label { "量表题全部相同：连续同量表题目数达到（0 表示不用）" input type="text" name="straightline_block" value=(r.straightline_block); }
        label.opt { input type="checkbox" name="duplicate_device" value="1" checked[r.duplicate_device]; " 同一设备重复作答视为无效" }
        label.opt { input type="checkbox" name="attention_enabled" value="1" checked[r.attention_enabled]; " 使用问卷中的注意力检测题" }
    }
}

/// The rules from posted form fields.
fn rules_from(f: &std::collections::HashMap<String, String>) -> Result<Rules, PageError> {
    let get = |k: &str| f.get(k).map(|s| s.trim().to_string()).unwrap_or_default();
    let num = |k: &str, what: &str| -> Result<f64, PageError> { get(k).parse::<f64>().ok().filter(|x| x.is_finite() && *x >= 0.0).ok_or_else(|| bad(format!("{what}应为不小于0的数，“{}”不是", get(k)))) };
    let rules = Rules {
        complete: f.contains_key("complete"),
        speeder_fraction: num("speeder_fraction", "中位数比例")?,
        speeder_min_seconds: num("speeder_min_seconds", "最少秒数")? as u32,
        straightline_block: num("straightline_block", "量表题目数")? as usize,
        duplicate_device: f.contains_key("duplicate_device"),
        attention: vec![],
        attention_enabled: f.contains_key("attention_enabled"),
    };
    if rules.speeder_fraction > 1.0 {
        return Err(bad("中位数比例应在 0 到 1 之间"));
    }
    Ok(rules)
}

pub async fn set_rules(State(st): State<AppState>, Staff(v): Staff, Path(id): Path<i64>, Form(raw): Form<Vec<(String, String)>>) -> PageResult {
    let f = checked_form(&v, raw)?;
    let rules = rules_from(&f)?;
    st.store.set_campaign_rules(&v.scope, id, &serde_json::to_string(&rules).unwrap()).await?;
    Ok(Redirect::to(&format!("/campaigns/{id}")).into_response())
}

pub async fn create_campaign(State(st): State<AppState>, Staff(v): Staff, Form(raw): Form<Vec<(String, String)>>) -> PageResult {
    let picked = |name: &str| -> Vec<String> { raw.iter().filter(|(k, _)| k == name).map(|(_, x)| x.clone()).collect() };
    let (ticked, parts, sectors) = (picked("unit"), picked("part"), picked("sector"));
    let f = checked_form(&v, raw.clone())?;
    let org = st.store.org(&v.scope, f.get("org").and_then(|o| o.parse().ok()).ok_or_else(|| bad("缺少组织"))?).await?;
    // Whole parts and sectors (their intersection when both are chosen), plus units ticked one by one.
    let (children, candidates) = candidate_units(&st, &v, &org).await?;
    let units: Vec<i64> = candidates
        .into_iter()
        .filter(|(u, part)| {
            let by_part = !parts.is_empty() && part.is_some_and(|i| parts.contains(&children[i].org.id.to_string()));
            let by_sector = !sectors.is_empty() && sectors.iter().any(|s| s == u.sector.code());
            let batch = match (parts.is_empty(), sectors.is_empty()) {
                (false, false) => by_part && by_sector,
                (false, true) => by_part,
                (true, false) => by_sector,
                (true, true) => false,
            };
            batch || ticked.contains(&u.id.to_string())
        })
        .map(|(u, _)| u.id)
        .collect();
    if units.is_empty() {
        return Err(bad("没有选择调研单位：请按乡镇/街道、按领域整批选择，或逐个勾选单位"));
    }
    let get = |k: &str| f.get(k).map(|s| s.trim().to_string()).unwrap_or_default();
    let date = |k: &str, what: &str| domain::Date::parse_from_str(&get(k), "%Y-%m-%d").map_err(|_| bad(format!("{what}应为日期，例如 2026-12-01")));
    let issued: i64 = get("issued").parse().map_err(|_| bad("每个单位发放份数应为整数"))?;
    let rules = rules_from(&f)?;
    let id = st
        .store
        .insert_campaign(&v.scope, &NewCampaign {
            questionnaire_id: get("questionnaire").parse().map_err(|_| bad("请选择问卷"))?,
            org_id: get("org").parse().map_err(|_| bad("缺少组织"))?,
            title: get("title"),
            opens_on: date("opens_on", "开始日期")?,
            closes_on: date("closes_on", "结束日期")?,
            rules: serde_json::to_string(&rules).unwrap(),
            units: units.into_iter().map(|u| (u, issued)).collect(),
            created_by: Some(v.session.user.id),
        })
        .await?;
    Ok(Redirect::to(&format!("/campaigns/{id}")).into_response())
}

/// The public address of a unit's link.
fn link(st: &AppState, headers: &HeaderMap, token: &str) -> String {
    crate::qr::public_address(st, headers, &format!("/s/{token}"))
}

pub async fn campaign(State(st): State<AppState>, Staff(v): Staff, headers: HeaderMap, Path(id): Path<i64>) -> PageResult {
    let s = stats(&st.store, &v.scope, id).await?;
    let l = load(&st.store, &v.scope, id).await?;
    Ok(page(&v, &s.title, html! {
        section {
            div.crumbs { a href="/surveys" { "问卷调查" } " › " (s.title) }
            h1 { (s.title) }
            p { (l.campaign.org_name) "，" (l.campaign.opens_on) " 至 " (l.campaign.closes_on) "，问卷：" (l.campaign.questionnaire_title) }
            p.stat-line {
                span.stat { "发放 " b id="issued" { (s.issued) } }
                span.stat { "回收 " b id="returned" { (s.returned) } }
                span.stat { "有效 " b id="valid" { (s.valid) } }
                span.stat { "有效回收率 " b { (pct(s.valid_rate)) } }
            }
            p { (s.sentence) "。" }
            p.muted { "答题用时中位数 " (format!("{:.0}", s.median_duration_s)) " 秒，少于 " (format!("{:.0}", s.speeder_cutoff_s)) " 秒视为过快；纸质录入 " (s.paper) " 份；人工认定 " (s.overridden) " 份。" }
            @if !s.flaws.is_empty() {
                p { "无效原因（一份答卷可能有多项）：" @for (f, n) in &s.flaws { span.tag.warn { (f) " " (n) } } }
            }
            p {
                a.button href=(format!("/campaigns/{id}/analysis")) { "统计分析" } " "
                a href=(format!("/campaigns/{id}/responses")) { "答卷列表" } " · 导出："
                @for f in ["xlsx", "csv", "sav", "dta"] { a href=(format!("/campaigns/{id}/export?format={f}")) { (f.to_uppercase()) } " " }
                "（仅有效问卷："
                @for f in ["xlsx", "sav"] { a href=(format!("/campaigns/{id}/export?format={f}&valid=1")) { (f.to_uppercase()) } " " }
                "）"
            }
        }
        section {
            details {
                summary { "有效问卷规则（修改后所有统计立即按新规则计算）" }
                form method="post" action=(format!("/campaigns/{id}/rules")) {
                    input type="hidden" name="csrf" value=(v.session.csrf_token);
                    (rules_fields(&l.rules))
                    button.primary type="submit" { "保存规则" }
                }
            }
        }
        section {
            h2 { "按领域" }
            div.table-wrap { table id="by-sector" {
                tr { th { "领域" } th { "发放" } th { "回收" } th { "有效" } th { "有效回收率" } }
                @for g in &s.sectors { tr { td { (g.group) } td { (g.issued) } td { (g.returned) } td { (g.valid) } td { (pct(g.valid_rate)) } } }
            } }
        }
        section {
            h2 { "按单位：填写链接与二维码" }
            @if let Some(n) = crate::qr::address_note(&st) { p.error { (n) } }
            div.table-wrap { table id="units" {
                tr { th { "单位" } th.hide-sm { "领域" } th { "发放" } th { "回收" } th { "有效" } th { "有效回收率" } th { "链接" } }
                @for (u, c) in l.units.iter().zip(&s.units) {
                    tr data-unit=(u.org_code) {
                        td { (u.org_name) }
                        td.hide-sm { (u.sector.label()) }
                        td {
                            form method="post" action=(format!("/campaigns/{id}/units/{}/issued", u.id)) style="display:flex;gap:.3rem" {
                                input type="hidden" name="csrf" value=(v.session.csrf_token);
                                input type="text" name="issued" value=(c.issued) style="width:4.5rem" inputmode="numeric";
                                button type="submit" { "改" }
                            }
                        }
                        td { (c.returned) } td { (c.valid) } td { (pct(c.valid_rate)) }
                        td {
                            a.unit-link href=(format!("/s/{}", u.token)) { (link(&st, &headers, &u.token)) } br;
                            a href=(format!("/campaigns/{id}/units/{}/qr.svg", u.id)) { "二维码海报（可打印）" } " · "
                            a href=(format!("/campaigns/{id}/units/{}/qr.png", u.id)) { "PNG（仅二维码）" } " · "
                            a href=(format!("/s/{}?paper=1", u.token)) { "录入纸质问卷" }
                        }
                    }
                }
            } }
        }
    }))
}

pub async fn set_issued(State(st): State<AppState>, Staff(v): Staff, Path((id, unit)): Path<(i64, i64)>, Form(raw): Form<Vec<(String, String)>>) -> PageResult {
    let f = checked_form(&v, raw)?;
    let n: i64 = f.get("issued").map(|s| s.trim()).unwrap_or("").parse().map_err(|_| bad("发放份数应为不小于0的整数"))?;
    st.store.set_issued(&v.scope, id, unit, n).await?;
    Ok(Redirect::to(&format!("/campaigns/{id}")).into_response())
}

pub async fn qr(State(st): State<AppState>, Staff(v): Staff, headers: HeaderMap, Path((id, unit, file)): Path<(i64, i64, String)>) -> PageResult {
    let ext = file.strip_prefix("qr.").ok_or_else(|| PageError::Status(StatusCode::NOT_FOUND, "二维码不存在".into()))?;
    let units = st.store.campaign_units(&v.scope, id).await?;
    let u = units.iter().find(|u| u.id == unit).ok_or(PageError::Status(StatusCode::NOT_FOUND, "调研单位不存在".into()))?;
    let url = link(&st, &headers, &u.token);
    let name = format!("{}-问卷二维码", u.org_name);
    let title = load(&st.store, &v.scope, id).await?.campaign.title;
    match ext {
        "svg" => Ok(([(header::CONTENT_TYPE, "image/svg+xml"), (header::CONTENT_DISPOSITION, "inline")], crate::qr::svg_captioned(&url, &[&u.org_name, &title, "请用手机扫码填写"]).map_err(bad)?).into_response()),
        "png" => Ok(download(&format!("{name}.png"), "image/png", crate::qr::png(&url, 8).map_err(bad)?)),
        _ => Err(PageError::Status(StatusCode::NOT_FOUND, "二维码格式应为 svg 或 png".into())),
    }
}

#[derive(Deserialize)]
pub struct ListQuery {
    pub page: Option<usize>,
    pub invalid: Option<u8>,
}

pub async fn responses(State(st): State<AppState>, Staff(v): Staff, Path(id): Path<i64>, Query(q): Query<ListQuery>) -> PageResult {
    let l = load(&st.store, &v.scope, id).await?;
    let per = 100;
    let page_no = q.page.unwrap_or(1).max(1);
    let only_invalid = q.invalid == Some(1);
    let mut rows = Vec::new();
    let mut total = 0;
    l.judge_each(&st.store, &v.scope, |r, _, verdict| {
        if only_invalid && verdict.valid {
            return Ok(());
        }
        total += 1;
        if total > (page_no - 1) * per && total <= page_no * per {
            rows.push((r.clone(), verdict.clone()));
        }
        Ok(())
    })
    .await?;
    Ok(page(&v, "答卷列表", html! {
        section {
            div.crumbs { a href="/surveys" { "问卷调查" } " › " a href=(format!("/campaigns/{id}")) { (l.campaign.title) } " › 答卷" }
            h1 { "答卷（" (total) "份）" }
            p { @if only_invalid { a href=(format!("/campaigns/{id}/responses")) { "显示全部" } } @else { a href=(format!("/campaigns/{id}/responses?invalid=1")) { "只看无效答卷" } } }
            div.table-wrap { table {
                tr { th { "编号" } th { "单位" } th.hide-sm { "方式" } th.hide-sm { "提交时间" } th { "用时" } th { "判定" } th { "人工认定" } }
                @for (r, vd) in &rows {
                    tr id=(format!("r{}", r.id)) {
                        td { (r.id) }
                        td { (l.unit(r.unit_id).map(|u| u.org_name.as_str()).unwrap_or("")) }
                        td.hide-sm { @if r.channel == "paper" { "纸质录入" } @else { "网上" } }
                        td.hide-sm { (r.submitted_at.get(..16).unwrap_or(&r.submitted_at).replace('T', " ")) }
                        td { (format!("{:.0}", r.duration_s)) "秒" }
                        td {
                            @if vd.valid { span.tag.ok { "有效" } } @else { span.tag.bad { "无效" } }
                            " " (vd.reason())
                            @if let Some(reason) = &r.override_reason { br; span.muted { "人工认定理由：" (reason) } }
                        }
                        td {
                            form method="post" action=(format!("/responses/{}/override", r.id)) {
                                input type="hidden" name="csrf" value=(v.session.csrf_token);
                                select name="valid" {
                                    option value="rules" selected[r.override_valid.is_none()] { "按规则" }
                                    option value="yes" selected[r.override_valid == Some(true)] { "认定有效" }
                                    option value="no" selected[r.override_valid == Some(false)] { "认定无效" }
                                }
                                input type="text" name="reason" placeholder="理由（必填）" value=(r.override_reason.clone().unwrap_or_default());
                                button type="submit" { "保存" }
                            }
                        }
                    }
                }
            } }
            p.pager {
                @if page_no > 1 { a href=(format!("/campaigns/{id}/responses?page={}{}", page_no - 1, if only_invalid { "&invalid=1" } else { "" })) { "上一页" } }
                @if page_no * per < total { a href=(format!("/campaigns/{id}/responses?page={}{}", page_no + 1, if only_invalid { "&invalid=1" } else { "" })) { "下一页" } }
            }
        }
    }))
}

pub async fn override_response(State(st): State<AppState>, Staff(v): Staff, Path(rid): Path<i64>, Form(raw): Form<Vec<(String, String)>>) -> PageResult {
    let f = checked_form(&v, raw)?;
    let valid = match f.get("valid").map(String::as_str) {
        Some("yes") => Some(true),
        Some("no") => Some(false),
        _ => None,
    };
    let r = st.store.response(&v.scope, rid).await?;
    st.store.override_response(&v.scope, rid, valid, f.get("reason").map(String::as_str).unwrap_or(""), v.session.user.id).await?;
    Ok(Redirect::to(&format!("/campaigns/{}/responses#r{rid}", r.campaign_id)).into_response())
}

/// One response, question by question (found by search, or from the list of responses).
pub async fn response_page(State(st): State<AppState>, Staff(v): Staff, Path(rid): Path<i64>) -> PageResult {
    let (r, campaign, unit) = st.store.response_for_reading(&v.scope, rid).await?;
    let form = survey::campaign::questionnaire(&st.store, campaign.questionnaire_id).await?;
    let answers: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&r.answers).unwrap_or_default();
    let shown = |it: &survey::Item| -> String {
        let raw = match answers.get(&it.name) {
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(serde_json::Value::Null) | None => return String::new(),
            Some(other) => other.to_string(),
        };
        match it.kind.list() {
            Some(list) => raw
                .split(' ')
                .filter(|c| !c.is_empty())
                .map(|c| if c == survey::answers::OTHER { "其他".to_string() } else { form.choices(list).iter().find(|x| x.name == c).map(|x| form.text(&x.label).to_string()).unwrap_or_else(|| c.to_string()) })
                .collect::<Vec<_>>()
                .join("、"),
            None => raw,
        }
    };
    Ok(page(&v, "答卷", html! {
        section {
            div.crumbs { a href="/surveys" { "问卷调查" } " › " (campaign.title) " › 答卷" }
            h1 { "答卷 " (r.id) }
            dl.facts {
                dt { "调研" } dd { (campaign.title) }
                dt { "单位" } dd { (unit) }
                dt { "提交时间" } dd { (r.submitted_at.get(..16).unwrap_or(&r.submitted_at).replace('T', " ")) }
                dt { "填写方式" } dd { @if r.channel == "paper" { "纸质录入" } @else { "网上填写" } }
            }
        }
        section {
            h2 { "答案" }
            dl.facts {
                @for it in form.variables() {
                    @let a = shown(it);
                    @if !a.is_empty() {
                        dt { (form.text(&it.label)) }
                        dd { (a) @if let Some(o) = answers.get(&format!("{}_other", it.name)).and_then(|x| x.as_str()) { "（" (o) "）" } }
                    }
                }
            }
        }
    }))
}

#[derive(Deserialize)]
pub struct AnalysisQuery {
    /// 1: every returned response, not only the valid ones
    pub all: Option<u8>,
    pub q: Option<String>,
    pub by: Option<String>,
}

pub async fn analysis(State(st): State<AppState>, Staff(v): Staff, Path(id): Path<i64>, Query(q): Query<AnalysisQuery>) -> PageResult {
    let all = q.all == Some(1);
    let d = survey::analysis::data(&st.store, &v.scope, id, !all).await?;
    let campaign = st.store.campaign(&v.scope, id).await?;
    let freqs = frequencies(&d);
    let dims = dimensions(&d.form);
    let choice_qs: Vec<&survey::analysis::Frequency> = freqs.iter().filter(|f| !f.rows.is_empty()).collect();
    let question = q.q.clone().unwrap_or_else(|| choice_qs.iter().find(|f| f.mean.is_some()).or(choice_qs.first()).map(|f| f.name.clone()).unwrap_or_default());
    let by = By::parse(q.by.as_deref().unwrap_or("sector"));
    let ct = if question.is_empty() { None } else { Some(crosstab(&d, &question, &by).map_err(bad)?) };
    let kws = keywords(&d, 30);
    let likert: Vec<&survey::analysis::Frequency> = freqs.iter().filter(|f| f.mean.is_some() && !f.rows.is_empty()).collect();
    let base = if all { "全部回收问卷" } else { "有效问卷" };
    Ok(page(&v, "统计分析", html! {
        section {
            div.crumbs { a href="/surveys" { "问卷调查" } " › " a href=(format!("/campaigns/{id}")) { (campaign.title) } " › 统计分析" }
            h1 { "统计分析" }
            p { "统计基数：" b { (base) " " (d.rows.len()) " 份" } "。"
                @if all { a href=(format!("/campaigns/{id}/analysis")) { "只统计有效问卷" } } @else { a href=(format!("/campaigns/{id}/analysis?all=1")) { "改为统计全部回收问卷" } } }
        }
        @if let Some(ct) = &ct {
            section id="crosstab" {
                h2 { "交叉分析：" (ct.question_label) " × " (ct.by_label) }
                form method="get" action=(format!("/campaigns/{id}/analysis")) class="search" {
                    @if all { input type="hidden" name="all" value="1"; }
                    select name="q" { @for f in &choice_qs { option value=(f.name) selected[f.name == question] { (f.label) } } }
                    select name="by" { @for (b, l) in &dims { option value=(b.code()) selected[*b == by] { "按" (l) } } }
                    button type="submit" { "分析" }
                }
                div.table-wrap { table {
                    tr { th { (ct.by_label) } @for c in &ct.columns { th { (c) } } th { "合计" } @if ct.means.iter().any(|m| m.is_some()) { th { "均值" } } }
                    @for (i, g) in ct.groups.iter().enumerate() {
                        @let total: u64 = ct.counts[i].iter().sum();
                        tr { td { (g) }
                            @for c in &ct.counts[i] { td { (c) span.muted { " (" (format!("{:.1}", if total > 0 { *c as f64 * 100.0 / total as f64 } else { 0.0 })) "%)" } } }
                            td { (total) }
                            @if ct.means.iter().any(|m| m.is_some()) { td { (ct.means[i].map(|m| format!("{m:.2}")).unwrap_or_default()) } }
                        }
                    }
                } }
                p id="chi2" {
                    @match ct.test.p {
                        Some(p) => { "χ² = " (format!("{:.2}", ct.test.chi2)) "，自由度 " (ct.test.df) "，p " (if p < 0.001 { "< 0.001".to_string() } else { format!("= {p:.3}") }) "，" (if p < 0.05 { "差异有统计学意义（p < 0.05）" } else { "差异无统计学意义" }) "。" }
                        None => { (ct.test.note.clone().unwrap_or_default()) "。" }
                    }
                }
                @let title = format!("{}（按{}）", ct.question_label, ct.by_label);
                div.chart { (PreEscaped(match &ct.scores {
                    // A scale reads as disagreement against agreement: a diverging palette.
                    Some(scores) => survey::chart::stacked_in(&title, &ct.groups, &ct.columns, &ct.counts, &survey::chart::diverging(scores)),
                    None => survey::chart::stacked(&title, &ct.groups, &ct.columns, &ct.counts),
                })) }
            }
        }
        @if !likert.is_empty() {
            section {
                h2 { "量表题均值（5分制，分值越高评价越好）" }
                div.table-wrap { table {
                    tr { th { "题目" } th { "作答" } th { "均值" } th { "标准差" } th { "同意（4–5分）" } }
                    @for f in &likert {
                        @let agree: f64 = f.rows.iter().filter(|r| r.code == "4" || r.code == "5").map(|r| r.percent).sum();
                        tr { td { (f.label) } td { (f.answered) } td { (format!("{:.2}", f.mean.unwrap_or(0.0))) } td { (f.sd.map(|s| format!("{s:.2}")).unwrap_or_default()) } td { (format!("{agree:.1}%")) } }
                    }
                } }
                div.chart { (PreEscaped(survey::chart::bar("量表题均值", &likert.iter().map(|f| (f.label.clone(), (f.mean.unwrap_or(0.0) * 100.0).round() / 100.0)).collect::<Vec<_>>(), "分"))) }
            }
        }
        section {
            h2 { "各题频数" }
            @for f in &freqs {
                div.freq id=(format!("f-{}", f.name)) {
                    h3 { (f.label) " " span.muted { "（" (f.kind) "，作答 " (f.answered) " 人，未答 " (f.unanswered) " 人" @if let Some(m) = f.mean { "，均值 " (format!("{m:.2}")) } "）" } }
                    @if !f.rows.is_empty() {
                        div.table-wrap { table {
                            tr { th { "选项" } th { "人数" } th { "百分比" } }
                            @for r in &f.rows { tr { td { (r.label) } td { (r.count) } td { (format!("{:.1}%", r.percent)) } } }
                        } }
                        @let items: Vec<(String, f64)> = f.rows.iter().map(|r| (r.label.clone(), (r.percent * 10.0).round() / 10.0)).collect();
                        div.chart { (PreEscaped(if f.kind == "单选" && f.rows.len() <= 6 { survey::chart::pie(&f.label, &f.rows.iter().map(|r| (r.label.clone(), r.count as f64)).collect::<Vec<_>>()) } else { survey::chart::bar(&f.label, &items, "%") })) }
                    }
                }
            }
        }
        @for k in &kws {
            section id="keywords" {
                h2 { "开放题关键词：" (k.label) }
                p.muted { (k.answers) " 人作答；按提及人数排列（结巴分词，含党建常用词表）。" }
                p { @for (w, n) in &k.words { span.tag { (w) " " (n) } " " } }
            }
        }
    }))
}

#[derive(Deserialize)]
pub struct ExportQuery {
    pub format: Option<String>,
    pub valid: Option<u8>,
}

pub async fn export(State(st): State<AppState>, Staff(v): Staff, Path(id): Path<i64>, Query(q): Query<ExportQuery>) -> PageResult {
    let fmt = q.format.as_deref().unwrap_or("xlsx");
    let format = Format::parse(fmt).ok_or_else(|| bad(format!("导出格式“{fmt}”无法识别，可选 xlsx、csv、sav、dta")))?;
    let c = st.store.campaign(&v.scope, id).await?;
    let path = crate::work_dir().join(format!("survey-{}-{}.{}", v.session.user.id, store::random_token(), format.ext()));
    let r = survey::export::export(&st.store, &v.scope, id, format, q.valid == Some(1), &path).await;
    let bytes = std::fs::read(&path);
    let _ = std::fs::remove_file(&path);
    r?;
    let bytes = bytes.map_err(|e| bad(format!("导出失败：{e}")))?;
    Ok(download(&format!("{}{}.{}", c.title, if q.valid == Some(1) { "-有效问卷" } else { "" }, format.ext()), format.mime(), bytes))
}
