// Benchmarks in real Chromium (`npm run bench` builds, then runs this file), against the example
// collector on 127.0.0.1 only:
//  1. the cost of one tracker.track() call: median and p99 in µs over 10,000 calls after a warm-up;
//  2. the time to persist and deliver 10,000 events to the collector, the POSTs it took and the
//     longest main-thread task meanwhile.
// Exits 1 when a task took over 50 ms, an event was dropped, lost or duplicated, the page
// reported an error, or a request left 127.0.0.1; exits 2 when the run took over RUN_LIMIT_MS.
// `--profile` adds a CDP CPU profile of 10,000 track() calls (where their time goes);
// `--per-task` tracks the 10,000 events 100 per task instead of 100 per animation frame (a
// harsher load). docs/readme/bench.md explains every line of the output.
import { cpus, loadavg } from 'node:os';
import { IMPORT_MAP, launchBrowser, quantile, startSite, startTestCollector } from './harness.mjs';

const CALLS = 10_000;
const WARMUP = 2_000;
// Calls per task: between tasks the queue does its tick work (the IndexedDB write, the flush)
// as it would in an app, and outside the timed calls.
const BURST = 100;
const DELIVER = 10_000;
const LONG_TASK_MS = 50;
const DELIVERY_TIMEOUT_MS = 30_000;
const RUN_LIMIT_MS = 60_000;
const PROFILE = process.argv.includes('--profile');
const PER_TASK = process.argv.includes('--per-task');

// The page creates a tracker from its query (`c` collector, `o` options as JSON) and records
// long tasks from the start, so that none is missed. Long animation frames name the scripts that
// ran in them: what a long task was busy with. IndexedDB put() is wrapped to count the events
// and time of each write transaction: persisting is main-thread work too (a structured clone
// per event).
const PAGE = `<!doctype html><html><head><title>bench</title>
<script type="importmap">${IMPORT_MAP}</script>
<script>
window.writes = [];
const put = IDBObjectStore.prototype.put;
IDBObjectStore.prototype.put = function (...args) {
  const t = performance.now();
  const result = put.apply(this, args);
  let w = writes[writes.length - 1];
  if (w?.tx !== this.transaction) writes.push((w = { tx: this.transaction, n: 0, ms: 0 }));
  w.n++;
  w.ms += performance.now() - t;
  return result;
};
window.longTasks = [];
new PerformanceObserver((l) => { for (const e of l.getEntries()) longTasks.push({ start: e.startTime, ms: e.duration }); })
  .observe({ type: 'longtask', buffered: true });
window.longFrames = [];
new PerformanceObserver((l) => { for (const e of l.getEntries()) longFrames.push({ start: e.startTime, ms: e.duration,
  blocking: e.blockingDuration, scripts: e.scripts.map((s) => ({ ms: s.duration, what: s.invoker + ' ' + s.sourceFunctionName + ' ' + s.sourceURL.split('/').pop() })) }); })
  .observe({ type: 'long-animation-frame', buffered: true });
</script></head><body>
<script type="module">
import { createTracker } from '/dist/crumbtrail.mjs';
const q = new URLSearchParams(location.search);
window.errors = []; window.drops = []; window.sent = 0;
const tracker = createTracker({ collector: q.get('c'), ...JSON.parse(q.get('o') || '{}') });
tracker.on('error', (e) => errors.push(e.message));
tracker.on('dropped', (d) => drops.push(d));
tracker.on('sent', (s) => { sent += s.count; window.lastSentAt = performance.now(); });
window.tracker = tracker;
window.ready = true;
</script></body></html>`;

// Without cross-origin isolation Chromium coarsens performance.now() to 100 µs; with it, 5 µs.
const ISOLATED = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

const failures = [];
const out = [];
const row = (label, value) => out.push(`  ${label.padEnd(48)} ${value}`);
const us = (ms) => `${(ms * 1000).toFixed(1)} µs`;
const started = Date.now();
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
const loadBefore = load();

const browser = await launchBrowser();
// A stuck page or collector must not hold the run: closing the browser ends whatever waits on
// the page, and if something else still waits, the process ends a little later anyway.
let timedOut = false;
const watchdog = setTimeout(() => {
  timedOut = true;
  browser.close().catch(() => {});
  setTimeout(() => process.exit(2), 5_000).unref();
}, RUN_LIMIT_MS);
try {
  await trackCost();
  await delivery();
  await geofenceCost();
} catch (e) {
  if (!timedOut) throw e;
} finally {
  clearTimeout(watchdog);
  await browser.close();
}

console.log(out.join('\n'));
if (timedOut) {
  console.error(`\nFAILED: the bench did not finish within ${RUN_LIMIT_MS / 1000} s`);
  process.exit(2);
}
// These machines are shared: a busy CPU stretches every figure, long tasks included.
console.log(`\nload average before / after: ${loadBefore} / ${load()} (${cpus().length} CPUs)`);
console.log(`bench finished in ${((Date.now() - started) / 1000).toFixed(1)} s`);
if (failures.length) {
  console.error(`\nFAILED:\n${failures.map((f) => `  - ${f}`).join('\n')}`);
  process.exit(1);
}

// A fresh context and page with the tracker; every request it makes must stay on 127.0.0.1.
async function open(site, collector, options) {
  const context = await browser.newContext();
  context.on('request', (r) => {
    const { hostname } = new URL(r.url());
    if (hostname != '127.0.0.1') failures.push(`a request left 127.0.0.1: ${r.url()}`);
  });
  const page = await context.newPage();
  await page.goto(`${site.url}/bench.html?c=${encodeURIComponent(collector.batchUrl)}&o=${encodeURIComponent(JSON.stringify(options))}`);
  await page.waitForFunction(() => window.ready);
  return { context, page };
}

async function trackCost() {
  const collector = await startTestCollector();
  const site = await startSite({ pages: { '/bench.html': PAGE }, headers: ISOLATED });
  try {
    // A flush interval of an hour and room for every call: what is measured is track() itself
    // (a full batch of 50 still starts a flush, which runs between the timed tasks).
    const { context, page } = await open(site, collector, {
      batch: { flushIntervalMs: 3_600_000 },
      queue: { maxEvents: 1_000_000, maxBytes: 500_000_000 },
    });
    const r = await page.evaluate(
      async ({ calls, warmup, burst }) => {
        const nextTask = () =>
          new Promise((ok) => {
            const c = new MessageChannel();
            c.port1.onmessage = () => ok();
            c.port2.postMessage(0);
          });
        const props = (i) => ({ sku: `A-${i % 500}`, price: 19.9, qty: 1, list: 'search results' });
        // The smallest step performance.now() takes: the timer's resolution.
        let step = Infinity;
        for (let i = 0; i < 200; i++) {
          const a = performance.now();
          let b = a;
          while (b === a) b = performance.now();
          step = Math.min(step, b - a);
        }
        for (let i = 0; i < warmup; i++) {
          tracker.track('warm_up', props(i));
          if (i % burst == burst - 1) await nextTask();
        }
        const single = [];
        for (let i = 0; i < calls; ) {
          for (const end = i + burst; i < end; i++) {
            const t = performance.now();
            tracker.track('add_to_cart', props(i));
            single.push(performance.now() - t);
          }
          await nextTask();
        }
        // Blocks of 10 calls: a median ten times finer than the timer's step. (Their tail says
        // little: a block is ten times as likely to hold a GC pause or a preemption.)
        const blocks = [];
        for (let i = 0; i < calls; ) {
          for (const end = i + burst; i < end; i += 10) {
            const t = performance.now();
            for (let k = i; k < i + 10; k++) tracker.track('add_to_cart', props(k));
            blocks.push((performance.now() - t) / 10);
          }
          await nextTask();
        }
        return { isolated: crossOriginIsolated, step, single, blocks, errors, drops };
      },
      { calls: CALLS, warmup: WARMUP, burst: BURST },
    );
    const single = r.single.sort((a, b) => a - b);
    const blocks = r.blocks.sort((a, b) => a - b);
    const mean = single.reduce((s, x) => s + x, 0) / single.length;
    out.push(`track() cost: ${CALLS.toLocaleString('en')} calls after ${WARMUP.toLocaleString('en')} warm-up, ${BURST} per task, ESM build`);
    row('cross-origin isolated / timer resolution', `${r.isolated} / ${us(r.step)}`);
    row('MEDIAN per call', us(quantile(single, 0.5)));
    row('P99 per call', us(quantile(single, 0.99)));
    row('mean / max per call', `${us(mean)} / ${us(single[single.length - 1])}`);
    row('median per call, timed in blocks of 10', us(quantile(blocks, 0.5)));
    if (!r.isolated) failures.push('the track() page is not cross-origin isolated: its timings are coarsened to 100 µs');
    if (r.errors.length) failures.push(`the track() page reported errors: ${r.errors.slice(0, 3).join(' | ')}`);
    if (r.drops.length) failures.push(`the track() page dropped events: ${JSON.stringify(r.drops.slice(0, 3))}`);
    if (PROFILE) await profile(context, page);
    await context.close();
  } finally {
    await site.close();
    await collector.close();
  }
}

// Samples 10,000 track() calls (100 per task) and the queue's work between them with the CDP
// profiler, and prints the functions with the most self and inclusive time, in % of busy time.
async function profile(context, page) {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 50 });
  await cdp.send('Profiler.start');
  await page.evaluate(async (calls) => {
    const nextTask = () =>
      new Promise((ok) => {
        const c = new MessageChannel();
        c.port1.onmessage = () => ok();
        c.port2.postMessage(0);
      });
    for (let i = 0; i < calls; i++) {
      tracker.track('add_to_cart', { sku: `A-${i % 500}`, price: 19.9, qty: 1, list: 'search results' });
      if (i % 100 == 99) await nextTask();
    }
  }, CALLS);
  const { profile } = await cdp.send('Profiler.stop');
  await cdp.detach();
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const key = (n) => {
    const f = n.callFrame;
    const file = f.url.split('/').pop();
    return `${f.functionName || '(anonymous)'} ${file}${file ? `:${f.lineNumber + 1}` : ''}`;
  };
  const self = new Map();
  const incl = new Map();
  const busy = profile.samples.filter((id) => byId.get(id).callFrame.functionName != '(idle)');
  for (const id of busy) {
    const k = key(byId.get(id));
    self.set(k, (self.get(k) ?? 0) + 1);
    // Inclusive: each sample counts once for every distinct function on its stack.
    const seen = new Set();
    for (let at = id; at !== undefined; at = parent.get(at)) seen.add(key(byId.get(at)));
    for (const s of seen) incl.set(s, (incl.get(s) ?? 0) + 1);
  }
  const top = (m) => [...m].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([k, n]) => `    ${((100 * n) / busy.length).toFixed(1).padStart(5)} %  ${k}`);
  out.push(`  CPU profile of ${CALLS.toLocaleString('en')} track() calls, 100 per task, and the queue's work between them (${busy.length} busy samples of 50 µs), top self time:`, ...top(self));
  out.push('  top inclusive time:', ...top(incl));
}

// What one position costs the geofences plugin with 1,000 fences: the plugin's own work per fix
// (the latitude band, distances, the state read from and written to localStorage), fixes fed
// straight to its watchPosition callback by a stand-in for the Geolocation API.
async function geofenceCost() {
  const collector = await startTestCollector();
  const site = await startSite({ pages: { '/bench.html': PAGE }, headers: ISOLATED });
  try {
    const { context, page } = await open(site, collector, {});
    const r = await page.evaluate(async ({ fences, fixes }) => {
      const { createTracker, geofences } = await import('/dist/crumbtrail.mjs');
      // 1,000 stores scattered over a city about 40 km wide; the visitor walks through its centre.
      const at = (i, spread) => ({ lat: 41 + (((i * 7919) % 1000) / 1000 - 0.5) * spread, lng: 29 + (((i * 104729) % 1000) / 1000 - 0.5) * spread });
      const list = Array.from({ length: fences }, (_, i) => ({ id: 'store-' + i, ...at(i, 0.4), radius: 50 + (i % 5) * 50 }));
      let onFix;
      const geolocation = { watchPosition: (ok) => ((onFix = ok), 1), clearWatch() {}, getCurrentPosition() {} };
      const permissions = { query: async () => ({ state: 'granted' }) };
      const t = createTracker({ collector: '/none', storage: 'memory', namespace: 'geobench', batch: { flushIntervalMs: 3_600_000 },
        plugins: [geofences({ fences: list, geolocation, permissions })] });
      while (!onFix) await new Promise((ok) => setTimeout(ok, 10));
      const fix = (i) => ({ coords: { ...(({ lat, lng }) => ({ latitude: lat, longitude: lng }))(at(i, 0.05)), accuracy: 10 } });
      for (let i = 0; i < 1000; i++) onFix(fix(i));
      const times = [];
      for (let i = 0; i < fixes; i += 100) {
        const t0 = performance.now();
        for (let j = i; j < i + 100; j++) onFix(fix(j));
        times.push((performance.now() - t0) / 100);
      }
      await t.shutdown();
      times.sort((a, b) => a - b);
      return { median: times[times.length >> 1], p99: times[Math.floor(times.length * 0.99)] };
    }, { fences: 1000, fixes: 20_000 });
    out.push('', `Geofences: 1,000 fences, 20,000 fixes fed to the plugin (after 1,000 warm-up), timed 100 at a time`);
    row('PER FIX, median of the blocks', us(r.median));
    row('per fix, p99 of the blocks', us(r.p99));
    if (r.median > 1) failures.push(`a fix against 1,000 fences took ${us(r.median)}, over 1 ms`);
    await context.close();
  } finally {
    await Promise.all([site.close(), collector.close()]);
  }
}

async function delivery() {
  const collector = await startTestCollector();
  const site = await startSite({ pages: { '/bench.html': PAGE }, headers: ISOLATED });
  let storedAt = 0;
  const storedIds = [];
  collector.onEvent((e) => {
    if (storedIds.push(e.id) == DELIVER) storedAt = Date.now();
  });
  try {
    // Default batch and queue options: what a site gets.
    const { context, page } = await open(site, collector, {});
    const r = await page.evaluate(
      async ({ total, burst, perTask }) => {
        const next = perTask
          ? () =>
              new Promise((ok) => {
                const c = new MessageChannel();
                c.port1.onmessage = () => ok();
                c.port2.postMessage(0);
              })
          : () => new Promise(requestAnimationFrame);
        // Kept in the page until the long tasks were read: returning 10,000 ids from here would
        // serialize them in the last frame, a long task of the bench's own.
        const ids = (window.ids = []);
        let t0 = 0;
        let p0 = 0;
        let longestBurst = 0;
        for (let i = 0; i < total; ) {
          await next();
          const s = performance.now();
          if (!i) [t0, p0] = [Date.now(), s];
          for (const end = Math.min(total, i + burst); i < end; i++) {
            ids.push(tracker.track('add_to_cart', { sku: `A-${i}`, price: 19.9, qty: 1, list: 'search results' }));
          }
          longestBurst = Math.max(longestBurst, performance.now() - s);
        }
        return { t0, p0, trackedMs: performance.now() - p0, longestBurst };
      },
      { total: DELIVER, burst: BURST, perTask: PER_TASK },
    );
    // Done when the collector holds every event, or when the page has accounted for each one as
    // sent or dropped (then no more will come).
    await Promise.race([
      collector.waitForEvents(DELIVER, { timeoutMs: DELIVERY_TIMEOUT_MS }),
      page.waitForFunction((total) => sent + drops.reduce((n, d) => n + d.count, 0) >= total, DELIVER, {
        polling: 100,
        timeout: DELIVERY_TIMEOUT_MS,
      }),
    ]).catch(() => {});
    // A long task is reported a little after it ended.
    await page.waitForTimeout(200);
    const after = await page.evaluate((p0) => {
      const during = (t) => t.start + t.ms >= p0;
      return {
        longTasks: longTasks.filter(during),
        longFrames: longFrames.filter((t) => during(t) && t.blocking > 0),
        lastSentAt: window.lastSentAt,
        writes: writes.map((w) => ({ n: w.n, ms: w.ms })),
        errors,
        drops,
      };
    }, r.p0);
    const trackedIds = await page.evaluate(() => ids);
    await context.close();

    const raw = collector.raw();
    // Ids the collector accepted: a retried failure would be no duplicate, but the run has none.
    const posted = raw.filter((p) => p.status < 300).flatMap((p) => p.ids);
    const refused = raw.filter((p) => p.status >= 300).length;
    const sizes = raw.map((p) => p.ids.length).sort((a, b) => a - b);
    const statuses = [...new Set(raw.map((p) => p.status))].join(', ');
    const stored = new Set(storedIds);
    const tracked = new Set(trackedIds);
    const missing = trackedIds.filter((id) => !stored.has(id)).length;
    const foreign = storedIds.filter((id) => !tracked.has(id)).length;
    const storedTwice = storedIds.length - stored.size;
    const postedTwice = posted.length - new Set(posted).size;
    const longest = Math.max(0, ...after.longTasks.map((t) => t.ms));
    const lastTrack = r.t0 + r.trackedMs;

    out.push(`\nDelivery: ${DELIVER.toLocaleString('en')} events to the local collector, default options, ${BURST} track() calls per ${PER_TASK ? 'task' : 'animation frame'}`);
    row('tracking (first to last track())', `${r.trackedMs.toFixed(0)} ms`);
    row('DELIVERED: first track() to all ids at collector', storedAt ? `${storedAt - r.t0} ms` : `NOT DONE: ${stored.size} of ${DELIVER} stored`);
    row('  of which after the last track()', storedAt ? `${(storedAt - lastTrack).toFixed(0)} ms` : '-');
    row('  page saw its last acknowledgement', after.lastSentAt ? `${(after.lastSentAt - r.p0).toFixed(0)} ms` : '-');
    row('POSTS (collector side)', `${raw.length} (status ${statuses}), ${sizes[0]}-${sizes[sizes.length - 1]} events each, ${(raw.reduce((s, p) => s + p.bytes, 0) / 1024).toFixed(0)} KiB`);
    row('ids missing / stored twice / accepted twice', `${missing} / ${storedTwice} / ${postedTwice}`);
    row(`longest burst of ${BURST} track() calls`, `${r.longestBurst.toFixed(1)} ms`);
    const counts = after.writes.map((w) => w.n).sort((a, b) => a - b);
    const biggest = after.writes.reduce((b, w) => (w.ms > b.ms ? w : b), { n: 0, ms: 0 });
    row(
      'IndexedDB write transactions (events each)',
      `${after.writes.length} (${counts[0]}-${counts[counts.length - 1]}); longest: ${biggest.n} events, ${biggest.ms.toFixed(0)} ms of put()`,
    );
    row(
      'LONGEST MAIN-THREAD TASK (longtask)',
      after.longTasks.length
        ? `${longest.toFixed(0)} ms (${after.longTasks.length} of ${LONG_TASK_MS} ms or more)`
        : `none observed: every task was under ${LONG_TASK_MS} ms`,
    );
    for (const f of after.longFrames) {
      const scripts = f.scripts.map((s) => `${s.what.trim()} ${s.ms.toFixed(0)} ms`).join('; ');
      row('  long animation frame', `at ${(f.start - r.p0).toFixed(0)} ms: ${f.ms.toFixed(0)} ms, blocking ${f.blocking.toFixed(0)} ms; scripts: ${scripts || 'none (GC, layout, or the CPU was busy elsewhere)'}`);
    }

    if (missing) failures.push(`${missing} of ${DELIVER} events did not reach the collector`);
    if (foreign) failures.push(`the collector stored ${foreign} events that were not tracked`);
    if (storedTwice) failures.push(`the collector stored ${storedTwice} ids twice`);
    if (postedTwice) failures.push(`${postedTwice} ids were accepted in more than one POST`);
    if (refused) failures.push(`the collector refused ${refused} POSTs`);
    if (longest > LONG_TASK_MS) failures.push(`a main-thread task took ${longest.toFixed(0)} ms (limit ${LONG_TASK_MS} ms)`);
    if (after.errors.length) failures.push(`the delivery page reported errors: ${after.errors.slice(0, 3).join(' | ')}`);
    if (after.drops.length) failures.push(`the delivery page dropped events: ${JSON.stringify(after.drops.slice(0, 3))}`);
  } finally {
    await site.close();
    await collector.close();
  }
}
