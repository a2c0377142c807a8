//! Closed vocabularies: gender, relation to the household head, volunteer
//! affiliation and availability. Each is stored as its English word (the
//! same words the street generator, linli-gen, writes); CSV import also accepts the common
//! Chinese words for gender and relation.

use serde::{Deserialize, Serialize};

macro_rules! vocab {
    (
        $(#[$doc:meta])* $name:ident {
            $($(#[$vdoc:meta])* $variant:ident = $text:literal $(| $alias:literal)*,)+
        }
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vdoc])* #[serde(rename = $text)] $variant,)+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stored (and exported) word.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }

            /// Parses the stored word or an accepted alias (ASCII case-insensitive).
            pub fn parse(text: &str) -> Option<Self> {
                let text = text.trim();
                $(
                    if text.eq_ignore_ascii_case($text) $(|| text == $alias)* {
                        return Some($name::$variant);
                    }
                )+
                None
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

vocab!(
    /// A resident's gender as recorded (`M` / `F`; 男 / 女 on import).
    Gender {
        /// Male.
        Male = "M" | "男",
        /// Female.
        Female = "F" | "女",
    }
);

vocab!(
    /// A resident's relation to the household head.
    Relation {
        /// The household head (户主).
        Head = "head" | "户主",
        /// Spouse of the head (配偶).
        Spouse = "spouse" | "配偶",
        /// Child (子女).
        Child = "child" | "子女",
        /// Parent (父母).
        Parent = "parent" | "父母",
        /// Grandchild (孙子女).
        Grandchild = "grandchild" | "孙子女",
        /// Anyone else (其他).
        Other = "other" | "其他",
    }
);

vocab!(
    /// Where a volunteer comes from.
    Affiliation {
        /// A resident of the street.
        Resident = "resident",
        /// A party member working elsewhere who registers with the community (在职党员).
        InServicePartyMember = "in-service-party-member",
        /// Sent by a company.
        Company = "company",
        /// Sent by a school.
        School = "school",
        /// A retired cadre.
        RetiredCadre = "retired-cadre",
        /// A student.
        Student = "student",
    }
);

vocab!(
    /// When a volunteer is usually available.
    Availability {
        /// Saturdays and Sundays.
        Weekends = "weekends",
        /// Weekday evenings.
        Evenings = "evenings",
        /// Weekday daytime.
        Weekdays = "weekdays",
        /// Any time.
        Any = "any",
        /// When called.
        OnCall = "on-call",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_aliases_parse() {
        assert_eq!(Gender::parse("m"), Some(Gender::Male));
        assert_eq!(Gender::parse("女"), Some(Gender::Female));
        assert_eq!(Gender::parse("x"), None);
        assert_eq!(Relation::parse("户主"), Some(Relation::Head));
        assert_eq!(Relation::parse("Grandchild"), Some(Relation::Grandchild));
        assert_eq!(
            Affiliation::parse("in-service-party-member"),
            Some(Affiliation::InServicePartyMember)
        );
        assert_eq!(Availability::parse("on-call"), Some(Availability::OnCall));
    }

    #[test]
    fn every_word_round_trips() {
        for r in Relation::ALL {
            assert_eq!(Relation::parse(r.as_str()), Some(*r));
        }
        for a in Affiliation::ALL {
            assert_eq!(Affiliation::parse(a.as_str()), Some(*a));
        }
        for a in Availability::ALL {
            assert_eq!(Availability::parse(a.as_str()), Some(*a));
        }
        for g in Gender::ALL {
            assert_eq!(Gender::parse(g.as_str()), Some(*g));
        }
    }
}
