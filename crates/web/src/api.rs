//! The JSON API under `/api/v1`: bearer-token sessions, scoped reads and checked writes.

use crate::auth::{api_viewer, bearer};
use crate::error::ApiError;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::Datelike;
use domain::meeting::MeetingInput;
use domain::member::NewMemberInput;
use domain::org::NewOrg;
use domain::Labelled;
use serde::Deserialize;
use serde_json::{json, Value};

type ApiResult = Result<Response, ApiError>;

fn ok(v: impl serde::Serialize) -> ApiResult {
    Ok(Json(v).into_response())
}

/// Parses a JSON body, turning serde's message into a Chinese one that names the problem.
/// serde's English text never reaches the client: the field it names is kept, the rest
/// is said in Chinese.
fn body<T: serde::de::DeserializeOwned>(raw: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(raw).map_err(|e| ApiError::Bad(json_error(&e)))
}

fn json_error(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let quoted = text.split('`').nth(1).map(str::to_string);
    let at = format!("（第{}行第{}列）", e.line(), e.column());
    match e.classify() {
        serde_json::error::Category::Io | serde_json::error::Category::Eof => format!("请求内容不完整{at}：请发送完整的 JSON 对象"),
        serde_json::error::Category::Syntax if text.contains("number out of range") => {
            format!("请求中的数字超出范围{at}（如 1e309）：请填写有限的数字")
        }
        serde_json::error::Category::Syntax => format!("请求内容不是有效的 JSON{at}：请检查引号、逗号和括号"),
        serde_json::error::Category::Data => match quoted {
            Some(f) if text.starts_with("missing field") => format!("缺少必填字段 {f}{at}"),
            Some(f) if text.starts_with("unknown field") => format!("不认识的字段 {f}{at}：请对照 /api/openapi.json"),
            // Our own Chinese messages (e.g. an unknown enumeration word) pass as they are.
            _ if text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)) => text.split(" at line").next().unwrap_or(&text).to_string(),
            _ => format!("某个字段的类型不对{at}：文字须加引号，数字不加引号，是/否用 true/false"),
        },
    }
}

pub async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], include_str!("../openapi.json")).into_response()
}

#[derive(Deserialize)]
pub struct Credentials {
    username: String,
    password: String,
}

pub async fn login(State(st): State<AppState>, peer: Option<axum::Extension<axum::extract::ConnectInfo<std::net::SocketAddr>>>, raw: axum::body::Bytes) -> ApiResult {
    let c: Credentials = body(&raw)?;
    match crate::auth::sign_in(&st, &c.username, &c.password, peer.map(|p| p.0 .0.ip())).await? {
        crate::auth::SignIn::Throttled(wait) => {
            let mut res = (StatusCode::TOO_MANY_REQUESTS, Json(json!({"error": crate::throttle::message(wait), "retry_after": wait.as_secs().max(1)}))).into_response();
            res.headers_mut().insert(axum::http::header::RETRY_AFTER, wait.as_secs().max(1).into());
            Ok(res)
        }
        crate::auth::SignIn::Refused => Ok((StatusCode::UNAUTHORIZED, Json(json!({"error": "用户名或密码不正确"}))).into_response()),
        crate::auth::SignIn::Accepted(token, user) => ok(json!({"token": token, "user": user})),
    }
}

pub async fn logout(State(st): State<AppState>, headers: HeaderMap) -> ApiResult {
    let v = api_viewer(&st, &headers).await?;
    let token = bearer(&headers).ok_or(ApiError::Unauthorized)?;
    st.store.revoke_session(&token).await?;
    st.store.audit(Some(&crate::auth::actor_of(&v.session.user)), None, "logout", Some(("users", v.session.user.id)), json!({})).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn me(State(st): State<AppState>, headers: HeaderMap) -> ApiResult {
    let v = api_viewer(&st, &headers).await?;
    ok(json!({"user": v.session.user}))
}

#[derive(Deserialize)]
pub struct OrgsQuery {
    parent: Option<i64>,
}

pub async fn orgs(State(st): State<AppState>, headers: HeaderMap, Query(q): Query<OrgsQuery>) -> ApiResult {
    let v = api_viewer(&st, &headers).await?;
    if let Some(p) = q.parent {
        st.store.org(&v.scope, p).await?;
    }
    let items = st.store.org_children(&v.scope, q.parent).await?;
    ok(json!({"items": items}))
}

pub async fn org(State(st): State<AppState>, headers: HeaderMap, Path(id): Path<i64>) -> ApiResult {
    let v = api_viewer(&st, &headers).await?;
    let s = st.store.org_summary(&v.scope, id).await?;
    let mut out = serde_json::to_value(&s).expect("serializable");
    out["next_election_due"] = json!(s.org.next_election_due());
    out["committee"] = serde_json::to_value(st.store.committee_posts(&v.scope, id).await?).expect("serializable");
    out["venues"] = serde_json::to_value(st.store.venues(&v.scope, id).await?).expect("serializable");
    ok(out)
}

#[derive(Deserialize)]
pub struct PageQuery {
    offset: Option<i64>,
    limit: Option<i64>,
}

pub async fn org_members(State(st): State<AppState>, headers: HeaderMap, Path(id): Path<i64>, Query(q): Query<PageQuery>) -> ApiResult {
    let v = api_viewer(&st, &headers).await?;
    let (items, total) = st.store.org_members(&v.scope, id, q.offset.unwrap_or(0), q.limit.unwrap_or(100)).await?;
    ok(json!({"items": items, "total": total}))
}

pub async fn member(State(st): State<AppState>, headers: HeaderMap, Path(id): Path<i64>) -> ApiResult {
    let v = api_viewer(&st, &headers).await?;
    let (m, org_name) = st.store.member(&v.scope, id).await?;
    let mut out: Value = serde_json::to_value(&m).expect("serializable");
    out["org_name"] = json!(org_name);
    out["missing_archive_materials"] = json!(m.missing_archive_materials());
    ok(out)
}

#[derive(Deserialize)]
pub struct MeetingsQuery {
    org: Option<i64>,
    year: Option<i32>,
}

pub async fn meetings(State(st): State<AppState>, headers: HeaderMap, Query(q): Query<MeetingsQuery>) -> ApiResult {
    let v = api_viewer(&st, &headers).await?;
    let org = q.org.ok_or_else(|| ApiError::Bad("缺少参数 org（党组织编号）".into()))?;
    let year = q.year.unwrap_or_else(|| chrono::Local::now().year());
    let items = st.store.meetings(&v.scope, org, year).await?;
    ok(json!({"items": items}))
}

pub async fn meeting(State(st): State<AppState>, headers: HeaderMap, Path(id): Path<i64>) -> ApiResult {
    let v = api_viewer(&st, &headers).await?;
    ok(st.store.meeting(&v.scope, id).await?)
}

pub async fn create_org(State(st): State<AppState>, headers: HeaderMap, raw: axum::body::Bytes) -> ApiResult {
    let v = api_viewer(&st, &headers).await?;
    let new: NewOrg = body(&raw)?;
    let org = st.store.insert_org(&v.scope, &new).await?;
    Ok((StatusCode::CREATED, Json(org)).into_response())
}

pub async fn create_member(State(st): State<AppState>, headers: HeaderMap, raw: axum::body::Bytes) -> ApiResult {
    let v = api_viewer(&st, &headers).await?;
    let input: NewMemberInput = body(&raw)?;
    let m = st.store.insert_member(&v.scope, &input).await?;
    Ok((StatusCode::CREATED, Json(m)).into_response())
}

/// 党费登记: the same [`domain::dues::DuesInput`] as the member page's form and the import.
pub async fn create_dues(State(st): State<AppState>, headers: HeaderMap, Path(id): Path<i64>, raw: axum::body::Bytes) -> ApiResult {
    let v = api_viewer(&st, &headers).await?;
    let input: domain::dues::DuesInput = body(&raw)?;
    let p = st.store.insert_dues(&v.scope, id, &input, &st.rules, chrono::Local::now().date_naive()).await?;
    crate::jobs::update_member_figures(&st, id);
    Ok((StatusCode::CREATED, Json(p)).into_response())
}

/// 培训学时登记: the same [`domain::life::TrainingInput`] as the form and the import.
pub async fn create_training(State(st): State<AppState>, headers: HeaderMap, Path(id): Path<i64>, raw: axum::body::Bytes) -> ApiResult {
    let v = api_viewer(&st, &headers).await?;
    let input: domain::life::TrainingInput = body(&raw)?;
    let rec = input.validate(chrono::Local::now().date_naive()).map_err(|e| ApiError::Store(store::StoreError::Invalid(e)))?;
    st.store.insert_training(&v.scope, id, &rec).await?;
    crate::jobs::update_member_figures(&st, id);
    Ok((StatusCode::CREATED, Json(rec)).into_response())
}

/// The domain's refusal as the API's 422.
fn checked<T>(r: Result<T, domain::ValidationError>) -> Result<T, ApiError> {
    r.map_err(|e| ApiError::Store(store::StoreError::Invalid(e)))
}

fn today() -> domain::Date {
    chrono::Local::now().date_naive()
}

/// 党建工作经费: the same [`domain::life::FundingInput`] as the organisation page's form.
pub async fn create_funding(State(st): State<AppState>, headers: HeaderMap, Path(id): Path<i64>, raw: axum::body::Bytes) -> ApiResult {
    let v = api_viewer(&st, &headers).await?;
    let x = checked(body::<domain::life::FundingInput>(&raw)?.validate(today()))?;
    st.store.insert_funding(&v.scope, id, &x).await?;
    crate::jobs::update_figures(&st, id, chrono::Datelike::year(&today()));
    Ok((StatusCode::CREATED, Json(x)).into_response())
}

/// 党务工作者: the same [`domain::life::WorkerInput`] as the form.
pub async fn create_worker(State(st): State<AppState>, headers: HeaderMap, Path(id): Path<i64>, raw: axum::body::Bytes) -> ApiResult {
    let v = api_viewer(&st, &headers).await?;
    let w = checked(body::<domain::life::WorkerInput>(&raw)?.validate(today()))?;
    st.store.insert_worker(&v.scope, id, &w).await?;
    crate::jobs::update_figures(&st, id, chrono::Datelike::year(&today()));
    Ok((StatusCode::CREATED, Json(w)).into_response())
}

/// 工作载体: the same [`domain::life::CarrierInput`] as the form.
pub async fn create_carrier(State(st): State<AppState>, headers: HeaderMap, Path(id): Path<i64>, raw: axum::body::Bytes) -> ApiResult {
    let v = api_viewer(&st, &headers).await?;
    let c = checked(body::<domain::life::CarrierInput>(&raw)?.validate(today()))?;
    st.store.insert_carrier(&v.scope, id, &c).await?;
    crate::jobs::update_figures(&st, id, chrono::Datelike::year(&today()));
    Ok((StatusCode::CREATED, Json(c)).into_response())
}

/// 流动党员外出登记: the same [`domain::life::MobileInput`] as the member page's form.
pub async fn create_mobile(State(st): State<AppState>, headers: HeaderMap, Path(id): Path<i64>, raw: axum::body::Bytes) -> ApiResult {
    let v = api_viewer(&st, &headers).await?;
    let input: domain::life::MobileInput = body(&raw)?;
    st.store.insert_mobile(&v.scope, id, &input, today()).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({"member_id": id}))).into_response())
}

/// 开具组织关系介绍信 (the member leaves the roll): the same [`domain::life::TransferInput`].
pub async fn create_transfer(State(st): State<AppState>, headers: HeaderMap, Path(id): Path<i64>, raw: axum::body::Bytes) -> ApiResult {
    let v = api_viewer(&st, &headers).await?;
    let t = checked(body::<domain::life::TransferInput>(&raw)?.validate(today()))?;
    let transfer = st.store.transfer_out(&v.scope, id, &t, &st.rules).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({"transfer_id": transfer}))).into_response())
}

/// A meeting with its `confirmed` flag: a likely double entry (same kind, date and topic)
/// answers 409 unless the caller confirms it, as the form asks the secretary to.
#[derive(Deserialize)]
struct MeetingBody {
    #[serde(flatten)]
    meeting: MeetingInput,
    #[serde(default)]
    confirmed: bool,
}

pub async fn create_meeting(State(st): State<AppState>, headers: HeaderMap, raw: axum::body::Bytes) -> ApiResult {
    let v = api_viewer(&st, &headers).await?;
    let b = body::<MeetingBody>(&raw)?;
    let new = checked(b.meeting.validate(today()))?;
    if !b.confirmed {
        // An organisation outside the scope is refused by the insert below, with its reason.
        if let Ok(Some(id)) = st.store.similar_meeting(&v.scope, new.org_id, new.kind, new.held_on, &new.topic).await {
            let msg = format!("本组织已登记过{}“{}”（{}，记录编号{id}），可能是重复登记；确需再登记请在请求中加 \"confirmed\": true", domain::Labelled::label(new.kind), new.topic.trim(), new.held_on);
            return Ok((StatusCode::CONFLICT, Json(json!({"error": msg, "duplicate_of": id}))).into_response());
        }
    }
    let m = st.store.insert_meeting(&v.scope, &new, chrono::Local::now().date_naive()).await?;
    crate::jobs::update_figures(&st, new.org_id, chrono::Datelike::year(&new.held_on));
    Ok((StatusCode::CREATED, Json(m)).into_response())
}

#[derive(Deserialize)]
pub struct ComplianceQuery {
    org: Option<i64>,
    year: Option<i32>,
    #[serde(default)]
    failing: bool,
}

/// `GET /api/v1/compliance?org=&year=&failing=`: per rule, applicable and failing
/// organisations of the subtree (default: the caller's own organisation).
pub async fn compliance(State(st): State<AppState>, headers: HeaderMap, Query(q): Query<ComplianceQuery>) -> ApiResult {
    let v = api_viewer(&st, &headers).await?;
    if v.scope.own_member().is_some() {
        return Err(ApiError::Bad("党员账号没有合规检查的权限".into()));
    }
    let root = match q.org.or(v.scope.root_org()) {
        Some(id) => id,
        None => return Err(ApiError::Bad("请用 org 参数指定党组织编号".into())),
    };
    let today = chrono::Local::now().date_naive();
    let year = q.year.unwrap_or(today.year());
    let (store, rules, scope, failing) = (st.store.clone(), st.rules.clone(), v.scope.clone(), q.failing);
    ok(crate::jobs::off_workers(async move { store.compliance_summary(&scope, root, &rules, year, today, failing).await }).await?)
}

/// Campaigns run by organisations in the caller's scope.
pub async fn campaigns(State(st): State<AppState>, headers: HeaderMap) -> ApiResult {
    let v = api_viewer(&st, &headers).await?;
    let list: Vec<Value> = st
        .store
        .campaigns(&v.scope)
        .await?
        .into_iter()
        .map(|c| json!({"id": c.id, "title": c.title, "org_id": c.org_id, "org_name": c.org_name, "questionnaire_id": c.questionnaire_id, "questionnaire_title": c.questionnaire_title, "opens_on": c.opens_on, "closes_on": c.closes_on}))
        .collect();
    ok(json!({ "campaigns": list }))
}

/// 发放 / 回收 / 有效 / 有效回收率, overall, per unit and per sector.
pub async fn campaign_stats(State(st): State<AppState>, headers: HeaderMap, Path(id): Path<i64>) -> ApiResult {
    let v = api_viewer(&st, &headers).await?;
    match survey::campaign::stats(&st.store, &v.scope, id).await {
        Ok(s) => ok(s),
        Err(survey::campaign::SurveyError::Store(e)) => Err(e.into()),
        Err(e) => Err(ApiError::Bad(e.to_string())),
    }
}

/// Research material is for staff: members' tokens are refused.
fn research_staff(v: &crate::auth::Viewer) -> Result<(), ApiError> {
    if v.scope.own_member().is_some() {
        return Err(ApiError::Forbidden("调研资料只对组织部和党组织工作人员开放".into()));
    }
    Ok(())
}

fn interview_json(i: &store::InterviewRow) -> Value {
    let people: Vec<Value> = i.people.iter().map(|(r, n, p)| json!({"role": r, "role_label": r.label(), "name": n, "position": p})).collect();
    json!({"id": i.id, "org_id": i.org_id, "org_code": i.org_code, "org_name": i.org_name, "unit_type": i.sector, "unit_type_label": i.sector.label(), "held_on": i.held_on, "place": i.place, "interviewers": i.interviewers, "interviewees": people})
}

/// Interviews at units in scope, with the counts the report's method section uses.
pub async fn interviews(State(st): State<AppState>, headers: HeaderMap) -> ApiResult {
    let v = api_viewer(&st, &headers).await?;
    research_staff(&v)?;
    let list: Vec<Value> = st.store.interviews(&v.scope).await?.iter().map(interview_json).collect();
    let c = st.store.interview_counts(&v.scope).await?;
    let by_sector: Vec<Value> = c.units_by_sector.iter().map(|(s, n)| json!({"unit_type": s, "label": s.label(), "units": n})).collect();
    let by_role: Vec<Value> = c.people_by_role.iter().map(|(r, n)| json!({"role": r, "label": r.label(), "people": n})).collect();
    ok(json!({"interviews": list, "counts": {"interviews": c.interviews, "units": c.units, "people": c.people, "units_by_type": by_sector, "people_by_role": by_role, "sentence": qualitative::interviews::method_sentence(&c)}}))
}

/// One interview with its notes and accepted codes.
pub async fn interview(State(st): State<AppState>, headers: HeaderMap, Path(id): Path<i64>) -> ApiResult {
    let v = api_viewer(&st, &headers).await?;
    research_staff(&v)?;
    let i = st.store.interview(&v.scope, id).await?;
    let codes: Vec<Value> = st
        .store
        .codings(&v.scope, id)
        .await?
        .into_iter()
        .filter(|c| c.status == "accepted")
        .map(|c| json!({"id": c.id, "passage": c.passage, "category": c.category, "category_name": domain::research::Codebook::builtin().name(&c.category), "excerpt": c.excerpt, "quote": c.quote, "origin": c.origin}))
        .collect();
    let mut j = interview_json(&i);
    j["notes"] = json!(i.notes);
    j["codes"] = json!(codes);
    ok(j)
}

pub async fn cases(State(st): State<AppState>, headers: HeaderMap) -> ApiResult {
    let v = api_viewer(&st, &headers).await?;
    research_staff(&v)?;
    let list: Vec<Value> = st
        .store
        .cases(&v.scope)
        .await?
        .into_iter()
        .map(|c| json!({"id": c.id, "title": c.title, "kind": c.kind, "kind_label": c.kind.label(), "org_id": c.org_id, "org_name": c.org_name, "unit_type": c.sector, "period": c.period, "background": c.background, "actions": c.actions, "result": c.result, "lessons": c.lessons, "categories": c.categories, "sources": c.sources}))
        .collect();
    ok(json!({ "cases": list }))
}

pub async fn documents(State(st): State<AppState>, headers: HeaderMap) -> ApiResult {
    let v = api_viewer(&st, &headers).await?;
    research_staff(&v)?;
    let list: Vec<Value> = st
        .store
        .documents()
        .await?
        .into_iter()
        .map(|d| {
            let reqs: Vec<Value> = d.requirements.iter().map(|(t, k)| json!({"text": t, "rule_key": k})).collect();
            json!({"id": d.id, "title": d.title, "kind": d.kind, "issuer": d.issuer, "doc_number": d.doc_number, "issued_on": d.issued_on, "url": d.url, "summary": d.summary, "requirements": reqs})
        })
        .collect();
    ok(json!({ "documents": list }))
}

#[derive(serde::Deserialize)]
pub struct SearchParams {
    q: Option<String>,
    limit: Option<usize>,
}

/// Full-text search over interviews, cases and documents within scope.
pub async fn research_search(State(st): State<AppState>, headers: HeaderMap, Query(p): Query<SearchParams>) -> ApiResult {
    let v = api_viewer(&st, &headers).await?;
    research_staff(&v)?;
    let q = p.q.unwrap_or_default();
    if q.trim().is_empty() {
        return Err(ApiError::Bad("请用参数 q 给出检索词，例如 /api/v1/search?q=三会一课".into()));
    }
    let items = qualitative::search::search(&st.store, &v.scope, &q, p.limit.unwrap_or(50).clamp(1, 500)).await?;
    ok(json!({"query": q, "terms": segment::query_terms(&q), "items": items}))
}
