import { defineCommand } from './spec.js';
import type { Context } from '../context.js';
import { paint } from '../output.js';
import type { ManagedEntry } from '../state/installed.js';
import { editorFor } from '../clients/editor.js';
import { readClientFile } from '../clients/write.js';
import { readForeignEntry, type ForeignLaunch } from '../plan/foreign.js';
import { readSecrets } from '../state/secrets.js';
import { selectServers } from './outdated.js';
import { locationOfEntry } from '../clients/targets.js';
import type { RawSurface } from '../trust/surface.js';
import { closedDuringProbe, eraFile, negotiationFor, rememberEra, stdioTransportClass, type Negotiation } from './check-era.js';

export type CheckFailure = 'drift' | 'command-not-found' | 'exited' | 'timeout' | 'missing-secret' | 'missing-entry' | 'unparseable-file' | 'unreachable' | 'error';

export interface CheckResult {
  name: string;
  client: string;
  file: string;
  key: string;
  ok: boolean;
  initializeMs?: number;
  /** The MCP protocol version the connection settled on: the newest both mcpm and the server speak. */
  protocol?: string;
  serverInfo?: { name?: string; version?: string };
  tools?: string[];
  resources?: number;
  prompts?: number;
  failure?: { reason: CheckFailure; message: string; stderr?: string };
  /** Pinned by this check (the server had no pins). */
  pinned?: boolean;
  /** What differs from the pins (see trust/check-pins.ts). */
  drift?: Array<{ kind: string; name: string; change: string; fields?: string[] }>;
}

/** A GUI client's environment: HOME and the system PATH, nothing of the user's shell (nvm, Homebrew...). */
const SYSTEM_PATH = process.platform === 'win32' ? 'C:\\Windows\\System32;C:\\Windows' : '/usr/bin:/bin:/usr/sbin:/sbin';
const PASS_THROUGH = ['NODE_EXTRA_CA_CERTS', 'SSL_CERT_FILE', 'SSL_CERT_DIR', 'SYSTEMROOT', 'APPDATA', 'LOCALAPPDATA', 'USERPROFILE'];

/**
 * `mcpm check [name...]`: for every entry mcpm manages, starts the server exactly as the client's file says (its
 * command, args and env as written; secrets resolved the same way the client would), connects with the official SDK
 * client in the newest protocol version the server speaks (2026-07-28's server/discover, else the initialize
 * handshake of older versions), lists tools, resources and prompts, and reports the version, the time to connect,
 * or why it failed.
 */
export async function check(ctx: Context, names: string[], options: { timeoutMs?: number } = {}): Promise<CheckResult[]> {
  const jobs: Array<() => Promise<CheckResult>> = [];
  for (const server of selectServers(ctx, names)) {
    const secrets = Object.keys(await readSecrets(ctx, server.name, server.profile ?? 'default'));
    const missingSecrets = server.secretEnv.filter((key) => !secrets.includes(key));
    for (const entry of server.entries) {
      if (!entry.disabled) jobs.push(() => checkEntry(ctx, server.name, entry, missingSecrets, options.timeoutMs ?? 15_000));
    }
  }
  // Starting servers waits mostly on their processes: a few at a time, results in the order of the entries.
  const task = ctx.out.task(`Checking ${jobs.length} entr${jobs.length === 1 ? 'y' : 'ies'}`);
  let finished = 0;
  try {
    return await inPool(jobs, CONCURRENCY, (result) => {
      finished++;
      task.text(`Checking entries: ${finished} of ${jobs.length} done (${result.key} in ${result.client}: ${result.ok ? 'ok' : 'FAIL'})`);
    });
  } finally {
    task.stop();
  }
}

const CONCURRENCY = 4;

/** Runs the jobs, at most `limit` at a time; results in the jobs' order. */
async function inPool<T>(jobs: Array<() => Promise<T>>, limit: number, onResult: (result: T) => void): Promise<T[]> {
  const results = new Array<T>(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const index = next++;
      results[index] = await jobs[index]!();
      onResult(results[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  return results;
}

async function checkEntry(ctx: Context, name: string, entry: ManagedEntry, missingSecrets: string[], timeoutMs: number): Promise<CheckResult> {
  const base = { name, client: entry.client, file: entry.file, key: entry.key };
  const location = locationOfEntry(entry);
  let value: unknown;
  try {
    const text = await readClientFile(location);
    value = text === undefined ? undefined : editorFor(location.client.format).get(location.file, text, location.client.serversPath, entry.key);
  } catch (error) {
    return { ...base, ok: false, failure: { reason: 'unparseable-file', message: (error as Error).message } };
  }
  if (value === undefined) return { ...base, ok: false, failure: { reason: 'missing-entry', message: `${entry.file} has no entry "${entry.key}"` } };
  // Only secrets the server was installed with can be missing (a missing file of a server without any is fine).
  if (missingSecrets.length > 0) {
    return { ...base, ok: false, failure: { reason: 'missing-secret', message: `Missing ${missingSecrets.join(', ')}; set ${missingSecrets.length === 1 ? 'it' : 'each'} with \`mcpm secrets set ${entry.key} ${missingSecrets[0]}\`` } };
  }
  const launch = readForeignEntry(value);
  // A guarded entry (`mcpm run --guard`) is checked without the guard: check compares what the server itself offers
  // with the pins, which the guard would hide.
  launch.args = launch.args.filter((arg, i) => !(arg === '--guard' && launch.args[i - 1] === 'run'));
  return { ...base, ...(await probe(ctx, launch, timeoutMs)) };
}

export type ProbeResult = Omit<CheckResult, 'name' | 'client' | 'file' | 'key'> & { surface?: RawSurface };

/** One handshake: connect, list tools, resources, prompts and resource templates (the surface pins cover). */
export async function probe(ctx: Context, launch: ForeignLaunch, timeoutMs: number): Promise<ProbeResult> {
  const era = eraFile(ctx, launch);
  const how = negotiationFor(ctx, launch);
  // The SDK is loaded before the clock starts: the time reported is the server's.
  await Promise.all([import('@modelcontextprotocol/client'), import('@modelcontextprotocol/client/stdio')]);
  const deadline = Date.now() + timeoutMs;
  const started = process.hrtime.bigint();
  let session = await openSession(ctx, launch, how);
  try {
    try {
      await session.connect(deadline, timeoutMs);
    } catch (error) {
      // A server that exits on the discover probe: started again and asked with initialize only (as a sibling probe
      // would have found, at the cost of the same second start).
      if (how !== 'in-place' || !closedDuringProbe(error)) throw error;
      await session.close();
      session = await openSession(ctx, launch, 'legacy');
      await session.connect(deadline, timeoutMs);
    }
    const { client } = session;
    const initializeMs = Math.round(Number(process.hrtime.bigint() - started) / 1e5) / 10;
    const capabilities = client.getServerCapabilities() ?? {};
    const toolList = capabilities.tools ? (await client.listTools()).tools : [];
    const resources = capabilities.resources ? (await client.listResources()).resources.length : 0;
    const promptList = capabilities.prompts ? (await client.listPrompts()).prompts : [];
    // A server with resources may still have no templates (or not know the method): no templates then.
    const resourceTemplates = capabilities.resources ? await client.listResourceTemplates().then((r) => r.resourceTemplates, () => []) : [];
    const tools = toolList.map((t) => t.name);
    const prompts = promptList.length;
    const surface: RawSurface = { tools: toolList, prompts: promptList, resourceTemplates };
    const info = client.getServerVersion();
    const protocol = client.getNegotiatedProtocolVersion();
    await rememberEra(era, protocol);
    return { ok: true, initializeMs, ...(protocol ? { protocol } : {}), serverInfo: { name: info?.name, version: info?.version }, tools, resources, prompts, surface };
  } catch (error) {
    return { ok: false, failure: classify(error, launch, session.stderr()) };
  } finally {
    await session.close();
  }
}

interface Session {
  client: InstanceType<typeof import('@modelcontextprotocol/client').Client>;
  connect(deadline: number, timeoutMs: number): Promise<void>;
  close(): Promise<void>;
  stderr(): string;
}

async function openSession(ctx: Context, launch: ForeignLaunch, how: Negotiation): Promise<Session> {
  const { Client, StreamableHTTPClientTransport } = await import('@modelcontextprotocol/client');
  const client = new Client({ name: 'mcpm-check', version: '1' }, { versionNegotiation: { mode: how === 'legacy' ? 'legacy' : 'auto' } });
  let stderr = '';
  let transport;
  if (launch.url) {
    const { sameOriginFetch } = await import('../auth/http.js');
    // The entry's headers (API keys) go to the entry's origin only.
    transport = new StreamableHTTPClientTransport(new URL(launch.url), { requestInit: { headers: launch.headers ?? {} }, fetch: sameOriginFetch });
  } else {
    const { StdioClientTransport } = await import('@modelcontextprotocol/client/stdio');
    const Transport = stdioTransportClass(StdioClientTransport, how);
    const env: Record<string, string> = { HOME: ctx.home, PATH: SYSTEM_PATH };
    for (const key of PASS_THROUGH) if (ctx.env[key]) env[key] = ctx.env[key]!;
    const stdio = new Transport({ command: launch.command!, args: launch.args, env: { ...env, ...launch.env }, stderr: 'pipe', cwd: ctx.home });
    stdio.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    transport = stdio;
  }
  return {
    client,
    async connect(deadline, timeoutMs) {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          client.connect(transport, how === 'legacy' && !launch.url ? { prior: { kind: 'legacy' } } : undefined),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(Object.assign(new Error(`no answer to initialize within ${timeoutMs} ms`), { code: 'ETIMEOUT' })), Math.max(0, deadline - Date.now()));
          }),
        ]);
      } finally {
        clearTimeout(timer);
      }
    },
    close: () => client.close().catch(() => undefined),
    stderr: () => stderr,
  };
}

function classify(error: unknown, launch: ForeignLaunch, stderr: string): NonNullable<CheckResult['failure']> {
  const code = (error as NodeJS.ErrnoException).code;
  const tail = stderr.trim().split('\n').slice(-10).join('\n');
  if (code === 'ENOENT') return { reason: 'command-not-found', message: `${launch.command} was not found (the client would fail the same way)` };
  if (code === 'ETIMEOUT') return { reason: 'timeout', message: (error as Error).message, ...(tail ? { stderr: tail } : {}) };
  if (launch.url) return { reason: 'unreachable', message: `${launch.url}: ${(error as Error).message}` };
  if (/closed/i.test((error as Error).message)) return { reason: 'exited', message: 'The server exited before the MCP handshake', ...(tail ? { stderr: tail } : {}) };
  return { reason: 'error', message: (error as Error).message, ...(tail ? { stderr: tail } : {}) };
}

/** `1 tool`, `2 tools`. */
const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

export function renderCheck(results: CheckResult[]): string {
  if (results.length === 0) return 'No servers installed.';
  return results
    .map((r) => r.ok
      ? `${paint('green', 'ok')}    ${r.key} in ${r.client}: ${r.protocol ? `MCP ${r.protocol}, ` : ''}connected in ${r.initializeMs} ms, ${count(r.tools?.length ?? 0, 'tool')}, ${count(r.resources ?? 0, 'resource')}, ${count(r.prompts ?? 0, 'prompt')}${r.pinned ? ', pinned' : ''}`
      : `${paint('red', 'FAIL')}  ${r.key} in ${r.client}: ${r.failure!.reason}: ${r.failure!.message}${r.failure!.stderr ? `\n      ${r.failure!.stderr.split('\n').join('\n      ')}` : ''}`)
    .join('\n');
}

export const commands = [
  defineCommand({
    name: 'check',
    description: 'start each server as each client\'s entry says, do the MCP handshake, list tools; or say why it fails',
    arguments: [['[names...]', 'servers to check (default: all)']],
    run: async (ctx, { args }) => {
      const result = await check(ctx, args.names ?? [], { timeoutMs: ctx.options.timeout ? ctx.timeoutMs : undefined });
      const { comparePins } = await import('../trust/check-pins.js');
      await comparePins(ctx, result);
      return { result, exitCode: result.every((r) => r.ok) ? 0 : 1 };
    },
    render: renderCheck,
  }),
];
