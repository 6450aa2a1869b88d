// @module-tag deep
// Many mcpm processes at once on the same client files (JSON, TOML, YAML) and the same store: six installs with two
// prunes collecting the store meanwhile, then twelve processes installing six new servers while uninstalling the
// first six (and two more prunes), then six uninstalls. After each
// round every entry that should be there is, nothing else is, `mcpm list` and the store agree, and at the end every
// file is byte for byte what the user had.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { locateClient } from '../src/clients/locate.js';
import { findClient } from '../src/clients/table.js';
import { runMcpm, type RunResult } from './helpers/cli.js';
import { entryIn, readClientData } from './helpers/client-files.js';
import { serverEntry } from './helpers/mcp-registry.js';
import { packFixture } from './helpers/pack.js';
import { cleanupTmpDirs, makeTmpDir } from './helpers/tmp.js';
import { FIXTURES, startWorld, type World } from './helpers/world.js';

const CLIENTS = ['claude-desktop', 'codex', 'goose'] as const;
type ClientId = (typeof CLIENTS)[number];
const ORIGINALS: Record<ClientId, string> = {
  'claude-desktop': '{\n  "theme": "dark",\n  "mcpServers": {\n    "weather": { "command": "npx", "args": ["-y", "weather-mcp"] }\n  }\n}\n',
  codex: 'model = "o3"\n\n[mcp_servers.weather]\ncommand = "npx"\nargs = ["-y", "weather-mcp"]\n',
  goose: 'GOOSE_PROVIDER: anthropic\nextensions:\n  developer:\n    bundled: true\n    enabled: true\n    name: developer\n    type: builtin\n',
};
const FIRST = Array.from({ length: 6 }, (_, i) => `posts-${i}`);
const SECOND = Array.from({ length: 6 }, (_, i) => `posts-${i + 6}`);

let world: World;
let home: string;
const fileOf = (id: ClientId) => locateClient(findClient(id)!, { platform: process.platform, home, env: { HOME: home }, cwd: home })!.file;
const mcpm = (args: string[]) => runMcpm([...args, '--registry', world.registryUrl, '--json'], { home, timeoutMs: 120_000 });

function expectAll(runs: RunResult[], what: string[]) {
  runs.forEach((run, i) => expect(run.json?.ok, `${what[i]}: ${run.stderr}${run.stdout}`).toBe(true));
}

/** Exactly these servers, everywhere: each client file, mcpm list, the store; the user's entries untouched. */
async function expectInstalled(names: string[]) {
  for (const id of CLIENTS) {
    const client = findClient(id)!;
    const data = readClientData(fileOf(id), client.format);
    const keys = Object.keys(entryIn(data, client.serversPath.slice(0, -1), client.serversPath.at(-1)!) ?? {});
    const expected = [id === 'goose' ? 'developer' : 'weather', ...names];
    expect(keys.sort(), `${id}'s entries`).toEqual(expected.sort());
    for (const name of names) expect(entryIn(data, client.serversPath, name).args ?? entryIn(data, client.serversPath, name).cmd).toBeDefined();
    const beside = readdirSync(path.dirname(fileOf(id))).filter((n) => n !== path.basename(fileOf(id)) && n !== `${path.basename(fileOf(id))}.mcpm-backup`);
    expect(beside, `left beside ${id}'s file`).toEqual([]);
  }
  const list = await mcpm(['list']);
  expect(list.stderr).not.toContain('interrupted');
  expect(list.json.result.map((s: any) => s.key).sort()).toEqual([...names].sort());
  for (const server of list.json.result) expect(server.clients.map((c: any) => c.client).sort()).toEqual([...CLIENTS].sort());
  const store = path.join(home, '.mcpm', 'store', 'io.github.acme');
  expect(existsSync(store) ? readdirSync(store).sort() : []).toEqual([...names].sort());
  // Every installed version is whole: each file its package shipped is there (none collected from under it).
  for (const server of list.json.result) {
    const version = path.join(store, server.key, '1.0.0');
    for (const file of ['index.js', 'package.json']) expect(existsSync(path.join(version, 'node_modules', server.key, file)), `${server.key}/${file}`).toBe(true);
    expect(existsSync(path.join(version, 'node_modules', 'posts-format', 'index.js')), `${server.key}: posts-format`).toBe(true);
  }
}

beforeAll(async () => {
  const names = [...FIRST, ...SECOND];
  const packages = await Promise.all(names.map((name) => packFixture(path.join(FIXTURES, 'github-posts'), { name, mcpName: `io.github.acme/${name}`, bin: { [name]: 'index.js' } })));
  world = await startWorld({
    versions: ['1.0.0'],
    packages,
    extraEntries: (npmUrl) => names.map((name) => serverEntry(`io.github.acme/${name}`, '1.0.0', { identifier: name, version: '1.0.0', registryBaseUrl: npmUrl })),
  });
  home = await makeTmpDir('mcpm-concurrency-');
  for (const id of CLIENTS) {
    mkdirSync(path.dirname(fileOf(id)), { recursive: true });
    writeFileSync(fileOf(id), ORIGINALS[id]);
  }
});
afterAll(async () => {
  await world.close();
  await cleanupTmpDirs();
});

const clientFlags = CLIENTS.flatMap((id) => ['--client', id]);

describe('concurrent installs and uninstalls on the same files and store', () => {
  it('six installs at once, and prunes running meanwhile: all six entries in all three files, every version whole', async () => {
    const jobs = [...FIRST.map((name) => ['install', name, ...clientFlags]), ['prune'], ['prune']];
    const order = [jobs[0]!, jobs[6]!, ...jobs.slice(1, 4), jobs[7]!, ...jobs.slice(4, 6)];
    expectAll(await Promise.all(order.map((args) => mcpm(args))), order.map((a) => a.slice(0, 2).join(' ')));
    await expectInstalled(FIRST);
  });

  it('twelve processes at once, six installing and six uninstalling: exactly the new six remain', async () => {
    const jobs = [...FIRST.map((name) => ['uninstall', name]), ...SECOND.map((name) => ['install', name, ...clientFlags])];
    // Interleave, so installs and uninstalls start together.
    const order = [...jobs.map((_, i) => (i % 2 === 0 ? jobs[i / 2]! : jobs[6 + (i - 1) / 2]!)), ['prune'], ['prune']];
    expectAll(await Promise.all(order.map((args) => mcpm(args))), order.map((a) => a.slice(0, 2).join(' ')));
    await expectInstalled(SECOND);
  });

  it('a prune while an install has built its version but not yet recorded it leaves that version in place', async () => {
    const pause = await makeTmpDir('mcpm-pause-');
    const install = runMcpm(['install', 'posts-0', ...clientFlags, '--registry', world.registryUrl, '--json'], { home, timeoutMs: 120_000, env: { MCPM_PAUSEPOINT: `after-store:${pause}` } });
    await vi.waitFor(() => expect(existsSync(path.join(pause, 'reached'))).toBe(true), { timeout: 60_000, interval: 50 });
    const pruned = await mcpm(['prune']);
    expect(pruned.json?.ok, pruned.stderr).toBe(true);
    writeFileSync(path.join(pause, 'go'), '');
    expect((await install).json?.ok).toBe(true);
    await expectInstalled([...SECOND, 'posts-0']);
    expect((await mcpm(['uninstall', 'posts-0'])).json?.ok).toBe(true);
  });

  it('six uninstalls at once: every file is what the user had, byte for byte', async () => {
    expectAll(await Promise.all(SECOND.map((name) => mcpm(['uninstall', name]))), SECOND);
    await expectInstalled([]);
    for (const id of CLIENTS) expect(readFileSync(fileOf(id), 'utf8'), id).toBe(ORIGINALS[id]);
    const state = JSON.parse(readFileSync(path.join(home, '.mcpm', 'state', 'installed.json'), 'utf8'));
    expect(state.servers).toEqual({});
    expect(Object.keys(state.pending ?? {})).toEqual([]);
    expect(state.removing).toBeUndefined();
  });
});
