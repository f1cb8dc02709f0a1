import type { MediaLike } from './video';
import { playedRanges, type PlayedRanges } from './video-ranges';

/**
 * A {@link MediaLike} made by a player adapter: the adapter writes the player's state into it
 * and fires media events, exactly as a `<video>` would, so that `trackMedia` needs no player
 * knowledge. Played ranges are kept here, from the positions the adapter reports.
 */
export interface PlayerMedia extends MediaLike {
  currentTime: number;
  duration: number;
  paused: boolean;
  ended: boolean;
  seeking: boolean;
  readyState: number;
  muted: boolean;
  volume: number;
  playbackRate: number;
  loop: boolean;
  currentSrc: string;
  id: string;
  title: string;
  dataset?: DOMStringMap;
  webkitDisplayingFullscreen: boolean;
  readonly played: PlayedRanges;
  /** Dispatches a media event (`play`, `timeupdate`, …) to the listeners. */
  fire(type: string): void;
  /**
   * Moves the position to `t` seconds when playing (or standing still) can explain the move,
   * adding what played to `played`, and returns false; returns true, changing nothing, for a
   * jump: a seek the player did not announce. During a seek every position is where it lands.
   */
  jumped(t: number): boolean;
  /** Starts a seek landing at `t` (fires `seeking` unless one is under way). */
  seek(t: number): void;
  /** Ends the seek under way (fires `seeked`). */
  seeked(): void;
  /**
   * Another video in the same player: fires `emptied` and starts over, paused, with no played
   * ranges (as a media element's load algorithm does).
   */
  change(): void;
}

/**
 * How far (in seconds) a reported position may stray from where playing would have taken it and
 * still count as played. Players report positions late (YouTube relays them by postMessage, about
 * 4 times a second), so this is generous; a smaller seek counts as playing.
 */
const SLACK = 1;

/**
 * Makes a {@link PlayerMedia}. `attach` subscribes to the player; it runs when the first listener
 * is added (when tracking starts) and the function it returns runs when the last one is removed,
 * so a player that is no longer tracked has no listener and no timer left.
 *
 * @example
 * const m = playerMedia(() => {
 *   player.on('play', onPlay);
 *   return () => player.off('play', onPlay);
 * });
 */
export function playerMedia(attach: (m: PlayerMedia) => () => void): PlayerMedia {
  const target = new EventTarget();
  let listeners = 0;
  let detach: (() => void) | undefined;
  // Monotonic time of the last position, to know how far playing could have moved it since.
  let at = performance.now();
  const m: PlayerMedia = {
    currentTime: 0,
    duration: NaN,
    paused: true,
    ended: false,
    seeking: false,
    readyState: 4,
    muted: false,
    volume: 1,
    playbackRate: 1,
    loop: false,
    currentSrc: '',
    id: '',
    title: '',
    autoplay: false,
    webkitDisplayingFullscreen: false,
    played: playedRanges(),
    addEventListener(type, fn) {
      target.addEventListener(type, fn);
      if (!listeners++) detach = attach(m);
    },
    removeEventListener(type, fn) {
      target.removeEventListener(type, fn);
      if (listeners && !--listeners) detach!();
    },
    fire: (type) => target.dispatchEvent(new Event(type)),
    jumped(t) {
      const now = performance.now();
      const run = !m.paused && !m.seeking && !m.ended && m.readyState > 2;
      const from = m.currentTime;
      if (Math.abs(t - from - (run ? ((now - at) / 1000) * m.playbackRate : 0)) > SLACK && !m.seeking) return true;
      if (run) m.played.add(from, t);
      m.currentTime = t;
      at = now;
      return false;
    },
    seek(t) {
      m.currentTime = t;
      at = performance.now();
      if (!m.seeking) {
        m.seeking = true;
        m.fire('seeking');
      }
    },
    seeked() {
      m.seeking = false;
      m.fire('seeked');
    },
    change() {
      m.fire('emptied');
      m.played.clear();
      m.currentTime = 0;
      m.duration = NaN;
      m.ended = m.seeking = false;
      m.paused = true;
    },
  };
  return m;
}
