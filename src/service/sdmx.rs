//! SDMX REST 2.1 (`/sdmx/2.1/…`): the dataflow's structure, and its data as the caller may
//! read it: the same values, scope and partner rules as the export (`export::each_exported`),
//! selected by an SDMX key and period range.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;

use super::export::each_exported;
use super::reads::Selection;
use super::Caller;
use crate::domain::areas::Area;
use crate::domain::indicators::Indicator;
use crate::domain::observations::{ObservationOrder, Sex};
use crate::domain::periods::Period;
use crate::domain::sdmx::data::{self, AtObservation, DataFormat};
use crate::domain::sdmx::structure::{self, codelist_names, Codelist, Structures, CODELISTS};
use crate::domain::sdmx::{
    age_codes, conf_status_codes, ethnicity_codes, obs_status_codes, sex_codes, Code, DataKey, SdmxObservation, AGENCY,
    CONCEPT_SCHEME, DATAFLOW, DATA_STRUCTURE, VERSION,
};
use crate::domain::DomainError;
use crate::store::{AreaFilter, Store};
use tokio::sync::OnceCell;

/// Values one data query may give; more is refused (413, as SDMX answers a response too
/// large), since an answer is written whole: narrow the key or the periods.
pub const MAX_VALUES: usize = 100_000;

/// The structural artefacts SDMX REST serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    Dataflow,
    DataStructure,
    ConceptScheme,
    Codelist,
}

impl Resource {
    /// The resource of a path (`dataflow`, `datastructure`, `conceptscheme`, `codelist`).
    pub fn named(name: &str) -> Option<Resource> {
        Some(match name {
            "dataflow" => Resource::Dataflow,
            "datastructure" => Resource::DataStructure,
            "conceptscheme" => Resource::ConceptScheme,
            "codelist" => Resource::Codelist,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Resource::Dataflow => "dataflow",
            Resource::DataStructure => "datastructure",
            Resource::ConceptScheme => "conceptscheme",
            Resource::Codelist => "codelist",
        }
    }
}

/// `/{resource}/{agency}/{id}/{version}?references=`; missing parts are `all`/`latest`.
#[derive(Debug, Clone)]
pub struct StructureQuery {
    pub resource: Resource,
    pub agency: String,
    pub id: String,
    pub version: String,
    pub references: Option<String>,
}

fn any(part: &str) -> bool {
    matches!(part, "all" | "*" | "")
}

fn agency_matches(agency: &str) -> bool {
    any(agency) || agency == AGENCY
}

fn version_matches(version: &str) -> bool {
    any(version) || matches!(version, "latest" | "+" | "~") || version == VERSION
}

/// The Structure message a query asks for: NOT_FOUND when it names nothing this hub has,
/// BAD_USER_INPUT for an unknown `references`. CL_AREA lists the caller's part of the map.
pub async fn structure(
    store: &dyn Store,
    caller: &Caller,
    query: StructureQuery,
    id: &str,
    prepared: &str,
) -> Result<Vec<u8>, DomainError> {
    let references = query.references.as_deref().unwrap_or("none");
    const REFERENCES: &[&str] = &[
        "none",
        "parents",
        "parentsandsiblings",
        "children",
        "descendants",
        "all",
        "datastructure",
        "codelist",
        "conceptscheme",
        "dataflow",
    ];
    if !REFERENCES.contains(&references) {
        return Err(DomainError::bad_input("references", format!("one of {}", REFERENCES.join(", "))));
    }
    let found = agency_matches(&query.agency) && version_matches(&query.version);
    let id_is = |own: &str| any(&query.id) || query.id == own;
    let (mut wanted, mut lists) = (Structures::default(), Vec::<&str>::new());
    let children = matches!(references, "children" | "descendants" | "all");
    let descendants = matches!(references, "descendants" | "all");
    let parents = matches!(references, "parents" | "parentsandsiblings" | "all" | "dataflow");
    match query.resource {
        Resource::Dataflow if found && id_is(DATAFLOW) => {
            wanted.dataflow = true;
            wanted.data_structure = children || references == "datastructure";
            if descendants || references == "codelist" {
                lists.extend(CODELISTS);
            }
            wanted.concept_scheme = descendants || references == "conceptscheme";
        }
        Resource::DataStructure if found && id_is(DATA_STRUCTURE) => {
            wanted.data_structure = true;
            wanted.dataflow = parents;
            if children || references == "codelist" {
                lists.extend(CODELISTS);
            }
            wanted.concept_scheme = children || references == "conceptscheme";
        }
        Resource::ConceptScheme if found && id_is(CONCEPT_SCHEME) => {
            wanted.concept_scheme = true;
            wanted.data_structure = parents || references == "datastructure";
        }
        Resource::Codelist if found && (any(&query.id) || CODELISTS.contains(&query.id.as_str())) => {
            lists.extend(CODELISTS.iter().filter(|l| id_is(l)));
            wanted.data_structure = parents || references == "datastructure";
        }
        _ => {
            let asked = format!("{}/{}/{}", query.agency, query.id, query.version);
            return Err(DomainError::Absent(
                format!("no {} `{asked}`; this hub has dataflow GDH/{DATAFLOW}/{VERSION}, datastructure GDH/{DATA_STRUCTURE}/{VERSION}, conceptscheme GDH/{CONCEPT_SCHEME}/{VERSION} and codelists {}", query.resource.name(), CODELISTS.join(", ")),
            ));
        }
    }
    let codes = Codes::default();
    for list in lists {
        wanted.codelists.push(codes.codelist(store, caller, list).await?);
    }
    structure::message(&wanted, id, prepared)
        .map_err(|e| DomainError::internal(format!("cannot write the structure: {e}")))
}

/// What the codelists are read from, read once a message.
#[derive(Default)]
struct Codes {
    indicators: OnceCell<Vec<Indicator>>,
    /// (age group, ethnicity) pairs of approved values.
    breakdowns: OnceCell<Vec<(String, String)>>,
}

impl Codes {
    /// One codelist with its codes: the catalogue, the caller's part of the map (as GraphQL's
    /// `areas` gives it), the breakdowns approved values use.
    async fn codelist(&self, store: &dyn Store, caller: &Caller, id: &'static str) -> Result<Codelist, DomainError> {
        let (name_en, name_vi) = codelist_names(id).unwrap_or((id, id));
        let codes = match id {
            "CL_INDICATOR" => {
                self.indicators(store).await?.iter().map(|i| Code::new(&i.code, &i.name_en, &i.name_vi)).collect()
            }
            "CL_AREA" => {
                let within = caller.scope(store).await?.restrict(None);
                let filter = AreaFilter { within: within.as_deref(), ..AreaFilter::default() };
                area_codes(&store.areas(filter).await?)
            }
            "CL_SEX" => sex_codes(),
            "CL_AGE" => age_codes(self.breakdowns(store).await?.iter().map(|(age, _)| age.as_str())),
            "CL_ETHNICITY" => ethnicity_codes(self.breakdowns(store).await?.iter().map(|(_, e)| e.as_str())),
            "CL_OBS_STATUS" => obs_status_codes(),
            _ => conf_status_codes(),
        };
        Ok(Codelist { id, name_en, name_vi, codes })
    }

    async fn indicators(&self, store: &dyn Store) -> Result<&[Indicator], DomainError> {
        let indicators = self.indicators.get_or_try_init(|| store.indicators()).await?;
        Ok(indicators.as_slice())
    }

    async fn breakdowns(&self, store: &dyn Store) -> Result<&[(String, String)], DomainError> {
        let breakdowns = self
            .breakdowns
            .get_or_try_init(|| async {
                let indicators = self.indicators(store).await?;
                let broken_down: Vec<String> =
                    indicators.iter().filter(|i| !i.dimensions.is_empty()).map(|i| i.code.clone()).collect();
                Ok::<_, DomainError>(store.breakdown_codes(&broken_down).await?)
            })
            .await?;
        Ok(breakdowns.as_slice())
    }
}

/// CL_AREA: a code per area code. A code several units held over time (the 2025 reform
/// gave old codes to new provinces) is named by its last holder, and its description
/// lists every holder with the days it held the code.
fn area_codes(units: &[Area]) -> Vec<Code> {
    let code_of: HashMap<_, _> = units.iter().map(|u| (u.id, u.code.as_str())).collect();
    let mut holders: BTreeMap<&str, Vec<&Area>> = BTreeMap::new();
    for unit in units {
        holders.entry(unit.code.as_str()).or_default().push(unit);
    }
    holders
        .into_iter()
        .map(|(code, mut held)| {
            held.sort_by_key(|u| u.valid_from);
            let last = held[held.len() - 1];
            let mut entry = Code::new(code, &last.name, &last.name);
            entry.parent = last.parent_id.and_then(|p| code_of.get(&p)).map(|p| (*p).to_owned());
            if held.len() > 1 {
                let day = |d: Option<NaiveDate>| d.map_or("…".to_owned(), |d| d.to_string());
                let listed: Vec<String> =
                    held.iter().map(|u| format!("{} ({} – {})", u.name, day(u.valid_from), day(u.valid_to))).collect();
                entry.description = Some(listed.join("; "));
            }
            entry
        })
        .collect()
}

/// `/data/{flow}/{key}?startPeriod=&endPeriod=`.
#[derive(Debug, Clone, Default)]
pub struct DataQuery {
    pub flow: String,
    pub key: String,
    pub start_period: Option<String>,
    pub end_period: Option<String>,
}

/// The flow reference of a data query: `DF_GENDER`, `GDH,DF_GENDER` or
/// `GDH,DF_GENDER,1.0` (or `latest`).
fn check_flow(flow: &str) -> Result<(), DomainError> {
    let parts: Vec<&str> = flow.split(',').collect();
    let ok = match parts.as_slice() {
        [id] => *id == DATAFLOW,
        [agency, id] => agency_matches(agency) && *id == DATAFLOW,
        [agency, id, version] => agency_matches(agency) && *id == DATAFLOW && version_matches(version),
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(DomainError::Absent(format!("no dataflow `{flow}`; this hub has {AGENCY},{DATAFLOW},{VERSION}")))
    }
}

/// The first or last day of `startPeriod`/`endPeriod`: a period (`2024`, `2024-Q3`…) or a
/// day (`2024-07-01`).
fn bound(argument: &str, text: &str, first: bool) -> Result<NaiveDate, DomainError> {
    if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(day);
    }
    let period: Period = text.parse().map_err(|_| {
        DomainError::bad_input(
            argument,
            format!("`{text}` is not a period or a day: write 2024, 2024-S1, 2024-Q3, 2024-06 or 2024-06-30"),
        )
    })?;
    let (start, end) = period.days();
    Ok(if first { start } else { end })
}

/// The values a data query selects, as the caller may read them, in id order. BAD_USER_INPUT
/// for a bad key or period, NOT_FOUND for another dataflow or an unknown area, FORBIDDEN
/// for an area outside the caller's, PAYLOAD_TOO_LARGE past `MAX_VALUES`.
pub async fn data(store: &dyn Store, caller: &Caller, query: DataQuery) -> Result<Vec<SdmxObservation>, DomainError> {
    check_flow(&query.flow)?;
    let key = DataKey::parse(&query.key).map_err(|e| DomainError::bad_input("key", e.to_string()))?;
    let periods = match (&query.start_period, &query.end_period) {
        (None, None) => None,
        (start, end) => {
            let first = start.as_deref().map(|s| bound("startPeriod", s, true)).transpose()?.unwrap_or(NaiveDate::MIN);
            let last = end.as_deref().map(|s| bound("endPeriod", s, false)).transpose()?.unwrap_or(NaiveDate::MAX);
            if first > last {
                return Err(DomainError::bad_input("endPeriod", "endPeriod is before startPeriod"));
            }
            let periods: Vec<String> = Period::within(first, last).iter().map(ToString::to_string).collect();
            if periods.is_empty() {
                return Ok(Vec::new());
            }
            Some(periods)
        }
    };
    // CL_SEX's codes only: the key is matched against them as written.
    let sex_of = |c: &String| match c.as_str() {
        "F" => Ok(Sex::Female),
        "M" => Ok(Sex::Male),
        "_T" => Ok(Sex::Total),
        _ => Err(DomainError::bad_input("key", format!("`{c}` is not a SEX code: F, M or _T"))),
    };
    let sexes = key.0[2].as_deref().map(|codes| codes.iter().map(sex_of).collect::<Result<Vec<_>, _>>()).transpose()?;
    let selection = Selection {
        indicator_codes: key.indicators().map(<[String]>::to_vec),
        area_codes: key.areas().map(<[String]>::to_vec),
        periods,
        sex: match sexes.as_deref() {
            Some([one]) => Some(*one),
            _ => None,
        },
        order: ObservationOrder::Id,
        ..Selection::default()
    };
    let mut values = Vec::new();
    each_exported(store, caller, selection, |o, withheld| {
        let value = SdmxObservation::of(o, withheld);
        if key.matches(&value) {
            if values.len() == MAX_VALUES {
                return Err(DomainError::TooLarge(format!(
                    "the query selects more than {MAX_VALUES} values; narrow the key or the periods"
                )));
            }
            values.push(value);
        }
        Ok(())
    })
    .await?;
    Ok(values)
}

/// A dimension code's name for SDMX-JSON: indicators and areas by the catalogue and the
/// map, sexes and age groups by their codelists.
async fn code_names(
    store: &dyn Store,
    values: &[SdmxObservation],
) -> Result<HashMap<(String, String), String>, DomainError> {
    let mut names = HashMap::new();
    let mut indicator_codes: Vec<String> = values.iter().map(|v| v.series[0].clone()).collect();
    indicator_codes.sort_unstable();
    indicator_codes.dedup();
    for i in store.indicators_by_codes(&indicator_codes).await? {
        names.insert(("INDICATOR".to_owned(), i.code), i.name_en);
    }
    let mut area_codes: Vec<String> = values.iter().map(|v| v.series[1].clone()).collect();
    area_codes.sort_unstable();
    area_codes.dedup();
    let mut units = store.areas_by_codes(&area_codes).await?;
    units.sort_by_key(|u| u.valid_from);
    for unit in units {
        names.insert(("REF_AREA".to_owned(), unit.code), unit.name);
    }
    for code in sex_codes() {
        names.insert(("SEX".to_owned(), code.id), code.name_en);
    }
    for code in age_codes(values.iter().map(|v| v.series[3].as_str())) {
        names.insert(("AGE".to_owned(), code.id), code.name_en);
    }
    Ok(names)
}

/// How a data message is written: its format, layout and detail.
#[derive(Debug, Clone)]
pub struct DataMessage {
    pub format: DataFormat,
    pub at: AtObservation,
    /// `detail=dataonly`: no comment, numerator or denominator (the status and the
    /// confidentiality stay: a value with no figure must say why).
    pub data_only: bool,
    /// The message header's id and time of preparation (RFC 3339).
    pub id: String,
    pub prepared: String,
}

/// The data message a query asks for: its values (as `data`) in series order, each series
/// by period. NOT_FOUND when none match (SDMX's NoResultsFound).
pub async fn data_message(
    store: &dyn Store,
    caller: &Caller,
    query: DataQuery,
    message: DataMessage,
) -> Result<Vec<u8>, DomainError> {
    let mut values = data(store, caller, query).await?;
    if values.is_empty() {
        return Err(DomainError::Absent("no values match the key and periods (SDMX NoResultsFound)".to_owned()));
    }
    if message.data_only {
        for v in &mut values {
            v.comment = None;
            v.numerator = None;
            v.denominator = None;
        }
    }
    let period = |v: &SdmxObservation| v.period.parse::<Period>().ok();
    values.sort_by(|a, b| a.series.cmp(&b.series).then_with(|| period(a).cmp(&period(b))));
    let (id, prepared) = (message.id.as_str(), message.prepared.as_str());
    let written =
        |r: std::io::Result<Vec<u8>>| r.map_err(|e| DomainError::internal(format!("cannot write SDMX-ML: {e}")));
    match message.format {
        DataFormat::Generic => written(data::generic(&values, &message.at, id, prepared)),
        DataFormat::StructureSpecific => written(data::structure_specific(&values, &message.at, id, prepared)),
        DataFormat::Csv1 | DataFormat::Csv2 => {
            data::csv(&values, message.format).map_err(|e| DomainError::internal(format!("cannot write SDMX-CSV: {e}")))
        }
        DataFormat::Json1 => {
            let names = code_names(store, &values).await?;
            let name = |dimension: &str, code: &str| names.get(&(dimension.to_owned(), code.to_owned())).cloned();
            Ok(data::json(&values, &message.at, &name, id, prepared).to_string().into_bytes())
        }
    }
}
