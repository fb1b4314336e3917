//! The push mutation, written once. A file of its own so that the statement-count binary
//! (`tests/batching`) pushes with the same text.

/// Pushes values (`$input`: `observations`, and `atomic`, `dryRun`, `idempotencyKey` as
/// wanted); answers the whole summary.
pub const PUSH: &str = "mutation PushValues($input: SubmitObservationsInput!) { submitObservations(input: $input) { \
    dryRun created updated unchanged rejected errors { row field code message } } }";
