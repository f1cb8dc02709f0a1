import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { trackMedia, type VideoEventType, type VideoProps } from '../../src/plugins/video';
import { youtubeAdapter, type YouTubeEvent, type YouTubePlayer } from '../../src/plugins/video-youtube';

// YT.PlayerState, as documented for onStateChange.
const UNSTARTED = -1;
const ENDED = 0;
const PLAYING = 1;
const PAUSED = 2;
const BUFFERING = 3;

/**
 * A fake of a ready YT.Player, written from the IFrame API reference: addEventListener /
 * removeEventListener, onStateChange with the state codes, and the synchronous getters. Its
 * position moves with vitest's fake clock while it is PLAYING.
 */
function fakeYouTube(videoId = 'M7lc1UVf-VE', duration = 6) {
  const listeners = new Map<string, Set<(e: YouTubeEvent) => void>>();
  const iframe = document.createElement('iframe');
  iframe.title = 'Trail runner: the tour';
  document.body.append(iframe);
  let state = UNSTARTED;
  let time = 0;
  let rate = 1;
  const calls = { getCurrentTime: 0 };
  const player: YouTubePlayer = {
    addEventListener: (event, fn) => void (listeners.get(event) ?? listeners.set(event, new Set()).get(event)!).add(fn),
    removeEventListener: (event, fn) => void listeners.get(event)?.delete(fn),
    getPlayerState: () => state,
    getCurrentTime: () => (calls.getCurrentTime++, time),
    getDuration: () => (state == UNSTARTED ? 0 : duration),
    getPlaybackRate: () => rate,
    isMuted: () => false,
    getVolume: () => 100,
    // The API adds the position when it is not 0, as YouTube's share links do.
    getVideoUrl: () => `https://www.youtube.com/watch?${time ? `t=${Math.floor(time)}&` : ''}v=${videoId}`,
    getIframe: () => iframe,
  };
  const fake = {
    player,
    iframe,
    calls,
    listenerCount: () => [...listeners.values()].reduce((n, set) => n + set.size, 0),
    setState(s: number) {
      state = s;
      listeners.get('onStateChange')?.forEach((fn) => fn({ data: s }));
    },
    /** Lets `ms` of wall time pass; the video moves while PLAYING and ends at its duration. */
    advance(ms: number) {
      for (let left = ms; left > 0; left -= 50) {
        vi.advanceTimersByTime(50);
        if (state == PLAYING) {
          time = Math.min(duration, Math.round((time + 0.05 * rate) * 1000) / 1000);
          if (time >= duration) fake.setState(ENDED);
        }
      }
    },
    seekTo(seconds: number) {
      time = seconds;
    },
    setPlaybackRate(r: number) {
      rate = r;
    },
    loadVideoById(id: string, length: number) {
      videoId = id;
      duration = length;
      time = 0;
      fake.setState(UNSTARTED);
      fake.setState(BUFFERING);
      fake.setState(PLAYING);
    },
  };
  return fake;
}

function tracked(fake = fakeYouTube()) {
  const seen: [VideoEventType, VideoProps][] = [];
  const stop = trackMedia(youtubeAdapter(fake.player), (type, props) => seen.push([type, props]));
  const types = () => seen.map(([type]) => type);
  const last = (type: VideoEventType) => seen.filter(([t]) => t == type).at(-1)?.[1];
  const percents = () => seen.filter(([t]) => t == 'video_progress').map(([, p]) => p.percent);
  return { ...fake, seen, stop, types, last, percents };
}

const start = (yt: ReturnType<typeof fakeYouTube>) => {
  yt.setState(UNSTARTED);
  yt.setState(BUFFERING);
  yt.setState(PLAYING);
};

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
  document.body.innerHTML = '';
});

describe('youtubeAdapter', () => {
  it('a video played through gives start, every milestone, complete and a summary, as a <video> does', () => {
    const yt = tracked();
    start(yt);
    yt.advance(6000);
    yt.stop();
    expect(yt.types()).toEqual(['video_start', ...Array(5).fill('video_progress'), 'video_complete', 'video_summary']);
    expect(yt.percents()).toEqual([10, 25, 50, 75, 90]);
    expect(yt.seen[0]![1]).toMatchObject({
      videoId: 'M7lc1UVf-VE',
      title: 'Trail runner: the tour',
      src: 'https://www.youtube.com/watch?v=M7lc1UVf-VE',
      duration: 6,
      currentTime: 0,
    });
    const s = yt.last('video_summary')!;
    expect(s).toMatchObject({ uniqueSecondsWatched: 6, percentWatched: 100, seeks: 0, rebuffers: 0, playbackRates: [1] });
    expect(Math.abs(s.watchedMs! - 6000)).toBeLessThanOrEqual(50);
  });

  it('a replay after the end is a video_resume and no seek, as a <video> gives', () => {
    const yt = tracked();
    start(yt);
    yt.advance(6000);
    // The visitor presses play on the end screen: the player starts over from 0.
    yt.seekTo(0);
    yt.setState(BUFFERING);
    yt.setState(PLAYING);
    yt.advance(1000);
    yt.stop();
    expect(yt.types().filter((t) => t != 'video_progress')).toEqual(['video_start', 'video_complete', 'video_resume', 'video_summary']);
    expect(yt.last('video_summary')).toMatchObject({ seeks: 0, uniqueSecondsWatched: 6 });
  });

  it('reads the position only while the video plays, and not at all after stop', () => {
    const yt = tracked();
    expect(vi.getTimerCount()).toBe(0);
    start(yt);
    expect(vi.getTimerCount()).toBe(1);
    yt.advance(1000);
    yt.setState(PAUSED);
    expect(vi.getTimerCount()).toBe(0);
    const reads = yt.calls.getCurrentTime;
    yt.advance(5000);
    expect(yt.calls.getCurrentTime).toBe(reads);
    yt.setState(PLAYING);
    yt.stop();
    expect(vi.getTimerCount()).toBe(0);
    expect(yt.listenerCount()).toBe(0);
  });

  // The player may go from PAUSED straight to PLAYING, or buffer first (it loads before it plays).
  for (const via of [[], [BUFFERING]]) {
    it(`pause and play${via.length ? ' through buffering' : ''} are video_pause and video_resume; the paused time is not watched, the buffering no rebuffer`, () => {
      const yt = tracked();
      start(yt);
      yt.advance(1000);
      yt.setState(PAUSED);
      yt.advance(3000);
      via.forEach((s) => yt.setState(s));
      yt.setState(PLAYING);
      yt.advance(1000);
      yt.stop();
      expect(yt.types().filter((t) => t != 'video_progress')).toEqual(['video_start', 'video_pause', 'video_resume', 'video_summary']);
      expect(Math.abs(yt.last('video_summary')!.watchedMs! - 2000)).toBeLessThanOrEqual(50);
      expect(yt.last('video_summary')).toMatchObject({ rebuffers: 0, rebufferMs: 0 });
    });
  }

  it('a seek while playing (the position jumps, the player buffers, plays on) is one seek and no rebuffer', () => {
    const yt = tracked();
    start(yt);
    yt.advance(1000);
    yt.seekTo(5);
    yt.setState(BUFFERING);
    yt.advance(200);
    yt.setState(PLAYING);
    yt.advance(1000);
    yt.stop();
    expect(yt.percents()).toEqual([10, 25]);
    expect(yt.types().filter((t) => t != 'video_progress')).toEqual(['video_start', 'video_seek', 'video_complete', 'video_summary']);
    expect(yt.last('video_seek')).toMatchObject({ from: 1, to: 5 });
    expect(yt.last('video_summary')).toMatchObject({ seeks: 1, rebuffers: 0, uniqueSecondsWatched: 2 });
  });

  it('a seek the polling sees (the position jumped between two reads) is a seek too', () => {
    const yt = tracked();
    start(yt);
    yt.advance(1000);
    yt.seekTo(4);
    yt.advance(300);
    // Seen at the next read, up to 250 ms later: both ends are where playing had got to by then.
    const seek = yt.last('video_seek')!;
    expect(seek.from).toBeCloseTo(1.25, 0);
    expect(seek.to).toBeCloseTo(4.25, 0);
    expect(yt.types().filter((t) => t == 'video_seek')).toHaveLength(1);
  });

  it('a seek while paused is reported when playback resumes', () => {
    const yt = tracked();
    start(yt);
    yt.advance(1000);
    yt.setState(PAUSED);
    yt.seekTo(3);
    yt.setState(PLAYING);
    expect(yt.types().filter((t) => t != 'video_progress')).toEqual(['video_start', 'video_pause', 'video_seek', 'video_resume']);
    expect(yt.last('video_seek')).toMatchObject({ from: 1, to: 3 });
  });

  it('buffering while playing, where the position stands, is a rebuffer with its length', () => {
    const yt = tracked();
    start(yt);
    yt.advance(1000);
    yt.setState(BUFFERING);
    yt.advance(500);
    yt.setState(PLAYING);
    yt.advance(1000);
    yt.stop();
    const s = yt.last('video_summary')!;
    expect(s).toMatchObject({ rebuffers: 1, rebufferMs: 500, seeks: 0 });
    expect(Math.abs(s.watchedMs! - 2000)).toBeLessThanOrEqual(50);
  });

  it('at rate 2 the watched time is half the media time, and the rate is listed', () => {
    const yt = tracked();
    yt.setPlaybackRate(2);
    start(yt);
    yt.advance(3000);
    yt.stop();
    const s = yt.last('video_summary')!;
    expect(s).toMatchObject({ uniqueSecondsWatched: 6, playbackRates: [2] });
    expect(Math.abs(s.watchedMs! - 3000)).toBeLessThanOrEqual(50);
  });

  it('the next video in the player sums up the first and starts a view of its own', () => {
    const yt = tracked();
    start(yt);
    yt.advance(2000);
    yt.loadVideoById('dQw4w9WgXcQ', 10);
    yt.advance(1000);
    yt.stop();
    expect(yt.seen.filter(([t]) => t == 'video_start' || t == 'video_summary').map(([t, p]) => [t, p.videoId, p.uniqueSecondsWatched ?? null])).toEqual([
      ['video_start', 'M7lc1UVf-VE', null],
      ['video_summary', 'M7lc1UVf-VE', 2],
      ['video_start', 'dQw4w9WgXcQ', null],
      ['video_summary', 'dQw4w9WgXcQ', 1],
    ]);
    expect(yt.last('video_start')!.duration).toBe(10);
  });

  it('data-crumbtrail-video-id and data-crumbtrail-title on the iframe win over YouTube\'s id and title', () => {
    const fake = fakeYouTube();
    fake.iframe.dataset.crumbtrailVideoId = 'hero-film';
    fake.iframe.dataset.crumbtrailTitle = 'Hero film';
    const yt = tracked(fake);
    start(yt);
    expect(yt.seen[0]![1]).toMatchObject({ videoId: 'hero-film', title: 'Hero film' });
  });

  it('a fullscreen player iframe is reported as fullscreen', () => {
    const yt = tracked();
    start(yt);
    // happy-dom has no fullscreen: the iframe answers as Chromium's would while fullscreen.
    yt.iframe.closest = (selector: string) => (selector == ':fullscreen' ? yt.iframe : null);
    yt.advance(500);
    yt.stop();
    expect(yt.last('video_summary')!.fullscreen).toBe(true);
  });

  it('a player already playing when tracking begins starts its view at once', () => {
    const fake = fakeYouTube();
    fake.setState(PLAYING);
    const yt = tracked(fake);
    expect(yt.types()).toEqual(['video_start']);
    yt.advance(1000);
    expect(yt.types()).toContain('video_progress');
  });

  it('a player destroyed while it plays is no longer read, and nothing throws into the page', () => {
    const yt = tracked();
    start(yt);
    yt.advance(500);
    // YT.Player.destroy() removes the iframe; the object's methods then fail.
    yt.player.getCurrentTime = () => {
      throw new TypeError('Cannot read properties of null');
    };
    expect(() => yt.advance(1000)).not.toThrow();
    expect(vi.getTimerCount()).toBe(0);
    expect(() => yt.setState(PAUSED)).not.toThrow();
  });

  it('throws a clear error for something that is not a ready player', () => {
    expect(() => youtubeAdapter({} as YouTubePlayer)).toThrow('crumbtrail: youtubeAdapter got an object; pass a YT.Player once it is ready (in its onReady event)');
  });
});
