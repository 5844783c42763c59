//! The error report of a refused import, as a workbook: one sheet listing every error
//! (row as Excel shows it, column, value, reason, how to fix) and one with the refused
//! rows as read, the bad cells highlighted and each carrying its reason as a note.

use crate::import::ImportReport;
use crate::write::{write_header, xerr, Formats, Head};
use crate::SheetError;
use rust_xlsxwriter::{Note, Workbook};
use std::collections::HashMap;

/// Writes the report of `r` as XLSX bytes.
pub fn error_report_xlsx(r: &ImportReport) -> Result<Vec<u8>, SheetError> {
    let mut wb = Workbook::new();
    let f = Formats::new();
    let ws = wb.add_worksheet();
    ws.set_name("错误清单").map_err(xerr)?;
    let title = format!(
        "{}导入错误报告：共{}处错误{}，文件未导入任何数据",
        r.file,
        r.error_count(),
        if r.errors_not_listed > 0 { format!("（仅列出前{}处）", r.errors.len()) } else { String::new() }
    );
    ws.merge_range(0, 0, 0, 5, &title, &f.title).map_err(xerr)?;
    let heads = [Head::new("行号", 8.0), Head::new("列", 6.0), Head::new("列名", 16.0), Head::new("填写的内容", 24.0), Head::new("错误原因", 60.0), Head::new("修改方法", 40.0)];
    write_header(ws, &f, 1, &heads)?;
    for (i, e) in r.errors.iter().enumerate() {
        let row = i as u32 + 2;
        ws.write_number(row, 0, e.row as f64).map_err(xerr)?;
        ws.write_string(row, 1, e.letter.as_deref().unwrap_or("")).map_err(xerr)?;
        ws.write_string(row, 2, &e.column).map_err(xerr)?;
        ws.write_string_with_format(row, 3, &e.value, if domain::spreadsheet::formula_like(&e.value) { &f.quoted } else { &f.text }).map_err(xerr)?;
        ws.write_string(row, 4, &e.reason).map_err(xerr)?;
        ws.write_string(row, 5, &e.fix).map_err(xerr)?;
    }
    if !r.bad_rows.is_empty() {
        let ws = wb.add_worksheet();
        ws.set_name("出错的行（红色为错误）").map_err(xerr)?;
        let mut heads = vec![Head::new("原行号", 8.0)];
        heads.extend(r.header_cells.iter().map(|(_, h)| Head::new(h.clone(), 14.0)));
        write_header(ws, &f, 0, &heads)?;
        let mut by_cell: HashMap<(u32, String), Vec<&str>> = HashMap::new();
        for e in &r.errors {
            by_cell.entry((e.row, e.column.clone())).or_default().push(&e.reason);
        }
        for (i, row) in r.bad_rows.iter().enumerate() {
            let out = i as u32 + 1;
            ws.write_number(out, 0, row.number as f64).map_err(xerr)?;
            for (out_col, (c, h)) in r.header_cells.iter().enumerate() {
                let v = row.cells.get(*c).map(|v| v.display()).unwrap_or_default();
                // Citizen IDs leave the system only masked, in reports too.
                let v = if v.chars().filter(char::is_ascii_digit).count() >= 15 { crate::import::mask(&v) } else { v };
                let col = out_col as u16 + 1;
                match by_cell.get(&(row.number, h.clone())) {
                    Some(reasons) => {
                        ws.write_string_with_format(out, col, &v, if domain::spreadsheet::formula_like(&v) { &f.bad_quoted } else { &f.bad }).map_err(xerr)?;
                        ws.insert_note(out, col, &Note::new(reasons.join("\n")).set_author("dangjian")).map_err(xerr)?;
                    }
                    None => {
                        ws.write_string_with_format(out, col, &v, if domain::spreadsheet::formula_like(&v) { &f.quoted } else { &f.text }).map_err(xerr)?;
                    }
                }
            }
        }
    }
    wb.save_to_buffer().map_err(xerr)
}

/// The errors as lines for a terminal.
pub fn error_lines(r: &ImportReport) -> Vec<String> {
    let mut out: Vec<String> = r
        .errors
        .iter()
        .map(|e| {
            let at = match &e.letter {
                Some(l) => format!("第{}行 {}列（{}）", e.row, l, e.column),
                None => format!("第{}行（{}）", e.row, e.column),
            };
            let value = if e.value.is_empty() { "（空）".to_string() } else { format!("“{}”", e.value) };
            format!("{at} {value}：{}。{}", e.reason, e.fix)
        })
        .collect();
    if r.errors_not_listed > 0 {
        out.push(format!("……另有{}处错误未列出", r.errors_not_listed));
    }
    out
}
