/// <reference types="node" />
// Helpers for the real-Chromium tests (test/browser/*.test.ts): they run in vitest's node
// environment and drive Debian's Chromium with playwright-core. See ../shared/BROWSER-TESTING.md.
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type LaunchOptions, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, chromiumPath } from './chromium.mjs';
import {
  startCollector,
  type Collector,
  type CollectorOptions,
} from '../../examples/collector/server.mjs';

/** The repository root: mounts and `dist/` are resolved from here, whatever the cwd. */
export const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');

/**
 * Launches Debian's Chromium (never a downloaded one) with {@link CHROMIUM_ARGS}.
 * `options.args` are added to the defaults; other options pass through.
 *
 * @example
 * const browser = await launchBrowser({ ignoreDefaultArgs: ['--disable-back-forward-cache'] });
 */
export function launchBrowser(options: LaunchOptions = {}): Promise<Browser> {
  return chromium.launch({
    ...options,
    executablePath: options.executablePath ?? chromiumPath(),
    args: [...CHROMIUM_ARGS, ...(options.args ?? [])],
  });
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.webm': 'video/webm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

function contentType(path: string): string {
  return CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

export interface SiteOptions {
  /** URL prefix → directory, relative to the repo root or absolute: `{ '/': 'examples/storefront' }`. */
  mounts?: Record<string, string>;
  /** In-memory files by exact path: `{ '/index.html': '<html>…' }`. Type from the extension. */
  pages?: Record<string, string | Uint8Array>;
  /** Extra response headers by exact path, or `'*'` for every response: CSP, caching, … */
  headers?: Record<string, Record<string, string>>;
}

export interface Site {
  /** e.g. `http://127.0.0.1:41234` (no trailing slash). */
  url: string;
  close(): Promise<void>;
}

/**
 * Serves a test site on 127.0.0.1 (a free port): `pages`, then `mounts` (longest prefix first),
 * then the built `dist/` under `/dist/`. Directories serve their index.html; byte ranges are
 * honoured because Chromium's media stack needs them to seek a video. Nothing is cached.
 *
 * @example
 * const site = await startSite({ pages: { '/index.html': html }, headers: { '/index.html': { 'Content-Security-Policy': csp } } });
 * await page.goto(`${site.url}/index.html`);
 */
export async function startSite(options: SiteOptions = {}): Promise<Site> {
  const pages = options.pages ?? {};
  const headers = options.headers ?? {};
  const mounts = Object.entries({ '/dist/': 'dist', ...options.mounts })
    .map(([prefix, dir]) => ({ prefix: prefix.endsWith('/') ? prefix : `${prefix}/`, root: resolve(REPO_ROOT, dir) }))
    .sort((a, b) => b.prefix.length - a.prefix.length);

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://site.invalid').pathname);
    } catch {
      return end(res, 400, 'bad path');
    }
    res.setHeader('Cache-Control', 'no-store');
    for (const [name, value] of Object.entries({ ...headers['*'], ...headers[path] })) res.setHeader(name, value);
    if (req.method !== 'GET' && req.method !== 'HEAD') return end(res, 405, 'method not allowed');

    const pagePath = path.endsWith('/') && pages[path] === undefined ? `${path}index.html` : path;
    const page = pages[pagePath];
    if (page !== undefined) {
      const body = typeof page === 'string' ? Buffer.from(page) : page;
      // An in-memory page without an extension ('/checkout') is HTML.
      const type = extname(pagePath) ? contentType(pagePath) : CONTENT_TYPES['.html']!;
      res.writeHead(200, { 'Content-Type': type, 'Content-Length': body.length });
      return void res.end(req.method === 'HEAD' ? undefined : body);
    }
    const file = await findFile(path);
    // Chromium asks for /favicon.ico on every page; a 404 would be a console error in every test.
    if (!file && path === '/favicon.ico') return void res.writeHead(204).end();
    if (!file) return end(res, 404, `not found: ${path}`);
    sendFile(req, res, file.path, file.size);
  }

  async function findFile(path: string): Promise<{ path: string; size: number } | null> {
    const mount = mounts.find((m) => path.startsWith(m.prefix) || `${path}/` === m.prefix);
    if (!mount) return null;
    let file = resolve(mount.root, `.${sep}${path.slice(mount.prefix.length)}`);
    // resolve() has already collapsed any `..`: the result must still be inside the mount.
    if (file !== mount.root && !file.startsWith(mount.root + sep)) return null;
    let info = await stat(file).catch(() => null);
    if (info?.isDirectory()) {
      file = join(file, 'index.html');
      info = await stat(file).catch(() => null);
    }
    return info?.isFile() ? { path: file, size: info.size } : null;
  }

  const server = createServer((req, res) => {
    serve(req, res).catch((err: Error) => {
      if (!res.headersSent) end(res, 500, err.message);
      else res.destroy();
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      }),
  };
}

function end(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(text);
}

function sendFile(req: IncomingMessage, res: ServerResponse, path: string, size: number): void {
  const headers = { 'Content-Type': contentType(path), 'Accept-Ranges': 'bytes' };
  const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
  let start = 0;
  let last = size - 1;
  let status = 200;
  if (range && (range[1] || range[2])) {
    // "bytes=-N" is the last N bytes; "bytes=N-" runs to the end.
    start = range[1] ? Number(range[1]) : Math.max(0, size - Number(range[2]));
    last = range[1] && range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
    if (start > last || start >= size) {
      res.writeHead(416, { 'Content-Range': `bytes */${size}` });
      return void res.end();
    }
    status = 206;
    res.setHeader('Content-Range', `bytes ${start}-${last}/${size}`);
  }
  res.writeHead(status, { ...headers, 'Content-Length': last - start + 1 });
  if (req.method === 'HEAD' || size === 0) return void res.end();
  createReadStream(path, { start, end: last }).pipe(res);
}

/**
 * The example collector for one test: a free port, a fresh temporary `dataDir` (removed by
 * `close()` unless you passed your own), CORS `'*'`. Options override these defaults.
 */
export async function startTestCollector(options: CollectorOptions = {}): Promise<Collector> {
  const ownDir = options.dataDir ? null : await mkdtemp(join(tmpdir(), 'crumbtrail-e2e-'));
  const collector = await startCollector({ port: 0, origins: '*', ...options, dataDir: options.dataDir ?? ownDir! });
  return {
    ...collector,
    async close() {
      await collector.close();
      if (ownDir) await rm(ownDir, { recursive: true, force: true });
    },
  };
}

/**
 * Counts the records of an IndexedDB object store in the page's origin; 0 when the database or
 * the store does not exist. Never creates the database: an empty one would make the SDK's own
 * open (without a version) skip the upgrade that creates its store.
 */
export function readIndexedDBCount(page: Page, dbName: string, storeName: string): Promise<number> {
  return page.evaluate(
    ([db, store]) =>
      new Promise<number>((ok, fail) => {
        const open = indexedDB.open(db);
        // An upgrade means the database did not exist; aborting it leaves nothing behind.
        open.onupgradeneeded = () => open.transaction?.abort();
        open.onerror = () => (open.error?.name === 'AbortError' ? ok(0) : fail(open.error));
        open.onsuccess = () => {
          const conn = open.result;
          if (!conn.objectStoreNames.contains(store)) {
            conn.close();
            return ok(0);
          }
          const count = conn.transaction(store, 'readonly').objectStore(store).count();
          count.onsuccess = () => {
            conn.close();
            ok(count.result);
          };
          count.onerror = () => {
            conn.close();
            fail(count.error);
          };
        };
      }),
    [dbName, storeName] as const,
  );
}

export interface ConsoleRecord {
  /** Every console message, in order. */
  messages: { type: string; text: string }[];
  /** Uncaught exceptions and unhandled rejections of the page. */
  pageErrors: Error[];
  /** Page errors and `console.error` texts, minus those matching `ignore` (e.g. an expected 503). */
  errors(...ignore: RegExp[]): string[];
}

/**
 * Records a page's console and uncaught errors from now on, so a test can assert that none
 * happened: `expect(log.errors()).toEqual([])`. Chromium reports failed requests (a 503 from the
 * collector, a CSP block) as console errors too: pass patterns to ignore the expected ones.
 */
export function collectConsole(page: Page): ConsoleRecord {
  const messages: ConsoleRecord['messages'] = [];
  const pageErrors: Error[] = [];
  page.on('console', (m) => messages.push({ type: m.type(), text: m.text() }));
  page.on('pageerror', (e) => pageErrors.push(e));
  return {
    messages,
    pageErrors,
    errors: (...ignore) =>
      [...pageErrors.map((e) => e.message), ...messages.filter((m) => m.type === 'error').map((m) => m.text)].filter(
        (text) => !ignore.some((pattern) => pattern.test(text)),
      ),
  };
}
