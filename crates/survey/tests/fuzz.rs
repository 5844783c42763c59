//! Fuzz targets (proptest) for the questionnaire readers: XLSForm workbooks with bytes
//! changed or cut, the Markdown form of XLSForm with arbitrary cells, and answers checked
//! on the server. They must answer a form or errors naming sheet, row and reason, never
//! panic. `bench/fuzz.sh` runs them longer.

use proptest::prelude::*;
use survey::xlsform::read_bytes;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/xlsform").join(name)).unwrap()
}

fn cell() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("begin_group".to_string()),
        Just("end_group".to_string()),
        Just("begin_repeat".to_string()),
        Just("end_repeat".to_string()),
        Just("select_one yn".to_string()),
        Just("integer".to_string()),
        Just("${q1} > 1".to_string()),
        Just("q1".to_string()),
        "[a-z_${}().=<>' 0-9]{0,12}",
        "\\PC{0,8}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(64), ..ProptestConfig::default() })]

    #[test]
    fn xlsx_forms_changed_here_and_there(edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..6), cut in proptest::option::of(0.0f64..1.0), which in 0usize..3) {
        let mut b = fixture(["group.xlsx", "choice_filter_test.xlsx", "or_other.xlsx"][which]);
        for (at, v) in &edits {
            let i = at % b.len();
            b[i] = *v;
        }
        if let Some(c) = cut {
            b.truncate((b.len() as f64 * c) as usize);
        }
        if let Err(e) = read_bytes(&b) {
            prop_assert!(!e.to_string().is_ascii());
        }
    }

    #[test]
    fn markdown_forms_of_any_cells(rows in proptest::collection::vec(proptest::collection::vec(cell(), 3..6), 0..25)) {
        let mut md = String::from("| survey |\n| | type | name | label | relevant | choice_filter |\n");
        for r in &rows {
            md.push_str(&format!("| | {} |\n", r.join(" | ")));
        }
        md.push_str("| choices |\n| | list_name | name | label |\n| | yn | y | 是 |\n| | yn | n | 否 |\n");
        let _ = read_bytes(md.as_bytes());
    }

    #[test]
    fn any_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = read_bytes(&bytes);
    }
}
