//! One county: townships with villages, streets with communities and grids, county
//! organs, schools, hospitals, state and non-public enterprises, social organisations.

mod life;

use crate::names;
use crate::people::{self, weighted, Person, Profile};
use crate::{Ids, OrgRef};
use chrono::{Datelike, Duration};
use domain::meeting::{MeetingForm, MeetingKind};
use domain::life::ThemeCategory;
use domain::org::{CommitteeRole, OrgLevel, Sector, VenueKind};
use domain::unit::{Coverage, NewField, SubUnitKind, UnitKind};
use domain::rules::Rules;
use domain::{Date, Labelled};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::collections::{HashMap, HashSet};
use store::{Arg, BulkLoader, StoreError, Table};

/// How a branch conducts organisational life, as the seed describes the spread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Conduct {
    /// Everything on time, varied forms (示范党支部).
    Exemplary,
    Normal,
    /// Meetings held but only 传达文件 / 读文件、念报纸 (形式主义).
    Formality,
    /// Meetings often skipped.
    Weak,
}

impl Conduct {
    fn held(self) -> f64 {
        match self {
            Conduct::Exemplary => 1.0,
            Conduct::Normal => 0.92,
            Conduct::Formality => 0.85,
            Conduct::Weak => 0.45,
        }
    }
    fn attendance(self) -> f64 {
        match self {
            Conduct::Exemplary => 0.96,
            Conduct::Normal => 0.9,
            Conduct::Formality => 0.86,
            Conduct::Weak => 0.7,
        }
    }
}

const THEMES: &[(&str, MeetingForm, ThemeCategory)] = &[
    ("环境整治志愿服务", MeetingForm::Volunteer, ThemeCategory::Volunteer),
    ("重温入党誓词", MeetingForm::Study, ThemeCategory::Study),
    ("参观革命纪念馆", MeetingForm::RedEducation, ThemeCategory::RedEducation),
    ("结对帮扶困难群众", MeetingForm::Volunteer, ThemeCategory::PovertyRelief),
    ("学习党的二十届三中全会精神研讨", MeetingForm::Discussion, ThemeCategory::Study),
    ("“学习强国”线上答题", MeetingForm::Online, ThemeCategory::Study),
    ("走访慰问老党员", MeetingForm::Volunteer, ThemeCategory::PovertyRelief),
    ("红色教育基地现场教学", MeetingForm::FieldTeaching, ThemeCategory::RedEducation),
    ("文明城市创建志愿服务", MeetingForm::Volunteer, ThemeCategory::CivilisationPractice),
    ("网上党课集中收看", MeetingForm::Online, ThemeCategory::Study),
    ("乡村振兴项目现场观摩", MeetingForm::FieldTeaching, ThemeCategory::Development),
    ("安全生产宣传进企业", MeetingForm::Volunteer, ThemeCategory::Development),
];
const FORMAL_SUMMARIES: &[&str] = &["传达学习上级文件精神。", "领学上级文件，读报学习。", "传达会议精神，念文件。"];
const ABSENCE: &[&str] = &["因病请假", "工作冲突请假", "家中有事请假", "值班", "外出学习"];

pub(crate) struct County<'a, 'l> {
    climate: crate::Climate,
    loader: &'a mut BulkLoader<'l>,
    rules: &'a Rules,
    ids: &'a mut Ids,
    rng: &'a mut ChaCha8Rng,
    as_of: Date,
    region: String,
    created: String,
    org_seq: u32,
    unit_seq: u32,
    citizen_ids: HashSet<(Date, u16)>,
    /// Open joint branch per (owner, sector) and how many units it covers.
    joint: HashMap<(i64, Sector), (i64, u32)>,
    joint_seq: u32,
    /// A cut-down county (2 townships, 1 street, a sixth of the departments) for tests.
    small: bool,
    /// Secretaries of the branches written so far in the current body, for its committee.
    secretaries: Vec<(i64, String)>,
    /// Theme category of the themed party day being written.
    theme: Option<ThemeCategory>,
}

type R<T> = Result<T, StoreError>;

/// Writes a local committee (省委/市委/县委) at the top of a jurisdiction.
pub(crate) async fn local_committee(loader: &mut BulkLoader<'_>, ids: &mut Ids, parent: Option<&OrgRef>, code: &str, name: &str, region: &str, created: &str) -> R<OrgRef> {
    let id = Ids::next(&mut ids.org);
    let (path, depth) = child_path(parent, id);
    loader
        .add(Table::Orgs, vec![
            id.into(), code.into(), name.into(), OrgLevel::LocalCommittee.code().into(), Sector::Other.code().into(),
            parent.map(|p| p.id).into(), path.clone().into(), depth.into(), region.into(), Arg::OI(None), Arg::OI(None),
            Arg::OS(None), Arg::OS(None), Arg::OI(None), 0i64.into(), created.into(),
        ])
        .await?;
    Ok(OrgRef { id, path, depth })
}

/// When a member who left the roll left: from ten months before the meeting window to a
/// month before the as-of date, fixed by the member's id so that the roll and the transfer
/// letter agree. (Leavers are kept out of the window's meetings.)
fn leaver_date(as_of: Date, member_id: i64) -> Date {
    let first = crate::window_start(as_of) - Duration::days(300);
    let span = (as_of - Duration::days(30) - first).num_days().max(1);
    first + Duration::days(member_id.rem_euclid(span))
}

fn child_path(parent: Option<&OrgRef>, id: i64) -> (String, i64) {
    match parent {
        Some(p) => (format!("{}{id}/", p.path), p.depth + 1),
        None => (format!("/{id}/"), 0),
    }
}

/// What `organisation` needs to know about the body it sets up.
struct Body<'s> {
    name: &'s str,
    sector: Sector,
    profile: Profile,
    members: u32,
    unit_id: Option<i64>,
    grid_id: Option<i64>,
    venue: Option<VenueKind>,
}

impl<'a, 'l> County<'a, 'l> {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(loader: &'a mut BulkLoader<'l>, rules: &'a Rules, ids: &'a mut Ids, rng: &'a mut ChaCha8Rng, as_of: Date, region: String, created: String, small: bool, climate: crate::Climate) -> Self {
        County { climate, loader, rules, ids, rng, as_of, region, created, org_seq: 0, unit_seq: 0, citizen_ids: HashSet::new(), joint: HashMap::new(), joint_seq: 0, small, secretaries: Vec::new(), theme: None }
    }

    pub(crate) async fn build(mut self, parent: Option<&OrgRef>) -> R<()> {
        let county_name = names::place(self.rng);
        let code = format!("{}-00000", self.region);
        let region = self.region.clone();
        let created = self.created.clone();
        let county = local_committee(self.loader, self.ids, parent, &code, &format!("中共{county_name}县委员会"), &region, &created).await?;
        self.org_seq = 1;

        let (townships, streets) = if self.small { (2, 1) } else { (15, 4) };
        for t in 0..townships {
            self.township(&county, t).await?;
        }
        for s in 0..streets {
            self.street(&county, s).await?;
        }
        self.county_departments(&county).await?;
        Ok(())
    }

    // ---- building blocks -------------------------------------------------------------

    /// Committee term from the rules file.
    fn term(&self, level: OrgLevel, sector: Sector) -> i64 {
        self.rules.term_years(level, sector) as i64
    }

    fn next_code(&mut self) -> String {
        self.org_seq += 1;
        format!("{}-{:05}", self.region, self.org_seq)
    }

    #[allow(clippy::too_many_arguments)]
    async fn org_row(&mut self, parent: &OrgRef, name: &str, level: OrgLevel, sector: Sector, unit: Option<i64>, grid: Option<i64>, term: Option<i64>, region: &str) -> R<OrgRef> {
        let id = Ids::next(&mut self.ids.org);
        let (path, depth) = child_path(Some(parent), id);
        let code = self.next_code();
        let founded = Date::from_ymd_opt(self.rng.gen_range(1978..2020), self.rng.gen_range(1..=12), self.rng.gen_range(1..=28)).expect("valid");
        let elected = term.map(|t| {
            // Most committees were elected within their term; about 8 % are overdue (换届逾期).
            let overdue = self.rng.gen_bool(0.08) && self.climate != crate::Climate::Compliant;
            let span = if overdue { t * 365 + self.rng.gen_range(30..400) } else { self.rng.gen_range(30..t * 365 - 20) };
            (self.as_of - Duration::days(span)).max(founded)
        });
        self.loader
            .add(Table::Orgs, vec![
                id.into(), code.into(), name.into(), level.code().into(), sector.code().into(), Some(parent.id).into(),
                path.clone().into(), depth.into(), region.into(), grid.into(), unit.into(), Some(founded).into(),
                elected.into(), term.into(), 0i64.into(), self.created.clone().into(),
            ])
            .await?;
        Ok(OrgRef { id, path, depth })
    }

    #[allow(clippy::too_many_arguments)]
    async fn unit(&mut self, owner: &OrgRef, name: &str, kind: UnitKind, employees: i64, members: i64, full: i64, new_field: Option<NewField>, coverage: Coverage, covering: Option<i64>, instructor: Option<String>) -> R<i64> {
        let id = Ids::next(&mut self.ids.unit);
        self.unit_seq += 1;
        let code = format!("U{}-{:05}", self.region, self.unit_seq);
        self.loader
            .add(Table::Units, vec![
                id.into(), code.into(), name.into(), kind.code().into(), self.region.clone().into(), owner.id.into(), employees.into(),
                members.into(), full.into(), new_field.map(|f| f.code().to_string()).into(), coverage.code().into(), covering.into(),
                instructor.into(), self.created.clone().into(),
            ])
            .await?;
        Ok(id)
    }

    async fn sub_unit(&mut self, unit: i64, kind: SubUnitKind, name: String, org: Option<i64>) -> R<i64> {
        let id = Ids::next(&mut self.ids.sub_unit);
        self.loader.add(Table::SubUnits, vec![id.into(), unit.into(), kind.code().into(), name.into(), org.into()]).await?;
        Ok(id)
    }

    /// Chance that a 支部党员大会, 支委会 or 党课 due is held.
    fn three_one(&self, conduct: Conduct) -> f64 {
        if self.climate == crate::Climate::MeetingsCollapsed { conduct.held() * 0.2 } else { conduct.held() }
    }

    fn conduct(&mut self, profile: Profile) -> Conduct {
        let w = match profile {
            Profile::AgeingVillage => [8, 40, 27, 25],
            Profile::Village | Profile::Community => [20, 48, 20, 12],
            Profile::NonPublic | Profile::Social => [15, 45, 20, 20],
            _ => [30, 47, 18, 5],
        };
        let c = [Conduct::Exemplary, Conduct::Normal, Conduct::Formality, Conduct::Weak][weighted(self.rng, &w)];
        if self.climate == crate::Climate::Compliant { Conduct::Exemplary } else { c }
    }

    /// Sets up the Party body of a unit: one branch (≤ 50 members), a general branch with
    /// branches (51–99) or a grassroots committee with branches (≥ 100), per the 条例.
    async fn organisation(&mut self, parent: &OrgRef, b: Body<'_>) -> R<OrgRef> {
        let region = self.region.clone();
        if b.members <= self.rules.organisation.branch_max_members.get() {
            return self.branch(parent, b.name, &b, b.members, &region).await;
        }
        let (level, per) = if b.members >= self.rules.organisation.committee_min_members.get() { (OrgLevel::GrassrootsCommittee, 30) } else { (OrgLevel::GeneralBranch, 25) };
        let title = if level == OrgLevel::GrassrootsCommittee { "委员会" } else { "总支部委员会" };
        let top = self.org_row(parent, &format!("{}{title}", b.name.trim_end_matches("支部委员会")), level, b.sector, b.unit_id, b.grid_id, Some(self.term(level, b.sector)), &region).await?;
        self.venue(&top, b.venue).await?;
        let k = b.members.div_ceil(per);
        self.secretaries.clear();
        let first = 0;
        for i in 0..k {
            let n = b.members / k + u32::from(i < b.members % k);
            let name = format!("{}第{}支部委员会", b.name.trim_end_matches("支部委员会"), i + 1);
            let sub = Body { venue: None, grid_id: None, ..b };
            self.branch(&top, &name, &sub, n, &region).await?;
        }
        self.top_committee(&top, first).await?;
        Ok(top)
    }

    /// The committee of a general branch or grassroots committee, from the secretaries of
    /// the branches written since `first` (3 or 5 posts).
    async fn top_committee(&mut self, top: &OrgRef, first: usize) -> R<()> {
        let pool: Vec<(i64, String)> = self.secretaries.drain(first..).collect();
        let size = if pool.len() >= 5 { 5 } else { pool.len().min(3) };
        let elected = self.as_of - Duration::days(self.rng.gen_range(60..1500));
        for (k, (mid, name)) in pool.into_iter().take(size).enumerate() {
            let role = match k {
                0 => CommitteeRole::Secretary,
                1 if size == 5 => CommitteeRole::DeputySecretary,
                _ => CommitteeRole::Member,
            };
            let pid = Ids::next(&mut self.ids.post);
            self.loader.add(Table::CommitteePosts, vec![pid.into(), top.id.into(), role.code().into(), Some(mid).into(), name.into(), elected.into(), Arg::OS(None)]).await?;
        }
        Ok(())
    }

    async fn venue(&mut self, org: &OrgRef, kind: Option<VenueKind>) -> R<()> {
        let Some(kind) = kind else { return Ok(()) };
        let id = Ids::next(&mut self.ids.venue);
        let area = match kind {
            VenueKind::ServiceCenter => self.rng.gen_range(150..800) as f64,
            _ => self.rng.gen_range(20..120) as f64,
        };
        self.loader.add(Table::Venues, vec![id.into(), org.id.into(), kind.code().into(), kind.label().into(), Some(area).into()]).await
    }

    /// A branch with its members, party groups, committee and a year and more of meetings.
    async fn branch(&mut self, parent: &OrgRef, name: &str, b: &Body<'_>, n: u32, region: &str) -> R<OrgRef> {
        let org = self.org_row(parent, name, OrgLevel::Branch, b.sector, b.unit_id, b.grid_id, Some(self.term(OrgLevel::Branch, b.sector)), region).await?;
        self.venue(&org, b.venue).await?;
        let conduct = self.conduct(b.profile);
        let untidy = conduct == Conduct::Weak || self.rng.gen_bool(0.1);
        let compliant = self.climate == crate::Climate::Compliant;
        let archives = if compliant { people::Archives::Complete } else if untidy { people::Archives::Untidy } else { people::Archives::Usual };
        // Party groups (党小组) in branches of 15 or more, about 8–12 members each.
        let n_groups = if n >= 15 { n.div_ceil(10) } else { 0 };
        let mut groups = Vec::new();
        for g in 0..n_groups {
            let gname = format!("第{}党小组", g + 1);
            groups.push(self.org_row(&org, &gname, OrgLevel::Group, b.sector, None, None, None, region).await?);
        }
        let mut people: Vec<(i64, Person, Option<usize>)> = Vec::with_capacity(n as usize);
        for i in 0..n {
            let p = people::person(self.rng, b.profile, self.as_of, &self.region, &mut self.citizen_ids, archives);
            let id = Ids::next(&mut self.ids.member);
            let group = (!groups.is_empty()).then(|| i as usize % groups.len());
            people.push((id, p, group));
        }
        // A few members who left before the meeting window: on the roll's history, not in counts.
        let leavers: u32 = if self.rng.gen_bool(0.3) { self.rng.gen_range(1..3).min(n.saturating_sub(3)) } else { 0 };
        for (i, (id, p, group)) in people.iter().enumerate() {
            let left = (i as u32) < leavers;
            let left_on = left.then(|| leaver_date(self.as_of, *id));
            let reason = left.then(|| if p.age > 75 { "deceased" } else { "transferred_out" }.to_string());
            let location = match b.profile {
                Profile::Village | Profile::AgeingVillage | Profile::Community | Profile::NonPublic | Profile::Social => "县委组织部党员档案室",
                _ => "本单位人事部门",
            };
            self.loader
                .add(Table::Members, vec![
                    (*id).into(), org.id.into(), group.map(|g| groups[g].id).into(), p.name.clone().into(), p.sex.code().into(),
                    p.ethnicity.into(), p.birth.into(), p.citizen_id.reveal().into(), p.education.code().into(), p.occupation.code().into(),
                    Some(p.phone.clone()).into(), p.joined_on.into(), p.full_on.into(), p.status.code().into(), p.is_mobile.into(),
                    p.is_lost_contact.into(), p.is_abroad.into(), Some(location.to_string()).into(),
                    store::materials_text(&p.materials).into(), left_on.into(), reason.into(), Arg::OS(None), self.created.clone().into(),
                ])
                .await?;
        }
        let active: Vec<&(i64, Person, Option<usize>)> = people.iter().skip(leavers as usize).collect();
        // Committee: secretary only below 7 full members, else 3 or 5; ageing village
        // committees are drawn from the oldest members (班子老化, 后继乏人).
        let mut candidates: Vec<&(i64, Person, Option<usize>)> =
            active.iter().copied().filter(|x| x.1.full_on.is_some() && !x.1.is_mobile).collect();
        if compliant {
            // Where everything is in order the committee is drawn from the younger members.
            candidates.sort_by_key(|x| x.1.age);
        } else if b.profile == Profile::AgeingVillage {
            candidates.sort_by_key(|x| -x.1.age);
        }
        let full_count = active.iter().filter(|x| x.1.full_on.is_some()).count();
        let o = &self.rules.organisation;
        // A few weak branches never set up the committee their size requires.
        let size = if full_count < o.branch_committee_min_full_members.get() as usize || (conduct == Conduct::Weak && self.rng.gen_bool(0.12)) {
            1
        } else if n >= 30 {
            o.branch_committee_size_max.get() as usize
        } else {
            o.branch_committee_size_min.get() as usize
        };
        let elected = self.as_of - Duration::days(self.rng.gen_range(60..900));
        let mut committee: Vec<i64> = Vec::new();
        for (k, c) in candidates.iter().take(size).enumerate() {
            let role = match k {
                0 => CommitteeRole::Secretary,
                1 if size == 5 => CommitteeRole::DeputySecretary,
                _ => CommitteeRole::Member,
            };
            let pid = Ids::next(&mut self.ids.post);
            self.loader
                .add(Table::CommitteePosts, vec![pid.into(), org.id.into(), role.code().into(), Some(c.0).into(), c.1.name.clone().into(), elected.into(), Arg::OS(None)])
                .await?;
            committee.push(c.0);
        }
        if let Some(c) = candidates.first() {
            self.secretaries.push((c.0, c.1.name.clone()));
        }
        let secretary = candidates.first().map(|c| c.1.name.clone());
        let recorder = candidates.get(1).or(candidates.first()).map(|c| c.1.name.clone());
        let evaluations = self.meetings(&org, conduct, &active, &groups, &committee, secretary, recorder).await?;
        let leaving: Vec<(i64, &Person, Date)> = people.iter().take(leavers as usize).map(|(id, p, _)| (*id, p, leaver_date(self.as_of, *id))).collect();
        self.branch_life(&org, b.profile, conduct, &active, &committee, &leaving, &evaluations, elected).await?;
        Ok(org)
    }

    /// Meetings from 1 January of last year to the as-of date.
    #[allow(clippy::too_many_arguments)]
    /// Returns the democratic evaluations held: (date, meeting id).
    async fn meetings(&mut self, org: &OrgRef, conduct: Conduct, people: &[&(i64, Person, Option<usize>)], groups: &[OrgRef], committee: &[i64], host: Option<String>, recorder: Option<String>) -> R<Vec<(Date, i64)>> {
        let mut evaluations = Vec::new();
        let start = crate::window_start(self.as_of);
        let fixed_day = self.rng.gen_range(1..=20); // 固定主题党日
        let mut month = start;
        while month <= self.as_of {
            let (y, m) = (month.year(), month.month());
            let day = |d: u32| Date::from_ymd_opt(y, m, d.min(28)).expect("valid");
            // 支委会 monthly, where a committee exists.
            if committee.len() >= 3 && self.rng.gen_bool(self.three_one(conduct)) {
                let who: Vec<_> = people.iter().copied().filter(|p| committee.contains(&p.0)).collect();
                let r1 = self.rng.gen_range(1..28);
                self.meeting(org, MeetingKind::CommitteeMeeting, day(r1), "研究本月支部工作", conduct, &who, &host, &recorder, MeetingForm::Discussion).await?;
            }
            // 党小组会 monthly per group.
            for (gi, g) in groups.iter().enumerate() {
                if self.rng.gen_bool(conduct.held()) {
                    let who: Vec<_> = people.iter().copied().filter(|p| p.2 == Some(gi)).collect();
                    let d = day(self.rng.gen_range(1..28));
                    self.meeting(g, MeetingKind::GroupMeeting, d, "党小组学习讨论", conduct, &who, &host, &recorder, MeetingForm::Study).await?;
                }
            }
            // 主题党日 on a fixed day each month.
            if self.rng.gen_bool(conduct.held()) {
                let (theme, form, category) = if conduct == Conduct::Formality {
                    ("集中学习上级文件", MeetingForm::Study, ThemeCategory::DocumentsOnly)
                } else {
                    THEMES[self.rng.gen_range(0..THEMES.len())]
                };
                self.theme = Some(category);
                self.meeting(org, MeetingKind::ThemedPartyDay, day(fixed_day), theme, conduct, people, &host, &recorder, form).await?;
            }
            // 支部党员大会 and 党课 once a quarter, in its last month.
            if m % 3 == 0 {
                if self.rng.gen_bool(self.three_one(conduct)) {
                    let r1 = self.rng.gen_range(5..28);
                    self.meeting(org, MeetingKind::GeneralMeeting, day(r1), "支部党员大会：通报季度工作", conduct, people, &host, &recorder, MeetingForm::Discussion).await?;
                }
                if self.rng.gen_bool(self.three_one(conduct)) {
                    let form = if conduct == Conduct::Exemplary && self.rng.gen_bool(0.4) { MeetingForm::FieldTeaching } else { MeetingForm::Study };
                    let r1 = self.rng.gen_range(5..28);
                    self.meeting(org, MeetingKind::PartyLesson, day(r1), "书记讲党课", conduct, people, &host, &recorder, form).await?;
                }
            }
            // 组织生活会 and 民主评议党员 once a year, in December (or January for the year before).
            if m == 12 || (m == 1 && y == self.as_of.year() && self.rng.gen_bool(0.2)) {
                let p = match conduct { Conduct::Weak => 0.55, Conduct::Formality => 0.9, _ if self.climate == crate::Climate::Compliant => 1.0, _ => 0.97 };
                if self.rng.gen_bool(p) {
                    let r1 = self.rng.gen_range(10..28);
                    self.meeting(org, MeetingKind::LifeMeeting, day(r1), "年度组织生活会", conduct, people, &host, &recorder, MeetingForm::Discussion).await?;
                }
                if self.rng.gen_bool(p) {
                    let r1 = self.rng.gen_range(10..28);
                    if let Some(id) = self.meeting(org, MeetingKind::DemocraticEvaluation, day(r1), "民主评议党员", conduct, people, &host, &recorder, MeetingForm::Discussion).await? {
                        evaluations.push((day(r1), id));
                    }
                }
            }
            month = if m == 12 { Date::from_ymd_opt(y + 1, 1, 1) } else { Date::from_ymd_opt(y, m + 1, 1) }.expect("valid");
        }
        Ok(evaluations)
    }

    #[allow(clippy::too_many_arguments)]
    async fn meeting(&mut self, org: &OrgRef, kind: MeetingKind, on: Date, topic: &str, conduct: Conduct, who: &[&(i64, Person, Option<usize>)], host: &Option<String>, recorder: &Option<String>, form: MeetingForm) -> R<Option<i64>> {
        // What the meeting was about (内容类别): the themed day's own category; 三会一课
        // of a branch that goes through the motions only relay documents.
        let theme = self.theme.take().or(match kind {
            MeetingKind::LifeMeeting | MeetingKind::DemocraticEvaluation | MeetingKind::ThemedPartyDay => None,
            _ if conduct == Conduct::Formality => Some(ThemeCategory::DocumentsOnly),
            MeetingKind::PartyLesson if form == MeetingForm::FieldTeaching => Some(ThemeCategory::RedEducation),
            MeetingKind::PartyLesson | MeetingKind::GroupMeeting => Some(ThemeCategory::Study),
            _ => Some(ThemeCategory::Development),
        });
        if on > self.as_of {
            return Ok(None);
        }
        let id = Ids::next(&mut self.ids.meeting);
        let summary = if conduct == Conduct::Formality {
            FORMAL_SUMMARIES[self.rng.gen_range(0..FORMAL_SUMMARIES.len())].to_string()
        } else {
            format!("围绕“{topic}”开展{}，{}名党员发言交流，明确下一步工作。", form.label(), self.rng.gen_range(2..8))
        };
        // The attendance list first: the meeting's row carries its 到会人数 (present_count),
        // so the bulk load needs no pass over the meetings afterwards.
        let mut list = Vec::with_capacity(who.len());
        for (mid, p, _) in who {
            // Only members on the roll that day are on the attendance list.
            if p.joined_on > on {
                continue;
            }
            // Mobile and lost members stay away (流动党员长期不参加组织生活).
            let (present, reason) = if p.is_lost_contact {
                (false, Some("失联".to_string()))
            } else if p.is_mobile {
                // In a compliant jurisdiction mobile members take part online (网上支部).
                (self.rng.gen_bool(if self.climate == crate::Climate::Compliant { 0.8 } else { 0.05 }), Some("外出务工，未参加组织生活".to_string()))
            } else if p.is_abroad {
                (false, Some("出国（境）".to_string()))
            } else if self.rng.gen_bool(conduct.attendance()) {
                (true, None)
            } else {
                (false, Some(ABSENCE[self.rng.gen_range(0..ABSENCE.len())].to_string()))
            };
            list.push((*mid, present, if present { None } else { reason }));
        }
        // NULL, not 0, when nobody was on the list (store::summaries' MEETING_PRESENT).
        let present_count = (!list.is_empty()).then(|| list.iter().filter(|(_, present, _)| *present).count() as i64);
        self.loader
            .add(Table::Meetings, vec![
                id.into(), org.id.into(), kind.code().into(), on.into(), format!("{}年{}月{topic}", on.year(), on.month()).into(),
                Some(summary).into(), form.code().into(), host.clone().into(), recorder.clone().into(), self.created.clone().into(),
                theme.map(|t| t.code().to_string()).into(), present_count.into(),
            ])
            .await?;
        for (mid, present, reason) in list {
            self.loader.add(Table::Attendance, vec![id.into(), mid.into(), present.into(), reason.into(), on.into()]).await?;
        }
        Ok(Some(id))
    }

    // ---- the county's parts ----------------------------------------------------------

    async fn township(&mut self, county: &OrgRef, t: u32) -> R<()> {
        let place = names::place(self.rng);
        let kind = if self.rng.gen_bool(0.7) { "镇" } else { "乡" };
        let region = format!("{}{:03}000", self.region, 101 + t);
        let tw = self.org_row(county, &format!("中共{place}{kind}委员会"), OrgLevel::GrassrootsCommittee, Sector::Township, None, None, Some(self.term(OrgLevel::GrassrootsCommittee, Sector::Other)), &region).await?;
        self.venue(&tw, Some(VenueKind::ServiceCenter)).await?;
        self.full_time_workers(&tw).await?;
        let organ_unit = self.unit(&tw, &format!("{place}{kind}人民政府"), UnitKind::Organ, 60, 40, 38, None, Coverage::Own, Some(self.ids.org + 1), None).await?;
        let n = self.rng.gen_range(30..50);
        let body = Body { name: &format!("中共{place}{kind}机关支部委员会"), sector: Sector::Township, profile: Profile::Organ, members: n, unit_id: Some(organ_unit), grid_id: None, venue: Some(VenueKind::ActivityRoom) };
        self.organisation(&tw, body).await?;
        for _ in 0..self.rng.gen_range(16..24) {
            self.village(&tw).await?;
        }
        for _ in 0..self.rng.gen_range(12..20) {
            self.non_public(&tw, false).await?;
        }
        for _ in 0..self.rng.gen_range(2..5) {
            self.social(&tw).await?;
        }
        Ok(())
    }

    async fn village(&mut self, tw: &OrgRef) -> R<()> {
        self.secretaries.clear();
        let vname = format!("{}村", names::place(self.rng));
        let ageing = self.rng.gen_bool(0.3) && self.climate != crate::Climate::Compliant;
        let members = if ageing { self.rng.gen_range(18..45) } else { self.rng.gen_range(25..75) };
        let population = self.rng.gen_range(800..3500);
        let unit = self.unit(tw, &vname, UnitKind::Village, population, members as i64, members as i64 - 1, None, Coverage::Own, Some(self.ids.org + 1), None).await?;
        let venue = if self.rng.gen_bool(0.9) { Some(VenueKind::ServiceCenter) } else { Some(VenueKind::ActivityRoom) };
        let body = Body {
            name: &format!("中共{vname}支部委员会"),
            sector: Sector::Village,
            profile: if ageing { Profile::AgeingVillage } else { Profile::Village },
            members,
            unit_id: Some(unit),
            grid_id: None,
            venue,
        };
        let org = self.organisation(tw, body).await?;
        // 村民小组; party organisation extends to some of them (向村民小组延伸).
        for g in 0..self.rng.gen_range(5..13) {
            let covered = self.rng.gen_bool(0.4).then_some(org.id);
            self.sub_unit(unit, SubUnitKind::VillageGroup, format!("{vname}第{}村民小组", g + 1), covered).await?;
        }
        Ok(())
    }

    async fn street(&mut self, county: &OrgRef, s: u32) -> R<()> {
        let place = names::place(self.rng);
        let region = format!("{}{:03}000", self.region, 1 + s);
        let st = self.org_row(county, &format!("中共{place}街道工作委员会"), OrgLevel::GrassrootsCommittee, Sector::Street, None, None, Some(self.term(OrgLevel::GrassrootsCommittee, Sector::Other)), &region).await?;
        self.venue(&st, Some(VenueKind::ServiceCenter)).await?;
        self.full_time_workers(&st).await?;
        let organ_unit = self.unit(&st, &format!("{place}街道办事处"), UnitKind::Organ, 80, 45, 44, None, Coverage::Own, Some(self.ids.org + 1), None).await?;
        let body = Body { name: &format!("中共{place}街道机关支部委员会"), sector: Sector::Street, profile: Profile::Organ, members: self.rng.gen_range(30..50), unit_id: Some(organ_unit), grid_id: None, venue: Some(VenueKind::ActivityRoom) };
        self.organisation(&st, body).await?;
        for _ in 0..self.rng.gen_range(7..11) {
            self.community(&st).await?;
        }
        for _ in 0..self.rng.gen_range(25..40) {
            self.non_public(&st, true).await?;
        }
        for _ in 0..self.rng.gen_range(6..10) {
            self.social(&st).await?;
        }
        Ok(())
    }

    /// A community: a committee or general branch with one branch per grid (党组织建在网格上);
    /// some grids still without a branch.
    async fn community(&mut self, st: &OrgRef) -> R<()> {
        let cname = format!("{}社区", names::place(self.rng));
        let members = self.rng.gen_range(150..420);
        let r1 = self.rng.gen_range(3000..12000);
        let unit = self.unit(st, &cname, UnitKind::Community, r1, members as i64, members as i64 - 2, None, Coverage::Own, Some(self.ids.org + 1), None).await?;
        let level = if members >= self.rules.organisation.committee_min_members.get() { OrgLevel::GrassrootsCommittee } else { OrgLevel::GeneralBranch };
        let region = self.region.clone();
        let title = if level == OrgLevel::GrassrootsCommittee { "委员会" } else { "总支部委员会" };
        let top = self.org_row(st, &format!("中共{cname}{title}"), level, Sector::Community, Some(unit), None, Some(self.term(level, Sector::Community)), &region).await?;
        self.venue(&top, Some(VenueKind::ServiceCenter)).await?;
        let grids = self.rng.gen_range(6..15u32);
        let with_branch: Vec<bool> = (0..grids).map(|_| self.rng.gen_bool(0.85) || self.climate == crate::Climate::Compliant).collect();
        let k = with_branch.iter().filter(|x| **x).count().max(1) as u32;
        let mut i = 0;
        self.secretaries.clear();
        let first = 0;
        for g in 0..grids {
            let has_branch = with_branch[g as usize] || (g == grids - 1 && i == 0);
            // The grid row names the branch set on it, which gets the next org id.
            let on_grid = has_branch.then_some(self.ids.org + 1);
            let grid = self.sub_unit(unit, SubUnitKind::Grid, format!("{cname}第{}网格", g + 1), on_grid).await?;
            if has_branch {
                let n = members / k + u32::from(i < members % k);
                let name = format!("中共{cname}第{}网格支部委员会", g + 1);
                let body = Body { name: &name, sector: Sector::Community, profile: Profile::Community, members: n, unit_id: Some(unit), grid_id: Some(grid), venue: None };
                self.branch(&top, &name, &body, n, &region).await?;
                i += 1;
            }
        }
        self.top_committee(&top, first).await
    }

    async fn non_public(&mut self, owner: &OrgRef, urban: bool) -> R<()> {
        let place = names::place(self.rng);
        let name = names::enterprise(self.rng, &place);
        // Most non-public enterprises are small, with a Party member or two at most.
        let large = self.rng.gen_bool(0.22);
        let employees = if large { self.rng.gen_range(60..600) } else { self.rng.gen_range(8..60) };
        let new_field = if urban && self.rng.gen_bool(0.08) {
            Some([NewField::Internet, NewField::Platform, NewField::NewEmployment][self.rng.gen_range(0..3)])
        } else {
            None
        };
        let members: u32 = if large { self.rng.gen_range(3..30) } else { [0, 0, 1, 1, 2, 3, 4][self.rng.gen_range(0..7)] };
        self.covered_unit(owner, &name, UnitKind::NonPublicEnterprise, Sector::NonPublicEnterprise, Profile::NonPublic, employees, members, new_field, [73, 27]).await
    }

    async fn social(&mut self, owner: &OrgRef) -> R<()> {
        let place = names::place(self.rng);
        let name = names::social_org(self.rng, &place);
        let members: u32 = [0, 0, 1, 1, 2, 2, 3, 5][self.rng.gen_range(0..8)];
        let r1 = self.rng.gen_range(5..60);
        self.covered_unit(owner, &name, UnitKind::SocialOrganisation, Sector::SocialOrganisation, Profile::Social, r1, members, None, [62, 38]).await
    }

    /// A non-public enterprise or social organisation: its own branch when it has ≥ 3 full
    /// members (mostly), else a joint branch, an instructor only, or nothing; `covered`
    /// weights organisation coverage against the rest (national 73.1 % / 61.7 %).
    #[allow(clippy::too_many_arguments)]
    async fn covered_unit(&mut self, owner: &OrgRef, name: &str, kind: UnitKind, sector: Sector, profile: Profile, employees: i64, members: u32, new_field: Option<NewField>, covered: [u32; 2]) -> R<()> {
        let full = members.saturating_sub(u32::from(members > 0 && self.rng.gen_bool(0.2)));
        let is_covered = weighted(self.rng, &covered) == 0 || self.climate == crate::Climate::Compliant;
        let coverage = match (full >= 3, is_covered) {
            // A few units with ≥ 3 full members and no organisation of their own: a finding.
            (true, true) | (true, false) if self.rng.gen_bool(0.92) || self.climate == crate::Climate::Compliant => Coverage::Own,
            (_, true) => Coverage::Joint,
            (_, false) if self.rng.gen_bool(0.45) => Coverage::WorkOnly,
            _ => Coverage::None,
        };
        let instructor = (coverage == Coverage::WorkOnly).then(|| names::person(self.rng, false));
        // The unit is written first (organisations refer to it); the organisation that will
        // cover it gets the next org id, or is the owner's open joint branch (≤ 5 units).
        let next_org = self.ids.org + 1;
        let joint = self.joint.get(&(owner.id, sector)).copied().filter(|(_, n)| *n < 5);
        let covering = match coverage {
            Coverage::Own => Some(next_org),
            Coverage::Joint => Some(joint.map_or(next_org, |(id, _)| id)),
            _ => None,
        };
        let unit_id = self.unit(owner, name, kind, employees, members as i64, full as i64, new_field, coverage, covering, instructor).await?;
        match coverage {
            Coverage::Own => {
                let body = Body { name: &format!("中共{name}支部委员会"), sector, profile, members, unit_id: Some(unit_id), grid_id: None, venue: (self.rng.gen_bool(0.45) || self.climate == crate::Climate::Compliant).then_some(VenueKind::ActivityRoom) };
                self.organisation(owner, body).await?;
            }
            Coverage::Joint => match joint {
                Some((id, n)) => {
                    self.joint.insert((owner.id, sector), (id, n + 1));
                }
                None => {
                    let b = self.joint_branch(owner, sector, profile).await?;
                    self.joint.insert((owner.id, sector), (b.id, 1));
                }
            },
            _ => {}
        }
        Ok(())
    }

    async fn joint_branch(&mut self, owner: &OrgRef, sector: Sector, profile: Profile) -> R<OrgRef> {
        let region = self.region.clone();
        let label = if sector == Sector::SocialOrganisation { "社会组织" } else { "非公企业" };
        self.joint_seq += 1;
        let name = format!("中共{}第{}联合支部委员会", label, self.joint_seq);
        let n = self.rng.gen_range(5..15);
        let body = Body { name: &name, sector, profile, members: n, unit_id: None, grid_id: None, venue: None };
        self.branch(owner, &name, &body, n, &region).await
    }

    /// County organs, schools, hospitals, state enterprises, and the large non-public
    /// enterprises under the county's committee for the new fields (两新工委).
    async fn county_departments(&mut self, county: &OrgRef) -> R<()> {
        let region = self.region.clone();
        let sections: [(&str, Sector, Profile, UnitKind, u32, (u32, u32)); 5] = [
            ("中共县直机关工作委员会", Sector::Organ, Profile::Organ, UnitKind::Organ, 60, (15, 110)),
            ("中共县教育局委员会", Sector::School, Profile::School, UnitKind::School, 50, (12, 90)),
            ("中共县卫生健康局委员会", Sector::PublicInstitution, Profile::Health, UnitKind::PublicInstitution, 15, (40, 180)),
            ("中共县国有资产监督管理局委员会", Sector::StateEnterprise, Profile::StateEnterprise, UnitKind::StateEnterprise, 15, (30, 180)),
            ("中共县非公有制经济组织和社会组织工作委员会", Sector::NonPublicEnterprise, Profile::NonPublic, UnitKind::NonPublicEnterprise, 25, (20, 120)),
        ];
        const ORGANS: &[&str] = &["县发展和改革局", "县财政局", "县人力资源和社会保障局", "县自然资源局", "县住房和城乡建设局", "县交通运输局", "县农业农村局", "县水利局", "县商务局", "县文化和旅游局", "县市场监督管理局", "县应急管理局", "县统计局", "县医疗保障局", "县民政局", "县司法局"];
        for (title, sector, profile, kind, count, (lo, hi)) in sections {
            let top = self.org_row(county, title, OrgLevel::GrassrootsCommittee, sector, None, None, Some(self.term(OrgLevel::GrassrootsCommittee, Sector::Other)), &region).await?;
            self.venue(&top, Some(VenueKind::ActivityRoom)).await?;
            let count = if self.small { count.div_ceil(6) } else { count };
            for i in 0..count {
                let place = names::place(self.rng);
                let uname = match kind {
                    UnitKind::Organ => format!("{}{}", ORGANS[i as usize % ORGANS.len()], if i as usize >= ORGANS.len() { format!("{}分局", place) } else { String::new() }),
                    UnitKind::School => format!("县{place}{}", ["小学", "中学", "实验学校", "职业技术学校"][i as usize % 4]),
                    UnitKind::PublicInstitution => format!("县{place}{}", ["人民医院", "中医院", "疾病预防控制中心", "卫生院"][i as usize % 4]),
                    UnitKind::StateEnterprise => format!("县{place}{}", ["城市建设投资集团有限公司", "水务有限公司", "交通投资有限公司", "农业发展集团有限公司"][i as usize % 4]),
                    _ => names::enterprise(self.rng, &place),
                };
                let members = self.rng.gen_range(lo..hi);
                let new_field = (kind == UnitKind::NonPublicEnterprise && i < 4).then(|| [NewField::Internet, NewField::Platform, NewField::NewEmployment, NewField::Internet][i as usize]);
                let r1 = self.rng.gen_range(2..6);
                let unit = self.unit(&top, &uname, kind, members as i64 * r1, members as i64, members as i64 - 2, new_field, Coverage::Own, Some(self.ids.org + 1), None).await?;
                let body = Body { name: &format!("中共{uname}支部委员会"), sector, profile, members, unit_id: Some(unit), grid_id: None, venue: (self.rng.gen_bool(0.7) || self.climate == crate::Climate::Compliant).then_some(VenueKind::ActivityRoom) };
                self.organisation(&top, body).await?;
            }
            if sector == Sector::Organ {
                // Retired cadres' branches (离退休干部党支部).
                for r in 0..6 {
                    let name = format!("中共县直机关离退休干部第{}支部委员会", r + 1);
                    let body = Body { name: &name, sector, profile: Profile::Retiree, members: self.rng.gen_range(20..45), unit_id: None, grid_id: None, venue: None };
                    self.branch(&top, &name, &body, body.members, &region).await?;
                }
            }
        }
        Ok(())
    }
}
