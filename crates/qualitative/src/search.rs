//! Chinese full-text search (全文检索) over interview passages, case sections and
//! documents, within the caller's scope. Text and query are normalised and segmented the
//! same way (crate `segment`), so 三会一课, “三会一课” and 三会 一课 find each other.

use serde::Serialize;
use store::{Scope, Store, StoreError};

/// One passage found: `kind` is interview | case | document.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    pub kind: String,
    pub id: i64,
    pub part: i64,
    pub title: String,
    pub snippet: String,
}

/// Characters of context on each side of the first match.
const CONTEXT: usize = 40;

/// Passages holding every term of `q`, best first: most occurrences for their length.
pub async fn search(store: &Store, scope: &Scope, q: &str, limit: usize) -> Result<Vec<Hit>, StoreError> {
    let terms = segment::query_terms(q);
    let rows = store.search_passages(scope, &terms, 500).await?;
    let mut hits: Vec<(f64, Hit)> = rows
        .into_iter()
        .map(|r| {
            let (norm, _) = segment::normalise(&r.body);
            let n = terms.iter().map(|t| norm.matches(t.as_str()).count()).sum::<usize>() as f64;
            let score = n / ((norm.chars().count() + 20) as f64).sqrt();
            (score, Hit { kind: r.kind, id: r.item_id, part: r.part, title: r.title, snippet: snippet(&r.body, &terms) })
        })
        .collect();
    hits.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.kind.cmp(&b.1.kind)).then(b.1.id.cmp(&a.1.id)).then(a.1.part.cmp(&b.1.part)));
    Ok(hits.into_iter().take(limit).map(|(_, h)| h).collect())
}

/// The text around the first place a term occurs (found on normalised text, cut from the
/// original), with … where it was cut.
pub fn snippet(body: &str, terms: &[String]) -> String {
    let chars: Vec<char> = body.chars().collect();
    let (norm, at) = segment::normalise(body);
    let first = terms
        .iter()
        .filter_map(|t| norm.find(t.as_str()).map(|b| norm[..b].chars().count()))
        .min()
        .and_then(|i| at.get(i).copied())
        .unwrap_or(0);
    let start = first.saturating_sub(CONTEXT);
    let end = (first + CONTEXT * 2).min(chars.len());
    let mut s: String = chars[start..end].iter().map(|c| if c.is_whitespace() { ' ' } else { *c }).collect();
    s = s.trim().to_string();
    if start > 0 {
        s.insert(0, '…');
    }
    if end < chars.len() {
        s.push('…');
    }
    s
}

/// Splits text into runs, marking those that are (normalised) occurrences of a term, so
/// a page can highlight them whatever punctuation sits inside.
pub fn highlight(text: &str, terms: &[String]) -> Vec<(String, bool)> {
    let chars: Vec<char> = text.chars().collect();
    let (norm, at) = segment::normalise(text);
    let norm_chars: Vec<char> = norm.chars().collect();
    let mut marked = vec![false; chars.len()];
    for t in terms {
        let tc: Vec<char> = t.chars().collect();
        if tc.is_empty() || tc.len() > norm_chars.len() {
            continue;
        }
        for i in 0..=norm_chars.len() - tc.len() {
            if norm_chars[i..i + tc.len()] == tc[..] {
                for k in at[i]..=at[i + tc.len() - 1] {
                    marked[k] = true;
                }
            }
        }
    }
    let mut out: Vec<(String, bool)> = Vec::new();
    for (c, m) in chars.into_iter().zip(marked) {
        match out.last_mut() {
            Some((s, lm)) if *lm == m => s.push(c),
            _ => out.push((c.to_string(), m)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippet_cuts_around_the_match() {
        let body = format!("{}落实“三会 一课”制度{}", "甲".repeat(100), "乙".repeat(100));
        let s = snippet(&body, &["三会一课".to_string()]);
        assert!(s.starts_with('…') && s.ends_with('…') && s.contains("三会 一课"), "{s}");
    }

    #[test]
    fn highlight_spans_punctuation_inside_a_term() {
        let runs = highlight("要落实三会、一课制度", &["三会一课".to_string()]);
        assert_eq!(runs, vec![("要落实".to_string(), false), ("三会、一课".to_string(), true), ("制度".to_string(), false)]);
    }
}
