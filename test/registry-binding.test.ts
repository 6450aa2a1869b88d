// A server stays with the registry it was installed from. With TEAM then PUBLIC configured, a server installed from
// TEAM is never updated from PUBLIC (which may list another publisher's package under the same name) when TEAM is
// down: update, outdated and reinstall fail and say so. Moving is explicit. Rollback needs no registry at all.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMcpm } from './helpers/cli.js';
import { serverEntry, startMcpRegistry, type McpRegistry } from './helpers/mcp-registry.js';
import { startNpmRegistry, type NpmRegistry } from './helpers/npm-registry.js';
import { cleanupTmpDirs, makeTmpDir } from './helpers/tmp.js';
import { packGithubPosts, SERVER } from './helpers/world.js';

let npm: NpmRegistry;
let team: McpRegistry;
let publicRegistry: McpRegistry;
let home: string;

const entry = (version: string, latest: boolean) =>
  serverEntry(SERVER, version, { identifier: 'github-posts', version, registryBaseUrl: npm.url, env: [{ name: 'POSTS_API_URL', isRequired: true }] }, { isLatest: latest, publishedAt: `2025-11-0${version[2]}T00:00:00Z` });

beforeAll(async () => {
  npm = await startNpmRegistry(await packGithubPosts(['1.0.0', '1.1.0', '1.9.9']));
  team = await startMcpRegistry([entry('1.0.0', false), entry('1.1.0', true)]);
  publicRegistry = await startMcpRegistry([entry('1.9.9', true)]);
  home = await makeTmpDir('mcpm-binding-');
  await mcpm(['registry', 'remove', 'official']);
  await mcpm(['registry', 'add', publicRegistry.url, '--name', 'public']);
  await mcpm(['registry', 'add', team.url, '--name', 'team']);
});
afterAll(async () => {
  await Promise.allSettled([npm.close(), team.close(), publicRegistry.close()]);
  await cleanupTmpDirs();
});

const mcpm = (args: string[]) => runMcpm(args, { home, timeoutMs: 90_000 });
const entryBin = () => JSON.parse(readFileSync(path.join(home, '.cursor', 'mcp.json'), 'utf8')).mcpServers['github-posts'].args.at(-1) as string;

describe('a server stays with its registry', () => {
  it('installs 1.0.0 from team (the first registry), then updates to 1.1.0 from team (not 1.9.9 from public)', async () => {
    const run = await mcpm(['install', 'github-posts@1.0.0', '--client', 'cursor', '--env', 'POSTS_API_URL=http://x', '--json']);
    expect(run.json?.result, run.stderr).toMatchObject({ version: '1.0.0', registry: team.url });
    // An exact version asked for is the recorded range: --latest crosses it, within the same registry.
    const update = await mcpm(['update', '--latest', '--json']);
    expect(update.json?.result.updated, update.stderr).toEqual([{ name: SERVER, from: '1.0.0', to: '1.1.0' }]);
  });

  it('with team down and its cache gone: update and outdated fail naming team, and nothing comes from public', async () => {
    await mcpm(['cache', 'clean']);
    await team.close();
    const before = publicRegistry.requests.length;
    const update = await mcpm(['update', '--latest', '--json']);
    expect(update.code).toBe(1);
    expect(update.json.error).toMatchObject({ code: 'ENETWORK' });
    const outdated = await mcpm(['outdated', '--json']);
    expect(outdated.json.error.message).toContain(team.url);
    const reinstall = await mcpm(['install', 'github-posts', '--json']);
    expect(reinstall.json.error).toMatchObject({ code: 'ENETWORK', message: expect.stringContaining(`was installed from ${team.url}`), hint: expect.stringContaining('does not look for it in other registries') });
    expect(publicRegistry.requests.length).toBe(before);
    const list = await mcpm(['list', '--json']);
    expect(list.json.result[0]).toMatchObject({ version: '1.1.0', registry: team.url });
    expect(entryBin()).toContain(`${path.sep}1.1.0${path.sep}`);
  });

  it('rollback needs no registry: the version is in the store and its server.json in the state', async () => {
    const back = await mcpm(['rollback', 'github-posts', '--json']);
    expect(back.json?.result, back.stderr).toEqual({ name: SERVER, from: '1.1.0', to: '1.0.0' });
    expect(entryBin()).toContain(`${path.sep}1.0.0${path.sep}`);
    expect((await mcpm(['list', '--json'])).json.result[0]).toMatchObject({ version: '1.0.0', registry: team.url });
  });

  it('moving to another registry is explicit: --registry naming it, then --yes', async () => {
    const refused = await mcpm(['install', 'github-posts', '--registry', 'public', '--json']);
    expect(refused.json.error).toMatchObject({ code: 'ECONFLICT', message: expect.stringContaining(`would move it to ${publicRegistry.url}`), hint: expect.stringContaining('--yes') });
    const moved = await mcpm(['install', 'github-posts', '--registry', 'public', '--yes', '--json']);
    expect(moved.json?.result, moved.stderr).toMatchObject({ version: '1.9.9', registry: publicRegistry.url });
    expect(moved.stderr).toContain(`moves from ${team.url} to ${publicRegistry.url}`);
  });
});
