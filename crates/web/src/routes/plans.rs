//! 活动预告 and 扫码签到: a secretary announces a meeting; its members see it on 我的; on
//! the day they scan its QR code and sign themselves in; the secretary records the
//! meeting from the sign-ins and confirms the attendance.

use crate::auth::{CsrfForm, Staff};
use crate::error::PageError;
use crate::view::{page, today};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use domain::meeting::{MeetingKind, PlanInput};
use domain::Labelled;
use maud::{html, Markup};
use store::StoreError;

type PageResult = Result<Response, PageError>;

/// The announce form, for an organisation page or the 待办; `refused` brings back what
/// was typed with the reasons beside the fields.
pub fn plan_form(org_id: i64, csrf: &str, input: Option<&PlanInput>, errors: &[domain::FieldError]) -> Markup {
    let val = |f: fn(&PlanInput) -> &str| input.map(f).unwrap_or("").to_string();
    let err = |field: &str| html! { @for e in errors.iter().filter(|e| e.field == field) { p.error.field-error { (e.message) } } };
    html! {
        details open[!errors.is_empty()] {
            summary { "＋ 预告活动（党员在“我的”中看到，当天扫码签到）" }
            form method="post" action={ "/orgs/" (org_id) "/plans" } {
                input type="hidden" name="csrf" value=(csrf);
                label for="plan_kind" { "会议类型" }
                select id="plan_kind" name="kind" {
                    @for k in MeetingKind::ALL { option value=(k.code()) selected[val(|i| &i.kind) == k.code()] { (k.label()) } }
                }
                (err("kind"))
                label for="plan_on" { "日期" }
                input id="plan_on" type="date" name="planned_on" value=(input.map(|i| i.planned_on.clone()).unwrap_or_else(|| today().to_string())) required;
                (err("planned_on"))
                label for="plan_topic" { "主题" }
                input id="plan_topic" type="text" name="topic" value=(val(|i| &i.topic)) required maxlength="200";
                (err("topic"))
                label for="plan_place" { "地点" }
                input id="plan_place" type="text" name="place" value=(input.and_then(|i| i.place.clone()).unwrap_or_default()) maxlength="100";
                (err("place"))
                button.primary type="submit" { "发布预告" }
            }
        }
    }
}

pub async fn create(State(st): State<AppState>, Path(org): Path<i64>, CsrfForm(v, input): CsrfForm<PlanInput>) -> PageResult {
    if v.scope.own_member().is_some() {
        return Err(PageError::Status(StatusCode::FORBIDDEN, "党员账号不能预告活动".into()));
    }
    let o = st.store.org(&v.scope, org).await?;
    let errors = match input.validate(today()) {
        Ok(new) => match st.store.create_plan(&v.scope, o.id, &new).await {
            Ok(p) => return Ok(Redirect::to(&format!("/plans/{}", p.id)).into_response()),
            Err(StoreError::Invalid(e)) => e.errors,
            Err(e) => return Err(e.into()),
        },
        Err(e) => e.errors,
    };
    let body = html! {
        div.crumbs { a href={ "/orgs/" (o.id) } { (o.name) } " › 预告活动" }
        section {
            h1 { "预告活动：" (o.name) }
            div.error role="alert" { p { "未发布，请修改标出的内容（已填写的都保留着）。" } }
            (plan_form(o.id, &v.session.csrf_token, Some(&input), &errors))
        }
    };
    let mut res = page(&v, "预告活动", body);
    *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    Ok(res)
}

/// A plan for staff: what, when, where; the QR code to show or print; who has signed in;
/// and the way to record the meeting.
pub async fn plan_page(State(st): State<AppState>, headers: HeaderMap, Path(id): Path<i64>, Staff(v): Staff) -> PageResult {
    let p = st.store.plan(&v.scope, id).await?;
    let code = st.store.plan_code(&v.scope, id).await?;
    let checkins = st.store.plan_checkins(&v.scope, id).await?;
    let url = crate::qr::public_address(&st, &headers, &format!("/checkin/{code}"));
    let body = html! {
        div.crumbs { a href={ "/orgs/" (p.org_id) } { (p.org_name) } " › 活动预告" }
        section {
            h1 { (p.kind.label()) "：" (p.topic) }
            dl.facts {
                dt { "日期" } dd { (p.planned_on) }
                dt { "地点" } dd { (crate::view::opt(&p.place)) }
                dt { "已签到" } dd { (p.checked_in) " 人" }
            }
            @match p.meeting_id {
                Some(m) => p { "已登记为会议记录：" a href={ "/meetings/" (m) } { "查看" } },
                None => p { a.button href={ "/orgs/" (p.org_id) "/meetings/new?plan=" (p.id) } { "据签到登记会议" } " " span.muted { "签到的预设为出席，其余由您逐一确认" } },
            }
        }
        @if p.meeting_id.is_none() {
            section.poster {
                h2 { "扫码签到" }
                p { "党员登录后用手机扫描下面的二维码签到，只在" (p.planned_on) "当天有效。" }
                @if let Some(n) = crate::qr::address_note(&st) { p.error { (n) } }
                img src={ "/plans/" (p.id) "/qr.svg" } alt={ (p.org_name) (p.topic) "签到二维码" } width="260";
                p.muted.break-all { (url) }
            }
        }
        section {
            h2 { "签到名单（" (checkins.len()) "人）" }
            @if checkins.is_empty() { p.muted { "还没有人签到" } }
            @else { ol { @for c in &checkins { li { (c.name) " " span.muted { (c.checked_at.get(11..16).unwrap_or("")) } } } } }
        }
    };
    Ok(page(&v, "活动预告", body))
}

/// The plan's QR code, captioned with the organisation and the topic.
pub async fn qr(State(st): State<AppState>, headers: HeaderMap, Path((id, file)): Path<(i64, String)>, Staff(v): Staff) -> PageResult {
    if file != "qr.svg" {
        return Err(PageError::Status(StatusCode::NOT_FOUND, "二维码不存在".into()));
    }
    let p = st.store.plan(&v.scope, id).await?;
    let code = st.store.plan_code(&v.scope, id).await?;
    let url = crate::qr::public_address(&st, &headers, &format!("/checkin/{code}"));
    let caption = format!("{} {}", p.planned_on, p.kind.label());
    let svg = crate::qr::svg_captioned(&url, &[&p.org_name, &p.topic, &caption, "党员扫码签到"]).map_err(|e| PageError::Status(StatusCode::UNPROCESSABLE_ENTITY, e))?;
    Ok(([(header::CONTENT_TYPE, "image/svg+xml"), (header::CONTENT_DISPOSITION, "inline")], svg).into_response())
}

/// What a member sees on scanning: the meeting and a button to sign in (a GET changes
/// nothing). Signed out, the login comes first and returns here.
pub async fn checkin_page(State(st): State<AppState>, headers: HeaderMap, Path(code): Path<String>) -> PageResult {
    let v = match crate::auth::page_viewer(&st, &headers).await {
        Ok(v) => v,
        Err(PageError::Login) => return Ok(Redirect::to(&format!("/login?next=/checkin/{}", code.chars().filter(char::is_ascii_alphanumeric).collect::<String>())).into_response()),
        Err(e) => return Err(e),
    };
    let p = st.store.plan_by_code(&code).await?;
    Ok(page(&v, "扫码签到", checkin_body(&v, &p, &code, None)))
}

fn checkin_body(v: &crate::auth::Viewer, p: &domain::meeting::Plan, code: &str, done: Option<Result<bool, String>>) -> Markup {
    html! {
        section {
            h1 { "扫码签到" }
            dl.facts {
                dt { "党组织" } dd { (p.org_name) }
                dt { "活动" } dd { (p.kind.label()) "：" (p.topic) }
                dt { "日期" } dd { (p.planned_on) }
                @if let Some(place) = &p.place { dt { "地点" } dd { (place) } }
            }
            @match &done {
                Some(Ok(first)) => p.ok-note role="status" { span.tag.ok { "已签到" } " " @if *first { "签到成功，书记登记会议时会看到。" } @else { "您已经签过到了。" } },
                Some(Err(e)) => p.error role="alert" { (e) },
                None => form method="post" action={ "/checkin/" (code) } {
                    input type="hidden" name="csrf" value=(v.session.csrf_token);
                    button.primary type="submit" { "我已到会，签到" }
                },
            }
            p { a href="/" { "返回我的页面" } }
        }
    }
}

pub async fn check_in(State(st): State<AppState>, Path(code): Path<String>, CsrfForm(v, _): CsrfForm<std::collections::HashMap<String, String>>) -> PageResult {
    let p = st.store.plan_by_code(&code).await?;
    let done = match st.store.check_in(&v.scope, &code, today()).await {
        Ok((_, first)) => Ok(first),
        Err(StoreError::Invalid(e)) => Err(e.summary()),
        Err(e) => return Err(e.into()),
    };
    let status = if done.is_ok() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let mut res = page(&v, "扫码签到", checkin_body(&v, &p, &code, Some(done)));
    *res.status_mut() = status;
    Ok(res)
}

/// A signed-in user's upcoming plans, for the member's 我的 page.
pub fn upcoming(plans: &[domain::meeting::Plan]) -> Markup {
    html! {
        @if plans.is_empty() { p.muted { "近期没有预告的活动" } }
        @else {
            ul.cards { @for p in plans { li {
                b { (p.planned_on) } " " (p.kind.label()) "：" (p.topic)
                @if let Some(place) = &p.place { br; span.muted { "地点：" (place) } }
            } } }
        }
    }
}

