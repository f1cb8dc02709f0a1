// Distances at geofence scales (metres to a hundred kilometres) on the WGS84 ellipsoid.
//
// Haversine assumes a sphere and is off by up to 0.56 % (north-south at the equator). A flat
// projection scaled by the ellipsoid's radii of curvature at the mean latitude (the method of
// Mapbox's cheap-ruler, https://github.com/mapbox/cheap-ruler) stays within 0.05 % of Vincenty
// up to 100 km and 80° of latitude, and needs one cosine and one square root.

const RAD = Math.PI / 180;
// WGS84: metres per degree of arc of the semi-major axis, and the squared eccentricity.
const M = 6378137 * RAD;
const E2 = 0.00669438;
// Metres per degree of arc of the meridian's radius of curvature at the equator, a (1 - e²).
const MY = M * (1 - E2);

/**
 * A longitude difference in degrees brought into -180..180, so that fences across the
 * antimeridian are near.
 *
 * @example
 * wrap(359.9); // ≈ -0.1
 */
export const wrap = (deg: number): number => deg - Math.round(deg / 360) * 360;

/**
 * Distance in metres between two points given in degrees; within 0.05 % of the ellipsoidal
 * (Vincenty) distance up to 100 km, worse far beyond: use it for geofences, not for flights.
 *
 * @example
 * distance(41.0082, 28.9784, 41.0086, 28.9802); // ≈ 157
 */
export function distance(lat1: number, lng1: number, lat2: number, lng2: number): number {
  const c = Math.cos(((lat1 + lat2) / 2) * RAD);
  // Metres per degree of longitude and of latitude at the mean latitude. The radii of curvature
  // divide by (1 - e² sin²)^½ and ^1.5; with e² sin² under 0.0067 their first-order expansions
  // are off by less than 0.01 %, and need no square root.
  const x = E2 * (1 - c * c);
  return Math.hypot(wrap(lng2 - lng1) * (M * c * (1 + x / 2)), (lat2 - lat1) * (MY * (1 + 1.5 * x)));
}

/**
 * Rounds a coordinate to 2 decimals: about 1.1 km of latitude, enough for a city-level
 * `context.geo` without pinpointing a home.
 *
 * @example
 * coarse(41.00823); // 41.01
 */
export const coarse = (deg: number): number => Math.round(deg * 100) / 100;
