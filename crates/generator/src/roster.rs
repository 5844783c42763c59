//! A synthetic roster (党员花名册) of any length over given branches, for import
//! benchmarks and tests: the same people the county generator draws, streamed, with
//! citizen IDs unique across the whole roster. Same seed → same rows.

use crate::people::{person, Person, Profile};
use domain::org::Sector;
use domain::Date;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::HashSet;

/// A branch members may be placed in: its code, name and sector.
#[derive(Debug, Clone)]
pub struct Branch {
    pub code: String,
    pub name: String,
    pub sector: Sector,
}

fn profile(s: Sector) -> Profile {
    match s {
        Sector::Village | Sector::Township => Profile::Village,
        Sector::Community | Sector::Street => Profile::Community,
        Sector::Organ => Profile::Organ,
        Sector::School => Profile::School,
        Sector::StateEnterprise => Profile::StateEnterprise,
        Sector::NonPublicEnterprise => Profile::NonPublic,
        Sector::SocialOrganisation => Profile::Social,
        _ => Profile::Health,
    }
}

/// `rows` members spread over `branches`, each with the branch it belongs to.
pub fn roster(rows: u64, seed: u64, as_of: Date, branches: &[Branch]) -> impl Iterator<Item = (Person, &Branch)> + '_ {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    // Region codes of a province's counties keep (birth date, sequence) pairs plentiful.
    let mut used: Vec<HashSet<(Date, u16)>> = (0..100).map(|_| HashSet::new()).collect();
    (0..rows).map(move |i| {
        let b = &branches[rng.gen_range(0..branches.len())];
        let county = (i % 100) as usize;
        let region = format!("33{:02}{:02}", 1 + county / 10, 21 + county % 10);
        (person(&mut rng, profile(b.sector), as_of, &region, &mut used[county], crate::people::Archives::Usual), b)
    })
}
