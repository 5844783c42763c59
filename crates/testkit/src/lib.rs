//! Test support shared by the suites that run on both databases: a fresh store of each
//! kind (PostgreSQL when `DANGJIAN_TEST_PG_URL` is set; CI also sets `DANGJIAN_REQUIRE_PG=1`
//! so that a missing PostgreSQL fails instead of skipping), a generated small county, and
//! [`both!`] to declare one test per backend.

pub mod plant;

use store::Store;

/// The as-of date of generated test data.
pub const AS_OF: &str = "2026-11-27";

pub fn as_of() -> domain::Date {
    domain::Date::parse_from_str(AS_OF, "%Y-%m-%d").expect("valid date")
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Db {
    Sqlite,
    Postgres,
}

/// Removes what earlier test processes left in the temporary folder: `dj_…` databases,
/// key files and folders, and servers' `dangjian-…` work folders, named with the id of a
/// process that is no longer running (and untouched for a minute). Tests cannot clean up
/// after themselves when they fail or are killed; without this, runs fill the disk.
/// Runs once per process.
pub fn sweep_stale() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else { return };
        let me = std::process::id();
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let rest = match (name.strip_prefix("dj_"), name.strip_prefix("dangjian-")) {
                (Some(r), _) | (_, Some(r)) => r.to_string(),
                _ => continue,
            };
            // The process id is the first all-digit part of the name.
            let Some(pid) = rest.split(['_', '.', '-']).find(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit())).and_then(|t| t.parse::<u32>().ok()) else { continue };
            let alive = pid == me || std::path::Path::new(&format!("/proc/{pid}")).exists();
            let old = e.metadata().and_then(|m| m.modified()).map(|t| t.elapsed().unwrap_or_default() > std::time::Duration::from_secs(60)).unwrap_or(false);
            if !alive && old {
                let p = e.path();
                let _ = if p.is_dir() { std::fs::remove_dir_all(&p) } else { std::fs::remove_file(&p) };
            }
        }
    });
}

/// A name no other test of this process uses.
pub fn unique(tag: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    sweep_stale();
    format!("dj_{tag}_{}_{}", std::process::id(), N.fetch_add(1, Ordering::SeqCst))
}

/// The URL of a new, empty database; `None` when PostgreSQL is not configured.
pub async fn fresh_url(db: Db) -> Option<String> {
    match db {
        Db::Sqlite => {
            let path = std::env::temp_dir().join(format!("{}.db", unique("store")));
            Some(format!("sqlite://{}", path.display()))
        }
        Db::Postgres => {
            let Ok(base) = std::env::var("DANGJIAN_TEST_PG_URL") else {
                assert!(std::env::var("DANGJIAN_REQUIRE_PG").is_err(), "DANGJIAN_REQUIRE_PG is set but DANGJIAN_TEST_PG_URL is not");
                eprintln!("跳过 PostgreSQL 测试：未设置 DANGJIAN_TEST_PG_URL（运行 scripts/pg-start.sh 获取）");
                return None;
            };
            let name = unique("t");
            use sqlx::Connection;
            let mut admin = sqlx::PgConnection::connect(&base).await.expect("connect to PostgreSQL test database");
            sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut admin).await.expect("create database");
            match base.rfind('/') {
                Some(i) => Some(format!("{}/{name}", &base[..i])),
                None => panic!("bad DANGJIAN_TEST_PG_URL"),
            }
        }
    }
}

/// The key every test store is sealed with: one key, so that data generated into two
/// databases (or a database and its copy) compares equal. Tests of the key file itself
/// open with [`Store::open`].
pub fn key() -> store::Keyring {
    store::Keyring::from_master([0x42; 32])
}

/// Opens (and migrates) the test database at `url` with the test key.
pub async fn open(url: &str) -> Store {
    Store::open_with_key(url, key()).await.expect("open store")
}

/// A fresh, empty store of the given kind.
pub async fn fresh(db: Db) -> Option<Store> {
    let url = fresh_url(db).await?;
    Some(open(&url).await)
}

/// A generated small county (about 5 000 members) with the given seed.
pub async fn generated(db: Db, seed: u64) -> Option<Store> {
    Some(generated_in(db, seed, generator::Climate::Typical).await?.0)
}

/// A generated small county in the given climate, with its database URL (for tests that
/// recount figures from the raw tables).
pub async fn generated_in(db: Db, seed: u64, climate: generator::Climate) -> Option<(Store, String)> {
    let url = fresh_url(db).await?;
    let store = open(&url).await;
    let opts = generator::Options { scale: generator::Scale::Small, seed, as_of: as_of(), rules: domain::rules::Rules::default_rules(), climate };
    generator::generate(&store, &opts, &mut |_, _, _| {}).await.expect("generate");
    Some((store, url))
}

/// Declares one test per backend for `async fn name(db: Db)` in the calling module.
#[macro_export]
macro_rules! both {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::Db::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name($crate::Db::Postgres).await
            }
        }
    };
}

/// The project's test Python (`.venv-test`, made by scripts/install-deps.sh) when it has
/// `modules`; `None` (the check is skipped) unless `DANGJIAN_REQUIRE_PYREADSTAT` is set,
/// as CI does, in which case a missing module fails the test.
/// Converts `input` with LibreOffice (`soffice --convert-to FORMAT`) into `dir`, as a user
/// opening and saving the file would: the converted file, or `None` when LibreOffice is not
/// installed (CI installs it and sets DANGJIAN_REQUIRE_LIBREOFFICE=1, so there it must run).
pub fn libreoffice_convert(input: &std::path::Path, format: &str, dir: &std::path::Path) -> Option<std::path::PathBuf> {
    let have = std::process::Command::new("soffice").arg("--version").output().is_ok_and(|o| o.status.success());
    if !have {
        assert!(std::env::var("DANGJIAN_REQUIRE_LIBREOFFICE").is_err(), "DANGJIAN_REQUIRE_LIBREOFFICE is set but soffice is missing (scripts/install-deps.sh)");
        eprintln!("跳过 LibreOffice 转换（未安装 soffice）");
        return None;
    }
    // A profile of its own, so parallel conversions do not share LibreOffice's lock.
    let profile = format!("-env:UserInstallation=file://{}", dir.join("lo-profile").display());
    let out = std::process::Command::new("soffice").args([profile.as_str(), "--headless", "--norestore", "--convert-to", format, "--outdir"]).arg(dir).arg(input).output().unwrap();
    assert!(out.status.success(), "soffice: {}", String::from_utf8_lossy(&out.stderr));
    let ext = format.split(':').next().unwrap();
    let produced = dir.join(input.file_stem().unwrap()).with_extension(ext);
    assert!(produced.exists(), "LibreOffice could not open {}: {}", input.display(), String::from_utf8_lossy(&out.stdout));
    Some(produced)
}

pub fn python(modules: &[&str]) -> Option<std::path::PathBuf> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.venv-test/bin/python");
    let import = format!("import {}", modules.join(", "));
    let ok = p.exists() && std::process::Command::new(&p).args(["-c", &import]).status().map(|s| s.success()).unwrap_or(false);
    if !ok {
        assert!(std::env::var("DANGJIAN_REQUIRE_PYREADSTAT").is_err(), "DANGJIAN_REQUIRE_PYREADSTAT is set but .venv-test lacks {modules:?} (run scripts/install-deps.sh)");
        eprintln!("跳过 Python 校验（缺少 {modules:?}）：运行 scripts/install-deps.sh 安装");
        return None;
    }
    Some(p)
}
