//! SPSS system files (.sav), written to the PSPP system-file specification: uncompressed
//! cases, variable and value labels, long variable names (record 7.13), very long strings
//! (record 7.14: texts over 255 bytes split into 255-byte segments, as SPSS and ReadStat
//! do) and the UTF-8 character-encoding record (7.20, with character code 65001 in 7.3).
//! Cases stream to the file; the case count in the header is patched at the end.

use crate::columns::{Cell, ColKind, Column};
use std::io::{Seek, SeekFrom, Write};

/// Longest string SPSS stores (bytes); longer texts are cut at a character boundary (the
/// CSV/XLSX exports keep them whole). Answers are capped at 5 000 characters, well below.
pub const MAX_STRING: usize = 32_767;

/// (segment widths) of a string of `width` bytes: one up to 255, else ⌈width/252⌉
/// segments of 255 with the rest in the last.
fn segments(width: usize) -> Vec<usize> {
    if width <= 255 {
        return vec![width];
    }
    let n = width.div_ceil(252);
    let mut v = vec![255; n - 1];
    v.push(width - (n - 1) * 252);
    v
}

/// Bytes a string of `width` takes in a case.
fn storage(width: usize) -> usize {
    segments(width).iter().map(|w| w.div_ceil(8) * 8).sum()
}

pub struct SavWriter<W: Write + Seek> {
    w: W,
    /// Per column: 0 numeric, else string width in bytes.
    widths: Vec<usize>,
    /// Per column: a datetime (its seconds are counted from 1582-10-14, SPSS's epoch).
    datetime: Vec<bool>,
    cases: i32,
    pub truncated: u64,
}

fn i32le(w: &mut impl Write, v: i32) -> std::io::Result<()> {
    w.write_all(&v.to_le_bytes())
}

fn padded(s: &str, n: usize, pad: u8) -> Vec<u8> {
    let mut b = cut(s, n).as_bytes().to_vec();
    b.resize(n, pad);
    b
}

/// `s` cut to at most `n` bytes at a character boundary.
pub fn cut(s: &str, n: usize) -> &str {
    if s.len() <= n {
        return s;
    }
    let mut i = n;
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    &s[..i]
}

const SYSMIS: f64 = -f64::MAX;

impl<W: Write + Seek> SavWriter<W> {
    /// Writes the dictionary. `widths[i]`: the longest value of string column i in bytes.
    pub fn new(mut w: W, label: &str, cols: &[Column], string_bytes: &[usize]) -> std::io::Result<Self> {
        let widths: Vec<usize> = cols.iter().zip(string_bytes).map(|(c, n)| if c.kind == ColKind::Str { (*n).clamp(1, MAX_STRING) } else { 0 }).collect();
        let slots: usize = widths.iter().map(|w| if *w == 0 { 1 } else { storage(*w) / 8 }).sum();
        let now = chrono::Local::now();
        w.write_all(b"$FL2")?;
        w.write_all(&padded("@(#) SPSS DATA FILE dangjian", 60, b' '))?;
        i32le(&mut w, 2)?;
        i32le(&mut w, slots as i32)?;
        i32le(&mut w, 0)?;
        i32le(&mut w, 0)?;
        i32le(&mut w, -1)?;
        w.write_all(&100f64.to_le_bytes())?;
        w.write_all(now.format("%d %b %y").to_string().as_bytes())?;
        w.write_all(now.format("%H:%M:%S").to_string().as_bytes())?;
        w.write_all(&padded(label, 64, b' '))?;
        w.write_all(&[0u8; 3])?;

        let mut index = 1; // 1-based 8-byte slot index of each variable
        let mut first_index = Vec::new();
        for (i, (c, width)) in cols.iter().zip(&widths).enumerate() {
            first_index.push(index);
            let segs = if *width == 0 { vec![0] } else { segments(*width) };
            for (k, seg) in segs.iter().enumerate() {
                let fmt = match c.kind {
                    ColKind::Num { decimals } => (5 << 16) | (10 << 8) | decimals as i32,
                    // DATETIME20: dd-mmm-yyyy hh:mm:ss.
                    ColKind::DateTime => (22 << 16) | (20 << 8),
                    ColKind::Str => (1 << 16) | ((*seg as i32) << 8),
                };
                let labelled = k == 0;
                i32le(&mut w, 2)?;
                i32le(&mut w, *seg as i32)?;
                i32le(&mut w, labelled as i32)?;
                i32le(&mut w, 0)?;
                i32le(&mut w, fmt)?;
                i32le(&mut w, fmt)?;
                // Segments of a very long string share the variable's short name.
                w.write_all(&padded(&short_name(i), 8, b' '))?;
                if labelled {
                    let label = cut(&c.label, 255);
                    i32le(&mut w, label.len() as i32)?;
                    w.write_all(&padded(label, label.len().div_ceil(4) * 4, b' '))?;
                }
                let slots = if *seg == 0 { 1 } else { seg.div_ceil(8) };
                for _ in 1..slots {
                    for v in [2, -1, 0, 0, 0, 0] {
                        i32le(&mut w, v)?;
                    }
                    w.write_all(b"        ")?;
                }
                index += slots;
            }
        }
        for (i, c) in cols.iter().enumerate() {
            if c.labels.is_empty() || c.kind == ColKind::Str {
                continue;
            }
            i32le(&mut w, 3)?;
            i32le(&mut w, c.labels.len() as i32)?;
            for (v, l) in &c.labels {
                w.write_all(&v.to_le_bytes())?;
                let l = cut(l, 120);
                let total = (1 + l.len()).div_ceil(8) * 8;
                w.write_all(&[l.len() as u8])?;
                w.write_all(&padded(l, total - 1, b' '))?;
            }
            i32le(&mut w, 4)?;
            i32le(&mut w, 1)?;
            i32le(&mut w, first_index[i] as i32)?;
        }
        // 7.3 machine integer info: version, machine, IEEE floats, little-endian, UTF-8.
        for v in [7, 3, 4, 8, 1, 0, 0, -1, 1, 1, 2, 65001] {
            i32le(&mut w, v)?;
        }
        // 7.4 machine floating-point info: SYSMIS, HIGHEST, LOWEST.
        for v in [7, 4, 8, 3] {
            i32le(&mut w, v)?;
        }
        for f in [SYSMIS, f64::MAX, f64::from_bits(0xffef_ffff_ffff_fffe)] {
            w.write_all(&f.to_le_bytes())?;
        }
        // 7.13 long variable names.
        let names: Vec<String> = cols.iter().enumerate().map(|(i, c)| format!("{}={}", short_name(i), c.name)).collect();
        let names = names.join("\t");
        for v in [7, 13, 1, names.len() as i32] {
            i32le(&mut w, v)?;
        }
        w.write_all(names.as_bytes())?;
        // 7.14 very long strings: SHORT=WIDTH, each entry ended by NUL and tab.
        let vls: String = cols.iter().zip(&widths).enumerate().filter(|(_, (_, w))| **w > 255).map(|(i, (_, w))| format!("{}={w:05}\0\t", short_name(i))).collect();
        if !vls.is_empty() {
            for v in [7, 14, 1, vls.len() as i32] {
                i32le(&mut w, v)?;
            }
            w.write_all(vls.as_bytes())?;
        }
        // 7.20 character encoding.
        for v in [7, 20, 1, 5] {
            i32le(&mut w, v)?;
        }
        w.write_all(b"UTF-8")?;
        i32le(&mut w, 999)?;
        i32le(&mut w, 0)?;
        let datetime = cols.iter().map(|c| c.kind == ColKind::DateTime).collect();
        Ok(SavWriter { w, widths, datetime, cases: 0, truncated: 0 })
    }

    pub fn row(&mut self, cells: &[Cell]) -> std::io::Result<()> {
        for ((c, width), datetime) in cells.iter().zip(&self.widths).zip(&self.datetime) {
            match c {
                Cell::Num(v) => {
                    // 1582-10-14 to 1970-01-01: 12 219 379 200 seconds.
                    let v = if *datetime { v.map(|x| x + 12_219_379_200.0) } else { *v };
                    self.w.write_all(&v.filter(|x| x.is_finite()).unwrap_or(SYSMIS).to_le_bytes())?
                }
                Cell::Str(s) => {
                    if s.len() > *width {
                        self.truncated += 1;
                    }
                    let v = cut(s, *width).as_bytes();
                    if *width <= 255 {
                        let mut b = v.to_vec();
                        b.resize(width.max(&1).div_ceil(8) * 8, b' ');
                        self.w.write_all(&b)?;
                    } else {
                        // 255 bytes of the value per segment, each segment 256 bytes but the last.
                        let mut b = vec![b' '; storage(*width)];
                        for (k, chunk) in v.chunks(255).enumerate() {
                            b[k * 256..k * 256 + chunk.len()].copy_from_slice(chunk);
                        }
                        self.w.write_all(&b)?;
                    }
                }
            }
        }
        self.cases += 1;
        Ok(())
    }

    pub fn finish(mut self) -> std::io::Result<W> {
        self.w.seek(SeekFrom::Start(80))?;
        i32le(&mut self.w, self.cases)?;
        self.w.seek(SeekFrom::End(0))?;
        self.w.flush()?;
        Ok(self.w)
    }
}

fn short_name(i: usize) -> String {
    format!("V{:07}", i + 1)
}
