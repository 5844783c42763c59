//! Members (党员): a member's page with their records (dues, training, grades, transfers,
//! mobile record) and the small forms that add them, and the search by name.

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
use crate::view::{mask_phone, opt};
use chrono::Datelike;
use domain::dues::DuesInput;
use domain::life::{EvaluationGrade, MobileInput, TrainingChannel, TrainingInput, TransferInput};
use domain::member::{age_on, Member};
use domain::user::Role;


pub async fn member_page(State(st): State<AppState>, headers: HeaderMap, Path(id): Path<i64>) -> PageResult {
    let v = page_viewer(&st, &headers).await?;
    render_member(&st, &v, id, None).await
}

/// The member page; `refused` carries a refused form back onto it.
pub(crate) async fn render_member(st: &AppState, v: &Viewer, id: i64, refused: Option<&Refused<'_>>) -> PageResult {
    let (m, org_name) = st.store.member(&v.scope, id).await?;
    let records = member_sections(st, v, &m, refused).await?;
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

/// The member page's record sections.
pub async fn member_sections(st: &AppState, v: &Viewer, m: &Member, refused: Option<&Refused<'_>>) -> Result<Markup, PageError> {
    let year = today().year();
    let dues = st.store.member_dues(&v.scope, m.id).await?;
    let training = st.store.member_training(&v.scope, m.id, year).await?;
    let last_year = st.store.member_training(&v.scope, m.id, year - 1).await?;
    let grades = st.store.member_evaluations(&v.scope, m.id).await?;
    let transfers = st.store.transfers(&v.scope, Some(m.id), None).await?;
    let mobile = st.store.member_mobile(&v.scope, m.id).await?;
    let can_write = v.scope.own_member().is_none() && m.is_active();
    let hours: f64 = training.iter().map(|t| t.hours).sum();
    let last_hours: f64 = last_year.iter().map(|t| t.hours).sum();
    let need = st.rules.training.member_hours.get();
    let category = domain::dues::category(m.occupation);
    let r = refused;
    Ok(html! {
        section {
            h2 { "党费" }
            p.muted { "按" (match category { domain::rules::DuesCategory::Working => "在职党员月工资收入（税后）", domain::rules::DuesCategory::Retired => "离退休费", domain::rules::DuesCategory::Farmer => "农民党员标准", domain::rules::DuesCategory::Student => "学生等党员标准" }) "计算；依据：" (st.rules.dues.working.citation.get_ref()) }
            @if dues.is_empty() { p.muted { "没有党费记录" } }
            @else {
                div.table-wrap { table {
                    thead { tr { th { "所属月份" } th { "基数" } th { "金额（元）" } th { "交纳日期" } } }
                    tbody { @for p in dues.iter().take(12) { tr {
                        td { (p.from.label()) @if p.to != p.from { "—" (p.to.label()) } }
                        td { (p.base.map(|b| format!("{b:.0}")).unwrap_or_else(|| "—".into())) }
                        td { (format!("{:.2}", p.amount)) }
                        td { (p.paid_on) @if p.catch_up { " " span.tag.warn { "补交" } } }
                    } } }
                } }
            }
            @if can_write {
                (errors_for(r, "dues"))
                form method="post" action={ "/members/" (m.id) "/dues" } {
                    (csrf_field(v))
                    label for="from_month" { "起始月份" } input id="from_month" type="month" name="from_month" value=(val(r, "dues", "from_month"));
                    label for="to_month" { "截止月份" } input id="to_month" type="month" name="to_month" value=(val(r, "dues", "to_month"));
                    label for="base" { "月收入基数（元，在职/离退休党员填写）" } input id="base" type="text" inputmode="decimal" name="base" value=(val(r, "dues", "base"));
                    label for="paid_on" { "交纳日期" } input id="paid_on" type="date" name="paid_on" value=(val(r, "dues", "paid_on"));
                    button.primary type="submit" { "登记党费（金额按规则自动计算）" }
                }
            }
        }
        section {
            h2 { "教育培训" }
            p { (year) "年 " b { (hours) } " 学时，" (year - 1) "年 " (last_hours) " 学时（每年不少于" (need) "学时）"
                @if last_hours < need as f64 { " " span.tag.bad { (year - 1) "年不足" } } }
            @if !training.is_empty() {
                div.table-wrap { table {
                    thead { tr { th { "日期" } th { "学时" } th { "方式" } th { "内容" } } }
                    tbody { @for t in &training { tr { td { (t.taken_on) } td { (t.hours) } td { (t.channel.label()) } td { (t.topic) } } } }
                } }
            }
            @if can_write {
                (errors_for(r, "training"))
                form method="post" action={ "/members/" (m.id) "/training" } {
                    (csrf_field(v))
                    label for="taken_on" { "日期" } input id="taken_on" type="date" name="taken_on" value=(val(r, "training", "taken_on"));
                    label for="hours" { "学时（1天按8学时，半天4学时）" } input id="hours" type="text" inputmode="decimal" name="hours" value=(val(r, "training", "hours"));
                    label for="channel" { "方式" }
                    select id="channel" name="channel" { @for c in TrainingChannel::ALL { option value=(c.code()) selected[val(r, "training", "channel") == c.code()] { (c.label()) } } }
                    label for="topic" { "内容" } input id="topic" type="text" name="topic" value=(val(r, "training", "topic"));
                    button.primary type="submit" { "登记培训" }
                }
            }
        }
        @if !grades.is_empty() {
            section {
                h2 { "民主评议" }
                ul { @for (y, g) in &grades { li { (y) "年：" @if *g == EvaluationGrade::Unqualified { span.tag.bad { (g.label()) } } @else { (g.label()) } } } }
            }
        }
        section {
            h2 { "流动党员" }
            @if mobile.is_empty() { p.muted { "没有外出流动记录" } }
            ul { @for x in &mobile { li { (x.direction.label()) "：" (x.place) "，自 " (x.since) "；活动证：" (x.certificate_no.clone().unwrap_or_else(|| "未发放".into())) } } }
            @if can_write {
                details {
                    summary { "登记外出流动" }
                    (errors_for(r, "mobile"))
                    form method="post" action={ "/members/" (m.id) "/mobile" } {
                        (csrf_field(v))
                        label for="place" { "流出地（写到县、市、区）" } input id="place" type="text" name="place" value=(val(r, "mobile", "place"));
                        label for="certificate_no" { "流动党员活动证编号（未发放可空）" } input id="certificate_no" type="text" name="certificate_no" value=(val(r, "mobile", "certificate_no"));
                        label for="since" { "外出日期" } input id="since" type="date" name="since" value=(val(r, "mobile", "since"));
                        button.primary type="submit" { "登记" }
                    }
                }
            }
        }
        section {
            h2 { "组织关系转接" }
            @for t in &transfers {
                p {
                    (t.direction.label()) "：" (t.letter_no) "，" (t.issued_on) " 转往 " (t.counterpart) "，党费交至 " (t.dues_paid_to) "，有效期至 " (t.valid_until()) "。"
                    @match t.received_on {
                        Some(d) => { " 回执：" (d) @if d > t.valid_until() { " " span.tag.warn { "逾期报到" } } }
                        None => {
                            @if t.is_lapsed(today()) { " " span.tag.bad { "逾期未报到（口袋党员风险）" } }
                            @if v.scope.own_member().is_none() {
                                (errors_for(r, "receipt"))
                                form method="post" action={ "/transfers/" (t.id) "/receipt" } {
                                    (csrf_field(v))
                                    label for={ "received_" (t.id) } { "回执日期" }
                                    input id={ "received_" (t.id) } type="date" name="received_on" value=(val(r, "receipt", "received_on"));
                                    input type="hidden" name="member_id" value=(m.id);
                                    button type="submit" { "登记回执" }
                                }
                            }
                        }
                    }
                }
            }
            @if transfers.is_empty() { p.muted { "没有转接记录" } }
            @if can_write {
                details {
                    summary { "开具组织关系介绍信（转出）" }
                    (errors_for(r, "transfer"))
                    form method="post" action={ "/members/" (m.id) "/transfer" } {
                        (csrf_field(v))
                        label for="letter_no" { "介绍信编号" } input id="letter_no" type="text" name="letter_no" value=(val(r, "transfer", "letter_no"));
                        label for="counterpart" { "接收党组织" } input id="counterpart" type="text" name="counterpart" value=(val(r, "transfer", "counterpart"));
                        label for="issued_on" { "开具日期" } input id="issued_on" type="date" name="issued_on" value=(val(r, "transfer", "issued_on"));
                        p.muted { "开具后该党员即从本组织名册减少；有效期" (st.rules.transfers.letter_validity_days.get()) "天。" }
                        button.primary type="submit" { "开具介绍信" }
                    }
                }
            }
        }
    })
}


/// Runs a member-page form: on success back to the page, else the page with the reasons
/// beside what was typed.
async fn member_form<T: serde::Serialize>(st: &AppState, v: &Viewer, member_id: i64, form: &str, input: &T, result: Result<(), StoreError>) -> PageResult {
    match result {
        Ok(()) => {
            crate::jobs::update_member_figures(st, member_id);
            Ok(Redirect::to(&format!("/members/{member_id}")).into_response())
        }
        Err(StoreError::Invalid(e)) => {
            let fields = crate::view::fields_of(input);
            let mut res = render_member(st, v, member_id, Some(&Refused { form, fields: &fields, errors: &e.errors })).await?;
            *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(res)
        }
        Err(e) => Err(e.into()),
    }
}

// Each form fills the record's domain input; its `validate` (the same as the API's and
// the import's) and the store decide; every refusal names its field.

pub async fn add_dues(State(st): State<AppState>, Path(id): Path<i64>, CsrfForm(v, input): CsrfForm<DuesInput>) -> PageResult {
    let result = st.store.insert_dues(&v.scope, id, &input, &st.rules, today()).await.map(|_| ());
    member_form(&st, &v, id, "dues", &input, result).await
}

pub async fn add_training(State(st): State<AppState>, Path(id): Path<i64>, CsrfForm(v, input): CsrfForm<TrainingInput>) -> PageResult {
    let result = match input.validate(today()) {
        Ok(rec) => st.store.insert_training(&v.scope, id, &rec).await.map(|_| ()),
        Err(e) => Err(e.into()),
    };
    member_form(&st, &v, id, "training", &input, result).await
}

pub async fn transfer_out(State(st): State<AppState>, Path(id): Path<i64>, CsrfForm(v, input): CsrfForm<TransferInput>) -> PageResult {
    let result = match input.validate(today()) {
        Ok(t) => st.store.transfer_out(&v.scope, id, &t, &st.rules).await.map(|_| ()),
        Err(e) => Err(e.into()),
    };
    member_form(&st, &v, id, "transfer", &input, result).await
}

/// A transfer letter's receipt (回执), entered on the member's page.
#[derive(Deserialize, serde::Serialize, Default)]
#[serde(default)]
pub struct ReceiptInput {
    member_id: i64,
    received_on: String,
}

pub async fn receipt(State(st): State<AppState>, Path(id): Path<i64>, CsrfForm(v, input): CsrfForm<ReceiptInput>) -> PageResult {
    let result = match domain::parse_date("received_on", "回执日期", &input.received_on) {
        Ok(on) => st.store.receive_transfer(&v.scope, id, on, today()).await.map(|_| ()),
        Err(e) => Err(domain::ValidationError::from(e).into()),
    };
    member_form(&st, &v, input.member_id, "receipt", &input, result).await
}

pub async fn add_mobile(State(st): State<AppState>, Path(id): Path<i64>, CsrfForm(v, input): CsrfForm<MobileInput>) -> PageResult {
    let result = st.store.insert_mobile(&v.scope, id, &input, today()).await.map(|_| ());
    member_form(&st, &v, id, "mobile", &input, result).await
}
