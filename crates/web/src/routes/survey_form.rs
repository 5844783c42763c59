//! The public questionnaire form (问卷填写页), one link per unit: mobile-first, works
//! without JavaScript (the server checks everything and re-renders with messages);
//! /static/survey.js only shows skips, filters choices and checks constraints live.
//! Staff entering a paper questionnaire use the same form with `?paper=1`.

use crate::auth::{cookie, page_viewer, same_token};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Form;
use maud::{html, Markup, PreEscaped, DOCTYPE};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::Arc;
use store::{Campaign, CampaignUnit, NewResponse};
use survey::answers::{check, Raw, RawCtx, MAX_REPEATS, MAX_TEXT, OTHER};
use survey::{Item, Kind, Questionnaire};

pub const DEVICE_COOKIE: &str = "dj_device";

/// A unit's link resolved: its campaign and questionnaire (cached per token: none of
/// them changes once a campaign is created).
pub struct PublicForm {
    pub unit: CampaignUnit,
    pub campaign: Campaign,
    pub form: Questionnaire,
}

pub async fn resolve(st: &AppState, token: &str) -> Result<Arc<PublicForm>, Response> {
    if let Some(f) = st.forms.read().unwrap().get(token) {
        return Ok(f.clone());
    }
    let gone = || (StatusCode::NOT_FOUND, crate::view::message_page(StatusCode::NOT_FOUND, "问卷链接无效：请核对链接或二维码是否完整")).into_response();
    if token.len() > 64 || !token.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(gone());
    }
    let Some((unit, campaign)) = st.store.unit_by_token(token).await.map_err(|e| crate::error::PageError::from(e).into_response())? else {
        return Err(gone());
    };
    let form = survey::campaign::questionnaire(&st.store, campaign.questionnaire_id).await.map_err(|e| (StatusCode::INTERNAL_SERVER_ERROR, crate::view::message_page(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string())).into_response())?;
    let f = Arc::new(PublicForm { unit, campaign, form });
    st.forms.write().unwrap().insert(token.to_string(), f.clone());
    Ok(f)
}

#[derive(Deserialize, Default)]
pub struct FormQuery {
    pub paper: Option<u8>,
    /// A language of the questionnaire (`label::English` → `English`).
    pub lang: Option<String>,
}

/// The questionnaire in the language asked for, when it has that language.
fn localized<'a>(pf: &'a PublicForm, lang: Option<&str>) -> std::borrow::Cow<'a, Questionnaire> {
    match lang {
        Some(l) if pf.form.languages.iter().any(|x| x == l) && pf.form.language() != l => {
            let mut f = pf.form.clone();
            f.default_language = Some(l.to_string());
            std::borrow::Cow::Owned(f)
        }
        _ => std::borrow::Cow::Borrowed(&pf.form),
    }
}

/// Whether the campaign takes answers today.
fn closed(c: &Campaign) -> Option<String> {
    let today = crate::view::today();
    if today < c.opens_on {
        return Some(format!("本次调研将于 {} 开始，请届时再填写", c.opens_on));
    }
    if today > c.closes_on {
        return Some(format!("本次调研已于 {} 结束，感谢您的关注", c.closes_on));
    }
    None
}

/// A logged-in staff member who may enter paper questionnaires for this campaign:
/// (user id, csrf token).
async fn paper_clerk(st: &AppState, headers: &HeaderMap, c: &Campaign) -> Option<(i64, String)> {
    let v = page_viewer(st, headers).await.ok()?;
    st.store.campaign(&v.scope, c.id).await.ok()?;
    Some((v.session.user.id, v.session.csrf_token.clone()))
}

pub async fn form_page(State(st): State<AppState>, headers: HeaderMap, Path(token): Path<String>, Query(q): Query<FormQuery>) -> Response {
    let pf = match resolve(&st, &token).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    if let Some(msg) = closed(&pf.campaign) {
        return (StatusCode::GONE, shell(&pf.form.title, html! { section { p.error { (msg) } } })).into_response();
    }
    let paper = if q.paper == Some(1) { paper_clerk(&st, &headers, &pf.campaign).await } else { None };
    if q.paper == Some(1) && paper.is_none() {
        return (StatusCode::FORBIDDEN, crate::view::message_page(StatusCode::FORBIDDEN, "录入纸质问卷须由负责本次调研的工作人员登录后进行")).into_response();
    }
    let form = localized(&pf, q.lang.as_deref());
    let meta = Meta { submission: store::random_token()[..32].to_string(), started: now(), paper: paper.map(|p| p.1), lang: form.language() };
    let body = render(&pf, &form, &token, &with_unit(&pf, Raw::default()), &BTreeMap::new(), &meta, None);
    let mut res = shell(&pf.form.title, body).into_response();
    if cookie(&headers, DEVICE_COOKIE).is_none() {
        let c = format!("{DEVICE_COOKIE}={}; Path=/s; HttpOnly; SameSite=Lax; Max-Age=31536000", &store::random_token()[..32]);
        res.headers_mut().insert(header::SET_COOKIE, c.parse().unwrap());
    }
    res
}

/// The submission with the unit's type in the questionnaire's `unit_type` hidden field
/// (whatever the browser sent), so that `relevant` can ask by unit type (村、社区、企业…).
fn with_unit(pf: &PublicForm, mut raw: Raw) -> Raw {
    use domain::Labelled;
    let hidden = pf.form.walk().into_iter().any(|(it, _)| it.name == "unit_type" && matches!(&it.kind, Kind::Meta { what } if what == "hidden"));
    if hidden {
        raw.0.retain(|(k, _)| k != "unit_type");
        raw.0.push(("unit_type".into(), pf.unit.sector.code().into()));
    }
    raw
}

fn now() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// Hidden fields carried through re-renders.
struct Meta {
    submission: String,
    started: String,
    /// csrf token when staff enter a paper questionnaire
    paper: Option<String>,
    lang: String,
}

pub async fn submit(State(st): State<AppState>, headers: HeaderMap, Path(token): Path<String>, Form(fields): Form<Vec<(String, String)>>) -> Response {
    let pf = match resolve(&st, &token).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    if let Some(msg) = closed(&pf.campaign) {
        return (StatusCode::GONE, shell(&pf.form.title, html! { section { p.error { (msg) } } })).into_response();
    }
    let get = |k: &str| fields.iter().find(|(f, _)| f == k).map(|(_, v)| v.trim().to_string()).unwrap_or_default();
    let submission = get("_submission");
    let started = get("_started");
    let csrf = get("_csrf");
    if submission.is_empty() || submission.len() > 64 || !submission.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        return (StatusCode::BAD_REQUEST, crate::view::message_page(StatusCode::BAD_REQUEST, "提交缺少问卷编号，请重新打开问卷链接填写")).into_response();
    }
    let paper = if csrf.is_empty() {
        None
    } else {
        match paper_clerk(&st, &headers, &pf.campaign).await {
            Some((user, token)) if same_token(&token, &csrf) => Some((user, token)),
            _ => return (StatusCode::FORBIDDEN, crate::view::message_page(StatusCode::FORBIDDEN, "纸质问卷录入须由负责本次调研的工作人员登录后进行（登录已过期或表单来源不明，请刷新后重试）")).into_response(),
        }
    };
    let raw = with_unit(&pf, Raw(fields.iter().filter(|(k, _)| !k.starts_with('_')).cloned().collect()));
    let lang = get("_lang");
    let form = localized(&pf, Some(lang.as_str()));
    let meta = Meta { submission: submission.clone(), started: started.clone(), paper: paper.as_ref().map(|p| p.1.clone()), lang: form.language() };
    let add = get("_add");
    if !add.is_empty() {
        // "再添加一项" on a repeat without JavaScript: show the form again, one more instance.
        return shell(&pf.form.title, render(&pf, &form, &token, &raw, &BTreeMap::new(), &meta, Some(&add))).into_response();
    }
    let today = crate::view::today().to_string();
    let checked = check(&form, &raw, paper.is_some(), &today);
    if !checked.errors.is_empty() {
        return (StatusCode::UNPROCESSABLE_ENTITY, shell(&pf.form.title, render(&pf, &form, &token, &raw, &checked.errors, &meta, None))).into_response();
    }
    let submitted = now();
    let start_t = chrono::DateTime::parse_from_rfc3339(&started).ok();
    let duration = start_t.map(|s| (chrono::Utc::now() - s.with_timezone(&chrono::Utc)).num_milliseconds() as f64 / 1000.0).filter(|d| *d >= 0.0 && *d < 7.0 * 86400.0).unwrap_or(0.0);
    let mut answers = checked.answers;
    for (it, _) in pf.form.walk() {
        if let Kind::Meta { what } = &it.kind {
            let v = match what.as_str() {
                "start" => started.clone(),
                "end" => submitted.clone(),
                "today" => today.clone(),
                _ => cookie(&headers, DEVICE_COOKIE).unwrap_or_default(),
            };
            answers.insert(it.name.clone(), serde_json::Value::String(v));
        }
    }
    let device = if paper.is_some() { format!("paper:{}", paper.as_ref().unwrap().0) } else { cookie(&headers, DEVICE_COOKIE).unwrap_or_else(|| format!("anon:{submission}")) };
    let r = NewResponse {
        campaign_id: pf.campaign.id,
        unit_id: pf.unit.id,
        submission_id: submission,
        device,
        channel: if paper.is_some() { "paper" } else { "online" }.into(),
        entered_by: paper.as_ref().map(|p| p.0),
        started_at: if started.is_empty() { submitted.clone() } else { started },
        submitted_at: submitted,
        duration_s: duration,
        passages: survey::search::answer_passages(&pf.form, &pf.campaign.title, &answers),
        answers: serde_json::Value::Object(answers).to_string(),
        missing: checked.missing.len() as i64,
    };
    match st.submissions.submit(&st.store, r).await {
        Ok(new) => {
            let again = paper.is_some().then(|| format!("/s/{token}?paper=1"));
            shell(&pf.form.title, html! {
                section.done {
                    h1 { @if new { "提交成功" } @else { "此问卷已经提交过" } }
                    p { @if new { "感谢您的参与！您的答卷已保存。" } @else { "这份问卷此前已成功提交，本次不会重复计数。" } }
                    p.muted { "单位：" (pf.unit.org_name) }
                    @if let Some(a) = again { p { a.button href=(a) { "录入下一份纸质问卷" } } }
                }
            })
            .into_response()
        }
        Err(e) => (StatusCode::SERVICE_UNAVAILABLE, shell(&pf.form.title, html! { section { p.error { "保存失败：" (e) "。请返回上一页重新提交，已填写的内容不会丢失。" } } })).into_response(),
    }
}

const FORM_CSS: &str = r#"
*{box-sizing:border-box}body{margin:0;font-family:"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;color:#222;background:#f6f6f6;line-height:1.6;font-size:17px}
header{background:#b71c1c;color:#fff;padding:.7rem 1rem;font-weight:bold}
main{max-width:720px;margin:0 auto;padding:.6rem}
section,fieldset{background:#fff;border-radius:6px;padding:.8rem 1rem;margin:0 0 .8rem;border:0;box-shadow:0 1px 2px rgba(0,0,0,.08)}
fieldset fieldset{box-shadow:none;border:1px solid #eee}
legend{font-weight:bold;font-size:1.05rem;padding:0 .3rem;color:#b71c1c}
.q{margin:.4rem 0 1rem}.q>.label{font-weight:600;display:block;margin-bottom:.3rem}.req{color:#b00020}
.hint{color:#777;font-size:.9rem;margin:.1rem 0 .3rem}
.opt{display:flex;align-items:center;gap:.5rem;padding:.45rem .5rem;border:1px solid #e3e3e3;border-radius:6px;margin:.3rem 0}
.opt input{width:1.2rem;height:1.2rem;margin:0}
input[type=text],input[type=number],input[type=date],input[type=time],input[type=datetime-local],select,textarea{width:100%;padding:.55rem;font-size:1rem;border:1px solid #ccc;border-radius:6px}
textarea{min-height:6rem}
.err{color:#b00020;background:#fdecea;padding:.3rem .5rem;border-radius:4px;margin:.3rem 0;font-size:.95rem}
.q.bad>.label{color:#b00020}
.skip{color:#888;font-size:.85rem}
.js .skip{display:none}
.hidden{display:none}
button,.button{display:inline-block;background:#b71c1c;color:#fff;border:0;border-radius:6px;padding:.7rem 1.2rem;font-size:1.05rem;text-decoration:none}
button.add{background:#fff;color:#b71c1c;border:1px solid #b71c1c;padding:.4rem .8rem;font-size:.95rem}
.submit{width:100%}.banner{background:#fff3e0;color:#8a4b00;padding:.5rem 1rem;border-radius:6px;margin-bottom:.8rem}
.muted{color:#777}.rank select{width:auto;min-width:4.5rem}.rank .opt{justify-content:space-between}
"#;

fn shell(title: &str, body: Markup) -> axum::response::Html<String> {
    let page = html! {
        (DOCTYPE)
        html lang="zh-CN" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                style { (PreEscaped(FORM_CSS)) }
            }
            body {
                header { (title) }
                main { (body) }
                script src="/static/survey.js" {}
            }
        }
    };
    axum::response::Html(page.into_string())
}

fn url_escape(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

/// Replaces `${name}` in a label with the answer given so far.
fn interpolate(text: &str, raw: &Raw, prefix: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find("${") {
        out.push_str(&rest[..i]);
        match rest[i + 2..].find('}') {
            Some(j) => {
                let name = &rest[i + 2..i + 2 + j];
                let v = raw.value(&format!("{prefix}{name}"));
                out.push_str(if v.is_empty() { "＿＿" } else { &v });
                rest = &rest[i + 3 + j..];
            }
            None => {
                out.push_str(&rest[i..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

fn ast(e: &Option<survey::expr::Expr>) -> Option<String> {
    e.as_ref().map(|e| serde_json::to_string(&e.node).unwrap_or_default())
}

fn render(pf: &PublicForm, f: &Questionnaire, token: &str, raw: &Raw, errors: &BTreeMap<String, String>, meta: &Meta, add: Option<&str>) -> Markup {
    let langs: Vec<&String> = f.languages.iter().filter(|l| !l.is_empty()).collect();
    html! {
        @if langs.len() > 1 {
            p.langs { "语言 / Language：" @for l in &langs { @if **l == meta.lang { b { (l) } " " } @else { a href=(format!("/s/{token}?lang={}", url_escape(l))) { (l) } " " } } }
        }
        @if meta.paper.is_some() { div.banner { "纸质问卷录入模式：按纸质问卷如实录入，未作答的必答题可留空（该问卷将计为不完整）。" } }
        @if !errors.is_empty() {
            section.err role="alert" { "有 " (errors.len()) " 处需要修改，请查看标红的题目。" }
        }
        p.muted { "填写单位：" (pf.unit.org_name) }
        form method="post" action=(format!("/s/{token}")) novalidate data-survey="1" {
            input type="hidden" name="_submission" value=(meta.submission);
            input type="hidden" name="_started" value=(meta.started);
            @if let Some(c) = &meta.paper { input type="hidden" name="_csrf" value=(c); }
            input type="hidden" name="_lang" value=(meta.lang);
            (items(f, &f.items, raw, errors, "", add))
            button.submit type="submit" { "提交问卷" }
        }
    }
}

fn items(f: &Questionnaire, list: &[Item], raw: &Raw, errors: &BTreeMap<String, String>, prefix: &str, add: Option<&str>) -> Markup {
    html! {
        @for it in list {
            @let key = format!("{prefix}{}", it.name);
            @let rel = ast(&it.relevant);
            @match &it.kind {
                Kind::Meta { what } if what == "hidden" => { input type="hidden" name=(key) value=(raw.value(&key)); }
                Kind::Meta { .. } | Kind::Calculate => {}
                Kind::Group => {
                    fieldset data-relevant=[rel] data-prefix=(prefix) {
                        @let l = f.text(&it.label);
                        @if !l.is_empty() { legend { (interpolate(l, raw, prefix)) } }
                        @if it.relevant.is_some() { p.skip { "（根据前面的回答，本部分可能无需填写）" } }
                        (items(f, &it.children, raw, errors, prefix, add))
                    }
                }
                Kind::Repeat => {
                    @let fixed = it.repeat_count.as_ref().map(|e| (e.eval(&RawCtx { raw, prefix }).num().max(0.0) as usize).min(MAX_REPEATS));
                    @let n = fixed.unwrap_or_else(|| (raw.repeat_instances(&key).max(1) + (add == Some(key.as_str())) as usize).min(MAX_REPEATS));
                    fieldset data-relevant=[rel] data-prefix=(prefix) {
                        legend { (f.text(&it.label)) }
                        @for i in 0..n {
                            fieldset { legend { "第 " (i + 1) " 项" } (items(f, &it.children, raw, errors, &format!("{key}.{i}."), add)) }
                        }
                        @if fixed.is_none() && n < MAX_REPEATS { button.add type="submit" name="_add" value=(key) formnovalidate { "再添加一项" } }
                    }
                }
                _ => (question(f, it, &key, raw, errors.get(&key), prefix))
            }
        }
    }
}

fn question(f: &Questionnaire, it: &Item, key: &str, raw: &Raw, err: Option<&String>, prefix: &str) -> Markup {
    let label = interpolate(f.text(&it.label), raw, prefix);
    let hint = f.text(&it.hint);
    let value = raw.value(key);
    let value = if value.is_empty() && raw.0.is_empty() { it.default.clone().unwrap_or_default() } else { value };
    let cmsg = f.text(&it.constraint_message).to_string();
    let req_msg = f.text(&it.required_message).to_string();
    let id = format!("q-{}", key.replace('.', "-"));
    html! {
        div.q.bad[err.is_some()] id=(id) data-key=(key) data-prefix=(prefix) data-relevant=[ast(&it.relevant)] data-constraint=[ast(&it.constraint)]
            data-msg=(if cmsg.is_empty() { "答案不符合本题要求".to_string() } else { cmsg }) data-required=[it.required.then_some("1")]
            data-required-msg=(if req_msg.is_empty() { "此题必答".to_string() } else { req_msg }) data-kind=(kind_name(&it.kind)) {
            span.label { (label) @if it.required && it.kind.is_question() { span.req { " *" } } }
            @if !hint.is_empty() { p.hint { (interpolate(hint, raw, prefix)) } }
            @if it.relevant.is_some() { p.skip { "（根据前面的回答，本题可能无需作答）" } }
            @if let Some(e) = err { p.err role="alert" { (e) } }
            p.err.live.hidden {}
            (input(f, it, key, &value, raw))
        }
    }
}

fn kind_name(k: &Kind) -> &'static str {
    match k {
        Kind::SelectOne { .. } => "one",
        Kind::SelectMultiple { .. } => "multiple",
        Kind::Rank { .. } => "rank",
        Kind::Note => "note",
        _ => "input",
    }
}

fn input(f: &Questionnaire, it: &Item, key: &str, value: &str, raw: &Raw) -> Markup {
    let filter = ast(&it.choice_filter);
    match &it.kind {
        Kind::Note => html! {},
        Kind::Text => html! {
            @if it.appearance.contains("multiline") {
                textarea name=(key) maxlength=(MAX_TEXT) readonly[it.read_only] { (value) }
            } @else {
                input type="text" name=(key) value=(value) maxlength=(MAX_TEXT) inputmode=[it.appearance.contains("numbers").then_some("numeric")] readonly[it.read_only];
            }
        },
        Kind::Integer => html! { input type="number" name=(key) value=(value) step="1" inputmode="numeric" readonly[it.read_only]; },
        Kind::Decimal => html! { input type="number" name=(key) value=(value) step="any" inputmode="decimal" readonly[it.read_only]; },
        Kind::Range { start, end, step } => html! { input type="number" name=(key) value=(value) min=(start) max=(end) step=(step); },
        Kind::Date => html! { input type="date" name=(key) value=(value); },
        Kind::Time => html! { input type="time" name=(key) value=(value); },
        Kind::DateTime => html! { input type="datetime-local" name=(key) value=(value); },
        Kind::Acknowledge => html! { label.opt { input type="checkbox" name=(key) value="OK" checked[value == "OK"]; "确认" } },
        Kind::SelectOne { list, or_other } => {
            let chosen = value.to_string();
            html! {
                @if it.appearance.contains("minimal") {
                    select name=(key) data-filter=[filter.clone()] {
                        option value="" { "请选择" }
                        @for c in f.choices(list) { option value=(c.name) selected[chosen == c.name] data-cols=(cols(c)) { (f.text(&c.label)) } }
                        @if *or_other { option value=(OTHER) selected[chosen == OTHER] { "其他" } }
                    }
                } @else {
                    div data-filter=[filter.clone()] {
                        @for c in f.choices(list) {
                            label.opt data-cols=(cols(c)) { input type="radio" name=(key) value=(c.name) checked[chosen == c.name]; (f.text(&c.label)) }
                        }
                        @if *or_other { label.opt { input type="radio" name=(key) value=(OTHER) checked[chosen == OTHER]; "其他" } }
                    }
                }
                @if *or_other { input type="text" name=(format!("{key}._other")) value=(raw.value(&format!("{key}._other"))) placeholder="选择“其他”时请注明" maxlength=(MAX_TEXT); }
            }
        }
        Kind::SelectMultiple { list, or_other } => html! {
            div data-filter=[filter.clone()] {
                @for c in f.choices(list) {
                    label.opt data-cols=(cols(c)) { input type="checkbox" name=(key) value=(c.name) checked[raw.has(key, &c.name)]; (f.text(&c.label)) }
                }
                @if *or_other { label.opt { input type="checkbox" name=(key) value=(OTHER) checked[raw.has(key, OTHER)]; "其他" } }
            }
            @if *or_other { input type="text" name=(format!("{key}._other")) value=(raw.value(&format!("{key}._other"))) placeholder="选择“其他”时请注明" maxlength=(MAX_TEXT); }
        },
        Kind::Rank { list } => {
            let n = f.choices(list).len();
            html! {
                div.rank {
                    @for c in f.choices(list) {
                        @let k = format!("{key}.rank.{}", c.name);
                        @let cur = raw.value(&k);
                        label.opt { span { (f.text(&c.label)) }
                            select name=(k) { option value="" { "名次" } @for i in 1..=n { option value=(i) selected[cur == i.to_string()] { "第" (i) "位" } } }
                        }
                    }
                }
            }
        }
        _ => html! {},
    }
}

/// A choice's own columns, for `choice_filter` in the browser.
fn cols(c: &survey::Choice) -> String {
    let mut m = c.extra.clone();
    m.insert("name".into(), c.name.clone());
    serde_json::to_string(&m).unwrap_or_default()
}

pub async fn script() -> Response {
    crate::view::script(SCRIPT)
}

const SCRIPT: &str = include_str!("../survey.js");
