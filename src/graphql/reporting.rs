//! Reporting status: for a plan and a period, whether each assigned agency sent its values
//! by the deadline (`Plan.reportingStatus`), agency by agency, then indicator by indicator.

use async_graphql::{Context, Object};
use chrono::{DateTime, Utc};

use super::areas::AgencyObject;
use super::catalogue::IndicatorObject;
use super::context::ContextExt;
use super::enums::{AssignmentRoleEnum, ReportingStatusEnum};
use super::error::{GqlResult, OrGql};
use super::helpers::required;
use super::scalars::Date;
use crate::domain::reporting::{AgencyReport, IndicatorReport};

pub struct AgencyReportObject {
    pub report: AgencyReport,
    /// The period asked for, in canonical form: the report itself does not carry it.
    pub period: String,
}

/// Whether an agency sent its values for a plan and period by the deadline.
#[Object(name = "AgencyReport")]
impl AgencyReportObject {
    async fn agency(&self, ctx: &Context<'_>) -> GqlResult<AgencyObject> {
        let code = &self.report.agency_code;
        let agency = ctx.request().loaders.agency.load_one(code.clone()).await.gql()?;
        Ok(AgencyObject(required(agency, "agency", code)?))
    }

    async fn period(&self) -> &str {
        &self.period
    }

    /// The plan's deadline for the period, a day of Vietnam's calendar.
    async fn due_on(&self) -> Date {
        Date(self.report.due_on)
    }

    /// The worst of its indicators: MISSING, then NOT_YET_DUE, LATE, ON_TIME.
    async fn status(&self) -> ReportingStatusEnum {
        self.report.status.into()
    }

    /// One line per indicator the agency is assigned to measure.
    async fn indicators(&self) -> Vec<IndicatorReportObject<'_>> {
        self.report.indicators.iter().map(IndicatorReportObject).collect()
    }
}

pub struct IndicatorReportObject<'a>(&'a IndicatorReport);

/// Whether the values of one indicator arrived by the deadline.
#[Object(name = "IndicatorReport")]
impl IndicatorReportObject<'_> {
    async fn indicator(&self, ctx: &Context<'_>) -> GqlResult<IndicatorObject> {
        let code = &self.0.indicator_code;
        let indicator = ctx.request().loaders.indicator.load_one(code.clone()).await.gql()?;
        Ok(IndicatorObject(required(indicator, "indicator", code)?))
    }

    /// LEAD when the agency leads a target the indicator measures, else SUPPORT.
    async fn role(&self) -> AssignmentRoleEnum {
        self.0.role.into()
    }

    async fn status(&self) -> ReportingStatusEnum {
        self.0.status.into()
    }

    /// When its first value that was not rejected arrived.
    async fn first_reported_at(&self) -> Option<DateTime<Utc>> {
        self.0.first_reported_at
    }
}
