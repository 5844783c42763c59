//! Write-time summaries (member × year, 到会人数, the organisations' 会议日历) stay equal to a recomputation from the raw rows
//! whatever sequence of writes reaches them: meetings with attendance (form and API),
//! dues and training records, and imports of all three, interleaved at random over a
//! generated county, on SQLite and PostgreSQL. The compliance figures read from the
//! summaries do not move when the summaries are rebuilt from scratch.

use domain::meeting::{AttendanceInput, MeetingForm, MeetingKind, NewMeeting};
use domain::{Date, Labelled as _};
use sqlx::Row;
use store::{ExchangeLog, Scope};
use testkit::{both, Db};

/// A small deterministic generator (xorshift), so a failure names its seed.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

async fn summaries_follow_every_write_path(db: Db) {
    let Some((store, url)) = testkit::generated_in(db, 31, generator::Climate::Typical).await else { return };
    let all = Scope::jurisdiction();
    let rules = domain::rules::Rules::default_rules();
    let as_of = testkit::as_of();
    let year = chrono::Datelike::year(&as_of);
    let check = store.verify_summaries().await.unwrap();
    assert!(check.ok() && check.rows > 1000, "the bulk load leaves them whole: {check:?}");
    let before = store.compliance_summary(&all, store.org_children(&all, None).await.unwrap()[0].org.id, &rules, year, as_of, false).await.unwrap();

    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&url).await.unwrap();
    let branches: Vec<(i64, Vec<i64>)> = {
        let rows = sqlx::query("SELECT org_id, member_id FROM (SELECT m.org_id, m.id AS member_id FROM members m JOIN orgs o ON o.id = m.org_id WHERE o.level = 'branch' AND m.left_on IS NULL) x ORDER BY org_id, member_id").fetch_all(&pool).await.unwrap();
        let mut out: Vec<(i64, Vec<i64>)> = Vec::new();
        for r in rows {
            let (org, member): (i64, i64) = (r.get(0), r.get(1));
            match out.last_mut() {
                Some((o, ms)) if *o == org => ms.push(member),
                _ => out.push((org, vec![member])),
            }
        }
        out
    };
    pool.close().await;
    let mut rng = Rng(0x5eed_0000_0000_0031);
    let day = |rng: &mut Rng| Date::from_ymd_opt(year - i32::from(rng.below(3) == 0), 1 + rng.below(10) as u32, 1 + rng.below(28) as u32).unwrap();
    let theme = |rng: &mut Rng| match rng.below(3) {
        0 => None,
        _ => Some(domain::life::ThemeCategory::ALL[rng.below(8) as usize]),
    };
    let mut imported: Option<NewMeeting> = None;
    let mut written = 0;
    for step in 0..60 {
        let (org, members) = &branches[rng.below(branches.len() as u64) as usize];
        let member = members[rng.below(members.len() as u64) as usize];
        match rng.below(6) {
            // A meeting with its attendance, as the form and the API record it.
            0 | 1 => {
                let attendance = members.iter().map(|m| AttendanceInput { member_id: *m, present: rng.below(4) != 0, absence_reason: Some("因病请假".into()) }).collect();
                // A 支委会 too: its 到会人数 is what the quorum rule reads.
                let kind = if rng.below(2) == 0 { MeetingKind::GeneralMeeting } else { MeetingKind::CommitteeMeeting };
                // Any form and content: the 会议日历 keeps both.
                let (form, theme) = (MeetingForm::ALL[rng.below(7) as usize], theme(&mut rng));
                let m = NewMeeting { org_id: *org, kind, held_on: day(&mut rng), topic: format!("党员大会（第{step}次）"), summary: None, form, theme, host: None, recorder: None, attendance };
                if store.insert_meeting(&all, &m, as_of).await.is_ok() {
                    written += 1;
                }
            }
            2 => {
                let from = domain::dues::Month::new(year - i32::from(rng.below(2) == 0), 1 + rng.below(12) as u32);
                let to = domain::dues::Month(from.0 + rng.below(4) as i32);
                let input = domain::dues::DuesInput { from_month: from.text(), to_month: Some(to.text()), base: Some("3000".into()), amount: None, paid_on: from.first_day().to_string() };
                // Overlapping months are refused: a refusal writes nothing, summaries included.
                if store.insert_dues(&all, member, &input, &rules, as_of).await.is_ok() {
                    written += 1;
                }
            }
            3 => {
                let channel = domain::life::TrainingChannel::ALL[rng.below(5) as usize];
                let rec = store::TrainingRecord { taken_on: day(&mut rng), hours: 0.5 * (1 + rng.below(8)) as f64, channel, topic: format!("专题学习{step}") };
                store.insert_training(&all, member, &rec).await.unwrap();
                written += 1;
            }
            // An import writing all three kinds in one transaction.
            _ => {
                let mut imp = store.begin_import(&all).await.unwrap();
                let d = day(&mut rng);
                imp.training(member, *org, d, 2.0, domain::life::TrainingChannel::OnlineLesson, &format!("导入学习{step}")).await.unwrap();
                let from = domain::dues::Month::new(year - 2, 1 + rng.below(12) as u32);
                let _ = imp.dues(1, member, *org, from, from, None, 2.0, from.first_day()).await.unwrap();
                let attendance = members.iter().take(5).map(|m| AttendanceInput { member_id: *m, present: rng.below(3) != 0, absence_reason: Some("外出务工".into()) }).collect();
                let meeting = match imported.take() {
                    // A meeting imported before, again with another form and content: the
                    // import corrects them in place.
                    Some(m) if rng.below(2) == 0 => NewMeeting { form: MeetingForm::ALL[rng.below(7) as usize], theme: theme(&mut rng), ..m },
                    _ => NewMeeting { org_id: *org, kind: MeetingKind::PartyLesson, held_on: d, topic: format!("导入党课{step}"), summary: None, form: MeetingForm::Study, theme: None, host: None, recorder: None, attendance },
                };
                imp.meeting(&meeting).await.unwrap();
                imported = Some(meeting);
                let log = ExchangeLog { direction: "import", kind: "training", org_id: None, user_id: None, file_name: "随机.xlsx".into(), rows: 3, purpose: None };
                // A preview rolls back: nothing, summaries included, stays.
                imp.finish(rng.below(4) != 0, &log).await.unwrap();
                written += 1;
            }
        }
        if step % 20 == 19 {
            let c = store.verify_summaries().await.unwrap();
            assert!(c.ok(), "after step {step}: {c:?}");
        }
    }
    assert!(written > 40, "{written}");
    let c = store.verify_summaries().await.unwrap();
    assert!(c.ok(), "{c:?}");

    // Figures read from the summaries equal those after a rebuild from the raw rows.
    let root = store.org_children(&all, None).await.unwrap()[0].org.id;
    let incremental = store.compliance_summary(&all, root, &rules, year, as_of, false).await.unwrap();
    let n = store.rebuild_summaries().await.unwrap();
    assert_eq!(n, c.rows);
    let rebuilt = store.compliance_summary(&all, root, &rules, year, as_of, false).await.unwrap();
    let counts = |s: &store::ComplianceSummary| s.rules.iter().map(|r| (r.id, r.orgs_applicable, r.orgs_failing)).collect::<Vec<_>>();
    assert_eq!(counts(&incremental), counts(&rebuilt));
    assert_ne!(counts(&before), Vec::new());

    // A 到会人数 changed behind the store's back is found, and a rebuild mends it.
    let pool = sqlx::AnyPool::connect(&url).await.unwrap();
    let id: i64 = sqlx::query_scalar("SELECT MAX(id) FROM meetings WHERE kind = 'committee_meeting' AND present_count IS NOT NULL").fetch_one(&pool).await.unwrap();
    sqlx::query("UPDATE meetings SET present_count = present_count + 1 WHERE id = $1").bind(id).execute(&pool).await.unwrap();
    pool.close().await;
    let c = store.verify_summaries().await.unwrap();
    assert_eq!((c.meetings_different, c.meeting_examples.clone()), (1, vec![id]), "{c:?}");
    assert!(!c.ok());
    store.rebuild_summaries().await.unwrap();
    assert!(store.verify_summaries().await.unwrap().ok());

    // So is a meeting moved to another day behind the store's back: its organisation's
    // 会议日历 no longer matches, and a rebuild mends it too.
    let pool = sqlx::AnyPool::connect(&url).await.unwrap();
    let (id, org): (i64, i64) = sqlx::query_as("SELECT id, org_id FROM meetings WHERE id = (SELECT MAX(id) FROM meetings WHERE held_on LIKE '%-1_')").fetch_one(&pool).await.unwrap();
    sqlx::query("UPDATE meetings SET held_on = substr(held_on, 1, 8) || '01' WHERE id = $1").bind(id).execute(&pool).await.unwrap();
    pool.close().await;
    let c = store.verify_summaries().await.unwrap();
    assert_eq!((c.org_years_different, c.org_year_examples.clone(), c.meetings_different), (1, vec![org], 0), "{c:?}");
    store.rebuild_summaries().await.unwrap();
    assert!(store.verify_summaries().await.unwrap().ok());

    // And a meeting whose recorded content changed behind the store's back.
    let pool = sqlx::AnyPool::connect(&url).await.unwrap();
    let (id, org): (i64, i64) = sqlx::query_as("SELECT id, org_id FROM meetings WHERE id = (SELECT MAX(id) FROM meetings WHERE theme IS NULL)").fetch_one(&pool).await.unwrap();
    sqlx::query("UPDATE meetings SET theme = 'documents_only' WHERE id = $1").bind(id).execute(&pool).await.unwrap();
    pool.close().await;
    let c = store.verify_summaries().await.unwrap();
    assert_eq!((c.org_years_different, c.org_year_examples.clone()), (1, vec![org]), "{c:?}");
}
both!(summaries_follow_every_write_path);
