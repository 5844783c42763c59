//! The web server as users drive it: a real server on a loopback port, a generated
//! county in SQLite, pages and API through HTTP. Proves each role sees exactly its scope.

use domain::user::Role;
use reqwest::{redirect::Policy, Client, StatusCode};
use serde_json::{json, Value};
use store::{Scope, Store};

const PW: &str = "test-password-1";

struct App {
    base: String,
    store: Store,
    /// Branch A (the secretary's), branch B (elsewhere).
    a: i64,
    b: i64,
    a_member: i64,
    b_member: i64,
    a_meeting: i64,
    b_meeting: i64,
    /// A 党小组 with members, outside branch B; its leader is user "grp".
    group: i64,
}

async fn app() -> App {
    testkit::sweep_stale();
    let path = std::env::temp_dir().join(format!("dj_web_{}_{}.db", std::process::id(), rand_suffix()));
    let store = Store::open(&format!("sqlite://{}", path.display())).await.unwrap();
    let as_of = domain::Date::from_ymd_opt(2026, 11, 27).unwrap();
    generator::generate(&store, &generator::Options { scale: generator::Scale::Small, seed: 9, as_of, rules: domain::rules::Rules::default_rules(), climate: generator::Climate::Typical }, &mut |_, _, _| {}).await.unwrap();
    let all = Scope::jurisdiction();
    let branches = store.branches_with_members(&all, None, 8, 500).await.unwrap();
    let a = branches[0].clone();
    let parent_path = &a.path[..a.path[..a.path.len() - 1].rfind('/').unwrap() + 1];
    let b = branches.iter().find(|o| !o.path.starts_with(parent_path)).unwrap().clone();
    let a_member = store.org_members(&all, a.id, 0, 1).await.unwrap().0[0].id;
    let b_member = store.org_members(&all, b.id, 0, 1).await.unwrap().0[0].id;
    let a_meeting = store.meetings(&all, a.id, 2026).await.unwrap()[0].id;
    let b_meeting = store.meetings(&all, b.id, 2026).await.unwrap()[0].id;
    store.create_user("admin", PW, Role::Admin, None, None).await.unwrap();
    store.create_user("sec", PW, Role::Secretary, Some(a.id), None).await.unwrap();
    store.create_user("member", PW, Role::Member, None, Some(a_member)).await.unwrap();
    let mut group = None;
    for br in branches.iter().filter(|o| o.id != b.id) {
        for c in store.org_children(&all, Some(br.id)).await.unwrap() {
            if c.org.level == domain::org::OrgLevel::Group && c.member_count > 1 && group.is_none() {
                group = Some(c.org.id);
            }
        }
    }
    let group = group.expect("a 党小组 with members in the generated county");
    store.create_user("grp", PW, Role::GroupLeader, Some(group), None).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let router = web::router(store.clone(), domain::rules::Rules::default_rules(), domain::rules::DEFAULT_RULES.to_string());
    tokio::spawn(async move { axum_serve(listener, router).await });
    App { base, store, a: a.id, b: b.id, a_member, b_member, a_meeting, b_meeting, group }
}

async fn axum_serve(listener: tokio::net::TcpListener, router: axum::Router) {
    axum::serve(listener, router).await.unwrap();
}

fn rand_suffix() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::SeqCst)
}

fn browser() -> Client {
    Client::builder().cookie_store(true).redirect(Policy::none()).build().unwrap()
}

fn hidden_csrf(html: &str) -> String {
    let i = html.find("name=\"csrf\" value=\"").expect("form has a csrf field") + 19;
    html[i..i + 64].to_string()
}

/// Logs in through the login form, as a browser does.
async fn login_page(app: &App, user: &str) -> Client {
    let c = browser();
    let form = c.get(format!("{}/login", app.base)).send().await.unwrap().text().await.unwrap();
    let csrf = hidden_csrf(&form);
    let r = c.post(format!("{}/login", app.base)).form(&[("username", user), ("password", PW), ("csrf", &csrf)]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "login of {user}");
    c
}

async fn token(app: &App, user: &str) -> String {
    let r = Client::new().post(format!("{}/api/v1/session", app.base)).json(&json!({"username": user, "password": PW})).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    r.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_string()
}

async fn get_status(c: &Client, url: String) -> StatusCode {
    c.get(url).send().await.unwrap().status()
}

async fn api(app: &App, tok: &str, path: &str) -> (StatusCode, Value) {
    let r = Client::new().get(format!("{}{path}", app.base)).bearer_auth(tok).send().await.unwrap();
    let s = r.status();
    (s, r.json().await.unwrap_or(Value::Null))
}

/// No 18-character citizen ID may appear unmasked.
fn assert_no_raw_ids(body: &str) {
    // The session's CSRF token is random hex and may hold 18 digits in a row: not an ID.
    let mut rest = body;
    let mut text = String::with_capacity(body.len());
    const TOKEN: &str = "name=\"csrf\" value=\"";
    while let Some(i) = rest.find(TOKEN) {
        text.push_str(&rest[..i]);
        rest = &rest[i + TOKEN.len()..];
        rest = rest.trim_start_matches(|c: char| c.is_ascii_hexdigit());
    }
    text.push_str(rest);
    let chars: Vec<char> = text.chars().collect();
    for w in chars.windows(18) {
        let digits = w[..17].iter().all(|c| c.is_ascii_digit());
        assert!(!(digits && (w[17].is_ascii_digit() || w[17] == 'X')), "unmasked ID in response: {}", w.iter().collect::<String>());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_show_each_role_exactly_its_scope() {
    let app = app().await;
    let u = |p: String| format!("{}{p}", app.base);
    // Not logged in: every page sends to the login form.
    let anon = browser();
    let r = anon.get(u(format!("/orgs/{}", app.a))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/login");

    let sec = login_page(&app, "sec").await;
    let page = sec.get(u(format!("/orgs/{}", app.a))).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("党员名册") && html.contains("组织生活"));
    assert_no_raw_ids(&html);
    assert_eq!(get_status(&sec, u(format!("/members/{}", app.a_member))).await, StatusCode::OK);
    assert_eq!(get_status(&sec, u(format!("/meetings/{}", app.a_meeting))).await, StatusCode::OK);
    for forbidden in [format!("/orgs/{}", app.b), format!("/members/{}", app.b_member), format!("/meetings/{}", app.b_meeting)] {
        let r = sec.get(u(forbidden.clone())).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{forbidden}");
        assert!(r.text().await.unwrap().contains("不在您的权限范围内"));
    }
    // A secretary's home is the 待办; the tree starts at the own branch.
    let r = sec.get(u("/".into())).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/todo");
    let r = sec.get(u("/orgs".into())).send().await.unwrap();
    assert_eq!(r.headers()["location"], format!("/orgs/{}", app.a).as_str());

    let admin = login_page(&app, "admin").await;
    for allowed in [format!("/orgs/{}", app.b), format!("/members/{}", app.b_member), format!("/meetings/{}", app.b_meeting)] {
        assert_eq!(get_status(&admin, u(allowed.clone())).await, StatusCode::OK, "{allowed}");
    }
    let member_html = admin.get(u(format!("/members/{}", app.b_member))).send().await.unwrap().text().await.unwrap();
    assert!(member_html.contains("**********"), "ID shown masked");
    assert_no_raw_ids(&member_html);

    let member = login_page(&app, "member").await;
    let r = member.get(u("/".into())).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/me", "a member's home is 我的");
    assert_eq!(get_status(&member, u("/me".into())).await, StatusCode::OK);
    assert_eq!(get_status(&member, u(format!("/members/{}", app.a_member))).await, StatusCode::OK);
    assert_eq!(get_status(&member, u(format!("/orgs/{}", app.a))).await, StatusCode::NOT_FOUND);
    // A meeting opens to the members on its roll (attended or missed), showing their own line only.
    let all = Scope::jurisdiction();
    let mine = app.store.member_attendance(&all, app.a_member, 2026).await.unwrap();
    let on_roll = mine.first().expect("the member is on some 2026 meeting's roll").0.id;
    let page = member.get(u(format!("/meetings/{on_roll}"))).send().await.unwrap().text().await.unwrap();
    let linked: Vec<&str> = page.split("href=\"/members/").skip(1).map(|s| &s[..s.find('"').unwrap()]).collect();
    assert_eq!(linked, [app.a_member.to_string()], "only the member's own line");
    let roll: Vec<i64> = app.store.meeting(&all, app.a_meeting).await.unwrap().attendance.iter().map(|a| a.member_id).collect();
    let expect = if roll.contains(&app.a_member) { StatusCode::OK } else { StatusCode::NOT_FOUND };
    assert_eq!(get_status(&member, u(format!("/meetings/{}", app.a_meeting))).await, expect);
    assert_eq!(get_status(&member, u(format!("/meetings/{}", app.b_meeting))).await, StatusCode::NOT_FOUND);
    let other = app.store.org_members(&Scope::jurisdiction(), app.a, 1, 1).await.unwrap().0[0].id;
    assert_eq!(get_status(&member, u(format!("/members/{other}"))).await, StatusCode::NOT_FOUND);
    assert_eq!(get_status(&member, u("/search?q=王".into())).await, StatusCode::FORBIDDEN);

    // Search stays inside the scope.
    let (b_rec, _) = app.store.member(&Scope::jurisdiction(), app.b_member).await.unwrap();
    let found = sec.get(u(format!("/search?q={}", b_rec.name))).send().await.unwrap().text().await.unwrap();
    assert!(!found.contains(&format!("/members/{}\"", app.b_member)));
    let found = admin.get(u(format!("/search?q={}", b_rec.name))).send().await.unwrap().text().await.unwrap();
    assert!(found.contains(&format!("/members/{}\"", app.b_member)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_logout_and_csrf() {
    let app = app().await;
    let c = browser();
    let form = c.get(format!("{}/login", app.base)).send().await.unwrap().text().await.unwrap();
    let csrf = hidden_csrf(&form);
    // A forged token, or none, is refused.
    let r = c.post(format!("{}/login", app.base)).form(&[("username", "sec"), ("password", PW), ("csrf", &"0".repeat(64))]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = browser().post(format!("{}/login", app.base)).form(&[("username", "sec"), ("password", PW), ("csrf", &csrf)]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "token without its cookie");
    // A wrong password says so in Chinese.
    let r = c.post(format!("{}/login", app.base)).form(&[("username", "sec"), ("password", "wrong-password"), ("csrf", &csrf)]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(r.text().await.unwrap().contains("用户名或密码不正确"));
    let r = c.post(format!("{}/login", app.base)).form(&[("username", "sec"), ("password", PW), ("csrf", &csrf)]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
    let page = c.get(format!("{}/orgs/{}", app.base, app.a)).send().await.unwrap().text().await.unwrap();
    let session_csrf = hidden_csrf(&page);
    // Logout without the form's token is refused; with it, the session ends.
    let r = c.post(format!("{}/logout", app.base)).form(&[("csrf", "forged")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = c.post(format!("{}/logout", app.base)).form(&[("csrf", &session_csrf)]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = c.get(format!("{}/orgs/{}", app.base, app.a)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "logged out");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_enforces_scope_and_explains_refusals() {
    let app = app().await;
    let (s, body) = api(&app, "nonsense", "/api/v1/orgs").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert!(body["error"].as_str().unwrap().contains("未登录"));

    let sec = token(&app, "sec").await;
    let (s, tops) = api(&app, &sec, "/api/v1/orgs").await;
    assert_eq!(s, StatusCode::OK);
    let items = tops["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["id"], app.a);
    let (_, org) = api(&app, &sec, &format!("/api/v1/orgs/{}", app.a)).await;
    for k in ["id", "code", "name", "level", "sector", "member_count"] {
        assert!(!org[k].is_null(), "orgs/ID has {k}");
    }
    assert_eq!(org["member_count"], app.store.subtree_member_count(&Scope::jurisdiction(), app.a).await.unwrap());
    let (s, members) = api(&app, &sec, &format!("/api/v1/orgs/{}/members", app.a)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(members["items"].as_array().unwrap().len() >= 8);
    assert_no_raw_ids(&members.to_string());
    let (s, m) = api(&app, &sec, &format!("/api/v1/members/{}", app.a_member)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(m["citizen_id"].as_str().unwrap().contains("**********"));
    // Phones are masked in the API as on the pages.
    if let Some(phone) = m["phone"].as_str() {
        assert!(phone.contains("****"), "{phone}");
    }
    assert!(members["items"].as_array().unwrap().iter().filter_map(|x| x["phone"].as_str()).all(|p| p.contains("****")), "list too");
    let (s, meetings) = api(&app, &sec, &format!("/api/v1/meetings?org={}&year=2026", app.a)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(!meetings["items"].as_array().unwrap().is_empty());
    for p in [
        format!("/api/v1/orgs/{}", app.b),
        format!("/api/v1/orgs?parent={}", app.b),
        format!("/api/v1/orgs/{}/members", app.b),
        format!("/api/v1/members/{}", app.b_member),
        format!("/api/v1/meetings?org={}&year=2026", app.b),
        format!("/api/v1/meetings/{}", app.b_meeting),
    ] {
        let (s, body) = api(&app, &sec, &p).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{p}");
        assert!(body["error"].as_str().unwrap().contains("权限范围"), "{p}: {body}");
    }
    let admin = token(&app, "admin").await;
    let (s, _) = api(&app, &admin, &format!("/api/v1/meetings/{}", app.b_meeting)).await;
    assert_eq!(s, StatusCode::OK);
    let member = token(&app, "member").await;
    let (s, _) = api(&app, &member, &format!("/api/v1/members/{}", app.a_member)).await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = api(&app, &member, &format!("/api/v1/orgs/{}", app.a)).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // Writes: refused input names the field, in Chinese, and writes nothing.
    let post = |tok: String, path: &'static str, body: Value| {
        let base = app.base.clone();
        async move {
            let r = Client::new().post(format!("{base}{path}")).bearer_auth(tok).json(&body).send().await.unwrap();
            let s = r.status();
            (s, r.json::<Value>().await.unwrap())
        }
    };
    let before = app.store.table_counts().await.unwrap();
    let person = json!({"org_id": app.a, "name": "测试", "sex": "女", "ethnicity": "汉族", "birth_date": "1949-12-31",
        "citizen_id": "110105194912310021", "education": "大学本科", "occupation": "离退休人员", "joined_on": "1975-07-01",
        "full_on": "1976-07-01", "status": "正式党员"});
    let (s, e) = post(sec.clone(), "/api/v1/members", person.clone()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["fields"][0]["field"], "citizen_id");
    assert!(e["error"].as_str().unwrap().contains("身份证号"));
    let mut orphan = person.clone();
    orphan["org_id"] = Value::Null;
    orphan["citizen_id"] = json!("11010519491231002X");
    let (_, e) = post(sec.clone(), "/api/v1/members", orphan).await;
    assert_eq!(e["fields"][0]["field"], "org_id");
    let mut elsewhere = person.clone();
    elsewhere["org_id"] = json!(app.b);
    elsewhere["citizen_id"] = json!("11010519491231002X");
    let (s, e) = post(sec.clone(), "/api/v1/members", elsewhere).await;
    assert_eq!((s, e["fields"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("org_id")));
    let (s, e) = post(sec.clone(), "/api/v1/meetings", json!({"org_id": app.b, "kind": "主题党日", "held_on": "2026-11-01", "topic": "越权登记", "form": "志愿服务"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["fields"][0]["field"], "org_id");
    let b_code = app.store.org(&Scope::jurisdiction(), app.b).await.unwrap().code;
    let (s, e) = post(admin.clone(), "/api/v1/orgs", json!({"code": b_code, "name": "重复", "level": "党小组", "sector": "其他", "parent_id": app.a, "region_code": "330122"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["fields"][0]["field"], "code");
    let (s, e) = post(sec.clone(), "/api/v1/members", json!({"name": 1})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let msg = e["error"].as_str().unwrap();
    assert!(msg.contains("类型不对") && !msg.contains("invalid type"), "{msg}");
    let mut after = app.store.table_counts().await.unwrap();
    let mut before = before;
    before.retain(|t| t.0 != "users");
    after.retain(|t| t.0 != "users");
    assert_eq!(before, after);

    // And the valid ones go through.
    let mut ok = person.clone();
    ok["citizen_id"] = json!("11010519491231002X");
    let (s, created) = post(sec.clone(), "/api/v1/members", ok).await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    assert_eq!(created["citizen_id"], "1101**********002X");
    let meeting = json!({"org_id": app.a, "kind": "主题党日", "held_on": "2026-11-01", "topic": "环境整治志愿服务", "form": "志愿服务",
        "attendance": [{"member_id": created["id"], "present": true}]});
    let (s, first) = post(sec.clone(), "/api/v1/meetings", meeting.clone()).await;
    assert_eq!(s, StatusCode::CREATED);
    // The same again: a likely double entry, refused until confirmed (as the form does).
    let (s, e) = post(sec.clone(), "/api/v1/meetings", meeting.clone()).await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    assert!(e["error"].as_str().unwrap().contains("可能是重复登记"));
    assert_eq!(e["duplicate_of"], first["id"]);
    let mut confirmed = meeting;
    confirmed["confirmed"] = json!(true);
    let (s, _) = post(sec.clone(), "/api/v1/meetings", confirmed).await;
    assert_eq!(s, StatusCode::CREATED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openapi_document_lists_the_api() {
    let app = app().await;
    let doc: Value = Client::new().get(format!("{}/api/openapi.json", app.base)).send().await.unwrap().json().await.unwrap();
    assert_eq!(doc["openapi"], "3.0.3");
    for p in ["/api/v1/session", "/api/v1/orgs", "/api/v1/orgs/{id}", "/api/v1/orgs/{id}/members", "/api/v1/members/{id}", "/api/v1/meetings", "/api/v1/compliance", "/api/v1/campaigns", "/api/v1/campaigns/{id}/stats"] {
        assert!(doc["paths"][p].is_object(), "{p}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secretary_records_a_meeting_through_the_form() {
    let app = app().await;
    let sec = login_page(&app, "sec").await;
    let form = sec.get(format!("{}/orgs/{}/meetings/new", app.base, app.a)).send().await.unwrap();
    assert_eq!(form.status(), StatusCode::OK);
    let html = form.text().await.unwrap();
    let csrf = hidden_csrf(&html);
    assert!(html.contains(&format!("att_{}", app.a_member)));
    let (members, _) = app.store.org_members(&Scope::jurisdiction(), app.a, 0, 300).await.unwrap();
    let count = |s: &Store| {
        let s = s.clone();
        async move { s.table_counts().await.unwrap().iter().find(|t| t.0 == "meetings").unwrap().1 }
    };
    let before = count(&app.store).await;

    // Missing topic and an absence without a reason: refused, everything typed comes back.
    let mut fields: Vec<(String, String)> = vec![
        ("csrf".into(), csrf.clone()),
        ("kind".into(), "themed_party_day".into()),
        ("held_on".into(), "2026-11-20".into()),
        ("topic".into(), "".into()),
        ("form".into(), "volunteer".into()),
        ("summary".into(), "组织党员清理河道垃圾".into()),
    ];
    for m in &members {
        fields.push((format!("att_{}", m.id), if m.id == app.a_member { "absent" } else { "present" }.into()));
    }
    let r = sec.post(format!("{}/orgs/{}/meetings", app.base, app.a)).form(&fields).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(page.contains("会议主题不能为空"), "names the field");
    assert!(page.contains("组织党员清理河道垃圾"), "keeps what was typed");
    // Every error at once: the absence too, named and shown at its row.
    let me = &members.iter().find(|m| m.id == app.a_member).unwrap().name;
    assert!(page.contains(&format!("党员“{me}”缺席，请填写缺席原因")), "the absence is named in the same answer");
    assert!(page.contains("共2处需要修改"), "both problems counted");
    let row = &page[page.find("class=\"row-error\"").expect("the row is marked")..];
    assert!(row[..row.find("</tr>").unwrap()].contains(me.as_str()), "at the member's row");
    assert_eq!(count(&app.store).await, before);

    fields[3].1 = "河道清理志愿服务".into();
    let r = sec.post(format!("{}/orgs/{}/meetings", app.base, app.a)).form(&fields).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("请填写缺席原因"));
    fields.push((format!("reason_{}", app.a_member), "因病请假".into()));
    let r = sec.post(format!("{}/orgs/{}/meetings", app.base, app.a)).form(&fields).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let loc = r.headers()["location"].to_str().unwrap().to_string();
    let id: i64 = loc.trim_start_matches("/meetings/").parse().unwrap();
    let d = app.store.meeting(&Scope::jurisdiction(), id).await.unwrap();
    assert_eq!(d.meeting.expected, members.len() as i64);
    assert_eq!(d.meeting.present, members.len() as i64 - 1);
    assert_eq!(count(&app.store).await, before + 1);

    // The same meeting again: a likely double entry, shown before anything is saved.
    let r = sec.post(format!("{}/orgs/{}/meetings", app.base, app.a)).form(&fields).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.unwrap().contains("可能是重复登记"));
    assert_eq!(count(&app.store).await, before + 1);

    // A 支委会: preset to the committee, the rest "不参加"; everyone marked present is a
    // warning the secretary confirms.
    let committee: Vec<i64> = app.store.committee_posts(&Scope::jurisdiction(), app.a).await.unwrap().into_iter().filter(|p| p.end_on.is_none()).filter_map(|p| p.member_id).collect();
    assert!(!committee.is_empty() && committee.len() < members.len(), "the branch has a committee on file");
    let preset = sec.get(format!("{}/orgs/{}/meetings/new?kind=committee_meeting", app.base, app.a)).send().await.unwrap().text().await.unwrap();
    assert_eq!(preset.matches("value=\"none\" selected").count(), members.len() - committee.len(), "only the committee is expected");
    let mut cm: Vec<(String, String)> = vec![("csrf".into(), csrf.clone()), ("kind".into(), "committee_meeting".into()), ("held_on".into(), "2026-11-21".into()), ("topic".into(), "研究发展党员工作".into()), ("form".into(), "discussion".into())];
    for m in &members {
        cm.push((format!("att_{}", m.id), "present".into()));
    }
    let r = sec.post(format!("{}/orgs/{}/meetings", app.base, app.a)).form(&cm).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.unwrap().contains("不是支委会成员"));
    cm.push(("confirmed".into(), "1".into()));
    assert_eq!(sec.post(format!("{}/orgs/{}/meetings", app.base, app.a)).form(&cm).send().await.unwrap().status(), StatusCode::SEE_OTHER);

    // Another branch's form and a forged token are refused.
    assert_eq!(get_status(&sec, format!("{}/orgs/{}/meetings/new", app.base, app.b)).await, StatusCode::NOT_FOUND);
    let r = sec.post(format!("{}/orgs/{}/meetings", app.base, app.b)).form(&fields).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    fields[0].1 = "forged".into();
    let r = sec.post(format!("{}/orgs/{}/meetings", app.base, app.a)).form(&fields).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

/// A secretary announces a meeting; the member sees it on 我的, scans its code on the
/// day and signs in (once); the secretary records the meeting from the sign-ins.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_planned_meeting_with_qr_sign_in_becomes_the_record() {
    let app = app().await;
    let all = Scope::jurisdiction();
    let sec = login_page(&app, "sec").await;
    let todo = sec.get(format!("{}/todo", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(todo.contains("活动预告") && todo.contains("党费与学习"), "the 待办 holds plans, dues and training");
    let csrf = hidden_csrf(&todo);
    let today = chrono::Local::now().date_naive().to_string();
    // A plan in the past is refused at its field, with what was typed kept.
    let r = sec.post(format!("{}/orgs/{}/plans", app.base, app.a)).form(&[("csrf", csrf.as_str()), ("kind", "主题党日"), ("planned_on", "2020-01-01"), ("topic", "学习党章"), ("place", "")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let t = r.text().await.unwrap();
    assert!(t.contains("已经过去") && t.contains("学习党章"));
    let r = sec.post(format!("{}/orgs/{}/plans", app.base, app.a)).form(&[("csrf", csrf.as_str()), ("kind", "主题党日"), ("planned_on", today.as_str()), ("topic", "学习新修订的党章"), ("place", "村党群服务中心")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let plan: i64 = r.headers()["location"].to_str().unwrap().trim_start_matches("/plans/").parse().unwrap();
    let page = sec.get(format!("{}/plans/{plan}", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("扫码签到") && page.contains("未配置公开地址"), "the QR code, and the note that no public address is set");
    let svg = sec.get(format!("{}/plans/{plan}/qr.svg", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("学习新修订的党章") && svg.contains("党员扫码签到"), "captioned");
    let code = app.store.plan_code(&all, plan).await.unwrap();
    assert!(svg.contains(&code) || page.contains(&code), "the code is in the QR's address");

    // The member sees it coming, then signs in on the day.
    let member = login_page(&app, "member").await;
    let me = member.get(format!("{}/me", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(me.contains("学习新修订的党章") && me.contains("村党群服务中心"), "upcoming activity with topic and place");
    assert!(me.contains("学时") && me.contains("党费") && me.contains("民主评议") && me.contains("问卷调查"));
    // Signed out, the code leads to the login and back.
    let r = browser().get(format!("{}/checkin/{code}", app.base)).send().await.unwrap();
    assert_eq!(r.headers()["location"].to_str().unwrap(), format!("/login?next=/checkin/{code}"));
    let form = member.get(format!("{}/checkin/{code}", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(form.contains("我已到会，签到"));
    let mcsrf = hidden_csrf(&form);
    let r = member.post(format!("{}/checkin/{code}", app.base)).form(&[("csrf", mcsrf.as_str())]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("签到成功"));
    let r = member.post(format!("{}/checkin/{code}", app.base)).form(&[("csrf", mcsrf.as_str())]).send().await.unwrap();
    assert!(r.text().await.unwrap().contains("已经签过到"), "a second scan changes nothing");
    assert_eq!(app.store.plan(&all, plan).await.unwrap().checked_in, 1);
    // The secretary cannot sign in for anyone.
    let r = sec.post(format!("{}/checkin/{code}", app.base)).form(&[("csrf", csrf.as_str())]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // Recording from the plan: the signed-in member present, the others absent to confirm.
    let form = sec.get(format!("{}/orgs/{}/meetings/new?plan={plan}", app.base, app.a)).send().await.unwrap().text().await.unwrap();
    assert!(form.contains("学习新修订的党章") && form.contains(&format!("name=\"plan\" value=\"{plan}\"")));
    let (members, _) = app.store.org_members(&all, app.a, 0, 300).await.unwrap();
    let row = |id: i64| {
        let i = form.find(&format!("id=\"att_{id}\"")).unwrap();
        form[i..i + form[i..].find("</select>").unwrap()].to_string()
    };
    assert!(row(app.a_member).contains("value=\"present\" selected"));
    let other = members.iter().find(|m| m.id != app.a_member).unwrap().id;
    assert!(row(other).contains("value=\"absent\" selected"), "not signed in: absent until the secretary says otherwise");
    let mut fields: Vec<(String, String)> = vec![("csrf".into(), csrf.clone()), ("plan".into(), plan.to_string()), ("kind".into(), "themed_party_day".into()), ("held_on".into(), today.clone()), ("topic".into(), "学习新修订的党章".into()), ("form".into(), "study".into())];
    for m in &members {
        fields.push((format!("att_{}", m.id), "present".into()));
    }
    let r = sec.post(format!("{}/orgs/{}/meetings", app.base, app.a)).form(&fields).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let meeting: i64 = r.headers()["location"].to_str().unwrap().trim_start_matches("/meetings/").parse().unwrap();
    assert_eq!(app.store.plan(&all, plan).await.unwrap().meeting_id, Some(meeting), "the plan is recorded");
    // Sign-in is over once the meeting is recorded; the member opens the meeting.
    let r = member.post(format!("{}/checkin/{code}", app.base)).form(&[("csrf", mcsrf.as_str())]).send().await.unwrap();
    assert!(r.text().await.unwrap().contains("签到已结束"));
    assert_eq!(get_status(&member, format!("{}/meetings/{meeting}", app.base)).await, StatusCode::OK);

    // A photo of the meeting: the secretary adds it; the member on the roll opens it, and
    // may not add one.
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    let form = reqwest::multipart::Form::new().text("csrf", csrf.clone()).part("attachments", reqwest::multipart::Part::bytes(png.clone()).file_name("活动照片.png"));
    let r = sec.post(format!("{}/meetings/{meeting}/attachments", app.base)).multipart(form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = member.get(format!("{}/meetings/{meeting}", app.base)).send().await.unwrap().text().await.unwrap();
    let i = page.find("href=\"/attachments/").expect("the photo is listed to the member") + 19;
    let file = &page[i..i + page[i..].find('"').unwrap()];
    let got = member.get(format!("{}/attachments/{file}", app.base)).send().await.unwrap();
    assert_eq!(got.status(), StatusCode::OK);
    assert_eq!(got.bytes().await.unwrap().to_vec(), png);
    assert!(!page.contains("enctype=\"multipart/form-data\""), "no upload form for a member");
    let form = reqwest::multipart::Form::new().text("csrf", mcsrf.clone()).part("attachments", reqwest::multipart::Part::bytes(png).file_name("x.png"));
    let r = member.post(format!("{}/meetings/{meeting}/attachments", app.base)).multipart(form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

/// The department's 概览: parts and sectors ranked by 达标率, the worst branches, and a
/// drill-down that filters by part and pages.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_overview_ranks_parts_and_drills_down_to_the_records() {
    let app = app().await;
    let admin = login_page(&app, "admin").await;
    let r = admin.get(format!("{}/", app.base)).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/overview");
    let mut page = admin.get(format!("{}/overview", app.base)).send().await.unwrap().text().await.unwrap();
    if page.contains("开始计算") {
        // A county is judged in the background: start it, then wait for the page.
        let csrf = hidden_csrf(&page);
        let i = page.find("name=\"org\" value=\"").unwrap() + 19;
        let org = &page[i..i + page[i..].find('"').unwrap()];
        let r = admin.post(format!("{}/compliance/refresh", app.base)).form(&[("csrf", csrf.as_str()), ("org", org), ("year", &chrono::Datelike::year(&chrono::Local::now()).to_string()), ("back", "/overview")]).send().await.unwrap();
        assert_eq!(r.headers()["location"], "/overview");
        for _ in 0..120 {
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
            page = admin.get(format!("{}/overview", app.base)).send().await.unwrap().text().await.unwrap();
            if page.contains("按领域") {
                break;
            }
        }
    }
    assert!(page.contains("按下级党组织") && page.contains("按领域") && page.contains("最需关注的党支部"), "{}", &page[..page.len().min(3000)]);
    // The ranking: rates ascending.
    let part = &page[page.find("id=\"by-part\"").unwrap()..page.find("id=\"by-sector\"").unwrap()];
    let rates: Vec<f64> = part.split("<td><b>").skip(1).map(|s| s[..s.find('%').unwrap()].parse().unwrap()).collect();
    assert!(rates.len() > 1 && rates.windows(2).all(|w| w[0] <= w[1]), "{rates:?}");
    // A cell's link filters the drill-down to that part; its count is what the cell says.
    let i = part.find("/compliance/rule?").expect("a failing cell links to its records");
    let link = part[i..i + part[i..].find('"').unwrap()].replace("&amp;", "&");
    let failing: usize = part[i..].split("span class=\"muted\">").nth(1).unwrap().split("个未达标").next().unwrap().parse().unwrap();
    let drill = admin.get(format!("{}{link}", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(drill.contains(&format!("符合条件的 <b>{failing}</b> 个")), "{link}");
    let xlsx = admin.get(format!("{}{link}&format=xlsx", app.base)).send().await.unwrap();
    assert_eq!(xlsx.status(), StatusCode::OK);
    let book = admin.get(format!("{}/overview?format=xlsx", app.base)).send().await.unwrap();
    assert_eq!(book.status(), StatusCode::OK);
    assert!(book.bytes().await.unwrap().starts_with(b"PK"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compliance_todo_and_the_development_pipeline() {
    let app = app().await;
    let u = |p: String| format!("{}{p}", app.base);
    let sec = login_page(&app, "sec").await;
    // The secretary's 待办 and overview are of the own branch; another organisation is not found.
    let todo = sec.get(u("/todo".into())).send().await.unwrap().text().await.unwrap();
    assert!(todo.contains("待办：") && todo.contains("本期应开展"), "{todo}");
    let overview = sec.get(u("/compliance?year=2025".into())).send().await.unwrap().text().await.unwrap();
    assert!(overview.contains("支部党员大会按期召开") && overview.contains("《中国共产党支部工作条例（试行）》"));
    assert_eq!(get_status(&sec, u(format!("/compliance?org={}", app.b))).await, StatusCode::NOT_FOUND);
    assert_eq!(get_status(&sec, u(format!("/todo?org={}", app.b))).await, StatusCode::NOT_FOUND);
    // The whole county is judged by a background job: a GET never starts it, a POST does
    // (with the form's CSRF token), and the page then shows progress, then the figures.
    let admin = login_page(&app, "admin").await;
    let rule_url = u("/compliance/rule?year=2025&rule=meetings.themed_party_day".into());
    let first = admin.get(rule_url.clone()).send().await.unwrap().text().await.unwrap();
    assert!(first.contains("开始计算") && !first.contains("未达标 "), "a large subtree waits for a job: {first}");
    assert!(admin.get(rule_url.clone()).send().await.unwrap().text().await.unwrap().contains("开始计算"), "a GET starts nothing");
    let root = app.store.org_children(&Scope::jurisdiction(), None).await.unwrap()[0].org.id;
    let r = admin.post(u("/compliance/refresh".into())).form(&[("org", root.to_string()), ("year", "2025".into()), ("back", "/compliance/rule?year=2025&rule=meetings.themed_party_day".into())]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "no CSRF token, no job");
    let csrf = hidden_csrf(&first);
    let r = admin.post(u("/compliance/refresh".into())).form(&[("csrf", csrf), ("org", root.to_string()), ("year", "2025".into()), ("back", "/compliance/rule?year=2025&rule=meetings.themed_party_day".into())]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let mut rule = String::new();
    for _ in 0..600 {
        rule = admin.get(rule_url.clone()).send().await.unwrap().text().await.unwrap();
        if rule.contains("计算于") {
            break;
        }
        assert!(rule.contains("正在计算") || rule.contains("开始计算"), "{rule}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(rule.contains("未达标") && rule.contains("年") && rule.contains("月"), "evidence names the months");
    let member = login_page(&app, "member").await;
    assert_eq!(get_status(&member, u("/compliance".into())).await, StatusCode::FORBIDDEN);
    // The same through the API, scoped the same way.
    let tok = token(&app, "sec").await;
    let (status, body) = api(&app, &tok, "/api/v1/compliance?year=2025&failing=true").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["rules"].as_array().unwrap().len(), domain::compliance::rule_catalogue(&domain::rules::Rules::default_rules()).len());
    assert!(body["rules"].as_array().unwrap().iter().all(|r| r["failing"].is_array() && r["citation"].as_str().is_some_and(|c| !c.is_empty())));
    assert_eq!(api(&app, &tok, &format!("/api/v1/compliance?org={}", app.b)).await.0, StatusCode::NOT_FOUND);

    // A new applicant, then a step that breaks a rule: refused with the rule, the citation
    // and everything typed kept; then the right date goes through.
    let form = sec.get(u(format!("/orgs/{}/development", app.a))).send().await.unwrap().text().await.unwrap();
    let csrf = hidden_csrf(&form);
    let cid = domain::CitizenId::compose("330122", domain::Date::from_ymd_opt(1999, 4, 2).unwrap(), 123).reveal().to_string();
    let r = sec
        .post(u(format!("/orgs/{}/development", app.a)))
        .form(&[("csrf", csrf.as_str()), ("name", "陈立新"), ("sex", "男"), ("ethnicity", "汉族"), ("birth_date", "1999-04-02"), ("citizen_id", &cid), ("education", "大学本科"), ("occupation", "工人"), ("phone", ""), ("applied_on", "2024-01-05")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let record = r.headers()["location"].to_str().unwrap().to_string();
    let step = |fields: &[(&str, &str)]| {
        let mut f = fields.to_vec();
        f.push(("csrf", csrf.as_str()));
        // The form is serialized here; the future owns its request.
        sec.post(u(format!("{record}/step"))).form(&f).send()
    };
    // 培养联系人 are chosen from the branch's full members; a name from elsewhere is refused.
    let full = app.store.full_member_names(app.a).await.unwrap();
    let page = sec.get(u(record.clone())).send().await.unwrap().text().await.unwrap();
    assert!(page.contains(&format!("<option value=\"{}\">", full[0])), "the branch's full members are offered");
    let r = step(&[("talked_on", "2024-01-20"), ("on", "2024-03-01"), ("contact1", "不在册的人")]).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("应为本支部的正式党员"));
    assert_eq!(step(&[("talked_on", "2024-01-20"), ("on", "2024-03-01"), ("contact1", full[0].as_str())]).await.unwrap().status(), StatusCode::SEE_OTHER);
    let r = step(&[("on", "2025-02-28")]).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("development.activist_min_days") && html.contains("发展党员工作细则") && html.contains("不足365天"), "{html}");
    assert!(html.contains("value=\"2025-02-28\""), "the typed date is kept");
    assert_eq!(step(&[("on", "2025-03-01")]).await.unwrap().status(), StatusCode::SEE_OTHER);
    let page = sec.get(u(record.clone())).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("发展对象") && page.contains("确定为发展对象"));
    // A candidate since 2025-03 with no step since: stalled, in the 待办.
    let todo = sec.get(u("/todo".into())).send().await.unwrap().text().await.unwrap();
    assert!(todo.contains("陈立新") && todo.contains("没有进展"), "a stalled candidate is flagged");

    // Dues are computed by the rules' brackets from the base typed.
    let member_page = sec.get(u(format!("/members/{}", app.a_member))).send().await.unwrap().text().await.unwrap();
    let csrf = hidden_csrf(&member_page);
    let r = sec
        .post(u(format!("/members/{}/dues", app.a_member)))
        .form(&[("csrf", csrf.as_str()), ("from_month", "2020-01"), ("to_month", "2019-12"), ("base", "3000"), ("paid_on", "2020-01-05")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("早于起始月份"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn organisation_and_member_records_through_their_forms() {
    let app = app().await;
    let u = |p: String| format!("{}{p}", app.base);
    let sec = login_page(&app, "sec").await;
    let page = sec.get(u(format!("/orgs/{}", app.a))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("党建工作经费") && page.contains("党务工作者") && page.contains("工作载体"));
    let csrf = hidden_csrf(&page);
    // A bad amount: the page comes back with the reason and the purpose typed.
    let r = sec.post(u(format!("/orgs/{}/funding", app.a))).form(&[("csrf", csrf.as_str()), ("year", "2026"), ("source", "budget"), ("amount", "一万"), ("purpose", "阵地维修")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("金额“一万”不是数字") && html.contains("value=\"阵地维修\""), "{html}");
    let r = sec.post(u(format!("/orgs/{}/funding", app.a))).form(&[("csrf", csrf.as_str()), ("year", "2026"), ("source", "budget"), ("amount", "12000"), ("purpose", "阵地维修")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = sec.post(u(format!("/orgs/{}/workers", app.a))).form(&[("csrf", csrf.as_str()), ("name", "周敏"), ("kind", "part_time"), ("appointed_on", "2026-03-01")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = sec.post(u(format!("/orgs/{}/carriers", app.a))).form(&[("csrf", csrf.as_str()), ("kind", "model_post"), ("name", "便民服务示范岗"), ("established_on", "2026-05-01")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = sec.get(u(format!("/orgs/{}", app.a))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("12000") && page.contains("周敏") && page.contains("便民服务示范岗"));
    // Outside the subtree: nothing recorded.
    let r = sec.post(u(format!("/orgs/{}/funding", app.b))).form(&[("csrf", csrf.as_str()), ("year", "2026"), ("source", "budget"), ("amount", "1"), ("purpose", "x")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    // A member goes away: recorded and marked 流动党员; training hours add up.
    let r = sec.post(u(format!("/members/{}/mobile", app.a_member))).form(&[("csrf", csrf.as_str()), ("place", "广东省深圳市南山区"), ("certificate_no", "LD2026-001"), ("since", "2026-02-01")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = sec.post(u(format!("/members/{}/training", app.a_member))).form(&[("csrf", csrf.as_str()), ("taken_on", "2026-06-01"), ("hours", "100"), ("channel", "classroom"), ("topic", "党章学习")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "100 hours at once is refused");
    let page = sec.get(u(format!("/members/{}", app.a_member))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("广东省深圳市南山区") && page.contains("流动党员"));
}

fn upload(csrf: &str, kind: &str, name: &str, bytes: Vec<u8>) -> reqwest::multipart::Form {
    reqwest::multipart::Form::new()
        .text("csrf", csrf.to_string())
        .text("kind", kind.to_string())
        .part("file", reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spreadsheets_upload_preview_report_and_export_within_scope() {
    let app = app().await;
    let sec = login_page(&app, "sec").await;
    let form = sec.get(format!("{}/import", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(form.contains("导入模板"));
    let csrf = hidden_csrf(&form);
    // The branch's own roster, exported through the page, previews as unchanged, then imports as unchanged.
    let r = sec.get(format!("{}/orgs/{}/export/members", app.base, app.a)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-disposition"].to_str().unwrap().contains("filename*=UTF-8''"));
    let roster = r.bytes().await.unwrap().to_vec();
    assert!(roster.starts_with(b"PK"));
    let count = app.store.org_members(&Scope::jurisdiction(), app.a, 0, 500).await.unwrap().1;
    let before = app.store.content_digest().await.unwrap();
    let page = sec.post(format!("{}/import", app.base)).multipart(upload(&csrf, "members", "花名册.xlsx", roster.clone())).send().await.unwrap();
    let status = page.status();
    let page_text = page.text().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{}", &page_text[page_text.find("<main").unwrap_or(0)..].chars().take(1500).collect::<String>());
    let html = page_text;
    assert!(html.contains("“花名册.xlsx”"), "{html}");
    assert!(html.contains(&format!("与系统中一致 <b>{count}</b>")), "{html}");
    let token_at = html.find("name=\"token\" value=\"").unwrap() + 20;
    let token = &html[token_at..token_at + 64];
    let done = sec.post(format!("{}/import/confirm", app.base)).form(&[("csrf", csrf.as_str()), ("token", token), ("kind", "members")]).send().await.unwrap();
    assert_eq!(done.status(), StatusCode::OK);
    assert!(done.text().await.unwrap().contains("导入完成"));
    assert_eq!(before, app.store.content_digest().await.unwrap());
    // The secretary's roster came masked (IDs and phones), and still re-imported: each
    // masked ID was matched to the one member in scope with that name and mask.
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(roster.clone())).unwrap();
    let mut strings = String::new();
    std::io::Read::read_to_string(&mut z.by_name("xl/worksheets/sheet1.xml").unwrap(), &mut strings).unwrap();
    assert!(strings.contains("**********") && !strings.contains(app.store.member(&Scope::jurisdiction(), app.a_member).await.unwrap().0.citizen_id.reveal()), "masked IDs");
    // Full numbers only for a jurisdiction administrator who states why.
    assert_eq!(get_status(&sec, format!("{}/orgs/{}/export/members?full=1&purpose=上级报送", app.base, app.a)).await, StatusCode::FORBIDDEN);
    let admin_full = login_page(&app, "admin").await;
    assert_eq!(get_status(&admin_full, format!("{}/orgs/{}/export/members?full=1", app.base, app.a)).await, StatusCode::UNPROCESSABLE_ENTITY);
    let full = admin_full.get(format!("{}/orgs/{}/export/members?full=1&purpose=向上级报送党员信息", app.base, app.a)).send().await.unwrap();
    assert_eq!(full.status(), StatusCode::OK);
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(full.bytes().await.unwrap().to_vec())).unwrap();
    let mut strings = String::new();
    std::io::Read::read_to_string(&mut z.by_name("xl/worksheets/sheet1.xml").unwrap(), &mut strings).unwrap();
    assert!(strings.contains(app.store.member(&Scope::jurisdiction(), app.a_member).await.unwrap().0.citizen_id.reveal()), "full IDs for the stated purpose");
    // Both the exports and the import are in the exchange log.
    let log = sec.get(format!("{}/import", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(log.contains("exchange-log") && log.contains("花名册.xlsx") && log.contains("_党员花名册.xlsx"), "{log}");
    // Branch B's roster is outside the secretary's scope: refused row by row, with a report.
    let admin = login_page(&app, "admin").await;
    let other = admin.get(format!("{}/orgs/{}/export/members", app.base, app.b)).send().await.unwrap().bytes().await.unwrap().to_vec();
    let page = sec.post(format!("{}/import", app.base)).multipart(upload(&csrf, "members", "b.xlsx", other)).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = page.text().await.unwrap();
    assert!(html.contains("未导入任何数据") && html.contains("找不到党组织"), "{html}");
    let at = html.find("/import/report/").unwrap() + 15;
    let report_token = &html[at..at + 64];
    let report = sec.get(format!("{}/import/report/{report_token}", app.base)).send().await.unwrap();
    assert_eq!(report.status(), StatusCode::OK);
    assert!(report.bytes().await.unwrap().starts_with(b"PK"));
    // Another user cannot fetch that report.
    assert_eq!(get_status(&admin, format!("{}/import/report/{report_token}", app.base)).await, StatusCode::NOT_FOUND);
    // A Word file and an oversized file get their reasons; nothing was written.
    let page = sec.post(format!("{}/import", app.base)).multipart(upload(&csrf, "members", "x.xlsx", std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../sheets/tests/bad/word_renamed.xlsx")).unwrap())).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = page.text().await.unwrap();
    assert!(html.contains("这是一个Word文档") && html.contains("x.xlsx") && !html.contains("uploads/") && !html.contains("/tmp"), "{html}");
    let page = sec.post(format!("{}/import", app.base)).multipart(upload(&csrf, "members", "big.xlsx", vec![b'a'; 50 * 1024 * 1024])).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(page.text().await.unwrap().contains("超过网页上传上限20 MB"));
    // A forged form is refused.
    let page = sec.post(format!("{}/import", app.base)).multipart(upload("x", "members", "a.xlsx", roster)).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::FORBIDDEN);
    assert_eq!(before, app.store.content_digest().await.unwrap());
    // Exports, templates and the annual tables stay within scope; members get none.
    assert_eq!(get_status(&sec, format!("{}/orgs/{}/export/members", app.base, app.b)).await, StatusCode::NOT_FOUND);
    let csv = sec.get(format!("{}/orgs/{}/export/meetings?format=csv", app.base, app.a)).send().await.unwrap().bytes().await.unwrap();
    assert!(csv.starts_with(b"\xEF\xBB\xBF\xE6\x89\x80\xE5\x9C\xA8")); // BOM + 所在…
    let t = sec.get(format!("{}/import/template/dues", app.base)).send().await.unwrap();
    assert_eq!(t.status(), StatusCode::OK);
    let annual = sec.get(format!("{}/orgs/{}/annual?year=2025", app.base, app.a)).send().await.unwrap();
    assert_eq!(annual.status(), StatusCode::OK);
    assert!(annual.bytes().await.unwrap().starts_with(b"PK"));
    assert_eq!(get_status(&sec, format!("{}/orgs/{}/annual?year=2025", app.base, app.b)).await, StatusCode::NOT_FOUND);
    let member = login_page(&app, "member").await;
    assert_eq!(get_status(&member, format!("{}/import", app.base)).await, StatusCode::FORBIDDEN);
    assert_eq!(get_status(&member, format!("{}/orgs/{}/export/members", app.base, app.a)).await, StatusCode::FORBIDDEN);
}

/// A filled-in built-in questionnaire as form fields.
fn answers(submission: &str, started: &str) -> Vec<(String, String)> {
    let mut v: Vec<(&str, &str)> = vec![
        ("_submission", submission), ("_started", started),
        ("role", "member"), ("sex", "female"), ("age_band", "a2"), ("education", "e4"), ("party_years", "12"),
        ("has_fulltime_staff", "no"), ("funding_sources", "budget"), ("lessons_frequency", "quarterly"),
        ("meeting_forms", "discussion"), ("life_count", "14"), ("attention_check", "4"), ("has_mobile", "no"), ("top_problems", "funding"),
    ];
    for q in ["lead_attention", "lead_accountability", "integration", "committee_strength", "successor", "venue", "funding_enough", "staff_capacity", "meetings_quality", "themed_day", "education_effect", "transfer_timely", "archives_tidy", "development_quality", "carriers", "online_use", "new_fields", "methods_new"] {
        v.push((q, if q.len() % 2 == 0 { "4" } else { "3" }));
    }
    v.into_iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
}

fn field(html: &str, name: &str) -> String {
    let i = html.find(&format!("name=\"{name}\" value=\"")).unwrap_or_else(|| panic!("{name} in form")) + name.len() + 15;
    html[i..i + html[i..].find('"').unwrap()].to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn questionnaire_links_submissions_counts_and_exports() {
    let app = app().await;
    let all = Scope::jurisdiction();
    // The generated campaign runs 30 days either side of the date given: today, so it is open.
    let (id, _) = generator::survey::campaign(&app.store, &domain::rules::Rules::default_rules(), 9, chrono::Local::now().date_naive(), 1).await.unwrap();
    let before = survey::campaign::stats(&app.store, &all, id).await.unwrap();
    let units = app.store.campaign_units(&all, id).await.unwrap();
    let unit = &units[0];
    let anon = browser();
    let form = anon.get(format!("{}/s/{}", app.base, unit.token)).send().await.unwrap();
    assert_eq!(form.status(), StatusCode::OK);
    let html = form.text().await.unwrap();
    assert!(html.contains("本单位主要负责人重视党建工作") && html.contains(&unit.org_name));
    let sub = field(&html, "_submission");
    let started = field(&html, "_started");
    // Wrong answers: every problem named, nothing stored.
    let mut bad = answers(&sub, &started);
    bad.retain(|(k, _)| k != "party_years" && k != "sex");
    bad.push(("party_years".into(), "95".into()));
    bad.push(("sex".into(), "unknown".into()));
    bad.push(("suggestion".into(), "长".repeat(5001)));
    let r = anon.post(format!("{}/s/{}", app.base, unit.token)).form(&bad).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let t = r.text().await.unwrap();
    assert!(t.contains("党龄应在 0 到 80 年之间") && t.contains("不是本题的选项") && t.contains("内容过长"), "{t}");
    assert!(t.contains("value=\"12\"") || t.contains("value=\"95\""), "what was typed is kept on the page");
    assert_eq!(survey::campaign::stats(&app.store, &all, id).await.unwrap().returned, before.returned);
    // A good submission, then its replay: one response. Its open answer starts like a
    // formula, as an attacker would type it.
    let mut good = answers(&sub, &started);
    good.retain(|(k, _)| k != "suggestion");
    good.push(("suggestion".into(), "=HYPERLINK(\"http://evil.example\",\"点此\")".into()));
    let r = anon.post(format!("{}/s/{}", app.base, unit.token)).form(&good).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("提交成功"));
    let r = anon.post(format!("{}/s/{}", app.base, unit.token)).form(&good).send().await.unwrap();
    assert!(r.text().await.unwrap().contains("此问卷已经提交过"));
    let after = survey::campaign::stats(&app.store, &all, id).await.unwrap();
    assert_eq!(after.returned, before.returned + 1);
    assert_eq!(after.units[0].returned, before.units[0].returned + 1);
    // A forged unit code; paper entry without a login.
    assert_eq!(anon.get(format!("{}/s/forged0000000000", app.base)).send().await.unwrap().status(), StatusCode::NOT_FOUND);
    assert_eq!(anon.get(format!("{}/s/{}?paper=1", app.base, unit.token)).send().await.unwrap().status(), StatusCode::FORBIDDEN);
    // Staff enter a paper questionnaire with gaps: recorded, counted returned, not valid.
    let admin = login_page(&app, "admin").await;
    let paper = admin.get(format!("{}/s/{}?paper=1", app.base, unit.token)).send().await.unwrap().text().await.unwrap();
    assert!(paper.contains("纸质问卷录入模式"));
    let mut p: Vec<(String, String)> = answers(&field(&paper, "_submission"), &field(&paper, "_started")).into_iter().filter(|(k, _)| k != "education").collect();
    p.push(("_csrf".into(), field(&paper, "_csrf")));
    let r = admin.post(format!("{}/s/{}", app.base, unit.token)).form(&p).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let after2 = survey::campaign::stats(&app.store, &all, id).await.unwrap();
    assert_eq!((after2.returned, after2.paper), (after.returned + 1, after.paper + 1));
    assert_eq!(after2.valid, after.valid, "an incomplete paper questionnaire is not valid");

    // An open answer is searchable beside interviews and cases, within the unit's scope.
    let html = anon.get(format!("{}/s/{}", app.base, unit.token)).send().await.unwrap().text().await.unwrap();
    let mut third = answers(&field(&html, "_submission"), &field(&html, "_started"));
    third.retain(|(k, _)| k != "suggestion");
    third.push(("suggestion".into(), "希望在村里建一个党员书屋，方便老党员学习".into()));
    assert!(anon.post(format!("{}/s/{}", app.base, unit.token)).form(&third).send().await.unwrap().text().await.unwrap().contains("提交成功"));
    let found = admin.get(format!("{}/research/search?q=党员书屋", app.base)).send().await.unwrap().text().await.unwrap();
    let i = found.find("href=\"/responses/").expect("the answer is found") + 6;
    let link = &found[i..i + found[i..].find('"').unwrap()];
    assert!(found.contains("问卷答案"));
    let shown = admin.get(format!("{}{link}", app.base)).send().await.unwrap();
    assert_eq!(shown.status(), StatusCode::OK);
    assert!(shown.text().await.unwrap().contains("党员书屋"), "the response opens with the answer");
    // Whatever a secretary finds, opens.
    let sec = login_page(&app, "sec").await;
    let theirs = sec.get(format!("{}/research/search?q=党员书屋", app.base)).send().await.unwrap().text().await.unwrap();
    for l in theirs.split("href=\"/responses/").skip(1).map(|s| &s[..s.find('"').unwrap()]) {
        assert_eq!(sec.get(format!("{}/responses/{l}", app.base)).send().await.unwrap().status(), StatusCode::OK);
    }
    let in_scope = app.store.org(&app.store.scope_for(&app.store.authenticate("sec", PW).await.unwrap().unwrap()).await.unwrap(), unit.org_id).await.is_ok();
    assert_eq!(theirs.contains("/responses/"), in_scope, "found by the secretary only when the unit is theirs");
    assert_eq!(get_status(&sec, format!("{}{link}", app.base)).await == StatusCode::OK, in_scope);
    let after2 = survey::campaign::stats(&app.store, &all, id).await.unwrap();


    // Staff pages: counts under the unit's sector, links, QR codes, analysis, exports.
    let page = admin.get(format!("{}/campaigns/{id}", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains(&after2.sentence) && page.contains(&format!("/s/{}", unit.token)));
    // Changing the rules changes the counts at once: without the speeder rule, responses
    // whose only flaw was speed become valid.
    let l = survey::campaign::load(&app.store, &all, id).await.unwrap();
    let mut only_speed = 0i64;
    l.judge_each(&app.store, &all, |_, _, v| {
        only_speed += (v.flaws == [survey::validity::Flaw::Speeder] && !v.overridden) as i64;
        Ok(())
    })
    .await
    .unwrap();
    assert!(only_speed > 0);
    let off = [("csrf", hidden_csrf(&page)), ("complete", "1".into()), ("speeder_fraction", "0".into()), ("speeder_min_seconds", "0".into()), ("straightline_block", "5".into()), ("duplicate_device", "1".into()), ("attention_enabled", "1".into())];
    let r = admin.post(format!("{}/campaigns/{id}/rules", app.base)).form(&off).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let relaxed = survey::campaign::stats(&app.store, &all, id).await.unwrap();
    assert_eq!(relaxed.valid, after2.valid + only_speed);
    assert!(!relaxed.flaws.contains_key("答题过快"));
    let bad_rules = [("csrf", hidden_csrf(&page)), ("speeder_fraction", "2".into()), ("speeder_min_seconds", "0".into()), ("straightline_block", "5".into())];
    assert_eq!(admin.post(format!("{}/campaigns/{id}/rules", app.base)).form(&bad_rules).send().await.unwrap().status(), StatusCode::UNPROCESSABLE_ENTITY);
    let svg = admin.get(format!("{}/campaigns/{id}/units/{}/qr.svg", app.base, unit.id)).send().await.unwrap().text().await.unwrap();
    assert!(svg.contains("<svg"));
    let png = admin.get(format!("{}/campaigns/{id}/units/{}/qr.png", app.base, unit.id)).send().await.unwrap().bytes().await.unwrap();
    assert!(png.starts_with(b"\x89PNG"));
    let an = admin.get(format!("{}/campaigns/{id}/analysis?q=meetings_quality&by=role", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(an.contains("χ²") && an.contains("<svg") && an.contains("开放题关键词"), "analysis page");
    let sav = admin.get(format!("{}/campaigns/{id}/export?format=sav", app.base)).send().await.unwrap().bytes().await.unwrap();
    assert!(sav.starts_with(b"$FL2"));
    // The formula-like answer leaves in the CSV export as text, never as a live formula.
    let csv = admin.get(format!("{}/campaigns/{id}/export?format=csv", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(csv.contains("'=HYPERLINK"), "neutralised in the CSV export");
    assert!(!csv.split([',', '\n']).any(|cell| cell.trim_matches('"').starts_with("=HYPERLINK")), "no cell starts with =");
    // A questionnaire upload: a malformed XLSForm is refused with its places, a good one stored.
    let home = admin.get(format!("{}/surveys", app.base)).send().await.unwrap().text().await.unwrap();
    let csrf = hidden_csrf(&home);
    let bad = "| survey |\n| | type | name | label |\n| | image | photo | 照片 |\n";
    let part = reqwest::multipart::Part::bytes(bad.as_bytes().to_vec()).file_name("坏问卷.xlsx");
    let r = admin.post(format!("{}/surveys/questionnaires", app.base)).multipart(reqwest::multipart::Form::new().text("csrf", csrf.clone()).part("file", part)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let t = r.text().await.unwrap();
    assert!(t.contains("survey 工作表第 2 行") && t.contains("不支持题型 “image”"), "{t}");
    let good = survey::xlsform::write(&survey::builtin::questionnaire()).unwrap();
    let part = reqwest::multipart::Part::bytes(good).file_name("问卷.xlsx");
    let r = admin.post(format!("{}/surveys/questionnaires", app.base)).multipart(reqwest::multipart::Form::new().text("csrf", csrf.clone()).part("file", part)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("已保存为问卷"));
    // 问卷星 results uploaded from the page become a campaign; a bad row is refused by place.
    let wjx = "序号,提交答卷时间,所用时间,来源,来源详情,来自IP,1、您的身份,2、您参加过哪些组织生活？,3、您对加强基层党建工作的意见和建议\n\
               1,2026/11/3 9:21:33,312秒,微信,N/A,1.2.3.4(浙江),普通党员,三会一课┋主题党日,希望多组织主题党日活动\n\
               2,2026/11/3 9:40:02,280秒,微信,N/A,1.2.3.5(浙江),党务工作者,三会一课┋其他〖志愿服务〗,(空)\n\
               3,2026/11/3 10:02:12,301秒,手机提交,N/A,1.2.3.6(浙江),普通党员,主题党日,党员教育形式还可以更灵活\n";
    let upload = |body: String, csrf: String| reqwest::multipart::Form::new().text("csrf", csrf).text("title", "问卷星导入测试").part("file", reqwest::multipart::Part::bytes(body.into_bytes()).file_name("问卷星答卷.csv"));
    let r = admin.post(format!("{}/surveys/results", app.base)).multipart(upload(wjx.to_string(), csrf.clone())).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let t = r.text().await.unwrap();
    assert!(t.contains("问卷星按文本文件，3份答卷") && t.contains("导入答卷 <b>3</b> 份"), "{t}");
    let broken = wjx.replace("2026/11/3 9:40:02", "下午");
    let r = admin.post(format!("{}/surveys/results", app.base)).multipart(upload(broken, csrf.clone())).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let t = r.text().await.unwrap();
    assert!(t.contains("问卷星答卷.csv 第3行 第B列“提交答卷时间”") && t.contains("没有写入任何数据"), "{t}");

    // The secretary of one branch does not see the county's campaign.
    let sec = login_page(&app, "sec").await;
    assert_eq!(sec.get(format!("{}/campaigns/{id}", app.base)).send().await.unwrap().status(), StatusCode::NOT_FOUND);
    // API
    let tok = token(&app, "admin").await;
    let c = Client::new();
    let list: Value = c.get(format!("{}/api/v1/campaigns", app.base)).bearer_auth(&tok).send().await.unwrap().json().await.unwrap();
    assert!(list["campaigns"].as_array().unwrap().iter().any(|c| c["id"] == id), "{list}");
    let s: Value = c.get(format!("{}/api/v1/campaigns/{id}/stats", app.base)).bearer_auth(&tok).send().await.unwrap().json().await.unwrap();
    assert_eq!(s["returned"], after2.returned);
    assert_eq!(s["valid"], relaxed.valid);
    assert!(s["valid_rate"].is_number() && s["units"].as_array().unwrap().len() == units.len());
    let stok = token(&app, "sec").await;
    assert_eq!(c.get(format!("{}/api/v1/campaigns/{id}/stats", app.base)).bearer_auth(&stok).send().await.unwrap().status(), StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bilingual_questionnaire_answers_in_the_chosen_language() {
    let app = app().await;
    let all = Scope::jurisdiction();
    let md = "| survey |\n| | type | name | label::中文 (zh) | label::English (en) | constraint | constraint_message::中文 (zh) | constraint_message::English (en) |\n| | integer | age | 您的年龄 | Your age | . < 120 | 年龄应小于120 | Age must be below 120 |\n| settings |\n| | form_title | form_id | default_language |\n| | 双语问卷 | bilingual | 中文 (zh) |\n";
    let form = survey::xlsform::read_bytes(md.as_bytes()).unwrap().form;
    let qid = survey::campaign::save_questionnaire(&app.store, &form, None).await.unwrap();
    let root = app.store.org_children(&all, None).await.unwrap()[0].org.id;
    let today = chrono::Local::now().date_naive();
    let cid = app
        .store
        .insert_campaign(&all, &store::NewCampaign { questionnaire_id: qid, org_id: root, title: "双语".into(), opens_on: today, closes_on: today, rules: "{}".into(), units: vec![(app.a, 5)], created_by: None })
        .await
        .unwrap();
    let token = app.store.campaign_units(&all, cid).await.unwrap()[0].token.clone();
    let c = browser();
    let zh = c.get(format!("{}/s/{token}", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(zh.contains("您的年龄") && zh.contains("?lang=English%20%28en%29"), "{zh}");
    let en = c.get(format!("{}/s/{token}?lang=English%20(en)", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(en.contains("Your age") && !en.contains("您的年龄"));
    let r = c
        .post(format!("{}/s/{token}", app.base))
        .form(&[("_submission", field(&en, "_submission")), ("_started", field(&en, "_started")), ("_lang", "English (en)".to_string()), ("age", "130".to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let t = r.text().await.unwrap();
    assert!(t.contains("Age must be below 120") && t.contains("Your age"), "{t}");
}

fn interview_form(csrf: &str, org: &str, notes: &str) -> reqwest::multipart::Form {
    reqwest::multipart::Form::new()
        .text("csrf", csrf.to_string())
        .text("org", org.to_string())
        .text("held_on", "2026-11-20")
        .text("place", "党员活动室")
        .text("interviewers", "县委组织部调研组")
        .text("role_0", "leader")
        .text("name_0", "党支部书记")
        .text("role_1", "member")
        .text("name_1", "党员甲")
        .text("notes", notes.to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interviews_coding_attachments_and_search_within_scope() {
    let app = app().await;
    let all = Scope::jurisdiction();
    let a_code = app.store.org(&all, app.a).await.unwrap().code;
    let b_code = app.store.org(&all, app.b).await.unwrap().code;
    let sec = login_page(&app, "sec").await;
    let form = sec.get(format!("{}/interviews/new", app.base)).send().await.unwrap().text().await.unwrap();
    let csrf = hidden_csrf(&form);
    let notes = "## 存在问题\n\n“三会一课”有时候是补记录，党课就是念报纸。\n\n活动经费主要靠上级拨款，流动 党员联系不上。";
    // A program as attachment: refused with its name, every typed value kept, nothing stored.
    let bad = interview_form(&csrf, &a_code, notes).part("attachments", reqwest::multipart::Part::bytes(b"MZ\x90\x00\x03".to_vec()).file_name("提纲.pdf"));
    let r = sec.post(format!("{}/interviews", app.base)).multipart(bad).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("附件“提纲.pdf”是可执行程序") && html.contains("党员活动室") && html.contains("流动 党员联系不上") && html.contains("附件需要重新选择"), "{html}");
    assert_eq!(app.store.interview_counts(&all).await.unwrap().interviews, 0);
    // A unit outside the secretary's branch is refused too.
    let r = sec.post(format!("{}/interviews", app.base)).multipart(interview_form(&csrf, &b_code, notes)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("不在您的权限范围内"));
    // Saved with a PDF.
    let good = interview_form(&csrf, &a_code, notes).part("attachments", reqwest::multipart::Part::bytes(b"%PDF-1.4 test".to_vec()).file_name("提纲.pdf"));
    let r = sec.post(format!("{}/interviews", app.base)).multipart(good).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let at = r.headers()["location"].to_str().unwrap().to_string();
    let id: i64 = at.trim_start_matches("/interviews/").parse().unwrap();
    let page = sec.get(format!("{}{at}", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("data-suggested=\"meeting_quality\"") && page.contains("data-suggested=\"funding\""), "{page}");
    // Accept a suggestion; it shows as a code, and under its category.
    let r = sec.post(format!("{}/interviews/{id}/codes", app.base)).form(&[("csrf", csrf.as_str()), ("passage", "1"), ("category", "meeting_quality"), ("suggested", "1"), ("decision", "accept")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let cat = sec.get(format!("{}/research/codes/meeting_quality", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(cat.contains("补记录") && cat.contains("<b id=\"passage-count\">1</b>"), "{cat}");
    // The attachment downloads for the secretary, not for another branch's staff.
    let files = app.store.attachments(&all, "interview", id).await.unwrap();
    let r = sec.get(format!("{}/attachments/{}", app.base, files[0].id)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.bytes().await.unwrap().as_ref(), b"%PDF-1.4 test");
    // Policy documents are the jurisdiction's: a secretary cannot attach files to them.
    let form = reqwest::multipart::Form::new().text("csrf", csrf.clone()).part("attachments", reqwest::multipart::Part::bytes(b"%PDF-1.4 x".to_vec()).file_name("a.pdf"));
    let r = sec.post(format!("{}/documents/1/attachments", app.base)).multipart(form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let b_org_user = app.store.create_user("sec_b", PW, Role::Secretary, Some(app.b), None).await.unwrap();
    let _ = b_org_user;
    let other = login_page(&app, "sec_b").await;
    assert_eq!(get_status(&other, format!("{}/attachments/{}", app.base, files[0].id)).await, StatusCode::NOT_FOUND);
    assert_eq!(get_status(&other, format!("{}/interviews/{id}", app.base)).await, StatusCode::NOT_FOUND);
    // Search through the API, whatever the spacing; other staff do not find it.
    let tok = token(&app, "sec").await;
    for q in ["三会一课", "流动党员", "经 费"] {
        let (s, j) = api(&app, &tok, &format!("/api/v1/search?q={q}")).await;
        assert_eq!(s, StatusCode::OK);
        let items = j["items"].as_array().unwrap();
        assert!(items.iter().any(|i| i["kind"] == "interview" && i["id"] == id), "{q}: {j}");
        assert!(items.iter().all(|i| i["title"].is_string() && i["snippet"].is_string()));
    }
    // REFI-QDA: the secretary's project holds the coded passage; coming back it is already
    // there; another branch's staff can neither export nor place codes on it.
    let qdpx = sec.get(format!("{}/research/exchange/project.qdpx", app.base)).send().await.unwrap().bytes().await.unwrap().to_vec();
    assert!(qdpx.starts_with(b"PK"));
    let upload = |bytes: Vec<u8>, csrf: &str| reqwest::multipart::Form::new().text("csrf", csrf.to_string()).part("attachments", reqwest::multipart::Part::bytes(bytes).file_name("编码.qdpx"));
    let t = sec.post(format!("{}/research/exchange", app.base)).multipart(upload(qdpx.clone(), &csrf)).send().await.unwrap().text().await.unwrap();
    assert!(t.contains("对应上的访谈 1 次，新写入编码 <b>0</b> 处，已有 1 处，未能放置 <b>0</b> 处"), "{t}");
    let other_form = other.get(format!("{}/research", app.base)).send().await.unwrap().text().await.unwrap();
    let other_csrf = hidden_csrf(&other_form);
    let theirs = other.get(format!("{}/research/exchange/project.qdpx", app.base)).send().await.unwrap().bytes().await.unwrap().to_vec();
    assert!(theirs.len() < qdpx.len(), "another branch's project holds none of this interview");
    let t = other.post(format!("{}/research/exchange", app.base)).multipart(upload(qdpx, &other_csrf)).send().await.unwrap().text().await.unwrap();
    assert!(t.contains("新写入编码 <b>0</b> 处") && t.contains("找不到对应的访谈记录"), "{t}");
    let t = sec.post(format!("{}/research/exchange", app.base)).multipart(upload(b"not a project".to_vec(), &csrf)).send().await.unwrap();
    assert_eq!(t.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let tok_b = token(&app, "sec_b").await;
    let (_, j) = api(&app, &tok_b, "/api/v1/search?q=三会一课").await;
    assert!(!j["items"].as_array().unwrap().iter().any(|i| i["kind"] == "interview"), "{j}");
    let (_, j) = api(&app, &tok, "/api/v1/interviews").await;
    assert_eq!(j["interviews"].as_array().unwrap().len(), 1);
    assert!(j["counts"]["sentence"].as_str().unwrap().starts_with("选取了1个具有代表性的基层单位"), "{j}");
    let (s, j) = api(&app, &tok, &format!("/api/v1/interviews/{id}")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(j["codes"][0]["category"], "meeting_quality");
    let (_, j) = api(&app, &tok_b, "/api/v1/interviews").await;
    assert!(j["interviews"].as_array().unwrap().is_empty());
    assert_eq!(api(&app, &tok_b, &format!("/api/v1/interviews/{id}")).await.0, StatusCode::NOT_FOUND);
    assert_eq!(api(&app, &tok, "/api/v1/search").await.0, StatusCode::BAD_REQUEST);
    for path in ["/api/v1/cases", "/api/v1/documents"] {
        assert_eq!(api(&app, &tok, path).await.0, StatusCode::OK);
    }
    // Members see no research; secretaries may not edit the lexicon or the literature.
    let tok_m = token(&app, "member").await;
    assert_eq!(api(&app, &tok_m, "/api/v1/documents").await.0, StatusCode::FORBIDDEN);
    let member = login_page(&app, "member").await;
    assert_eq!(get_status(&member, format!("{}/research", app.base)).await, StatusCode::FORBIDDEN);
    let r = sec.post(format!("{}/research/lexicon", app.base)).form(&[("csrf", csrf.as_str()), ("action", "add"), ("keyword", "测试"), ("category", "funding"), ("weight", "1")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(get_status(&sec, format!("{}/documents/new", app.base)).await, StatusCode::FORBIDDEN);
    // The admin adds a keyword; the lexicon page shows it and the measured precision.
    let admin = login_page(&app, "admin").await;
    let lex = admin.get(format!("{}/research/lexicon", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(lex.contains("准确率（precision）"));
    let acsrf = hidden_csrf(&lex);
    let r = admin.post(format!("{}/research/lexicon", app.base)).form(&[("csrf", acsrf.as_str()), ("action", "add"), ("keyword", "坐不住"), ("category", "methods"), ("weight", "abc")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = admin.post(format!("{}/research/lexicon", app.base)).form(&[("csrf", acsrf.as_str()), ("action", "add"), ("keyword", "坐不住"), ("category", "methods"), ("weight", "1")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.store.lexicon_changes().await.unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn report_page_writes_the_report_within_scope() {
    let app = app().await;
    let all = Scope::jurisdiction();
    let root = app.store.org_children(&all, None).await.unwrap()[0].org.code.clone();
    let b_code = app.store.org(&all, app.b).await.unwrap().code;
    let admin = login_page(&app, "admin").await;
    let page = admin.get(format!("{}/report", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("下载 Word（GB/T 9704 公文格式）") && page.contains("尚未按现行规则和指标目录计算"), "{page}");
    let r = admin.get(format!("{}/report?org={root}&year=2026&format=docx", app.base)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-disposition"].to_str().unwrap().contains(".docx"));
    assert!(r.bytes().await.unwrap().starts_with(b"PK"));
    let html = admin.get(format!("{}/report?org={root}&year=2026&format=html", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("<h2>三、存在的问题</h2>") && html.contains("<h2>四、对策与建议</h2>") && !html.contains("xx"));
    // Now the run exists: the page lists the indicators.
    let page = admin.get(format!("{}/report?org={root}&year=2026", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("data-indicator=\"three_meetings_one_lesson\""), "{page}");
    // An amount keeps its unit; only shares are percentages.
    let row = &page[page.find("data-indicator=\"funding_per_member\"").unwrap()..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(row.contains("元/人") && !row.contains('%'), "{row}");
    // A secretary gets the own branch's report, not another's, and may not recompute.
    let sec = login_page(&app, "sec").await;
    let md = sec.get(format!("{}/report?year=2026&format=md", app.base)).send().await.unwrap();
    assert_eq!(md.status(), StatusCode::OK);
    let md = md.text().await.unwrap();
    assert!(md.starts_with("# 关于") && md.contains("## 一、调研方法"), "{md}");
    assert_eq!(get_status(&sec, format!("{}/report?org={b_code}&year=2026&format=md", app.base)).await, StatusCode::NOT_FOUND);
    assert_eq!(get_status(&sec, format!("{}/report?year=2026&format=html&refresh=1", app.base)).await, StatusCode::METHOD_NOT_ALLOWED, "a GET never recomputes");
    assert_eq!(get_status(&admin, format!("{}/report?year=2026&format=html&refresh=1", app.base)).await, StatusCode::METHOD_NOT_ALLOWED);
    // Recomputing is a CSRF-checked POST, for administrators only.
    let page = admin.get(format!("{}/report?org={root}&year=2026", app.base)).send().await.unwrap().text().await.unwrap();
    let csrf = hidden_csrf(&page);
    let r = admin.post(format!("{}/report/refresh", app.base)).form(&[("csrf", csrf.as_str()), ("org", root.as_str()), ("year", "2026")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let sec_page = sec.get(format!("{}/report", app.base)).send().await.unwrap().text().await.unwrap();
    let r = sec.post(format!("{}/report/refresh", app.base)).form(&[("csrf", hidden_csrf(&sec_page).as_str()), ("year", "2026")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(get_status(&admin, format!("{}/report?year=2026&format=pdf", app.base)).await, StatusCode::UNPROCESSABLE_ENTITY);
    let member = login_page(&app, "member").await;
    assert_eq!(get_status(&member, format!("{}/report", app.base)).await, StatusCode::FORBIDDEN);

    // The researcher's choices: nothing ticked, an own byline and date; saved and stated.
    let page = admin.get(format!("{}/report?org={root}&year=2026", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("调研设计"), "{page}");
    let csrf = hidden_csrf(&page);
    let form = [("csrf", csrf.as_str()), ("org", root.as_str()), ("year", "2026"), ("from", "2026-03-01"), ("as_of", "2026-11-27"), ("unit", "某县委组织部第二调研组"), ("dated", "2026-12-01"), ("listed", "1")];
    let r = admin.post(format!("{}/report/saved", app.base)).form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "redirected to the saved report");
    let saved = r.headers()["location"].to_str().unwrap().to_string();
    assert!(saved.starts_with("/report/saved/"), "{saved}");
    let md = admin.get(format!("{}{saved}?format=md", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(md.contains("某县委组织部第二调研组　2026年12月1日"), "byline and date: {}", &md[..300.min(md.len())]);
    assert!(md.contains("2026年3月1日至2026年11月27日") && md.contains("没有纳入本报告的实地访谈记录"), "{md}");
    // A reversed period is refused in Chinese, and nothing is saved.
    let bad = [("csrf", csrf.as_str()), ("org", root.as_str()), ("year", "2026"), ("from", "2026-12-20"), ("as_of", "2026-11-27")];
    let r = admin.post(format!("{}/report/saved", app.base)).form(&bad).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("调研期开始日期"));
    // Another's saved report is out of the secretary's scope.
    assert_eq!(get_status(&sec, format!("{}{saved}", app.base)).await, StatusCode::NOT_FOUND);
}

/// A small deterministic generator for the records below (xorshift).
struct Draw(u64);
impl Draw {
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        xs[(self.0 % xs.len() as u64) as usize]
    }
}

/// What one path did with a record: accepted, or refused naming these fields.
#[derive(Debug, PartialEq)]
enum Verdict {
    Accepted,
    Refused,
}

/// Imports a one-row CSV of `kind` the way an upload does, in the jurisdiction.
async fn import_row(store: &Store, kind: sheets::Kind, header: &str, row: &[&str]) -> (Verdict, Vec<String>) {
    let path = std::env::temp_dir().join(format!("dj_row_{}_{}.csv", std::process::id(), rand_suffix()));
    let quoted: Vec<String> = row.iter().map(|v| format!("\"{}\"", v.replace('"', "\"\""))).collect();
    std::fs::write(&path, format!("{header}\n{}\n", quoted.join(","))).unwrap();
    let today = chrono::Local::now().date_naive();
    let r = sheets::import_file(store, &Scope::jurisdiction(), &path, kind, (today, &domain::rules::Rules::default_rules()), false, (None, None, None, None), |_| {}).await;
    let _ = std::fs::remove_file(&path);
    match r {
        Ok(r) if r.committed => (Verdict::Accepted, vec![]),
        Ok(r) => (Verdict::Refused, r.errors.iter().map(|e| e.reason.clone()).collect()),
        Err(e) => (Verdict::Refused, vec![e.to_string()]),
    }
}

/// Three identical members (but for name and ID) to receive the same records by three paths.
async fn three_members(app: &App, tok: &str, occupation: &str, seq: u16) -> Vec<(i64, String)> {
    let mut out = Vec::new();
    for i in 0..3u16 {
        let cid = domain::CitizenId::compose("330122", domain::Date::from_ymd_opt(1970, 1, 1).unwrap(), seq + i * 2 + 1).reveal().to_string();
        let body = json!({"org_id": app.a, "name": format!("路径{}号{seq}", i + 1), "citizen_id": cid, "ethnicity": "汉", "education": "大专",
            "occupation": occupation, "joined_on": "1995-07-01", "full_on": "1996-07-01"});
        let r = Client::new().post(format!("{}/api/v1/members", app.base)).bearer_auth(tok).json(&body).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::CREATED, "{:?}", r.text().await);
        let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
        out.push((id, cid));
    }
    out
}

/// One rule per record in one place: a dues or training record typed into the member
/// page's form, sent to the API and imported from a file is accepted by all three or
/// refused by all three, and what is stored is the same. The records are generated,
/// including the numbers that must never pass (NaN, inf, 1e309, negatives); no path
/// answers 500 and every refusal is in Chinese.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn form_api_and_import_agree_on_every_record() {
    let app = app().await;
    let sec = login_page(&app, "sec").await;
    let tok = token(&app, "sec").await;
    let mut draw = Draw(0x9E3779B97F4A7C15);
    let chinese = |s: &str| s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)) && !s.contains("invalid") && !s.contains("error");

    // ---- training -------------------------------------------------------------------------
    let people = three_members(&app, &tok, "工人", 700).await;
    let mut agreed = (0, 0);
    for i in 0..60 {
        let taken_on = draw.pick(&["2026-03-05", "2026/3/5", "2026年3月5日", "2026.03", "", "2026-02-30", "2099-01-01", "26.3.5"]);
        let hours = draw.pick(&["4", "8", "2.5", "80", "0", "-1", "NaN", "inf", "-inf", "1e309", "81", "四", ""]);
        let channel = draw.pick(&["classroom", "集中学习", "集中培训", "网络党课", "学习强国APP", "其他", "卫星", ""]);
        let topic = match draw.pick(&["党章学习", "", "二十大精神"]) {
            "" => String::new(),
            t => format!("{t}{i}"),
        };
        let page = sec.get(format!("{}/members/{}", app.base, people[0].0)).send().await.unwrap().text().await.unwrap();
        let csrf = hidden_csrf(&page);
        let form = sec
            .post(format!("{}/members/{}/training", app.base, people[0].0))
            .form(&[("csrf", csrf.as_str()), ("taken_on", taken_on), ("hours", hours), ("channel", channel), ("topic", topic.as_str())])
            .send()
            .await
            .unwrap();
        let form_status = form.status();
        let form_html = form.text().await.unwrap();
        let api = Client::new()
            .post(format!("{}/api/v1/members/{}/training", app.base, people[1].0))
            .bearer_auth(&tok)
            .json(&json!({"taken_on": taken_on, "hours": hours, "channel": channel, "topic": topic}))
            .send()
            .await
            .unwrap();
        let api_status = api.status();
        let api_body: Value = api.json().await.unwrap();
        let (imported, reasons) = import_row(&app.store, sheets::Kind::Training, "身份证号,培训日期,学时,培训方式,培训内容", &[&people[2].1, taken_on, hours, channel, &topic]).await;
        let form_v = if form_status == StatusCode::SEE_OTHER { Verdict::Accepted } else { Verdict::Refused };
        let api_v = if api_status == StatusCode::CREATED { Verdict::Accepted } else { Verdict::Refused };
        let case = format!("training {taken_on:?} {hours:?} {channel:?} {topic:?}");
        assert!(form_status != StatusCode::INTERNAL_SERVER_ERROR && api_status != StatusCode::INTERNAL_SERVER_ERROR, "{case}");
        assert_eq!(form_v, api_v, "{case}: form {form_status}, API {api_status} {api_body}");
        assert_eq!(form_v, imported, "{case}: import {reasons:?}");
        if api_v == Verdict::Refused {
            assert_eq!(form_status, StatusCode::UNPROCESSABLE_ENTITY, "{case}");
            assert!(form_html.contains("未保存"), "{case}");
            assert!(chinese(api_body["error"].as_str().unwrap_or("")), "{case}: {api_body}");
            assert!(reasons.iter().all(|r| chinese(r)), "{case}: {reasons:?}");
            agreed.1 += 1;
        } else {
            agreed.0 += 1;
        }
    }
    let year = chrono::Datelike::year(&chrono::Local::now().date_naive());
    let stored = |id| {
        let s = app.store.clone();
        async move { s.member_training(&Scope::jurisdiction(), id, 2026).await.unwrap() }
    };
    let (a, b, c) = (stored(people[0].0).await, stored(people[1].0).await, stored(people[2].0).await);
    assert_eq!(a, b, "form and API stored different training");
    assert_eq!(a, c, "form and import stored different training");
    assert!(agreed.0 >= 3 && agreed.1 >= 10, "the draw tried too few of either kind: {agreed:?} (year {year})");
    assert!(a.iter().all(|t| t.hours.is_finite() && t.hours > 0.0 && t.hours <= 80.0));

    // ---- dues -----------------------------------------------------------------------------
    let people = three_members(&app, &tok, "工人", 800).await;
    let mut agreed = (0, 0);
    for i in 0..90 {
        // A year of its own per record for the first 29 (later ones overlap and are
        // refused alike everywhere); all before the payment date: dues are paid ahead at
        // most for a year.
        let y = 1997 + (i % 29);
        let from = match draw.pick(&["dash", "dot", "cn", "six", "dash", "empty", "bad"]) {
            "dash" => format!("{y}-03"),
            "dot" => format!("{y}.03"),
            "cn" => format!("{y}年3月"),
            "six" => format!("{y}03"),
            "empty" => String::new(),
            _ => format!("{y}-13"),
        };
        let to = match draw.pick(&["none", "later", "none", "later", "earlier", "too_long"]) {
            "none" => String::new(),
            "later" => format!("{y}-05"),
            "earlier" => format!("{y}-01"),
            _ => format!("{}-06", y + 1),
        };
        let base = draw.pick(&["5000", "5000", "3000.5", "12000", "", "-1", "NaN", "inf", "1e309", "五千"]);
        let amount = draw.pick(&["", "", "", "999", "0.01", "NaN", "1e309"]);
        let paid_on = draw.pick(&["2026-01-05", "2026/1/5", "2026年1月5日", "2026-01-05", "", "2099-01-01"]).to_string();
        let page = sec.get(format!("{}/members/{}", app.base, people[0].0)).send().await.unwrap().text().await.unwrap();
        let csrf = hidden_csrf(&page);
        let form = sec
            .post(format!("{}/members/{}/dues", app.base, people[0].0))
            .form(&[("csrf", csrf.as_str()), ("from_month", from.as_str()), ("to_month", to.as_str()), ("base", base), ("amount", amount), ("paid_on", paid_on.as_str())])
            .send()
            .await
            .unwrap();
        let form_status = form.status();
        let api = Client::new()
            .post(format!("{}/api/v1/members/{}/dues", app.base, people[1].0))
            .bearer_auth(&tok)
            .json(&json!({"from_month": from, "to_month": to, "base": base, "amount": amount, "paid_on": paid_on}))
            .send()
            .await
            .unwrap();
        let api_status = api.status();
        let api_body: Value = api.json().await.unwrap();
        let (imported, reasons) =
            import_row(&app.store, sheets::Kind::Dues, "身份证号,起始月份,截止月份,缴费基数,缴纳金额,缴纳日期", &[&people[2].1, &from, &to, base, amount, &paid_on]).await;
        let case = format!("dues {from:?} {to:?} {base:?} {amount:?} {paid_on:?}");
        let form_v = if form_status == StatusCode::SEE_OTHER { Verdict::Accepted } else { Verdict::Refused };
        let api_v = if api_status == StatusCode::CREATED { Verdict::Accepted } else { Verdict::Refused };
        assert!(form_status != StatusCode::INTERNAL_SERVER_ERROR && api_status != StatusCode::INTERNAL_SERVER_ERROR, "{case}");
        assert_eq!(form_v, api_v, "{case}: form {form_status}, API {api_status} {api_body}");
        assert_eq!(form_v, imported, "{case}: import {reasons:?}");
        if api_v == Verdict::Refused {
            assert!(chinese(api_body["error"].as_str().unwrap_or("")), "{case}: {api_body}");
            assert!(reasons.iter().all(|r| chinese(r)), "{case}: {reasons:?}");
            agreed.1 += 1;
        } else {
            agreed.0 += 1;
        }
    }
    let dues = |id| {
        let s = app.store.clone();
        async move {
            s.member_dues(&Scope::jurisdiction(), id).await.unwrap().into_iter().map(|p| (p.from, p.to, p.base.map(|b| (b * 100.0).round()), (p.amount * 100.0).round(), p.paid_on, p.catch_up)).collect::<Vec<_>>()
        }
    };
    let (a, b, c) = (dues(people[0].0).await, dues(people[1].0).await, dues(people[2].0).await);
    assert_eq!(a, b, "form and API stored different dues");
    assert_eq!(a, c, "form and import stored different dues");
    assert!(agreed.0 >= 3 && agreed.1 >= 10, "the draw tried too few of either kind: {agreed:?}");

    // A JSON number that overflows (1e309) is refused in Chinese before any field is read.
    let r = Client::new()
        .post(format!("{}/api/v1/members/{}/training", app.base, people[1].0))
        .bearer_auth(&tok)
        .header("content-type", "application/json")
        .body(r#"{"taken_on": "2026-03-05", "hours": 1e309, "channel": "集中学习", "topic": "溢出"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let msg = r.json::<Value>().await.unwrap()["error"].as_str().unwrap().to_string();
    assert!(msg.contains("超出范围") && !msg.contains("number out of range"), "{msg}");
}

/// A roster without 职业 imports, the preview says what is missing, and the gaps come back
/// where the secretary works: 待办 ("3名党员缺少职业"), the completeness page and its Excel,
/// and the 党内统计年报 counting 未登记 on its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_fields_are_held_as_unregistered_and_shown_for_completion() {
    let app = app().await;
    let sec = login_page(&app, "sec").await;
    let form = sec.get(format!("{}/import", app.base)).send().await.unwrap().text().await.unwrap();
    let csrf = hidden_csrf(&form);
    let code = app.store.org(&Scope::jurisdiction(), app.a).await.unwrap().code;
    let todo_before = sec.get(format!("{}/todo?org={}", app.base, app.a)).send().await.unwrap().text().await.unwrap();
    let before_gap = |html: &str| html.find("名党员缺少职业").map(|i| html[..i].rsplit(['>', '（']).next().unwrap().trim().parse::<i64>().unwrap()).unwrap_or(0);
    let had = before_gap(&todo_before);
    let mut csv = String::from("姓名,身份证号,民族,学历,入党时间,党组织代码\n");
    for i in 0..3u16 {
        let cid = domain::CitizenId::compose("330122", domain::Date::from_ymd_opt(1980, 5, 1).unwrap(), 901 + i * 2);
        csv.push_str(&format!("新党员{i},{},汉,本科,2010.07,{code}\n", cid.reveal()));
    }
    let page = sec.post(format!("{}/import", app.base)).multipart(upload(&csrf, "members", "没有职业列.csv", csv.into_bytes())).send().await.unwrap();
    let html = page.text().await.unwrap();
    assert!(html.contains("文件中没有这些列") && html.contains("职业"), "{html}");
    assert!(html.contains("3人缺少职业") && html.contains("3人入党时间只有年月"), "{html}");
    let token_at = html.find("name=\"token\" value=\"").unwrap() + 20;
    let token = &html[token_at..token_at + 64];
    let done = sec.post(format!("{}/import/confirm", app.base)).form(&[("csrf", csrf.as_str()), ("token", token), ("kind", "members")]).send().await.unwrap();
    assert!(done.text().await.unwrap().contains("导入完成"));

    let todo = sec.get(format!("{}/todo?org={}", app.base, app.a)).send().await.unwrap().text().await.unwrap();
    assert_eq!(before_gap(&todo), had + 3, "{todo}");
    assert!(todo.contains("名党员的入党时间只有年月"));
    let page = sec.get(format!("{}/orgs/{}/completeness", app.base, app.a)).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("缺少职业") && html.contains("入党时间只有年月"), "{html}");
    let list = sec.get(format!("{}/orgs/{}/completeness?gap=2", app.base, app.a)).send().await.unwrap().text().await.unwrap();
    let at = list.find("id=\"incomplete-members\"").unwrap();
    assert!(list[at..].contains("新党员0") && list[at..].contains("职业、联系电话、入党时间只有年月"), "{}", &list[at..]);
    assert_no_raw_ids(&list);
    let xlsx = sec.get(format!("{}/orgs/{}/completeness?format=xlsx", app.base, app.a)).send().await.unwrap().bytes().await.unwrap();
    let path = std::env::temp_dir().join(format!("dj_completeness_{}_{}.xlsx", std::process::id(), rand_suffix()));
    std::fs::write(&path, &xlsx).unwrap();
    let mut read = sheets::read::open(&path, |_| 0).unwrap();
    let mut rows: Vec<Vec<String>> = Vec::new();
    while let Some(r) = read.next_row().unwrap() {
        rows.push(r.cells.iter().map(|c| c.display()).collect());
    }
    let occ = rows[0].iter().position(|h| h == "缺少职业").unwrap();
    assert_eq!(rows[1][0], "合计");
    assert_eq!(rows[1][occ].parse::<f64>().unwrap() as i64, had + 3);
    // Nobody outside the subtree: another branch's page is refused.
    assert_eq!(get_status(&sec, format!("{}/orgs/{}/completeness", app.base, app.b)).await, StatusCode::NOT_FOUND);

    // 党内统计年报 counts them as 职业未登记, not as any occupation.
    let year = chrono::Datelike::year(&chrono::Local::now().date_naive());
    let report = sheets::annual::annual_tables(&app.store, &Scope::jurisdiction(), app.a, year, &domain::rules::Rules::default_rules()).await.unwrap();
    let second = report.table("第二表").unwrap();
    let row = second.rows.iter().find(|(l, _)| l == "职业：未登记").expect("a row for 职业未登记");
    assert!(row.1[0] >= 3.0, "{row:?}");
}

/// Members too: a generated member sent to the API and imported from a one-row roster gets
/// the same verdict and, when accepted, the same stored record (words, month-only dates,
/// empty fields held as 未登记, fields read from the citizen ID).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_and_import_agree_on_every_member() {
    let app = app().await;
    let tok = token(&app, "sec").await;
    let code = app.store.org(&Scope::jurisdiction(), app.a).await.unwrap().code;
    let mut draw = Draw(0xD1B54A32D192ED03);
    let (mut accepted, mut refused) = (0, 0);
    for i in 0..120u16 {
        let birth = domain::Date::from_ymd_opt(1960 + (i as i32 % 30), 1 + (i as u32 % 12), 1 + (i as u32 % 27)).unwrap();
        // Two people per record with the same fields: one for the API, one for the import.
        let ids: Vec<String> = (0..2).map(|k| domain::CitizenId::compose("330122", birth, 300 + i * 4 + k * 2 + 1).reveal().to_string()).collect();
        let bad_id = draw.pick(&["ok", "ok", "ok", "ok", "ok", "short", "check"]);
        let ids: Vec<String> = ids
            .into_iter()
            .map(|id| match bad_id {
                "short" => id[..17].to_string(),
                "check" => format!("{}{}", &id[..17], if id.ends_with('0') { '1' } else { '0' }),
                _ => id,
            })
            .collect();
        let sex = draw.pick(&["", "男", "男性", "", "女", "未知"]);
        let ethnicity = draw.pick(&["汉族", "汉", "", "回", "汉族", "火星族"]);
        let birth_text = match draw.pick(&["", "day", "month", "", "75"]) {
            "day" => birth.to_string(),
            "month" => birth.format("%Y.%m").to_string(),
            "75" => "75.03".to_string(),
            _ => String::new(),
        };
        let education = draw.pick(&["大专", "本科", "硕士", "", "中技", "大专", "大学肄业"]);
        let occupation = draw.pick(&["农民", "退休", "", "教师", "农民", "飞行员"]);
        let joined = draw.pick(&["2010-07-01", "2010.07", "2010年7月1日", "2010-07-01", "", "10.7.1", "1950-01-01"]);
        let full = draw.pick(&["", "2011-07-01", "2011.07", "", "2009-01-01"]);
        let status = draw.pick(&["", "正式", "预备", "正式党员"]);
        let name = format!("生成{i}");
        let body = json!({"org_id": app.a, "name": name, "citizen_id": ids[0], "sex": sex, "ethnicity": ethnicity, "birth_date": birth_text,
            "education": education, "occupation": occupation, "joined_on": joined, "full_on": full, "status": status});
        let r = Client::new().post(format!("{}/api/v1/members", app.base)).bearer_auth(&tok).json(&body).send().await.unwrap();
        let api_status = r.status();
        let api_body: Value = r.json().await.unwrap();
        let (imported, reasons) = import_row(
            &app.store,
            sheets::Kind::Members,
            "姓名,身份证号,性别,民族,出生年月,学历,职业,入党时间,转正时间,党员类别,党组织代码",
            &[&name, &ids[1], sex, ethnicity, &birth_text, education, occupation, joined, full, status, &code],
        )
        .await;
        let case = format!("member {bad_id} {sex:?} {ethnicity:?} {birth_text:?} {education:?} {occupation:?} {joined:?} {full:?} {status:?}");
        assert_ne!(api_status, StatusCode::INTERNAL_SERVER_ERROR, "{case}");
        let api_v = if api_status == StatusCode::CREATED { Verdict::Accepted } else { Verdict::Refused };
        assert_eq!(api_v, imported, "{case}: API {api_status} {api_body}; import {reasons:?}");
        if api_v == Verdict::Refused {
            assert!(reasons.iter().all(|r| !r.contains("“”")), "{case}: {reasons:?}");
            refused += 1;
            continue;
        }
        accepted += 1;
        let all = Scope::jurisdiction();
        let (members, _) = app.store.org_members(&all, app.a, 0, 2000).await.unwrap();
        let by_api = members.iter().find(|m| m.citizen_id.reveal() == ids[0]).unwrap();
        let by_import = members.iter().find(|m| m.citizen_id.reveal() == ids[1]).unwrap();
        let view = |m: &domain::member::Member| {
            (m.sex, m.ethnicity.clone(), m.birth_date, m.education, m.occupation, m.joined_on, m.joined_precision, m.full_on, m.full_precision, m.status)
        };
        assert_eq!(view(by_api), view(by_import), "{case}");
    }
    assert!(accepted >= 5 && refused >= 10, "the draw tried too few of either kind: {accepted} accepted, {refused} refused");
}

/// The organisation page's records (funding, workers, carriers) and a member's going away
/// (流动党员): generated records typed into the form and sent to the API get the same verdict
/// and store the same values; numbers that must never pass are refused in Chinese.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn form_and_api_agree_on_organisation_records_and_mobile_members() {
    let app = app().await;
    let sec = login_page(&app, "sec").await;
    let tok = token(&app, "sec").await;
    let mut draw = Draw(0x2545F4914F6CDD1D);
    let csrf = hidden_csrf(&sec.get(format!("{}/orgs/{}", app.base, app.a)).send().await.unwrap().text().await.unwrap());
    let mut tally = (0, 0);
    for i in 0..90 {
        let (form_path, api_path, fields): (&str, &str, Vec<(&str, String)>) = match i % 3 {
            0 => (
                "funding",
                "funding",
                vec![
                    ("year", draw.pick(&["2025", "2026", "2026", "1900", "二〇二五", "", "2099"]).to_string()),
                    ("source", draw.pick(&["budget", "财政保障", "财政拨款", "上级拨款", "党费返还", "自筹资金", "捐款", ""]).to_string()),
                    ("amount", draw.pick(&["12000", "3,500元", "0.5", "0", "-5", "NaN", "inf", "1e309", "一万", ""]).to_string()),
                    ("purpose", draw.pick(&["阵地维修（生成）", "", "党员教育（生成）"]).to_string()),
                ],
            ),
            1 => (
                "workers",
                "workers",
                vec![
                    ("name", draw.pick(&["周敏（生成）", "", "王小红（生成）"]).to_string()),
                    ("kind", draw.pick(&["part_time", "兼职", "专职", "兼任", "临时"]).to_string()),
                    ("appointed_on", draw.pick(&["2026-03-01", "2026/3/1", "2026.03", "", "2099-01-01"]).to_string()),
                ],
            ),
            _ => (
                "carriers",
                "carriers",
                vec![
                    ("kind", draw.pick(&["model_post", "党员示范岗", "先锋岗", "公众号", "广播站"]).to_string()),
                    ("name", draw.pick(&["便民服务示范岗（生成）", "", "西湖先锋（生成）"]).to_string()),
                    ("established_on", draw.pick(&["2026-05-01", "2026年5月1日", "2026-02-30", ""]).to_string()),
                ],
            ),
        };
        let mut form: Vec<(&str, &str)> = vec![("csrf", csrf.as_str())];
        form.extend(fields.iter().map(|(k, v)| (*k, v.as_str())));
        let r = sec.post(format!("{}/orgs/{}/{form_path}", app.base, app.a)).form(&form).send().await.unwrap();
        let form_status = r.status();
        let json_body: serde_json::Map<String, Value> = fields.iter().map(|(k, v)| (k.to_string(), Value::String(v.clone()))).collect();
        let r = Client::new().post(format!("{}/api/v1/orgs/{}/{api_path}", app.base, app.a)).bearer_auth(&tok).json(&json_body).send().await.unwrap();
        let api_status = r.status();
        let api_body: Value = r.json().await.unwrap();
        let case = format!("{form_path} {fields:?}");
        assert!(form_status != StatusCode::INTERNAL_SERVER_ERROR && api_status != StatusCode::INTERNAL_SERVER_ERROR, "{case}");
        let form_ok = form_status == StatusCode::SEE_OTHER;
        let api_ok = api_status == StatusCode::CREATED;
        assert_eq!(form_ok, api_ok, "{case}: form {form_status}, API {api_status} {api_body}");
        if api_ok {
            tally.0 += 1;
        } else {
            let msg = api_body["error"].as_str().unwrap_or("");
            assert!(msg.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)) && !msg.contains("invalid"), "{case}: {api_body}");
            tally.1 += 1;
        }
    }
    assert!(tally.0 >= 10 && tally.1 >= 20, "the draw tried too few of either kind: {tally:?}");
    // Each accepted record is stored twice (form, API), identically.
    let all = Scope::jurisdiction();
    let pairs = |mut v: Vec<String>| {
        v.sort();
        assert!(v.len() % 2 == 0 && v.chunks(2).all(|c| c[0] == c[1]), "form and API stored different records: {v:?}");
    };
    // Only this test's records carry “（生成）”.
    let ours = |s: &str| s.contains("（生成）");
    pairs(app.store.org_funding(&all, app.a).await.unwrap().iter().filter(|f| ours(&f.purpose)).map(|f| format!("{f:?}")).collect());
    pairs(app.store.org_carriers(&all, app.a).await.unwrap().iter().filter(|c| ours(&c.name)).map(|c| format!("{c:?}")).collect());
    pairs(app.store.org_workers(&all, app.a).await.unwrap().iter().filter(|w| ours(&w.name)).map(|w| format!("{:?}{:?}{}", w.name, w.kind, w.appointed_on)).collect());

    // 流动党员: two members receive the same records, one by the form, one by the API.
    let people = three_members(&app, &tok, "工人", 950).await;
    for _ in 0..30 {
        let place = draw.pick(&["广东省深圳市南山区", "", "浙江省杭州市"]);
        let cert = draw.pick(&["", "LD-001", "LD-002"]);
        let since = draw.pick(&["2026-02-01", "2026/2/1", "1990-01-01", "2099-01-01", "", "2026.02"]);
        let page = sec.get(format!("{}/members/{}", app.base, people[0].0)).send().await.unwrap().text().await.unwrap();
        let csrf = hidden_csrf(&page);
        let r = sec.post(format!("{}/members/{}/mobile", app.base, people[0].0)).form(&[("csrf", csrf.as_str()), ("place", place), ("certificate_no", cert), ("since", since)]).send().await.unwrap();
        let form_ok = r.status() == StatusCode::SEE_OTHER;
        let r = Client::new().post(format!("{}/api/v1/members/{}/mobile", app.base, people[1].0)).bearer_auth(&tok).json(&json!({"place": place, "certificate_no": cert, "since": since})).send().await.unwrap();
        assert_ne!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(form_ok, r.status() == StatusCode::CREATED, "mobile {place:?} {cert:?} {since:?}");
    }
    let view = |v: Vec<domain::life::MobileRecord>| v.into_iter().map(|m| (m.place, m.certificate_no, m.since)).collect::<Vec<_>>();
    assert_eq!(view(app.store.member_mobile(&all, people[0].0).await.unwrap()), view(app.store.member_mobile(&all, people[1].0).await.unwrap()));
}

/// Meetings: a generated meeting typed into the meeting form, sent to the API and imported
/// from a one-row file gets the same verdict from all three and is stored the same.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn form_api_and_import_agree_on_every_meeting() {
    let app = app().await;
    let sec = login_page(&app, "sec").await;
    let tok = token(&app, "sec").await;
    let code = app.store.org(&Scope::jurisdiction(), app.a).await.unwrap().code;
    let mut draw = Draw(0x6A09E667F3BCC909);
    let mut tally = (0, 0);
    for i in 0..60 {
        let kind = draw.pick(&["主题党日", "themed_party_day", "党日活动", "支部大会", "党课", "组织生活会", "茶话会", ""]);
        let held_on = draw.pick(&["2026-03-05", "2026/3/5", "2026年3月5日", "2026-04-10", "2026.03", "", "2099-01-01", "26.3.5"]);
        let form = draw.pick(&["集中学习", "座谈", "线上会议", "study", "打球", ""]);
        let theme = draw.pick(&["", "", "传达上级文件", "理论学习", "扶贫", "闲聊"]);
        let topic = draw.pick(&["学习党章", "", "主题教育"]);
        // The same topic marked by its path, so that the three records never collide.
        let marked = |path: &str| if topic.is_empty() { String::new() } else { format!("{topic}{i}（{path}）") };
        let page = sec.get(format!("{}/orgs/{}/meetings/new", app.base, app.a)).send().await.unwrap().text().await.unwrap();
        let csrf = hidden_csrf(&page);
        let t_form = marked("表单");
        let r = sec
            .post(format!("{}/orgs/{}/meetings", app.base, app.a))
            .form(&[("csrf", csrf.as_str()), ("kind", kind), ("held_on", held_on), ("topic", t_form.as_str()), ("form", form), ("theme", theme)])
            .send()
            .await
            .unwrap();
        let form_status = r.status();
        let r = Client::new()
            .post(format!("{}/api/v1/meetings", app.base))
            .bearer_auth(&tok)
            .json(&json!({"org_id": app.a, "kind": kind, "held_on": held_on, "topic": marked("接口"), "form": form, "theme": theme}))
            .send()
            .await
            .unwrap();
        let api_status = r.status();
        let api_body: Value = r.json().await.unwrap();
        let (imported, reasons) =
            import_row(&app.store, sheets::Kind::Meetings, "党组织代码,会议类型,召开日期,会议主题,活动形式,主题类别", &[&code, kind, held_on, &marked("导入"), form, theme]).await;
        let case = format!("meeting {kind:?} {held_on:?} {form:?} {theme:?} {topic:?}");
        assert!(form_status != StatusCode::INTERNAL_SERVER_ERROR && api_status != StatusCode::INTERNAL_SERVER_ERROR, "{case}");
        let form_v = if form_status == StatusCode::SEE_OTHER { Verdict::Accepted } else { Verdict::Refused };
        let api_v = if api_status == StatusCode::CREATED { Verdict::Accepted } else { Verdict::Refused };
        assert_eq!(form_v, api_v, "{case}: form {form_status}, API {api_status} {api_body}");
        assert_eq!(form_v, imported, "{case}: import {reasons:?}");
        if api_v == Verdict::Accepted { tally.0 += 1 } else { tally.1 += 1 }
    }
    assert!(tally.0 >= 5 && tally.1 >= 10, "the draw tried too few of either kind: {tally:?}");
    let meetings = app.store.meetings(&Scope::jurisdiction(), app.a, 2026).await.unwrap();
    let by = |path: &str| {
        let mark = format!("（{path}）");
        let mut v: Vec<_> = meetings.iter().filter(|m| m.topic.ends_with(&mark)).map(|m| (m.kind, m.held_on, m.topic.replace(&mark, ""), m.form, m.theme)).collect();
        v.sort_by_key(|x| format!("{x:?}"));
        v
    };
    assert_eq!(by("表单"), by("接口"), "form and API stored different meetings");
    assert_eq!(by("表单"), by("导入"), "form and import stored different meetings");
    assert_eq!(by("表单").len(), tally.0);
}

/// Five wrong passwords and the account waits, the right password included (pages and
/// API alike); a changed password ends the other sessions; "logout everywhere" ends all;
/// over https cookies are Secure and HSTS is sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logins_are_throttled_and_sessions_end_when_asked() {
    let app = app().await;
    let c = browser();
    let form = c.get(format!("{}/login", app.base)).send().await.unwrap().text().await.unwrap();
    let csrf = hidden_csrf(&form);
    for _ in 0..5 {
        let r = c.post(format!("{}/login", app.base)).form(&[("username", "sec"), ("password", "wrong-password-x"), ("csrf", &csrf)]).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let r = c.post(format!("{}/login", app.base)).form(&[("username", "SEC"), ("password", PW), ("csrf", &csrf)]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS, "the right password waits too");
    assert!(r.headers().contains_key("retry-after"));
    assert!(r.text().await.unwrap().contains("登录失败次数过多，请在"));
    let api = Client::new();
    for _ in 0..5 {
        let r = api.post(format!("{}/api/v1/session", app.base)).json(&serde_json::json!({"username": "admin", "password": "nope-nope-nope"})).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let r = api.post(format!("{}/api/v1/session", app.base)).json(&serde_json::json!({"username": "admin", "password": PW})).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r.json::<serde_json::Value>().await.unwrap()["error"].as_str().unwrap().contains("登录失败次数过多"));

    // A password change: the current one is checked, the policy applied, other sessions end.
    let here = login_page(&app, "member").await;
    let there = login_page(&app, "member").await;
    let page = here.get(format!("{}/account", app.base)).send().await.unwrap().text().await.unwrap();
    let csrf = hidden_csrf(&page);
    let change = |current: &str, new: &str| [("csrf", csrf.clone()), ("current", current.to_string()), ("password", new.to_string()), ("confirm", new.to_string())];
    let r = here.post(format!("{}/account/password", app.base)).form(&change("not-it-at-all", "brand-new-pass-9")).send().await.unwrap();
    assert!(r.text().await.unwrap().contains("当前密码不正确"));
    let r = here.post(format!("{}/account/password", app.base)).form(&change(PW, "1234567890")).send().await.unwrap();
    assert!(r.text().await.unwrap().contains("太常见"));
    let r = here.post(format!("{}/account/password", app.base)).form(&change(PW, "brand-new-pass-9")).send().await.unwrap();
    assert!(r.text().await.unwrap().contains("密码已修改"));
    assert_eq!(get_status(&here, format!("{}/account", app.base)).await, StatusCode::OK, "this session stays");
    assert_ne!(get_status(&there, format!("{}/account", app.base)).await, StatusCode::OK, "the other session ended");
    // Logout everywhere ends this one too.
    let r = here.post(format!("{}/account/logout-all", app.base)).form(&[("csrf", csrf.as_str())]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_ne!(get_status(&here, format!("{}/account", app.base)).await, StatusCode::OK);

    // Over https: Secure cookies and HSTS.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let router = web::router_with(app.store.clone(), domain::rules::Rules::default_rules(), domain::rules::DEFAULT_RULES.to_string(), &web::Options { public_url: Some("https://dangjian.example.gov.cn".into()), ..Default::default() });
    tokio::spawn(async move { axum_serve(listener, router).await });
    let r = browser().get(format!("{base}/login")).send().await.unwrap();
    assert_eq!(r.headers()["strict-transport-security"], "max-age=31536000");
    assert!(r.headers()["set-cookie"].to_str().unwrap().contains("; Secure"));
}

/// The framework's rejections reach users in Chinese: a body over the limit, a path
/// parameter that is not a number, a wrong content type, a wrong method.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn framework_rejections_are_answered_in_chinese() {
    let app = app().await;
    let tok = token(&app, "admin").await;
    let big = format!("{{\"name\": \"{}\"}}", "x".repeat(3 * 1024 * 1024));
    let c = Client::new();
    let r = c.post(format!("{}/api/v1/members", app.base)).bearer_auth(&tok).header("content-type", "application/json").body(big).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let j: serde_json::Value = r.json().await.unwrap();
    assert!(j["error"].as_str().unwrap().contains("超过了大小上限"), "{j}");
    let admin = login_page(&app, "admin").await;
    for (method, path, status) in [("GET", "/members/abc", StatusCode::BAD_REQUEST), ("DELETE", "/orgs", StatusCode::METHOD_NOT_ALLOWED)] {
        let r = admin.request(method.parse().unwrap(), format!("{}{path}", app.base)).send().await.unwrap();
        assert_eq!(r.status(), status, "{method} {path}");
        let body = r.text().await.unwrap();
        assert!(body.contains("<html") && !body.contains("Invalid") && !body.contains("Method"), "{method} {path}: {body}");
    }
    // Health and readiness for service managers; every answer carries its request id.
    let r = c.get(format!("{}/healthz", app.base)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["x-request-id"].len(), 12);
    let r = c.get(format!("{}/readyz", app.base)).send().await.unwrap();
    assert_eq!(r.json::<serde_json::Value>().await.unwrap()["ready"], true);
    let r = c.post(format!("{}/api/v1/session", app.base)).header("content-type", "text/xml").body("<x/>").send().await.unwrap();
    let status = r.status();
    let body = r.text().await.unwrap();
    assert!(status.is_client_error() && body.contains("error") && !body.is_ascii(), "{status} {body}");
}

/// The audit trail: sign-ins (failed ones too, with the address), sign-outs, password
/// changes, every write with who and what, exports; the log page is for jurisdiction
/// administrators only; the log cannot be edited.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_log_records_who_did_what() {
    let app = app().await;
    // Served with the peer address, as `serve` does.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let router = web::router(app.store.clone(), domain::rules::Rules::default_rules(), domain::rules::DEFAULT_RULES.to_string());
    tokio::spawn(async move { axum::serve(listener, router.into_make_service_with_connect_info::<std::net::SocketAddr>()).await.unwrap() });
    let app = App { base, ..app };
    let c = browser();
    let form = c.get(format!("{}/login", app.base)).send().await.unwrap().text().await.unwrap();
    let csrf = hidden_csrf(&form);
    c.post(format!("{}/login", app.base)).form(&[("username", "sec"), ("password", "not-the-password"), ("csrf", &csrf)]).send().await.unwrap();
    let sec = login_page(&app, "sec").await;
    // A write through a form: training hours of a member of the branch.
    let page = sec.get(format!("{}/members/{}", app.base, app.a_member)).send().await.unwrap().text().await.unwrap();
    let csrf = hidden_csrf(&page);
    let r = sec
        .post(format!("{}/members/{}/training", app.base, app.a_member))
        .form(&[("csrf", csrf.as_str()), ("taken_on", "2026-11-20"), ("hours", "3"), ("channel", "集中学习"), ("topic", "审计测试专题")])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success() || r.status().is_redirection(), "{}", r.status());
    // An export.
    assert_eq!(get_status(&sec, format!("{}/orgs/{}/export/members", app.base, app.a)).await, StatusCode::OK);
    // The log page: administrators of the whole jurisdiction only.
    assert_eq!(get_status(&sec, format!("{}/admin/audit", app.base)).await, StatusCode::FORBIDDEN);
    let admin = login_page(&app, "admin").await;
    let log = admin.get(format!("{}/admin/audit?user=sec", app.base)).send().await.unwrap().text().await.unwrap();
    for expect in ["登录失败", "登录", "新增", "培训", "审计测试专题", "导出", "127.0.0.1"] {
        assert!(log.contains(expect), "the log shows {expect}");
    }
    let entries = app.store.audit_entries(None, Some("sec"), 100).await.unwrap();
    let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
    assert!(actions.contains(&"login_failed") && actions.contains(&"login") && actions.contains(&"insert") && actions.contains(&"export"), "{actions:?}");
    let failed = entries.iter().find(|e| e.action == "login_failed").unwrap();
    assert_eq!(failed.ip.as_deref(), Some("127.0.0.1"));
    // An administrator disables the secretary: logged under the administrator's name.
    let page = admin.get(format!("{}/admin/users", app.base)).send().await.unwrap().text().await.unwrap();
    let csrf = hidden_csrf(&page);
    let sec_id = app.store.user_by_name("sec").await.unwrap().id;
    let r = admin.post(format!("{}/admin/users/{sec_id}/disabled", app.base)).form(&[("csrf", csrf.as_str()), ("disabled", "1")]).send().await.unwrap();
    assert!(r.text().await.unwrap().contains("已停用"));
    assert_ne!(get_status(&sec, format!("{}/orgs", app.base)).await, StatusCode::OK, "a disabled user's session ends");
    let by_admin = app.store.audit_entries(None, Some("admin"), 100).await.unwrap();
    assert!(by_admin.iter().any(|e| e.action == "user_disabled" && e.target_id == Some(sec_id)));
    let r = admin.post(format!("{}/admin/users/{sec_id}/password", app.base)).form(&[("csrf", csrf.as_str()), ("password", "1234567890")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "the password policy applies to resets");
    // Append-only: the database itself refuses to change or delete an entry.
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(app.store.url()).await.unwrap();
    assert!(sqlx::query("UPDATE audit_log SET actor = 'x'").execute(&pool).await.is_err());
    assert!(sqlx::query("DELETE FROM audit_log").execute(&pool).await.is_err());
    pool.close().await;
}

/// The routes of the router, read from its source: (path, methods). A route added to the
/// router is in the matrix below without anyone remembering to add it.
fn routes() -> Vec<(String, Vec<&'static str>)> {
    let src = include_str!("../src/lib.rs");
    let start = src.find("Router::new()").expect("the router is built in lib.rs");
    let end = start + src[start..].find(".fallback(").expect("the router ends with its fallback");
    src[start..end]
        .split(".route(")
        .skip(1)
        .map(|seg| {
            let q = seg.find('"').unwrap() + 1;
            let path = seg[q..q + seg[q..].find('"').unwrap()].to_string();
            let rest = &seg[q..];
            let mut methods = Vec::new();
            for (m, needle) in [("GET", "get("), ("POST", "post("), ("DELETE", "delete(")] {
                if rest.contains(needle) {
                    methods.push(m);
                }
            }
            (path, methods)
        })
        .collect()
}

/// A 党小组长 sees the group's members, and whatever is listed opens; search, the
/// export and the API agree with the listing; the branch's and the department's pages are
/// refused in Chinese.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_group_leader_sees_the_group_and_everything_listed_opens() {
    let app = app().await;
    let c = login_page(&app, "grp").await;
    let r = c.get(format!("{}/orgs", app.base)).send().await.unwrap();
    assert_eq!(r.headers()["location"], format!("/orgs/{}", app.group).as_str(), "the group is the leader's one root");
    let page = c.get(format!("{}/orgs/{}", app.base, app.group)).send().await.unwrap().text().await.unwrap();
    let listed: Vec<i64> = page.split("href=\"/members/").skip(1).filter_map(|s| s[..s.find('"').unwrap()].parse().ok()).collect();
    let all = Scope::jurisdiction();
    let (expected, total) = app.store.org_members(&all, app.group, 0, 1000).await.unwrap();
    assert!(total > 1);
    assert_eq!(listed.len() as i64, total, "the page lists the group's members");
    for id in &listed {
        let r = c.get(format!("{}/members/{id}", app.base)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "listed member {id} opens");
        let body = r.text().await.unwrap();
        assert!(!body.contains(&format!("href=\"/orgs/{}\"", expected[0].org_id)), "the branch is named, not linked");
    }
    // Search finds the group's members by name, and nobody else's.
    let name = &expected[0].name;
    let found = c.get(format!("{}/search?q={name}", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(found.contains(&format!("/members/{}\"", expected[0].id)), "search finds a listed member");
    for id in found.split("href=\"/members/").skip(1).filter_map(|s| s[..s.find('"').unwrap()].parse::<i64>().ok()) {
        assert!(listed.contains(&id), "search finds only the group's members");
    }
    // The export holds the same members.
    let csv = c.get(format!("{}/orgs/{}/export/members?format=csv", app.base, app.group)).send().await.unwrap().text().await.unwrap();
    assert_eq!(csv.lines().skip(1).filter(|l| !l.trim().is_empty()).count() as i64, total, "export rows = listing");
    // So does the API.
    let tok = token(&app, "grp").await;
    let (s, v) = api(&app, &tok, &format!("/api/v1/orgs/{}/members", app.group)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["total"], total);
    // The branch and the department's work are refused, in Chinese.
    for path in ["/report", "/compliance", "/surveys", "/research", "/import", &format!("/orgs/{}", expected[0].org_id)] {
        let r = c.get(format!("{}{path}", app.base)).send().await.unwrap();
        assert!(r.status() == StatusCode::FORBIDDEN || r.status() == StatusCode::NOT_FOUND, "{path}: {}", r.status());
        assert!(r.text().await.unwrap().contains("党"), "{path}: a Chinese refusal");
    }
    // A group account must be bound to a group, and a group to a group account.
    let e = app.store.create_user("grp2", PW, Role::GroupLeader, Some(app.a), None).await.unwrap_err().to_string();
    assert!(e.contains("不是党小组"), "{e}");
    let e = app.store.create_user("sec2", PW, Role::Secretary, Some(app.group), None).await.unwrap_err().to_string();
    assert!(e.contains("group_leader"), "{e}");
}

/// Agreement between coders: the generated county double-codes some interviews; the
/// second coder's page is blind; a code added there moves the figures; κ is in range.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_coder_codes_blind_and_agreement_follows() {
    let app = app().await;
    let all = Scope::jurisdiction();
    generator::research::fieldwork(&app.store, &domain::rules::Rules::default_rules(), domain::rules::DEFAULT_RULES, 9, domain::Date::from_ymd_opt(2026, 11, 27).unwrap()).await.unwrap();
    let before = qualitative::agreement::agreement(&app.store, &all).await.unwrap();
    assert!(before.interviews > 0, "the generator double-codes a share of interviews");
    let used: Vec<_> = before.categories.iter().filter(|c| c.both + c.first_only + c.second_only > 0).collect();
    assert!(!used.is_empty());
    for c in &used {
        assert_eq!(c.both + c.first_only + c.second_only + c.neither, before.passages, "{}", c.category);
        if let Some(k) = c.kappa {
            assert!((-1.0..=1.0).contains(&k), "{}: {k}", c.category);
        }
    }
    assert!(used.iter().any(|c| c.kappa.is_some_and(|k| k > 0.6)), "mostly agreeing coders");
    assert!(!before.disagreements.is_empty(), "realistic disagreement to reconcile");
    let admin = login_page(&app, "admin").await;
    let page = admin.get(format!("{}/research/agreement", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("κ") && page.contains("不一致之处"));
    // The blind page of a coded interview shows neither the first coder's codes nor suggestions.
    // An interview already double-coded, so that the new code counts on known passages.
    let id = before.disagreements.first().map(|d| d.interview_id).unwrap();
    let blind = admin.get(format!("{}/interviews/{id}/review", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(!blind.contains("data-suggested") && !blind.contains("★可引用") && !blind.contains("标为可引用"), "blind");
    let csrf = hidden_csrf(&blind);
    let i = app.store.interview(&all, id).await.unwrap();
    let p = domain::research::passages(&i.notes).iter().position(|t| !t.starts_with('#')).unwrap();
    let r = admin.post(format!("{}/interviews/{id}/review", app.base)).form(&[("csrf", csrf.as_str()), ("passage", &p.to_string()), ("category", "funding"), ("action", "add")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let after = qualitative::agreement::agreement(&app.store, &all).await.unwrap();
    let f = |a: &qualitative::agreement::Agreement| a.categories.iter().find(|c| c.category == "funding").map(|c| (c.both, c.second_only)).unwrap();
    let (b0, s0) = f(&before);
    let (b1, s1) = f(&after);
    assert_eq!(b1 + s1, b0 + s0 + 1, "one more funding code by the second coder");
    let r = admin.post(format!("{}/interviews/{id}/review", app.base)).form(&[("csrf", csrf.as_str()), ("passage", &p.to_string()), ("category", "no_such"), ("action", "add")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

/// Every route × role × method: nobody reaches another branch's records, nobody reaches
/// anything signed out (but the public pages), no form is accepted without its CSRF token,
/// and nothing answers 500.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_role_and_method_keeps_to_its_scope() {
    let app = app().await;
    let routes = routes();
    assert!(routes.len() >= 90, "routes read from the router: {}", routes.len());
    const PUBLIC: [&str; 9] = ["/login", "/healthz", "/readyz", "/s/{token}", "/static/survey.js", "/static/picker.js", "/static/coding.js", "/api/openapi.json", "/api/v1/session"];
    // Path parameters point at branch B's records (outside the secretary's and member's
    // scope) where the kind is known, else at a record that does not exist.
    let fill = |path: &str| -> (String, bool) {
        let outside = if path.starts_with("/orgs/{id}") || path.starts_with("/api/v1/orgs/{id}") {
            Some(app.b)
        } else if path.starts_with("/members/{id}") || path.starts_with("/api/v1/members/{id}") {
            Some(app.b_member)
        } else if path.starts_with("/meetings/{id}") || path.starts_with("/api/v1/meetings/{id}") {
            Some(app.b_meeting)
        } else {
            None
        };
        let p = path
            .replace("{id}", &outside.unwrap_or(2_000_000_000).to_string())
            .replace("{kind}", "interviews")
            .replace("{unit}", "1")
            .replace("{file}", "qr.png")
            .replace("{token}", "no-such-token")
            .replace("{category}", "no_such_category")
            .replace("{coding}", "1");
        (p, outside.is_some())
    };
    let sec_pages = login_page(&app, "sec").await;
    let member_pages = login_page(&app, "member").await;
    let admin_pages = login_page(&app, "admin").await;
    let group_pages = login_page(&app, "grp").await;
    let (sec_tok, member_tok, admin_tok) = (token(&app, "sec").await, token(&app, "member").await, token(&app, "admin").await);
    let group_tok = token(&app, "grp").await;
    let mut checked = 0;
    let mut failures = Vec::new();
    for (path, methods) in &routes {
        let (url, of_b) = fill(path);
        let api = path.starts_with("/api/");
        for method in methods {
            let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
            let roles: [(&str, Client, Option<&str>); 5] = [
                ("signed out", browser(), None),
                ("member", member_pages.clone(), Some(&member_tok)),
                ("group leader", group_pages.clone(), Some(&group_tok)),
                ("secretary", sec_pages.clone(), Some(&sec_tok)),
                ("admin", admin_pages.clone(), Some(&admin_tok)),
            ];
            for (role, client, tok) in roles {
                let mut req = client.request(m.clone(), format!("{}{url}", app.base));
                if api {
                    if let Some(t) = tok.filter(|_| role != "signed out") {
                        req = req.bearer_auth(t);
                    }
                    if *method == "POST" {
                        req = req.json(&json!({}));
                    }
                } else if *method == "POST" {
                    // A form without its CSRF token.
                    req = req.form(&[("x", "1")]);
                }
                let status = req.send().await.unwrap().status();
                checked += 1;
                let mut bad = |why: &str| failures.push(format!("{method} {url} as {role}: {status} ({why})"));
                if status.is_server_error() {
                    bad("a server error");
                    continue;
                }
                let public = PUBLIC.contains(&path.as_str());
                if role == "signed out" && !public && (status.is_success() || (status.is_redirection() && !api && status != StatusCode::SEE_OTHER)) {
                    bad("reached signed out");
                }
                if !api && *method == "POST" && path != "/s/{token}" && (status.is_success() || status.is_redirection()) && !(role == "signed out" && status == StatusCode::SEE_OTHER) {
                    bad("a form accepted without its CSRF token");
                }
                if of_b && role != "admin" && role != "signed out" && (status.is_success() || status.is_redirection()) {
                    bad("another branch's record reached");
                }
                if role == "group leader" && !web::group_leader_may(&m, &url) && status != StatusCode::FORBIDDEN {
                    bad("a branch's or the department's page open to a 党小组长");
                }
                if path.starts_with("/admin/") && role != "admin" && role != "signed out" && status != StatusCode::FORBIDDEN {
                    bad("administration open to a non-administrator");
                }
            }
        }
    }
    eprintln!("scope matrix: {} routes, {checked} requests", routes.len());
    assert!(failures.is_empty(), "{} of {checked}:\n{}", failures.len(), failures.join("\n"));
}

/// The bad-input corpus (tests/bad-input.tsv): each case through the API and, where the
/// record has a form, through the form. Each is refused with a Chinese message naming the
/// problem, and no table gains or loses a row. Afterwards each valid body is accepted, so
/// every refusal was for the value planted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_corpus_is_refused_and_changes_nothing() {
    let app = app().await;
    let tok = token(&app, "sec").await;
    let sec = login_page(&app, "sec").await;
    let page = sec.get(format!("{}/members/{}", app.base, app.a_member)).send().await.unwrap().text().await.unwrap();
    let csrf = hidden_csrf(&page);
    let fill = |p: &str| p.replace("{a_member}", &app.a_member.to_string()).replace("{a}", &app.a.to_string());
    let chinese = |s: &str| s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    let english = ["Failed to", "invalid type", "expected", "missing field", "EOF while", "trailing", "Error"];
    let mut cases = 0;
    let mut failures = Vec::new();
    let mut bases: Vec<(String, Value)> = Vec::new();
    for line in include_str!("bad-input.tsv").lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()) {
        let cols: Vec<&str> = line.split('\t').collect();
        let (api_path, form_path, base, field, value) = (fill(cols[0]), fill(cols[1]), cols[2], cols[3], cols[4]);
        let value: Value = serde_json::from_str(value).unwrap();
        let body = if base == "RAW" {
            value.as_str().unwrap().to_string()
        } else {
            let mut b: Value = serde_json::from_str(base).unwrap();
            if !bases.iter().any(|(p, _)| *p == api_path) {
                bases.push((api_path.clone(), b.clone()));
            }
            b[field] = value.clone();
            b.to_string()
        };
        let before = app.store.table_counts().await.unwrap();
        let r = Client::new().post(format!("{}{api_path}", app.base)).bearer_auth(&tok).header("content-type", "application/json").body(body.clone()).send().await.unwrap();
        let status = r.status();
        let text = r.text().await.unwrap();
        cases += 1;
        let msg = serde_json::from_str::<Value>(&text).ok().and_then(|v| v["error"].as_str().map(str::to_string)).unwrap_or_default();
        if !status.is_client_error() || !chinese(&msg) || english.iter().any(|e| msg.contains(e)) {
            failures.push(format!("API {api_path} {field}={value}: {status} {text}"));
        }
        if app.store.table_counts().await.unwrap() != before {
            failures.push(format!("API {api_path} {field}={value}: a refused request changed the data"));
        }
        // The same value typed into the form, where a form exists and a form can carry it.
        // A form carries text only: a JSON number or list has no form counterpart (and
        // "20260305" typed into a form is a date people write).
        let typed = match &value {
            Value::String(s) => Some(Some(s.clone())),
            Value::Null => Some(None),
            _ => None,
        };
        if form_path.is_empty() || base == "RAW" {
            continue;
        }
        let Some(typed) = typed else { continue };
        let b: Value = serde_json::from_str(base).unwrap();
        let mut form: Vec<(String, String)> = vec![("csrf".into(), csrf.clone())];
        for (k, v) in b.as_object().unwrap() {
            let v = if k == field { typed.clone() } else { v.as_str().map(str::to_string) };
            if let Some(v) = v {
                form.push((k.clone(), v));
            }
        }
        let r = sec.post(format!("{}{form_path}", app.base)).form(&form).send().await.unwrap();
        let status = r.status();
        let html = r.text().await.unwrap();
        cases += 1;
        if status != StatusCode::UNPROCESSABLE_ENTITY || !html.contains("未保存") {
            failures.push(format!("form {form_path} {field}={value}: {status}"));
        }
        if app.store.table_counts().await.unwrap() != before {
            failures.push(format!("form {form_path} {field}={value}: a refused form changed the data"));
        }
    }
    eprintln!("bad-input corpus: {cases} cases");
    assert!(cases >= 150, "{cases} cases");
    assert!(failures.is_empty(), "{} of {cases}:\n{}", failures.len(), failures.join("\n"));
    for (path, body) in bases {
        let r = Client::new().post(format!("{}{path}", app.base)).bearer_auth(&tok).json(&body).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::CREATED, "the valid body of {path} is accepted: {}", r.text().await.unwrap());
    }
}

/// A meeting recorded through the API brings the branch's and its ancestors' figures in
/// the year's cached indicator run up to date (in the background, without a recomputation).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recorded_meeting_updates_the_years_figures() {
    let app = app().await;
    let rules = domain::rules::Rules::default_rules();
    let as_of = domain::Date::from_ymd_opt(2026, 11, 27).unwrap();
    let run = indicators::run_for(&app.store, &rules, 2026, as_of, true).await.unwrap();
    let all = Scope::jurisdiction();
    let branch = app.store.org(&all, app.a).await.unwrap();
    let root: i64 = branch.path.split('/').find(|x| !x.is_empty()).unwrap().parse().unwrap();
    let days = |t: std::collections::HashMap<String, f64>| t.get("meetings.themed_days").copied().unwrap_or(0.0);
    let (before_branch, before_root) = (days(app.store.measure_totals(&all, run.id, app.a).await.unwrap()), days(app.store.measure_totals(&all, run.id, root).await.unwrap()));
    let sec = token(&app, "sec").await;
    let r = Client::new()
        .post(format!("{}/api/v1/meetings", app.base))
        .bearer_auth(sec)
        .json(&json!({"org_id": app.a, "kind": "主题党日", "held_on": "2026-10-20", "topic": "指标随登记更新", "form": "集中学习", "attendance": [{"member_id": app.a_member, "present": true}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let mut now = (before_branch, before_root);
    for _ in 0..100 {
        now = (days(app.store.measure_totals(&all, run.id, app.a).await.unwrap()), days(app.store.measure_totals(&all, run.id, root).await.unwrap()));
        if now != (before_branch, before_root) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(now, (before_branch + 1.0, before_root + 1.0), "the branch and the root count the new 主题党日");
}
