//! What the district roles may do on a hub (the second table in
//! [`crate::access`]).

use linli_protocol::Access;

use super::{DocPlace, SharedUp};
use crate::auth::{Grant, Role};

/// `None`: not visible. Only called for street-relay, district-admin and
/// district-viewer grants.
pub(super) fn decide(grant: &Grant, place: &DocPlace) -> Option<Access> {
    use Access::{ReadOnly, ReadWrite};
    let streets = &grant.scope.streets;
    // A district token without `street:` items covers every street.
    let covers = |street: &str| streets.is_empty() || streets.contains(street);
    match (grant.role, place) {
        (Role::StreetRelay, DocPlace::Directory) => Some(ReadOnly),
        (Role::StreetRelay, DocPlace::StreetShared { street, .. }) => {
            streets.contains(street).then_some(ReadWrite)
        }
        (Role::StreetRelay, DocPlace::SharedDown { streets: to }) => {
            streets.iter().any(|s| to.contains(s)).then_some(ReadWrite)
        }
        (Role::DistrictAdmin, DocPlace::Directory | DocPlace::SharedDown { .. }) => Some(ReadWrite),
        (Role::DistrictAdmin, DocPlace::StreetShared { street, what }) if covers(street) => {
            Some(if *what == SharedUp::Board {
                ReadWrite
            } else {
                ReadOnly
            })
        }
        (Role::DistrictViewer, DocPlace::Directory | DocPlace::SharedDown { .. }) => Some(ReadOnly),
        (Role::DistrictViewer, DocPlace::StreetShared { street, .. }) if covers(street) => {
            Some(ReadOnly)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use linli_protocol::DocumentId;

    use super::*;
    use crate::access::{DirectoryIndex, decide};
    use crate::auth::Scope;

    fn grant(role: Role, scope: &str) -> Grant {
        Grant::new("t".into(), role, scope.parse::<Scope>().unwrap()).unwrap()
    }

    fn id(n: u8) -> DocumentId {
        DocumentId::from_bytes([n; 16])
    }

    /// A hub: the district directory (1); street a's directory (2), board
    /// (3), summary (4), opted-in building (5); street b's board (6); a
    /// district board shared down to b (7); an unknown document (8).
    fn hub() -> DirectoryIndex {
        let mut ix = DirectoryIndex::new(Some(id(1)));
        let shared = |street: &str, what| DocPlace::StreetShared {
            street: street.into(),
            what,
        };
        ix.put(id(2), shared("a", SharedUp::Directory));
        ix.put(id(3), shared("a", SharedUp::Board));
        ix.put(id(4), shared("a", SharedUp::Summary));
        ix.put(id(5), shared("a", SharedUp::Building));
        ix.put(id(6), shared("b", SharedUp::Board));
        ix.put(
            id(7),
            DocPlace::SharedDown {
                streets: BTreeSet::from(["b".to_owned()]),
            },
        );
        ix
    }

    #[test]
    fn a_street_relay_reaches_its_own_street_and_what_comes_down_to_it_only() {
        let ix = hub();
        let a = grant(Role::StreetRelay, "street:a");
        let b = grant(Role::StreetRelay, "street:b");
        assert_eq!(decide(&a, &id(1), &ix), Some(Access::ReadOnly));
        for n in 2..=5 {
            assert_eq!(decide(&a, &id(n), &ix), Some(Access::ReadWrite), "{n}");
            assert_eq!(decide(&b, &id(n), &ix), None, "{n}");
        }
        assert_eq!(decide(&a, &id(6), &ix), None);
        assert_eq!(decide(&a, &id(7), &ix), None);
        assert_eq!(decide(&b, &id(7), &ix), Some(Access::ReadWrite));
        assert_eq!(decide(&a, &id(8), &ix), None);
        assert!(Grant::new("r".into(), Role::StreetRelay, Scope::default()).is_err());
        assert!(
            Grant::new(
                "r".into(),
                Role::StreetRelay,
                "street:a,street:b".parse().unwrap()
            )
            .is_err()
        );
    }

    #[test]
    fn district_admin_writes_boards_and_reads_the_rest_viewer_only_reads() {
        let ix = hub();
        let admin = grant(Role::DistrictAdmin, "");
        let viewer = grant(Role::DistrictViewer, "");
        assert_eq!(decide(&admin, &id(1), &ix), Some(Access::ReadWrite));
        assert_eq!(decide(&admin, &id(2), &ix), Some(Access::ReadOnly));
        assert_eq!(decide(&admin, &id(3), &ix), Some(Access::ReadWrite));
        assert_eq!(decide(&admin, &id(4), &ix), Some(Access::ReadOnly));
        assert_eq!(decide(&admin, &id(7), &ix), Some(Access::ReadWrite));
        assert_eq!(decide(&admin, &id(8), &ix), None);
        for n in 1..=7 {
            assert_eq!(decide(&viewer, &id(n), &ix), Some(Access::ReadOnly), "{n}");
        }
        let only_b = grant(Role::DistrictAdmin, "street:b");
        assert_eq!(decide(&only_b, &id(3), &ix), None);
        assert_eq!(decide(&only_b, &id(6), &ix), Some(Access::ReadWrite));
    }

    #[test]
    fn street_roles_reach_nothing_a_street_shares_up_on_a_hub() {
        let ix = hub();
        let v = grant(Role::Viewer, "community:c1");
        for n in 2..=7 {
            assert_eq!(decide(&v, &id(n), &ix), None, "{n}");
        }
    }

    #[test]
    fn the_hub_reaches_only_what_the_street_shares_up() {
        let mut ix = DirectoryIndex::new(Some(id(1)));
        ix.add_building(id(2), "b1", "c1");
        ix.add_board(id(3), "c1");
        ix.share_up(id(1));
        ix.share_up(id(3));
        let hub = Grant::hub("hub");
        assert_eq!(decide(&hub, &id(1), &ix), Some(Access::ReadWrite));
        assert_eq!(decide(&hub, &id(2), &ix), None, "buildings stay home");
        assert_eq!(decide(&hub, &id(3), &ix), Some(Access::ReadWrite));
    }
}
