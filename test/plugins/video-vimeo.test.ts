import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { trackMedia, type VideoEventType, type VideoProps } from '../../src/plugins/video';
import { vimeoAdapter, type VimeoEventData, type VimeoPlayer } from '../../src/plugins/video-vimeo';

/**
 * A fake of a Vimeo.Player, written from the player SDK reference: on/off, events whose data is
 * `{ seconds, percent, duration }` (timeupdate about every 250 ms while playing, play, pause,
 * ended, seeking, seeked), bufferstart/bufferend, playbackratechange, volumechange, loaded, and
 * getters that answer by promise. With `loop` (the embed option) it starts over at the end and,
 * as documented, sends no `ended`. Time is vitest's fake clock.
 */
function fakeVimeo(options: { id?: number; duration?: number; privateUrl?: boolean; seekingEvent?: boolean; loop?: boolean } = {}) {
  const { privateUrl = false, seekingEvent = true, loop = false } = options;
  let { id = 76979871, duration = 6 } = options;
  const handlers = new Map<string, Set<(d: VimeoEventData) => void>>();
  const element = document.createElement('iframe');
  let seconds = 0;
  let paused = true;
  let rate = 1;
  const data = () => ({ seconds, percent: Math.round((seconds / duration) * 1000) / 1000, duration });
  const emit = (event: string, d?: VimeoEventData) => handlers.get(event)?.forEach((fn) => fn(d!));
  const player: VimeoPlayer = {
    on: (event, fn) => void (handlers.get(event) ?? handlers.set(event, new Set()).get(event)!).add(fn),
    off: (event, fn) => void handlers.get(event)?.delete(fn),
    getPaused: async () => paused,
    getCurrentTime: async () => seconds,
    getDuration: async () => duration,
    getVideoId: async () => id,
    getVideoTitle: async () => (id == 76979871 ? 'Trail runner in the mud' : 'Peak pro'),
    getVideoUrl: async () => {
      if (privateUrl) throw Object.assign(new Error('The URL is not available because of the video’s privacy setting.'), { name: 'PrivacyError' });
      return `https://vimeo.com/${id}`;
    },
    getPlaybackRate: async () => rate,
    getVolume: async () => 1,
    getMuted: async () => false,
    getLoop: async () => loop,
    element,
  };
  const fake = {
    player,
    element,
    emit,
    handlerCount: () => [...handlers.values()].reduce((n, set) => n + set.size, 0),
    play() {
      paused = false;
      emit('play', data());
      emit('playing', data());
    },
    pause() {
      paused = true;
      emit('pause', data());
    },
    /** Plays `ms` of wall time with timeupdate every 250 ms; at the end: pause, then ended. */
    advance(ms: number) {
      for (let left = ms; left > 0; left -= 250) {
        vi.advanceTimersByTime(250);
        if (paused) continue;
        seconds = Math.min(duration, seconds + 0.25 * rate);
        if (loop && seconds >= duration) seconds = 0;
        emit('timeupdate', data());
        if (seconds >= duration) {
          paused = true;
          emit('pause', data());
          emit('ended', data());
        }
      }
    },
    seek(to: number) {
      if (seekingEvent) emit('seeking', { ...data(), seconds: to });
      seconds = to;
      emit('seeked', data());
    },
    setRate(r: number) {
      rate = r;
      emit('playbackratechange', { playbackRate: r });
    },
    loadVideo(next: number, length: number) {
      id = next;
      duration = length;
      seconds = 0;
      paused = true;
      emit('loaded', { id: next });
    },
  };
  return fake;
}

function tracked(fake = fakeVimeo()) {
  const seen: [VideoEventType, VideoProps][] = [];
  const stop = trackMedia(vimeoAdapter(fake.player), (type, props) => seen.push([type, props]));
  const types = () => seen.map(([type]) => type);
  const last = (type: VideoEventType) => seen.filter(([t]) => t == type).at(-1)?.[1];
  const percents = () => seen.filter(([t]) => t == 'video_progress').map(([, p]) => p.percent);
  return { ...fake, seen, stop, types, last, percents };
}

// The getters' answers arrive as promises resolve.
const answers = () => vi.advanceTimersByTimeAsync(0);

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('vimeoAdapter', () => {
  it('a video played through gives start, every milestone, complete and a summary, as a <video> does', async () => {
    const vimeo = tracked();
    await answers();
    vimeo.play();
    vimeo.advance(6000);
    vimeo.stop();
    expect(vimeo.types()).toEqual(['video_start', ...Array(5).fill('video_progress'), 'video_complete', 'video_summary']);
    expect(vimeo.percents()).toEqual([10, 25, 50, 75, 90]);
    expect(vimeo.seen[0]![1]).toMatchObject({ videoId: '76979871', title: 'Trail runner in the mud', src: 'https://vimeo.com/76979871', duration: 6, currentTime: 0 });
    expect(vimeo.last('video_summary')).toMatchObject({ watchedMs: 6000, uniqueSecondsWatched: 6, percentWatched: 100, seeks: 0, rebuffers: 0 });
  });

  it('the pause the player sends just before ended is no pause of the visitor', async () => {
    const vimeo = tracked();
    await answers();
    vimeo.play();
    vimeo.advance(6000);
    expect(vimeo.types()).not.toContain('video_pause');
  });

  it('a looping player (which sends no ended) completes once at its first loop, and its jumps back to the start are no seeks', async () => {
    const vimeo = tracked(fakeVimeo({ loop: true }));
    await answers();
    vimeo.play();
    vimeo.advance(14000);
    vimeo.stop();
    expect(vimeo.types().filter((t) => t != 'video_progress')).toEqual(['video_start', 'video_complete', 'video_summary']);
    expect(vimeo.last('video_summary')).toMatchObject({ watchedMs: 14000, seeks: 0 });
    // What played after the last timeupdate before the jump back (up to 250 ms) is not reported.
    expect(vimeo.last('video_summary')!.uniqueSecondsWatched).toBeGreaterThanOrEqual(5.75);
  });

  it('pause and play are video_pause and video_resume, and the paused time is not watched', async () => {
    const vimeo = tracked();
    await answers();
    vimeo.play();
    vimeo.advance(1000);
    vimeo.pause();
    vimeo.advance(3000);
    vimeo.play();
    vimeo.advance(1000);
    vimeo.stop();
    expect(vimeo.types().filter((t) => t != 'video_progress')).toEqual(['video_start', 'video_pause', 'video_resume', 'video_summary']);
    expect(vimeo.last('video_summary')).toMatchObject({ watchedMs: 2000, uniqueSecondsWatched: 2 });
  });

  it('seeking and seeked make one video_seek from where it left to where it landed, and only what played counts', async () => {
    const vimeo = tracked();
    await answers();
    vimeo.play();
    vimeo.advance(1000);
    vimeo.seek(5);
    vimeo.advance(1000);
    vimeo.stop();
    expect(vimeo.percents()).toEqual([10, 25]);
    expect(vimeo.last('video_seek')).toMatchObject({ from: 1, to: 5 });
    expect(vimeo.last('video_summary')).toMatchObject({ seeks: 1, rebuffers: 0, uniqueSecondsWatched: 2 });
  });

  it('a player that sends only seeked still gets one seek per seek', async () => {
    const vimeo = tracked(fakeVimeo({ seekingEvent: false }));
    await answers();
    vimeo.play();
    vimeo.advance(1000);
    vimeo.seek(5);
    vimeo.advance(500);
    vimeo.seek(2);
    vimeo.stop();
    expect(vimeo.seen.filter(([t]) => t == 'video_seek').map(([, p]) => [p.from, p.to])).toEqual([
      [1, 5],
      [5.5, 2],
    ]);
  });

  it('bufferstart while playing is a rebuffer lasting until bufferend; the wait inside a seek is not', async () => {
    const vimeo = tracked();
    await answers();
    vimeo.play();
    vimeo.advance(1000);
    vimeo.emit('bufferstart');
    vi.advanceTimersByTime(400);
    vimeo.emit('bufferend');
    vimeo.emit('seeking', { seconds: 4, percent: 0.667, duration: 6 });
    vimeo.emit('bufferstart');
    vimeo.emit('bufferend');
    vimeo.emit('seeked', { seconds: 4, percent: 0.667, duration: 6 });
    vimeo.stop();
    expect(vimeo.last('video_summary')).toMatchObject({ rebuffers: 1, rebufferMs: 400, seeks: 1 });
  });

  it('a playback rate change is taken: at 2x the watched time is half the media time', async () => {
    const vimeo = tracked();
    await answers();
    vimeo.setRate(2);
    vimeo.play();
    vimeo.advance(3000);
    vimeo.stop();
    expect(vimeo.last('video_summary')).toMatchObject({ watchedMs: 3000, uniqueSecondsWatched: 6, playbackRates: [2] });
  });

  it('muted volume and fullscreen from the player events reach the summary', async () => {
    const vimeo = tracked();
    await answers();
    vimeo.emit('volumechange', { volume: 0 });
    vimeo.play();
    vimeo.emit('fullscreenchange', { fullscreen: true });
    vimeo.advance(1000);
    vimeo.stop();
    expect(vimeo.last('video_summary')).toMatchObject({ mutedPct: 100, fullscreen: true });
  });

  it('a new video loaded into the player sums up the first and starts a view of its own', async () => {
    const vimeo = tracked();
    await answers();
    vimeo.play();
    vimeo.advance(2000);
    vimeo.loadVideo(112233, 8);
    await answers();
    vimeo.play();
    vimeo.advance(1000);
    vimeo.stop();
    expect(vimeo.seen.filter(([t]) => t == 'video_start' || t == 'video_summary').map(([t, p]) => [t, p.videoId, p.title, p.uniqueSecondsWatched ?? null])).toEqual([
      ['video_start', '76979871', 'Trail runner in the mud', null],
      ['video_summary', '76979871', 'Trail runner in the mud', 2],
      ['video_start', '112233', 'Peak pro', null],
      ['video_summary', '112233', 'Peak pro', 1],
    ]);
  });

  it('a private video (its URL refused) is tracked by its id, with no error', async () => {
    const vimeo = tracked(fakeVimeo({ privateUrl: true }));
    await answers();
    vimeo.play();
    expect(vimeo.seen[0]![1]).toMatchObject({ videoId: '76979871', src: '' });
  });

  it('a player already playing when tracking begins starts its view when the player says so', async () => {
    const fake = fakeVimeo();
    fake.play();
    const vimeo = tracked(fake);
    expect(vimeo.types()).toEqual([]);
    await answers();
    expect(vimeo.types()).toEqual(['video_start']);
  });

  it('data-crumbtrail-video-id on the iframe wins over the Vimeo id', async () => {
    const fake = fakeVimeo();
    fake.element.dataset.crumbtrailVideoId = 'mud-film';
    const vimeo = tracked(fake);
    await answers();
    vimeo.play();
    expect(vimeo.seen[0]![1].videoId).toBe('mud-film');
  });

  it('stop removes every handler it added to the player', async () => {
    const vimeo = tracked();
    expect(vimeo.handlerCount()).toBeGreaterThan(0);
    vimeo.stop();
    expect(vimeo.handlerCount()).toBe(0);
    await answers();
  });

  it('throws a clear error for something that is not a player', () => {
    expect(() => vimeoAdapter(null as unknown as VimeoPlayer)).toThrow('crumbtrail: vimeoAdapter got null; pass a Vimeo.Player');
  });
});
