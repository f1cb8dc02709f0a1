// @vitest-environment node
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildIsStale } from '../../examples/demo.mjs';

let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'crumbtrail-demo-build-'));
  await mkdir(join(root, 'src/core'), { recursive: true });
  await mkdir(join(root, 'dist'));
  await writeFile(join(root, 'src/core/tracker.ts'), 'export {};');
  await writeFile(join(root, 'package.json'), '{}');
});
afterEach(() => rm(root, { recursive: true, force: true }));

const at = (path: string, seconds: number) => utimes(join(root, path), seconds, seconds);

async function build(seconds: number) {
  for (const file of ['crumbtrail.mjs', 'crumbtrail.min.js', 'crumbtrail.core.min.js']) {
    await writeFile(join(root, 'dist', file), '');
    await at(`dist/${file}`, seconds);
  }
}

describe('the demo build check', () => {
  it('asks for a build when dist/ lacks one of the files the demo serves', async () => {
    await build(2_000);
    await rm(join(root, 'dist/crumbtrail.min.js'));
    expect(buildIsStale(root)).toBe(true);
  });

  it('skips the build when every output is newer than every source', async () => {
    await at('src/core/tracker.ts', 1_000);
    await at('package.json', 1_000);
    await build(2_000);
    expect(buildIsStale(root)).toBe(false);
  });

  it('asks for a build when a source file deep in src/ changed after the oldest output', async () => {
    await at('package.json', 1_000);
    await build(2_000);
    await at('dist/crumbtrail.core.min.js', 1_500);
    await at('src/core/tracker.ts', 1_800);
    expect(buildIsStale(root)).toBe(true);
  });
});
