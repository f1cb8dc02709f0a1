import { describe, expect, it } from 'vitest';
import { unknownOption } from '../../src/core/suggest';

const NAMES = ['collector', 'transport', 'batch', 'queue', 'storage', 'consent', 'debug', 'namespace'];

describe('unknownOption', () => {
  it('suggests the option one letter away', () => {
    expect(unknownOption('colector', NAMES)).toBe(`no such option; did you mean "collector"? Options are ${NAMES.join(', ')}`);
  });

  it('counts two swapped neighbours as one edit', () => {
    expect(unknownOption('hahs', ['auto', 'hash', 'query'])).toMatch(/did you mean "hash"\?/);
    expect(unknownOption('cosnent', NAMES)).toMatch(/did you mean "consent"\?/);
  });

  it('ignores case when comparing', () => {
    expect(unknownOption('Debug', NAMES)).toMatch(/did you mean "debug"\?/);
  });

  it('suggests the closest of several near names', () => {
    expect(unknownOption('maxEvent', ['maxBytes', 'maxEvents', 'maxAgeMs'])).toMatch(/did you mean "maxEvents"\?/);
  });

  it('suggests nothing for a name more than two edits from every option', () => {
    expect(unknownOption('endpoint', NAMES)).toBe(`no such option; options are ${NAMES.join(', ')}`);
  });

  it('suggests nothing when the whole name would have to be replaced', () => {
    expect(unknownOption('qs', ['id', 'hash'])).toBe('no such option; options are id, hash');
  });
});
