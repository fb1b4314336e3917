//! The CSV feed parser (`feeds::parse`, plain and SDMX-CSV), as the push endpoint and
//! `gender-data-hub import` call it. The first byte picks the row limit, so the "rows past
//! the limit are counted, not read" path is reached too; the rest is the file.
//!
//! Besides not panicking, what it returns must hold together: one row number per row read,
//! every row number and error row within the rows counted and the limit, numbers finite.
#![no_main]

use gender_data_hub::domain::feeds;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&limit, file)) = data.split_first() else { return };
    let max_rows = usize::from(limit);
    let Ok(feed) = feeds::parse(file, max_rows, feeds::Delimiter::Detect) else { return };
    assert_eq!(feed.rows.len(), feed.row_numbers.len());
    for &row in &feed.row_numbers {
        assert!(row >= 1 && row <= feed.total_rows && row <= max_rows, "row {row} of {}", feed.total_rows);
    }
    assert!(feed.row_numbers.windows(2).all(|w| w[0] < w[1]), "row numbers out of order");
    for e in &feed.errors {
        assert!(
            e.row >= 1 && e.row <= feed.total_rows && e.row <= max_rows,
            "error row {} of {}",
            e.row,
            feed.total_rows
        );
    }
    for r in &feed.rows {
        assert!(r.value.is_finite());
        assert!(r.numerator.is_none_or(f64::is_finite) && r.denominator.is_none_or(f64::is_finite));
    }
});
