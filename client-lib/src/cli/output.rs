//! What the record commands share for output: tables aligned for Chinese
//! text (wide characters take two columns), and the clock. Dates and who
//! wrote a change are record logic (`linli_records::dates`, `::author`),
//! re-exported here for the commands.

use std::time::{SystemTime, UNIX_EPOCH};

use unicode_width::UnicodeWidthStr;

pub use linli_records::author::{printable, who_wrote};
pub use linli_records::dates::{days, format_date, format_time, parse_date};

/// Columns `s` takes in a terminal (East Asian wide and full-width
/// characters take two, combining marks none), by Unicode's rules.
pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// `s` padded with spaces to `cols` terminal columns.
pub fn pad(s: &str, cols: usize) -> String {
    let mut out = s.to_owned();
    out.extend(std::iter::repeat_n(' ', cols.saturating_sub(width(s))));
    out
}

/// Prints `rows` under `headers`, each column as wide as its widest cell.
/// Cells hold text other devices wrote: control characters are dropped.
pub fn print_table(headers: &[&str], rows: &[Vec<String>]) {
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|row| row.iter().map(|cell| printable(cell)).collect())
        .collect();
    let mut widths: Vec<usize> = headers.iter().map(|h| width(h)).collect();
    for row in &rows {
        for (i, cell) in row.iter().enumerate() {
            if i < widths.len() {
                widths[i] = widths[i].max(width(cell));
            }
        }
    }
    let line = |cells: Vec<&str>| {
        let last = cells.len().saturating_sub(1);
        let text: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(i, c)| {
                if i == last {
                    (*c).to_owned()
                } else {
                    pad(c, widths[i])
                }
            })
            .collect();
        println!("{}", text.join("  ").trim_end());
    };
    line(headers.to_vec());
    for row in &rows {
        line(row.iter().map(String::as_str).collect());
    }
}

/// Now, in ms since the epoch.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Prints `value` as one line of JSON.
pub fn print_json(value: &impl serde::Serialize) -> anyhow::Result<()> {
    let mut text = serde_json::to_string(value)?;
    text.push('\n');
    print_text(&text)
}

/// Writes `text` to stdout; a reader that went away (`| head`) is not an
/// error.
pub fn print_text(text: &str) -> anyhow::Result<()> {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_text_is_two_columns_a_character() {
        assert_eq!(width("东湖1区"), 7);
        assert_eq!(width("２单元"), 6);
        assert_eq!(width("e\u{301}"), 1);
        assert_eq!(pad("牟杰", 6), "牟杰  ");
    }
}
