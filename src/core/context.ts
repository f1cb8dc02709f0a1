import type { Campaign, EventContext } from './types';

/**
 * Replaces the value of every query (and hash-query, as OAuth implicit flows use) parameter whose
 * name contains one of `words` by `REDACTED`. Returns '' for what is not a URL, and for a URL
 * with a parameter name that does not decode (which could hide a word).
 */
export function redactUrl(href: string, words: string[]): string {
  try {
    return new URL(href).href.replace(/([?&#]([^=&#]+)=)[^&#]*/g, (param, head: string, name: string) =>
      words.some((w) => decodeURIComponent(name).toLowerCase().includes(w)) ? head + 'REDACTED' : param,
    );
  } catch {
    return '';
  }
}

// Social networks and messengers, each as the hosts (and their subdomains) of its links. The first
// host is named after the network: the name is what comes before its first dot.
const SOCIAL = (
  'instagram.com,facebook.com fb.com fb.me messenger.com,x.com twitter.com t.co,linkedin.com lnkd.in,tiktok.com,' +
  'youtube.com youtu.be,whatsapp.com wa.me,telegram.org t.me telegram.me'
).split(',');

/** The social network a referrer URL belongs to, if any. */
export function socialSource(referrer: string): string | undefined {
  try {
    const host = '.' + new URL(referrer).hostname;
    for (const hosts of SOCIAL) if (hosts.split(' ').some((h) => host.endsWith('.' + h))) return hosts.split('.')[0];
  } catch {
    // Not a URL: no source.
  }
}

/**
 * Attribution of a landing: `utm_*` parameters when present, else `medium: 'social'` for a
 * referrer from a known social network or messenger.
 */
export function campaignOf(href: string, referrer: string): Campaign | undefined {
  const c: Campaign = {};
  try {
    const params = new URL(href).searchParams;
    for (const k of 'source medium campaign term content'.split(' ') as (keyof Campaign)[]) {
      const v = params.get('utm_' + k);
      if (v) c[k] = v.slice(0, 200);
    }
  } catch {
    return;
  }
  const source = socialSource(referrer);
  return c.source || c.medium || c.campaign ? c : source ? { source, medium: 'social' } : undefined;
}

/** Context shared by every event of this page. */
export function pageContext(campaign: Campaign | undefined): EventContext {
  // No campaign is undefined, which JSON leaves out.
  return {
    locale: navigator.language || '',
    tz: Intl.DateTimeFormat().resolvedOptions().timeZone || '',
    screen: `${screen.width}x${screen.height}`,
    campaign,
  };
}
