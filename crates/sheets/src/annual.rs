//! 党内统计年报 as a workbook: one sheet per table, numbered as filed, with the
//! jurisdiction, year and each table's counting note.

use crate::write::{xerr, Formats};
use crate::SheetError;
use domain::statistics::{AnnualReport, AnnualTally};
use rust_xlsxwriter::{Format, Workbook};
use store::{Scope, Store};

/// Tallies the tables of `root`'s subtree for `year` in one pass over its members.
pub async fn annual_tables(store: &Store, scope: &Scope, root: i64, year: i32, rules: &domain::rules::Rules) -> Result<AnnualReport, SheetError> {
    let org = store.org(scope, root).await?;
    let mut tally = AnnualTally::new(year);
    store.annual_facts(scope, root, year, |m| tally.add(&m, rules)).await?;
    let orgs = store.org_counts_by_sector(scope, root, year).await?;
    Ok(tally.finish(&org.name, &orgs))
}

/// The report as XLSX bytes.
pub fn annual_xlsx(report: &AnnualReport) -> Result<Vec<u8>, SheetError> {
    let mut wb = Workbook::new();
    let f = Formats::new();
    let label = Format::new().set_border(rust_xlsxwriter::FormatBorder::Thin);
    let num = Format::new().set_border(rust_xlsxwriter::FormatBorder::Thin).set_num_format("#,##0.##");
    let small = Format::new().set_italic().set_font_size(9);
    for t in &report.tables {
        let ws = wb.add_worksheet();
        ws.set_name(t.number).map_err(xerr)?;
        let last = t.columns.len() as u16;
        ws.merge_range(0, 0, 0, last, &format!("{}　{}", t.number, t.title), &f.title).map_err(xerr)?;
        ws.write_string(1, 0, format!("填报单位：{}　　统计年度：{}年（截至{}年12月31日）", report.org_name, report.year, report.year)).map_err(xerr)?;
        ws.set_column_width(0, 30.0).map_err(xerr)?;
        ws.write_string_with_format(2, 0, "项目", &f.header).map_err(xerr)?;
        for (c, h) in t.columns.iter().enumerate() {
            ws.set_column_width(c as u16 + 1, 12.0).map_err(xerr)?;
            ws.write_string_with_format(2, c as u16 + 1, h, &f.header).map_err(xerr)?;
        }
        for (r, (l, vals)) in t.rows.iter().enumerate() {
            let r = r as u32 + 3;
            ws.write_string_with_format(r, 0, l, &label).map_err(xerr)?;
            for (c, v) in vals.iter().enumerate() {
                ws.write_number_with_format(r, c as u16 + 1, *v, &num).map_err(xerr)?;
            }
        }
        ws.write_string_with_format(t.rows.len() as u32 + 4, 0, format!("说明：{}。数据来源：dangjian登记数据。", t.note), &small).map_err(xerr)?;
        ws.set_freeze_panes(3, 1).map_err(xerr)?;
    }
    wb.save_to_buffer().map_err(xerr)
}
