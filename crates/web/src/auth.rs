//! Who is asking: the session cookie (pages) or a bearer token (API), and the scope the
//! store gives that user. CSRF: pages' forms carry the session's token; the login form a
//! double-submit cookie.

use crate::error::{ApiError, PageError};
use crate::AppState;
use axum::http::{header, HeaderMap};
use store::{Scope, SessionInfo};

pub const SESSION_COOKIE: &str = "dj_session";
pub const LOGIN_CSRF_COOKIE: &str = "dj_login_csrf";

/// An authenticated caller.
pub struct Viewer {
    pub session: SessionInfo,
    pub scope: Scope,
}

impl Viewer {
    /// An administrator of the whole jurisdiction (全辖区管理员): user administration,
    /// the audit log, full-ID exports.
    pub fn is_jurisdiction_admin(&self) -> bool {
        self.session.user.role == domain::user::Role::Admin && self.session.user.org_id.is_none()
    }
}

pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|kv| {
        let (k, v) = kv.trim().split_once('=')?;
        (k == name).then(|| v.to_string())
    })
}

async fn viewer_for(state: &AppState, token: &str) -> Option<Viewer> {
    let session = state.store.session(token).await.ok()??;
    let scope = state.store.scope_for(&session.user).await.ok()?;
    Some(Viewer { session, scope })
}

/// The viewer of a page, from the session cookie.
pub async fn page_viewer(state: &AppState, headers: &HeaderMap) -> Result<Viewer, PageError> {
    let token = cookie(headers, SESSION_COOKIE).ok_or(PageError::Login)?;
    viewer_for(state, &token).await.ok_or(PageError::Login)
}

/// The caller of the API, from `Authorization: Bearer TOKEN`.
pub async fn api_viewer(state: &AppState, headers: &HeaderMap) -> Result<Viewer, ApiError> {
    let token = bearer(headers).ok_or(ApiError::Unauthorized)?;
    viewer_for(state, &token).await.ok_or(ApiError::Unauthorized)
}

pub fn bearer(headers: &HeaderMap) -> Option<String> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    v.strip_prefix("Bearer ").map(|t| t.trim().to_string())
}

/// The fields of a posted page form, once its CSRF token is checked against the session's.
pub fn checked_form(v: &Viewer, raw: Vec<(String, String)>) -> Result<std::collections::HashMap<String, String>, PageError> {
    let f: std::collections::HashMap<String, String> = raw.into_iter().collect();
    if !same_token(&v.session.csrf_token, f.get("csrf").map(String::as_str).unwrap_or("")) {
        return Err(PageError::Status(
            axum::http::StatusCode::FORBIDDEN,
            "表单已过期或来源不明（CSRF 校验失败），请刷新页面后重试".into(),
        ));
    }
    Ok(f)
}

/// Constant-time comparison for tokens.
pub fn same_token(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// `; Secure` when served over https, so the browser never sends the cookie in clear.
pub fn secure(https: bool) -> &'static str {
    if https { "; Secure" } else { "" }
}

pub fn session_cookie(token: &str, https: bool) -> String {
    format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax{}", secure(https))
}

pub fn clear_session_cookie(https: bool) -> String {
    format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{}", secure(https))
}

/// What a sign-in attempt came to.
pub enum SignIn {
    /// Too many failures: retry after this long.
    Throttled(std::time::Duration),
    /// Wrong username or password (indistinguishably).
    Refused,
    /// A new session: its token and user.
    Accepted(String, domain::user::User),
}

/// Signs a user in, for the login page and the API alike: throttled per account and per
/// address, and audited (success and failure, with the address).
pub async fn sign_in(state: &AppState, username: &str, password: &str, ip: Option<std::net::IpAddr>) -> Result<SignIn, store::StoreError> {
    let keys = crate::throttle::keys(username, ip);
    if let Some(wait) = state.throttle.wait(&keys) {
        return Ok(SignIn::Throttled(wait));
    }
    let ip_text = ip.map(|i| i.to_string());
    let Some(user) = state.store.authenticate(username, password).await? else {
        state.throttle.failed(&keys);
        let actor = store::Actor { user_id: None, name: username.trim().chars().take(50).collect() };
        state.store.audit(Some(&actor), ip_text.as_deref(), "login_failed", None, serde_json::json!({})).await?;
        return Ok(SignIn::Refused);
    };
    state.throttle.succeeded(username);
    let (token, _) = state.store.create_session(&user).await?;
    state.store.audit(Some(&actor_of(&user)), ip_text.as_deref(), "login", Some(("users", user.id)), serde_json::json!({})).await?;
    Ok(SignIn::Accepted(token, user))
}

/// The audit log's name for a user.
pub fn actor_of(user: &domain::user::User) -> store::Actor {
    store::Actor { user_id: Some(user.id), name: user.username.clone() }
}

/// Whether a 党小组长 may open `path`: the group's page, its members and their records,
/// its meetings (recording them, signing in), search, 待办 and the account. Compliance,
/// reports, surveys, research, imports, development and branch records are the branch's
/// and the department's work. The one place this role's reach is decided.
pub fn group_leader_may(method: &axum::http::Method, path: &str) -> bool {
    let seg: Vec<&str> = path.trim_matches('/').split('/').collect();
    let id = |s: &str| s.parse::<i64>().is_ok();
    let read = method == axum::http::Method::GET;
    match seg.as_slice() {
        [""] | ["account", ..] | ["logout"] | ["login"] | ["search"] | ["todo"] | ["me"] | ["orgs"] | ["healthz"] | ["readyz"] | ["s", ..] | ["static", ..] => true,
        ["checkin", ..] => true,
        ["orgs", o] => id(o),
        ["orgs", o, "meetings"] | ["orgs", o, "meetings", "new"] | ["orgs", o, "plans"] => id(o),
        ["orgs", o, "export", "members"] => id(o) && read,
        ["members", m] => id(m),
        ["members", m, "dues" | "training"] => id(m),
        ["meetings", m] | ["meetings", m, "attachments"] | ["plans", m, ..] => id(m),
        ["attachments", a] => id(a) && read,
        ["api", "openapi.json"] | ["api", "v1", "session"] | ["api", "v1", "me"] => true,
        ["api", "v1", "orgs", o] | ["api", "v1", "orgs", o, "members"] => id(o) && read,
        ["api", "v1", "members", m] => id(m) && read,
        ["api", "v1", "members", m, "dues" | "training"] => id(m),
        ["api", "v1", "meetings"] => true,
        ["api", "v1", "meetings", m] => id(m) && read,
        _ => false,
    }
}

/// Refuses a 党小组长 what `group_leader_may` does not grant, before any handler runs.
pub async fn group_leader_limits(axum::extract::State(st): axum::extract::State<AppState>, req: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    use axum::response::IntoResponse;
    if group_leader_may(req.method(), req.uri().path()) {
        return next.run(req).await;
    }
    let token = cookie(req.headers(), SESSION_COOKIE).or_else(|| bearer(req.headers()));
    let leader = match token {
        Some(t) => matches!(st.store.session(&t).await, Ok(Some(s)) if s.user.role == domain::user::Role::GroupLeader),
        None => false,
    };
    if !leader {
        return next.run(req).await;
    }
    let msg = "党小组长账号只能查看和登记本党小组的党员与党小组会；合规检查、调研、统计和导入请由党支部书记或组织部办理";
    if req.uri().path().starts_with("/api/") {
        crate::error::ApiError::Forbidden(msg.into()).into_response()
    } else {
        PageError::Status(axum::http::StatusCode::FORBIDDEN, msg.into()).into_response()
    }
}

/// A signed-in user of the pages (any role): the extractor for page handlers.
pub struct Signed(pub Viewer);

impl axum::extract::FromRequestParts<AppState> for Signed {
    type Rejection = PageError;
    async fn from_request_parts(parts: &mut axum::http::request::Parts, st: &AppState) -> Result<Self, PageError> {
        page_viewer(st, &parts.headers).await.map(Signed)
    }
}

/// Organisation-department or party-organisation staff (not a member's own account).
pub struct Staff(pub Viewer);

impl axum::extract::FromRequestParts<AppState> for Staff {
    type Rejection = PageError;
    async fn from_request_parts(parts: &mut axum::http::request::Parts, st: &AppState) -> Result<Self, PageError> {
        let v = page_viewer(st, &parts.headers).await?;
        if v.scope.own_member().is_some() {
            return Err(PageError::Status(axum::http::StatusCode::FORBIDDEN, "这一页只对组织部和党组织工作人员开放；党员请在“我的”页面查看本人信息".into()));
        }
        Ok(Staff(v))
    }
}

/// A posted page form whose CSRF token matches the session's, read into `T` (field
/// names as in the form; a value that cannot be read is refused in Chinese).
pub struct CsrfForm<T>(pub Viewer, pub T);

impl<T: serde::de::DeserializeOwned> axum::extract::FromRequest<AppState> for CsrfForm<T> {
    type Rejection = PageError;
    async fn from_request(req: axum::extract::Request, st: &AppState) -> Result<Self, PageError> {
        let v = page_viewer(st, req.headers()).await?;
        let axum::Form(raw) = axum::Form::<Vec<(String, String)>>::from_request(req, st)
            .await
            .map_err(|_| PageError::Status(axum::http::StatusCode::UNPROCESSABLE_ENTITY, "表单内容无法读取，请刷新页面后重新填写".into()))?;
        let fields = checked_form(&v, raw)?;
        // An empty field is a field left out: optional values become `None`, and a required
        // one is named by the record's own check (its input reads a missing field as empty).
        let text = serde_urlencoded::to_string(fields.iter().filter(|(k, v)| k.as_str() != "csrf" && !v.trim().is_empty()).collect::<Vec<_>>()).unwrap_or_default();
        let t = serde_urlencoded::from_str(&text)
            .map_err(|_| PageError::Status(axum::http::StatusCode::UNPROCESSABLE_ENTITY, "表单缺少必填的内容或格式不对，请刷新页面后重新填写".into()))?;
        Ok(CsrfForm(v, t))
    }
}
