// How typed names are read: close names for a typo, package identifiers compared as each ecosystem does, `@latest`.
import { describe, expect, it } from 'vitest';
import { closeNames, editDistance } from '../../src/registry/suggest.js';
import { sameIdentifier } from '../../src/registry/resolve.js';
import { parseNameSpec } from '../../src/plan/version.js';

describe('closeNames', () => {
  const known = ['io.github.modelcontextprotocol/server-memory', 'com.letta/memory-mcp', 'io.github.acme/github-posts', 'io.github.x/mem'];
  it('a swap of two letters is one step; the hand-checked server comes first on a tie', () => {
    expect(editDistance('memroy', 'memory', 2)).toBe(1);
    expect(closeNames('memroy', known, new Set(['io.github.modelcontextprotocol/server-memory']))).toEqual(['io.github.modelcontextprotocol/server-memory', 'com.letta/memory-mcp']);
  });
  it('short words suggest only what is one step away, and an exact name is not a suggestion', () => {
    expect(closeNames('mex', known)).toEqual(['io.github.x/mem']);
    expect(closeNames('github-posts', known)).toEqual([]);
    expect(closeNames('weather', known)).toEqual([]);
  });
});

describe('sameIdentifier', () => {
  it('npm and nuget exactly (case aside), PyPI as PyPI normalises, images without tag, digest or docker.io', () => {
    expect(sameIdentifier('npm', '@modelcontextprotocol/server-memory', '@ModelContextProtocol/server-memory')).toBe(true);
    expect(sameIdentifier('npm', 'server-memory', 'server_memory')).toBe(false);
    expect(sameIdentifier('pypi', 'mcp-server-fetch', 'mcp_server.fetch')).toBe(true);
    expect(sameIdentifier('oci', 'docker.io/acme/weather:1.2.0', 'acme/weather')).toBe(true);
    expect(sameIdentifier('oci', 'ghcr.io/acme/weather@sha256:abc123', 'ghcr.io/acme/weather')).toBe(true);
    expect(sameIdentifier('oci', 'ghcr.io/acme/weather', 'acme/weather')).toBe(false);
  });
});

describe('parseNameSpec', () => {
  it('@latest is the registry latest; an npm scope keeps its @', () => {
    expect(parseNameSpec('memory@latest')).toEqual({ name: 'memory', range: undefined });
    expect(parseNameSpec('@acme/kit@^2')).toEqual({ name: '@acme/kit', range: '^2' });
    expect(parseNameSpec('@acme/kit')).toEqual({ name: '@acme/kit' });
  });
});
