//! The store's suite, run against SQLite always and PostgreSQL when
//! `DANGJIAN_TEST_PG_URL` is set (CI sets it and `DANGJIAN_REQUIRE_PG=1`, so a missing
//! PostgreSQL fails instead of skipping).

use domain::meeting::{AttendanceInput, MeetingForm, MeetingKind, NewMeeting};
use domain::member::{LeaveReason, NewMemberInput};
use domain::org::{NewOrg, OrgLevel, Sector};
use domain::user::Role;
use domain::{Date, Labelled};
use store::{Scope, Store, StoreError};

use testkit::{as_of, both, fresh_url, generated, Db};

fn field(e: StoreError) -> (&'static str, String) {
    match e {
        StoreError::Invalid(v) => (v.errors[0].field, v.summary()),
        other => panic!("expected a validation error, got {other}"),
    }
}

fn member_input(org_id: i64, citizen_id: &str) -> NewMemberInput {
    NewMemberInput {
        org_id: Some(org_id),
        name: "测试党员".into(),
        sex: "女".into(),
        ethnicity: "汉族".into(),
        birth_date: "1949-12-31".into(),
        citizen_id: citizen_id.into(),
        education: "大学本科".into(),
        occupation: "离退休人员".into(),
        joined_on: "1975-07-01".into(),
        full_on: Some("1976-07-01".into()),
        status: "正式党员".into(),
        ..Default::default()
    }
}

/// Two branches under different parents, each with members, and a meeting of each.
struct World {
    store: Store,
    a: domain::org::Org,
    b: domain::org::Org,
}

async fn world(db: Db) -> Option<World> {
    let store = generated(db, 7).await?;
    let all = Scope::jurisdiction();
    let branches = store.branches_with_members(&all, None, 8, 500).await.unwrap();
    let a = branches[0].clone();
    // B lies outside the subtree of A's parent.
    let parent_path = &a.path[..a.path[..a.path.len() - 1].rfind('/').unwrap() + 1];
    let b = branches.iter().find(|o| !o.path.starts_with(parent_path)).unwrap().clone();
    Some(World { store, a, b })
}

// ---- tests --------------------------------------------------------------------------------

async fn generation_is_deterministic(db: Db) {
    let Some(one) = generated(db, 11).await else { return };
    let two = generated(db, 11).await.unwrap();
    let other = generated(db, 12).await.unwrap();
    let d1 = one.content_digest().await.unwrap();
    assert_eq!(d1, two.content_digest().await.unwrap(), "same seed and date must give identical data");
    assert_ne!(d1, other.content_digest().await.unwrap(), "another seed must give other data");
    let counts = one.table_counts().await.unwrap();
    let n = |t: &str| counts.iter().find(|c| c.0 == t).unwrap().1;
    assert!(n("members") > 4000 && n("meetings") > 10_000 && n("attendance") > 100_000, "{counts:?}");
    // Generating into a non-empty database is refused.
    let again = generator::generate(&one, &generator::Options { scale: generator::Scale::Small, seed: 1, as_of: as_of(), rules: domain::rules::Rules::default_rules(), climate: generator::Climate::Typical }, &mut |_, _, _| {}).await;
    assert!(matches!(again, Err(generator::GenError::NotEmpty)));
}
both!(generation_is_deterministic);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_and_postgres_hold_identical_data() {
    let Some(pg) = generated(Db::Postgres, 5).await else { return };
    let lite = generated(Db::Sqlite, 5).await.unwrap();
    assert_eq!(lite.table_counts().await.unwrap(), pg.table_counts().await.unwrap());
    assert_eq!(lite.content_digest().await.unwrap(), pg.content_digest().await.unwrap());
    // The same data, the same verdicts, the same evidence in the same order.
    let rules = domain::rules::Rules::default_rules();
    let all = Scope::jurisdiction();
    let root = lite.org_by_code(&all, "330122-00000").await.unwrap().id;
    for year in [2025, 2026] {
        let a = lite.compliance_summary(&all, root, &rules, year, as_of(), true).await.unwrap();
        let b = pg.compliance_summary(&all, pg.org_by_code(&all, "330122-00000").await.unwrap().id, &rules, year, as_of(), true).await.unwrap();
        assert_eq!(serde_json::to_value(&a).unwrap(), serde_json::to_value(&b).unwrap(), "{year}");
        assert!(a.rules.iter().any(|r| r.orgs_failing > 0));
        // The breakdowns add up: sectors cover every organisation judged; parts every one
        // but the root; each failing organisation sits in the part and sector it names.
        assert!(!a.parts.is_empty());
        for r in &a.rules {
            let by_sector = r.by_sector.iter().fold((0, 0), |s, x| (s.0 + x.1, s.1 + x.2));
            assert_eq!(by_sector, (r.orgs_applicable, r.orgs_failing), "{}", r.id);
            let by_part = r.by_part.iter().fold((0, 0), |s, x| (s.0 + x.0, s.1 + x.1));
            assert!(by_part.0 <= r.orgs_applicable && r.orgs_applicable - by_part.0 <= 1, "{}: only the root is outside the parts", r.id);
            for f in r.failing.as_ref().unwrap() {
                if let Some(p) = f.part {
                    let part = lite.org(&all, a.parts[p].id).await.unwrap();
                    let org = lite.org(&all, f.id).await.unwrap();
                    assert!(org.path.starts_with(&part.path), "{} is in {}", org.name, part.name);
                }
            }
        }
        assert!(a.worst.windows(2).all(|w| w[0].failing_rules >= w[1].failing_rules), "worst first");
    }
}

async fn generated_data_is_plausible(db: Db) {
    let Some(store) = generated(db, 3).await else { return };
    let all = Scope::jurisdiction();
    let roots = store.org_children(&all, None).await.unwrap();
    assert_eq!(roots.len(), 1);
    let root = &roots[0];
    // The root's subtree count is every active member.
    let branches = store.branches_with_members(&all, None, 0, 100_000).await.unwrap();
    let direct: i64 = branches.iter().map(|b| b.direct_members).sum();
    assert!(root.member_count >= direct && direct > 0);
    // Every member's ID is valid and consistent with the record (checked on read).
    let (members, total) = store.org_members(&all, branches[0].id, 0, 1000).await.unwrap();
    assert_eq!(members.len() as i64, total);
    for m in &members {
        assert_eq!(m.citizen_id.birth_date(), m.birth_date);
        assert_eq!(m.citizen_id.sex(), m.sex);
        assert!(domain::member::age_on(m.birth_date, m.joined_on) >= 18);
    }
    // Units include ones without an organisation of their own.
    let units = store.units(&all, None).await.unwrap();
    assert!(units.iter().any(|u| u.coverage == domain::unit::Coverage::None));
    assert!(units.iter().any(|u| u.coverage == domain::unit::Coverage::Joint));
}
both!(generated_data_is_plausible);

async fn scope_matrix(db: Db) {
    let Some(w) = world(db).await else { return };
    let s = &w.store;
    let all = Scope::jurisdiction();
    let year = 2026;
    let meeting_of = |org: i64| {
        let s = s.clone();
        async move { s.meetings(&Scope::jurisdiction(), org, year).await.unwrap()[0].id }
    };
    let (a_meeting, b_meeting) = (meeting_of(w.a.id).await, meeting_of(w.b.id).await);
    let a_member = s.org_members(&all, w.a.id, 0, 1).await.unwrap().0[0].id;
    let b_member = s.org_members(&all, w.b.id, 0, 1).await.unwrap().0[0].id;

    // A secretary of branch A.
    let sec = s.create_user("sec_a", "password-a1", Role::Secretary, Some(w.a.id), None).await.unwrap();
    let scope = s.scope_for(&sec).await.unwrap();
    assert!(s.org(&scope, w.a.id).await.is_ok());
    assert!(matches!(s.org(&scope, w.b.id).await, Err(StoreError::NotFound { .. })));
    assert!(matches!(s.org(&scope, w.a.parent_id.unwrap()).await, Err(StoreError::NotFound { .. })), "not the parent either");
    assert!(s.member(&scope, a_member).await.is_ok());
    assert!(matches!(s.member(&scope, b_member).await, Err(StoreError::NotFound { .. })));
    assert!(s.meeting(&scope, a_meeting).await.is_ok());
    assert!(matches!(s.meeting(&scope, b_meeting).await, Err(StoreError::NotFound { .. })));
    assert!(s.meetings(&scope, w.b.id, year).await.is_err());
    assert!(s.org_members(&scope, w.b.id, 0, 10).await.is_err());
    assert!(s.committee_posts(&scope, w.b.id).await.unwrap().is_empty());
    let tops = s.org_children(&scope, None).await.unwrap();
    assert_eq!(tops.iter().map(|t| t.org.id).collect::<Vec<_>>(), vec![w.a.id]);
    let (b_member_rec, _) = s.member(&all, b_member).await.unwrap();
    let found = s.search_members(&scope, &b_member_rec.name, 500).await.unwrap();
    assert!(found.iter().all(|(m, _)| m.org_id == w.a.id));
    assert!(!found.iter().any(|(m, _)| m.id == b_member));

    // An administrator of A's parent sees A, not B; a jurisdiction administrator sees both.
    let adm = s.create_user("adm_parent", "password-p1", Role::Admin, w.a.parent_id, None).await.unwrap();
    let pscope = s.scope_for(&adm).await.unwrap();
    assert!(s.org(&pscope, w.a.id).await.is_ok());
    assert!(s.org(&pscope, w.b.id).await.is_err());
    let root = s.create_user("adm_all", "password-r1", Role::Admin, None, None).await.unwrap();
    let rscope = s.scope_for(&root).await.unwrap();
    assert!(s.org(&rscope, w.b.id).await.is_ok() && s.member(&rscope, a_member).await.is_ok());

    // A member sees only the own record.
    let mem = s.create_user("member_a", "password-m1", Role::Member, None, Some(a_member)).await.unwrap();
    let mscope = s.scope_for(&mem).await.unwrap();
    assert!(s.member(&mscope, a_member).await.is_ok());
    let other_in_a = s.org_members(&all, w.a.id, 1, 1).await.unwrap().0[0].id;
    assert!(s.member(&mscope, other_in_a).await.is_err());
    assert!(s.org(&mscope, w.a.id).await.is_err());
    // Meetings: those on the member's own attendance record, showing only the own line.
    let mine = s.member_attendance(&mscope, a_member, year).await.unwrap();
    assert!(!mine.is_empty());
    for (m, _, _) in &mine {
        let d = s.meeting(&mscope, m.id).await.unwrap();
        assert_eq!(d.attendance.iter().map(|a| a.member_id).collect::<Vec<_>>(), vec![a_member], "only the own line");
        assert_eq!(d.meeting.expected, s.meeting(&all, m.id).await.unwrap().meeting.expected, "the counts are the meeting's");
    }
    let on_roll = s.meeting(&all, a_meeting).await.unwrap().attendance.iter().any(|a| a.member_id == a_member);
    assert_eq!(s.meeting(&mscope, a_meeting).await.is_ok(), on_roll);
    assert!(s.meeting(&mscope, b_meeting).await.is_err());
    assert!(s.org_children(&mscope, None).await.unwrap().is_empty());
}
both!(scope_matrix);

async fn bad_input_is_refused_and_nothing_written(db: Db) {
    let Some(w) = world(db).await else { return };
    let s = &w.store;
    let all = Scope::jurisdiction();
    let before = s.table_counts().await.unwrap();

    // Malformed and mismatched ID numbers, a member without an organisation.
    let (f, msg) = field(s.insert_member(&all, &member_input(w.a.id, "110105194912310021")).await.unwrap_err());
    assert_eq!(f, "citizen_id");
    assert!(msg.contains("身份证号") && msg.contains("校验位"), "{msg}");
    let mut mismatched = member_input(w.a.id, "11010519491231002X");
    mismatched.birth_date = "1950-01-01".into();
    let (f, msg) = field(s.insert_member(&all, &mismatched).await.unwrap_err());
    assert_eq!(f, "birth_date");
    assert!(msg.contains("出生日期"), "{msg}");
    let mut orphan = member_input(w.a.id, "11010519491231002X");
    orphan.org_id = None;
    let (f, msg) = field(s.insert_member(&all, &orphan).await.unwrap_err());
    assert_eq!(f, "org_id");
    assert!(msg.contains("所在党组织"), "{msg}");

    // A duplicate organisation code.
    let dup = NewOrg {
        code: w.b.code.clone(),
        name: "重复代码支部".into(),
        level: OrgLevel::Group,
        sector: Sector::Other,
        parent_id: Some(w.a.id),
        region_code: "330122".into(),
        grid_id: None,
        unit_id: None,
        founded_on: None,
        elected_on: None,
        term_years: None,
    };
    let (f, msg) = field(s.insert_org(&all, &dup).await.unwrap_err());
    assert_eq!(f, "code");
    assert!(msg.contains("组织代码") && msg.contains(&w.b.code), "{msg}");

    // A meeting recorded by A's secretary into branch B, and one listing B's member.
    let sec = s.create_user("sec_a2", "password-a2", Role::Secretary, Some(w.a.id), None).await.unwrap();
    let scope = s.scope_for(&sec).await.unwrap();
    let b_member = s.org_members(&all, w.b.id, 0, 1).await.unwrap().0[0].id;
    let a_member = s.org_members(&all, w.a.id, 0, 1).await.unwrap().0[0].id;
    let meeting = |org_id: i64, who: i64| NewMeeting {
        org_id,
        kind: MeetingKind::ThemedPartyDay,
        held_on: as_of(),
        topic: "测试主题党日".into(),
        summary: None,
        form: MeetingForm::Volunteer,
        theme: Some(domain::life::ThemeCategory::Volunteer),
        host: None,
        recorder: None,
        attendance: vec![
            AttendanceInput { member_id: a_member, present: true, absence_reason: None },
            AttendanceInput { member_id: who, present: true, absence_reason: None },
        ],
    };
    let (f, msg) = field(s.insert_meeting(&scope, &meeting(w.b.id, b_member), as_of()).await.unwrap_err());
    assert_eq!(f, "org_id");
    assert!(msg.contains("权限范围"), "{msg}");
    let (f, msg) = field(s.insert_meeting(&scope, &meeting(w.a.id, b_member), as_of()).await.unwrap_err());
    assert_eq!(f, "attendance");
    assert!(msg.contains("在册党员"), "{msg}");
    let mut absent = meeting(w.a.id, a_member);
    absent.attendance = vec![AttendanceInput { member_id: a_member, present: false, absence_reason: Some("  ".into()) }];
    let (f, _) = field(s.insert_meeting(&scope, &absent, as_of()).await.unwrap_err());
    assert_eq!(f, "attendance");

    let mut after = s.table_counts().await.unwrap();
    after.retain(|(t, _)| *t != "users");
    let mut before = before;
    before.retain(|(t, _)| *t != "users");
    assert_eq!(before, after, "refused input must write nothing");

    // The valid versions go through.
    let ok = s.insert_meeting(&scope, &NewMeeting { attendance: vec![AttendanceInput { member_id: a_member, present: false, absence_reason: Some("因病请假".into()) }], ..meeting(w.a.id, a_member) }, as_of()).await.unwrap();
    assert_eq!((ok.meeting.present, ok.meeting.expected), (0, 1));
}
both!(bad_input_is_refused_and_nothing_written);

async fn member_counts_follow_entries_and_leavings(db: Db) {
    let Some(w) = world(db).await else { return };
    let s = &w.store;
    let all = Scope::jurisdiction();
    let root = s.org_children(&all, None).await.unwrap()[0].org.id;
    let root_before = s.subtree_member_count(&all, root).await.unwrap();
    let leaf_before = s.subtree_member_count(&all, w.a.id).await.unwrap();
    assert_eq!(leaf_before, w.a.direct_members);

    let m = s.insert_member(&all, &member_input(w.a.id, "11010519491231002X")).await.unwrap();
    assert_eq!(m.citizen_id.masked(), "1101**********002X");
    assert_eq!(s.subtree_member_count(&all, w.a.id).await.unwrap(), leaf_before + 1);
    assert_eq!(s.subtree_member_count(&all, root).await.unwrap(), root_before + 1);
    let (f, _) = field(s.insert_member(&all, &member_input(w.b.id, "11010519491231002X")).await.unwrap_err());
    assert_eq!(f, "citizen_id", "a citizen ID is registered once");

    s.member_leave(&all, m.id, as_of(), LeaveReason::TransferredOut, Some("转至外县")).await.unwrap();
    assert_eq!(s.subtree_member_count(&all, root).await.unwrap(), root_before);
    let (kept, _) = s.member(&all, m.id).await.unwrap();
    assert_eq!(kept.left_reason, Some(LeaveReason::TransferredOut), "leaving keeps the record");
    assert!(s.member_leave(&all, m.id, as_of(), LeaveReason::Deceased, None).await.is_err());

    // New organisations get a path under their parent and appear in its subtree.
    let child = s
        .insert_org(&all, &NewOrg { code: "TEST-GROUP-1".into(), name: "测试党小组".into(), level: OrgLevel::Group, sector: w.a.sector, parent_id: Some(w.a.id), region_code: "330122".into(), grid_id: None, unit_id: None, founded_on: None, elected_on: None, term_years: None })
        .await
        .unwrap();
    let sec = s.create_user("sec_a3", "password-a3", Role::Secretary, Some(w.a.id), None).await.unwrap();
    let scope = s.scope_for(&sec).await.unwrap();
    assert!(s.org(&scope, child.id).await.is_ok());
    let (f, _) = field(s.insert_org(&scope, &NewOrg { code: "TEST-2".into(), parent_id: Some(w.b.id), ..NewOrg { code: String::new(), name: "越权支部".into(), level: OrgLevel::Group, sector: Sector::Other, parent_id: None, region_code: "330122".into(), grid_id: None, unit_id: None, founded_on: None, elected_on: None, term_years: None } }).await.unwrap_err());
    assert_eq!(f, "parent_id");
}
both!(member_counts_follow_entries_and_leavings);

async fn users_and_sessions(db: Db) {
    let Some(w) = world(db).await else { return };
    let s = &w.store;
    let u = s.create_user("zhang", "correct-horse", Role::Secretary, Some(w.a.id), None).await.unwrap();
    assert!(s.authenticate("zhang", "wrong-horse").await.unwrap().is_none());
    assert!(s.authenticate("nobody", "correct-horse").await.unwrap().is_none());
    assert_eq!(s.authenticate("zhang", "correct-horse").await.unwrap().unwrap().id, u.id);
    let (f, _) = field(s.create_user("zhang", "another-pw", Role::Admin, None, None).await.unwrap_err());
    assert_eq!(f, "username");
    let (f, _) = field(s.create_user("li", "short", Role::Admin, None, None).await.unwrap_err());
    assert_eq!(f, "password");
    let (f, _) = field(s.create_user("wang", "long-enough", Role::Secretary, None, None).await.unwrap_err());
    assert_eq!(f, "org");
    let (token, info) = s.create_session(&u).await.unwrap();
    assert_eq!(s.session(&token).await.unwrap().unwrap().csrf_token, info.csrf_token);
    assert!(s.session("not-a-token").await.unwrap().is_none());
    s.revoke_session(&token).await.unwrap();
    assert!(s.session(&token).await.unwrap().is_none());
}
both!(users_and_sessions);

async fn migrations_run_once(db: Db) {
    let Some(url) = fresh_url(db).await else { return };
    let store = testkit::open(&url).await;
    store.insert_org(&Scope::jurisdiction(), &NewOrg { code: "ROOT".into(), name: "中共测试县委员会".into(), level: OrgLevel::LocalCommittee, sector: Sector::Other, parent_id: None, region_code: "330122".into(), grid_id: None, unit_id: None, founded_on: None, elected_on: None, term_years: None }).await.unwrap();
    store.close().await;
    // Opening again re-runs nothing and keeps the data.
    let again = testkit::open(&url).await;
    assert!(!again.is_empty().await.unwrap());
    assert_eq!(again.org_by_code(&Scope::jurisdiction(), "ROOT").await.unwrap().depth, 0);
}
both!(migrations_run_once);

async fn development_steps_are_checked_and_all_or_nothing(db: Db) {
    use domain::development::{Stage, Step, Vote};
    let Some(w) = world(db).await else { return };
    let (s, all) = (&w.store, Scope::jurisdiction());
    let rules = domain::rules::Rules::default_rules();
    let d = |x: &str| Date::parse_from_str(x, "%Y-%m-%d").unwrap();
    let birth = d("2000-03-15");
    let cid = domain::CitizenId::compose("330122", birth, 31).reveal().to_string();
    let person = NewMemberInput { birth_date: "2000-03-15".into(), citizen_id: cid.clone(), sex: "男".into(), occupation: "工人".into(), ..member_input(w.a.id, "") };

    // Under 18 at application: refused with the rule and its citation.
    let (f, msg) = field(s.insert_applicant(&all, &person, d("2018-03-14"), &rules, as_of()).await.unwrap_err());
    assert_eq!(f, "step");
    assert!(msg.contains("development.min_age") && msg.contains("中国共产党章程"), "{msg}");
    let id = s.insert_applicant(&all, &person, d("2023-01-10"), &rules, as_of()).await.unwrap();
    assert!(s.insert_applicant(&all, &person, d("2023-01-10"), &rules, as_of()).await.is_err(), "same citizen ID twice");

    let members_before = s.org_summary(&all, w.a.id).await.unwrap().member_count;
    let steps_before = s.development_steps(&all, id).await.unwrap().len();
    // 培养联系人 and 介绍人 are the branch's full members: anyone else is refused.
    let full = s.full_member_names(w.a.id).await.unwrap();
    assert!(full.len() >= 2, "{full:?}");
    let (f, msg) = field(s.record_development_step(&all, id, &Step::Activist { on: d("2023-03-01"), talked_on: Some(d("2023-01-20")), contacts: vec!["不在册的人".into()] }, &rules, as_of(), None).await.unwrap_err());
    assert!(f == "contacts" && msg.contains("不在册的人") && msg.contains("正式党员"), "{msg}");
    // A candidate after 364 days as an activist: refused, nothing written.
    s.record_development_step(&all, id, &Step::Activist { on: d("2023-03-01"), talked_on: Some(d("2023-01-20")), contacts: vec![full[0].clone()] }, &rules, as_of(), None).await.unwrap();
    let (_, msg) = field(s.record_development_step(&all, id, &Step::Candidate { on: d("2024-02-28") }, &rules, as_of(), None).await.unwrap_err());
    assert!(msg.contains("development.activist_min_days") && msg.contains("364天"), "{msg}");
    let rec = s.development_record(&all, id).await.unwrap();
    assert_eq!((rec.stage, rec.candidate_on), (Stage::Activist, None));
    assert_eq!(s.development_steps(&all, id).await.unwrap().len(), steps_before + 1);

    s.record_development_step(&all, id, &Step::Candidate { on: d("2024-02-29") }, &rules, as_of(), None).await.unwrap();
    // Admission with one sponsor: refused. With two, but no approval yet: the branch has
    // voted, the person waits for 上级党委审批 and is not on the roll; the approval makes
    // a 预备党员 whose probation counts from the branch meeting.
    let admit = |sponsors: Vec<String>| Step::Admit { on: d("2024-09-01"), sponsors, review_on: Some(d("2024-08-01")), training_hours: 24.0, vote: Vote { eligible: 20, present: 15, favour: 14 }, approved_on: None };
    assert!(s.record_development_step(&all, id, &admit(vec![full[0].clone()]), &rules, as_of(), None).await.is_err());
    assert_eq!(s.org_summary(&all, w.a.id).await.unwrap().member_count, members_before, "nothing half-recorded");
    assert_eq!(s.record_development_step(&all, id, &admit(vec![full[0].clone(), full[1].clone()]), &rules, as_of(), None).await.unwrap(), Stage::AwaitingApproval);
    assert_eq!(s.org_summary(&all, w.a.id).await.unwrap().member_count, members_before, "not a member before the approval");
    assert!(s.record_development_step(&all, id, &Step::Approve { on: d("2025-04-01") }, &rules, as_of(), None).await.is_err(), "approval over 6 months after the meeting");
    assert_eq!(s.record_development_step(&all, id, &Step::Approve { on: d("2024-10-08") }, &rules, as_of(), None).await.unwrap(), Stage::Probationary);
    assert_eq!(s.org_summary(&all, w.a.id).await.unwrap().member_count, members_before + 1);
    let (found, _) = s.search_members(&all, "测试党员", 10).await.unwrap().into_iter().find(|(m, _)| m.birth_date == birth).unwrap();
    assert_eq!((found.status.code(), found.joined_on), ("probationary", d("2024-09-01")));
    // Confirmation one day early is refused; on time the member turns full.
    assert!(s.record_development_step(&all, id, &Step::Confirm { on: d("2025-08-31"), vote: Vote { eligible: 20, present: 15, favour: 14 } }, &rules, as_of(), None).await.is_err());
    s.record_development_step(&all, id, &Step::Confirm { on: d("2025-09-01"), vote: Vote { eligible: 20, present: 15, favour: 14 } }, &rules, as_of(), None).await.unwrap();
    let (m, _) = s.member(&all, found.id).await.unwrap();
    assert_eq!((m.status.code(), m.full_on), ("full", Some(d("2025-09-01"))));
    assert!(m.missing_archive_materials().is_empty(), "{:?}", m.missing_archive_materials());
    assert_eq!(s.development_steps(&all, id).await.unwrap().len(), 6, "the full history: application, activist, candidate, admission, approval, confirmation");

    // Dues: computed by bracket, overlapping months refused; a transfer takes the member off the roll.
    let p = s.insert_dues(&all, m.id, &dues("2025-10", "2025-12", "5000", "2025-10-05"), &rules, as_of()).await.unwrap();
    assert_eq!(p.amount, 150.0, "5000 pays 1 % a month, three months");
    assert!(s.insert_dues(&all, m.id, &dues("2025-12", "2026-02", "5000", "2025-12-05"), &rules, as_of()).await.is_err());
    let t = s.transfer_out(&all, m.id, &domain::life::TransferInput { letter_no: "2026组转字第001号".into(), issued_on: "2026-11-01".into(), counterpart: "中共某市某支部委员会".into() }.validate(as_of()).unwrap(), &rules).await.unwrap();
    assert_eq!(s.org_summary(&all, w.a.id).await.unwrap().member_count, members_before);
    let letters = s.transfers(&all, Some(m.id), None).await.unwrap();
    assert_eq!((letters[0].dues_paid_to.as_str(), letters[0].valid_days), ("2025-12", 90));
    s.receive_transfer(&all, t, d("2026-11-20"), as_of()).await.unwrap();
    assert!(s.receive_transfer(&all, t, d("2026-11-21"), as_of()).await.is_err(), "one receipt");
    // Outside the secretary's subtree: not found.
    let sec_b = s.create_user("sec_dev_b", "password-b1", Role::Secretary, Some(w.b.id), None).await.unwrap();
    let scope_b = s.scope_for(&sec_b).await.unwrap();
    assert!(matches!(s.development_record(&scope_b, id).await, Err(StoreError::NotFound { .. })));
}
both!(development_steps_are_checked_and_all_or_nothing);

fn dues(from: &str, to: &str, base: &str, paid_on: &str) -> domain::dues::DuesInput {
    domain::dues::DuesInput { from_month: from.into(), to_month: Some(to.into()), base: Some(base.into()), amount: None, paid_on: paid_on.into() }
}

/// A member entered with 民族/学历/职业 left empty and 入党时间 known only to the month is
/// held as 未登记 with its precision, counted by the completeness report of its branch and
/// listed by name, on both databases; other branches are not in the secretary's scope.
async fn unregistered_fields_are_held_and_counted(db: Db) {
    let Some(w) = world(db).await else { return };
    let (s, all) = (&w.store, Scope::jurisdiction());
    let before = s.member_completeness(&all, w.a.id).await.unwrap();
    let gaps_before: [i64; 6] = before.iter().fold([0; 6], |mut t, r| {
        t.iter_mut().zip(r.gaps).for_each(|(a, b)| *a += b);
        t
    });
    let cid = domain::CitizenId::compose("330122", Date::from_ymd_opt(1980, 2, 3).unwrap(), 771).reveal().to_string();
    let input = NewMemberInput { name: "未登记者".into(), ethnicity: "".into(), education: "".into(), occupation: "".into(), sex: "".into(), birth_date: "".into(), joined_on: "2005.07".into(), full_on: None, status: "".into(), ..member_input(w.a.id, &cid) };
    let m = s.insert_member(&all, &input).await.unwrap();
    let (stored, _) = s.member(&all, m.id).await.unwrap();
    assert_eq!((stored.ethnicity.as_str(), stored.education, stored.occupation), ("未登记", domain::member::Education::Unregistered, domain::member::Occupation::Unregistered));
    assert_eq!((stored.joined_on.to_string(), stored.joined_precision), ("2005-07-01".to_string(), domain::dates::Precision::Month));
    assert_eq!((stored.sex, stored.birth_date.to_string()), (domain::member::Sex::Male, "1980-02-03".to_string()));
    let after = s.member_completeness(&all, w.a.id).await.unwrap();
    let gaps_after: [i64; 6] = after.iter().fold([0; 6], |mut t, r| {
        t.iter_mut().zip(r.gaps).for_each(|(a, b)| *a += b);
        t
    });
    let phone_missing = stored.phone.is_none() as i64;
    assert_eq!(gaps_after.iter().zip(gaps_before).map(|(a, b)| a - b).collect::<Vec<_>>(), vec![1, 1, 1, phone_missing, 1, 0]);
    let listed = s.incomplete_members(&all, w.a.id, Some(2), 1000).await.unwrap();
    let me = listed.iter().find(|x| x.member_id == m.id).expect("listed under 职业");
    assert!(me.gaps.contains(&"职业") && me.gaps.contains(&"入党时间只有年月"), "{:?}", me.gaps);
    let sec = s.subtree_scope(w.a.id).await.unwrap();
    assert!(s.member_completeness(&sec, w.b.id).await.is_err(), "another branch is out of scope");
}
both!(unregistered_fields_are_held_and_counted);

/// A double-click (several identical submissions at once) records one payment; the others
/// are refused with the reason, on both databases.
async fn a_double_submitted_payment_is_recorded_once(db: Db) {
    let Some(w) = world(db).await else { return };
    let all = Scope::jurisdiction();
    let (members, _) = w.store.org_members(&all, w.a.id, 0, 50).await.unwrap();
    // A member and a month of this year with no payment yet.
    let mut free = None;
    for m in members.into_iter().filter(|m| m.is_active() && m.joined_on < Date::from_ymd_opt(2025, 1, 1).unwrap()) {
        let paid = w.store.member_dues(&all, m.id).await.unwrap();
        if let Some(month) = (1..=10).map(|k| format!("2026-{k:02}")).find(|k| !paid.iter().any(|p| p.from.text() <= *k && p.to.text() >= *k)) {
            free = Some((m, month));
            break;
        }
    }
    let (m, month) = free.expect("a month without dues");
    let rules = domain::rules::Rules::default_rules();
    let tasks: Vec<_> = (0..5)
        .map(|_| {
            let (s, all, rules, month) = (w.store.clone(), all.clone(), rules.clone(), month.clone());
            tokio::spawn(async move { s.insert_dues(&all, m.id, &dues(&month, &month, "2800", "2026-11-15"), &rules, as_of()).await })
        })
        .collect();
    let mut ok = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => ok += 1,
            Err(e) => assert!(e.to_string().contains("不能重复登记"), "{e}"),
        }
    }
    assert_eq!(ok, 1, "exactly one of five identical submissions is recorded");
}
both!(a_double_submitted_payment_is_recorded_once);

/// Migrations: several processes opening a new database at once migrate it one after the
/// other; a migration changed after it was applied is refused with the reason.
async fn migrations_are_locked_and_checked(db: Db) {
    let Some(url) = testkit::fresh_url(db).await else { return };
    let opens: Vec<_> = (0..3).map(|_| { let url = url.clone(); tokio::spawn(async move { Store::open(&url).await.map(|_| ()) }) }).collect();
    for o in opens {
        o.await.unwrap().expect("concurrent start-ups all succeed");
    }
    let s = Store::open(&url).await.unwrap();
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(s.url()).await.unwrap();
    let applied: i64 = sqlx::Row::try_get(&sqlx::query("SELECT COUNT(*) FROM schema_migrations WHERE checksum IS NOT NULL").fetch_one(&pool).await.unwrap(), 0).unwrap();
    assert!(applied >= 14, "every migration recorded once with its checksum ({applied})");
    sqlx::query("UPDATE schema_migrations SET checksum = 'x' WHERE version = 3").execute(&pool).await.unwrap();
    pool.close().await;
    let e = Store::open(&url).await.err().expect("a changed migration is refused").to_string();
    assert!(e.contains("0003_exchange") && e.contains("校验和不一致"), "{e}");

    // A database a newer dangjian migrated is refused before anything is read from it.
    let pool = sqlx::AnyPool::connect(s.url()).await.unwrap();
    sqlx::query("UPDATE schema_migrations SET checksum = NULL WHERE version = 3").execute(&pool).await.unwrap();
    sqlx::query("INSERT INTO schema_migrations (version, name, applied_at, checksum) VALUES (9999, '9999_future', '2030-01-01', 'x')").execute(&pool).await.unwrap();
    pool.close().await;
    let e = Store::open(&url).await.err().expect("a newer database is refused").to_string();
    assert!(e.contains("第9999版") && e.contains("新版本"), "{e}");
}
both!(migrations_are_locked_and_checked);

/// Sessions end when idle or too old, and when their user is disabled; the password
/// policy applies to new accounts and changed passwords.
async fn sessions_end_and_passwords_follow_the_policy(db: Db) {
    let Some(w) = world(db).await else { return };
    let s = w.store.clone().with_sessions(store::SessionPolicy { idle_minutes: 30, absolute_hours: 2 });
    let (f, m) = field(s.create_user("zhao", "1234567890", Role::Admin, None, None).await.unwrap_err());
    assert_eq!((f, m.contains("太常见")), ("password", true));
    let u = s.create_user("zhao", "a-good-long-pass", Role::Admin, None, None).await.unwrap();
    let (token, _) = s.create_session(&u).await.unwrap();
    assert!(s.session(&token).await.unwrap().is_some());
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(s.url()).await.unwrap();
    let ago = |mins: i64| (chrono::Utc::now() - chrono::Duration::minutes(mins)).format("%Y-%m-%dT%H:%M:%SZ").to_string();
    sqlx::query("UPDATE sessions SET last_seen_at = $1").bind(ago(31)).execute(&pool).await.unwrap();
    assert!(s.session(&token).await.unwrap().is_none(), "idle for 31 minutes of 30");
    let (token, _) = s.create_session(&u).await.unwrap();
    sqlx::query("UPDATE sessions SET expires_at = $1 WHERE last_seen_at > $2").bind(ago(1)).bind(ago(5)).execute(&pool).await.unwrap();
    assert!(s.session(&token).await.unwrap().is_none(), "past its absolute end");
    let (token, _) = s.create_session(&u).await.unwrap();
    s.set_user_disabled(&u, true).await.unwrap();
    assert!(s.session(&token).await.unwrap().is_none() && s.authenticate("zhao", "a-good-long-pass").await.unwrap().is_none(), "a disabled user is out");
    s.set_user_disabled(&u, false).await.unwrap();
    let (f, _) = field(s.set_password(&u, Some("a-good-long-pass"), "zhao-2026-abcdef", None).await.unwrap_err());
    assert_eq!(f, "password", "the username in the password is refused");
    pool.close().await;
}
both!(sessions_end_and_passwords_follow_the_policy);

/// The sparse facts (cadres, posts, units, transfers, development) are read once for the
/// subtree judged, and for the top of the tree the cadres without a path: an
/// organisation's verdicts must not depend on whether it is judged under the top, under
/// one of its parts, or alone (as an update after a write judges it).
async fn verdicts_do_not_depend_on_the_subtree_judged(db: Db) {
    let Some(store) = generated(db, 9).await else { return };
    let all = Scope::jurisdiction();
    let rules = domain::rules::Rules::default_rules();
    let top = store.org_children(&all, None).await.unwrap()[0].org.clone();
    let part = store.org_children(&all, Some(top.id)).await.unwrap()[0].org.clone();
    let verdicts = |v: Vec<domain::compliance::RuleVerdict>| serde_json::to_value(v).unwrap();
    for year in [2025, 2026] {
        let mut under_top = std::collections::HashMap::new();
        store.judge_subtree(&all, top.id, &rules, year, as_of(), |org, _, v| { under_top.insert(org.id, verdicts(v)); }).await.unwrap();
        let mut under_part = Vec::new();
        store.judge_subtree(&all, part.id, &rules, year, as_of(), |org, _, v| under_part.push((org.clone(), verdicts(v)))).await.unwrap();
        assert!(under_part.len() > 20, "{}", under_part.len());
        let mut cadres_judged = 0;
        for (org, v) in &under_part {
            assert_eq!(&under_top[&org.id], v, "{} under the top and under {}", org.name, part.name);
            let alone = store.judge_one(org, &rules, year, as_of(), |facts, v| {
                cadres_judged += facts.member_facts.iter().filter(|m| m.cadre).count();
                verdicts(v)
            }).await.unwrap();
            assert_eq!(&alone, v, "{} alone and under {}", org.name, part.name);
        }
        assert!(cadres_judged > 0, "the part's members include cadres");
    }
}
both!(verdicts_do_not_depend_on_the_subtree_judged);
