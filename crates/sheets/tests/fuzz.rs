//! Fuzz targets (proptest) for the spreadsheet readers: arbitrary bytes named .csv, and
//! real .xlsx and .xls files with bytes changed, truncated or spliced. The reader must
//! answer rows or a Chinese error, never panic or hang. `bench/fuzz.sh` runs them longer.

use proptest::prelude::*;
use std::path::{Path, PathBuf};

fn temp(name: &str) -> PathBuf {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let d = std::env::temp_dir().join(format!("dj_fuzz_{}_{}", std::process::id(), N.fetch_add(1, Ordering::SeqCst)));
    std::fs::create_dir_all(&d).unwrap();
    d.join(name)
}

/// Reads every row; an error must be a sentence in Chinese.
fn read_all(path: &Path) -> Result<usize, String> {
    let mut rows = sheets::read::open(path, |_| 0).map_err(|e| e.to_string())?;
    let mut n = 0;
    loop {
        match rows.next_row() {
            Ok(Some(_)) => n += 1,
            Ok(None) => return Ok(n),
            Err(e) => return Err(e.to_string()),
        }
    }
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/files").join(name)).unwrap()
}

fn check(bytes: &[u8], ext: &str) -> Result<(), TestCaseError> {
    let p = temp(&format!("f.{ext}"));
    std::fs::write(&p, bytes).unwrap();
    // The last input is kept where a crash can be replayed from (an abort cannot be caught).
    if let Ok(d) = std::env::var("DANGJIAN_FUZZ_LAST") {
        let _ = std::fs::write(format!("{d}.{ext}"), bytes);
    }
    if let Err(e) = read_all(&p) {
        prop_assert!(!e.is_ascii(), "an English error: {e}");
    }
    let _ = std::fs::remove_dir_all(p.parent().unwrap());
    Ok(())
}

/// A file with `edits` (position, byte) applied and cut at `cut` (as a share of its length).
fn mutate(mut b: Vec<u8>, edits: &[(usize, u8)], cut: Option<f64>) -> Vec<u8> {
    for (at, v) in edits {
        if !b.is_empty() {
            let i = at % b.len();
            b[i] = *v;
        }
    }
    if let Some(c) = cut {
        b.truncate((b.len() as f64 * c) as usize);
    }
    b
}

proptest! {
    #![proptest_config(ProptestConfig { cases: std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(64), ..ProptestConfig::default() })]

    #[test]
    fn csv_of_any_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2000)) {
        check(&bytes, "csv")?;
    }

    #[test]
    fn csv_of_roster_like_text(rows in proptest::collection::vec("[姓名身份证号,;\\t\"\\r\\n0-9xX党支部 ]{0,60}", 0..30)) {
        check(rows.join("\n").as_bytes(), "csv")?;
    }

    #[test]
    fn xlsx_changed_here_and_there(edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..8), cut in proptest::option::of(0.0f64..1.0)) {
        check(&mutate(fixture("libreoffice_roster.xlsx"), &edits, cut), "xlsx")?;
    }

    #[test]
    fn xls_changed_here_and_there(edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..8), cut in proptest::option::of(0.0f64..1.0)) {
        check(&mutate(fixture("libreoffice_roster.xls"), &edits, cut), "xls")?;
    }
}

/// Inputs that once aborted the process (the reader asked for tens of gigabytes and more):
/// a cell placed far from the others, and a DIMENSIONS record whose first row is past its
/// last. Both are now refused in Chinese before the reader sees them.
#[test]
fn inputs_that_once_crashed_are_refused() {
    for f in ["far_cell.xls", "huge_dimensions.xls"] {
        let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-crashes").join(f);
        let e = read_all(&p).expect_err(f);
        assert!(e.contains("文件结构已损坏"), "{f}: {e}");
    }
}
