//! Measures and indicators on SQLite and PostgreSQL over a generated county with its
//! survey and interviews: every figure recomputed from the raw tables or the modules
//! that own them, and the roll-up consistent at every level.

use indicators::{by_sector, compute, figures, run_for};
use store::{Scope, Store};
use testkit::{both, Db};

async fn county(db: Db) -> Option<(Store, domain::rules::Rules, String)> {
    let (store, url) = testkit::generated_in(db, 5, generator::Climate::Typical).await?;
    let rules = domain::rules::Rules::default_rules();
    generator::survey::campaign(&store, &rules, 5, testkit::as_of(), 1).await.unwrap();
    generator::research::fieldwork(&store, &rules, domain::rules::DEFAULT_RULES, 5, testkit::as_of()).await.unwrap();
    Some((store, rules, url))
}

async fn raw(url: &str, sql: &str) -> f64 {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(url).await.unwrap();
    let v: f64 = sqlx::Row::try_get(&sqlx::query(sql).fetch_one(&pool).await.unwrap(), 0).unwrap();
    pool.close().await;
    v
}

async fn exec(url: &str, sql: &str) {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(url).await.unwrap();
    sqlx::query(sql).execute(&pool).await.unwrap();
    pool.close().await;
}

async fn measures_agree_with_their_sources(db: Db) {
    let Some((store, rules, url)) = county(db).await else { return };
    // Two branch secretaries leave: one in June (vacant at the as-of date), one in December
    // (still in post at the as-of date). Committees count as they stood on that date.
    let branch_secretary = |pick: &str| {
        format!("(SELECT {pick}(c.id) FROM committee_posts c JOIN orgs o ON o.id = c.org_id WHERE c.role = 'secretary' AND o.level = 'branch' AND c.end_on IS NULL)")
    };
    exec(&url, &format!("UPDATE committee_posts SET end_on = '2026-06-30' WHERE id = {}", branch_secretary("MIN"))).await;
    exec(&url, &format!("UPDATE committee_posts SET end_on = '2026-12-15' WHERE id = {}", branch_secretary("MAX"))).await;
    let all = Scope::jurisdiction();
    let (year, as_of) = (2026, testkit::as_of());
    let done = compute(&store, &rules, year, as_of).await.unwrap();
    assert!(done.orgs > 1000 && done.rows > done.orgs, "{done:?}");
    let run = run_for(&store, &rules, year, as_of, false).await.unwrap();
    assert_eq!(run.id, done.run, "the cached run is reused");
    // A run of another catalogue version is not reused: its newer measures would read as 0.
    {
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&url).await.unwrap();
        sqlx::query("INSERT INTO indicator_runs (year, as_of, root_id, rules_version, catalogue_version, orgs, started_at, finished_at, seconds) \
                     SELECT year, as_of, root_id, rules_version, 'older', orgs, started_at, finished_at, seconds FROM indicator_runs WHERE id = $1")
            .bind(run.id)
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
        let newest = store.latest_indicator_run(year).await.unwrap().unwrap();
        assert!(newest.id > run.id && newest.catalogue_version == "older");
        let again = run_for(&store, &rules, year, as_of, false).await.unwrap();
        assert!(again.id > newest.id && again.catalogue_version == run.catalogue_version, "the older catalogue's run is passed over and the year recomputed");
    }
    let root = store.org_children(&all, None).await.unwrap()[0].org.clone();
    let (totals, figs) = figures(&store, &all, &run, root.id).await.unwrap();
    let t = |m: &str| totals.get(m).copied().unwrap_or(0.0);

    // Registry: members and organisations.
    assert_eq!(t("members.active") as i64, store.subtree_member_count(&all, root.id).await.unwrap());
    assert_eq!(t("orgs.total") as usize, store.subtree_orgs(&all, root.id).await.unwrap().len());
    // Compliance: every rule's counts.
    let summary = store.compliance_summary(&all, root.id, &rules, year, as_of, false).await.unwrap();
    for r in &summary.rules {
        assert_eq!(t(&format!("rule.{}.applicable", r.id)) as u64, r.orgs_applicable, "{}", r.id);
        assert_eq!(t(&format!("rule.{}.failing", r.id)) as u64, r.orgs_failing, "{}", r.id);
        assert_eq!(t(&format!("rule.{}.met", r.id)) as u64, r.orgs_applicable - r.orgs_failing, "{}", r.id);
    }
    let three = figs.iter().find(|f| f.indicator.id == "three_meetings_one_lesson").unwrap();
    let (mut met, mut app) = (0, 0);
    for r in summary.rules.iter().filter(|r| ["meetings.general_meeting", "meetings.committee_meeting", "meetings.party_lesson"].contains(&r.id)) {
        met += r.orgs_applicable - r.orgs_failing;
        app += r.orgs_applicable;
    }
    assert_eq!(three.value.ratio, Some(met as f64 / app as f64));
    // Survey: the campaign's own counts.
    let campaign = store.campaigns(&all).await.unwrap()[0].id;
    let s = survey::campaign::stats(&store, &all, campaign).await.unwrap();
    assert_eq!((t("survey.responses.issued") as i64, t("survey.responses.returned") as i64, t("survey.responses.valid") as i64), (s.issued, s.returned, s.valid));
    assert!(t("survey.lead_attention.answered") as i64 <= s.valid && t("survey.lead_attention.answered") > 0.0);
    // Interviews: coded interviews per category, from the interview store.
    let interviews = store.interviews(&all).await.unwrap();
    assert_eq!(t("interviews.total") as usize, interviews.iter().filter(|i| chrono::Datelike::year(&i.held_on) == year).count());
    let coded: std::collections::BTreeSet<i64> = store.coded_passages(&all, Some("meeting_quality")).await.unwrap().iter().map(|p| p.coding.interview_id).collect();
    assert_eq!(t("codes.meeting_quality.interviews") as usize, coded.len());

    // Registry measures against the raw tables.
    assert_eq!(t("units.village.total"), raw(&url, "SELECT CAST(COUNT(*) AS DOUBLE PRECISION) FROM units WHERE kind = 'village'").await);
    assert_eq!(t("subunits.grid.with_org"), raw(&url, "SELECT CAST(COUNT(*) AS DOUBLE PRECISION) FROM sub_units WHERE kind = 'grid' AND org_id IS NOT NULL").await);
    assert_eq!(t("committee.members"), raw(&url, "SELECT CAST(COUNT(*) AS DOUBLE PRECISION) FROM committee_posts WHERE (end_on IS NULL OR end_on > '2026-11-27') AND member_id IS NOT NULL").await);
    assert_eq!(t("funding.total"), raw(&url, "SELECT CAST(SUM(amount) AS DOUBLE PRECISION) FROM funding WHERE year = 2026").await);
    assert_eq!(t("meetings.themed_days"), raw(&url, "SELECT CAST(COUNT(*) AS DOUBLE PRECISION) FROM meetings WHERE kind = 'themed_party_day' AND held_on >= '2026-01-01' AND held_on <= '2026-11-27'").await);
    // 三会一课 by recorded content: the generated formality branches only relay documents.
    let three_one = |what: &str| {
        format!(
            "SELECT CAST(COUNT(*) AS DOUBLE PRECISION) FROM meetings WHERE kind IN ('general_meeting', 'committee_meeting', 'group_meeting', 'party_lesson') \
             AND held_on BETWEEN '2026-01-01' AND '2026-11-27' AND {what}"
        )
    };
    assert_eq!(t("meetings.three_one_with_content"), raw(&url, &three_one("theme IS NOT NULL")).await);
    assert_eq!(t("meetings.three_one_documents_only"), raw(&url, &three_one("theme = 'documents_only'")).await);
    assert!(t("meetings.three_one_documents_only") > 0.0 && t("meetings.three_one_documents_only") < t("meetings.three_one_with_content"));
    assert_eq!(t("meetings.interactive"), raw(&url, "SELECT CAST(COUNT(*) AS DOUBLE PRECISION) FROM meetings WHERE form IN ('discussion', 'volunteer', 'red_education', 'field_teaching', 'online') AND held_on BETWEEN '2026-01-01' AND '2026-11-27'").await);
    // Members on the roll on the as-of date: under 35, in villages, mobile and lost, and
    // archives missing a material their status requires.
    let roll = |what: &str| {
        format!("SELECT CAST(COUNT(*) AS DOUBLE PRECISION) FROM members m JOIN orgs o ON o.id = m.org_id WHERE m.joined_on <= '2026-11-27' AND (m.left_on IS NULL OR m.left_on > '2026-11-27') AND {what}")
    };
    assert_eq!(t("members.young"), raw(&url, &roll("m.birth_date > '1991-11-27'")).await);
    assert_eq!(t("members.village_young"), raw(&url, &roll("m.birth_date > '1991-11-27' AND o.sector = 'village'")).await);
    assert_eq!(t("members.mobile_lost"), raw(&url, &roll("m.is_mobile = 1 AND m.is_lost_contact = 1")).await);
    let has = |m: &str| format!("(',' || m.archive_materials || ',') LIKE '%,{m},%'");
    let complete = format!("{} AND {} AND {} AND {} AND (m.status <> 'full' OR {})", has("application"), has("volunteer_form"), has("political_review"), has("training_records"), has("full_application"));
    assert_eq!(t("members.archive_incomplete"), raw(&url, &roll(&format!("NOT ({complete})"))).await);
    assert_eq!(t("members.mobile"), raw(&url, &roll("m.is_mobile = 1")).await);
    assert!(t("members.young") > 0.0 && t("members.mobile") > 0.0 && t("members.archive_incomplete") > 0.0);
    let vacant = |in_post: &str| {
        format!("SELECT CAST(COUNT(*) AS DOUBLE PRECISION) FROM orgs o WHERE level = 'branch' AND dissolved_on IS NULL AND id NOT IN (SELECT org_id FROM committee_posts WHERE role = 'secretary' AND {in_post})")
    };
    assert_eq!(t("orgs.branch_no_secretary"), raw(&url, &vacant("(end_on IS NULL OR end_on > '2026-11-27')")).await);
    assert_eq!(t("orgs.branch_no_secretary") + 1.0, raw(&url, &vacant("end_on IS NULL")).await, "the December leaver was in post on the as-of date");
    // The compliance engine sees the same committees: members holding a post that day.
    assert_eq!(
        t("members.cadres"),
        raw(
            &url,
            "SELECT CAST(COUNT(*) AS DOUBLE PRECISION) FROM members m WHERE m.joined_on <= '2026-11-27' AND (m.left_on IS NULL OR m.left_on > '2026-11-27') \
             AND EXISTS (SELECT 1 FROM committee_posts c WHERE c.member_id = m.id AND (c.end_on IS NULL OR c.end_on > '2026-11-27'))"
        )
        .await
    );
    assert_eq!(t("orgs.with_carrier.model_post"), raw(&url, "SELECT CAST(COUNT(DISTINCT org_id) AS DOUBLE PRECISION) FROM carriers WHERE kind = 'model_post' AND established_on <= '2026-12-31'").await);
    assert_eq!(
        t("development.admitted_frontline"),
        raw(&url, "SELECT CAST(COUNT(*) AS DOUBLE PRECISION) FROM development WHERE admitted_on BETWEEN '2026-01-01' AND '2026-12-31' AND occupation IN ('worker', 'farmer', 'professional')").await
    );
    // The secretary at the organisation's own meetings, counted from attendance outwards.
    let secretary = |what: &str| {
        format!(
            "SELECT CAST({what} AS DOUBLE PRECISION) FROM attendance a WHERE a.held_on BETWEEN '2026-01-01' AND '2026-11-27' AND EXISTS \
             (SELECT 1 FROM meetings mt, committee_posts c WHERE mt.id = a.meeting_id AND c.org_id = mt.org_id AND c.member_id = a.member_id AND c.role = 'secretary' AND (c.end_on IS NULL OR c.end_on > a.held_on))"
        )
    };
    assert_eq!(t("leaders.secretary_expected"), raw(&url, &secretary("COUNT(*)")).await);
    assert_eq!(t("leaders.secretary_present"), raw(&url, &secretary("SUM(a.present)")).await);
    assert!(t("leaders.secretary_present") > 0.0 && t("leaders.secretary_present") <= t("leaders.secretary_expected"));
    let trained = raw(
        &url,
        "SELECT CAST(COUNT(*) AS DOUBLE PRECISION) FROM (SELECT w.id FROM party_workers w LEFT JOIN training_records t ON t.member_id = w.member_id \
         AND t.taken_on BETWEEN '2026-01-01' AND '2026-12-31' WHERE w.member_id IS NOT NULL AND w.appointed_on <= '2026-11-27' AND (w.left_on IS NULL OR w.left_on > '2026-11-27') \
         GROUP BY w.id HAVING COALESCE(SUM(t.hours), 0) >= 32) x",
    )
    .await;
    assert_eq!(t("workers.trained"), trained);
    // 标准化: branches that no applicable rule finds failing, judged again here.
    let mut standard = 0.0;
    store
        .judge_subtree(&all, root.id, &rules, year, as_of, |org, _, verdicts| {
            use domain::compliance::Verdict::*;
            if org.level == domain::org::OrgLevel::Branch && verdicts.iter().any(|v| v.verdict == Met) && verdicts.iter().all(|v| v.verdict != NotMet) {
                standard += 1.0;
            }
        })
        .await
        .unwrap();
    assert_eq!(t("orgs.standard_branch"), standard);
    assert!(standard > 0.0 && standard < t("orgs.branches"));
    let funding = figs.iter().find(|f| f.indicator.id == "funding_per_member").unwrap();
    assert!(funding.indicator.format(funding.value.ratio.unwrap()).ends_with("元/人"));

    // Roll-up: an organisation's total is its own plus its children's totals.
    let mut checked = 0;
    for child in store.org_children(&all, Some(root.id)).await.unwrap().iter().take(3) {
        let parent = store.measure_totals(&all, run.id, child.org.id).await.unwrap();
        let kids = store.org_children(&all, Some(child.org.id)).await.unwrap();
        let own = store.measure_orgs(&all, run.id, child.org.id, "members.active", 100_000).await.unwrap();
        let mut sum = own.iter().find(|o| o.id == child.org.id).map_or(0.0, |o| o.own);
        for k in &kids {
            sum += store.measure_totals(&all, run.id, k.org.id).await.unwrap().get("members.active").copied().unwrap_or(0.0);
        }
        assert_eq!(parent.get("members.active").copied().unwrap_or(0.0), sum, "{}", child.org.name);
        assert_eq!(own.iter().map(|o| o.own).sum::<f64>(), sum, "the evidence lists add up too");
        checked += 1;
    }
    assert!(checked > 0);
    // The organisations behind a rule's figure: those failing it, in path order (the
    // order the engine judges in), cut at the limit.
    let mut failing: Vec<(&'static str, i64)> = Vec::new();
    store
        .judge_subtree(&all, root.id, &rules, year, as_of, |org, _, verdicts| {
            failing.extend(verdicts.iter().filter(|v| v.verdict == domain::compliance::Verdict::NotMet).map(|v| (v.rule_id, org.id)));
        })
        .await
        .unwrap();
    let mut rules_failing: Vec<&str> = failing.iter().map(|(r, _)| *r).collect();
    rules_failing.sort();
    rules_failing.dedup();
    assert!(!rules_failing.is_empty());
    for rule in rules_failing {
        let expected: Vec<i64> = failing.iter().filter(|(r, _)| *r == rule).map(|(_, o)| *o).collect();
        for limit in [1, 3, i64::MAX] {
            let found: Vec<i64> = store.measure_orgs(&all, run.id, root.id, &format!("rule.{rule}.failing"), limit).await.unwrap().iter().map(|o| o.id).collect();
            let want: Vec<i64> = expected.iter().copied().take(limit.min(expected.len() as i64) as usize).collect();
            assert_eq!(found, want, "{rule}, limit {limit}");
        }
    }
    // By sector: the groups add up to the whole.
    let sectors = by_sector(&store, &all, &run, root.id).await.unwrap();
    let members: f64 = sectors.iter().map(|(_, v)| v.iter().find(|x| x.id == "members_trained").unwrap().denominator).sum();
    assert_eq!(members, t("members.active"));
    // The root's sector sums were stored with the run; they agree with grouping the rows.
    let village = sectors.iter().find(|(s, _)| *s == domain::org::Sector::Village).unwrap().1.iter().find(|x| x.id == "members_trained").unwrap().denominator;
    let behind = store.measure_orgs(&all, run.id, root.id, "members.active", i64::MAX).await.unwrap();
    let summed: f64 = behind.iter().filter(|o| o.sector == domain::org::Sector::Village).map(|o| o.own).sum();
    assert_eq!(village, summed);
    // Stored compactly: one row per organisation and family of measures, not per measure.
    let vectors = format!("SELECT CAST(COUNT(*) AS DOUBLE PRECISION) FROM indicator_vectors WHERE run_id = {}", run.id);
    let orgs = raw(&url, "SELECT CAST(COUNT(*) AS DOUBLE PRECISION) FROM orgs WHERE dissolved_on IS NULL").await;
    assert!(raw(&url, &vectors).await <= 2.0 * orgs, "at most two rows per organisation");
    let stored = format!("SELECT CAST(COUNT(*) AS DOUBLE PRECISION) FROM indicator_group_facts WHERE run_id = {} AND org_id = {}", run.id, root.id);
    assert!(raw(&url, &stored).await > 0.0, "the root's groups are stored");
    // Who is behind a count at the root: the leaders stored with the run name the same
    // organisations, in the same order, as a scan of every vector of the subtree.
    let leaders = format!("SELECT CAST(COUNT(*) AS DOUBLE PRECISION) FROM indicator_leaders WHERE run_id = {} AND org_id = {} AND leaders IS NOT NULL", run.id, root.id);
    assert!(raw(&url, &leaders).await > 20.0, "the root's leaders are stored");
    let mut compared = 0;
    for m in ["members.active", "members.absent", "members.dues_lapsed", "members.archive_incomplete", "members.mobile_lost", "transfers.late", "orgs.branch_no_secretary", "development.irregular", "survey.responses.valid", "meetings.all"] {
        let scanned = store.measure_orgs(&all, run.id, root.id, m, i64::MAX).await.unwrap();
        for limit in [1, 5] {
            let stored: Vec<(i64, f64)> = store.measure_orgs(&all, run.id, root.id, m, limit).await.unwrap().iter().map(|o| (o.id, o.own)).collect();
            let want: Vec<(i64, f64)> = scanned.iter().take(limit as usize).map(|o| (o.id, o.own)).collect();
            assert_eq!(stored, want, "{m}, limit {limit}");
        }
        compared += usize::from(!scanned.is_empty());
    }
    assert!(compared >= 6, "{compared}");
    // A share is a share in every group: no numerator counts what its denominator leaves out.
    for (sector, values) in &sectors {
        for (v, i) in values.iter().zip(&domain::indicators::Catalogue::builtin().indicators) {
            if i.unit.is_none() {
                assert!(v.numerator <= v.denominator, "{} in {sector:?}: {}/{}", i.id, v.numerator, v.denominator);
            }
        }
    }
    // By region: the county-level divisions add up to the whole too.
    let regions = indicators::by_region(&store, &all, &run, root.id).await.unwrap();
    assert!(!regions.is_empty());
    let members: f64 = regions.iter().map(|(_, _, v)| v.iter().find(|x| x.id == "members_trained").unwrap().denominator).sum();
    assert_eq!(members, t("members.active"));
    // A subtree scope cannot read another subtree's totals.
    let scope = store.subtree_scope(store.org_children(&all, Some(root.id)).await.unwrap()[0].org.id).await.unwrap();
    assert!(store.measure_totals(&scope, run.id, root.id).await.is_err());
}
both!(measures_agree_with_their_sources);

/// A meeting recorded after the run: `update_org` brings the organisation's and its
/// ancestors' figures (and the root's stored by-sector and by-division sums) to what a
/// full recomputation gives.
async fn one_meeting_updates_the_org_and_its_ancestors(db: Db) {
    use domain::meeting::NewMeeting;
    let Some((store, rules, _)) = county(db).await else { return };
    let all = Scope::jurisdiction();
    let year = 2026;
    let run = run_for(&store, &rules, year, testkit::as_of(), true).await.unwrap();
    // The branch with the most members absent (缺席): the meeting below, every member
    // present, takes it off the top of that list.
    let root = store.org_children(&all, None).await.unwrap()[0].org.id;
    let most_absent = store.measure_orgs(&all, run.id, root, "members.absent", 1).await.unwrap()[0].id;
    let branch = store.org(&all, most_absent).await.unwrap();
    let (members, _) = store.org_members(&all, branch.id, 0, 1000).await.unwrap();
    let chain: Vec<i64> = branch.path.split('/').filter(|x| !x.is_empty()).map(|x| x.parse().unwrap()).collect();
    assert!(chain.len() >= 3, "a branch below the county and a township");
    let mut before = Vec::new();
    for id in &chain {
        before.push(store.measure_totals(&all, run.id, *id).await);
    }
    // A 主题党日 that only relayed documents, every member present.
    let meeting = NewMeeting::documents_only_day(branch.id, testkit::as_of() - chrono::Duration::days(40), "传达上级文件精神".into(), members.iter().map(|m| m.id));
    store.insert_meeting(&all, &meeting, testkit::as_of()).await.unwrap();
    // …and 40 hours of training for one of its members (the member measures).
    let training = domain::life::TrainingInput { taken_on: (testkit::as_of() - chrono::Duration::days(30)).to_string(), hours: Some("40".into()), channel: "集中学习".into(), topic: "党章学习".into() };
    store.insert_training(&all, members[0].id, &training.validate(testkit::as_of()).unwrap()).await.unwrap();
    let changed = indicators::update_org(&store, &rules, year, branch.id).await.unwrap();
    assert!(changed > 0, "the meeting changes some of the branch's measures");
    let fresh = compute(&store, &rules, year, run.as_of).await.unwrap().run;
    let close = |a: &std::collections::HashMap<String, f64>, b: &std::collections::HashMap<String, f64>, what: &str| {
        for k in a.keys().chain(b.keys()) {
            let (x, y) = (a.get(k).copied().unwrap_or(0.0), b.get(k).copied().unwrap_or(0.0));
            assert!((x - y).abs() < 1e-6, "{what} {k}: updated {x}, recomputed {y}");
        }
    };
    for (id, was) in chain.iter().zip(before) {
        let updated = store.measure_totals(&all, run.id, *id).await.unwrap();
        close(&updated, &store.measure_totals(&all, fresh, *id).await.unwrap(), &format!("org {id}"));
        assert_ne!(updated.get("meetings.themed_documents_only"), was.unwrap().get("meetings.themed_documents_only"), "org {id} counts the new meeting");
    }
    assert_eq!(root, chain[0]);
    let ms = domain::indicators::Catalogue::builtin().measures();
    let (a, b) = (store.measures_by_sector(&all, run.id, root, &ms).await.unwrap(), store.measures_by_sector(&all, fresh, root, &ms).await.unwrap());
    assert_eq!(a.len(), b.len());
    for ((s1, m1), (s2, m2)) in a.iter().zip(&b) {
        assert_eq!(s1, s2);
        close(m1, m2, &format!("sector {s1:?}"));
    }
    let (a, b) = (store.measures_by_region(&all, run.id, root, &ms).await.unwrap(), store.measures_by_region(&all, fresh, root, &ms).await.unwrap());
    for ((c1, _, m1), (_, _, m2)) in a.iter().zip(&b) {
        close(m1, m2, &format!("region {c1}"));
    }
    // The root's leaders of what changed are no longer the stored ones but still right:
    // the updated run names who the recomputed run names.
    for m in ["members.absent", "meetings.themed_documents_only", "meetings.all", "members.trained"] {
        let mut named = Vec::new();
        for r in [run.id, fresh] {
            named.push(store.measure_orgs(&all, r, root, m, 5).await.unwrap().iter().map(|o| (o.id, o.own)).collect::<Vec<_>>());
        }
        assert_eq!(named[0], named[1], "{m}");
    }
}
both!(one_meeting_updates_the_org_and_its_ancestors);
