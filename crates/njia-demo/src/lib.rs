//! Demo data for Njia: a deterministic, realistic directory of migration-sensitive health
//! services in East and Southern Africa, for the README demo (`njia demo-data`), the
//! benchmarks (100,000 services) and the app's screenshots.
//!
//! Services cluster around ~120 real places (capitals, border crossings on migration routes,
//! refugee camps) in proportion to their population, with names, languages, phone numbers,
//! opening hours, fees and papers that fit the country: "Centre de Santé de Gisenyi",
//! "IOM Migrant Health Point Moyale", "Kakuma Mission Hospital", "Posto de Saúde de Ressano
//! Garcia". Every service passes [`Service::normalize`](njia_model::service::Service::normalize)
//! unchanged, and the same `(count, seed)` always gives the same services, ids included, so
//! importing a second time updates rather than duplicates.
//!
//! ```
//! let services: Vec<_> = njia_demo::services(1_000, 1).collect();
//! assert_eq!(services.len(), 1_000);
//! assert_eq!(services, njia_demo::services(1_000, 1).collect::<Vec<_>>());
//!
//! let first = &services[0];
//! assert_eq!(first.source.as_deref(), Some(njia_demo::SOURCE));
//! assert_eq!(first.clone().normalize().unwrap(), *first);
//!
//! // The gazetteer is public too: the app names where a CHW stands from it.
//! let here = njia_demo::nearest_place(-1.2750, 36.8500).unwrap();
//! assert_eq!(here.name, "Eastleigh");
//! assert_eq!(here.timezone, "Africa/Nairobi");
//! ```
//!
//! The data is made up: real places and real organisations, invented services. Every row
//! says so in its `source` ([`SOURCE`]).

mod countries;
mod facilities;
mod generate;
mod hours;
mod orgs;
mod places;

pub use generate::{services, Services, SOURCE};
pub use hours::OPENING_HOURS;
pub use orgs::language_name;
pub use places::{nearest_place, places, Place, PlaceKind};
