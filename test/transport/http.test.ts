import { http, HttpResponse, delay } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Batch, CrumbEvent } from '../../src/core/types';
import { beaconTransport } from '../../src/transport/beacon';
import { BEACON_LIMIT, encodeBatch, makeBatch } from '../../src/transport/body';
import { fetchTransport } from '../../src/transport/fetch';
import { httpTransport } from '../../src/transport/http';
import { retryAfterMs } from '../../src/transport/status';

const URL_ = 'https://collect.test/v1/batch';
const received: { body: Batch; type: string | null }[] = [];
// Node's fetch does not expose `keepalive` on the request msw sees: record what was asked.
const inits: RequestInit[] = [];
const recordingFetch = ((url: string, init: RequestInit) => (inits.push(init), fetch(url, init))) as typeof fetch;
let answer: () => Response | Promise<Response> = () => HttpResponse.json({ accepted: 1 });

const server = setupServer(
  http.post(URL_, async ({ request }) => {
    received.push({ body: JSON.parse(await request.text()), type: request.headers.get('content-type') });
    return answer();
  }),
);
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  received.length = 0;
  inits.length = 0;
  answer = () => HttpResponse.json({ accepted: 1 });
});
afterAll(() => server.close());

const event = (i: number, pad = 0): CrumbEvent => ({
  id: `id-${i}`,
  type: 'track',
  name: 'x',
  ts: 1,
  seq: i,
  anonymousId: 'a',
  sessionId: 's',
  page: { url: 'https://s.test/', path: '/', title: '', referrer: '' },
  context: { locale: 'en', tz: 'UTC', screen: '1x1' },
  props: pad ? { pad: 'x'.repeat(pad) } : {},
});
const batchOf = (n: number, pad = 0) => makeBatch(Array.from({ length: n }, (_, i) => event(i, pad)), '0.1.0');

describe('fetchTransport', () => {
  it('posts the batch as application/json without cookies', async () => {
    const r = await fetchTransport({ url: URL_ }).send(batchOf(2), { unloading: false });
    expect(r).toEqual({ ok: true });
    expect(received[0].type).toBe('application/json');
    expect(received[0].body.events.map((e) => e.id)).toEqual(['id-0', 'id-1']);
    expect(received[0].body).toMatchObject({ v: 1, sdk: { name: 'crumbtrail', version: '0.1.0' } });
  });

  it.each([200, 202, 204])('treats %i as delivered', async (status) => {
    answer = () => new HttpResponse(null, { status });
    expect(await fetchTransport({ url: URL_ }).send(batchOf(1), { unloading: false })).toEqual({ ok: true });
  });

  it.each([408, 429, 500, 502, 503])('asks to retry after %i', async (status) => {
    answer = () => new HttpResponse(null, { status });
    expect(await fetchTransport({ url: URL_ }).send(batchOf(1), { unloading: false })).toMatchObject({ ok: false, retry: true, error: `HTTP ${status}` });
  });

  it('reads Retry-After in seconds', async () => {
    answer = () => new HttpResponse(null, { status: 429, headers: { 'Retry-After': '7' } });
    expect(await fetchTransport({ url: URL_ }).send(batchOf(1), { unloading: false })).toMatchObject({ retry: true, retryAfterMs: 7000 });
  });

  it('reads Retry-After as an HTTP date', () => {
    const now = Date.parse('2026-11-23T10:00:00Z');
    expect(retryAfterMs('Mon, 23 Nov 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('garbage', now)).toBeUndefined();
  });

  it('asks to split after 413', async () => {
    answer = () => new HttpResponse(null, { status: 413 });
    expect(await fetchTransport({ url: URL_ }).send(batchOf(2), { unloading: false })).toMatchObject({ ok: false, retry: false, tooLarge: true });
  });

  it.each([400, 401, 403, 404, 422])('gives up after %i', async (status) => {
    answer = () => new HttpResponse(null, { status });
    expect(await fetchTransport({ url: URL_ }).send(batchOf(1), { unloading: false })).toEqual({ ok: false, retry: false, error: `HTTP ${status}` });
  });

  it('asks to retry after a network error', async () => {
    answer = () => HttpResponse.error();
    expect(await fetchTransport({ url: URL_ }).send(batchOf(1), { unloading: false })).toMatchObject({ ok: false, retry: true });
  });

  it('asks to retry after a timeout', async () => {
    answer = async () => {
      await delay(500);
      return HttpResponse.json({});
    };
    expect(await fetchTransport({ url: URL_, timeoutMs: 50 }).send(batchOf(1), { unloading: false })).toEqual({ ok: false, retry: true, error: 'timeout' });
  });

  it('still delivers where AbortSignal.timeout is missing (Safari before 16)', async () => {
    vi.stubGlobal('AbortSignal', { ...AbortSignal, timeout: undefined });
    try {
      expect(await fetchTransport({ url: URL_ }).send(batchOf(2), { unloading: false })).toEqual({ ok: true });
      expect(received[0].body.events).toHaveLength(2);
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('sends keepalive requests of at most 64 KB at exit', async () => {
    const big = batchOf(6, 20_000);
    expect(await fetchTransport({ url: URL_, fetch: recordingFetch }).send(big, { unloading: true })).toEqual({ ok: true });
    expect(received.length).toBeGreaterThan(1);
    expect(received.every((r) => r.type == 'text/plain')).toBe(true);
    expect(inits.every((i) => i.keepalive && new TextEncoder().encode(i.body as string).length <= BEACON_LIMIT)).toBe(true);
    expect(received.flatMap((r) => r.body.events.map((e) => e.id))).toEqual(big.events.map((e) => e.id));
  });
});

describe('encodeBatch', () => {
  it('splits a batch in order into bodies within the limit', () => {
    const b = batchOf(40, 5000);
    const bodies = encodeBatch(b, BEACON_LIMIT);
    expect(bodies.length).toBeGreaterThan(3);
    for (const body of bodies) expect(new TextEncoder().encode(body).length).toBeLessThanOrEqual(BEACON_LIMIT);
    expect(bodies.flatMap((s) => (JSON.parse(s) as Batch).events.map((e) => e.id))).toEqual(b.events.map((e) => e.id));
  });

  it('counts multi-byte characters as the bytes they are', () => {
    const b = makeBatch([event(1), { ...event(2), props: { t: 'ş'.repeat(20_000) } }, { ...event(3), props: { t: 'ğ'.repeat(20_000) } }], '0.1.0');
    for (const body of encodeBatch(b, BEACON_LIMIT)) expect(new TextEncoder().encode(body).length).toBeLessThanOrEqual(BEACON_LIMIT);
  });
});

describe('httpTransport', () => {
  it('uses fetch while the page lives', async () => {
    const sendBeacon = vi.fn(() => true);
    await httpTransport({ url: URL_, sendBeacon }).send(batchOf(1), { unloading: false });
    expect(sendBeacon).not.toHaveBeenCalled();
    expect(received).toHaveLength(1);
  });

  it('sends text/plain beacons at exit, each within 64 KB', async () => {
    const beacons: Blob[] = [];
    const sendBeacon = vi.fn((_: string, data: Blob) => (beacons.push(data), true));
    const big = batchOf(10, 15_000);
    expect(await httpTransport({ url: URL_, sendBeacon }).send(big, { unloading: true })).toEqual({ ok: true });
    expect(beacons.length).toBeGreaterThan(2);
    expect(beacons.every((b) => b.type == 'text/plain' && b.size <= BEACON_LIMIT)).toBe(true);
    const ids = (await Promise.all(beacons.map((b) => b.text()))).flatMap((t) => (JSON.parse(t) as Batch).events.map((e) => e.id));
    expect(ids).toEqual(big.events.map((e) => e.id));
    expect(received).toHaveLength(0);
  });

  it('falls back to a keepalive fetch for each beacon the browser refuses', async () => {
    let n = 0;
    const sendBeacon = vi.fn(() => n++ == 0);
    const big = batchOf(10, 15_000);
    expect(await httpTransport({ url: URL_, sendBeacon, fetch: recordingFetch }).send(big, { unloading: true })).toEqual({ ok: true });
    expect(received.length).toBeGreaterThan(0);
    expect(inits.every((i) => i.keepalive)).toBe(true);
    const viaFetch = received.flatMap((r) => r.body.events.length);
    expect(viaFetch.reduce((a, b) => a + b, 0)).toBeLessThan(10);
  });

  it('reports failure when neither beacon nor keepalive could send', async () => {
    answer = () => HttpResponse.error();
    const r = await httpTransport({ url: URL_, sendBeacon: () => false }).send(batchOf(1), { unloading: true });
    expect(r).toMatchObject({ ok: false, retry: true });
  });
});

describe('beaconTransport', () => {
  it('reports refused beacons so that the queue keeps the events', async () => {
    const r = await beaconTransport({ url: URL_, sendBeacon: () => false }).send(batchOf(1), { unloading: true });
    expect(r).toMatchObject({ ok: false, retry: true });
  });

  it('asks the queue to split and drop, not retry, an event no beacon can carry', async () => {
    // Chromium refuses a beacon over 65,536 bytes (BROWSER-TESTING.md).
    const sendBeacon = (_: string, data: Blob) => data.size <= BEACON_LIMIT;
    const transport = beaconTransport({ url: URL_, sendBeacon });
    expect(await transport.send(batchOf(1, 70_000), { unloading: false })).toMatchObject({ ok: false, retry: false, tooLarge: true });
    expect(await transport.send(batchOf(2, 40_000), { unloading: false })).toEqual({ ok: true });
  });

  it('treats a beacon that throws as refused', async () => {
    const r = await beaconTransport({
      url: URL_,
      sendBeacon: () => {
        throw new TypeError('too large');
      },
    }).send(batchOf(1), { unloading: true });
    expect(r.ok).toBe(false);
  });
});
