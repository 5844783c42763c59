//! The development pipeline (发展党员) pages: a branch's list and new applications, one
//! person's record with the next step's form. A refused step comes back with the rule it
//! breaks, its citation, and everything typed.

use crate::auth::{checked_form, page_viewer, Viewer};
use crate::error::PageError;
use crate::view::{page, today};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use domain::development::{DevelopmentRecord, Stage, Step, Vote};
use domain::member::{Education, NewMemberInput, Occupation};
use domain::{FieldError, Labelled};
use maud::{html, Markup};
use std::collections::HashMap;
use store::StoreError;

type Fields = HashMap<String, String>;
type PageResult = Result<Response, PageError>;

fn writer(v: &Viewer) -> Result<(), PageError> {
    if v.scope.own_member().is_some() {
        return Err(PageError::Status(StatusCode::FORBIDDEN, "党员账号不能办理发展党员手续".into()));
    }
    Ok(())
}

fn errors_box(errors: &[FieldError]) -> Markup {
    html! {
        @if !errors.is_empty() {
            div.error role="alert" {
                p { "未保存，原因如下（已填写的内容都保留在下面）：" }
                ul { @for e in errors { li { (e.message) } } }
            }
        }
    }
}

/// A choice among the branch's full members (介绍人, 培养联系人): a select, so that only
/// 正式党员 can be named; the store checks again whatever arrives.
fn member_choice(f: &Fields, name: &str, label: &str, full: &[String], optional: bool) -> Markup {
    let chosen = f.get(name).cloned().unwrap_or_default();
    html! {
        label for=(name) { (label) }
        select id=(name) name=(name) {
            option value="" { @if optional { "（不填）" } @else { "请选择本支部正式党员" } }
            @for n in full { option value=(n) selected[*n == chosen] { (n) } }
        }
    }
}

fn input(f: &Fields, name: &str, label: &str, kind: &str) -> Markup {
    html! {
        label for=(name) { (label) }
        input id=(name) name=(name) type=(kind) value=(f.get(name).cloned().unwrap_or_default());
    }
}

// ---- a branch's list ------------------------------------------------------------------

pub async fn list(State(st): State<AppState>, headers: HeaderMap, Path(org_id): Path<i64>) -> PageResult {
    let v = page_viewer(&st, &headers).await?;
    writer(&v)?;
    render_list(&st, &v, org_id, &Fields::new(), &[]).await
}

async fn render_list(st: &AppState, v: &Viewer, org_id: i64, f: &Fields, errors: &[FieldError]) -> PageResult {
    let org = st.store.org(&v.scope, org_id).await?;
    let records = st.store.development_records(&v.scope, org_id).await?;
    let sel = |name: &str, options: Markup| html! { select id=(name) name=(name) { (options) } };
    let val = |k: &str| f.get(k).cloned().unwrap_or_default();
    let body = html! {
        div.crumbs { a href={ "/orgs/" (org.id) } { (org.name) } " › 发展党员" }
        section {
            h1 { "发展党员：" (org.name) }
            @for stage in Stage::ALL {
                @let here: Vec<&DevelopmentRecord> = records.iter().filter(|r| r.stage == *stage).collect();
                @if !here.is_empty() {
                    h2 { (stage.label()) "（" (here.len()) "人）" }
                    ul { @for r in here { li {
                        a href={ "/development/" (r.id) } { (r.name) } " 申请于 " (r.applied_on)
                        @if let Some(a) = r.activist_on { "，积极分子 " (a) }
                        @if let Some(c) = r.candidate_on { "，发展对象 " (c) }
                        @if let Some(a) = r.admitted_on { "，接收 " (a) }
                    } } }
                }
            }
            @if records.is_empty() { p.muted { "还没有发展党员记录。" } }
        }
        @if org.level.holds_members() {
            section {
                h2 { "登记入党申请人" }
                (errors_box(errors))
                form method="post" action={ "/orgs/" (org.id) "/development" } {
                    input type="hidden" name="csrf" value=(v.session.csrf_token);
                    (input(f, "name", "姓名", "text"))
                    label for="sex" { "性别" }
                    (sel("sex", html! { option value="男" selected[val("sex") == "男"] { "男" } option value="女" selected[val("sex") == "女"] { "女" } }))
                    (input(f, "ethnicity", "民族（如 汉族）", "text"))
                    (input(f, "birth_date", "出生日期", "date"))
                    (input(f, "citizen_id", "公民身份号码", "text"))
                    label for="education" { "学历" }
                    (sel("education", html! { @for e in Education::ALL { option value=(e.label()) selected[val("education") == e.label()] { (e.label()) } } }))
                    label for="occupation" { "职业" }
                    (sel("occupation", html! { @for o in Occupation::ALL { option value=(o.label()) selected[val("occupation") == o.label()] { (o.label()) } } }))
                    (input(f, "phone", "联系电话", "text"))
                    (input(f, "applied_on", "递交入党申请书日期", "date"))
                    button.primary type="submit" { "登记" }
                }
            }
        }
    };
    Ok(page(v, "发展党员", body))
}

pub async fn create(State(st): State<AppState>, headers: HeaderMap, Path(org_id): Path<i64>, Form(raw): Form<Vec<(String, String)>>) -> PageResult {
    let v = page_viewer(&st, &headers).await?;
    writer(&v)?;
    let f: Fields = checked_form(&v, raw)?;
    let get = |k: &str| f.get(k).map(|s| s.trim().to_string()).unwrap_or_default();
    let input = NewMemberInput {
        org_id: Some(org_id),
        name: get("name"),
        sex: get("sex"),
        ethnicity: get("ethnicity"),
        birth_date: get("birth_date"),
        citizen_id: get("citizen_id"),
        education: get("education"),
        occupation: get("occupation"),
        phone: Some(get("phone")).filter(|p| !p.is_empty()),
        ..Default::default()
    };
    let errors = match domain::parse_date("applied_on", "递交入党申请书日期", &get("applied_on")) {
        Err(e) => vec![e],
        Ok(applied) => match st.store.insert_applicant(&v.scope, &input, applied, &st.rules, today()).await {
            Ok(id) => return Ok(Redirect::to(&format!("/development/{id}")).into_response()),
            Err(StoreError::Invalid(e)) => e.errors,
            Err(e) => return Err(e.into()),
        },
    };
    let mut res = render_list(&st, &v, org_id, &f, &errors).await?;
    *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    Ok(res)
}

// ---- one record -----------------------------------------------------------------------

pub async fn record(State(st): State<AppState>, headers: HeaderMap, Path(id): Path<i64>) -> PageResult {
    let v = page_viewer(&st, &headers).await?;
    writer(&v)?;
    render_record(&st, &v, id, &Fields::new(), &[]).await
}

async fn render_record(st: &AppState, v: &Viewer, id: i64, f: &Fields, errors: &[FieldError]) -> PageResult {
    let r = st.store.development_record(&v.scope, id).await?;
    let org = st.store.org(&v.scope, r.org_id).await?;
    let steps = st.store.development_steps(&v.scope, id).await?;
    let full = st.store.full_member_names(r.org_id).await?;
    let vote_inputs = html! {
        fieldset {
            legend { "支部大会表决" }
            (input(f, "eligible", "应到会有表决权的党员（人）", "number"))
            (input(f, "present", "实到（人）", "number"))
            (input(f, "favour", "赞成（人）", "number"))
        }
    };
    let next: Option<Markup> = match r.stage {
        Stage::Applicant => Some(html! {
            h2 { "下一步：确定为入党积极分子" }
            (input(f, "talked_on", "党组织派人谈话日期", "date"))
            (input(f, "on", "支委会确定为积极分子的日期", "date"))
            (member_choice(f, "contact1", "培养联系人1", &full, false))
            (member_choice(f, "contact2", "培养联系人2", &full, true))
        }),
        Stage::Activist => Some(html! {
            h2 { "下一步：确定为发展对象" }
            p.muted { "须经过" (st.rules.development.activist_min_days.get()) "天以上培养考察（确定为积极分子：" (r.activist_on.map(|d| d.to_string()).unwrap_or_default()) "）。" }
            (input(f, "on", "确定为发展对象的日期", "date"))
        }),
        Stage::Candidate => Some(html! {
            h2 { "下一步：接收为预备党员" }
            (input(f, "review_on", "政治审查结论日期", "date"))
            (input(f, "training_hours", "短期集中培训学时", "number"))
            (member_choice(f, "sponsor1", "入党介绍人1", &full, false))
            (member_choice(f, "sponsor2", "入党介绍人2", &full, false))
            (input(f, "on", "支部大会讨论日期", "date"))
            (vote_inputs)
            (input(f, "approved_on", "上级党委审批日期（已审批时填写；未审批的，审批后再登记）", "date"))
        }),
        Stage::AwaitingApproval => Some(html! {
            h2 { "下一步：上级党委审批" }
            p.muted {
                "支部大会于" (crate::view::opt(&r.admitted_on)) "讨论接收；上级党委应在" (st.rules.development.approval_within_months.get()) "个月内审批，最长不超过"
                (st.rules.development.approval_max_months.get()) "个月。审批后成为预备党员，预备期从支部大会通过之日算起。"
            }
            (input(f, "on", "上级党委审批日期", "date"))
        }),
        Stage::Probationary => Some(html! {
            h2 { "下一步：预备期满讨论转正" }
            @if let Some(end) = r.admitted_on.map(|a| domain::development::add_months(a, st.rules.development.probation_months.get() + r.extension_months.unwrap_or(0))) {
                @if end <= today() { p { span.tag.warn { "已到期" } " 预备期于" (end) "期满，应及时召开支部大会讨论转正。" } }
                @else { p.muted { "预备期于" (end) "期满，届时讨论转正；期满前一个月起列入待办。" } }
            }
            label for="action" { "决定" }
            select id="action" name="action" {
                option value="confirm" selected[f.get("action").map(String::as_str) != Some("extend")] { "按期转为正式党员" }
                option value="extend" selected[f.get("action").map(String::as_str) == Some("extend")] { "延长预备期" }
            }
            (input(f, "on", "支部大会讨论日期", "date"))
            (input(f, "months", "延长月数（仅延长预备期时填写）", "number"))
            (vote_inputs)
        }),
        Stage::Full => None,
    };
    let body = html! {
        div.crumbs { a href={ "/orgs/" (org.id) } { (org.name) } " › " a href={ "/orgs/" (org.id) "/development" } { "发展党员" } " › " (r.name) }
        section {
            h1 { (r.name) " " span.tag { (r.stage.label()) } }
            dl.facts {
                dt { "出生日期" } dd { (r.birth_date) }
                dt { "递交申请" } dd { (r.applied_on) }
                dt { "谈话" } dd { (crate::view::opt(&r.talked_on)) }
                dt { "确定积极分子" } dd { (crate::view::opt(&r.activist_on)) @if !r.contacts.is_empty() { "（培养联系人：" (r.contacts.join("、")) "）" } }
                dt { "确定发展对象" } dd { (crate::view::opt(&r.candidate_on)) }
                dt { "支部大会接收" } dd { (crate::view::opt(&r.admitted_on)) @if !r.sponsors.is_empty() { "（介绍人：" (r.sponsors.join("、")) "）" } }
                dt { "上级党委审批" } dd { (crate::view::opt(&r.approved_on)) }
                dt { "转正" } dd { (crate::view::opt(&r.full_on)) @if let Some(m) = r.extension_months { "（延长预备期" (m) "个月）" } }
            }
        }
        @if let Some(form) = next {
            section {
                (errors_box(errors))
                form method="post" action={ "/development/" (r.id) "/step" } {
                    input type="hidden" name="csrf" value=(v.session.csrf_token);
                    (form)
                    button.primary type="submit" { "登记" }
                }
            }
        }
        section {
            h2 { "办理记录" }
            table { thead { tr { th { "日期" } th { "环节" } th { "情况" } } }
                tbody { @for s in &steps { tr { td { (s.taken_on) } td { (s.step) } td { (s.detail) } } } } }
        }
    };
    Ok(page(v, &r.name, body))
}

fn parse_step(stage: Stage, f: &Fields) -> Result<Step, Vec<FieldError>> {
    let errors = std::cell::RefCell::new(Vec::new());
    let get = |k: &str| f.get(k).map(|s| s.trim().to_string()).unwrap_or_default();
    let date = |k: &'static str, label: &str, required: bool| {
        let s = get(k);
        if s.is_empty() && !required {
            return None;
        }
        domain::parse_date(k, label, &s).map_err(|e| errors.borrow_mut().push(e)).ok()
    };
    let num = |k: &'static str, label: &str| -> Option<u32> {
        get(k).parse::<u32>().map_err(|_| errors.borrow_mut().push(FieldError::new(k, format!("{label}“{}”应为整数", get(k))))).ok()
    };
    let vote = || match (num("eligible", "应到人数"), num("present", "实到人数"), num("favour", "赞成人数")) {
        (Some(eligible), Some(present), Some(favour)) => Some(Vote { eligible, present, favour }),
        _ => None,
    };
    let names = |keys: &[&str]| keys.iter().map(|k| get(k)).filter(|s| !s.is_empty()).collect::<Vec<_>>();
    let on = date("on", "日期", true);
    let step = match stage {
        Stage::Applicant => {
            let talked = date("talked_on", "谈话日期", false);
            on.map(|on| Step::Activist { on, talked_on: talked, contacts: names(&["contact1", "contact2"]) })
        }
        Stage::Activist => on.map(|on| Step::Candidate { on }),
        Stage::AwaitingApproval => on.map(|on| Step::Approve { on }),
        Stage::Candidate => {
            let review = date("review_on", "政治审查日期", false);
            let approved = date("approved_on", "审批日期", false);
            let hours = domain::numbers::DEVELOPMENT_HOURS.parse("training_hours", &get("training_hours")).map_err(|e| errors.borrow_mut().push(e)).ok();
            match (on, hours, vote()) {
                (Some(on), Some(training_hours), Some(vote)) => Some(Step::Admit { on, sponsors: names(&["sponsor1", "sponsor2"]), review_on: review, training_hours, vote, approved_on: approved }),
                _ => None,
            }
        }
        Stage::Probationary => {
            let extend = get("action") == "extend";
            let months = if extend { num("months", "延长月数") } else { Some(0) };
            match (on, months, vote()) {
                (Some(on), Some(months), Some(vote)) if extend => Some(Step::Extend { on, months, vote }),
                (Some(on), Some(_), Some(vote)) => Some(Step::Confirm { on, vote }),
                _ => None,
            }
        }
        Stage::Full => None,
    };
    let errors = errors.into_inner();
    match step {
        Some(s) if errors.is_empty() => Ok(s),
        _ if errors.is_empty() => Err(vec![FieldError::new("step", "该记录已完成全部环节")]),
        _ => Err(errors),
    }
}

pub async fn step(State(st): State<AppState>, headers: HeaderMap, Path(id): Path<i64>, Form(raw): Form<Vec<(String, String)>>) -> PageResult {
    let v = page_viewer(&st, &headers).await?;
    writer(&v)?;
    let f: Fields = checked_form(&v, raw)?;
    let rec = st.store.development_record(&v.scope, id).await?;
    let errors = match parse_step(rec.stage, &f) {
        Err(e) => e,
        Ok(step) => match st.store.record_development_step(&v.scope, id, &step, &st.rules, today(), Some(v.session.user.id)).await {
            Ok(_) => return Ok(Redirect::to(&format!("/development/{id}")).into_response()),
            Err(StoreError::Invalid(e)) => e.errors,
            Err(e) => return Err(e.into()),
        },
    };
    let mut res = render_record(&st, &v, id, &f, &errors).await?;
    *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    Ok(res)
}
