//! `GET /api/office/export`: households (`residents.csv`), volunteers
//! (`volunteers.csv`) and tasks, as CSV or as an Excel workbook.
//!
//! The CSV is the records crate's export, byte for byte what `linli
//! export` writes and what import reads back, with a UTF-8 byte-order mark
//! in front: without it Excel and WPS open UTF-8 Chinese as mojibake (the
//! importer skips the mark). The workbook holds the same rows, every cell
//! as text, so ids like `0101` and phone numbers keep their leading zeros.

use linli_records::export_csv::{export_residents, export_tasks, export_volunteers};
use rust_xlsxwriter::{Format, Workbook};

use super::{OfficeError, Street};

/// What to export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum What {
    Households,
    Volunteers,
    Tasks,
}

impl What {
    /// The file name the download gets (without extension): the names the
    /// importer and the street generator use.
    pub fn file_stem(self) -> &'static str {
        match self {
            What::Households => "residents",
            What::Volunteers => "volunteers",
            What::Tasks => "tasks",
        }
    }
}

/// The file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum FileFormat {
    #[default]
    Csv,
    Xlsx,
}

/// The UTF-8 byte-order mark.
const BOM: &str = "\u{feff}";

/// The export's CSV text, without the mark.
fn csv_text(street: &Street, what: What) -> Result<String, OfficeError> {
    let e = |e: linli_records::export_csv::ExportError| OfficeError::Export(e.to_string());
    match what {
        What::Households => export_residents(street.buildings.iter().map(|(_, b)| &**b)).map_err(e),
        What::Volunteers => export_volunteers(street.teams.iter().map(|t| &**t)).map_err(e),
        What::Tasks => export_tasks(street.boards.iter().map(|b| &**b)).map_err(e),
    }
}

/// The file's bytes.
pub fn export(street: &Street, what: What, format: FileFormat) -> Result<Vec<u8>, OfficeError> {
    let csv = csv_text(street, what)?;
    match format {
        FileFormat::Csv => Ok(format!("{BOM}{csv}").into_bytes()),
        FileFormat::Xlsx => workbook(&csv, what.file_stem()),
    }
}

/// `csv` as a one-sheet workbook: a bold, frozen header row and every cell
/// as text.
fn workbook(csv: &str, sheet: &str) -> Result<Vec<u8>, OfficeError> {
    let x = |e: rust_xlsxwriter::XlsxError| OfficeError::Export(e.to_string());
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name(sheet).map_err(x)?;
    let bold = Format::new().set_bold();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(csv.as_bytes());
    let mut widths: Vec<usize> = Vec::new();
    for (r, record) in reader.records().enumerate() {
        let record = record.map_err(|e| OfficeError::Export(e.to_string()))?;
        let row = u32::try_from(r).map_err(|e| OfficeError::Export(e.to_string()))?;
        for (c, cell) in record.iter().enumerate() {
            let col = u16::try_from(c).map_err(|e| OfficeError::Export(e.to_string()))?;
            if row == 0 {
                ws.write_string_with_format(row, col, cell, &bold)
                    .map_err(x)?;
            } else {
                ws.write_string(row, col, cell).map_err(x)?;
            }
            // A CJK character is about two Latin ones wide.
            let w: usize = cell
                .chars()
                .map(|ch| if ch.is_ascii() { 1 } else { 2 })
                .sum();
            if widths.len() <= c {
                widths.resize(c + 1, 0);
            }
            widths[c] = widths[c].max(w);
        }
    }
    for (c, w) in widths.iter().enumerate() {
        let col = u16::try_from(c).map_err(|e| OfficeError::Export(e.to_string()))?;
        ws.set_column_width(col, (*w).clamp(6, 40) as f64 + 1.0)
            .map_err(x)?;
    }
    ws.set_freeze_panes(1, 0).map_err(x)?;
    book.save_to_buffer().map_err(x)
}
