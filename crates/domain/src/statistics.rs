//! The annual internal statistics report (党内统计年报): the national breakdowns (sex,
//! ethnicity, education, 8 age bands, 4 join cohorts, 8 occupations) and the tables the
//! registry supports, tallied from one pass over the members of a jurisdiction. Every
//! table's 合计 comes from the same tally, so the tables agree with each other.

use crate::life::EvaluationGrade;
use crate::member::{age_on, Education, LeaveReason, Occupation, Sex};
use crate::org::Sector;
use crate::{Date, Labelled};
use chrono::Datelike;
use serde::Serialize;

/// The 8 national age bands (年龄段).
pub const AGE_BANDS: [&str; 8] = ["30岁及以下", "31至35岁", "36至40岁", "41至45岁", "46至50岁", "51至55岁", "56至60岁", "61岁及以上"];

pub fn age_band(age: i32) -> usize {
    match age {
        ..=30 => 0,
        31..=35 => 1,
        36..=40 => 2,
        41..=45 => 3,
        46..=50 => 4,
        51..=55 => 5,
        56..=60 => 6,
        _ => 7,
    }
}

/// The 4 join cohorts (入党时间) of the national statistics.
pub const COHORTS: [&str; 4] = ["1949年9月及以前", "1949年10月至1978年12月", "1979年1月至2012年10月", "2012年11月以后"];

pub fn cohort(joined: Date) -> usize {
    let ym = (joined.year(), joined.month());
    if ym <= (1949, 9) {
        0
    } else if ym <= (1978, 12) {
        1
    } else if ym <= (2012, 10) {
        2
    } else {
        3
    }
}

/// One member as the annual tally needs them (history included: members who left in
/// the year are counted as 减少).
#[derive(Debug, Clone)]
pub struct MemberFact {
    pub sex: Sex,
    pub ethnicity: String,
    pub birth_date: Date,
    pub education: Education,
    pub occupation: Occupation,
    pub joined_on: Date,
    pub full_on: Option<Date>,
    pub left_on: Option<Date>,
    pub left_reason: Option<LeaveReason>,
    /// Sector of the organisation holding the relationship.
    pub sector: Sector,
    /// 民主评议 grade in the year, if evaluated.
    pub grade: Option<EvaluationGrade>,
    /// Training hours in the year.
    pub training_hours: f64,
    /// Received by transfer (转入) during the year.
    pub transferred_in: bool,
    /// Probation extended (延长预备期), from the development record.
    pub extension_months: Option<u32>,
}

/// Organisations of the jurisdiction by sector (for 第五、六表).
#[derive(Debug, Clone, Default)]
pub struct OrgCounts {
    /// (sector, count of organisations at or below 党支部 level… any grassroots level).
    pub by_sector: Vec<(Sector, i64)>,
}

/// A table as filed: a title, column headers, rows of a label and numbers.
#[derive(Debug, Clone, Serialize)]
pub struct StatTable {
    /// 第二表 …
    pub number: &'static str,
    pub title: String,
    pub columns: Vec<String>,
    pub rows: Vec<(String, Vec<f64>)>,
    pub note: String,
}

impl StatTable {
    pub fn row(&self, label: &str) -> Option<&[f64]> {
        self.rows.iter().find(|(l, _)| l == label).map(|(_, v)| v.as_slice())
    }
    pub fn cell(&self, row: &str, col: &str) -> Option<f64> {
        let c = self.columns.iter().position(|x| x == col)?;
        self.row(row).and_then(|r| r.get(c).copied())
    }
}

/// The annual report: all tables of one jurisdiction and year.
#[derive(Debug, Clone, Serialize)]
pub struct AnnualReport {
    pub org_name: String,
    pub year: i32,
    pub tables: Vec<StatTable>,
}

impl AnnualReport {
    pub fn table(&self, number: &str) -> Option<&StatTable> {
        self.tables.iter().find(|t| t.number == number)
    }
}

/// 少数民族: neither 汉族 nor 未登记 (an unrecorded ethnicity is not guessed).
fn is_minority(ethnicity: &str) -> bool {
    ethnicity != "汉族" && ethnicity != crate::member::UNREGISTERED
}

/// Column block counted for every breakdown: 合计, 女, 少数民族, 预备党员, 35岁及以下.
const PROFILE_COLS: [&str; 5] = ["合计", "女", "少数民族", "预备党员", "35岁及以下"];

#[derive(Debug, Clone, Copy, Default)]
struct Profile([f64; 5]);

impl Profile {
    fn add(&mut self, p: &Person) {
        self.0[0] += 1.0;
        self.0[1] += (p.sex == Sex::Female) as u8 as f64;
        self.0[2] += p.minority as u8 as f64;
        self.0[3] += p.probationary as u8 as f64;
        self.0[4] += (p.age <= 35) as u8 as f64;
    }
}

struct Person {
    sex: Sex,
    minority: bool,
    probationary: bool,
    age: i32,
}

/// The running tally. Feed every member with [`AnnualTally::add`], then [`AnnualTally::finish`].
pub struct AnnualTally {
    year: i32,
    start: Date,
    end: Date,
    total: Profile,
    previous_total: f64,
    by_education: Vec<Profile>,
    by_age: Vec<Profile>,
    /// 民族未登记: counted on its own, never guessed as 汉族 or 少数民族.
    ethnicity_unregistered: Profile,
    by_occupation: Vec<Profile>,
    by_cohort: Vec<Profile>,
    /// 增加: 发展, 转入; 减少 by reason.
    admitted: f64,
    transferred_in: f64,
    left: Vec<f64>,
    /// 第五、六表: per sector (乡镇, 行政村, 街道, 社区): members, women, ≤35, ≥61, farmers, college+.
    local: [[f64; 6]; 4],
    grades: Vec<f64>,
    trained: [f64; 4],
    training_hours: f64,
    /// 第十三表: due to become full in the year, became full, extended, overdue.
    confirmation: [f64; 4],
    /// 第十四表: admitted in the year by breakdown.
    new_profile: Profile,
    new_by_age: Vec<f64>,
    new_by_education: Vec<f64>,
    new_by_occupation: Vec<f64>,
    /// 第十五表: admitted in the year by sector of the organisation.
    new_by_sector: Vec<f64>,
}

fn local_index(s: Sector) -> Option<usize> {
    match s {
        Sector::Township => Some(0),
        Sector::Village => Some(1),
        Sector::Street => Some(2),
        Sector::Community => Some(3),
        _ => None,
    }
}

impl AnnualTally {
    pub fn new(year: i32) -> Self {
        AnnualTally {
            year,
            start: Date::from_ymd_opt(year, 1, 1).expect("valid year"),
            end: Date::from_ymd_opt(year, 12, 31).expect("valid year"),
            total: Profile::default(),
            previous_total: 0.0,
            by_education: vec![Profile::default(); Education::ALL.len()],
            by_age: vec![Profile::default(); AGE_BANDS.len()],
            ethnicity_unregistered: Profile::default(),
            by_occupation: vec![Profile::default(); Occupation::ALL.len()],
            by_cohort: vec![Profile::default(); COHORTS.len()],
            admitted: 0.0,
            transferred_in: 0.0,
            left: vec![0.0; LeaveReason::ALL.len()],
            local: [[0.0; 6]; 4],
            grades: vec![0.0; EvaluationGrade::ALL.len()],
            trained: [0.0; 4],
            training_hours: 0.0,
            confirmation: [0.0; 4],
            new_profile: Profile::default(),
            new_by_age: vec![0.0; AGE_BANDS.len()],
            new_by_education: vec![0.0; Education::ALL.len()],
            new_by_occupation: vec![0.0; Occupation::ALL.len()],
            new_by_sector: vec![0.0; Sector::ALL.len()],
        }
    }

    fn on_roll(m: &MemberFact, day: Date) -> bool {
        m.joined_on <= day && m.left_on.is_none_or(|l| l > day)
    }

    pub fn add(&mut self, m: &MemberFact, rules: &crate::rules::Rules) {
        let prev_end = self.start.pred_opt().expect("valid");
        if Self::on_roll(m, prev_end) {
            self.previous_total += 1.0;
        }
        let in_year = |d: Option<Date>| d.is_some_and(|d| d >= self.start && d <= self.end);
        if in_year(m.left_on) {
            if let Some(r) = m.left_reason {
                let i = LeaveReason::ALL.iter().position(|x| *x == r).expect("listed");
                self.left[i] += 1.0;
            }
        }
        if in_year(Some(m.joined_on)) {
            self.admitted += 1.0;
        } else if m.transferred_in && Self::on_roll(m, self.end) {
            self.transferred_in += 1.0;
        }
        let ei = Education::ALL.iter().position(|x| *x == m.education).expect("listed");
        let oi = Occupation::ALL.iter().position(|x| *x == m.occupation).expect("listed");
        // 发展党员 counts everyone admitted in the year, also those who left again.
        if in_year(Some(m.joined_on)) {
            let age = age_on(m.birth_date, m.joined_on);
            let probationary = m.full_on.is_none_or(|f| f > self.end);
            self.new_profile.add(&Person { sex: m.sex, minority: is_minority(&m.ethnicity), probationary, age });
            self.new_by_age[age_band(age)] += 1.0;
            self.new_by_education[ei] += 1.0;
            self.new_by_occupation[oi] += 1.0;
            let si = Sector::ALL.iter().position(|x| *x == m.sector).expect("listed");
            self.new_by_sector[si] += 1.0;
        }
        if !Self::on_roll(m, self.end) {
            return;
        }
        let probationary = m.full_on.is_none_or(|f| f > self.end);
        let p = Person { sex: m.sex, minority: is_minority(&m.ethnicity), probationary, age: age_on(m.birth_date, self.end) };
        if m.ethnicity == crate::member::UNREGISTERED {
            self.ethnicity_unregistered.add(&p);
        }
        self.total.add(&p);
        let ai = age_band(p.age);
        self.by_education[ei].add(&p);
        self.by_age[ai].add(&p);
        self.by_occupation[oi].add(&p);
        self.by_cohort[cohort(m.joined_on)].add(&p);
        if let Some(li) = local_index(m.sector) {
            let row = &mut self.local[li];
            row[0] += 1.0;
            row[1] += (p.sex == Sex::Female) as u8 as f64;
            row[2] += (p.age <= 35) as u8 as f64;
            row[3] += (p.age >= 61) as u8 as f64;
            row[4] += (m.occupation == Occupation::Farmer) as u8 as f64;
            row[5] += m.education.is_college_or_above() as u8 as f64;
        }
        if let Some(g) = m.grade {
            let gi = EvaluationGrade::ALL.iter().position(|x| *x == g).expect("listed");
            self.grades[gi] += 1.0;
        }
        let band = if m.training_hours <= 0.0 {
            0
        } else if m.training_hours < rules.training.member_hours.get() as f64 {
            1
        } else if m.training_hours < rules.training.cadre_hours.get() as f64 {
            2
        } else {
            3
        };
        self.trained[band] += 1.0;
        self.training_hours += m.training_hours;
        // 预备党员转正: probation ends 12 months after admission (plus any extension).
        let due = crate::development::add_months(m.joined_on, rules.development.probation_months.get());
        if in_year(Some(due)) {
            self.confirmation[0] += 1.0;
            if in_year(m.full_on) {
                self.confirmation[1] += 1.0;
            } else if m.extension_months.is_some_and(|x| x > 0) {
                self.confirmation[2] += 1.0;
            } else if m.full_on.is_none() && due < self.end {
                self.confirmation[3] += 1.0;
            }
        }
    }

    pub fn finish(self, org_name: &str, orgs: &OrgCounts) -> AnnualReport {
        let y = self.year;
        let cols = |extra: &[&str]| -> Vec<String> { PROFILE_COLS.iter().chain(extra).map(|s| s.to_string()).collect() };
        let profile_table = |number: &'static str, title: &str, labels: Vec<String>, data: &[Profile], note: &str| StatTable {
            number,
            title: title.to_string(),
            columns: cols(&[]),
            rows: std::iter::once(("总计".to_string(), self.total.0.to_vec()))
                .chain(labels.into_iter().zip(data).map(|(l, p)| (l, p.0.to_vec())))
                .collect(),
            note: note.to_string(),
        };
        let mut tables = Vec::new();
        let decreased: f64 = self.left.iter().sum();
        let mut first_rows = vec![
            (format!("{}年底党员总数", y - 1), vec![self.previous_total]),
            ("本年增加：发展党员".to_string(), vec![self.admitted]),
            ("本年增加：组织关系转入".to_string(), vec![self.transferred_in]),
        ];
        for (i, r) in LeaveReason::ALL.iter().enumerate() {
            first_rows.push((format!("本年减少：{}", r.label()), vec![self.left[i]]));
        }
        first_rows.push(("本年减少合计".to_string(), vec![decreased]));
        first_rows.push((format!("{y}年底党员总数"), vec![self.total.0[0]]));
        first_rows.push(("比上年增减".to_string(), vec![self.total.0[0] - self.previous_total]));
        tables.push(StatTable {
            number: "第一表",
            title: "两年党员数综合比较".into(),
            columns: vec!["人数".into()],
            rows: first_rows,
            note: "转入只计本年办理接收的组织关系；系统外转入未登记接收手续的不计入".into(),
        });
        let labels_of = |xs: &[&str]| xs.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let mut second = profile_table("第二表", "党员基本情况", Vec::new(), &[], "年龄按当年12月31日计算；少数民族不含民族未登记的党员，未登记的单列；职业未登记的单列");
        for (l, p) in AGE_BANDS.iter().zip(&self.by_age) {
            second.rows.push((format!("年龄：{l}"), p.0.to_vec()));
        }
        for (o, p) in Occupation::ALL.iter().zip(&self.by_occupation) {
            second.rows.push((format!("职业：{}", o.label()), p.0.to_vec()));
        }
        second.rows.push(("民族：未登记".to_string(), self.ethnicity_unregistered.0.to_vec()));
        tables.push(second);
        tables.push(profile_table("第三表", "党员入党时间", labels_of(&COHORTS), &self.by_cohort, "按入党时间（支部大会通过之日）分组"));
        tables.push(profile_table(
            "第四表",
            "党员学历",
            Education::ALL.iter().map(|e| e.label().to_string()).collect(),
            &self.by_education,
            "大专及以上 = 研究生 + 大学本科 + 大学专科",
        ));
        let local_cols: Vec<String> = ["党组织数", "党员数", "女", "35岁及以下", "61岁及以上", "农牧渔民", "大专及以上"].iter().map(|s| s.to_string()).collect();
        let org_count = |s: Sector| orgs.by_sector.iter().filter(|(x, _)| *x == s).map(|(_, n)| *n as f64).sum::<f64>();
        let local_row = |label: &str, s: Sector, i: usize| {
            let mut v = vec![org_count(s)];
            v.extend(self.local[i]);
            (label.to_string(), v)
        };
        tables.push(StatTable {
            number: "第五表",
            title: "乡（镇）、建制村党员".into(),
            columns: local_cols.clone(),
            rows: vec![local_row("乡（镇）机关", Sector::Township, 0), local_row("建制村", Sector::Village, 1)],
            note: "按党员组织关系所在党组织的领域统计".into(),
        });
        tables.push(StatTable {
            number: "第六表",
            title: "街道、社区党员".into(),
            columns: local_cols,
            rows: vec![local_row("街道机关", Sector::Street, 2), local_row("社区", Sector::Community, 3)],
            note: "按党员组织关系所在党组织的领域统计".into(),
        });
        let evaluated: f64 = self.grades.iter().sum();
        let mut eight = vec![("应参加评议的党员".to_string(), vec![self.total.0[0]]), ("参加评议的党员".to_string(), vec![evaluated])];
        for (g, n) in EvaluationGrade::ALL.iter().zip(&self.grades) {
            eight.push((format!("评议等次：{}", g.label()), vec![*n]));
        }
        eight.push(("未参加评议".to_string(), vec![self.total.0[0] - evaluated]));
        tables.push(StatTable { number: "第八表", title: "民主评议党员".into(), columns: vec!["人数".into()], rows: eight, note: "按当年登记的评议等次".into() });
        let trained_any = self.trained[1] + self.trained[2] + self.trained[3];
        tables.push(StatTable {
            number: "第九表",
            title: "党员教育培训".into(),
            columns: vec!["人数".into()],
            rows: vec![
                ("年底党员总数".into(), vec![self.total.0[0]]),
                ("本年参加培训的党员".into(), vec![trained_any]),
                ("未参加培训".into(), vec![self.trained[0]]),
                ("培训不足32学时".into(), vec![self.trained[1]]),
                ("32至55学时".into(), vec![self.trained[2]]),
                ("56学时及以上".into(), vec![self.trained[3]]),
                ("培训总学时".into(), vec![(self.training_hours * 10.0).round() / 10.0]),
            ],
            note: "学时界限取自规则文件（党员每年不少于32学时，干部不少于56学时）".into(),
        });
        tables.push(StatTable {
            number: "第十三表",
            title: "预备党员转正".into(),
            columns: vec!["人数".into()],
            rows: vec![
                ("本年预备期满的预备党员".into(), vec![self.confirmation[0]]),
                ("按期转正".into(), vec![self.confirmation[1]]),
                ("延长预备期".into(), vec![self.confirmation[2]]),
                ("预备期满尚未讨论转正".into(), vec![self.confirmation[3]]),
                ("年底预备党员".into(), vec![self.total.0[3]]),
            ],
            note: "预备期按规则文件（12个月）计算；取消预备党员资格的尚未在系统中登记".into(),
        });
        let mut fourteen = vec![("发展党员总数".to_string(), self.new_profile.0.to_vec())];
        for (l, n) in AGE_BANDS.iter().zip(&self.new_by_age) {
            fourteen.push((format!("入党时年龄：{l}"), vec![*n]));
        }
        for (e, n) in Education::ALL.iter().zip(&self.new_by_education) {
            fourteen.push((format!("学历：{}", e.label()), vec![*n]));
        }
        for (o, n) in Occupation::ALL.iter().zip(&self.new_by_occupation) {
            fourteen.push((format!("职业：{}", o.label()), vec![*n]));
        }
        tables.push(StatTable { number: "第十四表", title: "发展党员情况".into(), columns: cols(&[]), rows: fourteen, note: "按入党时间在本年度内统计；分项只填合计列".into() });
        let mut fifteen = vec![("发展党员总数".to_string(), vec![self.new_profile.0[0]])];
        for (s, n) in Sector::ALL.iter().zip(&self.new_by_sector) {
            fifteen.push((format!("{}", s.label()), vec![*n]));
        }
        tables.push(StatTable { number: "第十五表", title: "发展党员所在单位".into(), columns: vec!["人数".into()], rows: fifteen, note: "按入党时所在党组织的领域".into() });
        AnnualReport { org_name: org_name.to_string(), year: y, tables }
    }
}
