// @module-tag deep
// Names that are properties of every JavaScript object (constructor, toString, __proto__...) are only names: as a
// server, entry key or profile typed by a user, and as an input name in registry data. Each command answers as for
// any unknown name; none reaches Object.prototype (which once made uninstall fail with EINTERNAL and `info
// constructor` search for "Object").
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMcpm } from './helpers/cli.js';
import { serverEntry, startMcpRegistry, type McpRegistry } from './helpers/mcp-registry.js';
import { startNpmRegistry, type NpmRegistry } from './helpers/npm-registry.js';
import { cleanupTmpDirs, makeTmpDir } from './helpers/tmp.js';
import { packGithubPosts, SERVER } from './helpers/world.js';

const NAMES = ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf'];

let npm: NpmRegistry;
let registry: McpRegistry;
let home: string;

beforeAll(async () => {
  npm = await startNpmRegistry(await packGithubPosts(['1.0.0']));
  // Registry data whose inputs are named like Object's properties.
  const entry = serverEntry(SERVER, '1.0.0', {
    identifier: 'github-posts',
    version: '1.0.0',
    registryBaseUrl: npm.url,
    env: [{ name: 'constructor', isRequired: true }, { name: 'toString' }, { name: 'POSTS_API_URL', isRequired: true }],
  });
  registry = await startMcpRegistry([entry]);
  home = await makeTmpDir('mcpm-proto-');
  const run = await mcpm(['install', 'github-posts', '--client', 'cursor', '--env', 'constructor=c-value', '--env', 'POSTS_API_URL=http://x', '--json']);
  expect(run.json?.ok, run.stderr).toBe(true);
});
afterAll(async () => {
  await Promise.allSettled([npm.close(), registry.close()]);
  await cleanupTmpDirs();
});

const mcpm = (args: string[]) => runMcpm([...args, '--registry', registry.url], { home, timeoutMs: 60_000 });

describe('names that are properties of JavaScript objects', () => {
  it('registry inputs named constructor and toString are ordinary inputs', () => {
    const entry = JSON.parse(readFileSync(path.join(home, '.cursor', 'mcp.json'), 'utf8')).mcpServers['github-posts'];
    expect(entry.env).toEqual({ constructor: 'c-value', POSTS_API_URL: 'http://x' });
  });

  for (const name of NAMES) {
    it(`"${name}" as a server name: not installed, not found; never EINTERNAL`, async () => {
      const runs = await Promise.all([
        mcpm(['uninstall', name, '--json']),
        mcpm(['disable', name, '--json']),
        mcpm(['check', name, '--json']),
        mcpm(['rollback', name, '--json']),
      ]);
      for (const run of runs) expect(run.json?.error?.code, run.stdout + run.stderr).toBe('ENOTINSTALLED');
      // `secrets set` works before an install, so a name not installed is looked up in the registries, like info.
      for (const args of [['info', name, '--json'], ['secrets', 'set', name, 'KEY', '--json']]) {
        expect((await mcpm(args)).json.error).toMatchObject({ code: 'ENOTFOUND', message: expect.stringContaining(`"${name}"`) });
      }
    });
  }

  it('"constructor" as a profile: its own inputs, not Object\'s', async () => {
    const run = await runMcpm(['install', 'github-posts', '--profile', 'constructor', '--env', 'constructor=other', '--env', 'POSTS_API_URL=http://y', '--registry', registry.url, '--json'], { home, timeoutMs: 60_000 });
    expect(run.json?.error, run.stderr).toBeUndefined();
    expect((await mcpm(['list', '--json'])).json.result[0].name).toBe(SERVER);
  });
});
