//! 调研报告 page: the indicators of an organisation (from the newest computed run) and
//! the report written from them, as Word (GB/T 9704), HTML or Markdown. Staff only,
//! within their scope; recomputing the measures is for administrators.

use crate::auth::{same_token, Staff, Viewer};
use crate::error::PageError;
use crate::routes::exchange::download;
use crate::view::{page, today};
use crate::AppState;
use axum::extract::{Form, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Datelike;
use maud::html;
use serde::Deserialize;

type PageResult = Result<Response, PageError>;

fn bad(msg: impl Into<String>) -> PageError {
    PageError::Status(StatusCode::UNPROCESSABLE_ENTITY, msg.into())
}

impl From<report::ReportError> for PageError {
    fn from(e: report::ReportError) -> Self {
        match e {
            report::ReportError::Choice(m) => bad(m),
            report::ReportError::Store(s) | report::ReportError::Indicators(indicators::IndicatorError::Store(s)) => s.into(),
            other => PageError::Status(StatusCode::INTERNAL_SERVER_ERROR, other.to_string()),
        }
    }
}

impl From<indicators::IndicatorError> for PageError {
    fn from(e: indicators::IndicatorError) -> Self {
        report::ReportError::from(e).into()
    }
}

#[derive(Deserialize)]
pub struct ReportQuery {
    org: Option<String>,
    year: Option<i32>,
    format: Option<String>,
    refresh: Option<String>,
}

/// The data's cut-off for a year: today, or the year's last day if it is over.
fn cut_off(year: i32) -> domain::Date {
    today().min(domain::Date::from_ymd_opt(year, 12, 31).unwrap_or_else(today))
}

pub async fn report_page(State(st): State<AppState>, Staff(v): Staff, Query(q): Query<ReportQuery>) -> PageResult {
    let year = q.year.unwrap_or_else(|| today().year());
    if !(2000..=today().year()).contains(&year) {
        return Err(bad(format!("年度 {year} 无效：应在2000年到今年之间")));
    }
    let root = match v.scope.root_org() {
        Some(r) => st.store.org(&v.scope, r).await?,
        None => st.store.org_children(&v.scope, None).await?.into_iter().next().map(|o| o.org).ok_or_else(|| bad("还没有党组织数据"))?,
    };
    let org = match q.org.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(code) => st.store.org_by_code(&v.scope, code).await?,
        None => root.clone(),
    };
    // Recomputing changes stored state: a GET never does it (the button posts).
    if q.refresh.is_some() {
        return Err(PageError::Status(StatusCode::METHOD_NOT_ALLOWED, "重新计算指标会改变已保存的结果，请用调研报告页上的“按最新数据重新计算”按钮".into()));
    }
    if let Some(f) = q.format.as_deref() {
        let req = report::Request { org: org.id, year, as_of: cut_off(year), rules: &st.rules, rules_text: &st.rules_text, refresh: false, choices: report::Choices::default() };
        return write(&st, &v, &req, f).await;
    }
    let run = indicators::cached_run(&st.store, &st.rules, year).await?;
    let figs = match &run {
        Some(run) => Some(indicators::figures(&st.store, &v.scope, run, org.id).await?.1),
        None => None,
    };
    let is_admin = v.session.user.role == domain::user::Role::Admin;
    Ok(page(&v, "调研报告", html! {
        section {
            h1 { "调研报告：" (org.name) }
            form.search method="get" action="/report" {
                input type="text" name="org" value=(org.code) aria-label="党组织代码" placeholder="党组织代码";
                input type="text" name="year" value=(year) aria-label="年度" size="6";
                button type="submit" { "查看" }
            }
            p {
                "按调研报告的结构（引言、调研方法、现状与成效、存在的问题、对策与建议、附件）用真实数据写出：" br;
                a.button href=(format!("/report?org={}&year={year}&format=docx", org.code)) { "下载 Word（GB/T 9704 公文格式）" } " "
                a.button href=(format!("/report?org={}&year={year}&format=html", org.code)) { "网页版（可打印）" } " "
                a.button href=(format!("/report?org={}&year={year}&format=md", org.code)) { "Markdown" }
            }
            @match &run {
                Some(r) => p.muted { "指标数据计算于 " (r.finished_at.clone().unwrap_or_default()) "（截至 " (r.as_of) "，" (r.orgs) " 个党组织，用时 " (format!("{:.1}", r.seconds.unwrap_or(0.0))) " 秒）。" },
                None => p.muted { (year) "年的指标尚未按现行规则和指标目录计算，生成报告时会先计算（辖区大时需要几分钟）。" },
            }
            @if is_admin {
                form method="post" action="/report/refresh" {
                    input type="hidden" name="csrf" value=(v.session.csrf_token);
                    input type="hidden" name="org" value=(org.code);
                    input type="hidden" name="year" value=(year);
                    button type="submit" { "按最新数据重新计算" }
                }
            }
        }
        (choices_form(&st, &v, &org, year).await?)
        @if let Some(figs) = figs {
            section {
                h2 { "指标" }
                div.table-wrap { table id="indicators" {
                    tr { th { "章节" } th { "指标" } th { "数值" } th { "分子/分母" } th { "预警线" } th { "状态" } }
                    @for f in &figs {
                        tr data-indicator=(f.indicator.id) {
                            td { (f.indicator.section) } td { (f.indicator.name) }
                            td { (f.value.ratio.map(|r| f.indicator.format(r)).unwrap_or_else(|| "数据缺乏".into())) }
                            td { (f.value.numerator) "/" (f.value.denominator) }
                            td { (f.indicator.format(f.indicator.alert)) }
                            td { @if f.value.ratio.is_none() { "—" } @else if f.value.alert { span.tag.bad { "预警" } } @else { span.tag.ok { "正常" } } }
                        }
                    }
                } }
            }
        }
    }))
}

/// Builds a report on a blocking thread: a cold build computes the year's indicators
/// (a minute for a city), which must not hold an async worker.
async fn build(st: &AppState, scope: &store::Scope, req: &report::Request<'_>) -> Result<report::Report, PageError> {
    let (store, scope, rules, text) = (st.store.clone(), scope.clone(), st.rules.clone(), st.rules_text.clone());
    let (org, year, as_of, refresh, choices) = (req.org, req.year, req.as_of, req.refresh, req.choices.clone());
    Ok(crate::jobs::off_workers(async move {
        let req = report::Request { org, year, as_of, rules: &rules, rules_text: &text, refresh, choices };
        report::build(&store, &scope, &req).await
    })
    .await?)
}

/// The report in the asked format.
async fn write(st: &AppState, v: &Viewer, req: &report::Request<'_>, format: &str) -> PageResult {
    let format = report::Format::parse(format).ok_or_else(|| bad(format!("报告格式“{format}”无法识别，可选 docx、html、md")))?;
    let r = build(st, &v.scope, req).await?;
    let bytes = report::render(&r, format, &report::docx::Fonts::default())?;
    Ok(match format {
        report::Format::Html => ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], bytes).into_response(),
        report::Format::Docx => download(&format!("{}.docx", r.title), "application/vnd.openxmlformats-officedocument.wordprocessingml.document", bytes),
        report::Format::Markdown => download(&format!("{}.md", r.title), "text/markdown; charset=utf-8", bytes),
    })
}

/// 调研设计: the campaigns, interviews and cases that count, the period, the byline and
/// the date; saved with the report.
async fn choices_form(st: &AppState, v: &Viewer, org: &domain::org::Org, year: i32) -> Result<maud::Markup, PageError> {
    let sub = st.store.subtree_scope(org.id).await?;
    let campaigns = st.store.campaigns(&v.scope).await?;
    let interviews = st.store.interviews(&sub).await?;
    let cases = st.store.cases(&sub).await?;
    let saved = st.store.saved_reports(&v.scope, 20).await?;
    let in_year = |d: domain::Date| d.year() == year;
    Ok(html! {
        section {
            h2 { "调研设计（选择纳入报告的材料）" }
            p.muted { "不勾选的项目不计入报告；调研期内的问卷调查和访谈默认全部纳入。选择与报告一起保存，报告的“调研方法”部分会写明。" }
            form method="post" action="/report/saved" {
                input type="hidden" name="csrf" value=(v.session.csrf_token);
                input type="hidden" name="org" value=(org.code);
                input type="hidden" name="year" value=(year);
                label { "调研期开始 " input type="date" name="from" value=(format!("{year}-01-01")); }
                " "
                label { "数据截止 " input type="date" name="as_of" value=(cut_off(year).to_string()); }
                br;
                label { "调研单位（署名） " input type="text" name="unit" placeholder="默认：某县委组织部调研组" size="24"; }
                " "
                label { "成文日期 " input type="date" name="dated"; }
                fieldset {
                    legend { "问卷调查" }
                    @if campaigns.is_empty() { p.muted { "暂无问卷调查。" } }
                    @for k in &campaigns {
                        label { input type="checkbox" name="campaign" value=(k.id) checked[in_year(k.opens_on)]; " " (k.title) "（" (k.opens_on) "开始）" } br;
                    }
                }
                fieldset {
                    legend { "实地访谈" }
                    @if interviews.is_empty() { p.muted { "暂无访谈记录。" } }
                    @for i in &interviews {
                        label { input type="checkbox" name="interview" value=(i.id) checked[in_year(i.held_on)]; " " (domain::org::short_name(&i.org_name)) "（" (i.held_on) "）" } " ";
                    }
                }
                fieldset {
                    legend { "典型案例" }
                    @if cases.is_empty() { p.muted { "暂无案例。" } }
                    @for k in &cases {
                        label { input type="checkbox" name="case" value=(k.id) checked; " " (k.title) } br;
                    }
                }
                input type="hidden" name="listed" value="1";
                button type="submit" { "保存选择并生成报告" }
            }
            @if !saved.is_empty() {
                h3 { "已保存的报告" }
                ul {
                    @for r in &saved {
                        li { a href=(format!("/report/saved/{}", r.id)) { "第" (r.id) "号：" (r.title) } span.muted { "（" (r.year) "年，截至" (r.as_of) "，" (r.created_by) "，" (r.created_at) "）" } }
                    }
                }
            }
        }
    })
}

/// Saves the researcher's choices and shows the saved report.
pub async fn save_choices(State(st): State<AppState>, Staff(v): Staff, Form(raw): Form<Vec<(String, String)>>) -> PageResult {
    let one = |k: &str| raw.iter().find(|(n, _)| n == k).map(|(_, x)| x.trim().to_string()).unwrap_or_default();
    if !same_token(&v.session.csrf_token, &one("csrf")) {
        return Err(PageError::Status(StatusCode::FORBIDDEN, "表单已过期，请刷新页面后重试".into()));
    }
    let all = |k: &str| -> Result<Vec<i64>, PageError> {
        raw.iter().filter(|(n, _)| n == k).map(|(_, x)| x.trim().parse::<i64>().map_err(|_| bad(format!("“{x}”不是编号")))).collect()
    };
    let org = st.store.org_by_code(&v.scope, &one("org")).await?;
    let year: i32 = one("year").parse().map_err(|_| bad("年度应为四位数字，例如 2026"))?;
    let day = |k: &'static str, what: &'static str| -> Result<Option<domain::Date>, PageError> {
        let t = one(k);
        if t.is_empty() {
            return Ok(None);
        }
        domain::parse_date(k, what, &t).map(Some).map_err(|e| bad(e.message))
    };
    let as_of = day("as_of", "数据截止日期")?.unwrap_or_else(|| cut_off(year));
    // A form that listed the items sends the ticked ones: none ticked means none count.
    let listed = !one("listed").is_empty();
    let pick = |k: &str| -> Result<Option<Vec<i64>>, PageError> { if listed { all(k).map(Some) } else { Ok(None) } };
    let unit = one("unit");
    let choices = report::Choices { campaigns: pick("campaign")?, interviews: pick("interview")?, cases: pick("case")?, from: day("from", "调研期开始日期")?, unit: (!unit.is_empty()).then_some(unit), dated: day("dated", "成文日期")? };
    // Build once so that a choice that cannot be used is refused before it is saved.
    let req = report::Request { org: org.id, year, as_of, rules: &st.rules, rules_text: &st.rules_text, refresh: false, choices: choices.clone() };
    let r = build(&st, &v.scope, &req).await?;
    let json = serde_json::to_string(&choices).map_err(|e| PageError::Status(StatusCode::INTERNAL_SERVER_ERROR, format!("无法保存选择：{e}")))?;
    let id = st.store.save_report(&v.scope, org.id, year, as_of, &json, &r.title, &v.session.user.username).await?;
    Ok(Redirect::to(&format!("/report/saved/{id}")).into_response())
}

#[derive(Deserialize)]
pub struct SavedQuery {
    format: Option<String>,
}

/// A saved report: its choices, and the report written with them.
pub async fn saved_report(State(st): State<AppState>, Staff(v): Staff, Path(id): Path<i64>, Query(q): Query<SavedQuery>) -> PageResult {
    let s = st.store.saved_report(&v.scope, id).await?;
    let choices: report::Choices = serde_json::from_str(&s.choices).map_err(|_| PageError::Status(StatusCode::INTERNAL_SERVER_ERROR, format!("报告记录 {id} 中的选择无法读取")))?;
    let req = report::Request { org: s.org_id, year: s.year, as_of: s.as_of, rules: &st.rules, rules_text: &st.rules_text, refresh: false, choices: choices.clone() };
    if let Some(f) = q.format.as_deref() {
        return write(&st, &v, &req, f).await;
    }
    let list = |ids: &Option<Vec<i64>>| match ids {
        None => "调研期内全部".to_string(),
        Some(v) if v.is_empty() => "不纳入".to_string(),
        Some(v) => v.iter().map(|i| format!("第{i}号")).collect::<Vec<_>>().join("、"),
    };
    Ok(page(&v, "调研报告", html! {
        section {
            h1 { "报告记录第" (s.id) "号：" (s.title) }
            dl {
                dt { "报告对象" } dd { (s.org_name) }
                dt { "调研期" } dd { (choices.from.map(|d| d.to_string()).unwrap_or_else(|| format!("{}-01-01", s.year))) " 至 " (s.as_of) }
                dt { "问卷调查" } dd { (list(&choices.campaigns)) }
                dt { "实地访谈" } dd { (list(&choices.interviews)) }
                dt { "典型案例" } dd { (list(&choices.cases).replace("调研期内全部", "全部")) }
                dt { "调研单位" } dd { (choices.unit.clone().unwrap_or_else(|| "（默认）".into())) }
                dt { "成文日期" } dd { (choices.dated.unwrap_or(s.as_of)) }
                dt { "保存" } dd { (s.created_by) "，" (s.created_at) }
            }
            p {
                a.button href=(format!("/report/saved/{id}?format=docx")) { "下载 Word（GB/T 9704 公文格式）" } " "
                a.button href=(format!("/report/saved/{id}?format=html")) { "网页版（可打印）" } " "
                a.button href=(format!("/report/saved/{id}?format=md")) { "Markdown" }
            }
        }
    }))
}

/// Recomputes the year's indicators (administrators; a CSRF-checked POST), then shows the
/// report page with the new run.
pub async fn refresh(State(st): State<AppState>, Staff(v): Staff, Form(raw): Form<Vec<(String, String)>>) -> PageResult {
    let f = crate::auth::checked_form(&v, raw)?;
    if v.session.user.role != domain::user::Role::Admin {
        return Err(PageError::Status(StatusCode::FORBIDDEN, "重新计算指标会重算整个辖区，只有组织部管理员可以操作".into()));
    }
    let year: i32 = f.get("year").and_then(|y| y.trim().parse().ok()).ok_or_else(|| bad("年度应为四位数字，例如 2026"))?;
    if !(2000..=today().year()).contains(&year) {
        return Err(bad(format!("年度 {year} 无效：应在2000年到今年之间")));
    }
    let (store, rules) = (st.store.clone(), st.rules.clone());
    crate::jobs::off_workers(async move { indicators::compute(&store, &rules, year, cut_off(year)).await }).await?;
    let org = f.get("org").cloned().unwrap_or_default();
    Ok(Redirect::to(&format!("/report?org={}&year={year}", org.trim())).into_response())
}
