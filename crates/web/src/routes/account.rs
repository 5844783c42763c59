//! 我的账号: change one's password (every other session ends) and log out everywhere.

use crate::auth::{checked_form, cookie, page_viewer, SESSION_COOKIE};
use crate::error::PageError;
use crate::view::page;
use crate::AppState;
use axum::extract::{Form, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;

type PageResult = Result<Response, PageError>;

fn account(v: &crate::auth::Viewer, note: Option<(&str, bool)>) -> Response {
    page(v, "我的账号", html! {
        section {
            h1 { "我的账号：" (v.session.user.username) }
            @if v.is_jurisdiction_admin() {
                p { "系统管理：" a href="/admin/users" { "用户管理" } "　" a href="/admin/audit" { "审计日志" } }
            }
            @if let Some((text, ok)) = note {
                @if ok { p.ok role="status" { (text) } } @else { div.error role="alert" { p { (text) } } }
            }
            h2 { "修改密码" }
            form method="post" action="/account/password" {
                input type="hidden" name="csrf" value=(v.session.csrf_token);
                label for="current" { "当前密码" }
                input id="current" type="password" name="current" autocomplete="current-password" required;
                label for="password" { "新密码（至少" (domain::user::PASSWORD_MIN_CHARS) "位，不能太常见，不能包含用户名）" }
                input id="password" type="password" name="password" autocomplete="new-password" required;
                label for="confirm" { "再输入一次新密码" }
                input id="confirm" type="password" name="confirm" autocomplete="new-password" required;
                button.primary type="submit" { "修改密码" }
            }
            p.muted { "修改密码后，在其他设备上的登录都会退出。" }
            h2 { "退出所有设备" }
            form method="post" action="/account/logout-all" {
                input type="hidden" name="csrf" value=(v.session.csrf_token);
                button type="submit" { "退出所有设备上的登录（包括本机）" }
            }
        }
    })
}

pub async fn account_page(State(st): State<AppState>, headers: HeaderMap) -> PageResult {
    let v = page_viewer(&st, &headers).await?;
    Ok(account(&v, None))
}

pub async fn change_password(State(st): State<AppState>, headers: HeaderMap, Form(raw): Form<Vec<(String, String)>>) -> PageResult {
    let v = page_viewer(&st, &headers).await?;
    let f = checked_form(&v, raw)?;
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    if get("password") != get("confirm") {
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, account(&v, Some(("两次输入的新密码不一致", false)))).into_response());
    }
    let keep = cookie(&headers, SESSION_COOKIE);
    match st.store.set_password(&v.session.user, Some(&get("current")), &get("password"), keep.as_deref()).await {
        Ok(()) => {
            st.store.audit(v.scope.actor(), None, "password_changed", Some(("users", v.session.user.id)), serde_json::json!({})).await?;
            Ok(account(&v, Some(("密码已修改；其他设备上的登录已退出", true))))
        }
        Err(store::StoreError::Invalid(e)) => {
            let msg = e.errors.iter().map(|x| x.message.clone()).collect::<Vec<_>>().join("；");
            Ok((StatusCode::UNPROCESSABLE_ENTITY, account(&v, Some((&msg, false)))).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn logout_all(State(st): State<AppState>, headers: HeaderMap, Form(raw): Form<Vec<(String, String)>>) -> PageResult {
    let v = page_viewer(&st, &headers).await?;
    checked_form(&v, raw)?;
    let n = st.store.revoke_user_sessions(v.session.user.id, None).await?;
    st.store.audit(v.scope.actor(), None, "logout_all", Some(("users", v.session.user.id)), serde_json::json!({"会话数": n})).await?;
    let mut res = Redirect::to("/login").into_response();
    res.headers_mut().insert(axum::http::header::SET_COOKIE, crate::auth::clear_session_cookie(st.https).parse().expect("valid header"));
    Ok(res)
}
