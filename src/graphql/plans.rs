//! Plans and what they commit to: objectives, their targets, who reports each target and
//! by when, and how each target stands (`Progress`). A plan's parent, children and issuer
//! outside the caller's subtree resolve to null or are left out.

use async_graphql::futures_util::future::try_join_all;
use async_graphql::{Context, Object, SimpleObject};

use super::areas::{AgencyObject, AreaObject};
use super::catalogue::IndicatorObject;
use super::context::ContextExt;
use super::enums::{
    AssignmentRoleEnum, ComparatorEnum, DomainEnum, PeriodKindEnum, ProgressStatusEnum, SexEnum, SexScopeEnum,
};
use super::error::{GqlResult, OrGql};
use super::helpers::{count, find_area, find_area_for_period, may_withhold, required};
use super::loaders::{ProgressKey, ReportKey, TableKey};
use super::reporting::AgencyReportObject;
use super::scalars::Date;
use crate::domain::areas::AreaId;
use crate::domain::observations::Sex;
use crate::domain::periods::{BadPeriod, Period};
use crate::domain::plans::{Assignment, Objective, Plan, ReportingDeadline, Target};
use crate::domain::progress::{overall, standing, status, Measured, ProgressStatus, SexMeasured, Tally};
use crate::domain::DomainError;

pub struct PlanObject(pub Plan);

/// A plan (Kế hoạch) and what it commits to.
#[Object(name = "Plan")]
impl PlanObject {
    /// Stable slug: document numbers repeat and are sometimes blank.
    async fn code(&self) -> &str {
        &self.0.code
    }

    /// e.g. "59/KH-UBND"; null when the document leaves it blank.
    async fn document_number(&self) -> Option<&str> {
        self.0.document_number.as_deref()
    }

    async fn title(&self) -> &str {
        &self.0.title
    }

    async fn issuer(&self, ctx: &Context<'_>) -> GqlResult<Option<AgencyObject>> {
        let Some(code) = &self.0.issuer_code else { return Ok(None) };
        let agency = ctx.request().loaders.agency.load_one(code.clone()).await.gql()?;
        let scope = ctx.scope().await?;
        Ok(agency.filter(|a| a.area_id.is_some_and(|id| scope.allows(id))).map(AgencyObject))
    }

    async fn area(&self, ctx: &Context<'_>) -> GqlResult<AreaObject> {
        let area = ctx.request().loaders.area.load_one(self.0.area_id).await.gql()?;
        Ok(AreaObject(required(area, "area", &self.0.area_code)?))
    }

    async fn start_year(&self) -> i32 {
        self.0.start_year
    }

    async fn end_year(&self) -> i32 {
        self.0.end_year
    }

    /// Null when the document leaves the day blank.
    async fn issued_on(&self) -> Option<Date> {
        self.0.issued_on.map(Date)
    }

    /// The plan this one implements; null when it lies outside the caller's area.
    async fn parent(&self, ctx: &Context<'_>) -> GqlResult<Option<PlanObject>> {
        let Some(code) = &self.0.parent_code else { return Ok(None) };
        let parent = ctx.request().loaders.plan.load_one(code.clone()).await.gql()?;
        let scope = ctx.scope().await?;
        Ok(parent.filter(|p| scope.allows(p.area_id)).map(PlanObject))
    }

    /// Plans that implement this one, inside the caller's area.
    async fn children(&self, ctx: &Context<'_>) -> GqlResult<Vec<PlanObject>> {
        let children = ctx.request().loaders.plan_children.load_one(self.0.code.clone()).await.gql()?;
        let scope = ctx.scope().await?;
        Ok(children.unwrap_or_default().into_iter().filter(|p| scope.allows(p.area_id)).map(PlanObject).collect())
    }

    async fn objectives(&self, ctx: &Context<'_>) -> GqlResult<Vec<ObjectiveObject>> {
        let objectives = ctx.request().loaders.objectives.load_one(self.0.id).await.gql()?;
        Ok(objectives.unwrap_or_default().into_iter().map(ObjectiveObject).collect())
    }

    async fn reporting_deadlines(&self, ctx: &Context<'_>) -> GqlResult<Vec<ReportingDeadlineObject>> {
        let deadlines = ctx.request().loaders.deadlines.load_one(self.0.id).await.gql()?;
        Ok(deadlines.unwrap_or_default().into_iter().map(ReportingDeadlineObject).collect())
    }

    /// For each agency assigned to a measured target: whether its values for the plan's area
    /// and `period` ("2024", "2024-S1") arrived by the plan's deadline for that period
    /// (internal roles only).
    async fn reporting_status(&self, ctx: &Context<'_>, period: String) -> GqlResult<Vec<AgencyReportObject>> {
        if ctx.caller().reads_published_only() {
            return Err(DomainError::Forbidden("reporting status is for internal roles".into())).gql();
        }
        let parsed: Period =
            period.parse().map_err(|e: BadPeriod| DomainError::bad_input("period", e.to_string())).gql()?;
        let deadlines = ctx.request().loaders.deadlines.load_one(self.0.id).await.gql()?.unwrap_or_default();
        let due_on = crate::domain::reporting::due_on(&deadlines, &parsed).gql()?;
        let key = ReportKey { plan_id: self.0.id, area_id: self.0.area_id, period: parsed.to_string(), due_on };
        let reports = ctx.request().loaders.reports.load_one(key).await.gql()?.unwrap_or_default();
        Ok(reports.into_iter().map(|r| AgencyReportObject { report: r, period: parsed.to_string() }).collect())
    }

    /// How the plan's targets stand in `period` for the plan's area, in all and by
    /// objective: MET, NOT_MET, or NO_DATA (qualitative targets among these), each as
    /// `Target.progress(period:)` says. Read together: a fixed number of statements for
    /// every target of the plan.
    async fn scorecard(&self, ctx: &Context<'_>, period: String) -> GqlResult<Scorecard> {
        let parsed = crate::service::reads::period_argument("period", &period).gql()?;
        let objectives = ctx.request().loaders.objectives.load_one(self.0.id).await.gql()?.unwrap_or_default();
        let ids: Vec<i64> = objectives.iter().map(|o| o.id).collect();
        let targets = ctx.request().loaders.targets.load_many(ids).await.gql()?;
        let key = |t: &Target| {
            t.indicator_code.as_ref().map(|code| ProgressKey {
                indicator_code: code.clone(),
                area_id: self.0.area_id,
                period: Some(parsed.to_string()),
                measured_on: t.measured_on,
            })
        };
        let keys: Vec<ProgressKey> = targets.values().flatten().filter_map(key).collect();
        let measured = ctx.request().loaders.progress.load_many(keys).await.gql()?;
        let mut card = Scorecard::default();
        for objective in objectives {
            let mut tally = Tally::default();
            for target in targets.get(&objective.id).into_iter().flatten() {
                let by_sex = key(target).and_then(|k| measured.get(&k));
                let standing = by_sex.map_or(ProgressStatus::NoData, |m| standing(target.comparator, target.value, m));
                tally.add(standing);
            }
            card.add(ObjectiveScore::of(objective, tally));
        }
        Ok(card)
    }

    /// The seed document and section the plan was transcribed from.
    async fn source(&self) -> Option<&str> {
        self.0.source.as_deref()
    }

    /// Blanks, inconsistencies and other remarks from transcription.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
}

/// How a plan's targets stand in a period.
#[derive(SimpleObject, Default)]
pub struct Scorecard {
    pub met: i32,
    pub not_met: i32,
    pub no_data: i32,
    pub objectives: Vec<ObjectiveScore>,
}

impl Scorecard {
    fn add(&mut self, score: ObjectiveScore) {
        self.met += score.met;
        self.not_met += score.not_met;
        self.no_data += score.no_data;
        self.objectives.push(score);
    }
}

/// How one objective's targets stand.
#[derive(SimpleObject)]
pub struct ObjectiveScore {
    pub objective: ObjectiveObject,
    pub met: i32,
    pub not_met: i32,
    pub no_data: i32,
}

impl ObjectiveScore {
    fn of(objective: Objective, tally: Tally) -> ObjectiveScore {
        ObjectiveScore {
            objective: ObjectiveObject(objective),
            met: count(tally.met),
            not_met: count(tally.not_met),
            no_data: count(tally.no_data),
        }
    }
}

pub struct ObjectiveObject(pub Objective);

/// An objective (Mục tiêu) of a plan.
#[Object(name = "Objective")]
impl ObjectiveObject {
    /// "M1" … "M6".
    async fn code(&self) -> String {
        self.0.code()
    }

    async fn number(&self) -> i32 {
        self.0.number
    }

    async fn title(&self) -> &str {
        &self.0.title
    }

    async fn domain(&self) -> DomainEnum {
        self.0.domain.into()
    }

    async fn targets(&self, ctx: &Context<'_>) -> GqlResult<Vec<TargetObject>> {
        let targets = ctx.request().loaders.targets.load_one(self.0.id).await.gql()?;
        Ok(targets.unwrap_or_default().into_iter().map(TargetObject).collect())
    }

    async fn source(&self) -> Option<&str> {
        self.0.source.as_deref()
    }

    /// Remarks from transcription, such as a count of targets the plan does not have.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
}

pub struct TargetObject(pub Target);

/// One measurable commitment (Chỉ tiêu).
#[Object(name = "Target")]
impl TargetObject {
    /// e.g. "M3.CT2a": objective 3, item 2, first measure of the item.
    async fn code(&self) -> &str {
        &self.0.code
    }

    /// The document's own words.
    async fn text(&self) -> &str {
        &self.0.text
    }

    /// Null for a qualitative target.
    async fn indicator(&self, ctx: &Context<'_>) -> GqlResult<Option<IndicatorObject>> {
        let Some(code) = &self.0.indicator_code else { return Ok(None) };
        let indicator = ctx.request().loaders.indicator.load_one(code.clone()).await.gql()?;
        Ok(Some(IndicatorObject(required(indicator, "indicator", code)?)))
    }

    async fn comparator(&self) -> Option<ComparatorEnum> {
        self.0.comparator.map(Into::into)
    }

    async fn value(&self) -> Option<f64> {
        self.0.value
    }

    async fn target_year(&self) -> Option<i32> {
        self.0.target_year
    }

    /// What the target is measured on: the total, women, men, or each sex separately (met
    /// only when every sex meets it).
    async fn measured_on(&self) -> SexScopeEnum {
        self.0.measured_on.into()
    }

    /// The document's words that say what the target is measured on, e.g. "002 line 57:
    /// «…»"; null for a target on the total.
    async fn measured_on_source(&self) -> Option<&str> {
        self.0.measured_on_source.as_deref()
    }

    /// Blanks, inconsistencies and other remarks from transcription.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }

    /// The latest value for the plan's unit (or the unit `areaCode` names in `period`, else
    /// today), in `period` or the latest period, compared with the target. Compiled from
    /// sub-units, predecessors or successors where the unit has no value of its own
    /// (`derived`; README, "Codes, validity and successions"). A target measured on one sex
    /// reads that sex's values; one measured on each sex compares both, in the same period.
    async fn progress(
        &self,
        ctx: &Context<'_>,
        area_code: Option<String>,
        period: Option<String>,
    ) -> GqlResult<Progress> {
        let parsed = match &period {
            Some(p) => Some(crate::service::reads::period_argument("period", p).gql()?),
            None => None,
        };
        let area_id = match (area_code, parsed) {
            (Some(code), Some(p)) => find_area_for_period(ctx, &code, &p).await?.id,
            (Some(code), None) => find_area(ctx, &code, None).await?.id,
            (None, _) => self.0.plan_area_id,
        };
        let unmeasured = || self.0.measured_on.sexes().iter().map(|&sex| SexMeasured { sex, measured: None }).collect();
        let Some(indicator_code) = &self.0.indicator_code else { return Ok(Progress::of(self.sexes(unmeasured()))) };
        let key =
            ProgressKey { indicator_code: indicator_code.clone(), area_id, period, measured_on: self.0.measured_on };
        let measured = ctx.request().loaders.progress.load_one(key).await.gql()?.unwrap_or_else(unmeasured);
        // Together, so that every target's table reads are batched as one.
        let withheld = try_join_all(measured.iter().map(|m| async {
            match &m.measured {
                Some(value) => progress_withheld(ctx, indicator_code, area_id, m.sex, value).await,
                None => Ok(false),
            }
        }))
        .await?;
        let by_sex = self.sexes(measured).into_iter().zip(withheld).map(|(mut p, withheld)| {
            if withheld {
                p.value = None;
            }
            p
        });
        Ok(Progress::of(by_sex.collect()))
    }

    async fn assignments(&self, ctx: &Context<'_>) -> GqlResult<Vec<AssignmentObject>> {
        let assignments = ctx.request().loaders.assignments.load_one(self.0.id).await.gql()?;
        Ok(assignments.unwrap_or_default().into_iter().map(AssignmentObject).collect())
    }

    async fn source(&self) -> Option<&str> {
        self.0.source.as_deref()
    }
}

/// Partners see whether a target is met, but not a figure the disclosure rule withholds: an
/// own value when its cell is suppressed, a roll-up of a sensitive indicator always (a sum
/// minus the parts a partner can read would give back a suppressed part).
async fn progress_withheld(
    ctx: &Context<'_>,
    indicator_code: &str,
    area_id: AreaId,
    sex: Sex,
    measured: &Measured,
) -> GqlResult<bool> {
    if !may_withhold(ctx, indicator_code).await? {
        return Ok(false);
    }
    if measured.derived {
        return Ok(true);
    }
    let key = TableKey { indicator_code: indicator_code.to_owned(), area_id, period: measured.period.clone() };
    let table = ctx.request().loaders.tables.load_one(key).await.gql()?.unwrap_or_default();
    Ok(table.by_sex(sex).is_none_or(|o| table.published_value(o).is_none()))
}

/// How a target stands.
#[derive(SimpleObject)]
pub struct Progress {
    /// Whether the value meets the target. For a target measured on each sex: MET when every
    /// sex meets it, NOT_MET when both are known and one falls short (see `bySex`), NO_DATA
    /// while one is unknown.
    pub status: ProgressStatusEnum,
    /// The value compared with the target; null for a target measured on each sex (its two
    /// values are in `bySex`).
    pub value: Option<f64>,
    /// The period compared; for a target measured on each sex, the one both values are of.
    pub period: Option<String>,
    /// True when rolled up from sub-areas or predecessor areas.
    pub derived: bool,
    /// One entry per sex the target is measured on (`Target.measuredOn`): TOTAL, FEMALE or
    /// MALE alone, or FEMALE then MALE for EACH_SEX. An entry NOT_MET names a sex that falls
    /// short.
    pub by_sex: Vec<SexProgress>,
}

/// How one sex stands against a target, e.g. girls at 96% and boys at 88% of a target of
/// more than 95%.
#[derive(SimpleObject)]
pub struct SexProgress {
    pub sex: SexEnum,
    pub status: ProgressStatusEnum,
    /// This sex's value compared with the target.
    pub value: Option<f64>,
    pub period: Option<String>,
    /// True when rolled up from sub-areas or predecessor areas.
    pub derived: bool,
}

impl TargetObject {
    /// Each sex's value compared with the target.
    fn sexes(&self, measured: Vec<SexMeasured>) -> Vec<SexProgress> {
        measured
            .into_iter()
            .map(|SexMeasured { sex, measured }| SexProgress {
                sex: sex.into(),
                status: status(self.0.comparator, self.0.value, measured.as_ref().map(|m| m.value)).into(),
                value: measured.as_ref().map(|m| m.value),
                derived: measured.as_ref().is_some_and(|m| m.derived),
                period: measured.map(|m| m.period),
            })
            .collect()
    }
}

impl Progress {
    /// The whole, from how each sex stands: one sex's figures are the target's; of two, the
    /// period when they share it.
    fn of(by_sex: Vec<SexProgress>) -> Progress {
        let statuses: Vec<ProgressStatus> = by_sex.iter().map(|p| p.status.into()).collect();
        let (value, period, derived) = match by_sex.as_slice() {
            [one] => (one.value, one.period.clone(), one.derived),
            all => {
                let first = all.first().and_then(|p| p.period.clone());
                let shared = first.filter(|f| all.iter().all(|p| p.period.as_ref() == Some(f)));
                let derived = shared.is_some() && all.iter().any(|p| p.derived);
                (None, shared, derived)
            }
        };
        Progress { status: overall(&statuses).into(), value, period, derived, by_sex }
    }
}

pub struct AssignmentObject(pub Assignment);

/// An agency's duty to report a target: LEAD (chủ trì) or SUPPORT (phối hợp).
#[Object(name = "Assignment")]
impl AssignmentObject {
    async fn agency(&self, ctx: &Context<'_>) -> GqlResult<AgencyObject> {
        let agency = ctx.request().loaders.agency.load_one(self.0.agency_code.clone()).await.gql()?;
        Ok(AgencyObject(required(agency, "agency", &self.0.agency_code)?))
    }

    async fn role(&self) -> AssignmentRoleEnum {
        self.0.role.into()
    }

    /// The part of the target this agency reports, when two agencies split one
    /// (e.g. "số liệu về bạo lực gia đình").
    async fn scope(&self) -> Option<&str> {
        self.0.scope.as_deref()
    }

    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
}

pub struct ReportingDeadlineObject(pub ReportingDeadline);

/// A recurring reporting deadline (chế độ báo cáo), e.g. semi-annual reports by 10 June.
#[Object(name = "ReportingDeadline")]
impl ReportingDeadlineObject {
    async fn period_kind(&self) -> PeriodKindEnum {
        self.0.period_kind.into()
    }

    async fn due_day(&self) -> i32 {
        self.0.due_day
    }

    async fn due_month(&self) -> i32 {
        self.0.due_month
    }
}
