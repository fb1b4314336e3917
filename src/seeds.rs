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
    #[error("{path}, line {line}: {message}")]
    Csv { path: PathBuf, line: usize, message: String },
    #[error("the seeds are inconsistent:\n  - {}", .0.join("\n  - "))]
    Invalid(Vec<String>),
}

/// A unit of the map (`seeds/map/areas.csv`). `parent` is a code: the parent is the unit
/// holding it while this one exists.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AreaSeed {
    pub code: String,
    pub name: String,
    pub level: AreaLevel,
    pub parent: Option<String>,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub area_km2: Option<f64>,
    /// The plan document naming the unit (`seeds/areas.toml`), else the map's dataset.
    #[serde(skip)]
    pub source: Option<String>,
}

impl AreaSeed {
    /// A day the unit held its code: what a code written with a day resolves against.
    pub fn a_day(&self) -> Option<NaiveDate> {
        self.valid_to.or(self.valid_from)
    }
}

/// A boundary change of the map (`seeds/map/successions.csv`): `predecessor` names the
/// unit holding that code the day before `effective_on`, `successor` the one holding its
/// code on `effective_on`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SuccessionSeed {
    pub predecessor: String,
    pub successor: String,
    pub effective_on: NaiveDate,
    /// False when only part of the predecessor went to the successor (a divided commune).
    pub whole: bool,
}

/// A unit the plan documents name (`seeds/areas.toml`): which unit of the map it is (its
/// code, held on `on`), and where the documents name it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct AreaSourceSeed {
    code: String,
    on: NaiveDate,
    /// The map's name of the unit on that day, checked, so the record says which unit it is.
    name: String,
    source: String,
}

/// Where the map's units come from, as `Area.source` shows it for the units no document names.
pub const MAP_SOURCE: &str = "seeds/map (vietnamadminunits 1.0.4, MIT)";

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
    /// The day `area` is read on: the earliest plan of the agency's file (a document names
    /// the units of its day).
    #[serde(skip)]
    pub area_on: Option<NaiveDate>,
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
    areas: Vec<AreaSourceSeed>,
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
    /// The whole map, nation first.
    pub areas: Vec<AreaSeed>,
    pub successions: Vec<SuccessionSeed>,
    pub indicators: Vec<IndicatorSeed>,
    pub agencies: Vec<AgencySeed>,
    /// Ordered so that a parent plan comes before the plans that implement it.
    pub plans: Vec<PlanSeed>,
    pub warnings: Vec<String>,
}

impl SeedSet {
    /// Reads `dir/map/*.csv`, `dir/areas.toml`, `dir/indicators/*.toml` and `dir/plans/*.toml`.
    pub fn load(dir: &Path) -> Result<SeedSet, SeedError> {
        let read = |path: PathBuf| -> Result<(PathBuf, String), SeedError> {
            let text =
                std::fs::read_to_string(&path).map_err(|source| SeedError::Read { path: path.clone(), source })?;
            Ok((path, text))
        };
        let files = SeedFiles {
            map_areas: read(dir.join(MAP_AREAS))?,
            map_successions: read(dir.join(MAP_SUCCESSIONS))?,
            areas: read(dir.join("areas.toml"))?,
            indicators: toml_files(&dir.join("indicators"))?.into_iter().map(read).collect::<Result<_, _>>()?,
            plans: toml_files(&dir.join("plans"))?.into_iter().map(read).collect::<Result<_, _>>()?,
        };
        SeedSet::parse(files)
    }

    /// The seeds built into the binary: `seeds/` as it was when the binary was built.
    pub fn embedded() -> Result<SeedSet, SeedError> {
        let file = |(path, text): &(&str, &str)| (Path::new("seeds").join(path), (*text).to_owned());
        let in_folder = |folder: &str| -> Vec<(PathBuf, String)> {
            embedded::EMBEDDED
                .iter()
                .filter(|(path, _)| {
                    path.strip_prefix(folder).is_some_and(|name| !name.contains('/') && name.ends_with(".toml"))
                })
                .map(file)
                .collect()
        };
        let one = |name: &str| {
            embedded::EMBEDDED.iter().find(|(path, _)| *path == name).map(file).ok_or_else(|| {
                let source = std::io::Error::new(std::io::ErrorKind::NotFound, "not built into this binary");
                SeedError::Read { path: Path::new("seeds").join(name), source }
            })
        };
        SeedSet::parse(SeedFiles {
            map_areas: one(MAP_AREAS)?,
            map_successions: one(MAP_SUCCESSIONS)?,
            areas: one("areas.toml")?,
            indicators: in_folder("indicators/"),
            plans: in_folder("plans/"),
        })
    }

    /// Parses the files (each with the path its errors name) and checks them together.
    fn parse(files: SeedFiles) -> Result<SeedSet, SeedError> {
        let mut set = SeedSet {
            areas: parse_csv(&files.map_areas.0, &files.map_areas.1)?,
            successions: parse_csv(&files.map_successions.0, &files.map_successions.1)?,
            ..SeedSet::default()
        };
        let sources: AreasFile = parse_toml(&files.areas.0, &files.areas.1)?;
        for (path, text) in &files.indicators {
            let file: IndicatorsFile = parse_toml(path, text)?;
            set.indicators.extend(file.indicators);
        }
        for (path, text) in &files.plans {
            let file: PlansFile = parse_toml(path, text)?;
            let first_day = file.plans.iter().map(PlanSeed::area_on).min();
            set.agencies.extend(file.agencies.into_iter().map(|a| AgencySeed { area_on: first_day, ..a }));
            set.plans.extend(file.plans);
        }
        set.check(sources.areas)?;
        Ok(set)
    }

    /// Cross-checks every reference; orders plans parents-first; collects the documents'
    /// inconsistencies as warnings and appends them to the records' notes.
    fn check(&mut self, sources: Vec<AreaSourceSeed>) -> Result<(), SeedError> {
        let mut problems = Vec::new();

        let areas = std::mem::take(&mut self.areas);
        let map = MapIndex::new(&areas);
        problems.extend(map.problems(&areas, &self.successions));
        let mut named: HashMap<usize, String> = HashMap::new();
        for source in sources {
            match map.unit_on(&source.code, source.on) {
                Some(i) if areas[i].name == source.name => {
                    named.insert(i, source.source);
                }
                Some(i) => problems.push(format!(
                    "areas.toml: {} on {} is {} on the map, not {}",
                    source.code, source.on, areas[i].name, source.name
                )),
                None => problems.push(format!("areas.toml: no unit of the map held {} on {}", source.code, source.on)),
            }
        }
        let agency_areas: Vec<(String, bool)> =
            self.agencies.iter().filter_map(|a| a.area.clone().map(|c| (a.code.clone(), map.has(&c)))).collect();
        let plan_areas: Vec<bool> = self.plans.iter().map(|p| map.unit_on(&p.area, p.area_on()).is_some()).collect();
        drop(map);
        self.areas = areas;
        for (i, a) in self.areas.iter_mut().enumerate() {
            a.source = Some(named.remove(&i).unwrap_or_else(|| MAP_SOURCE.to_owned()));
        }
        let indicator_codes = unique_codes("indicator", self.indicators.iter().map(|i| &i.code), &mut problems);
        let agency_codes = unique_codes("agency", self.agencies.iter().map(|a| &a.code), &mut problems);
        for (code, known) in agency_areas {
            if !known {
                problems.push(format!("agency {code}: its area is not on the map"));
            }
        }
        let plan_codes = unique_codes("plan", self.plans.iter().map(|p| &p.code), &mut problems);
        let by_sex: HashSet<String> =
            self.indicators.iter().filter(|i| i.sex_disaggregated).map(|i| i.code.clone()).collect();

        for (plan, known_area) in self.plans.iter_mut().zip(plan_areas) {
            if !known_area {
                problems.push(format!("plan {}: no unit held area `{}` on {}", plan.code, plan.area, plan.area_on()));
            }
            let known = Known { agencies: &agency_codes, indicators: &indicator_codes, by_sex: &by_sex };
            check_plan(plan, &known, &plan_codes, &mut problems);
            self.warnings.extend(collect_inconsistencies(plan));
        }

        if !problems.is_empty() {
            return Err(SeedError::Invalid(problems));
        }
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
    agencies: &'a HashSet<String>,
    indicators: &'a HashSet<String>,
    /// The indicators disaggregated by sex: the only ones a target may measure per sex.
    by_sex: &'a HashSet<String>,
}

fn check_plan(plan: &PlanSeed, known: &Known<'_>, plans: &HashSet<String>, problems: &mut Vec<String>) {
    let Known { agencies, indicators, by_sex } = *known;
    let at = format!("plan {}", plan.code);
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

/// The map's files under `seeds/`.
const MAP_AREAS: &str = "map/areas.csv";
const MAP_SUCCESSIONS: &str = "map/successions.csv";

/// The seed files' paths and texts.
struct SeedFiles {
    map_areas: (PathBuf, String),
    map_successions: (PathBuf, String),
    areas: (PathBuf, String),
    indicators: Vec<(PathBuf, String)>,
    plans: Vec<(PathBuf, String)>,
}

impl PlanSeed {
    /// The day the plan's area code is read on: a document names the units of its day.
    pub fn area_on(&self) -> NaiveDate {
        self.issued_on.or_else(|| NaiveDate::from_ymd_opt(self.start_year, 1, 1)).unwrap_or(NaiveDate::MIN)
    }
}

/// The map's units by code, to check it and to read codes written with a day.
struct MapIndex<'a> {
    by_code: HashMap<&'a str, Vec<usize>>,
    areas: &'a [AreaSeed],
}

impl<'a> MapIndex<'a> {
    fn new(areas: &'a [AreaSeed]) -> MapIndex<'a> {
        let mut by_code: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, a) in areas.iter().enumerate() {
            by_code.entry(a.code.as_str()).or_default().push(i);
        }
        MapIndex { by_code, areas }
    }

    fn has(&self, code: &str) -> bool {
        self.by_code.contains_key(code)
    }

    /// The unit valid on `day` holding `code`, as an index.
    fn holder_on(&self, code: &str, day: NaiveDate) -> Option<usize> {
        let holders = self.by_code.get(code)?;
        holders.iter().copied().find(|i| {
            let a = &self.areas[*i];
            a.valid_from.is_none_or(|f| f <= day) && a.valid_to.is_none_or(|t| t >= day)
        })
    }

    /// The unit a code names on a day (see `domain::areas::unit_on`), as an index.
    fn unit_on(&self, code: &str, day: NaiveDate) -> Option<usize> {
        self.holder_on(code, day).or_else(|| {
            let holders = self.by_code.get(code)?;
            let ended = |i: &&usize| self.areas[**i].valid_to.is_some_and(|t| t < day);
            holders.iter().filter(ended).max_by_key(|i| self.areas[**i].valid_to).copied()
        })
    }

    /// Codes held twice at once, parents missing or at the wrong time, successions naming
    /// units that do not exist on their day.
    fn problems(&self, areas: &[AreaSeed], successions: &[SuccessionSeed]) -> Vec<String> {
        let mut problems = Vec::new();
        for (code, holders) in &self.by_code {
            for (n, i) in holders.iter().enumerate() {
                for j in &holders[n + 1..] {
                    let (a, b) = (&areas[*i], &areas[*j]);
                    let apart = a.valid_to.zip(b.valid_from).is_some_and(|(to, from)| to < from)
                        || b.valid_to.zip(a.valid_from).is_some_and(|(to, from)| to < from);
                    if !apart {
                        problems.push(format!("map: two units hold code {code} at the same time"));
                    }
                }
            }
        }
        for a in areas {
            let Some(parent) = &a.parent else { continue };
            let day = a.a_day().unwrap_or(NaiveDate::MAX);
            if self.holder_on(parent, day).is_none() {
                problems.push(format!("map: unit {}: no parent {parent} on {day}", a.code));
            }
        }
        let mut pairs = HashSet::new();
        for s in successions {
            if !pairs.insert((&s.predecessor, &s.successor, s.effective_on)) {
                problems.push(format!("map: succession {} → {} appears twice", s.predecessor, s.successor));
            }
            let before = s.effective_on.pred_opt().unwrap_or(NaiveDate::MIN);
            if self.holder_on(&s.predecessor, before).is_none()
                || self.holder_on(&s.successor, s.effective_on).is_none()
            {
                problems.push(format!(
                    "map: succession {} → {} on {}: a unit is missing",
                    s.predecessor, s.successor, s.effective_on
                ));
            }
        }
        problems.truncate(20);
        problems
    }
}

fn parse_csv<T: serde::de::DeserializeOwned>(path: &Path, text: &str) -> Result<Vec<T>, SeedError> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    reader
        .deserialize()
        .enumerate()
        .map(|(i, row)| row.map_err(|e| SeedError::Csv { path: path.to_owned(), line: i + 2, message: e.to_string() }))
        .collect()
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
        assert!(built_in.plans.len() >= 5 && built_in.areas.len() > 14_000 && !built_in.indicators.is_empty());
        assert_eq!(format!("{built_in:?}"), format!("{folder:?}"));
    }

    fn target<'a>(seeds: &'a mut SeedSet, code: &str) -> &'a mut TargetSeed {
        let plan = seeds.plans.iter_mut().find(|p| p.code == "tan-yen-bdg-2021-2025").expect("Tân Yên");
        plan.objectives.iter_mut().flat_map(|o| &mut o.targets).find(|t| t.code == code).expect("target")
    }

    fn problems(seeds: &mut SeedSet) -> String {
        match seeds.check(Vec::new()) {
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
