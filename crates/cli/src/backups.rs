//! Scheduled backups while the server runs (`serve --backup-dir`): one every interval,
//! named by its time, keeping the newest N (with their manifests).

use anyhow::{bail, Context, Result};
use std::path::PathBuf;
use store::Store;

/// Starts the schedule: the first backup one interval after start.
pub fn schedule(store: Store, dir: PathBuf, every_hours: f64, keep: usize) -> Result<()> {
    if !(every_hours > 0.0) || keep == 0 {
        bail!("定时备份的间隔应大于0小时，保留份数应至少为1");
    }
    std::fs::create_dir_all(&dir).with_context(|| format!("无法创建备份目录 {}", dir.display()))?;
    let every = std::time::Duration::from_secs_f64(every_hours * 3600.0);
    println!("定时备份：每 {every_hours} 小时一份，写在 {}，保留最近 {keep} 份", dir.display());
    tokio::spawn(async move {
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        loop {
            tick.tick().await;
            let ext = if store.backend() == store::Backend::Sqlite { "db" } else { "dump" };
            let out = dir.join(format!("dangjian-{}.{ext}", chrono::Local::now().format("%Y%m%d-%H%M%S")));
            match store.backup(&out).await {
                Ok(_) => eprintln!("已定时备份到 {}", out.display()),
                Err(e) => eprintln!("定时备份失败：{e}"),
            }
            prune(&dir, keep);
        }
    });
    Ok(())
}

/// Removes all but the newest `keep` backups (names sort by time) and their manifests.
fn prune(dir: &std::path::Path, keep: usize) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut backups: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("dangjian-") && (n.ends_with(".db") || n.ends_with(".dump"))))
        .collect();
    backups.sort();
    let n = backups.len().saturating_sub(keep);
    for old in backups.into_iter().take(n) {
        let _ = std::fs::remove_file(store::manifest_path(&old));
        let _ = std::fs::remove_file(&old);
    }
}
