import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Collector, StoredEvent } from '../../examples/collector/server.mjs';
import { collectConsole, launchBrowser, startSite, startTestCollector, type ConsoleRecord, type Site } from './harness';
import { IMPORT_MAP, NODE_MODULES } from './pages';

// The fixture is a 6.000 s VP8 WebM of 60 blue 64x48 frames (ffprobe), 2.3 KB, committed so that
// the tests need no ffmpeg. An equivalent one:
// `ffmpeg -f lavfi -i color=blue:size=64x48:rate=10:duration=6 -c:v libvpx blue-6s.webm`.
const VIDEO = '/media/blue-6s.webm';

let browser: Browser;
let site: Site;
let collector: Collector;

// A page with a tracker whose only source is the video plugin, flushing every 100 ms. `body` is
// the page's markup, `script` runs after the tracker exists.
const videoPage = (body: string, script = '') => `<!doctype html><html><head><title>Video</title>
<script type="importmap">${IMPORT_MAP}</script></head><body>${body}
<script type="module">
import { createTracker, videoEngagement } from '/dist/crumbtrail.mjs';
const q = new URLSearchParams(location.search);
window.tracker = createTracker({ collector: q.get('c'), namespace: q.get('ns'), batch: { flushIntervalMs: 100 }, plugins: [videoEngagement()] });
${script}
window.ready = true;
</script></body></html>`;

const video = `<video id="v" src="${VIDEO}" muted playsinline data-crumbtrail-title="Blue"></video>`;

beforeAll(async () => {
  [browser, collector] = await Promise.all([launchBrowser(), startTestCollector()]);
  site = await startSite({
    mounts: { ...NODE_MODULES, '/media/': 'test/fixtures/video' },
    pages: {
      // The page counts the stalls the browser itself reports (`waiting` after playback began,
      // outside a seek): a starved machine can stall even a local 6 s file. It notes the ended
      // event for ended().
      '/video.html': videoPage(
        `${video}<button id="play" onclick="v.play()">Play</button>`,
        `window.stalls = 0; let began = false;
v.addEventListener('playing', () => (began = true));
v.addEventListener('waiting', () => began && !v.seeking && stalls++);
v.addEventListener('ended', () => (window.endedFired = true));`,
      ),
      '/script.html': `<!doctype html><html><head><title>Script tag</title>
<script async src="/dist/crumbtrail.min.js" data-collector="${collector.batchUrl}" data-plugins="video" data-namespace="videotag" data-flush-interval="100"></script>
</head><body><video id="tagged" src="${VIDEO}?token=signed-abc&v=2" muted autoplay></video></body></html>`,
      // Not muted: under a policy that wants a user gesture, Chromium blocks its autoplay.
      '/blocked.html': videoPage(
        `<video id="v" src="${VIDEO}" autoplay playsinline></video><button id="play" onclick="v.play()">Play</button>`,
        `v.addEventListener('play', () => (window.playedAt ??= performance.now()));
play.addEventListener('click', () => (window.clickedAt ??= performance.now()));
console.log('ready');`,
      ),
      '/later.html': videoPage(
        '<main id="main"></main>',
        `setTimeout(() => {
  main.insertAdjacentHTML('beforeend', '<video id="late" src="${VIDEO}" muted autoplay title="Late"></video><div id="host"></div>');
  host.attachShadow({ mode: 'open' }).innerHTML = '<video src="${VIDEO}" muted autoplay data-crumbtrail-video-id="shadowed"></video>';
}, 2000);`,
      ),
    },
  });
});
afterAll(async () => {
  await Promise.all([browser?.close(), site?.close(), collector?.close()]);
});

interface Props {
  videoId: string;
  title: string;
  src: string;
  duration: number | null;
  currentTime: number | null;
  autoplay: boolean;
  from?: number;
  to?: number;
  percent?: number;
  watchedMs: number;
  uniqueSecondsWatched: number;
  percentWatched: number;
  seeks: number;
  rebuffers: number;
  rebufferMs: number;
  playbackRates: number[];
  mutedPct: number;
  fullscreen: boolean;
}
const props = (e: StoredEvent) => e.props as Props;
let n = 0;

/**
 * Opens `path` in a fresh context and waits for its tracker (unless `wait` is false); the
 * namespace tells its events from other pages'. Playwright runs waitForFunction and evaluate as
 * user gestures, and a gesture makes the page's user activation active for 5 s.
 */
async function open(path: string, wait = true): Promise<{ page: Page; log: ConsoleRecord; ns: string }> {
  const ns = `video${n++}`;
  const context = await browser.newContext();
  const page = await context.newPage();
  const log = collectConsole(page);
  await page.goto(`${site.url}${path}?c=${encodeURIComponent(collector.batchUrl)}&ns=${ns}`);
  if (wait) await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready);
  return { page, log, ns };
}

/** Closes the page (a real `pagehide`) and returns its video events, in order, once its summaries came. */
async function leave(page: Page, ns: string, summaries = 1): Promise<StoredEvent[]> {
  // The context outlives the page until the beacons sent at its close have arrived.
  await page.close();
  const mine = (all: StoredEvent[]) => all.filter((e) => (e.page as { url: string }).url.endsWith(`ns=${ns}`));
  const all = await collector.waitForEvents((all) => mine(all).filter((e) => e.type == 'video_summary').length >= summaries);
  await page.context().close();
  return mine(all).sort((a, b) => (a.seq as number) - (b.seq as number));
}

const types = (events: StoredEvent[]) => events.map((e) => e.type);
const percents = (events: StoredEvent[]) => events.filter((e) => e.type == 'video_progress').map((e) => props(e).percent);
const summaryOf = (events: StoredEvent[]) => props(events.find((e) => e.type == 'video_summary')!);
// The ended event, not the ended attribute, which is true before the event's task has run (a
// loaded machine closed the page in between once, before the plugin heard of the end). The
// plugin's listener runs in the same dispatch as the page's.
const ended = (page: Page) => page.waitForFunction(() => (window as unknown as { endedFired?: boolean }).endedFired, null, { timeout: 15_000 });
const mediaTime = (page: Page) => page.evaluate(() => (document.getElementById('v') as HTMLVideoElement).currentTime);

describe('video engagement in real Chromium', () => {
  it('a 6 s video played to the end reports start, every milestone once, complete and a summary of 6 s', async () => {
    const { page, log, ns } = await open('/video.html');
    await page.click('#play');
    await ended(page);
    const stalls = await page.evaluate(() => (window as unknown as { stalls: number }).stalls);
    const events = await leave(page, ns);

    expect(types(events)).toEqual([
      'video_start',
      ...Array(5).fill('video_progress'),
      'video_complete',
      'video_summary',
    ]);
    expect(percents(events)).toEqual([10, 25, 50, 75, 90]);
    expect(props(events[0]!)).toMatchObject({ videoId: 'v', title: 'Blue', src: `${site.url}${VIDEO}`, duration: 6, currentTime: 0, autoplay: false });
    const s = summaryOf(events);
    expect(Math.abs(s.uniqueSecondsWatched - 6)).toBeLessThanOrEqual(0.5);
    expect(Math.abs(s.watchedMs - 6000)).toBeLessThanOrEqual(300);
    expect(s).toMatchObject({ percentWatched: 100, seeks: 0, rebuffers: stalls, playbackRates: [1], mutedPct: 100, fullscreen: false });
    expect(log.errors()).toEqual([]);
  });

  it('a seek from 1 s to 5 s counts only what played: the 10 and 25 % milestones, about 2 unique seconds, one seek', async () => {
    const { page, log, ns } = await open('/video.html');
    await page.evaluate(() => (document.getElementById('v') as HTMLVideoElement).play());
    await page.waitForFunction(() => (document.getElementById('v') as HTMLVideoElement).currentTime >= 1);
    await page.evaluate(() => ((document.getElementById('v') as HTMLVideoElement).currentTime = 5));
    await ended(page);
    const stalls = await page.evaluate(() => (window as unknown as { stalls: number }).stalls);
    const events = await leave(page, ns);

    expect(percents(events)).toEqual([10, 25]);
    expect(types(events).filter((t) => t != 'video_progress')).toEqual(['video_start', 'video_seek', 'video_complete', 'video_summary']);
    const seek = props(events.find((e) => e.type == 'video_seek')!);
    expect(seek.to).toBe(5);
    expect(seek.from).toBeGreaterThanOrEqual(0.9);
    expect(seek.from).toBeLessThanOrEqual(1.3);
    const s = summaryOf(events);
    expect(Math.abs(s.uniqueSecondsWatched - 2)).toBeLessThanOrEqual(0.5);
    expect(s).toMatchObject({ seeks: 1, rebuffers: stalls });
    if (!stalls) expect(s.rebufferMs).toBe(0);
    expect(log.errors()).toEqual([]);
  });

  it('pause and resume are reported and the paused time is not watched time', async () => {
    const { page, log, ns } = await open('/video.html');
    await page.evaluate(() => (document.getElementById('v') as HTMLVideoElement).play());
    await page.waitForFunction(() => (document.getElementById('v') as HTMLVideoElement).currentTime >= 1);
    await page.evaluate(() => (document.getElementById('v') as HTMLVideoElement).pause());
    await page.waitForTimeout(1000);
    await page.evaluate(() => (document.getElementById('v') as HTMLVideoElement).play());
    await page.waitForFunction(() => (document.getElementById('v') as HTMLVideoElement).currentTime >= 2.5);
    const played = await mediaTime(page);
    const stalls = await page.evaluate(() => (window as unknown as { stalls: number }).stalls);
    const events = await leave(page, ns);

    expect(types(events).filter((t) => t != 'video_progress')).toEqual(['video_start', 'video_pause', 'video_resume', 'video_summary']);
    const s = summaryOf(events);
    // At rate 1 the media time played is the wall time spent playing; the second of pause is not in it.
    expect(Math.abs(s.watchedMs - played * 1000)).toBeLessThanOrEqual(300);
    expect(s.watchedMs).toBeLessThan(3300);
    expect(s).toMatchObject({ seeks: 0, rebuffers: stalls });
    expect(log.errors()).toEqual([]);
  });

  it('a video that plays on in a hidden tab is summed up in full when that tab is closed', async () => {
    const { page, log, ns } = await open('/video.html');
    await page.evaluate(() => (document.getElementById('v') as HTMLVideoElement).play());
    await page.waitForFunction(() => (document.getElementById('v') as HTMLVideoElement).currentTime >= 1);
    // Synthetic hide (BROWSER-TESTING.md: a live page cannot be made hidden); the video plays on.
    await page.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await ended(page);
    // Closing the hidden tab fires pagehide only.
    const events = await leave(page, ns, 2);

    const summaries = events.filter((e) => e.type == 'video_summary').map((e) => props(e).watchedMs);
    expect(summaries).toHaveLength(2);
    expect(summaries[0]).toBeLessThan(3000);
    expect(Math.abs(summaries[1]! - 6000)).toBeLessThanOrEqual(300);
    expect(log.errors()).toEqual([]);
  });

  it('at playback rate 2 the watched time is half the media seconds played', async () => {
    const { page, log, ns } = await open('/video.html');
    await page.evaluate(() => {
      const v = document.getElementById('v') as HTMLVideoElement;
      v.playbackRate = 2;
      return v.play();
    });
    await ended(page);
    const events = await leave(page, ns);

    const s = summaryOf(events);
    expect(Math.abs(s.uniqueSecondsWatched - 6)).toBeLessThanOrEqual(0.5);
    expect(Math.abs(s.watchedMs - (s.uniqueSecondsWatched * 1000) / 2)).toBeLessThanOrEqual(300);
    expect(s.playbackRates).toEqual([2]);
    expect(percents(events)).toEqual([10, 25, 50, 75, 90]);
    expect(log.errors()).toEqual([]);
  });

  it('the script-tag build tracks the page\'s videos with data-plugins="video", a signed src redacted', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const log = collectConsole(page);
    await page.goto(`${site.url}/script.html`);
    const tagged = (all: StoredEvent[]) => all.filter((e) => props(e).videoId == 'tagged');
    const [start] = tagged(await collector.waitForEvents((all) => tagged(all).length > 0, { filter: { type: 'video_start' } }));
    expect(props(start!)).toMatchObject({ videoId: 'tagged', duration: 6, autoplay: true, src: `${site.url}${VIDEO}?token=REDACTED&v=2` });
    expect(log.errors()).toEqual([]);
    await page.close();
    const events = tagged(await collector.waitForEvents((all) => tagged(all).some((e) => e.type == 'video_summary')));
    // The minified build must not complete a video that is far from its end.
    expect(types(events).filter((t) => t != 'video_progress')).toEqual(['video_start', 'video_summary']);
    await context.close();
  });

  it('videos inserted 2 s after load, in the page and in an open shadow root, are tracked; removing one sends its summary', async () => {
    // No call may reach the page before the videos have started, or they would not count as
    // autoplayed (see open).
    const { page, log, ns } = await open('/later.html', false);
    await collector.waitForEvents((all) => all.filter((e) => e.type == 'video_start' && (e.page as { url: string }).url.endsWith(`ns=${ns}`)).length >= 2);
    await page.waitForFunction(() => (document.getElementById('late') as HTMLVideoElement | null)?.currentTime! > 0.5, null, { timeout: 10_000 });
    await page.evaluate(() => document.getElementById('late')!.remove());
    const events = await leave(page, ns, 2);

    const late = events.filter((e) => props(e).videoId == 'late');
    expect(types(late).filter((t) => t != 'video_progress')).toEqual(['video_start', 'video_summary']);
    expect(props(late[0]!)).toMatchObject({ title: 'Late', autoplay: true });
    const shadowed = events.filter((e) => props(e).videoId == 'shadowed');
    expect(types(shadowed)[0]).toBe('video_start');
    expect(types(shadowed)).toContain('video_summary');
    // The removed video's summary comes before the page is left, with what it played by then.
    expect(summaryOf(late).uniqueSecondsWatched).toBeGreaterThanOrEqual(0.5);
    expect(log.errors()).toEqual([]);
  });

  it('a video taken out of the page while it plays and put back carries on its view: one start, no milestone twice, unique seconds once', async () => {
    const { page, log, ns } = await open('/video.html');
    await page.evaluate(() => (document.getElementById('v') as HTMLVideoElement).play());
    await page.waitForFunction(() => (document.getElementById('v') as HTMLVideoElement).currentTime >= 1.6);
    // Taken out (Chromium pauses it), kept aside for a second, put back and played on.
    await page.evaluate(() => {
      const v = document.getElementById('v')!;
      v.remove();
      (window as unknown as { kept: HTMLVideoElement }).kept = v as HTMLVideoElement;
    });
    await page.waitForTimeout(1000);
    await page.evaluate(() => {
      const v = (window as unknown as { kept: HTMLVideoElement }).kept;
      document.body.prepend(v);
      return v.play();
    });
    await page.waitForFunction(() => (document.getElementById('v') as HTMLVideoElement).currentTime >= 2.8);
    const events = await leave(page, ns, 2);

    expect(types(events).filter((t) => t != 'video_progress')).toEqual(['video_start', 'video_summary', 'video_summary']);
    // Each milestone once (10 and 25 came again after the put back); whether it reached 50 % (3 s)
    // before the close depends on the machine's speed.
    const reached = percents(events);
    expect(reached.slice(0, 2)).toEqual([10, 25]);
    expect(reached).toEqual([...new Set(reached)].sort((a, b) => a! - b!));
    const [away, last] = events.filter((e) => e.type == 'video_summary').map(props);
    expect(away!.uniqueSecondsWatched).toBeGreaterThanOrEqual(1.5);
    // The last summary supersedes the one sent when it was taken out: the whole view, once. It
    // played from 0 straight on, so its union of played ranges ends where it stopped.
    const stoppedAt = last!.currentTime!;
    expect(stoppedAt).toBeGreaterThanOrEqual(2.8);
    expect(Math.abs(last!.uniqueSecondsWatched - stoppedAt)).toBeLessThanOrEqual(0.3);
    expect(Math.abs(last!.watchedMs - stoppedAt * 1000)).toBeLessThanOrEqual(300);
    expect(log.errors()).toEqual([]);
  });

  it('a video whose autoplay the browser blocked, played by the visitor\'s click, is no autoplay', async () => {
    // Chromium's default policy for unmuted media: autoplay only after the visitor interacted.
    const strict = await launchBrowser({ args: ['--autoplay-policy=document-user-activation-required'] });
    try {
      const ns = `video${n++}`;
      const page = await strict.newPage();
      const log = collectConsole(page);
      // No evaluate before the click: Playwright runs it as a user gesture, which would allow the autoplay.
      const ready = page.waitForEvent('console', (m) => m.text() == 'ready');
      await page.goto(`${site.url}/blocked.html?c=${encodeURIComponent(collector.batchUrl)}&ns=${ns}`);
      await ready;
      await page.waitForTimeout(500);
      await page.click('#play');
      await page.waitForFunction(() => (document.getElementById('v') as HTMLVideoElement).currentTime >= 0.5);
      // The autoplay was blocked: the video played only once clicked.
      const { playedAt, clickedAt } = await page.evaluate(() => {
        const w = window as unknown as { playedAt: number; clickedAt: number };
        return { playedAt: w.playedAt, clickedAt: w.clickedAt };
      });
      expect(playedAt).toBeGreaterThanOrEqual(clickedAt);
      const events = await leave(page, ns);

      const starts = events.filter((e) => e.type == 'video_start');
      expect(starts).toHaveLength(1);
      expect(props(starts[0]!).autoplay).toBe(false);
      expect(log.errors()).toEqual([]);
    } finally {
      await strict.close();
    }
  });

  it('the npm module refuses a selector Chromium cannot parse when the plugin is created, and observes nothing', async () => {
    const { page, log } = await open('/video.html');
    // A string, so that the test runner leaves the page's import() alone.
    const result = await page.evaluate(`(async () => {
      const { videoEngagement } = await import('/dist/crumbtrail.mjs');
      const observe = MutationObserver.prototype.observe;
      let observed = 0;
      MutationObserver.prototype.observe = function (...args) {
        observed++;
        return observe.apply(this, args);
      };
      try {
        videoEngagement({ selector: 'video[' });
        return 'accepted';
      } catch (e) {
        return e.message + ' (observers: ' + observed + ')';
      } finally {
        MutationObserver.prototype.observe = observe;
      }
    })()`);
    expect(result).toBe('crumbtrail: videoEngagement selector is "video["; use a CSS selector (observers: 0)');
    expect(log.errors()).toEqual([]);
    await page.context().close();
  });
});
