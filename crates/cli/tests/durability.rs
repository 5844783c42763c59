//! Durability as an operator meets it: the server is killed with SIGKILL (kill -9) while
//! an API client writes, on SQLite and on PostgreSQL. Every write the server acknowledged
//! (201) is in the database afterwards, and the database opens again.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use testkit::Db;

const PW: &str = "durable-password-1";

fn dangjian(db: &str, args: &[&str], stdin: Option<&str>) {
    use std::io::Write;
    let mut c = Command::new(env!("CARGO_BIN_EXE_dangjian")).arg("--db").arg(db).args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    if let Some(s) = stdin {
        c.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
    }
    let o = c.wait_with_output().unwrap();
    assert!(o.status.success(), "dangjian {args:?}: {}", String::from_utf8_lossy(&o.stderr));
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

async fn serve(db: &str, port: u16) -> Child {
    let child = Command::new(env!("CARGO_BIN_EXE_dangjian"))
        .args(["--db", db, "serve", "--bind", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while reqwest::get(format!("http://127.0.0.1:{port}/readyz")).await.map(|r| !r.status().is_success()).unwrap_or(true) {
        assert!(started.elapsed() < Duration::from_secs(60), "the server did not start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    child
}

async fn codes_in(db: &str) -> Vec<String> {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(db).await.unwrap();
    let codes: Vec<String> = sqlx::query_scalar("SELECT code FROM orgs").fetch_all(&pool).await.unwrap();
    pool.close().await;
    codes
}

async fn kill_9_loses_no_acknowledged_write(db: Db) {
    let Some(url) = testkit::fresh_url(db).await else { return };
    dangjian(&url, &["migrate"], None);
    dangjian(&url, &["user", "create", "--username", "admin", "--role", "admin"], Some(PW));
    for trial in 0..2 {
        let port = free_port();
        let mut server = serve(&url, port).await;
        let base = format!("http://127.0.0.1:{port}");
        let client = reqwest::Client::new();
        let login: serde_json::Value = client.post(format!("{base}/api/v1/session")).json(&serde_json::json!({"username": "admin", "password": PW})).send().await.unwrap().json().await.unwrap();
        let token = login["token"].as_str().unwrap().to_string();
        // Writers acknowledge organisations one after another; the server dies under them.
        let writer = {
            let (client, base, token) = (client.clone(), base.clone(), token.clone());
            tokio::spawn(async move {
                let mut acknowledged = Vec::new();
                for n in 0.. {
                    let code = format!("K{trial}{n:05}");
                    let body = serde_json::json!({"code": code, "name": format!("测试党委{trial}-{n}"), "level": "地方党委", "sector": "机关", "parent_id": null, "region_code": "330122"});
                    match client.post(format!("{base}/api/v1/orgs")).bearer_auth(&token).json(&body).send().await {
                        Ok(r) if r.status() == reqwest::StatusCode::CREATED => acknowledged.push(code),
                        Ok(r) => panic!("refused: {} {}", r.status(), r.text().await.unwrap_or_default()),
                        Err(_) => break,
                    }
                }
                acknowledged
            })
        };
        tokio::time::sleep(Duration::from_millis(700 + 300 * trial)).await;
        server.kill().unwrap(); // SIGKILL
        server.wait().unwrap();
        let acknowledged = writer.await.unwrap();
        assert!(acknowledged.len() > 5, "the writer got going ({} writes)", acknowledged.len());
        let stored = codes_in(&url).await;
        let lost: Vec<&String> = acknowledged.iter().filter(|c| !stored.contains(c)).collect();
        assert!(lost.is_empty(), "trial {trial}: {} of {} acknowledged writes lost: {lost:?}", lost.len(), acknowledged.len());
        eprintln!("{db:?} trial {trial}: {} acknowledged writes, all kept after kill -9", acknowledged.len());
    }
    // And it starts again on what was left.
    let port = free_port();
    let mut server = serve(&url, port).await;
    server.kill().unwrap();
    server.wait().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_loses_no_acknowledged_write_sqlite() {
    kill_9_loses_no_acknowledged_write(Db::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_loses_no_acknowledged_write_postgres() {
    kill_9_loses_no_acknowledged_write(Db::Postgres).await;
}
