//! Seeding (`seed`, and `serve` on an empty database): the plans, areas, agencies and
//! indicators of `seeds/` (built into the binary, or a folder), checked whole before one
//! row is written, then written in one transaction.

use std::path::Path;

use crate::domain::periods::Period;
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

/// Seeds when `serve` should first: the database holds no plans (it is new), or fewer
/// units than the map (it predates the whole map, and upgrades in place); the report, if it
/// did. The seeds are read once either way.
pub async fn seed_if_needed(store: &dyn Store, dir: Option<&Path>) -> Result<Option<SeedReport>, SeedingError> {
    let seeds = load(dir)?;
    if store.has_plans().await? && store.area_count().await? >= seeds.areas.len() {
        return Ok(None);
    }
    tracing::info!("the database holds no plans, or not the whole map: seeding it");
    Ok(Some(write(store, seeds).await?))
}

/// Loads the seeds of `dir`, or those built into the binary, and writes them; running it
/// twice leaves the same rows.
pub async fn seed(store: &dyn Store, dir: Option<&Path>) -> Result<SeedReport, SeedingError> {
    write(store, load(dir)?).await
}

async fn write(store: &dyn Store, seeds: SeedSet) -> Result<SeedReport, SeedingError> {
    for warning in &seeds.warnings {
        tracing::warn!("seed: {warning}");
    }
    let counts = store.apply_seeds(&seeds).await?;
    let mut warnings = seeds.warnings;
    for warning in values_outside_their_units(store).await? {
        tracing::warn!("seed: {warning}");
        warnings.push(warning);
    }
    Ok(SeedReport { counts, warnings })
}

/// Values filed under a unit in a period it did not exist in: a database from before the
/// map filed `24` for 2025-Q3 under Bắc Giang, which the map ends on 2025-06-30. They stay
/// where they are (values never move); pushed again, they go to the unit of their period.
async fn values_outside_their_units(store: &dyn Store) -> Result<Vec<String>, StoreError> {
    let mut warnings = Vec::new();
    for (area, period, n) in store.periods_near_unit_bounds().await? {
        let Ok(parsed) = period.parse::<Period>() else { continue };
        let (first, last) = parsed.days();
        if !area.valid_during(first, last) {
            warnings.push(format!(
                "{n} value(s) of {period} are filed under {}, which did not exist then; they stay there, and pushed again they go to the unit holding {} in {period}",
                area.label(),
                area.code
            ));
        }
    }
    Ok(warnings)
}
