//! dangjian's web server: Chinese pages rendered on the server, the JSON API under
//! `/api/v1`, sessions and CSRF. Handlers are thin: authenticate, call the store with
//! the caller's scope, render.

mod api;
mod auth;
mod error;
mod jobs;
mod qr;
mod routes;
mod submissions;
mod throttle;
mod view;

pub use auth::group_leader_may;
use axum::http::{header, HeaderValue};
use axum::routing::{get, post};
use routes::*;
use axum::Router;
use domain::rules::Rules;
use std::sync::Arc;
use store::Store;

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    /// The rules in effect (`--rules`), for compliance and the development pipeline.
    pub rules: Arc<Rules>,
    /// The rules file's text, whose entries literature requirements point at.
    pub rules_text: Arc<String>,
    /// Questionnaire submissions, written in group commits.
    pub submissions: submissions::Submissions,
    /// Public questionnaire links resolved, by token.
    pub forms: Arc<std::sync::RwLock<std::collections::HashMap<String, Arc<survey_form::PublicForm>>>>,
    /// Failed logins per account and address.
    pub throttle: Arc<throttle::LoginThrottle>,
    /// Served over https (`--public-url https://…`): cookies `Secure`, HSTS sent.
    pub https: bool,
    /// The address users reach the server at, for links and QR codes handed out.
    pub public_url: Option<Arc<str>>,
    /// Background judgements of large subtrees.
    pub jobs: Arc<jobs::Jobs>,
}

/// How the server is reached, and where it keeps its files.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The address users reach the server at, e.g. https://dangjian.example.gov.cn.
    pub public_url: Option<String>,
    /// The private work folder for uploads and exports in progress (beside the data);
    /// `None`: a folder of this process's own under the system's temporary directory.
    pub work_dir: Option<std::path::PathBuf>,
}

static WORK_DIR: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();

/// The server's private work folder (uploads, exports being written): readable by the
/// server's user only, and not shared with other servers on the host.
pub(crate) fn work_dir() -> std::path::PathBuf {
    WORK_DIR.get_or_init(|| private_dir(std::env::temp_dir().join(format!("dangjian-{}-{}", std::process::id(), &store::random_token()[..12])))).clone()
}

fn private_dir(d: std::path::PathBuf) -> std::path::PathBuf {
    let _ = std::fs::create_dir_all(d.join("uploads"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o700));
    }
    d
}

/// The application's routes.
pub fn router(store: Store, rules: Rules, rules_text: String) -> Router {
    router_with(store, rules, rules_text, &Options::default())
}

/// The routes, served as `options` say.
pub fn router_with(store: Store, rules: Rules, rules_text: String, options: &Options) -> Router {
    routes(state(store, rules, rules_text, options))
}

fn state(store: Store, rules: Rules, rules_text: String, options: &Options) -> AppState {
    let https = options.public_url.as_deref().is_some_and(|u| u.starts_with("https://"));
    if let Some(d) = &options.work_dir {
        let _ = WORK_DIR.set(private_dir(d.clone()));
    }
    AppState { store, rules: Arc::new(rules), rules_text: Arc::new(rules_text), submissions: Default::default(), forms: Default::default(), throttle: Default::default(), https, public_url: options.public_url.as_deref().map(Arc::from), jobs: Default::default() }
}

/// Starts judging this year for each top organisation too large to judge on a page view,
/// so that the department's 概览 and the compliance pages open on a computed run.
async fn warm(st: &AppState) {
    use chrono::Datelike;
    let all = store::Scope::jurisdiction();
    let Ok(tops) = st.store.org_children(&all, None).await else { return };
    let today = view::today();
    for t in tops {
        if let Ok(n) = st.store.subtree_org_count(&all, t.org.id).await {
            if n > jobs::INLINE_ORGS {
                st.jobs.start(st.store.clone(), st.rules.clone(), t.org.id, today.year(), today, n as usize);
            }
        }
    }
}

fn routes(state: AppState) -> Router {
    let https = state.https;
    Router::new()
        .route("/", get(session::home))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/login", get(session::login_form).post(session::login))
        .route("/logout", post(session::logout))
        .route("/me", get(me::me))
        .route("/account", get(account::account_page))
        .route("/account/password", post(account::change_password))
        .route("/account/logout-all", post(account::logout_all))
        .route("/admin/audit", get(admin::audit))
        .route("/admin/users", get(admin::users))
        .route("/admin/users/{id}/password", post(admin::reset_password))
        .route("/admin/users/{id}/disabled", post(admin::set_disabled))
        .route("/orgs", get(orgs::org_roots))
        .route("/orgs/{id}", get(orgs::org_page))
        .route("/members/{id}", get(members::member_page))
        .route("/orgs/{id}/meetings/new", get(meetings::new_meeting))
        .route("/orgs/{id}/meetings", post(meetings::create_meeting))
        .route("/meetings/{id}", get(meetings::meeting_page))
        .route("/orgs/{id}/plans", post(plans::create))
        .route("/plans/{id}", get(plans::plan_page))
        .route("/plans/{id}/{file}", get(plans::qr))
        .route("/checkin/{token}", get(plans::checkin_page).post(plans::check_in))
        .route("/search", get(members::search))
        .route("/compliance", get(compliance::overview))
        .route("/compliance/rule", get(compliance::rule_detail))
        .route("/compliance/refresh", post(compliance::refresh))
        .route("/todo", get(compliance::todo))
        .route("/overview", get(overview::overview))
        .route("/orgs/{id}/development", get(development::list).post(development::create))
        .route("/development/{id}", get(development::record))
        .route("/development/{id}/step", post(development::step))
        .route("/members/{id}/dues", post(members::add_dues))
        .route("/members/{id}/training", post(members::add_training))
        .route("/members/{id}/transfer", post(members::transfer_out))
        .route("/transfers/{id}/receipt", post(members::receipt))
        .route("/orgs/{id}/funding", post(orgs::add_funding))
        .route("/orgs/{id}/workers", post(orgs::add_worker))
        .route("/orgs/{id}/carriers", post(orgs::add_carrier))
        .route("/members/{id}/mobile", post(members::add_mobile))
        .route("/meetings/{id}/grades", post(meetings::grades))
        .route(
            "/import",
            get(exchange::import_form)
                .post(exchange::upload)
                // Read past the upload limit, so that an oversized file gets a page saying so.
                .layer(axum::extract::DefaultBodyLimit::max(exchange::UPLOAD_LIMIT * 4)),
        )
        .route("/import/confirm", post(exchange::confirm))
        .route("/import/report/{token}", get(exchange::error_report))
        .route("/import/template/{kind}", get(exchange::template))
        .route("/orgs/{id}/export/{kind}", get(exchange::export))
        .route("/orgs/{id}/annual", get(exchange::annual))
        .route("/orgs/{id}/completeness", get(exchange::completeness))
        .route("/surveys", get(surveys::home))
        .route("/surveys/builtin.xlsx", get(surveys::builtin_xlsform))
        .route(
            "/surveys/questionnaires",
            post(surveys::upload).layer(axum::extract::DefaultBodyLimit::max(surveys::FORM_LIMIT * 2)),
        )
        .route(
            "/surveys/results",
            post(surveys::upload_results).layer(axum::extract::DefaultBodyLimit::max(exchange::UPLOAD_LIMIT * 2 + 65536)),
        )
        .route("/surveys/questionnaires/{id}/xlsform", get(surveys::xlsform))
        .route("/campaigns/new", get(surveys::new_campaign))
        .route("/campaigns", post(surveys::create_campaign))
        .route("/campaigns/{id}", get(surveys::campaign))
        .route("/campaigns/{id}/rules", post(surveys::set_rules))
        .route("/campaigns/{id}/units/{unit}/issued", post(surveys::set_issued))
        .route("/campaigns/{id}/units/{unit}/{file}", get(surveys::qr))
        .route("/campaigns/{id}/responses", get(surveys::responses))
        .route("/responses/{id}", get(surveys::response_page))
        .route("/responses/{id}/override", post(surveys::override_response))
        .route("/campaigns/{id}/analysis", get(surveys::analysis))
        .route("/campaigns/{id}/export", get(surveys::export))
        .route("/report", get(reports::report_page))
        .route("/report/saved", post(reports::save_choices))
        .route("/report/refresh", post(reports::refresh))
        .route("/report/saved/{id}", get(reports::saved_report))
        .route("/research", get(research::overview))
        .route("/research/search", get(research::search))
        .route("/research/codes", get(research::codes))
        .route("/research/codes/{category}", get(research::category))
        .route("/research/agreement", get(research::agreement))
        .route("/research/exchange", post(research::refi_import).layer(axum::extract::DefaultBodyLimit::max(research::BODY_LIMIT)))
        .route("/research/exchange/{file}", get(research::refi_export))
        .route("/interviews/{id}/review", get(research::review_page).post(research::review_change))
        .route("/research/lexicon", get(research::lexicon).post(research::change_lexicon))
        .route("/interviews", get(research::interview_list).post(research::create_interview).layer(axum::extract::DefaultBodyLimit::max(research::BODY_LIMIT)))
        .route("/interviews/new", get(research::new_interview))
        .route("/interviews/{id}", get(research::interview_page))
        .route("/interviews/{id}/edit", get(research::edit_interview).post(research::update_interview))
        .route("/interviews/{id}/codes", post(research::add_code))
        .route("/interviews/{id}/codes/{coding}", post(research::change_code))
        .route("/{kind}/{id}/attachments", post(research::add_attachments).layer(axum::extract::DefaultBodyLimit::max(research::BODY_LIMIT)))
        .route("/attachments/{id}", get(research::attachment))
        .route("/cases", get(research::case_list).post(research::create_case).layer(axum::extract::DefaultBodyLimit::max(research::BODY_LIMIT)))
        .route("/cases/new", get(research::new_case))
        .route("/cases/{id}", get(research::case_page))
        .route("/documents", get(research::document_list).post(research::create_document).layer(axum::extract::DefaultBodyLimit::max(research::BODY_LIMIT)))
        .route("/documents/new", get(research::new_document))
        .route("/documents/{id}", get(research::document_page))
        .route("/s/{token}", get(survey_form::form_page).post(survey_form::submit))
        .route("/static/survey.js", get(survey_form::script))
        .route("/static/picker.js", get(surveys::picker_script))
        .route("/static/coding.js", get(research::coding_script))
        .route("/api/v1/campaigns", get(api::campaigns))
        .route("/api/v1/interviews", get(api::interviews))
        .route("/api/v1/interviews/{id}", get(api::interview))
        .route("/api/v1/cases", get(api::cases))
        .route("/api/v1/documents", get(api::documents))
        .route("/api/v1/search", get(api::research_search))
        .route("/api/v1/campaigns/{id}/stats", get(api::campaign_stats))
        .route("/api/openapi.json", get(api::openapi))
        .route("/api/v1/session", post(api::login).delete(api::logout))
        .route("/api/v1/me", get(api::me))
        .route("/api/v1/orgs", get(api::orgs).post(api::create_org))
        .route("/api/v1/members/{id}/dues", post(api::create_dues))
        .route("/api/v1/members/{id}/training", post(api::create_training))
        .route("/api/v1/members/{id}/mobile", post(api::create_mobile))
        .route("/api/v1/members/{id}/transfer", post(api::create_transfer))
        .route("/api/v1/orgs/{id}/funding", post(api::create_funding))
        .route("/api/v1/orgs/{id}/workers", post(api::create_worker))
        .route("/api/v1/orgs/{id}/carriers", post(api::create_carrier))
        .route("/api/v1/orgs/{id}", get(api::org))
        .route("/api/v1/orgs/{id}/members", get(api::org_members))
        .route("/api/v1/members", post(api::create_member))
        .route("/api/v1/members/{id}", get(api::member))
        .route("/api/v1/meetings", get(api::meetings).post(api::create_meeting))
        .route("/api/v1/meetings/{id}", get(api::meeting))
        .route("/api/v1/compliance", get(api::compliance))
        .fallback(session::not_found)
        .layer(axum::middleware::from_fn_with_state(state.clone(), auth::group_leader_limits))
        .layer(axum::middleware::map_response(security_headers))
        .layer(axum::middleware::from_fn(chinese_rejections))
        .layer(axum::middleware::from_fn(with_request_id))
        .layer(axum::middleware::map_response(move |mut res: axum::response::Response| async move {
            // Over https, browsers are told to keep to it for a year (HSTS).
            if https {
                res.headers_mut().insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000"));
            }
            res
        }))
        .with_state(state)
}

tokio::task_local! {
    static REQUEST_ID: String;
}

/// The current request's id (请求编号), as the log and the X-Request-Id header give it.
pub(crate) fn request_id() -> String {
    REQUEST_ID.try_with(|id| id.clone()).unwrap_or_else(|_| "-".into())
}

/// Gives every request an id (kept in the log and the X-Request-Id header) and logs each
/// request that failed on the server with its method, path, status and time.
async fn with_request_id(req: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    let id = store::random_token()[..12].to_string();
    let (method, path) = (req.method().clone(), req.uri().path().to_string());
    let started = std::time::Instant::now();
    let mut res = REQUEST_ID.scope(id.clone(), next.run(req)).await;
    let ms = started.elapsed().as_millis();
    if res.status().is_server_error() {
        tracing::error!(request_id = %id, %method, %path, status = res.status().as_u16(), ms, "请求失败");
    } else {
        tracing::debug!(request_id = %id, %method, %path, status = res.status().as_u16(), ms, "请求");
    }
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert("x-request-id", v);
    }
    res
}

/// The process is up (for a service manager's liveness check).
async fn healthz() -> &'static str {
    "ok"
}

/// The server can serve: its database answers.
async fn readyz(axum::extract::State(st): axum::extract::State<AppState>) -> axum::response::Response {
    use axum::response::IntoResponse;
    match st.store.is_empty().await {
        Ok(_) => axum::Json(serde_json::json!({ "ready": true })).into_response(),
        Err(e) => {
            tracing::error!("就绪检查失败：{e}");
            (axum::http::StatusCode::SERVICE_UNAVAILABLE, axum::Json(serde_json::json!({ "ready": false, "error": "数据库无法访问" }))).into_response()
        }
    }
}

/// The framework's own rejections (a body too large, JSON or form that cannot be read, a
/// bad path parameter, a wrong method) come as English plain text; they are answered in
/// Chinese instead, as JSON under /api and as a page elsewhere. Our own errors are HTML or
/// JSON and pass unchanged.
async fn chinese_rejections(req: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    use axum::http::StatusCode;
    use axum::response::IntoResponse;
    let api = req.uri().path().starts_with("/api/");
    let res = next.run(req).await;
    // Plain text, or no body type at all (a 405 comes empty).
    let plain = res.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_none_or(|t| t.starts_with("text/plain"));
    let status = res.status();
    if !(plain && status.is_client_error()) {
        return res;
    }
    let msg = match status {
        StatusCode::PAYLOAD_TOO_LARGE => "提交的内容超过了大小上限：请减小文件或分批提交",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "提交的内容类型不对：表单请用网页提交，接口请用 JSON（Content-Type: application/json）",
        StatusCode::METHOD_NOT_ALLOWED => "这个地址不支持这种请求方式",
        StatusCode::UNPROCESSABLE_ENTITY => "提交的内容无法读取：有字段的类型或格式不对，请检查后重试",
        StatusCode::NOT_FOUND => "页面或记录不存在",
        _ => "请求的格式不正确，无法读取：请检查地址和提交的内容后重试",
    };
    if api {
        (status, axum::Json(serde_json::json!({ "error": msg }))).into_response()
    } else {
        (status, view::message_page(status, msg)).into_response()
    }
}

async fn security_headers(mut res: axum::response::Response) -> axum::response::Response {
    let h = res.headers_mut();
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'self'; style-src 'self' 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'"),
    );
    res
}

/// Serves until Ctrl+C.
pub async fn serve(listener: tokio::net::TcpListener, store: Store, rules: Rules, rules_text: String, options: &Options) -> std::io::Result<()> {
    let st = state(store, rules, rules_text, options);
    warm(&st).await;
    // The peer address reaches the handlers (login throttling per address).
    axum::serve(listener, routes(st).into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(shutdown())
        .await
}

/// Ctrl+C or SIGTERM (what a service manager sends): stop taking requests, finish the
/// ones in flight, then return so the caller closes the database cleanly.
async fn shutdown() {
    #[cfg(unix)]
    {
        let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(s) => s,
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
                return;
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[cfg(test)]
mod tests {
    #[cfg(unix)]
    #[test]
    fn the_work_folder_is_private_to_this_server() {
        use std::os::unix::fs::PermissionsExt;
        let d = super::work_dir();
        assert!(d.join("uploads").is_dir());
        assert_eq!(std::fs::metadata(&d).unwrap().permissions().mode() & 0o077, 0, "no access for group or others");
        assert!(d.file_name().unwrap().to_str().unwrap().contains(&std::process::id().to_string()), "a folder of this process's own");
    }
}
