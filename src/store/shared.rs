//! The SQL both backends run, written once. `impl_store!` stamps these method bodies onto
//! a store type that provides:
//! - `self.pool`: its `sqlx::Pool`;
//! - `Self::any(n)`: the SQL fragment testing membership in list parameter `$n`;
//! - `Self::texts(&[String])` and `Self::ids(&[i64])`: that list parameter's encoding;
//! - `Self::MIGRATOR`: its embedded migrations.

macro_rules! impl_store {
    ($store:ty, $backend:literal) => {
        #[async_trait::async_trait]
        impl $crate::store::Store for $store {
            fn backend(&self) -> &'static str {
                $backend
            }

            async fn migrate(&self) -> Result<(), $crate::store::StoreError> {
                Self::MIGRATOR.run(&self.pool).await?;
                Ok(())
            }

            async fn ping(&self) -> Result<(), $crate::store::StoreError> {
                sqlx::query("SELECT 1").execute(&self.pool).await?;
                Ok(())
            }

            async fn has_plans(&self) -> Result<bool, $crate::store::StoreError> {
                let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM plans").fetch_one(&self.pool).await?;
                Ok(n > 0)
            }

            async fn apply_seeds(
                &self,
                seeds: &$crate::seeds::SeedSet,
            ) -> Result<$crate::store::SeedCounts, $crate::store::StoreError> {
                let mut tx = self.pool.begin().await?;
                for a in &seeds.areas {
                    sqlx::query(
                        "INSERT INTO areas (code, name, level, parent_code, valid_from, valid_to, source) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7) \
                         ON CONFLICT (code) DO UPDATE SET name = excluded.name, level = excluded.level, \
                         parent_code = excluded.parent_code, valid_from = excluded.valid_from, \
                         valid_to = excluded.valid_to, source = excluded.source",
                    )
                    .bind(&a.code).bind(&a.name).bind(a.level.as_str()).bind(&a.parent)
                    .bind(a.valid_from).bind(a.valid_to).bind(&a.source)
                    .execute(&mut *tx).await?;
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
                    .bind(&i.code).bind(&i.name_vi).bind(&i.name_en).bind(i.unit.as_str())
                    .bind(i.direction.map(|d| d.as_str())).bind(i.sex_disaggregated)
                    .bind(dimensions.join(",")).bind(i.sensitive).bind(&i.sdg_code).bind(&i.source)
                    .execute(&mut *tx).await?;
                }
                for a in &seeds.agencies {
                    sqlx::query(
                        "INSERT INTO agencies (code, name, kind, area_code, source, note) \
                         VALUES ($1, $2, $3, $4, $5, $6) \
                         ON CONFLICT (code) DO UPDATE SET name = excluded.name, kind = excluded.kind, \
                         area_code = excluded.area_code, source = excluded.source, note = excluded.note",
                    )
                    .bind(&a.code).bind(&a.name).bind(a.kind.as_str()).bind(&a.area)
                    .bind(&a.source).bind(&a.note)
                    .execute(&mut *tx).await?;
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
                    .bind(&p.code).bind(&p.document_number).bind(&p.title).bind(&p.issuer)
                    .bind(&p.area).bind(p.start_year).bind(p.end_year).bind(p.issued_on)
                    .bind(&p.parent).bind(&p.source).bind(&p.note)
                    .fetch_one(&mut *tx).await?;

                    let mut kept = Vec::new();
                    for d in &p.deadlines {
                        let id: i64 = sqlx::query_scalar(
                            "INSERT INTO reporting_deadlines (plan_id, period_kind, due_day, due_month, source) \
                             VALUES ($1, $2, $3, $4, $5) \
                             ON CONFLICT (plan_id, period_kind, due_month, due_day) \
                             DO UPDATE SET source = excluded.source RETURNING id",
                        )
                        .bind(plan_id).bind(d.period_kind.as_str()).bind(d.due_day).bind(d.due_month)
                        .bind(&d.source)
                        .fetch_one(&mut *tx).await?;
                        kept.push(id);
                    }
                    sqlx::query(&format!(
                        "DELETE FROM reporting_deadlines WHERE plan_id = $1 AND NOT (id {})", Self::any(2)
                    ))
                    .bind(plan_id).bind(Self::ids(&kept))
                    .execute(&mut *tx).await?;

                    let mut kept_objectives = Vec::new();
                    for o in &p.objectives {
                        let objective_id: i64 = sqlx::query_scalar(
                            "INSERT INTO objectives (plan_id, number, title, domain, source, note) \
                             VALUES ($1, $2, $3, $4, $5, $6) \
                             ON CONFLICT (plan_id, number) DO UPDATE SET title = excluded.title, \
                             domain = excluded.domain, source = excluded.source, note = excluded.note \
                             RETURNING id",
                        )
                        .bind(plan_id).bind(o.number).bind(&o.title).bind(o.domain.as_str())
                        .bind(&o.source).bind(&o.note)
                        .fetch_one(&mut *tx).await?;
                        kept_objectives.push(objective_id);

                        let mut kept_targets = Vec::new();
                        for t in &o.targets {
                            let target_id: i64 = sqlx::query_scalar(
                                "INSERT INTO targets (objective_id, code, text, indicator_code, comparator, \
                                 value, target_year, source, note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
                                 ON CONFLICT (objective_id, code) DO UPDATE SET text = excluded.text, \
                                 indicator_code = excluded.indicator_code, comparator = excluded.comparator, \
                                 value = excluded.value, target_year = excluded.target_year, \
                                 source = excluded.source, note = excluded.note RETURNING id",
                            )
                            .bind(objective_id).bind(&t.code).bind(&t.text).bind(&t.indicator)
                            .bind(t.comparator.map(|c| c.as_str())).bind(t.value).bind(t.target_year)
                            .bind(&t.source).bind(&t.note)
                            .fetch_one(&mut *tx).await?;
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
                                .bind(target_id).bind(&a.agency).bind(a.role.as_str()).bind(&a.scope)
                                .bind(&a.source).bind(&a.note)
                                .fetch_one(&mut *tx).await?;
                                kept_assignments.push(id);
                            }
                            sqlx::query(&format!(
                                "DELETE FROM assignments WHERE target_id = $1 AND NOT (id {})", Self::any(2)
                            ))
                            .bind(target_id).bind(Self::ids(&kept_assignments))
                            .execute(&mut *tx).await?;
                        }
                        sqlx::query(&format!(
                            "DELETE FROM targets WHERE objective_id = $1 AND NOT (id {})", Self::any(2)
                        ))
                        .bind(objective_id).bind(Self::ids(&kept_targets))
                        .execute(&mut *tx).await?;
                    }
                    sqlx::query(&format!(
                        "DELETE FROM objectives WHERE plan_id = $1 AND NOT (id {})", Self::any(2)
                    ))
                    .bind(plan_id).bind(Self::ids(&kept_objectives))
                    .execute(&mut *tx).await?;
                }

                let mut counts = $crate::store::SeedCounts::default();
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
                    let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
                        .fetch_one(&mut *tx).await?;
                    *slot = usize::try_from(n).unwrap_or_default();
                }
                tx.commit().await?;
                Ok(counts)
            }

            async fn area_subtree(&self, code: &str) -> Result<Vec<String>, $crate::store::StoreError> {
                Ok(sqlx::query_scalar(
                    "WITH RECURSIVE subtree (code) AS ( \
                       SELECT code FROM areas WHERE code = $1 \
                       UNION SELECT a.code FROM areas a JOIN subtree s ON a.parent_code = s.code) \
                     SELECT code FROM subtree ORDER BY code",
                )
                .bind(code)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn areas(
                &self,
                filter: $crate::store::AreaFilter<'_>,
            ) -> Result<Vec<$crate::domain::areas::Area>, $crate::store::StoreError> {
                use $crate::store::rows::{AreaRow, AREA_COLUMNS};
                let within = match filter.within {
                    Some(_) => format!("AND code {}", Self::any(3)),
                    None => String::new(),
                };
                let sql = format!(
                    "SELECT {AREA_COLUMNS} FROM areas \
                     WHERE (CAST($1 AS TEXT) IS NULL OR parent_code = $1) \
                       AND (CAST($2 AS TEXT) IS NULL OR level = $2) {within} ORDER BY code"
                );
                let query = sqlx::query_as::<_, AreaRow>(&sql)
                    .bind(filter.parent_code)
                    .bind(filter.level.map(|l| l.as_str()));
                let rows = match filter.within {
                    Some(codes) => query.bind(Self::texts(codes)).fetch_all(&self.pool).await?,
                    None => query.fetch_all(&self.pool).await?,
                };
                $crate::store::rows::convert(rows)
            }

            async fn areas_by_codes(
                &self,
                codes: &[String],
            ) -> Result<Vec<$crate::domain::areas::Area>, $crate::store::StoreError> {
                use $crate::store::rows::{AreaRow, AREA_COLUMNS};
                let sql = format!("SELECT {AREA_COLUMNS} FROM areas WHERE code {} ORDER BY code", Self::any(1));
                let rows = sqlx::query_as::<_, AreaRow>(&sql).bind(Self::texts(codes)).fetch_all(&self.pool).await?;
                $crate::store::rows::convert(rows)
            }

            async fn areas_by_parents(
                &self,
                parent_codes: &[String],
            ) -> Result<Vec<$crate::domain::areas::Area>, $crate::store::StoreError> {
                use $crate::store::rows::{AreaRow, AREA_COLUMNS};
                let sql =
                    format!("SELECT {AREA_COLUMNS} FROM areas WHERE parent_code {} ORDER BY code", Self::any(1));
                let rows =
                    sqlx::query_as::<_, AreaRow>(&sql).bind(Self::texts(parent_codes)).fetch_all(&self.pool).await?;
                $crate::store::rows::convert(rows)
            }

            async fn successions_of(
                &self,
                predecessor_codes: &[String],
            ) -> Result<Vec<$crate::domain::areas::Succession>, $crate::store::StoreError> {
                use $crate::store::rows::SuccessionRow;
                let sql = format!(
                    "SELECT predecessor_code, successor_code FROM area_successions \
                     WHERE predecessor_code {} ORDER BY predecessor_code, successor_code",
                    Self::any(1)
                );
                let rows = sqlx::query_as::<_, SuccessionRow>(&sql)
                    .bind(Self::texts(predecessor_codes))
                    .fetch_all(&self.pool)
                    .await?;
                $crate::store::rows::convert(rows)
            }

            async fn agencies(
                &self,
                within: Option<&[String]>,
            ) -> Result<Vec<$crate::domain::agencies::Agency>, $crate::store::StoreError> {
                use $crate::store::rows::{AgencyRow, AGENCY_COLUMNS};
                let rows = match within {
                    Some(codes) => {
                        let sql = format!(
                            "SELECT {AGENCY_COLUMNS} FROM agencies WHERE area_code {} ORDER BY code",
                            Self::any(1)
                        );
                        sqlx::query_as::<_, AgencyRow>(&sql).bind(Self::texts(codes)).fetch_all(&self.pool).await?
                    }
                    None => {
                        let sql = format!("SELECT {AGENCY_COLUMNS} FROM agencies ORDER BY code");
                        sqlx::query_as::<_, AgencyRow>(&sql).fetch_all(&self.pool).await?
                    }
                };
                $crate::store::rows::convert(rows)
            }

            async fn agencies_by_codes(
                &self,
                codes: &[String],
            ) -> Result<Vec<$crate::domain::agencies::Agency>, $crate::store::StoreError> {
                use $crate::store::rows::{AgencyRow, AGENCY_COLUMNS};
                let sql = format!("SELECT {AGENCY_COLUMNS} FROM agencies WHERE code {} ORDER BY code", Self::any(1));
                let rows = sqlx::query_as::<_, AgencyRow>(&sql).bind(Self::texts(codes)).fetch_all(&self.pool).await?;
                $crate::store::rows::convert(rows)
            }

            async fn indicators(
                &self,
            ) -> Result<Vec<$crate::domain::indicators::Indicator>, $crate::store::StoreError> {
                use $crate::store::rows::{IndicatorRow, INDICATOR_COLUMNS};
                let sql = format!("SELECT {INDICATOR_COLUMNS} FROM indicators ORDER BY code");
                let rows = sqlx::query_as::<_, IndicatorRow>(&sql).fetch_all(&self.pool).await?;
                $crate::store::rows::convert(rows)
            }

            async fn indicators_by_codes(
                &self,
                codes: &[String],
            ) -> Result<Vec<$crate::domain::indicators::Indicator>, $crate::store::StoreError> {
                use $crate::store::rows::{IndicatorRow, INDICATOR_COLUMNS};
                let sql =
                    format!("SELECT {INDICATOR_COLUMNS} FROM indicators WHERE code {} ORDER BY code", Self::any(1));
                let rows =
                    sqlx::query_as::<_, IndicatorRow>(&sql).bind(Self::texts(codes)).fetch_all(&self.pool).await?;
                $crate::store::rows::convert(rows)
            }

            async fn plans(
                &self,
                within: Option<&[String]>,
            ) -> Result<Vec<$crate::domain::plans::Plan>, $crate::store::StoreError> {
                use $crate::store::rows::{PlanRow, PLAN_COLUMNS};
                let rows = match within {
                    Some(codes) => {
                        let sql = format!(
                            "SELECT {PLAN_COLUMNS} FROM plans WHERE area_code {} ORDER BY start_year, code",
                            Self::any(1)
                        );
                        sqlx::query_as::<_, PlanRow>(&sql).bind(Self::texts(codes)).fetch_all(&self.pool).await?
                    }
                    None => {
                        let sql = format!("SELECT {PLAN_COLUMNS} FROM plans ORDER BY start_year, code");
                        sqlx::query_as::<_, PlanRow>(&sql).fetch_all(&self.pool).await?
                    }
                };
                $crate::store::rows::convert(rows)
            }

            async fn plans_by_codes(
                &self,
                codes: &[String],
            ) -> Result<Vec<$crate::domain::plans::Plan>, $crate::store::StoreError> {
                use $crate::store::rows::{PlanRow, PLAN_COLUMNS};
                let sql = format!("SELECT {PLAN_COLUMNS} FROM plans WHERE code {} ORDER BY code", Self::any(1));
                let rows = sqlx::query_as::<_, PlanRow>(&sql).bind(Self::texts(codes)).fetch_all(&self.pool).await?;
                $crate::store::rows::convert(rows)
            }

            async fn plans_by_parents(
                &self,
                parent_codes: &[String],
            ) -> Result<Vec<$crate::domain::plans::Plan>, $crate::store::StoreError> {
                use $crate::store::rows::{PlanRow, PLAN_COLUMNS};
                let sql = format!(
                    "SELECT {PLAN_COLUMNS} FROM plans WHERE parent_code {} ORDER BY start_year, code",
                    Self::any(1)
                );
                let rows =
                    sqlx::query_as::<_, PlanRow>(&sql).bind(Self::texts(parent_codes)).fetch_all(&self.pool).await?;
                $crate::store::rows::convert(rows)
            }

            async fn objectives_by_plans(
                &self,
                plan_ids: &[i64],
            ) -> Result<Vec<$crate::domain::plans::Objective>, $crate::store::StoreError> {
                use $crate::store::rows::{ObjectiveRow, OBJECTIVE_COLUMNS};
                let sql = format!(
                    "SELECT {OBJECTIVE_COLUMNS} FROM objectives WHERE plan_id {} ORDER BY plan_id, number",
                    Self::any(1)
                );
                let rows = sqlx::query_as::<_, ObjectiveRow>(&sql).bind(Self::ids(plan_ids)).fetch_all(&self.pool).await?;
                $crate::store::rows::convert(rows)
            }

            async fn targets_by_objectives(
                &self,
                objective_ids: &[i64],
            ) -> Result<Vec<$crate::domain::plans::Target>, $crate::store::StoreError> {
                use $crate::store::rows::{TargetRow, TARGET_COLUMNS};
                let sql = format!(
                    "SELECT {TARGET_COLUMNS} FROM targets WHERE objective_id {} ORDER BY objective_id, id",
                    Self::any(1)
                );
                let rows =
                    sqlx::query_as::<_, TargetRow>(&sql).bind(Self::ids(objective_ids)).fetch_all(&self.pool).await?;
                $crate::store::rows::convert(rows)
            }

            async fn assignments_by_targets(
                &self,
                target_ids: &[i64],
            ) -> Result<Vec<$crate::domain::plans::Assignment>, $crate::store::StoreError> {
                use $crate::store::rows::{AssignmentRow, ASSIGNMENT_COLUMNS};
                // LEAD before SUPPORT, then in document order
                let sql = format!(
                    "SELECT {ASSIGNMENT_COLUMNS} FROM assignments WHERE target_id {} ORDER BY target_id, role, id",
                    Self::any(1)
                );
                let rows =
                    sqlx::query_as::<_, AssignmentRow>(&sql).bind(Self::ids(target_ids)).fetch_all(&self.pool).await?;
                $crate::store::rows::convert(rows)
            }

            async fn deadlines_by_plans(
                &self,
                plan_ids: &[i64],
            ) -> Result<Vec<$crate::domain::plans::ReportingDeadline>, $crate::store::StoreError> {
                use $crate::store::rows::{DeadlineRow, DEADLINE_COLUMNS};
                let sql = format!(
                    "SELECT {DEADLINE_COLUMNS} FROM reporting_deadlines WHERE plan_id {} \
                     ORDER BY plan_id, due_month, due_day",
                    Self::any(1)
                );
                let rows = sqlx::query_as::<_, DeadlineRow>(&sql).bind(Self::ids(plan_ids)).fetch_all(&self.pool).await?;
                $crate::store::rows::convert(rows)
            }
        }
    };
}
