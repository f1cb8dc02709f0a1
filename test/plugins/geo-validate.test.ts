import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkFences, expiry } from '../../src/plugins/geo-validate';

const store = { id: 'store-1', lat: 41.0082, lng: 28.9784, radius: 50 };
const problemsOf = (fence: object) => checkFences([fence])[1];

describe('checkFences', () => {
  it('keeps valid fences and reports nothing', () => {
    const fences = [store, { ...store, id: 'store-2', name: 'Two', cooldownHours: 0, activeHours: '22:00-02:00', dwellMs: 60000, coupon: { title: 'Hi', code: 'C', text: 'T', url: 'https://x.example/a', expiresAt: '2027-02-28' } }];
    expect(checkFences(fences)).toEqual([fences, []]);
  });

  it('reads a fences file as well as a list', () => {
    expect(checkFences({ fences: [store] })).toEqual([[store], []]);
  });

  it.each([
    [{ lat: 95 }, 'geofence "store-1" has lat 95; lat must be a number from -90 to 90'],
    [{ lat: '41' }, 'geofence "store-1" has lat "41"; lat must be a number from -90 to 90'],
    [{ lng: -180.5 }, 'geofence "store-1" has lng -180.5; lng must be a number from -180 to 180'],
    [{ radius: -5 }, 'geofence "store-1" has radius -5; radius must be a positive number of metres, at most 100000'],
    [{ radius: 0 }, 'geofence "store-1" has radius 0; radius must be a positive number of metres, at most 100000'],
    [{ radius: 100001 }, 'geofence "store-1" has radius 100001; radius must be a positive number of metres, at most 100000'],
    [{ radius: undefined }, 'geofence "store-1" has radius undefined; radius must be a positive number of metres, at most 100000'],
    [{ name: '' }, 'geofence "store-1" has name ""; name must be text of 1 to 1000 characters'],
    [{ coupon: 'SUMMER10' }, 'geofence "store-1" has coupon "SUMMER10"; coupon must be an object'],
    [{ cooldownHours: -1 }, 'geofence "store-1" has cooldownHours -1; cooldownHours must be a number from 0 to 8760'],
    [{ activeHours: '9-21' }, 'geofence "store-1" has activeHours "9-21"; activeHours must be local times like "09:00-21:00"'],
    [{ activeHours: '09:00-24:30' }, 'geofence "store-1" has activeHours "09:00-24:30"; activeHours must be local times like "09:00-21:00"'],
    [{ activeHours: ['09:00-21:00'] }, 'geofence "store-1" has activeHours an array; activeHours must be local times like "09:00-21:00"'],
    [{ coupon: { title: 'T', url: ['/summer'] } }, 'geofence "store-1" has coupon.url an array; coupon.url must be a link starting with https://, http:// or /'],
    [{ coupon: { title: 'T', expiresAt: ['2026-08-31'] } }, 'geofence "store-1" has coupon.expiresAt an array; coupon.expiresAt must be a date like "2026-08-31" or "2026-08-31T21:00+03:00"'],
    [{ dwellMs: 1e9 }, 'geofence "store-1" has dwellMs 1000000000; dwellMs must be a number from 0 to 86400000'],
    [{ coupon: { code: 'X' } }, 'geofence "store-1" has coupon.title undefined; coupon.title must be text of 1 to 1000 characters'],
    [{ coupon: { title: 'T', url: 'javascript:alert(1)' } }, 'geofence "store-1" has coupon.url "javascript:alert(1)"; coupon.url must be a link starting with https://, http:// or /'],
    [{ coupon: { title: 'T', expiresAt: 'tomorrow' } }, 'geofence "store-1" has coupon.expiresAt "tomorrow"; coupon.expiresAt must be a date like "2026-08-31" or "2026-08-31T21:00+03:00"'],
    [{ coupon: { title: 'T', expiresAt: '2026-02-30' } }, 'geofence "store-1" has coupon.expiresAt "2026-02-30"; coupon.expiresAt must be a date like "2026-08-31" or "2026-08-31T21:00+03:00"'],
    [{ coupon: { title: 'T', expiresAt: '2026-08-31T25:00' } }, 'geofence "store-1" has coupon.expiresAt "2026-08-31T25:00"; coupon.expiresAt must be a date like "2026-08-31" or "2026-08-31T21:00+03:00"'],
  ])('reports %o with one message naming the fence, field, value and rule', (change, message) => {
    expect(problemsOf({ ...store, ...change })).toEqual([message]);
  });

  it('names a fence without an id by its position', () => {
    expect(checkFences([store, { lat: 1, lng: 2, radius: 3 }])[1]).toEqual(['geofence #2 has id undefined; id must be text of 1 to 1000 characters']);
  });

  it('reports duplicate ids and keeps the first', () => {
    expect(checkFences([store, { ...store, lat: 41 }])).toEqual([[store], ['geofence "store-1" is listed twice; ids must be unique']]);
  });

  it('reports an entry that is not an object', () => {
    expect(checkFences([null, store])).toEqual([[store], ['geofence #1 is null; it must be an object']]);
  });

  it('reports a list that is not a list', () => {
    expect(checkFences({ fences: 'all' })).toEqual([[], ['fences must be a list, got "all"']]);
    expect(checkFences(null)).toEqual([[], ['fences must be a list, got null']]);
  });

  it('gives one message per problem and leaves out only the bad fence', () => {
    const bad = { id: 'bad', lat: 91, lng: 181, radius: 0 };
    const [fences, problems] = checkFences([bad, store]);
    expect(fences).toEqual([store]);
    expect(problems).toHaveLength(3);
    expect(problems.map((p) => p.split(' has ')[1].split(' ')[0])).toEqual(['lat', 'lng', 'radius']);
  });

  it('accepts the example fences file a marketer copies, and its schema names the same fields', () => {
    const file = JSON.parse(readFileSync('examples/coupons/fences.json', 'utf8'));
    const [fences, problems] = checkFences(file);
    expect(problems).toEqual([]);
    expect(fences.map((f) => f.id)).toEqual(['kadikoy', 'besiktas']);
    expect(fences.every((f) => f.coupon)).toBe(true);
    const schema = JSON.parse(readFileSync('examples/coupons/fences.schema.json', 'utf8'));
    const fields = Object.keys(schema.$defs.fence.properties).filter((k) => k != '$comment');
    expect(fields.sort()).toEqual(['activeHours', 'cooldownHours', 'coupon', 'dwellMs', 'id', 'lat', 'lng', 'name', 'radius']);
    expect(schema.$defs.fence.required).toEqual(['id', 'lat', 'lng', 'radius']);
    // The schema's pattern for activeHours is the validator's.
    const hours = new RegExp(schema.$defs.fence.properties.activeHours.pattern);
    for (const v of ['09:00-21:00', '22:00-24:00', '9-21', '24:00-01:00']) expect(hours.test(v)).toBe(!problemsOf({ ...store, activeHours: v }).length);
  });
});

describe('expiry', () => {
  it('runs a date alone to the end of that day on the local clock', () => {
    expect(expiry('2026-08-31')).toBe(new Date(2026, 7, 31, 23, 59, 59, 999).getTime());
  });

  it('reads a date and time with its zone as given', () => {
    expect(expiry('2026-08-31T21:00:00+03:00')).toBe(Date.UTC(2026, 7, 31, 18));
  });
});
