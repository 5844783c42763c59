//! Member attributes drawn from sector-specific distributions tuned so that a county's
//! totals come near the national statistics (women ≈ 31 %, minorities ≈ 8 %, 大专及以上
//! ≈ 58 %, ≥ 61 ≈ 29 %).

use crate::names;
use chrono::Duration;
use domain::member::{ArchiveMaterial, Education, MemberStatus, Occupation, Sex};
use domain::{CitizenId, Date};
use rand::Rng;

/// Whose members a branch holds: fixes ages, education, occupation and sex.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    Village,
    AgeingVillage,
    Community,
    Organ,
    Retiree,
    School,
    Health,
    StateEnterprise,
    NonPublic,
    Social,
}

/// Age bands ≤30, 31–35, 36–40, 41–45, 46–50, 51–55, 56–60, ≥61.
const BANDS: [(i32, i32); 8] = [(19, 30), (31, 35), (36, 40), (41, 45), (46, 50), (51, 55), (56, 60), (61, 88)];

impl Profile {
    fn age_weights(self) -> [u32; 8] {
        match self {
            Profile::Village => [7, 6, 7, 8, 12, 14, 12, 34],
            Profile::AgeingVillage => [1, 2, 3, 6, 10, 15, 15, 48],
            Profile::Community => [6, 6, 7, 7, 8, 8, 10, 48],
            Profile::Organ => [18, 17, 15, 14, 14, 12, 10, 0],
            Profile::Retiree => [0, 0, 0, 0, 0, 0, 3, 97],
            Profile::School => [20, 17, 14, 13, 13, 12, 11, 0],
            Profile::Health => [22, 18, 15, 13, 12, 11, 9, 0],
            Profile::StateEnterprise => [18, 16, 15, 14, 14, 13, 10, 0],
            Profile::NonPublic => [30, 22, 17, 12, 9, 6, 4, 0],
            Profile::Social => [15, 12, 12, 12, 12, 12, 10, 15],
        }
    }
    /// 研究生, 本科, 专科, 中专, 高中, 初中及以下.
    fn education_weights(self) -> [u32; 6] {
        match self {
            Profile::Village => [0, 6, 12, 7, 25, 50],
            Profile::AgeingVillage => [0, 2, 6, 5, 27, 60],
            Profile::Community => [1, 16, 21, 10, 24, 28],
            Profile::Organ => [15, 62, 20, 1, 1, 1],
            Profile::Retiree => [3, 32, 25, 12, 16, 12],
            Profile::School => [12, 72, 14, 1, 1, 0],
            Profile::Health => [15, 52, 27, 5, 1, 0],
            Profile::StateEnterprise => [7, 45, 27, 9, 9, 3],
            Profile::NonPublic => [4, 34, 33, 11, 12, 6],
            Profile::Social => [3, 32, 30, 10, 14, 11],
        }
    }
    fn female_share(self) -> f64 {
        match self {
            Profile::Village | Profile::AgeingVillage => 0.19,
            Profile::Community => 0.42,
            Profile::Organ => 0.33,
            Profile::Retiree => 0.36,
            Profile::School | Profile::Health => 0.55,
            Profile::StateEnterprise => 0.26,
            Profile::NonPublic => 0.30,
            Profile::Social => 0.45,
        }
    }
    fn occupation<R: Rng>(self, rng: &mut R, age: i32) -> Occupation {
        use Occupation::*;
        let pick = |rng: &mut R, opts: &[(Occupation, u32)]| opts[weighted(rng, &opts.iter().map(|x| x.1).collect::<Vec<_>>())].0;
        match self {
            Profile::Village | Profile::AgeingVillage => pick(rng, &[(Farmer, 88), (Worker, 4), (Other, 8)]),
            Profile::Community if age >= 58 => pick(rng, &[(Retired, 85), (Other, 15)]),
            Profile::Community => pick(rng, &[(Other, 45), (Worker, 25), (Professional, 15), (Manager, 15)]),
            Profile::Organ => OfficialStaff,
            Profile::Retiree => Retired,
            Profile::School if age <= 22 => Student,
            Profile::School => Professional,
            Profile::Health => pick(rng, &[(Professional, 85), (Manager, 15)]),
            Profile::StateEnterprise => pick(rng, &[(Worker, 45), (Professional, 30), (Manager, 25)]),
            Profile::NonPublic => pick(rng, &[(Worker, 45), (Professional, 25), (Manager, 30)]),
            Profile::Social if age >= 61 => Retired,
            Profile::Social => pick(rng, &[(Other, 60), (Professional, 20), (Manager, 20)]),
        }
    }
    fn mobile_share(self) -> f64 {
        match self {
            Profile::Village => 0.09,
            Profile::AgeingVillage => 0.14,
            Profile::Community => 0.03,
            Profile::NonPublic | Profile::Social => 0.02,
            _ => 0.005,
        }
    }
}

const MINORITIES: &[&str] = &["回族", "满族", "壮族", "苗族", "土家族", "畲族", "蒙古族", "彝族", "侗族", "瑶族"];

/// A generated member, as the branch's meetings and committee need it.
#[derive(Debug, Clone)]
pub struct Person {
    pub name: String,
    pub sex: Sex,
    pub ethnicity: &'static str,
    pub birth: Date,
    pub age: i32,
    pub citizen_id: CitizenId,
    pub education: Education,
    pub occupation: Occupation,
    pub phone: String,
    pub joined_on: Date,
    pub full_on: Option<Date>,
    pub status: MemberStatus,
    pub is_mobile: bool,
    pub is_lost_contact: bool,
    pub is_abroad: bool,
    pub materials: Vec<ArchiveMaterial>,
}

pub fn weighted<R: Rng>(rng: &mut R, w: &[u32]) -> usize {
    let total: u32 = w.iter().sum();
    let mut x = rng.gen_range(0..total);
    for (i, wi) in w.iter().enumerate() {
        if x < *wi {
            return i;
        }
        x -= wi;
    }
    w.len() - 1
}

/// Draws a member. `ids` keeps the county's (birth date, sequence) pairs unique.
/// How well a branch keeps its members' archives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Archives {
    /// 档案管理不规范: many files miss a material.
    Untidy,
    Usual,
    /// Every required material on file.
    Complete,
}

pub fn person<R: Rng>(
    rng: &mut R,
    profile: Profile,
    as_of: Date,
    region6: &str,
    ids: &mut std::collections::HashSet<(Date, u16)>,
    archives: Archives,
) -> Person {
    let (lo, hi) = BANDS[weighted(rng, &profile.age_weights())];
    let age = rng.gen_range(lo..=hi);
    let birth = as_of - Duration::days(age as i64 * 365 + rng.gen_range(0..365) + (age / 4) as i64);
    let female = rng.gen_bool(profile.female_share());
    let sex = if female { Sex::Female } else { Sex::Male };
    let mut seq;
    loop {
        seq = rng.gen_range(0..500u16) * 2 + if female { 0 } else { 1 };
        if ids.insert((birth, seq)) {
            break;
        }
    }
    let citizen_id = CitizenId::compose(region6, birth, seq);
    let real_age = domain::member::age_on(birth, as_of);
    let adult = domain::org::add_years(birth, 18).expect("valid");
    // Recent joiners are probationary (预备党员): about 2 % of members nationally.
    let latest_full = as_of - Duration::days(400);
    let recent = adult > latest_full || (real_age <= 40 && rng.gen_bool(if real_age <= 30 { 0.10 } else { 0.04 }));
    let joined_on = if recent {
        (as_of - Duration::days(rng.gen_range(20..360))).max(adult)
    } else {
        let join_age = rng.gen_range(19..=real_age.clamp(19, 42));
        let j = birth + Duration::days(join_age as i64 * 365 + rng.gen_range(0..365));
        j.clamp(adult, latest_full)
    };
    let full = domain::org::add_years(joined_on, 1).expect("valid");
    let (status, full_on) = if full <= as_of { (MemberStatus::Full, Some(full)) } else { (MemberStatus::Probationary, None) };
    let education = match weighted(rng, &profile.education_weights()) {
        0 => Education::Postgraduate,
        1 => Education::Bachelor,
        2 => Education::College,
        3 => Education::Secondary,
        4 => Education::HighSchool,
        _ => Education::JuniorOrBelow,
    };
    let mut materials = domain::member::required_archive_materials(status);
    // Untidy archives (档案管理不规范): materials missing, more often in weak branches.
    let p_missing = match archives {
        Archives::Untidy => 0.35,
        Archives::Usual => 0.06,
        Archives::Complete => 0.0,
    };
    if rng.gen_bool(p_missing) {
        let k = rng.gen_range(0..materials.len());
        materials.remove(k);
        if rng.gen_bool(0.3) && !materials.is_empty() {
            let k = rng.gen_range(0..materials.len());
            materials.remove(k);
        }
    }
    let occupation = profile.occupation(rng, real_age);
    let working_age = real_age < 60;
    Person {
        name: names::person(rng, female),
        sex,
        ethnicity: if rng.gen_bool(0.077) { MINORITIES[rng.gen_range(0..MINORITIES.len())] } else { "汉族" },
        birth,
        age: real_age,
        citizen_id,
        education,
        occupation,
        phone: format!("1{}{:09}", [3, 5, 7, 8, 9][rng.gen_range(0..5)], rng.gen_range(0..1_000_000_000u32)),
        joined_on,
        full_on,
        status,
        is_mobile: working_age && rng.gen_bool((profile.mobile_share() * if real_age < 45 { 2.0 } else { 0.6 }).min(1.0)),
        is_lost_contact: rng.gen_bool(0.002),
        is_abroad: rng.gen_bool(0.001),
        materials,
    }
}

