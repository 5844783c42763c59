//! Meetings (会议): a meeting's page with its attendance, photos and minutes, and grades
//! of a 民主评议; the form a secretary records a meeting with (登记会议): kind, date, topic, form,
//! summary, host, recorder, and each member's attendance. A refused form comes back with
//! everything entered and the reasons, so nothing typed is lost.
//!
//! Attendance is preset by kind: the committee for a 支委会, everyone otherwise (a 党小组's
//! roll is its group). Before saving, a likely double entry (same kind, date and topic)
//! and attendees outside the committee of a 支委会 are shown as warnings that the
//! secretary confirms; nothing is required beyond the rules.

use crate::auth::{checked_form, page_viewer, CsrfForm, Viewer};
use crate::error::PageError;
use crate::view::{opt, page, today};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use domain::life::EvaluationInput;
use domain::meeting::{AttendanceInput, MeetingForm, MeetingInput, MeetingKind, NewMeeting};
use domain::member::Member;
use domain::org::Org;
use domain::{FieldError, Labelled};
use maud::{html, Markup};
use std::collections::HashMap;
use store::StoreError;

type PageResult = Result<Response, PageError>;

/// Members listed on the form at most (a branch rarely has more than 50; a 党总支 records
/// its meetings through its branches).
const MAX_LISTED: i64 = 300;

type Fields = HashMap<String, String>;

/// The organisation, its roll, and the members on its committee now (支委会成员).
struct Roll {
    org: Org,
    members: Vec<Member>,
    committee: Vec<i64>,
}

async fn roll(st: &AppState, v: &Viewer, org_id: i64) -> Result<Roll, PageError> {
    if v.scope.own_member().is_some() {
        return Err(PageError::Status(StatusCode::FORBIDDEN, "党员账号不能登记会议".into()));
    }
    let org = st.store.org(&v.scope, org_id).await?;
    let (members, _) = st.store.org_members(&v.scope, org_id, 0, MAX_LISTED).await?;
    let committee = st.store.committee_posts(&v.scope, org_id).await?.into_iter().filter(|p| p.end_on.is_none()).filter_map(|p| p.member_id).collect();
    Ok(Roll { org, members, committee })
}

impl Roll {
    /// Who is expected at a meeting of `kind`: the committee for a 支委会 (when it is on
    /// file), everyone otherwise.
    fn expected(&self, kind: Option<MeetingKind>, member: i64) -> bool {
        kind != Some(MeetingKind::CommitteeMeeting) || self.committee.is_empty() || self.committee.contains(&member)
    }

    /// The attendance a member's row starts with: what was entered, else the preset.
    fn attendance(&self, f: &Fields, member: i64) -> String {
        if f.get("preset").map(String::as_str) == Some("all") {
            return "present".into();
        }
        let kind = f.get("kind").and_then(|k| MeetingKind::parse(k));
        f.get(&format!("att_{member}")).cloned().unwrap_or_else(|| if self.expected(kind, member) { "present".into() } else { "none".into() })
    }
}

#[derive(serde::Deserialize)]
pub struct Prefill {
    /// The kind to record, from a 待办 link.
    kind: Option<String>,
    /// The 活动预告 the meeting was announced as: its kind, day and topic, and the
    /// members who signed in as present; the others are marked absent for the secretary
    /// to confirm with a reason (or change).
    plan: Option<i64>,
}

pub async fn new_meeting(State(st): State<AppState>, headers: HeaderMap, Path(id): Path<i64>, axum::extract::Query(q): axum::extract::Query<Prefill>) -> Result<Response, PageError> {
    let v = page_viewer(&st, &headers).await?;
    let r = roll(&st, &v, id).await?;
    let mut f = Fields::new();
    f.insert("held_on".into(), today().to_string());
    let kind = q.kind.as_deref().and_then(MeetingKind::parse).unwrap_or(MeetingKind::ALL[0]);
    f.insert("kind".into(), kind.code().into());
    if let Some(pid) = q.plan {
        let p = st.store.plan(&v.scope, pid).await?;
        if p.org_id != r.org.id || p.meeting_id.is_some() {
            return Ok(Redirect::to(&format!("/plans/{pid}")).into_response());
        }
        let signed: Vec<i64> = st.store.plan_checkins(&v.scope, pid).await?.into_iter().map(|c| c.member_id).collect();
        f.insert("plan".into(), pid.to_string());
        f.insert("kind".into(), p.kind.code().into());
        f.insert("held_on".into(), p.planned_on.min(today()).to_string());
        f.insert("topic".into(), p.topic.clone());
        for m in &r.members {
            let att = if signed.contains(&m.id) { "present" } else if r.expected(Some(p.kind), m.id) { "absent" } else { "none" };
            f.insert(format!("att_{}", m.id), att.into());
        }
    }
    Ok(render(&v, &r, &f, &[], &[]))
}

pub async fn create_meeting(State(st): State<AppState>, headers: HeaderMap, Path(id): Path<i64>, Form(raw): Form<Vec<(String, String)>>) -> Result<Response, PageError> {
    let v = page_viewer(&st, &headers).await?;
    let f: Fields = checked_form(&v, raw)?;
    let r = roll(&st, &v, id).await?;
    if f.contains_key("preset") {
        // "全部出席" or a kind's preset: the form again, nothing saved.
        let mut f = f;
        if f.get("preset").map(String::as_str) != Some("all") {
            f.retain(|k, _| !k.starts_with("att_"));
        }
        return Ok(render(&v, &r, &f, &[], &[]));
    }
    let (new, mut errors) = parse(id, &f, &r);
    if let (Some(new), true) = (new, errors.is_empty()) {
        let warnings = warnings(&st, &v, &r, &new).await?;
        if !warnings.is_empty() && f.get("confirmed").map(String::as_str) != Some("1") {
            let mut res = render(&v, &r, &f, &[], &warnings);
            *res.status_mut() = StatusCode::CONFLICT;
            return Ok(res);
        }
        let plan = f.get("plan").and_then(|p| p.parse().ok());
        match st.store.insert_meeting_planned(&v.scope, &new, today(), plan).await {
            Ok(d) => {
                crate::jobs::update_figures(&st, new.org_id, chrono::Datelike::year(&new.held_on));
                return Ok(Redirect::to(&format!("/meetings/{}", d.meeting.id)).into_response());
            }
            Err(StoreError::Invalid(e)) => errors.extend(e.errors),
            Err(e) => return Err(e.into()),
        }
    }
    let mut res = render(&v, &r, &f, &errors, &[]);
    *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    Ok(res)
}

/// What the secretary should look at before saving: a likely double entry, and people
/// marked present at a 支委会 who are not on the committee.
async fn warnings(st: &AppState, v: &Viewer, r: &Roll, new: &NewMeeting) -> Result<Vec<String>, PageError> {
    let mut out = Vec::new();
    if let Some(id) = st.store.similar_meeting(&v.scope, r.org.id, new.kind, new.held_on, &new.topic).await? {
        out.push(format!("本组织已登记过{}“{}”（{}，记录编号{id}），可能是重复登记", new.kind.label(), new.topic.trim(), new.held_on));
    }
    let outside: Vec<&str> = new
        .attendance
        .iter()
        .filter(|a| a.present && !r.expected(Some(new.kind), a.member_id))
        .filter_map(|a| r.members.iter().find(|m| m.id == a.member_id).map(|m| m.name.as_str()))
        .collect();
    if !outside.is_empty() {
        out.push(format!("{}不是支委会成员，却记为出席支委会（{}人）；列席的请确认，误选的请改为“不参加”", outside.join("、"), outside.len()));
    }
    Ok(out)
}

/// The form's fields as the domain's meeting input (the API and the import fill the same).
fn parse(org_id: i64, f: &Fields, r: &Roll) -> (Option<NewMeeting>, Vec<FieldError>) {
    let members = &r.members;
    let get = |k: &str| f.get(k).map(|s| s.trim().to_string()).unwrap_or_default();
    let opt = |k: &str| Some(get(k)).filter(|s| !s.is_empty());
    let mut attendance = Vec::new();
    for m in members {
        match f.get(&format!("att_{}", m.id)).map(String::as_str) {
            Some("present") => attendance.push(AttendanceInput { member_id: m.id, present: true, absence_reason: None }),
            Some("absent") => attendance.push(AttendanceInput { member_id: m.id, present: false, absence_reason: opt(&format!("reason_{}", m.id)) }),
            _ => {}
        }
    }
    let input = MeetingInput {
        org_id,
        kind: get("kind"),
        held_on: get("held_on"),
        topic: get("topic"),
        summary: opt("summary"),
        form: get("form"),
        theme: opt("theme"),
        host: opt("host"),
        recorder: opt("recorder"),
        attendance,
    };
    match input.validate(today()) {
        Ok(m) => (Some(m), Vec::new()),
        Err(e) => (None, e.errors),
    }
}

fn render(v: &Viewer, r: &Roll, f: &Fields, errors: &[FieldError], warnings: &[String]) -> Response {
    let (org, members) = (&r.org, &r.members);
    let val = |k: &str| f.get(k).cloned().unwrap_or_default();
    // An error about one member names them, at their row and in the summary.
    let named = |e: &FieldError| match e.row.and_then(|id| members.iter().find(|m| m.id == id)) {
        Some(m) => e.message.replace(&format!("党员（编号{}）", m.id), &format!("党员“{}”", m.name)),
        None => e.message.clone(),
    };
    let at = |field: &str| html! { @for e in errors.iter().filter(|e| e.field == field && e.row.is_none()) { p.error.field-error { (e.message) } } };
    let select = |name: &str, options: Markup| html! { select id=(name) name=(name) required { (options) } };
    let body = html! {
        div.crumbs { a href={ "/orgs/" (org.id) } { (org.name) } " › 登记会议" }
        section {
            h1 { "登记会议：" (org.name) }
            @if !errors.is_empty() {
                div.error role="alert" {
                    p { "未保存，共" (errors.len()) "处需要修改，已在下面各处标出（已填写的内容都保留着）：" }
                    ul { @for e in errors { li { (named(e)) } } }
                }
            }
            @if !warnings.is_empty() {
                div.error role="alert" {
                    p { "请核对后再保存：" }
                    ul { @for w in warnings { li { (w) } } }
                }
            }
            p.muted { "按会议类型预设出勤：" @for k in MeetingKind::ALL { a href={ "/orgs/" (org.id) "/meetings/new?kind=" (k.code()) } { (k.label()) } " " } }
            form.meeting method="post" action={ "/orgs/" (org.id) "/meetings" } {
                input type="hidden" name="csrf" value=(v.session.csrf_token);
                label for="kind" { "会议类型" }
                @if let Some(p) = f.get("plan") { input type="hidden" name="plan" value=(p); }
                (select("kind", html! { @for k in MeetingKind::ALL { option value=(k.code()) selected[val("kind") == k.code()] { (k.label()) } } }))
                (at("kind"))
                label for="held_on" { "会议日期" }
                input id="held_on" type="date" name="held_on" value=(val("held_on")) required;
                (at("held_on"))
                label for="topic" { "会议主题" }
                input id="topic" type="text" name="topic" value=(val("topic")) required maxlength="200";
                (at("topic"))
                label for="form" { "活动形式" }
                (select("form", html! { @for k in MeetingForm::ALL { option value=(k.code()) selected[val("form") == k.code()] { (k.label()) } } }))
                (at("form"))
                label for="theme" { "内容类别（各类会议均可填；只传达、学习上级文件的选“传达文件”）" }
                select id="theme" name="theme" {
                    option value="" { "—" }
                    @for t in domain::life::ThemeCategory::ALL { option value=(t.code()) selected[val("theme") == t.code()] { (t.label()) } }
                }
                label for="summary" { "内容摘要" }
                textarea id="summary" name="summary" rows="4" { (val("summary")) }
                (at("summary"))
                label for="host" { "主持人" }
                input id="host" type="text" name="host" value=(val("host"));
                label for="recorder" { "记录人" }
                input id="recorder" type="text" name="recorder" value=(val("recorder"));
                (at("host")) (at("recorder")) (at("theme"))
                h2 { "出勤（" (members.len()) "人）" }
                (at("attendance"))
                p.muted { "支委会预设为支委会成员出席、其他人“不参加”；其他会议预设为全体出席。缺席须填写原因。" }
                button type="submit" name="preset" value="all" formnovalidate { "全部出席" }
                div.table-wrap { table {
                    thead { tr { th { "姓名" } th { "出勤" } th { "缺席原因" } } }
                    tbody { @for m in members {
                        @let key = format!("att_{}", m.id);
                        @let cur = r.attendance(f, m.id);
                        @let row_errors: Vec<String> = errors.iter().filter(|e| e.row == Some(m.id)).map(|e| named(e)).collect();
                        tr.row-error[!row_errors.is_empty()] {
                            td { label for=(key) { (m.name) } @for e in &row_errors { p.error.field-error { (e) } } }
                            td { select id=(key) name=(key) {
                                option value="present" selected[cur == "present"] { "出席" }
                                option value="absent" selected[cur == "absent"] { "缺席" }
                                option value="none" selected[cur == "none"] { "不参加" }
                            } }
                            td { input type="text" name={ "reason_" (m.id) } value=(val(&format!("reason_{}", m.id))) aria-label={ (m.name) "缺席原因" }; }
                        }
                    } }
                } }
                @if !warnings.is_empty() {
                    label { input type="checkbox" name="confirmed" value="1"; " 我已核对，仍要保存" }
                }
                button.primary type="submit" { "保存会议记录" }
            }
        }
    };
    page(v, "登记会议", body)
}

pub async fn meeting_page(State(st): State<AppState>, headers: HeaderMap, Path(id): Path<i64>) -> PageResult {
    let v = page_viewer(&st, &headers).await?;
    let d = st.store.meeting(&v.scope, id).await?;
    let m = &d.meeting;
    let files = st.store.attachments(&v.scope, "meeting", id).await?;
    // Those who keep the organisation's records add photos and minutes; members read them.
    let keeps = v.scope.own_member().is_none() && st.store.org(&v.scope, m.org_id).await.is_ok();
    let body = html! {
        div.crumbs { @if keeps { a href={ "/orgs/" (m.org_id) } { (d.org_name) } } @else { (d.org_name) } " › " (m.kind.label()) }
        section {
            h1 { (m.topic) }
            dl.facts {
                dt { "党组织" } dd { @if keeps { a href={ "/orgs/" (m.org_id) } { (d.org_name) } } @else { (d.org_name) } }
                dt { "会议类型" } dd { (m.kind.label()) }
                dt { "日期" } dd { (m.held_on) }
                dt { "形式" } dd { (m.form.label()) @if let Some(t) = m.theme { "（" (t.label()) "）" } }
                dt { "主持人" } dd { (opt(&m.host)) }
                dt { "记录人" } dd { (opt(&m.recorder)) }
                dt { "内容摘要" } dd { (opt(&m.summary)) }
                dt { "出席情况" } dd { "应到 " (m.expected) " 人，实到 " (m.present) " 人" }
            }
        }
        section {
            h2 { "出勤名单" }
            div.table-wrap { table {
                thead { tr { th { "姓名" } th { "出勤" } th { "缺席原因" } } }
                tbody { @for a in &d.attendance { tr {
                    td { a href={ "/members/" (a.member_id) } { (a.member_name) } }
                    td { @if a.present { span.tag.ok { "出席" } } @else { span.tag.warn { "缺席" } } }
                    td { (opt(&a.absence_reason)) }
                } } }
            } }
        }
        section {
            h2 { "照片和会议记录（" (files.len()) "）" }
            @if files.is_empty() { p.muted { "没有附件。附件不是必需的，按需上传。" } }
            ul.cards { @for f in &files { li { a href={ "/attachments/" (f.id) } { (f.file_name) } " " span.muted { (format!("{:.1} KB", f.size as f64 / 1024.0)) } } } }
            @if keeps {
                form method="post" action={ "/meetings/" (m.id) "/attachments" } enctype="multipart/form-data" {
                    input type="hidden" name="csrf" value=(v.session.csrf_token);
                    label { "添加照片或会议记录（" (domain::research::ATTACHMENT_KINDS) "，每个不超过 " (domain::research::MAX_ATTACHMENT_BYTES >> 20) " MB）" input type="file" name="attachments" multiple accept="image/*,.pdf,.docx"; }
                    button type="submit" { "上传" }
                }
            }
        }
        @if m.kind == domain::meeting::MeetingKind::DemocraticEvaluation && keeps {
            section {
                h2 { "评议等次" }
                form method="post" action={ "/meetings/" (m.id) "/grades" } {
                    input type="hidden" name="csrf" value=(v.session.csrf_token);
                    table { tbody { @for a in &d.attendance { tr {
                        td { label for={ "grade_" (a.member_id) } { (a.member_name) } }
                        td { select id={ "grade_" (a.member_id) } name={ "grade_" (a.member_id) } {
                            option value="" { "—" }
                            @for g in domain::life::EvaluationGrade::ALL { option value=(g.code()) { (g.label()) } }
                        } }
                    } } } }
                    button.primary type="submit" { "保存评议等次" }
                }
            }
        }
    };
    Ok(page(&v, &m.topic, body))
}

/// Grades of a democratic evaluation, entered on the meeting's page.
pub async fn grades(State(st): State<AppState>, Path(id): Path<i64>, CsrfForm(v, f): CsrfForm<HashMap<String, String>>) -> PageResult {
    let input = EvaluationInput {
        grades: f.iter().filter_map(|(k, val)| k.strip_prefix("grade_").and_then(|m| m.parse::<i64>().ok()).map(|m| (m, val.clone()))).collect(),
    };
    let list = input.validate().map_err(|e| PageError::Status(StatusCode::UNPROCESSABLE_ENTITY, e.summary()))?;
    match st.store.record_grades(&v.scope, id, &list).await {
        Ok(()) => Ok(Redirect::to(&format!("/meetings/{id}")).into_response()),
        Err(StoreError::Invalid(e)) => Err(PageError::Status(StatusCode::UNPROCESSABLE_ENTITY, e.summary())),
        Err(e) => Err(e.into()),
    }
}
