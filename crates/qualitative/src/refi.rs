//! REFI-QDA exchange (质性分析软件交换格式): the interviews, cases, code book and codings
//! as a QDA-XML project (`.qdpx`: `project.qde` plus the texts under `Sources/`) or the
//! code book alone (`.qdc`), for NVivo, ATLAS.ti, MAXQDA or QualCoder; and codings made
//! there read back onto interview passages.
//!
//! Invariants:
//! - GUIDs are derived from what they stand for (a category id, an interview id), so the
//!   same project exported twice is the same file and a project coming back finds its
//!   sources and codes again by GUID before falling back to names and texts.
//! - Positions are character (Unicode code point) offsets into the source's plain text,
//!   zero-based, end exclusive, as the standard counts them.
//! - Only accepted codes (the ones the report uses) are exported as codings.

use crate::ResearchError;
use domain::research::{passages, Codebook};
use domain::Labelled;
use std::collections::{BTreeMap, HashMap};
use std::io::{Read, Write};
use store::{Scope, Store};

pub const PROJECT_NS: &str = "urn:QDA-XML:project:1.0";
pub const CODEBOOK_NS: &str = "urn:QDA-XML:codebook:1.0";
/// The published schemas (MIT, REFI), shipped for validation (see refi-qda/LICENSE.md).
pub const PROJECT_XSD: &str = include_str!("../refi-qda/Project.xsd");
pub const CODEBOOK_XSD: &str = include_str!("../refi-qda/Codebook.xsd");

/// A GUID derived from a name: two FNV-1a hashes laid out as 8-4-4-4-12 hex digits.
pub fn guid(name: &str) -> String {
    let hash = |seed: u64| {
        let mut h = seed;
        for b in name.bytes() {
            h ^= b as u64;
            h = h.wrapping_mul(0x100_0000_01b3);
        }
        h
    };
    let (a, b) = (hash(0xcbf2_9ce4_8422_2325), hash(0x8422_2325_cbf2_9ce4));
    let hex = format!("{a:016x}{b:016x}");
    format!("{}-{}-{}-{}-{}", &hex[0..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..32])
}

fn esc(s: &str) -> String {
    domain::xml::text(s)
}

const KIND_COLOURS: [(&str, &str); 2] = [("achievement", "#2E7D32"), ("problem", "#C62828")];

/// The code book as `<Codes>`: one non-codable parent per kind (成效 / 问题), each category a
/// codable child carrying its id in its description.
fn codes_xml(book: &Codebook, out: &mut String) {
    out.push_str("<Codes>");
    for (kind, colour) in KIND_COLOURS {
        let label = if kind == "achievement" { "成效" } else { "问题" };
        out.push_str(&format!(r#"<Code guid="{}" name="{label}" isCodable="false" color="{colour}">"#, guid(&format!("kind:{kind}"))));
        for c in book.categories.iter().filter(|c| c.kind.code() == kind) {
            out.push_str(&format!(r#"<Code guid="{}" name="{}" isCodable="true" color="{colour}"><Description>{}（dangjian 编码：{}；报告位置：{}）</Description></Code>"#, category_guid(&c.id), esc(&c.name), esc(&c.description), esc(&c.id), esc(&c.section)));
        }
        out.push_str("</Code>");
    }
    out.push_str("</Codes>");
}

pub fn category_guid(id: &str) -> String {
    guid(&format!("category:{id}"))
}
fn interview_guid(id: i64) -> String {
    guid(&format!("interview:{id}"))
}
fn case_guid(id: i64) -> String {
    guid(&format!("case:{id}"))
}

/// The code book alone (`.qdc`).
pub fn codebook_qdc(book: &Codebook) -> String {
    let mut out = format!(r#"<?xml version="1.0" encoding="UTF-8"?><CodeBook xmlns="{CODEBOOK_NS}" origin="dangjian {}">"#, env!("CARGO_PKG_VERSION"));
    codes_xml(book, &mut out);
    out.push_str("</CodeBook>");
    out
}

/// Where each passage of interview notes lies, in characters: (start, end).
pub fn passage_spans(notes: &str) -> Vec<(usize, usize)> {
    passages(notes)
        .into_iter()
        .map(|p| {
            let byte = p.as_ptr() as usize - notes.as_ptr() as usize;
            let start = notes[..byte].chars().count();
            (start, start + p.chars().count())
        })
        .collect()
}

/// What an export holds.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Exported {
    pub interviews: usize,
    pub cases: usize,
    pub codes: usize,
    pub codings: usize,
}

/// Writes the project (`.qdpx`) of everything in scope.
pub async fn export_qdpx(store: &Store, scope: &Scope, book: &Codebook, out: &mut (impl Write + std::io::Seek)) -> Result<Exported, ResearchError> {
    let interviews = store.interviews(scope).await?;
    let cases = store.cases(scope).await?;
    let user = guid("user:dangjian");
    let mut stats = Exported { interviews: interviews.len(), cases: cases.len(), codes: book.categories.len(), codings: 0 };
    let mut xml = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><Project xmlns="{PROJECT_NS}" name="dangjian 调研资料" origin="dangjian {}" creatingUserGUID="{user}"><Users><User guid="{user}" name="dangjian"/></Users><CodeBook>"#,
        env!("CARGO_PKG_VERSION")
    );
    codes_xml(book, &mut xml);
    xml.push_str("</CodeBook>");
    // Variables: the unit's sector and the interview date, on every source.
    let (v_sector, v_date) = (guid("variable:sector"), guid("variable:date"));
    xml.push_str(&format!(r#"<Variables><Variable guid="{v_sector}" name="领域" typeOfVariable="Text"/><Variable guid="{v_date}" name="访谈日期" typeOfVariable="Date"/></Variables>"#));
    // Cases: the units visited, each with its interviews and case studies.
    let mut units: BTreeMap<i64, (String, String, Vec<String>)> = BTreeMap::new();
    for i in &interviews {
        units.entry(i.org_id).or_insert_with(|| (i.org_name.clone(), i.sector.label().to_string(), vec![])).2.push(interview_guid(i.id));
    }
    for c in &cases {
        units.entry(c.org_id).or_insert_with(|| (c.org_name.clone(), c.sector.label().to_string(), vec![])).2.push(case_guid(c.id));
    }
    if !units.is_empty() {
        xml.push_str("<Cases>");
        for (org, (name, sector, sources)) in &units {
            xml.push_str(&format!(r#"<Case guid="{}" name="{}"><VariableValue><VariableRef targetGUID="{v_sector}"/><TextValue>{}</TextValue></VariableValue>"#, guid(&format!("org:{org}")), esc(name), esc(sector)));
            for s in sources {
                xml.push_str(&format!(r#"<SourceRef targetGUID="{s}"/>"#));
            }
            xml.push_str("</Case>");
        }
        xml.push_str("</Cases>");
    }
    let mut files: Vec<(String, String)> = Vec::new();
    let mut sources = String::new();
    for i in &interviews {
        let g = interview_guid(i.id);
        let spans = passage_spans(&i.notes);
        let texts = passages(&i.notes);
        sources.push_str(&format!(r#"<TextSource guid="{g}" name="{}" plainTextPath="internal://{g}.txt" creatingUser="{user}">"#, esc(&format!("访谈：{} {}", i.org_name, i.held_on))));
        sources.push_str(&format!("<Description>{}</Description>", esc(&format!("地点：{}；访谈人：{}", i.place, i.interviewers))));
        for c in store.codings(scope, i.id).await?.into_iter().filter(|c| c.status == "accepted") {
            let Some(&(start, end)) = spans.get(c.passage as usize) else { continue };
            if book.category(&c.category).is_none() {
                continue;
            }
            let name: String = texts[c.passage as usize].chars().take(24).collect();
            sources.push_str(&format!(
                r#"<PlainTextSelection guid="{}" name="{}" startPosition="{start}" endPosition="{end}" creatingUser="{user}" creationDateTime="{}"><Coding guid="{}" creatingUser="{user}"><CodeRef targetGUID="{}"/></Coding></PlainTextSelection>"#,
                guid(&format!("selection:{}", c.id)),
                esc(&name),
                esc(&c.created_at),
                guid(&format!("coding:{}", c.id)),
                category_guid(&c.category)
            ));
            stats.codings += 1;
        }
        sources.push_str(&format!(r#"<VariableValue><VariableRef targetGUID="{v_sector}"/><TextValue>{}</TextValue></VariableValue><VariableValue><VariableRef targetGUID="{v_date}"/><DateValue>{}</DateValue></VariableValue>"#, esc(i.sector.label()), i.held_on));
        sources.push_str("</TextSource>");
        files.push((format!("Sources/{g}.txt"), i.notes.clone()));
    }
    for c in &cases {
        let g = case_guid(c.id);
        let text = format!("{}\n\n背景：{}\n\n做法：{}\n\n成效：{}\n\n启示：{}\n", c.title, c.background, c.actions, c.result, c.lessons);
        sources.push_str(&format!(r#"<TextSource guid="{g}" name="{}" plainTextPath="internal://{g}.txt" creatingUser="{user}">"#, esc(&format!("案例：{}", c.title))));
        // A case study is coded as a whole (its categories), not passage by passage.
        for cat in c.categories.iter().filter(|cat| book.category(cat).is_some()) {
            sources.push_str(&format!(r#"<Coding guid="{}" creatingUser="{user}"><CodeRef targetGUID="{}"/></Coding>"#, guid(&format!("case-coding:{}:{cat}", c.id)), category_guid(cat)));
        }
        sources.push_str(&format!(r#"<VariableValue><VariableRef targetGUID="{v_sector}"/><TextValue>{}</TextValue></VariableValue>"#, esc(c.sector.label())));
        sources.push_str("</TextSource>");
        files.push((format!("Sources/{g}.txt"), text));
    }
    if !sources.is_empty() {
        xml.push_str("<Sources>");
        xml.push_str(&sources);
        xml.push_str("</Sources>");
    }
    xml.push_str("</Project>");
    let mut zip = zip::ZipWriter::new(out);
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let fail = |_: zip::result::ZipError| ResearchError::Io("写出 .qdpx 失败：请检查磁盘空间和输出位置是否可写".into());
    zip.start_file("project.qde", opts).map_err(fail)?;
    zip.write_all(xml.as_bytes()).map_err(|_| ResearchError::Io("写出 .qdpx 失败：请检查磁盘空间和输出位置是否可写".into()))?;
    for (name, text) in files {
        zip.start_file(name, opts).map_err(fail)?;
        zip.write_all(text.as_bytes()).map_err(|_| ResearchError::Io("写出 .qdpx 失败：请检查磁盘空间和输出位置是否可写".into()))?;
    }
    zip.finish().map_err(fail)?;
    Ok(stats)
}

/// A coding the import could not place, and why.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Unplaced {
    pub source: String,
    pub code: String,
    pub start: Option<i64>,
    pub end: Option<i64>,
    pub reason: String,
}

/// What an import did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Imported {
    /// Codings written as accepted codes.
    pub placed: usize,
    /// Codings dangjian already held (same passage, same category).
    pub present: usize,
    pub unplaced: Vec<Unplaced>,
    /// Codes of the file's code book that match no category (not added: the code book
    /// is the catalogue file, changed deliberately).
    pub unknown_codes: Vec<String>,
    pub sources_matched: usize,
    pub sources_unmatched: Vec<String>,
}

/// One text source of the file with its selections.
struct FileSource {
    guid: String,
    name: String,
    text: Option<String>,
    /// (start, end, code guid)
    selections: Vec<(Option<i64>, Option<i64>, String)>,
}

fn norm_guid(g: &str) -> String {
    g.trim().trim_start_matches('{').trim_end_matches('}').to_ascii_lowercase()
}

fn same_text(a: &str, b: &str) -> bool {
    let squash = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    squash(a) == squash(b)
}

/// Reads a `.qdpx` (or a bare `project.qde`) and places its codings on interview
/// passages: sources by GUID, else by identical text, else by name; codes by GUID, else
/// by name or dangjian id; a selection goes to the passage it overlaps most, if that
/// covers at least half of it. Everything not placed is reported with the reason.
pub async fn import_qdpx(store: &Store, scope: &Scope, book: &Codebook, bytes: &[u8], user: Option<i64>) -> Result<Imported, ResearchError> {
    let bad = |m: String| ResearchError::Invalid(domain::ValidationError::one("file", m));
    let (xml, mut files) = if bytes.starts_with(b"PK") {
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|_| bad("不是有效的 .qdpx 文件（ZIP 压缩包无法打开）：请确认是 NVivo、ATLAS.ti、MAXQDA 或 QualCoder 导出的 REFI-QDA 项目，且下载完整".into()))?;
        let mut xml = None;
        let mut files = HashMap::new();
        for i in 0..zip.len() {
            let mut f = zip.by_index(i).map_err(|_| bad(format!(".qdpx 中的第{}个文件无法读取（压缩包损坏或加密）：请重新导出", i + 1)))?;
            let name = f.name().map(|n| n.to_string()).unwrap_or_default();
            if f.size() > 64 << 20 {
                return Err(bad(format!(".qdpx 中的 {name} 超过64 MB")));
            }
            let mut s = String::new();
            if name.ends_with(".qde") || name.to_ascii_lowercase().ends_with(".txt") {
                f.read_to_string(&mut s).map_err(|_| bad(format!(".qdpx 中的 {name} 不是 UTF-8 文本")))?;
            }
            if name.ends_with(".qde") {
                xml = Some(s);
            } else if let Some(base) = name.rsplit('/').next() {
                files.insert(base.to_string(), s);
            }
        }
        (xml.ok_or_else(|| bad(".qdpx 中没有 project.qde".into()))?, files)
    } else {
        (String::from_utf8(bytes.to_vec()).map_err(|_| bad("文件不是 UTF-8 编码的 XML".into()))?, HashMap::new())
    };
    let doc = roxmltree::Document::parse(&xml).map_err(|e| {
        let at = e.pos();
        bad(format!("project.qde 不是有效的 XML（第{}行第{}列附近出错）：请重新导出，不要手工修改", at.row, at.col))
    })?;
    let root = doc.root_element();
    if root.tag_name().name() != "Project" || root.tag_name().namespace() != Some(PROJECT_NS) {
        return Err(bad(format!("project.qde 的根元素应是命名空间 {PROJECT_NS} 中的 Project")));
    }
    // Codes: GUID → category id (or None with its name).
    let mut codes: HashMap<String, Result<String, String>> = HashMap::new();
    for c in root.descendants().filter(|n| n.has_tag_name((PROJECT_NS, "Code"))) {
        let g = norm_guid(c.attribute("guid").unwrap_or(""));
        let name = c.attribute("name").unwrap_or("").trim().to_string();
        let desc = c.children().find(|n| n.has_tag_name((PROJECT_NS, "Description"))).and_then(|d| d.text()).unwrap_or("");
        let cat = book
            .categories
            .iter()
            .find(|cat| norm_guid(&category_guid(&cat.id)) == g)
            .or_else(|| book.categories.iter().find(|cat| cat.name == name || cat.id == name))
            .or_else(|| book.categories.iter().find(|cat| desc.contains(&format!("dangjian 编码：{}；", cat.id))));
        codes.insert(g, cat.map(|c| c.id.clone()).ok_or(name));
    }
    let mut sources = Vec::new();
    for s in root.descendants().filter(|n| n.has_tag_name((PROJECT_NS, "TextSource"))) {
        let inline = s.children().find(|n| n.has_tag_name((PROJECT_NS, "PlainTextContent"))).and_then(|n| n.text()).map(str::to_string);
        let path = s.attribute("plainTextPath").map(|p| p.trim_start_matches("internal://").rsplit('/').next().unwrap_or("").to_string());
        let text = inline.or_else(|| path.and_then(|p| files.remove(&p)));
        let selections = s
            .children()
            .filter(|n| n.has_tag_name((PROJECT_NS, "PlainTextSelection")))
            .flat_map(|sel| {
                let start = sel.attribute("startPosition").and_then(|v| v.parse().ok());
                let end = sel.attribute("endPosition").and_then(|v| v.parse().ok());
                sel.children()
                    .filter(|n| n.has_tag_name((PROJECT_NS, "Coding")))
                    .filter_map(|c| c.children().find(|n| n.has_tag_name((PROJECT_NS, "CodeRef"))).and_then(|r| r.attribute("targetGUID")).map(norm_guid))
                    .map(move |code| (start, end, code))
                    .collect::<Vec<_>>()
            })
            .collect();
        sources.push(FileSource { guid: norm_guid(s.attribute("guid").unwrap_or("")), name: s.attribute("name").unwrap_or("").to_string(), text, selections });
    }
    let interviews = store.interviews(scope).await?;
    let mut out = Imported::default();
    let mut unknown: Vec<String> = codes.values().filter_map(|c| c.as_ref().err().cloned()).filter(|n| !n.is_empty() && n != "成效" && n != "问题").collect();
    unknown.sort();
    unknown.dedup();
    out.unknown_codes = unknown;
    // Everything is checked first; the codes are then written.
    let mut writes: Vec<(i64, i64, String, String)> = Vec::new();
    for s in &sources {
        if s.selections.is_empty() {
            continue;
        }
        let found = interviews
            .iter()
            .find(|i| norm_guid(&interview_guid(i.id)) == s.guid)
            .or_else(|| s.text.as_deref().and_then(|t| interviews.iter().find(|i| same_text(&i.notes, t))))
            .or_else(|| interviews.iter().find(|i| format!("访谈：{} {}", i.org_name, i.held_on) == s.name));
        let Some(interview) = found else {
            out.sources_unmatched.push(s.name.clone());
            for (start, end, code) in &s.selections {
                out.unplaced.push(Unplaced { source: s.name.clone(), code: code_name(&codes, code), start: *start, end: *end, reason: "找不到对应的访谈记录（文本与本系统的访谈记录都不相同）".into() });
            }
            continue;
        };
        out.sources_matched += 1;
        // Offsets count in the file's own text when it has one; it must be the same text.
        if let Some(t) = &s.text {
            if !same_text(t, &interview.notes) {
                for (start, end, code) in &s.selections {
                    out.unplaced.push(Unplaced { source: s.name.clone(), code: code_name(&codes, code), start: *start, end: *end, reason: "文件中的文本与本系统的访谈记录不同（记录已修改），位置无法对应".into() });
                }
                continue;
            }
        }
        let spans = passage_spans(&interview.notes);
        let texts = passages(&interview.notes);
        let existing: Vec<(i64, String)> = store.codings(scope, interview.id).await?.into_iter().filter(|c| c.status == "accepted").map(|c| (c.passage, c.category)).collect();
        for (start, end, code) in &s.selections {
            let unplaced = |reason: String| Unplaced { source: s.name.clone(), code: code_name(&codes, code), start: *start, end: *end, reason };
            let category = match codes.get(code) {
                Some(Ok(c)) => c.clone(),
                Some(Err(name)) => {
                    out.unplaced.push(unplaced(format!("编码“{name}”不在本系统的编码本中")));
                    continue;
                }
                None => {
                    out.unplaced.push(unplaced("编码引用的 GUID 在编码本中不存在".into()));
                    continue;
                }
            };
            let (Some(a), Some(b)) = (*start, *end) else {
                out.unplaced.push(unplaced("选区缺少起止位置".into()));
                continue;
            };
            let total = interview.notes.chars().count() as i64;
            if a < 0 || b <= a || b > total {
                out.unplaced.push(unplaced(format!("位置 {a}–{b} 超出访谈记录（共{total}字）")));
                continue;
            }
            let best = spans.iter().enumerate().map(|(k, &(s0, e0))| (k, (b.min(e0 as i64) - a.max(s0 as i64)).max(0))).max_by_key(|(_, overlap)| *overlap);
            match best {
                Some((k, overlap)) if overlap * 2 >= b - a => {
                    if existing.iter().any(|(p, c)| *p == k as i64 && *c == category) || writes.iter().any(|w| w.0 == interview.id && w.1 == k as i64 && w.2 == category) {
                        out.present += 1;
                    } else {
                        writes.push((interview.id, k as i64, category, texts[k].to_string()));
                    }
                }
                _ => out.unplaced.push(unplaced(format!("位置 {a}–{b} 跨越多个段落，没有一段占到一半以上"))),
            }
        }
    }
    for (interview_id, passage, category, excerpt) in &writes {
        let excerpt: String = excerpt.chars().take(500).collect();
        store.insert_coding(scope, &store::NewCoding { interview_id: *interview_id, passage: *passage, excerpt: &excerpt, category, quote: false, status: "accepted", origin: "imported" }, user).await?;
    }
    out.placed = writes.len();
    Ok(out)
}

fn code_name(codes: &HashMap<String, Result<String, String>>, g: &str) -> String {
    match codes.get(g) {
        Some(Ok(id)) => id.clone(),
        Some(Err(name)) => name.clone(),
        None => g.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guids_are_stable_and_well_formed() {
        let g = guid("category:meetings");
        assert_eq!(g, guid("category:meetings"));
        assert_ne!(g, guid("category:funding"));
        let parts: Vec<usize> = g.split('-').map(str::len).collect();
        assert_eq!(parts, [8, 4, 4, 4, 12]);
    }

    #[test]
    fn spans_count_characters() {
        let notes = "第一段，党支部。\n\n第二段：经费不足。\n";
        let spans = passage_spans(notes);
        assert_eq!(spans, [(0, 8), (10, 19)]);
        let chars: Vec<char> = notes.chars().collect();
        assert_eq!(chars[10..19].iter().collect::<String>(), "第二段：经费不足。");
    }

    #[test]
    fn escapes() {
        assert_eq!(esc("a<b>&\"c\u{1}"), "a&lt;b&gt;&amp;&quot;c");
    }
}
