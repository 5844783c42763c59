//! The keyword→category lexicon (关键词词表) that proposes codes: the code book's
//! keywords with the staff's edits applied in order. A passage is proposed for a
//! category when the weights of the category's distinct keywords found in it reach
//! [`THRESHOLD`]; matching is on normalised text, so punctuation and spacing do not matter.

use domain::research::Codebook;
use serde::Serialize;
use store::LexiconChange;

/// Score a passage needs before a category is proposed.
pub const THRESHOLD: f64 = 1.0;

#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub keyword: String,
    pub category: String,
    pub weight: f64,
    /// From the code book (true) or added by staff.
    pub builtin: bool,
}

#[derive(Debug, Clone, Default)]
pub struct Lexicon {
    pub entries: Vec<Entry>,
    /// Normalised keyword per entry.
    keys: Vec<String>,
    /// The problem categories (the rest are achievements), for polarity.
    problems: Vec<String>,
    /// Whether polarity filters the proposals (off only to measure the difference).
    pub polarity: bool,
}

/// A proposed code with the keywords that triggered it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Suggestion {
    pub category: String,
    pub score: f64,
    pub keywords: Vec<String>,
}

impl Lexicon {
    pub fn new(codebook: &Codebook, changes: &[LexiconChange]) -> Lexicon {
        let mut entries: Vec<Entry> = Vec::new();
        for c in &codebook.categories {
            for (k, w) in &c.keywords {
                entries.push(Entry { keyword: k.clone(), category: c.id.clone(), weight: *w, builtin: true });
            }
        }
        for ch in changes {
            entries.retain(|e| !(e.keyword == ch.keyword && e.category == ch.category));
            if ch.action == "add" {
                entries.push(Entry { keyword: ch.keyword.clone(), category: ch.category.clone(), weight: ch.weight, builtin: false });
            }
        }
        let keys = entries.iter().map(|e| segment::normalise(&e.keyword).0).collect();
        let problems = codebook.categories.iter().filter(|c| c.kind == domain::research::CategoryKind::Problem).map(|c| c.id.clone()).collect();
        Lexicon { entries, keys, problems, polarity: true }
    }

    /// Categories proposed for a passage, best first.
    pub fn suggest(&self, passage: &str) -> Vec<Suggestion> {
        let (text, _) = segment::normalise(passage);
        let mut out: Vec<Suggestion> = Vec::new();
        for (e, key) in self.entries.iter().zip(&self.keys) {
            if key.is_empty() || !text.contains(key.as_str()) {
                continue;
            }
            match out.iter_mut().find(|s| s.category == e.category) {
                Some(s) => {
                    if !s.keywords.contains(&e.keyword) {
                        s.score += e.weight;
                        s.keywords.push(e.keyword.clone());
                    }
                }
                None => out.push(Suggestion { category: e.category.clone(), score: e.weight, keywords: vec![e.keyword.clone()] }),
            }
        }
        out.retain(|s| s.score >= THRESHOLD);
        // An achievement is not proposed for a passage that reads negatively, nor a problem
        // for one that reads positively.
        if self.polarity {
            let p = domain::research::PolarityCues::builtin().read(passage);
            out.retain(|s| match (self.problems.contains(&s.category), p) {
                (true, domain::research::Polarity::Positive) => false,
                (false, domain::research::Polarity::Negative) => false,
                _ => true,
            });
        }
        out.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.category.cmp(&b.category)));
        out
    }
}

/// A passage with the categories a researcher gave it.
#[derive(Debug, Clone)]
pub struct Labelled {
    pub text: String,
    pub categories: Vec<String>,
}

/// Reads a labelled set: one passage per line, `类别,类别<TAB>文字` (`-` for none);
/// `#` starts a comment.
pub fn read_labelled(text: &str) -> Result<Vec<Labelled>, String> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (cats, passage) = line.split_once('\t').ok_or_else(|| format!("第{}行：缺少制表符分隔的类别和文字", n + 1))?;
        let categories = cats.split(',').map(str::trim).filter(|c| !c.is_empty() && *c != "-").map(String::from).collect();
        out.push(Labelled { text: passage.trim().to_string(), categories });
    }
    Ok(out)
}

/// Precision and recall of the proposals against a labelled set.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Evaluation {
    pub passages: usize,
    pub true_positives: usize,
    pub false_positives: usize,
    pub false_negatives: usize,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    /// (category, tp, fp, fn)
    pub per_category: Vec<(String, usize, usize, usize)>,
}

pub fn evaluate(lexicon: &Lexicon, set: &[Labelled]) -> Evaluation {
    let mut per: std::collections::BTreeMap<String, (usize, usize, usize)> = Default::default();
    for p in set {
        let proposed: Vec<String> = lexicon.suggest(&p.text).into_iter().map(|s| s.category).collect();
        for c in &proposed {
            let e = per.entry(c.clone()).or_default();
            if p.categories.contains(c) { e.0 += 1 } else { e.1 += 1 }
        }
        for c in &p.categories {
            if !proposed.contains(c) {
                per.entry(c.clone()).or_default().2 += 1;
            }
        }
    }
    let (tp, fp, fnn) = per.values().fold((0, 0, 0), |a, v| (a.0 + v.0, a.1 + v.1, a.2 + v.2));
    let precision = if tp + fp == 0 { 0.0 } else { tp as f64 / (tp + fp) as f64 };
    let recall = if tp + fnn == 0 { 0.0 } else { tp as f64 / (tp + fnn) as f64 };
    let f1 = if precision + recall == 0.0 { 0.0 } else { 2.0 * precision * recall / (precision + recall) };
    Evaluation {
        passages: set.len(),
        true_positives: tp,
        false_positives: fp,
        false_negatives: fnn,
        precision,
        recall,
        f1,
        per_category: per.into_iter().map(|(k, v)| (k, v.0, v.1, v.2)).collect(),
    }
}
