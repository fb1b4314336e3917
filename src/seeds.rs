//! Reading the seeds: the TOML files of `seeds/`, transcribed from the five plan documents,
//! from a folder or as built into the binary. Everything is checked here, before the store
//! writes a row, so a typo in a code is reported with its file and record instead of
//! surfacing as a foreign-key error.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::Deserialize;
use thiserror::Error;

use crate::domain::agencies::AgencyKind;
use crate::domain::areas::AreaLevel;
use crate::domain::indicators::{Dimension, Direction, Unit};
use crate::domain::plans::{AssignmentRole, Comparator, Domain, PeriodKind, SexScope};

#[derive(Debug, Error)]
pub enum SeedError {
    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{path}: {source}")]
    Parse { path: PathBuf, source: Box<toml::de::Error> },
    #[error("the seeds are inconsistent:\n  - {}", .0.join("\n  - "))]
    Invalid(Vec<String>),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AreaSeed {
    pub code: String,
    pub name: String,
    pub level: AreaLevel,
    pub parent: Option<String>,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
    pub source: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndicatorSeed {
    pub code: String,
    pub name_vi: String,
    pub name_en: String,
    pub unit: Unit,
    pub direction: Option<Direction>,
    pub sex_disaggregated: bool,
    #[serde(default)]
    pub dimensions: Vec<Dimension>,
    pub sensitive: bool,
    pub sdg_code: Option<String>,
    pub source: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgencySeed {
    pub code: String,
    pub name: String,
    pub kind: AgencyKind,
    pub area: Option<String>,
    pub source: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanSeed {
    pub code: String,
    pub document_number: Option<String>,
    pub title: String,
    pub issuer: Option<String>,
    pub area: String,
    pub start_year: i32,
    pub end_year: i32,
    pub issued_on: Option<NaiveDate>,
    pub parent: Option<String>,
    pub source: Option<String>,
    pub note: Option<String>,
    pub inconsistency: Option<String>,
    #[serde(default)]
    pub deadlines: Vec<DeadlineSeed>,
    #[serde(default)]
    pub objectives: Vec<ObjectiveSeed>,
    #[serde(default)]
    pub orphan_assignments: Vec<OrphanAssignmentSeed>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeadlineSeed {
    pub period_kind: PeriodKind,
    pub due_day: i32,
    pub due_month: i32,
    pub source: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObjectiveSeed {
    pub number: i32,
    pub title: String,
    pub domain: Domain,
    pub source: Option<String>,
    pub note: Option<String>,
    pub inconsistency: Option<String>,
    #[serde(default)]
    pub targets: Vec<TargetSeed>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetSeed {
    pub code: String,
    pub text: String,
    pub indicator: Option<String>,
    pub comparator: Option<Comparator>,
    pub value: Option<f64>,
    pub target_year: Option<i32>,
    /// TOTAL unless the document's words measure one sex, or each sex separately.
    #[serde(default)]
    pub measured_on: SexScope,
    /// The document's line that says so: "002 line 57: «…»".
    pub measured_on_source: Option<String>,
    pub source: Option<String>,
    pub note: Option<String>,
    pub inconsistency: Option<String>,
    #[serde(default)]
    pub assignments: Vec<AssignmentSeed>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssignmentSeed {
    pub agency: String,
    pub role: AssignmentRole,
    pub scope: Option<String>,
    pub source: Option<String>,
    pub note: Option<String>,
    pub inconsistency: Option<String>,
}

/// An assignment the document makes to a target it does not list (003 assigns "chỉ tiêu 4
/// của mục tiêu 3", which has three). Kept, warned about, and stored on the plan's note.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrphanAssignmentSeed {
    pub target: String,
    pub agency: String,
    pub role: AssignmentRole,
    pub scope: Option<String>,
    pub source: Option<String>,
    pub note: Option<String>,
    pub inconsistency: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AreasFile {
    areas: Vec<AreaSeed>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct IndicatorsFile {
    indicators: Vec<IndicatorSeed>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PlansFile {
    #[allow(dead_code)] // documents the file; each record names its own source
    source_document: Option<String>,
    #[serde(default)]
    agencies: Vec<AgencySeed>,
    #[serde(default)]
    plans: Vec<PlanSeed>,
}

/// Everything `seed` writes, checked for consistency; `warnings` are the documents'
/// own contradictions, which are kept (in notes) and reported.
#[derive(Debug, Clone, Default)]
pub struct SeedSet {
    pub areas: Vec<AreaSeed>,
    pub indicators: Vec<IndicatorSeed>,
    pub agencies: Vec<AgencySeed>,
    /// Ordered so that a parent plan comes before the plans that implement it.
    pub plans: Vec<PlanSeed>,
    pub warnings: Vec<String>,
}

impl SeedSet {
    /// Reads `dir/areas.toml`, `dir/indicators/*.toml` and `dir/plans/*.toml`.
    pub fn load(dir: &Path) -> Result<SeedSet, SeedError> {
        let read = |path: PathBuf| -> Result<(PathBuf, String), SeedError> {
            let text =
                std::fs::read_to_string(&path).map_err(|source| SeedError::Read { path: path.clone(), source })?;
            Ok((path, text))
        };
        let areas = read(dir.join("areas.toml"))?;
        let indicators = toml_files(&dir.join("indicators"))?.into_iter().map(read).collect::<Result<_, _>>()?;
        let plans = toml_files(&dir.join("plans"))?.into_iter().map(read).collect::<Result<_, _>>()?;
        SeedSet::parse(areas, indicators, plans)
    }

    /// The seeds built into the binary: `seeds/` as it was when the binary was built.
    pub fn embedded() -> Result<SeedSet, SeedError> {
        let file = |(path, text): &(&str, &str)| (Path::new("seeds").join(path), (*text).to_owned());
        let in_folder = |folder: &str| -> Vec<(PathBuf, String)> {
            embedded::EMBEDDED
                .iter()
                .filter(|(path, _)| path.strip_prefix(folder).is_some_and(|name| !name.contains('/')))
                .map(file)
                .collect()
        };
        let areas = embedded::EMBEDDED.iter().find(|(path, _)| *path == "areas.toml").map(file).ok_or_else(|| {
            let source = std::io::Error::new(std::io::ErrorKind::NotFound, "not built into this binary");
            SeedError::Read { path: PathBuf::from("seeds/areas.toml"), source }
        })?;
        SeedSet::parse(areas, in_folder("indicators/"), in_folder("plans/"))
    }

    /// Parses the files (each with the path its errors name) and checks them together.
    fn parse(
        areas: (PathBuf, String),
        indicators: Vec<(PathBuf, String)>,
        plans: Vec<(PathBuf, String)>,
    ) -> Result<SeedSet, SeedError> {
        let areas: AreasFile = parse_toml(&areas.0, &areas.1)?;
        let mut set = SeedSet { areas: areas.areas, ..SeedSet::default() };
        for (path, text) in &indicators {
            let file: IndicatorsFile = parse_toml(path, text)?;
            set.indicators.extend(file.indicators);
        }
        for (path, text) in &plans {
            let file: PlansFile = parse_toml(path, text)?;
            set.agencies.extend(file.agencies);
            set.plans.extend(file.plans);
        }
        set.check()?;
        Ok(set)
    }

    /// Cross-checks every reference; orders areas and plans parents-first; collects the
    /// documents' inconsistencies as warnings and appends them to the records' notes.
    fn check(&mut self) -> Result<(), SeedError> {
        let mut problems = Vec::new();

        let area_codes = unique_codes("area", self.areas.iter().map(|a| &a.code), &mut problems);
        for a in &self.areas {
            if let Some(p) = &a.parent {
                if !area_codes.contains(p.as_str()) {
                    problems.push(format!("area {}: parent area `{p}` is not defined", a.code));
                }
            }
        }
        let indicator_codes = unique_codes("indicator", self.indicators.iter().map(|i| &i.code), &mut problems);
        let agency_codes = unique_codes("agency", self.agencies.iter().map(|a| &a.code), &mut problems);
        for a in &self.agencies {
            if let Some(area) = &a.area {
                if !area_codes.contains(area.as_str()) {
                    problems.push(format!("agency {}: area `{area}` is not defined", a.code));
                }
            }
        }
        let plan_codes = unique_codes("plan", self.plans.iter().map(|p| &p.code), &mut problems);
        let by_sex: HashSet<String> =
            self.indicators.iter().filter(|i| i.sex_disaggregated).map(|i| i.code.clone()).collect();

        for plan in &mut self.plans {
            let known =
                Known { areas: &area_codes, agencies: &agency_codes, indicators: &indicator_codes, by_sex: &by_sex };
            check_plan(plan, &known, &plan_codes, &mut problems);
            self.warnings.extend(collect_inconsistencies(plan));
        }

        if !problems.is_empty() {
            return Err(SeedError::Invalid(problems));
        }
        self.areas = parents_first(std::mem::take(&mut self.areas), |a| &a.code, |a| a.parent.as_deref());
        self.plans = parents_first(std::mem::take(&mut self.plans), |p| &p.code, |p| p.parent.as_deref());
        Ok(())
    }

    pub fn target_count(&self) -> usize {
        self.plans.iter().flat_map(|p| &p.objectives).map(|o| o.targets.len()).sum()
    }
}

/// The codes a plan's records may name.
#[derive(Clone, Copy)]
struct Known<'a> {
    areas: &'a HashSet<String>,
    agencies: &'a HashSet<String>,
    indicators: &'a HashSet<String>,
    /// The indicators disaggregated by sex: the only ones a target may measure per sex.
    by_sex: &'a HashSet<String>,
}

fn check_plan(plan: &PlanSeed, known: &Known<'_>, plans: &HashSet<String>, problems: &mut Vec<String>) {
    let Known { areas, agencies, indicators, by_sex } = *known;
    let at = format!("plan {}", plan.code);
    if !areas.contains(plan.area.as_str()) {
        problems.push(format!("{at}: area `{}` is not defined", plan.area));
    }
    if let Some(issuer) = &plan.issuer {
        if !agencies.contains(issuer.as_str()) {
            problems.push(format!("{at}: issuer `{issuer}` is not defined"));
        }
    }
    if let Some(parent) = &plan.parent {
        if !plans.contains(parent.as_str()) {
            problems.push(format!("{at}: parent plan `{parent}` is not defined"));
        }
    }
    if plan.start_year > plan.end_year {
        problems.push(format!("{at}: starts ({}) after it ends ({})", plan.start_year, plan.end_year));
    }
    for d in &plan.deadlines {
        let valid = NaiveDate::from_ymd_opt(2024, d.due_month as u32, d.due_day as u32).is_some();
        if d.due_month < 1 || d.due_day < 1 || !valid {
            problems.push(format!("{at}: deadline {}/{} is not a day of the year", d.due_day, d.due_month));
        }
    }
    let mut numbers = HashSet::new();
    let mut target_codes = HashSet::new();
    for o in &plan.objectives {
        if !numbers.insert(o.number) {
            problems.push(format!("{at}: objective {} appears twice", o.number));
        }
        for t in &o.targets {
            let at = format!("{at} target {}", t.code);
            if !target_codes.insert(t.code.as_str()) {
                problems.push(format!("{at}: code appears twice"));
            }
            if let Some(i) = &t.indicator {
                if !indicators.contains(i.as_str()) {
                    problems.push(format!("{at}: indicator `{i}` is not in the catalogue"));
                }
            }
            match (t.comparator, t.value) {
                (Some(Comparator::Achieved), Some(_)) => problems.push(format!("{at}: ACHIEVED takes no value")),
                (None, Some(_)) => problems.push(format!("{at}: a value needs a comparator")),
                (Some(c), None) if c != Comparator::Achieved => {
                    problems.push(format!("{at}: comparator {c} needs a value"))
                }
                _ => {}
            }
            if t.measured_on != SexScope::Total {
                // A value of an indicator not broken down by sex is pushed as TOTAL only.
                if !t.indicator.as_ref().is_some_and(|i| by_sex.contains(i.as_str())) {
                    problems
                        .push(format!("{at}: measured on {} needs an indicator disaggregated by sex", t.measured_on));
                }
                if t.measured_on_source.is_none() {
                    problems.push(format!("{at}: measured on {} needs a measured_on_source", t.measured_on));
                }
            }
            for a in &t.assignments {
                if !agencies.contains(a.agency.as_str()) {
                    problems.push(format!("{at}: assigned agency `{}` is not defined", a.agency));
                }
            }
        }
    }
    for o in &plan.orphan_assignments {
        if !agencies.contains(o.agency.as_str()) {
            problems.push(format!("{at}: assigned agency `{}` is not defined", o.agency));
        }
        if target_codes.contains(o.target.as_str()) {
            problems.push(format!(
                "{at}: orphan assignment to {} names a target the plan lists; move it under the target",
                o.target
            ));
        }
    }
}

/// Turns every `inconsistency` of a plan into a warning and into its record's note, where
/// API users will see it.
fn collect_inconsistencies(plan: &mut PlanSeed) -> Vec<String> {
    let mut warnings = Vec::new();
    let code = plan.code.clone();
    let mut warn = |at: String, text: &str, note: &mut Option<String>| {
        warnings.push(format!("{code} {at}: {text}"));
        append_note(note, text);
    };
    if let Some(text) = plan.inconsistency.clone() {
        warn("(plan)".into(), &text, &mut plan.note);
    }
    for o in &mut plan.objectives {
        if let Some(text) = o.inconsistency.clone() {
            warn(format!("objective {}", o.number), &text, &mut o.note);
        }
        for t in &mut o.targets {
            if let Some(text) = t.inconsistency.clone() {
                warn(format!("target {}", t.code), &text, &mut t.note);
            }
            for a in &mut t.assignments {
                if let Some(text) = a.inconsistency.clone() {
                    warn(format!("target {} assignment to {}", t.code, a.agency), &text, &mut a.note);
                }
            }
        }
    }
    for o in &plan.orphan_assignments {
        let text = format!(
            "assigns {} ({}{}) to target {}, which the plan does not list{}",
            o.agency,
            o.role,
            o.scope.as_deref().map(|s| format!(", {s}")).unwrap_or_default(),
            o.target,
            o.inconsistency.as_deref().map(|s| format!(": {s}")).unwrap_or_default(),
        );
        warn(format!("source {}", o.source.as_deref().unwrap_or("?")), &text, &mut plan.note);
    }
    warnings
}

fn append_note(note: &mut Option<String>, text: &str) {
    match note {
        Some(n) if n.contains(text) => {}
        Some(n) => {
            n.push_str("\nInconsistency: ");
            n.push_str(text);
        }
        None => *note = Some(format!("Inconsistency: {text}")),
    }
}

fn unique_codes<'a>(
    what: &str,
    codes: impl Iterator<Item = &'a String>,
    problems: &mut Vec<String>,
) -> HashSet<String> {
    let mut seen = HashSet::new();
    for code in codes {
        if !seen.insert(code.clone()) {
            problems.push(format!("{what} `{code}` is defined twice"));
        }
    }
    seen
}

/// Orders records so that each comes after its parent (foreign keys need it).
fn parents_first<T>(items: Vec<T>, code: impl Fn(&T) -> &String, parent: impl Fn(&T) -> Option<&str>) -> Vec<T> {
    let depth_of: HashMap<String, Option<String>> =
        items.iter().map(|i| (code(i).clone(), parent(i).map(str::to_owned))).collect();
    let depth = |start: &str| {
        let mut d = 0;
        let mut current = start.to_owned();
        while let Some(Some(p)) = depth_of.get(&current) {
            d += 1;
            current = p.clone();
            if d > depth_of.len() {
                break; // a cycle: the database's CHECK and FK will reject it
            }
        }
        d
    };
    let mut keyed: Vec<(usize, T)> = items.into_iter().map(|i| (depth(code(&i)), i)).collect();
    keyed.sort_by_key(|(d, _)| *d);
    keyed.into_iter().map(|(_, i)| i).collect()
}

fn parse_toml<T: serde::de::DeserializeOwned>(path: &Path, text: &str) -> Result<T, SeedError> {
    toml::from_str(text).map_err(|source| SeedError::Parse { path: path.to_owned(), source: Box::new(source) })
}

/// The seed files built into the binary (see build.rs).
mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_seeds.rs"));
}

fn toml_files(dir: &Path) -> Result<Vec<PathBuf>, SeedError> {
    let entries = std::fs::read_dir(dir).map_err(|source| SeedError::Read { path: dir.to_owned(), source })?;
    let mut files = Vec::new();
    for entry in entries {
        let path = entry.map_err(|source| SeedError::Read { path: dir.to_owned(), source })?.path();
        if path.extension().is_some_and(|e| e == "toml") {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The binary serves what `seeds/` holds: the built-in copy is the folder, record for record.
    #[test]
    fn the_built_in_seeds_are_the_folder() {
        let folder = SeedSet::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds")).expect("the folder loads");
        let built_in = SeedSet::embedded().expect("the built-in seeds load");
        assert!(built_in.plans.len() >= 5 && !built_in.areas.is_empty() && !built_in.indicators.is_empty());
        assert_eq!(format!("{built_in:?}"), format!("{folder:?}"));
    }

    fn target<'a>(seeds: &'a mut SeedSet, code: &str) -> &'a mut TargetSeed {
        let plan = seeds.plans.iter_mut().find(|p| p.code == "tan-yen-bdg-2021-2025").expect("Tân Yên");
        plan.objectives.iter_mut().flat_map(|o| &mut o.targets).find(|t| t.code == code).expect("target")
    }

    fn problems(seeds: &mut SeedSet) -> String {
        match seeds.check() {
            Err(SeedError::Invalid(problems)) => problems.join("\n"),
            other => panic!("{other:?}"),
        }
    }

    /// A value of an indicator not broken down by sex is pushed as TOTAL only, so a target on
    /// one sex of it could never be measured; and a scope other than TOTAL cites its line.
    #[test]
    fn a_target_measured_per_sex_needs_an_indicator_by_sex_and_a_citation() {
        let mut seeds = SeedSet::embedded().expect("the built-in seeds load");
        let women_leaders = target(&mut seeds, "M1.CT1");
        women_leaders.measured_on = SexScope::Female;
        women_leaders.measured_on_source = Some("004 §II.2.1".into());
        let completion = target(&mut seeds, "M5.CT2a");
        completion.measured_on = SexScope::EachSex;
        completion.measured_on_source = None;
        let problems = problems(&mut seeds);
        assert!(
            problems.contains("target M1.CT1: measured on FEMALE needs an indicator disaggregated by sex"),
            "{problems}"
        );
        assert!(problems.contains("target M5.CT2a: measured on EACH_SEX needs a measured_on_source"), "{problems}");
    }
}
