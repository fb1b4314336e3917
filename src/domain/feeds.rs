//! Data feeds in CSV (nguồn dữ liệu): the plain format and SDMX-CSV 2.0, read into push rows,
//! and the SDMX-CSV export. A row that cannot be read becomes an import error of its own
//! row, like any other bad row, so a file is summed up in one summary.

use std::io::Read;

use super::observations::{
    ImportError, ImportErrorCode, Observation, ObservationInput, ObservationStatus, Sex, NOT_BROKEN_DOWN,
};

pub const PLAIN_HEADER: &[&str] =
    &["indicator", "area", "period", "sex", "age_group", "ethnicity", "value", "numerator", "denominator", "comment"];
const SDMX_STRUCTURE_ID_1_0: &str = "GDH:DF_GENDER(1.0)";
/// SDMX-CSV as the export writes it: the first structure's columns, then the cell's
/// confidentiality (CL_CONF_STATUS: `F` free, `C` confidential) and the numerator and
/// denominator a rate was computed from, so an exported file pushed back is unchanged.
pub const SDMX_HEADER: &[&str] = &[
    "STRUCTURE",
    "STRUCTURE_ID",
    "ACTION",
    "INDICATOR",
    "REF_AREA",
    "TIME_PERIOD",
    "SEX",
    "AGE",
    "ETHNICITY",
    "OBS_VALUE",
    "OBS_STATUS",
    "COMMENT_OBS",
    "CONF_STATUS",
    "NUMERATOR",
    "DENOMINATOR",
];
pub const SDMX_STRUCTURE_ID: &str = "GDH:DF_GENDER(1.1)";
/// SDMX-CSV of the dataflow's first structure, without the three attributes 1.1 added:
/// still read, no longer written.
pub const SDMX_HEADER_1_0: &[&str] = SDMX_HEADER.split_at(12).0;

/// Rows read from a file: those that could be read (with their row numbers, counted from
/// the first data line) and an error for each one that could not.
#[derive(Debug, Default)]
pub struct ParsedFeed {
    pub rows: Vec<ObservationInput>,
    pub row_numbers: Vec<usize>,
    pub errors: Vec<ImportError>,
    /// Every data row, read or not.
    pub total_rows: usize,
}

/// Why a file could not be read at all (as opposed to a bad row).
#[derive(Debug, thiserror::Error)]
pub enum FeedError {
    #[error("the file is empty")]
    Empty,
    #[error("unknown header: expected `{}` or SDMX-CSV `{}`", PLAIN_HEADER.join(","), SDMX_HEADER.join(","))]
    UnknownHeader,
    #[error("the file is not readable CSV: {0}")]
    Csv(String),
}

enum Format {
    Plain,
    /// The structure's header and id: 1.0 without the attributes 1.1 added.
    Sdmx(&'static [&'static str], &'static str),
}

/// Reads a feed record by record; stops counting rows past `max_rows` (the push refuses
/// the file whole then, and the rest need not be read).
pub fn parse(input: impl Read, max_rows: usize) -> Result<ParsedFeed, FeedError> {
    let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(true).trim(csv::Trim::All).from_reader(input);
    let header = reader.headers().map_err(|e| FeedError::Csv(e.to_string()))?.clone();
    if header.is_empty() {
        return Err(FeedError::Empty);
    }
    let names: Vec<String> = header.iter().map(|h| h.trim_start_matches('\u{feff}').to_owned()).collect();
    let upper: Vec<String> = names.iter().map(|n| n.to_ascii_uppercase()).collect();
    let format = if names == PLAIN_HEADER {
        Format::Plain
    } else if upper == SDMX_HEADER {
        Format::Sdmx(SDMX_HEADER, SDMX_STRUCTURE_ID)
    } else if upper == SDMX_HEADER_1_0 {
        Format::Sdmx(SDMX_HEADER_1_0, SDMX_STRUCTURE_ID_1_0)
    } else {
        return Err(FeedError::UnknownHeader);
    };
    let mut feed = ParsedFeed::default();
    for record in reader.records() {
        feed.total_rows += 1;
        if feed.total_rows > max_rows {
            continue;
        }
        let row = feed.total_rows;
        let record = match record {
            Ok(r) => r,
            // The upload broke off (or passed its size limit): nothing after can be trusted.
            Err(e) if matches!(e.kind(), csv::ErrorKind::Io(_)) => return Err(FeedError::Csv(e.to_string())),
            Err(e) => {
                feed.errors.push(error(row, None, ImportErrorCode::BadValue, format!("unreadable line: {e}")));
                continue;
            }
        };
        let fields: Vec<&str> = record.iter().collect();
        let expected = match format {
            Format::Plain => PLAIN_HEADER.len(),
            Format::Sdmx(header, _) => header.len(),
        };
        if fields.len() != expected {
            let message = format!("{} fields, the header has {expected}", fields.len());
            feed.errors.push(error(row, None, ImportErrorCode::BadValue, message));
            continue;
        }
        let parsed = match format {
            Format::Plain => plain_row(row, &fields),
            Format::Sdmx(_, structure_id) => sdmx_row(row, &fields, structure_id),
        };
        match parsed {
            Ok(input) => {
                feed.rows.push(input);
                feed.row_numbers.push(row);
            }
            Err(errors) => feed.errors.extend(errors),
        }
    }
    Ok(feed)
}

fn error(row: usize, field: Option<&str>, code: ImportErrorCode, message: String) -> ImportError {
    ImportError { row, field: field.map(str::to_owned), code, message }
}

fn optional(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_owned())
}

fn number(row: usize, field: &str, s: &str, errors: &mut Vec<ImportError>) -> Option<f64> {
    if s.is_empty() {
        return None;
    }
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() => Some(v),
        _ => {
            errors.push(error(row, Some(field), ImportErrorCode::BadValue, format!("`{s}` is not a number")));
            None
        }
    }
}

fn plain_row(row: usize, f: &[&str]) -> Result<ObservationInput, Vec<ImportError>> {
    let mut errors = Vec::new();
    let sex = match f[3] {
        "F" => Some(Sex::Female),
        "M" => Some(Sex::Male),
        "T" => Some(Sex::Total),
        other => {
            errors.push(error(row, Some("sex"), ImportErrorCode::BadSex, format!("`{other}` is not F, M or T")));
            None
        }
    };
    let value = number(row, "value", f[6], &mut errors);
    if f[6].is_empty() {
        errors.push(error(row, Some("value"), ImportErrorCode::BadValue, "the value is missing".into()));
    }
    let numerator = number(row, "numerator", f[7], &mut errors);
    let denominator = number(row, "denominator", f[8], &mut errors);
    match (sex, value, errors.is_empty()) {
        (Some(sex), Some(value), true) => Ok(ObservationInput {
            indicator_code: f[0].to_owned(),
            area_code: f[1].to_owned(),
            period: f[2].to_owned(),
            sex,
            age_group: optional(f[4]),
            ethnicity: optional(f[5]),
            value,
            numerator,
            denominator,
            comment: optional(f[9]),
        }),
        _ => Err(errors),
    }
}

fn sdmx_row(row: usize, f: &[&str], structure_id: &str) -> Result<ObservationInput, Vec<ImportError>> {
    let mut errors = Vec::new();
    if !f[0].eq_ignore_ascii_case("dataflow") || f[1] != structure_id {
        let message = format!("STRUCTURE must be `dataflow` and STRUCTURE_ID `{structure_id}` (as the header says)");
        errors.push(error(row, Some("STRUCTURE_ID"), ImportErrorCode::BadValue, message));
    }
    match f[2] {
        "I" | "A" | "R" | "" => {}
        "D" => errors.push(error(
            row,
            Some("ACTION"),
            ImportErrorCode::BadValue,
            "D (delete) is not accepted: values are never deleted; push a corrected value".into(),
        )),
        other => {
            errors.push(error(row, Some("ACTION"), ImportErrorCode::BadValue, format!("`{other}` is not I, A, R or D")))
        }
    }
    let sex = match f[6] {
        "F" => Some(Sex::Female),
        "M" => Some(Sex::Male),
        "_T" => Some(Sex::Total),
        other => {
            errors.push(error(row, Some("SEX"), ImportErrorCode::BadSex, format!("`{other}` is not F, M or _T")));
            None
        }
    };
    let value = number(row, "OBS_VALUE", f[9], &mut errors);
    if f[9].is_empty() {
        let message = if f.get(12).is_some_and(|c| *c == "C") {
            "the value is confidential (CONF_STATUS C) and was not exported: leave the row out"
        } else {
            "the value is missing"
        };
        errors.push(error(row, Some("OBS_VALUE"), ImportErrorCode::BadValue, message.into()));
    }
    let numerator = f.get(13).and_then(|n| number(row, "NUMERATOR", n, &mut errors));
    let denominator = f.get(14).and_then(|d| number(row, "DENOMINATOR", d, &mut errors));
    match (sex, value, errors.is_empty()) {
        (Some(sex), Some(value), true) => Ok(ObservationInput {
            indicator_code: f[3].to_owned(),
            area_code: f[4].to_owned(),
            period: f[5].to_owned(),
            sex,
            age_group: optional(f[7]),
            ethnicity: optional(f[8]),
            value,
            numerator,
            denominator,
            comment: optional(f[11]),
        }),
        _ => Err(errors),
    }
}

/// One observation as an SDMX-CSV line (`SDMX_HEADER`). `OBS_STATUS` is CL_OBS_STATUS's:
/// `A` (normal) for an approved value, `P` (provisional) for one submitted and not yet
/// reviewed, `U` (low reliability) for a rejected one, exported only when asked for by
/// status. A withheld cell is written with no value, numerator or denominator and
/// `CONF_STATUS` `C`.
pub fn sdmx_record(o: &Observation, withheld: bool) -> [String; 15] {
    let sex = match o.key.sex {
        Sex::Female => "F",
        Sex::Male => "M",
        Sex::Total => "_T",
    };
    let status = match o.status {
        ObservationStatus::Approved => "A",
        ObservationStatus::Submitted => "P",
        ObservationStatus::Rejected => "U",
    };
    let figure = |f: Option<f64>| if withheld { String::new() } else { f.map(|v| v.to_string()).unwrap_or_default() };
    let dimension = |d: &str| if d.is_empty() { NOT_BROKEN_DOWN.to_owned() } else { d.to_owned() };
    [
        "dataflow".into(),
        SDMX_STRUCTURE_ID.into(),
        "I".into(),
        o.key.indicator_code.clone(),
        o.key.area_code.clone(),
        o.key.period.clone(),
        sex.into(),
        dimension(&o.key.age_group),
        dimension(&o.key.ethnicity),
        figure(Some(o.value)),
        status.into(),
        o.comment.clone().unwrap_or_default(),
        if withheld { "C" } else { "F" }.into(),
        figure(o.numerator),
        figure(o.denominator),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(feed: &ParsedFeed) -> Vec<(usize, &'static str)> {
        feed.errors.iter().map(|e| (e.row, e.code.as_str())).collect()
    }

    #[test]
    fn plain_csv_reads_with_empty_cells_as_absent() {
        let text = "indicator,area,period,sex,age_group,ethnicity,value,numerator,denominator,comment\n\
                    SEX_RATIO_AT_BIRTH,216,2024,T,,,112.5,,,from the civil register\n\
                    EM_PRIMARY_COMPLETION_PCT,216,2024,F,,Mông,96,192,200,\n";
        let feed = parse(text.as_bytes(), 10).expect("parse");
        assert!(feed.errors.is_empty(), "{:?}", feed.errors);
        assert_eq!(feed.rows.len(), 2);
        assert_eq!(feed.rows[0].comment.as_deref(), Some("from the civil register"));
        assert_eq!(feed.rows[0].age_group, None);
        assert_eq!(feed.rows[1].ethnicity.as_deref(), Some("Mông"));
        assert_eq!((feed.rows[1].numerator, feed.rows[1].denominator), (Some(192.0), Some(200.0)));
        assert_eq!(feed.row_numbers, [1, 2]);
    }

    #[test]
    fn sdmx_csv_reads_its_codes() {
        let text = "STRUCTURE,STRUCTURE_ID,ACTION,INDICATOR,REF_AREA,TIME_PERIOD,SEX,AGE,ETHNICITY,OBS_VALUE,OBS_STATUS,COMMENT_OBS\n\
                    dataflow,GDH:DF_GENDER(1.0),I,SEX_RATIO_AT_BIRTH,216,2024,_T,_T,_T,112.5,A,\n\
                    dataflow,GDH:DF_GENDER(1.0),D,SEX_RATIO_AT_BIRTH,216,2023,_T,_T,_T,110,A,\n\
                    dataflow,OTHER(1.0),I,SEX_RATIO_AT_BIRTH,216,2022,X,_T,_T,abc,A,\n";
        let feed = parse(text.as_bytes(), 10).expect("parse");
        assert_eq!(feed.rows.len(), 1);
        assert_eq!(feed.rows[0].sex, Sex::Total);
        assert_eq!(feed.rows[0].age_group.as_deref(), Some("_T"));
        assert_eq!(codes(&feed), [(2, "BAD_VALUE"), (3, "BAD_VALUE"), (3, "BAD_SEX"), (3, "BAD_VALUE")]);
    }

    #[test]
    fn sdmx_csv_of_the_second_structure_reads_numerator_and_denominator_and_names_a_confidential_cell() {
        let text = format!(
            "{}\n\
             dataflow,GDH:DF_GENDER(1.1),I,GBV_VICTIMS_SUPPORTED_PCT,216,2024,F,_T,_T,75,P,,F,3,4\n\
             dataflow,GDH:DF_GENDER(1.1),I,GBV_VICTIMS_SUPPORTED_PCT,216,2024,M,_T,_T,,A,,C,,\n\
             dataflow,GDH:DF_GENDER(1.0),I,GBV_VICTIMS_SUPPORTED_PCT,216,2024,_T,_T,_T,70,A,,F,,\n",
            SDMX_HEADER.join(",")
        );
        let feed = parse(text.as_bytes(), 10).expect("parse");
        assert_eq!(feed.rows.len(), 1);
        assert_eq!((feed.rows[0].numerator, feed.rows[0].denominator), (Some(3.0), Some(4.0)));
        assert_eq!(codes(&feed), [(2, "BAD_VALUE"), (3, "BAD_VALUE")]);
        assert!(feed.errors[0].message.contains("confidential"), "{:?}", feed.errors[0]);
        assert!(feed.errors[1].message.contains("GDH:DF_GENDER(1.1)"), "{:?}", feed.errors[1]);
    }

    #[test]
    fn bad_cells_and_short_lines_are_errors_of_their_rows() {
        let text = "indicator,area,period,sex,age_group,ethnicity,value,numerator,denominator,comment\n\
                    SRB,216,2024,X,,,1,,,\n\
                    SRB,216,2024,T,,,,,,\n\
                    SRB,216,2024\n\
                    SRB,216,2024,F,,,1e999,,,\n";
        let feed = parse(text.as_bytes(), 10).expect("parse");
        assert_eq!(codes(&feed), [(1, "BAD_SEX"), (2, "BAD_VALUE"), (3, "BAD_VALUE"), (4, "BAD_VALUE")]);
        assert_eq!(feed.total_rows, 4);
    }

    #[test]
    fn an_unknown_header_or_an_empty_file_is_refused_whole() {
        assert!(matches!(parse("a,b,c\n1,2,3\n".as_bytes(), 10), Err(FeedError::UnknownHeader)));
        assert!(parse("".as_bytes(), 10).is_err());
    }

    #[test]
    fn rows_past_the_limit_are_counted_not_read() {
        let mut text =
            String::from("indicator,area,period,sex,age_group,ethnicity,value,numerator,denominator,comment\n");
        for _ in 0..5 {
            text.push_str("SRB,216,2024,T,,,1,,,\n");
        }
        let feed = parse(text.as_bytes(), 2).expect("parse");
        assert_eq!((feed.total_rows, feed.rows.len()), (5, 2));
    }
}
