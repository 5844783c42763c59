//! REFI-QDA exchange on SQLite and PostgreSQL: the project and the code book validate
//! against the published schemas (lxml), every accepted code leaves as a coded selection,
//! a project coming back restores removed codes at their passages, and a project written
//! the way another tool writes it (inline text, braced upper-case GUIDs, its own code
//! GUIDs) is placed by character offset, with what cannot be placed reported.

use domain::research::Codebook;
use qualitative::refi::{self, passage_spans};
use std::collections::BTreeSet;
use store::{Scope, Store};
use testkit::{both, Db};

fn validate(xml: &str, xsd: &str) {
    let Some(py) = testkit::python(&["lxml"]) else { return };
    let dir = std::env::temp_dir().join(testkit::unique("dj_refi"));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("doc.xml"), xml).unwrap();
    std::fs::write(dir.join("schema.xsd"), xsd).unwrap();
    let script = "import sys\nfrom lxml import etree\ns = etree.XMLSchema(etree.parse(sys.argv[1]))\nd = etree.parse(sys.argv[2])\nif not s.validate(d):\n    print(s.error_log)\n    sys.exit(1)\n";
    let out = std::process::Command::new(py).args(["-c", script]).arg(dir.join("schema.xsd")).arg(dir.join("doc.xml")).output().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(out.status.success(), "does not validate against the REFI-QDA schema: {}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
}

async fn accepted(store: &Store, scope: &Scope) -> BTreeSet<(i64, i64, String)> {
    store.coded_passages(scope, None).await.unwrap().into_iter().map(|c| (c.coding.interview_id, c.coding.passage, c.coding.category)).collect()
}

fn unzip(bytes: &[u8]) -> std::collections::HashMap<String, String> {
    use std::io::Read;
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    (0..z.len())
        .map(|i| {
            let mut f = z.by_index(i).unwrap();
            let mut s = String::new();
            f.read_to_string(&mut s).unwrap();
            (f.name().unwrap().to_string(), s)
        })
        .collect()
}

async fn projects_out_and_back(db: Db) {
    let Some(store) = testkit::generated(db, 23).await else { return };
    let rules = domain::rules::Rules::default_rules();
    generator::research::fieldwork(&store, &rules, domain::rules::DEFAULT_RULES, 23, testkit::as_of()).await.unwrap();
    let all = Scope::jurisdiction();
    let book = Codebook::builtin();
    let before = accepted(&store, &all).await;
    assert!(before.len() > 20, "the generator codes interviews: {}", before.len());

    // Out: a valid project holding every accepted code as a coded selection.
    let mut buf = std::io::Cursor::new(Vec::new());
    let stats = refi::export_qdpx(&store, &all, book, &mut buf).await.unwrap();
    let bytes = buf.into_inner();
    assert_eq!(stats.codings, before.len());
    let files = unzip(&bytes);
    let qde = &files["project.qde"];
    assert!(qde.contains(r#"xmlns="urn:QDA-XML:project:1.0""#));
    validate(qde, refi::PROJECT_XSD);
    validate(&refi::codebook_qdc(book), refi::CODEBOOK_XSD);
    assert_eq!(files.keys().filter(|k| k.starts_with("Sources/") && k.ends_with(".txt")).count(), stats.interviews + stats.cases);
    assert_eq!(qde.matches("<PlainTextSelection ").count(), before.len());
    // A selection's offsets cut exactly its passage out of the source text.
    let interviews = store.interviews(&all).await.unwrap();
    let first = interviews.iter().find(|i| before.iter().any(|b| b.0 == i.id)).unwrap();
    let coded = before.iter().find(|b| b.0 == first.id).unwrap();
    let (s, e) = passage_spans(&first.notes)[coded.1 as usize];
    assert!(qde.contains(&format!(r#"startPosition="{s}" endPosition="{e}""#)), "offsets in characters");
    let text: String = first.notes.chars().skip(s).take(e - s).collect();
    assert_eq!(text, domain::research::passages(&first.notes)[coded.1 as usize]);
    // The same data exports to the same file (GUIDs follow what they stand for).
    let mut again = std::io::Cursor::new(Vec::new());
    refi::export_qdpx(&store, &all, book, &mut again).await.unwrap();
    assert_eq!(unzip(&again.into_inner())["project.qde"], *qde);

    // Back: codes removed here come back from the project at their passages.
    let mut removed = 0;
    for i in interviews.iter().take(6) {
        for c in store.codings(&all, i.id).await.unwrap().into_iter().filter(|c| c.status == "accepted") {
            store.update_coding(&all, i.id, c.id, Some("removed"), None).await.unwrap();
            removed += 1;
        }
    }
    assert!(removed > 0);
    assert_eq!(accepted(&store, &all).await.len(), before.len() - removed);
    let r = refi::import_qdpx(&store, &all, book, &bytes, None).await.unwrap();
    assert!(r.unplaced.is_empty() && r.unknown_codes.is_empty(), "{r:?}");
    assert_eq!((r.placed, r.present), (removed, before.len() - removed));
    assert_eq!(accepted(&store, &all).await, before, "the round trip restores exactly the codes");

    // A project another tool wrote: inline text, its own GUIDs, a code of its own.
    let notes = &first.notes;
    let spans = passage_spans(notes);
    let k = spans.len() - 1;
    let (s, e) = spans[k];
    let cat = book.categories.iter().find(|c| !before.contains(&(first.id, k as i64, c.id.clone()))).unwrap();
    let total = notes.chars().count();
    let esc = |t: &str| t.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    let other = format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="访谈编码" origin="QualCoder 3.5">
  <CodeBook><Codes>
    <Code guid="{{0A1B2C3D-0000-4000-8000-00000000000A}}" name="{}" isCodable="true"/>
    <Code guid="{{0A1B2C3D-0000-4000-8000-00000000000B}}" name="干部作风" isCodable="true"/>
  </Codes></CodeBook>
  <Sources>
    <TextSource guid="{{11111111-2222-4333-8444-555555555555}}" name="访谈记录1.txt">
      <PlainTextContent>{}</PlainTextContent>
      <PlainTextSelection guid="{{11111111-2222-4333-8444-000000000001}}" startPosition="{}" endPosition="{}">
        <Coding guid="{{11111111-2222-4333-8444-000000000101}}"><CodeRef targetGUID="{{0A1B2C3D-0000-4000-8000-00000000000A}}"/></Coding>
      </PlainTextSelection>
      <PlainTextSelection guid="{{11111111-2222-4333-8444-000000000002}}" startPosition="{s}" endPosition="{e}">
        <Coding guid="{{11111111-2222-4333-8444-000000000102}}"><CodeRef targetGUID="{{0A1B2C3D-0000-4000-8000-00000000000B}}"/></Coding>
      </PlainTextSelection>
      <PlainTextSelection guid="{{11111111-2222-4333-8444-000000000003}}" startPosition="{}" endPosition="{}">
        <Coding guid="{{11111111-2222-4333-8444-000000000103}}"><CodeRef targetGUID="{{0A1B2C3D-0000-4000-8000-00000000000A}}"/></Coding>
      </PlainTextSelection>
    </TextSource>
    <TextSource guid="{{99999999-2222-4333-8444-555555555555}}" name="别处的访谈.txt">
      <PlainTextContent>这是一段本系统没有的访谈记录。</PlainTextContent>
      <PlainTextSelection guid="{{99999999-2222-4333-8444-000000000001}}" startPosition="0" endPosition="5">
        <Coding guid="{{99999999-2222-4333-8444-000000000101}}"><CodeRef targetGUID="{{0A1B2C3D-0000-4000-8000-00000000000A}}"/></Coding>
      </PlainTextSelection>
    </TextSource>
  </Sources>
</Project>"#,
        esc(&cat.name),
        esc(notes),
        s + 1,
        e - 1,
        total.saturating_sub(3),
        total + 40,
    );
    validate(&other, refi::PROJECT_XSD);
    let r = refi::import_qdpx(&store, &all, book, other.as_bytes(), None).await.unwrap();
    assert_eq!(r.placed, 1, "{r:?}");
    assert!(accepted(&store, &all).await.contains(&(first.id, k as i64, cat.id.clone())));
    assert_eq!(r.unknown_codes, ["干部作风"]);
    assert_eq!(r.sources_unmatched, ["别处的访谈.txt"]);
    let reasons: Vec<&str> = r.unplaced.iter().map(|u| u.reason.as_str()).collect();
    assert_eq!(r.unplaced.len(), 3, "{reasons:?}");
    assert!(reasons.iter().any(|m| m.contains("不在本系统的编码本中")));
    assert!(reasons.iter().any(|m| m.contains("超出访谈记录")));
    assert!(reasons.iter().any(|m| m.contains("找不到对应的访谈记录")));

    // Not a project at all.
    let e = refi::import_qdpx(&store, &all, book, b"PK\x03\x04garbage", None).await.unwrap_err().to_string();
    assert!(e.contains(".qdpx") && !e.is_ascii() && !e.contains("Invalid"), "{e}");
    let e = refi::import_qdpx(&store, &all, book, b"<Project", None).await.unwrap_err().to_string();
    assert!(e.contains("不是有效的 XML（第1行") && e.contains("请重新导出"), "{e}");
}
both!(projects_out_and_back);
