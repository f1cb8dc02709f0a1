import { describe, expect, it } from 'vitest';
import { coarse, distance, wrap } from '../../src/plugins/geo-math';

const dms = (d: number, m: number, s: number) => Math.sign(d) * (Math.abs(d) + m / 60 + s / 3600);

// Ellipsoidal (WGS84) distances by Vincenty's inverse formula, the reference geodesic at these
// scales. The first pair is Vincenty's own published test line (Flinders Peak to Buninyong,
// 54,972.271 m); the others were computed with the same formula, which reproduces that figure.
const PAIRS: [name: string, lat1: number, lng1: number, lat2: number, lng2: number, metres: number][] = [
  ['Flinders Peak to Buninyong', dms(-37, 57, 3.7203), dms(144, 25, 29.5244), dms(-37, 39, 10.1561), dms(143, 55, 35.3839), 54972.271],
  ['a shop 50 m north of Kadıköy pier', 40.9903, 29.023, 40.99075, 29.023, 49.974],
  ['10 m north at the equator', 0, 0, 0.00009, 0, 9.952],
  ['100 km north at the equator', 0, 0, 0.9, 0, 99516.93],
  ['100 km east along the equator', 0, 10, 0, 10.9, 100187.542],
  ['1 km across Istanbul', 41.0082, 28.9784, 41.0145, 28.987, 1006.41],
  ['Istanbul to İzmit', 41.0082, 28.9784, 40.7654, 29.9408, 85473.791],
  ['50 km east at Oslo (60° N)', 59.9139, 10.7522, 59.9139, 11.6522, 50350.049],
  ['20 km north at Tromsø (69.6° N)', 69.6492, 18.9553, 69.8288, 18.9553, 20035.944],
  ['5 km in Cape Town (33.9° S)', -33.9249, 18.4241, -33.96, 18.45, 4570.682],
  ['19 km across the antimeridian near Fiji', -16.8, 179.95, -16.85, -179.88, 18945.38],
];

describe('distance', () => {
  it.each(PAIRS)('is within 0.5 %% of the ellipsoidal distance for %s', (_, lat1, lng1, lat2, lng2, metres) => {
    const d = distance(lat1, lng1, lat2, lng2);
    expect(Math.abs(d - metres) / metres).toBeLessThan(0.005);
  });

  it('is within 0.1 % for every pair, far better than a sphere north-south at the equator', () => {
    const worst = Math.max(...PAIRS.map(([, a, b, c, d, m]) => Math.abs(distance(a, b, c, d) - m) / m));
    expect(worst).toBeLessThan(0.001);
  });

  it('is symmetric and zero for the same point', () => {
    expect(distance(41, 29, 41.01, 29.02)).toBeCloseTo(distance(41.01, 29.02, 41, 29), 9);
    expect(distance(41, 29, 41, 29)).toBe(0);
  });
});

describe('metres per degree', () => {
  // A step of 1e-4 degrees: the scales at its midpoint are those at its start to 1e-8.
  const perDegree = (lat: number, dLat: number, dLng: number) => distance(lat, 0, lat + dLat, dLng) * 1e4;

  it('are those of the ellipsoid, in longitude and in latitude', () => {
    expect(perDegree(0, 0, 1e-4)).toBeCloseTo(111319.5, 0);
    expect(perDegree(0, 1e-4, 0)).toBeCloseTo(110574.3, 0);
    expect(perDegree(60, 0, 1e-4)).toBeCloseTo(55799.98, -1);
  });
});

describe('wrap', () => {
  it('brings a longitude difference into -180..180', () => {
    expect(wrap(359.9)).toBeCloseTo(-0.1, 9);
    expect(wrap(-359.83)).toBeCloseTo(0.17, 9);
    expect(wrap(12)).toBe(12);
  });
});

describe('coarse', () => {
  it('rounds a coordinate to 2 decimals, about 1 km', () => {
    expect(coarse(41.00823)).toBe(41.01);
    expect(coarse(-33.92487)).toBe(-33.92);
  });
});
