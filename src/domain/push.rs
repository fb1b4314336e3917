//! What a push (đẩy số liệu) is answered with, whatever it came through.

use serde::{Deserialize, Serialize};

use super::observations::ImportError;

/// Default largest number of rows in one push.
pub const DEFAULT_MAX_ROWS: usize = 100_000;

/// What a push did: the same shape for GraphQL and the CSV feed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportSummary {
    pub dry_run: bool,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub rejected: usize,
    pub errors: Vec<ImportError>,
    /// The answer kept from an earlier push with the same idempotency key: nothing was
    /// written this time.
    #[serde(skip)]
    pub replayed: bool,
}
