import { toError } from '../core/errors';
import type { EventType, Plugin, Props } from '../core/types';
import { listen } from './page-util';
import { rangesTotal, type TimeRangesLike } from './video-ranges';

/**
 * Events of the video plugin: `video_start`, `video_pause`, `video_resume`, `video_seek`,
 * `video_progress`, `video_complete`, `video_summary` (the names of {@link EventType}).
 */
export type VideoEventType = Extract<EventType, `video_${string}`>;

/**
 * Props of every video event. Times are in seconds to 0.1 s, durations of watching in whole
 * milliseconds, shares in whole percent. A duration not known yet, and a live stream's, is
 * `null`.
 */
export interface VideoProps {
  /** `data-crumbtrail-video-id`, else the element's `id`, else its `currentSrc`. */
  videoId: string;
  /** `data-crumbtrail-title`, else `title`, else `aria-label`; empty when none. */
  title: string;
  /** The media URL playing (`currentSrc`). */
  src: string;
  duration: number | null;
  currentTime: number;
  /** True when the view did not start from a user gesture (an autoplay or a script): exclude these. */
  autoplay: boolean;
  /** `video_seek`: where the seek left and where it landed. */
  from?: number;
  to?: number;
  /** `video_progress`: the milestone reached by the share of the media actually played. */
  percent?: number;
  /** `video_summary`: wall time spent playing (not scaled by the rate; no seeking, no buffering). */
  watchedMs?: number;
  /** `video_summary`: the length of the union of played ranges; seeking never counts. */
  uniqueSecondsWatched?: number;
  /** `video_summary`: `uniqueSecondsWatched` over the duration, 0-100. */
  percentWatched?: number;
  /** `video_summary`: seeks made while the view lasted. */
  seeks?: number;
  /** `video_summary`: stalls while playing (not the wait inside a seek, not the start-up). */
  rebuffers?: number;
  rebufferMs?: number;
  /** `video_summary`: the playback rates used while playing, in order of first use. */
  playbackRates?: number[];
  /** `video_summary`: the share of `watchedMs` that played muted (or at volume 0), 0-100. */
  mutedPct?: number;
  /** `video_summary`: whether the media was shown fullscreen. */
  fullscreen?: boolean;
}

/** Receives each video event. */
export type VideoCallback = (type: VideoEventType, props: VideoProps) => void;

/**
 * What {@link trackMedia} reads: a subset of `HTMLMediaElement`, so a `<video>` or `<audio>` is
 * one as it is, and the YouTube and Vimeo adapters make one from their players.
 */
export interface MediaLike {
  addEventListener(type: string, listener: (e: Event) => void): void;
  removeEventListener(type: string, listener: (e: Event) => void): void;
  readonly currentTime: number;
  readonly duration: number;
  readonly paused: boolean;
  readonly ended: boolean;
  readonly seeking: boolean;
  /** 3 or more while frames can play; 2 or less while waiting for data. */
  readonly readyState: number;
  readonly muted: boolean;
  readonly volume: number;
  readonly playbackRate: number;
  /** The union of played ranges. */
  readonly played: TimeRangesLike;
  readonly currentSrc: string;
  readonly autoplay: boolean;
  readonly loop?: boolean;
  readonly id: string;
  readonly title: string;
  /** Where `data-crumbtrail-video-id` and `data-crumbtrail-title` are read. */
  readonly dataset?: DOMStringMap;
  /** For `aria-label`, the title of last resort. */
  getAttribute?(name: string): string | null;
  /** For `:fullscreen`: an element around the media (or an adapter's iframe) shown fullscreen. */
  closest?(selector: string): Element | null;
  /** Safari's fullscreen video (iOS); adapters whose player reports fullscreen set it too. */
  readonly webkitDisplayingFullscreen?: boolean;
}

/** Which elements {@link onVideo} tracks without a `selector`. */
export type VideoMedia = 'video' | 'all';

/** Options of {@link videoEngagement}, {@link onVideo} and {@link trackMedia}. */
export interface VideoOptions {
  /**
   * `'all'` tracks `<audio>` as well as `<video>`.
   * @default 'video'
   */
  media?: VideoMedia;
  /**
   * Track only the elements matching this CSS selector (it replaces `media`).
   * @default 'video' ('video,audio' with media: 'all')
   * @example 'video.product'
   */
  selector?: string;
  /**
   * Percents of the media played (the union of played ranges) that send `video_progress`, once
   * each per view, in ascending order.
   * @default [10, 25, 50, 75, 90]
   */
  milestones?: number[];
  /**
   * Also send `video_complete` when this percent of the media has been played, for players whose
   * end screens stop short of `ended`. Without it, `video_complete` means `ended`.
   * @default undefined (on `ended` only)
   * @example 95
   */
  completeAt?: number;
}

const MILESTONES = [10, 25, 50, 75, 90];

// The milestones in ascending order, and the selector. The npm entry checks the options first
// (video-options.ts); the script tag passes none.
const resolve = ({ media, selector, milestones = MILESTONES }: VideoOptions): [number[], string] => [
  milestones.slice().sort((a, b) => a - b),
  selector || (media == 'all' ? 'video,audio' : 'video'),
];

// Media events the view is made of. `playing` ends a stall, `emptied` means the source changed
// (or was removed). Rate and volume are read at every event: while playing, timeupdate comes 4
// times a second, so a change is counted from at most 250 ms late, without two more listeners.
const EVENTS = 'play pause playing waiting seeking seeked timeupdate ended emptied';

/**
 * Tracks one media element (or anything {@link MediaLike}) and calls `callback` with its
 * events. A view starts at the first `play` (at once if it is already playing). `video_summary`
 * carries the view's totals when the page is hidden or left (`visibilitychange`: on phones the
 * last moment a page surely has; `pagehide` of a tab closed while hidden), when the source changes (`emptied`) and on `stop`; a view
 * hidden more than once sends more than one, each superseding the one before, and none when
 * nothing played since the last. Listeners only, no timer: nothing runs while the media does
 * not play. The `pause` before `ended` is no pause, the `waiting` inside a seek no rebuffer, and
 * a loop's jump back to 0 (or a replay after the end) no seek.
 *
 * @returns stop: sends the summary of a started view and removes every listener.
 * @example
 * const stop = trackMedia(document.querySelector('video')!, (type, p) => console.log(type, p.currentTime));
 */
export function trackMedia(m: MediaLike, callback: VideoCallback, options: VideoOptions = {}): () => void {
  const [milestones] = resolve(options);
  const { completeAt } = options;
  const d = document;
  const ua = (navigator as { userActivation?: { isActive: boolean } }).userActivation;
  // Whether a click came just before tracking began (an SPA route just clicked to); true where
  // the browser cannot tell.
  const clicked = !ua || ua.isActive;
  const { round } = Math;
  // To 0.1 s; NaN (unknown) and Infinity (live) go on the wire as null, like every non-finite number.
  const r1 = (x: number) => round(x * 10) / 10;
  // The view: what it is, how it started, what was sent (reset() sets them).
  let started: boolean;
  // A pause came since the last play: the next play resumes. (Media found playing at attach
  // still fires its queued play event: that one resumes nothing.)
  let halted: boolean;
  let done: boolean;
  let fs: boolean;
  // Milestones reached: an index into the ascending milestones.
  let hit: number;
  let rates: number[];
  let watched: number;
  let muteMs: number;
  let seeks: number;
  let rebuffers: number;
  let rebufMs: number;
  let sent: number;
  // Who the view is: id, title, source and how it started, fixed at its start.
  let who: Pick<VideoProps, 'videoId' | 'title' | 'src' | 'autoplay'>;
  // Clocks: playing since t0, stalled since rb (-1 when not), and the state of that stretch;
  // adv: media seconds that stretch played.
  let t = 0;
  let adv = 0;
  let t0: number;
  let rb: number;
  let muted = false;
  let rate = 1;
  // Last position, duration and played seconds seen while the source was there; where the
  // pending seek left from (-1: none).
  let pos: number;
  let dur: number;
  let seen: number;
  let from: number;

  const emit = (type: VideoEventType, extra?: Partial<VideoProps>) =>
    // A duration not known yet (NaN) or a live stream's (Infinity) is null, as JSON would send
    // it, without the tracker reporting a repaired prop at every event.
    callback(type, { ...who, duration: isFinite(dur) ? r1(dur) : null, currentTime: r1(pos), ...extra });
  // Adds the stretch since the last call to the clocks that ran in it.
  const tick = () => {
    t = performance.now();
    adv = 0;
    if (t0 >= 0) {
      adv = ((t - t0) * rate) / 1000;
      watched += t - t0;
      if (muted) muteMs += t - t0;
      if (!rates.includes(rate)) rates.push(rate);
      t0 = t;
    }
    if (rb >= 0) {
      rebufMs += t - rb;
      rb = t;
    }
    muted = m.muted || !m.volume;
    rate = m.playbackRate;
  };
  const pct = () => (seen / dur) * 100;
  // Takes its condition rather than being called under an `if`: a minifier allowed unsafe
  // comparisons (terser's unsafe_comps, which our build once had) turns `if (!(a >= b))` into
  // `if (a < b)`, wrong when a side is NaN (a duration not known yet) or undefined (no completeAt).
  const complete = (now: unknown) => {
    if (now && !done) {
      done = true;
      emit('video_complete');
    }
  };
  const summary = () => {
    tick();
    if (started && watched != sent) {
      sent = watched;
      emit('video_summary', {
        watchedMs: round(watched),
        uniqueSecondsWatched: r1(seen),
        percentWatched: round(pct()) || 0,
        seeks,
        rebuffers,
        rebufferMs: round(rebufMs),
        playbackRates: rates,
        mutedPct: round((muteMs / watched) * 100) || 0,
        fullscreen: fs,
      });
    }
  };
  const reset = () => {
    started = halted = done = fs = false;
    watched = muteMs = seeks = rebuffers = rebufMs = pos = seen = 0;
    // A new source's duration is unknown until its metadata: not the old one's.
    dur = NaN;
    rates = [];
    hit = 0;
    sent = from = t0 = rb = -1;
  };
  const on = (e: { type: string }) => {
    const type = e.type;
    tick();
    if (type == 'emptied') {
      // The old source is gone (currentTime, duration and played are reset already): sum up
      // the view with the figures seen last.
      summary();
      return reset();
    }
    if (!m.seeking) pos = m.currentTime;
    if (m.duration > 0) dur = m.duration;
    seen = rangesTotal(m.played);
    if (type == 'pause') halted = true;
    if (type == 'play') {
      if (started) halted && emit('video_resume');
      else {
        started = true;
        who = {
          videoId: m.dataset?.crumbtrailVideoId || m.id || m.currentSrc,
          title: m.dataset?.crumbtrailTitle || m.title || m.getAttribute?.('aria-label') || '',
          src: m.currentSrc,
          // A view the visitor started comes with transient user activation (also from a click
          // inside a player's iframe). Activation lasts some seconds after any click, so with the
          // autoplay attribute it tells nothing when it was already there as tracking began (an
          // autoplay on an SPA route just clicked to); when it came since, the visitor played a
          // video whose autoplay the browser had blocked.
          autoplay: (m.autoplay && clicked) || (!!ua && !ua.isActive),
        };
        emit('video_start');
      }
      halted = false;
    }
    if (started) {
      // Chromium fires pause just before ended: that one is no pause of the visitor's.
      if (type == 'pause' && !m.ended) emit('video_pause');
      // At `seeking` currentTime is already the target: the seek left from the last position
      // seen, moved on by what played since (timeupdate comes only 4 times a second).
      if (type == 'seeking' && from < 0) from = pos + adv;
      if (type == 'seeked' && from >= 0) {
        // A loop's jump back to the start, or a replay after the end, is no seek.
        if ((m.loop || done) && from > dur - 1 && pos < 1) complete(1);
        else {
          seeks++;
          emit('video_seek', { from: r1(from), to: r1(pos) });
        }
        from = -1;
      }
      // A stall: waiting while playing, after the start-up (and not inside a seek).
      if (type == 'waiting' && watched && !m.seeking) {
        rebuffers++;
        rb = t;
      }
      // The media itself (Safari's video) or an element around it (a site's player, an
      // adapter's iframe) fullscreen. Seen at the next event: timeupdate while playing.
      // WebKit before 16.4 has no :fullscreen and throws a SyntaxError for it: no fullscreen
      // reported there, rather than an error at every event.
      try {
        fs ||= !!(m.webkitDisplayingFullscreen || m.closest?.(':fullscreen'));
      } catch {}
      // Milestones come from the played ranges: a short video reports each one it played
      // through even when timeupdate skips past it, and a seek reports none.
      while (pct() >= milestones[hit]!) emit('video_progress', { percent: milestones[hit++] });
      complete(type == 'ended' || pct() >= completeAt!);
    }
    // Playing: frames advance (an ended medium is paused, a stalled one below HAVE_FUTURE_DATA).
    const run = started && !m.paused && !m.seeking && m.readyState > 2;
    t0 = run ? t : -1;
    if (run || m.paused || m.seeking) rb = -1;
  };

  // Sums up with fresh figures: the last timeupdate may be 250 ms old.
  const end = () => {
    on({ type: 'timeupdate' });
    summary();
  };
  const offs: (() => void)[] = [];
  // Stops listening, and returns what listens again (for onVideo, to a video put back).
  const stop: Relisten = () => {
    if (offs[0]) end();
    // The page's listeners first: a player gone by then (destroyed) may throw while its own are
    // removed, and the view must not go on summing up at every hide.
    offs.splice(0).reverse().forEach((off) => off());
    return listenAll;
  };
  const listenAll = () => {
    // A source changed while not listened to (its emptied unheard; the view was summed up at the
    // stop): a view of its own.
    if (who?.src != m.currentSrc) reset();
    // Nothing played or stalled for the view while it was not listened to.
    t0 = rb = -1;
    // Closing a tab that is already hidden fires only pagehide: what played in the background
    // since the hide is summed up there.
    offs.push(
      listen(m as unknown as EventTarget, EVENTS, on),
      listen(window, 'visibilitychange pagehide', () => d.visibilityState == 'hidden' && end(), true),
    );
    // Media already playing when tracking begins (autoplay before the script loaded).
    if (!m.paused) on({ type: 'play' });
    return stop;
  };
  reset();
  return listenAll();
}
// trackMedia's stop, as onVideo sees it.
type Relisten = () => () => Relisten;

/**
 * Tracks every `<video>` (and `<audio>` with `media: 'all'`, or what `selector` matches) in the
 * document and in the open shadow roots it can find, now and as they are added (one
 * MutationObserver), and calls `callback` with their events (see {@link trackMedia}). An element
 * taken out of the document gets its summary and loses its listeners; put back, it carries on
 * its view (the same start, milestones and played ranges), and its next summary supersedes.
 *
 * @returns stop: sends the summaries of started views and removes every listener and the observer.
 * @example
 * const stop = onVideo((type, p) => console.log(type, p.videoId, p.percent ?? ''));
 */
export function onVideo(callback: VideoCallback, options: VideoOptions = {}): () => void {
  const [, selector] = resolve(options);
  const views = new Map<Element, Relisten>();
  // The views of elements taken out, to listen to again if they are put back (a WeakMap: a key
  // does not keep its element alive).
  const away = new WeakMap<Element, () => Relisten>();
  const scan = (root: Node) => {
    // Elements, the document and shadow roots; not text.
    if (!(root as ParentNode).querySelectorAll) return;
    for (const el of [root, ...(root as ParentNode).querySelectorAll('*')] as Element[]) {
      if (el.matches?.(selector) && !views.has(el)) {
        views.set(el, away.get(el)?.() || (trackMedia(el as HTMLMediaElement, callback, options) as Relisten));
      }
      if (el.shadowRoot) {
        mo.observe(el.shadowRoot, OBSERVE);
        scan(el.shadowRoot);
      }
    }
  };
  const mo = new MutationObserver((records) => {
    records.forEach((r) => r.addedNodes.forEach(scan));
    views.forEach((stop, el) => {
      if (!el.isConnected) {
        away.set(el, stop());
        views.delete(el);
      }
    });
  });
  // Scan first: should it throw, nothing is left observing the page.
  scan(document);
  mo.observe(document, OBSERVE);
  return () => {
    mo.disconnect();
    views.forEach((stop) => stop());
    views.clear();
  };
}
const OBSERVE = { childList: true, subtree: true };

/** The video plugin: {@link Plugin} plus `track` for players that are not media elements. */
export interface VideoPlugin extends Plugin {
  /**
   * Tracks a player made {@link MediaLike} by `youtubeAdapter` or `vimeoAdapter` (or your own),
   * from when the tracker starts until the returned stop or `shutdown()`.
   * @example video.track(youtubeAdapter(player));
   */
  track(media: MediaLike): () => void;
}

/**
 * Video engagement: `video_start`, `video_pause`, `video_resume`, `video_seek` (from, to),
 * `video_progress` (percent), `video_complete` and `video_summary` for every `<video>` of the
 * page (see {@link onVideo}), and for YouTube or Vimeo players passed to `track`. Each event
 * carries {@link VideoProps}.
 *
 * @example
 * const video = videoEngagement({ completeAt: 95 });
 * createTracker({ collector: '/v1/batch', plugins: [video] });
 * new YT.Player('yt', { videoId: 'M7lc1UVf-VE', events: { onReady: (e) => video.track(youtubeAdapter(e.target)) } });
 */
export function videoEngagement(options: VideoOptions = {}): VideoPlugin {
  // Set while the tracker runs. `stops` ends what is tracked; `starts` what track() was given
  // before the tracker started.
  let emit: VideoCallback | undefined;
  let report: ((e: unknown) => void) | undefined;
  const stops = new Set<() => void>();
  const starts = new Set<() => void>();
  // Each on its own: a player that throws (one destroyed before the tracker started) is
  // reported, and the others are still tracked, and released at shutdown.
  const run = (fns: Set<(() => void) | undefined>) => {
    fns.forEach((fn) => {
      try {
        fn?.();
      } catch (e) {
        report?.(e);
      }
    });
    fns.clear();
  };
  return {
    name: 'video',
    setup(tracker) {
      emit = (type, props) => tracker.emit(type, props as unknown as Props);
      report = (e) => tracker.report(toError(e, 'video'));
      stops.add(onVideo(emit, options));
      run(starts);
      return () => {
        emit = undefined;
        run(stops);
      };
    },
    track(m) {
      let stop: (() => void) | undefined;
      const go = () => stops.add((stop = trackMedia(m, emit!, options)));
      starts.add(go);
      if (emit) run(starts);
      return () => {
        starts.delete(go);
        stops.delete(stop!);
        run(new Set([stop]));
      };
    },
  };
}
