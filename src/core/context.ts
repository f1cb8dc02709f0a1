import type { Campaign, EventContext } from './types';

/**
 * Replaces the value of every query (and hash-query, as OAuth implicit flows use) parameter whose
 * name contains one of `words` by `REDACTED`. Returns '' for what is not a URL.
 */
export function redactUrl(href: string, words: string[]): string {
  if (!href) return '';
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return '';
  }
  const clean = (query: string): string => {
    query = query.slice(1);
    const params = new URLSearchParams(query);
    let changed = false;
    for (const [name] of params) {
      const lower = name.toLowerCase();
      if (words.some((w) => lower.includes(w))) {
        params.set(name, 'REDACTED');
        changed = true;
      }
    }
    return changed ? params.toString() : query;
  };
  if (url.search) url.search = clean(url.search);
  if (url.hash.includes('=')) url.hash = clean(url.hash);
  return url.href;
}

// Social networks and messengers, each with the hosts (and their subdomains) of its links.
const SOCIAL: Record<string, string> = {
  instagram: 'instagram.com',
  facebook: 'facebook.com fb.com fb.me messenger.com',
  x: 'x.com twitter.com t.co',
  linkedin: 'linkedin.com lnkd.in',
  tiktok: 'tiktok.com',
  youtube: 'youtube.com youtu.be',
  whatsapp: 'whatsapp.com wa.me',
  telegram: 't.me telegram.org telegram.me',
};

/** The social network a referrer URL belongs to, if any. */
export function socialSource(referrer: string): string | undefined {
  let host: string;
  try {
    host = new URL(referrer).hostname;
  } catch {
    return;
  }
  for (const net in SOCIAL) {
    if (SOCIAL[net].split(' ').some((h) => host == h || host.endsWith('.' + h))) return net;
  }
}

/**
 * Attribution of a landing: `utm_*` parameters when present, else `medium: 'social'` for a
 * referrer from a known social network or messenger.
 */
export function campaignOf(href: string, referrer: string): Campaign | undefined {
  let params: URLSearchParams;
  try {
    params = new URL(href).searchParams;
  } catch {
    return;
  }
  const c: Campaign = {};
  for (const k of ['source', 'medium', 'campaign', 'term', 'content'] as const) {
    const v = params.get('utm_' + k);
    if (v) c[k] = v.slice(0, 200);
  }
  if (c.source || c.medium || c.campaign) return c;
  const source = socialSource(referrer);
  return source ? { source, medium: 'social' } : undefined;
}

/** Context shared by every event of this page. */
export function pageContext(campaign: Campaign | undefined): EventContext {
  const ctx: EventContext = {
    locale: navigator.language || '',
    tz: Intl.DateTimeFormat().resolvedOptions().timeZone || '',
    screen: `${screen.width}x${screen.height}`,
  };
  if (campaign) ctx.campaign = campaign;
  return ctx;
}
