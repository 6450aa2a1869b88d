// @module-tag deep
// After uninstalling everything, nothing mcpm created is left: no `{"mcpServers": {}}`, no empty config.toml or
// `extensions: null`, no folders it made (they would make a client look installed), and no backups of files whose
// content was only ever mcpm's. A file the user had keeps its one-time backup.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMcpm } from './helpers/cli.js';
import { serverEntry } from './helpers/mcp-registry.js';
import { cleanupTmpDirs, makeTmpDir } from './helpers/tmp.js';
import { packGithubPosts, startWorld, TOKEN, type World } from './helpers/world.js';

let world: World;
beforeAll(async () => {
  const [other] = await packGithubPosts(['1.0.0'], { name: 'other-posts', mcpName: 'io.github.acme/other-posts', bin: { 'other-posts': 'index.js' } });
  world = await startWorld({
    versions: ['1.0.0'],
    packages: [other!],
    // A second server on the same package, so two entries share each file.
    extraEntries: (npmUrl) => [serverEntry('io.github.acme/other-posts', '1.0.0', { identifier: 'other-posts', version: '1.0.0', registryBaseUrl: npmUrl, env: [{ name: 'POSTS_API_URL', isRequired: true }] })],
  });
});
afterAll(async () => {
  await world.close();
  await cleanupTmpDirs();
});

const mcpm = (home: string, args: string[]) => runMcpm([...args, '--registry', world.registryUrl, '--json'], { home, env: { POSTS_API_TOKEN: TOKEN }, timeoutMs: 60_000 });
const CLIENTS = ['cursor', 'codex', 'goose', 'continue'];

describe('leftovers', () => {
  for (const order of [['github-posts', 'other-posts'], ['other-posts', 'github-posts']]) {
    it(`uninstalling ${order.join(' then ')} leaves nothing mcpm created`, async () => {
      const home = await makeTmpDir('mcpm-left-');
      const before = readdirSync(home).sort();
      for (const name of ['github-posts', 'other-posts']) {
        const run = await mcpm(home, ['install', name, ...CLIENTS.flatMap((c) => ['--client', c]), '--env', 'POSTS_API_URL=http://x', '--env', 'POSTS_API_TOKEN']);
        expect(run.json?.error, run.stderr).toBeUndefined();
      }
      for (const name of order) expect((await mcpm(home, ['uninstall', name])).json?.ok).toBe(true);
      expect(readdirSync(home).filter((f) => f !== '.mcpm').sort()).toEqual(before);
      const clients = await mcpm(home, ['clients']);
      expect(clients.json.result.filter((c: any) => CLIENTS.includes(c.id)).map((c: any) => c.detected)).toEqual([false, false, false, false]);
    });
  }

  it('a file the user had keeps its one-time backup; no backup is made of a file mcpm created', async () => {
    const home = await makeTmpDir('mcpm-left-');
    mkdirSync(path.join(home, '.cursor'));
    writeFileSync(path.join(home, '.cursor', 'mcp.json'), '{ "mcpServers": { "mine": { "command": "x" } } }\n');
    for (const name of ['github-posts', 'other-posts']) await mcpm(home, ['install', name, '--client', 'cursor', '--client', 'codex', '--env', 'POSTS_API_URL=http://x', '--env', 'POSTS_API_TOKEN']);
    expect(existsSync(path.join(home, '.cursor', 'mcp.json.mcpm-backup'))).toBe(true);
    expect(readdirSync(path.join(home, '.codex'))).toEqual(['config.toml']);
  });
});
