// `mcpm run` for npm servers: a server taking a secret argument is installed with entries that start `mcpm run`, and
// the secret reaches the process only then; stdout is byte for byte what the server wrote, extra arguments are
// passed on, exit codes and signals go through, and the launcher loads neither the MCP SDK nor pacote.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MCPM_BIN, runMcpm, scrubbedEnv } from './helpers/cli.js';
import { connectToEntry, type ServerEntry } from './helpers/mcp-client.js';
import { OFFICIAL_META, SERVER_SCHEMA } from './helpers/mcp-registry.js';
import { packFixture } from './helpers/pack.js';
import { spawnMcpm } from './helpers/spawn.js';
import { cleanupTmpDirs, makeTmpDir } from './helpers/tmp.js';
import { FIXTURES, startWorld, type World } from './helpers/world.js';

const PROBE = 'io.github.acme/launch-probe';
const ARG_SECRET = 'arg-secret-9c2f71';
const ENV_SECRET = 'env-secret-4b8e05';
const HEAVY = /node_modules\/(pacote|@npmcli\/arborist|@modelcontextprotocol\/(?:client|server|core)|prompts)\//;

let world: World;
let home: string;

beforeAll(async () => {
  world = await startWorld({
    versions: ['1.0.0'],
    packages: [await packFixture(path.join(FIXTURES, 'launch-probe'))],
    extraEntries: (npmUrl) => [
      {
        server: {
          $schema: SERVER_SCHEMA,
          name: PROBE,
          description: 'Reports how it was started',
          version: '1.0.0',
          packages: [
            {
              registryType: 'npm',
              registryBaseUrl: npmUrl,
              identifier: 'launch-probe',
              version: '1.0.0',
              transport: { type: 'stdio' },
              packageArguments: [
                { type: 'named', name: '--api-key', isRequired: true, isSecret: true, description: 'API key' },
                { type: 'positional', valueHint: 'workspace', isRequired: true, description: 'Workspace folder' },
              ],
              environmentVariables: [{ name: 'PROBE_TOKEN', isRequired: true, isSecret: true }],
            },
          ],
        },
        _meta: { [OFFICIAL_META]: { status: 'active', publishedAt: '2025-11-01T00:00:00Z', updatedAt: '2025-11-01T00:00:00Z', isLatest: true } },
      },
    ],
  });
  home = await makeTmpDir('mcpm-run-');
  const run = await runMcpm(
    ['install', 'launch-probe', '--client', 'claude-desktop', '--client', 'cursor', '--arg', `api-key=${ARG_SECRET}`, '--arg', 'workspace=/srv/ws', '--env', 'PROBE_TOKEN', '--registry', world.registryUrl, '--json'],
    { home, env: { PROBE_TOKEN: ENV_SECRET }, timeoutMs: 60_000 },
  );
  expect(run.json?.ok, run.stderr + run.stdout).toBe(true);
});
afterAll(async () => {
  await world.close();
  await cleanupTmpDirs();
});

const desktopFile = () => path.join(home, '.config', 'Claude', 'claude_desktop_config.json');
const entryOf = (file: string): ServerEntry => JSON.parse(readFileSync(file, 'utf8')).mcpServers['launch-probe'];
const state = () => JSON.parse(readFileSync(path.join(home, '.mcpm', 'state', 'installed.json'), 'utf8')).servers[PROBE];

const INPUT = [
  { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '0' } } },
  { jsonrpc: '2.0', method: 'notifications/initialized' },
  { jsonrpc: '2.0', id: 2, method: 'tools/list' },
  { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'launch', arguments: {} } },
].map((m) => `${JSON.stringify(m)}\n`).join('');

/** Runs a command with `input` on stdin (then closed); resolves with stdout's bytes and the exit code. */
function pipeThrough(command: string, args: string[], env: Record<string, string>, input: string): Promise<{ stdout: Buffer; stderr: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, cwd: home, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ stdout: Buffer.concat(out), stderr, code }));
    child.stdin.end(input);
  });
}

describe('mcpm run, npm servers', () => {
  it('a secret argument keeps the server out of client files: entries start `mcpm run`, by absolute paths', () => {
    const expected = { command: process.execPath, args: [MCPM_BIN, 'run', PROBE], env: { MCPM_HOME: path.join(home, '.mcpm') } };
    expect(entryOf(desktopFile())).toEqual(expected);
    expect(entryOf(path.join(home, '.cursor', 'mcp.json'))).toEqual(expected);
    for (const file of [desktopFile(), path.join(home, '.cursor', 'mcp.json'), path.join(home, '.mcpm', 'state', 'installed.json')]) {
      const text = readFileSync(file, 'utf8');
      expect(text, file).not.toContain(ARG_SECRET);
      expect(text, file).not.toContain(ENV_SECRET);
    }
    expect(state()).toMatchObject({ args: { workspace: '/srv/ws' }, secretArgs: ['api-key'], secretEnv: ['PROBE_TOKEN'] });
    // Secret argument values are kept in the server's 0600 secrets file, as lines no launcher reads.
    const secretArgs = path.join(home, '.mcpm', 'secrets', 'io.github.acme', 'launch-probe.env');
    expect(readFileSync(secretArgs, 'utf8')).toContain(`#mcpm-arg api-key=${JSON.stringify(ARG_SECRET)}`);
    expect(statSync(secretArgs).mode & 0o777).toBe(0o600);
  });

  it('the client starts the entry with a minimal environment and the secrets reach the server at spawn time', async () => {
    const server = await connectToEntry(entryOf(desktopFile()), { home });
    try {
      expect(server.client.getServerVersion()?.name).toBe('launch-probe ✓ ünïcödé');
      const result: any = await server.client.callTool({ name: 'launch', arguments: {} });
      expect(JSON.parse(result.content[0].text)).toEqual({ argv: ['--api-key', ARG_SECRET, '/srv/ws'], token: ENV_SECRET });
    } finally {
      await server.close();
    }
  });

  it('stdout is byte for byte what node on the bin writes; extra arguments follow the installed ones', async () => {
    const env = scrubbedEnv({ home });
    const viaMcpm = await pipeThrough(process.execPath, [MCPM_BIN, 'run', 'launch-probe', '--', '--extra', 'x y'], env, INPUT);
    const secrets = path.join(home, '.mcpm', 'secrets', 'io.github.acme', 'launch-probe.env');
    const direct = await pipeThrough(process.execPath, [`--env-file=${secrets}`, state().bin, '--api-key', ARG_SECRET, '/srv/ws', '--extra', 'x y'], env, INPUT);
    expect(viaMcpm.code, viaMcpm.stderr).toBe(0);
    expect(direct.code).toBe(0);
    expect(viaMcpm.stdout.length).toBeGreaterThan(0);
    expect(viaMcpm.stdout.equals(direct.stdout)).toBe(true);
    const last = JSON.parse(viaMcpm.stdout.toString('utf8').trim().split('\n').at(-1)!);
    expect(JSON.parse(last.result.content[0].text).argv).toEqual(['--api-key', ARG_SECRET, '/srv/ws', '--extra', 'x y']);
    expect(viaMcpm.stderr).toBe('probe: ready\n');
  });

  it('passes the exit code back', async () => {
    const run = await runMcpm(['run', 'launch-probe', '--', '--exit-code', '7'], { home });
    expect(run.code, run.stderr).toBe(7);
    expect(run.stdout).toBe('');
  });

  for (const [signal, code, said] of [['SIGTERM', 42, 'probe: SIGTERM'], ['SIGINT', 43, 'probe: SIGINT'], ['SIGHUP', 129, undefined]] as const) {
    it(`forwards ${signal} to the server and exits as it did (${code})`, async () => {
      const live = spawnMcpm(['run', 'launch-probe'], { home });
      await live.waitFor(/probe: ready/);
      live.child.kill(signal);
      expect(await live.exited).toBe(code);
      if (said) expect(live.stderr()).toContain(said);
    });
  }

  it('the server runs in mcpm\'s own process (no second node start), with the argv and environment node would give it', async (ctx) => {
    const live = spawnMcpm(['run', 'launch-probe'], { home });
    try {
      await live.waitFor(/probe: ready/);
      const children = (() => {
        try {
          return execFileSync('ps', ['--ppid', String(live.child.pid), '-o', 'pid='], { encoding: 'utf8' });
        } catch (error) {
          return (error as { status?: number }).status === 1 ? '' : undefined; // ps says 1 when nothing matched
        }
      })();
      if (children === undefined) return ctx.skip('ps is not available to list child processes');
      expect(children.trim()).toBe('');
    } finally {
      live.child.kill('SIGTERM');
      await live.exited;
    }
  });

  it('loads neither the MCP SDK nor pacote', async () => {
    const log = path.join(home, 'modules.log');
    writeFileSync(log, '');
    const hook = path.join(path.dirname(FIXTURES), 'hooks', 'log-modules.mjs');
    const run = await runMcpm(['run', 'launch-probe'], { home, env: { NODE_OPTIONS: `--import=${hook}`, MODULE_LOG: log } });
    expect(run.code, run.stderr).toBe(0);
    const modules = readFileSync(log, 'utf8').split('\n').filter(Boolean);
    expect(modules.some((url) => /\/dist\/run-[^/]+\.js$/.test(url))).toBe(true);
    expect(modules.filter((url) => HEAVY.test(url))).toEqual([]);
  });

  it('a reinstall keeps the secret argument; uninstall removes it from the secret store', async () => {
    const again = await runMcpm(['install', 'launch-probe', '--registry', world.registryUrl, '--json'], { home, timeoutMs: 60_000 });
    expect(again.json?.result.secretArgs, again.stderr).toEqual(['api-key']);
    const server = await connectToEntry(entryOf(desktopFile()), { home });
    try {
      const result: any = await server.client.callTool({ name: 'launch', arguments: {} });
      expect(JSON.parse(result.content[0].text).argv).toEqual(['--api-key', ARG_SECRET, '/srv/ws']);
    } finally {
      await server.close();
    }
    const gone = await runMcpm(['uninstall', 'launch-probe', '--json'], { home });
    expect(gone.json?.ok, gone.stderr).toBe(true);
    expect(existsSync(path.join(home, '.mcpm', 'secrets', 'io.github.acme', 'launch-probe.env'))).toBe(false);
    const run = await runMcpm(['run', 'launch-probe'], { home });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('is not installed');
  });
});
