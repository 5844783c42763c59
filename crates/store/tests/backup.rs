//! Backup and restore on both databases: a backup taken while writes go on is a
//! consistent snapshot (its manifest matches what is restored, and every write
//! acknowledged before it began is in it); a target holding data is refused unless
//! forced; a backup that does not match its manifest is refused.

use store::Store;
use testkit::{both, Db};

async fn backup_while_writing_restores_exactly(db: Db) {
    let Some(store) = testkit::generated(db, 21).await else { return };
    let dir = std::env::temp_dir().join(testkit::unique("backup"));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(if db == Db::Sqlite { "b.db" } else { "b.dump" });
    // A writer acknowledges one new user after another while the backup runs.
    let writer = {
        let store = store.clone();
        tokio::spawn(async move {
            let mut n = 0;
            while n < 400 {
                store.create_user(&format!("w{n}"), "a-long-password-1", domain::user::Role::Admin, None, None).await.unwrap();
                n += 1;
                tokio::time::sleep(std::time::Duration::from_millis(2)).await;
            }
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let before = store.table_digests().await.unwrap().into_iter().find(|t| t.table == "users").unwrap().rows;
    let manifest = store.backup(&file).await.unwrap();
    writer.await.unwrap();
    let users = manifest.tables.iter().find(|t| t.table == "users").unwrap().rows;
    assert!(users >= before, "every user written before the backup began is in it ({users} < {before})");
    assert!(manifest.tables.iter().any(|t| t.table == "members" && t.rows > 1000));
    assert!(store.backup(&file).await.unwrap_err().to_string().contains("已存在"), "never overwrites");

    // Restored into a fresh database: counts and digests as the manifest says.
    let target = testkit::fresh_url(db).await.unwrap();
    let restored = Store::restore(&file, &target, false).await.unwrap();
    assert_eq!(restored.tables, manifest.tables);
    let again = testkit::open(&target).await;
    assert_eq!(again.table_digests().await.unwrap().iter().find(|t| t.table == "users").unwrap().rows, users);
    again.close_cleanly().await;
    // Not over data without --force; with it, yes.
    let e = Store::restore(&file, &target, false).await.unwrap_err().to_string();
    assert!(e.contains("已有数据") && e.contains("--force"), "{e}");
    Store::restore(&file, &target, true).await.unwrap();
    // A manifest that does not match what is restored is reported table by table.
    let path = store::manifest_path(&file);
    let text = std::fs::read_to_string(&path).unwrap();
    let mut m: store::Manifest = serde_json::from_str(&text).unwrap();
    m.tables.iter_mut().find(|t| t.table == "meetings").unwrap().rows += 1;
    std::fs::write(&path, serde_json::to_string(&m).unwrap()).unwrap();
    let e = Store::restore(&file, &target, true).await.unwrap_err().to_string();
    assert!(e.contains("与备份清单不一致") && e.contains("meetings"), "{e}");
    // Not a backup at all, and a backup of the other kind.
    std::fs::write(dir.join("x.db"), b"hello").unwrap();
    std::fs::write(store::manifest_path(&dir.join("x.db")), &text).unwrap();
    assert!(Store::restore(&dir.join("x.db"), &target, true).await.unwrap_err().to_string().contains("不是 dangjian 的备份文件"));
    let other = if db == Db::Sqlite { "postgres://u@localhost/none" } else { "sqlite:///tmp/none.db" };
    std::fs::write(&path, &text).unwrap();
    assert!(Store::restore(&file, other, true).await.unwrap_err().to_string().contains("只能恢复到同类数据库"));
    store.close_cleanly().await;
    let _ = std::fs::remove_dir_all(&dir);
}
both!(backup_while_writing_restores_exactly);
