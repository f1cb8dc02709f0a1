// The npm package as a consumer gets it, read from dist/ after `npm run build` (this lane runs
// after the build; nothing here needs a browser).
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import nodeResolve from '@rollup/plugin-node-resolve';
import { rollup } from 'rollup';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../..');

// A consumer project with crumbtrail installed as node_modules/crumbtrail (the repo, whose
// package.json exports point into dist/).
const consumer = mkdtempSync(join(tmpdir(), 'crumbtrail-consumer-'));
mkdirSync(join(consumer, 'node_modules'));
symlinkSync(root, join(consumer, 'node_modules/crumbtrail'), 'dir');
afterAll(() => rmSync(consumer, { recursive: true, force: true }));

// Uses the options and event types; the misspelt option proves the types were found (were
// createTracker `any`, the @ts-expect-error would be unused, itself an error).
const USE = `import { createTracker, pageViews, dwellTime, videoEngagement, webVitals, geofences, type TrackerOptions, type CrumbEvent, type GeofencesOptions } from 'crumbtrail';
const options: TrackerOptions = { collector: 'https://collect.example.com/v1/batch' };
const fences: GeofencesOptions = { fences: [] };
const tracker = createTracker({ ...options, plugins: [pageViews(), dwellTime(), videoEngagement(), webVitals(), geofences(fences)] });
tracker.on('event', (e: CrumbEvent) => e.type);
// @ts-expect-error a misspelt option
createTracker({ colector: 'https://collect.example.com/v1/batch' });
export const id: string = tracker.track('add_to_cart', { sku: 'A-1' });
`;

/** Type-checks USE in a consumer package of the given type with the given module settings. */
function check(type: 'module' | 'commonjs', module: keyof typeof ts.ModuleKind, moduleResolution: keyof typeof ts.ModuleResolutionKind): string[] {
  const dir = join(consumer, `${type}-${module}-${moduleResolution}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type }));
  writeFileSync(join(dir, 'use.ts'), USE);
  const program = ts.createProgram([join(dir, 'use.ts')], {
    module: ts.ModuleKind[module],
    moduleResolution: ts.ModuleResolutionKind[moduleResolution],
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
    strict: true,
    noEmit: true,
    types: [],
  });
  // web-vitals ships ES-module types only, which TypeScript's node16 mode refuses to `require`
  // (its packaging, not ours; skipLibCheck, tsc --init's default, hides it): those are left out.
  return ts
    .getPreEmitDiagnostics(program)
    .map((d) => `${d.file?.fileName.replace(consumer, '')}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`)
    .filter((m) => !/plugins\/web-vitals[-a-z]*\.d\.cts: .*(ECMAScript module|resolution-mode)/.test(m));
}

describe('the npm package', () => {
  it.each([
    ['module', 'ESNext', 'Bundler'],
    ['module', 'Node16', 'Node16'],
    ['module', 'NodeNext', 'NodeNext'],
    ['commonjs', 'Node16', 'Node16'],
    ['commonjs', 'NodeNext', 'NodeNext'],
    ['commonjs', 'CommonJS', 'Node10'],
  ] as const)('gives TypeScript consumers (package type %s, module %s, resolution %s) its types without an error', (type, module, resolution) => {
    expect(check(type, module, resolution)).toEqual([]);
  });

  /** The modules of crumbtrail and its dependencies that a consumer's bundle keeps. */
  async function bundled(code: string): Promise<string[]> {
    const input = join(consumer, `entry-${Math.random()}.mjs`);
    writeFileSync(input, code);
    const build = await rollup({ input, plugins: [nodeResolve({ browser: true })], onwarn() {} });
    const { output } = await build.generate({ format: 'es' });
    return Object.entries(output[0].modules)
      .filter(([, m]) => m.renderedLength > 0)
      .map(([id]) => id.replace(root + '/', 'crumbtrail/').replace(/.*node_modules\//, ''))
      .filter((id) => !id.startsWith('/'));
  }

  it('leaves every plugin and library it does not use out of a bundle that imports createTracker alone', async () => {
    const mods = await bundled(`import { createTracker } from 'crumbtrail'; createTracker({ collector: '/c' });`);
    expect(mods.filter((m) => /web-vitals|plugins\//.test(m))).toEqual([]);
    expect(mods).toContain('idb-keyval/dist/index.js');
  });

  it('keeps of the plugins only the one imported', async () => {
    const mods = await bundled(`import { createTracker, webVitals } from 'crumbtrail'; createTracker({ collector: '/c', plugins: [webVitals()] });`);
    expect(mods.filter((m) => /web-vitals|plugins\//.test(m)).sort()).toEqual([
      'crumbtrail/dist/esm/plugins/web-vitals-options.mjs',
      'crumbtrail/dist/esm/plugins/web-vitals.mjs',
      'web-vitals/dist/web-vitals.js',
    ]);
  });
});
