// The journey view: who visited, and each visitor's breadcrumb trail as a live timeline.
// Plain HTML/CSS/JS in ./journey/, served by the collector through its route seam; the trail
// updates live by Server-Sent Events. See README.md beside this file.
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const DIR = join(dirname(fileURLToPath(import.meta.url)), 'journey');
/** Visitors listed by GET /v1/visitors, newest activity first. */
const VISITORS_LIMIT = 100;
/** A comment line this often keeps proxies and the browser from closing an idle stream. */
const HEARTBEAT_MS = 15_000;

const FILES = {
  '/': ['index.html', 'text/html; charset=utf-8'],
  '/visitor': ['visitor.html', 'text/html; charset=utf-8'],
  '/journey/journey.css': ['journey.css', 'text/css; charset=utf-8'],
  '/journey/visitors.js': ['visitors.js', 'text/javascript; charset=utf-8'],
  '/journey/visitor.js': ['visitor.js', 'text/javascript; charset=utf-8'],
  '/journey/trail.js': ['trail.js', 'text/javascript; charset=utf-8'],
};

/**
 * One row per visitor (anonymousId): first and last event time, event count, page views, the
 * user id once identified, and the last path seen.
 * @param {import('./server.d.mts').StoredEvent[]} events
 */
export function summarizeVisitors(events, limit = VISITORS_LIMIT) {
  const byId = new Map();
  for (const e of events) {
    if (typeof e.anonymousId !== 'string') continue;
    let v = byId.get(e.anonymousId);
    if (!v) byId.set(e.anonymousId, (v = { anonymousId: e.anonymousId, firstSeen: e.ts, lastSeen: e.ts, events: 0, pageViews: 0 }));
    v.events++;
    if (e.type === 'page_view') v.pageViews++;
    if (e.ts < v.firstSeen) v.firstSeen = e.ts;
    if (e.ts >= v.lastSeen) {
      v.lastSeen = e.ts;
      if (e.page?.path) v.lastPath = e.page.path;
    }
    if (e.userId) v.userId = e.userId;
  }
  return [...byId.values()].sort((a, b) => b.lastSeen - a.lastSeen).slice(0, limit);
}

/**
 * Adds the journey view's routes to a collector: `GET /` (visitors), `GET /visitor?anonymousId=`
 * (one trail), their static files under `/journey/`, `GET /v1/visitors` (JSON) and
 * `GET /v1/stream?anonymousId=` (Server-Sent Events: one `crumb` event per newly stored event of
 * that visitor, or of everyone without the parameter).
 * @param {{ route: import('./server.d.mts').Collector['route'], events: import('./server.d.mts').Collector['events'], onEvent: import('./server.d.mts').Collector['onEvent'] }} collector
 */
export function mountJourney({ route, events, onEvent }) {
  for (const [path, [file, type]] of Object.entries(FILES)) {
    route('GET', path, async (_req, res) => {
      const body = await readFile(join(DIR, file));
      // The pages use no inline script or style: the strictest policy fits.
      res.writeHead(200, { 'Content-Type': type, 'Cache-Control': 'no-cache', 'Content-Security-Policy': "default-src 'self'" });
      res.end(body);
    });
  }

  // Browsers ask every origin for one; a 404 would be an error in the console of each page.
  route('GET', '/favicon.ico', (_req, res) => res.writeHead(204).end());

  route('GET', '/v1/visitors', (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(JSON.stringify(summarizeVisitors(events())));
  });

  route('GET', '/v1/stream', (req, res, url) => {
    const id = url.searchParams.get('anonymousId');
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
    // Sent at once so that EventSource fires `open` and the page can say it is live.
    res.write(': live\n\n');
    const off = onEvent((e) => {
      if (!id || e.anonymousId === id) res.write(`event: crumb\ndata: ${JSON.stringify(e)}\n\n`);
    });
    const beat = setInterval(() => res.write(': ping\n\n'), HEARTBEAT_MS);
    beat.unref();
    res.on('close', () => {
      clearInterval(beat);
      off();
    });
  });
}
