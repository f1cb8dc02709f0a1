// `npm run demo` as a user runs it: a child process of examples/demo.mjs on free ports with its
// data in a temporary folder, its printed URLs fetched, then Ctrl-C (SIGINT).
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './harness';

let dataDir: string;
let child: ChildProcess | undefined;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'crumbtrail-demo-'));
});
afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await rm(dataDir, { recursive: true, force: true });
});

/** Resolves with everything printed once `pattern` appears on stdout; rejects if the process ends first. */
function waitForOutput(proc: ChildProcess, pattern: RegExp, timeoutMs = 10_000): Promise<string> {
  let out = '';
  return new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`no ${pattern} within ${timeoutMs} ms; printed:\n${out}`)), timeoutMs);
    proc.stdout!.on('data', (chunk: Buffer) => {
      out += chunk;
      if (pattern.test(out)) {
        clearTimeout(timer);
        ok(out);
      }
    });
    proc.stderr!.on('data', (chunk: Buffer) => (out += chunk));
    proc.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`the demo exited with ${code} before printing ${pattern}:\n${out}`));
    });
  });
}

const urlOf = (out: string, label: string) => new RegExp(`^\\s+${label}\\s+(http://127\\.0\\.0\\.1:\\d+/\\S*)`, 'm').exec(out)?.[1];

describe('npm run demo', () => {
  it('serves the storefront, the SPA and the journey view at the URLs it prints, keeps data where told, and exits cleanly on SIGINT', async () => {
    // --no-build: `npm test` builds just before this lane, and a build here would race other lanes.
    child = spawn(process.execPath, ['examples/demo.mjs', '--port', '0', '--collector-port', '0', '--no-build'], {
      cwd: REPO_ROOT,
      env: { ...process.env, CRUMBTRAIL_DATA: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out = await waitForOutput(child, /Press Ctrl-C to stop/);
    const storefront = urlOf(out, 'storefront')!;
    const spa = urlOf(out, 'SPA')!;
    const journey = urlOf(out, 'journey view')!;
    expect(urlOf(out, 'store locator')).toBe(`${storefront}coupons/`);
    expect(out).toContain(join(dataDir, 'events.ndjson'));

    const home = await fetch(storefront);
    expect(home.status).toBe(200);
    expect(home.headers.get('content-security-policy')).toMatch(/^script-src 'self'; style-src 'self'/);
    const html = await home.text();
    expect(html).toContain('<title>Fernway Outfitters');
    expect(html).toContain('src="/dist/crumbtrail.min.js"');
    expect((await fetch(new URL('/dist/crumbtrail.min.js', storefront))).status).toBe(200);

    // A deep link of the SPA is its one page, and its import map is allowed by its hash.
    const route = await fetch(new URL('/spa/product/peak-pro', spa));
    expect(route.status).toBe(200);
    expect(await route.text()).toContain('<script type="module" src="/spa/app.js">');
    expect(route.headers.get('content-security-policy')).toMatch(/script-src 'self' 'sha256-[\w+/=]+'/);

    const view = await fetch(journey);
    expect(view.status).toBe(200);
    expect(await view.text()).toContain('<h1>Recent visitors</h1>');
    const toJourney = await fetch(new URL('/journey', storefront), { redirect: 'manual' });
    expect(toJourney.headers.get('location')).toBe(journey);

    // Crumbs posted to the site reach the collector and land in the data folder given.
    const batch = { v: 1, sentAt: new Date().toISOString(), sdk: { name: 'crumbtrail', version: '0.1.0' }, events: [{ id: 'demo-test-1', type: 'track', name: 'hello', ts: Date.now(), anonymousId: 'a-1' }] };
    const posted = await fetch(new URL('/v1/batch', storefront), { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify(batch) });
    expect(await posted.json()).toEqual({ accepted: 1, duplicates: 0 });
    expect(await readFile(join(dataDir, 'events.ndjson'), 'utf8')).toContain('"demo-test-1"');

    const exited = once(child, 'exit');
    child.kill('SIGINT');
    const [code, signal] = await exited;
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    await expect(fetch(storefront)).rejects.toThrow();
    await expect(fetch(journey)).rejects.toThrow();
  });
});
