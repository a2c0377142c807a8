//! Invented names and phone numbers.

use crate::rng::Rng;
use crate::words::{GIVEN, SURNAMES};

/// One or two given-name characters.
pub(crate) fn given_name(rng: &mut Rng) -> String {
    let n = rng.between(1, 2);
    (0..n).map(|_| *rng.pick(GIVEN)).collect()
}

/// A surname and a given name.
pub(crate) fn full_name(rng: &mut Rng) -> String {
    let surname = *rng.pick(SURNAMES);
    surname.to_owned() + &given_name(rng)
}

/// A mobile number shaped like `182-0804-5346` (13x, 15x or 18x; the
/// middle block starts with 0 so that no real subscriber range is hit).
pub(crate) fn phone(rng: &mut Rng) -> String {
    let network = *rng.pick(&[3, 5, 8]);
    format!(
        "1{network}{}-0{:03}-{:04}",
        rng.below(10),
        rng.below(1000),
        rng.below(10_000)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_have_the_spreadsheet_shape() {
        let mut rng = Rng::new(5, 0);
        for _ in 0..1000 {
            let p = phone(&mut rng);
            let b = p.as_bytes();
            assert_eq!(p.len(), 13, "{p}");
            assert_eq!((b[0], b[3], b[4], b[8]), (b'1', b'-', b'0', b'-'), "{p}");
            assert!(matches!(b[1], b'3' | b'5' | b'8'), "{p}");
        }
    }

    #[test]
    fn names_are_a_surname_and_one_or_two_characters() {
        let mut rng = Rng::new(6, 0);
        for _ in 0..1000 {
            let name = full_name(&mut rng);
            let chars = name.chars().count();
            assert!((2..=4).contains(&chars), "{name}");
        }
    }
}
