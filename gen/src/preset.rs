//! How big a generated street is: three named presets, or any shape.

use std::fmt;
use std::str::FromStr;

/// The size of a generated street.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    /// Communities in the street.
    pub communities: u32,
    /// Buildings in each community.
    pub buildings_per_community: u32,
    /// Households in each building.
    pub households_per_building: u32,
    /// Volunteers in the whole street.
    pub volunteers: u32,
}

impl Shape {
    /// Households in the whole street.
    pub fn households(&self) -> u64 {
        u64::from(self.communities)
            * u64::from(self.buildings_per_community)
            * u64::from(self.households_per_building)
    }

    /// Buildings in the whole street.
    pub fn buildings(&self) -> u64 {
        u64::from(self.communities) * u64::from(self.buildings_per_community)
    }
}

/// A named size, as the tests and benchmarks use them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Preset {
    /// One building of 60 households, 20 volunteers: a building head's
    /// spreadsheet, and quick tests.
    Building,
    /// One community of 30 buildings (1,800 households), 120 volunteers.
    Community,
    /// 7 communities × 30 buildings × 60 households = 12,600 households,
    /// 600 volunteers: a whole street office, the benchmarks' data.
    Street,
}

impl Preset {
    /// Every preset, smallest first.
    pub const ALL: [Preset; 3] = [Preset::Building, Preset::Community, Preset::Street];

    /// The preset's name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Preset::Building => "building",
            Preset::Community => "community",
            Preset::Street => "street",
        }
    }

    /// Its size.
    pub fn shape(self) -> Shape {
        let (communities, buildings_per_community, households_per_building, volunteers) = match self
        {
            Preset::Building => (1, 1, 60, 20),
            Preset::Community => (1, 30, 60, 120),
            Preset::Street => (7, 30, 60, 600),
        };
        Shape {
            communities,
            buildings_per_community,
            households_per_building,
            volunteers,
        }
    }
}

impl fmt::Display for Preset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A preset name that is none of `building`, `community`, `street`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownPreset(pub String);

impl fmt::Display for UnknownPreset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "no preset {:?}: use building, community or street",
            self.0
        )
    }
}

impl std::error::Error for UnknownPreset {}

impl FromStr for Preset {
    type Err = UnknownPreset;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Preset::ALL
            .into_iter()
            .find(|p| p.name() == s)
            .ok_or_else(|| UnknownPreset(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_have_the_documented_sizes() {
        assert_eq!(Preset::Building.shape().households(), 60);
        assert_eq!(Preset::Community.shape().buildings(), 30);
        assert_eq!(Preset::Community.shape().households(), 1_800);
        assert_eq!(Preset::Street.shape().buildings(), 210);
        assert_eq!(Preset::Street.shape().households(), 12_600);
        assert_eq!(Preset::Street.shape().volunteers, 600);
    }

    #[test]
    fn names_parse_back() {
        for p in Preset::ALL {
            assert_eq!(p.name().parse::<Preset>(), Ok(p));
        }
        let err = "town".parse::<Preset>().unwrap_err();
        assert!(err.to_string().contains("building, community or street"));
    }
}
