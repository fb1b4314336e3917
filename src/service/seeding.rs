//! Seeding (`seed`, and `serve` on an empty database): the plans, areas, agencies and
//! indicators of `seeds/` (built into the binary, or a folder), checked whole before one
//! row is written, then written in one transaction.

use std::path::Path;

use crate::seeds::{SeedError, SeedSet};
use crate::store::{SeedCounts, Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum SeedingError {
    /// The cause is the error's source: `main` prints the chain.
    #[error("cannot load the seeds from {dir}")]
    Load { dir: String, source: SeedError },
    #[error("cannot write the seeds")]
    Write(#[from] StoreError),
}

/// What seeding wrote, and what the documents contradict themselves on (logged as warnings).
#[derive(Debug)]
pub struct SeedReport {
    pub counts: SeedCounts,
    pub warnings: Vec<String>,
}

fn load(dir: Option<&Path>) -> Result<SeedSet, SeedingError> {
    match dir {
        Some(dir) => SeedSet::load(dir).map_err(|source| SeedingError::Load { dir: dir.display().to_string(), source }),
        None => SeedSet::embedded().map_err(|source| SeedingError::Load { dir: "the binary".to_owned(), source }),
    }
}

/// Whether `serve` should seed first: the database holds no plans (it is new), or fewer
/// units than the map (it predates the whole map, and upgrades in place).
pub async fn needs_seeding(store: &dyn Store, dir: Option<&Path>) -> Result<bool, SeedingError> {
    Ok(!store.has_plans().await? || store.area_count().await? < load(dir)?.areas.len())
}

/// Loads the seeds of `dir`, or those built into the binary, and writes them; running it
/// twice leaves the same rows.
pub async fn seed(store: &dyn Store, dir: Option<&Path>) -> Result<SeedReport, SeedingError> {
    let seeds = load(dir)?;
    for warning in &seeds.warnings {
        tracing::warn!("seed: {warning}");
    }
    let counts = store.apply_seeds(&seeds).await?;
    Ok(SeedReport { counts, warnings: seeds.warnings })
}
