import { defineCommand } from './spec.js';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Context } from '../context.js';
import { editorFor } from '../clients/editor.js';
import { readClientFile } from '../clients/write.js';
import { looksSecret } from '../plan/inputs.js';
import { readForeignEntry } from '../plan/foreign.js';
import { readLock } from '../state/lockfile.js';
import { stateFile, type InstalledServer, type ManagedEntry } from '../state/installed.js';
import { recoverState } from '../doctor/state.js';
import { INSTALL_RECORD } from '../store/layout.js';
import { install } from '../install/index.js';
import { allLocations, locationOfEntry } from '../clients/targets.js';

export type ProblemKind = 'state-unreadable' | 'node-missing' | 'store-missing' | 'unparseable-file' | 'entry-missing' | 'plaintext-secret' | 'lock-mismatch';

export interface Problem {
  kind: ProblemKind;
  message: string;
  server?: string;
  client?: string;
  file?: string;
  /** What --fix did, when it could. */
  fixed?: string;
}

/**
 * `mcpm doctor [--fix]`: the node binary behind each entry still exists (people upgrade node with nvm), every
 * managed entry points at a store version that exists, every client file parses, no secret sits in plaintext in a
 * managed entry, and the store, state and lock agree. `--fix` reinstalls what it safely can (the entry is rewritten
 * with the node running mcpm now, a missing store version is fetched again, plaintext secrets move to the secrets
 * file) and says what it did; an unparseable file is left for the user.
 */
export async function doctor(ctx: Context, options: { fix?: boolean } = {}) {
  const problems: Problem[] = [];
  const recovered = await recoverState(ctx, Boolean(options.fix));
  if (recovered.problem) problems.push({ kind: 'state-unreadable', file: stateFile(ctx), ...recovered.problem });
  const state = recovered.state;
  for (const location of allLocations(ctx).filter((l) => l.detected)) {
    try {
      await readClientFile(location);
    } catch (error) {
      problems.push({ kind: 'unparseable-file', client: location.client.id, file: location.file, message: (error as Error).message });
    }
  }
  const lock = await readLock(ctx.paths.state);
  for (const server of Object.values(state.servers)) {
    const before = problems.length;
    if (server.storePath && !existsSync(path.join(server.storePath, INSTALL_RECORD))) {
      problems.push({ kind: 'store-missing', server: server.name, message: `${server.name}@${server.version} is missing from the store (${server.storePath})` });
    }
    const locked = lock.servers[server.name];
    if (locked && locked.version !== server.version) {
      problems.push({ kind: 'lock-mismatch', server: server.name, message: `The lock says ${server.name}@${locked.version}, the state ${server.version}` });
    }
    for (const entry of server.entries) problems.push(...(await entryProblems(server, entry)));
    const fixable = problems.slice(before).filter((p) => p.kind !== 'unparseable-file');
    if (options.fix && fixable.length > 0 && !problems.slice(before).some((p) => p.kind === 'unparseable-file')) {
      const plaintext = fixable.filter((p) => p.kind === 'plaintext-secret').map((p) => p.message.match(/^(\S+)/)?.[1] ?? '');
      await install(ctx, `${server.name}@${server.version}`, { recordRange: server.range, env: await plaintextValues(server, plaintext) });
      for (const problem of fixable) problem.fixed = fixDescription(problem.kind, ctx.nodePath);
    }
  }
  const remaining = problems.filter((p) => !p.fixed);
  return { ok: remaining.length === 0, problems };
}

async function entryProblems(server: InstalledServer, entry: ManagedEntry): Promise<Problem[]> {
  if (entry.disabled) return [];
  const location = locationOfEntry(entry);
  const base = { server: server.name, client: entry.client, file: entry.file };
  let value: unknown;
  try {
    const text = await readClientFile(location);
    value = text === undefined ? undefined : editorFor(location.client.format).get(location.file, text, location.client.serversPath, entry.key);
  } catch (error) {
    return [{ kind: 'unparseable-file', ...base, message: (error as Error).message }];
  }
  if (value === undefined) return [{ kind: 'entry-missing', ...base, message: `${entry.file} no longer has the entry "${entry.key}"` }];
  const launch = readForeignEntry(value);
  const problems: Problem[] = [];
  if (server.package && launch.command && path.isAbsolute(launch.command) && !existsSync(launch.command)) {
    problems.push({ kind: 'node-missing', ...base, message: `${launch.command}, the node that "${entry.key}" starts with, no longer exists` });
  }
  const bin = launch.args.find((arg) => server.storePath && arg.startsWith(path.dirname(server.storePath)));
  if (bin && !existsSync(bin)) problems.push({ kind: 'store-missing', ...base, message: `"${entry.key}" starts ${bin}, which is not in the store` });
  for (const [key, value] of Object.entries(launch.env)) {
    if (looksSecret(key) && value && !/^\$\{?|\{env:|\$\{\{/.test(value)) {
      problems.push({ kind: 'plaintext-secret', ...base, message: `${key} is written in plaintext in ${entry.file}` });
    }
  }
  return problems;
}

/** The plaintext values to move into the secrets file, read from the entries as written. */
async function plaintextValues(server: InstalledServer, keys: string[]): Promise<string[]> {
  const values: string[] = [];
  for (const entry of server.entries) {
    const location = locationOfEntry(entry);
    const text = await readClientFile(location);
    if (text === undefined) continue;
    const launch = readForeignEntry(editorFor(location.client.format).get(location.file, text, location.client.serversPath, entry.key));
    for (const key of keys) if (launch.env[key] && !values.some((v) => v.startsWith(`${key}=`))) values.push(`${key}=${launch.env[key]}`);
  }
  return values;
}

function fixDescription(kind: ProblemKind, nodePath: string): string {
  switch (kind) {
    case 'node-missing':
      return `entry rewritten to start ${nodePath}`;
    case 'store-missing':
      return 'version installed into the store again';
    case 'plaintext-secret':
      return 'value moved to the secrets file; the entry no longer holds it';
    case 'entry-missing':
      return 'entry written again';
    case 'lock-mismatch':
      return 'lock rewritten from what is installed';
    default:
      return 'fixed';
  }
}

export function renderDoctor(result: Awaited<ReturnType<typeof doctor>>): string {
  if (result.problems.length === 0) return 'No problems found.';
  return result.problems.map((p) => `${p.fixed ? 'fixed' : 'problem'}  ${p.kind}: ${p.message}${p.fixed ? ` (${p.fixed})` : ''}`).join('\n')
    + (result.ok ? '' : '\nRun `mcpm doctor --fix` to repair what can be repaired; fix unparseable files by hand.');
}

export const commands = [
  defineCommand({
    name: 'doctor',
    description: 'find broken node paths, missing store versions, unparseable files, plaintext secrets, lock drift',
    options: [{ flags: '--fix', description: 'repair what can be repaired safely, and say what was done' }],
    run: async (ctx, { options }) => {
      const result = await doctor(ctx, { fix: Boolean(options.fix) });
      return { result, exitCode: result.ok ? 0 : 1 };
    },
    render: renderDoctor,
  }),
];
