// Size check: builds each script-tag bundle in memory, prints raw / min / gzip / brotli bytes,
// and fails when a bundle or a plugin's added cost is over its budget (gzip bytes).
import nodeResolve from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';
import { existsSync } from 'node:fs';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { rollup } from 'rollup';
import { terserOptions } from '../rollup.config.mjs';

const CORE_BUDGET = 5120;
const FULL_BUDGET = 12288;
// Plugins: data-plugins name, module, export, budget of the gzip bytes it adds to the core build.
// Plugins sharing a budget carry the same group name.
const PLUGINS = [
  { name: 'pageviews', file: 'src/plugins/page-views.ts', fn: 'pageViews', group: 'pageviews+dwell', budget: 1024 },
  { name: 'dwell', file: 'src/plugins/dwell-time.ts', fn: 'dwellTime', group: 'pageviews+dwell', budget: 1024 },
  { name: 'video', file: 'src/plugins/video.ts', fn: 'videoEngagement', budget: 1536 },
  { name: 'geofences', file: 'src/plugins/geofences.ts', fn: 'geofences', budget: 2048 },
  { name: 'coupons', file: 'src/plugins/coupon-ui.ts', fn: 'couponUi', budget: 1536 },
  { name: 'vitals', file: 'src/plugins/web-vitals.ts', fn: 'webVitals' },
];

const VIRTUAL = '\0size-entry';

async function bundle(code, raw) {
  const plugins = [
    { name: 'entry', resolveId: (id) => (id == VIRTUAL ? id : null), load: (id) => (id == VIRTUAL ? code : null) },
    nodeResolve({ browser: true }),
    typescript({ tsconfig: './tsconfig.json', include: ['src/**/*.ts'], declaration: false, outDir: 'dist' }),
  ];
  if (!raw) plugins.push(terser(terserOptions));
  const build = await rollup({ input: VIRTUAL, plugins, onwarn() {} });
  const { output } = await build.generate({ format: 'iife' });
  await build.close();
  return output[0].code;
}

const entry = (plugins) =>
  [
    `import { boot } from '${process.cwd()}/src/browser/script.ts';`,
    ...plugins.map((p) => `import { ${p.fn} } from '${process.cwd()}/${p.file}';`),
    `boot({ ${plugins.map((p) => `${JSON.stringify(p.name)}: ${p.fn}`).join(', ')} });`,
  ].join('\n');

async function measure(code) {
  const min = await bundle(code, false);
  return {
    raw: (await bundle(code, true)).length,
    min: min.length,
    gzip: gzipSync(min, { level: 9 }).length,
    brotli: brotliCompressSync(min, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
}

const present = PLUGINS.filter((p) => existsSync(p.file));
const rows = [];
const failures = [];
const core = await measure(entry([]));
rows.push(['core (tracker + httpTransport + queue)', core, CORE_BUDGET]);
if (core.gzip > CORE_BUDGET) failures.push(`core is ${core.gzip} B gzip, budget ${CORE_BUDGET}`);

const groups = new Map();
for (const p of present) groups.set(p.group || p.name, [...(groups.get(p.group || p.name) || []), p]);
for (const [group, members] of groups) {
  const m = await measure(entry(members));
  const added = { raw: m.raw - core.raw, min: m.min - core.min, gzip: m.gzip - core.gzip, brotli: m.brotli - core.brotli };
  const budget = members[0].budget;
  rows.push([`+ ${group}`, added, budget]);
  if (budget && added.gzip > budget) failures.push(`${group} adds ${added.gzip} B gzip, budget ${budget}`);
}
const full = await measure(entry(present));
rows.push([`full (${present.map((p) => p.name).join(', ') || 'no plugins yet'})`, full, FULL_BUDGET]);
if (full.gzip > FULL_BUDGET) failures.push(`full is ${full.gzip} B gzip, budget ${FULL_BUDGET}`);

const pad = (v, n) => String(v).padStart(n);
console.log(`${'bundle'.padEnd(52)}${pad('raw', 8)}${pad('min', 8)}${pad('gzip', 8)}${pad('brotli', 8)}${pad('budget', 8)}`);
for (const [name, s, budget] of rows) {
  console.log(`${name.padEnd(52)}${pad(s.raw, 8)}${pad(s.min, 8)}${pad(s.gzip, 8)}${pad(s.brotli, 8)}${pad(budget || '-', 8)}`);
}
if (failures.length) {
  console.error(`size budget exceeded:\n  ${failures.join('\n  ')}`);
  process.exit(1);
}
console.log('all sizes within budget');
