import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import type { Readable } from 'node:stream';
import type { Context } from '../context.js';
import { McpmError } from '../errors.js';
import type { InstalledServer } from '../state/installed.js';
import { GuardFilter } from './guard-filter.js';
import { liveSurface } from './live.js';
import { savePins } from './record.js';
import { comparable, type Pins } from './surface.js';

const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * `mcpm run --guard`: the server starts with pipes instead of the client's own descriptors, and every line between
 * them passes through GuardFilter (drifted tools withheld from tools/list, calls to them refused). A server without
 * pins is pinned first, with one handshake of its own: the first guarded start is the moment of approval, as an
 * install is. stderr stays the client's. Resolves with the exit code, as run's passthrough does.
 */
export async function guardedRun(ctx: Context, server: InstalledServer, key: string, launch: { command: string; args: string[]; env: NodeJS.ProcessEnv }): Promise<number> {
  let pins: Pins | undefined = server.trust?.pins;
  if (!comparable(pins)) {
    const live = await liveSurface(ctx, server);
    if ('note' in live) {
      throw new McpmError('EHANDSHAKE', `mcpm run --guard cannot pin ${server.name}'s tools: ${live.note}`, { hint: `Run \`mcpm check ${key}\` to see why it does not start.` });
    }
    await savePins(ctx, server.name, live.pins);
    pins = live.pins;
  }
  const filter = new GuardFilter(pins, key);
  return relay(launch, filter, (name, why) => process.stderr.write(`mcpm guard: withheld ${server.name}'s tool "${name}": it ${why}; run \`mcpm trust diff ${key}\`\n`));
}

function relay(launch: { command: string; args: string[]; env: NodeJS.ProcessEnv }, filter: GuardFilter, told: (name: string, why: string) => void): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(launch.command, launch.args, { stdio: ['pipe', 'pipe', 'inherit'], env: launch.env });
    const said = new Set<string>();
    lines(process.stdin, (line) => {
      const decision = filter.fromClient(line);
      if ('forward' in decision) child.stdin.write(`${decision.forward}\n`);
      else process.stdout.write(`${decision.answer}\n`);
    }, () => child.stdin.end());
    lines(child.stdout, (line) => {
      process.stdout.write(`${filter.fromServer(line)}\n`);
      for (const [name, why] of filter.withheld) {
        if (!said.has(name)) told(name, why);
        said.add(name);
      }
    });
    // A client gone (EPIPE) is the end of the session, not an error of the guard.
    child.stdin.on('error', () => undefined);
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    for (const signal of FORWARDED) process.on(signal, forward);
    const done = () => {
      for (const signal of FORWARDED) process.off(signal, forward);
      process.stdin.pause();
    };
    child.on('error', (error) => {
      done();
      reject(new McpmError('EFS', `Cannot start ${launch.command} (${(error as NodeJS.ErrnoException).code ?? error.message})`, { cause: error }));
    });
    child.on('close', (code, signal) => {
      done();
      resolve(code ?? 128 + (signal ? constants.signals[signal] ?? 0 : 0));
    });
  });
}

/** Newline-delimited messages of a stream (MCP's stdio framing), a partial line kept until its end arrives. */
function lines(stream: Readable, onLine: (line: string) => void, onEnd?: () => void): void {
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    pending += chunk;
    let at: number;
    while ((at = pending.indexOf('\n')) !== -1) {
      const line = pending.slice(0, at);
      pending = pending.slice(at + 1);
      if (line.trim() !== '') onLine(line);
    }
  });
  stream.on('end', () => {
    if (pending.trim() !== '') onLine(pending);
    onEnd?.();
  });
}

