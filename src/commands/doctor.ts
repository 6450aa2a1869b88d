import { recordedRange } from '../plan/version.js';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Context } from '../context.js';
import { editorFor } from '../clients/editor.js';
import { allLocations, locationOfEntry } from '../clients/targets.js';
import { readClientFile } from '../clients/write.js';
import { entryProblems, fileProblems, foreignProblems, secretProblems } from '../doctor/entries.js';
import type { Problem, ProblemKind } from '../doctor/problems.js';
import { recoverState } from '../doctor/state.js';
import { storeProblems } from '../doctor/store.js';
import { listKeptData } from '../store/server-data.js';
import { install } from '../install/index.js';
import { readForeignEntry } from '../plan/foreign.js';
import { stateFile, type InstalledServer } from '../state/installed.js';
import { readLock } from '../state/lockfile.js';
import { INSTALL_RECORD } from '../store/layout.js';
import { removeStaleStaging } from '../store/staging.js';
import { defineCommand } from './spec.js';

export type { Problem, ProblemKind } from '../doctor/problems.js';

/** What a reinstall repairs (the entry is rewritten, the store version fetched again, secrets moved out). */
const REINSTALL_FIXES: Partial<Record<ProblemKind, (nodePath: string) => string>> = {
  'node-missing': (node) => `entry rewritten to start ${node}`,
  'command-missing': () => 'entry rewritten from the installed version',
  'store-missing': () => 'version installed into the store again',
  'plaintext-secret': () => 'value moved to the secrets file; the entry no longer holds it',
  'entry-missing': () => 'entry written again',
  'lock-mismatch': () => 'lock rewritten from what is installed',
};

/**
 * `mcpm doctor [--fix]`: mcpm's state reads; every client file parses (reported once per file); each entry mcpm
 * manages still starts (its node or command exists, its store version exists) and holds no credential in plaintext;
 * each server's secrets are stored; entries mcpm does not manage hold no credential in plaintext either; the store,
 * state and lock agree; every file of the content store matches its hash. `--fix` repairs what it safely can
 * (restores or rebuilds the state, reinstalls a server whose entry or store version is broken, moving plaintext
 * secrets to the secrets file, fetches again a package whose stored file is bad) and says what it did; an
 * unparseable file, another program's entry and a secret only you know are left to you, with the command to run.
 */
export async function doctor(ctx: Context, options: { fix?: boolean } = {}) {
  const problems: Problem[] = [];
  const recovered = await recoverState(ctx, Boolean(options.fix));
  if (recovered.problem) problems.push({ kind: 'state-unreadable', file: stateFile(ctx), ...recovered.problem });
  const state = recovered.state;
  const detected = allLocations(ctx).filter((l) => l.detected);
  const managedLocations = Object.values(state.servers).flatMap((s) => s.entries.map(locationOfEntry));
  problems.push(...(await fileProblems([...detected, ...managedLocations])));
  const lock = await readLock(ctx.paths.state);
  for (const server of Object.values(state.servers)) {
    const found: Problem[] = [];
    if (server.storePath && !existsSync(path.join(server.storePath, INSTALL_RECORD))) {
      found.push({ kind: 'store-missing', server: server.name, message: `${server.name}@${server.version} is missing from the store (${server.storePath})` });
    }
    const locked = Object.hasOwn(lock.servers, server.name) ? lock.servers[server.name] : undefined;
    if (locked && locked.version !== server.version) {
      found.push({ kind: 'lock-mismatch', server: server.name, message: `The lock says ${server.name}@${locked.version}, the state ${server.version}` });
    }
    for (const entry of server.entries) found.push(...(await entryProblems(server, entry)));
    if (server.registryStatus) {
      found.push({
        kind: 'registry-status',
        server: server.name,
        message: `${server.name}@${server.version} is ${server.registryStatus.status === 'deleted' ? 'deleted (or taken down)' : 'deprecated'} in its registry (${server.registry}), as of ${server.registryStatus.checkedAt}`,
        hint: server.registryStatus.status === 'deleted' ? `mcpm update ${server.name} --latest, or mcpm uninstall ${server.name}` : `mcpm update ${server.name} --latest`,
      });
    }
    found.push(...(await secretProblems(ctx, server)));
    const unparseable = problems.some((p) => p.kind === 'unparseable-file' && server.entries.some((e) => e.file === p.file));
    if (options.fix && !unparseable && found.some((p) => REINSTALL_FIXES[p.kind])) await reinstall(ctx, server, found);
    problems.push(...found);
  }
  problems.push(...(await foreignProblems(detected, state)));
  problems.push(...(await storeProblems(ctx, Boolean(options.fix))));
  // Staging folders of killed runs take space and nothing else: --fix removes them quietly.
  if (options.fix) await removeStaleStaging(ctx.paths.store);
  // Not a problem, but the user's files in mcpm's folder: said, so they are not forgotten there.
  const kept = await listKeptData(ctx.paths.kept);
  return { ok: problems.every((p) => p.fixed), problems, ...(kept.length ? { kept } : {}) };
}

/** Reinstalls the version that is installed, with plaintext secret values given again (they then go to the secrets file). */
async function reinstall(ctx: Context, server: InstalledServer, found: Problem[]): Promise<void> {
  const plaintext = found.filter((p) => p.kind === 'plaintext-secret').map((p) => p.detail ?? '');
  await install(ctx, `${server.name}@${server.version}`, { recordRange: recordedRange(server.range, server.version), env: await plaintextValues(server, plaintext) });
  for (const problem of found) {
    const describe = REINSTALL_FIXES[problem.kind];
    if (describe) problem.fixed = describe(ctx.nodePath);
  }
}

/** The plaintext values to move into the secrets file, read from the entries as written (environment values). */
async function plaintextValues(server: InstalledServer, names: string[]): Promise<string[]> {
  const values: string[] = [];
  for (const entry of server.entries) {
    const location = locationOfEntry(entry);
    const text = await readClientFile(location, 'read');
    if (text === undefined) continue;
    const launch = readForeignEntry(editorFor(location.client.format).get(location.file, text, location.client.serversPath, entry.key));
    for (const name of names) {
      const value = Object.hasOwn(launch.env, name) ? launch.env[name] : undefined;
      if (value && !values.some((v) => v.startsWith(`${name}=`))) values.push(`${name}=${value}`);
    }
  }
  return values;
}

export function renderDoctor(result: Awaited<ReturnType<typeof doctor>>): string {
  const kept = (result.kept ?? []).map((k) => `data    ${k.server} ${k.version}: ${k.files.length} file${k.files.length === 1 ? '' : 's'} it wrote, kept in ${k.folder} since ${k.keptAt}`);
  if (result.problems.length === 0) return ['No problems found.', ...kept].join('\n');
  const lines = result.problems.map((p) => `${p.fixed ? 'fixed' : 'problem'}  ${p.kind}: ${p.message}${p.fixed ? ` (${p.fixed})` : p.hint ? `\n         run: ${p.hint}` : ''}`);
  return [...lines, ...kept].join('\n') + (result.ok ? '' : '\nRun `mcpm doctor --fix` to repair what can be repaired; fix unparseable files by hand.');
}

export const commands = [
  defineCommand({
    name: 'doctor',
    description: 'find what breaks later: a damaged state, unparseable files, entries that no longer start, missing or corrupt store files, missing or plaintext secrets, lock drift',
    options: [{ flags: '--fix', description: 'repair what can be repaired safely, and say what was done' }],
    run: async (ctx, { options }) => {
      const result = await doctor(ctx, { fix: Boolean(options.fix) });
      return { result, exitCode: result.ok ? 0 : 1 };
    },
    render: renderDoctor,
  }),
];
