//! Plans and what hangs off them: objectives, targets, the agencies assigned to targets,
//! reporting deadlines, and the reporting duties these give agencies. Mounted by each
//! backend (see the store's module doc): `Backend` is that backend's store.

use async_trait::async_trait;

use super::Backend;
use crate::domain::areas::AreaId;
use crate::domain::plans::{Assignment, Objective, Plan, ReportingDeadline, Target};
use crate::domain::reporting::Duty;
use crate::store::dialect::Dialect;
use crate::store::rows::{
    convert, AssignmentRow, DeadlineRow, DutyRow, ObjectiveRow, PlanRow, TargetRow, ASSIGNMENT_COLUMNS,
    DEADLINE_COLUMNS, OBJECTIVE_COLUMNS, PLANS, PLAN_COLUMNS, TARGET_COLUMNS,
};
use crate::store::{PlanStore, StoreError};

#[async_trait]
impl PlanStore for Backend {
    #[tracing::instrument(name = "store.plans", skip_all, fields(otel.kind = "client", db.system.name = Self::SYSTEM))]
    async fn plans(&self, within: Option<&[AreaId]>) -> Result<Vec<Plan>, StoreError> {
        let rows = match within {
            Some(ids) => {
                let sql = format!(
                    "SELECT {PLAN_COLUMNS} FROM {PLANS} WHERE p.area_id {} ORDER BY p.start_year, p.code",
                    Self::any(1)
                );
                sqlx::query_as::<_, PlanRow>(&sql).bind(Self::ids(ids)).fetch_all(self.pool()).await?
            }
            None => {
                let sql = format!("SELECT {PLAN_COLUMNS} FROM {PLANS} ORDER BY p.start_year, p.code");
                sqlx::query_as::<_, PlanRow>(&sql).fetch_all(self.pool()).await?
            }
        };
        convert(rows)
    }

    #[tracing::instrument(name = "store.plans_by_codes", skip_all, fields(otel.kind = "client", db.system.name = Self::SYSTEM))]
    async fn plans_by_codes(&self, codes: &[String]) -> Result<Vec<Plan>, StoreError> {
        let sql = format!("SELECT {PLAN_COLUMNS} FROM {PLANS} WHERE p.code {} ORDER BY p.code", Self::any(1));
        let rows = sqlx::query_as::<_, PlanRow>(&sql).bind(Self::texts(codes)).fetch_all(self.pool()).await?;
        convert(rows)
    }

    #[tracing::instrument(name = "store.plans_by_parents", skip_all, fields(otel.kind = "client", db.system.name = Self::SYSTEM))]
    async fn plans_by_parents(&self, parent_codes: &[String]) -> Result<Vec<Plan>, StoreError> {
        let sql = format!(
            "SELECT {PLAN_COLUMNS} FROM {PLANS} WHERE p.parent_code {} ORDER BY p.start_year, p.code",
            Self::any(1)
        );
        let rows = sqlx::query_as::<_, PlanRow>(&sql).bind(Self::texts(parent_codes)).fetch_all(self.pool()).await?;
        convert(rows)
    }

    #[tracing::instrument(name = "store.objectives_by_plans", skip_all, fields(otel.kind = "client", db.system.name = Self::SYSTEM))]
    async fn objectives_by_plans(&self, plan_ids: &[i64]) -> Result<Vec<Objective>, StoreError> {
        let sql = format!(
            "SELECT {OBJECTIVE_COLUMNS} FROM objectives WHERE plan_id {} ORDER BY plan_id, number",
            Self::any(1)
        );
        let rows = sqlx::query_as::<_, ObjectiveRow>(&sql).bind(Self::ids(plan_ids)).fetch_all(self.pool()).await?;
        convert(rows)
    }

    #[tracing::instrument(name = "store.targets_by_objectives", skip_all, fields(otel.kind = "client", db.system.name = Self::SYSTEM))]
    async fn targets_by_objectives(&self, objective_ids: &[i64]) -> Result<Vec<Target>, StoreError> {
        let sql = format!(
            "SELECT {TARGET_COLUMNS}, p.area_id AS plan_area_id, pa.code AS plan_area_code FROM targets t \
             JOIN objectives o ON o.id = t.objective_id JOIN plans p ON p.id = o.plan_id \
             JOIN areas pa ON pa.id = p.area_id \
             WHERE t.objective_id {} ORDER BY t.objective_id, t.id",
            Self::any(1)
        );
        let rows = sqlx::query_as::<_, TargetRow>(&sql).bind(Self::ids(objective_ids)).fetch_all(self.pool()).await?;
        convert(rows)
    }

    #[tracing::instrument(name = "store.assignments_by_targets", skip_all, fields(otel.kind = "client", db.system.name = Self::SYSTEM))]
    async fn assignments_by_targets(&self, target_ids: &[i64]) -> Result<Vec<Assignment>, StoreError> {
        // LEAD before SUPPORT, then in document order
        let sql = format!(
            "SELECT {ASSIGNMENT_COLUMNS} FROM assignments WHERE target_id {} ORDER BY target_id, role, id",
            Self::any(1)
        );
        let rows = sqlx::query_as::<_, AssignmentRow>(&sql).bind(Self::ids(target_ids)).fetch_all(self.pool()).await?;
        convert(rows)
    }

    #[tracing::instrument(name = "store.deadlines_by_plans", skip_all, fields(otel.kind = "client", db.system.name = Self::SYSTEM))]
    async fn deadlines_by_plans(&self, plan_ids: &[i64]) -> Result<Vec<ReportingDeadline>, StoreError> {
        let sql = format!(
            "SELECT {DEADLINE_COLUMNS} FROM reporting_deadlines WHERE plan_id {} \
             ORDER BY plan_id, due_month, due_day",
            Self::any(1)
        );
        let rows = sqlx::query_as::<_, DeadlineRow>(&sql).bind(Self::ids(plan_ids)).fetch_all(self.pool()).await?;
        convert(rows)
    }

    #[tracing::instrument(name = "store.agency_assignments", skip_all, fields(otel.kind = "client", db.system.name = Self::SYSTEM))]
    async fn agency_assignments(&self, agency_code: &str) -> Result<Vec<(String, AreaId)>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT DISTINCT t.indicator_code, p.area_id FROM assignments a \
             JOIN targets t ON t.id = a.target_id JOIN objectives o ON o.id = t.objective_id \
             JOIN plans p ON p.id = o.plan_id \
             WHERE a.agency_code = $1 AND t.indicator_code IS NOT NULL",
        )
        .bind(agency_code)
        .fetch_all(self.pool())
        .await?)
    }

    #[tracing::instrument(name = "store.duties_by_plans", skip_all, fields(otel.kind = "client", db.system.name = Self::SYSTEM))]
    async fn duties_by_plans(&self, plan_ids: &[i64]) -> Result<Vec<Duty>, StoreError> {
        let sql = format!(
            "SELECT DISTINCT o.plan_id, a.agency_code, a.role, t.indicator_code FROM assignments a \
             JOIN targets t ON t.id = a.target_id JOIN objectives o ON o.id = t.objective_id \
             WHERE o.plan_id {} AND t.indicator_code IS NOT NULL \
             ORDER BY o.plan_id, a.agency_code, t.indicator_code, a.role",
            Self::any(1)
        );
        let rows = sqlx::query_as::<_, DutyRow>(&sql).bind(Self::ids(plan_ids)).fetch_all(self.pool()).await?;
        convert(rows)
    }
}
