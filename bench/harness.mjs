// Plain-JS helpers for the benchmarks (test/browser/harness.ts is TypeScript, which
// `node bench/bench.mjs` cannot import): Debian's Chromium, a static site on 127.0.0.1 and
// the example collector with a throw-away data folder.
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startCollector } from '../examples/collector/server.mjs';
import { CHROMIUM_ARGS, chromiumPath, IMPORT_MAP } from '../test/browser/chromium.mjs';

export { IMPORT_MAP };

export const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');

/**
 * Launches Debian's Chromium (never a downloaded one); `$CHROMIUM_BIN` wins.
 *
 * @example
 * const browser = await launchBrowser();
 */
export function launchBrowser() {
  return chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
}

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.map': 'application/json' };

/**
 * Serves in-memory `pages` and the repo's dist/ and node_modules/ on 127.0.0.1 (a free port), with
 * `headers` on every response (e.g. the cross-origin isolation headers).
 *
 * @example
 * const site = await startSite({ pages: { '/bench.html': html }, headers: { 'Cross-Origin-Opener-Policy': 'same-origin' } });
 * await page.goto(`${site.url}/bench.html`);
 */
export async function startSite({ pages = {}, headers = {} } = {}) {
  const mounts = { '/dist/': join(REPO_ROOT, 'dist'), '/node_modules/': join(REPO_ROOT, 'node_modules') };
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    res.setHeader('Cache-Control', 'no-store');
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    let body = pages[path];
    let file = path;
    if (body === undefined) {
      const prefix = Object.keys(mounts).find((p) => path.startsWith(p));
      const full = prefix && resolve(mounts[prefix], `.${sep}${path.slice(prefix.length)}`);
      // resolve() has collapsed any `..`: the file must still be inside the mount.
      if (full && full.startsWith(mounts[prefix] + sep) && (await stat(full).catch(() => null))?.isFile()) {
        body = await readFile(full);
        file = full;
      }
    }
    if (body === undefined) return void res.writeHead(path == '/favicon.ico' ? 204 : 404).end();
    res.writeHead(200, { 'Content-Type': `${TYPES[extname(file)] ?? 'text/html'}; charset=utf-8` });
    res.end(body);
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: () =>
      new Promise((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      }),
  };
}

/**
 * The example collector on a free port with a temporary data folder, removed by `close()`.
 *
 * @example
 * const collector = await startTestCollector();
 * await collector.waitForEvents(10_000, { timeoutMs: 30_000 });
 */
export async function startTestCollector(options = {}) {
  const dataDir = await mkdtemp(join(tmpdir(), 'crumbtrail-bench-'));
  const collector = await startCollector({ port: 0, origins: '*', ...options, dataDir });
  return {
    ...collector,
    async close() {
      await collector.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * The value at quantile `q` (0..1) of an ascending array (nearest rank).
 *
 * @example
 * quantile([1, 2, 3, 4], 0.5); // 2
 */
export function quantile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}
