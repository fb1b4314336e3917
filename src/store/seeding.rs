//! Loading the plan documents' seeds, the only writer of areas, the catalogue and plans.
//! Mounted by each backend (see the store's module doc): `Backend` is that backend's store.

use async_trait::async_trait;

use super::Backend;
use crate::seeds::SeedSet;
use crate::store::dialect::Dialect;
use crate::store::{SeedCounts, SeedStore, StoreError};

#[async_trait]
impl SeedStore for Backend {
    #[tracing::instrument(name = "store.apply_seeds", skip_all, fields(otel.kind = "client", db.system.name = Self::SYSTEM))]
    async fn apply_seeds(&self, seeds: &SeedSet) -> Result<SeedCounts, StoreError> {
        let (_turn, mut tx) = self.begin_write().await?;
        for a in &seeds.areas {
            sqlx::query(
                "INSERT INTO areas (code, name, level, parent_code, valid_from, valid_to, source) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) \
                 ON CONFLICT (code) DO UPDATE SET name = excluded.name, level = excluded.level, \
                 parent_code = excluded.parent_code, valid_from = excluded.valid_from, \
                 valid_to = excluded.valid_to, source = excluded.source",
            )
            .bind(&a.code)
            .bind(&a.name)
            .bind(a.level.as_str())
            .bind(&a.parent)
            .bind(a.valid_from)
            .bind(a.valid_to)
            .bind(&a.source)
            .execute(&mut *tx)
            .await?;
        }
        for i in &seeds.indicators {
            let dimensions: Vec<&str> = i.dimensions.iter().map(|d| d.as_str()).collect();
            sqlx::query(
                "INSERT INTO indicators (code, name_vi, name_en, unit, direction, sex_disaggregated, \
                 dimensions, sensitive, sdg_code, source) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
                 ON CONFLICT (code) DO UPDATE SET name_vi = excluded.name_vi, name_en = excluded.name_en, \
                 unit = excluded.unit, direction = excluded.direction, \
                 sex_disaggregated = excluded.sex_disaggregated, dimensions = excluded.dimensions, \
                 sensitive = excluded.sensitive, sdg_code = excluded.sdg_code, source = excluded.source",
            )
            .bind(&i.code)
            .bind(&i.name_vi)
            .bind(&i.name_en)
            .bind(i.unit.as_str())
            .bind(i.direction.map(|d| d.as_str()))
            .bind(i.sex_disaggregated)
            .bind(dimensions.join(","))
            .bind(i.sensitive)
            .bind(&i.sdg_code)
            .bind(&i.source)
            .execute(&mut *tx)
            .await?;
        }
        for a in &seeds.agencies {
            sqlx::query(
                "INSERT INTO agencies (code, name, kind, area_code, source, note) \
                 VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (code) DO UPDATE SET name = excluded.name, kind = excluded.kind, \
                 area_code = excluded.area_code, source = excluded.source, note = excluded.note",
            )
            .bind(&a.code)
            .bind(&a.name)
            .bind(a.kind.as_str())
            .bind(&a.area)
            .bind(&a.source)
            .bind(&a.note)
            .execute(&mut *tx)
            .await?;
        }
        for p in &seeds.plans {
            let plan_id: i64 = sqlx::query_scalar(
                "INSERT INTO plans (code, document_number, title, issuer_code, area_code, start_year, \
                 end_year, issued_on, parent_code, source, note) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
                 ON CONFLICT (code) DO UPDATE SET document_number = excluded.document_number, \
                 title = excluded.title, issuer_code = excluded.issuer_code, area_code = excluded.area_code, \
                 start_year = excluded.start_year, end_year = excluded.end_year, \
                 issued_on = excluded.issued_on, parent_code = excluded.parent_code, \
                 source = excluded.source, note = excluded.note RETURNING id",
            )
            .bind(&p.code)
            .bind(&p.document_number)
            .bind(&p.title)
            .bind(&p.issuer)
            .bind(&p.area)
            .bind(p.start_year)
            .bind(p.end_year)
            .bind(p.issued_on)
            .bind(&p.parent)
            .bind(&p.source)
            .bind(&p.note)
            .fetch_one(&mut *tx)
            .await?;

            let mut kept = Vec::new();
            for d in &p.deadlines {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO reporting_deadlines (plan_id, period_kind, due_day, due_month, source) \
                     VALUES ($1, $2, $3, $4, $5) \
                     ON CONFLICT (plan_id, period_kind, due_month, due_day) \
                     DO UPDATE SET source = excluded.source RETURNING id",
                )
                .bind(plan_id)
                .bind(d.period_kind.as_str())
                .bind(d.due_day)
                .bind(d.due_month)
                .bind(&d.source)
                .fetch_one(&mut *tx)
                .await?;
                kept.push(id);
            }
            sqlx::query(&format!("DELETE FROM reporting_deadlines WHERE plan_id = $1 AND NOT (id {})", Self::any(2)))
                .bind(plan_id)
                .bind(Self::ids(&kept))
                .execute(&mut *tx)
                .await?;

            let mut kept_objectives = Vec::new();
            for o in &p.objectives {
                let objective_id: i64 = sqlx::query_scalar(
                    "INSERT INTO objectives (plan_id, number, title, domain, source, note) \
                     VALUES ($1, $2, $3, $4, $5, $6) \
                     ON CONFLICT (plan_id, number) DO UPDATE SET title = excluded.title, \
                     domain = excluded.domain, source = excluded.source, note = excluded.note \
                     RETURNING id",
                )
                .bind(plan_id)
                .bind(o.number)
                .bind(&o.title)
                .bind(o.domain.as_str())
                .bind(&o.source)
                .bind(&o.note)
                .fetch_one(&mut *tx)
                .await?;
                kept_objectives.push(objective_id);

                let mut kept_targets = Vec::new();
                for t in &o.targets {
                    let target_id: i64 = sqlx::query_scalar(
                        "INSERT INTO targets (objective_id, code, text, indicator_code, comparator, \
                         value, target_year, source, note, measured_on, measured_on_source) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
                         ON CONFLICT (objective_id, code) DO UPDATE SET text = excluded.text, \
                         indicator_code = excluded.indicator_code, comparator = excluded.comparator, \
                         value = excluded.value, target_year = excluded.target_year, \
                         source = excluded.source, note = excluded.note, measured_on = excluded.measured_on, \
                         measured_on_source = excluded.measured_on_source RETURNING id",
                    )
                    .bind(objective_id)
                    .bind(&t.code)
                    .bind(&t.text)
                    .bind(&t.indicator)
                    .bind(t.comparator.map(|c| c.as_str()))
                    .bind(t.value)
                    .bind(t.target_year)
                    .bind(&t.source)
                    .bind(&t.note)
                    .bind(t.measured_on.as_str())
                    .bind(&t.measured_on_source)
                    .fetch_one(&mut *tx)
                    .await?;
                    kept_targets.push(target_id);

                    let mut kept_assignments = Vec::new();
                    for a in &t.assignments {
                        let id: i64 = sqlx::query_scalar(
                            "INSERT INTO assignments (target_id, agency_code, role, scope, source, note) \
                             VALUES ($1, $2, $3, $4, $5, $6) \
                             ON CONFLICT (target_id, agency_code, role) DO UPDATE SET \
                             scope = excluded.scope, source = excluded.source, note = excluded.note \
                             RETURNING id",
                        )
                        .bind(target_id)
                        .bind(&a.agency)
                        .bind(a.role.as_str())
                        .bind(&a.scope)
                        .bind(&a.source)
                        .bind(&a.note)
                        .fetch_one(&mut *tx)
                        .await?;
                        kept_assignments.push(id);
                    }
                    sqlx::query(&format!("DELETE FROM assignments WHERE target_id = $1 AND NOT (id {})", Self::any(2)))
                        .bind(target_id)
                        .bind(Self::ids(&kept_assignments))
                        .execute(&mut *tx)
                        .await?;
                }
                sqlx::query(&format!("DELETE FROM targets WHERE objective_id = $1 AND NOT (id {})", Self::any(2)))
                    .bind(objective_id)
                    .bind(Self::ids(&kept_targets))
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query(&format!("DELETE FROM objectives WHERE plan_id = $1 AND NOT (id {})", Self::any(2)))
                .bind(plan_id)
                .bind(Self::ids(&kept_objectives))
                .execute(&mut *tx)
                .await?;
        }

        let mut counts = SeedCounts::default();
        for (table, slot) in [
            ("areas", &mut counts.areas),
            ("agencies", &mut counts.agencies),
            ("indicators", &mut counts.indicators),
            ("plans", &mut counts.plans),
            ("objectives", &mut counts.objectives),
            ("targets", &mut counts.targets),
            ("assignments", &mut counts.assignments),
            ("reporting_deadlines", &mut counts.deadlines),
        ] {
            let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}")).fetch_one(&mut *tx).await?;
            *slot = usize::try_from(n).unwrap_or_default();
        }
        tx.commit().await?;
        Ok(counts)
    }

    #[tracing::instrument(name = "store.has_plans", skip_all, fields(otel.kind = "client", db.system.name = Self::SYSTEM))]
    async fn has_plans(&self) -> Result<bool, StoreError> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM plans").fetch_one(self.pool()).await?;
        Ok(n > 0)
    }
}
