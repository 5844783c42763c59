//! Agreement between coders (编码一致性): a second coder codes the same interviews blind
//! (复核编码); per category, the passages both, one or neither coded, the percent
//! agreement and Cohen's κ at passage level, and the disagreements to reconcile.

use serde::Serialize;
use std::collections::HashSet;
use store::{PassageCode, Scope, Store, StoreError};

/// One category's agreement over every codable passage of the double-coded interviews.
#[derive(Debug, Clone, Serialize)]
pub struct CategoryAgreement {
    pub category: String,
    pub name: String,
    /// Coded by both, by the first only, by the second only, by neither.
    pub both: u64,
    pub first_only: u64,
    pub second_only: u64,
    pub neither: u64,
    /// Percent of passages on which the two agree (coded or not).
    pub percent: f64,
    /// Cohen's κ; none when chance agreement is total (neither coder used the category).
    pub kappa: Option<f64>,
}

/// A passage one coder gave a category and the other did not.
#[derive(Debug, Clone, Serialize)]
pub struct Disagreement {
    pub interview_id: i64,
    pub unit: String,
    pub passage: i64,
    pub category: String,
    pub name: String,
    /// 第一编码人 or 第二编码人: who coded it.
    pub coded_by: &'static str,
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Agreement {
    pub interviews: usize,
    pub passages: u64,
    pub categories: Vec<CategoryAgreement>,
    pub disagreements: Vec<Disagreement>,
}

/// Cohen's κ from a 2×2 table: (observed − chance) / (1 − chance).
pub fn kappa(both: u64, first_only: u64, second_only: u64, neither: u64) -> Option<f64> {
    let n = (both + first_only + second_only + neither) as f64;
    if n == 0.0 {
        return None;
    }
    let po = (both + neither) as f64 / n;
    let first = (both + first_only) as f64 / n;
    let second = (both + second_only) as f64 / n;
    let pe = first * second + (1.0 - first) * (1.0 - second);
    ((1.0 - pe).abs() > 1e-12).then(|| (po - pe) / (1.0 - pe))
}

/// Agreement on the interviews in scope that a second coder coded.
pub async fn agreement(store: &Store, scope: &Scope) -> Result<Agreement, StoreError> {
    let (interviews, first, second) = store.double_coded(scope).await?;
    Ok(compare(&interviews, &first, &second))
}

/// The comparison itself, on the interviews' notes and the two coders' codes.
pub fn compare(interviews: &[(i64, String, String)], first: &[PassageCode], second: &[PassageCode]) -> Agreement {
    let book = domain::research::Codebook::builtin();
    let a: HashSet<&PassageCode> = first.iter().collect();
    let b: HashSet<&PassageCode> = second.iter().collect();
    // Codable passages: every passage but headings.
    let mut passages: Vec<(i64, i64, String, String)> = Vec::new();
    for (id, notes, unit) in interviews {
        for (i, p) in domain::research::passages(notes).into_iter().enumerate() {
            if !p.trim_start().starts_with('#') {
                passages.push((*id, i as i64, unit.clone(), p.to_string()));
            }
        }
    }
    let mut categories = Vec::new();
    let mut disagreements = Vec::new();
    for c in &book.categories {
        let (mut both, mut fo, mut so, mut neither) = (0, 0, 0, 0);
        for (id, p, unit, text) in &passages {
            let key = PassageCode { interview_id: *id, passage: *p, category: c.id.clone() };
            match (a.contains(&key), b.contains(&key)) {
                (true, true) => both += 1,
                (false, false) => neither += 1,
                (x, _) => {
                    if x { fo += 1 } else { so += 1 }
                    disagreements.push(Disagreement {
                        interview_id: *id,
                        unit: unit.clone(),
                        passage: *p,
                        category: c.id.clone(),
                        name: c.name.clone(),
                        coded_by: if x { "第一编码人" } else { "第二编码人" },
                        text: text.chars().take(80).collect(),
                    });
                }
            }
        }
        let n = (both + fo + so + neither) as f64;
        let percent = if n > 0.0 { (both + neither) as f64 * 100.0 / n } else { 0.0 };
        categories.push(CategoryAgreement { category: c.id.clone(), name: c.name.clone(), both, first_only: fo, second_only: so, neither, percent, kappa: kappa(both, fo, so, neither) });
    }
    disagreements.sort_by(|x, y| (x.interview_id, x.passage, &x.category).cmp(&(y.interview_id, y.passage, &y.category)));
    Agreement { interviews: interviews.len(), passages: passages.len() as u64, categories, disagreements }
}

#[cfg(test)]
mod tests {
    #[test]
    fn kappa_matches_a_worked_example() {
        // 50 items: both 20, first only 5, second only 10, neither 15 → po 0.7, pe 0.5, κ 0.4.
        let k = super::kappa(20, 5, 10, 15).unwrap();
        assert!((k - 0.4).abs() < 1e-12, "{k}");
        assert_eq!(super::kappa(0, 0, 0, 30), None, "nobody used the category");
        assert!((super::kappa(10, 0, 0, 40).unwrap() - 1.0).abs() < 1e-12, "perfect agreement");
    }
}
