//! 系统管理, for administrators of the whole jurisdiction only: the audit log (审计日志)
//! with filters, and the users (reset a password, disable or enable an account). Every
//! change made here is itself an audit entry.

use crate::auth::{actor_of, checked_form, page_viewer, Viewer};
use crate::error::PageError;
use crate::view::page;
use crate::AppState;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use maud::html;
use domain::Labelled;
use serde::Deserialize;

type PageResult = Result<Response, PageError>;

/// Entries shown on one page of the log.
const AUDIT_PAGE: i64 = 500;

fn admin(v: Viewer) -> Result<Viewer, PageError> {
    if v.is_jurisdiction_admin() {
        Ok(v)
    } else {
        Err(PageError::Status(StatusCode::FORBIDDEN, "只有全辖区管理员可以查看审计日志和管理用户".into()))
    }
}

#[derive(Deserialize)]
pub struct AuditFilter {
    since: Option<String>,
    user: Option<String>,
}

pub async fn audit(State(st): State<AppState>, headers: HeaderMap, Query(f): Query<AuditFilter>) -> PageResult {
    let v = admin(page_viewer(&st, &headers).await?)?;
    let since = f.since.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let user = f.user.as_deref().map(str::trim).filter(|s| !s.is_empty());
    if let Some(s) = since {
        if domain::Date::parse_from_str(s, "%Y-%m-%d").is_err() {
            return Err(PageError::Status(StatusCode::UNPROCESSABLE_ENTITY, format!("起始日期“{s}”应写作 2026-12-01")));
        }
    }
    let entries = st.store.audit_entries(since, user, AUDIT_PAGE).await?;
    Ok(page(&v, "审计日志", html! {
        section {
            h1 { "审计日志" }
            p.muted { "登录（含失败）、退出、账号变更、每一次写入（修改记录原值→新值）、导入和导出。日志只追加，不能修改或删除，全部保留（《网络安全法》第二十一条要求网络日志留存不少于六个月）。" }
            form method="get" action="/admin/audit" {
                label for="since" { "起始日期" }
                input id="since" name="since" type="date" value=(since.unwrap_or(""));
                label for="user" { "操作人（用户名）" }
                input id="user" name="user" value=(user.unwrap_or(""));
                button type="submit" { "筛选" }
            }
            p { "共显示 " (entries.len()) " 条，最新的在前" @if entries.len() as i64 == AUDIT_PAGE { "（只显示最近" (AUDIT_PAGE) "条，请缩小范围）" } }
            div.table-wrap {
                table {
                    thead { tr { th { "时间" } th { "操作人" } th { "来源地址" } th { "操作" } th { "对象" } th { "内容" } } }
                    tbody {
                        @for e in &entries {
                            tr {
                                td { (e.at) }
                                td { (e.actor) }
                                td { (e.ip.as_deref().unwrap_or("")) }
                                td { (store::action_label(&e.action)) }
                                td { @if let Some(t) = &e.target { (store::target_label(t)) @if let Some(id) = e.target_id.filter(|i| *i > 0) { " #" (id) } } }
                                td { code { (e.detail.to_string()) } }
                            }
                        }
                    }
                }
            }
        }
    }))
}

fn users_page(v: &Viewer, users: &[(domain::user::User, bool)], note: Option<(&str, bool)>) -> Response {
    page(v, "用户管理", html! {
        section {
            h1 { "用户管理" }
            @if let Some((text, ok)) = note {
                @if ok { p.ok role="status" { (text) } } @else { div.error role="alert" { p { (text) } } }
            }
            p.muted { "重置密码或停用后，该用户已有的登录立即失效。新建用户请用命令 dangjian user create。" }
            div.table-wrap {
                table {
                    thead { tr { th { "用户名" } th { "角色" } th { "状态" } th { "重置密码" } th { "停用/启用" } } }
                    tbody {
                        @for (u, disabled) in users {
                            tr {
                                td { (u.username) }
                                td { (u.role.label()) }
                                td { @if *disabled { "已停用" } @else { "正常" } }
                                td {
                                    form method="post" action={ "/admin/users/" (u.id) "/password" } {
                                        input type="hidden" name="csrf" value=(v.session.csrf_token);
                                        input type="password" name="password" aria-label={ (u.username) "的新密码" } autocomplete="new-password" placeholder="新密码（至少10位）" required;
                                        button type="submit" { "重置" }
                                    }
                                }
                                td {
                                    @if u.id != v.session.user.id {
                                        form method="post" action={ "/admin/users/" (u.id) "/disabled" } {
                                            input type="hidden" name="csrf" value=(v.session.csrf_token);
                                            input type="hidden" name="disabled" value=(if *disabled { "0" } else { "1" });
                                            button type="submit" { @if *disabled { "启用" } @else { "停用" } }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    })
}

pub async fn users(State(st): State<AppState>, headers: HeaderMap) -> PageResult {
    let v = admin(page_viewer(&st, &headers).await?)?;
    let users = st.store.users().await?;
    Ok(users_page(&v, &users, None))
}

pub async fn reset_password(State(st): State<AppState>, headers: HeaderMap, Path(id): Path<i64>, Form(raw): Form<Vec<(String, String)>>) -> PageResult {
    let v = admin(page_viewer(&st, &headers).await?)?;
    let f = checked_form(&v, raw)?;
    let user = st.store.user_by_id(id).await?;
    let note = match st.store.set_password(&user, None, f.get("password").map(String::as_str).unwrap_or(""), None).await {
        Ok(()) => {
            st.store.audit(Some(&actor_of(&v.session.user)), None, "password_reset", Some(("users", user.id)), serde_json::json!({"用户名": user.username})).await?;
            (format!("已重置“{}”的密码，其原有登录已失效", user.username), true)
        }
        Err(store::StoreError::Invalid(e)) => (e.errors.iter().map(|x| x.message.clone()).collect::<Vec<_>>().join("；"), false),
        Err(e) => return Err(e.into()),
    };
    let users = st.store.users().await?;
    let status = if note.1 { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok((status, users_page(&v, &users, Some((&note.0, note.1)))).into_response())
}

pub async fn set_disabled(State(st): State<AppState>, headers: HeaderMap, Path(id): Path<i64>, Form(raw): Form<Vec<(String, String)>>) -> PageResult {
    let v = admin(page_viewer(&st, &headers).await?)?;
    let f = checked_form(&v, raw)?;
    let user = st.store.user_by_id(id).await?;
    if user.id == v.session.user.id {
        return Err(PageError::Status(StatusCode::UNPROCESSABLE_ENTITY, "不能停用自己的账号".into()));
    }
    let disable = f.get("disabled").map(String::as_str) == Some("1");
    st.store.set_user_disabled(&user, disable).await?;
    let action = if disable { "user_disabled" } else { "user_enabled" };
    st.store.audit(Some(&actor_of(&v.session.user)), None, action, Some(("users", user.id)), serde_json::json!({"用户名": user.username})).await?;
    let users = st.store.users().await?;
    let text = if disable { format!("已停用“{}”，其登录已失效", user.username) } else { format!("已启用“{}”", user.username) };
    Ok(users_page(&v, &users, Some((&text, true))))
}
