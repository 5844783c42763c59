//! The search passages of each kind of item: interview notes by passage, a case by
//! section, a document by its description and each requirement.

use domain::research::{passages, CaseInput, DocumentInput, InterviewInput};
use store::SearchPassage;

fn passage(part: usize, title: &str, body: &str) -> SearchPassage {
    SearchPassage { part: part as i64, title: title.to_string(), body: body.to_string(), terms: segment::index_terms(body) }
}

pub fn interview(i: &InterviewInput, unit: &str) -> Vec<SearchPassage> {
    let title = format!("访谈：{unit}（{}）", i.held_on);
    passages(&i.notes).into_iter().enumerate().map(|(n, p)| passage(n, &title, p)).collect()
}

/// Case sections in order: 0 背景, 1 主要做法, 2 成效或后果, 3 经验教训.
pub const CASE_SECTIONS: [&str; 4] = ["背景", "主要做法", "成效或后果", "经验教训"];

pub fn case(c: &CaseInput) -> Vec<SearchPassage> {
    let title = format!("案例：{}", c.title);
    [format!("{}\n{}", c.title, c.background), c.actions.clone(), c.result.clone(), c.lessons.clone()]
        .iter()
        .enumerate()
        .map(|(n, body)| passage(n, &title, body))
        .collect()
}

pub fn document(d: &DocumentInput) -> Vec<SearchPassage> {
    let title = format!("文献：{}", d.title);
    let head = [d.title.as_str(), d.issuer.as_str(), d.doc_number.as_str(), d.summary.as_str()].iter().filter(|s| !s.is_empty()).cloned().collect::<Vec<_>>().join("\n");
    let mut out = vec![passage(0, &title, &head)];
    for (n, r) in d.requirements.iter().enumerate() {
        out.push(passage(n + 1, &title, &r.text));
    }
    out
}
