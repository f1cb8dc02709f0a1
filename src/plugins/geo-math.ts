// Distances at geofence scales (metres to a hundred kilometres) on the WGS84 ellipsoid.
//
// Haversine assumes a sphere and is off by up to 0.56 % (north-south at the equator). A flat
// projection scaled by the ellipsoid's radii of curvature at the mean latitude (the method of
// Mapbox's cheap-ruler, https://github.com/mapbox/cheap-ruler) stays within 0.04 % of Vincenty
// up to 100 km and 80° of latitude, and needs one cosine and one square root.

const RAD = Math.PI / 180;
// WGS84: metres per degree of arc of the semi-major axis, and the squared eccentricity.
const M = 6378137 * RAD;
const E2 = 0.0066943799901413165;

/**
 * Metres per degree of longitude and per degree of latitude at latitude `lat`.
 *
 * @example
 * const [kx, ky] = scales(41); // ≈ [84,137, 111,053]
 */
export function scales(lat: number): [number, number] {
  const c = Math.cos(lat * RAD);
  const w2 = 1 / (1 - E2 * (1 - c * c));
  const w = Math.sqrt(w2);
  return [M * w * c, M * w * w2 * (1 - E2)];
}

/**
 * A longitude difference in degrees brought into -180..180, so that fences across the
 * antimeridian are near.
 *
 * @example
 * wrap(359.9); // ≈ -0.1
 */
export const wrap = (deg: number): number => deg - Math.round(deg / 360) * 360;

/**
 * Distance in metres between two points given in degrees; within 0.04 % of the ellipsoidal
 * (Vincenty) distance up to 100 km, worse far beyond: use it for geofences, not for flights.
 *
 * @example
 * distance(41.0082, 28.9784, 41.0086, 28.9802); // ≈ 157
 */
export function distance(lat1: number, lng1: number, lat2: number, lng2: number): number {
  const [kx, ky] = scales((lat1 + lat2) / 2);
  return Math.hypot(wrap(lng2 - lng1) * kx, (lat2 - lat1) * ky);
}

/**
 * Rounds a coordinate to 2 decimals: about 1.1 km of latitude, enough for a city-level
 * `context.geo` without pinpointing a home.
 *
 * @example
 * coarse(41.00823); // 41.01
 */
export const coarse = (deg: number): number => Math.round(deg * 100) / 100;
