//! The audit log on both databases: a write is logged with who made it, in its own
//! transaction (a refused write leaves no entry); an update names old and new values;
//! the log refuses to be changed.

use domain::member::LeaveReason;
use domain::Date;
use store::{Actor, Scope};
use testkit::{both, Db};

async fn writes_are_logged_with_their_actor_and_refusals_are_not(db: Db) {
    let Some(store) = testkit::generated(db, 41).await else { return };
    let zhang = Actor { user_id: None, name: "张审计".into() };
    let all = Scope::jurisdiction().by(zhang.clone());
    let branch = store.branches_with_members(&all, None, 2, 10).await.unwrap()[0].clone();
    let members = store.org_members(&all, branch.id, 0, 2).await.unwrap().0;
    let on = Date::from_ymd_opt(2026, 11, 1).unwrap();
    store.member_leave(&all, members[0].id, on, LeaveReason::TransferredOut, None).await.unwrap();
    // Refused (already left): nothing written, nothing logged.
    assert!(store.member_leave(&all, members[0].id, on, LeaveReason::TransferredOut, None).await.is_err());
    let entries = store.audit_entries(None, Some("张审计"), 10).await.unwrap();
    assert_eq!(entries.len(), 1, "{entries:?}");
    let e = &entries[0];
    assert_eq!((e.action.as_str(), e.target.as_deref(), e.target_id), ("update", Some("members"), Some(members[0].id)));
    assert_eq!(e.detail["减少日期"], serde_json::json!([null, "2026-11-01"]));
    // Since a date, and of nobody else.
    assert_eq!(store.audit_entries(Some("2999-01-01"), None, 10).await.unwrap().len(), 0);
    assert_eq!(store.audit_entries(None, Some("李某"), 10).await.unwrap().len(), 0);
    // Append-only in the database itself.
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(store.url()).await.unwrap();
    let e = sqlx::query("UPDATE audit_log SET actor = 'x'").execute(&pool).await.unwrap_err();
    assert!(e.to_string().contains("只能追加"), "{e}");
    // As a store error, the trigger's own (Chinese) message is what the user reads.
    let shown = store::StoreError::from(e).to_string();
    assert!(shown.starts_with("数据库操作失败：审计日志只能追加") && shown.contains("数据库错误代码"), "{shown}");
    assert!(sqlx::query("DELETE FROM audit_log").execute(&pool).await.is_err());
    pool.close().await;
}
both!(writes_are_logged_with_their_actor_and_refusals_are_not);
