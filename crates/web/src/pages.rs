//! Server-rendered pages.

use crate::auth::{self, page_viewer, Viewer};
use crate::error::PageError;
use crate::view::{layout, mask_phone, opt};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use chrono::Datelike;
use domain::member::age_on;
use domain::user::Role;
use domain::Labelled;
use maud::{html, Markup};
use serde::Deserialize;

type PageResult = Result<Response, PageError>;

pub(crate) fn today() -> domain::Date {
    chrono::Local::now().date_naive()
}

pub(crate) fn page(v: &Viewer, title: &str, body: Markup) -> Response {
    layout(title, Some((&v.session.user, &v.session.csrf_token)), body).into_response()
}

/// Each role's home: a member's 我的, a 党小组长's group, a secretary's 待办, the
/// organisation department's 概览.
pub async fn home(State(st): State<AppState>, headers: HeaderMap) -> PageResult {
    let v = page_viewer(&st, &headers).await?;
    let to = match v.session.user.role {
        Role::Member => "/me".to_string(),
        Role::GroupLeader => format!("/orgs/{}", v.scope.root_org().unwrap_or_default()),
        Role::Secretary => "/todo".to_string(),
        Role::Admin => "/overview".to_string(),
    };
    Ok(Redirect::to(&to).into_response())
}

pub async fn not_found() -> Response {
    (StatusCode::NOT_FOUND, crate::view::message_page(StatusCode::NOT_FOUND, "您访问的页面不存在")).into_response()
}

// ---- login -------------------------------------------------------------------------------

#[derive(Deserialize)]
pub struct LoginNext {
    next: Option<String>,
}

/// Where to go after signing in: a path on this site only (never `//host` or a scheme).
fn safe_next(next: Option<&str>) -> Option<&str> {
    next.filter(|n| n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') && n.len() < 200 && n.chars().all(|c| c.is_ascii_graphic()))
}

pub async fn login_form(State(st): State<AppState>, Query(q): Query<LoginNext>) -> Response {
    let csrf = store::random_token();
    let mut res = login_page(&csrf, None, safe_next(q.next.as_deref())).into_response();
    let c = format!("{}={csrf}; Path=/login; HttpOnly; SameSite=Strict{}", auth::LOGIN_CSRF_COOKIE, auth::secure(st.https));
    res.headers_mut().insert(header::SET_COOKIE, c.parse().expect("valid header"));
    res
}

fn login_page(csrf: &str, error: Option<&str>, next: Option<&str>) -> Html<String> {
    layout("登录", None, html! {
        form.login method="post" action="/login" {
            h1 { "登录党建平台" }
            @if let Some(e) = error { p.error { (e) } }
            @if next.is_some_and(|n| n.starts_with("/checkin/")) { p.muted { "登录后即可签到。" } }
            input type="hidden" name="csrf" value=(csrf);
            @if let Some(n) = next { input type="hidden" name="next" value=(n); }
            label for="username" { "用户名" }
            input id="username" type="text" name="username" autocomplete="username" required autofocus;
            label for="password" { "密码" }
            input id="password" type="password" name="password" autocomplete="current-password" required;
            button.primary type="submit" { "登录" }
        }
    })
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    csrf: String,
    next: Option<String>,
}

pub async fn login(State(st): State<AppState>, peer: Option<axum::Extension<axum::extract::ConnectInfo<std::net::SocketAddr>>>, headers: HeaderMap, Form(f): Form<LoginForm>) -> PageResult {
    let expected = auth::cookie(&headers, auth::LOGIN_CSRF_COOKIE).unwrap_or_default();
    if expected.is_empty() || !auth::same_token(&expected, &f.csrf) {
        return Err(PageError::Status(StatusCode::FORBIDDEN, "表单已过期或来源不明（CSRF 校验失败），请刷新登录页后重试".into()));
    }
    let token = match auth::sign_in(&st, &f.username, &f.password, peer.map(|p| p.0 .0.ip())).await? {
        auth::SignIn::Throttled(wait) => {
            let mut res = (StatusCode::TOO_MANY_REQUESTS, login_page(&f.csrf, Some(&crate::throttle::message(wait)), safe_next(f.next.as_deref()))).into_response();
            res.headers_mut().insert(header::RETRY_AFTER, wait.as_secs().max(1).into());
            return Ok(res);
        }
        auth::SignIn::Refused => return Ok((StatusCode::UNAUTHORIZED, login_page(&f.csrf, Some("用户名或密码不正确"), safe_next(f.next.as_deref()))).into_response()),
        auth::SignIn::Accepted(token, _) => token,
    };
    let mut res = Redirect::to(safe_next(f.next.as_deref()).unwrap_or("/")).into_response();
    res.headers_mut().insert(header::SET_COOKIE, auth::session_cookie(&token, st.https).parse().expect("valid header"));
    Ok(res)
}

#[derive(Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

pub async fn logout(State(st): State<AppState>, headers: HeaderMap, Form(f): Form<CsrfForm>) -> PageResult {
    let v = page_viewer(&st, &headers).await?;
    if !auth::same_token(&v.session.csrf_token, &f.csrf) {
        return Err(PageError::Status(StatusCode::FORBIDDEN, "CSRF 校验失败，请刷新页面后重试".into()));
    }
    if let Some(t) = auth::cookie(&headers, auth::SESSION_COOKIE) {
        st.store.revoke_session(&t).await?;
        st.store.audit(Some(&auth::actor_of(&v.session.user)), None, "logout", Some(("users", v.session.user.id)), serde_json::json!({})).await?;
    }
    let mut res = Redirect::to("/login").into_response();
    res.headers_mut().insert(header::SET_COOKIE, auth::clear_session_cookie(st.https).parse().expect("valid header"));
    Ok(res)
}

// ---- organisations -------------------------------------------------------------------

fn org_rows(children: &[store::OrgSummary]) -> Markup {
    html! {
        div.table-wrap { table {
            thead { tr { th { "党组织" } th { "层级" } th.hide-sm { "领域" } th { "党员数" } th.hide-sm { "下级组织" } } }
            tbody {
                @for c in children {
                    tr {
                        td { a href={ "/orgs/" (c.org.id) } { (c.org.name) } }
                        td { (c.org.level.label()) }
                        td.hide-sm { (c.org.sector.label()) }
                        td { (c.member_count) }
                        td.hide-sm { (c.child_count) }
                    }
                }
            }
        } }
    }
}

pub async fn org_roots(State(st): State<AppState>, headers: HeaderMap) -> PageResult {
    let v = page_viewer(&st, &headers).await?;
    if let Some(m) = v.scope.own_member() {
        return Ok(Redirect::to(&format!("/members/{m}")).into_response());
    }
    let roots = st.store.org_children(&v.scope, None).await?;
    if let [only] = roots.as_slice() {
        return Ok(Redirect::to(&format!("/orgs/{}", only.org.id)).into_response());
    }
    Ok(page(&v, "组织架构", html! { section { h1 { "组织架构" } (org_rows(&roots)) } }))
}

#[derive(Deserialize)]
pub struct OrgQuery {
    year: Option<i32>,
    page: Option<i64>,
}

const PAGE_SIZE: i64 = 50;

pub async fn org_page(State(st): State<AppState>, headers: HeaderMap, Path(id): Path<i64>, Query(q): Query<OrgQuery>) -> PageResult {
    let v = page_viewer(&st, &headers).await?;
    render_org(&st, &v, id, q.year, q.page, None).await
}

/// The organisation page; `refused` carries a refused form back onto it.
pub(crate) async fn render_org(st: &AppState, v: &Viewer, id: i64, year: Option<i32>, pageno: Option<i64>, refused: Option<&crate::records_pages::Refused<'_>>) -> PageResult {
    let s = &st.store;
    let summary = s.org_summary(&v.scope, id).await?;
    let org = &summary.org;
    let year = year.unwrap_or(today().year());
    let pageno = pageno.unwrap_or(1).max(1);
    // Workers, carriers and funding are the branch's records, not a 党小组长's.
    let records = if v.scope.is_group() { maud::html! {} } else { crate::records_pages::org_sections(st, v, org, refused).await? };
    let ancestors = s.org_ancestors(&v.scope, id).await?;
    let children = s.org_children(&v.scope, Some(id)).await?;
    let posts = s.committee_posts(&v.scope, id).await?;
    let venues = s.venues(&v.scope, id).await?;
    let (members, total) = s.org_members(&v.scope, id, (pageno - 1) * PAGE_SIZE, PAGE_SIZE).await?;
    let meetings = s.meetings(&v.scope, id, year).await?;
    let units = s.units(&v.scope, Some(id)).await?;
    let due = org.next_election_due();
    let overdue = due.is_some_and(|d| d < today());
    let body = html! {
        div.crumbs {
            @for a in &ancestors { a href={ "/orgs/" (a.id) } { (a.name) } " › " }
            (org.name)
        }
        section {
            h1 { (org.name) }
            span.stat { "党员 " b { (summary.member_count) } " 名" }
            span.stat { "下级组织 " b { (summary.child_count) } " 个" }
            dl.facts {
                dt { "组织代码" } dd { (org.code) }
                dt { "层级" } dd { (org.level.label()) }
                dt { "所属领域" } dd { (org.sector.label()) }
                dt { "行政区划代码" } dd { (org.region_code) }
                dt { "成立日期" } dd { (opt(&org.founded_on)) }
                dt { "上次换届" } dd { (opt(&org.elected_on)) @if let Some(t) = org.term_years { "（任期" (t) "年）" } }
                dt { "下次换届" } dd {
                    (opt(&due))
                    @if overdue { " " span.tag.bad { "换届已逾期" } }
                }
            }
            @if v.scope.is_group() {
                p { a.button href="/todo" { "待办" } " " a href={ "/orgs/" (org.id) "/export/members" } { "导出本小组党员名册（Excel）" } }
            } @else if v.scope.own_member().is_none() {
                p {
                    a.button href={ "/todo?org=" (org.id) } { "待办" } " "
                    a.button href={ "/compliance?org=" (org.id) } { "合规检查" } " "
                    @if org.level.holds_members() { a.button href={ "/orgs/" (org.id) "/development" } { "发展党员" } }
                }
            }
        }
        @if !children.is_empty() {
            section { h2 { "下级党组织" } (org_rows(&children)) }
        }
        @if v.scope.own_member().is_none() && !v.scope.is_group() { (crate::exchange_pages::org_links(org.id, v.is_jurisdiction_admin())) }
        @if !posts.is_empty() || org.level != domain::org::OrgLevel::Group {
            section {
                h2 { "班子成员" }
                @if posts.is_empty() { p.muted { "未登记班子成员" } }
                @else {
                    table { thead { tr { th { "职务" } th { "姓名" } th { "任职时间" } } }
                        tbody { @for p in &posts { tr {
                            td { (p.role.label()) }
                            td { @if let Some(m) = p.member_id { a href={ "/members/" (m) } { (p.person_name) } } @else { (p.person_name) } }
                            td { (p.start_on) " 至 " (p.end_on.map(|d| d.to_string()).unwrap_or_else(|| "今".into())) }
                        } } }
                    }
                }
                @if !venues.is_empty() {
                    h2 { "阵地" }
                    ul { @for vn in &venues { li { (vn.kind.label()) @if let Some(a) = vn.area_m2 { "，" (a) " 平方米" } } } }
                }
            }
        }
        @if total > 0 {
            section {
                h2 { "党员名册（" (total) "名）" }
                div.table-wrap { table {
                    thead { tr { th { "姓名" } th { "性别" } th { "年龄" } th.hide-sm { "学历" } th { "类别" } th.hide-sm { "标记" } } }
                    tbody { @for m in &members { tr {
                        td { a href={ "/members/" (m.id) } { (m.name) } }
                        td { (m.sex.label()) }
                        td { (age_on(m.birth_date, today())) }
                        td.hide-sm { (m.education.label()) }
                        td { (m.status.label()) }
                        td.hide-sm {
                            @if m.is_mobile { span.tag.warn { "流动党员" } }
                            @if m.is_lost_contact { span.tag.bad { "失联" } }
                            @if m.is_abroad { span.tag { "出国（境）" } }
                        }
                    } } }
                } }
                @if total > PAGE_SIZE {
                    p.pager {
                        @if pageno > 1 { a href={ "?page=" (pageno - 1) "&year=" (year) } { "上一页" } }
                        "第 " (pageno) " / " ((total + PAGE_SIZE - 1) / PAGE_SIZE) " 页"
                        @if pageno * PAGE_SIZE < total { " " a href={ "?page=" (pageno + 1) "&year=" (year) } { "下一页" } }
                    }
                }
            }
        }
        section {
            h2 { (year) "年组织生活（" (meetings.len()) "次）" }
            @if v.scope.own_member().is_none() && org.level.holds_members() || org.level == domain::org::OrgLevel::Group {
                p { a.button href={ "/orgs/" (org.id) "/meetings/new" } { "＋ 登记会议" } }
            }
            @if v.scope.own_member().is_none() && !v.scope.is_group() {
                p { a href={ "/interviews/new?org=" (org.code) } { "在本组织录入访谈" } " · " a href={ "/cases/new?org=" (org.code) } { "录入案例" } }
            }
            p.pager { a href={ "?year=" (year - 1) } { "‹ " (year - 1) "年" } @if year < today().year() { a href={ "?year=" (year + 1) } { (year + 1) "年 ›" } } }
            @if meetings.is_empty() { p.muted { "本年度没有登记会议" } }
            @else {
                div.table-wrap { table {
                    thead { tr { th { "日期" } th { "类型" } th { "主题" } th { "出席" } } }
                    tbody { @for m in &meetings { tr {
                        td { (m.held_on) }
                        td { (m.kind.label()) }
                        td { a href={ "/meetings/" (m.id) } { (m.topic) } }
                        td { (m.present) "/" (m.expected) }
                    } } }
                } }
            }
        }
        @if !units.is_empty() {
            section {
                h2 { "所辖基层单位（" (units.len()) "个）" }
                div.table-wrap { table {
                    thead { tr { th { "单位" } th { "类型" } th.hide-sm { "从业人员" } th { "党员" } th { "覆盖方式" } } }
                    tbody { @for u in &units { tr {
                        td { (u.name) @if let Some(f) = u.new_field { " " span.tag { (f.label()) } } }
                        td { (u.kind.label()) }
                        td.hide-sm { (u.employees) }
                        td { (u.party_members) }
                        td { @if u.coverage == domain::unit::Coverage::None { span.tag.bad { (u.coverage.label()) } } @else { (u.coverage.label()) } }
                    } } }
                } }
            }
        }
        (records)
    };
    Ok(page(v, &org.name, body))
}

// ---- members and meetings ---------------------------------------------------------------

pub async fn member_page(State(st): State<AppState>, headers: HeaderMap, Path(id): Path<i64>) -> PageResult {
    let v = page_viewer(&st, &headers).await?;
    render_member(&st, &v, id, None).await
}

/// The member page; `refused` carries a refused form back onto it.
pub(crate) async fn render_member(st: &AppState, v: &Viewer, id: i64, refused: Option<&crate::records_pages::Refused<'_>>) -> PageResult {
    let (m, org_name) = st.store.member(&v.scope, id).await?;
    let records = crate::records_pages::member_sections(st, v, &m, refused).await?;
    let year = today().year();
    let attendance = st.store.member_attendance(&v.scope, id, year).await?;
    let missing = m.missing_archive_materials();
    let attended = attendance.iter().filter(|a| a.1).count();
    // A 党小组长 reads the member, not the branch holding the relationship.
    let can_open_org = v.scope.own_member().is_none() && !v.scope.is_group();
    let body = html! {
        section {
            h1 { (m.name) " " @if !m.is_active() { span.tag.bad { "已减少" } } }
            dl.facts {
                dt { "所在党组织" } dd { @if can_open_org { a href={ "/orgs/" (m.org_id) } { (org_name) } } @else { (org_name) } }
                dt { "性别" } dd { (m.sex.label()) }
                dt { "民族" } dd { (m.ethnicity) }
                dt { "出生日期" } dd { (m.birth_date) "（" (age_on(m.birth_date, today())) "岁）" }
                dt { "公民身份号码" } dd { (m.citizen_id.masked()) }
                dt { "学历" } dd { (m.education.label()) }
                dt { "职业" } dd { (m.occupation.label()) }
                dt { "联系电话" } dd { (m.phone.as_deref().map(mask_phone).unwrap_or_else(|| "—".into())) }
                dt { "入党时间" } dd { (m.joined_on) }
                dt { "转正时间" } dd { (opt(&m.full_on)) }
                dt { "党员类别" } dd { (m.status.label()) }
                dt { "标记" } dd {
                    @if m.is_mobile { span.tag.warn { "流动党员" } }
                    @if m.is_lost_contact { span.tag.bad { "失联" } }
                    @if m.is_abroad { span.tag { "出国（境）" } }
                    @if !m.is_mobile && !m.is_lost_contact && !m.is_abroad { "—" }
                }
                @if let Some(d) = m.left_on {
                    dt { "减少" } dd { (d) " " (m.left_reason.map(|r| r.label()).unwrap_or("")) " " (m.left_note.clone().unwrap_or_default()) }
                }
            }
        }
        section {
            h2 { "档案" }
            dl.facts {
                dt { "存放单位" } dd { (opt(&m.archive_location)) }
                dt { "已归档材料" } dd { @for a in &m.archive_materials { span.tag.ok { (a.label()) } } }
                dt { "缺少材料" } dd { @if missing.is_empty() { "无" } @for a in &missing { span.tag.bad { (a.label()) } } }
            }
        }
        section {
            h2 { (year) "年参加组织生活（出席 " (attended) " / " (attendance.len()) " 次）" }
            @if attendance.is_empty() { p.muted { "本年度没有出勤记录" } }
            @else {
                div.table-wrap { table {
                    thead { tr { th { "日期" } th { "类型" } th.hide-sm { "主题" } th { "出勤" } } }
                    tbody { @for (mt, present, reason) in &attendance { tr {
                        td { (mt.held_on) }
                        td { (mt.kind.label()) }
                        td.hide-sm { @if can_open_org { a href={ "/meetings/" (mt.id) } { (mt.topic) } } @else { (mt.topic) } }
                        td { @if *present { span.tag.ok { "出席" } } @else { span.tag.warn { "缺席" } " " (reason.clone().unwrap_or_default()) } }
                    } } }
                } }
            }
        }
        (records)
    };
    Ok(page(v, &m.name, body))
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

#[derive(Deserialize)]
pub struct SearchQuery {
    q: Option<String>,
}

pub async fn search(State(st): State<AppState>, headers: HeaderMap, Query(q): Query<SearchQuery>) -> PageResult {
    let v = page_viewer(&st, &headers).await?;
    if v.session.user.role == Role::Member {
        return Err(PageError::Status(StatusCode::FORBIDDEN, "党员账号只能查看本人信息".into()));
    }
    let text = q.q.unwrap_or_default();
    let results = st.store.search_members(&v.scope, &text, 200).await?;
    let body = html! {
        section {
            h1 { "查找党员" }
            form.search method="get" action="/search" {
                input type="search" name="q" value=(text) placeholder="输入姓名或其中的字" aria-label="姓名";
                button type="submit" { "查找" }
            }
        }
        @if !text.trim().is_empty() {
            section {
                h2 { "找到 " (results.len()) " 名" @if results.len() == 200 { "（只显示前200名，请输入更完整的姓名）" } }
                div.table-wrap { table {
                    thead { tr { th { "姓名" } th { "所在党组织" } th.hide-sm { "出生日期" } th { "状态" } } }
                    tbody { @for (m, org) in &results { tr {
                        td { a href={ "/members/" (m.id) } { (m.name) } }
                        td { @if v.scope.is_group() { (org) } @else { a href={ "/orgs/" (m.org_id) } { (org) } } }
                        td.hide-sm { (m.birth_date) }
                        td { @if m.is_active() { (m.status.label()) } @else { span.tag.bad { "已减少" } } }
                    } } }
                } }
            }
        }
    };
    Ok(page(&v, "查找党员", body))
}
