import { configError, show } from '../core/errors';
import type { MediaLike } from './video';
import { playerMedia } from './video-player';

/** A YouTube player event, as the IFrame API passes it to a listener. */
export interface YouTubeEvent {
  data: number;
}

/**
 * The part of a YouTube IFrame API player (`new YT.Player(…)`, once ready) that
 * {@link youtubeAdapter} uses, as documented at
 * https://developers.google.com/youtube/iframe_api_reference.
 */
export interface YouTubePlayer {
  addEventListener(event: string, listener: (e: YouTubeEvent) => void): void;
  removeEventListener(event: string, listener: (e: YouTubeEvent) => void): void;
  /** -1 unstarted, 0 ended, 1 playing, 2 paused, 3 buffering, 5 video cued. */
  getPlayerState(): number;
  getCurrentTime(): number;
  /** Seconds; 0 until the video's metadata has loaded. */
  getDuration(): number;
  getPlaybackRate(): number;
  isMuted(): boolean;
  /** 0 to 100. */
  getVolume(): number;
  /** The video's youtube.com URL, e.g. `https://www.youtube.com/watch?v=M7lc1UVf-VE`. */
  getVideoUrl(): string;
  getIframe(): HTMLIFrameElement;
}

// How often the position is read while the video plays: as often as a <video> fires timeupdate.
// The IFrame API has no progress event, and nothing is read while the video does not play.
const POLL_MS = 250;

/**
 * Makes a YouTube IFrame API player trackable by the video plugin: its state changes
 * (`onStateChange`) and positions become the same events as a `<video>`'s, so one
 * schema covers both. The position is read 4 times a second while the video plays, and never
 * otherwise; a position that playing cannot explain is a seek. The video's id is YouTube's
 * (`data-crumbtrail-video-id` on the iframe wins), its title the iframe's `title`
 * (`data-crumbtrail-title` wins). crumbtrail never loads the IFrame API itself: pass the
 * site's player once it is ready. Throws at call time when `player` is not one.
 *
 * @example
 * const video = videoEngagement();
 * createTracker({ collector: '/v1/batch', plugins: [video] });
 * new YT.Player('yt', { videoId: 'M7lc1UVf-VE', events: { onReady: (e) => video.track(youtubeAdapter(e.target)) } });
 */
export function youtubeAdapter(player: YouTubePlayer): MediaLike {
  if (typeof player?.getPlayerState != 'function') {
    throw configError(`youtubeAdapter got ${show(player)}; pass a YT.Player once it is ready (in its onReady event)`);
  }
  return playerMedia((m) => {
    let timer: ReturnType<typeof setInterval> | undefined;
    // A player destroyed while tracked has lost its methods: reading it must not throw into the
    // page from a timer or the API's callback, so the reading stops there.
    const safe =
      <T>(fn: (arg: T) => void) =>
      (arg: T) => {
        try {
          fn(arg);
        } catch {
          clearInterval(timer);
        }
      };
    const iframe = player.getIframe();
    m.dataset = iframe.dataset;
    m.getAttribute = (name) => iframe.getAttribute(name);
    m.closest = (selector) => iframe.closest(selector);
    // Reads what the API can tell synchronously; a new video id means the player moved on.
    const sync = () => {
      const id = /[?&]v=([^&#]+)/.exec(player.getVideoUrl())?.[1] || '';
      if (id != m.id) {
        if (m.id) m.change();
        m.id = id;
        m.currentSrc = 'https://www.youtube.com/watch?v=' + id;
      }
      m.title = iframe.title;
      m.duration = player.getDuration() || NaN;
      m.playbackRate = player.getPlaybackRate();
      m.muted = player.isMuted();
      m.volume = player.getVolume() / 100;
      return player.getCurrentTime();
    };
    const poll = safe(() => {
      const t = sync();
      if (m.jumped(t)) {
        m.seek(t);
        m.seeked();
      }
      m.fire('timeupdate');
    });
    const onState = safe(({ data }: YouTubeEvent) => {
      const t = sync();
      clearInterval(timer);
      if (m.jumped(t)) m.seek(t);
      if (data == 3) {
        // Buffering: inside a seek (the position jumped) it is part of the seek; while paused (the
        // visitor pressed play, the player loads first) it is no stall, as media elements fire no
        // `waiting` when paused; else a stall.
        m.readyState = 2;
        return m.paused || m.fire('waiting');
      }
      m.readyState = 4;
      if (m.seeking) m.seeked();
      if (data == 1) {
        m.ended = false;
        if (m.paused) {
          m.paused = false;
          m.fire('play');
        }
        m.fire('playing');
        timer = setInterval(poll, POLL_MS);
      } else if (data == 0) {
        m.paused = m.ended = true;
        // As a <video> does: the pause at the end is none of the visitor's, and a replay resumes.
        m.fire('pause');
        m.fire('ended');
      } else if (data == 2 && !m.paused) {
        m.paused = true;
        m.fire('pause');
      } else m.paused = true; // unstarted or cued: a video that waits for its first play
    });
    sync();
    const state = player.getPlayerState();
    m.paused = state != 1 && state != 3;
    if (state == 1) timer = setInterval(poll, POLL_MS);
    player.addEventListener('onStateChange', onState);
    return () => {
      clearInterval(timer);
      player.removeEventListener('onStateChange', onState);
    };
  });
}
