//! Excel workbooks the hub writes (the export, reporting templates): one sheet, its header
//! row bold and frozen, codes as text (so a commune's 07246 keeps its zero and a period
//! stays 2024, not 2,024) and figures as numbers, and a drop-down list where a column
//! takes a few words. Read back by `feeds::parse_xlsx` with the same header.

use rust_xlsxwriter::{DataValidation, Format, Workbook, XlsxError};

/// One cell of a row.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Number(f64),
    Empty,
}

/// What one sheet holds.
pub struct Sheet<'a> {
    pub name: &'a str,
    pub header: &'a [&'a str],
    pub rows: Vec<Vec<Cell>>,
    /// (column, the words it takes), offered as a list on every row below the header.
    pub lists: Vec<(usize, &'a [&'a str])>,
}

/// The workbook's bytes.
pub fn write(sheet: &Sheet) -> Result<Vec<u8>, String> {
    build(sheet).map_err(|e| format!("cannot write the workbook: {e}"))
}

fn build(sheet: &Sheet) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let worksheet = workbook.add_worksheet();
    worksheet.set_name(sheet.name)?;
    let bold = Format::new().set_bold();
    let text = Format::new().set_num_format("@");
    for (c, name) in sheet.header.iter().enumerate() {
        let c = column(c)?;
        worksheet.write_string_with_format(0, c, *name, &bold)?;
        worksheet.set_column_width(c, (name.len() as f64 + 4.0).max(12.0))?;
    }
    worksheet.set_freeze_panes(1, 0)?;
    for (r, cells) in sheet.rows.iter().enumerate() {
        let r = u32::try_from(r + 1).map_err(|_| XlsxError::RowColumnLimitError)?;
        for (c, cell) in cells.iter().enumerate() {
            let c = column(c)?;
            match cell {
                Cell::Text(s) => {
                    worksheet.write_string_with_format(r, c, s, &text)?;
                }
                Cell::Number(n) => {
                    worksheet.write_number(r, c, *n)?;
                }
                Cell::Empty => {}
            }
        }
    }
    let last = u32::try_from(sheet.rows.len().max(1)).map_err(|_| XlsxError::RowColumnLimitError)?;
    for (c, words) in &sheet.lists {
        let c = column(*c)?;
        let list = DataValidation::new().allow_list_strings(words)?;
        worksheet.add_data_validation(1, c, last, c, &list)?;
    }
    workbook.save_to_buffer()
}

fn column(c: usize) -> Result<u16, XlsxError> {
    u16::try_from(c).map_err(|_| XlsxError::RowColumnLimitError)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::feeds::parse_xlsx;

    #[test]
    fn a_written_sheet_reads_back_as_a_feed() {
        let sheet = Sheet {
            name: "values",
            header: &["indicator", "indicator_name", "area", "period", "sex", "value", "comment"],
            rows: vec![
                vec![
                    Cell::Text("SEX_RATIO_AT_BIRTH".into()),
                    Cell::Text("Tỷ số giới tính khi sinh".into()),
                    Cell::Text("07246".into()),
                    Cell::Text("2024".into()),
                    Cell::Text("T".into()),
                    Cell::Number(112.4),
                    Cell::Empty,
                ],
                // not filled in yet: left out
                vec![Cell::Text("SEX_RATIO_AT_BIRTH".into()), Cell::Empty, Cell::Text("07246".into())],
                vec![
                    Cell::Text("EM_PRIMARY_COMPLETION_PCT".into()),
                    Cell::Empty,
                    Cell::Text("07246".into()),
                    Cell::Text("2024".into()),
                    Cell::Text("X".into()),
                    Cell::Number(96.0),
                    Cell::Text("ghi chú".into()),
                ],
            ],
            lists: vec![(4, &["F", "M", "T"])],
        };
        let bytes = write(&sheet).expect("write");
        let feed = parse_xlsx(&bytes, 10).expect("read");
        assert_eq!(feed.total_rows, 2);
        assert_eq!(feed.rows.len(), 1);
        assert_eq!((feed.rows[0].area_code.as_str(), feed.rows[0].value), ("07246", 112.4));
        assert_eq!(feed.row_numbers, [2], "rows as Excel numbers them");
        assert_eq!(feed.errors.len(), 1);
        assert_eq!((feed.errors[0].row, feed.errors[0].code.as_str()), (4, "BAD_SEX"));
    }

    #[test]
    fn what_is_not_a_workbook_is_refused() {
        assert!(parse_xlsx(b"indicator,area\n", 10).is_err());
    }
}
