//! Loading the plan documents' seeds, the only writer of areas, the catalogue and plans.
//! Mounted by each backend (see the store's module doc): `Backend` is that backend's store.

use std::collections::{HashMap, HashSet};

use async_trait::async_trait;
use chrono::NaiveDate;
use sqlx::Transaction;

use super::Backend;
use crate::domain::areas::{search_key, unit_on, Area, AreaId};
use crate::seeds::SeedSet;
use crate::store::dialect::{Dialect, SqlType};
use crate::store::rows::{convert, AreaRow, AREA_COLUMNS};
use crate::store::{SeedCounts, SeedStore, StoreError};

#[async_trait]
impl SeedStore for Backend {
    #[tracing::instrument(name = "store.apply_seeds", skip_all, fields(otel.kind = "client", db.system.name = Self::SYSTEM))]
    async fn apply_seeds(&self, seeds: &SeedSet) -> Result<SeedCounts, StoreError> {
        let (_turn, mut tx) = self.begin_write().await?;
        // Writing the map into an upgraded database under load ran past the 25 s meant
        // for requests (its 72,749 reach pairs check two foreign keys each).
        Self::without_statement_timeout(&mut tx).await?;
        let units = write_map(&mut tx, seeds).await?;
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
            let today = chrono::Utc::now().date_naive();
            let area = a.area.as_deref().map(|code| units.on(code, a.area_on.unwrap_or(today))).transpose()?;
            sqlx::query(
                "INSERT INTO agencies (code, name, kind, area_id, source, note) \
                 VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (code) DO UPDATE SET name = excluded.name, kind = excluded.kind, \
                 area_id = excluded.area_id, source = excluded.source, note = excluded.note",
            )
            .bind(&a.code)
            .bind(&a.name)
            .bind(a.kind.as_str())
            .bind(area)
            .bind(&a.source)
            .bind(&a.note)
            .execute(&mut *tx)
            .await?;
        }
        for p in &seeds.plans {
            let plan_id: i64 = sqlx::query_scalar(
                "INSERT INTO plans (code, document_number, title, issuer_code, area_id, start_year, \
                 end_year, issued_on, parent_code, source, note) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
                 ON CONFLICT (code) DO UPDATE SET document_number = excluded.document_number, \
                 title = excluded.title, issuer_code = excluded.issuer_code, area_id = excluded.area_id, \
                 start_year = excluded.start_year, end_year = excluded.end_year, \
                 issued_on = excluded.issued_on, parent_code = excluded.parent_code, \
                 source = excluded.source, note = excluded.note RETURNING id",
            )
            .bind(&p.code)
            .bind(&p.document_number)
            .bind(&p.title)
            .bind(&p.issuer)
            .bind(units.on(&p.area, p.area_on())?)
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
            ("area_successions", &mut counts.successions),
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

    #[tracing::instrument(name = "store.area_count", skip_all, fields(otel.kind = "client", db.system.name = Self::SYSTEM))]
    async fn area_count(&self) -> Result<usize, StoreError> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM areas").fetch_one(self.pool()).await?;
        Ok(usize::try_from(n).unwrap_or_default())
    }

    #[tracing::instrument(name = "store.periods_near_unit_bounds", skip_all, fields(otel.kind = "client", db.system.name = Self::SYSTEM))]
    async fn periods_near_unit_bounds(&self) -> Result<Vec<(Area, String, i64)>, StoreError> {
        #[derive(sqlx::FromRow)]
        struct Row {
            #[sqlx(flatten)]
            area: AreaRow,
            period: String,
            n: i64,
        }
        let rows: Vec<Row> = sqlx::query_as(&format!(
            "SELECT {AREA_COLUMNS}, o.period, COUNT(*) AS n FROM observations o JOIN areas a ON a.id = o.area_id \
             WHERE substr(o.period, 1, 4) >= substr(CAST(a.valid_to AS TEXT), 1, 4) \
                OR substr(o.period, 1, 4) <= substr(CAST(a.valid_from AS TEXT), 1, 4) \
             GROUP BY {AREA_COLUMNS}, o.period ORDER BY a.code, o.period"
        ))
        .fetch_all(self.pool())
        .await?;
        rows.into_iter().map(|r| Ok((Area::try_from(r.area)?, r.period, r.n))).collect()
    }

    #[tracing::instrument(name = "store.has_plans", skip_all, fields(otel.kind = "client", db.system.name = Self::SYSTEM))]
    async fn has_plans(&self) -> Result<bool, StoreError> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM plans").fetch_one(self.pool()).await?;
        Ok(n > 0)
    }
}

/// The map's units as written, by code, to read the codes the plans and agencies name.
struct Units(HashMap<String, Vec<Area>>);

impl Units {
    /// The unit `code` names on `day`; a code the seeds' check let through always names one.
    fn on(&self, code: &str, day: NaiveDate) -> Result<AreaId, StoreError> {
        self.0
            .get(code)
            .and_then(|holders| unit_on(holders, day))
            .map(|a| a.id)
            .ok_or_else(|| StoreError::Corrupt(format!("the map has no unit {code} on {day}")))
    }
}

type Db = <Backend as Dialect>::Database;

/// Writes the map: its units (matched to those stored by code and first day, so a unit
/// keeps its id and its values), their parents, the successions and what each unit
/// reaches. A few statements whatever the size of the map: rows travel as one JSON list.
async fn write_map(tx: &mut Transaction<'_, Db>, seeds: &SeedSet) -> Result<Units, StoreError> {
    let stored: Vec<(i64, String, Option<NaiveDate>)> =
        sqlx::query_as("SELECT id, code, valid_from FROM areas").fetch_all(&mut **tx).await?;
    let ids: HashMap<(String, Option<NaiveDate>), i64> =
        stored.into_iter().map(|(id, code, from)| ((code, from), id)).collect();
    let row = |a: &crate::seeds::AreaSeed| {
        serde_json::json!({
            "id": ids.get(&(a.code.clone(), a.valid_from)),
            "code": a.code, "name": a.name, "level": a.level.as_str(),
            "valid_from": a.valid_from, "valid_to": a.valid_to,
            "lat": a.lat, "lon": a.lon, "area_km2": a.area_km2,
            "search_name": search_key(&a.name), "source": a.source,
        })
    };
    let (known, new): (Vec<_>, Vec<_>) =
        seeds.areas.iter().partition(|a| ids.contains_key(&(a.code.clone(), a.valid_from)));
    const COLUMNS: [(&str, SqlType); 11] = [
        ("id", SqlType::BigInt),
        ("code", SqlType::Text),
        ("name", SqlType::Text),
        ("level", SqlType::Text),
        ("valid_from", SqlType::Date),
        ("valid_to", SqlType::Date),
        ("lat", SqlType::Double),
        ("lon", SqlType::Double),
        ("area_km2", SqlType::Double),
        ("search_name", SqlType::Text),
        ("source", SqlType::Text),
    ];
    if !new.is_empty() {
        let json = serde_json::Value::Array(new.into_iter().map(row).collect()).to_string();
        sqlx::query(&format!(
            "INSERT INTO areas (code, name, level, valid_from, valid_to, lat, lon, area_km2, search_name, source) \
             SELECT code, name, level, valid_from, valid_to, lat, lon, area_km2, search_name, source FROM {} \
             ORDER BY valid_from IS NOT NULL, code",
            Backend::json_rows(1, &COLUMNS)
        ))
        .bind(json)
        .execute(&mut **tx)
        .await?;
    }
    if !known.is_empty() {
        let json = serde_json::Value::Array(known.into_iter().map(row).collect()).to_string();
        sqlx::query(&format!(
            "UPDATE areas SET name = j.name, level = j.level, valid_to = j.valid_to, lat = j.lat, lon = j.lon, \
             area_km2 = j.area_km2, search_name = j.search_name, source = j.source FROM {} WHERE areas.id = j.id",
            Backend::json_rows(1, &COLUMNS)
        ))
        .bind(json)
        .execute(&mut **tx)
        .await?;
    }

    let rows: Vec<AreaRow> =
        sqlx::query_as(&format!("SELECT {AREA_COLUMNS} FROM areas a")).fetch_all(&mut **tx).await?;
    let areas: Vec<Area> = convert(rows)?;
    let mut by_code: HashMap<String, Vec<Area>> = HashMap::new();
    for a in &areas {
        by_code.entry(a.code.clone()).or_default().push(a.clone());
    }
    let units = Units(by_code);
    let holder = |code: &str, day: NaiveDate| units.0.get(code).and_then(|h| h.iter().find(|a| a.valid_on(day)));
    let unit_of =
        |a: &crate::seeds::AreaSeed| units.0.get(&a.code).and_then(|h| h.iter().find(|u| u.valid_from == a.valid_from));

    // Parents: the unit holding the parent code while the child exists.
    let mut parents = Vec::new();
    let mut parent_of: HashMap<AreaId, AreaId> = areas.iter().filter_map(|a| Some((a.id, a.parent_id?))).collect();
    for a in &seeds.areas {
        let (Some(unit), Some(code)) = (unit_of(a), &a.parent) else { continue };
        let day = a.a_day().unwrap_or(NaiveDate::MAX);
        let Some(parent) = holder(code, day).map(|p| p.id) else { continue };
        if Some(parent) != unit.parent_id {
            parents.push(serde_json::json!({ "id": unit.id, "parent_id": parent }));
            parent_of.insert(unit.id, parent);
        }
    }
    if !parents.is_empty() {
        sqlx::query(&format!(
            "UPDATE areas SET parent_id = j.parent_id FROM {} WHERE areas.id = j.id",
            Backend::json_rows(1, &[("id", SqlType::BigInt), ("parent_id", SqlType::BigInt)])
        ))
        .bind(serde_json::Value::Array(parents).to_string())
        .execute(&mut **tx)
        .await?;
    }

    // Successions, by the units their codes name on each side of the change.
    let mut links = Vec::new();
    for s in &seeds.successions {
        let before = s.effective_on.pred_opt().unwrap_or(NaiveDate::MIN);
        let (Some(p), Some(n)) = (holder(&s.predecessor, before), holder(&s.successor, s.effective_on)) else {
            return Err(StoreError::Corrupt(format!("succession {} → {}: no such units", s.predecessor, s.successor)));
        };
        links.push(serde_json::json!({
            "predecessor_id": p.id, "successor_id": n.id, "effective_on": s.effective_on, "whole": s.whole,
        }));
    }
    if !links.is_empty() {
        sqlx::query(&format!(
            "INSERT INTO area_successions (predecessor_id, successor_id, effective_on, whole, source) \
             SELECT predecessor_id, successor_id, effective_on, whole, $2 FROM {} WHERE TRUE \
             ON CONFLICT (predecessor_id, successor_id) DO UPDATE SET effective_on = excluded.effective_on, \
             whole = excluded.whole, source = excluded.source",
            Backend::json_rows(
                1,
                &[
                    ("predecessor_id", SqlType::BigInt),
                    ("successor_id", SqlType::BigInt),
                    ("effective_on", SqlType::Date),
                    ("whole", SqlType::Boolean),
                ]
            )
        ))
        .bind(serde_json::Value::Array(links).to_string())
        .bind(crate::seeds::MAP_SOURCE)
        .execute(&mut **tx)
        .await?;
    }

    // What each unit reaches: its subtree, and the units it took over whole with theirs.
    let successions: Vec<(i64, i64, bool)> =
        sqlx::query_as("SELECT predecessor_id, successor_id, whole FROM area_successions").fetch_all(&mut **tx).await?;
    let mut below: HashMap<AreaId, Vec<AreaId>> = HashMap::new();
    for (child, parent) in &parent_of {
        below.entry(*parent).or_default().push(*child);
    }
    for (predecessor, successor, whole) in successions {
        if whole {
            below.entry(successor).or_default().push(predecessor);
        }
    }
    let mut pairs = Vec::new();
    for a in &areas {
        let mut seen: HashSet<AreaId> = HashSet::from([a.id]);
        let mut stack = vec![a.id];
        while let Some(id) = stack.pop() {
            for next in below.get(&id).into_iter().flatten() {
                if seen.insert(*next) {
                    stack.push(*next);
                }
            }
        }
        pairs.extend(seen.into_iter().map(|unit| serde_json::json!({ "ancestor_id": a.id, "unit_id": unit })));
    }
    sqlx::query("DELETE FROM area_reach").execute(&mut **tx).await?;
    sqlx::query(&format!(
        "INSERT INTO area_reach (ancestor_id, unit_id) SELECT ancestor_id, unit_id FROM {}",
        Backend::json_rows(1, &[("ancestor_id", SqlType::BigInt), ("unit_id", SqlType::BigInt)])
    ))
    .bind(serde_json::Value::Array(pairs).to_string())
    .execute(&mut **tx)
    .await?;
    Ok(units)
}
