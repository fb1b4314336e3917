//! The period parser (`2024`, `2024-S1`, `2024-Q3`, `2024-06`): whatever it accepts must have
//! days and a kind without panicking, cover at least one day inside its year, and print back
//! to text that parses to the same period (the text itself may differ only if the parser
//! accepted a second spelling, which it must not).
#![no_main]

use chrono::Datelike;
use gender_data_hub::domain::periods::Period;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(period) = text.parse::<Period>() else { return };
    let _ = period.kind();
    let (first, last) = period.days();
    assert!(first <= last, "{text}: {first} after {last}");
    assert_eq!((first.year(), last.year()), (period.year, period.year), "{text}: {first}..{last}");
    let printed = period.to_string();
    assert_eq!(printed.parse::<Period>(), Ok(period), "{text} printed as {printed}");
    assert_eq!(printed, text, "{text} is a second spelling of {printed}");
});
