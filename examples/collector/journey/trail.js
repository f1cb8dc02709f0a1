// Turns a visitor's events into a trail: one stop per page view, each with what happened there.
// Pure functions (no DOM), shared by the visitor page and the collector's tests.

/** Order of events: time, then the tracker's sequence number. */
export const byTime = (a, b) => a.ts - b.ts || (a.seq || 0) - (b.seq || 0);

/**
 * Groups events into stops. An event joins the page view named by its `pageViewId` (dwell),
 * else the latest earlier view of the same URL, else the latest earlier view, else the first.
 * Events before any page view (an identify replayed from the stub) join the first stop.
 * @returns {{ view: object | null, events: object[] }[]}
 */
export function groupTrail(events) {
  const sorted = [...events].sort(byTime);
  const stops = [];
  const byView = new Map();
  for (const e of sorted) {
    if (e.type !== 'page_view') continue;
    const stop = { view: e, events: [] };
    stops.push(stop);
    byView.set(e.id, stop);
  }
  const early = [];
  for (const e of sorted) {
    if (e.type === 'page_view') continue;
    let stop = byView.get(e.props?.pageViewId);
    if (!stop) {
      const before = stops.filter((s) => s.view.ts <= e.ts);
      stop = before.findLast((s) => s.view.page?.url === e.page?.url) || before.at(-1);
    }
    if (stop) stop.events.push(e);
    else early.push(e);
  }
  if (!stops.length) return early.length ? [{ view: null, events: early }] : [];
  stops[0].events.unshift(...early);
  return stops;
}

/**
 * What one stop amounts to: dwell (the last page_leave of the view), one line per video (its
 * last summary, else how far it got), geofences and coupons, vitals by name, and other events.
 */
export function summarizeStop(stop) {
  const out = { dwell: null, videos: new Map(), vitals: new Map(), places: [], actions: [] };
  for (const e of stop.events) {
    const p = e.props || {};
    if (e.type === 'page_leave' || e.type === 'page_ping') out.dwell = p;
    else if (e.type.startsWith('video_')) {
      const key = p.videoId || p.src || 'video';
      const v = out.videos.get(key) || { title: p.title || key, duration: p.duration, percent: 0, watchedMs: 0, events: [] };
      v.events.push(e.type.slice(6));
      if (e.type === 'video_progress') v.percent = Math.max(v.percent, p.percent || 0);
      if (e.type === 'video_complete') v.percent = 100;
      if (e.type === 'video_summary') {
        v.percent = p.percentWatched ?? v.percent;
        v.watchedMs = p.watchedMs ?? v.watchedMs;
        v.summary = true;
      }
      out.videos.set(key, v);
    } else if (e.type === 'web_vital') {
      // The collector takes props from any page: a vital that is not a number is not shown.
      if (typeof p.value === 'number' && isFinite(p.value)) out.vitals.set(p.name, p);
    }
    else if (e.type.startsWith('geofence_') || e.type.startsWith('coupon_')) out.places.push(e);
    else if (e.type !== 'engaged') out.actions.push(e);
  }
  return out;
}

/** 72500 → "1m 13s"; 900 → "0.9s". */
export function duration(ms) {
  if (typeof ms !== 'number' || !isFinite(ms)) return '–';
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m ${s % 60}s`;
}

/** A vital's value as people read it: CLS unitless, the others in ms or s. */
export function vitalValue(v) {
  if (v.name === 'CLS') return v.value.toFixed(3);
  return v.value >= 1000 ? `${(v.value / 1000).toFixed(2)} s` : `${Math.round(v.value)} ms`;
}
