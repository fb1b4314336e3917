//! Observations in GraphQL: the object, its history, the Relay connection's types (read by
//! `pages`), the filter and push inputs, the summary a push answers with, and the gender gap.

use async_graphql::{Context, InputObject, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};

use super::areas::{AgencyObject, AreaObject};
use super::catalogue::IndicatorObject;
use super::context::ContextExt;
use super::enums::{ObservationStatusEnum, SexEnum};
use super::error::{GqlResult, OrGql};
use super::helpers::{count, may_withhold, required};
use super::loaders::TableKey;
use crate::domain::observations::{ImportError, Observation, ObservationInput, ObservationRevision};
use crate::domain::push::ImportSummary;
use crate::domain::DomainError;

/// A reported value. For partners it is the last approved revision, and values of
/// sensitive indicators (violence, trafficking) are withheld.
pub struct ObservationObject {
    pub observation: Observation,
    /// Read by a partner: the published view.
    pub published: bool,
}

impl ObservationObject {
    /// Whether this caller must not see the figures: a partner, and a small count of a
    /// sensitive indicator or a cell that would reveal one (see `domain::disclosure`).
    async fn withheld(&self, ctx: &Context<'_>) -> GqlResult<bool> {
        if !self.published || !may_withhold(ctx, &self.observation.key.indicator_code).await? {
            return Ok(false);
        }
        let key = &self.observation.key;
        let table = ctx
            .request()
            .loaders
            .tables
            .load_one(TableKey {
                indicator_code: key.indicator_code.clone(),
                area_id: key.area_id,
                period: key.period.clone(),
            })
            .await
            .gql()?;
        Ok(table.is_none_or(|t| t.suppressed.contains(&self.observation.id)))
    }
}

#[Object(name = "Observation")]
impl ObservationObject {
    async fn id(&self) -> ID {
        ID(self.observation.id.to_string())
    }

    async fn indicator(&self, ctx: &Context<'_>) -> GqlResult<IndicatorObject> {
        let code = &self.observation.key.indicator_code;
        let indicator = ctx.request().loaders.indicator.load_one(code.clone()).await.gql()?;
        Ok(IndicatorObject(required(indicator, "indicator", code)?))
    }

    async fn area(&self, ctx: &Context<'_>) -> GqlResult<AreaObject> {
        let key = &self.observation.key;
        let area = ctx.request().loaders.area.load_one(key.area_id).await.gql()?;
        Ok(AreaObject(required(area, "area", &key.area_code)?))
    }

    /// "2024", "2024-S1", "2024-Q3", "2024-06".
    async fn period(&self) -> &str {
        &self.observation.key.period
    }

    async fn sex(&self) -> SexEnum {
        self.observation.key.sex.into()
    }

    /// Null when the value is not broken down by age group.
    async fn age_group(&self) -> Option<&str> {
        breakdown(&self.observation.key.age_group)
    }

    /// Null when the value is not broken down by ethnicity.
    async fn ethnicity(&self) -> Option<&str> {
        breakdown(&self.observation.key.ethnicity)
    }

    /// Null when suppressed.
    async fn value(&self, ctx: &Context<'_>) -> GqlResult<Option<f64>> {
        Ok((!self.withheld(ctx).await?).then_some(self.observation.value))
    }

    async fn numerator(&self, ctx: &Context<'_>) -> GqlResult<Option<f64>> {
        Ok(if self.withheld(ctx).await? { None } else { self.observation.numerator })
    }

    async fn denominator(&self, ctx: &Context<'_>) -> GqlResult<Option<f64>> {
        Ok(if self.withheld(ctx).await? { None } else { self.observation.denominator })
    }

    async fn status(&self) -> ObservationStatusEnum {
        self.observation.status.into()
    }

    /// 1 for the first push of the key; each changed value adds one.
    async fn revision(&self) -> i32 {
        self.observation.revision
    }

    async fn source_agency(&self, ctx: &Context<'_>) -> GqlResult<Option<AgencyObject>> {
        let Some(code) = &self.observation.source_agency_code else { return Ok(None) };
        Ok(ctx.request().loaders.agency.load_one(code.clone()).await.gql()?.map(AgencyObject))
    }

    async fn reported_at(&self) -> DateTime<Utc> {
        self.observation.reported_at
    }

    async fn comment(&self) -> Option<&str> {
        self.observation.comment.as_deref()
    }

    /// True when the figures are withheld from this caller.
    async fn suppressed(&self, ctx: &Context<'_>) -> GqlResult<bool> {
        self.withheld(ctx).await
    }

    /// Every revision, oldest first, with its review (internal roles only).
    async fn history(&self, ctx: &Context<'_>) -> GqlResult<Vec<ObservationRevisionObject>> {
        if ctx.caller().reads_published_only() {
            return Err(DomainError::Forbidden("the history of values is for internal roles".into())).gql();
        }
        let revisions = ctx.request().loaders.history.load_one(self.observation.id).await.gql()?;
        Ok(revisions.unwrap_or_default().into_iter().map(ObservationRevisionObject).collect())
    }
}

fn breakdown(code: &str) -> Option<&str> {
    (code != crate::domain::observations::NOT_BROKEN_DOWN).then_some(code)
}

pub struct ObservationRevisionObject(pub ObservationRevision);

/// One revision of a value: the push that wrote it and the review it got.
#[Object(name = "ObservationRevision")]
impl ObservationRevisionObject {
    async fn revision(&self) -> i32 {
        self.0.revision
    }

    async fn value(&self) -> Option<f64> {
        Some(self.0.value)
    }

    async fn status(&self) -> ObservationStatusEnum {
        self.0.status.into()
    }

    async fn reported_at(&self) -> DateTime<Utc> {
        self.0.reported_at
    }

    /// The token subject that pushed this revision.
    async fn reported_by(&self) -> &str {
        &self.0.reported_by
    }

    async fn reviewed_by(&self) -> Option<&str> {
        self.0.reviewed_by.as_deref()
    }

    async fn reviewed_at(&self) -> Option<DateTime<Utc>> {
        self.0.reviewed_at
    }

    /// Why it was rejected.
    async fn review_reason(&self) -> Option<&str> {
        self.0.review_reason.as_deref()
    }
}

#[derive(SimpleObject)]
#[graphql(name = "PageInfo")]
pub struct PageInfo {
    pub has_next_page: bool,
    pub has_previous_page: bool,
    pub start_cursor: Option<String>,
    pub end_cursor: Option<String>,
}

#[derive(SimpleObject)]
#[graphql(name = "ObservationEdge")]
pub struct ObservationEdge {
    pub cursor: String,
    pub node: ObservationObject,
}

/// A page of observations, ordered by id, so cursors stay valid while values are pushed.
#[derive(SimpleObject)]
#[graphql(name = "ObservationConnection")]
pub struct ObservationConnection {
    pub edges: Vec<ObservationEdge>,
    pub page_info: PageInfo,
    /// How many observations the filter selects, on all pages.
    pub total_count: i32,
}

/// Which observations to read; every condition given must hold. Indicators, areas and
/// periods are each named once or by a list (periods also by a range), not both ways.
#[derive(InputObject, Default)]
#[graphql(name = "ObservationFilter")]
pub struct ObservationFilter {
    pub indicator_code: Option<String>,
    /// Any of these indicators.
    pub indicator_codes: Option<Vec<String>>,
    pub area_code: Option<String>,
    /// Any of these areas.
    pub area_codes: Option<Vec<String>>,
    /// With `areaCode` or `areaCodes`: also the areas below them.
    #[graphql(default_with = "Some(false)")]
    pub include_descendants: Option<bool>,
    pub period: Option<String>,
    /// Any of these periods.
    pub periods: Option<Vec<String>>,
    /// With `periodTo`: every period from this one to that one, both included, of one
    /// kind ("2021" to "2026", "2024-01" to "2024-06").
    pub period_from: Option<String>,
    pub period_to: Option<String>,
    pub sex: Option<SexEnum>,
    pub status: Option<ObservationStatusEnum>,
}

/// One value to push, as the client sends it, before any check.
#[derive(InputObject)]
#[graphql(name = "ObservationInput")]
pub struct ObservationInputObject {
    pub indicator_code: String,
    pub area_code: String,
    /// "2024", "2024-S1", "2024-Q3" or "2024-06".
    pub period: String,
    pub sex: SexEnum,
    pub age_group: Option<String>,
    pub ethnicity: Option<String>,
    pub value: f64,
    pub numerator: Option<f64>,
    pub denominator: Option<f64>,
    pub comment: Option<String>,
}

impl From<ObservationInputObject> for ObservationInput {
    fn from(input: ObservationInputObject) -> ObservationInput {
        let ObservationInputObject {
            indicator_code,
            area_code,
            period,
            sex,
            age_group,
            ethnicity,
            value,
            numerator,
            denominator,
            comment,
        } = input;
        ObservationInput {
            indicator_code,
            area_code,
            period,
            sex: sex.into(),
            age_group,
            ethnicity,
            value,
            numerator,
            denominator,
            comment,
        }
    }
}

#[derive(InputObject)]
pub struct SubmitObservationsInput {
    pub observations: Vec<ObservationInputObject>,
    /// Check and count, write nothing.
    #[graphql(default_with = "Some(false)")]
    pub dry_run: Option<bool>,
    /// One bad row and nothing is written; with false, good rows land and bad rows are reported.
    #[graphql(default_with = "Some(true)")]
    pub atomic: Option<bool>,
    /// A retry with a key seen before returns the first summary and writes nothing.
    pub idempotency_key: Option<String>,
}

/// What a push did.
pub struct ImportSummaryObject(pub ImportSummary);

#[Object(name = "ImportSummary")]
impl ImportSummaryObject {
    async fn dry_run(&self) -> bool {
        self.0.dry_run
    }

    async fn created(&self) -> i32 {
        count(self.0.created)
    }

    async fn updated(&self) -> i32 {
        count(self.0.updated)
    }

    async fn unchanged(&self) -> i32 {
        count(self.0.unchanged)
    }

    /// Rows with at least one error.
    async fn rejected(&self) -> i32 {
        count(self.0.rejected)
    }

    async fn errors(&self) -> Vec<ImportErrorObject<'_>> {
        self.0.errors.iter().map(ImportErrorObject).collect()
    }
}

pub struct ImportErrorObject<'a>(&'a ImportError);

/// One problem of one row.
#[Object(name = "ImportError")]
impl ImportErrorObject<'_> {
    /// Counted from 1: the first observation of the push, or the first data line of a file.
    async fn row(&self) -> i32 {
        count(self.0.row)
    }

    async fn field(&self) -> Option<&str> {
        self.0.field.as_deref()
    }

    /// UNKNOWN_INDICATOR, UNKNOWN_AREA, AREA_NOT_VALID_FOR_PERIOD, BAD_PERIOD, BAD_SEX,
    /// BAD_DIMENSION, BAD_VALUE, NUMERATOR_MISMATCH, DUPLICATE_ROW, INCONSISTENT_TOTAL,
    /// NOT_ASSIGNED, OUT_OF_AREA or TOO_MANY_ROWS.
    async fn code(&self) -> &str {
        self.0.code.as_str()
    }

    async fn message(&self) -> &str {
        &self.0.message
    }
}

/// Female and male values of one indicator, area and period, and how far apart they are.
#[derive(SimpleObject)]
pub struct GenderGap {
    pub female: Option<f64>,
    pub male: Option<f64>,
    /// female − male
    pub difference: Option<f64>,
    /// female ÷ male
    pub ratio: Option<f64>,
}
