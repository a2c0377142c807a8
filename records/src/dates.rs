//! Calendar days and times in UTC, on ms since the epoch (the unit every
//! record timestamp uses). Pure arithmetic with no clock and no time zone
//! database, so a WebAssembly build shows the same dates as the CLI; the
//! caller passes "now" in.

/// One day in ms.
pub const DAY_MS: i64 = 86_400_000;

/// `n` days in ms.
pub const fn days(n: i64) -> i64 {
    n * DAY_MS
}

/// Text that is not a `YYYY-MM-DD` date.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{text:?} is not a date like 2025-06-30")]
pub struct DateError {
    /// The text given.
    pub text: String,
}

/// `YYYY-MM-DD` (a UTC day, years 1900 to 9999) → its first ms.
pub fn parse_date(text: &str) -> Result<i64, DateError> {
    let bad = || DateError {
        text: text.to_owned(),
    };
    let parts: Vec<&str> = text.trim().split('-').collect();
    let [y, m, d] = parts.as_slice() else {
        return Err(bad());
    };
    let number = |s: &str| s.parse::<i64>().map_err(|_| bad());
    let (y, m, d) = (number(y)?, number(m)?, number(d)?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || !(1900..=9999).contains(&y) {
        return Err(bad());
    }
    Ok(days_from_civil(y, m, d) * DAY_MS)
}

/// The UTC day of `ms` as `YYYY-MM-DD`.
pub fn format_date(ms: i64) -> String {
    let (y, m, d) = civil_from_days(ms.div_euclid(DAY_MS));
    format!("{y:04}-{m:02}-{d:02}")
}

/// The UTC time of `ms` to the minute, `YYYY-MM-DD HH:MM`: for tables.
pub fn format_time(ms: i64) -> String {
    let secs = ms.div_euclid(1000).rem_euclid(86_400);
    format!(
        "{} {:02}:{:02}",
        format_date(ms),
        secs / 3600,
        (secs % 3600) / 60
    )
}

/// The UTC time of `ms` to the second and marked UTC,
/// `YYYY-MM-DD HH:MM:SSZ`: for a document's history, where changes
/// seconds apart must read apart. Times before 1970 (a device with a
/// broken clock) show as the epoch.
pub fn format_timestamp(ms: i64) -> String {
    let ms = ms.max(0);
    let secs = ms.div_euclid(1000).rem_euclid(86_400);
    format!(
        "{} {:02}:{:02}:{:02}Z",
        format_date(ms),
        secs / 3600,
        (secs % 3600) / 60,
        secs % 60
    )
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
    let y = yoe + era * 400;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip() {
        let ms = parse_date("2025-06-30").unwrap();
        assert_eq!(format_date(ms), "2025-06-30");
        assert_eq!(format_date(ms + days(1) - 1), "2025-06-30");
        assert_eq!(parse_date("1970-01-01").unwrap(), 0);
        assert!(parse_date("30/06/2025").is_err());
    }

    #[test]
    fn times_print_as_utc() {
        assert_eq!(format_timestamp(0), "1970-01-01 00:00:00Z");
        assert_eq!(format_timestamp(1_795_000_000_000), "2026-11-18 11:06:40Z");
    }

    #[test]
    fn table_times_show_the_minute() {
        assert_eq!(format_time(1_795_000_000_000), "2026-11-18 11:06");
        assert_eq!(format_time(-1), "1969-12-31 23:59");
    }
}
