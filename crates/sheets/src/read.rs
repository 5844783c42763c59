//! Reading spreadsheets as users keep them: .xlsx (streamed), .xls and .csv (UTF-8 or
//! GBK), recognised by their content, not their name. Rows arrive in chunks from a reader
//! thread, so parsing overlaps with validation and writing and memory stays bounded.

use crate::SheetError;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::mpsc::{sync_channel, Receiver};

/// One cell's value as the file holds it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Empty,
    Text(String),
    Number(f64),
    /// A cell formatted as a date (Excel keeps dates as serial numbers plus a format).
    Date(chrono::NaiveDateTime),
    Bool(bool),
}

impl Value {
    pub fn is_empty(&self) -> bool {
        match self {
            Value::Empty => true,
            Value::Text(s) => s.trim().is_empty(),
            _ => false,
        }
    }
    /// The value as a user would read it in the cell.
    pub fn display(&self) -> String {
        match self {
            Value::Empty => String::new(),
            Value::Text(s) => s.trim().to_string(),
            Value::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{}", *n as i64),
            Value::Number(n) => n.to_string(),
            Value::Date(d) if d.time() == chrono::NaiveTime::MIN => d.date().to_string(),
            Value::Date(d) => d.to_string(),
            Value::Bool(b) => if *b { "是" } else { "否" }.to_string(),
        }
    }
}

/// A row with its number as Excel shows it (1-based).
#[derive(Debug, Clone)]
pub struct SheetRow {
    pub number: u32,
    pub cells: Vec<Value>,
}

impl SheetRow {
    pub fn is_blank(&self) -> bool {
        self.cells.iter().all(Value::is_empty)
    }
}

/// What kind of file this is, by its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Xlsx,
    Xls,
    Csv,
}

/// Longest text a cell may hold (Excel's own limit); longer means the file is not a table.
const MAX_CELL_CHARS: usize = 32_767;
/// Rows per chunk sent from the reader thread.
const CHUNK: usize = 1024;

/// Recognises the format from the content. A Word document or anything else renamed
/// .xlsx is refused here with what it really is.
pub fn sniff(path: &Path) -> Result<Format, SheetError> {
    let name = path.display().to_string();
    let mut f = std::fs::File::open(path).map_err(|e| SheetError::Io { file: name.clone(), reason: e.to_string() })?;
    let len = f.metadata().map(|m| m.len()).unwrap_or(0);
    if len == 0 {
        return Err(SheetError::File { file: name, reason: "文件是空的（0字节），请确认选择了正确的文件并已保存".into() });
    }
    let mut head = [0u8; 8];
    let n = f.read(&mut head).unwrap_or(0);
    if n >= 4 && head[..4] == [0x50, 0x4B, 0x03, 0x04] {
        // A zip container: look at the entry names stored in its central directory.
        let tail_len = len.min(1 << 20);
        f.seek(SeekFrom::End(-(tail_len as i64))).map_err(|e| SheetError::Io { file: name.clone(), reason: e.to_string() })?;
        let mut tail = Vec::with_capacity(tail_len as usize);
        f.take(tail_len).read_to_end(&mut tail).map_err(|e| SheetError::Io { file: name.clone(), reason: e.to_string() })?;
        let has = |s: &[u8]| tail.windows(s.len()).any(|w| w == s);
        if has(b"xl/workbook") {
            return Ok(Format::Xlsx);
        }
        let what = if has(b"word/document") {
            "这是一个Word文档（.docx），不是Excel工作簿"
        } else if has(b"ppt/presentation") {
            "这是一个PowerPoint演示文稿（.pptx），不是Excel工作簿"
        } else if has(b"content.xml") {
            "这是一个OpenDocument文件（.ods/.odt），请在WPS或LibreOffice中另存为.xlsx"
        } else {
            "这是一个压缩包（.zip），不是Excel工作簿"
        };
        return Err(SheetError::File { file: name, reason: format!("{what}；请用Excel或WPS打开名册后另存为.xlsx再导入") });
    }
    if n >= 8 && head == [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1] {
        return Ok(Format::Xls);
    }
    // Excel's "Unicode 文本" is UTF-16 with a BOM (tab-separated): text, though full of NULs.
    if n >= 2 && (head[..2] == [0xFF, 0xFE] || head[..2] == [0xFE, 0xFF]) {
        return Ok(Format::Csv);
    }
    // Text: refuse binary content (NUL bytes) rather than reading garbage as rows.
    let mut probe = vec![0u8; 8192.min(len as usize)];
    f.seek(SeekFrom::Start(0)).ok();
    let m = f.read(&mut probe).unwrap_or(0);
    if probe[..m].contains(&0) {
        return Err(SheetError::File {
            file: name,
            reason: "无法识别的文件格式（不是.xlsx、.xls或.csv）；请用Excel或WPS另存为.xlsx再导入".into(),
        });
    }
    Ok(Format::Csv)
}

/// Rows of the first worksheet whose first rows contain a header `accept` recognises
/// (CSV files have one sheet). Rows arrive in order, chunk by chunk.
pub struct Rows {
    rx: Receiver<Result<Vec<SheetRow>, SheetError>>,
    pending: std::vec::IntoIter<SheetRow>,
    /// A row handed back by [`Rows::unread`] (a header looked one row ahead).
    back: Option<SheetRow>,
    pub format: Format,
    pub sheet: String,
    /// Every sheet of the workbook, in order (one empty name for CSV).
    pub sheets: Vec<String>,
}

impl Rows {
    /// Puts a row back: the next [`Rows::next_row`] returns it again.
    pub fn unread(&mut self, row: SheetRow) {
        self.back = Some(row);
    }
    pub fn next_row(&mut self) -> Result<Option<SheetRow>, SheetError> {
        if let Some(r) = self.back.take() {
            return Ok(Some(r));
        }
        loop {
            if let Some(r) = self.pending.next() {
                return Ok(Some(r));
            }
            match self.rx.recv() {
                Ok(Ok(chunk)) => self.pending = chunk.into_iter(),
                Ok(Err(e)) => return Err(e),
                Err(_) => return Ok(None),
            }
        }
    }
}

/// Opens a file and streams its rows. `pick_sheet` chooses among sheet names for
/// workbooks (given all names, returns the index to read).
pub fn open(path: &Path, pick_sheet: impl FnOnce(&[String]) -> usize + Send + 'static) -> Result<Rows, SheetError> {
    let format = sniff(path)?;
    let file = path.display().to_string();
    let shown = file.clone();
    let (tx, rx) = sync_channel::<Result<Vec<SheetRow>, SheetError>>(4);
    let (name_tx, name_rx) = sync_channel::<Result<(String, Vec<String>), SheetError>>(1);
    let path = path.to_path_buf();
    std::thread::spawn(move || {
        let send_rows = |rows: &mut Vec<SheetRow>| -> bool {
            let chunk = std::mem::replace(rows, Vec::with_capacity(CHUNK));
            tx.send(Ok(chunk)).is_ok()
        };
        let fail = |e: SheetError| {
            let _ = tx.send(Err(e));
        };
        match format {
            Format::Xlsx => {
                if let Err(e) = check_xlsx_sizes(&path, &file) {
                    let _ = name_tx.send(Err(e));
                    return;
                }
                let (mut wb, sheet) = match open_book::<calamine::Xlsx<_>>(&path, &file, pick_sheet) {
                    Ok(x) => x,
                    Err(e) => {
                        let _ = name_tx.send(Err(e));
                        return;
                    }
                };
                let _ = name_tx.send(Ok((sheet.clone(), calamine::Reader::sheet_names(&wb))));
                let mut reader = match wb.worksheet_cells_reader(&sheet) {
                    Ok(r) => r,
                    Err(_) => return fail(broken(&file)),
                };
                let mut rows = Vec::with_capacity(CHUNK);
                let mut current: Option<SheetRow> = None;
                loop {
                    let cell = match reader.next_cell() {
                        Ok(Some(c)) => c,
                        Ok(None) => break,
                        Err(_) => return fail(broken(&file)),
                    };
                    let (r, c) = cell.get_position();
                    let v = from_data_ref(cell.get_value());
                    if current.as_ref().is_none_or(|row| row.number != r + 1) {
                        if let Some(done) = current.take() {
                            rows.push(done);
                            if rows.len() >= CHUNK && !send_rows(&mut rows) {
                                return;
                            }
                        }
                        current = Some(SheetRow { number: r + 1, cells: Vec::new() });
                    }
                    let row = current.as_mut().expect("set above");
                    if let Value::Text(s) = &v {
                        if s.chars().count() > MAX_CELL_CHARS {
                            return fail(too_long(&file, r + 1));
                        }
                    }
                    let c = c as usize;
                    if row.cells.len() <= c {
                        row.cells.resize(c + 1, Value::Empty);
                    }
                    row.cells[c] = v;
                }
                rows.extend(current);
                send_rows(&mut rows);
            }
            Format::Xls => {
                if let Err(e) = check_xls_header(&path, &file) {
                    let _ = name_tx.send(Err(e));
                    return;
                }
                let (mut wb, sheet) = match open_book::<calamine::Xls<_>>(&path, &file, pick_sheet) {
                    Ok(x) => x,
                    Err(e) => {
                        let _ = name_tx.send(Err(e));
                        return;
                    }
                };
                let _ = name_tx.send(Ok((sheet.clone(), calamine::Reader::sheet_names(&wb))));
                let range = match calamine::Reader::worksheet_range(&mut wb, &sheet) {
                    Ok(r) => r,
                    Err(_) => return fail(broken(&file)),
                };
                let (r0, c0) = range.start().unwrap_or((0, 0));
                let mut rows = Vec::with_capacity(CHUNK);
                for (i, row) in range.rows().enumerate() {
                    let mut cells = vec![Value::Empty; c0 as usize];
                    cells.extend(row.iter().map(from_data));
                    rows.push(SheetRow { number: r0 + i as u32 + 1, cells });
                    if rows.len() >= CHUNK && !send_rows(&mut rows) {
                        return;
                    }
                }
                send_rows(&mut rows);
            }
            Format::Csv => {
                let _ = name_tx.send(Ok((String::new(), vec![String::new()])));
                let f = match std::fs::File::open(&path) {
                    Ok(f) => f,
                    Err(e) => return fail(SheetError::Io { file, reason: e.to_string() }),
                };
                let mut buf = BufReader::with_capacity(1 << 16, f);
                let encoding = match detect_encoding(&mut buf) {
                    Ok(e) => e,
                    Err(e) => return fail(SheetError::Io { file, reason: e.to_string() }),
                };
                let delimiter = match sniff_delimiter(&mut buf, encoding) {
                    Ok(d) => d,
                    Err(e) => return fail(SheetError::Io { file, reason: e.to_string() }),
                };
                let decoded = encoding_rs_io::DecodeReaderBytesBuilder::new().encoding(Some(encoding)).bom_sniffing(true).build(buf);
                let last_byte = std::rc::Rc::new(std::cell::Cell::new(b'\n'));
                let tail = Tail { inner: decoded, last: last_byte.clone() };
                // Only '\n' ends a line, so that a row's number is its line as a text editor
                // and Excel count it (csv's CRLF mode counts the '\n' of "\r\n" one record
                // late); the '\r' left at a row's end is trimmed below.
                let mut csv = csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).terminator(csv::Terminator::Any(b'\n')).from_reader(tail);
                let mut rows = Vec::with_capacity(CHUNK);
                let mut record = csv::StringRecord::new();
                // The record read last and the line after it, emitted once the next read
                // tells whether it was the file's last line without a final newline.
                let mut held: Option<(Vec<Value>, u64)> = None;
                let mut number = 0u32;
                loop {
                    let more = match csv.read_record(&mut record) {
                        Ok(m) => m,
                        Err(e) => {
                            return fail(SheetError::File { file, reason: format!("第{}行无法按CSV读取（{e}）；请用Excel或WPS打开后另存为.xlsx再导入", number + 1) })
                        }
                    };
                    if let Some((cells, start)) = held.take() {
                        // Ended by EOF, not by a newline: its last line is the one the reader is on.
                        let start = if !more && last_byte.get() != b'\n' { start + 1 } else { start };
                        number = start as u32;
                        if cells.iter().any(|v| matches!(v, Value::Text(t) if t.chars().count() > MAX_CELL_CHARS)) {
                            return fail(too_long(&file, number));
                        }
                        rows.push(SheetRow { number, cells });
                        if rows.len() >= CHUNK && !send_rows(&mut rows) {
                            return;
                        }
                    }
                    if !more {
                        break;
                    }
                    let inside: u64 = record.iter().map(|f| f.matches('\n').count() as u64).sum();
                    let start = csv.position().line().saturating_sub(inside + 1).max(1);
                    let cells = record
                        .iter()
                        .map(|s| {
                            let s = s.strip_suffix('\r').unwrap_or(s);
                            if s.trim().is_empty() { Value::Empty } else { Value::Text(s.to_string()) }
                        })
                        .collect();
                    held = Some((cells, start));
                }
                send_rows(&mut rows);
            }
        }
    });
    let (sheet, sheets) = name_rx.recv().map_err(|_| SheetError::File { file: shown, reason: "读取线程意外中止".into() })??;
    Ok(Rows { rx, pending: Vec::new().into_iter(), back: None, format, sheet, sheets })
}

/// The field separator of a text table, from its first 64 KiB: a comma, unless tabs (Excel's
/// "文本文件（制表符分隔）" and "Unicode 文本") or semicolons are clearly what separates the
/// fields of its first lines.
fn sniff_delimiter<R: std::io::BufRead + Seek>(buf: &mut R, encoding: &'static encoding_rs::Encoding) -> std::io::Result<u8> {
    let mut head = vec![0u8; 1 << 16];
    let mut n = 0;
    while n < head.len() {
        let k = buf.read(&mut head[n..])?;
        if k == 0 {
            break;
        }
        n += k;
    }
    buf.seek(SeekFrom::Start(0))?;
    let (text, _, _) = encoding.decode(&head[..n]);
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).take(20).collect();
    // Count outside quotes; the separator is the one present on most lines, most often.
    let count = |line: &str, d: char| {
        let mut quoted = false;
        line.chars().filter(|c| {
            if *c == '"' {
                quoted = !quoted;
            }
            !quoted && *c == d
        }).count()
    };
    let score = |d: char| -> (usize, usize) { (lines.iter().filter(|l| count(l, d) > 0).count(), lines.iter().map(|l| count(l, d)).sum()) };
    let (comma, tab, semi) = (score(','), score('\t'), score(';'));
    Ok(if tab > comma && tab >= semi { b'\t' } else if semi > comma && semi > tab { b';' } else { b',' })
}

/// Rows and columns hidden in a sheet of an .xlsx (Excel numbers and letters), from the
/// sheet's XML: calamine reads their cells but not whether they show. Files over `max`
/// bytes are not scanned (`None`).
pub fn hidden_in_xlsx(path: &Path, sheet: &str, max: u64) -> Option<(Vec<u32>, Vec<String>)> {
    if std::fs::metadata(path).ok()?.len() > max {
        return None;
    }
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).ok()?).ok()?;
    let mut text = |name: &str| -> Option<String> {
        let mut s = String::new();
        zip.by_name(name).ok()?.read_to_string(&mut s).ok()?;
        Some(s)
    };
    // An attribute of a start tag's text (what follows "<row " up to ">").
    let attr = |tag: &str, name: &str| -> Option<String> {
        let tag = format!(" {tag}");
        let at = tag.find(&format!(" {name}=\""))? + name.len() + 3;
        Some(tag[at..].split('"').next()?.to_string())
    };
    // The sheet's part: workbook.xml names it by r:id, the relationships give its path.
    let workbook = text("xl/workbook.xml")?;
    let rid = workbook.split("<sheet ").skip(1).find(|t| attr(t, "name").as_deref().map(unescape).as_deref() == Some(sheet)).and_then(|t| attr(t, "r:id"))?;
    let rels = text("xl/_rels/workbook.xml.rels")?;
    let target = rels.split("<Relationship ").skip(1).find(|t| attr(t, "Id").as_deref() == Some(rid.as_str())).and_then(|t| attr(t, "Target"))?;
    let part = target.strip_prefix('/').map(str::to_string).unwrap_or_else(|| format!("xl/{target}"));
    let xml = text(&part)?;
    let hidden = |t: &str| matches!(attr(t, "hidden").as_deref(), Some("1") | Some("true"));
    let rows = xml.split("<row ").skip(1).map(|t| t.split('>').next().unwrap_or("")).filter(|t| hidden(t)).filter_map(|t| attr(t, "r")?.parse().ok()).collect();
    let mut cols = Vec::new();
    for t in xml.split("<col ").skip(1).map(|t| t.split('>').next().unwrap_or("")).filter(|t| hidden(t)) {
        if let (Some(a), Some(b)) = (attr(t, "min").and_then(|v| v.parse::<usize>().ok()), attr(t, "max").and_then(|v| v.parse::<usize>().ok())) {
            cols.extend((a..=b.min(a + 50)).map(|c| crate::columns::column_letter(c - 1)));
        }
    }
    Some((rows, cols))
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&apos;", "'").replace("&amp;", "&")
}

/// A reader that remembers the last byte it gave out (whether the file ends with a newline).
struct Tail<R> {
    inner: R,
    last: std::rc::Rc<std::cell::Cell<u8>>,
}

impl<R: Read> Read for Tail<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n > 0 {
            self.last.set(buf[n - 1]);
        }
        Ok(n)
    }
}

/// A part of an .xlsx larger than this that is also compressed more than [`MAX_RATIO`]
/// times is refused before anything is decoded: a "zip bomb", or one enormous cell, would
/// otherwise be unpacked into memory whole (calamine reads the shared strings at once).
const BIG_PART: u64 = 16 * 1024 * 1024;
const MAX_RATIO: u64 = 200;
/// No part may unpack to more than this at all.
const MAX_PART: u64 = 4 * 1024 * 1024 * 1024;

/// Checks an .xlsx's parts by their sizes in the zip directory, before reading any.
pub fn check_xlsx_sizes(path: &Path, file: &str) -> Result<(), SheetError> {
    let f = std::fs::File::open(path).map_err(|e| SheetError::Io { file: file.to_string(), reason: e.to_string() })?;
    check_xlsx_sizes_of(f, file)
}

/// The same for an .xlsx already in memory or any other seekable source (an upload).
pub fn check_xlsx_sizes_of(source: impl Read + Seek, file: &str) -> Result<(), SheetError> {
    let mut zip = zip::ZipArchive::new(source).map_err(|_| broken(file))?;
    for i in 0..zip.len() {
        let entry = zip.by_index_raw(i).map_err(|_| broken(file))?;
        let (size, packed) = (entry.size(), entry.compressed_size().max(1));
        let mb = |b: u64| b as f64 / 1_048_576.0;
        if size > MAX_PART || (size > BIG_PART && size / packed > MAX_RATIO) {
            return Err(SheetError::File {
                file: file.to_string(),
                reason: format!(
                    "文件中的 {} 解压后有 {:.0} MB，是压缩后大小的 {} 倍，像是“压缩炸弹”或含有异常巨大的单元格，为保护服务器不予读取：请检查文件内容，或另存为 CSV 后再导入",
                    entry.name().map(|n| n.to_string()).unwrap_or_default(),
                    mb(size),
                    size / packed
                ),
            });
        }
    }
    Ok(())
}

/// Checks an .xls's compound-file structure before calamine reads it: a sector size other
/// than the format's two, a sector chain that loops or leaves the file, or a stream longer
/// than the file make the reader grow a buffer until the process aborts (found by the
/// fuzz tests), so such a file is refused first. Reads the file once, by sectors.
pub fn check_xls_header(path: &Path, file: &str) -> Result<(), SheetError> {
    let bad = || SheetError::File { file: file.to_string(), reason: "文件不是完整的 Excel 97-2003 工作簿（文件结构已损坏）：请用 Excel 或 WPS 打开后另存为 .xlsx 再导入".into() };
    let bytes = std::fs::read(path).map_err(|e| SheetError::Io { file: file.to_string(), reason: e.to_string() })?;
    cfb_is_sound(&bytes).then_some(()).ok_or_else(bad)
}

/// The same for an .xls already in memory (an upload).
pub fn check_xls_bytes(bytes: &[u8], file: &str) -> Result<(), SheetError> {
    cfb_is_sound(bytes).then_some(()).ok_or_else(|| SheetError::File { file: file.to_string(), reason: "文件不是完整的 Excel 97-2003 工作簿（文件结构已损坏）：请用 Excel 或 WPS 打开后另存为 .xlsx 再上传".into() })
}

/// The compound file's header, FAT and chains are within the file and acyclic.
fn cfb_is_sound(b: &[u8]) -> bool {
    const END: u32 = 0xFFFF_FFFE;
    let u16_at = |i: usize| b.get(i..i + 2).map(|x| u16::from_le_bytes([x[0], x[1]]));
    let u32_at = |i: usize| b.get(i..i + 4).map(|x| u32::from_le_bytes([x[0], x[1], x[2], x[3]]));
    if b.len() < 512 || b[..8] != [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1] {
        return false;
    }
    let shift = match (u16_at(26), u16_at(30)) {
        (Some(3), Some(9)) => 9,
        (Some(4), Some(12)) => 12,
        _ => return false,
    };
    if u16_at(32) != Some(6) {
        return false;
    }
    let size = 1usize << shift;
    let sectors = (b.len().saturating_sub(512) / size) as u32;
    let sector = |id: u32| -> Option<&[u8]> {
        let start = (id as usize + 1) * size;
        b.get(start..start + size)
    };
    // The FAT sectors: 109 in the header, the rest in the DIFAT chain.
    let mut fat_ids: Vec<u32> = (0..109).filter_map(|k| u32_at(76 + 4 * k)).filter(|id| *id < sectors).collect();
    let mut difat = u32_at(68).unwrap_or(END);
    let mut guard = 0;
    while difat < sectors {
        guard += 1;
        if guard > sectors {
            return false;
        }
        let Some(s) = sector(difat) else { return false };
        let n = size / 4;
        fat_ids.extend((0..n - 1).map(|k| u32::from_le_bytes([s[4 * k], s[4 * k + 1], s[4 * k + 2], s[4 * k + 3]])).filter(|id| *id < sectors));
        difat = u32::from_le_bytes([s[4 * (n - 1)], s[4 * (n - 1) + 1], s[4 * (n - 1) + 2], s[4 * (n - 1) + 3]]);
    }
    let mut fat: Vec<u32> = Vec::with_capacity(fat_ids.len() * size / 4);
    for id in fat_ids {
        let Some(s) = sector(id) else { return false };
        fat.extend(s.chunks_exact(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])));
    }
    // A chain ends, stays within the file and the FAT, and never comes back on itself.
    let walk = |mut id: u32| -> Option<usize> {
        let mut n = 0usize;
        while id != END {
            if id >= sectors || id as usize >= fat.len() || n > sectors as usize {
                return None;
            }
            n += 1;
            id = fat[id as usize];
        }
        Some(n)
    };
    let Some(dir_sectors) = u32_at(48).and_then(walk) else { return false };
    // Directory entries: every stream stored in big sectors fits its chain and the file.
    let cutoff = u32_at(56).unwrap_or(4096) as u64;
    let mut id = u32_at(48).unwrap_or(END);
    let mut book: Option<(u32, u64)> = None;
    let mut root: Option<u32> = None;
    for _ in 0..dir_sectors {
        let Some(s) = sector(id) else { return false };
        for e in s.chunks_exact(128) {
            let kind = e[66];
            let name_len = (u16::from_le_bytes([e[64], e[65]]) as usize).min(64);
            let name: Vec<u16> = e[..name_len].chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).take_while(|c| *c != 0).collect();
            let name = String::from_utf16_lossy(&name);
            let start = u32::from_le_bytes([e[116], e[117], e[118], e[119]]);
            let len = u64::from_le_bytes([e[120], e[121], e[122], e[123], e[124], e[125], e[126], e[127]]) & if shift == 9 { 0xFFFF_FFFF } else { u64::MAX };
            if len > b.len() as u64 {
                return false;
            }
            let big = kind == 5 || (kind == 2 && len >= cutoff);
            if big && len > 0 {
                match walk(start) {
                    Some(n) if (n as u64) * size as u64 >= len => {}
                    _ => return false,
                }
            }
            if kind == 5 {
                root = Some(start);
            }
            if kind == 2 && (name == "Workbook" || name == "Book") {
                book = Some((start, len));
            }
        }
        id = fat[id as usize];
    }
    // The mini FAT's own chain.
    let mini = u32_at(60).unwrap_or(END);
    if mini != END && walk(mini).is_none() {
        return false;
    }
    // The workbook stream's declared sheet sizes (DIMENSIONS records): the reader reserves
    // room for rows × columns cells at once.
    let chain = |mut id: u32, fat: &[u32], read: &dyn Fn(u32) -> Option<Vec<u8>>, limit: usize| -> Option<Vec<u8>> {
        let mut out = Vec::new();
        let mut n = 0;
        while id != END && out.len() < limit {
            n += 1;
            if id as usize >= fat.len() || n > fat.len() {
                return None;
            }
            out.extend(read(id)?);
            id = fat[id as usize];
        }
        out.truncate(limit);
        Some(out)
    };
    let big_sector = |id: u32| sector(id).map(<[u8]>::to_vec);
    let stream = match book {
        None => return true,
        Some((start, len)) if len as u64 >= cutoff => chain(start, &fat, &big_sector, len as usize),
        Some((start, len)) => {
            // Small streams live in the mini stream (the root entry's chain), in 64-byte sectors.
            let mini_fat: Vec<u32> = match chain(mini, &fat, &big_sector, usize::MAX) {
                Some(m) => m.chunks_exact(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect(),
                None => return false,
            };
            let Some(ministream) = root.and_then(|r| chain(r, &fat, &big_sector, usize::MAX)) else { return false };
            let mini_sector = |id: u32| ministream.get(id as usize * 64..id as usize * 64 + 64).map(<[u8]>::to_vec);
            chain(start, &mini_fat, &mini_sector, len as usize)
        }
    };
    let Some(stream) = stream else { return false };
    dimensions_are_sane(&stream)
}

/// Every DIMENSIONS record of a BIFF stream declares at most [`MAX_XLS_CELLS`] cells, with
/// its first row before its last, and the cells each sheet holds span no more than that
/// (the reader lays a sheet's cells out as one rectangle from the first to the last).
fn dimensions_are_sane(stream: &[u8]) -> bool {
    let mut pos = 0usize;
    // The rectangle of the current sheet's cells: (first row, last row, first col, last col).
    let mut span: Option<(u64, u64, u64, u64)> = None;
    let too_big = |s: Option<(u64, u64, u64, u64)>| s.is_some_and(|(r0, r1, c0, c1)| (r1 - r0 + 1) * (c1 - c0 + 1) > MAX_XLS_CELLS);
    while pos + 4 <= stream.len() {
        let typ = u16::from_le_bytes([stream[pos], stream[pos + 1]]);
        let len = u16::from_le_bytes([stream[pos + 2], stream[pos + 3]]) as usize;
        let Some(d) = stream.get(pos + 4..pos + 4 + len) else { return true };
        if typ == 0x0200 {
            let u16_at = |i: usize| u16::from_le_bytes([d[i], d[i + 1]]) as u64;
            let u32_at = |i: usize| u32::from_le_bytes([d[i], d[i + 1], d[i + 2], d[i + 3]]) as u64;
            let (rf, rl, cf, cl) = match len {
                10 => (u16_at(0), u16_at(2), u16_at(4), u16_at(6)),
                14 | 16 => (u32_at(0), u32_at(4), u16_at(8), u16_at(10)),
                _ => (0, 0, 0, 0),
            };
            let cf = if cf > 0xFF || cl < cf { 0 } else { cf };
            if rl >= 1 && cl >= 1 && (rf >= rl || (rl - rf) * (cl - cf) > MAX_XLS_CELLS) {
                return false;
            }
        }
        // Cell records start with their row and column (MULRK also ends with its last column).
        if matches!(typ, 0x0203 | 0x0204 | 0x00D6 | 0x0205 | 0x0006 | 0x027E | 0x00FD | 0x00BD | 0x0201 | 0x00BE) && len >= 4 {
            let row = u16::from_le_bytes([d[0], d[1]]) as u64;
            let col = u16::from_le_bytes([d[2], d[3]]) as u64;
            let last = if matches!(typ, 0x00BD | 0x00BE) && len >= 6 { u16::from_le_bytes([d[len - 2], d[len - 1]]) as u64 } else { col };
            let (c0, c1) = (col.min(last), col.max(last));
            span = Some(match span {
                None => (row, row, c0, c1),
                Some((r0, r1, a, b)) => (r0.min(row), r1.max(row), a.min(c0), b.max(c1)),
            });
            if too_big(span) {
                return false;
            }
        }
        // A new substream (BOF) starts a new sheet's rectangle.
        if typ == 0x0809 {
            span = None;
        }
        pos += 4 + len;
    }
    true
}

/// The most cells an .xls sheet may declare (an Excel 97-2003 sheet holds at most
/// 65 536 × 256; a roster is far smaller).
const MAX_XLS_CELLS: u64 = 4_000_000;

/// Opens a workbook and picks the sheet to read.
fn open_book<W>(path: &Path, file: &str, pick: impl FnOnce(&[String]) -> usize) -> Result<(W, String), SheetError>
where
    W: calamine::Reader<BufReader<std::fs::File>>,
    W::Error: std::fmt::Display,
{
    let wb: W = calamine::open_workbook(path).map_err(|_: W::Error| broken(file))?;
    let names = wb.sheet_names();
    if names.is_empty() {
        return Err(SheetError::File { file: file.to_string(), reason: "工作簿中没有工作表".into() });
    }
    let sheet = names[pick(&names).min(names.len() - 1)].clone();
    Ok((wb, sheet))
}

/// A file the reader could not make sense of. The reader's own text (calamine's, zip's)
/// is English and says nothing a user can act on, so it is not passed on.
fn broken(file: &str) -> SheetError {
    SheetError::File { file: file.to_string(), reason: "文件已损坏或不是有效的Excel工作簿；请用Excel或WPS打开后另存为.xlsx再导入".into() }
}

fn too_long(file: &str, row: u32) -> SheetError {
    SheetError::File {
        file: file.to_string(),
        reason: format!("第{row}行有单元格超过{MAX_CELL_CHARS}个字符，这不像一份名册；请检查是否选错了文件"),
    }
}

/// The encoding of a CSV file, judged on the whole file: UTF-8 (with or without BOM)
/// when it decodes as UTF-8, or when its valid multi-byte UTF-8 characters outnumber the
/// bytes that are not UTF-8 (a UTF-8 file with a few damaged bytes stays UTF-8, and the
/// damaged cells are reported); otherwise GB 18030 (a superset of GBK and GB 2312).
fn detect_encoding<R: std::io::BufRead + Seek>(buf: &mut R) -> std::io::Result<&'static encoding_rs::Encoding> {
    match buf.fill_buf()? {
        [0xFF, 0xFE, ..] => return Ok(encoding_rs::UTF_16LE),
        [0xFE, 0xFF, ..] => return Ok(encoding_rs::UTF_16BE),
        _ => {}
    }
    let (mut good, mut bad) = (0u64, 0u64);
    let mut carry: Vec<u8> = Vec::new();
    loop {
        let chunk = buf.fill_buf()?;
        if chunk.is_empty() {
            bad += carry.len() as u64;
            break;
        }
        let n = chunk.len();
        let mut data = std::mem::take(&mut carry);
        data.extend_from_slice(chunk);
        buf.consume(n);
        let mut rest: &[u8] = &data;
        loop {
            match std::str::from_utf8(rest) {
                Ok(s) => {
                    good += s.chars().filter(|c| !c.is_ascii()).count() as u64;
                    break;
                }
                Err(e) => {
                    let (ok, tail) = rest.split_at(e.valid_up_to());
                    good += std::str::from_utf8(ok).map(|s| s.chars().filter(|c| !c.is_ascii()).count() as u64).unwrap_or(0);
                    match e.error_len() {
                        Some(l) => {
                            bad += l as u64;
                            rest = &tail[l..];
                        }
                        // A character cut at the chunk's end: finish it with the next chunk.
                        None => {
                            carry = tail.to_vec();
                            break;
                        }
                    }
                }
            }
        }
    }
    buf.seek(SeekFrom::Start(0))?;
    Ok(if bad == 0 || good > bad { encoding_rs::UTF_8 } else { encoding_rs::GB18030 })
}

fn from_data_ref(d: &calamine::DataRef<'_>) -> Value {
    use calamine::DataRef as D;
    match d {
        D::Int(i) => Value::Number(*i as f64),
        D::Float(f) => Value::Number(*f),
        D::String(s) => text(s),
        D::SharedString(s) => text(s),
        D::Bool(b) => Value::Bool(*b),
        D::DateTime(dt) => dt.as_datetime().map(Value::Date).unwrap_or(Value::Number(dt.as_f64())),
        D::DateTimeIso(s) => iso(s),
        D::DurationIso(s) => Value::Text(s.clone()),
        D::Error(_) | D::Empty => Value::Empty,
    }
}

fn from_data(d: &calamine::Data) -> Value {
    use calamine::Data as D;
    match d {
        D::Int(i) => Value::Number(*i as f64),
        D::Float(f) => Value::Number(*f),
        D::String(s) => text(s),
        D::Bool(b) => Value::Bool(*b),
        D::DateTime(dt) => dt.as_datetime().map(Value::Date).unwrap_or(Value::Number(dt.as_f64())),
        D::DateTimeIso(s) => iso(s),
        D::DurationIso(s) => Value::Text(s.clone()),
        D::Error(_) | D::Empty => Value::Empty,
    }
}

fn text(s: &str) -> Value {
    if s.trim().is_empty() {
        Value::Empty
    } else {
        Value::Text(s.to_string())
    }
}

fn iso(s: &str) -> Value {
    chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S")
        .ok()
        .or_else(|| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok().map(|d| d.and_time(chrono::NaiveTime::MIN)))
        .map(Value::Date)
        .unwrap_or_else(|| Value::Text(s.to_string()))
}
