//! Interviews, cases, documents and search on SQLite and PostgreSQL, over a generated
//! county with its field research: search agrees with a plain scan of the notes whatever
//! the punctuation and spacing, scope holds, refused input writes nothing, and codes
//! survive edits of the notes.

use domain::research::{passages, IntervieweeForm, InterviewForm};
use qualitative::interviews::{self, Code};
use qualitative::search::search;
use qualitative::{ResearchError, Upload};
use store::{Scope, Store};
use testkit::{both, Db};

async fn county(db: Db) -> Option<Store> {
    let store = testkit::generated(db, 11).await?;
    let rules = domain::rules::Rules::default_rules();
    let f = generator::research::fieldwork(&store, &rules, domain::rules::DEFAULT_RULES, 11, testkit::as_of()).await.unwrap();
    assert!(f.interviews >= 15 && f.cases == generator::research::CASES_PER_COUNTY && f.documents >= 6, "{f:?}");
    Some(store)
}

/// Interview passages in scope whose normalised text holds every normalised term.
async fn scan(store: &Store, scope: &Scope, q: &str) -> usize {
    let terms = segment::query_terms(q);
    let mut n = 0;
    for i in store.interviews(scope).await.unwrap() {
        for p in passages(&i.notes) {
            let t = segment::normalise(p).0;
            if terms.iter().all(|x| t.contains(x.as_str())) {
                n += 1;
            }
        }
    }
    n
}

async fn search_finds_every_passage_whatever_the_punctuation(db: Db) {
    let Some(store) = county(db).await else { return };
    let all = Scope::jurisdiction();
    for (q, variants) in [
        ("三会一课", &["“三会一课”", "三会 一课", "三会、一课。", "  三会一课  "][..]),
        ("流动党员", &["流动 党员", "「流动党员」", "流动党员？"][..]),
        ("经费", &["经 费", "经费！", "（经费）"][..]),
        ("班子", &["班 子", "“班子”"][..]),
    ] {
        let hits = search(&store, &all, q, 500).await.unwrap();
        let interview_hits = hits.iter().filter(|h| h.kind == "interview").count();
        let expected = scan(&store, &all, q).await;
        assert!(expected > 0, "the generated notes mention {q}");
        assert_eq!(interview_hits, expected, "{q}: search against a scan of the notes");
        for h in &hits {
            assert!(segment::normalise(&h.snippet).0.contains(q), "{q}: snippet {:?}", h.snippet);
        }
        for v in variants {
            let again = search(&store, &all, v, 500).await.unwrap();
            assert_eq!(again.len(), hits.len(), "{v:?} finds what {q} finds");
        }
    }
    // Passages of cases and documents are found too; a word nobody said finds nothing.
    assert!(search(&store, &all, "三会一课", 500).await.unwrap().iter().any(|h| h.kind == "case"));
    assert!(search(&store, &all, "介绍人", 500).await.unwrap().iter().any(|h| h.kind == "document"));
    assert!(search(&store, &all, "量子计算机", 50).await.unwrap().is_empty());
    assert!(search(&store, &all, "  ，。 ", 50).await.unwrap().is_empty());
}
both!(search_finds_every_passage_whatever_the_punctuation);

async fn search_and_lists_stay_within_scope(db: Db) {
    let Some(store) = county(db).await else { return };
    let all = Scope::jurisdiction();
    let list = store.interviews(&all).await.unwrap();
    let one = list.iter().find(|i| i.level == domain::org::OrgLevel::Branch).unwrap();
    let scope = store.subtree_scope(one.org_id).await.unwrap();
    let mine = store.interviews(&scope).await.unwrap();
    assert!(mine.iter().all(|i| i.org_id == one.org_id) && !mine.is_empty());
    for q in ["经费", "党员", "三会一课", "流动党员"] {
        for h in search(&store, &scope, q, 500).await.unwrap() {
            match h.kind.as_str() {
                "interview" => assert!(mine.iter().any(|i| i.id == h.id), "{q}: interview {} outside scope", h.id),
                "case" => assert_eq!(store.case(&all, h.id).await.unwrap().org_id, one.org_id),
                _ => assert_eq!(h.kind, "document"),
            }
        }
    }
    let other = list.iter().find(|i| i.org_id != one.org_id).unwrap();
    assert!(store.interview(&scope, other.id).await.is_err());
    assert!(store.codings(&scope, other.id).await.is_err());
    let counts = store.interview_counts(&all).await.unwrap();
    assert_eq!(counts.interviews as usize, list.len());
    assert_eq!(counts.people as usize, list.iter().map(|i| i.people.len()).sum::<usize>());
    let units: std::collections::BTreeSet<i64> = list.iter().map(|i| i.org_id).collect();
    assert_eq!(counts.units as usize, units.len());
    let s = interviews::method_sentence(&counts);
    assert!(s.starts_with(&format!("选取了{}个具有代表性的基层单位（", units.len())), "{s}");
}
both!(search_and_lists_stay_within_scope);

fn form(org: i64, notes: &str) -> InterviewForm {
    InterviewForm {
        org_id: org.to_string(),
        held_on: "2026-11-20".into(),
        place: "村委会".into(),
        interviewers: "调研组".into(),
        interviewees: vec![IntervieweeForm { role: "leader".into(), name: "村党支部书记".into(), position: "书记".into() }],
        notes: notes.into(),
    }
}

async fn bad_input_writes_nothing_and_codes_survive_edits(db: Db) {
    let Some(store) = county(db).await else { return };
    let all = Scope::jurisdiction();
    let org = store.interviews(&all).await.unwrap()[0].org_id;
    let before = store.interview_counts(&all).await.unwrap().interviews;
    let today = testkit::as_of();

    // A program disguised as a PDF, and a file over the limit: refused, nothing written.
    let exe = Upload { file_name: "记录.pdf".into(), bytes: b"MZ\x90\x00\x03\x00\x00\x00".to_vec() };
    let big = Upload { file_name: "录音.mp3".into(), bytes: [b"ID3".to_vec(), vec![0u8; domain::research::MAX_ATTACHMENT_BYTES]].concat() };
    let good = Upload { file_name: "提纲.pdf".into(), bytes: b"%PDF-1.4\n%test\n".to_vec() };
    let err = interviews::create(&store, &all, &form(org, "第一段。"), vec![exe, big], None, today).await.unwrap_err();
    let ResearchError::Invalid(v) = err else { panic!("refused as invalid") };
    let msg = v.summary();
    assert!(msg.contains("记录.pdf") && msg.contains("可执行程序") && msg.contains("录音.mp3") && msg.contains("超过 20 MB"), "{msg}");
    assert_eq!(store.interview_counts(&all).await.unwrap().interviews, before);

    // Saved with its attachment, which comes back byte for byte.
    let notes = "## 情况\n\n支部书记说，三会一课有时候是补记录。\n\n经费主要靠上级拨款。";
    let id = interviews::create(&store, &all, &form(org, notes), vec![good], None, today).await.unwrap();
    let files = store.attachments(&all, "interview", id).await.unwrap();
    assert_eq!(files.len(), 1);
    let (a, bytes) = store.attachment(&all, files[0].id).await.unwrap();
    assert_eq!((a.media_type.as_str(), bytes.as_slice()), ("application/pdf", &b"%PDF-1.4\n%test\n"[..]));

    // Suggestions: the lexicon proposes meeting quality and funding.
    let i = store.interview(&all, id).await.unwrap();
    let view = interviews::view(&store, &all, &i).await.unwrap();
    assert!(view.passages[1].suggestions.iter().any(|s| s.category == "meeting_quality"), "{:?}", view.passages[1]);
    assert!(view.passages[2].suggestions.iter().any(|s| s.category == "funding"));
    interviews::code(&store, &all, id, &Code { passage: 1, category: "meeting_quality", excerpt: "", quote: true, accepted: true, suggested: true }, None).await.unwrap();
    interviews::code(&store, &all, id, &Code { passage: 2, category: "funding", excerpt: "", quote: false, accepted: false, suggested: true }, None).await.unwrap();
    let view = interviews::view(&store, &all, &i).await.unwrap();
    assert!(view.passages[1].suggestions.is_empty() && view.passages[1].codes.len() == 1);
    assert!(view.passages[2].suggestions.iter().all(|s| s.category != "funding"), "a rejected suggestion does not come back");
    // A code on a passage that is not there, or with words not in it, is refused.
    assert!(interviews::code(&store, &all, id, &Code { passage: 9, category: "funding", excerpt: "", quote: false, accepted: true, suggested: false }, None).await.is_err());
    assert!(interviews::code(&store, &all, id, &Code { passage: 2, category: "funding", excerpt: "别的话", quote: false, accepted: true, suggested: false }, None).await.is_err());

    // A refused edit changes nothing stored.
    let mut bad = form(org, "");
    bad.held_on = "2099-01-01".into();
    assert!(interviews::update(&store, &all, id, &bad, today).await.is_err());
    assert_eq!(store.interview(&all, id).await.unwrap().notes, notes);

    // A paragraph inserted above: the code follows its passage. The passage deleted: the
    // code is kept with its excerpt, detached.
    let edited = format!("## 情况\n\n新加的一段。\n\n{}", &notes["## 情况\n\n".len()..]);
    interviews::update(&store, &all, id, &form(org, &edited), today).await.unwrap();
    let c = store.codings(&all, id).await.unwrap().into_iter().find(|c| c.category == "meeting_quality").unwrap();
    assert_eq!(c.passage, 2);
    interviews::update(&store, &all, id, &form(org, "## 情况\n\n经费主要靠上级拨款。"), today).await.unwrap();
    let c = store.codings(&all, id).await.unwrap().into_iter().find(|c| c.category == "meeting_quality").unwrap();
    assert_eq!((c.passage, c.excerpt.as_str()), (-1, "支部书记说，三会一课有时候是补记录。"));
    // The search index follows the notes.
    assert!(!search(&store, &all, "补记录", 50).await.unwrap().iter().any(|h| h.kind == "interview" && h.id == id));
    // And the coded passage is still listed under its category.
    let cat = interviews::category(&store, &all, "meeting_quality").await.unwrap();
    assert!(cat.passages.iter().any(|p| p.interview_id == id && p.quote));
}
both!(bad_input_writes_nothing_and_codes_survive_edits);

async fn documents_point_at_rules(db: Db) {
    let Some(store) = county(db).await else { return };
    let keys: Vec<String> = domain::rules::entries(domain::rules::DEFAULT_RULES).into_iter().map(|e| e.key).collect();
    let docs = store.documents().await.unwrap();
    let linked: usize = docs.iter().flat_map(|d| &d.requirements).filter(|(_, k)| k.is_some()).count();
    assert_eq!(linked, keys.len(), "every cited rule is a requirement of a document");
    for d in &docs {
        for (_, k) in &d.requirements {
            assert!(keys.contains(k.as_ref().unwrap()));
        }
    }
    let dues = docs.iter().find(|d| d.title.contains("党费")).unwrap();
    assert_eq!(dues.doc_number, "中组发〔2008〕3号");
    // A requirement pointing at a rule that does not exist is refused.
    let f = domain::research::DocumentForm {
        title: "测试".into(),
        issuer: "测试".into(),
        doc_number: "2008年3号".into(),
        requirements: vec![domain::research::RequirementForm { text: "每月一次".into(), rule_key: "meetings.nothing".into() }],
        ..Default::default()
    };
    let e = qualitative::library::create_document(&store, &f, Vec::new(), domain::rules::DEFAULT_RULES, None, testkit::as_of()).await.unwrap_err();
    let msg = e.to_string();
    assert!(msg.contains("文号“2008年3号”格式不对") && msg.contains("规则“meetings.nothing”不在规则文件中"), "{msg}");
    assert_eq!(store.documents().await.unwrap().len(), docs.len());
}
both!(documents_point_at_rules);
