//! Page layout and small rendering helpers (maud escapes every interpolated value).

use axum::http::StatusCode;
use axum::response::Html;
use domain::user::User;
use domain::Labelled;
use maud::{html, Markup, DOCTYPE};

const CSS: &str = r#"
*{box-sizing:border-box}body{margin:0;font-family:"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;color:#222;background:#f6f6f6;line-height:1.6}
header{background:#b71c1c;color:#fff;padding:.6rem 1rem;display:flex;flex-wrap:wrap;gap:.6rem;align-items:center}
header a{color:#fff;text-decoration:none}header .brand{font-weight:bold;font-size:1.1rem;margin-right:auto}
header nav.menu{display:flex;flex-wrap:wrap;gap:.6rem;align-items:center}header .menu-button{display:none}
header form{display:inline;margin:0}header button{background:none;border:1px solid #fff;color:#fff;border-radius:4px;padding:.1rem .6rem;cursor:pointer}
main{max-width:1100px;margin:0 auto;padding:1rem}
section{background:#fff;border-radius:6px;padding:.8rem 1rem;margin-bottom:1rem;box-shadow:0 1px 2px rgba(0,0,0,.08)}
h1{font-size:1.35rem;margin:.2rem 0 .6rem}h2{font-size:1.1rem;margin:.2rem 0 .6rem;border-left:4px solid #b71c1c;padding-left:.5rem}
table{width:100%;border-collapse:collapse;font-size:.95rem}th,td{text-align:left;padding:.35rem .4rem;border-bottom:1px solid #eee;vertical-align:top}
th{background:#fafafa;font-weight:600}.table-wrap{overflow-x:auto}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:0}dl.facts dt{color:#666}dl.facts dd{margin:0}
.crumbs{font-size:.9rem;color:#666;margin-bottom:.5rem}.crumbs a{color:#555}
.tag{display:inline-block;font-size:.8rem;padding:0 .4rem;border-radius:3px;background:#eee;margin-right:.2rem}
.tag.warn{background:#ffe0b2;color:#8a4b00}.tag.bad{background:#ffcdd2;color:#8e0000}.tag.ok{background:#c8e6c9;color:#1b5e20}
.stat{display:inline-block;margin-right:1.5rem}.stat b{font-size:1.3rem;color:#b71c1c}
form.login{max-width:360px;margin:3rem auto;background:#fff;padding:1.5rem;border-radius:6px}
label{display:block;margin:.6rem 0 .2rem}input[type=text],input[type=password],input[type=search],input[type=date],select,textarea{width:100%;padding:.5rem;font-size:1rem;border:1px solid #ccc;border-radius:4px}
button.primary{margin-top:1rem;width:100%;padding:.6rem;background:#b71c1c;color:#fff;border:0;border-radius:4px;font-size:1rem}
.error{color:#b00020;background:#fdecea;padding:.5rem;border-radius:4px}.muted{color:#777}
.pager a{margin-right:.8rem}a.button{display:inline-block;background:#b71c1c;color:#fff;padding:.3rem .8rem;border-radius:4px;text-decoration:none}
.passage{border-top:1px solid #eee;padding:.4rem 0}.passage .codes{margin:.2rem 0}form.inline{display:inline;margin:0 .4rem 0 0}form.inline button{font-size:.8rem;padding:0 .3rem}
blockquote.coded{margin:.4rem 0;padding:.3rem .8rem;border-left:3px solid #b71c1c;background:#fafafa}blockquote.coded p{margin:.2rem 0}mark{background:#fff59d}
ol.hits li{margin:.5rem 0}fieldset{border:1px solid #ddd;border-radius:4px;margin:.6rem 0}
form.meeting td select,form.meeting td input{width:auto;min-width:6rem}form.search{display:flex;gap:.4rem}form.search button{padding:0 1rem}
ul.cards{list-style:none;padding:0;margin:0}ul.cards li{padding:.5rem 0;border-bottom:1px solid #eee}
ul.cards.due li{overflow:hidden}ul.cards.due a.button{float:right;margin-left:.6rem;white-space:nowrap}
.table-wrap table.ranking{min-width:760px}.table-wrap table.wide{min-width:640px}
.field-error{margin:.2rem 0;font-size:.9rem}tr.row-error td{background:#fff8f8}.break-all{word-break:break-all}
@media(max-width:700px){
main{padding:.5rem}th,td{padding:.3rem .2rem;font-size:.9rem}.hide-sm{display:none}
header .menu-button{display:inline-flex;align-items:center;min-height:44px;padding:0 .8rem;border:1px solid #fff;border-radius:4px;cursor:pointer}
header nav.menu{display:none;width:100%;flex-direction:column;align-items:stretch;gap:0}
#menu-toggle:checked~nav.menu{display:flex}
header nav.menu a,header nav.menu button{display:flex;align-items:center;min-height:44px;padding:0 .4rem;border-top:1px solid rgba(255,255,255,.3)}
header nav.menu form{display:block}header nav.menu button{width:100%;border:0;border-top:1px solid rgba(255,255,255,.3);border-radius:0;font-size:1rem}
a.button,button,select,input[type=text],input[type=date],input[type=search],input[type=password]{min-height:44px}
form.meeting table,form.meeting thead,form.meeting tbody,form.meeting tr,form.meeting td{display:block;width:100%}
form.meeting thead{display:none}form.meeting tr{border:1px solid #eee;border-radius:6px;margin:.4rem 0;padding:.3rem .5rem}
form.meeting td{border:0;padding:.15rem 0}form.meeting td select,form.meeting td input{width:100%}
.stat{margin-right:.8rem}dl.facts{grid-template-columns:1fr}dl.facts dt{margin-top:.3rem}
}
"#;

/// The page frame: header with the user's role and logout, then the content.
pub fn layout(title: &str, user: Option<(&User, &str)>, body: Markup) -> Html<String> {
    let page = html! {
        (DOCTYPE)
        html lang="zh-CN" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " - 党建平台" }
                style { (maud::PreEscaped(CSS)) }
            }
            body {
                header {
                    a.brand href="/" { "党建平台" }
                    @if let Some((u, csrf)) = user {
                        // On a phone the links fold under 菜单 (a checkbox, no script).
                        input #menu-toggle type="checkbox" hidden;
                        label.menu-button for="menu-toggle" aria-label="打开菜单" { "菜单" }
                        nav.menu {
                            (menu(u.role))
                            a.user href="/account" { (u.username) "（" (u.role.label()) "）" }
                            form method="post" action="/logout" {
                                input type="hidden" name="csrf" value=(csrf);
                                button type="submit" { "退出" }
                            }
                        }
                    }
                }
                main { (body) }
            }
        }
    };
    Html(page.into_string())
}

/// The header's links for a role: each role's home first.
fn menu(role: domain::user::Role) -> Markup {
    use domain::user::Role;
    let links: &[(&str, &str)] = match role {
        Role::Member => &[("/me", "我的")],
        Role::GroupLeader => &[("/", "我的党小组"), ("/todo", "待办"), ("/search", "查找党员")],
        Role::Secretary => &[("/todo", "待办"), ("/orgs", "组织架构"), ("/compliance", "合规检查"), ("/search", "查找党员"), ("/import", "导入"), ("/surveys", "问卷调查"), ("/research", "调研资料"), ("/report", "调研报告")],
        Role::Admin => &[("/overview", "概览"), ("/orgs", "组织架构"), ("/compliance", "合规检查"), ("/search", "查找党员"), ("/import", "导入"), ("/surveys", "问卷调查"), ("/research", "调研资料"), ("/report", "调研报告")],
    };
    html! { @for (href, label) in links { a href=(href) { (label) } } }
}

pub fn message_page(status: StatusCode, msg: &str) -> Html<String> {
    let title = match status {
        StatusCode::NOT_FOUND => "未找到",
        StatusCode::FORBIDDEN => "无权访问",
        StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY => "输入有误",
        _ => "出错了",
    };
    layout(title, None, html! {
        section {
            h1 { (title) }
            p.error { (msg) }
            p { a href="/" { "返回首页" } }
        }
    })
}

/// Today, on the server's clock (the cut-off of what is due and what is late).
pub(crate) fn today() -> domain::Date {
    chrono::Local::now().date_naive()
}

/// A page in the frame, for a signed-in viewer.
pub(crate) fn page(v: &crate::auth::Viewer, title: &str, body: Markup) -> axum::response::Response {
    use axum::response::IntoResponse;
    layout(title, Some((&v.session.user, &v.session.csrf_token)), body).into_response()
}

/// The fields of a small form as typed, by name.
pub type Fields = std::collections::HashMap<String, String>;

/// A form that was refused: which one, what was typed, why; the page shows it again
/// with the reasons above it and the values kept.
pub struct Refused<'a> {
    pub form: &'a str,
    pub fields: &'a Fields,
    pub errors: &'a [domain::FieldError],
}

/// What was typed in field `k` of form `form`, when that form was refused.
pub fn val(r: Option<&Refused>, form: &str, k: &str) -> String {
    r.filter(|r| r.form == form).and_then(|r| r.fields.get(k).cloned()).unwrap_or_default()
}

/// The reasons form `form` was refused, if it was.
pub fn errors_for(r: Option<&Refused>, form: &str) -> Markup {
    html! {
        @if let Some(r) = r.filter(|r| r.form == form) {
            div.error role="alert" { p { "未保存：" } ul { @for e in r.errors { li { (e.message) } } } }
        }
    }
}

/// The session's CSRF token, as every posted form carries it.
pub fn csrf_field(v: &crate::auth::Viewer) -> Markup {
    html! { input type="hidden" name="csrf" value=(v.session.csrf_token); }
}

/// A typed form input as the fields it came from (to show a refused form again).
pub fn fields_of<T: serde::Serialize>(input: &T) -> Fields {
    serde_urlencoded::to_string(input).ok().and_then(|s| serde_urlencoded::from_str(&s).ok()).unwrap_or_default()
}

/// A script of ours, served with its type and an hour's caching (pages work without it).
pub fn script(js: &'static str) -> axum::response::Response {
    use axum::response::IntoResponse;
    ([(axum::http::header::CONTENT_TYPE, "application/javascript; charset=utf-8"), (axum::http::header::CACHE_CONTROL, "public, max-age=3600")], js).into_response()
}

pub fn opt<T: std::fmt::Display>(v: &Option<T>) -> String {
    v.as_ref().map(|x| x.to_string()).unwrap_or_else(|| "—".to_string())
}

pub use domain::member::mask_phone;
