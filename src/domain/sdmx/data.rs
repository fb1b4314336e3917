//! Values as SDMX data messages: SDMX-ML 2.1 (generic and structure-specific), SDMX-CSV
//! (1.0 and 2.0, one line a value) and SDMX-JSON 1.0 (series keyed by the positions of
//! their codes). Values come in series of one dimension at the observation level
//! (TIME_PERIOD unless `dimensionAtObservation` names another), or, with `AllDimensions`,
//! as a flat list.

use std::collections::BTreeMap;
use std::io;

use quick_xml::events::{BytesDecl, Event};
use quick_xml::Writer;
use serde_json::{json, Map, Value};

use super::structure::{attribute_ids, component_name};
use super::{SdmxObservation, DATAFLOW, FLOW_ID, KEY_DIMENSIONS, TIME_DIMENSION, VERSION};

/// The data formats the service writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataFormat {
    Generic,
    StructureSpecific,
    Csv1,
    Csv2,
    Json1,
}

/// How values are laid out: with one dimension at the observation level (TIME_PERIOD by
/// default; a series per combination of the others), or all of them (a flat list).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AtObservation {
    Dimension(String),
    All,
}

impl AtObservation {
    /// `dimensionAtObservation`: a dimension's id or `AllDimensions`.
    pub fn parse(text: Option<&str>) -> Result<AtObservation, String> {
        match text {
            None | Some("TIME_PERIOD") => Ok(AtObservation::Dimension(TIME_DIMENSION.to_owned())),
            Some("AllDimensions") => Ok(AtObservation::All),
            Some(d) if KEY_DIMENSIONS.contains(&d) => Ok(AtObservation::Dimension(d.to_owned())),
            Some(other) => Err(format!(
                "`{other}` is not a dimension: AllDimensions, TIME_PERIOD or one of {}",
                KEY_DIMENSIONS.join(", ")
            )),
        }
    }
}

fn figure(f: Option<f64>) -> String {
    f.map(|v| v.to_string()).unwrap_or_default()
}

/// Every component's column: the dimensions in the structure's order, the measure, the
/// attributes.
fn columns() -> Vec<&'static str> {
    let mut columns: Vec<&str> = KEY_DIMENSIONS.to_vec();
    columns.push(TIME_DIMENSION);
    columns.push("OBS_VALUE");
    columns.extend(attribute_ids());
    columns
}

fn row(o: &SdmxObservation) -> Vec<String> {
    let mut row: Vec<String> = o.series.to_vec();
    row.push(o.period.clone());
    row.push(figure(o.value));
    for attribute in attribute_ids() {
        row.push(match attribute {
            "OBS_STATUS" => o.obs_status.to_owned(),
            "CONF_STATUS" => o.conf_status().to_owned(),
            "COMMENT_OBS" => o.comment.clone().unwrap_or_default(),
            "NUMERATOR" => figure(o.numerator),
            "DENOMINATOR" => figure(o.denominator),
            _ => String::new(),
        });
    }
    row
}

/// SDMX-CSV: 1.0 names the dataflow in a `DATAFLOW` column, 2.0 in `STRUCTURE` and
/// `STRUCTURE_ID`, with `ACTION` `I` (information).
pub fn csv(observations: &[SdmxObservation], format: DataFormat) -> Result<Vec<u8>, csv::Error> {
    let mut out = csv::Writer::from_writer(Vec::new());
    let lead: &[&str] = match format {
        DataFormat::Csv2 => &["STRUCTURE", "STRUCTURE_ID", "ACTION"],
        _ => &["DATAFLOW"],
    };
    out.write_record(lead.iter().copied().chain(columns()))?;
    for o in observations {
        let lead: Vec<&str> = match format {
            DataFormat::Csv2 => vec!["dataflow", FLOW_ID, "I"],
            _ => vec![FLOW_ID],
        };
        out.write_record(lead.into_iter().map(str::to_owned).chain(row(o)))?;
    }
    out.into_inner().map_err(|e| e.into_error().into())
}

/// The positions of the codes a dimension takes, in the order they first appear.
#[derive(Default)]
struct Values {
    ids: Vec<String>,
    index: BTreeMap<String, usize>,
}

impl Values {
    fn position(&mut self, id: &str) -> usize {
        if let Some(&i) = self.index.get(id) {
            return i;
        }
        self.ids.push(id.to_owned());
        self.index.insert(id.to_owned(), self.ids.len() - 1);
        self.ids.len() - 1
    }
}

/// SDMX-JSON 1.0. `names` gives a code's name for a dimension (the code itself when it has
/// none); `id` and `prepared` go in the header.
pub fn json(
    observations: &[SdmxObservation],
    at: &AtObservation,
    names: &dyn Fn(&str, &str) -> Option<String>,
    id: &str,
    prepared: &str,
) -> Value {
    let (series_dims, obs_dims) = split_dimensions(at);
    let all: Vec<&str> = series_dims.iter().chain(&obs_dims).copied().collect();
    let mut values: BTreeMap<&'static str, Values> = all.iter().map(|d| (*d, Values::default())).collect();
    let attributes: Vec<&str> = attribute_ids().collect();
    let mut attribute_values: Vec<Values> = attributes.iter().map(|_| Values::default()).collect();
    fn position(dims: &[&'static str], o: &SdmxObservation, values: &mut BTreeMap<&'static str, Values>) -> String {
        let parts: Vec<String> = dims
            .iter()
            .map(|d| {
                let code = o.dimension(d).unwrap_or_default();
                values.get_mut(d).map(|v| v.position(code)).unwrap_or_default().to_string()
            })
            .collect();
        parts.join(":")
    }
    let mut cells: Vec<(String, String, Vec<Value>)> = Vec::with_capacity(observations.len());
    for o in observations {
        let mut cell = vec![o.value.map_or(Value::Null, |v| json!(v))];
        for (attribute, known) in attributes.iter().zip(attribute_values.iter_mut()) {
            let text = match *attribute {
                "OBS_STATUS" => Some(o.obs_status.to_owned()),
                "CONF_STATUS" => Some(o.conf_status().to_owned()),
                "COMMENT_OBS" => o.comment.clone(),
                "NUMERATOR" => o.numerator.map(|v| v.to_string()),
                "DENOMINATOR" => o.denominator.map(|v| v.to_string()),
                _ => None,
            };
            cell.push(text.map_or(Value::Null, |t| json!(known.position(&t))));
        }
        let obs_key = position(&obs_dims, o, &mut values);
        cells.push((position(&series_dims, o, &mut values), obs_key, cell));
    }
    let mut series: BTreeMap<String, Map<String, Value>> = BTreeMap::new();
    let mut flat = Map::new();
    for (series_key, obs_key, cell) in cells {
        if series_dims.is_empty() {
            flat.insert(obs_key, Value::Array(cell));
        } else {
            series.entry(series_key).or_default().insert(obs_key, Value::Array(cell));
        }
    }
    let described = |dims: &[&str]| -> Vec<Value> {
        dims.iter()
            .map(|d| {
                let codes: Vec<Value> = values[d]
                    .ids
                    .iter()
                    .map(|code| {
                        let name = names(d, code).unwrap_or_else(|| code.clone());
                        json!({ "id": code, "name": name })
                    })
                    .collect();
                let mut dimension = json!({ "id": d, "name": component_name(d), "values": codes });
                if *d == TIME_DIMENSION {
                    dimension["role"] = json!("time");
                }
                if let Some(position) = KEY_DIMENSIONS.iter().position(|k| k == d) {
                    dimension["keyPosition"] = json!(position);
                }
                dimension
            })
            .collect()
    };
    let observation_attributes: Vec<Value> = attributes
        .iter()
        .zip(&attribute_values)
        .map(|(a, known)| {
            let mut listed: Vec<Value> = known
                .ids
                .iter()
                .map(|v| {
                    if matches!(*a, "OBS_STATUS" | "CONF_STATUS") {
                        json!({ "id": v, "name": v })
                    } else {
                        json!({ "name": v })
                    }
                })
                .collect();
            // sdmx1 drops an attribute listed with no values and then reads the others
            // one position off: one no value points to keeps it listed.
            if listed.is_empty() {
                listed.push(json!({ "name": "" }));
            }
            json!({ "id": a, "name": component_name(a), "values": listed })
        })
        .collect();
    let data_set = if series_dims.is_empty() {
        json!({ "action": "Information", "observations": flat })
    } else {
        let series: Map<String, Value> = series
            .into_iter()
            .map(|(key, observations)| (key, json!({ "attributes": [], "observations": observations })))
            .collect();
        json!({ "action": "Information", "series": series })
    };
    json!({
        "header": { "id": id, "test": false, "prepared": prepared, "sender": { "id": super::AGENCY } },
        "dataSets": [data_set],
        "structure": {
            "links": [{ "rel": "dataflow", "urn": format!("urn:sdmx:org.sdmx.infomodel.datastructure.Dataflow={}:{DATAFLOW}({VERSION})", super::AGENCY) }],
            "name": "Gender equality indicators of Vietnam",
            "dimensions": {
                "dataSet": [],
                "series": described(&series_dims),
                "observation": described(&obs_dims),
            },
            "attributes": { "dataSet": [], "series": [], "observation": observation_attributes },
        }
    })
}

/// The components of a value other than the dimensions: (id, text), those it has.
fn measure_and_attributes(o: &SdmxObservation) -> Vec<(&'static str, String)> {
    let mut parts = Vec::new();
    if let Some(v) = o.value {
        parts.push(("OBS_VALUE", v.to_string()));
    }
    parts.push(("OBS_STATUS", o.obs_status.to_owned()));
    parts.push(("CONF_STATUS", o.conf_status().to_owned()));
    if let Some(c) = &o.comment {
        parts.push(("COMMENT_OBS", super::xml_safe(c).into_owned()));
    }
    if let Some(n) = o.numerator {
        parts.push(("NUMERATOR", n.to_string()));
    }
    if let Some(d) = o.denominator {
        parts.push(("DENOMINATOR", d.to_string()));
    }
    parts
}

/// The dimensions of a series and of its observations under `at`.
fn split_dimensions(at: &AtObservation) -> (Vec<&'static str>, Vec<&'static str>) {
    let all: Vec<&'static str> = KEY_DIMENSIONS.iter().copied().chain([TIME_DIMENSION]).collect();
    match at {
        AtObservation::All => (Vec::new(), all),
        AtObservation::Dimension(d) => {
            (all.iter().copied().filter(|x| x != d).collect(), all.iter().copied().filter(|x| x == d).collect())
        }
    }
}

/// The values grouped in series (by their codes of `series_dims`, in order), or one group
/// of all when there are no series.
fn in_series<'a>(
    observations: &'a [SdmxObservation],
    series_dims: &[&str],
) -> Vec<(Vec<&'a str>, Vec<&'a SdmxObservation>)> {
    let mut series: BTreeMap<Vec<&str>, Vec<&SdmxObservation>> = BTreeMap::new();
    for o in observations {
        let key: Vec<&str> = series_dims.iter().map(|d| o.dimension(d).unwrap_or_default()).collect();
        series.entry(key).or_default().push(o);
    }
    series.into_iter().collect()
}

/// `dimensionAtObservation` as the message header writes it.
fn at_name(at: &AtObservation) -> &str {
    match at {
        AtObservation::All => "AllDimensions",
        AtObservation::Dimension(d) => d,
    }
}

const STRUCTURE_REF: &str = "GDH_DF_GENDER_1_0";

/// The header of a data message, naming the dataflow and how values are laid out.
fn data_header(
    w: &mut Writer<Vec<u8>>,
    at: &AtObservation,
    namespace: Option<&str>,
    id: &str,
    prepared: &str,
) -> io::Result<()> {
    super::structure::header(w, id, prepared, |w| {
        let mut structure = w.create_element("mes:Structure").with_attribute(("structureID", STRUCTURE_REF));
        if let Some(ns) = namespace {
            structure = structure.with_attribute(("namespace", ns));
        }
        structure.with_attribute(("dimensionAtObservation", at_name(at))).write_inner_content(|w| {
            w.create_element("com:StructureUsage").write_inner_content(|w| {
                w.create_element("Ref")
                    .with_attributes([("agencyID", super::AGENCY), ("id", DATAFLOW), ("version", VERSION)])
                    .write_empty()?;
                Ok(())
            })?;
            Ok(())
        })?;
        Ok(())
    })?;
    Ok(())
}

const MESSAGE_NS: &str = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message";
const COMMON_NS: &str = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common";

/// SDMX-ML 2.1 generic data: every code as a `Value` element, readable with no structure.
pub fn generic(observations: &[SdmxObservation], at: &AtObservation, id: &str, prepared: &str) -> io::Result<Vec<u8>> {
    let (series_dims, obs_dims) = split_dimensions(at);
    let mut w = Writer::new(Vec::new());
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let values = |w: &mut Writer<Vec<u8>>, element: &str, pairs: &[(&str, &str)]| -> io::Result<()> {
        w.create_element(element).write_inner_content(|w| {
            for (id, value) in pairs {
                w.create_element("gen:Value").with_attributes([("id", *id), ("value", *value)]).write_empty()?;
            }
            Ok(())
        })?;
        Ok(())
    };
    let obs = |w: &mut Writer<Vec<u8>>, o: &SdmxObservation| -> io::Result<()> {
        w.create_element("gen:Obs").write_inner_content(|w| {
            if series_dims.is_empty() {
                let key: Vec<(&str, &str)> =
                    obs_dims.iter().map(|d| (*d, o.dimension(d).unwrap_or_default())).collect();
                values(w, "gen:ObsKey", &key)?;
            } else {
                let d = obs_dims[0];
                w.create_element("gen:ObsDimension")
                    .with_attribute(("value", o.dimension(d).unwrap_or_default()))
                    .write_empty()?;
            }
            let parts = measure_and_attributes(o);
            if let Some((_, v)) = parts.iter().find(|(c, _)| *c == "OBS_VALUE") {
                w.create_element("gen:ObsValue").with_attribute(("value", v.as_str())).write_empty()?;
            }
            let attributes: Vec<(&str, &str)> =
                parts.iter().filter(|(c, _)| *c != "OBS_VALUE").map(|(c, v)| (*c, v.as_str())).collect();
            if !attributes.is_empty() {
                values(w, "gen:Attributes", &attributes)?;
            }
            Ok(())
        })?;
        Ok(())
    };
    w.create_element("mes:GenericData")
        .with_attributes([
            ("xmlns:mes", MESSAGE_NS),
            ("xmlns:gen", "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/data/generic"),
            ("xmlns:com", COMMON_NS),
        ])
        .write_inner_content(|w| {
            data_header(w, at, None, id, prepared)?;
            w.create_element("mes:DataSet")
                .with_attributes([("structureRef", STRUCTURE_REF), ("action", "Information")])
                .write_inner_content(|w| {
                    for (key, members) in in_series(observations, &series_dims) {
                        if series_dims.is_empty() {
                            members.into_iter().try_for_each(|o| obs(w, o))?;
                            continue;
                        }
                        w.create_element("gen:Series").write_inner_content(|w| {
                            let pairs: Vec<(&str, &str)> =
                                series_dims.iter().copied().zip(key.iter().copied()).collect();
                            values(w, "gen:SeriesKey", &pairs)?;
                            members.into_iter().try_for_each(|o| obs(w, o))
                        })?;
                    }
                    Ok(())
                })?;
            Ok(())
        })?;
    Ok(w.into_inner())
}

/// SDMX-ML 2.1 structure-specific data: codes as XML attributes named by their components,
/// read against the structure.
pub fn structure_specific(
    observations: &[SdmxObservation],
    at: &AtObservation,
    id: &str,
    prepared: &str,
) -> io::Result<Vec<u8>> {
    let (series_dims, obs_dims) = split_dimensions(at);
    let namespace = format!(
        "urn:sdmx:org.sdmx.infomodel.datastructure.Dataflow={}:{DATAFLOW}({VERSION}):ObsLevelDim:{}",
        super::AGENCY,
        at_name(at)
    );
    let mut w = Writer::new(Vec::new());
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let obs = |w: &mut Writer<Vec<u8>>, o: &SdmxObservation| -> io::Result<()> {
        let mut pairs: Vec<(&str, String)> =
            obs_dims.iter().map(|d| (*d, o.dimension(d).unwrap_or_default().to_owned())).collect();
        pairs.extend(measure_and_attributes(o));
        w.create_element("Obs").with_attributes(pairs.iter().map(|(k, v)| (*k, v.as_str()))).write_empty()?;
        Ok(())
    };
    w.create_element("mes:StructureSpecificData")
        .with_attributes([
            ("xmlns:mes", MESSAGE_NS),
            ("xmlns:ss", "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/data/structurespecific"),
            ("xmlns:ns1", namespace.as_str()),
            ("xmlns:com", COMMON_NS),
            ("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"),
        ])
        .write_inner_content(|w| {
            data_header(w, at, Some(&namespace), id, prepared)?;
            w.create_element("mes:DataSet")
                .with_attributes([
                    ("ss:dataScope", "DataStructure"),
                    ("xsi:type", "ns1:DataSetType"),
                    ("ss:structureRef", STRUCTURE_REF),
                    ("action", "Information"),
                ])
                .write_inner_content(|w| {
                    for (key, members) in in_series(observations, &series_dims) {
                        if series_dims.is_empty() {
                            members.into_iter().try_for_each(|o| obs(w, o))?;
                            continue;
                        }
                        let pairs: Vec<(&str, &str)> = series_dims.iter().copied().zip(key.iter().copied()).collect();
                        w.create_element("Series")
                            .with_attributes(pairs)
                            .write_inner_content(|w| members.into_iter().try_for_each(|o| obs(w, o)))?;
                    }
                    Ok(())
                })?;
            Ok(())
        })?;
    Ok(w.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(area: &str, sex: &str, period: &str, value: Option<f64>) -> SdmxObservation {
        SdmxObservation {
            series: ["SRB".into(), area.into(), sex.into(), "_T".into(), "_T".into()],
            period: period.into(),
            value,
            obs_status: "A",
            confidential: value.is_none(),
            comment: None,
            numerator: None,
            denominator: None,
        }
    }

    #[test]
    fn sdmx_csv_names_the_dataflow_and_every_component() {
        let rows = [at("216", "_T", "2024", Some(112.4)), at("216", "F", "2024", None)];
        let text = String::from_utf8(csv(&rows, DataFormat::Csv1).expect("csv")).expect("utf-8");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines,
            [
                "DATAFLOW,INDICATOR,REF_AREA,SEX,AGE,ETHNICITY,TIME_PERIOD,OBS_VALUE,OBS_STATUS,CONF_STATUS,COMMENT_OBS,NUMERATOR,DENOMINATOR",
                "GDH:DF_GENDER(1.0),SRB,216,_T,_T,_T,2024,112.4,A,F,,,",
                "GDH:DF_GENDER(1.0),SRB,216,F,_T,_T,2024,,A,C,,,",
            ]
        );
        let text = String::from_utf8(csv(&rows[..1], DataFormat::Csv2).expect("csv")).expect("utf-8");
        assert!(text.starts_with("STRUCTURE,STRUCTURE_ID,ACTION,INDICATOR,"), "{text}");
        assert!(text.contains("\ndataflow,GDH:DF_GENDER(1.0),I,SRB,216,_T,"), "{text}");
    }

    #[test]
    fn sdmx_json_keys_series_and_observations_by_the_positions_of_their_codes() {
        let rows =
            [at("216", "_T", "2024", Some(112.4)), at("216", "_T", "2025", Some(110.0)), at("215", "F", "2024", None)];
        let names = |_: &str, _: &str| None;
        let message = json(&rows, &AtObservation::parse(None).expect("default"), &names, "D1", "2026-12-02T00:00:00Z");
        let series = &message["dataSets"][0]["series"];
        assert_eq!(series["0:0:0:0:0"]["observations"]["0"][0], json!(112.4));
        assert_eq!(series["0:0:0:0:0"]["observations"]["1"][0], json!(110.0));
        assert_eq!(series["0:1:1:0:0"]["observations"]["0"][0], Value::Null, "withheld: no figure");
        let structure = &message["structure"];
        assert_eq!(structure["dimensions"]["observation"][0]["values"][1]["id"], json!("2025"));
        assert_eq!(structure["dimensions"]["series"][1]["values"][1]["id"], json!("215"));
        // The attributes point into their value lists: CONF_STATUS F, then C; one no value
        // has is listed all the same, with a value nothing points to.
        assert_eq!(structure["attributes"]["observation"].as_array().map(Vec::len), Some(5));
        assert_eq!(structure["attributes"]["observation"][3]["values"], json!([{ "name": "" }]));
        let conf = structure["attributes"]["observation"][1].clone();
        assert_eq!((conf["id"].clone(), conf["values"][1]["id"].clone()), (json!("CONF_STATUS"), json!("C")));
        assert_eq!(series["0:1:1:0:0"]["observations"]["0"][2], json!(1));

        let flat = json(&rows, &AtObservation::All, &names, "D2", "2026-12-02T00:00:00Z");
        assert_eq!(flat["dataSets"][0]["observations"]["0:1:1:0:0:0"][0], Value::Null);
        assert_eq!(flat["structure"]["dimensions"]["observation"].as_array().map(Vec::len), Some(6));
        assert!(AtObservation::parse(Some("NOPE")).is_err());
    }

    #[test]
    fn sdmx_ml_writes_a_series_per_key_and_leaves_out_what_a_withheld_value_lacks() {
        let rows = [at("216", "_T", "2024", Some(112.4)), at("216", "F", "2024", None)];
        let default = AtObservation::parse(None).expect("default");
        let text = |b: io::Result<Vec<u8>>| String::from_utf8(b.expect("written")).expect("utf-8");
        let generic = text(generic(&rows, &default, "D1", "2026-12-02T00:00:00Z"));
        assert_eq!(generic.matches("<gen:Series>").count(), 2, "{generic}");
        assert!(generic.contains(r#"<gen:Value id="REF_AREA" value="216"/>"#), "{generic}");
        assert!(generic.contains(r#"<gen:ObsDimension value="2024"/><gen:ObsValue value="112.4"/>"#), "{generic}");
        assert!(
            generic.contains(r#"<gen:ObsDimension value="2024"/><gen:Attributes><gen:Value id="OBS_STATUS" value="A"/><gen:Value id="CONF_STATUS" value="C"/>"#),
            "a withheld value has no ObsValue: {generic}"
        );
        let specific = text(structure_specific(&rows, &default, "D2", "2026-12-02T00:00:00Z"));
        assert!(
            specific.contains(r#"<Series INDICATOR="SRB" REF_AREA="216" SEX="F" AGE="_T" ETHNICITY="_T"><Obs TIME_PERIOD="2024" OBS_STATUS="A" CONF_STATUS="C"/></Series>"#),
            "{specific}"
        );
        assert!(specific.contains("ObsLevelDim:TIME_PERIOD"), "{specific}");
        let flat = text(structure_specific(&rows, &AtObservation::All, "D3", "2026-12-02T00:00:00Z"));
        assert!(
            flat.contains(r#"<Obs INDICATOR="SRB" REF_AREA="216" SEX="_T" AGE="_T" ETHNICITY="_T" TIME_PERIOD="2024" OBS_VALUE="112.4" OBS_STATUS="A" CONF_STATUS="F"/>"#),
            "no series: {flat}"
        );
        assert!(!flat.contains("<Series"), "{flat}");
    }
}
