import { describe, expect, it } from 'vitest';
import { campaignOf, redactUrl, socialSource } from '../../src/core/context';
import { REDACT } from '../../src/core/options';

describe('redactUrl', () => {
  it('replaces sensitive query parameters by REDACTED and keeps the rest', () => {
    const url = redactUrl('https://shop.test/p?q=shoes&email=a%40b.c&access_token=t1&apiKey=k&sessionid=s&password=p&page=2', REDACT);
    const params = new URL(url).searchParams;
    expect(params.get('q')).toBe('shoes');
    expect(params.get('page')).toBe('2');
    for (const k of ['email', 'access_token', 'apiKey', 'sessionid', 'password']) expect(params.get(k)).toBe('REDACTED');
    expect(url).not.toMatch(/a%40b|t1|=k&|=s&|=p&/);
  });

  it('redacts token parameters in the hash, as OAuth implicit flows put them there', () => {
    expect(redactUrl('https://shop.test/cb#access_token=abc&state=1', REDACT)).toBe('https://shop.test/cb#access_token=REDACTED&state=1');
  });

  it('leaves a URL without sensitive parameters untouched', () => {
    expect(redactUrl('https://shop.test/a?b=1#top', REDACT)).toBe('https://shop.test/a?b=1#top');
  });

  it('uses a configured word list', () => {
    expect(redactUrl('https://shop.test/?customer=9&email=x', ['customer'])).toBe('https://shop.test/?customer=REDACTED&email=x');
  });

  it('returns an empty string for what is not a URL', () => {
    expect(redactUrl('', REDACT)).toBe('');
    expect(redactUrl('not a url', REDACT)).toBe('');
  });
});

describe('campaignOf', () => {
  it('reads utm parameters', () => {
    expect(campaignOf('https://s.test/?utm_source=ig&utm_medium=cpc&utm_campaign=summer&utm_term=shoes&utm_content=a', '')).toEqual({
      source: 'ig',
      medium: 'cpc',
      campaign: 'summer',
      term: 'shoes',
      content: 'a',
    });
  });

  it.each([
    ['https://l.instagram.com/', 'instagram'],
    ['https://m.facebook.com/story', 'facebook'],
    ['https://t.co/abc', 'x'],
    ['https://twitter.com/', 'x'],
    ['https://www.linkedin.com/feed', 'linkedin'],
    ['https://www.tiktok.com/@shop', 'tiktok'],
    ['https://youtu.be/v', 'youtube'],
    ['https://web.whatsapp.com/', 'whatsapp'],
    ['https://t.me/shop', 'telegram'],
  ])('marks a visit referred by %s as social from %s', (referrer, source) => {
    expect(campaignOf('https://s.test/', referrer)).toEqual({ source, medium: 'social' });
  });

  it('prefers utm parameters over a social referrer', () => {
    expect(campaignOf('https://s.test/?utm_source=news', 'https://t.co/x')).toEqual({ source: 'news' });
  });

  it('does not mistake look-alike hosts for social networks', () => {
    expect(socialSource('https://notinstagram.com/')).toBeUndefined();
    expect(socialSource('https://x.com.evil.test/')).toBeUndefined();
    expect(campaignOf('https://s.test/', 'https://search.test/')).toBeUndefined();
  });
});
