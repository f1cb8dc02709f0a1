// The visitors list: fetched at load and at each (re)connection of the live stream, then again
// (at most every half second) while new events arrive on it.
const tbody = document.querySelector('[data-visitors] tbody');
const time = (ts) => new Date(ts).toLocaleString();

function cell(row, text, className) {
  const td = row.insertCell();
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

async function load() {
  const visitors = await (await fetch('/v1/visitors')).json();
  document.querySelector('[data-empty]').hidden = visitors.length > 0;
  document.querySelector('[data-visitors]').hidden = !visitors.length;
  tbody.textContent = '';
  for (const v of visitors) {
    const row = tbody.insertRow();
    row.dataset.visitor = v.anonymousId;
    const who = row.insertCell();
    const link = document.createElement('a');
    link.href = `/visitor?anonymousId=${encodeURIComponent(v.anonymousId)}`;
    link.textContent = v.anonymousId.slice(0, 8);
    link.title = v.anonymousId;
    who.append(link);
    if (v.userId) {
      const badge = document.createElement('span');
      badge.className = 'badge';
      badge.textContent = v.userId;
      who.append(' ', badge);
    }
    cell(row, time(v.firstSeen), 'muted');
    cell(row, time(v.lastSeen));
    cell(row, v.events, 'num');
    cell(row, v.pageViews, 'num');
    cell(row, v.lastPath || '', 'path');
  }
}

let timer;
const live = document.querySelector('[data-live]');
const stream = new EventSource('/v1/stream');
stream.onopen = () => {
  live.textContent = 'live';
  live.classList.add('on');
  // After a reconnection: the stream does not replay what was stored while it was down.
  load();
};
stream.onerror = () => {
  live.textContent = 'reconnecting…';
  live.classList.remove('on');
};
// A throttle, not a debounce: on a busy site crumbs never pause for half a second, and a
// debounced list would never refresh.
stream.addEventListener('crumb', () => {
  timer ||= setTimeout(() => {
    timer = 0;
    load();
  }, 500);
});
load();
