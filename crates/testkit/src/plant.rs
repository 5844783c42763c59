//! Planting known problems (植入问题) into a compliant jurisdiction, for the report's
//! validity tests: each plant changes the raw records of one data source so that exactly
//! one catalogue indicator breaks its line, on a random subset of organisations and with a
//! random magnitude. The records are changed behind the store's back on purpose (this is
//! a test fixture writing "the world"), so the plants exercise the same reading paths as
//! real data: compliance facts, registry counts, survey answers and interview codes.

use sqlx::{AnyPool, Row};

/// A small deterministic generator (SplitMix64), so a failing plant can be replayed.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [lo, hi).
    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    pub fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = self.below(i + 1);
            v.swap(i, j);
        }
    }
}

/// The indicators a plant can break, with the data source it changes.
pub const PLANTS: &[(&str, &str)] = &[
    ("themed_day_monthly", "会议（主题党日）"),
    ("three_one_documents_only", "会议内容"),
    ("secretary_vacant", "班子（书记职务）"),
    ("archives_incomplete", "党员档案"),
    ("transfers_late", "组织关系转接"),
    ("dues_lapsed", "党费"),
    ("members_trained", "培训"),
    ("committee_ageing", "班子成员年龄"),
    ("activist_pool", "发展党员"),
    ("funding_short", "问卷回答"),
    ("interviews_funding", "访谈编码"),
];

/// Plants that make organisations fail a compliance rule (and so no longer count as
/// 各项制度全部达标): at most one of them per trial keeps that share above its line.
pub const RULE_BREAKING: &[&str] = &["themed_day_monthly", "transfers_late", "dues_lapsed"];

/// What a plant did.
#[derive(Debug, Clone)]
pub struct Planted {
    pub indicator: &'static str,
    pub source: &'static str,
    /// Organisations (or interviews, responses) changed, and the share aimed at.
    pub touched: usize,
    pub share: f64,
}

async fn ids(pool: &AnyPool, sql: &str) -> Vec<i64> {
    sqlx::query(sql).fetch_all(pool).await.unwrap().iter().map(|r| r.try_get::<i64, _>(0).unwrap()).collect()
}

fn list(ids: &[i64]) -> String {
    ids.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(",")
}

async fn exec(pool: &AnyPool, sql: &str) {
    sqlx::query(sql).execute(pool).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// Active members of randomly chosen branches, whole branches at a time, until `share` of
/// the members `eligible` selects are taken: a problem concentrated in some branches, as
/// it is in life, rather than spread thinly over all of them.
async fn members_by_branch(pool: &AnyPool, rng: &mut Rng, share: f64, eligible: &str) -> (Vec<i64>, usize) {
    let all: Vec<(i64, i64)> = sqlx::query(&format!("SELECT m.id, m.org_id FROM members m JOIN orgs o ON o.id = m.org_id WHERE m.left_on IS NULL AND o.level = 'branch' AND {eligible}"))
        .fetch_all(pool)
        .await
        .unwrap()
        .iter()
        .map(|r| (r.try_get::<i64, _>(0).unwrap(), r.try_get::<i64, _>(1).unwrap()))
        .collect();
    let total: i64 = sqlx::query("SELECT COUNT(*) FROM members WHERE left_on IS NULL").fetch_one(pool).await.unwrap().try_get(0).unwrap();
    let mut branches: Vec<i64> = all.iter().map(|(_, o)| *o).collect();
    branches.sort();
    branches.dedup();
    rng.shuffle(&mut branches);
    let want = (share * total as f64).ceil() as usize;
    let (mut out, mut used) = (Vec::new(), 0);
    for b in branches {
        if out.len() >= want {
            break;
        }
        used += 1;
        out.extend(all.iter().filter(|(_, o)| *o == b).map(|(m, _)| *m));
    }
    (out, used)
}

async fn branches(pool: &AnyPool, rng: &mut Rng, share: f64, extra: &str) -> Vec<i64> {
    let mut b = ids(pool, &format!("SELECT id FROM orgs WHERE level = 'branch' AND dissolved_on IS NULL {extra}")).await;
    let all = ids(pool, "SELECT id FROM orgs WHERE level = 'branch' AND dissolved_on IS NULL").await.len();
    rng.shuffle(&mut b);
    b.truncate((share * all as f64).ceil() as usize);
    b
}

/// Plants the problem that breaks `indicator` in the database at `url` (year 2026, data
/// up to 27 November: the months January to October are judged).
pub async fn plant(url: &str, indicator: &str, rng: &mut Rng) -> Planted {
    sqlx::any::install_default_drivers();
    let pool = AnyPool::connect(url).await.unwrap();
    let (id, source) = *PLANTS.iter().find(|(i, _)| *i == indicator).unwrap_or_else(|| panic!("no plant for {indicator}"));
    let (touched, share) = match indicator {
        "themed_day_monthly" => {
            // One month's 主题党日 missing in 12–25 % of branches (the line is 90 %).
            let share = rng.range(0.12, 0.25);
            let b = branches(&pool, rng, share, "").await;
            let m = 2 + rng.below(8);
            let (from, to) = (format!("2026-{m:02}-01"), format!("2026-{:02}-01", m + 1));
            let meetings = format!("SELECT id FROM meetings WHERE kind = 'themed_party_day' AND held_on >= '{from}' AND held_on < '{to}' AND org_id IN ({})", list(&b));
            exec(&pool, &format!("DELETE FROM attendance WHERE meeting_id IN ({meetings})")).await;
            exec(&pool, &format!("DELETE FROM meetings WHERE id IN ({meetings})")).await;
            (b.len(), share)
        }
        "three_one_documents_only" => {
            // 三会一课 that only relayed documents in 30–50 % of branches (the line is 20 %).
            let share = rng.range(0.3, 0.5);
            let b = branches(&pool, rng, share, "").await;
            // 党小组会 are held by the branch's groups.
            let b_and_groups = format!("SELECT id FROM orgs WHERE id IN ({0}) OR parent_id IN ({0})", list(&b));
            exec(&pool, &format!("UPDATE meetings SET theme = 'documents_only' WHERE kind IN ('general_meeting', 'committee_meeting', 'group_meeting', 'party_lesson') AND theme IS NOT NULL AND org_id IN ({b_and_groups})")).await;
            (b.len(), share)
        }
        "secretary_vacant" => {
            // The secretary's post left empty in 7–20 % of branches (the line is 5 %); the
            // holder stays on the committee, so its size does not change.
            let share = rng.range(0.07, 0.2);
            let b = branches(&pool, rng, share, "AND id IN (SELECT org_id FROM committee_posts WHERE role = 'secretary' AND end_on IS NULL)").await;
            exec(&pool, &format!("UPDATE committee_posts SET role = 'member' WHERE role = 'secretary' AND end_on IS NULL AND org_id IN ({})", list(&b))).await;
            (b.len(), share)
        }
        "archives_incomplete" => {
            // 7–15 % of members' files missing materials (the line is 5 %).
            let share = rng.range(0.07, 0.15);
            let (m, used) = members_by_branch(&pool, rng, share, "1 = 1").await;
            exec(&pool, &format!("UPDATE members SET archive_materials = 'application' WHERE id IN ({})", list(&m))).await;
            (used, share)
        }
        "transfers_late" => {
            // 20–50 % of the letters issued this year not reported on within their validity.
            let share = rng.range(0.2, 0.5);
            let mut t = ids(&pool, "SELECT id FROM transfers WHERE direction = 'out' AND issued_on >= '2026-01-01' AND issued_on <= '2026-11-27'").await;
            let n = (share * t.len() as f64).ceil() as usize;
            rng.shuffle(&mut t);
            t.truncate(n);
            exec(&pool, &format!("UPDATE transfers SET received_on = NULL, issued_on = '2026-03-02' WHERE id IN ({})", list(&t))).await;
            (t.len(), share)
        }
        "dues_lapsed" => {
            // 3–8 % of members paid nothing since March (the line is 2 %).
            let share = rng.range(0.03, 0.08);
            let (m, used) = members_by_branch(&pool, rng, share, "1 = 1").await;
            exec(&pool, &format!("DELETE FROM dues_payments WHERE to_month >= '2026-03' AND member_id IN ({})", list(&m))).await;
            (used, share)
        }
        "members_trained" => {
            // 22–35 % of members (not cadres, not party-affairs workers) with no training this
            // year (the line is 80 % trained).
            let share = rng.range(0.22, 0.35);
            let eligible = "m.id NOT IN (SELECT member_id FROM committee_posts WHERE member_id IS NOT NULL) AND m.id NOT IN (SELECT member_id FROM party_workers WHERE member_id IS NOT NULL)";
            let (m, used) = members_by_branch(&pool, rng, share, eligible).await;
            exec(&pool, &format!("DELETE FROM training_records WHERE taken_on >= '2026-01-01' AND member_id IN ({})", list(&m))).await;
            (used, share)
        }
        "committee_ageing" => {
            // 30–45 % of the committee members over 60 (the line is 25 %); in villages only
            // members already past 35, so the villages' share of young members stays.
            let share = rng.range(0.3, 0.45);
            let mut c = ids(&pool, "SELECT DISTINCT p.member_id FROM committee_posts p JOIN members m ON m.id = p.member_id JOIN orgs o ON o.id = m.org_id WHERE p.end_on IS NULL AND m.left_on IS NULL AND (o.sector <> 'village' OR m.birth_date < '1990-11-01')").await;
            let all = ids(&pool, "SELECT DISTINCT p.member_id FROM committee_posts p JOIN members m ON m.id = p.member_id WHERE p.end_on IS NULL AND m.left_on IS NULL").await.len();
            let want = (share * all as f64).ceil() as usize;
            assert!(c.len() >= want, "only {} of {all} committee members may be aged; {want} needed", c.len());
            rng.shuffle(&mut c);
            c.truncate(want);
            exec(&pool, &format!("UPDATE members SET birth_date = '1958-05-01' WHERE id IN ({})", list(&c))).await;
            (c.len(), share)
        }
        "activist_pool" => {
            // The activist pool cut to 2–4 % of the members (the line is 5 %).
            let share = rng.range(0.02, 0.04);
            let members: i64 = sqlx::query("SELECT COUNT(*) FROM members WHERE left_on IS NULL").fetch_one(&pool).await.unwrap().try_get(0).unwrap();
            let mut a = ids(&pool, "SELECT id FROM development WHERE activist_on IS NOT NULL AND admitted_on IS NULL").await;
            rng.shuffle(&mut a);
            let keep = (share * members as f64) as usize;
            let gone: Vec<i64> = a.into_iter().skip(keep).collect();
            if !gone.is_empty() {
                exec(&pool, &format!("DELETE FROM development_steps WHERE development_id IN ({})", list(&gone))).await;
                exec(&pool, &format!("DELETE FROM development WHERE id IN ({})", list(&gone))).await;
            }
            (gone.len(), share)
        }
        "funding_short" => {
            // 25–45 % of the answers on funding turned to "不足" (the line is 15 %).
            let share = rng.range(0.25, 0.45);
            let rows = sqlx::query("SELECT id, answers FROM survey_responses").fetch_all(&pool).await.unwrap();
            let mut changed = 0;
            for r in rows {
                if rng.range(0.0, 1.0) >= share {
                    continue;
                }
                let id: i64 = r.try_get(0).unwrap();
                let mut answers: serde_json::Value = serde_json::from_str(&r.try_get::<String, _>(1).unwrap()).unwrap();
                if answers.get("funding_enough").is_some() {
                    answers["funding_enough"] = serde_json::Value::String("1".into());
                    sqlx::query("UPDATE survey_responses SET answers = $1 WHERE id = $2").bind(answers.to_string()).bind(id).execute(&pool).await.unwrap();
                    changed += 1;
                }
            }
            (changed, share)
        }
        "interviews_funding" => {
            // 40–70 % of the interviews coded as speaking of funding shortages (the line is 30 %).
            let share = rng.range(0.4, 0.7);
            let mut i = ids(&pool, "SELECT id FROM interviews WHERE id NOT IN (SELECT interview_id FROM codings WHERE category = 'funding' AND status = 'accepted')").await;
            let all = ids(&pool, "SELECT id FROM interviews").await.len();
            rng.shuffle(&mut i);
            i.truncate((share * all as f64).ceil() as usize);
            const SAID: &[&str] = &["活动经费主要靠上级拨款，自己拿不出钱。", "党建经费紧张，组织一次外出学习都要算了又算。", "经费不够，党员活动室的设备坏了也没钱修。", "集体经济薄弱，开展活动的费用没有着落。"];
            for (n, id) in i.iter().enumerate() {
                let text = format!("{}（第{}次访谈）", SAID[n % SAID.len()], n + 1);
                sqlx::query("INSERT INTO codings (interview_id, passage, excerpt, category, quote, status, origin, created_at) VALUES ($1, 0, $2, 'funding', 1, 'accepted', 'manual', '2026-11-27 00:00:00')")
                    .bind(*id)
                    .bind(text)
                    .execute(&pool)
                    .await
                    .unwrap();
            }
            (i.len(), share)
        }
        other => panic!("no plant for {other}"),
    };
    pool.close().await;
    // The plants change raw rows behind the store's back: bring the write-time summaries
    // back in line, as `dangjian summaries rebuild` would.
    crate::open(url).await.rebuild_summaries().await.unwrap();
    Planted { indicator: id, source, touched, share }
}
