// `npm run demo`: builds crumbtrail if dist/ is missing or older than the sources, starts the
// example collector (with its journey view) and one site server for the examples on 127.0.0.1,
// prints their URLs, and stops cleanly on Ctrl-C (SIGINT) or SIGTERM.
//
// The site server serves the storefront at /, the SPA at /spa/, the store locator at /coupons/,
// the builds at /dist/ and the two runtime dependencies at /node_modules/, forwards
// POST /v1/batch to the collector and redirects /journey to the journey view: the pages send
// their crumbs to their own origin, so they need no collector URL, no CORS, and a strict
// Content-Security-Policy fits them.
import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, extname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startCollector } from './collector/server.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const HOST = '127.0.0.1';
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.webm': 'video/webm',
  '.ico': 'image/x-icon',
};
/** URL prefix → folder, longest first. Only the two runtime dependencies leave node_modules. */
const MOUNTS = [
  ['/node_modules/idb-keyval/', 'node_modules/idb-keyval'],
  ['/node_modules/web-vitals/', 'node_modules/web-vitals'],
  ['/coupons/', 'examples/coupons'],
  ['/dist/', 'dist'],
  ['/spa/', 'examples/spa'],
  ['/', 'examples/storefront'],
];
/**
 * Every page's policy: scripts and styles from the site only. Inline import maps (the SPA's)
 * are allowed by their hash, computed when the page is served.
 */
const CSP = "script-src 'self'{hashes}; style-src 'self'; object-src 'none'; base-uri 'self'";
const BUILD_OUTPUTS = ['dist/crumbtrail.mjs', 'dist/crumbtrail.min.js', 'dist/crumbtrail.core.min.js'];
const BUILD_INPUTS = ['src', 'package.json', 'rollup.config.mjs', 'tsconfig.json'];

/** Newest modification time under the given paths (files or folders), in ms. */
function newest(paths) {
  let max = 0;
  const walk = (p) => {
    const s = statSync(p);
    if (s.isDirectory()) for (const name of readdirSync(p)) walk(join(p, name));
    else max = Math.max(max, s.mtimeMs);
  };
  for (const p of paths) if (existsSync(p)) walk(p);
  return max;
}

/** True when a build output is missing or older than a source. */
export function buildIsStale(root = ROOT) {
  const outputs = BUILD_OUTPUTS.map((f) => join(root, f));
  if (!outputs.every(existsSync)) return true;
  const built = Math.min(...outputs.map((f) => statSync(f).mtimeMs));
  return newest(BUILD_INPUTS.map((p) => join(root, p))) > built;
}

function ensureBuild() {
  if (!buildIsStale()) return;
  console.log('Building crumbtrail (npm run build)…');
  // npm is a .cmd file on Windows, which only a shell can start.
  const r = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit', shell: process.platform === 'win32' });
  if (r.status !== 0) throw new Error('the build failed; see above');
}

/** The CSP of an HTML page: its inline import maps are allowed by hash, nothing else inline. */
function policyFor(html) {
  const hashes = [...html.matchAll(/<script type="importmap">([\s\S]*?)<\/script>/g)].map(
    (m) => ` 'sha256-${createHash('sha256').update(m[1]).digest('base64')}'`,
  );
  return CSP.replace('{hashes}', hashes.join(''));
}

function findFile(path) {
  const [prefix, dir] = MOUNTS.find(([p]) => path.startsWith(p) || path + '/' === p) || [];
  if (!dir) return null;
  const root = join(ROOT, dir);
  let file = resolve(root, '.' + sep + path.slice(prefix.length));
  if (file !== root && !file.startsWith(root + sep)) return null;
  if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
  if (existsSync(file) && statSync(file).isFile()) return file;
  // The SPA routes on the client: any /spa/... path without an extension is its page.
  if (prefix === '/spa/' && !extname(path)) return join(root, 'index.html');
  return null;
}

/**
 * Serves the example sites, forwards `POST /v1/batch` to the collector and redirects `/journey`
 * to the journey view.
 * @param {{ port?: number, collectorUrl: string }} options
 */
async function startSites({ port = 8080, collectorUrl }) {
  const upstream = new URL('/v1/batch', collectorUrl);
  const server = createServer((req, res) => {
    serve(req, res).catch((err) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' }).end(err.message);
      else res.destroy();
    });
  });
  async function serve(req, res) {
    const path = decodeURIComponent(new URL(req.url, 'http://site.invalid').pathname);
    if (path === '/v1/batch') {
      if (req.method !== 'POST') return void res.writeHead(405).end();
      const headers = { 'content-type': req.headers['content-type'] || 'text/plain' };
      if (req.headers['content-length']) headers['content-length'] = req.headers['content-length'];
      const forward = request(upstream, { method: 'POST', headers }, (answer) => {
        res.writeHead(answer.statusCode, { 'content-type': answer.headers['content-type'] || 'application/json', ...(answer.headers['retry-after'] && { 'retry-after': answer.headers['retry-after'] }) });
        answer.pipe(res);
      });
      forward.on('error', () => !res.headersSent && res.writeHead(502).end());
      return void req.pipe(forward);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return void res.writeHead(405).end();
    if (path === '/favicon.ico') return void res.writeHead(204).end();
    // The collector's port is known only at run time: the shop's "journey view" link lands here.
    if (path === '/journey') return void res.writeHead(302, { location: `${collectorUrl}/` }).end();
    const file = findFile(path);
    if (!file) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      return void res.end(`not found: ${path}`);
    }
    const type = TYPES[extname(file)] || 'application/octet-stream';
    const headers = { 'content-type': type, 'cache-control': 'no-cache' };
    if (type.startsWith('text/html')) {
      const html = await readFile(file, 'utf8');
      headers['content-security-policy'] = policyFor(html);
      res.writeHead(200, headers);
      return void res.end(req.method === 'HEAD' ? undefined : html);
    }
    sendFile(req, res, file, headers);
  }
  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, HOST, ok);
  });
  return {
    url: `http://${HOST}:${server.address().port}`,
    close: () =>
      new Promise((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      }),
  };
}

/** Sends a file, honouring a byte range: Chromium's media stack needs ranges to seek a video. */
function sendFile(req, res, file, headers) {
  const size = statSync(file).size;
  const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range || '');
  let start = 0;
  let end = size - 1;
  if (range && (range[1] || range[2])) {
    start = range[1] ? Number(range[1]) : Math.max(0, size - Number(range[2]));
    end = range[1] && range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
    if (start > end) return void res.writeHead(416, { 'content-range': `bytes */${size}` }).end();
    res.writeHead(206, { ...headers, 'accept-ranges': 'bytes', 'content-range': `bytes ${start}-${end}/${size}`, 'content-length': end - start + 1 });
  } else {
    res.writeHead(200, { ...headers, 'accept-ranges': 'bytes', 'content-length': size });
  }
  if (req.method === 'HEAD' || !size) return void res.end();
  createReadStream(file, { start, end }).pipe(res);
}

/**
 * Starts the demo: the collector (journey view at its root) and the example sites.
 * @param {{ port?: number, collectorPort?: number, dataDir?: string, build?: boolean }} [options]
 */
export async function startDemo({ port = 8080, collectorPort = 8787, dataDir = join(ROOT, '.data', 'collector'), build = true } = {}) {
  if (build) ensureBuild();
  const collector = await startCollector({ port: collectorPort, host: HOST, dataDir });
  let sites;
  try {
    sites = await startSites({ port, collectorUrl: collector.url });
  } catch (err) {
    await collector.close();
    throw err;
  }
  return {
    urls: {
      storefront: `${sites.url}/`,
      spa: `${sites.url}/spa/`,
      locator: `${sites.url}/coupons/`,
      journey: `${collector.url}/`,
      collector: collector.batchUrl,
    },
    collector,
    async close() {
      await sites.close();
      await collector.close();
    },
  };
}

const USAGE = `Usage: npm run demo -- [--port 8080] [--collector-port 8787] [--data-dir DIR] [--no-build]
  --port             the example sites (0 = any free port; also $PORT)
  --collector-port   the collector and its journey view (0 = any free port)
  --data-dir         where the collector keeps events.ndjson (also $CRUMBTRAIL_DATA;
                     default .data/collector in the project)
  --no-build         do not build, even when dist/ is missing or stale`;

/** A path relative to the working directory when it is inside it, else absolute. */
const shortPath = (p) => (relative(process.cwd(), p).startsWith('..') ? p : relative(process.cwd(), p));

async function main() {
  const { values: v } = parseArgs({
    options: {
      port: { type: 'string' },
      'collector-port': { type: 'string' },
      'data-dir': { type: 'string' },
      'no-build': { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (v.help) return console.log(USAGE);
  const num = (name, value, fallback) => {
    if (value === undefined || value === '') return fallback;
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${name} must be a port number (0 for any), got ${value}`);
    return n;
  };
  const dataDir = v['data-dir'] || process.env.CRUMBTRAIL_DATA;
  let demo;
  try {
    demo = await startDemo({
      port: num('--port', v.port ?? process.env.PORT, 8080),
      collectorPort: num('--collector-port', v['collector-port'], 8787),
      dataDir: dataDir ? resolve(dataDir) : undefined,
      build: !v['no-build'],
    });
  } catch (err) {
    if (err.code === 'EADDRINUSE') throw new Error(`port ${err.port} is in use (another demo?); pick another with --port or --collector-port, or 0 for any`);
    throw err;
  }
  const { urls } = demo;
  console.log(`
crumbtrail demo is running:
  storefront     ${urls.storefront}
  SPA            ${urls.spa}
  store locator  ${urls.locator}
  journey view   ${urls.journey}
  collector      ${urls.collector}   (events in ${shortPath(join(demo.collector.dataDir, 'events.ndjson'))})

Browse the shop, then watch your trail arrive in the journey view. Press Ctrl-C to stop.`);
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => {
      // A second Ctrl-C while closing means "now".
      if (stopping) process.exit(130);
      stopping = true;
      console.log('\nStopping the demo…');
      demo.close().then(
        () => {
          console.log('Stopped.');
          process.exit(0);
        },
        (err) => {
          console.error(err);
          process.exit(1);
        },
      );
    });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    console.error(`demo: ${err.message}\n${USAGE}`);
    process.exit(1);
  });
}
