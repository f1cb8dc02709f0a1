import { configError, show } from '../core/errors';
import type { MediaLike } from './video';
import { playerMedia, type PlayerMedia } from './video-player';

/** What the Vimeo player passes to its event callbacks; which fields come depends on the event. */
export interface VimeoEventData {
  /** Position in seconds (timeupdate, play, pause, ended, seeking, seeked). */
  seconds?: number;
  duration?: number;
  /** 0 to 1. */
  percent?: number;
  /** playbackratechange */
  playbackRate?: number;
  /** volumechange: 0 to 1. */
  volume?: number;
  /** volumechange (newer players). */
  muted?: boolean;
  /** fullscreenchange */
  fullscreen?: boolean;
  /** loaded: the id of the video now in the player. */
  id?: number;
}

/**
 * The part of a Vimeo Player (`new Vimeo.Player(…)` from `@vimeo/player`) that
 * {@link vimeoAdapter} uses, as documented at https://developer.vimeo.com/player/sdk/reference.
 */
export interface VimeoPlayer {
  on(event: string, callback: (data: VimeoEventData) => void): void;
  off(event: string, callback: (data: VimeoEventData) => void): void;
  getPaused(): Promise<boolean>;
  getCurrentTime(): Promise<number>;
  getDuration(): Promise<number>;
  getVideoId(): Promise<number>;
  getVideoTitle(): Promise<string>;
  /** Rejects for a private video. */
  getVideoUrl(): Promise<string>;
  getPlaybackRate(): Promise<number>;
  getVolume(): Promise<number>;
  getMuted?(): Promise<boolean>;
  /** Whether the player starts over at the end (the `loop` embed option); it then sends no `ended`. */
  getLoop?(): Promise<boolean>;
  /** The player's iframe. */
  element?: HTMLIFrameElement;
}

type Handler = (m: PlayerMedia, t: number, d: VimeoEventData) => void;

const moveTo: Handler = (m, t) => {
  if (m.jumped(t)) {
    m.seek(t);
    m.seeked();
  }
};

// The player's events, mapped to a <video>'s. Every handler first takes the position the event
// carries: a move that playing cannot explain is a seek the player did not announce.
const HANDLERS: Record<string, Handler> = {
  play(m) {
    m.ended = false;
    if (m.paused) {
      m.paused = false;
      m.fire('play');
    }
  },
  playing: (m) => m.fire('playing'),
  pause(m, t) {
    if (!m.paused) {
      m.paused = true;
      // The player pauses at the end, before `ended`: that pause is not the visitor's.
      m.ended = t >= m.duration - 0.3;
      m.fire('pause');
    }
  },
  ended(m) {
    m.paused = m.ended = true;
    m.fire('ended');
  },
  timeupdate: (m) => m.fire('timeupdate'),
  seeking: (m, t) => m.seek(t),
  seeked(m, t) {
    // Without a `seeking` before it (older players), a seeked that lands where playing led is
    // one whose jump was already taken as a seek.
    if (m.seeking || m.jumped(t)) {
      m.seek(t);
      m.seeked();
    }
  },
  bufferstart(m) {
    m.readyState = 2;
    m.fire('waiting');
  },
  bufferend(m) {
    m.readyState = 4;
    m.fire('playing');
  },
  // Rate, volume and fullscreen are read by the tracking at its next event.
  playbackratechange(m, _, d) {
    m.playbackRate = d.playbackRate ?? m.playbackRate;
  },
  volumechange(m, _, d) {
    m.volume = d.volume ?? m.volume;
    m.muted = d.muted ?? m.muted;
  },
  fullscreenchange(m, _, d) {
    m.webkitDisplayingFullscreen = !!d.fullscreen;
  },
};

/**
 * Makes a Vimeo Player trackable by the video plugin: its events (`play`, `pause`, `ended`,
 * `timeupdate`, `seeking`/`seeked`, `bufferstart`/`bufferend`, rate, volume and fullscreen
 * changes, `loaded` for the next video) become the same events as a `<video>`'s, so one schema
 * covers both. The Vimeo video id is the video's id (`data-crumbtrail-video-id` on the iframe
 * wins) and its Vimeo title its title. crumbtrail never loads the player script itself: pass the
 * site's player. Throws at call time when `player` is not one.
 *
 * @example
 * const video = videoEngagement();
 * createTracker({ collector: '/v1/batch', plugins: [video] });
 * video.track(vimeoAdapter(new Vimeo.Player('vimeo', { id: 76979871 })));
 */
export function vimeoAdapter(player: VimeoPlayer): MediaLike {
  if (typeof player?.on != 'function' || typeof player.getVideoId != 'function') {
    throw configError(`vimeoAdapter got ${show(player)}; pass a Vimeo.Player`);
  }
  return playerMedia((m) => {
    let live = true;
    const el = player.element;
    m.dataset = el?.dataset;
    m.getAttribute = (name) => el?.getAttribute(name) ?? null;
    m.closest = (selector) => el?.closest(selector) ?? null;
    // The getters answer by promise (from the iframe), so their answers land in `m` when they
    // come; a view that is already playing starts then.
    const get = <T>(p: Promise<T> | undefined, set: (v: T) => void) => p?.then((v) => live && set(v), () => {});
    const meta = () => {
      get(player.getVideoId(), (id) => (m.id = String(id)));
      get(player.getVideoTitle(), (title) => (m.title = title));
      get(player.getVideoUrl(), (url) => (m.currentSrc = url));
      get(player.getDuration(), (d) => (m.duration = d || NaN));
    };
    const on = Object.entries(HANDLERS).map(([name, handle]): [string, (d: VimeoEventData) => void] => [
      name,
      (d = {}) => {
        if (d.duration) m.duration = d.duration;
        const t = d.seconds ?? m.currentTime;
        if (name != 'seeking' && name != 'seeked') moveTo(m, t, d);
        handle(m, t, d);
      },
    ]);
    on.push([
      'loaded',
      ({ id }) => {
        if (m.id && String(id) != m.id) m.change();
        meta();
      },
    ]);
    on.forEach(([name, fn]) => player.on(name, fn));
    meta();
    get(player.getPlaybackRate(), (r) => (m.playbackRate = r));
    get(player.getVolume(), (v) => (m.volume = v));
    get(player.getMuted?.(), (muted) => (m.muted = muted));
    // A looping player sends no `ended`: its jump back to the start completes the view, no seek.
    get(player.getLoop?.(), (loop) => (m.loop = loop));
    get(player.getCurrentTime(), (t) => m.paused && (m.currentTime = t));
    get(player.getPaused(), (paused) => !paused && HANDLERS.play!(m, m.currentTime, {}));
    return () => {
      live = false;
      on.forEach(([name, fn]) => player.off(name, fn));
    };
  });
}
