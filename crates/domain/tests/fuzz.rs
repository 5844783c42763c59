//! Fuzz targets (proptest; cargo-fuzz needs a nightly toolchain this machine does not
//! have): citizen IDs and dates as users type them. Whatever the input, the readers answer
//! Ok or a Chinese error naming the field, never panic; what they accept reads back the
//! same. `bench/fuzz.sh` runs them longer (PROPTEST_CASES).

use domain::{dates, CitizenId, Date};
use proptest::prelude::*;

fn day() -> impl Strategy<Value = Date> {
    (1900i32..2030, 1u32..=12, 1u32..=31).prop_filter_map("a real day", |(y, m, d)| Date::from_ymd_opt(y, m, d))
}

proptest! {
    #[test]
    fn citizen_ids_never_panic(s in "\\PC{0,40}") {
        if let Err(e) = CitizenId::parse(&s) {
            prop_assert!(!e.message.is_empty() && !e.message.is_ascii());
        }
    }

    #[test]
    fn citizen_ids_of_digits_never_panic(s in "[0-9xX ]{0,24}") {
        let _ = CitizenId::parse(&s);
    }

    #[test]
    fn composed_ids_read_back(birth in day(), seq in 0u16..1000) {
        let id = CitizenId::compose("330122", birth, seq);
        let back = CitizenId::parse(id.reveal()).unwrap();
        prop_assert_eq!(back.reveal(), id.reveal());
    }

    #[test]
    fn dates_never_panic(s in "\\PC{0,30}") {
        for r in [dates::parse_day("d", "日期", &s).map(|_| ()), dates::parse_partial("d", "日期", &s).map(|_| ())] {
            if let Err(e) = r {
                prop_assert!(!e.message.is_ascii(), "{}", e.message);
            }
        }
    }

    #[test]
    fn dates_of_digits_and_marks_never_panic(s in "[0-9./年月日 -]{0,16}") {
        let _ = dates::parse_day("d", "日期", &s);
        let _ = dates::parse_partial("d", "日期", &s);
    }

    #[test]
    fn days_as_people_write_them_read_back(d in day(), form in 0usize..6) {
        use chrono::Datelike;
        let (y, m, dd) = (d.year(), d.month(), d.day());
        let text = match form {
            0 => format!("{y}-{m:02}-{dd:02}"),
            1 => format!("{y}/{m}/{dd}"),
            2 => format!("{y}.{m}.{dd}"),
            3 => format!("{y}年{m}月{dd}日"),
            4 => format!("{y}{m:02}{dd:02}"),
            _ => format!(" {y}-{m}-{dd} "),
        };
        prop_assert_eq!(dates::parse_day("d", "日期", &text).unwrap(), d, "{}", text);
    }
}
