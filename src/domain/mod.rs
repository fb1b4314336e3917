//! The hub's vocabulary and rules: areas, agencies, plans and their targets, the indicator
//! catalogue, values and how a push is checked, review, progress, reporting deadlines and
//! disclosure. Nothing here knows the store, HTTP, SQL or GraphQL; what a rule needs it is
//! given (by the use-cases, `service`). The GraphQL layer mirrors each enum it serves
//! (`graphql::enums`), under the same names. Those names are the domain's own
//! (`AT_LEAST`, `FAMILY_GBV`…), which are also what the seeds and the database store.

pub mod agencies;
pub mod areas;
pub mod audit;
pub mod demo;
pub mod disclosure;
pub mod error;
pub mod feeds;
pub mod indicators;
pub mod observations;
pub mod periods;
pub mod plans;
pub mod progress;
pub mod push;
pub mod reporting;
pub mod review;
pub mod sdmx;
pub mod workbooks;

pub use error::DomainError;

/// Implements `as_str` and `FromStr` over the SCREAMING_SNAKE names an enum has everywhere
/// (GraphQL, seeds, database CHECK constraints).
macro_rules! named_enum {
    ($ty:ident { $($variant:ident = $name:literal),+ $(,)? }) => {
        impl $ty {
            pub const ALL: &'static [$ty] = &[$($ty::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($ty::$variant => $name),+ }
            }
        }

        impl std::str::FromStr for $ty {
            type Err = $crate::domain::error::UnknownName;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($name => Ok($ty::$variant),)+
                    _ => Err($crate::domain::error::UnknownName {
                        kind: stringify!($ty),
                        name: s.to_owned(),
                    }),
                }
            }
        }

        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}
pub(crate) use named_enum;
