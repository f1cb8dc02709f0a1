// Size check: builds each script-tag bundle in memory, prints raw / min / gzip / brotli bytes,
// and fails when a bundle or a plugin's added cost is over its budget (gzip bytes).
// `npm run size -- --modules` also prints what each module adds to the core bundle.
import nodeResolve from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';
import { existsSync } from 'node:fs';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { rollup } from 'rollup';
import { parseAst } from 'rollup/parseAst';
import { minify } from 'terser';
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

async function bundle(code, raw, modules) {
  const plugins = [
    { name: 'entry', resolveId: (id) => (id == VIRTUAL ? id : null), load: (id) => (id == VIRTUAL ? code : null) },
    nodeResolve({ browser: true }),
    typescript({ tsconfig: './tsconfig.json', include: ['src/**/*.ts'], declaration: false, outDir: 'dist' }),
  ];
  if (!raw) plugins.push(terser(terserOptions));
  const build = await rollup({ input: VIRTUAL, plugins, onwarn() {} });
  const { output } = await build.generate({ format: 'iife' });
  await build.close();
  if (modules) return output[0];
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
if (process.argv.includes('--modules')) await breakdown();
if (failures.length) {
  console.error(`size budget exceeded:\n  ${failures.join('\n  ')}`);
  process.exit(1);
}
console.log('all sizes within budget');

// What each module of the core bundle costs on its own: the gzip bytes the minified bundle
// loses when the module's code is left out. Every top-level binding is kept alive meanwhile, so
// that leaving out a module does not also drop the modules only it calls.
async function breakdown() {
  const chunk = await bundle(entry([]), true, true);
  const [iife] = parseAst(chunk.code).body;
  const names = iife.expression.callee.body.body.flatMap((n) =>
    n.type == 'FunctionDeclaration' ? [n.id.name] : n.type == 'VariableDeclaration' ? n.declarations.map((d) => d.id.name).filter(Boolean) : [],
  );
  const end = chunk.code.lastIndexOf('})');
  const keep = (code) => code.slice(0, end - (chunk.code.length - code.length)) + `globalThis.keep=[${names}];` + code.slice(end - (chunk.code.length - code.length));
  const gz = async (code) => gzipSync((await minify(keep(code), terserOptions)).code, { level: 9 }).length;
  const whole = await gz(chunk.code);
  const lines = [];
  for (const [id, m] of Object.entries(chunk.modules)) {
    const at = m.code ? chunk.code.indexOf(m.code) : -1;
    if (at >= 0) lines.push([id.replace(process.cwd() + '/', '').replace(/^.*node_modules\//, ''), whole - (await gz(chunk.code.slice(0, at) + chunk.code.slice(at + m.code.length)))]);
  }
  lines.sort((a, b) => b[1] - a[1]);
  console.log(`\ncore bundle by module: gzip bytes of its own code (sum ${lines.reduce((n, l) => n + l[1], 0)}; shared compression counts for no one)`);
  for (const [name, bytes] of lines) console.log(`${name.padEnd(52)}${pad(bytes, 8)}`);
}
