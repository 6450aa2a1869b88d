// `npm run test:clients`: the clients themselves read what mcpm writes. For each client in clients.ts its own npm
// package is installed at a pinned version (cached outside the repository, see install.ts); in a temporary HOME
// the real mcpm CLI installs two servers for it (a stdio one built with the MCP SDK, and a streamable HTTP one on
// 127.0.0.1), then the client's own command lists them, and where it checks connections, reports both connected.
// A client that cannot run here is skipped with the reason; the closing note lists every client's outcome.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMcpm } from '../helpers/cli.js';
import { findClient } from '../../src/clients/table.js';
import { cleanupTmpDirs, makeTmpDir } from '../helpers/tmp.js';
import { REAL_CLIENTS, type Listed, type RealClient } from './clients.js';
import { installClient } from './install.js';
import { startMockModel, type MockModel } from './mock-model.js';
import { REMOTE_KEY, REMOTE_NAME, STDIO_KEY, STDIO_NAME, TOOLS, startClientWorld, type ClientWorld } from './world.js';

type Outcome = { client: string; version: string; status: 'proven' | 'skipped' | 'failed'; detail: string };
const outcomes: Outcome[] = [];
const projectOutcomes: string[] = [];

let world: ClientWorld;
let model: MockModel;
beforeAll(async () => {
  world = await startClientWorld();
  model = await startMockModel();
}, 120_000);
afterAll(async () => {
  await world?.close();
  await model?.close();
  await cleanupTmpDirs();
  const label = (o: Outcome) => `${o.client} (${o.version})`;
  const width = Math.max(0, ...outcomes.map((o) => label(o).length));
  const lines = outcomes.map((o) => `  ${label(o).padEnd(width)}  ${o.status.padEnd(7)}  ${o.detail}`);
  const count = (s: Outcome['status']) => outcomes.filter((o) => o.status === s).length;
  console.log(`\nReal clients: ${count('proven')} proven, ${count('skipped')} skipped, ${count('failed')} failed\n${lines.join('\n')}\n`);
  if (projectOutcomes.length) console.log(`Project files read by the clients: ${projectOutcomes.join('; ')}\n`);
});

const CA_VARS = ['NODE_EXTRA_CA_CERTS', 'SSL_CERT_FILE', 'SSL_CERT_DIR'] as const;

/** The client's environment: a temporary HOME, node and the system's programs, the CA settings, nothing else of ours. */
function clientEnv(home: string, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {
    HOME: home,
    PATH: [path.dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'].join(path.delimiter),
    TERM: 'dumb',
    NO_COLOR: '1',
    LANG: 'C.UTF-8',
  };
  for (const key of CA_VARS) if (process.env[key]) env[key] = process.env[key]!;
  return { ...env, ...extra };
}

function runClient(bin: string, args: string[], home: string, extra?: Record<string, string>, cwd = home): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { cwd, env: clientEnv(home, extra), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, stdout, stderr });
    });
  });
}

/** mcpm writes both servers into the client's file, as a user would: `mcpm install <name> --client <id>`. */
async function mcpmInstalls(client: RealClient, home: string): Promise<void> {
  for (const name of [STDIO_NAME, REMOTE_NAME]) {
    const run = await runMcpm(['install', name, '--client', client.id, '--registry', world.registryUrl, '--json'], { home, timeoutMs: 120_000 });
    expect(run.json?.ok, `mcpm install ${name} --client ${client.id}: ${run.stderr}${run.stdout}`).toBe(true);
  }
}

async function listed(client: RealClient, bin: string, home: string, cwd = home): Promise<{ servers: Listed[]; transcript: string }> {
  if (client.viaModel) {
    const before = model.toolsSeen().length;
    const run = await runClient(bin, client.viaModel.args(home), home, client.env, cwd);
    const tools = model.toolsSeen().slice(before).flat();
    const transcript = `$ ${client.bin} ${client.viaModel.args(home).join(' ')} (exit ${run.code})\n${run.stdout}${run.stderr}\ntools offered to the model: ${tools.join(', ') || '(none)'}`;
    // Some clients prefix a server's tools with its key (Cline: `remote-echo__remote_echo`).
    const offered = (key: string) => tools.some((tool) => tool === TOOLS[key] || tool === `${key}__${TOOLS[key]}`);
    const servers = [STDIO_KEY, REMOTE_KEY].filter(offered).map((name) => ({ name, connected: true }));
    return { servers, transcript };
  }
  const run = await runClient(bin, client.command, home, client.env, cwd);
  const transcript = `$ ${client.bin} ${client.command.join(' ')} (exit ${run.code})\n${run.stdout}${run.stderr}`;
  try {
    return { servers: client.read(run.stdout, run.stderr), transcript };
  } catch (error) {
    throw new Error(`${transcript}\n(could not read the output: ${(error as Error).message})`);
  }
}

/**
 * Turns the stdio server off with mcpm: the client must show it off (its own switch) or no longer list it (mcpm
 * removed the entry, for a client without a switch), and still list the other one. Returns what it saw.
 */
async function disableSeen(client: RealClient, bin: string, home: string): Promise<string> {
  const disabled = await runMcpm(['disable', STDIO_KEY, '--client', client.id, '--json'], { home, timeoutMs: 60_000 });
  expect(disabled.json?.ok, disabled.stderr + disabled.stdout).toBe(true);
  const after = await listed(client, bin, home);
  const echo = after.servers.find((s) => s.name === STDIO_KEY);
  expect(echo === undefined || echo.disabled === true, after.transcript).toBe(true);
  expect(after.servers.map((s) => s.name), after.transcript).toContain(REMOTE_KEY);
  return echo ? '; after mcpm disable it shows echo off' : `; after mcpm disable it no longer ${client.viaModel ? 'offers' : 'lists'} echo`;
}

for (const client of REAL_CLIENTS) {
  describe(`${client.id} (${client.pkg}@${client.version})`, () => {
    it(`${client.bin} ${client.command.join(' ')} ${client.viaModel ? 'offers the tools of both servers mcpm wrote to its model' : `lists both servers mcpm wrote${client.reportsConnection ? ', connected' : ''}`}`, async (ctx) => {
      const record = (status: Outcome['status'], detail: string) => outcomes.push({ client: client.id, version: `${client.pkg}@${client.version}`, status, detail });
      if (client.skip) {
        record('skipped', client.skip);
        ctx.skip(client.skip);
        return;
      }
      const installed = await installClient(client.pkg, client.version, client.bin);
      if ('skip' in installed) {
        record('skipped', installed.skip);
        ctx.skip(installed.skip);
        return;
      }
      const home = await makeTmpDir(`mcpm-real-${client.id}`);
      const initializesBefore = world.remoteInitializes();
      try {
        await client.viaModel?.prepare(home, model.url, (args) => runClient(installed.bin, args, home, client.env));
        await mcpmInstalls(client, home);
        const { servers, transcript } = await listed(client, installed.bin, home);
        const byName = new Map(servers.map((s) => [s.name, s]));
        expect([...byName.keys()], transcript).toEqual(expect.arrayContaining([STDIO_KEY, REMOTE_KEY]));
        if (client.reportsConnection) {
          expect(byName.get(STDIO_KEY)?.connected, transcript).toBe(true);
          expect(byName.get(REMOTE_KEY)?.connected, transcript).toBe(true);
        }
        const started = existsSync(path.join(home, 'echo-starts.log')) ? readFileSync(path.join(home, 'echo-starts.log'), 'utf8').trim().split('\n').length : 0;
        const reached = world.remoteInitializes() - initializesBefore;
        const off = await disableSeen(client, installed.bin, home);
        const seen = started || reached ? `; it still started the stdio server ${started}x and initialized the remote ${reached}x` : '';
        const how = client.viaModel
          ? 'offered the tools of both servers to its model (so it connected to both)'
          : client.reportsConnection
            ? 'listed both, connected'
            : `listed both (the command does not connect${seen})`;
        record('proven', how + off);
      } catch (error) {
        record('failed', (error as Error).message.split('\n')[0] ?? 'failed');
        throw error;
      }
    });

    const projectFile = findClient(client.id)?.projectFile;
    if (projectFile && !client.skip) {
      it(`reads the project file mcpm writes with --scope project (${projectFile})`, async (ctx) => {
        const installed = await installClient(client.pkg, client.version, client.bin);
        if ('skip' in installed) return ctx.skip(installed.skip);
        const home = await makeTmpDir(`mcpm-real-${client.id}`);
        const project = path.join(home, 'work', 'app');
        mkdirSync(project, { recursive: true });
        await client.trustProject?.(home, project);
        const run = await runMcpm(['install', STDIO_NAME, '--client', client.id, '--scope', 'project', '--registry', world.registryUrl, '--json'], { home, cwd: project, timeoutMs: 120_000 });
        expect(run.json?.ok, run.stderr + run.stdout).toBe(true);
        expect(existsSync(path.join(project, ...projectFile.split('/')))).toBe(true);
        const { servers, transcript } = await listed(client, installed.bin, home, project);
        expect(servers.map((s) => s.name), transcript).toContain(STDIO_KEY);
        projectOutcomes.push(`${client.id}: ${projectFile} listed`);
      });
    }
  });
}
