//! The SDMX-CSV export (`GET /api/v1/observations.csv`, or `.xlsx` as a workbook with the
//! same columns): every value a selection covers, as
//! the caller may read it, with each value's status (`OBS_STATUS`), partners' withheld cells
//! marked confidential (`CONF_STATUS` `C`) with no figures.

use std::collections::BTreeSet;

use super::reads::{select, withheld_in, Selection};
use super::Caller;
use crate::domain::feeds::{sdmx_record, SDMX_HEADER};
use crate::domain::observations::{After, Observation, ObservationStatus};
use crate::domain::workbooks::{self, Cell, Sheet};
use crate::domain::DomainError;
use crate::store::Store;

/// Rows fetched per statement while exporting.
const EXPORT_PAGE: usize = 5_000;

/// The CSV text of what `selection` covers, page by page in id order. Rejected values are
/// left out unless the selection asks for them by status: an export is what the hub holds
/// as figures, approved or on their way.
pub async fn export_csv(store: &dyn Store, caller: &Caller, selection: Selection) -> Result<Vec<u8>, DomainError> {
    let mut out = csv::Writer::from_writer(Vec::new());
    let csv_error = |e: csv::Error| DomainError::internal(format!("cannot write the export: {e}"));
    out.write_record(SDMX_HEADER).map_err(csv_error)?;
    each_exported(store, caller, selection, |o, withheld| {
        out.write_record(sdmx_record(o, withheld)).map_err(csv_error)
    })
    .await?;
    out.into_inner().map_err(|e| csv_error(e.into_error().into()))
}

/// The same as an Excel workbook: the same columns, figures as numbers.
pub async fn export_xlsx(store: &dyn Store, caller: &Caller, selection: Selection) -> Result<Vec<u8>, DomainError> {
    let mut rows = Vec::new();
    each_exported(store, caller, selection, |o, withheld| {
        let record = sdmx_record(o, withheld);
        let cells = record.into_iter().enumerate().map(|(i, text)| match (SDMX_HEADER[i], text.parse::<f64>()) {
            ("OBS_VALUE" | "NUMERATOR" | "DENOMINATOR", Ok(n)) => Cell::Number(n),
            (_, _) if text.is_empty() => Cell::Empty,
            _ => Cell::Text(text),
        });
        rows.push(cells.collect());
        Ok(())
    })
    .await?;
    let sheet = Sheet { name: "observations", header: SDMX_HEADER, rows, lists: Vec::new() };
    workbooks::write(&sheet).map_err(DomainError::internal)
}

/// Every value of the export, in id order, to `each`, with whether it is withheld from the
/// caller (a partner's small count: no figures, `CONF_STATUS` `C`).
pub async fn each_exported(
    store: &dyn Store,
    caller: &Caller,
    selection: Selection,
    mut each: impl FnMut(&Observation, bool) -> Result<(), DomainError>,
) -> Result<(), DomainError> {
    let rejected_asked = selection.status == Some(ObservationStatus::Rejected);
    let mut query = select(store, caller, selection, "").await?;
    query.limit = EXPORT_PAGE;
    let sensitive: BTreeSet<String> =
        store.indicators().await?.into_iter().filter(|i| i.sensitive).map(|i| i.code).collect();
    loop {
        let (page, _) = store.observations(&query).await?;
        let withheld = withheld_in(store, query.published_only, &sensitive, &page).await?;
        for o in page.iter().filter(|o| rejected_asked || o.status != ObservationStatus::Rejected) {
            each(o, withheld.contains(&o.id))?;
        }
        match page.last() {
            Some(last) if page.len() == EXPORT_PAGE => query.after = Some(After::value(last, query.order)),
            _ => return Ok(()),
        }
    }
}
