import nodeResolve from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';

const pkg = JSON.parse(await import('node:fs').then((fs) => fs.readFileSync('./package.json', 'utf8')));
const external = Object.keys(pkg.dependencies);

// Minification shared by the script-tag builds and the size check (bench/size.mjs). The output
// keeps "use strict" (`module: true` would drop it from the IIFE). Of the unsafe
// transforms, only those that cannot change behaviour: not `unsafe`, which turns String(x) into
// ""+x and so throws for a Symbol; not `unsafe_comps`, which turns !(a < b) into a >= b, wrong
// when either side is undefined or NaN; not `unsafe_math`, which reorders floating-point sums.
export const terserOptions = {
  ecma: 2020,
  module: false,
  compress: {
    // Measured on the core build: two passes and hoisted function declarations come out smaller
    // than three passes, and so do arrows kept as arrows rather than turned into methods.
    passes: 2,
    hoist_funs: true,
    pure_getters: true,
    unsafe_arrows: true,
    unsafe_proto: true,
    unsafe_regexp: true,
    unsafe_symbols: true,
    unsafe_undefined: true,
  },
  mangle: { properties: false },
  format: { comments: false },
};

/** The script-tag builds: file name → entry. */
export const scriptBuilds = {
  'crumbtrail.min.js': 'src/browser/full.ts',
  'crumbtrail.core.min.js': 'src/browser/core.ts',
};

const ts = (declarations) =>
  typescript({
    tsconfig: './tsconfig.json',
    include: ['src/**/*.ts'],
    declaration: declarations,
    declarationDir: declarations ? 'dist' : undefined,
    outDir: 'dist',
  });

// The package is "type": "module", so TypeScript under node16/nodenext reads dist/*.d.ts as ES
// modules, whose relative imports need an extension (without one every export is `any`), and a
// CommonJS consumer needs .d.cts files (TS1479 on an ES module's types).
const dualTypes = {
  name: 'dual-types',
  // Runs for both outputs, which share the declarations: a second pass changes nothing.
  generateBundle(_, bundle) {
    for (const [name, file] of Object.entries(bundle)) {
      if (!name.endsWith('.d.ts')) continue;
      const withExt = (ext) => String(file.source).replace(/(from '\.\.?\/[^']+?)(\.js)?'/g, `$1${ext}'`);
      file.source = withExt('.js');
      this.emitFile({ type: 'asset', fileName: name.replace(/ts$/, 'cts'), source: withExt('.cjs') });
    }
  },
};

export default [
  {
    input: 'src/index.ts',
    external: (id) => external.some((d) => id == d || id.startsWith(d + '/')),
    plugins: [ts(true), dualTypes],
    output: [
      // One file per module: a bundler then leaves out, with the plugins a page does not use, the
      // libraries they import, some of which do work at import time (web-vitals/attribution
      // starts a PerformanceObserver) and so would stay in a single file.
      {
        dir: 'dist',
        format: 'es',
        sourcemap: true,
        preserveModules: true,
        preserveModulesRoot: 'src',
        entryFileNames: (chunk) => (chunk.name == 'index' ? 'crumbtrail.mjs' : 'esm/[name].mjs'),
      },
      { file: 'dist/crumbtrail.cjs', format: 'cjs', sourcemap: true },
    ],
  },
  ...Object.entries(scriptBuilds).map(([file, input]) => ({
    input,
    plugins: [nodeResolve({ browser: true }), ts(false), terser(terserOptions)],
    output: { file: `dist/${file}`, format: 'iife', sourcemap: true },
  })),
];
