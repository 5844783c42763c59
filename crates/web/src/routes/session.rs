//! Signing in and out, and each role's home.

use crate::auth::{self, page_viewer};
use crate::error::PageError;
use crate::view::layout;
use crate::AppState;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use domain::user::Role;
use maud::html;
use serde::Deserialize;

type PageResult = Result<Response, PageError>;

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

