// Resolving a server's dependency tree: arborist walks it one package at a time, so mcpm first fetches the
// packuments of the whole tree many at a time into the cache arborist reads (src/store/prefetch.ts). What a user
// sees: an install whose dependencies sit on different branches asks for them together, and nothing twice.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runMcpm } from './helpers/cli.js';
import { serverEntry, startMcpRegistry } from './helpers/mcp-registry.js';
import { startNpmRegistry } from './helpers/npm-registry.js';
import { packFixture } from './helpers/pack.js';
import { cleanupTmpDirs, makeTmpDir } from './helpers/tmp.js';
import { FIXTURES, SERVER } from './helpers/world.js';

afterAll(cleanupTmpDirs);

/** A plain package built from the posts-format fixture, without its install script. */
const plain = (name: string, dependencies: Record<string, string> = {}) => packFixture(`${FIXTURES}posts-format`, { name, version: '1.0.0', scripts: {}, dependencies });

describe('resolving the dependency tree', () => {
  it('asks for the packuments of different branches at the same time, and for each one once', async () => {
    // github-posts -> fan-a -> fan-a1 and github-posts -> fan-b -> fan-b1: arborist alone asks for fan-b1 only once
    // fan-a1 has arrived. The registry holds back the first of the two until the other is asked for (or 5 s pass).
    const packages = [
      await packFixture(`${FIXTURES}github-posts`, { version: '1.0.0', dependencies: { 'posts-format': '^1.0.0', 'fan-a': '^1.0.0', 'fan-b': '^1.0.0' } }),
      await plain('posts-format'),
      await plain('fan-a', { 'fan-a1': '^1.0.0' }),
      await plain('fan-b', { 'fan-b1': '^1.0.0' }),
      await plain('fan-a1'),
      await plain('fan-b1'),
    ];
    const leaves = new Set(['fan-a1', 'fan-b1']);
    let waiting: { name: string; release: () => void } | undefined;
    let together = false;
    const npm = await startNpmRegistry(packages, {
      holdPackument: (name) => {
        if (!leaves.has(name)) return undefined;
        leaves.delete(name);
        if (waiting) {
          together = true;
          waiting.release();
          return undefined;
        }
        return new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            waiting = undefined; // the other one, asked for later, was not asked for together
            resolve();
          }, 5_000);
          waiting = { name, release: () => (clearTimeout(timer), resolve()) };
        });
      },
    });
    const registry = await startMcpRegistry([serverEntry(SERVER, '1.0.0', { identifier: 'github-posts', version: '1.0.0', registryBaseUrl: npm.url })]);
    try {
      const home = await makeTmpDir('mcpm-resolve-');
      const run = await runMcpm(['install', 'github-posts', '--client', 'claude-desktop', '--registry', registry.url, '--json'], { home, timeoutMs: 60_000 });
      expect(run.json?.ok, run.stderr).toBe(true);
      expect(together).toBe(true);

      for (const name of ['fan-a', 'fan-b', 'fan-a1', 'fan-b1', 'posts-format']) expect(npm.requests.filter((r) => r === `GET /${name}`), name).toHaveLength(1);
      const lock = JSON.parse(readFileSync(path.join(home, '.mcpm', 'store', 'io.github.acme', 'github-posts', '1.0.0', 'package-lock.json'), 'utf8'));
      expect(Object.keys(lock.packages).sort()).toEqual(['', 'node_modules/fan-a', 'node_modules/fan-a1', 'node_modules/fan-b', 'node_modules/fan-b1', 'node_modules/github-posts', 'node_modules/posts-format']);
    } finally {
      await Promise.all([npm.close(), registry.close()]);
    }
  });
});
