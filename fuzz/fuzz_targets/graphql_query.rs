//! The GraphQL endpoint with the fuzz bytes as the operation text, wrapped as
//! `{"query": …}`: every input is a valid request, so the fuzzer spends its time in the
//! GraphQL parser, the limits, validation and the resolvers rather than in JSON syntax.
//! The first byte picks the caller's role (`common::ROLES`), the rest is the operation.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&role, text)) = data.split_first() else { return };
    let query = String::from_utf8_lossy(text);
    let body = serde_json::json!({ "query": query }).to_string();
    common::post("/graphql", "application/json", role, body.into_bytes());
});
