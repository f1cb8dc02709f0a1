// One visitor's trail: the stored events, then new ones live from the event stream. The whole
// trail is re-rendered on each change (it is a few hundred events at most); new crumbs flash.
import { duration, groupTrail, summarizeStop, vitalValue } from './trail.js';

const id = new URLSearchParams(location.search).get('anonymousId') || '';
const trail = document.querySelector('[data-trail]');
const events = new Map();
const fresh = new Set();
document.querySelector('[data-visitor]').textContent = id || '(none)';
document.title = `Trail of ${id.slice(0, 8)} · crumbtrail journeys`;

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

const clock = (ts) => new Date(ts).toLocaleTimeString();
const pathOf = (page) => {
  try {
    const u = new URL(page.url);
    return u.pathname + u.search;
  } catch {
    return page?.path || '';
  }
};
const propsText = (props) =>
  Object.entries(props || {})
    .filter(([, v]) => v !== null && typeof v !== 'object')
    .map(([k, v]) => `${k} ${v}`)
    .join(' · ');

function crumb(kind, icon, text, e) {
  const li = el('li', `crumb ${kind}`);
  li.dataset.kind = kind;
  li.append(el('span', 'icon', icon), el('span', 'text', text));
  if (e && fresh.has(e.id)) li.classList.add('fresh');
  return li;
}

function placeText(e) {
  const p = e.props || {};
  const where = p.name || p.fenceId || '';
  switch (e.type) {
    case 'geofence_enter': return ['📍', `Entered ${where}${p.distance != null ? ` (${p.distance} m from the centre)` : ''}`];
    case 'geofence_dwell': return ['📍', `Lingered at ${where}`];
    case 'geofence_exit': return ['📍', `Left ${where}`];
    case 'coupon_shown': return ['🎟️', `Coupon shown: ${p.title || p.code || p.couponId || where}`];
    case 'coupon_clicked': return ['🎟️', `Coupon used: ${p.title || p.code || p.couponId || where}`];
    case 'coupon_dismissed': return ['🎟️', `Coupon dismissed: ${p.title || p.code || p.couponId || where}`];
    default: return ['•', `${e.type} ${propsText(p)}`];
  }
}

function renderStop(stop) {
  const s = summarizeStop(stop);
  const view = stop.view;
  const li = el('li', 'stop');
  li.dataset.stop = view ? pathOf(view.page) : '';
  if (view && fresh.has(view.id)) li.classList.add('fresh');
  li.append(el('div', 'when', clock(view ? view.ts : stop.events[0].ts)));
  const card = el('div', 'card');
  const head = el('h2');
  head.append(el('span', 'title', view ? view.page?.title || 'Untitled page' : 'Before the first page view'));
  if (view) head.append(el('span', 'path', pathOf(view.page)));
  card.append(head);

  if (s.dwell) {
    const d = s.dwell;
    const parts = [`Stayed ${duration(d.visibleMs)}`];
    if (d.activeMs != null) parts.push(`active ${duration(d.activeMs)}`);
    if (d.maxScrollPct != null) parts.push(`scrolled ${d.maxScrollPct}%`);
    const p = el('p', 'dwell', `⏱ ${parts.join(' · ')}`);
    p.dataset.kind = 'dwell';
    card.append(p);
  }
  const list = el('ul', 'crumbs');
  for (const v of s.videos.values()) {
    const how = v.summary ? `watched ${v.percent}% (${duration(v.watchedMs)})` : v.percent ? `reached ${v.percent}%` : 'started';
    list.append(crumb('video', '▶️', `${v.title}: ${how}`));
    const bar = el('div', 'meter');
    const fill = el('span');
    fill.style.width = `${Math.min(100, v.percent || 0)}%`; // CSSOM, allowed by a strict CSP
    bar.append(fill);
    list.lastChild.append(bar);
  }
  for (const e of s.places) {
    const [icon, text] = placeText(e);
    list.append(crumb(e.type.startsWith('coupon_') ? 'coupon' : 'place', icon, text, e));
  }
  for (const e of s.actions) {
    if (e.type === 'identify') list.append(crumb('identify', '👤', `Identified as ${e.userId || '?'} ${propsText(e.props)}`.trim(), e));
    else if (e.type === 'track') list.append(crumb('action', '★', `${e.name} ${propsText(e.props)}`.trim(), e));
    else if (e.type === 'sdk_error') list.append(crumb('error', '⚠️', `SDK error: ${e.props?.message || ''}`, e));
    else list.append(crumb('other', '•', `${e.type} ${propsText(e.props)}`.trim(), e));
  }
  if (list.children.length) card.append(list);
  if (s.vitals.size) {
    const vitals = el('div', 'vitals');
    for (const name of ['TTFB', 'FCP', 'LCP', 'INP', 'CLS']) {
      const v = s.vitals.get(name);
      if (!v) continue;
      const chip = el('span', `vital ${v.rating}`, `${name} ${vitalValue(v)}`);
      chip.dataset.kind = 'vital';
      chip.title = `${name}: ${v.rating}`;
      vitals.append(chip);
    }
    card.append(vitals);
  }
  li.append(card);
  return li;
}

// One stop the page cannot make sense of (the collector stores what any page sent) must not
// blank the whole trail.
function renderSafely(stop) {
  try {
    return renderStop(stop);
  } catch {
    return el('li', 'stop', 'A stop whose events could not be shown');
  }
}

let queued = false;
function render() {
  queued = false;
  const stops = groupTrail([...events.values()]);
  document.querySelector('[data-empty]').hidden = stops.length > 0;
  const views = stops.filter((s) => s.view).length;
  const last = [...events.values()].reduce((m, e) => Math.max(m, e.ts), 0);
  const user = [...events.values()].findLast?.((e) => e.userId)?.userId;
  document.querySelector('[data-meta]').textContent = events.size
    ? `${events.size} events · ${views} page views${user ? ` · identified as ${user}` : ''} · last seen ${new Date(last).toLocaleString()}`
    : '';
  trail.replaceChildren(...stops.map(renderSafely));
  fresh.clear();
}
const schedule = () => {
  if (!queued) requestAnimationFrame(render);
  queued = true;
};

const add = (e, isNew) => {
  if (events.has(e.id)) return;
  events.set(e.id, e);
  if (isNew) fresh.add(e.id);
};

const live = document.querySelector('[data-live]');
if (!id) throw new Error('journey: open this page from the visitors list (?anonymousId= is missing)');
// Subscribe first, then load what is stored: an event arriving in between is in one or both,
// and the Map keeps it once. Again at each reconnection: the stream does not replay what was
// stored while it was down.
const load = () =>
  fetch(`/v1/events?anonymousId=${encodeURIComponent(id)}`)
    .then((r) => r.json())
    .then((list) => {
      for (const e of list) add(e, false);
      render();
    }, () => {});
const stream = new EventSource(`/v1/stream?anonymousId=${encodeURIComponent(id)}`);
stream.onopen = () => {
  live.textContent = 'live';
  live.classList.add('on');
  load();
};
stream.onerror = () => {
  live.textContent = 'reconnecting…';
  live.classList.remove('on');
};
stream.addEventListener('crumb', (m) => {
  add(JSON.parse(m.data), true);
  schedule();
});
// Also now, in case the stream never opens (a proxy that buffers it).
load();
