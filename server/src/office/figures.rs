//! `GET /api/office/figures`: the figures of `linli stats` for the whole
//! street, each community, team and volunteer, and the street's month by
//! month, all from [`linli_records::figures::figures`].

use std::collections::BTreeMap;

use linli_records::dates::{format_date, parse_date};
use linli_records::figures::{Figures, Period, ResponseTargets, Scope, figures};
use linli_records::ids::VolunteerId;
use serde::Serialize;

use super::{OfficeError, Street};

/// The period asked for: whole UTC days, both ends included, as the CLI's
/// `--from`/`--to`. Without `to`, today; without `from`, the first day of
/// the month eleven months before `to`'s (a year of months).
pub fn period(from: Option<&str>, to: Option<&str>, now: i64) -> Result<Period, OfficeError> {
    let day = |text: &str| parse_date(text).map_err(|e| OfficeError::BadRequest(e.to_string()));
    let last_day = match to {
        Some(t) => day(t)?,
        None => day(&format_date(now))?,
    };
    let from = match from {
        Some(f) => day(f)?,
        None => {
            let (y, m) = year_month(last_day);
            let (y, m) = add_months(y, m, -11);
            month_start(y, m)?
        }
    };
    let to = last_day + linli_records::dates::DAY_MS;
    if to <= from {
        return Err(OfficeError::BadRequest("`to` is before `from`".into()));
    }
    Ok(Period { from, to })
}

fn year_month(ms: i64) -> (i64, i64) {
    let d = format_date(ms);
    let y = d.get(..4).and_then(|s| s.parse().ok()).unwrap_or(1970);
    let m = d.get(5..7).and_then(|s| s.parse().ok()).unwrap_or(1);
    (y, m)
}

fn add_months(y: i64, m: i64, n: i64) -> (i64, i64) {
    let total = y * 12 + (m - 1) + n;
    (total.div_euclid(12), total.rem_euclid(12) + 1)
}

fn month_start(y: i64, m: i64) -> Result<i64, OfficeError> {
    parse_date(&format!("{y:04}-{m:02}-01")).map_err(|e| OfficeError::BadRequest(e.to_string()))
}

/// One row of a figures table.
#[derive(Debug, Serialize)]
pub struct Row {
    pub id: String,
    pub name: String,
    pub figures: Figures,
}

/// One month of the trend.
#[derive(Debug, Serialize)]
pub struct Month {
    /// `YYYY-MM`.
    pub month: String,
    pub figures: Figures,
}

/// The whole answer.
#[derive(Debug, Serialize)]
pub struct FiguresPage {
    /// First day, `YYYY-MM-DD`.
    pub from: String,
    /// Last day, `YYYY-MM-DD` (included).
    pub to: String,
    pub street: Figures,
    pub communities: Vec<Row>,
    pub teams: Vec<Row>,
    pub volunteers: Vec<Row>,
    /// The street's figures for each calendar month the period touches,
    /// each month cut to the period.
    pub months: Vec<Month>,
}

pub fn page(street: &Street, period: Period) -> Result<FiguresPage, OfficeError> {
    let boards = street.board_values();
    let teams = street.team_values();
    let targets = ResponseTargets::from_directory(&street.directory);
    let of = |scope: Scope, p: Period| figures(&boards, &teams, &scope, p, &targets);

    let communities = street
        .directory
        .communities
        .iter()
        .filter(|(id, _)| boards.iter().any(|b| b.board.community == **id))
        .map(|(id, c)| Row {
            id: id.to_string(),
            name: c.name.clone(),
            figures: of(Scope::Community(id.clone()), period),
        })
        .collect();
    let team_rows = teams
        .iter()
        .map(|t| Row {
            id: t.team.id.to_string(),
            name: t.team.name.clone(),
            figures: of(Scope::Team(t.team.id.clone()), period),
        })
        .collect();
    // Every volunteer on a readable roster, and anyone holding a task.
    let mut volunteers: BTreeMap<VolunteerId, String> = teams
        .iter()
        .flat_map(|t| t.volunteers.iter())
        .map(|(id, v)| (id.clone(), v.name.clone()))
        .collect();
    for b in &boards {
        for t in b.tasks.values() {
            if let Some(a) = t.state().assignee {
                volunteers.entry(a.clone()).or_insert_with(|| a.to_string());
            }
        }
    }
    let volunteer_rows = volunteers
        .into_iter()
        .map(|(id, name)| Row {
            figures: of(Scope::Volunteer(id.clone()), period),
            id: id.to_string(),
            name,
        })
        .collect();

    let mut months = Vec::new();
    let (mut y, mut m) = year_month(period.from);
    loop {
        let start = month_start(y, m)?;
        if start >= period.to {
            break;
        }
        let (ny, nm) = add_months(y, m, 1);
        let end = month_start(ny, nm)?;
        let cut = Period {
            from: start.max(period.from),
            to: end.min(period.to),
        };
        months.push(Month {
            month: format!("{y:04}-{m:02}"),
            figures: of(Scope::Street, cut),
        });
        (y, m) = (ny, nm);
    }

    Ok(FiguresPage {
        from: format_date(period.from),
        to: format_date(period.to - 1),
        street: of(Scope::Street, period),
        communities,
        teams: team_rows,
        volunteers: volunteer_rows,
        months,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_period_is_a_year_of_whole_months_to_today() {
        let now = parse_date("2026-11-29").unwrap() + 5_000;
        let p = period(None, None, now).unwrap();
        assert_eq!(format_date(p.from), "2025-12-01");
        assert_eq!(format_date(p.to - 1), "2026-11-29");
        let p = period(Some("2026-01-15"), Some("2026-03-01"), now).unwrap();
        assert_eq!(format_date(p.from), "2026-01-15");
        assert_eq!(p.to, parse_date("2026-03-02").unwrap());
        assert!(period(Some("2026-03-02"), Some("2026-03-01"), now).is_err());
        assert!(period(Some("yesterday"), None, now).is_err());
        assert_eq!(add_months(2026, 1, -1), (2025, 12));
        assert_eq!(add_months(2025, 12, 1), (2026, 1));
    }
}
