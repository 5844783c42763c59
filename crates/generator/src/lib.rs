//! Deterministic generator of a realistic jurisdiction (县 / 市 / 省): organisations,
//! units, members, committees, venues, meetings and attendance, with distributions from
//! the national statistics (shared/docs/domain-rules.md §8) and the irregularities the
//! seed report describes. Same seed and as-of date → identical rows on every database.
//!
//! Memory is bounded by one branch at a time plus one county's set of citizen IDs: rows
//! stream into the store's [`BulkLoader`].

mod county;
mod names;
mod people;
pub mod roster;
pub mod research;
pub mod survey;
pub use people::Person;

use chrono::Datelike;
use domain::Date;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use store::{BulkLoader, Store, StoreError};

/// How big a jurisdiction to build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    /// A cut-down county (≈ 5 000 members) for tests and a quick look.
    Small,
    /// One county (≈ 40 000 members).
    County,
    /// A city of 10 counties (≈ 400 000 members).
    City,
    /// A province of 15 cities × 5 counties (≈ 3 000 000 members).
    Province,
}

impl Scale {
    pub fn parse(s: &str) -> Option<Scale> {
        match s {
            "small" => Some(Scale::Small),
            "county" | "县" => Some(Scale::County),
            "city" | "市" => Some(Scale::City),
            "province" | "省" => Some(Scale::Province),
            _ => None,
        }
    }
    /// (cities, counties per city); a county jurisdiction has no city level.
    fn shape(self) -> (u32, u32) {
        match self {
            Scale::Small | Scale::County => (1, 1),
            Scale::City => (1, 10),
            Scale::Province => (15, 5),
        }
    }
    pub fn counties(self) -> u32 {
        let (c, k) = self.shape();
        c * k
    }
}

#[derive(Debug, Clone)]
pub struct Options {
    pub scale: Scale,
    pub seed: u64,
    /// Meetings cover the previous full year and this year up to this date.
    pub as_of: Date,
    /// Terms, branch-size thresholds and committee sizes come from here.
    pub rules: domain::rules::Rules,
    /// How well the jurisdiction works (the same random draws in every climate).
    pub climate: Climate,
}

/// The state of the work a generated jurisdiction shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Climate {
    /// The spread the seed describes: exemplary, normal, formal and weak branches.
    #[default]
    Typical,
    /// Every rule kept: exemplary branches, terms on time, letters received in time,
    /// every unit with 3 full members organised.
    Compliant,
    /// As typical, but 支部党员大会, 支委会 and 党课 mostly not held (三会一课 collapsed).
    MeetingsCollapsed,
}

#[derive(Debug, thiserror::Error)]
pub enum GenError {
    #[error("数据库中已有数据：生成器只向空数据库写入，请换一个新的数据库文件或清空后重试")]
    NotEmpty,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("数据库中没有可供调研的党组织：请先生成示范数据")]
    Empty,
    #[error("{0}")]
    Other(String),
}

/// What was written.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub rows: u64,
    pub counties: u32,
}

/// Progress so far: rows written, counties finished, counties in all.
pub type Progress<'a> = &'a mut (dyn FnMut(u64, u32, u32) + Send);

/// Running id counters: ids are assigned here, in generation order, so they are the
/// same on every database.
#[derive(Default)]
pub(crate) struct Ids {
    pub org: i64,
    pub unit: i64,
    pub sub_unit: i64,
    pub member: i64,
    pub post: i64,
    pub venue: i64,
    pub meeting: i64,
    pub development: i64,
    pub transfer: i64,
    pub mobile: i64,
    pub dues: i64,
    pub training: i64,
    pub worker: i64,
    pub funding: i64,
    pub carrier: i64,
}

impl Ids {
    pub fn next(counter: &mut i64) -> i64 {
        *counter += 1;
        *counter
    }
}

/// A written organisation, as children need it.
#[derive(Debug, Clone)]
pub(crate) struct OrgRef {
    pub id: i64,
    pub path: String,
    pub depth: i64,
}

/// Builds the jurisdiction into an empty store.
pub async fn generate(store: &Store, opts: &Options, progress: Progress<'_>) -> Result<Summary, GenError> {
    if !store.is_empty().await? {
        return Err(GenError::NotEmpty);
    }
    let mut loader = BulkLoader::new(store);
    let mut ids = Ids::default();
    let (cities, per_city) = opts.scale.shape();
    let total = cities * per_city;
    let mut top_rng = ChaCha8Rng::seed_from_u64(opts.seed);
    let created = format!("{}T00:00:00Z", opts.as_of);
    let province_code = "33";
    // The jurisdiction's top: the province, city or county committee.
    let root = match opts.scale {
        Scale::Province => Some(county::local_committee(&mut loader, &mut ids, None, "P33", "中共示范省委员会", &format!("{province_code}0000"), &created).await?),
        Scale::City => Some(county::local_committee(&mut loader, &mut ids, None, "C3301", "中共示范市委员会", &format!("{province_code}0100"), &created).await?),
        Scale::Small | Scale::County => None,
    };
    let mut done = 0;
    for c in 0..cities {
        let city_code = format!("{province_code}{:02}", c + 1);
        let city = match opts.scale {
            Scale::Province => {
                let name = format!("中共{}市委员会", names::place(&mut top_rng));
                Some(county::local_committee(&mut loader, &mut ids, root.as_ref(), &format!("C{city_code}"), &name, &format!("{city_code}00"), &created).await?)
            }
            _ => root.clone(),
        };
        for k in 0..per_city {
            // One RNG per county, from the seed and the county's position: counties are
            // independent of each other's random draws.
            let county_seed = opts.seed ^ ((c as u64 + 1) << 32) ^ (k as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
            let mut rng = ChaCha8Rng::seed_from_u64(county_seed);
            let region = if matches!(opts.scale, Scale::County | Scale::Small) { format!("{city_code}22") } else { format!("{city_code}{:02}", 21 + k) };
            county::County::new(&mut loader, &opts.rules, &mut ids, &mut rng, opts.as_of, region, created.clone(), opts.scale == Scale::Small, opts.climate)
                .build(city.as_ref())
                .await?;
            done += 1;
            progress(loader.written, done, total);
        }
    }
    let rows = loader.finish().await?;
    progress(rows, total, total);
    Ok(Summary { rows, counties: total })
}

/// First day of the meeting window: 1 January of the previous year.
pub(crate) fn window_start(as_of: Date) -> Date {
    Date::from_ymd_opt(as_of.year() - 1, 1, 1).expect("valid date")
}
