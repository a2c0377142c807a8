//! A synthetic but realistic roster for one street (街道), deterministic
//! for a seed, so tests and benchmarks can rely on exact counts and the
//! same bytes on every machine.
//!
//! It writes what a street office's grid workers keep in spreadsheets and
//! what `linli import` reads: `residents.csv` (one row per resident,
//! grouped into households, buildings and communities) and
//! `volunteers.csv` (one row per volunteer, grouped into teams). UTF-8, a
//! header row, CRLF line ends, fields quoted only when needed. Every name,
//! phone number and address is invented.
//!
//! The crate has no dependencies and does no I/O: [`generate`] returns the
//! two files as strings, and the caller writes them where it likes
//! (`linli-bench gen --preset street --out DIR` writes them to a folder).
//!
//! ```
//! use linli_gen::{Preset, generate, DEFAULT_SEED};
//!
//! let street = generate(Preset::Building.shape(), DEFAULT_SEED);
//! assert_eq!(street.households, 60);
//! assert!(street.residents_csv.starts_with("community,compound,building,"));
//! assert_eq!(street.volunteers_csv.lines().count(), 1 + 20);
//! // The same seed gives the same bytes.
//! assert_eq!(street, generate(Preset::Building.shape(), DEFAULT_SEED));
//! ```
//!
//! Presets: [`Preset::Building`] (1 building, 60 households),
//! [`Preset::Community`] (30 buildings, 1,800 households) and
//! [`Preset::Street`] (7 communities × 30 buildings, 12,600 households,
//! about 36,000 residents, 600 volunteers).

mod csv_row;
mod names;
mod preset;
mod residents;
mod rng;
mod volunteers;
mod words;

pub use preset::{Preset, Shape, UnknownPreset};
pub use residents::RESIDENT_COLUMNS;
pub use volunteers::VOLUNTEER_COLUMNS;

use rng::Rng;

/// The seed the tests and benchmarks use unless told otherwise.
pub const DEFAULT_SEED: u64 = 8800;

/// A generated street: both files and what they hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Street {
    /// The contents of `residents.csv`.
    pub residents_csv: String,
    /// The contents of `volunteers.csv`.
    pub volunteers_csv: String,
    /// Households in `residents.csv`.
    pub households: u64,
    /// Residents (rows after the header) in `residents.csv`.
    pub residents: u64,
    /// Volunteers (rows after the header) in `volunteers.csv`.
    pub volunteers: u64,
}

/// Generates a street of `shape` from `seed`.
pub fn generate(shape: Shape, seed: u64) -> Street {
    // One stream per file: the volunteers do not change when the residents'
    // shape does.
    let residents = residents::residents(&shape, &mut Rng::new(seed, 1));
    let volunteers_csv = volunteers::volunteers(shape.volunteers, &mut Rng::new(seed, 2));
    Street {
        residents_csv: residents.csv,
        volunteers_csv,
        households: residents.households,
        residents: residents.residents,
        volunteers: u64::from(shape.volunteers),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_bytes_and_another_seed_does_not() {
        let shape = Preset::Community.shape();
        let a = generate(shape, DEFAULT_SEED);
        assert_eq!(a, generate(shape, DEFAULT_SEED));
        let b = generate(shape, DEFAULT_SEED + 1);
        assert_ne!(a.residents_csv, b.residents_csv);
        assert_ne!(a.volunteers_csv, b.volunteers_csv);
        assert_eq!(a.households, b.households);
    }

    #[test]
    fn the_street_preset_has_the_documented_counts() {
        let street = generate(Preset::Street.shape(), DEFAULT_SEED);
        assert_eq!(street.households, 12_600);
        assert_eq!(street.volunteers, 600);
        let rows = street.residents_csv.split_terminator("\r\n").count() as u64;
        assert_eq!(rows, 1 + street.residents);
        // Household sizes 1–5 weighted towards 2 and 3: about 2.8 each.
        assert!(
            (12_600 * 25 / 10..12_600 * 31 / 10).contains(&street.residents),
            "{} residents",
            street.residents
        );
        let ids: std::collections::BTreeSet<&str> = street
            .residents_csv
            .split_terminator("\r\n")
            .skip(1)
            .map(|row| row.split(',').nth(6).unwrap_or_default())
            .collect();
        assert_eq!(ids.len(), 12_600);
        assert!(ids.contains("c07-b030-h0060"));
    }

    #[test]
    fn every_row_has_every_column() {
        let street = generate(Preset::Community.shape(), 1);
        let mut lines = street.residents_csv.split_terminator("\r\n");
        assert_eq!(lines.next(), Some(RESIDENT_COLUMNS.join(",").as_str()));
        assert!(lines.all(|l| l.split(',').count() == RESIDENT_COLUMNS.len()));
        let mut lines = street.volunteers_csv.split_terminator("\r\n");
        assert_eq!(lines.next(), Some(VOLUNTEER_COLUMNS.join(",").as_str()));
        assert!(lines.all(|l| l.split(',').count() == VOLUNTEER_COLUMNS.len()));
        assert!(street.residents_csv.ends_with("\r\n"));
    }
}
