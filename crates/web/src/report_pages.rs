//! 调研报告 page: the indicators of an organisation (from the newest computed run) and
//! the report written from them, as Word (GB/T 9704), HTML or Markdown. Staff only,
//! within their scope; recomputing the measures is for administrators.

use crate::auth::{page_viewer, Viewer};
use crate::error::PageError;
use crate::exchange_pages::download;
use crate::pages::{page, today};
use crate::AppState;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
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

async fn staff(st: &AppState, headers: &HeaderMap) -> Result<Viewer, PageError> {
    let v = page_viewer(st, headers).await?;
    if v.scope.own_member().is_some() {
        return Err(PageError::Status(StatusCode::FORBIDDEN, "调研报告只对组织部和党组织工作人员开放".into()));
    }
    Ok(v)
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

pub async fn report_page(State(st): State<AppState>, headers: HeaderMap, Query(q): Query<ReportQuery>) -> PageResult {
    let v = staff(&st, &headers).await?;
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
    let refresh = q.refresh.is_some();
    if refresh && v.session.user.role != domain::user::Role::Admin {
        return Err(PageError::Status(StatusCode::FORBIDDEN, "重新计算指标会重算整个辖区，只有组织部管理员可以操作".into()));
    }
    if let Some(f) = q.format.as_deref() {
        let format = report::Format::parse(f).ok_or_else(|| bad(format!("报告格式“{f}”无法识别，可选 docx、html、md")))?;
        let req = report::Request { org: org.id, year, as_of: cut_off(year), rules: &st.rules, rules_text: &st.rules_text, refresh, team: "调研组".into() };
        let r = report::build(&st.store, &v.scope, &req).await?;
        let bytes = report::render(&r, format, &report::docx::Fonts::default())?;
        return Ok(match format {
            report::Format::Html => ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], bytes).into_response(),
            report::Format::Docx => download(&format!("{}.docx", r.title), "application/vnd.openxmlformats-officedocument.wordprocessingml.document", bytes),
            report::Format::Markdown => download(&format!("{}.md", r.title), "text/markdown; charset=utf-8", bytes),
        });
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
                form method="get" action="/report" {
                    input type="hidden" name="org" value=(org.code);
                    input type="hidden" name="year" value=(year);
                    input type="hidden" name="format" value="html";
                    input type="hidden" name="refresh" value="1";
                    button type="submit" { "按最新数据重新计算并生成" }
                }
            }
        }
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
