// @vitest-environment node
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  startCollector,
  type Collector,
  type CollectorOptions,
} from '../../examples/collector/server.mjs';

const SERVER = new URL('../../examples/collector/server.mjs', import.meta.url).pathname;

const open: Collector[] = [];
const dirs: string[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'crumbtrail-collector-'));
  dirs.push(dir);
  return dir;
}

async function start(options: CollectorOptions = {}): Promise<Collector> {
  const collector = await startCollector({ port: 0, dataDir: await tempDir(), ...options });
  open.push(collector);
  return collector;
}

let nextId = 0;
function event(overrides: Record<string, unknown> = {}) {
  nextId++;
  return { id: `evt-${nextId}`, type: 'track', ts: Date.now(), seq: nextId, anonymousId: 'anon-1', sessionId: 's-1', ...overrides };
}

function batch<T>(events: T[]) {
  return { v: 1, sentAt: new Date().toISOString(), sdk: { name: 'crumbtrail', version: '0.1.0' }, events };
}

function post(c: Collector, body: unknown, init: { contentType?: string; headers?: Record<string, string> } = {}) {
  return fetch(c.batchUrl, {
    method: 'POST',
    headers: { 'Content-Type': init.contentType ?? 'application/json', ...init.headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

describe('the example collector', () => {
  it('stores a JSON batch posted with fetch, adding receivedAt, and appends it to events.ndjson', async () => {
    const c = await start();
    const events = [event({ type: 'page_view' }), event()];
    const res = await post(c, batch(events));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ accepted: 2, duplicates: 0 });
    expect(c.events().map((e) => e.id)).toEqual(events.map((e) => e.id));
    expect(c.events()[0]!.receivedAt).toEqual(expect.any(Number));
    const lines = (await readFile(join(c.dataDir, 'events.ndjson'), 'utf8')).trim().split('\n');
    expect(lines.map((l) => JSON.parse(l).id)).toEqual(events.map((e) => e.id));
  });

  it('stores a text/plain body the way sendBeacon sends it', async () => {
    const c = await start();
    const res = await post(c, batch([event()]), { contentType: 'text/plain;charset=UTF-8' });
    expect(res.status).toBe(200);
    expect(c.events()).toHaveLength(1);
  });

  it.each([
    ['body is not valid JSON', '{"v":1,'],
    ['body must be a JSON object', '[1,2]'],
    ['v must be 1', JSON.stringify({ v: 2, events: [] })],
    ['events must be an array', JSON.stringify({ v: 1, events: {} })],
    ['events[0] must be an object', JSON.stringify({ v: 1, events: [null] })],
    ['events[1].id must be a non-empty string', JSON.stringify({ v: 1, events: [event(), event({ id: 7 })] })],
    ['events[0].type must be a non-empty string', JSON.stringify({ v: 1, events: [event({ type: undefined })] })],
    ['events[0].ts must be a finite number', JSON.stringify({ v: 1, events: [event({ ts: '2026-11-23' })] })],
  ])('answers 400 "%s" and stores nothing', async (reason, body) => {
    const c = await start();
    const res = await post(c, body);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: reason });
    expect(c.events()).toEqual([]);
    expect(c.raw().map((r) => r.status)).toEqual([400]);
  });

  it('answers 415 to a content type the SDK never sends', async () => {
    const c = await start();
    const res = await post(c, batch([event()]), { contentType: 'application/x-www-form-urlencoded' });
    expect(res.status).toBe(415);
    expect(c.events()).toEqual([]);
  });

  it('answers 413 to a body over maxBodyBytes declared by Content-Length', async () => {
    const c = await start({ maxBodyBytes: 1_000 });
    const res = await post(c, batch([event({ props: { pad: 'x'.repeat(2_000) } })]));
    expect(res.status).toBe(413);
    expect(c.events()).toEqual([]);
    expect(c.raw()).toEqual([expect.objectContaining({ status: 413, ids: [] })]);
  });

  it('answers 413 to a chunked body and stops reading it past the limit', async () => {
    const c = await start({ maxBodyBytes: 1_000 });
    const chunk = new TextEncoder().encode('x'.repeat(16 * 1024));
    let sent = 0;
    // 64 MiB if the server read it all; it must answer long before.
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 4096) return controller.close();
        sent++;
        controller.enqueue(chunk);
      },
    });
    const res = await fetch(c.batchUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    const [entry] = c.raw();
    expect(entry!.bytes).toBeGreaterThan(1_000);
    expect(entry!.bytes).toBeLessThan(1024 * 1024);
  });

  it('sends CORS headers to any origin with origins "*", exposing Retry-After', async () => {
    const c = await start();
    const res = await post(c, batch([event()]), { headers: { Origin: 'http://shop.example' } });
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-expose-headers')).toBe('Retry-After');
  });

  it('answers a preflight with 204, allowing POST and Content-Type', async () => {
    const c = await start();
    const res = await fetch(c.batchUrl, {
      method: 'OPTIONS',
      headers: { Origin: 'http://shop.example', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-methods')).toContain('POST');
    expect(res.headers.get('access-control-allow-headers')).toBe('Content-Type');
  });

  it('echoes an allowed origin with credentials and leaves other origins without CORS headers', async () => {
    const c = await start({ origins: ['http://shop.example'] });
    const ok = await post(c, batch([event()]), { headers: { Origin: 'http://shop.example' } });
    expect(ok.headers.get('access-control-allow-origin')).toBe('http://shop.example');
    expect(ok.headers.get('access-control-allow-credentials')).toBe('true');
    expect(ok.headers.get('vary')).toBe('Origin');
    const preflight = await fetch(c.batchUrl, {
      method: 'OPTIONS',
      headers: { Origin: 'http://evil.example', 'Access-Control-Request-Method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    expect(preflight.headers.get('access-control-allow-methods')).toBeNull();
  });

  it('refuses with 403 and stores nothing a batch from an origin outside the allow-list, while requests without Origin still store', async () => {
    const c = await start({ origins: ['https://shop.test'] });
    const beacon = { contentType: 'text/plain;charset=UTF-8' };
    const evil = await post(c, batch([event()]), { ...beacon, headers: { Origin: 'https://evil.test' } });
    expect(evil.status).toBe(403);
    expect(await evil.json()).toEqual({ error: 'origin https://evil.test is not in the allow-list' });
    expect(c.events()).toEqual([]);
    expect(c.raw().map((r) => r.status)).toEqual([403]);
    const shop = await post(c, batch([event()]), { ...beacon, headers: { Origin: 'https://shop.test' } });
    const curl = await post(c, batch([event()]));
    expect([shop.status, curl.status]).toEqual([200, 200]);
    expect(c.events()).toHaveLength(2);
  });

  it('refuses control from an origin outside the allow-list', async () => {
    const c = await start({ origins: ['https://shop.test'], control: true });
    const res = await fetch(`${c.url}/v1/control`, { method: 'POST', headers: { Origin: 'https://evil.test' }, body: JSON.stringify({ status: 500 }) });
    expect(res.status).toBe(403);
    expect((await post(c, batch([event()]))).status).toBe(200);
  });

  it('stores each id once when the same batch is posted three times, while raw() shows three POSTs', async () => {
    const c = await start();
    const body = batch([event(), event()]);
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await (await post(c, body)).json());
    expect(answers).toEqual([
      { accepted: 2, duplicates: 0 },
      { accepted: 0, duplicates: 2 },
      { accepted: 0, duplicates: 2 },
    ]);
    expect(c.events()).toHaveLength(2);
    const raw = c.raw();
    expect(raw).toHaveLength(3);
    expect(raw.every((r) => r.status === 200 && r.ids.join() === body.events.map((e) => e.id).join())).toBe(true);
    const lines = (await readFile(join(c.dataDir, 'events.ndjson'), 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(2);
  });

  it('stores each id once when copies of a batch arrive concurrently', async () => {
    const c = await start();
    const body = batch([event(), event(), event()]);
    const answers = await Promise.all([1, 2, 3, 4].map(async () => (await post(c, body)).json()));
    expect(answers.reduce((n, a) => n + a.accepted, 0)).toBe(3);
    expect(c.events()).toHaveLength(3);
  });

  it('filters stored events by anonymousId, type and since, in process and over GET /v1/events', async () => {
    const c = await start();
    await post(c, batch([event({ anonymousId: 'a', type: 'page_view' }), event({ anonymousId: 'b', type: 'page_view' })]));
    const since = Date.now() + 1;
    await new Promise((r) => setTimeout(r, 5));
    await post(c, batch([event({ anonymousId: 'a', type: 'track' })]));
    expect(c.events({ anonymousId: 'a' })).toHaveLength(2);
    expect(c.events({ type: 'page_view' })).toHaveLength(2);
    expect(c.events({ anonymousId: 'a', type: 'page_view' })).toHaveLength(1);
    expect(c.events({ since }).map((e) => e.type)).toEqual(['track']);
    const res = await fetch(`${c.url}/v1/events?anonymousId=a&since=${since}`);
    expect((await res.json()).map((e: { type: string }) => e.type)).toEqual(['track']);
    for (const since of ['yesterday', '', '%20', '2026-11-23T10:00:00Z']) {
      const bad = await fetch(`${c.url}/v1/events?since=${since}`);
      expect([since, bad.status]).toEqual([since, 400]);
      expect(await bad.json()).toEqual({ error: 'since must be epoch milliseconds' });
    }
  });

  it('answers 400 to a request target that is no URL, and goes on serving', async () => {
    const c = await start();
    const socket = connect(c.port, '127.0.0.1');
    let answer = '';
    socket.on('data', (d) => (answer += d));
    socket.write('GET //%zz HTTP/1.1\r\nHost: collector\r\nConnection: close\r\n\r\n');
    await once(socket, 'close');
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect((await fetch(`${c.url}/healthz`)).status).toBe(200);
  });

  it('serves the raw log over GET /v1/raw and answers /healthz', async () => {
    const c = await start();
    await post(c, batch([event({ id: 'only' })]));
    expect(await (await fetch(`${c.url}/v1/raw`)).json()).toEqual([
      expect.objectContaining({ status: 200, ids: ['only'], contentType: 'application/json' }),
    ]);
    expect(await (await fetch(`${c.url}/healthz`)).json()).toEqual({ ok: true });
    expect((await fetch(`${c.url}/nowhere`)).status).toBe(404);
  });

  it('fails every batch with failRate 1, with Retry-After on 429 and 503, and recovers when reconfigured', async () => {
    const c = await start({ failRate: 1, failStatuses: [429] });
    const body = batch([event()]);
    const failed = await post(c, body);
    expect(failed.status).toBe(429);
    expect(failed.headers.get('retry-after')).toBe('1');
    c.configure({ failStatuses: [500] });
    const plain500 = await post(c, body);
    expect(plain500.status).toBe(500);
    expect(plain500.headers.get('retry-after')).toBeNull();
    c.configure({ failRate: 0 });
    expect((await post(c, body)).status).toBe(200);
    expect(c.events()).toHaveLength(1);
    // Failed attempts keep their ids, so a test can count attempts per event.
    const ids = body.events.map((e) => e.id);
    expect(c.raw().map((r) => [r.status, r.ids])).toEqual([[429, ids], [500, ids], [200, ids]]);
  });

  it('fails about failRate of the batches at random', async () => {
    const c = await start({ failRate: 0.5 });
    const statuses = [];
    for (let i = 0; i < 200; i++) statuses.push((await post(c, batch([event()]))).status);
    const failures = statuses.filter((s) => s !== 200);
    expect(failures.length).toBeGreaterThan(60);
    expect(failures.length).toBeLessThan(140);
    expect(new Set(failures)).toEqual(new Set([500, 503, 429]));
  });

  it('answers a fixed status to every batch and stores nothing until it is cleared', async () => {
    const c = await start({ status: 400 });
    const res = await post(c, batch([event()]));
    expect(res.status).toBe(400);
    expect(c.events()).toEqual([]);
    c.configure({ status: null });
    expect((await post(c, batch([event()]))).status).toBe(200);
  });

  it('refuses fault settings that are out of range', async () => {
    await expect(start({ failRate: 2 })).rejects.toThrow('failRate');
    const c = await start();
    expect(() => c.configure({ status: 200 })).toThrow('status');
    expect(() => c.configure({ failStatuses: [] })).toThrow('failStatuses');
    expect(() => c.configure({ latencyMs: -1 })).toThrow('latencyMs');
  });

  it('refuses a body limit that is not a positive whole number of bytes (with NaN any body got in)', async () => {
    for (const maxBodyBytes of [Number.NaN, 0, -1, 1.5]) {
      await expect(start({ maxBodyBytes })).rejects.toThrow('maxBodyBytes must be a whole number of bytes > 0');
    }
  });

  it('delays its answer by latencyMs', async () => {
    const c = await start({ latencyMs: 150 });
    const t0 = performance.now();
    expect((await post(c, batch([event()]))).status).toBe(200);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(145);
  });

  it('refuses connections while down, then listens again on the same port', async () => {
    const c = await start();
    // A keep-alive connection must be cut too, not just the listener.
    expect((await fetch(`${c.url}/healthz`)).status).toBe(200);
    await c.down(300);
    const err = await fetch(`${c.url}/healthz`).catch((e: Error & { cause?: { code?: string } }) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error & { cause?: { code?: string } }).cause?.code).toBe('ECONNREFUSED');
    const t0 = Date.now();
    let up = false;
    for (let i = 0; i < 40 && !up; i++) {
      await new Promise((r) => setTimeout(r, 25));
      up = await fetch(`${c.url}/healthz`).then((r) => r.ok, () => false);
    }
    expect(up).toBe(true);
    expect(Date.now() - t0).toBeLessThan(1_000);
    expect((await post(c, batch([event()]))).status).toBe(200);
  });

  it('still drops ids it stored before a restart, and skips a torn last line', async () => {
    const dataDir = await tempDir();
    const body = batch([event(), event()]);
    const first = await startCollector({ port: 0, dataDir });
    await post(first, body);
    await first.close();
    await writeFile(join(dataDir, 'events.ndjson'), (await readFile(join(dataDir, 'events.ndjson'), 'utf8')) + '{"id":"torn","ty');
    const second = await start({ dataDir });
    expect(second.events().map((e) => e.id)).toEqual(body.events.map((e) => e.id));
    expect(await (await post(second, body)).json()).toEqual({ accepted: 0, duplicates: 2 });
  });

  it('keeps and still drops after the next restart an event stored after a torn last line', async () => {
    const dataDir = await tempDir();
    const first = batch([event()]);
    const c1 = await start({ dataDir });
    await post(c1, first);
    await c1.close();
    await writeFile(join(dataDir, 'events.ndjson'), (await readFile(join(dataDir, 'events.ndjson'), 'utf8')) + '{"id":"torn","ty');
    const c2 = await start({ dataDir });
    const second = batch([event()]);
    expect(await (await post(c2, second)).json()).toEqual({ accepted: 1, duplicates: 0 });
    await c2.close();
    const c3 = await start({ dataDir });
    expect(c3.events().map((e) => e.id)).toEqual([...first.events, ...second.events].map((e) => e.id));
    expect(await (await post(c3, second)).json()).toEqual({ accepted: 0, duplicates: 1 });
  });

  it('stores nothing from a batch still waiting for its answer when close() resolves', async () => {
    const c = await start({ latencyMs: 300 });
    const pending = post(c, batch([event()])).then((r) => r.status, () => 'cut');
    await new Promise((r) => setTimeout(r, 100));
    await c.close();
    // The client saw its connection cut, so it will send the batch again to whatever listens next.
    expect(await pending).toBe('cut');
    await new Promise((r) => setTimeout(r, 400));
    expect(await readFile(join(c.dataDir, 'events.ndjson'), 'utf8').catch(() => '')).toBe('');
    expect(c.events()).toEqual([]);
  });

  it('forgets events, the file and the raw log on reset()', async () => {
    const c = await start();
    const body = batch([event()]);
    await post(c, body);
    await c.reset();
    expect(c.events()).toEqual([]);
    expect(c.raw()).toEqual([]);
    expect(await readFile(join(c.dataDir, 'events.ndjson'), 'utf8')).toBe('');
    expect(await (await post(c, body)).json()).toEqual({ accepted: 1, duplicates: 0 });
  });

  it('resolves waitForEvents when a count or a predicate is met, and rejects after the timeout', async () => {
    const c = await start();
    const byCount = c.waitForEvents(2, { filter: { type: 'page_leave' } });
    const byPredicate = c.waitForEvents((events) => events.some((e) => e.type === 'page_leave'));
    await post(c, batch([event({ type: 'page_leave' })]));
    expect((await byPredicate).map((e) => e.type)).toEqual(['page_leave']);
    await post(c, batch([event({ type: 'track' }), event({ type: 'page_leave' })]));
    expect(await byCount).toHaveLength(2);
    await expect(c.waitForEvents(5, { timeoutMs: 50 })).rejects.toThrow('3 events: page_leave, track, page_leave');
  });

  it('calls onEvent once per newly stored event and lets another module add routes', async () => {
    const c = await start();
    const seen: string[] = [];
    const off = c.onEvent((e) => seen.push(e.id));
    const body = batch([event(), event()]);
    await post(c, body);
    await post(c, body);
    off();
    await post(c, batch([event()]));
    expect(seen).toEqual(body.events.map((e) => e.id));
    c.route('GET', '/journey', (_req, res) => {
      res.end('journey');
    });
    expect(await (await fetch(`${c.url}/journey`)).text()).toBe('journey');
  });

  it('offers POST /v1/control only when started with control: true', async () => {
    const plain = await start();
    expect((await fetch(`${plain.url}/v1/control`, { method: 'POST', body: '{"status":500}' })).status).toBe(404);
    const c = await start({ control: true });
    const control = (body: unknown) => fetch(`${c.url}/v1/control`, { method: 'POST', body: JSON.stringify(body) });
    expect((await control({ status: 503, typo: 1 })).status).toBe(400);
    expect((await control({ status: 200 })).status).toBe(400);
    expect((await control({ status: 503 })).status).toBe(200);
    expect((await post(c, batch([event()]))).status).toBe(503);
    const res = await control({ status: null, downMs: 200 });
    expect(await res.json()).toMatchObject({ status: null, downMs: 200 });
    await new Promise((r) => setTimeout(r, 50));
    await expect(fetch(`${c.url}/healthz`)).rejects.toThrow();
    await new Promise((r) => setTimeout(r, 300));
    expect((await post(c, batch([event()]))).status).toBe(200);
  });
});

describe('the collector CLI', () => {
  it('starts nothing when server.mjs is only imported', async () => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', `await import(${JSON.stringify(SERVER)}); console.log('imported');`]);
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
    expect(out).toBe('imported\n');
  });

  it('prints its URL, serves, and stops cleanly on SIGTERM', async () => {
    const dataDir = await tempDir();
    const child = spawn(process.execPath, [SERVER, '--port', '0', '--data-dir', dataDir, '--quiet']);
    let out = '';
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL printed: ${out}`)), 5_000);
      child.stdout.on('data', (d) => {
        out += d;
        const m = /listening on (http:\/\/\S+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
    });
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
  });

  it('exits with a message on a bad flag value', async () => {
    const child = spawn(process.execPath, [SERVER, '--port', '0', '--fail-rate', 'lots']);
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const [code] = await once(child, 'exit');
    expect(code).toBe(1);
    expect(err).toContain('--fail-rate must be a number');
  });
});
