//! 我的: a member's own page on a phone — what is coming, what they attended and missed,
//! dues, training against the requirement, surveys open to them, their evaluation.

use crate::auth::Signed;
use crate::error::PageError;
use crate::view::{page, today};
use crate::AppState;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Datelike;
use domain::dues::Month;
use domain::Labelled;
use maud::html;

pub async fn me(State(st): State<AppState>, Signed(v): Signed) -> Result<Response, PageError> {
    let Some(id) = v.scope.own_member() else {
        return Ok(Redirect::to("/").into_response());
    };
    let s = &st.store;
    let now = today();
    let year = now.year();
    let (m, org_name) = s.member(&v.scope, id).await?;
    let plans = s.upcoming_plans(&v.scope, None, now).await?;
    let attendance = s.member_attendance(&v.scope, id, year).await?;
    let dues = s.member_dues(&v.scope, id).await?;
    let training = s.member_training(&v.scope, id, year).await?;
    let grades = s.member_evaluations(&v.scope, id).await?;
    let surveys = s.open_surveys_for(&v.scope, id, now).await?;
    let need = st.rules.training.member_hours.get() as f64;
    let hours: f64 = training.iter().map(|t| t.hours).sum();
    let paid: Vec<(Month, Month)> = dues.iter().map(|p| (p.from, p.to)).collect();
    // Months due so far this year, from the month after joining if that was this year.
    let first = Month::of(m.joined_on).max(Month::new(year, 1));
    let unpaid = domain::dues::unpaid_months(&paid, (first, Month::of(now)));
    let paid_to = dues.iter().map(|p| p.to).max();
    let missed = attendance.iter().filter(|a| !a.1).count();
    let body = html! {
        section {
            h1 { (m.name) }
            p.muted { (org_name) " · " (m.status.label()) " · 入党时间 " (m.joined_on) }
            p { a href={ "/members/" (m.id) } { "查看我的完整档案" } }
        }
        section {
            h2 { "近期活动" }
            (crate::routes::plans::upcoming(&plans))
        }
        section {
            h2 { "学习培训" }
            @if hours >= need {
                p { span.tag.ok { "已达标" } " " (year) "年已学习 " b { (hours) } " 学时（每年不少于" (need) "学时）" }
            } @else {
                p { span.tag.warn { "本年还差" (fmt_hours(need - hours)) "学时" } " 已学习 " b { (fmt_hours(hours)) } " 学时，每年不少于" (need) "学时" }
            }
        }
        section {
            h2 { "党费" }
            @if unpaid.is_empty() {
                p { span.tag.ok { "已交清" } " 已交至 " (paid_to.map(|t| t.label()).unwrap_or_else(|| "—".into())) }
            } @else {
                p { span.tag.warn { "待交" (unpaid.len()) "个月" } " " (months_text(&unpaid)) }
                p.muted { "已交至 " (paid_to.map(|t| t.label()).unwrap_or_else(|| "（没有交纳记录）".into())) "。请向党支部交纳，按月交纳，不要长期拖欠。" }
            }
            @if !dues.is_empty() {
                ul.cards { @for p in dues.iter().take(6) { li {
                    (p.from.label()) @if p.to != p.from { "—" (p.to.label()) } "：" (format!("{:.2}", p.amount)) " 元，" (p.paid_on) "交纳"
                } } }
            }
        }
        section {
            h2 { "组织生活出勤（" (year) "年）" }
            @if attendance.is_empty() { p.muted { "本年还没有会议记录" } }
            @else {
                p { "出席 " b { (attendance.len() - missed) } " 次，缺席 " b { (missed) } " 次" }
                @if missed > 0 {
                    h3 { "缺席的会议" }
                    ul.cards { @for (mt, _, reason) in attendance.iter().rev().filter(|a| !a.1) { li {
                        (mt.held_on) " " (mt.kind.label()) "：" a href={ "/meetings/" (mt.id) } { (mt.topic) } " " span.tag.warn { "缺席" }
                        @if let Some(r) = reason { " " span.muted { (r) } }
                    } } }
                }
                details {
                    summary { "全部" (attendance.len()) "次会议" }
                    ul.cards { @for (mt, present, _) in attendance.iter().rev() { li {
                        (mt.held_on) " " (mt.kind.label()) "：" a href={ "/meetings/" (mt.id) } { (mt.topic) } " "
                        @if *present { span.tag.ok { "出席" } } @else { span.tag.warn { "缺席" } }
                    } } }
                }
            }
        }
        section {
            h2 { "问卷调查" }
            @if surveys.is_empty() { p.muted { "目前没有需要您填写的问卷" } }
            @else { ul.cards { @for q in &surveys { li { a href={ "/s/" (q.token) } { (q.title) } " " span.muted { "截止" (q.closes_on) } } } } }
        }
        section {
            h2 { "民主评议" }
            @if grades.is_empty() { p.muted { "还没有评议结果" } }
            @else { ul { @for (y, g) in &grades { li { (y) "年：" b { (g.label()) } } } } }
        }
    };
    Ok(page(&v, "我的", body))
}

fn fmt_hours(h: f64) -> String {
    if h.fract() == 0.0 { format!("{h:.0}") } else { format!("{h:.1}") }
}

/// "2026年4月—5月、7月": runs of months, for reading on a phone.
fn months_text(months: &[Month]) -> String {
    let mut runs: Vec<(Month, Month)> = Vec::new();
    for &m in months {
        match runs.last_mut() {
            Some((_, end)) if end.0 + 1 == m.0 => *end = m,
            _ => runs.push((m, m)),
        }
    }
    runs.iter().map(|(a, b)| if a == b { a.label() } else { format!("{}—{}", a.label(), b.label()) }).collect::<Vec<_>>().join("、")
}
