//! Rows as the database returns them, and their conversion into domain types. Enum columns
//! are text holding the domain's names; a name the domain does not know is `Corrupt`.

use std::str::FromStr;

use chrono::{DateTime, NaiveDate, Utc};

use super::StoreError;
use crate::domain::agencies::Agency;
use crate::domain::areas::{Area, GeoPoint, Succession};
use crate::domain::audit::AuditEntry;
use crate::domain::indicators::{Dimension, Indicator};
use crate::domain::observations::{Observation, ObservationKey, ObservationRevision};
use crate::domain::plans::{Assignment, Objective, Plan, ReportingDeadline, Target};
use crate::domain::reporting::{Arrival, Duty};

fn parse<T: FromStr<Err = crate::domain::error::UnknownName>>(s: &str) -> Result<T, StoreError> {
    s.parse().map_err(|e: crate::domain::error::UnknownName| StoreError::Corrupt(e.to_string()))
}

fn parse_opt<T: FromStr<Err = crate::domain::error::UnknownName>>(s: Option<String>) -> Result<Option<T>, StoreError> {
    s.as_deref().map(parse).transpose()
}

#[derive(sqlx::FromRow)]
pub struct AreaRow {
    id: i64,
    code: String,
    name: String,
    level: String,
    parent_id: Option<i64>,
    valid_from: Option<NaiveDate>,
    valid_to: Option<NaiveDate>,
    lat: Option<f64>,
    lon: Option<f64>,
    area_km2: Option<f64>,
    source: Option<String>,
}
/// Columns of `areas a`.
pub const AREA_COLUMNS: &str =
    "a.id, a.code, a.name, a.level, a.parent_id, a.valid_from, a.valid_to, a.lat, a.lon, a.area_km2, a.source";

impl TryFrom<AreaRow> for Area {
    type Error = StoreError;
    fn try_from(r: AreaRow) -> Result<Self, StoreError> {
        Ok(Area {
            level: parse(&r.level)?,
            id: r.id,
            code: r.code,
            name: r.name,
            parent_id: r.parent_id,
            valid_from: r.valid_from,
            valid_to: r.valid_to,
            location: r.lat.zip(r.lon).map(|(lat, lon)| GeoPoint { lat, lon }),
            area_km2: r.area_km2,
            source: r.source,
        })
    }
}

#[derive(sqlx::FromRow)]
pub struct SuccessionRow {
    predecessor_id: i64,
    successor_id: i64,
    effective_on: NaiveDate,
    whole: bool,
}
pub const SUCCESSION_COLUMNS: &str = "s.predecessor_id, s.successor_id, s.effective_on, s.whole";

impl TryFrom<SuccessionRow> for Succession {
    type Error = StoreError;
    fn try_from(r: SuccessionRow) -> Result<Self, StoreError> {
        Ok(Succession {
            predecessor_id: r.predecessor_id,
            successor_id: r.successor_id,
            effective_on: r.effective_on,
            whole: r.whole,
        })
    }
}

#[derive(sqlx::FromRow)]
pub struct AgencyRow {
    code: String,
    name: String,
    kind: String,
    area_id: Option<i64>,
    area_code: Option<String>,
    source: Option<String>,
    note: Option<String>,
}
/// Columns of `agencies g` joined to their unit (`LEFT JOIN areas ga`, see `AGENCIES`).
pub const AGENCY_COLUMNS: &str = "g.code, g.name, g.kind, g.area_id, ga.code AS area_code, g.source, g.note";
pub const AGENCIES: &str = "agencies g LEFT JOIN areas ga ON ga.id = g.area_id";

impl TryFrom<AgencyRow> for Agency {
    type Error = StoreError;
    fn try_from(r: AgencyRow) -> Result<Self, StoreError> {
        Ok(Agency {
            kind: parse(&r.kind)?,
            code: r.code,
            name: r.name,
            area_id: r.area_id,
            area_code: r.area_code,
            source: r.source,
            note: r.note,
        })
    }
}

#[derive(sqlx::FromRow)]
pub struct IndicatorRow {
    code: String,
    name_vi: String,
    name_en: String,
    unit: String,
    direction: Option<String>,
    sex_disaggregated: bool,
    dimensions: String,
    sensitive: bool,
    sdg_code: Option<String>,
    source: Option<String>,
}
pub const INDICATOR_COLUMNS: &str =
    "code, name_vi, name_en, unit, direction, sex_disaggregated, dimensions, sensitive, sdg_code, source";

impl TryFrom<IndicatorRow> for Indicator {
    type Error = StoreError;
    fn try_from(r: IndicatorRow) -> Result<Self, StoreError> {
        let dimensions =
            r.dimensions.split(',').filter(|d| !d.is_empty()).map(parse::<Dimension>).collect::<Result<_, _>>()?;
        Ok(Indicator {
            unit: parse(&r.unit)?,
            direction: parse_opt(r.direction)?,
            code: r.code,
            name_vi: r.name_vi,
            name_en: r.name_en,
            sex_disaggregated: r.sex_disaggregated,
            dimensions,
            sensitive: r.sensitive,
            sdg_code: r.sdg_code,
            source: r.source,
        })
    }
}

#[derive(sqlx::FromRow)]
pub struct PlanRow {
    id: i64,
    code: String,
    document_number: Option<String>,
    title: String,
    issuer_code: Option<String>,
    area_id: i64,
    area_code: String,
    start_year: i32,
    end_year: i32,
    issued_on: Option<NaiveDate>,
    parent_code: Option<String>,
    source: Option<String>,
    note: Option<String>,
}
/// Columns of `plans p` joined to their unit (see `PLANS`).
pub const PLAN_COLUMNS: &str = "p.id, p.code, p.document_number, p.title, p.issuer_code, p.area_id, \
     pa.code AS area_code, p.start_year, p.end_year, p.issued_on, p.parent_code, p.source, p.note";
pub const PLANS: &str = "plans p JOIN areas pa ON pa.id = p.area_id";

impl TryFrom<PlanRow> for Plan {
    type Error = StoreError;
    fn try_from(r: PlanRow) -> Result<Self, StoreError> {
        Ok(Plan {
            id: r.id,
            code: r.code,
            document_number: r.document_number,
            title: r.title,
            issuer_code: r.issuer_code,
            area_id: r.area_id,
            area_code: r.area_code,
            start_year: r.start_year,
            end_year: r.end_year,
            issued_on: r.issued_on,
            parent_code: r.parent_code,
            source: r.source,
            note: r.note,
        })
    }
}

#[derive(sqlx::FromRow)]
pub struct ObjectiveRow {
    id: i64,
    plan_id: i64,
    number: i32,
    title: String,
    domain: String,
    source: Option<String>,
    note: Option<String>,
}
pub const OBJECTIVE_COLUMNS: &str = "id, plan_id, number, title, domain, source, note";

impl TryFrom<ObjectiveRow> for Objective {
    type Error = StoreError;
    fn try_from(r: ObjectiveRow) -> Result<Self, StoreError> {
        Ok(Objective {
            domain: parse(&r.domain)?,
            id: r.id,
            plan_id: r.plan_id,
            number: r.number,
            title: r.title,
            source: r.source,
            note: r.note,
        })
    }
}

#[derive(sqlx::FromRow)]
pub struct TargetRow {
    id: i64,
    objective_id: i64,
    code: String,
    text: String,
    indicator_code: Option<String>,
    comparator: Option<String>,
    value: Option<f64>,
    target_year: Option<i32>,
    measured_on: String,
    measured_on_source: Option<String>,
    source: Option<String>,
    note: Option<String>,
    plan_area_id: i64,
    plan_area_code: String,
}
pub const TARGET_COLUMNS: &str = "t.id, t.objective_id, t.code, t.text, t.indicator_code, t.comparator, t.value, \
     t.target_year, t.measured_on, t.measured_on_source, t.source, t.note";

impl TryFrom<TargetRow> for Target {
    type Error = StoreError;
    fn try_from(r: TargetRow) -> Result<Self, StoreError> {
        Ok(Target {
            comparator: parse_opt(r.comparator)?,
            measured_on: parse(&r.measured_on)?,
            measured_on_source: r.measured_on_source,
            id: r.id,
            objective_id: r.objective_id,
            code: r.code,
            text: r.text,
            indicator_code: r.indicator_code,
            value: r.value,
            target_year: r.target_year,
            source: r.source,
            note: r.note,
            plan_area_id: r.plan_area_id,
            plan_area_code: r.plan_area_code,
        })
    }
}

#[derive(sqlx::FromRow)]
pub struct AssignmentRow {
    id: i64,
    target_id: i64,
    agency_code: String,
    role: String,
    scope: Option<String>,
    note: Option<String>,
}
pub const ASSIGNMENT_COLUMNS: &str = "id, target_id, agency_code, role, scope, note";

impl TryFrom<AssignmentRow> for Assignment {
    type Error = StoreError;
    fn try_from(r: AssignmentRow) -> Result<Self, StoreError> {
        Ok(Assignment {
            role: parse(&r.role)?,
            id: r.id,
            target_id: r.target_id,
            agency_code: r.agency_code,
            scope: r.scope,
            note: r.note,
        })
    }
}

#[derive(sqlx::FromRow)]
pub struct DeadlineRow {
    id: i64,
    plan_id: i64,
    period_kind: String,
    due_day: i32,
    due_month: i32,
}
pub const DEADLINE_COLUMNS: &str = "id, plan_id, period_kind, due_day, due_month";

impl TryFrom<DeadlineRow> for ReportingDeadline {
    type Error = StoreError;
    fn try_from(r: DeadlineRow) -> Result<Self, StoreError> {
        Ok(ReportingDeadline {
            period_kind: parse(&r.period_kind)?,
            id: r.id,
            plan_id: r.plan_id,
            due_day: r.due_day,
            due_month: r.due_month,
        })
    }
}

#[derive(sqlx::FromRow)]
pub struct AuditRow {
    id: i64,
    at: DateTime<Utc>,
    actor: String,
    action: String,
    target: String,
    row_count: i64,
    detail: Option<String>,
    request_id: Option<String>,
}

impl TryFrom<AuditRow> for AuditEntry {
    type Error = StoreError;
    fn try_from(r: AuditRow) -> Result<Self, StoreError> {
        Ok(AuditEntry {
            action: parse(&r.action)?,
            id: Some(r.id),
            at: r.at,
            actor: r.actor,
            target: r.target,
            rows: r.row_count,
            detail: r.detail,
            request_id: r.request_id,
        })
    }
}

#[derive(sqlx::FromRow)]
pub struct DutyRow {
    plan_id: i64,
    agency_code: String,
    role: String,
    indicator_code: String,
}

impl TryFrom<DutyRow> for Duty {
    type Error = StoreError;
    fn try_from(r: DutyRow) -> Result<Self, StoreError> {
        Ok(Duty {
            role: parse(&r.role)?,
            plan_id: r.plan_id,
            agency_code: r.agency_code,
            indicator_code: r.indicator_code,
        })
    }
}

#[derive(sqlx::FromRow)]
pub struct ArrivalRow {
    indicator_code: String,
    area_id: i64,
    period: String,
    first_reported_at: DateTime<Utc>,
}

impl TryFrom<ArrivalRow> for Arrival {
    type Error = StoreError;
    fn try_from(r: ArrivalRow) -> Result<Self, StoreError> {
        Ok(Arrival {
            indicator_code: r.indicator_code,
            area_id: r.area_id,
            period: r.period,
            first_reported_at: r.first_reported_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub struct ObservationRow {
    id: i64,
    indicator_code: String,
    area_id: i64,
    area_code: String,
    period: String,
    sex: String,
    age_group: String,
    ethnicity: String,
    value: f64,
    numerator: Option<f64>,
    denominator: Option<f64>,
    status: String,
    revision: i32,
    source_agency_code: Option<String>,
    reported_by: String,
    reported_at: DateTime<Utc>,
    comment: Option<String>,
}

/// Columns of the current revision (internal roles).
pub const OBSERVATION_CURRENT: &str = "SELECT o.id, o.indicator_code, o.area_id, oa.code AS area_code, o.period, \
     o.sex, o.age_group, o.ethnicity, o.value, o.numerator, o.denominator, o.status, o.revision, \
     o.source_agency_code, o.reported_by, o.reported_at, o.comment \
     FROM observations o JOIN areas oa ON oa.id = o.area_id WHERE 1 = 1";
/// The join that keeps values with an approved revision, as `r`: written once, since a
/// page seeking unit by unit must select exactly what `OBSERVATION_PUBLISHED` does.
macro_rules! published_revision {
    () => {
        " JOIN observation_revisions r ON r.observation_id = o.id AND r.revision = o.approved_revision \
         AND r.status = 'APPROVED'"
    };
}
/// Columns of the last approved revision (what partners see while a newer one is reviewed).
pub const OBSERVATION_PUBLISHED: &str = concat!(
    "SELECT o.id, o.indicator_code, o.area_id, oa.code AS area_code, o.period, \
     o.sex, o.age_group, o.ethnicity, r.value, r.numerator, r.denominator, r.status, r.revision, \
     o.source_agency_code, r.reported_by, r.reported_at, r.comment \
     FROM observations o JOIN areas oa ON oa.id = o.area_id",
    published_revision!(),
    " WHERE 1 = 1"
);
/// The join of `OBSERVATION_PUBLISHED` that keeps values with an approved revision.
pub const PUBLISHED_REVISION: &str = published_revision!();

impl TryFrom<ObservationRow> for Observation {
    type Error = StoreError;
    fn try_from(r: ObservationRow) -> Result<Self, StoreError> {
        Ok(Observation {
            id: r.id,
            key: ObservationKey {
                indicator_code: r.indicator_code,
                area_id: r.area_id,
                area_code: r.area_code,
                period: r.period,
                sex: parse(&r.sex)?,
                age_group: r.age_group,
                ethnicity: r.ethnicity,
            },
            value: r.value,
            numerator: r.numerator,
            denominator: r.denominator,
            status: parse(&r.status)?,
            revision: r.revision,
            source_agency_code: r.source_agency_code,
            reported_by: r.reported_by,
            reported_at: r.reported_at,
            comment: r.comment,
        })
    }
}

#[derive(sqlx::FromRow)]
pub struct RevisionRow {
    observation_id: i64,
    revision: i32,
    value: f64,
    status: String,
    reported_by: String,
    reported_at: DateTime<Utc>,
    reviewed_by: Option<String>,
    reviewed_at: Option<DateTime<Utc>>,
    review_reason: Option<String>,
}
pub const REVISION_COLUMNS: &str =
    "observation_id, revision, value, status, reported_by, reported_at, reviewed_by, reviewed_at, review_reason";

impl TryFrom<RevisionRow> for ObservationRevision {
    type Error = StoreError;
    fn try_from(r: RevisionRow) -> Result<Self, StoreError> {
        Ok(ObservationRevision {
            status: parse(&r.status)?,
            observation_id: r.observation_id,
            revision: r.revision,
            value: r.value,
            reported_by: r.reported_by,
            reported_at: r.reported_at,
            reviewed_by: r.reviewed_by,
            reviewed_at: r.reviewed_at,
            review_reason: r.review_reason,
        })
    }
}

/// Converts fetched rows into domain values, failing on the first corrupt one.
pub fn convert<R, T: TryFrom<R, Error = StoreError>>(rows: Vec<R>) -> Result<Vec<T>, StoreError> {
    rows.into_iter().map(T::try_from).collect()
}
