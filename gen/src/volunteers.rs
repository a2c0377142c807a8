//! `volunteers.csv`: one row per volunteer, spread evenly over the teams.

use crate::csv_row::push_row;
use crate::names::{full_name, phone};
use crate::rng::Rng;
use crate::words::{AFFILIATIONS, AVAILABILITY, SKILLS, TEAMS};

/// The header row, in the column order linli's import and export use.
pub const VOLUNTEER_COLUMNS: [&str; 7] = [
    "volunteer_id",
    "team",
    "name",
    "phone",
    "affiliation",
    "skills",
    "available",
];

/// `count` volunteers `v00001`, `v00002`, …; volunteer `n` (from 0) is in
/// team `n % 6`.
pub(crate) fn volunteers(count: u32, rng: &mut Rng) -> String {
    let mut csv = String::new();
    push_row(&mut csv, &VOLUNTEER_COLUMNS);
    for v in 0..count {
        let n = rng.between(1, 3) as usize;
        let skills: Vec<&str> = rng.sample(SKILLS, n).into_iter().copied().collect();
        let available = *rng.pick(AVAILABILITY);
        let name = full_name(rng);
        let phone = phone(rng);
        let affiliation = *rng.pick(AFFILIATIONS);
        push_row(
            &mut csv,
            &[
                format!("v{:05}", v + 1).as_str(),
                TEAMS[v as usize % TEAMS.len()],
                &name,
                &phone,
                affiliation,
                &skills.join(";"),
                available,
            ],
        );
    }
    csv
}
