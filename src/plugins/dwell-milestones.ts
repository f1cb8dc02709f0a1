import type { DwellOptions, Milestones } from './dwell-time';

/**
 * The `engaged` and `page_ping` milestones of one page view, from the options `pingMs` and
 * `engaged`: the npm entry (page-options.ts) hands this to `onDwell` and `dwellTime`.
 *
 * @example
 * onDwell((type, f) => console.log(type, f.activeMs), { pingMs: 30000 }, dwellMilestones);
 */
export function dwellMilestones({ pingMs = 0, engaged }: DwellOptions): Milestones {
  const engagedPct = engaged?.scrollPct || 0;
  // Active time of the next milestones; Infinity once passed or when not asked for.
  let engagedAt = engaged ? engaged.activeMs || 0 : 1 / 0;
  let pingAt = pingMs || 1 / 0;
  return (act, pct, report) => {
    if (act >= engagedAt && pct >= engagedPct) {
      engagedAt = 1 / 0;
      report('engaged');
    }
    if (act >= pingAt) {
      pingAt = act + pingMs;
      report('page_ping');
    }
    // engaged waits for the scroll depth too, which only a scroll (an update) can bring.
    return Math.min(pct < engagedPct ? 1 / 0 : engagedAt, pingAt) - act;
  };
}
