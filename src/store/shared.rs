//! The SQL both backends run, written once. `impl_store!` stamps these method bodies onto
//! a store type that provides:
//! - `self.pool`: its `sqlx::Pool`;
//! - `Self::any(n)`: the SQL fragment testing membership in list parameter `$n`;
//! - `Self::texts(&[String])` and `Self::ids(&[i64])`: that list parameter's encoding;
//! - `Self::MIGRATOR`: its embedded migrations;
//! - `Self::stage(tx, rows)`: loads a push into the `push_rows` staging table;
//! - `Self::after_bulk_insert(tx, created)`: what to do once many observations were inserted.

/// From how many new observations a push counts as a bulk load.
pub const BULK_ROWS: i64 = 1_000;

/// Rows per multi-row INSERT: 11 parameters a row stays under SQLite's 32,766 bind
/// parameters.
pub const PUSH_CHUNK: usize = 2_000;

/// The staging table's columns, in the order `stage` binds them.
pub const PUSH_ROWS_COLUMNS: &str =
    "row_no, indicator_code, area_code, period, sex, age_group, ethnicity, value, numerator, denominator, comment";

/// The per-connection staging table a push is loaded into before set-based statements
/// classify and write it. The same DDL works in both dialects.
pub const CREATE_PUSH_ROWS: &str = "CREATE TEMP TABLE IF NOT EXISTS push_rows ( \
    row_no BIGINT NOT NULL, indicator_code TEXT NOT NULL, area_code TEXT NOT NULL, period TEXT NOT NULL, \
    sex TEXT NOT NULL, age_group TEXT NOT NULL, ethnicity TEXT NOT NULL, value DOUBLE PRECISION NOT NULL, \
    numerator DOUBLE PRECISION, denominator DOUBLE PRECISION, comment TEXT, existing_id BIGINT, outcome TEXT)";

/// Matches a staging row with its observation by natural key.
pub const SAME_KEY: &str = "o.indicator_code = push_rows.indicator_code AND o.area_code = push_rows.area_code \
    AND o.period = push_rows.period AND o.sex = push_rows.sex AND o.age_group = push_rows.age_group \
    AND o.ethnicity = push_rows.ethnicity";

/// The select a read of observations starts from: the current revision, or for partners
/// the last approved one.
pub fn selection_head(query: &crate::domain::observations::ObservationQuery) -> &'static str {
    use crate::store::rows::{OBSERVATION_CURRENT, OBSERVATION_PUBLISHED};
    if query.published_only {
        OBSERVATION_PUBLISHED
    } else {
        OBSERVATION_CURRENT
    }
}

/// The database's name in OpenTelemetry's conventions, for the store's spans.
pub const fn semconv_system(backend: &str) -> &str {
    match backend.as_bytes() {
        b"postgres" => "postgresql",
        _ => "sqlite",
    }
}

/// The select of values that count for progress and tables, and the condition to add:
/// rejected values left out; for partners, the last approved revision only.
pub fn standing_values(published_only: bool) -> (&'static str, &'static str) {
    use crate::store::rows::{OBSERVATION_CURRENT, OBSERVATION_PUBLISHED};
    if published_only {
        (OBSERVATION_PUBLISHED, "")
    } else {
        (OBSERVATION_CURRENT, " AND o.status <> 'REJECTED'")
    }
}

/// The conditions of a read of observations, after `selection_head`. Lists are bound one
/// parameter per code, which both backends accept.
pub fn selection_conditions<'q, DB: sqlx::Database>(
    qb: &mut sqlx::QueryBuilder<'q, DB>,
    query: &crate::domain::observations::ObservationQuery,
    indicator_codes: Option<&[String]>,
) where
    String: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    &'static str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    fn list<'q, DB: sqlx::Database>(qb: &mut sqlx::QueryBuilder<'q, DB>, column: &str, codes: &[String])
    where
        String: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    {
        qb.push(format!(" AND {column} IN ("));
        let mut items = qb.separated(", ");
        items.push_bind(String::new()); // keeps `IN ()` valid when the list is empty
        for code in codes {
            items.push_bind(code.clone());
        }
        qb.push(")");
    }
    if let Some(codes) = indicator_codes {
        list(qb, "o.indicator_code", codes);
    }
    if let Some(codes) = &query.area_codes {
        list(qb, "o.area_code", codes);
    }
    if let Some(period) = &query.period {
        qb.push(" AND o.period = ").push_bind(period.clone());
    }
    if let Some(sex) = query.sex {
        qb.push(" AND o.sex = ").push_bind(sex.as_str());
    }
    if let Some(status) = query.status {
        let column = if query.published_only { "r.status" } else { "o.status" };
        qb.push(format!(" AND {column} = ")).push_bind(status.as_str());
    }
}

/// Writes an audit entry inside the transaction `$tx` of what it records.
macro_rules! insert_audit {
    ($tx:ident, $entry:expr) => {{
        let entry: &$crate::domain::audit::AuditEntry = &$entry;
        sqlx::query(
            "INSERT INTO audit_log (at, actor, action, target, row_count, detail, request_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(entry.at)
        .bind(&entry.actor)
        .bind(entry.action.as_str())
        .bind(&entry.target)
        .bind(entry.rows)
        .bind(&entry.detail)
        .bind(&entry.request_id)
        .execute(&mut *$tx)
        .await?;
    }};
}

macro_rules! impl_store {
    ($store:ty, $db:ty, $backend:literal) => {
        #[async_trait::async_trait]
        impl $crate::store::Store for $store {
            fn backend(&self) -> &'static str {
                $backend
            }

            fn changes(&self) -> tokio::sync::broadcast::Receiver<$crate::store::Changed> {
                self.subscribe()
            }

            fn pool_use(&self) -> $crate::store::PoolUse {
                $crate::store::PoolUse {
                    open: self.pool.size(),
                    idle: u32::try_from(self.pool.num_idle()).unwrap_or(u32::MAX),
                    max: self.pool.options().get_max_connections(),
                }
            }

            #[tracing::instrument(name = "store.migrate", skip_all, fields(otel.kind = "client", db.system.name = $crate::store::shared::semconv_system($backend)))]
            async fn migrate(&self) -> Result<(), $crate::store::StoreError> {
                Self::MIGRATOR.run(&self.pool).await?;
                Ok(())
            }

            #[tracing::instrument(name = "store.ping", skip_all, fields(otel.kind = "client", db.system.name = $crate::store::shared::semconv_system($backend)))]
            async fn ping(&self) -> Result<(), $crate::store::StoreError> {
                sqlx::query("SELECT 1").execute(&self.pool).await?;
                Ok(())
            }

            #[tracing::instrument(name = "store.has_plans", skip_all, fields(otel.kind = "client", db.system.name = $crate::store::shared::semconv_system($backend)))]
            async fn has_plans(&self) -> Result<bool, $crate::store::StoreError> {
                let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM plans").fetch_one(&self.pool).await?;
                Ok(n > 0)
            }

            #[tracing::instrument(name = "store.apply_seeds", skip_all, fields(otel.kind = "client", db.system.name = $crate::store::shared::semconv_system($backend)))]
            async fn apply_seeds(
                &self,
                seeds: &$crate::seeds::SeedSet,
            ) -> Result<$crate::store::SeedCounts, $crate::store::StoreError> {
                let (_turn, mut tx) = self.begin_write().await?;
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

            #[tracing::instrument(name = "store.area_subtree", skip_all, fields(otel.kind = "client", db.system.name = $crate::store::shared::semconv_system($backend)))]
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

            #[tracing::instrument(name = "store.areas", skip_all, fields(otel.kind = "client", db.system.name = $crate::store::shared::semconv_system($backend)))]
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

            #[tracing::instrument(name = "store.areas_by_codes", skip_all, fields(otel.kind = "client", db.system.name = $crate::store::shared::semconv_system($backend)))]
            async fn areas_by_codes(
                &self,
                codes: &[String],
            ) -> Result<Vec<$crate::domain::areas::Area>, $crate::store::StoreError> {
                use $crate::store::rows::{AreaRow, AREA_COLUMNS};
                let sql = format!("SELECT {AREA_COLUMNS} FROM areas WHERE code {} ORDER BY code", Self::any(1));
                let rows = sqlx::query_as::<_, AreaRow>(&sql).bind(Self::texts(codes)).fetch_all(&self.pool).await?;
                $crate::store::rows::convert(rows)
            }

            #[tracing::instrument(name = "store.areas_by_parents", skip_all, fields(otel.kind = "client", db.system.name = $crate::store::shared::semconv_system($backend)))]
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

            #[tracing::instrument(name = "store.successions_of", skip_all, fields(otel.kind = "client", db.system.name = $crate::store::shared::semconv_system($backend)))]
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

            #[tracing::instrument(name = "store.agencies", skip_all, fields(otel.kind = "client", db.system.name = $crate::store::shared::semconv_system($backend)))]
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

            #[tracing::instrument(name = "store.agencies_by_codes", skip_all, fields(otel.kind = "client", db.system.name = $crate::store::shared::semconv_system($backend)))]
            async fn agencies_by_codes(
                &self,
                codes: &[String],
            ) -> Result<Vec<$crate::domain::agencies::Agency>, $crate::store::StoreError> {
                use $crate::store::rows::{AgencyRow, AGENCY_COLUMNS};
                let sql = format!("SELECT {AGENCY_COLUMNS} FROM agencies WHERE code {} ORDER BY code", Self::any(1));
                let rows = sqlx::query_as::<_, AgencyRow>(&sql).bind(Self::texts(codes)).fetch_all(&self.pool).await?;
                $crate::store::rows::convert(rows)
            }

            #[tracing::instrument(name = "store.indicators", skip_all, fields(otel.kind = "client", db.system.name = $crate::store::shared::semconv_system($backend)))]
            async fn indicators(
                &self,
            ) -> Result<Vec<$crate::domain::indicators::Indicator>, $crate::store::StoreError> {
                use $crate::store::rows::{IndicatorRow, INDICATOR_COLUMNS};
                let sql = format!("SELECT {INDICATOR_COLUMNS} FROM indicators ORDER BY code");
                let rows = sqlx::query_as::<_, IndicatorRow>(&sql).fetch_all(&self.pool).await?;
                $crate::store::rows::convert(rows)
            }

            #[tracing::instrument(name = "store.indicators_by_codes", skip_all, fields(otel.kind = "client", db.system.name = $crate::store::shared::semconv_system($backend)))]
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

            #[tracing::instrument(name = "store.plans", skip_all, fields(otel.kind = "client", db.system.name = $crate::store::shared::semconv_system($backend)))]
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

            #[tracing::instrument(name = "store.plans_by_codes", skip_all, fields(otel.kind = "client", db.system.name = $crate::store::shared::semconv_system($backend)))]
            async fn plans_by_codes(
                &self,
                codes: &[String],
            ) -> Result<Vec<$crate::domain::plans::Plan>, $crate::store::StoreError> {
                use $crate::store::rows::{PlanRow, PLAN_COLUMNS};
                let sql = format!("SELECT {PLAN_COLUMNS} FROM plans WHERE code {} ORDER BY code", Self::any(1));
                let rows = sqlx::query_as::<_, PlanRow>(&sql).bind(Self::texts(codes)).fetch_all(&self.pool).await?;
                $crate::store::rows::convert(rows)
            }

            #[tracing::instrument(name = "store.plans_by_parents", skip_all, fields(otel.kind = "client", db.system.name = $crate::store::shared::semconv_system($backend)))]
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

            #[tracing::instrument(name = "store.objectives_by_plans", skip_all, fields(otel.kind = "client", db.system.name = $crate::store::shared::semconv_system($backend)))]
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

            #[tracing::instrument(name = "store.targets_by_objectives", skip_all, fields(otel.kind = "client", db.system.name = $crate::store::shared::semconv_system($backend)))]
            async fn targets_by_objectives(
                &self,
                objective_ids: &[i64],
            ) -> Result<Vec<$crate::domain::plans::Target>, $crate::store::StoreError> {
                use $crate::store::rows::{TargetRow, TARGET_COLUMNS};
                let sql = format!(
                    "SELECT {TARGET_COLUMNS}, p.area_code AS plan_area_code FROM targets t \
                     JOIN objectives o ON o.id = t.objective_id JOIN plans p ON p.id = o.plan_id \
                     WHERE t.objective_id {} ORDER BY t.objective_id, t.id",
                    Self::any(1)
                );
                let rows =
                    sqlx::query_as::<_, TargetRow>(&sql).bind(Self::ids(objective_ids)).fetch_all(&self.pool).await?;
                $crate::store::rows::convert(rows)
            }

            #[tracing::instrument(name = "store.assignments_by_targets", skip_all, fields(otel.kind = "client", db.system.name = $crate::store::shared::semconv_system($backend)))]
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

            #[tracing::instrument(name = "store.deadlines_by_plans", skip_all, fields(otel.kind = "client", db.system.name = $crate::store::shared::semconv_system($backend)))]
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

            #[tracing::instrument(name = "store.agency_assignments", skip_all, fields(otel.kind = "client", db.system.name = $crate::store::shared::semconv_system($backend)))]
            async fn agency_assignments(&self, agency_code: &str) -> Result<Vec<(String, String)>, $crate::store::StoreError> {
                Ok(sqlx::query_as(
                    "SELECT DISTINCT t.indicator_code, p.area_code FROM assignments a \
                     JOIN targets t ON t.id = a.target_id JOIN objectives o ON o.id = t.objective_id \
                     JOIN plans p ON p.id = o.plan_id \
                     WHERE a.agency_code = $1 AND t.indicator_code IS NOT NULL",
                )
                .bind(agency_code)
                .fetch_all(&self.pool)
                .await?)
            }

            #[tracing::instrument(name = "store.areas_with_ancestors", skip_all, fields(otel.kind = "client", db.system.name = $crate::store::shared::semconv_system($backend)))]
            async fn areas_with_ancestors(
                &self,
                codes: &[String],
            ) -> Result<Vec<$crate::domain::areas::Area>, $crate::store::StoreError> {
                use $crate::store::rows::{AreaRow, AREA_COLUMNS};
                let sql = format!(
                    "WITH RECURSIVE up (code) AS ( \
                       SELECT code FROM areas WHERE code {} \
                       UNION SELECT a.parent_code FROM areas a JOIN up ON a.code = up.code \
                       WHERE a.parent_code IS NOT NULL) \
                     SELECT {AREA_COLUMNS} FROM areas WHERE code IN (SELECT code FROM up) ORDER BY code",
                    Self::any(1)
                );
                let rows = sqlx::query_as::<_, AreaRow>(&sql).bind(Self::texts(codes)).fetch_all(&self.pool).await?;
                $crate::store::rows::convert(rows)
            }

            #[tracing::instrument(name = "store.duties_by_plans", skip_all, fields(otel.kind = "client", db.system.name = $crate::store::shared::semconv_system($backend)))]
            async fn duties_by_plans(
                &self,
                plan_ids: &[i64],
            ) -> Result<Vec<$crate::domain::reporting::Duty>, $crate::store::StoreError> {
                use $crate::store::rows::DutyRow;
                let sql = format!(
                    "SELECT DISTINCT o.plan_id, a.agency_code, a.role, t.indicator_code FROM assignments a \
                     JOIN targets t ON t.id = a.target_id JOIN objectives o ON o.id = t.objective_id \
                     WHERE o.plan_id {} AND t.indicator_code IS NOT NULL \
                     ORDER BY o.plan_id, a.agency_code, t.indicator_code, a.role",
                    Self::any(1)
                );
                let rows = sqlx::query_as::<_, DutyRow>(&sql).bind(Self::ids(plan_ids)).fetch_all(&self.pool).await?;
                $crate::store::rows::convert(rows)
            }

            #[tracing::instrument(name = "store.arrivals", skip_all, fields(otel.kind = "client", db.system.name = $crate::store::shared::semconv_system($backend)))]
            async fn arrivals(
                &self,
                indicator_codes: &[String],
                area_codes: &[String],
                periods: &[String],
            ) -> Result<Vec<$crate::domain::reporting::Arrival>, $crate::store::StoreError> {
                use $crate::store::rows::ArrivalRow;
                // A value arrived with its first revision not rejected: one probe of the
                // revisions' key per value, however many revisions later pushes added.
                let sql = format!(
                    "SELECT * FROM (SELECT o.indicator_code, o.area_code, o.period, \
                       MIN((SELECT r.reported_at FROM observation_revisions r \
                            WHERE r.observation_id = o.id AND r.status <> 'REJECTED' \
                            ORDER BY r.revision LIMIT 1)) AS first_reported_at \
                     FROM observations o \
                     WHERE o.indicator_code {} AND o.area_code {} AND o.period {} \
                     GROUP BY o.indicator_code, o.area_code, o.period) arrived \
                     WHERE first_reported_at IS NOT NULL",
                    Self::any(1),
                    Self::any(2),
                    Self::any(3)
                );
                let rows = sqlx::query_as::<_, ArrivalRow>(&sql)
                    .bind(Self::texts(indicator_codes))
                    .bind(Self::texts(area_codes))
                    .bind(Self::texts(periods))
                    .fetch_all(&self.pool)
                    .await?;
                $crate::store::rows::convert(rows)
            }

            #[tracing::instrument(name = "store.revoke_token", skip_all, fields(otel.kind = "client", db.system.name = $crate::store::shared::semconv_system($backend)))]
            async fn revoke_token(
                &self,
                jti: &str,
                audit: &$crate::domain::audit::AuditEntry,
            ) -> Result<bool, $crate::store::StoreError> {
                let (_turn, mut tx) = self.begin_write().await?;
                let inserted = sqlx::query(
                    "INSERT INTO revoked_tokens (jti, revoked_by, revoked_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                )
                .bind(jti).bind(&audit.actor).bind(audit.at)
                .execute(&mut *tx).await?
                .rows_affected();
                if inserted == 1 {
                    insert_audit!(tx, audit);
                    Self::announce_revocation(&mut tx).await?;
                }
                tx.commit().await?;
                if inserted == 1 {
                    self.revocation_announced();
                }
                Ok(inserted == 1)
            }

            #[tracing::instrument(name = "store.record_audit", skip_all, fields(otel.kind = "client", db.system.name = $crate::store::shared::semconv_system($backend)))]
            async fn record_audit(&self, entry: &$crate::domain::audit::AuditEntry) -> Result<(), $crate::store::StoreError> {
                let mut tx = self.pool.begin().await?;
                insert_audit!(tx, entry);
                tx.commit().await?;
                Ok(())
            }

            #[tracing::instrument(name = "store.audit_log", skip_all, fields(otel.kind = "client", db.system.name = $crate::store::shared::semconv_system($backend)))]
            async fn audit_log(
                &self,
                action: Option<$crate::domain::audit::AuditAction>,
                before_id: Option<i64>,
                limit: usize,
            ) -> Result<Vec<$crate::domain::audit::AuditEntry>, $crate::store::StoreError> {
                use $crate::store::rows::AuditRow;
                let rows = sqlx::query_as::<_, AuditRow>(
                    "SELECT id, at, actor, action, target, row_count, detail, request_id FROM audit_log \
                     WHERE (CAST($1 AS TEXT) IS NULL OR action = $1) AND (CAST($2 AS BIGINT) IS NULL OR id < $2) \
                     ORDER BY id DESC LIMIT $3",
                )
                .bind(action.map(|a| a.as_str()))
                .bind(before_id)
                .bind(i64::try_from(limit).unwrap_or(i64::MAX))
                .fetch_all(&self.pool)
                .await?;
                $crate::store::rows::convert(rows)
            }

            #[tracing::instrument(name = "store.is_revoked", skip_all, fields(otel.kind = "client", db.system.name = $crate::store::shared::semconv_system($backend)))]
            async fn is_revoked(&self, jti: &str) -> Result<bool, $crate::store::StoreError> {
                let found: Option<i32> = sqlx::query_scalar("SELECT 1 FROM revoked_tokens WHERE jti = $1")
                    .bind(jti)
                    .fetch_optional(&self.pool)
                    .await?;
                Ok(found.is_some())
            }

            #[tracing::instrument(name = "store.push_receipt", skip_all, fields(otel.kind = "client", db.system.name = $crate::store::shared::semconv_system($backend)))]
            async fn push_receipt(&self, subject: &str, key: &str) -> Result<Option<String>, $crate::store::StoreError> {
                Ok(sqlx::query_scalar(
                    "SELECT summary FROM push_receipts WHERE subject = $1 AND idempotency_key = $2",
                )
                .bind(subject)
                .bind(key)
                .fetch_optional(&self.pool)
                .await?)
            }

            #[tracing::instrument(name = "store.write_observations", skip_all, fields(otel.kind = "client", db.system.name = $crate::store::shared::semconv_system($backend)))]
            async fn write_observations(
                &self,
                write: $crate::store::ObservationWrite<'_>,
            ) -> Result<$crate::store::WriteOutcome, $crate::store::StoreError> {
                use $crate::store::shared::{CREATE_PUSH_ROWS, SAME_KEY};
                let (_turn, mut tx) = self.begin_write().await?;
                if let (Some(receipt), false) = (&write.receipt, write.dry_run) {
                    // Claim the key first: a concurrent push with the same key waits here
                    // and then finds it taken.
                    let claimed = sqlx::query(
                        "INSERT INTO push_receipts (subject, idempotency_key, summary, created_at) \
                         VALUES ($1, $2, '', $3) ON CONFLICT DO NOTHING",
                    )
                    .bind(write.reported_by).bind(receipt.key).bind(write.reported_at)
                    .execute(&mut *tx).await?
                    .rows_affected();
                    if claimed == 0 {
                        drop(tx);
                        let summary = self.push_receipt(write.reported_by, receipt.key).await?.unwrap_or_default();
                        return Ok($crate::store::WriteOutcome::AlreadySeen(summary));
                    }
                }
                sqlx::query(CREATE_PUSH_ROWS).execute(&mut *tx).await?;
                // Without it, joining observations back to the staged rows is a nested loop:
                // 100,000 × 100,000 comparisons for a full feed.
                sqlx::query("CREATE INDEX IF NOT EXISTS push_rows_existing ON push_rows (existing_id)")
                    .execute(&mut *tx).await?;
                sqlx::query("DELETE FROM push_rows").execute(&mut *tx).await?;
                Self::stage(&mut tx, write.rows).await?;
                // Fresh statistics, so the planner knows how large the staged push is.
                sqlx::query("ANALYZE push_rows").execute(&mut *tx).await?;
                // Joins, not correlated subqueries: a subquery is planned while the table may
                // still look empty to the planner, and then scans it once per staged row.
                sqlx::query(&format!("UPDATE push_rows SET existing_id = o.id FROM observations o WHERE {SAME_KEY}"))
                    .execute(&mut *tx).await?;
                sqlx::query(
                    "UPDATE push_rows SET outcome = CASE \
                       WHEN existing_id IS NULL THEN 'created' \
                       WHEN EXISTS (SELECT 1 FROM observations o WHERE o.id = push_rows.existing_id \
                         AND o.value = push_rows.value AND o.status <> 'REJECTED' \
                         AND (push_rows.comment IS NULL OR o.comment IS NOT DISTINCT FROM push_rows.comment) \
                         AND ((push_rows.numerator IS NULL AND push_rows.denominator IS NULL) \
                           OR (o.numerator IS NOT DISTINCT FROM push_rows.numerator \
                             AND o.denominator IS NOT DISTINCT FROM push_rows.denominator))) THEN 'unchanged' \
                       ELSE 'updated' END",
                )
                .execute(&mut *tx).await?;
                sqlx::query(
                    "INSERT INTO observations (indicator_code, area_code, period, sex, age_group, ethnicity, value, \
                       numerator, denominator, status, revision, source_agency_code, reported_by, reported_at, comment) \
                     SELECT indicator_code, area_code, period, sex, age_group, ethnicity, value, numerator, \
                       denominator, 'SUBMITTED', 1, $1, $2, $3, comment \
                     FROM push_rows WHERE outcome = 'created' ORDER BY row_no",
                )
                .bind(write.source_agency).bind(write.reported_by).bind(write.reported_at)
                .execute(&mut *tx).await?;
                let created: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM push_rows WHERE outcome = 'created'")
                    .fetch_one(&mut *tx).await?;
                Self::after_bulk_insert(&mut tx, created).await?;
                sqlx::query(&format!(
                    "UPDATE push_rows SET existing_id = o.id FROM observations o \
                     WHERE push_rows.outcome = 'created' AND {SAME_KEY}"
                ))
                .execute(&mut *tx).await?;
                sqlx::query(
                    "UPDATE observations SET value = p.value, numerator = p.numerator, denominator = p.denominator, \
                       comment = p.comment, status = 'SUBMITTED', revision = observations.revision + 1, \
                       source_agency_code = $1, reported_by = $2, reported_at = $3 \
                     FROM push_rows p WHERE p.existing_id = observations.id AND p.outcome = 'updated'",
                )
                .bind(write.source_agency).bind(write.reported_by).bind(write.reported_at)
                .execute(&mut *tx).await?;
                sqlx::query(
                    "INSERT INTO observation_revisions (observation_id, revision, value, numerator, denominator, \
                       status, comment, reported_by, reported_at) \
                     SELECT o.id, o.revision, o.value, o.numerator, o.denominator, o.status, o.comment, \
                       o.reported_by, o.reported_at \
                     FROM observations o JOIN push_rows p ON p.existing_id = o.id \
                     WHERE p.outcome IN ('created', 'updated')",
                )
                .execute(&mut *tx).await?;
                let outcomes: Vec<(String, i64)> =
                    sqlx::query_as("SELECT outcome, COUNT(*) FROM push_rows GROUP BY outcome")
                        .fetch_all(&mut *tx).await?;
                let changed: Vec<Option<i64>> = sqlx::query_scalar(
                    "SELECT existing_id FROM push_rows WHERE outcome IN ('created', 'updated') ORDER BY row_no",
                )
                .fetch_all(&mut *tx).await?;
                let changed: Vec<i64> = changed.into_iter().flatten().collect();
                sqlx::query("DELETE FROM push_rows").execute(&mut *tx).await?;
                let mut counts = $crate::store::WriteCounts::default();
                for (outcome, n) in outcomes {
                    let n = usize::try_from(n).unwrap_or_default();
                    match outcome.as_str() {
                        "created" => counts.created = n,
                        "updated" => counts.updated = n,
                        _ => counts.unchanged = n,
                    }
                }
                if write.dry_run {
                    tx.rollback().await?;
                } else {
                    if let Some(receipt) = &write.receipt {
                        sqlx::query(
                            "UPDATE push_receipts SET summary = $3 WHERE subject = $1 AND idempotency_key = $2",
                        )
                        .bind(write.reported_by).bind(receipt.key).bind((receipt.summary)(&counts))
                        .execute(&mut *tx).await?;
                    }
                    let audit = (write.audit)(&counts);
                    insert_audit!(tx, audit);
                    Self::announce(&mut tx, &changed).await?;
                    tx.commit().await?;
                    self.announced(changed);
                }
                Ok($crate::store::WriteOutcome::Written(counts))
            }

            #[tracing::instrument(name = "store.observations", skip_all, fields(otel.kind = "client", db.system.name = $crate::store::shared::semconv_system($backend)))]
            async fn observations(
                &self,
                query: &$crate::domain::observations::ObservationQuery,
            ) -> Result<(Vec<$crate::domain::observations::Observation>, usize), $crate::store::StoreError> {
                use $crate::store::rows::ObservationRow;
                use $crate::store::shared::{selection_conditions, selection_head};
                let select = selection_head(query);
                let mut page = sqlx::QueryBuilder::<$db>::new(select);
                selection_conditions(&mut page, query, query.indicator_code.as_ref().map(std::slice::from_ref));
                if let Some(after) = query.after_id {
                    page.push(" AND o.id > ").push_bind(after);
                }
                page.push(" ORDER BY o.id LIMIT ").push_bind(i64::try_from(query.limit).unwrap_or(i64::MAX));
                let rows: Vec<ObservationRow> = page.build_query_as().fetch_all(&self.pool).await?;
                let mut count = sqlx::QueryBuilder::<$db>::new(format!("SELECT COUNT(*) FROM ({select}"));
                selection_conditions(&mut count, query, query.indicator_code.as_ref().map(std::slice::from_ref));
                count.push(") AS selection");
                let total: i64 = count.build_query_scalar().fetch_one(&self.pool).await?;
                Ok(($crate::store::rows::convert(rows)?, usize::try_from(total).unwrap_or_default()))
            }

            #[tracing::instrument(name = "store.observation_pages", skip_all, fields(otel.kind = "client", db.system.name = $crate::store::shared::semconv_system($backend)))]
            async fn observation_pages(
                &self,
                indicator_codes: &[String],
                query: &$crate::domain::observations::ObservationQuery,
            ) -> Result<(Vec<$crate::domain::observations::Observation>, Vec<(String, i64)>), $crate::store::StoreError> {
                use $crate::store::rows::ObservationRow;
                use $crate::store::shared::{selection_conditions, selection_head};
                let select = selection_head(query);
                let mut page = sqlx::QueryBuilder::<$db>::new(format!(
                    "SELECT * FROM (SELECT selection.*, \
                     ROW_NUMBER() OVER (PARTITION BY selection.indicator_code ORDER BY selection.id) AS place \
                     FROM ({select}"
                ));
                selection_conditions(&mut page, query, Some(indicator_codes));
                if let Some(after) = query.after_id {
                    page.push(" AND o.id > ").push_bind(after);
                }
                page.push(") AS selection) AS paged WHERE place <= ")
                    .push_bind(i64::try_from(query.limit).unwrap_or(i64::MAX))
                    .push(" ORDER BY indicator_code, id");
                let rows: Vec<ObservationRow> = page.build_query_as().fetch_all(&self.pool).await?;
                let mut count = sqlx::QueryBuilder::<$db>::new(format!(
                    "SELECT selection.indicator_code, COUNT(*) FROM ({select}"
                ));
                selection_conditions(&mut count, query, Some(indicator_codes));
                count.push(") AS selection GROUP BY selection.indicator_code");
                let totals: Vec<(String, i64)> = count.build_query_as().fetch_all(&self.pool).await?;
                Ok(($crate::store::rows::convert(rows)?, totals))
            }

            #[tracing::instrument(name = "store.observations_by_ids", skip_all, fields(otel.kind = "client", db.system.name = $crate::store::shared::semconv_system($backend)))]
            async fn observations_by_ids(
                &self,
                ids: &[i64],
                published_only: bool,
            ) -> Result<Vec<$crate::domain::observations::Observation>, $crate::store::StoreError> {
                use $crate::store::rows::{ObservationRow, OBSERVATION_CURRENT, OBSERVATION_PUBLISHED};
                let select = if published_only { OBSERVATION_PUBLISHED } else { OBSERVATION_CURRENT };
                let sql = format!("{select} AND o.id {} ORDER BY o.id", Self::any(1));
                let rows = sqlx::query_as::<_, ObservationRow>(&sql).bind(Self::ids(ids)).fetch_all(&self.pool).await?;
                $crate::store::rows::convert(rows)
            }

            #[tracing::instrument(name = "store.revisions_by_observations", skip_all, fields(otel.kind = "client", db.system.name = $crate::store::shared::semconv_system($backend)))]
            async fn revisions_by_observations(
                &self,
                ids: &[i64],
            ) -> Result<Vec<$crate::domain::observations::ObservationRevision>, $crate::store::StoreError> {
                use $crate::store::rows::{RevisionRow, REVISION_COLUMNS};
                let sql = format!(
                    "SELECT {REVISION_COLUMNS} FROM observation_revisions WHERE observation_id {} \
                     ORDER BY observation_id, revision",
                    Self::any(1)
                );
                let rows = sqlx::query_as::<_, RevisionRow>(&sql).bind(Self::ids(ids)).fetch_all(&self.pool).await?;
                $crate::store::rows::convert(rows)
            }

            #[tracing::instrument(name = "store.review_observations", skip_all, fields(otel.kind = "client", db.system.name = $crate::store::shared::semconv_system($backend)))]
            async fn review_observations(
                &self,
                ids: &[i64],
                decision: $crate::domain::observations::Decision,
                reviewer: &str,
                reason: Option<&str>,
                audit: &$crate::domain::audit::AuditEntry,
            ) -> Result<(), $crate::store::StoreError> {
                let at = audit.at;
                let status = match decision {
                    $crate::domain::observations::Decision::Approve => "APPROVED",
                    $crate::domain::observations::Decision::Reject => "REJECTED",
                };
                let (_turn, mut tx) = self.begin_write().await?;
                sqlx::query(&format!(
                    "UPDATE observations SET status = $1, \
                     approved_revision = CASE WHEN $1 = 'APPROVED' THEN revision ELSE approved_revision END \
                     WHERE id {}",
                    Self::any(2)
                ))
                .bind(status).bind(Self::ids(ids))
                .execute(&mut *tx).await?;
                sqlx::query(&format!(
                    "UPDATE observation_revisions SET status = $1, reviewed_by = $2, reviewed_at = $3, review_reason = $4 \
                     WHERE (observation_id, revision) IN (SELECT id, revision FROM observations WHERE id {})",
                    Self::any(5)
                ))
                .bind(status).bind(reviewer).bind(at).bind(reason).bind(Self::ids(ids))
                .execute(&mut *tx).await?;
                insert_audit!(tx, audit);
                Self::announce(&mut tx, ids).await?;
                tx.commit().await?;
                self.announced(ids.to_vec());
                Ok(())
            }

            #[tracing::instrument(name = "store.successions", skip_all, fields(otel.kind = "client", db.system.name = $crate::store::shared::semconv_system($backend)))]
            async fn successions(&self) -> Result<Vec<$crate::domain::areas::Succession>, $crate::store::StoreError> {
                use $crate::store::rows::SuccessionRow;
                let rows = sqlx::query_as::<_, SuccessionRow>(
                    "SELECT predecessor_code, successor_code FROM area_successions ORDER BY predecessor_code, successor_code",
                )
                .fetch_all(&self.pool)
                .await?;
                $crate::store::rows::convert(rows)
            }

            #[tracing::instrument(name = "store.tables", skip_all, fields(otel.kind = "client", db.system.name = $crate::store::shared::semconv_system($backend)))]
            async fn tables(
                &self,
                indicator_codes: &[String],
                area_codes: &[String],
                periods: &[String],
                published_only: bool,
            ) -> Result<Vec<$crate::domain::observations::Observation>, $crate::store::StoreError> {
                use $crate::store::rows::ObservationRow;
                let (select, status) = $crate::store::shared::standing_values(published_only);
                let sql = format!(
                    "{select}{status} AND o.indicator_code {} AND o.area_code {} AND o.period {} ORDER BY o.id",
                    Self::any(1),
                    Self::any(2),
                    Self::any(3)
                );
                let rows = sqlx::query_as::<_, ObservationRow>(&sql)
                    .bind(Self::texts(indicator_codes))
                    .bind(Self::texts(area_codes))
                    .bind(Self::texts(periods))
                    .fetch_all(&self.pool)
                    .await?;
                $crate::store::rows::convert(rows)
            }

            #[tracing::instrument(name = "store.totals", skip_all, fields(otel.kind = "client", db.system.name = $crate::store::shared::semconv_system($backend)))]
            async fn totals(
                &self,
                indicator_codes: &[String],
                area_codes: &[String],
                published_only: bool,
            ) -> Result<Vec<$crate::domain::observations::Observation>, $crate::store::StoreError> {
                use $crate::store::rows::ObservationRow;
                let (select, status) = $crate::store::shared::standing_values(published_only);
                let sql = format!(
                    "{select}{status} AND o.indicator_code {} AND o.area_code {} AND o.sex = 'TOTAL' \
                     AND o.age_group = '_T' AND o.ethnicity = '_T' ORDER BY o.id",
                    Self::any(1),
                    Self::any(2)
                );
                let rows = sqlx::query_as::<_, ObservationRow>(&sql)
                    .bind(Self::texts(indicator_codes))
                    .bind(Self::texts(area_codes))
                    .fetch_all(&self.pool)
                    .await?;
                $crate::store::rows::convert(rows)
            }
        }
    };
}
