//! Personal data at rest: what the database files hold is sealed; users see the same data
//! as before; duplicates are still found through the blind index; a key rotation
//! re-seals everything; a database whose key is missing is refused with the reason; a
//! database written before sealing is sealed when first opened.

use domain::member::NewMemberInput;
use domain::Date;
use store::{NewAttachment, Scope, Store, StoreError};
use testkit::{both, Db};

fn member(org_id: i64, cid: &str, phone: &str) -> NewMemberInput {
    NewMemberInput {
        org_id: Some(org_id),
        name: "封存测试".into(),
        sex: "女".into(),
        ethnicity: "汉族".into(),
        birth_date: "1980-02-03".into(),
        citizen_id: cid.into(),
        education: "大学本科".into(),
        occupation: "工人".into(),
        phone: Some(phone.into()),
        joined_on: "2005-07-01".into(),
        full_on: Some("2006-07-01".into()),
        status: "正式党员".into(),
        ..Default::default()
    }
}

async fn raw(url: &str, sql: &str) -> Vec<String> {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(url).await.unwrap();
    let rows: Vec<String> = sqlx::query_scalar(sql).fetch_all(&pool).await.unwrap();
    pool.close().await;
    rows
}

async fn exec(url: &str, sql: &str) {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(url).await.unwrap();
    sqlx::query(sql).execute(&pool).await.unwrap();
    pool.close().await;
}

fn looks_like_id_or_phone(v: &str) -> bool {
    let digits: String = v.chars().filter(|c| c.is_ascii_digit()).collect();
    v.len() == 18 && digits.len() >= 17 || v.len() == 11 && v.starts_with('1') && digits.len() == 11
}

async fn personal_data_is_sealed_and_users_see_it_as_before(db: Db) {
    let Some(mut store) = testkit::generated(db, 31).await else { return };
    let url = store.url().to_string();
    let all = Scope::jurisdiction();
    let branch = store.branches_with_members(&all, None, 1, 10).await.unwrap()[0].clone();
    let cid = domain::CitizenId::compose("330122", Date::from_ymd_opt(1980, 2, 3).unwrap(), 518).reveal().to_string();
    let m = store.insert_member(&all, &member(branch.id, &cid, "13912345678")).await.unwrap();
    assert_eq!((m.citizen_id.reveal(), m.phone.as_deref()), (cid.as_str(), Some("13912345678")));

    // Nothing in the tables reads as a citizen ID or a phone number.
    for sql in ["SELECT citizen_id FROM members", "SELECT phone FROM members WHERE phone IS NOT NULL", "SELECT citizen_id FROM development"] {
        let values = raw(&url, sql).await;
        assert!(!values.is_empty() || sql.contains("development"), "{sql}");
        assert!(values.iter().all(|v| !looks_like_id_or_phone(v) && v.starts_with("dj1:")), "{sql}: {:?}", values.iter().find(|v| looks_like_id_or_phone(v)));
    }
    // An attachment's bytes are sealed too, and come back whole.
    let doc = domain::research::DocumentInput {
        title: "封存测试文件".into(),
        kind: domain::research::DocumentKind::Policy,
        issuer: "县委组织部".into(),
        doc_number: "".into(),
        issued_on: None,
        url: "".into(),
        summary: "".into(),
        requirements: vec![],
    };
    let secret = "附件正文：张三 330122198002035170".as_bytes().to_vec();
    let doc_id = store.insert_document(&doc, &[NewAttachment { file_name: "a.txt".into(), media_type: "text/plain".into(), bytes: secret.clone() }], &[], None).await.unwrap();
    let a = store.attachments(&all, "document", doc_id).await.unwrap()[0].clone();
    assert_eq!(store.attachment(&all, a.id).await.unwrap().1, secret);
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&url).await.unwrap();
    let stored: Vec<u8> = sqlx::query_scalar(&format!("SELECT content FROM attachments WHERE id = {}", a.id)).fetch_one(&pool).await.unwrap();
    pool.close().await;
    let holds = |needle: &[u8]| stored.windows(needle.len()).any(|w| w == needle);
    assert!(!holds(b"330122198002035170") && !holds("张三".as_bytes()));

    // A second entry of the same person is refused through the blind index.
    let e = store.insert_member(&all, &member(branch.id, &cid, "")).await.unwrap_err().to_string();
    assert!(e.contains("已登记过党员信息"), "{e}");
    // …and by it alone: no second unique index over the sealed text (migration 22).
    let unique = if url.starts_with("sqlite") {
        "SELECT name FROM pragma_index_list('members') WHERE \"unique\" = 1 AND origin <> 'pk'"
    } else {
        "SELECT indexname::text FROM pg_indexes WHERE tablename = 'members' AND indexdef LIKE 'CREATE UNIQUE%' AND indexname <> 'members_pkey'"
    };
    assert_eq!(raw(&url, unique).await, vec!["members_citizen_idx".to_string()]);

    // Rotation: everything re-sealed under a new key, still read the same.
    let before_rows = raw(&url, "SELECT citizen_id FROM members ORDER BY id").await;
    let old = store.key_id().to_string();
    let n = store.reseal(testkit::key().rotated()).await.unwrap();
    assert!(n.people > 4000 && n.attachments == 1, "{n:?}");
    assert_ne!(store.key_id(), old);
    let after_rows = raw(&url, "SELECT citizen_id FROM members ORDER BY id").await;
    assert!(before_rows.iter().zip(&after_rows).all(|(a, b)| a != b), "every value re-sealed");
    let (again, _) = store.member(&all, m.id).await.unwrap();
    assert_eq!((again.citizen_id.reveal(), again.phone.as_deref()), (cid.as_str(), Some("13912345678")));
    assert_eq!(store.attachment(&all, a.id).await.unwrap().1, secret);
    assert!(store.insert_member(&all, &member(branch.id, &cid, "")).await.is_err(), "the blind index follows the new key");
    // The old key alone no longer opens the database.
    store.close().await;
    let e = match Store::open_with_key(&url, testkit::key()).await {
        Err(StoreError::Key(e)) => e,
        other => panic!("expected a key error, got {:?}", other.map(|_| ())),
    };
    assert!(e.contains(store.key_id()) && e.contains("DANGJIAN_KEY_FILE"), "{e}");
}
both!(personal_data_is_sealed_and_users_see_it_as_before);

/// A database written before sealing (clear IDs, phones and attachments, no key named) is
/// sealed when first opened, and reads as before.
async fn a_database_from_before_sealing_is_sealed_on_open(db: Db) {
    let Some(store) = testkit::generated(db, 32).await else { return };
    let url = store.url().to_string();
    let all = Scope::jurisdiction();
    let branch = store.branches_with_members(&all, None, 1, 10).await.unwrap()[0].clone();
    let (m, _) = store.org_members(&all, branch.id, 0, 1).await.unwrap().0.into_iter().next().map(|m| (m, ())).unwrap();
    store.close().await;
    // As an older version left it: this member in clear, no key named.
    exec(&url, &format!("UPDATE members SET citizen_id = '{}', phone = '13700000001', citizen_idx = NULL WHERE id = {}", m.citizen_id.reveal(), m.id)).await;
    exec(&url, "DELETE FROM vault_state").await;
    let store = testkit::open(&url).await;
    let (again, _) = store.member(&all, m.id).await.unwrap();
    assert_eq!((again.citizen_id.reveal(), again.phone.as_deref()), (m.citizen_id.reveal(), Some("13700000001")));
    let stored = raw(&url, &format!("SELECT citizen_id FROM members WHERE id = {}", m.id)).await;
    assert!(stored[0].starts_with("dj1:"), "{stored:?}");
}
both!(a_database_from_before_sealing_is_sealed_on_open);

/// The key file: created beside a new SQLite database, private; a copy of the database
/// without it is refused with the reason; with it, it opens.
#[tokio::test]
async fn the_key_file_goes_with_the_database() {
    let dir = std::env::temp_dir().join(testkit::unique("keys"));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("county.db").display());
    let store = Store::open(&url).await.unwrap();
    let key = dir.join("county.key");
    assert!(key.exists(), "a key file is made for a new database");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&key).unwrap().permissions().mode() & 0o777, 0o600);
    }
    assert_eq!(store.key_source(), &store::KeySource::File(key.clone()));
    let copy = dir.join("copy.db");
    exec(&url, &format!("VACUUM INTO '{}'", copy.display())).await;
    store.close().await;
    let copy_url = format!("sqlite://{}", copy.display());
    let e = Store::open(&copy_url).await.err().expect("no key, no database").to_string();
    assert!(e.contains("找不到密钥文件") && e.contains("copy.key"), "{e}");
    assert!(!dir.join("copy.key").exists(), "no new key is made for a database sealed with another");
    std::fs::copy(&key, dir.join("copy.key")).unwrap();
    let opened = Store::open(&copy_url).await.unwrap();
    assert_eq!(opened.key_id(), Store::open(&url).await.unwrap().key_id());
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A SQLite database from before migration 22 (UNIQUE on the sealed citizen ID) is rebuilt
/// without it on open, keeping every row, id and index, with foreign keys intact.
#[tokio::test]
async fn the_unique_on_sealed_ids_is_dropped_keeping_every_row() {
    let Some(store) = testkit::generated(Db::Sqlite, 33).await else { return };
    let url = store.url().to_string();
    store.close().await;
    let before = raw(&url, "SELECT id || ':' || citizen_id || ':' || citizen_idx FROM members ORDER BY id").await;
    // Put the old constraint back, as migration 1 made it, and forget migration 22.
    sqlx::any::install_default_drivers();
    let pool = sqlx::any::AnyPoolOptions::new().max_connections(1).connect(&url).await.unwrap();
    let create: String = sqlx::query_scalar("SELECT sql FROM sqlite_master WHERE name = 'members'").fetch_one(&pool).await.unwrap();
    let indexes: Vec<String> = sqlx::query_scalar("SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'members' AND sql IS NOT NULL").fetch_all(&pool).await.unwrap();
    let old = format!("CREATE TABLE members_old {}", &create[create.find('(').unwrap()..]).replacen("citizen_id TEXT NOT NULL", "citizen_id TEXT NOT NULL UNIQUE", 1);
    for sql in ["PRAGMA foreign_keys = OFF", &old, "INSERT INTO members_old SELECT * FROM members", "DROP TABLE members", "ALTER TABLE members_old RENAME TO members", "DELETE FROM schema_migrations WHERE version = 22"] {
        sqlx::query(sql).execute(&pool).await.unwrap();
    }
    for sql in &indexes {
        sqlx::query(sql).execute(&pool).await.unwrap();
    }
    pool.close().await;
    assert_eq!(raw(&url, "SELECT name FROM pragma_index_list('members') WHERE origin = 'u'").await.len(), 1, "the old constraint is back");
    let store = testkit::open(&url).await;
    store.close().await;
    assert!(raw(&url, "SELECT name FROM pragma_index_list('members') WHERE origin = 'u'").await.is_empty());
    assert_eq!(raw(&url, "SELECT id || ':' || citizen_id || ':' || citizen_idx FROM members ORDER BY id").await, before);
    assert_eq!(raw(&url, "SELECT name FROM pragma_index_list('members') ORDER BY name").await, vec!["members_citizen_idx", "members_group", "members_org"]);
    assert!(raw(&url, "SELECT \"table\" FROM pragma_foreign_key_check").await.is_empty());
}

/// A file that is not a database: the error says so in Chinese, with what to do, and none
/// of the driver's English reaches the user.
#[tokio::test]
async fn a_file_that_is_not_a_database_is_explained_in_chinese() {
    let dir = std::env::temp_dir().join(testkit::unique("notadb"));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("名册.db");
    std::fs::write(&file, "这不是数据库，是一份写错了扩展名的名册。".repeat(200)).unwrap();
    let err = store::Store::open(&format!("sqlite://{}", file.display())).await.err().expect("refused");
    let msg = err.to_string();
    assert!(msg.contains("不是 SQLite 数据库") && msg.contains("dangjian restore") && msg.contains("名册.db"), "{msg}");
    assert!(!msg.contains("file is not a database") && !msg.contains("error returned"), "{msg}");
    std::fs::remove_dir_all(&dir).unwrap();
}
