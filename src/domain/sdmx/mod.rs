//! The hub as an SDMX 2.1 web service, for partners who read statistics with ready-made
//! tools: one dataflow, `GDH:DF_GENDER(1.0)`, whose structure (`DSD_GENDER`) has the
//! dimensions INDICATOR, REF_AREA, SEX, AGE, ETHNICITY and TIME_PERIOD, the measure
//! OBS_VALUE and the attributes OBS_STATUS, CONF_STATUS, COMMENT_OBS, NUMERATOR and
//! DENOMINATOR: the same columns as the SDMX-CSV export and feed. Here: the data key of a
//! query (`SRB.216.F+M..`), one value as SDMX sees it, and the codes of each codelist;
//! `structure` writes the structure in SDMX-ML 2.1, `data` writes values in SDMX-CSV and
//! SDMX-JSON. Which values a caller gets is the use-case's (`service::sdmx`).

pub mod data;
pub mod structure;

use super::observations::{Observation, ObservationStatus, Sex, NOT_BROKEN_DOWN};

pub const AGENCY: &str = "GDH";
pub const DATAFLOW: &str = "DF_GENDER";
pub const DATA_STRUCTURE: &str = "DSD_GENDER";
pub const CONCEPT_SCHEME: &str = "CS_GENDER";
pub const VERSION: &str = "1.0";
/// `GDH:DF_GENDER(1.0)`, as SDMX-CSV names the dataflow.
pub const FLOW_ID: &str = "GDH:DF_GENDER(1.0)";

/// The dimensions of a series key, in key order; TIME_PERIOD comes after them.
pub const KEY_DIMENSIONS: [&str; 5] = ["INDICATOR", "REF_AREA", "SEX", "AGE", "ETHNICITY"];
pub const TIME_DIMENSION: &str = "TIME_PERIOD";

/// A data query's key: for each dimension, the codes asked for (`None`: any).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DataKey(pub [Option<Vec<String>>; 5]);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadKey {
    #[error("a key has {expected} parts separated by dots ({dimensions}), e.g. SRB.216.F+M.., not {found}: `{key}`", expected = KEY_DIMENSIONS.len(), dimensions = KEY_DIMENSIONS.join("."))]
    Parts { key: String, found: usize },
    #[error("`{code}` in the key's {dimension} is not a code")]
    Code { dimension: &'static str, code: String },
}

impl DataKey {
    /// `all` (or nothing) for every series; else one part per dimension, each empty (any
    /// code) or codes joined by `+`.
    pub fn parse(key: &str) -> Result<DataKey, BadKey> {
        let key = key.trim();
        if key.is_empty() || key.eq_ignore_ascii_case("all") {
            return Ok(DataKey::default());
        }
        let parts: Vec<&str> = key.split('.').collect();
        if parts.len() != KEY_DIMENSIONS.len() {
            return Err(BadKey::Parts { key: key.to_owned(), found: parts.len() });
        }
        let mut dimensions: [Option<Vec<String>>; 5] = Default::default();
        for ((slot, part), dimension) in dimensions.iter_mut().zip(parts).zip(KEY_DIMENSIONS) {
            if part.is_empty() {
                continue;
            }
            let codes = part
                .split('+')
                .map(|code| {
                    let ok = !code.is_empty()
                        && code.len() <= 64
                        && code.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'<' | b'>'));
                    if ok {
                        Ok(code.to_owned())
                    } else {
                        Err(BadKey::Code { dimension, code: code.to_owned() })
                    }
                })
                .collect::<Result<Vec<_>, _>>()?;
            *slot = Some(codes);
        }
        Ok(DataKey(dimensions))
    }

    pub fn indicators(&self) -> Option<&[String]> {
        self.0[0].as_deref()
    }

    pub fn areas(&self) -> Option<&[String]> {
        self.0[1].as_deref()
    }

    /// Whether a value's key is one the query asked for.
    pub fn matches(&self, o: &SdmxObservation) -> bool {
        self.0.iter().zip(&o.series).all(|(asked, code)| asked.as_ref().is_none_or(|codes| codes.contains(code)))
    }
}

/// Text as XML 1.0 may hold it: a control character (other than tab and line ends) in a
/// comment or a name would make the whole message ill-formed, so it is written as a space.
pub fn xml_safe(text: &str) -> std::borrow::Cow<'_, str> {
    let bad = |c: char| c.is_control() && !matches!(c, '\t' | '\n' | '\r');
    if text.chars().any(bad) {
        text.chars().map(|c| if bad(c) { ' ' } else { c }).collect::<String>().into()
    } else {
        text.into()
    }
}

/// CL_SEX's code of a sex.
pub fn sex_code(sex: Sex) -> &'static str {
    match sex {
        Sex::Female => "F",
        Sex::Male => "M",
        Sex::Total => NOT_BROKEN_DOWN,
    }
}

/// CL_OBS_STATUS's code of a value's review state: `A` normal (approved), `P` provisional
/// (submitted, not yet reviewed), `U` low reliability (rejected).
pub fn obs_status(status: ObservationStatus) -> &'static str {
    match status {
        ObservationStatus::Approved => "A",
        ObservationStatus::Submitted => "P",
        ObservationStatus::Rejected => "U",
    }
}

/// One value as SDMX gives it: its series key (in `KEY_DIMENSIONS` order), its period and
/// its figures; a withheld value has none and CONF_STATUS `C`.
#[derive(Debug, Clone, PartialEq)]
pub struct SdmxObservation {
    pub series: [String; 5],
    pub period: String,
    pub value: Option<f64>,
    pub obs_status: &'static str,
    pub confidential: bool,
    pub comment: Option<String>,
    pub numerator: Option<f64>,
    pub denominator: Option<f64>,
}

impl SdmxObservation {
    pub fn of(o: &Observation, withheld: bool) -> SdmxObservation {
        let dimension = |d: &str| if d.is_empty() { NOT_BROKEN_DOWN.to_owned() } else { d.to_owned() };
        let figure = |f: Option<f64>| f.filter(|_| !withheld);
        SdmxObservation {
            series: [
                o.key.indicator_code.clone(),
                o.key.area_code.clone(),
                sex_code(o.key.sex).to_owned(),
                dimension(&o.key.age_group),
                dimension(&o.key.ethnicity),
            ],
            period: o.key.period.clone(),
            value: figure(Some(o.value)),
            obs_status: obs_status(o.status),
            confidential: withheld,
            comment: o.comment.clone(),
            numerator: figure(o.numerator),
            denominator: figure(o.denominator),
        }
    }

    /// CL_CONF_STATUS's code: `C` for a withheld value, else `F`.
    pub fn conf_status(&self) -> &'static str {
        if self.confidential {
            "C"
        } else {
            "F"
        }
    }

    /// The value of dimension `id` (a key dimension or TIME_PERIOD).
    pub fn dimension(&self, id: &str) -> Option<&str> {
        if id == TIME_DIMENSION {
            return Some(&self.period);
        }
        KEY_DIMENSIONS.iter().position(|d| *d == id).map(|i| self.series[i].as_str())
    }
}

/// A code with its names in English and Vietnamese.
#[derive(Debug, Clone, PartialEq)]
pub struct Code {
    pub id: String,
    pub name_en: String,
    pub name_vi: String,
    /// A longer text (an area code held by several units over time names them here).
    pub description: Option<String>,
    pub parent: Option<String>,
}

impl Code {
    pub fn new(id: &str, name_en: &str, name_vi: &str) -> Code {
        Code {
            id: id.to_owned(),
            name_en: name_en.to_owned(),
            name_vi: name_vi.to_owned(),
            description: None,
            parent: None,
        }
    }
}

pub fn sex_codes() -> Vec<Code> {
    vec![Code::new("F", "Female", "Nữ"), Code::new("M", "Male", "Nam"), Code::new("_T", "Total", "Tổng")]
}

pub fn obs_status_codes() -> Vec<Code> {
    vec![
        Code::new("A", "Normal value", "Giá trị chính thức (đã duyệt)"),
        Code::new("P", "Provisional value", "Giá trị sơ bộ (chưa duyệt)"),
        Code::new("U", "Low reliability", "Độ tin cậy thấp (bị trả lại)"),
    ]
}

pub fn conf_status_codes() -> Vec<Code> {
    vec![
        Code::new("F", "Free", "Được công bố"),
        Code::new("C", "Confidential statistical information", "Thông tin bảo mật, không công bố"),
    ]
}

/// Age groups a value may be broken down by: the common ones always, and any other code
/// values use. Codes written SDMX's way (`Y15T19`, `Y_LT15`, `Y_GE65`) are named from
/// their form.
pub fn age_codes<'a>(used: impl IntoIterator<Item = &'a str>) -> Vec<Code> {
    const COMMON: &[&str] = &[
        "Y_LT15", "Y0T4", "Y5T9", "Y10T14", "Y15T19", "Y20T24", "Y25T29", "Y30T34", "Y35T39", "Y40T44", "Y45T49",
        "Y50T54", "Y55T59", "Y60T64", "Y_GE65", "Y15T24", "Y15T49", "Y15T64", "Y_GE15", "Y_GE18", "Y_GE60",
    ];
    let mut codes = vec![Code::new(NOT_BROKEN_DOWN, "All ages", "Mọi độ tuổi")];
    let mut ids: Vec<&str> = COMMON.to_vec();
    for code in used {
        if code != NOT_BROKEN_DOWN && !ids.contains(&code) {
            ids.push(code);
        }
    }
    codes.extend(ids.into_iter().map(age_code));
    codes
}

fn age_code(id: &str) -> Code {
    let years = |s: &str| s.parse::<u32>().ok();
    let named = if let Some(n) = id.strip_prefix("Y_LT").and_then(years) {
        Some((format!("Under {n} years"), format!("Dưới {n} tuổi")))
    } else if let Some(n) = id.strip_prefix("Y_GE").and_then(years) {
        Some((format!("{n} years and over"), format!("Từ {n} tuổi trở lên")))
    } else {
        id.strip_prefix('Y')
            .and_then(|r| r.split_once('T'))
            .and_then(|(a, b)| Some((years(a)?, years(b)?)))
            .map(|(a, b)| (format!("From {a} to {b} years"), format!("Từ {a} đến {b} tuổi")))
    };
    let (en, vi) = named.unwrap_or_else(|| (id.to_owned(), id.to_owned()));
    Code::new(id, &en, &vi)
}

/// Ethnic groups values are broken down by: the codes they use, and the total.
pub fn ethnicity_codes<'a>(used: impl IntoIterator<Item = &'a str>) -> Vec<Code> {
    let mut codes = vec![Code::new(NOT_BROKEN_DOWN, "All ethnic groups", "Tất cả các dân tộc")];
    let mut ids: Vec<&str> = used.into_iter().filter(|c| *c != NOT_BROKEN_DOWN).collect();
    ids.sort_unstable();
    ids.dedup();
    codes.extend(ids.into_iter().map(|id| Code::new(id, id, id)));
    codes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_has_five_parts_each_any_code_or_codes_joined_by_plus() {
        let key = DataKey::parse("SRB.216.F+M..").expect("a key");
        assert_eq!(key.indicators(), Some(&["SRB".to_owned()][..]));
        assert_eq!(key.0[2], Some(vec!["F".to_owned(), "M".to_owned()]));
        assert_eq!((key.0[3].clone(), key.0[4].clone()), (None, None));
        assert_eq!(DataKey::parse("all"), Ok(DataKey::default()));
        assert_eq!(DataKey::parse(""), Ok(DataKey::default()));
    }

    #[test]
    fn a_key_of_the_wrong_shape_or_with_a_bad_code_says_which() {
        let e = DataKey::parse("SRB.216").expect_err("two parts");
        assert!(e.to_string().contains("INDICATOR.REF_AREA.SEX.AGE.ETHNICITY"), "{e}");
        assert_eq!(
            DataKey::parse("SRB.216.F++M.."),
            Err(BadKey::Code { dimension: "SEX", code: String::new() }),
            "an empty code between two +"
        );
        assert!(matches!(DataKey::parse("SRB.2'16...."), Err(BadKey::Parts { .. })));
        assert_eq!(DataKey::parse("SRB.2'16..."), Err(BadKey::Code { dimension: "REF_AREA", code: "2'16".to_owned() }));
    }

    #[test]
    fn control_characters_never_reach_an_xml_message() {
        assert_eq!(xml_safe("Số liệu\u{b}sơ bộ\tx"), "Số liệu sơ bộ\tx");
        assert!(matches!(xml_safe("plain"), std::borrow::Cow::Borrowed("plain")));
    }

    #[test]
    fn age_groups_written_the_sdmx_way_are_named_from_their_form() {
        let codes = age_codes(["Y15T19", "ADULT", "_T"]);
        let named = |id: &str| codes.iter().find(|c| c.id == id).map(|c| (c.name_en.clone(), c.name_vi.clone()));
        assert_eq!(named("Y15T19"), Some(("From 15 to 19 years".into(), "Từ 15 đến 19 tuổi".into())));
        assert_eq!(named("Y_GE65"), Some(("65 years and over".into(), "Từ 65 tuổi trở lên".into())));
        assert_eq!(named("Y_LT15"), Some(("Under 15 years".into(), "Dưới 15 tuổi".into())));
        assert_eq!(named("ADULT"), Some(("ADULT".into(), "ADULT".into())), "a code of its own is listed too");
        assert_eq!(codes.iter().filter(|c| c.id == "_T" || c.id == "Y15T19").count(), 2, "each once");
    }
}
