import { describe, expect, it } from 'vitest';
import { findLookalike, lookalikeWarning, scriptsOf, skeleton, wellKnownNames } from '../../src/registry/lookalike.js';

const MEMORY = 'io.github.modelcontextprotocol/server-memory';

describe('look-alike server names', () => {
  it('the embedded index provides the well-known names, and none of them looks like another', () => {
    const names = wellKnownNames();
    expect(names).toContain(MEMORY);
    expect(new Set(names.map(skeleton)).size).toBe(names.length);
  });

  const imitations: Array<[string, string]> = [
    ['a capital I for an l', 'io.github.modeIcontextprotocol/server-memory'],
    ['a one for an l', 'io.github.mode1contextprotocol/server-memory'],
    ['a zero for an o', 'io.github.modelcontextpr0tocol/server-memory'],
    ['r and n for an m', 'io.github.modelcontextprotocol/server-rnemory'],
    ['a Cyrillic e', 'io.github.modelcontextprotocol/server-m\u0435mory'],
    ['a Greek omicron', 'io.github.modelc\u03bfntextprotocol/server-memory'],
    ['fullwidth letters', 'io.github.modelcontextprotocol/server-\uff4d\uff45\uff4d\uff4f\uff52\uff59'],
    ['a zero-width space', 'io.github.modelcontextprotocol/server-mem\u200bory'],
    ['a Unicode hyphen', 'io.github.modelcontextprotocol/server\u2010memory'],
  ];
  for (const [what, name] of imitations) {
    it(`flags ${what}`, () => {
      expect(findLookalike(name, wellKnownNames())).toBe(MEMORY);
      expect(lookalikeWarning(name)).toMatch(/looks like io\.github\.modelcontextprotocol\/server-memory but is a different server/);
    });
  }

  it('names a mix of scripts', () => {
    expect(scriptsOf('io.github.modelcontextprotocol/server-m\u0435mory')).toEqual(['Latin', 'Cyrillic']);
    expect(lookalikeWarning('io.github.modelcontextprotocol/server-m\u0435mory')).toContain('mixes Latin and Cyrillic letters');
    expect(lookalikeWarning('io.github.acme/p\u043ests')).toMatch(/mixes Latin and Cyrillic letters/);
  });

  it('leaves alone the server itself, a case-only difference, other servers, and installed servers against themselves', () => {
    expect(lookalikeWarning(MEMORY)).toBeUndefined();
    expect(lookalikeWarning('io.github.ModelContextProtocol/server-memory')).toBeUndefined();
    expect(lookalikeWarning('io.github.modelcontextprotocol/server-everything')).toBeUndefined();
    expect(lookalikeWarning('io.github.acme/github-posts', ['io.github.acme/github-posts'])).toBeUndefined();
  });

  it('compares with installed servers too', () => {
    expect(lookalikeWarning('io.github.acrne/github-posts', ['io.github.acme/github-posts'])).toContain('looks like io.github.acme/github-posts');
  });
});
