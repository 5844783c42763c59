//! Chinese text (中文分词): the jieba segmenter with the Party-building vocabulary
//! (`party_terms.txt`: 三会一课, 流动党员 … stay whole), content words without stop words,
//! TF-IDF and TextRank keywords, and the normalisation that makes search and coding blind
//! to punctuation, spacing and full-width letters.

use jieba_rs::{Jieba, KeywordExtract, TextRank, TfIdf};
use std::sync::OnceLock;

/// The segmenter with the Party-building vocabulary added. Built once (≈ 0.1 s).
pub fn jieba() -> &'static Jieba {
    static J: OnceLock<Jieba> = OnceLock::new();
    J.get_or_init(|| {
        let mut j = Jieba::new();
        for t in include_str!("../party_terms.txt").lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
            j.add_word(t, Some(100_000), Some("n"));
        }
        j
    })
}

/// Words that say nothing on their own in notes and open answers.
pub const STOP: &[&str] = &[
    "的", "了", "和", "是", "在", "有", "也", "都", "就", "要", "把", "等", "对", "与", "及", "或", "我们", "希望", "建议", "一些", "有些",
    "进一步", "加强", "工作", "没有", "不够", "太", "更", "多", "还", "让", "能", "这", "那", "很", "被", "给", "上级", "方便", "比较",
    "他们", "我", "你", "他", "她", "这个", "那个", "这些", "就是", "但是", "因为", "所以", "现在", "时候", "一个", "什么", "怎么", "觉得",
    "主要", "问题", "情况", "方面", "目前", "还是", "可以", "自己", "其中", "以及", "一般", "大家", "表示", "认为", "说", "年", "月", "次",
];

/// Content words of `text` (≥ 2 characters, not stop words, with a letter or ideograph).
pub fn words(text: &str) -> Vec<&str> {
    jieba()
        .cut(text, true)
        .into_iter()
        .map(|t| t.word.trim())
        .filter(|w| w.chars().count() >= 2 && !STOP.contains(w) && w.chars().any(char::is_alphabetic))
        .collect()
}

/// Text as compared by search and the lexicon: full-width letters and digits made
/// half-width, Latin lower-cased, and everything that is not a letter or digit
/// (punctuation, spaces, line breaks) dropped, so 「三会 一课」, “三会一课” and 三会、一课
/// read the same. Returns the text and, per character, its index in the original.
pub fn normalise(text: &str) -> (String, Vec<usize>) {
    let mut out = String::with_capacity(text.len());
    let mut at = Vec::with_capacity(text.len() / 3);
    for (i, c) in text.chars().enumerate() {
        let c = match c as u32 {
            0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        };
        if c.is_alphanumeric() {
            for l in c.to_lowercase() {
                out.push(l);
                at.push(i);
            }
        }
    }
    (out, at)
}

/// The terms a passage is indexed under: search-mode segmentation of the normalised
/// text (long words also give their dictionary sub-words: 党建经费 → 党建, 经费,
/// 党建经费), space-separated, each once.
pub fn index_terms(text: &str) -> String {
    let (n, _) = normalise(text);
    let mut seen = std::collections::HashSet::new();
    let mut out = String::new();
    for t in jieba().cut_for_search(&n, true) {
        let w = t.word;
        if seen.insert(w) {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(w);
        }
    }
    out
}

/// The terms a query must all match: its normalised text segmented like the index.
/// Single characters are kept only when the query is one character.
pub fn query_terms(q: &str) -> Vec<String> {
    let (n, _) = normalise(q);
    if n.chars().count() <= 1 {
        return if n.is_empty() { Vec::new() } else { vec![n] };
    }
    let mut out: Vec<String> = Vec::new();
    for t in jieba().cut(&n, true) {
        if !out.iter().any(|o| o == t.word) {
            out.push(t.word.to_string());
        }
    }
    out
}

/// One keyword with its score.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Keyword {
    pub word: String,
    pub weight: f64,
}

fn keep(k: &jieba_rs::Keyword) -> bool {
    !STOP.contains(&k.keyword.as_str()) && k.keyword.chars().any(char::is_alphabetic)
}

/// The `top` keywords of `text` by TF-IDF (jieba's IDF table; Party terms, being rare
/// in general text, get its median IDF).
pub fn tfidf(text: &str, top: usize) -> Vec<Keyword> {
    static T: OnceLock<TfIdf> = OnceLock::new();
    let t = T.get_or_init(TfIdf::default);
    t.extract_keywords(jieba(), text, top * 2, Vec::new()).into_iter().filter(keep).take(top).map(|k| Keyword { word: k.keyword, weight: k.weight }).collect()
}

/// The `top` keywords of `text` by TextRank (nouns, verbs and names; co-occurrence within 5 words).
pub fn textrank(text: &str, top: usize) -> Vec<Keyword> {
    static T: OnceLock<TextRank> = OnceLock::new();
    let t = T.get_or_init(TextRank::default);
    let pos = ["n", "ns", "nr", "nt", "nz", "vn", "v", "a", "an"].iter().map(|s| s.to_string()).collect();
    t.extract_keywords(jieba(), text, top * 2, pos).into_iter().filter(keep).take(top).map(|k| Keyword { word: k.keyword, weight: k.weight }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn party_terms_stay_whole_and_punctuation_does_not_matter() {
        for text in ["落实“三会一课”制度", "落实三会 一课制度", "落实三会、一课制度", "落实 三会一课 制度"] {
            let terms = index_terms(text);
            assert!(terms.split(' ').any(|t| t == "三会一课"), "{text}: {terms}");
        }
        assert_eq!(query_terms("「三会一课」"), vec!["三会一课"]);
        assert_eq!(query_terms(" 流动 党员 "), vec!["流动党员"]);
    }

    #[test]
    fn long_words_are_indexed_under_their_parts() {
        let terms = index_terms("党建工作经费主要靠上级拨款");
        assert!(terms.split(' ').any(|t| t == "经费"), "{terms}");
        let terms = index_terms("班子成员年龄偏大");
        assert!(terms.split(' ').any(|t| t == "班子"), "{terms}");
    }

    #[test]
    fn normalise_maps_back_to_the_original() {
        let (n, at) = normalise("Ａ，三会　一课！");
        assert_eq!(n, "a三会一课");
        assert_eq!(at, vec![0, 2, 3, 5, 6]);
    }

    #[test]
    fn keywords_come_from_the_text() {
        let text = "村里年轻党员大多外出务工，班子成员年龄偏大，后继乏人。流动党员长期不参加组织生活，后继乏人的问题很突出。";
        let k = tfidf(text, 5);
        assert!(k.iter().any(|k| k.word == "后继乏人"), "{k:?}");
        assert!(!textrank(text, 5).is_empty());
    }
}
