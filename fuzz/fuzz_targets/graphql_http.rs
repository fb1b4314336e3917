//! The GraphQL endpoint with the fuzz bytes as the raw JSON body: exercises the body
//! reading, the JSON and batch handling, as well as whatever queries get through. The caller is the admin.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    common::post("/graphql", "application/json", 0, data.to_vec());
});
