// The example collector: receives crumbtrail batches, drops repeated event ids, appends the rest to
// an NDJSON file. Used by the demo and by every real-browser test. See README.md beside this file.
import { createServer } from 'node:http';
import { realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { readBody } from './body.mjs';
import { RETRY_AFTER_STATUSES, injectedStatus, mergeFaults } from './faults.mjs';
import { answerPreflight, sendJson, setCorsHeaders } from './http.mjs';
import { mountJourney } from './journey.mjs';
import { openStore } from './store.mjs';
import { isBatchContentType, parseBatch } from './wire.mjs';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The raw log keeps the newest entries only, so a long demo run cannot grow it without end. */
const RAW_LOG_LIMIT = 10_000;
/** /v1/control bodies are a few settings. */
const CONTROL_MAX_BYTES = 16 * 1024;
const CONTROL_KEYS = new Set(['failRate', 'failStatuses', 'status', 'latencyMs', 'downMs']);

/**
 * Starts a collector and resolves once it listens. Options and the returned object are described
 * in server.d.mts and README.md.
 * @param {import('./server.d.mts').CollectorOptions} [options]
 * @returns {Promise<import('./server.d.mts').Collector>}
 */
export async function startCollector(options = {}) {
  const {
    port = 8787,
    host = '127.0.0.1',
    dataDir = join(REPO_ROOT, '.data', 'collector'),
    origins = '*',
    maxBodyBytes = 1_048_576,
    log = false,
    control = false,
  } = options;
  if (origins !== '*' && !(Array.isArray(origins) && origins.every((o) => typeof o === 'string'))) {
    throw new Error("origins must be '*' or an array of origins");
  }
  if (!(Number.isInteger(maxBodyBytes) && maxBodyBytes > 0)) throw new Error('maxBodyBytes must be a whole number of bytes > 0');
  let faults = mergeFaults({}, options);
  const store = await openStore(dataDir);
  const rawLog = [];
  const listeners = new Set();
  const routes = new Map();
  const logNotes = new WeakMap();
  let closed = false;

  const route = (method, path, handler) => {
    routes.set(`${method.toUpperCase()} ${path}`, handler);
  };
  // CORS only keeps a page from reading the answer: a beacon (text/plain, never preflighted) from
  // any origin is sent all the same, so writes check the allow-list too. No Origin header: not a
  // browser's cross-origin request (curl, a server), let through.
  const refusedOrigin = (req) => {
    const origin = req.headers.origin;
    return origins !== '*' && origin !== undefined && !origins.includes(origin) ? `origin ${origin} is not in the allow-list` : null;
  };

  async function dispatch(req, res) {
    const started = Date.now();
    // A target such as //%zz is no URL: thrown here, it would end the process.
    const base = 'http://collector.invalid';
    if (!URL.canParse(req.url ?? '/', base)) return sendJson(res, 400, { error: 'the request target is not a URL' });
    const url = new URL(req.url ?? '/', base);
    if (log) {
      res.once('finish', () => {
        const note = logNotes.get(res) ?? '';
        console.log(`${req.method} ${url.pathname} ${res.statusCode} ${Date.now() - started}ms ${note}`.trimEnd());
      });
    }
    const allowed = setCorsHeaders(req, res, origins);
    try {
      if (req.method === 'OPTIONS') return answerPreflight(req, res, allowed);
      const handler = routes.get(`${req.method} ${url.pathname}`);
      if (!handler) return sendJson(res, 404, { error: `no route for ${req.method} ${url.pathname}` });
      await handler(req, res, url);
    } catch (err) {
      if (!res.headersSent && !res.destroyed) sendJson(res, 500, { error: String(err?.message ?? err) });
    }
  }

  function record(entry) {
    rawLog.push(entry);
    if (rawLog.length > RAW_LOG_LIMIT) rawLog.shift();
  }

  route('POST', '/v1/batch', async (req, res) => {
    const at = Date.now();
    const contentType = req.headers['content-type'] ?? null;
    const body = await readBody(req, maxBodyBytes);
    if (faults.latencyMs > 0) await sleep(faults.latencyMs);
    // close() cut this client off: it sends the batch again, maybe to a restarted collector that
    // loaded its ids before this write would land.
    if (closed) return;
    if (body.tooLarge) {
      record({ at, status: 413, contentType, ids: [], bytes: body.bytes });
      // The client may still be sending: close the connection rather than drain the rest.
      return sendJson(res, 413, { error: `body over ${maxBodyBytes} bytes` }, { Connection: 'close' });
    }
    const { batch, ids, error } = parseBatch(body.text);
    const answer = (status, payload, headers) => {
      record({ at, status, contentType, ids, bytes: body.bytes });
      sendJson(res, status, payload, headers);
    };
    const refused = refusedOrigin(req);
    if (refused) return answer(403, { error: refused });
    const injected = injectedStatus(faults);
    if (injected) {
      const headers = RETRY_AFTER_STATUSES.has(injected) ? { 'Retry-After': '1' } : {};
      return answer(injected, { error: `injected failure ${injected}` }, headers);
    }
    if (!isBatchContentType(contentType)) {
      return answer(415, { error: 'content type must be application/json or text/plain' });
    }
    if (error) return answer(400, { error });
    let added, duplicates;
    try {
      ({ added, duplicates } = await store.add(batch.events));
    } catch (err) {
      return answer(500, { error: `storage failed: ${err.message}` });
    }
    logNotes.set(res, `+${added.length} new, ${duplicates} duplicate`);
    answer(200, { accepted: added.length, duplicates });
    for (const event of added) {
      for (const listener of listeners) {
        try {
          listener(event);
        } catch (err) {
          console.error('collector: event listener failed', err);
        }
      }
    }
  });

  route('GET', '/v1/events', (_req, res, url) => {
    const filter = {};
    for (const key of ['anonymousId', 'type']) {
      if (url.searchParams.has(key)) filter[key] = url.searchParams.get(key);
    }
    if (url.searchParams.has('since')) {
      // Number('') and Number(' ') are 0, which would answer everything.
      filter.since = Number(url.searchParams.get('since').trim() || NaN);
      if (!Number.isFinite(filter.since)) return sendJson(res, 400, { error: 'since must be epoch milliseconds' });
    }
    sendJson(res, 200, store.events(filter));
  });
  route('GET', '/v1/raw', (_req, res) => sendJson(res, 200, rawLog));
  route('GET', '/healthz', (_req, res) => sendJson(res, 200, { ok: true }));
  mountJourney({ route, events: (filter) => store.events(filter), onEvent: (fn) => (listeners.add(fn), () => listeners.delete(fn)) });

  if (control) {
    // Lets a page (the demo, a browser test) break the collector on purpose. Off by default.
    route('POST', '/v1/control', async (req, res) => {
      const body = await readBody(req, CONTROL_MAX_BYTES);
      if (body.tooLarge) return sendJson(res, 413, { error: `body over ${CONTROL_MAX_BYTES} bytes` });
      const refused = refusedOrigin(req);
      if (refused) return sendJson(res, 403, { error: refused });
      let input;
      try {
        input = JSON.parse(body.text);
      } catch {
        return sendJson(res, 400, { error: 'body is not valid JSON' });
      }
      const unknown = Object.keys(input ?? {}).filter((k) => !CONTROL_KEYS.has(k));
      if (input === null || typeof input !== 'object' || unknown.length > 0) {
        return sendJson(res, 400, { error: `expected an object with ${[...CONTROL_KEYS].join(', ')}` });
      }
      const { downMs, ...settings } = input;
      if (downMs !== undefined && !(Number.isFinite(downMs) && downMs > 0)) {
        return sendJson(res, 400, { error: 'downMs must be a number > 0' });
      }
      try {
        faults = mergeFaults(faults, settings);
      } catch (err) {
        return sendJson(res, 400, { error: err.message });
      }
      // Go down only once the answer is out, or the page would see its own request fail.
      if (downMs) res.once('finish', () => void down(downMs));
      sendJson(res, 200, { ...faults, downMs: downMs ?? 0 });
    });
  }

  // requestTimeout bounds a client that trickles a body forever (including after a 413).
  const server = createServer({ requestTimeout: 30_000, headersTimeout: 10_000 }, dispatch);
  const listen = (p) =>
    new Promise((ok, fail) => {
      server.once('error', fail);
      server.listen(p, host, () => {
        server.off('error', fail);
        ok(server.address().port);
      });
    });
  const boundPort = await listen(port);
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${boundPort}`;

  let downTimer = null;

  function stopListening() {
    return new Promise((ok) => {
      if (!server.listening) return ok();
      server.close(() => ok());
      // Keep-alive and in-flight sockets too: "down" must look like a dead host to the client.
      server.closeAllConnections();
    });
  }

  async function comeBack() {
    // Another process may grab the port meanwhile (port 0 picks from a shared range): retry a
    // little, then report; the collector stays down.
    for (let attempt = 1; attempt <= 10 && !closed; attempt++) {
      try {
        await listen(boundPort);
        return;
      } catch (err) {
        if (err.code !== 'EADDRINUSE' || attempt === 10) {
          console.error(`collector: cannot listen again on ${boundPort}:`, err.message);
          return;
        }
        await sleep(100);
      }
    }
  }

  async function down(ms) {
    clearTimeout(downTimer);
    await stopListening();
    if (closed) return;
    downTimer = setTimeout(() => {
      downTimer = null;
      void comeBack();
    }, ms);
  }

  function waitForEvents(condition, { timeoutMs = 10_000, filter } = {}) {
    const met = () => {
      const list = store.events(filter);
      return (typeof condition === 'number' ? list.length >= condition : condition(list)) ? list : null;
    };
    return new Promise((ok, fail) => {
      const settle = (fn, value) => {
        clearTimeout(timer);
        listeners.delete(onEvent);
        fn(value);
      };
      const onEvent = () => {
        try {
          const list = met();
          if (list) settle(ok, list);
        } catch (err) {
          settle(fail, err);
        }
      };
      const timer = setTimeout(() => {
        const types = store.events(filter).map((e) => e.type);
        settle(fail, new Error(`waitForEvents: condition not met after ${timeoutMs} ms; ${types.length} events: ${types.join(', ')}`));
      }, timeoutMs);
      listeners.add(onEvent);
      onEvent();
    });
  }

  return {
    url,
    port: boundPort,
    batchUrl: `${url}/v1/batch`,
    dataDir,
    events: (filter) => store.events(filter),
    raw: () => rawLog.map((entry) => ({ ...entry, ids: [...entry.ids] })),
    configure(partial) {
      faults = mergeFaults(faults, partial);
      return { ...faults, failStatuses: [...faults.failStatuses] };
    },
    down,
    waitForEvents,
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    route,
    async reset() {
      rawLog.length = 0;
      await store.reset();
    },
    async close() {
      closed = true;
      clearTimeout(downTimer);
      await stopListening();
      await store.settled();
    },
  };
}

function sleep(ms) {
  return new Promise((ok) => setTimeout(ok, ms));
}

const USAGE = `Usage: node examples/collector/server.mjs [--port 8787] [--host 127.0.0.1] [--data-dir DIR]
  [--origins a,b | *] [--max-body-bytes N] [--fail-rate 0.3] [--fail-statuses 500,503,429]
  [--status 500] [--latency MS] [--control] [--quiet]`;

async function main() {
  const { values: v } = parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'data-dir': { type: 'string' },
      origins: { type: 'string' },
      'max-body-bytes': { type: 'string' },
      'fail-rate': { type: 'string' },
      'fail-statuses': { type: 'string' },
      status: { type: 'string' },
      latency: { type: 'string' },
      control: { type: 'boolean' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (v.help) return console.log(USAGE);
  const num = (name) => {
    if (v[name] === undefined) return undefined;
    const n = Number(v[name]);
    if (!Number.isFinite(n)) throw new Error(`--${name} must be a number`);
    return n;
  };
  const collector = await startCollector({
    port: num('port'),
    host: v.host,
    dataDir: v['data-dir'] && resolve(v['data-dir']),
    origins: v.origins === undefined || v.origins === '*' ? '*' : v.origins.split(',').map((o) => o.trim()),
    maxBodyBytes: num('max-body-bytes'),
    failRate: num('fail-rate'),
    failStatuses: v['fail-statuses']?.split(',').map(Number),
    status: num('status'),
    latencyMs: num('latency'),
    control: v.control,
    log: !v.quiet,
  });
  console.log(`crumbtrail collector listening on ${collector.url}`);
  console.log(`  POST ${collector.batchUrl}   events in ${join(collector.dataDir, 'events.ndjson')}`);
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      collector.close().then(() => process.exit(0));
    });
  }
}

function isEntryPoint() {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  main().catch((err) => {
    console.error(`collector: ${err.message}\n${USAGE}`);
    process.exit(1);
  });
}
