import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTracker } from '../../src/core/tracker';
import type { CrumbEvent, Tracker } from '../../src/core/types';
import { onVideo, trackMedia, videoEngagement, type MediaLike, type VideoEventType, type VideoProps } from '../../src/plugins/video';
import * as checked from '../../src/plugins/video-options';
import { playedRanges } from '../../src/plugins/video-ranges';
import { captureTransport, freshNamespace } from '../helpers';

type Seen = [VideoEventType, VideoProps];

/**
 * A media element as the tracking sees it, driven the way Chromium drives a <video>: timeupdate
 * every 250 ms of playing, played ranges, `pause` then `ended` at the end, and `seeking`,
 * `waiting`, `seeked` for a seek. Time is vitest's fake clock.
 */
function fakeMedia(init: Partial<MediaLike> = {}) {
  const target = new EventTarget();
  const played = playedRanges();
  const m = {
    addEventListener: (type: string, fn: (e: Event) => void) => target.addEventListener(type, fn),
    removeEventListener: (type: string, fn: (e: Event) => void) => target.removeEventListener(type, fn),
    currentTime: 0,
    duration: 6,
    paused: true,
    ended: false,
    seeking: false,
    readyState: 4,
    muted: false,
    volume: 1,
    playbackRate: 1,
    played: played as MediaLike['played'],
    currentSrc: 'https://shop.example/media/tour.webm',
    autoplay: false,
    loop: false,
    id: 'tour',
    title: 'Tour',
    dataset: {} as DOMStringMap,
    ...init,
  };
  const fire = (type: string) => target.dispatchEvent(new Event(type));
  const media = {
    m,
    fire,
    clearPlayed: () => played.clear(),
    play() {
      if (m.ended) {
        // A play at the end starts over: the element seeks to 0 first.
        media.seek(0);
        m.ended = false;
      }
      m.paused = false;
      fire('play');
      fire('playing');
    },
    pause() {
      m.paused = true;
      fire('pause');
    },
    /** Plays `seconds` of media (to the end at most), with a timeupdate every `every` ms of wall time. */
    run(seconds: number, every = 250) {
      const end = Math.min(m.duration, m.currentTime + seconds);
      while (m.currentTime < end - 1e-9) {
        const step = Math.min((every / 1000) * m.playbackRate, end - m.currentTime);
        vi.advanceTimersByTime((step / m.playbackRate) * 1000);
        played.add(m.currentTime, m.currentTime + step);
        m.currentTime += step;
        fire('timeupdate');
      }
      if (m.currentTime >= m.duration) {
        if (m.loop) return media.seek(0);
        m.paused = m.ended = true;
        fire('pause');
        fire('ended');
      }
    },
    seek(to: number) {
      m.seeking = true;
      m.currentTime = to;
      fire('seeking');
      fire('waiting');
      m.seeking = false;
      fire('seeked');
    },
  };
  return media;
}

function tracked(init: Partial<MediaLike> = {}, options = {}) {
  const media = fakeMedia(init);
  const seen: Seen[] = [];
  const stop = trackMedia(media.m, (type, props) => seen.push([type, props]), options);
  const types = () => seen.map(([type]) => type);
  const last = (type: VideoEventType) => seen.filter(([t]) => t == type).at(-1)?.[1];
  return { ...media, seen, stop, types, last };
}

const hide = (state: DocumentVisibilityState) => {
  // happy-dom cannot hide a page: set the state and send the event a browser would.
  Object.defineProperty(document, 'visibilityState', { value: state, configurable: true });
  document.dispatchEvent(new Event('visibilitychange'));
};

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
  Reflect.deleteProperty(document, 'visibilityState');
  document.body.innerHTML = '';
});

describe('trackMedia', () => {
  it('a view played to the end sends start, each milestone once, complete, and on stop its summary', () => {
    const v = tracked();
    v.play();
    v.run(6);
    v.stop();
    expect(v.types()).toEqual(['video_start', ...Array(5).fill('video_progress'), 'video_complete', 'video_summary']);
    expect(v.seen.filter(([t]) => t == 'video_progress').map(([, p]) => p.percent)).toEqual([10, 25, 50, 75, 90]);
    expect(v.seen[0]![1]).toEqual({ videoId: 'tour', title: 'Tour', src: 'https://shop.example/media/tour.webm', duration: 6, currentTime: 0, autoplay: false });
    expect(v.last('video_summary')).toEqual({
      videoId: 'tour',
      title: 'Tour',
      src: 'https://shop.example/media/tour.webm',
      duration: 6,
      currentTime: 6,
      autoplay: false,
      watchedMs: 6000,
      uniqueSecondsWatched: 6,
      percentWatched: 100,
      seeks: 0,
      rebuffers: 0,
      rebufferMs: 0,
      playbackRates: [1],
      mutedPct: 0,
      fullscreen: false,
    });
  });

  it('a 4-second video whose timeupdates skip milestones still reports each one it played through, in order', () => {
    const v = tracked({ duration: 4 });
    v.play();
    v.run(4, 1000); // one timeupdate a second: 25 %, 50 %, 75 %, 100 %
    expect(v.seen.filter(([t]) => t == 'video_progress').map(([, p]) => p.percent)).toEqual([10, 25, 50, 75, 90]);
    expect(v.types().filter((t) => t == 'video_complete')).toHaveLength(1);
  });

  it('a seek counts as neither watching nor progress, and the waiting inside it is no rebuffer', () => {
    const v = tracked();
    v.play();
    v.run(1);
    v.seek(5);
    v.run(1);
    v.stop();
    expect(v.seen.filter(([t]) => t == 'video_progress').map(([, p]) => p.percent)).toEqual([10, 25]);
    expect(v.types().filter((t) => t != 'video_progress')).toEqual(['video_start', 'video_seek', 'video_complete', 'video_summary']);
    expect(v.last('video_seek')).toMatchObject({ from: 1, to: 5, currentTime: 5 });
    expect(v.last('video_summary')).toMatchObject({ watchedMs: 2000, uniqueSecondsWatched: 2, percentWatched: 33, seeks: 1, rebuffers: 0 });
  });

  it('a seek between two timeupdates leaves from where playing had got to, not from the last timeupdate', () => {
    const v = tracked();
    v.play();
    v.run(1);
    vi.advanceTimersByTime(200); // 0.2 s more played, no timeupdate yet
    v.seek(4);
    expect(v.last('video_seek')).toMatchObject({ from: 1.2, to: 4 });
  });

  it('pause and play are video_pause and video_resume, and the paused time is not watched', () => {
    const v = tracked();
    v.play();
    v.run(1);
    v.pause();
    vi.advanceTimersByTime(5000);
    v.play();
    v.run(1);
    v.stop();
    expect(v.types().filter((t) => t != 'video_progress')).toEqual(['video_start', 'video_pause', 'video_resume', 'video_summary']);
    expect(v.last('video_summary')).toMatchObject({ watchedMs: 2000, uniqueSecondsWatched: 2 });
  });

  it('the pause that precedes ended is no pause of the visitor', () => {
    const v = tracked();
    v.play();
    v.run(6);
    expect(v.types()).not.toContain('video_pause');
    expect(v.types()).toContain('video_complete');
  });

  it('a stall while playing is a rebuffer with its length, the wait before the first frame is not', () => {
    const v = tracked({ readyState: 1 });
    v.m.paused = false;
    v.fire('play');
    v.fire('waiting'); // start-up: no data yet
    vi.advanceTimersByTime(300);
    v.m.readyState = 4;
    v.fire('playing');
    v.run(1);
    v.m.readyState = 2;
    v.fire('waiting');
    vi.advanceTimersByTime(500);
    v.m.readyState = 4;
    v.fire('playing');
    v.run(1);
    v.stop();
    expect(v.last('video_summary')).toMatchObject({ rebuffers: 1, rebufferMs: 500, watchedMs: 2000 });
  });

  it('watched time is wall time at any rate, with every rate used and the muted share', () => {
    const v = tracked({ playbackRate: 2, muted: true });
    v.play();
    v.run(4); // 2 s of wall time, muted, at 2x
    v.pause();
    v.m.playbackRate = 1;
    v.m.muted = false;
    v.play();
    v.run(2); // 2 s, sound on, at 1x
    v.stop();
    expect(v.last('video_summary')).toMatchObject({ watchedMs: 4000, uniqueSecondsWatched: 6, playbackRates: [2, 1], mutedPct: 50 });
  });

  it('volume 0 counts as muted', () => {
    const v = tracked({ volume: 0 });
    v.play();
    v.run(2);
    v.stop();
    expect(v.last('video_summary')!.mutedPct).toBe(100);
  });

  it('with completeAt, complete comes when that share has played, once', () => {
    const v = tracked({}, { completeAt: 50 });
    v.play();
    v.run(3);
    expect(v.types().at(-1)).toBe('video_complete');
    v.run(3);
    expect(v.types().filter((t) => t == 'video_complete')).toHaveLength(1);
  });

  it("a loop's jump back to the start completes the view and is no seek", () => {
    const v = tracked({ loop: true });
    v.play();
    v.run(6);
    v.run(1);
    v.stop();
    expect(v.types().filter((t) => t == 'video_complete')).toHaveLength(1);
    expect(v.types()).not.toContain('video_seek');
    expect(v.last('video_summary')).toMatchObject({ seeks: 0, watchedMs: 7000, uniqueSecondsWatched: 6 });
  });

  it('a replay after the end is a resume, not a seek, and reports no milestone again', () => {
    const v = tracked();
    v.play();
    v.run(6);
    v.play();
    v.run(2);
    v.stop();
    expect(v.types().filter((t) => t != 'video_progress')).toEqual(['video_start', 'video_complete', 'video_resume', 'video_summary']);
    expect(v.last('video_summary')).toMatchObject({ seeks: 0, watchedMs: 8000 });
  });

  it('a new source sums up the old view and starts a new one with the new identity, its duration unknown until its metadata', () => {
    const v = tracked({ id: '' });
    v.play();
    v.run(2);
    // The load algorithm: paused, position and played reset, then emptied.
    Object.assign(v.m, { paused: true, currentTime: 0, duration: NaN, currentSrc: 'https://shop.example/media/next.webm' });
    v.clearPlayed();
    v.fire('emptied');
    v.play(); // before the new source's metadata
    v.m.duration = 4;
    v.run(1);
    v.stop();
    const starts = v.seen.filter(([t]) => t == 'video_start').map(([, p]) => [p.src, p.duration]);
    expect(starts).toEqual([
      ['https://shop.example/media/tour.webm', 6],
      ['https://shop.example/media/next.webm', null],
    ]);
    const summaries = v.seen.filter(([t]) => t == 'video_summary').map(([, p]) => p);
    expect(summaries.map((p) => [p.videoId, p.watchedMs, p.uniqueSecondsWatched, p.duration])).toEqual([
      ['https://shop.example/media/tour.webm', 2000, 2, 6],
      ['https://shop.example/media/next.webm', 1000, 1, 4],
    ]);
    expect(v.types().filter((t) => t == 'video_start')).toHaveLength(2);
  });

  it('a hidden page gets the totals so far; a second hide with nothing played since sends nothing more', () => {
    const v = tracked();
    v.play();
    v.run(1);
    hide('hidden');
    expect(v.last('video_summary')).toMatchObject({ watchedMs: 1000 });
    hide('visible');
    v.run(1);
    v.pause();
    hide('hidden');
    hide('visible');
    hide('hidden');
    const summaries = v.seen.filter(([t]) => t == 'video_summary');
    expect(summaries.map(([, p]) => p.watchedMs)).toEqual([1000, 2000]);
  });

  it('what played on in a background tab is summed up when that hidden tab is closed (pagehide alone)', () => {
    const v = tracked({ duration: 600 });
    v.play();
    v.run(10);
    hide('hidden');
    v.run(300);
    dispatchEvent(new Event('pagehide'));
    expect(v.seen.filter(([t]) => t == 'video_summary').map(([, p]) => p.watchedMs)).toEqual([10000, 310000]);
  });

  it('sends nothing for media that never played', () => {
    const v = tracked();
    v.seek(3);
    v.fire('pause');
    hide('hidden');
    v.stop();
    expect(v.seen).toEqual([]);
  });

  it('media already playing when tracking begins starts its view at once', () => {
    const media = fakeMedia({ paused: false, currentTime: 2 });
    const seen: VideoEventType[] = [];
    trackMedia(media.m, (type) => seen.push(type));
    expect(seen).toEqual(['video_start']);
  });

  it('the queued play event of media found playing resumes nothing', () => {
    const media = fakeMedia({ paused: false });
    const seen: VideoEventType[] = [];
    trackMedia(media.m, (type) => seen.push(type));
    media.fire('play');
    media.fire('playing');
    expect(seen).toEqual(['video_start']);
  });

  it('stop sends the summary and removes every listener: later events send nothing', () => {
    const v = tracked();
    v.play();
    v.run(1);
    v.stop();
    const count = v.seen.length;
    v.play();
    v.run(2);
    hide('hidden');
    v.stop();
    expect(v.seen.length).toBe(count);
  });

  it('reports fullscreen when the media or an element around it is fullscreen', () => {
    const v = tracked({ closest: (selector: string) => (selector == ':fullscreen' ? document.body : null) });
    v.play();
    v.run(1);
    v.stop();
    expect(v.last('video_summary')!.fullscreen).toBe(true);
  });

  it('a browser that rejects the :fullscreen selector (WebKit before 16.4) throws nothing and still gets every event', () => {
    const closest = () => {
      throw new DOMException("':fullscreen' is not a valid selector.", 'SyntaxError');
    };
    // Already playing when tracked: the first event runs inside trackMedia itself.
    const v = tracked({ closest, paused: false });
    v.run(6);
    v.stop();
    expect(v.types()).toEqual(['video_start', ...Array(5).fill('video_progress'), 'video_complete', 'video_summary']);
    expect(v.last('video_summary')!.fullscreen).toBe(false);
  });
});

describe('identity and autoplay of a <video>', () => {
  const startOf = (el: HTMLMediaElement) => {
    const seen: VideoProps[] = [];
    const stop = trackMedia(el, (_, p) => seen.push(p));
    el.dispatchEvent(new Event('play'));
    stop();
    return seen[0]!;
  };

  it('the id is data-crumbtrail-video-id, else id, else the source; the title data-crumbtrail-title, else title, else aria-label', () => {
    document.body.innerHTML = `<video id="a" data-crumbtrail-video-id="hero" data-crumbtrail-title="Hero" title="t"></video>
<video id="b" title="Bee" aria-label="label"></video><video src="https://shop.example/c.webm" aria-label="See"></video>`;
    const [a, b, c] = [...document.querySelectorAll('video')].map((el) => startOf(el));
    expect([a!.videoId, a!.title]).toEqual(['hero', 'Hero']);
    expect([b!.videoId, b!.title]).toEqual(['b', 'Bee']);
    expect(c!.title).toBe('See');
    expect(c!.videoId).toBe(c!.src);
  });

  it('without user activation a view is autoplayed; with it, started by the visitor', () => {
    const video = document.createElement('video');
    const activation = { isActive: false };
    Object.defineProperty(navigator, 'userActivation', { value: activation, configurable: true });
    try {
      expect(startOf(video).autoplay).toBe(true);
      activation.isActive = true;
      expect(startOf(video).autoplay).toBe(false);
    } finally {
      Reflect.deleteProperty(navigator, 'userActivation');
    }
  });

  it('a video with the autoplay attribute is autoplayed even while a click just before (an SPA route) left user activation on', () => {
    const video = document.createElement('video');
    video.autoplay = true;
    Object.defineProperty(navigator, 'userActivation', { value: { isActive: true }, configurable: true });
    try {
      expect(startOf(video).autoplay).toBe(true);
    } finally {
      Reflect.deleteProperty(navigator, 'userActivation');
    }
  });

  it('a video with the autoplay attribute that plays after a click that came once tracking began (its autoplay blocked) is the visitor\'s', () => {
    const video = document.createElement('video');
    video.autoplay = true;
    const activation = { isActive: false };
    Object.defineProperty(navigator, 'userActivation', { value: activation, configurable: true });
    try {
      const seen: VideoProps[] = [];
      const stop = trackMedia(video, (_, p) => seen.push(p));
      activation.isActive = true;
      video.dispatchEvent(new Event('play'));
      stop();
      expect(seen[0]!.autoplay).toBe(false);
    } finally {
      Reflect.deleteProperty(navigator, 'userActivation');
    }
  });

  it('where the browser has no user activation API, the autoplay attribute decides', () => {
    const video = document.createElement('video');
    expect(startOf(video).autoplay).toBe(false);
    video.autoplay = true;
    expect(startOf(video).autoplay).toBe(true);
  });
});

describe('options', () => {
  it('of the npm entry throw a clear error for a bad value', () => {
    expect(() => checked.videoEngagement({ milestones: [10, 150] })).toThrow('crumbtrail: videoEngagement milestones is an array; use distinct percents above 0, up to 100');
    expect(() => checked.videoEngagement({ milestones: [0] })).toThrow(/milestones/);
    expect(() => checked.videoEngagement({ completeAt: 0 })).toThrow('crumbtrail: videoEngagement completeAt is 0; use percents above 0, up to 100');
    expect(() => checked.videoEngagement({ media: 'audio' as 'all' })).toThrow('crumbtrail: videoEngagement media is "audio"; use "video" or "all"');
    expect(() => checked.onVideo(() => {}, { completeAt: 101 })).toThrow(/completeAt is 101/);
    expect(() => checked.trackMedia({} as MediaLike, () => {}, { milestones: 'all' as never })).toThrow(/milestones is "all"/);
  });

  it('a selector the browser cannot parse throws at call time, before anything observes the page', () => {
    const observe = vi.spyOn(MutationObserver.prototype, 'observe');
    try {
      expect(() => checked.videoEngagement({ selector: 'video[' })).toThrow('crumbtrail: videoEngagement selector is "video["; use a CSS selector');
      expect(() => checked.onVideo(() => {}, { selector: '' })).toThrow(/selector is ""/);
      expect(observe).not.toHaveBeenCalled();
    } finally {
      observe.mockRestore();
    }
  });

  it('without a document (server rendering) a selector is not checked', () => {
    vi.stubGlobal('document', undefined);
    try {
      expect(() => checked.videoEngagement({ selector: 'video[' })).not.toThrow();
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('a milestone given twice is refused, as it would be sent twice', () => {
    expect(() => checked.videoEngagement({ milestones: [50, 25, 50] })).toThrow(
      'crumbtrail: videoEngagement milestones is an array; use distinct percents above 0, up to 100',
    );
  });

  it('milestones given in any order are reported in ascending order', () => {
    const v = tracked({}, { milestones: [50, 20] });
    v.play();
    v.run(6);
    expect(v.seen.filter(([t]) => t == 'video_progress').map(([, p]) => p.percent)).toEqual([20, 50]);
  });
});

/** Counts the listeners every target of the page has, while it runs. */
function countListeners() {
  const counts = new Map<EventTarget, number>();
  // The class that holds addEventListener for elements, the document and the window.
  let proto: EventTarget = document.createElement('video');
  while (!Object.hasOwn(proto, 'addEventListener')) proto = Object.getPrototypeOf(proto);
  const add = proto.addEventListener;
  const remove = proto.removeEventListener;
  const spies = [
    vi.spyOn(proto, 'addEventListener').mockImplementation(function (this: EventTarget, ...args) {
      counts.set(this, (counts.get(this) ?? 0) + 1);
      return add.apply(this, args);
    }),
    vi.spyOn(proto, 'removeEventListener').mockImplementation(function (this: EventTarget, ...args) {
      counts.set(this, (counts.get(this) ?? 0) - 1);
      return remove.apply(this, args);
    }),
  ];
  return { counts, restore: () => spies.forEach((s) => s.mockRestore()) };
}

const mutations = () => vi.advanceTimersByTimeAsync(0);

describe('onVideo', () => {
  it('when the first look at the page fails, it throws and leaves nothing observing the page', () => {
    document.body.innerHTML = '<video></video>';
    const observe = vi.spyOn(MutationObserver.prototype, 'observe');
    const matches = vi.spyOn(Element.prototype, 'matches').mockImplementation(() => {
      throw new DOMException('not a valid selector', 'SyntaxError');
    });
    try {
      expect(() => onVideo(() => {})).toThrow('not a valid selector');
      expect(observe).not.toHaveBeenCalled();
    } finally {
      matches.mockRestore();
      observe.mockRestore();
    }
  });

  it('tracks the videos of the page, those added later, and those in open shadow roots, now and later', async () => {
    document.body.innerHTML = '<video id="first"></video><div id="host"></div>';
    document.getElementById('host')!.attachShadow({ mode: 'open' }).innerHTML = '<video id="shadowed"></video>';
    const started: string[] = [];
    const stop = onVideo((type, p) => type == 'video_start' && started.push(p.videoId));
    const later = document.createElement('div');
    later.innerHTML = '<section><video id="later"></video></section>';
    document.body.append(later);
    const host = document.createElement('div');
    document.body.append(host);
    host.attachShadow({ mode: 'open' });
    await mutations();
    host.shadowRoot!.innerHTML = '<video id="deep"></video>';
    document.getElementById('host')!.shadowRoot!.append(Object.assign(document.createElement('video'), { id: 'shadowed2' }));
    await mutations();
    const videos = [document, document.getElementById('host')!.shadowRoot!, host.shadowRoot!].flatMap((root) => [...root.querySelectorAll('video')]);
    videos.forEach((v) => v.dispatchEvent(new Event('play')));
    stop();
    expect(started.sort()).toEqual(['deep', 'first', 'later', 'shadowed', 'shadowed2']);
  });

  it('tracks <audio> only with media: "all", and only what the selector matches when one is given', () => {
    document.body.innerHTML = '<video id="v"></video><video id="p" class="product"></video><audio id="a"></audio>';
    const startedWith = (options: object) => {
      const started: string[] = [];
      const stop = onVideo((type, p) => type == 'video_start' && started.push(p.videoId), options);
      document.querySelectorAll('video, audio').forEach((el) => el.dispatchEvent(new Event('play')));
      stop();
      return started;
    };
    expect(startedWith({})).toEqual(['v', 'p']);
    expect(startedWith({ media: 'all' })).toEqual(['v', 'p', 'a']);
    expect(startedWith({ selector: 'video.product' })).toEqual(['p']);
  });

  it('a video taken out of the page sends its summary and is no longer tracked', async () => {
    document.body.innerHTML = '<video id="v"></video>';
    const seen: VideoEventType[] = [];
    const stop = onVideo((type) => seen.push(type));
    const video = document.getElementById('v')!;
    video.dispatchEvent(new Event('play'));
    video.remove();
    await mutations();
    expect(seen).toEqual(['video_start', 'video_summary']);
    video.dispatchEvent(new Event('pause'));
    document.body.append(document.createElement('p'));
    await mutations();
    stop();
    expect(seen).toEqual(['video_start', 'video_summary']);
  });

  it('a video put back carries on its view; put back with another source, it starts a view of its own', async () => {
    document.body.innerHTML = '<video id="v" src="https://shop.example/a.webm"></video>';
    const seen: [VideoEventType, string][] = [];
    const stop = onVideo((type, p) => seen.push([type, p.src]));
    const video = document.getElementById('v') as HTMLVideoElement;
    const away = async () => {
      video.remove();
      await mutations();
    };
    const back = async () => {
      document.body.append(video);
      await mutations();
      video.dispatchEvent(new Event('play'));
    };
    video.dispatchEvent(new Event('play'));
    await away();
    await back();
    await away();
    // A new source while away: its emptied is not heard.
    video.src = 'https://shop.example/b.webm';
    await back();
    stop();
    expect(seen).toEqual([
      ['video_start', 'https://shop.example/a.webm'],
      ['video_summary', 'https://shop.example/a.webm'],
      ['video_start', 'https://shop.example/b.webm'],
      ['video_summary', 'https://shop.example/b.webm'],
    ]);
  });

  it('100 videos added and removed leave no listener behind, and stop leaves none on the page', async () => {
    const listeners = countListeners();
    try {
      const seen: VideoEventType[] = [];
      const stop = onVideo((type) => seen.push(type));
      const videos = Array.from({ length: 100 }, (_, i) => Object.assign(document.createElement('video'), { id: `v${i}` }));
      document.body.append(...videos);
      await mutations();
      expect(videos.every((v) => listeners.counts.get(v)! > 0)).toBe(true);
      videos.forEach((v) => v.dispatchEvent(new Event('play')));
      videos.forEach((v) => v.remove());
      await mutations();
      expect(videos.map((v) => listeners.counts.get(v))).toEqual(Array(100).fill(0));
      expect(seen.filter((t) => t == 'video_summary')).toHaveLength(100);
      stop();
      expect(listeners.counts.get(document) ?? 0).toBe(0);
      expect(listeners.counts.get(window) ?? 0).toBe(0);
      // The observer is gone too: a video added now is not tracked.
      const late = document.createElement('video');
      document.body.append(late);
      await mutations();
      late.dispatchEvent(new Event('play'));
      expect(seen.filter((t) => t == 'video_start')).toHaveLength(100);
    } finally {
      listeners.restore();
    }
  });
});

describe('videoEngagement()', () => {
  const trackers: Tracker[] = [];
  const start = (plugin: ReturnType<typeof videoEngagement>) => {
    const tracker = createTracker({ transport: captureTransport().transport, storage: 'memory', namespace: freshNamespace(), plugins: [plugin] });
    trackers.push(tracker);
    const events: CrumbEvent[] = [];
    tracker.on('event', (e) => events.push(e));
    return { tracker, events };
  };
  afterEach(async () => {
    vi.useRealTimers();
    await Promise.all(trackers.splice(0).map((t) => t.shutdown()));
  });

  it('records the events of the page\'s videos with their props', () => {
    document.body.innerHTML = '<video id="hero" title="Hero"></video>';
    const { events } = start(videoEngagement());
    document.getElementById('hero')!.dispatchEvent(new Event('play'));
    expect(events.map((e) => [e.type, e.props.videoId, e.props.title])).toEqual([['video_start', 'hero', 'Hero']]);
  });

  it('tracks a player given to track() before the tracker starts, until its stop', () => {
    const video = videoEngagement();
    const media = fakeMedia();
    const stop = video.track(media.m);
    const { events } = start(video);
    media.play();
    media.run(1);
    stop();
    media.pause();
    expect(events.map((e) => e.type)).toEqual(['video_start', 'video_progress', 'video_summary']);
  });

  it('a player that throws when tracking starts (destroyed before the tracker started) is reported; the others are tracked and released at shutdown', async () => {
    const video = videoEngagement();
    const broken = { ...fakeMedia().m, addEventListener: () => { throw new TypeError('player is gone'); } };
    video.track(broken as MediaLike);
    const good = fakeMedia();
    video.track(good.m);
    const errors: string[] = [];
    const { tracker, events } = start(video);
    tracker.on('error', (e) => errors.push(e.message));
    good.play();
    expect(errors).toEqual(['crumbtrail: video: player is gone']);
    expect(events.map((e) => e.type)).toEqual(['video_start']);
    await tracker.shutdown();
    const count = events.length;
    document.body.innerHTML = '<video id="late"></video>';
    await mutations();
    document.getElementById('late')!.dispatchEvent(new Event('play'));
    good.pause();
    expect(events.length).toBe(count);
  });

  it('track() on a running tracker reports a player that throws instead of throwing into the page', () => {
    const video = videoEngagement();
    const errors: string[] = [];
    const { tracker } = start(video);
    tracker.on('error', (e) => errors.push(e.message));
    const broken = { ...fakeMedia().m, addEventListener: () => { throw new TypeError('player is gone'); } };
    expect(() => video.track(broken as MediaLike)()).not.toThrow();
    expect(errors).toEqual(['crumbtrail: video: player is gone']);
  });

  it('a player that throws when its tracking stops (destroyed while it played) sends nothing more at later hides', () => {
    const video = videoEngagement();
    const errors: string[] = [];
    const { tracker, events } = start(video);
    tracker.on('error', (e) => errors.push(e.message));
    const media = fakeMedia();
    const stop = video.track(media.m);
    media.play();
    media.run(1);
    media.m.removeEventListener = () => {
      throw new TypeError('player is gone');
    };
    stop();
    expect(errors).toEqual(['crumbtrail: video: player is gone']);
    const count = events.length;
    vi.advanceTimersByTime(5000);
    hide('hidden');
    dispatchEvent(new Event('pagehide'));
    expect(events.slice(count)).toEqual([]);
  });

  it('a player whose tracking stops before the tracker starts is never tracked', () => {
    const video = videoEngagement();
    const media = fakeMedia();
    video.track(media.m)();
    const { events } = start(video);
    media.play();
    expect(events).toEqual([]);
  });

  it('shutdown sends the summaries of views under way and removes every listener', async () => {
    document.body.innerHTML = '<video id="hero"></video>';
    const video = videoEngagement();
    const media = fakeMedia();
    const { tracker, events } = start(video);
    video.track(media.m);
    media.play();
    document.getElementById('hero')!.dispatchEvent(new Event('play'));
    await tracker.shutdown();
    expect(events.filter((e) => e.type == 'video_summary').map((e) => e.props.videoId).sort()).toEqual(['hero', 'tour']);
    const count = events.length;
    media.pause();
    document.getElementById('hero')!.dispatchEvent(new Event('pause'));
    expect(events.length).toBe(count);
  });
});
