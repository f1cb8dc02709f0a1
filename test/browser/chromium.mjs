// What the real-browser tests and the benchmarks share, in plain JS so that `node bench/bench.mjs`
// can import it too: how to start Debian's Chromium here, and the import map of the ESM build.
import { existsSync } from 'node:fs';

/**
 * Flags proven on these machines (shared/BROWSER-TESTING.md): no network chatter, no GPU, no
 * sandbox (root), and media may play without a gesture.
 *
 * @example
 * chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
  '--autoplay-policy=no-user-gesture-required',
];

/**
 * The Chromium to drive: `$CHROMIUM_BIN`, else Debian's binary (the /usr/bin/chromium wrapper
 * prints a harmless shell error, so the real binary is preferred when present). Never a
 * downloaded browser.
 *
 * @example
 * chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
 */
export function chromiumPath() {
  if (process.env.CHROMIUM_BIN) return process.env.CHROMIUM_BIN;
  return existsSync('/usr/lib/chromium/chromium') ? '/usr/lib/chromium/chromium' : '/usr/bin/chromium';
}

/**
 * Resolves the ESM build's dependencies from the served node_modules/.
 *
 * @example
 * const head = `<script type="importmap">${IMPORT_MAP}</script>`;
 */
export const IMPORT_MAP = JSON.stringify({
  imports: {
    'idb-keyval': '/node_modules/idb-keyval/dist/index.js',
    'web-vitals': '/node_modules/web-vitals/dist/web-vitals.js',
    'web-vitals/attribution': '/node_modules/web-vitals/dist/web-vitals.attribution.js',
  },
});
