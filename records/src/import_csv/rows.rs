//! What both CSV imports share: columns, limits, row problems, field parsing.

use std::collections::{BTreeSet, HashMap};

use csv::StringRecord;
use serde::Serialize;

/// Columns of `residents.csv`, in the spreadsheet's order.
pub(crate) const RESIDENT_COLUMNS: [&str; 14] = [
    "community",
    "compound",
    "building",
    "unit",
    "floor",
    "room",
    "household_id",
    "name",
    "gender",
    "birth_year",
    "phone",
    "relation",
    "tags",
    "notes",
];

/// Columns of `volunteers.csv`, in the spreadsheet's order.
pub(crate) const VOLUNTEER_COLUMNS: [&str; 7] = [
    "volunteer_id",
    "team",
    "name",
    "phone",
    "affiliation",
    "skills",
    "available",
];

/// Plausible birth years; the caller passes the current year (this crate
/// reads no clock).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ImportLimits {
    /// Earliest accepted birth year.
    pub min_birth_year: i32,
    /// Latest accepted birth year.
    pub max_birth_year: i32,
}

impl ImportLimits {
    /// Birth years from 1900 up to `current_year`.
    pub fn up_to(current_year: i32) -> Self {
        ImportLimits {
            min_birth_year: 1900,
            max_birth_year: current_year,
        }
    }
}

/// Why a row was rejected; the message says what to fix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "problem", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum RowProblem {
    /// A required value is empty.
    #[error("{column} is empty")]
    Missing {
        /// The column.
        column: &'static str,
    },
    /// `birth_year` is not a number.
    #[error("birth_year {value:?} is not a year")]
    BadBirthYear {
        /// The text found.
        value: String,
    },
    /// `birth_year` is outside the limits.
    #[error("birth_year {year} is outside {min}–{max}")]
    BirthYearOutOfRange {
        /// The year found.
        year: i32,
        /// Earliest accepted.
        min: i32,
        /// Latest accepted.
        max: i32,
    },
    /// `phone` is not a phone number.
    #[error(
        "phone {value:?} is not a phone number: 7 to 15 digits, optionally with -, spaces, parentheses or a leading +"
    )]
    BadPhone {
        /// The text found.
        value: String,
    },
    /// `gender` is not M or F.
    #[error("gender {value:?} is not M, F, 男 or 女 (or empty)")]
    BadGender {
        /// The text found.
        value: String,
    },
    /// `relation` is not a known relation.
    #[error("relation {value:?} is not one of head, spouse, child, parent, grandchild, other")]
    BadRelation {
        /// The text found.
        value: String,
    },
    /// `floor` is not a whole number.
    #[error("floor {value:?} is not a whole number (or empty)")]
    BadFloor {
        /// The text found.
        value: String,
    },
    /// `affiliation` is not a known affiliation.
    #[error(
        "affiliation {value:?} is not one of resident, in-service-party-member, company, school, retired-cadre, student"
    )]
    BadAffiliation {
        /// The text found.
        value: String,
    },
    /// `available` is not a known availability.
    #[error("available {value:?} is not one of weekends, evenings, weekdays, any, on-call")]
    BadAvailability {
        /// The text found.
        value: String,
    },
    /// An id column holds text that is not a usable id.
    #[error("{column} {value:?} is not a usable id: {reason}")]
    BadId {
        /// The column.
        column: &'static str,
        /// The text found.
        value: String,
        /// Why.
        reason: &'static str,
    },
    /// Rows of one household disagree on its address.
    #[error("household {household}: {field} is {value:?} here but {other:?} on line {line}")]
    Disagrees {
        /// The household.
        household: String,
        /// The column that differs.
        field: &'static str,
        /// This row's value.
        value: String,
        /// The first row's value.
        other: String,
        /// The first row's line.
        line: u64,
    },
    /// Two rows of a household describe the same person.
    #[error(
        "household {household}: {name} born {birth_year}, with the same gender, relation and phone, is already on line {line}"
    )]
    DuplicateMember {
        /// The household.
        household: String,
        /// The name.
        name: String,
        /// The birth year.
        birth_year: i32,
        /// The first row's line.
        line: u64,
    },
    /// Another row of the household was rejected, so this one is not written.
    #[error("household {household} is not imported because line {line} is rejected")]
    HouseholdRejected {
        /// The household.
        household: String,
        /// The first rejected line of the household.
        line: u64,
    },
    /// Two rows share a volunteer id.
    #[error("volunteer id {id} is also used on line {line}")]
    DuplicateVolunteer {
        /// The id.
        id: String,
        /// The other row's line.
        line: u64,
    },
    /// The row cannot be read as CSV (wrong number of fields, bad UTF-8).
    #[error("unreadable row: {reason}")]
    Unreadable {
        /// What the CSV reader said.
        reason: String,
    },
}

/// A rejected row and every reason found for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RejectedRow {
    /// 1-based line in the file where the row starts (the header is line 1).
    pub line: u64,
    /// Everything wrong with it.
    pub problems: Vec<RowProblem>,
}

/// The file as a whole cannot be imported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ImportError {
    /// A required column is absent from the header.
    #[error("the CSV has no {column:?} column; its header must name: {expected}")]
    MissingColumn {
        /// The missing column.
        column: &'static str,
        /// All columns of the format, comma-separated.
        expected: String,
    },
    /// The header row cannot be read.
    #[error("the CSV header cannot be read: {reason}")]
    Header {
        /// What the CSV reader said.
        reason: String,
    },
}

/// A CSV reader over `bytes`, past a UTF-8 BOM if there is one.
pub(crate) fn reader(bytes: &[u8]) -> csv::Reader<&[u8]> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    csv::ReaderBuilder::new().flexible(true).from_reader(bytes)
}

/// Column positions found in a header.
#[derive(Debug)]
pub(crate) struct Columns {
    index: HashMap<&'static str, usize>,
    width: usize,
}

impl Columns {
    /// Maps the header (names trimmed, ASCII case ignored) onto `all`;
    /// fails on the first of `required` that is missing.
    pub(crate) fn new(
        reader: &mut csv::Reader<&[u8]>,
        all: &[&'static str],
        required: &[&'static str],
    ) -> Result<Self, ImportError> {
        let header = reader.headers().map_err(|e| ImportError::Header {
            reason: e.to_string(),
        })?;
        let mut index = HashMap::new();
        for (i, name) in header.iter().enumerate() {
            if let Some(col) = all.iter().find(|c| c.eq_ignore_ascii_case(name.trim())) {
                index.entry(*col).or_insert(i);
            }
        }
        if let Some(missing) = required.iter().find(|c| !index.contains_key(*c)) {
            return Err(ImportError::MissingColumn {
                column: missing,
                expected: all.join(","),
            });
        }
        Ok(Columns {
            index,
            width: header.len(),
        })
    }

    /// The trimmed value of `column` in `record`, `""` when absent.
    pub(crate) fn get<'r>(&self, record: &'r StringRecord, column: &str) -> &'r str {
        self.index
            .get(column)
            .and_then(|i| record.get(*i))
            .map_or("", str::trim)
    }

    /// A problem if `record` does not have as many fields as the header.
    pub(crate) fn check_width(&self, record: &StringRecord) -> Option<RowProblem> {
        (record.len() != self.width).then(|| RowProblem::Unreadable {
            reason: format!(
                "{} fields where the header has {} (an unquoted comma?)",
                record.len(),
                self.width
            ),
        })
    }
}

/// Line numbers of byte offsets, counted incrementally (offsets only grow).
#[derive(Default)]
struct LineCounter {
    offset: usize,
    line: u64,
}

impl LineCounter {
    /// The line a record starting at `offset` is on. csv reports the
    /// offset just after the previous record's first terminator byte, so
    /// the rest of that terminator (`\n` of a CRLF, blank lines) is skipped.
    fn line_at(&mut self, input: &[u8], offset: usize) -> u64 {
        // csv counts offsets after a UTF-8 byte order mark.
        let bom = if input.starts_with(b"\xEF\xBB\xBF") {
            3
        } else {
            0
        };
        let mut offset = (offset + bom).min(input.len());
        while input
            .get(offset)
            .is_some_and(|b| *b == b'\r' || *b == b'\n')
        {
            offset += 1;
        }
        if offset < self.offset {
            *self = Self::default();
        }
        self.line += input[self.offset..offset]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64;
        self.offset = offset;
        self.line + 1
    }
}

/// Reads every record of `input`, pairing each with its line or a reason it
/// is unreadable. Lines are counted from the record's byte offset, so CRLF
/// files (what spreadsheets write) number rows as an editor does.
pub(crate) fn records(
    reader: &mut csv::Reader<&[u8]>,
    input: &[u8],
) -> Vec<Result<(u64, StringRecord), RejectedRow>> {
    let mut out = Vec::new();
    let mut last_line = 1;
    let mut lines = LineCounter::default();
    let mut line_of = |p: &csv::Position| lines.line_at(input, p.byte() as usize);
    for result in reader.records() {
        match result {
            Ok(record) => {
                let line = record.position().map_or(last_line + 1, &mut line_of);
                last_line = line;
                if record.iter().all(|f| f.trim().is_empty()) {
                    continue; // blank line, as spreadsheets leave at the end
                }
                out.push(Ok((line, record)));
            }
            Err(e) => {
                let line = e.position().map_or(last_line + 1, &mut line_of);
                last_line = line;
                out.push(Err(RejectedRow {
                    line,
                    problems: vec![RowProblem::Unreadable {
                        reason: e.to_string(),
                    }],
                }));
            }
        }
    }
    out
}

/// A phone number: empty → `None`; otherwise kept as written when it has 7
/// to 15 digits and nothing but digits, `-`, spaces, parentheses and a
/// leading `+`.
pub(crate) fn phone(text: &str) -> Result<Option<String>, RowProblem> {
    if text.is_empty() {
        return Ok(None);
    }
    let digits = text.chars().filter(char::is_ascii_digit).count();
    let chars_ok = text.char_indices().all(|(i, c)| {
        c.is_ascii_digit() || matches!(c, '-' | ' ' | '(' | ')') || (c == '+' && i == 0)
    });
    if chars_ok && (7..=15).contains(&digits) {
        Ok(Some(text.to_owned()))
    } else {
        Err(RowProblem::BadPhone {
            value: text.to_owned(),
        })
    }
}

/// A `;`-separated set; empty pieces are dropped, pieces trimmed.
pub(crate) fn set(text: &str) -> BTreeSet<String> {
    text.split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A required value, or the `Missing` problem.
pub(crate) fn required<'a>(
    value: &'a str,
    column: &'static str,
    problems: &mut Vec<RowProblem>,
) -> Option<&'a str> {
    if value.is_empty() {
        problems.push(RowProblem::Missing { column });
        None
    } else {
        Some(value)
    }
}

/// Parses `value` or records `problem(value)`.
pub(crate) fn parsed<T>(
    value: &str,
    parse: impl Fn(&str) -> Option<T>,
    problem: impl Fn(String) -> RowProblem,
    problems: &mut Vec<RowProblem>,
) -> Option<T> {
    let out = parse(value);
    if out.is_none() {
        problems.push(problem(value.to_owned()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_as_street_spreadsheets_write_them_pass() {
        assert_eq!(
            phone("182-0804-5346").unwrap().as_deref(),
            Some("182-0804-5346")
        );
        assert_eq!(phone("").unwrap(), None);
        assert!(phone("+86 138 0013 8000").is_ok());
        assert!(phone("010-6512 3456").is_ok());
    }

    #[test]
    fn bad_phones_are_rejected() {
        for bad in [
            "12345",
            "138-0013-800x",
            "1+380013800",
            "1234567890123456",
            "电话",
        ] {
            assert!(phone(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn sets_drop_empty_pieces() {
        let s = set(" a ;;b;a; ");
        assert_eq!(s.into_iter().collect::<Vec<_>>(), ["a", "b"]);
    }

    #[test]
    fn header_names_match_loosely_and_bom_is_skipped() {
        let mut r = reader(b"\xEF\xBB\xBFVolunteer_ID, team ,name\nv1,t,n\n");
        let cols = Columns::new(&mut r, &VOLUNTEER_COLUMNS, &["team", "name"]).unwrap();
        let recs = records(&mut r, b"\xEF\xBB\xBFVolunteer_ID, team ,name\nv1,t,n\n");
        let (line, rec) = recs[0].as_ref().unwrap();
        assert_eq!(*line, 2);
        assert_eq!(cols.get(rec, "volunteer_id"), "v1");
        assert_eq!(cols.get(rec, "team"), "t");
        assert_eq!(cols.get(rec, "phone"), "");
    }

    #[test]
    fn crlf_rows_are_numbered_as_an_editor_shows_them() {
        let input = b"team,name\r\nt1,a\r\nt2,b\r\n";
        let mut r = reader(input);
        let _ = Columns::new(&mut r, &VOLUNTEER_COLUMNS, &["team", "name"]).unwrap();
        let lines: Vec<u64> = records(&mut r, input)
            .into_iter()
            .map(|rec| rec.unwrap().0)
            .collect();
        assert_eq!(lines, [2, 3]);
    }

    #[test]
    fn missing_required_column_names_it() {
        let mut r = reader(b"team,name\n");
        let err = Columns::new(&mut r, &VOLUNTEER_COLUMNS, &["team", "phone"]).unwrap_err();
        assert!(matches!(
            err,
            ImportError::MissingColumn {
                column: "phone",
                ..
            }
        ));
    }
}
