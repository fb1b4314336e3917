//! The CSV feed over HTTP, `POST /api/v1/feeds/observations`: the streamed parse on a
//! blocking thread, then the push checks and the store. The first byte picks the options
//! (bit 0: `dryRun`, bit 1: not `atomic`) and the caller's role (the rest of it); the rest
//! is the file, so the inputs are those of `feed_csv`.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&options, file)) = data.split_first() else { return };
    let path = format!("/api/v1/feeds/observations?dryRun={}&atomic={}", options & 1 == 1, options & 2 == 0);
    common::post(&path, "text/csv", options >> 2, file.to_vec());
});
