//! HTML, printable to the same look as the Word file (A4, the same margins, fonts and
//! 22 lines of 28.95 pt).

use crate::docx::Fonts;
use crate::model::{Block, Report};

fn esc(s: &str) -> String {
    domain::xml::text(s)
}

pub fn render(r: &Report, f: &Fonts) -> String {
    let css = format!(
        "@page{{size:A4;margin:37mm 26mm 35mm 28mm}}\
body{{max-width:156mm;margin:2rem auto;font-family:\"{body}\",FangSong,STFangsong,serif;font-size:16pt;line-height:28.95pt;color:#000}}\
h1.title{{font-family:\"{title}\",\"FZXiaoBiaoSong-B05S\",SimSun,serif;font-size:22pt;font-weight:normal;text-align:center;line-height:35pt;margin:0}}\
p.byline{{text-align:center;text-indent:0;margin:0 0 28.95pt}}\
h2{{font-family:\"{h1}\",SimHei,sans-serif;font-size:16pt;font-weight:normal;margin:0}}\
h3{{font-family:\"{h2}\",KaiTi,STKaiti,serif;font-size:16pt;font-weight:normal;margin:0}}\
h4{{font-size:16pt;font-weight:{h3w};margin:0}}\
p{{text-indent:2em;margin:0;text-align:left}}\
blockquote{{font-family:\"{h2}\",KaiTi,STKaiti,serif;margin:0 2em;text-indent:2em}}\
table{{border-collapse:collapse;width:100%;font-size:10.5pt;line-height:1.4;margin:.5em 0}}th,td{{border:1px solid #000;padding:2pt 4pt;text-align:center}}td.n{{white-space:nowrap}}\
caption,figcaption{{font-weight:bold;font-size:12pt;text-align:center}}figure{{margin:.5em 0;text-align:center}}figure svg{{max-width:100%;height:auto}}\
.pagebreak{{break-before:page;page-break-before:always}}@page annex{{size:A4 landscape}}.annex{{page:annex}}.annex~*{{page:annex}}",
        body = esc(&f.body),
        title = esc(&f.title),
        h1 = esc(&f.heading1),
        h2 = esc(&f.heading2),
        h3w = if f.heading3_bold { "bold" } else { "normal" },
    );
    let mut out = format!("<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{}</title><style>{css}</style></head><body>\n<h1 class=\"title\">{}</h1>\n<p class=\"byline\">{}</p>\n", esc(&r.title), esc(&r.title), esc(&r.byline));
    for b in &r.blocks {
        match b {
            Block::Heading { level, text } => {
                let l = level.clamp(&1, &3) + 1;
                out.push_str(&format!("<h{l}>{}</h{l}>\n", esc(text)));
            }
            Block::Para(t) => out.push_str(&format!("<p>{}</p>\n", esc(t))),
            Block::Quote { text, source } => out.push_str(&format!("<blockquote>{}（{}）</blockquote>\n", esc(&crate::model::quoted(text)), esc(source))),
            Block::Table { caption, header, rows } => {
                out.push_str(&format!("<table><caption>{}</caption><thead><tr>", esc(caption)));
                for h in header {
                    out.push_str(&format!("<th>{}</th>", esc(h)));
                }
                out.push_str("</tr></thead><tbody>");
                for r in rows {
                    out.push_str("<tr>");
                    for c in r {
                        // Numbers (646/1480, 12.5%) stay on one line.
                        let class = if crate::model::is_figure(c) { " class=\"n\"" } else { "" };
                        out.push_str(&format!("<td{class}>{}</td>", esc(c)));
                    }
                    out.push_str("</tr>");
                }
                out.push_str("</tbody></table>\n");
            }
            // The SVG comes from survey::chart, which escapes every label.
            Block::Chart { caption, svg, .. } => out.push_str(&format!("<figure>{svg}<figcaption>{}</figcaption></figure>\n", esc(caption))),
            Block::PageBreak => out.push_str("<div class=\"pagebreak annex\"></div>\n"),
        }
    }
    out.push_str("</body></html>\n");
    out
}
