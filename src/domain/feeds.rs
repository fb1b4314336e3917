//! Data feeds in CSV (nguồn dữ liệu): the plain format and SDMX-CSV 2.0, read into push rows,
//! and the SDMX-CSV export. A row that cannot be read becomes an import error of its own
//! row, like any other bad row, so a file is summed up in one summary.

use std::io::Read;

use super::observations::{ImportError, ImportErrorCode, Observation, ObservationInput, Sex};

/// The plain format's columns, in the order the hub writes them.
pub const PLAIN_HEADER: &[&str] =
    &["indicator", "area", "period", "sex", "age_group", "ethnicity", "value", "numerator", "denominator", "comment"];
/// What the export named its files before the dataflow's structure was served (`domain::sdmx`)
/// with every column they hold: still read.
const SDMX_STRUCTURE_ID_1_1: &str = "GDH:DF_GENDER(1.1)";
/// SDMX-CSV as the export writes it: the dimensions, the value, its status and comment, then
/// the cell's confidentiality (CL_CONF_STATUS: `F` free, `C` confidential) and the numerator and
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
pub const SDMX_STRUCTURE_ID: &str = super::sdmx::FLOW_ID;

/// The plain format's columns a file must have, and those it may have (the names a
/// reporting template writes beside the codes are read past).
const PLAIN_REQUIRED: &[&str] = &["indicator", "area", "period", "sex", "value"];
const PLAIN_OPTIONAL: &[&str] =
    &["age_group", "ethnicity", "numerator", "denominator", "comment", "indicator_name", "area_name"];
/// SDMX-CSV's: the dimensions and the value; the attributes may be left out.
const SDMX_REQUIRED: &[&str] =
    &["STRUCTURE", "STRUCTURE_ID", "INDICATOR", "REF_AREA", "TIME_PERIOD", "SEX", "OBS_VALUE"];
const SDMX_OPTIONAL: &[&str] =
    &["ACTION", "AGE", "ETHNICITY", "OBS_STATUS", "COMMENT_OBS", "CONF_STATUS", "NUMERATOR", "DENOMINATOR"];

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
    /// Every problem of the header, each naming its column, then what is expected.
    #[error("{0}")]
    Header(String),
    #[error("the file is UTF-16 text: save it as \"CSV UTF-8\" (in Excel: Save As, CSV UTF-8 (Comma delimited))")]
    Utf16,
    #[error("the file is not UTF-8 text: save it as \"CSV UTF-8\" (in Excel: Save As, CSV UTF-8 (Comma delimited))")]
    NotUtf8,
    #[error("the file is not readable CSV: {0}")]
    Csv(String),
    #[error("the file is not an Excel workbook (.xlsx): {0}")]
    NotExcel(String),
}

/// How a file separates its fields: named by the caller, or found from the header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Delimiter {
    #[default]
    Detect,
    Comma,
    Semicolon,
    Tab,
}

impl std::str::FromStr for Delimiter {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        match s {
            "," | "comma" => Ok(Delimiter::Comma),
            ";" | "semicolon" => Ok(Delimiter::Semicolon),
            "\t" | "tab" => Ok(Delimiter::Tab),
            _ => Err(()),
        }
    }
}

/// Which format a header is in, and where each of its columns is.
struct Columns {
    sdmx: bool,
    /// Each known column the file has, with its position: a list, as a dozen names are
    /// found faster by comparing than by hashing, for every field of every row.
    at: Vec<(&'static str, usize)>,
    count: usize,
}

impl Columns {
    /// Columns by name, in any order and any case; every problem named.
    fn read(names: &[String]) -> Result<Columns, FeedError> {
        let folded: Vec<String> = names.iter().map(|n| n.trim().to_ascii_lowercase()).collect();
        let sdmx = folded.iter().any(|n| n == "structure_id" || n == "obs_value");
        let (required, optional) = if sdmx { (SDMX_REQUIRED, SDMX_OPTIONAL) } else { (PLAIN_REQUIRED, PLAIN_OPTIONAL) };
        let mut at: Vec<(&'static str, usize)> = Vec::new();
        let mut problems = Vec::new();
        for (i, name) in folded.iter().enumerate() {
            match required.iter().chain(optional).find(|c| c.eq_ignore_ascii_case(name)) {
                Some(column) if at.iter().any(|(c, _)| c == column) => {
                    problems.push(format!("column {} `{}` is there twice", i + 1, names[i].trim()));
                }
                Some(column) => at.push((column, i)),
                None if name.is_empty() => problems.push(format!("column {} has no name", i + 1)),
                None => problems.push(format!("unknown column {} `{}`", i + 1, names[i].trim())),
            }
        }
        for column in required.iter().filter(|c| !at.iter().any(|(known, _)| known == *c)) {
            problems.push(format!("missing column `{column}`"));
        }
        if !problems.is_empty() {
            let kind = if sdmx { "SDMX-CSV" } else { "the plain format" };
            return Err(FeedError::Header(format!(
                "{}: {kind} has the columns {}, and may have {} (in any order and case)",
                problems.join("; "),
                required.join(", "),
                optional.join(", ")
            )));
        }
        Ok(Columns { sdmx, at, count: names.len() })
    }

    /// A row's field of `column`, empty when the file has no such column.
    fn get<'a>(&self, fields: &[&'a str], column: &str) -> &'a str {
        self.at.iter().find(|(c, _)| *c == column).and_then(|&(_, i)| fields.get(i)).copied().unwrap_or("")
    }
}

/// The header line, read up to its end (at most 64 KiB), so the encoding and the
/// delimiter are known before the rows are read.
fn header_line(input: &mut impl Read) -> Result<Vec<u8>, FeedError> {
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    while line.len() < 64 * 1024 {
        match input.read(&mut byte) {
            Ok(0) => break,
            Ok(_) => {
                line.push(byte[0]);
                if byte[0] == b'\n' {
                    break;
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(FeedError::Csv(e.to_string())),
        }
    }
    Ok(line)
}

/// The delimiter a header line uses most, outside quotes: `;` where Excel saved it in a
/// Vietnamese (or any decimal-comma) locale.
fn detect(header: &str) -> u8 {
    let (mut quoted, mut counts) = (false, [0usize; 3]);
    for c in header.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => counts[0] += 1,
            ';' if !quoted => counts[1] += 1,
            '\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let best = (0..3).max_by_key(|&i| (counts[i], usize::from(i == 0))).unwrap_or(0);
    [b',', b';', b'\t'][best]
}

/// Reads a feed record by record; rows past `max_rows` are counted, not read (the push
/// refuses the file whole then, saying how many rows it held). UTF-8 with or without its BOM;
/// UTF-16 and other encodings are refused with what to do. With `;` between fields a
/// decimal comma is read (`112,4`).
pub fn parse(mut input: impl Read, max_rows: usize, delimiter: Delimiter) -> Result<ParsedFeed, FeedError> {
    let mut head = header_line(&mut input)?;
    if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) || head.contains(&0) {
        return Err(FeedError::Utf16);
    }
    if head.starts_with(&[0xEF, 0xBB, 0xBF]) {
        head.drain(..3);
    }
    let text = std::str::from_utf8(&head).map_err(|_| FeedError::NotUtf8)?;
    if text.trim().is_empty() {
        return Err(FeedError::Empty);
    }
    let delimiter = match delimiter {
        Delimiter::Detect => detect(text),
        Delimiter::Comma => b',',
        Delimiter::Semicolon => b';',
        Delimiter::Tab => b'\t',
    };
    let decimal_comma = delimiter != b',';
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .trim(csv::Trim::All)
        .delimiter(delimiter)
        .from_reader(std::io::Cursor::new(head).chain(input));
    let header = reader.headers().map_err(|e| FeedError::Csv(e.to_string()))?.clone();
    let names: Vec<String> = header.iter().map(str::to_owned).collect();
    let columns = Columns::read(&names)?;
    let mut feed = ParsedFeed::default();
    // One record, read into again and again.
    let mut record = csv::StringRecord::new();
    loop {
        let read = reader.read_record(&mut record);
        if matches!(read, Ok(false)) {
            break;
        }
        feed.total_rows += 1;
        if feed.total_rows > max_rows {
            continue;
        }
        let row = feed.total_rows;
        match read {
            Ok(_) => {}
            // The upload broke off (or passed its size limit): nothing after can be trusted.
            Err(e) if matches!(e.kind(), csv::ErrorKind::Io(_)) => return Err(FeedError::Csv(e.to_string())),
            Err(e) if matches!(e.kind(), csv::ErrorKind::Utf8 { .. }) => return Err(FeedError::NotUtf8),
            Err(e) => {
                feed.errors.push(error(row, None, ImportErrorCode::BadValue, format!("unreadable line: {e}")));
                continue;
            }
        }
        let fields: Vec<&str> = record.iter().collect();
        if fields.len() != columns.count {
            let message = format!("{} fields, the header has {}", fields.len(), columns.count);
            feed.errors.push(error(row, None, ImportErrorCode::BadValue, message));
            continue;
        }
        read_row(&mut feed, &columns, row, &fields, decimal_comma);
    }
    Ok(feed)
}

/// One row into the feed: its input, or its errors.
fn read_row(feed: &mut ParsedFeed, columns: &Columns, row: usize, fields: &[&str], decimal_comma: bool) {
    let parsed = if columns.sdmx {
        sdmx_row(row, columns, fields, decimal_comma)
    } else {
        plain_row(row, columns, fields, decimal_comma)
    };
    match parsed {
        Ok(input) => {
            feed.rows.push(input);
            feed.row_numbers.push(row);
        }
        Err(errors) => feed.errors.extend(errors),
    }
}

/// Reads an Excel workbook (`.xlsx`) as a feed: its first sheet, with the same header as
/// a CSV file, from its first row. Rows are numbered as Excel shows them (the header is
/// row 1 when the sheet starts at A1); a row with no value, numerator or denominator is
/// not filled in yet (a template's) and is left out; text cells may use a decimal comma.
pub fn parse_xlsx(bytes: &[u8], max_rows: usize) -> Result<ParsedFeed, FeedError> {
    use calamine::Reader;
    let not_excel = |e: calamine::XlsxError| FeedError::NotExcel(e.to_string());
    let mut workbook = calamine::Xlsx::new(std::io::Cursor::new(bytes)).map_err(not_excel)?;
    let first = workbook.sheet_names().first().cloned().ok_or(FeedError::Empty)?;
    let range = workbook.worksheet_range(&first).map_err(not_excel)?;
    let top = range.start().map_or(0, |(row, _)| row as usize);
    let mut rows = range.rows();
    let header: Vec<String> = rows.next().ok_or(FeedError::Empty)?.iter().map(cell_text).collect();
    // A sheet's used range may run past its last named column (formatting, a note).
    let width = header.iter().rposition(|h| !h.is_empty()).map_or(0, |last| last + 1);
    if width == 0 {
        return Err(FeedError::Empty);
    }
    let columns = Columns::read(&header[..width])?;
    let mut feed = ParsedFeed::default();
    for (i, cells) in rows.enumerate() {
        let texts: Vec<String> = cells.iter().take(width).map(cell_text).collect();
        let mut fields: Vec<&str> = texts.iter().map(String::as_str).collect();
        fields.resize(width, "");
        let figures = if columns.sdmx {
            ["OBS_VALUE", "NUMERATOR", "DENOMINATOR"]
        } else {
            ["value", "numerator", "denominator"]
        };
        if figures.iter().all(|c| columns.get(&fields, c).is_empty()) {
            continue;
        }
        feed.total_rows += 1;
        if feed.total_rows > max_rows {
            continue;
        }
        let row = top + i + 2;
        if let Some((column, message)) = cells.iter().take(width).enumerate().find_map(|(c, cell)| match cell {
            calamine::Data::Error(e) => Some((c, format!("the cell holds an error ({e})"))),
            _ => None,
        }) {
            feed.errors.push(error(row, Some(header[column].trim()), ImportErrorCode::BadValue, message));
            continue;
        }
        read_row(&mut feed, &columns, row, &fields, true);
    }
    Ok(feed)
}

/// A cell as the text a CSV file would hold: whole numbers without a decimal point (a
/// period typed as 2024, an area code as 216).
fn cell_text(cell: &calamine::Data) -> String {
    use calamine::Data;
    match cell {
        Data::String(s) => s.trim().to_owned(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::DateTime(d) => d.to_string(),
        Data::Error(_) | Data::Empty => String::new(),
    }
}

fn error(row: usize, field: Option<&str>, code: ImportErrorCode, message: String) -> ImportError {
    ImportError { row, field: field.map(str::to_owned), code, message }
}

fn optional(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_owned())
}

/// A number as written: with a decimal comma (and dots between thousands, `1.234,5`)
/// where the fields are separated by `;`.
fn number(row: usize, field: &str, s: &str, decimal_comma: bool, errors: &mut Vec<ImportError>) -> Option<f64> {
    if s.is_empty() {
        return None;
    }
    let written: std::borrow::Cow<'_, str> =
        if decimal_comma && s.contains(',') { s.replace('.', "").replace(',', ".").into() } else { s.into() };
    match written.parse::<f64>() {
        Ok(v) if v.is_finite() => Some(v),
        _ => {
            let hint = if s.contains(',') && !decimal_comma {
                ": a decimal comma is read only when fields are separated by `;` (write 112.4, or save with `;`)"
            } else {
                ""
            };
            errors.push(error(row, Some(field), ImportErrorCode::BadValue, format!("`{s}` is not a number{hint}")));
            None
        }
    }
}

/// A sex in any of the hub's words (F, FEMALE, Nữ, …), or the row's error.
fn sex(row: usize, field: &str, s: &str, errors: &mut Vec<ImportError>) -> Option<Sex> {
    let sex = Sex::read(s);
    if sex.is_none() {
        errors.push(error(row, Some(field), ImportErrorCode::BadSex, format!("`{s}` is not {}", Sex::WORDS)));
    }
    sex
}

fn plain_row(row: usize, c: &Columns, f: &[&str], decimal_comma: bool) -> Result<ObservationInput, Vec<ImportError>> {
    let mut errors = Vec::new();
    let sex = sex(row, "sex", c.get(f, "sex"), &mut errors);
    let value = number(row, "value", c.get(f, "value"), decimal_comma, &mut errors);
    if c.get(f, "value").is_empty() {
        errors.push(error(row, Some("value"), ImportErrorCode::BadValue, "the value is missing".into()));
    }
    let numerator = number(row, "numerator", c.get(f, "numerator"), decimal_comma, &mut errors);
    let denominator = number(row, "denominator", c.get(f, "denominator"), decimal_comma, &mut errors);
    match (sex, value, errors.is_empty()) {
        (Some(sex), Some(value), true) => Ok(ObservationInput {
            indicator_code: c.get(f, "indicator").to_owned(),
            area_code: c.get(f, "area").to_owned(),
            period: c.get(f, "period").to_owned(),
            sex,
            age_group: optional(c.get(f, "age_group")),
            ethnicity: optional(c.get(f, "ethnicity")),
            value,
            numerator,
            denominator,
            comment: optional(c.get(f, "comment")),
        }),
        _ => Err(errors),
    }
}

fn sdmx_row(row: usize, c: &Columns, f: &[&str], decimal_comma: bool) -> Result<ObservationInput, Vec<ImportError>> {
    let mut errors = Vec::new();
    let structure_id = c.get(f, "STRUCTURE_ID");
    if !c.get(f, "STRUCTURE").eq_ignore_ascii_case("dataflow")
        || ![SDMX_STRUCTURE_ID, SDMX_STRUCTURE_ID_1_1].contains(&structure_id)
    {
        let message = format!(
            "STRUCTURE must be `dataflow` and STRUCTURE_ID `{SDMX_STRUCTURE_ID}` (or `{SDMX_STRUCTURE_ID_1_1}`), not `{structure_id}`"
        );
        errors.push(error(row, Some("STRUCTURE_ID"), ImportErrorCode::BadValue, message));
    }
    match c.get(f, "ACTION") {
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
    let sex = sex(row, "SEX", c.get(f, "SEX"), &mut errors);
    let value = number(row, "OBS_VALUE", c.get(f, "OBS_VALUE"), decimal_comma, &mut errors);
    if c.get(f, "OBS_VALUE").is_empty() {
        let message = if c.get(f, "CONF_STATUS") == "C" {
            "the value is confidential (CONF_STATUS C) and was not exported: leave the row out"
        } else {
            "the value is missing"
        };
        errors.push(error(row, Some("OBS_VALUE"), ImportErrorCode::BadValue, message.into()));
    }
    let numerator = number(row, "NUMERATOR", c.get(f, "NUMERATOR"), decimal_comma, &mut errors);
    let denominator = number(row, "DENOMINATOR", c.get(f, "DENOMINATOR"), decimal_comma, &mut errors);
    match (sex, value, errors.is_empty()) {
        (Some(sex), Some(value), true) => Ok(ObservationInput {
            indicator_code: c.get(f, "INDICATOR").to_owned(),
            area_code: c.get(f, "REF_AREA").to_owned(),
            period: c.get(f, "TIME_PERIOD").to_owned(),
            sex,
            age_group: optional(c.get(f, "AGE")),
            ethnicity: optional(c.get(f, "ETHNICITY")),
            value,
            numerator,
            denominator,
            comment: optional(c.get(f, "COMMENT_OBS")),
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
    // The codes are the served dataflow's, mapped once (`domain::sdmx`).
    let v = super::sdmx::SdmxObservation::of(o, withheld);
    let figure = |f: Option<f64>| f.map(|v| v.to_string()).unwrap_or_default();
    let conf_status = v.conf_status();
    let [indicator, area, sex, age, ethnicity] = v.series;
    [
        "dataflow".into(),
        SDMX_STRUCTURE_ID.into(),
        "I".into(),
        indicator,
        area,
        v.period,
        sex,
        age,
        ethnicity,
        figure(v.value),
        v.obs_status.into(),
        v.comment.unwrap_or_default(),
        conf_status.into(),
        figure(v.numerator),
        figure(v.denominator),
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
        let feed = parse(text.as_bytes(), 10, Delimiter::Detect).expect("parse");
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
        let feed = parse(text.as_bytes(), 10, Delimiter::Detect).expect("parse");
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
        let feed = parse(text.as_bytes(), 10, Delimiter::Detect).expect("parse");
        // Rows of either structure are read; the columns are found by name.
        assert_eq!(feed.rows.len(), 2);
        assert_eq!((feed.rows[0].numerator, feed.rows[0].denominator), (Some(3.0), Some(4.0)));
        assert_eq!(codes(&feed), [(2, "BAD_VALUE")]);
        assert!(feed.errors[0].message.contains("confidential"), "{:?}", feed.errors[0]);
    }

    #[test]
    fn bad_cells_and_short_lines_are_errors_of_their_rows() {
        let text = "indicator,area,period,sex,age_group,ethnicity,value,numerator,denominator,comment\n\
                    SRB,216,2024,X,,,1,,,\n\
                    SRB,216,2024,T,,,,,,\n\
                    SRB,216,2024\n\
                    SRB,216,2024,F,,,1e999,,,\n";
        let feed = parse(text.as_bytes(), 10, Delimiter::Detect).expect("parse");
        assert_eq!(codes(&feed), [(1, "BAD_SEX"), (2, "BAD_VALUE"), (3, "BAD_VALUE"), (4, "BAD_VALUE")]);
        assert_eq!(feed.total_rows, 4);
    }

    #[test]
    fn an_unknown_header_or_an_empty_file_is_refused_whole() {
        let Err(FeedError::Header(message)) =
            parse("indicator,Area,perod,sex\n1,2,3\n".as_bytes(), 10, Delimiter::Detect)
        else {
            panic!("a bad header is refused");
        };
        assert!(
            message.starts_with("unknown column 3 `perod`; missing column `period`; missing column `value`:"),
            "{message}"
        );
        assert!(message.contains("indicator, area, period, sex, value"), "{message}");
        assert!(matches!(parse("".as_bytes(), 10, Delimiter::Detect), Err(FeedError::Empty)));
        let twice = parse("indicator,area,period,sex,value,SEX\n".as_bytes(), 10, Delimiter::Detect);
        assert!(matches!(twice, Err(FeedError::Header(m)) if m.starts_with("column 6 `SEX` is there twice")));
    }

    #[test]
    fn a_file_saved_by_excel_in_a_vietnamese_locale_reads_with_semicolons_and_decimal_commas() {
        let text = "\u{feff}Indicator;AREA;Period;Sex;Value;Comment\n\
                    SEX_RATIO_AT_BIRTH;216;2024;Tổng;112,4;\"ghi chú; có dấu chấm phẩy\"\n\
                    SEX_RATIO_AT_BIRTH;216;2023;Nữ;1.234,5;\n\
                    SEX_RATIO_AT_BIRTH;216;2022;nam;110;\n";
        let feed = parse(text.as_bytes(), 10, Delimiter::Detect).expect("parse");
        assert!(feed.errors.is_empty(), "{:?}", feed.errors);
        let read: Vec<(Sex, f64)> = feed.rows.iter().map(|r| (r.sex, r.value)).collect();
        assert_eq!(read, [(Sex::Total, 112.4), (Sex::Female, 1234.5), (Sex::Male, 110.0)]);
        assert_eq!(feed.rows[0].comment.as_deref(), Some("ghi chú; có dấu chấm phẩy"));
        assert_eq!(feed.rows[0].age_group, None, "optional columns may be left out");
    }

    #[test]
    fn a_decimal_comma_between_commas_is_an_error_with_a_hint() {
        let text = "indicator,area,period,sex,value\nSRB,216,2024,T,\"112,4\"\n";
        let feed = parse(text.as_bytes(), 10, Delimiter::Detect).expect("parse");
        assert_eq!(codes(&feed), [(1, "BAD_VALUE")]);
        assert!(feed.errors[0].message.contains("separated by `;`"), "{:?}", feed.errors[0]);
        // Named by the caller, the delimiter is not guessed.
        let text = "indicator;area;period;sex;value\nSRB;216;2024;T;112,4\n";
        let feed = parse(text.as_bytes(), 10, Delimiter::Comma);
        assert!(matches!(feed, Err(FeedError::Header(_))));
        let feed = parse(text.as_bytes(), 10, Delimiter::Semicolon).expect("parse");
        assert_eq!(feed.rows[0].value, 112.4);
    }

    #[test]
    fn utf16_and_other_encodings_are_refused_with_what_to_do() {
        let utf16: Vec<u8> =
            [0xFF, 0xFE].into_iter().chain("indicator,area".encode_utf16().flat_map(u16::to_le_bytes)).collect();
        let refused = parse(utf16.as_slice(), 10, Delimiter::Detect).expect_err("utf-16");
        assert!(refused.to_string().contains("CSV UTF-8"), "{refused}");
        let no_bom: Vec<u8> = "indicator,area".encode_utf16().flat_map(u16::to_le_bytes).collect();
        assert!(matches!(parse(no_bom.as_slice(), 10, Delimiter::Detect), Err(FeedError::Utf16)));
        // Windows-1258 (what Excel's plain "CSV" writes in Vietnamese): not UTF-8.
        let cp1258 = b"indicator,area,period,sex,value,comment\nSRB,216,2024,T,1,N\xf5\n";
        assert!(matches!(parse(&cp1258[..], 10, Delimiter::Detect), Err(FeedError::NotUtf8)));
    }

    #[test]
    fn every_word_for_a_sex_is_read_and_a_wrong_one_lists_them() {
        for (word, sex) in [
            ("F", Sex::Female),
            ("female", Sex::Female),
            ("Nữ", Sex::Female),
            ("Nu\u{31b}\u{303}", Sex::Female),
            ("MALE", Sex::Male),
            ("Nam", Sex::Male),
            ("_T", Sex::Total),
            ("TOTAL", Sex::Total),
            ("Tổng", Sex::Total),
        ] {
            assert_eq!(Sex::read(word), Some(sex), "{word}");
        }
        let feed = parse("indicator,area,period,sex,value\nSRB,216,2024,X,1\n".as_bytes(), 10, Delimiter::Detect)
            .expect("parse");
        assert!(feed.errors[0].message.contains("Nữ, Nam, Tổng"), "{:?}", feed.errors[0]);
    }

    #[test]
    fn rows_past_the_limit_are_counted_not_read() {
        let mut text =
            String::from("indicator,area,period,sex,age_group,ethnicity,value,numerator,denominator,comment\n");
        for _ in 0..5 {
            text.push_str("SRB,216,2024,T,,,1,,,\n");
        }
        let feed = parse(text.as_bytes(), 2, Delimiter::Detect).expect("parse");
        assert_eq!((feed.total_rows, feed.rows.len()), (5, 2));
    }
}
