//! Cells in GraphQL: `Query.cells` (indicators × areas × periods × sex in one answer) and
//! `Indicator.latest`, both read by `service::cells`.

use async_graphql::Object;

use super::areas::AreaObject;
use super::catalogue::IndicatorObject;
use super::enums::{ObservationStatusEnum, SexEnum};
use crate::domain::areas::Area;
use crate::domain::indicators::Indicator;
use crate::service::cells::PlacedCell;

/// One value of a dashboard's table, with its indicator and unit.
pub struct CellObject(pub PlacedCell);

/// An indicator's value in one area, period and sex: reported (with its status), or rolled
/// up from the units that made up the area then (`derived`), or none.
#[Object(name = "Cell")]
impl CellObject {
    async fn indicator(&self) -> IndicatorObject {
        IndicatorObject(Indicator::clone(&self.0.indicator))
    }

    async fn area(&self) -> AreaObject {
        AreaObject(Area::clone(&self.0.area))
    }

    async fn period(&self) -> &str {
        &self.0.cell.key.period
    }

    async fn sex(&self) -> SexEnum {
        self.0.cell.key.sex.into()
    }

    /// Null when suppressed or when there is no value.
    async fn value(&self) -> Option<f64> {
        self.0.cell.value
    }

    async fn numerator(&self) -> Option<f64> {
        self.0.cell.numerator
    }

    async fn denominator(&self) -> Option<f64> {
        self.0.cell.denominator
    }

    /// The reported value's status; null for a derived cell or no data.
    async fn status(&self) -> Option<ObservationStatusEnum> {
        self.0.cell.status.map(Into::into)
    }

    /// True when rolled up from sub-areas, predecessors or successors.
    async fn derived(&self) -> bool {
        self.0.cell.derived
    }

    /// True when the figures are withheld from this caller (partners, sensitive indicators).
    async fn suppressed(&self) -> bool {
        self.0.cell.suppressed
    }
}
