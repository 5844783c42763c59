//! A branch's records beside its meetings: democratic-evaluation grades, the development
//! pipeline, transfers, mobile members, dues, training, party-affairs workers, funding and
//! carriers; each with the share of irregularities its conduct makes likely.

use super::{Conduct, County, R};
use crate::people::{self, weighted, Person, Profile};
use crate::{names, Ids, OrgRef};
use chrono::{Datelike, Duration};
use domain::development::Stage;
use domain::dues::Month;
use domain::life::{CarrierKind, EvaluationGrade, FundingSource, MobileDirection, TrainingChannel, TransferDirection, WorkerKind};
use domain::member::MemberStatus;
use domain::rules::DuesCategory;
use domain::{Date, Labelled};
use rand::Rng;
use store::{Arg, Table};

type Member = (i64, Person, Option<usize>);

const PLACES: &[&str] = &["浙江省杭州市", "广东省深圳市", "江苏省苏州市", "上海市浦东新区", "福建省厦门市", "广东省东莞市", "北京市朝阳区", "江苏省南京市"];
const COURSES: &[&str] = &["习近平新时代中国特色社会主义思想专题学习", "党章党规党纪学习", "党史学习教育", "基层治理能力提升培训", "乡村振兴专题培训", "党务工作实务培训"];

impl Conduct {
    /// Chance that a member lets dues lapse for six months or more.
    fn lapse(self) -> f64 {
        match self {
            Conduct::Exemplary => 0.003,
            Conduct::Normal => 0.012,
            Conduct::Formality => 0.03,
            Conduct::Weak => 0.08,
        }
    }
    /// Yearly training hours a member of such a branch gets.
    fn training_hours(self) -> (u32, u32) {
        match self {
            Conduct::Exemplary => (36, 60),
            Conduct::Normal => (32, 52),
            Conduct::Formality => (26, 44),
            Conduct::Weak => (10, 36),
        }
    }
    /// Chance that a development record skipped a step's rule.
    fn sloppy(self) -> f64 {
        match self {
            Conduct::Exemplary => 0.0,
            Conduct::Normal => 0.03,
            Conduct::Formality => 0.08,
            Conduct::Weak => 0.2,
        }
    }
}

fn month_end(m: Month) -> Date {
    Month(m.0 + 1).first_day().pred_opt().expect("valid")
}

impl County<'_, '_> {
    /// Writes everything beside the meetings for one branch.
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn branch_life(
        &mut self,
        org: &OrgRef,
        profile: Profile,
        conduct: Conduct,
        active: &[&Member],
        committee: &[i64],
        leavers: &[(i64, &Person, Date)],
        evaluations: &[(Date, i64)],
        elected: Date,
    ) -> R<()> {
        for (on, meeting) in evaluations {
            self.grades(org, conduct, active, *on, *meeting).await?;
        }
        for m in active {
            self.dues(org, profile, conduct, m).await?;
            self.training(org, conduct, m, committee.contains(&m.0)).await?;
            if m.1.is_mobile {
                self.mobile(org, m).await?;
            }
        }
        for (id, p, left_on) in leavers {
            self.transfer_out(org, *id, p, *left_on).await?;
        }
        self.development(org, profile, conduct, active).await?;
        self.workers(org, active, committee, elected).await?;
        self.funding(org, profile, conduct, active.len()).await?;
        self.carriers(org, conduct).await
    }

    async fn grades(&mut self, org: &OrgRef, conduct: Conduct, active: &[&Member], on: Date, meeting: i64) -> R<()> {
        let w: [u32; 4] = match conduct {
            Conduct::Exemplary => [22, 76, 2, 0],
            Conduct::Weak => [8, 84, 6, 2],
            _ => [15, 81, 3, 1],
        };
        for m in active.iter().filter(|m| m.1.joined_on < on) {
            let grade = [EvaluationGrade::Excellent, EvaluationGrade::Qualified, EvaluationGrade::BasicallyQualified, EvaluationGrade::Unqualified][weighted(self.rng, &w)];
            self.loader
                .add(Table::Evaluations, vec![org.id.into(), m.0.into(), (on.year() as i64).into(), grade.code().into(), Some(meeting).into()])
                .await?;
        }
        Ok(())
    }

    /// Dues from the month after joining (or the window's start) to last month, paid
    /// monthly, quarterly, half-yearly or yearly; some members let them lapse.
    async fn dues(&mut self, org: &OrgRef, profile: Profile, conduct: Conduct, m: &Member) -> R<()> {
        let p = &m.1;
        let category = domain::dues::category(p.occupation);
        let base = match category {
            DuesCategory::Farmer | DuesCategory::Student => None,
            DuesCategory::Retired => Some(self.rng.gen_range(25..80) as f64 * 100.0),
            DuesCategory::Working => {
                let (lo, hi) = match profile {
                    Profile::Organ | Profile::Health => (50, 110),
                    Profile::School | Profile::StateEnterprise => (45, 100),
                    Profile::NonPublic | Profile::Social => (30, 90),
                    _ => (25, 55),
                };
                Some(self.rng.gen_range(lo..hi) as f64 * 100.0)
            }
        };
        let monthly = self.rules.monthly_dues(category, base.unwrap_or(0.0));
        let first = Month::of(crate::window_start(self.as_of)).max(Month(Month::of(p.joined_on).0 + 1));
        let last = Month(Month::of(self.as_of).0 - 1);
        let span = [1, 3, 6, 12][weighted(self.rng, &[15, 55, 20, 10])];
        let lapse_p = if p.is_mobile || p.is_lost_contact { conduct.lapse() * 6.0 } else { conduct.lapse() };
        let gap = self.rng.gen_bool(lapse_p.min(0.9)).then(|| {
            let len = self.rng.gen_range(6..10);
            let start = Month(first.0 + self.rng.gen_range(0..12));
            (start, Month(start.0 + len - 1))
        });
        let mut from = first;
        while from <= last {
            // Payments follow calendar periods: a quarter's dues are paid at its start.
            let to = Month((from.0 / span) * span + span - 1).min(last);
            let skipped = gap.is_some_and(|(a, b)| from <= b && to >= a);
            if !skipped {
                let months = (to.0 - from.0 + 1) as f64;
                let paid_on = (from.first_day() + Duration::days(self.rng.gen_range(0..20))).min(self.as_of);
                self.dues_row(org, m.0, from, to, base, monthly * months, paid_on, false).await?;
            } else if self.rng.gen_bool(0.4) && month_end(to) + Duration::days(200) < self.as_of {
                // 补交 later: recorded, but the months were not paid on time.
                let months = (to.0 - from.0 + 1) as f64;
                let paid_on = month_end(to) + Duration::days(self.rng.gen_range(60..200));
                self.dues_row(org, m.0, from, to, base, monthly * months, paid_on, true).await?;
            }
            from = Month(to.0 + 1);
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    async fn dues_row(&mut self, org: &OrgRef, member: i64, from: Month, to: Month, base: Option<f64>, amount: f64, paid_on: Date, catch_up: bool) -> R<()> {
        let id = Ids::next(&mut self.ids.dues);
        let amount = (amount * 100.0).round() / 100.0;
        self.loader
            .add(Table::DuesPayments, vec![id.into(), member.into(), org.id.into(), from.text().into(), to.text().into(), base.into(), Some(amount).into(), paid_on.into(), catch_up.into()])
            .await
    }

    /// Training records for last year and this year to date; cadres get more hours.
    async fn training(&mut self, org: &OrgRef, conduct: Conduct, m: &Member, cadre: bool) -> R<()> {
        let (lo, hi) = conduct.training_hours();
        for year in [self.as_of.year() - 1, self.as_of.year()] {
            let start = Date::from_ymd_opt(year, 1, 1).expect("valid").max(m.1.joined_on);
            let end = Date::from_ymd_opt(year, 12, 31).expect("valid").min(self.as_of);
            if start >= end {
                continue;
            }
            let share = (end - start).num_days() as f64 / 365.0;
            let mut hours = self.rng.gen_range(lo..=hi) as f64 + if cadre { self.rng.gen_range(18..30) as f64 } else { 0.0 };
            if m.1.is_mobile && self.rng.gen_bool(0.6) {
                hours *= 0.4;
            }
            let mut left = (hours * share).round() as i64;
            // One record per member, day and course: a second identical one is a double entry.
            let mut used: Vec<(Date, usize)> = Vec::new();
            while left > 0 {
                let h = left.min([4, 8, 8, 16, 16][self.rng.gen_range(0..5)]);
                left -= h;
                let channel = [TrainingChannel::Classroom, TrainingChannel::Distance, TrainingChannel::OnlineLesson, TrainingChannel::XuexiQiangguo, TrainingChannel::Other][weighted(self.rng, &[40, 20, 20, 15, 5])];
                let on = start + Duration::days(self.rng.gen_range(0..=(end - start).num_days()));
                let id = Ids::next(&mut self.ids.training);
                let mut course = self.rng.gen_range(0..COURSES.len());
                while used.contains(&(on, course)) {
                    course = (course + 1) % COURSES.len();
                }
                used.push((on, course));
                let topic = COURSES[course];
                self.loader
                    .add(Table::TrainingRecords, vec![id.into(), m.0.into(), org.id.into(), on.into(), Some(h as f64).into(), channel.code().into(), topic.into()])
                    .await?;
            }
        }
        Ok(())
    }

    async fn mobile(&mut self, org: &OrgRef, m: &Member) -> R<()> {
        let id = Ids::next(&mut self.ids.mobile);
        let place = PLACES[self.rng.gen_range(0..PLACES.len())];
        let certificate = self.rng.gen_bool(0.6).then(|| format!("LD{}{:06}", self.as_of.year(), id));
        let since = (self.as_of - Duration::days(self.rng.gen_range(60..1500))).max(m.1.joined_on);
        self.loader
            .add(Table::MobileMembers, vec![id.into(), m.0.into(), org.id.into(), MobileDirection::Out.code().into(), place.into(), certificate.into(), since.into(), Arg::OS(None)])
            .await
    }

    /// The letter of a member who transferred out: mostly received in time, some late,
    /// some never (口袋党员).
    async fn transfer_out(&mut self, org: &OrgRef, member: i64, p: &Person, left_on: Date) -> R<()> {
        if p.age > 75 {
            return Ok(()); // left as deceased, no letter
        }
        let id = Ids::next(&mut self.ids.transfer);
        let valid = self.rules.transfers.letter_validity_days.get() as i64;
        let pick = weighted(self.rng, &[86, 7, 7]);
        let received = match if self.climate == crate::Climate::Compliant { 0 } else { pick } {
            0 => Some(left_on + Duration::days(self.rng.gen_range(3..60))),
            1 => Some(left_on + Duration::days(valid + self.rng.gen_range(10..200))),
            _ => None,
        }
        .filter(|d| *d <= self.as_of);
        let counterpart = format!("中共{}{}支部委员会", PLACES[self.rng.gen_range(0..PLACES.len())], names::place(self.rng));
        let dues_to = Month(Month::of(left_on).0 - 1).text();
        self.loader
            .add(Table::Transfers, vec![
                id.into(), member.into(), org.id.into(), TransferDirection::Out.code().into(), format!("{}组转字第{:06}号", left_on.year(), id).into(),
                left_on.into(), valid.into(), dues_to.into(), counterpart.into(), received.into(),
            ])
            .await?;
        Ok(())
    }

    /// Development records: the recent joiners' history, and the people now in the pipeline.
    async fn development(&mut self, org: &OrgRef, profile: Profile, conduct: Conduct, active: &[&Member]) -> R<()> {
        let recent_since = self.as_of - Duration::days(3 * 365);
        for m in active.iter().filter(|m| m.1.joined_on >= recent_since) {
            let stage = if m.1.status == MemberStatus::Probationary { Stage::Probationary } else { Stage::Full };
            self.development_row(org, conduct, &m.1, stage, Some(m.0), active.len()).await?;
        }
        // A compliant jurisdiction keeps the activist pool the catalogue asks for.
        let per = if self.climate == crate::Climate::Compliant { 8 } else { 25 };
        let k = active.len() / per + usize::from(self.rng.gen_bool(0.5));
        for _ in 0..k {
            let p = people::person(self.rng, profile, self.as_of, &self.region, &mut self.citizen_ids, people::Archives::Usual);
            if p.age < 19 {
                continue;
            }
            let stage = [Stage::Applicant, Stage::Activist, Stage::Candidate][weighted(self.rng, &[40, 35, 25])];
            self.development_row(org, conduct, &p, stage, None, active.len()).await?;
        }
        Ok(())
    }

    /// One record, its dates worked back from the admission (members) or forward from the
    /// application (people in the pipeline); `sloppy` conduct breaks a rule now and then.
    async fn development_row(&mut self, org: &OrgRef, conduct: Conduct, p: &Person, stage: Stage, member: Option<i64>, n: usize) -> R<()> {
        let sloppy = conduct.sloppy();
        let bad = |rng: &mut rand_chacha::ChaCha8Rng| rng.gen_bool(sloppy);
        let days = |rng: &mut rand_chacha::ChaCha8Rng, lo: i64, hi: i64| Duration::days(rng.gen_range(lo..hi));
        let activist_min = self.rules.development.activist_min_days.get() as i64;
        let (applied, talked, activist, candidate, admitted);
        if member.is_some() {
            admitted = Some(p.joined_on);
            let c = p.joined_on - days(self.rng, 90, 200);
            candidate = Some(c);
            let a = if bad(self.rng) { c - days(self.rng, 200, activist_min) } else { c - days(self.rng, activist_min, activist_min + 200) };
            activist = Some(a);
            applied = a - days(self.rng, 60, 300);
            if domain::member::age_on(p.birth, applied) < self.rules.development.min_age.get() as i32 {
                return Ok(()); // the early history of a very young member is not on file
            }
        } else {
            applied = self.as_of - days(self.rng, 20, 1100);
            admitted = None;
            activist = (stage >= Stage::Activist).then(|| applied + days(self.rng, 60, 200));
            candidate = match (stage >= Stage::Candidate, activist) {
                (true, Some(a)) => Some(if bad(self.rng) { a + days(self.rng, 200, activist_min) } else { a + days(self.rng, activist_min, activist_min + 150) }),
                _ => None,
            };
        }
        talked = Some(applied + if bad(self.rng) { days(self.rng, 35, 90) } else { days(self.rng, 5, 28) });
        // Dates past the as-of date have not happened yet: the person is at an earlier stage.
        let upto = |x: Option<Date>| x.filter(|d| *d <= self.as_of);
        let (activist, candidate) = (upto(activist), upto(candidate));
        let stage = if member.is_some() || (stage >= Stage::Candidate && candidate.is_some()) {
            stage
        } else if stage >= Stage::Activist && activist.is_some() {
            Stage::Activist
        } else {
            Stage::Applicant
        };
        let (activist, candidate) = match stage {
            Stage::Applicant => (None, None),
            Stage::Activist => (activist, None),
            _ => (activist, candidate),
        };
        let contacts = if activist.is_some() { [names::person(self.rng, false), names::person(self.rng, true)][..self.rng.gen_range(1..3)].join("、") } else { String::new() };
        let eligible = n.max(3) as i64;
        let present = (eligible as f64 * self.rng.gen_range(0.7..0.98)).ceil() as i64;
        let favour = present - self.rng.gen_range(0..2).min(present - 1);
        let admitted_block = admitted.map(|on| {
            let training = if bad(self.rng) { 16.0 } else { [24.0, 24.0, 32.0, 40.0][self.rng.gen_range(0..4)] };
            (on, on - days(self.rng, 10, 60), training, on + days(self.rng, 20, 80))
        });
        let full_on = p.full_on.filter(|_| member.is_some());
        let id = Ids::next(&mut self.ids.development);
        let sponsors = if admitted.is_some() { format!("{}、{}", names::person(self.rng, false), names::person(self.rng, true)) } else { String::new() };
        let v = |x: Option<i64>| -> Arg { x.into() };
        let adm = admitted_block.is_some();
        let full = full_on.is_some();
        self.loader
            .add(Table::Development, vec![
                id.into(), org.id.into(), p.name.clone().into(), p.sex.code().into(), p.ethnicity.into(), p.birth.into(), p.citizen_id.reveal().into(), Some(p.phone.clone()).into(),
                p.education.code().into(), p.occupation.code().into(), stage.code().into(), applied.into(), talked.into(), activist.into(),
                contacts.into(), candidate.into(), admitted_block.map(|b| b.1).into(), Some(admitted_block.map_or(0.0, |b| b.2)).into(),
                sponsors.into(), admitted_block.map(|b| b.0).into(), v(adm.then_some(eligible)), v(adm.then_some(present)), v(adm.then_some(favour)),
                admitted_block.map(|b| b.3.min(self.as_of)).into(), Arg::OI(None), full_on.into(), v(full.then_some(eligible)), v(full.then_some(present)),
                v(full.then_some(favour)), member.into(), self.created.clone().into(),
            ])
            .await
    }

    /// The branch's part-time party-affairs worker (usually the secretary), now and then a
    /// predecessor who left.
    /// Branch secretaries do party affairs part-time; where everything is in order, one
    /// branch in three has a full-time worker.
    fn secretary_post(&self, org: &OrgRef) -> WorkerKind {
        if self.climate == crate::Climate::Compliant && org.id % 3 == 0 { WorkerKind::FullTime } else { WorkerKind::PartTime }
    }

    async fn workers(&mut self, org: &OrgRef, active: &[&Member], committee: &[i64], elected: Date) -> R<()> {
        let Some(who) = committee.first().and_then(|id| active.iter().find(|m| m.0 == *id)) else { return Ok(()) };
        if self.rng.gen_bool(0.15) {
            let id = Ids::next(&mut self.ids.worker);
            let start = elected - Duration::days(self.rng.gen_range(300..1500));
            let female = self.rng.gen_bool(0.4);
            self.loader
                .add(Table::PartyWorkers, vec![id.into(), org.id.into(), Arg::OI(None), names::person(self.rng, female).into(), WorkerKind::PartTime.code().into(), start.into(), Some(elected).into()])
                .await?;
        }
        let id = Ids::next(&mut self.ids.worker);
        self.loader
            .add(Table::PartyWorkers, vec![id.into(), org.id.into(), Some(who.0).into(), who.1.name.clone().into(), self.secretary_post(org).code().into(), elected.into(), Arg::OS(None)])
            .await
    }

    /// Full-time party-affairs staff of a township or street committee.
    pub(super) async fn full_time_workers(&mut self, org: &OrgRef) -> R<()> {
        for _ in 0..self.rng.gen_range(1..4) {
            let id = Ids::next(&mut self.ids.worker);
            let appointed = self.as_of - Duration::days(self.rng.gen_range(100..3000));
            let left = self.rng.gen_bool(0.12).then(|| self.as_of - Duration::days(self.rng.gen_range(10..90))).filter(|l| *l > appointed);
            let female = self.rng.gen_bool(0.45);
            self.loader
                .add(Table::PartyWorkers, vec![id.into(), org.id.into(), Arg::OI(None), names::person(self.rng, female).into(), WorkerKind::FullTime.code().into(), appointed.into(), left.into()])
                .await?;
        }
        Ok(())
    }

    /// Working funds by source, last year and this year.
    async fn funding(&mut self, org: &OrgRef, profile: Profile, conduct: Conduct, members: usize) -> R<()> {
        let weak = conduct == Conduct::Weak;
        for year in [self.as_of.year() - 1, self.as_of.year()] {
            let mut rows: Vec<(FundingSource, f64, &str)> = vec![(FundingSource::DuesReturn, (members as f64 * self.rng.gen_range(8.0..25.0)).round(), "党员教育、慰问困难党员")];
            match profile {
                Profile::Village | Profile::AgeingVillage | Profile::Community => {
                    rows.push((FundingSource::Budget, self.rng.gen_range(if weak { 3..8 } else { 8..20 }) as f64 * 1000.0, "村（社区）组织运转和服务群众"));
                    if !weak || self.rng.gen_bool(0.4) {
                        rows.push((FundingSource::Allocation, self.rng.gen_range(2..10) as f64 * 1000.0, "党建阵地建设、主题党日活动"));
                    }
                }
                Profile::NonPublic | Profile::Social => {
                    if !weak && self.rng.gen_bool(0.6) {
                        rows.push((FundingSource::SelfRaised, self.rng.gen_range(1..20) as f64 * 1000.0, "纳入企业管理费用的党建工作经费"));
                    }
                }
                _ => rows.push((FundingSource::Allocation, self.rng.gen_range(1..6) as f64 * 1000.0, "党员教育培训")),
            }
            for (source, amount, purpose) in rows {
                let id = Ids::next(&mut self.ids.funding);
                self.loader.add(Table::Funding, vec![id.into(), org.id.into(), (year as i64).into(), source.code().into(), Some(amount).into(), purpose.into()]).await?;
            }
        }
        Ok(())
    }

    async fn carriers(&mut self, org: &OrgRef, conduct: Conduct) -> R<()> {
        let (posts, zones, account, lesson) = match conduct {
            Conduct::Exemplary => (self.rng.gen_range(1..4), self.rng.gen_range(1..3), 0.3, 0.4),
            Conduct::Normal => (self.rng.gen_range(0..3), self.rng.gen_range(0..2), 0.1, 0.15),
            Conduct::Formality => (self.rng.gen_range(0..2), 0, 0.05, 0.05),
            Conduct::Weak => (0, 0, 0.0, 0.02),
        };
        let mut list: Vec<(CarrierKind, String)> = Vec::new();
        for i in 0..posts {
            list.push((CarrierKind::ModelPost, format!("党员示范岗{}", i + 1)));
        }
        for i in 0..zones {
            list.push((CarrierKind::ResponsibilityZone, format!("党员责任区{}", i + 1)));
        }
        if self.rng.gen_bool(account) {
            list.push((CarrierKind::WechatAccount, "支部微信公众号".into()));
        }
        if self.rng.gen_bool(lesson) {
            list.push((CarrierKind::OnlineLesson, "网上党课学习平台".into()));
        }
        for (kind, name) in list {
            let id = Ids::next(&mut self.ids.carrier);
            let on = self.as_of - Duration::days(self.rng.gen_range(30..2000));
            self.loader.add(Table::Carriers, vec![id.into(), org.id.into(), kind.code().into(), name.into(), on.into()]).await?;
        }
        Ok(())
    }
}
