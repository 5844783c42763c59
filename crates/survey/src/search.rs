//! Open answers for the search index (开放题答案检索): each written answer of a text
//! question, and each "其他，请注明" text, becomes a passage titled with its campaign and
//! question, searchable beside interviews and cases within the unit's scope.

use crate::model::{Kind, Questionnaire};
use serde_json::{Map, Value as Json};
use store::SearchPassage;

/// Answers shorter than this are not worth a search hit ("无", "没有").
const MIN_CHARS: usize = 2;

/// The passages of one response's open answers; `part` is the question's position.
pub fn answer_passages(form: &Questionnaire, campaign_title: &str, answers: &Map<String, Json>) -> Vec<SearchPassage> {
    let mut out = Vec::new();
    for (i, it) in form.variables().into_iter().enumerate() {
        let label = form.text(&it.label);
        let mut add = |key: &str, what: &str| {
            let Some(text) = answers.get(key).and_then(|v| v.as_str()).map(str::trim) else { return };
            if text.chars().count() < MIN_CHARS {
                return;
            }
            out.push(SearchPassage { part: i as i64, title: format!("{campaign_title}：{label}{what}"), body: text.to_string(), terms: segment::index_terms(text) });
        };
        match &it.kind {
            Kind::Text => add(&it.name, ""),
            k if k.or_other() => add(&format!("{}_other", it.name), "（其他）"),
            _ => {}
        }
    }
    out
}
