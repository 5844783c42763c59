//! Interviews (实地访谈): saving with attachments, coding passages, suggested codes,
//! keywords, the coded passages of a category across interviews, and the method
//! sentence of the report.

use crate::lexicon::{Lexicon, Suggestion};
use crate::{check_uploads, index, merge, ResearchError, Upload};
use domain::research::{passages, Codebook, InterviewForm};
use domain::{Date, Labelled, ValidationError};
use segment::Keyword;
use serde::Serialize;
use store::{CodedPassage, CodingRow, InterviewCounts, InterviewRow, NewCoding, Scope, Store};

/// Saves a new interview with its files; all or nothing, every error at once.
pub async fn create(store: &Store, scope: &Scope, form: &InterviewForm, files: Vec<Upload>, user: Option<i64>, today: Date) -> Result<i64, ResearchError> {
    let (input, files) = merge(form.validate(today), check_uploads(files))?;
    let unit = store.org(scope, input.org_id).await.map_err(|_| ValidationError::one("org_id", "访谈单位不存在或不在您的权限范围内"))?;
    let idx = index::interview(&input, &unit.name);
    Ok(store.insert_interview(scope, &input, &files, &idx, user).await?)
}

/// Saves an edited interview. Codes follow their passage into the new notes; a code
/// whose passage is gone keeps its excerpt (shown as 原文已修改).
pub async fn update(store: &Store, scope: &Scope, id: i64, form: &InterviewForm, today: Date) -> Result<(), ResearchError> {
    let input = form.validate(today)?;
    let unit = store.org(scope, input.org_id).await.map_err(|_| ValidationError::one("org_id", "访谈单位不存在或不在您的权限范围内"))?;
    let new: Vec<String> = passages(&input.notes).iter().map(|p| segment::normalise(p).0).collect();
    let mut anchors = Vec::new();
    for c in store.codings(scope, id).await? {
        let ex = segment::normalise(&c.excerpt).0;
        let same = usize::try_from(c.passage).ok().filter(|&p| new.get(p).is_some_and(|t| t.contains(&ex)));
        let to = same.or_else(|| new.iter().position(|t| t.contains(&ex))).map_or(-1, |p| p as i64);
        if to != c.passage {
            anchors.push((c.id, to));
        }
    }
    let idx = index::interview(&input, &unit.name);
    Ok(store.update_interview(scope, id, &input, &idx, &anchors).await?)
}

/// The form of a stored interview, for editing.
pub fn form_of(i: &InterviewRow) -> InterviewForm {
    InterviewForm {
        org_id: i.org_id.to_string(),
        held_on: i.held_on.to_string(),
        place: i.place.clone(),
        interviewers: i.interviewers.clone(),
        interviewees: i.people.iter().map(|(r, n, p)| domain::research::IntervieweeForm { role: r.code().into(), name: n.clone(), position: p.clone() }).collect(),
        notes: i.notes.clone(),
    }
}

/// A code given by a researcher (or a suggestion accepted or rejected).
pub struct Code<'a> {
    pub passage: usize,
    pub category: &'a str,
    /// Part of the passage; empty: the whole passage.
    pub excerpt: &'a str,
    pub quote: bool,
    pub accepted: bool,
    pub suggested: bool,
}

pub async fn code(store: &Store, scope: &Scope, interview_id: i64, c: &Code<'_>, user: Option<i64>) -> Result<i64, ResearchError> {
    let i = store.interview(scope, interview_id).await?;
    let ps = passages(&i.notes);
    let Some(p) = ps.get(c.passage) else {
        return Err(ValidationError::one("passage", format!("第{}段不存在（记录共{}段），请刷新页面后重试", c.passage + 1, ps.len())).into());
    };
    if Codebook::builtin().category(c.category).is_none() {
        return Err(ValidationError::one("category", format!("编码类别“{}”不在编码本中", c.category)).into());
    }
    let excerpt = if c.excerpt.trim().is_empty() { p.to_string() } else { c.excerpt.trim().to_string() };
    if !segment::normalise(p).0.contains(&segment::normalise(&excerpt).0) {
        return Err(ValidationError::one("excerpt", "摘录的文字不在这一段中，请从该段复制原文").into());
    }
    let status = if c.accepted { "accepted" } else { "rejected" };
    let origin = if c.suggested { "suggested" } else { "manual" };
    Ok(store
        .insert_coding(scope, &NewCoding { interview_id, passage: c.passage as i64, excerpt: &excerpt, category: c.category, quote: c.quote, status, origin }, user)
        .await?)
}

/// One passage of an interview as the coding page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct PassageView {
    pub index: usize,
    pub text: String,
    /// Accepted codes on this passage.
    pub codes: Vec<CodingView>,
    /// Categories the lexicon proposes that were neither given nor turned down here.
    pub suggestions: Vec<Suggestion>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CodingView {
    pub id: i64,
    pub category: String,
    pub category_name: String,
    pub excerpt: String,
    pub quote: bool,
    pub origin: String,
}

fn coding_view(c: &CodingRow) -> CodingView {
    CodingView { id: c.id, category: c.category.clone(), category_name: Codebook::builtin().name(&c.category).to_string(), excerpt: c.excerpt.clone(), quote: c.quote, origin: c.origin.clone() }
}

#[derive(Debug, Clone, Serialize)]
pub struct InterviewView {
    pub passages: Vec<PassageView>,
    /// Codes whose passage is no longer in the notes (excerpt kept).
    pub detached: Vec<CodingView>,
    pub tfidf: Vec<Keyword>,
    pub textrank: Vec<Keyword>,
}

pub async fn lexicon(store: &Store) -> Result<Lexicon, ResearchError> {
    Ok(Lexicon::new(Codebook::builtin(), &store.lexicon_changes().await?))
}

pub async fn view(store: &Store, scope: &Scope, i: &InterviewRow) -> Result<InterviewView, ResearchError> {
    let codings = store.codings(scope, i.id).await?;
    let lex = lexicon(store).await?;
    let mut out = Vec::new();
    for (n, p) in passages(&i.notes).into_iter().enumerate() {
        let here: Vec<&CodingRow> = codings.iter().filter(|c| c.passage == n as i64).collect();
        let decided = |cat: &str| here.iter().any(|c| c.category == cat && c.status != "removed");
        let suggestions = lex.suggest(p).into_iter().filter(|s| !decided(&s.category)).collect();
        let codes = here.iter().filter(|c| c.status == "accepted").map(|c| coding_view(c)).collect();
        out.push(PassageView { index: n, text: p.to_string(), codes, suggestions });
    }
    let detached = codings.iter().filter(|c| c.passage < 0 && c.status == "accepted").map(coding_view).collect();
    Ok(InterviewView { passages: out, detached, tfidf: segment::tfidf(&i.notes, 12), textrank: segment::textrank(&i.notes, 12) })
}

/// A category across every interview in scope: its passages and their keywords.
#[derive(Debug, Clone, Serialize)]
pub struct CategoryView {
    pub id: String,
    pub name: String,
    pub section: String,
    pub passages: Vec<CodedPassageView>,
    /// Keywords of the category's passages together: TF-IDF and TextRank.
    pub tfidf: Vec<Keyword>,
    pub textrank: Vec<Keyword>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CodedPassageView {
    pub interview_id: i64,
    pub unit: String,
    pub unit_type: String,
    pub held_on: String,
    pub excerpt: String,
    pub quote: bool,
}

pub async fn category(store: &Store, scope: &Scope, id: &str) -> Result<CategoryView, ResearchError> {
    let cat = Codebook::builtin().category(id).ok_or(ResearchError::Store(store::StoreError::NotFound { what: "编码类别" }))?;
    let rows: Vec<CodedPassage> = store.coded_passages(scope, Some(id)).await?;
    let all: String = rows.iter().map(|r| r.coding.excerpt.as_str()).collect::<Vec<_>>().join("\n");
    Ok(CategoryView {
        id: cat.id.clone(),
        name: cat.name.clone(),
        section: cat.section.clone(),
        passages: rows
            .iter()
            .map(|r| CodedPassageView { interview_id: r.coding.interview_id, unit: r.org_name.clone(), unit_type: r.sector.label().into(), held_on: r.held_on.to_string(), excerpt: r.coding.excerpt.clone(), quote: r.coding.quote })
            .collect(),
        tfidf: segment::tfidf(&all, 10),
        textrank: segment::textrank(&all, 10),
    })
}

/// The report's sentence on the interviews, e.g. 选取了12个具有代表性的基层单位（行政村5个、
/// 社区3个…），与党组织负责人12人、…进行面对面访谈，共访谈20次.
pub fn method_sentence(c: &InterviewCounts) -> String {
    if c.interviews == 0 {
        return "本次调研尚未录入实地访谈记录。".into();
    }
    let units: Vec<String> = c.units_by_sector.iter().map(|(s, n)| format!("{}{n}个", s.label())).collect();
    let people: Vec<String> = c.people_by_role.iter().map(|(r, n)| format!("{}{n}人", r.label())).collect();
    format!("选取了{}个具有代表性的基层单位（{}），与{}进行面对面访谈，共访谈{}次、{}人。", c.units, units.join("、"), people.join("、"), c.interviews, c.people)
}
