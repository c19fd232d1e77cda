//! Great-circle geometry on the WGS84 mean sphere, and the bounding boxes that let an
//! R*Tree pre-filter candidates before the exact distance decides.

use crate::error::{check_lat, check_lon, ValidationError};

/// WGS84 mean Earth radius (IUGG R1), in metres: the radius the contracts are stated in.
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Half the circumference: no two points on the sphere are farther apart than this.
pub const MAX_DISTANCE_M: f64 = std::f64::consts::PI * EARTH_RADIUS_M;

/// A validated point in degrees.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub lat: f64,
    pub lon: f64,
}

impl Point {
    /// Refuses coordinates outside the globe, so later maths never sees NaN or 123°.
    pub fn new(lat: f64, lon: f64) -> Result<Self, ValidationError> {
        check_lat("lat", lat)?;
        check_lon("lon", lon)?;
        Ok(Self { lat, lon })
    }
}

/// Great-circle distance in metres by the haversine formula, which stays accurate for the
/// short distances a CHW cares about and is exact enough (< 0.5 %) at any range.
pub fn distance_m(a: Point, b: Point) -> f64 {
    let (p1, p2) = (a.lat.to_radians(), b.lat.to_radians());
    let dp = p2 - p1;
    let dl = (b.lon - a.lon).to_radians();
    let h = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * h.sqrt().min(1.0).asin()
}

/// An axis-aligned box in degrees, `min_lon <= max_lon` always: a circle that crosses the
/// antimeridian is covered by two boxes instead of one inverted box.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BBox {
    pub min_lat: f64,
    pub max_lat: f64,
    pub min_lon: f64,
    pub max_lon: f64,
}

/// The boxes that together contain every point within `radius_m` of `center` (and usually a
/// little more). One box normally, two across the antimeridian, one full-longitude band when
/// the circle reaches a pole.
pub fn bounding_boxes(center: Point, radius_m: f64) -> Vec<BBox> {
    let radius_m = radius_m.max(0.0);
    if radius_m >= MAX_DISTANCE_M {
        return vec![BBox {
            min_lat: -90.0,
            max_lat: 90.0,
            min_lon: -180.0,
            max_lon: 180.0,
        }];
    }
    // Angular radius, padded by a hair so float rounding never excludes a point exactly on
    // the circle.
    let ang = radius_m / EARTH_RADIUS_M * (1.0 + 1e-9) + 1e-12;
    let lat = center.lat.to_radians();
    let min_lat = lat - ang;
    let max_lat = lat + ang;
    let half_pi = std::f64::consts::FRAC_PI_2;
    if min_lat <= -half_pi || max_lat >= half_pi {
        // The circle contains a pole: every longitude is reachable in the band.
        return vec![BBox {
            min_lat: min_lat.max(-half_pi).to_degrees(),
            max_lat: max_lat.min(half_pi).to_degrees(),
            min_lon: -180.0,
            max_lon: 180.0,
        }];
    }
    // Largest longitude difference reached on the circle (Bronshtein; see
    // http://janmatuschek.de/LatitudeLongitudeBoundingCoordinates).
    let dlon = (ang.sin() / lat.cos()).clamp(-1.0, 1.0).asin();
    let min_lat = min_lat.to_degrees();
    let max_lat = max_lat.to_degrees();
    let dlon = dlon.to_degrees();
    let west = center.lon - dlon;
    let east = center.lon + dlon;
    let band = |min_lon: f64, max_lon: f64| BBox {
        min_lat,
        max_lat,
        min_lon,
        max_lon,
    };
    if dlon >= 180.0 {
        vec![band(-180.0, 180.0)]
    } else if west < -180.0 {
        vec![band(west + 360.0, 180.0), band(-180.0, east)]
    } else if east > 180.0 {
        vec![band(west, 180.0), band(-180.0, east - 360.0)]
    } else {
        vec![band(west, east)]
    }
}

impl BBox {
    pub fn contains(&self, p: Point) -> bool {
        (self.min_lat..=self.max_lat).contains(&p.lat)
            && (self.min_lon..=self.max_lon).contains(&p.lon)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_distance_nairobi_kampala() {
        let nbo = Point::new(-1.286389, 36.817223).unwrap();
        let kla = Point::new(0.347596, 32.582520).unwrap();
        let km = distance_m(nbo, kla) / 1000.0;
        assert!((km - 504.0).abs() < 5.0, "{km}");
    }

    #[test]
    fn antimeridian_neighbours_are_close() {
        let a = Point::new(-17.0, 179.99).unwrap();
        let b = Point::new(-17.0, -179.99).unwrap();
        assert!(distance_m(a, b) < 2_200.0);
        let boxes = bounding_boxes(a, 5_000.0);
        assert_eq!(boxes.len(), 2);
        assert!(boxes.iter().any(|bb| bb.contains(b)));
    }

    #[test]
    fn a_circle_over_the_pole_takes_every_longitude() {
        let c = Point::new(89.9, 10.0).unwrap();
        let boxes = bounding_boxes(c, 50_000.0);
        assert_eq!(boxes.len(), 1);
        assert_eq!((boxes[0].min_lon, boxes[0].max_lon), (-180.0, 180.0));
        assert!(boxes[0].contains(Point::new(89.8, -170.0).unwrap()));
    }

    #[test]
    fn out_of_range_points_are_refused_in_words() {
        let err = Point::new(123.4, 0.0).unwrap_err();
        assert_eq!(err.to_string(), "latitude 123.4 is outside -90..90");
        assert_eq!(err.field, "lat");
        assert!(Point::new(0.0, f64::NAN).is_err());
    }

    proptest! {
        /// Every point within the radius lies in one of the boxes: the R*Tree pre-filter
        /// can never lose a true result.
        #[test]
        fn boxes_contain_every_point_within_the_radius(
            clat in -90.0f64..=90.0, clon in -180.0f64..=180.0,
            plat in -90.0f64..=90.0, plon in -180.0f64..=180.0,
            radius in 0.0f64..3_000_000.0,
        ) {
            let c = Point::new(clat, clon).unwrap();
            let p = Point::new(plat, plon).unwrap();
            if distance_m(c, p) <= radius {
                prop_assert!(bounding_boxes(c, radius).iter().any(|b| b.contains(p)));
            }
        }

        #[test]
        fn nearby_points_are_in_the_boxes(
            clat in -90.0f64..=90.0, clon in -180.0f64..=180.0,
            dlat in -0.05f64..0.05, dlon in -0.2f64..0.2,
            radius in 0.0f64..20_000.0,
        ) {
            let c = Point::new(clat, clon).unwrap();
            let mut lon = clon + dlon;
            if lon > 180.0 { lon -= 360.0 }
            if lon < -180.0 { lon += 360.0 }
            let p = Point::new((clat + dlat).clamp(-90.0, 90.0), lon).unwrap();
            if distance_m(c, p) <= radius {
                prop_assert!(bounding_boxes(c, radius).iter().any(|b| b.contains(p)));
            }
        }
    }
}
