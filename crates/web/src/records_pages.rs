//! Records beside meetings on the member and organisation pages: dues, training, grades,
//! transfers, mobile record; workers, funding, carriers; and their small forms. A refused
//! form re-renders its page with the reasons and what was typed.

use crate::auth::{checked_form, page_viewer, Viewer};
use crate::error::PageError;
use crate::pages::{render_member, today};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::Datelike;
use domain::dues::DuesInput;
use domain::life::{CarrierInput, CarrierKind, EvaluationGrade, EvaluationInput, FundingInput, FundingSource, MobileInput, TrainingChannel, TrainingInput, TransferInput, WorkerInput, WorkerKind};
use domain::member::Member;
use domain::org::Org;
use domain::{FieldError, Labelled};
use maud::{html, Markup};
use std::collections::HashMap;
use store::StoreError;

pub type Fields = HashMap<String, String>;
type PageResult = Result<Response, PageError>;

/// A form that was refused: which one, what was typed, why.
pub struct Refused<'a> {
    pub form: &'a str,
    pub fields: &'a Fields,
    pub errors: &'a [FieldError],
}

fn val(r: Option<&Refused>, form: &str, k: &str) -> String {
    r.filter(|r| r.form == form).and_then(|r| r.fields.get(k).cloned()).unwrap_or_default()
}

fn errors_for(r: Option<&Refused>, form: &str) -> Markup {
    html! {
        @if let Some(r) = r.filter(|r| r.form == form) {
            div.error role="alert" { p { "未保存：" } ul { @for e in r.errors { li { (e.message) } } } }
        }
    }
}

fn csrf_field(v: &Viewer) -> Markup {
    html! { input type="hidden" name="csrf" value=(v.session.csrf_token); }
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

fn get(f: &Fields, k: &str) -> String {
    f.get(k).map(|s| s.trim().to_string()).unwrap_or_default()
}

/// An optional text field: empty is `None`.
fn opt(f: &Fields, k: &str) -> Option<String> {
    Some(get(f, k)).filter(|s| !s.is_empty())
}

/// Runs a member-page form: on success back to the page, else the page with the reasons.
async fn member_form(st: &AppState, v: &Viewer, member_id: i64, form: &str, f: &Fields, result: Result<(), Vec<FieldError>>) -> PageResult {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/members/{member_id}")).into_response()),
        Err(errors) => {
            let mut res = render_member(st, v, member_id, Some(&Refused { form, fields: f, errors: &errors })).await?;
            *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(res)
        }
    }
}

fn store_result<T>(r: Result<T, StoreError>) -> Result<Result<(), Vec<FieldError>>, PageError> {
    match r {
        Ok(_) => Ok(Ok(())),
        Err(StoreError::Invalid(e)) => Ok(Err(e.errors)),
        Err(e) => Err(e.into()),
    }
}

/// Each form below fills the record's domain input and hands it to the store, which calls
/// its `validate` (the same as the API and the import); every refusal names its field.
pub async fn add_dues(State(st): State<AppState>, headers: HeaderMap, Path(id): Path<i64>, Form(raw): Form<Vec<(String, String)>>) -> PageResult {
    let v = page_viewer(&st, &headers).await?;
    let f = checked_form(&v, raw)?;
    let input = DuesInput { from_month: get(&f, "from_month"), to_month: opt(&f, "to_month"), base: opt(&f, "base"), amount: opt(&f, "amount"), paid_on: get(&f, "paid_on") };
    let result = store_result(st.store.insert_dues(&v.scope, id, &input, &st.rules, today()).await)?;
    member_form(&st, &v, id, "dues", &f, result).await
}

pub async fn add_training(State(st): State<AppState>, headers: HeaderMap, Path(id): Path<i64>, Form(raw): Form<Vec<(String, String)>>) -> PageResult {
    let v = page_viewer(&st, &headers).await?;
    let f = checked_form(&v, raw)?;
    let input = TrainingInput { taken_on: get(&f, "taken_on"), hours: opt(&f, "hours"), channel: get(&f, "channel"), topic: get(&f, "topic") };
    let result = match input.validate(today()) {
        Err(e) => Err(e.errors),
        Ok(rec) => store_result(st.store.insert_training(&v.scope, id, &rec).await)?,
    };
    member_form(&st, &v, id, "training", &f, result).await
}

pub async fn transfer_out(State(st): State<AppState>, headers: HeaderMap, Path(id): Path<i64>, Form(raw): Form<Vec<(String, String)>>) -> PageResult {
    let v = page_viewer(&st, &headers).await?;
    let f = checked_form(&v, raw)?;
    let input = TransferInput { letter_no: get(&f, "letter_no"), issued_on: get(&f, "issued_on"), counterpart: get(&f, "counterpart") };
    let result = match input.validate(today()) {
        Err(e) => Err(e.errors),
        Ok(t) => store_result(st.store.transfer_out(&v.scope, id, &t, &st.rules).await)?,
    };
    member_form(&st, &v, id, "transfer", &f, result).await
}

pub async fn receipt(State(st): State<AppState>, headers: HeaderMap, Path(id): Path<i64>, Form(raw): Form<Vec<(String, String)>>) -> PageResult {
    let v = page_viewer(&st, &headers).await?;
    let f = checked_form(&v, raw)?;
    let member_id: i64 = get(&f, "member_id").parse().map_err(|_| PageError::Status(StatusCode::BAD_REQUEST, "缺少党员编号".into()))?;
    let result = match domain::parse_date("received_on", "回执日期", &get(&f, "received_on")) {
        Err(e) => Err(vec![e]),
        Ok(on) => store_result(st.store.receive_transfer(&v.scope, id, on, today()).await)?,
    };
    member_form(&st, &v, member_id, "receipt", &f, result).await
}

pub async fn add_funding(State(st): State<AppState>, headers: HeaderMap, Path(id): Path<i64>, Form(raw): Form<Vec<(String, String)>>) -> PageResult {
    let v = page_viewer(&st, &headers).await?;
    let f = checked_form(&v, raw)?;
    let input = FundingInput { year: opt(&f, "year"), source: get(&f, "source"), amount: opt(&f, "amount"), purpose: get(&f, "purpose") };
    let result = match input.validate(today()) {
        Err(e) => Err(e.errors),
        Ok(x) => store_result(st.store.insert_funding(&v.scope, id, &x).await)?,
    };
    org_form(&st, &v, id, "funding", &f, result).await
}

/// Runs an organisation-page form: on success back to the page, else the page with the reasons.
async fn org_form(st: &AppState, v: &Viewer, org_id: i64, form: &str, f: &Fields, result: Result<(), Vec<FieldError>>) -> PageResult {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/orgs/{org_id}")).into_response()),
        Err(errors) => {
            let mut res = crate::pages::render_org(st, v, org_id, None, None, Some(&Refused { form, fields: f, errors: &errors })).await?;
            *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(res)
        }
    }
}

pub async fn add_worker(State(st): State<AppState>, headers: HeaderMap, Path(id): Path<i64>, Form(raw): Form<Vec<(String, String)>>) -> PageResult {
    let v = page_viewer(&st, &headers).await?;
    let f = checked_form(&v, raw)?;
    let input = WorkerInput { name: get(&f, "name"), kind: get(&f, "kind"), appointed_on: get(&f, "appointed_on") };
    let result = match input.validate(today()) {
        Err(e) => Err(e.errors),
        Ok(w) => store_result(st.store.insert_worker(&v.scope, id, &w).await)?,
    };
    org_form(&st, &v, id, "worker", &f, result).await
}

pub async fn add_carrier(State(st): State<AppState>, headers: HeaderMap, Path(id): Path<i64>, Form(raw): Form<Vec<(String, String)>>) -> PageResult {
    let v = page_viewer(&st, &headers).await?;
    let f = checked_form(&v, raw)?;
    let input = CarrierInput { kind: get(&f, "kind"), name: get(&f, "name"), established_on: get(&f, "established_on") };
    let result = match input.validate(today()) {
        Err(e) => Err(e.errors),
        Ok(c) => store_result(st.store.insert_carrier(&v.scope, id, &c).await)?,
    };
    org_form(&st, &v, id, "carrier", &f, result).await
}

pub async fn add_mobile(State(st): State<AppState>, headers: HeaderMap, Path(id): Path<i64>, Form(raw): Form<Vec<(String, String)>>) -> PageResult {
    let v = page_viewer(&st, &headers).await?;
    let f = checked_form(&v, raw)?;
    let input = MobileInput { place: get(&f, "place"), certificate_no: opt(&f, "certificate_no"), since: get(&f, "since") };
    let result = store_result(st.store.insert_mobile(&v.scope, id, &input, today()).await)?;
    member_form(&st, &v, id, "mobile", &f, result).await
}

/// Grades of a democratic evaluation, entered on the meeting's page.
pub async fn grades(State(st): State<AppState>, headers: HeaderMap, Path(id): Path<i64>, Form(raw): Form<Vec<(String, String)>>) -> PageResult {
    let v = page_viewer(&st, &headers).await?;
    let f = checked_form(&v, raw)?;
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
