//! Exports: every import kind written back in its own columns (so an export is a valid
//! import file and a round trip is exact), XLSX or CSV with BOM, streamed.

use crate::columns::Kind;
use crate::write::{Head, Out, TableWriter};
use crate::SheetError;
use domain::Labelled;
use std::path::Path;
use store::{Scope, Store};

fn heads(kind: Kind) -> Vec<Head> {
    kind.columns().iter().map(|c| Head::new(c.label, c.width)).collect()
}

fn yes_no(b: bool) -> Out {
    Out::Text(if b { "是" } else { "否" }.into())
}

/// One roster line (党员花名册) in the member columns' order.
pub struct MemberLine<'a> {
    pub name: &'a str,
    pub sex: domain::member::Sex,
    pub ethnicity: &'a str,
    pub birth_date: domain::Date,
    pub citizen_id: &'a str,
    pub education: domain::member::Education,
    pub occupation: domain::member::Occupation,
    pub joined_on: domain::Date,
    pub full_on: Option<domain::Date>,
    pub status: domain::member::MemberStatus,
    pub org_name: &'a str,
    pub org_code: &'a str,
    pub group_name: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub is_mobile: bool,
    pub archive_location: Option<&'a str>,
    pub materials: &'a [domain::member::ArchiveMaterial],
}

pub fn member_cells(m: &MemberLine<'_>) -> Vec<Out> {
    let materials: Vec<&str> = m.materials.iter().map(|a| a.label()).collect();
    let opt = |s: Option<&str>| s.map(|x| Out::Text(x.to_string())).unwrap_or(Out::Empty);
    vec![
        m.name.into(),
        m.sex.label().into(),
        m.ethnicity.into(),
        m.birth_date.into(),
        m.citizen_id.into(),
        m.education.label().into(),
        m.occupation.label().into(),
        m.joined_on.into(),
        m.full_on.into(),
        m.status.label().into(),
        m.org_name.into(),
        m.org_code.into(),
        opt(m.group_name),
        opt(m.phone),
        yes_no(m.is_mobile),
        opt(m.archive_location),
        if materials.is_empty() { Out::Empty } else { materials.join("、").into() },
    ]
}

/// A writer for `kind`'s columns (.xlsx or .csv by extension).
pub fn writer(kind: Kind, path: &Path) -> Result<TableWriter, SheetError> {
    TableWriter::create(path, kind.label(), &heads(kind))
}

/// What an export shows of citizen IDs and phone numbers (个人信息).
#[derive(Debug, Clone, PartialEq)]
pub enum Disclosure {
    /// Masked as the pages show them (the default; such a file cannot be re-imported).
    Masked,
    /// In full, for a stated purpose that goes into the export log.
    Full { purpose: String },
}

/// Writes the records of `kind` in `root`'s subtree to `path` (.xlsx or .csv). Meetings
/// are limited to `year` when given. Returns the number of rows.
/// `user` is who exports (none for the command line): every export is logged, with the
/// purpose when it carries full citizen IDs and phones.
pub async fn export_file(store: &Store, scope: &Scope, kind: Kind, root: i64, year: Option<i32>, path: &Path, user: Option<i64>, disclosure: &Disclosure) -> Result<u64, SheetError> {
    let full = matches!(disclosure, Disclosure::Full { .. });
    let mut w = writer(kind, path)?;
    let mut n = 0u64;
    match kind {
        Kind::Orgs => {
            store
                .export_orgs(scope, root, |o| {
                    n += 1;
                    let org = o.org;
                    w.row(&[
                        org.code.into(),
                        org.name.into(),
                        org.level.label().into(),
                        org.sector.label().into(),
                        o.parent_code.into(),
                        org.region_code.into(),
                        org.founded_on.into(),
                        org.elected_on.into(),
                        org.term_years.map(Out::from).unwrap_or(Out::Empty),
                    ])
                })
                .await?
        }
        Kind::Members => {
            store
                .export_members(scope, root, |x| {
                    n += 1;
                    let m = x.member;
                    w.row(&member_cells(&MemberLine {
                        name: &m.name,
                        sex: m.sex,
                        ethnicity: &m.ethnicity,
                        birth_date: m.birth_date,
                        citizen_id: &if full { m.citizen_id.reveal().to_string() } else { m.citizen_id.masked() },
                        education: m.education,
                        occupation: m.occupation,
                        joined_on: m.joined_on,
                        full_on: m.full_on,
                        status: m.status,
                        org_name: &x.org_name,
                        org_code: &x.org_code,
                        group_name: x.group_name.as_deref(),
                        phone: (if full { m.phone.clone() } else { m.phone.as_deref().map(domain::member::mask_phone) }).as_deref(),
                        is_mobile: m.is_mobile,
                        archive_location: m.archive_location.as_deref(),
                        materials: &m.archive_materials,
                    }))
                })
                .await?
        }
        Kind::Committee => {
            store
                .export_committee(scope, root, |c| {
                    n += 1;
                    w.row(&[c.org_name.into(), c.org_code.into(), c.role.label().into(), c.person_name.into(), if full { c.citizen_id.into() } else { c.citizen_id.map(|x| domain::citizen_id::mask_text(&x)).into() }, c.start_on.into(), c.end_on.into()])
                })
                .await?
        }
        Kind::Meetings => {
            store
                .export_meetings(scope, root, year, |m| {
                    n += 1;
                    let absent: Vec<String> = m.absent.iter().map(|(name, why)| match why {
                        Some(w) if !w.is_empty() => format!("{name}（{w}）"),
                        _ => name.clone(),
                    }).collect();
                    let list = |v: Vec<String>| if v.is_empty() { Out::Empty } else { Out::Text(v.join("、")) };
                    w.row(&[
                        m.org_name.into(),
                        m.org_code.into(),
                        m.kind.label().into(),
                        m.held_on.into(),
                        m.topic.into(),
                        m.form.label().into(),
                        m.theme.map(|t| Out::from(t.label())).unwrap_or(Out::Empty),
                        m.host.into(),
                        m.recorder.into(),
                        m.summary.into(),
                        list(m.present),
                        list(absent),
                    ])
                })
                .await?
        }
        Kind::Dues => {
            store
                .export_dues(scope, root, |d| {
                    n += 1;
                    w.row(&[
                        d.citizen_id.into(),
                        d.name.into(),
                        d.from.text().into(),
                        d.to.text().into(),
                        d.base.map(Out::from).unwrap_or(Out::Empty),
                        d.amount.into(),
                        d.paid_on.into(),
                    ])
                })
                .await?
        }
        Kind::Training => {
            store
                .export_training(scope, root, |t| {
                    n += 1;
                    w.row(&[t.citizen_id.into(), t.name.into(), t.taken_on.into(), t.hours.into(), t.channel.label().into(), t.topic.into()])
                })
                .await?
        }
    }
    w.finish()?;
    let file_name = path.file_name().map(|f| f.to_string_lossy().to_string()).unwrap_or_default();
    store.log_exchange(&store::ExchangeLog { direction: "export", kind: kind.code(), org_id: Some(root), user_id: user, file_name, rows: n, purpose: match disclosure { Disclosure::Full { purpose } => Some(purpose.clone()), Disclosure::Masked => None } }).await?;
    Ok(n)
}
