//! The SDMX-CSV export (`GET /api/v1/observations.csv`): every value a selection covers, as
//! the caller may read it, with each value's status (`OBS_STATUS`), partners' withheld cells
//! marked confidential (`CONF_STATUS` `C`) with no figures.

use std::collections::BTreeSet;

use super::reads::{select, withheld_in, Selection};
use super::Caller;
use crate::domain::feeds::{sdmx_record, SDMX_HEADER};
use crate::domain::observations::{After, ObservationStatus};
use crate::domain::DomainError;
use crate::store::Store;

/// Rows fetched per statement while exporting.
const EXPORT_PAGE: usize = 5_000;

/// The CSV text of what `selection` covers, page by page in id order. Rejected values are
/// left out unless the selection asks for them by status: an export is what the hub holds
/// as figures, approved or on their way.
pub async fn export_csv(store: &dyn Store, caller: &Caller, selection: Selection) -> Result<Vec<u8>, DomainError> {
    let rejected_asked = selection.status == Some(ObservationStatus::Rejected);
    let mut query = select(store, caller, selection, "").await?;
    query.limit = EXPORT_PAGE;
    let sensitive: BTreeSet<String> =
        store.indicators().await?.into_iter().filter(|i| i.sensitive).map(|i| i.code).collect();
    let mut out = csv::Writer::from_writer(Vec::new());
    let csv_error = |e: csv::Error| DomainError::internal(format!("cannot write the export: {e}"));
    out.write_record(SDMX_HEADER).map_err(csv_error)?;
    loop {
        let (page, _) = store.observations(&query).await?;
        let withheld = withheld_in(store, query.published_only, &sensitive, &page).await?;
        for o in page.iter().filter(|o| rejected_asked || o.status != ObservationStatus::Rejected) {
            out.write_record(sdmx_record(o, withheld.contains(&o.id))).map_err(csv_error)?;
        }
        match page.last() {
            Some(last) if page.len() == EXPORT_PAGE => query.after = Some(After::value(last, query.order)),
            _ => break,
        }
    }
    out.into_inner().map_err(|e| csv_error(e.into_error().into()))
}
