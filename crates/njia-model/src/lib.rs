//! The Njia domain, shared by the device, the server and the app: what a service in the
//! directory is, what an outreach record is, which values are valid, how far apart two points
//! are, what a service's opening hours say on each day, and how clocks that cannot be
//! trusted are ordered.
//!
//! This crate does no I/O so that every rule lives in exactly one place and can be tested
//! without a database or a network.
//!
//! ```
//! use njia_model::geo::{distance_m, Point};
//! let nairobi = Point::new(-1.2864, 36.8172).unwrap();
//! let mombasa = Point::new(-4.0435, 39.6682).unwrap();
//! assert!((distance_m(nairobi, mombasa) / 1000.0 - 440.0).abs() < 5.0);
//! ```

pub mod correction;
pub mod error;
pub mod geo;
pub mod hlc;
pub mod hours;
pub mod ops;
pub mod outreach;
pub mod printable;
pub mod records;
pub mod service;
pub mod taxonomy;
pub mod wire;

pub use error::ValidationError;
