/// <reference types="node" />
// Test pages that load the ESM build of crumbtrail and create a tracker from query parameters:
// `c` the collector URL, `o` extra options as JSON. They expose `window.tracker`, and what the
// tracker reported in `window.errors`, `window.drops` and `window.sentIds`.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { IMPORT_MAP } from './chromium.mjs';

export { IMPORT_MAP };

/** Mount for `startSite` so that the import map resolves. */
export const NODE_MODULES = { '/node_modules/': 'node_modules' };

/** An ESM page; `body` runs after the tracker exists (it may use `tracker`). */
export function esmPage(body = '', title = 'Test page'): string {
  return `<!doctype html><html><head><title>${title}</title>
<script type="importmap">${IMPORT_MAP}</script></head><body><h1>${title}</h1>
<script type="module">
import * as crumbtrail from '/dist/crumbtrail.mjs';
const q = new URLSearchParams(location.search);
window.errors = []; window.drops = []; window.sentIds = [];
const tracker = crumbtrail.createTracker({ collector: q.get('c'), ...JSON.parse(q.get('o') || '{}') });
tracker.on('error', (e) => errors.push(e.message));
tracker.on('dropped', (d) => drops.push(d));
tracker.on('sent', (s) => sentIds.push(...s.ids));
window.tracker = tracker;
window.crumbtrail = crumbtrail;
${body}
window.ready = true;
</script></body></html>`;
}

/** The URL of a test page with the collector and options in its query. */
export function pageUrl(site: string, path: string, collector: string, options: object = {}, extra = ''): string {
  return `${site}${path}?c=${encodeURIComponent(collector)}&o=${encodeURIComponent(JSON.stringify(options))}${extra}`;
}

/** Opens a page in a new context and waits for its tracker. */
export async function openPage(browser: Browser, url: string, context?: BrowserContext): Promise<{ context: BrowserContext; page: Page }> {
  context ||= await browser.newContext();
  const page = await context.newPage();
  await page.goto(url);
  await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready);
  return { context, page };
}

declare global {
  /** The test page's tracker (see esmPage), for code run with page.evaluate. */
  const tracker: import('../../src/core/types').Tracker;
}
