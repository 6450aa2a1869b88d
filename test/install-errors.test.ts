// What a user sees when things go wrong: one line saying what happened, one saying what to do, exit code 1 (2 for
// usage), the same as { ok: false, error } under --json, and no file changed.
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runMcpm } from './helpers/cli.js';
import { startHangingServer, type HangingServer } from './helpers/hanging-server.js';
import { startMcpRegistry, serverEntry } from './helpers/mcp-registry.js';
import { makeTmpDir, cleanupTmpDirs } from './helpers/tmp.js';
import { TOKEN, packGithubPosts, startWorld, type World } from './helpers/world.js';
import { startNpmRegistry } from './helpers/npm-registry.js';

let world: World;
let home: string;
let configFile: string;
let hanging: HangingServer;

beforeAll(async () => {
  world = await startWorld({
    versions: ['1.0.0', '1.1.0'],
    // An impostor entry: the package declares mcpName io.github.acme/github-posts.
    extraEntries: (npmUrl) => [serverEntry('io.github.evil/posts-clone', '1.0.0', { identifier: 'github-posts', version: '1.1.0', registryBaseUrl: npmUrl })],
  });
  hanging = await startHangingServer();
});
afterAll(async () => {
  await Promise.all([world.close(), hanging.close()]);
  await cleanupTmpDirs();
});
beforeEach(async () => {
  home = await makeTmpDir('mcpm-err-');
  configFile = path.join(home, '.config', 'Claude', 'claude_desktop_config.json');
  mkdirSync(path.dirname(configFile), { recursive: true });
  writeFileSync(configFile, '{\n  "mcpServers": {}\n}\n');
});

const inputs = () => ['--env', `POSTS_API_URL=${world.postsUrl}`, '--env', `POSTS_API_TOKEN=${TOKEN}`];
const mcpm = (args: string[], registry = world.registryUrl, env: Record<string, string> = {}) =>
  runMcpm([...args, '--registry', registry], { home, env, timeoutMs: 60_000 });
const storeVersions = () => {
  const dir = path.join(home, '.mcpm', 'store', 'io.github.acme', 'github-posts');
  return existsSync(dir) ? readdirSync(dir) : [];
};

function expectFailure(run: Awaited<ReturnType<typeof mcpm>>, code: string, message: RegExp) {
  expect(run.code, run.stderr + run.stdout).toBe(1);
  expect(run.json).toEqual({ ok: false, error: { code, message: expect.stringMatching(message), hint: expect.any(String) } });
  expect(run.json.error.message).not.toContain('\n');
  expect(run.stderr).not.toMatch(/\n\s+at /); // never a stack trace
}

describe('refusals that protect the user', () => {
  it('refuses a tarball whose integrity does not match the registry, installing nothing', async () => {
    const packages = await packGithubPosts(['1.0.0']);
    const npm = await startNpmRegistry(packages, { corruptIntegrity: 'github-posts@1.0.0' });
    const registry = await startMcpRegistry([serverEntry('io.github.acme/github-posts', '1.0.0', { identifier: 'github-posts', version: '1.0.0', registryBaseUrl: npm.url })]);
    try {
      const before = readFileSync(configFile, 'utf8');
      const run = await mcpm(['install', 'github-posts', '--client', 'claude-desktop', '--json', ...inputs()], registry.url);
      expectFailure(run, 'EINTEGRITY', /Integrity check failed for github-posts@1\.0\.0/);
      expect(readFileSync(configFile, 'utf8')).toBe(before);
      expect(storeVersions()).toEqual([]);
    } finally {
      await Promise.all([npm.close(), registry.close()]);
    }
  });

  it('refuses a package whose mcpName names another server', async () => {
    const run = await mcpm(['install', 'io.github.evil/posts-clone', '--client', 'claude-desktop', '--json']);
    expectFailure(run, 'EOWNERSHIP', /belongs to io\.github\.acme\/github-posts, not to io\.github\.evil\/posts-clone/);
    expect(readFileSync(configFile, 'utf8')).toBe('{\n  "mcpServers": {}\n}\n');
  });

  it('does not run the install scripts of dependencies unless --allow-scripts', async () => {
    const run = await mcpm(['install', 'github-posts', '--client', 'claude-desktop', '--json', ...inputs()]);
    expect(run.json?.ok, run.stderr).toBe(true);
    const marker = path.join(run.json.result.storePath, 'node_modules', 'posts-format', 'INSTALL_SCRIPT_RAN');
    expect(existsSync(path.dirname(marker))).toBe(true);
    expect(existsSync(marker)).toBe(false);

    const allowed = await mcpm(['install', 'github-posts@1.0.0', '--allow-scripts', '--json']);
    expect(allowed.json?.ok, allowed.stderr).toBe(true);
    expect(existsSync(path.join(allowed.json.result.storePath, 'node_modules', 'posts-format', 'INSTALL_SCRIPT_RAN'))).toBe(true);
  });
});

describe('files that mcpm must not touch', () => {
  it('leaves a config file with invalid JSON byte for byte unchanged and names its line', async () => {
    const broken = '{\n  "mcpServers": {\n    "a": { "command": "x" }\n    "b": 1\n  }\n}\n';
    writeFileSync(configFile, broken);
    const run = await mcpm(['install', 'github-posts', '--client', 'claude-desktop', '--json', ...inputs()]);
    expectFailure(run, 'EPARSE', new RegExp(`${configFile.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:4:5: cannot parse`));
    expect(readFileSync(configFile, 'utf8')).toBe(broken);
    expect(storeVersions()).toEqual([]);
    expect(existsSync(`${configFile}.mcpm-backup`)).toBe(false);
  });

  it('never overwrites an entry it does not manage, and --as chooses another key', async () => {
    const mine = '{\n  "mcpServers": {\n    "github-posts": { "command": "my-own" }\n  }\n}\n';
    writeFileSync(configFile, mine);
    const run = await mcpm(['install', 'github-posts', '--client', 'claude-desktop', '--json', ...inputs()]);
    expectFailure(run, 'ECONFLICT', /already has an entry "github-posts" that mcpm does not manage/);
    expect(run.json.error.hint).toContain('--as <key>');
    expect(readFileSync(configFile, 'utf8')).toBe(mine);

    const renamed = await mcpm(['install', 'github-posts', '--as', 'posts', '--client', 'claude-desktop', '--json', ...inputs()]);
    expect(renamed.json?.ok, renamed.stderr).toBe(true);
    const servers = JSON.parse(readFileSync(configFile, 'utf8')).mcpServers;
    expect(servers['github-posts']).toEqual({ command: 'my-own' });
    expect(servers.posts.command).toBe(process.execPath);
    // The key works as a name everywhere.
    const removed = await mcpm(['uninstall', 'posts', '--json']);
    expect(removed.json?.ok).toBe(true);
    expect(readFileSync(configFile, 'utf8')).toBe(mine);
  });

  it('a missing required input is an error naming it, and nothing is written', async () => {
    const run = await mcpm(['install', 'github-posts', '--client', 'claude-desktop', '--json', '--env', `POSTS_API_URL=${world.postsUrl}`]);
    expectFailure(run, 'EINPUT', /Missing required input: POSTS_API_TOKEN/);
    expect(run.json.error.hint).toContain('--env POSTS_API_TOKEN');
    expect(readFileSync(configFile, 'utf8')).toBe('{\n  "mcpServers": {}\n}\n');
    expect(storeVersions()).toEqual([]);
  });

  it('--dry-run prints the plan and writes nothing', async () => {
    const run = await mcpm(['install', 'github-posts@1.0.0', '--client', 'claude-desktop', '--dry-run', '--json', ...inputs()]);
    expect(run.json).toMatchObject({ ok: true, result: { dryRun: true, version: '1.0.0', clients: [{ client: 'claude-desktop', file: configFile }], secretEnv: ['POSTS_API_TOKEN'] } });
    expect(run.stdout).not.toContain(TOKEN);
    expect(readFileSync(configFile, 'utf8')).toBe('{\n  "mcpServers": {}\n}\n');
    // Only the registry's cache may have been filled: no store, state, secrets or settings.
    expect(readdirSync(path.join(home, '.mcpm'))).toEqual(['cache']);
    expect(readdirSync(path.join(home, '.mcpm', 'cache'))).toEqual(['registries']);
  });

  it('with no client detected, fails with a hint naming --client', async () => {
    const bare = await makeTmpDir('mcpm-bare-');
    // Client programs on PATH count as detected clients: give mcpm only node's folder, as on a machine without any.
    const run = await runMcpm(['install', 'github-posts', '--registry', world.registryUrl, '--json', ...inputs()], {
      home: bare,
      env: { PATH: path.dirname(process.execPath) },
    });
    expect(run.code).toBe(1);
    expect(run.json.error).toMatchObject({ code: 'ENOCLIENT', hint: expect.stringContaining('--client') });
  });
});

describe('names and versions', () => {
  it('an unknown name', async () => {
    const run = await mcpm(['install', 'no-such-server', '--json']);
    expectFailure(run, 'ENOTFOUND', /No server named "no-such-server"/);
    expect(run.json.error.hint).toContain('mcpm search');
  });

  it('no version matching the range', async () => {
    const run = await mcpm(['install', 'github-posts@^3', '--json']);
    expectFailure(run, 'ENOVERSION', /No version of io\.github\.acme\/github-posts matches \^3/);
    expect(run.json.error.hint).toContain('1.1.0');
  });

  it('an ambiguous short name lists every candidate, across more than one page of the registry', async () => {
    // 130 servers called "weather": the registry pages at 100, so the last ones are only on page two.
    const many = Array.from({ length: 130 }, (_, i) => serverEntry(`io.github.org${String(i).padStart(3, '0')}/weather`, '1.0.0', { identifier: 'weather', version: '1.0.0' }));
    const registry = await startMcpRegistry(many);
    try {
      const run = await mcpm(['install', 'weather', '--json'], registry.url);
      expectFailure(run, 'EAMBIGUOUS', /"weather" matches 130 servers/);
      expect(run.json.error.message).toContain('io.github.org129/weather');
      expect(run.json.error.message).toContain('io.github.org000/weather');
      expect(registry.requests.filter((r) => r.includes('cursor=')).length).toBeGreaterThan(0);
    } finally {
      await registry.close();
    }
  });

  it('a registry that accepts the connection and never answers is skipped after --timeout', { tags: ['deep'] }, async () => {
    const started = Date.now();
    const run = await mcpm(['search', 'posts', '--timeout', '1500', '--json'], hanging.url);
    // Bounded, where the registry alone would hang forever; wide, because CI's machine is shared.
    expect(Date.now() - started).toBeLessThan(30_000);
    expectFailure(run, 'ENETWORK', /No registry could be reached/);
    expect(run.stderr).toMatch(/did not answer within 1500 ms/);

    // With a registry after it, the next one answers, within the same timeout: it lives in this busy test process.
    const fallback = await mcpm(['info', 'github-posts', '--timeout', '1500', '--json'], `${hanging.url},${world.registryUrl}`);
    expect(fallback.json).toMatchObject({ ok: true, result: { name: 'io.github.acme/github-posts', registry: world.registryUrl } });
    expect(fallback.stderr).toMatch(/warning .*did not answer within 1500 ms; skipped/);
  });

  it('a usage error exits 2, also under --json', async () => {
    const run = await runMcpm(['uninstall', '--json'], { home });
    expect(run.code).toBe(2);
    expect(run.json).toMatchObject({ ok: false, error: { code: 'EUSAGE', message: expect.stringContaining("missing required argument 'name'") } });
    const noProject = await runMcpm(['install', '--json'], { home });
    expect(noProject.code).toBe(2);
    expect(noProject.json.error).toMatchObject({ code: 'EUSAGE', hint: expect.stringContaining('mcpm.json') });
    const unknown = await runMcpm(['instal', 'x'], { home });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command');
  });
});
