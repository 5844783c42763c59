//! Word (.docx) in the GB/T 9704-2012 layout (党政机关公文格式), written as
//! WordprocessingML directly so every setting the standard names is visible: A4, top
//! margin 37 mm, left 28 mm, text area 156 × 225 mm, a character grid of 22 lines × 28
//! characters, title 2号 小标宋, body 3号 仿宋 with a 2-character first-line indent,
//! headings 一、黑体 / （一）楷体 / 1. 仿宋, page numbers 4号 宋体 “— 1 —” on the right of odd
//! pages and the left of even pages, one character from the edge; charts as PNG pictures. Checked by converting
//! with LibreOffice (tests) and reading the XML back.

use crate::model::{Block, Report};
use crate::ReportError;
use std::io::Write;

/// Font names (practice, not the standard's words: keep them configurable).
#[derive(Debug, Clone)]
pub struct Fonts {
    pub title: String,
    pub body: String,
    pub heading1: String,
    pub heading2: String,
    pub page_number: String,
    /// Bold for 1. headings (the standard leaves it optional).
    pub heading3_bold: bool,
}

impl Default for Fonts {
    fn default() -> Self {
        Fonts { title: "方正小标宋简体".into(), body: "仿宋_GB2312".into(), heading1: "黑体".into(), heading2: "楷体_GB2312".into(), page_number: "宋体".into(), heading3_bold: false }
    }
}

/// Millimetres to twentieths of a point.
fn twips(mm: f64) -> i64 {
    (mm / 25.4 * 1440.0).round() as i64
}

/// The page: A4, margins so that the text area is 156 × 225 mm.
pub struct Page {
    pub width: i64,
    pub height: i64,
    pub top: i64,
    pub bottom: i64,
    pub left: i64,
    pub right: i64,
    pub footer: i64,
    /// 225 mm / 22 lines.
    pub line_pitch: i64,
    /// Character spacing (twentieths of a point) that fits 28 characters of 3号 in 156 mm.
    /// A `linesAndChars` grid with a negative `charSpace` does this in Word, but
    /// LibreOffice lays such a grid out with far fewer characters per line; a line grid
    /// plus condensed spacing gives 22 × 28 in both.
    pub char_spacing: i64,
}

pub fn page() -> Page {
    let (w, h, top, left, text_w, text_h) = (210.0, 297.0, 37.0, 28.0, 156.0, 225.0);
    let pitch_pt = text_w / 25.4 * 72.0 / 28.0;
    Page {
        width: twips(w),
        height: twips(h),
        top: twips(top),
        left: twips(left),
        right: twips(w - left - text_w),
        bottom: twips(h - top - text_h),
        // The page number sits 7 mm below the text area.
        footer: twips(h - top - text_h - 7.0 - 5.0),
        line_pitch: (text_h / 25.4 * 1440.0 / 22.0).floor() as i64,
        char_spacing: ((pitch_pt - 16.0) * 20.0).floor() as i64,
    }
}

fn esc(s: &str) -> String {
    domain::xml::text(s)
}

fn fonts(name: &str) -> String {
    format!(r#"<w:rFonts w:ascii="{0}" w:hAnsi="{0}" w:eastAsia="{0}" w:cs="{0}"/>"#, esc(name))
}

fn styles(f: &Fonts, p: &Page) -> String {
    let line = format!(r#"<w:spacing w:before="0" w:after="0" w:line="{}" w:lineRule="exact"/>"#, p.line_pitch);
    let style = |id: &str, name: &str, font: &str, size: u32, extra_p: &str, extra_r: &str| {
        format!(
            r#"<w:style w:type="paragraph" w:styleId="{id}"><w:name w:val="{name}"/><w:basedOn w:val="Normal"/><w:qFormat/><w:pPr>{extra_p}</w:pPr><w:rPr>{}<w:sz w:val="{size}"/><w:szCs w:val="{size}"/>{extra_r}</w:rPr></w:style>"#,
            fonts(font)
        )
    };
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:docDefaults><w:rPrDefault><w:rPr>{body}<w:spacing w:val="{spacing}"/><w:sz w:val="32"/><w:szCs w:val="32"/><w:lang w:val="en-US" w:eastAsia="zh-CN"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr>{line}</w:pPr></w:pPrDefault></w:docDefaults><w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/><w:pPr><w:jc w:val="left"/><w:ind w:firstLineChars="200" w:firstLine="640"/>{line}</w:pPr><w:rPr>{body}<w:sz w:val="32"/><w:szCs w:val="32"/></w:rPr></w:style>{title}{h1}{h2}{h3}{quote}{table}{footer}</w:styles>"#,
        body = fonts(&f.body),
        spacing = p.char_spacing,
        title = style("Title", "Title", &f.title, 44, r#"<w:jc w:val="center"/><w:ind w:firstLineChars="0" w:firstLine="0"/><w:spacing w:before="0" w:after="0" w:line="700" w:lineRule="exact"/>"#, ""),
        h1 = style("Heading1", "heading 1", &f.heading1, 32, r#"<w:keepNext/><w:outlineLvl w:val="0"/>"#, ""),
        h2 = style("Heading2", "heading 2", &f.heading2, 32, r#"<w:keepNext/><w:outlineLvl w:val="1"/>"#, ""),
        h3 = style("Heading3", "heading 3", &f.body, 32, r#"<w:keepNext/><w:outlineLvl w:val="2"/>"#, if f.heading3_bold { "<w:b/>" } else { "" }),
        quote = style("Quote", "Quote", &f.heading2, 32, r#"<w:ind w:left="640" w:right="640" w:firstLineChars="200" w:firstLine="640"/>"#, ""),
        table = style("TableText", "Table Text", &f.body, TABLE_HALF_POINTS, r#"<w:jc w:val="center"/><w:ind w:firstLineChars="0" w:firstLine="0"/><w:spacing w:before="0" w:after="0" w:line="300" w:lineRule="exact"/>"#, r#"<w:spacing w:val="0"/>"#),
        footer = style("Footer", "footer", &f.page_number, 28, r#"<w:ind w:firstLineChars="0" w:firstLine="0"/><w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/>"#, ""),
    )
}

fn para(style: &str, text: &str) -> String {
    format!(r#"<w:p><w:pPr><w:pStyle w:val="{style}"/></w:pPr><w:r><w:t xml:space="preserve">{}</w:t></w:r></w:p>"#, esc(text))
}

/// Table text in half-points: 五号 (10.5 pt), smaller than the body as GB/T 9704 allows
/// for tables, so the annex stays compact.
const TABLE_HALF_POINTS: u32 = 21;

/// Display width of a cell's text in half-width characters (a Chinese character is 2).
fn width(s: &str) -> usize {
    s.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()
}

/// Column widths in twips for a table `text_w` twips wide, sized to the content: a column
/// without Chinese text (numbers, 646/1480, 12.5%) gets its longest cell on one line, so
/// numbers never break; the rest of the width goes to the text columns in proportion to
/// their longest cell.
pub(crate) fn column_widths(header: &[String], rows: &[Vec<String>], text_w: i64) -> Vec<i64> {
    let half = i64::from(TABLE_HALF_POINTS) * 10 / 2; // a half-width character, in twips
    let pad = 2 * 108 + 40; // cell margins and borders
    let n = header.len();
    let mut longest = vec![0usize; n];
    let mut numeric = vec![true; n];
    for (j, h) in header.iter().enumerate() {
        // A header may wrap at its characters; it asks for at least 4 of them on a line.
        longest[j] = longest[j].max(width(h).min(8));
    }
    for r in rows {
        for (j, c) in r.iter().enumerate().take(n) {
            longest[j] = longest[j].max(width(c));
            numeric[j] &= crate::model::is_figure(c);
        }
    }
    let natural: Vec<i64> = longest.iter().map(|l| *l as i64 * half + pad).collect();
    let total: i64 = natural.iter().sum();
    if total <= text_w {
        // Everything fits on one line: spread the slack over the text columns.
        let slack = text_w - total;
        let text_cols: Vec<usize> = (0..n).filter(|j| !numeric[*j]).collect();
        let mut w = natural.clone();
        for j in &text_cols {
            w[*j] += slack / text_cols.len().max(1) as i64;
        }
        if text_cols.is_empty() {
            w[n - 1] += slack;
        }
        return w;
    }
    let fixed: i64 = (0..n).filter(|j| numeric[*j]).map(|j| natural[j]).sum();
    let flexible: i64 = (0..n).filter(|j| !numeric[*j]).map(|j| natural[j]).sum();
    let room = (text_w - fixed).max(flexible.min(text_w / 2));
    (0..n).map(|j| if numeric[j] { natural[j] } else { (natural[j] * room / flexible.max(1)).max(4 * half + pad) }).collect()
}

fn table(caption: &str, header: &[String], rows: &[Vec<String>], text_w: i64) -> String {
    let widths = column_widths(header, rows, text_w);
    let cell = |t: &str, bold: bool, w: i64| format!(r#"<w:tc><w:tcPr><w:tcW w:w="{w}" w:type="dxa"/></w:tcPr><w:p><w:pPr><w:pStyle w:val="TableText"/></w:pPr><w:r>{}<w:t xml:space="preserve">{}</w:t></w:r></w:p></w:tc>"#, if bold { "<w:rPr><w:b/></w:rPr>" } else { "" }, esc(t));
    let border = r#"<w:tblBorders><w:top w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:left w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:bottom w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:right w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:insideH w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:insideV w:val="single" w:sz="4" w:space="0" w:color="000000"/></w:tblBorders>"#;
    let mut out = format!(r#"<w:p><w:pPr><w:pStyle w:val="TableText"/><w:keepNext/></w:pPr><w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">{}</w:t></w:r></w:p>"#, esc(caption));
    let grid: String = widths.iter().map(|w| format!(r#"<w:gridCol w:w="{w}"/>"#)).collect();
    let total: i64 = widths.iter().sum();
    out.push_str(&format!(r#"<w:tbl><w:tblPr><w:tblW w:w="{total}" w:type="dxa"/><w:jc w:val="center"/>{border}<w:tblLayout w:type="fixed"/></w:tblPr><w:tblGrid>{grid}</w:tblGrid><w:tr><w:trPr><w:tblHeader/></w:trPr>"#));
    for (h, w) in header.iter().zip(&widths) {
        out.push_str(&cell(h, true, *w));
    }
    out.push_str("</w:tr>");
    for r in rows {
        out.push_str("<w:tr><w:trPr><w:cantSplit/></w:trPr>");
        for (c, w) in r.iter().zip(&widths) {
            out.push_str(&cell(c, false, *w));
        }
        out.push_str("</w:tr>");
    }
    out.push_str("</w:tbl>");
    out
}

/// EMU per pixel at 96 dpi, and the text width in EMU.
const EMU_PX: i64 = 9525;
const TEXT_W_EMU: i64 = 156 * 36_000;

/// A picture paragraph (charts), centred, with a line height of its own.
fn picture(n: usize, w_px: u32, h_px: u32) -> String {
    let (mut cx, mut cy) = (w_px as i64 * EMU_PX, h_px as i64 * EMU_PX);
    if cx > TEXT_W_EMU {
        cy = cy * TEXT_W_EMU / cx;
        cx = TEXT_W_EMU;
    }
    format!(
        r#"<w:p><w:pPr><w:keepNext/><w:jc w:val="center"/><w:ind w:firstLineChars="0" w:firstLine="0"/><w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/></w:pPr><w:r><w:drawing><wp:inline distT="0" distB="0" distL="0" distR="0"><wp:extent cx="{cx}" cy="{cy}"/><wp:docPr id="{n}" name="图{n}"/><a:graphic xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:pic xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:nvPicPr><pic:cNvPr id="{n}" name="chart{n}.png"/><pic:cNvPicPr/></pic:nvPicPr><pic:blipFill><a:blip r:embed="rIdImg{n}"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill><pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>"#
    )
}

fn document(r: &Report, p: &Page, images: &mut Vec<Vec<u8>>) -> Result<String, ReportError> {
    let mut body = String::new();
    let mut landscape = false;
    body.push_str(&para("Title", &r.title));
    body.push_str(&format!(r#"<w:p><w:pPr><w:jc w:val="center"/><w:ind w:firstLineChars="0" w:firstLine="0"/></w:pPr><w:r><w:t xml:space="preserve">{}</w:t></w:r></w:p>"#, esc(&r.byline)));
    for b in &r.blocks {
        match b {
            Block::Heading { level, text } => body.push_str(&para(&format!("Heading{}", level.clamp(&1, &3)), text)),
            Block::Para(t) => body.push_str(&para("Normal", t)),
            Block::Quote { text, source } => body.push_str(&para("Quote", &format!("{}（{source}）", crate::model::quoted(text)))),
            Block::Table { caption, header, rows } => body.push_str(&table(caption, header, rows, if landscape { p.height - p.top - p.bottom } else { p.width - p.left - p.right })),
            Block::Chart { caption, svg, .. } => {
                let (png, w, h) = crate::raster::png(svg, 2.0).map_err(ReportError::Write)?;
                images.push(png);
                body.push_str(&picture(images.len(), w, h));
                body.push_str(&format!(r#"<w:p><w:pPr><w:pStyle w:val="TableText"/></w:pPr><w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">{}</w:t></w:r></w:p>"#, esc(caption)));
            }
            // The annexes start a landscape section: the portrait one ends here.
            Block::PageBreak => {
                body.push_str(&format!("<w:p><w:pPr>{}</w:pPr></w:p>", section(p, false)));
                landscape = true;
            }
        }
    }
    Ok(format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"><w:body>{body}{}</w:body></w:document>"#,
        section(p, landscape)
    ))
}

/// A section's properties: A4 portrait in the GB/T 9704 layout, or the same page turned
/// (landscape, margins turned with it) for the annexes, without the body's line grid so
/// table rows take the height of their 五号 text rather than a 3号 grid line. Page numbers
/// run on.
fn section(p: &Page, landscape: bool) -> String {
    let footers = r#"<w:footerReference w:type="default" r:id="rIdFooterOdd"/><w:footerReference w:type="even" r:id="rIdFooterEven"/>"#;
    if landscape {
        format!(
            r#"<w:sectPr>{footers}<w:pgSz w:w="{}" w:h="{}" w:orient="landscape"/><w:pgMar w:top="{}" w:right="{}" w:bottom="{}" w:left="{}" w:header="851" w:footer="{}" w:gutter="0"/><w:pgNumType w:fmt="decimal"/><w:docGrid w:linePitch="312"/></w:sectPr>"#,
            p.height, p.width, p.left, p.top, p.right, p.bottom, p.footer
        )
    } else {
        format!(
            r#"<w:sectPr>{footers}<w:pgSz w:w="{}" w:h="{}"/><w:pgMar w:top="{}" w:right="{}" w:bottom="{}" w:left="{}" w:header="851" w:footer="{}" w:gutter="0"/><w:pgNumType w:fmt="decimal" w:start="1"/><w:docGrid w:type="lines" w:linePitch="{}"/></w:sectPr>"#,
            p.width, p.height, p.top, p.right, p.bottom, p.left, p.footer, p.line_pitch
        )
    }
}

/// “— 1 —”: odd pages on the right, even on the left, one character (4号 = 280 twips) in.
fn footer(odd: bool) -> String {
    let (jc, ind) = if odd { ("right", r#"<w:ind w:right="280" w:firstLineChars="0" w:firstLine="0"/>"#) } else { ("left", r#"<w:ind w:left="280" w:firstLineChars="0" w:firstLine="0"/>"#) };
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:ftr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:p><w:pPr><w:pStyle w:val="Footer"/><w:jc w:val="{jc}"/>{ind}</w:pPr><w:r><w:t xml:space="preserve">— </w:t></w:r><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>1</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r><w:r><w:t xml:space="preserve"> —</w:t></w:r></w:p></w:ftr>"#
    )
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Default Extension="png" ContentType="image/png"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/><Override PartName="/word/settings.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"/><Override PartName="/word/footer1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/><Override PartName="/word/footer2.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>"#;

const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/></Relationships>"#;

fn doc_rels(images: usize) -> String {
    let mut s = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rIdStyles" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rIdSettings" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings" Target="settings.xml"/><Relationship Id="rIdFooterOdd" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer" Target="footer1.xml"/><Relationship Id="rIdFooterEven" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer" Target="footer2.xml"/>"#,
    );
    for n in 1..=images {
        s.push_str(&format!(r#"<Relationship Id="rIdImg{n}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="media/chart{n}.png"/>"#));
    }
    s.push_str("</Relationships>");
    s
}

/// Odd and even pages get their own footers.
const SETTINGS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:settings xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:evenAndOddHeaders/><w:defaultTabStop w:val="640"/><w:characterSpacingControl w:val="compressPunctuation"/><w:compat><w:spaceForUL/><w:balanceSingleByteDoubleByteWidth/><w:doNotLeaveBackslashAlone/><w:ulTrailSpace/><w:doNotExpandShiftReturn/><w:adjustLineHeightInTable/><w:useFELayout/></w:compat></w:settings>"#;

fn core(r: &Report) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>{}</dc:title><dc:creator>dangjian</dc:creator><dc:language>zh-CN</dc:language></cp:coreProperties>"#,
        esc(&r.title)
    )
}

pub fn render(r: &Report, f: &Fonts) -> Result<Vec<u8>, ReportError> {
    let p = page();
    let mut images = Vec::new();
    let doc = document(r, &p, &mut images)?;
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        let err = |e: &dyn std::fmt::Display| ReportError::Write(e.to_string());
        for (name, text) in [
            ("[Content_Types].xml", CONTENT_TYPES.to_string()),
            ("_rels/.rels", RELS.to_string()),
            ("word/_rels/document.xml.rels", doc_rels(images.len())),
            ("word/document.xml", doc),
            ("word/styles.xml", styles(f, &p)),
            ("word/settings.xml", SETTINGS.to_string()),
            ("word/footer1.xml", footer(true)),
            ("word/footer2.xml", footer(false)),
            ("docProps/core.xml", core(r)),
        ] {
            z.start_file(name, opts).map_err(|e| err(&e))?;
            z.write_all(text.as_bytes()).map_err(|e| err(&e))?;
        }
        for (n, png) in images.iter().enumerate() {
            z.start_file(format!("word/media/chart{}.png", n + 1), zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored)).map_err(|e| err(&e))?;
            z.write_all(png).map_err(|e| err(&e))?;
        }
        z.finish().map_err(|e| err(&e))?;
    }
    Ok(buf.into_inner())
}

#[cfg(test)]
mod tests {
    #[test]
    fn numbers_never_break_and_text_takes_the_rest() {
        let header: Vec<String> = ["指标", "数值", "分子/分母", "上年", "目标值/警戒线", "状态"].map(String::from).to_vec();
        let rows = vec![
            vec!["新发展党员中生产、工作第一线人员的比例".into(), "63.1%".into(), "12639/62013".into(), "—".into(), "目标≥30%".into(), "达标".into()],
            vec!["人均党建工作经费".into(), "478.4元/人".into(), "17716300/37031".into(), "481.4元/人".into(), "目标≥100元/人".into(), "未达标".into()],
        ];
        let text_w = 12756; // 225 mm, the landscape annex
        let w = super::column_widths(&header, &rows, text_w);
        assert_eq!(w.len(), 6);
        assert!(w.iter().sum::<i64>() <= text_w + 6, "{w:?}");
        // 14 half-width characters of 五号 and the cell margins: "17716300/37031" on one line.
        assert!(w[2] >= 14 * 105 + 216, "{w:?}");
        assert!(w[0] > w[1], "the name column gets the room: {w:?}");
    }

    #[test]
    fn characters_xml_cannot_hold_never_reach_the_file() {
        use crate::model::{Block, Report};
        // A transcript pasted from elsewhere can carry a vertical tab or a NUL; Word refuses
        // a document.xml holding one.
        let r = Report {
            title: "关于\u{b}基层党建工作的调研报告".into(),
            byline: "调研组".into(),
            blocks: vec![Block::Quote { text: "说起来重要\u{0}、做起来次要\u{1f}".into(), source: "访谈<记录>".into() }, Block::Para("A & B\u{fffe}".into())],
            problems: vec![],
            achievements: vec![],
        };
        let docx = super::render(&r, &super::Fonts::default()).unwrap();
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(docx)).unwrap();
        let mut doc = String::new();
        std::io::Read::read_to_string(&mut z.by_name("word/document.xml").unwrap(), &mut doc).unwrap();
        assert!(!doc.chars().any(|c| (c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || c == '\u{fffe}'));
        assert!(doc.contains("说起来重要、做起来次要") && doc.contains("访谈&lt;记录&gt;") && doc.contains("A &amp; B"));
    }

    #[test]
    fn the_page_follows_gb_t_9704() {
        let p = super::page();
        assert_eq!((p.width, p.height), (11906, 16838));
        assert_eq!((p.top, p.left, p.right, p.bottom), (2098, 1587, 1474, 1984));
        assert_eq!(p.line_pitch, 579);
        assert_eq!(p.char_spacing, -5, "28 characters of 16 pt less 0.25 pt fit in 156 mm");
    }
}
