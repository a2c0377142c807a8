//! What the record commands share for output: tables aligned for Chinese
//! text (wide characters take two columns), dates, and the clock.

use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context as _, bail};
use unicode_width::UnicodeWidthStr;

const DAY_MS: i64 = 86_400_000;

/// Columns `s` takes in a terminal (East Asian wide and full-width
/// characters take two, combining marks none), by Unicode's rules.
pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// `s` without control characters: for text another device wrote (an
/// author's name, say), which must not drive this terminal.
pub fn printable(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).collect()
}

/// Who made a change, for people: the author it carries (the person id
/// its device signs with), then the device: this one, or the first
/// `actor_chars` of another's actor id. The author is text another device
/// wrote, so it is shown without control characters.
pub fn who_wrote(
    author: Option<&str>,
    this_device: bool,
    actor: &str,
    actor_chars: usize,
) -> String {
    let device = if this_device {
        "this device".to_owned()
    } else {
        format!("device {}", &actor[..actor.len().min(actor_chars)])
    };
    match author.map(printable) {
        Some(person) if !person.is_empty() => format!("{person} ({device})"),
        _ => device,
    }
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

/// `YYYY-MM-DD` (a UTC day) → its first ms.
pub fn parse_date(text: &str) -> anyhow::Result<i64> {
    let parts: Vec<&str> = text.trim().split('-').collect();
    let bad = || format!("{text:?} is not a date like 2025-06-30");
    if parts.len() != 3 {
        bail!(bad());
    }
    let y: i64 = parts[0].parse().with_context(bad)?;
    let m: i64 = parts[1].parse().with_context(bad)?;
    let d: i64 = parts[2].parse().with_context(bad)?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || !(1900..=9999).contains(&y) {
        bail!(bad());
    }
    Ok(days_from_civil(y, m, d) * DAY_MS)
}

/// The UTC day of `ms` as `YYYY-MM-DD`.
pub fn format_date(ms: i64) -> String {
    let (y, m, d) = civil_from_days(ms.div_euclid(DAY_MS));
    format!("{y:04}-{m:02}-{d:02}")
}

/// The UTC time of `ms` as `YYYY-MM-DD HH:MM`.
pub fn format_time(ms: i64) -> String {
    let secs = ms.div_euclid(1000).rem_euclid(86_400);
    format!(
        "{} {:02}:{:02}",
        format_date(ms),
        secs / 3600,
        (secs % 3600) / 60
    )
}

/// One day in ms.
pub const fn days(n: i64) -> i64 {
    n * DAY_MS
}

// Howard Hinnant's algorithms, proleptic Gregorian.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
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

    #[test]
    fn text_from_other_devices_cannot_drive_the_terminal() {
        assert_eq!(printable("王\u{1b}[2J芳\r\n"), "王[2J芳");
    }

    #[test]
    fn dates_round_trip() {
        let ms = parse_date("2025-06-30").unwrap();
        assert_eq!(format_date(ms), "2025-06-30");
        assert_eq!(format_date(ms + days(1) - 1), "2025-06-30");
        assert_eq!(parse_date("1970-01-01").unwrap(), 0);
        assert!(parse_date("30/06/2025").is_err());
    }
}
