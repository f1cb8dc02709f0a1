// The npm entry's videoEngagement, onVideo and trackMedia: those of video.ts behind a check of
// their options. The script tag passes them no options and so carries no checks.
import { configError, show } from '../core/errors';
import * as video from './video';

/**
 * Checks {@link video.VideoOptions}, throwing a configuration error that names the option, the
 * value and the rule.
 */
function check(options: video.VideoOptions): void {
  const { media, selector, milestones, completeAt } = options;
  const bad = (name: keyof video.VideoOptions, rule: string) => {
    throw configError(`videoEngagement ${name} is ${show(options[name])}; ${rule}`);
  };
  const isPct = (p: unknown) => (p as number) > 0 && (p as number) <= 100;
  const PCTS = 'use percents above 0, up to 100';
  if (media && media != 'video' && media != 'all') bad('media', 'use "video" or "all"');
  // A repeated milestone would be sent twice.
  if (milestones !== undefined && !(Array.isArray(milestones) && milestones.every(isPct) && new Set(milestones).size == milestones.length)) {
    bad('milestones', PCTS.replace('percents', 'distinct percents'));
  }
  if (completeAt !== undefined && !isPct(completeAt)) bad('completeAt', PCTS);
  if (selector !== undefined) {
    // Parsed now, or it would throw at every scan of the page. No document (server rendering):
    // nothing to parse with.
    try {
      if (typeof selector != 'string' || !selector) throw 0;
      globalThis.document?.querySelector(selector);
    } catch {
      bad('selector', 'use a CSS selector');
    }
  }
}

/**
 * {@link video.videoEngagement} with its options checked: throws at call time for a bad one.
 *
 * @example
 * createTracker({ collector: '/v1/batch', plugins: [videoEngagement({ completeAt: 95 })] });
 */
export function videoEngagement(options: video.VideoOptions = {}): video.VideoPlugin {
  check(options);
  return video.videoEngagement(options);
}

/**
 * {@link video.onVideo} with its options checked: throws for a bad one.
 *
 * @example
 * const stop = onVideo((type, p) => console.log(type, p.videoId), { selector: 'video.product' });
 */
export function onVideo(callback: video.VideoCallback, options: video.VideoOptions = {}): () => void {
  check(options);
  return video.onVideo(callback, options);
}

/**
 * {@link video.trackMedia} with its options checked: throws for a bad one.
 *
 * @example
 * const stop = trackMedia(document.querySelector('video')!, (type, p) => console.log(type, p.currentTime), { milestones: [50] });
 */
export function trackMedia(m: video.MediaLike, callback: video.VideoCallback, options: video.VideoOptions = {}): () => void {
  check(options);
  return video.trackMedia(m, callback, options);
}
