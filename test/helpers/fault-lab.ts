// The laboratory for kill -9 tests (test/faults-*.e2e.test.ts): a world with github-posts 1.0.0 and 1.1.0, three
// clients in three formats (Claude Desktop JSON, Codex TOML, Goose YAML) with the user's own settings, HOME snapshots
// (nothing installed; 1.0.0 installed) restored at the same path for every case, and the invariants checked after a
// kill and after the rerun.
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import type http from 'node:http';
import path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { parse as parseYaml } from 'yaml';
import { expect } from 'vitest';
import { locateClient } from '../../src/clients/locate.js';
import { findClient } from '../../src/clients/table.js';
import { readForeignEntry } from '../../src/plan/foreign.js';
import { runMcpm, type RunResult } from './cli.js';
import { entryIn, readClientData } from './client-files.js';
import { connectToEntry } from './mcp-client.js';
import { makeTmpDir } from './tmp.js';
import { SERVER, TOKEN, startWorld, type World } from './world.js';

export const CLIENTS = ['claude-desktop', 'codex', 'goose'] as const;
export type ClientId = (typeof CLIENTS)[number];
export const KEY = 'github-posts';

// The user's files before mcpm: other servers and settings, comments; servers map present (JSON) or not (TOML, YAML).
export const ORIGINALS: Record<ClientId, string> = {
  'claude-desktop': '{\n  "globalShortcut": "Ctrl+Space",\n  "mcpServers": {\n    "weather": { "command": "npx", "args": ["-y", "weather-mcp"] }\n  }\n}\n',
  codex: '# my codex settings\nmodel = "o3"\n\n[profiles.fast]\nmodel = "o4-mini"\n',
  goose: '# goose\nGOOSE_PROVIDER: anthropic\nGOOSE_MODEL: claude-sonnet\n',
};

let world: World;
let root: string;
let home: string;
/** While set, tarball requests go through it (see the mid-download kills). */
let stall: ((name: string, res: http.ServerResponse, tarball: Buffer) => boolean) | undefined;
/** HOME with the user's files and nothing installed; with 1.0.0 installed in the three clients. */
export const snapshots = { fresh: '', installed: '' };

export const fileOf = (id: ClientId) => locateClient(findClient(id)!, { platform: process.platform, home, env: { HOME: home }, cwd: home })!.file;
const formatOf = (id: ClientId) => findClient(id)!.format;
export const inputs = () => ['--env', `POSTS_API_URL=${world.postsUrl}`, '--env', `POSTS_API_TOKEN=${TOKEN}`];
export const clientFlags = CLIENTS.flatMap((id) => ['--client', id]);
export const mcpmDir = () => path.join(home, '.mcpm');
export const storeOf = () => path.join(mcpmDir(), 'store', 'io.github.acme', 'github-posts');

export function mcpm(args: string[], env: Record<string, string> = {}, onSpawn?: (child: ChildProcess) => void): Promise<RunResult> {
  return runMcpm([...args, '--registry', world.registryUrl], { home, env, timeoutMs: 90_000, onSpawn });
}

/** HOME is rebuilt at the same path for every case, so the absolute paths in mcpm's state stay right. */
export function restore(from: string) {
  rmSync(home, { recursive: true, force: true });
  cpSync(from, home, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
}

function snapshotHome(to: string) {
  rmSync(to, { recursive: true, force: true });
  cpSync(home, to, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
}

/** Parsed file data without mcpm's entry and without the empty containers an insertion may have created. */
function userPart(id: ClientId, text: string): unknown {
  const format = formatOf(id);
  const data = format === 'toml' ? parseToml(text) : format.startsWith('yaml') ? (parseYaml(text) ?? {}) : JSON.parse(text);
  const servers = findClient(id)!.serversPath;
  let node = data as Record<string, any>;
  for (const step of servers.slice(0, -1)) node = node?.[step];
  const last = servers[servers.length - 1]!;
  if (node?.[last] && typeof node[last] === 'object') {
    delete node[last][KEY];
    if (Object.keys(node[last]).length === 0 && !ORIGINALS[id].includes(last)) delete node[last];
  }
  return data;
}

/** A complete entry: starts this node on the bin of a whole store version, with the secrets file and the inputs. */
export function expectCompleteEntry(id: ClientId, entry: unknown, versions: string[], label: string): string {
  const launch = readForeignEntry(entry);
  expect(launch.command, label).toBe(process.execPath);
  const bin = launch.args.find((arg) => arg.includes(`${path.sep}store${path.sep}`));
  const match = bin && /[/\\]store[/\\]io\.github\.acme[/\\]github-posts[/\\]([^/\\]+)[/\\]node_modules[/\\]github-posts[/\\]index\.js$/.exec(bin);
  expect(match, `${label}: ${id} entry ${JSON.stringify(entry)}`).toBeTruthy();
  const version = match![1]!;
  expect(versions, `${label}: ${id} entry starts ${version}`).toContain(version);
  expect(existsSync(bin!), label).toBe(true);
  expect(existsSync(path.join(storeOf(), version, 'mcpm-install.json')), label).toBe(true);
  const envFile = launch.args.find((arg) => arg.startsWith('--env-file-if-exists='))?.slice('--env-file-if-exists='.length);
  expect(envFile && statSync(envFile).mode & 0o777, `${label}: ${id} secrets file`).toBe(0o600);
  expect(readFileSync(envFile!, 'utf8')).toContain(TOKEN);
  expect(launch.env.POSTS_API_URL, label).toBe(world.postsUrl);
  return version;
}

/**
 * The invariants after a kill. `states`: what `mcpm list` may show ('none' or versions); `entryVersions`: the
 * versions a client entry may start (a kill between client writes leaves some files on the old version, some on
 * the new, each entry whole).
 */
export async function expectConsistent(label: string, states: string[], entryVersions: string[], options: { lockLeft?: boolean; settled?: boolean } = {}) {
  const list = await mcpm(['list', '--json']);
  if (options.settled) expect(list.stderr, `${label}: nothing is left pending`).not.toContain('interrupted');
  expect(list.code, `${label}: ${list.stderr}`).toBe(0);
  expect(list.json?.ok, label).toBe(true);
  const servers = list.json.result as Array<{ name: string; version: string; clients: Array<{ client: string }> }>;
  if (servers.length === 0) expect(states, `${label}: list shows nothing`).toContain('none');
  else {
    expect(servers.map((s) => s.name)).toEqual([SERVER]);
    expect(states, `${label}: list shows ${servers[0]!.version}`).toContain(servers[0]!.version);
    expect(servers[0]!.clients.map((c) => c.client).sort(), label).toEqual([...CLIENTS].sort());
    const state = JSON.parse(readFileSync(path.join(mcpmDir(), 'state', 'installed.json'), 'utf8'));
    const record = state.servers[SERVER];
    expect(existsSync(path.join(record.storePath, 'mcpm-install.json')), `${label}: recorded store version is whole`).toBe(true);
    expect(existsSync(record.bin), label).toBe(true);
  }
  // Every version folder in the store is whole; a build in progress lives only in .staging.
  for (const version of existsSync(storeOf()) ? readdirSync(storeOf()) : []) {
    expect(existsSync(path.join(storeOf(), version, 'mcpm-install.json')), `${label}: store version ${version} is whole`).toBe(true);
  }
  for (const id of CLIENTS) {
    const file = fileOf(id);
    const text = readFileSync(file, 'utf8');
    const data = readClientData(file, formatOf(id)); // parses
    expect(userPart(id, text), `${label}: ${id} keeps the user's settings`).toEqual(userPart(id, ORIGINALS[id]));
    const entry = entryIn(data, findClient(id)!.serversPath, KEY);
    if (entry !== undefined) expectCompleteEntry(id, entry, entryVersions, label);
    // Nothing beside the file that a client (or a person) could take for config: no temporary or lock files.
    // A kill while holding the file's lock leaves the lock folder (the next mcpm takes it over), nothing else.
    const allowed = [path.basename(file), `${path.basename(file)}.mcpm-backup`, ...(options.lockLeft ? [`${path.basename(file)}.lock`] : [])];
    const beside = readdirSync(path.dirname(file)).filter((name) => !allowed.includes(name));
    expect(beside, `${label}: beside ${id}'s file`).toEqual([]);
  }
}

/** After the rerun: the command's final state, everywhere. */
export async function expectFinal(label: string, version: string | undefined) {
  await expectConsistent(`${label}, after the rerun`, [version ?? 'none'], version ? [version] : [], { settled: true });
  for (const id of CLIENTS) {
    const entry = entryIn(readClientData(fileOf(id), formatOf(id)), findClient(id)!.serversPath, KEY);
    if (version) expect(expectCompleteEntry(id, entry, [version], label)).toBe(version);
    else expect(readFileSync(fileOf(id), 'utf8'), `${label}: ${id} is the user's file again`).toBe(ORIGINALS[id]);
  }
}

export async function launch(id: ClientId, expected: string) {
  const entry = entryIn(readClientData(fileOf(id), formatOf(id)), findClient(id)!.serversPath, KEY);
  const spec = readForeignEntry(entry);
  const server = await connectToEntry({ command: spec.command!, args: spec.args, env: spec.env }, { home });
  try {
    expect(server.client.getServerVersion()?.version).toBe(expected);
    const posts: any = await server.client.callTool({ name: 'get_posts', arguments: { limit: 2 } });
    expect(JSON.parse(posts.content[0].text)).toHaveLength(2);
  } finally {
    await server.close();
  }
}

export async function killedAt(point: string, args: string[]): Promise<RunResult> {
  const run = await mcpm(args, { MCPM_FAILPOINT: point });
  expect(run.code, `${point} was not reached: ${run.stderr}${run.stdout}`).toBe(137);
  return run;
}

/** A loop over every fault point runs mcpm five times a point: minutes, not the default minute, on a busy machine. */
export const LOOP_TIMEOUT = 300_000;

export const INSTALL_POINTS = [
  'after-manifest',
  'after-fetch',
  'during-link',
  'before-store-rename',
  'after-store-rename',
  'after-secrets',
  ...CLIENTS.map((id) => `before-config-write:${id}`),
  ...CLIENTS.map((id) => `after-config-write:${id}`),
  'before-state-write',
  'after-state-write',
];
export const UNINSTALL_POINTS = [...CLIENTS.map((id) => `uninstall-after-config-write:${id}`), 'uninstall-after-state-write', 'uninstall-after-cleanup'];

/** Starts the world and builds the two HOME snapshots. */
export async function setUpLab(prefix: string): Promise<void> {
  world = await startWorld({
    versions: ['1.0.0', '1.1.0'],
    npm: { interceptTarball: (pkg, _req, res) => stall?.(pkg.name, res, pkg.tarball) ?? false },
  });
  root = await makeTmpDir(prefix);
  home = path.join(root, 'home');
  for (const id of CLIENTS) {
    mkdirSync(path.dirname(fileOf(id)), { recursive: true });
    writeFileSync(fileOf(id), ORIGINALS[id]);
  }
  snapshots.fresh = path.join(root, 'fresh');
  snapshotHome(snapshots.fresh);
  const run = await mcpm(['install', `${KEY}@1.0.0`, ...clientFlags, ...inputs(), '--json']);
  expect(run.json?.ok, run.stderr).toBe(true);
  snapshots.installed = path.join(root, 'installed');
  snapshotHome(snapshots.installed);
}

export async function tearDownLab(): Promise<void> {
  await world?.close();
}

/**
 * Runs `args`, waits until the npm registry has sent half of `tarballOf`'s tarball (and then stalls it), and kills
 * mcpm there with SIGKILL: a kill in the middle of the download and extraction. With another signal (SIGINT, as
 * Ctrl-C), returns how mcpm ended and how long it took after the signal.
 */
export async function killedMidDownload(args: string[], tarballOf: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<{ run: RunResult; ms: number }> {
  let halfSent!: () => void;
  const reached = new Promise<void>((resolve) => (halfSent = resolve));
  stall = (name, res, tarball) => {
    if (name !== tarballOf) return false;
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': tarball.length });
    res.write(tarball.subarray(0, tarball.length >> 1), () => halfSent());
    return true; // the rest never comes
  };
  let child!: ChildProcess;
  try {
    const run = mcpm(args, {}, (c) => (child = c));
    await Promise.race([reached, run.then((r) => Promise.reject(new Error(`finished before the stall: ${r.stderr}${r.stdout}`)))]);
    const sent = Date.now();
    child.kill(signal);
    const ended = await run;
    if (signal === 'SIGKILL') expect(ended.code).toBe(137);
    return { run: ended, ms: Date.now() - sent };
  } finally {
    stall = undefined;
  }
}
