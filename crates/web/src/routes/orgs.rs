//! Organisations (党组织): the tree, an organisation's page with its roll, meetings and
//! units, and its records (workers, carriers, funding) with their small forms.

use crate::auth::{page_viewer, CsrfForm, Viewer};
use crate::error::PageError;
use crate::view::{csrf_field, errors_for, page, today, val, Refused};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use domain::Labelled;
use maud::{html, Markup};
use serde::Deserialize;
use store::StoreError;

type PageResult = Result<Response, PageError>;
use crate::view::opt;
use chrono::Datelike;
use domain::life::{CarrierInput, CarrierKind, FundingInput, FundingSource, WorkerInput, WorkerKind};
use domain::member::age_on;
use domain::org::Org;


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
pub(crate) async fn render_org(st: &AppState, v: &Viewer, id: i64, year: Option<i32>, pageno: Option<i64>, refused: Option<&Refused<'_>>) -> PageResult {
    let s = &st.store;
    let summary = s.org_summary(&v.scope, id).await?;
    let org = &summary.org;
    let year = year.unwrap_or(today().year());
    let pageno = pageno.unwrap_or(1).max(1);
    // Workers, carriers and funding are the branch's records, not a 党小组长's.
    let records = if v.scope.is_group() { maud::html! {} } else { org_sections(st, v, org, refused).await? };
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
        @if v.scope.own_member().is_none() && !v.scope.is_group() { (crate::routes::exchange::org_links(org.id, v.is_jurisdiction_admin())) }
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

/// The organisation page's record sections.
pub async fn org_sections(st: &AppState, v: &Viewer, org: &Org, refused: Option<&Refused<'_>>) -> Result<Markup, PageError> {
    let workers = st.store.org_workers(&v.scope, org.id).await?;
    let funding = st.store.org_funding(&v.scope, org.id).await?;
    let carriers = st.store.org_carriers(&v.scope, org.id).await?;
    let can_write = v.scope.own_member().is_none();
    let r = refused;
    Ok(html! {
        section {
            h2 { "党务工作者" }
            @if workers.is_empty() { p.muted { "没有登记党务工作者" } }
            ul { @for w in &workers { li {
                @if let Some(mid) = w.member_id { a href={ "/members/" (mid) } { (w.name) } } @else { (w.name) }
                "（" (w.kind.label()) "），" (w.appointed_on) " 起" @if let Some(l) = w.left_on { "，" (l) " 离任" }
            } } }
            @if can_write {
                details {
                    summary { "登记党务工作者" }
                    (errors_for(r, "worker"))
                    form method="post" action={ "/orgs/" (org.id) "/workers" } {
                        (csrf_field(v))
                        label for="w_name" { "姓名" } input id="w_name" type="text" name="name" value=(val(r, "worker", "name"));
                        label for="w_kind" { "岗位性质" }
                        select id="w_kind" name="kind" { @for k in WorkerKind::ALL { option value=(k.code()) selected[val(r, "worker", "kind") == k.code()] { (k.label()) } } }
                        label for="w_on" { "任职日期" } input id="w_on" type="date" name="appointed_on" value=(val(r, "worker", "appointed_on"));
                        button.primary type="submit" { "登记" }
                    }
                }
            }
            h2 { "工作载体" }
            @if carriers.is_empty() { p.muted { "没有登记工作载体" } }
            ul { @for c in &carriers { li { span.tag { (c.kind.label()) } " " (c.name) "（" (c.established_on) "）" } } }
            @if can_write {
                details {
                    summary { "登记工作载体" }
                    (errors_for(r, "carrier"))
                    form method="post" action={ "/orgs/" (org.id) "/carriers" } {
                        (csrf_field(v))
                        label for="c_kind" { "类型" }
                        select id="c_kind" name="kind" { @for k in CarrierKind::ALL { option value=(k.code()) selected[val(r, "carrier", "kind") == k.code()] { (k.label()) } } }
                        label for="c_name" { "名称" } input id="c_name" type="text" name="name" value=(val(r, "carrier", "name"));
                        label for="c_on" { "设立日期" } input id="c_on" type="date" name="established_on" value=(val(r, "carrier", "established_on"));
                        button.primary type="submit" { "登记" }
                    }
                }
            }
        }
        section {
            h2 { "党建工作经费" }
            @if funding.is_empty() { p.muted { "没有经费记录" } }
            @else {
                table { thead { tr { th { "年度" } th { "来源" } th { "金额（元）" } th { "用途" } } }
                    tbody { @for f in &funding { tr { td { (f.year) } td { (f.source.label()) } td { (format!("{:.0}", f.amount)) } td { (f.purpose) } } } } }
            }
            @if can_write {
                details {
                    summary { "登记经费" }
                    (errors_for(r, "funding"))
                    form method="post" action={ "/orgs/" (org.id) "/funding" } {
                        (csrf_field(v))
                        label for="f_year" { "年度" } input id="f_year" type="number" name="year" value=(val(r, "funding", "year"));
                        label for="f_source" { "来源" }
                        select id="f_source" name="source" { @for s in FundingSource::ALL { option value=(s.code()) selected[val(r, "funding", "source") == s.code()] { (s.label()) } } }
                        label for="f_amount" { "金额（元）" } input id="f_amount" type="text" inputmode="decimal" name="amount" value=(val(r, "funding", "amount"));
                        label for="f_purpose" { "用途" } input id="f_purpose" type="text" name="purpose" value=(val(r, "funding", "purpose"));
                        button.primary type="submit" { "登记经费" }
                    }
                }
            }
        }
    })
}


/// Runs an organisation-page form: on success back to the page, else the page with the
/// reasons beside what was typed.
async fn org_form<T: serde::Serialize>(st: &AppState, v: &Viewer, org_id: i64, form: &str, input: &T, result: Result<(), StoreError>) -> PageResult {
    match result {
        Ok(()) => {
            crate::jobs::update_figures(st, org_id, chrono::Datelike::year(&today()));
            Ok(Redirect::to(&format!("/orgs/{org_id}")).into_response())
        }
        Err(StoreError::Invalid(e)) => {
            let fields = crate::view::fields_of(input);
            let mut res = render_org(st, v, org_id, None, None, Some(&Refused { form, fields: &fields, errors: &e.errors })).await?;
            *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(res)
        }
        Err(e) => Err(e.into()),
    }
}

// Each form fills the record's domain input; its `validate` (the same as the API's and
// the import's) and the store decide; every refusal names its field.

pub async fn add_funding(State(st): State<AppState>, Path(id): Path<i64>, CsrfForm(v, input): CsrfForm<FundingInput>) -> PageResult {
    let result = match input.validate(today()) {
        Ok(x) => st.store.insert_funding(&v.scope, id, &x).await.map(|_| ()),
        Err(e) => Err(e.into()),
    };
    org_form(&st, &v, id, "funding", &input, result).await
}

pub async fn add_worker(State(st): State<AppState>, Path(id): Path<i64>, CsrfForm(v, input): CsrfForm<WorkerInput>) -> PageResult {
    let result = match input.validate(today()) {
        Ok(w) => st.store.insert_worker(&v.scope, id, &w).await.map(|_| ()),
        Err(e) => Err(e.into()),
    };
    org_form(&st, &v, id, "worker", &input, result).await
}

pub async fn add_carrier(State(st): State<AppState>, Path(id): Path<i64>, CsrfForm(v, input): CsrfForm<CarrierInput>) -> PageResult {
    let result = match input.validate(today()) {
        Ok(c) => st.store.insert_carrier(&v.scope, id, &c).await.map(|_| ()),
        Err(e) => Err(e.into()),
    };
    org_form(&st, &v, id, "carrier", &input, result).await
}
