//! Stata .dta files, format 118 (Stata 14+, UTF-8), written directly: numeric columns as
//! doubles, strings as fixed-width str1–str2045, variable labels and value labels. Rows
//! stream; the observation count and the section map are patched at the end. (The `dta`
//! crate writes data but cannot build value-label sets from outside, so it was not used.)

use crate::columns::{Cell, ColKind, Column};
use crate::sav::cut;
use std::io::{Seek, SeekFrom, Write};

pub const MAX_STRING: usize = 2045;
const MISSING: u64 = 0x7fe0_0000_0000_0000;

pub struct DtaWriter<W: Write + Seek> {
    w: W,
    widths: Vec<usize>,
    n: u64,
    n_pos: u64,
    map_pos: u64,
    map: [u64; 14],
    cols: Vec<Column>,
    pub truncated: u64,
}

fn fixed(s: &str, n: usize) -> Vec<u8> {
    let mut b = cut(s, n).as_bytes().to_vec();
    b.resize(n, 0);
    b
}

impl<W: Write + Seek> DtaWriter<W> {
    pub fn new(mut w: W, label: &str, cols: &[Column], string_bytes: &[usize]) -> std::io::Result<Self> {
        let widths: Vec<usize> = cols.iter().zip(string_bytes).map(|(c, n)| if c.kind == ColKind::Str { (*n).clamp(1, MAX_STRING) } else { 0 }).collect();
        let mut map = [0u64; 14];
        w.write_all(b"<stata_dta><header><release>118</release><byteorder>LSF</byteorder><K>")?;
        w.write_all(&(cols.len() as u16).to_le_bytes())?;
        w.write_all(b"</K><N>")?;
        let n_pos = w.stream_position()?;
        w.write_all(&0u64.to_le_bytes())?;
        w.write_all(b"</N><label>")?;
        let label = cut(label, 80);
        w.write_all(&(label.len() as u16).to_le_bytes())?;
        w.write_all(label.as_bytes())?;
        w.write_all(b"</label><timestamp>")?;
        let ts = chrono::Local::now().format("%d %b %Y %H:%M").to_string();
        w.write_all(&[ts.len() as u8])?;
        w.write_all(ts.as_bytes())?;
        w.write_all(b"</timestamp></header>")?;
        map[1] = w.stream_position()?;
        w.write_all(b"<map>")?;
        let map_pos = w.stream_position()?;
        w.write_all(&[0u8; 14 * 8])?;
        w.write_all(b"</map>")?;
        map[2] = w.stream_position()?;
        w.write_all(b"<variable_types>")?;
        for (c, width) in cols.iter().zip(&widths) {
            let t: u16 = if c.kind == ColKind::Str { *width as u16 } else { 65526 };
            w.write_all(&t.to_le_bytes())?;
        }
        w.write_all(b"</variable_types>")?;
        map[3] = w.stream_position()?;
        w.write_all(b"<varnames>")?;
        for c in cols {
            w.write_all(&fixed(&c.name, 129))?;
        }
        w.write_all(b"</varnames>")?;
        map[4] = w.stream_position()?;
        w.write_all(b"<sortlist>")?;
        w.write_all(&vec![0u8; (cols.len() + 1) * 2])?;
        w.write_all(b"</sortlist>")?;
        map[5] = w.stream_position()?;
        w.write_all(b"<formats>")?;
        for (c, width) in cols.iter().zip(&widths) {
            let f = match c.kind {
                ColKind::Num { decimals: 0 } => "%10.0g".to_string(),
                ColKind::Num { decimals } => format!("%10.{decimals}f"),
                // Milliseconds since 1960-01-01 00:00 (Stata's clock).
                ColKind::DateTime => "%tc".to_string(),
                ColKind::Str => format!("%-{}s", width.min(&2045)),
            };
            w.write_all(&fixed(&f, 57))?;
        }
        w.write_all(b"</formats>")?;
        map[6] = w.stream_position()?;
        w.write_all(b"<value_label_names>")?;
        for c in cols {
            let name = if c.labels.is_empty() || c.kind == ColKind::Str { "" } else { &c.name };
            w.write_all(&fixed(name, 129))?;
        }
        w.write_all(b"</value_label_names>")?;
        map[7] = w.stream_position()?;
        w.write_all(b"<variable_labels>")?;
        for c in cols {
            w.write_all(&fixed(cut(&c.label, 320), 321))?;
        }
        w.write_all(b"</variable_labels>")?;
        map[8] = w.stream_position()?;
        w.write_all(b"<characteristics></characteristics>")?;
        map[9] = w.stream_position()?;
        w.write_all(b"<data>")?;
        Ok(DtaWriter { w, widths, n: 0, n_pos, map_pos, map, cols: cols.to_vec(), truncated: 0 })
    }

    pub fn row(&mut self, cells: &[Cell]) -> std::io::Result<()> {
        for ((c, width), col) in cells.iter().zip(&self.widths).zip(&self.cols) {
            match c {
                Cell::Num(v) => {
                    // 1960-01-01 to 1970-01-01: 315 619 200 seconds.
                    let v = if col.kind == ColKind::DateTime { v.map(|x| (x + 315_619_200.0) * 1000.0) } else { *v };
                    let bits = v.filter(|x| x.is_finite()).map(f64::to_bits).unwrap_or(MISSING);
                    self.w.write_all(&bits.to_le_bytes())?;
                }
                Cell::Str(s) => {
                    if s.len() > *width {
                        self.truncated += 1;
                    }
                    self.w.write_all(&fixed(s, *width))?;
                }
            }
        }
        self.n += 1;
        Ok(())
    }

    pub fn finish(mut self) -> std::io::Result<W> {
        let w = &mut self.w;
        w.write_all(b"</data>")?;
        self.map[10] = w.stream_position()?;
        w.write_all(b"<strls></strls>")?;
        self.map[11] = w.stream_position()?;
        w.write_all(b"<value_labels>")?;
        for c in self.cols.iter().filter(|c| !c.labels.is_empty() && c.kind != ColKind::Str) {
            let mut txt: Vec<u8> = Vec::new();
            let mut offs = Vec::new();
            for (_, l) in &c.labels {
                offs.push(txt.len() as i32);
                txt.extend_from_slice(cut(l, 32000).as_bytes());
                txt.push(0);
            }
            let n = c.labels.len() as i32;
            let len = 8 + 8 * n + txt.len() as i32;
            w.write_all(b"<lbl>")?;
            w.write_all(&len.to_le_bytes())?;
            w.write_all(&fixed(&c.name, 129))?;
            w.write_all(&[0u8; 3])?;
            w.write_all(&n.to_le_bytes())?;
            w.write_all(&(txt.len() as i32).to_le_bytes())?;
            for o in &offs {
                w.write_all(&o.to_le_bytes())?;
            }
            for (v, _) in &c.labels {
                w.write_all(&(*v as i32).to_le_bytes())?;
            }
            w.write_all(&txt)?;
            w.write_all(b"</lbl>")?;
        }
        w.write_all(b"</value_labels>")?;
        self.map[12] = w.stream_position()?;
        w.write_all(b"</stata_dta>")?;
        self.map[13] = w.stream_position()?;
        w.seek(SeekFrom::Start(self.n_pos))?;
        w.write_all(&self.n.to_le_bytes())?;
        w.seek(SeekFrom::Start(self.map_pos))?;
        for m in self.map {
            w.write_all(&m.to_le_bytes())?;
        }
        w.seek(SeekFrom::End(0))?;
        w.flush()?;
        Ok(self.w)
    }
}
